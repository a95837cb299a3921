//! Given/when/then tests of the `Partner` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the
//! outcome (events or the exact refusal) is compared. Also: every refusal's rule name,
//! and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::decision::DecisionStatus;

#[track_caller]
fn check(given: Vec<PartnerEvent>, when: PartnerCommand, then: Result<Vec<PartnerEvent>, PartnerError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<PartnerEvent>) -> Partner {
    let mut state = Partner::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(mut given: Vec<PartnerEvent>, more: impl IntoIterator<Item = PartnerEvent>) -> Vec<PartnerEvent> {
    given.extend(more);
    given
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn apply(organisation: &str, category: OrganisationCategory, areas: Vec<Area>) -> PartnerCommand {
    PartnerCommand::Apply {
        organisation: organisation.to_string(),
        category,
        areas,
        applied_on: date("2026-03-01"),
        organisation_known: true,
    }
}

fn applied_as(organisation: &str, category: OrganisationCategory) -> PartnerEvent {
    PartnerEvent::PartnershipApplied {
        organisation: organisation.to_string(),
        category,
        areas: vec![Area::ChildLabour, Area::ForcedLabour],
        applied_on: date("2026-03-01"),
    }
}

/// Global March applied on 1 March 2026.
fn applied() -> Vec<PartnerEvent> {
    vec![applied_as("GLOBAL-MARCH", OrganisationCategory::CivilSociety)]
}

fn admitted_event(decision_id: Option<&str>, admission: PartnerAdmission) -> PartnerEvent {
    PartnerEvent::PartnerAdmitted {
        admitted_on: date("2026-04-01"),
        admission,
        decision_id: decision_id.map(str::to_string),
    }
}

/// Global March admitted by the Secretariat on 1 April 2026.
fn admitted() -> Vec<PartnerEvent> {
    with(applied(), [admitted_event(None, PartnerAdmission::Secretariat)])
}

/// A business network, admitted.
fn network_admitted() -> Vec<PartnerEvent> {
    vec![
        applied_as("BIZ-NET", OrganisationCategory::BusinessNetwork),
        admitted_event(None, PartnerAdmission::Secretariat),
    ]
}

fn admit(admission: PartnerAdmission, authority: Option<DecisionFacts>) -> PartnerCommand {
    PartnerCommand::Admit { admitted_on: date("2026-04-01"), admission, authority }
}

fn endorse(organisation: &str) -> DecisionSubject {
    DecisionSubject::EndorsePartner { organisation: organisation.to_string() }
}

fn adopted(subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts::adopted("GCG-21-D09", subject, date("2026-03-25")))
}

fn reject(on: &str, reason: &str) -> PartnerCommand {
    PartnerCommand::Reject { rejected_on: date(on), reason: reason.to_string() }
}

fn recognise(on: &str) -> PartnerCommand {
    PartnerCommand::RecogniseBusinessNetwork { recognised_on: date(on) }
}

fn withdraw(on: &str) -> PartnerCommand {
    PartnerCommand::Withdraw { withdrawn_on: date(on), reason: Some("merged".to_string()) }
}

fn withdrew(on: &str) -> PartnerEvent {
    PartnerEvent::PartnerWithdrew { withdrawn_on: date(on), reason: Some("merged".to_string()) }
}

// --- Apply ------------------------------------------------------------------------

#[test]
fn apply_for_partnership() {
    check(
        vec![],
        apply("GLOBAL-MARCH", OrganisationCategory::CivilSociety, vec![Area::ChildLabour, Area::ForcedLabour]),
        Ok(applied()),
    );
}

#[test]
fn apply_twice_is_refused() {
    check(
        applied(),
        apply("GLOBAL-MARCH", OrganisationCategory::CivilSociety, vec![Area::ChildLabour]),
        Err(PartnerError::AlreadyApplied),
    );
    check(
        admitted(),
        apply("GLOBAL-MARCH", OrganisationCategory::CivilSociety, vec![Area::ChildLabour]),
        Err(PartnerError::AlreadyApplied),
    );
}

#[test]
fn apply_as_an_unregistered_organisation_is_refused() {
    check(
        vec![],
        PartnerCommand::Apply {
            organisation: "NOBODY".to_string(),
            category: OrganisationCategory::Business,
            areas: vec![Area::ModernSlavery],
            applied_on: date("2026-03-01"),
            organisation_known: false,
        },
        Err(PartnerError::PartyUnknown("NOBODY".to_string())),
    );
}

#[test]
fn apply_without_an_area_is_refused() {
    check(vec![], apply("GLOBAL-MARCH", OrganisationCategory::CivilSociety, vec![]), Err(PartnerError::NoAreas));
}

#[test]
fn nothing_happens_before_an_application() {
    for when in [
        admit(PartnerAdmission::Secretariat, None),
        reject("2026-04-01", "out of scope"),
        recognise("2026-04-01"),
        withdraw("2026-04-01"),
    ] {
        check(vec![], when, Err(PartnerError::NotApplied));
    }
}

// --- Admit ------------------------------------------------------------------------

#[test]
fn the_secretariat_admits_when_the_policy_says_so() {
    check(
        applied(),
        admit(PartnerAdmission::Secretariat, None),
        Ok(vec![admitted_event(None, PartnerAdmission::Secretariat)]),
    );
}

#[test]
fn a_gcg_decision_admits_when_the_policy_says_so() {
    check(
        applied(),
        admit(PartnerAdmission::GcgDecision, adopted(endorse("GLOBAL-MARCH"))),
        Ok(vec![admitted_event(Some("GCG-21-D09"), PartnerAdmission::GcgDecision)]),
    );
}

#[test]
fn a_decision_cited_under_secretariat_admission_is_still_checked_and_recorded() {
    check(
        applied(),
        admit(PartnerAdmission::Secretariat, adopted(endorse("GLOBAL-MARCH"))),
        Ok(vec![admitted_event(Some("GCG-21-D09"), PartnerAdmission::Secretariat)]),
    );
    check(
        applied(),
        admit(PartnerAdmission::Secretariat, adopted(endorse("ANOTHER-ORG"))),
        Err(PartnerError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-21-D09".to_string(),
            needed: "endorse_partner for this organisation",
        })),
    );
}

#[test]
fn admission_by_decision_without_one_is_refused() {
    check(
        applied(),
        admit(PartnerAdmission::GcgDecision, None),
        Err(PartnerError::Authority(AuthorityError::Missing { needed: "endorse_partner for this organisation" })),
    );
}

#[test]
fn admission_on_a_decision_not_adopted_is_refused() {
    let facts = DecisionFacts {
        decision_id: "GCG-21-D09".to_string(),
        status: DecisionStatus::Deferred,
        subject: Some(endorse("GLOBAL-MARCH")),
        adopted_on: None,
    };
    check(
        applied(),
        admit(PartnerAdmission::GcgDecision, Some(facts)),
        Err(PartnerError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-21-D09".to_string() })),
    );
}

#[test]
fn admission_on_a_decision_endorsing_another_organisation_is_refused() {
    let expected = Err(PartnerError::Authority(AuthorityError::WrongSubject {
        decision_id: "GCG-21-D09".to_string(),
        needed: "endorse_partner for this organisation",
    }));
    check(applied(), admit(PartnerAdmission::GcgDecision, adopted(endorse("ANOTHER-ORG"))), expected.clone());
    check(
        applied(),
        admit(PartnerAdmission::GcgDecision, adopted(DecisionSubject::GrantPathfinderStatus { iso3: "NPL".into() })),
        expected,
    );
}

#[test]
fn admit_only_a_pending_application() {
    check(
        admitted(),
        admit(PartnerAdmission::Secretariat, None),
        Err(PartnerError::NotPending(PartnerStatus::Admitted)),
    );
    check(
        with(applied(), [PartnerEvent::PartnershipRejected { rejected_on: date("2026-04-01"), reason: "x".into() }]),
        admit(PartnerAdmission::Secretariat, None),
        Err(PartnerError::NotPending(PartnerStatus::Rejected)),
    );
    check(
        with(applied(), [withdrew("2026-03-15")]),
        admit(PartnerAdmission::Secretariat, None),
        Err(PartnerError::NotPending(PartnerStatus::Withdrawn)),
    );
}

#[test]
fn admit_before_the_application_is_refused() {
    check(
        applied(),
        PartnerCommand::Admit {
            admitted_on: date("2026-02-28"),
            admission: PartnerAdmission::Secretariat,
            authority: None,
        },
        Err(PartnerError::BeforeApplication),
    );
}

// --- Reject -----------------------------------------------------------------------

#[test]
fn reject_an_application_with_a_reason() {
    check(
        applied(),
        reject("2026-04-01", "outside the Alliance's areas"),
        Ok(vec![PartnerEvent::PartnershipRejected {
            rejected_on: date("2026-04-01"),
            reason: "outside the Alliance's areas".to_string(),
        }]),
    );
}

#[test]
fn reject_without_a_reason_is_refused() {
    check(applied(), reject("2026-04-01", "  "), Err(PartnerError::ReasonEmpty));
}

#[test]
fn reject_only_a_pending_application() {
    check(admitted(), reject("2026-04-02", "late"), Err(PartnerError::NotPending(PartnerStatus::Admitted)));
}

#[test]
fn reject_before_the_application_is_refused() {
    check(applied(), reject("2026-02-28", "late"), Err(PartnerError::BeforeApplication));
}

// --- RecogniseBusinessNetwork -----------------------------------------------------

#[test]
fn recognise_an_admitted_business_network() {
    check(
        network_admitted(),
        recognise("2026-05-01"),
        Ok(vec![PartnerEvent::BusinessNetworkRecognised { recognised_on: date("2026-05-01") }]),
    );
}

#[test]
fn recognise_a_partner_of_another_category_is_refused() {
    check(admitted(), recognise("2026-05-01"), Err(PartnerError::NotBusinessNetwork));
}

#[test]
fn recognise_twice_is_refused() {
    check(
        with(network_admitted(), [PartnerEvent::BusinessNetworkRecognised { recognised_on: date("2026-05-01") }]),
        recognise("2026-06-01"),
        Err(PartnerError::AlreadyRecognised),
    );
}

#[test]
fn recognise_a_network_not_admitted_is_refused() {
    check(
        vec![applied_as("BIZ-NET", OrganisationCategory::BusinessNetwork)],
        recognise("2026-05-01"),
        Err(PartnerError::NotAdmitted(PartnerStatus::Applied)),
    );
}

#[test]
fn recognise_before_the_application_is_refused() {
    check(network_admitted(), recognise("2026-02-01"), Err(PartnerError::BeforeApplication));
}

// --- Withdraw ---------------------------------------------------------------------

#[test]
fn withdraw_an_application_or_a_partnership() {
    check(applied(), withdraw("2026-03-15"), Ok(vec![withdrew("2026-03-15")]));
    check(admitted(), withdraw("2027-01-01"), Ok(vec![withdrew("2027-01-01")]));
}

#[test]
fn withdraw_after_rejection_or_twice_is_refused() {
    check(
        with(applied(), [PartnerEvent::PartnershipRejected { rejected_on: date("2026-04-01"), reason: "x".into() }]),
        withdraw("2026-05-01"),
        Err(PartnerError::NotAdmitted(PartnerStatus::Rejected)),
    );
    check(
        with(admitted(), [withdrew("2027-01-01")]),
        withdraw("2027-02-01"),
        Err(PartnerError::NotAdmitted(PartnerStatus::Withdrawn)),
    );
}

#[test]
fn withdraw_before_the_application_is_refused() {
    check(applied(), withdraw("2026-02-28"), Err(PartnerError::BeforeApplication));
}

// --- evolve -----------------------------------------------------------------------

#[test]
fn evolve_folds_the_partnership() {
    let state =
        fold(with(network_admitted(), [PartnerEvent::BusinessNetworkRecognised { recognised_on: date("2026-05-01") }]));
    assert_eq!(state.organisation, "BIZ-NET");
    assert_eq!(state.category, Some(OrganisationCategory::BusinessNetwork));
    assert_eq!(state.status, PartnerStatus::Admitted);
    assert_eq!(state.applied_on, Some(date("2026-03-01")));
    assert!(state.recognised);
    assert_eq!(fold(with(admitted(), [withdrew("2027-01-01")])).status, PartnerStatus::Withdrawn);
}

// --- edge facts -------------------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    let json = r#"{"command":"admit","admitted_on":"2026-04-01","admission":"secretariat"}"#;
    assert!(serde_json::from_str::<PartnerCommand>(json).is_err());
    let json = r#"{"command":"admit","admitted_on":"2026-04-01"}"#;
    let command: PartnerCommand = serde_json::from_str(json).expect("deserialises");
    assert_eq!(command, admit(PartnerAdmission::Secretariat, None));
    assert_eq!(command.name(), "admit");
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<PartnerError> {
    use PartnerError::*;
    vec![
        AlreadyApplied,
        NotApplied,
        PartyUnknown("NOBODY".to_string()),
        NoAreas,
        NotPending(PartnerStatus::Admitted),
        NotAdmitted(PartnerStatus::Applied),
        NotBusinessNetwork,
        AlreadyRecognised,
        ReasonEmpty,
        BeforeApplication,
        Authority(AuthorityError::Missing { needed: "endorse_partner for this organisation" }),
        Authority(AuthorityError::NotAdopted { decision_id: "GCG-21-D09".to_string() }),
        Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-21-D09".to_string(),
            needed: "endorse_partner for this organisation",
        }),
    ]
}

fn ordinal(error: &PartnerError) -> usize {
    use PartnerError::*;
    match error {
        AlreadyApplied => 0,
        NotApplied => 1,
        PartyUnknown(_) => 2,
        NoAreas => 3,
        NotPending(_) => 4,
        NotAdmitted(_) => 5,
        NotBusinessNetwork => 6,
        AlreadyRecognised => 7,
        ReasonEmpty => 8,
        BeforeApplication => 9,
        Authority(AuthorityError::Missing { .. }) => 10,
        Authority(AuthorityError::NotAdopted { .. }) => 11,
        Authority(AuthorityError::WrongSubject { .. }) => 12,
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
fn golden(event: PartnerEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: PartnerEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_partnership_applied() {
    golden(
        applied_as("GLOBAL-MARCH", OrganisationCategory::CivilSociety),
        "PartnershipApplied",
        r#"{"PartnershipApplied":{"organisation":"GLOBAL-MARCH","category":"civil_society","areas":["child_labour","forced_labour"],"applied_on":"2026-03-01"}}"#,
    );
}

#[test]
fn golden_partner_admitted() {
    golden(
        admitted_event(Some("GCG-21-D09"), PartnerAdmission::GcgDecision),
        "PartnerAdmitted",
        r#"{"PartnerAdmitted":{"admitted_on":"2026-04-01","admission":"gcg_decision","decision_id":"GCG-21-D09"}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (
            PartnerEvent::PartnershipRejected { rejected_on: date("2026-04-01"), reason: "x".into() },
            "PartnershipRejected",
        ),
        (PartnerEvent::BusinessNetworkRecognised { recognised_on: date("2026-05-01") }, "BusinessNetworkRecognised"),
        (withdrew("2027-01-01"), "PartnerWithdrew"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<PartnerEvent>(&json).expect("deserialises"), event);
    }
}
