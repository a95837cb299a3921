//! The OpenAPI document against the real server: schemathesis (from PyPI, installed by
//! ops/scripts/ensure-schemathesis.sh) generates requests to every `GET` operation of the
//! document the demo ledger serves, valid and invalid ones, and checks every answer against
//! the response schema the document declares for its status (`response_schema_conformance`):
//! the typed success bodies, and the problem+json of every error. SQLite only: the schemas
//! do not depend on the store, and the run is bounded (a few examples per operation) to stay
//! within a few minutes.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{Store, TestApp};

/// The longest one run may take before the test fails (a run takes about 20 s).
const RUN_LIMIT: Duration = Duration::from_secs(170);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The `schemathesis` executable the install script prints (never skipped: the test fails
/// when it cannot be installed).
fn schemathesis() -> PathBuf {
    let script = repo_root().join("ops/scripts/ensure-schemathesis.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(out.status.success(), "{} failed: {}", script.display(), String::from_utf8_lossy(&out.stderr));
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(path.is_file(), "{} printed {path:?}, not a file", script.display());
    path
}

/// Runs schemathesis against the app, with extra arguments; panics on any failure.
async fn run(schemathesis: &Path, app: &TestApp, who: &str, extra: &[String]) {
    let report = app.dir.join(format!("schemathesis-{who}"));
    let run = tokio::process::Command::new(schemathesis)
        .args(["run", &app.url("/api/v1/openapi.json"), "--url", &app.base])
        .args(["--checks", "response_schema_conformance", "--include-method", "GET"])
        .args(["--phases", "examples,coverage,fuzzing", "--max-examples", "8", "--seed", "87"])
        .args(["--workers", "2", "--request-timeout", "30", "--generation-database", "none", "--no-color"])
        .args(extra)
        .arg("--report-dir")
        .arg(&report)
        .current_dir(&app.dir)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(RUN_LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("schemathesis ({who}) took longer than {} s", RUN_LIMIT.as_secs()))
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis ({who}) found answers that do not conform to the OpenAPI document ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // A run that tested nothing would also succeed.
    assert!(stdout.contains(" passed"), "schemathesis ({who}) tested nothing:\n{stdout}\n{stderr}");
    println!("schemathesis, {who}:\n{stdout}");
}

/// Anonymously (the public's view, and the 401s of the reads that need a token), then
/// with the Secretariat's token (everything, the token administration and access log too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_answers_as_the_openapi_document_says() {
    let schemathesis = tokio::task::spawn_blocking(schemathesis).await.expect("the install script ran");
    let app = TestApp::spawn_demo(Store::Sqlite).await;
    run(&schemathesis, &app, "anonymous", &[]).await;
    let bearer = format!("Authorization: Bearer {}", app.token);
    run(&schemathesis, &app, "secretariat", &["-H".to_string(), bearer]).await;
}
