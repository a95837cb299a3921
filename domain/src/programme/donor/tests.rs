//! Given/when/then tests of the `Donor` aggregate: past events are folded with [`evolve`]
//! from the default state, the command goes through [`decide`], and the outcome (events or
//! the exact refusal) is compared. Also: every refusal's rule name, and golden JSON.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;

#[track_caller]
fn check(given: Vec<DonorEvent>, when: DonorCommand, then: Result<Vec<DonorEvent>, DonorError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<DonorEvent>) -> Donor {
    let mut state = Donor::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn register(organisation: &str, iati_ref: Option<&str>, known: bool) -> DonorCommand {
    DonorCommand::Register {
        organisation: organisation.to_string(),
        donor_type: DonorType::Government,
        iati_ref: iati_ref.map(str::to_string),
        registered_on: date("2026-02-10"),
        organisation_known: known,
    }
}

fn registered(organisation: &str, iati_ref: Option<&str>) -> DonorEvent {
    DonorEvent::DonorRegistered {
        organisation: organisation.to_string(),
        donor_type: DonorType::Government,
        iati_ref: iati_ref.map(str::to_string),
        registered_on: date("2026-02-10"),
    }
}

#[test]
fn register_a_known_organisation() {
    check(vec![], register("DONOR-A", None, true), Ok(vec![registered("DONOR-A", None)]));
    check(
        vec![],
        register("DONOR-A", Some("XM-EXAMPLE-1"), true),
        Ok(vec![registered("DONOR-A", Some("XM-EXAMPLE-1"))]),
    );
}

#[test]
fn register_twice_is_refused() {
    check(vec![registered("DONOR-A", None)], register("DONOR-A", None, true), Err(DonorError::AlreadyRegistered));
}

#[test]
fn register_an_unknown_organisation_is_refused() {
    check(vec![], register("NOBODY", None, false), Err(DonorError::PartyUnknown("NOBODY".to_string())));
}

#[test]
fn register_a_blank_organisation_is_refused() {
    check(vec![], register(" ", None, true), Err(DonorError::Empty("organisation")));
}

#[test]
fn register_with_a_malformed_iati_ref_is_refused() {
    check(vec![], register("DONOR-A", Some(""), true), Err(DonorError::IatiRefInvalid(String::new())));
    check(vec![], register("DONOR-A", Some("XM 1"), true), Err(DonorError::IatiRefInvalid("XM 1".to_string())));
}

#[test]
fn evolve_folds_the_donor() {
    let state = fold(vec![registered("DONOR-A", Some("XM-EXAMPLE-1"))]);
    assert_eq!(
        state,
        Donor {
            organisation: "DONOR-A".to_string(),
            donor_type: Some(DonorType::Government),
            iati_ref: Some("XM-EXAMPLE-1".to_string()),
            registered_on: Some(date("2026-02-10")),
        }
    );
}

#[test]
fn donor_types_map_to_iati_organisation_types() {
    assert_eq!(DonorType::Government.iati_organisation_type(), "10");
    assert_eq!(DonorType::Multilateral.iati_organisation_type(), "40");
    assert_eq!(DonorType::Foundation.iati_organisation_type(), "60");
    assert_eq!(DonorType::Private.iati_organisation_type(), "70");
}

#[test]
fn a_client_cannot_send_edge_facts() {
    let json = r#"{"command":"register","organisation":"DONOR-A","donor_type":"government","iati_ref":null,"registered_on":"2026-02-10","organisation_known":true}"#;
    assert!(serde_json::from_str::<DonorCommand>(json).is_err());
    let json = r#"{"command":"register","organisation":"DONOR-A","donor_type":"government","iati_ref":null,"registered_on":"2026-02-10"}"#;
    let command: DonorCommand = serde_json::from_str(json).expect("deserialises");
    assert_eq!(command, register("DONOR-A", None, false));
    assert_eq!(command.name(), "register");
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<DonorError> {
    use DonorError::*;
    vec![
        AlreadyRegistered,
        Empty("organisation"),
        PartyUnknown("NOBODY".to_string()),
        IatiRefInvalid("XM 1".to_string()),
    ]
}

fn ordinal(error: &DonorError) -> usize {
    use DonorError::*;
    match error {
        AlreadyRegistered => 0,
        Empty(_) => 1,
        PartyUnknown(_) => 2,
        IatiRefInvalid(_) => 3,
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

#[test]
fn golden_donor_registered() {
    let event = DonorEvent::DonorRegistered {
        organisation: "DONOR-A".to_string(),
        donor_type: DonorType::Multilateral,
        iati_ref: None,
        registered_on: date("2026-02-10"),
    };
    let json = r#"{"DonorRegistered":{"organisation":"DONOR-A","donor_type":"multilateral","iati_ref":null,"registered_on":"2026-02-10"}}"#;
    assert_eq!(event.event_type(), "DonorRegistered");
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    assert_eq!(serde_json::from_str::<DonorEvent>(json).expect("deserialises"), event);
}
