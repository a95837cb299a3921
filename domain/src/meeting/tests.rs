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
        ..GovernancePolicy::provisional_v1()
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

// --- Reschedule -------------------------------------------------------------------

fn reschedule(to: &str, reason: &str) -> MeetingCommand {
    MeetingCommand::Reschedule { new_date: date(to), reason: reason.to_string() }
}

fn rescheduled(to: &str) -> MeetingEvent {
    MeetingEvent::MeetingRescheduled {
        old_date: date("2026-11-22"),
        new_date: date(to),
        reason: "venue unavailable".to_string(),
    }
}

fn cancel(reason: &str) -> MeetingCommand {
    MeetingCommand::Cancel { cancelled_on: date("2026-11-01"), reason: reason.to_string() }
}

fn cancelled() -> MeetingEvent {
    MeetingEvent::MeetingCancelled { cancelled_on: date("2026-11-01"), reason: "no quorum expected".to_string() }
}

fn adjourned() -> MeetingEvent {
    MeetingEvent::MeetingAdjourned { adjourned_on: date("2026-11-22") }
}

#[test]
fn reschedule_a_scheduled_meeting() {
    check(vec![scheduled()], reschedule("2026-12-01", "venue unavailable"), Ok(vec![rescheduled("2026-12-01")]));
    // Earlier is a new date too.
    check(vec![scheduled()], reschedule("2026-11-15", "venue unavailable"), Ok(vec![rescheduled("2026-11-15")]));
}

#[test]
fn a_rescheduled_meeting_opens_on_its_new_date() {
    check(vec![scheduled(), rescheduled("2026-12-01")], open("2026-11-22"), Err(MeetingError::OpenedBeforeDate));
    check(
        vec![scheduled(), rescheduled("2026-12-01")],
        open("2026-12-01"),
        Ok(vec![MeetingEvent::MeetingOpened {
            opened_on: date("2026-12-01"),
            chaired_by: Some("seat-chair".to_string()),
        }]),
    );
}

#[test]
fn reschedule_to_the_same_date_is_refused() {
    check(vec![scheduled()], reschedule("2026-11-22", "venue unavailable"), Err(MeetingError::SameDate));
}

#[test]
fn reschedule_without_a_reason_is_refused() {
    check(vec![scheduled()], reschedule("2026-12-01", " "), Err(MeetingError::Empty("reason")));
}

#[test]
fn only_a_meeting_not_yet_opened_can_be_rescheduled() {
    let when = || reschedule("2026-12-01", "venue unavailable");
    check(vec![], when(), Err(MeetingError::NotScheduled));
    check(vec![scheduled(), opened()], when(), Err(MeetingError::AlreadyStarted));
    check(vec![scheduled(), opened(), adjourned()], when(), Err(MeetingError::AlreadyStarted));
    check(vec![scheduled(), opened(), closed()], when(), Err(MeetingError::AlreadyStarted));
    check(vec![scheduled(), cancelled()], when(), Err(MeetingError::Cancelled));
}

// --- Cancel -----------------------------------------------------------------------

#[test]
fn cancel_a_scheduled_meeting() {
    check(vec![scheduled()], cancel("no quorum expected"), Ok(vec![cancelled()]));
}

#[test]
fn cancel_without_a_reason_is_refused() {
    check(vec![scheduled()], cancel(""), Err(MeetingError::Empty("reason")));
}

#[test]
fn only_a_meeting_not_yet_opened_can_be_cancelled() {
    check(vec![], cancel("x"), Err(MeetingError::NotScheduled));
    check(vec![scheduled(), opened()], cancel("x"), Err(MeetingError::AlreadyStarted));
    check(vec![scheduled(), opened(), closed()], cancel("x"), Err(MeetingError::AlreadyStarted));
    check(vec![scheduled(), cancelled()], cancel("x"), Err(MeetingError::Cancelled));
}

#[test]
fn a_cancelled_meeting_refuses_everything() {
    let given = || vec![scheduled(), cancelled()];
    for when in [
        open("2026-11-22"),
        MeetingCommand::RecordAttendance(present("seat-civ", "Côte d'Ivoire")),
        declare(5),
        close("2026-11-22", &[]),
        publish_agenda(vec![item("1", "Opening")]),
        MeetingCommand::Adjourn { adjourned_on: date("2026-11-22") },
        draft("2026-11-25"),
        circulate("2026-11-26", "2026-12-10"),
        approve_by_silence("2026-12-11"),
        publish_report(HASH),
    ] {
        check(given(), when, Err(MeetingError::Cancelled));
    }
    check(given(), schedule_command(), Err(MeetingError::AlreadyScheduled));
    check(given(), MeetingCommand::Resume { resumed_on: date("2026-11-22") }, Err(MeetingError::NotAdjourned));
}

// --- PublishAgenda ----------------------------------------------------------------

fn item(number: &str, title: &str) -> AgendaItem {
    AgendaItem {
        number: number.to_string(),
        title: title.to_string(),
        objective: None,
        kind: AgendaItemKind::Discussion,
    }
}

fn agenda() -> Vec<AgendaItem> {
    vec![
        item("1", "Opening"),
        AgendaItem {
            number: "4.2".to_string(),
            title: "Pathfinder status of Côte d'Ivoire".to_string(),
            objective: Some("decide on the application".to_string()),
            kind: AgendaItemKind::Decision,
        },
    ]
}

fn publish_agenda(items: Vec<AgendaItem>) -> MeetingCommand {
    MeetingCommand::PublishAgenda { items, published_on: date("2026-11-01") }
}

fn agenda_published(version: u32) -> MeetingEvent {
    MeetingEvent::AgendaPublished { version, items: agenda(), published_on: date("2026-11-01") }
}

#[test]
fn publish_the_first_agenda() {
    check(vec![scheduled()], publish_agenda(agenda()), Ok(vec![agenda_published(1)]));
}

#[test]
fn an_amended_agenda_gets_the_next_version() {
    check(vec![scheduled(), agenda_published(1)], publish_agenda(agenda()), Ok(vec![agenda_published(2)]));
    check(
        vec![scheduled(), agenda_published(1), agenda_published(2), opened()],
        publish_agenda(agenda()),
        Ok(vec![agenda_published(3)]),
    );
    check(
        vec![scheduled(), agenda_published(1), opened(), adjourned()],
        publish_agenda(agenda()),
        Ok(vec![agenda_published(2)]),
    );
}

#[test]
fn an_agenda_numbers_each_item_once() {
    check(
        vec![scheduled()],
        publish_agenda(vec![item("4.2", "Pathfinder status"), item("4.2", "Pathfinder status again")]),
        Err(MeetingError::AgendaNumberDuplicate("4.2".to_string())),
    );
}

#[test]
fn an_agenda_needs_numbered_titled_items() {
    check(vec![scheduled()], publish_agenda(vec![]), Err(MeetingError::Empty("items")));
    check(
        vec![scheduled()],
        publish_agenda(vec![item(" ", "Opening")]),
        Err(MeetingError::Empty("agenda item number and title")),
    );
    check(
        vec![scheduled()],
        publish_agenda(vec![item("1", "")]),
        Err(MeetingError::Empty("agenda item number and title")),
    );
}

#[test]
fn publish_an_agenda_for_an_unscheduled_or_closed_meeting_is_refused() {
    check(vec![], publish_agenda(agenda()), Err(MeetingError::NotScheduled));
    check(vec![scheduled(), opened(), closed()], publish_agenda(agenda()), Err(MeetingError::Closed));
}

// --- Adjourn / Resume -------------------------------------------------------------

fn adjourn(on: &str) -> MeetingCommand {
    MeetingCommand::Adjourn { adjourned_on: date(on) }
}

fn resume(on: &str) -> MeetingCommand {
    MeetingCommand::Resume { resumed_on: date(on) }
}

#[test]
fn adjourn_a_meeting_in_session() {
    check(vec![scheduled(), opened()], adjourn("2026-11-22"), Ok(vec![adjourned()]));
}

#[test]
fn adjourn_a_meeting_not_in_session_is_refused() {
    check(vec![], adjourn("2026-11-22"), Err(MeetingError::NotScheduled));
    check(vec![scheduled()], adjourn("2026-11-22"), Err(MeetingError::NotInSession));
    check(vec![scheduled(), opened(), adjourned()], adjourn("2026-11-22"), Err(MeetingError::NotInSession));
    check(vec![scheduled(), opened(), closed()], adjourn("2026-11-22"), Err(MeetingError::Closed));
}

#[test]
fn adjourn_before_the_opening_is_refused() {
    check(vec![scheduled(), opened()], adjourn("2026-11-21"), Err(MeetingError::BeforeMeeting));
}

#[test]
fn resume_an_adjourned_meeting() {
    check(
        vec![scheduled(), opened(), adjourned()],
        resume("2026-11-23"),
        Ok(vec![MeetingEvent::MeetingResumed { resumed_on: date("2026-11-23") }]),
    );
}

#[test]
fn resume_a_meeting_not_adjourned_is_refused() {
    check(vec![], resume("2026-11-23"), Err(MeetingError::NotAdjourned));
    check(vec![scheduled()], resume("2026-11-23"), Err(MeetingError::NotAdjourned));
    check(vec![scheduled(), opened()], resume("2026-11-23"), Err(MeetingError::NotAdjourned));
    check(vec![scheduled(), opened(), closed()], resume("2026-11-23"), Err(MeetingError::NotAdjourned));
}

#[test]
fn resume_before_the_opening_is_refused() {
    check(vec![scheduled(), opened(), adjourned()], resume("2026-11-21"), Err(MeetingError::BeforeMeeting));
}

#[test]
fn an_adjourned_meeting_takes_attendance_and_closes_but_declares_no_quorum() {
    let given = || vec![scheduled(), opened(), adjourned()];
    let a = present("seat-civ", "Côte d'Ivoire");
    check(given(), MeetingCommand::RecordAttendance(a.clone()), Ok(vec![attended(a)]));
    check(given(), declare(5), Err(MeetingError::NotInSession));
    check(given(), open("2026-11-23"), Err(MeetingError::AlreadyInSession));
    check(
        given(),
        close("2026-11-23", &[]),
        Ok(vec![MeetingEvent::MeetingClosed {
            closed_on: date("2026-11-23"),
            attendees_count: 0,
            organisations_present: vec![],
            decisions: vec![],
        }]),
    );
}

// --- DraftMinutes -----------------------------------------------------------------

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn held() -> Vec<MeetingEvent> {
    vec![scheduled(), opened(), closed()]
}

fn with(mut given: Vec<MeetingEvent>, more: impl IntoIterator<Item = MeetingEvent>) -> Vec<MeetingEvent> {
    given.extend(more);
    given
}

fn draft(on: &str) -> MeetingCommand {
    MeetingCommand::DraftMinutes { doc_sha256: HASH.to_string(), drafted_on: date(on) }
}

fn drafted(version: u32) -> MeetingEvent {
    MeetingEvent::MinutesDrafted { version, doc_sha256: HASH.to_string(), drafted_on: date("2026-11-25") }
}

fn circulate(on: &str, deadline: &str) -> MeetingCommand {
    MeetingCommand::CirculateMinutes { circulated_on: date(on), comment_deadline: date(deadline) }
}

fn circulated(version: u32) -> MeetingEvent {
    MeetingEvent::MinutesCirculated { version, circulated_on: date("2026-11-26"), comment_deadline: date("2026-12-10") }
}

fn approve_by_silence(on: &str) -> MeetingCommand {
    MeetingCommand::ApproveMinutes { approved_on: date(on), authority: None, silence_allowed: true }
}

fn approve_by_decision(facts: DecisionFacts) -> MeetingCommand {
    MeetingCommand::ApproveMinutes { approved_on: date("2027-03-15"), authority: Some(facts), silence_allowed: false }
}

fn approved_by_silence(version: u32) -> MeetingEvent {
    MeetingEvent::MinutesApproved {
        version,
        approved_on: date("2026-12-11"),
        by: MinutesApproval::Silence { comment_deadline: date("2026-12-10") },
    }
}

fn approve_minutes_subject(meeting_id: &str) -> DecisionSubject {
    DecisionSubject::ApproveMinutes { meeting_id: meeting_id.to_string() }
}

fn publish_report(hash: &str) -> MeetingCommand {
    MeetingCommand::PublishReport {
        doc_sha256: hash.to_string(),
        url: Some("https://www.alliance87.org/gcg-21-report.pdf".to_string()),
        published_on: date("2026-12-15"),
    }
}

fn report_published() -> MeetingEvent {
    MeetingEvent::MeetingReportPublished {
        doc_sha256: HASH.to_string(),
        url: Some("https://www.alliance87.org/gcg-21-report.pdf".to_string()),
        published_on: date("2026-12-15"),
    }
}

#[test]
fn draft_the_first_minutes_after_closing() {
    check(held(), draft("2026-11-25"), Ok(vec![drafted(1)]));
    // The day of closing is fine.
    check(
        held(),
        draft("2026-11-22"),
        Ok(vec![MeetingEvent::MinutesDrafted {
            version: 1,
            doc_sha256: HASH.to_string(),
            drafted_on: date("2026-11-22"),
        }]),
    );
}

#[test]
fn a_new_draft_gets_the_next_version_and_must_be_circulated_again() {
    check(with(held(), [drafted(1), circulated(1)]), draft("2026-11-25"), Ok(vec![drafted(2)]));
    check(
        with(held(), [drafted(1), circulated(1), drafted(2)]),
        approve_by_silence("2026-12-11"),
        Err(MeetingError::MinutesNotCirculated),
    );
}

#[test]
fn draft_minutes_before_the_meeting_closed_is_refused() {
    check(vec![], draft("2026-11-25"), Err(MeetingError::NotScheduled));
    check(vec![scheduled()], draft("2026-11-25"), Err(MeetingError::NotClosed));
    check(vec![scheduled(), opened()], draft("2026-11-25"), Err(MeetingError::NotClosed));
    check(vec![scheduled(), opened(), adjourned()], draft("2026-11-25"), Err(MeetingError::NotClosed));
    check(held(), draft("2026-11-21"), Err(MeetingError::BeforeMeeting));
}

#[test]
fn draft_minutes_with_a_malformed_hash_is_refused() {
    check(
        held(),
        MeetingCommand::DraftMinutes { doc_sha256: "abc".to_string(), drafted_on: date("2026-11-25") },
        Err(MeetingError::DocumentHashInvalid),
    );
}

#[test]
fn draft_after_approval_is_refused() {
    check(
        with(held(), [drafted(1), circulated(1), approved_by_silence(1)]),
        draft("2026-12-12"),
        Err(MeetingError::MinutesAlreadyApproved),
    );
}

// --- CirculateMinutes -------------------------------------------------------------

#[test]
fn circulate_the_latest_draft_with_a_comment_deadline() {
    check(with(held(), [drafted(1)]), circulate("2026-11-26", "2026-12-10"), Ok(vec![circulated(1)]));
    check(with(held(), [drafted(1), drafted(2)]), circulate("2026-11-26", "2026-12-10"), Ok(vec![circulated(2)]));
}

#[test]
fn circulate_without_minutes_is_refused() {
    check(held(), circulate("2026-11-26", "2026-12-10"), Err(MeetingError::MinutesNotDrafted));
}

#[test]
fn the_comment_deadline_is_after_circulation() {
    check(with(held(), [drafted(1)]), circulate("2026-11-26", "2026-11-26"), Err(MeetingError::CommentDeadlineInvalid));
    check(with(held(), [drafted(1)]), circulate("2026-11-26", "2026-11-20"), Err(MeetingError::CommentDeadlineInvalid));
}

#[test]
fn circulate_approved_minutes_is_refused() {
    check(
        with(held(), [drafted(1), circulated(1), approved_by_silence(1)]),
        circulate("2026-12-12", "2026-12-20"),
        Err(MeetingError::MinutesAlreadyApproved),
    );
}

#[test]
fn circulate_before_the_meeting_closed_is_refused() {
    check(vec![scheduled(), opened()], circulate("2026-11-26", "2026-12-10"), Err(MeetingError::NotClosed));
}

// --- ApproveMinutes ---------------------------------------------------------------

fn circulated_minutes() -> Vec<MeetingEvent> {
    with(held(), [drafted(1), circulated(1)])
}

#[test]
fn approve_minutes_by_a_decision_about_them() {
    check(
        circulated_minutes(),
        approve_by_decision(DecisionFacts::adopted(
            "GCG-22-D01",
            approve_minutes_subject("GCG-21"),
            date("2027-03-15"),
        )),
        Ok(vec![MeetingEvent::MinutesApproved {
            version: 1,
            approved_on: date("2027-03-15"),
            by: MinutesApproval::Decision { decision_id: "GCG-22-D01".to_string() },
        }]),
    );
}

#[test]
fn a_decision_also_approves_before_the_comment_deadline_and_without_silence_procedure() {
    let command = MeetingCommand::ApproveMinutes {
        approved_on: date("2026-12-01"),
        authority: Some(DecisionFacts::adopted("GCG-22-D01", approve_minutes_subject("GCG-21"), date("2026-12-01"))),
        silence_allowed: false,
    };
    check(
        circulated_minutes(),
        command,
        Ok(vec![MeetingEvent::MinutesApproved {
            version: 1,
            approved_on: date("2026-12-01"),
            by: MinutesApproval::Decision { decision_id: "GCG-22-D01".to_string() },
        }]),
    );
}

#[test]
fn approve_minutes_by_a_decision_about_another_meeting_is_refused() {
    let expected = Err(MeetingError::Authority(AuthorityError::WrongSubject {
        decision_id: "GCG-22-D01".to_string(),
        needed: "approve_minutes for this meeting",
    }));
    check(
        circulated_minutes(),
        approve_by_decision(DecisionFacts::adopted(
            "GCG-22-D01",
            approve_minutes_subject("GCG-20"),
            date("2027-03-15"),
        )),
        expected.clone(),
    );
    check(
        circulated_minutes(),
        approve_by_decision(DecisionFacts::adopted("GCG-22-D01", DecisionSubject::Procedural, date("2027-03-15"))),
        expected,
    );
}

#[test]
fn approve_minutes_by_a_decision_not_adopted_is_refused() {
    let facts = DecisionFacts {
        decision_id: "GCG-22-D01".to_string(),
        status: crate::decision::DecisionStatus::Proposed,
        subject: Some(approve_minutes_subject("GCG-21")),
        adopted_on: None,
    };
    check(
        circulated_minutes(),
        approve_by_decision(facts),
        Err(MeetingError::Authority(AuthorityError::NotAdopted { decision_id: "GCG-22-D01".to_string() })),
    );
}

#[test]
fn approve_minutes_by_silence_after_the_comment_deadline() {
    check(circulated_minutes(), approve_by_silence("2026-12-11"), Ok(vec![approved_by_silence(1)]));
}

#[test]
fn silence_does_not_approve_until_the_comment_deadline_has_passed() {
    let not_passed = || Err(MeetingError::CommentDeadlineNotPassed(date("2026-12-10")));
    check(circulated_minutes(), approve_by_silence("2026-12-10"), not_passed());
    check(circulated_minutes(), approve_by_silence("2026-12-01"), not_passed());
}

#[test]
fn silence_does_not_approve_when_the_policy_does_not_allow_it() {
    check(
        circulated_minutes(),
        MeetingCommand::ApproveMinutes { approved_on: date("2026-12-11"), authority: None, silence_allowed: false },
        Err(MeetingError::SilenceNotAllowed),
    );
}

#[test]
fn approve_minutes_not_circulated_or_not_drafted_is_refused() {
    check(with(held(), [drafted(1)]), approve_by_silence("2026-12-11"), Err(MeetingError::MinutesNotCirculated));
    check(
        with(held(), [drafted(1)]),
        approve_by_decision(DecisionFacts::adopted(
            "GCG-22-D01",
            approve_minutes_subject("GCG-21"),
            date("2027-03-15"),
        )),
        Err(MeetingError::MinutesNotCirculated),
    );
    check(held(), approve_by_silence("2026-12-11"), Err(MeetingError::MinutesNotDrafted));
}

#[test]
fn approve_minutes_twice_is_refused() {
    check(
        with(circulated_minutes(), [approved_by_silence(1)]),
        approve_by_silence("2026-12-12"),
        Err(MeetingError::MinutesAlreadyApproved),
    );
}

#[test]
fn approve_minutes_of_a_meeting_not_closed_is_refused() {
    check(vec![scheduled(), opened()], approve_by_silence("2026-12-11"), Err(MeetingError::NotClosed));
}

// --- PublishReport ----------------------------------------------------------------

#[test]
fn publish_the_report_once_the_minutes_are_approved() {
    check(with(circulated_minutes(), [approved_by_silence(1)]), publish_report(HASH), Ok(vec![report_published()]));
}

#[test]
fn publish_the_report_before_the_minutes_are_approved_is_refused() {
    check(held(), publish_report(HASH), Err(MeetingError::MinutesNotApproved));
    check(circulated_minutes(), publish_report(HASH), Err(MeetingError::MinutesNotApproved));
}

#[test]
fn publish_the_report_twice_is_refused() {
    check(
        with(circulated_minutes(), [approved_by_silence(1), report_published()]),
        publish_report(HASH),
        Err(MeetingError::ReportAlreadyPublished),
    );
}

#[test]
fn publish_a_report_with_a_malformed_hash_is_refused() {
    check(
        with(circulated_minutes(), [approved_by_silence(1)]),
        publish_report(&HASH.to_uppercase()),
        Err(MeetingError::DocumentHashInvalid),
    );
}

#[test]
fn publish_the_report_of_a_meeting_not_closed_is_refused() {
    check(vec![scheduled(), opened()], publish_report(HASH), Err(MeetingError::NotClosed));
    check(vec![], publish_report(HASH), Err(MeetingError::NotScheduled));
}

// --- edge facts -------------------------------------------------------------------

#[test]
fn a_client_cannot_claim_the_edge_facts_of_an_approval() {
    let json = r#"{"command":"approve_minutes","approved_on":"2026-12-11","silence_allowed":true,"authority":{"decision_id":"X","status":"adopted","subject":null,"adopted_on":null}}"#;
    let command: MeetingCommand = serde_json::from_str(json).expect("deserialises");
    assert_eq!(
        command,
        MeetingCommand::ApproveMinutes { approved_on: date("2026-12-11"), authority: None, silence_allowed: false }
    );
    assert_eq!(command.name(), "approve_minutes");
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

#[test]
fn evolve_folds_the_meeting_after_it_closed() {
    let mut state = Meeting::default();
    for event in [
        scheduled(),
        rescheduled("2026-11-23"),
        agenda_published(1),
        agenda_published(2),
        MeetingEvent::MeetingOpened { opened_on: date("2026-11-23"), chaired_by: None },
        MeetingEvent::MeetingAdjourned { adjourned_on: date("2026-11-23") },
    ] {
        evolve(&mut state, event);
    }
    assert_eq!(state.status, MeetingStatus::Adjourned);
    assert_eq!(state.kind, Some(MeetingKind::Regular));
    assert_eq!(state.body_id, "gcg");
    assert_eq!(state.date, Some(date("2026-11-23")));
    assert_eq!(state.agenda_version, 2);
    evolve(&mut state, MeetingEvent::MeetingResumed { resumed_on: date("2026-11-24") });
    assert_eq!(state.status, MeetingStatus::InSession);
    for event in [closed(), drafted(1), circulated(1)] {
        evolve(&mut state, event);
    }
    assert_eq!(state.closed_on, Some(date("2026-11-22")));
    assert_eq!(
        state.minutes,
        Some(Minutes {
            version: 1,
            comment_deadline: Some(date("2026-12-10")),
            circulated_on: Some(date("2026-11-26")),
            approved: false,
        })
    );
    evolve(&mut state, approved_by_silence(1));
    assert!(state.minutes.as_ref().is_some_and(|m| m.approved));
    assert!(!state.report_published);
    evolve(&mut state, report_published());
    assert!(state.report_published);
    let mut cancelled_state = Meeting::default();
    evolve(&mut cancelled_state, scheduled());
    evolve(&mut cancelled_state, cancelled());
    assert_eq!(cancelled_state.status, MeetingStatus::Cancelled);
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
        Cancelled,
        AlreadyStarted,
        SameDate,
        Empty("reason"),
        AgendaNumberDuplicate("4.2".to_string()),
        NotAdjourned,
        NotClosed,
        DocumentHashInvalid,
        MinutesAlreadyApproved,
        MinutesNotDrafted,
        MinutesNotCirculated,
        CommentDeadlineInvalid,
        CommentDeadlineNotPassed(date("2026-12-20")),
        SilenceNotAllowed,
        MinutesNotApproved,
        ReportAlreadyPublished,
        BeforeMeeting,
        Authority(AuthorityError::Missing { needed: "approve_minutes for this meeting" }),
        Authority(AuthorityError::NotAdopted { decision_id: "GCG-22-D01".to_string() }),
        Authority(AuthorityError::WrongSubject {
            decision_id: "GCG-22-D01".to_string(),
            needed: "approve_minutes for this meeting",
        }),
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
        Cancelled => 13,
        AlreadyStarted => 14,
        SameDate => 15,
        Empty(_) => 16,
        AgendaNumberDuplicate(_) => 17,
        NotAdjourned => 18,
        NotClosed => 19,
        DocumentHashInvalid => 20,
        MinutesAlreadyApproved => 21,
        MinutesNotDrafted => 22,
        MinutesNotCirculated => 23,
        CommentDeadlineInvalid => 24,
        CommentDeadlineNotPassed(_) => 25,
        SilenceNotAllowed => 26,
        MinutesNotApproved => 27,
        ReportAlreadyPublished => 28,
        BeforeMeeting => 29,
        Authority(AuthorityError::Missing { .. }) => 30,
        Authority(AuthorityError::NotAdopted { .. }) => 31,
        Authority(AuthorityError::WrongSubject { .. }) => 32,
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
fn golden_agenda_published() {
    golden(
        agenda_published(2),
        "AgendaPublished",
        r#"{"AgendaPublished":{"version":2,"items":[{"number":"1","title":"Opening","objective":null,"kind":"discussion"},{"number":"4.2","title":"Pathfinder status of Côte d'Ivoire","objective":"decide on the application","kind":"decision"}],"published_on":"2026-11-01"}}"#,
    );
}

#[test]
fn golden_minutes_approved() {
    golden(
        approved_by_silence(1),
        "MinutesApproved",
        r#"{"MinutesApproved":{"version":1,"approved_on":"2026-12-11","by":{"kind":"silence","comment_deadline":"2026-12-10"}}}"#,
    );
    golden(
        MeetingEvent::MinutesApproved {
            version: 2,
            approved_on: date("2027-03-15"),
            by: MinutesApproval::Decision { decision_id: "GCG-22-D01".to_string() },
        },
        "MinutesApproved",
        r#"{"MinutesApproved":{"version":2,"approved_on":"2027-03-15","by":{"kind":"decision","decision_id":"GCG-22-D01"}}}"#,
    );
}

#[test]
fn golden_event_types_of_the_later_life_of_a_meeting() {
    let cases = [
        (rescheduled("2026-12-01"), "MeetingRescheduled"),
        (cancelled(), "MeetingCancelled"),
        (adjourned(), "MeetingAdjourned"),
        (MeetingEvent::MeetingResumed { resumed_on: date("2026-11-23") }, "MeetingResumed"),
        (drafted(1), "MinutesDrafted"),
        (circulated(1), "MinutesCirculated"),
        (report_published(), "MeetingReportPublished"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<MeetingEvent>(&json).expect("deserialises"), event);
    }
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
    assert_eq!(json(&MeetingStatus::Adjourned), r#""adjourned""#);
    assert_eq!(json(&MeetingStatus::Cancelled), r#""cancelled""#);
    assert_eq!(json(&AgendaItemKind::Information), r#""information""#);
}
