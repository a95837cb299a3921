//! The reads that answer the users' questions no single resource answers: decisions by
//! filter, written procedures, action items, attendance rates, the meeting register, time
//! in each Pathfinder stage, partner admissions and the segregation-of-duties report.
//!
//! Each handler parses its filters, loads the documents of the read's moment through
//! [`ReadAt`] and hands them to [`projections::questions`], where the rules live.
//! docs/QUESTIONS.md maps every question to its call.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use domain::decision::DecisionStatus;
use projections::governance::{BodyView, GroupView, PartnerView, GCG, GROUPS, PARTNERS};
use projections::pathfinder::{PathfinderView, PATHFINDERS};
use projections::questions::{self, ActionItemFilter, DecisionFilter, Recorded};
use projections::time::planned;
use projections::views::{DecisionView, MeetingView, DECISIONS, MEETINGS};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::MaybeCaller;
use super::error::ApiError;
use super::{all_documents, answer, AppState, AsOfQuery, ReadAt, ReadParams};
use crate::facts::DEFAULT_BODY;

/// The filters of `GET /api/v1/decisions` besides paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// Return the decisions after this id (the last one of the previous page).
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
    /// Comma-separated statuses, e.g. `superseded,rescinded`.
    pub status: Option<String>,
    /// `consensus`, `simple_majority`, `qualified_majority` or `written_procedure`.
    pub method: Option<String>,
    /// A meeting id, e.g. `GCG-22`.
    pub meeting: Option<String>,
    /// A subject kind, e.g. `grant_pathfinder_status`.
    pub subject: Option<String>,
    /// An ISO 3166 code the decision is about, e.g. `UGA`.
    pub country: Option<String>,
    /// Adopted on or after this date.
    pub adopted_from: Option<NaiveDate>,
    /// Adopted on or before this date.
    pub adopted_to: Option<NaiveDate>,
    /// `true`: with an evidence document; `false`: without.
    pub evidence: Option<bool>,
    /// `true`: a quorum was recorded with the adoption; `false`: none was.
    pub quorum_recorded: Option<bool>,
    /// Recorded more than this many days after the adoption (backfills).
    pub recorded_late_days: Option<i64>,
}

impl ReadParams for DecisionQuery {
    const NAMES: &'static [&'static str] = &[
        "after",
        "limit",
        "status",
        "method",
        "meeting",
        "subject",
        "country",
        "adopted_from",
        "adopted_to",
        "evidence",
        "quorum_recorded",
        "recorded_late_days",
    ];
}

impl DecisionQuery {
    /// The filters as given, as a query string (`?status=…&…`, or empty), for the link to
    /// the next page.
    fn filters_query(&self) -> String {
        let text = |name: &str, value: Option<String>| value.map(|v| format!("{name}={}", super::encode(&v)));
        let pairs: Vec<String> = [
            text("status", self.status.clone()),
            text("method", self.method.clone()),
            text("meeting", self.meeting.clone()),
            text("subject", self.subject.clone()),
            text("country", self.country.clone()),
            text("adopted_from", self.adopted_from.map(|d| d.to_string())),
            text("adopted_to", self.adopted_to.map(|d| d.to_string())),
            text("evidence", self.evidence.map(|b| b.to_string())),
            text("quorum_recorded", self.quorum_recorded.map(|b| b.to_string())),
            text("recorded_late_days", self.recorded_late_days.map(|d| d.to_string())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    fn filter(&self) -> Result<DecisionFilter, ApiError> {
        let mut status = Vec::new();
        for name in self.status.iter().flat_map(|s| s.split(',')).filter(|s| !s.is_empty()) {
            status.push(serde_json::from_value::<DecisionStatus>(json!(name)).map_err(|_| {
                ApiError::BadRequest(format!(
                    "query parameter `status`: {name:?} is not a decision status (proposed, adopted, rejected, \
                     superseded, deferred, withdrawn, rescinded)"
                ))
            })?);
        }
        if let Some(method) = &self.method {
            if !["consensus", "simple_majority", "qualified_majority", "written_procedure"].contains(&method.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "query parameter `method`: {method:?} is not one of consensus, simple_majority, \
                     qualified_majority, written_procedure"
                )));
            }
        }
        if self.recorded_late_days.is_some_and(|d| d < 0) {
            return Err(ApiError::BadRequest("query parameter `recorded_late_days` must not be negative".into()));
        }
        Ok(DecisionFilter {
            status,
            method: self.method.clone(),
            meeting: self.meeting.clone(),
            subject: self.subject.clone(),
            country: self.country.clone(),
            adopted_from: self.adopted_from,
            adopted_to: self.adopted_to,
            evidence: self.evidence,
            quorum_recorded: self.quorum_recorded,
            recorded_late_days: self.recorded_late_days,
        })
    }
}

/// Every meeting of the moment by id.
/// The meetings the decisions were taken at, by id: read one by one, so the cost grows with
/// the decisions, not with every meeting ever held.
async fn meetings_by_id<'a>(
    at: &projections::read::At,
    meeting_ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, MeetingView>, ApiError> {
    let mut meetings = HashMap::new();
    for id in meeting_ids {
        if meetings.contains_key(id) {
            continue;
        }
        if let Some(document) = at.document(MEETINGS, id).await? {
            let view: MeetingView = serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
            meetings.insert(id.to_string(), view);
        }
    }
    Ok(meetings)
}

async fn body(at: &projections::read::At) -> Result<Option<BodyView>, ApiError> {
    match at.document(GCG, DEFAULT_BODY).await? {
        Some(document) => Ok(Some(serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?)),
        None => Ok(None),
    }
}

/// The latest figure of `figure` a source reported by the moment's date, beside what the
/// ledger records (`recorded`): `{"figure", "value", "qualifier", "source", "reported_on",
/// "recorded", "beside": "8 recorded of 38 reported (source, date)", "labels"}`; `None`
/// when no source reported one by then.
pub(super) async fn reported_beside(
    at: &projections::read::At,
    figure: domain::body::ReportedFigure,
    recorded: usize,
) -> Result<Option<Value>, ApiError> {
    let Some(body) = body(at).await? else { return Ok(None) };
    Ok(projections::governance::reported(&body, figure, at.moment.as_of).map(|f| {
        json!({"figure": f.figure, "value": f.value, "qualifier": f.qualifier, "source": f.source,
            "reported_on": f.reported_on, "recorded": recorded, "beside": f.beside(recorded), "labels": f.labels})
    }))
}

/// Lists decisions, filtered, with the figures the filters use.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions",
    params(DecisionQuery, AsOfQuery),
    responses((status = 200, description = "one page of decisions in id order as `items`, each with `countries`, \
        `written_procedure`, `has_evidence`, `quorum_recorded`, `recording_delay_days` and `replaced_by`; \
        `Link: rel=next` when there are more", body = crate::http::openapi::StampedList),
        (status = 400, description = "a malformed or unknown filter")))]
pub async fn decisions(_caller: MaybeCaller, read: ReadAt<DecisionQuery>) -> Result<Response, ApiError> {
    let at = &read.at;
    let filter = read.params.filter()?;
    let limit = read.params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 1000".into()));
    }
    let documents: Vec<Value> = all_documents(at, DECISIONS).await?;
    let after = read.params.after.clone().unwrap_or_default();
    let mut typed = Vec::new();
    for document in documents {
        let view: DecisionView = serde_json::from_value(document.clone()).map_err(|e| ApiError::Internal(e.into()))?;
        if view.decision_id > after {
            typed.push((view, document));
        }
    }
    let meetings = meetings_by_id(at, typed.iter().map(|(view, _)| view.meeting_id.as_str())).await?;
    let mut rows = questions::decisions(typed, &meetings, &filter);
    let limit = usize::try_from(limit).unwrap_or(100);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let last = rows.last().and_then(|r| r["decision_id"].as_str()).map(str::to_string);
    let mut response = answer(at, Value::Array(rows), planned::DECISION);
    if let (true, Some(last)) = (more, last) {
        // The next page keeps the filters.
        let path = format!("/api/v1/decisions{}", read.params.filters_query());
        super::link_next(&mut response, at, &path, &last, limit);
    }
    Ok(response)
}

/// Decisions by written procedure with their silence deadlines and objections (Q4).
#[utoipa::path(get, path = "/api/v1/decisions/written-procedures", tag = "questions",
    params(AsOfQuery),
    responses((status = 200, description = "as `items`: circulated_on, silence_period_days, silence_deadline, \
        silence_running, objections, status", body = crate::http::openapi::StampedList)))]
pub async fn written_procedures(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let decisions: Vec<DecisionView> = all_documents(at, DECISIONS).await?;
    let meetings = meetings_by_id(at, decisions.iter().map(|d| d.meeting_id.as_str())).await?;
    let body = body(at).await?;
    let rows = questions::written_procedures(&decisions, &meetings, body.as_ref(), at.moment.as_of);
    Ok(answer(at, Value::Array(rows), &["/items/*/silence_deadline"]))
}

/// The filters of the action-item list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionItemQuery {
    /// `open` or `completed`.
    pub status: Option<String>,
    /// The organisation responsible, e.g. `ILO`.
    pub owner: Option<String>,
    /// `false`: completed items without an evidence document; `true`: with one.
    pub evidence: Option<bool>,
    /// Open items at least this many days old.
    pub min_age_days: Option<i64>,
}

impl ReadParams for ActionItemQuery {
    const NAMES: &'static [&'static str] = &["status", "owner", "evidence", "min_age_days"];
}

/// Action items of GCG decisions by owner and age (Q6).
#[utoipa::path(get, path = "/api/v1/action-items", tag = "questions",
    params(ActionItemQuery, AsOfQuery),
    responses((status = 200, description = "as `items`, oldest first: owner, assigned_on, due_on, status, age_days, \
        days_overdue, evidence_sha256", body = crate::http::openapi::StampedList),
        (status = 400, description = "a malformed or unknown filter")))]
pub async fn action_items(_caller: MaybeCaller, read: ReadAt<ActionItemQuery>) -> Result<Response, ApiError> {
    let at = &read.at;
    let q = &read.params;
    if let Some(status) = &q.status {
        if status != "open" && status != "completed" {
            return Err(ApiError::BadRequest(format!("query parameter `status`: {status:?} is not open or completed")));
        }
    }
    let filter = ActionItemFilter {
        status: q.status.clone(),
        owner: q.owner.clone(),
        evidence: q.evidence,
        min_age_days: q.min_age_days,
    };
    let decisions: Vec<DecisionView> = all_documents(at, DECISIONS).await?;
    let rows = questions::action_items(&decisions, &filter, at.moment.as_of);
    Ok(answer(at, Value::Array(rows), &["/items/*/due_on"]))
}

/// How many meetings the attendance rates cover.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    /// The last N meetings held (default 5, at most 100).
    pub last: Option<usize>,
}

impl ReadParams for AttendanceQuery {
    const NAMES: &'static [&'static str] = &["last"];
}

/// Attendance rate per seat and constituency over the last N meetings (Q10).
#[utoipa::path(get, path = "/api/v1/gcg/attendance", tag = "questions",
    params(AttendanceQuery, AsOfQuery),
    responses((status = 200, description = "`meetings` covered; per seat (`items`) and per constituency: meetings, \
        present, absent, vacant, attendance_rate (%)", body = crate::http::openapi::StampedListOrAbsent)))]
pub async fn attendance(_caller: MaybeCaller, read: ReadAt<AttendanceQuery>) -> Result<Response, ApiError> {
    let at = &read.at;
    let last = read.params.last.unwrap_or(5);
    if !(1..=100).contains(&last) {
        return Err(ApiError::BadRequest("query parameter `last` must be between 1 and 100".into()));
    }
    let Some(body) = body(at).await? else {
        return Ok(answer(at, projections::time::absent(&at.moment), &[]));
    };
    let meetings: Vec<MeetingView> = all_documents(at, MEETINGS).await?;
    Ok(answer(at, questions::attendance(&meetings, &body, last, at.moment.as_of), &[]))
}

/// Which meetings the register lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// `none`, `drafted`, `circulated`, `approved`, or `not_approved` (any but approved).
    pub minutes: Option<String>,
}

impl ReadParams for RegisterQuery {
    const NAMES: &'static [&'static str] = &["minutes"];
}

/// The meeting register: number, date, modality, chair, quorum, minutes status (Q9).
#[utoipa::path(get, path = "/api/v1/meetings/register", tag = "questions",
    params(RegisterQuery, AsOfQuery),
    responses((status = 200, description = "as `items` in date order: meeting_id, number, kind, date, modality, \
        status, chaired_by, quorum_met, decisions, minutes_status, minutes_approved_on, report_published_on", body = crate::http::openapi::StampedList)))]
pub async fn register(_caller: MaybeCaller, read: ReadAt<RegisterQuery>) -> Result<Response, ApiError> {
    let at = &read.at;
    let wanted = read.params.minutes.clone();
    if let Some(w) = &wanted {
        if !["none", "drafted", "circulated", "approved", "not_approved"].contains(&w.as_str()) {
            return Err(ApiError::BadRequest(format!(
                "query parameter `minutes`: {w:?} is not none, drafted, circulated, approved or not_approved"
            )));
        }
    }
    let mut meetings: Vec<MeetingView> = all_documents(at, MEETINGS).await?;
    meetings.sort_by_key(|m| (m.date, m.number));
    let rows: Vec<Value> = meetings
        .iter()
        .map(|m| (m, questions::minutes_status(m)))
        .filter(|(_, status)| match wanted.as_deref() {
            None => true,
            Some("not_approved") => *status != "approved",
            Some(w) => w == *status,
        })
        .map(|(m, status)| {
            json!({"meeting_id": m.meeting_id, "number": m.number, "kind": m.kind, "date": m.date,
                "modality": m.modality, "status": m.status, "chaired_by": m.chaired_by,
                "quorum_met": m.quorum.as_ref().map(|q| q.met), "decisions": m.decisions.len(),
                "minutes_status": status, "minutes_approved_on": m.minutes.as_ref().and_then(|x| x.approved_on),
                "report_published_on": m.report.as_ref().map(|r| r.published_on), "labels": m.labels})
        })
        .collect();
    Ok(answer(at, Value::Array(rows), planned::MEETING_REGISTER))
}

/// Days in each Pathfinder stage, medians and the longest-stalled candidates (Q12).
#[utoipa::path(get, path = "/api/v1/pathfinders/stage-times", tag = "questions",
    params(AsOfQuery),
    responses((status = 200, description = "per country (`items`) its stages with days; `medians` per stage; \
        `stalled`: candidates longest in their stage first", body = crate::http::openapi::StampedList)))]
pub async fn stage_times(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let views: Vec<PathfinderView> = all_documents(at, PATHFINDERS).await?;
    Ok(answer(at, questions::stage_times(&views, at.moment.as_of), &[]))
}

/// How long an application counts as pending.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdmissionsQuery {
    /// Applications pending more than this many days (default 90).
    pub pending_days: Option<i64>,
}

impl ReadParams for AdmissionsQuery {
    const NAMES: &'static [&'static str] = &["pending_days"];
}

/// Partners admitted per quarter and category, pending applications, group members (Q23).
#[utoipa::path(get, path = "/api/v1/partners/admissions", tag = "questions",
    params(AdmissionsQuery, AsOfQuery),
    responses((status = 200, description = "`items`: admitted per quarter and category; `pending`: applications \
        older than `pending_days`; `groups`: members of each group", body = crate::http::openapi::StampedList)))]
pub async fn admissions(_caller: MaybeCaller, read: ReadAt<AdmissionsQuery>) -> Result<Response, ApiError> {
    let at = &read.at;
    let pending_days = read.params.pending_days.unwrap_or(90);
    if pending_days < 0 {
        return Err(ApiError::BadRequest("query parameter `pending_days` must not be negative".into()));
    }
    let partners: Vec<PartnerView> = all_documents(at, PARTNERS).await?;
    let groups: Vec<GroupView> = all_documents(at, GROUPS).await?;
    let mut body = questions::partner_admissions(&partners, &groups, pending_days, at.moment.as_of);
    let admitted = partners.iter().filter(|p| p.admitted_on.is_some_and(|d| d <= at.moment.as_of)).count();
    body["reported"] = json!(reported_beside(at, domain::body::ReportedFigure::Partners, admitted).await?);
    Ok(answer(at, body, &[]))
}

/// The period the segregation report covers.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SegregationQuery {
    /// Events recorded by this actor only.
    pub actor: Option<String>,
}

/// Segregation of duties (Q25): decisions proposed and adopted by one actor, and events
/// recorded on a decision's authority by the actor who recorded its adoption.
#[utoipa::path(get, path = "/api/v1/audit/segregation", tag = "questions",
    params(SegregationQuery), security((), ("bearer" = [])),
    responses((status = 200, description = "findings as `items`: rule, actor, decision_id, positions; `events_read`: \
        how many events the reader could read", body = crate::http::openapi::Segregation)))]
pub async fn segregation(
    State(state): State<AppState>,
    caller: MaybeCaller,
    super::AppQuery(query): super::AppQuery<SegregationQuery>,
) -> Result<Response, ApiError> {
    let reader = caller.reader();
    let mut rows = Vec::new();
    let mut from = 0;
    loop {
        let filter = projections::read::AuditFilter {
            from_position: Some(from),
            actor: query.actor.clone().filter(|a| !a.is_empty()),
            limit: 1000,
            ..Default::default()
        };
        let page = state.reads.audit_where(&filter, &reader).await?;
        let Some(last) = page.last().map(|e| e.position()) else { break };
        for entry in page {
            if let projections::lens::ShownEntry::Full(row) = entry {
                rows.push(Recorded {
                    position: row.row.position,
                    decision_authority: Some(&row.authority)
                        .filter(|a| a.get("kind").and_then(Value::as_str) == Some("decision"))
                        .and_then(|a| a.get("decision_id").and_then(Value::as_str))
                        .map(str::to_string),
                    aggregate_type: row.row.aggregate_type,
                    aggregate_id: row.row.aggregate_id,
                    event_type: row.row.event_type,
                    actor: row.row.actor,
                });
            }
        }
        from = last + 1;
    }
    let findings = questions::segregation(&rows);
    Ok(axum::response::IntoResponse::into_response(axum::Json(json!({"items": findings, "events_read": rows.len()}))))
}

/// Countries that lost in-country support, their reporting status, and Outcome 2's spend (Q14).
#[utoipa::path(get, path = "/api/v1/pathfinders/support-lost", tag = "questions",
    params(AsOfQuery),
    responses((status = 200, description = "as `items`: iso3, stage, support_ended_on, support, last_report; \
        `outcome_2_spent`: the programme's Outcome 2 spend to date", body = crate::http::openapi::StampedList)))]
pub async fn support_lost(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let views: Vec<PathfinderView> = all_documents(at, PATHFINDERS).await?;
    let programme = at.document(projections::programme::PROGRAMMES, crate::facts::programme::DEFAULT_PROGRAMME).await?;
    let spent = match programme {
        Some(document) => {
            let p: projections::programme::ProgrammeView =
                serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
            let k = projections::programme::Known { as_of: at.moment.as_of };
            p.lines.iter().any(|l| l.line_code == "O2").then(|| {
                json!({"line_code": "O2",
                "amount": domain::programme::Money::new(p.spent("O2", &k), &p.currency)})
            })
        }
        None => None,
    };
    let mut body = questions::support_lost(&views, spent, at.moment.as_of);
    let recorded = body["items"].as_array().map_or(0, Vec::len);
    body["reported"] =
        json!(reported_beside(at, domain::body::ReportedFigure::PathfindersWithoutSupport, recorded).await?);
    Ok(answer(at, body, &[]))
}
