//! The bearer check: who is calling, from `Authorization: Bearer <token>` (the scheme in
//! any case). Tokens themselves ([`crate::tokens`]) bind a subject to a role and, for
//! donors and focal points, a scope; they expire and can be revoked. Writes need the
//! `secretariat` role; reads are open except where a scope applies (a donor's trail), but
//! a token presented must be valid: unknown, expired and revoked tokens get 401.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use super::AppState;

pub use crate::tokens::Caller;

/// A caller that must hold the `secretariat` role (401 without a valid token, 403 otherwise).
#[derive(Debug, Clone)]
pub struct Secretariat(pub Caller);

/// An optional caller: anonymous reads are allowed, but a bad token is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

/// A caller already resolved for this request (by the access log's layer), so the token
/// is looked up once.
#[derive(Debug, Clone)]
pub struct Resolved(pub Caller);

async fn caller_from(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    if let Some(Resolved(caller)) = parts.extensions.get::<Resolved>() {
        return Ok(Some(caller.clone()));
    }
    bearer_caller(&parts.headers, state).await
}

/// The caller the `Authorization` header names: `None` without one, 401 for a malformed,
/// unknown, expired or revoked token.
pub async fn bearer_caller(headers: &axum::http::HeaderMap, state: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value
        .to_str()
        .ok()
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .and_then(|v| v.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized)?;
    let caller = crate::tokens::lookup(&state.db, token, !state.is_read_only()).await.map_err(ApiError::Internal)?;
    caller.map(Some).ok_or(ApiError::Unauthorized)
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

impl MaybeCaller {
    /// Who is reading, for the visibility rule ([`domain::visibility::Reader`]): anonymous
    /// callers read as the public.
    pub fn reader(&self) -> domain::visibility::Reader {
        self.0.as_ref().map_or(domain::visibility::Reader::PUBLIC, Caller::reader)
    }
}

/// The reader an optional caller reads as.
pub fn reader_of(caller: Option<&Caller>) -> domain::visibility::Reader {
    caller.map_or(domain::visibility::Reader::PUBLIC, Caller::reader)
}
