//! One handle over PostgreSQL or SQLite, with the migrations of `ops/migrations`.
//!
//! Most SQL here is written once and run on either pool with [`with_pool!`]: both
//! dialects accept `$1` placeholders, `bigint`/`integer` map to `i64` and JSON is read as
//! text. The few differences (JSON field access, casting `json` to text) go through
//! [`Db::json_text`] and [`Db::json_field`].

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
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
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
            sqlx::migrate!("../ops/migrations/postgres")
                .run(&owner)
                .await
                .context("could not apply the PostgreSQL migrations")?;
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
                .foreign_keys(true);
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
