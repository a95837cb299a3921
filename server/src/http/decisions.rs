//! Decision commands and reads: propose, positions, adopt, reject, supersede.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::decision::{
    Decision, DecisionCommand, DecisionEffect, DecisionSubject, MeetingFacts, Position, SeatFacts, SupersedingFacts,
};
use domain::policy::GovernancePolicy;
use projections::views::DECISIONS;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{answer, found, run_command, AppJson, AppPath, AppState, AsOfQuery, CommandHeaders, EnvelopeInput, ReadAt};
use projections::time::planned;

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
    /// What the decision authorises once adopted, applied by the decision-effects process
    /// manager with the decision as authority, e.g. `{"effect": "elect_office_holder",
    /// "term_id": "CHAIR-2023", "office": "chair", "holder": "CHL", "term_start": "2023-06-01",
    /// "term_end": "2026-05-31"}`. It must fit the subject.
    #[schema(value_type = Option<Object>)]
    pub effect: Option<DecisionEffect>,
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

/// The meeting a command names; the pipeline fills in the rest of its facts.
fn at(meeting_id: &str) -> MeetingFacts {
    MeetingFacts { meeting_id: meeting_id.to_string(), ..MeetingFacts::default() }
}

/// The decision that supersedes or rescinds; the pipeline fills in its facts.
fn by(decision_id: &str) -> SupersedingFacts {
    SupersedingFacts { decision_id: decision_id.to_string(), ..SupersedingFacts::default() }
}

/// Tables a proposal at a meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", tag = "decisions", request_body = ProposeDecision,
    params(("id" = String, Path, description = "meeting id")), security(("bearer" = [])),
    responses((status = 201, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such meeting"), (status = 409, description = "concurrent write"),
        (status = 422, description = "refused by a rule")))]
pub async fn propose(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(meeting_id): AppPath<String>,
    AppJson(body): AppJson<ProposeDecision>,
) -> Result<Response, ApiError> {
    let id = body.decision_id.clone();
    let command = DecisionCommand::Propose {
        decision_id: body.decision_id,
        agenda_item: body.agenda_item,
        subject: body.subject,
        text: body.text,
        meeting: at(&meeting_id),
        effect: body.effect,
    };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::CREATED).await
}

/// Records a voting seat's position.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/positions", tag = "decisions", request_body = RecordPosition,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"), (status = 422, description = "refused by a rule")))]
pub async fn record_position(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RecordPosition>,
) -> Result<Response, ApiError> {
    let command = DecisionCommand::RecordPosition {
        seat_id: body.seat_id,
        position: body.position,
        reason: body.reason,
        meeting: MeetingFacts::default(),
        seat: SeatFacts::default(),
    };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Adopts a decision: refused without a declared, met quorum or when consensus is blocked.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/adopt", tag = "decisions", request_body = AdoptDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"),
        (status = 422, description = "refused: quorum_not_declared, quorum_not_met, consensus_blocked, decision_already_adopted, …")))]
pub async fn adopt(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<AdoptDecision>,
) -> Result<Response, ApiError> {
    let command = DecisionCommand::Adopt {
        effective_on: body.effective_on,
        meeting: MeetingFacts::default(),
        policy: GovernancePolicy::provisional_v1(),
    };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Defer a proposal (at its meeting, in session).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeferDecision {
    pub reason: String,
    /// The meeting it is deferred to, if known.
    pub to_meeting: Option<String>,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Table a deferred decision again at a meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetableDecision {
    pub meeting_id: String,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Rescind an adopted decision by a later adopted decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescindDecision {
    pub by_decision_id: String,
    pub reason: String,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Defers a proposal.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/defer", tag = "decisions", request_body = DeferDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"), (status = 422, description = "refused by a rule")))]
pub async fn defer(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<DeferDecision>,
) -> Result<Response, ApiError> {
    let command =
        DecisionCommand::Defer { meeting: MeetingFacts::default(), reason: body.reason, to_meeting: body.to_meeting };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Tables a deferred decision again.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/retable", tag = "decisions", request_body = RetableDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"), (status = 422, description = "refused: decision_not_deferred, meeting_closed, …")))]
pub async fn retable(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RetableDecision>,
) -> Result<Response, ApiError> {
    let command = DecisionCommand::Retable { meeting: at(&body.meeting_id) };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Rescinds an adopted decision by a later adopted one.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/rescind", tag = "decisions", request_body = RescindDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"),
        (status = 422, description = "refused: decision_not_adopted, superseding_decision_not_adopted, …")))]
pub async fn rescind(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RescindDecision>,
) -> Result<Response, ApiError> {
    let command = DecisionCommand::Rescind { by: by(&body.by_decision_id), reason: body.reason };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// A decision's full provenance: the decision, its meeting (date, chair, attendance,
/// quorum), the policy version it was judged under, the evidence cited, and every event
/// recorded on its authority (the effects it authorised), with positions and hashes.
#[utoipa::path(get, path = "/api/v1/decisions/{id}/provenance", tag = "decisions",
    params(("id" = String, Path, description = "decision id"), AsOfQuery),
    responses((status = 200, description = "the provenance", body = crate::http::openapi::Stamped), (status = 404, description = "no such decision at that moment")))]
pub async fn provenance(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    let at = &read.at;
    let decision =
        at.document(DECISIONS, &id).await?.ok_or_else(|| super::not_found_at(at, &format!("decision {id}")))?;
    let meeting_id = decision.get("meeting_id").and_then(|m| m.as_str()).unwrap_or_default().to_string();
    let meeting = at.document(projections::views::MEETINGS, &meeting_id).await?;
    let policy_version = decision.get("policy_version").and_then(|p| p.as_str()).map(str::to_string);
    let policy = match (&policy_version, at.document(projections::views::GCG, crate::facts::DEFAULT_BODY).await?) {
        (Some(version), Some(gcg)) => gcg
            .get("policies")
            .and_then(|p| p.as_array())
            .and_then(|all| {
                all.iter().find(|p| p.pointer("/policy/version").and_then(|v| v.as_str()) == Some(version.as_str()))
            })
            .cloned(),
        _ => None,
    };
    let authorised = at.authorised_by(&id).await?;
    let history = at.history("decision", &id).await?;
    let body = serde_json::json!({
        "decision": decision,
        "meeting": meeting,
        "policy": policy,
        "effects_authorised": authorised,
        "history": history,
    });
    let planned: Vec<String> = planned::DECISION
        .iter()
        .map(|p| format!("/decision{p}"))
        .chain(planned::MEETING.iter().map(|p| format!("/meeting{p}")))
        .chain(["/policy/effective_on".to_string()])
        .chain(planned::HISTORY.iter().map(|p| p.replacen("/items", "/history", 1)))
        .chain(planned::HISTORY.iter().map(|p| p.replacen("/items", "/effects_authorised", 1)))
        .collect();
    let planned: Vec<&str> = planned.iter().map(String::as_str).collect();
    Ok(answer(at, body, &planned))
}

/// Rejects a decision.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/reject", tag = "decisions", request_body = RejectDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"), (status = 422, description = "refused by a rule")))]
pub async fn reject(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RejectDecision>,
) -> Result<Response, ApiError> {
    let command = DecisionCommand::Reject { meeting: MeetingFacts::default(), reason: body.reason };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Marks an adopted decision superseded by a later adopted decision.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/supersede", tag = "decisions", request_body = SupersedeDecision,
    params(("id" = String, Path, description = "decision id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such decision"),
        (status = 422, description = "refused: decision_not_adopted, superseding_decision_not_adopted, superseding_decision_not_later, …")))]
pub async fn supersede(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<SupersedeDecision>,
) -> Result<Response, ApiError> {
    let command = DecisionCommand::Supersede { by: by(&body.by_decision_id) };
    run_command::<Decision>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// One decision: subject, text, positions (all, with the effective ones marked), tally, quorum, policy.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "decisions",
    params(("id" = String, Path, description = "decision id"), AsOfQuery),
    responses((status = 200, description = "the decision", body = crate::http::openapi::Stamped), (status = 404, description = "no such decision at that moment")))]
pub async fn get_one(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    found(&read.at, "decision", &id, read.at.document(DECISIONS, &id).await?, planned::DECISION)
}

/// Every event of a decision with who, authority, times, position and hash.
#[utoipa::path(get, path = "/api/v1/decisions/{id}/history", tag = "decisions",
    params(("id" = String, Path, description = "decision id"), AsOfQuery),
    responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History), (status = 404, description = "no such decision at that moment")))]
pub async fn history(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    super::history_of(&read.at, "decision", &id).await
}
