//! Witnesses: `ledger witness` checks consistency and cosigns; the server stores and
//! serves cosignatures from trusted witnesses only; a split view or a rewritten history
//! is refused.

use serde_json::json;

use crate::both_stores;
use crate::support::{last_line, meeting_in_session, wipe, Store, TestApp, LEDGER};

async fn ledger(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(LEDGER).args(args).output().await.unwrap()
}

/// Runs `ledger witness` against the app as it is now (its port changes on restart).
async fn run_witness(
    app: &TestApp,
    state: &std::path::Path,
    key: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args =
        vec!["witness", "--url", &app.base, "--state", state.to_str().unwrap(), "--key", key.to_str().unwrap()];
    args.extend_from_slice(extra);
    ledger(&args).await
}

async fn witnesses_cosign_and_refuse_inconsistent_histories(store: Store) {
    let scratch = std::env::temp_dir().join(format!("ledger-witness-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).unwrap();
    let key = scratch.join("witness.key");
    let out =
        ledger(&["keygen", "--witness", "--key-file", key.to_str().unwrap(), "--origin", "witness.example/audit-firm"])
            .await;
    assert!(out.status.success());
    let witness_public = last_line(&out);

    let mut app = TestApp::spawn_with(store, &["--witness", &witness_public]).await;
    meeting_in_session(&app, "W", 2, 3).await;
    app.settle().await;
    let size = app.get_json("/health").await["ledger_size"].as_i64().unwrap();
    let log_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    let state = scratch.join("state.json");
    let out = run_witness(&app, &state, &key, &[]).await;
    assert_eq!(out.status.code(), Some(2), "the first run needs the log key");
    let out = run_witness(&app, &state, &key, &["--log-key", log_key.trim()]).await;
    assert!(out.status.success(), "{}{}", last_line(&out), String::from_utf8_lossy(&out.stderr));
    assert!(last_line(&out).starts_with(&format!("cosigned checkpoint of tree size {size}")));

    let r = app.client.get(app.url("/api/v1/ledger/checkpoint")).send().await.unwrap();
    assert_eq!(r.headers()["ledger-cosignatures"], "1/1");
    let note = r.text().await.unwrap();
    assert!(note.contains("— witness.example/audit-firm "), "{note}");
    let r = app.client.get(app.url("/api/v1/ledger/checkpoint?witnessed=true")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // The ledger grows; the witness checks the consistency proof and cosigns again.
    let body = json!({"decision_id": "W-D1", "subject": {"kind": "procedural"}, "text": "x"});
    assert_eq!(app.post("/api/v1/meetings/W/decisions", body).await.status(), 201);
    app.settle().await;
    let r = app.client.get(app.url("/api/v1/ledger/checkpoint")).send().await.unwrap();
    assert_eq!(r.headers()["ledger-cosignatures"], "0/1", "the new checkpoint is not cosigned yet");
    let out = run_witness(&app, &state, &key, &[]).await;
    assert!(out.status.success(), "{}", last_line(&out));
    assert!(last_line(&out).starts_with(&format!("cosigned checkpoint of tree size {}", size + 1)));

    // verify, given the witness's key, checks every cosignature it made and names the
    // latest witnessed checkpoint.
    let out = app.ledger(&["verify", "--witness", &witness_public]).await;
    assert!(out.status.success(), "{}", last_line(&out));
    let witnessed = format!("the latest witnessed at tree size {} (1 cosignatures)", size + 1);
    assert!(last_line(&out).ends_with(&witnessed), "{}", last_line(&out));

    // Only trusted witnesses, with valid signatures.
    let stranger = ledger_format::cosignature::WitnessSigner::from_seed("stranger.example", [5u8; 32]).unwrap();
    let text = format!("alliance87-ledger.example/ledger\n{}\nAAAA\n", size + 1);
    let text = text.as_str();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/ledger/checkpoints/{}/cosignatures", size + 1)))
        .json(&json!({"signature": stranger.cosign(text, 1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let forged = ledger_format::cosignature::WitnessSigner::from_seed("witness.example/audit-firm", [5u8; 32]).unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/ledger/checkpoints/{}/cosignatures", size + 1)))
        .json(&json!({"signature": forged.cosign(text, 1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["rule"], "cosignature_invalid");
    let r = app
        .client
        .post(app.url("/api/v1/ledger/checkpoints/999/cosignatures"))
        .json(&json!({"signature": forged.cosign(text, 1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Split view: the witness remembers another root for the same size.
    let good_state = std::fs::read_to_string(&state).unwrap();
    let mut split: serde_json::Value = serde_json::from_str(&good_state).unwrap();
    split["root_hash"] = json!("ab".repeat(32));
    std::fs::write(&state, split.to_string()).unwrap();
    let out = run_witness(&app, &state, &key, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).contains("split view"), "{}", last_line(&out));

    // A larger tree than the ledger now shows: history was removed.
    split["root_hash"] = json!(good_state.parse::<serde_json::Value>().unwrap()["root_hash"]);
    split["tree_size"] = json!(100);
    std::fs::write(&state, split.to_string()).unwrap();
    let out = run_witness(&app, &state, &key, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).contains("shrank"), "{}", last_line(&out));

    // A checkpoint re-signed with the ledger's key over another root: the witness's
    // cosignature no longer verifies, and verify says so before anything else.
    let signer =
        ledger_format::LedgerSigner::from_private_key(&std::fs::read_to_string(&app.key_file).unwrap()).unwrap();
    let forged = ledger_format::Checkpoint {
        origin: "alliance87-ledger.example/ledger".into(),
        size: (size + 1) as u64,
        root: [7u8; 32],
    };
    let note = forged.sign(&signer).unwrap();
    let update = format!(
        "UPDATE checkpoints SET note = '{note}', root_hash = '{}' WHERE tree_size = {}",
        hex::encode([7u8; 32]),
        size + 1
    );
    crate::tamper::attack(&app, &[update]).await;
    let out = app.ledger(&["verify", "--witness", &witness_public]).await;
    assert_eq!(out.status.code(), Some(1), "{}", last_line(&out));
    assert!(last_line(&out).contains("cosignature of witness"), "{}", last_line(&out));

    // A rewritten history (database and signing key in the attacker's hands) is refused.
    std::fs::write(&state, &good_state).unwrap();
    assert!(app.stop().await.success());
    wipe(&app).await;
    app.start(&["--witness", &witness_public]).await;
    meeting_in_session(&app, "W", 3, 4).await;
    let body = json!({"decision_id": "W-D1", "subject": {"kind": "procedural"}, "text": "something else"});
    assert_eq!(app.post("/api/v1/meetings/W/decisions", body).await.status(), 201);
    app.settle().await;
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "the rewrite is self-consistent: {}", last_line(&out));
    let out = run_witness(&app, &state, &key, &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", last_line(&out));
    assert!(last_line(&out).contains("history was rewritten"), "{}", last_line(&out));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), good_state, "a refusal keeps the witness's state");
    let _ = std::fs::remove_dir_all(scratch);
}
both_stores!(witnesses_cosign_and_refuse_inconsistent_histories);
