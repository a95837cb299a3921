//! Decision commands and reads: propose, positions, adopt, reject, supersede.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use domain::decision::{DecisionCommand, DecisionSubject, Position};
use domain::policy::GovernancePolicy;
use projections::read::HistoryEntry;
use projections::views::DECISIONS;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{found, page, respond, AppJson, AppPath, AppQuery, AppState, CommandHeaders, EnvelopeInput, PageQuery};

/// Table a proposal at a meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeDecision {
    /// e.g. `GCG-21-D03`
    pub decision_id: String,
    pub agenda_item: Option<String>,
    /// From a closed list, e.g. `{"kind": "create_action_group", "name": "Agriculture"}` or `{"kind": "procedural"}`.
    #[schema(value_type = Object)]
    pub subject: DecisionSubject,
    pub text: String,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Record a voting seat's position (a later one replaces it; both stay in history).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPosition {
    pub seat_id: String,
    #[schema(value_type = String, example = "for")]
    pub position: Position,
    pub reason: Option<String>,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Adopt the decision (needs the meeting in session with quorum met).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptDecision {
    pub effective_on: NaiveDate,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Reject the decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectDecision {
    pub reason: Option<String>,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Mark the decision superseded by a later adopted one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupersedeDecision {
    pub by_decision_id: String,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Tables a proposal at a meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", tag = "decisions", request_body = ProposeDecision,
    params(("id" = String, Path, description = "meeting id")), security(("bearer" = [])),
    responses((status = 201, description = "recorded", body = crate::app::CommandOutcome),
        (status = 404, description = "no such meeting"), (status = 409, description = "concurrent write"),
        (status = 422, description = "refused by a rule")))]
pub async fn propose(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(meeting_id): AppPath<String>,
    AppJson(body): AppJson<ProposeDecision>,
) -> Result<Response, ApiError> {
    let _meeting = state.ledger.lock_meeting(&meeting_id).await?;
    let meeting = state.ledger.meeting(&meeting_id).await?;
    if meeting.date.is_none() {
        return Err(ApiError::NotFound(format!("meeting {meeting_id} does not exist")));
    }
    let meta = body.envelope.into_meta(&caller, &headers, date(meeting.opened_on.or(meeting.date)))?;
    let facts = state.ledger.meeting_facts(&meeting_id).await?;
    let id = body.decision_id.clone();
    let command = DecisionCommand::Propose {
        decision_id: body.decision_id,
        agenda_item: body.agenda_item,
        subject: body.subject,
        text: body.text,
        meeting: facts,
    };
    respond(&state, &headers, StatusCode::CREATED, state.ledger.execute_decision(&id, command, meta).await?).await
}

/// The decision's meeting, locked, with its facts and date.
async fn meeting_of(
    state: &AppState,
    id: &str,
) -> Result<(crate::app::MeetingLock, domain::decision::MeetingFacts, Option<NaiveDate>), ApiError> {
    let decision = state.ledger.decision(id).await?;
    if decision.meeting_id.is_empty() {
        return Err(ApiError::NotFound(format!("decision {id} does not exist")));
    }
    let guard = state.ledger.lock_meeting(&decision.meeting_id).await?;
    let meeting = state.ledger.meeting(&decision.meeting_id).await?;
    Ok((guard, state.ledger.meeting_facts(&decision.meeting_id).await?, meeting.opened_on.or(meeting.date)))
}

/// Records a voting seat's position.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/positions", tag = "decisions", request_body = RecordPosition,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::app::CommandOutcome),
        (status = 404, description = "no such decision"), (status = 422, description = "refused by a rule")))]
pub async fn record_position(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RecordPosition>,
) -> Result<Response, ApiError> {
    let (_meeting, meeting, on) = meeting_of(&state, &id).await?;
    let meta = body.envelope.into_meta(&caller, &headers, date(on))?;
    let command = DecisionCommand::RecordPosition {
        seat_id: body.seat_id,
        position: body.position,
        reason: body.reason,
        meeting,
    };
    respond(&state, &headers, StatusCode::OK, state.ledger.execute_decision(&id, command, meta).await?).await
}

/// Adopts a decision: refused without a declared, met quorum or when consensus is blocked.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/adopt", tag = "decisions", request_body = AdoptDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::app::CommandOutcome),
        (status = 404, description = "no such decision"),
        (status = 422, description = "refused: quorum_not_declared, quorum_not_met, consensus_blocked, decision_already_adopted, …")))]
pub async fn adopt(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<AdoptDecision>,
) -> Result<Response, ApiError> {
    let (_meeting, meeting, _) = meeting_of(&state, &id).await?;
    let meta = body.envelope.into_meta(&caller, &headers, date(Some(body.effective_on)))?;
    let command =
        DecisionCommand::Adopt { effective_on: body.effective_on, meeting, policy: GovernancePolicy::provisional_v1() };
    respond(&state, &headers, StatusCode::OK, state.ledger.execute_decision(&id, command, meta).await?).await
}

/// Rejects a decision.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/reject", tag = "decisions", request_body = RejectDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::app::CommandOutcome),
        (status = 404, description = "no such decision"), (status = 422, description = "refused by a rule")))]
pub async fn reject(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RejectDecision>,
) -> Result<Response, ApiError> {
    let (_meeting, meeting, on) = meeting_of(&state, &id).await?;
    let meta = body.envelope.into_meta(&caller, &headers, date(on))?;
    let command = DecisionCommand::Reject { meeting, reason: body.reason };
    respond(&state, &headers, StatusCode::OK, state.ledger.execute_decision(&id, command, meta).await?).await
}

/// Marks an adopted decision superseded by a later adopted decision.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/supersede", tag = "decisions", request_body = SupersedeDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::app::CommandOutcome),
        (status = 404, description = "no such decision"),
        (status = 422, description = "refused: decision_not_adopted, superseding_decision_not_adopted, superseding_decision_not_later, …")))]
pub async fn supersede(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<SupersedeDecision>,
) -> Result<Response, ApiError> {
    let by = state.ledger.superseding_facts(&body.by_decision_id).await?;
    let meta = body.envelope.into_meta(&caller, &headers, date(by.adopted_on))?;
    let command = DecisionCommand::Supersede { by };
    respond(&state, &headers, StatusCode::OK, state.ledger.execute_decision(&id, command, meta).await?).await
}

/// Lists decisions.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions",
    params(PageQuery),
    responses((status = 200, description = "one page of decisions in id order; `Link: rel=next` when there are more", body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppQuery(query): AppQuery<PageQuery>,
) -> Result<Response, ApiError> {
    page(&state, DECISIONS, "/api/v1/decisions", query).await
}

/// One decision: subject, text, positions (all, with the effective ones marked), tally, quorum, policy.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "decisions",
    params(("id" = String, Path, description = "decision id")),
    responses((status = 200, description = "the decision", body = Object), (status = 404, description = "no such decision")))]
pub async fn get_one(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Response, ApiError> {
    found("decision", &id, state.reads.document(DECISIONS, &id).await?)
}

/// Every event of a decision with who, authority, times, position and hash.
#[utoipa::path(get, path = "/api/v1/decisions/{id}/history", tag = "decisions",
    params(("id" = String, Path, description = "decision id")),
    responses((status = 200, description = "audit history", body = Vec<Object>), (status = 404, description = "no such decision")))]
pub async fn history(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let rows = state.reads.history("decision", &id).await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound(format!("decision {id} has no recorded history")));
    }
    Ok(Json(rows))
}
