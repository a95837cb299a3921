//! The pages for donors and for paper, over plain HTTP on both stores: the programme with
//! its server-drawn charts and tables equal to the API's figures, and its downloads; a
//! donor's trail for its own session only, with its CSV and XLSX, never showing another
//! donor's values; and the printable dossier, every event with the JSON dossier's hash,
//! redacted where the reader may not read, with the print stylesheet served.

use reqwest::header::LOCATION;
use serde_json::Value;

use crate::both_stores;
use crate::csv::xlsx_contents;
use crate::support::{last_line, Store, TestApp};
use crate::web::{page, sign_in};

/// DONOR-B's values a DONOR-A or public reader must never see.
const DONOR_B_SECRETS: [&str; 3] = ["C-002", "A-005", "DONOR-B/MDP-A87"];

/// Money as the pages write it (`USD 39,143.00`), computed here independently.
fn written(money: &Value) -> String {
    let minor = money["amount_minor"].as_i64().unwrap_or_else(|| panic!("not money: {money}"));
    let currency = money["currency"].as_str().unwrap();
    let digits = (minor.unsigned_abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{currency} {}{grouped}.{:02}", if minor < 0 { "-" } else { "" }, minor.unsigned_abs() % 100)
}

/// The `data-minor` and the text of the table cell with this id.
fn cell(html: &str, id: &str) -> (i64, String) {
    let marker = format!("id=\"{id}\" data-minor=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no cell {id}")) + marker.len();
    let (minor, rest) = html[start..].split_once("\">").unwrap();
    (minor.parse().unwrap(), rest.split('<').next().unwrap().to_string())
}

/// The inline SVG with this id.
fn svg<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no chart {id}"));
    let start = html[..start].rfind("<svg").unwrap();
    let end = start + html[start..].find("</svg>").unwrap();
    &html[start..end]
}

/// The hrefs of the links with `class="download"`, with their format.
fn downloads(html: &str) -> Vec<(String, String)> {
    html.split("<a href=\"")
        .skip(1)
        .filter(|s| s.split('>').next().unwrap().contains("class=\"download\""))
        .map(|s| {
            let href = s.split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
            let format = s.split("data-format=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (href, format)
        })
        .collect()
}

fn assert_page_headers(headers: &reqwest::header::HeaderMap) {
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
}

async fn donor_token(app: &TestApp, subject: &str, scope: &str) -> String {
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", subject, "--scope", scope]).await;
    assert!(out.status.success(), "token create: {}", String::from_utf8_lossy(&out.stderr));
    last_line(&out)
}

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    request.send().await.unwrap()
}

async fn programme_page_draws_the_apis_figures(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let (status, headers, html) = page(&app, "/programme", None).await;
    assert_eq!(status, 200, "{html}");
    assert_page_headers(&headers);
    assert!(html.contains("href=\"/programme\" id=\"nav-programme\""), "the header links the page");
    assert!(!html.contains("<script"), "the charts need no script");

    // Per budget line: a group of bars per line, the table's figures the API's.
    let summary = app.get_json("/api/v1/programme").await;
    let lines = summary["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    let chart = svg(&html, "chart-lines");
    assert!(chart.contains("role=\"img\" aria-label=\"Per budget line") && chart.contains("<title>Per budget line"));
    assert_eq!(chart.matches("<g class=\"group\"").count(), lines.len(), "a group of bars per budget line");
    assert_eq!(chart.matches("<rect class=\"bar series-spent\"").count(), lines.len());
    for line in lines {
        let code = line["line_code"].as_str().unwrap();
        for field in [
            "baseline_monthly",
            "monthly_plan",
            "planned_to_date",
            "planned_total",
            "committed",
            "received",
            "allocated",
            "spent",
            "balance",
        ] {
            let (minor, text) = cell(&html, &format!("line-{code}-{field}"));
            assert_eq!(minor, line[field]["amount_minor"].as_i64().unwrap(), "{code} {field}");
            assert_eq!(text, written(&line[field]), "{code} {field}");
        }
        assert!(chart.contains(&format!("<title>{code} spent: {}</title>", written(&line["spent"]))), "{code}");
    }
    assert_eq!(cell(&html, "total-spent").1, written(&summary["totals"]["spent"]));

    // Per month: plan against spent, the burn rate and runway as text.
    let monthly = app.get_json("/api/v1/programme/monthly").await;
    let months = monthly["items"].as_array().unwrap();
    assert!(!months.is_empty());
    assert_eq!(svg(&html, "chart-months").matches("<g class=\"group\"").count(), months.len());
    assert!(svg(&html, "chart-cumulative").contains("<polyline"));
    for month in months {
        let m = month["month"].as_str().unwrap();
        for field in ["plan", "revised_plan", "committed", "received", "spent", "cumulative_spent"] {
            let (minor, text) = cell(&html, &format!("month-{m}-{field}"));
            assert_eq!(minor, month[field]["amount_minor"].as_i64().unwrap(), "{m} {field}");
            assert_eq!(text, written(&month[field]), "{m} {field}");
        }
    }
    assert!(
        html.contains(&format!("<strong id=\"burn-rate\">{} a month", written(&monthly["burn_rate"]))),
        "burn rate"
    );
    let runway = monthly["runway_months"].as_str().unwrap();
    assert!(html.contains(&format!("<strong id=\"runway\">{runway} months")), "runway {runway}");

    // The downloads are the API's own, and answer in their formats.
    let links = downloads(&html);
    assert!(links.iter().any(|(href, _)| href == "/api/v1/programme/monthly?format=xlsx"), "{links:?}");
    assert!(links.iter().any(|(href, _)| href == "/api/v1/programme/monthly?format=csv"), "{links:?}");
    for (href, format) in &links {
        let response = get(&app, href, None).await;
        assert_eq!(response.status(), 200, "{href}");
        let kind = response.headers()["content-type"].to_str().unwrap().to_string();
        let wanted = match format.as_str() {
            "CSV" => "text/csv",
            "XLSX" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _ => "application/xml",
        };
        assert!(kind.starts_with(wanted), "{href}: {kind}");
        let bytes = response.bytes().await.unwrap();
        let text =
            if format == "XLSX" { xlsx_contents(&bytes).1 } else { String::from_utf8_lossy(&bytes).into_owned() };
        for secret in DONOR_B_SECRETS {
            assert!(!text.contains(secret), "{href} shows {secret} to the public");
        }
    }
    for secret in DONOR_B_SECRETS {
        assert!(!html.contains(secret), "the public's programme page shows {secret}");
    }

    // As of a date, as the board: the same moment as the API's.
    let (status, _, html) = page(&app, "/programme?as_of=2026-03-31", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("on 2026-03-31</h1>"));
    let then = app.get_json("/api/v1/programme?as_of=2026-03-31").await;
    for line in then["lines"].as_array().unwrap() {
        let code = line["line_code"].as_str().unwrap();
        assert_eq!(cell(&html, &format!("line-{code}-spent")).1, written(&line["spent"]), "{code} on 31 March");
    }
    assert!(downloads(&html).iter().any(|(href, _)| href == "/api/v1/programme/monthly?as_of=2026-03-31&format=csv"));
    let (status, _, _) = page(&app, "/programme?as_of=2026-13-01", None).await;
    assert_eq!(status, 400, "a malformed date");
    let (status, _, html) = page(&app, "/programme?as_of=2020-01-01", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"not-established\""), "before the programme");
}
both_stores!(programme_page_draws_the_apis_figures);

async fn a_donors_trail_page_keeps_to_its_scope(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let a = donor_token(&app, "donor-a", "DONOR-A").await;

    // Without a session: to sign in first, and back.
    for path in ["/donors/DONOR-A/trail", "/donors/DONOR-A/trail.csv", "/donors/DONOR-A/trail.xlsx"] {
        let (status, headers, _) = page(&app, path, None).await;
        assert_eq!(status, 303, "{path}");
        assert_eq!(headers[LOCATION], "/sign-in?next=%2Fdonors%2FDONOR-A%2Ftrail", "{path}");
    }

    let cookie = sign_in(&app, &a, "/donors/DONOR-A/trail").await;
    let (status, headers, html) = page(&app, "/donors/DONOR-A/trail", Some(&cookie)).await;
    assert_eq!(status, 200, "{html}");
    assert_page_headers(&headers);
    let trail = {
        let r = app.client.get(app.url("/api/v1/donors/DONOR-A/trail")).bearer_auth(&a).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()
    };
    let c001 = &trail["contributions"][0];
    assert_eq!(c001["contribution_id"], "C-001");
    assert!(html.contains("id=\"contribution-C-001\""), "DONOR-A's contribution");
    for field in ["committed", "received", "allocated"] {
        assert!(html.contains(&written(&c001[field])), "C-001 {field} {}", written(&c001[field]));
    }
    for decision in trail["decisions"].as_array().unwrap() {
        assert!(html.contains(&format!("href=\"/decisions/{}\"", decision.as_str().unwrap())), "{decision}");
    }
    for secret in DONOR_B_SECRETS.iter().chain(&["DONOR-B"]) {
        assert!(!html.contains(secret), "DONOR-A's trail page shows {secret}");
    }

    // Its downloads, for the session's reader, and nothing of the other donor in them.
    let links = downloads(&html);
    assert_eq!(links.len(), 2, "{links:?}");
    for (href, format) in &links {
        let response = get(&app, href, Some(&cookie)).await;
        assert_eq!(response.status(), 200, "{href}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{href}");
        let kind = response.headers()["content-type"].to_str().unwrap().to_string();
        let text = if format == "XLSX" {
            assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "{href}");
            let (workbook, strings) = xlsx_contents(&response.bytes().await.unwrap());
            assert!(workbook.contains("name=\"contributions\""), "{workbook}");
            strings
        } else {
            assert!(kind.starts_with("text/csv"), "{href}: {kind}");
            let text = response.text().await.unwrap();
            assert_eq!(text.lines().count(), 1 + trail["contributions"].as_array().unwrap().len(), "{text}");
            text
        };
        assert!(text.contains("C-001"), "{href}");
        for secret in DONOR_B_SECRETS.iter().chain(&["DONOR-B"]) {
            assert!(!text.contains(secret), "{href} shows {secret} to DONOR-A");
        }
    }

    // Another donor's trail: the API's refusal, as a page.
    for path in ["/donors/DONOR-B/trail", "/donors/DONOR-B/trail.csv", "/donors/DONOR-B/trail.xlsx"] {
        let (status, headers, html) = page(&app, path, Some(&cookie)).await;
        assert_eq!(status, 403, "{path}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(html.contains("another donor"), "{html}");
        for secret in DONOR_B_SECRETS {
            assert!(!html.contains(secret), "{path} shows {secret}");
        }
    }
    // A public token is refused too; the Secretariat reads DONOR-B's (so the checks above
    // look for values a permitted reader does see).
    let out = app.ledger(&["token", "create", "--role", "public", "--subject", "reader"]).await;
    let public = sign_in(&app, &last_line(&out), "/").await;
    assert_eq!(page(&app, "/donors/DONOR-A/trail", Some(&public)).await.0, 403);
    let secretariat = sign_in(&app, &app.token, "/").await;
    let (status, _, html) = page(&app, "/donors/DONOR-B/trail", Some(&secretariat)).await;
    assert_eq!(status, 200);
    assert!(html.contains("C-002"), "the Secretariat reads DONOR-B's trail");

    // DONOR-A's session reads its own contribution on the programme page, not DONOR-B's.
    let (_, _, html) = page(&app, "/programme", Some(&cookie)).await;
    assert!(html.contains("<td>C-001</td>") && html.contains("href=\"/donors/DONOR-A/trail\""));
    for secret in DONOR_B_SECRETS {
        assert!(!html.contains(secret), "DONOR-A's programme page shows {secret}");
    }
}
both_stores!(a_donors_trail_page_keeps_to_its_scope);

async fn the_printable_dossier_is_the_json_dossier(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let dossier = app.get_json("/api/v1/dossiers/meeting:GCG-21").await;
    let events = dossier["events"].as_array().unwrap();
    assert!(!events.is_empty());
    let (status, headers, html) = page(&app, "/dossiers/meeting:GCG-21", None).await;
    assert_eq!(status, 200, "{html}");
    assert_page_headers(&headers);
    assert_eq!(html.matches("<tr class=\"event").count(), events.len(), "a row per event");
    for event in events {
        let hash = event["hash"].as_str().unwrap();
        assert!(
            html.contains(&format!("<td class=\"hash\">{hash}</td>")),
            "the hash of position {}",
            event["position"]
        );
        let record = &event["record"];
        if let Some(event_type) = record["event_type"].as_str() {
            assert!(html.contains(&format!("<td class=\"event-type\">{event_type}</td>")), "{event_type}");
        }
    }
    let tree_size = dossier["checkpoint"].as_str().unwrap().lines().nth(1).unwrap();
    assert!(html.contains(&format!("<dd id=\"tree-size\">{tree_size}</dd>")));
    assert!(html.contains(dossier["public_key"].as_str().unwrap()));
    assert!(html.contains("href=\"/api/v1/dossiers/meeting%3AGCG-21\"") && html.contains("href=\"/verify\""));

    // The pages that link it.
    assert!(page(&app, "/meetings/GCG-21", None).await.2.contains("href=\"/dossiers/meeting:GCG-21\""));
    let decision = dossier["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["record"]["aggregate_type"] == "decision")
        .map(|e| e["record"]["aggregate_id"].as_str().unwrap().to_string())
        .expect("a decision tabled at GCG-21");
    assert!(page(&app, &format!("/decisions/{decision}"), None)
        .await
        .2
        .contains(&format!("href=\"/dossiers/decision:{decision}\"")));
    let board = page(&app, "/pathfinders", None).await.2;
    let pfc = board.split("href=\"/dossiers/pfc:").nth(1).expect("the board links dossiers").split('"').next().unwrap();
    assert_eq!(page(&app, &format!("/dossiers/pfc:{pfc}"), None).await.0, 200);

    // A donor's dossier for the public: the other donor's records redacted, nothing of them shown.
    let json = app.get_json("/api/v1/dossiers/donor:DONOR-B").await;
    let redacted = json["events"].as_array().unwrap().iter().filter(|e| e["record"].get("payload").is_none()).count();
    assert!(redacted > 0);
    let (status, _, html) = page(&app, "/dossiers/donor:DONOR-B", None).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<tr class=\"event redacted\">").count(), redacted);
    assert!(html.contains("redacted (donor-confidential, DONOR-B)"));
    for secret in DONOR_B_SECRETS {
        assert!(!html.contains(secret), "the public's dossier page shows {secret}");
    }
    // As the API: a contribution's dossier needs a token; unknown and malformed subjects.
    assert_eq!(page(&app, "/dossiers/contribution:C-002", None).await.0, 401);
    assert_eq!(page(&app, "/dossiers/meeting:NO-SUCH", None).await.0, 404);
    assert_eq!(page(&app, "/dossiers/GCG-21", None).await.0, 400);

    // The print stylesheet: no navigation or forms, a page per section.
    let css = get(&app, "/static/style.css", None).await.text().await.unwrap();
    let print = &css[css.find("@media print").expect("print rules")..];
    assert!(print.contains("header.site nav") && print.contains("form"), "no nav, no forms on paper");
    assert!(print.contains("section.dossier-section") && print.contains("break-before: page"));
}
both_stores!(the_printable_dossier_is_the_json_dossier);
