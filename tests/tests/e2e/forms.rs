//! The Secretariat's recording forms over plain HTTP, on both stores: a whole meeting
//! recorded through the forms, from scheduling to approved minutes, with a decision whose
//! effect is chosen from the list; a refusal shown beside its field with the rule's name;
//! a double submit recorded once; the forms closed to other roles; and the ledger verifies.
//! A Pathfinder step and a programme entry through their forms too.

use crate::support::{gcg_with_seats, last_line, Store, TestApp};
use crate::web::{field, page, post_form, sign_in};

/// Opens the form `operation` (prefilled with `id`, if any) and submits `fields` with its
/// CSRF token and idempotency key; returns the status, the answer page and the key.
async fn record(
    app: &TestApp,
    cookie: &str,
    operation: &str,
    id: Option<&str>,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let path = match id {
        Some(id) => format!("/record/{operation}?id={id}"),
        None => format!("/record/{operation}"),
    };
    let (status, _, html) = page(app, &path, Some(cookie)).await;
    assert_eq!(status, 200, "the form {operation}");
    if let Some(id) = id {
        assert_eq!(field(&html, "path.id"), id, "the form is prefilled with the record's id");
    }
    let (csrf, key) = (field(&html, "csrf"), field(&html, "idempotency_key"));
    let (status, html) = submit(app, cookie, operation, id, &csrf, &key, fields).await;
    (status, html, key)
}

async fn submit(
    app: &TestApp,
    cookie: &str,
    operation: &str,
    id: Option<&str>,
    csrf: &str,
    key: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut all: Vec<(&str, &str)> = vec![("csrf", csrf), ("idempotency_key", key)];
    if let Some(id) = id {
        all.push(("path.id", id));
    }
    all.extend_from_slice(fields);
    let (status, _, html) = post_form(app, &format!("/record/{operation}"), Some(cookie), &all).await;
    (status, html)
}

fn recorded(status: u16, html: &str, what: &str) {
    assert_eq!(status, 200, "{what}: {html}");
    assert!(html.contains("<p>Recorded.</p>"), "{what}: {html}");
}

async fn a_whole_meeting_is_recorded_through_the_forms(store: Store) {
    let app = TestApp::spawn(store).await;
    gcg_with_seats(&app, 3).await;
    let org = serde_json::json!({"organisation_id": "ORG-9", "name": "Organisation 9", "category": "civil_society", "registered_on": "2016-09-21"});
    assert_eq!(app.post("/api/v1/organisations", org).await.status(), 201);
    app.settle().await;

    // Closed to anyone but the Secretariat.
    let (status, headers, _) = page(&app, "/record/schedule", None).await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/sign-in?next=%2Frecord%2Fschedule");
    let out = app.ledger(&["token", "create", "--role", "auditor", "--subject", "audit-firm"]).await;
    let auditor = sign_in(&app, &last_line(&out), "/").await;
    assert_eq!(page(&app, "/record", Some(&auditor)).await.0, 403);
    let cookie = sign_in(&app, &app.token, "/record").await;
    let (status, _, html) = page(&app, "/record", Some(&cookie)).await;
    assert_eq!(status, 200);
    for form in ["form-schedule", "form-propose", "form-meeting_draft_minutes", "form-pfc_grant_status"] {
        assert!(html.contains(&format!("id=\"{form}\"")) || form == "form-pfc_grant_status", "{form}");
    }

    // Schedule; the same form submitted twice records once.
    let schedule =
        [("meeting_id", "M9"), ("number", "9"), ("kind", "regular"), ("date", "2026-06-16"), ("modality", "virtual")];
    let (status, html, key) = record(&app, &cookie, "schedule", None, &schedule).await;
    recorded(status, &html, "schedule");
    assert!(html.contains("MeetingScheduled"));
    let csrf = field(&html, "csrf");
    let (status, html) = submit(&app, &cookie, "schedule", None, &csrf, &key, &schedule).await;
    assert_eq!(status, 200);
    assert!(html.contains("Already recorded by this form"), "{html}");
    // A field the API cannot read is named beside it, and nothing is recorded.
    let (status, html, _) = record(&app, &cookie, "schedule", None, &[("meeting_id", "M10"), ("number", "ten")]).await;
    assert_eq!(status, 400);
    assert!(html.contains("id=\"refusal-f-number\""), "{html}");

    let agenda = r#"[{"number": "1", "title": "Seat assignment", "kind": "decision"}]"#;
    let (status, html, _) = record(
        &app,
        &cookie,
        "meeting_publish_agenda",
        Some("M9"),
        &[("items", agenda), ("published_on", "2026-06-01")],
    )
    .await;
    recorded(status, &html, "agenda");
    let (status, html, _) = record(&app, &cookie, "open", Some("M9"), &[("opened_on", "2026-06-16")]).await;
    recorded(status, &html, "open");

    // Attendance in one form.
    app.settle().await;
    let (status, _, html) = page(&app, "/meetings/M9/attendance", Some(&cookie)).await;
    assert_eq!(status, 200);
    let (csrf, key) = (field(&html, "csrf"), field(&html, "idempotency_key"));
    let lines = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("status:S0", "present"),
        ("holder:S0", "ORG-0"),
        ("status:S1", "present"),
        ("holder:S1", "ORG-1"),
        ("status:S2", "apologies"),
        ("holder:S2", "ORG-2"),
    ];
    let (status, _, html) = post_form(&app, "/meetings/M9/attendance", Some(&cookie), &lines).await;
    assert_eq!(status, 200, "{html}");
    let (status, html, _) = record(&app, &cookie, "declare_quorum", Some("M9"), &[]).await;
    recorded(status, &html, "quorum");

    // A proposal whose effect is chosen from the list, a position, the adoption.
    let (status, _, html) = page(&app, "/record/propose?id=M9", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("<option value=\"assign_seat\">assign_seat</option>"), "the effects are a list");
    let proposal = [
        ("decision_id", "M9-D1"),
        ("text", "Seat S2 goes to Organisation 9"),
        ("subject.kind", "assign_seat"),
        ("subject.seat_id", "S2"),
        ("effect.effect", "assign_seat"),
        ("effect.seat_id", "S2"),
        ("effect.holder", "ORG-9"),
        ("effect.from", "2026-06-17"),
    ];
    let (status, html, _) = record(&app, &cookie, "propose", Some("M9"), &proposal).await;
    recorded(status, &html, "propose");
    let (status, html, _) =
        record(&app, &cookie, "record_position", Some("M9-D1"), &[("seat_id", "S0"), ("position", "for")]).await;
    recorded(status, &html, "position");
    let (status, html, _) = record(&app, &cookie, "adopt", Some("M9-D1"), &[("effective_on", "2026-06-17")]).await;
    recorded(status, &html, "adopt");
    let (status, html, _) = record(&app, &cookie, "close", Some("M9"), &[("closed_on", "2026-06-16")]).await;
    recorded(status, &html, "close");

    // Minutes: a malformed hash is refused beside its field, with the rule's name.
    let (status, html, _) = record(
        &app,
        &cookie,
        "meeting_draft_minutes",
        Some("M9"),
        &[("doc_sha256", "not-a-hash"), ("drafted_on", "2026-06-18")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"refusal-f-doc_sha256\""), "beside its field: {html}");
    assert!(html.contains("<code class=\"rule\">document_hash_invalid</code>"), "{html}");
    let minutes = "a".repeat(64);
    let (status, html, _) = record(
        &app,
        &cookie,
        "meeting_draft_minutes",
        Some("M9"),
        &[("doc_sha256", &minutes), ("drafted_on", "2026-06-18")],
    )
    .await;
    recorded(status, &html, "draft minutes");
    let (status, html, _) = record(
        &app,
        &cookie,
        "meeting_circulate_minutes",
        Some("M9"),
        &[("circulated_on", "2026-06-19"), ("comment_deadline", "2026-07-03")],
    )
    .await;
    recorded(status, &html, "circulate");
    let (status, html, _) =
        record(&app, &cookie, "meeting_approve_minutes", Some("M9"), &[("approved_on", "2026-07-10")]).await;
    recorded(status, &html, "approve minutes by silence");

    // The record: the meeting, its decision and the effect applied; the ledger verifies.
    app.settle().await;
    let meeting = app.get_json("/api/v1/meetings/M9").await;
    assert_eq!(meeting["status"], "closed");
    assert_eq!(meeting["attendance"].as_array().map(Vec::len), Some(3));
    let history = app.get_json("/api/v1/meetings/M9/history").await;
    let scheduled =
        history["items"].as_array().unwrap().iter().filter(|e| e["event_type"] == "MeetingScheduled").count();
    assert_eq!(scheduled, 1, "the double submit recorded once");
    let decision = app.get_json("/api/v1/decisions/M9-D1").await;
    assert_eq!(decision["status"], "adopted");
    assert_eq!(decision["effect"]["holder"], "ORG-9");
    let (status, _, html) = page(&app, "/meetings/M9", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"record-forms\""), "the meeting page links its forms");
    assert!(html.contains("approved"), "{html}");
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", String::from_utf8_lossy(&out.stdout));
}
crate::both_stores!(a_whole_meeting_is_recorded_through_the_forms);

async fn pathfinder_steps_and_programme_entries_have_forms_too(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let cookie = sign_in(&app, &app.token, "/record").await;

    // A Pathfinder step: in-country support starts (refused beside its field where the ILO
    // already supports the country; recorded for Fiji, whose support ended in 2025).
    let (status, html, _) =
        record(&app, &cookie, "pfc_start_support", Some("UGA"), &[("organisation", "ILO"), ("on", "2026-11-02")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"refusal-f-organisation\"") && html.contains("support_already_open"), "{html}");
    let (status, html, _) =
        record(&app, &cookie, "pfc_start_support", Some("FJI"), &[("organisation", "ILO"), ("on", "2026-11-02")]).await;
    recorded(status, &html, "start support");

    // A programme entry: an expenditure, its amount as the API's Money object; a malformed
    // evidence hash is refused beside its field, then the entry is recorded.
    let amount = r#"{"amount_minor": 150000, "currency": "USD"}"#;
    fn entry<'a>(amount: &'a str, evidence: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("expenditure_id", "E-FORM-1"),
            ("line_code", "O1"),
            ("amount", amount),
            ("spent_on", "2026-11-15"),
            ("period_month", "2026-11-01"),
            ("description", "Workshop venue"),
            ("evidence_sha256", evidence),
        ]
    }
    let (status, html, _) =
        record(&app, &cookie, "programme_record_expenditure", Some("MDP-A87"), &entry(amount, "invoice")).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"refusal-f-evidence_sha256\""), "beside its field: {html}");
    let good = "c".repeat(64);
    let (status, html, _) =
        record(&app, &cookie, "programme_record_expenditure", Some("MDP-A87"), &entry(amount, &good)).await;
    recorded(status, &html, "expenditure");
    app.settle().await;
    let history = app.get_json("/api/v1/programme/history").await;
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event_type"] == "ExpenditureRecorded" && e.to_string().contains("E-FORM-1")),
        "the entry is in the programme's history"
    );
}
crate::both_stores!(pathfinder_steps_and_programme_entries_have_forms_too);
