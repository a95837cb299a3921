//! Pathfinder Countries end to end: onboarding to status on a GCG decision's authority,
//! roadmaps (endorsed, then frozen), a reporting cycle driven by `ledger tick`, the board
//! as of any date, compliance, "who approved what", each refusal with its rule, and the
//! demo history's board.

use serde_json::{json, Value};

use crate::both_stores;
use crate::support::{expect_problem, last_line, meeting_in_session, Store, TestApp};

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path, body).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn hash(c: char) -> String {
    c.to_string().repeat(64)
}

async fn decide(app: &TestApp, id: &str, subject: Value) {
    ok(app, "/api/v1/meetings/M/decisions", json!({"decision_id": id, "subject": subject, "text": id})).await;
    ok(app, &format!("/api/v1/decisions/{id}/adopt"), json!({"effective_on": "2026-06-16"})).await;
}

fn cite(mut body: Value, decision: &str) -> Value {
    body["envelope"] = json!({"authority": {"kind": "decision", "decision_id": decision}});
    body
}

async fn onboarding_status_roadmaps_and_the_reporting_cycle(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "M", 3, 3).await;
    decide(&app, "M-NGA", json!({"kind": "grant_pathfinder_status", "iso3": "NGA"})).await;
    decide(&app, "M-GHA", json!({"kind": "grant_pathfinder_status", "iso3": "GHA"})).await;
    decide(&app, "M-RM", json!({"kind": "endorse_roadmap", "roadmap_id": "NGA/v1"})).await;
    ok(&app, "/api/v1/meetings/M/decisions", json!({"decision_id": "M-OPEN", "subject": {"kind": "grant_pathfinder_status", "iso3": "NGA"}, "text": "pending"})).await;

    let letter = |iso3: &str| json!({"iso3": iso3, "letter_date": "2025-01-10", "signatory_title": "Minister of Labour", "ministry": "Labour", "letter_sha256": hash('a')});
    expect_problem(
        app.post("/api/v1/pathfinders/XXX/record_expression_of_interest", letter("XXX")).await,
        422,
        "iso3_unknown",
    )
    .await;
    let r = app.post("/api/v1/pathfinders/NGA/appoint_focal_point", json!({"person_ref": "person:NGA-1", "title": "Director", "ministry": "Labour", "effective_on": "2025-02-01"})).await;
    expect_problem(r, 404, "not_found").await;
    let r = app.post("/api/v1/pathfinders/GHA/record_expression_of_interest", letter("NGA")).await;
    expect_problem(r, 422, "pfc_id_mismatch").await;
    assert_eq!(app.post("/api/v1/pathfinders/NGA/record_expression_of_interest", letter("NGA")).await.status(), 201);
    let r = app.post("/api/v1/pathfinders/NGA/appoint_focal_point", json!({"person_ref": "person:NGA-1", "title": "Director", "ministry": "Labour", "effective_on": "2025-02-01"})).await;
    expect_problem(r, 422, "pfc_transition_not_allowed").await;
    ok(&app, "/api/v1/pathfinders/NGA/record_presentation", json!({"meeting_id": "M", "presented_on": "2025-03-01"}))
        .await;
    let r = app
        .post(
            "/api/v1/pathfinders/NGA/appoint_focal_point",
            json!({"person_ref": "Jane Doe", "title": "Director", "ministry": "Labour", "effective_on": "2025-04-01"}),
        )
        .await;
    expect_problem(r, 422, "person_ref_not_pseudonymous").await;
    let person = ok(&app, "/api/v1/people", json!({"name": "A. Director", "country": "NGA"})).await;
    ok(
        &app,
        "/api/v1/pathfinders/NGA/appoint_focal_point",
        json!({"person_ref": person["person_ref"], "title": "Director", "ministry": "Labour", "effective_on": "2025-04-01"}),
    )
    .await;
    let grant = json!({"iso3": "NGA", "effective_on": "2026-06-16", "legacy": false});
    expect_problem(
        app.post("/api/v1/pathfinders/NGA/grant_status", cite(grant.clone(), "M-NGA")).await,
        422,
        "workshop_not_held",
    )
    .await;
    ok(
        &app,
        "/api/v1/pathfinders/NGA/record_strategic_workshop",
        json!({"held_on": "2025-06-01", "participants_count": 80, "supporting_organisations": ["ORG-0"]}),
    )
    .await;
    expect_problem(
        app.post("/api/v1/pathfinders/NGA/grant_status", cite(grant.clone(), "M-NGA")).await,
        422,
        "roadmap_not_submitted",
    )
    .await;

    // A roadmap: drafted, submitted; endorsed only on a decision; then its document is frozen.
    let draft = json!({"roadmap_id": "NGA/v1", "iso3": "NGA", "version": 1, "title": "Nigeria SDG 8.7 Roadmap", "period_start": "2025-07-01", "period_end": "2026-12-31",
        "priorities": [{"code": "P1", "text": "Legal framework"}],
        "actions": [{"text": "Inspection", "responsible_organisation": "ORG-0", "timeline": "2026", "budget": {"amount_minor": 1500000, "currency": "USD"}}],
        "indicators": [{"code": "I1", "name": "Child labour rate", "baseline": "12%", "target": "6%"}]});
    let mut bad = draft.clone();
    bad["actions"][0]["budget"]["amount_minor"] = json!(1.5);
    expect_problem(app.post("/api/v1/pathfinders/NGA/roadmaps", bad).await, 400, "malformed_request").await;
    assert_eq!(app.post("/api/v1/pathfinders/NGA/roadmaps", draft.clone()).await.status(), 201);
    expect_problem(app.post("/api/v1/pathfinders/NGA/roadmaps", draft).await, 422, "roadmap_already_drafted").await;
    ok(&app, "/api/v1/roadmaps/NGA%2Fv1/submit", json!({"doc_sha256": hash('b'), "submitted_on": "2025-08-01"})).await;

    // Status needs an adopted decision about this very country.
    expect_problem(
        app.post("/api/v1/pathfinders/NGA/grant_status", grant.clone()).await,
        422,
        "decision_authority_missing",
    )
    .await;
    expect_problem(
        app.post("/api/v1/pathfinders/NGA/grant_status", cite(grant.clone(), "M-GHA")).await,
        422,
        "decision_authority_wrong_subject",
    )
    .await;
    expect_problem(
        app.post("/api/v1/pathfinders/NGA/grant_status", cite(grant.clone(), "M-OPEN")).await,
        422,
        "decision_authority_not_adopted",
    )
    .await;
    app.settle().await;
    let before = app.get_json("/api/v1/pathfinders/NGA/history").await["items"].clone();
    ok(&app, "/api/v1/pathfinders/NGA/grant_status", cite(grant, "M-NGA")).await;
    let endorse = json!({"on": "2026-06-20"});
    expect_problem(
        app.post("/api/v1/roadmaps/NGA%2Fv1/endorse", endorse.clone()).await,
        422,
        "decision_authority_missing",
    )
    .await;
    ok(&app, "/api/v1/roadmaps/NGA%2Fv1/endorse", cite(endorse, "M-RM")).await;
    let r = app.post("/api/v1/roadmaps/NGA%2Fv1/resubmit", json!({"doc_sha256": hash('c'), "on": "2026-06-21"})).await;
    assert_eq!(r.status(), 422, "an endorsed roadmap's document cannot change");
    let legacy = json!({"iso3": "LKA", "effective_on": "2017-01-01", "legacy": true});
    expect_problem(
        app.post("/api/v1/pathfinders/LKA/grant_status", legacy.clone()).await,
        422,
        "legacy_evidence_missing",
    )
    .await;
    let mut legacy = legacy;
    legacy["legacy_evidence_sha256"] = json!(hash('d'));
    ok(&app, "/api/v1/pathfinders/LKA/grant_status", legacy).await;
    expect_problem(
        app.post("/api/v1/pathfinders/LKA/mark_inactive", json!({"on": "2026-01-01", "reason": "x"})).await,
        422,
        "decision_authority_missing",
    )
    .await;
    app.settle().await;
    let after = app.get_json("/api/v1/pathfinders/NGA/history").await["items"].clone();
    assert_eq!(
        after.as_array().unwrap()[..before.as_array().unwrap().len()],
        before.as_array().unwrap()[..],
        "refusals altered nothing"
    );

    // The reporting cycle: expected are the countries active at launch; the clock marks
    // the missing report overdue once the deadline passes, once.
    let launch = json!({"cycle_id": "2026", "period_start": "2025-01-01", "period_end": "2025-12-31", "launched_on": "2026-07-01", "deadline": "2026-09-30", "template_version": "t1"});
    assert_eq!(app.post("/api/v1/reporting-cycles", launch).await.status(), 201);
    let submit = |iso3: &str, on: &str| {
        json!({"cycle_id": "2026", "iso3": iso3, "roadmap_id": format!("{iso3}/v1"), "indicators": [],
        "narrative": ["1", "2", "3", "4", "5"], "submitted_on": on})
    };
    expect_problem(
        app.post("/api/v1/reports/2026%2FGHA/submit", submit("GHA", "2026-08-01")).await,
        422,
        "report_country_not_expected",
    )
    .await;
    let r = app.post("/api/v1/reports/2026%2FGHA/submit", submit("NGA", "2026-08-01")).await;
    expect_problem(r, 422, "report_id_mismatch").await;
    let mut short = submit("NGA", "2026-08-01");
    short["narrative"] = json!(["only one"]);
    expect_problem(app.post("/api/v1/reports/2026%2FNGA/submit", short).await, 422, "report_narrative_incomplete")
        .await;
    assert_eq!(app.post("/api/v1/reports/2026%2FNGA/submit", submit("NGA", "2026-08-01")).await.status(), 201);
    expect_problem(
        app.post(
            "/api/v1/reports/2026%2FNGA/publish",
            json!({"published_on": "2026-08-02", "url": "https://example.org/r"}),
        )
        .await,
        422,
        "report_not_approved",
    )
    .await;
    let tick = app.ledger(&["tick", "--now", "2026-10-05"]).await;
    assert!(tick.status.success(), "{}", String::from_utf8_lossy(&tick.stderr));
    let ticked: Value = serde_json::from_str(&last_line(&tick)).unwrap();
    assert_eq!(ticked["reports_overdue"], json!(["2026/LKA"]));
    let again: Value = serde_json::from_str(&last_line(&app.ledger(&["tick", "--now", "2026-10-06"]).await)).unwrap();
    assert_eq!(again["reports_overdue"], json!([]), "the clock records a passing deadline once");

    app.settle().await;
    let compliance = app.get_json("/api/v1/reporting-cycles/2026/compliance?as_of=2026-10-06").await;
    assert_eq!(compliance["expected"], 2);
    assert_eq!(compliance["totals"], json!({"missing": 1, "on_time": 1}));
    let board = app.get_json("/api/v1/pathfinders?as_of=2026-10-06").await;
    let nga = board["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == "NGA").unwrap().clone();
    assert_eq!(nga["stage"], "active");
    assert_eq!(nga["status_granted_by"], "M-NGA");
    assert_eq!(nga["current_roadmap"]["roadmap_id"], "NGA/v1");
    assert_eq!(nga["last_report"]["status"], "submitted");
    assert_eq!(nga["focal_point"], Value::Null, "a focal point's appointment is personal: not for the public");
    let full: Value = app
        .client
        .get(app.url("/api/v1/pathfinders?as_of=2026-10-06"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let nga_full = full["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == "NGA").unwrap();
    assert_eq!(nga_full["focal_point"], "Director", "the Secretariat reads it");
    let earlier = app.get_json("/api/v1/pathfinders?as_of=2025-05-01").await;
    let nga_then = earlier["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == "NGA").unwrap().clone();
    assert_eq!(nga_then["stage"], "onboarding", "the board as of a date");
    let nga_2025 = app.get_json("/api/v1/pathfinders/NGA?as_of=2025-05-01").await;
    assert_eq!(nga_2025["line"]["stage"], "onboarding");
    assert!(nga_2025["steps"].as_array().unwrap().iter().all(|s| s["event_type"] != "PathfinderStatusGranted"));
    let approvals = app.get_json("/api/v1/pathfinders/NGA/approvals").await["items"].clone();
    let by: Vec<(&str, &str)> = approvals
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["event_type"].as_str().unwrap(), a["decision_id"].as_str().unwrap()))
        .collect();
    assert_eq!(by, [("PathfinderStatusGranted", "M-NGA"), ("RoadmapEndorsed", "M-RM")]);
    assert_eq!(approvals[0]["meeting_id"], "M");
    assert_eq!(approvals[0]["quorum"]["met"], true);
    assert_eq!(app.get_json("/api/v1/roadmaps/NGA%2Fv1").await["endorsed_by"], "M-RM");
    assert!(app.get_json("/api/v1/reports/2026%2FLKA/history").await["items"].as_array().unwrap().len() == 1);
    // The country's dossier holds its roadmap, its report and the decisions they cite, and
    // verifies offline.
    let dossier = app.get_json("/api/v1/dossiers/pfc:NGA").await;
    let mut held: Vec<String> = dossier["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["record"]["aggregate_type"].as_str().unwrap(),
                e["record"]["aggregate_id"].as_str().unwrap()
            )
        })
        .collect();
    held.dedup();
    for part in ["pfc:NGA", "roadmap:NGA/v1", "country_report:2026/NGA", "decision:M-NGA", "decision:M-RM"] {
        assert!(held.iter().any(|h| h == part), "{part} in {held:?}");
    }
    let file = app.dir.join("nga.json");
    std::fs::write(&file, dossier.to_string()).unwrap();
    let out = app.ledger(&["verify", "--dossier", file.to_str().unwrap()]).await;
    assert!(out.status.success(), "dossier: {}", last_line(&out));

    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", last_line(&out));
}
both_stores!(onboarding_status_roadmaps_and_the_reporting_cycle);

async fn the_demo_board(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let board = app.get_json("/api/v1/pathfinders?as_of=2026-11-22").await;
    let stage = |iso3: &str| {
        board["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == iso3).map(|c| c["stage"].clone())
    };
    for iso3 in ["NPL", "UGA", "PER", "LKA", "VNM", "MDG", "FJI"] {
        assert_eq!(stage(iso3), Some(json!("active")), "{iso3}");
    }
    assert_eq!(stage("COD"), Some(json!("candidate")));
    let compliance = app.get_json("/api/v1/reporting-cycles/2026/compliance?as_of=2026-11-22").await;
    assert_eq!(compliance["totals"]["missing"], 1, "{compliance}");
    let mdg = compliance["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == "MDG").unwrap().clone();
    assert_eq!(mdg["status"], "overdue");
    let who = app.get_json("/api/v1/pathfinders/NPL/approvals").await["items"].clone();
    let endorsed = who.as_array().unwrap().iter().find(|a| a["event_type"] == "RoadmapEndorsed").unwrap().clone();
    assert_eq!(
        (endorsed["decision_id"].as_str(), endorsed["meeting_id"].as_str()),
        (Some("GCG-05-D03"), Some("GCG-05"))
    );
    assert_eq!(endorsed["illustrative"], true);
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", last_line(&out));
}
both_stores!(the_demo_board);
