//! Every refusal over HTTP: the right status, problem+json with the rule, and nothing
//! already recorded lost or altered.

use serde_json::json;

use crate::both_stores;
use crate::support::{expect_problem, meeting_in_session, Store, TestApp};

/// Event count and the latest checkpoint, to show a refusal changed nothing.
async fn snapshot(app: &TestApp) -> (serde_json::Value, serde_json::Value) {
    app.settle().await;
    (app.get_json("/health").await["events"].clone(), app.get_json("/api/v1/decisions").await)
}

async fn domain_rules_refuse_with_422_naming_the_rule(store: Store) {
    let app = TestApp::spawn(store).await;
    // Quorum declared but not met: 1 of 5 present, 3 required.
    meeting_in_session(&app, "LOW", 1, 5).await;
    let body = json!({"decision_id": "LOW-D1", "subject": {"kind": "procedural"}, "text": "Adjourn."});
    assert_eq!(app.post("/api/v1/meetings/LOW/decisions", body).await.status(), 201);
    let before = snapshot(&app).await;
    let r = app.post("/api/v1/decisions/LOW-D1/adopt", json!({"effective_on": "2026-06-16"})).await;
    let problem = expect_problem(r, 422, "quorum_not_met").await;
    assert_eq!(problem["rule"], "quorum_not_met");
    assert_eq!(snapshot(&app).await, before, "a refusal records nothing");

    // No quorum declared at all.
    let r = app
        .post(
            "/api/v1/meetings",
            json!({"meeting_id": "NOQ", "number": 31, "kind": "regular", "date": "2026-07-01", "modality": "virtual"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(app.post("/api/v1/meetings/NOQ/open", json!({"opened_on": "2026-07-01"})).await.status(), 200);
    let body = json!({"decision_id": "NOQ-D1", "subject": {"kind": "procedural"}, "text": "x"});
    assert_eq!(app.post("/api/v1/meetings/NOQ/decisions", body).await.status(), 201);
    let r = app.post("/api/v1/decisions/NOQ-D1/adopt", json!({"effective_on": "2026-07-01"})).await;
    expect_problem(r, 422, "quorum_not_declared").await;

    // Consensus blocked, then the adopted decision cannot be edited.
    meeting_in_session(&app, "OK", 3, 5).await;
    let body = json!({"decision_id": "OK-D1", "subject": {"kind": "procedural"}, "text": "x"});
    assert_eq!(app.post("/api/v1/meetings/OK/decisions", body).await.status(), 201);
    let r = app.post("/api/v1/decisions/OK-D1/positions", json!({"seat_id": "S1", "position": "block"})).await;
    assert_eq!(r.status(), 200);
    let r = app.post("/api/v1/decisions/OK-D1/adopt", json!({"effective_on": "2026-06-16"})).await;
    expect_problem(r, 422, "consensus_blocked").await;
    let r = app.post("/api/v1/decisions/OK-D1/positions", json!({"seat_id": "S1", "position": "abstain"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.post("/api/v1/decisions/OK-D1/adopt", json!({"effective_on": "2026-06-16"})).await.status(), 200);
    let before = snapshot(&app).await;
    let r = app.post("/api/v1/decisions/OK-D1/positions", json!({"seat_id": "S2", "position": "against"})).await;
    expect_problem(r, 422, "decision_already_adopted").await;
    let r = app.post("/api/v1/decisions/OK-D1/reject", json!({"reason": "changed our minds"})).await;
    expect_problem(r, 422, "decision_already_adopted").await;
    let r = app.post("/api/v1/decisions/OK-D1/adopt", json!({"effective_on": "2026-06-20"})).await;
    expect_problem(r, 422, "decision_already_adopted").await;
    assert_eq!(snapshot(&app).await, before, "the adopted decision is unchanged");

    // Meeting rules.
    let r = app
        .post(
            "/api/v1/meetings",
            json!({"meeting_id": "OK", "number": 30, "kind": "regular", "date": "2026-06-16", "modality": "virtual"}),
        )
        .await;
    expect_problem(r, 422, "meeting_already_scheduled").await;
    let r = app.post("/api/v1/meetings/OK/close", json!({"closed_on": "2026-06-16"})).await;
    assert_eq!(r.status(), 200);
    let r = app.post("/api/v1/meetings/OK/quorum", json!({})).await;
    expect_problem(r, 422, "meeting_closed").await;
    let body = json!({"decision_id": "OK-D2", "subject": {"kind": "procedural"}, "text": "late"});
    expect_problem(app.post("/api/v1/meetings/OK/decisions", body).await, 422, "meeting_closed").await;
    // Before any seat was held (seats are held from 2020), no quorum can be declared.
    let early =
        json!({"meeting_id": "EARLY", "number": 3, "kind": "regular", "date": "2019-06-01", "modality": "virtual"});
    assert_eq!(app.post("/api/v1/meetings", early).await.status(), 201);
    assert_eq!(app.post("/api/v1/meetings/EARLY/open", json!({"opened_on": "2019-06-01"})).await.status(), 200);
    let r = app.post("/api/v1/meetings/EARLY/quorum", json!({})).await;
    expect_problem(r, 422, "no_voting_seats_filled").await;
    // Quorum is computed from the seats: a client cannot supply it.
    let r = app.post("/api/v1/meetings/NOQ/quorum", json!({"voting_seats_filled": 0})).await;
    expect_problem(r, 400, "malformed_request").await;
    let r = app
        .post(
            "/api/v1/meetings",
            json!({"meeting_id": "ZERO", "number": 0, "kind": "regular", "date": "2026-06-16", "modality": "virtual"}),
        )
        .await;
    expect_problem(r, 422, "meeting_number_invalid").await;

    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "nothing recorded was altered: {}", String::from_utf8_lossy(&out.stdout));
}
both_stores!(domain_rules_refuse_with_422_naming_the_rule);

async fn http_errors_are_problems_with_the_right_status(store: Store) {
    let app = TestApp::spawn(store).await;
    let schedule =
        json!({"meeting_id": "GCG-40", "number": 40, "kind": "regular", "date": "2026-06-16", "modality": "virtual"});

    // 401: no token, unknown token; 403: a role that may not write.
    let r = app.client.post(app.url("/api/v1/meetings")).json(&schedule).send().await.unwrap();
    expect_problem(r, 401, "unauthorized").await;
    let r = app.post_as("a87_forged", "/api/v1/meetings", &[], &schedule).await;
    expect_problem(r, 401, "unauthorized").await;
    let r = app.client.get(app.url("/api/v1/meetings")).bearer_auth("a87_forged").send().await.unwrap();
    expect_problem(r, 401, "unauthorized").await;
    let out = app.ledger(&["token", "create", "--role", "auditor", "--subject", "audit-firm"]).await;
    let auditor = crate::support::last_line(&out);
    let r = app.post_as(&auditor, "/api/v1/meetings", &[], &schedule).await;
    expect_problem(r, 403, "forbidden").await;
    let r = app.client.get(app.url("/api/v1/meetings")).bearer_auth(&auditor).send().await.unwrap();
    assert_eq!(r.status(), 200, "an auditor reads");
    let out = app.ledger(&["token", "create", "--role", "emperor"]).await;
    assert_eq!(out.status.code(), Some(2), "unknown roles are refused");

    // 400: malformed JSON, wrong types, unknown fields, bad envelope; 415: not JSON.
    let r = app
        .client
        .post(app.url("/api/v1/meetings"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{bad")
        .send()
        .await
        .unwrap();
    expect_problem(r, 400, "malformed_request").await;
    let r = app.post("/api/v1/meetings", json!({"meeting_id": "X", "number": "forty", "kind": "regular", "date": "2026-06-16", "modality": "virtual"})).await;
    expect_problem(r, 400, "malformed_request").await;
    let r = app.post("/api/v1/meetings", json!({"meeting_id": "X", "number": 1, "kind": "regular", "date": "2026-06-16", "modality": "virtual", "colour": "red"})).await;
    expect_problem(r, 400, "malformed_request").await;
    let r = app
        .post(
            "/api/v1/meetings",
            json!({"meeting_id": "X", "number": 1, "kind": "regular", "date": "2026-13-45", "modality": "virtual"}),
        )
        .await;
    expect_problem(r, 400, "malformed_request").await;
    let mut bad_envelope = schedule.clone();
    bad_envelope["envelope"] = json!({"provenance": {"confidence": "maybe"}});
    expect_problem(app.post("/api/v1/meetings", bad_envelope).await, 400, "malformed_request").await;
    let mut bad_evidence = schedule.clone();
    bad_evidence["envelope"] = json!({"evidence": [{"sha256": "not-a-hash"}]});
    expect_problem(app.post("/api/v1/meetings", bad_evidence).await, 400, "malformed_request").await;
    let r = app.client.post(app.url("/api/v1/meetings")).bearer_auth(&app.token).body("x").send().await.unwrap();
    expect_problem(r, 415, "unsupported_media_type").await;
    let big = json!({"meeting_id": "X", "number": 1, "kind": "regular", "date": "2026-06-16", "modality": "virtual", "location": "x".repeat(300_000)});
    expect_problem(app.post("/api/v1/meetings", big).await, 413, "payload_too_large").await;

    // 404: unknown resources and commands on unknown aggregates.
    let r = app.client.get(app.url("/api/v1/meetings/NOPE")).send().await.unwrap();
    expect_problem(r, 404, "not_found").await;
    let r = app.client.get(app.url("/api/v1/decisions/NOPE/history")).send().await.unwrap();
    expect_problem(r, 404, "not_found").await;
    expect_problem(app.post("/api/v1/meetings/NOPE/open", json!({"opened_on": "2026-06-16"})).await, 404, "not_found")
        .await;
    expect_problem(
        app.post("/api/v1/decisions/NOPE/adopt", json!({"effective_on": "2026-06-16"})).await,
        404,
        "not_found",
    )
    .await;
    let r = app.client.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    expect_problem(r, 404, "not_found").await;

    // 409: a stale If-Match; 200 + same receipt for a replayed Idempotency-Key.
    let r = app.post_as(&app.token, "/api/v1/meetings", &[("idempotency-key", "k-1")], &schedule).await;
    assert_eq!(r.status(), 201);
    let first: serde_json::Value = r.json().await.unwrap();
    let r = app.post_as(&app.token, "/api/v1/meetings", &[("idempotency-key", "k-1")], &schedule).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let replay: serde_json::Value = r.json().await.unwrap();
    assert_eq!(replay["events"], first["events"], "the first result, nothing new written");
    // The same key for another resource is refused; another caller's identical key is its own.
    let other =
        json!({"meeting_id": "GCG-41", "number": 41, "kind": "regular", "date": "2026-06-17", "modality": "virtual"});
    let r = app.post_as(&app.token, "/api/v1/meetings", &[("idempotency-key", "k-1")], &other).await;
    expect_problem(r, 422, "idempotency_key_reused").await;
    let out = app.ledger(&["token", "create", "--role", "secretariat", "--subject", "bob"]).await;
    let bob = crate::support::last_line(&out);
    let r = app.post_as(&bob, "/api/v1/meetings", &[("idempotency-key", "k-1")], &other).await;
    assert_eq!(r.status(), 201, "keys are scoped to the caller");

    // The same key, command and resource with a different body is refused too.
    let mut changed = schedule.clone();
    changed["location"] = json!("Geneva");
    let r = app.post_as(&app.token, "/api/v1/meetings", &[("idempotency-key", "k-1")], &changed).await;
    expect_problem(r, 422, "idempotency_key_reused").await;

    // NUL characters cannot be stored (PostgreSQL's JSON refuses them): 400 on every store.
    let nul = json!({"meeting_id": "N", "number": 1, "kind": "regular", "date": "2026-06-16", "modality": "virtual", "location": "a\u{0}b"});
    expect_problem(app.post("/api/v1/meetings", nul).await, 400, "malformed_request").await;

    // Malformed concurrency headers and out-of-range paging are 400s.
    let r = app
        .post_as(
            &app.token,
            "/api/v1/meetings/GCG-40/open",
            &[("if-match", "\"two\"")],
            &json!({"opened_on": "2026-06-16"}),
        )
        .await;
    expect_problem(r, 400, "malformed_request").await;
    let long_key = "k".repeat(201);
    let r = app.post_as(&app.token, "/api/v1/meetings", &[("idempotency-key", long_key.as_str())], &schedule).await;
    expect_problem(r, 400, "malformed_request").await;
    for bad in [
        "/api/v1/audit?limit=0",
        "/api/v1/audit?from=-1",
        "/api/v1/ledger/checkpoints?limit=5000",
        "/api/v1/audit?colour=red",
    ] {
        expect_problem(app.client.get(app.url(bad)).send().await.unwrap(), 400, "malformed_request").await;
    }

    // 405 as a problem too.
    let r = app.client.delete(app.url("/api/v1/meetings")).bearer_auth(&app.token).send().await.unwrap();
    expect_problem(r, 405, "method_not_allowed").await;

    let open = json!({"opened_on": "2026-06-16"});
    let r = app.post_as(&app.token, "/api/v1/meetings/GCG-40/open", &[("if-match", "\"7\"")], &open).await;
    expect_problem(r, 409, "conflict").await;
    let r = app.post_as(&app.token, "/api/v1/meetings/GCG-40/open", &[("if-match", "\"1\"")], &open).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    app.settle().await;
    assert_eq!(app.get_json("/health").await["events"], 3, "only the three accepted commands were recorded");
    let r = app.client.get(app.url("/api/v1/meetings/GCG-40")).send().await.unwrap();
    assert_eq!(r.headers()["etag"], "\"2\"", "reads carry the version to send back as If-Match");
    let history = app.get_json("/api/v1/meetings/GCG-40/history").await["items"].clone();
    assert_eq!(history.as_array().unwrap().len(), 2);
}
both_stores!(http_errors_are_problems_with_the_right_status);
