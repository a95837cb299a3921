//! The Secretariat's token administration: list, create and revoke API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Secretariat;
use super::error::ApiError;
use super::{AppJson, AppPath, AppState};
use crate::tokens::{self, Created, TokenRecord};

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// secretariat, chair, gcg_member, focal_point, monitoring_wg, auditor, donor or public.
    pub role: String,
    /// Who the token belongs to (recorded as the actor of every write).
    pub subject: String,
    /// For donor and focal_point tokens: the donor or the country it speaks for.
    pub scope: Option<String>,
    /// e.g. `90d` or `12h`; the role's default when omitted (secretariat 90d, auditor 180d,
    /// others 365d).
    pub expires_in: Option<String>,
}

/// A token as listed, with its status now.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ListedToken {
    #[serde(flatten)]
    pub record: TokenRecord,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
}

/// Every token (never a secret), newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, description = "every token with its status", body = Vec<ListedToken>),
        (status = 401, description = "no valid token"), (status = 403, description = "not the secretariat")))]
pub async fn list(State(state): State<AppState>, _caller: Secretariat) -> Result<Json<Vec<ListedToken>>, ApiError> {
    let records = tokens::list(&state.db).await.map_err(ApiError::Internal)?;
    Ok(Json(records.into_iter().map(|record| ListedToken { status: record.status(), record }).collect()))
}

/// Creates a token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateToken, security(("bearer" = [])),
    responses((status = 201, description = "the token, shown once", body = Created),
        (status = 400, description = "unknown role, missing or unexpected scope, bad lifetime"),
        (status = 401, description = "no valid token"), (status = 403, description = "not the secretariat")))]
pub async fn create(
    State(state): State<AppState>,
    _caller: Secretariat,
    AppJson(body): AppJson<CreateToken>,
) -> Result<Response, ApiError> {
    let lifetime = body
        .expires_in
        .as_deref()
        .map(tokens::parse_lifetime)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("expires_in: {e}")))?;
    let scope = body.scope.as_deref();
    let created = tokens::create(&state.db, &body.role, &body.subject, scope, lifetime)
        .await
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Revokes a token: it is refused from the next request on.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path, description = "the token's id (16 hex digits)")),
    responses((status = 200, description = "the revoked token", body = ListedToken),
        (status = 400, description = "not a token id"), (status = 404, description = "no such token"),
        (status = 401, description = "no valid token"), (status = 403, description = "not the secretariat")))]
pub async fn revoke(
    State(state): State<AppState>,
    _caller: Secretariat,
    AppPath(id): AppPath<String>,
) -> Result<Json<ListedToken>, ApiError> {
    let record = tokens::revoke(&state.db, &id)
        .await
        .map_err(|e| ApiError::BadRequest(e.to_string()))?
        .ok_or_else(|| ApiError::NotFound(format!("no token has the id {id}")))?;
    Ok(Json(ListedToken { status: record.status(), record }))
}

/// `?from=ID&limit=N` on the access log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    /// The first entry id to list (default 0).
    pub from: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// The access log: every read by a donor or auditor token (who, what, when, the status),
/// oldest first. Only the Secretariat reads it.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "tokens", params(AccessQuery), security(("bearer" = [])),
    responses((status = 200, description = "logged reads in id order", body = Vec<crate::access_log::Access>),
        (status = 400, description = "bad from or limit"),
        (status = 401, description = "no valid token"), (status = 403, description = "not the secretariat")))]
pub async fn access_log(
    State(state): State<AppState>,
    _caller: Secretariat,
    super::AppQuery(query): super::AppQuery<AccessQuery>,
) -> Result<Json<Vec<crate::access_log::Access>>, ApiError> {
    let from = query.from.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    if from < 0 || !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("from must be ≥ 0 and limit between 1 and 1000".into()));
    }
    Ok(Json(crate::access_log::list(&state.db, from, limit).await.map_err(ApiError::Internal)?))
}
