//! Multi-Donor Programme views: the programme (budget lines, plan changes, allocations,
//! expenditure, reversals, reallocations), contributions (pledge, commitments, receipts,
//! consents) and donors; and what the API computes from them for any date: the programme
//! summary, the reallocations since a date, a donor's accountability trail and the IATI
//! 2.03 activity.
//!
//! Every entry keeps its business date and the ledger position that recorded it, so each
//! computation takes a [`Known`]: `as_of` (business time: entries dated on or before it,
//! plan changes made on or before it). Which events the documents hold at all (those
//! recorded by `known_at` and in effect on `as_of`) is the time contract's
//! ([`crate::time`]). A reversal corrects the entry it reverses: from the day it is in
//! effect, the entry no longer counts at any business date (the IATI file still shows it as
//! a negative transaction on the day of the correction).
//!
//! Amounts are integer minor units; percentages are computed from them as basis points
//! and shown as strings with two decimals. What the seed document *states* (a line's share,
//! the programme's duration) is recorded in the defining event's provenance
//! (`provenance.stated`), never computed with: the summary sets it beside the computed
//! value and writes a data-quality note where they disagree at the stated precision.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use domain::programme::budget::{
    folds, ActivityStatus, BudgetStatus, Entry, EntryKind, LineKind, ProgrammeEvent, ReallocationAuthority,
};
use domain::programme::contribution::{AgreementConditions, ContributionEvent, ContributionStatus};
use domain::programme::donor::{DonorEvent, DonorType};
use domain::programme::money::{basis_points, Money};
use domain::programme::period::{first_of_month, iati_budget_periods, months, months_inclusive};
use domain::reference::OrganisationCategory;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::governance::{OrganisationView, ORGANISATIONS};
use crate::iati::{
    format_minor_units, BudgetKind, IatiActivity, IatiActivityStatus, IatiBudget, IatiClassification, IatiCode,
    IatiContact, IatiDocumentLink, IatiIndicator, IatiOrg, IatiPlannedDisbursement, IatiResult, IatiRole,
    IatiTransaction, IndicatorMeasure, ResultKind, TransactionKind,
};
use crate::views::{Documents, Folded, Labels};
use ledger_store::{with_pool, Db};

/// The programmes view.
pub const PROGRAMMES: &str = "programmes";
/// The contributions view.
pub const CONTRIBUTIONS: &str = "contributions";
/// The donors view.
pub const DONORS: &str = "donors";

// --- view documents ----------------------------------------------------------------------

/// Who recorded an event, when, and where it sits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The business date: the envelope's `occurred_at`, else the day it was recorded.
    pub on: Option<NaiveDate>,
    pub recorded_at: String,
    pub recorded_by: String,
    pub position: i64,
}

impl Recorded {
    fn of(event: &Folded<'_>) -> Self {
        let text = |k: &str| event.metadata.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let recorded_at = text("recorded_at");
        let day = |t: &str| t.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let on = day(&text("occurred_at")).or_else(|| day(&recorded_at));
        Recorded { on, recorded_at, recorded_by: text("actor"), position: event.position }
    }
}

/// A change of the programme's stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChangeView {
    pub from: ActivityStatus,
    pub to: ActivityStatus,
    pub on: NaiveDate,
    pub recorded_position: i64,
}

/// The baseline (IATI budget type 1, Original).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineView {
    pub set_on: NaiveDate,
    pub status: BudgetStatus,
    pub monthly_total: Money,
    pub months: u32,
    pub programme_total: Money,
    pub recorded_position: i64,
}

/// A reallocation's change to one line's monthly plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChangeView {
    pub realloc_id: String,
    pub effective_from: NaiveDate,
    pub effective_to: NaiveDate,
    /// Minor units added to (negative: taken from) each month's plan.
    pub delta_minor: i64,
    /// The day the reallocation was made.
    pub made_on: NaiveDate,
    pub recorded_position: i64,
}

/// A budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub line_code: String,
    pub name: String,
    pub kind: LineKind,
    /// The baseline amount per month.
    pub monthly: Money,
    pub activities: Vec<String>,
    /// The share the source document states for the line (e.g. `51.26`), as recorded in
    /// the defining event's `provenance.stated.share_percent`; never used to compute.
    pub stated_share_percent: Option<String>,
    pub changes: Vec<PlanChangeView>,
    pub recorded_position: i64,
}

/// Funds allocated from a contribution to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationView {
    pub allocation_id: String,
    pub contribution_id: String,
    pub donor: String,
    pub line_code: String,
    pub amount: Money,
    pub allocated_on: NaiveDate,
    pub recorded_position: i64,
}

/// Expenditure on a line (IATI transaction type 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpenditureView {
    pub expenditure_id: String,
    pub line_code: String,
    pub amount: Money,
    pub spent_on: NaiveDate,
    pub period_month: NaiveDate,
    pub description: String,
    pub evidence_sha256: String,
    pub recorded_position: i64,
}

/// A reversal: the opposite amount of an allocation or expenditure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalView {
    pub entry_id: String,
    pub kind: EntryKind,
    pub line_code: String,
    pub contribution_id: Option<String>,
    /// Negative.
    pub amount: Money,
    pub reason: String,
    pub reversed_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_position: i64,
}

/// A reallocation between two lines, with its authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReallocationView {
    pub realloc_id: String,
    pub from_line: String,
    pub to_line: String,
    pub amount_per_month: Money,
    pub effective_from: NaiveDate,
    pub effective_to: NaiveDate,
    pub months: u32,
    pub total_amount: Money,
    pub justification: String,
    pub from_line_monthly: Money,
    pub share_basis_points: i64,
    pub policy_version: String,
    pub threshold_basis_points: u32,
    pub threshold_exceeded: bool,
    pub authority: ReallocationAuthority,
    /// Contributions whose donors had consented.
    pub consents: Vec<String>,
    /// The day it was made (the envelope's `occurred_at`, else the day it was recorded).
    pub made_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: String,
    pub recorded_position: i64,
    /// What the reallocation's event says of its confidence.
    #[serde(default)]
    pub labels: crate::views::Labels,
}

/// The programme's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeView {
    pub programme_id: String,
    pub title: String,
    pub iati_identifier: String,
    pub reporting_organisation: String,
    pub currency: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// The establishing decision.
    pub decision_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    /// The duration the source document states (e.g. `5.6 years`), as recorded in the
    /// establishing event's `provenance.stated.duration`.
    pub stated_duration: Option<String>,
    pub status: ActivityStatus,
    pub status_changes: Vec<StatusChangeView>,
    pub baseline: Option<BaselineView>,
    pub lines: Vec<LineView>,
    pub allocations: Vec<AllocationView>,
    pub expenditures: Vec<ExpenditureView>,
    pub reversals: Vec<ReversalView>,
    pub reallocations: Vec<ReallocationView>,
    /// Results reported for the lines, in the order recorded.
    #[serde(default)]
    pub results: Vec<ResultView>,
    pub last_recorded_at: String,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// A result reported for a line: an indicator's value over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultView {
    pub line_code: String,
    pub indicator: String,
    pub unit: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub target: Option<i64>,
    pub actual: i64,
    pub reported_on: NaiveDate,
    pub recorded_position: i64,
    #[serde(default)]
    pub labels: Labels,
}

/// The signed agreement or an adjustment of it (IATI incoming commitment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentView {
    /// `commitment` (the agreement) or `adjustment`.
    pub kind: String,
    pub agreement_ref: Option<String>,
    /// The agreement's amount, or the adjustment's (signed) delta.
    pub amount: Money,
    pub on: NaiveDate,
    pub reason: Option<String>,
    pub recorded_position: i64,
}

/// Funds received (IATI incoming funds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub receipt_id: String,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub provider_reference: Option<String>,
    pub recorded_position: i64,
}

/// A donor's consent to a reallocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    pub realloc_id: String,
    pub consented_on: NaiveDate,
    pub letter_sha256: String,
    pub recorded_position: i64,
}

/// A pledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgeView {
    pub amount: Money,
    pub pledged_on: NaiveDate,
    pub recorded_position: i64,
}

/// A cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationView {
    pub cancelled_on: NaiveDate,
    pub reason: String,
    pub recorded_position: i64,
}

/// A contribution's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionView {
    pub contribution_id: String,
    pub donor: String,
    pub programme_id: String,
    pub currency: String,
    pub status: ContributionStatus,
    pub earmark: Option<String>,
    pub conditions: AgreementConditions,
    pub pledge: Option<PledgeView>,
    pub commitments: Vec<CommitmentView>,
    pub receipts: Vec<ReceiptView>,
    pub consents: Vec<ConsentView>,
    pub cancelled: Option<CancellationView>,
    pub last_recorded_at: String,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// A donor's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorView {
    pub organisation: String,
    pub donor_type: Option<DonorType>,
    pub iati_ref: Option<String>,
    pub registered_on: Option<NaiveDate>,
    /// The donor's contributions, in the order pledged.
    pub contributions: Vec<String>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

// --- folding -------------------------------------------------------------------------------

/// The (view, id) keys a programme, contribution or donor event needs loaded.
pub fn keys_for(event: &Folded<'_>) -> Vec<(String, String)> {
    let own = |view: &str| (view.to_string(), event.aggregate_id.to_string());
    match event.aggregate_type {
        "programme" => vec![own(PROGRAMMES)],
        "contribution" => {
            let mut keys = vec![own(CONTRIBUTIONS)];
            if let Some(donor) = event.payload.pointer("/ContributionPledged/donor").and_then(Value::as_str) {
                keys.push((DONORS.to_string(), donor.to_string()));
            }
            keys
        }
        "donor" => vec![own(DONORS)],
        _ => vec![],
    }
}

fn load<T: Default + for<'de> Deserialize<'de>>(docs: &Documents, key: &(String, String)) -> T {
    docs.get(key).and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

fn store<T: Serialize>(docs: &mut Documents, key: (String, String), doc: &T) -> Result<(), String> {
    docs.insert(key, serde_json::to_value(doc).map_err(|e| e.to_string())?);
    Ok(())
}

fn parse<E: for<'de> Deserialize<'de>>(event: &Folded<'_>) -> Result<E, String> {
    serde_json::from_value(event.payload.clone())
        .map_err(|e| format!("{} event does not parse: {e}", event.aggregate_type))
}

fn stated(event: &Folded<'_>, key: &str) -> Option<String> {
    event.metadata.pointer(&format!("/provenance/stated/{key}")).and_then(Value::as_str).map(str::to_string)
}

/// Folds one programme, contribution or donor event into the documents it touches.
pub fn apply(docs: &mut Documents, event: &Folded<'_>) -> Result<(), String> {
    let recorded = Recorded::of(event);
    let key = |view: &str| (view.to_string(), event.aggregate_id.to_string());
    match event.aggregate_type {
        "programme" => {
            let parsed: ProgrammeEvent = parse(event)?;
            let mut view: ProgrammeView = load(docs, &key(PROGRAMMES));
            let reallocating = matches!(parsed, ProgrammeEvent::BudgetReallocated { .. });
            let reporting = matches!(parsed, ProgrammeEvent::ResultReported { .. });
            fold_programme(&mut view, parsed, event, &recorded);
            view.labels.absorb(event.metadata);
            if reallocating {
                if let Some(r) = view.reallocations.last_mut() {
                    r.labels.absorb(event.metadata);
                }
            }
            if reporting {
                if let Some(r) = view.results.last_mut() {
                    r.labels.absorb(event.metadata);
                }
            }
            view.version = event.sequence;
            view.last_position = event.position;
            view.last_recorded_at = recorded.recorded_at;
            store(docs, key(PROGRAMMES), &view)
        }
        "contribution" => {
            let parsed: ContributionEvent = parse(event)?;
            if let ContributionEvent::ContributionPledged { donor, .. } = &parsed {
                let donor_key = (DONORS.to_string(), donor.clone());
                let mut donor: DonorView = load(docs, &donor_key);
                if !donor.contributions.iter().any(|c| c == event.aggregate_id) {
                    donor.contributions.push(event.aggregate_id.to_string());
                }
                store(docs, donor_key, &donor)?;
            }
            let mut view: ContributionView = load(docs, &key(CONTRIBUTIONS));
            fold_contribution(&mut view, parsed, &recorded);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            view.last_recorded_at = recorded.recorded_at;
            store(docs, key(CONTRIBUTIONS), &view)
        }
        "donor" => {
            let parsed: DonorEvent = parse(event)?;
            let mut view: DonorView = load(docs, &key(DONORS));
            let DonorEvent::DonorRegistered { organisation, donor_type, iati_ref, registered_on } = parsed;
            view.organisation = organisation;
            view.donor_type = Some(donor_type);
            view.iati_ref = iati_ref;
            view.registered_on = Some(registered_on);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            store(docs, key(DONORS), &view)
        }
        _ => Ok(()),
    }
}

fn fold_programme(view: &mut ProgrammeView, event: ProgrammeEvent, folded: &Folded<'_>, rec: &Recorded) {
    let position = rec.position;
    match event {
        ProgrammeEvent::ProgrammeEstablished {
            programme_id,
            title,
            iati_identifier,
            reporting_organisation,
            currency,
            period_start,
            period_end,
            decision_id,
        } => {
            view.programme_id = programme_id;
            view.title = title;
            view.iati_identifier = iati_identifier;
            view.reporting_organisation = reporting_organisation;
            view.currency = currency;
            view.period_start = Some(period_start);
            view.period_end = Some(period_end);
            view.decision_id = Some(decision_id);
            view.established_on = rec.on;
            view.stated_duration = stated(folded, "duration");
            view.status = ActivityStatus::Pipeline;
        }
        ProgrammeEvent::BudgetLineDefined { line_code, name, kind, monthly, activities } => view.lines.push(LineView {
            line_code,
            name,
            kind,
            monthly,
            activities,
            stated_share_percent: stated(folded, "share_percent"),
            changes: vec![],
            recorded_position: position,
        }),
        ProgrammeEvent::BudgetBaselineSet { set_on, status, monthly_total, months, programme_total, .. } => {
            view.baseline = Some(BaselineView {
                set_on,
                status,
                monthly_total,
                months,
                programme_total,
                recorded_position: position,
            })
        }
        ProgrammeEvent::ProgrammeStatusChanged { from, to, on } => {
            view.status = to;
            view.status_changes.push(StatusChangeView { from, to, on, recorded_position: position });
        }
        ProgrammeEvent::FundsAllocated { allocation_id, contribution_id, donor, line_code, amount, allocated_on } => {
            view.allocations.push(AllocationView {
                allocation_id,
                contribution_id,
                donor,
                line_code,
                amount,
                allocated_on,
                recorded_position: position,
            })
        }
        ProgrammeEvent::ExpenditureRecorded {
            expenditure_id,
            line_code,
            amount,
            spent_on,
            period_month,
            description,
            evidence_sha256,
        } => view.expenditures.push(ExpenditureView {
            expenditure_id,
            line_code,
            amount,
            spent_on,
            period_month,
            description,
            evidence_sha256,
            recorded_position: position,
        }),
        ProgrammeEvent::EntryReversed { entry_id, kind, line_code, contribution_id, amount, reason, reversed_on } => {
            view.reversals.push(ReversalView {
                entry_id,
                kind,
                line_code,
                contribution_id,
                amount,
                reason,
                reversed_on,
                recorded_by: rec.recorded_by.clone(),
                recorded_position: position,
            })
        }
        ProgrammeEvent::BudgetReallocated {
            realloc_id,
            from_line,
            to_line,
            amount_per_month,
            effective_from,
            effective_to,
            months,
            total_amount,
            justification,
            from_line_monthly,
            share_basis_points,
            policy_version,
            threshold_basis_points,
            threshold_exceeded,
            authority,
            consents,
        } => {
            let made_on = rec.on.unwrap_or(effective_from);
            let delta = amount_per_month.amount_minor;
            for (code, delta) in [(&from_line, -delta), (&to_line, delta)] {
                if let Some(line) = view.lines.iter_mut().find(|l| l.line_code == *code) {
                    line.changes.push(PlanChangeView {
                        realloc_id: realloc_id.clone(),
                        effective_from,
                        effective_to,
                        delta_minor: delta,
                        made_on,
                        recorded_position: position,
                    });
                }
            }
            view.reallocations.push(ReallocationView {
                realloc_id,
                from_line,
                to_line,
                amount_per_month,
                effective_from,
                effective_to,
                months,
                total_amount,
                justification,
                from_line_monthly,
                share_basis_points,
                policy_version,
                threshold_basis_points,
                threshold_exceeded,
                authority,
                consents,
                made_on,
                recorded_by: rec.recorded_by.clone(),
                recorded_at: rec.recorded_at.clone(),
                recorded_position: position,
                labels: crate::views::Labels::default(),
            });
        }
        ProgrammeEvent::ResultReported {
            line_code,
            indicator,
            unit,
            period_start,
            period_end,
            target,
            actual,
            reported_on,
        } => view.results.push(ResultView {
            line_code,
            indicator,
            unit,
            period_start,
            period_end,
            target,
            actual,
            reported_on,
            recorded_position: position,
            labels: Labels::default(),
        }),
    }
}

fn fold_contribution(view: &mut ContributionView, event: ContributionEvent, rec: &Recorded) {
    let position = rec.position;
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
            view.contribution_id = contribution_id;
            view.donor = donor;
            view.programme_id = programme_id;
            view.currency = amount.currency.clone();
            view.earmark = earmark;
            view.conditions = conditions;
            view.pledge = Some(PledgeView { amount, pledged_on, recorded_position: position });
            view.status = ContributionStatus::Pledged;
        }
        ContributionEvent::ContributionCommitted { agreement_ref, committed_on, amount } => {
            view.commitments.push(CommitmentView {
                kind: "commitment".into(),
                agreement_ref: Some(agreement_ref),
                amount,
                on: committed_on,
                reason: None,
                recorded_position: position,
            });
        }
        ContributionEvent::FundsReceived { receipt_id, amount, received_on, provider_reference } => view
            .receipts
            .push(ReceiptView { receipt_id, amount, received_on, provider_reference, recorded_position: position }),
        ContributionEvent::CommitmentAdjusted { delta, reason, adjusted_on, .. } => {
            view.commitments.push(CommitmentView {
                kind: "adjustment".into(),
                agreement_ref: None,
                amount: delta,
                on: adjusted_on,
                reason: Some(reason),
                recorded_position: position,
            })
        }
        ContributionEvent::ContributionCancelled { reason, cancelled_on } => {
            view.cancelled = Some(CancellationView { cancelled_on, reason, recorded_position: position })
        }
        ContributionEvent::DonorConsentRecorded { realloc_id, consented_on, letter_sha256 } => {
            view.consents.push(ConsentView { realloc_id, consented_on, letter_sha256, recorded_position: position })
        }
    }
    let known = Known::now();
    view.status = view.status_on(&known);
}

// --- as of a date ------------------------------------------------------------------------

/// What a computation may see: entries dated on or before `as_of`. Which events it sees at
/// all (recorded by `known_at`, in effect on `as_of`) the read's moment has decided before
/// the documents were folded ([`crate::time`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub as_of: NaiveDate,
}

impl Known {
    /// Everything recorded, at any date.
    pub fn now() -> Self {
        Known { as_of: NaiveDate::MAX }
    }

    /// Whether an entry dated `on` counts.
    pub fn counts(&self, on: NaiveDate) -> bool {
        on <= self.as_of
    }
}

/// A share in basis points as a percentage with two decimals: 5123 → `51.23`.
pub fn percent(basis_points: i64) -> String {
    let sign = if basis_points < 0 { "-" } else { "" };
    let magnitude = basis_points.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// Whether a stated percentage (e.g. `51.26`, `13`) agrees with `basis_points` at the
/// stated precision; `None` when the statement is not a number.
pub fn agrees_at_stated_precision(stated: &str, basis_points: i64) -> Option<bool> {
    let stated = stated.trim().trim_end_matches('%').trim();
    let (whole, fraction) = stated.split_once('.').unwrap_or((stated, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let decimals = u32::try_from(fraction.len()).ok()?;
    let value: i64 = format!("{whole}{fraction}").parse().ok()?;
    if decimals >= 2 {
        Some(basis_points.checked_mul(10i64.checked_pow(decimals - 2)?)? == value)
    } else {
        let unit = 10i64.pow(2 - decimals);
        Some((basis_points + unit / 2).div_euclid(unit) == value)
    }
}

/// Months as years with one decimal: 66 → `5.5`.
pub fn years(months: u32) -> String {
    let tenths = (u64::from(months) * 10 + 6) / 12;
    format!("{}.{}", tenths / 10, tenths % 10)
}

impl ContributionView {
    fn money(&self, minor: i64) -> Money {
        Money::new(minor, &self.currency)
    }

    /// Whether the pledge is known, or a commitment (which only follows a pledge): a
    /// contribution as the IATI file publishes it has no pledge, only its commitments.
    pub fn pledged(&self, k: &Known) -> bool {
        self.pledge.as_ref().is_some_and(|p| k.counts(p.pledged_on)) || self.commitments.iter().any(|c| k.counts(c.on))
    }

    /// Whether the cancellation is known by `k`.
    fn cancelled_by(&self, k: &Known) -> bool {
        self.cancelled.as_ref().is_some_and(|c| k.counts(c.cancelled_on))
    }

    /// The commitment after adjustments, in minor units (0 once cancelled).
    pub fn committed(&self, k: &Known) -> i64 {
        if self.cancelled_by(k) {
            return 0;
        }
        self.commitments.iter().filter(|c| k.counts(c.on)).map(|c| c.amount.amount_minor).sum()
    }

    /// The funds received, in minor units.
    pub fn received(&self, k: &Known) -> i64 {
        self.receipts.iter().filter(|r| k.counts(r.received_on)).map(|r| r.amount.amount_minor).sum()
    }

    /// The contribution's stage as `k` sees it.
    pub fn status_on(&self, k: &Known) -> ContributionStatus {
        if !self.pledged(k) {
            return ContributionStatus::NotPledged;
        }
        if self.cancelled_by(k) {
            return ContributionStatus::Cancelled;
        }
        if !self.commitments.iter().any(|c| c.kind == "commitment" && k.counts(c.on)) {
            return ContributionStatus::Pledged;
        }
        let (committed, received) = (self.committed(k), self.received(k));
        if received > 0 && received >= committed {
            ContributionStatus::FullyReceived
        } else if received > 0 {
            ContributionStatus::PartlyReceived
        } else {
            ContributionStatus::Committed
        }
    }
}

impl ProgrammeView {
    fn money(&self, minor: i64) -> Money {
        Money::new(minor, &self.currency)
    }

    /// Whether `month` (any day of it) is in the programme period.
    fn covers(&self, month: NaiveDate) -> bool {
        match (self.period_start, self.period_end) {
            (Some(start), Some(end)) => first_of_month(start) <= first_of_month(month) && month <= end,
            _ => false,
        }
    }

    fn line(&self, code: &str) -> Option<&LineView> {
        self.lines.iter().find(|l| l.line_code == code)
    }

    /// The plan of `line` in `month`: its baseline plus the changes `k` knows of.
    pub fn plan(&self, line: &LineView, month: NaiveDate, k: &Known) -> i64 {
        if !self.covers(month) {
            return 0;
        }
        let month = first_of_month(month);
        let changes: i64 = line
            .changes
            .iter()
            .filter(|c| c.effective_from <= month && month <= c.effective_to && k.counts(c.made_on))
            .map(|c| c.delta_minor)
            .sum();
        line.monthly.amount_minor + changes
    }

    /// The plan of `line` summed over the months `from..=to` touches (clipped to the period).
    pub fn planned_between(&self, line: &LineView, from: NaiveDate, to: NaiveDate, k: &Known) -> i64 {
        let (Some(start), Some(end)) = (self.period_start, self.period_end) else { return 0 };
        months(from.max(start), to.min(end)).map(|m| self.plan(line, m, k)).sum()
    }

    /// The programme's stage as `k` sees it.
    pub fn status_on(&self, k: &Known) -> ActivityStatus {
        self.status_changes.iter().rfind(|c| k.counts(c.on)).map_or(ActivityStatus::Pipeline, |c| c.to)
    }

    /// The reversal of an entry that counts for `k` (dated by `as_of`, known), if any.
    pub fn reversal_of(&self, entry_id: &str, k: &Known) -> Option<&ReversalView> {
        self.reversals.iter().find(|r| r.entry_id == entry_id && k.counts(r.reversed_on))
    }

    /// The allocations, expenditures and reversals that count for `k`, each from its own
    /// date, for the domain's money folds.
    pub fn entries<'a>(&'a self, k: &'a Known) -> impl Iterator<Item = Entry<'a>> + 'a {
        let allocations = self.allocations.iter().filter(move |a| k.counts(a.allocated_on)).map(|a| Entry {
            kind: EntryKind::Allocation,
            line_code: &a.line_code,
            contribution_id: Some(&a.contribution_id),
            amount: a.amount.amount_minor,
        });
        let expenditures = self.expenditures.iter().filter(move |e| k.counts(e.spent_on)).map(|e| Entry {
            kind: EntryKind::Expenditure,
            line_code: &e.line_code,
            contribution_id: None,
            amount: e.amount.amount_minor,
        });
        let reversals = self.reversals.iter().filter(move |r| k.counts(r.reversed_on)).map(|r| Entry {
            kind: r.kind,
            line_code: &r.line_code,
            contribution_id: r.contribution_id.as_deref(),
            amount: r.amount.amount_minor,
        });
        allocations.chain(expenditures).chain(reversals)
    }

    /// Allocations that count (dated by `as_of`, known, not reversed).
    pub fn allocations_counted<'a>(&'a self, k: &'a Known) -> impl Iterator<Item = &'a AllocationView> + 'a {
        self.allocations
            .iter()
            .filter(move |a| k.counts(a.allocated_on) && self.reversal_of(&a.allocation_id, k).is_none())
    }

    /// Expenditures that count (dated by `as_of`, known, not reversed).
    pub fn expenditures_counted<'a>(&'a self, k: &'a Known) -> impl Iterator<Item = &'a ExpenditureView> + 'a {
        self.expenditures
            .iter()
            .filter(move |e| k.counts(e.spent_on) && self.reversal_of(&e.expenditure_id, k).is_none())
    }

    /// Funds allocated to `line`, net of reversals, as `k` sees them.
    pub fn allocated(&self, line: &str, k: &Known) -> i64 {
        folds::allocated(self.entries(k), line)
    }

    /// Expenditure on `line`, net of reversals, as `k` sees it.
    pub fn spent(&self, line: &str, k: &Known) -> i64 {
        folds::spent(self.entries(k), line)
    }

    /// Funds allocated from `contribution_id`, net of reversals, as `k` sees them.
    pub fn allocated_from(&self, contribution_id: &str, k: &Known) -> i64 {
        folds::allocated_from(self.entries(k), contribution_id)
    }

    /// The months of the period started by `as_of` (0 before it starts).
    pub fn months_elapsed(&self, as_of: NaiveDate) -> u32 {
        match (self.period_start, self.period_end) {
            (Some(start), Some(end)) if as_of >= start => months_inclusive(start, as_of.min(end)),
            _ => 0,
        }
    }

    fn reallocations_known<'a>(&'a self, k: &'a Known) -> impl Iterator<Item = &'a ReallocationView> + 'a {
        self.reallocations.iter().filter(move |r| k.counts(r.made_on))
    }
}

// --- the summary ------------------------------------------------------------------------

/// A computed share beside what the source states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub computed_basis_points: i64,
    pub computed_percent: String,
    pub stated_percent: Option<String>,
    /// Whether they agree at the stated precision (`None` when nothing is stated).
    pub matches_stated: Option<bool>,
}

/// One budget line as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSummary {
    pub line_code: String,
    pub name: String,
    pub kind: LineKind,
    pub activities: Vec<String>,
    pub baseline_monthly: Money,
    /// The plan in the month of `as_of` (clipped to the programme period).
    pub monthly_plan: Money,
    /// The plan over the months of the period started by `as_of`.
    pub planned_to_date: Money,
    /// The plan over the whole period, with the reallocations known.
    pub planned_total: Money,
    /// Commitments earmarked for the line.
    pub committed: Money,
    /// Funds received on contributions earmarked for the line.
    pub received: Money,
    pub allocated: Money,
    pub spent: Money,
    /// Allocated and not spent.
    pub balance: Money,
    /// The line's share of the baseline monthly total, beside the share the source states.
    pub baseline_share: Share,
    /// The line's share of the plan in the month of `as_of`.
    pub current_share_percent: String,
}

/// Programme totals as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub monthly_plan: Money,
    pub planned_to_date: Money,
    pub planned_total: Money,
    pub committed: Money,
    pub received: Money,
    pub allocated: Money,
    /// Received and not yet allocated to a line.
    pub unallocated: Money,
    pub spent: Money,
    pub balance: Money,
}

/// Commitments and receipts not earmarked for a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unearmarked {
    pub committed: Money,
    pub received: Money,
}

/// Where a stated figure and the ledger's amounts disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataQualityNote {
    pub subject: String,
    pub stated: String,
    pub computed: String,
    pub note: String,
}

/// The programme's duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duration {
    pub months: u32,
    /// `months / 12` with one decimal.
    pub years: String,
    pub stated: Option<String>,
}

/// One contribution as the summary shows it (only to callers allowed to see it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionSummary {
    pub contribution_id: String,
    pub donor: String,
    pub earmark: Option<String>,
    pub status: ContributionStatus,
    pub committed: Money,
    pub received: Money,
    pub allocated: Money,
    pub unallocated: Money,
}

/// The programme as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeSummary {
    pub programme_id: String,
    pub title: String,
    pub iati_identifier: String,
    pub reporting_organisation: String,
    pub currency: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub status: ActivityStatus,
    pub established_by: Option<String>,
    pub as_of: NaiveDate,
    pub duration: Duration,
    pub months_elapsed: u32,
    pub baseline: Option<BaselineView>,
    pub lines: Vec<LineSummary>,
    pub unearmarked: Unearmarked,
    pub totals: Totals,
    pub data_quality: Vec<DataQualityNote>,
    /// The reallocations made by `as_of`, in order.
    pub reallocations: Vec<String>,
    /// Number of contributions pledged by `as_of` (not cancelled).
    pub contributions_count: usize,
    /// Per-contribution detail: every contribution for the Secretariat and auditors, a
    /// donor's own for its token, none for anyone else (`None`).
    pub contributions: Option<Vec<ContributionSummary>>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// The programme `p` as `k` sees it, with its contributions (of any programme: those of
/// others are ignored). `contributions` stays `None`: the caller decides who sees it.
pub fn summary(p: &ProgrammeView, contributions: &[ContributionView], k: &Known) -> ProgrammeSummary {
    let as_of = k.as_of;
    let mine: Vec<&ContributionView> =
        contributions.iter().filter(|c| c.programme_id == p.programme_id && c.pledged(k)).collect();
    let (start, end) = (p.period_start.unwrap_or(as_of), p.period_end.unwrap_or(as_of));
    let month = as_of.clamp(start, end);
    let elapsed_end = if as_of < start { None } else { Some(as_of.min(end)) };
    let baseline_total: i64 = p.lines.iter().map(|l| l.monthly.amount_minor).sum();
    let month_total: i64 = p.lines.iter().map(|l| p.plan(l, month, k)).sum();
    let earmarked = |line: Option<&str>, f: &dyn Fn(&ContributionView) -> i64| -> i64 {
        mine.iter().filter(|c| c.earmark.as_deref() == line).map(|c| f(c)).sum()
    };
    let mut lines = Vec::new();
    let mut data_quality = Vec::new();
    for line in &p.lines {
        let code = line.line_code.as_str();
        let share_bp = basis_points(line.monthly.amount_minor, baseline_total);
        let matches = line.stated_share_percent.as_deref().and_then(|s| agrees_at_stated_precision(s, share_bp));
        if let (Some(stated), Some(false)) = (&line.stated_share_percent, matches) {
            data_quality.push(DataQualityNote {
                subject: format!("line {code} share"),
                stated: format!("{} %", stated.trim_end_matches('%').trim()),
                computed: format!("{} %", percent(share_bp)),
                note: format!(
                    "the source states {} % for {code}; its amounts give {} % ({} of {} {} a month); the ledger computes shares from the amounts",
                    stated.trim_end_matches('%').trim(),
                    percent(share_bp),
                    format_minor_units(line.monthly.amount_minor),
                    format_minor_units(baseline_total),
                    p.currency
                ),
            });
        }
        let allocated = p.allocated(code, k);
        let spent = p.spent(code, k);
        let monthly_plan = p.plan(line, month, k);
        lines.push(LineSummary {
            line_code: line.line_code.clone(),
            name: line.name.clone(),
            kind: line.kind,
            activities: line.activities.clone(),
            baseline_monthly: line.monthly.clone(),
            monthly_plan: p.money(monthly_plan),
            planned_to_date: p.money(elapsed_end.map_or(0, |e| p.planned_between(line, start, e, k))),
            planned_total: p.money(p.planned_between(line, start, end, k)),
            committed: p.money(earmarked(Some(code), &|c| c.committed(k))),
            received: p.money(earmarked(Some(code), &|c| c.received(k))),
            allocated: p.money(allocated),
            spent: p.money(spent),
            balance: p.money(allocated - spent),
            baseline_share: Share {
                computed_basis_points: share_bp,
                computed_percent: percent(share_bp),
                stated_percent: line.stated_share_percent.clone(),
                matches_stated: matches,
            },
            current_share_percent: percent(basis_points(monthly_plan, month_total)),
        });
    }
    let months_total = match (p.period_start, p.period_end) {
        (Some(s), Some(e)) => months_inclusive(s, e),
        _ => 0,
    };
    let duration = Duration { months: months_total, years: years(months_total), stated: p.stated_duration.clone() };
    if let Some(stated) = &p.stated_duration {
        let number: String = stated.trim().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        if !number.is_empty() && number != duration.years && number.trim_end_matches(".0") != duration.years {
            data_quality.push(DataQualityNote {
                subject: "programme duration".into(),
                stated: stated.clone(),
                computed: format!("{months_total} months = {} years", duration.years),
                note: format!(
                    "the source states {stated}; the period {} to {} is {months_total} months, {} years",
                    start, end, duration.years
                ),
            });
        }
    }
    let sum = |f: &dyn Fn(&LineSummary) -> i64| -> i64 { lines.iter().map(f).sum() };
    let committed: i64 = mine.iter().map(|c| c.committed(k)).sum();
    let received: i64 = mine.iter().map(|c| c.received(k)).sum();
    let allocated = sum(&|l| l.allocated.amount_minor);
    let spent = sum(&|l| l.spent.amount_minor);
    let totals = Totals {
        monthly_plan: p.money(month_total),
        planned_to_date: p.money(sum(&|l| l.planned_to_date.amount_minor)),
        planned_total: p.money(sum(&|l| l.planned_total.amount_minor)),
        committed: p.money(committed),
        received: p.money(received),
        allocated: p.money(allocated),
        unallocated: p.money(received - allocated),
        spent: p.money(spent),
        balance: p.money(allocated - spent),
    };
    ProgrammeSummary {
        programme_id: p.programme_id.clone(),
        title: p.title.clone(),
        iati_identifier: p.iati_identifier.clone(),
        reporting_organisation: p.reporting_organisation.clone(),
        currency: p.currency.clone(),
        period_start: p.period_start,
        period_end: p.period_end,
        status: p.status_on(k),
        established_by: p.decision_id.clone(),
        as_of,
        duration,
        months_elapsed: p.months_elapsed(as_of),
        baseline: p.baseline.clone().filter(|b| k.counts(b.set_on)),
        lines,
        unearmarked: Unearmarked {
            committed: p.money(earmarked(None, &|c| c.committed(k))),
            received: p.money(earmarked(None, &|c| c.received(k))),
        },
        totals,
        data_quality,
        reallocations: p.reallocations_known(k).map(|r| r.realloc_id.clone()).collect(),
        contributions_count: mine.iter().filter(|c| c.status_on(k) != ContributionStatus::Cancelled).count(),
        contributions: None,
        labels: p.labels.clone(),
        version: p.version,
        last_position: p.last_position,
    }
}

/// Per-contribution detail for the summary, of the contributions `visible` picks.
pub fn contribution_summaries(
    p: &ProgrammeView,
    contributions: &[ContributionView],
    k: &Known,
    visible: impl Fn(&ContributionView) -> bool,
) -> Vec<ContributionSummary> {
    contributions
        .iter()
        .filter(|c| c.programme_id == p.programme_id && c.pledged(k) && visible(c))
        .map(|c| {
            let (received, allocated) = (c.received(k), p.allocated_from(&c.contribution_id, k));
            ContributionSummary {
                contribution_id: c.contribution_id.clone(),
                donor: c.donor.clone(),
                earmark: c.earmark.clone(),
                status: c.status_on(k),
                committed: c.money(c.committed(k)),
                received: c.money(received),
                allocated: c.money(allocated),
                unallocated: c.money(received - allocated),
            }
        })
        .collect()
}

// --- reallocations --------------------------------------------------------------------

/// A donor's consent cited by a reallocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRow {
    pub contribution_id: String,
    pub donor: Option<String>,
    pub consented_on: Option<NaiveDate>,
    pub letter_sha256: Option<String>,
}

/// The threshold a reallocation was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdRow {
    pub policy_version: String,
    pub basis_points: u32,
    pub percent: String,
    pub exceeded: bool,
}

/// A reallocation with who authorised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReallocationRow {
    pub realloc_id: String,
    pub made_on: NaiveDate,
    pub from_line: String,
    pub to_line: String,
    pub amount_per_month: Money,
    pub effective_from: NaiveDate,
    pub effective_to: NaiveDate,
    pub months: u32,
    pub total_amount: Money,
    pub justification: String,
    /// The from-line's monthly plan the share is computed on.
    pub from_line_monthly: Money,
    pub share_basis_points: i64,
    pub share_percent: String,
    pub threshold: ThresholdRow,
    pub authority: ReallocationAuthority,
    /// `delegation` or `decision <id>`.
    pub authorised_by: String,
    pub consents: Vec<ConsentRow>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub recorded_position: i64,
    pub labels: crate::views::Labels,
}

fn reallocation_row(r: &ReallocationView, contributions: &[ContributionView]) -> ReallocationRow {
    let consents = r
        .consents
        .iter()
        .map(|id| {
            let c = contributions.iter().find(|c| c.contribution_id == *id);
            let consent = c.and_then(|c| c.consents.iter().find(|x| x.realloc_id == r.realloc_id));
            ConsentRow {
                contribution_id: id.clone(),
                donor: c.map(|c| c.donor.clone()),
                consented_on: consent.map(|x| x.consented_on),
                letter_sha256: consent.map(|x| x.letter_sha256.clone()),
            }
        })
        .collect();
    ReallocationRow {
        realloc_id: r.realloc_id.clone(),
        made_on: r.made_on,
        from_line: r.from_line.clone(),
        to_line: r.to_line.clone(),
        amount_per_month: r.amount_per_month.clone(),
        effective_from: r.effective_from,
        effective_to: r.effective_to,
        months: r.months,
        total_amount: r.total_amount.clone(),
        justification: r.justification.clone(),
        from_line_monthly: r.from_line_monthly.clone(),
        share_basis_points: r.share_basis_points,
        share_percent: percent(r.share_basis_points),
        threshold: ThresholdRow {
            policy_version: r.policy_version.clone(),
            basis_points: r.threshold_basis_points,
            percent: percent(i64::from(r.threshold_basis_points)),
            exceeded: r.threshold_exceeded,
        },
        authority: r.authority.clone(),
        authorised_by: match &r.authority {
            ReallocationAuthority::Delegation => "delegation".into(),
            ReallocationAuthority::Decision { decision_id } => format!("decision {decision_id}"),
        },
        consents,
        recorded_by: r.recorded_by.clone(),
        recorded_at: r.recorded_at.clone(),
        recorded_position: r.recorded_position,
        labels: r.labels.clone(),
    }
}

/// Every reallocation made on or after `since` (and known by `k`), in order.
pub fn reallocations_since(
    p: &ProgrammeView,
    contributions: &[ContributionView],
    since: NaiveDate,
    k: &Known,
) -> Vec<ReallocationRow> {
    p.reallocations_known(k).filter(|r| r.made_on >= since).map(|r| reallocation_row(r, contributions)).collect()
}

// --- the donor trail -------------------------------------------------------------------

/// An allocation of the contribution's funds to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailAllocation {
    pub allocation_id: String,
    pub line_code: String,
    pub amount: Money,
    pub allocated_on: NaiveDate,
    pub reversal: Option<ReversalView>,
    pub recorded_position: i64,
}

/// An expenditure on a line the contribution funded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailExpenditure {
    #[serde(flatten)]
    pub expenditure: ExpenditureView,
    pub reversal: Option<ReversalView>,
}

/// A line the contribution funded (or is earmarked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailLine {
    pub line_code: String,
    pub name: String,
    /// Allocated to the line from this contribution (net of reversals).
    pub allocated_from_contribution: Money,
    /// The line's funds from every source, and what was spent of them.
    pub line_allocated: Money,
    pub line_spent: Money,
    pub line_balance: Money,
    /// This contribution's share of the line's funds.
    pub contribution_share_percent: String,
    pub expenditures: Vec<TrailExpenditure>,
    /// Reallocations that moved plan to or from the line.
    pub reallocations: Vec<ReallocationRow>,
    /// Results reported for the line by the date.
    pub results: Vec<ResultView>,
}

/// A decision that moved the donor's money, and why it is in the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailDecision {
    pub decision_id: String,
    pub why: String,
}

/// One contribution's trail: pledge → commitment → receipts → allocations → lines →
/// expenditure and reallocations, with the decisions that moved money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailContribution {
    pub contribution_id: String,
    pub programme_id: String,
    pub programme_title: Option<String>,
    pub status: ContributionStatus,
    pub earmark: Option<String>,
    pub conditions: AgreementConditions,
    pub pledge: Option<PledgeView>,
    pub commitments: Vec<CommitmentView>,
    pub committed: Money,
    pub receipts: Vec<ReceiptView>,
    pub received: Money,
    pub allocations: Vec<TrailAllocation>,
    pub allocated: Money,
    pub unallocated: Money,
    pub lines: Vec<TrailLine>,
    pub consents: Vec<ConsentView>,
    pub cancelled: Option<CancellationView>,
    pub decisions: Vec<TrailDecision>,
    pub labels: Labels,
}

/// A donor's trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorTrail {
    pub donor: String,
    pub name: Option<String>,
    pub donor_type: Option<DonorType>,
    pub iati_ref: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub as_of: NaiveDate,
    pub contributions: Vec<TrailContribution>,
    /// Per currency: committed, received, allocated.
    pub totals: Vec<TrailTotals>,
    /// Every decision in the trail, once.
    pub decisions: Vec<String>,
    pub labels: Labels,
}

/// A donor's totals in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailTotals {
    pub currency: String,
    pub committed: i64,
    pub received: i64,
    pub allocated: i64,
}

/// The trail of `donor` as `k` sees it; `programmes` are the programmes its contributions
/// fund, `organisation` its registry entry (for the name).
pub fn donor_trail(
    donor: &DonorView,
    organisation: Option<&OrganisationView>,
    contributions: &[ContributionView],
    programmes: &[ProgrammeView],
    k: &Known,
) -> DonorTrail {
    let mut labels = donor.labels.clone();
    let mut trail = Vec::new();
    let mut totals: BTreeMap<String, TrailTotals> = BTreeMap::new();
    let mut all_decisions = BTreeSet::new();
    for c in contributions.iter().filter(|c| c.donor == donor.organisation && c.pledged(k)) {
        for conf in &c.labels.confidence {
            absorb_tag(&mut labels, conf);
        }
        let p = programmes.iter().find(|p| p.programme_id == c.programme_id);
        let mut allocations = Vec::new();
        let mut line_codes: Vec<String> = c.earmark.iter().cloned().collect();
        let mut decisions = Vec::new();
        let mut lines = Vec::new();
        let mut allocated = 0;
        if let Some(p) = p {
            if let Some(d) = &p.decision_id {
                decisions.push(TrailDecision {
                    decision_id: d.clone(),
                    why: format!("established programme {}", p.programme_id),
                });
            }
            for a in p.allocations.iter().filter(|a| a.contribution_id == c.contribution_id) {
                if !k.counts(a.allocated_on) {
                    continue;
                }
                let reversal = p.reversal_of(&a.allocation_id, k).cloned();
                if reversal.is_none() {
                    allocated += a.amount.amount_minor;
                }
                if !line_codes.contains(&a.line_code) {
                    line_codes.push(a.line_code.clone());
                }
                allocations.push(TrailAllocation {
                    allocation_id: a.allocation_id.clone(),
                    line_code: a.line_code.clone(),
                    amount: a.amount.clone(),
                    allocated_on: a.allocated_on,
                    reversal,
                    recorded_position: a.recorded_position,
                });
            }
            for code in &line_codes {
                let Some(line) = p.line(code) else { continue };
                let from_contribution: i64 = p
                    .allocations_counted(k)
                    .filter(|a| a.contribution_id == c.contribution_id && a.line_code == *code)
                    .map(|a| a.amount.amount_minor)
                    .sum();
                let (line_allocated, line_spent) = (p.allocated(code, k), p.spent(code, k));
                let expenditures = p
                    .expenditures
                    .iter()
                    .filter(|e| e.line_code == *code && k.counts(e.spent_on))
                    .map(|e| TrailExpenditure {
                        expenditure: e.clone(),
                        reversal: p.reversal_of(&e.expenditure_id, k).cloned(),
                    })
                    .collect();
                let reallocations: Vec<ReallocationRow> = p
                    .reallocations_known(k)
                    .filter(|r| r.from_line == *code || r.to_line == *code)
                    .map(|r| reallocation_row(r, contributions))
                    .collect();
                for r in &reallocations {
                    if let ReallocationAuthority::Decision { decision_id } = &r.authority {
                        if !decisions.iter().any(|d: &TrailDecision| d.decision_id == *decision_id) {
                            decisions.push(TrailDecision {
                                decision_id: decision_id.clone(),
                                why: format!(
                                    "authorised reallocation {} ({} → {}, {} {} a month from {})",
                                    r.realloc_id,
                                    r.from_line,
                                    r.to_line,
                                    format_minor_units(r.amount_per_month.amount_minor),
                                    r.amount_per_month.currency,
                                    r.effective_from
                                ),
                            });
                        }
                    }
                }
                lines.push(TrailLine {
                    line_code: code.clone(),
                    name: line.name.clone(),
                    allocated_from_contribution: c.money(from_contribution),
                    line_allocated: c.money(line_allocated),
                    line_spent: c.money(line_spent),
                    line_balance: c.money(line_allocated - line_spent),
                    contribution_share_percent: percent(basis_points(from_contribution, line_allocated)),
                    expenditures,
                    reallocations,
                    results: p
                        .results
                        .iter()
                        .filter(|r| r.line_code == *code && k.counts(r.reported_on))
                        .cloned()
                        .collect(),
                });
            }
        }
        let (committed, received) = (c.committed(k), c.received(k));
        let total = totals.entry(c.currency.clone()).or_insert_with(|| TrailTotals {
            currency: c.currency.clone(),
            committed: 0,
            received: 0,
            allocated: 0,
        });
        total.committed += committed;
        total.received += received;
        total.allocated += allocated;
        all_decisions.extend(decisions.iter().map(|d| d.decision_id.clone()));
        trail.push(TrailContribution {
            contribution_id: c.contribution_id.clone(),
            programme_id: c.programme_id.clone(),
            programme_title: p.map(|p| p.title.clone()),
            status: c.status_on(k),
            earmark: c.earmark.clone(),
            conditions: c.conditions.clone(),
            pledge: c.pledge.clone(),
            commitments: c.commitments.iter().filter(|x| k.counts(x.on)).cloned().collect(),
            committed: c.money(committed),
            receipts: c.receipts.iter().filter(|r| k.counts(r.received_on)).cloned().collect(),
            received: c.money(received),
            allocations,
            allocated: c.money(allocated),
            unallocated: c.money(received - allocated),
            lines,
            consents: c.consents.iter().filter(|x| k.counts(x.consented_on)).cloned().collect(),
            cancelled: c.cancelled.clone().filter(|x| k.counts(x.cancelled_on)),
            decisions,
            labels: c.labels.clone(),
        });
    }
    DonorTrail {
        donor: donor.organisation.clone(),
        name: organisation.map(|o| o.name.clone()),
        donor_type: donor.donor_type,
        iati_ref: donor.iati_ref.clone(),
        registered_on: donor.registered_on,
        as_of: k.as_of,
        contributions: trail,
        totals: totals.into_values().collect(),
        decisions: all_decisions.into_iter().collect(),
        labels,
    }
}

fn absorb_tag(labels: &mut Labels, tag: &str) {
    if !labels.confidence.iter().any(|c| c == tag) {
        labels.confidence.push(tag.to_string());
        labels.confidence.sort();
    }
    if tag == "X" {
        labels.illustrative = true;
    }
}

// --- IATI -------------------------------------------------------------------------------

/// Everything the IATI activity of one programme is built from.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeRecord {
    pub programme: ProgrammeView,
    pub contributions: Vec<ContributionView>,
    pub donors: Vec<DonorView>,
    pub organisations: Vec<OrganisationView>,
}

impl ProgrammeRecord {
    /// The record of `programme_id` in folded documents; `None` if it was not established.
    pub fn from_documents(docs: &Documents, programme_id: &str) -> Option<Self> {
        fn parse_all<T: for<'de> Deserialize<'de>>(docs: &Documents, view: &str) -> Vec<T> {
            docs.iter()
                .filter(|((v, _), _)| v == view)
                .filter_map(|(_, body)| serde_json::from_value(body.clone()).ok())
                .collect()
        }
        let programme: ProgrammeView =
            serde_json::from_value(docs.get(&(PROGRAMMES.to_string(), programme_id.to_string()))?.clone()).ok()?;
        if programme.programme_id.is_empty() {
            return None;
        }
        let mut contributions: Vec<ContributionView> = parse_all::<ContributionView>(docs, CONTRIBUTIONS)
            .into_iter()
            .filter(|c| c.programme_id == programme_id)
            .collect();
        contributions.sort_by(|a, b| a.contribution_id.cmp(&b.contribution_id));
        let mut donors: Vec<DonorView> = parse_all(docs, DONORS);
        donors.sort_by(|a, b| a.organisation.cmp(&b.organisation));
        let mut organisations: Vec<OrganisationView> = parse_all(docs, ORGANISATIONS);
        organisations.sort_by(|a, b| a.organisation_id.cmp(&b.organisation_id));
        Some(ProgrammeRecord { programme, contributions, donors, organisations })
    }
}

/// Folds the sealed programme, contribution, donor and organisation events of the ledger,
/// in ledger order, with the same folds as the projector (for `ledger export --iati`, which
/// reads the ledger itself rather than the projections).
pub async fn documents_from_ledger(db: &Db) -> anyhow::Result<Documents> {
    let sql = format!(
        "SELECT l.position, e.aggregate_type, e.aggregate_id, e.sequence, {} AS payload, {} AS metadata \
         FROM positions l JOIN events e ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id \
         AND e.sequence = l.sequence WHERE e.aggregate_type IN ('programme', 'contribution', 'donor', 'organisation') \
         ORDER BY l.position",
        db.json_text("e.payload"),
        db.json_text("e.metadata")
    );
    let rows: Vec<(i64, String, String, i64, String, String)> =
        with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    let mut docs = Documents::new();
    for (position, aggregate_type, aggregate_id, sequence, payload, metadata) in rows {
        let payload: Value = serde_json::from_str(&payload)?;
        let metadata: Value = serde_json::from_str(&metadata)?;
        let event = Folded {
            position,
            aggregate_type: &aggregate_type,
            aggregate_id: &aggregate_id,
            sequence: u64::try_from(sequence).unwrap_or_default(),
            payload: &payload,
            metadata: &metadata,
        };
        crate::views::apply(&mut docs, &event).map_err(anyhow::Error::msg)?;
    }
    Ok(docs)
}

/// The IATI `OrganisationType` of a registered organisation's category.
pub fn iati_organisation_type(category: Option<OrganisationCategory>) -> Option<String> {
    let code = match category? {
        OrganisationCategory::Government => "10",
        OrganisationCategory::UnAgency | OrganisationCategory::RegionalOrganisation => "40",
        OrganisationCategory::CivilSociety | OrganisationCategory::SurvivorOrganisation => "21",
        OrganisationCategory::Business | OrganisationCategory::BusinessNetwork => "70",
        OrganisationCategory::AcademiaResearch => "80",
        OrganisationCategory::WorkersOrganisation | OrganisationCategory::EmployersOrganisation => "90",
    };
    Some(code.to_string())
}

fn iati_status(status: ActivityStatus) -> IatiActivityStatus {
    match status {
        ActivityStatus::Pipeline => IatiActivityStatus::Pipeline,
        ActivityStatus::Implementation => IatiActivityStatus::Implementation,
        ActivityStatus::Finalisation => IatiActivityStatus::Finalisation,
        ActivityStatus::Closed => IatiActivityStatus::Closed,
        ActivityStatus::Cancelled => IatiActivityStatus::Cancelled,
        ActivityStatus::Suspended => IatiActivityStatus::Suspended,
    }
}

/// The programme's IATI 2.03 activity as of `today`:
///
/// * the reporting organisation and the programme's own organisation as accountable and
///   implementing; every donor with a contribution as funding;
/// * status and planned dates from the programme, the actual start when it entered
///   Implementation, the actual end when it closed;
/// * a general-enquiries contact (the reporting organisation and the Alliance 8.7
///   Secretariat, no person), global scope, region 998 and sector 16070 at 100 %, and the
///   default classifications of [`publication`];
/// * one original budget per IATI period (calendar years clipped to the programme, never
///   more than 12 months) from the baseline, and a revised one for each period whose plan
///   the reallocations made by `today` changed for some line, from the plan after them,
///   dated on the latest one; one planned disbursement per period with the current plan
///   (type revised where the budget is);
/// * transactions: each commitment and adjustment (11 incoming commitment), each receipt
///   (1 incoming funds) with the donor as provider, without the contribution's id or
///   references (they are donor-confidential); each expenditure (4) on the day it was
///   spent, and each reversal of one as a negative expenditure on the day of the
///   correction. Nothing dated after `today` is included;
/// * a link to Alliance 8.7's public website (labelled as not the programme document,
///   which is not published; the description names the establishing decision, whose
///   dossier holds the hashes of the documents it cites);
/// * a result (type Outcome) per outcome line with activities, whose indicators are those
///   activities, qualitative and without figures.
pub fn iati_activity(record: &ProgrammeRecord, today: NaiveDate) -> IatiActivity {
    let p = &record.programme;
    let k = Known::now();
    let org = |id: &str| record.organisations.iter().find(|o| o.organisation_id == id);
    let reporting = org(&p.reporting_organisation);
    let reporting_org = IatiOrg {
        reference: reporting.and_then(|o| o.iati_ref.clone()),
        type_code: iati_organisation_type(reporting.and_then(|o| o.category)),
        name: reporting.map_or_else(|| p.reporting_organisation.clone(), |o| o.name.clone()),
    };
    let donor_org = |id: &str| {
        let donor = record.donors.iter().find(|d| d.organisation == id);
        let registered = org(id);
        IatiOrg {
            reference: donor.and_then(|d| d.iati_ref.clone()).or_else(|| registered.and_then(|o| o.iati_ref.clone())),
            type_code: donor
                .and_then(|d| d.donor_type)
                .map(|t| t.iati_organisation_type().to_string())
                .or_else(|| iati_organisation_type(registered.and_then(|o| o.category))),
            name: registered.map_or_else(|| id.to_string(), |o| o.name.clone()),
        }
    };
    let contributions: Vec<&ContributionView> =
        record.contributions.iter().filter(|c| c.programme_id == p.programme_id && c.pledged(&k)).collect();
    let funders: BTreeSet<&str> = contributions.iter().map(|c| c.donor.as_str()).collect();
    let mut participating: Vec<(IatiOrg, IatiRole)> =
        funders.iter().map(|d| (donor_org(d), IatiRole::Funding)).collect();
    participating.push((reporting_org.clone(), IatiRole::Accountable));
    participating.push((reporting_org.clone(), IatiRole::Implementing));

    let (start, end) = (p.period_start.unwrap_or(today), p.period_end.unwrap_or(today));
    let mut budgets = Vec::new();
    let mut planned_disbursements = Vec::new();
    if let Some(baseline) = &p.baseline {
        let status = match baseline.status {
            BudgetStatus::Indicative => crate::iati::BudgetStatus::Indicative,
            BudgetStatus::Committed => crate::iati::BudgetStatus::Committed,
        };
        let known = Known { as_of: today };
        for (from, to) in iati_budget_periods(start, end) {
            let months = i64::from(months_inclusive(from, to));
            let original: i64 = p.lines.iter().map(|l| l.monthly.amount_minor * months).sum();
            budgets.push(IatiBudget {
                kind: BudgetKind::Original,
                status,
                period_start: from,
                period_end: to,
                value_minor: original,
                value_date: from,
            });
            // Revised only where the plan known today differs from the baseline for some
            // line in the period (reallocations that cancel out revise nothing), dated on the
            // latest reallocation made by today that touches the period.
            let current: Vec<i64> = p.lines.iter().map(|l| p.planned_between(l, from, to, &known)).collect();
            let revised = p.lines.iter().zip(&current).any(|(l, plan)| *plan != l.monthly.amount_minor * months);
            let revised_on = p
                .reallocations
                .iter()
                .filter(|r| r.effective_from <= to && from <= r.effective_to && known.counts(r.made_on))
                .map(|r| r.made_on)
                .max()
                .filter(|_| revised);
            let planned: i64 = current.iter().sum();
            if let Some(revised_on) = revised_on {
                budgets.push(IatiBudget {
                    kind: BudgetKind::Revised,
                    status,
                    period_start: from,
                    period_end: to,
                    value_minor: planned,
                    value_date: revised_on,
                });
            }
            planned_disbursements.push(IatiPlannedDisbursement {
                kind: if revised_on.is_some() { BudgetKind::Revised } else { BudgetKind::Original },
                period_start: from,
                period_end: to,
                value_minor: planned,
                value_date: revised_on.unwrap_or(from),
            });
        }
    }

    let receiver = Some(reporting_org.clone());
    let activity_id = Some(p.iati_identifier.clone());
    let mut transactions = Vec::new();
    let incoming = |kind, date, value_minor, description: String, donor: &str| IatiTransaction {
        kind,
        date,
        value_minor,
        value_date: date,
        description: Some(description),
        provider: Some(donor_org(donor)),
        provider_activity_id: None,
        receiver: receiver.clone(),
        receiver_activity_id: activity_id.clone(),
        reference: None,
    };
    // What IATI publication makes public of a contribution: its donor, and each commitment,
    // adjustment and receipt with its amount and date. Contribution ids, agreement and
    // receipt references and adjustment reasons stay donor-confidential (docs/API.md).
    for c in &contributions {
        let donor_name = donor_org(&c.donor).name;
        for x in c.commitments.iter().filter(|x| x.on <= today) {
            let description = match x.kind.as_str() {
                "commitment" => format!("Commitment from {donor_name}"),
                _ => format!("Adjustment of a commitment from {donor_name}"),
            };
            transactions.push(incoming(
                TransactionKind::IncomingCommitment,
                x.on,
                x.amount.amount_minor,
                description,
                &c.donor,
            ));
        }
        for r in c.receipts.iter().filter(|r| r.received_on <= today) {
            transactions.push(incoming(
                TransactionKind::IncomingFunds,
                r.received_on,
                r.amount.amount_minor,
                format!("Funds received from {donor_name}"),
                &c.donor,
            ));
        }
    }
    let outgoing = |date, value_minor, description: String, reference: String| IatiTransaction {
        kind: TransactionKind::Expenditure,
        date,
        value_minor,
        value_date: date,
        description: Some(description),
        provider: Some(reporting_org.clone()),
        provider_activity_id: activity_id.clone(),
        receiver: None,
        receiver_activity_id: None,
        reference: Some(reference),
    };
    for e in p.expenditures.iter().filter(|e| e.spent_on <= today) {
        transactions.push(outgoing(
            e.spent_on,
            e.amount.amount_minor,
            format!("{}, {}: {}", e.line_code, e.period_month.format("%B %Y"), e.description),
            e.expenditure_id.clone(),
        ));
    }
    for r in p.reversals.iter().filter(|r| r.kind == EntryKind::Expenditure && r.reversed_on <= today) {
        transactions.push(outgoing(
            r.reversed_on,
            r.amount.amount_minor,
            format!("Reversal of {} ({}): {}", r.entry_id, r.line_code, r.reason),
            format!("{}/reversal", r.entry_id),
        ));
    }
    transactions.sort_by(|a, b| (a.date, a.kind.code(), &a.reference).cmp(&(b.date, b.kind.code(), &b.reference)));

    let started = p.status_changes.iter().find(|c| c.to == ActivityStatus::Implementation).map(|c| c.on);
    let ended = p.status_changes.iter().find(|c| c.to == ActivityStatus::Closed).map(|c| c.on);
    let lines: Vec<String> = p
        .lines
        .iter()
        .map(|l| {
            format!(
                "{} {} ({} {} a month)",
                l.line_code,
                l.name,
                format_minor_units(l.monthly.amount_minor),
                p.currency
            )
        })
        .collect();
    let last_updated = std::iter::once(&p.last_recorded_at)
        .chain(contributions.iter().map(|c| &c.last_recorded_at))
        .filter(|t| !t.is_empty())
        .max()
        .cloned()
        .unwrap_or_else(|| format!("{today}T00:00:00Z"));
    let contacts = vec![IatiContact {
        type_code: Some(publication::CONTACT_TYPE_GENERAL_ENQUIRIES.into()),
        organisation: Some(reporting_org.name.clone()),
        department: Some(publication::CONTACT_DEPARTMENT.into()),
        website: Some(publication::WEBSITE.into()),
    }];
    let established_by = match &p.decision_id {
        Some(decision) => format!(
            " The programme was established by decision {decision}; the ledger records the documents the decision \
             cites by their SHA-256 (its dossier: /api/v1/dossiers/decision:{decision})."
        ),
        None => String::new(),
    };
    let document_links = vec![IatiDocumentLink {
        url: publication::WEBSITE.into(),
        format: "text/html".into(),
        title: "Alliance 8.7 website (a public page, not the programme document)".into(),
        description: Some(format!(
            "The public website of Alliance 8.7, whose work the programme funds. The programme document itself is \
             not published.{established_by}"
        )),
        categories: vec![publication::DOCUMENT_CATEGORY_ACTIVITY_WEB_PAGE.into()],
        languages: vec!["en".into()],
        document_date: None,
    }];
    let results = p
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Outcome && !l.activities.is_empty())
        .map(|l| IatiResult {
            kind: ResultKind::Outcome,
            title: l.name.clone(),
            description: Some(format!(
                "Budget line {}. Its indicators are the activities the line funds, as recorded in the ledger; \
                 their progress is qualitative and no figures are recorded for them yet.",
                l.line_code
            )),
            indicators: l
                .activities
                .iter()
                .map(|a| IatiIndicator {
                    measure: IndicatorMeasure::Qualitative,
                    ascending: None,
                    title: a.clone(),
                    description: None,
                    baseline: None,
                    periods: vec![],
                })
                .collect(),
        })
        .collect();
    IatiActivity {
        iati_identifier: p.iati_identifier.clone(),
        reporting_org,
        title: p.title.clone(),
        description: format!(
            "{} ({}), {} to {}. Budget lines: {}.",
            p.title,
            p.programme_id,
            start,
            end,
            lines.join("; ")
        ),
        participating_orgs: participating,
        activity_status: iati_status(p.status),
        planned_start: start,
        planned_end: end,
        actual_start: started.filter(|d| *d <= today),
        actual_end: ended.filter(|d| *d <= today),
        contacts,
        activity_scope: Some(publication::SCOPE_GLOBAL.into()),
        recipient_countries: vec![],
        recipient_regions: vec![IatiClassification {
            code: publication::REGION.0.into(),
            vocabulary: Some(publication::DAC.into()),
            percentage_hundredths: Some(10_000),
            narrative: Some(publication::REGION.1.into()),
        }],
        sectors: vec![IatiClassification {
            code: publication::SECTOR.0.into(),
            vocabulary: Some(publication::DAC.into()),
            percentage_hundredths: Some(10_000),
            narrative: Some(publication::SECTOR.1.into()),
        }],
        collaboration_type: Some(publication::COLLABORATION_TYPE.into()),
        default_flow_type: Some(publication::FLOW_TYPE.into()),
        default_finance_type: Some(publication::FINANCE_TYPE.into()),
        default_aid_types: vec![IatiCode {
            code: publication::AID_TYPE.into(),
            vocabulary: Some(publication::DAC.into()),
        }],
        currency: p.currency.clone(),
        language: "en".into(),
        last_updated,
        budgets,
        planned_disbursements,
        transactions,
        document_links,
        results,
    }
}

/// What the IATI file states about every programme that the ledger's records do not hold:
/// the classification the Secretariat chose for Alliance 8.7 programmes (codes from the IATI
/// 2.03 codelists; docs/API.md, "The IATI file", gives the reasons).
pub mod publication {
    /// OECD DAC, the vocabulary of the sector, region and aid type codes below.
    pub const DAC: &str = "1";
    /// DAC 5-digit purpose code 16070 Labour rights: "advocacy for international labour
    /// standards, labour law, fundamental principles and rights at work (child labour, forced
    /// labour, …)", SDG target 8.7's ground; 100 %.
    pub const SECTOR: (&str, &str) = ("16070", "Labour rights");
    /// DAC region 998, for a global activity with no recipient country; 100 %.
    pub const REGION: (&str, &str) = ("998", "Developing countries, unspecified");
    /// `ActivityScope` 1 Global.
    pub const SCOPE_GLOBAL: &str = "1";
    /// `CollaborationType` 4 Multilateral outflows: the reporting organisation is a
    /// multilateral reporting its own spending of the funds it received.
    pub const COLLABORATION_TYPE: &str = "4";
    /// `FlowType` 10 ODA.
    pub const FLOW_TYPE: &str = "10";
    /// `FinanceType` 110 Standard grant.
    pub const FINANCE_TYPE: &str = "110";
    /// `AidType` C01 Project-type interventions (a programme with its own period, budget and
    /// outcomes, implemented by a multilateral for its donors).
    pub const AID_TYPE: &str = "C01";
    /// `ContactType` 1 General Enquiries.
    pub const CONTACT_TYPE_GENERAL_ENQUIRIES: &str = "1";
    /// The unit to contact: a role, never a person.
    pub const CONTACT_DEPARTMENT: &str = "Alliance 8.7 Secretariat";
    /// Alliance 8.7's public website.
    pub const WEBSITE: &str = "https://www.alliance87.org/";
    /// `DocumentCategory` A12 Activity web page.
    pub const DOCUMENT_CATEGORY_ACTIVITY_WEB_PAGE: &str = "A12";
}

// --- money over time and corrections (the users' questions) -----------------------------

/// The monthly series of a programme from its start to `k.as_of` (Q17): per month and
/// line the baseline plan, the revised plan (with the changes known), and what was spent
/// for the month (net of reversals, counted once dated by `as_of`); per month the
/// commitments and receipts of the contributions given; cumulative totals; and the burn
/// rate (mean monthly spend over the months reported) with the months of runway the funds
/// received but not spent would last at it.
pub fn monthly(p: &ProgrammeView, contributions: &[ContributionView], k: &Known) -> Value {
    use domain::programme::period::{last_of_month, months};
    let (Some(start), Some(end)) = (p.period_start, p.period_end) else {
        return serde_json::json!({"items": [], "burn_rate": null, "runway_months": null});
    };
    let until = k.as_of.min(end);
    let mut rows = Vec::new();
    let (mut cumulative_committed, mut cumulative_received, mut cumulative_spent) = (0i64, 0i64, 0i64);
    let mut spends = Vec::new();
    if until >= start {
        for month in months(start, until) {
            let month_end = last_of_month(month).min(k.as_of);
            let before = Known { as_of: month - chrono::Days::new(1) };
            let through = Known { as_of: month_end };
            let mut lines = Vec::new();
            let (mut plan, mut revised, mut spent) = (0i64, 0i64, 0i64);
            for line in &p.lines {
                let line_plan = line.monthly.amount_minor;
                let line_revised = p.plan(line, month, k);
                let line_spent = spent_for_month(p, &line.line_code, month, k);
                plan += line_plan;
                revised += line_revised;
                spent += line_spent;
                lines.push(serde_json::json!({"line_code": line.line_code, "plan": p.money(line_plan),
                    "revised_plan": p.money(line_revised), "spent": p.money(line_spent)}));
            }
            let committed: i64 = contributions.iter().map(|c| c.committed(&through) - c.committed(&before)).sum();
            let received: i64 = contributions.iter().map(|c| c.received(&through) - c.received(&before)).sum();
            cumulative_committed += committed;
            cumulative_received += received;
            cumulative_spent += spent;
            spends.push(spent);
            rows.push(serde_json::json!({
                "month": month.format("%Y-%m").to_string(), "plan": p.money(plan), "revised_plan": p.money(revised),
                "committed": p.money(committed), "received": p.money(received), "spent": p.money(spent),
                "cumulative_committed": p.money(cumulative_committed),
                "cumulative_received": p.money(cumulative_received), "cumulative_spent": p.money(cumulative_spent),
                "lines": lines,
            }));
        }
    }
    let reported = spends.iter().rposition(|s| *s != 0).map(|i| i + 1);
    let burn = reported.map(|n| spends[..n].iter().sum::<i64>() / i64::try_from(n).unwrap_or(1));
    let available = cumulative_received - cumulative_spent;
    let runway = burn.filter(|b| *b > 0).map(|b| format!("{:.1}", available as f64 / b as f64));
    serde_json::json!({
        "items": rows, "burn_rate": burn.map(|b| p.money(b)), "months_reported": reported,
        "burn_rate_basis": "mean monthly spend from the start to the last month with recorded spend",
        "funds_available": p.money(available), "runway_months": runway,
    })
}

/// What `line` spent for `month` (the month each expenditure is for), as `k` knows it:
/// expenditures dated by `k.as_of`, less the reversals of them dated by it.
fn spent_for_month(p: &ProgrammeView, line: &str, month: NaiveDate, k: &Known) -> i64 {
    use domain::programme::period::first_of_month;
    let month = first_of_month(month);
    let mut total = 0;
    for e in p.expenditures.iter().filter(|e| e.line_code == line && first_of_month(e.period_month) == month) {
        if k.counts(e.spent_on) {
            total += e.amount.amount_minor;
            if let Some(r) = p.reversal_of(&e.expenditure_id, k) {
                total += r.amount.amount_minor;
            }
        }
    }
    total
}

/// Corrections on the financial streams (Q21): reversals of allocations and expenditures,
/// and adjustments of commitments, with who recorded them, why and when, and whether the
/// corrected entry was already covered by a signed checkpoint when the correction was
/// recorded (`checkpoint_sizes`: the tree sizes of the signed checkpoints).
pub fn corrections(p: &ProgrammeView, contributions: &[ContributionView], checkpoint_sizes: &[i64]) -> Vec<Value> {
    let sealed_between = |original: i64, correction: i64| {
        checkpoint_sizes.iter().copied().filter(|size| *size > original && *size <= correction).min()
    };
    let mut rows = Vec::new();
    for r in &p.reversals {
        let original =
            p.allocations.iter().find(|a| a.allocation_id == r.entry_id).map(|a| a.recorded_position).or_else(|| {
                p.expenditures.iter().find(|e| e.expenditure_id == r.entry_id).map(|e| e.recorded_position)
            });
        let checkpoint = original.and_then(|o| sealed_between(o, r.recorded_position));
        rows.push(serde_json::json!({
            "kind": "reversal", "entry_id": r.entry_id, "entry_kind": r.kind, "line_code": r.line_code,
            "contribution_id": r.contribution_id, "amount": r.amount, "reason": r.reason, "on": r.reversed_on,
            "recorded_by": r.recorded_by, "position": r.recorded_position, "original_position": original,
            "after_checkpoint": checkpoint.is_some(), "checkpoint_tree_size": checkpoint,
        }));
    }
    for c in contributions {
        let first = c.commitments.iter().find(|x| x.kind == "commitment").map(|x| x.recorded_position);
        for adjustment in c.commitments.iter().filter(|x| x.kind == "adjustment") {
            let checkpoint = first.and_then(|o| sealed_between(o, adjustment.recorded_position));
            rows.push(serde_json::json!({
                "kind": "commitment_adjustment", "entry_id": c.contribution_id, "contribution_id": c.contribution_id,
                "amount": adjustment.amount, "reason": adjustment.reason, "on": adjustment.on,
                "recorded_by": null, "position": adjustment.recorded_position, "original_position": first,
                "after_checkpoint": checkpoint.is_some(), "checkpoint_tree_size": checkpoint,
            }));
        }
    }
    rows.sort_by_key(|r| r["position"].as_i64());
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_years() {
        assert_eq!(percent(5123), "51.23");
        assert_eq!(percent(1302), "13.02");
        assert_eq!(percent(5), "0.05");
        assert_eq!(percent(-666), "-6.66");
        assert_eq!(years(66), "5.5");
        assert_eq!(years(67), "5.6");
        assert_eq!(years(12), "1.0");
    }

    #[test]
    fn stated_shares_are_compared_at_their_precision() {
        assert_eq!(agrees_at_stated_precision("16.58", 1658), Some(true));
        assert_eq!(agrees_at_stated_precision("51.26", 5123), Some(false));
        assert_eq!(agrees_at_stated_precision("19.16", 1917), Some(false));
        assert_eq!(agrees_at_stated_precision("13", 1302), Some(true), "13 % at whole-percent precision");
        assert_eq!(agrees_at_stated_precision("13 %", 1351), Some(false));
        assert_eq!(agrees_at_stated_precision("51.3", 5126), Some(true));
        assert_eq!(agrees_at_stated_precision("51.230", 5123), Some(true));
        assert_eq!(agrees_at_stated_precision("about half", 5123), None);
    }
}
