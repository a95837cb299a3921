//! The pure core of the Alliance 8.7 Accountability Ledger.
//!
//! * [`ledger`] is the published ledger format: event records, their canonical bytes
//!   (RFC 8785), event hashes and per-aggregate chains, the RFC 6962 Merkle tree and
//!   C2SP signed checkpoints. Anyone can re-implement it from docs/LEDGER-FORMAT.md.
//! * [`meeting`] and [`decision`] are the first governance aggregates, written as pure
//!   `decide`/`evolve` functions with a thin `cqrs_es::Aggregate` adapter.
//!
//! Nothing in this crate does I/O, reads the clock or generates ids: the edge (the
//! `server` crate) puts time, actor and new ids into each command.

pub mod decision;
pub mod meeting;
pub mod policy;

/// The ledger format, re-exported: it lives in the `ledger-format` crate so the offline
/// verifier can be built without the domain's dependencies.
pub use ledger_format as ledger;
