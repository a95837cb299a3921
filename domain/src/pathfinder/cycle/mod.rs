//! The `ReportingCycle` aggregate (`reporting_cycle:{id}`, e.g. `reporting_cycle:2026`):
//! one round of Pathfinder Country reporting.
//!
//! `NotLaunched --launch--> Open --close--> Closed`, then the synthesis is published once.
//! At launch the edge passes the countries expected to report (the Pathfinder Countries
//! active on that day); the deadline may be extended while the cycle is open; at close the
//! edge passes the countries whose report was submitted (and those waived), and the event
//! records who is missing. Each country's report is a [`CountryReport`] of its own, which
//! reads this cycle's [`CycleFacts`].
//!
//! [`CountryReport`]: crate::pathfinder::CountryReport

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::{blank, is_web_url, valid_iso3};
use crate::authority::is_sha256_hex;

/// Where a reporting cycle is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CycleStatus {
    /// Nothing recorded yet.
    #[default]
    NotLaunched,
    /// Launched: reports are expected.
    Open,
    /// Closed: submitted and missing reports are on record.
    Closed,
}

/// Edge fact for a country report: what the edge read about its reporting cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CycleFacts {
    /// The countries expected to report (ISO3).
    pub expected: Vec<String>,
    /// The deadline in force.
    pub deadline: NaiveDate,
    /// Whether the cycle is closed.
    pub closed: bool,
}

/// Reporting cycle commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CycleCommand {
    /// Launches the cycle; the stream's first command.
    Launch {
        cycle_id: String,
        /// The period reported on.
        period_start: NaiveDate,
        period_end: NaiveDate,
        launched_on: NaiveDate,
        deadline: NaiveDate,
        /// The questionnaire template (indicators and five narrative questions).
        template_version: String,
        /// Edge fact: the Pathfinder Countries active on the launch day (ISO3).
        #[serde(skip)]
        expected_countries: Vec<String>,
    },
    /// Moves the deadline later, while the cycle is open.
    ExtendDeadline { new_deadline: NaiveDate, reason: String },
    /// Closes the cycle.
    Close {
        closed_on: NaiveDate,
        /// Edge fact: the expected countries whose report was submitted.
        #[serde(skip)]
        submitted: Vec<String>,
        /// Edge fact: the expected countries whose report was waived.
        #[serde(skip)]
        waived: Vec<String>,
    },
    /// Publishes the cycle's synthesis report, after the close.
    PublishSynthesis { doc_sha256: String, url: String, published_on: NaiveDate },
}

impl CycleCommand {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    pub fn name(&self) -> &'static str {
        match self {
            CycleCommand::Launch { .. } => "launch",
            CycleCommand::ExtendDeadline { .. } => "extend_deadline",
            CycleCommand::Close { .. } => "close",
            CycleCommand::PublishSynthesis { .. } => "publish_synthesis",
        }
    }
}

/// Reporting cycle events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CycleEvent {
    /// NotLaunched → Open.
    ReportingCycleLaunched {
        cycle_id: String,
        period_start: NaiveDate,
        period_end: NaiveDate,
        launched_on: NaiveDate,
        deadline: NaiveDate,
        template_version: String,
        /// Sorted, each once.
        expected_countries: Vec<String>,
    },
    /// The deadline moves later.
    ReportingDeadlineExtended { old_deadline: NaiveDate, new_deadline: NaiveDate, reason: String },
    /// Every expected country is in exactly one of the three lists (each sorted).
    ReportingCycleClosed { closed_on: NaiveDate, submitted: Vec<String>, waived: Vec<String>, missing: Vec<String> },
    /// The synthesis report of a closed cycle.
    CycleSynthesisPublished { doc_sha256: String, url: String, published_on: NaiveDate },
}

impl DomainEvent for CycleEvent {
    fn event_type(&self) -> String {
        match self {
            CycleEvent::ReportingCycleLaunched { .. } => "ReportingCycleLaunched",
            CycleEvent::ReportingDeadlineExtended { .. } => "ReportingDeadlineExtended",
            CycleEvent::ReportingCycleClosed { .. } => "ReportingCycleClosed",
            CycleEvent::CycleSynthesisPublished { .. } => "CycleSynthesisPublished",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a reporting cycle command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CycleError {
    #[error("the reporting cycle has not been launched")]
    NotLaunched,
    #[error("the reporting cycle is already launched")]
    AlreadyLaunched,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("a reporting period ends after it starts")]
    PeriodInvalid,
    #[error("the deadline must be after the launch")]
    DeadlineNotAfterLaunch,
    #[error("no country is expected to report (no active Pathfinder Country)")]
    NoExpectedCountries,
    #[error("code {0} is not an ISO 3166-1 alpha-3 country code")]
    Iso3Unknown(String),
    #[error("the reporting cycle is closed")]
    Closed,
    #[error("the reporting cycle is not closed yet")]
    NotClosed,
    #[error("the new deadline must be later than {0}")]
    DeadlineNotLater(NaiveDate),
    #[error("country {0} was not expected to report in this cycle")]
    CountryNotExpected(String),
    #[error("country {0} cannot be both submitted and waived")]
    SubmittedAndWaived(String),
    #[error("date {date} is before {earliest}, the last recorded change")]
    DateOutOfOrder { date: NaiveDate, earliest: NaiveDate },
    #[error("doc_sha256 must be a SHA-256 (64 lowercase hex digits)")]
    DocumentHashInvalid,
    #[error("url must be an absolute http(s) URL")]
    UrlInvalid,
    #[error("the synthesis is already published")]
    SynthesisAlreadyPublished,
}

impl CycleError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            CycleError::NotLaunched => "cycle_not_launched",
            CycleError::AlreadyLaunched => "cycle_already_launched",
            CycleError::Empty(_) => "field_empty",
            CycleError::PeriodInvalid => "cycle_period_invalid",
            CycleError::DeadlineNotAfterLaunch => "cycle_deadline_not_after_launch",
            CycleError::NoExpectedCountries => "cycle_expected_countries_empty",
            CycleError::Iso3Unknown(_) => "iso3_unknown",
            CycleError::Closed => "cycle_closed",
            CycleError::NotClosed => "cycle_not_closed",
            CycleError::DeadlineNotLater(_) => "cycle_deadline_not_later",
            CycleError::CountryNotExpected(_) => "cycle_country_not_expected",
            CycleError::SubmittedAndWaived(_) => "cycle_country_submitted_and_waived",
            CycleError::DateOutOfOrder { .. } => "cycle_date_out_of_order",
            CycleError::DocumentHashInvalid => "document_hash_invalid",
            CycleError::UrlInvalid => "url_invalid",
            CycleError::SynthesisAlreadyPublished => "cycle_synthesis_already_published",
        }
    }
}

/// A reporting cycle's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingCycle {
    pub cycle_id: String,
    pub status: CycleStatus,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub launched_on: Option<NaiveDate>,
    /// The deadline in force (after any extension).
    pub deadline: Option<NaiveDate>,
    pub template_version: String,
    /// Sorted ISO3 codes.
    pub expected_countries: Vec<String>,
    pub closed_on: Option<NaiveDate>,
    pub submitted: Vec<String>,
    pub waived: Vec<String>,
    pub missing: Vec<String>,
    pub synthesis_published_on: Option<NaiveDate>,
}

impl ReportingCycle {
    /// The facts a [`CountryReport`](crate::pathfinder::CountryReport) command needs
    /// (`None` before the launch).
    pub fn facts(&self) -> Option<CycleFacts> {
        Some(CycleFacts {
            expected: self.expected_countries.clone(),
            deadline: self.deadline?,
            closed: self.status == CycleStatus::Closed,
        })
    }
}

/// Sorted, each once.
fn normalised(mut countries: Vec<String>) -> Vec<String> {
    countries.sort();
    countries.dedup();
    countries
}

/// Decides a reporting cycle command against the cycle's state.
pub fn decide(state: &ReportingCycle, command: CycleCommand) -> Result<Vec<CycleEvent>, CycleError> {
    if state.status == CycleStatus::NotLaunched && !matches!(command, CycleCommand::Launch { .. }) {
        return Err(CycleError::NotLaunched);
    }
    match command {
        CycleCommand::Launch {
            cycle_id,
            period_start,
            period_end,
            launched_on,
            deadline,
            template_version,
            expected_countries,
        } => {
            if state.status != CycleStatus::NotLaunched {
                return Err(CycleError::AlreadyLaunched);
            }
            if blank(&cycle_id) {
                return Err(CycleError::Empty("cycle_id"));
            }
            if blank(&template_version) {
                return Err(CycleError::Empty("template_version"));
            }
            if period_end <= period_start {
                return Err(CycleError::PeriodInvalid);
            }
            if deadline <= launched_on {
                return Err(CycleError::DeadlineNotAfterLaunch);
            }
            if let Some(code) = expected_countries.iter().find(|c| !valid_iso3(c)) {
                return Err(CycleError::Iso3Unknown(code.clone()));
            }
            let expected_countries = normalised(expected_countries);
            if expected_countries.is_empty() {
                return Err(CycleError::NoExpectedCountries);
            }
            Ok(vec![CycleEvent::ReportingCycleLaunched {
                cycle_id,
                period_start,
                period_end,
                launched_on,
                deadline,
                template_version,
                expected_countries,
            }])
        }
        CycleCommand::ExtendDeadline { new_deadline, reason } => {
            if state.status == CycleStatus::Closed {
                return Err(CycleError::Closed);
            }
            let old_deadline = state.deadline.unwrap_or(NaiveDate::MIN);
            if new_deadline <= old_deadline {
                return Err(CycleError::DeadlineNotLater(old_deadline));
            }
            if blank(&reason) {
                return Err(CycleError::Empty("reason"));
            }
            Ok(vec![CycleEvent::ReportingDeadlineExtended { old_deadline, new_deadline, reason }])
        }
        CycleCommand::Close { closed_on, submitted, waived } => {
            if state.status == CycleStatus::Closed {
                return Err(CycleError::Closed);
            }
            if let Some(earliest) = state.launched_on.filter(|l| closed_on < *l) {
                return Err(CycleError::DateOutOfOrder { date: closed_on, earliest });
            }
            let (submitted, waived) = (normalised(submitted), normalised(waived));
            if let Some(code) =
                submitted.iter().chain(&waived).find(|c| state.expected_countries.binary_search(c).is_err())
            {
                return Err(CycleError::CountryNotExpected(code.clone()));
            }
            if let Some(code) = submitted.iter().find(|c| waived.binary_search(c).is_ok()) {
                return Err(CycleError::SubmittedAndWaived(code.clone()));
            }
            let missing = state
                .expected_countries
                .iter()
                .filter(|c| submitted.binary_search(c).is_err() && waived.binary_search(c).is_err())
                .cloned()
                .collect();
            Ok(vec![CycleEvent::ReportingCycleClosed { closed_on, submitted, waived, missing }])
        }
        CycleCommand::PublishSynthesis { doc_sha256, url, published_on } => {
            if state.status != CycleStatus::Closed {
                return Err(CycleError::NotClosed);
            }
            if state.synthesis_published_on.is_some() {
                return Err(CycleError::SynthesisAlreadyPublished);
            }
            if !is_sha256_hex(&doc_sha256) {
                return Err(CycleError::DocumentHashInvalid);
            }
            if !is_web_url(&url) {
                return Err(CycleError::UrlInvalid);
            }
            if let Some(earliest) = state.closed_on.filter(|c| published_on < *c) {
                return Err(CycleError::DateOutOfOrder { date: published_on, earliest });
            }
            Ok(vec![CycleEvent::CycleSynthesisPublished { doc_sha256, url, published_on }])
        }
    }
}

/// Folds one event into the cycle's state.
pub fn evolve(state: &mut ReportingCycle, event: CycleEvent) {
    match event {
        CycleEvent::ReportingCycleLaunched {
            cycle_id,
            period_start,
            period_end,
            launched_on,
            deadline,
            template_version,
            expected_countries,
        } => {
            state.cycle_id = cycle_id;
            state.status = CycleStatus::Open;
            state.period_start = Some(period_start);
            state.period_end = Some(period_end);
            state.launched_on = Some(launched_on);
            state.deadline = Some(deadline);
            state.template_version = template_version;
            state.expected_countries = expected_countries;
        }
        CycleEvent::ReportingDeadlineExtended { new_deadline, .. } => state.deadline = Some(new_deadline),
        CycleEvent::ReportingCycleClosed { closed_on, submitted, waived, missing } => {
            state.status = CycleStatus::Closed;
            state.closed_on = Some(closed_on);
            state.submitted = submitted;
            state.waived = waived;
            state.missing = missing;
        }
        CycleEvent::CycleSynthesisPublished { published_on, .. } => state.synthesis_published_on = Some(published_on),
    }
}

impl Aggregate for ReportingCycle {
    const TYPE: &'static str = "reporting_cycle";
    type Command = CycleCommand;
    type Event = CycleEvent;
    type Error = CycleError;
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

crate::dated_command!(CycleCommand, |command| match command {
    CycleCommand::Launch { launched_on, .. } => Occurred(*launched_on),
    CycleCommand::ExtendDeadline { new_deadline, .. } => Planned(*new_deadline),
    CycleCommand::Close { closed_on, .. } => Occurred(*closed_on),
    CycleCommand::PublishSynthesis { published_on, .. } => Occurred(*published_on),
});
