//! The command pipeline's own rules, on both stores: business dates after the server's
//! clock, numbers that canonical JSON cannot carry, NUL in paths, the bearer scheme's
//! case, problem+json for every refusal at the edge, and one answer per Idempotency-Key
//! however many identical requests race.

use serde_json::{json, Value};

use crate::both_stores;
use crate::support::{expect_problem, meeting_in_session, Store, TestApp};

fn tomorrow() -> String {
    (chrono::Utc::now().date_naive() + chrono::Days::new(1)).format("%Y-%m-%d").to_string()
}

async fn history_len(app: &TestApp, path: &str) -> usize {
    app.get_json(path).await["items"].as_array().map(Vec::len).unwrap_or_default()
}

async fn facts_after_today_are_refused(store: Store) {
    let app = TestApp::spawn(store).await;
    let tomorrow = tomorrow();
    // Scheduling a meeting for a later day is a plan: allowed.
    let later =
        json!({"meeting_id": "M-LATER", "number": 40, "kind": "regular", "date": tomorrow, "modality": "virtual"});
    assert_eq!(app.post("/api/v1/meetings", later).await.status(), 201);
    // Opening it before that day is a fact that has not happened.
    let problem = expect_problem(
        app.post("/api/v1/meetings/M-LATER/open", json!({"opened_on": tomorrow})).await,
        422,
        "occurred_in_future",
    )
    .await;
    assert_eq!(problem["rule"], "occurred_in_future");
    assert!(problem["detail"].as_str().unwrap().contains(&tomorrow), "{problem}");
    app.settle().await;
    assert_eq!(history_len(&app, "/api/v1/meetings/M-LATER/history").await, 1, "nothing recorded by the refusal");

    // Minutes approved by silence before their comment deadline has passed in real time.
    meeting_in_session(&app, "M-NOW", 1, 1).await;
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let ok = |path: &str, body: Value| {
        let app = &app;
        let path = path.to_string();
        async move { assert!(app.post(&path, body).await.status().is_success(), "{path}") }
    };
    // An occurred_at the caller gives for an undated command is checked too.
    let propose = json!({"decision_id": "M-NOW-D1", "subject": {"kind": "procedural"}, "text": "t"});
    assert_eq!(app.post("/api/v1/meetings/M-NOW/decisions", propose).await.status(), 201);
    // An adoption dated after today is refused; adopted today it stands.
    let adopt = |on: &str| json!({"effective_on": on});
    expect_problem(app.post("/api/v1/decisions/M-NOW-D1/adopt", adopt(&tomorrow)).await, 422, "occurred_in_future")
        .await;
    ok("/api/v1/decisions/M-NOW-D1/adopt", adopt(&today)).await;
    let item = json!({"item_id": "A1", "text": "x", "owner": "ORG-0", "due_on": tomorrow,
        "envelope": {"occurred_at": tomorrow}});
    expect_problem(app.post("/api/v1/decisions/M-NOW-D1/assign_action_item", item).await, 422, "occurred_in_future")
        .await;
    ok("/api/v1/meetings/M-NOW/close", json!({"closed_on": today})).await;
    let minutes = "a".repeat(64);
    ok("/api/v1/meetings/M-NOW/draft_minutes", json!({"doc_sha256": minutes, "drafted_on": today})).await;
    ok("/api/v1/meetings/M-NOW/circulate_minutes", json!({"circulated_on": today, "comment_deadline": tomorrow})).await;
    let after_deadline = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).format("%Y-%m-%d").to_string();
    expect_problem(
        app.post("/api/v1/meetings/M-NOW/approve_minutes", json!({"approved_on": after_deadline})).await,
        422,
        "occurred_in_future",
    )
    .await;
    app.settle().await;
    assert_eq!(history_len(&app, "/api/v1/decisions/M-NOW-D1/history").await, 2, "nothing recorded by the refusals");
}
both_stores!(facts_after_today_are_refused);

async fn numbers_nul_and_schemes_are_refused_at_the_edge(store: Store) {
    let app = TestApp::spawn(store).await;
    // A float anywhere in the body, and an integer beyond 2^53 - 1, get 400 naming the field.
    let float =
        json!({"meeting_id": "M1", "number": 1.5, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
    let problem = expect_problem(app.post("/api/v1/meetings", float).await, 400, "malformed_request").await;
    assert!(problem["detail"].as_str().unwrap().contains("`number`"), "{problem}");
    let big = json!({"meeting_id": "M1", "number": 1, "kind": "regular", "date": "2026-01-10", "modality": "virtual",
        "envelope": {"provenance": {"confidence": "S", "weight": 9_007_199_254_740_992_u64}}});
    let problem = expect_problem(app.post("/api/v1/meetings", big).await, 400, "malformed_request").await;
    assert!(problem["detail"].as_str().unwrap().contains("`envelope.provenance.weight`"), "{problem}");
    // NUL in a path or a query: 400, anonymous or not, on every store.
    let client = reqwest::Client::new();
    for path in ["/api/v1/meetings/A%00B", "/api/v1/meetings/A%00B/history", "/api/v1/decisions?after=%00"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        expect_problem(response, 400, "malformed_request").await;
    }
    // The bearer scheme is case-insensitive.
    let body = json!({"meeting_id": "M2", "number": 2, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
    let response = client
        .post(app.url("/api/v1/meetings"))
        .header("authorization", format!("bearer {}", app.token))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    // A request target or headers beyond the limits: problem+json, not an empty body.
    let long = format!("/api/v1/meetings/{}", "x".repeat(9000));
    expect_problem(client.get(app.url(&long)).send().await.unwrap(), 414, "uri_too_long").await;
    let mut request = client.get(app.url("/api/v1/meetings"));
    for i in 0..40 {
        request = request.header(format!("x-filler-{i}"), "y".repeat(1000));
    }
    expect_problem(request.send().await.unwrap(), 431, "headers_too_large").await;
    app.settle().await;
    assert_eq!(history_len(&app, "/api/v1/meetings/M2/history").await, 1);
}
both_stores!(numbers_nul_and_schemes_are_refused_at_the_edge);

async fn identical_requests_with_one_key_get_one_answer(store: Store) {
    let app = TestApp::spawn(store).await;
    let body =
        json!({"meeting_id": "M-KEY", "number": 3, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = reqwest::Client::new();
        let url = app.url("/api/v1/meetings");
        let token = app.token.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "one-key")
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = response.headers().get("idempotent-replayed").is_some();
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap();
            (status, replayed, answer["events"][0]["hash"].clone())
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let created = answers.iter().filter(|(s, replayed, _)| *s == 201 && !replayed).count();
    let replays = answers.iter().filter(|(s, replayed, _)| *s == 200 && *replayed).count();
    assert_eq!((created, replays), (1, 15), "{answers:?}");
    let hashes: std::collections::BTreeSet<String> = answers.iter().map(|(_, _, h)| h.to_string()).collect();
    assert_eq!(hashes.len(), 1, "every answer names the one event: {answers:?}");
    app.settle().await;
    assert_eq!(history_len(&app, "/api/v1/meetings/M-KEY/history").await, 1);
}
both_stores!(identical_requests_with_one_key_get_one_answer);

async fn new_ids_follow_the_identifier_grammar(store: Store) {
    let app = TestApp::spawn(store).await;
    let meeting = |id: &str| json!({"meeting_id": id, "number": 5, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
    let long = "M".repeat(200 * 1024);
    let bad = [
        "GCG\u{200B}21", // zero-width space
        "GCG-2\u{0406}", // a Cyrillic letter that looks Latin
        "\u{FF27}CG-21", // full-width G
        "GCG\u{202E}12", // bidi override
        " GCG-21",       // leading space
        "GCG-21 ",       // trailing space
        "GCG..21",       // `..`
        "GCG/21",        // a path separator
        long.as_str(),   // 200 KB of text
    ];
    for id in bad {
        let problem = expect_problem(app.post("/api/v1/meetings", meeting(id)).await, 400, "malformed_request").await;
        assert!(problem["detail"].as_str().unwrap().contains("meeting id"), "{problem}");
    }
    assert_eq!(app.post("/api/v1/meetings", meeting("GCG-21.b_2")).await.status(), 201);
    // Attendance by an organisation nobody registered is refused.
    meeting_in_session(&app, "M-ATT", 1, 1).await;
    let stranger = json!({"organisation": "NOBODY", "status": {"kind": "observer"}});
    expect_problem(app.post("/api/v1/meetings/M-ATT/attendance", stranger).await, 422, "party_unknown").await;
    app.settle().await;
    let meetings = app.get_json("/api/v1/meetings").await["items"].clone();
    assert_eq!(meetings.as_array().unwrap().len(), 2, "only the valid meetings were recorded: {meetings}");
}
both_stores!(new_ids_follow_the_identifier_grammar);
