//! Tampering behind the application's back, by an attacker with database rights who
//! disables the append-only triggers first: `ledger verify` must exit 1 and name the first
//! broken event. Also: with the triggers in place, the database itself refuses.

use ledger_format::seal::RecordParts;
use ledger_format::{Checkpoint, EventRecord, LedgerSigner, Seal};
use serde_json::{json, Value};
use sqlx::{Connection as _, PgConnection, SqliteConnection};

use crate::both_stores;
use crate::support::{last_line, meeting_in_session, Store, TestApp};

/// A stopped ledger with one meeting (T: scheduled, opened, 2 attendance, quorum) and one
/// decision (T-D1: proposed, adopted), ready to be tampered with.
async fn recorded_history(store: Store) -> TestApp {
    let mut app = TestApp::spawn(store).await;
    meeting_in_session(&app, "T", 2, 3).await;
    let body = json!({"decision_id": "T-D1", "subject": {"kind": "procedural"}, "text": "Hold an extra session."});
    assert_eq!(app.post("/api/v1/meetings/T/decisions", body).await.status(), 201);
    assert_eq!(app.post("/api/v1/decisions/T-D1/adopt", json!({"effective_on": "2026-06-16"})).await.status(), 200);
    app.settle().await;
    assert!(app.stop().await.success(), "graceful shutdown exits 0");
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "intact before tampering: {}", last_line(&out));
    app
}

/// How many events the (stopped) ledger has sealed.
async fn ledger_size(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM positions";
    match app.store {
        Store::Postgres => {
            let mut conn = PgConnection::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
        Store::Sqlite => {
            let mut conn = SqliteConnection::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
    }
}

/// Runs statements as the attacker: database owner, triggers disabled first.
pub(crate) async fn attack(app: &TestApp, statements: &[String]) {
    match app.store {
        Store::Postgres => {
            let mut conn = PgConnection::connect(&app.database_url).await.unwrap();
            for table in ["events", "positions", "merkle_hashes", "checkpoints"] {
                sqlx::raw_sql(&format!("ALTER TABLE {table} DISABLE TRIGGER USER")).execute(&mut conn).await.unwrap();
            }
            for s in statements {
                sqlx::raw_sql(s).execute(&mut conn).await.unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        }
        Store::Sqlite => {
            let mut conn = SqliteConnection::connect(&app.database_url).await.unwrap();
            let triggers: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_%'")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            for t in triggers {
                sqlx::raw_sql(&format!("DROP TRIGGER {t}")).execute(&mut conn).await.unwrap();
            }
            for s in statements {
                sqlx::raw_sql(s).execute(&mut conn).await.unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        }
    }
}

/// `json` needs a cast on PostgreSQL.
fn json_col(store: Store, column: &str) -> String {
    match store {
        Store::Postgres => format!("{column}::text"),
        Store::Sqlite => column.to_string(),
    }
}

fn as_json(store: Store, expr: &str) -> String {
    match store {
        Store::Postgres => format!("({expr})::json"),
        Store::Sqlite => expr.to_string(),
    }
}

/// Runs verify and asserts it fails naming `at` and `what`.
async fn verify_fails(app: &TestApp, at: &str, what: &str) {
    let out = app.ledger(&["verify"]).await;
    let line = last_line(&out);
    assert_eq!(out.status.code(), Some(1), "verify must fail: {line}");
    assert!(line.contains(at), "`{line}` should name `{at}`");
    assert!(line.contains(what), "`{line}` should say `{what}`");
}

/// On PostgreSQL verify reads the positions and the events in two scans and joins them as
/// it goes. Rows moved into another order than the ledger's are read ahead, held and still
/// checked; past `--read-ahead` the rest is read with the joining query. Either way the
/// verdict is the same, intact or broken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stored_out_of_ledger_order_verify_alike() {
    let app = recorded_history(Store::Postgres).await;
    // The table rewritten in key order: the decision's events before the meeting's, the
    // reverse of their ledger order.
    attack(&app, &["CLUSTER events USING events_pkey".into()]).await;
    let mut said = Vec::new();
    for read_ahead in ["65536", "2", "0"] {
        let out = app.ledger(&["verify", "--read-ahead", read_ahead]).await;
        assert!(out.status.success(), "read ahead {read_ahead}: {}", last_line(&out));
        said.push(last_line(&out));
    }
    assert!(said.iter().all(|s| *s == said[0] && s.contains("ledger intact")), "{said:?}");

    let store = Store::Postgres;
    let edit = as_json(store, &format!("replace({}, '\"alice\"', '\"mallory\"')", json_col(store, "metadata")));
    attack(&app, &[format!("UPDATE events SET metadata = {edit} WHERE aggregate_id = 'T' AND sequence = 3")]).await;
    for read_ahead in ["65536", "2", "0"] {
        let out = app.ledger(&["verify", "--read-ahead", read_ahead]).await;
        let line = last_line(&out);
        assert_eq!(out.status.code(), Some(1), "read ahead {read_ahead}: {line}");
        assert!(
            line.contains("meeting T sequence 3") && line.contains("content does not match its stored hash"),
            "{line}"
        );
    }
}

async fn edited_payload_is_caught(store: Store) {
    let app = recorded_history(store).await;
    let edit = as_json(
        store,
        &format!("replace({}, 'Hold an extra session.', 'Cancel all sessions.')", json_col(store, "payload")),
    );
    attack(&app, &[format!("UPDATE events SET payload = {edit} WHERE aggregate_id = 'T-D1' AND sequence = 1")]).await;
    verify_fails(&app, "decision T-D1 sequence 1", "content does not match its stored hash").await;
}
both_stores!(edited_payload_is_caught);

async fn edited_metadata_is_caught(store: Store) {
    let app = recorded_history(store).await;
    let edit = as_json(store, &format!("replace({}, '\"alice\"', '\"mallory\"')", json_col(store, "metadata")));
    attack(&app, &[format!("UPDATE events SET metadata = {edit} WHERE aggregate_id = 'T' AND sequence = 3")]).await;
    verify_fails(&app, "meeting T sequence 3", "content does not match its stored hash").await;
}
both_stores!(edited_metadata_is_caught);

async fn deleted_event_is_caught(store: Store) {
    let app = recorded_history(store).await;
    attack(&app, &["DELETE FROM events WHERE aggregate_id = 'T' AND sequence = 3".into()]).await;
    verify_fails(&app, "meeting T sequence 3", "missing from the events table").await;
}
both_stores!(deleted_event_is_caught);

async fn deleted_last_event_of_an_aggregate_is_caught(store: Store) {
    let app = recorded_history(store).await;
    attack(&app, &["DELETE FROM events WHERE aggregate_id = 'T-D1' AND sequence = 2".into()]).await;
    verify_fails(&app, "decision T-D1 sequence 2", "missing from the events table").await;
}
both_stores!(deleted_last_event_of_an_aggregate_is_caught);

async fn deleted_last_event_and_its_ledger_row_is_caught(store: Store) {
    let app = recorded_history(store).await;
    let size = ledger_size(&app).await;
    attack(
        &app,
        &[
            "DELETE FROM events WHERE aggregate_id = 'T-D1' AND sequence = 2".into(),
            "DELETE FROM positions WHERE aggregate_id = 'T-D1' AND sequence = 2".into(),
        ],
    )
    .await;
    let message = format!("a signed checkpoint covers {size} events but the ledger holds only {}", size - 1);
    verify_fails(&app, "position", &message).await;
}
both_stores!(deleted_last_event_and_its_ledger_row_is_caught);

async fn swapped_events_are_caught(store: Store) {
    let app = recorded_history(store).await;
    attack(
        &app,
        &[
            "UPDATE events SET sequence = 1000 WHERE aggregate_id = 'T' AND sequence = 3".into(),
            "UPDATE events SET sequence = 3 WHERE aggregate_id = 'T' AND sequence = 4".into(),
            "UPDATE events SET sequence = 4 WHERE aggregate_id = 'T' AND sequence = 1000".into(),
        ],
    )
    .await;
    verify_fails(&app, "meeting T sequence 3", "content does not match its stored hash").await;
}
both_stores!(swapped_events_are_caught);

/// The last stored event of an aggregate, as the attacker reads it: its sequence, hash,
/// metadata, event type and payload (as text).
async fn last_event(app: &TestApp, aggregate_id: &str) -> (i64, String, Value, String, String) {
    let sql = format!(
        "SELECT sequence, {}, {}, event_type FROM events WHERE aggregate_id = '{aggregate_id}' \
         ORDER BY sequence DESC LIMIT 1",
        json_col(app.store, "payload"),
        json_col(app.store, "metadata")
    );
    let (sequence, payload, metadata, event_type): (i64, String, String, String) = match app.store {
        Store::Postgres => {
            let mut c = PgConnection::connect(&app.database_url).await.unwrap();
            sqlx::query_as(&sql).fetch_one(&mut c).await.unwrap()
        }
        Store::Sqlite => {
            let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
            sqlx::query_as(&sql).fetch_one(&mut c).await.unwrap()
        }
    };
    let metadata: Value = serde_json::from_str(&metadata).unwrap();
    (sequence, metadata["ledger"]["hash"].as_str().unwrap().to_string(), metadata, event_type, payload)
}

/// An INSERT of T-D1's next event, chained on its last and signed by another key: what an
/// attacker with database rights but without the ledger's key can write.
async fn forged_next_event(app: &TestApp) -> String {
    let (sequence, prev_hash, mut metadata, _, _) = last_event(app, "T-D1").await;
    metadata.as_object_mut().unwrap().remove("ledger");
    metadata["actor"] = json!("alice");
    let record = EventRecord {
        aggregate_type: "decision".into(),
        aggregate_id: "T-D1".into(),
        sequence: sequence as u64 + 1,
        event_type: "DecisionSuperseded".into(),
        event_version: "1".into(),
        payload: json!({"DecisionSuperseded": {"by_decision_id": "FORGED"}}),
        metadata: metadata.clone(),
        prev_hash: prev_hash.clone(),
        visibility: None,
        scope: None,
        pseudonym: None,
        salt: None,
    };
    let hash = record.hash().unwrap();
    let attacker = LedgerSigner::from_seed("alliance87-ledger.example/ledger", [9u8; 32]).unwrap();
    metadata["ledger"] =
        json!({"prev_hash": prev_hash, "hash": hex::encode(hash), "signature": attacker.sign_event_hash(&hash)});
    format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('decision', 'T-D1', {}, 'DecisionSuperseded', '1', '{}', '{}')",
        sequence + 1,
        record.payload,
        metadata.to_string().replace('\'', "''")
    )
}

async fn forged_event_with_a_consistent_chain_is_caught(store: Store) {
    let app = recorded_history(store).await;
    let insert = forged_next_event(&app).await;
    attack(&app, &[insert]).await;
    verify_fails(&app, "decision T-D1 sequence 3", "recorder signature does not verify").await;
}
both_stores!(forged_event_with_a_consistent_chain_is_caught);

/// The sealer gives a position only to an event whose signature verifies: one written
/// behind the running server's back, with an inbox row, stays unsealed, and verify names
/// it. (So a signed checkpoint vouches for the signatures of what it covers.)
async fn a_forged_event_is_never_sealed(store: Store) {
    let mut app = recorded_history(store).await;
    app.start(&[]).await;
    let sealed_before = app.get_json("/health").await["ledger_size"].as_i64().unwrap();
    let insert = forged_next_event(&app).await;
    let mut statements = vec![
        insert,
        "INSERT INTO ledger_inbox (aggregate_type, aggregate_id, sequence) SELECT 'decision', 'T-D1', 3 \
         WHERE NOT EXISTS (SELECT 1 FROM ledger_inbox WHERE aggregate_id = 'T-D1' AND sequence = 3)"
            .to_string(),
    ];
    if store == Store::Postgres {
        statements.push("ALTER TABLE events ENABLE TRIGGER USER".into());
    }
    attack(&app, &statements).await;
    // A command of the Secretariat wakes the sealer; it seals that one and refuses the other.
    let body = json!({"meeting_id": "T2", "number": 2, "kind": "regular", "date": "2026-06-17", "modality": "virtual"});
    assert_eq!(app.post("/api/v1/meetings", body).await.status(), 201);
    let mut health = Value::Null;
    for _ in 0..400 {
        health = app.get_json("/health").await;
        if health["awaiting_seal"] == 0 && health["projection_lag"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(health["awaiting_seal"], 0, "{health}");
    assert_eq!(
        health["ledger_size"].as_i64().unwrap(),
        sealed_before + 1,
        "the Secretariat's event was sealed, the forged one was not: {health}"
    );
    assert!(app.stop().await.success());
    verify_fails(&app, "decision T-D1 sequence 3", "recorder signature does not verify").await;
}
both_stores!(a_forged_event_is_never_sealed);

/// A sealed event given other content, re-hashed and signed by another key, its ledger
/// leaf rewritten to match: only the checkpoint's root differs, and verify names the event
/// by its signature, by default and with `--signatures all`.
async fn a_forged_sealed_event_is_named_by_its_signature(store: Store) {
    let app = recorded_history(store).await;
    let out = app.ledger(&["verify", "--signatures", "all"]).await;
    assert!(out.status.success(), "every signature of the intact ledger verifies: {}", last_line(&out));
    // An unknown choice is a usage error naming the choices, not a verdict.
    let out = app.ledger(&["verify", "--signatures", "some"]).await;
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("uncovered") && said.contains("all"), "{said}");
    let (sequence, _, mut metadata, event_type, payload) = last_event(&app, "T-D1").await;
    let seal = metadata.as_object_mut().unwrap().remove("ledger").unwrap();
    let mut seal: Seal = serde_json::from_value(seal).unwrap();
    metadata["actor"] = json!("mallory");
    let record = seal.record(RecordParts {
        aggregate_type: "decision".into(),
        aggregate_id: "T-D1".into(),
        sequence: sequence as u64,
        event_type,
        event_version: "1".into(),
        payload: serde_json::from_str(&payload).unwrap(),
        metadata: metadata.clone(),
    });
    let hash = record.hash().unwrap();
    let attacker = LedgerSigner::from_seed("alliance87-ledger.example/ledger", [9u8; 32]).unwrap();
    seal.hash = hex::encode(hash);
    seal.signature = attacker.sign_event_hash(&hash);
    seal.attach(&mut metadata).unwrap();
    attack(
        &app,
        &[
            format!(
                "UPDATE events SET metadata = {} WHERE aggregate_id = 'T-D1' AND sequence = {sequence}",
                as_json(store, &format!("'{}'", metadata.to_string().replace('\'', "''")))
            ),
            format!(
                "UPDATE positions SET event_hash = '{}' WHERE aggregate_id = 'T-D1' AND sequence = {sequence}",
                hex::encode(hash)
            ),
        ],
    )
    .await;
    let at = format!("decision T-D1 sequence {sequence}");
    verify_fails(&app, &at, "recorder signature does not verify").await;
    let out = app.ledger(&["verify", "--signatures", "all"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", last_line(&out));
    assert!(last_line(&out).contains(&at), "{}", last_line(&out));
}
both_stores!(a_forged_sealed_event_is_named_by_its_signature);

async fn checkpoint_with_a_bad_signature_is_caught(store: Store) {
    let app = recorded_history(store).await;
    // Flip one character of the signature line.
    let note = match store {
        Store::Postgres => "overlay(note placing (CASE WHEN substr(note, length(note) - 5, 1) = 'A' THEN 'B' ELSE 'A' END) from length(note) - 5 for 1)",
        Store::Sqlite => "substr(note, 1, length(note) - 6) || (CASE WHEN substr(note, length(note) - 5, 1) = 'A' THEN 'B' ELSE 'A' END) || substr(note, length(note) - 4)",
    };
    attack(
        &app,
        &[format!("UPDATE checkpoints SET note = {note} WHERE tree_size = (SELECT MAX(tree_size) FROM checkpoints)")],
    )
    .await;
    verify_fails(&app, "position", "signature does not verify").await;
}
both_stores!(checkpoint_with_a_bad_signature_is_caught);

async fn checkpoint_whose_root_does_not_match_is_caught(store: Store) {
    let app = recorded_history(store).await;
    // A correctly signed checkpoint (the attacker stole the key) over a wrong root.
    let signer = LedgerSigner::from_private_key(&std::fs::read_to_string(&app.key_file).unwrap()).unwrap();
    let size = ledger_size(&app).await;
    let forged = Checkpoint { origin: "alliance87-ledger.example/ledger".into(), size: size as u64, root: [7u8; 32] };
    let note = forged.sign(&signer).unwrap();
    attack(
        &app,
        &[
            format!("DELETE FROM checkpoints WHERE tree_size = {size}"),
            format!(
                "INSERT INTO checkpoints (tree_size, root_hash, note, created_at) VALUES ({size}, '{}', '{}', '2026-01-01T00:00:00Z')",
                hex::encode([7u8; 32]),
                note
            ),
        ],
    )
    .await;
    verify_fails(&app, &format!("position {}", size - 1), "does not match the recomputed Merkle root").await;
}
both_stores!(checkpoint_whose_root_does_not_match_is_caught);

async fn removed_checkpoints_are_caught(store: Store) {
    // Sealed events must be covered by a signed checkpoint: the sealer signs one in the
    // same transaction as the positions it gives.
    let app = recorded_history(store).await;
    let size = ledger_size(&app).await;
    let older: i64 = {
        let sql = format!("SELECT MAX(tree_size) FROM checkpoints WHERE tree_size < {size}");
        match store {
            Store::Postgres => {
                let mut c = PgConnection::connect(&app.database_url).await.unwrap();
                sqlx::query_scalar::<_, Option<i64>>(&sql).fetch_one(&mut c).await.unwrap().unwrap_or(0)
            }
            Store::Sqlite => {
                let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
                sqlx::query_scalar::<_, Option<i64>>(&sql).fetch_one(&mut c).await.unwrap().unwrap_or(0)
            }
        }
    };
    attack(&app, &[format!("DELETE FROM checkpoints WHERE tree_size = {size}")]).await;
    let uncovered = format!("position {older}");
    verify_fails(&app, &uncovered, "not covered by any signed checkpoint").await;
    // Every checkpoint gone (as after removing an event and rebuilding the tree): still caught.
    attack(&app, &["DELETE FROM checkpoints".into()]).await;
    verify_fails(&app, "position 0", "no signed checkpoint at all").await;
}
both_stores!(removed_checkpoints_are_caught);

async fn the_database_refuses_updates_and_deletes(store: Store) {
    let app = recorded_history(store).await;
    let statements = [
        "UPDATE events SET event_type = 'X' WHERE aggregate_id = 'T'",
        "DELETE FROM events WHERE aggregate_id = 'T'",
        "UPDATE positions SET event_hash = 'x' WHERE position = 0",
        "DELETE FROM positions WHERE position = 0",
        "UPDATE merkle_hashes SET idx = idx + 1000",
        "DELETE FROM merkle_hashes",
        "UPDATE checkpoints SET note = 'x'",
        "DELETE FROM checkpoints",
    ];
    for s in statements {
        let result = match store {
            Store::Postgres => {
                let mut c = PgConnection::connect(&app.database_url).await.unwrap();
                sqlx::raw_sql(s).execute(&mut c).await.map(|_| ())
            }
            Store::Sqlite => {
                let mut c = SqliteConnection::connect(&app.database_url).await.unwrap();
                sqlx::raw_sql(s).execute(&mut c).await.map(|_| ())
            }
        };
        let error = result.expect_err(s).to_string();
        assert!(error.contains("append-only"), "{s}: {error}");
    }
    if store == Store::Postgres {
        // The application role cannot rewrite history even with the triggers disabled.
        let mut c = PgConnection::connect(&app.database_url).await.unwrap();
        sqlx::raw_sql("ALTER TABLE events DISABLE TRIGGER USER").execute(&mut c).await.unwrap();
        sqlx::raw_sql("SET ROLE ledger_app").execute(&mut c).await.unwrap();
        for s in
            ["UPDATE events SET event_type = 'X'", "DELETE FROM events", "ALTER TABLE positions DISABLE TRIGGER USER"]
        {
            let error = sqlx::raw_sql(s).execute(&mut c).await.expect_err(s).to_string();
            assert!(error.contains("permission denied") || error.contains("must be owner"), "{s}: {error}");
        }
    }
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "{}", last_line(&out));
}
both_stores!(the_database_refuses_updates_and_deletes);
