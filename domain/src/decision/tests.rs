//! Given/when/then tests of the `Decision` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the
//! outcome (events or the exact refusal) is compared. Also: every refusal's rule name,
//! and golden JSON fixtures that pin the stored event schema.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::meeting::{MeetingStatus, QuorumSnapshot};
use crate::policy::{DecisionMethod, GovernancePolicy, QuorumRule};

#[track_caller]
fn check(given: Vec<DecisionEvent>, when: DecisionCommand, then: Result<Vec<DecisionEvent>, DecisionError>) {
    let mut state = Decision::default();
    for event in given {
        evolve(&mut state, event);
    }
    assert_eq!(decide(&state, when), then);
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn quorum(met: bool) -> QuorumSnapshot {
    QuorumSnapshot {
        voting_seats_filled: 5,
        voting_seats_present: if met { 3 } else { 2 },
        required: 3,
        met,
        policy_version: "gcg-rules/v1-provisional".to_string(),
    }
}

fn meeting(status: MeetingStatus, quorum: Option<QuorumSnapshot>) -> MeetingFacts {
    MeetingFacts { meeting_id: "GCG-21".to_string(), status, quorum }
}

/// GCG-21 in session with a quorum declared and met.
fn in_session() -> MeetingFacts {
    meeting(MeetingStatus::InSession, Some(quorum(true)))
}

fn subject() -> DecisionSubject {
    DecisionSubject::GrantPathfinderStatus { iso3: "CIV".to_string() }
}

const TEXT: &str = "The GCG grants Côte d'Ivoire Pathfinder status.";

fn propose(decision_id: &str, text: &str, meeting: MeetingFacts) -> DecisionCommand {
    DecisionCommand::Propose {
        decision_id: decision_id.to_string(),
        agenda_item: Some("4.2".to_string()),
        subject: subject(),
        text: text.to_string(),
        meeting,
    }
}

fn proposed() -> DecisionEvent {
    DecisionEvent::DecisionProposed {
        decision_id: "GCG-21-D04".to_string(),
        meeting_id: "GCG-21".to_string(),
        agenda_item: Some("4.2".to_string()),
        subject: subject(),
        text: TEXT.to_string(),
    }
}

fn record(seat: &str, position: Position) -> DecisionCommand {
    DecisionCommand::RecordPosition { seat_id: seat.to_string(), position, reason: None, meeting: in_session() }
}

fn recorded(seat: &str, position: Position, supersedes: Option<Position>) -> DecisionEvent {
    DecisionEvent::PositionRecorded { seat_id: seat.to_string(), position, reason: None, supersedes }
}

fn policy(method: DecisionMethod) -> GovernancePolicy {
    GovernancePolicy {
        version: "gcg-rules/v2".to_string(),
        method,
        quorum: QuorumRule::MajorityOfFilledVotingSeats,
        provisional: false,
    }
}

fn adopt_with(method: DecisionMethod, meeting: MeetingFacts) -> DecisionCommand {
    DecisionCommand::Adopt { effective_on: date("2026-11-22"), meeting, policy: policy(method) }
}

fn adopt() -> DecisionCommand {
    DecisionCommand::Adopt {
        effective_on: date("2026-11-22"),
        meeting: in_session(),
        policy: GovernancePolicy::provisional_v1(),
    }
}

fn tally(for_: u32, against: u32, abstain: u32, block: u32) -> Tally {
    Tally { for_, against, abstain, block }
}

fn adopted_with(method: DecisionMethod, tally: Tally, policy_version: &str, on: &str) -> DecisionEvent {
    DecisionEvent::DecisionAdopted {
        method,
        tally,
        quorum_snapshot: quorum(true),
        policy_version: policy_version.to_string(),
        effective_on: date(on),
    }
}

fn adopted() -> DecisionEvent {
    adopted_with(DecisionMethod::Consensus, tally(0, 0, 0, 0), "gcg-rules/v1-provisional", "2026-11-22")
}

fn rejected() -> DecisionEvent {
    DecisionEvent::DecisionRejected { tally: tally(0, 0, 0, 0), reason: None }
}

fn reject() -> DecisionCommand {
    DecisionCommand::Reject { meeting: in_session(), reason: Some("withdrawn by the proposer".to_string()) }
}

fn superseding(id: &str, status: DecisionStatus, adopted_on: Option<&str>) -> DecisionCommand {
    DecisionCommand::Supersede {
        by: SupersedingFacts { decision_id: id.to_string(), status, adopted_on: adopted_on.map(date) },
    }
}

fn superseded() -> DecisionEvent {
    DecisionEvent::DecisionSuperseded { by_decision_id: "GCG-23-D01".to_string() }
}

// --- Propose ----------------------------------------------------------------------

#[test]
fn propose_at_a_scheduled_meeting() {
    check(vec![], propose("GCG-21-D04", TEXT, meeting(MeetingStatus::Scheduled, None)), Ok(vec![proposed()]));
}

#[test]
fn propose_at_a_meeting_in_session() {
    check(vec![], propose("GCG-21-D04", TEXT, in_session()), Ok(vec![proposed()]));
}

#[test]
fn propose_twice_is_refused() {
    check(vec![proposed()], propose("GCG-21-D04", TEXT, in_session()), Err(DecisionError::AlreadyProposed));
}

#[test]
fn propose_with_a_blank_id_is_refused() {
    check(vec![], propose(" ", TEXT, in_session()), Err(DecisionError::EmptyId));
}

#[test]
fn propose_with_blank_text_is_refused() {
    check(vec![], propose("GCG-21-D04", "\n\t ", in_session()), Err(DecisionError::EmptyText));
}

#[test]
fn propose_at_a_closed_meeting_is_refused() {
    check(
        vec![],
        propose("GCG-21-D04", TEXT, meeting(MeetingStatus::Closed, Some(quorum(true)))),
        Err(DecisionError::MeetingClosed),
    );
}

#[test]
fn propose_at_an_unscheduled_meeting_is_refused() {
    check(
        vec![],
        propose("GCG-21-D04", TEXT, meeting(MeetingStatus::NotScheduled, None)),
        Err(DecisionError::MeetingNotInSession),
    );
}

// --- RecordPosition ---------------------------------------------------------------

#[test]
fn record_a_first_position() {
    check(
        vec![proposed()],
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: Some("national action plan adopted".to_string()),
            meeting: in_session(),
        },
        Ok(vec![DecisionEvent::PositionRecorded {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: Some("national action plan adopted".to_string()),
            supersedes: None,
        }]),
    );
}

#[test]
fn a_changed_position_supersedes_the_earlier_one() {
    check(
        vec![proposed(), recorded("seat-civ", Position::For, None), recorded("seat-nep", Position::Abstain, None)],
        record("seat-civ", Position::Against),
        Ok(vec![recorded("seat-civ", Position::Against, Some(Position::For))]),
    );
}

#[test]
fn a_position_changed_twice_supersedes_the_latest() {
    check(
        vec![
            proposed(),
            recorded("seat-civ", Position::For, None),
            recorded("seat-civ", Position::Block, Some(Position::For)),
        ],
        record("seat-civ", Position::Abstain),
        Ok(vec![recorded("seat-civ", Position::Abstain, Some(Position::Block))]),
    );
}

#[test]
fn record_position_before_proposal_is_refused() {
    check(vec![], record("seat-civ", Position::For), Err(DecisionError::NotProposed));
}

#[test]
fn record_position_with_a_blank_seat_is_refused() {
    check(vec![proposed()], record("  ", Position::For), Err(DecisionError::EmptySeat));
}

#[test]
fn record_position_with_facts_of_another_meeting_is_refused() {
    let other = MeetingFacts { meeting_id: "GCG-20".to_string(), status: MeetingStatus::InSession, quorum: None };
    check(
        vec![proposed()],
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: None,
            meeting: other,
        },
        Err(DecisionError::WrongMeeting),
    );
}

#[test]
fn record_position_before_the_meeting_opens_is_refused() {
    check(
        vec![proposed()],
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: None,
            meeting: meeting(MeetingStatus::Scheduled, None),
        },
        Err(DecisionError::MeetingNotInSession),
    );
}

#[test]
fn record_position_after_the_meeting_closed_is_refused() {
    check(
        vec![proposed()],
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: None,
            meeting: meeting(MeetingStatus::Closed, Some(quorum(true))),
        },
        Err(DecisionError::MeetingClosed),
    );
}

#[test]
fn an_adopted_decision_refuses_a_new_position() {
    check(vec![proposed(), adopted()], record("seat-civ", Position::Against), Err(DecisionError::AlreadyAdopted));
}

#[test]
fn a_rejected_decision_refuses_a_new_position() {
    check(vec![proposed(), rejected()], record("seat-civ", Position::For), Err(DecisionError::AlreadyRejected));
}

#[test]
fn a_superseded_decision_refuses_a_new_position() {
    check(
        vec![proposed(), adopted(), superseded()],
        record("seat-civ", Position::For),
        Err(DecisionError::AlreadySuperseded),
    );
}

// --- Adopt ------------------------------------------------------------------------

#[test]
fn adopt_by_consensus() {
    check(
        vec![
            proposed(),
            recorded("seat-civ", Position::For, None),
            recorded("seat-nep", Position::For, None),
            recorded("seat-per", Position::Abstain, None),
        ],
        adopt(),
        Ok(vec![adopted_with(DecisionMethod::Consensus, tally(2, 0, 1, 0), "gcg-rules/v1-provisional", "2026-11-22")]),
    );
}

#[test]
fn adopt_without_a_declared_quorum_is_refused() {
    check(
        vec![proposed()],
        adopt_with(DecisionMethod::Consensus, meeting(MeetingStatus::InSession, None)),
        Err(DecisionError::QuorumNotDeclared),
    );
}

#[test]
fn adopt_when_quorum_was_not_met_is_refused() {
    check(
        vec![proposed(), recorded("seat-civ", Position::For, None)],
        adopt_with(DecisionMethod::Consensus, meeting(MeetingStatus::InSession, Some(quorum(false)))),
        Err(DecisionError::QuorumNotMet),
    );
}

#[test]
fn adopt_with_facts_of_another_meeting_is_refused() {
    let other =
        MeetingFacts { meeting_id: "GCG-20".to_string(), status: MeetingStatus::InSession, quorum: Some(quorum(true)) };
    check(vec![proposed()], adopt_with(DecisionMethod::Consensus, other), Err(DecisionError::WrongMeeting));
}

#[test]
fn adopt_after_the_meeting_closed_is_refused() {
    check(
        vec![proposed()],
        adopt_with(DecisionMethod::Consensus, meeting(MeetingStatus::Closed, Some(quorum(true)))),
        Err(DecisionError::MeetingClosed),
    );
}

#[test]
fn adopt_before_proposal_is_refused() {
    check(vec![], adopt(), Err(DecisionError::NotProposed));
}

#[test]
fn a_block_prevents_consensus() {
    check(
        vec![proposed(), recorded("seat-civ", Position::For, None), recorded("seat-nep", Position::Block, None)],
        adopt(),
        Err(DecisionError::ConsensusBlocked),
    );
}

#[test]
fn a_block_changed_to_for_no_longer_blocks() {
    // The tally counts only each seat's latest position: the block was replaced.
    check(
        vec![
            proposed(),
            recorded("seat-civ", Position::Block, None),
            recorded("seat-nep", Position::For, None),
            recorded("seat-civ", Position::For, Some(Position::Block)),
        ],
        adopt(),
        Ok(vec![adopted_with(DecisionMethod::Consensus, tally(2, 0, 0, 0), "gcg-rules/v1-provisional", "2026-11-22")]),
    );
}

#[test]
fn a_for_changed_to_block_blocks() {
    check(
        vec![
            proposed(),
            recorded("seat-civ", Position::For, None),
            recorded("seat-civ", Position::Block, Some(Position::For)),
        ],
        adopt(),
        Err(DecisionError::ConsensusBlocked),
    );
}

#[test]
fn adopt_by_simple_majority() {
    check(
        vec![
            proposed(),
            recorded("seat-civ", Position::For, None),
            recorded("seat-nep", Position::For, None),
            recorded("seat-per", Position::Against, None),
            recorded("seat-uk", Position::Block, None),
        ],
        adopt_with(DecisionMethod::SimpleMajority, in_session()),
        Ok(vec![adopted_with(DecisionMethod::SimpleMajority, tally(2, 1, 0, 1), "gcg-rules/v2", "2026-11-22")]),
    );
}

#[test]
fn a_tie_is_not_a_simple_majority() {
    check(
        vec![proposed(), recorded("seat-civ", Position::For, None), recorded("seat-nep", Position::Against, None)],
        adopt_with(DecisionMethod::SimpleMajority, in_session()),
        Err(DecisionError::MajorityNotReached),
    );
}

#[test]
fn simple_majority_counts_only_the_latest_positions() {
    // Two seats were for; one changed to against: 1 for, 1 against is a tie.
    check(
        vec![
            proposed(),
            recorded("seat-civ", Position::For, None),
            recorded("seat-nep", Position::For, None),
            recorded("seat-nep", Position::Against, Some(Position::For)),
        ],
        adopt_with(DecisionMethod::SimpleMajority, in_session()),
        Err(DecisionError::MajorityNotReached),
    );
}

fn two_for_one_against() -> Vec<DecisionEvent> {
    vec![
        proposed(),
        recorded("seat-civ", Position::For, None),
        recorded("seat-nep", Position::For, None),
        recorded("seat-per", Position::Against, None),
        recorded("seat-uk", Position::Abstain, None),
    ]
}

#[test]
fn adopt_by_qualified_majority() {
    // 2 of 3 is 66.7 %: enough for 66 %, abstentions are not counted.
    let method = DecisionMethod::QualifiedMajority { percent: 66 };
    check(
        two_for_one_against(),
        adopt_with(method, in_session()),
        Ok(vec![adopted_with(method, tally(2, 1, 1, 0), "gcg-rules/v2", "2026-11-22")]),
    );
}

#[test]
fn qualified_majority_not_reached_is_refused() {
    // 2 of 3 is 66.7 %: not enough for 67 %.
    check(
        two_for_one_against(),
        adopt_with(DecisionMethod::QualifiedMajority { percent: 67 }, in_session()),
        Err(DecisionError::MajorityNotReached),
    );
}

#[test]
fn qualified_majority_with_nobody_voting_is_refused() {
    check(
        vec![proposed(), recorded("seat-civ", Position::Abstain, None)],
        adopt_with(DecisionMethod::QualifiedMajority { percent: 50 }, in_session()),
        Err(DecisionError::MajorityNotReached),
    );
}

#[test]
fn an_adopted_decision_cannot_be_adopted_again() {
    check(vec![proposed(), adopted()], adopt(), Err(DecisionError::AlreadyAdopted));
}

#[test]
fn a_rejected_decision_cannot_be_adopted() {
    check(vec![proposed(), rejected()], adopt(), Err(DecisionError::AlreadyRejected));
}

// --- Reject -----------------------------------------------------------------------

#[test]
fn reject_records_the_tally() {
    check(
        vec![proposed(), recorded("seat-civ", Position::Against, None), recorded("seat-nep", Position::Block, None)],
        reject(),
        Ok(vec![DecisionEvent::DecisionRejected {
            tally: tally(0, 1, 0, 1),
            reason: Some("withdrawn by the proposer".to_string()),
        }]),
    );
}

#[test]
fn reject_before_proposal_is_refused() {
    check(vec![], reject(), Err(DecisionError::NotProposed));
}

#[test]
fn reject_before_the_meeting_opens_is_refused() {
    check(
        vec![proposed()],
        DecisionCommand::Reject { meeting: meeting(MeetingStatus::Scheduled, None), reason: None },
        Err(DecisionError::MeetingNotInSession),
    );
}

#[test]
fn an_adopted_decision_cannot_be_rejected() {
    check(vec![proposed(), adopted()], reject(), Err(DecisionError::AlreadyAdopted));
}

#[test]
fn a_rejected_decision_cannot_be_rejected_again() {
    check(vec![proposed(), rejected()], reject(), Err(DecisionError::AlreadyRejected));
}

// --- Supersede --------------------------------------------------------------------

#[test]
fn supersede_by_a_later_adopted_decision() {
    check(
        vec![proposed(), adopted()],
        superseding("GCG-23-D01", DecisionStatus::Adopted, Some("2027-06-10")),
        Ok(vec![superseded()]),
    );
}

#[test]
fn supersede_by_a_decision_adopted_the_same_day() {
    check(
        vec![proposed(), adopted()],
        superseding("GCG-21-D05", DecisionStatus::Adopted, Some("2026-11-22")),
        Ok(vec![DecisionEvent::DecisionSuperseded { by_decision_id: "GCG-21-D05".to_string() }]),
    );
}

#[test]
fn supersede_by_a_decision_not_adopted_is_refused() {
    check(
        vec![proposed(), adopted()],
        superseding("GCG-23-D01", DecisionStatus::Proposed, None),
        Err(DecisionError::SupersederNotAdopted),
    );
    check(
        vec![proposed(), adopted()],
        superseding("GCG-23-D01", DecisionStatus::Rejected, None),
        Err(DecisionError::SupersederNotAdopted),
    );
    // Adopted without an adoption date is not a fact we can order.
    check(
        vec![proposed(), adopted()],
        superseding("GCG-23-D01", DecisionStatus::Adopted, None),
        Err(DecisionError::SupersederNotAdopted),
    );
}

#[test]
fn supersede_by_a_decision_superseded_itself_is_refused() {
    check(
        vec![proposed(), adopted()],
        superseding("GCG-23-D01", DecisionStatus::Superseded, Some("2027-06-10")),
        Err(DecisionError::SupersederNotAdopted),
    );
}

#[test]
fn supersede_by_an_earlier_decision_is_refused() {
    check(
        vec![proposed(), adopted()],
        superseding("GCG-19-D04", DecisionStatus::Adopted, Some("2025-05-14")),
        Err(DecisionError::SupersederNotLater),
    );
}

#[test]
fn a_decision_cannot_supersede_itself() {
    check(
        vec![proposed(), adopted()],
        superseding("GCG-21-D04", DecisionStatus::Adopted, Some("2026-11-22")),
        Err(DecisionError::SelfSupersede),
    );
}

#[test]
fn only_an_adopted_decision_can_be_superseded() {
    let by = || superseding("GCG-23-D01", DecisionStatus::Adopted, Some("2027-06-10"));
    check(vec![proposed()], by(), Err(DecisionError::NotAdopted));
    check(vec![proposed(), rejected()], by(), Err(DecisionError::NotAdopted));
    check(vec![], by(), Err(DecisionError::NotProposed));
}

#[test]
fn a_superseded_decision_cannot_be_superseded_again() {
    check(
        vec![proposed(), adopted(), superseded()],
        superseding("GCG-24-D02", DecisionStatus::Adopted, Some("2027-11-20")),
        Err(DecisionError::AlreadySuperseded),
    );
}

#[test]
fn a_superseded_decision_cannot_be_adopted_or_rejected() {
    check(vec![proposed(), adopted(), superseded()], adopt(), Err(DecisionError::AlreadySuperseded));
    check(vec![proposed(), adopted(), superseded()], reject(), Err(DecisionError::AlreadySuperseded));
}

// --- evolve -----------------------------------------------------------------------

#[test]
fn evolve_keeps_the_latest_position_per_seat_in_first_stated_order() {
    let mut state = Decision::default();
    for event in [
        proposed(),
        recorded("seat-civ", Position::For, None),
        recorded("seat-nep", Position::Against, None),
        recorded("seat-civ", Position::Abstain, Some(Position::For)),
        adopted(),
    ] {
        evolve(&mut state, event);
    }
    assert_eq!(state.decision_id, "GCG-21-D04");
    assert_eq!(state.meeting_id, "GCG-21");
    assert_eq!(state.status, DecisionStatus::Adopted);
    assert_eq!(state.adopted_on, Some(date("2026-11-22")));
    assert_eq!(
        state.positions,
        vec![("seat-civ".to_string(), Position::Abstain), ("seat-nep".to_string(), Position::Against)]
    );
    assert_eq!(state.tally(), tally(0, 1, 1, 0));
    evolve(&mut state, superseded());
    assert_eq!(state.status, DecisionStatus::Superseded);
}

// --- rule names -------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<DecisionError> {
    use DecisionError::*;
    vec![
        AlreadyProposed,
        EmptyId,
        EmptyText,
        NotProposed,
        WrongMeeting,
        MeetingClosed,
        MeetingNotInSession,
        QuorumNotDeclared,
        QuorumNotMet,
        ConsensusBlocked,
        MajorityNotReached,
        AlreadyAdopted,
        AlreadyRejected,
        AlreadySuperseded,
        NotAdopted,
        SelfSupersede,
        SupersederNotAdopted,
        SupersederNotLater,
        EmptySeat,
    ]
}

fn ordinal(error: &DecisionError) -> usize {
    use DecisionError::*;
    match error {
        AlreadyProposed => 0,
        EmptyId => 1,
        EmptyText => 2,
        NotProposed => 3,
        WrongMeeting => 4,
        MeetingClosed => 5,
        MeetingNotInSession => 6,
        QuorumNotDeclared => 7,
        QuorumNotMet => 8,
        ConsensusBlocked => 9,
        MajorityNotReached => 10,
        AlreadyAdopted => 11,
        AlreadyRejected => 12,
        AlreadySuperseded => 13,
        NotAdopted => 14,
        SelfSupersede => 15,
        SupersederNotAdopted => 16,
        SupersederNotLater => 17,
        EmptySeat => 18,
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

/// The meeting and decision aggregates share two rule names on purpose: the same rule
/// (the meeting is closed / not in session) refused the command either way.
#[test]
fn rule_names_shared_with_the_meeting_aggregate_mean_the_same_rule() {
    use crate::meeting::MeetingError;
    assert_eq!(DecisionError::MeetingClosed.rule(), MeetingError::Closed.rule());
    assert_eq!(DecisionError::MeetingNotInSession.rule(), MeetingError::NotInSession.rule());
}

// --- stored schema ----------------------------------------------------------------

#[track_caller]
fn golden(event: DecisionEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: DecisionEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_decision_proposed() {
    golden(
        proposed(),
        "DecisionProposed",
        r#"{"DecisionProposed":{"decision_id":"GCG-21-D04","meeting_id":"GCG-21","agenda_item":"4.2","subject":{"kind":"grant_pathfinder_status","iso3":"CIV"},"text":"The GCG grants Côte d'Ivoire Pathfinder status."}}"#,
    );
}

#[test]
fn golden_position_recorded() {
    golden(
        recorded("seat-civ", Position::Against, Some(Position::For)),
        "PositionRecorded",
        r#"{"PositionRecorded":{"seat_id":"seat-civ","position":"against","reason":null,"supersedes":"for"}}"#,
    );
}

#[test]
fn golden_decision_adopted() {
    golden(
        adopted_with(
            DecisionMethod::QualifiedMajority { percent: 66 },
            tally(2, 1, 1, 0),
            "gcg-rules/v2",
            "2026-11-22",
        ),
        "DecisionAdopted",
        r#"{"DecisionAdopted":{"method":{"kind":"qualified_majority","percent":66},"tally":{"for":2,"against":1,"abstain":1,"block":0},"quorum_snapshot":{"voting_seats_filled":5,"voting_seats_present":3,"required":3,"met":true,"policy_version":"gcg-rules/v1-provisional"},"policy_version":"gcg-rules/v2","effective_on":"2026-11-22"}}"#,
    );
}

#[test]
fn golden_decision_rejected() {
    golden(
        DecisionEvent::DecisionRejected { tally: tally(0, 1, 0, 1), reason: Some("blocked".to_string()) },
        "DecisionRejected",
        r#"{"DecisionRejected":{"tally":{"for":0,"against":1,"abstain":0,"block":1},"reason":"blocked"}}"#,
    );
}

#[test]
fn golden_decision_superseded() {
    golden(superseded(), "DecisionSuperseded", r#"{"DecisionSuperseded":{"by_decision_id":"GCG-23-D01"}}"#);
}

#[test]
fn golden_subjects_methods_and_positions() {
    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("serialises")
    }
    let subjects = [
        (
            DecisionSubject::EndorseRoadmap { roadmap_id: "R1".into() },
            r#"{"kind":"endorse_roadmap","roadmap_id":"R1"}"#,
        ),
        (
            DecisionSubject::ApproveReport { report_id: "AR-2026".into() },
            r#"{"kind":"approve_report","report_id":"AR-2026"}"#,
        ),
        (
            DecisionSubject::ElectOfficeHolder { office: "chair".into() },
            r#"{"kind":"elect_office_holder","office":"chair"}"#,
        ),
        (DecisionSubject::AssignSeat { seat_id: "seat-civ".into() }, r#"{"kind":"assign_seat","seat_id":"seat-civ"}"#),
        (DecisionSubject::CreateActionGroup { name: "AG1".into() }, r#"{"kind":"create_action_group","name":"AG1"}"#),
        (DecisionSubject::CreateWorkingGroup { name: "WG1".into() }, r#"{"kind":"create_working_group","name":"WG1"}"#),
        (
            DecisionSubject::EndorsePartner { organisation: "ILO".into() },
            r#"{"kind":"endorse_partner","organisation":"ILO"}"#,
        ),
        (
            DecisionSubject::ApproveBudgetReallocation { programme_id: "P1".into() },
            r#"{"kind":"approve_budget_reallocation","programme_id":"P1"}"#,
        ),
        (
            DecisionSubject::EstablishProgramme { programme_id: "P2".into() },
            r#"{"kind":"establish_programme","programme_id":"P2"}"#,
        ),
        (
            DecisionSubject::AdoptPolicy { policy: "gcg-rules/v2".into() },
            r#"{"kind":"adopt_policy","policy":"gcg-rules/v2"}"#,
        ),
        (
            DecisionSubject::ApproveMinutes { meeting_id: "GCG-20".into() },
            r#"{"kind":"approve_minutes","meeting_id":"GCG-20"}"#,
        ),
        (DecisionSubject::Procedural, r#"{"kind":"procedural"}"#),
        (DecisionSubject::Other { text: "x".into() }, r#"{"kind":"other","text":"x"}"#),
    ];
    for (subject, expected) in subjects {
        assert_eq!(json(&subject), expected);
    }
    assert_eq!(json(&DecisionMethod::Consensus), r#"{"kind":"consensus"}"#);
    assert_eq!(json(&DecisionMethod::SimpleMajority), r#"{"kind":"simple_majority"}"#);
    assert_eq!(json(&Position::Abstain), r#""abstain""#);
    assert_eq!(json(&Position::Block), r#""block""#);
    assert_eq!(json(&DecisionStatus::Superseded), r#""superseded""#);
}
