//! The governance domain end to end: the GCG's seats and offices over time, decision
//! authority and the decision-effects process manager, Action Groups, partners, meetings
//! in full (agenda, minutes, report) and decisions in full (defer, withdraw, rescind,
//! action items), each rule's refusal, and the demo history's governance reads.

use serde_json::{json, Value};

use crate::both_stores;
use crate::support::{expect_problem, gcg_with_seats, last_line, meeting_in_session, Store, TestApp};

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path, body).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn register(app: &TestApp) {
    for (iso3, region) in [("CHL", "americas"), ("CIV", "africa"), ("FRA", "europe_central_asia"), ("ARG", "americas")]
    {
        ok(app, "/api/v1/countries", json!({"iso3": iso3, "region": region, "registered_on": "2016-09-21"})).await;
    }
    for (id, category) in [
        ("ILO", "un_agency"),
        ("ITUC", "workers_organisation"),
        ("FAO", "un_agency"),
        ("GLOBAL-MARCH", "civil_society"),
    ] {
        let body = json!({"organisation_id": id, "name": format!("{id} (test)"), "category": category, "registered_on": "2016-09-21"});
        ok(app, "/api/v1/organisations", body).await;
    }
}

fn policy() -> Value {
    json!({"version": "gcg-rules/e2e", "method": {"kind": "consensus"}, "quorum": {"kind": "majority_of_filled_voting_seats"},
           "provisional": true, "chair_term_years": 3, "silence_period_days": 14,
           "seat_limits": [{"constituency": "pathfinder_country", "max": 1}]})
}

/// A one-seat meeting in session on `date`, the seat WRK present.
async fn session(app: &TestApp, id: &str, number: u32, date: &str) {
    let body = json!({"meeting_id": id, "number": number, "kind": "regular", "date": date, "modality": "virtual"});
    ok(app, "/api/v1/meetings", body).await;
    ok(app, &format!("/api/v1/meetings/{id}/open"), json!({"opened_on": date})).await;
    let holder = app.get_json(&format!("/api/v1/gcg?as_of={date}")).await["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seat_id"] == "WRK")
        .map(|s| s["holder"].clone())
        .unwrap();
    let body = json!({"seat_id": "WRK", "organisation": holder, "status": {"kind": "present"}});
    ok(app, &format!("/api/v1/meetings/{id}/attendance"), body).await;
    ok(app, &format!("/api/v1/meetings/{id}/quorum"), json!({})).await;
}

async fn seats_offices_and_decision_authority(store: Store) {
    let app = TestApp::spawn(store).await;
    register(&app).await;
    let r =
        app.post("/api/v1/countries", json!({"iso3": "XXX", "region": "africa", "registered_on": "2020-01-01"})).await;
    expect_problem(r, 422, "iso3_unknown").await;
    let r = app
        .post(
            "/api/v1/gcg/define_seat",
            json!({"seat_id": "WRK", "constituency": "workers", "voting": true, "defined_on": "2016-09-21"}),
        )
        .await;
    expect_problem(r, 404, "not_found").await;

    let establish = json!({"body_id": "GCG", "name": "Global Coordinating Group", "established_on": "2016-09-21", "secretariat": "ILO", "initial_policy": policy()});
    assert_eq!(app.post("/api/v1/gcg/establish", establish.clone()).await.status(), 201);
    expect_problem(app.post("/api/v1/gcg/establish", establish).await, 422, "body_already_established").await;

    // Seats: the policy's limits, offices are not seats, the Secretariat does not vote.
    let seat = |id: &str, constituency: &str, voting: bool| json!({"seat_id": id, "constituency": constituency, "voting": voting, "defined_on": "2016-09-21"});
    ok(&app, "/api/v1/gcg/define_seat", seat("PFC-1", "pathfinder_country", true)).await;
    expect_problem(
        app.post("/api/v1/gcg/define_seat", seat("PFC-2", "pathfinder_country", true)).await,
        422,
        "constituency_full",
    )
    .await;
    expect_problem(app.post("/api/v1/gcg/define_seat", seat("CHAIR", "chair", true)).await, 422, "seat_is_an_office")
        .await;
    expect_problem(
        app.post("/api/v1/gcg/define_seat", seat("SEC", "secretariat", true)).await,
        422,
        "secretariat_seat_votes",
    )
    .await;
    ok(&app, "/api/v1/gcg/define_seat", seat("WRK", "workers", true)).await;

    // At most one holder per seat at any instant.
    let assign = |holder: &str, from: &str| json!({"seat_id": "WRK", "holder": holder, "from": from});
    expect_problem(app.post("/api/v1/gcg/assign_seat", assign("NOPE", "2020-01-01")).await, 422, "party_unknown").await;
    ok(&app, "/api/v1/gcg/assign_seat", assign("ITUC", "2020-01-01")).await;
    expect_problem(app.post("/api/v1/gcg/assign_seat", assign("ARG", "2021-01-01")).await, 422, "seat_occupied").await;
    ok(&app, "/api/v1/gcg/vacate_seat", json!({"seat_id": "WRK", "on": "2022-01-01", "reason": "replaced"})).await;
    ok(&app, "/api/v1/gcg/assign_seat", assign("FRA", "2022-01-01")).await;

    // Malformed commands: facts the server supplies, an unknown action, a `command` field.
    let r = app
        .post(
            "/api/v1/gcg/assign_seat",
            json!({"seat_id": "PFC-1", "holder": "CHL", "from": "2022-01-01", "holder_known": true}),
        )
        .await;
    expect_problem(r, 400, "malformed_request").await;
    expect_problem(app.post("/api/v1/gcg/fly", json!({})).await, 404, "not_found").await;
    let r = app
        .post(
            "/api/v1/gcg/vacate_seat",
            json!({"command": "retire_seat", "seat_id": "WRK", "on": "2023-01-01", "reason": "other"}),
        )
        .await;
    expect_problem(r, 400, "malformed_request").await;
    // A stale version is a conflict and records nothing.
    app.settle().await;
    let version = app.get_json("/api/v1/gcg/record").await["version"].as_u64().unwrap();
    let r = app
        .post_as(
            &app.token,
            "/api/v1/gcg/define_seat",
            &[("if-match", &format!("\"{}\"", version - 1))],
            &seat("EMP", "employers", true),
        )
        .await;
    expect_problem(r, 409, "conflict").await;

    // Electing an office holder needs an adopted decision of the right subject.
    let elect = json!({"term_id": "CHAIR-CHL", "office": "chair", "holder": "CHL", "term_start": "2023-06-01", "term_end": "2026-05-31"});
    expect_problem(app.post("/api/v1/gcg/elect_office_holder", elect.clone()).await, 422, "decision_authority_missing")
        .await;

    session(&app, "M1", 16, "2023-05-15").await;
    let effect = |holder: &str, office: &str, term: &str| json!({"effect": "elect_office_holder", "term_id": term, "office": office, "holder": holder, "term_start": "2023-06-01", "term_end": "2026-05-31"});
    let r = app
        .post("/api/v1/meetings/M1/decisions", json!({"decision_id": "M1-BAD", "subject": {"kind": "procedural"}, "text": "x", "effect": effect("CHL", "chair", "T0")}))
        .await;
    expect_problem(r, 422, "effect_subject_mismatch").await;
    let propose = |id: &str, office: &str, holder: &str, term: &str| json!({"decision_id": id, "subject": {"kind": "elect_office_holder", "office": office}, "text": format!("Elect {holder}"), "effect": effect(holder, office, term)});
    ok(&app, "/api/v1/meetings/M1/decisions", propose("M1-D1", "chair", "CHL", "CHAIR-CHL")).await;
    ok(&app, "/api/v1/meetings/M1/decisions", propose("M1-D2", "deputy_chair", "CHL", "DEPUTY-CHL")).await;
    ok(
        &app,
        "/api/v1/meetings/M1/decisions",
        json!({"decision_id": "M1-D3", "subject": {"kind": "procedural"}, "text": "Procedural"}),
    )
    .await;
    ok(&app, "/api/v1/meetings/M1/decisions", propose("M1-D4", "chair", "CHL", "CHAIR-CHL-2")).await;

    // Citing a decision that is not adopted, or one about something else, is refused.
    let cite = |decision: &str| {
        let mut body = elect.clone();
        body["envelope"] = json!({"authority": {"kind": "decision", "decision_id": decision}});
        body
    };
    expect_problem(
        app.post("/api/v1/gcg/elect_office_holder", cite("M1-D1")).await,
        422,
        "decision_authority_not_adopted",
    )
    .await;
    ok(&app, "/api/v1/decisions/M1-D3/adopt", json!({"effective_on": "2023-05-15"})).await;
    expect_problem(
        app.post("/api/v1/gcg/elect_office_holder", cite("M1-D3")).await,
        422,
        "decision_authority_wrong_subject",
    )
    .await;

    // Adopting applies the effect with the decision as authority.
    ok(&app, "/api/v1/decisions/M1-D1/adopt", json!({"effective_on": "2023-05-15"})).await;
    // The same country cannot also be Deputy Chair: the effect fails and says why.
    ok(&app, "/api/v1/decisions/M1-D2/adopt", json!({"effective_on": "2023-05-15"})).await;
    app.settle().await;
    let d1 = app.get_json("/api/v1/decisions/M1-D1").await;
    assert_eq!(d1["effect_outcome"]["kind"], "applied", "{d1}");
    assert_eq!(d1["effect_outcome"]["events"], json!(["OfficeHolderElected"]));
    let d2 = app.get_json("/api/v1/decisions/M1-D2").await;
    assert_eq!(
        d2["effect_outcome"],
        json!({"kind": "failed", "rule": "chair_equals_deputy", "message": d2["effect_outcome"]["message"]})
    );
    // A second Chair for the same period is refused too, by the effect.
    ok(&app, "/api/v1/decisions/M1-D4/adopt", json!({"effective_on": "2023-05-15"})).await;
    app.settle().await;
    assert_eq!(app.get_json("/api/v1/decisions/M1-D4").await["effect_outcome"]["rule"], "office_occupied");

    let provenance = app.get_json("/api/v1/decisions/M1-D1/provenance").await;
    let effects = provenance["effects_authorised"].as_array().unwrap();
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0]["event_type"], "OfficeHolderElected");
    assert_eq!(effects[0]["authority"], json!({"kind": "decision", "decision_id": "M1-D1"}));
    assert_eq!(effects[0]["actor"], "decision-effects");
    assert_eq!(provenance["meeting"]["meeting_id"], "M1");
    assert_eq!(provenance["decision"]["quorum_snapshot"]["met"], true);
    assert_eq!(provenance["policy"]["policy"]["version"], "gcg-rules/e2e");

    // The term begins; the composition answers as of any date and as known at any position.
    expect_problem(
        app.post("/api/v1/gcg/begin_term", json!({"term_id": "CHAIR-CHL", "on": "2023-05-01"})).await,
        422,
        "term_begins_before_start",
    )
    .await;
    ok(&app, "/api/v1/gcg/begin_term", json!({"term_id": "CHAIR-CHL", "on": "2023-06-01"})).await;
    app.settle().await;
    let now = app.get_json("/api/v1/gcg?as_of=2023-06-02").await;
    assert_eq!(now["chair"]["holder"], "CHL");
    assert_eq!(now["chair"]["elected_by"], "M1-D1");
    assert_eq!(now["deputy_chair"], Value::Null);
    let wrk =
        |c: &Value| c["seats"].as_array().unwrap().iter().find(|s| s["seat_id"] == "WRK").unwrap()["holder"].clone();
    assert_eq!(wrk(&now), "FRA");
    let before = app.get_json("/api/v1/gcg?as_of=2021-06-01").await;
    assert_eq!(wrk(&before), "ITUC");
    assert_eq!(before["chair"], Value::Null);
    assert_eq!(app.get_json("/api/v1/gcg?as_of=2023-05-31").await["chair"], Value::Null);
    let elected_at = app.get_json("/api/v1/gcg/history").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event_type"] == "OfficeHolderElected")
        .unwrap()["position"]
        .as_i64()
        .unwrap();
    let known_before = app.get_json(&format!("/api/v1/gcg?as_of=2024-01-01&known_at={}", elected_at - 1)).await;
    assert_eq!(known_before["chair"], Value::Null, "as known before the election was recorded");
    assert_eq!(app.get_json("/api/v1/gcg?as_of=2024-01-01").await["chair"]["holder"], "CHL");
    let r = app.client.get(app.url("/api/v1/gcg?as_of=yesterday")).send().await.unwrap();
    assert_eq!(r.status(), 400);

    // Extending needs its own decision; ending records the reason.
    let extend = json!({"term_id": "CHAIR-CHL", "new_end": "2027-05-31"});
    expect_problem(app.post("/api/v1/gcg/extend_term", extend).await, 422, "decision_authority_missing").await;
    let chairs = app.get_json("/api/v1/gcg/chairs").await;
    assert_eq!(chairs["terms"].as_array().unwrap().len(), 1);
    assert_eq!(chairs["succession_call_open"], false);
    ok(
        &app,
        "/api/v1/gcg/open_call",
        json!({"call_id": "CALL-1", "offices": ["chair"], "opened_on": "2026-01-10", "closes_on": "2026-03-31"}),
    )
    .await;
    let r = app
        .post(
            "/api/v1/gcg/submit_candidacy",
            json!({"call_id": "CALL-1", "office": "chair", "candidate": "ILO", "submitted_on": "2026-02-01"}),
        )
        .await;
    expect_problem(r, 422, "office_holder_secretariat").await;
    app.settle().await;
    assert_eq!(app.get_json("/api/v1/gcg/chairs").await["succession_call_open"], true);

    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", last_line(&out));
}
both_stores!(seats_offices_and_decision_authority);

async fn groups_partners_meetings_and_decisions_in_full(store: Store) {
    let app = TestApp::spawn(store).await;
    register(&app).await;
    gcg_with_seats(&app, 3).await;
    meeting_in_session(&app, "M", 3, 3).await;

    // Groups: created by decision (or legacy, with evidence), one lead per role, members
    // are admitted partners, workplans by version without overlap.
    let group = json!({"group_id": "AG-X", "kind": "action_group", "name": "X", "established_on": "2024-01-01"});
    expect_problem(app.post("/api/v1/groups", group.clone()).await, 422, "decision_authority_missing").await;
    let mut legacy = group.clone();
    legacy["legacy_evidence_sha256"] = json!("not-a-hash");
    expect_problem(app.post("/api/v1/groups", legacy.clone()).await, 422, "legacy_evidence_invalid").await;
    legacy["legacy_evidence_sha256"] = json!("b".repeat(64));
    assert_eq!(app.post("/api/v1/groups", legacy).await.status(), 201);

    let propose = json!({"decision_id": "M-AG", "subject": {"kind": "create_action_group", "name": "Agriculture"}, "text": "Create the Agriculture AG.",
        "effect": {"effect": "establish_group", "group_id": "AG-AGRI", "kind": "action_group", "name": "Action Group on Agriculture", "established_on": "2026-06-16"}});
    ok(&app, "/api/v1/meetings/M/decisions", propose).await;
    ok(&app, "/api/v1/decisions/M-AG/adopt", json!({"effective_on": "2026-06-16"})).await;
    ok(
        &app,
        "/api/v1/groups/AG-AGRI/assign_lead",
        json!({"role": "secretariat", "organisation": "FAO", "from": "2026-06-16"}),
    )
    .await;
    let r = app
        .post(
            "/api/v1/groups/AG-AGRI/assign_lead",
            json!({"role": "secretariat", "organisation": "ILO", "from": "2026-07-01"}),
        )
        .await;
    expect_problem(r, 422, "group_lead_occupied").await;
    let member = json!({"organisation": "GLOBAL-MARCH", "joined_on": "2026-06-20"});
    expect_problem(app.post("/api/v1/groups/AG-AGRI/add_member", member.clone()).await, 422, "partner_not_admitted")
        .await;

    let apply = |org: &str| json!({"organisation": org, "category": "civil_society", "areas": ["child_labour"], "applied_on": "2026-06-01"});
    expect_problem(app.post("/api/v1/partners", apply("NOBODY")).await, 422, "party_unknown").await;
    assert_eq!(app.post("/api/v1/partners", apply("GLOBAL-MARCH")).await.status(), 201);
    expect_problem(app.post("/api/v1/partners", apply("GLOBAL-MARCH")).await, 422, "partner_already_applied").await;
    let r = app
        .post("/api/v1/partners/GLOBAL-MARCH/recognise_business_network", json!({"recognised_on": "2026-06-02"}))
        .await;
    expect_problem(r, 422, "partner_not_admitted").await;
    ok(&app, "/api/v1/partners/GLOBAL-MARCH/admit", json!({"admitted_on": "2026-06-10"})).await;
    ok(&app, "/api/v1/groups/AG-AGRI/add_member", member.clone()).await;
    expect_problem(app.post("/api/v1/groups/AG-AGRI/add_member", member).await, 422, "member_already_joined").await;
    let plan = |version: u32, start: &str, end: &str| json!({"version": version, "period_start": start, "period_end": end, "doc_sha256": "c".repeat(64), "approved_on": "2026-06-16"});
    ok(&app, "/api/v1/groups/AG-AGRI/adopt_workplan", plan(1, "2026-07-01", "2027-06-30")).await;
    expect_problem(
        app.post("/api/v1/groups/AG-AGRI/adopt_workplan", plan(1, "2027-07-01", "2028-06-30")).await,
        422,
        "workplan_version_not_next",
    )
    .await;
    expect_problem(
        app.post("/api/v1/groups/AG-AGRI/adopt_workplan", plan(2, "2027-01-01", "2027-12-31")).await,
        422,
        "workplan_periods_overlap",
    )
    .await;
    app.settle().await;
    let agri = app.get_json("/api/v1/groups/AG-AGRI").await;
    assert_eq!(agri["decision_id"], "M-AG");
    assert_eq!(agri["member_count"], 1);
    assert_eq!(agri["workplans"].as_array().unwrap().len(), 1);
    let members = app.get_json("/api/v1/partners?group=AG-AGRI").await["items"].clone();
    assert_eq!(
        members.as_array().unwrap().iter().map(|p| p["organisation"].clone()).collect::<Vec<_>>(),
        [json!("GLOBAL-MARCH")]
    );
    assert_eq!(app.get_json("/api/v1/partners?status=applied").await["items"], json!([]));
    assert_eq!(app.get_json("/api/v1/partners?category=civil_society").await["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.client.get(app.url("/api/v1/partners?status=bogus")).send().await.unwrap().status(), 400);
    assert!(app.get_json("/api/v1/groups/AG-AGRI/history").await["items"].as_array().unwrap().len() >= 4);
    assert_eq!(app.get_json("/api/v1/groups").await["items"].as_array().unwrap().len(), 2);

    // Decisions in full: action items, deferral and re-tabling, withdrawal, rescission.
    let item = json!({"item_id": "A1", "text": "Draft the workplan", "owner": "FAO", "due_on": "2026-09-30"});
    ok(&app, "/api/v1/decisions/M-AG/assign_action_item", item.clone()).await;
    expect_problem(app.post("/api/v1/decisions/M-AG/assign_action_item", item).await, 422, "action_item_exists").await;
    let done = json!({"item_id": "A1", "completed_on": "2026-09-01", "evidence_sha256": "d".repeat(64)});
    ok(&app, "/api/v1/decisions/M-AG/complete_action_item", done.clone()).await;
    expect_problem(
        app.post("/api/v1/decisions/M-AG/complete_action_item", done).await,
        422,
        "action_item_already_completed",
    )
    .await;
    for id in ["M-D2", "M-D3", "M-D4"] {
        ok(
            &app,
            "/api/v1/meetings/M/decisions",
            json!({"decision_id": id, "subject": {"kind": "procedural"}, "text": id}),
        )
        .await;
    }
    ok(&app, "/api/v1/decisions/M-D2/defer", json!({"reason": "papers late", "to_meeting": "M2"})).await;
    expect_problem(
        app.post("/api/v1/decisions/M-D2/adopt", json!({"effective_on": "2026-06-16"})).await,
        422,
        "decision_already_deferred",
    )
    .await;
    ok(&app, "/api/v1/decisions/M-D3/withdraw", json!({"withdrawn_on": "2026-06-16", "reason": "overtaken"})).await;
    expect_problem(
        app.post("/api/v1/decisions/M-D3/withdraw", json!({"withdrawn_on": "2026-06-16", "reason": "again"})).await,
        422,
        "decision_withdrawn",
    )
    .await;
    ok(&app, "/api/v1/decisions/M-D4/adopt", json!({"effective_on": "2026-06-17"})).await;
    let r = app.post("/api/v1/decisions/M-AG/rescind", json!({"by_decision_id": "M-D3", "reason": "x"})).await;
    expect_problem(r, 422, "superseding_decision_not_adopted").await;
    ok(
        &app,
        "/api/v1/decisions/M-AG/rescind",
        json!({"by_decision_id": "M-D4", "reason": "replaced by a wider group"}),
    )
    .await;

    // Meetings in full: agenda, adjournment, minutes approved by silence, the report.
    let agenda = json!({"items": [{"number": "1", "title": "Agenda", "kind": "decision"}, {"number": "1", "title": "Twice", "kind": "information"}], "published_on": "2026-06-16"});
    expect_problem(app.post("/api/v1/meetings/M/publish_agenda", agenda).await, 422, "agenda_number_duplicate").await;
    let agenda = json!({"items": [{"number": "1", "title": "Agriculture Action Group", "objective": "decide", "kind": "decision"}], "published_on": "2026-06-16"});
    ok(&app, "/api/v1/meetings/M/publish_agenda", agenda).await;
    ok(&app, "/api/v1/meetings/M/adjourn", json!({"adjourned_on": "2026-06-16"})).await;
    expect_problem(
        app.post("/api/v1/decisions/M-D3/retable", json!({"meeting_id": "M"})).await,
        422,
        "decision_not_deferred",
    )
    .await;
    ok(&app, "/api/v1/meetings/M/resume", json!({"resumed_on": "2026-06-17"})).await;
    expect_problem(
        app.post("/api/v1/meetings/M/draft_minutes", json!({"doc_sha256": "e".repeat(64), "drafted_on": "2026-06-20"}))
            .await,
        422,
        "meeting_not_closed",
    )
    .await;
    ok(&app, "/api/v1/meetings/M/close", json!({"closed_on": "2026-06-17"})).await;
    expect_problem(
        app.post("/api/v1/meetings/M/draft_minutes", json!({"doc_sha256": "nope", "drafted_on": "2026-06-20"})).await,
        422,
        "document_hash_invalid",
    )
    .await;
    ok(&app, "/api/v1/meetings/M/draft_minutes", json!({"doc_sha256": "e".repeat(64), "drafted_on": "2026-06-20"}))
        .await;
    ok(
        &app,
        "/api/v1/meetings/M/circulate_minutes",
        json!({"circulated_on": "2026-06-21", "comment_deadline": "2026-07-05"}),
    )
    .await;
    let report =
        json!({"doc_sha256": "f".repeat(64), "url": "https://example.org/report", "published_on": "2026-07-10"});
    expect_problem(app.post("/api/v1/meetings/M/publish_report", report.clone()).await, 422, "minutes_not_approved")
        .await;
    expect_problem(
        app.post("/api/v1/meetings/M/approve_minutes", json!({"approved_on": "2026-07-05"})).await,
        422,
        "comment_deadline_not_passed",
    )
    .await;
    ok(&app, "/api/v1/meetings/M/approve_minutes", json!({"approved_on": "2026-07-06"})).await;
    ok(&app, "/api/v1/meetings/M/publish_report", report.clone()).await;
    expect_problem(app.post("/api/v1/meetings/M/publish_report", report).await, 422, "report_already_published").await;
    expect_problem(
        app.post("/api/v1/meetings/M/reschedule", json!({"new_date": "2026-07-01", "reason": "x"})).await,
        422,
        "meeting_already_started",
    )
    .await;
    expect_problem(app.post("/api/v1/meetings/M/schedule", json!({})).await, 404, "not_found").await;

    // A deferred decision is tabled again at a later meeting; a cancelled meeting stays cancelled.
    let later =
        json!({"meeting_id": "M2", "number": 31, "kind": "regular", "date": "2026-12-01", "modality": "virtual"});
    ok(&app, "/api/v1/meetings", later).await;
    ok(&app, "/api/v1/decisions/M-D2/retable", json!({"meeting_id": "M2"})).await;
    ok(&app, "/api/v1/meetings/M2/reschedule", json!({"new_date": "2026-12-08", "reason": "venue"})).await;
    let other =
        json!({"meeting_id": "M3", "number": 32, "kind": "regular", "date": "2027-03-01", "modality": "virtual"});
    ok(&app, "/api/v1/meetings", other).await;
    ok(&app, "/api/v1/meetings/M3/cancel", json!({"cancelled_on": "2027-01-10", "reason": "no quorum expected"})).await;
    expect_problem(
        app.post("/api/v1/meetings/M3/open", json!({"opened_on": "2027-03-01"})).await,
        422,
        "meeting_cancelled",
    )
    .await;

    app.settle().await;
    let meeting = app.get_json("/api/v1/meetings/M").await;
    assert_eq!(meeting["agenda"]["version"], 1);
    assert_eq!(meeting["minutes"]["approved_by"], json!({"kind": "silence", "comment_deadline": "2026-07-05"}));
    assert_eq!(meeting["report"]["url"], "https://example.org/report");
    assert_eq!(meeting["adjournments"][0]["resumed_on"], "2026-06-17");
    let m2 = app.get_json("/api/v1/meetings/M2").await;
    assert_eq!(m2["date"], "2026-12-08");
    assert_eq!(m2["decisions"], json!(["M-D2"]));
    let d2 = app.get_json("/api/v1/decisions/M-D2").await;
    assert_eq!(
        (d2["status"].as_str(), d2["meeting_id"].as_str(), d2["tabled_at"].clone()),
        (Some("proposed"), Some("M2"), json!(["M"]))
    );
    let ag = app.get_json("/api/v1/decisions/M-AG").await;
    assert_eq!((ag["status"].as_str(), ag["rescinded_by"].as_str()), (Some("rescinded"), Some("M-D4")));
    assert_eq!(ag["action_items"][0]["completed_on"], "2026-09-01");
    assert_eq!(app.get_json("/api/v1/meetings/M3").await["status"], "cancelled");

    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", last_line(&out));
}
both_stores!(groups_partners_meetings_and_decisions_in_full);

async fn the_demo_history_answers_the_governance_questions(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let today = app.get_json("/api/v1/gcg?as_of=2026-11-22").await;
    assert_eq!(today["chair"]["holder"], "CHL");
    assert_eq!(today["deputy_chair"]["holder"], "CIV");
    assert_eq!((today["voting_seats"].as_u64(), today["voting_seats_filled"].as_u64()), (Some(17), Some(13)));
    assert_eq!(today["policy"]["policy"]["version"], "gcg-rules/v2-provisional");
    assert_eq!(today["labels"]["illustrative"], true, "invented seat holders are labelled");
    let end_2022 = app.get_json("/api/v1/gcg?as_of=2022-12-31").await;
    assert_eq!(end_2022["chair"]["holder"], "FRA");
    assert_eq!(end_2022["deputy_chair"]["holder"], "ARG");
    let chairs = app.get_json("/api/v1/gcg/chairs").await;
    let holders: Vec<&str> =
        chairs["terms"].as_array().unwrap().iter().map(|t| t["holder"].as_str().unwrap()).collect();
    assert_eq!(holders, ["FRA", "ARG", "CHL", "CIV"]);
    assert_eq!(chairs["terms"][0]["ended_on"], "2023-05-31");
    assert_eq!(chairs["terms"][2]["extensions"][0]["decision_id"], "GCG-21-D04");
    assert_eq!(chairs["succession_call_open"], true);
    let policies = app.get_json("/api/v1/gcg/policies").await["items"].clone();
    assert_eq!(policies[1]["decision_id"], "GCG-15-D01");

    let agri = app.get_json("/api/v1/groups/AG-AGRI").await;
    assert_eq!(agri["decision_id"], "GCG-19-D04");
    assert_eq!(agri["leads"][0]["organisation"], "FAO");
    let migration = app.get_json("/api/v1/groups/AG-MIG").await;
    assert_eq!(migration["relaunches"][0]["relaunched_on"], "2023-10-10");
    assert_eq!(migration["leads"][0]["organisation"], "IOM");
    let supply = app.get_json("/api/v1/groups/AG-SC").await;
    assert_eq!(supply["leads"][0]["organisation"], "ILO");
    assert_eq!(supply["decision_id"], Value::Null, "a legacy group cites its evidence, not a decision");
    let provenance = app.get_json("/api/v1/decisions/GCG-19-D04/provenance").await;
    assert_eq!(provenance["effects_authorised"][0]["aggregate_id"], "AG-AGRI");
    let pending = app.get_json("/api/v1/partners?status=applied").await["items"].clone();
    assert_eq!(pending[0]["organisation"], "UNU");
    let minutes = app.get_json("/api/v1/meetings/GCG-21").await["minutes"].clone();
    assert_eq!(minutes["approved_by"], json!({"kind": "decision", "decision_id": "GCG-22-D01"}));

    // Every governance command is in the OpenAPI document with its own request schema.
    let doc = app.get_json("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/gcg/elect_office_holder",
        "/api/v1/groups/{id}/add_member",
        "/api/v1/partners/{id}/admit",
        "/api/v1/meetings/{id}/approve_minutes",
        "/api/v1/decisions/{id}/assign_action_item",
        "/api/v1/organisations",
        "/api/v1/countries",
    ] {
        let schema = &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert!(schema["properties"]["envelope"].is_object(), "{path}: {schema}");
        assert!(schema["properties"].get("command").is_none(), "{path}: the path names the command");
    }
    assert!(doc["paths"]["/api/v1/gcg"]["get"].is_object());
}
both_stores!(the_demo_history_answers_the_governance_questions);

/// A crash between a decision's adoption and its effect: start-up applies the effect once;
/// a crash after the effect but before its outcome was recorded does not apply it twice.
async fn pending_effects_are_resumed_exactly_once(store: Store) {
    use std::sync::Arc;

    use domain::body::BodyCommand;
    use domain::decision::{DecisionCommand, DecisionEffect, DecisionSubject};
    use domain::meeting::{AttendanceStatus, MeetingCommand, MeetingKind, Modality};
    use domain::policy::GovernancePolicy;
    use domain::reference::{OrganisationCategory, OrganisationCommand};
    use ledger_store::chaining::Envelope;
    use server::pipeline::{CommandMeta, CommandService};

    let (dir, url) = crate::support::fresh_ledger(store).await;
    let db = ledger_store::Db::connect(&url).await.unwrap();
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [3u8; 32]).unwrap());
    let ledger = CommandService::new(db.clone(), signer);
    let meta = || CommandMeta {
        envelope: Envelope { actor: "test".into(), role: "secretariat".into(), ..Envelope::default() },
        expected_version: None,
    };
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let mut initial = GovernancePolicy::provisional_v1();
    initial.version = "v1".into();
    let establish = BodyCommand::Establish {
        body_id: "GCG".into(),
        name: "GCG".into(),
        established_on: day("2020-01-01"),
        secretariat: "ILO".into(),
        initial_policy: initial,
    };
    ledger.execute::<domain::body::Body>("GCG", establish, meta()).await.unwrap();
    let register = OrganisationCommand::Register {
        organisation_id: "ITUC".into(),
        name: "ITUC".into(),
        acronym: None,
        category: OrganisationCategory::WorkersOrganisation,
        iati_ref: None,
        country: None,
        registered_on: day("2020-01-01"),
    };
    ledger.execute::<domain::reference::Organisation>("ITUC", register, meta()).await.unwrap();
    let seat = BodyCommand::DefineSeat {
        seat_id: "WRK".into(),
        constituency: domain::body::Constituency::Workers,
        region: None,
        voting: true,
        defined_on: day("2020-01-01"),
    };
    ledger.execute::<domain::body::Body>("GCG", seat, meta()).await.unwrap();
    let assign = BodyCommand::AssignSeat {
        seat_id: "WRK".into(),
        holder: "ITUC".into(),
        from: day("2020-01-01"),
        holder_known: false,
        authority: None,
    };
    ledger.execute::<domain::body::Body>("GCG", assign, meta()).await.unwrap();
    let schedule = MeetingCommand::Schedule {
        meeting_id: "M".into(),
        body_id: "GCG".into(),
        number: 1,
        kind: MeetingKind::Regular,
        date: day("2024-01-10"),
        modality: Modality::Virtual,
        location: None,
    };
    ledger.execute::<domain::meeting::Meeting>("M", schedule, meta()).await.unwrap();
    ledger
        .execute::<domain::meeting::Meeting>(
            "M",
            MeetingCommand::Open { opened_on: day("2024-01-10"), chaired_by: None },
            meta(),
        )
        .await
        .unwrap();
    let attendance = domain::meeting::Attendance {
        seat_id: Some("WRK".into()),
        organisation: "ITUC".into(),
        status: AttendanceStatus::Present,
        voting: false,
    };
    let meeting = |command| ledger.execute::<domain::meeting::Meeting>("M", command, meta());
    meeting(MeetingCommand::RecordAttendance(attendance)).await.unwrap();
    meeting(MeetingCommand::DeclareQuorum { voting_seats_filled: 0, policy: GovernancePolicy::provisional_v1() })
        .await
        .unwrap();

    // Two decisions adopting policy versions, adopted without their effects applied.
    for version in ["v2", "v3"] {
        let mut policy = GovernancePolicy::provisional_v1();
        policy.version = version.into();
        let id = format!("M-{version}");
        let effect = DecisionEffect::AdoptPolicy { policy, effective_on: day("2024-01-10") };
        let subject = DecisionSubject::AdoptPolicy { policy: version.into() };
        let propose = DecisionCommand::Propose {
            decision_id: id.clone(),
            agenda_item: None,
            subject,
            text: format!("Adopt {version}"),
            meeting: domain::decision::MeetingFacts { meeting_id: "M".into(), ..Default::default() },
            effect: Some(effect),
        };
        ledger.execute::<domain::decision::Decision>(&id, propose, meta()).await.unwrap();
        let adopt = DecisionCommand::Adopt {
            effective_on: day("2024-01-10"),
            meeting: Default::default(),
            policy: GovernancePolicy::provisional_v1(),
        };
        // `record` stores the adoption without what it sets in motion: a crash right after it.
        ledger.record::<domain::decision::Decision>(&id, adopt, meta()).await.unwrap();
    }
    // The second crashed after its effect was written but before the outcome was recorded.
    let mut v3 = GovernancePolicy::provisional_v1();
    v3.version = "v3".into();
    let mut effect_meta = meta();
    effect_meta.envelope.authority = Some(json!({"kind": "decision", "decision_id": "M-v3"}));
    effect_meta.envelope.idempotency_key = Some("effect:M-v3".into());
    effect_meta.envelope.actor = server::facts::meetings::EFFECTS_ACTOR.into();
    effect_meta.envelope.role = "system".into();
    effect_meta.envelope.reason = Some("effect of adopted decision M-v3".into());
    effect_meta.envelope.occurred_at = Some("2024-01-10".into());
    let adopt_v3 = BodyCommand::AdoptPolicy { policy: v3, effective_on: day("2024-01-10"), authority: None };
    ledger.execute::<domain::body::Body>("GCG", adopt_v3, effect_meta).await.unwrap();

    assert_eq!(ledger.resume_pending_effects().await.unwrap(), 2);
    assert_eq!(ledger.resume_pending_effects().await.unwrap(), 0, "nothing is left pending");
    let body = ledger.body("GCG").await.unwrap();
    let versions: Vec<&str> = body.policies.iter().map(|p| p.policy.version.as_str()).collect();
    assert_eq!(versions, ["v1", "v3", "v2"], "v3 was applied before the crash, v2 on resume: each exactly once");
    for id in ["M-v2", "M-v3"] {
        let decision = ledger.load::<domain::decision::Decision>(id).await.unwrap();
        assert!(decision.effect_recorded, "{id}'s outcome is recorded");
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
both_stores!(pending_effects_are_resumed_exactly_once);
