//! `GET /api/v1/dossiers/{subject}`: a subject's events with inclusion proofs against one
//! signed checkpoint, as JSON (verifiable offline) or rendered as Markdown.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{Caller, MaybeCaller};
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

/// The dossier of `subject` built for `caller` (or the public), after the scope check of a
/// contribution's dossier: what `GET /api/v1/dossiers/{subject}` serves, and what the
/// printable page `/dossiers/{subject}` shows.
pub async fn dossier_for(state: &AppState, caller: Option<&Caller>, subject: &str) -> Result<Dossier, ApiError> {
    super::programme::check_dossier_scope(state, caller, subject).await?;
    let reader = super::auth::reader_of(caller);
    build(&state.db, subject, &state.public_key, &reader).await.map_err(|e| match e {
        DossierError::BadSubject => ApiError::BadRequest(e.to_string()),
        DossierError::NotFound(_) => ApiError::NotFound(e.to_string()),
        DossierError::Other(e) => ApiError::Internal(e),
    })
}
