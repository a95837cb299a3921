//! The log in the C2SP tlog-tiles layout, at the server's root: `/checkpoint` (the latest
//! signed checkpoint, a signed note) and `/tile/…` (hash tiles and entry tiles,
//! [`ledger_store::tiles`]). Full tiles never change, so they are cacheable for a year;
//! partial tiles and the checkpoint for a few seconds. `ledger export --tiles DIR` writes
//! the same files, for a static host or an object store.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ledger_store::tiles::{self, TileRef, WIDTH};

use super::error::ApiError;
use super::AppState;

/// The latest signed checkpoint, as a C2SP signed note.
#[utoipa::path(get, path = "/checkpoint", tag = "tiles",
    responses((status = 200, description = "the latest signed checkpoint (text/plain signed note)", body = String),
        (status = 404, description = "nothing sealed yet")))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let latest =
        state.reads.latest_checkpoint().await?.ok_or_else(|| ApiError::NotFound("no checkpoint yet".into()))?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=5")],
        latest.note,
    )
        .into_response())
}

/// A hash tile or an entries tile.
#[utoipa::path(get, path = "/tile/{path}", tag = "tiles",
    params(("path" = String, Path, description = "e.g. `0/000`, `1/000.p/2`, `entries/x001/234.p/17`")),
    responses((status = 200, description = "the tile's bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "not a tile path, or not in the tree yet")))]
pub async fn tile(State(state): State<AppState>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let tile = TileRef::parse(&path).ok_or_else(|| ApiError::NotFound(format!("tile/{path} is not a tile path")))?;
    let size = state.proofs.tree_size().await.map_err(|e| ApiError::Internal(e.into()))?;
    let data = tiles::read(&state.db, tile, size)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| ApiError::NotFound(format!("tile/{path} is not in the tree of size {size} yet")))?;
    let cache = if tile.width == WIDTH { "public, max-age=31536000, immutable" } else { "public, max-age=5" };
    Ok(([(header::CONTENT_TYPE, "application/octet-stream"), (header::CACHE_CONTROL, cache)], data).into_response())
}
