//! Given/when/then tests of the `Meeting` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the
//! outcome (events or the exact refusal) is compared. Also: every refusal's rule name,
//! and golden JSON fixtures that pin the stored event schema.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::policy::{DecisionMethod, GovernancePolicy, QuorumRule};

#[track_caller]
fn check(given: Vec<MeetingEvent>, when: MeetingCommand, then: Result<Vec<MeetingEvent>, MeetingError>) {
    let mut state = Meeting::default();
    for event in given {
        evolve(&mut state, event);
    }
    assert_eq!(decide(&state, when), then);
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn schedule_command() -> MeetingCommand {
    MeetingCommand::Schedule {
        meeting_id: "GCG-21".to_string(),
        body_id: "gcg".to_string(),
        number: 21,
        kind: MeetingKind::Regular,
        date: date("2026-11-22"),
        modality: Modality::Hybrid,
        location: Some("Genève".to_string()),
    }
}

fn scheduled() -> MeetingEvent {
    MeetingEvent::MeetingScheduled {
        meeting_id: "GCG-21".to_string(),
        body_id: "gcg".to_string(),
        number: 21,
        kind: MeetingKind::Regular,
        date: date("2026-11-22"),
        modality: Modality::Hybrid,
        location: Some("Genève".to_string()),
    }
}

fn opened() -> MeetingEvent {
    MeetingEvent::MeetingOpened { opened_on: date("2026-11-22"), chaired_by: Some("seat-chair".to_string()) }
}

fn closed() -> MeetingEvent {
    MeetingEvent::MeetingClosed {
        closed_on: date("2026-11-22"),
        attendees_count: 0,
        organisations_present: vec![],
        decisions: vec![],
    }
}

fn attendance(seat: Option<&str>, organisation: &str, status: AttendanceStatus, voting: bool) -> Attendance {
    Attendance { seat_id: seat.map(str::to_string), organisation: organisation.to_string(), status, voting }
}

fn present(seat: &str, organisation: &str) -> Attendance {
    attendance(Some(seat), organisation, AttendanceStatus::Present, true)
}

fn attended(a: Attendance) -> MeetingEvent {
    MeetingEvent::AttendanceRecorded(a)
}

fn declare(voting_seats_filled: u32) -> MeetingCommand {
    MeetingCommand::DeclareQuorum { voting_seats_filled, policy: GovernancePolicy::provisional_v1() }
}

fn snapshot(filled: u32, present: u32, required: u32, met: bool) -> MeetingEvent {
    MeetingEvent::QuorumDeclared(QuorumSnapshot {
        voting_seats_filled: filled,
        voting_seats_present: present,
        required,
        met,
        policy_version: "gcg-rules/v1-provisional".to_string(),
    })
}

fn close(on: &str, decisions: &[&str]) -> MeetingCommand {
    MeetingCommand::Close { closed_on: date(on), decisions: decisions.iter().map(|d| d.to_string()).collect() }
}

fn open(on: &str) -> MeetingCommand {
    MeetingCommand::Open { opened_on: date(on), chaired_by: Some("seat-chair".to_string()) }
}

// --- Schedule ---------------------------------------------------------------------

#[test]
fn schedule_a_new_meeting() {
    check(vec![], schedule_command(), Ok(vec![scheduled()]));
}

#[test]
fn schedule_twice_is_refused() {
    check(vec![scheduled()], schedule_command(), Err(MeetingError::AlreadyScheduled));
}

#[test]
fn schedule_with_a_blank_id_is_refused() {
    let MeetingCommand::Schedule { body_id, number, kind, date, modality, location, .. } = schedule_command() else {
        unreachable!()
    };
    let when =
        MeetingCommand::Schedule { meeting_id: "  ".to_string(), body_id, number, kind, date, modality, location };
    check(vec![], when, Err(MeetingError::EmptyId));
}

#[test]
fn schedule_with_number_zero_is_refused() {
    let MeetingCommand::Schedule { meeting_id, body_id, kind, date, modality, location, .. } = schedule_command()
    else {
        unreachable!()
    };
    let when = MeetingCommand::Schedule { meeting_id, body_id, number: 0, kind, date, modality, location };
    check(vec![], when, Err(MeetingError::InvalidNumber));
}

// --- Open -------------------------------------------------------------------------

#[test]
fn open_on_the_scheduled_date() {
    check(vec![scheduled()], open("2026-11-22"), Ok(vec![opened()]));
}

#[test]
fn open_after_the_scheduled_date() {
    check(
        vec![scheduled()],
        MeetingCommand::Open { opened_on: date("2026-11-23"), chaired_by: None },
        Ok(vec![MeetingEvent::MeetingOpened { opened_on: date("2026-11-23"), chaired_by: None }]),
    );
}

#[test]
fn open_before_the_scheduled_date_is_refused() {
    check(vec![scheduled()], open("2026-11-21"), Err(MeetingError::OpenedBeforeDate));
}

#[test]
fn open_an_unscheduled_meeting_is_refused() {
    check(vec![], open("2026-11-22"), Err(MeetingError::NotScheduled));
}

#[test]
fn open_twice_is_refused() {
    check(vec![scheduled(), opened()], open("2026-11-22"), Err(MeetingError::AlreadyInSession));
}

#[test]
fn open_a_closed_meeting_is_refused() {
    check(vec![scheduled(), opened(), closed()], open("2026-11-22"), Err(MeetingError::Closed));
}

// --- RecordAttendance -------------------------------------------------------------

#[test]
fn attendance_may_be_recorded_before_the_meeting_opens() {
    let a = present("seat-civ", "Côte d'Ivoire");
    check(vec![scheduled()], MeetingCommand::RecordAttendance(a.clone()), Ok(vec![attended(a)]));
}

#[test]
fn attendance_may_be_recorded_in_session() {
    let a = attendance(None, "ILO", AttendanceStatus::Observer, false);
    check(vec![scheduled(), opened()], MeetingCommand::RecordAttendance(a.clone()), Ok(vec![attended(a)]));
}

#[test]
fn attendance_by_proxy_held_by_another_seat() {
    let a =
        attendance(Some("seat-nep"), "Nepal", AttendanceStatus::Proxy { held_by_seat: "seat-civ".to_string() }, true);
    check(vec![scheduled(), opened()], MeetingCommand::RecordAttendance(a.clone()), Ok(vec![attended(a)]));
}

#[test]
fn attendance_for_an_unscheduled_meeting_is_refused() {
    check(
        vec![],
        MeetingCommand::RecordAttendance(present("seat-civ", "Côte d'Ivoire")),
        Err(MeetingError::NotScheduled),
    );
}

#[test]
fn attendance_for_a_closed_meeting_is_refused() {
    check(
        vec![scheduled(), opened(), closed()],
        MeetingCommand::RecordAttendance(present("seat-civ", "Côte d'Ivoire")),
        Err(MeetingError::Closed),
    );
}

#[test]
fn attendance_for_the_same_seat_twice_is_refused() {
    let a = present("seat-civ", "Côte d'Ivoire");
    let again = attendance(Some("seat-civ"), "Côte d'Ivoire", AttendanceStatus::Apologies, true);
    check(
        vec![scheduled(), attended(a)],
        MeetingCommand::RecordAttendance(again),
        Err(MeetingError::AttendanceAlreadyRecorded),
    );
}

#[test]
fn attendance_without_seat_is_unique_per_organisation() {
    let ilo = attendance(None, "ILO", AttendanceStatus::Observer, false);
    check(
        vec![scheduled(), attended(ilo.clone())],
        MeetingCommand::RecordAttendance(ilo),
        Err(MeetingError::AttendanceAlreadyRecorded),
    );
    let unicef = attendance(None, "UNICEF", AttendanceStatus::Observer, false);
    check(
        vec![scheduled(), attended(attendance(None, "ILO", AttendanceStatus::Observer, false))],
        MeetingCommand::RecordAttendance(unicef.clone()),
        Ok(vec![attended(unicef)]),
    );
}

#[test]
fn proxy_held_by_the_same_seat_is_refused() {
    let a =
        attendance(Some("seat-nep"), "Nepal", AttendanceStatus::Proxy { held_by_seat: "seat-nep".to_string() }, true);
    check(vec![scheduled()], MeetingCommand::RecordAttendance(a), Err(MeetingError::InvalidProxy));
}

#[test]
fn proxy_held_by_no_seat_is_refused() {
    let a = attendance(Some("seat-nep"), "Nepal", AttendanceStatus::Proxy { held_by_seat: String::new() }, true);
    check(vec![scheduled()], MeetingCommand::RecordAttendance(a), Err(MeetingError::InvalidProxy));
}

// --- DeclareQuorum ----------------------------------------------------------------

/// Three voting seats count (two present, one by proxy); the observer, the absent seat
/// and the non-voting secretariat do not.
fn attendance_of_five() -> Vec<MeetingEvent> {
    vec![
        scheduled(),
        opened(),
        attended(present("seat-civ", "Côte d'Ivoire")),
        attended(present("seat-nep", "Nepal")),
        attended(attendance(
            Some("seat-per"),
            "Peru",
            AttendanceStatus::Proxy { held_by_seat: "seat-civ".to_string() },
            true,
        )),
        attended(attendance(Some("seat-uk"), "United Kingdom", AttendanceStatus::Absent, true)),
        attended(attendance(None, "ILO", AttendanceStatus::Observer, false)),
        attended(attendance(None, "Secretariat", AttendanceStatus::Present, false)),
    ]
}

#[test]
fn quorum_met_under_the_provisional_rules() {
    check(attendance_of_five(), declare(5), Ok(vec![snapshot(5, 3, 3, true)]));
}

#[test]
fn quorum_not_met_is_still_declared() {
    check(attendance_of_five(), declare(6), Ok(vec![snapshot(6, 3, 4, false)]));
}

#[test]
fn quorum_under_a_fixed_and_a_percent_rule() {
    let policy = |quorum| GovernancePolicy {
        version: "gcg-rules/v2".to_string(),
        method: DecisionMethod::Consensus,
        quorum,
        provisional: false,
    };
    let expect = |required, met| {
        Ok(vec![MeetingEvent::QuorumDeclared(QuorumSnapshot {
            voting_seats_filled: 7,
            voting_seats_present: 3,
            required,
            met,
            policy_version: "gcg-rules/v2".to_string(),
        })])
    };
    let when = |quorum| MeetingCommand::DeclareQuorum { voting_seats_filled: 7, policy: policy(quorum) };
    check(attendance_of_five(), when(QuorumRule::Fixed { seats: 3 }), expect(3, true));
    // 40 % of 7 is 2.8, rounded up to 3.
    check(attendance_of_five(), when(QuorumRule::Percent { percent: 40 }), expect(3, true));
    // 50 % of 7 is 3.5, rounded up to 4.
    check(attendance_of_five(), when(QuorumRule::Percent { percent: 50 }), expect(4, false));
}

#[test]
fn quorum_before_the_meeting_opens_is_refused() {
    check(vec![scheduled()], declare(5), Err(MeetingError::NotInSession));
}

#[test]
fn quorum_for_an_unscheduled_meeting_is_refused() {
    check(vec![], declare(5), Err(MeetingError::NotScheduled));
}

#[test]
fn quorum_for_a_closed_meeting_is_refused() {
    check(vec![scheduled(), opened(), closed()], declare(5), Err(MeetingError::Closed));
}

#[test]
fn quorum_with_no_voting_seat_filled_is_refused() {
    check(vec![scheduled(), opened()], declare(0), Err(MeetingError::NoVotingSeatsFilled));
}

#[test]
fn quorum_with_more_present_than_filled_is_refused() {
    check(attendance_of_five(), declare(2), Err(MeetingError::PresentExceedsFilled));
}

// --- Close ------------------------------------------------------------------------

#[test]
fn close_counts_attendees_and_lists_organisations_present_once() {
    let mut given = attendance_of_five();
    // A second seat of an organisation already present.
    given.push(attended(attendance(Some("seat-civ-2"), "Côte d'Ivoire", AttendanceStatus::Present, false)));
    check(
        given,
        close("2026-11-23", &["GCG-21-D01", "GCG-21-D02"]),
        Ok(vec![MeetingEvent::MeetingClosed {
            closed_on: date("2026-11-23"),
            // civ, nep, per (proxy), secretariat, civ-2; not the absent seat or the observer.
            attendees_count: 5,
            organisations_present: vec![
                "Côte d'Ivoire".to_string(),
                "Nepal".to_string(),
                "Peru".to_string(),
                "Secretariat".to_string(),
            ],
            decisions: vec!["GCG-21-D01".to_string(), "GCG-21-D02".to_string()],
        }]),
    );
}

#[test]
fn close_before_the_meeting_opens_is_refused() {
    check(vec![scheduled()], close("2026-11-22", &[]), Err(MeetingError::NotInSession));
}

#[test]
fn close_an_unscheduled_meeting_is_refused() {
    check(vec![], close("2026-11-22", &[]), Err(MeetingError::NotScheduled));
}

#[test]
fn close_twice_is_refused() {
    check(vec![scheduled(), opened(), closed()], close("2026-11-22", &[]), Err(MeetingError::Closed));
}

#[test]
fn close_before_the_opening_date_is_refused() {
    check(
        vec![scheduled(), MeetingEvent::MeetingOpened { opened_on: date("2026-11-23"), chaired_by: None }],
        close("2026-11-22", &[]),
        Err(MeetingError::ClosedBeforeOpened),
    );
}

// --- evolve -----------------------------------------------------------------------

#[test]
fn evolve_folds_the_whole_life_of_a_meeting() {
    let mut state = Meeting::default();
    for event in attendance_of_five() {
        evolve(&mut state, event);
    }
    evolve(&mut state, snapshot(5, 3, 3, true));
    assert_eq!(state.status, MeetingStatus::InSession);
    assert_eq!(state.meeting_id, "GCG-21");
    assert_eq!(state.number, 21);
    assert_eq!(state.date, Some(date("2026-11-22")));
    assert_eq!(state.opened_on, Some(date("2026-11-22")));
    assert_eq!(state.attendance.len(), 6);
    assert_eq!(state.voting_seats_present(), 3);
    assert!(state.quorum.as_ref().is_some_and(|q| q.met));
    evolve(&mut state, closed());
    assert_eq!(state.status, MeetingStatus::Closed);
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<MeetingError> {
    use MeetingError::*;
    vec![
        AlreadyScheduled,
        InvalidNumber,
        EmptyId,
        NotScheduled,
        AlreadyInSession,
        Closed,
        NotInSession,
        OpenedBeforeDate,
        AttendanceAlreadyRecorded,
        InvalidProxy,
        NoVotingSeatsFilled,
        PresentExceedsFilled,
        ClosedBeforeOpened,
    ]
}

fn ordinal(error: &MeetingError) -> usize {
    use MeetingError::*;
    match error {
        AlreadyScheduled => 0,
        InvalidNumber => 1,
        EmptyId => 2,
        NotScheduled => 3,
        AlreadyInSession => 4,
        Closed => 5,
        NotInSession => 6,
        OpenedBeforeDate => 7,
        AttendanceAlreadyRecorded => 8,
        InvalidProxy => 9,
        NoVotingSeatsFilled => 10,
        PresentExceedsFilled => 11,
        ClosedBeforeOpened => 12,
    }
}

#[test]
fn every_rule_name_is_unique_snake_case() {
    let errors = all_errors();
    let ordinals: Vec<usize> = errors.iter().map(ordinal).collect();
    assert_eq!(ordinals, (0..errors.len()).collect::<Vec<_>>(), "all_errors lists each variant once");
    let mut seen = std::collections::BTreeSet::new();
    for error in &errors {
        let rule = error.rule();
        assert!(seen.insert(rule), "rule {rule} is used twice");
        assert!(
            !rule.is_empty()
                && rule.starts_with(|c: char| c.is_ascii_lowercase())
                && !rule.ends_with('_')
                && !rule.contains("__")
                && rule.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "rule {rule} is not snake_case"
        );
        let message = error.to_string();
        assert!(!message.ends_with('.') && message.starts_with(|c: char| c.is_lowercase()), "{message}");
    }
}

// --- stored schema ----------------------------------------------------------------

#[track_caller]
fn golden(event: MeetingEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: MeetingEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_meeting_scheduled() {
    golden(
        scheduled(),
        "MeetingScheduled",
        r#"{"MeetingScheduled":{"meeting_id":"GCG-21","body_id":"gcg","number":21,"kind":"regular","date":"2026-11-22","modality":"hybrid","location":"Genève"}}"#,
    );
    golden(
        MeetingEvent::MeetingScheduled {
            meeting_id: "GCG-22".to_string(),
            body_id: "gcg".to_string(),
            number: 22,
            kind: MeetingKind::ExtraOrdinary,
            date: date("2027-02-01"),
            modality: Modality::InPerson,
            location: None,
        },
        "MeetingScheduled",
        r#"{"MeetingScheduled":{"meeting_id":"GCG-22","body_id":"gcg","number":22,"kind":"extra_ordinary","date":"2027-02-01","modality":"in_person","location":null}}"#,
    );
}

#[test]
fn golden_meeting_opened() {
    golden(opened(), "MeetingOpened", r#"{"MeetingOpened":{"opened_on":"2026-11-22","chaired_by":"seat-chair"}}"#);
}

#[test]
fn golden_attendance_recorded() {
    golden(
        attended(present("seat-civ", "Côte d'Ivoire")),
        "AttendanceRecorded",
        r#"{"AttendanceRecorded":{"seat_id":"seat-civ","organisation":"Côte d'Ivoire","status":{"kind":"present"},"voting":true}}"#,
    );
    golden(
        attended(attendance(
            Some("seat-per"),
            "Peru",
            AttendanceStatus::Proxy { held_by_seat: "seat-civ".to_string() },
            true,
        )),
        "AttendanceRecorded",
        r#"{"AttendanceRecorded":{"seat_id":"seat-per","organisation":"Peru","status":{"kind":"proxy","held_by_seat":"seat-civ"},"voting":true}}"#,
    );
}

#[test]
fn golden_quorum_declared() {
    golden(
        snapshot(5, 3, 3, true),
        "QuorumDeclared",
        r#"{"QuorumDeclared":{"voting_seats_filled":5,"voting_seats_present":3,"required":3,"met":true,"policy_version":"gcg-rules/v1-provisional"}}"#,
    );
}

#[test]
fn golden_meeting_closed() {
    golden(
        MeetingEvent::MeetingClosed {
            closed_on: date("2026-11-23"),
            attendees_count: 2,
            organisations_present: vec!["Côte d'Ivoire".to_string(), "Nepal".to_string()],
            decisions: vec!["GCG-21-D01".to_string()],
        },
        "MeetingClosed",
        r#"{"MeetingClosed":{"closed_on":"2026-11-23","attendees_count":2,"organisations_present":["Côte d'Ivoire","Nepal"],"decisions":["GCG-21-D01"]}}"#,
    );
}

#[test]
fn golden_enums_used_in_events_and_commands() {
    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("serialises")
    }
    assert_eq!(json(&MeetingKind::StrategicWorkshop), r#""strategic_workshop""#);
    assert_eq!(json(&MeetingKind::Intersessional), r#""intersessional""#);
    assert_eq!(json(&Modality::Virtual), r#""virtual""#);
    assert_eq!(json(&AttendanceStatus::Apologies), r#"{"kind":"apologies"}"#);
    assert_eq!(json(&AttendanceStatus::Absent), r#"{"kind":"absent"}"#);
    assert_eq!(json(&AttendanceStatus::Observer), r#"{"kind":"observer"}"#);
    assert_eq!(json(&MeetingStatus::InSession), r#""in_session""#);
}
