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
