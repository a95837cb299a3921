//! Given/when/then tests of the `Programme` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the outcome
//! (events or the exact refusal) is compared. Also: the plan and money queries pinned to
//! the seed's baseline, the demo timeline (§3.3 rows 34–50), every
//! refusal's rule name, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::decision::DecisionStatus;
use crate::programme::period::{self, iati_budget_periods};

#[track_caller]
fn check(given: Vec<ProgrammeEvent>, when: ProgrammeCommand, then: Result<Vec<ProgrammeEvent>, ProgrammeError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<ProgrammeEvent>) -> Programme {
    let mut state = Programme::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(mut given: Vec<ProgrammeEvent>, more: impl IntoIterator<Item = ProgrammeEvent>) -> Vec<ProgrammeEvent> {
    given.extend(more);
    given
}

/// Runs `commands` in order from `given`, each of which must succeed; returns all events.
#[track_caller]
fn run(given: Vec<ProgrammeEvent>, commands: impl IntoIterator<Item = ProgrammeCommand>) -> Vec<ProgrammeEvent> {
    let mut events = given;
    for command in commands {
        let name = command.name();
        let new = decide(&fold(events.clone()), command).unwrap_or_else(|e| panic!("{name}: {e}"));
        events.extend(new);
    }
    events
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

/// Whole US dollars as money (minor units are cents).
fn usd(dollars: i64) -> Money {
    Money::new(dollars * 100, "USD")
}

/// US cents as money.
fn cents(minor: i64) -> Money {
    Money::new(minor, "USD")
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const TITLE: &str =
    "Alliance 8.7 – Joining forces globally to end forced labour, modern slavery, human trafficking and child labour";

fn adopted(decision_id: &str, subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts::adopted(decision_id, subject, date("2025-12-09")))
}

fn establish_subject(programme_id: &str) -> DecisionSubject {
    DecisionSubject::EstablishProgramme { programme_id: programme_id.to_string() }
}

fn approve_subject(programme_id: &str) -> DecisionSubject {
    DecisionSubject::ApproveBudgetReallocation { programme_id: programme_id.to_string() }
}

// --- the seed programme -----------------------------------------------------------

fn establish(authority: Option<DecisionFacts>) -> ProgrammeCommand {
    ProgrammeCommand::Establish {
        programme_id: "MDP-A87".to_string(),
        title: TITLE.to_string(),
        iati_identifier: "XM-DAC-41302-MDP-A87".to_string(),
        reporting_organisation: "ILO".to_string(),
        currency: "USD".to_string(),
        period_start: date("2026-01-01"),
        period_end: date("2031-06-30"),
        authority,
    }
}

fn established() -> ProgrammeEvent {
    ProgrammeEvent::ProgrammeEstablished {
        programme_id: "MDP-A87".to_string(),
        title: TITLE.to_string(),
        iati_identifier: "XM-DAC-41302-MDP-A87".to_string(),
        reporting_organisation: "ILO".to_string(),
        currency: "USD".to_string(),
        period_start: date("2026-01-01"),
        period_end: date("2031-06-30"),
        decision_id: "GCG-21/D03".to_string(),
    }
}

/// The seed's four lines (seed-000, "Indicative budget"), USD per month.
const LINES: [(&str, &str, LineKind, i64); 4] = [
    ("O1", "High-level advocacy", LineKind::Outcome, 6_490),
    ("O2", "Pathfinder country support", LineKind::Outcome, 20_054),
    ("O3", "Governance, communication and resource mobilisation", LineKind::Outcome, 7_502),
    ("PSC", "Programme support cost", LineKind::SupportCost, 5_097),
];

fn seed_line(code: &str) -> (String, LineKind, Money, Vec<String>) {
    let (_, name, kind, dollars) = LINES.iter().find(|l| l.0 == code).copied().expect("a seed line");
    let activities = match code {
        "O1" => vec!["VI Global Conference on Child Labour".to_string(), "Key events (HRC)".to_string()],
        "O2" => vec!["Roadmap guidance".to_string(), "PFC annual workshop".to_string()],
        "O3" => vec!["GCG meetings".to_string(), "Monthly newsletter".to_string()],
        _ => vec![],
    };
    (name.to_string(), kind, usd(dollars), activities)
}

fn define(code: &str) -> ProgrammeCommand {
    let (name, kind, monthly, activities) = seed_line(code);
    ProgrammeCommand::DefineBudgetLine { line_code: code.to_string(), name, kind, monthly, activities }
}

fn defined(code: &str) -> ProgrammeEvent {
    let (name, kind, monthly, activities) = seed_line(code);
    ProgrammeEvent::BudgetLineDefined { line_code: code.to_string(), name, kind, monthly, activities }
}

fn baseline_set() -> ProgrammeEvent {
    ProgrammeEvent::BudgetBaselineSet {
        set_on: date("2026-01-01"),
        status: BudgetStatus::Indicative,
        lines: LINES
            .iter()
            .map(|(code, _, _, dollars)| LineAmount { line_code: code.to_string(), monthly: usd(*dollars) })
            .collect(),
        monthly_total: usd(39_143),
        months: 66,
        programme_total: usd(2_583_438),
    }
}

fn status_changed(from: ActivityStatus, to: ActivityStatus, on: &str) -> ProgrammeEvent {
    ProgrammeEvent::ProgrammeStatusChanged { from, to, on: date(on) }
}

/// Established with its four lines, no baseline yet.
fn draft() -> Vec<ProgrammeEvent> {
    with(vec![established()], LINES.iter().map(|l| defined(l.0)))
}

/// The seed programme: established, four lines, baseline set, in implementation (rows 34–35).
fn programme() -> Vec<ProgrammeEvent> {
    with(
        draft(),
        [baseline_set(), status_changed(ActivityStatus::Pipeline, ActivityStatus::Implementation, "2026-01-01")],
    )
}

/// The programme closed: implementation, finalisation, closure.
fn closed() -> Vec<ProgrammeEvent> {
    with(
        programme(),
        [
            status_changed(ActivityStatus::Implementation, ActivityStatus::Finalisation, "2031-06-30"),
            status_changed(ActivityStatus::Finalisation, ActivityStatus::Closed, "2031-12-31"),
        ],
    )
}

// --- allocations, expenditure, reversals -------------------------------------------

fn facts(received: i64, allocated: i64, earmark: Option<&str>) -> Option<ContributionFacts> {
    Some(ContributionFacts {
        donor: "DONOR-A".to_string(),
        programme_id: "MDP-A87".to_string(),
        received: usd(received),
        allocated: usd(allocated),
        earmark: earmark.map(str::to_string),
    })
}

fn allocate(id: &str, line: &str, amount: Money, contribution: Option<ContributionFacts>) -> ProgrammeCommand {
    ProgrammeCommand::Allocate {
        allocation_id: id.to_string(),
        contribution_id: "C-001".to_string(),
        line_code: line.to_string(),
        amount,
        allocated_on: date("2026-03-10"),
        contribution,
    }
}

fn allocated(id: &str, line: &str, amount: Money) -> ProgrammeEvent {
    ProgrammeEvent::FundsAllocated {
        allocation_id: id.to_string(),
        contribution_id: "C-001".to_string(),
        donor: "DONOR-A".to_string(),
        line_code: line.to_string(),
        amount,
        allocated_on: date("2026-03-10"),
    }
}

/// The programme with 30,000 USD of C-001 allocated to O3 and 100,000 to O2.
fn funded() -> Vec<ProgrammeEvent> {
    with(programme(), [allocated("A-001", "O3", usd(30_000)), allocated("A-002", "O2", usd(100_000))])
}

fn spend(id: &str, line: &str, amount: Money, month: &str, today: &str) -> ProgrammeCommand {
    ProgrammeCommand::RecordExpenditure {
        expenditure_id: id.to_string(),
        line_code: line.to_string(),
        amount,
        spent_on: period::last_of_month(date(month)),
        period_month: date(month),
        description: "monthly actuals".to_string(),
        evidence_sha256: HASH.to_string(),
        today: date(today),
    }
}

fn spent(id: &str, line: &str, amount: Money, month: &str) -> ProgrammeEvent {
    ProgrammeEvent::ExpenditureRecorded {
        expenditure_id: id.to_string(),
        line_code: line.to_string(),
        amount,
        spent_on: period::last_of_month(date(month)),
        period_month: date(month),
        description: "monthly actuals".to_string(),
        evidence_sha256: HASH.to_string(),
    }
}

fn reverse(entry: &str, on: &str) -> ProgrammeCommand {
    ProgrammeCommand::ReverseEntry {
        entry_id: entry.to_string(),
        reason: "entered in error".to_string(),
        reversed_on: date(on),
    }
}

fn reversed(entry: &str, kind: EntryKind, line: &str, amount: Money, on: &str) -> ProgrammeEvent {
    ProgrammeEvent::EntryReversed {
        entry_id: entry.to_string(),
        kind,
        line_code: line.to_string(),
        contribution_id: (kind == EntryKind::Allocation).then(|| "C-001".to_string()),
        amount,
        reason: "entered in error".to_string(),
        reversed_on: date(on),
    }
}

// --- reallocations -----------------------------------------------------------------

/// A reallocation command's fields, with the demo's two as starting points.
#[derive(Clone)]
struct Realloc {
    id: &'static str,
    from: &'static str,
    to: &'static str,
    per_month: Money,
    effective_from: &'static str,
    effective_to: &'static str,
    authority: Option<DecisionFacts>,
    policy: ReallocationPolicy,
    consents: Vec<String>,
    required: Vec<String>,
}

impl Realloc {
    fn command(self) -> ProgrammeCommand {
        ProgrammeCommand::Reallocate {
            realloc_id: self.id.to_string(),
            from_line: self.from.to_string(),
            to_line: self.to.to_string(),
            amount_per_month: self.per_month,
            effective_from: date(self.effective_from),
            effective_to: date(self.effective_to),
            justification: "PFC reporting cycle".to_string(),
            authority: self.authority,
            policy: self.policy,
            consents: self.consents,
            consent_required_from: self.required,
        }
    }
}

/// R-001 (row 40): O3 → O2, 500 USD a month, April–December 2026, under delegation.
fn r001() -> Realloc {
    Realloc {
        id: "R-001",
        from: "O3",
        to: "O2",
        per_month: usd(500),
        effective_from: "2026-04-01",
        effective_to: "2026-12-31",
        authority: None,
        policy: ReallocationPolicy::provisional_v1(),
        consents: vec![],
        required: vec![],
    }
}

fn r001_done() -> ProgrammeEvent {
    ProgrammeEvent::BudgetReallocated {
        realloc_id: "R-001".to_string(),
        from_line: "O3".to_string(),
        to_line: "O2".to_string(),
        amount_per_month: usd(500),
        effective_from: date("2026-04-01"),
        effective_to: date("2026-12-31"),
        months: 9,
        total_amount: usd(4_500),
        justification: "PFC reporting cycle".to_string(),
        from_line_monthly: usd(7_502),
        share_basis_points: 666,
        policy_version: "realloc/v1-provisional".to_string(),
        threshold_basis_points: 1000,
        threshold_exceeded: false,
        authority: ReallocationAuthority::Delegation,
        consents: vec![],
    }
}

/// R-002 (rows 45–46): O1 → O2, 1,200 USD a month from July 2026, on GCG-22/D02, with
/// DONOR-A's consent (C-001).
fn r002() -> Realloc {
    Realloc {
        id: "R-002",
        from: "O1",
        to: "O2",
        per_month: usd(1_200),
        effective_from: "2026-07-01",
        effective_to: "2031-06-30",
        authority: adopted("GCG-22/D02", approve_subject("MDP-A87")),
        policy: ReallocationPolicy::provisional_v1(),
        consents: vec!["C-001".to_string()],
        required: vec!["C-001".to_string()],
    }
}

fn r002_done() -> ProgrammeEvent {
    ProgrammeEvent::BudgetReallocated {
        realloc_id: "R-002".to_string(),
        from_line: "O1".to_string(),
        to_line: "O2".to_string(),
        amount_per_month: usd(1_200),
        effective_from: date("2026-07-01"),
        effective_to: date("2031-06-30"),
        months: 60,
        total_amount: usd(72_000),
        justification: "PFC reporting cycle".to_string(),
        from_line_monthly: usd(6_490),
        share_basis_points: 1849,
        policy_version: "realloc/v1-provisional".to_string(),
        threshold_basis_points: 1000,
        threshold_exceeded: true,
        authority: ReallocationAuthority::Decision { decision_id: "GCG-22/D02".to_string() },
        consents: vec!["C-001".to_string()],
    }
}

/// Replaces fields of a `BudgetReallocated` event.
fn reallocated(event: ProgrammeEvent, edit: impl FnOnce(&mut ReallocatedFields)) -> ProgrammeEvent {
    let ProgrammeEvent::BudgetReallocated {
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
    } = event
    else {
        panic!("a reallocation")
    };
    let mut fields = ReallocatedFields {
        amount_per_month,
        effective_from,
        effective_to,
        months,
        total_amount,
        from_line_monthly,
        share_basis_points,
        policy_version,
        threshold_basis_points,
        threshold_exceeded,
        authority,
        consents,
    };
    edit(&mut fields);
    ProgrammeEvent::BudgetReallocated {
        realloc_id,
        from_line,
        to_line,
        amount_per_month: fields.amount_per_month,
        effective_from: fields.effective_from,
        effective_to: fields.effective_to,
        months: fields.months,
        total_amount: fields.total_amount,
        justification,
        from_line_monthly: fields.from_line_monthly,
        share_basis_points: fields.share_basis_points,
        policy_version: fields.policy_version,
        threshold_basis_points: fields.threshold_basis_points,
        threshold_exceeded: fields.threshold_exceeded,
        authority: fields.authority,
        consents: fields.consents,
    }
}

/// The fields of a `BudgetReallocated` event a test may vary.
struct ReallocatedFields {
    amount_per_month: Money,
    effective_from: NaiveDate,
    effective_to: NaiveDate,
    months: u32,
    total_amount: Money,
    from_line_monthly: Money,
    share_basis_points: i64,
    policy_version: String,
    threshold_basis_points: u32,
    threshold_exceeded: bool,
    authority: ReallocationAuthority,
    consents: Vec<String>,
}

// --- Establish --------------------------------------------------------------------

#[test]
fn establish_on_a_decision() {
    check(vec![], establish(adopted("GCG-21/D03", establish_subject("MDP-A87"))), Ok(vec![established()]));
}

#[test]
fn establish_twice_is_refused() {
    check(
        vec![established()],
        establish(adopted("GCG-21/D03", establish_subject("MDP-A87"))),
        Err(ProgrammeError::AlreadyEstablished),
    );
}

#[test]
fn establish_without_a_decision_is_refused() {
    check(
        vec![],
        establish(None),
        Err(ProgrammeError::Authority(AuthorityError::Missing { needed: "establish_programme" })),
    );
}

#[test]
fn establish_on_a_decision_not_adopted_is_refused() {
    let facts = DecisionFacts {
        decision_id: "GCG-21/D03".to_string(),
        status: DecisionStatus::Proposed,
        subject: Some(establish_subject("MDP-A87")),
        adopted_on: None,
    };
    check(
        vec![],
        establish(Some(facts)),
        Err(ProgrammeError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-21/D03".to_string() })),
    );
}

#[test]
fn establish_on_a_decision_about_something_else_is_refused() {
    for subject in [establish_subject("MDP-OTHER"), approve_subject("MDP-A87"), DecisionSubject::Procedural] {
        check(
            vec![],
            establish(adopted("GCG-21/D03", subject)),
            Err(ProgrammeError::Authority(AuthorityError::WrongSubject {
                decision_id: "GCG-21/D03".to_string(),
                needed: "establish_programme",
            })),
        );
    }
}

#[test]
fn establish_with_blank_fields_is_refused() {
    for field in ["programme_id", "title", "iati_identifier", "reporting_organisation"] {
        let mut when = establish(adopted("GCG-21/D03", establish_subject("MDP-A87")));
        let ProgrammeCommand::Establish { programme_id, title, iati_identifier, reporting_organisation, .. } =
            &mut when
        else {
            unreachable!()
        };
        match field {
            "programme_id" => *programme_id = String::new(),
            "title" => *title = " ".to_string(),
            "iati_identifier" => *iati_identifier = "\t".to_string(),
            _ => *reporting_organisation = String::new(),
        }
        check(vec![], when, Err(ProgrammeError::Empty(field)));
    }
}

#[test]
fn establish_with_whitespace_in_the_iati_identifier_is_refused() {
    let mut when = establish(adopted("GCG-21/D03", establish_subject("MDP-A87")));
    let ProgrammeCommand::Establish { iati_identifier, .. } = &mut when else { unreachable!() };
    *iati_identifier = "XM-DAC-41302 MDP-A87".to_string();
    check(vec![], when, Err(ProgrammeError::IatiIdentifierInvalid("XM-DAC-41302 MDP-A87".to_string())));
}

#[test]
fn establish_in_something_other_than_an_iso_4217_code_is_refused() {
    for code in ["usd", "US", "DOLLAR", ""] {
        let mut when = establish(adopted("GCG-21/D03", establish_subject("MDP-A87")));
        let ProgrammeCommand::Establish { currency, .. } = &mut when else { unreachable!() };
        *currency = code.to_string();
        check(vec![], when, Err(ProgrammeError::CurrencyInvalid(code.to_string())));
    }
}

#[test]
fn establish_for_a_period_of_part_months_is_refused() {
    for (start, end) in [("2026-01-02", "2031-06-30"), ("2026-01-01", "2031-06-29"), ("2026-02-01", "2026-01-31")] {
        let mut when = establish(adopted("GCG-21/D03", establish_subject("MDP-A87")));
        let ProgrammeCommand::Establish { period_start, period_end, .. } = &mut when else { unreachable!() };
        *period_start = date(start);
        *period_end = date(end);
        check(vec![], when, Err(ProgrammeError::PeriodInvalid));
    }
}

#[test]
fn establish_for_a_single_month() {
    let mut when = establish(adopted("GCG-21/D03", establish_subject("MDP-A87")));
    let ProgrammeCommand::Establish { period_end, .. } = &mut when else { unreachable!() };
    *period_end = date("2026-01-31");
    let state = fold(decide(&Programme::default(), when).expect("established"));
    assert_eq!(state.period_end, Some(date("2026-01-31")));
}

#[test]
fn nothing_happens_before_the_programme_is_established() {
    for when in [
        define("O1"),
        ProgrammeCommand::SetBaseline { set_on: date("2026-01-01"), status: BudgetStatus::Indicative },
        ProgrammeCommand::ChangeStatus { to: ActivityStatus::Implementation, on: date("2026-01-01") },
        allocate("A-001", "O3", usd(1), facts(300_000, 0, None)),
        spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30"),
        reverse("E-001", "2026-05-01"),
        r001().command(),
    ] {
        check(vec![], when, Err(ProgrammeError::NotEstablished));
    }
}

// --- DefineBudgetLine -------------------------------------------------------------

#[test]
fn define_the_seed_lines() {
    for (code, ..) in LINES {
        check(vec![established()], define(code), Ok(vec![defined(code)]));
    }
    check(vec![established(), defined("O1")], define("O2"), Ok(vec![defined("O2")]));
}

#[test]
fn define_a_line_code_twice_is_refused() {
    check(vec![established(), defined("O1")], define("O1"), Err(ProgrammeError::LineCodeTaken("O1".to_string())));
}

#[test]
fn define_a_line_with_blank_fields_is_refused() {
    for field in ["line_code", "name", "activities"] {
        let mut when = define("O1");
        let ProgrammeCommand::DefineBudgetLine { line_code, name, activities, .. } = &mut when else { unreachable!() };
        match field {
            "line_code" => *line_code = " ".to_string(),
            "name" => *name = String::new(),
            _ => activities.push(" ".to_string()),
        }
        check(vec![established()], when, Err(ProgrammeError::Empty(field)));
    }
}

#[test]
fn define_a_line_in_another_currency_is_refused() {
    let mut when = define("O1");
    let ProgrammeCommand::DefineBudgetLine { monthly, .. } = &mut when else { unreachable!() };
    *monthly = Money::new(649_000, "EUR");
    check(
        vec![established()],
        when,
        Err(ProgrammeError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() }),
    );
}

#[test]
fn define_a_line_of_nothing_is_refused() {
    for amount in [0, -649_000] {
        let mut when = define("O1");
        let ProgrammeCommand::DefineBudgetLine { monthly, .. } = &mut when else { unreachable!() };
        *monthly = cents(amount);
        check(vec![established()], when, Err(ProgrammeError::AmountNotPositive));
    }
}

#[test]
fn define_a_line_after_the_baseline_is_refused() {
    let mut when = define("O1");
    let ProgrammeCommand::DefineBudgetLine { line_code, .. } = &mut when else { unreachable!() };
    *line_code = "O4".to_string();
    check(programme(), when, Err(ProgrammeError::BaselineAlreadySet));
}

#[test]
fn define_a_line_on_a_cancelled_programme_is_refused() {
    check(
        with(vec![established()], [status_changed(ActivityStatus::Pipeline, ActivityStatus::Cancelled, "2026-01-15")]),
        define("O1"),
        Err(ProgrammeError::Ended(ActivityStatus::Cancelled)),
    );
}

// --- SetBaseline ------------------------------------------------------------------

#[test]
fn set_the_seed_baseline() {
    check(
        draft(),
        ProgrammeCommand::SetBaseline { set_on: date("2026-01-01"), status: BudgetStatus::Indicative },
        Ok(vec![baseline_set()]),
    );
}

#[test]
fn set_a_baseline_without_lines_is_refused() {
    check(
        vec![established()],
        ProgrammeCommand::SetBaseline { set_on: date("2026-01-01"), status: BudgetStatus::Committed },
        Err(ProgrammeError::NoBudgetLines),
    );
}

#[test]
fn set_the_baseline_twice_is_refused() {
    check(
        programme(),
        ProgrammeCommand::SetBaseline { set_on: date("2026-02-01"), status: BudgetStatus::Committed },
        Err(ProgrammeError::BaselineAlreadySet),
    );
}

#[test]
fn set_the_baseline_of_a_cancelled_programme_is_refused() {
    check(
        with(draft(), [status_changed(ActivityStatus::Pipeline, ActivityStatus::Cancelled, "2026-01-15")]),
        ProgrammeCommand::SetBaseline { set_on: date("2026-02-01"), status: BudgetStatus::Committed },
        Err(ProgrammeError::Ended(ActivityStatus::Cancelled)),
    );
}

#[test]
fn budget_statuses_have_iati_codes() {
    assert_eq!(BudgetStatus::Indicative.iati_code(), 1);
    assert_eq!(BudgetStatus::Committed.iati_code(), 2);
}

// --- ChangeStatus -----------------------------------------------------------------

const STATUSES: [ActivityStatus; 6] = [
    ActivityStatus::Pipeline,
    ActivityStatus::Implementation,
    ActivityStatus::Finalisation,
    ActivityStatus::Closed,
    ActivityStatus::Cancelled,
    ActivityStatus::Suspended,
];

#[test]
fn change_status_along_the_iati_lifecycle_only() {
    use ActivityStatus::*;
    let allowed = [
        (Pipeline, Implementation),
        (Pipeline, Cancelled),
        (Implementation, Suspended),
        (Suspended, Implementation),
        (Implementation, Finalisation),
        (Finalisation, Closed),
    ];
    for from in STATUSES {
        let given = if from == Pipeline {
            vec![established()]
        } else {
            vec![established(), status_changed(Pipeline, from, "2026-01-01")]
        };
        for to in STATUSES {
            let then = if allowed.contains(&(from, to)) {
                Ok(vec![status_changed(from, to, "2026-06-01")])
            } else {
                Err(ProgrammeError::StatusTransitionInvalid { from, to })
            };
            check(given.clone(), ProgrammeCommand::ChangeStatus { to, on: date("2026-06-01") }, then);
        }
    }
}

#[test]
fn activity_statuses_have_iati_codes() {
    let codes: Vec<u8> = STATUSES.iter().map(|s| s.iati_code()).collect();
    assert_eq!(codes, [1, 2, 3, 4, 5, 6]);
    assert_eq!(ActivityStatus::default(), ActivityStatus::Pipeline);
    let ended: Vec<ActivityStatus> = STATUSES.into_iter().filter(|s| s.has_ended()).collect();
    assert_eq!(ended, [ActivityStatus::Closed, ActivityStatus::Cancelled]);
}

// --- Allocate ---------------------------------------------------------------------

#[test]
fn allocate_received_funds() {
    check(
        programme(),
        allocate("A-001", "O3", usd(30_000), facts(300_000, 0, None)),
        Ok(vec![allocated("A-001", "O3", usd(30_000))]),
    );
    // All of what is left, exactly.
    check(
        programme(),
        allocate("A-001", "O3", usd(10_000), facts(300_000, 290_000, None)),
        Ok(vec![allocated("A-001", "O3", usd(10_000))]),
    );
}

#[test]
fn allocate_more_than_received_is_refused() {
    check(
        programme(),
        allocate("A-001", "O3", cents(1_000_001), facts(300_000, 290_000, None)),
        Err(ProgrammeError::AllocationExceedsReceipts { available: 1_000_000, requested: 1_000_001 }),
    );
    // Nothing received yet.
    check(
        programme(),
        allocate("A-001", "O3", cents(1), facts(0, 0, None)),
        Err(ProgrammeError::AllocationExceedsReceipts { available: 0, requested: 1 }),
    );
}

#[test]
fn the_programmes_own_allocations_count_even_when_the_edge_misses_them() {
    // 130,000 of C-001's 300,000 are already allocated here; the edge says 0.
    check(
        funded(),
        allocate("A-003", "O1", cents(17_000_001), facts(300_000, 0, None)),
        Err(ProgrammeError::AllocationExceedsReceipts { available: 17_000_000, requested: 17_000_001 }),
    );
    check(
        funded(),
        allocate("A-003", "O1", usd(170_000), facts(300_000, 0, None)),
        Ok(vec![allocated("A-003", "O1", usd(170_000))]),
    );
    // A reversed allocation frees its funds.
    check(
        with(funded(), [reversed("A-002", EntryKind::Allocation, "O2", usd(-100_000), "2026-03-11")]),
        allocate("A-003", "O1", usd(270_000), facts(300_000, 0, None)),
        Ok(vec![allocated("A-003", "O1", usd(270_000))]),
    );
}

#[test]
fn earmarked_funds_only_fund_their_line() {
    check(
        programme(),
        allocate("A-001", "O3", usd(1), facts(250_000, 0, Some("O2"))),
        Err(ProgrammeError::EarmarkViolated { earmark: "O2".to_string(), line: "O3".to_string() }),
    );
    check(
        programme(),
        allocate("A-001", "O2", usd(1), facts(250_000, 0, Some("O2"))),
        Ok(vec![allocated("A-001", "O2", usd(1))]),
    );
}

#[test]
fn allocate_from_an_unknown_contribution_is_refused() {
    check(
        programme(),
        allocate("A-001", "O3", usd(1), None),
        Err(ProgrammeError::ContributionUnknown("C-001".to_string())),
    );
}

#[test]
fn allocate_from_another_programmes_contribution_is_refused() {
    let mut other = facts(300_000, 0, None);
    if let Some(f) = other.as_mut() {
        f.programme_id = "MDP-OTHER".to_string();
    }
    check(
        programme(),
        allocate("A-001", "O3", usd(1), other),
        Err(ProgrammeError::ContributionOtherProgramme {
            contribution_id: "C-001".to_string(),
            programme_id: "MDP-OTHER".to_string(),
        }),
    );
}

#[test]
fn allocate_in_another_currency_is_refused() {
    let mismatch = Err(ProgrammeError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() });
    check(programme(), allocate("A-001", "O3", Money::new(100, "EUR"), facts(300_000, 0, None)), mismatch.clone());
    let mut eur = facts(300_000, 0, None);
    if let Some(f) = eur.as_mut() {
        f.received = Money::new(30_000_000, "EUR");
    }
    check(programme(), allocate("A-001", "O3", usd(1), eur), mismatch);
}

#[test]
fn allocate_nothing_is_refused() {
    check(
        programme(),
        allocate("A-001", "O3", usd(0), facts(300_000, 0, None)),
        Err(ProgrammeError::AmountNotPositive),
    );
    check(
        programme(),
        allocate("A-001", "O3", usd(-1), facts(300_000, 0, None)),
        Err(ProgrammeError::AmountNotPositive),
    );
}

#[test]
fn allocate_to_an_unknown_line_is_refused() {
    check(
        programme(),
        allocate("A-001", "O4", usd(1), facts(300_000, 0, None)),
        Err(ProgrammeError::LineUnknown("O4".to_string())),
    );
}

#[test]
fn allocate_under_a_used_entry_id_is_refused() {
    check(
        funded(),
        allocate("A-001", "O3", usd(1), facts(300_000, 0, None)),
        Err(ProgrammeError::EntryIdTaken("A-001".to_string())),
    );
    check(
        with(funded(), [spent("E-001", "O3", usd(7_502), "2026-04-01")]),
        allocate("E-001", "O3", usd(1), facts(300_000, 0, None)),
        Err(ProgrammeError::EntryIdTaken("E-001".to_string())),
    );
}

#[test]
fn allocate_with_blank_ids_is_refused() {
    check(
        programme(),
        allocate(" ", "O3", usd(1), facts(300_000, 0, None)),
        Err(ProgrammeError::Empty("allocation_id")),
    );
    let mut when = allocate("A-001", "O3", usd(1), facts(300_000, 0, None));
    let ProgrammeCommand::Allocate { contribution_id, .. } = &mut when else { unreachable!() };
    *contribution_id = String::new();
    check(programme(), when, Err(ProgrammeError::Empty("contribution_id")));
}

#[test]
fn allocate_before_the_baseline_is_refused() {
    check(draft(), allocate("A-001", "O3", usd(1), facts(300_000, 0, None)), Err(ProgrammeError::BaselineNotSet));
}

#[test]
fn allocate_on_an_ended_programme_is_refused() {
    check(
        closed(),
        allocate("A-001", "O3", usd(1), facts(300_000, 0, None)),
        Err(ProgrammeError::Ended(ActivityStatus::Closed)),
    );
}

// --- RecordExpenditure ------------------------------------------------------------

#[test]
fn record_expenditure_within_the_lines_funds() {
    check(
        funded(),
        spend("E-001", "O3", usd(7_502), "2026-04-01", "2026-04-30"),
        Ok(vec![spent("E-001", "O3", usd(7_502), "2026-04-01")]),
    );
    // All of the line's funds, exactly.
    check(
        funded(),
        spend("E-001", "O3", usd(30_000), "2026-04-01", "2026-04-30"),
        Ok(vec![spent("E-001", "O3", usd(30_000), "2026-04-01")]),
    );
}

#[test]
fn spend_more_than_the_lines_funds_is_refused() {
    check(
        funded(),
        spend("E-001", "O3", cents(3_000_001), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::SpendingExceedsFunds { available: 3_000_000, requested: 3_000_001 }),
    );
    check(
        with(funded(), [spent("E-001", "O3", usd(7_502), "2026-04-01")]),
        spend("E-002", "O3", usd(22_499), "2026-05-01", "2026-05-31"),
        Err(ProgrammeError::SpendingExceedsFunds { available: 2_249_800, requested: 2_249_900 }),
    );
    // A line with nothing allocated.
    check(
        funded(),
        spend("E-001", "PSC", usd(1), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::SpendingExceedsFunds { available: 0, requested: 100 }),
    );
}

#[test]
fn record_expenditure_in_the_future_is_refused() {
    // Spent after today.
    check(
        funded(),
        spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-29"),
        Err(ProgrammeError::DateInFuture(date("2026-04-29"))),
    );
    // For a month that has not begun.
    let mut when = spend("E-001", "O3", usd(1), "2026-05-01", "2026-04-30");
    let ProgrammeCommand::RecordExpenditure { spent_on, .. } = &mut when else { unreachable!() };
    *spent_on = date("2026-04-30");
    check(funded(), when, Err(ProgrammeError::DateInFuture(date("2026-04-30"))));
}

#[test]
fn record_expenditure_for_a_month_not_named_by_its_first_day_is_refused() {
    let mut when = spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30");
    let ProgrammeCommand::RecordExpenditure { period_month, .. } = &mut when else { unreachable!() };
    *period_month = date("2026-04-15");
    check(funded(), when, Err(ProgrammeError::PeriodMonthNotFirstDay));
}

#[test]
fn record_expenditure_outside_the_programme_period_is_refused() {
    check(
        funded(),
        spend("E-001", "O3", usd(1), "2025-12-01", "2026-04-30"),
        Err(ProgrammeError::OutsideProgrammePeriod),
    );
    check(
        funded(),
        spend("E-001", "O3", usd(1), "2031-07-01", "2031-08-01"),
        Err(ProgrammeError::OutsideProgrammePeriod),
    );
    check(
        funded(),
        spend("E-001", "O3", usd(1), "2031-06-01", "2031-08-01"),
        Ok(vec![spent("E-001", "O3", usd(1), "2031-06-01")]),
    );
}

#[test]
fn record_expenditure_without_evidence_is_refused() {
    for evidence in ["", "invoice.pdf", &HASH.to_uppercase()] {
        let mut when = spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30");
        let ProgrammeCommand::RecordExpenditure { evidence_sha256, .. } = &mut when else { unreachable!() };
        *evidence_sha256 = evidence.to_string();
        check(funded(), when, Err(ProgrammeError::EvidenceHashInvalid));
    }
}

#[test]
fn record_expenditure_with_blank_fields_is_refused() {
    check(funded(), spend("", "O3", usd(1), "2026-04-01", "2026-04-30"), Err(ProgrammeError::Empty("expenditure_id")));
    let mut when = spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30");
    let ProgrammeCommand::RecordExpenditure { description, .. } = &mut when else { unreachable!() };
    *description = " ".to_string();
    check(funded(), when, Err(ProgrammeError::Empty("description")));
}

#[test]
fn record_expenditure_under_a_used_entry_id_is_refused() {
    check(
        funded(),
        spend("A-001", "O3", usd(1), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::EntryIdTaken("A-001".to_string())),
    );
    // Even once the entry is reversed: ids are never reused.
    check(
        with(
            funded(),
            [
                spent("E-001", "O3", usd(1), "2026-04-01"),
                reversed("E-001", EntryKind::Expenditure, "O3", usd(-1), "2026-05-01"),
            ],
        ),
        spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::EntryIdTaken("E-001".to_string())),
    );
}

#[test]
fn record_expenditure_on_an_unknown_line_in_another_currency_or_of_nothing_is_refused() {
    check(
        funded(),
        spend("E-001", "O9", usd(1), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::LineUnknown("O9".to_string())),
    );
    check(
        funded(),
        spend("E-001", "O3", Money::new(1, "EUR"), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() }),
    );
    check(funded(), spend("E-001", "O3", usd(0), "2026-04-01", "2026-04-30"), Err(ProgrammeError::AmountNotPositive));
}

#[test]
fn record_expenditure_before_the_baseline_or_after_the_end_is_refused() {
    check(draft(), spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30"), Err(ProgrammeError::BaselineNotSet));
    check(
        closed(),
        spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30"),
        Err(ProgrammeError::Ended(ActivityStatus::Closed)),
    );
}

// --- ReverseEntry -----------------------------------------------------------------

#[test]
fn reverse_an_expenditure() {
    let given = with(funded(), [spent("E-001", "O3", usd(7_052), "2026-04-01")]);
    check(
        given,
        reverse("E-001", "2026-07-20"),
        Ok(vec![reversed("E-001", EntryKind::Expenditure, "O3", usd(-7_052), "2026-07-20")]),
    );
}

#[test]
fn reverse_an_allocation() {
    check(
        funded(),
        reverse("A-002", "2026-03-10"),
        Ok(vec![reversed("A-002", EntryKind::Allocation, "O2", usd(-100_000), "2026-03-10")]),
    );
}

#[test]
fn reverse_an_unknown_entry_is_refused() {
    check(funded(), reverse("E-404", "2026-07-20"), Err(ProgrammeError::EntryUnknown("E-404".to_string())));
    // A reallocation is not an entry.
    check(
        with(funded(), [r001_done()]),
        reverse("R-001", "2026-07-20"),
        Err(ProgrammeError::EntryUnknown("R-001".to_string())),
    );
}

#[test]
fn reverse_an_entry_twice_is_refused() {
    check(
        with(funded(), [reversed("A-002", EntryKind::Allocation, "O2", usd(-100_000), "2026-03-11")]),
        reverse("A-002", "2026-03-12"),
        Err(ProgrammeError::EntryAlreadyReversed("A-002".to_string())),
    );
}

#[test]
fn reverse_before_the_entry_is_refused() {
    check(funded(), reverse("A-002", "2026-03-09"), Err(ProgrammeError::ReversalBeforeEntry));
    check(
        with(funded(), [spent("E-001", "O3", usd(1), "2026-04-01")]),
        reverse("E-001", "2026-04-29"),
        Err(ProgrammeError::ReversalBeforeEntry),
    );
}

#[test]
fn reverse_an_allocation_already_spent_is_refused() {
    let given = with(funded(), [spent("E-001", "O3", usd(7_502), "2026-04-01")]);
    check(
        given.clone(),
        reverse("A-001", "2026-05-01"),
        Err(ProgrammeError::ReversalWouldOverdrawLine("O3".to_string())),
    );
    // Once the spending is reversed, so can the allocation be.
    check(
        with(given, [reversed("E-001", EntryKind::Expenditure, "O3", usd(-7_502), "2026-05-01")]),
        reverse("A-001", "2026-05-01"),
        Ok(vec![reversed("A-001", EntryKind::Allocation, "O3", usd(-30_000), "2026-05-01")]),
    );
}

#[test]
fn reverse_without_reason_is_refused() {
    check(
        funded(),
        ProgrammeCommand::ReverseEntry {
            entry_id: "A-002".to_string(),
            reason: " ".to_string(),
            reversed_on: date("2026-04-01"),
        },
        Err(ProgrammeError::Empty("reason")),
    );
}

#[test]
fn reverse_after_the_programme_closed() {
    let given = with(
        programme(),
        [
            allocated("A-001", "O3", usd(30_000)),
            spent("E-001", "O3", usd(7_502), "2026-04-01"),
            status_changed(ActivityStatus::Implementation, ActivityStatus::Finalisation, "2031-06-30"),
            status_changed(ActivityStatus::Finalisation, ActivityStatus::Closed, "2031-12-31"),
        ],
    );
    check(
        given,
        reverse("E-001", "2032-02-01"),
        Ok(vec![reversed("E-001", EntryKind::Expenditure, "O3", usd(-7_502), "2032-02-01")]),
    );
}

// --- Reallocate -------------------------------------------------------------------

#[test]
fn reallocate_under_the_threshold_on_delegation() {
    check(programme(), r001().command(), Ok(vec![r001_done()]));
}

#[test]
fn reallocate_over_the_threshold_on_a_decision_with_consent() {
    check(with(programme(), [r001_done()]), r002().command(), Ok(vec![r002_done()]));
}

#[test]
fn reallocate_over_the_threshold_without_a_decision_is_refused() {
    let needed = "approve_budget_reallocation";
    check(
        programme(),
        Realloc { authority: None, ..r002() }.command(),
        Err(ProgrammeError::Authority(AuthorityError::Missing { needed })),
    );
    let rejected = DecisionFacts {
        decision_id: "GCG-22/D02".to_string(),
        status: DecisionStatus::Rejected,
        subject: Some(approve_subject("MDP-A87")),
        adopted_on: None,
    };
    check(
        programme(),
        Realloc { authority: Some(rejected), ..r002() }.command(),
        Err(ProgrammeError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-22/D02".to_string() })),
    );
    for subject in [approve_subject("MDP-OTHER"), establish_subject("MDP-A87")] {
        check(
            programme(),
            Realloc { authority: adopted("GCG-22/D02", subject), ..r002() }.command(),
            Err(ProgrammeError::Authority(AuthorityError::WrongSubject {
                decision_id: "GCG-22/D02".to_string(),
                needed,
            })),
        );
    }
}

#[test]
fn the_threshold_is_a_share_of_the_from_lines_monthly_plan() {
    // 649 of O1's 6,490 is exactly 10 %: the Secretariat may act alone.
    let at =
        Realloc { id: "R-009", per_month: usd(649), consents: vec![], required: vec![], authority: None, ..r002() };
    check(
        programme(),
        at.clone().command(),
        Ok(rename(
            vec![reallocated(r002_done(), |f| {
                f.amount_per_month = usd(649);
                f.total_amount = usd(649 * 60);
                f.share_basis_points = 1000;
                f.threshold_exceeded = false;
                f.authority = ReallocationAuthority::Delegation;
                f.consents = vec![];
            })],
            "R-009",
        )),
    );
    // 650 is 10.02 %: a decision is needed.
    check(
        programme(),
        Realloc { per_month: usd(650), ..at.clone() }.command(),
        Err(ProgrammeError::Authority(AuthorityError::Missing { needed: "approve_budget_reallocation" })),
    );
    // Another policy, another threshold: at 20 %, R-002's 18.49 % needs no decision.
    let lenient =
        ReallocationPolicy { version: "realloc/v2".to_string(), provisional: false, threshold_basis_points: 2000 };
    check(
        programme(),
        Realloc { authority: None, policy: lenient, ..r002() }.command(),
        Ok(vec![reallocated(r002_done(), |f| {
            f.policy_version = "realloc/v2".to_string();
            f.threshold_basis_points = 2000;
            f.threshold_exceeded = false;
            f.authority = ReallocationAuthority::Delegation;
        })]),
    );
}

/// Gives the reallocation events another id.
fn rename(events: Vec<ProgrammeEvent>, id: &str) -> Vec<ProgrammeEvent> {
    events
        .into_iter()
        .map(|mut e| {
            if let ProgrammeEvent::BudgetReallocated { realloc_id, .. } = &mut e {
                *realloc_id = id.to_string();
            }
            e
        })
        .collect()
}

#[test]
fn a_decision_cited_under_the_threshold_is_checked_and_recorded() {
    check(
        programme(),
        Realloc { authority: adopted("GCG-22/D02", approve_subject("MDP-A87")), ..r001() }.command(),
        Ok(vec![reallocated(r001_done(), |f| {
            f.authority = ReallocationAuthority::Decision { decision_id: "GCG-22/D02".to_string() };
        })]),
    );
    check(
        programme(),
        Realloc { authority: adopted("GCG-22/D02", DecisionSubject::Procedural), ..r001() }.command(),
        Err(ProgrammeError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-22/D02".to_string(),
            needed: "approve_budget_reallocation",
        })),
    );
}

#[test]
fn reallocate_without_a_required_consent_is_refused() {
    check(
        programme(),
        Realloc { consents: vec![], ..r002() }.command(),
        Err(ProgrammeError::DonorConsentMissing("C-001".to_string())),
    );
    check(
        programme(),
        Realloc {
            consents: vec!["C-001".to_string()],
            required: vec!["C-001".to_string(), "C-002".to_string()],
            ..r002()
        }
        .command(),
        Err(ProgrammeError::DonorConsentMissing("C-002".to_string())),
    );
    // Consents nobody required are recorded all the same, sorted and once each.
    check(
        programme(),
        Realloc { consents: vec!["C-002".to_string(), "C-001".to_string(), "C-002".to_string()], ..r002() }.command(),
        Ok(vec![reallocated(r002_done(), |f| f.consents = vec!["C-001".to_string(), "C-002".to_string()])]),
    );
}

#[test]
fn reallocate_more_than_the_from_line_plans_is_refused() {
    check(
        programme(),
        Realloc { per_month: cents(649_001), ..r002() }.command(),
        Err(ProgrammeError::LineWouldGoNegative { line: "O1".to_string(), month: date("2026-07-01") }),
    );
    // After R-002 O1 plans 5,290 from July 2026: 6,000 fits April–June, not July.
    check(
        with(programme(), [r002_done()]),
        Realloc {
            id: "R-003",
            per_month: usd(6_000),
            effective_from: "2026-04-01",
            effective_to: "2026-12-31",
            ..r002()
        }
        .command(),
        Err(ProgrammeError::LineWouldGoNegative { line: "O1".to_string(), month: date("2026-07-01") }),
    );
}

#[test]
fn reallocate_a_whole_line_down_to_zero() {
    let all = Realloc { id: "R-003", per_month: usd(6_490), ..r002() };
    let events = decide(&fold(programme()), all.command()).expect("reallocated");
    let ProgrammeEvent::BudgetReallocated { share_basis_points, threshold_exceeded, .. } = &events[0] else {
        panic!("a reallocation")
    };
    assert_eq!((*share_basis_points, *threshold_exceeded), (10_000, true));
    let state = fold(with(programme(), events));
    assert_eq!(state.monthly_plan("O1", date("2026-07-01")), 0);
    assert_eq!(state.monthly_plan("O1", date("2026-06-01")), 649_000);
}

#[test]
fn reallocate_between_unknown_or_identical_lines_is_refused() {
    check(programme(), Realloc { from: "O9", ..r001() }.command(), Err(ProgrammeError::LineUnknown("O9".to_string())));
    check(programme(), Realloc { to: "O9", ..r001() }.command(), Err(ProgrammeError::LineUnknown("O9".to_string())));
    check(programme(), Realloc { to: "O3", ..r001() }.command(), Err(ProgrammeError::ReallocationSameLine));
}

#[test]
fn reallocate_for_part_months_is_refused() {
    for (from, to) in [("2026-04-02", "2026-12-31"), ("2026-04-01", "2026-12-30"), ("2026-05-01", "2026-04-30")] {
        check(
            programme(),
            Realloc { effective_from: from, effective_to: to, ..r001() }.command(),
            Err(ProgrammeError::ReallocationPeriodInvalid),
        );
    }
}

#[test]
fn reallocate_outside_the_programme_period_is_refused() {
    for (from, to) in [("2025-12-01", "2026-12-31"), ("2026-04-01", "2031-07-31")] {
        check(
            programme(),
            Realloc { effective_from: from, effective_to: to, ..r001() }.command(),
            Err(ProgrammeError::OutsideProgrammePeriod),
        );
    }
}

#[test]
fn reallocate_under_a_used_id_is_refused() {
    check(
        with(programme(), [r001_done()]),
        r001().command(),
        Err(ProgrammeError::ReallocationIdTaken("R-001".to_string())),
    );
}

#[test]
fn reallocate_in_another_currency_or_nothing_is_refused() {
    check(
        programme(),
        Realloc { per_month: Money::new(50_000, "EUR"), ..r001() }.command(),
        Err(ProgrammeError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() }),
    );
    check(programme(), Realloc { per_month: usd(0), ..r001() }.command(), Err(ProgrammeError::AmountNotPositive));
    check(programme(), Realloc { per_month: usd(-500), ..r001() }.command(), Err(ProgrammeError::AmountNotPositive));
}

#[test]
fn reallocate_with_blank_fields_is_refused() {
    check(programme(), Realloc { id: " ", ..r001() }.command(), Err(ProgrammeError::Empty("realloc_id")));
    let mut when = r001().command();
    let ProgrammeCommand::Reallocate { justification, .. } = &mut when else { unreachable!() };
    *justification = String::new();
    check(programme(), when, Err(ProgrammeError::Empty("justification")));
}

#[test]
fn reallocate_before_the_baseline_or_after_the_end_is_refused() {
    check(draft(), r001().command(), Err(ProgrammeError::BaselineNotSet));
    check(closed(), r001().command(), Err(ProgrammeError::Ended(ActivityStatus::Closed)));
}

// --- queries: the seed baseline (§3.4) ----------------------------------------------

#[test]
fn the_seed_baseline_plans_39_143_usd_a_month_for_66_months() {
    let state = fold(programme());
    let (start, end) = (date("2026-01-01"), date("2031-06-30"));
    assert_eq!(state.monthly_total(start), 3_914_300);
    assert_eq!(state.baseline.as_ref().map(|b| b.monthly_total), Some(3_914_300));
    let programme_total: i64 = LINES.iter().map(|l| state.planned_between(l.0, start, end)).sum();
    assert_eq!(programme_total, 258_343_800, "2,583,438 USD");
    // §3.4 per line: a year, 2031 H1 and the programme, in USD.
    for (code, year, half, whole) in [
        ("O1", 77_880, 38_940, 428_340),
        ("O2", 240_648, 120_324, 1_323_564),
        ("O3", 90_024, 45_012, 495_132),
        ("PSC", 61_164, 30_582, 336_402),
    ] {
        assert_eq!(state.planned_between(code, date("2027-01-01"), date("2027-12-31")), year * 100, "{code}");
        assert_eq!(state.planned_between(code, date("2031-01-01"), date("2031-06-30")), half * 100, "{code}");
        assert_eq!(state.planned_between(code, start, end), whole * 100, "{code}");
    }
    // The IATI budgets: 469,716 USD a year, 234,858 for 2031 H1.
    let per_period: Vec<i64> = iati_budget_periods(start, end)
        .into_iter()
        .map(|(from, to)| LINES.iter().map(|l| state.planned_between(l.0, from, to)).sum())
        .collect();
    assert_eq!(per_period, [46_971_600, 46_971_600, 46_971_600, 46_971_600, 46_971_600, 23_485_800]);
}

#[test]
fn plans_are_zero_outside_the_programme_or_for_unknown_lines() {
    let state = fold(programme());
    assert_eq!(state.monthly_plan("O1", date("2025-12-31")), 0);
    assert_eq!(state.monthly_plan("O1", date("2031-07-01")), 0);
    assert_eq!(state.monthly_plan("O1", date("2031-06-30")), 649_000);
    assert_eq!(state.monthly_plan("O9", date("2026-06-01")), 0);
    // Only the programme's months count.
    assert_eq!(state.planned_between("O1", date("2020-01-01"), date("2026-02-15")), 2 * 649_000);
    assert_eq!(state.planned_between("O1", date("2026-03-01"), date("2026-02-01")), 0);
    assert_eq!(Programme::default().planned_between("O1", date("2026-01-01"), date("2026-12-31")), 0);
    assert_eq!(Programme::default().lowest_plan("O1", date("2026-01-01"), date("2026-12-31")), None);
}

#[test]
fn the_demo_reallocations_move_money_and_keep_the_total() {
    let state = fold(with(programme(), [r001_done(), r002_done()]));
    let plan = |month: &str| -> Vec<i64> { LINES.iter().map(|l| state.monthly_plan(l.0, date(month)) / 100).collect() };
    // O1, O2, O3, PSC in USD.
    assert_eq!(plan("2026-03-15"), [6_490, 20_054, 7_502, 5_097], "before R-001");
    assert_eq!(plan("2026-04-01"), [6_490, 20_554, 7_002, 5_097], "from April 2026: O3 7,002 / O2 20,554");
    assert_eq!(plan("2026-07-01"), [5_290, 21_754, 7_002, 5_097], "from July 2026: O1 5,290 / O2 21,754");
    assert_eq!(plan("2027-01-01"), [5_290, 21_254, 7_502, 5_097], "R-001 ended in December 2026");
    for month in period::months(date("2026-01-01"), date("2031-06-30")) {
        assert_eq!(state.monthly_total(month), 3_914_300, "{month}");
    }
    assert_eq!(state.planned_between("O2", date("2026-01-01"), date("2026-12-31")), 25_234_800);
    assert_eq!(state.planned_between("O2", date("2026-01-01"), date("2031-06-30")), (1_323_564 + 4_500 + 72_000) * 100);
    assert_eq!(state.lowest_plan("O1", date("2026-04-01"), date("2026-12-31")), Some((date("2026-07-01"), 529_000)));
    assert_eq!(state.reallocation_share("O1", 120_000, date("2026-04-01"), date("2026-06-30")), 1849);
    assert_eq!(state.reallocation_share("O1", 120_000, date("2026-04-01"), date("2026-07-31")), 2268);
    assert_eq!(state.reallocations, ["R-001", "R-002"]);
    assert_eq!(
        state.line("O3").map(|l| l.changes.clone()),
        Some(vec![PlanChange {
            realloc_id: "R-001".to_string(),
            effective_from: date("2026-04-01"),
            effective_to: date("2026-12-31"),
            delta: -50_000,
        }])
    );
}

#[test]
fn allocated_spent_and_balance_per_line() {
    let state = fold(with(
        funded(),
        [
            spent("E-001", "O3", usd(7_502), "2026-04-01"),
            spent("E-002", "O2", usd(20_554), "2026-04-01"),
            reversed("E-002", EntryKind::Expenditure, "O2", usd(-20_554), "2026-05-02"),
            spent("E-003", "O2", usd(20_000), "2026-04-01"),
            allocated("A-003", "O3", usd(10_000)),
            reversed("A-001", EntryKind::Allocation, "O3", usd(-30_000), "2026-05-03"),
        ],
    ));
    assert_eq!((state.allocated("O3"), state.spent("O3"), state.balance("O3")), (1_000_000, 750_200, 249_800));
    assert_eq!((state.allocated("O2"), state.spent("O2"), state.balance("O2")), (10_000_000, 2_000_000, 8_000_000));
    assert_eq!((state.allocated("PSC"), state.spent("PSC"), state.balance("PSC")), (0, 0, 0));
    assert_eq!(state.allocated_from("C-001"), 11_000_000);
    assert_eq!(state.allocated_from("C-002"), 0);
    assert!(state.is_reversed("E-002"));
    assert!(state.is_reversed("A-001"));
    assert!(!state.is_reversed("E-001"));
}

#[test]
fn evolve_folds_the_programme() {
    let state = fold(funded());
    assert!(state.is_established());
    assert!(!Programme::default().is_established());
    assert_eq!(state.programme_id, "MDP-A87");
    assert_eq!(state.title, TITLE);
    assert_eq!(state.iati_identifier, "XM-DAC-41302-MDP-A87");
    assert_eq!(state.reporting_organisation, "ILO");
    assert_eq!(state.currency, "USD");
    assert_eq!((state.period_start, state.period_end), (Some(date("2026-01-01")), Some(date("2031-06-30"))));
    assert_eq!(state.status, ActivityStatus::Implementation);
    assert_eq!(
        state.baseline,
        Some(Baseline { set_on: date("2026-01-01"), status: BudgetStatus::Indicative, monthly_total: 3_914_300 })
    );
    let codes: Vec<&str> = state.lines.iter().map(|l| l.line_code.as_str()).collect();
    assert_eq!(codes, ["O1", "O2", "O3", "PSC"]);
    assert_eq!(state.line("PSC").map(|l| (l.kind, l.monthly)), Some((LineKind::SupportCost, 509_700)));
    assert_eq!(
        state.allocations[0],
        Allocation {
            allocation_id: "A-001".to_string(),
            contribution_id: "C-001".to_string(),
            donor: "DONOR-A".to_string(),
            line_code: "O3".to_string(),
            amount: 3_000_000,
            allocated_on: date("2026-03-10"),
        }
    );
}

// --- the demo timeline (§3.3 rows 34–50) -------------------------------------------

#[test]
fn the_demo_timeline() {
    let c001 = |allocated: i64| facts(300_000, allocated, None);
    let mut commands = vec![
        establish(adopted("GCG-21/D03", establish_subject("MDP-A87"))), // row 34
    ];
    commands.extend(LINES.iter().map(|l| define(l.0)));
    commands.push(ProgrammeCommand::SetBaseline { set_on: date("2026-01-01"), status: BudgetStatus::Indicative });
    commands.push(ProgrammeCommand::ChangeStatus { to: ActivityStatus::Implementation, on: date("2026-01-01") }); // row 35
                                                                                                                  // C-001's first 300,000 USD (row 38), allocated to January–April per line.
    commands.extend([
        allocate("A-001", "O1", usd(25_960), c001(0)),
        allocate("A-002", "O2", usd(80_716), c001(25_960)),
        allocate("A-003", "O3", usd(29_508), c001(106_676)),
        allocate("A-004", "PSC", usd(20_388), c001(136_184)),
    ]);
    commands.push(r001().command()); // row 40
                                     // April actuals (row 41), with a typo on O3: 7,052 for 7,502.
    commands.extend([
        spend("E-001", "O1", usd(6_490), "2026-04-01", "2026-04-30"),
        spend("E-002", "O2", usd(20_554), "2026-04-01", "2026-04-30"),
        spend("E-003", "O3", usd(7_052), "2026-04-01", "2026-04-30"),
        spend("E-004", "PSC", usd(5_097), "2026-04-01", "2026-04-30"),
    ]);
    commands.push(r002().command()); // rows 45–46
                                     // Row 50: the typo is fixed by a reversal and a new entry, never by an edit.
    commands.push(ProgrammeCommand::ReverseEntry {
        entry_id: "E-003".to_string(),
        reason: "typo: 7,052 entered for 7,502".to_string(),
        reversed_on: date("2026-07-20"),
    });
    commands.push(spend("E-005", "O3", usd(7_502), "2026-04-01", "2026-07-20"));

    let events = run(vec![], commands);
    let types: Vec<String> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(
        types,
        [
            "ProgrammeEstablished",
            "BudgetLineDefined",
            "BudgetLineDefined",
            "BudgetLineDefined",
            "BudgetLineDefined",
            "BudgetBaselineSet",
            "ProgrammeStatusChanged",
            "FundsAllocated",
            "FundsAllocated",
            "FundsAllocated",
            "FundsAllocated",
            "BudgetReallocated",
            "ExpenditureRecorded",
            "ExpenditureRecorded",
            "ExpenditureRecorded",
            "ExpenditureRecorded",
            "BudgetReallocated",
            "EntryReversed",
            "ExpenditureRecorded",
        ]
    );
    assert!(events.contains(&r001_done()));
    assert!(events.contains(&r002_done()));
    let state = fold(events);
    assert_eq!(state.spent("O3"), 750_200);
    assert_eq!(state.balance("O3"), 2_950_800 - 750_200);
    assert_eq!(state.allocated_from("C-001"), 15_657_200);
    assert_eq!(state.expenditures.len(), 5, "the typo stays visible");
    assert_eq!(state.monthly_total(date("2026-07-01")), 3_914_300);
}

// --- edge facts -------------------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    let establish = r#"{"command":"establish","programme_id":"MDP-A87","title":"T","iati_identifier":"XM-DAC-41302-MDP-A87","reporting_organisation":"ILO","currency":"USD","period_start":"2026-01-01","period_end":"2031-06-30""#;
    assert!(serde_json::from_str::<ProgrammeCommand>(&format!("{establish}}}")).is_ok());
    assert!(serde_json::from_str::<ProgrammeCommand>(&format!(r#"{establish},"authority":null}}"#)).is_err());

    let allocate = r#"{"command":"allocate","allocation_id":"A-001","contribution_id":"C-001","line_code":"O3","amount":{"amount_minor":100,"currency":"USD"},"allocated_on":"2026-03-10""#;
    assert!(serde_json::from_str::<ProgrammeCommand>(&format!("{allocate}}}")).is_ok());
    let received = r#""contribution":{"donor":"D","programme_id":"MDP-A87","received":{"amount_minor":1,"currency":"USD"},"allocated":{"amount_minor":0,"currency":"USD"},"earmark":null}"#;
    assert!(serde_json::from_str::<ProgrammeCommand>(&format!("{allocate},{received}}}")).is_err());

    let spend = r#"{"command":"record_expenditure","expenditure_id":"E-001","line_code":"O3","amount":{"amount_minor":100,"currency":"USD"},"spent_on":"2026-04-30","period_month":"2026-04-01","description":"d","evidence_sha256":"x""#;
    let command: ProgrammeCommand = serde_json::from_str(&format!("{spend}}}")).expect("deserialises");
    let ProgrammeCommand::RecordExpenditure { today, .. } = &command else { panic!("an expenditure") };
    assert_eq!(*today, NaiveDate::default(), "today is the edge's to fill in");
    assert!(serde_json::from_str::<ProgrammeCommand>(&format!(r#"{spend},"today":"2099-01-01"}}"#)).is_err());

    let reallocate = r#"{"command":"reallocate","realloc_id":"R-001","from_line":"O3","to_line":"O2","amount_per_month":{"amount_minor":50000,"currency":"USD"},"effective_from":"2026-04-01","effective_to":"2026-12-31","justification":"j""#;
    let command: ProgrammeCommand = serde_json::from_str(&format!("{reallocate}}}")).expect("deserialises");
    let ProgrammeCommand::Reallocate { authority, policy, consents, consent_required_from, .. } = &command else {
        panic!("a reallocation")
    };
    assert_eq!(authority, &None);
    assert_eq!(policy, &ReallocationPolicy::provisional_v1());
    assert!(consents.is_empty() && consent_required_from.is_empty());
    for edge in [
        r#""authority":null"#,
        r#""policy":{"version":"x","provisional":false,"threshold_basis_points":100000}"#,
        r#""consents":["C-001"]"#,
        r#""consent_required_from":[]"#,
    ] {
        assert!(serde_json::from_str::<ProgrammeCommand>(&format!("{reallocate},{edge}}}")).is_err(), "{edge}");
    }
}

#[test]
fn command_names_are_their_tags() {
    for command in [
        establish(None),
        define("O1"),
        ProgrammeCommand::SetBaseline { set_on: date("2026-01-01"), status: BudgetStatus::Indicative },
        ProgrammeCommand::ChangeStatus { to: ActivityStatus::Implementation, on: date("2026-01-01") },
        allocate("A-001", "O3", usd(1), None),
        spend("E-001", "O3", usd(1), "2026-04-01", "2026-04-30"),
        reverse("E-001", "2026-05-01"),
        r001().command(),
    ] {
        let json = serde_json::to_value(&command).expect("serialises");
        assert_eq!(json["command"], command.name());
    }
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<ProgrammeError> {
    use ProgrammeError::*;
    vec![
        AlreadyEstablished,
        NotEstablished,
        Empty("title"),
        CurrencyInvalid("usd".to_string()),
        CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() },
        AmountNotPositive,
        IatiIdentifierInvalid("XM DAC".to_string()),
        PeriodInvalid,
        Ended(ActivityStatus::Closed),
        LineCodeTaken("O1".to_string()),
        LineUnknown("O9".to_string()),
        BaselineAlreadySet,
        BaselineNotSet,
        NoBudgetLines,
        StatusTransitionInvalid { from: ActivityStatus::Pipeline, to: ActivityStatus::Closed },
        EntryIdTaken("A-001".to_string()),
        ContributionUnknown("C-404".to_string()),
        ContributionOtherProgramme { contribution_id: "C-001".to_string(), programme_id: "MDP-OTHER".to_string() },
        AllocationExceedsReceipts { available: 0, requested: 1 },
        EarmarkViolated { earmark: "O2".to_string(), line: "O3".to_string() },
        DateInFuture(date("2026-04-30")),
        PeriodMonthNotFirstDay,
        OutsideProgrammePeriod,
        EvidenceHashInvalid,
        SpendingExceedsFunds { available: 0, requested: 1 },
        EntryUnknown("E-404".to_string()),
        EntryAlreadyReversed("E-001".to_string()),
        ReversalBeforeEntry,
        ReversalWouldOverdrawLine("O3".to_string()),
        ReallocationIdTaken("R-001".to_string()),
        ReallocationSameLine,
        ReallocationPeriodInvalid,
        LineWouldGoNegative { line: "O1".to_string(), month: date("2026-07-01") },
        DonorConsentMissing("C-001".to_string()),
        Authority(AuthorityError::Missing { needed: "approve_budget_reallocation" }),
        Authority(AuthorityError::NotAdopted { decision_id: "GCG-22/D02".to_string() }),
        Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-22/D02".to_string(),
            needed: "approve_budget_reallocation",
        }),
        ResultPeriodInvalid,
    ]
}

fn ordinal(error: &ProgrammeError) -> usize {
    use ProgrammeError::*;
    match error {
        AlreadyEstablished => 0,
        NotEstablished => 1,
        Empty(_) => 2,
        CurrencyInvalid(_) => 3,
        CurrencyMismatch { .. } => 4,
        AmountNotPositive => 5,
        IatiIdentifierInvalid(_) => 6,
        PeriodInvalid => 7,
        Ended(_) => 8,
        LineCodeTaken(_) => 9,
        LineUnknown(_) => 10,
        BaselineAlreadySet => 11,
        BaselineNotSet => 12,
        NoBudgetLines => 13,
        StatusTransitionInvalid { .. } => 14,
        EntryIdTaken(_) => 15,
        ContributionUnknown(_) => 16,
        ContributionOtherProgramme { .. } => 17,
        AllocationExceedsReceipts { .. } => 18,
        EarmarkViolated { .. } => 19,
        DateInFuture(_) => 20,
        PeriodMonthNotFirstDay => 21,
        OutsideProgrammePeriod => 22,
        EvidenceHashInvalid => 23,
        SpendingExceedsFunds { .. } => 24,
        EntryUnknown(_) => 25,
        EntryAlreadyReversed(_) => 26,
        ReversalBeforeEntry => 27,
        ReversalWouldOverdrawLine(_) => 28,
        ReallocationIdTaken(_) => 29,
        ReallocationSameLine => 30,
        ReallocationPeriodInvalid => 31,
        LineWouldGoNegative { .. } => 32,
        DonorConsentMissing(_) => 33,
        Authority(AuthorityError::Missing { .. }) => 34,
        Authority(AuthorityError::NotAdopted { .. }) => 35,
        Authority(AuthorityError::WrongSubject { .. }) => 36,
        ResultPeriodInvalid => 37,
    }
}

#[test]
fn every_rule_name_is_unique_snake_case() {
    let errors = all_errors();
    let ordinals: Vec<usize> = errors.iter().map(ordinal).collect();
    let rules: Vec<(&'static str, String)> = errors.iter().map(|e| (e.rule(), e.to_string())).collect();
    crate::testing::assert_rules_well_formed(&ordinals, &rules);
}

// --- stored schema ----------------------------------------------------------------

#[track_caller]
fn golden(event: ProgrammeEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: ProgrammeEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_programme_established() {
    let ProgrammeEvent::ProgrammeEstablished { period_start, period_end, .. } = established() else { unreachable!() };
    golden(
        ProgrammeEvent::ProgrammeEstablished {
            programme_id: "MDP-A87".to_string(),
            title: "Alliance 8.7 MDP".to_string(),
            iati_identifier: "XM-DAC-41302-MDP-A87".to_string(),
            reporting_organisation: "ILO".to_string(),
            currency: "USD".to_string(),
            period_start,
            period_end,
            decision_id: "GCG-21/D03".to_string(),
        },
        "ProgrammeEstablished",
        r#"{"ProgrammeEstablished":{"programme_id":"MDP-A87","title":"Alliance 8.7 MDP","iati_identifier":"XM-DAC-41302-MDP-A87","reporting_organisation":"ILO","currency":"USD","period_start":"2026-01-01","period_end":"2031-06-30","decision_id":"GCG-21/D03"}}"#,
    );
}

#[test]
fn golden_budget_baseline_set() {
    golden(
        baseline_set(),
        "BudgetBaselineSet",
        r#"{"BudgetBaselineSet":{"set_on":"2026-01-01","status":"indicative","lines":[{"line_code":"O1","monthly":{"amount_minor":649000,"currency":"USD"}},{"line_code":"O2","monthly":{"amount_minor":2005400,"currency":"USD"}},{"line_code":"O3","monthly":{"amount_minor":750200,"currency":"USD"}},{"line_code":"PSC","monthly":{"amount_minor":509700,"currency":"USD"}}],"monthly_total":{"amount_minor":3914300,"currency":"USD"},"months":66,"programme_total":{"amount_minor":258343800,"currency":"USD"}}}"#,
    );
}

#[test]
fn golden_budget_reallocated() {
    golden(
        r002_done(),
        "BudgetReallocated",
        r#"{"BudgetReallocated":{"realloc_id":"R-002","from_line":"O1","to_line":"O2","amount_per_month":{"amount_minor":120000,"currency":"USD"},"effective_from":"2026-07-01","effective_to":"2031-06-30","months":60,"total_amount":{"amount_minor":7200000,"currency":"USD"},"justification":"PFC reporting cycle","from_line_monthly":{"amount_minor":649000,"currency":"USD"},"share_basis_points":1849,"policy_version":"realloc/v1-provisional","threshold_basis_points":1000,"threshold_exceeded":true,"authority":{"kind":"decision","decision_id":"GCG-22/D02"},"consents":["C-001"]}}"#,
    );
    let json = serde_json::to_string(&r001_done()).expect("serialises");
    assert!(json.contains(r#""authority":{"kind":"delegation"}"#), "{json}");
}

#[test]
fn golden_entry_reversed() {
    golden(
        reversed("A-002", EntryKind::Allocation, "O2", usd(-100_000), "2026-03-11"),
        "EntryReversed",
        r#"{"EntryReversed":{"entry_id":"A-002","kind":"allocation","line_code":"O2","contribution_id":"C-001","amount":{"amount_minor":-10000000,"currency":"USD"},"reason":"entered in error","reversed_on":"2026-03-11"}}"#,
    );
}

#[test]
fn golden_expenditure_recorded() {
    golden(
        spent("E-003", "O3", usd(7_052), "2026-04-01"),
        "ExpenditureRecorded",
        r#"{"ExpenditureRecorded":{"expenditure_id":"E-003","line_code":"O3","amount":{"amount_minor":705200,"currency":"USD"},"spent_on":"2026-04-30","period_month":"2026-04-01","description":"monthly actuals","evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (defined("PSC"), "BudgetLineDefined"),
        (
            status_changed(ActivityStatus::Implementation, ActivityStatus::Suspended, "2027-01-01"),
            "ProgrammeStatusChanged",
        ),
        (allocated("A-001", "O3", usd(30_000)), "FundsAllocated"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<ProgrammeEvent>(&json).expect("deserialises"), event);
    }
    let json = serde_json::to_string(&defined("PSC")).expect("serialises");
    assert!(json.contains(r#""kind":"support_cost""#), "{json}");
    let json =
        serde_json::to_string(&status_changed(ActivityStatus::Implementation, ActivityStatus::Suspended, "2027-01-01"))
            .expect("serialises");
    assert!(json.contains(r#""from":"implementation","to":"suspended""#), "{json}");
}

#[test]
fn the_money_folds_net_reversals_and_see_only_the_entries_they_are_given() {
    use super::{folds, Entry};
    let allocation =
        Entry { kind: EntryKind::Allocation, line_code: "O1", contribution_id: Some("C-001"), amount: 20_000 };
    let spent = Entry { kind: EntryKind::Expenditure, line_code: "O1", contribution_id: None, amount: 7_052 };
    let reversal = Entry { amount: -7_052, ..spent };
    let corrected = Entry { amount: 7_502, ..spent };
    let all = [allocation, spent, reversal, corrected];
    assert_eq!(folds::allocated(all, "O1"), 20_000);
    assert_eq!(folds::spent(all, "O1"), 7_502, "the reversal cancels the entry it reverses");
    assert_eq!(folds::allocated_from(all, "C-001"), 20_000);
    assert_eq!(folds::allocated(all, "O2"), 0);
    // A view as of a day before the reversal folds only what it may see.
    assert_eq!(folds::spent([allocation, spent], "O1"), 7_052);
    let returned = Entry { amount: -20_000, ..allocation };
    assert_eq!(folds::allocated_from([allocation, returned], "C-001"), 0);
}

// --- results ---------------------------------------------------------------------------

fn report_result(line: &str, start: &str, end: &str, reported: &str) -> ProgrammeCommand {
    ProgrammeCommand::ReportResult {
        line_code: line.to_string(),
        indicator: "Pathfinder Countries supported on their roadmaps".to_string(),
        unit: "countries".to_string(),
        period_start: date(start),
        period_end: date(end),
        target: Some(10),
        actual: 7,
        reported_on: date(reported),
    }
}

#[test]
fn a_result_is_reported_for_a_line_and_a_period() {
    check(
        programme(),
        report_result("O2", "2026-01-01", "2026-06-30", "2026-07-15"),
        Ok(vec![ProgrammeEvent::ResultReported {
            line_code: "O2".to_string(),
            indicator: "Pathfinder Countries supported on their roadmaps".to_string(),
            unit: "countries".to_string(),
            period_start: date("2026-01-01"),
            period_end: date("2026-06-30"),
            target: Some(10),
            actual: 7,
            reported_on: date("2026-07-15"),
        }]),
    );
}

#[test]
fn a_result_needs_a_known_line_and_a_sound_period() {
    check(
        programme(),
        report_result("O9", "2026-01-01", "2026-06-30", "2026-07-15"),
        Err(ProgrammeError::LineUnknown("O9".to_string())),
    );
    for (start, end, reported) in [
        ("2026-07-01", "2026-06-30", "2026-07-15"), // ends before it starts
        ("2026-01-01", "2026-06-30", "2025-12-31"), // reported before it starts
        ("2025-01-01", "2026-06-30", "2026-07-15"), // before the programme
    ] {
        check(programme(), report_result("O2", start, end, reported), Err(ProgrammeError::ResultPeriodInvalid));
    }
    let blank = match report_result("O2", "2026-01-01", "2026-06-30", "2026-07-15") {
        ProgrammeCommand::ReportResult {
            line_code,
            unit,
            period_start,
            period_end,
            target,
            actual,
            reported_on,
            ..
        } => ProgrammeCommand::ReportResult {
            line_code,
            indicator: " ".to_string(),
            unit,
            period_start,
            period_end,
            target,
            actual,
            reported_on,
        },
        _ => unreachable!(),
    };
    check(programme(), blank, Err(ProgrammeError::Empty("indicator")));
}
