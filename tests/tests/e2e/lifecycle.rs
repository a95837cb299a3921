//! A meeting and its decisions from scheduling to closing, and the demo history.

use ledger_format::{Checkpoint, LedgerVerifier};
use serde_json::json;

use crate::both_stores;
use crate::support::{last_line, meeting_in_session, Store, TestApp};

async fn meeting_and_decision_lifecycle(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "GCG-30", 3, 5).await;

    let r = app
        .post(
            "/api/v1/meetings/GCG-30/decisions",
            json!({"decision_id": "GCG-30-D01", "agenda_item": "4", "subject": {"kind": "create_action_group", "name": "Agriculture"},
                   "text": "Establish the Action Group on Agriculture.",
                   "envelope": {"reason": "recorded from the meeting report", "provenance": {"confidence": "X", "note": "test"},
                                "evidence": [{"sha256": "a".repeat(64), "title": "Report of the 30th GCG"}]}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    for (seat, position) in [("S0", "block"), ("S1", "for"), ("S0", "for")] {
        let r =
            app.post("/api/v1/decisions/GCG-30-D01/positions", json!({"seat_id": seat, "position": position})).await;
        assert_eq!(r.status(), 200);
    }
    let r = app.post("/api/v1/decisions/GCG-30-D01/adopt", json!({"effective_on": "2026-06-16"})).await;
    assert_eq!(r.status(), 200);
    let receipt: serde_json::Value = r.json().await.unwrap();
    assert_eq!(receipt["events"][0]["event_type"], "DecisionAdopted");
    assert_eq!(receipt["version"], 5);
    assert_eq!(receipt["events"][0]["hash"].as_str().unwrap().len(), 64);
    assert_eq!(app.post("/api/v1/meetings/GCG-30/close", json!({"closed_on": "2026-06-16"})).await.status(), 200);
    app.settle().await;

    let decision = app.get_json("/api/v1/decisions/GCG-30-D01").await;
    assert_eq!(decision["status"], "adopted");
    assert_eq!(decision["tally"], json!({"for": 2, "against": 0, "abstain": 0, "block": 0}));
    assert_eq!(decision["positions"].as_array().unwrap().len(), 3, "the superseded position stays in history");
    assert_eq!(decision["positions"][0]["effective"], false);
    assert_eq!(decision["quorum_snapshot"]["voting_seats_present"], 3);
    assert_eq!(decision["quorum_snapshot"]["required"], 3);
    assert_eq!(decision["policy_version"], "gcg-rules/test", "judged under the policy in force");
    assert_eq!(decision["labels"]["illustrative"], true);

    let meeting = app.get_json("/api/v1/meetings/GCG-30").await;
    assert_eq!(meeting["status"], "closed");
    assert_eq!(meeting["decisions"], json!(["GCG-30-D01"]));
    assert_eq!(meeting["attendees_count"], 3);
    assert_eq!(meeting["attendance"].as_array().unwrap().len(), 3);

    let history = app.get_json("/api/v1/decisions/GCG-30-D01/history").await["items"].clone();
    let rows = history.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0]["event_type"], "DecisionProposed");
    assert_eq!(rows[0]["actor"], "alice");
    assert_eq!(rows[0]["role"], "secretariat");
    assert_eq!(rows[0]["occurred_at"], "2026-06-16");
    assert!(rows[0]["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(rows[0]["recorded_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(rows[4]["event_type"], "DecisionAdopted");
    assert_eq!(rows[4]["hash"], receipt["events"][0]["hash"]);
    assert!(rows.windows(2).all(|w| w[0]["position"].as_i64() < w[1]["position"].as_i64()));

    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify: {}", String::from_utf8_lossy(&out.stdout));
    // The meeting and decision (12 events) plus the GCG set-up: the body and 5 organisations.
    let total = app.get_json("/health").await["events"].as_i64().unwrap();
    assert_eq!(total, 12 + 12 + 5);
    assert!(last_line(&out).starts_with("ledger intact: 29 events in 8 aggregates"), "{}", last_line(&out));
}
both_stores!(meeting_and_decision_lifecycle);

async fn demo_history_is_served_verified_and_labelled(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let meetings = app.get_json("/api/v1/meetings").await["items"].clone();
    let ids: Vec<&str> = meetings.as_array().unwrap().iter().map(|m| m["meeting_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "GCG-04",
            "GCG-05",
            "GCG-06",
            "GCG-07",
            "GCG-08",
            "GCG-09",
            "GCG-15",
            "GCG-16",
            "GCG-17",
            "GCG-19",
            "GCG-21",
            "GCG-22",
            "GCG-WP-2026-1"
        ]
    );

    // Lists page in id order, with a Link to the next page.
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/meetings?limit=3".to_string());
    while let Some(path) = next.take() {
        let r = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        next = r.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            assert!(l.ends_with("; rel=\"next\""), "{l}");
            l[1..l.find('>').unwrap()].to_string()
        });
        let body: serde_json::Value = r.json().await.unwrap();
        let page: Vec<serde_json::Value> = serde_json::from_value(body["items"].clone()).unwrap();
        assert!(page.len() <= 3);
        seen.extend(page.iter().map(|m| m["meeting_id"].as_str().unwrap().to_string()));
    }
    assert_eq!(seen, ids, "the pages together are the whole list, once");
    for bad in ["/api/v1/meetings?limit=0", "/api/v1/decisions?limit=5000", "/api/v1/meetings?page=2"] {
        assert_eq!(app.client.get(app.url(bad)).send().await.unwrap().status(), 400, "{bad}");
    }
    let agriculture = app.get_json("/api/v1/decisions/GCG-19-D04").await;
    assert_eq!(agriculture["status"], "adopted");
    assert_eq!(agriculture["subject"], json!({"kind": "create_action_group", "name": "Agriculture"}));
    assert_eq!(agriculture["labels"]["illustrative"], true, "invented positions are labelled");
    let nepal = app.get_json("/api/v1/decisions/GCG-05-D02").await;
    assert_eq!(nepal["labels"]["confidence"], json!(["X"]), "every event of this invented decision is labelled X");

    let public_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    let verifier = LedgerVerifier::from_public_key(public_key.trim()).unwrap();
    let note = app.client.get(app.url("/api/v1/ledger/checkpoint")).send().await.unwrap().text().await.unwrap();
    let checkpoint = Checkpoint::open(&note, &verifier).expect("the served checkpoint verifies");
    let health = app.get_json("/health").await;
    assert_eq!(Some(checkpoint.size as i64), health["ledger_size"].as_i64());

    let out = app.ledger(&["verify", "--public-key", public_key.trim()]).await;
    assert!(out.status.success(), "verify: {}", String::from_utf8_lossy(&out.stdout));
    let export = app.dir.join("export.jsonl");
    let out = app.ledger(&["export", "--out", export.to_str().unwrap()]).await;
    assert!(out.status.success());
    let text = std::fs::read_to_string(&export).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["type"], "header");
    assert_eq!(lines.last().unwrap()["type"], "checkpoint");
    let events = &lines[1..lines.len() - 1];
    assert_eq!(events.len() as i64, health["events"].as_i64().unwrap());
    for (i, line) in events.iter().enumerate() {
        assert_eq!(line["position"], i as i64);
        let record: ledger_format::EventRecord = serde_json::from_value(line["record"].clone()).unwrap();
        assert_eq!(record.hash_hex().unwrap(), line["hash"].as_str().unwrap(), "export hashes recompute");
    }

    let (kept, counted) = crate::support::view_counts(&app).await;
    assert!(counted.len() > 5, "the demo fills the views: {counted:?}");
    assert_eq!(kept, counted, "the projector's counts are the stored documents' counts");
    let before = app.get_json("/api/v1/decisions").await;
    let out = app.ledger(&["rebuild"]).await;
    assert!(out.status.success(), "rebuild: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.get_json("/api/v1/decisions").await, before, "a rebuild reproduces the views");
    let (kept, counted) = crate::support::view_counts(&app).await;
    assert_eq!(kept, counted, "a rebuild counts afresh");

    // The demo loads only into an empty ledger.
    let out = app.ledger(&["demo"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}
both_stores!(demo_history_is_served_verified_and_labelled);

async fn superseded_only_by_a_later_adopted_decision(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "GCG-31", 2, 3).await;
    for id in ["D1", "D2", "D3"] {
        let body = json!({"decision_id": id, "subject": {"kind": "adopt_policy", "policy": "p"}, "text": format!("text {id}")});
        assert_eq!(app.post("/api/v1/meetings/GCG-31/decisions", body).await.status(), 201);
    }
    assert_eq!(app.post("/api/v1/decisions/D1/adopt", json!({"effective_on": "2026-06-16"})).await.status(), 200);
    let r = app.post("/api/v1/decisions/D1/supersede", json!({"by_decision_id": "D2"})).await;
    crate::support::expect_problem(r, 422, "superseding_decision_not_adopted").await;
    assert_eq!(app.post("/api/v1/decisions/D2/adopt", json!({"effective_on": "2026-06-17"})).await.status(), 200);
    assert_eq!(app.post("/api/v1/decisions/D3/adopt", json!({"effective_on": "2026-06-15"})).await.status(), 200);
    let r = app.post("/api/v1/decisions/D2/supersede", json!({"by_decision_id": "D3"})).await;
    crate::support::expect_problem(r, 422, "superseding_decision_not_later").await;
    assert_eq!(app.post("/api/v1/decisions/D1/supersede", json!({"by_decision_id": "D2"})).await.status(), 200);
    let r = app.post("/api/v1/decisions/D1/supersede", json!({"by_decision_id": "D2"})).await;
    crate::support::expect_problem(r, 422, "decision_already_superseded").await;
    app.settle().await;
    let d1 = app.get_json("/api/v1/decisions/D1").await;
    assert_eq!(d1["status"], "superseded");
    assert_eq!(d1["superseded_by"], "D2");
    assert_eq!(d1["text"], "text D1", "the superseded decision's text is unchanged");
}
both_stores!(superseded_only_by_a_later_adopted_decision);
