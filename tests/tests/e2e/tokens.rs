//! Tokens that expire, can be listed and revoked (from the CLI and by the Secretariat over
//! HTTP), record their last use, and a signing key file others may read is refused.

use serde_json::{json, Value};
use sqlx::{Connection as _, PgConnection, SqliteConnection};

use crate::both_stores;
use crate::support::{expect_problem, last_line, Store, TestApp};

async fn get_as(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

/// Sets a token's expiry directly in the database: the passing of time, for the test.
async fn expire(app: &TestApp, id: &str) {
    let sql = format!("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE token_hash LIKE '{id}%'");
    match app.store {
        Store::Postgres => {
            let mut c = PgConnection::connect(&app.database_url).await.unwrap();
            sqlx::raw_sql(&sql).execute(&mut c).await.unwrap();
        }
        Store::Sqlite => {
            let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
            sqlx::raw_sql(&sql).execute(&mut c).await.unwrap();
        }
    }
}

async fn tokens_expire_are_listed_and_revoked(store: Store) {
    let app = TestApp::spawn(store).await;
    // Created from the CLI with a lifetime; listed with its id, never its secret.
    let out =
        app.ledger(&["token", "create", "--role", "auditor", "--subject", "audit-firm", "--expires-in", "12h"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let auditor = last_line(&out);
    assert_eq!(get_as(&app, &auditor, "/api/v1/meetings").await.status(), 200);
    let listed: Value = get_as(&app, &app.token, "/api/v1/tokens").await.json().await.unwrap();
    let row = listed.as_array().unwrap().iter().find(|t| t["subject"] == "audit-firm").cloned().unwrap();
    assert_eq!(row["status"], "active");
    assert!(row["last_used_at"].is_string(), "its use was recorded: {row}");
    assert!(!listed.to_string().contains(&auditor), "a listing never shows a secret");
    let id = row["id"].as_str().unwrap().to_string();
    let out = app.ledger(&["token", "list"]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));

    // Only the Secretariat administers tokens.
    expect_problem(get_as(&app, &auditor, "/api/v1/tokens").await, 403, "forbidden").await;
    expect_problem(app.client.get(app.url("/api/v1/tokens")).send().await.unwrap(), 401, "unauthorized").await;

    // Revoked: refused from the next request on.
    let out = app.ledger(&["token", "revoke", &id]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    expect_problem(get_as(&app, &auditor, "/api/v1/meetings").await, 401, "unauthorized").await;

    // Created by the Secretariat over HTTP, revoked over HTTP.
    let body = json!({"role": "donor", "subject": "donor-a-officer", "scope": "DONOR-A", "expires_in": "30d"});
    let response = app.client.post(app.url("/api/v1/tokens")).bearer_auth(&app.token).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let donor = created["token"].as_str().unwrap().to_string();
    assert_eq!(get_as(&app, &donor, "/api/v1/meetings").await.status(), 200);
    let path = format!("/api/v1/tokens/{}/revoke", created["id"].as_str().unwrap());
    let revoked: Value = app
        .client
        .post(app.url(&path))
        .bearer_auth(&app.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revoked["status"], "revoked");
    expect_problem(get_as(&app, &donor, "/api/v1/meetings").await, 401, "unauthorized").await;

    // Bad requests: a scope-less donor, an unknown role, a lifetime of 0 days, a bad id.
    for body in [
        json!({"role": "donor", "subject": "x"}),
        json!({"role": "emperor", "subject": "x"}),
        json!({"role": "auditor", "subject": "x", "expires_in": "0d"}),
    ] {
        let r = app.client.post(app.url("/api/v1/tokens")).bearer_auth(&app.token).json(&body).send().await.unwrap();
        expect_problem(r, 400, "malformed_request").await;
    }
    let r = app.client.post(app.url("/api/v1/tokens/nothex/revoke")).bearer_auth(&app.token).json(&json!({}));
    expect_problem(r.send().await.unwrap(), 400, "malformed_request").await;
    let r = app.client.post(app.url("/api/v1/tokens/0123456789abcdef/revoke")).bearer_auth(&app.token).json(&json!({}));
    expect_problem(r.send().await.unwrap(), 404, "not_found").await;

    // Expired: refused.
    let out = app.ledger(&["token", "create", "--role", "public", "--subject", "reader"]).await;
    let reader = last_line(&out);
    assert_eq!(get_as(&app, &reader, "/api/v1/meetings").await.status(), 200);
    let listed: Value = get_as(&app, &app.token, "/api/v1/tokens").await.json().await.unwrap();
    let id = listed.as_array().unwrap().iter().find(|t| t["subject"] == "reader").unwrap()["id"].clone();
    expire(&app, id.as_str().unwrap()).await;
    expect_problem(get_as(&app, &reader, "/api/v1/meetings").await, 401, "unauthorized").await;
    let listed: Value = get_as(&app, &app.token, "/api/v1/tokens").await.json().await.unwrap();
    let row = listed.as_array().unwrap().iter().find(|t| t["subject"] == "reader").cloned().unwrap();
    assert_eq!(row["status"], "expired");
}
both_stores!(tokens_expire_are_listed_and_revoked);

async fn a_key_file_others_may_read_is_refused(store: Store) {
    let mut app = TestApp::spawn(store).await;
    assert!(app.stop().await.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&app.key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file is created private");
        if let crate::support::Store::Sqlite = store {
            let db = app.database_url.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
            let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the SQLite database is private");
        }
        std::fs::set_permissions(&app.key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = app.ledger(&["serve", "--bind", "127.0.0.1:0"]).await;
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("chmod 600") && stderr.contains("open to other users"), "{stderr}");
        std::fs::set_permissions(&app.key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    app.start(&[]).await;
    assert_eq!(app.get_json("/health").await["status"], "ok");
}
both_stores!(a_key_file_others_may_read_is_refused);

/// Every read by a donor or auditor token is in the access log, which only the
/// Secretariat reads and nobody can change.
async fn donor_and_auditor_reads_are_logged(store: Store) {
    let app = TestApp::spawn(store).await;
    let mut tokens = Vec::new();
    for (role, subject, scope) in
        [("donor", "donor-a-officer", Some("DONOR-A")), ("auditor", "audit-firm", None), ("public", "reader", None)]
    {
        let mut args = vec!["token", "create", "--role", role, "--subject", subject];
        args.extend(scope.iter().flat_map(|s| ["--scope", *s]));
        let out = app.ledger(&args).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        tokens.push(last_line(&out));
    }
    let (donor, auditor, public) = (&tokens[0], &tokens[1], &tokens[2]);
    assert_eq!(get_as(&app, donor, "/api/v1/programme?as_of=2026-06-30").await.status(), 200);
    assert_eq!(get_as(&app, auditor, "/api/v1/audit?from=0&limit=5").await.status(), 200);
    assert_eq!(get_as(&app, public, "/api/v1/meetings").await.status(), 200);
    assert_eq!(get_as(&app, &app.token, "/api/v1/meetings").await.status(), 200);
    // A refused read is not a read of anything: not logged.
    assert_eq!(get_as(&app, donor, "/api/v1/donors/DONOR-B/trail").await.status(), 403);

    let log: Value = get_as(&app, &app.token, "/api/v1/access-log").await.json().await.unwrap();
    let rows: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["subject"].as_str().unwrap().into(),
                r["role"].as_str().unwrap().into(),
                r["target"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("donor-a-officer".into(), "donor".into(), "/api/v1/programme?as_of=2026-06-30".into()),
            ("audit-firm".into(), "auditor".into(), "/api/v1/audit?from=0&limit=5".into()),
        ],
        "the donor's and the auditor's reads, not the public's or the Secretariat's"
    );
    assert_eq!(log[0]["scope"], "DONOR-A");
    assert_eq!(log[0]["status"], 200);
    assert!(log[0]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(log[0]["token_id"].as_str().unwrap().len(), 16);

    // Only the Secretariat reads it; bad paging is a 400.
    expect_problem(get_as(&app, auditor, "/api/v1/access-log").await, 403, "forbidden").await;
    expect_problem(app.client.get(app.url("/api/v1/access-log")).send().await.unwrap(), 401, "unauthorized").await;
    expect_problem(get_as(&app, &app.token, "/api/v1/access-log?limit=0").await, 400, "malformed_request").await;
    expect_problem(get_as(&app, &app.token, "/api/v1/access-log?foo=1").await, 400, "malformed_request").await;

    // Append-only: the database refuses to change or delete an entry.
    for sql in ["UPDATE access_log SET subject = 'someone else'", "DELETE FROM access_log"] {
        let refused = match app.store {
            Store::Postgres => {
                let mut c = PgConnection::connect(&app.database_url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.is_err()
            }
            Store::Sqlite => {
                let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.is_err()
            }
        };
        assert!(refused, "{sql} must be refused");
    }
    let again: Value = get_as(&app, &app.token, "/api/v1/access-log").await.json().await.unwrap();
    assert_eq!(again, log, "nothing changed");
}
both_stores!(donor_and_auditor_reads_are_logged);
