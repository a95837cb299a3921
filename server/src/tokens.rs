//! API tokens: random secrets handed out once and stored only as SHA-256, each bound to a
//! subject, a role and, for donors and focal points, a scope; each expires, can be revoked,
//! and records when it was last used (by the servers that write: a read-only replica
//! records nothing). The one place these rules live: the CLI
//! (`ledger token create|list|revoke`), the Secretariat's admin API and the bearer check
//! all call it.
//!
//! A token's id is the first 16 hex digits of its hash: safe to show and to name in a
//! revocation, useless as a secret.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ledger_store::{with_pool, Db};
use rand_core::{OsRng, RngCore as _};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// Roles a token can carry.
pub const ROLES: &[&str] =
    &["secretariat", "chair", "gcg_member", "focal_point", "monitoring_wg", "auditor", "donor", "public"];

/// Roles whose tokens must carry a scope.
pub const SCOPED_ROLES: &[&str] = &["donor", "focal_point"];

/// The longest lifetime a token may be given.
pub const MAX_LIFETIME_DAYS: i64 = 3650;

/// The lifetime a token gets when none is asked for: short for the role that writes,
/// longer for readers.
pub fn default_lifetime(role: &str) -> Duration {
    match role {
        "secretariat" => Duration::days(90),
        "auditor" => Duration::days(180),
        _ => Duration::days(365),
    }
}

/// Reads a lifetime such as `90d` or `12h`.
pub fn parse_lifetime(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 =
        number.parse().map_err(|_| anyhow::anyhow!("a lifetime is a number of days or hours, e.g. 90d or 12h"))?;
    let lifetime = match unit {
        "d" => Duration::days(n),
        "h" => Duration::hours(n),
        _ => anyhow::bail!("a lifetime is a number of days or hours, e.g. 90d or 12h"),
    };
    anyhow::ensure!(lifetime > Duration::zero(), "a lifetime must be positive");
    anyhow::ensure!(lifetime <= Duration::days(MAX_LIFETIME_DAYS), "a token lives at most {MAX_LIFETIME_DAYS} days");
    Ok(lifetime)
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The hash a token is stored (and looked up) by.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who is calling, from a valid token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's public id (the first 16 hex digits of its hash).
    pub token_id: String,
    pub subject: String,
    pub role: String,
    /// The donor (role `donor`) or country (role `focal_point`) the token speaks for.
    pub scope: Option<String>,
}

impl Caller {
    /// The caller as a reader, for the visibility rule.
    pub fn reader(&self) -> domain::visibility::Reader {
        domain::visibility::Reader::new(&self.role, self.scope.as_deref())
    }
}

/// A new token: its secret (shown once) and its public record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Created {
    /// The secret: send it as `Authorization: Bearer <token>`. It is shown only now.
    pub token: String,
    #[serde(flatten)]
    pub record: TokenRecord,
}

/// A token as listed: never its secret.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TokenRecord {
    /// The first 16 hex digits of the token's hash.
    pub id: String,
    pub role: String,
    pub subject: String,
    pub scope: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl TokenRecord {
    /// `active`, `expired` or `revoked`, now.
    pub fn status(&self) -> &'static str {
        let now = stamp(Utc::now());
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.as_deref().is_some_and(|e| e <= now.as_str()) {
            "expired"
        } else {
            "active"
        }
    }
}

/// Creates a token for `subject` with `role` (and `scope` for donors and focal points),
/// living `lifetime` (the role's default when `None`).
pub async fn create(
    db: &Db,
    role: &str,
    subject: &str,
    scope: Option<&str>,
    lifetime: Option<Duration>,
) -> anyhow::Result<Created> {
    anyhow::ensure!(ROLES.contains(&role), "unknown role {role:?}; roles are {}", ROLES.join(", "));
    anyhow::ensure!(!subject.trim().is_empty(), "the subject must not be empty");
    let scope = scope.map(str::trim).filter(|s| !s.is_empty());
    anyhow::ensure!(
        SCOPED_ROLES.contains(&role) == scope.is_some(),
        "a {role} token {} a scope (the donor or country it speaks for)",
        if SCOPED_ROLES.contains(&role) { "needs" } else { "takes no" }
    );
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let token = format!("a87_{}", hex::encode(secret));
    let now = Utc::now();
    let expires_at = stamp(now + lifetime.unwrap_or_else(|| default_lifetime(role)));
    let hash = token_hash(&token);
    with_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, role, subject, created_at, scope, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&hash)
        .bind(role)
        .bind(subject)
        .bind(stamp(now))
        .bind(scope)
        .bind(&expires_at)
        .execute(pool)
        .await?;
    });
    let record = TokenRecord {
        id: hash[..16].to_string(),
        role: role.to_string(),
        subject: subject.to_string(),
        scope: scope.map(str::to_string),
        created_at: stamp(now),
        expires_at: Some(expires_at),
        last_used_at: None,
        revoked_at: None,
    };
    Ok(Created { token, record })
}

const COLUMNS: &str =
    "substr(token_hash, 1, 16) AS id, role, subject, scope, created_at, expires_at, last_used_at, revoked_at";

/// Every token, newest first.
pub async fn list(db: &Db) -> anyhow::Result<Vec<TokenRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens ORDER BY created_at DESC, token_hash");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

/// Revokes the token whose id is `id`; it is refused from the next request on. `None`
/// when no token has that id.
pub async fn revoke(db: &Db, id: &str) -> anyhow::Result<Option<TokenRecord>> {
    anyhow::ensure!(
        id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "a token id is 16 lowercase hex digits (see `ledger token list`)"
    );
    let now = stamp(Utc::now());
    let pattern = format!("{id}%");
    with_pool!(db, pool => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash LIKE $2 AND revoked_at IS NULL")
            .bind(&now)
            .bind(&pattern)
            .execute(pool)
            .await?;
    });
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash LIKE $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(&pattern).fetch_optional(pool).await?))
}

/// The caller a token stands for: `None` when it is unknown, revoked or expired. With
/// `record_use`, records its use (at most once a minute, so reads do not each write); a
/// read-only replica passes `false`, as it writes nothing (its database would refuse).
pub async fn lookup(db: &Db, token: &str, record_use: bool) -> anyhow::Result<Option<Caller>> {
    lookup_hash(db, &token_hash(token), record_use).await
}

/// [`lookup`] by the token's hash (what a web session keeps instead of the token).
pub async fn lookup_hash(db: &Db, hash: &str, record_use: bool) -> anyhow::Result<Option<Caller>> {
    let now = Utc::now();
    let row: Option<(String, String, Option<String>)> = with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT subject, role, scope FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(hash)
        .bind(stamp(now))
        .fetch_optional(pool)
        .await?
    });
    if record_use && row.is_some() {
        let a_minute_ago = stamp(now - Duration::minutes(1));
        with_pool!(db, pool => {
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(stamp(now))
            .bind(hash)
            .bind(a_minute_ago)
            .execute(pool)
            .await?;
        });
    }
    Ok(row.map(|(subject, role, scope)| Caller { token_id: hash[..16].to_string(), subject, role, scope }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_days_or_hours_and_bounded() {
        assert_eq!(parse_lifetime("90d").unwrap(), Duration::days(90));
        assert_eq!(parse_lifetime("12h").unwrap(), Duration::hours(12));
        for bad in ["", "d", "90", "0d", "-1d", "90w", "3651d"] {
            assert!(parse_lifetime(bad).is_err(), "{bad}");
        }
        assert_eq!(default_lifetime("secretariat"), Duration::days(90));
        assert_eq!(default_lifetime("donor"), Duration::days(365));
    }
}
