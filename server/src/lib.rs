//! The `ledger` binary's library: everything at the edge of the system.
//!
//! * [`cli`]: the commands (`serve`, `demo`, `verify`, `export`, `keygen`, `token`, `tick`, `rotate-key`, `rebuild`, …).
//! * [`backup`]: `ledger backup` and `ledger restore` (verified before it counts).
//! * [`startup`]: [`startup::Application`], built once, run until SIGINT/SIGTERM.
//! * [`pipeline`]: the command pipeline every write goes through ([`pipeline::CommandService`]).
//! * [`facts`]: per aggregate type, the facts and locks its commands need, the
//!   decision-effects process manager and the clock.
//! * [`http`]: the axum API.
//! * [`web`]: the web pages (server-rendered HTML, sign-in, the attendance form).
//! * [`dossier`]: per-subject dossiers with inclusion proofs, verifiable offline.
//! * [`witness`]: the witness that checks consistency and cosigns checkpoints.
//! * [`rotate`]: `ledger rotate-key`, the key handover.
//! * [`migrate_store`]: `ledger migrate-store`, from the embedded store to PostgreSQL.
//! * [`metrics`]: the Prometheus counters, histograms and gauges of `/metrics`.
//! * [`tokens`]: API tokens (create, list, revoke, expiry, last use).
//! * [`demo`], [`export`], [`keys`], [`telemetry`]: what their names say.
//!
//! **Invariant:** no business rule lives here; the domain crate decides, this crate
//! supplies time, actor, ids and facts, and persists.

pub mod access_log;
pub mod backup;
pub mod cli;
pub mod demo;
pub mod demo_pathfinders;
pub mod demo_programme;
pub mod dossier;
pub mod export;
pub mod facts;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod migrate_store;
pub mod pipeline;
pub mod rotate;
pub mod startup;
pub mod telemetry;
pub mod tokens;
pub mod web;
pub mod witness;
