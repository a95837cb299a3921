//! RFC 9162 Merkle proof verification, written from the RFC's own algorithms.
//!
//! [`verify_inclusion`] is RFC 9162 §2.1.3.2 and [`verify_consistency`] is §2.1.4.2,
//! step by step, over SHA-256 with the RFC 6962 leaf and node prefixes (0x00, 0x01).
//! They deliberately do not call `tlog_tiles`' checkers: proofs are *produced* with
//! `tlog_tiles` (the server's storage layout) and *checked* by this independent reading
//! of the RFC, so a bug in one is caught by the other (`tests/proofs.rs` checks every
//! position and every pair of sizes up to 70).
//!
//! Audit paths are lists of 32-byte hashes, nearest the leaf (or the old tree) first,
//! written as lowercase hex in JSON ([`parse_hash_list`], [`hash_list_hex`]).
//!
//! The JSON shapes the API serves ([`InclusionProof`], [`ConsistencyProof`]) are
//! specified in docs/LEDGER-FORMAT.md §13.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checkpoint::Checkpoint;
use crate::keys::LedgerVerifier;
use crate::record::parse_hash_hex;

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is not in a tree of size {tree_size}")]
    IndexOutOfRange { index: u64, tree_size: u64 },
    #[error("the first tree (size {first}) is larger than the second (size {second})")]
    SizesOutOfOrder { first: u64, second: u64 },
    #[error("the proof has more hashes than the tree sizes allow")]
    PathTooLong,
    #[error("the proof has fewer hashes than the tree sizes require")]
    PathTooShort,
    #[error("the proof is empty but the tree sizes require one")]
    EmptyPath,
    #[error("the proof should be empty for these tree sizes")]
    PathNotEmpty,
    #[error("the proof does not lead to the root")]
    RootMismatch,
    #[error("the proof does not lead to the first root")]
    FirstRootMismatch,
    #[error("the proof does not lead to the second root")]
    SecondRootMismatch,
    #[error("entry {0} is not 64 lowercase hex characters")]
    MalformedHash(usize),
}

/// RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right).
fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

fn lsb(x: u64) -> bool {
    x & 1 == 1
}

/// RFC 9162 §2.1.3.2: checks that `leaf_hash` (already the RFC 6962 leaf hash,
/// SHA-256(0x00 ‖ event hash)) is at `index` in the tree of `tree_size` leaves whose
/// root is `root`, given the audit path (leaf level first).
///
/// The tree size is bound only through the root: a caller must take both from the same
/// signed checkpoint.
pub fn verify_inclusion(
    leaf_hash: &[u8; 32],
    index: u64,
    tree_size: u64,
    audit_path: &[[u8; 32]],
    root: &[u8; 32],
) -> Result<(), ProofError> {
    // 1. leaf_index ≥ tree_size fails.
    if index >= tree_size {
        return Err(ProofError::IndexOutOfRange { index, tree_size });
    }
    // 2. fn = leaf_index, sn = tree_size − 1.  3. r = hash.
    let (mut f_n, mut s_n) = (index, tree_size - 1);
    let mut r = *leaf_hash;
    // 4. For each p in the path:
    for p in audit_path {
        // a. sn = 0 before the path is consumed: fail.
        if s_n == 0 {
            return Err(ProofError::PathTooLong);
        }
        // b. LSB(fn) set, or fn = sn: p is a left sibling.
        if lsb(f_n) || f_n == s_n {
            r = node(p, &r);
            // ii. If LSB(fn) is not set, right-shift both until LSB(fn) is set or fn
            // is 0 (the levels where this subtree is the last, unpaired one).
            while !lsb(f_n) && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            // Otherwise p is a right sibling.
            r = node(&r, p);
        }
        // c. Up one level.
        f_n >>= 1;
        s_n >>= 1;
    }
    // 5. sn must be 0 and r the root.
    if s_n != 0 {
        return Err(ProofError::PathTooShort);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: checks that the tree of `first_size` leaves with root
/// `first_root` is a prefix of the tree of `second_size` leaves with root
/// `second_root`, given the consistency path (in RFC 9162 §2.1.4.1 order).
///
/// The RFC's algorithm covers 0 < first < second. The two edge cases are handled as
/// RFC 9162 §2.1.4.1 defines the proof for them: when first = second the proof is empty
/// and the roots must be equal; the empty tree (first = 0) is a prefix of every tree,
/// its proof is empty and its root is SHA-256 of the empty string.
pub fn verify_consistency(
    first_size: u64,
    second_size: u64,
    first_root: &[u8; 32],
    second_root: &[u8; 32],
    path: &[[u8; 32]],
) -> Result<(), ProofError> {
    if first_size > second_size {
        return Err(ProofError::SizesOutOfOrder { first: first_size, second: second_size });
    }
    if first_size == 0 || first_size == second_size {
        if !path.is_empty() {
            return Err(ProofError::PathNotEmpty);
        }
        if first_size == 0 {
            let empty: [u8; 32] = Sha256::digest([]).into();
            return if *first_root == empty { Ok(()) } else { Err(ProofError::FirstRootMismatch) };
        }
        return if first_root == second_root { Ok(()) } else { Err(ProofError::SecondRootMismatch) };
    }
    // 1. An empty path fails.
    if path.is_empty() {
        return Err(ProofError::EmptyPath);
    }
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    let mut hashes: Vec<&[u8; 32]> = Vec::with_capacity(path.len() + 1);
    if first_size.is_power_of_two() {
        hashes.push(first_root);
    }
    hashes.extend(path.iter());
    // 3. fn = first − 1, sn = second − 1.
    let (mut f_n, mut s_n) = (first_size - 1, second_size - 1);
    // 4. If LSB(fn) is set, right-shift both until it is not.
    while lsb(f_n) {
        f_n >>= 1;
        s_n >>= 1;
    }
    // 5. fr = sr = the first value of the path.
    let mut fr = *hashes[0];
    let mut sr = *hashes[0];
    // 6. For each subsequent value c:
    for c in &hashes[1..] {
        // a. sn = 0 before the path is consumed: fail.
        if s_n == 0 {
            return Err(ProofError::PathTooLong);
        }
        // b. LSB(fn) set, or fn = sn: c is a left sibling of both.
        if lsb(f_n) || f_n == s_n {
            fr = node(c, &fr);
            sr = node(c, &sr);
            while !lsb(f_n) && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            // Otherwise c is a right sibling, in the second tree only.
            sr = node(&sr, c);
        }
        // c. Up one level.
        f_n >>= 1;
        s_n >>= 1;
    }
    // 7. fr = first_hash, sr = second_hash, sn = 0.
    if s_n != 0 {
        return Err(ProofError::PathTooShort);
    }
    if fr != *first_root {
        return Err(ProofError::FirstRootMismatch);
    }
    if sr != *second_root {
        return Err(ProofError::SecondRootMismatch);
    }
    Ok(())
}

/// Parses one lowercase 64-character hex hash.
pub fn parse_hash(text: &str) -> Option<[u8; 32]> {
    parse_hash_hex(text)
}

/// Parses a list of lowercase hex hashes (an audit or consistency path); the error
/// names the first bad entry.
pub fn parse_hash_list<S: AsRef<str>>(list: &[S]) -> Result<Vec<[u8; 32]>, ProofError> {
    list.iter().enumerate().map(|(i, text)| parse_hash_hex(text.as_ref()).ok_or(ProofError::MalformedHash(i))).collect()
}

/// Writes hashes as lowercase hex, in order.
pub fn hash_list_hex(hashes: &[[u8; 32]]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

/// An inclusion proof as the API serves it (docs/LEDGER-FORMAT.md §13.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub position: u64,
    pub tree_size: u64,
    /// SHA-256(0x00 ‖ event hash bytes), hex.
    pub leaf_hash: String,
    pub event_hash: String,
    /// RFC 9162 audit path, leaf level first, hex.
    pub audit_path: Vec<String>,
    pub root_hash: String,
    /// The signed note whose size and root are `tree_size` and `root_hash`.
    pub checkpoint: String,
}

/// Why a served proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServedProofError {
    #[error("{0} is not 64 lowercase hex characters")]
    MalformedHash(&'static str),
    #[error("leaf_hash is not the leaf hash of event_hash")]
    LeafHashMismatch,
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    #[error("the signed checkpoint is missing, or its size and root differ from the proof's")]
    CheckpointMismatch,
    #[error("{0}")]
    Proof(#[from] ProofError),
}

impl InclusionProof {
    /// Checks everything in the proof: the checkpoint's signature with `key`, that
    /// `tree_size`/`root_hash` are the checkpoint's, that `leaf_hash` derives from
    /// `event_hash`, and the RFC 9162 path. Returns the event hash proven.
    pub fn verify(&self, key: &LedgerVerifier) -> Result<[u8; 32], ServedProofError> {
        let event = parse_hash_hex(&self.event_hash).ok_or(ServedProofError::MalformedHash("event_hash"))?;
        let leaf = parse_hash_hex(&self.leaf_hash).ok_or(ServedProofError::MalformedHash("leaf_hash"))?;
        let root = parse_hash_hex(&self.root_hash).ok_or(ServedProofError::MalformedHash("root_hash"))?;
        if crate::merkle::leaf_hash(&event).0 != leaf {
            return Err(ServedProofError::LeafHashMismatch);
        }
        let checkpoint = Checkpoint::open(&self.checkpoint, key)?;
        if checkpoint.size != self.tree_size || checkpoint.root != root {
            return Err(ServedProofError::CheckpointMismatch);
        }
        let path = parse_hash_list(&self.audit_path)?;
        verify_inclusion(&leaf, self.position, self.tree_size, &path, &root)?;
        Ok(event)
    }
}

/// A consistency proof as the API serves it (docs/LEDGER-FORMAT.md §13.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    pub first: u64,
    pub second: u64,
    pub first_root: String,
    pub second_root: String,
    /// RFC 9162 consistency path, hex.
    pub consistency_path: Vec<String>,
    /// The signed checkpoint of size `first`, when the server has one (else `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_checkpoint: Option<String>,
    /// The signed checkpoint of size `second`, when the server has one (else `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_checkpoint: Option<String>,
}

impl ConsistencyProof {
    /// Checks the path between the two roots stated in the proof. The caller must
    /// compare `first_root`/`second_root` with checkpoints it trusts (one it kept, one
    /// freshly verified): the proof alone says nothing about which roots are genuine.
    pub fn verify(&self) -> Result<(), ServedProofError> {
        let first = parse_hash_hex(&self.first_root).ok_or(ServedProofError::MalformedHash("first_root"))?;
        let second = parse_hash_hex(&self.second_root).ok_or(ServedProofError::MalformedHash("second_root"))?;
        let path = parse_hash_list(&self.consistency_path)?;
        verify_consistency(self.first, self.second, &first, &second, &path)?;
        Ok(())
    }

    /// [`Self::verify`], and also checks that the two signed checkpoints the server
    /// attached verify with `key` and have the stated sizes and roots. Compare the first
    /// root with a checkpoint you kept: that is what makes the proof meaningful.
    pub fn verify_with_checkpoints(&self, key: &LedgerVerifier) -> Result<(), ServedProofError> {
        for (note, size, root) in [
            (&self.first_checkpoint, self.first, &self.first_root),
            (&self.second_checkpoint, self.second, &self.second_root),
        ] {
            let note = note.as_deref().ok_or(ServedProofError::CheckpointMismatch)?;
            let checkpoint = Checkpoint::open(note, key)?;
            if checkpoint.size != size || hex::encode(checkpoint.root) != *root {
                return Err(ServedProofError::CheckpointMismatch);
            }
        }
        self.verify()
    }
}
