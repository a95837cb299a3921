//! 16 concurrent commands on one aggregate: every acknowledged event stored exactly once,
//! the chain intact, the others refused with 409.

use serde_json::json;

use crate::both_stores;
use crate::support::{meeting_in_session, Store, TestApp};

async fn concurrent_writers_on_one_aggregate(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "HOT", 1, 3).await;
    let body = json!({"decision_id": "HOT-D1", "subject": {"kind": "procedural"}, "text": "x"});
    assert_eq!(app.post("/api/v1/meetings/HOT/decisions", body).await.status(), 201);

    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/v1/decisions/HOT-D1/positions");
        let token = app.token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"seat_id": format!("SEAT-{i}"), "position": "for"});
            let r = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let json: serde_json::Value = r.json().await.unwrap();
            (i, status, json)
        }));
    }
    let mut accepted = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        let (i, status, body) = task.await.unwrap();
        match status {
            200 => accepted.push((i, body["events"][0]["sequence"].as_u64().unwrap())),
            409 => {
                assert_eq!(body["code"], "conflict");
                conflicts += 1;
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert!(!accepted.is_empty());
    assert_eq!(accepted.len() + conflicts, 16);
    let mut sequences: Vec<u64> = accepted.iter().map(|(_, s)| *s).collect();
    sequences.sort_unstable();
    sequences.dedup();
    assert_eq!(sequences.len(), accepted.len(), "no two acknowledged commands got the same sequence");

    app.settle().await;
    let decision = app.get_json("/api/v1/decisions/HOT-D1").await;
    let seats: Vec<String> =
        decision["positions"].as_array().unwrap().iter().map(|p| p["seat_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seats.len(), accepted.len(), "every acknowledged event is stored exactly once");
    for (i, _) in &accepted {
        assert_eq!(seats.iter().filter(|s| **s == format!("SEAT-{i}")).count(), 1);
    }
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "chain intact: {}", String::from_utf8_lossy(&out.stdout));
}
both_stores!(concurrent_writers_on_one_aggregate);
