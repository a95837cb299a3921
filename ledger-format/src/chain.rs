//! The per-aggregate hash chain check (docs/LEDGER-FORMAT.md §3), shared by the dossier
//! check and the full verifier: the one place that says what a well-formed chain is.
//!
//! Fed an aggregate's events in order, [`Chains::link`] requires the first to have
//! `sequence` 1 and `prev_hash` of 64 zeros, and each next one `sequence` one more and
//! `prev_hash` equal to the hash of the one before.

use std::collections::HashMap;

use crate::record::{parse_hash_hex, EventRecord, Hash32, ShownRecord};

/// Why an event does not continue its aggregate's chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// The first event seen of an aggregate is not its sequence 1.
    #[error(
        "the aggregate starts at sequence {sequence}: its events must be held from sequence 1 (an event is missing or out of order)"
    )]
    StartsLate { sequence: u64 },
    /// Sequence 1 does not point at the genesis hash.
    #[error("prev_hash of sequence 1 is not 64 zeros")]
    NotGenesis,
    /// A sequence number skipped or repeated.
    #[error("sequence {sequence} follows sequence {last} of its aggregate (an event is missing or out of order)")]
    Gap { sequence: u64, last: u64 },
    /// `prev_hash` is not the previous event's hash.
    #[error("prev_hash is not the hash of sequence {last} of its aggregate (chain broken)")]
    Unlinked { last: u64 },
}

/// The head (last sequence, its hash) of every aggregate seen so far, by aggregate type
/// and chain id (so a lookup allocates nothing).
#[derive(Debug, Default, Clone)]
pub struct Chains {
    heads: HashMap<String, HashMap<String, (u64, Hash32)>>,
    aggregates: usize,
}

impl Chains {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks that `record`, whose hash is `hash`, continues its aggregate's chain, and
    /// makes it the aggregate's head.
    pub fn link(&mut self, record: &EventRecord, hash: Hash32) -> Result<(), ChainBreak> {
        self.link_parts(&record.aggregate_type, record.chain_id(), record.sequence, &record.prev_hash, hash)
    }

    /// [`Self::link`] for a record as a reader was given it, whole or redacted: a chain
    /// runs through redacted records by their heads.
    pub fn link_shown(&mut self, record: &ShownRecord, hash: Hash32) -> Result<(), ChainBreak> {
        self.link_parts(record.aggregate_type(), record.chain_id(), record.sequence(), record.prev_hash(), hash)
    }

    /// [`Self::link`] given the chain fields alone: the aggregate's type, its chain id (the
    /// pseudonym where it has one), the sequence and `prev_hash`.
    pub fn link_parts(
        &mut self,
        aggregate_type: &str,
        chain_id: &str,
        sequence: u64,
        prev_hash: &str,
        hash: Hash32,
    ) -> Result<(), ChainBreak> {
        self.link_hashes(aggregate_type, chain_id, sequence, parse_hash_hex(prev_hash), hash)
    }

    /// [`Self::link_parts`] with `prev_hash` already parsed (`None`: it is not 64
    /// lowercase hex characters, so it links to nothing).
    pub fn link_hashes(
        &mut self,
        aggregate_type: &str,
        chain_id: &str,
        sequence: u64,
        prev_hash: Option<Hash32>,
        hash: Hash32,
    ) -> Result<(), ChainBreak> {
        let head = self.heads.get_mut(aggregate_type).and_then(|ids| ids.get_mut(chain_id));
        match head {
            None if sequence != 1 => Err(ChainBreak::StartsLate { sequence }),
            // 64 zeros, the only text that parses to the zero hash.
            None if prev_hash != Some([0; 32]) => Err(ChainBreak::NotGenesis),
            None => {
                self.heads
                    .entry(aggregate_type.to_string())
                    .or_default()
                    .insert(chain_id.to_string(), (sequence, hash));
                self.aggregates += 1;
                Ok(())
            }
            Some((last, _)) if sequence != *last + 1 => Err(ChainBreak::Gap { sequence, last: *last }),
            Some((last, last_hash)) if prev_hash != Some(*last_hash) => Err(ChainBreak::Unlinked { last: *last }),
            Some(head) => {
                *head = (sequence, hash);
                Ok(())
            }
        }
    }

    /// Whether any event of the aggregate was linked.
    pub fn contains(&self, aggregate_type: &str, aggregate_id: &str) -> bool {
        self.heads.get(aggregate_type).is_some_and(|ids| ids.contains_key(aggregate_id))
    }

    /// How many aggregates were seen.
    pub fn aggregates(&self) -> usize {
        self.aggregates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::GENESIS_PREV_HASH;
    use serde_json::json;

    fn record(sequence: u64, prev_hash: String) -> EventRecord {
        EventRecord {
            aggregate_type: "meeting".into(),
            aggregate_id: "GCG-21".into(),
            sequence,
            event_type: "MeetingOpened".into(),
            event_version: "1".into(),
            payload: json!({}),
            metadata: json!({}),
            prev_hash,
            visibility: None,
            scope: None,
            pseudonym: None,
            salt: None,
        }
    }

    #[test]
    fn a_chain_from_genesis_links_and_every_break_is_named() {
        let mut chains = Chains::new();
        let first = record(1, GENESIS_PREV_HASH.into());
        let h1 = first.hash().unwrap();
        chains.link(&first, h1).unwrap();
        let second = record(2, hex::encode(h1));
        chains.link(&second, second.hash().unwrap()).unwrap();
        assert!(chains.contains("meeting", "GCG-21"));
        assert_eq!(chains.aggregates(), 1);

        let mut fresh = Chains::new();
        assert_eq!(fresh.link(&record(2, hex::encode(h1)), h1), Err(ChainBreak::StartsLate { sequence: 2 }));
        assert_eq!(fresh.link(&record(1, "11".repeat(32)), h1), Err(ChainBreak::NotGenesis));
        let mut one = Chains::new();
        one.link(&first, h1).unwrap();
        assert_eq!(one.link(&record(3, hex::encode(h1)), h1), Err(ChainBreak::Gap { sequence: 3, last: 1 }));
        assert_eq!(one.link(&record(1, GENESIS_PREV_HASH.into()), h1), Err(ChainBreak::Gap { sequence: 1, last: 1 }));
        assert_eq!(one.link(&record(2, "22".repeat(32)), h1), Err(ChainBreak::Unlinked { last: 1 }));
        assert_eq!(ChainBreak::NotGenesis.to_string(), "prev_hash of sequence 1 is not 64 zeros");
    }
}
