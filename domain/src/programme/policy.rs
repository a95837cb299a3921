//! The reallocation policy: when the Secretariat may move budget between lines on its own.
//!
//! Below a threshold the Secretariat reallocates under its delegation; above it, an
//! adopted GCG decision (subject `approve_budget_reallocation`) is needed. The threshold
//! is not public, so it is versioned data: the edge passes
//! the policy in force with each reallocation and the event records the version and the
//! threshold it applied.

use serde::{Deserialize, Serialize};

/// One version of the reallocation rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReallocationPolicy {
    /// The version name, recorded by the reallocations that applied it.
    pub version: String,
    /// True while the rules are our assumption, not confirmed by the Secretariat.
    pub provisional: bool,
    /// The largest share of the from-line's monthly plan, in basis points (1000 = 10 %),
    /// that the Secretariat may reallocate without a GCG decision.
    pub threshold_basis_points: u32,
}

impl ReallocationPolicy {
    /// The version name of [`ReallocationPolicy::provisional_v1`].
    pub const PROVISIONAL_V1: &'static str = "realloc/v1-provisional";

    /// Our provisional rule: up to 10 % of the from-line's monthly plan under delegation.
    /// The 10 % is the demo's assumption, not sourced.
    pub fn provisional_v1() -> Self {
        Self { version: Self::PROVISIONAL_V1.to_string(), provisional: true, threshold_basis_points: 1000 }
    }

    /// Whether a reallocation of `share_basis_points` of its line needs a GCG decision
    /// (strictly above the threshold; exactly at it the Secretariat may act alone).
    pub fn exceeded_by(&self, share_basis_points: i64) -> bool {
        share_basis_points > i64::from(self.threshold_basis_points)
    }
}

impl Default for ReallocationPolicy {
    /// The provisional rules, [`ReallocationPolicy::provisional_v1`].
    fn default() -> Self {
        Self::provisional_v1()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provisional_policy() {
        let policy = ReallocationPolicy::provisional_v1();
        assert_eq!(policy.version, "realloc/v1-provisional");
        assert!(policy.provisional);
        assert_eq!(policy.threshold_basis_points, 1000);
        assert_eq!(ReallocationPolicy::default(), policy);
    }

    #[test]
    fn the_threshold_is_exceeded_strictly_above_it() {
        let policy = ReallocationPolicy::provisional_v1();
        assert!(!policy.exceeded_by(666), "R-001: 6.66 % of O3");
        assert!(!policy.exceeded_by(1000));
        assert!(policy.exceeded_by(1001));
        assert!(policy.exceeded_by(1849), "R-002: 18.49 % of O1");
    }

    #[test]
    fn the_policy_serialises_as_data() {
        let json = r#"{"version":"realloc/v1-provisional","provisional":true,"threshold_basis_points":1000}"#;
        assert_eq!(serde_json::to_string(&ReallocationPolicy::provisional_v1()).expect("serialises"), json);
        assert_eq!(
            serde_json::from_str::<ReallocationPolicy>(json).expect("deserialises"),
            ReallocationPolicy::provisional_v1()
        );
    }
}
