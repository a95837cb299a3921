//! Whole months and IATI budget periods.
//!
//! The programme plans by month: a budget line has an amount per month, a reallocation
//! runs for whole months, an expenditure names the month it belongs to by its first day.
//! IATI budgets cover at most 12 months and never overlap: [`iati_budget_periods`] cuts a
//! programme period into calendar years clipped to it.

use chrono::{Datelike, Months, NaiveDate};

/// The first day of `date`'s month.
pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The last day of `date`'s month.
pub fn last_of_month(date: NaiveDate) -> NaiveDate {
    first_of_month(date).checked_add_months(Months::new(1)).and_then(|next| next.pred_opt()).unwrap_or(NaiveDate::MAX)
}

/// Whether `date` is the first day of its month.
pub fn is_first_of_month(date: NaiveDate) -> bool {
    date.day() == 1
}

/// Whether `start..=end` is a run of whole months: from the first day of a month to the
/// last day of the same or a later month.
pub fn is_whole_months(start: NaiveDate, end: NaiveDate) -> bool {
    start <= end && is_first_of_month(start) && last_of_month(end) == end
}

/// The calendar months that `start..=end` touches, counted inclusively (0 when `end` is
/// before `start`). January 2026 to June 2031 is 66 months.
pub fn months_inclusive(start: NaiveDate, end: NaiveDate) -> u32 {
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    u32::try_from(index(end) - index(start) + 1).unwrap_or(0)
}

/// The first day of every month that `start..=end` touches, in order.
pub fn months(start: NaiveDate, end: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let first = first_of_month(start);
    (0..months_inclusive(start, end)).filter_map(move |i| first.checked_add_months(Months::new(i)))
}

/// IATI budget periods for `start..=end`: consecutive, non-overlapping periods of at most
/// 12 months, one per calendar year, the first and the last clipped to `start` and `end`.
/// Empty when `end` is before `start`.
///
/// For the programme (January 2026 to June 2031): 2026, 2027, 2028, 2029, 2030 and the
/// first half of 2031.
pub fn iati_budget_periods(start: NaiveDate, end: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    if end < start {
        return Vec::new();
    }
    (start.year()..=end.year())
        .filter_map(|year| {
            let jan_1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
            let dec_31 = NaiveDate::from_ymd_opt(year, 12, 31)?;
            Some((start.max(jan_1), end.min(dec_31)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("valid date")
    }

    #[test]
    fn the_programme_runs_66_months_not_5_6_years() {
        let months = months_inclusive(date("2026-01-01"), date("2031-06-30"));
        assert_eq!(months, 66);
        // 66 months is 5.5 years; the seed's "5.6-year" period would be about 67 months.
        assert_eq!(months % 12, 6);
        assert_eq!(months / 12, 5);
        // The programme total at 39,143 USD a month.
        assert_eq!(i64::from(months) * 39_143, 2_583_438);
        assert_eq!(i64::from(months) * 3_914_300, 258_343_800, "in cents");
        // A year at 39,143 USD a month.
        assert_eq!(12 * 39_143, 469_716);
    }

    #[test]
    fn months_inclusive_counts_touched_months() {
        assert_eq!(months_inclusive(date("2026-04-01"), date("2026-12-31")), 9);
        assert_eq!(months_inclusive(date("2026-07-01"), date("2031-06-30")), 60);
        assert_eq!(months_inclusive(date("2026-01-31"), date("2026-02-01")), 2);
        assert_eq!(months_inclusive(date("2026-01-15"), date("2026-01-15")), 1);
        assert_eq!(months_inclusive(date("2026-02-01"), date("2026-01-31")), 0);
        assert_eq!(months_inclusive(date("2027-01-01"), date("2026-01-01")), 0);
    }

    #[test]
    fn month_boundaries() {
        assert_eq!(first_of_month(date("2026-02-17")), date("2026-02-01"));
        assert_eq!(last_of_month(date("2026-02-17")), date("2026-02-28"));
        assert_eq!(last_of_month(date("2028-02-01")), date("2028-02-29"));
        assert_eq!(last_of_month(date("2026-12-05")), date("2026-12-31"));
        assert!(is_first_of_month(date("2026-04-01")));
        assert!(!is_first_of_month(date("2026-04-02")));
        assert!(is_whole_months(date("2026-04-01"), date("2026-12-31")));
        assert!(is_whole_months(date("2026-04-01"), date("2026-04-30")));
        assert!(!is_whole_months(date("2026-04-02"), date("2026-12-31")));
        assert!(!is_whole_months(date("2026-04-01"), date("2026-12-30")));
        assert!(!is_whole_months(date("2026-05-01"), date("2026-04-30")));
    }

    #[test]
    fn months_lists_first_days() {
        let listed: Vec<NaiveDate> = months(date("2026-11-15"), date("2027-02-01")).collect();
        assert_eq!(listed, [date("2026-11-01"), date("2026-12-01"), date("2027-01-01"), date("2027-02-01")]);
        assert_eq!(months(date("2026-01-01"), date("2031-06-30")).count(), 66);
        assert_eq!(months(date("2026-02-01"), date("2026-01-01")).count(), 0);
    }

    #[test]
    fn iati_budget_periods_are_calendar_years_clipped_to_the_programme() {
        let periods = iati_budget_periods(date("2026-01-01"), date("2031-06-30"));
        assert_eq!(
            periods,
            [
                (date("2026-01-01"), date("2026-12-31")),
                (date("2027-01-01"), date("2027-12-31")),
                (date("2028-01-01"), date("2028-12-31")),
                (date("2029-01-01"), date("2029-12-31")),
                (date("2030-01-01"), date("2030-12-31")),
                (date("2031-01-01"), date("2031-06-30")),
            ]
        );
        // Consecutive, never overlapping, never longer than 12 months.
        for pair in periods.windows(2) {
            assert_eq!(pair[0].1.succ_opt(), Some(pair[1].0));
        }
        assert!(periods.iter().all(|(s, e)| s <= e && months_inclusive(*s, *e) <= 12));
        let months: u32 = periods.iter().map(|(s, e)| months_inclusive(*s, *e)).sum();
        assert_eq!(months, 66);
    }

    #[test]
    fn iati_budget_periods_of_short_or_empty_spans() {
        assert_eq!(
            iati_budget_periods(date("2026-04-01"), date("2026-09-30")),
            [(date("2026-04-01"), date("2026-09-30"))]
        );
        assert_eq!(
            iati_budget_periods(date("2026-07-01"), date("2027-06-30")),
            [(date("2026-07-01"), date("2026-12-31")), (date("2027-01-01"), date("2027-06-30"))]
        );
        assert!(iati_budget_periods(date("2027-01-01"), date("2026-12-31")).is_empty());
    }
}
