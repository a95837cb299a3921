//! Governance policy: the decision rules a GCG decision is judged under.
//!
//! The Secretariat has not published the GCG's decision method or quorum rule
//!, so they are versioned data, never constants: every
//! quorum declaration and every adopted decision records the version it applied.

use serde::{Deserialize, Serialize};

/// How a decision is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Who admits a new partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartnerAdmission {
    /// The Secretariat admits partners on its own.
    #[default]
    Secretariat,
    /// Admission needs an adopted GCG decision endorsing the partner.
    GcgDecision,
}

/// The most seats a constituency may have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatLimit {
    pub constituency: crate::body::Constituency,
    pub max: u32,
}

/// One version of the GCG's decision rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernancePolicy {
    pub version: String,
    pub method: DecisionMethod,
    pub quorum: QuorumRule,
    /// True while the rules are our assumption, not confirmed by the Secretariat.
    pub provisional: bool,
    /// Whether decisions may be taken by written (intersessional) procedure.
    #[serde(default)]
    pub written_procedure_allowed: bool,
    /// Days after circulation before minutes count as approved by silence; `None`: never.
    #[serde(default)]
    pub silence_period_days: Option<u32>,
    /// Length of a Chair or Deputy Chair term in years; `None`: not fixed.
    #[serde(default)]
    pub chair_term_years: Option<u32>,
    /// Seats per constituency (the December 2022 structure: 5 PFC, 5 development partners).
    #[serde(default)]
    pub seat_limits: Vec<SeatLimit>,
    #[serde(default)]
    pub partner_admission: PartnerAdmission,
    /// The Pathfinder Country Accountability Framework's rules (deadlines, review triggers,
    /// endorsement wording, who approves reports).
    #[serde(default)]
    pub accountability: crate::pathfinder::AccountabilityPolicy,
    /// The Multi-Donor Programme's reallocation threshold.
    #[serde(default)]
    pub reallocation: crate::programme::ReallocationPolicy,
}

impl GovernancePolicy {
    /// The provisional rules used until the GCG adopts its own: consensus (a block
    /// prevents adoption) and a quorum of a majority of the filled voting seats.
    ///
    /// The other settings: no written procedure, minutes approved by silence 14 days after
    /// circulation, 3-year Chair terms (the 2023 call for candidacy), 5 PFC and 5
    /// development-partner seats (the December 2022 structure), partners admitted by the
    /// Secretariat. Only the term length and the seat counts are sourced; the rest is ours.
    pub fn provisional_v1() -> Self {
        use crate::body::Constituency;
        Self {
            version: "gcg-rules/v1-provisional".to_string(),
            method: DecisionMethod::Consensus,
            quorum: QuorumRule::MajorityOfFilledVotingSeats,
            provisional: true,
            written_procedure_allowed: false,
            silence_period_days: Some(14),
            chair_term_years: Some(3),
            seat_limits: vec![
                SeatLimit { constituency: Constituency::PathfinderCountry, max: 5 },
                SeatLimit { constituency: Constituency::DevelopmentPartner, max: 5 },
                SeatLimit { constituency: Constituency::Secretariat, max: 1 },
            ],
            partner_admission: PartnerAdmission::Secretariat,
            accountability: crate::pathfinder::AccountabilityPolicy::provisional_2023(),
            reallocation: crate::programme::ReallocationPolicy::provisional_v1(),
        }
    }

    /// The most seats `constituency` may have, if limited.
    pub fn seat_limit(&self, constituency: crate::body::Constituency) -> Option<u32> {
        self.seat_limits.iter().find(|l| l.constituency == constituency).map(|l| l.max)
    }
}
