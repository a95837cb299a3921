//! Pathfinder Countries over HTTP: status, roadmaps, reporting cycles and country reports.
//!
//! Commands follow the governance convention (`POST …/<action>`, the body the command's
//! fields plus `envelope`); [`ACTIONS`] lists them for the OpenAPI document. Reads: the
//! status board as of any date, a country's record with every step and the decisions that
//! authorised it, roadmaps, cycles with their compliance, reports, and "who approved what".

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::pathfinder::report::ReportStatus;
use domain::pathfinder::{ReportingCycle, Roadmap};
use projections::pathfinder::{
    board_line, BoardLine, CycleView, PathfinderView, ReportView, CYCLES, PATHFINDERS, REPORTS, ROADMAPS,
};
use projections::read::HistoryEntry;
use serde_json::{json, Value};

use super::actions::Action;
use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::AsOfQuery;
use super::{all_documents, found, history_of, run_action, AppJson, AppPath, AppQuery, AppState, CommandHeaders};

const fn action(path: &'static str, schema: &'static str, command: &'static str, summary: &'static str) -> Action {
    Action { path, schema, command, tag: "pathfinders", summary }
}

/// Every Pathfinder command served over HTTP.
pub const ACTIONS: &[Action] = &[
    action("/api/v1/pathfinders/{id}/record_expression_of_interest", "PfcCommand", "record_expression_of_interest", "Record a ministerial letter of interest (the country's first step)"),
    action("/api/v1/pathfinders/{id}/record_presentation", "PfcCommand", "record_presentation", "Record the candidacy's presentation to the GCG"),
    action("/api/v1/pathfinders/{id}/appoint_focal_point", "PfcCommand", "appoint_focal_point", "Appoint (or replace) the national focal point (a pseudonymous reference, never a name)"),
    action("/api/v1/pathfinders/{id}/establish_national_mechanism", "PfcCommand", "establish_national_mechanism", "Record the national coordination mechanism"),
    action("/api/v1/pathfinders/{id}/record_strategic_workshop", "PfcCommand", "record_strategic_workshop", "Record the strategic planning workshop"),
    action("/api/v1/pathfinders/{id}/grant_status", "PfcCommand", "grant_status", "Grant Pathfinder status (cite an adopted `grant_pathfinder_status` decision; or `legacy` with evidence)"),
    action("/api/v1/pathfinders/{id}/flag_for_review", "PfcCommand", "flag_for_review", "Flag an active country for review (normally the clock does)"),
    action("/api/v1/pathfinders/{id}/clear_review", "PfcCommand", "clear_review", "Clear a review (cite an adopted `reactivate_pathfinder` decision)"),
    action("/api/v1/pathfinders/{id}/mark_inactive", "PfcCommand", "mark_inactive", "Mark inactive (cite an adopted `mark_pathfinder_inactive` decision)"),
    action("/api/v1/pathfinders/{id}/reactivate", "PfcCommand", "reactivate", "Reactivate (cite an adopted `reactivate_pathfinder` decision)"),
    action("/api/v1/pathfinders/{id}/withdraw", "PfcCommand", "withdraw", "Record the government's withdrawal"),
    action("/api/v1/pathfinders/{id}/revoke", "PfcCommand", "revoke", "Revoke status (cite an adopted `revoke_pathfinder_status` decision)"),
    action("/api/v1/pathfinders/{id}/start_support", "PfcCommand", "start_support", "Record in-country support starting"),
    action("/api/v1/pathfinders/{id}/end_support", "PfcCommand", "end_support", "Record in-country support ending (e.g. a project closed)"),
    action("/api/v1/pathfinders/{id}/roadmaps", "RoadmapCommand", "draft", "Draft a roadmap version (id `ISO3/vN`; one version newer than the current)"),
    action("/api/v1/roadmaps/{id}/submit", "RoadmapCommand", "submit", "Submit a roadmap (id `ISO3/vN`, `/` encoded as `%2F`)"),
    action("/api/v1/roadmaps/{id}/provide_feedback", "RoadmapCommand", "provide_feedback", "Record feedback on a roadmap"),
    action("/api/v1/roadmaps/{id}/request_revision", "RoadmapCommand", "request_revision", "Request a revision"),
    action("/api/v1/roadmaps/{id}/resubmit", "RoadmapCommand", "resubmit", "Resubmit a revised roadmap"),
    action("/api/v1/roadmaps/{id}/validate_nationally", "RoadmapCommand", "validate_nationally", "Record national validation"),
    action("/api/v1/roadmaps/{id}/endorse", "RoadmapCommand", "endorse", "Endorse (or take note of, per policy) a roadmap (cite an adopted `endorse_roadmap` decision); its document is then frozen"),
    action("/api/v1/roadmaps/{id}/launch", "RoadmapCommand", "launch", "Record the roadmap's launch"),
    action("/api/v1/roadmaps/{id}/supersede", "RoadmapCommand", "supersede", "Supersede by a newer version of the same country"),
    action("/api/v1/roadmaps/{id}/expire", "RoadmapCommand", "expire", "Expire a roadmap whose period ended (normally the clock does)"),
    action("/api/v1/reporting-cycles", "CycleCommand", "launch", "Launch a reporting cycle (the PFCs active that day are expected)"),
    action("/api/v1/reporting-cycles/{id}/extend_deadline", "CycleCommand", "extend_deadline", "Extend the deadline"),
    action("/api/v1/reporting-cycles/{id}/close", "CycleCommand", "close", "Close the cycle (who submitted, who was waived, who is missing)"),
    action("/api/v1/reporting-cycles/{id}/publish_synthesis", "CycleCommand", "publish_synthesis", "Publish the cycle's synthesis"),
    action("/api/v1/reports/{id}/submit", "ReportCommand", "submit", "Submit a country report (id `CYCLE/ISO3`, `/` encoded as `%2F`)"),
    action("/api/v1/reports/{id}/assign_reviewer", "ReportCommand", "assign_reviewer", "Assign reviewers (SDG 8.7 Monitoring Working Group)"),
    action("/api/v1/reports/{id}/review", "ReportCommand", "review", "Record a review"),
    action("/api/v1/reports/{id}/request_revision", "ReportCommand", "request_revision", "Request a revision"),
    action("/api/v1/reports/{id}/resubmit", "ReportCommand", "resubmit", "Resubmit a revised report"),
    action("/api/v1/reports/{id}/approve", "ReportCommand", "approve", "Approve (cite an `approve_report` decision when the policy says the GCG approves)"),
    action("/api/v1/reports/{id}/publish", "ReportCommand", "publish", "Publish an approved report"),
    action("/api/v1/reports/{id}/mark_overdue", "ReportCommand", "mark_overdue", "Mark a report overdue (normally the clock does)"),
    action("/api/v1/reports/{id}/waive", "ReportCommand", "waive", "Waive a report (cite an adopted `waive_report` decision)"),
];

/// `POST /api/v1/pathfinders/{iso3}/roadmaps` (draft)
pub async fn draft_roadmap(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(iso3): AppPath<String>,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    if body.get("iso3").and_then(Value::as_str).is_some_and(|i| i != iso3) {
        return Err(ApiError::BadRequest("the path and the body name different countries".into()));
    }
    let id = body.get("roadmap_id").and_then(Value::as_str).unwrap_or_default().to_string();
    run_action::<Roadmap>(&state, &caller, &headers, &id, "draft", body, StatusCode::CREATED).await
}

/// `POST /api/v1/reporting-cycles` (launch)
pub async fn launch_cycle(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = body.get("cycle_id").and_then(Value::as_str).unwrap_or_default().to_string();
    run_action::<ReportingCycle>(&state, &caller, &headers, &id, "launch", body, StatusCode::CREATED).await
}

// --- reads ---------------------------------------------------------------------------

/// The Pathfinder status board as of a date: every country, its stage and since when,
/// days in each stage, focal point, current roadmap, last report.
#[utoipa::path(get, path = "/api/v1/pathfinders", tag = "pathfinders", params(AsOfQuery),
    responses((status = 200, description = "the board", body = Object)))]
pub async fn board(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppQuery(query): AppQuery<AsOfQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(board_on(&state, query.as_of).await?).into_response())
}

/// The Pathfinder status board on a date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Board {
    pub as_of: chrono::NaiveDate,
    /// One line per country, in ISO3 order.
    pub countries: Vec<BoardLine>,
    /// How many countries are in each stage.
    pub by_stage: std::collections::BTreeMap<String, u32>,
}

/// The status board on a date (default today, UTC): the one read behind
/// `GET /api/v1/pathfinders` and the Pathfinder page.
pub async fn board_on(state: &AppState, as_of: Option<chrono::NaiveDate>) -> Result<Board, ApiError> {
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let views: Vec<PathfinderView> = all_documents(state, PATHFINDERS).await?;
    let countries: Vec<_> = views.iter().filter(|v| !v.state.iso3.is_empty()).map(|v| board_line(v, as_of)).collect();
    let mut by_stage = std::collections::BTreeMap::new();
    for line in &countries {
        if let Some(stage) = line.stage {
            *by_stage
                .entry(serde_json::to_value(stage).unwrap_or_default().as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
    }
    Ok(Board { as_of, countries, by_stage })
}

/// A country's record: its state, every step with the decision that authorised it, its
/// roadmaps and reports. With `?as_of=`, also its board line on that date and only the
/// steps that had happened by then.
#[utoipa::path(get, path = "/api/v1/pathfinders/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3"), AsOfQuery),
    responses((status = 200, description = "the country", body = Object), (status = 404, description = "nothing recorded")))]
pub async fn country(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(iso3): AppPath<String>,
    AppQuery(query): AppQuery<AsOfQuery>,
) -> Result<Response, ApiError> {
    let document = state.reads.document(PATHFINDERS, &iso3).await?.filter(|d| d["state"]["iso3"] != "");
    let Some(as_of) = query.as_of else { return found("pathfinder country", &iso3, document) };
    let document = document.ok_or_else(|| ApiError::NotFound(format!("pathfinder country {iso3} does not exist")))?;
    let view: PathfinderView = serde_json::from_value(document.clone()).map_err(|e| ApiError::Internal(e.into()))?;
    let day = as_of.to_string();
    let steps: Vec<&Value> = document["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["occurred_at"].as_str().is_none_or(|d| d.get(..10).unwrap_or(d) <= day.as_str()))
        .collect();
    Ok(Json(json!({"as_of": as_of, "line": board_line(&view, as_of), "steps": steps, "labels": document["labels"]}))
        .into_response())
}

/// Who approved what for a country, and when: each step taken on a decision's authority,
/// with the decision's meeting, quorum, policy version and effective date.
#[utoipa::path(get, path = "/api/v1/pathfinders/{id}/approvals", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3")),
    responses((status = 200, description = "authorised steps", body = Vec<Object>), (status = 404, description = "nothing recorded")))]
pub async fn approvals(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(iso3): AppPath<String>,
) -> Result<Response, ApiError> {
    let board = state
        .reads
        .document(PATHFINDERS, &iso3)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("nothing recorded about {iso3}")))?;
    let mut subjects: Vec<(String, String, Value)> = vec![("pfc".into(), iso3.clone(), board.clone())];
    for r in board["roadmaps"].as_array().into_iter().flatten() {
        let id = r["roadmap_id"].as_str().unwrap_or_default();
        if let Some(doc) = state.reads.document(ROADMAPS, id).await? {
            subjects.push(("roadmap".into(), id.into(), doc));
        }
    }
    for r in board["reports"].as_array().into_iter().flatten() {
        let id = r["report_id"].as_str().unwrap_or_default();
        if let Some(doc) = state.reads.document(REPORTS, id).await? {
            subjects.push(("country_report".into(), id.into(), doc));
        }
    }
    let mut out = Vec::new();
    for (kind, id, doc) in subjects {
        for step in doc["steps"].as_array().into_iter().flatten() {
            let Some(decision_id) = step["decision_id"].as_str() else { continue };
            let decision =
                state.reads.document(projections::views::DECISIONS, decision_id).await?.unwrap_or(Value::Null);
            let meeting_id = decision["meeting_id"].as_str().unwrap_or_default().to_string();
            let meeting = state.reads.document(projections::views::MEETINGS, &meeting_id).await?.unwrap_or(Value::Null);
            out.push(json!({
                "aggregate_type": kind, "aggregate_id": id, "event_type": step["event_type"], "occurred_at": step["occurred_at"],
                "position": step["position"], "decision_id": decision_id, "decision_text": decision["text"],
                "meeting_id": meeting_id, "meeting_date": meeting["date"], "chaired_by": meeting["chaired_by"],
                "quorum": decision["quorum_snapshot"], "policy_version": decision["policy_version"],
                "method": decision["method"], "tally": decision["tally"], "effective_on": decision["effective_on"],
                "illustrative": decision["labels"]["illustrative"],
            }));
        }
    }
    Ok(Json(out).into_response())
}

/// Every event of a country.
#[utoipa::path(get, path = "/api/v1/pathfinders/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3")), responses((status = 200, description = "audit history", body = Vec<Object>)))]
pub async fn country_history(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(iso3): AppPath<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    history_of(&state, "pfc", &iso3).await
}

/// One roadmap (id `ISO3/vN`, `/` encoded as `%2F`): content, status, steps, endorsing decision.
#[utoipa::path(get, path = "/api/v1/roadmaps/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3/vN")), responses((status = 200, description = "the roadmap", body = Object)))]
pub async fn roadmap(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Response, ApiError> {
    found("roadmap", &id, state.reads.document(ROADMAPS, &id).await?)
}

/// Every event of a roadmap.
#[utoipa::path(get, path = "/api/v1/roadmaps/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3/vN")), responses((status = 200, description = "audit history", body = Vec<Object>)))]
pub async fn roadmap_history(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    history_of(&state, "roadmap", &id).await
}

/// Reporting cycles.
#[utoipa::path(get, path = "/api/v1/reporting-cycles", tag = "pathfinders", responses((status = 200, description = "cycles", body = Vec<Object>)))]
pub async fn cycles(State(state): State<AppState>, _caller: MaybeCaller) -> Result<Response, ApiError> {
    let views: Vec<Value> = all_documents(&state, CYCLES).await?;
    Ok(Json(views).into_response())
}

/// One reporting cycle.
#[utoipa::path(get, path = "/api/v1/reporting-cycles/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "cycle id")), responses((status = 200, description = "the cycle", body = Object)))]
pub async fn cycle(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Response, ApiError> {
    found("reporting cycle", &id, state.reads.document(CYCLES, &id).await?)
}

/// Every event of a cycle.
#[utoipa::path(get, path = "/api/v1/reporting-cycles/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "cycle id")), responses((status = 200, description = "audit history", body = Vec<Object>)))]
pub async fn cycle_history(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    history_of(&state, "reporting_cycle", &id).await
}

/// Reporting compliance for a cycle as of a date: per expected country on time, late,
/// missing (overdue), waived, approved, published; and the totals.
#[utoipa::path(get, path = "/api/v1/reporting-cycles/{id}/compliance", tag = "pathfinders",
    params(("id" = String, Path, description = "cycle id"), AsOfQuery), responses((status = 200, description = "compliance", body = Object)))]
pub async fn compliance(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<AsOfQuery>,
) -> Result<Response, ApiError> {
    let doc = state
        .reads
        .document(CYCLES, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("reporting cycle {id} does not exist")))?;
    let cycle: CycleView = serde_json::from_value(doc).map_err(|e| ApiError::Internal(e.into()))?;
    let as_of = query.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let deadline = cycle.state.deadline;
    let mut lines = Vec::new();
    let mut totals: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for iso3 in &cycle.state.expected_countries {
        let report_id = format!("{id}/{iso3}");
        let report: Option<ReportView> =
            state.reads.document(REPORTS, &report_id).await?.and_then(|d| serde_json::from_value(d).ok());
        let submitted_on = report.as_ref().and_then(|r| r.state.submitted_on).filter(|d| *d <= as_of);
        let status = report.as_ref().map(|r| r.state.status).unwrap_or(ReportStatus::Expected);
        let compliance = match (submitted_on, status) {
            (_, ReportStatus::Waived) => "waived",
            (Some(_), _) if report.as_ref().is_some_and(|r| r.state.late) => "late",
            (Some(_), _) => "on_time",
            (None, _) if deadline.is_some_and(|d| as_of > d) => "missing",
            (None, _) => "awaited",
        };
        *totals.entry(compliance).or_default() += 1;
        if matches!(status, ReportStatus::Approved | ReportStatus::Published) {
            *totals.entry("approved").or_default() += 1;
        }
        if status == ReportStatus::Published {
            *totals.entry("published").or_default() += 1;
        }
        lines.push(json!({"iso3": iso3, "report_id": report_id, "compliance": compliance, "status": status,
            "submitted_on": submitted_on, "days_late": report.as_ref().map(|r| r.state.days_late),
            "approved_by": report.as_ref().and_then(|r| r.approved_by.clone())}));
    }
    Ok(Json(json!({"cycle_id": id, "as_of": as_of, "deadline": deadline, "status": cycle.state.status,
        "expected": cycle.state.expected_countries.len(), "totals": totals, "countries": lines}))
    .into_response())
}

/// One country report (id `CYCLE/ISO3`, `/` encoded as `%2F`).
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "CYCLE/ISO3")), responses((status = 200, description = "the report", body = Object)))]
pub async fn report(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Response, ApiError> {
    found("report", &id, state.reads.document(REPORTS, &id).await?)
}

/// Every event of a country report.
#[utoipa::path(get, path = "/api/v1/reports/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "CYCLE/ISO3")), responses((status = 200, description = "audit history", body = Vec<Object>)))]
pub async fn report_history(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    history_of(&state, "country_report", &id).await
}
