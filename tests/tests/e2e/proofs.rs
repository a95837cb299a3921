//! Inclusion and consistency proofs over the API, receipts, checkpoint history, and
//! catching a rewritten history with a checkpoint held from earlier.
//!
//! Proofs are checked with `ledger_format::proof`, an RFC 9162 verifier written
//! independently of the code that generates them (tlog_tiles in the server).

use ledger_format::proof::{parse_hash_list, verify_consistency, verify_inclusion};
use ledger_format::{Checkpoint, LedgerVerifier};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::both_stores;
use crate::support::{last_line, meeting_in_session, wipe, Store, TestApp};

const SIZES: u64 = 70;

fn leaf_of(event_hash_hex: &str) -> [u8; 32] {
    let mut data = vec![0u8];
    data.extend(hex::decode(event_hash_hex).expect("hex"));
    Sha256::digest(&data).into()
}

async fn text(app: &TestApp, path: &str) -> String {
    app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap()
}

async fn every_proof_of_trees_1_to_70_verifies_independently(store: Store) {
    let app = TestApp::spawn(store).await;
    let key = LedgerVerifier::from_public_key(text(&app, "/api/v1/ledger/public-key").await.trim()).unwrap();

    // One command at a time, each waiting to be sealed: a signed checkpoint for every size.
    for i in 0..SIZES {
        let body = json!({"meeting_id": format!("P-{i}"), "number": i + 1, "kind": "regular", "date": "2026-06-16", "modality": "virtual"});
        let r = app.post_as(&app.token, "/api/v1/meetings", &[("prefer", "wait=sealed")], &body).await;
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["preference-applied"], "wait=sealed");
        let outcome: Value = r.json().await.unwrap();
        let receipt = &outcome["receipts"][0];
        assert_eq!(receipt["position"], i);
        assert_eq!(receipt["hash"], outcome["events"][0]["hash"]);
        let proof = &receipt["inclusion_proof"];
        let checkpoint =
            Checkpoint::open(proof["checkpoint"].as_str().unwrap(), &key).expect("receipt checkpoint verifies");
        assert_eq!(checkpoint.size, i + 1);
        let path =
            parse_hash_list(&serde_json::from_value::<Vec<String>>(proof["audit_path"].clone()).unwrap()).unwrap();
        verify_inclusion(&leaf_of(receipt["hash"].as_str().unwrap()), i, checkpoint.size, &path, &checkpoint.root)
            .expect("the receipt proves inclusion");
    }

    let history: Vec<Value> =
        serde_json::from_value(app.get_json("/api/v1/ledger/checkpoints?limit=1000").await).unwrap();
    let sizes: Vec<u64> = history.iter().map(|c| c["tree_size"].as_u64().unwrap()).collect();
    assert_eq!(sizes, (1..=SIZES).collect::<Vec<_>>(), "every checkpoint is kept");
    let roots: Vec<[u8; 32]> = history
        .iter()
        .map(|c| {
            let cp = Checkpoint::open(c["note"].as_str().unwrap(), &key).expect("stored checkpoint verifies");
            assert_eq!(hex::encode(cp.root), c["root_hash"].as_str().unwrap());
            cp.root
        })
        .collect();

    for m in 1..=SIZES {
        let root = roots[(m - 1) as usize];
        for p in 0..m {
            let proof = app.get_json(&format!("/api/v1/ledger/proofs/inclusion?position={p}&tree_size={m}")).await;
            assert_eq!(proof["root_hash"], hex::encode(root));
            let leaf = leaf_of(proof["event_hash"].as_str().unwrap());
            assert_eq!(hex::encode(leaf), proof["leaf_hash"]);
            let path =
                parse_hash_list(&serde_json::from_value::<Vec<String>>(proof["audit_path"].clone()).unwrap()).unwrap();
            verify_inclusion(&leaf, p, m, &path, &root).unwrap_or_else(|e| panic!("position {p} in size {m}: {e}"));
            let mut tampered = leaf;
            tampered[0] ^= 1;
            assert!(verify_inclusion(&tampered, p, m, &path, &root).is_err(), "a tampered leaf fails");
            if m < SIZES {
                assert!(
                    verify_inclusion(&leaf, p, m + 1, &path, &roots[m as usize]).is_err(),
                    "a wrong tree size fails"
                );
            }
        }
        for n in m..=SIZES {
            let proof = app.get_json(&format!("/api/v1/ledger/proofs/consistency?from={m}&to={n}")).await;
            let path =
                parse_hash_list(&serde_json::from_value::<Vec<String>>(proof["consistency_path"].clone()).unwrap())
                    .unwrap();
            verify_consistency(m, n, &root, &roots[(n - 1) as usize], &path)
                .unwrap_or_else(|e| panic!("{m} → {n}: {e}"));
        }
    }

    // By event rather than position; bad requests are problems.
    let by_event =
        app.get_json("/api/v1/ledger/proofs/inclusion?aggregate_type=meeting&aggregate_id=P-3&sequence=1").await;
    assert_eq!(by_event["position"], 3);
    assert_eq!(by_event["tree_size"], SIZES, "against the latest checkpoint by default");
    for (query, status) in [
        ("position=70&tree_size=70", 400),
        ("position=1&tree_size=71", 404),
        ("position=1&aggregate_type=meeting", 400),
        ("aggregate_type=meeting&aggregate_id=NOPE&sequence=1", 404),
    ] {
        let r = app.client.get(app.url(&format!("/api/v1/ledger/proofs/inclusion?{query}"))).send().await.unwrap();
        assert_eq!(r.status(), status, "{query}");
    }
    let r = app.client.get(app.url("/api/v1/ledger/proofs/consistency?from=5&to=4")).send().await.unwrap();
    assert_eq!(r.status(), 400);
}
both_stores!(every_proof_of_trees_1_to_70_verifies_independently);

async fn rewritten_history_is_caught_by_an_older_checkpoint(store: Store) {
    let mut app = TestApp::spawn(store).await;
    meeting_in_session(&app, "T", 2, 3).await;
    app.settle().await;
    let held = app.dir.join("minutes-checkpoint.txt");
    std::fs::write(&held, text(&app, "/api/v1/ledger/checkpoint").await).unwrap();
    assert!(app.stop().await.success());
    let out = app.ledger(&["verify", "--checkpoint", held.to_str().unwrap()]).await;
    assert!(out.status.success(), "the held checkpoint matches: {}", last_line(&out));

    // The attacker holds the database and the signing key, and re-records a different
    // history of the same length: everything is consistent and signed again.
    wipe(&app).await;
    app.start(&[]).await;
    meeting_in_session(&app, "T", 2, 3).await;
    app.settle().await;
    assert!(app.stop().await.success());
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "a consistent rewrite passes on its own: {}", last_line(&out));

    let out = app.ledger(&["verify", "--checkpoint", held.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).contains("does not match the checkpoint you hold"), "{}", last_line(&out));

    // A held checkpoint with a broken signature is refused outright.
    let forged = std::fs::read_to_string(&held).unwrap().replacen('\n', "\n\n", 0).replace("— ", "— x");
    std::fs::write(&held, forged).unwrap();
    let out = app.ledger(&["verify", "--checkpoint", held.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).contains("does not verify"), "{}", last_line(&out));
}
both_stores!(rewritten_history_is_caught_by_an_older_checkpoint);

async fn checkpoints_published_outside_the_database_catch_a_rewrite(store: Store) {
    let mut app = TestApp::spawn(store).await;
    let kept = app.dir.join("kept-checkpoints");
    assert!(app.stop().await.success());
    app.start(&["--publish-checkpoints", kept.to_str().unwrap()]).await;
    meeting_in_session(&app, "T", 2, 3).await;
    app.settle().await;
    assert!(app.stop().await.success());
    let notes = std::fs::read_dir(&kept).unwrap().filter_map(Result::ok).count();
    assert!(notes > 0, "every signed checkpoint is written out as it is signed");
    let out = app.ledger(&["verify", "--checkpoint-dir", kept.to_str().unwrap()]).await;
    assert!(out.status.success(), "the kept checkpoints match: {}", last_line(&out));

    // The attacker rewrites the whole history, checkpoints included, with the key: the
    // database alone verifies, the kept folder does not.
    let folder = app.dir.join("kept-elsewhere");
    std::fs::rename(&kept, &folder).unwrap();
    wipe(&app).await;
    app.start(&[]).await;
    meeting_in_session(&app, "T", 2, 3).await;
    app.settle().await;
    assert!(app.stop().await.success());
    assert!(app.ledger(&["verify"]).await.status.success(), "a consistent rewrite passes on its own");
    let out = app.ledger(&["verify", "--checkpoint-dir", folder.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1), "{}", last_line(&out));
    assert!(last_line(&out).contains("checkpoint you hold"), "{}", last_line(&out));
}
both_stores!(checkpoints_published_outside_the_database_catch_a_rewrite);
