//! Given/when/then tests of the `Group` aggregate (Action and Working Groups): past
//! events are folded with [`evolve`] from the default state, the command goes through
//! [`decide`], and the outcome (events or the exact refusal) is compared. Also: every
//! refusal's rule name, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::decision::DecisionStatus;

#[track_caller]
fn check(given: Vec<GroupEvent>, when: GroupCommand, then: Result<Vec<GroupEvent>, GroupError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<GroupEvent>) -> Group {
    let mut state = Group::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(mut given: Vec<GroupEvent>, more: impl IntoIterator<Item = GroupEvent>) -> Vec<GroupEvent> {
    given.extend(more);
    given
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const HASH_2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

fn create_ag() -> DecisionSubject {
    DecisionSubject::CreateActionGroup { name: "Action Group on Supply Chains".to_string() }
}

fn create_wg() -> DecisionSubject {
    DecisionSubject::CreateWorkingGroup { name: "Working Group on Data".to_string() }
}

fn adopted(subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts::adopted("GCG-21-D07", subject, date("2026-11-22")))
}

fn establish(kind: GroupKind, legacy: Option<&str>, authority: Option<DecisionFacts>) -> GroupCommand {
    GroupCommand::Establish {
        group_id: "ag-supply-chains".to_string(),
        kind,
        name: "Action Group on Supply Chains".to_string(),
        theme: Some("supply chains".to_string()),
        established_on: date("2026-12-01"),
        legacy_evidence_sha256: legacy.map(str::to_string),
        authority,
    }
}

fn established_by(kind: GroupKind, decision_id: Option<&str>, legacy: Option<&str>) -> GroupEvent {
    GroupEvent::GroupEstablished {
        group_id: "ag-supply-chains".to_string(),
        kind,
        name: "Action Group on Supply Chains".to_string(),
        theme: Some("supply chains".to_string()),
        established_on: date("2026-12-01"),
        decision_id: decision_id.map(str::to_string),
        legacy_evidence_sha256: legacy.map(str::to_string),
    }
}

/// An Action Group established on GCG-21-D07, 1 December 2026.
fn group() -> Vec<GroupEvent> {
    vec![established_by(GroupKind::ActionGroup, Some("GCG-21-D07"), None)]
}

fn assign_lead(role: LeadRole, organisation: &str, from: &str) -> GroupCommand {
    GroupCommand::AssignLead {
        role,
        organisation: organisation.to_string(),
        from: date(from),
        organisation_known: true,
    }
}

fn lead_assigned(role: LeadRole, organisation: &str, from: &str) -> GroupEvent {
    GroupEvent::GroupLeadAssigned { role, organisation: organisation.to_string(), from: date(from) }
}

fn end_lead(role: LeadRole, organisation: &str, on: &str) -> GroupCommand {
    GroupCommand::EndLead { role, organisation: organisation.to_string(), on: date(on) }
}

fn lead_ended(role: LeadRole, organisation: &str, on: &str) -> GroupEvent {
    GroupEvent::GroupLeadEnded { role, organisation: organisation.to_string(), on: date(on) }
}

fn add_member(organisation: &str, on: &str, status: Option<PartnerStatus>) -> GroupCommand {
    GroupCommand::AddMember { organisation: organisation.to_string(), joined_on: date(on), partner_status: status }
}

fn joined(organisation: &str, on: &str) -> GroupEvent {
    GroupEvent::GroupMemberJoined { organisation: organisation.to_string(), joined_on: date(on) }
}

fn remove_member(organisation: &str, on: &str) -> GroupCommand {
    GroupCommand::RemoveMember { organisation: organisation.to_string(), left_on: date(on) }
}

fn left(organisation: &str, on: &str) -> GroupEvent {
    GroupEvent::GroupMemberLeft { organisation: organisation.to_string(), left_on: date(on) }
}

fn adopt_workplan(version: u32, start: &str, end: &str, hash: &str) -> GroupCommand {
    GroupCommand::AdoptWorkplan {
        version,
        period_start: date(start),
        period_end: date(end),
        doc_sha256: hash.to_string(),
        approved_on: date(start),
    }
}

fn workplan(version: u32, start: &str, end: &str, hash: &str) -> GroupEvent {
    GroupEvent::WorkplanAdopted {
        version,
        period_start: date(start),
        period_end: date(end),
        doc_sha256: hash.to_string(),
        approved_on: date(start),
    }
}

// --- Establish --------------------------------------------------------------------

#[test]
fn establish_an_action_group_on_a_decision() {
    check(vec![], establish(GroupKind::ActionGroup, None, adopted(create_ag())), Ok(group()));
}

#[test]
fn establish_a_working_group_on_a_decision() {
    check(
        vec![],
        establish(GroupKind::WorkingGroup, None, adopted(create_wg())),
        Ok(vec![established_by(GroupKind::WorkingGroup, Some("GCG-21-D07"), None)]),
    );
}

#[test]
fn establish_a_legacy_group_on_evidence() {
    check(
        vec![],
        establish(GroupKind::ActionGroup, Some(HASH), None),
        Ok(vec![established_by(GroupKind::ActionGroup, None, Some(HASH))]),
    );
}

#[test]
fn a_cited_decision_takes_precedence_over_legacy_evidence() {
    check(vec![], establish(GroupKind::ActionGroup, Some(HASH), adopted(create_ag())), Ok(group()));
}

#[test]
fn establish_with_malformed_legacy_evidence_is_refused() {
    check(vec![], establish(GroupKind::ActionGroup, Some("not-a-hash"), None), Err(GroupError::LegacyEvidenceInvalid));
    check(
        vec![],
        establish(GroupKind::ActionGroup, Some(&HASH.to_uppercase()), None),
        Err(GroupError::LegacyEvidenceInvalid),
    );
}

#[test]
fn establish_without_decision_or_evidence_is_refused() {
    check(
        vec![],
        establish(GroupKind::ActionGroup, None, None),
        Err(GroupError::Authority(AuthorityError::Missing { needed: "create_action_group" })),
    );
    check(
        vec![],
        establish(GroupKind::WorkingGroup, None, None),
        Err(GroupError::Authority(AuthorityError::Missing { needed: "create_working_group" })),
    );
}

#[test]
fn establish_on_a_decision_not_adopted_is_refused() {
    let facts = DecisionFacts {
        decision_id: "GCG-21-D07".to_string(),
        status: DecisionStatus::Rejected,
        subject: Some(create_ag()),
        adopted_on: None,
    };
    check(
        vec![],
        establish(GroupKind::ActionGroup, None, Some(facts)),
        Err(GroupError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-21-D07".to_string() })),
    );
}

#[test]
fn establish_on_a_decision_creating_the_other_kind_is_refused() {
    check(
        vec![],
        establish(GroupKind::ActionGroup, None, adopted(create_wg())),
        Err(GroupError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-21-D07".to_string(),
            needed: "create_action_group",
        })),
    );
    check(
        vec![],
        establish(GroupKind::WorkingGroup, None, adopted(DecisionSubject::Procedural)),
        Err(GroupError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-21-D07".to_string(),
            needed: "create_working_group",
        })),
    );
}

#[test]
fn establish_twice_is_refused() {
    check(group(), establish(GroupKind::ActionGroup, None, adopted(create_ag())), Err(GroupError::AlreadyEstablished));
}

#[test]
fn establish_with_blank_id_or_name_is_refused() {
    let GroupCommand::Establish { kind, theme, established_on, legacy_evidence_sha256, authority, .. } =
        establish(GroupKind::ActionGroup, None, adopted(create_ag()))
    else {
        unreachable!()
    };
    check(
        vec![],
        GroupCommand::Establish {
            group_id: " ".to_string(),
            kind,
            name: "AG".to_string(),
            theme: theme.clone(),
            established_on,
            legacy_evidence_sha256: legacy_evidence_sha256.clone(),
            authority: authority.clone(),
        },
        Err(GroupError::Empty("group_id")),
    );
    check(
        vec![],
        GroupCommand::Establish {
            group_id: "ag-x".to_string(),
            kind,
            name: String::new(),
            theme,
            established_on,
            legacy_evidence_sha256,
            authority,
        },
        Err(GroupError::Empty("name")),
    );
}

#[test]
fn nothing_happens_before_the_group_is_established() {
    for when in [
        GroupCommand::Relaunch {
            relaunched_on: date("2027-01-01"),
            supporters: vec![],
            authority: adopted(create_ag()),
        },
        assign_lead(LeadRole::Lead, "ILO", "2026-12-01"),
        end_lead(LeadRole::Lead, "ILO", "2027-12-01"),
        add_member("UNICEF", "2026-12-01", Some(PartnerStatus::Admitted)),
        remove_member("UNICEF", "2027-12-01"),
        adopt_workplan(1, "2027-01-01", "2027-12-31", HASH),
    ] {
        check(vec![], when, Err(GroupError::NotEstablished));
    }
}

// --- Relaunch ---------------------------------------------------------------------

fn relaunch(on: &str, authority: Option<DecisionFacts>) -> GroupCommand {
    GroupCommand::Relaunch {
        relaunched_on: date(on),
        supporters: vec!["FRA".to_string(), "ILO".to_string()],
        authority,
    }
}

#[test]
fn relaunch_on_a_decision() {
    check(
        group(),
        relaunch("2028-03-01", adopted(create_ag())),
        Ok(vec![GroupEvent::GroupRelaunched {
            relaunched_on: date("2028-03-01"),
            supporters: vec!["FRA".to_string(), "ILO".to_string()],
            decision_id: "GCG-21-D07".to_string(),
        }]),
    );
}

#[test]
fn relaunch_on_or_before_the_establishment_is_refused() {
    check(group(), relaunch("2026-12-01", adopted(create_ag())), Err(GroupError::RelaunchBeforeEstablished));
    check(group(), relaunch("2026-11-30", adopted(create_ag())), Err(GroupError::RelaunchBeforeEstablished));
}

#[test]
fn relaunch_without_the_right_decision_is_refused() {
    let needed = "create_action_group (relaunch)";
    check(group(), relaunch("2028-03-01", None), Err(GroupError::Authority(AuthorityError::Missing { needed })));
    check(
        group(),
        relaunch("2028-03-01", adopted(create_wg())),
        Err(GroupError::Authority(AuthorityError::WrongSubject { decision_id: "GCG-21-D07".to_string(), needed })),
    );
}

#[test]
fn relaunch_a_working_group_needs_a_working_group_decision() {
    let wg = vec![established_by(GroupKind::WorkingGroup, Some("GCG-21-D07"), None)];
    check(
        wg.clone(),
        relaunch("2028-03-01", adopted(create_ag())),
        Err(GroupError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-21-D07".to_string(),
            needed: "create_working_group (relaunch)",
        })),
    );
    check(
        wg,
        relaunch("2028-03-01", adopted(create_wg())),
        Ok(vec![GroupEvent::GroupRelaunched {
            relaunched_on: date("2028-03-01"),
            supporters: vec!["FRA".to_string(), "ILO".to_string()],
            decision_id: "GCG-21-D07".to_string(),
        }]),
    );
}

// --- AssignLead / EndLead ---------------------------------------------------------

#[test]
fn assign_a_lead() {
    check(
        group(),
        assign_lead(LeadRole::Lead, "ILO", "2026-12-01"),
        Ok(vec![lead_assigned(LeadRole::Lead, "ILO", "2026-12-01")]),
    );
}

#[test]
fn a_leading_role_has_one_holder_at_a_time() {
    check(
        with(group(), [lead_assigned(LeadRole::Chair, "FRA", "2026-12-01")]),
        assign_lead(LeadRole::Chair, "CHL", "2027-06-01"),
        Err(GroupError::LeadOccupied { role: LeadRole::Chair, holder: "FRA".to_string() }),
    );
}

#[test]
fn a_role_can_be_reassigned_from_the_day_it_ended() {
    let given = with(
        group(),
        [lead_assigned(LeadRole::Chair, "FRA", "2026-12-01"), lead_ended(LeadRole::Chair, "FRA", "2027-06-01")],
    );
    check(
        given.clone(),
        assign_lead(LeadRole::Chair, "CHL", "2027-06-01"),
        Ok(vec![lead_assigned(LeadRole::Chair, "CHL", "2027-06-01")]),
    );
    check(
        given,
        assign_lead(LeadRole::Chair, "CHL", "2027-05-31"),
        Err(GroupError::LeadOccupied { role: LeadRole::Chair, holder: "FRA".to_string() }),
    );
}

#[test]
fn co_leads_may_be_several() {
    check(
        with(group(), [lead_assigned(LeadRole::CoLead, "FRA", "2026-12-01")]),
        assign_lead(LeadRole::CoLead, "CHL", "2026-12-01"),
        Ok(vec![lead_assigned(LeadRole::CoLead, "CHL", "2026-12-01")]),
    );
}

#[test]
fn different_roles_are_held_independently() {
    check(
        with(group(), [lead_assigned(LeadRole::Lead, "ILO", "2026-12-01")]),
        assign_lead(LeadRole::Secretariat, "IOM", "2026-12-01"),
        Ok(vec![lead_assigned(LeadRole::Secretariat, "IOM", "2026-12-01")]),
    );
}

#[test]
fn assign_a_blank_or_unregistered_lead_is_refused() {
    check(group(), assign_lead(LeadRole::Lead, " ", "2026-12-01"), Err(GroupError::Empty("organisation")));
    check(
        group(),
        GroupCommand::AssignLead {
            role: LeadRole::Lead,
            organisation: "NOBODY".to_string(),
            from: date("2026-12-01"),
            organisation_known: false,
        },
        Err(GroupError::PartyUnknown("NOBODY".to_string())),
    );
}

#[test]
fn end_a_lead() {
    check(
        with(group(), [lead_assigned(LeadRole::Lead, "ILO", "2026-12-01")]),
        end_lead(LeadRole::Lead, "ILO", "2027-12-01"),
        Ok(vec![lead_ended(LeadRole::Lead, "ILO", "2027-12-01")]),
    );
}

#[test]
fn end_a_lead_not_held_is_refused() {
    let given = with(group(), [lead_assigned(LeadRole::Lead, "ILO", "2026-12-01")]);
    // Another organisation, another role, or a role already ended.
    check(
        given.clone(),
        end_lead(LeadRole::Lead, "IOM", "2027-12-01"),
        Err(GroupError::LeadNotHeld("IOM".to_string())),
    );
    check(
        given.clone(),
        end_lead(LeadRole::Chair, "ILO", "2027-12-01"),
        Err(GroupError::LeadNotHeld("ILO".to_string())),
    );
    check(
        with(given, [lead_ended(LeadRole::Lead, "ILO", "2027-12-01")]),
        end_lead(LeadRole::Lead, "ILO", "2028-01-01"),
        Err(GroupError::LeadNotHeld("ILO".to_string())),
    );
}

#[test]
fn end_a_lead_on_or_before_its_start_is_refused() {
    let given = with(group(), [lead_assigned(LeadRole::Lead, "ILO", "2026-12-01")]);
    check(given.clone(), end_lead(LeadRole::Lead, "ILO", "2026-12-01"), Err(GroupError::LeadEndsBeforeStart));
    check(given, end_lead(LeadRole::Lead, "ILO", "2026-11-30"), Err(GroupError::LeadEndsBeforeStart));
}

// --- AddMember / RemoveMember -----------------------------------------------------

#[test]
fn an_admitted_partner_joins() {
    check(
        group(),
        add_member("UNICEF", "2026-12-15", Some(PartnerStatus::Admitted)),
        Ok(vec![joined("UNICEF", "2026-12-15")]),
    );
}

#[test]
fn only_admitted_partners_join() {
    for status in [
        None,
        Some(PartnerStatus::None),
        Some(PartnerStatus::Applied),
        Some(PartnerStatus::Rejected),
        Some(PartnerStatus::Withdrawn),
    ] {
        check(group(), add_member("UNICEF", "2026-12-15", status), Err(GroupError::PartnerNotAdmitted));
    }
}

#[test]
fn join_twice_is_refused() {
    check(
        with(group(), [joined("UNICEF", "2026-12-15")]),
        add_member("UNICEF", "2027-01-15", Some(PartnerStatus::Admitted)),
        Err(GroupError::AlreadyMember("UNICEF".to_string())),
    );
}

#[test]
fn a_member_who_left_may_join_again() {
    check(
        with(group(), [joined("UNICEF", "2026-12-15"), left("UNICEF", "2027-06-30")]),
        add_member("UNICEF", "2028-01-01", Some(PartnerStatus::Admitted)),
        Ok(vec![joined("UNICEF", "2028-01-01")]),
    );
}

#[test]
fn add_a_blank_member_is_refused() {
    check(group(), add_member("", "2026-12-15", Some(PartnerStatus::Admitted)), Err(GroupError::Empty("organisation")));
}

#[test]
fn remove_a_member() {
    check(
        with(group(), [joined("UNICEF", "2026-12-15")]),
        remove_member("UNICEF", "2027-06-30"),
        Ok(vec![left("UNICEF", "2027-06-30")]),
    );
    // Leaving on the day of joining is allowed.
    check(
        with(group(), [joined("UNICEF", "2026-12-15")]),
        remove_member("UNICEF", "2026-12-15"),
        Ok(vec![left("UNICEF", "2026-12-15")]),
    );
}

#[test]
fn remove_a_non_member_is_refused() {
    check(group(), remove_member("UNICEF", "2027-06-30"), Err(GroupError::NotMember("UNICEF".to_string())));
    check(
        with(group(), [joined("UNICEF", "2026-12-15"), left("UNICEF", "2027-06-30")]),
        remove_member("UNICEF", "2027-07-30"),
        Err(GroupError::NotMember("UNICEF".to_string())),
    );
}

#[test]
fn leave_before_joining_is_refused() {
    check(
        with(group(), [joined("UNICEF", "2026-12-15")]),
        remove_member("UNICEF", "2026-12-14"),
        Err(GroupError::LeavesBeforeJoining),
    );
}

// --- AdoptWorkplan ----------------------------------------------------------------

#[test]
fn adopt_the_first_workplan() {
    check(
        group(),
        adopt_workplan(1, "2027-01-01", "2027-12-31", HASH),
        Ok(vec![workplan(1, "2027-01-01", "2027-12-31", HASH)]),
    );
}

#[test]
fn adopt_the_next_workplan_for_the_next_period() {
    check(
        with(group(), [workplan(1, "2027-01-01", "2027-12-31", HASH)]),
        adopt_workplan(2, "2028-01-01", "2029-12-31", HASH_2),
        Ok(vec![workplan(2, "2028-01-01", "2029-12-31", HASH_2)]),
    );
}

#[test]
fn workplan_versions_follow_each_other() {
    check(group(), adopt_workplan(2, "2027-01-01", "2027-12-31", HASH), Err(GroupError::WorkplanVersionNotNext(1)));
    check(
        with(group(), [workplan(1, "2027-01-01", "2027-12-31", HASH)]),
        adopt_workplan(1, "2028-01-01", "2028-12-31", HASH_2),
        Err(GroupError::WorkplanVersionNotNext(2)),
    );
    check(
        with(group(), [workplan(1, "2027-01-01", "2027-12-31", HASH)]),
        adopt_workplan(3, "2028-01-01", "2028-12-31", HASH_2),
        Err(GroupError::WorkplanVersionNotNext(2)),
    );
}

#[test]
fn workplan_periods_never_overlap() {
    let given =
        with(group(), [workplan(1, "2027-01-01", "2027-12-31", HASH), workplan(2, "2028-01-01", "2028-12-31", HASH_2)]);
    // The last day of version 1 is still covered.
    check(
        given.clone(),
        adopt_workplan(3, "2027-12-31", "2029-12-31", HASH),
        Err(GroupError::WorkplanPeriodsOverlap(1)),
    );
    check(
        given.clone(),
        adopt_workplan(3, "2028-06-01", "2029-12-31", HASH),
        Err(GroupError::WorkplanPeriodsOverlap(2)),
    );
    // A period around an earlier one.
    check(given, adopt_workplan(3, "2026-01-01", "2030-12-31", HASH), Err(GroupError::WorkplanPeriodsOverlap(1)));
}

#[test]
fn a_workplan_period_ends_after_it_starts() {
    check(group(), adopt_workplan(1, "2027-01-01", "2027-01-01", HASH), Err(GroupError::WorkplanPeriodInvalid));
    check(group(), adopt_workplan(1, "2027-01-01", "2026-12-31", HASH), Err(GroupError::WorkplanPeriodInvalid));
}

#[test]
fn a_workplan_names_its_document_by_sha256() {
    check(group(), adopt_workplan(1, "2027-01-01", "2027-12-31", "abc"), Err(GroupError::DocumentHashInvalid));
}

// --- evolve -----------------------------------------------------------------------

#[test]
fn evolve_folds_the_group() {
    let state = fold(with(
        group(),
        [
            GroupEvent::GroupRelaunched {
                relaunched_on: date("2028-03-01"),
                supporters: vec![],
                decision_id: "D".into(),
            },
            lead_assigned(LeadRole::Lead, "ILO", "2026-12-01"),
            lead_ended(LeadRole::Lead, "ILO", "2027-12-01"),
            lead_assigned(LeadRole::Lead, "IOM", "2027-12-01"),
            joined("UNICEF", "2026-12-15"),
            joined("FAO", "2026-12-16"),
            left("UNICEF", "2027-06-30"),
            workplan(1, "2027-01-01", "2027-12-31", HASH),
        ],
    ));
    assert_eq!(state.group_id, "ag-supply-chains");
    assert_eq!(state.kind, Some(GroupKind::ActionGroup));
    assert_eq!(state.established_on, Some(date("2026-12-01")));
    assert_eq!(
        state.leads,
        vec![
            LeadHolding {
                role: LeadRole::Lead,
                organisation: "ILO".to_string(),
                from: date("2026-12-01"),
                until: Some(date("2027-12-01")),
            },
            LeadHolding {
                role: LeadRole::Lead,
                organisation: "IOM".to_string(),
                from: date("2027-12-01"),
                until: None
            },
        ]
    );
    assert_eq!(state.members, vec![("FAO".to_string(), date("2026-12-16"))]);
    assert_eq!(
        state.workplans,
        vec![Workplan { version: 1, period_start: date("2027-01-01"), period_end: date("2027-12-31") }]
    );
}

// --- edge facts -------------------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    let json =
        r#"{"command":"add_member","organisation":"UNICEF","joined_on":"2026-12-15","partner_status":"admitted"}"#;
    assert!(serde_json::from_str::<GroupCommand>(json).is_err());
    let json = r#"{"command":"add_member","organisation":"UNICEF","joined_on":"2026-12-15"}"#;
    let command: GroupCommand = serde_json::from_str(json).expect("deserialises");
    assert_eq!(command, add_member("UNICEF", "2026-12-15", None));
    assert_eq!(command.name(), "add_member");
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<GroupError> {
    use GroupError::*;
    vec![
        AlreadyEstablished,
        NotEstablished,
        Empty("group_id"),
        LegacyEvidenceInvalid,
        PartyUnknown("NOBODY".to_string()),
        LeadOccupied { role: LeadRole::Chair, holder: "FRA".to_string() },
        LeadNotHeld("IOM".to_string()),
        LeadEndsBeforeStart,
        PartnerNotAdmitted,
        AlreadyMember("UNICEF".to_string()),
        NotMember("UNICEF".to_string()),
        LeavesBeforeJoining,
        WorkplanVersionNotNext(2),
        WorkplanPeriodInvalid,
        WorkplanPeriodsOverlap(1),
        DocumentHashInvalid,
        RelaunchBeforeEstablished,
        Authority(AuthorityError::Missing { needed: "create_action_group" }),
        Authority(AuthorityError::NotAdopted { decision_id: "GCG-21-D07".to_string() }),
        Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-21-D07".to_string(),
            needed: "create_action_group",
        }),
    ]
}

fn ordinal(error: &GroupError) -> usize {
    use GroupError::*;
    match error {
        AlreadyEstablished => 0,
        NotEstablished => 1,
        Empty(_) => 2,
        LegacyEvidenceInvalid => 3,
        PartyUnknown(_) => 4,
        LeadOccupied { .. } => 5,
        LeadNotHeld(_) => 6,
        LeadEndsBeforeStart => 7,
        PartnerNotAdmitted => 8,
        AlreadyMember(_) => 9,
        NotMember(_) => 10,
        LeavesBeforeJoining => 11,
        WorkplanVersionNotNext(_) => 12,
        WorkplanPeriodInvalid => 13,
        WorkplanPeriodsOverlap(_) => 14,
        DocumentHashInvalid => 15,
        RelaunchBeforeEstablished => 16,
        Authority(AuthorityError::Missing { .. }) => 17,
        Authority(AuthorityError::NotAdopted { .. }) => 18,
        Authority(AuthorityError::WrongSubject { .. }) => 19,
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
fn golden(event: GroupEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: GroupEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_group_established() {
    golden(
        established_by(GroupKind::ActionGroup, None, Some(HASH)),
        "GroupEstablished",
        r#"{"GroupEstablished":{"group_id":"ag-supply-chains","kind":"action_group","name":"Action Group on Supply Chains","theme":"supply chains","established_on":"2026-12-01","decision_id":null,"legacy_evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"#,
    );
}

#[test]
fn golden_group_lead_assigned() {
    golden(
        lead_assigned(LeadRole::CoLead, "ILO", "2026-12-01"),
        "GroupLeadAssigned",
        r#"{"GroupLeadAssigned":{"role":"co_lead","organisation":"ILO","from":"2026-12-01"}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (
            GroupEvent::GroupRelaunched {
                relaunched_on: date("2028-03-01"),
                supporters: vec![],
                decision_id: "D".into(),
            },
            "GroupRelaunched",
        ),
        (lead_ended(LeadRole::Lead, "ILO", "2027-12-01"), "GroupLeadEnded"),
        (joined("UNICEF", "2026-12-15"), "GroupMemberJoined"),
        (left("UNICEF", "2027-06-30"), "GroupMemberLeft"),
        (workplan(1, "2027-01-01", "2027-12-31", HASH), "WorkplanAdopted"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<GroupEvent>(&json).expect("deserialises"), event);
    }
}
