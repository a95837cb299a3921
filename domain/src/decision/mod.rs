//! The `Decision` aggregate: a motion tabled at a GCG meeting, the positions of the
//! voting seats, and its outcome.
//!
//! State machine: `Proposed → Adopted | Rejected | Deferred | Withdrawn`, `Deferred →
//! Proposed` (re-tabled at a later meeting), `Adopted → Superseded | Rescinded` (only by a
//! later adopted decision). An adopted decision's text, positions and tally never change:
//! every command that would edit it is refused. Adoption needs the meeting in session
//! with a quorum declared and met, and the method's threshold under the policy in force;
//! the edge supplies those facts as [`MeetingFacts`] and the policy. Positions come only
//! from voting seats filled and present at the meeting ([`SeatFacts`]).
//!
//! A proposal may carry an [`DecisionEffect`]: the concrete change the decision authorises
//! (e.g. electing Chile as Chair for 2023–2026). Once adopted, the server's decision-effects
//! process manager issues that command to its target with the decision as authority and
//! records the outcome here (`DecisionEffectApplied` or `DecisionEffectFailed`). Adopted
//! decisions also carry action items with owners and due dates.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::authority::is_sha256_hex;
use crate::body::Office;
use crate::group::GroupKind;
use crate::meeting::{MeetingKind, MeetingStatus, QuorumSnapshot};
use crate::policy::{DecisionMethod, GovernancePolicy};

/// What a decision is about: a closed list, so that a later command needing a decision's
/// authority can check the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DecisionSubject {
    GrantPathfinderStatus {
        iso3: String,
    },
    /// Mark an active Pathfinder Country inactive (e.g. after a status review).
    MarkPathfinderInactive {
        iso3: String,
    },
    /// Reactivate an inactive Pathfinder Country.
    ReactivatePathfinder {
        iso3: String,
    },
    /// Revoke a country's Pathfinder status.
    RevokePathfinderStatus {
        iso3: String,
    },
    /// Waive a country's report for a reporting cycle.
    WaiveReport {
        iso3: String,
        cycle_id: String,
    },
    EndorseRoadmap {
        roadmap_id: String,
    },
    ApproveReport {
        report_id: String,
    },
    /// `office` is `chair` or `deputy_chair`.
    ElectOfficeHolder {
        office: String,
    },
    ExtendTerm {
        office: String,
    },
    AssignSeat {
        seat_id: String,
    },
    CreateActionGroup {
        name: String,
    },
    CreateWorkingGroup {
        name: String,
    },
    EndorsePartner {
        organisation: String,
    },
    ApproveBudgetReallocation {
        programme_id: String,
    },
    EstablishProgramme {
        programme_id: String,
    },
    AdoptPolicy {
        policy: String,
    },
    ApproveMinutes {
        meeting_id: String,
    },
    Procedural,
    Other {
        text: String,
    },
}

/// The concrete change an adopted decision authorises, applied to its target by the
/// decision-effects process manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DecisionEffect {
    ElectOfficeHolder { term_id: String, office: Office, holder: String, term_start: NaiveDate, term_end: NaiveDate },
    ExtendTerm { term_id: String, office: Office, new_end: NaiveDate },
    AssignSeat { seat_id: String, holder: String, from: NaiveDate },
    AdoptPolicy { policy: GovernancePolicy, effective_on: NaiveDate },
    EstablishGroup { group_id: String, kind: GroupKind, name: String, theme: Option<String>, established_on: NaiveDate },
    RelaunchGroup { group_id: String, relaunched_on: NaiveDate, supporters: Vec<String> },
    AdmitPartner { organisation: String, admitted_on: NaiveDate },
    ApproveMinutes { meeting_id: String, approved_on: NaiveDate },
}

impl DecisionEffect {
    /// Whether a decision about `subject` may authorise this effect.
    pub fn fits(&self, subject: &DecisionSubject) -> bool {
        use DecisionSubject as S;
        match (self, subject) {
            (DecisionEffect::ElectOfficeHolder { office, .. }, S::ElectOfficeHolder { office: o }) => {
                office.as_str() == o
            }
            (DecisionEffect::ExtendTerm { office, .. }, S::ExtendTerm { office: o }) => office.as_str() == o,
            (DecisionEffect::AssignSeat { seat_id, .. }, S::AssignSeat { seat_id: s }) => seat_id == s,
            (DecisionEffect::AdoptPolicy { policy, .. }, S::AdoptPolicy { policy: v }) => policy.version == *v,
            (DecisionEffect::EstablishGroup { kind: GroupKind::ActionGroup, .. }, S::CreateActionGroup { .. }) => true,
            (DecisionEffect::EstablishGroup { kind: GroupKind::WorkingGroup, .. }, S::CreateWorkingGroup { .. }) => {
                true
            }
            (DecisionEffect::RelaunchGroup { .. }, S::CreateActionGroup { .. } | S::CreateWorkingGroup { .. }) => true,
            (DecisionEffect::AdmitPartner { organisation, .. }, S::EndorsePartner { organisation: o }) => {
                organisation == o
            }
            (DecisionEffect::ApproveMinutes { meeting_id, .. }, S::ApproveMinutes { meeting_id: m }) => meeting_id == m,
            _ => false,
        }
    }
}

/// What the edge read about the seat stating a position, on the meeting date.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatFacts {
    /// The seat exists and has a holder on the meeting date.
    pub filled: bool,
    pub voting: bool,
    /// The seat's attendance counts (present or by proxy).
    pub present: bool,
}

impl SeatFacts {
    /// A filled voting seat that is present.
    pub const VOTING_PRESENT: SeatFacts = SeatFacts { filled: true, voting: true, present: true };
}

/// What happened when the process manager applied a decision's effect.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EffectOutcome {
    Applied { target_type: String, target_id: String, events: Vec<String> },
    Failed { rule: String, message: String },
}

/// A voting seat's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Position {
    For,
    Against,
    Abstain,
    Block,
}

/// The count of effective positions (the latest per seat).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    #[serde(rename = "for")]
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
    pub block: u32,
}

/// Facts about the decision's meeting, read by the edge from the meeting's state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingFacts {
    pub meeting_id: String,
    pub status: MeetingStatus,
    pub quorum: Option<QuorumSnapshot>,
    #[serde(default)]
    pub kind: Option<MeetingKind>,
}

/// Facts about the decision that supersedes this one, read by the edge.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupersedingFacts {
    pub decision_id: String,
    pub status: DecisionStatus,
    pub adopted_on: Option<NaiveDate>,
}

/// Where a decision is in its life.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    #[default]
    NotProposed,
    Proposed,
    Adopted,
    Rejected,
    Superseded,
    Deferred,
    Withdrawn,
    Rescinded,
}

/// Commands, carrying the facts and dates the edge supplies.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum DecisionCommand {
    Propose {
        decision_id: String,
        agenda_item: Option<String>,
        subject: DecisionSubject,
        text: String,
        meeting: MeetingFacts,
        /// What the decision authorises, applied once it is adopted.
        effect: Option<DecisionEffect>,
    },
    RecordPosition {
        seat_id: String,
        position: Position,
        reason: Option<String>,
        meeting: MeetingFacts,
        seat: SeatFacts,
    },
    Adopt {
        effective_on: NaiveDate,
        meeting: MeetingFacts,
        policy: GovernancePolicy,
    },
    Reject {
        meeting: MeetingFacts,
        reason: Option<String>,
    },
    Supersede {
        by: SupersedingFacts,
    },
    Defer {
        meeting: MeetingFacts,
        reason: String,
        /// The meeting it is deferred to, if known.
        to_meeting: Option<String>,
    },
    /// Tables a deferred decision again, at another (or the same) meeting.
    Retable {
        meeting: MeetingFacts,
    },
    Withdraw {
        withdrawn_on: NaiveDate,
        reason: String,
    },
    Rescind {
        by: SupersedingFacts,
        reason: String,
    },
    AssignActionItem {
        item_id: String,
        text: String,
        /// The organisation responsible.
        owner: String,
        due_on: NaiveDate,
    },
    CompleteActionItem {
        item_id: String,
        completed_on: NaiveDate,
        evidence_sha256: Option<String>,
    },
    /// Recorded by the decision-effects process manager only.
    RecordEffect {
        outcome: EffectOutcome,
    },
}

impl DecisionCommand {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            DecisionCommand::Propose { .. } => "propose",
            DecisionCommand::RecordPosition { .. } => "record_position",
            DecisionCommand::Adopt { .. } => "adopt",
            DecisionCommand::Reject { .. } => "reject",
            DecisionCommand::Supersede { .. } => "supersede",
            DecisionCommand::Defer { .. } => "defer",
            DecisionCommand::Retable { .. } => "retable",
            DecisionCommand::Withdraw { .. } => "withdraw",
            DecisionCommand::Rescind { .. } => "rescind",
            DecisionCommand::AssignActionItem { .. } => "assign_action_item",
            DecisionCommand::CompleteActionItem { .. } => "complete_action_item",
            DecisionCommand::RecordEffect { .. } => "record_effect",
        }
    }
}

/// Events of a decision, in the past tense.
// An adopted policy version travels in the proposal (its effect); events are short-lived
// values on their way to storage, so the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionEvent {
    DecisionProposed {
        decision_id: String,
        meeting_id: String,
        agenda_item: Option<String>,
        subject: DecisionSubject,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        effect: Option<DecisionEffect>,
    },
    PositionRecorded {
        seat_id: String,
        position: Position,
        reason: Option<String>,
        /// The position this one replaces, if the seat had stated one (both stay in history).
        supersedes: Option<Position>,
    },
    DecisionAdopted {
        method: DecisionMethod,
        tally: Tally,
        quorum_snapshot: QuorumSnapshot,
        policy_version: String,
        effective_on: NaiveDate,
    },
    DecisionRejected {
        tally: Tally,
        reason: Option<String>,
    },
    DecisionSuperseded {
        by_decision_id: String,
    },
    DecisionDeferred {
        reason: String,
        to_meeting: Option<String>,
    },
    DecisionRetabled {
        meeting_id: String,
    },
    DecisionWithdrawn {
        withdrawn_on: NaiveDate,
        reason: String,
    },
    DecisionRescinded {
        by_decision_id: String,
        reason: String,
    },
    ActionItemAssigned {
        item_id: String,
        text: String,
        owner: String,
        due_on: NaiveDate,
    },
    ActionItemCompleted {
        item_id: String,
        completed_on: NaiveDate,
        evidence_sha256: Option<String>,
    },
    DecisionEffectApplied {
        target_type: String,
        target_id: String,
        /// The event types the effect recorded on its target.
        events: Vec<String>,
    },
    DecisionEffectFailed {
        rule: String,
        message: String,
    },
}

impl DomainEvent for DecisionEvent {
    fn event_type(&self) -> String {
        match self {
            DecisionEvent::DecisionProposed { .. } => "DecisionProposed",
            DecisionEvent::PositionRecorded { .. } => "PositionRecorded",
            DecisionEvent::DecisionAdopted { .. } => "DecisionAdopted",
            DecisionEvent::DecisionRejected { .. } => "DecisionRejected",
            DecisionEvent::DecisionSuperseded { .. } => "DecisionSuperseded",
            DecisionEvent::DecisionDeferred { .. } => "DecisionDeferred",
            DecisionEvent::DecisionRetabled { .. } => "DecisionRetabled",
            DecisionEvent::DecisionWithdrawn { .. } => "DecisionWithdrawn",
            DecisionEvent::DecisionRescinded { .. } => "DecisionRescinded",
            DecisionEvent::ActionItemAssigned { .. } => "ActionItemAssigned",
            DecisionEvent::ActionItemCompleted { .. } => "ActionItemCompleted",
            DecisionEvent::DecisionEffectApplied { .. } => "DecisionEffectApplied",
            DecisionEvent::DecisionEffectFailed { .. } => "DecisionEffectFailed",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a decision command was refused; [`DecisionError::rule`] is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("decision is already proposed")]
    AlreadyProposed,
    #[error("decision id must not be empty")]
    EmptyId,
    #[error("decision text must not be empty")]
    EmptyText,
    #[error("decision has not been proposed")]
    NotProposed,
    #[error("facts given are for another meeting")]
    WrongMeeting,
    #[error("meeting is closed")]
    MeetingClosed,
    #[error("meeting is not in session")]
    MeetingNotInSession,
    #[error("no quorum has been declared")]
    QuorumNotDeclared,
    #[error("quorum was not met: {present} voting seats present of {filled} filled, {required} required")]
    QuorumNotMet { present: u32, filled: u32, required: u32 },
    #[error("a voting seat blocks consensus")]
    ConsensusBlocked,
    #[error("the required majority was not reached")]
    MajorityNotReached,
    #[error("decision is already adopted and cannot be edited")]
    AlreadyAdopted,
    #[error("decision is already rejected")]
    AlreadyRejected,
    #[error("decision is already superseded")]
    AlreadySuperseded,
    #[error("only an adopted decision can be superseded")]
    NotAdopted,
    #[error("a decision cannot supersede itself")]
    SelfSupersede,
    #[error("the superseding decision is not adopted")]
    SupersederNotAdopted,
    #[error("the superseding decision was not adopted later")]
    SupersederNotLater,
    #[error("seat id must not be empty")]
    EmptySeat,
    #[error("the effect is not something a decision of this subject can authorise")]
    EffectSubjectMismatch,
    #[error("the seat has no holder on the meeting date")]
    SeatNotFilled,
    #[error("the seat does not vote")]
    SeatNotVoting,
    #[error("the seat is not present at the meeting")]
    SeatNotPresent,
    #[error("the policy in force does not allow decisions by written procedure")]
    WrittenProcedureNotAllowed,
    #[error("decision is already deferred")]
    AlreadyDeferred,
    #[error("decision is withdrawn")]
    AlreadyWithdrawn,
    #[error("decision is rescinded")]
    AlreadyRescinded,
    #[error("only a deferred decision can be tabled again")]
    NotDeferred,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("action item {0} already exists")]
    ActionItemExists(String),
    #[error("no action item {0}")]
    ActionItemUnknown(String),
    #[error("action item {0} is already completed")]
    ActionItemCompleted(String),
    #[error("evidence_sha256 must be 64 lowercase hex digits")]
    EvidenceHashInvalid,
    #[error("the decision has no effect waiting to be applied")]
    EffectNotPending,
}

impl DecisionError {
    /// The stable, machine-readable name of the rule that refused the command.
    pub fn rule(&self) -> &'static str {
        match self {
            DecisionError::AlreadyProposed => "decision_already_proposed",
            DecisionError::EmptyId => "decision_id_empty",
            DecisionError::EmptyText => "decision_text_empty",
            DecisionError::NotProposed => "decision_not_proposed",
            DecisionError::WrongMeeting => "decision_wrong_meeting",
            DecisionError::MeetingClosed => "meeting_closed",
            DecisionError::MeetingNotInSession => "meeting_not_in_session",
            DecisionError::QuorumNotDeclared => "quorum_not_declared",
            DecisionError::QuorumNotMet { .. } => "quorum_not_met",
            DecisionError::ConsensusBlocked => "consensus_blocked",
            DecisionError::MajorityNotReached => "majority_not_reached",
            DecisionError::AlreadyAdopted => "decision_already_adopted",
            DecisionError::AlreadyRejected => "decision_already_rejected",
            DecisionError::AlreadySuperseded => "decision_already_superseded",
            DecisionError::NotAdopted => "decision_not_adopted",
            DecisionError::SelfSupersede => "decision_supersedes_itself",
            DecisionError::SupersederNotAdopted => "superseding_decision_not_adopted",
            DecisionError::SupersederNotLater => "superseding_decision_not_later",
            DecisionError::EmptySeat => "seat_id_empty",
            DecisionError::EffectSubjectMismatch => "effect_subject_mismatch",
            DecisionError::SeatNotFilled => "seat_not_filled",
            DecisionError::SeatNotVoting => "seat_not_voting",
            DecisionError::SeatNotPresent => "seat_not_present",
            DecisionError::WrittenProcedureNotAllowed => "written_procedure_not_allowed",
            DecisionError::AlreadyDeferred => "decision_already_deferred",
            DecisionError::AlreadyWithdrawn => "decision_withdrawn",
            DecisionError::AlreadyRescinded => "decision_rescinded",
            DecisionError::NotDeferred => "decision_not_deferred",
            DecisionError::Empty(_) => "field_empty",
            DecisionError::ActionItemExists(_) => "action_item_exists",
            DecisionError::ActionItemUnknown(_) => "action_item_unknown",
            DecisionError::ActionItemCompleted(_) => "action_item_already_completed",
            DecisionError::EvidenceHashInvalid => "evidence_hash_invalid",
            DecisionError::EffectNotPending => "effect_not_pending",
        }
    }
}

/// The state a decision's events fold into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub decision_id: String,
    pub meeting_id: String,
    pub status: DecisionStatus,
    /// Effective position per seat, in the order seats first stated one.
    pub positions: Vec<(String, Position)>,
    pub adopted_on: Option<NaiveDate>,
    pub subject: Option<DecisionSubject>,
    pub effect: Option<DecisionEffect>,
    /// Whether the effect's outcome (applied or failed) has been recorded.
    pub effect_recorded: bool,
    /// Action items and whether each is completed.
    pub action_items: Vec<(String, bool)>,
}

impl Decision {
    /// The count of effective positions.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for (_, position) in &self.positions {
            match position {
                Position::For => tally.for_ += 1,
                Position::Against => tally.against += 1,
                Position::Abstain => tally.abstain += 1,
                Position::Block => tally.block += 1,
            }
        }
        tally
    }

    /// Refuses anything but an open proposal.
    fn require_open(&self) -> Result<(), DecisionError> {
        match self.status {
            DecisionStatus::NotProposed => Err(DecisionError::NotProposed),
            DecisionStatus::Proposed => Ok(()),
            DecisionStatus::Adopted => Err(DecisionError::AlreadyAdopted),
            DecisionStatus::Rejected => Err(DecisionError::AlreadyRejected),
            DecisionStatus::Superseded => Err(DecisionError::AlreadySuperseded),
            DecisionStatus::Deferred => Err(DecisionError::AlreadyDeferred),
            DecisionStatus::Withdrawn => Err(DecisionError::AlreadyWithdrawn),
            DecisionStatus::Rescinded => Err(DecisionError::AlreadyRescinded),
        }
    }

    /// Refuses anything but an adopted decision still in force.
    fn require_adopted(&self) -> Result<(), DecisionError> {
        match self.status {
            DecisionStatus::Adopted => Ok(()),
            DecisionStatus::NotProposed => Err(DecisionError::NotProposed),
            DecisionStatus::Superseded => Err(DecisionError::AlreadySuperseded),
            DecisionStatus::Rescinded => Err(DecisionError::AlreadyRescinded),
            _ => Err(DecisionError::NotAdopted),
        }
    }

    /// The checks shared by superseding and rescinding: this decision is adopted, and the
    /// other one is a different decision adopted no earlier.
    fn check_replacement(&self, by: &SupersedingFacts) -> Result<(), DecisionError> {
        match self.status {
            DecisionStatus::Adopted => {}
            DecisionStatus::Superseded => return Err(DecisionError::AlreadySuperseded),
            DecisionStatus::Rescinded => return Err(DecisionError::AlreadyRescinded),
            DecisionStatus::NotProposed => return Err(DecisionError::NotProposed),
            _ => return Err(DecisionError::NotAdopted),
        }
        if by.decision_id == self.decision_id {
            return Err(DecisionError::SelfSupersede);
        }
        let by_adopted_on = match (by.status, by.adopted_on) {
            (DecisionStatus::Adopted, Some(on)) => on,
            _ => return Err(DecisionError::SupersederNotAdopted),
        };
        if self.adopted_on.is_some_and(|mine| by_adopted_on < mine) {
            return Err(DecisionError::SupersederNotLater);
        }
        Ok(())
    }

    /// Refuses facts about another meeting, or a meeting that is not in session.
    fn require_in_session(&self, meeting: &MeetingFacts) -> Result<(), DecisionError> {
        if meeting.meeting_id != self.meeting_id {
            return Err(DecisionError::WrongMeeting);
        }
        match meeting.status {
            MeetingStatus::InSession => Ok(()),
            MeetingStatus::Closed | MeetingStatus::Cancelled => Err(DecisionError::MeetingClosed),
            MeetingStatus::NotScheduled | MeetingStatus::Scheduled | MeetingStatus::Adjourned => {
                Err(DecisionError::MeetingNotInSession)
            }
        }
    }
}

/// Checks a command against the state and returns the events it produces.
pub fn decide(state: &Decision, command: DecisionCommand) -> Result<Vec<DecisionEvent>, DecisionError> {
    match command {
        DecisionCommand::Propose { decision_id, agenda_item, subject, text, meeting, effect } => {
            if state.status != DecisionStatus::NotProposed {
                return Err(DecisionError::AlreadyProposed);
            }
            if decision_id.trim().is_empty() {
                return Err(DecisionError::EmptyId);
            }
            if text.trim().is_empty() {
                return Err(DecisionError::EmptyText);
            }
            match meeting.status {
                MeetingStatus::Closed | MeetingStatus::Cancelled => return Err(DecisionError::MeetingClosed),
                MeetingStatus::NotScheduled => return Err(DecisionError::MeetingNotInSession),
                MeetingStatus::Scheduled | MeetingStatus::InSession | MeetingStatus::Adjourned => {}
            }
            if effect.as_ref().is_some_and(|e| !e.fits(&subject)) {
                return Err(DecisionError::EffectSubjectMismatch);
            }
            Ok(vec![DecisionEvent::DecisionProposed {
                decision_id,
                meeting_id: meeting.meeting_id,
                agenda_item,
                subject,
                text,
                effect,
            }])
        }
        DecisionCommand::RecordPosition { seat_id, position, reason, meeting, seat } => {
            state.require_open()?;
            state.require_in_session(&meeting)?;
            if seat_id.trim().is_empty() {
                return Err(DecisionError::EmptySeat);
            }
            if !seat.filled {
                return Err(DecisionError::SeatNotFilled);
            }
            if !seat.voting {
                return Err(DecisionError::SeatNotVoting);
            }
            if !seat.present {
                return Err(DecisionError::SeatNotPresent);
            }
            let supersedes = state.positions.iter().find(|(s, _)| *s == seat_id).map(|(_, p)| *p);
            Ok(vec![DecisionEvent::PositionRecorded { seat_id, position, reason, supersedes }])
        }
        DecisionCommand::Adopt { effective_on, meeting, policy } => {
            state.require_open()?;
            state.require_in_session(&meeting)?;
            let quorum = meeting.quorum.ok_or(DecisionError::QuorumNotDeclared)?;
            if !quorum.met {
                return Err(DecisionError::QuorumNotMet {
                    present: quorum.voting_seats_present,
                    filled: quorum.voting_seats_filled,
                    required: quorum.required,
                });
            }
            if meeting.kind == Some(MeetingKind::Intersessional) && !policy.written_procedure_allowed {
                return Err(DecisionError::WrittenProcedureNotAllowed);
            }
            let tally = state.tally();
            match policy.method {
                DecisionMethod::Consensus if tally.block > 0 => return Err(DecisionError::ConsensusBlocked),
                DecisionMethod::Consensus => {}
                DecisionMethod::SimpleMajority if tally.for_ <= tally.against => {
                    return Err(DecisionError::MajorityNotReached)
                }
                DecisionMethod::SimpleMajority => {}
                DecisionMethod::QualifiedMajority { percent } => {
                    let voted = u64::from(tally.for_) + u64::from(tally.against);
                    if voted == 0 || u64::from(tally.for_) * 100 < u64::from(percent) * voted {
                        return Err(DecisionError::MajorityNotReached);
                    }
                }
            }
            Ok(vec![DecisionEvent::DecisionAdopted {
                method: policy.method,
                tally,
                quorum_snapshot: quorum,
                policy_version: policy.version,
                effective_on,
            }])
        }
        DecisionCommand::Reject { meeting, reason } => {
            state.require_open()?;
            state.require_in_session(&meeting)?;
            Ok(vec![DecisionEvent::DecisionRejected { tally: state.tally(), reason }])
        }
        DecisionCommand::Supersede { by } => {
            state.check_replacement(&by)?;
            Ok(vec![DecisionEvent::DecisionSuperseded { by_decision_id: by.decision_id }])
        }
        DecisionCommand::Rescind { by, reason } => {
            state.check_replacement(&by)?;
            if reason.trim().is_empty() {
                return Err(DecisionError::Empty("reason"));
            }
            Ok(vec![DecisionEvent::DecisionRescinded { by_decision_id: by.decision_id, reason }])
        }
        DecisionCommand::Defer { meeting, reason, to_meeting } => {
            state.require_open()?;
            state.require_in_session(&meeting)?;
            if reason.trim().is_empty() {
                return Err(DecisionError::Empty("reason"));
            }
            Ok(vec![DecisionEvent::DecisionDeferred { reason, to_meeting }])
        }
        DecisionCommand::Retable { meeting } => {
            if state.status != DecisionStatus::Deferred {
                return Err(DecisionError::NotDeferred);
            }
            match meeting.status {
                MeetingStatus::Closed | MeetingStatus::Cancelled => return Err(DecisionError::MeetingClosed),
                MeetingStatus::NotScheduled => return Err(DecisionError::MeetingNotInSession),
                MeetingStatus::Scheduled | MeetingStatus::InSession | MeetingStatus::Adjourned => {}
            }
            Ok(vec![DecisionEvent::DecisionRetabled { meeting_id: meeting.meeting_id }])
        }
        DecisionCommand::Withdraw { withdrawn_on, reason } => {
            match state.status {
                DecisionStatus::Proposed | DecisionStatus::Deferred => {}
                _ => state.require_open()?,
            }
            if reason.trim().is_empty() {
                return Err(DecisionError::Empty("reason"));
            }
            Ok(vec![DecisionEvent::DecisionWithdrawn { withdrawn_on, reason }])
        }
        DecisionCommand::AssignActionItem { item_id, text, owner, due_on } => {
            state.require_adopted()?;
            if item_id.trim().is_empty() || text.trim().is_empty() || owner.trim().is_empty() {
                return Err(DecisionError::Empty("item_id, text and owner"));
            }
            if state.action_items.iter().any(|(i, _)| *i == item_id) {
                return Err(DecisionError::ActionItemExists(item_id));
            }
            Ok(vec![DecisionEvent::ActionItemAssigned { item_id, text, owner, due_on }])
        }
        DecisionCommand::CompleteActionItem { item_id, completed_on, evidence_sha256 } => {
            let (_, done) = state
                .action_items
                .iter()
                .find(|(i, _)| *i == item_id)
                .ok_or_else(|| DecisionError::ActionItemUnknown(item_id.clone()))?;
            if *done {
                return Err(DecisionError::ActionItemCompleted(item_id));
            }
            if evidence_sha256.as_deref().is_some_and(|h| !is_sha256_hex(h)) {
                return Err(DecisionError::EvidenceHashInvalid);
            }
            Ok(vec![DecisionEvent::ActionItemCompleted { item_id, completed_on, evidence_sha256 }])
        }
        DecisionCommand::RecordEffect { outcome } => {
            if state.status == DecisionStatus::NotProposed {
                return Err(DecisionError::NotProposed);
            }
            if state.adopted_on.is_none() || state.effect.is_none() || state.effect_recorded {
                return Err(DecisionError::EffectNotPending);
            }
            Ok(vec![match outcome {
                EffectOutcome::Applied { target_type, target_id, events } => {
                    DecisionEvent::DecisionEffectApplied { target_type, target_id, events }
                }
                EffectOutcome::Failed { rule, message } => DecisionEvent::DecisionEffectFailed { rule, message },
            }])
        }
    }
}

/// Applies an event to the state. No rules here: events are facts.
pub fn evolve(state: &mut Decision, event: DecisionEvent) {
    match event {
        DecisionEvent::DecisionProposed { decision_id, meeting_id, subject, effect, .. } => {
            state.decision_id = decision_id;
            state.meeting_id = meeting_id;
            state.subject = Some(subject);
            state.effect = effect;
            state.status = DecisionStatus::Proposed;
        }
        DecisionEvent::PositionRecorded { seat_id, position, .. } => {
            match state.positions.iter_mut().find(|(s, _)| *s == seat_id) {
                Some(entry) => entry.1 = position,
                None => state.positions.push((seat_id, position)),
            }
        }
        DecisionEvent::DecisionAdopted { effective_on, .. } => {
            state.status = DecisionStatus::Adopted;
            state.adopted_on = Some(effective_on);
        }
        DecisionEvent::DecisionRejected { .. } => state.status = DecisionStatus::Rejected,
        DecisionEvent::DecisionSuperseded { .. } => state.status = DecisionStatus::Superseded,
        DecisionEvent::DecisionDeferred { .. } => state.status = DecisionStatus::Deferred,
        DecisionEvent::DecisionRetabled { meeting_id } => {
            // Positions are stated at a meeting: those of the earlier meeting stay in the
            // history but do not count at the new one.
            state.meeting_id = meeting_id;
            state.positions.clear();
            state.status = DecisionStatus::Proposed;
        }
        DecisionEvent::DecisionWithdrawn { .. } => state.status = DecisionStatus::Withdrawn,
        DecisionEvent::DecisionRescinded { .. } => state.status = DecisionStatus::Rescinded,
        DecisionEvent::ActionItemAssigned { item_id, .. } => state.action_items.push((item_id, false)),
        DecisionEvent::ActionItemCompleted { item_id, .. } => {
            if let Some(item) = state.action_items.iter_mut().find(|(i, _)| *i == item_id) {
                item.1 = true;
            }
        }
        DecisionEvent::DecisionEffectApplied { .. } | DecisionEvent::DecisionEffectFailed { .. } => {
            state.effect_recorded = true
        }
    }
}

impl Aggregate for Decision {
    const TYPE: &'static str = "decision";
    type Command = DecisionCommand;
    type Event = DecisionEvent;
    type Error = DecisionError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in decide(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        evolve(self, event);
    }
}

#[cfg(test)]
mod tests;

crate::dated_command!(DecisionCommand, |command| match command {
    // Taken at a meeting, or dated by the decision that supersedes or rescinds it.
    DecisionCommand::Propose { .. }
    | DecisionCommand::RecordPosition { .. }
    | DecisionCommand::Reject { .. }
    | DecisionCommand::Defer { .. }
    | DecisionCommand::Retable { .. }
    | DecisionCommand::Supersede { .. }
    | DecisionCommand::Rescind { .. } => FromFacts,
    DecisionCommand::Adopt { effective_on, .. } => Occurred(*effective_on),
    DecisionCommand::Withdraw { withdrawn_on, .. } => Occurred(*withdrawn_on),
    DecisionCommand::AssignActionItem { .. } | DecisionCommand::RecordEffect { .. } => Undated,
    DecisionCommand::CompleteActionItem { completed_on, .. } => Occurred(*completed_on),
});
