//! The Pathfinder accountability policy: the rules of the 2023 Accountability Framework as
//! versioned data.
//!
//! The Framework's deadlines, reporting rhythm, the consequences of missed reports and
//! whether the GCG "endorses" a roadmap or only "takes note" of it are not public, so nothing here is a constant of the code: the edge passes the
//! policy in force (or one of its settings) with the commands that depend on it, and the
//! events record what was applied.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// How the GCG's approval of a roadmap is worded (and recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EndorsementWording {
    /// The GCG endorses the roadmap.
    #[default]
    Endorsed,
    /// The GCG only takes note of the roadmap.
    TakenNoteOf,
}

/// Who approves a country report before it is published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportApproval {
    /// The SDG Monitoring Working Group approves, on an approving review.
    #[default]
    MonitoringWorkingGroup,
    /// Approval needs an adopted GCG decision (subject `approve_report`).
    GcgDecision,
}

/// One version of the Pathfinder accountability rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountabilityPolicy {
    /// The version name, recorded by the events that applied it.
    pub version: String,
    /// True while the rules are our assumption, not confirmed by the Secretariat.
    pub provisional: bool,
    /// Days from a reporting cycle's launch to its default deadline.
    pub report_deadline_days: u32,
    /// Missed reporting cycles after which an active country is flagged for review
    /// (0: never).
    pub inactive_review_after_missed_cycles: u32,
    /// How the GCG's approval of a roadmap is worded.
    pub roadmap_endorsement_wording: EndorsementWording,
    /// Who approves country reports.
    pub report_approval: ReportApproval,
    /// Years a roadmap stays valid after its endorsement; `None`: its own period decides.
    pub roadmap_validity_years: Option<u32>,
}

impl AccountabilityPolicy {
    /// The version name of [`AccountabilityPolicy::provisional_2023`].
    pub const PROVISIONAL_2023: &'static str = "pfc-accountability/2023-provisional";

    /// Our provisional reading of the 2023 Accountability Framework: 90 days to report,
    /// a review after 2 missed cycles, roadmaps "endorsed", reports approved by the SDG
    /// Monitoring Working Group, no fixed roadmap validity.
    pub fn provisional_2023() -> Self {
        Self {
            version: Self::PROVISIONAL_2023.to_string(),
            provisional: true,
            report_deadline_days: 90,
            inactive_review_after_missed_cycles: 2,
            roadmap_endorsement_wording: EndorsementWording::Endorsed,
            report_approval: ReportApproval::MonitoringWorkingGroup,
            roadmap_validity_years: None,
        }
    }

    /// The default deadline of a reporting cycle launched on `launched_on`.
    pub fn report_deadline(&self, launched_on: NaiveDate) -> NaiveDate {
        launched_on.checked_add_days(Days::new(self.report_deadline_days.into())).unwrap_or(NaiveDate::MAX)
    }
}

impl Default for AccountabilityPolicy {
    /// The provisional 2023 policy.
    fn default() -> Self {
        Self::provisional_2023()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provisional_2023_policy() {
        let policy = AccountabilityPolicy::provisional_2023();
        assert_eq!(policy.version, "pfc-accountability/2023-provisional");
        assert!(policy.provisional);
        assert_eq!(policy.report_deadline_days, 90);
        assert_eq!(policy.inactive_review_after_missed_cycles, 2);
        assert_eq!(policy.roadmap_endorsement_wording, EndorsementWording::Endorsed);
        assert_eq!(policy.report_approval, ReportApproval::MonitoringWorkingGroup);
        assert_eq!(policy.roadmap_validity_years, None);
        assert_eq!(AccountabilityPolicy::default(), policy);
    }

    #[test]
    fn the_default_deadline_is_counted_from_the_launch() {
        let policy = AccountabilityPolicy::provisional_2023();
        let launched: NaiveDate = "2026-03-01".parse().unwrap();
        assert_eq!(policy.report_deadline(launched), "2026-05-30".parse::<NaiveDate>().unwrap());
    }

    #[test]
    fn golden_policy_json() {
        let json = serde_json::to_string(&AccountabilityPolicy::provisional_2023()).unwrap();
        assert_eq!(
            json,
            r#"{"version":"pfc-accountability/2023-provisional","provisional":true,"report_deadline_days":90,"inactive_review_after_missed_cycles":2,"roadmap_endorsement_wording":"endorsed","report_approval":"monitoring_working_group","roadmap_validity_years":null}"#
        );
        let back: AccountabilityPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, AccountabilityPolicy::provisional_2023());
        assert_eq!(serde_json::to_string(&EndorsementWording::TakenNoteOf).unwrap(), r#""taken_note_of""#);
        assert_eq!(serde_json::to_string(&ReportApproval::GcgDecision).unwrap(), r#""gcg_decision""#);
    }
}
