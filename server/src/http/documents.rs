//! Evidence documents (`/api/v1/documents`): the minutes, reports, roadmaps and agreements
//! the ledger's events cite by SHA-256, stored by that hash outside the append-only tables
//! ([`ledger_store::documents`]).
//!
//! * `POST /api/v1/documents` (Secretariat): the body is the document's bytes, its
//!   `Content-Type` one of [`documents::MEDIA_TYPES`] (415 otherwise), at most 10 MiB (413),
//!   not empty (400), with an optional `X-File-Name`. 201 with the record; the same bytes
//!   again are a 200 with the first record.
//! * `GET /api/v1/documents/{sha256}`: the bytes, re-hashed first: bytes that no longer hash
//!   to their name are never served (409 `document_altered`, logged and counted in
//!   `ledger_documents_altered_total`).
//! * `GET /api/v1/documents/{sha256}/meta`: the record and the events that cite the hash.
//!
//! Who may read a document follows who may read the events citing it
//! ([`readable_citations`]): anyone who may read one of them, and, for a document no event
//! cites yet, the Secretariat and auditors only.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use ledger_store::documents::{self, Content, DocumentRecord};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{reader_of, Caller, MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{encode, AppPath, AppState};

/// How much of a body larger than the limit is read (and dropped) before answering 413, so
/// that the client reads the answer instead of a reset connection.
const DRAIN_BYTES: usize = 4 * documents::MAX_BYTES;

/// The path a stored document is downloaded from.
pub fn download_url(sha256: &str) -> String {
    format!("/api/v1/documents/{sha256}")
}

/// A stored document: its record and where to download it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredDocument {
    #[serde(flatten)]
    pub record: DocumentRecord,
    /// `/api/v1/documents/{sha256}`.
    pub url: String,
}

/// An event that cites a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CitingEvent {
    /// The event's ledger position; `null` until it is sealed.
    pub position: Option<i64>,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    /// Where the hash is in the record, e.g. `payload.MinutesDrafted.doc_sha256` or
    /// `metadata.evidence[0].sha256`.
    pub fields: Vec<String>,
}

/// A stored document's record and the events that cite it, as the reader may read them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentMeta {
    #[serde(flatten)]
    pub record: DocumentRecord,
    /// `/api/v1/documents/{sha256}`.
    pub url: String,
    /// The events citing the hash that the reader may read, in ledger order (unsealed last).
    pub cited_by: Vec<CitingEvent>,
}

/// A path's `{sha256}`: 64 lowercase hex digits (400 otherwise).
pub fn parse_name(text: &str) -> Result<String, ApiError> {
    if documents::is_sha256(text) {
        Ok(text.to_string())
    } else {
        Err(ApiError::BadRequest(format!(
            "{text:?} is not a document's name: documents are named by the SHA-256 of their bytes, 64 lowercase hex \
             digits"
        )))
    }
}

/// The events citing `sha256` that the caller may read; 401 (no token) or 403 when the
/// caller may read none of them, or, for a document no event cites, unless the caller is
/// the Secretariat or an auditor.
pub async fn readable_citations(
    state: &AppState,
    caller: Option<&Caller>,
    sha256: &str,
) -> Result<Vec<CitingEvent>, ApiError> {
    let reader = reader_of(caller);
    let citations = documents::citations(&state.db, sha256).await?;
    let cited = !citations.is_empty();
    let mut shown = Vec::new();
    for citation in citations {
        let (record, _) = citation.event.to_record().map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
        if reader.may_read(&projections::lens::record_visibility(&record)) {
            shown.push(CitingEvent {
                position: citation.position,
                aggregate_type: citation.event.aggregate_type,
                aggregate_id: citation.event.aggregate_id,
                sequence: citation.event.sequence,
                event_type: citation.event.event_type,
                fields: citation.fields,
            });
        }
    }
    if !shown.is_empty() || reader.sees_all() {
        return Ok(shown);
    }
    match caller {
        None => Err(ApiError::Unauthorized),
        Some(caller) if cited => Err(ApiError::Forbidden(format!(
            "the {} role may not read the events that cite this document, so not the document either",
            caller.role
        ))),
        Some(caller) => Err(ApiError::Forbidden(format!(
            "no event cites this document yet: only the Secretariat and auditors may read it (not the {} role)",
            caller.role
        ))),
    }
}

/// The stored record of `sha256` (404 when nothing of that name is stored).
async fn stored(state: &AppState, sha256: &str) -> Result<DocumentRecord, ApiError> {
    documents::record(&state.db, sha256)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no document {sha256} is stored")))
}

/// The original file name from `X-File-Name`: UTF-8, no path, no control characters, at
/// most 255 bytes (400 otherwise); an empty header is no name.
fn file_name(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("x-file-name") else { return Ok(None) };
    let bad = || {
        ApiError::BadRequest(format!(
            "X-File-Name must be a file name (UTF-8, no path separators or control characters, at most {} bytes)",
            documents::MAX_FILE_NAME
        ))
    };
    let name = std::str::from_utf8(value.as_bytes()).map_err(|_| bad())?.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.len() > documents::MAX_FILE_NAME
        || name.chars().any(|c| c.is_control() || c == '/' || c == '\\')
        || name == "."
        || name == ".."
    {
        return Err(bad());
    }
    Ok(Some(name.to_string()))
}

/// Reads a body of at most `limit` bytes. A larger one is read on (up to [`DRAIN_BYTES`])
/// and dropped, then answered 413.
pub async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the request body: {e}")))?;
        total = total.saturating_add(chunk.len());
        if total <= limit {
            bytes.extend_from_slice(&chunk);
        } else {
            bytes = Vec::new();
            if total > DRAIN_BYTES {
                break;
            }
        }
    }
    if total > limit {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(bytes)
}

/// The media type of a document about to be stored, from its `Content-Type` (415 when it
/// is missing or not one documents may have).
pub fn media_type_of(content_type: Option<&str>) -> Result<&'static str, ApiError> {
    content_type.and_then(documents::accepted_media_type).ok_or_else(|| {
        ApiError::UnsupportedDocumentType(format!(
            "a document's Content-Type must be one of {} (not {})",
            documents::MEDIA_TYPES.join(", "),
            content_type.map_or("missing".to_string(), |t| format!("{t:?}"))
        ))
    })
}

/// Stores a document for the caller: 201 when stored now, 200 with the first record when
/// the same bytes were stored before.
pub async fn store(
    state: &AppState,
    caller: &Caller,
    bytes: &[u8],
    media_type: &str,
    file_name: Option<&str>,
) -> Result<(StatusCode, StoredDocument), ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("the document is empty: send its bytes as the request body".into()));
    }
    if bytes.len() > documents::MAX_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    state.commands()?;
    let (record, created) = documents::store(&state.db, bytes, media_type, file_name, &caller.subject).await?;
    if created {
        tracing::info!(sha256 = %record.sha256, size = record.size, media_type = %record.media_type, "document stored");
    }
    let url = download_url(&record.sha256);
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, StoredDocument { record, url }))
}

/// Store a document (Secretariat): the body is the document's bytes.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    params(("X-File-Name" = Option<String>, Header, description = "the original file name, kept with the document (no path)")),
    security(("bearer" = [])),
    responses((status = 201, description = "stored now", body = StoredDocument),
        (status = 200, description = "the same bytes were stored before: their first record", body = StoredDocument),
        (status = 400, description = "an empty body, or a malformed X-File-Name"),
        (status = 413, description = "larger than 10 MiB"),
        (status = 415, description = "a Content-Type documents may not have")))]
pub async fn upload(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let media_type = media_type_of(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()))?;
    let file_name = file_name(&headers)?;
    let bytes = read_body(body, documents::MAX_BYTES).await?;
    let (status, stored) = store(&state, &caller, &bytes, media_type, file_name.as_deref()).await?;
    let mut response = (status, axum::Json(&stored)).into_response();
    if let Ok(location) = HeaderValue::from_str(&stored.url) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `Content-Disposition: attachment` with the file name (an ASCII fallback and the UTF-8
/// name, RFC 6266), or the hash when there is none.
fn disposition(record: &DocumentRecord) -> HeaderValue {
    let name = record.file_name.clone().unwrap_or_else(|| record.sha256.clone());
    let ascii: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", encode(&name)))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

/// The bytes of a readable stored document, re-hashed: 409 `document_altered` (logged and
/// counted) when they no longer hash to its name.
pub async fn intact_bytes(state: &AppState, record: &DocumentRecord) -> Result<Vec<u8>, ApiError> {
    match documents::fetch(&state.db, &record.sha256).await? {
        None => Err(ApiError::NotFound(format!("no document {} is stored", record.sha256))),
        Some(Content::Intact(bytes)) => Ok(bytes),
        Some(Content::Altered { actual }) => {
            tracing::error!(
                sha256 = %record.sha256, actual = %actual,
                "a stored document has been altered: its bytes no longer hash to its name; it is not served"
            );
            crate::metrics::count_document_altered();
            Err(ApiError::DocumentAltered { expected: record.sha256.clone(), actual })
        }
    }
}

/// A document's bytes, re-hashed before they are served.
#[utoipa::path(get, path = "/api/v1/documents/{sha256}", tag = "documents",
    params(("sha256" = String, Path, description = "the SHA-256 of the document's bytes, 64 lowercase hex digits")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "the document's bytes with its media type and `Content-Disposition`; \
        `Repr-Digest` carries their SHA-256, checked against the name before they are sent", body = String),
        (status = 400, description = "not 64 lowercase hex digits"),
        (status = 403, description = "the reader may not read any event citing the document (or, for a document no \
            event cites, is not the Secretariat or an auditor)"),
        (status = 404, description = "no document of that name is stored"),
        (status = 409, description = "`document_altered`: the stored bytes no longer hash to the name; never served")))]
pub async fn download(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    AppPath(sha256): AppPath<String>,
) -> Result<Response, ApiError> {
    let sha256 = parse_name(&sha256)?;
    let record = stored(&state, &sha256).await?;
    readable_citations(&state, caller.as_ref(), &sha256).await?;
    let bytes = intact_bytes(&state, &record).await?;
    let digest = {
        use base64::Engine as _;
        let raw = hex::decode(&record.sha256).map_err(|e| ApiError::Internal(e.into()))?;
        format!("sha-256=:{}:", base64::engine::general_purpose::STANDARD.encode(raw))
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&record.media_type).map_err(|e| ApiError::Internal(e.into()))?,
    );
    headers.insert(header::CONTENT_DISPOSITION, disposition(&record));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", record.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    if let Ok(digest) = HeaderValue::from_str(&digest) {
        headers.insert("repr-digest", digest);
    }
    Ok(response)
}

/// A document's record and the events that cite it.
#[utoipa::path(get, path = "/api/v1/documents/{sha256}/meta", tag = "documents",
    params(("sha256" = String, Path, description = "the SHA-256 of the document's bytes, 64 lowercase hex digits")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "the record and the citing events the reader may read", body = DocumentMeta),
        (status = 400, description = "not 64 lowercase hex digits"),
        (status = 403, description = "the reader may not read any event citing the document (or, for a document no \
            event cites, is not the Secretariat or an auditor)"),
        (status = 404, description = "no document of that name is stored")))]
pub async fn meta(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    AppPath(sha256): AppPath<String>,
) -> Result<Response, ApiError> {
    let meta = document_meta(&state, caller.as_ref(), &sha256).await?;
    Ok(axum::Json(meta).into_response())
}

/// The record of a stored document and the citing events the caller may read (400, 404,
/// 401 or 403 as [`meta`] answers).
pub async fn document_meta(state: &AppState, caller: Option<&Caller>, sha256: &str) -> Result<DocumentMeta, ApiError> {
    let sha256 = parse_name(sha256)?;
    let record = stored(state, &sha256).await?;
    let cited_by = readable_citations(state, caller, &sha256).await?;
    Ok(DocumentMeta { url: download_url(&sha256), record, cited_by })
}

/// The document hashes a record cites (see [`documents::cited_hashes`]), from its payload
/// and metadata, with the field each is in.
pub fn hashes_in(payload: &Value, metadata: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    documents::cited_hashes(payload, "payload", &mut out);
    documents::cited_hashes(metadata, "metadata", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_names_not_paths() {
        let with = |name: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-file-name", HeaderValue::from_bytes(name.as_bytes()).unwrap());
            file_name(&headers)
        };
        assert_eq!(with("minutes GCG-21.pdf").unwrap().as_deref(), Some("minutes GCG-21.pdf"));
        assert_eq!(with("procès-verbal.pdf").unwrap().as_deref(), Some("procès-verbal.pdf"));
        assert_eq!(with("  ").unwrap(), None);
        for bad in ["../etc/passwd", "a\\b", "..", &"x".repeat(256)] {
            assert!(with(bad).is_err(), "{bad}");
        }
        assert_eq!(file_name(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn the_disposition_keeps_the_name_and_escapes_it() {
        let record = DocumentRecord {
            sha256: "a".repeat(64),
            media_type: "application/pdf".into(),
            size: 1,
            file_name: Some("procès \"verbal\".pdf".into()),
            uploaded_by: "alice".into(),
            uploaded_at: "2026-12-10T00:00:00Z".into(),
        };
        let value = disposition(&record);
        let text = value.to_str().unwrap();
        assert!(
            text.starts_with("attachment; filename=\"proc_s _verbal_.pdf\"; filename*=UTF-8''proc%C3%A8s%20"),
            "{text}"
        );
    }

    #[test]
    fn names_must_be_lowercase_hex() {
        assert!(parse_name(&"a".repeat(64)).is_ok());
        assert!(parse_name(&"A".repeat(64)).is_err());
        assert!(parse_name("abc").is_err());
    }
}
