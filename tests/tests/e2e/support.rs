//! Test support: the real `ledger` binary on a free port, one fresh database per test.
//!
//! [`TestApp::spawn`] creates a private directory (SQLite file and key file) or a fresh
//! PostgreSQL database, creates a secretariat token with `ledger token create`, starts
//! `ledger serve --bind 127.0.0.1:0` and reads the address it prints. Dropping the app
//! kills the server and removes the directory.

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use sqlx::{Connection as _, PgConnection, SqliteConnection};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// The binary under test: built from server/src/main.rs, exactly like `ledger`.
pub const LEDGER: &str = env!("CARGO_BIN_EXE_ledger-under-test");

/// Which store the scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// Runs one scenario on both stores: `both_stores!(scenario_fn);` makes `scenario_fn::sqlite`
/// and `scenario_fn::postgres` tests.
#[macro_export]
macro_rules! both_stores {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario($crate::support::Store::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario($crate::support::Store::Postgres).await
            }
        }
    };
}

/// A running server and what it needs.
pub struct TestApp {
    pub store: Store,
    pub base: String,
    pub client: reqwest::Client,
    /// A secretariat token.
    pub token: String,
    pub database_url: String,
    pub dir: PathBuf,
    pub key_file: PathBuf,
    child: Option<Child>,
}

/// A fresh private directory and database for one test.
pub async fn fresh_ledger(store: Store) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("ledger-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = match store {
        Store::Sqlite => format!("sqlite://{}", dir.join("ledger.db").display()),
        Store::Postgres => tests::pg::fresh_database_url().await,
    };
    (dir, url)
}

impl TestApp {
    /// Starts a server on an empty ledger.
    pub async fn spawn(store: Store) -> Self {
        Self::spawn_with(store, &[]).await
    }

    /// Starts a server with the demo history loaded.
    pub async fn spawn_demo(store: Store) -> Self {
        Self::spawn_with(store, &["--demo"]).await
    }

    /// Starts a server with extra `serve` arguments.
    pub async fn spawn_with(store: Store, extra: &[&str]) -> Self {
        let (dir, database_url) = fresh_ledger(store).await;
        Self::spawn_on(store, dir, database_url, extra).await
    }

    /// Starts a server on a given database (e.g. on a cluster the test stops and starts).
    pub async fn spawn_on(store: Store, dir: PathBuf, database_url: String, extra: &[&str]) -> Self {
        let key_file = dir.join("ledger.key");
        let mut app = TestApp {
            store,
            base: String::new(),
            client: reqwest::Client::new(),
            token: String::new(),
            database_url,
            dir,
            key_file,
            child: None,
        };
        app.start(extra).await;
        let out = app.ledger(&["token", "create", "--role", "secretariat", "--subject", "alice"]).await;
        assert!(out.status.success(), "token create failed: {}", String::from_utf8_lossy(&out.stderr));
        app.token = last_line(&out);
        app
    }

    /// Starts `ledger serve --read-only` with extra arguments on a database another server
    /// writes (e.g. a hot standby of its database): no token is created, as a read-only
    /// server writes nothing; set [`TestApp::token`] to one the primary created.
    pub async fn spawn_read_only(dir: PathBuf, database_url: String, extra: &[&str]) -> Self {
        let key_file = dir.join("ledger.key");
        let mut app = TestApp {
            store: Store::Postgres,
            base: String::new(),
            client: reqwest::Client::new(),
            token: String::new(),
            database_url,
            dir,
            key_file,
            child: None,
        };
        let mut args = vec!["--read-only"];
        args.extend_from_slice(extra);
        app.start(&args).await;
        app
    }

    /// Starts (or restarts) the server process on this app's database and key.
    pub async fn start(&mut self, extra: &[&str]) {
        let mut command = Command::new(LEDGER);
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .envs(self.env())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("TEST_LOG").is_some() { Stdio::inherit() } else { Stdio::null() })
            .kill_on_drop(true);
        let mut child = command.spawn().expect("ledger serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("server printed its address in time")
            .expect("stdout readable")
            .expect("server printed a line before exiting");
        let address = line.strip_prefix("listening on ").expect("listening line").to_string();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.base = address;
        self.child = Some(child);
    }

    /// Stops the server with SIGTERM and waits for it; returns its exit status.
    pub async fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("server running");
        let pid = child.id().expect("pid");
        let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(20), child.wait())
            .await
            .expect("server stopped in time")
            .expect("wait")
    }

    /// Environment for the binary: this app's database and key.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("LEDGER_DATABASE_URL".into(), self.database_url.clone()),
            ("LEDGER_KEY_FILE".into(), self.key_file.display().to_string()),
        ]
    }

    /// Runs `ledger ARGS` against this app's database and key.
    pub async fn ledger(&self, args: &[&str]) -> Output {
        Command::new(LEDGER).args(args).envs(self.env()).output().await.expect("ledger runs")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs JSON with the secretariat token.
    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.post_as(&self.token, path, &[], &body).await
    }

    /// POSTs JSON with a given token and extra headers (`Idempotency-Key`, `If-Match`, `Prefer`).
    pub async fn post_as(&self, token: &str, path: &str, headers: &[(&str, &str)], body: &Value) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).bearer_auth(token).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request")
    }

    /// GETs and parses JSON, asserting 200.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.client.get(self.url(path)).send().await.expect("request");
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }

    /// Waits until every event is sealed and projected.
    pub async fn settle(&self) {
        for _ in 0..400 {
            let health = self.get_json("/health").await;
            let events = health["events"].as_i64().unwrap_or(-1);
            if health["awaiting_seal"] == 0 && health["projection_lag"] == 0 && health["ledger_size"] == events {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the ledger did not settle");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The last non-empty line of a command's stdout.
pub fn last_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Asserts a problem+json response with the status and code; returns the body.
pub async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status);
    body
}

/// Establishes the GCG (once) with voting seats `S0`…`S{n-1}` held by organisations
/// `ORG-0`… from 2020-01-01. Safe to call again with a larger `n`.
pub async fn gcg_with_seats(app: &TestApp, n: u32) {
    let establish = serde_json::json!({
        "body_id": "GCG", "name": "Global Coordinating Group", "established_on": "2016-09-21", "secretariat": "ILO",
        "initial_policy": {"version": "gcg-rules/test", "method": {"kind": "consensus"},
            "quorum": {"kind": "majority_of_filled_voting_seats"}, "provisional": true, "silence_period_days": 14}
    });
    let r = app.post("/api/v1/gcg/establish", establish).await;
    assert!(r.status() == 201 || r.status() == 422, "establish: {}", r.status());
    for seat in 0..n {
        let org = serde_json::json!({"organisation_id": format!("ORG-{seat}"), "name": format!("Organisation {seat}"),
            "category": "civil_society", "registered_on": "2016-09-21"});
        let r = app.post("/api/v1/organisations", org).await;
        assert!(r.status() == 201 || r.status() == 422, "register: {}", r.status());
        let define = serde_json::json!({"seat_id": format!("S{seat}"), "constituency": "civil_society", "voting": true, "defined_on": "2016-09-21"});
        let r = app.post("/api/v1/gcg/define_seat", define).await;
        assert!(r.status() == 200 || r.status() == 422, "define: {}", r.status());
        let assign =
            serde_json::json!({"seat_id": format!("S{seat}"), "holder": format!("ORG-{seat}"), "from": "2020-01-01"});
        let r = app.post("/api/v1/gcg/assign_seat", assign).await;
        assert!(r.status() == 200 || r.status() == 422, "assign: {}", r.status());
    }
}

/// Schedules and opens a meeting (2026-06-16) of a GCG with `filled` voting seats, records
/// `present` of them as present and declares the quorum.
pub async fn meeting_in_session(app: &TestApp, id: &str, present: u32, filled: u32) {
    gcg_with_seats(app, filled).await;
    let r = app
        .post("/api/v1/meetings", serde_json::json!({"meeting_id": id, "number": 30, "kind": "regular", "date": "2026-06-16", "modality": "virtual"}))
        .await;
    assert_eq!(r.status(), 201);
    let r = app.post(&format!("/api/v1/meetings/{id}/open"), serde_json::json!({"opened_on": "2026-06-16"})).await;
    assert_eq!(r.status(), 200);
    for seat in 0..present {
        let body = serde_json::json!({"seat_id": format!("S{seat}"), "organisation": format!("ORG-{seat}"), "status": {"kind": "present"}});
        assert_eq!(app.post(&format!("/api/v1/meetings/{id}/attendance"), body).await.status(), 200);
    }
    let r = app.post(&format!("/api/v1/meetings/{id}/quorum"), serde_json::json!({})).await;
    assert_eq!(r.status(), 200);
}

/// The projector's kept document counts per view, and the counts of the stored documents
/// themselves, each as (view, documents) in view order: the two must agree.
pub async fn view_counts(app: &TestApp) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    const KEPT: &str = "SELECT view, documents FROM view_counts WHERE documents > 0 ORDER BY view";
    const COUNTED: &str = "SELECT view, COUNT(*) FROM view_documents GROUP BY view ORDER BY view";
    match app.store {
        Store::Postgres => {
            let mut c = PgConnection::connect(&app.database_url).await.unwrap();
            let kept = sqlx::query_as(KEPT).fetch_all(&mut c).await.unwrap();
            (kept, sqlx::query_as(COUNTED).fetch_all(&mut c).await.unwrap())
        }
        Store::Sqlite => {
            let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
            let kept = sqlx::query_as(KEPT).fetch_all(&mut c).await.unwrap();
            (kept, sqlx::query_as(COUNTED).fetch_all(&mut c).await.unwrap())
        }
    }
}

/// Deletes everything as an attacker with database rights (triggers disabled first).
pub async fn wipe(app: &TestApp) {
    let tables = [
        "events",
        "positions",
        "merkle_hashes",
        "cosignatures",
        "checkpoints",
        "ledger_inbox",
        "view_documents",
        "view_counts",
        "audit_history",
        "projection_cursors",
    ];
    match app.store {
        Store::Postgres => {
            let mut c = PgConnection::connect(&app.database_url).await.unwrap();
            for t in ["events", "positions", "merkle_hashes", "cosignatures", "checkpoints"] {
                sqlx::raw_sql(&format!("ALTER TABLE {t} DISABLE TRIGGER USER")).execute(&mut c).await.unwrap();
            }
            for t in tables {
                sqlx::raw_sql(&format!("DELETE FROM {t}")).execute(&mut c).await.unwrap();
            }
            for t in ["events", "positions", "merkle_hashes", "cosignatures", "checkpoints"] {
                sqlx::raw_sql(&format!("ALTER TABLE {t} ENABLE TRIGGER USER")).execute(&mut c).await.unwrap();
            }
        }
        Store::Sqlite => {
            let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
            let triggers: Vec<(String, String)> =
                sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_%'")
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
            for (name, _) in &triggers {
                sqlx::raw_sql(&format!("DROP TRIGGER {name}")).execute(&mut c).await.unwrap();
            }
            for t in tables {
                sqlx::raw_sql(&format!("DELETE FROM {t}")).execute(&mut c).await.unwrap();
            }
            for (_, sql) in &triggers {
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            }
        }
    }
}
