//! The access log: who read what, and when, among the readers of confidential events
//! besides the Secretariat. Every `GET` answered with success to a `donor` or `auditor`
//! token is recorded (a superset of their reads of `donor-confidential` and `personal`
//! events: every read they make). The table is append-only (triggers refuse UPDATE and
//! DELETE); the Secretariat reads it at `GET /api/v1/access-log`.

use chrono::Utc;
use serde::Serialize;

use crate::tokens::Caller;
use ledger_store::{with_pool, Db};

/// The roles whose reads are logged.
pub const LOGGED_ROLES: &[&str] = &["donor", "auditor"];

/// Whether a caller's reads are logged.
pub fn logged(caller: &Caller) -> bool {
    LOGGED_ROLES.contains(&caller.role.as_str())
}

/// One read, as logged.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Access {
    pub id: i64,
    /// When the answer was given (RFC 3339, UTC).
    pub at: String,
    /// The token's public id, its subject, role and scope.
    pub token_id: String,
    pub subject: String,
    pub role: String,
    pub scope: Option<String>,
    pub method: String,
    /// The path and query read.
    pub target: String,
    /// The answer's status.
    pub status: i32,
}

/// Records one read.
pub async fn record(db: &Db, caller: &Caller, method: &str, target: &str, status: u16) -> anyhow::Result<()> {
    let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    with_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO access_log (at, token_id, subject, role, scope, method, target, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(at)
        .bind(&caller.token_id)
        .bind(&caller.subject)
        .bind(&caller.role)
        .bind(&caller.scope)
        .bind(method)
        .bind(target)
        .bind(i32::from(status))
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Logged reads from `from_id` on, oldest first, at most `limit`.
pub async fn list(db: &Db, from_id: i64, limit: i64) -> anyhow::Result<Vec<Access>> {
    Ok(with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, at, token_id, subject, role, scope, method, target, status FROM access_log \
             WHERE id >= $1 ORDER BY id LIMIT $2",
        )
        .bind(from_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}
