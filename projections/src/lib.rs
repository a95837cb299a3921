//! The read side of the ledger, and the database handle shared with the write side.
//!
//! * [`db`]: connecting to PostgreSQL or SQLite, applying `ops/migrations`, and the
//!   few SQL dialect differences.
//! * [`stored`]: an event row as stored, and how it becomes the hashed [`domain::ledger::EventRecord`].
//! * [`runner`]: the projector that consumes the ledger in position order from a stored
//!   cursor and updates views, audit history and cursor in one transaction.
//! * [`views`]: the view documents (meetings, decisions) and how events fold into them.
//! * [`read`]: queries the API serves.
//! * [`verify`]: the verifier that recomputes every hash, chain, signature, Merkle root
//!   and checkpoint from the raw tables.
//!
//! **Invariant:** nothing here writes to `events`, `ledger`, `merkle_hashes` or `checkpoints`.

pub mod db;
pub mod governance;
pub mod iati;
pub mod pathfinder;
pub mod programme;
pub mod proofs;
pub mod read;
pub mod runner;
pub mod stored;
pub mod verify;
pub mod views;

pub use db::Db;
