//! Money and computed shares: integer minor units, ISO 4217 codes, basis points.
//!
//! An amount is an `i64` count of the currency's minor unit (cents for USD) with its
//! ISO 4217 code; no float ever holds money. A percentage is never stored as input: it is
//! computed from amounts with [`basis_points`] (1 basis point = 0.01 %), so the seed's
//! stated shares (51.26 %, 19.16 %) cannot override what its amounts say (51.23 %, 19.17 %).

use serde::{Deserialize, Serialize};

/// An amount of money: minor units (e.g. cents) of an ISO 4217 currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// The amount in the currency's minor unit (cents for USD); negative only in
    /// reversals and downward adjustments.
    pub amount_minor: i64,
    /// The ISO 4217 code: three uppercase letters, e.g. `USD`.
    pub currency: String,
}

impl Money {
    /// `amount_minor` minor units of `currency`.
    pub fn new(amount_minor: i64, currency: &str) -> Self {
        Self { amount_minor, currency: currency.to_string() }
    }

    /// The same amount with the opposite sign (a reversal's amount).
    pub fn negated(&self) -> Self {
        Self { amount_minor: -self.amount_minor, currency: self.currency.clone() }
    }

    /// Whether the amount is greater than zero.
    pub fn is_positive(&self) -> bool {
        self.amount_minor > 0
    }
}

/// Whether `code` has the shape of an ISO 4217 currency code: three uppercase ASCII letters.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// `part` as a share of `whole` in basis points (1/100 of a percent), rounded half up;
/// integer arithmetic only. A `whole` of zero gives 0.
///
/// `basis_points(649_000, 3_914_300)` is 1658 (16.58 %).
pub fn basis_points(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        return 0;
    }
    let (part, whole) = if whole < 0 { (-i128::from(part), -i128::from(whole)) } else { (part.into(), whole.into()) };
    // round(part × 10 000 / whole) with halves going up: floor((2 × part × 10 000 + whole) / (2 × whole)).
    let rounded = (2 * part * 10_000 + whole).div_euclid(2 * whole);
    i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's four lines (seed-000, "Indicative budget"), in USD per month.
    const SEED_LINES_USD: [(&str, i64); 4] = [("O1", 6_490), ("O2", 20_054), ("O3", 7_502), ("PSC", 5_097)];

    #[test]
    fn the_seed_lines_sum_to_39_143_usd_a_month() {
        let total: i64 = SEED_LINES_USD.iter().map(|(_, usd)| usd).sum();
        assert_eq!(total, 39_143);
        assert_eq!(total * 100, 3_914_300, "in cents");
    }

    #[test]
    fn the_seed_shares_recomputed_from_the_amounts() {
        let total: i64 = SEED_LINES_USD.iter().map(|(_, usd)| usd * 100).sum();
        let shares: Vec<i64> = SEED_LINES_USD.iter().map(|(_, usd)| basis_points(usd * 100, total)).collect();
        assert_eq!(shares, [1658, 5123, 1917, 1302]);
        // The seed states 51.26 % for O2 and 19.16 % for O3: its amounts say otherwise.
        assert_ne!(shares[1], 5126);
        assert_ne!(shares[2], 1916);
        // The rounded shares need not add up to 100 %.
        assert_eq!(shares.iter().sum::<i64>(), 10_000);
    }

    #[test]
    fn the_demo_reallocations_shares() {
        // R-001: 500 of O3's 7,502 a month is 6.66 % (under a 10 % threshold).
        assert_eq!(basis_points(50_000, 750_200), 666);
        // R-002: 1,200 of O1's 6,490 a month is 18.49 % (over it).
        assert_eq!(basis_points(120_000, 649_000), 1849);
    }

    #[test]
    fn basis_points_round_half_up() {
        assert_eq!(basis_points(1, 20_000), 1, "0.5 bp rounds up");
        assert_eq!(basis_points(1, 20_001), 0, "just under half rounds down");
        assert_eq!(basis_points(3, 20_000), 2, "1.5 bp rounds up");
        assert_eq!(basis_points(-1, 20_000), 0, "-0.5 bp rounds up, towards zero");
        assert_eq!(basis_points(-3, 20_000), -1);
        assert_eq!(basis_points(1, -20_000), 0, "the sign of the whole is carried by the part");
        assert_eq!(basis_points(2, 3), 6667);
        assert_eq!(basis_points(1, 3), 3333);
        assert_eq!(basis_points(5, 5), 10_000);
        assert_eq!(basis_points(0, 5), 0);
        assert_eq!(basis_points(7, 0), 0, "no whole, no share");
        assert_eq!(basis_points(i64::MAX, 1), i64::MAX, "saturates");
        assert_eq!(basis_points(i64::MIN, 1), i64::MIN, "saturates");
    }

    #[test]
    fn currency_codes() {
        assert!(is_currency_code("USD"));
        assert!(is_currency_code("EUR"));
        assert!(!is_currency_code("usd"));
        assert!(!is_currency_code("US"));
        assert!(!is_currency_code("USDX"));
        assert!(!is_currency_code("U$D"));
        assert!(!is_currency_code(""));
    }

    #[test]
    fn money_helpers() {
        let m = Money::new(-200_000, "USD");
        assert_eq!(m.negated(), Money::new(200_000, "USD"));
        assert!(!m.is_positive());
        assert!(m.negated().is_positive());
        assert!(!Money::new(0, "USD").is_positive());
        assert_eq!(
            serde_json::to_string(&Money::new(3_914_300, "USD")).expect("serialises"),
            r#"{"amount_minor":3914300,"currency":"USD"}"#
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":1.5,"currency":"USD"}"#).is_err(), "no floats");
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":1,"currency":"USD","rate":2}"#).is_err());
    }
}
