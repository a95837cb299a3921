//! Every page in a real browser (Debian's Chromium over WebDriver), on the demo history:
//! a Secretariat officer records a whole meeting through the forms, from scheduling to
//! drafted minutes, choosing a decision's effect from its list and seeing a refusal beside
//! its field, and the ledger then verifies; a donor reads its own trail and no other's;
//! every page passes axe-core's WCAG 2 A and AA checks, fits a phone's width, and is kept
//! as a screenshot under `target/screenshots/`. On SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::browser::{text, Driver};
use crate::support::{Store, TestApp};

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// axe-core's source, installed by `ops/scripts/ensure-axe.sh`.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run ops/scripts/test.sh, which installs axe-core", path.display()))
}

/// Runs axe-core's WCAG 2 A and AA rules on the page; returns the violations, described.
async fn accessibility(browser: &Client, axe: &str) -> Vec<String> {
    browser.execute(axe, vec![]).await.expect("axe-core loads");
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
          .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))
          .catch(e => done(['axe failed: ' + e]));";
    let result = browser.execute_async(script, vec![]).await.expect("axe-core runs");
    serde_json::from_value(result).unwrap_or_default()
}

/// Opens a page, checks it with axe-core and keeps its screenshot.
async fn visit(browser: &Client, app: &TestApp, axe: &str, path: &str, name: &str, problems: &mut Vec<String>) {
    browser.goto(&app.url(path)).await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("main")).await.unwrap();
    for violation in accessibility(browser, axe).await {
        problems.push(format!("{path}: {violation}"));
    }
    std::fs::write(screenshots().join(format!("{name}.png")), browser.screenshot().await.unwrap()).unwrap();
}

/// Sets a form field's value (date inputs too, whatever the browser's locale).
async fn set(browser: &Client, id: &str, value: &str) {
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id(id)).await.unwrap();
    browser
        .execute("document.getElementById(arguments[0]).value = arguments[1];", vec![json!(id), json!(value)])
        .await
        .unwrap();
}

/// Fills the open recording form and submits it; returns the answer's text.
async fn submit(browser: &Client, fields: &[(&str, &str)]) -> String {
    for (name, value) in fields {
        let id = format!("f-{}", name.replace('.', "-"));
        set(browser, &id, value).await;
    }
    browser.find(Locator::Id("submit")).await.unwrap().click().await.unwrap();
    text(browser, "answer").await
}

async fn form(browser: &Client, app: &TestApp, path: &str) {
    browser.goto(&app.url(path)).await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("record-form")).await.unwrap();
}

/// Whether the page at `path`, at a phone's width, needs no sideways scrolling of its own.
async fn fits_a_phone(browser: &Client, app: &TestApp, path: &str, name: &str) -> Option<String> {
    browser.goto(&app.url(path)).await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("main")).await.unwrap();
    std::fs::write(screenshots().join(format!("phone-{name}.png")), browser.screenshot().await.unwrap()).unwrap();
    let widths =
        browser.execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![]).await.unwrap();
    let (scroll, inner) = (widths[0].as_i64().unwrap_or(0), widths[1].as_i64().unwrap_or(0));
    (scroll > inner + 1).then(|| format!("{path}: {scroll}px wide in a {inner}px window"))
}

async fn a_meeting_is_recorded_in_the_browser_and_every_page_is_accessible(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let axe = axe_source();
    let driver = Driver::start().await;
    let browser = driver.browser().await;
    let mut problems = Vec::new();

    for (path, name) in [
        ("/", "home"),
        ("/timeline", "timeline"),
        ("/meetings/GCG-21", "meeting"),
        ("/decisions/GCG-19-D04", "decision"),
        ("/pathfinders", "pathfinders"),
        ("/compliance", "compliance"),
        ("/groups", "groups"),
        ("/partners", "partners"),
        ("/questions", "questions"),
        ("/questions/17", "question-17"),
        ("/programme", "programme"),
        ("/dossiers/meeting:GCG-21", "dossier"),
        ("/verify", "verify"),
        ("/sign-in", "sign-in"),
    ] {
        visit(&browser, &app, &axe, path, name, &mut problems).await;
    }

    // Sign in as the Secretariat.
    browser.goto(&app.url("/sign-in?next=%2Frecord")).await.unwrap();
    browser.find(Locator::Id("token")).await.unwrap().send_keys(&app.token).await.unwrap();
    browser.find(Locator::Id("sign-in-submit")).await.unwrap().click().await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("form-schedule")).await.unwrap();
    visit(&browser, &app, &axe, "/record", "record", &mut problems).await;
    visit(&browser, &app, &axe, "/documents/upload", "document-upload", &mut problems).await;

    // Schedule, open.
    form(&browser, &app, "/record/schedule").await;
    let answer = submit(
        &browser,
        &[
            ("meeting_id", "GCG-24"),
            ("number", "24"),
            ("kind", "regular"),
            ("date", "2026-11-30"),
            ("modality", "virtual"),
        ],
    )
    .await;
    assert!(answer.contains("Recorded") && answer.contains("MeetingScheduled"), "{answer}");
    form(&browser, &app, "/record/open?id=GCG-24").await;
    assert!(submit(&browser, &[("opened_on", "2026-11-30")]).await.contains("Recorded"));

    // Attendance in one form, then the quorum.
    app.settle().await;
    browser.goto(&app.url("/meetings/GCG-24/attendance")).await.unwrap();
    visit(&browser, &app, &axe, "/meetings/GCG-24/attendance", "attendance", &mut problems).await;
    let seats: Vec<String> = {
        let mut ids = Vec::new();
        for select in browser.find_all(Locator::Css("select[id^='status-']")).await.unwrap() {
            ids.push(select.attr("id").await.unwrap().unwrap_or_default());
        }
        ids
    };
    assert!(seats.len() >= 5, "{seats:?}");
    for id in &seats {
        browser.find(Locator::Id(id)).await.unwrap().select_by_value("present").await.unwrap();
    }
    browser.find(Locator::Id("record")).await.unwrap().click().await.unwrap();
    let summary = text(&browser, "summary").await;
    assert!(summary.contains("0 refused"), "{summary}");
    form(&browser, &app, "/record/declare_quorum?id=GCG-24").await;
    assert!(submit(&browser, &[]).await.contains("Recorded"));

    // A proposal, its effect chosen from the list; the adoption; the close.
    form(&browser, &app, "/record/propose?id=GCG-24").await;
    visit(&browser, &app, &axe, "/record/propose?id=GCG-24", "record-propose", &mut problems).await;
    browser.find(Locator::Id("f-subject-kind")).await.unwrap().select_by_value("procedural").await.unwrap();
    let answer =
        submit(&browser, &[("decision_id", "GCG-24-D01"), ("text", "The GCG takes note of the 2026 reporting cycle.")])
            .await;
    assert!(answer.contains("DecisionProposed"), "{answer}");
    form(&browser, &app, "/record/adopt?id=GCG-24-D01").await;
    assert!(submit(&browser, &[("effective_on", "2026-11-30")]).await.contains("DecisionAdopted"));
    form(&browser, &app, "/record/close?id=GCG-24").await;
    assert!(submit(&browser, &[("closed_on", "2026-11-30")]).await.contains("Recorded"));

    // Minutes: the refusal beside its field, with the rule's name; then recorded.
    form(&browser, &app, "/record/meeting_draft_minutes?id=GCG-24").await;
    submit(&browser, &[("doc_sha256", "draft-1"), ("drafted_on", "2026-12-01")]).await;
    let refusal = text(&browser, "refusal-f-doc_sha256").await;
    assert!(refusal.contains("document_hash_invalid"), "{refusal}");
    std::fs::write(screenshots().join("record-refused.png"), browser.screenshot().await.unwrap()).unwrap();
    form(&browser, &app, "/record/meeting_draft_minutes?id=GCG-24").await;
    let minutes = "b".repeat(64);
    assert!(submit(&browser, &[("doc_sha256", &minutes), ("drafted_on", "2026-12-01")])
        .await
        .contains("MinutesDrafted"));

    // The record shows it, and the ledger verifies.
    app.settle().await;
    let meeting: Value = app.get_json("/api/v1/meetings/GCG-24").await;
    assert_eq!(meeting["status"], "closed");
    assert_eq!(meeting["decisions"], json!(["GCG-24-D01"]));
    visit(&browser, &app, &axe, "/meetings/GCG-24", "meeting-recorded", &mut problems).await;
    visit(&browser, &app, &axe, "/decisions/GCG-24-D01", "decision-recorded", &mut problems).await;
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", String::from_utf8_lossy(&out.stdout));

    // A donor reads its own trail in the browser, and no other donor's.
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "donor-a", "--scope", "DONOR-A"]).await;
    let donor_a = crate::support::last_line(&out);
    browser.find(Locator::Id("sign-out")).await.unwrap().click().await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("sign-in")).await.unwrap();
    browser.goto(&app.url("/donors/DONOR-A/trail")).await.unwrap();
    assert_eq!(browser.current_url().await.unwrap().path(), "/sign-in");
    browser.find(Locator::Id("token")).await.unwrap().send_keys(&donor_a).await.unwrap();
    browser.find(Locator::Id("sign-in-submit")).await.unwrap().click().await.unwrap();
    // An element of the trail page only: the sign-in page has a `main h1` too.
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("trail-totals")).await.unwrap();
    assert_eq!(browser.current_url().await.unwrap().path(), "/donors/DONOR-A/trail");
    visit(&browser, &app, &axe, "/donors/DONOR-A/trail", "donor-trail", &mut problems).await;
    let own = browser.source().await.unwrap();
    assert!(own.contains("C-001"), "DONOR-A's trail shows its contribution");
    for secret in ["C-002", "A-005", "DONOR-B/MDP-A87"] {
        assert!(!own.contains(secret), "DONOR-A's trail page shows {secret}");
    }
    browser.goto(&app.url("/donors/DONOR-B/trail")).await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("main h1")).await.unwrap();
    let other = browser.source().await.unwrap();
    assert!(other.contains("403"), "another donor's trail is refused");
    assert!(!other.contains("C-002"), "and shows none of it");

    // Readable on a phone: no page scrolls sideways as a whole.
    browser.set_window_size(390, 844).await.unwrap();
    let mut too_wide = Vec::new();
    for (path, name) in [
        ("/", "home"),
        ("/timeline", "timeline"),
        ("/meetings/GCG-21", "meeting"),
        ("/decisions/GCG-19-D04", "decision"),
        ("/pathfinders", "pathfinders"),
        ("/programme", "programme"),
        ("/questions/13", "question-13"),
        ("/donors/DONOR-A/trail", "donor-trail"),
    ] {
        too_wide.extend(fits_a_phone(&browser, &app, path, name).await);
    }
    browser.close().await.unwrap();
    assert!(problems.is_empty(), "accessibility (axe-core, WCAG 2 A/AA):\n{}", problems.join("\n"));
    assert!(too_wide.is_empty(), "pages wider than a phone:\n{}", too_wide.join("\n"));
}
crate::both_stores!(a_meeting_is_recorded_in_the_browser_and_every_page_is_accessible);
