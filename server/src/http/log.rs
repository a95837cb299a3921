//! The transparency log's reads (the signed checkpoints, inclusion and consistency proofs,
//! the public key, the audit history), and the operator's: health, readiness and
//! Prometheus metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use projections::lens::ShownEntry;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::IntoParams;

use super::auth::MaybeCaller;
use super::error::ApiError;
use super::{AppQuery, AppState, Mode};
use domain::visibility::Reader;

/// Paging through the audit history, and narrowing it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// First ledger position to return (default 0).
    pub from: Option<i64>,
    /// Only positions before this one (to page newest first: the last position seen).
    pub before: Option<i64>,
    /// At most this many rows (default 100, at most 1000).
    pub limit: Option<i64>,
    /// `asc` (ledger order, the default) or `desc` (newest first).
    pub order: Option<String>,
    /// Only events of this aggregate type (`meeting`, `decision`, `body`, `pfc`, …).
    pub aggregate_type: Option<String>,
    /// Only events of this aggregate (with `aggregate_type`).
    pub aggregate_id: Option<String>,
    /// Only events recorded by this actor (a token's subject).
    pub actor: Option<String>,
    /// Only events recorded in this role (e.g. `secretariat`).
    pub role: Option<String>,
    /// Only events of this type (e.g. `MeetingAttendanceRecorded`).
    pub event_type: Option<String>,
    /// Only events that happened on or after this date (`YYYY-MM-DD`).
    pub occurred_from: Option<chrono::NaiveDate>,
    /// Only events that happened on or before this date (`YYYY-MM-DD`).
    pub occurred_to: Option<chrono::NaiveDate>,
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// Which checkpoint to serve.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckpointQuery {
    /// Serve the latest checkpoint cosigned by the configured quorum of witnesses.
    pub witnessed: Option<bool>,
}

/// The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), with the witness
/// cosignature lines it has; `Ledger-Cosignatures` says how many of the quorum.
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "ledger", params(CheckpointQuery),
    responses((status = 200, description = "signed note with cosignatures", content_type = "text/plain", body = String),
        (status = 404, description = "nothing sealed (or witnessed) yet")))]
pub async fn checkpoint(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<CheckpointQuery>,
) -> Result<Response, ApiError> {
    let signed = latest_signed(&state, query.witnessed.unwrap_or(false))
        .await?
        .ok_or_else(|| ApiError::NotFound("no checkpoint has been signed (or witnessed) yet".into()))?;
    let mut note = signed.row.note;
    for (_, line) in &signed.cosignatures {
        note.push_str(line);
        note.push('\n');
    }
    let mut response = text(note);
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("{}/{}", signed.cosignatures.len(), signed.quorum)) {
        response.headers_mut().insert("ledger-cosignatures", value);
    }
    Ok(response)
}

/// A signed checkpoint with the witness cosignatures that verify under a key trusted now.
#[derive(Debug, Clone)]
pub struct SignedCheckpoint {
    pub row: projections::read::CheckpointRow,
    /// `(witness name, cosignature line)`, each verified over the checkpoint's body.
    pub cosignatures: Vec<(String, String)>,
    /// How many cosignatures the configured witnesses' quorum needs (0: no witnesses).
    pub quorum: usize,
}

/// The latest signed checkpoint (or the latest the quorum has cosigned), with its verified
/// cosignatures: the one read behind `GET /api/v1/ledger/checkpoint` and the home page.
pub async fn latest_signed(state: &AppState, witnessed: bool) -> Result<Option<SignedCheckpoint>, ApiError> {
    let quorum = state.witnesses.quorum;
    let trusted: Vec<String> = state.witnesses.witnesses.iter().map(|w| w.name().to_string()).collect();
    let latest = if witnessed {
        state.reads.latest_witnessed(i64::try_from(quorum.max(1)).unwrap_or(i64::MAX), &trusted).await?
    } else {
        state.reads.latest_checkpoint().await?
    };
    let Some(row) = latest else { return Ok(None) };
    // Serve only cosignatures that verify with a witness key trusted now.
    let body = ledger_format::cosignature::checkpoint_body(&row.note)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let cosignatures: Vec<(String, String)> = state
        .reads
        .cosignatures(row.tree_size)
        .await?
        .into_iter()
        .filter(|(name, line)| {
            state.witnesses.witnesses.iter().any(|w| w.name() == name && w.verify(body, line).is_ok())
        })
        .collect();
    Ok(Some(SignedCheckpoint { row, cosignatures, quorum }))
}

/// The ledger's signing keys over time: the key that signs now and every handover from one
/// key to the next (docs/LEDGER-FORMAT.md §8.4).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyHistoryDocument {
    /// The key that signs now (the same as `/api/v1/ledger/public-key`).
    pub public_key: String,
    /// The handovers, oldest first; empty when the key was never rotated.
    pub key_history: Vec<RecordedHandover>,
}

/// One handover and the ledger position of the event that records it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordedHandover {
    #[serde(flatten)]
    pub handover: ledger_format::Handover,
    /// The position of its `KeyRotated` event (`from_position − 1`); none while unsealed.
    pub position: Option<i64>,
}

/// The key history: pin any key of it, and every checkpoint and event signature, before
/// and after each rotation, verifies.
#[utoipa::path(get, path = "/api/v1/ledger/keys", tag = "ledger",
    responses((status = 200, description = "the key history", body = KeyHistoryDocument),
        (status = 503, description = "database unavailable", body = super::error::Problem, content_type = "application/problem+json")))]
pub async fn keys(State(state): State<AppState>) -> Result<Json<KeyHistoryDocument>, ApiError> {
    let recorded = ledger_store::keys::recorded_handovers(&state.db).await.map_err(ApiError::Internal)?;
    Ok(Json(KeyHistoryDocument {
        public_key: state.public_key.to_string(),
        key_history: recorded
            .into_iter()
            .map(|r| RecordedHandover { handover: r.handover, position: r.position })
            .collect(),
    }))
}

/// The ledger's public key (C2SP signed-note verifier key).
#[utoipa::path(get, path = "/api/v1/ledger/public-key", tag = "ledger",
    responses((status = 200, description = "public key", content_type = "text/plain", body = String)))]
pub async fn public_key(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.public_key))
}

/// The audit history of the whole ledger in position order (or newest first), optionally
/// narrowed by aggregate, actor, event type and business dates, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/audit", tag = "ledger", params(AuditQuery), security((), ("bearer" = [])),
    responses((status = 200, description = "audit rows", body = Vec<projections::lens::ShownEntry>), (status = 400, description = "bad query")))]
pub async fn audit(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Json<Vec<ShownEntry>>, ApiError> {
    Ok(Json(audit_rows(&state, &caller.reader(), query).await?))
}

/// The audit rows a query asks for: the one read behind `GET /api/v1/audit` and the
/// timeline page. Empty text conditions count as absent.
pub async fn audit_rows(state: &AppState, reader: &Reader, query: AuditQuery) -> Result<Vec<ShownEntry>, ApiError> {
    let from = query.from.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    if from < 0 || !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("from must be ≥ 0 and limit between 1 and 1000".into()));
    }
    let newest_first = match query.order.as_deref() {
        None | Some("" | "asc") => false,
        Some("desc") => true,
        Some(other) => return Err(ApiError::BadRequest(format!("order must be asc or desc, not {other:?}"))),
    };
    if query.occurred_from.zip(query.occurred_to).is_some_and(|(from, to)| from > to) {
        return Err(ApiError::BadRequest("occurred_from must not be after occurred_to".into()));
    }
    let given = |text: Option<String>| text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if query.aggregate_id.as_deref().is_some_and(|id| !id.trim().is_empty())
        && given(query.aggregate_type.clone()).is_none()
    {
        return Err(ApiError::BadRequest("aggregate_id needs aggregate_type".into()));
    }
    let filter = projections::read::AuditFilter {
        from_position: Some(from),
        before_position: query.before,
        aggregate_type: given(query.aggregate_type),
        aggregate_id: given(query.aggregate_id),
        actor: given(query.actor),
        role: given(query.role),
        event_type: given(query.event_type),
        occurred_from: query.occurred_from,
        occurred_to: query.occurred_to,
        newest_first,
        limit,
    };
    Ok(state.reads.audit_where(&filter, reader).await?)
}

/// Liveness, with the ledger's counters and the projection lag. It answers 200 while the
/// process serves, database or not: without the database the counters are `null` and
/// `database` says `unavailable` (readiness is `/ready`).
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, description = "counters", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    let stats = match tokio::time::timeout(std::time::Duration::from_secs(1), state.reads.stats()).await {
        Ok(Ok(stats)) => stats,
        _ => {
            return Json(Health {
                status: "ok",
                database: "unavailable",
                events: None,
                ledger_size: None,
                awaiting_seal: None,
                projected_up_to: None,
                projection_lag: None,
            })
        }
    };
    Json(Health {
        status: "ok",
        database: "ok",
        events: Some(stats.events),
        ledger_size: Some(stats.ledger_size),
        awaiting_seal: Some(stats.awaiting_seal),
        projected_up_to: Some(stats.projected_up_to),
        projection_lag: Some(stats.ledger_size - stats.projected_up_to),
    })
}

/// What `/health` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`: the process serves.
    #[schema(value_type = String)]
    pub status: &'static str,
    /// `ok`, or `unavailable` when the database did not answer within a second.
    #[schema(value_type = String)]
    pub database: &'static str,
    /// Events stored (`null` without the database).
    pub events: Option<i64>,
    /// Events sealed into the Merkle tree (`null` without the database).
    pub ledger_size: Option<i64>,
    /// Committed events not yet sealed (absent without the database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awaiting_seal: Option<i64>,
    /// The position up to which the views have applied the ledger (absent without the database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_up_to: Option<i64>,
    /// Sealed events not yet applied to the views (absent without the database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection_lag: Option<i64>,
}

/// What `/ready` answers on a read-only replica.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// Always `ready`.
    #[schema(value_type = String)]
    pub status: &'static str,
    /// Always `read_only`.
    #[schema(value_type = String)]
    pub mode: &'static str,
    /// The primary that takes commands, when the replica was told it.
    pub primary: Option<String>,
    /// The database's replication state (`null` on SQLite).
    pub replication: Option<ledger_store::db::ReplicaStatus>,
}

/// Readiness: the database answers (503 within a second when it does not). A writable
/// server answers 200 with no body. A read-only replica answers 200 with its state: `mode`
/// `read_only`, the `primary` commands go to, and the database's replication state
/// (`in_recovery`, `last_replayed_at`, `replay_lag_seconds`, `replay_caught_up`).
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, description = "ready. A server that records commands answers with no body; a read-only \
        replica with its state as JSON (`#/components/schemas/Readiness`): OpenAPI cannot say both of one status"),
        (status = 503, description = "database unavailable")))]
pub async fn ready(State(state): State<AppState>) -> Result<Response, ApiError> {
    let second = std::time::Duration::from_secs(1);
    let primary = match &state.mode {
        Mode::Writable(_) => {
            // Within a second, whatever the pool is doing.
            return match tokio::time::timeout(second, state.db.ping()).await {
                Ok(Ok(())) => Ok(StatusCode::OK.into_response()),
                _ => Err(ApiError::Unavailable),
            };
        }
        Mode::ReadOnly { primary } => primary.clone(),
    };
    let status = match tokio::time::timeout(second, state.db.replica_status()).await {
        Ok(Ok(status)) => status,
        _ => return Err(ApiError::Unavailable),
    };
    Ok(Json(Readiness {
        status: "ready",
        mode: "read_only",
        primary: primary.as_deref().map(str::to_string),
        replication: status,
    })
    .into_response())
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    use crate::metrics::gauge;
    let mut out = String::new();
    crate::metrics::render_counters(&mut out);
    let db = &state.db;
    let (size, idle, max) = db.pool_use();
    gauge(
        &mut out,
        "ledger_db_pool_connections",
        "Database connections open, by state.",
        &[("state=\"in_use\"", f64::from(size.saturating_sub(idle))), ("state=\"idle\"", f64::from(idle))],
    );
    gauge(&mut out, "ledger_db_pool_max_connections", "The database pool's size.", &[("", f64::from(max))]);
    let s = state.reads.stats().await?;
    gauge(&mut out, "ledger_events", "Events stored.", &[("", s.events as f64)]);
    gauge(&mut out, "ledger_tree_size", "Events sealed into the Merkle tree.", &[("", s.ledger_size as f64)]);
    gauge(
        &mut out,
        "ledger_awaiting_seal",
        "Committed events not yet sealed (the sealer's lag in events).",
        &[("", s.awaiting_seal as f64)],
    );
    let oldest = state.reads.oldest_unsealed_recorded_at().await?;
    let lag_seconds = oldest
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
        .map_or(0.0, |at| (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0);
    gauge(
        &mut out,
        "ledger_sealer_lag_seconds",
        "Age of the oldest committed event not yet sealed (0 when none).",
        &[("", lag_seconds.max(0.0))],
    );
    let projectors = state.reads.projector_positions().await?;
    let lags: Vec<(String, f64)> = projectors
        .iter()
        .map(|(name, next)| (format!("projector=\"{name}\""), (s.ledger_size - next).max(0) as f64))
        .collect();
    let lags: Vec<(&str, f64)> = lags.iter().map(|(l, v)| (l.as_str(), *v)).collect();
    gauge(&mut out, "ledger_projection_lag", "Sealed events not yet projected, by projector.", &lags);
    let latest = state.reads.latest_checkpoint().await?;
    let (checkpoint_size, checkpoint_age, cosigned) = match &latest {
        Some(cp) => {
            let age = chrono::DateTime::parse_from_rfc3339(&cp.created_at).map_or(0.0, |at| {
                (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0
            });
            let cosignatures = state.reads.cosignatures(cp.tree_size).await?.len();
            (cp.tree_size as f64, age.max(0.0), cosignatures as f64)
        }
        None => (0.0, 0.0, 0.0),
    };
    gauge(&mut out, "ledger_checkpoint_size", "Tree size of the latest signed checkpoint.", &[("", checkpoint_size)]);
    gauge(&mut out, "ledger_checkpoint_age_seconds", "Age of the latest signed checkpoint.", &[("", checkpoint_age)]);
    gauge(
        &mut out,
        "ledger_checkpoint_cosignatures",
        "Witness cosignatures of the latest checkpoint.",
        &[("", cosigned)],
    );
    gauge(
        &mut out,
        "ledger_witness_quorum",
        "Cosignatures a checkpoint needs to count as witnessed (0: no witnesses).",
        &[("", state.witnesses.quorum as f64)],
    );
    let read_only = state.is_read_only();
    gauge(
        &mut out,
        "ledger_read_only",
        "1 on a read-only replica, which records nothing; 0 on a server that records commands.",
        &[("", if read_only { 1.0 } else { 0.0 })],
    );
    if read_only {
        if let Some(lag) = state.db.replica_status().await?.and_then(|s| s.replay_lag_seconds) {
            gauge(
                &mut out,
                "ledger_replica_replay_lag_seconds",
                "Seconds since the primary committed the last transaction this replica replayed.",
                &[("", lag.max(0.0))],
            );
        }
    }
    let mut response = text(out);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    Ok(response)
}

/// Which inclusion proof: by position, or by event; against which checkpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The event's ledger position (or give aggregate_type, aggregate_id and sequence).
    pub position: Option<u64>,
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub sequence: Option<i64>,
    /// The size of a signed checkpoint to prove against (default: the latest).
    pub tree_size: Option<u64>,
}

/// Which consistency proof.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size (default: the latest checkpoint's).
    pub to: Option<u64>,
}

/// Paging through checkpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckpointsQuery {
    /// Smallest tree size to return (default 0).
    pub from_size: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

fn proof_error(error: ledger_store::proofs::ProofError) -> ApiError {
    match error {
        ledger_store::proofs::ProofError::OutOfRange(m) => ApiError::BadRequest(m),
        ledger_store::proofs::ProofError::Database(e) => ApiError::Internal(e.into()),
        other => ApiError::Internal(anyhow::anyhow!("{other}")),
    }
}

/// The signed checkpoint of `tree_size`, or the latest.
async fn checkpoint_for(
    state: &AppState,
    tree_size: Option<u64>,
) -> Result<projections::read::CheckpointRow, ApiError> {
    let row = match tree_size {
        Some(size) => state.reads.checkpoint_of_size(i64::try_from(size).unwrap_or(i64::MAX)).await?,
        None => state.reads.latest_checkpoint().await?,
    };
    row.ok_or_else(|| match tree_size {
        Some(size) => ApiError::NotFound(format!(
            "no signed checkpoint has tree size {size}; pick one from /api/v1/ledger/checkpoints"
        )),
        None => ApiError::NotFound("no checkpoint has been signed yet".into()),
    })
}

/// Builds the inclusion proof of a position against a checkpoint.
pub async fn inclusion_against(
    state: &AppState,
    position: u64,
    checkpoint: &projections::read::CheckpointRow,
) -> Result<Value, ApiError> {
    let size = u64::try_from(checkpoint.tree_size).unwrap_or(0);
    let mut proof = state.proofs.inclusion(position, size).await.map_err(proof_error)?;
    proof.checkpoint = checkpoint.note.clone();
    serde_json::to_value(&proof).map_err(|e| ApiError::Internal(e.into()))
}

/// An RFC 9162 inclusion proof: the leaf, its audit path and the signed checkpoint.
#[utoipa::path(get, path = "/api/v1/ledger/proofs/inclusion", tag = "ledger", params(InclusionQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "inclusion proof (docs/LEDGER-FORMAT.md)", body = ledger_format::proof::InclusionProof),
        (status = 400, description = "position or size out of range"), (status = 404, description = "no such event or checkpoint")))]
pub async fn inclusion_proof(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    AppQuery(query): AppQuery<InclusionQuery>,
) -> Result<Json<Value>, ApiError> {
    let position = match (query.position, &query.aggregate_type, &query.aggregate_id, query.sequence) {
        (Some(p), None, None, None) => p,
        (None, Some(t), Some(id), Some(seq)) => {
            // A contribution's id is confidential: looking it up is reading it.
            super::programme::check_dossier_scope(&state, caller.as_ref(), &format!("{t}:{id}")).await?;
            state.proofs.position_of(t, id, seq).await.map_err(proof_error)?.ok_or_else(|| {
                ApiError::NotFound(format!("{t} {id} sequence {seq} is not sealed (or does not exist)"))
            })?
        }
        _ => {
            return Err(ApiError::BadRequest(
                "give either position, or aggregate_type, aggregate_id and sequence".into(),
            ))
        }
    };
    let checkpoint = checkpoint_for(&state, query.tree_size).await?;
    Ok(Json(inclusion_against(&state, position, &checkpoint).await?))
}

/// An RFC 9162 consistency proof between two tree sizes.
#[utoipa::path(get, path = "/api/v1/ledger/proofs/consistency", tag = "ledger", params(ConsistencyQuery),
    responses((status = 200, description = "consistency proof (docs/LEDGER-FORMAT.md)", body = ledger_format::proof::ConsistencyProof),
        (status = 400, description = "sizes out of range")))]
pub async fn consistency_proof(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ConsistencyQuery>,
) -> Result<Json<Value>, ApiError> {
    let to = match query.to {
        Some(to) => to,
        None => u64::try_from(checkpoint_for(&state, None).await?.tree_size).unwrap_or(0),
    };
    let mut proof = state.proofs.consistency(query.from, to).await.map_err(proof_error)?;
    for (slot, size) in [(&mut proof.first_checkpoint, query.from), (&mut proof.second_checkpoint, to)] {
        *slot = state.reads.checkpoint_of_size(i64::try_from(size).unwrap_or(i64::MAX)).await?.map(|r| r.note);
    }
    Ok(Json(serde_json::to_value(&proof).map_err(|e| ApiError::Internal(e.into()))?))
}

/// Every signed checkpoint, oldest first.
#[utoipa::path(get, path = "/api/v1/ledger/checkpoints", tag = "ledger", params(CheckpointsQuery),
    responses((status = 200, description = "checkpoints with their signed notes", body = Vec<projections::read::CheckpointRow>)))]
pub async fn checkpoints(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<CheckpointsQuery>,
) -> Result<Json<Vec<projections::read::CheckpointRow>>, ApiError> {
    let from = query.from_size.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    if from < 0 || !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("from_size must be ≥ 0 and limit between 1 and 1000".into()));
    }
    Ok(Json(state.reads.checkpoints(from, limit).await?))
}
