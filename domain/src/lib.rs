//! The pure core of the Alliance 8.7 Accountability Ledger.
//!
//! * The governance aggregates, each pure `decide`/`evolve` functions with a thin
//!   `cqrs_es::Aggregate` adapter: [`reference`](mod@reference) (organisations, countries), [`body`] (the
//!   GCG: seats, Chair and Deputy Chair terms, calls, policy versions), [`meeting`],
//!   [`decision`] (with the effects it authorises), [`group`] (Action and Working Groups)
//!   and [`partner`]. [`authority`] is the one check of a cited decision's authority;
//!   [`policy`] the versioned rules; [`command`] what every command states about itself
//!   (its name and business date); [`id`] the identifier grammar.
//! * [`pathfinder`]: Pathfinder Countries, their roadmaps, reporting cycles and country
//!   reports, the accountability policy and the clock's pure "is it due?" helpers.
//! * [`programme`]: the Multi-Donor Programme (budget lines, allocations, expenditure,
//!   reversals, reallocations), contributions and donors, with money in integer minor
//!   units.
//! * [`person`]: people the ledger names, by a pseudonymous reference and a salted
//!   commitment; their clear values live outside the ledger and can be erased.
//! * [`signing_key`]: the ledger's signing keys over time (key rotation).
//! * [`visibility`]: who may read each event, decided when it is recorded.
//!
//! The ledger format itself (records, hashes, chains, proofs, checkpoints) is the
//! `ledger-format` crate's, which this crate does not need.
//!
//! Nothing in this crate does I/O, reads the clock or generates ids: the edge (the
//! `server` crate) puts time, actor and new ids into each command.

pub mod authority;
pub mod body;
pub mod command;
pub mod decision;
pub mod group;
pub mod id;
pub mod meeting;
pub mod partner;
pub mod pathfinder;
pub mod person;
pub mod policy;
pub mod programme;
pub mod reference;
pub mod signing_key;
#[cfg(test)]
mod testing;
pub mod visibility;

/// An enumeration value as the API spells it (`interest_expressed`, `deputy_chair`), for
/// refusal messages: the serde name, never the Rust one.
pub(crate) fn snake<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => String::from("?"),
    }
}
