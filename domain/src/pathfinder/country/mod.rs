//! The `PathfinderCountry` aggregate (`pfc:{ISO3}`): a country's path from its expression
//! of interest to Pathfinder status, and what happens to that status afterwards.
//!
//! ```text
//! Prospective --expression of interest--> InterestExpressed --presentation--> Candidate
//! Candidate --focal point or national mechanism--> Onboarding --workshop--> WorkshopHeld
//! WorkshopHeld (+ a submitted roadmap = RoadmapUnderReview) --GrantStatus(decision)--> Active
//! Active --flag (clock)--> UnderReview --ClearReview(decision)--> Active
//! Active | UnderReview --MarkInactive(decision)--> Inactive --Reactivate(decision)--> Active
//! Active | UnderReview | Inactive --Revoke(decision)--> Revoked
//! any stage but Withdrawn | Revoked --Withdraw (the government's letter)--> Withdrawn
//! ```
//!
//! `RoadmapUnderReview` is never recorded in this stream: a roadmap's submission is an
//! event of the [`Roadmap`](crate::pathfinder::Roadmap) aggregate, so the stage is derived
//! ([`PathfinderCountry::stage_given`]) and `GrantStatus` carries the fact as an edge fact.
//! A country that became a Pathfinder before the procedure (e.g. Sri Lanka, whose roadmap
//! dates from 2016) is granted status as `legacy` on a mandatory evidence document, from
//! any stage before `Active`, even as the stream's first event; then no workshop, roadmap
//! or (if none is on record) decision is required.
//!
//! Each event that changes the stage does so from its date, and the state keeps every
//! stage with the day it began, for time-in-stage. The focal point is a pseudonymous
//! reference into the personal-data table, never a name.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::{blank, is_pseudonymous_ref, valid_iso3};
use crate::authority::{is_sha256_hex, require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;
use crate::person::PersonFacts;

/// Where a country is on its way to (and with) Pathfinder status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PfcStage {
    /// Nothing recorded yet.
    #[default]
    Prospective,
    /// A ministerial letter of interest has reached the ILO Director-General.
    InterestExpressed,
    /// The country has presented its candidacy to the GCG.
    Candidate,
    /// A focal point and/or a national coordination mechanism is in place.
    Onboarding,
    /// The strategic planning workshop has been held.
    WorkshopHeld,
    /// Derived, never recorded: the workshop is held and a roadmap has been submitted.
    RoadmapUnderReview,
    /// Pathfinder status granted and in force.
    Active,
    /// Flagged for review (e.g. a report overdue).
    UnderReview,
    /// Marked inactive by a GCG decision.
    Inactive,
    /// The government withdrew (terminal).
    Withdrawn,
    /// Status revoked by a GCG decision (terminal).
    Revoked,
}

impl PfcStage {
    /// Whether nothing more can happen to the country's status.
    pub fn is_terminal(self) -> bool {
        matches!(self, PfcStage::Withdrawn | PfcStage::Revoked)
    }

    /// Whether the country holds Pathfinder status (granted, not withdrawn or revoked).
    pub fn holds_status(self) -> bool {
        matches!(self, PfcStage::Active | PfcStage::UnderReview | PfcStage::Inactive)
    }
}

/// Why an active country is flagged for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewReason {
    /// Reports were missed for as many cycles as the policy allows.
    ReportOverdue,
    /// The current roadmap has expired (or its validity has lapsed).
    RoadmapExpired,
    /// The country has no focal point.
    NoFocalPoint,
    /// Any other reason.
    Other,
}

/// Why in-country support ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SupportEndReason {
    /// The project that provided it closed.
    ProjectClosed,
    /// Its funding ended.
    FundingEnded,
    /// Any other reason.
    Other,
}

/// Pathfinder Country commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PfcCommand {
    /// The ministerial letter to the ILO Director-General; the stream's first command.
    RecordExpressionOfInterest {
        /// ISO 3166-1 alpha-3, e.g. `UGA`.
        iso3: String,
        letter_date: NaiveDate,
        signatory_title: String,
        ministry: String,
        letter_sha256: String,
    },
    /// The country presented its candidacy at a GCG meeting.
    RecordPresentation { meeting_id: String, presented_on: NaiveDate },
    /// Appoints (or replaces) the national focal point.
    AppointFocalPoint {
        /// A pseudonymous reference into the personal-data table, never a name.
        person_ref: String,
        title: String,
        ministry: String,
        effective_on: NaiveDate,
        /// Edge fact: the person as the register knows them (`None`: not registered).
        #[serde(skip)]
        person: Option<PersonFacts>,
    },
    /// Establishes (or re-establishes) the national coordination mechanism.
    EstablishNationalMechanism {
        name: String,
        lead_ministry: String,
        /// Member organisations.
        members: Vec<String>,
        established_on: NaiveDate,
    },
    /// A strategic planning workshop was held.
    RecordStrategicWorkshop {
        held_on: NaiveDate,
        participants_count: Option<u32>,
        supporting_organisations: Vec<String>,
        report_sha256: Option<String>,
    },
    /// Grants Pathfinder status on a GCG decision (subject `grant_pathfinder_status`).
    GrantStatus {
        /// The country (checked against the stream's; a legacy grant may be the first event).
        iso3: String,
        effective_on: NaiveDate,
        /// The country became a Pathfinder before the procedure: no workshop or roadmap is
        /// required, but evidence is.
        legacy: bool,
        /// SHA-256 of the document that shows the legacy status.
        legacy_evidence_sha256: Option<String>,
        /// Edge fact: the cited decision (optional for a legacy grant).
        #[serde(skip)]
        authority: Option<DecisionFacts>,
        /// Edge fact: a roadmap of this country has been submitted (or gone further).
        #[serde(skip)]
        roadmap_submitted: bool,
    },
    /// Flags an active country for review; issued by the clock process.
    FlagForReview { flagged_on: NaiveDate, reason: ReviewReason, policy_version: String },
    /// Ends a review, the country staying active (decision `reactivate_pathfinder`).
    ClearReview {
        cleared_on: NaiveDate,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    /// Marks the country inactive (decision `mark_pathfinder_inactive`).
    MarkInactive {
        on: NaiveDate,
        reason: String,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    /// Reactivates an inactive country (decision `reactivate_pathfinder`).
    Reactivate {
        on: NaiveDate,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    /// The government withdrew, by letter (self-reported, no decision).
    Withdraw { on: NaiveDate, letter_sha256: String },
    /// Revokes Pathfinder status (decision `revoke_pathfinder_status`).
    Revoke {
        on: NaiveDate,
        reason: String,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    /// An organisation starts in-country support (at most one open support each).
    StartSupport { organisation: String, project_ref: Option<String>, on: NaiveDate },
    /// An organisation's in-country support ends.
    EndSupport { organisation: String, on: NaiveDate, reason: SupportEndReason },
}

impl PfcCommand {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            PfcCommand::RecordExpressionOfInterest { .. } => "record_expression_of_interest",
            PfcCommand::RecordPresentation { .. } => "record_presentation",
            PfcCommand::AppointFocalPoint { .. } => "appoint_focal_point",
            PfcCommand::EstablishNationalMechanism { .. } => "establish_national_mechanism",
            PfcCommand::RecordStrategicWorkshop { .. } => "record_strategic_workshop",
            PfcCommand::GrantStatus { .. } => "grant_status",
            PfcCommand::FlagForReview { .. } => "flag_for_review",
            PfcCommand::ClearReview { .. } => "clear_review",
            PfcCommand::MarkInactive { .. } => "mark_inactive",
            PfcCommand::Reactivate { .. } => "reactivate",
            PfcCommand::Withdraw { .. } => "withdraw",
            PfcCommand::Revoke { .. } => "revoke",
            PfcCommand::StartSupport { .. } => "start_support",
            PfcCommand::EndSupport { .. } => "end_support",
        }
    }
}

/// Pathfinder Country events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PfcEvent {
    /// Prospective → InterestExpressed (from the letter's date).
    ExpressionOfInterestReceived {
        iso3: String,
        letter_date: NaiveDate,
        signatory_title: String,
        ministry: String,
        letter_sha256: String,
    },
    /// InterestExpressed → Candidate.
    CandidacyPresentedToGcg { iso3: String, meeting_id: String, presented_on: NaiveDate },
    /// Candidate → Onboarding; in later stages no change of stage.
    FocalPointAppointed {
        iso3: String,
        person_ref: String,
        title: String,
        ministry: String,
        effective_on: NaiveDate,
        /// The focal point this one replaces, if any.
        replaces: Option<String>,
    },
    /// Candidate → Onboarding; in later stages no change of stage.
    NationalCoordinationMechanismEstablished {
        iso3: String,
        name: String,
        lead_ministry: String,
        members: Vec<String>,
        established_on: NaiveDate,
    },
    /// Onboarding → WorkshopHeld; in later stages no change of stage.
    StrategicPlanningWorkshopHeld {
        iso3: String,
        held_on: NaiveDate,
        participants_count: Option<u32>,
        supporting_organisations: Vec<String>,
        report_sha256: Option<String>,
    },
    /// → Active.
    PathfinderStatusGranted {
        iso3: String,
        effective_on: NaiveDate,
        decision_id: Option<String>,
        legacy: bool,
        legacy_evidence_sha256: Option<String>,
    },
    /// Active → UnderReview.
    PathfinderStatusReviewFlagged { iso3: String, flagged_on: NaiveDate, reason: ReviewReason, policy_version: String },
    /// UnderReview → Active.
    PathfinderReviewCleared { iso3: String, cleared_on: NaiveDate, decision_id: String },
    /// Active | UnderReview → Inactive.
    PathfinderMarkedInactive { iso3: String, on: NaiveDate, reason: String, decision_id: String },
    /// Inactive → Active.
    PathfinderReactivated { iso3: String, on: NaiveDate, decision_id: String },
    /// → Withdrawn.
    PathfinderWithdrew { iso3: String, on: NaiveDate, letter_sha256: String },
    /// → Revoked.
    PathfinderStatusRevoked { iso3: String, on: NaiveDate, reason: String, decision_id: String },
    /// In-country support began.
    InCountrySupportStarted { iso3: String, organisation: String, project_ref: Option<String>, on: NaiveDate },
    /// In-country support ended.
    InCountrySupportEnded { iso3: String, organisation: String, on: NaiveDate, reason: SupportEndReason },
}

impl DomainEvent for PfcEvent {
    fn event_type(&self) -> String {
        match self {
            PfcEvent::ExpressionOfInterestReceived { .. } => "ExpressionOfInterestReceived",
            PfcEvent::CandidacyPresentedToGcg { .. } => "CandidacyPresentedToGcg",
            PfcEvent::FocalPointAppointed { .. } => "FocalPointAppointed",
            PfcEvent::NationalCoordinationMechanismEstablished { .. } => "NationalCoordinationMechanismEstablished",
            PfcEvent::StrategicPlanningWorkshopHeld { .. } => "StrategicPlanningWorkshopHeld",
            PfcEvent::PathfinderStatusGranted { .. } => "PathfinderStatusGranted",
            PfcEvent::PathfinderStatusReviewFlagged { .. } => "PathfinderStatusReviewFlagged",
            PfcEvent::PathfinderReviewCleared { .. } => "PathfinderReviewCleared",
            PfcEvent::PathfinderMarkedInactive { .. } => "PathfinderMarkedInactive",
            PfcEvent::PathfinderReactivated { .. } => "PathfinderReactivated",
            PfcEvent::PathfinderWithdrew { .. } => "PathfinderWithdrew",
            PfcEvent::PathfinderStatusRevoked { .. } => "PathfinderStatusRevoked",
            PfcEvent::InCountrySupportStarted { .. } => "InCountrySupportStarted",
            PfcEvent::InCountrySupportEnded { .. } => "InCountrySupportEnded",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a Pathfinder Country command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PfcError {
    #[error("nothing is recorded for this country yet; record its expression of interest first")]
    NotRegistered,
    #[error("{command} is not allowed in stage {}", crate::snake(.from))]
    TransitionNotAllowed { from: PfcStage, command: &'static str },
    #[error("code {0} is not an ISO 3166-1 alpha-3 country code")]
    Iso3Unknown(String),
    #[error("this stream is about {expected}, not {given}")]
    Iso3Mismatch { expected: String, given: String },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{0} must be a SHA-256 (64 lowercase hex digits)")]
    DocumentHashInvalid(&'static str),
    #[error("person_ref must be a pseudonymous reference (letters, digits and :._- with a digit), never a name")]
    PersonRefNotPseudonymous,
    #[error("person {0} is not registered in the personal-data register")]
    PersonNotRegistered(String),
    #[error("the personal data of person {0} has been erased; appoint a registered person")]
    PersonErased(String),
    #[error("person {person} belongs to {country}, not to this country")]
    PersonOfAnotherCountry { person: String, country: String },
    #[error("person {0} is already the focal point")]
    FocalPointAlreadyAppointed(String),
    #[error("date {date} is before {earliest}, the last recorded change")]
    DateOutOfOrder { date: NaiveDate, earliest: NaiveDate },
    #[error("status is granted only after the strategic planning workshop")]
    WorkshopNotHeld,
    #[error("status is granted only once a roadmap has been submitted")]
    RoadmapNotSubmitted,
    #[error("a legacy grant needs the SHA-256 of its evidence document")]
    LegacyEvidenceMissing,
    #[error("legacy evidence must be a SHA-256 (64 lowercase hex digits)")]
    LegacyEvidenceInvalid,
    #[error("organisation {0} already supports this country; end that support first")]
    SupportAlreadyOpen(String),
    #[error("organisation {0} does not support this country at present")]
    SupportNotOpen(String),
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl PfcError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            PfcError::NotRegistered => "pfc_not_registered",
            PfcError::TransitionNotAllowed { .. } => "pfc_transition_not_allowed",
            PfcError::Iso3Unknown(_) => "iso3_unknown",
            PfcError::Iso3Mismatch { .. } => "pfc_iso3_mismatch",
            PfcError::Empty(_) => "field_empty",
            PfcError::DocumentHashInvalid(_) => "document_hash_invalid",
            PfcError::PersonRefNotPseudonymous => "person_ref_not_pseudonymous",
            PfcError::PersonNotRegistered(_) => "person_not_registered",
            PfcError::PersonErased(_) => "person_erased",
            PfcError::PersonOfAnotherCountry { .. } => "person_of_another_country",
            PfcError::FocalPointAlreadyAppointed(_) => "focal_point_already_appointed",
            PfcError::DateOutOfOrder { .. } => "pfc_date_out_of_order",
            PfcError::WorkshopNotHeld => "workshop_not_held",
            PfcError::RoadmapNotSubmitted => "roadmap_not_submitted",
            PfcError::LegacyEvidenceMissing => "legacy_evidence_missing",
            PfcError::LegacyEvidenceInvalid => "legacy_evidence_invalid",
            PfcError::SupportAlreadyOpen(_) => "support_already_open",
            PfcError::SupportNotOpen(_) => "support_not_open",
            PfcError::Authority(e) => e.rule(),
        }
    }
}

/// The national focal point in office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocalPoint {
    /// Pseudonymous reference into the personal-data table.
    pub person_ref: String,
    pub title: String,
    pub ministry: String,
    pub since: NaiveDate,
}

/// The national coordination mechanism.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalMechanism {
    pub name: String,
    pub lead_ministry: String,
    pub members: Vec<String>,
    pub established_on: NaiveDate,
}

/// One organisation's in-country support, open while `until` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub organisation: String,
    pub project_ref: Option<String>,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub end_reason: Option<SupportEndReason>,
}

/// A Pathfinder Country's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathfinderCountry {
    /// ISO 3166-1 alpha-3; empty until the first event.
    pub iso3: String,
    pub stage: PfcStage,
    /// The day the current stage began (`None` while Prospective).
    pub stage_since: Option<NaiveDate>,
    /// Every stage entered, with the day it began, oldest first (the last is current).
    pub stage_history: Vec<(PfcStage, NaiveDate)>,
    pub interest_expressed_on: Option<NaiveDate>,
    pub focal_point: Option<FocalPoint>,
    pub mechanism: Option<NationalMechanism>,
    /// The day of the first strategic planning workshop.
    pub workshop_held_on: Option<NaiveDate>,
    pub status_granted_on: Option<NaiveDate>,
    pub legacy: bool,
    /// All in-country support, ended or open, in the order it started.
    pub support: Vec<Support>,
}

impl PathfinderCountry {
    /// Whether anything has been recorded for the country.
    pub fn is_registered(&self) -> bool {
        !self.iso3.is_empty()
    }

    /// The stage including the derived `RoadmapUnderReview`: `WorkshopHeld` once a roadmap
    /// of the country has been submitted (a fact of the roadmap's aggregate).
    pub fn stage_given(&self, roadmap_submitted: bool) -> PfcStage {
        match self.stage {
            PfcStage::WorkshopHeld if roadmap_submitted => PfcStage::RoadmapUnderReview,
            stage => stage,
        }
    }

    /// Days spent so far in the current stage, as of `today`.
    pub fn days_in_stage(&self, today: NaiveDate) -> Option<i64> {
        self.stage_since.map(|since| (today - since).num_days())
    }

    /// The organisations whose in-country support is open.
    pub fn supporting_organisations(&self) -> Vec<&str> {
        self.support.iter().filter(|s| s.until.is_none()).map(|s| s.organisation.as_str()).collect()
    }
}

fn not_empty(value: &str, field: &'static str) -> Result<(), PfcError> {
    if blank(value) {
        return Err(PfcError::Empty(field));
    }
    Ok(())
}

fn sha256(value: &str, field: &'static str) -> Result<(), PfcError> {
    if !is_sha256_hex(value) {
        return Err(PfcError::DocumentHashInvalid(field));
    }
    Ok(())
}

/// Refuses `date` before `earliest`, when there is one.
fn not_before(date: NaiveDate, earliest: Option<NaiveDate>) -> Result<(), PfcError> {
    match earliest {
        Some(earliest) if date < earliest => Err(PfcError::DateOutOfOrder { date, earliest }),
        _ => Ok(()),
    }
}

/// Decides a Pathfinder Country command against the country's state.
pub fn decide(state: &PathfinderCountry, command: PfcCommand) -> Result<Vec<PfcEvent>, PfcError> {
    use PfcStage as S;
    let stage = state.stage;
    let name = command.name();
    let refuse = || Err(PfcError::TransitionNotAllowed { from: stage, command: name });
    let first_allowed =
        matches!(command, PfcCommand::RecordExpressionOfInterest { .. } | PfcCommand::GrantStatus { legacy: true, .. });
    if !state.is_registered() && !first_allowed {
        return Err(PfcError::NotRegistered);
    }
    let iso3 = state.iso3.clone();
    let since = state.stage_since;
    match command {
        PfcCommand::RecordExpressionOfInterest { iso3, letter_date, signatory_title, ministry, letter_sha256 } => {
            if stage != S::Prospective {
                return refuse();
            }
            if !valid_iso3(&iso3) {
                return Err(PfcError::Iso3Unknown(iso3));
            }
            not_empty(&signatory_title, "signatory_title")?;
            not_empty(&ministry, "ministry")?;
            sha256(&letter_sha256, "letter_sha256")?;
            Ok(vec![PfcEvent::ExpressionOfInterestReceived {
                iso3,
                letter_date,
                signatory_title,
                ministry,
                letter_sha256,
            }])
        }
        PfcCommand::RecordPresentation { meeting_id, presented_on } => {
            if stage != S::InterestExpressed {
                return refuse();
            }
            not_empty(&meeting_id, "meeting_id")?;
            not_before(presented_on, since)?;
            Ok(vec![PfcEvent::CandidacyPresentedToGcg { iso3, meeting_id, presented_on }])
        }
        PfcCommand::AppointFocalPoint { person_ref, title, ministry, effective_on, person } => {
            if !matches!(stage, S::Candidate | S::Onboarding | S::WorkshopHeld) && !stage.holds_status() {
                return refuse();
            }
            if !is_pseudonymous_ref(&person_ref) {
                return Err(PfcError::PersonRefNotPseudonymous);
            }
            match person.filter(|p| p.person_ref == person_ref) {
                None => return Err(PfcError::PersonNotRegistered(person_ref)),
                Some(p) if p.erased => return Err(PfcError::PersonErased(person_ref)),
                Some(p) if p.country != iso3 => {
                    return Err(PfcError::PersonOfAnotherCountry { person: person_ref, country: p.country })
                }
                Some(_) => {}
            }
            not_empty(&title, "title")?;
            not_empty(&ministry, "ministry")?;
            let current = state.focal_point.as_ref();
            if current.is_some_and(|f| f.person_ref == person_ref) {
                return Err(PfcError::FocalPointAlreadyAppointed(person_ref));
            }
            if stage == S::Candidate {
                not_before(effective_on, since)?;
            }
            not_before(effective_on, current.map(|f| f.since))?;
            let replaces = current.map(|f| f.person_ref.clone());
            Ok(vec![PfcEvent::FocalPointAppointed { iso3, person_ref, title, ministry, effective_on, replaces }])
        }
        PfcCommand::EstablishNationalMechanism { name, lead_ministry, members, established_on } => {
            if !matches!(stage, S::Candidate | S::Onboarding | S::WorkshopHeld) && !stage.holds_status() {
                return refuse();
            }
            not_empty(&name, "name")?;
            not_empty(&lead_ministry, "lead_ministry")?;
            if members.iter().any(|m| blank(m)) {
                return Err(PfcError::Empty("members"));
            }
            if stage == S::Candidate {
                not_before(established_on, since)?;
            }
            Ok(vec![PfcEvent::NationalCoordinationMechanismEstablished {
                iso3,
                name,
                lead_ministry,
                members,
                established_on,
            }])
        }
        PfcCommand::RecordStrategicWorkshop {
            held_on,
            participants_count,
            supporting_organisations,
            report_sha256,
        } => {
            if !matches!(stage, S::Onboarding | S::WorkshopHeld) && !stage.holds_status() {
                return refuse();
            }
            if supporting_organisations.iter().any(|o| blank(o)) {
                return Err(PfcError::Empty("supporting_organisations"));
            }
            if let Some(hash) = &report_sha256 {
                sha256(hash, "report_sha256")?;
            }
            if stage == S::Onboarding {
                not_before(held_on, since)?;
            }
            Ok(vec![PfcEvent::StrategicPlanningWorkshopHeld {
                iso3,
                held_on,
                participants_count,
                supporting_organisations,
                report_sha256,
            }])
        }
        PfcCommand::GrantStatus {
            iso3: given,
            effective_on,
            legacy,
            legacy_evidence_sha256,
            authority,
            roadmap_submitted,
        } => {
            if stage.holds_status() || stage.is_terminal() {
                return refuse();
            }
            if state.is_registered() && given != iso3 {
                return Err(PfcError::Iso3Mismatch { expected: iso3, given });
            }
            if !valid_iso3(&given) {
                return Err(PfcError::Iso3Unknown(given));
            }
            let legacy_evidence_sha256 = if legacy {
                match legacy_evidence_sha256 {
                    None => return Err(PfcError::LegacyEvidenceMissing),
                    Some(hash) if !is_sha256_hex(&hash) => return Err(PfcError::LegacyEvidenceInvalid),
                    Some(hash) => Some(hash),
                }
            } else {
                if stage != S::WorkshopHeld {
                    return Err(PfcError::WorkshopNotHeld);
                }
                if !roadmap_submitted {
                    return Err(PfcError::RoadmapNotSubmitted);
                }
                None
            };
            not_before(effective_on, since)?;
            let decision_id = if legacy && authority.is_none() {
                None
            } else {
                let country = given.clone();
                Some(require_decision(
                    authority.as_ref(),
                    "grant_pathfinder_status for this country",
                    |s| matches!(s, DecisionSubject::GrantPathfinderStatus { iso3 } if *iso3 == country),
                )?)
            };
            Ok(vec![PfcEvent::PathfinderStatusGranted {
                iso3: given,
                effective_on,
                decision_id,
                legacy,
                legacy_evidence_sha256,
            }])
        }
        PfcCommand::FlagForReview { flagged_on, reason, policy_version } => {
            if stage != S::Active {
                return refuse();
            }
            not_empty(&policy_version, "policy_version")?;
            not_before(flagged_on, since)?;
            Ok(vec![PfcEvent::PathfinderStatusReviewFlagged { iso3, flagged_on, reason, policy_version }])
        }
        PfcCommand::ClearReview { cleared_on, authority } => {
            if stage != S::UnderReview {
                return refuse();
            }
            not_before(cleared_on, since)?;
            let decision_id = reactivation(authority.as_ref(), &iso3)?;
            Ok(vec![PfcEvent::PathfinderReviewCleared { iso3, cleared_on, decision_id }])
        }
        PfcCommand::MarkInactive { on, reason, authority } => {
            if !matches!(stage, S::Active | S::UnderReview) {
                return refuse();
            }
            not_empty(&reason, "reason")?;
            not_before(on, since)?;
            let country = iso3.clone();
            let decision_id = require_decision(
                authority.as_ref(),
                "mark_pathfinder_inactive for this country",
                |s| matches!(s, DecisionSubject::MarkPathfinderInactive { iso3 } if *iso3 == country),
            )?;
            Ok(vec![PfcEvent::PathfinderMarkedInactive { iso3, on, reason, decision_id }])
        }
        PfcCommand::Reactivate { on, authority } => {
            if stage != S::Inactive {
                return refuse();
            }
            not_before(on, since)?;
            let decision_id = reactivation(authority.as_ref(), &iso3)?;
            Ok(vec![PfcEvent::PathfinderReactivated { iso3, on, decision_id }])
        }
        PfcCommand::Withdraw { on, letter_sha256 } => {
            if stage.is_terminal() {
                return refuse();
            }
            sha256(&letter_sha256, "letter_sha256")?;
            not_before(on, since)?;
            Ok(vec![PfcEvent::PathfinderWithdrew { iso3, on, letter_sha256 }])
        }
        PfcCommand::Revoke { on, reason, authority } => {
            if !stage.holds_status() {
                return refuse();
            }
            not_empty(&reason, "reason")?;
            not_before(on, since)?;
            let country = iso3.clone();
            let decision_id = require_decision(
                authority.as_ref(),
                "revoke_pathfinder_status for this country",
                |s| matches!(s, DecisionSubject::RevokePathfinderStatus { iso3 } if *iso3 == country),
            )?;
            Ok(vec![PfcEvent::PathfinderStatusRevoked { iso3, on, reason, decision_id }])
        }
        PfcCommand::StartSupport { organisation, project_ref, on } => {
            if stage.is_terminal() {
                return refuse();
            }
            not_empty(&organisation, "organisation")?;
            if project_ref.as_deref().is_some_and(blank) {
                return Err(PfcError::Empty("project_ref"));
            }
            if state.support.iter().any(|s| s.organisation == organisation && s.until.is_none()) {
                return Err(PfcError::SupportAlreadyOpen(organisation));
            }
            Ok(vec![PfcEvent::InCountrySupportStarted { iso3, organisation, project_ref, on }])
        }
        PfcCommand::EndSupport { organisation, on, reason } => {
            let open = state
                .support
                .iter()
                .find(|s| s.organisation == organisation && s.until.is_none())
                .ok_or_else(|| PfcError::SupportNotOpen(organisation.clone()))?;
            not_before(on, Some(open.from))?;
            Ok(vec![PfcEvent::InCountrySupportEnded { iso3, organisation, on, reason }])
        }
    }
}

/// A decision reactivating `iso3` (used to clear a review and to reactivate).
fn reactivation(authority: Option<&DecisionFacts>, country: &str) -> Result<String, AuthorityError> {
    require_decision(
        authority,
        "reactivate_pathfinder for this country",
        |s| matches!(s, DecisionSubject::ReactivatePathfinder { iso3 } if iso3 == country),
    )
}

fn enter(state: &mut PathfinderCountry, stage: PfcStage, since: NaiveDate) {
    state.stage = stage;
    state.stage_since = Some(since);
    state.stage_history.push((stage, since));
}

/// Folds one event into the country's state.
pub fn evolve(state: &mut PathfinderCountry, event: PfcEvent) {
    use PfcStage as S;
    match event {
        PfcEvent::ExpressionOfInterestReceived { iso3, letter_date, .. } => {
            state.iso3 = iso3;
            state.interest_expressed_on = Some(letter_date);
            enter(state, S::InterestExpressed, letter_date);
        }
        PfcEvent::CandidacyPresentedToGcg { presented_on, .. } => enter(state, S::Candidate, presented_on),
        PfcEvent::FocalPointAppointed { person_ref, title, ministry, effective_on, .. } => {
            state.focal_point = Some(FocalPoint { person_ref, title, ministry, since: effective_on });
            if state.stage == S::Candidate {
                enter(state, S::Onboarding, effective_on);
            }
        }
        PfcEvent::NationalCoordinationMechanismEstablished { name, lead_ministry, members, established_on, .. } => {
            state.mechanism = Some(NationalMechanism { name, lead_ministry, members, established_on });
            if state.stage == S::Candidate {
                enter(state, S::Onboarding, established_on);
            }
        }
        PfcEvent::StrategicPlanningWorkshopHeld { held_on, .. } => {
            state.workshop_held_on.get_or_insert(held_on);
            if state.stage == S::Onboarding {
                enter(state, S::WorkshopHeld, held_on);
            }
        }
        PfcEvent::PathfinderStatusGranted { iso3, effective_on, legacy, .. } => {
            state.iso3 = iso3;
            state.status_granted_on = Some(effective_on);
            state.legacy = legacy;
            enter(state, S::Active, effective_on);
        }
        PfcEvent::PathfinderStatusReviewFlagged { flagged_on, .. } => enter(state, S::UnderReview, flagged_on),
        PfcEvent::PathfinderReviewCleared { cleared_on, .. } => enter(state, S::Active, cleared_on),
        PfcEvent::PathfinderMarkedInactive { on, .. } => enter(state, S::Inactive, on),
        PfcEvent::PathfinderReactivated { on, .. } => enter(state, S::Active, on),
        PfcEvent::PathfinderWithdrew { on, .. } => enter(state, S::Withdrawn, on),
        PfcEvent::PathfinderStatusRevoked { on, .. } => enter(state, S::Revoked, on),
        PfcEvent::InCountrySupportStarted { organisation, project_ref, on, .. } => {
            state.support.push(Support { organisation, project_ref, from: on, until: None, end_reason: None })
        }
        PfcEvent::InCountrySupportEnded { organisation, on, reason, .. } => {
            if let Some(s) = state.support.iter_mut().find(|s| s.organisation == organisation && s.until.is_none()) {
                s.until = Some(on);
                s.end_reason = Some(reason);
            }
        }
    }
}

impl Aggregate for PathfinderCountry {
    const TYPE: &'static str = "pfc";
    type Command = PfcCommand;
    type Event = PfcEvent;
    type Error = PfcError;
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

crate::dated_command!(PfcCommand, |command| match command {
    PfcCommand::RecordExpressionOfInterest { letter_date, .. } => Occurred(*letter_date),
    PfcCommand::RecordPresentation { presented_on, .. } => Occurred(*presented_on),
    PfcCommand::AppointFocalPoint { effective_on, .. } | PfcCommand::GrantStatus { effective_on, .. } => {
        Planned(*effective_on)
    }
    PfcCommand::EstablishNationalMechanism { established_on, .. } => Occurred(*established_on),
    PfcCommand::RecordStrategicWorkshop { held_on, .. } => Occurred(*held_on),
    PfcCommand::FlagForReview { flagged_on, .. } => Occurred(*flagged_on),
    PfcCommand::ClearReview { cleared_on, .. } => Occurred(*cleared_on),
    PfcCommand::MarkInactive { on, .. }
    | PfcCommand::Reactivate { on, .. }
    | PfcCommand::Withdraw { on, .. }
    | PfcCommand::Revoke { on, .. }
    | PfcCommand::StartSupport { on, .. }
    | PfcCommand::EndSupport { on, .. } => Occurred(*on),
});
