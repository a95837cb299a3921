//! The ledger format (docs/LEDGER-FORMAT.md is its specification).
//!
//! Everything an independent verifier needs lives here and only here: how an event
//! record becomes canonical bytes and a hash ([`record`]), how hashes form the RFC 6962
//! Merkle tree ([`merkle`]), how checkpoints are written and signed ([`checkpoint`]),
//! and how keys are named ([`keys`]).

pub mod checkpoint;
pub mod keys;
pub mod merkle;
pub mod record;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use keys::{KeyError, LedgerSigner, LedgerVerifier};
pub use record::{EventRecord, Hash32, RecordError, GENESIS_PREV_HASH};
