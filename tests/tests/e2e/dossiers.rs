//! Dossiers: a subject's events with inclusion proofs against one signed checkpoint,
//! served over HTTP and exported by the CLI, verified offline; any changed byte is caught.

use ledger_format::dossier::{verify_dossier_bytes, Dossier, KeySource};
use ledger_format::LedgerVerifier;

use crate::both_stores;
use crate::support::{last_line, Store, TestApp};

async fn dossiers_verify_offline_and_catch_any_change(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let public_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    let key = LedgerVerifier::from_public_key(public_key.trim()).unwrap();

    let r = app.client.get(app.url("/api/v1/dossiers/meeting:GCG-19")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let summary = verify_dossier_bytes(&bytes, Some(&key)).expect("the served dossier verifies");
    assert_eq!(summary.subject, "meeting:GCG-19");
    assert_eq!(summary.aggregates, 2, "the meeting and the decision tabled at it");
    assert_eq!(summary.key_source, KeySource::Pinned);
    let dossier: Dossier = serde_json::from_slice(&bytes).unwrap();
    assert!(dossier
        .events
        .iter()
        .any(|e| e.record.full().is_some_and(|r| r.aggregate_id == "GCG-19-D04" && r.event_type == "DecisionAdopted")));
    assert_eq!(dossier.omitted_unsealed, 0);

    let markdown =
        app.client.get(app.url("/api/v1/dossiers/decision:GCG-19-D04?format=markdown")).send().await.unwrap();
    assert_eq!(markdown.headers()["content-type"], "text/markdown; charset=utf-8");
    let markdown = markdown.text().await.unwrap();
    assert!(markdown.contains("GCG-19-D04") && markdown.contains("DecisionAdopted"), "{markdown}");
    assert!(markdown.to_lowercase().contains("illustrative"), "invented values are flagged in the rendering");

    for (path, status) in [
        ("/api/v1/dossiers/meeting:NOPE", 404),
        ("/api/v1/dossiers/nocolon", 400),
        ("/api/v1/dossiers/meeting:GCG-19?format=pdf", 400),
    ] {
        assert_eq!(app.client.get(app.url(path)).send().await.unwrap().status(), status, "{path}");
    }

    // One changed byte anywhere in the file is caught (in-process, the same code as the
    // binaries), except in the two labels no signature covers: when the file was generated
    // and how many unsealed events were left out.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let unsigned: Vec<std::ops::Range<usize>> = ["\"generated_at\":", "\"omitted_unsealed\":"]
        .iter()
        .map(|key| {
            let start = text.find(key).unwrap() + key.len();
            let end = start + text[start..].find([',', '}']).unwrap();
            start..end
        })
        .collect();
    let step = (bytes.len() / 400).max(1);
    for i in (0..bytes.len()).step_by(step).filter(|i| !unsigned.iter().any(|r| r.contains(i))) {
        let mut changed = bytes.clone();
        changed[i] = if changed[i] == b'0' { b'1' } else { b'0' };
        if changed == bytes {
            continue;
        }
        assert!(verify_dossier_bytes(&changed, Some(&key)).is_err(), "a change at byte {i} went unnoticed");
    }

    // The CLI: export, then verify offline with and without the pinned key, and a tampered copy.
    let file = app.dir.join("d04.json");
    let out = app.ledger(&["export", "--dossier", "decision:GCG-19-D04", "--out", file.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(app.dir.join("d04.json.md").exists(), "a readable rendering beside it");
    let verify = |args: Vec<String>| async move {
        tokio::process::Command::new(crate::support::LEDGER).args(&args).output().await.unwrap()
    };
    let path = file.display().to_string();
    let out = verify(vec![
        "verify".into(),
        "--dossier".into(),
        path.clone(),
        "--public-key".into(),
        public_key.trim().into(),
    ])
    .await;
    assert!(out.status.success(), "{}", last_line(&out));
    assert!(last_line(&out).starts_with("dossier intact: decision:GCG-19-D04"), "{}", last_line(&out));
    assert!(last_line(&out).ends_with(", key pinned"), "worded as ledger-verify words it: {}", last_line(&out));
    let out = verify(vec!["verify".into(), "--dossier".into(), path.clone()]).await;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pin"), "warns that the key was not pinned");
    let other =
        ledger_format::LedgerSigner::from_seed("alliance87-ledger.example/ledger", [4u8; 32]).unwrap().public_key();
    let out = verify(vec!["verify".into(), "--dossier".into(), path.clone(), "--public-key".into(), other]).await;
    assert_eq!(out.status.code(), Some(1));

    let text = std::fs::read_to_string(&file).unwrap();
    let tampered = text.replacen("Agriculture", "Agricultura", 1);
    assert_ne!(text, tampered);
    std::fs::write(&file, tampered).unwrap();
    let out =
        verify(vec!["verify".into(), "--dossier".into(), path, "--public-key".into(), public_key.trim().into()]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).contains("events["), "names the broken event: {}", last_line(&out));
}
both_stores!(dossiers_verify_offline_and_catch_any_change);
