//! Given/when/then tests of the reference-data aggregates, `Organisation` and `Country`:
//! past events are folded from the default state, the command goes through the decide
//! function, and the outcome (events or the exact refusal) is compared. Also: every
//! refusal's rule name, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

// ---------------------------------------------------------------------------------
// Organisation
// ---------------------------------------------------------------------------------

#[track_caller]
fn check_organisation(
    given: Vec<OrganisationEvent>,
    when: OrganisationCommand,
    then: Result<Vec<OrganisationEvent>, ReferenceError>,
) {
    let mut state = Organisation::default();
    for event in given {
        evolve_organisation(&mut state, event);
    }
    assert_eq!(decide_organisation(&state, when), then);
}

fn register_organisation(id: &str, name: &str, country: Option<&str>) -> OrganisationCommand {
    OrganisationCommand::Register {
        organisation_id: id.to_string(),
        name: name.to_string(),
        acronym: Some("GM".to_string()),
        category: OrganisationCategory::CivilSociety,
        iati_ref: None,
        country: country.map(str::to_string),
        registered_on: date("2026-01-15"),
    }
}

fn organisation_registered(id: &str, name: &str, country: Option<&str>) -> OrganisationEvent {
    OrganisationEvent::OrganisationRegistered {
        organisation_id: id.to_string(),
        name: name.to_string(),
        acronym: Some("GM".to_string()),
        category: OrganisationCategory::CivilSociety,
        iati_ref: None,
        country: country.map(str::to_string),
        registered_on: date("2026-01-15"),
    }
}

fn global_march() -> Vec<OrganisationEvent> {
    vec![organisation_registered("GLOBAL-MARCH", "Global March Against Child Labour", Some("IND"))]
}

fn rename(name: &str) -> OrganisationCommand {
    OrganisationCommand::Rename { name: name.to_string(), renamed_on: date("2026-06-01") }
}

#[test]
fn register_an_organisation() {
    check_organisation(
        vec![],
        register_organisation("GLOBAL-MARCH", "Global March Against Child Labour", Some("IND")),
        Ok(global_march()),
    );
}

#[test]
fn register_an_organisation_with_an_iati_ref_and_no_country() {
    let command = OrganisationCommand::Register {
        organisation_id: "ILO".to_string(),
        name: "International Labour Organization".to_string(),
        acronym: None,
        category: OrganisationCategory::UnAgency,
        iati_ref: Some("XM-DAC-41302".to_string()),
        country: None,
        registered_on: date("2026-01-15"),
    };
    check_organisation(
        vec![],
        command,
        Ok(vec![OrganisationEvent::OrganisationRegistered {
            organisation_id: "ILO".to_string(),
            name: "International Labour Organization".to_string(),
            acronym: None,
            category: OrganisationCategory::UnAgency,
            iati_ref: Some("XM-DAC-41302".to_string()),
            country: None,
            registered_on: date("2026-01-15"),
        }]),
    );
}

#[test]
fn register_an_organisation_twice_is_refused() {
    check_organisation(
        global_march(),
        register_organisation("GLOBAL-MARCH", "Global March", None),
        Err(ReferenceError::AlreadyRegistered),
    );
}

#[test]
fn organisation_ids_are_capitals_digits_and_dashes() {
    for id in ["global-march", "Global-March", "GLOBAL MARCH", "GLOBAL_MARCH", "A", "", "ÉCPAT", &"X".repeat(41)] {
        check_organisation(
            vec![],
            register_organisation(id, "Global March", None),
            Err(ReferenceError::InvalidOrganisationId),
        );
    }
    for id in ["ILO", "UN-WOMEN", "G7", "AB", &"X".repeat(40)] {
        check_organisation(
            vec![],
            register_organisation(id, "Some organisation", None),
            Ok(vec![organisation_registered(id, "Some organisation", None)]),
        );
    }
}

#[test]
fn register_an_organisation_with_a_blank_name_is_refused() {
    check_organisation(vec![], register_organisation("GLOBAL-MARCH", " \t", None), Err(ReferenceError::EmptyName));
}

#[test]
fn register_an_organisation_in_an_unknown_country_is_refused() {
    check_organisation(
        vec![],
        register_organisation("GLOBAL-MARCH", "Global March", Some("XXX")),
        Err(ReferenceError::UnknownIso3("XXX".to_string())),
    );
    // Alpha-2 codes and lowercase are not alpha-3 codes.
    for code in ["IN", "ind"] {
        check_organisation(
            vec![],
            register_organisation("GLOBAL-MARCH", "Global March", Some(code)),
            Err(ReferenceError::UnknownIso3(code.to_string())),
        );
    }
}

#[test]
fn rename_an_organisation() {
    check_organisation(
        global_march(),
        rename("Global March"),
        Ok(vec![OrganisationEvent::OrganisationRenamed {
            old_name: "Global March Against Child Labour".to_string(),
            new_name: "Global March".to_string(),
            renamed_on: date("2026-06-01"),
        }]),
    );
}

#[test]
fn rename_to_the_same_name_is_refused() {
    check_organisation(global_march(), rename("Global March Against Child Labour"), Err(ReferenceError::SameName));
}

#[test]
fn rename_to_a_blank_name_is_refused() {
    check_organisation(global_march(), rename(" "), Err(ReferenceError::EmptyName));
}

#[test]
fn rename_an_unregistered_organisation_is_refused() {
    check_organisation(vec![], rename("Global March"), Err(ReferenceError::NotRegistered));
}

#[test]
fn evolve_folds_an_organisation() {
    let mut state = Organisation::default();
    for event in global_march() {
        evolve_organisation(&mut state, event);
    }
    evolve_organisation(
        &mut state,
        OrganisationEvent::OrganisationRenamed {
            old_name: "Global March Against Child Labour".to_string(),
            new_name: "Global March".to_string(),
            renamed_on: date("2026-06-01"),
        },
    );
    assert_eq!(
        state,
        Organisation {
            organisation_id: "GLOBAL-MARCH".to_string(),
            name: "Global March".to_string(),
            category: Some(OrganisationCategory::CivilSociety),
        }
    );
}

// ---------------------------------------------------------------------------------
// Country
// ---------------------------------------------------------------------------------

#[track_caller]
fn check_country(given: Vec<CountryEvent>, when: CountryCommand, then: Result<Vec<CountryEvent>, ReferenceError>) {
    let mut state = Country::default();
    for event in given {
        evolve_country(&mut state, event);
    }
    assert_eq!(decide_country(&state, when), then);
}

fn register_country(iso3: &str, name: Option<&str>, region: Region) -> CountryCommand {
    CountryCommand::Register {
        iso3: iso3.to_string(),
        name: name.map(str::to_string),
        region,
        registered_on: date("2026-01-15"),
    }
}

fn country_registered(iso3: &str, name: &str, region: Region) -> CountryEvent {
    CountryEvent::CountryRegistered {
        iso3: iso3.to_string(),
        name: name.to_string(),
        region,
        registered_on: date("2026-01-15"),
    }
}

#[test]
fn a_country_is_named_by_iso_by_default() {
    check_country(
        vec![],
        register_country("NPL", None, Region::AsiaPacific),
        Ok(vec![country_registered("NPL", "Nepal", Region::AsiaPacific)]),
    );
    check_country(
        vec![],
        register_country("CIV", None, Region::Africa),
        Ok(vec![country_registered("CIV", "Côte d'Ivoire", Region::Africa)]),
    );
}

#[test]
fn a_country_may_be_given_another_name() {
    check_country(
        vec![],
        register_country("GBR", Some("United Kingdom"), Region::EuropeCentralAsia),
        Ok(vec![country_registered("GBR", "United Kingdom", Region::EuropeCentralAsia)]),
    );
}

#[test]
fn a_country_with_a_blank_name_is_refused() {
    check_country(vec![], register_country("NPL", Some("  "), Region::AsiaPacific), Err(ReferenceError::EmptyName));
}

#[test]
fn an_unknown_iso3_code_is_refused() {
    for code in ["XXX", "npl", "NP", "NEPAL", ""] {
        check_country(
            vec![],
            register_country(code, None, Region::AsiaPacific),
            Err(ReferenceError::UnknownIso3(code.to_string())),
        );
    }
}

#[test]
fn register_a_country_twice_is_refused() {
    check_country(
        vec![country_registered("NPL", "Nepal", Region::AsiaPacific)],
        register_country("NPL", None, Region::AsiaPacific),
        Err(ReferenceError::AlreadyRegistered),
    );
}

#[test]
fn evolve_folds_a_country() {
    let mut state = Country::default();
    evolve_country(&mut state, country_registered("CHL", "Chile", Region::Americas));
    assert_eq!(state, Country { iso3: "CHL".to_string(), name: "Chile".to_string(), region: Some(Region::Americas) });
}

#[test]
fn iso3_name_and_organisation_id_helpers() {
    assert_eq!(iso3_name("NPL"), Some("Nepal"));
    assert_eq!(iso3_name("CHL"), Some("Chile"));
    assert_eq!(iso3_name("XXX"), None);
    assert!(valid_organisation_id("GLOBAL-MARCH"));
    assert!(!valid_organisation_id("global-march"));
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<ReferenceError> {
    use ReferenceError::*;
    vec![AlreadyRegistered, NotRegistered, InvalidOrganisationId, EmptyName, UnknownIso3("XXX".to_string()), SameName]
}

fn ordinal(error: &ReferenceError) -> usize {
    use ReferenceError::*;
    match error {
        AlreadyRegistered => 0,
        NotRegistered => 1,
        InvalidOrganisationId => 2,
        EmptyName => 3,
        UnknownIso3(_) => 4,
        SameName => 5,
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
fn golden_organisation_events() {
    let event = global_march().remove(0);
    assert_eq!(event.event_type(), "OrganisationRegistered");
    assert_eq!(event.event_version(), "1");
    let json = r#"{"OrganisationRegistered":{"organisation_id":"GLOBAL-MARCH","name":"Global March Against Child Labour","acronym":"GM","category":"civil_society","iati_ref":null,"country":"IND","registered_on":"2026-01-15"}}"#;
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    assert_eq!(serde_json::from_str::<OrganisationEvent>(json).expect("deserialises"), event);
    let renamed = OrganisationEvent::OrganisationRenamed {
        old_name: "A".to_string(),
        new_name: "B".to_string(),
        renamed_on: date("2026-06-01"),
    };
    assert_eq!(renamed.event_type(), "OrganisationRenamed");
    assert_eq!(
        serde_json::to_string(&renamed).expect("serialises"),
        r#"{"OrganisationRenamed":{"old_name":"A","new_name":"B","renamed_on":"2026-06-01"}}"#
    );
}

#[test]
fn golden_country_registered() {
    let event = country_registered("NPL", "Nepal", Region::AsiaPacific);
    assert_eq!(event.event_type(), "CountryRegistered");
    assert_eq!(event.event_version(), "1");
    let json =
        r#"{"CountryRegistered":{"iso3":"NPL","name":"Nepal","region":"asia_pacific","registered_on":"2026-01-15"}}"#;
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    assert_eq!(serde_json::from_str::<CountryEvent>(json).expect("deserialises"), event);
}

#[test]
fn command_names() {
    assert_eq!(register_organisation("ILO", "ILO", None).name(), "register");
    assert_eq!(rename("x").name(), "rename");
    assert_eq!(register_country("NPL", None, Region::AsiaPacific).name(), "register");
}
