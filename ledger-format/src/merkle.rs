//! The RFC 6962 §2.1 Merkle tree over the ledger positions.
//!
//! Leaf `i` is `SHA-256(0x00 ‖ event hash of position i)`; an interior node is
//! `SHA-256(0x01 ‖ left ‖ right)`; the split is at the largest power of two smaller
//! than the size. Persistent storage uses the `tlog_tiles` stored-hash layout (the same
//! as Go's `golang.org/x/mod/sumdb/tlog`), so appending one leaf writes about two
//! hashes and reads at most log₂ n, and proofs need O(log n) reads.

pub use tlog_tiles::tlog::{
    check_record, check_tree, node_hash, prove_record, prove_tree, record_hash, stored_hash_count, stored_hash_index,
    stored_hashes_for_record_hash, tree_hash, Hash, HashReader, EMPTY_HASH,
};

/// The leaf hash of an event hash.
pub fn leaf_hash(event_hash: &[u8; 32]) -> Hash {
    record_hash(event_hash)
}

/// A compact Merkle range from position 0: the roots of the perfect subtrees that make
/// up the tree so far. Appending is amortised O(1); the root at the current size is
/// O(log n). Verifiers stream leaves through it without storing the tree.
#[derive(Debug, Clone, Default)]
pub struct CompactTree {
    size: u64,
    /// (height, hash) of each perfect subtree, left to right, heights strictly decreasing.
    peaks: Vec<(u32, Hash)>,
}

impl CompactTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves appended.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends the leaf for an event hash.
    pub fn push_event_hash(&mut self, event_hash: &[u8; 32]) {
        self.push_leaf(leaf_hash(event_hash));
    }

    /// Appends an already hashed leaf.
    pub fn push_leaf(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(height, left)) = self.peaks.last() {
            if height != node.0 {
                break;
            }
            self.peaks.pop();
            node = (height + 1, node_hash(left, node.1));
        }
        self.peaks.push(node);
        self.size += 1;
    }

    /// The RFC 6962 root of the leaves appended so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return EMPTY_HASH;
        };
        for &(_, left) in iter {
            acc = node_hash(left, acc);
        }
        acc
    }
}

/// The RFC 6962 root of a list of event hashes (for test vectors and small checks).
pub fn root_of(event_hashes: &[[u8; 32]]) -> Hash {
    let mut tree = CompactTree::new();
    event_hashes.iter().for_each(|h| tree.push_event_hash(h));
    tree.root()
}
