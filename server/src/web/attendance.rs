//! The Secretariat's attendance form (`/meetings/{id}/attendance`): every seat of the GCG
//! and its holder on the meeting's date, one status per line, one submit. Each line filled
//! in becomes one `record_attendance` command, sent down the command pipeline exactly as
//! `POST /api/v1/meetings/{id}/attendance` sends it, under the form's `Idempotency-Key`
//! (a hidden field, one key per form, suffixed with the seat), so submitting the same form
//! twice records each line once. A line the rules refuse shows the rule's name beside its
//! field; the other lines are recorded all the same.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::meeting::{Attendance, AttendanceStatus, Meeting, MeetingCommand};
use projections::views::MeetingView;

use super::pages::{name_of, party_names, seat_lines, Choice};
use super::session::{check_csrf, Session, WebSession};
use super::{encode, render, Nav, PageError};
use crate::http::error::ApiError;
use crate::http::{AppState, BodyDigest, CommandHeaders, EnvelopeInput};

/// The statuses the form offers (a proxy needs the API).
pub const STATUSES: &[&str] = &["present", "apologies", "absent", "observer"];

/// What became of a line: recorded now, already recorded by this form (nothing new was
/// written), or refused by a rule (or the API's code for another refusal).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    /// The rule that refused the line.
    pub rule: String,
    pub text: String,
    /// The event recorded now.
    pub hash: String,
}

impl Outcome {
    fn recorded(hash: String) -> Self {
        Outcome { ok: true, rule: String::new(), text: "recorded".into(), hash }
    }

    fn replayed() -> Self {
        Outcome { ok: true, rule: String::new(), text: "already recorded by this form".into(), hash: String::new() }
    }

    fn refused(rule: String, text: String) -> Self {
        Outcome { ok: false, rule, text, hash: String::new() }
    }

    /// The first 12 hex digits of the recorded event's hash.
    pub fn short_hash(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }
}

/// One seat on the form.
#[derive(Debug, Clone)]
pub struct FormLine {
    pub seat_id: String,
    pub holder: Option<String>,
    pub name: String,
    pub voting: bool,
    /// What the meeting's record already says for the seat.
    pub recorded: String,
    /// The statuses offered, the one chosen selected (none: leave the line out).
    pub options: Vec<Choice>,
    pub outcome: Option<Outcome>,
}

fn options(chosen: &str) -> Vec<Choice> {
    STATUSES.iter().map(|s| Choice { value: s.to_string(), selected: *s == chosen }).collect()
}

#[derive(Template)]
#[template(path = "attendance.html")]
struct AttendancePage {
    nav: Nav,
    meeting_id: String,
    meeting_link: String,
    action: String,
    date: String,
    status: String,
    lines: Vec<FormLine>,
    idempotency_key: String,
    summary: Option<String>,
}

/// The signed-in Secretariat, or why not: no session sends a GET to sign in; another role
/// is a 403, as on the API.
fn secretariat(session: Option<Session>) -> Result<Session, ApiError> {
    let session = session.ok_or(ApiError::Unauthorized)?;
    if session.caller.role != "secretariat" {
        return Err(ApiError::Forbidden(format!("the {} role may not record governance actions", session.caller.role)));
    }
    Ok(session)
}

/// The meeting and its form's lines: every seat on the meeting's date with its holder.
async fn lines_for(
    state: &AppState,
    reader: &domain::visibility::Reader,
    id: &str,
) -> Result<(MeetingView, Vec<FormLine>), ApiError> {
    let now = super::reads::at(state, reader, None).await?;
    let document = super::reads::meeting_document(&now, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("meeting {id} does not exist")))?;
    let meeting: MeetingView = serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
    // Who sat where on the meeting's date, as the ledger knows it now.
    let on_the_day = super::reads::at(state, reader, meeting.date).await?;
    let composition = super::reads::composition_on(&on_the_day).await?;
    let names = party_names(&now).await?;
    let lines = seat_lines(&composition, &names)
        .into_iter()
        .map(|seat| FormLine {
            recorded: meeting
                .attendance
                .iter()
                .find(|a| a.seat_id.as_deref() == Some(seat.seat_id.as_str()))
                .map(|a| name_of(&a.status))
                .unwrap_or_default(),
            seat_id: seat.seat_id,
            holder: seat.holder,
            name: seat.name,
            voting: seat.voting,
            options: options(""),
            outcome: None,
        })
        .collect();
    Ok((meeting, lines))
}

fn page(
    session: &Session,
    id: &str,
    meeting: &MeetingView,
    lines: Vec<FormLine>,
    key: String,
    summary: Option<String>,
) -> AttendancePage {
    let meeting_link = format!("/meetings/{}", encode(id));
    let action = format!("{meeting_link}/attendance");
    AttendancePage {
        nav: Nav::new(Some(session), &action),
        meeting_id: id.to_string(),
        meeting_link,
        action,
        date: meeting.date.map(|d| d.to_string()).unwrap_or_default(),
        status: name_of(&meeting.status),
        lines,
        idempotency_key: key,
        summary,
    }
}

/// `GET /meetings/{id}/attendance`: the form, with a fresh idempotency key.
pub async fn form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let session = match secretariat(session) {
        Ok(session) => session,
        Err(ApiError::Unauthorized) => {
            let back = format!("/meetings/{}/attendance", encode(&id));
            return Ok(Redirect::to(&format!("/sign-in?next={}", encode(&back))).into_response());
        }
        Err(other) => return Err(other.into()),
    };
    let (meeting, lines) = lines_for(&state, &session.caller.reader(), &id).await?;
    let key = uuid::Uuid::new_v4().to_string();
    render(StatusCode::OK, &page(&session, &id, &meeting, lines, key, None))
}

/// Reads a status the form offers.
fn status_of(text: &str) -> Option<AttendanceStatus> {
    match text {
        "present" => Some(AttendanceStatus::Present),
        "apologies" => Some(AttendanceStatus::Apologies),
        "absent" => Some(AttendanceStatus::Absent),
        "observer" => Some(AttendanceStatus::Observer),
        _ => None,
    }
}

/// `POST /meetings/{id}/attendance`: every line filled in, one command each, in seat order.
/// 403 without a session, with another role or without the session's CSRF token; 400 for
/// a form without its idempotency key or with a status it does not offer. The answer is
/// the form again with each line's outcome beside it: 200 when nothing was refused, 422
/// otherwise.
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some(session) = session else {
        return Err(ApiError::Forbidden("sign in first: this form needs a session".into()).into());
    };
    check_csrf(&session, field("csrf"))?;
    let session = secretariat(Some(session))?;
    let key = field("idempotency_key").map(str::trim).unwrap_or_default().to_string();
    if key.is_empty() || key.len() > 150 {
        return Err(ApiError::BadRequest("the form's idempotency key is missing; reload the form".into()).into());
    }
    let (meeting, mut lines) = lines_for(&state, &session.caller.reader(), &id).await?;
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let (mut recorded, mut replayed, mut refused) = (0, 0, 0);
    // Every line is checked before any is sent, so a malformed form records nothing.
    let mut chosen_lines = Vec::new();
    for (name, chosen) in &fields {
        let Some(seat) = name.strip_prefix("status:") else { continue };
        if chosen.is_empty() {
            continue;
        }
        let status = status_of(chosen)
            .ok_or_else(|| ApiError::BadRequest(format!("{chosen:?} is not an attendance status this form offers")))?;
        let index = lines
            .iter()
            .position(|l| l.seat_id == seat && l.holder.is_some())
            .ok_or_else(|| ApiError::BadRequest(format!("seat {seat:?} has no line on this form")))?;
        chosen_lines.push((index, status, chosen.clone()));
    }
    chosen_lines.sort_by_key(|(index, _, _)| *index);
    chosen_lines.dedup_by_key(|(index, _, _)| *index);
    for (index, status, chosen) in chosen_lines {
        let line = &mut lines[index];
        line.options = options(&chosen);
        // The holder the form showed, as the API's client would send it: the pipeline
        // checks it against the GCG record on the meeting's date.
        let organisation = field(&format!("holder:{}", line.seat_id)).unwrap_or_default().to_string();
        let digest = format!("{}\n{}\n{}", line.seat_id, organisation, chosen);
        let command_headers = CommandHeaders {
            request_id: request_id.clone(),
            idempotency_key: Some(format!("{key}:{}", line.seat_id)),
            expected_version: None,
            wait_sealed: false,
            body_digest: BodyDigest::of(digest.as_bytes()),
        };
        let meta = EnvelopeInput::default().into_meta(&session.caller, &command_headers)?;
        let attendance = Attendance { seat_id: Some(line.seat_id.clone()), organisation, status, voting: false };
        let command = MeetingCommand::RecordAttendance(attendance);
        line.outcome =
            Some(match state.commands()?.execute::<Meeting>(&id, command, meta).await.map_err(ApiError::from) {
                Ok(outcome) if outcome.replayed => {
                    replayed += 1;
                    Outcome::replayed()
                }
                Ok(outcome) => {
                    recorded += 1;
                    Outcome::recorded(outcome.events.first().map(|e| e.hash.clone()).unwrap_or_default())
                }
                Err(ApiError::Refused { rule, message }) => {
                    refused += 1;
                    Outcome::refused(rule.to_string(), message)
                }
                Err(error @ (ApiError::Internal(_) | ApiError::Unavailable)) => return Err(error.into()),
                Err(other) => {
                    refused += 1;
                    Outcome::refused(other_code(&other), other.to_string())
                }
            });
    }
    let summary = format!("{recorded} recorded, {replayed} already recorded by this form, {refused} refused.");
    let status = if refused > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(status, &page(&session, &id, &meeting, lines, key, Some(summary)))
}

/// The API's code for an error that is not a rule's refusal (`not_found`, `conflict`, …).
fn other_code(error: &ApiError) -> String {
    match error {
        ApiError::BadRequest(_) => "malformed_request",
        ApiError::NotFound(_) => "not_found",
        ApiError::Conflict(_) => "conflict",
        ApiError::Forbidden(_) => "forbidden",
        _ => "refused",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_offers_exactly_the_statuses_it_reads() {
        for status in STATUSES {
            assert_eq!(status_of(status).map(|s| name_of(&s)).as_deref(), Some(*status));
        }
        assert_eq!(status_of("proxy"), None);
        assert_eq!(status_of(""), None);
    }
}
