//! Ledger-level reads: the signed checkpoint, the public key, the audit history,
//! health, readiness and Prometheus metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use projections::read::HistoryEntry;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

use super::auth::MaybeCaller;
use super::error::ApiError;
use super::{AppQuery, AppState};

/// Paging through the audit history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// First ledger position to return (default 0).
    pub from: Option<i64>,
    /// At most this many rows (default 100, at most 1000).
    pub limit: Option<i64>,
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The latest signed checkpoint (C2SP tlog-checkpoint in a signed note).
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "ledger",
    responses((status = 200, description = "signed note", content_type = "text/plain", body = String),
        (status = 404, description = "nothing sealed yet")))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let latest = state.reads.latest_checkpoint().await?;
    let row = latest.ok_or_else(|| ApiError::NotFound("no checkpoint has been signed yet".into()))?;
    Ok(text(row.note))
}

/// The ledger's public key (C2SP signed-note verifier key).
#[utoipa::path(get, path = "/api/v1/ledger/public-key", tag = "ledger",
    responses((status = 200, description = "public key", content_type = "text/plain", body = String)))]
pub async fn public_key(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.ledger.signer.public_key()))
}

/// The audit history of the whole ledger in position order.
#[utoipa::path(get, path = "/api/v1/audit", tag = "ledger", params(AuditQuery),
    responses((status = 200, description = "audit rows", body = Vec<Object>)))]
pub async fn audit(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let from = query.from.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    if from < 0 || !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("from must be ≥ 0 and limit between 1 and 1000".into()));
    }
    Ok(Json(state.reads.audit(from, limit).await?))
}

/// Liveness, with the ledger's counters and the projection lag.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, description = "counters", body = Object)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let stats = state.reads.stats().await?;
    Ok(Json(json!({
        "status": "ok",
        "events": stats.events,
        "ledger_size": stats.ledger_size,
        "awaiting_seal": stats.awaiting_seal,
        "projected_up_to": stats.projected_up_to,
        "projection_lag": stats.ledger_size - stats.projected_up_to,
    })))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, description = "ready"), (status = 503, description = "database unavailable")))]
pub async fn ready(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    state.ledger.db.ping().await.map_err(|_| ApiError::Unavailable)?;
    Ok(StatusCode::OK)
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let s = state.reads.stats().await?;
    Ok(text(format!(
        "# HELP ledger_events Events stored.\n# TYPE ledger_events gauge\nledger_events {}\n\
         # HELP ledger_tree_size Events sealed into the Merkle tree.\n# TYPE ledger_tree_size gauge\nledger_tree_size {}\n\
         # HELP ledger_awaiting_seal Committed events not yet sealed.\n# TYPE ledger_awaiting_seal gauge\nledger_awaiting_seal {}\n\
         # HELP ledger_projection_lag Sealed events not yet projected.\n# TYPE ledger_projection_lag gauge\nledger_projection_lag {}\n",
        s.events,
        s.ledger_size,
        s.awaiting_seal,
        s.ledger_size - s.projected_up_to
    )))
}
