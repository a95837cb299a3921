//! The dossier verifier in a real browser (Debian's Chromium over chromedriver, as in
//! `browser.rs`): `/verify` on the demo server and the offline file of `ledger export
//! --verifier-page` verify a served dossier with the server's public key, and name the
//! failing part of every tampered copy; a synthetic dossier whose key was rotated
//! (`key_history`) verifies, and fails when a handover signature is altered. Screenshots
//! are kept under `target/screenshots/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use fantoccini::{Client, Locator};
use ledger_format::{Checkpoint, EventRecord, LedgerSigner};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::browser::Driver;
use crate::support::{last_line, Store, TestApp};

/// What the page said.
#[derive(Debug)]
struct Outcome {
    /// `verified` or `failed`.
    outcome: String,
    /// The verified facts, or the failure's part, member and reason, as one line.
    line: String,
    /// The failing member (`events[3].record`, `checkpoint`, `key_history[0]`…).
    member: String,
}

async fn prop(browser: &Client, id: &str) -> String {
    let element = browser.find(Locator::Id(id)).await.unwrap();
    element.prop("textContent").await.unwrap().unwrap_or_default()
}

/// Verifies a dossier on the page now open: the file at `file` (chosen with the file
/// input) or, with `paste`, its text in the paste box; `key` pinned unless empty.
async fn verify_on_page(browser: &Client, file: &Path, paste: bool, key: &str) -> Outcome {
    browser
        .execute(
            "document.getElementById('dossier-file').value = ''; document.getElementById('dossier-text').value = '';",
            vec![],
        )
        .await
        .unwrap();
    if paste {
        let text = std::fs::read_to_string(file).unwrap();
        browser
            .execute("document.getElementById('dossier-text').value = arguments[0];", vec![json!(text)])
            .await
            .unwrap();
    } else {
        let input = browser.find(Locator::Id("dossier-file")).await.unwrap();
        input.send_keys(&file.display().to_string()).await.unwrap();
    }
    let key_field = browser.find(Locator::Id("public-key")).await.unwrap();
    key_field.clear().await.unwrap();
    if !key.is_empty() {
        key_field.send_keys(key).await.unwrap();
    }
    browser.find(Locator::Id("verify")).await.unwrap().click().await.unwrap();
    let verdict = browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#verdict[data-outcome]"))
        .await
        .unwrap();
    let outcome = verdict.attr("data-outcome").await.unwrap().unwrap_or_default();
    let shown = verdict.text().await.unwrap();
    if outcome == "verified" {
        assert_eq!(shown, "verified");
        Outcome { outcome, line: prop(browser, "result-line").await, member: String::new() }
    } else {
        assert_eq!(shown, "FAILED");
        Outcome { outcome, line: prop(browser, "failed-line").await, member: prop(browser, "failed-member").await }
    }
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

/// Changes the first string found in a JSON value (depth first); false if there is none.
fn alter_first_string(value: &mut Value) -> bool {
    match value {
        Value::String(text) => {
            text.push('!');
            true
        }
        Value::Array(items) => items.iter_mut().any(alter_first_string),
        Value::Object(members) => members.values_mut().any(alter_first_string),
        _ => false,
    }
}

fn flip_hex(text: &str) -> String {
    let first = if text.starts_with('0') { "1" } else { "0" };
    format!("{first}{}", &text[1..])
}

fn write(dir: &Path, name: &str, dossier: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(dossier).unwrap()).unwrap();
    path
}

/// The tampered copies of a served dossier, each with the member the page must name.
fn tampered_copies(dossier: &Value, other_key: &str) -> Vec<(&'static str, Value, String, String)> {
    let events = dossier["events"].as_array().unwrap();
    let mut cases = Vec::new();

    // A payload value changed.
    let i = events.iter().position(|e| e["record"]["payload"].is_object()).unwrap();
    let mut changed = dossier.clone();
    assert!(alter_first_string(&mut changed["events"][i]["record"]["payload"]));
    cases.push(("payload", changed, String::new(), format!("events[{i}].record")));

    // An event dropped from the middle of its aggregate's chain: the next event of that
    // aggregate (one index earlier now) no longer follows.
    let aggregate = |e: &Value| (e["record"]["aggregate_type"].clone(), e["record"]["aggregate_id"].clone());
    let (dropped, next) = (0..events.len())
        .find_map(|i| (i + 1..events.len()).find(|&j| aggregate(&events[j]) == aggregate(&events[i])).map(|j| (i, j)))
        .unwrap();
    let mut changed = dossier.clone();
    changed["events"].as_array_mut().unwrap().remove(dropped);
    cases.push(("dropped event", changed, String::new(), format!("events[{}].record.sequence", next - 1)));

    // A hash of an inclusion proof altered.
    let i = events.iter().position(|e| !e["inclusion_proof"].as_array().unwrap().is_empty()).unwrap();
    let mut changed = dossier.clone();
    let hash = changed["events"][i]["inclusion_proof"][0].as_str().unwrap().to_string();
    changed["events"][i]["inclusion_proof"][0] = json!(flip_hex(&hash));
    cases.push(("proof", changed, String::new(), format!("events[{i}].inclusion_proof")));

    // The checkpoint's root altered (its signature no longer verifies).
    let mut changed = dossier.clone();
    let note = changed["checkpoint"].as_str().unwrap().to_string();
    let mut lines: Vec<String> = note.split('\n').map(str::to_string).collect();
    lines[2] = format!("{}{}", if lines[2].starts_with('A') { "B" } else { "A" }, &lines[2][1..]);
    changed["checkpoint"] = json!(lines.join("\n"));
    cases.push(("checkpoint", changed, String::new(), "checkpoint".into()));

    // A recorder signature replaced by another event's.
    let mut changed = dossier.clone();
    changed["events"][0]["signature"] = events[1]["signature"].clone();
    cases.push(("signature", changed, String::new(), "events[0].signature".into()));

    // Another key pinned.
    cases.push(("another key", dossier.clone(), other_key.to_string(), "public_key".into()));
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_verifies_dossiers_without_trusting_the_server() {
    let app = TestApp::spawn_demo(Store::Sqlite).await;
    app.settle().await;
    let public_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    let public_key = public_key.trim().to_string();
    let response = app.client.get(app.url("/api/v1/dossiers/meeting:GCG-19")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let dossier: Value = response.json().await.unwrap();
    let text = format!("{}\n", dossier["checkpoint"].as_str().unwrap().split("\n\n").next().unwrap());
    let size = Checkpoint::parse_text(&text).unwrap().size;
    let intact = write(&app.dir, "gcg-19.json", &dossier);
    let other_key = LedgerSigner::from_seed("alliance87-ledger.example/ledger", [4u8; 32]).unwrap().public_key();

    // The page and its script: served by the binary, under a policy that allows only this
    // site's script and no connection at all.
    let page = app.client.get(app.url("/verify")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    let html = page.text().await.unwrap();
    assert_eq!(html.matches("<script").count(), 1, "one script, the served file");
    assert!(html.contains("<script src=\"/static/verify.js\"></script>"));
    let script = app.client.get(app.url("/static/verify.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));

    let driver = Driver::start().await;
    let browser = driver.browser().await;
    browser.goto(&app.url("/verify")).await.unwrap();

    let result = verify_on_page(&browser, &intact, false, &public_key).await;
    assert_eq!(result.outcome, "verified", "{result:?}");
    assert!(
        result.line.starts_with("dossier intact: meeting:GCG-19: ")
            && result.line.contains(&format!("tree size {size}, root "))
            && result.line.ends_with(", key pinned"),
        "{result:?}"
    );
    assert_eq!(prop(&browser, "fact-subject").await, "meeting:GCG-19");
    assert_eq!(prop(&browser, "fact-size").await, size.to_string());
    let events = dossier["events"].as_array().unwrap().len();
    assert!(prop(&browser, "fact-events").await.starts_with(&format!("{events} in 2 aggregate(s)")));
    assert!(prop(&browser, "fact-key").await.starts_with("pinned"));
    screenshot(&browser, "verify-page-verified").await;

    // The same, pasted and without a key: verified, but says the key was not pinned.
    let result = verify_on_page(&browser, &intact, true, "").await;
    assert_eq!(result.outcome, "verified", "{result:?}");
    assert!(result.line.ends_with("key from the file: pin it"), "{result:?}");
    assert!(prop(&browser, "fact-key").await.starts_with("NOT pinned"));

    // The page cannot send anything anywhere: its policy blocks any connection.
    let sent = browser
        .execute("return fetch(arguments[0]).then(() => 'sent', () => 'blocked');", vec![json!(app.url("/health"))])
        .await
        .unwrap();
    assert_eq!(sent, json!("blocked"));

    // Every tampered copy fails, naming the failing part.
    for (n, (what, changed, key, member)) in tampered_copies(&dossier, &other_key).into_iter().enumerate() {
        let file = write(&app.dir, &format!("tampered-{n}.json"), &changed);
        let key = if key.is_empty() { public_key.clone() } else { key };
        let result = verify_on_page(&browser, &file, n % 2 == 1, &key).await;
        assert_eq!(result.outcome, "failed", "{what}: {result:?}");
        assert_eq!(result.member, member, "{what}: {result:?}");
        assert!(result.line.starts_with("dossier NOT intact: "), "{what}: {result:?}");
        if n == 0 {
            assert!(result.line.contains("record does not match its hash"), "{result:?}");
            screenshot(&browser, "verify-page-failed").await;
        }
    }

    // The offline file: the same verifier, opened from disk with no server.
    let offline = app.dir.join("verifier.html");
    let out = app.ledger(&["export", "--verifier-page", offline.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(last_line(&out).contains("verifier.html"), "{}", last_line(&out));
    let file_text = std::fs::read_to_string(&offline).unwrap();
    let served_script = app.client.get(app.url("/static/verify.js")).send().await.unwrap().text().await.unwrap();
    assert!(file_text.contains(&format!("<script>{served_script}</script>")), "the same script, inlined");
    assert!(!file_text.contains("src=\""), "loads nothing");
    browser.goto(&format!("file://{}", offline.display())).await.unwrap();
    let result = verify_on_page(&browser, &intact, false, &public_key).await;
    assert_eq!(result.outcome, "verified", "{result:?}");
    assert!(result.line.starts_with("dossier intact: meeting:GCG-19: ") && result.line.ends_with(", key pinned"));
    screenshot(&browser, "verify-offline-verified").await;
    let sent = browser
        .execute("return fetch(arguments[0]).then(() => 'sent', () => 'blocked');", vec![json!(app.url("/health"))])
        .await
        .unwrap();
    assert_eq!(sent, json!("blocked"), "the offline file's policy blocks connections too");
    for (n, (what, changed, key, member)) in tampered_copies(&dossier, &other_key).into_iter().enumerate().take(3) {
        let file = write(&app.dir, &format!("offline-tampered-{n}.json"), &changed);
        let key = if key.is_empty() { public_key.clone() } else { key };
        let result = verify_on_page(&browser, &file, false, &key).await;
        assert_eq!(result.outcome, "failed", "{what}: {result:?}");
        assert_eq!(result.member, member, "{what}: {result:?}");
    }
    screenshot(&browser, "verify-offline-failed").await;

    // The normative sample with redacted records (version 1 and 2), pinned with the test key.
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ledger-format/tests/vectors").canonicalize().unwrap();
    let test_key = "alliance87.example/ledger+ba4ede94+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs";
    let result = verify_on_page(&browser, &vectors.join("dossier-redacted.json"), false, test_key).await;
    assert_eq!(result.outcome, "verified", "{result:?}");
    assert!(result.line.contains(": 5 events in 1 aggregates, 2 events redacted, tree size 19"), "{result:?}");

    // A ledger whose key was rotated: the key history verifies, and names what breaks.
    browser.goto(&app.url("/verify")).await.unwrap();
    let rotated = Synthetic::new();
    let pinned = rotated.new_key.public_key();
    let sound = rotated.dossier(3, None);
    let file = write(&app.dir, "rotated.json", &sound);
    let result = verify_on_page(&browser, &file, false, &pinned).await;
    assert_eq!(result.outcome, "verified", "{result:?}");
    assert_eq!(prop(&browser, "fact-rotations").await, "1 (key_history verified)");
    screenshot(&browser, "verify-page-key-history").await;
    // The original key, pinned, also verifies it: the handover is signed by both keys.
    let result = verify_on_page(&browser, &file, false, &rotated.old_key.public_key()).await;
    assert_eq!(result.outcome, "verified", "{result:?}");
    // A key outside the chain does not.
    let result = verify_on_page(&browser, &file, false, &other_key).await;
    assert_eq!((result.outcome.as_str(), result.member.as_str()), ("failed", "public_key"), "{result:?}");
    // A handover signature altered.
    for signature in ["old_signature", "new_signature"] {
        let mut changed = sound.clone();
        let other = if signature == "old_signature" { "new_signature" } else { "old_signature" };
        changed["key_history"][0][signature] = changed["key_history"][0][other].clone();
        let file = write(&app.dir, &format!("rotated-{signature}.json"), &changed);
        let result = verify_on_page(&browser, &file, false, &pinned).await;
        assert_eq!((result.outcome.as_str(), result.member.as_str()), ("failed", "key_history[0]"), "{result:?}");
        assert!(result.line.contains(&format!("{signature} does not verify")), "{result:?}");
    }
    // A history that does not end at the dossier's key.
    let mut changed = sound.clone();
    changed["public_key"] = json!(rotated.old_key.public_key());
    let file = write(&app.dir, "rotated-public-key.json", &changed);
    let result = verify_on_page(&browser, &file, false, &pinned).await;
    assert_eq!((result.outcome.as_str(), result.member.as_str()), ("failed", "key_history[0]"), "{result:?}");
    // A handover (well signed) that says the new key starts one position later: the event
    // at position 3 is then not signed by the key active there.
    let shifted = rotated.dossier(3, Some(4));
    let file = write(&app.dir, "rotated-shifted.json", &shifted);
    let result = verify_on_page(&browser, &file, false, &pinned).await;
    assert_eq!((result.outcome.as_str(), result.member.as_str()), ("failed", "events[2].signature"), "{result:?}");
    assert!(result.line.contains("the key in force at position 3"), "{result:?}");
    screenshot(&browser, "verify-page-key-history-failed").await;
    browser.close().await.unwrap();
}

/// A small ledger built here with ledger_format's functions: six events of two meetings
/// (`SYN-1` at positions 0, 1, 3 and 5), signed by one key up to a rotation and by the
/// next after it, one checkpoint of size 6 signed by the new key, and the dossier of
/// `meeting:SYN-1` with its `key_history`.
struct Synthetic {
    old_key: LedgerSigner,
    new_key: LedgerSigner,
    old_seed: [u8; 32],
    new_seed: [u8; 32],
}

const ORIGIN: &str = "synthetic.example/ledger";

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    sha(&[&[1u8][..], left, right].concat())
}

/// RFC 9162 MTH over leaf hashes.
fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => sha(b""),
        1 => leaves[0],
        n => {
            let k = split(n);
            node(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than n (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 9162 PATH(m, D[n]), leaf level first.
fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(mth(&leaves[..k]));
        p
    }
}

impl Synthetic {
    fn new() -> Self {
        let (old_seed, new_seed) = ([21u8; 32], [22u8; 32]);
        Synthetic {
            old_key: LedgerSigner::from_seed(ORIGIN, old_seed).unwrap(),
            new_key: LedgerSigner::from_seed(ORIGIN, new_seed).unwrap(),
            old_seed,
            new_seed,
        }
    }

    /// The dossier, with the events from position `rotation` on signed by the new key,
    /// and a key history that says the new key starts at `claimed` (default `rotation`).
    fn dossier(&self, rotation: u64, claimed: Option<u64>) -> Value {
        let aggregates = ["SYN-1", "SYN-1", "SYN-2", "SYN-1", "SYN-2", "SYN-1"];
        let mut last: std::collections::HashMap<&str, (u64, String)> = Default::default();
        let mut entries = Vec::new();
        for (position, id) in aggregates.iter().enumerate() {
            let (sequence, prev_hash) =
                last.get(id).cloned().unwrap_or((0, ledger_format::GENESIS_PREV_HASH.to_string()));
            let record = EventRecord {
                aggregate_type: "meeting".into(),
                aggregate_id: id.to_string(),
                sequence: sequence + 1,
                event_type: "NoteRecorded".into(),
                event_version: "1".into(),
                payload: json!({"NoteRecorded": {"meeting_id": id, "text": format!("note {position}: Côte d'Ivoire")}}),
                metadata: json!({"actor": "k.owusu", "role": "secretariat",
                    "recorded_at": format!("2026-11-2{position}T09:00:00.000000Z")}),
                prev_hash,
                visibility: None,
                scope: None,
                pseudonym: None,
                salt: None,
            };
            let hash = record.hash().unwrap();
            let signer = if (position as u64) < rotation { &self.old_key } else { &self.new_key };
            let signature = signer.sign_event_hash(&hash);
            last.insert(id, (sequence + 1, hex::encode(hash)));
            entries.push((position, *id, record, hash, signature));
        }
        let leaves: Vec<[u8; 32]> = entries.iter().map(|e| sha(&[&[0u8][..], &e.3].concat())).collect();
        let checkpoint = Checkpoint { origin: ORIGIN.into(), size: leaves.len() as u64, root: mth(&leaves) };
        let note = checkpoint.sign(&self.new_key).unwrap();
        let events: Vec<Value> = entries
            .iter()
            .filter(|e| e.1 == "SYN-1")
            .map(|(position, _, record, hash, signature)| {
                let proof: Vec<String> = path(*position, &leaves).iter().map(hex::encode).collect();
                json!({"position": position, "record": record, "hash": hex::encode(hash),
                    "signature": signature, "inclusion_proof": proof})
            })
            .collect();
        let from = claimed.unwrap_or(rotation);
        let (old, new) = (self.old_key.public_key(), self.new_key.public_key());
        let statement = format!("alliance87-ledger/key-handover/v1\n{ORIGIN}\n{old}\n{new}\n{from}\n");
        let sign = |seed: &[u8; 32]| BASE64.encode(SigningKey::from_bytes(seed).sign(statement.as_bytes()).to_bytes());
        json!({
            "format": "alliance87-ledger-dossier/v1",
            "subject": "meeting:SYN-1",
            "generated_at": "2026-11-30T08:00:00Z",
            "origin": ORIGIN,
            "public_key": new,
            "key_history": [{"from_position": from, "old_key": old, "new_key": new,
                "old_signature": sign(&self.old_seed), "new_signature": sign(&self.new_seed)}],
            "checkpoint": note,
            "events": events,
            "omitted_unsealed": 0,
        })
    }
}

#[test]
fn the_synthetic_ledger_is_sound_without_its_rotation() {
    // With every event signed by one key and no key history, the synthetic dossier is one
    // that ledger_format's own verifier accepts: the builder above is right.
    let synthetic = Synthetic::new();
    let mut dossier = synthetic.dossier(0, None);
    dossier.as_object_mut().unwrap().remove("key_history");
    let bytes = serde_json::to_vec(&dossier).unwrap();
    let key = synthetic.new_key.verifier();
    let summary = ledger_format::verify_dossier_bytes(&bytes, Some(&key)).expect("verifies");
    assert_eq!((summary.events, summary.tree_size, summary.aggregates), (4, 6, 1));
}
