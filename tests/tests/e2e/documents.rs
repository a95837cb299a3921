//! Evidence documents, on both stores: upload, idempotent re-upload, the download re-hashed
//! (and refused with `document_altered` once the stored bytes are tampered with, on disk
//! for SQLite, in the table for PostgreSQL), every refusal as problem+json and never a 5xx,
//! who may read a document, the meeting page's links, the dossier's documents, `export
//! --dossier --with-documents` and the web upload form.

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use sqlx::{Connection as _, PgConnection};

use crate::both_stores;
use crate::support::{expect_problem, last_line, meeting_in_session, Store, TestApp};
use crate::web::{field, page, sign_in};

const MIB: usize = 1024 * 1024;

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// POSTs a document's bytes with a token (if any), a media type and extra headers.
async fn upload(
    app: &TestApp,
    token: Option<&str>,
    media_type: &str,
    headers: &[(&str, &str)],
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/v1/documents")).header("content-type", media_type).body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request")
}

/// GETs with a token (if any).
async fn get(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

/// A token of another role, made with `ledger token create`.
async fn token(app: &TestApp, role: &str, subject: &str, scope: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--role", role, "--subject", subject];
    if let Some(scope) = scope {
        args.extend(["--scope", scope]);
    }
    let out = app.ledger(&args).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    last_line(&out)
}

/// Changes a stored document's bytes behind the server's back: its file on SQLite, its row
/// on PostgreSQL.
async fn tamper(app: &TestApp, name: &str, bytes: &[u8]) {
    match app.store {
        Store::Sqlite => {
            let file = app.dir.join("documents").join(&name[..2]).join(name);
            assert!(file.is_file(), "the document is a file beside the database: {}", file.display());
            std::fs::write(&file, bytes).expect("overwrite the stored file");
        }
        Store::Postgres => {
            let mut c = PgConnection::connect(&app.database_url).await.unwrap();
            let changed = sqlx::query("UPDATE documents SET content = $1 WHERE sha256 = $2")
                .bind(bytes)
                .bind(name)
                .execute(&mut c)
                .await
                .unwrap()
                .rows_affected();
            assert_eq!(changed, 1);
        }
    }
}

async fn documents_are_stored_once_and_rehashed_when_served(store: Store) {
    let app = TestApp::spawn(store).await;
    let secretariat = Some(app.token.as_str());
    let minutes = b"# Minutes of GCG-40\n\nThe meeting opened at 10:00.\n".to_vec();
    let name = sha256(&minutes);

    // Stored: 201 with the record and where to download it.
    let r = upload(
        &app,
        secretariat,
        "text/markdown; charset=utf-8",
        &[("x-file-name", "minutes GCG-40.md")],
        minutes.clone(),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["location"], format!("/api/v1/documents/{name}").as_str());
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["sha256"], name.as_str());
    assert_eq!(first["media_type"], "text/markdown");
    assert_eq!(first["size"], minutes.len());
    assert_eq!(first["file_name"], "minutes GCG-40.md");
    assert_eq!(first["uploaded_by"], "alice");
    assert_eq!(first["url"], format!("/api/v1/documents/{name}").as_str());
    assert!(first["uploaded_at"].as_str().unwrap().ends_with('Z'), "{first}");

    // The same bytes again: 200 with the first record, whatever the new name says.
    let r = upload(&app, secretariat, "text/markdown", &[("x-file-name", "other.md")], minutes.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), first);

    // The download: the very bytes, their type, a disposition, and their digest.
    let r = get(&app, secretariat, &format!("/api/v1/documents/{name}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/markdown");
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"minutes GCG-40.md\""), "{disposition}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["repr-digest"].to_str().unwrap().starts_with("sha-256=:"));
    let body = r.bytes().await.unwrap();
    assert_eq!(body.as_ref(), minutes.as_slice());
    assert_eq!(sha256(&body), name, "the download re-hashes to its name");

    // Nothing cites it yet: the Secretariat and auditors read it; anyone else may not.
    let meta: Value = get(&app, secretariat, &format!("/api/v1/documents/{name}/meta")).await.json().await.unwrap();
    assert_eq!(meta["sha256"], name.as_str());
    assert_eq!(meta["cited_by"], json!([]));
    let auditor = token(&app, "auditor", "audit-office", None).await;
    assert_eq!(get(&app, Some(&auditor), &format!("/api/v1/documents/{name}")).await.status(), 200);
    expect_problem(get(&app, None, &format!("/api/v1/documents/{name}")).await, 401, "unauthorized").await;
    expect_problem(get(&app, None, &format!("/api/v1/documents/{name}/meta")).await, 401, "unauthorized").await;
    let donor = token(&app, "donor", "donor-a", Some("DONOR-A")).await;
    expect_problem(get(&app, Some(&donor), &format!("/api/v1/documents/{name}")).await, 403, "forbidden").await;
    expect_problem(get(&app, Some(&donor), &format!("/api/v1/documents/{name}/meta")).await, 403, "forbidden").await;

    // Refusals, each problem+json, never a 5xx.
    expect_problem(upload(&app, None, "text/plain", &[], b"x".to_vec()).await, 401, "unauthorized").await;
    expect_problem(upload(&app, Some(&auditor), "text/plain", &[], b"x".to_vec()).await, 403, "forbidden").await;
    let body = expect_problem(
        upload(&app, secretariat, "text/html", &[], b"<p>x</p>".to_vec()).await,
        415,
        "unsupported_media_type",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("application/pdf"), "{body}");
    expect_problem(upload(&app, secretariat, "application/pdf", &[], Vec::new()).await, 400, "malformed_request").await;
    expect_problem(
        upload(&app, secretariat, "text/plain", &[("x-file-name", "../../etc/passwd")], b"x".to_vec()).await,
        400,
        "malformed_request",
    )
    .await;
    let too_large = vec![b'a'; 10 * MIB + 1];
    expect_problem(upload(&app, secretariat, "text/plain", &[], too_large).await, 413, "payload_too_large").await;
    // Exactly 10 MiB is stored.
    let largest = vec![b'b'; 10 * MIB];
    let r = upload(&app, secretariat, "text/plain", &[], largest.clone()).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["size"], 10 * MIB);
    let unknown = sha256(b"never uploaded");
    expect_problem(get(&app, secretariat, &format!("/api/v1/documents/{unknown}")).await, 404, "not_found").await;
    expect_problem(get(&app, secretariat, &format!("/api/v1/documents/{unknown}/meta")).await, 404, "not_found").await;
    for malformed in ["abc", &name.to_uppercase(), &format!("{}z", &name[1..])] {
        let r = get(&app, secretariat, &format!("/api/v1/documents/{malformed}")).await;
        expect_problem(r, 400, "malformed_request").await;
    }

    // Tampered with behind the server's back: refused with both hashes, never served.
    let mut altered = minutes.clone();
    altered[2] = b'X';
    tamper(&app, &name, &altered).await;
    let body =
        expect_problem(get(&app, secretariat, &format!("/api/v1/documents/{name}")).await, 409, "document_altered")
            .await;
    assert_eq!(body["expected_sha256"], name.as_str());
    assert_eq!(body["actual_sha256"], sha256(&altered).as_str());
    assert!(body["detail"].as_str().unwrap().contains(&sha256(&altered)), "{body}");
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("ledger_documents_altered_total 1"), "{metrics}");
    // The intact one is still served.
    let r = get(&app, secretariat, &format!("/api/v1/documents/{}", sha256(&largest))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(sha256(&r.bytes().await.unwrap()), sha256(&largest));
}
both_stores!(documents_are_stored_once_and_rehashed_when_served);

async fn minutes_link_to_their_document_and_dossiers_carry_it(store: Store) {
    let app = TestApp::spawn(store).await;
    let minutes = b"%PDF-1.4\n% minutes of GCG-41\n".to_vec();
    let name = sha256(&minutes);
    let r =
        upload(&app, Some(&app.token), "application/pdf", &[("x-file-name", "gcg-41-minutes.pdf")], minutes.clone())
            .await;
    assert_eq!(r.status(), 201);

    // The minutes are drafted with the document's hash; an annex is cited but never stored.
    let annex = sha256(b"an annex nobody uploaded");
    meeting_in_session(&app, "GCG-41", 1, 1).await;
    assert_eq!(app.post("/api/v1/meetings/GCG-41/close", json!({"closed_on": "2026-06-16"})).await.status(), 200);
    let r = app
        .post(
            "/api/v1/meetings/GCG-41/draft_minutes",
            json!({"doc_sha256": name, "drafted_on": "2026-06-17",
                   "envelope": {"evidence": [{"sha256": annex, "title": "Annex"}]}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    app.settle().await;

    // Drafted minutes are the Secretariat's (secretariat-internal), and so is their
    // document: the public is asked for a token, a donor refused, an auditor served.
    let secretariat = Some(app.token.as_str());
    expect_problem(get(&app, None, &format!("/api/v1/documents/{name}")).await, 401, "unauthorized").await;
    let donor = token(&app, "donor", "donor-a", Some("DONOR-A")).await;
    let refused = get(&app, Some(&donor), &format!("/api/v1/documents/{name}")).await;
    let body = expect_problem(refused, 403, "forbidden").await;
    assert!(body["detail"].as_str().unwrap().contains("events that cite"), "{body}");
    let auditor = token(&app, "auditor", "audit-office", None).await;
    let r = get(&app, Some(&auditor), &format!("/api/v1/documents/{name}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(sha256(&r.bytes().await.unwrap()), name);
    let meta: Value = get(&app, secretariat, &format!("/api/v1/documents/{name}/meta")).await.json().await.unwrap();
    let cited = meta["cited_by"].as_array().unwrap();
    assert_eq!(cited.len(), 1, "{meta}");
    assert_eq!(cited[0]["aggregate_type"], "meeting");
    assert_eq!(cited[0]["aggregate_id"], "GCG-41");
    assert_eq!(cited[0]["event_type"], "MinutesDrafted");
    assert!(cited[0]["position"].as_i64().is_some(), "{meta}");
    assert_eq!(cited[0]["fields"], json!(["payload.MinutesDrafted.doc_sha256"]));

    // The published report is public, and so is its document.
    let report = b"%PDF-1.4\n% report of GCG-41\n".to_vec();
    let report_name = sha256(&report);
    assert_eq!(upload(&app, secretariat, "application/pdf", &[], report.clone()).await.status(), 201);
    for (path, body) in [
        ("circulate_minutes", json!({"circulated_on": "2026-06-18", "comment_deadline": "2026-06-20"})),
        ("approve_minutes", json!({"approved_on": "2026-06-21"})),
        ("publish_report", json!({"doc_sha256": report_name, "published_on": "2026-06-22"})),
    ] {
        let r = app.post(&format!("/api/v1/meetings/GCG-41/{path}"), body).await;
        assert_eq!(r.status(), 200, "{path}: {}", r.text().await.unwrap());
    }
    app.settle().await;
    let r = get(&app, None, &format!("/api/v1/documents/{report_name}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(sha256(&r.bytes().await.unwrap()), report_name);
    let meta: Value = get(&app, None, &format!("/api/v1/documents/{report_name}/meta")).await.json().await.unwrap();
    assert_eq!(meta["cited_by"][0]["event_type"], "MeetingReportPublished", "{meta}");

    // The meeting page links each stored hash to its download and to the document's page.
    let (status, _, html) = page(&app, "/meetings/GCG-41", None).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<a href=\"/api/v1/documents/{report_name}\" class=\"download\">")), "{html}");
    assert!(html.contains(&format!("href=\"/documents/{report_name}\"")), "{html}");
    let cookie = sign_in(&app, &app.token, "/").await;
    let (status, _, html) = page(&app, "/meetings/GCG-41", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<a href=\"/api/v1/documents/{name}\" class=\"download\">")), "{html}");
    let (status, _, html) = page(&app, &format!("/documents/{name}"), Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("gcg-41-minutes.pdf") && html.contains("MinutesDrafted"), "{html}");
    let (status, headers, _) = page(&app, &format!("/documents/{name}"), None).await;
    assert_eq!(status, 303, "the public is asked to sign in");
    assert!(headers["location"].to_str().unwrap().starts_with("/sign-in?next="));

    // The dossier's documents, for the Secretariat: the minutes and the report stored, the
    // annex not.
    let listed: Value = get(&app, secretariat, "/api/v1/dossiers/meeting:GCG-41/documents").await.json().await.unwrap();
    assert_eq!(listed["subject"], "meeting:GCG-41");
    let documents = listed["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 3, "{listed}");
    let minutes_entry = documents.iter().find(|d| d["sha256"] == name.as_str()).expect("the minutes are listed");
    assert_eq!(minutes_entry["stored"], true);
    assert_eq!(minutes_entry["url"], format!("/api/v1/documents/{name}").as_str());
    assert_eq!(minutes_entry["media_type"], "application/pdf");
    assert_eq!(minutes_entry["file_name"], "gcg-41-minutes.pdf");
    assert_eq!(minutes_entry["cited_by"][0]["event_type"], "MinutesDrafted");
    let annex_entry = documents.iter().find(|d| d["sha256"] == annex.as_str()).expect("the annex is listed");
    assert_eq!(annex_entry["stored"], false);
    assert_eq!(annex_entry["url"], Value::Null);
    assert_eq!(annex_entry["cited_by"][0]["fields"], json!(["metadata.evidence[0].sha256"]));
    // For the public the drafted minutes are redacted records: they cite nothing it sees.
    let public: Value = app.get_json("/api/v1/dossiers/meeting:GCG-41/documents").await;
    let public: Vec<&str> =
        public["documents"].as_array().unwrap().iter().map(|d| d["sha256"].as_str().unwrap()).collect();
    assert_eq!(public, vec![report_name.as_str()]);
    expect_problem(get(&app, None, "/api/v1/dossiers/nothing/documents").await, 400, "malformed_request").await;
    expect_problem(get(&app, None, "/api/v1/dossiers/meeting:NONE/documents").await, 404, "not_found").await;

    // The export writes the stored document beside the dossier, to be re-hashed offline,
    // and names the one it does not have.
    let out = app.dir.join("gcg-41.json");
    let run = app
        .ledger(&["export", "--dossier", "meeting:GCG-41", "--out", out.to_str().unwrap(), "--with-documents"])
        .await;
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("cited but not stored: {annex}")), "{stderr}");
    let folder = app.dir.join("gcg-41.json.documents");
    let written = std::fs::read(folder.join(&name)).expect("the document is written beside the dossier");
    assert_eq!(sha256(&written), name);
    assert!(!folder.join(&annex).exists());
    assert_eq!(sha256(&std::fs::read(folder.join(&report_name)).unwrap()), report_name);
    let sha256sum = std::process::Command::new("sha256sum").arg(folder.join(&name)).output().expect("sha256sum");
    assert!(String::from_utf8_lossy(&sha256sum.stdout).starts_with(&name));

    // On SQLite a backup carries the documents, and a restore brings them back.
    if store == Store::Sqlite {
        let backup = app.dir.join("ledger.backup");
        let run = app.ledger(&["backup", "--out", backup.to_str().unwrap()]).await;
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let copied = app.dir.join("ledger.backup.documents").join(&name[..2]).join(&name);
        assert_eq!(sha256(&std::fs::read(&copied).expect("the backup holds the document")), name);
        let restored = app.dir.join("restored");
        let target = format!("sqlite://{}", restored.join("ledger.db").display());
        let run = tokio::process::Command::new(crate::support::LEDGER)
            .args(["restore", "--from", backup.to_str().unwrap(), "--database-url", &target])
            .env("LEDGER_KEY_FILE", &app.key_file)
            .output()
            .await
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let back = restored.join("documents").join(&name[..2]).join(&name);
        assert_eq!(sha256(&std::fs::read(&back).expect("the restore brings the document back")), name);
    }

    // Altered after the export: the export refuses to write it and says so (exit 1).
    let mut altered = minutes.clone();
    altered[0] = b'#';
    tamper(&app, &name, &altered).await;
    let again = app.dir.join("again.json");
    let run = app
        .ledger(&["export", "--dossier", "meeting:GCG-41", "--out", again.to_str().unwrap(), "--with-documents"])
        .await;
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains(&format!("ALTERED, not written: {name}")));
    assert!(!app.dir.join("again.json.documents").join(&name).exists());
}
both_stores!(minutes_link_to_their_document_and_dossiers_carry_it);

/// A `multipart/form-data` body: the CSRF token, the media type chosen, and the file.
fn multipart(
    csrf: Option<&str>,
    media_type: &str,
    file_name: &str,
    file_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----ledger-test-boundary-7f3a";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").bytes());
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"media_type\"\r\n\r\n{media_type}\r\n").bytes(),
    );
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {file_type}\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(app: &TestApp, cookie: Option<&str>, body: (String, Vec<u8>)) -> (u16, String) {
    let mut request =
        crate::web::browser().post(app.url("/documents/upload")).header("content-type", body.0).body(body.1);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("request");
    (response.status().as_u16(), response.text().await.expect("body"))
}

async fn the_upload_form_stores_a_document(store: Store) {
    let app = TestApp::spawn(store).await;
    // Without a session the form sends you to sign in, and back.
    let (status, headers, _) = page(&app, "/documents/upload", None).await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/sign-in?next=%2Fdocuments%2Fupload");

    let cookie = sign_in(&app, &app.token, "/documents/upload").await;
    let (status, _, html) = page(&app, "/documents/upload", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let csrf = field(&html, "csrf");

    let report = b"Report of the GCG, 2026.\n".to_vec();
    let name = sha256(&report);
    // Without the CSRF token: 403, nothing stored.
    let (status, _) =
        post_multipart(&app, Some(&cookie), multipart(None, "", "report.txt", "text/plain", &report)).await;
    assert_eq!(status, 403);
    expect_problem(get(&app, Some(&app.token), &format!("/api/v1/documents/{name}/meta")).await, 404, "not_found")
        .await;
    // Without a session: 403.
    let (status, _) = post_multipart(&app, None, multipart(Some(&csrf), "", "report.txt", "text/plain", &report)).await;
    assert_eq!(status, 403);

    // Stored: the page shows the SHA-256 to paste into a command.
    let (status, html) =
        post_multipart(&app, Some(&cookie), multipart(Some(&csrf), "", "C:\\docs\\report.txt", "text/plain", &report))
            .await;
    assert_eq!(status, 201, "{html}");
    assert!(html.contains(&format!("<code class=\"hash\" id=\"sha256\">{name}</code>")), "{html}");
    let meta: Value =
        get(&app, Some(&app.token), &format!("/api/v1/documents/{name}/meta")).await.json().await.unwrap();
    assert_eq!(meta["file_name"], "report.txt", "the browser's path is dropped");
    assert_eq!(meta["media_type"], "text/plain");
    // Again: already stored (200).
    let (status, html) =
        post_multipart(&app, Some(&cookie), multipart(Some(&csrf), "", "report.txt", "text/plain", &report)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Already stored"), "{html}");
    // The media type chosen on the form wins over the browser's guess; a type documents may
    // not have is a 415 page.
    let notes = b"# Notes\n".to_vec();
    let (status, _) = post_multipart(
        &app,
        Some(&cookie),
        multipart(Some(&csrf), "text/markdown", "notes.md", "application/octet-stream", &notes),
    )
    .await;
    assert_eq!(status, 201);
    let meta: Value =
        get(&app, Some(&app.token), &format!("/api/v1/documents/{}/meta", sha256(&notes))).await.json().await.unwrap();
    assert_eq!(meta["media_type"], "text/markdown");
    let (status, _) =
        post_multipart(&app, Some(&cookie), multipart(Some(&csrf), "", "page.html", "text/html", b"<p>x</p>")).await;
    assert_eq!(status, 415);
    let (status, _) =
        post_multipart(&app, Some(&cookie), multipart(Some(&csrf), "", "empty.txt", "text/plain", b"")).await;
    assert_eq!(status, 400);

    // The document's page, for the signed-in Secretariat; another role's session may not
    // store documents.
    let (status, _, html) = page(&app, &format!("/documents/{name}"), Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("report.txt") && html.contains(&format!("/api/v1/documents/{name}")), "{html}");
    let auditor = token(&app, "auditor", "audit-office", None).await;
    let auditor_cookie = sign_in(&app, &auditor, "/").await;
    let (status, _, _) = page(&app, "/documents/upload", Some(&auditor_cookie)).await;
    assert_eq!(status, 403);
}
both_stores!(the_upload_form_stores_a_document);
