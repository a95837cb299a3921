//! The `GoverningBody` aggregate: the GCG, its seats and holders over time, its Chair and
//! Deputy Chair terms, the calls for candidacy, and its versioned governance policy.
//!
//! One aggregate holds all of it because the invariants cross those parts: one active
//! Chair and one active Deputy Chair at any instant, never the same country and never the
//! Secretariat; at most one holder per seat at any instant; term lengths and seat counts
//! as the policy in force says. Dates are business dates; term ends are inclusive (a term
//! "ending 31 May 2023" is held on that day), a seat vacated on a date is free that day.
//!
//! Commands that change the structure on a decision's authority (electing or extending an
//! office holder, adopting a policy version) carry [`DecisionFacts`] read by the edge.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::authority::{require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;
use crate::policy::GovernancePolicy;
use crate::reference::Region;

/// The constituency a seat represents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Constituency {
    Chair,
    DeputyChair,
    PathfinderCountry,
    DevelopmentPartner,
    Workers,
    Employers,
    CivilSociety,
    UnAgency,
    RegionalOrganisation,
    Secretariat,
    Observer,
}

/// The two elected offices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Office {
    Chair,
    DeputyChair,
}

impl Office {
    /// The name decisions use in `ElectOfficeHolder { office }`.
    pub fn as_str(self) -> &'static str {
        match self {
            Office::Chair => "chair",
            Office::DeputyChair => "deputy_chair",
        }
    }

    fn other(self) -> Office {
        match self {
            Office::Chair => Office::DeputyChair,
            Office::DeputyChair => Office::Chair,
        }
    }
}

/// Why a seat fell vacant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VacancyReason {
    TermExpired,
    Resigned,
    Replaced,
    StatusLost,
    Other,
}

/// Why a term ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TermEndReason {
    Expired,
    Resigned,
    Succeeded,
}

/// Commands on the governing body. Fields marked "edge fact" are filled in by the server
/// from other aggregates; a client never sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BodyCommand {
    Establish {
        body_id: String,
        name: String,
        established_on: NaiveDate,
        /// The organisation serving as Secretariat (`ILO`): it may never hold an office.
        secretariat: String,
        /// The rules in force from the start (a later version needs a decision).
        initial_policy: GovernancePolicy,
    },
    AdoptPolicy {
        policy: GovernancePolicy,
        effective_on: NaiveDate,
        /// Edge fact: the cited decision (subject `adopt_policy` for this version).
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    DefineSeat {
        seat_id: String,
        constituency: Constituency,
        region: Option<Region>,
        voting: bool,
        defined_on: NaiveDate,
    },
    AssignSeat {
        seat_id: String,
        /// A registered organisation id or country ISO3.
        holder: String,
        from: NaiveDate,
        /// Edge fact: whether the holder is registered.
        #[serde(skip)]
        holder_known: bool,
        /// Edge fact: the cited decision, if any (subject `assign_seat` for this seat).
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    VacateSeat {
        seat_id: String,
        on: NaiveDate,
        reason: VacancyReason,
    },
    RetireSeat {
        seat_id: String,
        on: NaiveDate,
    },
    OpenCall {
        call_id: String,
        offices: Vec<Office>,
        opened_on: NaiveDate,
        closes_on: NaiveDate,
    },
    SubmitCandidacy {
        call_id: String,
        office: Office,
        candidate: String,
        submitted_on: NaiveDate,
        /// SHA-256 of the candidacy letter.
        letter_sha256: Option<String>,
        #[serde(skip)]
        candidate_known: bool,
    },
    CloseCall {
        call_id: String,
        closed_on: NaiveDate,
    },
    ElectOfficeHolder {
        term_id: String,
        office: Office,
        holder: String,
        term_start: NaiveDate,
        /// The last day of the term.
        term_end: NaiveDate,
        #[serde(skip)]
        holder_known: bool,
        /// Edge fact: the cited decision (subject `elect_office_holder` for this office).
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    BeginTerm {
        term_id: String,
        on: NaiveDate,
    },
    ExtendTerm {
        term_id: String,
        new_end: NaiveDate,
        /// Edge fact: the cited decision (subject `extend_term` for this office).
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    EndTerm {
        term_id: String,
        on: NaiveDate,
        reason: TermEndReason,
    },
    /// Records a figure a source reports about the Alliance (e.g. "38 countries are or want
    /// to be Pathfinders"), with its date and source: an observation, shown beside what
    /// the ledger records, never a count the ledger derives.
    RecordReportedFigure {
        figure: ReportedFigure,
        value: u32,
        qualifier: FigureQualifier,
        reported_on: NaiveDate,
        /// Where it is stated, e.g. `seed-000 (Alliance 8.7 MDP document)`.
        source: String,
    },
}

/// What a reported figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportedFigure {
    /// Countries that are Pathfinders or have expressed interest.
    PathfinderCountries,
    /// Registered partners.
    Partners,
    /// Pathfinder Countries that lost in-country support.
    PathfindersWithoutSupport,
}

/// How a reported figure is stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FigureQualifier {
    Exactly,
    /// "over N".
    Over,
    /// "at least N".
    AtLeast,
}

impl BodyCommand {
    pub fn name(&self) -> &'static str {
        match self {
            BodyCommand::Establish { .. } => "establish",
            BodyCommand::AdoptPolicy { .. } => "adopt_policy",
            BodyCommand::DefineSeat { .. } => "define_seat",
            BodyCommand::AssignSeat { .. } => "assign_seat",
            BodyCommand::VacateSeat { .. } => "vacate_seat",
            BodyCommand::RetireSeat { .. } => "retire_seat",
            BodyCommand::OpenCall { .. } => "open_call",
            BodyCommand::SubmitCandidacy { .. } => "submit_candidacy",
            BodyCommand::CloseCall { .. } => "close_call",
            BodyCommand::ElectOfficeHolder { .. } => "elect_office_holder",
            BodyCommand::BeginTerm { .. } => "begin_term",
            BodyCommand::ExtendTerm { .. } => "extend_term",
            BodyCommand::EndTerm { .. } => "end_term",
            BodyCommand::RecordReportedFigure { .. } => "record_reported_figure",
        }
    }
}

/// Events of the governing body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodyEvent {
    BodyEstablished {
        body_id: String,
        name: String,
        established_on: NaiveDate,
        secretariat: String,
    },
    PolicyVersionAdopted {
        policy: GovernancePolicy,
        effective_on: NaiveDate,
        /// The adopting decision; `None` only for the initial rules.
        decision_id: Option<String>,
    },
    SeatDefined {
        seat_id: String,
        constituency: Constituency,
        region: Option<Region>,
        voting: bool,
        defined_on: NaiveDate,
        /// Principles the definition departs from without breaking a rule, e.g.
        /// `region_already_represented` ("in principle one PFC seat per region").
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    SeatAssigned {
        seat_id: String,
        holder: String,
        from: NaiveDate,
        decision_id: Option<String>,
    },
    SeatVacated {
        seat_id: String,
        holder: String,
        on: NaiveDate,
        reason: VacancyReason,
    },
    SeatRetired {
        seat_id: String,
        on: NaiveDate,
    },
    LeadershipCallOpened {
        call_id: String,
        offices: Vec<Office>,
        opened_on: NaiveDate,
        closes_on: NaiveDate,
        /// The term length announced, from the policy in force.
        term_years: Option<u32>,
    },
    CandidacySubmitted {
        call_id: String,
        office: Office,
        candidate: String,
        submitted_on: NaiveDate,
        letter_sha256: Option<String>,
    },
    LeadershipCallClosed {
        call_id: String,
        closed_on: NaiveDate,
        candidates: u32,
    },
    OfficeHolderElected {
        term_id: String,
        office: Office,
        holder: String,
        term_start: NaiveDate,
        term_end: NaiveDate,
        decision_id: String,
        policy_version: Option<String>,
    },
    TermBegan {
        term_id: String,
        on: NaiveDate,
    },
    TermExtended {
        term_id: String,
        old_end: NaiveDate,
        new_end: NaiveDate,
        decision_id: String,
    },
    TermEnded {
        term_id: String,
        on: NaiveDate,
        reason: TermEndReason,
    },
    FigureReported {
        figure: ReportedFigure,
        value: u32,
        qualifier: FigureQualifier,
        reported_on: NaiveDate,
        source: String,
    },
}

impl DomainEvent for BodyEvent {
    fn event_type(&self) -> String {
        match self {
            BodyEvent::BodyEstablished { .. } => "BodyEstablished",
            BodyEvent::PolicyVersionAdopted { .. } => "PolicyVersionAdopted",
            BodyEvent::SeatDefined { .. } => "SeatDefined",
            BodyEvent::SeatAssigned { .. } => "SeatAssigned",
            BodyEvent::SeatVacated { .. } => "SeatVacated",
            BodyEvent::SeatRetired { .. } => "SeatRetired",
            BodyEvent::LeadershipCallOpened { .. } => "LeadershipCallOpened",
            BodyEvent::CandidacySubmitted { .. } => "CandidacySubmitted",
            BodyEvent::LeadershipCallClosed { .. } => "LeadershipCallClosed",
            BodyEvent::OfficeHolderElected { .. } => "OfficeHolderElected",
            BodyEvent::TermBegan { .. } => "TermBegan",
            BodyEvent::TermExtended { .. } => "TermExtended",
            BodyEvent::TermEnded { .. } => "TermEnded",
            BodyEvent::FigureReported { .. } => "FigureReported",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a body command was refused; [`BodyError::rule`] is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is already established")]
    AlreadyEstablished,
    #[error("the body has not been established")]
    NotEstablished,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("policy version {0} already exists")]
    PolicyVersionExists(String),
    #[error("a policy version cannot take effect before the version in force")]
    PolicyEffectiveBeforeCurrent,
    #[error("seat {0} is already defined")]
    SeatAlreadyDefined(String),
    #[error("the Chair and Deputy Chair are offices held by election, not seats")]
    SeatIsAnOffice,
    #[error("the {} constituency already has the {} seats the policy allows", crate::snake(.0), .1)]
    ConstituencyFull(Constituency, u32),
    #[error("the Secretariat's seat does not vote")]
    SecretariatSeatVotes,
    #[error("no seat {0}")]
    SeatUnknown(String),
    #[error("seat {0} is retired")]
    SeatRetired(String),
    #[error("seat {seat_id} is held by {holder} on that date")]
    SeatOccupied { seat_id: String, holder: String },
    #[error("seat {0} has no holder")]
    SeatVacant(String),
    #[error("a seat cannot be assigned before it was defined")]
    AssignmentBeforeSeatDefined,
    #[error("a seat is vacated after the day its holder took it")]
    VacancyBeforeAssignment,
    #[error("party {0} is not a registered organisation or country")]
    PartyUnknown(String),
    #[error("only the Secretariat holds the Secretariat's seat, and no other")]
    SecretariatSeatHolder,
    #[error("the Secretariat ({0}) cannot hold an office")]
    OfficeHolderSecretariat(String),
    #[error("call {0} already exists")]
    CallExists(String),
    #[error("no call {0}")]
    CallUnknown(String),
    #[error("call {0} is closed")]
    CallClosed(String),
    #[error("a call needs at least one office")]
    CallOfficesEmpty,
    #[error("the call closes before it opens")]
    CallDatesInvalid,
    #[error("the call is not for the {} office", crate::snake(.0))]
    OfficeNotInCall(Office),
    #[error("candidate {0} already stands for this office")]
    CandidacyDuplicate(String),
    #[error("term {0} already exists")]
    TermExists(String),
    #[error("no term {0}")]
    TermUnknown(String),
    #[error("a term ends after it starts")]
    TermDatesInvalid,
    #[error("the policy in force ({version}) sets {years}-year terms: this term should end on {expected}")]
    TermLengthNotPolicy { version: String, years: u32, expected: NaiveDate },
    #[error("the {} office is held by {holder} (term {term_id}) during that period", crate::snake(.office))]
    OfficeOccupied { office: Office, holder: String, term_id: String },
    #[error("the same party ({0}) would be Chair and Deputy Chair at the same time")]
    ChairEqualsDeputy(String),
    #[error("term {0} has already begun")]
    TermAlreadyBegan(String),
    #[error("a term cannot begin before its start date")]
    TermBeginsBeforeStart,
    #[error("term {0} has not begun")]
    TermNotBegun(String),
    #[error("term {0} has ended")]
    TermEnded(String),
    #[error("a term cannot end before it began")]
    TermEndsBeforeStart,
    #[error("a term cannot end after its last day; extend it first")]
    TermEndsAfterEnd,
    #[error("a term cannot begin after its last day")]
    TermBeginsAfterEnd,
    #[error("letter_sha256 must be 64 lowercase hex digits")]
    DocumentHashInvalid,
    #[error("an extension must end later than the current term end")]
    ExtensionNotLater,
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl BodyError {
    pub fn rule(&self) -> &'static str {
        match self {
            BodyError::AlreadyEstablished => "body_already_established",
            BodyError::NotEstablished => "body_not_established",
            BodyError::Empty(_) => "field_empty",
            BodyError::PolicyVersionExists(_) => "policy_version_exists",
            BodyError::PolicyEffectiveBeforeCurrent => "policy_effective_before_current",
            BodyError::SeatAlreadyDefined(_) => "seat_already_defined",
            BodyError::SeatIsAnOffice => "seat_is_an_office",
            BodyError::ConstituencyFull(..) => "constituency_full",
            BodyError::SecretariatSeatVotes => "secretariat_seat_votes",
            BodyError::SeatUnknown(_) => "seat_unknown",
            BodyError::SeatRetired(_) => "seat_retired",
            BodyError::SeatOccupied { .. } => "seat_occupied",
            BodyError::SeatVacant(_) => "seat_vacant",
            BodyError::AssignmentBeforeSeatDefined => "assignment_before_seat_defined",
            BodyError::VacancyBeforeAssignment => "vacancy_before_assignment",
            BodyError::PartyUnknown(_) => "party_unknown",
            BodyError::SecretariatSeatHolder => "secretariat_seat_holder",
            BodyError::OfficeHolderSecretariat(_) => "office_holder_secretariat",
            BodyError::CallExists(_) => "call_exists",
            BodyError::CallUnknown(_) => "call_unknown",
            BodyError::CallClosed(_) => "call_closed",
            BodyError::CallOfficesEmpty => "call_offices_empty",
            BodyError::CallDatesInvalid => "call_dates_invalid",
            BodyError::OfficeNotInCall(_) => "office_not_in_call",
            BodyError::CandidacyDuplicate(_) => "candidacy_duplicate",
            BodyError::TermExists(_) => "term_exists",
            BodyError::TermUnknown(_) => "term_unknown",
            BodyError::TermDatesInvalid => "term_dates_invalid",
            BodyError::TermLengthNotPolicy { .. } => "term_length_not_policy",
            BodyError::OfficeOccupied { .. } => "office_occupied",
            BodyError::ChairEqualsDeputy(_) => "chair_equals_deputy",
            BodyError::TermAlreadyBegan(_) => "term_already_began",
            BodyError::TermBeginsBeforeStart => "term_begins_before_start",
            BodyError::TermNotBegun(_) => "term_not_begun",
            BodyError::TermEnded(_) => "term_ended",
            BodyError::TermEndsBeforeStart => "term_ends_before_start",
            BodyError::TermEndsAfterEnd => "term_ends_after_end",
            BodyError::TermBeginsAfterEnd => "term_begins_after_end",
            BodyError::DocumentHashInvalid => "document_hash_invalid",
            BodyError::ExtensionNotLater => "extension_not_later",
            BodyError::Authority(e) => e.rule(),
        }
    }
}

/// One holder's time in a seat: from `from` until the day before `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub holder: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// A seat and its holders over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub seat_id: String,
    pub constituency: Constituency,
    pub region: Option<Region>,
    pub voting: bool,
    pub defined_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
    pub holdings: Vec<Holding>,
}

/// Who sits where on a date: the one statement of these rules, used by the `body`
/// aggregate on its whole state and by the views on what a ledger position lets them see.
pub mod on_date {
    use chrono::NaiveDate;

    /// Whether a seat defined on `defined_on`, and retired on `retired_on` if ever, exists
    /// on `date` (a seat retired on a date is gone that day).
    pub fn seat_exists(defined_on: NaiveDate, retired_on: Option<NaiveDate>, date: NaiveDate) -> bool {
        defined_on <= date && retired_on.is_none_or(|r| date < r)
    }

    /// Whether a holding from `from`, vacated on `until` if ever, covers `date` (a seat
    /// vacated on a date is free that day).
    pub fn holding_covers(from: NaiveDate, until: Option<NaiveDate>, date: NaiveDate) -> bool {
        from <= date && until.is_none_or(|u| date < u)
    }

    /// Whether a term begun on `began_on` (if it has begun) whose last day is `last_day`
    /// (its end, extended, or the day it ended early) is being served on `date`.
    pub fn term_served(began_on: Option<NaiveDate>, last_day: NaiveDate, date: NaiveDate) -> bool {
        began_on.is_some_and(|b| b <= date) && date <= last_day
    }
}

impl Seat {
    /// Whether the seat exists (defined, not retired) on `date`.
    pub fn exists_on(&self, date: NaiveDate) -> bool {
        on_date::seat_exists(self.defined_on, self.retired_on, date)
    }

    /// Who holds the seat on `date`.
    pub fn holder_on(&self, date: NaiveDate) -> Option<&str> {
        if !self.exists_on(date) {
            return None;
        }
        self.holdings.iter().find(|h| on_date::holding_covers(h.from, h.until, date)).map(|h| h.holder.as_str())
    }

    fn current_holding(&self) -> Option<&Holding> {
        self.holdings.last().filter(|h| h.until.is_none())
    }
}

/// A Chair or Deputy Chair term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub term_id: String,
    pub office: Office,
    pub holder: String,
    pub term_start: NaiveDate,
    /// The last day of the term (after extensions).
    pub term_end: NaiveDate,
    pub began_on: Option<NaiveDate>,
    /// The last day the term was held, if it ended early or was recorded as ended.
    pub ended_on: Option<NaiveDate>,
}

impl Term {
    /// The days the term covers or will cover, both ends inclusive.
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        (self.began_on.unwrap_or(self.term_start), self.ended_on.unwrap_or(self.term_end))
    }

    /// Whether the term is being served on `date` (it has begun and not ended).
    pub fn active_on(&self, date: NaiveDate) -> bool {
        on_date::term_served(self.began_on, self.ended_on.unwrap_or(self.term_end), date)
    }
}

/// A call for candidacy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub call_id: String,
    pub offices: Vec<Office>,
    pub opened_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub closed: bool,
    pub candidates: Vec<(Office, String)>,
}

/// A policy version and when it took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInForce {
    pub policy: GovernancePolicy,
    pub effective_on: NaiveDate,
    pub decision_id: Option<String>,
}

/// The body's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub body_id: String,
    pub name: String,
    pub established_on: Option<NaiveDate>,
    pub secretariat: String,
    pub policies: Vec<PolicyInForce>,
    pub seats: BTreeMap<String, Seat>,
    pub calls: BTreeMap<String, Call>,
    pub terms: Vec<Term>,
}

fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

fn not_empty(value: &str, field: &'static str) -> Result<(), BodyError> {
    if value.trim().is_empty() {
        return Err(BodyError::Empty(field));
    }
    Ok(())
}

impl Body {
    /// The policy in force on `date`: the latest version effective by then, or the first
    /// version for dates before any (backfilled history predating the ledger's rules).
    pub fn policy_on(&self, date: NaiveDate) -> Option<&GovernancePolicy> {
        self.policies.iter().rev().find(|p| p.effective_on <= date).or_else(|| self.policies.first()).map(|p| &p.policy)
    }

    /// The term of `office` being served on `date`.
    pub fn office_holder_on(&self, office: Office, date: NaiveDate) -> Option<&Term> {
        self.terms.iter().find(|t| t.office == office && t.active_on(date))
    }

    /// Voting seats filled on `date`: seats with a holder, plus the Chair and Deputy Chair
    /// in office (their offices vote).
    pub fn voting_seats_filled_on(&self, date: NaiveDate) -> u32 {
        let seats = self.seats.values().filter(|s| s.voting && s.holder_on(date).is_some()).count();
        let offices = [Office::Chair, Office::DeputyChair]
            .into_iter()
            .filter(|o| self.office_holder_on(*o, date).is_some())
            .count();
        u32::try_from(seats + offices).unwrap_or(u32::MAX)
    }

    fn seat(&self, seat_id: &str) -> Result<&Seat, BodyError> {
        self.seats.get(seat_id).ok_or_else(|| BodyError::SeatUnknown(seat_id.to_string()))
    }

    fn term(&self, term_id: &str) -> Result<&Term, BodyError> {
        self.terms.iter().find(|t| t.term_id == term_id).ok_or_else(|| BodyError::TermUnknown(term_id.to_string()))
    }

    /// Refuses a span for `office` held by `holder` that would overlap another term of the
    /// same office, or the other office held by the same holder.
    fn check_office_span(
        &self,
        office: Office,
        holder: &str,
        span: (NaiveDate, NaiveDate),
        except: Option<&str>,
    ) -> Result<(), BodyError> {
        for term in self.terms.iter().filter(|t| Some(t.term_id.as_str()) != except) {
            if !overlaps(term.span(), span) {
                continue;
            }
            if term.office == office {
                return Err(BodyError::OfficeOccupied {
                    office,
                    holder: term.holder.clone(),
                    term_id: term.term_id.clone(),
                });
            }
            if term.office == office.other() && term.holder == holder {
                return Err(BodyError::ChairEqualsDeputy(holder.to_string()));
            }
        }
        Ok(())
    }
}

/// Checks a command against the state and returns the events it produces.
pub fn decide(state: &Body, command: BodyCommand) -> Result<Vec<BodyEvent>, BodyError> {
    if state.established_on.is_none() && !matches!(command, BodyCommand::Establish { .. }) {
        return Err(BodyError::NotEstablished);
    }
    match command {
        BodyCommand::Establish { body_id, name, established_on, secretariat, initial_policy } => {
            if state.established_on.is_some() {
                return Err(BodyError::AlreadyEstablished);
            }
            not_empty(&body_id, "body_id")?;
            not_empty(&name, "name")?;
            not_empty(&secretariat, "secretariat")?;
            not_empty(&initial_policy.version, "policy.version")?;
            Ok(vec![
                BodyEvent::BodyEstablished { body_id, name, established_on, secretariat },
                BodyEvent::PolicyVersionAdopted {
                    policy: initial_policy,
                    effective_on: established_on,
                    decision_id: None,
                },
            ])
        }
        BodyCommand::AdoptPolicy { policy, effective_on, authority } => {
            not_empty(&policy.version, "policy.version")?;
            if state.policies.iter().any(|p| p.policy.version == policy.version) {
                return Err(BodyError::PolicyVersionExists(policy.version));
            }
            if state.policies.last().is_some_and(|p| effective_on < p.effective_on) {
                return Err(BodyError::PolicyEffectiveBeforeCurrent);
            }
            let decision_id = require_decision(
                authority.as_ref(),
                "adopt_policy for this version",
                |s| matches!(s, DecisionSubject::AdoptPolicy { policy: v } if *v == policy.version),
            )?;
            Ok(vec![BodyEvent::PolicyVersionAdopted { policy, effective_on, decision_id: Some(decision_id) }])
        }
        BodyCommand::DefineSeat { seat_id, constituency, region, voting, defined_on } => {
            not_empty(&seat_id, "seat_id")?;
            if state.seats.contains_key(&seat_id) {
                return Err(BodyError::SeatAlreadyDefined(seat_id));
            }
            if matches!(constituency, Constituency::Chair | Constituency::DeputyChair) {
                return Err(BodyError::SeatIsAnOffice);
            }
            if constituency == Constituency::Secretariat && voting {
                return Err(BodyError::SecretariatSeatVotes);
            }
            if let Some(max) = state.policy_on(defined_on).and_then(|p| p.seat_limit(constituency)) {
                let existing = state
                    .seats
                    .values()
                    .filter(|s| s.constituency == constituency && s.retired_on.is_none_or(|r| defined_on < r))
                    .count();
                if existing >= max as usize {
                    return Err(BodyError::ConstituencyFull(constituency, max));
                }
            }
            let mut warnings = Vec::new();
            if constituency == Constituency::PathfinderCountry
                && region.is_some()
                && state.seats.values().any(|s| {
                    s.constituency == constituency && s.region == region && s.retired_on.is_none_or(|r| defined_on < r)
                })
            {
                warnings.push("region_already_represented".to_string());
            }
            Ok(vec![BodyEvent::SeatDefined { seat_id, constituency, region, voting, defined_on, warnings }])
        }
        BodyCommand::AssignSeat { seat_id, holder, from, holder_known, authority } => {
            let seat = state.seat(&seat_id)?;
            not_empty(&holder, "holder")?;
            if seat.retired_on.is_some_and(|r| from >= r) {
                return Err(BodyError::SeatRetired(seat_id));
            }
            if from < seat.defined_on {
                return Err(BodyError::AssignmentBeforeSeatDefined);
            }
            if !holder_known {
                return Err(BodyError::PartyUnknown(holder));
            }
            if (seat.constituency == Constituency::Secretariat) != (holder == state.secretariat) {
                return Err(BodyError::SecretariatSeatHolder);
            }
            if let Some(last) = seat.holdings.last() {
                if last.until.is_none_or(|u| from < u) {
                    return Err(BodyError::SeatOccupied { seat_id, holder: last.holder.clone() });
                }
            }
            let decision_id = match authority {
                None => None,
                Some(facts) => Some(require_decision(
                    Some(&facts),
                    "assign_seat for this seat",
                    |s| matches!(s, DecisionSubject::AssignSeat { seat_id: s } if *s == seat_id),
                )?),
            };
            Ok(vec![BodyEvent::SeatAssigned { seat_id, holder, from, decision_id }])
        }
        BodyCommand::VacateSeat { seat_id, on, reason } => {
            let seat = state.seat(&seat_id)?;
            let holding = seat.current_holding().ok_or_else(|| BodyError::SeatVacant(seat_id.clone()))?;
            if on <= holding.from {
                return Err(BodyError::VacancyBeforeAssignment);
            }
            Ok(vec![BodyEvent::SeatVacated { seat_id, holder: holding.holder.clone(), on, reason }])
        }
        BodyCommand::RetireSeat { seat_id, on } => {
            let seat = state.seat(&seat_id)?;
            if seat.retired_on.is_some() {
                return Err(BodyError::SeatRetired(seat_id));
            }
            if let Some(last) = seat.holdings.last() {
                if last.until.is_none_or(|u| on < u) {
                    return Err(BodyError::SeatOccupied { seat_id, holder: last.holder.clone() });
                }
            }
            Ok(vec![BodyEvent::SeatRetired { seat_id, on }])
        }
        BodyCommand::OpenCall { call_id, offices, opened_on, closes_on } => {
            not_empty(&call_id, "call_id")?;
            if state.calls.contains_key(&call_id) {
                return Err(BodyError::CallExists(call_id));
            }
            if offices.is_empty() {
                return Err(BodyError::CallOfficesEmpty);
            }
            if closes_on <= opened_on {
                return Err(BodyError::CallDatesInvalid);
            }
            let term_years = state.policy_on(opened_on).and_then(|p| p.chair_term_years);
            let mut offices = offices;
            offices.sort();
            offices.dedup();
            Ok(vec![BodyEvent::LeadershipCallOpened { call_id, offices, opened_on, closes_on, term_years }])
        }
        BodyCommand::SubmitCandidacy { call_id, office, candidate, submitted_on, letter_sha256, candidate_known } => {
            let call = state.calls.get(&call_id).ok_or_else(|| BodyError::CallUnknown(call_id.clone()))?;
            if call.closed || submitted_on > call.closes_on || submitted_on < call.opened_on {
                return Err(BodyError::CallClosed(call_id));
            }
            if !call.offices.contains(&office) {
                return Err(BodyError::OfficeNotInCall(office));
            }
            not_empty(&candidate, "candidate")?;
            if candidate == state.secretariat {
                return Err(BodyError::OfficeHolderSecretariat(candidate));
            }
            if !candidate_known {
                return Err(BodyError::PartyUnknown(candidate));
            }
            if call.candidates.iter().any(|(o, c)| *o == office && *c == candidate) {
                return Err(BodyError::CandidacyDuplicate(candidate));
            }
            if letter_sha256.as_deref().is_some_and(|h| !crate::authority::is_sha256_hex(h)) {
                return Err(BodyError::DocumentHashInvalid);
            }
            Ok(vec![BodyEvent::CandidacySubmitted { call_id, office, candidate, submitted_on, letter_sha256 }])
        }
        BodyCommand::CloseCall { call_id, closed_on } => {
            let call = state.calls.get(&call_id).ok_or_else(|| BodyError::CallUnknown(call_id.clone()))?;
            if call.closed {
                return Err(BodyError::CallClosed(call_id));
            }
            if closed_on < call.opened_on {
                return Err(BodyError::CallDatesInvalid);
            }
            let candidates = u32::try_from(call.candidates.len()).unwrap_or(u32::MAX);
            Ok(vec![BodyEvent::LeadershipCallClosed { call_id, closed_on, candidates }])
        }
        BodyCommand::ElectOfficeHolder { term_id, office, holder, term_start, term_end, holder_known, authority } => {
            not_empty(&term_id, "term_id")?;
            not_empty(&holder, "holder")?;
            if state.terms.iter().any(|t| t.term_id == term_id) {
                return Err(BodyError::TermExists(term_id));
            }
            if holder == state.secretariat {
                return Err(BodyError::OfficeHolderSecretariat(holder));
            }
            if !holder_known {
                return Err(BodyError::PartyUnknown(holder));
            }
            if term_end <= term_start {
                return Err(BodyError::TermDatesInvalid);
            }
            let policy = state.policy_on(term_start);
            if let Some((version, years)) = policy.and_then(|p| p.chair_term_years.map(|y| (p.version.clone(), y))) {
                let expected = term_start
                    .checked_add_months(Months::new(12 * years))
                    .and_then(|d| d.pred_opt())
                    .ok_or(BodyError::TermDatesInvalid)?;
                if term_end != expected {
                    return Err(BodyError::TermLengthNotPolicy { version, years, expected });
                }
            }
            state.check_office_span(office, &holder, (term_start, term_end), None)?;
            let decision_id = require_decision(
                authority.as_ref(),
                "elect_office_holder for this office",
                |s| matches!(s, DecisionSubject::ElectOfficeHolder { office: o } if o == office.as_str()),
            )?;
            Ok(vec![BodyEvent::OfficeHolderElected {
                term_id,
                office,
                holder,
                term_start,
                term_end,
                decision_id,
                policy_version: policy.map(|p| p.version.clone()),
            }])
        }
        BodyCommand::BeginTerm { term_id, on } => {
            let term = state.term(&term_id)?;
            if term.began_on.is_some() {
                return Err(BodyError::TermAlreadyBegan(term_id));
            }
            if term.ended_on.is_some() {
                return Err(BodyError::TermEnded(term_id));
            }
            if on < term.term_start {
                return Err(BodyError::TermBeginsBeforeStart);
            }
            if on > term.term_end {
                return Err(BodyError::TermBeginsAfterEnd);
            }
            Ok(vec![BodyEvent::TermBegan { term_id, on }])
        }
        BodyCommand::ExtendTerm { term_id, new_end, authority } => {
            let term = state.term(&term_id)?;
            if term.ended_on.is_some() {
                return Err(BodyError::TermEnded(term_id));
            }
            if new_end <= term.term_end {
                return Err(BodyError::ExtensionNotLater);
            }
            let start = term.began_on.unwrap_or(term.term_start);
            state.check_office_span(term.office, &term.holder, (start, new_end), Some(&term_id))?;
            let office = term.office;
            let decision_id = require_decision(
                authority.as_ref(),
                "extend_term for this office",
                |s| matches!(s, DecisionSubject::ExtendTerm { office: o } if o == office.as_str()),
            )?;
            Ok(vec![BodyEvent::TermExtended { term_id, old_end: term.term_end, new_end, decision_id }])
        }
        BodyCommand::EndTerm { term_id, on, reason } => {
            let term = state.term(&term_id)?;
            let began = term.began_on.ok_or_else(|| BodyError::TermNotBegun(term_id.clone()))?;
            if term.ended_on.is_some() {
                return Err(BodyError::TermEnded(term_id));
            }
            if on < began {
                return Err(BodyError::TermEndsBeforeStart);
            }
            if on > term.term_end {
                return Err(BodyError::TermEndsAfterEnd);
            }
            Ok(vec![BodyEvent::TermEnded { term_id, on, reason }])
        }
        BodyCommand::RecordReportedFigure { figure, value, qualifier, reported_on, source } => {
            not_empty(&source, "source")?;
            Ok(vec![BodyEvent::FigureReported { figure, value, qualifier, reported_on, source }])
        }
    }
}

/// Applies an event to the state.
pub fn evolve(state: &mut Body, event: BodyEvent) {
    match event {
        BodyEvent::BodyEstablished { body_id, name, established_on, secretariat } => {
            state.body_id = body_id;
            state.name = name;
            state.established_on = Some(established_on);
            state.secretariat = secretariat;
        }
        BodyEvent::PolicyVersionAdopted { policy, effective_on, decision_id } => {
            state.policies.push(PolicyInForce { policy, effective_on, decision_id })
        }
        BodyEvent::SeatDefined { seat_id, constituency, region, voting, defined_on, .. } => {
            state.seats.insert(
                seat_id.clone(),
                Seat { seat_id, constituency, region, voting, defined_on, retired_on: None, holdings: vec![] },
            );
        }
        BodyEvent::SeatAssigned { seat_id, holder, from, .. } => {
            if let Some(seat) = state.seats.get_mut(&seat_id) {
                seat.holdings.push(Holding { holder, from, until: None });
            }
        }
        BodyEvent::SeatVacated { seat_id, on, .. } => {
            if let Some(holding) = state.seats.get_mut(&seat_id).and_then(|s| s.holdings.last_mut()) {
                holding.until = Some(on);
            }
        }
        BodyEvent::SeatRetired { seat_id, on } => {
            if let Some(seat) = state.seats.get_mut(&seat_id) {
                seat.retired_on = Some(on);
            }
        }
        BodyEvent::LeadershipCallOpened { call_id, offices, opened_on, closes_on, .. } => {
            state.calls.insert(
                call_id.clone(),
                Call { call_id, offices, opened_on, closes_on, closed: false, candidates: vec![] },
            );
        }
        BodyEvent::CandidacySubmitted { call_id, office, candidate, .. } => {
            if let Some(call) = state.calls.get_mut(&call_id) {
                call.candidates.push((office, candidate));
            }
        }
        BodyEvent::LeadershipCallClosed { call_id, .. } => {
            if let Some(call) = state.calls.get_mut(&call_id) {
                call.closed = true;
            }
        }
        BodyEvent::OfficeHolderElected { term_id, office, holder, term_start, term_end, .. } => {
            state.terms.push(Term { term_id, office, holder, term_start, term_end, began_on: None, ended_on: None })
        }
        BodyEvent::TermBegan { term_id, on } => {
            if let Some(term) = state.terms.iter_mut().find(|t| t.term_id == term_id) {
                term.began_on = Some(on);
            }
        }
        BodyEvent::TermExtended { term_id, new_end, .. } => {
            if let Some(term) = state.terms.iter_mut().find(|t| t.term_id == term_id) {
                term.term_end = new_end;
            }
        }
        BodyEvent::TermEnded { term_id, on, .. } => {
            if let Some(term) = state.terms.iter_mut().find(|t| t.term_id == term_id) {
                term.ended_on = Some(on);
            }
        }
        // An observation: no rule reads it.
        BodyEvent::FigureReported { .. } => {}
    }
}

impl Aggregate for Body {
    const TYPE: &'static str = "body";
    type Command = BodyCommand;
    type Event = BodyEvent;
    type Error = BodyError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), Self::Error> {
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

crate::dated_command!(BodyCommand, |command| match command {
    BodyCommand::Establish { established_on, .. } => Occurred(*established_on),
    BodyCommand::AdoptPolicy { effective_on, .. } => Planned(*effective_on),
    BodyCommand::DefineSeat { defined_on, .. } => Occurred(*defined_on),
    BodyCommand::AssignSeat { from, .. } => Planned(*from),
    BodyCommand::VacateSeat { on, .. } | BodyCommand::RetireSeat { on, .. } => Occurred(*on),
    BodyCommand::OpenCall { opened_on, .. } => Occurred(*opened_on),
    BodyCommand::SubmitCandidacy { submitted_on, .. } => Occurred(*submitted_on),
    BodyCommand::CloseCall { closed_on, .. } => Occurred(*closed_on),
    BodyCommand::ElectOfficeHolder { term_start, .. } => Planned(*term_start),
    BodyCommand::BeginTerm { on, .. } | BodyCommand::EndTerm { on, .. } => Occurred(*on),
    BodyCommand::ExtendTerm { new_end, .. } => Planned(*new_end),
    BodyCommand::RecordReportedFigure { reported_on, .. } => Occurred(*reported_on),
});
