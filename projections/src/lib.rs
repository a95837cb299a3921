//! The read side of the ledger: the views, built from the sealed ledger in the
//! `ledger-store` crate (which knows nothing of them).
//!
//! * [`runner`]: the projector that consumes the ledger in position order from a stored
//!   cursor and updates views, audit history and cursor in one transaction.
//! * [`views`]: the view documents (meetings, decisions) and how events fold into them.
//! * [`governance`]: the GCG, group, partner, organisation and country documents, and the
//!   GCG's composition on a date as known at a position.
//! * [`pathfinder`]: the Pathfinder board, countries, roadmaps, cycles and compliance.
//! * [`programme`]: the Multi-Donor Programme's summary, trail and reallocations, as of
//!   any date; [`iati`]: its IATI 2.03 activity file and the IATI rule checks.
//! * [`read`]: queries the API serves; [`read::At`]: the ledger as of a moment, for a reader;
//!   [`lens`]: what each reader may see (the one place the visibility rule is applied to reads).
//! * [`time`]: the time contract: which events a moment (`as_of`, `known_at`) admits.
//!
//! **Invariant:** nothing here writes to `events`, `ledger`, `merkle_hashes` or `checkpoints`.

pub mod governance;
pub mod iati;
pub mod lens;
pub mod pathfinder;
pub mod programme;
pub mod questions;
pub mod read;
pub mod runner;
pub mod time;
pub mod views;
