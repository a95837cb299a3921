//! Governance policy: the decision rules a GCG decision is judged under.
//!
//! The Secretariat has not published the GCG's decision method or quorum rule
//! (docs/domain research §1.11), so they are versioned data, never constants: every
//! quorum declaration and every adopted decision records the version it applied.

use serde::{Deserialize, Serialize};

/// How a decision is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionMethod {
    /// Adopted when no voting seat blocks.
    Consensus,
    /// Adopted when more seats are for than against.
    SimpleMajority,
    /// Adopted when `for` reaches `percent` % of the seats that voted for or against.
    QualifiedMajority { percent: u32 },
}

/// How many voting seats must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuorumRule {
    /// More than half of the voting seats that are filled.
    MajorityOfFilledVotingSeats,
    /// A fixed number of voting seats.
    Fixed { seats: u32 },
    /// At least `percent` % of the filled voting seats (rounded up).
    Percent { percent: u32 },
}

impl QuorumRule {
    /// Voting seats required to be present when `filled` voting seats are filled.
    pub fn required(&self, filled: u32) -> u32 {
        match *self {
            QuorumRule::MajorityOfFilledVotingSeats => filled / 2 + 1,
            QuorumRule::Fixed { seats } => seats,
            QuorumRule::Percent { percent } => (filled * percent).div_ceil(100),
        }
    }
}

/// One version of the GCG's decision rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernancePolicy {
    pub version: String,
    pub method: DecisionMethod,
    pub quorum: QuorumRule,
    /// True while the rules are our assumption, not confirmed by the Secretariat.
    pub provisional: bool,
}

impl GovernancePolicy {
    /// The provisional rules used until the GCG adopts its own: consensus (a block
    /// prevents adoption) and a quorum of a majority of the filled voting seats.
    pub fn provisional_v1() -> Self {
        Self {
            version: "gcg-rules/v1-provisional".to_string(),
            method: DecisionMethod::Consensus,
            quorum: QuorumRule::MajorityOfFilledVotingSeats,
            provisional: true,
        }
    }
}
