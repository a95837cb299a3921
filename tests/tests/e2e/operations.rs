//! Operating the server: OpenAPI, health and metrics, keys, graceful shutdown, restart.

use serde_json::json;

use crate::both_stores;
use crate::support::{fresh_ledger, last_line, Store, TestApp, LEDGER};

async fn openapi_health_metrics_and_restart(store: Store) {
    let mut app = TestApp::spawn(store).await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/meetings",
        "/api/v1/decisions/{id}/adopt",
        "/api/v1/ledger/checkpoint",
        "/api/v1/meetings/{id}/history",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let response = app.client.get(app.url("/health")).send().await.unwrap();
    assert!(response.headers().get("x-request-id").is_some(), "every response carries a request id");
    assert_eq!(app.client.get(app.url("/ready")).send().await.unwrap().status(), 200);
    let r = app.client.get(app.url("/api/v1/ledger/checkpoint")).send().await.unwrap();
    assert_eq!(r.status(), 404, "no checkpoint before anything is sealed");

    let r = app
        .post(
            "/api/v1/meetings",
            json!({"meeting_id": "M", "number": 1, "kind": "regular", "date": "2026-06-16", "modality": "virtual"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    app.settle().await;
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("ledger_events 1"), "{metrics}");
    assert!(metrics.contains("ledger_tree_size 1"));

    // SIGTERM: graceful exit; a restart keeps the key and the history.
    let public_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    assert!(app.stop().await.success());
    app.start(&[]).await;
    let again = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    assert_eq!(public_key, again, "the key file is reused");
    assert_eq!(app.get_json("/api/v1/meetings/M").await["status"], "scheduled");
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success());
}
both_stores!(openapi_health_metrics_and_restart);

async fn keygen_and_wrong_public_key(store: Store) {
    let (dir, url) = fresh_ledger(store).await;
    let key = dir.join("k.key");
    let out = tokio::process::Command::new(LEDGER)
        .args(["keygen", "--key-file", key.to_str().unwrap(), "--origin", "example.org/test"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    let public_key = last_line(&out);
    assert!(public_key.starts_with("example.org/test+"), "{public_key}");
    let out = tokio::process::Command::new(LEDGER)
        .args(["keygen", "--key-file", key.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "keygen never overwrites a key");

    let out = tokio::process::Command::new(LEDGER)
        .args(["demo", "--database-url", &url, "--key-file", key.to_str().unwrap(), "--origin", "example.org/test"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verify = |k: String| {
        let url = url.clone();
        async move {
            tokio::process::Command::new(LEDGER)
                .args(["verify", "--database-url", &url, "--public-key", &k])
                .output()
                .await
                .unwrap()
        }
    };
    assert!(verify(public_key.clone()).await.status.success());
    let other = ledger_format::LedgerSigner::from_seed("example.org/test", [3u8; 32]).unwrap().public_key();
    let out = verify(other).await;
    assert_eq!(out.status.code(), Some(1), "another key's ledger does not verify: {}", last_line(&out));
    let _ = std::fs::remove_dir_all(dir);
}
both_stores!(keygen_and_wrong_public_key);

/// Parses Prometheus text: every sample line as (name with labels, value); panics on a
/// line that is neither a comment nor a sample.
fn samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {l}"));
            let value = if value == "+Inf" { f64::INFINITY } else { value.parse().unwrap_or_else(|_| panic!("{l}")) };
            (name.to_string(), value)
        })
        .collect()
}

async fn metrics_count_requests_commands_and_lags(store: Store) {
    let app = TestApp::spawn(store).await;
    let meeting =
        json!({"meeting_id": "M-MET", "number": 1, "kind": "regular", "date": "2026-01-10", "modality": "virtual"});
    assert_eq!(app.post("/api/v1/meetings", meeting.clone()).await.status(), 201);
    assert_eq!(app.post("/api/v1/meetings", meeting).await.status(), 422);
    app.settle().await;
    assert_eq!(app.client.get(app.url("/api/v1/meetings/M-MET")).send().await.unwrap().status(), 200);
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let samples = samples(&text);
    let value = |name: &str| {
        samples.iter().find(|(n, _)| n == name).map(|(_, v)| *v).unwrap_or_else(|| panic!("no {name} in\n{text}"))
    };
    assert_eq!(value(r#"ledger_commands_total{aggregate="meeting",command="schedule",outcome="accepted"}"#), 1.0);
    assert_eq!(
        value(
            r#"ledger_commands_total{aggregate="meeting",command="schedule",outcome="refused:meeting_already_scheduled"}"#
        ),
        1.0
    );
    assert!(value(r#"ledger_http_requests_total{method="POST",route="/api/v1/meetings",status="201"}"#) >= 1.0);
    assert!(value(r#"ledger_http_requests_total{method="GET",route="/api/v1/meetings/{id}",status="200"}"#) >= 1.0);
    let labels = r#"method="POST",route="/api/v1/meetings",status="201""#;
    let count = value(&format!("ledger_http_request_duration_seconds_count{{{labels}}}"));
    assert_eq!(value(&format!("ledger_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}}")), count);
    assert_eq!(value("ledger_awaiting_seal"), 0.0);
    assert_eq!(value("ledger_sealer_lag_seconds"), 0.0);
    assert_eq!(value(r#"ledger_projection_lag{projector="governance"}"#), 0.0);
    assert_eq!(value("ledger_checkpoint_size"), value("ledger_tree_size"));
    assert!(value("ledger_checkpoint_age_seconds") >= 0.0);
    assert_eq!(value("ledger_witness_quorum"), 0.0);
    assert!(value("ledger_db_pool_max_connections") >= 1.0);
}
both_stores!(metrics_count_requests_commands_and_lags);

/// The `ledger intact: …` line's tree size and root.
fn tree_and_root(line: &str) -> String {
    line.split(", ")
        .filter(|part| part.starts_with("tree size") || part.starts_with("root"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn backup_and_restore_keep_every_root(store: Store) {
    let mut app = TestApp::spawn(store).await;
    crate::support::meeting_in_session(&app, "M-BAK", 2, 3).await;
    app.settle().await;
    // A backup of the live ledger, then of nothing over an existing file.
    let backup = app.dir.join("ledger.backup");
    let out = app.ledger(&["backup", "--out", backup.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = app.ledger(&["backup", "--out", backup.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2), "a backup never overwrites a file");
    assert!(app.stop().await.success());
    let original = last_line(&app.ledger(&["verify"]).await);

    // Restored onto a fresh database, it verifies and has the very same tree and root.
    let (dir, target) = fresh_ledger(store).await;
    let target = match store {
        Store::Sqlite => format!("sqlite://{}", dir.join("restored.db").display()),
        Store::Postgres => target,
    };
    let out = tokio::process::Command::new(LEDGER)
        .args(["restore", "--from", backup.to_str().unwrap(), "--database-url", &target])
        .env("LEDGER_KEY_FILE", &app.key_file)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}\n{}", last_line(&out), String::from_utf8_lossy(&out.stderr));
    let restored = last_line(&out);
    assert!(restored.starts_with("restore verified: ledger intact"), "{restored}");
    assert_eq!(tree_and_root(&restored), tree_and_root(&original), "{restored}\n{original}");
    // A second restore into the now non-empty target is refused.
    let out = tokio::process::Command::new(LEDGER)
        .args(["restore", "--from", backup.to_str().unwrap(), "--database-url", &target])
        .env("LEDGER_KEY_FILE", &app.key_file)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The restored ledger serves.
    let mut restored_app = TestApp::spawn_on(store, dir, target, &[]).await;
    assert_eq!(restored_app.get_json("/api/v1/meetings/M-BAK").await["meeting_id"], "M-BAK");
    assert!(restored_app.stop().await.success());
}
both_stores!(backup_and_restore_keep_every_root);

#[tokio::test]
async fn migrate_store_moves_the_embedded_ledger_to_postgres_with_identical_roots() {
    // A demo ledger on the embedded store, plus a token and an event left unsealed.
    let mut app = TestApp::spawn_demo(Store::Sqlite).await;
    app.settle().await;
    assert!(app.stop().await.success());
    let before = last_line(&app.ledger(&["verify"]).await);
    assert!(before.starts_with("ledger intact"), "{before}");

    let target = tests::pg::fresh_database_url().await;
    let out = app.ledger(&["migrate-store", "--from", &app.database_url.clone(), "--to", &target]).await;
    assert!(out.status.success(), "{}\n{}", last_line(&out), String::from_utf8_lossy(&out.stderr));
    let moved = last_line(&out);
    assert!(moved.contains("identical trees"), "{moved}");
    assert_eq!(tree_and_root(&moved), tree_and_root(&before), "{moved}\n{before}");

    // The moved ledger serves on PostgreSQL with the same key, token and answers.
    let dir = app.dir.clone();
    let mut moved_app = TestApp::spawn_on(Store::Postgres, dir, target.clone(), &[]).await;
    moved_app.key_file = app.key_file.clone();
    assert!(moved_app.stop().await.success());
    moved_app.start(&[]).await;
    moved_app.settle().await;
    let gcg = moved_app.get_json("/api/v1/gcg?as_of=2022-12-31").await;
    assert_eq!(gcg["chair"]["holder"], "FRA", "{gcg}");
    let r = moved_app.client.get(moved_app.url("/api/v1/tokens")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(r.status(), 200, "the token moved with the ledger");
    let r =
        moved_app.client.get(moved_app.url("/api/v1/pathfinders/NPL")).bearer_auth(&app.token).send().await.unwrap();
    let npl: serde_json::Value = r.json().await.unwrap();
    let person = &npl["state"]["focal_point"]["person"];
    assert_eq!(person["personal_data"]["name"], "Demo focal point NPL", "the register moved with the ledger: {npl}");
    assert!(moved_app.stop().await.success());
    let after = last_line(&moved_app.ledger(&["verify"]).await);
    assert_eq!(tree_and_root(&after), tree_and_root(&before));

    // A second migration into the now full target is refused.
    let out = app.ledger(&["migrate-store", "--from", &app.database_url.clone(), "--to", &target]).await;
    assert_eq!(out.status.code(), Some(2));
}
