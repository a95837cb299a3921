//! Given/when/then tests of the `ReportingCycle` aggregate: past events are folded with
//! [`evolve`] from the default state, the command goes through [`decide`], and the outcome
//! (events or the exact refusal) is compared. Also: every refusal's rule name, command
//! names, edge facts, and golden JSON fixtures.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;

use super::*;

#[track_caller]
fn check(given: Vec<CycleEvent>, when: CycleCommand, then: Result<Vec<CycleEvent>, CycleError>) {
    assert_eq!(decide(&fold(given), when), then);
}

fn fold(events: Vec<CycleEvent>) -> ReportingCycle {
    let mut state = ReportingCycle::default();
    for event in events {
        evolve(&mut state, event);
    }
    state
}

fn with(mut given: Vec<CycleEvent>, more: impl IntoIterator<Item = CycleEvent>) -> Vec<CycleEvent> {
    given.extend(more);
    given
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn s(text: &str) -> String {
    text.to_string()
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| s(c)).collect()
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const URL: &str = "https://alliance87.org/reports/2026-synthesis.pdf";

struct Launch {
    cycle_id: &'static str,
    period: (&'static str, &'static str),
    launched_on: &'static str,
    deadline: &'static str,
    template_version: &'static str,
    expected: Vec<String>,
}

impl Launch {
    fn cycle_2026() -> Self {
        Self {
            cycle_id: "2026",
            period: ("2025-01-01", "2025-12-31"),
            launched_on: "2026-03-01",
            deadline: "2026-05-30",
            template_version: "questionnaire/2019-v2",
            expected: codes(&["UGA", "NPL", "PER"]),
        }
    }

    fn command(self) -> CycleCommand {
        CycleCommand::Launch {
            cycle_id: s(self.cycle_id),
            period_start: date(self.period.0),
            period_end: date(self.period.1),
            launched_on: date(self.launched_on),
            deadline: date(self.deadline),
            template_version: s(self.template_version),
            expected_countries: self.expected,
        }
    }

    fn event(self) -> CycleEvent {
        let mut expected = self.expected;
        expected.sort();
        CycleEvent::ReportingCycleLaunched {
            cycle_id: s(self.cycle_id),
            period_start: date(self.period.0),
            period_end: date(self.period.1),
            launched_on: date(self.launched_on),
            deadline: date(self.deadline),
            template_version: s(self.template_version),
            expected_countries: expected,
        }
    }
}

fn extend(new_deadline: &str, reason: &str) -> CycleCommand {
    CycleCommand::ExtendDeadline { new_deadline: date(new_deadline), reason: s(reason) }
}

fn extended(old: &str, new: &str) -> CycleEvent {
    CycleEvent::ReportingDeadlineExtended {
        old_deadline: date(old),
        new_deadline: date(new),
        reason: s("national elections"),
    }
}

fn close(on: &str, submitted: &[&str], waived: &[&str]) -> CycleCommand {
    CycleCommand::Close { closed_on: date(on), submitted: codes(submitted), waived: codes(waived) }
}

fn closed_event(on: &str, submitted: &[&str], waived: &[&str], missing: &[&str]) -> CycleEvent {
    CycleEvent::ReportingCycleClosed {
        closed_on: date(on),
        submitted: codes(submitted),
        waived: codes(waived),
        missing: codes(missing),
    }
}

fn publish(hash: &str, url: &str, on: &str) -> CycleCommand {
    CycleCommand::PublishSynthesis { doc_sha256: s(hash), url: s(url), published_on: date(on) }
}

fn published(on: &str) -> CycleEvent {
    CycleEvent::CycleSynthesisPublished { doc_sha256: s(HASH), url: s(URL), published_on: date(on) }
}

/// The 2026 cycle on 2025, launched 1 March 2026 for UGA, NPL and PER, due 30 May.
fn open() -> Vec<CycleEvent> {
    vec![Launch::cycle_2026().event()]
}

/// …closed on 30 June 2026 with NPL submitted and PER waived.
fn closed() -> Vec<CycleEvent> {
    with(open(), [closed_event("2026-06-30", &["NPL"], &["PER"], &["UGA"])])
}

// --- Launch ------------------------------------------------------------------------

#[test]
fn launch_a_cycle_with_the_active_countries_sorted() {
    check(vec![], Launch::cycle_2026().command(), Ok(open()));
    let CycleEvent::ReportingCycleLaunched { expected_countries, .. } = Launch::cycle_2026().event() else {
        unreachable!()
    };
    assert_eq!(expected_countries, codes(&["NPL", "PER", "UGA"]));
}

#[test]
fn an_expected_country_is_listed_once() {
    check(
        vec![],
        Launch { expected: codes(&["NPL", "UGA", "NPL"]), ..Launch::cycle_2026() }.command(),
        Ok(vec![Launch { expected: codes(&["NPL", "UGA"]), ..Launch::cycle_2026() }.event()]),
    );
}

#[test]
fn a_cycle_is_launched_once() {
    check(open(), Launch::cycle_2026().command(), Err(CycleError::AlreadyLaunched));
    check(closed(), Launch::cycle_2026().command(), Err(CycleError::AlreadyLaunched));
}

#[test]
fn a_cycle_has_an_id_and_a_template() {
    check(vec![], Launch { cycle_id: " ", ..Launch::cycle_2026() }.command(), Err(CycleError::Empty("cycle_id")));
    check(
        vec![],
        Launch { template_version: "", ..Launch::cycle_2026() }.command(),
        Err(CycleError::Empty("template_version")),
    );
}

#[test]
fn a_reporting_period_ends_after_it_starts() {
    for period in [("2025-01-01", "2025-01-01"), ("2025-12-31", "2025-01-01")] {
        check(vec![], Launch { period, ..Launch::cycle_2026() }.command(), Err(CycleError::PeriodInvalid));
    }
}

#[test]
fn the_deadline_is_after_the_launch() {
    for deadline in ["2026-03-01", "2026-02-28"] {
        check(vec![], Launch { deadline, ..Launch::cycle_2026() }.command(), Err(CycleError::DeadlineNotAfterLaunch));
    }
}

#[test]
fn expected_countries_are_real_and_at_least_one() {
    check(
        vec![],
        Launch { expected: codes(&["NPL", "XXX"]), ..Launch::cycle_2026() }.command(),
        Err(CycleError::Iso3Unknown(s("XXX"))),
    );
    check(vec![], Launch { expected: vec![], ..Launch::cycle_2026() }.command(), Err(CycleError::NoExpectedCountries));
}

#[test]
fn nothing_happens_before_the_launch() {
    for when in
        [extend("2026-06-30", "national elections"), close("2026-06-30", &[], &[]), publish(HASH, URL, "2026-09-01")]
    {
        check(vec![], when, Err(CycleError::NotLaunched));
    }
}

// --- ExtendDeadline ----------------------------------------------------------------

#[test]
fn extend_the_deadline() {
    check(open(), extend("2026-06-30", "national elections"), Ok(vec![extended("2026-05-30", "2026-06-30")]));
    let given = with(open(), [extended("2026-05-30", "2026-06-30")]);
    check(given.clone(), extend("2026-07-31", "national elections"), Ok(vec![extended("2026-06-30", "2026-07-31")]));
    assert_eq!(fold(given).deadline, Some(date("2026-06-30")));
}

#[test]
fn an_extension_moves_the_deadline_later() {
    check(open(), extend("2026-05-30", "x"), Err(CycleError::DeadlineNotLater(date("2026-05-30"))));
    check(open(), extend("2026-04-30", "x"), Err(CycleError::DeadlineNotLater(date("2026-05-30"))));
}

#[test]
fn an_extension_gives_its_reason() {
    check(open(), extend("2026-06-30", " "), Err(CycleError::Empty("reason")));
}

#[test]
fn no_extension_after_the_close() {
    check(closed(), extend("2026-07-31", "late"), Err(CycleError::Closed));
}

// --- Close -------------------------------------------------------------------------

#[test]
fn close_the_cycle_listing_submitted_waived_and_missing() {
    check(
        open(),
        close("2026-06-30", &["NPL"], &["PER"]),
        Ok(vec![closed_event("2026-06-30", &["NPL"], &["PER"], &["UGA"])]),
    );
    check(
        open(),
        close("2026-06-30", &["UGA", "NPL", "PER"], &[]),
        Ok(vec![closed_event("2026-06-30", &["NPL", "PER", "UGA"], &[], &[])]),
    );
    check(
        open(),
        close("2026-03-01", &[], &[]),
        Ok(vec![closed_event("2026-03-01", &[], &[], &["NPL", "PER", "UGA"])]),
    );
    let state = fold(closed());
    assert_eq!(state.status, CycleStatus::Closed);
    assert_eq!(
        (state.submitted.clone(), state.waived.clone(), state.missing.clone()),
        (codes(&["NPL"]), codes(&["PER"]), codes(&["UGA"]))
    );
}

#[test]
fn a_cycle_closes_once() {
    check(closed(), close("2026-07-30", &["NPL"], &[]), Err(CycleError::Closed));
}

#[test]
fn only_expected_countries_are_counted() {
    check(open(), close("2026-06-30", &["NPL", "LKA"], &[]), Err(CycleError::CountryNotExpected(s("LKA"))));
    check(open(), close("2026-06-30", &["NPL"], &["FJI"]), Err(CycleError::CountryNotExpected(s("FJI"))));
}

#[test]
fn a_country_is_submitted_or_waived_not_both() {
    check(open(), close("2026-06-30", &["NPL"], &["NPL"]), Err(CycleError::SubmittedAndWaived(s("NPL"))));
}

#[test]
fn a_cycle_closes_after_its_launch() {
    check(
        open(),
        close("2026-02-28", &[], &[]),
        Err(CycleError::DateOutOfOrder { date: date("2026-02-28"), earliest: date("2026-03-01") }),
    );
}

// --- PublishSynthesis --------------------------------------------------------------

#[test]
fn publish_the_synthesis_after_the_close() {
    check(closed(), publish(HASH, URL, "2026-09-01"), Ok(vec![published("2026-09-01")]));
    assert_eq!(fold(with(closed(), [published("2026-09-01")])).synthesis_published_on, Some(date("2026-09-01")));
}

#[test]
fn the_synthesis_waits_for_the_close() {
    check(open(), publish(HASH, URL, "2026-09-01"), Err(CycleError::NotClosed));
}

#[test]
fn the_synthesis_is_published_once() {
    check(
        with(closed(), [published("2026-09-01")]),
        publish(HASH, URL, "2026-10-01"),
        Err(CycleError::SynthesisAlreadyPublished),
    );
}

#[test]
fn the_synthesis_is_named_by_sha256_and_url() {
    check(closed(), publish("synthesis.pdf", URL, "2026-09-01"), Err(CycleError::DocumentHashInvalid));
    for url in ["", "alliance87.org/x", "https://", "https://a b"] {
        check(closed(), publish(HASH, url, "2026-09-01"), Err(CycleError::UrlInvalid));
    }
}

#[test]
fn the_synthesis_is_published_after_the_close() {
    check(
        closed(),
        publish(HASH, URL, "2026-06-29"),
        Err(CycleError::DateOutOfOrder { date: date("2026-06-29"), earliest: date("2026-06-30") }),
    );
}

// --- evolve and facts --------------------------------------------------------------

#[test]
fn evolve_folds_the_cycle_and_gives_its_facts() {
    assert_eq!(ReportingCycle::default().facts(), None);
    let open = fold(with(open(), [extended("2026-05-30", "2026-06-30")]));
    assert_eq!(open.cycle_id, "2026");
    assert_eq!(open.status, CycleStatus::Open);
    assert_eq!((open.period_start, open.period_end), (Some(date("2025-01-01")), Some(date("2025-12-31"))));
    assert_eq!(open.launched_on, Some(date("2026-03-01")));
    assert_eq!(open.template_version, "questionnaire/2019-v2");
    assert_eq!(
        open.facts(),
        Some(CycleFacts { expected: codes(&["NPL", "PER", "UGA"]), deadline: date("2026-06-30"), closed: false })
    );
    let closed = fold(closed());
    assert_eq!(closed.closed_on, Some(date("2026-06-30")));
    assert!(closed.facts().is_some_and(|f| f.closed));
}

// --- commands on the wire ----------------------------------------------------------

#[test]
fn a_client_cannot_send_edge_facts() {
    for json in [
        r#"{"command":"launch","cycle_id":"2026","period_start":"2025-01-01","period_end":"2025-12-31","launched_on":"2026-03-01","deadline":"2026-05-30","template_version":"t","expected_countries":["NPL"]}"#,
        r#"{"command":"close","closed_on":"2026-06-30","submitted":["NPL"]}"#,
        r#"{"command":"close","closed_on":"2026-06-30","waived":[]}"#,
    ] {
        assert!(serde_json::from_str::<CycleCommand>(json).is_err(), "{json}");
    }
    let command: CycleCommand =
        serde_json::from_str(r#"{"command":"close","closed_on":"2026-06-30"}"#).expect("deserialises");
    assert_eq!(command, close("2026-06-30", &[], &[]));
}

#[test]
fn every_command_name_is_its_tag() {
    for command in [
        Launch { expected: vec![], ..Launch::cycle_2026() }.command(),
        extend("2026-06-30", "national elections"),
        close("2026-06-30", &[], &[]),
        publish(HASH, URL, "2026-09-01"),
    ] {
        let json = serde_json::to_value(&command).expect("serialises");
        assert_eq!(json["command"], command.name());
        assert_eq!(serde_json::from_value::<CycleCommand>(json).expect("deserialises"), command);
    }
}

// --- rule names --------------------------------------------------------------------

/// Every refusal, once. The exhaustive `match` in `ordinal` stops compiling when a
/// variant is added, so this list cannot silently fall behind.
fn all_errors() -> Vec<CycleError> {
    use CycleError::*;
    vec![
        NotLaunched,
        AlreadyLaunched,
        Empty("cycle_id"),
        PeriodInvalid,
        DeadlineNotAfterLaunch,
        NoExpectedCountries,
        Iso3Unknown(s("XXX")),
        Closed,
        NotClosed,
        DeadlineNotLater(date("2026-05-30")),
        CountryNotExpected(s("LKA")),
        SubmittedAndWaived(s("NPL")),
        DateOutOfOrder { date: date("2026-02-28"), earliest: date("2026-03-01") },
        DocumentHashInvalid,
        UrlInvalid,
        SynthesisAlreadyPublished,
    ]
}

fn ordinal(error: &CycleError) -> usize {
    use CycleError::*;
    match error {
        NotLaunched => 0,
        AlreadyLaunched => 1,
        Empty(_) => 2,
        PeriodInvalid => 3,
        DeadlineNotAfterLaunch => 4,
        NoExpectedCountries => 5,
        Iso3Unknown(_) => 6,
        Closed => 7,
        NotClosed => 8,
        DeadlineNotLater(_) => 9,
        CountryNotExpected(_) => 10,
        SubmittedAndWaived(_) => 11,
        DateOutOfOrder { .. } => 12,
        DocumentHashInvalid => 13,
        UrlInvalid => 14,
        SynthesisAlreadyPublished => 15,
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
fn golden(event: CycleEvent, event_type: &str, json: &str) {
    assert_eq!(event.event_type(), event_type);
    assert_eq!(event.event_version(), "1");
    assert_eq!(serde_json::to_string(&event).expect("serialises"), json);
    let back: CycleEvent = serde_json::from_str(json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn golden_reporting_cycle_launched() {
    golden(
        Launch::cycle_2026().event(),
        "ReportingCycleLaunched",
        r#"{"ReportingCycleLaunched":{"cycle_id":"2026","period_start":"2025-01-01","period_end":"2025-12-31","launched_on":"2026-03-01","deadline":"2026-05-30","template_version":"questionnaire/2019-v2","expected_countries":["NPL","PER","UGA"]}}"#,
    );
}

#[test]
fn golden_reporting_cycle_closed() {
    golden(
        closed_event("2026-06-30", &["NPL"], &["PER"], &["UGA"]),
        "ReportingCycleClosed",
        r#"{"ReportingCycleClosed":{"closed_on":"2026-06-30","submitted":["NPL"],"waived":["PER"],"missing":["UGA"]}}"#,
    );
}

#[test]
fn golden_event_types() {
    let cases = [
        (extended("2026-05-30", "2026-06-30"), "ReportingDeadlineExtended"),
        (published("2026-09-01"), "CycleSynthesisPublished"),
    ];
    for (event, event_type) in cases {
        assert_eq!(event.event_type(), event_type);
        let json = serde_json::to_string(&event).expect("serialises");
        assert!(json.starts_with(&format!("{{\"{event_type}\":")), "{json}");
        assert_eq!(serde_json::from_str::<CycleEvent>(&json).expect("deserialises"), event);
    }
}
