//! Every list answer as CSV (`?format=csv` or `Accept: text/csv`), with the JSON's rows and
//! columns, over real HTTP on the demo history; an answer that is not a list is a 406.

use serde_json::Value;

use crate::both_stores;
use crate::support::{expect_problem, Store, TestApp};

async fn lists_answer_as_csv(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    for path in ["/api/v1/meetings", "/api/v1/decisions", "/api/v1/partners", "/api/v1/programme/history"] {
        let json: Value = app.get_json(path).await;
        let rows = json["items"].as_array().unwrap().len();
        assert!(rows > 0, "{path} has rows");
        for request in [
            app.client.get(app.url(&format!("{path}?format=csv"))),
            app.client.get(app.url(path)).header("Accept", "text/csv"),
        ] {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
            assert!(response.headers().contains_key("ledger-as-of"), "the moment is still stated");
            let text = response.text().await.unwrap();
            let mut reader = csv_reader(&text);
            let header = reader.headers().unwrap().clone();
            assert_eq!(reader.records().count(), rows, "{path}: one CSV row per JSON row");
            // Every top-level member of the first JSON row is a column (or its dotted members).
            for name in json["items"][0].as_object().unwrap().keys() {
                assert!(
                    header.iter().any(|c| c == name || c.starts_with(&format!("{name}."))),
                    "{path}: column {name} missing from {header:?}"
                );
            }
        }
    }
    // The read's own parameters still apply, and still refuse what they do not know.
    let dated = app.client.get(app.url("/api/v1/meetings?format=csv&as_of=2019-01-01")).send().await.unwrap();
    assert_eq!(dated.headers()["ledger-as-of"], "2019-01-01");
    expect_problem(
        app.client.get(app.url("/api/v1/meetings?format=csv&foo=1")).send().await.unwrap(),
        400,
        "malformed_request",
    )
    .await;
    // A single resource is not a list.
    expect_problem(app.client.get(app.url("/api/v1/gcg?format=csv")).send().await.unwrap(), 406, "not_acceptable")
        .await;
    // JSON stays the default, and wins when both are accepted in that order.
    let both = app.client.get(app.url("/api/v1/meetings")).header("Accept", "application/json, text/csv").send().await;
    assert!(both.unwrap().headers()["content-type"].to_str().unwrap().starts_with("application/json"));
}
both_stores!(lists_answer_as_csv);

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().from_reader(text.as_bytes())
}

/// The sheets and shared strings of an XLSX file, read with Python's `zipfile` (an
/// independent reader of the format).
pub(crate) fn xlsx_contents(bytes: &[u8]) -> (String, String) {
    let path = std::env::temp_dir().join(format!("ledger-{}.xlsx", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
             print(z.read('xl/workbook.xml').decode()); print('\\n=====\\n'); \
             print(z.read('xl/sharedStrings.xml').decode() if 'xl/sharedStrings.xml' in z.namelist() else '')",
            path.to_str().unwrap(),
        ])
        .output()
        .expect("python3 runs");
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "not a zip the reader opens: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (workbook, strings) = text.split_once("=====").unwrap();
    (workbook.to_string(), strings.to_string())
}

/// What a donor opens in a spreadsheet: the programme summary, a trail, compliance, as
/// XLSX with a summary sheet and one sheet per list.
async fn answers_open_as_spreadsheets(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    for (path, sheets, text) in [
        ("/api/v1/programme?as_of=2026-12-03&format=xlsx", ["summary", "lines"], "O2"),
        ("/api/v1/reporting-cycles/2026/compliance?as_of=2026-12-03&format=xlsx", ["summary", "countries"], "MDG"),
        ("/api/v1/programme/reallocations?format=xlsx", ["summary", "items"], "R-002"),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(response.headers()["content-disposition"].to_str().unwrap().ends_with(".xlsx\""), "{path}");
        assert!(response.headers().contains_key("ledger-as-of"), "the moment is still stated");
        let (workbook, strings) = xlsx_contents(&response.bytes().await.unwrap());
        for sheet in sheets {
            assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{path}: sheet {sheet} in {workbook}");
        }
        assert!(strings.contains(text), "{path}: {text} among the cells");
    }
    // A donor's trail with the donor's token, by Accept.
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "donor-a", "--scope", "DONOR-A"]).await;
    let token = crate::support::last_line(&out);
    let trail = app
        .client
        .get(app.url("/api/v1/donors/DONOR-A/trail"))
        .bearer_auth(&token)
        .header("Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .send()
        .await
        .unwrap();
    assert_eq!(trail.status(), 200);
    let (workbook, _) = xlsx_contents(&trail.bytes().await.unwrap());
    assert!(workbook.contains("name=\"contributions\""), "{workbook}");
    // The same rules as JSON: no token, no trail; an unknown parameter is still a 400.
    let anonymous = app.client.get(app.url("/api/v1/donors/DONOR-A/trail?format=xlsx")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    expect_problem(
        app.client.get(app.url("/api/v1/programme?format=xlsx&foo=1")).send().await.unwrap(),
        400,
        "malformed_request",
    )
    .await;
}
both_stores!(answers_open_as_spreadsheets);
