//! The `Decision` aggregate: a motion tabled at a GCG meeting, the positions of the
//! voting seats, and its outcome.
//!
//! State machine: `Proposed → Adopted | Rejected`, `Adopted → Superseded` (only by a
//! later adopted decision). An adopted decision's text, positions and tally never change:
//! every command that would edit it is refused. Adoption needs the meeting in session
//! with a quorum declared and met; the edge supplies those facts as [`MeetingFacts`].

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::meeting::{MeetingStatus, QuorumSnapshot};
use crate::policy::{DecisionMethod, GovernancePolicy};

/// What a decision is about: a closed list, so that a later command needing a decision's
/// authority can check the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionSubject {
    GrantPathfinderStatus { iso3: String },
    EndorseRoadmap { roadmap_id: String },
    ApproveReport { report_id: String },
    ElectOfficeHolder { office: String },
    AssignSeat { seat_id: String },
    CreateActionGroup { name: String },
    CreateWorkingGroup { name: String },
    EndorsePartner { organisation: String },
    ApproveBudgetReallocation { programme_id: String },
    EstablishProgramme { programme_id: String },
    AdoptPolicy { policy: String },
    ApproveMinutes { meeting_id: String },
    Procedural,
    Other { text: String },
}

/// A voting seat's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingFacts {
    pub meeting_id: String,
    pub status: MeetingStatus,
    pub quorum: Option<QuorumSnapshot>,
}

/// Facts about the decision that supersedes this one, read by the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupersedingFacts {
    pub decision_id: String,
    pub status: DecisionStatus,
    pub adopted_on: Option<NaiveDate>,
}

/// Where a decision is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    #[default]
    NotProposed,
    Proposed,
    Adopted,
    Rejected,
    Superseded,
}

/// Commands, carrying the facts and dates the edge supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum DecisionCommand {
    Propose {
        decision_id: String,
        agenda_item: Option<String>,
        subject: DecisionSubject,
        text: String,
        meeting: MeetingFacts,
    },
    RecordPosition {
        seat_id: String,
        position: Position,
        reason: Option<String>,
        meeting: MeetingFacts,
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
        }
    }
}

/// Events of a decision, in the past tense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionEvent {
    DecisionProposed {
        decision_id: String,
        meeting_id: String,
        agenda_item: Option<String>,
        subject: DecisionSubject,
        text: String,
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
}

impl DomainEvent for DecisionEvent {
    fn event_type(&self) -> String {
        match self {
            DecisionEvent::DecisionProposed { .. } => "DecisionProposed",
            DecisionEvent::PositionRecorded { .. } => "PositionRecorded",
            DecisionEvent::DecisionAdopted { .. } => "DecisionAdopted",
            DecisionEvent::DecisionRejected { .. } => "DecisionRejected",
            DecisionEvent::DecisionSuperseded { .. } => "DecisionSuperseded",
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
    #[error("quorum was not met")]
    QuorumNotMet,
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
            DecisionError::QuorumNotMet => "quorum_not_met",
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
        }
    }

    /// Refuses facts about another meeting, or a meeting that is not in session.
    fn require_in_session(&self, meeting: &MeetingFacts) -> Result<(), DecisionError> {
        if meeting.meeting_id != self.meeting_id {
            return Err(DecisionError::WrongMeeting);
        }
        match meeting.status {
            MeetingStatus::InSession => Ok(()),
            MeetingStatus::Closed => Err(DecisionError::MeetingClosed),
            MeetingStatus::NotScheduled | MeetingStatus::Scheduled => Err(DecisionError::MeetingNotInSession),
        }
    }
}

/// Checks a command against the state and returns the events it produces.
pub fn decide(state: &Decision, command: DecisionCommand) -> Result<Vec<DecisionEvent>, DecisionError> {
    match command {
        DecisionCommand::Propose { decision_id, agenda_item, subject, text, meeting } => {
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
                MeetingStatus::Closed => return Err(DecisionError::MeetingClosed),
                MeetingStatus::NotScheduled => return Err(DecisionError::MeetingNotInSession),
                MeetingStatus::Scheduled | MeetingStatus::InSession => {}
            }
            Ok(vec![DecisionEvent::DecisionProposed {
                decision_id,
                meeting_id: meeting.meeting_id,
                agenda_item,
                subject,
                text,
            }])
        }
        DecisionCommand::RecordPosition { seat_id, position, reason, meeting } => {
            state.require_open()?;
            state.require_in_session(&meeting)?;
            if seat_id.trim().is_empty() {
                return Err(DecisionError::EmptySeat);
            }
            let supersedes = state.positions.iter().find(|(s, _)| *s == seat_id).map(|(_, p)| *p);
            Ok(vec![DecisionEvent::PositionRecorded { seat_id, position, reason, supersedes }])
        }
        DecisionCommand::Adopt { effective_on, meeting, policy } => {
            state.require_open()?;
            state.require_in_session(&meeting)?;
            let quorum = meeting.quorum.ok_or(DecisionError::QuorumNotDeclared)?;
            if !quorum.met {
                return Err(DecisionError::QuorumNotMet);
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
            match state.status {
                DecisionStatus::Adopted => {}
                DecisionStatus::Superseded => return Err(DecisionError::AlreadySuperseded),
                DecisionStatus::NotProposed => return Err(DecisionError::NotProposed),
                DecisionStatus::Proposed | DecisionStatus::Rejected => return Err(DecisionError::NotAdopted),
            }
            if by.decision_id == state.decision_id {
                return Err(DecisionError::SelfSupersede);
            }
            let by_adopted_on = match (by.status, by.adopted_on) {
                (DecisionStatus::Adopted, Some(on)) => on,
                _ => return Err(DecisionError::SupersederNotAdopted),
            };
            if state.adopted_on.is_some_and(|mine| by_adopted_on < mine) {
                return Err(DecisionError::SupersederNotLater);
            }
            Ok(vec![DecisionEvent::DecisionSuperseded { by_decision_id: by.decision_id }])
        }
    }
}

/// Applies an event to the state. No rules here: events are facts.
pub fn evolve(state: &mut Decision, event: DecisionEvent) {
    match event {
        DecisionEvent::DecisionProposed { decision_id, meeting_id, .. } => {
            state.decision_id = decision_id;
            state.meeting_id = meeting_id;
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
