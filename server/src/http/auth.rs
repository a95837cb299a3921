//! Bearer tokens: random secrets handed out once, stored only as SHA-256.
//!
//! A token binds a subject (who) to a role and, for donors and focal points, a scope (the
//! donor organisation or the country it speaks for). Writes need the `secretariat` role;
//! reads are open except where a scope applies (a donor's trail), but a token presented
//! must be valid.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use ledger_store::{with_pool, Db};
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest as _, Sha256};

use super::error::ApiError;
use super::AppState;

/// Roles a token can carry.
pub const ROLES: &[&str] =
    &["secretariat", "chair", "gcg_member", "focal_point", "monitoring_wg", "auditor", "donor", "public"];

/// Who is calling, from a valid token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: String,
    pub role: String,
    /// The donor (role `donor`) or country (role `focal_point`) the token speaks for.
    pub scope: Option<String>,
}

/// Roles whose tokens must carry a scope.
pub const SCOPED_ROLES: &[&str] = &["donor", "focal_point"];

/// A caller that must hold the `secretariat` role (401 without a valid token, 403 otherwise).
#[derive(Debug, Clone)]
pub struct Secretariat(pub Caller);

/// An optional caller: anonymous reads are allowed, but a bad token is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token for `subject` with `role` (and `scope` for donors and focal points);
/// returns the secret (shown once).
pub async fn create_token(db: &Db, role: &str, subject: &str, scope: Option<&str>) -> anyhow::Result<String> {
    anyhow::ensure!(ROLES.contains(&role), "unknown role {role:?}; roles are {}", ROLES.join(", "));
    anyhow::ensure!(!subject.trim().is_empty(), "the subject must not be empty");
    let scope = scope.map(str::trim).filter(|s| !s.is_empty());
    anyhow::ensure!(
        SCOPED_ROLES.contains(&role) == scope.is_some(),
        "a {role} token {} a --scope (the donor or country it speaks for)",
        if SCOPED_ROLES.contains(&role) { "needs" } else { "takes no" }
    );
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let token = format!("a87_{}", hex::encode(secret));
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    with_pool!(db, pool => {
        sqlx::query("INSERT INTO api_tokens (token_hash, role, subject, created_at, scope) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(role)
            .bind(subject)
            .bind(created_at)
            .bind(scope)
            .execute(pool)
            .await?;
    });
    Ok(token)
}

async fn lookup(db: &Db, token: &str) -> Result<Option<Caller>, ApiError> {
    let row: Option<(String, String, Option<String>)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT subject, role, scope FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(subject, role, scope)| Caller { subject, role, scope }))
}

async fn caller_from(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value
        .to_str()
        .ok()
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .and_then(|v| v.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized)?;
    lookup(&state.commands.db, token).await?.map(Some).ok_or(ApiError::Unauthorized)
}

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(caller_from(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for Secretariat {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = caller_from(parts, state).await?.ok_or(ApiError::Unauthorized)?;
        if caller.role != "secretariat" {
            return Err(ApiError::Forbidden(format!("the {} role may not record governance actions", caller.role)));
        }
        Ok(Secretariat(caller))
    }
}
