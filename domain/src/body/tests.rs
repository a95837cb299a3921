//! Given/when/then tests of the `Body` aggregate (the GCG): past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the
//! outcome (events or the exact refusal) is compared. Also: the as-of queries
//! ([`Body::policy_on`], [`Body::office_holder_on`], [`Body::voting_seats_filled_on`],
//! [`Seat::holder_on`]), every refusal's rule name, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::decision::DecisionStatus;

#[track_caller]
fn check(given: Vec<BodyEvent>, when: BodyCommand, then: Result<Vec<BodyEvent>, BodyError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<BodyEvent>) -> Body {
    let mut state = Body::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

/// `given` followed by `more`.
fn with(mut given: Vec<BodyEvent>, more: impl IntoIterator<Item = BodyEvent>) -> Vec<BodyEvent> {
    given.extend(more);
    given
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const V1: &str = "gcg-rules/v1-provisional";

// --- fixtures ---------------------------------------------------------------------

fn establish() -> BodyCommand {
    BodyCommand::Establish {
        body_id: "gcg".to_string(),
        name: "Global Coordinating Group".to_string(),
        established_on: date("2020-01-01"),
        secretariat: "ILO".to_string(),
        initial_policy: GovernancePolicy::provisional_v1(),
    }
}

fn established() -> BodyEvent {
    BodyEvent::BodyEstablished {
        body_id: "gcg".to_string(),
        name: "Global Coordinating Group".to_string(),
        established_on: date("2020-01-01"),
        secretariat: "ILO".to_string(),
    }
}

fn initial_policy() -> BodyEvent {
    BodyEvent::PolicyVersionAdopted {
        policy: GovernancePolicy::provisional_v1(),
        effective_on: date("2020-01-01"),
        decision_id: None,
    }
}

/// The GCG established on 1 January 2020 under the provisional rules, ILO as Secretariat.
fn gcg() -> Vec<BodyEvent> {
    vec![established(), initial_policy()]
}

fn adopted(id: &str, subject: DecisionSubject, on: &str) -> Option<DecisionFacts> {
    Some(DecisionFacts::adopted(id, subject, date(on)))
}

fn proposed_only(id: &str, subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts {
        decision_id: id.to_string(),
        status: DecisionStatus::Proposed,
        subject: Some(subject),
        adopted_on: None,
    })
}

fn chair_subject() -> DecisionSubject {
    DecisionSubject::ElectOfficeHolder { office: "chair".to_string() }
}

fn deputy_subject() -> DecisionSubject {
    DecisionSubject::ElectOfficeHolder { office: "deputy_chair".to_string() }
}

// Seats.

fn define(seat: &str, constituency: Constituency, region: Option<Region>, voting: bool, on: &str) -> BodyCommand {
    BodyCommand::DefineSeat { seat_id: seat.to_string(), constituency, region, voting, defined_on: date(on) }
}

fn defined_warning(
    seat: &str,
    constituency: Constituency,
    region: Option<Region>,
    voting: bool,
    on: &str,
    warnings: &[&str],
) -> BodyEvent {
    BodyEvent::SeatDefined {
        seat_id: seat.to_string(),
        constituency,
        region,
        voting,
        defined_on: date(on),
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
    }
}

fn defined(seat: &str, constituency: Constituency, region: Option<Region>, voting: bool, on: &str) -> BodyEvent {
    defined_warning(seat, constituency, region, voting, on, &[])
}

/// A voting Pathfinder Country seat defined on 1 January 2020.
fn pfc(seat: &str, region: Region) -> BodyEvent {
    defined(seat, Constituency::PathfinderCountry, Some(region), true, "2020-01-01")
}

/// The Secretariat's non-voting seat, defined on 1 January 2020.
fn secretariat_seat() -> BodyEvent {
    defined("seat-secretariat", Constituency::Secretariat, None, false, "2020-01-01")
}

fn assign(seat: &str, holder: &str, from: &str) -> BodyCommand {
    BodyCommand::AssignSeat {
        seat_id: seat.to_string(),
        holder: holder.to_string(),
        from: date(from),
        holder_known: true,
        authority: None,
    }
}

fn assigned(seat: &str, holder: &str, from: &str) -> BodyEvent {
    BodyEvent::SeatAssigned {
        seat_id: seat.to_string(),
        holder: holder.to_string(),
        from: date(from),
        decision_id: None,
    }
}

fn vacate(seat: &str, on: &str) -> BodyCommand {
    BodyCommand::VacateSeat { seat_id: seat.to_string(), on: date(on), reason: VacancyReason::Resigned }
}

fn vacated(seat: &str, holder: &str, on: &str) -> BodyEvent {
    BodyEvent::SeatVacated {
        seat_id: seat.to_string(),
        holder: holder.to_string(),
        on: date(on),
        reason: VacancyReason::Resigned,
    }
}

fn retire(seat: &str, on: &str) -> BodyCommand {
    BodyCommand::RetireSeat { seat_id: seat.to_string(), on: date(on) }
}

fn retired(seat: &str, on: &str) -> BodyEvent {
    BodyEvent::SeatRetired { seat_id: seat.to_string(), on: date(on) }
}

/// Côte d'Ivoire in the Africa PFC seat from 1 January 2021 until it resigned on 1 June
/// 2023 (the seat is free that day).
fn civ_held_then_vacated() -> Vec<BodyEvent> {
    with(
        gcg(),
        [
            pfc("seat-pfc-africa", Region::Africa),
            assigned("seat-pfc-africa", "CIV", "2021-01-01"),
            vacated("seat-pfc-africa", "CIV", "2023-06-01"),
        ],
    )
}

// Calls.

fn open_call(call: &str, offices: Vec<Office>, opened: &str, closes: &str) -> BodyCommand {
    BodyCommand::OpenCall { call_id: call.to_string(), offices, opened_on: date(opened), closes_on: date(closes) }
}

fn call_opened() -> BodyEvent {
    BodyEvent::LeadershipCallOpened {
        call_id: "call-2023".to_string(),
        offices: vec![Office::Chair, Office::DeputyChair],
        opened_on: date("2023-02-01"),
        closes_on: date("2023-03-31"),
        term_years: Some(3),
    }
}

fn submit(office: Office, candidate: &str, on: &str) -> BodyCommand {
    BodyCommand::SubmitCandidacy {
        call_id: "call-2023".to_string(),
        office,
        candidate: candidate.to_string(),
        submitted_on: date(on),
        letter_sha256: Some(HASH.to_string()),
        candidate_known: true,
    }
}

fn submitted(office: Office, candidate: &str, on: &str) -> BodyEvent {
    BodyEvent::CandidacySubmitted {
        call_id: "call-2023".to_string(),
        office,
        candidate: candidate.to_string(),
        submitted_on: date(on),
        letter_sha256: Some(HASH.to_string()),
    }
}

fn close_call(on: &str) -> BodyCommand {
    BodyCommand::CloseCall { call_id: "call-2023".to_string(), closed_on: date(on) }
}

fn call_closed(on: &str, candidates: u32) -> BodyEvent {
    BodyEvent::LeadershipCallClosed { call_id: "call-2023".to_string(), closed_on: date(on), candidates }
}

// Terms.

fn elect(term: &str, office: Office, holder: &str, start: &str, end: &str) -> BodyCommand {
    let subject = DecisionSubject::ElectOfficeHolder { office: office.as_str().to_string() };
    BodyCommand::ElectOfficeHolder {
        term_id: term.to_string(),
        office,
        holder: holder.to_string(),
        term_start: date(start),
        term_end: date(end),
        holder_known: true,
        authority: adopted("GCG-D-ELECT", subject, start),
    }
}

fn elect_with(
    term: &str,
    office: Office,
    holder: &str,
    (start, end): (&str, &str),
    authority: Option<DecisionFacts>,
) -> BodyCommand {
    BodyCommand::ElectOfficeHolder {
        term_id: term.to_string(),
        office,
        holder: holder.to_string(),
        term_start: date(start),
        term_end: date(end),
        holder_known: true,
        authority,
    }
}

fn elected(term: &str, office: Office, holder: &str, start: &str, end: &str) -> BodyEvent {
    BodyEvent::OfficeHolderElected {
        term_id: term.to_string(),
        office,
        holder: holder.to_string(),
        term_start: date(start),
        term_end: date(end),
        decision_id: "GCG-D-ELECT".to_string(),
        policy_version: Some(V1.to_string()),
    }
}

fn began(term: &str, on: &str) -> BodyEvent {
    BodyEvent::TermBegan { term_id: term.to_string(), on: date(on) }
}

fn ended(term: &str, on: &str, reason: TermEndReason) -> BodyEvent {
    BodyEvent::TermEnded { term_id: term.to_string(), on: date(on), reason }
}

fn extend(term: &str, new_end: &str, authority: Option<DecisionFacts>) -> BodyCommand {
    BodyCommand::ExtendTerm { term_id: term.to_string(), new_end: date(new_end), authority }
}

fn extend_chair_subject() -> DecisionSubject {
    DecisionSubject::ExtendTerm { office: "chair".to_string() }
}

/// France chaired from 1 June 2020 to 31 May 2023 (served in full).
fn france_chair_served() -> Vec<BodyEvent> {
    with(
        gcg(),
        [
            elected("term-fra", Office::Chair, "FRA", "2020-06-01", "2023-05-31"),
            began("term-fra", "2020-06-01"),
            ended("term-fra", "2023-05-31", TermEndReason::Expired),
        ],
    )
}

/// France's chair term, elected and begun, not yet ended.
fn france_chair_in_office() -> Vec<BodyEvent> {
    with(
        gcg(),
        [elected("term-fra", Office::Chair, "FRA", "2020-06-01", "2023-05-31"), began("term-fra", "2020-06-01")],
    )
}

// --- Establish --------------------------------------------------------------------

#[test]
fn establish_records_the_body_and_its_initial_rules() {
    check(vec![], establish(), Ok(gcg()));
}

#[test]
fn establish_twice_is_refused() {
    check(gcg(), establish(), Err(BodyError::AlreadyEstablished));
}

#[test]
fn establish_with_blank_fields_is_refused() {
    let with_fields = |body_id: &str, name: &str, secretariat: &str, version: &str| BodyCommand::Establish {
        body_id: body_id.to_string(),
        name: name.to_string(),
        established_on: date("2020-01-01"),
        secretariat: secretariat.to_string(),
        initial_policy: GovernancePolicy { version: version.to_string(), ..GovernancePolicy::provisional_v1() },
    };
    check(vec![], with_fields(" ", "GCG", "ILO", V1), Err(BodyError::Empty("body_id")));
    check(vec![], with_fields("gcg", "", "ILO", V1), Err(BodyError::Empty("name")));
    check(vec![], with_fields("gcg", "GCG", "\t", V1), Err(BodyError::Empty("secretariat")));
    check(vec![], with_fields("gcg", "GCG", "ILO", " "), Err(BodyError::Empty("policy.version")));
}

#[test]
fn nothing_happens_before_the_body_is_established() {
    for when in [
        define("seat-pfc-africa", Constituency::PathfinderCountry, Some(Region::Africa), true, "2020-01-01"),
        assign("seat-pfc-africa", "CIV", "2021-01-01"),
        open_call("call-2023", vec![Office::Chair], "2023-02-01", "2023-03-31"),
        elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31"),
        BodyCommand::BeginTerm { term_id: "term-chl".to_string(), on: date("2023-06-01") },
    ] {
        check(vec![], when, Err(BodyError::NotEstablished));
    }
}

// --- AdoptPolicy ------------------------------------------------------------------

fn policy_v2() -> GovernancePolicy {
    GovernancePolicy {
        version: "gcg-rules/v2".to_string(),
        provisional: false,
        written_procedure_allowed: true,
        chair_term_years: Some(2),
        ..GovernancePolicy::provisional_v1()
    }
}

fn adopt_policy(policy: GovernancePolicy, effective_on: &str, authority: Option<DecisionFacts>) -> BodyCommand {
    BodyCommand::AdoptPolicy { policy, effective_on: date(effective_on), authority }
}

fn v2_subject() -> DecisionSubject {
    DecisionSubject::AdoptPolicy { policy: "gcg-rules/v2".to_string() }
}

fn v2_adopted() -> BodyEvent {
    BodyEvent::PolicyVersionAdopted {
        policy: policy_v2(),
        effective_on: date("2024-01-01"),
        decision_id: Some("GCG-30-D02".to_string()),
    }
}

#[test]
fn adopt_a_policy_version_on_a_decision() {
    check(
        gcg(),
        adopt_policy(policy_v2(), "2024-01-01", adopted("GCG-30-D02", v2_subject(), "2023-11-20")),
        Ok(vec![v2_adopted()]),
    );
}

#[test]
fn adopt_a_policy_without_a_decision_is_refused() {
    check(
        gcg(),
        adopt_policy(policy_v2(), "2024-01-01", None),
        Err(BodyError::Authority(AuthorityError::Missing { needed: "adopt_policy for this version" })),
    );
}

#[test]
fn adopt_a_policy_on_a_decision_not_adopted_is_refused() {
    check(
        gcg(),
        adopt_policy(policy_v2(), "2024-01-01", proposed_only("GCG-30-D02", v2_subject())),
        Err(BodyError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-30-D02".to_string() })),
    );
}

#[test]
fn adopt_a_policy_on_a_decision_about_another_version_is_refused() {
    let expected = Err(BodyError::Authority(AuthorityError::WrongSubject {
        decision_id: "GCG-30-D02".to_string(),
        needed: "adopt_policy for this version",
    }));
    let v3 = DecisionSubject::AdoptPolicy { policy: "gcg-rules/v3".to_string() };
    check(gcg(), adopt_policy(policy_v2(), "2024-01-01", adopted("GCG-30-D02", v3, "2023-11-20")), expected.clone());
    check(
        gcg(),
        adopt_policy(policy_v2(), "2024-01-01", adopted("GCG-30-D02", DecisionSubject::Procedural, "2023-11-20")),
        expected,
    );
}

#[test]
fn adopt_an_existing_policy_version_is_refused() {
    let v1_subject = DecisionSubject::AdoptPolicy { policy: V1.to_string() };
    check(
        gcg(),
        adopt_policy(GovernancePolicy::provisional_v1(), "2024-01-01", adopted("GCG-30-D02", v1_subject, "2023-11-20")),
        Err(BodyError::PolicyVersionExists(V1.to_string())),
    );
}

#[test]
fn adopt_a_policy_effective_before_the_version_in_force_is_refused() {
    check(
        with(gcg(), [v2_adopted()]),
        adopt_policy(
            GovernancePolicy { version: "gcg-rules/v3".to_string(), ..policy_v2() },
            "2023-12-31",
            adopted("GCG-31-D01", DecisionSubject::AdoptPolicy { policy: "gcg-rules/v3".to_string() }, "2023-12-01"),
        ),
        Err(BodyError::PolicyEffectiveBeforeCurrent),
    );
}

#[test]
fn adopt_a_policy_with_a_blank_version_is_refused() {
    check(
        gcg(),
        adopt_policy(GovernancePolicy { version: " ".to_string(), ..policy_v2() }, "2024-01-01", None),
        Err(BodyError::Empty("policy.version")),
    );
}

#[test]
fn policy_on_is_the_version_in_force_on_the_date() {
    let body = fold(with(gcg(), [v2_adopted()]));
    let version = |on: &str| body.policy_on(date(on)).map(|p| p.version.as_str());
    assert_eq!(version("2023-12-31"), Some(V1));
    assert_eq!(version("2024-01-01"), Some("gcg-rules/v2"));
    assert_eq!(version("2030-01-01"), Some("gcg-rules/v2"));
    // Backfilled history predating the ledger's rules is judged under the first version.
    assert_eq!(version("2016-09-21"), Some(V1));
    assert_eq!(Body::default().policy_on(date("2024-01-01")), None);
}

#[test]
fn a_call_opened_under_a_later_policy_announces_its_term_length() {
    check(
        with(gcg(), [v2_adopted()]),
        open_call("call-2026", vec![Office::Chair], "2026-02-01", "2026-03-31"),
        Ok(vec![BodyEvent::LeadershipCallOpened {
            call_id: "call-2026".to_string(),
            offices: vec![Office::Chair],
            opened_on: date("2026-02-01"),
            closes_on: date("2026-03-31"),
            term_years: Some(2),
        }]),
    );
}

// --- DefineSeat -------------------------------------------------------------------

#[test]
fn define_a_pathfinder_country_seat() {
    check(
        gcg(),
        define("seat-pfc-africa", Constituency::PathfinderCountry, Some(Region::Africa), true, "2020-01-01"),
        Ok(vec![pfc("seat-pfc-africa", Region::Africa)]),
    );
}

#[test]
fn a_second_pfc_seat_in_a_region_is_defined_with_a_warning() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        define("seat-pfc-africa-2", Constituency::PathfinderCountry, Some(Region::Africa), true, "2022-12-01"),
        Ok(vec![defined_warning(
            "seat-pfc-africa-2",
            Constituency::PathfinderCountry,
            Some(Region::Africa),
            true,
            "2022-12-01",
            &["region_already_represented"],
        )]),
    );
}

#[test]
fn no_region_warning_for_another_region_a_retired_seat_or_another_constituency() {
    // Another region.
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        define("seat-pfc-asia", Constituency::PathfinderCountry, Some(Region::AsiaPacific), true, "2020-01-01"),
        Ok(vec![pfc("seat-pfc-asia", Region::AsiaPacific)]),
    );
    // The region's seat was retired by then.
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa), retired("seat-pfc-africa", "2022-01-01")]),
        define("seat-pfc-africa-2", Constituency::PathfinderCountry, Some(Region::Africa), true, "2022-01-01"),
        Ok(vec![defined(
            "seat-pfc-africa-2",
            Constituency::PathfinderCountry,
            Some(Region::Africa),
            true,
            "2022-01-01",
        )]),
    );
    // The principle is about PFC seats only.
    check(
        with(gcg(), [defined("seat-dp-1", Constituency::DevelopmentPartner, Some(Region::Africa), true, "2020-01-01")]),
        define("seat-dp-2", Constituency::DevelopmentPartner, Some(Region::Africa), true, "2020-01-01"),
        Ok(vec![defined("seat-dp-2", Constituency::DevelopmentPartner, Some(Region::Africa), true, "2020-01-01")]),
    );
}

/// Five PFC seats, one per region: the provisional rules' limit.
fn five_pfc_seats() -> Vec<BodyEvent> {
    with(
        gcg(),
        [
            pfc("seat-pfc-africa", Region::Africa),
            pfc("seat-pfc-americas", Region::Americas),
            pfc("seat-pfc-arab", Region::ArabStates),
            pfc("seat-pfc-asia", Region::AsiaPacific),
            pfc("seat-pfc-europe", Region::EuropeCentralAsia),
        ],
    )
}

#[test]
fn a_sixth_pfc_seat_is_refused() {
    check(
        five_pfc_seats(),
        define("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2022-12-01"),
        Err(BodyError::ConstituencyFull(Constituency::PathfinderCountry, 5)),
    );
}

#[test]
fn a_retired_seat_frees_its_place_in_the_constituency() {
    let given = with(five_pfc_seats(), [retired("seat-pfc-europe", "2023-01-01")]);
    // Not yet free the day before the retirement.
    check(
        given.clone(),
        define("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2022-12-31"),
        Err(BodyError::ConstituencyFull(Constituency::PathfinderCountry, 5)),
    );
    check(
        given,
        define("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2023-01-01"),
        Ok(vec![defined("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2023-01-01")]),
    );
}

#[test]
fn the_limit_is_the_one_of_the_policy_in_force() {
    let six = GovernancePolicy {
        version: "gcg-rules/v2".to_string(),
        seat_limits: vec![crate::policy::SeatLimit { constituency: Constituency::PathfinderCountry, max: 6 }],
        ..GovernancePolicy::provisional_v1()
    };
    let given = with(
        five_pfc_seats(),
        [BodyEvent::PolicyVersionAdopted {
            policy: six,
            effective_on: date("2024-01-01"),
            decision_id: Some("GCG-30-D02".to_string()),
        }],
    );
    check(
        given.clone(),
        define("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2023-12-31"),
        Err(BodyError::ConstituencyFull(Constituency::PathfinderCountry, 5)),
    );
    check(
        given,
        define("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2024-01-01"),
        Ok(vec![defined("seat-pfc-6", Constituency::PathfinderCountry, None, true, "2024-01-01")]),
    );
}

#[test]
fn constituencies_without_a_limit_take_any_number_of_seats() {
    let given = with(
        gcg(),
        (1..=6).map(|n| defined(&format!("seat-cso-{n}"), Constituency::CivilSociety, None, true, "2020-01-01")),
    );
    check(
        given,
        define("seat-cso-7", Constituency::CivilSociety, None, true, "2020-01-01"),
        Ok(vec![defined("seat-cso-7", Constituency::CivilSociety, None, true, "2020-01-01")]),
    );
}

#[test]
fn the_secretariat_has_one_non_voting_seat() {
    check(
        gcg(),
        define("seat-secretariat", Constituency::Secretariat, None, false, "2020-01-01"),
        Ok(vec![secretariat_seat()]),
    );
    check(
        gcg(),
        define("seat-secretariat", Constituency::Secretariat, None, true, "2020-01-01"),
        Err(BodyError::SecretariatSeatVotes),
    );
    check(
        with(gcg(), [secretariat_seat()]),
        define("seat-secretariat-2", Constituency::Secretariat, None, false, "2020-01-01"),
        Err(BodyError::ConstituencyFull(Constituency::Secretariat, 1)),
    );
}

#[test]
fn chair_and_deputy_chair_are_not_seats() {
    check(gcg(), define("seat-chair", Constituency::Chair, None, true, "2020-01-01"), Err(BodyError::SeatIsAnOffice));
    check(
        gcg(),
        define("seat-deputy", Constituency::DeputyChair, None, true, "2020-01-01"),
        Err(BodyError::SeatIsAnOffice),
    );
}

#[test]
fn define_a_seat_twice_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        define("seat-pfc-africa", Constituency::PathfinderCountry, Some(Region::Africa), true, "2020-01-01"),
        Err(BodyError::SeatAlreadyDefined("seat-pfc-africa".to_string())),
    );
}

#[test]
fn define_a_seat_with_a_blank_id_is_refused() {
    check(gcg(), define(" ", Constituency::Workers, None, true, "2020-01-01"), Err(BodyError::Empty("seat_id")));
}

// --- AssignSeat -------------------------------------------------------------------

#[test]
fn assign_a_seat() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        assign("seat-pfc-africa", "CIV", "2021-01-01"),
        Ok(vec![assigned("seat-pfc-africa", "CIV", "2021-01-01")]),
    );
}

#[test]
fn assign_a_seat_on_a_decision() {
    let subject = DecisionSubject::AssignSeat { seat_id: "seat-pfc-africa".to_string() };
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        BodyCommand::AssignSeat {
            seat_id: "seat-pfc-africa".to_string(),
            holder: "CIV".to_string(),
            from: date("2021-01-01"),
            holder_known: true,
            authority: adopted("GCG-12-D03", subject, "2020-12-10"),
        },
        Ok(vec![BodyEvent::SeatAssigned {
            seat_id: "seat-pfc-africa".to_string(),
            holder: "CIV".to_string(),
            from: date("2021-01-01"),
            decision_id: Some("GCG-12-D03".to_string()),
        }]),
    );
}

#[test]
fn assign_a_seat_on_a_decision_about_another_seat_or_not_adopted_is_refused() {
    let when = |authority| BodyCommand::AssignSeat {
        seat_id: "seat-pfc-africa".to_string(),
        holder: "CIV".to_string(),
        from: date("2021-01-01"),
        holder_known: true,
        authority,
    };
    let given = with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]);
    let other_seat = DecisionSubject::AssignSeat { seat_id: "seat-pfc-asia".to_string() };
    check(
        given.clone(),
        when(adopted("GCG-12-D03", other_seat, "2020-12-10")),
        Err(BodyError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-12-D03".to_string(),
            needed: "assign_seat for this seat",
        })),
    );
    let this_seat = DecisionSubject::AssignSeat { seat_id: "seat-pfc-africa".to_string() };
    check(
        given,
        when(proposed_only("GCG-12-D03", this_seat)),
        Err(BodyError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-12-D03".to_string() })),
    );
}

#[test]
fn a_seat_has_at_most_one_holder_at_any_instant() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa), assigned("seat-pfc-africa", "CIV", "2021-01-01")]),
        assign("seat-pfc-africa", "NGA", "2022-01-01"),
        Err(BodyError::SeatOccupied { seat_id: "seat-pfc-africa".to_string(), holder: "CIV".to_string() }),
    );
}

#[test]
fn a_vacated_seat_can_be_reassigned_from_the_vacancy_date() {
    check(
        civ_held_then_vacated(),
        assign("seat-pfc-africa", "NGA", "2023-06-01"),
        Ok(vec![assigned("seat-pfc-africa", "NGA", "2023-06-01")]),
    );
    // Not before: Côte d'Ivoire still held it on 31 May.
    check(
        civ_held_then_vacated(),
        assign("seat-pfc-africa", "NGA", "2023-05-31"),
        Err(BodyError::SeatOccupied { seat_id: "seat-pfc-africa".to_string(), holder: "CIV".to_string() }),
    );
}

#[test]
fn assign_an_unknown_seat_is_refused() {
    check(gcg(), assign("seat-nowhere", "CIV", "2021-01-01"), Err(BodyError::SeatUnknown("seat-nowhere".to_string())));
}

#[test]
fn assign_a_blank_holder_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        assign("seat-pfc-africa", " ", "2021-01-01"),
        Err(BodyError::Empty("holder")),
    );
}

#[test]
fn assign_an_unregistered_holder_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        BodyCommand::AssignSeat {
            seat_id: "seat-pfc-africa".to_string(),
            holder: "WAKANDA".to_string(),
            from: date("2021-01-01"),
            holder_known: false,
            authority: None,
        },
        Err(BodyError::PartyUnknown("WAKANDA".to_string())),
    );
}

#[test]
fn assign_a_retired_seat_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa), retired("seat-pfc-africa", "2022-01-01")]),
        assign("seat-pfc-africa", "CIV", "2022-01-01"),
        Err(BodyError::SeatRetired("seat-pfc-africa".to_string())),
    );
}

#[test]
fn assign_before_the_seat_was_defined_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        assign("seat-pfc-africa", "CIV", "2019-12-31"),
        Err(BodyError::AssignmentBeforeSeatDefined),
    );
}

#[test]
fn only_the_secretariat_holds_the_secretariat_seat() {
    let given = with(gcg(), [secretariat_seat(), pfc("seat-pfc-africa", Region::Africa)]);
    check(
        given.clone(),
        assign("seat-secretariat", "ILO", "2020-01-01"),
        Ok(vec![assigned("seat-secretariat", "ILO", "2020-01-01")]),
    );
    check(given.clone(), assign("seat-secretariat", "UNICEF", "2020-01-01"), Err(BodyError::SecretariatSeatHolder));
    check(given, assign("seat-pfc-africa", "ILO", "2020-01-01"), Err(BodyError::SecretariatSeatHolder));
}

// --- VacateSeat -------------------------------------------------------------------

#[test]
fn vacate_a_seat_names_its_holder() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa), assigned("seat-pfc-africa", "CIV", "2021-01-01")]),
        vacate("seat-pfc-africa", "2023-06-01"),
        Ok(vec![vacated("seat-pfc-africa", "CIV", "2023-06-01")]),
    );
}

#[test]
fn vacate_a_seat_without_a_holder_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        vacate("seat-pfc-africa", "2023-06-01"),
        Err(BodyError::SeatVacant("seat-pfc-africa".to_string())),
    );
    check(
        civ_held_then_vacated(),
        vacate("seat-pfc-africa", "2023-07-01"),
        Err(BodyError::SeatVacant("seat-pfc-africa".to_string())),
    );
}

#[test]
fn vacate_on_or_before_the_assignment_is_refused() {
    let given = with(gcg(), [pfc("seat-pfc-africa", Region::Africa), assigned("seat-pfc-africa", "CIV", "2021-01-01")]);
    check(given.clone(), vacate("seat-pfc-africa", "2021-01-01"), Err(BodyError::VacancyBeforeAssignment));
    check(given, vacate("seat-pfc-africa", "2020-12-31"), Err(BodyError::VacancyBeforeAssignment));
}

#[test]
fn vacate_an_unknown_seat_is_refused() {
    check(gcg(), vacate("seat-nowhere", "2023-06-01"), Err(BodyError::SeatUnknown("seat-nowhere".to_string())));
}

// --- RetireSeat -------------------------------------------------------------------

#[test]
fn retire_a_seat_without_a_holder() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa)]),
        retire("seat-pfc-africa", "2022-01-01"),
        Ok(vec![retired("seat-pfc-africa", "2022-01-01")]),
    );
    check(
        civ_held_then_vacated(),
        retire("seat-pfc-africa", "2023-06-01"),
        Ok(vec![retired("seat-pfc-africa", "2023-06-01")]),
    );
}

#[test]
fn retire_a_held_seat_is_refused() {
    let occupied = |holder: &str| {
        Err(BodyError::SeatOccupied { seat_id: "seat-pfc-africa".to_string(), holder: holder.to_string() })
    };
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa), assigned("seat-pfc-africa", "CIV", "2021-01-01")]),
        retire("seat-pfc-africa", "2022-01-01"),
        occupied("CIV"),
    );
    // Still held on the day before the vacancy.
    check(civ_held_then_vacated(), retire("seat-pfc-africa", "2023-05-31"), occupied("CIV"));
}

#[test]
fn retire_a_seat_twice_is_refused() {
    check(
        with(gcg(), [pfc("seat-pfc-africa", Region::Africa), retired("seat-pfc-africa", "2022-01-01")]),
        retire("seat-pfc-africa", "2023-01-01"),
        Err(BodyError::SeatRetired("seat-pfc-africa".to_string())),
    );
}

#[test]
fn retire_an_unknown_seat_is_refused() {
    check(gcg(), retire("seat-nowhere", "2022-01-01"), Err(BodyError::SeatUnknown("seat-nowhere".to_string())));
}

// --- OpenCall ---------------------------------------------------------------------

#[test]
fn open_a_call_announces_the_policy_term_length_and_lists_each_office_once() {
    check(
        gcg(),
        open_call(
            "call-2023",
            vec![Office::DeputyChair, Office::Chair, Office::DeputyChair],
            "2023-02-01",
            "2023-03-31",
        ),
        Ok(vec![call_opened()]),
    );
}

#[test]
fn open_a_call_twice_is_refused() {
    check(
        with(gcg(), [call_opened()]),
        open_call("call-2023", vec![Office::Chair], "2023-02-01", "2023-03-31"),
        Err(BodyError::CallExists("call-2023".to_string())),
    );
}

#[test]
fn open_a_call_without_offices_is_refused() {
    check(gcg(), open_call("call-2023", vec![], "2023-02-01", "2023-03-31"), Err(BodyError::CallOfficesEmpty));
}

#[test]
fn open_a_call_closing_before_it_opens_is_refused() {
    check(
        gcg(),
        open_call("call-2023", vec![Office::Chair], "2023-02-01", "2023-02-01"),
        Err(BodyError::CallDatesInvalid),
    );
    check(
        gcg(),
        open_call("call-2023", vec![Office::Chair], "2023-02-01", "2023-01-31"),
        Err(BodyError::CallDatesInvalid),
    );
}

#[test]
fn open_a_call_with_a_blank_id_is_refused() {
    check(gcg(), open_call(" ", vec![Office::Chair], "2023-02-01", "2023-03-31"), Err(BodyError::Empty("call_id")));
}

// --- SubmitCandidacy --------------------------------------------------------------

#[test]
fn submit_a_candidacy() {
    check(
        with(gcg(), [call_opened()]),
        submit(Office::Chair, "CHL", "2023-03-01"),
        Ok(vec![submitted(Office::Chair, "CHL", "2023-03-01")]),
    );
}

#[test]
fn one_candidate_may_stand_for_both_offices_but_once_each() {
    let given = with(gcg(), [call_opened(), submitted(Office::Chair, "CHL", "2023-03-01")]);
    check(
        given.clone(),
        submit(Office::DeputyChair, "CHL", "2023-03-02"),
        Ok(vec![submitted(Office::DeputyChair, "CHL", "2023-03-02")]),
    );
    check(given, submit(Office::Chair, "CHL", "2023-03-02"), Err(BodyError::CandidacyDuplicate("CHL".to_string())));
}

#[test]
fn submit_to_an_unknown_call_is_refused() {
    check(gcg(), submit(Office::Chair, "CHL", "2023-03-01"), Err(BodyError::CallUnknown("call-2023".to_string())));
}

#[test]
fn submit_outside_the_call_period_is_refused() {
    let closed = || Err(BodyError::CallClosed("call-2023".to_string()));
    check(with(gcg(), [call_opened()]), submit(Office::Chair, "CHL", "2023-01-31"), closed());
    check(with(gcg(), [call_opened()]), submit(Office::Chair, "CHL", "2023-04-01"), closed());
    // The closing day is still in the period.
    check(
        with(gcg(), [call_opened()]),
        submit(Office::Chair, "CHL", "2023-03-31"),
        Ok(vec![submitted(Office::Chair, "CHL", "2023-03-31")]),
    );
    check(
        with(gcg(), [call_opened(), call_closed("2023-03-15", 0)]),
        submit(Office::Chair, "CHL", "2023-03-20"),
        closed(),
    );
}

#[test]
fn submit_for_an_office_not_in_the_call_is_refused() {
    let chair_only = BodyEvent::LeadershipCallOpened {
        call_id: "call-2023".to_string(),
        offices: vec![Office::Chair],
        opened_on: date("2023-02-01"),
        closes_on: date("2023-03-31"),
        term_years: Some(3),
    };
    check(
        with(gcg(), [chair_only]),
        submit(Office::DeputyChair, "CHL", "2023-03-01"),
        Err(BodyError::OfficeNotInCall(Office::DeputyChair)),
    );
}

#[test]
fn the_secretariat_cannot_stand() {
    check(
        with(gcg(), [call_opened()]),
        submit(Office::Chair, "ILO", "2023-03-01"),
        Err(BodyError::OfficeHolderSecretariat("ILO".to_string())),
    );
}

#[test]
fn submit_a_blank_or_unregistered_candidate_is_refused() {
    check(with(gcg(), [call_opened()]), submit(Office::Chair, " ", "2023-03-01"), Err(BodyError::Empty("candidate")));
    check(
        with(gcg(), [call_opened()]),
        BodyCommand::SubmitCandidacy {
            call_id: "call-2023".to_string(),
            office: Office::Chair,
            candidate: "WAKANDA".to_string(),
            submitted_on: date("2023-03-01"),
            letter_sha256: None,
            candidate_known: false,
        },
        Err(BodyError::PartyUnknown("WAKANDA".to_string())),
    );
}

#[test]
fn submit_with_a_malformed_letter_hash_is_refused() {
    check(
        with(gcg(), [call_opened()]),
        BodyCommand::SubmitCandidacy {
            call_id: "call-2023".to_string(),
            office: Office::Chair,
            candidate: "CHL".to_string(),
            submitted_on: date("2023-03-01"),
            letter_sha256: Some(HASH.to_uppercase()),
            candidate_known: true,
        },
        Err(BodyError::DocumentHashInvalid),
    );
}

// --- CloseCall --------------------------------------------------------------------

#[test]
fn close_a_call_counts_its_candidacies() {
    check(
        with(
            gcg(),
            [
                call_opened(),
                submitted(Office::Chair, "CHL", "2023-03-01"),
                submitted(Office::DeputyChair, "NPL", "2023-03-10"),
            ],
        ),
        close_call("2023-03-31"),
        Ok(vec![call_closed("2023-03-31", 2)]),
    );
}

#[test]
fn close_an_unknown_call_is_refused() {
    check(gcg(), close_call("2023-03-31"), Err(BodyError::CallUnknown("call-2023".to_string())));
}

#[test]
fn close_a_call_twice_is_refused() {
    check(
        with(gcg(), [call_opened(), call_closed("2023-03-31", 0)]),
        close_call("2023-04-01"),
        Err(BodyError::CallClosed("call-2023".to_string())),
    );
}

#[test]
fn close_a_call_before_it_opened_is_refused() {
    check(with(gcg(), [call_opened()]), close_call("2023-01-31"), Err(BodyError::CallDatesInvalid));
}

// --- ElectOfficeHolder ------------------------------------------------------------

#[test]
fn elect_a_chair_for_a_policy_length_term() {
    check(
        france_chair_served(),
        elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31"),
        Ok(vec![elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31")]),
    );
}

#[test]
fn a_term_not_of_the_policy_length_is_refused() {
    let expected =
        Err(BodyError::TermLengthNotPolicy { version: V1.to_string(), years: 3, expected: date("2026-05-31") });
    check(gcg(), elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-06-01"), expected.clone());
    check(gcg(), elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2025-05-31"), expected);
}

#[test]
fn any_term_length_when_the_policy_fixes_none() {
    let unfixed = GovernancePolicy { chair_term_years: None, ..GovernancePolicy::provisional_v1() };
    let given = vec![
        established(),
        BodyEvent::PolicyVersionAdopted { policy: unfixed, effective_on: date("2020-01-01"), decision_id: None },
    ];
    check(
        given,
        elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2024-12-31"),
        Ok(vec![elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2024-12-31")]),
    );
}

#[test]
fn the_term_length_is_the_one_of_the_policy_in_force_at_the_term_start() {
    check(
        with(gcg(), [v2_adopted()]),
        elect("term-chl", Office::Chair, "CHL", "2024-06-01", "2026-05-31"),
        Ok(vec![BodyEvent::OfficeHolderElected {
            term_id: "term-chl".to_string(),
            office: Office::Chair,
            holder: "CHL".to_string(),
            term_start: date("2024-06-01"),
            term_end: date("2026-05-31"),
            decision_id: "GCG-D-ELECT".to_string(),
            policy_version: Some("gcg-rules/v2".to_string()),
        }]),
    );
}

#[test]
fn overlapping_chair_terms_are_refused() {
    let occupied = Err(BodyError::OfficeOccupied {
        office: Office::Chair,
        holder: "FRA".to_string(),
        term_id: "term-fra".to_string(),
    });
    // France's term runs to 31 May 2023 inclusive.
    check(
        france_chair_in_office(),
        elect("term-chl", Office::Chair, "CHL", "2023-05-31", "2026-05-30"),
        occupied.clone(),
    );
    // An elected term that has not begun occupies its span too.
    check(
        with(gcg(), [elected("term-fra", Office::Chair, "FRA", "2020-06-01", "2023-05-31")]),
        elect("term-chl", Office::Chair, "CHL", "2022-06-01", "2025-05-31"),
        occupied,
    );
}

#[test]
fn a_term_ended_early_frees_the_office_after_its_last_day() {
    let given = with(france_chair_in_office(), [ended("term-fra", "2022-12-31", TermEndReason::Resigned)]);
    check(
        given,
        elect("term-chl", Office::Chair, "CHL", "2023-01-01", "2025-12-31"),
        Ok(vec![elected("term-chl", Office::Chair, "CHL", "2023-01-01", "2025-12-31")]),
    );
}

#[test]
fn chair_and_deputy_are_never_the_same_country_at_the_same_time() {
    check(
        with(gcg(), [elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31")]),
        elect("term-chl-deputy", Office::DeputyChair, "CHL", "2024-06-01", "2027-05-31"),
        Err(BodyError::ChairEqualsDeputy("CHL".to_string())),
    );
    check(
        with(gcg(), [elected("term-chl-deputy", Office::DeputyChair, "CHL", "2020-06-01", "2023-05-31")]),
        elect("term-chl", Office::Chair, "CHL", "2023-05-31", "2026-05-30"),
        Err(BodyError::ChairEqualsDeputy("CHL".to_string())),
    );
}

#[test]
fn a_deputy_chair_may_become_chair_after_the_deputy_term() {
    check(
        with(gcg(), [elected("term-chl-deputy", Office::DeputyChair, "CHL", "2020-06-01", "2023-05-31")]),
        elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31"),
        Ok(vec![elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31")]),
    );
}

#[test]
fn chair_and_deputy_of_different_countries_may_overlap() {
    check(
        with(gcg(), [elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31")]),
        elect("term-npl", Office::DeputyChair, "NPL", "2023-06-01", "2026-05-31"),
        Ok(vec![elected("term-npl", Office::DeputyChair, "NPL", "2023-06-01", "2026-05-31")]),
    );
}

#[test]
fn the_secretariat_never_holds_an_office() {
    check(
        gcg(),
        elect("term-ilo", Office::Chair, "ILO", "2023-06-01", "2026-05-31"),
        Err(BodyError::OfficeHolderSecretariat("ILO".to_string())),
    );
    check(
        gcg(),
        elect("term-ilo", Office::DeputyChair, "ILO", "2023-06-01", "2026-05-31"),
        Err(BodyError::OfficeHolderSecretariat("ILO".to_string())),
    );
}

#[test]
fn elect_without_a_decision_is_refused() {
    check(
        gcg(),
        elect_with("term-chl", Office::Chair, "CHL", ("2023-06-01", "2026-05-31"), None),
        Err(BodyError::Authority(AuthorityError::Missing { needed: "elect_office_holder for this office" })),
    );
}

#[test]
fn elect_on_a_decision_not_adopted_is_refused() {
    check(
        gcg(),
        elect_with(
            "term-chl",
            Office::Chair,
            "CHL",
            ("2023-06-01", "2026-05-31"),
            proposed_only("GCG-25-D01", chair_subject()),
        ),
        Err(BodyError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-25-D01".to_string() })),
    );
}

#[test]
fn elect_on_a_decision_about_the_other_office_is_refused() {
    check(
        gcg(),
        elect_with(
            "term-chl",
            Office::Chair,
            "CHL",
            ("2023-06-01", "2026-05-31"),
            adopted("GCG-25-D01", deputy_subject(), "2023-05-20"),
        ),
        Err(BodyError::Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-25-D01".to_string(),
            needed: "elect_office_holder for this office",
        })),
    );
}

#[test]
fn elect_twice_with_the_same_term_id_is_refused() {
    check(
        france_chair_served(),
        elect("term-fra", Office::DeputyChair, "CHL", "2023-06-01", "2026-05-31"),
        Err(BodyError::TermExists("term-fra".to_string())),
    );
}

#[test]
fn elect_with_blank_fields_is_refused() {
    check(gcg(), elect(" ", Office::Chair, "CHL", "2023-06-01", "2026-05-31"), Err(BodyError::Empty("term_id")));
    check(gcg(), elect("term-chl", Office::Chair, "", "2023-06-01", "2026-05-31"), Err(BodyError::Empty("holder")));
}

#[test]
fn elect_an_unregistered_holder_is_refused() {
    check(
        gcg(),
        BodyCommand::ElectOfficeHolder {
            term_id: "term-x".to_string(),
            office: Office::Chair,
            holder: "WAKANDA".to_string(),
            term_start: date("2023-06-01"),
            term_end: date("2026-05-31"),
            holder_known: false,
            authority: adopted("GCG-25-D01", chair_subject(), "2023-05-20"),
        },
        Err(BodyError::PartyUnknown("WAKANDA".to_string())),
    );
}

#[test]
fn a_term_ending_before_it_starts_is_refused() {
    check(gcg(), elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2023-06-01"), Err(BodyError::TermDatesInvalid));
    check(gcg(), elect("term-chl", Office::Chair, "CHL", "2023-06-01", "2023-05-31"), Err(BodyError::TermDatesInvalid));
}

// --- BeginTerm --------------------------------------------------------------------

fn begin(term: &str, on: &str) -> BodyCommand {
    BodyCommand::BeginTerm { term_id: term.to_string(), on: date(on) }
}

fn chile_elected() -> Vec<BodyEvent> {
    with(france_chair_served(), [elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31")])
}

#[test]
fn begin_a_term_on_or_after_its_start() {
    check(chile_elected(), begin("term-chl", "2023-06-01"), Ok(vec![began("term-chl", "2023-06-01")]));
    check(chile_elected(), begin("term-chl", "2023-06-15"), Ok(vec![began("term-chl", "2023-06-15")]));
}

#[test]
fn begin_a_term_before_its_start_is_refused() {
    check(chile_elected(), begin("term-chl", "2023-05-31"), Err(BodyError::TermBeginsBeforeStart));
}

#[test]
fn begin_a_term_after_its_last_day_is_refused() {
    check(chile_elected(), begin("term-chl", "2026-06-01"), Err(BodyError::TermBeginsAfterEnd));
}

#[test]
fn begin_a_term_twice_is_refused() {
    check(
        with(chile_elected(), [began("term-chl", "2023-06-01")]),
        begin("term-chl", "2023-06-02"),
        Err(BodyError::TermAlreadyBegan("term-chl".to_string())),
    );
}

#[test]
fn begin_an_ended_term_is_refused() {
    // A term recorded as ended without having begun (e.g. the holder withdrew).
    check(
        with(chile_elected(), [ended("term-chl", "2023-06-01", TermEndReason::Resigned)]),
        begin("term-chl", "2023-06-01"),
        Err(BodyError::TermEnded("term-chl".to_string())),
    );
}

#[test]
fn begin_an_unknown_term_is_refused() {
    check(gcg(), begin("term-x", "2023-06-01"), Err(BodyError::TermUnknown("term-x".to_string())));
}

// --- ExtendTerm -------------------------------------------------------------------

#[test]
fn extend_a_term_on_a_decision() {
    check(
        france_chair_in_office(),
        extend("term-fra", "2023-12-31", adopted("GCG-24-D05", extend_chair_subject(), "2023-05-10")),
        Ok(vec![BodyEvent::TermExtended {
            term_id: "term-fra".to_string(),
            old_end: date("2023-05-31"),
            new_end: date("2023-12-31"),
            decision_id: "GCG-24-D05".to_string(),
        }]),
    );
}

#[test]
fn extend_into_the_next_chair_term_is_refused() {
    check(
        with(france_chair_in_office(), [elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31")]),
        extend("term-fra", "2023-06-01", adopted("GCG-24-D05", extend_chair_subject(), "2023-05-10")),
        Err(BodyError::OfficeOccupied {
            office: Office::Chair,
            holder: "CHL".to_string(),
            term_id: "term-chl".to_string(),
        }),
    );
}

#[test]
fn extend_into_the_same_country_deputy_term_is_refused() {
    check(
        with(
            france_chair_in_office(),
            [elected("term-fra-deputy", Office::DeputyChair, "FRA", "2023-06-01", "2026-05-31")],
        ),
        extend("term-fra", "2023-12-31", adopted("GCG-24-D05", extend_chair_subject(), "2023-05-10")),
        Err(BodyError::ChairEqualsDeputy("FRA".to_string())),
    );
}

#[test]
fn extend_to_an_earlier_or_the_same_end_is_refused() {
    let authority = || adopted("GCG-24-D05", extend_chair_subject(), "2023-05-10");
    check(france_chair_in_office(), extend("term-fra", "2023-05-31", authority()), Err(BodyError::ExtensionNotLater));
    check(france_chair_in_office(), extend("term-fra", "2023-01-31", authority()), Err(BodyError::ExtensionNotLater));
}

#[test]
fn extend_an_ended_term_is_refused() {
    check(
        france_chair_served(),
        extend("term-fra", "2023-12-31", adopted("GCG-24-D05", extend_chair_subject(), "2023-05-10")),
        Err(BodyError::TermEnded("term-fra".to_string())),
    );
}

#[test]
fn extend_an_unknown_term_is_refused() {
    check(
        gcg(),
        extend("term-x", "2023-12-31", adopted("GCG-24-D05", extend_chair_subject(), "2023-05-10")),
        Err(BodyError::TermUnknown("term-x".to_string())),
    );
}

#[test]
fn extend_without_the_right_decision_is_refused() {
    let needed = "extend_term for this office";
    check(
        france_chair_in_office(),
        extend("term-fra", "2023-12-31", None),
        Err(BodyError::Authority(AuthorityError::Missing { needed })),
    );
    check(
        france_chair_in_office(),
        extend("term-fra", "2023-12-31", proposed_only("GCG-24-D05", extend_chair_subject())),
        Err(BodyError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-24-D05".to_string() })),
    );
    // A decision to extend the Deputy Chair's term, or to elect a Chair, does not extend the Chair's.
    for subject in [DecisionSubject::ExtendTerm { office: "deputy_chair".to_string() }, chair_subject()] {
        check(
            france_chair_in_office(),
            extend("term-fra", "2023-12-31", adopted("GCG-24-D05", subject, "2023-05-10")),
            Err(BodyError::Authority(AuthorityError::WrongSubject { decision_id: "GCG-24-D05".to_string(), needed })),
        );
    }
}

// --- EndTerm ----------------------------------------------------------------------

fn end(term: &str, on: &str, reason: TermEndReason) -> BodyCommand {
    BodyCommand::EndTerm { term_id: term.to_string(), on: date(on), reason }
}

#[test]
fn end_a_term_on_its_last_day_or_earlier() {
    check(
        france_chair_in_office(),
        end("term-fra", "2023-05-31", TermEndReason::Expired),
        Ok(vec![ended("term-fra", "2023-05-31", TermEndReason::Expired)]),
    );
    check(
        france_chair_in_office(),
        end("term-fra", "2022-12-31", TermEndReason::Resigned),
        Ok(vec![ended("term-fra", "2022-12-31", TermEndReason::Resigned)]),
    );
}

#[test]
fn end_a_term_after_its_last_day_is_refused() {
    check(
        france_chair_in_office(),
        end("term-fra", "2023-06-01", TermEndReason::Expired),
        Err(BodyError::TermEndsAfterEnd),
    );
}

#[test]
fn end_a_term_before_it_began_is_refused() {
    check(
        with(
            gcg(),
            [elected("term-fra", Office::Chair, "FRA", "2020-06-01", "2023-05-31"), began("term-fra", "2020-07-01")],
        ),
        end("term-fra", "2020-06-30", TermEndReason::Resigned),
        Err(BodyError::TermEndsBeforeStart),
    );
}

#[test]
fn end_a_term_that_has_not_begun_is_refused() {
    check(
        chile_elected(),
        end("term-chl", "2023-06-30", TermEndReason::Resigned),
        Err(BodyError::TermNotBegun("term-chl".to_string())),
    );
}

#[test]
fn end_a_term_twice_is_refused() {
    check(
        france_chair_served(),
        end("term-fra", "2023-05-31", TermEndReason::Succeeded),
        Err(BodyError::TermEnded("term-fra".to_string())),
    );
}

#[test]
fn end_an_unknown_term_is_refused() {
    check(
        gcg(),
        end("term-x", "2023-05-31", TermEndReason::Expired),
        Err(BodyError::TermUnknown("term-x".to_string())),
    );
}

// --- as-of queries ----------------------------------------------------------------

/// France chaired until 31 May 2023, Chile from 1 June 2023; Nepal Deputy Chair from 1
/// June 2023; ILO in the Secretariat's seat; Côte d'Ivoire then Nigeria in the Africa PFC
/// seat; Nepal in the Asia-Pacific seat, retired on 1 January 2025.
fn history() -> Vec<BodyEvent> {
    with(
        france_chair_served(),
        [
            elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31"),
            began("term-chl", "2023-06-01"),
            elected("term-npl", Office::DeputyChair, "NPL", "2023-06-01", "2026-05-31"),
            began("term-npl", "2023-06-01"),
            secretariat_seat(),
            assigned("seat-secretariat", "ILO", "2020-01-01"),
            pfc("seat-pfc-africa", Region::Africa),
            assigned("seat-pfc-africa", "CIV", "2021-01-01"),
            vacated("seat-pfc-africa", "CIV", "2023-06-01"),
            assigned("seat-pfc-africa", "NGA", "2023-07-01"),
            pfc("seat-pfc-asia", Region::AsiaPacific),
            assigned("seat-pfc-asia", "NPL", "2020-06-01"),
            vacated("seat-pfc-asia", "NPL", "2024-12-31"),
            retired("seat-pfc-asia", "2025-01-01"),
        ],
    )
}

#[test]
fn office_holder_on_a_date() {
    let body = fold(history());
    let chair = |on: &str| body.office_holder_on(Office::Chair, date(on)).map(|t| t.holder.as_str());
    let deputy = |on: &str| body.office_holder_on(Office::DeputyChair, date(on)).map(|t| t.holder.as_str());
    assert_eq!(chair("2020-05-31"), None);
    assert_eq!(chair("2020-06-01"), Some("FRA"));
    assert_eq!(chair("2023-05-31"), Some("FRA"));
    assert_eq!(chair("2023-06-01"), Some("CHL"));
    assert_eq!(chair("2026-05-31"), Some("CHL"));
    assert_eq!(chair("2026-06-01"), None);
    assert_eq!(deputy("2023-05-31"), None);
    assert_eq!(deputy("2023-06-01"), Some("NPL"));
    assert_eq!(body.office_holder_on(Office::Chair, date("2023-06-01")).map(|t| t.term_id.as_str()), Some("term-chl"));
}

#[test]
fn an_elected_term_not_yet_begun_has_no_holder_in_office() {
    let body = fold(chile_elected());
    assert_eq!(body.office_holder_on(Office::Chair, date("2023-06-01")), None);
}

#[test]
fn a_term_ended_early_is_held_through_its_last_day_only() {
    let body = fold(with(france_chair_in_office(), [ended("term-fra", "2022-12-31", TermEndReason::Resigned)]));
    assert!(body.office_holder_on(Office::Chair, date("2022-12-31")).is_some());
    assert_eq!(body.office_holder_on(Office::Chair, date("2023-01-01")), None);
}

#[test]
fn seat_holder_on_a_date() {
    let body = fold(history());
    let africa = &body.seats["seat-pfc-africa"];
    assert_eq!(africa.holder_on(date("2020-12-31")), None);
    assert_eq!(africa.holder_on(date("2021-01-01")), Some("CIV"));
    assert_eq!(africa.holder_on(date("2023-05-31")), Some("CIV"));
    // Vacated on 1 June: free that day, and vacant until Nigeria took it.
    assert_eq!(africa.holder_on(date("2023-06-01")), None);
    assert_eq!(africa.holder_on(date("2023-06-30")), None);
    assert_eq!(africa.holder_on(date("2023-07-01")), Some("NGA"));
    assert_eq!(africa.holder_on(date("2030-01-01")), Some("NGA"));
    let asia = &body.seats["seat-pfc-asia"];
    assert_eq!(asia.holder_on(date("2024-12-30")), Some("NPL"));
    assert_eq!(asia.holder_on(date("2025-01-01")), None);
    assert!(asia.exists_on(date("2024-12-31")));
    assert!(!asia.exists_on(date("2025-01-01")));
    assert!(!asia.exists_on(date("2019-12-31")));
}

#[test]
fn voting_seats_filled_count_voting_seats_with_a_holder_and_the_offices_in_office() {
    let body = fold(history());
    let filled = |on: &str| body.voting_seats_filled_on(date(on));
    // Before anything: the Secretariat's seat is filled but does not vote.
    assert_eq!(filled("2020-01-01"), 0);
    // France in the chair, Nepal in the Asia seat.
    assert_eq!(filled("2020-06-01"), 2);
    // Plus Côte d'Ivoire.
    assert_eq!(filled("2021-01-01"), 3);
    // 1 June 2023: Chile and Nepal in office, Africa seat vacant, Nepal's seat held.
    assert_eq!(filled("2023-06-01"), 3);
    // Nigeria took the Africa seat.
    assert_eq!(filled("2023-07-01"), 4);
    // The Asia seat retired.
    assert_eq!(filled("2025-01-01"), 3);
}

// --- evolve -----------------------------------------------------------------------

#[test]
fn evolve_folds_the_body() {
    let body = fold(with(history(), [v2_adopted(), call_opened(), call_closed("2023-03-31", 0)]));
    assert_eq!(body.body_id, "gcg");
    assert_eq!(body.name, "Global Coordinating Group");
    assert_eq!(body.established_on, Some(date("2020-01-01")));
    assert_eq!(body.secretariat, "ILO");
    assert_eq!(body.policies.len(), 2);
    assert_eq!(body.policies[1].decision_id.as_deref(), Some("GCG-30-D02"));
    assert_eq!(body.seats.len(), 3);
    assert_eq!(body.seats["seat-pfc-africa"].holdings.len(), 2);
    assert_eq!(body.seats["seat-pfc-asia"].retired_on, Some(date("2025-01-01")));
    assert_eq!(body.terms.len(), 3);
    assert!(body.calls["call-2023"].closed);
    let extended = fold(with(
        france_chair_in_office(),
        [BodyEvent::TermExtended {
            term_id: "term-fra".to_string(),
            old_end: date("2023-05-31"),
            new_end: date("2023-12-31"),
            decision_id: "GCG-24-D05".to_string(),
        }],
    ));
    assert_eq!(extended.terms[0].term_end, date("2023-12-31"));
    assert_eq!(extended.terms[0].span(), (date("2020-06-01"), date("2023-12-31")));
}

// --- edge facts -------------------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    let json = r#"{"command":"assign_seat","seat_id":"seat-pfc-africa","holder":"CIV","from":"2021-01-01","holder_known":true}"#;
    assert!(serde_json::from_str::<BodyCommand>(json).is_err());
    let json = r#"{"command":"assign_seat","seat_id":"seat-pfc-africa","holder":"CIV","from":"2021-01-01"}"#;
    let command: BodyCommand = serde_json::from_str(json).expect("deserialises");
    assert_eq!(
        command,
        BodyCommand::AssignSeat {
            seat_id: "seat-pfc-africa".to_string(),
            holder: "CIV".to_string(),
            from: date("2021-01-01"),
            holder_known: false,
            authority: None,
        }
    );
    assert_eq!(command.name(), "assign_seat");
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<BodyError> {
    use BodyError::*;
    let d = || date("2026-05-31");
    vec![
        AlreadyEstablished,
        NotEstablished,
        Empty("seat_id"),
        PolicyVersionExists(V1.to_string()),
        PolicyEffectiveBeforeCurrent,
        SeatAlreadyDefined("seat-x".to_string()),
        SeatIsAnOffice,
        ConstituencyFull(Constituency::PathfinderCountry, 5),
        SecretariatSeatVotes,
        SeatUnknown("seat-x".to_string()),
        SeatRetired("seat-x".to_string()),
        SeatOccupied { seat_id: "seat-x".to_string(), holder: "CIV".to_string() },
        SeatVacant("seat-x".to_string()),
        AssignmentBeforeSeatDefined,
        VacancyBeforeAssignment,
        PartyUnknown("WAKANDA".to_string()),
        SecretariatSeatHolder,
        OfficeHolderSecretariat("ILO".to_string()),
        CallExists("call-x".to_string()),
        CallUnknown("call-x".to_string()),
        CallClosed("call-x".to_string()),
        CallOfficesEmpty,
        CallDatesInvalid,
        OfficeNotInCall(Office::Chair),
        CandidacyDuplicate("CHL".to_string()),
        TermExists("term-x".to_string()),
        TermUnknown("term-x".to_string()),
        TermDatesInvalid,
        TermLengthNotPolicy { version: V1.to_string(), years: 3, expected: d() },
        OfficeOccupied { office: Office::Chair, holder: "FRA".to_string(), term_id: "term-fra".to_string() },
        ChairEqualsDeputy("CHL".to_string()),
        TermAlreadyBegan("term-x".to_string()),
        TermBeginsBeforeStart,
        TermNotBegun("term-x".to_string()),
        TermEnded("term-x".to_string()),
        TermEndsBeforeStart,
        TermEndsAfterEnd,
        ExtensionNotLater,
        Authority(AuthorityError::Missing { needed: "elect_office_holder for this office" }),
        Authority(AuthorityError::NotAdopted { decision_id: "GCG-25-D01".to_string() }),
        Authority(AuthorityError::WrongSubject { decision_id: "GCG-25-D01".to_string(), needed: "x" }),
        TermBeginsAfterEnd,
        DocumentHashInvalid,
    ]
}

fn ordinal(error: &BodyError) -> usize {
    use BodyError::*;
    match error {
        AlreadyEstablished => 0,
        NotEstablished => 1,
        Empty(_) => 2,
        PolicyVersionExists(_) => 3,
        PolicyEffectiveBeforeCurrent => 4,
        SeatAlreadyDefined(_) => 5,
        SeatIsAnOffice => 6,
        ConstituencyFull(..) => 7,
        SecretariatSeatVotes => 8,
        SeatUnknown(_) => 9,
        SeatRetired(_) => 10,
        SeatOccupied { .. } => 11,
        SeatVacant(_) => 12,
        AssignmentBeforeSeatDefined => 13,
        VacancyBeforeAssignment => 14,
        PartyUnknown(_) => 15,
        SecretariatSeatHolder => 16,
        OfficeHolderSecretariat(_) => 17,
        CallExists(_) => 18,
        CallUnknown(_) => 19,
        CallClosed(_) => 20,
        CallOfficesEmpty => 21,
        CallDatesInvalid => 22,
        OfficeNotInCall(_) => 23,
        CandidacyDuplicate(_) => 24,
        TermExists(_) => 25,
        TermUnknown(_) => 26,
        TermDatesInvalid => 27,
        TermLengthNotPolicy { .. } => 28,
        OfficeOccupied { .. } => 29,
        ChairEqualsDeputy(_) => 30,
        TermAlreadyBegan(_) => 31,
        TermBeginsBeforeStart => 32,
        TermNotBegun(_) => 33,
        TermEnded(_) => 34,
        TermEndsBeforeStart => 35,
        TermEndsAfterEnd => 36,
        ExtensionNotLater => 37,
        Authority(AuthorityError::Missing { .. }) => 38,
        Authority(AuthorityError::NotAdopted { .. }) => 39,
        Authority(AuthorityError::WrongSubject { .. }) => 40,
        TermBeginsAfterEnd => 41,
        DocumentHashInvalid => 42,
    }
}

#[test]
fn every_rule_name_is_unique_snake_case() {
    let errors = all_errors();
    let ordinals: Vec<usize> = errors.iter().map(ordinal).collect();
    let rules: Vec<(&'static str, String)> = errors.iter().map(|e| (e.rule(), e.to_string())).collect();
    crate::testing::assert_rules_well_formed(&ordinals, &rules);
}

#[test]
fn refusals_named_in_the_brief_keep_their_rule_names() {
    assert_eq!(BodyError::SeatOccupied { seat_id: "s".into(), holder: "h".into() }.rule(), "seat_occupied");
    assert_eq!(BodyError::ConstituencyFull(Constituency::PathfinderCountry, 5).rule(), "constituency_full");
    assert_eq!(BodyError::ChairEqualsDeputy("CHL".into()).rule(), "chair_equals_deputy");
    assert_eq!(BodyError::OfficeHolderSecretariat("ILO".into()).rule(), "office_holder_secretariat");
    assert_eq!(
        BodyError::OfficeOccupied { office: Office::Chair, holder: "h".into(), term_id: "t".into() }.rule(),
        "office_occupied"
    );
    assert_eq!(
        BodyError::TermLengthNotPolicy { version: V1.into(), years: 3, expected: date("2026-05-31") }.rule(),
        "term_length_not_policy"
    );
}

// --- stored schema ----------------------------------------------------------------

#[track_caller]
fn golden(event: BodyEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: BodyEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_seat_defined_lists_warnings_only_when_there_are_some() {
    golden(
        pfc("seat-pfc-africa", Region::Africa),
        "SeatDefined",
        r#"{"SeatDefined":{"seat_id":"seat-pfc-africa","constituency":"pathfinder_country","region":"africa","voting":true,"defined_on":"2020-01-01"}}"#,
    );
    golden(
        defined_warning(
            "seat-pfc-africa-2",
            Constituency::PathfinderCountry,
            Some(Region::Africa),
            true,
            "2022-12-01",
            &["region_already_represented"],
        ),
        "SeatDefined",
        r#"{"SeatDefined":{"seat_id":"seat-pfc-africa-2","constituency":"pathfinder_country","region":"africa","voting":true,"defined_on":"2022-12-01","warnings":["region_already_represented"]}}"#,
    );
}

#[test]
fn golden_office_holder_elected() {
    golden(
        elected("term-chl", Office::Chair, "CHL", "2023-06-01", "2026-05-31"),
        "OfficeHolderElected",
        r#"{"OfficeHolderElected":{"term_id":"term-chl","office":"chair","holder":"CHL","term_start":"2023-06-01","term_end":"2026-05-31","decision_id":"GCG-D-ELECT","policy_version":"gcg-rules/v1-provisional"}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (established(), "BodyEstablished"),
        (initial_policy(), "PolicyVersionAdopted"),
        (assigned("s", "CIV", "2021-01-01"), "SeatAssigned"),
        (vacated("s", "CIV", "2021-01-02"), "SeatVacated"),
        (retired("s", "2021-01-03"), "SeatRetired"),
        (call_opened(), "LeadershipCallOpened"),
        (submitted(Office::Chair, "CHL", "2023-03-01"), "CandidacySubmitted"),
        (call_closed("2023-03-31", 1), "LeadershipCallClosed"),
        (began("t", "2023-06-01"), "TermBegan"),
        (ended("t", "2023-06-01", TermEndReason::Succeeded), "TermEnded"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<BodyEvent>(&json).expect("deserialises"), event);
    }
}

#[test]
fn who_sits_where_on_a_date_counts_both_ends_as_the_rules_say() {
    use super::on_date;
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // A seat exists from the day it is defined; a retired seat is gone on the day.
    assert!(!on_date::seat_exists(d("2020-01-10"), None, d("2020-01-09")));
    assert!(on_date::seat_exists(d("2020-01-10"), None, d("2020-01-10")));
    assert!(on_date::seat_exists(d("2020-01-10"), Some(d("2021-01-01")), d("2020-12-31")));
    assert!(!on_date::seat_exists(d("2020-01-10"), Some(d("2021-01-01")), d("2021-01-01")));
    // A holding covers its first day; a seat vacated on a date is free that day.
    assert!(on_date::holding_covers(d("2020-02-01"), Some(d("2020-03-01")), d("2020-02-01")));
    assert!(on_date::holding_covers(d("2020-02-01"), Some(d("2020-03-01")), d("2020-02-29")));
    assert!(!on_date::holding_covers(d("2020-02-01"), Some(d("2020-03-01")), d("2020-03-01")));
    assert!(on_date::holding_covers(d("2020-02-01"), None, d("2030-01-01")));
    // A term is served from the day it began to its last day, both inclusive; not before it began.
    assert!(!on_date::term_served(None, d("2026-05-31"), d("2024-01-01")));
    assert!(on_date::term_served(Some(d("2023-06-01")), d("2026-05-31"), d("2026-05-31")));
    assert!(!on_date::term_served(Some(d("2023-06-01")), d("2026-05-31"), d("2026-06-01")));
}

// --- reported figures ------------------------------------------------------------------

fn reported(source: &str) -> BodyCommand {
    BodyCommand::RecordReportedFigure {
        figure: ReportedFigure::PathfinderCountries,
        value: 38,
        qualifier: FigureQualifier::Exactly,
        reported_on: date("2025-12-01"),
        source: source.to_string(),
    }
}

#[test]
fn a_reported_figure_is_recorded_with_its_source_and_date() {
    check(
        gcg(),
        reported("seed-000"),
        Ok(vec![BodyEvent::FigureReported {
            figure: ReportedFigure::PathfinderCountries,
            value: 38,
            qualifier: FigureQualifier::Exactly,
            reported_on: date("2025-12-01"),
            source: "seed-000".to_string(),
        }]),
    );
}

#[test]
fn a_reported_figure_needs_a_source_and_an_established_body() {
    check(gcg(), reported("  "), Err(BodyError::Empty("source")));
    check(vec![], reported("seed-000"), Err(BodyError::NotEstablished));
}
