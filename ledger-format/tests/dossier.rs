//! Accountability dossiers: a realistic dossier verifies, and any one-byte change to it
//! is caught, with the failing part named.
//!
//! The dossier is built here from the test key (seed 32 × 0x07): a meeting and one of
//! its decisions, interleaved with other events in a 19-leaf tree, and a signed
//! checkpoint. It is also the published sample `tests/vectors/dossier.json` (with its
//! rendering `dossier.md`); regenerate both after a deliberate change with
//!
//! ```text
//! UPDATE_VECTORS=1 cargo test -p ledger-format --test dossier
//! ```

use std::path::PathBuf;

use ledger_format::merkle::{prove_record, stored_hashes_for_record_hash, tree_hash, Hash, HashReader};
use ledger_format::proof::hash_list_hex;
use ledger_format::record::sha256;
use ledger_format::{
    render_markdown, verify_dossier, verify_dossier_bytes, Checkpoint, Dossier, DossierError, DossierEvent,
    EventRecord, KeySource, LedgerSigner, DOSSIER_FORMAT, GENESIS_PREV_HASH,
};
use serde_json::{json, Value};

const KEY_NAME: &str = "alliance87.example/ledger";
const TREE_SIZE: u64 = 19;

struct Store(Vec<Hash>);

impl HashReader for Store {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

fn signer() -> LedgerSigner {
    LedgerSigner::from_seed(KEY_NAME, [7u8; 32]).expect("test key")
}

fn meta(actor: &str, role: &str, authority: Value, occurred: &str, recorded: &str, request: &str) -> Value {
    let mut meta = json!({
        "actor": actor,
        "role": role,
        "occurred_at": occurred,
        "recorded_at": recorded,
        "request_id": request,
    });
    if !authority.is_null() {
        meta["authority"] = authority;
    }
    meta
}

/// The subject's records: meeting GCG-21 (three events) and decision GCG-21-D04 (two),
/// in the order they were sealed, chained per aggregate.
fn records() -> Vec<EventRecord> {
    let meeting_authority = json!({ "kind": "meeting", "meeting_id": "GCG-21" });
    let mut held_meta = meta(
        "secretariat:k.owusu",
        "secretariat",
        json!({ "kind": "decision", "decision_id": "GCG-19-D04" }),
        "2026-11-22T17:30:00+01:00",
        "2026-11-22T16:45:10.250000Z",
        "req-7e11a0c3",
    );
    held_meta["provenance"] = json!({ "confidence": "X", "note": "illustrative attendance figures" });
    let mut attendance_meta = meta(
        "secretariat:k.owusu",
        "secretariat",
        Value::Null,
        "2026-11-22",
        "2026-11-22T09:05:12.345678Z",
        "req-2f4c9d10",
    );
    attendance_meta["provenance"] = json!({ "confidence": "S", "note": "attendance sheet" });
    let list = [
        (
            "meeting",
            "GCG-21",
            "MeetingScheduled",
            json!({ "MeetingScheduled": {
                "meeting_id": "GCG-21", "body_id": "gcg", "number": 21, "kind": "regular",
                "date": "2026-11-22", "modality": "hybrid", "location": "Genève"
            }}),
            meta(
                "secretariat:k.owusu",
                "secretariat",
                Value::Null,
                "2026-09-01",
                "2026-09-01T07:30:00.000000Z",
                "req-0a7d31c4",
            ),
        ),
        (
            "meeting",
            "GCG-21",
            "AttendanceRecorded",
            json!({ "AttendanceRecorded": {
                "seat_id": "seat-civ", "organisation": "Côte d'Ivoire", "status": "present", "voting": true
            }}),
            attendance_meta,
        ),
        (
            "decision",
            "GCG-21-D04",
            "DecisionProposed",
            json!({ "DecisionProposed": {
                "decision_id": "GCG-21-D04", "meeting_id": "GCG-21", "agenda_item": "4.2",
                "subject": { "GrantPathfinderStatus": { "iso3": "CIV" } },
                "text": "The GCG grants Côte d'Ivoire \"Pathfinder\" status.\nIt reports to GCG-23."
            }}),
            meta(
                "chair:m.diallo",
                "chair",
                meeting_authority.clone(),
                "2026-11-22T10:15:00Z",
                "2026-11-22T10:15:03.000120Z",
                "req-9c03e6b7",
            ),
        ),
        (
            "decision",
            "GCG-21-D04",
            "DecisionAdopted",
            json!({ "DecisionAdopted": {
                "method": "consensus",
                "tally": { "for": 9, "against": 0, "abstain": 2, "block": 0 },
                "quorum_snapshot": { "voting_seats_filled": 14, "voting_seats_present": 11, "required": 8, "met": true,
                                     "policy_version": "gcg-rules/v1-provisional" },
                "policy_version": "gcg-rules/v1-provisional",
                "effective_on": "2026-11-22"
            }}),
            meta(
                "chair:m.diallo",
                "chair",
                meeting_authority,
                "2026-11-22T11:40:00Z",
                "2026-11-22T11:40:01.500000Z",
                "req-d81f22e0",
            ),
        ),
        (
            "meeting",
            "GCG-21",
            "MeetingHeld",
            json!({ "MeetingHeld": { "present": 11, "voting_seats_present": 11, "minutes_ref": "GCG-21/min" }}),
            held_meta,
        ),
    ];
    let mut out: Vec<EventRecord> = Vec::new();
    for (aggregate_type, aggregate_id, event_type, payload, metadata) in list {
        let previous = out.iter().rev().find(|r| r.aggregate_type == aggregate_type && r.aggregate_id == aggregate_id);
        out.push(EventRecord {
            aggregate_type: aggregate_type.to_string(),
            aggregate_id: aggregate_id.to_string(),
            sequence: previous.map_or(1, |p| p.sequence + 1),
            event_type: event_type.to_string(),
            event_version: "1".to_string(),
            payload,
            metadata,
            prev_hash: previous.map_or(GENESIS_PREV_HASH.to_string(), |p| p.hash_hex().expect("hash")),
            visibility: None,
            scope: None,
            pseudonym: None,
            salt: None,
        });
    }
    out
}

/// Positions of the subject's records in the ledger; the others hold other events.
const POSITIONS: [u64; 5] = [3, 7, 8, 10, 15];

/// Builds the sample dossier from `records` placed at `POSITIONS`.
fn build_with(signer: &LedgerSigner, records: &[EventRecord]) -> Dossier {
    let hashes: Vec<[u8; 32]> = records.iter().map(|r| r.hash().expect("hash")).collect();
    let mut store = Store(Vec::new());
    for position in 0..TREE_SIZE {
        let event_hash = match POSITIONS.iter().position(|&p| p == position) {
            Some(k) => hashes[k],
            None => sha256(format!("another subject's event at {position}").as_bytes()),
        };
        let new = stored_hashes_for_record_hash(position, ledger_format::merkle::leaf_hash(&event_hash), &store)
            .expect("stored hashes");
        store.0.extend(new);
    }
    let root = tree_hash(TREE_SIZE, &store).expect("root").0;
    let checkpoint =
        Checkpoint { origin: KEY_NAME.to_string(), size: TREE_SIZE, root }.sign(signer).expect("signed checkpoint");
    let events = records
        .iter()
        .zip(hashes)
        .zip(POSITIONS)
        .map(|((record, hash), position)| DossierEvent {
            position,
            record: ledger_format::ShownRecord::Full(record.clone()),
            hash: hex::encode(hash),
            signature: signer.sign_event_hash(&hash),
            inclusion_proof: hash_list_hex(
                &prove_record(TREE_SIZE, position, &store).expect("proof").into_iter().map(|h| h.0).collect::<Vec<_>>(),
            ),
        })
        .collect();
    Dossier {
        format: DOSSIER_FORMAT.to_string(),
        subject: "meeting:GCG-21".to_string(),
        generated_at: "2026-11-23T08:00:00Z".to_string(),
        origin: KEY_NAME.to_string(),
        public_key: signer.public_key(),
        checkpoint,
        events,
        omitted_unsealed: 1,
        key_history: None,
    }
}

fn build() -> Dossier {
    build_with(&signer(), &records())
}

fn pretty(dossier: &Dossier) -> String {
    serde_json::to_string_pretty(dossier).expect("json") + "\n"
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors")
}

/// Compares a generated file with the committed one, or writes it with UPDATE_VECTORS=1.
fn check_vector(name: &str, generated: &str) {
    let path = vectors_dir().join(name);
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::create_dir_all(vectors_dir()).expect("vectors dir");
        std::fs::write(&path, generated).expect("write vector");
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (generate it with UPDATE_VECTORS=1)", path.display()));
    assert!(
        committed == generated,
        "{name} differs from what the code generates (UPDATE_VECTORS=1 after a deliberate change)"
    );
}

fn err(dossier: &Dossier, pinned: bool) -> DossierError {
    let key = signer().verifier();
    verify_dossier(dossier, pinned.then_some(&key)).expect_err("must fail")
}

#[test]
fn sample_dossier_verifies_and_matches_the_published_vector() {
    let dossier = build();
    let key = signer().verifier();
    let summary = verify_dossier(&dossier, Some(&key)).expect("intact");
    assert_eq!(summary.subject, "meeting:GCG-21");
    assert_eq!((summary.events, summary.aggregates, summary.tree_size), (5, 2, TREE_SIZE));
    assert_eq!(summary.key_source, KeySource::Pinned);
    assert_eq!(verify_dossier(&dossier, None).expect("intact").key_source, KeySource::FromFile);

    let text = pretty(&dossier);
    assert_eq!(verify_dossier_bytes(text.as_bytes(), Some(&key)), Ok(summary.clone()));
    let markdown = render_markdown(&dossier);
    for needle in [
        "meeting:GCG-21",
        "- tree size: 19",
        &summary.root,
        "X: illustrative (invented demo value)",
        "`secretariat:k.owusu`, role `secretariat`",
        "`{\"decision_id\":\"GCG-19-D04\",\"kind\":\"decision\"}`",
        &dossier.events[4].hash,
        "## How to verify",
    ] {
        assert!(markdown.contains(needle), "markdown lacks {needle}");
    }
    check_vector("dossier.json", &text);
    check_vector("dossier.md", &markdown);

    // The committed file verifies as bytes too (what an auditor downloads).
    let committed = std::fs::read(vectors_dir().join("dossier.json")).expect("dossier.json");
    assert_eq!(verify_dossier_bytes(&committed, Some(&key)), Ok(summary));
}

/// Byte ranges of the values no signature covers (the labels `subject`,
/// `generated_at`, `omitted_unsealed`), in the pretty-printed file.
fn unsigned_value_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        for label in ["  \"subject\": ", "  \"generated_at\": ", "  \"omitted_unsealed\": "] {
            if let Some(rest) = line.strip_prefix(label) {
                let start = offset + label.len();
                let value = rest.trim_end_matches(['\n', ',']);
                out.push(start..start + value.len());
            }
        }
        offset += line.len();
    }
    assert_eq!(out.len(), 3);
    out
}

/// Every byte of the pretty-printed dossier, changed in several ways (staying valid
/// UTF-8 or not), makes verification fail, at parse or at a check; the only exceptions
/// are the three unsigned labels, which are asserted to be unsigned.
#[test]
fn one_byte_mutation_sweep() {
    let key = signer().verifier();
    let text = pretty(&build());
    let bytes = text.as_bytes();
    let unsigned = unsigned_value_ranges(&text);
    let mut tried = 0;
    let mut parts: std::collections::BTreeMap<String, usize> = Default::default();
    for (at, &byte) in bytes.iter().enumerate() {
        if unsigned.iter().any(|r| r.contains(&at)) {
            continue;
        }
        let mut masks = vec![0x01u8];
        if byte.is_ascii_alphanumeric() {
            masks.push(0x20); // case (hex and base64 must not accept it) or a different byte
        }
        if at % 4 == 0 {
            masks.push(0x80); // invalid UTF-8
        }
        if at % 4 == 2 {
            masks.push(0x02);
        }
        for mask in masks {
            let mut mutated = bytes.to_vec();
            mutated[at] ^= mask;
            tried += 1;
            match verify_dossier_bytes(&mutated, Some(&key)) {
                Ok(_) => panic!(
                    "byte {at} ({:?} ^ {mask:#04x}) changed and the dossier still verifies; context: {:?}",
                    byte as char,
                    String::from_utf8_lossy(&bytes[at.saturating_sub(40)..(at + 40).min(bytes.len())])
                ),
                Err(e) => *parts.entry(e.part.split(' ').next().unwrap_or_default().to_string()).or_default() += 1,
            }
            // Without a pinned key the change is caught too (a changed key cannot
            // verify the checkpoint made with the real one).
            if at % 7 == 0 {
                assert!(
                    verify_dossier_bytes(&mutated, None).is_err(),
                    "byte {at} ^ {mask:#04x} unpinned: {:?}",
                    String::from_utf8_lossy(&mutated[at.saturating_sub(60)..(at + 30).min(bytes.len())])
                );
            }
        }
    }
    assert!(tried > 10_000, "only {tried} mutations");
    for part in ["file", "format", "public_key", "checkpoint", "origin", "events[0]", "events[4]"] {
        assert!(parts.get(part).copied().unwrap_or(0) > 0, "no mutation failed at {part}: {parts:?}");
    }

    // The labels are not signed: changing them does not break verification (the
    // summary reports them as the file states them).
    for range in unsigned {
        let mut mutated = bytes.to_vec();
        let at = range.start + 1;
        mutated[at] ^= 0x01;
        if let Ok(summary) = verify_dossier_bytes(&mutated, Some(&key)) {
            assert_eq!(summary.events, 5);
        }
    }
}

#[test]
fn targeted_mutations_name_the_failing_part() {
    let good = build();

    let mut d = good.clone();
    if let ledger_format::ShownRecord::Full(record) = &mut d.events[2].record {
        record.payload["DecisionProposed"]["agenda_item"] = json!("4.3");
    }
    let e = err(&d, true);
    assert_eq!(e.part, "events[2] (decision GCG-21-D04 sequence 1)");
    assert!(e.what.starts_with("record does not match its hash"), "{e}");

    let mut d = good.clone();
    let digit = if d.events[3].inclusion_proof[1].starts_with('0') { "1" } else { "0" };
    d.events[3].inclusion_proof[1].replace_range(0..1, digit);
    let e = err(&d, true);
    assert_eq!(e.part, "events[3] (decision GCG-21-D04 sequence 2)");
    assert!(e.what.starts_with("inclusion proof does not lead to the checkpoint root"), "{e}");
    assert_eq!(
        e.to_string(),
        format!("events[3] (decision GCG-21-D04 sequence 2): {}", e.what),
        "Display is \"<part>: <what>\""
    );

    let mut d = good.clone();
    let sig_at = d.checkpoint.rfind(' ').expect("signature") + 5;
    let c = d.checkpoint.as_bytes()[sig_at];
    d.checkpoint.replace_range(sig_at..=sig_at, if c == b'A' { "B" } else { "A" });
    assert_eq!(err(&d, true).part, "checkpoint");
    assert_eq!(err(&d, false).part, "checkpoint");

    let mut d = good.clone();
    d.checkpoint = d.checkpoint.replacen("\n19\n", "\n18\n", 1);
    assert_eq!(err(&d, true).part, "checkpoint");

    let mut d = good.clone();
    d.public_key = LedgerSigner::from_seed(KEY_NAME, [8u8; 32]).expect("key").public_key();
    assert_eq!(err(&d, true).part, "public_key");
    assert_eq!(err(&d, false).part, "checkpoint");

    let mut d = good.clone();
    d.events[0].signature = signer().sign_event_hash(&sha256(b"something else"));
    assert_eq!(
        err(&d, true),
        DossierError {
            part: "events[0] (meeting GCG-21 sequence 1)".to_string(),
            what: "recorder signature does not verify with the key".to_string()
        }
    );

    let mut d = good.clone();
    d.events[1].position = 6;
    let e = err(&d, true);
    assert!(e.part.starts_with("events[1]") && e.what.starts_with("inclusion proof"), "{e}");

    let mut d = good.clone();
    d.events[4].position = TREE_SIZE;
    assert!(err(&d, true).what.contains("not covered by the checkpoint"));

    let mut d = good.clone();
    d.events.swap(1, 2);
    let e = err(&d, true);
    assert!(e.part.starts_with("events[2]") && e.what.contains("does not follow"), "{e}");

    let mut d = good.clone();
    d.origin = "alliance87.example/other".to_string();
    assert_eq!(err(&d, true).part, "origin");

    let mut d = good.clone();
    d.format = "alliance87-ledger-dossier/v2".to_string();
    assert_eq!(err(&d, true).part, "format");

    let mut d = good.clone();
    d.events[0].hash = d.events[0].hash.to_uppercase();
    assert!(err(&d, true).what.contains("lowercase hex"));

    assert_eq!(verify_dossier_bytes(b"{\"format\":1}", None).expect_err("not a dossier").part, "file");
    let mut value = serde_json::to_value(&good).expect("json");
    value["events"][0]["note"] = json!("an unsigned field");
    let e = verify_dossier_bytes(value.to_string().as_bytes(), None).expect_err("unknown field");
    assert_eq!(e.part, "file");
    assert!(e.what.contains("unknown field"), "{e}");
}

#[test]
fn a_pinned_key_other_than_the_files_is_refused() {
    let dossier = build();
    let other = LedgerSigner::from_seed(KEY_NAME, [9u8; 32]).expect("key").verifier();
    let e = verify_dossier(&dossier, Some(&other)).expect_err("other key");
    assert_eq!(e.part, "public_key");

    // A forger with their own key can make a self-consistent dossier: it verifies with
    // the key in the file, and only pinning the real key catches it.
    let forger = LedgerSigner::from_seed(KEY_NAME, [9u8; 32]).expect("key");
    let mut records = records();
    records[3].payload["DecisionAdopted"]["method"] = json!("vote");
    let forged = build_with(&forger, &records);
    assert_eq!(verify_dossier(&forged, None).expect("self-consistent").key_source, KeySource::FromFile);
    assert_eq!(err(&forged, true).part, "public_key");
}

#[test]
fn incomplete_aggregates_are_refused() {
    let good = build();

    // The meeting's first event is missing.
    let mut d = good.clone();
    d.events.remove(0);
    let e = err(&d, true);
    assert_eq!(e.part, "events[0] (meeting GCG-21 sequence 2)");
    assert!(e.what.contains("from sequence 1"), "{e}");

    // An event in the middle of the meeting's chain is missing.
    let mut d = good.clone();
    d.events.remove(1);
    let e = err(&d, true);
    assert_eq!(e.part, "events[3] (meeting GCG-21 sequence 3)");
    assert!(e.what.contains("follows sequence 1"), "{e}");

    // A re-signed record whose prev_hash does not chain.
    let signer = signer();
    let mut records = records();
    records[1].prev_hash = "11".repeat(32);
    let d = build_with(&signer, &records);
    let e = err(&d, true);
    assert_eq!(e.part, "events[1] (meeting GCG-21 sequence 2)");
    assert!(e.what.contains("prev_hash"), "{e}");

    let mut records = self::records();
    records[0].prev_hash = "11".repeat(32);
    let e = err(&build_with(&signer, &records), true);
    assert_eq!(
        (e.part.as_str(), e.what.as_str()),
        ("events[0] (meeting GCG-21 sequence 1)", "prev_hash of sequence 1 is not 64 zeros")
    );

    // A dossier must hold its subject: an empty one, or one relabelled, is refused.
    let mut d = good.clone();
    d.events.clear();
    assert_eq!(verify_dossier(&d, Some(&signer.verifier())).expect_err("empty").part, "subject");
    let mut d = good;
    d.subject = "decision:GCG-19-D04".into();
    assert_eq!(verify_dossier(&d, Some(&signer.verifier())).expect_err("relabelled").part, "subject");
}

// --- redacted records ------------------------------------------------------------------

/// A version 2 record's class and scope.
type Class<'a> = (&'a str, Option<&'a str>);

/// A programme's chain as DONOR-A reads it, across both record versions: sequence 1
/// (version 1, public) and 2 (version 1, DONOR-B's allocation: redacted, no content
/// hash), then 3 (version 2, DONOR-A's own allocation: whole), 4 (version 2, DONOR-B's:
/// redacted to its head) and 5 (version 2, public expenditure).
fn programme_records() -> Vec<EventRecord> {
    let recorded = |n: u32| format!("2026-0{n}-10T09:00:00.000000Z");
    let meta_at = |n: u32| json!({ "actor": "secretariat:k.owusu", "role": "secretariat", "recorded_at": recorded(n) });
    let allocation = |id: &str, donor: &str, amount: i64| {
        json!({ "FundsAllocated": {
            "allocation_id": id, "contribution_id": format!("C-{donor}"), "donor": donor, "line_code": "O1",
            "amount": { "minor_units": amount, "currency": "USD" }, "allocated_on": "2026-03-10"
        }})
    };
    let list: [(&str, Value, Option<Class<'_>>, &str); 5] = [
        (
            "ProgrammeEstablished",
            json!({ "ProgrammeEstablished": { "programme_id": "MDP-T", "currency": "USD" } }),
            None,
            "",
        ),
        ("FundsAllocated", allocation("A-001", "DONOR-B", 1_200_000), None, ""),
        (
            "FundsAllocated",
            allocation("A-002", "DONOR-A", 3_000_000),
            Some(("donor-confidential", Some("DONOR-A"))),
            "0123456789abcdef0123456789abcdef",
        ),
        (
            "FundsAllocated",
            allocation("A-003", "DONOR-B", 4_500_000),
            Some(("donor-confidential", Some("DONOR-B"))),
            "fedcba9876543210fedcba9876543210",
        ),
        (
            "ExpenditureRecorded",
            json!({ "ExpenditureRecorded": { "expenditure_id": "E-001", "line_code": "O1",
                "amount": { "minor_units": 250_000, "currency": "USD" }, "spent_on": "2026-04-02" } }),
            Some(("public", None)),
            "00112233445566778899aabbccddeeff",
        ),
    ];
    let mut out: Vec<EventRecord> = Vec::new();
    for (i, (event_type, payload, class, salt)) in list.into_iter().enumerate() {
        let n = u32::try_from(i).expect("small") + 1;
        out.push(EventRecord {
            aggregate_type: "programme".into(),
            aggregate_id: "MDP-T".into(),
            sequence: u64::from(n),
            event_type: event_type.into(),
            event_version: "1".into(),
            payload,
            metadata: meta_at(n),
            prev_hash: out.last().map_or(GENESIS_PREV_HASH.to_string(), |p| p.hash_hex().expect("hash")),
            visibility: class.map(|(c, _)| c.to_string()),
            scope: class.and_then(|(_, s)| s.map(str::to_string)),
            pseudonym: None,
            salt: class.map(|_| salt.to_string()),
        });
    }
    out
}

/// The programme dossier as DONOR-A reads it: DONOR-B's allocations redacted.
fn build_redacted() -> Dossier {
    let records = programme_records();
    let mut dossier = build_with(&signer(), &records);
    dossier.subject = "programme:MDP-T".to_string();
    for k in [1, 3] {
        let class = (records[k].visibility.clone().unwrap_or("donor-confidential".into()), "DONOR-B");
        let head = records[k].redacted((&class.0, Some(class.1))).expect("head");
        dossier.events[k].record = ledger_format::ShownRecord::Redacted(head);
    }
    dossier
}

#[test]
fn a_dossier_with_redacted_records_verifies_and_matches_the_published_vector() {
    let dossier = build_redacted();
    let key = signer().verifier();
    let summary = verify_dossier(&dossier, Some(&key)).expect("intact");
    assert_eq!((summary.events, summary.redacted, summary.aggregates), (5, 2, 1));
    assert!(ledger_format::result_line(&Ok(summary.clone())).contains(", 2 events redacted, "));
    // A redacted version 2 record keeps its content hash; a version 1 one cannot.
    let heads: Vec<_> = dossier
        .events
        .iter()
        .filter_map(|e| match &e.record {
            ledger_format::ShownRecord::Redacted(h) => Some(h.content_hash.is_some()),
            ledger_format::ShownRecord::Full(_) => None,
        })
        .collect();
    assert_eq!(heads, [false, true]);
    let text = pretty(&dossier);
    for secret in ["A-001", "A-003", "1200000", "4500000", "C-DONOR-B"] {
        assert!(!text.contains(secret), "the redacted dossier holds {secret}");
    }
    check_vector("dossier-redacted.json", &text);
    check_vector("dossier-redacted.md", &render_markdown(&dossier));
}

#[test]
fn a_changed_redacted_record_is_caught() {
    let good = build_redacted();
    let redacted_head = |d: &mut Dossier, k: usize| match &mut d.events[k].record {
        ledger_format::ShownRecord::Redacted(h) => h.clone(),
        ledger_format::ShownRecord::Full(_) => panic!("not redacted"),
    };
    // Relabelling DONOR-B's allocation as public, or as DONOR-A's, or moving it, changes
    // its head and so its hash.
    for change in [
        |h: &mut ledger_format::Head| h.visibility = "public".into(),
        |h: &mut ledger_format::Head| h.scope = Some("DONOR-A".into()),
        |h: &mut ledger_format::Head| h.recorded_at = "2026-01-01T00:00:00.000000Z".into(),
        |h: &mut ledger_format::Head| h.content_hash = Some("0".repeat(64)),
    ] {
        let mut d = good.clone();
        let mut head = redacted_head(&mut d, 3);
        change(&mut head);
        d.events[3].record = ledger_format::ShownRecord::Redacted(head);
        let e = verify_dossier(&d, Some(&signer().verifier())).expect_err("must fail");
        assert_eq!(e.part, format!("events[3] (programme MDP-T sequence 4)"), "{e}");
    }
    // A redacted version 1 record is bound by the chain: a changed prev_hash breaks it.
    let mut d = good.clone();
    let mut head = redacted_head(&mut d, 1);
    head.prev_hash = "1".repeat(64);
    d.events[1].record = ledger_format::ShownRecord::Redacted(head);
    let e = verify_dossier(&d, Some(&signer().verifier())).expect_err("must fail");
    assert!(e.what.contains("chain broken"), "{e}");
    // Dropping a redacted record leaves a gap.
    let mut d = good.clone();
    d.events.remove(3);
    assert!(verify_dossier(&d, Some(&signer().verifier())).is_err());
}

/// The key the sample ledger rotated to (seed 32 × 0x0b) and the first position it signs.
fn new_signer() -> LedgerSigner {
    LedgerSigner::from_seed(KEY_NAME, [11u8; 32]).expect("test key")
}
const ROTATED_AT: u64 = 9;

/// The sample dossier of a ledger that rotated its key at position 9: the events at 3, 7
/// and 8 are signed by the first key, those at 10 and 15 and the checkpoint by the new one.
fn build_rotated() -> Dossier {
    let (old, new) = (signer(), new_signer());
    let mut dossier = build_with(&new, &records());
    for event in dossier.events.iter_mut().filter(|e| e.position < ROTATED_AT) {
        let hash: [u8; 32] = hex::decode(&event.hash).expect("hex").try_into().expect("32 bytes");
        event.signature = old.sign_event_hash(&hash);
    }
    dossier.key_history = Some(vec![ledger_format::Handover::sign(KEY_NAME, &old, &new, ROTATED_AT)]);
    dossier
}

#[test]
fn a_dossier_across_a_key_rotation_verifies_from_either_key_and_matches_the_published_vector() {
    let dossier = build_rotated();
    for pinned in [signer().verifier(), new_signer().verifier()] {
        let summary = verify_dossier(&dossier, Some(&pinned)).expect("intact");
        assert_eq!((summary.events, summary.key_source), (5, KeySource::Pinned));
    }
    assert_eq!(verify_dossier(&dossier, None).expect("intact").key_source, KeySource::FromFile);
    check_vector("dossier-rotated.json", &pretty(&dossier));
    let committed = std::fs::read(vectors_dir().join("dossier-rotated.json")).expect("dossier-rotated.json");
    assert!(verify_dossier_bytes(&committed, Some(&signer().verifier())).is_ok());

    let stranger = LedgerSigner::from_seed(KEY_NAME, [9u8; 32]).expect("key").verifier();
    assert_eq!(verify_dossier(&dossier, Some(&stranger)).unwrap_err().part, "public_key");
    let part = |d: &Dossier| verify_dossier(d, Some(&signer().verifier())).unwrap_err().part;
    // The handover's statement binds the position: moved, both signatures fail.
    let mut moved = dossier.clone();
    moved.key_history.as_mut().expect("history")[0].from_position = 11;
    assert_eq!(part(&moved), "key_history[0]");
    let mut one_sided = dossier.clone();
    let history = one_sided.key_history.as_mut().expect("history");
    history[0].new_signature = history[0].old_signature.clone();
    assert_eq!(part(&one_sided), "key_history[0]");
    // An event before the rotation signed by the new key, or after it by the old one, fails.
    let mut early = dossier.clone();
    let hash: [u8; 32] = hex::decode(&early.events[0].hash).expect("hex").try_into().expect("32 bytes");
    early.events[0].signature = new_signer().sign_event_hash(&hash);
    assert!(part(&early).starts_with("events[0]"), "{}", part(&early));
    let mut late = dossier.clone();
    let hash: [u8; 32] = hex::decode(&late.events[3].hash).expect("hex").try_into().expect("32 bytes");
    late.events[3].signature = signer().sign_event_hash(&hash);
    assert!(part(&late).starts_with("events[3]"), "{}", part(&late));
    // A checkpoint by the retired key, of a size after the rotation, fails.
    let mut stale = dossier.clone();
    stale.checkpoint = build_with(&signer(), &records()).checkpoint;
    assert_eq!(part(&stale), "checkpoint");
    // Without its history, the file's events before the rotation do not verify.
    let mut stripped = dossier;
    stripped.key_history = Some(Vec::new());
    assert_eq!(verify_dossier(&stripped, Some(&new_signer().verifier())).unwrap_err().part, "key_history");
    stripped.key_history = None;
    assert!(verify_dossier(&stripped, Some(&new_signer().verifier())).is_err());
}
