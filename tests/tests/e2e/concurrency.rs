//! 16 concurrent commands on one aggregate: every acknowledged event stored exactly once,
//! the chain intact, the others refused with 409 — over HTTP, and straight against the
//! store where concurrent writers race for the same sequence number.

use std::sync::Arc;

use ledger_store::chaining::Envelope;
use serde_json::json;
use server::pipeline::{CommandError, CommandMeta, CommandService};

use crate::both_stores;
use crate::support::{fresh_ledger, meeting_in_session, Store, TestApp};

async fn concurrent_writers_on_one_aggregate(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "HOT", 32, 32).await;
    let body = json!({"decision_id": "HOT-D1", "subject": {"kind": "procedural"}, "text": "x"});
    assert_eq!(app.post("/api/v1/meetings/HOT/decisions", body).await.status(), 201);

    // All sixteen expect version 1: one wins, fifteen are stale.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/v1/decisions/HOT-D1/positions");
        let token = app.token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"seat_id": format!("S{i}"), "position": "for"});
            let r = client.post(url).bearer_auth(token).header("if-match", "\"1\"").json(&body).send().await.unwrap();
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
            200 => accepted.push(i),
            409 => {
                assert_eq!(body["code"], "conflict");
                conflicts += 1;
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!((accepted.len(), conflicts), (1, 15));

    // Without If-Match all sixteen are applied, one after another, each exactly once.
    let mut tasks = Vec::new();
    for i in 16..32 {
        let client = app.client.clone();
        let url = app.url("/api/v1/decisions/HOT-D1/positions");
        let token = app.token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"seat_id": format!("S{i}"), "position": "for"});
            client.post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    app.settle().await;
    let decision = app.get_json("/api/v1/decisions/HOT-D1").await;
    let seats: Vec<String> =
        decision["positions"].as_array().unwrap().iter().map(|p| p["seat_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seats.len(), 17, "every acknowledged event is stored exactly once");
    assert!(seats.contains(&format!("S{}", accepted[0])));
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "chain intact: {}", String::from_utf8_lossy(&out.stdout));
}
both_stores!(concurrent_writers_on_one_aggregate);

async fn racing_writers_in_the_store_get_conflicts(store: Store) {
    let (dir, url) = fresh_ledger(store).await;
    let db = ledger_store::Db::connect(&url).await.unwrap();
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [1u8; 32]).unwrap());
    let ledger = Arc::new(CommandService::new(db.clone(), signer.clone()));
    let meta = || CommandMeta {
        envelope: Envelope { actor: "race".into(), role: "secretariat".into(), ..Envelope::default() },
        expected_version: None,
    };
    // An aggregate whose commands need no lock: every racing writer reaches the store.
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let register = domain::reference::OrganisationCommand::Register {
        organisation_id: "RACE-ORG".into(),
        name: "Racing organisation".into(),
        acronym: None,
        category: domain::reference::OrganisationCategory::Business,
        iati_ref: None,
        country: None,
        registered_on: day("2026-01-01"),
    };
    ledger.execute::<domain::reference::Organisation>("RACE-ORG", register, meta()).await.unwrap();

    let mut tasks = Vec::new();
    for i in 0..16 {
        let ledger = Arc::clone(&ledger);
        let meta = meta();
        tasks.push(tokio::spawn(async move {
            let command = domain::reference::OrganisationCommand::Rename {
                name: format!("Name {i}"),
                renamed_on: day("2026-02-01"),
            };
            ledger.execute::<domain::reference::Organisation>("RACE-ORG", command, meta).await
        }));
    }
    let (mut accepted, mut conflicts) = (Vec::new(), 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(outcome) => accepted.push(outcome.version),
            Err(CommandError::Conflict(_)) => conflicts += 1,
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert!(!accepted.is_empty());
    assert_eq!(accepted.len() + conflicts, 16);
    accepted.sort_unstable();
    accepted.dedup();
    assert_eq!(accepted.len() + conflicts, 16, "no sequence acknowledged twice");
    let stored: i64 = ledger_store::with_pool!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_id = 'RACE-ORG'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored as usize, 1 + accepted.len(), "exactly the acknowledged events are stored");
    ledger_store::sealer::Sealer::new(db.clone(), signer.clone(), "test.example/ledger".into())
        .catch_up()
        .await
        .unwrap();
    ledger_store::verify::verify(&db, &signer.verifier(), &|_| {}).await.expect("chain intact");
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
both_stores!(racing_writers_in_the_store_get_conflicts);

/// Two servers on one PostgreSQL database: a meeting locked by one is locked for the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_lock_spans_servers_on_postgres() {
    let (dir, url) = fresh_ledger(Store::Postgres).await;
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [2u8; 32]).unwrap());
    let first = CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), Arc::clone(&signer));
    let second = CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), Arc::clone(&signer));

    let held = first.lock_meeting("GCG-30").await.unwrap();
    let waiting = tokio::time::timeout(std::time::Duration::from_millis(300), second.lock_meeting("GCG-30")).await;
    assert!(waiting.is_err(), "the other server waits while the meeting is locked");
    let other_meeting = tokio::time::timeout(std::time::Duration::from_secs(5), second.lock_meeting("GCG-31")).await;
    assert!(other_meeting.is_ok(), "another meeting is not blocked");
    drop(other_meeting);
    drop(held);
    let acquired = tokio::time::timeout(std::time::Duration::from_secs(5), second.lock_meeting("GCG-30")).await;
    assert!(acquired.expect("released on drop").is_ok());
    let _ = std::fs::remove_dir_all(dir);
}
