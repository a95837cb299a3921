//! The web pages over plain HTTP, on both stores: each page's status and key content, the
//! timeline's filters (and the audit API they share), sign-in and sessions, CSRF, and the
//! attendance form recording through the command pipeline, once per line even when
//! submitted twice.

use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::both_stores;
use crate::support::{expect_problem, gcg_with_seats, last_line, Store, TestApp};

/// A client that does not follow redirects, so a test sees every `Set-Cookie`.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// GETs a page (with a cookie, if any); returns status, headers and body.
pub(crate) async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, HeaderMap, String) {
    let mut request = browser().get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

/// POSTs a form (with a cookie, if any).
pub(crate) async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> (u16, HeaderMap, String) {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", server::web::encode(k), server::web::encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request =
        browser().post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

/// The `Set-Cookie` header that sets `name`.
pub(crate) fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// `name=value` from a `Set-Cookie` header, as a `Cookie` header sends it back.
pub(crate) fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

/// The value of the form field `name` in a page.
pub(crate) fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// How many rows of events a timeline page shows.
fn event_rows(html: &str) -> usize {
    html.matches("<tr class=\"event\">").count()
}

/// The event types of a timeline page's rows.
fn event_types(html: &str) -> Vec<String> {
    html.split("<td class=\"event-type\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or_default().to_string())
        .collect()
}

/// Signs in with a token; returns the session cookie as a `Cookie` header.
pub(crate) async fn sign_in(app: &TestApp, token: &str, next: &str) -> String {
    let (status, headers, html) = page(app, &format!("/sign-in?next={}", server::web::encode(next)), None).await;
    assert_eq!(status, 200);
    let pairing = cookie_pair(&set_cookie(&headers, "ledger_sign_in").expect("sign-in cookie"));
    let csrf = field(&html, "csrf");
    let (status, headers, _) =
        post_form(app, "/sign-in", Some(&pairing), &[("token", token), ("csrf", &csrf), ("next", next)]).await;
    assert_eq!(status, 303, "signed in");
    assert_eq!(headers.get(LOCATION).and_then(|v| v.to_str().ok()), Some(next));
    cookie_pair(&set_cookie(&headers, "ledger_session").expect("session cookie"))
}

async fn attendance_events(app: &TestApp, meeting: &str) -> usize {
    app.settle().await;
    let history = app.get_json(&format!("/api/v1/meetings/{meeting}/history")).await;
    history["items"].as_array().unwrap().iter().filter(|e| e["event_type"] == "AttendanceRecorded").count()
}

async fn pages_show_the_record(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;

    // Home: the Chair and Deputy Chair of the demo, the seats, the checkpoint, the counts.
    let (status, headers, html) = page(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    for text in
        ["<strong>CHL</strong> Chile", "<strong>CIV</strong> Côte d&#39;Ivoire", "PFC-AFR", "gcg-rules/v2-provisional"]
    {
        assert!(html.contains(text) || html.contains(&text.replace("&#39;", "'")), "home shows {text}");
    }
    let health = app.get_json("/health").await;
    let size = app.get_json("/api/v1/audit?order=desc&limit=1").await[0]["position"].as_i64().unwrap() + 1;
    assert!(html.contains(&format!("<strong id=\"checkpoint-size\">{size}</strong>")), "the latest checkpoint");
    assert!(html.contains(&format!("<dd id=\"count-events\"><a href=\"/timeline\">{}</a></dd>", health["events"])));
    assert!(html.contains("<dd id=\"count-meetings\">13</dd>"));
    assert!(html.contains("<a href=\"/meetings/GCG-19\">GCG-19</a>"));

    // A meeting: attendance, quorum, decisions.
    let (status, _, html) = page(&app, "/meetings/GCG-19", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("<a href=\"/decisions/GCG-19-D04\">GCG-19-D04</a>"));
    assert!(html.contains("<p id=\"quorum\">Met:"), "quorum");
    assert!(html.contains("<td>PFC-AFR</td>"), "attendance");

    // A decision: who recorded each step, on whose authority, and what it authorised.
    let (status, _, html) = page(&app, "/decisions/GCG-19-D04", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("DecisionAdopted") && html.contains("demo-loader (secretariat)"));
    assert!(html.contains("GroupEstablished") && html.contains("decision-effects"), "effects");
    assert!(html.contains("<a href=\"/meetings/GCG-19\" id=\"decision-meeting\">GCG-19</a>"));

    // The Pathfinder board, with a timeline per country drawn on the server.
    let (status, _, html) = page(&app, "/pathfinders", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("<tr id=\"pfc-NPL\">") && html.contains("<svg") && html.contains("class=\"stage-active\""));
    let (_, _, then) = page(&app, "/pathfinders?as_of=2019-01-01", None).await;
    assert!(then.contains("Pathfinder Countries on 2019-01-01"));
    let by_stage = then.split("<p id=\"by-stage\">").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(by_stage.contains("active: 2") && by_stage.contains("onboarding: 1"), "the board then: {by_stage}");

    // The stylesheet, with its print rules.
    let (status, headers, css) = page(&app, "/static/style.css", None).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.contains("@media print"));

    // Bad cases: unknown subjects are 404 pages, bad queries 400 pages.
    for (path, status) in [
        ("/meetings/GCG-99", 404),
        ("/decisions/GCG-99-D01", 404),
        ("/pathfinders?as_of=someday", 400),
        ("/timeline?from=2024-13-01", 400),
        ("/timeline?before=latest", 400),
        ("/timeline?colour=red", 400),
    ] {
        let (got, headers, html) = page(&app, path, None).await;
        assert_eq!(got, status, "{path}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path} is a page");
        assert!(html.contains("id=\"problem\""), "{path} says why");
    }
}
both_stores!(pages_show_the_record);

/// The home page lists the latest 25 meetings by date, newest first, and counts them all:
/// its cost does not grow with the register.
async fn the_home_page_lists_the_latest_meetings(store: Store) {
    let app = TestApp::spawn(store).await;
    // Scheduled out of date order: 30 meetings, the 1st of each month from 2024-01.
    for i in [
        7u32, 0, 29, 13, 1, 28, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
    ] {
        let date = format!("{}-{:02}-01", 2024 + i / 12, i % 12 + 1);
        let body = serde_json::json!({"meeting_id": format!("GCG-M{i:02}"), "number": i + 1, "kind": "regular",
            "date": date, "modality": "virtual"});
        assert_eq!(app.post("/api/v1/meetings", body).await.status(), 201);
    }
    app.settle().await;
    let (status, _, html) = page(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("<dd id=\"count-meetings\">30</dd>"), "every meeting counted");
    let table = html.split("<table id=\"meetings\">").nth(1).unwrap().split("</table>").next().unwrap();
    let listed: Vec<&str> = table.split("<a href=\"/meetings/").skip(1).map(|r| r.split('"').next().unwrap()).collect();
    let expected: Vec<String> = (5..30).rev().map(|i| format!("GCG-M{i:02}")).collect();
    assert_eq!(listed, expected, "the latest 25 by date, newest first");
    assert!(html.contains("<p id=\"older-meetings\">The latest 25 of 30 meetings"));
    assert!(html.contains("href=\"/timeline?aggregate_type=meeting\""));
}
both_stores!(the_home_page_lists_the_latest_meetings);

async fn the_timeline_filters_narrow_the_events(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let (status, _, all) = page(&app, "/timeline", None).await;
    assert_eq!(status, 200);
    assert_eq!(event_rows(&all), 50, "a page of 50, newest first");
    let latest = app.get_json("/api/v1/audit?order=desc&limit=1").await[0]["position"].as_i64().unwrap();
    assert!(all.contains(&format!("<td>{latest}</td>")), "the newest first");

    // By subject.
    let (_, _, html) = page(&app, "/timeline?aggregate_type=decision&aggregate_id=GCG-19-D04", None).await;
    let history = app.get_json("/api/v1/decisions/GCG-19-D04/history").await;
    assert_eq!(event_rows(&html), history["items"].as_array().unwrap().len());
    assert!(html.contains("<option value=\"decision\" selected>"), "the filter is kept");
    // By event type.
    let (_, _, html) = page(&app, "/timeline?event_type=DecisionAdopted", None).await;
    let types = event_types(&html);
    assert!(!types.is_empty() && types.iter().all(|t| t == "DecisionAdopted"), "{types:?}");
    // By actor.
    let (_, _, html) = page(&app, "/timeline?actor=decision-effects", None).await;
    assert!(event_rows(&html) > 0 && event_rows(&html) < 50);
    assert!(!html.contains("demo-loader (secretariat)"));
    assert!(!html.contains("id=\"older\""), "no older page when everything is shown");
    let (_, _, html) = page(&app, "/timeline?actor=nobody", None).await;
    assert!(html.contains("No event matches.") && event_rows(&html) == 0);
    // By business date.
    let (_, _, html) = page(&app, "/timeline?from=2024-12-10&to=2024-12-10", None).await;
    let api = app.get_json("/api/v1/audit?occurred_from=2024-12-10&occurred_to=2024-12-10&limit=1000").await;
    assert_eq!(event_rows(&html), api.as_array().unwrap().len().min(50));
    assert!(api.as_array().unwrap().iter().all(|e| e["occurred_at"].as_str().unwrap().starts_with("2024-12-10")));

    // As known at a position: nothing after it; as of a date: nothing that happened after it.
    let (_, _, html) = page(&app, "/timeline?known_at=100", None).await;
    assert_eq!(event_rows(&html), 50);
    assert!(html.contains("<td>100</td>") && !html.contains("<td>101</td>"), "positions 51 to 100");
    assert!(html.contains("value=\"100\""), "the picker keeps it");
    let older = html.split("id=\"older\" href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&#38;", "&");
    assert!(older.contains("known_at=100") && older.contains("before=51"), "{older}");
    let (_, _, html) = page(&app, "/timeline?as_of=2019-12-31", None).await;
    // The page asks the audit read for one row more than it shows, as the API is asked here.
    let api = app.get_json("/api/v1/audit?occurred_to=2019-12-31&order=desc&limit=51").await;
    assert_eq!(event_rows(&html), api.as_array().unwrap().len().min(50));
    assert!(api.as_array().unwrap().iter().all(|e| e["occurred_at"].as_str().unwrap_or("9") <= "2019-12-31~"));
    assert_eq!(page(&app, "/timeline?known_at=-1", None).await.0, 400);
    assert_eq!(page(&app, "/timeline?as_of=2019-13-01", None).await.0, 400);

    // Paging: the next page starts below the last position shown, with the filters kept.
    let next = all
        .split("id=\"older\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let (_, _, older) = page(&app, &next, None).await;
    assert_eq!(event_rows(&older), 50);
    assert!(older.contains(&format!("<td>{}</td>", latest - 50)) && !older.contains(&format!("<td>{latest}</td>")));

    // The audit API takes the same filters, and refuses what makes no sense.
    let rows = app.get_json("/api/v1/audit?actor=decision-effects&order=desc&limit=1000").await;
    assert!(rows.as_array().unwrap().iter().all(|r| r["actor"] == "decision-effects"));
    let positions: Vec<i64> = rows.as_array().unwrap().iter().map(|r| r["position"].as_i64().unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] > w[1]), "newest first");
    for bad in [
        "/api/v1/audit?order=sideways",
        "/api/v1/audit?aggregate_id=GCG-19",
        "/api/v1/audit?occurred_from=2025-01-01&occurred_to=2024-01-01",
        "/api/v1/audit?occurred_from=yesterday",
    ] {
        expect_problem(app.client.get(app.url(bad)).send().await.unwrap(), 400, "malformed_request").await;
    }
}
both_stores!(the_timeline_filters_narrow_the_events);

async fn sign_in_sessions_csrf_and_the_attendance_form(store: Store) {
    let app = TestApp::spawn(store).await;
    gcg_with_seats(&app, 3).await;
    let schedule =
        json!({"meeting_id": "M1", "number": 1, "kind": "regular", "date": "2026-06-16", "modality": "virtual"});
    assert_eq!(app.post("/api/v1/meetings", schedule).await.status(), 201);
    assert_eq!(app.post("/api/v1/meetings/M1/open", json!({"opened_on": "2026-06-16"})).await.status(), 200);
    // The form reads the meeting from the views, which follow the ledger a moment behind.
    app.settle().await;
    let form_path = "/meetings/M1/attendance";

    // Sign-in: the form pairs its CSRF token with a strict, HttpOnly cookie.
    let (status, headers, html) = page(&app, "/sign-in", None).await;
    assert_eq!(status, 200);
    let pairing = set_cookie(&headers, "ledger_sign_in").unwrap();
    assert!(pairing.contains("HttpOnly") && pairing.contains("SameSite=Strict") && !pairing.contains("Secure"));
    let (pairing, csrf) = (cookie_pair(&pairing), field(&html, "csrf"));
    assert_eq!(pairing, format!("ledger_sign_in={csrf}"));
    // Without the token, or with another, the form is refused; a bad API token is a 401.
    let (status, _, _) = post_form(&app, "/sign-in", Some(&pairing), &[("token", &app.token)]).await;
    assert_eq!(status, 403, "no CSRF token");
    let (status, _, _) = post_form(&app, "/sign-in", None, &[("token", &app.token), ("csrf", &csrf)]).await;
    assert_eq!(status, 403, "no paired cookie");
    let (status, _, html) =
        post_form(&app, "/sign-in", Some(&pairing), &[("token", "a87_forged"), ("csrf", &csrf)]).await;
    assert_eq!(status, 401);
    assert!(html.contains("not a valid token"));
    // Over TLS (as the proxy says) the cookie is Secure; `next` never leaves the site.
    let request = browser()
        .post(app.url("/sign-in"))
        .header(COOKIE, &pairing)
        .header("x-forwarded-proto", "https")
        .form(&[("token", app.token.as_str()), ("csrf", &csrf), ("next", "https://elsewhere.example/")]);
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/");
    let session = set_cookie(response.headers(), "ledger_session").unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("; Secure"));

    // The form needs a session: without one, a GET goes to sign in and a POST is refused.
    let (status, headers, _) = page(&app, form_path, None).await;
    assert_eq!(status, 303);
    assert_eq!(headers[LOCATION], "/sign-in?next=%2Fmeetings%2FM1%2Fattendance");
    let cookie = sign_in(&app, &app.token, form_path).await;
    let (status, _, html) = page(&app, "/", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Signed in as <strong>alice</strong> (secretariat)"));

    // The form lists every seat and its holder on the meeting's date.
    let (status, _, html) = page(&app, form_path, Some(&cookie)).await;
    assert_eq!(status, 200);
    for seat in 0..3 {
        assert!(html.contains(&format!("name=\"holder:S{seat}\" value=\"ORG-{seat}\"")), "seat S{seat}");
    }
    let (csrf, key) = (field(&html, "csrf"), field(&html, "idempotency_key"));
    let lines = [
        ("status:S0", "present"),
        ("holder:S0", "ORG-0"),
        ("status:S1", "apologies"),
        ("holder:S1", "ORG-1"),
        ("status:S2", ""),
        ("holder:S2", "ORG-2"),
    ];
    let with = |extra: &[(&'static str, &str)]| {
        let mut fields: Vec<(&str, String)> = lines.iter().map(|(k, v)| (*k, v.to_string())).collect();
        fields.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        fields
    };
    let send = |fields: Vec<(&'static str, String)>, cookie: Option<String>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, form_path, cookie.as_deref(), &pairs).await
        }
    };

    // CSRF: missing, foreign, or without a session, nothing is recorded.
    let (status, _, html) = send(with(&[("idempotency_key", &key)]), Some(cookie.clone())).await;
    assert_eq!(status, 403, "missing CSRF token");
    assert!(html.contains("CSRF"));
    let (status, _, _) =
        send(with(&[("idempotency_key", &key), ("csrf", &"0".repeat(64))]), Some(cookie.clone())).await;
    assert_eq!(status, 403, "another session's token");
    let (status, _, _) = send(with(&[("idempotency_key", &key), ("csrf", &csrf)]), None).await;
    assert_eq!(status, 403, "no session");
    assert_eq!(attendance_events(&app, "M1").await, 0);
    // A form without its key, or with a status it does not offer, is malformed.
    let (status, _, _) = send(with(&[("csrf", &csrf)]), Some(cookie.clone())).await;
    assert_eq!(status, 400);
    // Every line is checked before any is sent: a bad line stops the good ones too.
    let good = [("status:S1", "present".to_string()), ("holder:S1", "ORG-1".to_string())];
    for bad in [("status:S0", "proxy"), ("status:S9", "present")] {
        let mut fields = vec![("csrf", csrf.clone()), ("idempotency_key", key.clone())];
        fields.extend(good.iter().cloned());
        fields.push((bad.0, bad.1.to_string()));
        let (status, _, _) = send(fields, Some(cookie.clone())).await;
        assert_eq!(status, 400, "{bad:?}");
    }
    assert_eq!(attendance_events(&app, "M1").await, 0);

    // One submit records every line filled in, each through the pipeline; a second records nothing.
    let (status, _, html) = send(with(&[("csrf", &csrf), ("idempotency_key", &key)]), Some(cookie.clone())).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("2 recorded, 0 already recorded by this form, 0 refused."), "{html}");
    assert_eq!(attendance_events(&app, "M1").await, 2);
    let (status, _, html) = send(with(&[("csrf", &csrf), ("idempotency_key", &key)]), Some(cookie.clone())).await;
    assert_eq!(status, 200);
    assert!(html.contains("0 recorded, 2 already recorded by this form, 0 refused."), "{html}");
    assert_eq!(attendance_events(&app, "M1").await, 2, "a double submit records once");
    let history = app.get_json("/api/v1/meetings/M1/history").await;
    let recorded =
        history["items"].as_array().unwrap().iter().find(|e| e["event_type"] == "AttendanceRecorded").unwrap();
    assert_eq!(recorded["actor"], "alice", "recorded as the signed-in caller");

    // Refusals show beside their field with the rule's name; other lines are recorded.
    let (_, _, html) = page(&app, form_path, Some(&cookie)).await;
    let fresh = field(&html, "idempotency_key");
    assert_ne!(fresh, key, "every form has its own key");
    let fields = vec![
        ("csrf", csrf.clone()),
        ("idempotency_key", fresh),
        ("status:S0", "absent".to_string()),
        ("holder:S0", "ORG-0".to_string()),
        ("status:S2", "present".to_string()),
        ("holder:S2", "ORG-1".to_string()),
    ];
    let (status, _, html) = send(fields, Some(cookie.clone())).await;
    assert_eq!(status, 422);
    let outcome = |seat: &str| {
        html.split(&format!("id=\"outcome-{seat}\">")).nth(1).unwrap().split("</td>").next().unwrap().to_string()
    };
    assert!(outcome("S0").contains("<code class=\"rule\">attendance_already_recorded</code>"), "{}", outcome("S0"));
    assert!(outcome("S2").contains("<code class=\"rule\">seat_holder_mismatch</code>"), "{}", outcome("S2"));
    assert_eq!(attendance_events(&app, "M1").await, 2);
    // A closed meeting refuses every line.
    assert_eq!(app.post("/api/v1/meetings/M1/close", json!({"closed_on": "2026-06-16"})).await.status(), 200);
    let (_, _, html) = page(&app, form_path, Some(&cookie)).await;
    let key = field(&html, "idempotency_key");
    let fields = vec![
        ("csrf", csrf.clone()),
        ("idempotency_key", key),
        ("status:S2", "present".into()),
        ("holder:S2", "ORG-2".into()),
    ];
    let (status, _, html) = send(fields, Some(cookie.clone())).await;
    assert_eq!(status, 422);
    assert!(html.contains("<code class=\"rule\">meeting_closed</code>"));

    // Another role reads but may not record.
    let out = app.ledger(&["token", "create", "--role", "auditor", "--subject", "audit-firm"]).await;
    let auditor = last_line(&out);
    let auditor_cookie = sign_in(&app, &auditor, "/").await;
    let (status, _, _) = page(&app, form_path, Some(&auditor_cookie)).await;
    assert_eq!(status, 403);
    let (_, _, html) = page(&app, "/", Some(&auditor_cookie)).await;
    let auditor_csrf = field(&html, "csrf");
    let (status, _, _) = send(
        vec![("csrf", auditor_csrf), ("idempotency_key", "k".into()), ("status:S2", "present".into())],
        Some(auditor_cookie.clone()),
    )
    .await;
    assert_eq!(status, 403);

    // The token decides: revoking it ends its sessions.
    let id = hex::encode(Sha256::digest(auditor.as_bytes()))[..16].to_string();
    assert!(app.ledger(&["token", "revoke", &id]).await.status.success());
    let (_, _, html) = page(&app, "/", Some(&auditor_cookie)).await;
    assert!(html.contains("id=\"sign-in\"") && !html.contains("Signed in as"));

    // Sign-out needs the CSRF token, then ends the session and clears the cookie.
    let (status, _, _) = post_form(&app, "/sign-out", Some(&cookie), &[]).await;
    assert_eq!(status, 403);
    let (_, _, html) = page(&app, "/", Some(&cookie)).await;
    assert!(html.contains("Signed in as"), "a refused sign-out changes nothing");
    let (status, headers, _) = post_form(&app, "/sign-out", Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert!(set_cookie(&headers, "ledger_session").unwrap().contains("Max-Age=0"));
    let (_, _, html) = page(&app, "/", Some(&cookie)).await;
    assert!(!html.contains("Signed in as"));
    let (status, _, _) = page(&app, form_path, Some(&cookie)).await;
    assert_eq!(status, 303, "the old cookie is worth nothing");
    let (status, _, _) =
        send(vec![("csrf", csrf.clone()), ("idempotency_key", "k2".into())], Some(cookie.clone())).await;
    assert_eq!(status, 403);
    let _: Value = app.get_json("/health").await;
}
both_stores!(sign_in_sessions_csrf_and_the_attendance_form);

/// The pages read under the same visibility rule as the API: the public's timeline shows
/// a donor's confidential events as redacted records, and the donor's signed-in session
/// reads its own.
async fn pages_follow_who_may_see_what(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let (status, _, html) = page(&app, "/timeline?aggregate_type=contribution", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("redacted (donor-confidential, DONOR-B)"), "{html}");
    for secret in ["C-002", "DONOR-B/MDP-A87", "transfer 2026-03-20"] {
        assert!(!html.contains(secret), "the public's timeline shows {secret}");
    }
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "donor-b", "--scope", "DONOR-B"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cookie = sign_in(&app, &last_line(&out), "/timeline").await;
    let (_, _, html) = page(&app, "/timeline?aggregate_type=contribution", Some(&cookie)).await;
    assert!(html.contains("C-002"), "DONOR-B reads its own contribution");
    assert!(html.contains("redacted (donor-confidential, DONOR-A)"), "but not DONOR-A's");
    // A filter on what a redacted record hides never matches it.
    let (_, _, html) = page(&app, "/timeline?event_type=FundsAllocated", None).await;
    assert!(!html.contains("redacted (donor-confidential"), "an event-type filter must not reveal hidden types");
}
both_stores!(pages_follow_who_may_see_what);
