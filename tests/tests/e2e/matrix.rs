//! The route × reader matrix: every GET route the OpenAPI document serves, read by every
//! kind of reader, over the demo history; no reader outside a donor's scope ever sees a
//! value that only that donor's confidential events hold (docs/API.md, "Who may see what").
//!
//! * The routes come from the served document (every path with a `get` operation), plus
//!   the reads it does not list; path parameters are filled with ids the demo ledger
//!   itself holds. A route the test cannot fill fails the test, so a new route is never
//!   skipped silently; only [`NOT_LEDGER_READS`] are left out, each with its reason.
//! * The confidential set is built from the ledger, not by hand: the Secretariat's
//!   `/api/v1/audit`, every `donor-confidential` event's amounts and references, keyed by
//!   its donor, less what any public event's payload holds, what the IATI file publishes
//!   by design (each commitment's and receipt's amount) and tokens too generic to mean
//!   anything (short codes, dates, small numbers, currencies).
//! * Every route × reader: never a 5xx; and for every donor whose scope the reader is
//!   outside of (everyone but the Secretariat, the auditor and the donor itself), the body
//!   holds none of that donor's confidential values: numbers on digit boundaries, strings
//!   as whole tokens. Values the request itself names (an id in the path) are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde_json::Value;

use crate::both_stores;
use crate::support::{last_line, Store, TestApp};

/// Routes the test does not read, and why: none of them serves ledger data.
const NOT_LEDGER_READS: &[(&str, &str)] = &[
    // Prometheus counters and timings of the process; its floating-point sums could match
    // an amount by accident and it serves no event, resource or reference.
    ("/metrics", "process metrics, not ledger data"),
    // Binary tiles of the Merkle tree (C2SP tlog-tiles): hashes only, never a payload.
    ("/tile/{path}", "binary hash tiles, no payload"),
];

/// GET reads the server serves that the OpenAPI document does not list.
const UNLISTED_READS: &[&str] = &["/api/v1/openapi.json"];

/// Path prefix → aggregate type, to fill `{id}` from the ledger's own aggregates.
const COLLECTIONS: &[(&str, &str)] = &[
    ("/api/v1/meetings/", "meeting"),
    ("/api/v1/decisions/", "decision"),
    ("/api/v1/organisations/", "organisation"),
    ("/api/v1/countries/", "country"),
    ("/api/v1/groups/", "group"),
    ("/api/v1/partners/", "partner"),
    ("/api/v1/pathfinders/", "pfc"),
    ("/api/v1/roadmaps/", "roadmap"),
    ("/api/v1/reporting-cycles/", "reporting_cycle"),
    ("/api/v1/reports/", "country_report"),
    ("/api/v1/programmes/", "programme"),
    ("/api/v1/donors/", "donor"),
    ("/api/v1/contributions/", "contribution"),
];

/// Aggregates worth reading beyond the ledger's pick: the meetings and decisions that
/// established the programme and authorised the reallocation DONOR-A consented to, and the
/// demo's focal point country.
const ALSO: &[(&str, &str)] = &[
    ("meeting", "GCG-21"),
    ("meeting", "GCG-22"),
    ("decision", "GCG-21-D03"),
    ("decision", "GCG-22-D02"),
    ("pfc", "NPL"),
];

/// A reader: its name, its token, and the donor whose confidential events it reads (all
/// donors for the Secretariat and the auditor).
struct ReaderToken {
    name: &'static str,
    token: Option<String>,
    reads: Reads,
}

enum Reads {
    AllDonors,
    Donor(&'static str),
    NoDonor,
}

impl ReaderToken {
    fn outside(&self, donor: &str) -> bool {
        match self.reads {
            Reads::AllDonors => false,
            Reads::Donor(own) => own != donor,
            Reads::NoDonor => true,
        }
    }
}

async fn token(app: &TestApp, role: &str, subject: &str, scope: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--role", role, "--subject", subject];
    if let Some(scope) = scope {
        args.extend(["--scope", scope]);
    }
    let out = app.ledger(&args).await;
    assert!(out.status.success(), "token create {role}: {}", String::from_utf8_lossy(&out.stderr));
    last_line(&out)
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_else(|e| panic!("GET {path} body: {e}"));
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn json(app: &TestApp, path: &str) -> Value {
    let (status, body) = get(app, Some(&app.token), path).await;
    assert_eq!(status, 200, "GET {path} as the Secretariat: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

// --- the confidential set ---------------------------------------------------------------

/// A value only a donor's confidential events hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Secret {
    /// An amount in minor units (also looked for as `major.minor`).
    Amount(i64),
    /// A reference: an id, an agreement or receipt reference, a letter's hash, an earmark.
    Text(String),
}

impl Secret {
    /// The forms the value may take in a body.
    fn forms(&self) -> Vec<String> {
        match self {
            Secret::Amount(minor) => vec![minor.to_string(), format!("{}.{:02}", minor / 100, minor % 100)],
            Secret::Text(text) => vec![text.clone()],
        }
    }
}

/// Keys whose string values are references worth keeping secret.
fn is_reference_key(key: &str) -> bool {
    key.ends_with("_id")
        || key.ends_with("_ref")
        || key.ends_with("_reference")
        || key.ends_with("_sha256")
        || ["earmark", "reason", "consents"].contains(&key)
}

/// Every amount and reference in a payload.
fn collect(value: &Value, key: &str, out: &mut BTreeSet<Secret>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, k, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, key, out)),
        Value::Number(n) if key == "amount_minor" || key == "minor_units" => {
            if let Some(n) = n.as_i64() {
                out.insert(Secret::Amount(n.abs()));
            }
        }
        Value::String(s) if is_reference_key(key) => {
            out.insert(Secret::Text(s.clone()));
        }
        _ => {}
    }
}

/// Every string and number anywhere in a payload (what a public event makes public).
fn everything(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => map.values().for_each(|v| everything(v, out)),
        Value::Array(items) => items.iter().for_each(|v| everything(v, out)),
        Value::Number(n) => {
            out.insert(n.as_i64().map(|n| n.abs().to_string()).unwrap_or_else(|| n.to_string()));
        }
        Value::String(s) => {
            out.insert(s.clone());
        }
        _ => {}
    }
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && s.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() })
}

/// Too generic to mean anything if found: short codes (line codes, receipt numbers,
/// currencies), dates, small numbers, the donors' ids (public: they are organisations).
fn generic(secret: &Secret, donors: &BTreeSet<String>) -> bool {
    match secret {
        Secret::Amount(n) => *n < 10_000,
        Secret::Text(s) => s.len() < 5 || is_date(s) || donors.contains(s),
    }
}

/// The confidential set per donor, from the demo ledger as the Secretariat reads it.
async fn confidential_set(app: &TestApp) -> (BTreeMap<String, BTreeSet<Secret>>, Vec<Value>) {
    let mut entries = Vec::new();
    loop {
        let page = json(app, &format!("/api/v1/audit?from={}&limit=1000", entries.len())).await;
        let page = page.as_array().expect("the audit is a list").clone();
        if page.is_empty() {
            break;
        }
        entries.extend(page);
    }
    let mut by_donor: BTreeMap<String, BTreeSet<Secret>> = BTreeMap::new();
    let mut public = BTreeSet::new();
    let mut published = BTreeSet::new();
    let mut donors = BTreeSet::new();
    for e in &entries {
        assert!(e.get("redacted").is_none(), "the Secretariat reads every event whole: {e}");
        let visibility = e["visibility"].as_str().unwrap_or_else(|| panic!("an audit entry without visibility: {e}"));
        match visibility {
            "public" => everything(&e["payload"], &mut public),
            "donor-confidential" => {
                let donor = e["scope"].as_str().unwrap_or_else(|| panic!("confidential without a donor: {e}"));
                donors.insert(donor.to_string());
                collect(&e["payload"], "", by_donor.entry(donor.to_string()).or_default());
                // What the IATI file publishes by design: each commitment's, adjustment's
                // and receipt's amount (docs/API.md, "The IATI file is a publication").
                let event_type = e["event_type"].as_str().unwrap_or_default();
                if ["ContributionCommitted", "CommitmentAdjusted", "FundsReceived"].contains(&event_type) {
                    let mut amounts = BTreeSet::new();
                    collect(&e["payload"], "", &mut amounts);
                    published.extend(amounts.into_iter().filter(|s| matches!(s, Secret::Amount(_))));
                }
            }
            _ => {}
        }
    }
    for secrets in by_donor.values_mut() {
        secrets.retain(|s| {
            let in_public = match s {
                Secret::Amount(n) => public.contains(&n.to_string()),
                Secret::Text(t) => public.contains(t),
            };
            !in_public && !published.contains(s) && !generic(s, &donors)
        });
    }
    (by_donor, entries)
}

// --- the routes ----------------------------------------------------------------------------

/// The ids to read of each aggregate type: every aggregate with an event not everyone may
/// read, the first two of the type, and [`ALSO`].
fn ids_by_type(entries: &[Value]) -> BTreeMap<String, Vec<String>> {
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let add = |t: &str, id: &str, ids: &mut BTreeMap<String, Vec<String>>| {
        let list = ids.entry(t.to_string()).or_default();
        if !list.iter().any(|x| x == id) {
            list.push(id.to_string());
        }
    };
    let mut first: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in entries {
        let (t, id) = (e["aggregate_type"].as_str().unwrap(), e["aggregate_id"].as_str().unwrap());
        let seen = first.entry(t).or_default();
        if seen.len() < 2 && !seen.contains(&id) {
            seen.push(id);
            add(t, id, &mut ids);
        }
        if e["visibility"] != "public" {
            add(t, id, &mut ids);
        }
    }
    for (t, id) in ALSO {
        assert!(
            entries.iter().any(|e| e["aggregate_type"] == *t && e["aggregate_id"] == *id),
            "the demo has no {t} {id}"
        );
        add(t, id, &mut ids);
    }
    ids
}

/// The document names to read: the documents the scenario stored, and every SHA-256 a
/// confidential event cites (not stored: their reads must say so without a 5xx or a leak).
fn document_names(entries: &[Value], stored: &[String]) -> Vec<String> {
    fn hashes(value: &Value, key: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| hashes(v, k, out)),
            Value::Array(items) => items.iter().for_each(|v| hashes(v, key, out)),
            Value::String(s) if key.ends_with("sha256") && s.len() == 64 => out.push(s.clone()),
            _ => {}
        }
    }
    let mut names = stored.to_vec();
    for e in entries.iter().filter(|e| e["visibility"] != "public") {
        hashes(&e["payload"], "", &mut names);
    }
    names.dedup();
    names
}

/// Every GET the matrix reads: from the OpenAPI document, filled from the ledger.
async fn urls(
    app: &TestApp,
    entries: &[Value],
    ids: &BTreeMap<String, Vec<String>>,
    stored: &[String],
) -> (usize, Vec<String>) {
    let document = json(app, "/api/v1/openapi.json").await;
    let paths = document["paths"].as_object().expect("paths");
    let mut routes: Vec<String> =
        paths.iter().filter(|(_, ops)| ops.get("get").is_some()).map(|(p, _)| p.clone()).collect();
    for unlisted in UNLISTED_READS {
        assert!(
            !routes.iter().any(|r| r == unlisted),
            "{unlisted} is now in the document: drop it from UNLISTED_READS"
        );
        routes.push(unlisted.to_string());
    }
    for (skipped, _) in NOT_LEDGER_READS {
        assert!(routes.iter().any(|r| r == skipped), "{skipped} is no longer served: drop it from NOT_LEDGER_READS");
    }
    let size = entries.len();
    let confidential: Vec<&Value> = entries.iter().filter(|e| e["visibility"] == "donor-confidential").collect();
    let mut unfilled = Vec::new();
    let mut out = Vec::new();
    let route_count = routes.len() - NOT_LEDGER_READS.len();
    for route in routes {
        if NOT_LEDGER_READS.iter().any(|(r, _)| *r == route) {
            continue;
        }
        // Reads driven by query parameters.
        match route.as_str() {
            "/api/v1/audit" => {
                out.extend((0..size).step_by(1000).map(|from| format!("{route}?from={from}&limit=1000")));
                continue;
            }
            "/api/v1/ledger/proofs/inclusion" => {
                for e in &confidential {
                    out.push(format!("{route}?position={}&tree_size={size}", e["position"]));
                    out.push(format!(
                        "{route}?aggregate_type={}&aggregate_id={}&sequence={}",
                        e["aggregate_type"].as_str().unwrap(),
                        e["aggregate_id"].as_str().unwrap(),
                        e["sequence"]
                    ));
                }
                continue;
            }
            "/api/v1/ledger/proofs/consistency" => {
                out.push(format!("{route}?from=1&to={size}"));
                continue;
            }
            "/api/v1/programme/reallocations" => out.push(format!("{route}?since=2026-01-01")),
            _ => {}
        }
        if route == "/api/v1/people/{ref}" {
            // People are read by their reference, `person:` and the aggregate's id.
            let people = ids.get("person").unwrap_or_else(|| panic!("the demo has no person to fill {route}"));
            out.extend(people.iter().map(|id| format!("/api/v1/people/person:{id}")));
            continue;
        }
        if route == "/api/v1/dossiers/{subject}" {
            for (t, list) in ids {
                for id in list {
                    out.push(format!("/api/v1/dossiers/{t}:{id}"));
                    out.push(format!("/api/v1/dossiers/{t}:{id}?format=markdown"));
                }
            }
            continue;
        }
        if route == "/api/v1/dossiers/{subject}/documents" {
            for (t, list) in ids {
                out.extend(list.iter().map(|id| format!("/api/v1/dossiers/{t}:{id}/documents")));
            }
            continue;
        }
        if let Some(tail) = route.strip_prefix("/api/v1/documents/{sha256}") {
            out.extend(document_names(entries, stored).iter().map(|name| format!("/api/v1/documents/{name}{tail}")));
            continue;
        }
        if !route.contains('{') {
            out.push(route);
            continue;
        }
        let Some((prefix, t)) = COLLECTIONS.iter().find(|(p, _)| route.starts_with(p)) else {
            unfilled.push(route);
            continue;
        };
        let rest = &route[prefix.len()..];
        let Some(tail) = rest.strip_prefix("{id}") else {
            unfilled.push(route);
            continue;
        };
        if tail.contains('{') {
            unfilled.push(route);
            continue;
        }
        let list = ids.get(*t).unwrap_or_else(|| panic!("the demo has no {t} to fill {route}"));
        for id in list {
            out.push(format!("{prefix}{id}{tail}"));
            if route.ends_with("/reallocations") {
                out.push(format!("{prefix}{id}{tail}?since=2026-01-01"));
            }
        }
    }
    assert!(
        unfilled.is_empty(),
        "GET routes the matrix cannot fill (teach it, or say why in NOT_LEDGER_READS): {unfilled:?}"
    );
    (route_count, out)
}

// --- matching ------------------------------------------------------------------------------

/// Whether `needle` occurs in `body` as a whole token: neither neighbour is a letter or
/// digit (so `A-005` is not found in `A-0050`, nor `4000000` in `40000000` or in a hash).
fn occurs(body: &str, needle: &str) -> bool {
    let bytes = body.as_bytes();
    body.match_indices(needle).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + needle.len()).copied();
        !before.is_some_and(|b| b.is_ascii_alphanumeric()) && !after.is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

// --- the scenario --------------------------------------------------------------------------

async fn route_by_reader_matrix(store: Store) {
    let started = Instant::now();
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;

    let readers = vec![
        ReaderToken { name: "anonymous", token: None, reads: Reads::NoDonor },
        ReaderToken { name: "public", token: Some(token(&app, "public", "reader", None).await), reads: Reads::NoDonor },
        ReaderToken {
            name: "donor A",
            token: Some(token(&app, "donor", "donor-a", Some("DONOR-A")).await),
            reads: Reads::Donor("DONOR-A"),
        },
        ReaderToken {
            name: "donor B",
            token: Some(token(&app, "donor", "donor-b", Some("DONOR-B")).await),
            reads: Reads::Donor("DONOR-B"),
        },
        ReaderToken {
            name: "focal point NPL",
            token: Some(token(&app, "focal_point", "npl-focal", Some("NPL")).await),
            reads: Reads::NoDonor,
        },
        ReaderToken {
            name: "auditor",
            token: Some(token(&app, "auditor", "audit-firm", None).await),
            reads: Reads::AllDonors,
        },
        ReaderToken { name: "secretariat", token: Some(app.token.clone()), reads: Reads::AllDonors },
    ];

    let (secrets, entries) = confidential_set(&app).await;
    let total: usize = secrets.values().map(BTreeSet::len).sum();
    println!("confidential set: {total} values ({store:?})");
    for (donor, set) in &secrets {
        println!("  {donor}: {set:?}");
    }
    let b = &secrets["DONOR-B"];
    assert!(b.contains(&Secret::Text("DONOR-B/MDP-A87/2026-01".into())), "DONOR-B's agreement: {b:?}");
    assert!(b.contains(&Secret::Text("A-005".into())) && b.contains(&Secret::Text("C-002".into())), "{b:?}");
    let a = &secrets["DONOR-A"];
    for amount in [4_000_000, 16_000_000, 6_000_000, 3_000_000] {
        assert!(a.contains(&Secret::Amount(amount)), "DONOR-A's allocation of {amount}: {a:?}");
    }

    let ids = ids_by_type(&entries);
    // A stored document no event cites: the Secretariat's and auditors' only.
    let upload = app
        .client
        .post(app.url("/api/v1/documents"))
        .bearer_auth(&app.token)
        .header("content-type", "text/plain")
        .body("a document no event cites")
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 201);
    let stored: Value = upload.json().await.expect("the stored document");
    let stored = vec![stored["sha256"].as_str().expect("its name").to_string()];
    let (route_count, urls) = urls(&app, &entries, &ids, &stored).await;
    println!(
        "matrix: {route_count} routes ({} reads once filled) × {} readers = {} requests",
        urls.len(),
        readers.len(),
        urls.len() * readers.len()
    );

    let mut failures = Vec::new();
    for url in &urls {
        for reader in &readers {
            let (status, body) = get(&app, reader.token.as_deref(), url).await;
            if status >= 500 {
                failures.push(format!("GET {url} as {}: {status} {body}", reader.name));
                continue;
            }
            for (donor, set) in &secrets {
                if !reader.outside(donor) {
                    continue;
                }
                for secret in set {
                    for form in secret.forms() {
                        if !occurs(url, &form) && occurs(&body, &form) {
                            let mut at = body.find(&form).unwrap_or(0).saturating_sub(80);
                            while !body.is_char_boundary(at) {
                                at -= 1;
                            }
                            let context: String = body[at..].chars().take(200).collect();
                            failures.push(format!(
                                "GET {url} as {} ({status}) shows {donor}'s {form:?}: …{context}…",
                                reader.name
                            ));
                        }
                    }
                }
            }
        }
    }
    println!("matrix on {store:?}: {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
both_stores!(route_by_reader_matrix);

#[test]
fn occurs_on_token_boundaries_only() {
    assert!(occurs(r#"{"amount_minor":4000000}"#, "4000000"));
    assert!(!occurs(r#"{"amount_minor":40000000}"#, "4000000"));
    assert!(!occurs("a4000000f", "4000000"));
    assert!(occurs("ref A-005.", "A-005"));
    assert!(!occurs("A-0050", "A-005"));
}
