//! The time contract of every read of state (docs/API.md, "The time contract"): each read is
//! computed for `as_of` and `known_at`, says so in its body and headers, refuses what it
//! cannot answer, and reflects nothing after its moment.
//!
//! Two properties over seeded random draws, on the demo history:
//! * **prefix**: for a random position N, every read with `known_at=N` equals the same
//!   read on a second server whose ledger holds only the events at positions 0..=N,
//!   copied into a fresh database. Nothing is removed before comparing, except the IATI
//!   file's `generated-datetime` attribute (the time the file was rendered).
//! * **dates**: for a random date D, no date in any `as_of=D` answer lies after D, except
//!   in the fields the answer lists in `planned_fields` (plans) or `recorded_fields`
//!   (recording times, bounded by `known_at`).

use serde_json::Value;

use crate::both_stores;
use crate::support::{expect_problem, fresh_ledger, Store, TestApp};

/// A small deterministic generator (SplitMix64), so a failing draw can be replayed.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A date between 2015-01-01 and 2026-12-31.
    fn date(&mut self) -> String {
        self.date_from(2015)
    }

    /// A date between January 1st of `year` and 2026-12-31.
    fn date_from(&mut self, year: i32) -> String {
        let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let days = (chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap() - start).num_days() as u64;
        (start + chrono::Days::new(self.below(days + 1))).to_string()
    }
}

fn seed() -> u64 {
    std::env::var("TIME_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x0A87)
}

async fn get(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = app.client.get(app.url(path)).bearer_auth(&app.token).send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.expect("body"))
}

fn with(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else if path.contains('?') {
        format!("{path}&{query}")
    } else {
        format!("{path}?{query}")
    }
}

fn enc(id: &str) -> String {
    id.replace('/', "%2F")
}

fn ids(body: &Value, list: &str, field: &str) -> Vec<String> {
    body[list].as_array().into_iter().flatten().filter_map(|d| d[field].as_str().map(str::to_string)).collect()
}

/// Every read of state the demo answers at a moment (`query` is `as_of=…&known_at=…`):
/// the singletons and lists, and each item the lists name at that moment.
async fn state_paths(app: &TestApp, query: &str) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/gcg",
        "/gcg/record",
        "/gcg/chairs",
        "/gcg/policies",
        "/gcg/history",
        "/pathfinders",
        "/reporting-cycles",
        "/programme",
        "/programme/history",
        "/programme/reallocations",
        "/programme/iati.xml",
        "/meetings?limit=1000",
        "/decisions?limit=1000",
        "/groups",
        "/partners",
        "/partners?status=admitted",
        "/organisations?limit=1000",
        "/countries?limit=1000",
        "/donors",
        "/contributions",
    ]
    .iter()
    .map(|p| format!("/api/v1{p}"))
    .collect();
    let list = |path: &'static str| async move {
        let (status, _, body) = get(app, &with(&format!("/api/v1{path}"), query)).await;
        assert_eq!(status, 200, "{path}?{query}: {body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let resources: [(&str, &str, &str, &[&str]); 7] = [
        ("/meetings?limit=1000", "meetings", "meeting_id", &["", "/history"]),
        ("/decisions?limit=1000", "decisions", "decision_id", &["", "/history", "/provenance"]),
        ("/groups", "groups", "group_id", &["", "/history"]),
        ("/partners", "partners", "organisation", &["", "/history"]),
        ("/donors", "donors", "organisation", &["", "/history", "/trail"]),
        ("/contributions", "contributions", "contribution_id", &["", "/history"]),
        ("/reporting-cycles", "reporting-cycles", "cycle_id", &["", "/history", "/compliance"]),
    ];
    for (list_path, resource, field, suffixes) in resources {
        for id in ids(&list(list_path).await, "items", field) {
            for suffix in suffixes {
                paths.push(format!("/api/v1/{resource}/{}{suffix}", enc(&id)));
            }
        }
    }
    let board = list("/pathfinders").await;
    for iso3 in ids(&board, "countries", "iso3") {
        for suffix in ["", "/history", "/approvals"] {
            paths.push(format!("/api/v1/pathfinders/{iso3}{suffix}"));
        }
        let (_, _, country) = get(app, &with(&format!("/api/v1/pathfinders/{iso3}"), query)).await;
        let country: Value = serde_json::from_str(&country).unwrap();
        for roadmap in ids(&country, "roadmaps", "roadmap_id") {
            paths.push(format!("/api/v1/roadmaps/{}", enc(&roadmap)));
            paths.push(format!("/api/v1/roadmaps/{}/history", enc(&roadmap)));
        }
        for report in ids(&country, "reports", "report_id") {
            paths.push(format!("/api/v1/reports/{}", enc(&report)));
            paths.push(format!("/api/v1/reports/{}/history", enc(&report)));
        }
    }
    paths
}

/// The answer with what legitimately differs between two servers removed: the IATI file's
/// `generated-datetime` (when it was rendered).
fn comparable(body: &str) -> String {
    match body.find("generated-datetime=\"") {
        Some(start) => {
            let value = start + "generated-datetime=\"".len();
            let end = body[value..].find('"').map_or(body.len(), |e| value + e);
            format!("{}{}", &body[..value], &body[end..])
        }
        None => body.to_string(),
    }
}

/// Copies the events at positions 0..=`up_to` of `app`'s ledger, in ledger order, into a
/// fresh database (migrated by `ledger_store::Db::connect`); its sealer will give them the
/// same positions.
async fn copy_prefix(app: &TestApp, up_to: i64) -> (std::path::PathBuf, String) {
    let (dir, url) = fresh_ledger(app.store).await;
    std::fs::copy(&app.key_file, dir.join("ledger.key")).expect("key copied");
    let source = ledger_store::Db::connect(&app.database_url).await.expect("source");
    let target = ledger_store::Db::connect(&url).await.expect("target");
    type Row = (String, String, i64, String, String, String, String);
    let select = format!(
        "SELECT e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version, {} AS payload, {} AS metadata \
         FROM positions l JOIN events e ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id \
         AND e.sequence = l.sequence WHERE l.position <= $1 ORDER BY l.position",
        source.json_text("e.payload"),
        source.json_text("e.metadata")
    );
    let rows: Vec<Row> = match &source {
        ledger_store::Db::Postgres(pool) => sqlx::query_as(&select).bind(up_to).fetch_all(pool).await.unwrap(),
        ledger_store::Db::Sqlite(pool) => sqlx::query_as(&select).bind(up_to).fetch_all(pool).await.unwrap(),
    };
    assert_eq!(rows.len() as i64, up_to + 1);
    for (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) in rows {
        match &target {
            ledger_store::Db::Postgres(pool) => sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
                 VALUES ($1, $2, $3, $4, $5, CAST($6 AS jsonb), CAST($7 AS jsonb))",
            )
            .bind(aggregate_type)
            .bind(aggregate_id)
            .bind(sequence)
            .bind(event_type)
            .bind(event_version)
            .bind(payload)
            .bind(metadata)
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap(),
            ledger_store::Db::Sqlite(pool) => sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(aggregate_type)
            .bind(aggregate_id)
            .bind(sequence)
            .bind(event_type)
            .bind(event_version)
            .bind(payload)
            .bind(metadata)
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap(),
        }
    }
    // The personal-data register lives outside the ledger and is read as it is now: the
    // copy holds the same register, as a restored backup would.
    let people: Vec<String> = match &source {
        ledger_store::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT person_ref FROM personal_data").fetch_all(pool).await
        }
        ledger_store::Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT person_ref FROM personal_data").fetch_all(pool).await
        }
    }
    .unwrap();
    for person in people {
        let row = ledger_store::personal::get(&source, &person).await.unwrap().expect("the person just listed");
        ledger_store::personal::insert(&target, &row).await.unwrap();
    }
    (dir, url)
}

/// Property (a): reads known at N equal the reads of a ledger holding only positions 0..=N.
async fn known_at_reads_equal_a_ledger_of_that_prefix(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let head = app.get_json("/health").await["ledger_size"].as_i64().unwrap() - 1;
    let mut draws = Draws(seed());
    let (mut compared, mut stored) = (0, 0);
    for round in 0..3 {
        let n = if round == 0 { head / 2 } else { i64::try_from(draws.below(u64::try_from(head).unwrap())).unwrap() };
        let as_of = draws.date();
        let (dir, url) = copy_prefix(&app, n).await;
        let prefix = TestApp::spawn_on(store, dir, url, &["--clock-interval-secs", "0"]).await;
        prefix.settle().await;
        let prefix_head = prefix.get_json("/health").await["ledger_size"].as_i64().unwrap() - 1;
        assert!(prefix_head >= n, "the copy holds positions 0..={n}");
        for query in [format!("known_at={n}"), format!("as_of={as_of}&known_at={n}")] {
            for path in state_paths(&app, &query).await {
                let (status, headers, body) = get(&app, &with(&path, &query)).await;
                let (prefix_status, _, prefix_body) = get(&prefix, &with(&path, &query)).await;
                assert_eq!(
                    (status, comparable(&body)),
                    (prefix_status, comparable(&prefix_body)),
                    "GET {path}?{query} (seed {})",
                    seed()
                );
                if status == 200 {
                    assert_eq!(headers["ledger-known-at"], n.to_string().as_str(), "{path}");
                }
                compared += 1;
            }
            // Where the copy's head is N (no decision effect was left to resume), its stored
            // views answer the default reads: they must agree with the replay too.
            if prefix_head == n && !query.starts_with("as_of") {
                for path in state_paths(&prefix, "").await.iter().take(40) {
                    let (_, _, known) = get(&app, &with(path, &query)).await;
                    let (_, _, current) = get(&prefix, path).await;
                    let today = chrono::Utc::now().date_naive().to_string();
                    let (known, current) = (comparable(&known), comparable(&current));
                    if !path.contains("iati.xml") {
                        let mut known: Value = serde_json::from_str(&known).unwrap();
                        let current: Value = serde_json::from_str(&current).unwrap();
                        assert_eq!(known["as_of"], today.as_str());
                        known["as_of"] = current["as_of"].clone();
                        assert_eq!(known, current, "GET {path}: replayed at {n} vs stored views");
                        stored += 1;
                    }
                }
            }
        }
    }
    println!("compared {compared} reads with the prefix's, {stored} with its stored views");
    assert!(compared > 100, "compared {compared} reads");
}
both_stores!(known_at_reads_equal_a_ledger_of_that_prefix);

fn late_dates(value: &Value, pointer: &str, as_of: &str, exempt: &[String], out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                late_dates(item, &format!("{pointer}/{key}"), as_of, exempt, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                late_dates(item, &format!("{pointer}/{i}"), as_of, exempt, out);
            }
        }
        Value::String(text) => {
            let is_date = text.len() >= 10 && chrono::NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").is_ok();
            if is_date && &text[..10] > as_of && !exempt.iter().any(|p| projections::time::matches(p, pointer)) {
                out.push(format!("{pointer} = {text}"));
            }
        }
        _ => {}
    }
}

/// Property (b): no date in an `as_of=D` answer lies after D unless it is labelled planned
/// (or is a recording time).
async fn no_date_lies_after_as_of_unless_planned(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let mut draws = Draws(seed() ^ 0xD47E);
    // Half over the whole history, half over the last two years (the programme's).
    let mut dates: Vec<String> = (0..10).map(|i| if i < 5 { draws.date() } else { draws.date_from(2025) }).collect();
    dates.push("2024-06-30".into());
    let mut checked = 0;
    for as_of in dates {
        let query = format!("as_of={as_of}");
        for path in state_paths(&app, &query).await {
            let (status, headers, body) = get(&app, &with(&path, &query)).await;
            if status == 404 {
                continue;
            }
            assert_eq!(status, 200, "GET {path}?{query}: {body}");
            assert_eq!(headers["ledger-as-of"], as_of.as_str());
            if path.ends_with("iati.xml") {
                assert!(body.contains(&format!("<!-- ledger as_of={as_of} known_at=")), "{body}");
                continue;
            }
            let answer: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(answer["as_of"], as_of.as_str(), "{path}");
            let exempt: Vec<String> = ["planned_fields", "recorded_fields"]
                .iter()
                .flat_map(|k| answer[*k].as_array().cloned().unwrap_or_default())
                .filter_map(|p| p.as_str().map(str::to_string))
                .chain(["/as_of".to_string()])
                .collect();
            let mut late = Vec::new();
            late_dates(&answer, "", &as_of, &exempt, &mut late);
            assert!(late.is_empty(), "GET {path}?{query} (seed {}): {late:?}", seed());
            checked += 1;
        }
    }
    assert!(checked > 100, "checked {checked} answers");
}
both_stores!(no_date_lies_after_as_of_unless_planned);

/// The reported defects, each as its bad case, and the contract's refusals.
async fn reads_honour_and_state_their_moment(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let head = app.get_json("/health").await["ledger_size"].as_i64().unwrap() - 1;

    // The Chair's term as it stood on 2024-06-30: the extension came on 2025-12-09.
    let (status, headers, body) = get(&app, "/api/v1/gcg?as_of=2024-06-30").await;
    assert_eq!(status, 200);
    assert_eq!(headers["ledger-as-of"], "2024-06-30");
    assert_eq!(headers["ledger-known-at"], head.to_string().as_str());
    let gcg: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((gcg["chair"]["holder"].as_str(), gcg["chair"]["term_end"].as_str()), (Some("CHL"), Some("2026-05-31")));
    assert_eq!((gcg["as_of"].as_str(), gcg["known_at"].as_i64()), (Some("2024-06-30"), Some(head)));
    assert!(gcg["planned_fields"].as_array().unwrap().contains(&Value::from("/chair/term_end")));
    assert_eq!(app.get_json("/api/v1/gcg?as_of=2026-12-01").await["chair"]["term_end"], "2027-05-31");
    let chairs = app.get_json("/api/v1/gcg/chairs?as_of=2024-06-30").await;
    assert_eq!(chairs["terms"][2]["term_end"], "2026-05-31", "{chairs}");
    assert_eq!(chairs["terms"][2]["extensions"], serde_json::json!([]));
    let record = app.get_json("/api/v1/gcg/record?as_of=2019-01-01").await;
    assert!(record["terms"].as_array().unwrap().iter().all(|t| t["holder"] != "CHL"), "no 2023 election in 2019");
    let policies = app.get_json("/api/v1/gcg/policies?as_of=2019-01-01").await;
    assert_eq!(policies["items"].as_array().unwrap().len(), 1, "the 2022 rules were not adopted yet: {policies}");

    // The board in 2019: NPL onboarding, with nothing of what came later.
    let board = app.get_json("/api/v1/pathfinders?as_of=2019-01-01").await;
    let line = |iso3: &str| board["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == iso3).cloned();
    let npl = line("NPL").expect("NPL on the 2019 board");
    assert_eq!(npl["stage"], "onboarding");
    assert_eq!(
        (&npl["status_granted_by"], &npl["current_roadmap"], &npl["last_report"]),
        (&Value::Null, &Value::Null, &Value::Null),
        "{npl}"
    );
    for iso3 in ["FJI", "PER", "VNM"] {
        assert!(line(iso3).is_none_or(|l| l["last_report"].is_null()), "{iso3} had no report in 2019");
    }

    // Compliance: one status per row, as it stood; a cycle not yet launched is not there.
    let april = app.get_json("/api/v1/reporting-cycles/2026/compliance?as_of=2026-04-01").await;
    for row in april["countries"].as_array().unwrap() {
        let published = row["status"] == "published";
        assert!(!(published && row["compliance"] == "awaited"), "{row}");
    }
    assert_eq!(april["totals"].get("published"), None, "nothing was published by April: {april}");
    let (status, _, _) = get(&app, "/api/v1/reporting-cycles/2026/compliance?as_of=2020-01-01").await;
    assert_eq!(status, 404, "the 2026 cycle did not exist in 2020");

    // known_at is honoured by the board and by compliance.
    let cycle_launched =
        app.get_json("/api/v1/reporting-cycles/2026/history").await["items"][0]["position"].as_i64().unwrap();
    let before = format!("/api/v1/reporting-cycles/2026/compliance?known_at={}", cycle_launched - 1);
    expect_problem(app.client.get(app.url(&before)).send().await.unwrap(), 404, "not_found").await;
    let early = app.get_json("/api/v1/pathfinders?known_at=20").await;
    assert!(early["countries"].as_array().unwrap().len() < board["countries"].as_array().unwrap().len() + 10);
    assert_eq!(early["known_at"], 20);
    let first = app.get_json("/api/v1/pathfinders?known_at=0").await;
    assert_eq!(first["countries"], serde_json::json!([]), "position 0 is not a Pathfinder event");

    // as_of is accepted (and stated) everywhere, not refused or ignored.
    for path in [
        "/api/v1/groups",
        "/api/v1/partners",
        "/api/v1/partners?status=admitted",
        "/api/v1/meetings",
        "/api/v1/programme/reallocations",
        "/api/v1/gcg/policies",
    ] {
        let answer = app.get_json(&with(path, "as_of=2017-01-01")).await;
        assert_eq!(answer["as_of"], "2017-01-01", "{path}");
        assert!(answer["items"].is_array(), "{path}");
    }
    let meetings = app.get_json("/api/v1/meetings?as_of=2019-01-01").await["items"].clone();
    assert!(meetings.as_array().unwrap().iter().all(|m| m["date"].as_str().unwrap() <= "2019-01-01"));
    let (_, headers, xml) = get(&app, "/api/v1/programme/iati.xml?as_of=2026-06-30").await;
    assert_eq!(headers["ledger-as-of"], "2026-06-30");
    assert!(xml.contains(&format!("<!-- ledger as_of=2026-06-30 known_at={head} -->")));

    // Before anything existed: an explicit empty state, never today's values.
    let nothing = app.get_json("/api/v1/gcg?as_of=1999-01-01").await;
    assert_eq!(nothing["exists"], false, "{nothing}");
    assert_eq!(nothing.get("chair"), None);
    assert_eq!(app.get_json("/api/v1/programme?as_of=1999-01-01").await["exists"], false);
    assert_eq!(app.get_json("/api/v1/meetings?as_of=1999-01-01").await["items"], serde_json::json!([]));
    assert_eq!(app.get_json("/api/v1/pathfinders?as_of=1999-01-01").await["countries"], serde_json::json!([]));
    assert_eq!(app.get_json("/api/v1/gcg/history?as_of=1999-01-01").await["items"], serde_json::json!([]));
    let gone = app.client.get(app.url("/api/v1/meetings/GCG-19?as_of=1999-01-01")).send().await.unwrap();
    let problem = expect_problem(gone, 404, "not_found").await;
    assert!(problem["detail"].as_str().unwrap().contains("as of 1999-01-01"), "{problem}");

    // Paging keeps the moment.
    let r = app.client.get(app.url("/api/v1/meetings?limit=2&as_of=2024-01-01")).send().await.unwrap();
    let link = r.headers()["link"].to_str().unwrap().to_string();
    assert!(link.contains("as_of=2024-01-01") && link.contains(&format!("known_at={head}")), "{link}");

    // Refusals, each naming the parameter.
    for (path, named) in [
        ("/api/v1/gcg?foo=1", "`foo`"),
        ("/api/v1/gcg/record?foo=1", "`foo`"),
        ("/api/v1/meetings?foo=1", "`foo`"),
        ("/api/v1/meetings/GCG-19?foo=1", "`foo`"),
        ("/api/v1/meetings/GCG-19/history?asof=2020-01-01", "`asof`"),
        ("/api/v1/partners?status=admitted&bar=2", "`bar`"),
        ("/api/v1/programme/iati.xml?foo=1", "`foo`"),
        ("/api/v1/programme/reallocations?until=2026-01-01", "`until`"),
        ("/api/v1/gcg?as_of=2020-01-01&as_of=2021-01-01", "`as_of`"),
        ("/api/v1/gcg?as_of=yesterday", "`as_of`"),
        ("/api/v1/gcg?known_at=first", "`known_at`"),
        ("/api/v1/gcg?known_at=-1", "known_at"),
    ] {
        let problem =
            expect_problem(app.client.get(app.url(path)).send().await.unwrap(), 400, "malformed_request").await;
        assert!(problem["detail"].as_str().unwrap().contains(named), "{path}: {problem}");
    }
    for path in ["/api/v1/gcg", "/api/v1/reporting-cycles/2026/compliance", "/api/v1/meetings"] {
        let beyond = format!("{path}?known_at={}", head + 1);
        let problem =
            expect_problem(app.client.get(app.url(&beyond)).send().await.unwrap(), 400, "malformed_request").await;
        assert!(problem["detail"].as_str().unwrap().contains("beyond the ledger's head"), "{problem}");
    }
}
both_stores!(reads_honour_and_state_their_moment);

/// On an empty ledger every read answers the empty state, and any `known_at` is beyond it.
async fn an_empty_ledger_answers_the_empty_state(store: Store) {
    let app = TestApp::spawn_with(store, &["--clock-interval-secs", "0"]).await;
    let (status, headers, body) = get(&app, "/api/v1/gcg").await;
    assert_eq!(status, 200);
    assert!(headers.get("ledger-known-at").is_none());
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((body["exists"].as_bool(), body["known_at"].is_null()), (Some(false), true), "{body}");
    assert_eq!(app.get_json("/api/v1/meetings").await["items"], serde_json::json!([]));
    let r = app.client.get(app.url("/api/v1/gcg?known_at=0")).send().await.unwrap();
    expect_problem(r, 400, "malformed_request").await;
}
both_stores!(an_empty_ledger_answers_the_empty_state);
