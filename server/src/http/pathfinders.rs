//! Pathfinder Countries over HTTP: status, roadmaps, reporting cycles and country reports.
//!
//! Commands follow the governance convention (`POST …/<action>`, the body the command's
//! fields plus `envelope`); [`ACTIONS`] lists them for the OpenAPI document. Reads: the
//! status board as of any date, a country's record with every step and the decisions that
//! authorised it, roadmaps, cycles with their compliance, reports, and "who approved what".

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::pathfinder::{ReportingCycle, Roadmap};
use projections::pathfinder::{
    self, board_line, CycleView, PathfinderView, ReportView, CYCLES, PATHFINDERS, REPORTS, ROADMAPS,
};
use projections::time::planned;
use serde_json::{json, Value};

use super::actions::Action;
use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{
    all_documents, answer, found, history_of, not_found_at, run_action, AppJson, AppPath, AppState, AsOfQuery,
    CommandHeaders, ReadAt,
};

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

fn parsed<T: serde::de::DeserializeOwned>(document: Value) -> Result<T, ApiError> {
    serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))
}

/// The Pathfinder status board as of a moment: every country, its stage and since when,
/// days in each stage, focal point, current roadmap, last report.
#[utoipa::path(get, path = "/api/v1/pathfinders", tag = "pathfinders", params(AsOfQuery),
    responses((status = 200, description = "the board", body = crate::http::openapi::Stamped)))]
pub async fn board(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let views: Vec<PathfinderView> = all_documents(at, PATHFINDERS).await?;
    let mut body = pathfinder::board(&views, at.moment.as_of);
    let recorded = body["countries"].as_array().map_or(0, Vec::len);
    body["reported"] = json!(
        super::questions::reported_beside(at, domain::body::ReportedFigure::PathfinderCountries, recorded).await?
    );
    Ok(answer(at, body, planned::NONE))
}

/// A country's record as of a moment: its state, every step with the decision that
/// authorised it, its roadmaps and reports, and its board line on `as_of` (`line`).
#[utoipa::path(get, path = "/api/v1/pathfinders/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3"), AsOfQuery),
    responses((status = 200, description = "the country", body = crate::http::openapi::Stamped), (status = 404, description = "nothing recorded by that moment")))]
pub async fn country(_caller: MaybeCaller, AppPath(iso3): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let document = at.document(PATHFINDERS, &iso3).await?.filter(|d| d["state"]["iso3"] != "");
    let Some(mut document) = document else { return Err(not_found_at(at, &format!("pathfinder country {iso3}"))) };
    let view: PathfinderView = parsed(document.clone())?;
    document["line"] =
        serde_json::to_value(board_line(&view, at.moment.as_of)).map_err(|e| ApiError::Internal(e.into()))?;
    found(at, "pathfinder country", &iso3, Some(document), planned::PATHFINDER)
}

/// Who approved what for a country, and when, as of a moment: each step taken on a
/// decision's authority, with the decision's meeting, quorum, policy version and effective date.
#[utoipa::path(get, path = "/api/v1/pathfinders/{id}/approvals", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3"), AsOfQuery),
    responses((status = 200, description = "authorised steps as `items`", body = crate::http::openapi::StampedList), (status = 404, description = "nothing recorded by that moment")))]
pub async fn approvals(
    _caller: MaybeCaller,
    AppPath(iso3): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    let at = &read.at;
    let board = at
        .document(PATHFINDERS, &iso3)
        .await?
        .ok_or_else(|| not_found_at(at, &format!("pathfinder country {iso3}")))?;
    let mut subjects: Vec<(String, String, Value)> = vec![("pfc".into(), iso3.clone(), board.clone())];
    for r in board["roadmaps"].as_array().into_iter().flatten() {
        let id = r["roadmap_id"].as_str().unwrap_or_default();
        if let Some(doc) = at.document(ROADMAPS, id).await? {
            subjects.push(("roadmap".into(), id.into(), doc));
        }
    }
    for r in board["reports"].as_array().into_iter().flatten() {
        let id = r["report_id"].as_str().unwrap_or_default();
        if let Some(doc) = at.document(REPORTS, id).await? {
            subjects.push(("country_report".into(), id.into(), doc));
        }
    }
    let mut out = Vec::new();
    for (kind, id, doc) in subjects {
        for step in doc["steps"].as_array().into_iter().flatten() {
            let Some(decision_id) = step["decision_id"].as_str() else { continue };
            let decision = at.document(projections::views::DECISIONS, decision_id).await?.unwrap_or(Value::Null);
            let meeting_id = decision["meeting_id"].as_str().unwrap_or_default().to_string();
            let meeting = at.document(projections::views::MEETINGS, &meeting_id).await?.unwrap_or(Value::Null);
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
    Ok(answer(at, Value::Array(out), &["/items/*/occurred_at", "/items/*/meeting_date"]))
}

/// Every event of a country known at a moment.
#[utoipa::path(get, path = "/api/v1/pathfinders/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3"), AsOfQuery), responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History)))]
pub async fn country_history(
    _caller: MaybeCaller,
    AppPath(iso3): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    history_of(&read.at, "pfc", &iso3).await
}

/// One roadmap (id `ISO3/vN`, `/` encoded as `%2F`) as of a moment: content, status, steps, endorsing decision.
#[utoipa::path(get, path = "/api/v1/roadmaps/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3/vN"), AsOfQuery), responses((status = 200, description = "the roadmap", body = crate::http::openapi::Stamped)))]
pub async fn roadmap(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    found(&read.at, "roadmap", &id, read.at.document(ROADMAPS, &id).await?, planned::ROADMAP)
}

/// Every event of a roadmap known at a moment.
#[utoipa::path(get, path = "/api/v1/roadmaps/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "ISO3/vN"), AsOfQuery), responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History)))]
pub async fn roadmap_history(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    history_of(&read.at, "roadmap", &id).await
}

/// Reporting cycles as of a moment.
#[utoipa::path(get, path = "/api/v1/reporting-cycles", tag = "pathfinders", params(AsOfQuery),
    responses((status = 200, description = "cycles as `items`", body = crate::http::openapi::StampedList)))]
pub async fn cycles(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let views: Vec<Value> = all_documents(&read.at, CYCLES).await?;
    Ok(answer(&read.at, Value::Array(views), planned::CYCLE))
}

/// One reporting cycle as of a moment.
#[utoipa::path(get, path = "/api/v1/reporting-cycles/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "cycle id"), AsOfQuery), responses((status = 200, description = "the cycle", body = crate::http::openapi::Stamped)))]
pub async fn cycle(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    found(&read.at, "reporting cycle", &id, read.at.document(CYCLES, &id).await?, planned::CYCLE)
}

/// Every event of a cycle known at a moment.
#[utoipa::path(get, path = "/api/v1/reporting-cycles/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "cycle id"), AsOfQuery), responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History)))]
pub async fn cycle_history(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    history_of(&read.at, "reporting_cycle", &id).await
}

/// Reporting compliance for a cycle as of a moment: per expected country on time, late,
/// missing (overdue), awaited, waived, with the report's status then; and the totals. A
/// cycle not launched by then is a 404.
#[utoipa::path(get, path = "/api/v1/reporting-cycles/{id}/compliance", tag = "pathfinders",
    params(("id" = String, Path, description = "cycle id"), AsOfQuery),
    responses((status = 200, description = "compliance", body = crate::http::openapi::Stamped), (status = 404, description = "no such cycle at that moment")))]
pub async fn compliance(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    let at = &read.at;
    let cycle: CycleView = match at.document(CYCLES, &id).await? {
        Some(document) => parsed(document)?,
        None => return Err(not_found_at(at, &format!("reporting cycle {id}"))),
    };
    let mut reports = Vec::new();
    for iso3 in &cycle.state.expected_countries {
        let report: Option<ReportView> = match at.document(REPORTS, &format!("{id}/{iso3}")).await? {
            Some(document) => Some(parsed(document)?),
            None => None,
        };
        reports.push(report);
    }
    Ok(answer(at, pathfinder::compliance(&cycle, &reports, at.moment.as_of), planned::COMPLIANCE))
}

/// One country report (id `CYCLE/ISO3`, `/` encoded as `%2F`) as of a moment.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "pathfinders",
    params(("id" = String, Path, description = "CYCLE/ISO3"), AsOfQuery), responses((status = 200, description = "the report", body = crate::http::openapi::Stamped)))]
pub async fn report(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    found(&read.at, "report", &id, read.at.document(REPORTS, &id).await?, planned::REPORT)
}

/// Every event of a country report known at a moment.
#[utoipa::path(get, path = "/api/v1/reports/{id}/history", tag = "pathfinders",
    params(("id" = String, Path, description = "CYCLE/ISO3"), AsOfQuery), responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History)))]
pub async fn report_history(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    history_of(&read.at, "country_report", &id).await
}
