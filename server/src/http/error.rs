//! `ApiError`: every failure as RFC 9457 `application/problem+json` with a stable `code`.
//!
//! The body is a [`Problem`]. 5xx bodies never carry internals: the cause is logged once,
//! inside the request span.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::pipeline::CommandError;

/// The body of every failure: an RFC 9457 problem with the ledger's own members. The
/// OpenAPI document declares it (`#/components/schemas/Problem`) on every error response.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// `https://alliance87-ledger.example/problems/<code>`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// The status's reason phrase (`Not Found`), or a title of the problem's own.
    pub title: String,
    /// The HTTP status, repeated.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong, for a person; never internals (a 500 says only that it was logged).
    pub detail: String,
    /// A stable code: `malformed_request`, `unauthorized`, `not_found`, …; for a 422, the
    /// name of the rule that refused.
    pub code: String,
    /// 422 only: the domain rule that refused the command (the same as `code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// 503 from a read-only replica only: the URL of the primary that takes commands,
    /// `null` when the replica was not told it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub primary: Option<Option<String>>,
    /// 409 `document_altered` only: the document's name, the SHA-256 its bytes should have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_sha256: Option<String>,
    /// 409 `document_altered` only: what the stored bytes hash to now (or that they are
    /// missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_sha256: Option<String>,
}

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON, wrong field types, bad path or query).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no token, or a token we do not know.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// 403: the token's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource.
    #[error("{0}")]
    NotFound(String),
    /// 405: the resource exists but not with this method.
    #[error("method not allowed on this resource")]
    MethodNotAllowed,
    /// 406: the answer has no form the request accepts (CSV of an answer that is not a list).
    #[error("{0}")]
    NotAcceptable(String),
    /// 409: a concurrent write or a stale expected version.
    #[error("{0}")]
    Conflict(String),
    /// 408: the request took longer than the server allows.
    #[error("the request took longer than {0} s; nothing was recorded unless a receipt says so")]
    Timeout(u64),
    /// 414: the request target is too long.
    #[error("the request target is longer than {0} bytes")]
    UriTooLong(usize),
    /// 431: the request's header fields are too large.
    #[error("the request's header fields exceed {0} bytes")]
    HeadersTooLarge(usize),
    /// 413: the body is too large.
    #[error("request body is too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("request body must be application/json")]
    UnsupportedMediaType,
    /// 415: a document of a media type the ledger does not store.
    #[error("{0}")]
    UnsupportedDocumentType(String),
    /// 409: a stored document's bytes no longer hash to its name (the file or the row was
    /// altered); it is not served.
    #[error(
        "the stored document {expected} has been altered: its stored bytes hash to {actual}, so it is not \
         served; the operator must restore it from a backup"
    )]
    DocumentAltered { expected: String, actual: String },
    /// 422: a rule of the domain refused the command; `rule` names it.
    #[error("{message}")]
    Refused { rule: &'static str, message: String },
    /// 503: the database does not answer; `Retry-After` says when to try again.
    #[error("the database is unavailable; nothing was recorded by this request; retry shortly")]
    Unavailable,
    /// 503: this server is a read-only replica (`serve --read-only`) and records nothing;
    /// the body names the primary that takes commands, when the server was told it.
    #[error("{}", read_only_detail(primary.as_deref()))]
    ReadOnly { primary: Option<String> },
    /// 500: anything else; the body says nothing more.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "malformed_request"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::NotAcceptable(_) => (StatusCode::NOT_ACCEPTABLE, "not_acceptable"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            ApiError::UriTooLong(_) => (StatusCode::URI_TOO_LONG, "uri_too_long"),
            ApiError::HeadersTooLarge(_) => (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType | ApiError::UnsupportedDocumentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::DocumentAltered { .. } => (StatusCode::CONFLICT, "document_altered"),
            ApiError::Refused { rule, .. } => (StatusCode::UNPROCESSABLE_ENTITY, rule),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::ReadOnly { .. } => (StatusCode::SERVICE_UNAVAILABLE, "read_only_replica"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

/// Seconds a client is asked to wait before retrying when the database is away.
const RETRY_AFTER_SECS: &str = "2";

/// Seconds a client is asked to wait before sending a command to a read-only replica again:
/// it takes none until an operator promotes it and restarts it without `--read-only`, so
/// the command should go to the primary instead.
const READ_ONLY_RETRY_AFTER_SECS: &str = "60";

/// What a read-only replica says to a command.
fn read_only_detail(primary: Option<&str>) -> String {
    match primary {
        Some(url) => format!(
            "this server is a read-only replica of the ledger and records nothing; nothing was recorded by this \
             request: send commands to the primary at {url}"
        ),
        None => "this server is a read-only replica of the ledger and records nothing; nothing was recorded by \
                 this request: send commands to the primary (this replica was not told its URL)"
            .to_string(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A request that failed because the database is away is a 503, never a 500.
        let this = match self {
            ApiError::Internal(error) if ledger_store::db::is_unavailable_anywhere(error.as_ref()) => {
                tracing::warn!(error = format!("{error:#}"), "the database is unavailable");
                ApiError::Unavailable
            }
            other => other,
        };
        let (status, code) = this.status_and_code();
        let detail = match &this {
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                "an internal error occurred; it has been logged".to_string()
            }
            other => other.to_string(),
        };
        let title = match &this {
            ApiError::ReadOnly { .. } => "This server is a read-only replica",
            ApiError::DocumentAltered { .. } => "Stored document altered",
            _ => status.canonical_reason().unwrap_or("error"),
        };
        let body = Problem {
            r#type: format!("https://alliance87-ledger.example/problems/{code}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            code: code.to_string(),
            rule: match &this {
                ApiError::Refused { rule, .. } => Some((*rule).to_string()),
                _ => None,
            },
            primary: match &this {
                ApiError::ReadOnly { primary } => Some(primary.clone()),
                _ => None,
            },
            expected_sha256: match &this {
                ApiError::DocumentAltered { expected, .. } => Some(expected.clone()),
                _ => None,
            },
            actual_sha256: match &this {
                ApiError::DocumentAltered { actual, .. } => Some(actual.clone()),
                _ => None,
            },
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut response = (status, text).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let seconds =
                if matches!(this, ApiError::ReadOnly { .. }) { READ_ONLY_RETRY_AFTER_SECS } else { RETRY_AFTER_SECS };
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static(seconds));
        }
        response
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::Refused { rule, message } => ApiError::Refused { rule, message },
            CommandError::Malformed(m) => ApiError::BadRequest(m),
            CommandError::NotFound(m) => ApiError::NotFound(m),
            CommandError::Conflict(m) => ApiError::Conflict(m),
            CommandError::Internal(e) => ApiError::Internal(e),
        }
    }
}

/// What chrono says of a date it cannot read.
const DATE_ERRORS: &[&str] = &[
    "input contains invalid characters",
    "premature end of input",
    "input is out of range",
    "trailing input",
    "input is not enough",
];

impl ApiError {
    /// A 400 for a request that could not be parsed; a date that could not be read says
    /// which form dates take.
    pub fn malformed(text: String) -> Self {
        if DATE_ERRORS.iter().any(|e| text.contains(e)) {
            ApiError::BadRequest(format!("{text} (dates are YYYY-MM-DD, e.g. 2026-06-16)"))
        } else {
            ApiError::BadRequest(text)
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if ledger_store::db::is_unavailable(&error) {
            return ApiError::Unavailable;
        }
        ApiError::Internal(error.into())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
            _ => ApiError::malformed(rejection.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::malformed(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::malformed(rejection.body_text())
    }
}
