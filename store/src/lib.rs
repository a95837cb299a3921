//! The ledger's storage, apart from the views: everything that writes or checks the
//! append-only tables. The views (`projections`) depend on it, never the reverse.
//!
//! * [`db`]: one handle over PostgreSQL or SQLite, the migrations of `ops/migrations`,
//!   and the few SQL dialect differences ([`with_pool!`]).
//! * [`chaining`]: the hash-chaining repository around postgres-es and sqlite-es: the
//!   envelope, `prev_hash`, hash and signature of every event, in one transaction
//!   ([`chaining::ChainingRepository::append`]).
//! * [`commit`]: group commit: the events of concurrent commands written in one shared
//!   transaction, each command's all or none.
//! * [`sealer`]: gap-free ledger positions, the RFC 6962 tree in the tlog stored-hash
//!   layout, and signed checkpoints.
//! * [`stored`]: an event row as stored, and its split into the hashed record and its
//!   seal.
//! * [`keys`]: the key history the ledger records (key rotation).
//! * [`documents`]: evidence documents by their SHA-256, outside the append-only tables
//!   (files beside a SQLite database, a `bytea` column on PostgreSQL), re-hashed whenever
//!   they are read.
//! * [`personal`]: the personal-data register, outside the append-only tables: clear
//!   values, their salt and commitment, and their erasure.
//! * [`proofs`]: RFC 9162 inclusion and consistency proofs from the stored tree hashes.
//! * [`tiles`]: the same tree in the C2SP tlog-tiles layout.
//! * [`upkeep`]: the vacuuming and analysing of the PostgreSQL tables that autovacuum
//!   would do, done by the server so that costs do not grow with deleted rows or
//!   missing statistics.
//! * [`verify`]: the verifier that recomputes every hash, chain, signature, Merkle root
//!   and checkpoint from the raw tables.
//!
//! **Invariant:** hashing, chains, proofs and signatures are the `ledger-format` crate's;
//! this crate stores and reads them and never has a copy of its own.

pub mod chaining;
pub mod commit;
pub mod db;
pub mod documents;
pub mod keys;
pub mod personal;
pub mod proofs;
pub mod sealer;
pub mod stored;
pub mod tiles;
pub mod upkeep;
pub mod verify;

pub use db::Db;
