-- Decisions are looked up by the meeting they were tabled at (closing a meeting, dossiers).
CREATE INDEX events_decision_meeting ON events ((payload -> 'DecisionProposed' ->> 'meeting_id'))
    WHERE aggregate_type = 'decision' AND event_type = 'DecisionProposed';
