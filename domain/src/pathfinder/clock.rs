//! Pure checks for the clock process: which time-driven commands are due today.
//!
//! The clock process (in the server) reads the clock, folds the aggregates and asks these
//! functions whether to issue `Expire` (roadmap), `MarkOverdue` (country report) or
//! `FlagForReview` (Pathfinder Country). Each check agrees with the aggregate's own rule,
//! so a command issued when its check says "due" is accepted.

use chrono::{Months, NaiveDate};

use super::country::{PathfinderCountry, PfcStage, ReviewReason};
use super::policy::AccountabilityPolicy;
use super::report::{CountryReport, ReportStatus};
use super::roadmap::Roadmap;

/// Whether a roadmap in force has passed the end of its period (issue `Expire`).
pub fn roadmap_expiry_due(roadmap: &Roadmap, today: NaiveDate) -> bool {
    roadmap.status.is_in_force() && roadmap.period_end.is_some_and(|end| today > end)
}

/// The last day a roadmap is valid under `policy`: its `period_end`, or earlier when the
/// policy limits validity to some years after endorsement.
pub fn roadmap_valid_until(roadmap: &Roadmap, policy: &AccountabilityPolicy) -> Option<NaiveDate> {
    let by_policy = match (policy.roadmap_validity_years, roadmap.endorsed_on) {
        (Some(years), Some(endorsed)) => {
            let end = endorsed.checked_add_months(Months::new(years.saturating_mul(12))).unwrap_or(NaiveDate::MAX);
            Some(end.pred_opt().unwrap_or(end))
        }
        _ => None,
    };
    match (roadmap.period_end, by_policy) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether a roadmap in force is no longer valid under `policy` (a reason to flag its
/// country for review with [`ReviewReason::RoadmapExpired`]).
pub fn roadmap_validity_lapsed(roadmap: &Roadmap, policy: &AccountabilityPolicy, today: NaiveDate) -> bool {
    roadmap.status.is_in_force() && roadmap_valid_until(roadmap, policy).is_some_and(|until| today > until)
}

/// Whether an awaited report is past the cycle's deadline (issue `MarkOverdue`).
pub fn report_overdue_due(report: &CountryReport, cycle_deadline: NaiveDate, today: NaiveDate) -> bool {
    report.status == ReportStatus::Expected && today > cycle_deadline
}

/// Whether a country that missed `missed_cycles` reporting cycles in a row is due for
/// review under `policy` (never when the policy's threshold is 0).
pub fn review_due(missed_cycles: u32, policy: &AccountabilityPolicy) -> bool {
    policy.inactive_review_after_missed_cycles > 0 && missed_cycles >= policy.inactive_review_after_missed_cycles
}

/// The reason to flag an active country for review today, if any: reports missed (as the
/// policy counts them), its roadmap in force lapsed, or no focal point.
pub fn review_reason(
    country: &PathfinderCountry,
    missed_cycles: u32,
    current_roadmap: Option<&Roadmap>,
    policy: &AccountabilityPolicy,
    today: NaiveDate,
) -> Option<ReviewReason> {
    if country.stage != PfcStage::Active {
        return None;
    }
    if review_due(missed_cycles, policy) {
        return Some(ReviewReason::ReportOverdue);
    }
    if current_roadmap.is_some_and(|r| roadmap_validity_lapsed(r, policy, today)) {
        return Some(ReviewReason::RoadmapExpired);
    }
    if country.focal_point.is_none() {
        return Some(ReviewReason::NoFocalPoint);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathfinder::country::FocalPoint;
    use crate::pathfinder::roadmap::RoadmapStatus;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("valid date")
    }

    fn roadmap(status: RoadmapStatus) -> Roadmap {
        Roadmap {
            roadmap_id: "NPL/v2".to_string(),
            iso3: "NPL".to_string(),
            version: 2,
            period_start: Some(date("2026-01-01")),
            period_end: Some(date("2030-12-31")),
            status,
            endorsed_on: Some(date("2026-06-01")),
            ..Roadmap::default()
        }
    }

    fn active() -> PathfinderCountry {
        PathfinderCountry {
            iso3: "NPL".to_string(),
            stage: PfcStage::Active,
            stage_since: Some(date("2026-06-01")),
            focal_point: Some(FocalPoint {
                person_ref: "person:42".to_string(),
                title: "Director".to_string(),
                ministry: "MoLESS".to_string(),
                since: date("2025-01-01"),
            }),
            ..PathfinderCountry::default()
        }
    }

    #[test]
    fn a_roadmap_expires_the_day_after_its_period() {
        for status in [RoadmapStatus::Endorsed, RoadmapStatus::Launched] {
            assert!(!roadmap_expiry_due(&roadmap(status), date("2030-12-31")));
            assert!(roadmap_expiry_due(&roadmap(status), date("2031-01-01")));
        }
    }

    #[test]
    fn only_a_roadmap_in_force_expires() {
        for status in [
            RoadmapStatus::NotDrafted,
            RoadmapStatus::Draft,
            RoadmapStatus::Submitted,
            RoadmapStatus::RevisionRequested,
            RoadmapStatus::ValidatedNationally,
            RoadmapStatus::Superseded,
            RoadmapStatus::Expired,
        ] {
            assert!(!roadmap_expiry_due(&roadmap(status), date("2031-01-01")), "{status:?}");
        }
    }

    #[test]
    fn the_policy_may_shorten_a_roadmaps_validity() {
        let mut policy = AccountabilityPolicy::provisional_2023();
        let launched = roadmap(RoadmapStatus::Launched);
        assert_eq!(roadmap_valid_until(&launched, &policy), Some(date("2030-12-31")));
        assert!(!roadmap_validity_lapsed(&launched, &policy, date("2030-12-31")));
        assert!(roadmap_validity_lapsed(&launched, &policy, date("2031-01-01")));
        policy.roadmap_validity_years = Some(3);
        assert_eq!(roadmap_valid_until(&launched, &policy), Some(date("2029-05-31")));
        assert!(!roadmap_validity_lapsed(&launched, &policy, date("2029-05-31")));
        assert!(roadmap_validity_lapsed(&launched, &policy, date("2029-06-01")));
        // The roadmap's own period still ends it when that comes first.
        policy.roadmap_validity_years = Some(10);
        assert_eq!(roadmap_valid_until(&launched, &policy), Some(date("2030-12-31")));
        // Not yet endorsed: only the period counts.
        policy.roadmap_validity_years = Some(1);
        let submitted = Roadmap { endorsed_on: None, ..roadmap(RoadmapStatus::Submitted) };
        assert_eq!(roadmap_valid_until(&submitted, &policy), Some(date("2030-12-31")));
        assert!(!roadmap_validity_lapsed(&submitted, &policy, date("2031-06-01")));
    }

    #[test]
    fn a_report_is_overdue_after_the_deadline_until_submitted() {
        let expected = CountryReport::default();
        assert!(!report_overdue_due(&expected, date("2026-05-30"), date("2026-05-30")));
        assert!(report_overdue_due(&expected, date("2026-05-30"), date("2026-05-31")));
        for status in [
            ReportStatus::Overdue,
            ReportStatus::Submitted,
            ReportStatus::UnderReview,
            ReportStatus::RevisionRequested,
            ReportStatus::Approved,
            ReportStatus::Published,
            ReportStatus::Waived,
        ] {
            let report = CountryReport { status, ..CountryReport::default() };
            assert!(!report_overdue_due(&report, date("2026-05-30"), date("2026-06-30")), "{status:?}");
        }
    }

    #[test]
    fn a_review_is_due_after_the_policys_missed_cycles() {
        let mut policy = AccountabilityPolicy::provisional_2023();
        assert!(!review_due(0, &policy));
        assert!(!review_due(1, &policy));
        assert!(review_due(2, &policy));
        assert!(review_due(3, &policy));
        policy.inactive_review_after_missed_cycles = 0;
        assert!(!review_due(0, &policy));
        assert!(!review_due(5, &policy));
    }

    #[test]
    fn the_reason_to_flag_a_country() {
        let policy = AccountabilityPolicy::provisional_2023();
        let today = date("2031-02-01");
        let fresh = roadmap(RoadmapStatus::Launched);
        let lapsed = Roadmap { period_end: Some(date("2030-12-31")), ..fresh.clone() };
        let current = Roadmap { period_end: Some(date("2032-12-31")), ..fresh };
        assert_eq!(review_reason(&active(), 2, Some(&lapsed), &policy, today), Some(ReviewReason::ReportOverdue));
        assert_eq!(review_reason(&active(), 1, Some(&lapsed), &policy, today), Some(ReviewReason::RoadmapExpired));
        assert_eq!(review_reason(&active(), 1, Some(&current), &policy, today), None);
        assert_eq!(review_reason(&active(), 0, None, &policy, today), None);
        let without_focal_point = PathfinderCountry { focal_point: None, ..active() };
        assert_eq!(review_reason(&without_focal_point, 0, None, &policy, today), Some(ReviewReason::NoFocalPoint));
        for stage in [PfcStage::UnderReview, PfcStage::Inactive, PfcStage::WorkshopHeld, PfcStage::Withdrawn] {
            let country = PathfinderCountry { stage, ..without_focal_point.clone() };
            assert_eq!(review_reason(&country, 5, Some(&lapsed), &policy, today), None, "{stage:?}");
        }
    }
}
