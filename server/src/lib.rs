//! The `ledger` binary's library: everything at the edge of the system.
//!
//! * [`cli`]: the commands (`serve`, `demo`, `verify`, `export`, `keygen`, `token`, `rebuild`, `bench`).
//! * [`startup`]: [`startup::Application`], built once, run until SIGINT/SIGTERM.
//! * [`app`]: the command service every write goes through.
//! * [`store`]: the hash-chaining repository around postgres-es / sqlite-es.
//! * [`sealer`]: ledger positions, the Merkle tree and signed checkpoints.
//! * [`http`]: the axum API.
//! * [`dossier`]: per-subject dossiers with inclusion proofs, verifiable offline.
//! * [`witness`]: the witness that checks consistency and cosigns checkpoints.
//! * [`demo`], [`export`], [`bench`], [`keys`], [`telemetry`]: what their names say.
//!
//! **Invariant:** no business rule lives here; the domain crate decides, this crate
//! supplies time, actor, ids and facts, and persists.

pub mod app;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod demo_pathfinders;
pub mod demo_programme;
pub mod dossier;
pub mod export;
pub mod governance;
pub mod http;
pub mod keys;
pub mod pathfinder;
pub mod programme;
pub mod proof_bench;
pub mod sealer;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod witness;
