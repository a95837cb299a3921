//! Key rotation (`ledger rotate-key`): the old key signs the handover, the new key signs
//! what follows, and everything before and after still verifies with the published key
//! history, from either key, in `ledger verify`, `ledger-verify` (dossier and export), the
//! Python verifier and a witness that follows the handover.

use std::process::Output;

use serde_json::Value;

use crate::support::{gcg_with_seats, last_line, Store, TestApp};

const VERIFY: &str = env!("CARGO_BIN_EXE_ledger-verify-under-test");

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn ledger_verify(args: &[&str]) -> Output {
    std::process::Command::new(VERIFY).args(args).output().expect("ledger-verify runs")
}

fn python_verify(file: &str, key: &str) -> Output {
    std::process::Command::new("python3")
        .args([concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/verify_dossier.py"), file, key])
        .output()
        .expect("python3 runs")
}

async fn public_key(app: &TestApp) -> String {
    app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap().trim().to_string()
}

async fn witness(app: &TestApp, state: &std::path::Path, key: &std::path::Path, extra: &[&str]) -> Output {
    let mut args =
        vec!["witness", "--url", &app.base, "--state", state.to_str().unwrap(), "--key", key.to_str().unwrap()];
    args.extend_from_slice(extra);
    app.ledger(&args).await
}

async fn a_rotated_key_keeps_every_proof_valid(store: Store) {
    let scratch = std::env::temp_dir().join(format!("ledger-rotation-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).unwrap();
    let witness_key = scratch.join("witness.key");
    let witness_state = scratch.join("witness.json");
    let out = tokio::process::Command::new(crate::support::LEDGER)
        .args(["keygen", "--witness", "--key-file", witness_key.to_str().unwrap(), "--origin", "witness.example/w"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let witness_public = last_line(&out);

    let mut app = TestApp::spawn_with(store, &["--witness", &witness_public]).await;
    gcg_with_seats(&app, 2).await;
    app.settle().await;
    let old_key = public_key(&app).await;
    let out = witness(&app, &witness_state, &witness_key, &["--log-key", &old_key]).await;
    assert!(out.status.success(), "the witness cosigns before the rotation: {}", text(&out));
    let kept_before = app.client.get(app.url("/api/v1/ledger/checkpoint")).send().await.unwrap().text().await.unwrap();
    let kept_file = scratch.join("kept-before.checkpoint");
    std::fs::write(&kept_file, &kept_before).unwrap();
    let kept_before = kept_file.to_str().unwrap().to_string();
    let keys = app.get_json("/api/v1/ledger/keys").await;
    assert_eq!(keys["key_history"], serde_json::json!([]), "never rotated");
    let size_before = app.get_json("/health").await["ledger_size"].as_u64().unwrap();

    // Rotation refuses a key file that is not this ledger's key, and records nothing.
    app.stop().await;
    let stranger = scratch.join("stranger.key");
    let out = app.ledger(&["keygen", "--key-file", stranger.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = app.ledger(&["rotate-key", "--key-file", stranger.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is it this ledger's key"), "{}", text(&out));

    let out = app.ledger(&["rotate-key"]).await;
    assert!(out.status.success(), "rotate-key: {}", text(&out));
    let rotated: Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(rotated["old_key"], old_key.as_str());
    assert_eq!(rotated["handover_position"], size_before, "the handover sits right after what was recorded");
    assert_eq!(rotated["from_position"], size_before + 1);
    let new_key = rotated["new_key"].as_str().unwrap().to_string();
    assert_ne!(new_key, old_key);
    let retired = rotated["retired_key_file"].as_str().unwrap().to_string();
    assert!(std::path::Path::new(&retired).exists(), "the old key is set aside, not deleted");

    // A server started with the retired key refuses to sign.
    let out = app.ledger(&["serve", "--bind", "127.0.0.1:0", "--key-file", &retired]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("retired"), "{}", text(&out));
    // So does a second rotation from the retired key.
    let out = app.ledger(&["rotate-key", "--key-file", &retired]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    app.start(&["--witness", &witness_public]).await;
    assert_eq!(public_key(&app).await, new_key, "the server signs with the new key");
    gcg_with_seats(&app, 4).await;
    app.settle().await;
    let keys = app.get_json("/api/v1/ledger/keys").await;
    assert_eq!(keys["public_key"], new_key.as_str());
    let history = keys["key_history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["old_key"], old_key.as_str());
    assert_eq!(history[0]["new_key"], new_key.as_str());
    assert_eq!(history[0]["position"], size_before);

    // `ledger verify` from either key, and against a checkpoint kept from before.
    for key in [&old_key, &new_key] {
        let out = app.ledger(&["verify", "--public-key", key, "--checkpoint", &kept_before]).await;
        assert!(out.status.success(), "verify with {key}: {}", text(&out));
    }
    let stranger_public = ledger_format::LedgerSigner::from_private_key(&std::fs::read_to_string(&stranger).unwrap())
        .unwrap()
        .public_key();
    let out = app.ledger(&["verify", "--public-key", &stranger_public]).await;
    assert!(!out.status.success(), "a key outside the history verifies nothing: {}", text(&out));

    // A dossier spanning the rotation: its events are signed by both keys.
    let bytes = app.client.get(app.url("/api/v1/dossiers/body:GCG")).send().await.unwrap().bytes().await.unwrap();
    let dossier: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(dossier["key_history"].as_array().map(Vec::len), Some(1));
    let positions: Vec<u64> =
        dossier["events"].as_array().unwrap().iter().map(|e| e["position"].as_u64().unwrap()).collect();
    assert!(positions.iter().any(|p| *p < size_before) && positions.iter().any(|p| *p > size_before), "{positions:?}");
    let file = app.dir.join("rotated-dossier.json");
    std::fs::write(&file, &bytes).unwrap();
    let file = file.to_str().unwrap();
    for key in [&old_key, &new_key] {
        let pinned = ledger_format::LedgerVerifier::from_public_key(key).unwrap();
        ledger_format::verify_dossier_bytes(&bytes, Some(&pinned)).expect("the Rust verifier follows the handover");
        let out = ledger_verify(&[file, "--public-key", key]);
        assert!(out.status.success(), "ledger-verify with {key}: {}", text(&out));
        let out = python_verify(file, key);
        assert!(out.status.success(), "verify_dossier.py with {key}: {}", text(&out));
    }
    let out = ledger_verify(&[file, "--public-key", &stranger_public]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // A handover whose new key's signature was altered fails, naming it, everywhere.
    let mut forged = dossier.clone();
    let signature = forged["key_history"][0]["new_signature"].as_str().unwrap().to_string();
    let flipped = match signature.strip_prefix('A') {
        Some(rest) => format!("B{rest}"),
        None => format!("A{}", &signature[1..]),
    };
    forged["key_history"][0]["new_signature"] = Value::String(flipped);
    let forged_file = app.dir.join("forged-dossier.json");
    std::fs::write(&forged_file, serde_json::to_vec(&forged).unwrap()).unwrap();
    let forged_file = forged_file.to_str().unwrap();
    let out = ledger_verify(&[forged_file, "--public-key", &old_key]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("key_history[0]"), "{}", text(&out));
    let out = python_verify(forged_file, &old_key);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("key_history[0]"), "{}", text(&out));
    // Without the history, the old key's events no longer verify with the new key.
    let mut stripped = dossier.clone();
    stripped.as_object_mut().unwrap().remove("key_history");
    let stripped_file = app.dir.join("stripped-dossier.json");
    std::fs::write(&stripped_file, serde_json::to_vec(&stripped).unwrap()).unwrap();
    let out = ledger_verify(&[stripped_file.to_str().unwrap(), "--public-key", &new_key]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // The full export verifies offline from the old key, against the checkpoint kept before.
    let export = app.dir.join("export.jsonl");
    let out = app.ledger(&["export", "--out", export.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    let out =
        ledger_verify(&["--export", export.to_str().unwrap(), "--public-key", &old_key, "--checkpoint", &kept_before]);
    assert!(out.status.success(), "ledger-verify --export: {}", text(&out));

    // The witness follows the handover from the key it trusted, cosigns, and trusts the new key.
    let out = witness(&app, &witness_state, &witness_key, &[]).await;
    assert!(out.status.success(), "the witness follows the rotation: {}", text(&out));
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&witness_state).unwrap()).unwrap();
    assert_eq!(state["log_public_key"], new_key.as_str());
    let out = app.ledger(&["verify", "--public-key", &old_key, "--witness", &witness_public]).await;
    assert!(out.status.success(), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&scratch);
}
crate::both_stores!(a_rotated_key_keeps_every_proof_valid);
