//! The facts of meetings and decisions, and the decision-effects process manager.
//!
//! * meetings (each that changes what decisions read of it takes the meeting's lock,
//!   [`MeetingCommand::changes_decision_facts`]): who holds an attending seat on the meeting
//!   date and whether it votes, and that the attendee is a registered party; the voting
//!   seats filled and the policy in force for the quorum; the decisions adopted, on
//!   closing; whether silence may approve the minutes;
//! * decisions (each taken at a meeting takes that meeting's lock): the meeting's status
//!   and quorum; the seat behind a position; the policy in force for an adoption; the
//!   superseding or rescinding decision.
//!
//! **Decision effects.** An adopted decision may carry an effect (elect Chile as Chair,
//! create the Agriculture Action Group…). [`CommandService::apply_decision_effect`]
//! issues the effect's command to its target with the decision as authority (in the
//! envelope and in the target event's payload), then records the outcome on the decision:
//! `DecisionEffectApplied` or, when the target refused, `DecisionEffectFailed` with the
//! rule. The effect command carries the idempotency key `effect:<decision id>`, so a
//! crash between the two writes is repaired by [`CommandService::resume_pending_effects`]
//! at start-up without applying anything twice.

use chrono::NaiveDate;
use domain::body::{Body, BodyCommand};
use domain::command::BusinessDate;
use domain::decision::{
    Decision, DecisionCommand, DecisionEffect, DecisionError, EffectOutcome, MeetingFacts, SeatFacts, SupersedingFacts,
};
use domain::group::{Group, GroupCommand};
use domain::meeting::{AttendanceStatus, Meeting, MeetingCommand, MeetingError};
use domain::partner::{Partner, PartnerCommand};
use ledger_store::chaining::Envelope;
use ledger_store::with_pool;
use serde_json::json;

use super::{not_found, refused, DEFAULT_BODY};
use crate::pipeline::{CommandError, CommandMeta, CommandOutcome, CommandService, Given, Prepare};

/// The actor recorded on events the process manager writes.
pub const EFFECTS_ACTOR: &str = "decision-effects";

/// The governing body a meeting belongs to.
pub fn body_of(meeting: &Meeting) -> &str {
    if meeting.body_id.is_empty() {
        DEFAULT_BODY
    } else {
        &meeting.body_id
    }
}

/// The day of a meeting's session: when it opened (a fact), or the day it is scheduled
/// for (a plan).
fn meeting_day(meeting: &Meeting) -> Option<BusinessDate> {
    meeting.opened_on.map(BusinessDate::Occurred).or(meeting.date.map(BusinessDate::Planned))
}

impl Prepare for Meeting {
    async fn meeting_lock(
        _service: &CommandService,
        id: &str,
        command: &MeetingCommand,
    ) -> Result<Option<String>, CommandError> {
        Ok(command.changes_decision_facts().then(|| id.to_string()))
    }

    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut MeetingCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            MeetingCommand::RecordAttendance(attendance) => {
                let meeting: Meeting = service.load(id).await?;
                let on = meeting.opened_on.or(meeting.date);
                if !service.party_known(&attendance.organisation).await? {
                    return Err(refused(
                        "party_unknown",
                        format!("{} is not a registered organisation or country", attendance.organisation),
                    ));
                }
                attendance.voting = match (&attendance.seat_id, on) {
                    (Some(seat), Some(on)) => {
                        let (holder, voting) = service
                            .seat_facts(body_of(&meeting), seat, on)
                            .await?
                            .ok_or_else(|| refused("seat_not_filled", format!("seat {seat} has no holder on {on}")))?;
                        if holder != attendance.organisation {
                            return Err(refused(
                                "seat_holder_mismatch",
                                format!("seat {seat} is held by {holder} on {on}, not {}", attendance.organisation),
                            ));
                        }
                        voting
                    }
                    _ => false,
                };
                Ok(meeting_day(&meeting))
            }
            MeetingCommand::DeclareQuorum { voting_seats_filled, policy } => {
                let meeting: Meeting = service.load(id).await?;
                let on = meeting.opened_on.or(meeting.date).ok_or_else(|| not_found(format!("meeting {id}")))?;
                *voting_seats_filled = service.voting_seats_filled(body_of(&meeting), on).await?;
                *policy = service.policy_on(body_of(&meeting), on).await?;
                Ok(meeting_day(&meeting))
            }
            MeetingCommand::Close { decisions, .. } => {
                *decisions = service.adopted_decisions_of(id).await?;
                Ok(None)
            }
            MeetingCommand::ApproveMinutes { approved_on, authority, silence_allowed } => {
                let meeting: Meeting = service.load(id).await?;
                *silence_allowed =
                    service.policy_on(body_of(&meeting), *approved_on).await?.silence_period_days.is_some();
                *authority = given.cited.clone();
                Ok(None)
            }
            _ => Ok(None),
        }
    }
    fn creates(command: &MeetingCommand) -> bool {
        matches!(command, MeetingCommand::Schedule { .. })
    }
    fn refusal(error: &MeetingError) -> (&'static str, bool) {
        (error.rule(), *error == MeetingError::NotScheduled)
    }
}

impl Prepare for Decision {
    async fn meeting_lock(
        service: &CommandService,
        id: &str,
        command: &DecisionCommand,
    ) -> Result<Option<String>, CommandError> {
        match command {
            DecisionCommand::Propose { meeting, .. } | DecisionCommand::Retable { meeting } => {
                Ok(Some(meeting.meeting_id.clone()))
            }
            DecisionCommand::RecordPosition { .. }
            | DecisionCommand::Adopt { .. }
            | DecisionCommand::Reject { .. }
            | DecisionCommand::Defer { .. } => {
                let decision: Decision = service.load(id).await?;
                Ok(Some(decision.meeting_id).filter(|m| !m.is_empty()))
            }
            _ => Ok(None),
        }
    }

    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut DecisionCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            DecisionCommand::Propose { meeting, .. } | DecisionCommand::Retable { meeting } => {
                let state: Meeting = service.load(&meeting.meeting_id).await?;
                if state.date.is_none() {
                    return Err(not_found(format!("meeting {}", meeting.meeting_id)));
                }
                *meeting = meeting_facts(&meeting.meeting_id, &state);
                Ok(meeting_day(&state))
            }
            DecisionCommand::RecordPosition { seat_id, meeting, seat, .. } => {
                let state = service.meeting_of_decision(id).await?;
                let on = state.opened_on.or(state.date);
                let held = match on {
                    Some(on) => service.seat_facts(body_of(&state), seat_id, on).await?,
                    None => None,
                };
                let present = state.attendance.iter().any(|a| {
                    (a.status.counts_for_quorum() && a.seat_id.as_deref() == Some(seat_id.as_str()))
                        || matches!(&a.status, AttendanceStatus::Proxy { held_by_seat } if held_by_seat == seat_id)
                });
                *seat = SeatFacts { filled: held.is_some(), voting: held.as_ref().is_some_and(|(_, v)| *v), present };
                *meeting = meeting_facts(&state.meeting_id, &state);
                Ok(meeting_day(&state))
            }
            DecisionCommand::Adopt { effective_on, meeting, policy } => {
                let state = service.meeting_of_decision(id).await?;
                let on = state.opened_on.or(state.date).unwrap_or(*effective_on);
                *policy = service.policy_on(body_of(&state), on).await?;
                *meeting = meeting_facts(&state.meeting_id, &state);
                Ok(None)
            }
            DecisionCommand::Reject { meeting, .. } | DecisionCommand::Defer { meeting, .. } => {
                let state = service.meeting_of_decision(id).await?;
                *meeting = meeting_facts(&state.meeting_id, &state);
                Ok(meeting_day(&state))
            }
            DecisionCommand::Supersede { by } | DecisionCommand::Rescind { by, .. } => {
                let other: Decision = service.load(&by.decision_id).await?;
                *by = SupersedingFacts {
                    decision_id: by.decision_id.clone(),
                    status: other.status,
                    adopted_on: other.adopted_on,
                };
                Ok(other.adopted_on.map(BusinessDate::Occurred))
            }
            _ => Ok(None),
        }
    }
    fn creates(command: &DecisionCommand) -> bool {
        matches!(command, DecisionCommand::Propose { .. })
    }
    fn refusal(error: &DecisionError) -> (&'static str, bool) {
        (error.rule(), *error == DecisionError::NotProposed)
    }

    /// An adoption sets the decision's effect in motion (the decision-effects process
    /// manager). A failure to apply leaves the effect pending; start-up resumes it.
    async fn after(service: &CommandService, id: &str, outcome: &CommandOutcome) {
        if !outcome.events.iter().any(|e| e.event_type == "DecisionAdopted") {
            return;
        }
        if let Err(e) = service.apply_decision_effect_boxed(id).await {
            tracing::warn!(decision = %id, error = %e, "the decision's effect is pending");
        }
    }
}

/// What a decision command needs to know of its meeting.
fn meeting_facts(meeting_id: &str, meeting: &Meeting) -> MeetingFacts {
    MeetingFacts {
        meeting_id: meeting_id.to_string(),
        status: meeting.status,
        quorum: meeting.quorum.clone(),
        kind: meeting.kind,
    }
}

impl CommandService {
    /// The meeting a decision was tabled at.
    async fn meeting_of_decision(&self, decision_id: &str) -> Result<Meeting, CommandError> {
        let decision: Decision = self.load(decision_id).await?;
        if decision.meeting_id.is_empty() {
            return Err(not_found(format!("decision {decision_id}")));
        }
        self.load(&decision.meeting_id).await
    }

    /// Decisions adopted at a meeting, in the order they were tabled.
    pub async fn adopted_decisions_of(&self, meeting_id: &str) -> Result<Vec<String>, CommandError> {
        let meeting_field = self.db.json_field("p.payload", &["DecisionProposed", "meeting_id"]);
        let sql = format!(
            "SELECT p.aggregate_id FROM events p WHERE p.aggregate_type = 'decision' AND p.event_type = 'DecisionProposed' \
             AND {meeting_field} = $1 AND EXISTS (SELECT 1 FROM events a WHERE a.aggregate_type = 'decision' \
             AND a.aggregate_id = p.aggregate_id AND a.event_type = 'DecisionAdopted') ORDER BY p.aggregate_id"
        );
        let ids: Vec<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(&sql).bind(meeting_id).fetch_all(pool).await.map_err(|e| CommandError::Internal(e.into()))?
        });
        Ok(ids)
    }

    /// [`CommandService::apply_decision_effect`] behind a box: the effect's command runs
    /// through the pipeline, whose `after` step calls this again.
    fn apply_decision_effect_boxed<'a>(
        &'a self,
        decision_id: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Option<EffectOutcome>, CommandError>> {
        Box::pin(self.apply_decision_effect(decision_id))
    }

    /// Applies an adopted decision's effect to its target and records the outcome on the
    /// decision. `None` when there is nothing to do (no effect, not adopted, or already
    /// recorded).
    pub async fn apply_decision_effect(&self, decision_id: &str) -> Result<Option<EffectOutcome>, CommandError> {
        let decision: Decision = self.load(decision_id).await?;
        let Some(effect) = decision.effect.clone() else { return Ok(None) };
        if decision.effect_recorded || decision.adopted_on.is_none() {
            return Ok(None);
        }
        let facts = self.decision_facts(decision_id).await?;
        let meeting: Meeting = self.load(&decision.meeting_id).await?;
        let body_id = if meeting.body_id.is_empty() { DEFAULT_BODY.to_string() } else { meeting.body_id.clone() };
        // The effect is as certain as the adoption that authorised it: it carries the
        // adopting event's confidence label.
        let provenance = self.provenance_of("decision", decision_id, &["DecisionAdopted"]).await?;
        let meta = |on: NaiveDate| CommandMeta {
            envelope: Envelope {
                actor: EFFECTS_ACTOR.into(),
                role: "system".into(),
                authority: Some(json!({"kind": "decision", "decision_id": decision_id})),
                occurred_at: Some(on.format("%Y-%m-%d").to_string()),
                reason: Some(format!("effect of adopted decision {decision_id}")),
                idempotency_key: Some(format!("effect:{decision_id}")),
                provenance: provenance.clone(),
                ..Envelope::default()
            },
            expected_version: None,
        };
        let authority = Some(facts);
        let result = match effect {
            DecisionEffect::ElectOfficeHolder { term_id, office, holder, term_start, term_end } => {
                let holder_known = self.party_known(&holder).await?;
                let command = BodyCommand::ElectOfficeHolder {
                    term_id,
                    office,
                    holder,
                    term_start,
                    term_end,
                    holder_known,
                    authority,
                };
                self.run_effect(|m| self.execute::<Body>(&body_id, command, m), meta(term_start)).await
            }
            DecisionEffect::ExtendTerm { term_id, new_end, .. } => {
                let on = decision.adopted_on.unwrap_or(new_end);
                let command = BodyCommand::ExtendTerm { term_id, new_end, authority };
                self.run_effect(|m| self.execute::<Body>(&body_id, command, m), meta(on)).await
            }
            DecisionEffect::AssignSeat { seat_id, holder, from } => {
                let holder_known = self.party_known(&holder).await?;
                let command = BodyCommand::AssignSeat { seat_id, holder, from, holder_known, authority };
                self.run_effect(|m| self.execute::<Body>(&body_id, command, m), meta(from)).await
            }
            DecisionEffect::AdoptPolicy { policy, effective_on } => {
                let command = BodyCommand::AdoptPolicy { policy, effective_on, authority };
                self.run_effect(|m| self.execute::<Body>(&body_id, command, m), meta(effective_on)).await
            }
            DecisionEffect::EstablishGroup { group_id, kind, name, theme, established_on } => {
                let command = GroupCommand::Establish {
                    group_id: group_id.clone(),
                    kind,
                    name,
                    theme,
                    established_on,
                    legacy_evidence_sha256: None,
                    authority,
                };
                self.run_effect(|m| self.execute::<Group>(&group_id, command, m), meta(established_on)).await
            }
            DecisionEffect::RelaunchGroup { group_id, relaunched_on, supporters } => {
                let command = GroupCommand::Relaunch { relaunched_on, supporters, authority };
                self.run_effect(|m| self.execute::<Group>(&group_id, command, m), meta(relaunched_on)).await
            }
            DecisionEffect::AdmitPartner { organisation, admitted_on } => {
                let admission = self.policy_on(&body_id, admitted_on).await?.partner_admission;
                let command = PartnerCommand::Admit { admitted_on, admission, authority };
                self.run_effect(|m| self.execute::<Partner>(&organisation, command, m), meta(admitted_on)).await
            }
            DecisionEffect::ApproveMinutes { meeting_id, approved_on } => {
                let command = MeetingCommand::ApproveMinutes { approved_on, authority, silence_allowed: false };
                self.run_effect(|m| self.execute::<Meeting>(&meeting_id, command, m), meta(approved_on)).await
            }
        }?;
        let on = decision.adopted_on.unwrap_or_default();
        let mut record = meta(on);
        record.envelope.idempotency_key = Some(format!("effect-outcome:{decision_id}"));
        self.execute::<Decision>(decision_id, DecisionCommand::RecordEffect { outcome: result.clone() }, record)
            .await?;
        Ok(Some(result))
    }

    /// Runs an effect's command; a refusal becomes a `Failed` outcome to record, anything
    /// else (the database down) is an error and the effect stays pending.
    async fn run_effect<F, Fut>(&self, execute: F, meta: CommandMeta) -> Result<EffectOutcome, CommandError>
    where
        F: FnOnce(CommandMeta) -> Fut,
        Fut: std::future::Future<Output = Result<CommandOutcome, CommandError>>,
    {
        match execute(meta).await {
            Ok(outcome) => Ok(EffectOutcome::Applied {
                target_type: outcome.aggregate_type,
                target_id: outcome.aggregate_id,
                events: outcome.events.into_iter().map(|r| r.event_type).collect(),
            }),
            Err(CommandError::Refused { rule, message }) => {
                Ok(EffectOutcome::Failed { rule: rule.to_string(), message })
            }
            Err(CommandError::NotFound(message)) => {
                Ok(EffectOutcome::Failed { rule: "effect_target_missing".into(), message })
            }
            Err(CommandError::Malformed(message)) => {
                Ok(EffectOutcome::Failed { rule: "effect_target_malformed".into(), message })
            }
            Err(other) => Err(other),
        }
    }

    /// Applies every adopted decision's effect that has no recorded outcome yet (after a
    /// crash between an adoption and its effect). Returns how many were completed.
    pub async fn resume_pending_effects(&self) -> Result<usize, CommandError> {
        let sql = "SELECT a.aggregate_id FROM events a WHERE a.aggregate_type = 'decision' AND a.event_type = 'DecisionAdopted' \
             AND NOT EXISTS (SELECT 1 FROM events r WHERE r.aggregate_type = 'decision' AND r.aggregate_id = a.aggregate_id \
             AND r.event_type IN ('DecisionEffectApplied', 'DecisionEffectFailed')) ORDER BY a.aggregate_id";
        let ids: Vec<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(sql).fetch_all(pool).await.map_err(|e| CommandError::Internal(e.into()))?
        });
        let mut done = 0;
        for id in ids {
            if self.apply_decision_effect(&id).await?.is_some() {
                done += 1;
            }
        }
        Ok(done)
    }
}
