//! Decision authority: the facts about an adopted GCG decision that a command cites.
//!
//! Commands that change the governance structure (electing the Chair, creating an Action
//! Group, adopting a policy version…) are legitimate only on the authority of an adopted
//! decision of the right subject. The edge reads the cited decision and hands its facts
//! to the aggregate as [`DecisionFacts`]; [`require_decision`] is the one check every such
//! command runs, so a missing, unadopted or off-subject decision is refused the same way
//! everywhere, with a named rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decision::{DecisionStatus, DecisionSubject};

/// What the edge read about the decision a command cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFacts {
    pub decision_id: String,
    pub status: DecisionStatus,
    pub subject: Option<DecisionSubject>,
    pub adopted_on: Option<NaiveDate>,
}

impl DecisionFacts {
    /// An adopted decision (for tests and the process manager's own bookkeeping).
    pub fn adopted(decision_id: &str, subject: DecisionSubject, adopted_on: NaiveDate) -> Self {
        Self {
            decision_id: decision_id.to_string(),
            status: DecisionStatus::Adopted,
            subject: Some(subject),
            adopted_on: Some(adopted_on),
        }
    }
}

/// Why a decision's authority was not enough.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    #[error("this command needs the authority of an adopted GCG decision ({needed}); none was cited")]
    Missing { needed: &'static str },
    #[error("decision {decision_id} is not adopted, so it authorises nothing")]
    NotAdopted { decision_id: String },
    #[error("decision {decision_id} is not about this ({needed})")]
    WrongSubject { decision_id: String, needed: &'static str },
}

impl AuthorityError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            AuthorityError::Missing { .. } => "decision_authority_missing",
            AuthorityError::NotAdopted { .. } => "decision_authority_not_adopted",
            AuthorityError::WrongSubject { .. } => "decision_authority_wrong_subject",
        }
    }
}

/// Checks that `facts` name an adopted decision whose subject `fits`; returns its id.
///
/// `needed` says, for the error message, what kind of decision was required.
pub fn require_decision(
    facts: Option<&DecisionFacts>,
    needed: &'static str,
    fits: impl Fn(&DecisionSubject) -> bool,
) -> Result<String, AuthorityError> {
    let facts = facts.ok_or(AuthorityError::Missing { needed })?;
    if facts.status != DecisionStatus::Adopted {
        return Err(AuthorityError::NotAdopted { decision_id: facts.decision_id.clone() });
    }
    match &facts.subject {
        Some(subject) if fits(subject) => Ok(facts.decision_id.clone()),
        _ => Err(AuthorityError::WrongSubject { decision_id: facts.decision_id.clone(), needed }),
    }
}

/// Whether `text` is 64 lowercase hex digits (a SHA-256 in hex).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
