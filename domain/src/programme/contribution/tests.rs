//! Given/when/then tests of the `Contribution` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the outcome
//! (events or the exact refusal) is compared. Also: the consent helper, every refusal's
//! rule name, and golden JSON fixtures. Amounts follow the demo: DONOR-A's C-001, 600,000 USD unearmarked, 300,000 received on 5 March 2026.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;

#[track_caller]
fn check(
    given: Vec<ContributionEvent>,
    when: ContributionCommand,
    then: Result<Vec<ContributionEvent>, ContributionError>,
) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<ContributionEvent>) -> Contribution {
    let mut state = Contribution::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(
    mut given: Vec<ContributionEvent>,
    more: impl IntoIterator<Item = ContributionEvent>,
) -> Vec<ContributionEvent> {
    given.extend(more);
    given
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

/// Whole US dollars as money (minor units are cents).
fn usd(dollars: i64) -> Money {
    Money::new(dollars * 100, "USD")
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn conditions() -> AgreementConditions {
    AgreementConditions {
        reallocation_consent_required: true,
        reallocation_consent_above_basis_points: Some(1500),
        reporting: Some("annual".to_string()),
    }
}

fn pledge(amount: Money, earmark: Option<&str>) -> ContributionCommand {
    ContributionCommand::Pledge {
        contribution_id: "C-001".to_string(),
        donor: "DONOR-A".to_string(),
        programme_id: "MDP-A87".to_string(),
        amount,
        earmark: earmark.map(str::to_string),
        pledged_on: date("2026-02-10"),
        conditions: conditions(),
    }
}

fn pledged_with(amount: Money, earmark: Option<&str>) -> ContributionEvent {
    ContributionEvent::ContributionPledged {
        contribution_id: "C-001".to_string(),
        donor: "DONOR-A".to_string(),
        programme_id: "MDP-A87".to_string(),
        amount,
        earmark: earmark.map(str::to_string),
        pledged_on: date("2026-02-10"),
        conditions: conditions(),
    }
}

/// C-001 pledged: 600,000 USD, unearmarked.
fn pledged() -> Vec<ContributionEvent> {
    vec![pledged_with(usd(600_000), None)]
}

fn commit(amount: Money, on: &str) -> ContributionCommand {
    ContributionCommand::Commit { agreement_ref: "AGR-2026-01".to_string(), committed_on: date(on), amount }
}

fn committed_event(amount: Money, on: &str) -> ContributionEvent {
    ContributionEvent::ContributionCommitted {
        agreement_ref: "AGR-2026-01".to_string(),
        committed_on: date(on),
        amount,
    }
}

/// C-001 pledged and committed on 10 February 2026.
fn committed() -> Vec<ContributionEvent> {
    with(pledged(), [committed_event(usd(600_000), "2026-02-10")])
}

fn receive(id: &str, amount: Money, on: &str, today: &str) -> ContributionCommand {
    ContributionCommand::Receive {
        receipt_id: id.to_string(),
        amount,
        received_on: date(on),
        provider_reference: Some("TRF-77".to_string()),
        today: date(today),
    }
}

fn received(id: &str, amount: Money, on: &str) -> ContributionEvent {
    ContributionEvent::FundsReceived {
        receipt_id: id.to_string(),
        amount,
        received_on: date(on),
        provider_reference: Some("TRF-77".to_string()),
    }
}

/// C-001 committed, 300,000 USD received on 5 March 2026.
fn partly_received() -> Vec<ContributionEvent> {
    with(committed(), [received("RCPT-1", usd(300_000), "2026-03-05")])
}

fn adjust(delta: Money) -> ContributionCommand {
    ContributionCommand::AdjustCommitment {
        delta,
        reason: "exchange-rate shortfall".to_string(),
        adjusted_on: date("2026-06-01"),
    }
}

fn adjusted(delta: Money, committed: Money) -> ContributionEvent {
    ContributionEvent::CommitmentAdjusted {
        delta,
        reason: "exchange-rate shortfall".to_string(),
        adjusted_on: date("2026-06-01"),
        committed,
    }
}

fn cancel() -> ContributionCommand {
    ContributionCommand::Cancel { reason: "budget cut".to_string(), cancelled_on: date("2026-04-01") }
}

fn cancelled() -> ContributionEvent {
    ContributionEvent::ContributionCancelled { reason: "budget cut".to_string(), cancelled_on: date("2026-04-01") }
}

fn consent(realloc_id: &str, letter: &str) -> ContributionCommand {
    ContributionCommand::RecordConsent {
        realloc_id: realloc_id.to_string(),
        consented_on: date("2026-06-10"),
        letter_sha256: letter.to_string(),
    }
}

fn consented(realloc_id: &str) -> ContributionEvent {
    ContributionEvent::DonorConsentRecorded {
        realloc_id: realloc_id.to_string(),
        consented_on: date("2026-06-10"),
        letter_sha256: HASH.to_string(),
    }
}

// --- Pledge -----------------------------------------------------------------------

#[test]
fn pledge_a_contribution() {
    check(vec![], pledge(usd(600_000), None), Ok(pledged()));
    check(vec![], pledge(usd(250_000), Some("O2")), Ok(vec![pledged_with(usd(250_000), Some("O2"))]));
}

#[test]
fn pledge_twice_is_refused() {
    check(pledged(), pledge(usd(600_000), None), Err(ContributionError::AlreadyPledged));
    check(with(pledged(), [cancelled()]), pledge(usd(600_000), None), Err(ContributionError::AlreadyPledged));
}

#[test]
fn pledge_with_blank_fields_is_refused() {
    for field in ["contribution_id", "donor", "programme_id", "earmark"] {
        let mut when = pledge(usd(1), Some("O2"));
        let ContributionCommand::Pledge { contribution_id, donor, programme_id, earmark, .. } = &mut when else {
            unreachable!()
        };
        match field {
            "contribution_id" => *contribution_id = " ".to_string(),
            "donor" => *donor = String::new(),
            "programme_id" => *programme_id = "\t".to_string(),
            _ => *earmark = Some(" ".to_string()),
        }
        check(vec![], when, Err(ContributionError::Empty(field)));
    }
}

#[test]
fn pledge_in_something_other_than_an_iso_4217_code_is_refused() {
    check(vec![], pledge(Money::new(100, "usd"), None), Err(ContributionError::CurrencyInvalid("usd".to_string())));
    check(vec![], pledge(Money::new(100, "$"), None), Err(ContributionError::CurrencyInvalid("$".to_string())));
}

#[test]
fn pledge_nothing_is_refused() {
    check(vec![], pledge(usd(0), None), Err(ContributionError::AmountNotPositive));
    check(vec![], pledge(usd(-5), None), Err(ContributionError::AmountNotPositive));
}

#[test]
fn nothing_happens_before_the_pledge() {
    for when in [
        commit(usd(600_000), "2026-02-10"),
        receive("RCPT-1", usd(1), "2026-03-05", "2026-03-05"),
        adjust(usd(1)),
        cancel(),
        consent("R-002", HASH),
    ] {
        check(vec![], when, Err(ContributionError::NotPledged));
    }
}

// --- Commit -----------------------------------------------------------------------

#[test]
fn commit_a_pledge() {
    check(pledged(), commit(usd(600_000), "2026-02-10"), Ok(vec![committed_event(usd(600_000), "2026-02-10")]));
    // The agreement may commit another amount than the pledge.
    check(pledged(), commit(usd(550_000), "2026-03-01"), Ok(vec![committed_event(usd(550_000), "2026-03-01")]));
}

#[test]
fn commit_twice_is_refused() {
    check(committed(), commit(usd(600_000), "2026-02-11"), Err(ContributionError::AlreadyCommitted));
    check(partly_received(), commit(usd(600_000), "2026-02-11"), Err(ContributionError::AlreadyCommitted));
}

#[test]
fn commit_a_cancelled_pledge_is_refused() {
    check(with(pledged(), [cancelled()]), commit(usd(600_000), "2026-05-01"), Err(ContributionError::Cancelled));
}

#[test]
fn commit_before_the_pledge_is_refused() {
    check(pledged(), commit(usd(600_000), "2026-02-09"), Err(ContributionError::CommitmentBeforePledge));
}

#[test]
fn commit_in_another_currency_or_nothing_is_refused() {
    check(
        pledged(),
        commit(Money::new(100, "EUR"), "2026-02-10"),
        Err(ContributionError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() }),
    );
    check(pledged(), commit(usd(0), "2026-02-10"), Err(ContributionError::AmountNotPositive));
}

#[test]
fn commit_without_an_agreement_reference_is_refused() {
    check(
        pledged(),
        ContributionCommand::Commit { agreement_ref: String::new(), committed_on: date("2026-02-10"), amount: usd(1) },
        Err(ContributionError::Empty("agreement_ref")),
    );
}

// --- Receive ----------------------------------------------------------------------

#[test]
fn receive_funds() {
    check(
        committed(),
        receive("RCPT-1", usd(300_000), "2026-03-05", "2026-03-05"),
        Ok(vec![received("RCPT-1", usd(300_000), "2026-03-05")]),
    );
    // The rest of the commitment, exactly.
    check(
        partly_received(),
        receive("RCPT-2", usd(300_000), "2026-09-01", "2026-09-02"),
        Ok(vec![received("RCPT-2", usd(300_000), "2026-09-01")]),
    );
}

#[test]
fn receive_before_the_agreement_is_refused() {
    check(pledged(), receive("RCPT-1", usd(1), "2026-03-05", "2026-03-05"), Err(ContributionError::NotCommitted));
    check(
        committed(),
        receive("RCPT-1", usd(1), "2026-02-09", "2026-03-05"),
        Err(ContributionError::ReceiptBeforeCommitment),
    );
}

#[test]
fn receive_on_a_cancelled_contribution_is_refused() {
    check(
        with(committed(), [cancelled()]),
        receive("RCPT-1", usd(1), "2026-04-05", "2026-04-05"),
        Err(ContributionError::Cancelled),
    );
}

#[test]
fn receive_in_the_future_is_refused() {
    check(
        committed(),
        receive("RCPT-1", usd(1), "2026-03-06", "2026-03-05"),
        Err(ContributionError::DateInFuture(date("2026-03-05"))),
    );
}

#[test]
fn receive_more_than_committed_is_refused() {
    check(
        committed(),
        receive("RCPT-1", Money::new(60_000_001, "USD"), "2026-03-05", "2026-03-05"),
        Err(ContributionError::ReceiptsExceedCommitment { outstanding: 60_000_000, requested: 60_000_001 }),
    );
    check(
        partly_received(),
        receive("RCPT-2", usd(300_001), "2026-09-01", "2026-09-01"),
        Err(ContributionError::ReceiptsExceedCommitment { outstanding: 30_000_000, requested: 30_000_100 }),
    );
    let full = with(partly_received(), [received("RCPT-2", usd(300_000), "2026-09-01")]);
    check(
        full,
        receive("RCPT-3", Money::new(1, "USD"), "2026-09-02", "2026-09-02"),
        Err(ContributionError::ReceiptsExceedCommitment { outstanding: 0, requested: 1 }),
    );
}

#[test]
fn receive_under_a_used_receipt_id_is_refused() {
    check(
        partly_received(),
        receive("RCPT-1", usd(1), "2026-09-01", "2026-09-01"),
        Err(ContributionError::ReceiptIdTaken("RCPT-1".to_string())),
    );
    check(committed(), receive(" ", usd(1), "2026-09-01", "2026-09-01"), Err(ContributionError::Empty("receipt_id")));
}

#[test]
fn receive_in_another_currency_or_nothing_is_refused() {
    check(
        committed(),
        receive("RCPT-1", Money::new(100, "EUR"), "2026-03-05", "2026-03-05"),
        Err(ContributionError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() }),
    );
    check(
        committed(),
        receive("RCPT-1", usd(-1), "2026-03-05", "2026-03-05"),
        Err(ContributionError::AmountNotPositive),
    );
}

// --- AdjustCommitment -------------------------------------------------------------

#[test]
fn adjust_the_commitment_down_or_up() {
    check(partly_received(), adjust(usd(-100_000)), Ok(vec![adjusted(usd(-100_000), usd(500_000))]));
    check(partly_received(), adjust(usd(50_000)), Ok(vec![adjusted(usd(50_000), usd(650_000))]));
    // Down to exactly what was received.
    check(partly_received(), adjust(usd(-300_000)), Ok(vec![adjusted(usd(-300_000), usd(300_000))]));
}

#[test]
fn adjust_below_the_receipts_is_refused() {
    check(
        partly_received(),
        adjust(usd(-300_001)),
        Err(ContributionError::CommitmentBelowReceipts { received: 30_000_000, proposed: 29_999_900 }),
    );
}

#[test]
fn adjust_to_nothing_is_refused() {
    check(committed(), adjust(usd(-600_000)), Err(ContributionError::CommitmentNotPositive));
    // Below zero is also below the (zero) receipts.
    check(
        committed(),
        adjust(usd(-700_000)),
        Err(ContributionError::CommitmentBelowReceipts { received: 0, proposed: -10_000_000 }),
    );
}

#[test]
fn adjust_by_zero_is_refused() {
    check(committed(), adjust(usd(0)), Err(ContributionError::AdjustmentZero));
}

#[test]
fn adjust_before_the_agreement_or_after_cancelling_is_refused() {
    check(pledged(), adjust(usd(1)), Err(ContributionError::NotCommitted));
    check(with(committed(), [cancelled()]), adjust(usd(1)), Err(ContributionError::Cancelled));
}

#[test]
fn adjust_in_another_currency_or_without_reason_is_refused() {
    check(
        committed(),
        adjust(Money::new(100, "EUR")),
        Err(ContributionError::CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() }),
    );
    check(
        committed(),
        ContributionCommand::AdjustCommitment {
            delta: usd(1),
            reason: " ".to_string(),
            adjusted_on: date("2026-06-01"),
        },
        Err(ContributionError::Empty("reason")),
    );
}

// --- Cancel -----------------------------------------------------------------------

#[test]
fn cancel_before_any_receipt() {
    check(pledged(), cancel(), Ok(vec![cancelled()]));
    check(committed(), cancel(), Ok(vec![cancelled()]));
}

#[test]
fn cancel_after_a_receipt_is_refused() {
    check(partly_received(), cancel(), Err(ContributionError::HasReceipts));
    let full = with(partly_received(), [received("RCPT-2", usd(300_000), "2026-09-01")]);
    check(full, cancel(), Err(ContributionError::HasReceipts));
}

#[test]
fn cancel_twice_is_refused() {
    check(with(pledged(), [cancelled()]), cancel(), Err(ContributionError::Cancelled));
}

#[test]
fn cancel_without_reason_is_refused() {
    check(
        pledged(),
        ContributionCommand::Cancel { reason: String::new(), cancelled_on: date("2026-04-01") },
        Err(ContributionError::Empty("reason")),
    );
}

// --- RecordConsent ----------------------------------------------------------------

#[test]
fn record_a_consent() {
    check(partly_received(), consent("R-002", HASH), Ok(vec![consented("R-002")]));
    check(pledged(), consent("R-002", HASH), Ok(vec![consented("R-002")]));
}

#[test]
fn record_a_consent_twice_is_refused() {
    check(
        with(partly_received(), [consented("R-002")]),
        consent("R-002", HASH),
        Err(ContributionError::ConsentAlreadyRecorded("R-002".to_string())),
    );
    check(with(partly_received(), [consented("R-002")]), consent("R-003", HASH), Ok(vec![consented("R-003")]));
}

#[test]
fn record_a_consent_without_a_letter_hash_is_refused() {
    check(partly_received(), consent("R-002", "letter.pdf"), Err(ContributionError::LetterHashInvalid));
    check(partly_received(), consent("R-002", &HASH.to_uppercase()), Err(ContributionError::LetterHashInvalid));
}

#[test]
fn record_a_consent_for_no_reallocation_is_refused() {
    check(partly_received(), consent(" ", HASH), Err(ContributionError::Empty("realloc_id")));
}

#[test]
fn record_a_consent_on_a_cancelled_contribution_is_refused() {
    check(with(pledged(), [cancelled()]), consent("R-002", HASH), Err(ContributionError::Cancelled));
}

// --- evolve and queries -----------------------------------------------------------

#[test]
fn the_status_follows_the_money() {
    assert_eq!(fold(vec![]).status, ContributionStatus::NotPledged);
    assert_eq!(fold(pledged()).status, ContributionStatus::Pledged);
    assert_eq!(fold(committed()).status, ContributionStatus::Committed);
    assert_eq!(fold(partly_received()).status, ContributionStatus::PartlyReceived);
    let full = with(partly_received(), [received("RCPT-2", usd(300_000), "2026-09-01")]);
    assert_eq!(fold(full.clone()).status, ContributionStatus::FullyReceived);
    // Raising a fully received commitment reopens it; lowering it to the receipts closes it.
    assert_eq!(fold(with(full, [adjusted(usd(50_000), usd(650_000))])).status, ContributionStatus::PartlyReceived);
    assert_eq!(
        fold(with(partly_received(), [adjusted(usd(-300_000), usd(300_000))])).status,
        ContributionStatus::FullyReceived
    );
    assert_eq!(fold(with(committed(), [adjusted(usd(-1), usd(599_999))])).status, ContributionStatus::Committed);
    assert_eq!(fold(with(pledged(), [cancelled()])).status, ContributionStatus::Cancelled);
}

#[test]
fn evolve_folds_the_contribution() {
    let state = fold(with(partly_received(), [consented("R-002")]));
    assert_eq!(state.contribution_id, "C-001");
    assert_eq!(state.donor, "DONOR-A");
    assert_eq!(state.programme_id, "MDP-A87");
    assert_eq!(state.currency, "USD");
    assert_eq!(state.pledged, 60_000_000);
    assert_eq!(state.committed, 60_000_000);
    assert_eq!(state.received, 30_000_000);
    assert_eq!(state.outstanding(), 30_000_000);
    assert_eq!(state.earmark, None);
    assert_eq!(state.conditions, conditions());
    assert_eq!(state.pledged_on, Some(date("2026-02-10")));
    assert_eq!(state.committed_on, Some(date("2026-02-10")));
    assert_eq!(state.agreement_ref.as_deref(), Some("AGR-2026-01"));
    assert_eq!(
        state.receipts,
        vec![Receipt { receipt_id: "RCPT-1".to_string(), amount: 30_000_000, received_on: date("2026-03-05") }]
    );
    assert!(state.has_consented("R-002"));
    assert!(!state.has_consented("R-001"));
    assert_eq!(
        state.allocation_facts(10_000_000),
        ContributionFacts {
            donor: "DONOR-A".to_string(),
            programme_id: "MDP-A87".to_string(),
            received: usd(300_000),
            allocated: usd(100_000),
            earmark: None,
        }
    );
}

#[test]
fn which_reallocations_need_the_donors_consent() {
    // C-001 (demo): unearmarked, consent above 15 % of the from-line.
    let c001 = fold(partly_received());
    assert!(!c001.consent_required_for("O3", "O2", 666), "R-001 (6.66 %): no consent needed");
    assert!(!c001.consent_required_for("O3", "O2", 1500), "exactly at the threshold: none");
    assert!(c001.consent_required_for("O1", "O2", 1849), "R-002 (18.49 %): consent needed");
    // Consent for any reallocation.
    let mut any = c001.clone();
    any.conditions.reallocation_consent_above_basis_points = None;
    assert!(any.consent_required_for("O3", "O2", 1));
    // Earmarked for O2: only reallocations touching O2.
    let mut earmarked = any.clone();
    earmarked.earmark = Some("O2".to_string());
    assert!(earmarked.consent_required_for("O3", "O2", 1));
    assert!(earmarked.consent_required_for("O2", "O1", 1));
    assert!(!earmarked.consent_required_for("O1", "O3", 5000));
    // No consent clause, or nothing (left) to consent with.
    let mut free = any.clone();
    free.conditions.reallocation_consent_required = false;
    assert!(!free.consent_required_for("O1", "O2", 10_000));
    assert!(!fold(with(pledged(), [cancelled()])).consent_required_for("O1", "O2", 10_000));
    assert!(!Contribution::default().consent_required_for("O1", "O2", 10_000));
}

// --- edge facts -------------------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    let json = r#"{"command":"receive","receipt_id":"RCPT-1","amount":{"amount_minor":100,"currency":"USD"},"received_on":"2026-03-05","provider_reference":null,"today":"2026-03-05"}"#;
    assert!(serde_json::from_str::<ContributionCommand>(json).is_err());
    let json = r#"{"command":"receive","receipt_id":"RCPT-1","amount":{"amount_minor":100,"currency":"USD"},"received_on":"2026-03-05","provider_reference":null}"#;
    let command: ContributionCommand = serde_json::from_str(json).expect("deserialises");
    assert_eq!(
        command,
        ContributionCommand::Receive {
            receipt_id: "RCPT-1".to_string(),
            amount: Money::new(100, "USD"),
            received_on: date("2026-03-05"),
            provider_reference: None,
            today: NaiveDate::default(),
        }
    );
    assert_eq!(command.name(), "receive");
}

#[test]
fn a_pledge_deserialises_with_its_conditions() {
    let json = r#"{"command":"pledge","contribution_id":"C-002","donor":"DONOR-B","programme_id":"MDP-A87","amount":{"amount_minor":25000000,"currency":"USD"},"earmark":"O2","pledged_on":"2026-03-01","conditions":{"reallocation_consent_required":true,"reporting":null}}"#;
    let command: ContributionCommand = serde_json::from_str(json).expect("deserialises");
    let ContributionCommand::Pledge { conditions, .. } = &command else { panic!("a pledge") };
    assert_eq!(conditions.reallocation_consent_above_basis_points, None);
    assert_eq!(command.name(), "pledge");
    // An unknown condition is refused, not ignored.
    let json = json.replace(r#""reporting":null"#, r#""reporting":null,"threshold_pct":15"#);
    assert!(serde_json::from_str::<ContributionCommand>(&json).is_err());
}

#[test]
fn command_names_are_their_tags() {
    for command in [
        pledge(usd(1), None),
        commit(usd(1), "2026-02-10"),
        receive("RCPT-1", usd(1), "2026-03-05", "2026-03-05"),
        adjust(usd(1)),
        cancel(),
        consent("R-002", HASH),
    ] {
        let json = serde_json::to_value(&command).expect("serialises");
        assert_eq!(json["command"], command.name());
    }
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<ContributionError> {
    use ContributionError::*;
    vec![
        AlreadyPledged,
        NotPledged,
        Empty("donor"),
        CurrencyInvalid("usd".to_string()),
        CurrencyMismatch { expected: "USD".to_string(), found: "EUR".to_string() },
        AmountNotPositive,
        AlreadyCommitted,
        NotCommitted,
        Cancelled,
        CommitmentBeforePledge,
        ReceiptBeforeCommitment,
        DateInFuture(date("2026-03-05")),
        ReceiptIdTaken("RCPT-1".to_string()),
        ReceiptsExceedCommitment { outstanding: 0, requested: 1 },
        AdjustmentZero,
        CommitmentBelowReceipts { received: 2, proposed: 1 },
        CommitmentNotPositive,
        HasReceipts,
        LetterHashInvalid,
        ConsentAlreadyRecorded("R-002".to_string()),
    ]
}

fn ordinal(error: &ContributionError) -> usize {
    use ContributionError::*;
    match error {
        AlreadyPledged => 0,
        NotPledged => 1,
        Empty(_) => 2,
        CurrencyInvalid(_) => 3,
        CurrencyMismatch { .. } => 4,
        AmountNotPositive => 5,
        AlreadyCommitted => 6,
        NotCommitted => 7,
        Cancelled => 8,
        CommitmentBeforePledge => 9,
        ReceiptBeforeCommitment => 10,
        DateInFuture(_) => 11,
        ReceiptIdTaken(_) => 12,
        ReceiptsExceedCommitment { .. } => 13,
        AdjustmentZero => 14,
        CommitmentBelowReceipts { .. } => 15,
        CommitmentNotPositive => 16,
        HasReceipts => 17,
        LetterHashInvalid => 18,
        ConsentAlreadyRecorded(_) => 19,
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
fn golden(event: ContributionEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: ContributionEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_contribution_pledged() {
    golden(
        pledged_with(usd(250_000), Some("O2")),
        "ContributionPledged",
        r#"{"ContributionPledged":{"contribution_id":"C-001","donor":"DONOR-A","programme_id":"MDP-A87","amount":{"amount_minor":25000000,"currency":"USD"},"earmark":"O2","pledged_on":"2026-02-10","conditions":{"reallocation_consent_required":true,"reallocation_consent_above_basis_points":1500,"reporting":"annual"}}}"#,
    );
}

#[test]
fn golden_funds_received() {
    golden(
        received("RCPT-1", usd(300_000), "2026-03-05"),
        "FundsReceived",
        r#"{"FundsReceived":{"receipt_id":"RCPT-1","amount":{"amount_minor":30000000,"currency":"USD"},"received_on":"2026-03-05","provider_reference":"TRF-77"}}"#,
    );
}

#[test]
fn golden_commitment_adjusted() {
    golden(
        adjusted(usd(-100_000), usd(500_000)),
        "CommitmentAdjusted",
        r#"{"CommitmentAdjusted":{"delta":{"amount_minor":-10000000,"currency":"USD"},"reason":"exchange-rate shortfall","adjusted_on":"2026-06-01","committed":{"amount_minor":50000000,"currency":"USD"}}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (committed_event(usd(600_000), "2026-02-10"), "ContributionCommitted"),
        (cancelled(), "ContributionCancelled"),
        (consented("R-002"), "DonorConsentRecorded"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<ContributionEvent>(&json).expect("deserialises"), event);
    }
}
