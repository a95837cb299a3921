//! Erasure of personal data end to end: a person registered in the personal-data register,
//! appointed focal point, read by whoever may read them (clear values for the Secretariat
//! and the country's focal point, the commitment only for auditors, nothing for the
//! public), then erased (over HTTP and with `ledger erase`): the values are gone from every
//! answer and from the database's files, and every proof still verifies.

use ledger_format::dossier::verify_dossier_bytes;
use ledger_format::LedgerVerifier;
use serde_json::{json, Value};

use crate::both_stores;
use crate::support::{expect_problem, last_line, Store, TestApp};

const NAME: &str = "Zephyrine Okonkwo-Lindqvist";
const EMAIL: &str = "zephyrine.okonkwo-lindqvist@quillmere.example";
const OTHER_NAME: &str = "Balthazar Qwerty-Nakamura";

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path, body).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn token(app: &TestApp, role: &str, subject: &str, scope: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--role", role, "--subject", subject];
    if let Some(scope) = scope {
        args.extend(["--scope", scope]);
    }
    let out = app.ledger(&args).await;
    assert!(out.status.success(), "token create: {}", String::from_utf8_lossy(&out.stderr));
    last_line(&out)
}

/// GETs `path` with `token` (or none), returning the status and the body as text.
async fn fetch(app: &TestApp, token: Option<&str>, path: &str) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn has_clear_value(text: &str) -> bool {
    text.contains("Zephyrine") || text.contains("Okonkwo") || text.contains("quillmere")
}

fn bytes_contain(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn register(app: &TestApp, name: &str, email: &str, country: &str) -> Value {
    let r = app
        .post("/api/v1/people", json!({"name": name, "email": email, "phone": "+234 800 000 0000", "country": country}))
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

async fn erasure_keeps_every_proof_valid(store: Store) {
    let app = TestApp::spawn(store).await;
    let auditor = token(&app, "auditor", "audit-firm", None).await;
    let focal = token(&app, "focal_point", "nga-focal", Some("NGA")).await;
    let other_focal = token(&app, "focal_point", "uga-focal", Some("UGA")).await;
    let donor = token(&app, "donor", "donor-a", Some("DONOR-A")).await;

    // Register: 201 with a reference and the commitment, never the values.
    let registered = register(&app, NAME, EMAIL, "NGA").await;
    let person_ref = registered["person_ref"].as_str().unwrap().to_string();
    let commitment = registered["commitment"].as_str().unwrap().to_string();
    assert!(person_ref.starts_with("person:") && person_ref.len() == 39, "{person_ref}");
    assert_eq!(commitment.len(), 64);
    assert!(!has_clear_value(&registered.to_string()));
    expect_problem(app.post("/api/v1/people", json!({"name": " ", "country": "NGA"})).await, 422, "name_empty").await;
    expect_problem(app.post("/api/v1/people", json!({"name": "X", "country": "XXX"})).await, 422, "iso3_unknown").await;
    let r = app.post_as(&auditor, "/api/v1/people", &[], &json!({"name": "X", "country": "NGA"})).await;
    expect_problem(r, 403, "forbidden").await;

    // Appoint them focal point of NGA (an unregistered reference is refused).
    let letter = json!({"iso3": "NGA", "letter_date": "2025-01-10", "signatory_title": "Minister of Labour",
        "ministry": "Labour", "letter_sha256": "a".repeat(64)});
    ok(&app, "/api/v1/pathfinders/NGA/record_expression_of_interest", letter).await;
    ok(
        &app,
        "/api/v1/pathfinders/NGA/record_presentation",
        json!({"meeting_id": "GCG-1", "presented_on": "2025-03-01"}),
    )
    .await;
    let appoint = |person: &str, on: &str| json!({"person_ref": person, "title": "Director", "ministry": "Labour", "effective_on": on});
    let r = app.post("/api/v1/pathfinders/NGA/appoint_focal_point", appoint("person:0123abcd", "2025-04-01")).await;
    expect_problem(r, 422, "person_not_registered").await;
    let uga = register(&app, OTHER_NAME, "b@example.org", "UGA").await;
    let r = app
        .post("/api/v1/pathfinders/NGA/appoint_focal_point", appoint(uga["person_ref"].as_str().unwrap(), "2025-04-01"))
        .await;
    expect_problem(r, 422, "person_of_another_country").await;
    ok(&app, "/api/v1/pathfinders/NGA/appoint_focal_point", appoint(&person_ref, "2025-04-01")).await;
    app.settle().await;

    // The Secretariat and NGA's focal point read the clear values.
    let person_path = format!("/api/v1/people/{person_ref}");
    for reader in [Some(app.token.as_str()), Some(focal.as_str())] {
        let (status, body) = fetch(&app, reader, &person_path).await;
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["personal_data"]["name"], NAME);
        assert_eq!(body["personal_data"]["email"], EMAIL);
        assert_eq!(body["commitment"], commitment.as_str());
        let (status, country) = fetch(&app, reader, "/api/v1/pathfinders/NGA").await;
        assert_eq!(status, 200);
        let country: Value = serde_json::from_str(&country).unwrap();
        assert_eq!(country["state"]["focal_point"]["person"]["personal_data"]["name"], NAME, "{country}");
    }

    // Auditors see the reference and the commitment only; others see nothing of the person.
    let (status, body) = fetch(&app, Some(&auditor), &person_path).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["commitment"], commitment.as_str());
    assert!(body.get("personal_data").is_none() && !has_clear_value(&body.to_string()));
    for reader in [None, Some(other_focal.as_str()), Some(donor.as_str())] {
        let (status, _) = fetch(&app, reader, &person_path).await;
        assert_eq!(status, 404);
    }
    let paths = [
        person_path.clone(),
        "/api/v1/pathfinders/NGA".to_string(),
        "/api/v1/pathfinders".to_string(),
        "/api/v1/pathfinders/NGA/history".to_string(),
        "/api/v1/audit".to_string(),
        "/api/v1/dossiers/pfc:NGA".to_string(),
    ];
    for reader in [None, Some(auditor.as_str()), Some(other_focal.as_str()), Some(donor.as_str())] {
        for path in &paths {
            let (_, body) = fetch(&app, reader, path).await;
            assert!(!has_clear_value(&body), "{path} as {reader:?} shows a clear value");
        }
    }
    // Even the Secretariat's ledger reads hold no clear value: the ledger has none.
    for path in ["/api/v1/audit", "/api/v1/pathfinders/NGA/history", "/api/v1/dossiers/pfc:NGA"] {
        let (_, body) = fetch(&app, Some(&app.token), path).await;
        assert!(!has_clear_value(&body), "{path} holds a clear value");
    }

    // Erase: refusals first.
    let erase = |reference: &str| format!("/api/v1/people/{reference}/erase");
    let reason = json!({"reason": "DSR-2026-0042"});
    expect_problem(app.post(&erase("person:00000000000000000000000000000000"), reason.clone()).await, 404, "not_found")
        .await;
    expect_problem(app.post_as(&auditor, &erase(&person_ref), &[], &reason).await, 403, "forbidden").await;
    expect_problem(app.post_as(&focal, &erase(&person_ref), &[], &reason).await, 403, "forbidden").await;
    expect_problem(app.post(&erase(&person_ref), json!({"reason": " "})).await, 422, "erasure_reason_missing").await;
    let erased = ok(&app, &erase(&person_ref), reason.clone()).await;
    assert_eq!(erased["status"], "erased");
    expect_problem(app.post(&erase(&person_ref), reason.clone()).await, 422, "person_already_erased").await;
    let r = app.post("/api/v1/pathfinders/NGA/appoint_focal_point", appoint(&person_ref, "2025-05-01")).await;
    expect_problem(r, 422, "person_erased").await;

    // The CLI erases too, and refuses a second time.
    let uga_ref = uga["person_ref"].as_str().unwrap().to_string();
    let out = app.ledger(&["erase", "--subject", &uga_ref, "--reason", "DSR-2026-0043"]).await;
    assert!(out.status.success(), "ledger erase: {}", String::from_utf8_lossy(&out.stderr));
    let out = app.ledger(&["erase", "--subject", &uga_ref, "--reason", "DSR-2026-0043"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("person_already_erased"));
    let out = app.ledger(&["erase", "--subject", "person:0000ffff", "--reason", "DSR-1"]).await;
    assert_eq!(out.status.code(), Some(2));
    app.settle().await;

    // The Secretariat and the focal point now read "erased", with when and why.
    for reader in [app.token.as_str(), focal.as_str()] {
        let (status, body) = fetch(&app, Some(reader), &person_path).await;
        assert_eq!(status, 200);
        assert!(!has_clear_value(&body), "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["personal_data"], "erased");
        assert_eq!(body["erasure_reason_ref"], "DSR-2026-0042");
        assert!(body["erased_at"].as_str().is_some());
        let (_, country) = fetch(&app, Some(reader), "/api/v1/pathfinders/NGA").await;
        assert!(!has_clear_value(&country));
        let country: Value = serde_json::from_str(&country).unwrap();
        assert_eq!(country["state"]["focal_point"]["person"]["personal_data"], "erased");
    }
    let (_, body) = fetch(&app, Some(&app.token), &format!("/api/v1/people/{uga_ref}")).await;
    assert!(!body.contains("Balthazar"), "{body}");

    // Nothing in the ledger changed: verify passes, the country's dossier verifies.
    let out = app.ledger(&["verify"]).await;
    assert_eq!(out.status.code(), Some(0), "verify: {}", String::from_utf8_lossy(&out.stdout));
    let public_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    let key = LedgerVerifier::from_public_key(public_key.trim()).unwrap();
    let r = app.client.get(app.url("/api/v1/dossiers/pfc:NGA")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    verify_dossier_bytes(&bytes, Some(&key)).expect("the country's dossier verifies after erasure");

    // The values are physically gone from the database's files.
    match store {
        Store::Sqlite => {
            let db = app.dir.join("ledger.db");
            for file in [db.clone(), app.dir.join("ledger.db-wal")] {
                let Ok(bytes) = std::fs::read(&file) else { continue };
                for value in [NAME, EMAIL, OTHER_NAME] {
                    assert!(!bytes_contain(&bytes, value), "{} still holds {value}", file.display());
                }
            }
        }
        Store::Postgres => {
            let pg_dump = tests::pg::pg_dump().expect("pg_dump beside the PostgreSQL binaries or on PATH");
            let out = std::process::Command::new(pg_dump).arg(&app.database_url).output().expect("pg_dump runs");
            assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
            let dump = String::from_utf8_lossy(&out.stdout);
            assert!(dump.contains("personal_data") && dump.contains(&person_ref), "the dump holds the register");
            for value in [NAME, EMAIL, OTHER_NAME] {
                assert!(!dump.contains(value), "the dump still holds {value}");
            }
        }
    }
}
both_stores!(erasure_keeps_every_proof_valid);
