//! The Multi-Donor Programme: budget lines, donors, contributions, allocations, expenditure and reallocations.
//!
//! * [`budget`]: the [`Programme`] aggregate (`programme:{id}`, e.g. `programme:MDP-A87`):
//!   established on an adopted GCG decision, its budget lines and their monthly baseline,
//!   its IATI activity status, the funds allocated from contributions to lines, the
//!   expenditure against them, reversals (never edits) and reallocations between lines.
//! * [`contribution`]: the [`Contribution`] aggregate (`contribution:{id}`, e.g.
//!   `contribution:C-001`): a donor's pledge, its agreement (IATI incoming commitment),
//!   the funds received (IATI incoming funds), adjustments and the donor's consents to
//!   reallocations.
//! * [`donor`]: the [`Donor`] aggregate (`donor:{organisation}`), a registered
//!   organisation that funds the programme.
//! * [`money`]: [`Money`] (integer minor units and an ISO 4217 code, never floats) and
//!   [`money::basis_points`], the one way a percentage is computed; [`period`]: whole
//!   months and IATI budget periods.
//! * [`policy`]: the versioned [`ReallocationPolicy`] (the reallocation threshold is not
//!   known, so it is data, recorded by every reallocation).
//!
//! Amounts are the source of truth; percentages are computed from them (as basis points)
//! and never stored as input. Facts about other aggregates (the cited decision, what a
//! contribution has received, the donors' consents, the policy in force, today's date)
//! are "edge facts": command fields the server fills in and clients cannot send.

// Every public item of the programme is documented (the OpenAPI schema shows the docs).
#![warn(missing_docs)]

pub mod budget;
pub mod contribution;
pub mod donor;
pub mod money;
pub mod period;
pub mod policy;

pub use budget::Programme;
pub use contribution::Contribution;
pub use donor::Donor;
pub use money::Money;
pub use policy::ReallocationPolicy;

/// Whether `text` is blank (empty or only whitespace).
fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text() {
        assert!(blank(""));
        assert!(blank(" \t\n"));
        assert!(!blank(" O1 "));
    }
}
