//! The `Roadmap` aggregate (`roadmap:{ISO3}/v{n}`): one version of a country's national
//! SDG 8.7 roadmap, with its priorities, actions (responsibility, timeline, budget) and
//! indicators.
//!
//! ```text
//! Draft --submit--> Submitted <--resubmit / request revision--> RevisionRequested
//! Submitted --validate nationally--> ValidatedNationally (optional)
//! Submitted | ValidatedNationally --Endorse(decision)--> Endorsed --launch--> Launched
//! Endorsed | Launched --supersede--> Superseded ; --expire (clock, after period_end)--> Expired
//! ```
//!
//! Versions of a country's roadmap increase (the edge passes the country's current
//! version); the id is `{ISO3}/v{version}`. The document endorsed by the GCG is frozen:
//! once endorsed no document can be submitted under this id, only a new version drafted.
//! Whether the GCG "endorses" or "takes note" is policy; the event records the wording.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::blank;
use super::policy::EndorsementWording;
use super::valid_iso3;
use crate::authority::{is_sha256_hex, require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;

/// An amount of money in integer minor units (cents) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Minor units, e.g. cents; never negative in a roadmap.
    pub amount_minor: i64,
    /// ISO 4217 code, three capital letters, e.g. `USD`.
    pub currency: String,
}

/// A roadmap priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Priority {
    /// Unique within the roadmap, e.g. `P1`.
    pub code: String,
    pub text: String,
}

/// A key action of a roadmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoadmapAction {
    pub text: String,
    pub responsible_organisation: String,
    /// As the roadmap states it, e.g. `2026-2027` or `Q3 2026`.
    pub timeline: String,
    pub budget: Option<Money>,
}

/// An indicator to measure progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    /// Unique within the roadmap; country reports give values by this code.
    pub code: String,
    pub name: String,
    pub baseline: Option<String>,
    pub target: Option<String>,
}

/// Edge fact: the country's current roadmap, if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentRoadmap {
    pub roadmap_id: String,
    pub version: u32,
}

/// Edge fact: what the edge read about another roadmap (the superseding one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoadmapFacts {
    pub iso3: String,
    pub version: u32,
}

/// Where a roadmap is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoadmapStatus {
    /// Nothing recorded yet.
    #[default]
    NotDrafted,
    /// Drafted, no document submitted yet.
    Draft,
    /// A document is submitted and under consideration.
    Submitted,
    /// Sent back for a revised document.
    RevisionRequested,
    /// Validated by a national body (optional step).
    ValidatedNationally,
    /// Endorsed (or taken note of) by the GCG; the document is frozen.
    Endorsed,
    /// Launched by the country: in implementation.
    Launched,
    /// Replaced by a newer version.
    Superseded,
    /// Its period has ended.
    Expired,
}

impl RoadmapStatus {
    /// Whether the GCG has endorsed the document (which is then frozen).
    pub fn is_endorsed(self) -> bool {
        matches!(
            self,
            RoadmapStatus::Endorsed | RoadmapStatus::Launched | RoadmapStatus::Superseded | RoadmapStatus::Expired
        )
    }

    /// Whether this is the country's roadmap in force (endorsed or launched).
    pub fn is_in_force(self) -> bool {
        matches!(self, RoadmapStatus::Endorsed | RoadmapStatus::Launched)
    }

    /// Whether a document has been submitted (the fact `GrantStatus` needs).
    pub fn is_submitted(self) -> bool {
        !matches!(self, RoadmapStatus::NotDrafted | RoadmapStatus::Draft)
    }
}

/// Roadmap commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoadmapCommand {
    /// Drafts a new roadmap version; the stream's first command.
    Draft {
        /// `{iso3}/v{version}`, e.g. `NPL/v2`.
        roadmap_id: String,
        iso3: String,
        version: u32,
        title: String,
        period_start: NaiveDate,
        period_end: NaiveDate,
        priorities: Vec<Priority>,
        actions: Vec<RoadmapAction>,
        indicators: Vec<Indicator>,
        /// Edge fact: the country's current roadmap, if any.
        #[serde(skip)]
        current: Option<CurrentRoadmap>,
    },
    /// Submits the roadmap document.
    Submit { doc_sha256: String, submitted_on: NaiveDate },
    /// Feedback on the submitted roadmap (Secretariat, SDG Monitoring WG, GCG members).
    ProvideFeedback { by_organisation: String, summary_sha256: String, on: NaiveDate },
    /// Asks for a revised document.
    RequestRevision { points: Vec<String>, on: NaiveDate },
    /// Submits the revised document.
    Resubmit { doc_sha256: String, on: NaiveDate },
    /// The country validated the roadmap nationally.
    ValidateNationally { validating_body: String, on: NaiveDate },
    /// The GCG endorses the roadmap (decision `endorse_roadmap` for this roadmap).
    Endorse {
        on: NaiveDate,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
        /// Edge fact: the policy's endorsement wording.
        #[serde(skip)]
        wording: EndorsementWording,
    },
    /// The country launched the roadmap.
    Launch { on: NaiveDate },
    /// A newer version of the country's roadmap replaces this one.
    Supersede {
        by_roadmap_id: String,
        on: NaiveDate,
        /// Edge fact: the superseding roadmap, if it exists.
        #[serde(skip)]
        by: Option<RoadmapFacts>,
    },
    /// The roadmap's period has ended; issued by the clock process.
    Expire { on: NaiveDate },
}

impl RoadmapCommand {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            RoadmapCommand::Draft { .. } => "draft",
            RoadmapCommand::Submit { .. } => "submit",
            RoadmapCommand::ProvideFeedback { .. } => "provide_feedback",
            RoadmapCommand::RequestRevision { .. } => "request_revision",
            RoadmapCommand::Resubmit { .. } => "resubmit",
            RoadmapCommand::ValidateNationally { .. } => "validate_nationally",
            RoadmapCommand::Endorse { .. } => "endorse",
            RoadmapCommand::Launch { .. } => "launch",
            RoadmapCommand::Supersede { .. } => "supersede",
            RoadmapCommand::Expire { .. } => "expire",
        }
    }
}

/// Roadmap events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoadmapEvent {
    /// → Draft.
    RoadmapDrafted {
        roadmap_id: String,
        iso3: String,
        version: u32,
        title: String,
        period_start: NaiveDate,
        period_end: NaiveDate,
        priorities: Vec<Priority>,
        actions: Vec<RoadmapAction>,
        indicators: Vec<Indicator>,
    },
    /// Draft → Submitted.
    RoadmapSubmitted { roadmap_id: String, doc_sha256: String, submitted_on: NaiveDate },
    /// No change of status.
    RoadmapFeedbackProvided { roadmap_id: String, by_organisation: String, summary_sha256: String, on: NaiveDate },
    /// Submitted | ValidatedNationally → RevisionRequested.
    RoadmapRevisionRequested { roadmap_id: String, points: Vec<String>, on: NaiveDate },
    /// RevisionRequested → Submitted, with the new document.
    RoadmapResubmitted { roadmap_id: String, doc_sha256: String, on: NaiveDate },
    /// Submitted → ValidatedNationally.
    RoadmapValidatedNationally { roadmap_id: String, validating_body: String, on: NaiveDate },
    /// Records the wording applied and the (now frozen) document.
    RoadmapEndorsed {
        roadmap_id: String,
        on: NaiveDate,
        decision_id: String,
        wording: EndorsementWording,
        doc_sha256: String,
    },
    /// Endorsed → Launched.
    RoadmapLaunched { roadmap_id: String, on: NaiveDate },
    /// Endorsed | Launched → Superseded.
    RoadmapSuperseded { roadmap_id: String, by_roadmap_id: String, on: NaiveDate },
    /// Endorsed | Launched → Expired.
    RoadmapExpired { roadmap_id: String, on: NaiveDate },
}

impl DomainEvent for RoadmapEvent {
    fn event_type(&self) -> String {
        match self {
            RoadmapEvent::RoadmapDrafted { .. } => "RoadmapDrafted",
            RoadmapEvent::RoadmapSubmitted { .. } => "RoadmapSubmitted",
            RoadmapEvent::RoadmapFeedbackProvided { .. } => "RoadmapFeedbackProvided",
            RoadmapEvent::RoadmapRevisionRequested { .. } => "RoadmapRevisionRequested",
            RoadmapEvent::RoadmapResubmitted { .. } => "RoadmapResubmitted",
            RoadmapEvent::RoadmapValidatedNationally { .. } => "RoadmapValidatedNationally",
            RoadmapEvent::RoadmapEndorsed { .. } => "RoadmapEndorsed",
            RoadmapEvent::RoadmapLaunched { .. } => "RoadmapLaunched",
            RoadmapEvent::RoadmapSuperseded { .. } => "RoadmapSuperseded",
            RoadmapEvent::RoadmapExpired { .. } => "RoadmapExpired",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a roadmap command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoadmapError {
    #[error("the roadmap has not been drafted")]
    NotDrafted,
    #[error("the roadmap is already drafted")]
    AlreadyDrafted,
    #[error("{command} is not allowed when the roadmap is {}", crate::snake(.from))]
    TransitionNotAllowed { from: RoadmapStatus, command: &'static str },
    #[error("code {0} is not an ISO 3166-1 alpha-3 country code")]
    Iso3Unknown(String),
    #[error("the roadmap id must be {expected}")]
    IdMismatch { expected: String },
    #[error("version must be greater than {current}, the country's current roadmap version")]
    VersionNotNewer { current: u32 },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("a roadmap period ends after it starts")]
    PeriodInvalid,
    #[error("currency {0} is not an ISO 4217 code (three capital letters)")]
    CurrencyInvalid(String),
    #[error("budget amounts must not be negative")]
    AmountNegative,
    #[error("code {0} is used twice")]
    CodeDuplicated(String),
    #[error("{0} must be a SHA-256 (64 lowercase hex digits)")]
    DocumentHashInvalid(&'static str),
    #[error("the endorsed document is frozen; draft a new version instead")]
    DocumentFrozen,
    #[error("the resubmitted document is the one already submitted")]
    DocumentUnchanged,
    #[error("a revision request lists at least one point, none blank")]
    RevisionPointsEmpty,
    #[error("date {date} is before {earliest}, the last recorded change")]
    DateOutOfOrder { date: NaiveDate, earliest: NaiveDate },
    #[error("the superseding roadmap is not recorded")]
    SupersedingUnknown,
    #[error("the superseding roadmap is for {0}, another country")]
    SupersedingOtherCountry(String),
    #[error("the superseding roadmap's version {0} is not newer")]
    SupersedingNotNewer(u32),
    #[error("the roadmap period runs until {0}; it expires only after that")]
    PeriodNotEnded(NaiveDate),
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl RoadmapError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            RoadmapError::NotDrafted => "roadmap_not_drafted",
            RoadmapError::AlreadyDrafted => "roadmap_already_drafted",
            RoadmapError::TransitionNotAllowed { .. } => "roadmap_transition_not_allowed",
            RoadmapError::Iso3Unknown(_) => "iso3_unknown",
            RoadmapError::IdMismatch { .. } => "roadmap_id_mismatch",
            RoadmapError::VersionNotNewer { .. } => "roadmap_version_not_newer",
            RoadmapError::Empty(_) => "field_empty",
            RoadmapError::PeriodInvalid => "roadmap_period_invalid",
            RoadmapError::CurrencyInvalid(_) => "currency_invalid",
            RoadmapError::AmountNegative => "amount_negative",
            RoadmapError::CodeDuplicated(_) => "roadmap_code_duplicated",
            RoadmapError::DocumentHashInvalid(_) => "document_hash_invalid",
            RoadmapError::DocumentFrozen => "roadmap_document_frozen",
            RoadmapError::DocumentUnchanged => "roadmap_document_unchanged",
            RoadmapError::RevisionPointsEmpty => "revision_points_empty",
            RoadmapError::DateOutOfOrder { .. } => "roadmap_date_out_of_order",
            RoadmapError::SupersedingUnknown => "superseding_roadmap_unknown",
            RoadmapError::SupersedingOtherCountry(_) => "superseding_roadmap_other_country",
            RoadmapError::SupersedingNotNewer(_) => "superseding_roadmap_not_newer",
            RoadmapError::PeriodNotEnded(_) => "roadmap_period_not_ended",
            RoadmapError::Authority(e) => e.rule(),
        }
    }
}

/// A roadmap's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roadmap {
    pub roadmap_id: String,
    pub iso3: String,
    pub version: u32,
    pub title: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub indicators: Vec<Indicator>,
    pub status: RoadmapStatus,
    /// The day of the last change of status (`None` while a draft).
    pub status_since: Option<NaiveDate>,
    /// The document last submitted (frozen once endorsed).
    pub doc_sha256: Option<String>,
    pub submitted_on: Option<NaiveDate>,
    pub endorsed_on: Option<NaiveDate>,
    pub wording: Option<EndorsementWording>,
    pub launched_on: Option<NaiveDate>,
    pub superseded_by: Option<String>,
}

/// Whether `code` looks like an ISO 4217 code (three capital ASCII letters).
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn not_empty(value: &str, field: &'static str) -> Result<(), RoadmapError> {
    if blank(value) {
        return Err(RoadmapError::Empty(field));
    }
    Ok(())
}

fn sha256(value: &str, field: &'static str) -> Result<(), RoadmapError> {
    if !is_sha256_hex(value) {
        return Err(RoadmapError::DocumentHashInvalid(field));
    }
    Ok(())
}

fn unique<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<(), RoadmapError> {
    let mut seen = std::collections::BTreeSet::new();
    for code in codes {
        if !seen.insert(code) {
            return Err(RoadmapError::CodeDuplicated(code.to_string()));
        }
    }
    Ok(())
}

fn validate_content(
    priorities: &[Priority],
    actions: &[RoadmapAction],
    indicators: &[Indicator],
) -> Result<(), RoadmapError> {
    for p in priorities {
        not_empty(&p.code, "priorities.code")?;
        not_empty(&p.text, "priorities.text")?;
    }
    unique(priorities.iter().map(|p| p.code.as_str()))?;
    for a in actions {
        not_empty(&a.text, "actions.text")?;
        not_empty(&a.responsible_organisation, "actions.responsible_organisation")?;
        not_empty(&a.timeline, "actions.timeline")?;
        if let Some(budget) = &a.budget {
            if !is_currency_code(&budget.currency) {
                return Err(RoadmapError::CurrencyInvalid(budget.currency.clone()));
            }
            if budget.amount_minor < 0 {
                return Err(RoadmapError::AmountNegative);
            }
        }
    }
    for i in indicators {
        not_empty(&i.code, "indicators.code")?;
        not_empty(&i.name, "indicators.name")?;
    }
    unique(indicators.iter().map(|i| i.code.as_str()))
}

/// Decides a roadmap command against the roadmap's state.
pub fn decide(state: &Roadmap, command: RoadmapCommand) -> Result<Vec<RoadmapEvent>, RoadmapError> {
    use RoadmapStatus as S;
    let status = state.status;
    if status == S::NotDrafted && !matches!(command, RoadmapCommand::Draft { .. }) {
        return Err(RoadmapError::NotDrafted);
    }
    let name = command.name();
    let refuse = || Err(RoadmapError::TransitionNotAllowed { from: status, command: name });
    let not_before = |date: NaiveDate| match state.status_since {
        Some(earliest) if date < earliest => Err(RoadmapError::DateOutOfOrder { date, earliest }),
        _ => Ok(()),
    };
    let roadmap_id = state.roadmap_id.clone();
    match command {
        RoadmapCommand::Draft {
            roadmap_id,
            iso3,
            version,
            title,
            period_start,
            period_end,
            priorities,
            actions,
            indicators,
            current,
        } => {
            if status != S::NotDrafted {
                return Err(RoadmapError::AlreadyDrafted);
            }
            if !valid_iso3(&iso3) {
                return Err(RoadmapError::Iso3Unknown(iso3));
            }
            let current = current.map_or(0, |c| c.version);
            if version <= current {
                return Err(RoadmapError::VersionNotNewer { current });
            }
            let expected = format!("{iso3}/v{version}");
            if roadmap_id != expected {
                return Err(RoadmapError::IdMismatch { expected });
            }
            not_empty(&title, "title")?;
            if period_end <= period_start {
                return Err(RoadmapError::PeriodInvalid);
            }
            validate_content(&priorities, &actions, &indicators)?;
            Ok(vec![RoadmapEvent::RoadmapDrafted {
                roadmap_id,
                iso3,
                version,
                title,
                period_start,
                period_end,
                priorities,
                actions,
                indicators,
            }])
        }
        RoadmapCommand::Submit { doc_sha256, submitted_on } => {
            if status.is_endorsed() {
                return Err(RoadmapError::DocumentFrozen);
            }
            if status != S::Draft {
                return refuse();
            }
            sha256(&doc_sha256, "doc_sha256")?;
            Ok(vec![RoadmapEvent::RoadmapSubmitted { roadmap_id, doc_sha256, submitted_on }])
        }
        RoadmapCommand::ProvideFeedback { by_organisation, summary_sha256, on } => {
            if !matches!(status, S::Submitted | S::RevisionRequested | S::ValidatedNationally) {
                return refuse();
            }
            not_empty(&by_organisation, "by_organisation")?;
            sha256(&summary_sha256, "summary_sha256")?;
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapFeedbackProvided { roadmap_id, by_organisation, summary_sha256, on }])
        }
        RoadmapCommand::RequestRevision { points, on } => {
            if !matches!(status, S::Submitted | S::ValidatedNationally) {
                return refuse();
            }
            if points.is_empty() || points.iter().any(|p| blank(p)) {
                return Err(RoadmapError::RevisionPointsEmpty);
            }
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapRevisionRequested { roadmap_id, points, on }])
        }
        RoadmapCommand::Resubmit { doc_sha256, on } => {
            if status.is_endorsed() {
                return Err(RoadmapError::DocumentFrozen);
            }
            if status != S::RevisionRequested {
                return refuse();
            }
            sha256(&doc_sha256, "doc_sha256")?;
            if state.doc_sha256.as_deref() == Some(doc_sha256.as_str()) {
                return Err(RoadmapError::DocumentUnchanged);
            }
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapResubmitted { roadmap_id, doc_sha256, on }])
        }
        RoadmapCommand::ValidateNationally { validating_body, on } => {
            if status != S::Submitted {
                return refuse();
            }
            not_empty(&validating_body, "validating_body")?;
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapValidatedNationally { roadmap_id, validating_body, on }])
        }
        RoadmapCommand::Endorse { on, authority, wording } => {
            if !matches!(status, S::Submitted | S::ValidatedNationally) {
                return refuse();
            }
            not_before(on)?;
            let id = roadmap_id.clone();
            let decision_id = require_decision(
                authority.as_ref(),
                "endorse_roadmap for this roadmap",
                |s| matches!(s, DecisionSubject::EndorseRoadmap { roadmap_id } if *roadmap_id == id),
            )?;
            let doc_sha256 = state.doc_sha256.clone().unwrap_or_default();
            Ok(vec![RoadmapEvent::RoadmapEndorsed { roadmap_id, on, decision_id, wording, doc_sha256 }])
        }
        RoadmapCommand::Launch { on } => {
            if status != S::Endorsed {
                return refuse();
            }
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapLaunched { roadmap_id, on }])
        }
        RoadmapCommand::Supersede { by_roadmap_id, on, by } => {
            if !status.is_in_force() {
                return refuse();
            }
            not_empty(&by_roadmap_id, "by_roadmap_id")?;
            let by = by.ok_or(RoadmapError::SupersedingUnknown)?;
            if by.iso3 != state.iso3 {
                return Err(RoadmapError::SupersedingOtherCountry(by.iso3));
            }
            if by.version <= state.version {
                return Err(RoadmapError::SupersedingNotNewer(by.version));
            }
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapSuperseded { roadmap_id, by_roadmap_id, on }])
        }
        RoadmapCommand::Expire { on } => {
            if !status.is_in_force() {
                return refuse();
            }
            let period_end = state.period_end.unwrap_or(NaiveDate::MAX);
            if on <= period_end {
                return Err(RoadmapError::PeriodNotEnded(period_end));
            }
            not_before(on)?;
            Ok(vec![RoadmapEvent::RoadmapExpired { roadmap_id, on }])
        }
    }
}

/// Folds one event into the roadmap's state.
pub fn evolve(state: &mut Roadmap, event: RoadmapEvent) {
    use RoadmapStatus as S;
    match event {
        RoadmapEvent::RoadmapDrafted {
            roadmap_id, iso3, version, title, period_start, period_end, indicators, ..
        } => {
            state.roadmap_id = roadmap_id;
            state.iso3 = iso3;
            state.version = version;
            state.title = title;
            state.period_start = Some(period_start);
            state.period_end = Some(period_end);
            state.indicators = indicators;
            state.status = S::Draft;
        }
        RoadmapEvent::RoadmapSubmitted { doc_sha256, submitted_on, .. } => {
            state.doc_sha256 = Some(doc_sha256);
            state.submitted_on = Some(submitted_on);
            state.status = S::Submitted;
            state.status_since = Some(submitted_on);
        }
        RoadmapEvent::RoadmapFeedbackProvided { .. } => {}
        RoadmapEvent::RoadmapRevisionRequested { on, .. } => {
            state.status = S::RevisionRequested;
            state.status_since = Some(on);
        }
        RoadmapEvent::RoadmapResubmitted { doc_sha256, on, .. } => {
            state.doc_sha256 = Some(doc_sha256);
            state.status = S::Submitted;
            state.status_since = Some(on);
        }
        RoadmapEvent::RoadmapValidatedNationally { on, .. } => {
            state.status = S::ValidatedNationally;
            state.status_since = Some(on);
        }
        RoadmapEvent::RoadmapEndorsed { on, wording, .. } => {
            state.endorsed_on = Some(on);
            state.wording = Some(wording);
            state.status = S::Endorsed;
            state.status_since = Some(on);
        }
        RoadmapEvent::RoadmapLaunched { on, .. } => {
            state.launched_on = Some(on);
            state.status = S::Launched;
            state.status_since = Some(on);
        }
        RoadmapEvent::RoadmapSuperseded { by_roadmap_id, on, .. } => {
            state.superseded_by = Some(by_roadmap_id);
            state.status = S::Superseded;
            state.status_since = Some(on);
        }
        RoadmapEvent::RoadmapExpired { on, .. } => {
            state.status = S::Expired;
            state.status_since = Some(on);
        }
    }
}

impl Aggregate for Roadmap {
    const TYPE: &'static str = "roadmap";
    type Command = RoadmapCommand;
    type Event = RoadmapEvent;
    type Error = RoadmapError;
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

crate::dated_command!(RoadmapCommand, |command| match command {
    RoadmapCommand::Draft { period_start, .. } => Planned(*period_start),
    RoadmapCommand::Submit { submitted_on, .. } => Occurred(*submitted_on),
    RoadmapCommand::ProvideFeedback { on, .. }
    | RoadmapCommand::RequestRevision { on, .. }
    | RoadmapCommand::Resubmit { on, .. }
    | RoadmapCommand::ValidateNationally { on, .. }
    | RoadmapCommand::Endorse { on, .. }
    | RoadmapCommand::Launch { on }
    | RoadmapCommand::Supersede { on, .. }
    | RoadmapCommand::Expire { on } => Occurred(*on),
});
