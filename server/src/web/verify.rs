//! The dossier verifier that runs in the browser: `GET /verify` (the page, its script at
//! `/static/verify.js`) and the same verifier as one self-contained HTML file
//! ([`offline_page`], written by `ledger export --verifier-page FILE`) that an auditor
//! keeps and opens from disk.
//!
//! Both are made from the same compiled-in assets: the script (`server/assets/verify.js`),
//! the stylesheet (`server/assets/style.css`) and the form (`server/templates/verify_form.html`,
//! which the page's template includes). The script checks everything `ledger-verify` and
//! docs/verify_dossier.py check, with the browser's WebCrypto; it sends nothing anywhere.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use super::session::WebSession;
use super::{render, Nav, PageError, STYLE};

/// The verifier's script.
pub const VERIFY_JS: &str = include_str!("../../assets/verify.js");

/// The verifier's form and result area, shared by the page and the offline file.
pub const VERIFY_FORM: &str = include_str!("../../templates/verify_form.html");

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    nav: Nav,
}

/// `GET /verify`: the page (the script does the rest, in the browser).
pub async fn page(WebSession(session): WebSession) -> Result<Response, PageError> {
    render(StatusCode::OK, &VerifyPage { nav: Nav::new(session.as_ref(), "/verify") })
}

/// `GET /static/verify.js`.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            (header::HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff")),
        ],
        VERIFY_JS,
    )
        .into_response()
}

/// `'sha256-<base64>'`, a CSP source allowing exactly this inline script or style.
fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", BASE64.encode(Sha256::digest(text.as_bytes())))
}

/// The verifier as one HTML file: the same form, script and stylesheet, inlined, under a
/// Content-Security-Policy that allows exactly that script and that stylesheet and no
/// connection, so the file works offline (from `file://`) and sends nothing anywhere.
pub fn offline_page() -> String {
    // Inlined text must not close its element early.
    debug_assert!(!VERIFY_JS.to_ascii_lowercase().contains("</script"));
    debug_assert!(!STYLE.to_ascii_lowercase().contains("</style"));
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; form-action 'none'; base-uri 'none'",
        csp_hash(VERIFY_JS),
        csp_hash(STYLE)
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Verify a dossier · Alliance 8.7 Accountability Ledger</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n\
         <header class=\"site\"><span class=\"brand\">Alliance 8.7 Accountability Ledger</span></header>\n\
         <main>\n<h1>Verify a dossier</h1>\n\
         <p>Check a dossier offline: choose the file (or paste it) and the ledger's public key as \
         published by its operator. Everything is checked in this browser; nothing is sent anywhere. \
         This file was written by <code>ledger export --verifier-page</code>; keep it with the dossiers \
         you verify.</p>\n\
         {VERIFY_FORM}</main>\n<script>{VERIFY_JS}</script>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_file_inlines_the_same_script_and_allows_exactly_it() {
        let page = offline_page();
        assert!(page.contains(&format!("<script>{VERIFY_JS}</script>")));
        assert!(page.contains(&format!("<style>{STYLE}</style>")));
        assert!(page.contains(VERIFY_FORM));
        assert!(page.contains(&csp_hash(VERIFY_JS)));
        assert!(!page.contains("src=\""), "the offline file loads nothing");
        assert!(!VERIFY_JS.to_ascii_lowercase().contains("</script"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
    }
}
