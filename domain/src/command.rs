//! What every domain command states about itself: its stable name and its business date.
//!
//! The edge's command pipeline asks each command for its [`BusinessDate`] instead of
//! guessing a date from field names. The date becomes the event's `occurred_at` (unless
//! the caller gave one), and a fact that [`BusinessDate::Occurred`] after the server's
//! clock is refused by [`occurred_by`] with the rule `occurred_in_future`. Dates that
//! set something for later (a meeting's date, a deadline, a planned period, the day a
//! term or an assignment begins) are [`BusinessDate::Planned`] and may lie in the future.
//!
//! Every command enum implements [`DomainCommand`] with an exhaustive `match`, so a new
//! variant does not compile until it states its date.

use chrono::NaiveDate;

/// The day a command's fact belongs to, and whether it may lie after today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessDate {
    /// Something that happened that day: it cannot have happened after today.
    Occurred(NaiveDate),
    /// A day set for later: a scheduled date, a deadline, a planned period, the day an
    /// assignment, term or policy takes effect.
    Planned(NaiveDate),
    /// Dated by the facts the edge reads for the command (the day of the meeting it is
    /// taken at, the adoption of the decision it cites); the pipeline resolves it to
    /// `Occurred` or `Planned` when it gathers them.
    FromFacts,
    /// No business date of its own: it is dated when it is recorded.
    Undated,
}

impl BusinessDate {
    /// The date, if the command has one of its own.
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            BusinessDate::Occurred(d) | BusinessDate::Planned(d) => Some(d),
            BusinessDate::FromFacts | BusinessDate::Undated => None,
        }
    }
}

/// What the command pipeline needs to know about every domain command.
pub trait DomainCommand: Clone {
    /// The command's stable name (its `command` tag), recorded in the envelope.
    fn name(&self) -> &'static str;
    /// The day the command's fact belongs to.
    fn business_date(&self) -> BusinessDate;
}

/// A fact dated after today: refused with the rule `occurred_in_future`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{date} is after today ({today}): a fact cannot be recorded before it has happened")]
pub struct OccurredInFuture {
    pub date: NaiveDate,
    pub today: NaiveDate,
}

impl OccurredInFuture {
    /// The rule's stable name.
    pub const RULE: &'static str = "occurred_in_future";
}

/// The one check of "not in the future": an `Occurred` date must not lie after `today`.
/// `Planned`, `FromFacts` (resolve it first) and `Undated` pass.
pub fn occurred_by(date: BusinessDate, today: NaiveDate) -> Result<(), OccurredInFuture> {
    match date {
        BusinessDate::Occurred(date) if date > today => Err(OccurredInFuture { date, today }),
        _ => Ok(()),
    }
}

/// Implements [`DomainCommand`] for a command enum: `name` from the enum's inherent
/// `name()`, and the business date from a match written out per variant.
#[macro_export]
macro_rules! dated_command {
    ($ty:ty, |$cmd:ident| $date:expr) => {
        impl $crate::command::DomainCommand for $ty {
            fn name(&self) -> &'static str {
                <$ty>::name(self)
            }
            fn business_date(&self) -> $crate::command::BusinessDate {
                #[allow(unused_imports)]
                use $crate::command::BusinessDate::{FromFacts, Occurred, Planned, Undated};
                let $cmd = self;
                $date
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_occurred_fact_may_be_today_but_not_tomorrow() {
        let today = day("2026-12-03");
        assert_eq!(occurred_by(BusinessDate::Occurred(today), today), Ok(()));
        let refused = occurred_by(BusinessDate::Occurred(day("2026-12-04")), today).unwrap_err();
        assert_eq!(refused, OccurredInFuture { date: day("2026-12-04"), today });
        assert_eq!(OccurredInFuture::RULE, "occurred_in_future");
    }

    #[test]
    fn planned_and_undated_dates_may_lie_ahead() {
        let today = day("2026-12-03");
        assert_eq!(occurred_by(BusinessDate::Planned(day("2027-03-01")), today), Ok(()));
        assert_eq!(occurred_by(BusinessDate::Undated, today), Ok(()));
        assert_eq!(occurred_by(BusinessDate::FromFacts, today), Ok(()));
        assert_eq!(BusinessDate::Planned(today).date(), Some(today));
        assert_eq!(BusinessDate::Undated.date(), None);
    }
}
