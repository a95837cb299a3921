//! The `Programme` aggregate: the Multi-Donor Programme's budget and its money trail.
//!
//! A programme is established on an adopted GCG decision (subject `establish_programme`),
//! with its IATI identifier, reporting organisation, currency and period (whole months).
//! Its budget lines are defined with an amount per month until the baseline is set, which
//! freezes them (IATI budget type 1, Original). Money then moves IATI-style, append only:
//! funds received on a contribution are allocated to a line (never more than was received,
//! and only to the contribution's earmark), expenditure is recorded against a line (never
//! more than its allocated funds not yet spent, never in the future), and a wrong entry is
//! cancelled by a reversal with the opposite amount, never edited.
//!
//! A reallocation moves an amount per month from one line to another for a run of whole
//! months: the total is unchanged by construction. Above the policy's threshold (a share of
//! the from-line's monthly plan, in basis points) it needs an adopted GCG decision (subject
//! `approve_budget_reallocation`); below it the Secretariat acts under delegation. Donors
//! whose agreements require it must have consented. Each line keeps its reallocations as
//! `(effective_from, effective_to, delta)` so the plan of any month can be computed
//! ([`Programme::monthly_plan`], [`Programme::planned_between`]).

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::blank;
use super::money::{basis_points, is_currency_code, Money};
use super::period::{first_of_month, is_first_of_month, is_whole_months, months, months_inclusive};
use super::policy::ReallocationPolicy;
use crate::authority::{is_sha256_hex, require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;

/// What a budget line pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LineKind {
    /// One of the programme's outcomes (reported as an IATI result of type Outcome).
    Outcome,
    /// Programme support cost (the ILO's implementation cost).
    SupportCost,
}

/// Whether a budget is indicative or committed (IATI `BudgetStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BudgetStatus {
    /// IATI code 1: a non-binding estimate.
    Indicative,
    /// IATI code 2: a binding agreement.
    Committed,
}

impl BudgetStatus {
    /// The IATI `BudgetStatus` code.
    pub fn iati_code(self) -> u8 {
        match self {
            BudgetStatus::Indicative => 1,
            BudgetStatus::Committed => 2,
        }
    }
}

/// The programme's stage (IATI `ActivityStatus`).
///
/// `Pipeline → Implementation | Cancelled`, `Implementation ⇄ Suspended`,
/// `Implementation → Finalisation → Closed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivityStatus {
    /// IATI code 1: pipeline / identification (where every programme starts).
    #[default]
    Pipeline,
    /// IATI code 2: implementation.
    Implementation,
    /// IATI code 3: finalisation (physical activity complete, finances being closed).
    Finalisation,
    /// IATI code 4: closed.
    Closed,
    /// IATI code 5: cancelled.
    Cancelled,
    /// IATI code 6: suspended.
    Suspended,
}

impl ActivityStatus {
    /// The IATI `ActivityStatus` code (1–6).
    pub fn iati_code(self) -> u8 {
        match self {
            ActivityStatus::Pipeline => 1,
            ActivityStatus::Implementation => 2,
            ActivityStatus::Finalisation => 3,
            ActivityStatus::Closed => 4,
            ActivityStatus::Cancelled => 5,
            ActivityStatus::Suspended => 6,
        }
    }

    /// Whether the programme may go from this stage to `to`.
    pub fn can_change_to(self, to: ActivityStatus) -> bool {
        use ActivityStatus::*;
        matches!(
            (self, to),
            (Pipeline, Implementation | Cancelled)
                | (Implementation, Suspended | Finalisation)
                | (Suspended, Implementation)
                | (Finalisation, Closed)
        )
    }

    /// Whether the programme has ended (closed or cancelled): no more budget changes,
    /// allocations, expenditure or reallocations.
    pub fn has_ended(self) -> bool {
        matches!(self, ActivityStatus::Closed | ActivityStatus::Cancelled)
    }
}

/// What the edge read about the contribution an allocation draws on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContributionFacts {
    /// The donor organisation.
    pub donor: String,
    /// The programme the contribution was pledged to.
    pub programme_id: String,
    /// The funds received on it so far.
    pub received: Money,
    /// What the edge counts as already allocated from it (net of reversals). The
    /// programme's own record of its allocations is also checked; the larger counts.
    pub allocated: Money,
    /// The budget line the contribution is earmarked for, if any.
    pub earmark: Option<String>,
}

/// On whose authority a reallocation was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReallocationAuthority {
    /// The Secretariat's delegation (at or under the policy's threshold).
    Delegation,
    /// An adopted GCG decision (subject `approve_budget_reallocation`).
    Decision {
        /// The cited decision.
        decision_id: String,
    },
}

/// Which kind of entry a reversal cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EntryKind {
    /// Funds allocated from a contribution to a line.
    Allocation,
    /// Expenditure recorded against a line (IATI transaction type 4).
    Expenditure,
}

/// One line's amount per month in the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineAmount {
    /// The line's code, e.g. `O2`.
    pub line_code: String,
    /// Its amount per month.
    pub monthly: Money,
}

/// Programme commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProgrammeCommand {
    /// Establish the programme (IATI activity) on an adopted decision.
    Establish {
        /// The programme's id, e.g. `MDP-A87`.
        programme_id: String,
        /// The programme's title.
        title: String,
        /// The IATI activity identifier, `{reporting-org ref}-{local id}`.
        iati_identifier: String,
        /// The reporting organisation (a registered organisation id, e.g. `ILO`).
        reporting_organisation: String,
        /// The ISO 4217 code every amount of the programme is in, e.g. `USD`.
        currency: String,
        /// The first day of the programme's first month.
        period_start: NaiveDate,
        /// The last day of the programme's last month.
        period_end: NaiveDate,
        /// Edge fact: the cited decision (subject `establish_programme` for this programme).
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    /// Define a budget line (only before the baseline is set).
    DefineBudgetLine {
        /// A code unique in the programme, e.g. `O1` or `PSC`.
        line_code: String,
        /// The line's name.
        name: String,
        /// What the line pays for.
        kind: LineKind,
        /// Its planned amount per month.
        monthly: Money,
        /// The activities the line funds.
        activities: Vec<String>,
    },
    /// Set the baseline: freezes the lines (IATI budget type 1, Original).
    SetBaseline {
        /// The day the baseline was set.
        set_on: NaiveDate,
        /// Whether the budget is indicative or committed.
        status: BudgetStatus,
    },
    /// Move the programme to another stage.
    ChangeStatus {
        /// The new stage.
        to: ActivityStatus,
        /// The day of the change.
        on: NaiveDate,
    },
    /// Allocate funds received on a contribution to a budget line.
    Allocate {
        /// A new entry id, unique among the programme's allocations and expenditures.
        allocation_id: String,
        /// The contribution the funds come from.
        contribution_id: String,
        /// The line funded.
        line_code: String,
        /// The amount allocated.
        amount: Money,
        /// The day of the allocation.
        allocated_on: NaiveDate,
        /// Edge fact: the contribution.
        #[serde(skip)]
        contribution: Option<ContributionFacts>,
    },
    /// Record expenditure against a budget line (IATI transaction type 4).
    RecordExpenditure {
        /// A new entry id, unique among the programme's allocations and expenditures.
        expenditure_id: String,
        /// The line charged.
        line_code: String,
        /// The amount spent.
        amount: Money,
        /// The day the money was spent.
        spent_on: NaiveDate,
        /// The month the expenditure belongs to, by its first day.
        period_month: NaiveDate,
        /// What was paid for.
        description: String,
        /// SHA-256 of the supporting document (invoice, payroll extract…).
        evidence_sha256: String,
        /// Edge fact: today's date (transactions are never in the future).
        #[serde(skip)]
        today: NaiveDate,
    },
    /// Reverse an allocation or an expenditure with an entry of the opposite amount.
    ReverseEntry {
        /// The allocation or expenditure reversed.
        entry_id: String,
        /// Why.
        reason: String,
        /// The day of the reversal.
        reversed_on: NaiveDate,
    },
    /// Move an amount per month from one line to another for a run of whole months.
    Reallocate {
        /// The reallocation's id, e.g. `R-001`.
        realloc_id: String,
        /// The line that gives.
        from_line: String,
        /// The line that receives.
        to_line: String,
        /// The amount moved each month.
        amount_per_month: Money,
        /// The first day of the first month affected.
        effective_from: NaiveDate,
        /// The last day of the last month affected.
        effective_to: NaiveDate,
        /// Why.
        justification: String,
        /// Edge fact: the cited decision, if any (subject `approve_budget_reallocation`
        /// for this programme); required above the policy's threshold.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
        /// Edge fact: the reallocation policy in force.
        #[serde(skip)]
        policy: ReallocationPolicy,
        /// Edge fact: the contributions whose donors recorded consent to this `realloc_id`.
        #[serde(skip)]
        consents: Vec<String>,
        /// Edge fact: the contributions whose agreements require the donor's consent to
        /// this reallocation (it touches their earmark, or they require it for any).
        #[serde(skip)]
        consent_required_from: Vec<String>,
    },
    /// Report a result of an outcome line: an indicator's value over a period, against its
    /// target if it has one.
    ReportResult {
        /// The line the result belongs to, e.g. `O2`.
        line_code: String,
        /// What is measured, e.g. `Pathfinder Countries with a validated roadmap`.
        indicator: String,
        /// The unit of the values, e.g. `countries`.
        unit: String,
        /// The first day of the period the value covers.
        period_start: NaiveDate,
        /// The last day of that period.
        period_end: NaiveDate,
        /// The value aimed at for the period, if one was set.
        target: Option<i64>,
        /// The value reached.
        actual: i64,
        /// The day it was reported (no earlier than the period's start).
        reported_on: NaiveDate,
    },
}

impl ProgrammeCommand {
    /// The command's tag.
    pub fn name(&self) -> &'static str {
        match self {
            ProgrammeCommand::Establish { .. } => "establish",
            ProgrammeCommand::DefineBudgetLine { .. } => "define_budget_line",
            ProgrammeCommand::SetBaseline { .. } => "set_baseline",
            ProgrammeCommand::ChangeStatus { .. } => "change_status",
            ProgrammeCommand::Allocate { .. } => "allocate",
            ProgrammeCommand::RecordExpenditure { .. } => "record_expenditure",
            ProgrammeCommand::ReverseEntry { .. } => "reverse_entry",
            ProgrammeCommand::Reallocate { .. } => "reallocate",
            ProgrammeCommand::ReportResult { .. } => "report_result",
        }
    }
}

/// Programme events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgrammeEvent {
    /// The programme was established (in the Pipeline stage).
    ProgrammeEstablished {
        /// The programme's id.
        programme_id: String,
        /// Its title.
        title: String,
        /// Its IATI activity identifier.
        iati_identifier: String,
        /// The reporting organisation.
        reporting_organisation: String,
        /// The currency of every amount.
        currency: String,
        /// The first day of the first month.
        period_start: NaiveDate,
        /// The last day of the last month.
        period_end: NaiveDate,
        /// The establishing decision.
        decision_id: String,
    },
    /// A budget line was defined.
    BudgetLineDefined {
        /// Its code.
        line_code: String,
        /// Its name.
        name: String,
        /// What it pays for.
        kind: LineKind,
        /// Its planned amount per month.
        monthly: Money,
        /// The activities it funds.
        activities: Vec<String>,
    },
    /// The baseline was set and the lines frozen (IATI budget type 1, Original).
    BudgetBaselineSet {
        /// The day it was set.
        set_on: NaiveDate,
        /// Indicative or committed.
        status: BudgetStatus,
        /// Every line's amount per month, in definition order.
        lines: Vec<LineAmount>,
        /// The sum of the lines' monthly amounts.
        monthly_total: Money,
        /// The months in the programme period.
        months: u32,
        /// `monthly_total × months`.
        programme_total: Money,
    },
    /// The programme moved to another stage.
    ProgrammeStatusChanged {
        /// The stage it left.
        from: ActivityStatus,
        /// The stage it entered.
        to: ActivityStatus,
        /// The day of the change.
        on: NaiveDate,
    },
    /// Funds received on a contribution were allocated to a line.
    FundsAllocated {
        /// The entry id.
        allocation_id: String,
        /// The contribution the funds come from.
        contribution_id: String,
        /// Its donor.
        donor: String,
        /// The line funded.
        line_code: String,
        /// The amount.
        amount: Money,
        /// The day of the allocation.
        allocated_on: NaiveDate,
    },
    /// Expenditure was recorded against a line (IATI transaction type 4).
    ExpenditureRecorded {
        /// The entry id.
        expenditure_id: String,
        /// The line charged.
        line_code: String,
        /// The amount.
        amount: Money,
        /// The day the money was spent.
        spent_on: NaiveDate,
        /// The month it belongs to (its first day).
        period_month: NaiveDate,
        /// What was paid for.
        description: String,
        /// SHA-256 of the supporting document.
        evidence_sha256: String,
    },
    /// An allocation or expenditure was reversed by an entry of the opposite amount.
    EntryReversed {
        /// The reversed entry.
        entry_id: String,
        /// Its kind.
        kind: EntryKind,
        /// Its line.
        line_code: String,
        /// The contribution of a reversed allocation.
        contribution_id: Option<String>,
        /// The reversal's amount: the entry's, negated.
        amount: Money,
        /// Why.
        reason: String,
        /// The day of the reversal.
        reversed_on: NaiveDate,
    },
    /// An amount per month was moved between two lines; the total is unchanged.
    BudgetReallocated {
        /// The reallocation's id.
        realloc_id: String,
        /// The line that gives.
        from_line: String,
        /// The line that receives.
        to_line: String,
        /// The amount moved each month.
        amount_per_month: Money,
        /// The first day of the first month affected.
        effective_from: NaiveDate,
        /// The last day of the last month affected.
        effective_to: NaiveDate,
        /// The months affected.
        months: u32,
        /// `amount_per_month × months`.
        total_amount: Money,
        /// Why.
        justification: String,
        /// The from-line's monthly plan the share is computed on: its lowest over the
        /// months affected, before this reallocation.
        from_line_monthly: Money,
        /// `amount_per_month / from_line_monthly` in basis points (rounded half up).
        share_basis_points: i64,
        /// The version of the reallocation policy applied.
        policy_version: String,
        /// The policy's threshold, in basis points.
        threshold_basis_points: u32,
        /// Whether the share exceeded the threshold (then a decision was required).
        threshold_exceeded: bool,
        /// On whose authority.
        authority: ReallocationAuthority,
        /// The contributions whose donors had consented (sorted, without duplicates).
        consents: Vec<String>,
    },
    /// A result of an outcome line was reported.
    ResultReported {
        /// The outcome line.
        line_code: String,
        /// What is measured.
        indicator: String,
        /// The unit of the values.
        unit: String,
        /// The first day of the period the value covers.
        period_start: NaiveDate,
        /// The last day of that period.
        period_end: NaiveDate,
        /// The value aimed at, if one was set.
        target: Option<i64>,
        /// The value reached.
        actual: i64,
        /// The day it was reported.
        reported_on: NaiveDate,
    },
}

impl DomainEvent for ProgrammeEvent {
    fn event_type(&self) -> String {
        match self {
            ProgrammeEvent::ProgrammeEstablished { .. } => "ProgrammeEstablished",
            ProgrammeEvent::BudgetLineDefined { .. } => "BudgetLineDefined",
            ProgrammeEvent::BudgetBaselineSet { .. } => "BudgetBaselineSet",
            ProgrammeEvent::ProgrammeStatusChanged { .. } => "ProgrammeStatusChanged",
            ProgrammeEvent::FundsAllocated { .. } => "FundsAllocated",
            ProgrammeEvent::ExpenditureRecorded { .. } => "ExpenditureRecorded",
            ProgrammeEvent::EntryReversed { .. } => "EntryReversed",
            ProgrammeEvent::BudgetReallocated { .. } => "BudgetReallocated",
            ProgrammeEvent::ResultReported { .. } => "ResultReported",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a programme command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgrammeError {
    /// Establish on an established programme.
    #[error("the programme is already established")]
    AlreadyEstablished,
    /// Any other command before Establish.
    #[error("the programme has not been established")]
    NotEstablished,
    /// A required text field is blank.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Not an ISO 4217 code.
    #[error("currency {0} is not an ISO 4217 code (three uppercase letters)")]
    CurrencyInvalid(String),
    /// An amount is not in the programme's currency.
    #[error("amounts must be in the programme's currency {expected}, not {found}")]
    CurrencyMismatch {
        /// The programme's currency.
        expected: String,
        /// The amount's.
        found: String,
    },
    /// An amount is zero or negative.
    #[error("the amount must be greater than zero")]
    AmountNotPositive,
    /// The IATI identifier contains whitespace.
    #[error("the IATI identifier {0:?} must not contain whitespace")]
    IatiIdentifierInvalid(String),
    /// The programme period is not a run of whole months.
    #[error("a programme runs from the first day of a month to the last day of the same or a later month")]
    PeriodInvalid,
    /// The programme is closed or cancelled.
    #[error("the programme is {0:?}; its budget and money trail are final")]
    Ended(ActivityStatus),
    /// A line code is already defined.
    #[error("budget line {0} is already defined")]
    LineCodeTaken(String),
    /// No line has that code.
    #[error("budget line {0} is not defined")]
    LineUnknown(String),
    /// The baseline is set: lines are frozen.
    #[error("the baseline is already set; budget lines are frozen")]
    BaselineAlreadySet,
    /// Money moves only once the baseline is set.
    #[error("the baseline has not been set")]
    BaselineNotSet,
    /// A baseline needs a line.
    #[error("a baseline needs at least one budget line")]
    NoBudgetLines,
    /// A transition the IATI activity lifecycle does not allow.
    #[error("the programme cannot go from {from:?} to {to:?}")]
    StatusTransitionInvalid {
        /// The current stage.
        from: ActivityStatus,
        /// The requested one.
        to: ActivityStatus,
    },
    /// An allocation or expenditure id is already used.
    #[error("entry {0} already exists")]
    EntryIdTaken(String),
    /// The edge found no such contribution.
    #[error("contribution {0} is not known")]
    ContributionUnknown(String),
    /// The contribution funds another programme.
    #[error("contribution {contribution_id} was pledged to programme {programme_id}")]
    ContributionOtherProgramme {
        /// The contribution.
        contribution_id: String,
        /// The programme it funds.
        programme_id: String,
    },
    /// Only funds received and not yet allocated can be allocated.
    #[error("the amount ({requested} minor units) exceeds the {available} received on the contribution and not yet allocated")]
    AllocationExceedsReceipts {
        /// Received minus already allocated.
        available: i64,
        /// The amount asked for.
        requested: i64,
    },
    /// An earmarked contribution funds only its line.
    #[error("the contribution is earmarked for line {earmark}, not {line}")]
    EarmarkViolated {
        /// The contribution's earmark.
        earmark: String,
        /// The line asked for.
        line: String,
    },
    /// A transaction date after today.
    #[error("transactions are never in the future (today is {0})")]
    DateInFuture(NaiveDate),
    /// An expenditure's month is named by its first day.
    #[error("period_month must be the first day of a month")]
    PeriodMonthNotFirstDay,
    /// A month or period outside the programme period.
    #[error("the dates fall outside the programme period")]
    OutsideProgrammePeriod,
    /// The evidence is not a SHA-256.
    #[error("evidence_sha256 must be 64 lowercase hex digits")]
    EvidenceHashInvalid,
    /// Spending more than the line's allocated funds not yet spent.
    #[error("the amount ({requested} minor units) exceeds the line's {available} allocated and not yet spent")]
    SpendingExceedsFunds {
        /// Allocated minus spent on the line.
        available: i64,
        /// The amount asked for.
        requested: i64,
    },
    /// No allocation or expenditure has that id.
    #[error("no allocation or expenditure {0}")]
    EntryUnknown(String),
    /// An entry is reversed at most once.
    #[error("entry {0} is already reversed")]
    EntryAlreadyReversed(String),
    /// A reversal dated before its entry.
    #[error("a reversal is dated on or after the entry it reverses")]
    ReversalBeforeEntry,
    /// Reversing the allocation would leave the line spent beyond its funds.
    #[error("reversing it would leave line {0} with more spent than allocated")]
    ReversalWouldOverdrawLine(String),
    /// A reallocation id is already used.
    #[error("reallocation {0} already exists")]
    ReallocationIdTaken(String),
    /// From and to are the same line.
    #[error("a reallocation moves money between two different lines")]
    ReallocationSameLine,
    /// The reallocation's period is not a run of whole months.
    #[error("a reallocation runs from the first day of a month to the last day of the same or a later month")]
    ReallocationPeriodInvalid,
    /// A result's period is reversed, outside the programme, or reported before it starts.
    #[error("a result's period starts no later than it ends, inside the programme period, and is reported no earlier than it starts")]
    ResultPeriodInvalid,
    /// The from-line's plan would drop below zero in some month.
    #[error("line {line} would go below zero in {month}")]
    LineWouldGoNegative {
        /// The from-line.
        line: String,
        /// The first month it would.
        month: NaiveDate,
    },
    /// A donor whose agreement requires consent has not given it.
    #[error("the donor of contribution {0} has not consented to this reallocation")]
    DonorConsentMissing(String),
    /// The cited decision's authority is missing or insufficient.
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl ProgrammeError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            ProgrammeError::AlreadyEstablished => "programme_already_established",
            ProgrammeError::NotEstablished => "programme_not_established",
            ProgrammeError::Empty(_) => "field_empty",
            ProgrammeError::CurrencyInvalid(_) => "currency_invalid",
            ProgrammeError::CurrencyMismatch { .. } => "currency_mismatch",
            ProgrammeError::AmountNotPositive => "amount_not_positive",
            ProgrammeError::IatiIdentifierInvalid(_) => "iati_identifier_invalid",
            ProgrammeError::PeriodInvalid => "programme_period_invalid",
            ProgrammeError::Ended(_) => "programme_ended",
            ProgrammeError::LineCodeTaken(_) => "budget_line_code_taken",
            ProgrammeError::LineUnknown(_) => "budget_line_unknown",
            ProgrammeError::BaselineAlreadySet => "baseline_already_set",
            ProgrammeError::BaselineNotSet => "baseline_not_set",
            ProgrammeError::NoBudgetLines => "baseline_without_lines",
            ProgrammeError::StatusTransitionInvalid { .. } => "status_transition_invalid",
            ProgrammeError::EntryIdTaken(_) => "entry_id_taken",
            ProgrammeError::ContributionUnknown(_) => "contribution_unknown",
            ProgrammeError::ContributionOtherProgramme { .. } => "contribution_other_programme",
            ProgrammeError::AllocationExceedsReceipts { .. } => "allocation_exceeds_receipts",
            ProgrammeError::EarmarkViolated { .. } => "earmark_violated",
            // The same rule, by name, as the command pipeline's date check.
            ProgrammeError::DateInFuture(_) => "occurred_in_future",
            ProgrammeError::PeriodMonthNotFirstDay => "period_month_not_first_day",
            ProgrammeError::OutsideProgrammePeriod => "outside_programme_period",
            ProgrammeError::EvidenceHashInvalid => "evidence_hash_invalid",
            ProgrammeError::SpendingExceedsFunds { .. } => "spending_exceeds_funds",
            ProgrammeError::EntryUnknown(_) => "entry_unknown",
            ProgrammeError::EntryAlreadyReversed(_) => "entry_already_reversed",
            ProgrammeError::ReversalBeforeEntry => "reversal_before_entry",
            ProgrammeError::ReversalWouldOverdrawLine(_) => "reversal_would_overdraw_line",
            ProgrammeError::ReallocationIdTaken(_) => "reallocation_id_taken",
            ProgrammeError::ReallocationSameLine => "reallocation_same_line",
            ProgrammeError::ReallocationPeriodInvalid => "reallocation_period_invalid",
            ProgrammeError::ResultPeriodInvalid => "result_period_invalid",
            ProgrammeError::LineWouldGoNegative { .. } => "line_would_go_negative",
            ProgrammeError::DonorConsentMissing(_) => "donor_consent_missing",
            ProgrammeError::Authority(e) => e.rule(),
        }
    }
}

/// A change to a line's monthly plan made by a reallocation, for a run of whole months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChange {
    /// The reallocation.
    pub realloc_id: String,
    /// The first day of the first month changed.
    pub effective_from: NaiveDate,
    /// The last day of the last month changed.
    pub effective_to: NaiveDate,
    /// Minor units added to (or, negative, taken from) each month's plan.
    pub delta: i64,
}

/// A budget line, its baseline and the changes reallocations made to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    /// Its code.
    pub line_code: String,
    /// Its name.
    pub name: String,
    /// What it pays for.
    pub kind: LineKind,
    /// The baseline amount per month, in minor units.
    pub monthly: i64,
    /// The activities it funds.
    pub activities: Vec<String>,
    /// Reallocations to or from it, in order.
    pub changes: Vec<PlanChange>,
}

/// Funds allocated from a contribution to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The entry id.
    pub allocation_id: String,
    /// The contribution.
    pub contribution_id: String,
    /// Its donor.
    pub donor: String,
    /// The line.
    pub line_code: String,
    /// Minor units.
    pub amount: i64,
    /// The day of the allocation.
    pub allocated_on: NaiveDate,
}

/// Expenditure recorded against a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expenditure {
    /// The entry id.
    pub expenditure_id: String,
    /// The line.
    pub line_code: String,
    /// Minor units.
    pub amount: i64,
    /// The day the money was spent.
    pub spent_on: NaiveDate,
    /// The month it belongs to (its first day).
    pub period_month: NaiveDate,
}

/// A reversal: an entry of the opposite amount that cancels an allocation or expenditure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    /// The reversed entry.
    pub entry_id: String,
    /// Its kind.
    pub kind: EntryKind,
    /// Its line.
    pub line_code: String,
    /// The contribution of a reversed allocation.
    pub contribution_id: Option<String>,
    /// Minor units: the entry's amount, negated.
    pub amount: i64,
    /// The day of the reversal.
    pub reversed_on: NaiveDate,
}

/// The baseline, once set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The day it was set.
    pub set_on: NaiveDate,
    /// Indicative or committed.
    pub status: BudgetStatus,
    /// The lines' monthly total, in minor units.
    pub monthly_total: i64,
}

/// An allocation, an expenditure, or the reversal of one (a negative amount), as the
/// money folds see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// An allocation or an expenditure (a reversal has the kind of what it reverses).
    pub kind: EntryKind,
    /// The budget line.
    pub line_code: &'a str,
    /// The contribution an allocation (or its reversal) draws on; `None` for expenditure.
    pub contribution_id: Option<&'a str>,
    /// Minor units; negative for a reversal.
    pub amount: i64,
}

/// The programme's money folds: sums of entries net of the reversals among them. The
/// programme's own state folds every entry; a view folds the entries a business date and a
/// ledger position let it see (an entry or a reversal counts from its own date). So net
/// funds are computed here only.
pub mod folds {
    use super::{Entry, EntryKind};

    /// Funds allocated to `line`, net of reversals.
    pub fn allocated<'a>(entries: impl IntoIterator<Item = Entry<'a>>, line: &str) -> i64 {
        sum(entries, |e| e.kind == EntryKind::Allocation && e.line_code == line)
    }

    /// Expenditure on `line`, net of reversals.
    pub fn spent<'a>(entries: impl IntoIterator<Item = Entry<'a>>, line: &str) -> i64 {
        sum(entries, |e| e.kind == EntryKind::Expenditure && e.line_code == line)
    }

    /// Funds allocated from `contribution_id` to any line, net of reversals.
    pub fn allocated_from<'a>(entries: impl IntoIterator<Item = Entry<'a>>, contribution_id: &str) -> i64 {
        sum(entries, |e| e.kind == EntryKind::Allocation && e.contribution_id == Some(contribution_id))
    }

    fn sum<'a>(entries: impl IntoIterator<Item = Entry<'a>>, select: impl Fn(&Entry<'a>) -> bool) -> i64 {
        entries.into_iter().filter(|e| select(e)).map(|e| e.amount).sum()
    }
}

/// A programme's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    /// The programme's id (empty until established).
    pub programme_id: String,
    /// Its title.
    pub title: String,
    /// Its IATI activity identifier.
    pub iati_identifier: String,
    /// The reporting organisation.
    pub reporting_organisation: String,
    /// The currency of every amount.
    pub currency: String,
    /// The first day of the first month (`None` until established).
    pub period_start: Option<NaiveDate>,
    /// The last day of the last month.
    pub period_end: Option<NaiveDate>,
    /// The IATI activity status.
    pub status: ActivityStatus,
    /// The baseline, once set.
    pub baseline: Option<Baseline>,
    /// The budget lines, in definition order.
    pub lines: Vec<BudgetLine>,
    /// The reallocations' ids, in order.
    pub reallocations: Vec<String>,
    /// Every allocation, reversed or not.
    pub allocations: Vec<Allocation>,
    /// Every expenditure, reversed or not.
    pub expenditures: Vec<Expenditure>,
    /// Every reversal.
    pub reversals: Vec<Reversal>,
}

impl Programme {
    /// Whether the programme has been established.
    pub fn is_established(&self) -> bool {
        self.period_start.is_some()
    }

    /// The line with `code`.
    pub fn line(&self, code: &str) -> Option<&BudgetLine> {
        self.lines.iter().find(|l| l.line_code == code)
    }

    /// Whether `month` (any day of it) falls in the programme period.
    fn covers(&self, month: NaiveDate) -> bool {
        let month = first_of_month(month);
        match (self.period_start, self.period_end) {
            (Some(start), Some(end)) => first_of_month(start) <= month && month <= end,
            _ => false,
        }
    }

    /// The plan of `line` in `month` (any day of it), in minor units: its baseline plus
    /// the reallocations in force that month; 0 outside the programme period or for an
    /// unknown line.
    pub fn monthly_plan(&self, line: &str, month: NaiveDate) -> i64 {
        let Some(line) = self.line(line) else { return 0 };
        if !self.covers(month) {
            return 0;
        }
        let month = first_of_month(month);
        let changes: i64 =
            line.changes.iter().filter(|c| c.effective_from <= month && month <= c.effective_to).map(|c| c.delta).sum();
        line.monthly + changes
    }

    /// The plan of `line` summed over the months `from..=to` touches, in minor units
    /// (months outside the programme period count 0).
    pub fn planned_between(&self, line: &str, from: NaiveDate, to: NaiveDate) -> i64 {
        let (Some(start), Some(end)) = (self.period_start, self.period_end) else { return 0 };
        months(from.max(start), to.min(end)).map(|month| self.monthly_plan(line, month)).sum()
    }

    /// The plan of every line in `month`, summed, in minor units.
    pub fn monthly_total(&self, month: NaiveDate) -> i64 {
        self.lines.iter().map(|l| self.monthly_plan(&l.line_code, month)).sum()
    }

    /// The lowest monthly plan of `line` over the months `from..=to` touches, and the
    /// first month with it; `None` when no month of it is in the programme period.
    pub fn lowest_plan(&self, line: &str, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, i64)> {
        let (start, end) = (self.period_start?, self.period_end?);
        months(from.max(start), to.min(end)).map(|month| (month, self.monthly_plan(line, month))).fold(
            None,
            |lowest, (month, plan)| match lowest {
                Some((_, low)) if low <= plan => lowest,
                _ => Some((month, plan)),
            },
        )
    }

    /// The share, in basis points, that moving `amount_per_month` (minor units) out of
    /// `from_line` for `from..=to` takes of its lowest monthly plan in that run: what a
    /// reallocation compares with the policy's threshold.
    pub fn reallocation_share(&self, from_line: &str, amount_per_month: i64, from: NaiveDate, to: NaiveDate) -> i64 {
        let lowest = self.lowest_plan(from_line, from, to).map_or(0, |(_, plan)| plan);
        basis_points(amount_per_month, lowest)
    }

    /// Every allocation, expenditure and reversal, for the [`folds`].
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        let allocations = self.allocations.iter().map(|a| Entry {
            kind: EntryKind::Allocation,
            line_code: &a.line_code,
            contribution_id: Some(&a.contribution_id),
            amount: a.amount,
        });
        let expenditures = self.expenditures.iter().map(|e| Entry {
            kind: EntryKind::Expenditure,
            line_code: &e.line_code,
            contribution_id: None,
            amount: e.amount,
        });
        let reversals = self.reversals.iter().map(|r| Entry {
            kind: r.kind,
            line_code: &r.line_code,
            contribution_id: r.contribution_id.as_deref(),
            amount: r.amount,
        });
        allocations.chain(expenditures).chain(reversals)
    }

    /// Funds allocated to `line`, net of reversals, in minor units.
    pub fn allocated(&self, line: &str) -> i64 {
        folds::allocated(self.entries(), line)
    }

    /// Expenditure on `line`, net of reversals, in minor units.
    pub fn spent(&self, line: &str) -> i64 {
        folds::spent(self.entries(), line)
    }

    /// Funds allocated to `line` and not yet spent, in minor units.
    pub fn balance(&self, line: &str) -> i64 {
        self.allocated(line) - self.spent(line)
    }

    /// Funds allocated from `contribution_id` to any line, net of reversals, in minor units.
    pub fn allocated_from(&self, contribution_id: &str) -> i64 {
        folds::allocated_from(self.entries(), contribution_id)
    }

    /// Whether the allocation or expenditure `entry_id` has been reversed.
    pub fn is_reversed(&self, entry_id: &str) -> bool {
        self.reversals.iter().any(|r| r.entry_id == entry_id)
    }

    /// Whether an allocation or expenditure already has `id`.
    fn entry_exists(&self, id: &str) -> bool {
        self.allocations.iter().any(|a| a.allocation_id == id)
            || self.expenditures.iter().any(|e| e.expenditure_id == id)
    }

    /// The amount of `money` in minor units, once it is checked to be in the programme's
    /// currency.
    fn in_currency(&self, money: &Money) -> Result<i64, ProgrammeError> {
        if money.currency != self.currency {
            return Err(ProgrammeError::CurrencyMismatch {
                expected: self.currency.clone(),
                found: money.currency.clone(),
            });
        }
        Ok(money.amount_minor)
    }

    /// A positive amount in the programme's currency, in minor units.
    fn positive(&self, money: &Money) -> Result<i64, ProgrammeError> {
        let amount = self.in_currency(money)?;
        if amount <= 0 {
            return Err(ProgrammeError::AmountNotPositive);
        }
        Ok(amount)
    }

    /// Money in the programme's currency.
    fn money(&self, amount_minor: i64) -> Money {
        Money::new(amount_minor, &self.currency)
    }

    /// Refuses once the programme is closed or cancelled.
    fn not_ended(&self) -> Result<(), ProgrammeError> {
        if self.status.has_ended() {
            return Err(ProgrammeError::Ended(self.status));
        }
        Ok(())
    }

    /// Refuses until the baseline is set (and once the programme has ended).
    fn running(&self) -> Result<(), ProgrammeError> {
        self.not_ended()?;
        if self.baseline.is_none() {
            return Err(ProgrammeError::BaselineNotSet);
        }
        Ok(())
    }

    /// Refuses an unknown line.
    fn known_line(&self, code: &str) -> Result<&BudgetLine, ProgrammeError> {
        self.line(code).ok_or_else(|| ProgrammeError::LineUnknown(code.to_string()))
    }
}

fn not_empty(value: &str, field: &'static str) -> Result<(), ProgrammeError> {
    if blank(value) {
        return Err(ProgrammeError::Empty(field));
    }
    Ok(())
}

/// Decides a programme command against the programme's state.
pub fn decide(state: &Programme, command: ProgrammeCommand) -> Result<Vec<ProgrammeEvent>, ProgrammeError> {
    if !state.is_established() && !matches!(command, ProgrammeCommand::Establish { .. }) {
        return Err(ProgrammeError::NotEstablished);
    }
    match command {
        ProgrammeCommand::Establish {
            programme_id,
            title,
            iati_identifier,
            reporting_organisation,
            currency,
            period_start,
            period_end,
            authority,
        } => {
            if state.is_established() {
                return Err(ProgrammeError::AlreadyEstablished);
            }
            not_empty(&programme_id, "programme_id")?;
            not_empty(&title, "title")?;
            not_empty(&iati_identifier, "iati_identifier")?;
            not_empty(&reporting_organisation, "reporting_organisation")?;
            if iati_identifier.chars().any(char::is_whitespace) {
                return Err(ProgrammeError::IatiIdentifierInvalid(iati_identifier));
            }
            if !is_currency_code(&currency) {
                return Err(ProgrammeError::CurrencyInvalid(currency));
            }
            if !is_whole_months(period_start, period_end) {
                return Err(ProgrammeError::PeriodInvalid);
            }
            let decision_id = require_decision(
                authority.as_ref(),
                "establish_programme",
                |s| matches!(s, DecisionSubject::EstablishProgramme { programme_id: p } if *p == programme_id),
            )?;
            Ok(vec![ProgrammeEvent::ProgrammeEstablished {
                programme_id,
                title,
                iati_identifier,
                reporting_organisation,
                currency,
                period_start,
                period_end,
                decision_id,
            }])
        }
        ProgrammeCommand::DefineBudgetLine { line_code, name, kind, monthly, activities } => {
            state.not_ended()?;
            if state.baseline.is_some() {
                return Err(ProgrammeError::BaselineAlreadySet);
            }
            not_empty(&line_code, "line_code")?;
            not_empty(&name, "name")?;
            if activities.iter().any(|a| blank(a)) {
                return Err(ProgrammeError::Empty("activities"));
            }
            if state.line(&line_code).is_some() {
                return Err(ProgrammeError::LineCodeTaken(line_code));
            }
            state.positive(&monthly)?;
            Ok(vec![ProgrammeEvent::BudgetLineDefined { line_code, name, kind, monthly, activities }])
        }
        ProgrammeCommand::SetBaseline { set_on, status } => {
            state.not_ended()?;
            if state.baseline.is_some() {
                return Err(ProgrammeError::BaselineAlreadySet);
            }
            if state.lines.is_empty() {
                return Err(ProgrammeError::NoBudgetLines);
            }
            let lines: Vec<LineAmount> = state
                .lines
                .iter()
                .map(|l| LineAmount { line_code: l.line_code.clone(), monthly: state.money(l.monthly) })
                .collect();
            let monthly_total: i64 = state.lines.iter().map(|l| l.monthly).sum();
            let months = match (state.period_start, state.period_end) {
                (Some(start), Some(end)) => months_inclusive(start, end),
                _ => 0,
            };
            Ok(vec![ProgrammeEvent::BudgetBaselineSet {
                set_on,
                status,
                lines,
                monthly_total: state.money(monthly_total),
                months,
                programme_total: state.money(monthly_total.saturating_mul(i64::from(months))),
            }])
        }
        ProgrammeCommand::ChangeStatus { to, on } => {
            let from = state.status;
            if !from.can_change_to(to) {
                return Err(ProgrammeError::StatusTransitionInvalid { from, to });
            }
            Ok(vec![ProgrammeEvent::ProgrammeStatusChanged { from, to, on }])
        }
        ProgrammeCommand::Allocate {
            allocation_id,
            contribution_id,
            line_code,
            amount,
            allocated_on,
            contribution,
        } => {
            state.running()?;
            not_empty(&allocation_id, "allocation_id")?;
            not_empty(&contribution_id, "contribution_id")?;
            if state.entry_exists(&allocation_id) {
                return Err(ProgrammeError::EntryIdTaken(allocation_id));
            }
            state.known_line(&line_code)?;
            let requested = state.positive(&amount)?;
            let facts = contribution.ok_or_else(|| ProgrammeError::ContributionUnknown(contribution_id.clone()))?;
            if facts.programme_id != state.programme_id {
                return Err(ProgrammeError::ContributionOtherProgramme {
                    contribution_id,
                    programme_id: facts.programme_id,
                });
            }
            let received = state.in_currency(&facts.received)?;
            let allocated = state.in_currency(&facts.allocated)?.max(state.allocated_from(&contribution_id));
            if let Some(earmark) = facts.earmark {
                if earmark != line_code {
                    return Err(ProgrammeError::EarmarkViolated { earmark, line: line_code });
                }
            }
            let available = received - allocated;
            if requested > available {
                return Err(ProgrammeError::AllocationExceedsReceipts { available, requested });
            }
            Ok(vec![ProgrammeEvent::FundsAllocated {
                allocation_id,
                contribution_id,
                donor: facts.donor,
                line_code,
                amount,
                allocated_on,
            }])
        }
        ProgrammeCommand::RecordExpenditure {
            expenditure_id,
            line_code,
            amount,
            spent_on,
            period_month,
            description,
            evidence_sha256,
            today,
        } => {
            state.running()?;
            not_empty(&expenditure_id, "expenditure_id")?;
            not_empty(&description, "description")?;
            if state.entry_exists(&expenditure_id) {
                return Err(ProgrammeError::EntryIdTaken(expenditure_id));
            }
            state.known_line(&line_code)?;
            let requested = state.positive(&amount)?;
            if !is_first_of_month(period_month) {
                return Err(ProgrammeError::PeriodMonthNotFirstDay);
            }
            if spent_on > today || period_month > today {
                return Err(ProgrammeError::DateInFuture(today));
            }
            if !state.covers(period_month) {
                return Err(ProgrammeError::OutsideProgrammePeriod);
            }
            if !is_sha256_hex(&evidence_sha256) {
                return Err(ProgrammeError::EvidenceHashInvalid);
            }
            let available = state.balance(&line_code);
            if requested > available {
                return Err(ProgrammeError::SpendingExceedsFunds { available, requested });
            }
            Ok(vec![ProgrammeEvent::ExpenditureRecorded {
                expenditure_id,
                line_code,
                amount,
                spent_on,
                period_month,
                description,
                evidence_sha256,
            }])
        }
        ProgrammeCommand::ReverseEntry { entry_id, reason, reversed_on } => {
            not_empty(&reason, "reason")?;
            let (kind, line_code, contribution_id, amount, dated) =
                if let Some(a) = state.allocations.iter().find(|a| a.allocation_id == entry_id) {
                    (EntryKind::Allocation, &a.line_code, Some(a.contribution_id.clone()), a.amount, a.allocated_on)
                } else if let Some(e) = state.expenditures.iter().find(|e| e.expenditure_id == entry_id) {
                    (EntryKind::Expenditure, &e.line_code, None, e.amount, e.spent_on)
                } else {
                    return Err(ProgrammeError::EntryUnknown(entry_id));
                };
            if state.is_reversed(&entry_id) {
                return Err(ProgrammeError::EntryAlreadyReversed(entry_id));
            }
            if reversed_on < dated {
                return Err(ProgrammeError::ReversalBeforeEntry);
            }
            if kind == EntryKind::Allocation && state.balance(line_code) < amount {
                return Err(ProgrammeError::ReversalWouldOverdrawLine(line_code.clone()));
            }
            Ok(vec![ProgrammeEvent::EntryReversed {
                entry_id,
                kind,
                line_code: line_code.clone(),
                contribution_id,
                amount: state.money(-amount),
                reason,
                reversed_on,
            }])
        }
        ProgrammeCommand::Reallocate {
            realloc_id,
            from_line,
            to_line,
            amount_per_month,
            effective_from,
            effective_to,
            justification,
            authority,
            policy,
            consents,
            consent_required_from,
        } => {
            state.running()?;
            not_empty(&realloc_id, "realloc_id")?;
            not_empty(&justification, "justification")?;
            if state.reallocations.contains(&realloc_id) {
                return Err(ProgrammeError::ReallocationIdTaken(realloc_id));
            }
            state.known_line(&from_line)?;
            state.known_line(&to_line)?;
            if from_line == to_line {
                return Err(ProgrammeError::ReallocationSameLine);
            }
            let amount = state.positive(&amount_per_month)?;
            if !is_whole_months(effective_from, effective_to) {
                return Err(ProgrammeError::ReallocationPeriodInvalid);
            }
            if !(state.covers(effective_from) && state.covers(effective_to)) {
                return Err(ProgrammeError::OutsideProgrammePeriod);
            }
            let (lowest_month, lowest) = state
                .lowest_plan(&from_line, effective_from, effective_to)
                .ok_or(ProgrammeError::OutsideProgrammePeriod)?;
            if lowest < amount {
                let month = months(effective_from, effective_to)
                    .find(|m| state.monthly_plan(&from_line, *m) < amount)
                    .unwrap_or(lowest_month);
                return Err(ProgrammeError::LineWouldGoNegative { line: from_line, month });
            }
            let share_basis_points = basis_points(amount, lowest);
            let threshold_exceeded = policy.exceeded_by(share_basis_points);
            let authority = if threshold_exceeded || authority.is_some() {
                let programme_id = &state.programme_id;
                let decision_id = require_decision(
                    authority.as_ref(),
                    "approve_budget_reallocation",
                    |s| matches!(s, DecisionSubject::ApproveBudgetReallocation { programme_id: p } if p == programme_id),
                )?;
                ReallocationAuthority::Decision { decision_id }
            } else {
                ReallocationAuthority::Delegation
            };
            if let Some(missing) = consent_required_from.iter().find(|c| !consents.contains(c)) {
                return Err(ProgrammeError::DonorConsentMissing(missing.clone()));
            }
            let mut consents = consents;
            consents.sort();
            consents.dedup();
            let months = months_inclusive(effective_from, effective_to);
            Ok(vec![ProgrammeEvent::BudgetReallocated {
                realloc_id,
                from_line,
                to_line,
                amount_per_month,
                effective_from,
                effective_to,
                months,
                total_amount: state.money(amount.saturating_mul(i64::from(months))),
                justification,
                from_line_monthly: state.money(lowest),
                share_basis_points,
                policy_version: policy.version,
                threshold_basis_points: policy.threshold_basis_points,
                threshold_exceeded,
                authority,
                consents,
            }])
        }
        ProgrammeCommand::ReportResult {
            line_code,
            indicator,
            unit,
            period_start,
            period_end,
            target,
            actual,
            reported_on,
        } => {
            state.known_line(&line_code)?;
            not_empty(&indicator, "indicator")?;
            not_empty(&unit, "unit")?;
            let inside = state.period_start.is_some_and(|s| s <= period_start)
                && state.period_end.is_some_and(|e| period_end <= e);
            if period_start > period_end || reported_on < period_start || !inside {
                return Err(ProgrammeError::ResultPeriodInvalid);
            }
            Ok(vec![ProgrammeEvent::ResultReported {
                line_code,
                indicator,
                unit,
                period_start,
                period_end,
                target,
                actual,
                reported_on,
            }])
        }
    }
}

/// Folds one event into the programme's state.
pub fn evolve(state: &mut Programme, event: ProgrammeEvent) {
    match event {
        ProgrammeEvent::ProgrammeEstablished {
            programme_id,
            title,
            iati_identifier,
            reporting_organisation,
            currency,
            period_start,
            period_end,
            ..
        } => {
            state.programme_id = programme_id;
            state.title = title;
            state.iati_identifier = iati_identifier;
            state.reporting_organisation = reporting_organisation;
            state.currency = currency;
            state.period_start = Some(period_start);
            state.period_end = Some(period_end);
            state.status = ActivityStatus::Pipeline;
        }
        ProgrammeEvent::BudgetLineDefined { line_code, name, kind, monthly, activities } => {
            state.lines.push(BudgetLine {
                line_code,
                name,
                kind,
                monthly: monthly.amount_minor,
                activities,
                changes: Vec::new(),
            });
        }
        ProgrammeEvent::BudgetBaselineSet { set_on, status, monthly_total, .. } => {
            state.baseline = Some(Baseline { set_on, status, monthly_total: monthly_total.amount_minor });
        }
        ProgrammeEvent::ProgrammeStatusChanged { to, .. } => state.status = to,
        ProgrammeEvent::FundsAllocated { allocation_id, contribution_id, donor, line_code, amount, allocated_on } => {
            state.allocations.push(Allocation {
                allocation_id,
                contribution_id,
                donor,
                line_code,
                amount: amount.amount_minor,
                allocated_on,
            });
        }
        ProgrammeEvent::ExpenditureRecorded { expenditure_id, line_code, amount, spent_on, period_month, .. } => {
            state.expenditures.push(Expenditure {
                expenditure_id,
                line_code,
                amount: amount.amount_minor,
                spent_on,
                period_month,
            });
        }
        ProgrammeEvent::EntryReversed { entry_id, kind, line_code, contribution_id, amount, reversed_on, .. } => {
            state.reversals.push(Reversal {
                entry_id,
                kind,
                line_code,
                contribution_id,
                amount: amount.amount_minor,
                reversed_on,
            });
        }
        ProgrammeEvent::BudgetReallocated {
            realloc_id,
            from_line,
            to_line,
            amount_per_month,
            effective_from,
            effective_to,
            ..
        } => {
            let delta = amount_per_month.amount_minor;
            for (code, delta) in [(&from_line, -delta), (&to_line, delta)] {
                if let Some(line) = state.lines.iter_mut().find(|l| l.line_code == *code) {
                    line.changes.push(PlanChange {
                        realloc_id: realloc_id.clone(),
                        effective_from,
                        effective_to,
                        delta,
                    });
                }
            }
            state.reallocations.push(realloc_id);
        }
        // Results are reported, not ruled on: nothing later reads them.
        ProgrammeEvent::ResultReported { .. } => {}
    }
}

impl Aggregate for Programme {
    const TYPE: &'static str = "programme";
    type Command = ProgrammeCommand;
    type Event = ProgrammeEvent;
    type Error = ProgrammeError;
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

crate::dated_command!(ProgrammeCommand, |command| match command {
    ProgrammeCommand::Establish { period_start, .. } => Planned(*period_start),
    ProgrammeCommand::DefineBudgetLine { .. } => Undated,
    ProgrammeCommand::SetBaseline { set_on, .. } => Occurred(*set_on),
    ProgrammeCommand::ChangeStatus { on, .. } => Occurred(*on),
    ProgrammeCommand::Allocate { allocated_on, .. } => Occurred(*allocated_on),
    ProgrammeCommand::RecordExpenditure { spent_on, .. } => Occurred(*spent_on),
    ProgrammeCommand::ReverseEntry { reversed_on, .. } => Occurred(*reversed_on),
    ProgrammeCommand::Reallocate { effective_from, .. } => Planned(*effective_from),
    ProgrammeCommand::ReportResult { reported_on, .. } => Occurred(*reported_on),
});
