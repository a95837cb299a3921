//! The `Meeting` aggregate: a GCG meeting from scheduling to its published report.
//!
//! State machine: `Scheduled (⇄ rescheduled) → InSession ⇄ Adjourned → Closed`, or
//! `Scheduled → Cancelled`. An agenda may be published (and republished) until the
//! meeting closes. Attendance may be recorded while scheduled or in session; quorum is
//! declared in session from the attendance recorded and the number of voting seats filled
//! on the meeting date (a fact the edge reads from the GCG composition), under the
//! versioned [`GovernancePolicy`] in force. After closing: minutes drafted (a new draft
//! gets a new version), circulated with a comment deadline, approved by a later decision
//! or by silence once the deadline has passed (if the policy allows it), then the report
//! is published.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::authority::{is_sha256_hex, require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;
use crate::policy::GovernancePolicy;

/// What kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MeetingKind {
    Regular,
    ExtraOrdinary,
    StrategicWorkshop,
    Intersessional,
}

/// How the meeting is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Modality {
    InPerson,
    Virtual,
    Hybrid,
}

/// How a participant attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MeetingStatus {
    #[default]
    NotScheduled,
    Scheduled,
    InSession,
    Adjourned,
    Closed,
    Cancelled,
}

/// What an agenda item is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgendaItemKind {
    Information,
    Discussion,
    Decision,
}

/// One numbered agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    /// e.g. `4.2`
    pub number: String,
    pub title: String,
    pub objective: Option<String>,
    pub kind: AgendaItemKind,
}

/// How minutes were approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MinutesApproval {
    /// By an adopted decision (subject `approve_minutes`) at a later meeting.
    Decision { decision_id: String },
    /// By silence: no objection by the comment deadline.
    Silence { comment_deadline: NaiveDate },
}

/// The minutes' progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minutes {
    pub version: u32,
    pub comment_deadline: Option<NaiveDate>,
    pub circulated_on: Option<NaiveDate>,
    pub approved: bool,
}

/// One attendance line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendance {
    pub seat_id: Option<String>,
    pub organisation: String,
    pub status: AttendanceStatus,
    pub voting: bool,
}

/// The quorum as declared: what a decision taken at the meeting was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuorumSnapshot {
    pub voting_seats_filled: u32,
    pub voting_seats_present: u32,
    pub required: u32,
    pub met: bool,
    pub policy_version: String,
}

/// Commands, each carrying the facts and times the edge supplies ("edge fact" fields are
/// never sent by a client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    Reschedule {
        new_date: NaiveDate,
        reason: String,
    },
    Cancel {
        cancelled_on: NaiveDate,
        reason: String,
    },
    PublishAgenda {
        items: Vec<AgendaItem>,
        published_on: NaiveDate,
    },
    Adjourn {
        adjourned_on: NaiveDate,
    },
    Resume {
        resumed_on: NaiveDate,
    },
    DraftMinutes {
        /// SHA-256 of the draft minutes.
        doc_sha256: String,
        drafted_on: NaiveDate,
    },
    CirculateMinutes {
        circulated_on: NaiveDate,
        comment_deadline: NaiveDate,
    },
    ApproveMinutes {
        approved_on: NaiveDate,
        /// Edge fact: the cited decision (subject `approve_minutes` for this meeting); without
        /// one, the minutes are approved by silence.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
        /// Edge fact: whether the policy in force allows approval by silence.
        #[serde(skip)]
        silence_allowed: bool,
    },
    PublishReport {
        /// SHA-256 of the published report.
        doc_sha256: String,
        url: Option<String>,
        published_on: NaiveDate,
    },
}

impl MeetingCommand {
    /// Whether the command can change what a decision command reads of its meeting (its
    /// status, date, session, attendance and quorum), or reads the meeting's decisions
    /// itself (closing lists those adopted). Such a command takes the meeting's lock in
    /// the pipeline, as every decision taken at the meeting does. Scheduling creates the
    /// meeting: a decision command that raced it found no meeting and was refused, which
    /// is what it would have been had it come first.
    pub fn changes_decision_facts(&self) -> bool {
        match self {
            MeetingCommand::Open { .. }
            | MeetingCommand::RecordAttendance(_)
            | MeetingCommand::DeclareQuorum { .. }
            | MeetingCommand::Close { .. }
            | MeetingCommand::Reschedule { .. }
            | MeetingCommand::Cancel { .. }
            | MeetingCommand::Adjourn { .. }
            | MeetingCommand::Resume { .. } => true,
            MeetingCommand::Schedule { .. }
            | MeetingCommand::PublishAgenda { .. }
            | MeetingCommand::DraftMinutes { .. }
            | MeetingCommand::CirculateMinutes { .. }
            | MeetingCommand::ApproveMinutes { .. }
            | MeetingCommand::PublishReport { .. } => false,
        }
    }

    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            MeetingCommand::Schedule { .. } => "schedule",
            MeetingCommand::Open { .. } => "open",
            MeetingCommand::RecordAttendance(_) => "record_attendance",
            MeetingCommand::DeclareQuorum { .. } => "declare_quorum",
            MeetingCommand::Close { .. } => "close",
            MeetingCommand::Reschedule { .. } => "reschedule",
            MeetingCommand::Cancel { .. } => "cancel",
            MeetingCommand::PublishAgenda { .. } => "publish_agenda",
            MeetingCommand::Adjourn { .. } => "adjourn",
            MeetingCommand::Resume { .. } => "resume",
            MeetingCommand::DraftMinutes { .. } => "draft_minutes",
            MeetingCommand::CirculateMinutes { .. } => "circulate_minutes",
            MeetingCommand::ApproveMinutes { .. } => "approve_minutes",
            MeetingCommand::PublishReport { .. } => "publish_report",
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
    MeetingRescheduled {
        old_date: NaiveDate,
        new_date: NaiveDate,
        reason: String,
    },
    MeetingCancelled {
        cancelled_on: NaiveDate,
        reason: String,
    },
    AgendaPublished {
        /// 1 for the first agenda, then one more for each amended agenda.
        version: u32,
        items: Vec<AgendaItem>,
        published_on: NaiveDate,
    },
    MeetingAdjourned {
        adjourned_on: NaiveDate,
    },
    MeetingResumed {
        resumed_on: NaiveDate,
    },
    MinutesDrafted {
        version: u32,
        doc_sha256: String,
        drafted_on: NaiveDate,
    },
    MinutesCirculated {
        version: u32,
        circulated_on: NaiveDate,
        comment_deadline: NaiveDate,
    },
    MinutesApproved {
        version: u32,
        approved_on: NaiveDate,
        by: MinutesApproval,
    },
    MeetingReportPublished {
        doc_sha256: String,
        url: Option<String>,
        published_on: NaiveDate,
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
            MeetingEvent::MeetingRescheduled { .. } => "MeetingRescheduled",
            MeetingEvent::MeetingCancelled { .. } => "MeetingCancelled",
            MeetingEvent::AgendaPublished { .. } => "AgendaPublished",
            MeetingEvent::MeetingAdjourned { .. } => "MeetingAdjourned",
            MeetingEvent::MeetingResumed { .. } => "MeetingResumed",
            MeetingEvent::MinutesDrafted { .. } => "MinutesDrafted",
            MeetingEvent::MinutesCirculated { .. } => "MinutesCirculated",
            MeetingEvent::MinutesApproved { .. } => "MinutesApproved",
            MeetingEvent::MeetingReportPublished { .. } => "MeetingReportPublished",
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
    #[error("meeting is cancelled")]
    Cancelled,
    #[error("only a scheduled meeting that has not opened can be rescheduled or cancelled")]
    AlreadyStarted,
    #[error("the new date is the current date")]
    SameDate,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("agenda item number {0} appears twice")]
    AgendaNumberDuplicate(String),
    #[error("meeting is not adjourned")]
    NotAdjourned,
    #[error("the meeting has not closed")]
    NotClosed,
    #[error("doc_sha256 must be 64 lowercase hex digits")]
    DocumentHashInvalid,
    #[error("the minutes are already approved")]
    MinutesAlreadyApproved,
    #[error("no minutes have been drafted")]
    MinutesNotDrafted,
    #[error("the minutes have not been circulated")]
    MinutesNotCirculated,
    #[error("the comment deadline must be after circulation")]
    CommentDeadlineInvalid,
    #[error("the comment deadline ({0}) has not passed: minutes cannot be approved by silence yet")]
    CommentDeadlineNotPassed(NaiveDate),
    #[error("the policy in force does not allow approval by silence")]
    SilenceNotAllowed,
    #[error("the minutes have not been approved")]
    MinutesNotApproved,
    #[error("the report is already published")]
    ReportAlreadyPublished,
    #[error("this cannot happen before the meeting")]
    BeforeMeeting,
    #[error(transparent)]
    Authority(#[from] AuthorityError),
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
            MeetingError::Cancelled => "meeting_cancelled",
            MeetingError::AlreadyStarted => "meeting_already_started",
            MeetingError::SameDate => "meeting_date_unchanged",
            MeetingError::Empty(_) => "field_empty",
            MeetingError::AgendaNumberDuplicate(_) => "agenda_number_duplicate",
            MeetingError::NotAdjourned => "meeting_not_adjourned",
            MeetingError::NotClosed => "meeting_not_closed",
            MeetingError::DocumentHashInvalid => "document_hash_invalid",
            MeetingError::MinutesAlreadyApproved => "minutes_already_approved",
            MeetingError::MinutesNotDrafted => "minutes_not_drafted",
            MeetingError::MinutesNotCirculated => "minutes_not_circulated",
            MeetingError::CommentDeadlineInvalid => "comment_deadline_invalid",
            MeetingError::CommentDeadlineNotPassed(_) => "comment_deadline_not_passed",
            MeetingError::SilenceNotAllowed => "silence_procedure_not_allowed",
            MeetingError::MinutesNotApproved => "minutes_not_approved",
            MeetingError::ReportAlreadyPublished => "report_already_published",
            MeetingError::BeforeMeeting => "before_meeting",
            MeetingError::Authority(e) => e.rule(),
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
    pub kind: Option<MeetingKind>,
    pub body_id: String,
    pub agenda_version: u32,
    pub closed_on: Option<NaiveDate>,
    pub minutes: Option<Minutes>,
    pub report_published: bool,
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
                InSession | Adjourned => return Err(MeetingError::AlreadyInSession),
                Closed => return Err(MeetingError::Closed),
                Cancelled => return Err(MeetingError::Cancelled),
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
                Cancelled => return Err(MeetingError::Cancelled),
                Scheduled | InSession | Adjourned => {}
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
                Cancelled => return Err(MeetingError::Cancelled),
                Scheduled | Adjourned => return Err(MeetingError::NotInSession),
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
                Cancelled => return Err(MeetingError::Cancelled),
                Scheduled => return Err(MeetingError::NotInSession),
                InSession | Adjourned => {}
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
        MeetingCommand::Reschedule { new_date, reason } => {
            state.require_not_started()?;
            if reason.trim().is_empty() {
                return Err(MeetingError::Empty("reason"));
            }
            let old_date = state.date.ok_or(MeetingError::NotScheduled)?;
            if new_date == old_date {
                return Err(MeetingError::SameDate);
            }
            Ok(vec![MeetingEvent::MeetingRescheduled { old_date, new_date, reason }])
        }
        MeetingCommand::Cancel { cancelled_on, reason } => {
            state.require_not_started()?;
            if reason.trim().is_empty() {
                return Err(MeetingError::Empty("reason"));
            }
            Ok(vec![MeetingEvent::MeetingCancelled { cancelled_on, reason }])
        }
        MeetingCommand::PublishAgenda { items, published_on } => {
            match state.status {
                NotScheduled => return Err(MeetingError::NotScheduled),
                Closed => return Err(MeetingError::Closed),
                Cancelled => return Err(MeetingError::Cancelled),
                Scheduled | InSession | Adjourned => {}
            }
            if items.is_empty() {
                return Err(MeetingError::Empty("items"));
            }
            let mut seen = std::collections::BTreeSet::new();
            for item in &items {
                if item.number.trim().is_empty() || item.title.trim().is_empty() {
                    return Err(MeetingError::Empty("agenda item number and title"));
                }
                if !seen.insert(item.number.as_str()) {
                    return Err(MeetingError::AgendaNumberDuplicate(item.number.clone()));
                }
            }
            Ok(vec![MeetingEvent::AgendaPublished { version: state.agenda_version + 1, items, published_on }])
        }
        MeetingCommand::Adjourn { adjourned_on } => {
            match state.status {
                NotScheduled => return Err(MeetingError::NotScheduled),
                Closed => return Err(MeetingError::Closed),
                Cancelled => return Err(MeetingError::Cancelled),
                Scheduled | Adjourned => return Err(MeetingError::NotInSession),
                InSession => {}
            }
            if state.opened_on.is_some_and(|o| adjourned_on < o) {
                return Err(MeetingError::BeforeMeeting);
            }
            Ok(vec![MeetingEvent::MeetingAdjourned { adjourned_on }])
        }
        MeetingCommand::Resume { resumed_on } => {
            if state.status != Adjourned {
                return Err(MeetingError::NotAdjourned);
            }
            if state.opened_on.is_some_and(|o| resumed_on < o) {
                return Err(MeetingError::BeforeMeeting);
            }
            Ok(vec![MeetingEvent::MeetingResumed { resumed_on }])
        }
        MeetingCommand::DraftMinutes { doc_sha256, drafted_on } => {
            state.require_closed()?;
            if !is_sha256_hex(&doc_sha256) {
                return Err(MeetingError::DocumentHashInvalid);
            }
            if state.closed_on.is_some_and(|c| drafted_on < c) {
                return Err(MeetingError::BeforeMeeting);
            }
            let version = match &state.minutes {
                Some(m) if m.approved => return Err(MeetingError::MinutesAlreadyApproved),
                Some(m) => m.version + 1,
                None => 1,
            };
            Ok(vec![MeetingEvent::MinutesDrafted { version, doc_sha256, drafted_on }])
        }
        MeetingCommand::CirculateMinutes { circulated_on, comment_deadline } => {
            state.require_closed()?;
            let minutes = state.minutes.as_ref().ok_or(MeetingError::MinutesNotDrafted)?;
            if minutes.approved {
                return Err(MeetingError::MinutesAlreadyApproved);
            }
            if comment_deadline <= circulated_on {
                return Err(MeetingError::CommentDeadlineInvalid);
            }
            Ok(vec![MeetingEvent::MinutesCirculated { version: minutes.version, circulated_on, comment_deadline }])
        }
        MeetingCommand::ApproveMinutes { approved_on, authority, silence_allowed } => {
            state.require_closed()?;
            let minutes = state.minutes.as_ref().ok_or(MeetingError::MinutesNotDrafted)?;
            if minutes.approved {
                return Err(MeetingError::MinutesAlreadyApproved);
            }
            let deadline = minutes.comment_deadline.ok_or(MeetingError::MinutesNotCirculated)?;
            let by = match authority {
                Some(facts) => {
                    let meeting_id = state.meeting_id.clone();
                    let decision_id = require_decision(
                        Some(&facts),
                        "approve_minutes for this meeting",
                        |s| matches!(s, DecisionSubject::ApproveMinutes { meeting_id: m } if *m == meeting_id),
                    )?;
                    MinutesApproval::Decision { decision_id }
                }
                None => {
                    if !silence_allowed {
                        return Err(MeetingError::SilenceNotAllowed);
                    }
                    if approved_on <= deadline {
                        return Err(MeetingError::CommentDeadlineNotPassed(deadline));
                    }
                    MinutesApproval::Silence { comment_deadline: deadline }
                }
            };
            Ok(vec![MeetingEvent::MinutesApproved { version: minutes.version, approved_on, by }])
        }
        MeetingCommand::PublishReport { doc_sha256, url, published_on } => {
            state.require_closed()?;
            if !state.minutes.as_ref().is_some_and(|m| m.approved) {
                return Err(MeetingError::MinutesNotApproved);
            }
            if state.report_published {
                return Err(MeetingError::ReportAlreadyPublished);
            }
            if !is_sha256_hex(&doc_sha256) {
                return Err(MeetingError::DocumentHashInvalid);
            }
            Ok(vec![MeetingEvent::MeetingReportPublished { doc_sha256, url, published_on }])
        }
    }
}

/// Applies an event to the state. No rules here: events are facts.
pub fn evolve(state: &mut Meeting, event: MeetingEvent) {
    match event {
        MeetingEvent::MeetingScheduled { meeting_id, body_id, number, kind, date, .. } => {
            state.meeting_id = meeting_id;
            state.body_id = body_id;
            state.number = number;
            state.kind = Some(kind);
            state.date = Some(date);
            state.status = MeetingStatus::Scheduled;
        }
        MeetingEvent::MeetingOpened { opened_on, .. } => {
            state.opened_on = Some(opened_on);
            state.status = MeetingStatus::InSession;
        }
        MeetingEvent::AttendanceRecorded(attendance) => state.attendance.push(attendance),
        MeetingEvent::QuorumDeclared(snapshot) => state.quorum = Some(snapshot),
        MeetingEvent::MeetingClosed { closed_on, .. } => {
            state.status = MeetingStatus::Closed;
            state.closed_on = Some(closed_on);
        }
        MeetingEvent::MeetingRescheduled { new_date, .. } => state.date = Some(new_date),
        MeetingEvent::MeetingCancelled { .. } => state.status = MeetingStatus::Cancelled,
        MeetingEvent::AgendaPublished { version, .. } => state.agenda_version = version,
        MeetingEvent::MeetingAdjourned { .. } => state.status = MeetingStatus::Adjourned,
        MeetingEvent::MeetingResumed { .. } => state.status = MeetingStatus::InSession,
        MeetingEvent::MinutesDrafted { version, .. } => {
            state.minutes = Some(Minutes { version, comment_deadline: None, circulated_on: None, approved: false })
        }
        MeetingEvent::MinutesCirculated { circulated_on, comment_deadline, .. } => {
            if let Some(m) = state.minutes.as_mut() {
                m.circulated_on = Some(circulated_on);
                m.comment_deadline = Some(comment_deadline);
            }
        }
        MeetingEvent::MinutesApproved { .. } => {
            if let Some(m) = state.minutes.as_mut() {
                m.approved = true;
            }
        }
        MeetingEvent::MeetingReportPublished { .. } => state.report_published = true,
    }
}

impl Meeting {
    /// Refuses anything but a scheduled meeting that has not opened.
    fn require_not_started(&self) -> Result<(), MeetingError> {
        match self.status {
            MeetingStatus::NotScheduled => Err(MeetingError::NotScheduled),
            MeetingStatus::Scheduled => Ok(()),
            MeetingStatus::Cancelled => Err(MeetingError::Cancelled),
            MeetingStatus::InSession | MeetingStatus::Adjourned | MeetingStatus::Closed => {
                Err(MeetingError::AlreadyStarted)
            }
        }
    }

    /// Refuses anything but a closed meeting.
    fn require_closed(&self) -> Result<(), MeetingError> {
        match self.status {
            MeetingStatus::NotScheduled => Err(MeetingError::NotScheduled),
            MeetingStatus::Closed => Ok(()),
            MeetingStatus::Cancelled => Err(MeetingError::Cancelled),
            _ => Err(MeetingError::NotClosed),
        }
    }

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

crate::dated_command!(MeetingCommand, |command| match command {
    MeetingCommand::Schedule { date, .. } => Planned(*date),
    MeetingCommand::Open { opened_on, .. } => Occurred(*opened_on),
    // Taken at the meeting: dated by its session (the pipeline reads it).
    MeetingCommand::RecordAttendance(_) | MeetingCommand::DeclareQuorum { .. } => FromFacts,
    MeetingCommand::Close { closed_on, .. } => Occurred(*closed_on),
    MeetingCommand::Reschedule { new_date, .. } => Planned(*new_date),
    // The day from which the meeting is cancelled.
    MeetingCommand::Cancel { cancelled_on, .. } => Planned(*cancelled_on),
    MeetingCommand::PublishAgenda { published_on, .. } => Occurred(*published_on),
    MeetingCommand::Adjourn { adjourned_on } => Occurred(*adjourned_on),
    MeetingCommand::Resume { resumed_on } => Occurred(*resumed_on),
    MeetingCommand::DraftMinutes { drafted_on, .. } => Occurred(*drafted_on),
    MeetingCommand::CirculateMinutes { circulated_on, .. } => Occurred(*circulated_on),
    MeetingCommand::ApproveMinutes { approved_on, .. } => Occurred(*approved_on),
    MeetingCommand::PublishReport { published_on, .. } => Occurred(*published_on),
});
