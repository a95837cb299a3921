//! Inclusion and consistency proofs over the API, receipts, checkpoint history, and
//! catching a rewritten history with a checkpoint held from earlier.
//!
//! Proofs are checked with `ledger_format::proof`, an RFC 9162 verifier written
//! independently of the code that generates them (tlog_tiles in the server).

use ledger_format::proof::{parse_hash_list, verify_consistency, verify_inclusion};
use ledger_format::{Checkpoint, LedgerSigner, LedgerVerifier};
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

/// Reads C2SP tiles over HTTP for the `tlog_tiles` crate's client (a blocking trait, so it
/// runs on a blocking thread and waits on the runtime for each fetch).
struct HttpTiles {
    base: String,
    runtime: tokio::runtime::Handle,
    fetched: std::sync::Mutex<usize>,
}

impl tlog_tiles::TileReader for HttpTiles {
    fn height(&self) -> u8 {
        8
    }
    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::tlog::Error> {
        tiles
            .iter()
            .map(|t| {
                let tile = ledger_store::tiles::TileRef {
                    kind: ledger_store::tiles::TileKind::Hashes { level: t.level() },
                    index: t.level_index(),
                    width: u64::from(t.width()),
                };
                let url = format!("{}/{}", self.base, tile.path());
                *self.fetched.lock().unwrap() += 1;
                self.runtime.block_on(async {
                    let r = reqwest::get(&url).await.map_err(|_| tlog_tiles::tlog::Error::IndexesNotInTree)?;
                    assert_eq!(r.status(), 200, "{url}");
                    Ok(r.bytes().await.map_err(|_| tlog_tiles::tlog::Error::IndexesNotInTree)?.to_vec())
                })
            })
            .collect()
    }
    fn save_tiles(&self, _tiles: &[tlog_tiles::Tile], _data: &[Vec<u8>]) {}
}

async fn a_c2sp_tiles_client_follows_the_log_without_our_code(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    // The signed checkpoint, checked with the published key.
    let note = text(&app, "/checkpoint").await;
    let key = text(&app, "/api/v1/ledger/public-key").await;
    let checkpoint = Checkpoint::open(&note, &LedgerVerifier::from_public_key(key.trim()).unwrap()).unwrap();
    assert!(checkpoint.size > 256, "the demo spans several tiles: {}", checkpoint.size);
    let (size, root) = (checkpoint.size, tlog_tiles::Hash(checkpoint.root));
    // The entries: every event hash, in ledger order.
    let mut entries = Vec::new();
    for tile in
        ledger_store::tiles::TileRef::all(size).into_iter().filter(|t| t.kind == ledger_store::tiles::TileKind::Entries)
    {
        let bytes = app.client.get(app.url(&format!("/{}", tile.path()))).send().await.unwrap().bytes().await.unwrap();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
            entries.push(rest[2..2 + len].to_vec());
            rest = &rest[2 + len..];
        }
    }
    assert_eq!(entries.len() as u64, size);
    // The tlog_tiles client: tiles authenticated against the checkpoint's root, the root
    // recomputed from them, and every entry proven to be where the log says.
    let reader =
        HttpTiles { base: app.url(""), runtime: tokio::runtime::Handle::current(), fetched: Default::default() };
    let fetched = tokio::task::spawn_blocking(move || {
        let hashes = tlog_tiles::TileHashReader::new(size, root, &reader);
        assert_eq!(tlog_tiles::tree_hash(size, &hashes).unwrap(), root, "the tiles give the signed root");
        for (n, entry) in entries.iter().enumerate() {
            let proof = tlog_tiles::prove_record(size, n as u64, &hashes).unwrap();
            tlog_tiles::check_record(&proof, size, root, n as u64, tlog_tiles::record_hash(entry))
                .unwrap_or_else(|e| panic!("entry {n}: {e:?}"));
        }
        let fetched = *reader.fetched.lock().unwrap();
        fetched
    })
    .await
    .unwrap();
    assert!(fetched > 0);
    // A tile beyond the tree, and a path that is no tile: 404.
    let beyond = app.client.get(app.url("/tile/0/x001/000")).send().await.unwrap();
    assert_eq!(beyond.status(), 404);
    assert_eq!(app.client.get(app.url("/tile/0/1")).send().await.unwrap().status(), 404);
    let full = app.client.get(app.url("/tile/0/000")).send().await.unwrap();
    assert!(full.headers()["cache-control"].to_str().unwrap().contains("immutable"));
}
both_stores!(a_c2sp_tiles_client_follows_the_log_without_our_code);

async fn exported_tiles_are_the_served_ones(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let dir = app.dir.join("tiles");
    let out = app.ledger(&["export", "--tiles", dir.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let note = std::fs::read_to_string(dir.join("checkpoint")).unwrap();
    assert_eq!(note, text(&app, "/checkpoint").await);
    let key = text(&app, "/api/v1/ledger/public-key").await;
    let size = Checkpoint::open(&note, &LedgerVerifier::from_public_key(key.trim()).unwrap()).unwrap().size;
    let tiles = ledger_store::tiles::TileRef::all(size);
    assert!(tiles.len() >= 4, "{}", tiles.len());
    for tile in tiles {
        let file = std::fs::read(dir.join(tile.path())).unwrap();
        let served = app.client.get(app.url(&format!("/{}", tile.path()))).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(file, served.to_vec(), "{}", tile.path());
    }
}
both_stores!(exported_tiles_are_the_served_ones);

async fn the_offline_verifier_checks_a_full_export_against_kept_checkpoints(store: Store) {
    const VERIFY: &str = env!("CARGO_BIN_EXE_ledger-verify-under-test");
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let key = text(&app, "/api/v1/ledger/public-key").await.trim().to_string();
    let kept = app.dir.join("kept.checkpoint");
    std::fs::write(&kept, text(&app, "/api/v1/ledger/checkpoint").await).unwrap();
    let export = app.dir.join("ledger.jsonl");
    let out = app.ledger(&["export", "--out", export.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run =
        |args: Vec<String>| async move { tokio::process::Command::new(VERIFY).args(&args).output().await.unwrap() };
    let args = |file: &std::path::Path, note: &std::path::Path| {
        vec![
            "--export".to_string(),
            file.display().to_string(),
            "--public-key".into(),
            key.clone(),
            "--checkpoint".into(),
            note.display().to_string(),
        ]
    };
    let out = run(args(&export, &kept)).await;
    assert!(out.status.success(), "{}", last_line(&out));
    assert!(last_line(&out).starts_with("export intact: "), "{}", last_line(&out));
    assert!(last_line(&out).contains("1 kept checkpoints extended, key pinned"), "{}", last_line(&out));

    // An edited record is named by its line.
    let text_of = std::fs::read_to_string(&export).unwrap();
    let edited = text_of.replacen("\"GCG-19-D04\"", "\"GCG-19-D05\"", 1);
    assert_ne!(edited, text_of);
    let tampered = app.dir.join("tampered.jsonl");
    std::fs::write(&tampered, edited).unwrap();
    let out = run(args(&tampered, &kept)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).starts_with("export NOT intact: line "), "{}", last_line(&out));

    // A whole history rewritten with the key still verifies alone, but not against a kept
    // checkpoint of the true one.
    let signer = LedgerSigner::from_private_key(&std::fs::read_to_string(&app.key_file).unwrap()).unwrap();
    let note = std::fs::read_to_string(&kept).unwrap();
    let held = Checkpoint::open(&note, &signer.verifier()).unwrap();
    let other = Checkpoint { root: [9u8; 32], ..held };
    let forged = app.dir.join("other.checkpoint");
    std::fs::write(&forged, other.sign(&signer).unwrap()).unwrap();
    let out = run(args(&export, &forged)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(last_line(&out).contains("rewritten"), "{}", last_line(&out));
}
both_stores!(the_offline_verifier_checks_a_full_export_against_kept_checkpoints);
