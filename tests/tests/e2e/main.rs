//! End-to-end tests: the real `ledger` binary over real HTTP, every scenario on SQLite and
//! on PostgreSQL (a private throwaway cluster unless `TEST_DATABASE_URL` is set).

mod bench;
mod browser;
mod browser_pages;
mod browser_verify;
mod concurrency;
mod conformance;
mod csv;
mod documents;
mod donor_pages;
mod dossiers;
mod erasure;
mod forms;
mod governance;
mod lifecycle;
mod matrix;
mod messages;
mod operations;
mod outage;
mod pathfinders;
mod pipeline;
mod programme;
mod proofs;
mod question_pages;
mod questions;
mod refusals;
mod replica;
mod rotation;
mod support;
mod tamper;
mod time;
mod tokens;
mod upkeep;
mod web;
mod witness;
