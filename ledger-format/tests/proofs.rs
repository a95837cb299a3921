//! The RFC 9162 verifiers of `ledger_format::proof` against proofs made by `tlog_tiles`.
//!
//! For every tree size 1..=70 (leaves: the leaf hashes of SHA-256("event-<i>")), every
//! inclusion proof of every position and every consistency proof of every pair
//! 1 ≤ m ≤ n must verify against `tree_hash`, and each must fail once tampered with: a
//! different leaf, index, tree size (with that size's root), root, or any one hash of
//! the path changed, or a hash added or removed. The proofs published in
//! domain/tests/vectors/merkle.json must verify too.

use std::path::PathBuf;

use ledger_format::merkle::{prove_record, prove_tree, stored_hashes_for_record_hash, tree_hash, Hash, HashReader};
use ledger_format::proof::{hash_list_hex, parse_hash, parse_hash_list, verify_consistency, verify_inclusion};
use ledger_format::record::sha256;
use ledger_format::{ConsistencyProof, ProofError};
use serde_json::Value;

const MAX: u64 = 70;

struct Store(Vec<Hash>);

impl HashReader for Store {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

fn leaf_of(i: u64) -> [u8; 32] {
    ledger_format::merkle::leaf_hash(&sha256(format!("event-{i}").as_bytes())).0
}

/// The stored hashes of a tree of MAX leaves, and the root of every size 0..=MAX.
fn build() -> (Store, Vec<[u8; 32]>) {
    let mut store = Store(Vec::new());
    for i in 0..MAX {
        let new = stored_hashes_for_record_hash(i, Hash(leaf_of(i)), &store).expect("stored hashes");
        store.0.extend(new);
    }
    let roots = (0..=MAX).map(|n| tree_hash(n, &store).expect("root").0).collect();
    (store, roots)
}

fn raw(proof: Vec<Hash>) -> Vec<[u8; 32]> {
    proof.into_iter().map(|h| h.0).collect()
}

fn flip(hash: &[u8; 32]) -> [u8; 32] {
    let mut out = *hash;
    out[7] ^= 0x10;
    out
}

#[test]
fn every_inclusion_proof_up_to_70_verifies_and_tampering_fails() {
    let (store, roots) = build();
    let mut checked = 0;
    for n in 1..=MAX {
        let root = &roots[n as usize];
        for i in 0..n {
            let path = raw(prove_record(n, i, &store).expect("proof"));
            let leaf = leaf_of(i);
            assert_eq!(verify_inclusion(&leaf, i, n, &path, root), Ok(()), "leaf {i} of {n}");
            checked += 1;

            // Another leaf, another index, the wrong root.
            assert!(verify_inclusion(&flip(&leaf), i, n, &path, root).is_err());
            assert!(verify_inclusion(&leaf_of(i + 1), i, n, &path, root).is_err());
            for j in (0..n).filter(|&j| j != i) {
                assert!(verify_inclusion(&leaf, j, n, &path, root).is_err(), "leaf {i} of {n} as index {j}");
            }
            assert!(verify_inclusion(&leaf, n, n, &path, root).is_err());
            assert!(verify_inclusion(&leaf, i, n, &path, &flip(root)).is_err());
            // Another tree size, with that size's genuine root.
            for m in (i + 1..=MAX).filter(|&m| m != n) {
                assert!(
                    verify_inclusion(&leaf, i, m, &path, &roots[m as usize]).is_err(),
                    "proof of {i} in {n} accepted for size {m}"
                );
            }
            // Any one hash changed; one hash added or removed.
            for k in 0..path.len() {
                let mut bad = path.clone();
                bad[k] = flip(&bad[k]);
                assert!(verify_inclusion(&leaf, i, n, &bad, root).is_err(), "hash {k} of {i} in {n}");
                let mut shorter = path.clone();
                shorter.remove(k);
                assert!(verify_inclusion(&leaf, i, n, &shorter, root).is_err());
            }
            let mut longer = path.clone();
            longer.push(leaf);
            assert!(verify_inclusion(&leaf, i, n, &longer, root).is_err());
        }
    }
    assert_eq!(checked, MAX * (MAX + 1) / 2);
}

#[test]
fn every_consistency_proof_up_to_70_verifies_and_tampering_fails() {
    let (store, roots) = build();
    let mut checked = 0;
    for n in 1..=MAX {
        for m in 1..=n {
            let path = raw(prove_tree(n, m, &store).expect("proof"));
            let (old, new) = (&roots[m as usize], &roots[n as usize]);
            assert_eq!(verify_consistency(m, n, old, new, &path), Ok(()), "{m} → {n}");
            checked += 1;

            assert!(verify_consistency(m, n, &flip(old), new, &path).is_err());
            assert!(verify_consistency(m, n, old, &flip(new), &path).is_err());
            assert!(verify_consistency(n, m, new, old, &path).is_err() || m == n);
            // Other sizes with their genuine roots.
            for m2 in (1..=n).filter(|&m2| m2 != m) {
                assert!(
                    verify_consistency(m2, n, &roots[m2 as usize], new, &path).is_err(),
                    "proof {m} → {n} accepted from {m2}"
                );
            }
            for n2 in (m..=MAX).filter(|&n2| n2 != n) {
                assert!(
                    verify_consistency(m, n2, old, &roots[n2 as usize], &path).is_err(),
                    "proof {m} → {n} accepted to {n2}"
                );
            }
            for k in 0..path.len() {
                let mut bad = path.clone();
                bad[k] = flip(&bad[k]);
                assert!(verify_consistency(m, n, old, new, &bad).is_err(), "hash {k} of {m} → {n}");
                let mut shorter = path.clone();
                shorter.remove(k);
                assert!(verify_consistency(m, n, old, new, &shorter).is_err());
            }
            let mut longer = path.clone();
            longer.push(*old);
            assert!(verify_consistency(m, n, old, new, &longer).is_err());
        }
    }
    assert_eq!(checked, MAX * (MAX + 1) / 2);
}

#[test]
fn consistency_edge_cases() {
    let (_, roots) = build();
    let empty = sha256(b"");
    assert_eq!(verify_consistency(0, 5, &empty, &roots[5], &[]), Ok(()));
    assert_eq!(verify_consistency(0, 0, &empty, &empty, &[]), Ok(()));
    assert_eq!(verify_consistency(0, 5, &roots[1], &roots[5], &[]), Err(ProofError::FirstRootMismatch));
    assert_eq!(verify_consistency(0, 5, &empty, &roots[5], &[empty]), Err(ProofError::PathNotEmpty));
    assert_eq!(verify_consistency(3, 3, &roots[3], &roots[3], &[]), Ok(()));
    assert_eq!(verify_consistency(3, 3, &roots[3], &roots[4], &[]), Err(ProofError::SecondRootMismatch));
    assert_eq!(verify_consistency(3, 5, &roots[3], &roots[5], &[]), Err(ProofError::EmptyPath));
    assert_eq!(
        verify_consistency(5, 3, &roots[5], &roots[3], &[]),
        Err(ProofError::SizesOutOfOrder { first: 5, second: 3 })
    );
    assert_eq!(
        verify_inclusion(&leaf_of(0), 0, 0, &[], &empty),
        Err(ProofError::IndexOutOfRange { index: 0, tree_size: 0 })
    );
    assert_eq!(verify_inclusion(&leaf_of(0), 0, 1, &[], &roots[1]), Ok(()));
}

#[test]
fn hash_lists_parse_lowercase_hex_only() {
    let h = sha256(b"x");
    let text = hash_list_hex(&[h, h]);
    assert_eq!(parse_hash_list(&text), Ok(vec![h, h]));
    assert_eq!(parse_hash(&text[0]), Some(h));
    let upper = vec![text[0].clone(), text[1].to_uppercase()];
    assert_eq!(parse_hash_list(&upper), Err(ProofError::MalformedHash(1)));
    assert_eq!(parse_hash_list(&["ab"]), Err(ProofError::MalformedHash(0)));
    assert_eq!(parse_hash_list(&[format!("{}zz", &text[0][..62])]), Err(ProofError::MalformedHash(0)));
    assert_eq!(parse_hash_list::<String>(&[]), Ok(vec![]));
}

/// The proofs published with the format verify with this crate's RFC 9162 routines.
#[test]
fn published_merkle_vectors_verify() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/vectors/merkle.json");
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("merkle.json")).expect("json");
    let hex = |v: &Value| parse_hash(v.as_str().expect("string")).expect("hex hash");
    let leaves: Vec<[u8; 32]> =
        vectors["leaves"].as_array().expect("leaves").iter().map(|l| hex(&l["leaf_hash"])).collect();
    let roots: Vec<[u8; 32]> = vectors["roots"].as_array().expect("roots").iter().map(|r| hex(&r["root"])).collect();
    for (i, l) in vectors["leaves"].as_array().expect("leaves").iter().enumerate() {
        let event = sha256(l["data"].as_str().expect("data").as_bytes());
        assert_eq!(ledger_format::merkle::leaf_hash(&event).0, leaves[i]);
    }
    let mut count = 0;
    for proof in vectors["inclusion"].as_array().expect("inclusion") {
        let (i, n) = (proof["index"].as_u64().expect("index"), proof["size"].as_u64().expect("size"));
        let path = parse_hash_list(&strings(&proof["path"])).expect("path");
        verify_inclusion(&leaves[i as usize], i, n, &path, &roots[n as usize]).expect("published inclusion proof");
        count += 1;
    }
    for proof in vectors["consistency"].as_array().expect("consistency") {
        let (m, n) = (proof["old_size"].as_u64().expect("old"), proof["size"].as_u64().expect("size"));
        let served = ConsistencyProof {
            first: m,
            second: n,
            first_root: hex::encode(roots[m as usize]),
            second_root: hex::encode(roots[n as usize]),
            consistency_path: strings(&proof["path"]),
            first_checkpoint: None,
            second_checkpoint: None,
        };
        served.verify().expect("published consistency proof");
        count += 1;
    }
    assert_eq!(count, 38 + 38, "every published proof");
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().expect("array").iter().map(|v| v.as_str().expect("string").to_string()).collect()
}

/// The JSON shapes the API serves, checked end to end with signed checkpoints.
#[test]
fn served_proofs_verify_with_their_checkpoints() {
    use ledger_format::proof::ServedProofError;
    use ledger_format::{Checkpoint, InclusionProof, LedgerSigner};
    let (store, roots) = build();
    let signer = LedgerSigner::from_seed("alliance87.example/ledger", [7u8; 32]).expect("key");
    let key = signer.verifier();
    let note = |n: u64| {
        Checkpoint { origin: "alliance87.example/ledger".into(), size: n, root: roots[n as usize] }
            .sign(&signer)
            .expect("note")
    };
    let (position, size) = (11, 23);
    let event = sha256(format!("event-{position}").as_bytes());
    let proof = InclusionProof {
        position,
        tree_size: size,
        leaf_hash: hex::encode(leaf_of(position)),
        event_hash: hex::encode(event),
        audit_path: hash_list_hex(&raw(prove_record(size, position, &store).expect("proof"))),
        root_hash: hex::encode(roots[size as usize]),
        checkpoint: note(size),
    };
    assert_eq!(proof.verify(&key), Ok(event));
    let text = serde_json::to_string(&proof).expect("json");
    assert_eq!(serde_json::from_str::<InclusionProof>(&text).expect("parse"), proof);

    let mut bad = proof.clone();
    bad.event_hash = hex::encode(sha256(b"event-12"));
    assert_eq!(bad.verify(&key), Err(ServedProofError::LeafHashMismatch));
    let mut bad = proof.clone();
    bad.checkpoint = note(size + 1);
    assert_eq!(bad.verify(&key), Err(ServedProofError::CheckpointMismatch));
    let mut bad = proof.clone();
    bad.position = 12;
    assert!(matches!(bad.verify(&key), Err(ServedProofError::Proof(_))));
    let other = LedgerSigner::from_seed("alliance87.example/ledger", [8u8; 32]).expect("key").verifier();
    assert!(matches!(proof.verify(&other), Err(ServedProofError::Checkpoint(_))));

    let (m, n) = (6, 23);
    let consistency = ConsistencyProof {
        first: m,
        second: n,
        first_root: hex::encode(roots[m as usize]),
        second_root: hex::encode(roots[n as usize]),
        consistency_path: hash_list_hex(&raw(prove_tree(n, m, &store).expect("proof"))),
        first_checkpoint: Some(note(m)),
        second_checkpoint: Some(note(n)),
    };
    assert_eq!(consistency.verify_with_checkpoints(&key), Ok(()));
    let served = serde_json::to_value(&consistency).expect("json");
    assert_eq!(serde_json::from_value::<ConsistencyProof>(served).expect("parse"), consistency);
    let mut bad = consistency.clone();
    bad.first_checkpoint = Some(note(m + 1));
    assert_eq!(bad.verify_with_checkpoints(&key), Err(ServedProofError::CheckpointMismatch));
    bad.first_checkpoint = None;
    assert_eq!(bad.verify_with_checkpoints(&key), Err(ServedProofError::CheckpointMismatch));
    assert_eq!(bad.verify(), Ok(()), "the path alone does not need the notes");
}
