//! The `CountryReport` aggregate (`country_report:{cycle_id}/{ISO3}`): one country's
//! report in one reporting cycle.
//!
//! ```text
//! Expected --mark overdue (clock, after the deadline)--> Overdue
//! Expected | Overdue --submit--> Submitted --assign reviewers--> UnderReview
//! Submitted | UnderReview --request revision--> RevisionRequested --resubmit--> Submitted | UnderReview
//! UnderReview --approve--> Approved --publish--> Published (immutable)
//! Expected | Overdue --Waive(decision)--> Waived
//! ```
//!
//! A report exists as `Expected` before anything is recorded: the stream's first event is
//! its submission, its overdue mark or its waiver, each naming the cycle and country. Only
//! countries the cycle expects may report; a report submitted after the deadline (even
//! after an overdue mark) is accepted and recorded as late, with the days late. Who
//! approves is policy ([`ReportApproval`]): the SDG Monitoring Working Group on an
//! approving review, or the GCG by a decision of subject `approve_report`.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::cycle::CycleFacts;
use super::policy::ReportApproval;
use super::{blank, is_web_url, valid_iso3};
use crate::authority::{is_sha256_hex, require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;

/// The number of narrative questions in the reporting template.
pub const NARRATIVE_QUESTIONS: usize = 5;

/// One indicator's reported value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorValue {
    /// The roadmap indicator's code.
    pub code: String,
    /// As reported (text, so that no float ever enters the ledger).
    pub value: String,
    pub unit: String,
    /// Where the value comes from (survey, administrative data…).
    pub source: String,
}

/// A reviewer's recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Recommendation {
    /// Approve the report.
    Approve,
    /// Ask for a revision.
    Revise,
}

/// Where a country report is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportStatus {
    /// Nothing recorded yet: the report is awaited.
    #[default]
    Expected,
    /// The deadline passed without a report.
    Overdue,
    /// Submitted, no reviewer assigned yet.
    Submitted,
    /// With its assigned reviewers.
    UnderReview,
    /// Sent back for revision.
    RevisionRequested,
    /// Approved, not yet published.
    Approved,
    /// Published; immutable.
    Published,
    /// Waived by a GCG decision.
    Waived,
}

/// Country report commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportCommand {
    /// Submits the report (the country's focal point, or the Secretariat on its behalf).
    Submit {
        cycle_id: String,
        iso3: String,
        /// The roadmap reported on, e.g. `NPL/v2`.
        roadmap_id: String,
        indicators: Vec<IndicatorValue>,
        /// Answers to the five narrative questions, in order.
        narrative: Vec<String>,
        submitted_on: NaiveDate,
        /// Edge fact: the reporting cycle.
        #[serde(skip)]
        cycle: Option<CycleFacts>,
    },
    /// Assigns reviewers (SDG Monitoring Working Group members).
    AssignReviewer { reviewers: Vec<String>, on: NaiveDate },
    /// An assigned reviewer's review.
    Review { reviewer: String, recommendation: Recommendation, comments_sha256: String, on: NaiveDate },
    /// Asks the country for a revised report.
    RequestRevision { points: Vec<String>, on: NaiveDate },
    /// The revised report.
    Resubmit { indicators: Vec<IndicatorValue>, narrative: Vec<String>, on: NaiveDate },
    /// Approves the report as the policy says.
    Approve {
        approved_on: NaiveDate,
        /// Edge fact: who approves reports under the policy in force.
        #[serde(skip)]
        approval: ReportApproval,
        /// Edge fact: the cited decision (subject `approve_report`), when the policy needs one.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    /// Publishes the approved report.
    Publish { published_on: NaiveDate, url: String },
    /// The deadline has passed without a report; issued by the clock process.
    MarkOverdue {
        cycle_id: String,
        iso3: String,
        as_of: NaiveDate,
        /// Edge fact: the reporting cycle.
        #[serde(skip)]
        cycle: Option<CycleFacts>,
    },
    /// Waives the report (decision `waive_report` for this country and cycle).
    Waive {
        cycle_id: String,
        iso3: String,
        reason: String,
        on: NaiveDate,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
}

impl ReportCommand {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            ReportCommand::Submit { .. } => "submit",
            ReportCommand::AssignReviewer { .. } => "assign_reviewer",
            ReportCommand::Review { .. } => "review",
            ReportCommand::RequestRevision { .. } => "request_revision",
            ReportCommand::Resubmit { .. } => "resubmit",
            ReportCommand::Approve { .. } => "approve",
            ReportCommand::Publish { .. } => "publish",
            ReportCommand::MarkOverdue { .. } => "mark_overdue",
            ReportCommand::Waive { .. } => "waive",
        }
    }
}

/// Country report events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportEvent {
    /// Expected | Overdue → Submitted; the stream's first event unless overdue was marked.
    ReportSubmitted {
        report_id: String,
        cycle_id: String,
        iso3: String,
        roadmap_id: String,
        indicators: Vec<IndicatorValue>,
        narrative: Vec<String>,
        submitted_on: NaiveDate,
        /// Submitted after the deadline in force.
        late: bool,
        /// Days after the deadline (0 when on time).
        days_late: u32,
    },
    /// Submitted | UnderReview → UnderReview.
    ReportReviewAssigned { report_id: String, reviewers: Vec<String>, on: NaiveDate },
    /// No change of status.
    ReportReviewed {
        report_id: String,
        reviewer: String,
        recommendation: Recommendation,
        comments_sha256: String,
        on: NaiveDate,
    },
    /// Submitted | UnderReview → RevisionRequested.
    ReportRevisionRequested { report_id: String, points: Vec<String>, on: NaiveDate },
    /// RevisionRequested → UnderReview (or Submitted when no reviewer is assigned); a new review round.
    ReportResubmitted { report_id: String, indicators: Vec<IndicatorValue>, narrative: Vec<String>, on: NaiveDate },
    /// UnderReview → Approved.
    ReportApproved { report_id: String, approved_on: NaiveDate, approval: ReportApproval, decision_id: Option<String> },
    /// Approved → Published.
    ReportPublished { report_id: String, url: String, published_on: NaiveDate },
    /// Expected → Overdue.
    ReportOverdue { report_id: String, cycle_id: String, iso3: String, as_of: NaiveDate, days_late: u32 },
    /// Expected | Overdue → Waived.
    ReportWaived {
        report_id: String,
        cycle_id: String,
        iso3: String,
        reason: String,
        on: NaiveDate,
        decision_id: String,
    },
}

impl DomainEvent for ReportEvent {
    fn event_type(&self) -> String {
        match self {
            ReportEvent::ReportSubmitted { .. } => "ReportSubmitted",
            ReportEvent::ReportReviewAssigned { .. } => "ReportReviewAssigned",
            ReportEvent::ReportReviewed { .. } => "ReportReviewed",
            ReportEvent::ReportRevisionRequested { .. } => "ReportRevisionRequested",
            ReportEvent::ReportResubmitted { .. } => "ReportResubmitted",
            ReportEvent::ReportApproved { .. } => "ReportApproved",
            ReportEvent::ReportPublished { .. } => "ReportPublished",
            ReportEvent::ReportOverdue { .. } => "ReportOverdue",
            ReportEvent::ReportWaived { .. } => "ReportWaived",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a country report command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{command} is not allowed when the report is {}", crate::snake(.from))]
    TransitionNotAllowed { from: ReportStatus, command: &'static str },
    #[error("this is report {expected}, not {given}")]
    IdMismatch { expected: String, given: String },
    #[error("code {0} is not an ISO 3166-1 alpha-3 country code")]
    Iso3Unknown(String),
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("the reporting cycle is not launched")]
    CycleUnknown,
    #[error("the reporting cycle is closed")]
    CycleClosed,
    #[error("country {0} is not expected to report in this cycle")]
    CountryNotExpected(String),
    #[error("roadmap {0} is not this country's")]
    RoadmapOtherCountry(String),
    #[error("the narrative answers the {NARRATIVE_QUESTIONS} questions, none blank ({0} answers given)")]
    NarrativeIncomplete(usize),
    #[error("indicator {0} is reported twice")]
    IndicatorDuplicated(String),
    #[error("at least one reviewer is assigned, none blank")]
    ReviewersEmpty,
    #[error("reviewer {0} is already assigned")]
    ReviewerAlreadyAssigned(String),
    #[error("reviewer {0} is not assigned to this report")]
    ReviewerNotAssigned(String),
    #[error("{0} must be a SHA-256 (64 lowercase hex digits)")]
    DocumentHashInvalid(&'static str),
    #[error("a revision request lists at least one point, none blank")]
    RevisionPointsEmpty,
    #[error("no assigned reviewer recommends approval")]
    NoApprovingReview,
    #[error("only an approved report is published")]
    NotApproved,
    #[error("a published report is immutable")]
    PublishedImmutable,
    #[error("the deadline {0} has not passed")]
    NotYetDue(NaiveDate),
    #[error("url must be an absolute http(s) URL")]
    UrlInvalid,
    #[error("date {date} is before {earliest}, the last recorded change")]
    DateOutOfOrder { date: NaiveDate, earliest: NaiveDate },
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl ReportError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            ReportError::TransitionNotAllowed { .. } => "report_transition_not_allowed",
            ReportError::IdMismatch { .. } => "report_id_mismatch",
            ReportError::Iso3Unknown(_) => "iso3_unknown",
            ReportError::Empty(_) => "field_empty",
            ReportError::CycleUnknown => "report_cycle_unknown",
            ReportError::CycleClosed => "report_cycle_closed",
            ReportError::CountryNotExpected(_) => "report_country_not_expected",
            ReportError::RoadmapOtherCountry(_) => "report_roadmap_other_country",
            ReportError::NarrativeIncomplete(_) => "report_narrative_incomplete",
            ReportError::IndicatorDuplicated(_) => "report_indicator_duplicated",
            ReportError::ReviewersEmpty => "reviewers_empty",
            ReportError::ReviewerAlreadyAssigned(_) => "reviewer_already_assigned",
            ReportError::ReviewerNotAssigned(_) => "reviewer_not_assigned",
            ReportError::DocumentHashInvalid(_) => "document_hash_invalid",
            ReportError::RevisionPointsEmpty => "revision_points_empty",
            ReportError::NoApprovingReview => "report_no_approving_review",
            ReportError::NotApproved => "report_not_approved",
            ReportError::PublishedImmutable => "report_published_immutable",
            ReportError::NotYetDue(_) => "report_not_yet_due",
            ReportError::UrlInvalid => "url_invalid",
            ReportError::DateOutOfOrder { .. } => "report_date_out_of_order",
            ReportError::Authority(e) => e.rule(),
        }
    }
}

/// A country report's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryReport {
    /// `{cycle_id}/{iso3}`; empty until the first event.
    pub report_id: String,
    pub cycle_id: String,
    pub iso3: String,
    pub roadmap_id: Option<String>,
    pub status: ReportStatus,
    /// The day of the last change of status.
    pub status_since: Option<NaiveDate>,
    /// The indicators and narrative last submitted.
    pub indicators: Vec<IndicatorValue>,
    pub narrative: Vec<String>,
    pub submitted_on: Option<NaiveDate>,
    pub late: bool,
    pub days_late: u32,
    pub reviewers: Vec<String>,
    /// The reviews of the current round (since the last submission), oldest first.
    pub reviews: Vec<(String, Recommendation)>,
    pub approved_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub url: Option<String>,
}

impl CountryReport {
    /// The report id of a country's report in a cycle.
    pub fn id_for(cycle_id: &str, iso3: &str) -> String {
        format!("{cycle_id}/{iso3}")
    }

    /// Whether some assigned reviewer's latest review in this round recommends approval.
    pub fn has_approving_review(&self) -> bool {
        self.reviewers.iter().any(|r| {
            self.reviews.iter().rev().find(|(who, _)| who == r).is_some_and(|(_, rec)| *rec == Recommendation::Approve)
        })
    }
}

/// Days from `deadline` to `on` (0 when `on` is not after it).
pub fn days_late(deadline: NaiveDate, on: NaiveDate) -> u32 {
    u32::try_from((on - deadline).num_days()).unwrap_or(0)
}

fn not_empty(value: &str, field: &'static str) -> Result<(), ReportError> {
    if blank(value) {
        return Err(ReportError::Empty(field));
    }
    Ok(())
}

/// Checks the country and cycle a first command names against the stream's.
fn identify(state: &CountryReport, cycle_id: &str, iso3: &str) -> Result<String, ReportError> {
    let given = CountryReport::id_for(cycle_id, iso3);
    if !state.report_id.is_empty() {
        if given != state.report_id {
            return Err(ReportError::IdMismatch { expected: state.report_id.clone(), given });
        }
        return Ok(given);
    }
    not_empty(cycle_id, "cycle_id")?;
    if !valid_iso3(iso3) {
        return Err(ReportError::Iso3Unknown(iso3.to_string()));
    }
    Ok(given)
}

/// The cycle facts, checked: launched, and expecting `iso3`.
fn expecting(cycle: Option<CycleFacts>, iso3: &str) -> Result<CycleFacts, ReportError> {
    let cycle = cycle.ok_or(ReportError::CycleUnknown)?;
    if !cycle.expected.iter().any(|c| c == iso3) {
        return Err(ReportError::CountryNotExpected(iso3.to_string()));
    }
    Ok(cycle)
}

fn validate_content(indicators: &[IndicatorValue], narrative: &[String]) -> Result<(), ReportError> {
    for i in indicators {
        not_empty(&i.code, "indicators.code")?;
        not_empty(&i.value, "indicators.value")?;
        not_empty(&i.unit, "indicators.unit")?;
        not_empty(&i.source, "indicators.source")?;
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(i) = indicators.iter().find(|i| !seen.insert(i.code.as_str())) {
        return Err(ReportError::IndicatorDuplicated(i.code.clone()));
    }
    if narrative.len() != NARRATIVE_QUESTIONS || narrative.iter().any(|a| blank(a)) {
        return Err(ReportError::NarrativeIncomplete(narrative.iter().filter(|a| !blank(a)).count()));
    }
    Ok(())
}

/// Decides a country report command against the report's state.
pub fn decide(state: &CountryReport, command: ReportCommand) -> Result<Vec<ReportEvent>, ReportError> {
    use ReportStatus as S;
    let status = state.status;
    if status == S::Published {
        return Err(ReportError::PublishedImmutable);
    }
    let name = command.name();
    let refuse = || Err(ReportError::TransitionNotAllowed { from: status, command: name });
    let not_before = |date: NaiveDate| match state.status_since {
        Some(earliest) if date < earliest => Err(ReportError::DateOutOfOrder { date, earliest }),
        _ => Ok(()),
    };
    let report_id = state.report_id.clone();
    match command {
        ReportCommand::Submit { cycle_id, iso3, roadmap_id, indicators, narrative, submitted_on, cycle } => {
            if !matches!(status, S::Expected | S::Overdue) {
                return refuse();
            }
            let report_id = identify(state, &cycle_id, &iso3)?;
            let cycle = expecting(cycle, &iso3)?;
            if cycle.closed {
                return Err(ReportError::CycleClosed);
            }
            not_empty(&roadmap_id, "roadmap_id")?;
            if !roadmap_id.starts_with(&format!("{iso3}/")) {
                return Err(ReportError::RoadmapOtherCountry(roadmap_id));
            }
            validate_content(&indicators, &narrative)?;
            not_before(submitted_on)?;
            let days_late = days_late(cycle.deadline, submitted_on);
            Ok(vec![ReportEvent::ReportSubmitted {
                report_id,
                cycle_id,
                iso3,
                roadmap_id,
                indicators,
                narrative,
                submitted_on,
                late: submitted_on > cycle.deadline,
                days_late,
            }])
        }
        ReportCommand::AssignReviewer { reviewers, on } => {
            if !matches!(status, S::Submitted | S::UnderReview) {
                return refuse();
            }
            if reviewers.is_empty() || reviewers.iter().any(|r| blank(r)) {
                return Err(ReportError::ReviewersEmpty);
            }
            let mut seen: Vec<&String> = state.reviewers.iter().collect();
            for r in &reviewers {
                if seen.contains(&r) {
                    return Err(ReportError::ReviewerAlreadyAssigned(r.clone()));
                }
                seen.push(r);
            }
            not_before(on)?;
            Ok(vec![ReportEvent::ReportReviewAssigned { report_id, reviewers, on }])
        }
        ReportCommand::Review { reviewer, recommendation, comments_sha256, on } => {
            if status != S::UnderReview {
                return refuse();
            }
            if !state.reviewers.contains(&reviewer) {
                return Err(ReportError::ReviewerNotAssigned(reviewer));
            }
            if !is_sha256_hex(&comments_sha256) {
                return Err(ReportError::DocumentHashInvalid("comments_sha256"));
            }
            not_before(on)?;
            Ok(vec![ReportEvent::ReportReviewed { report_id, reviewer, recommendation, comments_sha256, on }])
        }
        ReportCommand::RequestRevision { points, on } => {
            if !matches!(status, S::Submitted | S::UnderReview) {
                return refuse();
            }
            if points.is_empty() || points.iter().any(|p| blank(p)) {
                return Err(ReportError::RevisionPointsEmpty);
            }
            not_before(on)?;
            Ok(vec![ReportEvent::ReportRevisionRequested { report_id, points, on }])
        }
        ReportCommand::Resubmit { indicators, narrative, on } => {
            if status != S::RevisionRequested {
                return refuse();
            }
            validate_content(&indicators, &narrative)?;
            not_before(on)?;
            Ok(vec![ReportEvent::ReportResubmitted { report_id, indicators, narrative, on }])
        }
        ReportCommand::Approve { approved_on, approval, authority } => {
            if status != S::UnderReview {
                return refuse();
            }
            if approval == ReportApproval::MonitoringWorkingGroup && !state.has_approving_review() {
                return Err(ReportError::NoApprovingReview);
            }
            not_before(approved_on)?;
            let decision_id = match (approval, authority) {
                (ReportApproval::MonitoringWorkingGroup, None) => None,
                (_, authority) => {
                    let id = report_id.clone();
                    Some(require_decision(
                        authority.as_ref(),
                        "approve_report for this report",
                        |s| matches!(s, DecisionSubject::ApproveReport { report_id } if *report_id == id),
                    )?)
                }
            };
            Ok(vec![ReportEvent::ReportApproved { report_id, approved_on, approval, decision_id }])
        }
        ReportCommand::Publish { published_on, url } => {
            if status != S::Approved {
                return Err(ReportError::NotApproved);
            }
            if !is_web_url(&url) {
                return Err(ReportError::UrlInvalid);
            }
            not_before(published_on)?;
            Ok(vec![ReportEvent::ReportPublished { report_id, url, published_on }])
        }
        ReportCommand::MarkOverdue { cycle_id, iso3, as_of, cycle } => {
            if status != S::Expected {
                return refuse();
            }
            let report_id = identify(state, &cycle_id, &iso3)?;
            let cycle = expecting(cycle, &iso3)?;
            if as_of <= cycle.deadline {
                return Err(ReportError::NotYetDue(cycle.deadline));
            }
            let days_late = days_late(cycle.deadline, as_of);
            Ok(vec![ReportEvent::ReportOverdue { report_id, cycle_id, iso3, as_of, days_late }])
        }
        ReportCommand::Waive { cycle_id, iso3, reason, on, authority } => {
            if !matches!(status, S::Expected | S::Overdue) {
                return refuse();
            }
            let report_id = identify(state, &cycle_id, &iso3)?;
            not_empty(&reason, "reason")?;
            not_before(on)?;
            let (country, cycle) = (iso3.clone(), cycle_id.clone());
            let decision_id = require_decision(
                authority.as_ref(),
                "waive_report for this country and cycle",
                |s| matches!(s, DecisionSubject::WaiveReport { iso3, cycle_id } if *iso3 == country && *cycle_id == cycle),
            )?;
            Ok(vec![ReportEvent::ReportWaived { report_id, cycle_id, iso3, reason, on, decision_id }])
        }
    }
}

fn change(state: &mut CountryReport, status: ReportStatus, on: NaiveDate) {
    state.status = status;
    state.status_since = Some(on);
}

/// Folds one event into the report's state.
pub fn evolve(state: &mut CountryReport, event: ReportEvent) {
    use ReportStatus as S;
    match event {
        ReportEvent::ReportSubmitted {
            report_id,
            cycle_id,
            iso3,
            roadmap_id,
            indicators,
            narrative,
            submitted_on,
            late,
            days_late,
        } => {
            state.report_id = report_id;
            state.cycle_id = cycle_id;
            state.iso3 = iso3;
            state.roadmap_id = Some(roadmap_id);
            state.indicators = indicators;
            state.narrative = narrative;
            state.submitted_on = Some(submitted_on);
            state.late = late;
            state.days_late = days_late;
            change(state, S::Submitted, submitted_on);
        }
        ReportEvent::ReportReviewAssigned { reviewers, on, .. } => {
            state.reviewers.extend(reviewers);
            change(state, S::UnderReview, on);
        }
        ReportEvent::ReportReviewed { reviewer, recommendation, .. } => state.reviews.push((reviewer, recommendation)),
        ReportEvent::ReportRevisionRequested { on, .. } => change(state, S::RevisionRequested, on),
        ReportEvent::ReportResubmitted { indicators, narrative, on, .. } => {
            state.indicators = indicators;
            state.narrative = narrative;
            state.reviews.clear();
            let next = if state.reviewers.is_empty() { S::Submitted } else { S::UnderReview };
            change(state, next, on);
        }
        ReportEvent::ReportApproved { approved_on, .. } => {
            state.approved_on = Some(approved_on);
            change(state, S::Approved, approved_on);
        }
        ReportEvent::ReportPublished { url, published_on, .. } => {
            state.url = Some(url);
            state.published_on = Some(published_on);
            change(state, S::Published, published_on);
        }
        ReportEvent::ReportOverdue { report_id, cycle_id, iso3, as_of, .. } => {
            state.report_id = report_id;
            state.cycle_id = cycle_id;
            state.iso3 = iso3;
            change(state, S::Overdue, as_of);
        }
        ReportEvent::ReportWaived { report_id, cycle_id, iso3, on, .. } => {
            state.report_id = report_id;
            state.cycle_id = cycle_id;
            state.iso3 = iso3;
            change(state, S::Waived, on);
        }
    }
}

impl Aggregate for CountryReport {
    const TYPE: &'static str = "country_report";
    type Command = ReportCommand;
    type Event = ReportEvent;
    type Error = ReportError;
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

crate::dated_command!(ReportCommand, |command| match command {
    ReportCommand::Submit { submitted_on, .. } => Occurred(*submitted_on),
    ReportCommand::AssignReviewer { on, .. }
    | ReportCommand::Review { on, .. }
    | ReportCommand::RequestRevision { on, .. }
    | ReportCommand::Resubmit { on, .. }
    | ReportCommand::Waive { on, .. } => Occurred(*on),
    ReportCommand::Approve { approved_on, .. } => Occurred(*approved_on),
    ReportCommand::Publish { published_on, .. } => Occurred(*published_on),
    ReportCommand::MarkOverdue { as_of, .. } => Occurred(*as_of),
});
