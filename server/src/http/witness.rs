//! Witness cosignatures: trusted witnesses post C2SP cosignatures of checkpoints they
//! checked for consistency; the server stores them and serves them with the checkpoint.
//!
//! Which witnesses are trusted and how many must cosign is configuration
//! (`serve --witness KEY --witness-quorum N`). A cosignature from an unknown key is refused.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ledger_format::cosignature::{checkpoint_body, WitnessVerifier};
use ledger_store::{with_pool, Db};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::{AppJson, AppPath, AppState};

/// The trusted witnesses and how many must cosign a checkpoint.
#[derive(Debug, Clone, Default)]
pub struct WitnessPolicy {
    pub witnesses: Vec<WitnessVerifier>,
    pub quorum: usize,
}

impl WitnessPolicy {
    /// Reads witness public keys; the quorum defaults to 1 when witnesses are configured.
    pub fn new(keys: &[String], quorum: Option<usize>) -> anyhow::Result<Self> {
        let witnesses = keys
            .iter()
            .map(|k| WitnessVerifier::from_public_key(k).map_err(|e| anyhow::anyhow!("witness key {k:?}: {e}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let quorum = quorum.unwrap_or(usize::from(!witnesses.is_empty()));
        anyhow::ensure!(
            quorum <= witnesses.len(),
            "the witness quorum {quorum} exceeds the {} witnesses configured",
            witnesses.len()
        );
        Ok(Self { witnesses, quorum })
    }
}

/// A cosignature line as a witness sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cosignature {
    /// `— <witness name> <base64(key id ‖ timestamp ‖ signature)>`
    pub signature: String,
}

async fn store(db: &Db, tree_size: i64, witness: &str, line: &str, signed_at: u64) -> Result<bool, ApiError> {
    let received_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let inserted = with_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO cosignatures (tree_size, witness, signature_line, signed_at, received_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tree_size, witness) DO NOTHING",
        )
        .bind(tree_size)
        .bind(witness)
        .bind(line)
        .bind(i64::try_from(signed_at).unwrap_or(i64::MAX))
        .bind(received_at)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(inserted == 1)
}

/// Adds a trusted witness's cosignature to a checkpoint.
#[utoipa::path(post, path = "/api/v1/ledger/checkpoints/{tree_size}/cosignatures", tag = "ledger", request_body = Cosignature,
    params(("tree_size" = i64, Path, description = "the checkpoint's tree size")),
    responses((status = 201, description = "stored", body = StoredCosignature), (status = 200, description = "already stored", body = StoredCosignature),
        (status = 403, description = "not a trusted witness"), (status = 404, description = "no such checkpoint"),
        (status = 422, description = "cosignature_invalid")))]
pub async fn add_cosignature(
    State(state): State<AppState>,
    AppPath(tree_size): AppPath<i64>,
    AppJson(body): AppJson<Cosignature>,
) -> Result<(StatusCode, Json<StoredCosignature>), ApiError> {
    let checkpoint = state
        .reads
        .checkpoint_of_size(tree_size)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no signed checkpoint has tree size {tree_size}")))?;
    let line = body.signature.trim_end_matches('\n');
    let name = line.strip_prefix("— ").and_then(|rest| rest.split(' ').next()).unwrap_or_default();
    let witness = state
        .witnesses
        .witnesses
        .iter()
        .find(|w| w.name() == name)
        .ok_or_else(|| ApiError::Forbidden(format!("{name:?} is not a trusted witness of this ledger")))?;
    let text =
        checkpoint_body(&checkpoint.note).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored checkpoint: {e}")))?;
    let signed_at = witness
        .verify(text, line)
        .map_err(|e| ApiError::Refused { rule: "cosignature_invalid", message: e.to_string() })?;
    let created = store(&state.db, tree_size, name, line, signed_at).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(StoredCosignature { tree_size, witness: name.to_string(), signed_at, stored: created })))
}

/// The answer to a cosignature.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct StoredCosignature {
    pub tree_size: i64,
    /// The witness's name, from the signature line.
    pub witness: String,
    /// When the witness signed (seconds since the Unix epoch).
    pub signed_at: u64,
    /// True if stored now, false if it was already stored.
    pub stored: bool,
}
