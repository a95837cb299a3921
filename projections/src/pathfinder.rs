//! Pathfinder views: the status board (one document per country), roadmaps, reporting
//! cycles and country reports, and the board and compliance as of any date.
//!
//! Each document embeds the aggregate's own state, folded with the domain's `evolve`, so
//! the view can never disagree with the rules; around it, what the API needs besides:
//! every step with its ledger position and the decision that authorised it, the country's
//! roadmaps and reports, labels, version.

use chrono::NaiveDate;
use domain::pathfinder::country::{PfcEvent, PfcStage};
use domain::pathfinder::cycle::CycleEvent;
use domain::pathfinder::report::{ReportEvent, ReportStatus};
use domain::pathfinder::roadmap::{RoadmapEvent, RoadmapStatus};
use domain::pathfinder::{country, cycle, report, roadmap};
use domain::pathfinder::{CountryReport, PathfinderCountry, ReportingCycle, Roadmap};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::views::{Folded, Labels};

/// The status board view (one document per country).
pub const PATHFINDERS: &str = "pathfinders";
/// The roadmaps view (`ISO3/vN`).
pub const ROADMAPS: &str = "roadmaps";
/// The reporting cycles view.
pub const CYCLES: &str = "reporting_cycles";
/// The country reports view (`CYCLE/ISO3`).
pub const REPORTS: &str = "country_reports";

/// One recorded step: what, when it happened, where it sits, on whose authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub event_type: String,
    pub occurred_at: Option<String>,
    pub position: i64,
    /// The adopted decision the step cites, if any.
    pub decision_id: Option<String>,
    /// Evidence documents cited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Value>,
}

impl Step {
    fn of(event: &Folded<'_>, event_type: &str) -> Self {
        let decision_id = event.metadata.pointer("/authority/decision_id").and_then(Value::as_str).map(str::to_string);
        let evidence = event.metadata.get("evidence").and_then(Value::as_array).cloned().unwrap_or_default();
        let occurred_at = event.metadata.get("occurred_at").and_then(Value::as_str).map(str::to_string);
        Step { event_type: event_type.to_string(), occurred_at, position: event.position, decision_id, evidence }
    }
}

/// A roadmap as the board lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapSummary {
    pub roadmap_id: String,
    pub version: u32,
    pub status: RoadmapStatus,
    pub endorsed_by: Option<String>,
}

/// A report as the board lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub report_id: String,
    pub cycle_id: String,
    pub status: ReportStatus,
    pub late: bool,
}

/// A country on the status board.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathfinderView {
    pub iso3: String,
    /// The aggregate's state (stage, stage history, focal point, support…).
    pub state: PathfinderCountry,
    pub steps: Vec<Step>,
    pub status_granted_by: Option<String>,
    pub roadmaps: Vec<RoadmapSummary>,
    pub reports: Vec<ReportSummary>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// A roadmap document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapView {
    pub roadmap_id: String,
    pub state: Roadmap,
    /// The drafted content (priorities, actions with budgets, indicators).
    pub content: Value,
    pub steps: Vec<Step>,
    pub endorsed_by: Option<String>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// A reporting cycle document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleView {
    pub cycle_id: String,
    pub state: ReportingCycle,
    pub steps: Vec<Step>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// A country report document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub report_id: String,
    pub state: CountryReport,
    pub steps: Vec<Step>,
    pub approved_by: Option<String>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// The (view, id) keys an event of these aggregates touches.
pub fn keys_for(event: &Folded<'_>) -> Vec<(String, String)> {
    let id = event.aggregate_id.to_string();
    match event.aggregate_type {
        "pfc" => vec![(PATHFINDERS.into(), id)],
        "roadmap" => {
            let iso3 = id.split('/').next().unwrap_or_default().to_string();
            vec![(ROADMAPS.into(), id), (PATHFINDERS.into(), iso3)]
        }
        "reporting_cycle" => vec![(CYCLES.into(), id)],
        "country_report" => {
            let iso3 = id.split('/').nth(1).unwrap_or_default().to_string();
            vec![(REPORTS.into(), id), (PATHFINDERS.into(), iso3)]
        }
        _ => vec![],
    }
}

fn parse<E: for<'de> Deserialize<'de>>(event: &Folded<'_>) -> Result<E, String> {
    serde_json::from_value(event.payload.clone())
        .map_err(|e| format!("{} event does not parse: {e}", event.aggregate_type))
}

fn event_type(payload: &Value) -> String {
    payload.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default()
}

/// Folds one event of these aggregates into the documents it touches.
pub fn apply(docs: &mut crate::views::Documents, event: &Folded<'_>) -> Result<(), String> {
    let id = event.aggregate_id.to_string();
    let kind = event_type(event.payload);
    let step = Step::of(event, &kind);
    let load =
        |docs: &crate::views::Documents, view: &str, id: &str| docs.get(&(view.to_string(), id.to_string())).cloned();
    macro_rules! doc {
        ($ty:ty, $view:expr, $id:expr) => {{
            let value = load(docs, $view, &$id);
            let doc: $ty = value.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
            doc
        }};
    }
    macro_rules! put {
        ($view:expr, $id:expr, $doc:expr) => {
            docs.insert(($view.to_string(), $id.to_string()), serde_json::to_value(&$doc).map_err(|e| e.to_string())?);
        };
    }
    match event.aggregate_type {
        "pfc" => {
            let parsed: PfcEvent = parse(event)?;
            let mut view = doc!(PathfinderView, PATHFINDERS, id);
            if matches!(parsed, PfcEvent::PathfinderStatusGranted { .. }) {
                view.status_granted_by = step.decision_id.clone();
            }
            country::evolve(&mut view.state, parsed);
            view.iso3 = id.clone();
            view.steps.push(step);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            put!(PATHFINDERS, id, view);
        }
        "roadmap" => {
            let parsed: RoadmapEvent = parse(event)?;
            let mut view = doc!(RoadmapView, ROADMAPS, id);
            if let RoadmapEvent::RoadmapDrafted { .. } = &parsed {
                view.content = event.payload.get("RoadmapDrafted").cloned().unwrap_or(Value::Null);
            }
            if matches!(parsed, RoadmapEvent::RoadmapEndorsed { .. }) {
                view.endorsed_by = step.decision_id.clone();
            }
            roadmap::evolve(&mut view.state, parsed);
            view.roadmap_id = id.clone();
            view.steps.push(step);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            let summary = RoadmapSummary {
                roadmap_id: id.clone(),
                version: view.state.version,
                status: view.state.status,
                endorsed_by: view.endorsed_by.clone(),
            };
            let iso3 = view.state.iso3.clone();
            put!(ROADMAPS, id, view);
            let mut board = doc!(PathfinderView, PATHFINDERS, iso3);
            board.iso3 = iso3.clone();
            board.roadmaps.retain(|r| r.roadmap_id != summary.roadmap_id);
            board.roadmaps.push(summary);
            board.roadmaps.sort_by_key(|r| r.version);
            put!(PATHFINDERS, iso3, board);
        }
        "reporting_cycle" => {
            let parsed: CycleEvent = parse(event)?;
            let mut view = doc!(CycleView, CYCLES, id);
            cycle::evolve(&mut view.state, parsed);
            view.cycle_id = id.clone();
            view.steps.push(step);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            put!(CYCLES, id, view);
        }
        "country_report" => {
            let parsed: ReportEvent = parse(event)?;
            let mut view = doc!(ReportView, REPORTS, id);
            if matches!(parsed, ReportEvent::ReportApproved { .. }) {
                view.approved_by = step.decision_id.clone();
            }
            report::evolve(&mut view.state, parsed);
            view.report_id = id.clone();
            view.steps.push(step);
            view.labels.absorb(event.metadata);
            view.version = event.sequence;
            view.last_position = event.position;
            let summary = ReportSummary {
                report_id: id.clone(),
                cycle_id: view.state.cycle_id.clone(),
                status: view.state.status,
                late: view.state.late,
            };
            let iso3 = id.split('/').nth(1).unwrap_or_default().to_string();
            put!(REPORTS, id, view);
            let mut board = doc!(PathfinderView, PATHFINDERS, iso3);
            board.iso3 = iso3.clone();
            board.reports.retain(|r| r.report_id != summary.report_id);
            board.reports.push(summary);
            board.reports.sort_by(|a, b| a.cycle_id.cmp(&b.cycle_id));
            put!(PATHFINDERS, iso3, board);
        }
        _ => {}
    }
    Ok(())
}

/// A country's line on the board as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardLine {
    pub iso3: String,
    pub stage: Option<PfcStage>,
    pub since: Option<NaiveDate>,
    /// Days spent in each stage up to the date, in the order entered.
    pub days_in_stage: Vec<(PfcStage, i64)>,
    pub focal_point: Option<String>,
    pub current_roadmap: Option<RoadmapSummary>,
    pub last_report: Option<ReportSummary>,
    pub status_granted_on: Option<NaiveDate>,
    pub status_granted_by: Option<String>,
    pub legacy: bool,
    pub in_country_support: bool,
    pub illustrative: bool,
}

/// The board line of `view` as of `as_of` (stages entered after it are ignored).
pub fn board_line(view: &PathfinderView, as_of: NaiveDate) -> BoardLine {
    let history: Vec<(PfcStage, NaiveDate)> =
        view.state.stage_history.iter().filter(|(_, since)| *since <= as_of).cloned().collect();
    let mut days_in_stage = Vec::new();
    for (i, (stage, since)) in history.iter().enumerate() {
        let until = history.get(i + 1).map(|(_, d)| *d).unwrap_or(as_of);
        days_in_stage.push((*stage, (until - *since).num_days()));
    }
    let current_roadmap = view
        .roadmaps
        .iter()
        .rfind(|r| r.status.is_endorsed() && r.status != RoadmapStatus::Superseded)
        .cloned()
        .or_else(|| view.roadmaps.last().cloned());
    BoardLine {
        iso3: view.iso3.clone(),
        stage: history.last().map(|(s, _)| *s),
        since: history.last().map(|(_, d)| *d),
        days_in_stage,
        focal_point: view.state.focal_point.as_ref().filter(|f| f.since <= as_of).map(|f| f.title.clone()),
        current_roadmap,
        last_report: view.reports.last().cloned(),
        status_granted_on: view.state.status_granted_on.filter(|d| *d <= as_of),
        status_granted_by: view.status_granted_by.clone(),
        legacy: view.state.legacy,
        in_country_support: view.state.support.iter().any(|s| s.from <= as_of && s.until.is_none_or(|e| e > as_of)),
        illustrative: view.labels.illustrative,
    }
}

/// The status board on `as_of`: a line per country (of the documents as of the read's
/// moment) and the count by stage.
pub fn board(views: &[PathfinderView], as_of: NaiveDate) -> Value {
    let lines: Vec<BoardLine> =
        views.iter().filter(|v| !v.state.iso3.is_empty()).map(|v| board_line(v, as_of)).collect();
    let mut by_stage = std::collections::BTreeMap::new();
    for line in &lines {
        if let Some(stage) = line.stage {
            let name =
                serde_json::to_value(stage).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            *by_stage.entry(name).or_insert(0u32) += 1;
        }
    }
    serde_json::json!({"as_of": as_of, "countries": lines, "by_stage": by_stage})
}

/// Days a report is late on `as_of`: a late submission's delay, or for a missing report
/// the days since the deadline; 0 otherwise.
fn days_late(report: Option<&ReportView>, compliance: &str, deadline: Option<NaiveDate>, as_of: NaiveDate) -> i64 {
    match (compliance, deadline) {
        ("missing", Some(deadline)) => (as_of - deadline).num_days(),
        ("late", _) => report.map_or(0, |r| i64::from(r.state.days_late)),
        _ => 0,
    }
}

/// Reporting compliance for a cycle on `as_of`, from the cycle's and its reports'
/// documents as of the read's moment: per expected country on time, late, missing
/// (deadline passed with nothing submitted), awaited, or waived, with the report's status
/// then; and the totals.
pub fn compliance(cycle: &CycleView, reports: &[Option<ReportView>], as_of: NaiveDate) -> Value {
    let deadline = cycle.state.deadline;
    let mut lines = Vec::new();
    let mut totals: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for (iso3, report) in cycle.state.expected_countries.iter().zip(reports) {
        let submitted_on = report.as_ref().and_then(|r| r.state.submitted_on);
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
        lines.push(serde_json::json!({"iso3": iso3, "report_id": format!("{}/{iso3}", cycle.cycle_id),
            "compliance": compliance, "status": status, "submitted_on": submitted_on,
            "days_late": days_late(report.as_ref(), compliance, deadline, as_of),
            "approved_by": report.as_ref().and_then(|r| r.approved_by.clone()),
            "labels": report.as_ref().filter(|r| !r.labels.confidence.is_empty()).map_or(&cycle.labels, |r| &r.labels)}));
    }
    serde_json::json!({"cycle_id": cycle.cycle_id, "as_of": as_of, "deadline": deadline,
        "status": cycle.state.status, "expected": cycle.state.expected_countries.len(), "totals": totals,
        "countries": lines})
}
