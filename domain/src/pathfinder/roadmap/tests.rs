//! Given/when/then tests of the `Roadmap` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the outcome
//! (events or the exact refusal) is compared. Also: every refusal's rule name, command
//! names, edge facts, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;
use crate::decision::DecisionStatus;

#[track_caller]
fn check(given: Vec<RoadmapEvent>, when: RoadmapCommand, then: Result<Vec<RoadmapEvent>, RoadmapError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<RoadmapEvent>) -> Roadmap {
    let mut state = Roadmap::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(mut given: Vec<RoadmapEvent>, more: impl IntoIterator<Item = RoadmapEvent>) -> Vec<RoadmapEvent> {
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
const DECISION: &str = "GCG-22/D05";
const ID: &str = "NPL/v2";

fn endorse_subject(roadmap_id: &str) -> DecisionSubject {
    DecisionSubject::EndorseRoadmap { roadmap_id: s(roadmap_id) }
}

fn adopted(subject: DecisionSubject) -> Option<DecisionFacts> {
    Some(DecisionFacts::adopted(DECISION, subject, date("2026-02-25")))
}

fn out_of_order(date_text: &str, earliest: &str) -> RoadmapError {
    RoadmapError::DateOutOfOrder { date: date(date_text), earliest: date(earliest) }
}

fn not_allowed(from: RoadmapStatus, command: &'static str) -> RoadmapError {
    RoadmapError::TransitionNotAllowed { from, command }
}

// --- content -----------------------------------------------------------------------

fn priorities() -> Vec<Priority> {
    vec![
        Priority { code: s("P1"), text: s("Legal and policy framework") },
        Priority { code: s("P2"), text: s("Labour inspection") },
    ]
}

fn actions() -> Vec<RoadmapAction> {
    vec![
        RoadmapAction {
            text: s("Amend the Child Labour Act"),
            responsible_organisation: s("MoLESS"),
            timeline: s("2026-2027"),
            budget: Some(Money { amount_minor: 12_500_000, currency: s("USD") }),
        },
        RoadmapAction {
            text: s("Train labour inspectors"),
            responsible_organisation: s("DoL"),
            timeline: s("Q3 2026"),
            budget: None,
        },
    ]
}

fn indicators() -> Vec<Indicator> {
    vec![
        Indicator {
            code: s("I1"),
            name: s("Children in child labour (%)"),
            baseline: Some(s("15.3")),
            target: Some(s("5")),
        },
        Indicator { code: s("I2"), name: s("Labour inspections a year"), baseline: None, target: None },
    ]
}

struct Draft {
    roadmap_id: String,
    iso3: String,
    version: u32,
    title: String,
    period: (NaiveDate, NaiveDate),
    priorities: Vec<Priority>,
    actions: Vec<RoadmapAction>,
    indicators: Vec<Indicator>,
    current: Option<CurrentRoadmap>,
}

impl Draft {
    fn nepal_v2() -> Self {
        Self {
            roadmap_id: s(ID),
            iso3: s("NPL"),
            version: 2,
            title: s("National Master Plan to End Child Labour (2026-2030)"),
            period: (date("2026-01-01"), date("2030-12-31")),
            priorities: priorities(),
            actions: actions(),
            indicators: indicators(),
            current: Some(CurrentRoadmap { roadmap_id: s("NPL/v1"), version: 1 }),
        }
    }

    fn command(self) -> RoadmapCommand {
        RoadmapCommand::Draft {
            roadmap_id: self.roadmap_id,
            iso3: self.iso3,
            version: self.version,
            title: self.title,
            period_start: self.period.0,
            period_end: self.period.1,
            priorities: self.priorities,
            actions: self.actions,
            indicators: self.indicators,
            current: self.current,
        }
    }

    fn event(self) -> RoadmapEvent {
        RoadmapEvent::RoadmapDrafted {
            roadmap_id: self.roadmap_id,
            iso3: self.iso3,
            version: self.version,
            title: self.title,
            period_start: self.period.0,
            period_end: self.period.1,
            priorities: self.priorities,
            actions: self.actions,
            indicators: self.indicators,
        }
    }
}

// --- commands and events ---------------------------------------------------------

fn submit(hash: &str, on: &str) -> RoadmapCommand {
    RoadmapCommand::Submit { doc_sha256: s(hash), submitted_on: date(on) }
}

fn submitted_event(hash: &str, on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapSubmitted { roadmap_id: s(ID), doc_sha256: s(hash), submitted_on: date(on) }
}

fn feedback(on: &str) -> RoadmapCommand {
    RoadmapCommand::ProvideFeedback { by_organisation: s("ILO"), summary_sha256: s(HASH_2), on: date(on) }
}

fn feedback_event(on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapFeedbackProvided {
        roadmap_id: s(ID),
        by_organisation: s("ILO"),
        summary_sha256: s(HASH_2),
        on: date(on),
    }
}

fn request_revision(points: &[&str], on: &str) -> RoadmapCommand {
    RoadmapCommand::RequestRevision { points: points.iter().map(|p| s(p)).collect(), on: date(on) }
}

fn revision_requested_event(on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapRevisionRequested { roadmap_id: s(ID), points: vec![s("add budgets")], on: date(on) }
}

fn resubmit(hash: &str, on: &str) -> RoadmapCommand {
    RoadmapCommand::Resubmit { doc_sha256: s(hash), on: date(on) }
}

fn resubmitted_event(hash: &str, on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapResubmitted { roadmap_id: s(ID), doc_sha256: s(hash), on: date(on) }
}

fn validate(on: &str) -> RoadmapCommand {
    RoadmapCommand::ValidateNationally { validating_body: s("National Steering Committee"), on: date(on) }
}

fn validated_event(on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapValidatedNationally {
        roadmap_id: s(ID),
        validating_body: s("National Steering Committee"),
        on: date(on),
    }
}

fn endorse(on: &str, authority: Option<DecisionFacts>, wording: EndorsementWording) -> RoadmapCommand {
    RoadmapCommand::Endorse { on: date(on), authority, wording }
}

fn endorsed_event(on: &str, wording: EndorsementWording, hash: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapEndorsed {
        roadmap_id: s(ID),
        on: date(on),
        decision_id: s(DECISION),
        wording,
        doc_sha256: s(hash),
    }
}

fn launch(on: &str) -> RoadmapCommand {
    RoadmapCommand::Launch { on: date(on) }
}

fn launched_event(on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapLaunched { roadmap_id: s(ID), on: date(on) }
}

fn supersede(by_roadmap_id: &str, on: &str, by: Option<(&str, u32)>) -> RoadmapCommand {
    RoadmapCommand::Supersede {
        by_roadmap_id: s(by_roadmap_id),
        on: date(on),
        by: by.map(|(iso3, version)| RoadmapFacts { iso3: s(iso3), version }),
    }
}

fn superseded_event(on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapSuperseded { roadmap_id: s(ID), by_roadmap_id: s("NPL/v3"), on: date(on) }
}

fn expire(on: &str) -> RoadmapCommand {
    RoadmapCommand::Expire { on: date(on) }
}

fn expired_event(on: &str) -> RoadmapEvent {
    RoadmapEvent::RoadmapExpired { roadmap_id: s(ID), on: date(on) }
}

// --- the roadmap at each status ----------------------------------------------------

/// Nepal's second roadmap, 2026–2030, drafted.
fn draft() -> Vec<RoadmapEvent> {
    vec![Draft::nepal_v2().event()]
}

/// …submitted on 10 January 2026.
fn submitted() -> Vec<RoadmapEvent> {
    with(draft(), [submitted_event(HASH, "2026-01-10")])
}

/// …sent back for revision on 1 February 2026.
fn revision_requested() -> Vec<RoadmapEvent> {
    with(submitted(), [revision_requested_event("2026-02-01")])
}

/// …validated nationally on 15 February 2026.
fn validated() -> Vec<RoadmapEvent> {
    with(submitted(), [validated_event("2026-02-15")])
}

/// …endorsed by the GCG on 1 March 2026.
fn endorsed() -> Vec<RoadmapEvent> {
    with(validated(), [endorsed_event("2026-03-01", EndorsementWording::Endorsed, HASH)])
}

/// …launched on 1 April 2026.
fn launched() -> Vec<RoadmapEvent> {
    with(endorsed(), [launched_event("2026-04-01")])
}

fn superseded() -> Vec<RoadmapEvent> {
    with(launched(), [superseded_event("2029-06-01")])
}

fn expired() -> Vec<RoadmapEvent> {
    with(launched(), [expired_event("2031-01-01")])
}

// --- Draft -------------------------------------------------------------------------

#[test]
fn draft_the_next_version() {
    check(vec![], Draft::nepal_v2().command(), Ok(draft()));
}

#[test]
fn draft_a_countrys_first_roadmap() {
    let first = || Draft { roadmap_id: s("NPL/v1"), version: 1, current: None, ..Draft::nepal_v2() };
    check(vec![], first().command(), Ok(vec![first().event()]));
}

#[test]
fn a_roadmap_is_drafted_once() {
    check(draft(), Draft::nepal_v2().command(), Err(RoadmapError::AlreadyDrafted));
    check(launched(), Draft::nepal_v2().command(), Err(RoadmapError::AlreadyDrafted));
}

#[test]
fn a_roadmap_is_for_a_real_country() {
    check(
        vec![],
        Draft { iso3: s("XXX"), roadmap_id: s("XXX/v2"), ..Draft::nepal_v2() }.command(),
        Err(RoadmapError::Iso3Unknown(s("XXX"))),
    );
}

#[test]
fn roadmap_versions_increase() {
    let current = |version| Some(CurrentRoadmap { roadmap_id: format!("NPL/v{version}"), version });
    check(
        vec![],
        Draft { current: current(2), ..Draft::nepal_v2() }.command(),
        Err(RoadmapError::VersionNotNewer { current: 2 }),
    );
    check(
        vec![],
        Draft { current: current(3), ..Draft::nepal_v2() }.command(),
        Err(RoadmapError::VersionNotNewer { current: 3 }),
    );
    check(
        vec![],
        Draft { roadmap_id: s("NPL/v0"), version: 0, current: None, ..Draft::nepal_v2() }.command(),
        Err(RoadmapError::VersionNotNewer { current: 0 }),
    );
    // Skipping a version is allowed (a version may have been abandoned as a draft).
    let v4 = || Draft { roadmap_id: s("NPL/v4"), version: 4, ..Draft::nepal_v2() };
    check(vec![], v4().command(), Ok(vec![v4().event()]));
}

#[test]
fn the_roadmap_id_is_country_and_version() {
    for id in ["NPL/2", "npl/v2", "UGA/v2", "NPL/v3", ""] {
        check(
            vec![],
            Draft { roadmap_id: s(id), ..Draft::nepal_v2() }.command(),
            Err(RoadmapError::IdMismatch { expected: s(ID) }),
        );
    }
}

#[test]
fn a_roadmap_has_a_title() {
    check(vec![], Draft { title: s(" "), ..Draft::nepal_v2() }.command(), Err(RoadmapError::Empty("title")));
}

#[test]
fn a_roadmap_period_ends_after_it_starts() {
    for (start, end) in [("2026-01-01", "2026-01-01"), ("2026-01-01", "2025-12-31")] {
        check(
            vec![],
            Draft { period: (date(start), date(end)), ..Draft::nepal_v2() }.command(),
            Err(RoadmapError::PeriodInvalid),
        );
    }
}

#[test]
fn priorities_have_a_unique_code_and_a_text() {
    let with_priorities = |priorities| Draft { priorities, ..Draft::nepal_v2() }.command();
    check(
        vec![],
        with_priorities(vec![Priority { code: s(""), text: s("x") }]),
        Err(RoadmapError::Empty("priorities.code")),
    );
    check(
        vec![],
        with_priorities(vec![Priority { code: s("P1"), text: s(" ") }]),
        Err(RoadmapError::Empty("priorities.text")),
    );
    check(
        vec![],
        with_priorities(vec![Priority { code: s("P1"), text: s("a") }, Priority { code: s("P1"), text: s("b") }]),
        Err(RoadmapError::CodeDuplicated(s("P1"))),
    );
}

#[test]
fn actions_have_a_text_a_responsible_organisation_and_a_timeline() {
    let action = |text: &str, organisation: &str, timeline: &str| RoadmapAction {
        text: s(text),
        responsible_organisation: s(organisation),
        timeline: s(timeline),
        budget: None,
    };
    let with_action = |a| Draft { actions: vec![a], ..Draft::nepal_v2() }.command();
    check(vec![], with_action(action("", "DoL", "2026")), Err(RoadmapError::Empty("actions.text")));
    check(vec![], with_action(action("a", "", "2026")), Err(RoadmapError::Empty("actions.responsible_organisation")));
    check(vec![], with_action(action("a", "DoL", " ")), Err(RoadmapError::Empty("actions.timeline")));
}

#[test]
fn budgets_are_non_negative_minor_units_of_an_iso_4217_currency() {
    let with_budget = |amount_minor: i64, currency: &str| {
        let mut actions = actions();
        actions[0].budget = Some(Money { amount_minor, currency: s(currency) });
        Draft { actions, ..Draft::nepal_v2() }
    };
    for currency in ["usd", "US", "USDT", "", "U$D"] {
        check(vec![], with_budget(100, currency).command(), Err(RoadmapError::CurrencyInvalid(s(currency))));
    }
    check(vec![], with_budget(-1, "USD").command(), Err(RoadmapError::AmountNegative));
    check(vec![], with_budget(0, "NPR").command(), Ok(vec![with_budget(0, "NPR").event()]));
}

#[test]
fn indicators_have_a_unique_code_and_a_name() {
    let with_indicators = |indicators| Draft { indicators, ..Draft::nepal_v2() }.command();
    let indicator = |code: &str, name: &str| Indicator { code: s(code), name: s(name), baseline: None, target: None };
    check(vec![], with_indicators(vec![indicator(" ", "n")]), Err(RoadmapError::Empty("indicators.code")));
    check(vec![], with_indicators(vec![indicator("I1", "")]), Err(RoadmapError::Empty("indicators.name")));
    check(
        vec![],
        with_indicators(vec![indicator("I1", "a"), indicator("I2", "b"), indicator("I1", "c")]),
        Err(RoadmapError::CodeDuplicated(s("I1"))),
    );
}

#[test]
fn nothing_happens_before_the_draft() {
    for when in [
        submit(HASH, "2026-01-10"),
        feedback("2026-01-20"),
        request_revision(&["add budgets"], "2026-02-01"),
        resubmit(HASH_2, "2026-02-10"),
        validate("2026-02-15"),
        endorse("2026-03-01", adopted(endorse_subject(ID)), EndorsementWording::Endorsed),
        launch("2026-04-01"),
        supersede("NPL/v3", "2029-06-01", Some(("NPL", 3))),
        expire("2031-01-01"),
    ] {
        check(vec![], when, Err(RoadmapError::NotDrafted));
    }
}

// --- Submit ------------------------------------------------------------------------

#[test]
fn submit_the_draft() {
    check(draft(), submit(HASH, "2026-01-10"), Ok(vec![submitted_event(HASH, "2026-01-10")]));
    let state = fold(submitted());
    assert_eq!(state.status, RoadmapStatus::Submitted);
    assert!(state.status.is_submitted());
    assert_eq!(state.doc_sha256.as_deref(), Some(HASH));
}

#[test]
fn a_roadmap_is_submitted_once_then_resubmitted() {
    check(submitted(), submit(HASH_2, "2026-01-20"), Err(not_allowed(RoadmapStatus::Submitted, "submit")));
    check(
        revision_requested(),
        submit(HASH_2, "2026-02-10"),
        Err(not_allowed(RoadmapStatus::RevisionRequested, "submit")),
    );
    check(validated(), submit(HASH_2, "2026-02-20"), Err(not_allowed(RoadmapStatus::ValidatedNationally, "submit")));
}

#[test]
fn no_document_is_submitted_after_endorsement() {
    for given in [endorsed(), launched(), superseded(), expired()] {
        check(given, submit(HASH_2, "2031-02-01"), Err(RoadmapError::DocumentFrozen));
    }
}

#[test]
fn a_submitted_document_is_named_by_sha256() {
    check(draft(), submit("roadmap.pdf", "2026-01-10"), Err(RoadmapError::DocumentHashInvalid("doc_sha256")));
}

// --- ProvideFeedback ---------------------------------------------------------------

#[test]
fn feedback_on_a_roadmap_under_consideration() {
    for given in [submitted(), revision_requested(), validated()] {
        check(given, feedback("2026-02-20"), Ok(vec![feedback_event("2026-02-20")]));
    }
    assert_eq!(fold(with(submitted(), [feedback_event("2026-02-20")])).status, RoadmapStatus::Submitted);
}

#[test]
fn feedback_only_while_under_consideration() {
    check(draft(), feedback("2026-01-20"), Err(not_allowed(RoadmapStatus::Draft, "provide_feedback")));
    check(endorsed(), feedback("2026-03-20"), Err(not_allowed(RoadmapStatus::Endorsed, "provide_feedback")));
}

#[test]
fn feedback_names_its_author_and_summary() {
    check(
        submitted(),
        RoadmapCommand::ProvideFeedback { by_organisation: s(""), summary_sha256: s(HASH_2), on: date("2026-01-20") },
        Err(RoadmapError::Empty("by_organisation")),
    );
    check(
        submitted(),
        RoadmapCommand::ProvideFeedback { by_organisation: s("ILO"), summary_sha256: s("x"), on: date("2026-01-20") },
        Err(RoadmapError::DocumentHashInvalid("summary_sha256")),
    );
}

#[test]
fn feedback_before_the_submission_is_refused() {
    check(submitted(), feedback("2026-01-09"), Err(out_of_order("2026-01-09", "2026-01-10")));
}

// --- RequestRevision ---------------------------------------------------------------

#[test]
fn request_a_revision() {
    check(
        submitted(),
        request_revision(&["add budgets"], "2026-02-01"),
        Ok(vec![revision_requested_event("2026-02-01")]),
    );
    check(
        validated(),
        request_revision(&["add budgets"], "2026-02-16"),
        Ok(vec![revision_requested_event("2026-02-16")]),
    );
    assert_eq!(fold(revision_requested()).status, RoadmapStatus::RevisionRequested);
}

#[test]
fn a_revision_is_requested_of_a_submitted_roadmap_only() {
    check(draft(), request_revision(&["x"], "2026-02-01"), Err(not_allowed(RoadmapStatus::Draft, "request_revision")));
    check(
        revision_requested(),
        request_revision(&["x"], "2026-02-02"),
        Err(not_allowed(RoadmapStatus::RevisionRequested, "request_revision")),
    );
    check(
        endorsed(),
        request_revision(&["x"], "2026-03-02"),
        Err(not_allowed(RoadmapStatus::Endorsed, "request_revision")),
    );
}

#[test]
fn a_revision_request_lists_its_points() {
    check(submitted(), request_revision(&[], "2026-02-01"), Err(RoadmapError::RevisionPointsEmpty));
    check(submitted(), request_revision(&["add budgets", " "], "2026-02-01"), Err(RoadmapError::RevisionPointsEmpty));
}

#[test]
fn a_revision_request_before_the_submission_is_refused() {
    check(submitted(), request_revision(&["x"], "2026-01-01"), Err(out_of_order("2026-01-01", "2026-01-10")));
}

// --- Resubmit ----------------------------------------------------------------------

#[test]
fn resubmit_a_revised_document() {
    check(revision_requested(), resubmit(HASH_2, "2026-02-10"), Ok(vec![resubmitted_event(HASH_2, "2026-02-10")]));
    let state = fold(with(revision_requested(), [resubmitted_event(HASH_2, "2026-02-10")]));
    assert_eq!((state.status, state.doc_sha256.as_deref()), (RoadmapStatus::Submitted, Some(HASH_2)));
}

#[test]
fn a_resubmission_changes_the_document() {
    check(revision_requested(), resubmit(HASH, "2026-02-10"), Err(RoadmapError::DocumentUnchanged));
}

#[test]
fn a_resubmission_answers_a_revision_request() {
    check(draft(), resubmit(HASH_2, "2026-02-10"), Err(not_allowed(RoadmapStatus::Draft, "resubmit")));
    check(submitted(), resubmit(HASH_2, "2026-02-10"), Err(not_allowed(RoadmapStatus::Submitted, "resubmit")));
    check(
        validated(),
        resubmit(HASH_2, "2026-02-20"),
        Err(not_allowed(RoadmapStatus::ValidatedNationally, "resubmit")),
    );
}

#[test]
fn the_endorsed_document_is_frozen() {
    for given in [endorsed(), launched(), superseded(), expired()] {
        check(given, resubmit(HASH_2, "2031-02-01"), Err(RoadmapError::DocumentFrozen));
    }
}

#[test]
fn a_resubmitted_document_is_named_by_sha256() {
    check(revision_requested(), resubmit("v2.pdf", "2026-02-10"), Err(RoadmapError::DocumentHashInvalid("doc_sha256")));
}

#[test]
fn a_resubmission_before_the_request_is_refused() {
    check(revision_requested(), resubmit(HASH_2, "2026-01-31"), Err(out_of_order("2026-01-31", "2026-02-01")));
}

// --- ValidateNationally ------------------------------------------------------------

#[test]
fn validate_a_submitted_roadmap_nationally() {
    check(submitted(), validate("2026-02-15"), Ok(vec![validated_event("2026-02-15")]));
    assert_eq!(fold(validated()).status, RoadmapStatus::ValidatedNationally);
}

#[test]
fn national_validation_is_of_a_submitted_roadmap() {
    check(draft(), validate("2026-02-15"), Err(not_allowed(RoadmapStatus::Draft, "validate_nationally")));
    check(
        revision_requested(),
        validate("2026-02-15"),
        Err(not_allowed(RoadmapStatus::RevisionRequested, "validate_nationally")),
    );
    check(
        validated(),
        validate("2026-02-16"),
        Err(not_allowed(RoadmapStatus::ValidatedNationally, "validate_nationally")),
    );
    check(endorsed(), validate("2026-03-16"), Err(not_allowed(RoadmapStatus::Endorsed, "validate_nationally")));
}

#[test]
fn national_validation_names_the_body() {
    check(
        submitted(),
        RoadmapCommand::ValidateNationally { validating_body: s(" "), on: date("2026-02-15") },
        Err(RoadmapError::Empty("validating_body")),
    );
}

#[test]
fn national_validation_before_the_submission_is_refused() {
    check(submitted(), validate("2026-01-09"), Err(out_of_order("2026-01-09", "2026-01-10")));
}

// --- Endorse -----------------------------------------------------------------------

#[test]
fn endorse_a_validated_roadmap() {
    check(
        validated(),
        endorse("2026-03-01", adopted(endorse_subject(ID)), EndorsementWording::Endorsed),
        Ok(vec![endorsed_event("2026-03-01", EndorsementWording::Endorsed, HASH)]),
    );
    let state = fold(endorsed());
    assert_eq!(state.status, RoadmapStatus::Endorsed);
    assert_eq!(state.endorsed_on, Some(date("2026-03-01")));
    assert_eq!(state.wording, Some(EndorsementWording::Endorsed));
}

#[test]
fn endorse_without_national_validation_and_record_the_wording_and_document() {
    let resubmitted = with(revision_requested(), [resubmitted_event(HASH_2, "2026-02-10")]);
    check(
        resubmitted,
        endorse("2026-03-01", adopted(endorse_subject(ID)), EndorsementWording::TakenNoteOf),
        Ok(vec![endorsed_event("2026-03-01", EndorsementWording::TakenNoteOf, HASH_2)]),
    );
}

#[test]
fn only_a_submitted_roadmap_is_endorsed() {
    let when = || endorse("2026-03-01", adopted(endorse_subject(ID)), EndorsementWording::Endorsed);
    check(draft(), when(), Err(not_allowed(RoadmapStatus::Draft, "endorse")));
    check(revision_requested(), when(), Err(not_allowed(RoadmapStatus::RevisionRequested, "endorse")));
    check(endorsed(), when(), Err(not_allowed(RoadmapStatus::Endorsed, "endorse")));
}

#[test]
fn endorsement_needs_an_adopted_decision_on_this_roadmap() {
    let needed = "endorse_roadmap for this roadmap";
    let when = |authority| endorse("2026-03-01", authority, EndorsementWording::Endorsed);
    check(validated(), when(None), Err(RoadmapError::Authority(AuthorityError::Missing { needed })));
    let proposed = DecisionFacts {
        decision_id: s(DECISION),
        status: DecisionStatus::Proposed,
        subject: Some(endorse_subject(ID)),
        adopted_on: None,
    };
    check(
        validated(),
        when(Some(proposed)),
        Err(RoadmapError::Authority(AuthorityError::NotAdopted { decision_id: s(DECISION) })),
    );
    for subject in [endorse_subject("NPL/v1"), DecisionSubject::GrantPathfinderStatus { iso3: s("NPL") }] {
        check(
            validated(),
            when(adopted(subject)),
            Err(RoadmapError::Authority(AuthorityError::WrongSubject { decision_id: s(DECISION), needed })),
        );
    }
}

#[test]
fn endorsement_before_the_validation_is_refused() {
    check(
        validated(),
        endorse("2026-02-14", adopted(endorse_subject(ID)), EndorsementWording::Endorsed),
        Err(out_of_order("2026-02-14", "2026-02-15")),
    );
}

// --- Launch ------------------------------------------------------------------------

#[test]
fn launch_an_endorsed_roadmap() {
    check(endorsed(), launch("2026-04-01"), Ok(vec![launched_event("2026-04-01")]));
    let state = fold(launched());
    assert_eq!((state.status, state.launched_on), (RoadmapStatus::Launched, Some(date("2026-04-01"))));
    assert!(state.status.is_in_force() && state.status.is_endorsed());
}

#[test]
fn only_an_endorsed_roadmap_is_launched() {
    check(validated(), launch("2026-04-01"), Err(not_allowed(RoadmapStatus::ValidatedNationally, "launch")));
    check(launched(), launch("2026-05-01"), Err(not_allowed(RoadmapStatus::Launched, "launch")));
}

#[test]
fn a_launch_before_the_endorsement_is_refused() {
    check(endorsed(), launch("2026-02-28"), Err(out_of_order("2026-02-28", "2026-03-01")));
}

// --- Supersede ---------------------------------------------------------------------

#[test]
fn a_newer_version_supersedes_the_roadmap_in_force() {
    for given in [endorsed(), launched()] {
        check(given, supersede("NPL/v3", "2029-06-01", Some(("NPL", 3))), Ok(vec![superseded_event("2029-06-01")]));
    }
    let state = fold(superseded());
    assert_eq!((state.status, state.superseded_by.as_deref()), (RoadmapStatus::Superseded, Some("NPL/v3")));
}

#[test]
fn only_a_roadmap_in_force_is_superseded() {
    let when = || supersede("NPL/v3", "2031-06-01", Some(("NPL", 3)));
    check(submitted(), when(), Err(not_allowed(RoadmapStatus::Submitted, "supersede")));
    check(superseded(), when(), Err(not_allowed(RoadmapStatus::Superseded, "supersede")));
    check(expired(), when(), Err(not_allowed(RoadmapStatus::Expired, "supersede")));
}

#[test]
fn the_superseding_roadmap_is_a_newer_version_for_the_same_country() {
    check(launched(), supersede("", "2029-06-01", Some(("NPL", 3))), Err(RoadmapError::Empty("by_roadmap_id")));
    check(launched(), supersede("NPL/v3", "2029-06-01", None), Err(RoadmapError::SupersedingUnknown));
    check(
        launched(),
        supersede("UGA/v3", "2029-06-01", Some(("UGA", 3))),
        Err(RoadmapError::SupersedingOtherCountry(s("UGA"))),
    );
    check(launched(), supersede("NPL/v2", "2029-06-01", Some(("NPL", 2))), Err(RoadmapError::SupersedingNotNewer(2)));
    check(launched(), supersede("NPL/v1", "2029-06-01", Some(("NPL", 1))), Err(RoadmapError::SupersedingNotNewer(1)));
}

#[test]
fn supersession_before_the_launch_is_refused() {
    check(
        launched(),
        supersede("NPL/v3", "2026-03-31", Some(("NPL", 3))),
        Err(out_of_order("2026-03-31", "2026-04-01")),
    );
}

// --- Expire ------------------------------------------------------------------------

#[test]
fn a_roadmap_in_force_expires_after_its_period() {
    check(launched(), expire("2031-01-01"), Ok(vec![expired_event("2031-01-01")]));
    check(endorsed(), expire("2032-01-01"), Ok(vec![expired_event("2032-01-01")]));
    assert_eq!(fold(expired()).status, RoadmapStatus::Expired);
}

#[test]
fn a_roadmap_does_not_expire_within_its_period() {
    check(launched(), expire("2030-12-31"), Err(RoadmapError::PeriodNotEnded(date("2030-12-31"))));
    check(launched(), expire("2027-01-01"), Err(RoadmapError::PeriodNotEnded(date("2030-12-31"))));
}

#[test]
fn only_a_roadmap_in_force_expires() {
    check(submitted(), expire("2031-01-01"), Err(not_allowed(RoadmapStatus::Submitted, "expire")));
    check(superseded(), expire("2031-01-01"), Err(not_allowed(RoadmapStatus::Superseded, "expire")));
    check(expired(), expire("2031-02-01"), Err(not_allowed(RoadmapStatus::Expired, "expire")));
}

#[test]
fn expiry_before_the_last_change_is_refused() {
    let late_launch = with(endorsed(), [launched_event("2031-03-01")]);
    check(late_launch, expire("2031-01-15"), Err(out_of_order("2031-01-15", "2031-03-01")));
}

// --- evolve ------------------------------------------------------------------------

#[test]
fn evolve_folds_the_roadmap() {
    let state = fold(with(
        revision_requested(),
        [
            feedback_event("2026-02-05"),
            resubmitted_event(HASH_2, "2026-02-10"),
            validated_event("2026-02-15"),
            endorsed_event("2026-03-01", EndorsementWording::TakenNoteOf, HASH_2),
            launched_event("2026-04-01"),
            superseded_event("2029-06-01"),
        ],
    ));
    assert_eq!(state.roadmap_id, ID);
    assert_eq!(state.iso3, "NPL");
    assert_eq!(state.version, 2);
    assert_eq!(state.title, "National Master Plan to End Child Labour (2026-2030)");
    assert_eq!((state.period_start, state.period_end), (Some(date("2026-01-01")), Some(date("2030-12-31"))));
    assert_eq!(state.indicators, indicators());
    assert_eq!(state.status, RoadmapStatus::Superseded);
    assert_eq!(state.status_since, Some(date("2029-06-01")));
    assert_eq!(state.doc_sha256.as_deref(), Some(HASH_2));
    assert_eq!(state.submitted_on, Some(date("2026-01-10")));
    assert_eq!(state.endorsed_on, Some(date("2026-03-01")));
    assert_eq!(state.wording, Some(EndorsementWording::TakenNoteOf));
    assert_eq!(state.launched_on, Some(date("2026-04-01")));
    assert_eq!(state.superseded_by.as_deref(), Some("NPL/v3"));
}

#[test]
fn status_predicates() {
    use RoadmapStatus as S;
    let all = [
        S::NotDrafted,
        S::Draft,
        S::Submitted,
        S::RevisionRequested,
        S::ValidatedNationally,
        S::Endorsed,
        S::Launched,
        S::Superseded,
        S::Expired,
    ];
    let endorsed: Vec<_> = all.iter().filter(|s| s.is_endorsed()).collect();
    assert_eq!(endorsed, [&S::Endorsed, &S::Launched, &S::Superseded, &S::Expired]);
    let in_force: Vec<_> = all.iter().filter(|s| s.is_in_force()).collect();
    assert_eq!(in_force, [&S::Endorsed, &S::Launched]);
    let submitted: Vec<_> = all.iter().filter(|s| !s.is_submitted()).collect();
    assert_eq!(submitted, [&S::NotDrafted, &S::Draft]);
    assert!(is_currency_code("USD") && !is_currency_code("Usd"));
}

// --- commands on the wire ----------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    for json in [
        r#"{"command":"endorse","on":"2026-03-01","authority":null}"#,
        r#"{"command":"endorse","on":"2026-03-01","wording":"taken_note_of"}"#,
        r#"{"command":"supersede","by_roadmap_id":"NPL/v3","on":"2029-06-01","by":{"iso3":"NPL","version":3}}"#,
        r#"{"command":"draft","roadmap_id":"NPL/v1","iso3":"NPL","version":1,"title":"t","period_start":"2026-01-01","period_end":"2030-12-31","priorities":[],"actions":[],"indicators":[],"current":null}"#,
    ] {
        assert!(serde_json::from_str::<RoadmapCommand>(json).is_err(), "{json}");
    }
    let command: RoadmapCommand =
        serde_json::from_str(r#"{"command":"endorse","on":"2026-03-01"}"#).expect("deserialises");
    assert_eq!(command, endorse("2026-03-01", None, EndorsementWording::Endorsed));
}

#[test]
fn every_command_name_is_its_tag() {
    for command in [
        Draft { current: None, ..Draft::nepal_v2() }.command(),
        submit(HASH, "2026-01-10"),
        feedback("2026-01-20"),
        request_revision(&["add budgets"], "2026-02-01"),
        resubmit(HASH_2, "2026-02-10"),
        validate("2026-02-15"),
        endorse("2026-03-01", None, EndorsementWording::Endorsed),
        launch("2026-04-01"),
        supersede("NPL/v3", "2029-06-01", None),
        expire("2031-01-01"),
    ] {
        let json = serde_json::to_value(&command).expect("serialises");
        assert_eq!(json["command"], command.name());
        assert_eq!(serde_json::from_value::<RoadmapCommand>(json).expect("deserialises"), command);
    }
}

// --- rule names --------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<RoadmapError> {
    use RoadmapError::*;
    vec![
        NotDrafted,
        AlreadyDrafted,
        TransitionNotAllowed { from: RoadmapStatus::Draft, command: "endorse" },
        Iso3Unknown(s("XXX")),
        IdMismatch { expected: s(ID) },
        VersionNotNewer { current: 2 },
        Empty("title"),
        PeriodInvalid,
        CurrencyInvalid(s("usd")),
        AmountNegative,
        CodeDuplicated(s("P1")),
        DocumentHashInvalid("doc_sha256"),
        DocumentFrozen,
        DocumentUnchanged,
        RevisionPointsEmpty,
        DateOutOfOrder { date: date("2026-01-09"), earliest: date("2026-01-10") },
        SupersedingUnknown,
        SupersedingOtherCountry(s("UGA")),
        SupersedingNotNewer(2),
        PeriodNotEnded(date("2030-12-31")),
        Authority(AuthorityError::Missing { needed: "endorse_roadmap for this roadmap" }),
        Authority(AuthorityError::NotAdopted { decision_id: s(DECISION) }),
        Authority(AuthorityError::WrongSubject { decision_id: s(DECISION), needed: "endorse_roadmap" }),
    ]
}

fn ordinal(error: &RoadmapError) -> usize {
    use RoadmapError::*;
    match error {
        NotDrafted => 0,
        AlreadyDrafted => 1,
        TransitionNotAllowed { .. } => 2,
        Iso3Unknown(_) => 3,
        IdMismatch { .. } => 4,
        VersionNotNewer { .. } => 5,
        Empty(_) => 6,
        PeriodInvalid => 7,
        CurrencyInvalid(_) => 8,
        AmountNegative => 9,
        CodeDuplicated(_) => 10,
        DocumentHashInvalid(_) => 11,
        DocumentFrozen => 12,
        DocumentUnchanged => 13,
        RevisionPointsEmpty => 14,
        DateOutOfOrder { .. } => 15,
        SupersedingUnknown => 16,
        SupersedingOtherCountry(_) => 17,
        SupersedingNotNewer(_) => 18,
        PeriodNotEnded(_) => 19,
        Authority(AuthorityError::Missing { .. }) => 20,
        Authority(AuthorityError::NotAdopted { .. }) => 21,
        Authority(AuthorityError::WrongSubject { .. }) => 22,
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
fn golden(event: RoadmapEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: RoadmapEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_roadmap_drafted() {
    golden(
        Draft {
            priorities: priorities()[..1].to_vec(),
            actions: actions()[..1].to_vec(),
            indicators: indicators()[..1].to_vec(),
            ..Draft::nepal_v2()
        }
        .event(),
        "RoadmapDrafted",
        r#"{"RoadmapDrafted":{"roadmap_id":"NPL/v2","iso3":"NPL","version":2,"title":"National Master Plan to End Child Labour (2026-2030)","period_start":"2026-01-01","period_end":"2030-12-31","priorities":[{"code":"P1","text":"Legal and policy framework"}],"actions":[{"text":"Amend the Child Labour Act","responsible_organisation":"MoLESS","timeline":"2026-2027","budget":{"amount_minor":12500000,"currency":"USD"}}],"indicators":[{"code":"I1","name":"Children in child labour (%)","baseline":"15.3","target":"5"}]}}"#,
    );
}

#[test]
fn golden_roadmap_endorsed() {
    golden(
        endorsed_event("2026-03-01", EndorsementWording::TakenNoteOf, HASH),
        "RoadmapEndorsed",
        r#"{"RoadmapEndorsed":{"roadmap_id":"NPL/v2","on":"2026-03-01","decision_id":"GCG-22/D05","wording":"taken_note_of","doc_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (submitted_event(HASH, "2026-01-10"), "RoadmapSubmitted"),
        (feedback_event("2026-01-20"), "RoadmapFeedbackProvided"),
        (revision_requested_event("2026-02-01"), "RoadmapRevisionRequested"),
        (resubmitted_event(HASH_2, "2026-02-10"), "RoadmapResubmitted"),
        (validated_event("2026-02-15"), "RoadmapValidatedNationally"),
        (launched_event("2026-04-01"), "RoadmapLaunched"),
        (superseded_event("2029-06-01"), "RoadmapSuperseded"),
        (expired_event("2031-01-01"), "RoadmapExpired"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<RoadmapEvent>(&json).expect("deserialises"), event);
    }
}
