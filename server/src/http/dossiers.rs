//! `GET /api/v1/dossiers/{subject}`: a subject's events with inclusion proofs against one
//! signed checkpoint, as JSON (verifiable offline) or rendered as Markdown.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::{Caller, MaybeCaller};
use super::documents::{download_url, CitingEvent};
use super::error::ApiError;
use super::{AppPath, AppQuery, AppState};
use crate::dossier::{build, DossierError};
use ledger_format::dossier::Dossier;

/// How to render the dossier.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DossierQuery {
    /// `json` (default, for verification) or `markdown` (for reading).
    pub format: Option<String>,
}

/// The accountability dossier of a subject, e.g. `meeting:GCG-21` or `decision:GCG-19-D04`.
#[utoipa::path(get, path = "/api/v1/dossiers/{subject}", tag = "ledger", params(("subject" = String, Path, description = "e.g. meeting:GCG-21"), DossierQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "the dossier (docs/LEDGER-FORMAT.md, Dossiers), or its Markdown rendering \
        with `format=markdown`", content((ledger_format::dossier::Dossier = "application/json"), (String = "text/markdown"))),
        (status = 400, description = "malformed subject"), (status = 404, description = "nothing recorded about the subject")))]
pub async fn get_dossier(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    AppPath(subject): AppPath<String>,
    AppQuery(query): AppQuery<DossierQuery>,
) -> Result<Response, ApiError> {
    let dossier = dossier_for(&state, caller.as_ref(), &subject).await?;
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(axum::Json(dossier).into_response()),
        "markdown" => Ok((
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            ledger_format::dossier::render_markdown(&dossier),
        )
            .into_response()),
        other => Err(ApiError::BadRequest(format!("format {other:?} is not json or markdown"))),
    }
}

fn dossier_error(e: DossierError) -> ApiError {
    match e {
        DossierError::BadSubject => ApiError::BadRequest(e.to_string()),
        DossierError::NotFound(_) => ApiError::NotFound(e.to_string()),
        DossierError::Other(e) => ApiError::Internal(e),
    }
}

/// A document a dossier's records cite.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierDocument {
    /// The SHA-256 the records cite.
    pub sha256: String,
    /// Whether the ledger stores the document (`POST /api/v1/documents`).
    pub stored: bool,
    /// Where to download it (re-hashed when served); `null` when it is not stored.
    pub url: Option<String>,
    /// The stored document's media type, size and original file name.
    pub media_type: Option<String>,
    pub size: Option<i64>,
    pub file_name: Option<String>,
    /// The dossier's events that cite it, with the fields the hash is in.
    pub cited_by: Vec<CitingEvent>,
}

/// The documents a dossier's records cite.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierDocuments {
    pub subject: String,
    /// The tree size of the checkpoint the dossier is built against.
    pub tree_size: u64,
    /// In the order first cited.
    pub documents: Vec<DossierDocument>,
}

/// Every document hash the records of a subject's dossier cite (the dossier as the reader
/// gets it: redacted records cite nothing), each with whether it is stored.
#[utoipa::path(get, path = "/api/v1/dossiers/{subject}/documents", tag = "ledger",
    params(("subject" = String, Path, description = "e.g. meeting:GCG-21")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "the SHA-256 values under `*sha256` and `*_hash` keys of the dossier's \
        payloads and metadata, each with whether the document is stored and its download URL", body = DossierDocuments),
        (status = 400, description = "malformed subject"), (status = 404, description = "nothing recorded about the subject")))]
pub async fn get_dossier_documents(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    AppPath(subject): AppPath<String>,
) -> Result<Response, ApiError> {
    let dossier = dossier_for(&state, caller.as_ref(), &subject).await?;
    let tree_size = dossier.checkpoint.lines().nth(1).and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut documents = Vec::new();
    for cited in crate::dossier::cited_documents(&dossier) {
        let record = ledger_store::documents::record(&state.db, &cited.sha256).await?;
        documents.push(DossierDocument {
            stored: record.is_some(),
            url: record.as_ref().map(|_| download_url(&cited.sha256)),
            media_type: record.as_ref().map(|r| r.media_type.clone()),
            size: record.as_ref().map(|r| r.size),
            file_name: record.and_then(|r| r.file_name),
            sha256: cited.sha256,
            cited_by: cited.cited_by,
        });
    }
    Ok(axum::Json(DossierDocuments { subject, tree_size, documents }).into_response())
}

/// The dossier of `subject` built for `caller` (or the public), after the scope check of a
/// contribution's dossier: what `GET /api/v1/dossiers/{subject}` serves, and what the
/// printable page `/dossiers/{subject}` shows.
pub async fn dossier_for(state: &AppState, caller: Option<&Caller>, subject: &str) -> Result<Dossier, ApiError> {
    super::programme::check_dossier_scope(state, caller, subject).await?;
    let reader = super::auth::reader_of(caller);
    build(&state.db, subject, &state.public_key, &reader).await.map_err(dossier_error)
}
