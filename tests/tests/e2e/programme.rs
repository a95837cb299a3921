//! The Multi-Donor Programme end to end: the programme established on a GCG decision with
//! the seed's budget lines, donors, pledges, receipts, allocations, expenditure, a reversal
//! and reallocations under and above the threshold; each refusal with its rule, with
//! nothing recorded altered; the summary's numbers and data-quality notes; the donor trail
//! and its scope; dossiers of donors; the IATI 2.03 file validated against the official
//! schema (served and exported); and the demo history.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ledger_format::dossier::verify_dossier_bytes;
use ledger_format::LedgerVerifier;
use serde_json::{json, Value};

use crate::both_stores;
use crate::support::{expect_problem, last_line, meeting_in_session, Store, TestApp};

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path, body).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn usd(whole: i64) -> Value {
    json!({"amount_minor": whole * 100, "currency": "USD"})
}

fn hash(c: char) -> String {
    c.to_string().repeat(64)
}

fn with_envelope(mut body: Value, envelope: Value) -> Value {
    body["envelope"] = envelope;
    body
}

fn cite(decision: &str) -> Value {
    json!({"authority": {"kind": "decision", "decision_id": decision}})
}

async fn decide(app: &TestApp, id: &str, subject: Value) {
    ok(app, "/api/v1/meetings/M/decisions", json!({"decision_id": id, "subject": subject, "text": id})).await;
    ok(app, &format!("/api/v1/decisions/{id}/adopt"), json!({"effective_on": "2026-06-16"})).await;
}

async fn get_as(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn json_as(app: &TestApp, token: Option<&str>, path: &str) -> Value {
    let r = get_as(app, token, path).await;
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

fn minor(v: &Value) -> i64 {
    v["amount_minor"].as_i64().unwrap_or_else(|| panic!("not money: {v}"))
}

fn line<'a>(summary: &'a Value, code: &str) -> &'a Value {
    summary["lines"]
        .as_array()
        .unwrap_or_else(|| panic!("{summary}"))
        .iter()
        .find(|l| l["line_code"] == code)
        .unwrap_or_else(|| panic!("{code} in {summary}"))
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

// --- IATI schema validation (the approach of projections/tests/iati.rs) -----------------------

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The official IATI 2.03 activity schema, from the pinned package (never skipped).
fn schema() -> &'static Path {
    static XSD: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = XSD.get_or_init(|| {
        let script = repo_root().join("ops/scripts/ensure-iati-schema.sh");
        let out =
            Command::new("bash").arg(&script).output().map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if !out.status.success() {
            return Err(format!("{} failed: {}", script.display(), String::from_utf8_lossy(&out.stderr)));
        }
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if !path.is_file() {
            return Err(format!("{} printed {path:?}, not a file", script.display()));
        }
        Ok(path)
    });
    match result {
        Ok(path) => path,
        Err(message) => panic!("cannot obtain the IATI 2.03 schema: {message}"),
    }
}

/// Validates an IATI file with `xmllint --schema`; panics with xmllint's output if invalid.
fn assert_valid_iati(file: &Path) {
    let xmllint = std::env::var("XMLLINT").unwrap_or_else(|_| "xmllint".into());
    let out = Command::new(&xmllint)
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema())
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {xmllint}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{} does not validate against the IATI 2.03 schema:\n{stderr}",
        file.display()
    );
    assert!(stderr.contains("validates"), "{stderr}");
}

// --- scenario 1: commands, refusals, summary, IATI --------------------------------------------

async fn programme_commands_refusals_and_numbers(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "M", 2, 3).await;
    for (id, name, category) in [
        ("ILO", "International Labour Organization", "un_agency"),
        ("DONOR-A", "Donor A", "government"),
        ("DONOR-B", "Donor B", "government"),
    ] {
        let iati = if id == "ILO" { json!("XM-DAC-41302") } else { Value::Null };
        ok(&app, "/api/v1/organisations", json!({"organisation_id": id, "name": name, "category": category, "iati_ref": iati, "registered_on": "2016-09-21"})).await;
    }
    decide(&app, "M-EST", json!({"kind": "establish_programme", "programme_id": "MDP-A87"})).await;
    decide(&app, "M-REALLOC", json!({"kind": "approve_budget_reallocation", "programme_id": "MDP-A87"})).await;
    decide(&app, "M-OTHER", json!({"kind": "approve_budget_reallocation", "programme_id": "MDP-OTHER"})).await;

    // Establishment needs the adopted decision.
    let establish = json!({"programme_id": "MDP-A87", "title": "Alliance 8.7 Multi-Donor Programme",
        "iati_identifier": "XM-DAC-41302-MDP-A87", "reporting_organisation": "ILO", "currency": "USD",
        "period_start": "2026-01-01", "period_end": "2031-06-30"});
    expect_problem(app.post("/api/v1/programmes", establish.clone()).await, 422, "decision_authority_missing").await;
    let stated = |key: &str, value: &str| json!({"confidence": "S", "note": "seed-000", "stated": {key: value}});
    let mut envelope = cite("M-EST");
    envelope["provenance"] = stated("duration", "5.6 years");
    assert_eq!(app.post("/api/v1/programmes", with_envelope(establish, envelope)).await.status(), 201);
    // The seed's lines, with the shares the seed states.
    for (code, name, kind, monthly, share) in [
        ("O1", "High-level advocacy", "outcome", 6_490, "16.58"),
        ("O2", "Pathfinder country support", "outcome", 20_054, "51.26"),
        ("O3", "Governance, communication and resource mobilisation", "outcome", 7_502, "19.16"),
        ("PSC", "Programme support cost", "support_cost", 5_097, "13"),
    ] {
        let body = json!({"line_code": code, "name": name, "kind": kind, "monthly": usd(monthly), "activities": [format!("{name} activities")]});
        let body = with_envelope(body, json!({"provenance": stated("share_percent", share)}));
        ok(&app, "/api/v1/programmes/MDP-A87/define_budget_line", body).await;
    }
    ok(&app, "/api/v1/programmes/MDP-A87/set_baseline", json!({"set_on": "2026-01-01", "status": "indicative"})).await;
    ok(&app, "/api/v1/programmes/MDP-A87/change_status", json!({"to": "implementation", "on": "2026-01-01"})).await;

    // Donors and contributions.
    expect_problem(
        app.post(
            "/api/v1/donors",
            json!({"organisation": "NOBODY", "donor_type": "government", "registered_on": "2026-02-01"}),
        )
        .await,
        422,
        "party_unknown",
    )
    .await;
    let pledge = |id: &str, donor: &str, amount: i64, earmark: Value, consent: Value| {
        json!({"contribution_id": id, "donor": donor, "programme_id": "MDP-A87", "amount": usd(amount), "earmark": earmark, "pledged_on": "2026-02-10",
        "conditions": {"reallocation_consent_required": !consent.is_null(), "reallocation_consent_above_basis_points": consent, "reporting": "annual"}})
    };
    expect_problem(
        app.post("/api/v1/contributions", pledge("C-001", "DONOR-A", 600_000, Value::Null, json!(1500))).await,
        422,
        "donor_not_registered",
    )
    .await;
    for donor in ["DONOR-A", "DONOR-B"] {
        ok(
            &app,
            "/api/v1/donors",
            json!({"organisation": donor, "donor_type": "government", "registered_on": "2026-02-01"}),
        )
        .await;
    }
    ok(&app, "/api/v1/contributions", pledge("C-001", "DONOR-A", 600_000, Value::Null, json!(1500))).await;
    ok(&app, "/api/v1/contributions", pledge("C-002", "DONOR-B", 250_000, json!("O2"), Value::Null)).await;
    for (id, amount) in [("C-001", 600_000), ("C-002", 250_000)] {
        ok(
            &app,
            &format!("/api/v1/contributions/{id}/commit"),
            json!({"agreement_ref": format!("{id}/AGR"), "committed_on": "2026-02-10", "amount": usd(amount)}),
        )
        .await;
    }
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    let receive = |amount: i64, on: &str| json!({"receipt_id": "R1", "amount": usd(amount), "received_on": on});
    ok(&app, "/api/v1/contributions/C-001/receive", receive(300_000, "2026-03-05")).await;
    ok(&app, "/api/v1/contributions/C-002/receive", receive(125_000, "2026-03-20")).await;
    let allocate = |id: &str, c: &str, line: &str, amount: i64| json!({"allocation_id": id, "contribution_id": c, "line_code": line, "amount": usd(amount), "allocated_on": "2026-03-21"});
    for (id, c, l, amount) in [
        ("A-1", "C-001", "O1", 40_000),
        ("A-2", "C-001", "O2", 160_000),
        ("A-3", "C-001", "O3", 60_000),
        ("A-4", "C-001", "PSC", 30_000),
        ("A-5", "C-002", "O2", 125_000),
    ] {
        ok(&app, "/api/v1/programmes/MDP-A87/allocate", allocate(id, c, l, amount)).await;
    }
    let spend = |id: &str, line: &str, amount: i64, month: &str, on: &str| json!({"expenditure_id": id, "line_code": line, "amount": usd(amount), "spent_on": on, "period_month": month, "description": "actuals", "evidence_sha256": hash('e')});
    ok(&app, "/api/v1/programmes/MDP-A87/record_expenditure", spend("E-1", "O1", 24_450, "2026-04-01", "2026-04-30"))
        .await;
    ok(&app, "/api/v1/programmes/MDP-A87/record_expenditure", spend("E-2", "O3", 7_052, "2026-04-01", "2026-04-30"))
        .await;
    ok(
        &app,
        "/api/v1/programmes/MDP-A87/reallocate",
        json!({"realloc_id": "R-001", "from_line": "O3", "to_line": "O2", "amount_per_month": usd(500),
        "effective_from": "2026-04-01", "effective_to": "2026-12-31", "justification": "virtual meetings",
        "envelope": {"occurred_at": "2026-03-31", "authority": {"kind": "delegation"}}}),
    )
    .await;
    app.settle().await;

    // Every refusal, with its rule; none of them records anything.
    let programme_before = app.get_json("/api/v1/programmes/MDP-A87/history").await["items"].clone();
    let c001_before = json_as(&app, Some(&app.token), "/api/v1/contributions/C-001/history").await;
    let r002 = json!({"realloc_id": "R-002", "from_line": "O1", "to_line": "O2", "amount_per_month": usd(1_200),
        "effective_from": "2026-07-01", "effective_to": "2031-06-30", "justification": "PFC support"});
    let refusals: Vec<(&str, Value, &str)> = vec![
        (
            "/api/v1/contributions/C-001/receive",
            json!({"receipt_id": "R2", "amount": usd(1_000), "received_on": tomorrow}),
            "occurred_in_future",
        ),
        ("/api/v1/contributions/C-001/receive", receive(400_000, "2026-04-01"), "receipt_id_taken"),
        (
            "/api/v1/contributions/C-001/receive",
            json!({"receipt_id": "R3", "amount": usd(400_000), "received_on": "2026-04-01"}),
            "receipts_exceed_commitment",
        ),
        ("/api/v1/programmes/MDP-A87/allocate", allocate("A-6", "C-002", "O1", 1_000), "earmark_violated"),
        ("/api/v1/programmes/MDP-A87/allocate", allocate("A-6", "C-001", "O2", 20_000), "allocation_exceeds_receipts"),
        ("/api/v1/programmes/MDP-A87/allocate", allocate("A-6", "C-404", "O2", 1_000), "contribution_unknown"),
        (
            "/api/v1/programmes/MDP-A87/record_expenditure",
            spend("E-3", "O1", 16_000, "2026-05-01", "2026-05-31"),
            "spending_exceeds_funds",
        ),
        (
            "/api/v1/programmes/MDP-A87/record_expenditure",
            spend("E-3", "O1", 100, "2026-05-01", &tomorrow),
            "occurred_in_future",
        ),
        (
            "/api/v1/programmes/MDP-A87/record_expenditure",
            spend("E-1", "O1", 100, "2026-05-01", "2026-05-31"),
            "entry_id_taken",
        ),
        ("/api/v1/programmes/MDP-A87/reallocate", r002.clone(), "decision_authority_missing"),
        (
            "/api/v1/programmes/MDP-A87/reallocate",
            with_envelope(r002.clone(), cite("M-OTHER")),
            "decision_authority_wrong_subject",
        ),
        (
            "/api/v1/programmes/MDP-A87/reallocate",
            with_envelope(r002.clone(), cite("M-REALLOC")),
            "donor_consent_missing",
        ),
        (
            "/api/v1/programmes/MDP-A87/reallocate",
            json!({"realloc_id": "R-009", "from_line": "O3", "to_line": "O3", "amount_per_month": usd(1),
            "effective_from": "2026-07-01", "effective_to": "2026-07-31", "justification": "x"}),
            "reallocation_same_line",
        ),
        (
            "/api/v1/programmes/MDP-A87/reverse_entry",
            json!({"entry_id": "E-404", "reason": "x", "reversed_on": "2026-07-20"}),
            "entry_unknown",
        ),
        (
            "/api/v1/programmes/MDP-A87/set_baseline",
            json!({"set_on": "2026-02-01", "status": "indicative"}),
            "baseline_already_set",
        ),
    ];
    for (path, body, rule) in refusals {
        let problem = expect_problem(app.post(path, body).await, 422, rule).await;
        assert_eq!(problem["rule"], rule);
    }
    // The server supplies the edge facts; a client cannot.
    let forged = json!({"receipt_id": "R9", "amount": usd(1), "received_on": "2026-04-01", "today": "2030-01-01"});
    expect_problem(app.post("/api/v1/contributions/C-001/receive", forged).await, 400, "malformed_request").await;
    expect_problem(app.post("/api/v1/programmes/MDP-A87/fly", json!({})).await, 404, "not_found").await;
    let donor = token(&app, "donor", "donor-a", Some("DONOR-A")).await;
    let r = app
        .post_as(
            &donor,
            "/api/v1/contributions/C-001/record_consent",
            &[],
            &json!({"realloc_id": "R-002", "consented_on": "2026-06-10", "letter_sha256": hash('c')}),
        )
        .await;
    expect_problem(r, 403, "forbidden").await;
    app.settle().await;
    assert_eq!(
        app.get_json("/api/v1/programmes/MDP-A87/history").await["items"],
        programme_before,
        "refusals record nothing"
    );
    assert_eq!(json_as(&app, Some(&app.token), "/api/v1/contributions/C-001/history").await, c001_before);

    // With DONOR-A's consent and the GCG's decision, R-002 is recorded.
    ok(
        &app,
        "/api/v1/contributions/C-001/record_consent",
        json!({"realloc_id": "R-002", "consented_on": "2026-06-10", "letter_sha256": hash('c')}),
    )
    .await;
    let mut envelope = cite("M-REALLOC");
    envelope["occurred_at"] = json!("2026-06-16");
    ok(&app, "/api/v1/programmes/MDP-A87/reallocate", with_envelope(r002.clone(), envelope)).await;
    // The typing error corrected by a reversal and a re-entry; a second reversal is refused.
    ok(
        &app,
        "/api/v1/programmes/MDP-A87/reverse_entry",
        json!({"entry_id": "E-2", "reason": "typing error: 7,052 for 7,502", "reversed_on": "2026-07-20"}),
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/programmes/MDP-A87/reverse_entry",
            json!({"entry_id": "E-2", "reason": "again", "reversed_on": "2026-07-21"}),
        )
        .await,
        422,
        "entry_already_reversed",
    )
    .await;
    let mut corrected = spend("E-2C", "O3", 7_502, "2026-04-01", "2026-04-30");
    corrected["envelope"] = json!({"occurred_at": "2026-07-20"});
    ok(&app, "/api/v1/programmes/MDP-A87/record_expenditure", corrected).await;
    app.settle().await;

    // The summary: amounts are the truth, shares are computed, the seed's statements shown.
    // The Secretariat reads every donor's detail; the public reads what the IATI file
    // publishes (commitments and receipts), not which contribution funds which line.
    let s = json_as(&app, Some(&app.token), "/api/v1/programme?as_of=2026-11-22").await;
    let public = app.get_json("/api/v1/programme?as_of=2026-11-22").await;
    for total in ["committed", "received", "spent", "planned_to_date"] {
        assert_eq!(public["totals"][total], s["totals"][total], "{total} is public");
    }
    assert_eq!(minor(&public["totals"]["allocated"]), 0, "allocations are each donor's business");
    assert_eq!(public["contributions"], Value::Null, "no per-donor detail without a token");
    assert!(!public.to_string().contains("C-002") && !public.to_string().contains("DONOR-B/"), "{public}");
    assert_eq!(s["programme_id"], "MDP-A87");
    assert_eq!(s["status"], "implementation");
    assert_eq!(s["established_by"], "M-EST");
    assert_eq!(s["duration"], json!({"months": 66, "years": "5.5", "stated": "5.6 years"}));
    assert_eq!(s["months_elapsed"], 11);
    let shares: Vec<(&str, &str, bool)> = ["O1", "O2", "O3", "PSC"]
        .iter()
        .map(|c| {
            let share = &line(&s, c)["baseline_share"];
            (
                share["computed_percent"].as_str().unwrap(),
                share["stated_percent"].as_str().unwrap(),
                share["matches_stated"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [("16.58", "16.58", true), ("51.23", "51.26", false), ("19.17", "19.16", false), ("13.02", "13", true)]
    );
    let notes: Vec<&str> =
        s["data_quality"].as_array().unwrap().iter().map(|n| n["subject"].as_str().unwrap()).collect();
    assert_eq!(notes, ["line O2 share", "line O3 share", "programme duration"]);
    assert_eq!(s["data_quality"][0]["computed"], "51.23 %");
    assert_eq!(s["data_quality"][2]["computed"], "66 months = 5.5 years");
    // Planned for January–November 2026, with R-001 (from April) and R-002 (from July).
    let planned: Vec<i64> =
        ["O1", "O2", "O3", "PSC"].iter().map(|c| minor(&line(&s, c)["planned_to_date"]) / 100).collect();
    assert_eq!(planned, [11 * 6_490 - 5 * 1_200, 11 * 20_054 + 8 * 500 + 5 * 1_200, 11 * 7_502 - 8 * 500, 11 * 5_097]);
    assert_eq!(minor(&s["totals"]["planned_to_date"]), 11 * 3_914_300, "reallocations keep the total");
    assert_eq!(minor(&s["totals"]["planned_total"]), 258_343_800, "66 months at 39,143 USD");
    assert_eq!(minor(&line(&s, "O1")["monthly_plan"]), 529_000);
    assert_eq!(minor(&line(&s, "O2")["committed"]), 25_000_000, "C-002 is earmarked for O2");
    assert_eq!(minor(&s["unearmarked"]["committed"]), 60_000_000);
    assert_eq!(minor(&s["totals"]["received"]), 42_500_000);
    assert_eq!(minor(&s["totals"]["allocated"]), 41_500_000);
    assert_eq!(minor(&s["totals"]["unallocated"]), 1_000_000);
    assert_eq!(minor(&line(&s, "O3")["spent"]), 750_200, "the reversed typing error no longer counts");
    assert_eq!(minor(&line(&s, "O3")["balance"]), 6_000_000 - 750_200);
    assert_eq!(minor(&s["totals"]["spent"]), 2_445_000 + 750_200);
    assert_eq!(s["contributions"].as_array().map(Vec::len), Some(2), "the Secretariat reads every donor's detail");
    // As of an earlier date, and as known before the correction.
    let march = app.get_json("/api/v1/programme?as_of=2026-03-31").await;
    assert_eq!(minor(&march["totals"]["spent"]), 0);
    assert_eq!(minor(&line(&march, "O3")["planned_to_date"]), 3 * 750_200);
    assert_eq!(march["reallocations"], json!(["R-001"]));
    let position = programme_before.as_array().unwrap().last().unwrap()["position"].as_i64().unwrap();
    let then =
        json_as(&app, Some(&app.token), &format!("/api/v1/programme?as_of=2026-11-22&known_at={position}")).await;
    assert_eq!(minor(&line(&then, "O3")["spent"]), 705_200, "as known before the correction");

    // Reallocations since a date, each with who authorised it.
    let all =
        json_as(&app, Some(&app.token), "/api/v1/programme/reallocations?since=2026-01-01").await["items"].clone();
    let public = app.get_json("/api/v1/programme/reallocations?since=2026-01-01").await["items"].clone();
    assert_eq!(public[1]["consents"], json!([]), "a donor's consent is its own business");
    assert_eq!(public[1]["authorised_by"], "decision M-REALLOC");
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["authorised_by"], "delegation");
    assert_eq!(
        (all[0]["share_percent"].as_str(), all[0]["threshold"]["exceeded"].as_bool()),
        (Some("6.66"), Some(false))
    );
    assert_eq!(all[1]["authorised_by"], "decision M-REALLOC");
    assert_eq!(all[1]["share_basis_points"], 1849);
    assert_eq!(all[1]["threshold"]["basis_points"], 1000);
    assert_eq!(all[1]["consents"][0]["donor"], "DONOR-A");
    assert_eq!(all[1]["consents"][0]["consented_on"], "2026-06-10");
    let since = app.get_json("/api/v1/programme/reallocations?since=2026-04-01").await["items"].clone();
    assert_eq!(since.as_array().unwrap().len(), 1);

    // Every programme command is in the OpenAPI document with its own request schema,
    // without the facts the server supplies.
    let doc = app.get_json("/api/v1/openapi.json").await;
    for (path, field, fact) in [
        ("/api/v1/programmes", "iati_identifier", "authority"),
        ("/api/v1/programmes/{id}/allocate", "contribution_id", "contribution"),
        ("/api/v1/programmes/{id}/reallocate", "amount_per_month", "consent_required_from"),
        ("/api/v1/programmes/{id}/record_expenditure", "evidence_sha256", "today"),
        ("/api/v1/donors", "donor_type", "organisation_known"),
        ("/api/v1/contributions", "earmark", "command"),
        ("/api/v1/contributions/{id}/record_consent", "letter_sha256", "command"),
    ] {
        let schema = &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert!(schema["properties"][field].is_object(), "{path}: {schema}");
        assert!(schema["properties"]["envelope"].is_object(), "{path}");
        assert!(schema["properties"].get(fact).is_none(), "{path} must not take {fact}");
    }
    for path in [
        "/api/v1/programme",
        "/api/v1/programme/reallocations",
        "/api/v1/donors/{id}/trail",
        "/api/v1/programme/iati.xml",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }

    // The served IATI file validates against the official schema.
    let r = app.client.get(app.url("/api/v1/programme/iati.xml")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/xml"));
    assert_eq!(r.headers()["iati-guidance-issues"], "0");
    let xml = r.text().await.unwrap();
    for needle in [
        "<iati-identifier>XM-DAC-41302-MDP-A87</iati-identifier>",
        "<activity-status code=\"2\"/>",
        "<transaction-type code=\"11\"/>",
        "<transaction-type code=\"1\"/>",
        "<transaction-type code=\"4\"/>",
        ">-7052.00</value>",
        "<budget type=\"2\" status=\"1\">",
        "<planned-disbursement type=\"2\">",
        "role=\"1\"",
        "<contact-info type=\"1\">",
        "<sector vocabulary=\"1\" code=\"16070\" percentage=\"100.00\">",
        "<recipient-region code=\"998\" vocabulary=\"1\" percentage=\"100.00\">",
        "<default-aid-type code=\"C01\" vocabulary=\"1\"/>",
        "<document-link url=\"https://www.alliance87.org/\" format=\"text/html\">",
        "<result type=\"2\">",
        "<indicator measure=\"5\">",
    ] {
        assert!(xml.contains(needle), "{needle} missing from\n{xml}");
    }
    let file = app.dir.join("served.xml");
    std::fs::write(&file, &xml).unwrap();
    assert_valid_iati(&file);
}
both_stores!(programme_commands_refusals_and_numbers);

// --- scenario 2: the demo history, scope, dossiers, export ------------------------------------

async fn demo_programme_scope_dossiers_and_iati(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "verify after the demo: {}", last_line(&out));

    // The demo's programme: the seed's table, two reallocations, the corrected typo.
    let s = json_as(&app, Some(&app.token), "/api/v1/programme?as_of=2026-11-22").await;
    let monthly: Vec<i64> =
        ["O1", "O2", "O3", "PSC"].iter().map(|c| minor(&line(&s, c)["baseline_monthly"]) / 100).collect();
    assert_eq!(monthly, [6_490, 20_054, 7_502, 5_097]);
    assert_eq!(minor(&s["baseline"]["monthly_total"]), 3_914_300);
    assert_eq!(s["established_by"], "GCG-21-D03");
    assert_eq!(s["data_quality"].as_array().unwrap().len(), 3);
    assert_eq!(s["labels"]["illustrative"], true);
    assert_eq!(minor(&s["totals"]["spent"]), 15_281_500);
    assert_eq!(minor(&line(&s, "O3")["spent"]), 2_982_700);
    let reallocations =
        json_as(&app, Some(&app.token), "/api/v1/programme/reallocations?since=2026-01-01").await["items"].clone();
    let who: Vec<&str> =
        reallocations.as_array().unwrap().iter().map(|r| r["authorised_by"].as_str().unwrap()).collect();
    assert_eq!(who, ["delegation", "decision GCG-22-D02"]);
    assert_eq!(reallocations[1]["consents"][0]["contribution_id"], "C-001");

    // Tokens: a donor token needs a scope.
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "someone"]).await;
    assert!(!out.status.success(), "a donor token without --scope is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("scope"));
    let a = token(&app, "donor", "donor-a", Some("DONOR-A")).await;
    let b = token(&app, "donor", "donor-b", Some("DONOR-B")).await;
    let auditor = token(&app, "auditor", "audit-firm", None).await;
    let public = token(&app, "public", "reader", None).await;

    // The trail: one's own, never another's.
    expect_problem(get_as(&app, None, "/api/v1/donors/DONOR-A/trail").await, 401, "unauthorized").await;
    expect_problem(get_as(&app, Some(&b), "/api/v1/donors/DONOR-A/trail").await, 403, "forbidden").await;
    expect_problem(get_as(&app, Some(&public), "/api/v1/donors/DONOR-A/trail").await, 403, "forbidden").await;
    let trail = json_as(&app, Some(&a), "/api/v1/donors/DONOR-A/trail").await;
    let contributions: Vec<&str> =
        trail["contributions"].as_array().unwrap().iter().map(|c| c["contribution_id"].as_str().unwrap()).collect();
    assert_eq!(contributions, ["C-001"]);
    let c001 = &trail["contributions"][0];
    assert_eq!(minor(&c001["committed"]), 60_000_000);
    assert_eq!(minor(&c001["received"]), 30_000_000);
    assert_eq!(minor(&c001["allocated"]), 29_000_000);
    assert_eq!(c001["commitments"][0]["agreement_ref"], "DONOR-A/MDP-A87/2026-01");
    assert_eq!(c001["receipts"][0]["received_on"], "2026-03-05");
    let o3 = c001["lines"].as_array().unwrap().iter().find(|l| l["line_code"] == "O3").unwrap();
    let reversed =
        o3["expenditures"].as_array().unwrap().iter().find(|e| e["expenditure_id"] == "E-O3-2026-04").unwrap();
    assert_eq!(reversed["reversal"]["reversed_on"], "2026-07-20");
    assert_eq!(o3["reallocations"][0]["realloc_id"], "R-001");
    assert_eq!(trail["decisions"], json!(["GCG-21-D03", "GCG-22-D02"]));
    assert_eq!(trail["decision_details"][1]["meeting_id"], "GCG-22");
    assert_eq!(c001["consents"][0]["realloc_id"], "R-002");
    assert!(!trail.to_string().contains("DONOR-B"), "nothing of the other donor");
    let b_trail = json_as(&app, Some(&auditor), "/api/v1/donors/DONOR-B/trail").await;
    assert_eq!(b_trail["contributions"][0]["earmark"], "O2");
    assert_eq!(json_as(&app, Some(&app.token), "/api/v1/donors/DONOR-B/trail").await, b_trail);

    // Contributions and the summary's breakdown follow the same scope.
    expect_problem(get_as(&app, None, "/api/v1/contributions/C-002").await, 401, "unauthorized").await;
    expect_problem(get_as(&app, Some(&a), "/api/v1/contributions/C-002").await, 403, "forbidden").await;
    assert_eq!(json_as(&app, Some(&a), "/api/v1/contributions/C-001").await["donor"], "DONOR-A");
    let listed = json_as(&app, Some(&a), "/api/v1/contributions").await["items"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(json_as(&app, Some(&auditor), "/api/v1/contributions").await["items"].as_array().unwrap().len(), 2);
    let own = json_as(&app, Some(&a), "/api/v1/programme").await;
    let seen: Vec<&str> =
        own["contributions"].as_array().unwrap().iter().map(|c| c["donor"].as_str().unwrap()).collect();
    assert_eq!(seen, ["DONOR-A"]);
    let anyone = app.get_json("/api/v1/programme").await;
    for total in ["committed", "received", "spent"] {
        assert_eq!(own["totals"][total], anyone["totals"][total], "{total} is public (the IATI file publishes it)");
    }
    assert_eq!(minor(&own["totals"]["allocated"]), 29_000_000, "DONOR-A counts its own allocations only");
    assert_eq!(json_as(&app, Some(&auditor), "/api/v1/programme").await["contributions"].as_array().unwrap().len(), 2);
    let history = json_as(&app, Some(&a), "/api/v1/programme/history").await["items"].clone();
    let a005 = history.as_array().unwrap().iter().rfind(|h| h["scope"] == "DONOR-B").unwrap();
    assert_eq!(a005["redacted"], true, "DONOR-B's allocation is a redacted record for DONOR-A: {a005}");
    assert_eq!(a005["visibility"], "donor-confidential");
    assert!(a005.get("payload").is_none() && a005.get("event_type").is_none(), "{a005}");
    assert!(!history.to_string().contains("C-002"));
    let own_allocation = history.as_array().unwrap().iter().find(|h| h["scope"] == "DONOR-A").unwrap();
    assert_eq!(own_allocation["event_type"], "FundsAllocated", "DONOR-A reads its own: {own_allocation}");
    let full = json_as(&app, Some(&auditor), "/api/v1/programme/history").await;
    assert!(full.to_string().contains("C-002"));

    // Dossiers: another donor's contribution (its id is confidential) is refused; one's
    // own verifies offline, and so does any dossier with what the reader may not read
    // redacted.
    expect_problem(get_as(&app, None, "/api/v1/dossiers/contribution:C-002").await, 401, "unauthorized").await;
    expect_problem(get_as(&app, Some(&a), "/api/v1/dossiers/contribution:C-002").await, 403, "forbidden").await;
    // Looking a contribution up by its id is reading it, proofs included.
    let proof = "/api/v1/ledger/proofs/inclusion?aggregate_type=contribution&aggregate_id=C-002&sequence=1";
    expect_problem(get_as(&app, None, proof).await, 401, "unauthorized").await;
    expect_problem(get_as(&app, Some(&a), proof).await, 403, "forbidden").await;
    assert_eq!(get_as(&app, Some(&b), proof).await.status(), 200, "DONOR-B proves its own");
    let public_key = app.client.get(app.url("/api/v1/ledger/public-key")).send().await.unwrap().text().await.unwrap();
    let key = LedgerVerifier::from_public_key(public_key.trim()).unwrap();
    for (reader, subject) in [(Some(&a), "donor:DONOR-B"), (Some(&a), "programme:MDP-A87"), (None, "donor:DONOR-B")] {
        let r = get_as(&app, reader.map(String::as_str), &format!("/api/v1/dossiers/{subject}")).await;
        assert_eq!(r.status(), 200, "{subject}");
        let bytes = r.bytes().await.unwrap().to_vec();
        let summary = verify_dossier_bytes(&bytes, Some(&key)).expect("a redacted dossier verifies");
        assert!(summary.redacted > 0, "{subject}: DONOR-B's confidential events are redacted");
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["C-002", "DONOR-B/MDP-A87", "A-005"] {
            assert!(!text.contains(secret), "{subject} shows {secret} to a reader outside DONOR-B's scope");
        }
        // The same file through the standalone verifier and the Python one.
        let file = app.dir.join(format!("redacted-{}.json", subject.replace(':', "-")));
        std::fs::write(&file, &bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ledger-verify-under-test"))
            .args([file.to_str().unwrap(), "--public-key", public_key.trim()])
            .output()
            .unwrap();
        assert!(out.status.success(), "ledger-verify: {}", String::from_utf8_lossy(&out.stdout));
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{} events redacted", summary.redacted)));
        let python = std::process::Command::new("python3")
            .args([
                concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/verify_dossier.py"),
                file.to_str().unwrap(),
                public_key.trim(),
            ])
            .output()
            .unwrap();
        assert!(
            python.status.success(),
            "verify_dossier.py: {}{}",
            String::from_utf8_lossy(&python.stdout),
            String::from_utf8_lossy(&python.stderr)
        );
    }
    let r = get_as(&app, Some(&a), "/api/v1/dossiers/donor:DONOR-A").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let summary = verify_dossier_bytes(&bytes, Some(&key)).expect("the donor's dossier verifies");
    assert_eq!(summary.aggregates, 2, "the donor and its contribution");
    let dossier: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(dossier["events"].as_array().unwrap().iter().any(|e| e["record"]["event_type"] == "DonorConsentRecorded"));

    // The IATI file: served and exported, both valid against the official schema.
    let xml = app.client.get(app.url("/api/v1/programme/iati.xml")).send().await.unwrap().text().await.unwrap();
    let served = app.dir.join("demo-served.xml");
    std::fs::write(&served, &xml).unwrap();
    assert_valid_iati(&served);
    let exported = app.dir.join("demo-export.xml");
    let out = app.ledger(&["export", "--iati", exported.to_str().unwrap()]).await;
    assert!(out.status.success(), "export --iati: {}", String::from_utf8_lossy(&out.stderr));
    assert!(last_line(&out).contains("(0 issues)"), "{}", last_line(&out));
    assert_valid_iati(&exported);
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(text.matches("<budget type=\"1\"").count(), 6, "2026–2030 and the first half of 2031");
    assert_eq!(text.matches("<transaction-type code=\"11\"/>").count(), 2);
    assert_eq!(text.matches("<transaction-type code=\"1\"/>").count(), 2);
    assert_eq!(text.matches("<transaction-type code=\"4\"/>").count(), 18, "16 actuals, a reversal, a re-entry");
    // Revised budgets only where the reallocations changed the plan: R-001 (2026) and R-002
    // (July 2026 to the end); one planned disbursement per period, of the current plan.
    assert_eq!(text.matches("<budget type=\"2\"").count(), 6);
    assert_eq!(text.matches("<planned-disbursement type=\"2\">").count(), 6);
    // Each expenditure on its own day: January's on 31 January, the April re-entry on 30 April.
    for (id, day) in [("E-O1-2026-01", "2026-01-31"), ("E-PSC-2026-02", "2026-02-28"), ("E-O3-2026-04-C", "2026-04-30")]
    {
        let at = text.find(&format!("<transaction ref=\"{id}\">")).unwrap_or_else(|| panic!("{id} in\n{text}"));
        let date = format!("<transaction-date iso-date=\"{day}\"/>");
        assert_eq!(text[at..].find("<transaction-date").unwrap(), text[at..].find(&date).unwrap(), "{id} on {day}");
    }
    assert_eq!(text.matches("<result type=\"2\">").count(), 3, "O1, O2 and O3");
    assert_eq!(text.matches("<indicator measure=\"5\">").count(), 11, "the outcome lines' activities");
}
both_stores!(demo_programme_scope_dossiers_and_iati);
