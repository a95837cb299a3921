//! C2SP tlog-cosignature/v1 (Ed25519) witness cosignatures.
//!
//! Round trips, refusals (another checkpoint, another key or name, a changed byte), the
//! layout of the specification's own example line, and the published vector
//! `tests/vectors/cosignature.json` (regenerate with `UPDATE_VECTORS=1` after a
//! deliberate change).

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ledger_format::cosignature::{checkpoint_body, key_id, signed_message};
use ledger_format::{Checkpoint, CosignatureError, LedgerSigner, WitnessSigner, WitnessVerifier};
use serde_json::{json, Value};

const WITNESS: &str = "witness.example/w1";
const TIMESTAMP: u64 = 1_795_000_000;

fn witness() -> WitnessSigner {
    WitnessSigner::from_seed(WITNESS, [0x0b; 32]).expect("witness key")
}

/// The 17-leaf checkpoint of domain/tests/vectors/checkpoint.json, signed by the log.
fn note() -> String {
    let log = LedgerSigner::from_seed("alliance87.example/ledger", [7u8; 32]).expect("log key");
    let root = ledger_format::proof::parse_hash("1a227ac45ac8f4a3a05d36d8eb3528391eb7b3ec0b3edc9d50a041fc9ec8e6c9")
        .expect("root");
    Checkpoint { origin: "alliance87.example/ledger".to_string(), size: 17, root }.sign(&log).expect("note")
}

#[test]
fn cosign_and_verify_round_trip() {
    let note = note();
    let body = checkpoint_body(&note).expect("body");
    assert_eq!(body, "alliance87.example/ledger\n17\nGiJ6xFrI9KOgXTbY6zUoOR63s+wLPtydUKBB/J7I5sk=\n");
    let w = witness();
    let line = w.cosign(body, TIMESTAMP);
    assert!(line.starts_with("— witness.example/w1 ") && !line.ends_with('\n'));
    let verifier = WitnessVerifier::from_public_key(&w.public_key()).expect("vkey");
    assert_eq!(verifier.name(), WITNESS);
    assert_eq!(verifier.key_id(), w.key_id());
    assert_eq!(verifier.verify(body, &line), Ok(TIMESTAMP));
    assert_eq!(verifier.verify(body, &format!("{line}\n")), Ok(TIMESTAMP));

    // The cosigned note (log signature, then the witness's) still opens with the log key.
    let cosigned = format!("{note}{line}\n");
    let log = LedgerSigner::from_seed("alliance87.example/ledger", [7u8; 32]).expect("log key").verifier();
    assert_eq!(Checkpoint::open(&cosigned, &log).expect("cosigned note opens").size, 17);
    assert_eq!(checkpoint_body(&cosigned), Ok(body));

    // Private key round trip.
    let again = WitnessSigner::from_private_key(&w.private_key_string()).expect("skey");
    assert_eq!(again.public_key(), w.public_key());
    assert_eq!(again.cosign(body, TIMESTAMP), line);
}

#[test]
fn wrong_text_key_or_bytes_fail() {
    let note = note();
    let body = checkpoint_body(&note).expect("body");
    let w = witness();
    let line = w.cosign(body, TIMESTAMP);
    let verifier = w.verifier();

    // Another checkpoint.
    let other = body.replace("\n17\n", "\n18\n");
    assert_eq!(verifier.verify(&other, &line), Err(CosignatureError::BadSignature));
    // The whole note is not the body.
    assert_eq!(verifier.verify(&note, &line), Err(CosignatureError::MalformedCheckpointBody));
    // Another key under the same name, and another name.
    let other_key = WitnessSigner::from_seed(WITNESS, [0x0c; 32]).expect("key").verifier();
    assert_eq!(other_key.verify(body, &line), Err(CosignatureError::OtherKey));
    let other_name = WitnessSigner::from_seed("witness.example/w2", [0x0b; 32]).expect("key").verifier();
    assert!(matches!(other_name.verify(body, &line), Err(CosignatureError::OtherWitness { .. })));
    // A log signature line is not a cosignature.
    let log_line = note.lines().last().expect("signature line");
    assert!(verifier.verify(body, log_line).is_err());

    // Any one byte of the base64 changed.
    let (prefix, b64) = line.rsplit_once(' ').expect("line");
    for at in 0..b64.len() {
        let mut bytes = b64.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let mutated = format!("{prefix} {}", String::from_utf8(bytes).expect("ascii"));
        assert!(verifier.verify(body, &mutated).is_err(), "byte {at}");
    }
    // The timestamp is signed.
    let mut raw = BASE64.decode(b64).expect("b64");
    raw[11] ^= 1;
    assert_eq!(
        verifier.verify(body, &format!("{prefix} {}", BASE64.encode(&raw))),
        Err(CosignatureError::BadSignature)
    );
    // Timestamps beyond 2^63 − 1 are refused.
    raw[4] = 0x80;
    assert_eq!(
        verifier.verify(body, &format!("{prefix} {}", BASE64.encode(&raw))),
        Err(CosignatureError::TimestampTooLarge)
    );
}

#[test]
fn keys_are_checked() {
    let w = witness();
    let public = w.public_key();
    let (name, rest) = public.split_once('+').expect("name");
    let (id, key) = rest.split_once('+').expect("id");
    assert_eq!(id, format!("{:08x}", w.key_id()));
    assert_eq!(BASE64.decode(key).expect("b64")[0], 0x04);
    // A recorder (0x01) key is not a witness key, and a wrong id is refused.
    let recorder = LedgerSigner::from_seed(WITNESS, [0x0b; 32]).expect("key").public_key();
    assert!(WitnessVerifier::from_public_key(&recorder).is_err());
    assert_eq!(
        WitnessVerifier::from_public_key(&format!("{name}+00000000+{key}")).map(|_| ()),
        Err(CosignatureError::KeyIdMismatch)
    );
    assert_eq!(WitnessSigner::from_seed("has space", [1; 32]).map(|_| ()), Err(CosignatureError::InvalidName));
    assert!(WitnessSigner::from_private_key(&public).is_err());
}

/// The example line of c2sp.org/tlog-cosignature decodes to the key id ‖ timestamp ‖
/// signature layout, with the timestamp of the specification's example message.
#[test]
fn specification_example_layout() {
    let b64 =
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
    let raw = BASE64.decode(b64).expect("b64");
    assert_eq!(raw.len(), 4 + 8 + 64);
    assert_eq!(u64::from_be_bytes(raw[4..12].try_into().expect("8")), 1_679_315_147);
    assert_eq!(
        signed_message("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 1_679_315_147),
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
}

#[test]
fn published_vector() {
    let note = note();
    let body = checkpoint_body(&note).expect("body");
    let w = witness();
    let line = w.cosign(body, TIMESTAMP);
    let vector = json!({
        "description": "A C2SP tlog-cosignature/v1 (Ed25519) cosignature of the 17-leaf checkpoint of domain/tests/vectors/checkpoint.json, by a TEST witness key (Ed25519 seed = 32 bytes of 0x0b; never use it for anything else). signed_message is the exact signed bytes; cosigned_note is the note with the witness line appended.",
        "witness_name": WITNESS,
        "seed_hex": hex::encode([0x0bu8; 32]),
        "private_key": w.private_key_string(),
        "public_key": w.public_key(),
        "key_id": format!("{:08x}", key_id(WITNESS, &ed25519_public(&w))),
        "timestamp": TIMESTAMP,
        "checkpoint_body": body,
        "signed_message": String::from_utf8(signed_message(body, TIMESTAMP)).expect("utf-8"),
        "signature_line": line,
        "cosigned_note": format!("{note}{line}\n"),
    });
    let text = serde_json::to_string_pretty(&vector).expect("json") + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/cosignature.json");
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::write(&path, &text).expect("write");
    }
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("cosignature.json (UPDATE_VECTORS=1)"))
            .expect("json");
    assert_eq!(committed, vector, "cosignature.json differs from the code");
    let verifier = WitnessVerifier::from_public_key(committed["public_key"].as_str().expect("key")).expect("vkey");
    assert_eq!(verifier.verify(body, committed["signature_line"].as_str().expect("line")), Ok(TIMESTAMP));
}

fn ed25519_public(w: &WitnessSigner) -> [u8; 32] {
    let public = w.public_key();
    let key = public.splitn(3, '+').nth(2).expect("key");
    BASE64.decode(key).expect("b64")[1..].try_into().expect("32 bytes")
}
