//! The `Contribution` aggregate: one donor's contribution to the programme.
//!
//! `Pledged → Committed → PartlyReceived → FullyReceived`; `Pledged | Committed →
//! Cancelled` while nothing has been received. The agreement is the IATI incoming
//! commitment (transaction type 11) and each receipt is IATI incoming funds (type 1):
//! never dated in the future, never more in total than the commitment. A commitment is
//! corrected by an adjustment with a signed delta (IATI style: a new, possibly negative,
//! entry), never edited, and never below what was received.
//!
//! A contribution may be earmarked for one budget line, and its agreement may require the
//! donor's consent to reallocations (touching its earmark, or any when unearmarked;
//! optionally only above a share): [`Contribution::consent_required_for`] tells the edge
//! which consents a reallocation needs, and the donor's consents are recorded here with
//! the SHA-256 of the consent letter.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::blank;
use super::budget::ContributionFacts;
use super::money::{is_currency_code, Money};
use crate::authority::is_sha256_hex;

/// What the contribution agreement says about reallocations and reporting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementConditions {
    /// Whether reallocations touching the earmark (any reallocation, when unearmarked)
    /// need the donor's consent.
    pub reallocation_consent_required: bool,
    /// When consent is required: only for reallocations whose share of the from-line's
    /// monthly plan exceeds this many basis points (e.g. 1500 = 15 %); `None`: for all.
    #[serde(default)]
    pub reallocation_consent_above_basis_points: Option<u32>,
    /// The reporting the donor expects, in the agreement's words (e.g. `annual`).
    pub reporting: Option<String>,
}

/// Where a contribution is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContributionStatus {
    /// Nothing recorded yet.
    #[default]
    NotPledged,
    /// Pledged, no agreement yet.
    Pledged,
    /// The agreement is signed (IATI incoming commitment); nothing received.
    Committed,
    /// Part of the commitment received.
    PartlyReceived,
    /// The whole commitment received.
    FullyReceived,
    /// Cancelled before anything was received.
    Cancelled,
}

/// Contribution commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContributionCommand {
    /// Record a donor's pledge.
    Pledge {
        /// The contribution's id, e.g. `C-001`.
        contribution_id: String,
        /// The donor organisation.
        donor: String,
        /// The programme funded, e.g. `MDP-A87`.
        programme_id: String,
        /// The amount pledged (its currency is the contribution's).
        amount: Money,
        /// The budget line the funds are earmarked for, if any.
        earmark: Option<String>,
        /// The day of the pledge.
        pledged_on: NaiveDate,
        /// What the agreement says.
        conditions: AgreementConditions,
    },
    /// Record the signed agreement (IATI incoming commitment, transaction type 11).
    Commit {
        /// The agreement's reference.
        agreement_ref: String,
        /// The day it was signed.
        committed_on: NaiveDate,
        /// The amount committed.
        amount: Money,
    },
    /// Record funds received (IATI incoming funds, transaction type 1).
    Receive {
        /// A receipt id unique in the contribution.
        receipt_id: String,
        /// The amount received.
        amount: Money,
        /// The value date.
        received_on: NaiveDate,
        /// The provider's reference for the transfer.
        provider_reference: Option<String>,
        /// Edge fact: today's date (transactions are never in the future).
        #[serde(skip)]
        today: NaiveDate,
    },
    /// Correct the commitment by a signed delta.
    AdjustCommitment {
        /// Added to the commitment (negative to reduce it).
        delta: Money,
        /// Why.
        reason: String,
        /// The day of the adjustment.
        adjusted_on: NaiveDate,
    },
    /// Cancel the contribution (only before anything was received).
    Cancel {
        /// Why.
        reason: String,
        /// The day of the cancellation.
        cancelled_on: NaiveDate,
    },
    /// Record the donor's consent to a reallocation.
    RecordConsent {
        /// The reallocation consented to, e.g. `R-002`.
        realloc_id: String,
        /// The day of the consent.
        consented_on: NaiveDate,
        /// SHA-256 of the consent letter.
        letter_sha256: String,
    },
}

impl ContributionCommand {
    /// The command's tag.
    pub fn name(&self) -> &'static str {
        match self {
            ContributionCommand::Pledge { .. } => "pledge",
            ContributionCommand::Commit { .. } => "commit",
            ContributionCommand::Receive { .. } => "receive",
            ContributionCommand::AdjustCommitment { .. } => "adjust_commitment",
            ContributionCommand::Cancel { .. } => "cancel",
            ContributionCommand::RecordConsent { .. } => "record_consent",
        }
    }
}

/// Contribution events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContributionEvent {
    /// A donor pledged a contribution.
    ContributionPledged {
        /// The contribution's id.
        contribution_id: String,
        /// The donor organisation.
        donor: String,
        /// The programme funded.
        programme_id: String,
        /// The amount pledged.
        amount: Money,
        /// The budget line earmarked, if any.
        earmark: Option<String>,
        /// The day of the pledge.
        pledged_on: NaiveDate,
        /// What the agreement says.
        conditions: AgreementConditions,
    },
    /// The agreement was signed (IATI incoming commitment, transaction type 11).
    ContributionCommitted {
        /// The agreement's reference.
        agreement_ref: String,
        /// The day it was signed.
        committed_on: NaiveDate,
        /// The amount committed.
        amount: Money,
    },
    /// Funds were received (IATI incoming funds, transaction type 1).
    FundsReceived {
        /// The receipt id.
        receipt_id: String,
        /// The amount.
        amount: Money,
        /// The value date.
        received_on: NaiveDate,
        /// The provider's reference.
        provider_reference: Option<String>,
    },
    /// The commitment was corrected by a signed delta (IATI: a new, possibly negative,
    /// incoming commitment).
    CommitmentAdjusted {
        /// The change (negative to reduce).
        delta: Money,
        /// Why.
        reason: String,
        /// The day of the adjustment.
        adjusted_on: NaiveDate,
        /// The commitment after it.
        committed: Money,
    },
    /// The contribution was cancelled before anything was received.
    ContributionCancelled {
        /// Why.
        reason: String,
        /// The day of the cancellation.
        cancelled_on: NaiveDate,
    },
    /// The donor consented to a reallocation.
    DonorConsentRecorded {
        /// The reallocation.
        realloc_id: String,
        /// The day of the consent.
        consented_on: NaiveDate,
        /// SHA-256 of the consent letter.
        letter_sha256: String,
    },
}

impl DomainEvent for ContributionEvent {
    fn event_type(&self) -> String {
        match self {
            ContributionEvent::ContributionPledged { .. } => "ContributionPledged",
            ContributionEvent::ContributionCommitted { .. } => "ContributionCommitted",
            ContributionEvent::FundsReceived { .. } => "FundsReceived",
            ContributionEvent::CommitmentAdjusted { .. } => "CommitmentAdjusted",
            ContributionEvent::ContributionCancelled { .. } => "ContributionCancelled",
            ContributionEvent::DonorConsentRecorded { .. } => "DonorConsentRecorded",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a contribution command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContributionError {
    /// Pledge on a contribution already recorded.
    #[error("the contribution is already pledged")]
    AlreadyPledged,
    /// Any other command before Pledge.
    #[error("the contribution has not been pledged")]
    NotPledged,
    /// A required text field is blank.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Not an ISO 4217 code.
    #[error("currency {0} is not an ISO 4217 code (three uppercase letters)")]
    CurrencyInvalid(String),
    /// An amount is not in the contribution's currency.
    #[error("amounts must be in the contribution's currency {expected}, not {found}")]
    CurrencyMismatch {
        /// The contribution's currency.
        expected: String,
        /// The amount's.
        found: String,
    },
    /// An amount is zero or negative.
    #[error("the amount must be greater than zero")]
    AmountNotPositive,
    /// Commit on a committed contribution.
    #[error("the contribution is already committed")]
    AlreadyCommitted,
    /// Receipts and adjustments come after the agreement.
    #[error("the contribution has no signed agreement yet")]
    NotCommitted,
    /// The contribution is cancelled.
    #[error("the contribution is cancelled")]
    Cancelled,
    /// The agreement is dated before the pledge.
    #[error("the agreement is signed on or after the pledge")]
    CommitmentBeforePledge,
    /// The receipt is dated before the agreement.
    #[error("funds are received on or after the agreement is signed")]
    ReceiptBeforeCommitment,
    /// A transaction date after today.
    #[error("transactions are never in the future (today is {0})")]
    DateInFuture(NaiveDate),
    /// A receipt id is already used.
    #[error("receipt {0} is already recorded")]
    ReceiptIdTaken(String),
    /// More received in total than committed.
    #[error("the amount ({requested} minor units) exceeds the {outstanding} committed and not yet received")]
    ReceiptsExceedCommitment {
        /// Committed minus received.
        outstanding: i64,
        /// The amount received now.
        requested: i64,
    },
    /// An adjustment of zero.
    #[error("an adjustment changes the commitment")]
    AdjustmentZero,
    /// The commitment would fall below what was received.
    #[error("the commitment would be {proposed} minor units, below the {received} already received")]
    CommitmentBelowReceipts {
        /// What was received.
        received: i64,
        /// The commitment after the adjustment.
        proposed: i64,
    },
    /// The commitment would be zero or negative (cancel the contribution instead).
    #[error("the commitment must stay greater than zero; cancel the contribution instead")]
    CommitmentNotPositive,
    /// Cancel after funds were received.
    #[error("funds have been received; a contribution with receipts cannot be cancelled")]
    HasReceipts,
    /// The consent letter is not a SHA-256.
    #[error("letter_sha256 must be 64 lowercase hex digits")]
    LetterHashInvalid,
    /// The donor already consented to that reallocation.
    #[error("consent to reallocation {0} is already recorded")]
    ConsentAlreadyRecorded(String),
}

impl ContributionError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            ContributionError::AlreadyPledged => "contribution_already_pledged",
            ContributionError::NotPledged => "contribution_not_pledged",
            ContributionError::Empty(_) => "field_empty",
            ContributionError::CurrencyInvalid(_) => "currency_invalid",
            ContributionError::CurrencyMismatch { .. } => "currency_mismatch",
            ContributionError::AmountNotPositive => "amount_not_positive",
            ContributionError::AlreadyCommitted => "contribution_already_committed",
            ContributionError::NotCommitted => "contribution_not_committed",
            ContributionError::Cancelled => "contribution_cancelled",
            ContributionError::CommitmentBeforePledge => "commitment_before_pledge",
            ContributionError::ReceiptBeforeCommitment => "receipt_before_commitment",
            // The same rule, by name, as the command pipeline's date check.
            ContributionError::DateInFuture(_) => "occurred_in_future",
            ContributionError::ReceiptIdTaken(_) => "receipt_id_taken",
            ContributionError::ReceiptsExceedCommitment { .. } => "receipts_exceed_commitment",
            ContributionError::AdjustmentZero => "adjustment_zero",
            ContributionError::CommitmentBelowReceipts { .. } => "commitment_below_receipts",
            ContributionError::CommitmentNotPositive => "commitment_not_positive",
            ContributionError::HasReceipts => "contribution_has_receipts",
            ContributionError::LetterHashInvalid => "letter_hash_invalid",
            ContributionError::ConsentAlreadyRecorded(_) => "consent_already_recorded",
        }
    }
}

/// Funds received on a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The receipt id.
    pub receipt_id: String,
    /// Minor units.
    pub amount: i64,
    /// The value date.
    pub received_on: NaiveDate,
}

/// A contribution's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// The contribution's id (empty until pledged).
    pub contribution_id: String,
    /// The donor organisation.
    pub donor: String,
    /// The programme funded.
    pub programme_id: String,
    /// The currency of every amount.
    pub currency: String,
    /// Where it is.
    pub status: ContributionStatus,
    /// The amount pledged, in minor units.
    pub pledged: i64,
    /// The amount committed after adjustments, in minor units (0 before the agreement).
    pub committed: i64,
    /// The total received, in minor units.
    pub received: i64,
    /// The budget line earmarked, if any.
    pub earmark: Option<String>,
    /// What the agreement says.
    pub conditions: AgreementConditions,
    /// The day of the pledge.
    pub pledged_on: Option<NaiveDate>,
    /// The day the agreement was signed.
    pub committed_on: Option<NaiveDate>,
    /// The agreement's reference.
    pub agreement_ref: Option<String>,
    /// Every receipt, in order.
    pub receipts: Vec<Receipt>,
    /// The reallocations the donor consented to, in order.
    pub consents: Vec<String>,
}

impl Contribution {
    /// Committed and not yet received, in minor units.
    pub fn outstanding(&self) -> i64 {
        self.committed - self.received
    }

    /// Whether the donor consented to reallocation `realloc_id`.
    pub fn has_consented(&self, realloc_id: &str) -> bool {
        self.consents.iter().any(|c| c == realloc_id)
    }

    /// Whether the agreement requires the donor's consent to a reallocation from
    /// `from_line` to `to_line` taking `share_basis_points` of the from-line's monthly
    /// plan: it touches the earmark (any reallocation, when unearmarked) and its share is
    /// above the agreement's consent threshold, if it has one. A contribution not pledged
    /// or cancelled requires nothing.
    pub fn consent_required_for(&self, from_line: &str, to_line: &str, share_basis_points: i64) -> bool {
        if !self.conditions.reallocation_consent_required
            || matches!(self.status, ContributionStatus::NotPledged | ContributionStatus::Cancelled)
        {
            return false;
        }
        let touches = self.earmark.as_deref().is_none_or(|line| line == from_line || line == to_line);
        touches
            && self.conditions.reallocation_consent_above_basis_points.is_none_or(|t| share_basis_points > i64::from(t))
    }

    /// What the programme needs to know to allocate from this contribution, given what
    /// has already been allocated from it (minor units).
    pub fn allocation_facts(&self, allocated: i64) -> ContributionFacts {
        ContributionFacts {
            donor: self.donor.clone(),
            programme_id: self.programme_id.clone(),
            received: Money::new(self.received, &self.currency),
            allocated: Money::new(allocated, &self.currency),
            earmark: self.earmark.clone(),
        }
    }

    /// The amount of `money` in minor units, once it is checked to be in the
    /// contribution's currency.
    fn in_currency(&self, money: &Money) -> Result<i64, ContributionError> {
        if money.currency != self.currency {
            return Err(ContributionError::CurrencyMismatch {
                expected: self.currency.clone(),
                found: money.currency.clone(),
            });
        }
        Ok(money.amount_minor)
    }

    /// A positive amount in the contribution's currency, in minor units.
    fn positive(&self, money: &Money) -> Result<i64, ContributionError> {
        let amount = self.in_currency(money)?;
        if amount <= 0 {
            return Err(ContributionError::AmountNotPositive);
        }
        Ok(amount)
    }

    /// Refuses unless the agreement is signed and the contribution not cancelled.
    fn committed_state(&self) -> Result<(), ContributionError> {
        match self.status {
            ContributionStatus::Pledged => Err(ContributionError::NotCommitted),
            ContributionStatus::Cancelled => Err(ContributionError::Cancelled),
            _ => Ok(()),
        }
    }

    /// The status that the amounts committed and received imply, once committed.
    fn receipt_status(&self) -> ContributionStatus {
        if self.received > 0 && self.received >= self.committed {
            ContributionStatus::FullyReceived
        } else if self.received > 0 {
            ContributionStatus::PartlyReceived
        } else {
            ContributionStatus::Committed
        }
    }
}

fn not_empty(value: &str, field: &'static str) -> Result<(), ContributionError> {
    if blank(value) {
        return Err(ContributionError::Empty(field));
    }
    Ok(())
}

/// Decides a contribution command against the contribution's state.
pub fn decide(state: &Contribution, command: ContributionCommand) -> Result<Vec<ContributionEvent>, ContributionError> {
    let pledged = state.status != ContributionStatus::NotPledged;
    if !pledged && !matches!(command, ContributionCommand::Pledge { .. }) {
        return Err(ContributionError::NotPledged);
    }
    match command {
        ContributionCommand::Pledge {
            contribution_id,
            donor,
            programme_id,
            amount,
            earmark,
            pledged_on,
            conditions,
        } => {
            if pledged {
                return Err(ContributionError::AlreadyPledged);
            }
            not_empty(&contribution_id, "contribution_id")?;
            not_empty(&donor, "donor")?;
            not_empty(&programme_id, "programme_id")?;
            if earmark.as_deref().is_some_and(blank) {
                return Err(ContributionError::Empty("earmark"));
            }
            if !is_currency_code(&amount.currency) {
                return Err(ContributionError::CurrencyInvalid(amount.currency));
            }
            if !amount.is_positive() {
                return Err(ContributionError::AmountNotPositive);
            }
            Ok(vec![ContributionEvent::ContributionPledged {
                contribution_id,
                donor,
                programme_id,
                amount,
                earmark,
                pledged_on,
                conditions,
            }])
        }
        ContributionCommand::Commit { agreement_ref, committed_on, amount } => {
            match state.status {
                ContributionStatus::Pledged => {}
                ContributionStatus::Cancelled => return Err(ContributionError::Cancelled),
                _ => return Err(ContributionError::AlreadyCommitted),
            }
            not_empty(&agreement_ref, "agreement_ref")?;
            state.positive(&amount)?;
            if state.pledged_on.is_some_and(|p| committed_on < p) {
                return Err(ContributionError::CommitmentBeforePledge);
            }
            Ok(vec![ContributionEvent::ContributionCommitted { agreement_ref, committed_on, amount }])
        }
        ContributionCommand::Receive { receipt_id, amount, received_on, provider_reference, today } => {
            state.committed_state()?;
            not_empty(&receipt_id, "receipt_id")?;
            if state.receipts.iter().any(|r| r.receipt_id == receipt_id) {
                return Err(ContributionError::ReceiptIdTaken(receipt_id));
            }
            let requested = state.positive(&amount)?;
            if received_on > today {
                return Err(ContributionError::DateInFuture(today));
            }
            if state.committed_on.is_some_and(|c| received_on < c) {
                return Err(ContributionError::ReceiptBeforeCommitment);
            }
            let outstanding = state.outstanding();
            if requested > outstanding {
                return Err(ContributionError::ReceiptsExceedCommitment { outstanding, requested });
            }
            Ok(vec![ContributionEvent::FundsReceived { receipt_id, amount, received_on, provider_reference }])
        }
        ContributionCommand::AdjustCommitment { delta, reason, adjusted_on } => {
            state.committed_state()?;
            not_empty(&reason, "reason")?;
            let change = state.in_currency(&delta)?;
            if change == 0 {
                return Err(ContributionError::AdjustmentZero);
            }
            let proposed = state.committed.saturating_add(change);
            if proposed < state.received {
                return Err(ContributionError::CommitmentBelowReceipts { received: state.received, proposed });
            }
            if proposed <= 0 {
                return Err(ContributionError::CommitmentNotPositive);
            }
            let committed = Money::new(proposed, &state.currency);
            Ok(vec![ContributionEvent::CommitmentAdjusted { delta, reason, adjusted_on, committed }])
        }
        ContributionCommand::Cancel { reason, cancelled_on } => {
            match state.status {
                ContributionStatus::Cancelled => return Err(ContributionError::Cancelled),
                ContributionStatus::PartlyReceived | ContributionStatus::FullyReceived => {
                    return Err(ContributionError::HasReceipts)
                }
                _ => {}
            }
            not_empty(&reason, "reason")?;
            Ok(vec![ContributionEvent::ContributionCancelled { reason, cancelled_on }])
        }
        ContributionCommand::RecordConsent { realloc_id, consented_on, letter_sha256 } => {
            if state.status == ContributionStatus::Cancelled {
                return Err(ContributionError::Cancelled);
            }
            not_empty(&realloc_id, "realloc_id")?;
            if !is_sha256_hex(&letter_sha256) {
                return Err(ContributionError::LetterHashInvalid);
            }
            if state.has_consented(&realloc_id) {
                return Err(ContributionError::ConsentAlreadyRecorded(realloc_id));
            }
            Ok(vec![ContributionEvent::DonorConsentRecorded { realloc_id, consented_on, letter_sha256 }])
        }
    }
}

/// Folds one event into the contribution's state.
pub fn evolve(state: &mut Contribution, event: ContributionEvent) {
    match event {
        ContributionEvent::ContributionPledged {
            contribution_id,
            donor,
            programme_id,
            amount,
            earmark,
            pledged_on,
            conditions,
        } => {
            state.contribution_id = contribution_id;
            state.donor = donor;
            state.programme_id = programme_id;
            state.currency = amount.currency;
            state.pledged = amount.amount_minor;
            state.earmark = earmark;
            state.pledged_on = Some(pledged_on);
            state.conditions = conditions;
            state.status = ContributionStatus::Pledged;
        }
        ContributionEvent::ContributionCommitted { agreement_ref, committed_on, amount } => {
            state.agreement_ref = Some(agreement_ref);
            state.committed_on = Some(committed_on);
            state.committed = amount.amount_minor;
            state.status = state.receipt_status();
        }
        ContributionEvent::FundsReceived { receipt_id, amount, received_on, .. } => {
            state.received += amount.amount_minor;
            state.receipts.push(Receipt { receipt_id, amount: amount.amount_minor, received_on });
            state.status = state.receipt_status();
        }
        ContributionEvent::CommitmentAdjusted { committed, .. } => {
            state.committed = committed.amount_minor;
            state.status = state.receipt_status();
        }
        ContributionEvent::ContributionCancelled { .. } => state.status = ContributionStatus::Cancelled,
        ContributionEvent::DonorConsentRecorded { realloc_id, .. } => state.consents.push(realloc_id),
    }
}

impl Aggregate for Contribution {
    const TYPE: &'static str = "contribution";
    type Command = ContributionCommand;
    type Event = ContributionEvent;
    type Error = ContributionError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), Self::Error> {
        for event in decide(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        evolve(self, event);
    }
}

#[cfg(test)]
mod tests;

crate::dated_command!(ContributionCommand, |command| match command {
    ContributionCommand::Pledge { pledged_on, .. } => Occurred(*pledged_on),
    ContributionCommand::Commit { committed_on, .. } => Occurred(*committed_on),
    ContributionCommand::Receive { received_on, .. } => Occurred(*received_on),
    ContributionCommand::AdjustCommitment { adjusted_on, .. } => Occurred(*adjusted_on),
    ContributionCommand::Cancel { cancelled_on, .. } => Occurred(*cancelled_on),
    ContributionCommand::RecordConsent { consented_on, .. } => Occurred(*consented_on),
});
