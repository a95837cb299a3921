//! The web pages, under `/` beside the API: server-rendered HTML from askama templates
//! (`server/templates/`, checked at compile time), one stylesheet served by the binary, and
//! one script, the dossier verifier's (`/verify`), served by the binary too. Every read
//! goes through the same function as the API's JSON handler; a page handler only parses,
//! reads and renders. The forms that write send their commands down the command pipeline:
//! attendance one command per line, the recording forms through the API's own router; the
//! document form stores a document as the API does.
//!
//! * [`pages`]: home, timeline, meeting, decision, Pathfinder board.
//! * [`programme`]: the Multi-Donor Programme with its charts, and a donor's trail with its
//!   downloads.
//! * [`dossier`]: a dossier as a printable page.
//! * [`attendance`]: the Secretariat's attendance form.
//! * [`questions`]: the users' questions, reporting compliance, groups and partners, each
//!   the API's answer laid out.
//! * [`forms`]: the Secretariat's recording forms, one per command of the API.
//! * [`documents`]: the Secretariat's document upload form and a document's page.
//! * [`session`]: sign-in with an API token, server-side sessions, CSRF tokens.
//! * [`svg`]: the Pathfinder stage timelines and the programme's charts, drawn on the server.
//! * [`verify`]: the dossier verifier that runs in the browser, and its offline file.

pub mod attendance;
pub mod documents;
pub mod dossier;
pub mod forms;
pub mod pages;
pub mod programme;
pub mod questions;
pub mod reads;
pub mod session;
pub mod svg;
pub mod verify;

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::http::error::ApiError;
use crate::http::AppState;
use session::Session;

/// The page routes, merged into the API's router (and so behind the same edge checks).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/timeline", get(pages::timeline))
        .route("/meetings/{id}", get(pages::meeting))
        .route("/meetings/{id}/attendance", get(attendance::form).post(attendance::submit))
        .route("/decisions/{id}", get(pages::decision))
        .route(
            "/documents/upload",
            get(documents::form)
                .post(documents::submit)
                .layer(axum::extract::DefaultBodyLimit::max(documents::FORM_LIMIT)),
        )
        .route("/documents/{sha256}", get(documents::page))
        .route("/pathfinders", get(pages::pathfinders))
        .route("/questions", get(questions::index))
        .route("/questions/{number}", get(questions::question))
        .route("/compliance", get(questions::compliance))
        .route("/groups", get(questions::groups))
        .route("/partners", get(questions::partners))
        .route("/programme", get(programme::programme))
        .route("/donors/{id}/trail", get(programme::trail))
        .route("/donors/{id}/trail.csv", get(programme::trail_csv))
        .route("/donors/{id}/trail.xlsx", get(programme::trail_xlsx))
        .route("/dossiers/{subject}", get(dossier::dossier))
        .route("/record", get(forms::list))
        .route("/record/{operation}", get(forms::form).post(forms::submit))
        .route("/sign-in", get(session::sign_in_form).post(session::sign_in))
        .route("/sign-out", post(session::sign_out))
        .route("/verify", get(verify::page))
        .route("/static/style.css", get(stylesheet))
        .route("/static/verify.js", get(verify::script))
}

/// The stylesheet (screen and print).
pub(crate) const STYLE: &str = include_str!("../../assets/style.css");

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        STYLE,
    )
        .into_response()
}

/// What the header of every page shows: who is signed in, and the session's CSRF token for
/// the sign-out form.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// `(subject, role)` of the signed-in caller.
    pub signed_in: Option<(String, String)>,
    pub csrf: String,
    /// The path of the page, for the sign-in link to come back to.
    pub here: String,
}

impl Nav {
    /// The header of a page at `here`, for the session (if any).
    pub fn new(session: Option<&Session>, here: &str) -> Self {
        Nav {
            signed_in: session.map(|s| (s.caller.subject.clone(), s.caller.role.clone())),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            here: here.to_string(),
        }
    }

    /// `/sign-in?next=<here>`, the path percent-encoded.
    pub fn sign_in_link(&self) -> String {
        format!("/sign-in?next={}", encode(&self.here))
    }
}

pub use crate::http::encode;

/// Headers every page carries: not cached (pages can show who is signed in and carry
/// CSRF tokens), not sniffed, not framed, and nothing loaded from anywhere but here: the
/// only script a page may run is a file this binary serves (no inline script, no eval), and
/// no page may connect anywhere (`connect-src` falls back to `'none'`).
pub(crate) fn page_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
}

/// Sends a request to the API's own router as the session's caller (or the public), and
/// returns its status and JSON body (`Null` when the body is not JSON): a page that asks
/// the API this way answers what the API answers, under the same rules. A database away
/// (503) is the page's error too.
pub async fn through_api(
    state: &AppState,
    session: Option<&Session>,
    method: axum::http::Method,
    uri: &str,
    idempotency_key: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Result<(StatusCode, serde_json::Value), PageError> {
    use tower::ServiceExt as _;
    let mut request = axum::http::Request::builder().method(method).uri(uri).header(header::ACCEPT, "application/json");
    if let Some(session) = session {
        request = request.extension(crate::http::auth::Resolved(session.caller.clone()));
    }
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    let request = match body {
        Some(body) => {
            request.header(header::CONTENT_TYPE, "application/json").body(axum::body::Body::from(body.to_string()))
        }
        None => request.body(axum::body::Body::empty()),
    }
    .map_err(|e| ApiError::Internal(e.into()))?;
    let response = crate::http::router(state.clone())
        .oneshot(request)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let status = response.status();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        return Err(ApiError::Unavailable.into());
    }
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20).await.map_err(|e| ApiError::Internal(e.into()))?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)))
}

/// A rendered page with a status.
pub fn render(status: StatusCode, template: &impl Template) -> Result<Response, PageError> {
    let body = template.render().map_err(|e| PageError(ApiError::Internal(anyhow::anyhow!("template: {e}"))))?;
    let mut response = (status, Html(body)).into_response();
    page_headers(&mut response);
    Ok(response)
}

/// A page that failed: the API's error, shown as an HTML page with the same status.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError(error)
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        PageError(error.into())
    }
}

impl From<anyhow::Error> for PageError {
    fn from(error: anyhow::Error) -> Self {
        PageError(ApiError::Internal(error))
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    status: u16,
    title: String,
    detail: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let detail = match &self.0 {
            ApiError::Internal(_) => "An internal error occurred; it has been logged.".to_string(),
            other => other.to_string(),
        };
        // The API's answer decides the status (a database away is a 503), and logs internals.
        let status = self.0.into_response().status();
        let detail = if status == StatusCode::SERVICE_UNAVAILABLE {
            "The database is unavailable; nothing was recorded by this request. Try again shortly.".to_string()
        } else {
            detail
        };
        let page = ErrorPage {
            nav: Nav::default(),
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            detail,
        };
        match render(status, &page) {
            Ok(response) => response,
            Err(_) => (status, "error").into_response(),
        }
    }
}
