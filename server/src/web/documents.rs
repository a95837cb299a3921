//! Evidence documents on the web: the Secretariat's upload form (`/documents/upload`) and a
//! document's page (`/documents/{sha256}`).
//!
//! The form is a plain `multipart/form-data` form (a file input, an optional media type,
//! the session's CSRF token). It stores the file exactly as `POST /api/v1/documents` does
//! ([`crate::http::documents::store`]: the same media types, the same 10 MiB limit, the
//! same idempotence) and answers with the document's SHA-256, for the officer to paste into
//! the command that cites it. The page shows the document's record and the events that
//! cite it, as the API's `/meta` does, for the signed-in reader (or the public).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ledger_store::documents::{self, MEDIA_TYPES};

use super::session::{check_csrf, WebSession};
use super::{encode, render, Nav, PageError};
use crate::http::documents::{document_meta, media_type_of, CitingEvent, StoredDocument};
use crate::http::error::ApiError;
use crate::http::AppState;

/// The largest form body taken: a document of the largest size, and room for the form.
pub const FORM_LIMIT: usize = documents::MAX_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "document_upload.html")]
struct UploadPage {
    nav: Nav,
    media_types: Vec<&'static str>,
    max_mib: usize,
    stored: Option<Stored>,
}

/// What the form stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub created: bool,
    pub document: StoredDocument,
    pub page: String,
}

fn upload_page(session: &super::session::Session, stored: Option<Stored>) -> UploadPage {
    UploadPage {
        nav: Nav::new(Some(session), "/documents/upload"),
        media_types: MEDIA_TYPES.to_vec(),
        max_mib: documents::MAX_BYTES / (1024 * 1024),
        stored,
    }
}

/// `GET /documents/upload`: the form (the Secretariat; without a session, sign in first).
pub async fn form(WebSession(session): WebSession) -> Result<Response, PageError> {
    let Some(session) = session else {
        return Ok(Redirect::to(&format!("/sign-in?next={}", encode("/documents/upload"))).into_response());
    };
    if session.caller.role != "secretariat" {
        return Err(ApiError::Forbidden(format!("the {} role may not store documents", session.caller.role)).into());
    }
    render(StatusCode::OK, &upload_page(&session, None))
}

/// A multipart error as the API would answer it (413 beyond the limit, 400 otherwise).
fn multipart_error(error: axum::extract::multipart::MultipartError) -> PageError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError(ApiError::PayloadTooLarge)
    } else {
        PageError(ApiError::BadRequest(format!("the form could not be read: {}", error.body_text())))
    }
}

/// `POST /documents/upload`: stores the file. 403 without a session, with another role or
/// without the session's CSRF token; 400 without a file or with an empty one; 413 beyond
/// 10 MiB; 415 for a media type documents may not have. The answer is the form again with
/// the document's SHA-256: 201 when stored now, 200 when the same bytes were stored before.
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let Some(session) = session else {
        return Err(ApiError::Forbidden("sign in first: this form needs a session".into()).into());
    };
    let (mut csrf, mut chosen_type, mut file) = (None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = Some(field.text().await.map_err(multipart_error)?),
            "media_type" => chosen_type = Some(field.text().await.map_err(multipart_error)?),
            "file" => {
                let name = field.file_name().map(str::to_string);
                let content_type = field.content_type().map(str::to_string);
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((name, content_type, bytes));
            }
            _ => {}
        }
    }
    check_csrf(&session, csrf.as_deref())?;
    if session.caller.role != "secretariat" {
        return Err(ApiError::Forbidden(format!("the {} role may not store documents", session.caller.role)).into());
    }
    let Some((name, content_type, bytes)) = file else {
        return Err(ApiError::BadRequest("choose a file to store".into()).into());
    };
    // The media type chosen on the form, or the one the browser gave the file.
    let media_type = match chosen_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(chosen) => media_type_of(Some(chosen))?,
        None => media_type_of(content_type.as_deref())?,
    };
    let name = name
        .as_deref()
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim())
        .filter(|n| !n.is_empty() && n.len() <= documents::MAX_FILE_NAME && !n.chars().any(char::is_control))
        .map(str::to_string);
    let (status, document) =
        crate::http::documents::store(&state, &session.caller, &bytes, media_type, name.as_deref()).await?;
    let stored = Stored {
        created: status == StatusCode::CREATED,
        page: format!("/documents/{}", document.record.sha256),
        document,
    };
    render(status, &upload_page(&session, Some(stored)))
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    nav: Nav,
    sha256: String,
    media_type: String,
    size: i64,
    file_name: String,
    uploaded_by: String,
    uploaded_at: String,
    download: String,
    cited_by: Vec<CitingLine>,
}

/// An event citing the document, as the page lists it.
#[derive(Debug, Clone)]
pub struct CitingLine {
    pub position: String,
    pub subject: String,
    pub link: Option<String>,
    pub sequence: i64,
    pub event_type: String,
    pub fields: String,
}

fn citing_line(event: CitingEvent) -> CitingLine {
    let link = match event.aggregate_type.as_str() {
        "meeting" => Some(format!("/meetings/{}", encode(&event.aggregate_id))),
        "decision" => Some(format!("/decisions/{}", encode(&event.aggregate_id))),
        _ => None,
    };
    CitingLine {
        position: event.position.map_or_else(|| "not sealed yet".to_string(), |p| p.to_string()),
        subject: format!("{}:{}", event.aggregate_type, event.aggregate_id),
        link,
        sequence: event.sequence,
        event_type: event.event_type,
        fields: event.fields.join(", "),
    }
}

/// `GET /documents/{sha256}`: the document's record and the events citing it that the
/// reader may read; 400, 401, 403 and 404 pages as the API answers.
pub async fn page(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(sha256): Path<String>,
) -> Result<Response, PageError> {
    let here = format!("/documents/{}", encode(&sha256));
    let meta = match document_meta(&state, session.as_ref().map(|s| &s.caller), &sha256).await {
        Ok(meta) => meta,
        // A document only a token may read: sign in first, and come back.
        Err(ApiError::Unauthorized) if session.is_none() => {
            return Ok(Redirect::to(&format!("/sign-in?next={}", encode(&here))).into_response());
        }
        Err(other) => return Err(other.into()),
    };
    let page = DocumentPage {
        nav: Nav::new(session.as_ref(), &here),
        sha256: meta.record.sha256,
        media_type: meta.record.media_type,
        size: meta.record.size,
        file_name: meta.record.file_name.unwrap_or_default(),
        uploaded_by: meta.record.uploaded_by,
        uploaded_at: meta.record.uploaded_at,
        download: meta.url,
        cited_by: meta.cited_by.into_iter().map(citing_line).collect(),
    };
    render(StatusCode::OK, &page)
}
