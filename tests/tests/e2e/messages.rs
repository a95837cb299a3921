//! What a new user reads when something is refused or does not verify: dates say their
//! form, stages are named as the API names them, a quorum refusal gives its numbers, the
//! quorum's answer says whether it was met, and a wrong public key is called a wrong key.

use serde_json::json;

use crate::both_stores;
use crate::support::{expect_problem, last_line, meeting_in_session, Store, TestApp};

async fn refusals_say_what_a_reader_needs(store: Store) {
    let app = TestApp::spawn(store).await;
    // A malformed date, in a body and in a query, says YYYY-MM-DD.
    let body = json!({"meeting_id": "M1", "number": 1, "kind": "regular", "date": "16/06/2026", "modality": "virtual"});
    let problem = expect_problem(app.post("/api/v1/meetings", body).await, 400, "malformed_request").await;
    assert!(problem["detail"].as_str().unwrap().contains("YYYY-MM-DD"), "{problem}");
    let response = app.client.get(app.url("/api/v1/pathfinders?as_of=2026-13-01")).send().await.unwrap();
    let problem = expect_problem(response, 400, "malformed_request").await;
    assert!(problem["detail"].as_str().unwrap().contains("YYYY-MM-DD"), "{problem}");

    // The quorum's answer says whether it was met; a refusal for want of it gives the numbers.
    meeting_in_session(&app, "LOW", 1, 5).await;
    let again = app.post("/api/v1/meetings/LOW/quorum", json!({})).await;
    assert_eq!(again.status(), 200);
    let answer: serde_json::Value = again.json().await.unwrap();
    let payload = &answer["events"][0]["payload"]["QuorumDeclared"];
    assert_eq!((payload["met"].clone(), payload["required"].clone()), (json!(false), json!(3)), "{answer}");
    let propose = json!({"decision_id": "LOW-D1", "subject": {"kind": "procedural"}, "text": "Adjourn."});
    assert_eq!(app.post("/api/v1/meetings/LOW/decisions", propose).await.status(), 201);
    let r = app.post("/api/v1/decisions/LOW-D1/adopt", json!({"effective_on": "2026-06-16"})).await;
    let problem = expect_problem(r, 422, "quorum_not_met").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("1 voting seats present") && detail.contains("3 required"), "{detail}");

    // Pathfinder stages are named as the reads name them.
    let letter = json!({"iso3": "NGA", "letter_date": "2025-01-10", "signatory_title": "Minister of Labour",
        "ministry": "Labour", "letter_sha256": "a".repeat(64)});
    assert_eq!(app.post("/api/v1/pathfinders/NGA/record_expression_of_interest", letter).await.status(), 201);
    let focal =
        json!({"person_ref": "person:NGA-1", "title": "Director", "ministry": "Labour", "effective_on": "2025-02-01"});
    let r = app.post("/api/v1/pathfinders/NGA/appoint_focal_point", focal).await;
    let problem = expect_problem(r, 422, "pfc_transition_not_allowed").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("interest_expressed") && !detail.contains("InterestExpressed"), "{detail}");

    // Verifying with another ledger's key: the key does not match, not "broken".
    app.settle().await;
    let other =
        ledger_format::LedgerSigner::from_seed("alliance87-ledger.example/ledger", [9u8; 32]).unwrap().public_key();
    let out = app.ledger(&["verify", "--public-key", &other]).await;
    assert_eq!(out.status.code(), Some(1));
    let line = last_line(&out);
    assert!(line.starts_with("ledger NOT verified: ") && line.contains("not by the key given"), "{line}");
    assert!(!line.contains("broken"), "{line}");
    // A key of the right shape whose id was altered is named as such, not as malformed.
    let mut parts: Vec<String> = other.split('+').map(str::to_string).collect();
    let first = if parts[1].starts_with('0') { "1" } else { "0" };
    parts[1].replace_range(0..1, first);
    let out = app.ledger(&["verify", "--public-key", &parts.join("+")]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not match its name and key") && !stderr.contains("malformed"), "{stderr}");
}
both_stores!(refusals_say_what_a_reader_needs);
