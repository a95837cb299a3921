//! The published test vectors of the ledger format (docs/LEDGER-FORMAT.md §11).
//!
//! Everything in `tests/vectors/*.json` is recomputed here from the code and compared
//! with the checked-in files, so any drift of the format (canonical bytes, hashes,
//! chains, signatures, Merkle roots and proofs, checkpoints) fails the build. To
//! regenerate the files after a *deliberate* format change:
//!
//! ```text
//! UPDATE_VECTORS=1 cargo test -p domain --test ledger_vectors
//! ```
//!
//! Also here: `CompactTree` against `tlog_tiles::tree_hash` over stored hashes and a
//! naive RFC 6962 definition, the RFC 8785 key-ordering example, and the refusal of
//! floats and unsafe integers in canonical bytes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::NaiveDate;
use domain::decision::{DecisionEvent, DecisionSubject, Tally};
use domain::meeting::{Attendance, AttendanceStatus, MeetingEvent, MeetingKind, Modality, QuorumSnapshot};
use domain::policy::DecisionMethod;
use ledger_format::merkle::{
    leaf_hash, node_hash, prove_record, prove_tree, record_hash, root_of, stored_hash_count, stored_hash_index,
    stored_hashes_for_record_hash, tree_hash, CompactTree, Hash, HashReader, EMPTY_HASH,
};
use ledger_format::record::{sha256, MAX_SAFE_INTEGER};
use ledger_format::{Checkpoint, CheckpointError, EventRecord, LedgerSigner, RecordError, GENESIS_PREV_HASH};
use serde_json::{json, Value};

const KEY_NAME: &str = "alliance87.example/ledger";
const SEED: [u8; 32] = [7u8; 32];

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors")
}

fn signer() -> LedgerSigner {
    LedgerSigner::from_seed(KEY_NAME, SEED).expect("valid test key")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

// --- building the vectors from the code -------------------------------------------

/// The illustrative records: two aggregates of two events each (so the chains are
/// exercised), plus a pledge with money and nested objects whose keys need sorting.
fn records() -> Vec<EventRecord> {
    let scheduled = MeetingEvent::MeetingScheduled {
        meeting_id: "GCG-21".to_string(),
        body_id: "gcg".to_string(),
        number: 21,
        kind: MeetingKind::Regular,
        date: date("2026-11-22"),
        modality: Modality::Hybrid,
        location: Some("Genève".to_string()),
    };
    let attendance = MeetingEvent::AttendanceRecorded(Attendance {
        seat_id: Some("seat-civ".to_string()),
        organisation: "Côte d'Ivoire".to_string(),
        status: AttendanceStatus::Present,
        voting: true,
    });
    let proposed = DecisionEvent::DecisionProposed {
        decision_id: "GCG-21-D04".to_string(),
        meeting_id: "GCG-21".to_string(),
        agenda_item: Some("4.2".to_string()),
        subject: DecisionSubject::GrantPathfinderStatus { iso3: "CIV".to_string() },
        text: "The GCG grants Côte d'Ivoire \"Pathfinder\" status.\nIt reports to GCG-23.".to_string(),
        effect: None,
    };
    let adopted = DecisionEvent::DecisionAdopted {
        method: DecisionMethod::Consensus,
        tally: Tally { for_: 9, against: 0, abstain: 2, block: 0 },
        quorum_snapshot: QuorumSnapshot {
            voting_seats_filled: 14,
            voting_seats_present: 11,
            required: 8,
            met: true,
            policy_version: "gcg-rules/v1-provisional".to_string(),
        },
        policy_version: "gcg-rules/v1-provisional".to_string(),
        effective_on: date("2026-11-22"),
    };
    let pledge = json!({
        "pledge_id": "PL-2026-014",
        "donor": "Ministère de l'Europe et des Affaires étrangères",
        "programme_id": "PRG-CIV-01",
        "amount": { "minor_units": 250_000_000, "currency": "EUR" },
        "instalments": [
            { "due_on": "2027-01-15", "minor_units": 150_000_000 },
            { "due_on": "2027-07-15", "minor_units": 100_000_000 }
        ],
        "labels": { "fr": "Côte d'Ivoire — programme national", "en": "Côte d'Ivoire national programme", "ar": "ساحل العاج" },
        "earmarked": false,
        "conditions": null
    });

    let envelope = |actor: &str, role: &str, authority: Value, occurred: &str, recorded: &str, request: &str| {
        json!({
            "actor": actor,
            "role": role,
            "authority": authority,
            "occurred_at": occurred,
            "recorded_at": recorded,
            "request_id": request,
        })
    };
    let mut pledge_meta = envelope(
        "donor:fr-meae",
        "donor",
        json!({ "kind": "decision", "decision_id": "GCG-19-D04" }),
        "2026-12-01T14:30:00+01:00",
        "2026-12-02T08:00:00.000000Z",
        "req-5b1e0c2a",
    );
    pledge_meta["provenance"] = json!({ "confidence": "B", "note": "illustrative" });
    let mut attendance_meta = envelope(
        "secretariat:k.owusu",
        "secretariat",
        Value::Null,
        "2026-11-22",
        "2026-11-22T09:05:12.345678Z",
        "req-2f4c9d10",
    );
    attendance_meta["provenance"] = json!({ "confidence": "A", "note": "illustrative" });

    let record =
        |aggregate_type: &str, aggregate_id: &str, sequence: u64, event_type: &str, payload: Value, metadata: Value| {
            EventRecord {
                aggregate_type: aggregate_type.to_string(),
                aggregate_id: aggregate_id.to_string(),
                sequence,
                event_type: event_type.to_string(),
                event_version: "1".to_string(),
                payload,
                metadata,
                prev_hash: GENESIS_PREV_HASH.to_string(),
                visibility: None,
                scope: None,
                pseudonym: None,
                salt: None,
            }
        };
    let mut out = vec![
        record(
            "meeting",
            "GCG-21",
            1,
            "MeetingScheduled",
            to_value(&scheduled),
            envelope(
                "secretariat:k.owusu",
                "secretariat",
                Value::Null,
                "2026-09-01",
                "2026-09-01T07:30:00.000000Z",
                "req-0a7d31c4",
            ),
        ),
        record("meeting", "GCG-21", 2, "AttendanceRecorded", to_value(&attendance), attendance_meta),
        record(
            "decision",
            "GCG-21-D04",
            1,
            "DecisionProposed",
            to_value(&proposed),
            envelope(
                "chair:m.diallo",
                "chair",
                json!({ "kind": "meeting", "meeting_id": "GCG-21" }),
                "2026-11-22T10:15:00Z",
                "2026-11-22T10:15:03.000120Z",
                "req-9c03e6b7",
            ),
        ),
        record(
            "decision",
            "GCG-21-D04",
            2,
            "DecisionAdopted",
            to_value(&adopted),
            envelope(
                "chair:m.diallo",
                "chair",
                json!({ "kind": "meeting", "meeting_id": "GCG-21" }),
                "2026-11-22T11:40:00Z",
                "2026-11-22T11:40:01.500000Z",
                "req-d81f22e0",
            ),
        ),
        record("pledge", "PL-2026-014", 1, "PledgeRecorded", pledge, pledge_meta),
    ];
    // Chain each record to the previous record of the same aggregate.
    let mut last: BTreeMap<(String, String), String> = BTreeMap::new();
    for r in &mut out {
        let key = (r.aggregate_type.clone(), r.aggregate_id.clone());
        if let Some(prev) = last.get(&key) {
            r.prev_hash = prev.clone();
        }
        last.insert(key, r.hash_hex().expect("hashable"));
    }
    out
}

fn to_value<T: serde::Serialize>(event: &T) -> Value {
    serde_json::to_value(event).expect("serialises")
}

fn build_events() -> Value {
    let signer = signer();
    let events: Vec<Value> = records()
        .into_iter()
        .map(|record| {
            let canonical = String::from_utf8(record.canonical_bytes().expect("canonical")).expect("UTF-8");
            let hash = record.hash().expect("hash");
            json!({
                "record": record,
                "canonical": canonical,
                "hash": hex::encode(hash),
                "signature": signer.sign_event_hash(&hash),
            })
        })
        .collect();
    json!({
        "description": "Event records, their RFC 8785 canonical bytes (as a UTF-8 string), SHA-256 event hashes (lowercase hex) and recorder signatures (Ed25519 over \"alliance87-ledger/event-hash/v1\\n\" || 32 hash bytes, base64). Signed with the test key of checkpoint.json. Illustrative data.",
        "public_key": signer.public_key(),
        "events": events,
    })
}

/// The n-th leaf's event hash: SHA-256 of the ASCII string `event-<n>`.
fn event_hash(i: u64) -> [u8; 32] {
    sha256(format!("event-{i}").as_bytes())
}

/// Stored hashes of the tlog layout (the same as Go's `golang.org/x/mod/sumdb/tlog`).
struct Stored(Vec<Hash>);

impl HashReader for Stored {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.0.get(i).copied())
                    .ok_or(tlog_tiles::tlog::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn stored_tree(n: u64) -> Stored {
    let mut stored = Stored(Vec::new());
    for i in 0..n {
        assert_eq!(stored.0.len() as u64, stored_hash_index(0, i));
        let hashes = stored_hashes_for_record_hash(i, leaf_hash(&event_hash(i)), &stored).expect("stored hashes");
        stored.0.extend(hashes);
    }
    assert_eq!(stored.0.len() as u64, stored_hash_count(n));
    stored
}

fn hexes(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| hex::encode(h.0)).collect()
}

const MERKLE_LEAVES: u64 = 17;
const PROOF_SIZES: [u64; 6] = [1, 2, 3, 7, 8, 17];

fn build_merkle() -> Value {
    let stored = stored_tree(MERKLE_LEAVES);
    let leaves: Vec<Value> = (0..MERKLE_LEAVES)
        .map(|i| {
            json!({
                "index": i,
                "data": format!("event-{i}"),
                "event_hash": hex::encode(event_hash(i)),
                "leaf_hash": hex::encode(leaf_hash(&event_hash(i)).0),
            })
        })
        .collect();
    let hashes: Vec<[u8; 32]> = (0..MERKLE_LEAVES).map(event_hash).collect();
    let roots: Vec<Value> = (0..=MERKLE_LEAVES as usize)
        .map(|n| json!({ "size": n, "root": hex::encode(root_of(&hashes[..n]).0) }))
        .collect();
    let mut inclusion = Vec::new();
    let mut consistency = Vec::new();
    for size in PROOF_SIZES {
        for index in 0..size {
            let proof = prove_record(size, index, &stored).expect("inclusion proof");
            inclusion.push(json!({ "size": size, "index": index, "path": hexes(&proof) }));
        }
        for old in 1..=size {
            let proof = prove_tree(size, old, &stored).expect("consistency proof");
            consistency.push(json!({ "old_size": old, "size": size, "path": hexes(&proof) }));
        }
    }
    json!({
        "description": "RFC 6962 Merkle tree over positions 0..16: event hash i = SHA-256(ASCII \"event-<i>\"), leaf = SHA-256(0x00 || event hash), node = SHA-256(0x01 || left || right). roots[n] is the root of the first n leaves (n = 0 is SHA-256 of the empty string). Inclusion paths (RFC 9162 §2.1.3) and consistency paths (RFC 9162 §2.1.4) are lists of hex hashes, nearest the leaf (or the old tree) first.",
        "leaves": leaves,
        "roots": roots,
        "inclusion": inclusion,
        "consistency": consistency,
    })
}

fn build_checkpoint() -> Value {
    let signer = signer();
    let hashes: Vec<[u8; 32]> = (0..MERKLE_LEAVES).map(event_hash).collect();
    let checkpoint = Checkpoint { origin: KEY_NAME.to_string(), size: MERKLE_LEAVES, root: root_of(&hashes).0 };
    let note = checkpoint.sign(&signer).expect("signs");
    json!({
        "description": "A C2SP signed checkpoint of the 17-leaf tree of merkle.json, signed with a TEST key (Ed25519 seed = 32 bytes of 0x07; never use it for anything else).",
        "key_name": KEY_NAME,
        "seed_hex": hex::encode(SEED),
        "private_key": signer.private_key_string(),
        "public_key": signer.public_key(),
        "key_id": format!("{:08x}", signer.verifier().key_id()),
        "checkpoint": {
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root_base64": BASE64.encode(checkpoint.root),
            "root_hex": hex::encode(checkpoint.root),
        },
        "text": checkpoint.text(),
        "note": note,
    })
}

/// Compares a built vector with its file (or writes the file under `UPDATE_VECTORS=1`),
/// and returns the file's content for the independent checks.
fn vector(name: &str, built: Value) -> Value {
    let path = vectors_dir().join(name);
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::create_dir_all(vectors_dir()).expect("create vectors dir");
        let text = serde_json::to_string_pretty(&built).expect("serialises") + "\n";
        std::fs::write(&path, text).expect("write vector");
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_VECTORS=1 to create it)", path.display()));
    let file: Value = serde_json::from_str(&text).expect("vector file is JSON");
    assert!(file == built, "{name} differs from what the code computes: the ledger format drifted");
    file
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} is a string"))
}

fn hash_from_hex(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).expect("hex hash");
    out
}

// --- checking the files -----------------------------------------------------------

#[test]
fn event_vectors() {
    let file = vector("events.json", build_events());
    let signer = signer();
    let verifier = signer.verifier();
    assert_eq!(str_of(&file, "public_key"), signer.public_key());

    let events = file["events"].as_array().expect("events");
    assert_eq!(events.len(), 5);
    let mut last: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
    for (i, entry) in events.iter().enumerate() {
        let record: EventRecord = serde_json::from_value(entry["record"].clone()).expect("an EventRecord");
        let canonical = record.canonical_bytes().expect("canonical bytes");
        assert_eq!(std::str::from_utf8(&canonical).expect("UTF-8"), str_of(entry, "canonical"), "event {i}");
        let hash = sha256(&canonical);
        assert_eq!(record.hash().expect("hash"), hash);
        assert_eq!(hex::encode(hash), str_of(entry, "hash"), "event {i}");

        // The per-aggregate chain.
        let key = (record.aggregate_type.clone(), record.aggregate_id.clone());
        match last.get(&key) {
            None => {
                assert_eq!(record.sequence, 1, "event {i}");
                assert_eq!(record.prev_hash, GENESIS_PREV_HASH, "event {i}");
            }
            Some((sequence, prev)) => {
                assert_eq!(record.sequence, sequence + 1, "event {i}");
                assert_eq!(&record.prev_hash, prev, "event {i}");
            }
        }
        last.insert(key, (record.sequence, hex::encode(hash)));

        // The recorder signature: deterministic, verifies, and only for this hash.
        let signature = str_of(entry, "signature");
        assert_eq!(signer.sign_event_hash(&hash), signature, "event {i}");
        assert!(verifier.verify_event_hash(&hash, signature), "event {i}");
        let mut modified = hash;
        modified[31] ^= 1;
        assert!(!verifier.verify_event_hash(&modified, signature), "event {i}");
        // Editing any field changes the hash.
        let mut edited = record.clone();
        edited.sequence += 1;
        assert_ne!(edited.hash().expect("hash"), hash);
    }
    assert_eq!(last.len(), 3, "three aggregates");

    // The signature is Ed25519 over the context string and the raw hash, nothing else.
    let first = &events[0];
    let hash = hash_from_hex(str_of(first, "hash"));
    let signature = BASE64.decode(str_of(first, "signature")).expect("base64");
    assert_eq!(signature.len(), 64);
    let key = ed25519_dalek::SigningKey::from_bytes(&SEED);
    let message = [b"alliance87-ledger/event-hash/v1\n".as_slice(), &hash].concat();
    use ed25519_dalek::Signer as _;
    assert_eq!(key.sign(&message).to_bytes().as_slice(), signature.as_slice());
    let other = LedgerSigner::from_seed(KEY_NAME, [8u8; 32]).expect("key");
    assert!(!other.verifier().verify_event_hash(&hash, str_of(first, "signature")));
    assert!(!verifier.verify_event_hash(&hash, "not base64!"));
    assert!(!verifier.verify_event_hash(&hash, &BASE64.encode([0u8; 63])));
}

/// The naive RFC 6962 §2.1 definition of MTH, for comparison.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash(sha256(b"")),
        1 => leaves[0],
        n => {
            // The largest power of two smaller than n.
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(mth(&leaves[..k]), mth(&leaves[k..]))
        }
    }
}

#[test]
fn merkle_vectors() {
    let file = vector("merkle.json", build_merkle());
    let leaves: Vec<Hash> = (0..MERKLE_LEAVES).map(|i| leaf_hash(&event_hash(i))).collect();
    for (i, leaf) in file["leaves"].as_array().expect("leaves").iter().enumerate() {
        assert_eq!(str_of(leaf, "event_hash"), hex::encode(sha256(format!("event-{i}").as_bytes())));
        let mut data = vec![0u8];
        data.extend(hash_from_hex(str_of(leaf, "event_hash")));
        assert_eq!(str_of(leaf, "leaf_hash"), hex::encode(sha256(&data)));
    }
    let roots = file["roots"].as_array().expect("roots");
    assert_eq!(roots.len(), MERKLE_LEAVES as usize + 1);
    for (n, root) in roots.iter().enumerate() {
        assert_eq!(root["size"].as_u64(), Some(n as u64));
        assert_eq!(str_of(root, "root"), hex::encode(mth(&leaves[..n]).0), "size {n}");
    }
    assert_eq!(str_of(&roots[0], "root"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    // Every proof checks against the root of its tree and fails for a wrong leaf.
    let root = |n: u64| Hash(hash_from_hex(str_of(&roots[n as usize], "root")));
    let path = |v: &Value| -> Vec<Hash> {
        v["path"].as_array().expect("path").iter().map(|h| Hash(hash_from_hex(h.as_str().expect("hex")))).collect()
    };
    for proof in file["inclusion"].as_array().expect("inclusion") {
        let (size, index) = (proof["size"].as_u64().expect("size"), proof["index"].as_u64().expect("index"));
        let p = path(proof);
        tlog_tiles::tlog::check_record(&p, size, root(size), index, leaves[index as usize]).expect("inclusion");
        let wrong = leaves[((index + 1) % MERKLE_LEAVES) as usize];
        assert!(tlog_tiles::tlog::check_record(&p, size, root(size), index, wrong).is_err());
    }
    for proof in file["consistency"].as_array().expect("consistency") {
        let (old, size) = (proof["old_size"].as_u64().expect("old"), proof["size"].as_u64().expect("size"));
        tlog_tiles::tlog::check_tree(&path(proof), size, root(size), old, root(old)).expect("consistency");
    }
}

#[test]
fn checkpoint_vector() {
    let file = vector("checkpoint.json", build_checkpoint());
    let signer = LedgerSigner::from_private_key(str_of(&file, "private_key")).expect("private key");
    assert_eq!(signer.public_key(), str_of(&file, "public_key"));
    let verifier = ledger_format::LedgerVerifier::from_public_key(str_of(&file, "public_key")).expect("public key");
    assert_eq!(verifier.name(), KEY_NAME);
    assert_eq!(format!("{:08x}", verifier.key_id()), str_of(&file, "key_id"));

    // The key id is the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
    let public = ed25519_dalek::SigningKey::from_bytes(&SEED).verifying_key().to_bytes();
    let id_input = [KEY_NAME.as_bytes(), b"\n", &[1u8], &public].concat();
    assert_eq!(hex::encode(&sha256(&id_input)[..4]), str_of(&file, "key_id"));
    assert_eq!(
        str_of(&file, "public_key"),
        format!("{KEY_NAME}+{}+{}", str_of(&file, "key_id"), BASE64.encode([&[1u8][..], &public].concat()))
    );

    let note = str_of(&file, "note");
    let opened = Checkpoint::open(note, &verifier).expect("the note verifies");
    let expected = &file["checkpoint"];
    assert_eq!(opened.origin, str_of(expected, "origin"));
    assert_eq!(Some(opened.size), expected["size"].as_u64());
    assert_eq!(BASE64.encode(opened.root), str_of(expected, "root_base64"));
    assert_eq!(hex::encode(opened.root), str_of(expected, "root_hex"));
    assert_eq!(opened.text(), str_of(&file, "text"));
    // It is the 17-leaf root of merkle.json.
    assert_eq!(str_of(&build_merkle()["roots"][17], "root"), str_of(expected, "root_hex"));

    // The note is the text, a blank line and one signature line.
    let sig_line = format!("— {KEY_NAME} ");
    assert!(note.starts_with(str_of(&file, "text")));
    let rest = &note[str_of(&file, "text").len()..];
    assert!(rest.starts_with(&format!("\n{sig_line}")) && rest.ends_with('\n'), "{rest:?}");
    let sig = BASE64.decode(rest[1 + sig_line.len()..].trim_end()).expect("base64");
    assert_eq!(sig.len(), 4 + 64);
    assert_eq!(hex::encode(&sig[..4]), str_of(&file, "key_id"));

    // Any changed byte of the text breaks the signature.
    for (i, _) in str_of(&file, "text").char_indices().filter(|(_, c)| c.is_ascii_alphanumeric()) {
        let mut bytes = note.as_bytes().to_vec();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(bytes).expect("UTF-8");
        assert_eq!(
            Checkpoint::open(&tampered, &verifier),
            Err(CheckpointError::BadSignature(verifier.encoded().to_string())),
            "byte {i}"
        );
    }
    // A changed signature byte, or another key, fails too.
    let mut bytes = note.as_bytes().to_vec();
    let at = note.len() - 6;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    assert!(Checkpoint::open(&String::from_utf8(bytes).expect("UTF-8"), &verifier).is_err());
    let other = LedgerSigner::from_seed(KEY_NAME, [8u8; 32]).expect("key").verifier();
    assert!(matches!(Checkpoint::open(note, &other), Err(CheckpointError::BadSignature(_))));
}

// --- the tree implementations agree -----------------------------------------------

#[test]
fn compact_tree_matches_stored_hashes_and_the_definition() {
    const N: u64 = 70;
    let stored = stored_tree(N);
    let leaves: Vec<Hash> = (0..N).map(|i| leaf_hash(&event_hash(i))).collect();
    let mut compact = CompactTree::new();
    for n in 0..=N {
        assert_eq!(compact.size(), n);
        let root = compact.root();
        assert_eq!(root, tree_hash(n, &stored).expect("tree hash"), "size {n}");
        assert_eq!(root, mth(&leaves[..n as usize]), "size {n}");
        if n < N {
            compact.push_event_hash(&event_hash(n));
        }
    }
    assert_eq!(CompactTree::new().root(), EMPTY_HASH);
    assert_eq!(EMPTY_HASH.0, sha256(b""));
    // A leaf is the record hash of the 32 raw event-hash bytes, not of their hex.
    let h = event_hash(0);
    assert_eq!(leaf_hash(&h), record_hash(&h));
    assert_ne!(leaf_hash(&h), record_hash(hex::encode(h).as_bytes()));
}

// --- canonical bytes --------------------------------------------------------------

fn record_with(payload: Value, metadata: Value) -> EventRecord {
    EventRecord {
        aggregate_type: "test".to_string(),
        aggregate_id: "T-1".to_string(),
        sequence: 1,
        event_type: "Tested".to_string(),
        event_version: "1".to_string(),
        payload,
        metadata,
        prev_hash: GENESIS_PREV_HASH.to_string(),
        visibility: None,
        scope: None,
        pseudonym: None,
        salt: None,
    }
}

#[test]
fn canonical_bytes_refuse_floats() {
    let err = |payload: Value, metadata: Value| record_with(payload, metadata).canonical_bytes().unwrap_err();
    assert_eq!(err(json!({ "amount": 12.5 }), json!({})), RecordError::FloatNotAllowed("payload.amount".into()));
    assert_eq!(err(json!({ "amount": 1.0 }), json!({})), RecordError::FloatNotAllowed("payload.amount".into()));
    assert_eq!(
        err(json!({}), json!({ "provenance": { "scores": [1, 0.5] } })),
        RecordError::FloatNotAllowed("metadata.provenance.scores[1]".into())
    );
    assert!(matches!(record_with(json!({ "x": 0.1 }), json!({})).hash(), Err(RecordError::FloatNotAllowed(_))));
    // Payload and metadata are JSON objects.
    assert_eq!(err(json!(0.1), json!({})), RecordError::NotAnObject("payload"));
    assert_eq!(err(json!({}), json!("x")), RecordError::NotAnObject("metadata"));
    // Parsed from text, `-0` and exponents are floats too (an integer is digits only).
    for text in ["-0", "1e2", "1E+2", "0.0"] {
        let payload: Value = serde_json::from_str(&format!("{{\"n\":{text}}}")).expect("JSON");
        assert_eq!(err(payload, json!({})), RecordError::FloatNotAllowed("payload.n".into()), "{text}");
    }
    // Integers are fine, negative ones too.
    assert!(record_with(json!({ "minor_units": -250_000_000, "n": 0 }), json!({})).canonical_bytes().is_ok());
}

#[test]
fn canonical_bytes_refuse_integers_a_double_cannot_hold() {
    let max = MAX_SAFE_INTEGER;
    let bytes = |v: Value| record_with(json!({ "n": v }), json!({})).canonical_bytes();
    assert!(bytes(json!(max)).is_ok());
    assert!(bytes(json!(-(max as i64))).is_ok());
    let out = |path: &str| Err(RecordError::IntegerOutOfRange(path.to_string()));
    assert_eq!(bytes(json!(max + 1)), out("payload.n"));
    assert_eq!(bytes(json!(-(max as i64) - 1)), out("payload.n"));
    assert_eq!(bytes(json!(u64::MAX)), out("payload.n"));
    let mut record = record_with(json!({}), json!({}));
    record.sequence = max + 1;
    assert_eq!(record.canonical_bytes(), out("sequence"));
    // Without the check, 2^53 + 1 would be written as 2^53 and two values would share
    // one hash.
    assert_eq!(serde_jcs::to_string(&json!(max + 2)).expect("jcs"), (max + 1).to_string());
}

#[test]
fn canonical_bytes_follow_rfc_8785() {
    // RFC 8785 §3.2.3: keys are sorted by their UTF-16 code units, not by code points.
    let payload = json!({
        "\u{20ac}": "Euro Sign",
        "\r": "Carriage Return",
        "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\u{1f600}": "Emoji: Grinning Face",
        "\u{80}": "Control",
        "\u{f6}": "Latin Small Letter O With Diaeresis"
    });
    let expected_payload = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
    let metadata = json!({ "s": "\u{1}\t\"\\/\u{7f}é", "b": [true, false, null], "n": -0 });
    let expected = format!(
        "{{\"aggregate_id\":\"T-1\",\"aggregate_type\":\"test\",\"event_type\":\"Tested\",\"event_version\":\"1\",\
         \"metadata\":{{\"b\":[true,false,null],\"n\":0,\"s\":\"\\u0001\\t\\\"\\\\/\u{7f}é\"}},\
         \"payload\":{expected_payload},\"prev_hash\":\"{GENESIS_PREV_HASH}\",\"sequence\":1}}"
    );
    let bytes = record_with(payload, metadata).canonical_bytes().expect("canonical");
    assert_eq!(String::from_utf8(bytes).expect("UTF-8"), expected);
}

#[test]
fn a_record_with_an_unhashed_field_is_refused() {
    let file: Value = build_events();
    let mut record = file["events"][0]["record"].clone();
    assert!(serde_json::from_value::<EventRecord>(record.clone()).is_ok());
    record["note"] = json!("not covered by the hash");
    assert!(serde_json::from_value::<EventRecord>(record).is_err());
}

#[test]
fn checkpoint_text_is_strict() {
    let root = BASE64.encode([0u8; 32]);
    let parse = |size: &str| Checkpoint::parse_text(&format!("{KEY_NAME}\n{size}\n{root}\n"));
    assert_eq!(parse("17").map(|c| c.size), Ok(17));
    assert_eq!(parse("0").map(|c| c.size), Ok(0));
    for bad in ["+17", "017", "-1", "", " 17", "1e3", "18446744073709551616"] {
        assert_eq!(parse(bad), Err(CheckpointError::MalformedText), "{bad:?}");
    }
    assert_eq!(Checkpoint::parse_text(&format!("\n17\n{root}\n")), Err(CheckpointError::MalformedText));
    assert_eq!(
        Checkpoint::parse_text(&format!("{KEY_NAME}\n17\n{}\n", BASE64.encode([0u8; 31]))),
        Err(CheckpointError::MalformedText)
    );
}
