//! The `Meeting` aggregate: a GCG meeting from scheduling to closing.
//!
//! State machine: `Scheduled → InSession → Closed`. Attendance may be recorded while
//! scheduled or in session; quorum is declared in session from the attendance recorded
//! and the number of voting seats filled (a fact the edge supplies), under a versioned
//! [`GovernancePolicy`].

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::policy::GovernancePolicy;

/// What kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    Regular,
    ExtraOrdinary,
    StrategicWorkshop,
    Intersessional,
}

/// How the meeting is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    InPerson,
    Virtual,
    Hybrid,
}

/// How a participant attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttendanceStatus {
    Present,
    Apologies,
    Absent,
    Observer,
    /// Represented by another seat's holder.
    Proxy {
        held_by_seat: String,
    },
}

impl AttendanceStatus {
    /// Whether this attendance counts towards quorum (if the seat votes).
    pub fn counts_for_quorum(&self) -> bool {
        matches!(self, AttendanceStatus::Present | AttendanceStatus::Proxy { .. })
    }
}

/// Where the meeting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    #[default]
    NotScheduled,
    Scheduled,
    InSession,
    Closed,
}

/// One attendance line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub seat_id: Option<String>,
    pub organisation: String,
    pub status: AttendanceStatus,
    pub voting: bool,
}

/// The quorum as declared: what a decision taken at the meeting was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumSnapshot {
    pub voting_seats_filled: u32,
    pub voting_seats_present: u32,
    pub required: u32,
    pub met: bool,
    pub policy_version: String,
}

/// Commands, each carrying the facts and times the edge supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum MeetingCommand {
    Schedule {
        meeting_id: String,
        body_id: String,
        number: u32,
        kind: MeetingKind,
        date: NaiveDate,
        modality: Modality,
        location: Option<String>,
    },
    Open {
        opened_on: NaiveDate,
        chaired_by: Option<String>,
    },
    RecordAttendance(Attendance),
    DeclareQuorum {
        /// Voting seats filled on the meeting date (from the GCG composition).
        voting_seats_filled: u32,
        policy: GovernancePolicy,
    },
    Close {
        closed_on: NaiveDate,
        /// Decisions taken at the meeting (from the decision register).
        decisions: Vec<String>,
    },
}

impl MeetingCommand {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            MeetingCommand::Schedule { .. } => "schedule",
            MeetingCommand::Open { .. } => "open",
            MeetingCommand::RecordAttendance(_) => "record_attendance",
            MeetingCommand::DeclareQuorum { .. } => "declare_quorum",
            MeetingCommand::Close { .. } => "close",
        }
    }
}

/// Events of a meeting, in the past tense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeetingEvent {
    MeetingScheduled {
        meeting_id: String,
        body_id: String,
        number: u32,
        kind: MeetingKind,
        date: NaiveDate,
        modality: Modality,
        location: Option<String>,
    },
    MeetingOpened {
        opened_on: NaiveDate,
        chaired_by: Option<String>,
    },
    AttendanceRecorded(Attendance),
    QuorumDeclared(QuorumSnapshot),
    MeetingClosed {
        closed_on: NaiveDate,
        attendees_count: u32,
        organisations_present: Vec<String>,
        decisions: Vec<String>,
    },
}

impl DomainEvent for MeetingEvent {
    fn event_type(&self) -> String {
        match self {
            MeetingEvent::MeetingScheduled { .. } => "MeetingScheduled",
            MeetingEvent::MeetingOpened { .. } => "MeetingOpened",
            MeetingEvent::AttendanceRecorded(_) => "AttendanceRecorded",
            MeetingEvent::QuorumDeclared(_) => "QuorumDeclared",
            MeetingEvent::MeetingClosed { .. } => "MeetingClosed",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a meeting command was refused; [`MeetingError::rule`] is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("meeting is already scheduled")]
    AlreadyScheduled,
    #[error("meeting number must be at least 1")]
    InvalidNumber,
    #[error("meeting id must not be empty")]
    EmptyId,
    #[error("meeting has not been scheduled")]
    NotScheduled,
    #[error("meeting is already in session")]
    AlreadyInSession,
    #[error("meeting is closed")]
    Closed,
    #[error("meeting is not in session")]
    NotInSession,
    #[error("meeting cannot open before its scheduled date")]
    OpenedBeforeDate,
    #[error("attendance for this seat is already recorded")]
    AttendanceAlreadyRecorded,
    #[error("a proxy must be held by another seat")]
    InvalidProxy,
    #[error("no voting seat is filled")]
    NoVotingSeatsFilled,
    #[error("more voting seats present than filled")]
    PresentExceedsFilled,
    #[error("meeting cannot close before it opened")]
    ClosedBeforeOpened,
}

impl MeetingError {
    /// The stable, machine-readable name of the rule that refused the command.
    pub fn rule(&self) -> &'static str {
        match self {
            MeetingError::AlreadyScheduled => "meeting_already_scheduled",
            MeetingError::InvalidNumber => "meeting_number_invalid",
            MeetingError::EmptyId => "meeting_id_empty",
            MeetingError::NotScheduled => "meeting_not_scheduled",
            MeetingError::AlreadyInSession => "meeting_already_in_session",
            MeetingError::Closed => "meeting_closed",
            MeetingError::NotInSession => "meeting_not_in_session",
            MeetingError::OpenedBeforeDate => "meeting_opened_before_date",
            MeetingError::AttendanceAlreadyRecorded => "attendance_already_recorded",
            MeetingError::InvalidProxy => "proxy_invalid",
            MeetingError::NoVotingSeatsFilled => "no_voting_seats_filled",
            MeetingError::PresentExceedsFilled => "present_exceeds_filled",
            MeetingError::ClosedBeforeOpened => "meeting_closed_before_opened",
        }
    }
}

/// The state a meeting's events fold into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub meeting_id: String,
    pub number: u32,
    pub date: Option<NaiveDate>,
    pub opened_on: Option<NaiveDate>,
    pub status: MeetingStatus,
    pub attendance: Vec<Attendance>,
    pub quorum: Option<QuorumSnapshot>,
}

/// Checks a command against the state and returns the events it produces.
pub fn decide(state: &Meeting, command: MeetingCommand) -> Result<Vec<MeetingEvent>, MeetingError> {
    use MeetingStatus::*;
    match command {
        MeetingCommand::Schedule { meeting_id, body_id, number, kind, date, modality, location } => {
            if state.status != NotScheduled {
                return Err(MeetingError::AlreadyScheduled);
            }
            if meeting_id.trim().is_empty() {
                return Err(MeetingError::EmptyId);
            }
            if number == 0 {
                return Err(MeetingError::InvalidNumber);
            }
            Ok(vec![MeetingEvent::MeetingScheduled { meeting_id, body_id, number, kind, date, modality, location }])
        }
        MeetingCommand::Open { opened_on, chaired_by } => {
            match state.status {
                NotScheduled => return Err(MeetingError::NotScheduled),
                InSession => return Err(MeetingError::AlreadyInSession),
                Closed => return Err(MeetingError::Closed),
                Scheduled => {}
            }
            if state.date.is_some_and(|d| opened_on < d) {
                return Err(MeetingError::OpenedBeforeDate);
            }
            Ok(vec![MeetingEvent::MeetingOpened { opened_on, chaired_by }])
        }
        MeetingCommand::RecordAttendance(attendance) => {
            match state.status {
                NotScheduled => return Err(MeetingError::NotScheduled),
                Closed => return Err(MeetingError::Closed),
                Scheduled | InSession => {}
            }
            if let AttendanceStatus::Proxy { held_by_seat } = &attendance.status {
                if held_by_seat.is_empty() || attendance.seat_id.as_deref() == Some(held_by_seat.as_str()) {
                    return Err(MeetingError::InvalidProxy);
                }
            }
            let already = state.attendance.iter().any(|a| match (&a.seat_id, &attendance.seat_id) {
                (Some(a), Some(b)) => a == b,
                (None, None) => a.organisation == attendance.organisation,
                _ => false,
            });
            if already {
                return Err(MeetingError::AttendanceAlreadyRecorded);
            }
            Ok(vec![MeetingEvent::AttendanceRecorded(attendance)])
        }
        MeetingCommand::DeclareQuorum { voting_seats_filled, policy } => {
            match state.status {
                NotScheduled => return Err(MeetingError::NotScheduled),
                Closed => return Err(MeetingError::Closed),
                Scheduled => return Err(MeetingError::NotInSession),
                InSession => {}
            }
            if voting_seats_filled == 0 {
                return Err(MeetingError::NoVotingSeatsFilled);
            }
            let present = state.voting_seats_present();
            if present > voting_seats_filled {
                return Err(MeetingError::PresentExceedsFilled);
            }
            let required = policy.quorum.required(voting_seats_filled);
            Ok(vec![MeetingEvent::QuorumDeclared(QuorumSnapshot {
                voting_seats_filled,
                voting_seats_present: present,
                required,
                met: present >= required,
                policy_version: policy.version,
            })])
        }
        MeetingCommand::Close { closed_on, decisions } => {
            match state.status {
                NotScheduled => return Err(MeetingError::NotScheduled),
                Closed => return Err(MeetingError::Closed),
                Scheduled => return Err(MeetingError::NotInSession),
                InSession => {}
            }
            if state.opened_on.is_some_and(|o| closed_on < o) {
                return Err(MeetingError::ClosedBeforeOpened);
            }
            let present: Vec<&Attendance> = state.attendance.iter().filter(|a| a.status.counts_for_quorum()).collect();
            let mut organisations: Vec<String> = present.iter().map(|a| a.organisation.clone()).collect();
            organisations.sort();
            organisations.dedup();
            Ok(vec![MeetingEvent::MeetingClosed {
                closed_on,
                attendees_count: u32::try_from(present.len()).unwrap_or(u32::MAX),
                organisations_present: organisations,
                decisions,
            }])
        }
    }
}

/// Applies an event to the state. No rules here: events are facts.
pub fn evolve(state: &mut Meeting, event: MeetingEvent) {
    match event {
        MeetingEvent::MeetingScheduled { meeting_id, number, date, .. } => {
            state.meeting_id = meeting_id;
            state.number = number;
            state.date = Some(date);
            state.status = MeetingStatus::Scheduled;
        }
        MeetingEvent::MeetingOpened { opened_on, .. } => {
            state.opened_on = Some(opened_on);
            state.status = MeetingStatus::InSession;
        }
        MeetingEvent::AttendanceRecorded(attendance) => state.attendance.push(attendance),
        MeetingEvent::QuorumDeclared(snapshot) => state.quorum = Some(snapshot),
        MeetingEvent::MeetingClosed { .. } => state.status = MeetingStatus::Closed,
    }
}

impl Meeting {
    /// Voting seats whose attendance counts towards quorum.
    pub fn voting_seats_present(&self) -> u32 {
        let n = self.attendance.iter().filter(|a| a.voting && a.status.counts_for_quorum()).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

impl Aggregate for Meeting {
    const TYPE: &'static str = "meeting";
    type Command = MeetingCommand;
    type Event = MeetingEvent;
    type Error = MeetingError;
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
