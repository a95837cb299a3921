//! Signing in to the web pages: the API token is the login. A valid token gets a session
//! whose random secret travels in an `HttpOnly; SameSite=Strict` cookie (`Secure` when the
//! request came over TLS, as `X-Forwarded-Proto: https` or `Forwarded: proto=https`
//! says) and is stored server-side only as SHA-256 in `web_sessions`, with the token's
//! hash, so the token's own rules (role, scope, expiry, revocation) decide every request,
//! and with a per-session CSRF token that every form carries in a hidden field and every
//! POST must return (403 otherwise). The sign-in form, which has no session yet, carries a
//! token that must match a short-lived cookie set with the form.

use askama::Template;
use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, SecondsFormat, Utc};
use ledger_store::{with_pool, Db};
use rand_core::{OsRng, RngCore as _};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::{render, Nav, PageError};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::tokens::Caller;

/// The session cookie.
pub const SESSION_COOKIE: &str = "ledger_session";
/// The cookie that pairs with the sign-in form's CSRF token.
pub const SIGN_IN_COOKIE: &str = "ledger_sign_in";
/// How long a session lasts (and never longer than its token).
pub const SESSION_HOURS: i64 = 12;

/// A signed-in browser: who it acts as, and its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 of the cookie's secret: the row's key.
    pub id_hash: String,
    pub caller: Caller,
    pub csrf: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn stamp(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Compares two secrets in time that depends only on their lengths.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Whether the request reached the proxy in front of the server over TLS.
pub fn over_tls(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let forwarded_proto = text("x-forwarded-proto");
    forwarded_proto.split(',').next().is_some_and(|p| p.trim() == "https")
        || text("forwarded").split([';', ',']).any(|part| part.trim() == "proto=https")
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, and Secure over TLS.
fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"))
        .unwrap_or(HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Starts a session for an API token; `None` when the token is not valid now.
pub async fn start(db: &Db, token: &str) -> anyhow::Result<Option<(String, Session)>> {
    let token_hash = crate::tokens::token_hash(token);
    let Some(caller) = crate::tokens::lookup_hash(db, &token_hash, true).await? else { return Ok(None) };
    let secret = random_hex();
    let session = Session { id_hash: digest(&secret), caller, csrf: random_hex() };
    let now = Utc::now();
    with_pool!(db, pool => {
        // Expired sessions are of no use to anyone: drop them while here.
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1").bind(stamp(now)).execute(pool).await?;
        sqlx::query(
            "INSERT INTO web_sessions (session_hash, token_hash, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id_hash)
        .bind(&token_hash)
        .bind(&session.csrf)
        .bind(stamp(now))
        .bind(stamp(now + Duration::hours(SESSION_HOURS)))
        .execute(pool)
        .await?;
    });
    Ok(Some((secret, session)))
}

/// The session a cookie secret names, if it exists, has not expired and its token is
/// still valid.
/// `record_use` records the token's use (a read-only replica passes `false`).
pub async fn find(db: &Db, secret: &str, record_use: bool) -> anyhow::Result<Option<Session>> {
    let id_hash = digest(secret);
    let row: Option<(String, String)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT token_hash, csrf_token FROM web_sessions WHERE session_hash = $1 AND expires_at > $2")
            .bind(&id_hash)
            .bind(stamp(Utc::now()))
            .fetch_optional(pool)
            .await?
    });
    let Some((token_hash, csrf)) = row else { return Ok(None) };
    let caller = crate::tokens::lookup_hash(db, &token_hash, record_use).await?;
    Ok(caller.map(|caller| Session { id_hash, caller, csrf }))
}

/// Ends a session.
pub async fn end(db: &Db, session: &Session) -> anyhow::Result<()> {
    with_pool!(db, pool => {
        sqlx::query("DELETE FROM web_sessions WHERE session_hash = $1").bind(&session.id_hash).execute(pool).await?;
    });
    Ok(())
}

/// The request's session, if its cookie names a live one.
#[derive(Debug, Clone)]
pub struct WebSession(pub Option<Session>);

impl FromRequestParts<AppState> for WebSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE).filter(|s| !s.is_empty()) else {
            return Ok(WebSession(None));
        };
        Ok(WebSession(find(&state.db, secret, !state.is_read_only()).await?))
    }
}

/// Refuses a POST whose CSRF token is missing or is not the session's (403).
pub fn check_csrf(session: &Session, submitted: Option<&str>) -> Result<(), PageError> {
    match submitted {
        Some(token) if same_secret(token, &session.csrf) => Ok(()),
        _ => Err(PageError(ApiError::Forbidden(
            "the form's CSRF token is missing or does not belong to this session; reload the page and try again".into(),
        ))),
    }
}

/// A local path to go back to after signing in; anything else goes home.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path.to_string(),
        _ => "/".to_string(),
    }
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nav: Nav,
    csrf: String,
    next: String,
    problem: Option<String>,
}

/// `?next=` on the sign-in form.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

fn sign_in_page(
    status: StatusCode,
    session: Option<&Session>,
    next: &str,
    problem: Option<String>,
    tls: bool,
) -> Result<Response, PageError> {
    let csrf = random_hex();
    let page = SignInPage { nav: Nav::new(session, "/sign-in"), csrf: csrf.clone(), next: next.to_string(), problem };
    let mut response = render(status, &page)?;
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SIGN_IN_COOKIE, &csrf, "/sign-in", 3600, tls));
    Ok(response)
}

/// `GET /sign-in`: the form (the API token is the login).
pub async fn sign_in_form(
    headers: HeaderMap,
    WebSession(session): WebSession,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    sign_in_page(StatusCode::OK, session.as_ref(), &local_path(query.next.as_deref()), None, over_tls(&headers))
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    pub token: Option<String>,
    pub csrf: Option<String>,
    pub next: Option<String>,
}

/// `POST /sign-in`: a valid token starts a session and goes back to `next`; anything
/// else shows the form again (401), a missing or foreign CSRF token is a 403.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let tls = over_tls(&headers);
    let paired = cookie(&headers, SIGN_IN_COOKIE).filter(|c| !c.is_empty());
    match (paired, form.csrf.as_deref()) {
        (Some(expected), Some(given)) if same_secret(expected, given) => {}
        _ => {
            return Err(PageError(ApiError::Forbidden(
                "the sign-in form's CSRF token is missing or does not match; reload the page and try again".into(),
            )))
        }
    }
    let next = local_path(form.next.as_deref());
    let token = form.token.as_deref().map(str::trim).unwrap_or_default();
    let started = if token.is_empty() { None } else { start(&state.db, token).await? };
    let Some((secret, _session)) = started else {
        let problem = "That is not a valid token now (unknown, expired or revoked).".to_string();
        return sign_in_page(StatusCode::UNAUTHORIZED, None, &next, Some(problem), tls);
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    let cookies = response.headers_mut();
    cookies.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &secret, "/", SESSION_HOURS * 3600, tls));
    cookies.append(header::SET_COOKIE, set_cookie(SIGN_IN_COOKIE, "", "/sign-in", 0, tls));
    cookies.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The sign-out form's field.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// `POST /sign-out`: ends the session (CSRF-checked) and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    WebSession(session): WebSession,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let tls = over_tls(&headers);
    if let Some(session) = &session {
        check_csrf(session, form.csrf.as_deref())?;
        end(&state.db, session).await?;
    }
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", 0, tls));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; ledger_session=abc; ledger_session_x=no"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn tls_is_what_the_proxy_says() {
        let mut headers = HeaderMap::new();
        assert!(!over_tls(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(over_tls(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("http"));
        assert!(!over_tls(&headers));
        headers.insert("forwarded", HeaderValue::from_static("for=192.0.2.1;proto=https"));
        assert!(over_tls(&headers));
    }

    #[test]
    fn cookies_are_http_only_and_strict_and_secure_over_tls() {
        let plain = set_cookie(SESSION_COOKIE, "s", "/", 60, false);
        assert_eq!(plain, "ledger_session=s; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
        let tls = set_cookie(SESSION_COOKIE, "s", "/", 60, true);
        assert!(tls.to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/meetings/GCG-22")), "/meetings/GCG-22");
        for bad in
            [None, Some("https://elsewhere.example/"), Some("//elsewhere.example"), Some("/\\elsewhere"), Some("")]
        {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }
}
