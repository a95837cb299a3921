//! Upkeep of the PostgreSQL tables: the vacuuming and analysing that PostgreSQL's
//! autovacuum does, done by the server itself, so that the ledger's costs do not depend
//! on how the database server is configured.
//!
//! Two things grow with the ledger when nobody does them (autovacuum switched off, or
//! lagging behind a burst of millions of events):
//!
//! * **Deleted rows stay.** `ledger_inbox` is a queue: the trigger adds a row per event,
//!   the sealer deletes it once sealed. PostgreSQL frees a deleted row only when the
//!   table is vacuumed; until then the sealer's ordered read of the queue and every count
//!   of it walk all the rows ever deleted (190 ms per read of an empty queue after 10M
//!   events). The views' upserts leave dead rows the same way.
//! * **The planner has no statistics.** A table never analysed is planned from guesses:
//!   a dossier's lookups of a few aggregates became parallel plans whose workers alone
//!   took 30 ms.
//!
//! [`Upkeep::run_once`] reads PostgreSQL's own counters (`pg_stat_user_tables`) and
//! vacuums or analyses each table past autovacuum's default thresholds ([`due`]), with
//! `SKIP_LOCKED` so it never waits for an autovacuum already at work. It runs as the
//! connecting user (the owner, who ran the migrations), not as `ledger_app`, which may not
//! vacuum; tables that user does not own are left alone. Where autovacuum keeps up, the
//! counters stay under the thresholds and this does nothing. SQLite reuses freed pages by
//! itself and needs none of this.

use std::str::FromStr as _;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, PgConnection};
use tokio::sync::watch;

/// How often the server's upkeep task looks at the counters (one small query).
pub const INTERVAL: Duration = Duration::from_secs(5);

/// Below this many dead rows (or changed rows, for statistics) a table is left alone,
/// however small it is.
const MIN_ROWS: i64 = 1000;
/// A table is vacuumed once its dead rows exceed this share of its live rows (autovacuum's
/// default `autovacuum_vacuum_scale_factor`).
const VACUUM_SHARE: f64 = 0.2;
/// A table is analysed once the rows changed since its statistics exceed this share of
/// its live rows (autovacuum's default `autovacuum_analyze_scale_factor`).
const ANALYZE_SHARE: f64 = 0.1;

/// One table's counters, as `pg_stat_user_tables` has them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TableCounters {
    pub table: String,
    pub live: i64,
    pub dead: i64,
    pub changed_since_analyze: i64,
}

/// What a table needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Vacuum,
    Analyze,
    VacuumAndAnalyze,
}

impl Work {
    fn statement(self, table: &str) -> String {
        let table = format!("\"{}\"", table.replace('"', "\"\""));
        match self {
            Work::Vacuum => format!("VACUUM (SKIP_LOCKED) {table}"),
            Work::Analyze => format!("ANALYZE (SKIP_LOCKED) {table}"),
            Work::VacuumAndAnalyze => format!("VACUUM (SKIP_LOCKED, ANALYZE) {table}"),
        }
    }
}

/// The tables past a threshold, and what each needs.
pub fn due(counters: &[TableCounters]) -> Vec<(String, Work)> {
    counters
        .iter()
        .filter_map(|c| {
            let past = |rows: i64, share: f64| rows >= MIN_ROWS && rows as f64 > share * c.live as f64;
            let work = match (past(c.dead, VACUUM_SHARE), past(c.changed_since_analyze, ANALYZE_SHARE)) {
                (true, true) => Work::VacuumAndAnalyze,
                (true, false) => Work::Vacuum,
                (false, true) => Work::Analyze,
                (false, false) => return None,
            };
            Some((c.table.clone(), work))
        })
        .collect()
}

/// What one round of upkeep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Done {
    pub vacuumed: Vec<String>,
    pub analyzed: Vec<String>,
}

/// The upkeep of one PostgreSQL database, on a connection of its own.
pub struct Upkeep {
    options: PgConnectOptions,
    connection: Option<PgConnection>,
}

impl Upkeep {
    /// Upkeep of the database `url` names, as its user (no `SET ROLE`).
    pub fn new(url: &str) -> anyhow::Result<Self> {
        Ok(Self::with_options(PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?))
    }

    /// Upkeep of the database the options name, as their user.
    pub fn with_options(options: PgConnectOptions) -> Self {
        Self { options, connection: None }
    }

    /// Reads the counters and does what is due; the connection is opened on first use and
    /// again after an error.
    pub async fn run_once(&mut self) -> anyhow::Result<Done> {
        let result = self.round().await;
        if result.is_err() {
            self.connection = None;
        }
        result
    }

    async fn round(&mut self) -> anyhow::Result<Done> {
        if self.connection.is_none() {
            let connection =
                PgConnection::connect_with(&self.options).await.context("upkeep could not connect to PostgreSQL")?;
            self.connection = Some(connection);
        }
        let Some(connection) = self.connection.as_mut() else { anyhow::bail!("no upkeep connection") };
        let counters: Vec<TableCounters> = sqlx::query_as(
            "SELECT s.relname::text AS table, s.n_live_tup AS live, s.n_dead_tup AS dead, \
             s.n_mod_since_analyze AS changed_since_analyze \
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
             WHERE s.schemaname = current_schema() AND pg_has_role(c.relowner, 'USAGE') ORDER BY s.relname",
        )
        .fetch_all(&mut *connection)
        .await?;
        let mut done = Done::default();
        for (table, work) in due(&counters) {
            sqlx::query(&work.statement(&table))
                .execute(&mut *connection)
                .await
                .with_context(|| format!("upkeep of {table}"))?;
            if matches!(work, Work::Vacuum | Work::VacuumAndAnalyze) {
                done.vacuumed.push(table.clone());
            }
            if matches!(work, Work::Analyze | Work::VacuumAndAnalyze) {
                done.analyzed.push(table);
            }
        }
        Ok(done)
    }

    /// One round, its outcome logged (what was done, or why it failed); an error is not
    /// fatal: the next round retries.
    pub async fn run_logged(&mut self) {
        match self.run_once().await {
            Ok(done) if done != Done::default() => {
                tracing::info!(vacuumed = ?done.vacuumed, analyzed = ?done.analyzed, "upkeep")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = format!("{error:#}"), "upkeep failed; will retry"),
        }
    }

    /// Runs a round every `interval` until `stop` flips.
    pub async fn run(mut self, interval: Duration, mut stop: watch::Receiver<bool>) {
        loop {
            self.run_logged().await;
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, live: i64, dead: i64, changed: i64) -> TableCounters {
        TableCounters { table: name.to_string(), live, dead, changed_since_analyze: changed }
    }

    #[test]
    fn a_table_is_vacuumed_or_analysed_only_past_both_thresholds() {
        let counters = [
            // An emptied queue: every row dead.
            table("ledger_inbox", 0, 9_000_000, 9_000_000),
            // Few dead rows: under the minimum, however small the table.
            table("tokens", 0, 999, 999),
            // Many dead rows, but under a fifth of the live ones.
            table("view_documents", 1_000_000, 200_000, 50_000),
            // Past a fifth: vacuumed; its changes under a tenth: not analysed.
            table("audit_history", 1_000_000, 200_001, 100_000),
            // Appended to only: never vacuumed, analysed past a tenth.
            table("events", 1_000_000, 0, 100_001),
            // Never analysed since it was filled.
            table("positions", 0, 0, 10_000_000),
        ];
        assert_eq!(
            due(&counters),
            vec![
                ("ledger_inbox".to_string(), Work::VacuumAndAnalyze),
                ("audit_history".to_string(), Work::Vacuum),
                ("events".to_string(), Work::Analyze),
                ("positions".to_string(), Work::Analyze),
            ]
        );
    }

    #[test]
    fn table_names_are_quoted_in_the_statements() {
        assert_eq!(Work::Vacuum.statement("ledger_inbox"), "VACUUM (SKIP_LOCKED) \"ledger_inbox\"");
        assert_eq!(Work::Analyze.statement("a\"b"), "ANALYZE (SKIP_LOCKED) \"a\"\"b\"");
        assert_eq!(Work::VacuumAndAnalyze.statement("events"), "VACUUM (SKIP_LOCKED, ANALYZE) \"events\"");
    }
}
