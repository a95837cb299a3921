//! Meeting commands and reads: schedule, open, attendance, quorum, close. Each handler
//! only parses: the command pipeline reads the facts (seat holders, quorum, policy, the
//! decisions adopted) and takes the meeting's lock.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::meeting::{Attendance, AttendanceStatus, Meeting, MeetingCommand, MeetingKind, Modality};
use domain::policy::GovernancePolicy;
use projections::views::MEETINGS;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{
    found, page, run_command, AppJson, AppPath, AppState, AsOfQuery, CommandHeaders, EnvelopeInput, PageQuery, ReadAt,
};
use projections::time::planned;

/// Schedule a GCG meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleMeeting {
    /// e.g. `GCG-21`
    pub meeting_id: String,
    /// The meeting's number in the body's series (21 for the 21st GCG).
    pub number: u32,
    #[schema(value_type = String, example = "regular")]
    pub kind: MeetingKind,
    pub date: NaiveDate,
    #[schema(value_type = String, example = "virtual")]
    pub modality: Modality,
    pub location: Option<String>,
    /// The governing body; `GCG` when omitted.
    pub body_id: Option<String>,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Open the session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenMeeting {
    pub opened_on: NaiveDate,
    /// Who chairs, e.g. `Chile (Chair)`.
    pub chaired_by: Option<String>,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Record one participant's attendance. Whether it votes comes from the seat: a seat
/// must be held on the meeting date (by the organisation named), `CHAIR` and
/// `DEPUTY-CHAIR` are the offices' seats.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAttendance {
    /// The GCG seat, e.g. `PFC-AFR`, `CHAIR`; omitted for observers without a seat.
    pub seat_id: Option<String>,
    /// The attending organisation or country (the seat's holder when a seat is given).
    pub organisation: String,
    /// `{"kind": "present"}`, `apologies`, `absent`, `observer`, or `{"kind": "proxy", "held_by_seat": "…"}`.
    #[schema(value_type = Object)]
    pub status: AttendanceStatus,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Declare whether the quorum is met: the voting seats filled on the meeting date and the
/// policy in force come from the GCG record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareQuorum {
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Close the meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseMeeting {
    pub closed_on: NaiveDate,
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

/// Schedules a meeting.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = ScheduleMeeting,
    security(("bearer" = [])),
    responses((status = 201, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 400, description = "malformed"), (status = 401, description = "no valid token"),
        (status = 403, description = "not the secretariat"), (status = 409, description = "already applied concurrently"),
        (status = 422, description = "refused by a rule, named in `rule`")))]
pub async fn schedule(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<ScheduleMeeting>,
) -> Result<Response, ApiError> {
    let id = body.meeting_id.clone();
    let command = MeetingCommand::Schedule {
        meeting_id: body.meeting_id,
        body_id: body.body_id.unwrap_or_else(|| "GCG".into()),
        number: body.number,
        kind: body.kind,
        date: body.date,
        modality: body.modality,
        location: body.location,
    };
    run_command::<Meeting>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::CREATED).await
}

/// Opens a meeting's session.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/open", tag = "meetings", request_body = OpenMeeting,
    params(("id" = String, Path, description = "meeting id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such meeting"), (status = 422, description = "refused by a rule")))]
pub async fn open(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<OpenMeeting>,
) -> Result<Response, ApiError> {
    let command = MeetingCommand::Open { opened_on: body.opened_on, chaired_by: body.chaired_by };
    run_command::<Meeting>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Records one participant's attendance.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendance", tag = "meetings", request_body = RecordAttendance,
    params(("id" = String, Path, description = "meeting id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such meeting"), (status = 422, description = "refused by a rule")))]
pub async fn record_attendance(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<RecordAttendance>,
) -> Result<Response, ApiError> {
    let attendance =
        Attendance { seat_id: body.seat_id, organisation: body.organisation, status: body.status, voting: false };
    let command = MeetingCommand::RecordAttendance(attendance);
    run_command::<Meeting>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Declares the quorum from the attendance recorded, under the policy in force.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/quorum", tag = "meetings", request_body = DeclareQuorum,
    params(("id" = String, Path, description = "meeting id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such meeting"), (status = 422, description = "refused by a rule")))]
pub async fn declare_quorum(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<DeclareQuorum>,
) -> Result<Response, ApiError> {
    let command = MeetingCommand::DeclareQuorum { voting_seats_filled: 0, policy: GovernancePolicy::provisional_v1() };
    run_command::<Meeting>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Closes a meeting, listing the decisions adopted at it.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/close", tag = "meetings", request_body = CloseMeeting,
    params(("id" = String, Path, description = "meeting id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = crate::pipeline::CommandOutcome),
        (status = 404, description = "no such meeting"), (status = 422, description = "refused by a rule")))]
pub async fn close(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<CloseMeeting>,
) -> Result<Response, ApiError> {
    let command = MeetingCommand::Close { closed_on: body.closed_on, decisions: Vec::new() };
    run_command::<Meeting>(&state, &caller, &headers, &id, command, body.envelope, StatusCode::OK).await
}

/// Lists meetings as of a moment.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    params(PageQuery, AsOfQuery),
    responses((status = 200, description = "one page of meetings in id order as `items`; `Link: rel=next` when there are more", body = crate::http::openapi::StampedList)))]
pub async fn list(_caller: MaybeCaller, read: ReadAt<PageQuery>) -> Result<Response, ApiError> {
    page(&read.at, MEETINGS, "/api/v1/meetings", &read.params, planned::MEETING).await
}

/// One meeting: agenda facts, attendance, quorum and decisions.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = String, Path, description = "meeting id"), AsOfQuery),
    responses((status = 200, description = "the meeting", body = crate::http::openapi::Stamped), (status = 404, description = "no such meeting at that moment")))]
pub async fn get_one(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    found(&read.at, "meeting", &id, read.at.document(MEETINGS, &id).await?, planned::MEETING)
}

/// Every event of a meeting: who recorded it, on what authority, when, position, hash.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/history", tag = "meetings",
    params(("id" = String, Path, description = "meeting id"), AsOfQuery),
    responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History), (status = 404, description = "no such meeting at that moment")))]
pub async fn history(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    super::history_of(&read.at, "meeting", &id).await
}
