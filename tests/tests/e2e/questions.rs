//! The users' 25 questions (docs/QUESTIONS.md), each answered by its one documented call
//! on the demo history, over real HTTP, on both stores. Each question is its own check
//! (`q01` … `q25`) on one demo server; every answer is read as of 2026-12-03 so that it
//! does not move with the day the suite runs.

use serde_json::Value;

use crate::both_stores;
use crate::support::{expect_problem, last_line, Store, TestApp};

const AS_OF: &str = "as_of=2026-12-03";

struct Asker {
    app: TestApp,
    donor_a: String,
}

impl Asker {
    async fn get(&self, path: &str) -> Value {
        self.get_as(None, path).await
    }

    async fn get_as(&self, token: Option<&str>, path: &str) -> Value {
        let mut request = self.app.client.get(self.app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    /// `GET path` (with the fixed `as_of`) and its `items`.
    async fn items(&self, path: &str) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let answer = self.get(&format!("{path}{separator}{AS_OF}")).await;
        assert_eq!(answer["as_of"], "2026-12-03", "{path} states its moment");
        answer["items"].as_array().unwrap_or_else(|| panic!("{path}: items in {answer}")).clone()
    }
}

fn ids(rows: &[Value], key: &str) -> Vec<String> {
    rows.iter().map(|r| r[key].as_str().unwrap_or_default().to_string()).collect()
}

/// Q1: who approved Nepal's roadmap, when, where, under which rule, with what quorum.
async fn q01(a: &Asker) {
    let rows = a.items("/api/v1/pathfinders/NPL/approvals").await;
    let endorsed = rows.iter().find(|r| r["event_type"] == "RoadmapEndorsed").expect("Q1: the endorsement");
    assert_eq!(endorsed["decision_id"], "GCG-05-D03", "Q1");
    assert_eq!(endorsed["meeting_id"], "GCG-05", "Q1");
    assert_eq!(endorsed["policy_version"], "gcg-rules/v0-legacy", "Q1");
    assert_eq!(endorsed["quorum"]["met"], true, "Q1");
    assert_eq!(endorsed["illustrative"], true, "Q1: the tally is invented and says so");
}

/// Q2: the chain behind a state fact (the Chair's extended term).
async fn q02(a: &Asker) {
    let p = a.get(&format!("/api/v1/decisions/GCG-21-D04/provenance?{AS_OF}")).await;
    assert_eq!(p["meeting"]["meeting_id"], "GCG-21", "Q2");
    let effects: Vec<&str> =
        p["effects_authorised"].as_array().unwrap().iter().filter_map(|e| e["event_type"].as_str()).collect();
    assert_eq!(effects, ["TermExtended"], "Q2: what the decision set");
    assert!(p["history"].as_array().unwrap().iter().all(|h| h["actor"].is_string()), "Q2: who typed each event");
}

/// Q3: decisions without evidence, recorded long after they occurred.
async fn q03(a: &Asker) {
    let with = a.items("/api/v1/decisions?evidence=true").await;
    assert_eq!(ids(&with, "decision_id"), ["GCG-21-D03", "GCG-22-D02"], "Q3: decisions with evidence");
    let without = a.items("/api/v1/decisions?evidence=false&limit=1000").await;
    assert_eq!(without.len(), 19, "Q3: decisions without evidence");
    // Paging keeps the filters: the pages of five add up to the same 19.
    let mut next = Some(format!("/api/v1/decisions?evidence=false&limit=5&{AS_OF}"));
    let mut paged = Vec::new();
    while let Some(path) = next.take() {
        let response = a.app.client.get(a.app.url(&path)).send().await.unwrap();
        next = response.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            l[l.find('<').unwrap() + 1..l.find('>').unwrap()].to_string()
        });
        let page: Value = response.json().await.unwrap();
        paged.extend(ids(page["items"].as_array().unwrap(), "decision_id"));
    }
    assert_eq!(paged, ids(&without, "decision_id"), "Q3: the pages of a filtered list");
    let late = a.items("/api/v1/decisions?recorded_late_days=90&limit=1000").await;
    assert!(late.len() >= 18, "Q3: the backfill is recorded late");
    assert!(late.iter().all(|d| d["recording_delay_days"].as_i64().unwrap() > 90), "Q3");
    assert!(ids(&late, "decision_id").contains(&"GCG-04-D01".to_string()), "Q3");
    expect_problem(
        a.app.client.get(a.app.url("/api/v1/decisions?recorded_late_days=-1")).send().await.unwrap(),
        400,
        "malformed_request",
    )
    .await;
}

/// Q4: written procedures with their silence deadlines and objections.
async fn q04(a: &Asker) {
    let rows = a.items("/api/v1/decisions/written-procedures").await;
    let first = &rows[0];
    assert_eq!(first["decision_id"], "GCG-WP-2026-1-D01", "Q4");
    assert_eq!(first["circulated_on"], "2026-09-15", "Q4");
    assert_eq!(first["silence_deadline"], "2026-09-29", "Q4: 14 days of the rules in force");
    assert_eq!(first["objections"][0]["seat_id"], "DP-2", "Q4: the objection");
    assert_eq!(first["status"], "adopted", "Q4");
    let via_filter = a.items("/api/v1/decisions?method=written_procedure").await;
    assert_eq!(ids(&via_filter, "decision_id"), ids(&rows, "decision_id"), "Q4: the same set by filter");
}

/// Q5: superseded and rescinded decisions with their replacements.
async fn q05(a: &Asker) {
    let rows = a.items("/api/v1/decisions?status=superseded,rescinded").await;
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["decision_id"].as_str().unwrap().into(), r["replaced_by"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        pairs,
        [("GCG-15-D01".to_string(), "GCG-22-D03".to_string()), ("GCG-22-D04".into(), "GCG-WP-2026-1-D01".into())],
        "Q5"
    );
    expect_problem(
        a.app.client.get(a.app.url("/api/v1/decisions?status=lost")).send().await.unwrap(),
        400,
        "malformed_request",
    )
    .await;
}

/// Q6: open action items by owner and age; items completed without evidence.
async fn q06(a: &Asker) {
    let open = a.items("/api/v1/action-items?status=open").await;
    assert_eq!(ids(&open, "item_id"), ["AGRI-1", "MIN-1", "CAL-1"], "Q6: oldest first");
    assert_eq!(open[0]["owner"], "FAO", "Q6");
    assert_eq!(open[0]["age_days"], 723, "Q6: from 2024-12-10");
    assert_eq!(open[0]["days_overdue"], 521, "Q6: due 2025-06-30");
    let ilo = a.items("/api/v1/action-items?status=open&owner=ILO").await;
    assert_eq!(ids(&ilo, "item_id"), ["MIN-1", "CAL-1"], "Q6: by owner");
    let bare = a.items("/api/v1/action-items?status=completed&evidence=false").await;
    assert_eq!(ids(&bare, "item_id"), ["MDP-1"], "Q6: completed without evidence");
}

/// Q7: the GCG as of 2024-06-30, without the extension decided in December 2025.
async fn q07(a: &Asker) {
    let gcg = a.get("/api/v1/gcg?as_of=2024-06-30").await;
    assert_eq!(gcg["chair"]["holder"], "CHL", "Q7");
    assert_eq!(gcg["chair"]["term_end"], "2026-05-31", "Q7: the term as it stood then");
    assert_eq!(gcg["deputy_chair"]["holder"], "CIV", "Q7");
    assert_eq!(gcg["policy"]["policy"]["version"], "gcg-rules/v1.1-provisional", "Q7: the 2023 Framework is in force");
}

/// Q8: the Chairs over time; when the current term ends; whether a call is open.
async fn q08(a: &Asker) {
    let chairs = a.get(&format!("/api/v1/gcg/chairs?{AS_OF}")).await;
    assert_eq!(chairs["chair"]["term_end"], "2027-05-31", "Q8");
    assert_eq!(chairs["succession_call_open"], true, "Q8");
    assert_eq!(chairs["open_calls"][0], "CALL-2026", "Q8");
}

/// Q9: the meeting register; meetings whose minutes were never approved.
async fn q09(a: &Asker) {
    let all = a.items("/api/v1/meetings/register").await;
    let approved: Vec<&str> =
        all.iter().filter(|m| m["minutes_status"] == "approved").map(|m| m["meeting_id"].as_str().unwrap()).collect();
    assert_eq!(approved, ["GCG-08", "GCG-21"], "Q9");
    let never = a.items("/api/v1/meetings/register?minutes=not_approved").await;
    assert_eq!(never.len(), all.len() - 2, "Q9");
    assert!(never.iter().all(|m| m["quorum_met"].is_boolean() || m["quorum_met"].is_null()), "Q9");
}

/// Q10: attendance per seat and constituency over the last five meetings.
async fn q10(a: &Asker) {
    let answer = a.get(&format!("/api/v1/gcg/attendance?last=5&{AS_OF}")).await;
    let meetings: Vec<&str> =
        answer["meetings"].as_array().unwrap().iter().map(|m| m["meeting_id"].as_str().unwrap()).collect();
    assert_eq!(meetings, ["GCG-16", "GCG-17", "GCG-19", "GCG-21", "GCG-22"], "Q10");
    let pfc = answer["constituencies"].as_array().unwrap().iter().find(|c| c["constituency"] == "pathfinder_country");
    assert_eq!(pfc.unwrap()["attendance_rate"], "52.0", "Q10: vacant PFC seats pull the rate down");
}

/// Q11: the Pathfinder board as of a date.
async fn q11(a: &Asker) {
    let board = a.get("/api/v1/pathfinders?as_of=2024-06-30").await;
    assert_eq!(board["by_stage"]["active"], 7, "Q11");
    assert_eq!(board["by_stage"]["candidate"], 1, "Q11");
    assert!(board["reported"].is_null(), "Q11: no source reported a count by 2024-06-30");
    let now = a.get(&format!("/api/v1/pathfinders?{AS_OF}")).await;
    assert_eq!((now["reported"]["recorded"].as_u64(), now["reported"]["value"].as_u64()), (Some(8), Some(38)), "Q11");
    assert!(now["reported"]["beside"].as_str().unwrap().starts_with("8 recorded of 38 reported (seed-000"), "Q11");
    // A reported figure needs its source.
    let blank = serde_json::json!({"figure": "partners", "value": 401, "qualifier": "over",
        "reported_on": "2026-11-30", "source": " "});
    expect_problem(a.app.post("/api/v1/gcg/record_reported_figure", blank).await, 422, "field_empty").await;
}

/// Q12: time in each stage, with medians; the candidate stalled longest.
async fn q12(a: &Asker) {
    let answer = a.get(&format!("/api/v1/pathfinders/stage-times?{AS_OF}")).await;
    assert_eq!(answer["stalled"][0]["iso3"], "COD", "Q12");
    assert_eq!(answer["stalled"][0]["days_in_stage"], 2227, "Q12: a candidate since 2020-10-28");
    let interest = answer["medians"].as_array().unwrap().iter().find(|m| m["stage"] == "interest_expressed");
    assert_eq!(interest.unwrap()["median_days"], 180.0, "Q12");
}

/// Q13: the 2026 reporting cycle: who is overdue, by how many days.
async fn q13(a: &Asker) {
    let answer = a.get(&format!("/api/v1/reporting-cycles/2026/compliance?{AS_OF}")).await;
    let mdg = answer["countries"].as_array().unwrap().iter().find(|c| c["iso3"] == "MDG").unwrap().clone();
    assert_eq!(mdg["compliance"], "missing", "Q13");
    assert_eq!(mdg["days_late"], 186, "Q13: days since the 2026-05-31 deadline");
    assert_eq!(mdg["labels"]["illustrative"], true, "Q13: the overdue follows the invented deadline");
}

/// Q14: countries that lost in-country support, their reporting, Outcome 2's spend.
async fn q14(a: &Asker) {
    let answer = a.get(&format!("/api/v1/pathfinders/support-lost?{AS_OF}")).await;
    let rows = answer["items"].as_array().unwrap();
    assert_eq!(ids(rows, "iso3"), ["FJI", "MDG"], "Q14");
    assert_eq!(rows[1]["last_report"]["status"], "overdue", "Q14");
    assert_eq!(answer["outcome_2_spent"]["line_code"], "O2", "Q14");
    assert_eq!(answer["reported"]["value"], 15, "Q14: the seed's figure beside the two recorded");
}

/// Q15: everything the GCG decided about Uganda.
async fn q15(a: &Asker) {
    let rows = a.items("/api/v1/decisions?country=UGA").await;
    assert_eq!(ids(&rows, "decision_id"), ["GCG-WP-2026-1-D02"], "Q15");
    let approvals = a.items("/api/v1/pathfinders/UGA/approvals").await;
    assert_eq!(approvals[0]["decision_id"], "GCG-WP-2026-1-D02", "Q15: and what it authorised");
}

/// Q16: reallocations since January 2026 with who authorised them.
async fn q16(a: &Asker) {
    let rows = a.items("/api/v1/programme/reallocations?since=2026-01-01").await;
    let who: Vec<&str> = rows.iter().map(|r| r["authorised_by"].as_str().unwrap()).collect();
    assert_eq!(who, ["delegation", "decision GCG-22-D02"], "Q16");
}

/// Q17: money per month, burn rate and runway.
async fn q17(a: &Asker) {
    let answer = a.get(&format!("/api/v1/programme/monthly?{AS_OF}")).await;
    let months = answer["items"].as_array().unwrap();
    assert_eq!(months.len(), 12, "Q17: January to December 2026");
    assert_eq!(months[0]["plan"]["amount_minor"], 3_914_300, "Q17: 39,143 USD a month");
    assert_eq!(months[2]["received"]["amount_minor"], 42_500_000, "Q17");
    assert_eq!(answer["months_reported"], 4, "Q17");
    assert_eq!(answer["runway_months"], "7.1", "Q17");
}

/// Q18: one donor's trail, with its token.
async fn q18(a: &Asker) {
    let trail = a.get_as(Some(&a.donor_a), &format!("/api/v1/donors/DONOR-A/trail?{AS_OF}")).await;
    assert_eq!(trail["donor"], "DONOR-A", "Q18");
    assert!(!trail["contributions"].as_array().unwrap().is_empty(), "Q18");
    let o2 =
        trail["contributions"][0]["lines"].as_array().unwrap().iter().find(|l| l["line_code"] == "O2").unwrap().clone();
    assert_eq!(
        (o2["results"][0]["target"].as_i64(), o2["results"][0]["actual"].as_i64()),
        (Some(6), Some(4)),
        "Q18: results for the lines"
    );
    assert_eq!(o2["results"][0]["labels"]["illustrative"], true, "Q18: invented results say so");
    // A result outside the programme's period is refused.
    let early = serde_json::json!({"line_code": "O2", "indicator": "x", "unit": "countries",
        "period_start": "2025-01-01", "period_end": "2025-06-30", "target": null, "actual": 1, "reported_on": "2025-07-01"});
    expect_problem(a.app.post("/api/v1/programmes/MDP-A87/report_result", early).await, 422, "result_period_invalid")
        .await;
    let anonymous = a.app.client.get(a.app.url("/api/v1/donors/DONOR-A/trail")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "Q18: only with the donor's token");
}

/// Q19: recomputed line shares beside the stated ones.
async fn q19(a: &Asker) {
    let p = a.get(&format!("/api/v1/programme?{AS_OF}")).await;
    let o2 = p["data_quality"].as_array().unwrap().iter().find(|q| q["subject"] == "line O2 share").unwrap().clone();
    assert_eq!((o2["stated"].as_str(), o2["computed"].as_str()), (Some("51.26 %"), Some("51.23 %")), "Q19");
}

/// Q20: the IATI activity file.
async fn q20(a: &Asker) {
    let response = a.app.client.get(a.app.url("/api/v1/programme/iati.xml")).send().await.unwrap();
    assert_eq!(response.status(), 200, "Q20");
    let xml = response.text().await.unwrap();
    assert!(xml.contains("<iati-identifier>XM-DAC-41302-MDP-A87</iati-identifier>"), "Q20");
}

/// Q21: corrections on the financial streams relative to signed checkpoints.
async fn q21(a: &Asker) {
    let rows = a.items("/api/v1/programme/corrections").await;
    assert_eq!(rows[0]["entry_id"], "E-O3-2026-04", "Q21");
    assert_eq!(rows[0]["recorded_by"], "demo-loader", "Q21");
    assert!(rows[0]["after_checkpoint"].is_boolean(), "Q21");
}

/// Q22: the groups active on a date, with their creating decision.
async fn q22(a: &Asker) {
    let then = a.get("/api/v1/groups?as_of=2024-06-30").await;
    let ids_then = ids(then["items"].as_array().unwrap(), "group_id");
    assert_eq!(ids_then, ["AG-MIG", "AG-SC", "WG-SDGM"], "Q22: Agriculture came in December 2024");
    let now = a.items("/api/v1/groups").await;
    let agri = now.iter().find(|g| g["group_id"] == "AG-AGRI").unwrap();
    assert_eq!(agri["decision_id"], "GCG-19-D04", "Q22");
}

/// Q23: partners admitted per quarter; applications pending; members of each group.
async fn q23(a: &Asker) {
    let answer = a.get(&format!("/api/v1/partners/admissions?pending_days=30&{AS_OF}")).await;
    assert!(!answer["items"].as_array().unwrap().is_empty(), "Q23");
    assert_eq!(answer["pending"][0]["organisation"], "UNU", "Q23");
    assert_eq!(answer["pending"][0]["days_pending"], 59, "Q23");
    let migration = answer["groups"].as_array().unwrap().iter().find(|g| g["group_id"] == "AG-MIG").unwrap().clone();
    assert_eq!(migration["member_count"], 3, "Q23");
    assert_eq!(
        (answer["reported"]["value"].as_u64(), answer["reported"]["qualifier"].as_str()),
        (Some(400), Some("over")),
        "Q23"
    );
}

/// Q24: verify the chain and prove an event's inclusion.
async fn q24(a: &Asker) {
    let out = a.app.ledger(&["verify"]).await;
    assert!(out.status.success(), "Q24: {}", String::from_utf8_lossy(&out.stderr));
    assert!(last_line(&out).contains("intact") || String::from_utf8_lossy(&out.stdout).contains("intact"), "Q24");
    let proof = a.get("/api/v1/ledger/proofs/inclusion?position=3").await;
    assert!(proof["audit_path"].is_array(), "Q24: {proof}");
}

/// Q25: events by role in a period; the segregation-of-duties report.
async fn q25(a: &Asker) {
    let rows: Value =
        a.get("/api/v1/audit?role=secretariat&occurred_from=2026-01-01&occurred_to=2026-06-30&limit=1000").await;
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty(), "Q25");
    assert!(rows.iter().all(|r| r["role"] == "secretariat"), "Q25");
    let report = a.get("/api/v1/audit/segregation").await;
    let findings = report["items"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "decision_and_its_execution_by_one_actor" && f["decision_id"] == "GCG-22-D02"),
        "Q25: the reallocation and its authorising decision were recorded by one actor: {report}"
    );
}

async fn the_questions(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "donor-a", "--scope", "DONOR-A"]).await;
    assert!(out.status.success(), "token create: {}", String::from_utf8_lossy(&out.stderr));
    let a = Asker { donor_a: last_line(&out), app };
    q01(&a).await;
    q02(&a).await;
    q03(&a).await;
    q04(&a).await;
    q05(&a).await;
    q06(&a).await;
    q07(&a).await;
    q08(&a).await;
    q09(&a).await;
    q10(&a).await;
    q11(&a).await;
    q12(&a).await;
    q13(&a).await;
    q14(&a).await;
    q15(&a).await;
    q16(&a).await;
    q17(&a).await;
    q18(&a).await;
    q19(&a).await;
    q20(&a).await;
    q21(&a).await;
    q22(&a).await;
    q23(&a).await;
    q24(&a).await;
    q25(&a).await;
}
both_stores!(the_questions);
