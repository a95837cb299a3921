//! The ledger format (docs/LEDGER-FORMAT.md is its specification), with no server,
//! database or async dependency, so an auditor can build and run it alone.
//!
//! Everything an independent verifier needs lives here and only here: how an event
//! record becomes canonical bytes and a hash ([`record`]), how hashes form the RFC 6962
//! Merkle tree ([`merkle`]), how a stored event carries its chain fields ([`seal`]) and
//! what a well-formed per-aggregate chain is ([`chain`]), how RFC 9162 inclusion and consistency proofs are checked
//! ([`proof`]), how checkpoints are written and signed ([`checkpoint`]), how keys are
//! named ([`keys`]) and rotated ([`key_history`]), how witnesses cosign checkpoints ([`cosignature`]), and the
//! per-subject accountability dossier ([`dossier`]) and the full export ([`export`]), both
//! checked by the `ledger-verify` binary.

pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod cosignature;
pub mod dossier;
pub mod export;
pub mod key_history;
pub mod keys;
pub mod merkle;
pub mod personal;
pub mod proof;
pub mod record;
pub mod seal;

pub use chain::{ChainBreak, Chains};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use cosignature::{CosignatureError, WitnessSigner, WitnessVerifier};
pub use dossier::{
    render_markdown, result_line, verify_dossier, verify_dossier_bytes, Dossier, DossierError, DossierEvent,
    DossierSummary, KeySource, DOSSIER_FORMAT,
};
pub use key_history::{handover_statement, Handover, KeyHistory, KeyHistoryError};
pub use keys::{KeyError, LedgerSigner, LedgerVerifier};
pub use proof::{verify_consistency, verify_inclusion, ConsistencyProof, InclusionProof, ProofError};
pub use record::{EventRecord, Hash32, Head, RecordError, RedactedRecord, ShownRecord, CLASSES, GENESIS_PREV_HASH};
pub use seal::{Seal, SealError, SEAL_KEY};
