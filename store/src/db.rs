//! One handle over PostgreSQL or SQLite, with the migrations of `ops/migrations`.
//!
//! Most SQL here is written once and run on either pool with [`with_pool!`]: both
//! dialects accept `$1` placeholders, `bigint`/`integer` map to `i64` and JSON is read as
//! text. The few differences (JSON field access, casting `json` to text) go through
//! [`Db::json_text`] and [`Db::json_field`].
//!
//! A server that only reads (`ledger serve --read-only`, e.g. on a PostgreSQL hot
//! standby) connects with [`Db::connect_replica`]: no migrations, a check that the schema
//! is the one this build expects ([`schema_mismatch`]), and sessions the database itself
//! keeps read-only.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor as _, PgPool, SqlitePool};

/// Runs the same code on whichever pool the [`Db`] holds.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Postgres($pool) => $body,
            $crate::db::Db::Sqlite($pool) => $body,
        }
    };
}

/// The database: PostgreSQL in production, an SQLite file as the embedded default.
#[derive(Debug, Clone)]
pub enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// How long the application waits for a database connection before it answers 503: when
/// the database is away, requests fail fast instead of hanging, and recover by themselves
/// when it is back.
pub const APP_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether an error means the database cannot be reached right now (refused or dropped
/// connections, no connection to be had in time, a server shutting down or starting up),
/// as opposed to a fault in what was asked.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        // admin_shutdown, crash_shutdown, cannot_connect_now, and the connection exceptions.
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|c| matches!(c.as_ref(), "57P01" | "57P02" | "57P03") || c.starts_with("08"))
        }
        _ => false,
    }
}

/// [`is_unavailable`] anywhere in an error's chain, or in the text of an error that carried
/// a database error only as text (cqrs-es's persistence errors do).
pub fn is_unavailable_anywhere(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if e.downcast_ref::<sqlx::Error>().is_some_and(is_unavailable) {
            return true;
        }
        let text = e.to_string();
        if [
            "pool timed out while waiting for an open connection",
            "error communicating with database",
            "Connection refused",
            "connection closed",
            "terminating connection due to administrator command",
            "the database system is shutting down",
            "the database system is starting up",
            // A connection dropped mid-request, as the text of an I/O error.
            "unexpected end of file",
            "unexpected EOF",
            "Broken pipe",
            "Connection reset by peer",
            "closed the connection unexpectedly",
            "attempted to acquire a connection on a closed pool",
        ]
        .iter()
        .any(|needle| text.contains(needle))
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// Pool options for the application's connections on PostgreSQL: each connection acts as
/// the `ledger_app` role (INSERT and SELECT only on the append-only tables) when it can.
pub fn app_pool_options(max_connections: u32, can_set_role: bool) -> PgPoolOptions {
    PgPoolOptions::new().max_connections(max_connections).acquire_timeout(APP_ACQUIRE_TIMEOUT).after_connect(
        move |conn, _| {
            Box::pin(async move {
                if can_set_role {
                    conn.execute("SET ROLE ledger_app").await?;
                }
                Ok(())
            })
        },
    )
}

/// The PostgreSQL migrations this build applies (`ops/migrations/postgres`), embedded.
pub fn postgres_migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("../ops/migrations/postgres")
}

/// One row of sqlx's `_sqlx_migrations`: a migration a database has applied.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppliedMigration {
    pub version: i64,
    pub success: bool,
    pub checksum: Vec<u8>,
}

/// One migration this build expects: version, description and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedMigration {
    pub version: i64,
    pub description: String,
    pub checksum: Vec<u8>,
}

/// The migrations of [`postgres_migrator`], in order.
pub fn expected_postgres_migrations() -> Vec<ExpectedMigration> {
    let mut expected: Vec<ExpectedMigration> = postgres_migrator()
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| ExpectedMigration {
            version: m.version,
            description: m.description.to_string(),
            checksum: m.checksum.to_vec(),
        })
        .collect();
    expected.sort_by_key(|m| m.version);
    expected
}

/// Why a database's schema is not the one this build expects, or `None` when it is: every
/// expected migration applied successfully with the same checksum, and no other. A server
/// that never migrates (a read-only one) refuses to start on anything else, saying which
/// side to upgrade.
pub fn schema_mismatch(applied: &[AppliedMigration], expected: &[ExpectedMigration]) -> Option<String> {
    let wanted = expected.last().map_or(0, |m| m.version);
    if applied.is_empty() {
        return Some(format!(
            "the database has no ledger schema (no migration applied; this server expects schema version {wanted}). \
             A read-only server never migrates: start `ledger serve` without --read-only on the primary first, \
             which creates the schema, and let it replicate"
        ));
    }
    if let Some(failed) = applied.iter().find(|m| !m.success) {
        return Some(format!(
            "migration {} is recorded as failed on this database: repair the primary first (a read-only server \
             never migrates)",
            failed.version
        ));
    }
    let newest = applied.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(unknown) =
        applied.iter().filter(|m| !expected.iter().any(|e| e.version == m.version)).max_by_key(|m| m.version)
    {
        return Some(format!(
            "the database's schema has migration {} (schema version {newest}), which this build of the ledger does \
             not know (it expects schema version {wanted}): this server is older than the primary's; run the same \
             version as the primary",
            unknown.version
        ));
    }
    if let Some(missing) = expected.iter().find(|e| !applied.iter().any(|m| m.version == e.version)) {
        return Some(format!(
            "the database's schema is at version {newest}, and this server expects version {wanted} (migration {} \
             `{}` is missing): upgrade the primary's server first (it migrates at start) and let the change \
             replicate, or run the same version as the primary; a read-only server never migrates",
            missing.version, missing.description
        ));
    }
    if let Some(changed) =
        expected.iter().find(|e| applied.iter().any(|m| m.version == e.version && m.checksum != e.checksum))
    {
        return Some(format!(
            "migration {} `{}` on the database differs from the one this server was built with (checksums \
             disagree): run the same version as the primary",
            changed.version, changed.description
        ));
    }
    None
}

/// A PostgreSQL server's replication state, as a read-only server reports it on `/ready`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ReplicaStatus {
    /// True on a hot standby (`pg_is_in_recovery()`); false once promoted, or on a primary.
    pub in_recovery: bool,
    /// When the primary committed the last transaction this standby replayed (RFC 3339).
    pub last_replayed_at: Option<String>,
    /// Seconds from that commit to now: the replication lag while the primary writes; it
    /// also grows while the primary is idle.
    pub replay_lag_seconds: Option<f64>,
    /// Whether every WAL record received has been replayed (`None` when not streaming).
    pub replay_caught_up: Option<bool>,
}

/// Which engine a URL names.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Db {
    /// Connects, applies the migrations and, on PostgreSQL, makes every pooled connection
    /// act as the `ledger_app` role (INSERT and SELECT only on the append-only tables).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::open(url, true).await
    }

    /// Opens a ledger to read it as it is, without applying migrations (verify, export):
    /// an audit never writes to what it audits, and works on a read-only replica.
    pub async fn connect_read_only(url: &str) -> anyhow::Result<Self> {
        Self::open(url, false).await
    }

    /// Opens a PostgreSQL database to serve reads only, e.g. a hot standby
    /// (`ledger serve --read-only`): no migrations, a refusal with the reason when the schema
    /// is not the one this build expects ([`schema_mismatch`]), and every pooled session
    /// read-only (`default_transaction_read_only`), so a write is refused by the database
    /// itself even on a primary. Connections act as `ledger_app` when they can, and fail fast
    /// like the application's ([`APP_ACQUIRE_TIMEOUT`]).
    pub async fn connect_replica(url: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(
            is_postgres_url(url),
            "a read-only server reads a PostgreSQL database (a hot standby of the primary); the embedded SQLite \
             store has no replicas: copy it with `ledger backup` instead"
        );
        let options = PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?;
        let check = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .context("could not connect to PostgreSQL")?;
        let has_table: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&check)
            .await
            .context("could not read the schema version")?;
        let applied: Vec<AppliedMigration> = if has_table {
            sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&check)
                .await
                .context("could not read the schema version")?
        } else {
            Vec::new()
        };
        let can_set_role: bool = sqlx::query_scalar("SELECT pg_has_role(current_user, 'ledger_app', 'MEMBER')")
            .fetch_one(&check)
            .await
            .unwrap_or(false);
        check.close().await;
        if let Some(reason) = schema_mismatch(&applied, &expected_postgres_migrations()) {
            anyhow::bail!("{reason}");
        }
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .acquire_timeout(APP_ACQUIRE_TIMEOUT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if can_set_role {
                        conn.execute("SET ROLE ledger_app").await?;
                    }
                    conn.execute("SET default_transaction_read_only = on").await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("could not connect to PostgreSQL")?;
        Ok(Db::Postgres(pool))
    }

    /// The replication state of a PostgreSQL server; `None` on SQLite.
    pub async fn replica_status(&self) -> sqlx::Result<Option<ReplicaStatus>> {
        let Db::Postgres(pool) = self else { return Ok(None) };
        let (in_recovery, last_replayed_at, replay_lag_seconds, replay_caught_up): (
            bool,
            Option<String>,
            Option<f64>,
            Option<bool>,
        ) = sqlx::query_as(
            "SELECT pg_is_in_recovery(), \
             to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \
             EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp()))::float8, \
             pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()",
        )
        .fetch_one(pool)
        .await?;
        Ok(Some(ReplicaStatus { in_recovery, last_replayed_at, replay_lag_seconds, replay_caught_up }))
    }

    async fn open(url: &str, migrate: bool) -> anyhow::Result<Self> {
        if is_postgres_url(url) && !migrate {
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?)
                .await
                .context("could not connect to PostgreSQL")?;
            return Ok(Db::Postgres(pool));
        }
        if is_postgres_url(url) {
            let options = PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?;
            let owner = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options.clone())
                .await
                .context("could not connect to PostgreSQL")?;
            postgres_migrator().run(&owner).await.context("could not apply the PostgreSQL migrations")?;
            let can_set_role: bool = sqlx::query_scalar("SELECT pg_has_role(current_user, 'ledger_app', 'MEMBER')")
                .fetch_one(&owner)
                .await
                .unwrap_or(false);
            owner.close().await;
            if !can_set_role {
                tracing::warn!("role ledger_app is not available: running as the connecting user");
            }
            let pool = app_pool_options(32, can_set_role)
                .connect_with(options)
                .await
                .context("could not connect to PostgreSQL")?;
            Ok(Db::Postgres(pool))
        } else {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("could not create directory {}", dir.display()))?;
                }
            }
            // FULL: with WAL, NORMAL may lose the last commits on power loss, and a lost
            // sealed batch would make the key sign two different trees of the same size.
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                // Deleted and overwritten content is zeroed on disk, so an erased personal
                // value (crate::personal) is physically gone once the WAL is checkpointed.
                .pragma("secure_delete", "ON");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .with_context(|| format!("could not open SQLite database {path}"))?;
            restrict_to_owner(path)?;
            if migrate {
                sqlx::migrate!("../ops/migrations/sqlite")
                    .run(&pool)
                    .await
                    .context("could not apply the SQLite migrations")?;
            }
            Ok(Db::Sqlite(pool))
        }
    }

    /// The pool's connections: (open, idle, maximum).
    pub fn pool_use(&self) -> (u32, u32, u32) {
        match self {
            Db::Postgres(pool) => {
                (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX), pool.options().get_max_connections())
            }
            Db::Sqlite(pool) => {
                (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX), pool.options().get_max_connections())
            }
        }
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// A JSON column as text.
    pub fn json_text(&self, column: &str) -> String {
        match self {
            Db::Postgres(_) => format!("{column}::text"),
            Db::Sqlite(_) => column.to_string(),
        }
    }

    /// A text field inside a JSON column, e.g. `json_field("metadata", &["ledger", "hash"])`.
    pub fn json_field(&self, column: &str, path: &[&str]) -> String {
        match self {
            Db::Postgres(_) => {
                let mut out = column.to_string();
                for (i, key) in path.iter().enumerate() {
                    let arrow = if i + 1 == path.len() { "->>" } else { "->" };
                    out.push_str(&format!("{arrow}'{key}'"));
                }
                out
            }
            Db::Sqlite(_) => format!("json_extract({column}, '$.{}')", path.join(".")),
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }
}

/// Makes a SQLite database's files readable and writable by their owner only (0600): the
/// ledger holds donor amounts and, until erased, personal data.
fn restrict_to_owner(path: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for file in [path.to_string(), format!("{path}-wal"), format!("{path}-shm")] {
            let file = std::path::Path::new(&file);
            if file.exists() {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("could not make {} private (0600)", file.display()))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Vec<ExpectedMigration> {
        (1..=3)
            .map(|v| ExpectedMigration { version: v, description: format!("step {v}"), checksum: vec![v as u8] })
            .collect()
    }

    fn applied(versions: &[i64]) -> Vec<AppliedMigration> {
        versions.iter().map(|&v| AppliedMigration { version: v, success: true, checksum: vec![v as u8] }).collect()
    }

    #[test]
    fn the_expected_schema_passes() {
        assert_eq!(schema_mismatch(&applied(&[1, 2, 3]), &expected()), None);
    }

    #[test]
    fn every_other_schema_is_refused_saying_which_side_to_upgrade() {
        let none = schema_mismatch(&[], &expected()).unwrap();
        assert!(none.contains("no ledger schema") && none.contains("version 3"), "{none}");
        let older = schema_mismatch(&applied(&[1, 2]), &expected()).unwrap();
        assert!(older.contains("at version 2") && older.contains("expects version 3"), "{older}");
        assert!(older.contains("migration 3 `step 3` is missing") && older.contains("upgrade the primary"), "{older}");
        let newer = schema_mismatch(&applied(&[1, 2, 3, 4]), &expected()).unwrap();
        assert!(newer.contains("migration 4") && newer.contains("does not know"), "{newer}");
        let mut failed = applied(&[1, 2, 3]);
        failed[2].success = false;
        assert!(schema_mismatch(&failed, &expected()).unwrap().contains("migration 3 is recorded as failed"));
        let mut changed = applied(&[1, 2, 3]);
        changed[1].checksum = vec![9];
        assert!(schema_mismatch(&changed, &expected()).unwrap().contains("migration 2 `step 2`"));
    }

    #[test]
    fn this_build_expects_its_embedded_migrations() {
        let expected = expected_postgres_migrations();
        assert!(expected.len() >= 6, "{expected:?}");
        assert!(expected.windows(2).all(|w| w[0].version < w[1].version));
        let all: Vec<AppliedMigration> = expected
            .iter()
            .map(|m| AppliedMigration { version: m.version, success: true, checksum: m.checksum.clone() })
            .collect();
        assert_eq!(schema_mismatch(&all, &expected), None);
    }
}
