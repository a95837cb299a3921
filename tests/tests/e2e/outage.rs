//! The database goes away under load and comes back: the server answers 503 with
//! `Retry-After` within seconds (never a hang, never a 500), `/ready` says so within a
//! second, `/health` stays up, and it recovers without a restart, losing nothing it
//! acknowledged. On a PostgreSQL cluster of the test's own, which it stops and starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{last_line, Store, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_fails_fast_while_the_database_is_away_and_recovers_by_itself() {
    let cluster = tests::pg::OwnCluster::start().expect("a cluster of the test's own");
    let url = cluster.fresh_database_url().await;
    let dir = std::env::temp_dir().join(format!("ledger-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut app = TestApp::spawn_on(Store::Postgres, dir, url, &[]).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();

    // Bounded load: four writers scheduling meetings until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let statuses = Arc::new(Mutex::new(Vec::<u16>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, token) = (client.clone(), app.url("/api/v1/meetings"), app.token.clone());
        let (stop, acknowledged, statuses) = (stop.clone(), acknowledged.clone(), statuses.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let id = format!("OUT-{w}-{i}");
                let body = json!({"meeting_id": id, "number": 1, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
                let status = match client.post(&base).bearer_auth(&token).json(&body).send().await {
                    Ok(r) => r.status().as_u16(),
                    Err(e) => panic!("no answer at all (a hang or a dropped connection): {e}"),
                };
                statuses.lock().unwrap().push(status);
                if status == 201 {
                    acknowledged.lock().unwrap().push(id);
                } else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;

    // pg_ctl waits for the shutdown; the writers carry on meanwhile in the runtime's workers.
    cluster.stop_server().expect("the cluster stops");
    // Readiness says so within a second; liveness stays up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let ready = client.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(started.elapsed() < Duration::from_millis(1500), "/ready took {:?}", started.elapsed());
    assert_eq!(ready.headers()["content-type"], "application/problem+json");
    let health = client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // A command fails fast, with Retry-After.
    let started = Instant::now();
    let body =
        json!({"meeting_id": "OUT-PROBE", "number": 1, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
    let response = client.post(app.url("/api/v1/meetings")).bearer_auth(&app.token).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(4), "the command took {:?}", started.elapsed());
    assert_eq!(response.headers()["retry-after"], "2");
    let read = client.get(app.url("/api/v1/meetings")).send().await.unwrap();
    assert_eq!(read.status(), 503);
    tokio::time::sleep(Duration::from_secs(2)).await;

    cluster.start_server().expect("the cluster starts again");
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(app.url("/ready")).send().await.unwrap().status() != 200 {
        assert!(Instant::now() < deadline, "the server recovers by itself");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let statuses = statuses.lock().unwrap().clone();
    assert!(!statuses.contains(&500), "never a 500: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 503), "{statuses:?}");
    assert!(statuses.contains(&503), "the outage was seen under load");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 4, "writes before and after the outage: {}", acknowledged.len());
    app.settle().await;
    for id in &acknowledged {
        let r = client.get(app.url(&format!("/api/v1/meetings/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 200, "{id} was acknowledged, so it is stored");
    }
    assert!(app.stop().await.success());
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "{}", last_line(&out));
}
