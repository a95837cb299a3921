//! A read-only server on a PostgreSQL streaming replica: a primary cluster of the test's
//! own, a hot standby made from it with `pg_basebackup -R`, the real `ledger` binary
//! serving the primary and a second one serving the standby with `serve --read-only
//! --primary URL`. The replica serves what the primary records (checkpoints, audit,
//! proofs, dossiers, tiles, metrics, readiness with the replication state), answers every
//! command 503 problem+json naming the primary, changes nothing, and `ledger verify` passes
//! against the standby. It refuses to start on a schema other than the one it expects, on
//! another ledger's key, and with settings that would make it write. Then the runbook's
//! failover: the primary fenced, the standby promoted, verify against the published
//! checkpoints, and a server without `--read-only` on it taking commands.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Connection as _;

use crate::support::{expect_problem, last_line, meeting_in_session, Store, TestApp, LEDGER};

/// Runs `ledger ARGS`, which must refuse to start: exit 2 within a minute. Returns stderr.
async fn refused<S: AsRef<str>>(args: &[S], env: &[(&str, &str)]) -> String {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut command = tokio::process::Command::new(LEDGER);
    command.args(&args).envs(env.iter().copied()).kill_on_drop(true);
    let out: Output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .unwrap_or_else(|_| panic!("`ledger {}` should have refused to start", args.join(" ")))
        .expect("ledger runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "`ledger {}`: {stderr}", args.join(" "));
    stderr
}

/// A fresh private directory.
fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ledger-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn get_text(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.expect("request");
    (response.status().as_u16(), response.text().await.expect("body"))
}

/// Waits until the replica serves `path` exactly as the primary does.
async fn until_replicated(primary: &TestApp, replica: &TestApp, path: &str) {
    let wanted = get_text(primary, path).await;
    assert_eq!(wanted.0, 200, "GET {path} on the primary");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if get_text(replica, path).await == wanted {
            return;
        }
        assert!(Instant::now() < deadline, "the replica never served {path} as the primary does: {}", wanted.1);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `ledger intact: …` line's tree size and root.
fn tree_and_root(line: &str) -> String {
    line.split(", ").filter(|p| p.starts_with("tree size") || p.starts_with("root")).collect::<Vec<_>>().join(", ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_server_on_a_streaming_replica_serves_reads_and_refuses_commands_naming_the_primary() {
    let primary_cluster = tests::pg::OwnCluster::start_primary().expect("a primary cluster of the test's own");
    let url = primary_cluster.fresh_database_url().await;
    let database = url.rsplit('/').next().expect("a database name").to_string();
    let published = temp_dir();
    let publish = ["--publish-checkpoints", published.to_str().unwrap()];
    let mut primary = TestApp::spawn_on(Store::Postgres, temp_dir(), url.clone(), &publish).await;
    let public_key = get_text(&primary, "/api/v1/ledger/public-key").await.1.trim().to_string();

    // Two databases for the refusals: one with no schema, one a migration behind this build.
    let empty = primary_cluster.fresh_database_url().await;
    let behind = primary_cluster.fresh_database_url().await;
    let out = primary.ledger(&["token", "list", "--database-url", &behind]).await;
    assert!(out.status.success(), "migrating {behind}: {}", String::from_utf8_lossy(&out.stderr));
    let mut conn = sqlx::PgConnection::connect(&behind).await.unwrap();
    sqlx::raw_sql("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    // The standby, and the read-only server on it: no key file, the published key only.
    let standby = tests::pg::OwnCluster::standby_of(&primary_cluster).expect("a hot standby of the primary");
    let standby_url = standby.database_url(&database);
    let primary_base = primary.base.clone();
    let replica_args = ["--primary", primary_base.as_str(), "--public-key", public_key.as_str()];
    let mut replica = TestApp::spawn_read_only(temp_dir(), standby_url.clone(), &replica_args).await;
    assert!(!replica.key_file.exists(), "the replica holds no signing key");
    replica.token = primary.token.clone();

    // The primary records; the replica follows by streaming replication.
    meeting_in_session(&primary, "M-REP", 2, 3).await;
    primary.settle().await;
    until_replicated(&primary, &replica, "/api/v1/ledger/checkpoint").await;
    let health = primary.get_json("/health").await;
    let events = health["events"].as_i64().expect("events");
    assert!((10..256).contains(&events), "{health}");
    for path in [
        "/health".to_string(),
        "/api/v1/meetings/M-REP".to_string(),
        "/api/v1/gcg".to_string(),
        "/api/v1/audit?limit=1000".to_string(),
        "/api/v1/ledger/checkpoints".to_string(),
        "/api/v1/ledger/proofs/inclusion?position=3".to_string(),
        "/api/v1/ledger/proofs/consistency?from=2".to_string(),
        "/api/v1/ledger/public-key".to_string(),
        "/checkpoint".to_string(),
        format!("/tile/0/000.p/{events}"),
    ] {
        until_replicated(&primary, &replica, &path).await;
    }

    // The replica's dossier verifies offline against the published key.
    let dossier = replica.dir.join("m-rep.json");
    std::fs::write(&dossier, get_text(&replica, "/api/v1/dossiers/meeting:M-REP").await.1).unwrap();
    let out = replica.ledger(&["verify", "--dossier", dossier.to_str().unwrap(), "--public-key", &public_key]).await;
    assert!(out.status.success(), "{}", last_line(&out));

    // Readiness reports the replica's state; metrics say it is read-only.
    let ready = replica.get_json("/ready").await;
    assert_eq!(ready["mode"], "read_only", "{ready}");
    assert_eq!(ready["primary"], primary_base, "{ready}");
    assert_eq!(ready["replication"]["in_recovery"], true, "{ready}");
    assert!(ready["replication"]["replay_lag_seconds"].is_number(), "{ready}");
    assert!(ready["replication"]["last_replayed_at"].is_string(), "{ready}");
    assert_eq!(primary.client.get(primary.url("/ready")).send().await.unwrap().status(), 200);
    let metrics = get_text(&replica, "/metrics").await.1;
    assert!(metrics.contains("\nledger_read_only 1\n"), "{metrics}");
    assert!(metrics.contains("\nledger_replica_replay_lag_seconds "), "{metrics}");
    assert!(metrics.contains(&format!("\nledger_events {events}\n")), "{metrics}");
    assert!(get_text(&primary, "/metrics").await.1.contains("\nledger_read_only 0\n"));

    // A token never used before works on the replica, which does not record its use.
    let out = primary.ledger(&["token", "create", "--role", "secretariat", "--subject", "bob"]).await;
    assert!(out.status.success());
    let bob = last_line(&out);
    let deadline = Instant::now() + Duration::from_secs(30);
    let listed: Vec<Value> = loop {
        let r = replica.client.get(replica.url("/api/v1/tokens")).bearer_auth(&bob).send().await.unwrap();
        if r.status() == 200 {
            break r.json().await.unwrap();
        }
        assert_eq!(r.status(), 401, "until bob's token is replicated");
        assert!(Instant::now() < deadline, "bob's token never reached the replica");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let bob_on = |tokens: &[Value]| tokens.iter().find(|t| t["subject"] == "bob").cloned().expect("bob listed");
    assert_eq!(bob_on(&listed)["last_used_at"], Value::Null);
    assert_eq!(replica.client.get(replica.url("/api/v1/audit")).bearer_auth(&bob).send().await.unwrap().status(), 200);

    // Every command is refused, before authentication, naming the primary; nothing changes.
    let meeting =
        json!({"meeting_id": "M-NOPE", "number": 2, "kind": "regular", "date": "2026-06-16", "modality": "virtual"});
    let response = replica.post("/api/v1/meetings", meeting.clone()).await;
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
    let problem = expect_problem(response, 503, "read_only_replica").await;
    assert_eq!(problem["primary"], primary_base, "{problem}");
    assert!(problem["title"].as_str().unwrap().contains("read-only replica"), "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("read-only replica") && detail.contains(&primary_base), "{problem}");
    let no_token = replica.client.post(replica.url("/api/v1/meetings")).json(&meeting).send().await.unwrap();
    expect_problem(no_token, 503, "read_only_replica").await;
    for path in [
        "/api/v1/meetings/M-REP/close",
        "/api/v1/meetings/M-REP/attendance",
        "/api/v1/meetings/M-REP/publish_report",
        "/api/v1/decisions/D-1/adopt",
        "/api/v1/gcg/define_seat",
        "/api/v1/organisations",
        "/api/v1/groups/AG-X/add_member",
        "/api/v1/programmes/P/allocate",
        "/api/v1/tokens",
        "/api/v1/tokens/0123456789abcdef/revoke",
        "/api/v1/ledger/checkpoints/1/cosignatures",
    ] {
        expect_problem(replica.post(path, json!({})).await, 503, "read_only_replica").await;
    }
    // A route without the method stays a 405, an unknown path a 404.
    expect_problem(replica.post("/api/v1/audit", json!({})).await, 405, "method_not_allowed").await;
    expect_problem(replica.post("/api/v1/nowhere", json!({})).await, 404, "not_found").await;
    let r = replica.client.delete(replica.url("/api/v1/meetings/M-REP")).bearer_auth(&bob).send().await.unwrap();
    expect_problem(r, 405, "method_not_allowed").await;
    assert_eq!(replica.get_json("/health").await["events"], events);
    assert_eq!(primary.get_json("/health").await["events"], events);
    assert_eq!(replica.client.get(replica.url("/api/v1/meetings/M-NOPE")).send().await.unwrap().status(), 404);
    let on_primary: Vec<Value> = primary
        .client
        .get(primary.url("/api/v1/tokens"))
        .bearer_auth(&primary.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bob_on(&on_primary)["last_used_at"], Value::Null, "nobody recorded bob's use");

    // The primary goes on recording, and the replica follows.
    let r = primary.post("/api/v1/meetings", meeting).await;
    assert_eq!(r.status(), 201);
    primary.settle().await;
    until_replicated(&primary, &replica, "/api/v1/ledger/checkpoint").await;
    until_replicated(&primary, &replica, "/api/v1/meetings/M-NOPE").await;

    // verify reads the standby and finds the primary's very tree.
    let verify = |database_url: String| {
        let key = public_key.clone();
        async move {
            tokio::process::Command::new(LEDGER)
                .args(["verify", "--database-url", &database_url, "--public-key", &key])
                .output()
                .await
                .unwrap()
        }
    };
    let on_standby = verify(standby_url.clone()).await;
    assert!(on_standby.status.success(), "{}\n{}", last_line(&on_standby), String::from_utf8_lossy(&on_standby.stderr));
    let on_standby = last_line(&on_standby);
    assert!(on_standby.starts_with("ledger intact"), "{on_standby}");
    assert_eq!(tree_and_root(&on_standby), tree_and_root(&last_line(&verify(url.clone()).await)));

    // Refusals at start: no schema, a schema behind this build, another ledger's key, no key.
    let standby_empty = standby.database_url(empty.rsplit('/').next().unwrap());
    let standby_behind = standby.database_url(behind.rsplit('/').next().unwrap());
    let serve = |database_url: String, key: String| async move {
        refused(
            &["serve", "--read-only", "--bind", "127.0.0.1:0", "--database-url", &database_url, "--public-key", &key],
            &[],
        )
        .await
    };
    let no_schema = serve(standby_empty, public_key.clone()).await;
    assert!(no_schema.contains("no ledger schema") && no_schema.contains("never migrates"), "{no_schema}");
    let lagging = serve(standby_behind, public_key.clone()).await;
    assert!(lagging.contains("is missing") && lagging.contains("upgrade the primary"), "{lagging}");
    let other = ledger_format::LedgerSigner::from_seed("alliance87-ledger.example/ledger", [7u8; 32]).unwrap();
    let wrong_key = serve(standby_url.clone(), other.public_key()).await;
    assert!(wrong_key.contains("does not verify this ledger's latest checkpoint"), "{wrong_key}");
    let missing = replica.dir.join("no.key");
    let no_key = refused(
        &["serve", "--read-only", "--bind", "127.0.0.1:0", "--database-url", &standby_url],
        &[("LEDGER_KEY_FILE", missing.to_str().unwrap())],
    )
    .await;
    assert!(no_key.contains("needs the ledger's public key"), "{no_key}");

    // Failover, as the runbook says: fence the primary, promote the standby; the read-only
    // server still writes nothing, verify against the published checkpoints passes, and a
    // server started without --read-only, with the ledger's key, takes commands.
    assert!(primary.stop().await.success());
    primary_cluster.stop_server().expect("the primary's cluster stops");
    standby.promote().expect("the standby is promoted");
    let ready = replica.get_json("/ready").await;
    assert_eq!(ready["replication"]["in_recovery"], false, "{ready}");
    let again =
        json!({"meeting_id": "M-AFTER", "number": 3, "kind": "regular", "date": "2026-06-16", "modality": "virtual"});
    expect_problem(replica.post("/api/v1/meetings", again.clone()).await, 503, "read_only_replica").await;
    assert!(replica.stop().await.success(), "the replica stops gracefully");
    let out = tokio::process::Command::new(LEDGER)
        .args(["verify", "--database-url", &standby_url, "--public-key", &public_key])
        .arg("--checkpoint-dir")
        .arg(&published)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}\n{}", last_line(&out), String::from_utf8_lossy(&out.stderr));
    let dir = temp_dir();
    std::fs::copy(&primary.key_file, dir.join("ledger.key")).expect("the ledger's key");
    let mut promoted = TestApp::spawn_on(Store::Postgres, dir, standby_url.clone(), &publish).await;
    assert_eq!(get_text(&promoted, "/api/v1/ledger/public-key").await.1.trim(), public_key);
    assert_eq!(promoted.post("/api/v1/meetings", again).await.status(), 201);
    promoted.settle().await;
    assert_eq!(promoted.get_json("/health").await["events"], events + 2);
    assert!(promoted.stop().await.success());
    let out = promoted.ledger(&["verify", "--checkpoint-dir", published.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", last_line(&out));
    let _ = std::fs::remove_dir_all(published);
}

/// Settings that would make a read-only server write, or a replica on a store without
/// replicas, are refused before anything is opened.
#[tokio::test]
async fn read_only_refuses_settings_that_would_write() {
    let dir = temp_dir();
    let sqlite = format!("sqlite://{}", dir.join("ledger.db").display());
    let key =
        ledger_format::LedgerSigner::from_seed("alliance87-ledger.example/ledger", [7u8; 32]).unwrap().public_key();
    let base = ["serve", "--bind", "127.0.0.1:0", "--database-url", sqlite.as_str(), "--public-key", key.as_str()];
    let with = |extra: &[&str]| base.iter().chain(extra).map(|a| a.to_string()).collect::<Vec<String>>();
    let out = refused(&with(&["--read-only"]), &[]).await;
    assert!(out.contains("SQLite store has no replicas"), "{out}");
    assert!(!dir.join("ledger.db").exists(), "nothing was created");
    let out = refused(&with(&["--read-only", "--demo"]), &[]).await;
    assert!(out.contains("--demo") && out.contains("writes nothing"), "{out}");
    let publish = dir.join("checkpoints");
    let out = refused(&with(&["--read-only", "--publish-checkpoints", publish.to_str().unwrap()]), &[]).await;
    assert!(out.contains("signs none"), "{out}");
    let out = refused(&with(&["--read-only", "--primary", "primary.example"]), &[]).await;
    assert!(out.contains("--primary must be the primary's base URL"), "{out}");
    let out = refused(&with(&["--primary", "https://primary.example"]), &[]).await;
    assert!(out.contains("needs --read-only"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}
