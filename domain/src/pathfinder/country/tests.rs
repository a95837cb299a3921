//! Given/when/then tests of the `PathfinderCountry` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the outcome
//! (events or the exact refusal) is compared. Also: every refusal's rule name, command
//! names, edge facts, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::decision::DecisionStatus;

#[track_caller]
fn check(given: Vec<PfcEvent>, when: PfcCommand, then: Result<Vec<PfcEvent>, PfcError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<PfcEvent>) -> PathfinderCountry {
    let mut state = PathfinderCountry::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(mut given: Vec<PfcEvent>, more: impl IntoIterator<Item = PfcEvent>) -> Vec<PfcEvent> {
    given.extend(more);
    given
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn s(text: &str) -> String {
    text.to_string()
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const HASH_2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
const DECISION: &str = "GCG-21/D03";

fn adopted(subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts::adopted(DECISION, subject, date("2026-02-20")))
}

fn not_adopted(subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts {
        decision_id: s(DECISION),
        status: DecisionStatus::Proposed,
        subject: Some(subject),
        adopted_on: None,
    })
}

fn grant_subject(iso3: &str) -> DecisionSubject {
    DecisionSubject::GrantPathfinderStatus { iso3: s(iso3) }
}

fn reactivate_subject(iso3: &str) -> DecisionSubject {
    DecisionSubject::ReactivatePathfinder { iso3: s(iso3) }
}

fn inactive_subject(iso3: &str) -> DecisionSubject {
    DecisionSubject::MarkPathfinderInactive { iso3: s(iso3) }
}

fn revoke_subject(iso3: &str) -> DecisionSubject {
    DecisionSubject::RevokePathfinderStatus { iso3: s(iso3) }
}

fn wrong_subject(needed: &'static str) -> PfcError {
    PfcError::Authority(AuthorityError::WrongSubject { decision_id: s(DECISION), needed })
}

fn missing(needed: &'static str) -> PfcError {
    PfcError::Authority(AuthorityError::Missing { needed })
}

fn out_of_order(date_text: &str, earliest: &str) -> PfcError {
    PfcError::DateOutOfOrder { date: date(date_text), earliest: date(earliest) }
}

fn not_allowed(from: PfcStage, command: &'static str) -> PfcError {
    PfcError::TransitionNotAllowed { from, command }
}

// --- commands and events ---------------------------------------------------------

fn eoi_command(iso3: &str) -> PfcCommand {
    PfcCommand::RecordExpressionOfInterest {
        iso3: s(iso3),
        letter_date: date("2025-01-15"),
        signatory_title: s("Minister of Labour"),
        ministry: s("Ministry of Labour, Employment and Social Security"),
        letter_sha256: s(HASH),
    }
}

fn eoi() -> PfcEvent {
    PfcEvent::ExpressionOfInterestReceived {
        iso3: s("NPL"),
        letter_date: date("2025-01-15"),
        signatory_title: s("Minister of Labour"),
        ministry: s("Ministry of Labour, Employment and Social Security"),
        letter_sha256: s(HASH),
    }
}

fn present(on: &str) -> PfcCommand {
    PfcCommand::RecordPresentation { meeting_id: s("GCG-20"), presented_on: date(on) }
}

fn presented(on: &str) -> PfcEvent {
    PfcEvent::CandidacyPresentedToGcg { iso3: s("NPL"), meeting_id: s("GCG-20"), presented_on: date(on) }
}

fn appoint(person: &str, on: &str) -> PfcCommand {
    PfcCommand::AppointFocalPoint {
        person_ref: s(person),
        title: s("Joint Secretary"),
        ministry: s("MoLESS"),
        effective_on: date(on),
        person: Some(registered(person, "NPL", false)),
    }
}

fn registered(person: &str, country: &str, erased: bool) -> PersonFacts {
    PersonFacts { person_ref: s(person), country: s(country), erased }
}

fn appointed(person: &str, on: &str, replaces: Option<&str>) -> PfcEvent {
    PfcEvent::FocalPointAppointed {
        iso3: s("NPL"),
        person_ref: s(person),
        title: s("Joint Secretary"),
        ministry: s("MoLESS"),
        effective_on: date(on),
        replaces: replaces.map(s),
    }
}

fn establish(on: &str) -> PfcCommand {
    PfcCommand::EstablishNationalMechanism {
        name: s("National Steering Committee on SDG 8.7"),
        lead_ministry: s("MoLESS"),
        members: vec![s("ILO"), s("UNICEF")],
        established_on: date(on),
    }
}

fn established(on: &str) -> PfcEvent {
    PfcEvent::NationalCoordinationMechanismEstablished {
        iso3: s("NPL"),
        name: s("National Steering Committee on SDG 8.7"),
        lead_ministry: s("MoLESS"),
        members: vec![s("ILO"), s("UNICEF")],
        established_on: date(on),
    }
}

fn hold_workshop(on: &str, report: Option<&str>) -> PfcCommand {
    PfcCommand::RecordStrategicWorkshop {
        held_on: date(on),
        participants_count: Some(60),
        supporting_organisations: vec![s("ILO"), s("IOM")],
        report_sha256: report.map(s),
    }
}

fn workshop(on: &str) -> PfcEvent {
    PfcEvent::StrategicPlanningWorkshopHeld {
        iso3: s("NPL"),
        held_on: date(on),
        participants_count: Some(60),
        supporting_organisations: vec![s("ILO"), s("IOM")],
        report_sha256: Some(s(HASH)),
    }
}

fn grant(on: &str, roadmap_submitted: bool, authority: Option<DecisionFacts>) -> PfcCommand {
    PfcCommand::GrantStatus {
        iso3: s("NPL"),
        effective_on: date(on),
        legacy: false,
        legacy_evidence_sha256: None,
        authority,
        roadmap_submitted,
    }
}

fn grant_legacy(iso3: &str, evidence: Option<&str>, authority: Option<DecisionFacts>) -> PfcCommand {
    PfcCommand::GrantStatus {
        iso3: s(iso3),
        effective_on: date("2026-03-01"),
        legacy: true,
        legacy_evidence_sha256: evidence.map(s),
        authority,
        roadmap_submitted: false,
    }
}

fn granted(on: &str) -> PfcEvent {
    PfcEvent::PathfinderStatusGranted {
        iso3: s("NPL"),
        effective_on: date(on),
        decision_id: Some(s(DECISION)),
        legacy: false,
        legacy_evidence_sha256: None,
    }
}

fn granted_legacy(iso3: &str, decision_id: Option<&str>) -> PfcEvent {
    PfcEvent::PathfinderStatusGranted {
        iso3: s(iso3),
        effective_on: date("2026-03-01"),
        decision_id: decision_id.map(s),
        legacy: true,
        legacy_evidence_sha256: Some(s(HASH)),
    }
}

fn flag(on: &str) -> PfcCommand {
    PfcCommand::FlagForReview {
        flagged_on: date(on),
        reason: ReviewReason::ReportOverdue,
        policy_version: s("pfc-accountability/2023-provisional"),
    }
}

fn flagged(on: &str) -> PfcEvent {
    PfcEvent::PathfinderStatusReviewFlagged {
        iso3: s("NPL"),
        flagged_on: date(on),
        reason: ReviewReason::ReportOverdue,
        policy_version: s("pfc-accountability/2023-provisional"),
    }
}

fn clear(on: &str, authority: Option<DecisionFacts>) -> PfcCommand {
    PfcCommand::ClearReview { cleared_on: date(on), authority }
}

fn cleared(on: &str) -> PfcEvent {
    PfcEvent::PathfinderReviewCleared { iso3: s("NPL"), cleared_on: date(on), decision_id: s(DECISION) }
}

fn mark_inactive(on: &str, authority: Option<DecisionFacts>) -> PfcCommand {
    PfcCommand::MarkInactive { on: date(on), reason: s("two reporting cycles missed"), authority }
}

fn marked_inactive(on: &str) -> PfcEvent {
    PfcEvent::PathfinderMarkedInactive {
        iso3: s("NPL"),
        on: date(on),
        reason: s("two reporting cycles missed"),
        decision_id: s(DECISION),
    }
}

fn reactivate(on: &str, authority: Option<DecisionFacts>) -> PfcCommand {
    PfcCommand::Reactivate { on: date(on), authority }
}

fn reactivated(on: &str) -> PfcEvent {
    PfcEvent::PathfinderReactivated { iso3: s("NPL"), on: date(on), decision_id: s(DECISION) }
}

fn withdraw(on: &str) -> PfcCommand {
    PfcCommand::Withdraw { on: date(on), letter_sha256: s(HASH_2) }
}

fn withdrew(on: &str) -> PfcEvent {
    PfcEvent::PathfinderWithdrew { iso3: s("NPL"), on: date(on), letter_sha256: s(HASH_2) }
}

fn revoke(on: &str, authority: Option<DecisionFacts>) -> PfcCommand {
    PfcCommand::Revoke { on: date(on), reason: s("no report since 2026"), authority }
}

fn revoked(on: &str) -> PfcEvent {
    PfcEvent::PathfinderStatusRevoked {
        iso3: s("NPL"),
        on: date(on),
        reason: s("no report since 2026"),
        decision_id: s(DECISION),
    }
}

fn start_support(organisation: &str, on: &str) -> PfcCommand {
    PfcCommand::StartSupport { organisation: s(organisation), project_ref: Some(s("ACCEL-Asia")), on: date(on) }
}

fn support_started(organisation: &str, on: &str) -> PfcEvent {
    PfcEvent::InCountrySupportStarted {
        iso3: s("NPL"),
        organisation: s(organisation),
        project_ref: Some(s("ACCEL-Asia")),
        on: date(on),
    }
}

fn end_support(organisation: &str, on: &str) -> PfcCommand {
    PfcCommand::EndSupport { organisation: s(organisation), on: date(on), reason: SupportEndReason::ProjectClosed }
}

fn support_ended(organisation: &str, on: &str) -> PfcEvent {
    PfcEvent::InCountrySupportEnded {
        iso3: s("NPL"),
        organisation: s(organisation),
        on: date(on),
        reason: SupportEndReason::ProjectClosed,
    }
}

// --- the country at each stage ---------------------------------------------------

/// Nepal's letter of 15 January 2025.
fn interest() -> Vec<PfcEvent> {
    vec![eoi()]
}

/// …presented to the 20th GCG on 10 March 2025.
fn candidate() -> Vec<PfcEvent> {
    with(interest(), [presented("2025-03-10")])
}

/// …with a focal point from 1 April 2025.
fn onboarding() -> Vec<PfcEvent> {
    with(candidate(), [appointed("person:0042", "2025-04-01", None)])
}

/// …after its workshop on 1 September 2025.
fn workshop_held() -> Vec<PfcEvent> {
    with(onboarding(), [workshop("2025-09-01")])
}

/// …granted status on GCG-21/D03 from 1 March 2026.
fn active() -> Vec<PfcEvent> {
    with(workshop_held(), [granted("2026-03-01")])
}

/// …flagged for review on 1 June 2027.
fn under_review() -> Vec<PfcEvent> {
    with(active(), [flagged("2027-06-01")])
}

/// …marked inactive on 1 October 2027.
fn inactive() -> Vec<PfcEvent> {
    with(active(), [marked_inactive("2027-10-01")])
}

fn withdrawn() -> Vec<PfcEvent> {
    with(active(), [withdrew("2028-06-01")])
}

fn revoked_country() -> Vec<PfcEvent> {
    with(active(), [revoked("2028-07-01")])
}

// --- before anything is recorded ---------------------------------------------------

#[test]
fn nothing_but_an_expression_of_interest_or_a_legacy_grant_comes_first() {
    for when in [
        present("2025-03-10"),
        appoint("person:0042", "2025-04-01"),
        establish("2025-05-01"),
        hold_workshop("2025-09-01", None),
        grant("2026-03-01", true, adopted(grant_subject("NPL"))),
        flag("2027-06-01"),
        clear("2027-09-01", adopted(reactivate_subject("NPL"))),
        mark_inactive("2027-10-01", adopted(inactive_subject("NPL"))),
        reactivate("2028-03-01", adopted(reactivate_subject("NPL"))),
        withdraw("2028-06-01"),
        revoke("2028-07-01", adopted(revoke_subject("NPL"))),
        start_support("ILO", "2025-02-01"),
        end_support("ILO", "2025-12-31"),
    ] {
        check(vec![], when, Err(PfcError::NotRegistered));
    }
}

// --- RecordExpressionOfInterest ----------------------------------------------------

#[test]
fn record_an_expression_of_interest() {
    check(vec![], eoi_command("NPL"), Ok(interest()));
}

#[test]
fn an_expression_of_interest_is_recorded_once() {
    check(
        interest(),
        eoi_command("NPL"),
        Err(not_allowed(PfcStage::InterestExpressed, "record_expression_of_interest")),
    );
    check(active(), eoi_command("NPL"), Err(not_allowed(PfcStage::Active, "record_expression_of_interest")));
    check(
        vec![granted_legacy("LKA", None)],
        eoi_command("LKA"),
        Err(not_allowed(PfcStage::Active, "record_expression_of_interest")),
    );
}

#[test]
fn an_expression_of_interest_names_a_real_country() {
    check(vec![], eoi_command("XXX"), Err(PfcError::Iso3Unknown(s("XXX"))));
    check(vec![], eoi_command(""), Err(PfcError::Iso3Unknown(s(""))));
}

#[test]
fn an_expression_of_interest_needs_signatory_ministry_and_letter() {
    let PfcCommand::RecordExpressionOfInterest { iso3, letter_date, signatory_title, ministry, letter_sha256 } =
        eoi_command("NPL")
    else {
        unreachable!()
    };
    let cases = [
        (s(" "), ministry.clone(), letter_sha256.clone(), PfcError::Empty("signatory_title")),
        (signatory_title.clone(), s(""), letter_sha256.clone(), PfcError::Empty("ministry")),
        (signatory_title.clone(), ministry.clone(), s("abc"), PfcError::DocumentHashInvalid("letter_sha256")),
    ];
    for (signatory_title, ministry, letter_sha256, error) in cases {
        check(
            vec![],
            PfcCommand::RecordExpressionOfInterest {
                iso3: iso3.clone(),
                letter_date,
                signatory_title,
                ministry,
                letter_sha256,
            },
            Err(error),
        );
    }
}

// --- RecordPresentation ------------------------------------------------------------

#[test]
fn record_the_presentation_to_the_gcg() {
    check(interest(), present("2025-03-10"), Ok(vec![presented("2025-03-10")]));
    // On the letter's date is allowed.
    check(interest(), present("2025-01-15"), Ok(vec![presented("2025-01-15")]));
}

#[test]
fn a_presentation_follows_the_expression_of_interest_only() {
    check(candidate(), present("2025-04-10"), Err(not_allowed(PfcStage::Candidate, "record_presentation")));
    check(active(), present("2026-04-10"), Err(not_allowed(PfcStage::Active, "record_presentation")));
}

#[test]
fn a_presentation_names_its_meeting() {
    check(
        interest(),
        PfcCommand::RecordPresentation { meeting_id: s(""), presented_on: date("2025-03-10") },
        Err(PfcError::Empty("meeting_id")),
    );
}

#[test]
fn a_presentation_before_the_letter_is_refused() {
    check(interest(), present("2025-01-14"), Err(out_of_order("2025-01-14", "2025-01-15")));
}

// --- AppointFocalPoint -------------------------------------------------------------

#[test]
fn appointing_a_focal_point_starts_onboarding() {
    check(candidate(), appoint("person:0042", "2025-04-01"), Ok(vec![appointed("person:0042", "2025-04-01", None)]));
    let state = fold(onboarding());
    assert_eq!(state.stage, PfcStage::Onboarding);
    assert_eq!(state.stage_since, Some(date("2025-04-01")));
}

#[test]
fn a_new_focal_point_replaces_the_current_one_and_says_whom() {
    for given in [onboarding(), workshop_held(), active(), under_review(), inactive()] {
        check(
            given,
            appoint("person:0099", "2028-01-01"),
            Ok(vec![appointed("person:0099", "2028-01-01", Some("person:0042"))]),
        );
    }
    let state = fold(with(active(), [appointed("person:0099", "2028-01-01", Some("person:0042"))]));
    assert_eq!(state.stage, PfcStage::Active, "a replacement does not change the stage");
    assert_eq!(state.focal_point.map(|f| f.person_ref), Some(s("person:0099")));
}

#[test]
fn a_focal_point_may_be_appointed_after_a_mechanism() {
    let given = with(candidate(), [established("2025-05-01")]);
    check(given, appoint("person:0042", "2025-06-01"), Ok(vec![appointed("person:0042", "2025-06-01", None)]));
}

#[test]
fn a_focal_point_is_appointed_only_from_candidacy_on() {
    check(
        interest(),
        appoint("person:0042", "2025-04-01"),
        Err(not_allowed(PfcStage::InterestExpressed, "appoint_focal_point")),
    );
    check(
        withdrawn(),
        appoint("person:0099", "2028-07-01"),
        Err(not_allowed(PfcStage::Withdrawn, "appoint_focal_point")),
    );
    check(
        revoked_country(),
        appoint("person:0099", "2028-08-01"),
        Err(not_allowed(PfcStage::Revoked, "appoint_focal_point")),
    );
}

#[test]
fn a_focal_point_is_a_pseudonymous_reference_never_a_name() {
    for person in ["Martin Wandera", "wandera", "", "person:0042 "] {
        check(candidate(), appoint(person, "2025-04-01"), Err(PfcError::PersonRefNotPseudonymous));
    }
}

#[test]
fn a_focal_point_has_a_title_and_ministry() {
    let when = |title: &str, ministry: &str| PfcCommand::AppointFocalPoint {
        person_ref: s("person:0042"),
        title: s(title),
        ministry: s(ministry),
        effective_on: date("2025-04-01"),
        person: Some(registered("person:0042", "NPL", false)),
    };
    check(candidate(), when("", "MoLESS"), Err(PfcError::Empty("title")));
    check(candidate(), when("Joint Secretary", " "), Err(PfcError::Empty("ministry")));
}

#[test]
fn a_focal_point_is_a_registered_person_of_the_country_not_erased() {
    let with = |person: Option<PersonFacts>| PfcCommand::AppointFocalPoint {
        person_ref: s("person:0042"),
        title: s("Joint Secretary"),
        ministry: s("MoLESS"),
        effective_on: date("2025-04-01"),
        person,
    };
    check(candidate(), with(None), Err(PfcError::PersonNotRegistered(s("person:0042"))));
    check(
        candidate(),
        with(Some(registered("person:0099", "NPL", false))),
        Err(PfcError::PersonNotRegistered(s("person:0042"))),
    );
    check(
        candidate(),
        with(Some(registered("person:0042", "NPL", true))),
        Err(PfcError::PersonErased(s("person:0042"))),
    );
    check(
        candidate(),
        with(Some(registered("person:0042", "UGA", false))),
        Err(PfcError::PersonOfAnotherCountry { person: s("person:0042"), country: s("UGA") }),
    );
    assert_eq!(PfcError::PersonErased(s("p")).rule(), "person_erased");
    assert_eq!(PfcError::PersonNotRegistered(s("p")).rule(), "person_not_registered");
}

#[test]
fn appointing_the_current_focal_point_again_is_refused() {
    check(
        onboarding(),
        appoint("person:0042", "2026-01-01"),
        Err(PfcError::FocalPointAlreadyAppointed(s("person:0042"))),
    );
}

#[test]
fn a_focal_point_is_not_appointed_back_in_time() {
    check(candidate(), appoint("person:0042", "2025-03-09"), Err(out_of_order("2025-03-09", "2025-03-10")));
    check(onboarding(), appoint("person:0099", "2025-03-31"), Err(out_of_order("2025-03-31", "2025-04-01")));
}

// --- EstablishNationalMechanism ----------------------------------------------------

#[test]
fn establishing_a_national_mechanism_starts_onboarding() {
    check(candidate(), establish("2025-05-01"), Ok(vec![established("2025-05-01")]));
    let state = fold(with(candidate(), [established("2025-05-01")]));
    assert_eq!(state.stage, PfcStage::Onboarding);
    assert_eq!(state.mechanism.map(|m| m.name), Some(s("National Steering Committee on SDG 8.7")));
}

#[test]
fn a_national_mechanism_may_be_established_later_without_changing_the_stage() {
    check(onboarding(), establish("2025-05-01"), Ok(vec![established("2025-05-01")]));
    check(active(), establish("2026-05-01"), Ok(vec![established("2026-05-01")]));
    let state = fold(with(onboarding(), [established("2025-05-01")]));
    assert_eq!((state.stage, state.stage_since), (PfcStage::Onboarding, Some(date("2025-04-01"))));
}

#[test]
fn a_national_mechanism_is_established_only_from_candidacy_on() {
    check(
        interest(),
        establish("2025-05-01"),
        Err(not_allowed(PfcStage::InterestExpressed, "establish_national_mechanism")),
    );
    check(withdrawn(), establish("2028-07-01"), Err(not_allowed(PfcStage::Withdrawn, "establish_national_mechanism")));
}

#[test]
fn a_national_mechanism_has_a_name_a_lead_and_named_members() {
    let when = |name: &str, lead: &str, member: &str| PfcCommand::EstablishNationalMechanism {
        name: s(name),
        lead_ministry: s(lead),
        members: vec![s("ILO"), s(member)],
        established_on: date("2025-05-01"),
    };
    check(candidate(), when(" ", "MoLESS", "UNICEF"), Err(PfcError::Empty("name")));
    check(candidate(), when("Committee", "", "UNICEF"), Err(PfcError::Empty("lead_ministry")));
    check(candidate(), when("Committee", "MoLESS", " "), Err(PfcError::Empty("members")));
}

#[test]
fn a_national_mechanism_is_not_established_before_the_presentation() {
    check(candidate(), establish("2025-03-01"), Err(out_of_order("2025-03-01", "2025-03-10")));
}

// --- RecordStrategicWorkshop -------------------------------------------------------

#[test]
fn recording_the_workshop_moves_onboarding_on() {
    check(onboarding(), hold_workshop("2025-09-01", Some(HASH)), Ok(vec![workshop("2025-09-01")]));
    let state = fold(workshop_held());
    assert_eq!(state.stage, PfcStage::WorkshopHeld);
    assert_eq!(state.workshop_held_on, Some(date("2025-09-01")));
}

#[test]
fn a_workshop_without_a_report_or_head_count() {
    check(
        onboarding(),
        PfcCommand::RecordStrategicWorkshop {
            held_on: date("2025-09-01"),
            participants_count: None,
            supporting_organisations: vec![],
            report_sha256: None,
        },
        Ok(vec![PfcEvent::StrategicPlanningWorkshopHeld {
            iso3: s("NPL"),
            held_on: date("2025-09-01"),
            participants_count: None,
            supporting_organisations: vec![],
            report_sha256: None,
        }]),
    );
}

#[test]
fn later_workshops_are_recorded_and_the_first_date_kept() {
    check(workshop_held(), hold_workshop("2025-10-01", Some(HASH)), Ok(vec![workshop("2025-10-01")]));
    check(active(), hold_workshop("2029-02-07", Some(HASH)), Ok(vec![workshop("2029-02-07")]));
    let state = fold(with(active(), [workshop("2029-02-07")]));
    assert_eq!((state.stage, state.workshop_held_on), (PfcStage::Active, Some(date("2025-09-01"))));
}

#[test]
fn a_workshop_comes_after_onboarding() {
    check(
        candidate(),
        hold_workshop("2025-09-01", None),
        Err(not_allowed(PfcStage::Candidate, "record_strategic_workshop")),
    );
    check(
        interest(),
        hold_workshop("2025-09-01", None),
        Err(not_allowed(PfcStage::InterestExpressed, "record_strategic_workshop")),
    );
    check(
        revoked_country(),
        hold_workshop("2028-09-01", None),
        Err(not_allowed(PfcStage::Revoked, "record_strategic_workshop")),
    );
}

#[test]
fn a_workshop_report_is_named_by_sha256() {
    check(
        onboarding(),
        hold_workshop("2025-09-01", Some("report.pdf")),
        Err(PfcError::DocumentHashInvalid("report_sha256")),
    );
}

#[test]
fn a_workshop_names_its_supporting_organisations() {
    check(
        onboarding(),
        PfcCommand::RecordStrategicWorkshop {
            held_on: date("2025-09-01"),
            participants_count: None,
            supporting_organisations: vec![s("ILO"), s("")],
            report_sha256: None,
        },
        Err(PfcError::Empty("supporting_organisations")),
    );
}

#[test]
fn a_workshop_is_not_held_before_onboarding() {
    check(onboarding(), hold_workshop("2025-03-31", None), Err(out_of_order("2025-03-31", "2025-04-01")));
}

// --- GrantStatus -------------------------------------------------------------------

#[test]
fn grant_status_after_the_workshop_and_a_submitted_roadmap() {
    check(workshop_held(), grant("2026-03-01", true, adopted(grant_subject("NPL"))), Ok(vec![granted("2026-03-01")]));
    let state = fold(active());
    assert_eq!(state.stage, PfcStage::Active);
    assert_eq!(state.status_granted_on, Some(date("2026-03-01")));
    assert!(!state.legacy);
}

#[test]
fn grant_status_needs_a_submitted_roadmap() {
    check(
        workshop_held(),
        grant("2026-03-01", false, adopted(grant_subject("NPL"))),
        Err(PfcError::RoadmapNotSubmitted),
    );
}

#[test]
fn grant_status_needs_the_workshop() {
    for given in [interest(), candidate(), onboarding()] {
        check(given, grant("2026-03-01", true, adopted(grant_subject("NPL"))), Err(PfcError::WorkshopNotHeld));
    }
}

#[test]
fn grant_legacy_status_as_the_first_event_on_evidence_alone() {
    check(vec![], grant_legacy("LKA", Some(HASH), None), Ok(vec![granted_legacy("LKA", None)]));
    let state = fold(vec![granted_legacy("LKA", None)]);
    assert_eq!(state.iso3, "LKA");
    assert!(state.legacy);
    assert_eq!(state.stage_history, vec![(PfcStage::Active, date("2026-03-01"))]);
}

#[test]
fn a_legacy_grant_records_a_cited_decision() {
    check(
        vec![],
        grant_legacy("LKA", Some(HASH), adopted(grant_subject("LKA"))),
        Ok(vec![granted_legacy("LKA", Some(DECISION))]),
    );
}

#[test]
fn a_legacy_grant_from_any_stage_before_active() {
    for given in [interest(), candidate(), onboarding(), workshop_held()] {
        check(given, grant_legacy("NPL", Some(HASH), None), Ok(vec![granted_legacy("NPL", None)]));
    }
}

#[test]
fn a_legacy_grant_needs_valid_evidence() {
    check(vec![], grant_legacy("LKA", None, None), Err(PfcError::LegacyEvidenceMissing));
    check(vec![], grant_legacy("LKA", None, adopted(grant_subject("LKA"))), Err(PfcError::LegacyEvidenceMissing));
    check(vec![], grant_legacy("LKA", Some("scan.pdf"), None), Err(PfcError::LegacyEvidenceInvalid));
    check(vec![], grant_legacy("LKA", Some(&HASH.to_uppercase()), None), Err(PfcError::LegacyEvidenceInvalid));
}

#[test]
fn a_legacy_grant_citing_the_wrong_decision_is_refused() {
    check(
        vec![],
        grant_legacy("LKA", Some(HASH), adopted(grant_subject("NPL"))),
        Err(wrong_subject("grant_pathfinder_status for this country")),
    );
}

#[test]
fn evidence_on_a_regular_grant_is_not_recorded() {
    check(
        workshop_held(),
        PfcCommand::GrantStatus {
            iso3: s("NPL"),
            effective_on: date("2026-03-01"),
            legacy: false,
            legacy_evidence_sha256: Some(s(HASH)),
            authority: adopted(grant_subject("NPL")),
            roadmap_submitted: true,
        },
        Ok(vec![granted("2026-03-01")]),
    );
}

#[test]
fn a_grant_names_the_streams_country() {
    check(
        workshop_held(),
        PfcCommand::GrantStatus {
            iso3: s("UGA"),
            effective_on: date("2026-03-01"),
            legacy: false,
            legacy_evidence_sha256: None,
            authority: adopted(grant_subject("UGA")),
            roadmap_submitted: true,
        },
        Err(PfcError::Iso3Mismatch { expected: s("NPL"), given: s("UGA") }),
    );
    check(
        interest(),
        grant_legacy("LKA", Some(HASH), None),
        Err(PfcError::Iso3Mismatch { expected: s("NPL"), given: s("LKA") }),
    );
    check(vec![], grant_legacy("ZZZ", Some(HASH), None), Err(PfcError::Iso3Unknown(s("ZZZ"))));
}

#[test]
fn status_is_granted_once() {
    let when = || grant("2027-03-01", true, adopted(grant_subject("NPL")));
    check(active(), when(), Err(not_allowed(PfcStage::Active, "grant_status")));
    check(under_review(), when(), Err(not_allowed(PfcStage::UnderReview, "grant_status")));
    check(inactive(), when(), Err(not_allowed(PfcStage::Inactive, "grant_status")));
    check(withdrawn(), when(), Err(not_allowed(PfcStage::Withdrawn, "grant_status")));
    check(revoked_country(), when(), Err(not_allowed(PfcStage::Revoked, "grant_status")));
    check(active(), grant_legacy("NPL", Some(HASH), None), Err(not_allowed(PfcStage::Active, "grant_status")));
    check(
        with(interest(), [withdrew("2025-06-01")]),
        grant_legacy("NPL", Some(HASH), None),
        Err(not_allowed(PfcStage::Withdrawn, "grant_status")),
    );
}

#[test]
fn grant_status_needs_an_adopted_decision_for_this_country() {
    let needed = "grant_pathfinder_status for this country";
    check(workshop_held(), grant("2026-03-01", true, None), Err(missing(needed)));
    check(
        workshop_held(),
        grant("2026-03-01", true, not_adopted(grant_subject("NPL"))),
        Err(PfcError::Authority(AuthorityError::NotAdopted { decision_id: s(DECISION) })),
    );
    check(workshop_held(), grant("2026-03-01", true, adopted(grant_subject("UGA"))), Err(wrong_subject(needed)));
    check(workshop_held(), grant("2026-03-01", true, adopted(reactivate_subject("NPL"))), Err(wrong_subject(needed)));
}

#[test]
fn status_is_not_granted_before_the_workshop_date() {
    check(
        workshop_held(),
        grant("2025-08-31", true, adopted(grant_subject("NPL"))),
        Err(out_of_order("2025-08-31", "2025-09-01")),
    );
}

// --- FlagForReview -----------------------------------------------------------------

#[test]
fn flag_an_active_country_for_review() {
    check(active(), flag("2027-06-01"), Ok(vec![flagged("2027-06-01")]));
    assert_eq!(fold(under_review()).stage, PfcStage::UnderReview);
}

#[test]
fn only_an_active_country_is_flagged() {
    check(under_review(), flag("2027-07-01"), Err(not_allowed(PfcStage::UnderReview, "flag_for_review")));
    check(inactive(), flag("2027-11-01"), Err(not_allowed(PfcStage::Inactive, "flag_for_review")));
    check(workshop_held(), flag("2025-11-01"), Err(not_allowed(PfcStage::WorkshopHeld, "flag_for_review")));
}

#[test]
fn a_flag_names_the_policy_version() {
    check(
        active(),
        PfcCommand::FlagForReview {
            flagged_on: date("2027-06-01"),
            reason: ReviewReason::Other,
            policy_version: s(""),
        },
        Err(PfcError::Empty("policy_version")),
    );
}

#[test]
fn a_flag_is_not_raised_before_the_grant() {
    check(active(), flag("2026-02-28"), Err(out_of_order("2026-02-28", "2026-03-01")));
}

// --- ClearReview -------------------------------------------------------------------

#[test]
fn clear_a_review_on_a_decision() {
    check(under_review(), clear("2027-09-01", adopted(reactivate_subject("NPL"))), Ok(vec![cleared("2027-09-01")]));
    assert_eq!(fold(with(under_review(), [cleared("2027-09-01")])).stage, PfcStage::Active);
}

#[test]
fn only_a_review_is_cleared() {
    check(
        active(),
        clear("2027-09-01", adopted(reactivate_subject("NPL"))),
        Err(not_allowed(PfcStage::Active, "clear_review")),
    );
    check(
        inactive(),
        clear("2027-11-01", adopted(reactivate_subject("NPL"))),
        Err(not_allowed(PfcStage::Inactive, "clear_review")),
    );
}

#[test]
fn clearing_a_review_needs_a_reactivation_decision_for_this_country() {
    let needed = "reactivate_pathfinder for this country";
    check(under_review(), clear("2027-09-01", None), Err(missing(needed)));
    check(under_review(), clear("2027-09-01", adopted(inactive_subject("NPL"))), Err(wrong_subject(needed)));
    check(under_review(), clear("2027-09-01", adopted(reactivate_subject("UGA"))), Err(wrong_subject(needed)));
}

#[test]
fn a_review_is_not_cleared_before_the_flag() {
    check(
        under_review(),
        clear("2027-05-31", adopted(reactivate_subject("NPL"))),
        Err(out_of_order("2027-05-31", "2027-06-01")),
    );
}

// --- MarkInactive ------------------------------------------------------------------

#[test]
fn mark_an_active_or_reviewed_country_inactive() {
    check(
        active(),
        mark_inactive("2027-10-01", adopted(inactive_subject("NPL"))),
        Ok(vec![marked_inactive("2027-10-01")]),
    );
    check(
        under_review(),
        mark_inactive("2027-10-01", adopted(inactive_subject("NPL"))),
        Ok(vec![marked_inactive("2027-10-01")]),
    );
    assert_eq!(fold(inactive()).stage, PfcStage::Inactive);
}

#[test]
fn only_a_country_with_status_in_force_is_marked_inactive() {
    let when = || mark_inactive("2028-01-01", adopted(inactive_subject("NPL")));
    check(inactive(), when(), Err(not_allowed(PfcStage::Inactive, "mark_inactive")));
    check(workshop_held(), when(), Err(not_allowed(PfcStage::WorkshopHeld, "mark_inactive")));
    check(withdrawn(), when(), Err(not_allowed(PfcStage::Withdrawn, "mark_inactive")));
}

#[test]
fn marking_inactive_needs_a_reason() {
    check(
        active(),
        PfcCommand::MarkInactive {
            on: date("2027-10-01"),
            reason: s(" "),
            authority: adopted(inactive_subject("NPL")),
        },
        Err(PfcError::Empty("reason")),
    );
}

#[test]
fn marking_inactive_needs_the_right_decision() {
    let needed = "mark_pathfinder_inactive for this country";
    check(active(), mark_inactive("2027-10-01", None), Err(missing(needed)));
    check(active(), mark_inactive("2027-10-01", adopted(revoke_subject("NPL"))), Err(wrong_subject(needed)));
    check(active(), mark_inactive("2027-10-01", adopted(inactive_subject("UGA"))), Err(wrong_subject(needed)));
}

#[test]
fn marking_inactive_back_in_time_is_refused() {
    check(
        under_review(),
        mark_inactive("2027-05-01", adopted(inactive_subject("NPL"))),
        Err(out_of_order("2027-05-01", "2027-06-01")),
    );
}

// --- Reactivate --------------------------------------------------------------------

#[test]
fn reactivate_an_inactive_country() {
    check(
        inactive(),
        reactivate("2028-03-01", adopted(reactivate_subject("NPL"))),
        Ok(vec![reactivated("2028-03-01")]),
    );
    assert_eq!(fold(with(inactive(), [reactivated("2028-03-01")])).stage, PfcStage::Active);
}

#[test]
fn only_an_inactive_country_is_reactivated() {
    let when = || reactivate("2028-03-01", adopted(reactivate_subject("NPL")));
    check(active(), when(), Err(not_allowed(PfcStage::Active, "reactivate")));
    check(under_review(), when(), Err(not_allowed(PfcStage::UnderReview, "reactivate")));
    check(revoked_country(), when(), Err(not_allowed(PfcStage::Revoked, "reactivate")));
}

#[test]
fn reactivation_needs_an_adopted_reactivation_decision() {
    let needed = "reactivate_pathfinder for this country";
    check(inactive(), reactivate("2028-03-01", None), Err(missing(needed)));
    check(
        inactive(),
        reactivate("2028-03-01", not_adopted(reactivate_subject("NPL"))),
        Err(PfcError::Authority(AuthorityError::NotAdopted { decision_id: s(DECISION) })),
    );
    check(inactive(), reactivate("2028-03-01", adopted(grant_subject("NPL"))), Err(wrong_subject(needed)));
}

#[test]
fn reactivation_back_in_time_is_refused() {
    check(
        inactive(),
        reactivate("2027-09-30", adopted(reactivate_subject("NPL"))),
        Err(out_of_order("2027-09-30", "2027-10-01")),
    );
}

// --- Withdraw ----------------------------------------------------------------------

#[test]
fn a_government_withdraws_at_any_stage_before_the_end() {
    for given in [interest(), candidate(), onboarding(), workshop_held(), active(), under_review(), inactive()] {
        check(given, withdraw("2028-06-01"), Ok(vec![withdrew("2028-06-01")]));
    }
    assert_eq!(fold(withdrawn()).stage, PfcStage::Withdrawn);
}

#[test]
fn withdrawal_is_final() {
    check(withdrawn(), withdraw("2028-07-01"), Err(not_allowed(PfcStage::Withdrawn, "withdraw")));
    check(revoked_country(), withdraw("2028-08-01"), Err(not_allowed(PfcStage::Revoked, "withdraw")));
}

#[test]
fn a_withdrawal_letter_is_named_by_sha256() {
    check(
        active(),
        PfcCommand::Withdraw { on: date("2028-06-01"), letter_sha256: s("") },
        Err(PfcError::DocumentHashInvalid("letter_sha256")),
    );
}

#[test]
fn a_withdrawal_back_in_time_is_refused() {
    check(active(), withdraw("2026-01-01"), Err(out_of_order("2026-01-01", "2026-03-01")));
}

// --- Revoke ------------------------------------------------------------------------

#[test]
fn revoke_status_in_force() {
    for given in [active(), under_review(), inactive()] {
        check(given, revoke("2028-07-01", adopted(revoke_subject("NPL"))), Ok(vec![revoked("2028-07-01")]));
    }
    assert_eq!(fold(revoked_country()).stage, PfcStage::Revoked);
}

#[test]
fn only_status_in_force_is_revoked() {
    let when = || revoke("2028-08-01", adopted(revoke_subject("NPL")));
    check(workshop_held(), when(), Err(not_allowed(PfcStage::WorkshopHeld, "revoke")));
    check(withdrawn(), when(), Err(not_allowed(PfcStage::Withdrawn, "revoke")));
    check(revoked_country(), when(), Err(not_allowed(PfcStage::Revoked, "revoke")));
}

#[test]
fn a_revocation_needs_a_reason() {
    check(
        active(),
        PfcCommand::Revoke { on: date("2028-07-01"), reason: s(""), authority: adopted(revoke_subject("NPL")) },
        Err(PfcError::Empty("reason")),
    );
}

#[test]
fn a_revocation_needs_the_right_decision() {
    let needed = "revoke_pathfinder_status for this country";
    check(active(), revoke("2028-07-01", None), Err(missing(needed)));
    check(active(), revoke("2028-07-01", adopted(inactive_subject("NPL"))), Err(wrong_subject(needed)));
    check(active(), revoke("2028-07-01", adopted(revoke_subject("LKA"))), Err(wrong_subject(needed)));
}

#[test]
fn a_revocation_back_in_time_is_refused() {
    check(
        inactive(),
        revoke("2027-01-01", adopted(revoke_subject("NPL"))),
        Err(out_of_order("2027-01-01", "2027-10-01")),
    );
}

// --- StartSupport / EndSupport -----------------------------------------------------

#[test]
fn start_in_country_support() {
    check(interest(), start_support("ILO", "2025-02-01"), Ok(vec![support_started("ILO", "2025-02-01")]));
    check(
        with(active(), [support_started("ILO", "2025-02-01")]),
        start_support("UNICEF", "2026-04-01"),
        Ok(vec![support_started("UNICEF", "2026-04-01")]),
    );
    check(
        interest(),
        PfcCommand::StartSupport { organisation: s("IOM"), project_ref: None, on: date("2025-02-01") },
        Ok(vec![PfcEvent::InCountrySupportStarted {
            iso3: s("NPL"),
            organisation: s("IOM"),
            project_ref: None,
            on: date("2025-02-01"),
        }]),
    );
}

#[test]
fn one_open_support_per_organisation() {
    let given = with(active(), [support_started("ILO", "2025-02-01")]);
    check(given.clone(), start_support("ILO", "2026-04-01"), Err(PfcError::SupportAlreadyOpen(s("ILO"))));
    check(
        with(given, [support_ended("ILO", "2026-12-31")]),
        start_support("ILO", "2027-04-01"),
        Ok(vec![support_started("ILO", "2027-04-01")]),
    );
}

#[test]
fn support_starts_only_before_the_end() {
    check(withdrawn(), start_support("ILO", "2028-07-01"), Err(not_allowed(PfcStage::Withdrawn, "start_support")));
    check(revoked_country(), start_support("ILO", "2028-08-01"), Err(not_allowed(PfcStage::Revoked, "start_support")));
}

#[test]
fn support_names_its_organisation_and_project() {
    check(active(), start_support(" ", "2026-04-01"), Err(PfcError::Empty("organisation")));
    check(
        active(),
        PfcCommand::StartSupport { organisation: s("ILO"), project_ref: Some(s("")), on: date("2026-04-01") },
        Err(PfcError::Empty("project_ref")),
    );
}

#[test]
fn end_in_country_support() {
    let given = with(active(), [support_started("ILO", "2025-02-01")]);
    check(given.clone(), end_support("ILO", "2026-12-31"), Ok(vec![support_ended("ILO", "2026-12-31")]));
    // On the day it started; and after the country withdrew (the project closes later).
    check(given.clone(), end_support("ILO", "2025-02-01"), Ok(vec![support_ended("ILO", "2025-02-01")]));
    check(
        with(given, [withdrew("2028-06-01")]),
        end_support("ILO", "2028-12-31"),
        Ok(vec![support_ended("ILO", "2028-12-31")]),
    );
}

#[test]
fn end_support_that_is_not_open_is_refused() {
    check(active(), end_support("ILO", "2026-12-31"), Err(PfcError::SupportNotOpen(s("ILO"))));
    check(
        with(active(), [support_started("ILO", "2025-02-01"), support_ended("ILO", "2026-12-31")]),
        end_support("ILO", "2027-12-31"),
        Err(PfcError::SupportNotOpen(s("ILO"))),
    );
}

#[test]
fn support_ends_after_it_starts() {
    check(
        with(active(), [support_started("ILO", "2025-02-01")]),
        end_support("ILO", "2025-01-31"),
        Err(out_of_order("2025-01-31", "2025-02-01")),
    );
}

// --- evolve ------------------------------------------------------------------------

#[test]
fn evolve_keeps_every_stage_with_its_start() {
    let state = fold(with(
        candidate(),
        [
            established("2025-05-01"),
            appointed("person:0042", "2025-06-01", None),
            workshop("2025-09-01"),
            granted("2026-03-01"),
            flagged("2027-06-01"),
            cleared("2027-09-01"),
            marked_inactive("2027-10-01"),
            reactivated("2028-03-01"),
            support_started("ILO", "2025-02-01"),
            support_started("UNICEF", "2026-02-01"),
            support_ended("ILO", "2027-12-31"),
            withdrew("2028-06-01"),
        ],
    ));
    assert_eq!(state.iso3, "NPL");
    assert_eq!(
        state.stage_history,
        vec![
            (PfcStage::InterestExpressed, date("2025-01-15")),
            (PfcStage::Candidate, date("2025-03-10")),
            (PfcStage::Onboarding, date("2025-05-01")),
            (PfcStage::WorkshopHeld, date("2025-09-01")),
            (PfcStage::Active, date("2026-03-01")),
            (PfcStage::UnderReview, date("2027-06-01")),
            (PfcStage::Active, date("2027-09-01")),
            (PfcStage::Inactive, date("2027-10-01")),
            (PfcStage::Active, date("2028-03-01")),
            (PfcStage::Withdrawn, date("2028-06-01")),
        ]
    );
    assert_eq!((state.stage, state.stage_since), (PfcStage::Withdrawn, Some(date("2028-06-01"))));
    assert_eq!(state.interest_expressed_on, Some(date("2025-01-15")));
    assert_eq!(state.workshop_held_on, Some(date("2025-09-01")));
    assert_eq!(state.status_granted_on, Some(date("2026-03-01")));
    assert_eq!(
        state.focal_point,
        Some(FocalPoint {
            person_ref: s("person:0042"),
            title: s("Joint Secretary"),
            ministry: s("MoLESS"),
            since: date("2025-06-01"),
        })
    );
    assert_eq!(state.mechanism.as_ref().map(|m| m.members.len()), Some(2));
    assert_eq!(
        state.support[0],
        Support {
            organisation: s("ILO"),
            project_ref: Some(s("ACCEL-Asia")),
            from: date("2025-02-01"),
            until: Some(date("2027-12-31")),
            end_reason: Some(SupportEndReason::ProjectClosed),
        }
    );
    assert_eq!(state.supporting_organisations(), vec!["UNICEF"]);
}

#[test]
fn time_in_stage_and_the_derived_roadmap_stage() {
    let state = fold(workshop_held());
    assert_eq!(state.days_in_stage(date("2025-09-11")), Some(10));
    assert_eq!(state.stage_given(false), PfcStage::WorkshopHeld);
    assert_eq!(state.stage_given(true), PfcStage::RoadmapUnderReview);
    assert_eq!(fold(active()).stage_given(true), PfcStage::Active);
    assert_eq!(PathfinderCountry::default().days_in_stage(date("2025-09-11")), None);
    assert!(!PathfinderCountry::default().is_registered());
    assert!(PfcStage::Inactive.holds_status() && !PfcStage::Withdrawn.holds_status());
    assert!(PfcStage::Revoked.is_terminal() && !PfcStage::Inactive.is_terminal());
}

// --- commands on the wire ----------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    let base = r#""command":"grant_status","iso3":"NPL","effective_on":"2026-03-01","legacy":false,"legacy_evidence_sha256":null"#;
    let decision = r#"{"decision_id":"GCG-21/D03","status":"adopted","subject":{"kind":"grant_pathfinder_status","iso3":"NPL"},"adopted_on":"2026-02-20"}"#;
    assert!(serde_json::from_str::<PfcCommand>(&format!("{{{base},\"authority\":{decision}}}")).is_err());
    assert!(serde_json::from_str::<PfcCommand>(&format!("{{{base},\"roadmap_submitted\":true}}")).is_err());
    let command: PfcCommand = serde_json::from_str(&format!("{{{base}}}")).expect("deserialises");
    assert_eq!(command, grant("2026-03-01", false, None));
    for json in [
        r#"{"command":"clear_review","cleared_on":"2027-09-01","authority":null}"#,
        r#"{"command":"mark_inactive","on":"2027-10-01","reason":"r","authority":null}"#,
        r#"{"command":"reactivate","on":"2028-03-01","authority":null}"#,
        r#"{"command":"revoke","on":"2028-07-01","reason":"r","authority":null}"#,
    ] {
        assert!(serde_json::from_str::<PfcCommand>(json).is_err(), "{json}");
    }
}

#[test]
fn every_command_name_is_its_tag() {
    for command in [
        eoi_command("NPL"),
        present("2025-03-10"),
        PfcCommand::AppointFocalPoint {
            person_ref: s("person:0042"),
            title: s("Joint Secretary"),
            ministry: s("MoLESS"),
            effective_on: date("2025-04-01"),
            person: None,
        },
        establish("2025-05-01"),
        hold_workshop("2025-09-01", None),
        grant("2026-03-01", false, None),
        flag("2027-06-01"),
        clear("2027-09-01", None),
        mark_inactive("2027-10-01", None),
        reactivate("2028-03-01", None),
        withdraw("2028-06-01"),
        revoke("2028-07-01", None),
        start_support("ILO", "2025-02-01"),
        end_support("ILO", "2025-12-31"),
    ] {
        let json = serde_json::to_value(&command).expect("serialises");
        assert_eq!(json["command"], command.name());
        assert_eq!(serde_json::from_value::<PfcCommand>(json).expect("deserialises"), command);
    }
}

// --- rule names --------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<PfcError> {
    use PfcError::*;
    vec![
        NotRegistered,
        TransitionNotAllowed { from: PfcStage::Active, command: "grant_status" },
        Iso3Unknown(s("XXX")),
        Iso3Mismatch { expected: s("NPL"), given: s("UGA") },
        Empty("reason"),
        DocumentHashInvalid("letter_sha256"),
        PersonRefNotPseudonymous,
        FocalPointAlreadyAppointed(s("person:0042")),
        DateOutOfOrder { date: date("2025-01-14"), earliest: date("2025-01-15") },
        WorkshopNotHeld,
        RoadmapNotSubmitted,
        LegacyEvidenceMissing,
        LegacyEvidenceInvalid,
        SupportAlreadyOpen(s("ILO")),
        SupportNotOpen(s("ILO")),
        Authority(AuthorityError::Missing { needed: "grant_pathfinder_status for this country" }),
        Authority(AuthorityError::NotAdopted { decision_id: s(DECISION) }),
        Authority(AuthorityError::WrongSubject { decision_id: s(DECISION), needed: "revoke_pathfinder_status" }),
        PersonNotRegistered(s("person:0042")),
        PersonErased(s("person:0042")),
        PersonOfAnotherCountry { person: s("person:0042"), country: s("UGA") },
    ]
}

fn ordinal(error: &PfcError) -> usize {
    use PfcError::*;
    match error {
        NotRegistered => 0,
        TransitionNotAllowed { .. } => 1,
        Iso3Unknown(_) => 2,
        Iso3Mismatch { .. } => 3,
        Empty(_) => 4,
        DocumentHashInvalid(_) => 5,
        PersonRefNotPseudonymous => 6,
        FocalPointAlreadyAppointed(_) => 7,
        DateOutOfOrder { .. } => 8,
        WorkshopNotHeld => 9,
        RoadmapNotSubmitted => 10,
        LegacyEvidenceMissing => 11,
        LegacyEvidenceInvalid => 12,
        SupportAlreadyOpen(_) => 13,
        SupportNotOpen(_) => 14,
        Authority(AuthorityError::Missing { .. }) => 15,
        Authority(AuthorityError::NotAdopted { .. }) => 16,
        Authority(AuthorityError::WrongSubject { .. }) => 17,
        PersonNotRegistered(_) => 18,
        PersonErased(_) => 19,
        PersonOfAnotherCountry { .. } => 20,
    }
}

#[test]
fn every_rule_name_is_unique_snake_case() {
    let errors = all_errors();
    let ordinals: Vec<usize> = errors.iter().map(ordinal).collect();
    let rules: Vec<(&'static str, String)> = errors.iter().map(|e| (e.rule(), e.to_string())).collect();
    crate::testing::assert_rules_well_formed(&ordinals, &rules);
}

// --- stored schema -----------------------------------------------------------------

#[track_caller]
fn golden(event: PfcEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: PfcEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_expression_of_interest_received() {
    golden(
        eoi(),
        "ExpressionOfInterestReceived",
        r#"{"ExpressionOfInterestReceived":{"iso3":"NPL","letter_date":"2025-01-15","signatory_title":"Minister of Labour","ministry":"Ministry of Labour, Employment and Social Security","letter_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"#,
    );
}

#[test]
fn golden_pathfinder_status_granted() {
    golden(
        granted_legacy("LKA", None),
        "PathfinderStatusGranted",
        r#"{"PathfinderStatusGranted":{"iso3":"LKA","effective_on":"2026-03-01","decision_id":null,"legacy":true,"legacy_evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"#,
    );
}

#[test]
fn golden_focal_point_appointed() {
    golden(
        appointed("person:0099", "2028-01-01", Some("person:0042")),
        "FocalPointAppointed",
        r#"{"FocalPointAppointed":{"iso3":"NPL","person_ref":"person:0099","title":"Joint Secretary","ministry":"MoLESS","effective_on":"2028-01-01","replaces":"person:0042"}}"#,
    );
}

#[test]
fn golden_review_flagged_and_support_ended() {
    golden(
        flagged("2027-06-01"),
        "PathfinderStatusReviewFlagged",
        r#"{"PathfinderStatusReviewFlagged":{"iso3":"NPL","flagged_on":"2027-06-01","reason":"report_overdue","policy_version":"pfc-accountability/2023-provisional"}}"#,
    );
    golden(
        support_ended("ILO", "2026-12-31"),
        "InCountrySupportEnded",
        r#"{"InCountrySupportEnded":{"iso3":"NPL","organisation":"ILO","on":"2026-12-31","reason":"project_closed"}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (presented("2025-03-10"), "CandidacyPresentedToGcg"),
        (established("2025-05-01"), "NationalCoordinationMechanismEstablished"),
        (workshop("2025-09-01"), "StrategicPlanningWorkshopHeld"),
        (cleared("2027-09-01"), "PathfinderReviewCleared"),
        (marked_inactive("2027-10-01"), "PathfinderMarkedInactive"),
        (reactivated("2028-03-01"), "PathfinderReactivated"),
        (withdrew("2028-06-01"), "PathfinderWithdrew"),
        (revoked("2028-07-01"), "PathfinderStatusRevoked"),
        (support_started("ILO", "2025-02-01"), "InCountrySupportStarted"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<PfcEvent>(&json).expect("deserialises"), event);
    }
}
