//! View documents and how ledger events fold into them.
//!
//! A view is a JSON document per id in `view_documents`, rebuilt from the ledger in
//! position order. Folding is pure ([`apply`]): the runner loads the documents an event
//! touches, applies it and writes them back in the same transaction as its cursor.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::decision::{DecisionEvent, DecisionStatus, DecisionSubject, Position, Tally};
use domain::meeting::{Attendance, MeetingEvent, MeetingKind, MeetingStatus, Modality, QuorumSnapshot};
use domain::policy::DecisionMethod;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The meetings view.
pub const MEETINGS: &str = "meetings";
/// The decisions view.
pub const DECISIONS: &str = "decisions";

/// Provenance of what the view shows: whether any event behind it is illustrative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// True when any event folded into the document carries confidence `X` (invented demo value).
    pub illustrative: bool,
    /// Confidence tags seen, e.g. `["P", "X"]`.
    pub confidence: Vec<String>,
}

impl Labels {
    fn absorb(&mut self, metadata: &Value) {
        if let Some(conf) = metadata.pointer("/provenance/confidence").and_then(Value::as_str) {
            if !self.confidence.iter().any(|c| c == conf) {
                self.confidence.push(conf.to_string());
                self.confidence.sort();
            }
            if conf == "X" {
                self.illustrative = true;
            }
        }
    }
}

/// A GCG meeting as the API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub meeting_id: String,
    pub body_id: String,
    pub number: u32,
    pub kind: Option<MeetingKind>,
    pub date: Option<NaiveDate>,
    pub modality: Option<Modality>,
    pub location: Option<String>,
    pub status: MeetingStatus,
    pub opened_on: Option<NaiveDate>,
    pub chaired_by: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub attendance: Vec<Attendance>,
    pub quorum: Option<QuorumSnapshot>,
    /// Decisions proposed at the meeting, in the order they were tabled.
    pub decisions: Vec<String>,
    pub attendees_count: Option<u32>,
    pub organisations_present: Vec<String>,
    pub labels: Labels,
    /// Sequence of the last event folded in (the aggregate version for `If-Match`).
    pub version: u64,
    pub last_position: i64,
}

/// A position as recorded, kept even when a later one supersedes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionEntry {
    pub seat_id: String,
    pub position: Position,
    pub reason: Option<String>,
    /// False once the same seat stated a later position.
    pub effective: bool,
    pub recorded_position: i64,
}

/// A GCG decision as the API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub decision_id: String,
    pub meeting_id: String,
    pub agenda_item: Option<String>,
    pub subject: Option<DecisionSubject>,
    pub text: String,
    pub status: DecisionStatus,
    pub positions: Vec<PositionEntry>,
    pub tally: Tally,
    pub method: Option<DecisionMethod>,
    pub quorum_snapshot: Option<QuorumSnapshot>,
    pub policy_version: Option<String>,
    pub effective_on: Option<NaiveDate>,
    pub rejection_reason: Option<String>,
    pub superseded_by: Option<String>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// The documents a batch of events touches, keyed by (view, id).
pub type Documents = HashMap<(String, String), Value>;

/// An event being folded: where it sits and what it says.
#[derive(Debug)]
pub struct Folded<'a> {
    pub position: i64,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: u64,
    pub payload: &'a Value,
    pub metadata: &'a Value,
}

/// The (view, id) keys an event needs loaded before [`apply`].
pub fn keys_for(event: &Folded<'_>) -> Vec<(String, String)> {
    match event.aggregate_type {
        "meeting" => vec![(MEETINGS.to_string(), event.aggregate_id.to_string())],
        "decision" => {
            let mut keys = vec![(DECISIONS.to_string(), event.aggregate_id.to_string())];
            if let Some(meeting) = event.payload.pointer("/DecisionProposed/meeting_id").and_then(Value::as_str) {
                keys.push((MEETINGS.to_string(), meeting.to_string()));
            }
            keys
        }
        _ => vec![],
    }
}

fn load<T: Default + for<'de> Deserialize<'de>>(docs: &Documents, key: &(String, String)) -> T {
    docs.get(key).and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

fn store<T: Serialize>(docs: &mut Documents, key: (String, String), doc: &T) -> Result<(), String> {
    docs.insert(key, serde_json::to_value(doc).map_err(|e| e.to_string())?);
    Ok(())
}

/// Folds one event into the documents it touches.
pub fn apply(docs: &mut Documents, event: &Folded<'_>) -> Result<(), String> {
    match event.aggregate_type {
        "meeting" => {
            let parsed: MeetingEvent = serde_json::from_value(event.payload.clone())
                .map_err(|e| format!("meeting event does not parse: {e}"))?;
            let key = (MEETINGS.to_string(), event.aggregate_id.to_string());
            let mut view: MeetingView = load(docs, &key);
            fold_meeting(&mut view, parsed);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            store(docs, key, &view)
        }
        "decision" => {
            let parsed: DecisionEvent = serde_json::from_value(event.payload.clone())
                .map_err(|e| format!("decision event does not parse: {e}"))?;
            let key = (DECISIONS.to_string(), event.aggregate_id.to_string());
            let mut view: DecisionView = load(docs, &key);
            if let DecisionEvent::DecisionProposed { meeting_id, .. } = &parsed {
                let meeting_key = (MEETINGS.to_string(), meeting_id.clone());
                let mut meeting: MeetingView = load(docs, &meeting_key);
                if !meeting.decisions.iter().any(|d| d == event.aggregate_id) {
                    meeting.decisions.push(event.aggregate_id.to_string());
                }
                store(docs, meeting_key, &meeting)?;
            }
            fold_decision(&mut view, parsed, event.position);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            store(docs, key, &view)
        }
        _ => Ok(()),
    }
}

fn fold_meeting(view: &mut MeetingView, event: MeetingEvent) {
    match event {
        MeetingEvent::MeetingScheduled { meeting_id, body_id, number, kind, date, modality, location } => {
            view.meeting_id = meeting_id;
            view.body_id = body_id;
            view.number = number;
            view.kind = Some(kind);
            view.date = Some(date);
            view.modality = Some(modality);
            view.location = location;
            view.status = MeetingStatus::Scheduled;
        }
        MeetingEvent::MeetingOpened { opened_on, chaired_by } => {
            view.opened_on = Some(opened_on);
            view.chaired_by = chaired_by;
            view.status = MeetingStatus::InSession;
        }
        MeetingEvent::AttendanceRecorded(a) => view.attendance.push(a),
        MeetingEvent::QuorumDeclared(q) => view.quorum = Some(q),
        MeetingEvent::MeetingClosed { closed_on, attendees_count, organisations_present, .. } => {
            view.closed_on = Some(closed_on);
            view.attendees_count = Some(attendees_count);
            view.organisations_present = organisations_present;
            view.status = MeetingStatus::Closed;
        }
    }
}

fn fold_decision(view: &mut DecisionView, event: DecisionEvent, position: i64) {
    match event {
        DecisionEvent::DecisionProposed { decision_id, meeting_id, agenda_item, subject, text } => {
            view.decision_id = decision_id;
            view.meeting_id = meeting_id;
            view.agenda_item = agenda_item;
            view.subject = Some(subject);
            view.text = text;
            view.status = DecisionStatus::Proposed;
        }
        DecisionEvent::PositionRecorded { seat_id, position: stated, reason, .. } => {
            for entry in view.positions.iter_mut().filter(|p| p.seat_id == seat_id) {
                entry.effective = false;
            }
            view.positions.push(PositionEntry {
                seat_id,
                position: stated,
                reason,
                effective: true,
                recorded_position: position,
            });
            view.tally = tally(&view.positions);
        }
        DecisionEvent::DecisionAdopted { method, tally, quorum_snapshot, policy_version, effective_on } => {
            view.status = DecisionStatus::Adopted;
            view.method = Some(method);
            view.tally = tally;
            view.quorum_snapshot = Some(quorum_snapshot);
            view.policy_version = Some(policy_version);
            view.effective_on = Some(effective_on);
        }
        DecisionEvent::DecisionRejected { tally, reason } => {
            view.status = DecisionStatus::Rejected;
            view.tally = tally;
            view.rejection_reason = reason;
        }
        DecisionEvent::DecisionSuperseded { by_decision_id } => {
            view.status = DecisionStatus::Superseded;
            view.superseded_by = Some(by_decision_id);
        }
    }
}

fn tally(positions: &[PositionEntry]) -> Tally {
    let mut t = Tally::default();
    for p in positions.iter().filter(|p| p.effective) {
        match p.position {
            Position::For => t.for_ += 1,
            Position::Against => t.against += 1,
            Position::Abstain => t.abstain += 1,
            Position::Block => t.block += 1,
        }
    }
    t
}
