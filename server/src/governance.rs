//! Governance commands at the edge: the facts a command needs from other aggregates, and
//! the decision-effects process manager.
//!
//! The domain is pure, so whatever a rule needs to know about another aggregate (is the
//! cited decision adopted, and about what? is the holder a registered party? which policy
//! is in force on that date? who holds that seat?) is read here and put into the command
//! before cqrs-es runs it. Every governance write, from HTTP, the demo loader or the
//! process manager, goes through these `execute_*` methods.
//!
//! **Decision effects.** An adopted decision may carry an effect (elect Chile as Chair,
//! create the Agriculture Action Group…). [`Ledger::apply_decision_effect`] issues the
//! effect's command to its target with the decision as authority (in the envelope and in
//! the target event's payload), then records the outcome on the decision:
//! `DecisionEffectApplied` or, when the target refused, `DecisionEffectFailed` with the
//! rule. The effect command carries the idempotency key `effect:<decision id>`, so a
//! crash between the two writes is repaired by [`Ledger::resume_pending_effects`] at
//! start-up without applying anything twice.

use chrono::NaiveDate;
use domain::authority::DecisionFacts;
use domain::body::{Body, BodyCommand, BodyError, Office};
use domain::decision::{DecisionCommand, DecisionEffect, DecisionStatus, EffectOutcome};
use domain::group::{GroupCommand, GroupError};
use domain::meeting::MeetingCommand;
use domain::partner::{PartnerCommand, PartnerError, PartnerStatus};
use domain::policy::GovernancePolicy;
use domain::reference::{CountryCommand, OrganisationCommand, ReferenceError};
use projections::with_pool;
use serde_json::{json, Value};

use crate::app::{CommandError, CommandMeta, CommandOutcome, Ledger};
use crate::store::Envelope;

/// The governing body commands address when none is named.
pub const DEFAULT_BODY: &str = "GCG";
/// The pseudo-seat of the Chair (held by the Chair's term, not by assignment).
pub const CHAIR_SEAT: &str = "CHAIR";
/// The pseudo-seat of the Deputy Chair.
pub const DEPUTY_CHAIR_SEAT: &str = "DEPUTY-CHAIR";
/// The actor recorded on events the process manager writes.
pub const EFFECTS_ACTOR: &str = "decision-effects";

/// Who holds a seat (or an office's pseudo-seat) on a date, and whether it votes.
pub fn seat_on(body: &Body, seat_id: &str, date: NaiveDate) -> Option<(String, bool)> {
    let office = match seat_id {
        CHAIR_SEAT => Some(Office::Chair),
        DEPUTY_CHAIR_SEAT => Some(Office::DeputyChair),
        _ => None,
    };
    match office {
        Some(office) => body.office_holder_on(office, date).map(|t| (t.holder.clone(), true)),
        None => {
            let seat = body.seats.get(seat_id)?;
            seat.holder_on(date).map(|h| (h.to_string(), seat.voting))
        }
    }
}

/// The decision an envelope cites, if any: `{"kind": "decision", "decision_id": "…"}`.
pub fn cited_decision(envelope: &Envelope) -> Option<String> {
    let authority = envelope.authority.as_ref()?;
    if authority.get("kind").and_then(Value::as_str) != Some("decision") {
        return None;
    }
    authority.get("decision_id").and_then(Value::as_str).map(str::to_string)
}

fn refused(rule: &'static str, message: impl Into<String>) -> CommandError {
    CommandError::Refused { rule, message: message.into() }
}

impl Ledger {
    /// Whether `id` is a registered country (ISO3) or organisation.
    pub async fn party_known(&self, id: &str) -> Result<bool, CommandError> {
        let found: i64 = with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM events WHERE aggregate_type IN ('country', 'organisation') AND aggregate_id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await
            .map_err(|e| CommandError::Internal(e.into()))?
        });
        Ok(found > 0)
    }

    /// The facts about a decision, as a command citing it needs them.
    pub async fn decision_facts(&self, decision_id: &str) -> Result<DecisionFacts, CommandError> {
        let decision = self.decision(decision_id).await?;
        Ok(DecisionFacts {
            decision_id: decision_id.to_string(),
            status: decision.status,
            subject: decision.subject,
            adopted_on: decision.adopted_on,
        })
    }

    /// The facts of the decision the envelope cites. A cited decision must be adopted,
    /// whatever the command: the envelope must not claim an authority that does not exist.
    async fn cited_authority(&self, envelope: &Envelope) -> Result<Option<DecisionFacts>, CommandError> {
        let Some(decision_id) = cited_decision(envelope) else { return Ok(None) };
        let facts = self.decision_facts(&decision_id).await?;
        if facts.status != DecisionStatus::Adopted {
            return Err(refused(
                "decision_authority_not_adopted",
                format!("the cited decision {decision_id} is not adopted, so it authorises nothing"),
            ));
        }
        Ok(Some(facts))
    }

    /// Refuses an envelope that cites a decision that is not adopted, whatever the command
    /// (run by every command before it is stored).
    pub(crate) async fn check_cited_decision(&self, envelope: &Envelope) -> Result<(), CommandError> {
        self.cited_authority(envelope).await.map(|_| ())
    }

    /// A governing body's state.
    pub async fn body(&self, body_id: &str) -> Result<Body, CommandError> {
        self.bodies.load(body_id).await
    }

    /// The policy in force in a body on a date; the provisional rules if the body has none.
    pub async fn policy_on(&self, body_id: &str, date: NaiveDate) -> Result<GovernancePolicy, CommandError> {
        let body = self.body(body_id).await?;
        Ok(body.policy_on(date).cloned().unwrap_or_else(GovernancePolicy::provisional_v1))
    }

    /// Runs a command on a governing body.
    pub async fn execute_body(
        &self,
        id: &str,
        mut command: BodyCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.cited_authority(&meta.envelope).await?;
        match &mut command {
            BodyCommand::AssignSeat { holder, holder_known, authority, .. }
            | BodyCommand::ElectOfficeHolder { holder, holder_known, authority, .. } => {
                *holder_known = self.party_known(holder).await?;
                *authority = cited;
            }
            BodyCommand::SubmitCandidacy { candidate, candidate_known, .. } => {
                *candidate_known = self.party_known(candidate).await?;
            }
            BodyCommand::AdoptPolicy { authority, .. } | BodyCommand::ExtendTerm { authority, .. } => {
                *authority = cited;
            }
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let establishing = matches!(command, BodyCommand::Establish { .. });
        self.run(
            "body",
            id,
            meta,
            |metadata| self.bodies.cqrs.execute_with_metadata(id, command, metadata),
            |e: &BodyError| (e.rule(), !establishing && *e == BodyError::NotEstablished),
        )
        .await
    }

    /// Runs a command on an Action or Working Group.
    pub async fn execute_group(
        &self,
        id: &str,
        mut command: GroupCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.cited_authority(&meta.envelope).await?;
        match &mut command {
            GroupCommand::Establish { authority, .. } | GroupCommand::Relaunch { authority, .. } => *authority = cited,
            GroupCommand::AssignLead { organisation, organisation_known, .. } => {
                *organisation_known = self.party_known(organisation).await?;
            }
            GroupCommand::AddMember { organisation, partner_status, .. } => {
                let partner = self.partners.load(organisation).await?;
                *partner_status = Some(partner.status).filter(|s| *s != PartnerStatus::None);
            }
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let establishing = matches!(command, GroupCommand::Establish { .. });
        self.run(
            "group",
            id,
            meta,
            |metadata| self.groups.cqrs.execute_with_metadata(id, command, metadata),
            |e: &GroupError| (e.rule(), !establishing && *e == GroupError::NotEstablished),
        )
        .await
    }

    /// Runs a command on a partnership.
    pub async fn execute_partner(
        &self,
        id: &str,
        mut command: PartnerCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.cited_authority(&meta.envelope).await?;
        match &mut command {
            PartnerCommand::Apply { organisation, organisation_known, .. } => {
                if organisation != id {
                    return Err(refused("partner_id_mismatch", "a partnership's id is its organisation's id"));
                }
                *organisation_known = self.party_known(organisation).await?;
            }
            PartnerCommand::Admit { admitted_on, admission, authority } => {
                *admission = self.policy_on(DEFAULT_BODY, *admitted_on).await?.partner_admission;
                *authority = cited;
            }
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let applying = matches!(command, PartnerCommand::Apply { .. });
        self.run(
            "partner",
            id,
            meta,
            |metadata| self.partners.cqrs.execute_with_metadata(id, command, metadata),
            |e: &PartnerError| (e.rule(), !applying && *e == PartnerError::NotApplied),
        )
        .await
    }

    /// Runs a command on an organisation.
    pub async fn execute_organisation(
        &self,
        id: &str,
        command: OrganisationCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        self.cited_authority(&meta.envelope).await?;
        if let OrganisationCommand::Register { organisation_id, .. } = &command {
            if organisation_id != id {
                return Err(refused("organisation_id_mismatch", "the path and the body name different organisations"));
            }
        }
        meta.envelope.command = Some(command.name().to_string());
        let registering = matches!(command, OrganisationCommand::Register { .. });
        self.run(
            "organisation",
            id,
            meta,
            |metadata| self.organisations.cqrs.execute_with_metadata(id, command, metadata),
            |e: &ReferenceError| (e.rule(), !registering && *e == ReferenceError::NotRegistered),
        )
        .await
    }

    /// Runs a command on a country.
    pub async fn execute_country(
        &self,
        id: &str,
        command: CountryCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        self.cited_authority(&meta.envelope).await?;
        let CountryCommand::Register { iso3, .. } = &command;
        if iso3 != id {
            return Err(refused("country_id_mismatch", "the path and the body name different countries"));
        }
        meta.envelope.command = Some(command.name().to_string());
        self.run(
            "country",
            id,
            meta,
            |metadata| self.countries.cqrs.execute_with_metadata(id, command, metadata),
            |e: &ReferenceError| (e.rule(), false),
        )
        .await
    }

    /// The facts an `approve_minutes` command needs: the cited decision and whether the
    /// policy in force allows approval by silence.
    pub async fn prepare_meeting_command(
        &self,
        meeting_id: &str,
        command: &mut MeetingCommand,
        envelope: &Envelope,
    ) -> Result<(), CommandError> {
        let cited = self.cited_authority(envelope).await?;
        if let MeetingCommand::ApproveMinutes { approved_on, authority, silence_allowed } = command {
            let meeting = self.meeting(meeting_id).await?;
            let body_id = if meeting.body_id.is_empty() { DEFAULT_BODY } else { meeting.body_id.as_str() };
            *silence_allowed = self.policy_on(body_id, *approved_on).await?.silence_period_days.is_some();
            *authority = cited;
        }
        Ok(())
    }

    /// Applies an adopted decision's effect to its target and records the outcome on the
    /// decision. `None` when there is nothing to do (no effect, not adopted, or already
    /// recorded).
    pub async fn apply_decision_effect(&self, decision_id: &str) -> Result<Option<EffectOutcome>, CommandError> {
        let decision = self.decision(decision_id).await?;
        let Some(effect) = decision.effect.clone() else { return Ok(None) };
        if decision.effect_recorded || decision.adopted_on.is_none() {
            return Ok(None);
        }
        let facts = self.decision_facts(decision_id).await?;
        let meeting = self.meeting(&decision.meeting_id).await?;
        let body_id = if meeting.body_id.is_empty() { DEFAULT_BODY.to_string() } else { meeting.body_id.clone() };
        let meta = |on: NaiveDate| CommandMeta {
            envelope: Envelope {
                actor: EFFECTS_ACTOR.into(),
                role: "system".into(),
                authority: Some(json!({"kind": "decision", "decision_id": decision_id})),
                occurred_at: Some(on.format("%Y-%m-%d").to_string()),
                reason: Some(format!("effect of adopted decision {decision_id}")),
                idempotency_key: Some(format!("effect:{decision_id}")),
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
                self.run_effect_body(&body_id, command, meta(term_start)).await
            }
            DecisionEffect::ExtendTerm { term_id, new_end, .. } => {
                let on = decision.adopted_on.unwrap_or(new_end);
                self.run_effect_body(&body_id, BodyCommand::ExtendTerm { term_id, new_end, authority }, meta(on)).await
            }
            DecisionEffect::AssignSeat { seat_id, holder, from } => {
                let holder_known = self.party_known(&holder).await?;
                let command = BodyCommand::AssignSeat { seat_id, holder, from, holder_known, authority };
                self.run_effect_body(&body_id, command, meta(from)).await
            }
            DecisionEffect::AdoptPolicy { policy, effective_on } => {
                let command = BodyCommand::AdoptPolicy { policy, effective_on, authority };
                self.run_effect_body(&body_id, command, meta(effective_on)).await
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
                self.run_effect(|m| self.execute_group(&group_id, command, m), meta(established_on)).await
            }
            DecisionEffect::RelaunchGroup { group_id, relaunched_on, supporters } => {
                let command = GroupCommand::Relaunch { relaunched_on, supporters, authority };
                self.run_effect(|m| self.execute_group(&group_id, command, m), meta(relaunched_on)).await
            }
            DecisionEffect::AdmitPartner { organisation, admitted_on } => {
                let admission = self.policy_on(&body_id, admitted_on).await?.partner_admission;
                let command = PartnerCommand::Admit { admitted_on, admission, authority };
                self.run_effect(|m| self.execute_partner(&organisation, command, m), meta(admitted_on)).await
            }
            DecisionEffect::ApproveMinutes { meeting_id, approved_on } => {
                let command = MeetingCommand::ApproveMinutes { approved_on, authority, silence_allowed: false };
                let _lock = self.lock_meeting(&meeting_id).await?;
                self.run_effect(|m| self.execute_meeting(&meeting_id, command, m), meta(approved_on)).await
            }
        }?;
        let on = decision.adopted_on.unwrap_or_default();
        let mut record = meta(on);
        record.envelope.idempotency_key = Some(format!("effect-outcome:{decision_id}"));
        self.execute_decision(decision_id, DecisionCommand::RecordEffect { outcome: result.clone() }, record).await?;
        Ok(Some(result))
    }

    async fn run_effect_body(
        &self,
        body_id: &str,
        command: BodyCommand,
        meta: CommandMeta,
    ) -> Result<EffectOutcome, CommandError> {
        self.run_effect(|m| self.execute_body(body_id, command, m), meta).await
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

    /// Who holds a seat on a date in the meeting's body, for attendance and positions.
    pub async fn seat_facts(
        &self,
        body_id: &str,
        seat_id: &str,
        date: NaiveDate,
    ) -> Result<Option<(String, bool)>, CommandError> {
        let body = self.body(body_id).await?;
        Ok(seat_on(&body, seat_id, date))
    }

    /// Voting seats filled in a body on a date.
    pub async fn voting_seats_filled(&self, body_id: &str, date: NaiveDate) -> Result<u32, CommandError> {
        let body = self.body(body_id).await?;
        if body.established_on.is_none() {
            return Err(refused(
                "body_not_established",
                format!("the governing body {body_id} has not been established"),
            ));
        }
        Ok(body.voting_seats_filled_on(date))
    }
}

/// Meeting and decision commands whose facts come from the GCG record and the meeting:
/// one place for the HTTP handlers and the demo loader alike. Each takes the meeting's
/// lock, so the facts stay true until the event is stored.
impl Ledger {
    /// Records attendance; a seat must be held on the meeting date by the organisation
    /// named, and its holder's vote comes from the seat.
    pub async fn record_attendance(
        &self,
        meeting_id: &str,
        seat_id: Option<String>,
        organisation: String,
        status: domain::meeting::AttendanceStatus,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let _lock = self.lock_meeting(meeting_id).await?;
        let meeting = self.meeting(meeting_id).await?;
        let on = meeting.opened_on.or(meeting.date);
        default_occurred(&mut meta, on);
        let voting = match (&seat_id, on) {
            (Some(seat), Some(on)) => {
                let (holder, voting) = self
                    .seat_facts(body_of(&meeting), seat, on)
                    .await?
                    .ok_or_else(|| refused("seat_not_filled", format!("seat {seat} has no holder on {on}")))?;
                if holder != organisation {
                    return Err(refused(
                        "seat_holder_mismatch",
                        format!("seat {seat} is held by {holder} on {on}, not {organisation}"),
                    ));
                }
                voting
            }
            _ => false,
        };
        let attendance = domain::meeting::Attendance { seat_id, organisation, status, voting };
        self.execute_meeting(meeting_id, MeetingCommand::RecordAttendance(attendance), meta).await
    }

    /// Declares the quorum from the voting seats filled on the meeting date and the policy
    /// in force then.
    pub async fn declare_quorum(
        &self,
        meeting_id: &str,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let _lock = self.lock_meeting(meeting_id).await?;
        let meeting = self.meeting(meeting_id).await?;
        let on = meeting
            .opened_on
            .or(meeting.date)
            .ok_or_else(|| CommandError::NotFound(format!("meeting {meeting_id} does not exist")))?;
        default_occurred(&mut meta, Some(on));
        let command = MeetingCommand::DeclareQuorum {
            voting_seats_filled: self.voting_seats_filled(body_of(&meeting), on).await?,
            policy: self.policy_on(body_of(&meeting), on).await?,
        };
        self.execute_meeting(meeting_id, command, meta).await
    }

    /// Tables a proposal at a meeting.
    #[allow(clippy::too_many_arguments)]
    pub async fn propose(
        &self,
        meeting_id: &str,
        decision_id: &str,
        agenda_item: Option<String>,
        subject: domain::decision::DecisionSubject,
        text: String,
        effect: Option<DecisionEffect>,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let _lock = self.lock_meeting(meeting_id).await?;
        let meeting = self.meeting(meeting_id).await?;
        if meeting.date.is_none() {
            return Err(CommandError::NotFound(format!("meeting {meeting_id} does not exist")));
        }
        default_occurred(&mut meta, meeting.opened_on.or(meeting.date));
        let command = DecisionCommand::Propose {
            decision_id: decision_id.to_string(),
            agenda_item,
            subject,
            text,
            meeting: self.meeting_facts(meeting_id).await?,
            effect,
        };
        self.execute_decision(decision_id, command, meta).await
    }

    /// The decision's meeting, locked, and the meeting's state.
    async fn decision_meeting(
        &self,
        decision_id: &str,
    ) -> Result<(crate::app::MeetingLock, domain::meeting::Meeting), CommandError> {
        let decision = self.decision(decision_id).await?;
        if decision.meeting_id.is_empty() {
            return Err(CommandError::NotFound(format!("decision {decision_id} does not exist")));
        }
        let lock = self.lock_meeting(&decision.meeting_id).await?;
        let meeting = self.meeting(&decision.meeting_id).await?;
        Ok((lock, meeting))
    }

    /// Records a voting seat's position: the seat must be a voting seat held on the meeting
    /// date and present (or represented by proxy).
    pub async fn record_position(
        &self,
        decision_id: &str,
        seat_id: String,
        position: domain::decision::Position,
        reason: Option<String>,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let (_lock, meeting) = self.decision_meeting(decision_id).await?;
        let on = meeting.opened_on.or(meeting.date);
        default_occurred(&mut meta, on);
        let held = match on {
            Some(on) => self.seat_facts(body_of(&meeting), &seat_id, on).await?,
            None => None,
        };
        let present = meeting.attendance.iter().any(|a| {
            (a.status.counts_for_quorum() && a.seat_id.as_deref() == Some(seat_id.as_str()))
                || matches!(&a.status, domain::meeting::AttendanceStatus::Proxy { held_by_seat } if *held_by_seat == seat_id)
        });
        let seat = domain::decision::SeatFacts {
            filled: held.is_some(),
            voting: held.as_ref().is_some_and(|(_, v)| *v),
            present,
        };
        let facts = self.meeting_facts(&meeting.meeting_id).await?;
        let command = DecisionCommand::RecordPosition { seat_id, position, reason, meeting: facts, seat };
        self.execute_decision(decision_id, command, meta).await
    }

    /// Adopts a decision under the policy in force on the meeting date, then (as the
    /// decision-effects process manager) applies what it authorises. A failure to apply
    /// leaves the effect pending; start-up resumes it.
    pub async fn adopt(
        &self,
        decision_id: &str,
        effective_on: NaiveDate,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let outcome = {
            let (_lock, meeting) = self.decision_meeting(decision_id).await?;
            default_occurred(&mut meta, Some(effective_on));
            let on = meeting.opened_on.or(meeting.date).unwrap_or(effective_on);
            let policy = self.policy_on(body_of(&meeting), on).await?;
            let facts = self.meeting_facts(&meeting.meeting_id).await?;
            let command = DecisionCommand::Adopt { effective_on, meeting: facts, policy };
            self.execute_decision(decision_id, command, meta).await?
        };
        if let Err(e) = self.apply_decision_effect(decision_id).await {
            tracing::warn!(decision = %decision_id, error = %e, "the decision's effect is pending");
        }
        Ok(outcome)
    }
}

/// The governing body a meeting belongs to.
pub fn body_of(meeting: &domain::meeting::Meeting) -> &str {
    if meeting.body_id.is_empty() {
        DEFAULT_BODY
    } else {
        &meeting.body_id
    }
}

/// Sets `occurred_at` to `on` unless the caller gave one.
fn default_occurred(meta: &mut CommandMeta, on: Option<NaiveDate>) {
    if meta.envelope.occurred_at.is_none() {
        meta.envelope.occurred_at = on.map(|d| d.format("%Y-%m-%d").to_string());
    }
}
