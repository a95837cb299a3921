//! Given/when/then tests of the `Decision` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the
//! outcome (events or the exact refusal) is compared. Also: every refusal's rule name,
//! and golden JSON fixtures that pin the stored event schema.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::meeting::{MeetingKind, MeetingStatus, QuorumSnapshot};
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
    MeetingFacts { meeting_id: "GCG-21".to_string(), status, quorum, kind: None }
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
        effect: None,
    }
}

fn proposed() -> DecisionEvent {
    DecisionEvent::DecisionProposed {
        decision_id: "GCG-21-D04".to_string(),
        meeting_id: "GCG-21".to_string(),
        agenda_item: Some("4.2".to_string()),
        subject: subject(),
        text: TEXT.to_string(),
        effect: None,
    }
}

fn record(seat: &str, position: Position) -> DecisionCommand {
    DecisionCommand::RecordPosition {
        seat_id: seat.to_string(),
        position,
        reason: None,
        meeting: in_session(),
        seat: SeatFacts::VOTING_PRESENT,
    }
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
        ..GovernancePolicy::provisional_v1()
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
            seat: SeatFacts::VOTING_PRESENT,
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
    let other =
        MeetingFacts { meeting_id: "GCG-20".to_string(), status: MeetingStatus::InSession, quorum: None, kind: None };
    check(
        vec![proposed()],
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: None,
            meeting: other,
            seat: SeatFacts::VOTING_PRESENT,
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
            seat: SeatFacts::VOTING_PRESENT,
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
            seat: SeatFacts::VOTING_PRESENT,
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
        Err(DecisionError::QuorumNotMet { present: 2, filled: 5, required: 3 }),
    );
}

#[test]
fn adopt_with_facts_of_another_meeting_is_refused() {
    let other = MeetingFacts {
        meeting_id: "GCG-20".to_string(),
        status: MeetingStatus::InSession,
        quorum: Some(quorum(true)),
        kind: None,
    };
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

// --- Propose with an effect -------------------------------------------------------

fn chile_chair() -> DecisionEffect {
    DecisionEffect::ElectOfficeHolder {
        term_id: "term-chl".to_string(),
        office: Office::Chair,
        holder: "CHL".to_string(),
        term_start: date("2023-06-01"),
        term_end: date("2026-05-31"),
    }
}

fn elect_chair() -> DecisionSubject {
    DecisionSubject::ElectOfficeHolder { office: "chair".to_string() }
}

fn propose_effect(subject: DecisionSubject, effect: DecisionEffect) -> DecisionCommand {
    DecisionCommand::Propose {
        decision_id: "GCG-21-D04".to_string(),
        agenda_item: Some("4.2".to_string()),
        subject,
        text: TEXT.to_string(),
        meeting: in_session(),
        effect: Some(effect),
    }
}

fn proposed_with_effect() -> DecisionEvent {
    DecisionEvent::DecisionProposed {
        decision_id: "GCG-21-D04".to_string(),
        meeting_id: "GCG-21".to_string(),
        agenda_item: Some("4.2".to_string()),
        subject: elect_chair(),
        text: TEXT.to_string(),
        effect: Some(chile_chair()),
    }
}

#[test]
fn propose_with_an_effect_that_fits_the_subject() {
    check(vec![], propose_effect(elect_chair(), chile_chair()), Ok(vec![proposed_with_effect()]));
}

#[test]
fn propose_with_an_effect_that_does_not_fit_the_subject_is_refused() {
    check(vec![], propose_effect(subject(), chile_chair()), Err(DecisionError::EffectSubjectMismatch));
    check(
        vec![],
        propose_effect(DecisionSubject::ElectOfficeHolder { office: "deputy_chair".to_string() }, chile_chair()),
        Err(DecisionError::EffectSubjectMismatch),
    );
}

#[test]
fn propose_at_an_adjourned_meeting_but_not_a_cancelled_one() {
    check(vec![], propose("GCG-21-D04", TEXT, meeting(MeetingStatus::Adjourned, None)), Ok(vec![proposed()]));
    check(
        vec![],
        propose("GCG-21-D04", TEXT, meeting(MeetingStatus::Cancelled, None)),
        Err(DecisionError::MeetingClosed),
    );
}

#[test]
fn each_effect_fits_only_its_subjects() {
    use crate::group::GroupKind;
    let d = date("2027-01-01");
    let group = |kind| DecisionEffect::EstablishGroup {
        group_id: "ag-1".to_string(),
        kind,
        name: "AG".to_string(),
        theme: None,
        established_on: d,
    };
    let action = DecisionSubject::CreateActionGroup { name: "AG".to_string() };
    let working = DecisionSubject::CreateWorkingGroup { name: "WG".to_string() };
    let cases: Vec<(DecisionEffect, DecisionSubject, DecisionSubject)> = vec![
        (chile_chair(), elect_chair(), DecisionSubject::ExtendTerm { office: "chair".to_string() }),
        (
            DecisionEffect::ExtendTerm { term_id: "term-chl".to_string(), office: Office::DeputyChair, new_end: d },
            DecisionSubject::ExtendTerm { office: "deputy_chair".to_string() },
            DecisionSubject::ExtendTerm { office: "chair".to_string() },
        ),
        (
            DecisionEffect::AssignSeat { seat_id: "seat-civ".to_string(), holder: "CIV".to_string(), from: d },
            DecisionSubject::AssignSeat { seat_id: "seat-civ".to_string() },
            DecisionSubject::AssignSeat { seat_id: "seat-nep".to_string() },
        ),
        (
            DecisionEffect::AdoptPolicy { policy: policy(DecisionMethod::SimpleMajority), effective_on: d },
            DecisionSubject::AdoptPolicy { policy: "gcg-rules/v2".to_string() },
            DecisionSubject::AdoptPolicy { policy: "gcg-rules/v3".to_string() },
        ),
        (group(GroupKind::ActionGroup), action.clone(), working.clone()),
        (group(GroupKind::WorkingGroup), working.clone(), action.clone()),
        (
            DecisionEffect::RelaunchGroup { group_id: "ag-1".to_string(), relaunched_on: d, supporters: vec![] },
            working,
            DecisionSubject::Procedural,
        ),
        (
            DecisionEffect::AdmitPartner { organisation: "GLOBAL-MARCH".to_string(), admitted_on: d },
            DecisionSubject::EndorsePartner { organisation: "GLOBAL-MARCH".to_string() },
            DecisionSubject::EndorsePartner { organisation: "ILO".to_string() },
        ),
        (
            DecisionEffect::ApproveMinutes { meeting_id: "GCG-20".to_string(), approved_on: d },
            DecisionSubject::ApproveMinutes { meeting_id: "GCG-20".to_string() },
            DecisionSubject::ApproveMinutes { meeting_id: "GCG-19".to_string() },
        ),
    ];
    for (effect, fitting, other) in cases {
        assert!(effect.fits(&fitting), "{effect:?} should fit {fitting:?}");
        assert!(!effect.fits(&other), "{effect:?} should not fit {other:?}");
        assert!(!effect.fits(&DecisionSubject::Other { text: "anything".to_string() }));
    }
    assert!(DecisionEffect::RelaunchGroup { group_id: "ag-1".to_string(), relaunched_on: d, supporters: vec![] }
        .fits(&action));
}

// --- RecordPosition: the seat -----------------------------------------------------

fn record_for(seat: SeatFacts) -> DecisionCommand {
    DecisionCommand::RecordPosition {
        seat_id: "seat-civ".to_string(),
        position: Position::For,
        reason: None,
        meeting: in_session(),
        seat,
    }
}

#[test]
fn a_position_comes_from_a_filled_voting_seat_present_at_the_meeting() {
    check(vec![proposed()], record_for(SeatFacts::VOTING_PRESENT), Ok(vec![recorded("seat-civ", Position::For, None)]));
    check(
        vec![proposed()],
        record_for(SeatFacts { filled: false, voting: true, present: true }),
        Err(DecisionError::SeatNotFilled),
    );
    check(
        vec![proposed()],
        record_for(SeatFacts { filled: true, voting: false, present: true }),
        Err(DecisionError::SeatNotVoting),
    );
    check(
        vec![proposed()],
        record_for(SeatFacts { filled: true, voting: true, present: false }),
        Err(DecisionError::SeatNotPresent),
    );
    check(vec![proposed()], record_for(SeatFacts::default()), Err(DecisionError::SeatNotFilled));
}

#[test]
fn record_position_while_the_meeting_is_adjourned_or_cancelled_is_refused() {
    let at = |meeting| DecisionCommand::RecordPosition {
        seat_id: "seat-civ".to_string(),
        position: Position::For,
        reason: None,
        meeting,
        seat: SeatFacts::VOTING_PRESENT,
    };
    check(
        vec![proposed()],
        at(meeting(MeetingStatus::Adjourned, Some(quorum(true)))),
        Err(DecisionError::MeetingNotInSession),
    );
    check(vec![proposed()], at(meeting(MeetingStatus::Cancelled, None)), Err(DecisionError::MeetingClosed));
}

// --- Adopt: written procedure -----------------------------------------------------

fn intersessional() -> MeetingFacts {
    MeetingFacts { kind: Some(MeetingKind::Intersessional), ..in_session() }
}

#[test]
fn adopt_by_written_procedure_is_refused_unless_the_policy_allows_it() {
    check(
        vec![proposed()],
        DecisionCommand::Adopt {
            effective_on: date("2026-11-22"),
            meeting: intersessional(),
            policy: GovernancePolicy::provisional_v1(),
        },
        Err(DecisionError::WrittenProcedureNotAllowed),
    );
    let allowing = GovernancePolicy { written_procedure_allowed: true, ..GovernancePolicy::provisional_v1() };
    check(
        vec![proposed()],
        DecisionCommand::Adopt { effective_on: date("2026-11-22"), meeting: intersessional(), policy: allowing },
        Ok(vec![adopted()]),
    );
}

#[test]
fn adopt_at_a_regular_meeting_needs_no_written_procedure() {
    check(
        vec![proposed()],
        DecisionCommand::Adopt {
            effective_on: date("2026-11-22"),
            meeting: MeetingFacts { kind: Some(MeetingKind::Regular), ..in_session() },
            policy: GovernancePolicy::provisional_v1(),
        },
        Ok(vec![adopted()]),
    );
}

// --- Defer / Retable --------------------------------------------------------------

fn defer(reason: &str) -> DecisionCommand {
    DecisionCommand::Defer { meeting: in_session(), reason: reason.to_string(), to_meeting: Some("GCG-22".to_string()) }
}

fn deferred() -> DecisionEvent {
    DecisionEvent::DecisionDeferred {
        reason: "awaiting the mission report".to_string(),
        to_meeting: Some("GCG-22".to_string()),
    }
}

fn gcg22(status: MeetingStatus, quorum: Option<QuorumSnapshot>) -> MeetingFacts {
    MeetingFacts { meeting_id: "GCG-22".to_string(), status, quorum, kind: None }
}

fn retabled() -> DecisionEvent {
    DecisionEvent::DecisionRetabled { meeting_id: "GCG-22".to_string() }
}

#[test]
fn defer_an_open_proposal() {
    check(vec![proposed()], defer("awaiting the mission report"), Ok(vec![deferred()]));
}

#[test]
fn defer_without_a_reason_is_refused() {
    check(vec![proposed()], defer(" "), Err(DecisionError::Empty("reason")));
}

#[test]
fn defer_only_an_open_proposal_in_session() {
    check(vec![], defer("x"), Err(DecisionError::NotProposed));
    check(vec![proposed(), adopted()], defer("x"), Err(DecisionError::AlreadyAdopted));
    check(vec![proposed(), deferred()], defer("x"), Err(DecisionError::AlreadyDeferred));
    check(
        vec![proposed()],
        DecisionCommand::Defer {
            meeting: meeting(MeetingStatus::Scheduled, None),
            reason: "x".to_string(),
            to_meeting: None,
        },
        Err(DecisionError::MeetingNotInSession),
    );
}

#[test]
fn a_deferred_decision_takes_no_position_and_is_not_adopted() {
    check(vec![proposed(), deferred()], record("seat-civ", Position::For), Err(DecisionError::AlreadyDeferred));
    check(vec![proposed(), deferred()], adopt(), Err(DecisionError::AlreadyDeferred));
    check(vec![proposed(), deferred()], reject(), Err(DecisionError::AlreadyDeferred));
}

#[test]
fn retable_a_deferred_decision_at_a_later_meeting() {
    check(
        vec![proposed(), deferred()],
        DecisionCommand::Retable { meeting: gcg22(MeetingStatus::Scheduled, None) },
        Ok(vec![retabled()]),
    );
    check(
        vec![proposed(), deferred()],
        DecisionCommand::Retable { meeting: gcg22(MeetingStatus::InSession, Some(quorum(true))) },
        Ok(vec![retabled()]),
    );
}

#[test]
fn retable_only_a_deferred_decision() {
    let retable = || DecisionCommand::Retable { meeting: gcg22(MeetingStatus::Scheduled, None) };
    check(vec![], retable(), Err(DecisionError::NotDeferred));
    check(vec![proposed()], retable(), Err(DecisionError::NotDeferred));
    check(vec![proposed(), adopted()], retable(), Err(DecisionError::NotDeferred));
}

#[test]
fn retable_at_a_closed_or_unscheduled_meeting_is_refused() {
    let at = |status| DecisionCommand::Retable { meeting: gcg22(status, None) };
    check(vec![proposed(), deferred()], at(MeetingStatus::Closed), Err(DecisionError::MeetingClosed));
    check(vec![proposed(), deferred()], at(MeetingStatus::Cancelled), Err(DecisionError::MeetingClosed));
    check(vec![proposed(), deferred()], at(MeetingStatus::NotScheduled), Err(DecisionError::MeetingNotInSession));
}

#[test]
fn a_retabled_decision_is_decided_at_its_new_meeting() {
    let given = vec![proposed(), deferred(), retabled()];
    // Facts of the old meeting no longer apply.
    check(given.clone(), record("seat-civ", Position::For), Err(DecisionError::WrongMeeting));
    check(
        given.clone(),
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::For,
            reason: None,
            meeting: gcg22(MeetingStatus::InSession, Some(quorum(true))),
            seat: SeatFacts::VOTING_PRESENT,
        },
        Ok(vec![recorded("seat-civ", Position::For, None)]),
    );
    check(
        given,
        DecisionCommand::Adopt {
            effective_on: date("2027-03-15"),
            meeting: gcg22(MeetingStatus::InSession, Some(quorum(true))),
            policy: GovernancePolicy::provisional_v1(),
        },
        Ok(vec![adopted_with(DecisionMethod::Consensus, tally(0, 0, 0, 0), "gcg-rules/v1-provisional", "2027-03-15")]),
    );
}

#[test]
fn positions_stated_before_a_deferral_do_not_count_at_the_new_meeting() {
    // Côte d'Ivoire blocked at GCG-21 and is not at GCG-22: its block no longer counts, and
    // the seats that stated a position at GCG-21 state one afresh.
    let given = vec![
        proposed(),
        recorded("seat-civ", Position::Block, None),
        recorded("seat-nep", Position::For, None),
        deferred(),
        retabled(),
        recorded("seat-nep", Position::For, None),
    ];
    check(
        given.clone(),
        DecisionCommand::Adopt {
            effective_on: date("2027-03-15"),
            meeting: gcg22(MeetingStatus::InSession, Some(quorum(true))),
            policy: GovernancePolicy::provisional_v1(),
        },
        Ok(vec![adopted_with(DecisionMethod::Consensus, tally(1, 0, 0, 0), "gcg-rules/v1-provisional", "2027-03-15")]),
    );
    check(
        given,
        DecisionCommand::RecordPosition {
            seat_id: "seat-civ".to_string(),
            position: Position::Against,
            reason: None,
            meeting: gcg22(MeetingStatus::InSession, Some(quorum(true))),
            seat: SeatFacts::VOTING_PRESENT,
        },
        Ok(vec![recorded("seat-civ", Position::Against, None)]),
    );
}

// --- Withdraw ---------------------------------------------------------------------

fn withdraw(reason: &str) -> DecisionCommand {
    DecisionCommand::Withdraw { withdrawn_on: date("2026-11-22"), reason: reason.to_string() }
}

fn withdrawn() -> DecisionEvent {
    DecisionEvent::DecisionWithdrawn {
        withdrawn_on: date("2026-11-22"),
        reason: "withdrawn by the proposer".to_string(),
    }
}

#[test]
fn withdraw_a_proposed_or_deferred_decision() {
    check(vec![proposed()], withdraw("withdrawn by the proposer"), Ok(vec![withdrawn()]));
    check(vec![proposed(), deferred()], withdraw("withdrawn by the proposer"), Ok(vec![withdrawn()]));
}

#[test]
fn withdraw_without_a_reason_is_refused() {
    check(vec![proposed()], withdraw(""), Err(DecisionError::Empty("reason")));
}

#[test]
fn withdraw_a_decided_decision_is_refused() {
    check(vec![], withdraw("x"), Err(DecisionError::NotProposed));
    check(vec![proposed(), adopted()], withdraw("x"), Err(DecisionError::AlreadyAdopted));
    check(vec![proposed(), rejected()], withdraw("x"), Err(DecisionError::AlreadyRejected));
    check(vec![proposed(), withdrawn()], withdraw("x"), Err(DecisionError::AlreadyWithdrawn));
}

#[test]
fn a_withdrawn_decision_is_closed() {
    check(vec![proposed(), withdrawn()], record("seat-civ", Position::For), Err(DecisionError::AlreadyWithdrawn));
    check(vec![proposed(), withdrawn()], adopt(), Err(DecisionError::AlreadyWithdrawn));
    check(
        vec![proposed(), withdrawn()],
        DecisionCommand::Retable { meeting: gcg22(MeetingStatus::Scheduled, None) },
        Err(DecisionError::NotDeferred),
    );
}

// --- Rescind ----------------------------------------------------------------------

fn rescind(id: &str, status: DecisionStatus, adopted_on: Option<&str>, reason: &str) -> DecisionCommand {
    DecisionCommand::Rescind {
        by: SupersedingFacts { decision_id: id.to_string(), status, adopted_on: adopted_on.map(date) },
        reason: reason.to_string(),
    }
}

fn rescinded() -> DecisionEvent {
    DecisionEvent::DecisionRescinded { by_decision_id: "GCG-23-D02".to_string(), reason: "taken in error".to_string() }
}

#[test]
fn rescind_by_a_later_adopted_decision() {
    check(
        vec![proposed(), adopted()],
        rescind("GCG-23-D02", DecisionStatus::Adopted, Some("2027-06-10"), "taken in error"),
        Ok(vec![rescinded()]),
    );
}

#[test]
fn rescind_without_a_reason_is_refused() {
    check(
        vec![proposed(), adopted()],
        rescind("GCG-23-D02", DecisionStatus::Adopted, Some("2027-06-10"), " "),
        Err(DecisionError::Empty("reason")),
    );
}

#[test]
fn rescind_follows_the_rules_of_supersession() {
    let given = || vec![proposed(), adopted()];
    check(
        given(),
        rescind("GCG-21-D04", DecisionStatus::Adopted, Some("2026-11-22"), "x"),
        Err(DecisionError::SelfSupersede),
    );
    check(
        given(),
        rescind("GCG-23-D02", DecisionStatus::Proposed, None, "x"),
        Err(DecisionError::SupersederNotAdopted),
    );
    check(
        given(),
        rescind("GCG-19-D01", DecisionStatus::Adopted, Some("2025-05-14"), "x"),
        Err(DecisionError::SupersederNotLater),
    );
    check(
        vec![proposed()],
        rescind("GCG-23-D02", DecisionStatus::Adopted, Some("2027-06-10"), "x"),
        Err(DecisionError::NotAdopted),
    );
    check(
        vec![],
        rescind("GCG-23-D02", DecisionStatus::Adopted, Some("2027-06-10"), "x"),
        Err(DecisionError::NotProposed),
    );
    check(
        vec![proposed(), adopted(), superseded()],
        rescind("GCG-23-D02", DecisionStatus::Adopted, Some("2027-06-10"), "x"),
        Err(DecisionError::AlreadySuperseded),
    );
}

#[test]
fn a_rescinded_decision_cannot_be_rescinded_superseded_or_edited() {
    let given = || vec![proposed(), adopted(), rescinded()];
    check(
        given(),
        rescind("GCG-24-D01", DecisionStatus::Adopted, Some("2027-11-20"), "x"),
        Err(DecisionError::AlreadyRescinded),
    );
    check(
        given(),
        superseding("GCG-24-D01", DecisionStatus::Adopted, Some("2027-11-20")),
        Err(DecisionError::AlreadyRescinded),
    );
    check(given(), record("seat-civ", Position::For), Err(DecisionError::AlreadyRescinded));
}

// --- Action items -----------------------------------------------------------------

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn assign_item(item: &str, text: &str, owner: &str) -> DecisionCommand {
    DecisionCommand::AssignActionItem {
        item_id: item.to_string(),
        text: text.to_string(),
        owner: owner.to_string(),
        due_on: date("2027-03-31"),
    }
}

fn item_assigned(item: &str) -> DecisionEvent {
    DecisionEvent::ActionItemAssigned {
        item_id: item.to_string(),
        text: "Publish the roadmap".to_string(),
        owner: "ILO".to_string(),
        due_on: date("2027-03-31"),
    }
}

fn complete_item(item: &str, evidence: Option<&str>) -> DecisionCommand {
    DecisionCommand::CompleteActionItem {
        item_id: item.to_string(),
        completed_on: date("2027-03-01"),
        evidence_sha256: evidence.map(str::to_string),
    }
}

fn item_completed(item: &str, evidence: Option<&str>) -> DecisionEvent {
    DecisionEvent::ActionItemCompleted {
        item_id: item.to_string(),
        completed_on: date("2027-03-01"),
        evidence_sha256: evidence.map(str::to_string),
    }
}

#[test]
fn assign_an_action_item_of_an_adopted_decision() {
    check(
        vec![proposed(), adopted()],
        assign_item("AI-1", "Publish the roadmap", "ILO"),
        Ok(vec![item_assigned("AI-1")]),
    );
    check(
        vec![proposed(), adopted(), item_assigned("AI-1")],
        assign_item("AI-2", "Publish the roadmap", "ILO"),
        Ok(vec![item_assigned("AI-2")]),
    );
}

#[test]
fn assign_an_action_item_twice_is_refused() {
    check(
        vec![proposed(), adopted(), item_assigned("AI-1")],
        assign_item("AI-1", "Something else", "FAO"),
        Err(DecisionError::ActionItemExists("AI-1".to_string())),
    );
}

#[test]
fn assign_an_action_item_with_blank_fields_is_refused() {
    let empty = || Err(DecisionError::Empty("item_id, text and owner"));
    check(vec![proposed(), adopted()], assign_item(" ", "Publish the roadmap", "ILO"), empty());
    check(vec![proposed(), adopted()], assign_item("AI-1", "", "ILO"), empty());
    check(vec![proposed(), adopted()], assign_item("AI-1", "Publish the roadmap", "\t"), empty());
}

#[test]
fn only_an_adopted_decision_in_force_has_action_items() {
    let when = || assign_item("AI-1", "Publish the roadmap", "ILO");
    check(vec![], when(), Err(DecisionError::NotProposed));
    check(vec![proposed()], when(), Err(DecisionError::NotAdopted));
    check(vec![proposed(), rejected()], when(), Err(DecisionError::NotAdopted));
    check(vec![proposed(), adopted(), superseded()], when(), Err(DecisionError::AlreadySuperseded));
    check(vec![proposed(), adopted(), rescinded()], when(), Err(DecisionError::AlreadyRescinded));
}

#[test]
fn complete_an_action_item_with_or_without_evidence() {
    let given = || vec![proposed(), adopted(), item_assigned("AI-1")];
    check(given(), complete_item("AI-1", None), Ok(vec![item_completed("AI-1", None)]));
    check(given(), complete_item("AI-1", Some(HASH)), Ok(vec![item_completed("AI-1", Some(HASH))]));
}

#[test]
fn complete_an_unknown_action_item_is_refused() {
    check(
        vec![proposed(), adopted(), item_assigned("AI-1")],
        complete_item("AI-9", None),
        Err(DecisionError::ActionItemUnknown("AI-9".to_string())),
    );
    check(vec![], complete_item("AI-1", None), Err(DecisionError::ActionItemUnknown("AI-1".to_string())));
}

#[test]
fn complete_an_action_item_twice_is_refused() {
    check(
        vec![proposed(), adopted(), item_assigned("AI-1"), item_completed("AI-1", None)],
        complete_item("AI-1", None),
        Err(DecisionError::ActionItemCompleted("AI-1".to_string())),
    );
}

#[test]
fn complete_with_malformed_evidence_is_refused() {
    check(
        vec![proposed(), adopted(), item_assigned("AI-1")],
        complete_item("AI-1", Some("not-a-hash")),
        Err(DecisionError::EvidenceHashInvalid),
    );
}

// --- RecordEffect -----------------------------------------------------------------

fn applied_outcome() -> EffectOutcome {
    EffectOutcome::Applied {
        target_type: "body".to_string(),
        target_id: "gcg".to_string(),
        events: vec!["OfficeHolderElected".to_string()],
    }
}

fn effect_applied() -> DecisionEvent {
    DecisionEvent::DecisionEffectApplied {
        target_type: "body".to_string(),
        target_id: "gcg".to_string(),
        events: vec!["OfficeHolderElected".to_string()],
    }
}

fn adopted_with_effect() -> Vec<DecisionEvent> {
    vec![proposed_with_effect(), adopted()]
}

#[test]
fn record_the_applied_effect_of_an_adopted_decision() {
    check(
        adopted_with_effect(),
        DecisionCommand::RecordEffect { outcome: applied_outcome() },
        Ok(vec![effect_applied()]),
    );
}

#[test]
fn record_the_failed_effect_of_an_adopted_decision() {
    check(
        adopted_with_effect(),
        DecisionCommand::RecordEffect {
            outcome: EffectOutcome::Failed {
                rule: "office_occupied".to_string(),
                message: "the Chair office is held by FRA (term term-fra) during that period".to_string(),
            },
        },
        Ok(vec![DecisionEvent::DecisionEffectFailed {
            rule: "office_occupied".to_string(),
            message: "the Chair office is held by FRA (term term-fra) during that period".to_string(),
        }]),
    );
}

#[test]
fn an_effect_is_recorded_once() {
    for outcome in [
        effect_applied(),
        DecisionEvent::DecisionEffectFailed { rule: "office_occupied".to_string(), message: "x".to_string() },
    ] {
        let mut given = adopted_with_effect();
        given.push(outcome);
        check(
            given,
            DecisionCommand::RecordEffect { outcome: applied_outcome() },
            Err(DecisionError::EffectNotPending),
        );
    }
}

#[test]
fn an_effect_is_recorded_only_for_an_adopted_decision_with_an_effect() {
    let when = || DecisionCommand::RecordEffect { outcome: applied_outcome() };
    check(vec![], when(), Err(DecisionError::NotProposed));
    check(vec![proposed_with_effect()], when(), Err(DecisionError::EffectNotPending));
    check(vec![proposed_with_effect(), rejected()], when(), Err(DecisionError::EffectNotPending));
    check(vec![proposed(), adopted()], when(), Err(DecisionError::EffectNotPending));
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

#[test]
fn evolve_folds_effects_action_items_deferral_and_rescission() {
    let mut state = Decision::default();
    for event in [proposed_with_effect(), deferred()] {
        evolve(&mut state, event);
    }
    assert_eq!(state.status, DecisionStatus::Deferred);
    assert_eq!(state.subject, Some(elect_chair()));
    assert_eq!(state.effect, Some(chile_chair()));
    for event in [retabled(), adopted(), item_assigned("AI-1"), item_assigned("AI-2"), item_completed("AI-1", None)] {
        evolve(&mut state, event);
    }
    assert_eq!(state.meeting_id, "GCG-22");
    assert_eq!(state.status, DecisionStatus::Adopted);
    assert_eq!(state.action_items, vec![("AI-1".to_string(), true), ("AI-2".to_string(), false)]);
    assert!(!state.effect_recorded);
    evolve(&mut state, effect_applied());
    assert!(state.effect_recorded);
    evolve(&mut state, rescinded());
    assert_eq!(state.status, DecisionStatus::Rescinded);
    let mut withdrawn_state = Decision::default();
    evolve(&mut withdrawn_state, proposed());
    evolve(&mut withdrawn_state, withdrawn());
    assert_eq!(withdrawn_state.status, DecisionStatus::Withdrawn);
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
        QuorumNotMet { present: 2, filled: 5, required: 3 },
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
        EffectSubjectMismatch,
        SeatNotFilled,
        SeatNotVoting,
        SeatNotPresent,
        WrittenProcedureNotAllowed,
        AlreadyDeferred,
        AlreadyWithdrawn,
        AlreadyRescinded,
        NotDeferred,
        Empty("reason"),
        ActionItemExists("AI-1".to_string()),
        ActionItemUnknown("AI-1".to_string()),
        ActionItemCompleted("AI-1".to_string()),
        EvidenceHashInvalid,
        EffectNotPending,
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
        QuorumNotMet { .. } => 8,
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
        EffectSubjectMismatch => 19,
        SeatNotFilled => 20,
        SeatNotVoting => 21,
        SeatNotPresent => 22,
        WrittenProcedureNotAllowed => 23,
        AlreadyDeferred => 24,
        AlreadyWithdrawn => 25,
        AlreadyRescinded => 26,
        NotDeferred => 27,
        Empty(_) => 28,
        ActionItemExists(_) => 29,
        ActionItemUnknown(_) => 30,
        ActionItemCompleted(_) => 31,
        EvidenceHashInvalid => 32,
        EffectNotPending => 33,
    }
}

#[test]
fn every_rule_name_is_unique_snake_case() {
    let errors = all_errors();
    let ordinals: Vec<usize> = errors.iter().map(ordinal).collect();
    let rules: Vec<(&'static str, String)> = errors.iter().map(|e| (e.rule(), e.to_string())).collect();
    crate::testing::assert_rules_well_formed(&ordinals, &rules);
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
fn golden_decision_proposed_with_an_effect() {
    golden(
        proposed_with_effect(),
        "DecisionProposed",
        r#"{"DecisionProposed":{"decision_id":"GCG-21-D04","meeting_id":"GCG-21","agenda_item":"4.2","subject":{"kind":"elect_office_holder","office":"chair"},"text":"The GCG grants Côte d'Ivoire Pathfinder status.","effect":{"effect":"elect_office_holder","term_id":"term-chl","office":"chair","holder":"CHL","term_start":"2023-06-01","term_end":"2026-05-31"}}}"#,
    );
}

#[test]
fn golden_later_decision_events() {
    golden(
        deferred(),
        "DecisionDeferred",
        r#"{"DecisionDeferred":{"reason":"awaiting the mission report","to_meeting":"GCG-22"}}"#,
    );
    golden(retabled(), "DecisionRetabled", r#"{"DecisionRetabled":{"meeting_id":"GCG-22"}}"#);
    golden(
        withdrawn(),
        "DecisionWithdrawn",
        r#"{"DecisionWithdrawn":{"withdrawn_on":"2026-11-22","reason":"withdrawn by the proposer"}}"#,
    );
    golden(
        rescinded(),
        "DecisionRescinded",
        r#"{"DecisionRescinded":{"by_decision_id":"GCG-23-D02","reason":"taken in error"}}"#,
    );
    golden(
        item_assigned("AI-1"),
        "ActionItemAssigned",
        r#"{"ActionItemAssigned":{"item_id":"AI-1","text":"Publish the roadmap","owner":"ILO","due_on":"2027-03-31"}}"#,
    );
    golden(
        item_completed("AI-1", None),
        "ActionItemCompleted",
        r#"{"ActionItemCompleted":{"item_id":"AI-1","completed_on":"2027-03-01","evidence_sha256":null}}"#,
    );
    golden(
        effect_applied(),
        "DecisionEffectApplied",
        r#"{"DecisionEffectApplied":{"target_type":"body","target_id":"gcg","events":["OfficeHolderElected"]}}"#,
    );
    golden(
        DecisionEvent::DecisionEffectFailed { rule: "office_occupied".to_string(), message: "m".to_string() },
        "DecisionEffectFailed",
        r#"{"DecisionEffectFailed":{"rule":"office_occupied","message":"m"}}"#,
    );
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
