//! The read-only pages: home, timeline, meeting, decision and the Pathfinder board. Each
//! handler parses its path and query, calls the read the API's JSON handler calls (so
//! whatever that read allows or hides, the page does too), and turns the result into the
//! template's fields.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use projections::read::HistoryEntry;
use projections::views::{DecisionView, MeetingView, COUNTRIES, DECISIONS, MEETINGS, ORGANISATIONS};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::reads::{self, all_documents};
use super::session::{Session, WebSession};
use super::{encode, render, Nav, PageError};
use crate::http::error::ApiError;
use crate::http::log::AuditQuery;
use crate::http::{log, AppState};
use projections::lens::ShownEntry;
use projections::read::At;

/// A serde enum's name as the API writes it (`in_session`, or the `kind` of a tagged one).
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value).unwrap_or(Value::Null) {
        Value::String(text) => text,
        Value::Object(fields) => match (fields.get("kind").and_then(Value::as_str), fields.get("held_by_seat")) {
            (Some(kind), Some(Value::String(seat))) => format!("{kind} (held by {seat})"),
            (Some(kind), _) => kind.to_string(),
            _ => Value::Object(fields).to_string(),
        },
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn date(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

/// The link to a subject's page, where it has one.
pub fn subject_link(aggregate_type: &str, id: &str) -> Option<String> {
    match aggregate_type {
        "meeting" => Some(format!("/meetings/{}", encode(id))),
        "decision" => Some(format!("/decisions/{}", encode(id))),
        "pfc" => Some(format!("/pathfinders#pfc-{}", encode(id))),
        _ => None,
    }
}

/// The decision an event cites as its authority, if any.
fn cited_decision(entry: &HistoryEntry) -> Option<String> {
    entry.authority.get("decision_id").and_then(Value::as_str).map(str::to_string)
}

/// How the authority an event was recorded on reads.
fn authority_text(entry: &HistoryEntry) -> String {
    match (&entry.authority, cited_decision(entry)) {
        (_, Some(decision)) => format!("decision {decision}"),
        (Value::Null, None) => format!("{} role", entry.row.role),
        (Value::Object(fields), None) => {
            fields.get("kind").and_then(Value::as_str).map_or_else(|| entry.authority.to_string(), str::to_string)
        }
        (other, None) => other.to_string(),
    }
}

/// One recorded event as the pages list it.
#[derive(Debug, Clone)]
pub struct EventLine {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub link: Option<String>,
    pub sequence: i64,
    pub event_type: String,
    pub actor: String,
    pub role: String,
    pub authority: String,
    pub authority_link: Option<String>,
    pub occurred_at: String,
    pub recorded_at: String,
    pub hash: String,
    pub short_hash: String,
}

impl From<&ShownEntry> for EventLine {
    /// A redacted record shows what its head shows: position, subject (its pseudonym where
    /// the id is confidential), sequence, class, when it was recorded and its hash.
    fn from(entry: &ShownEntry) -> Self {
        match entry {
            ShownEntry::Full(entry) => EventLine::from(entry.as_ref()),
            ShownEntry::Redacted(r) => EventLine {
                position: r.position,
                aggregate_type: r.aggregate_type.clone(),
                aggregate_id: r.aggregate_id.clone(),
                link: None,
                sequence: r.sequence,
                event_type: match &r.scope {
                    Some(scope) => format!("redacted ({}, {scope})", r.visibility.as_str()),
                    None => format!("redacted ({})", r.visibility.as_str()),
                },
                actor: String::new(),
                role: String::new(),
                authority: String::new(),
                authority_link: None,
                occurred_at: String::new(),
                recorded_at: r.recorded_at.clone(),
                hash: r.hash.clone(),
                short_hash: r.hash.get(..12).unwrap_or(&r.hash).to_string(),
            },
        }
    }
}

impl From<&HistoryEntry> for EventLine {
    fn from(entry: &HistoryEntry) -> Self {
        let row = &entry.row;
        EventLine {
            position: row.position,
            aggregate_type: row.aggregate_type.clone(),
            aggregate_id: row.aggregate_id.clone(),
            link: subject_link(&row.aggregate_type, &row.aggregate_id),
            sequence: row.sequence,
            event_type: row.event_type.clone(),
            actor: row.actor.clone(),
            role: row.role.clone(),
            authority: authority_text(entry),
            authority_link: cited_decision(entry).map(|d| format!("/decisions/{}", encode(&d))),
            occurred_at: row.occurred_at.clone().unwrap_or_default(),
            recorded_at: row.recorded_at.clone(),
            hash: row.hash.clone(),
            short_hash: row.hash.get(..12).unwrap_or(&row.hash).to_string(),
        }
    }
}

/// The reader a page reads as: the signed-in token's, or the public.
pub fn reader_of(session: Option<&super::session::Session>) -> domain::visibility::Reader {
    session.map_or(domain::visibility::Reader::PUBLIC, |s| s.caller.reader())
}

/// Names of organisations and countries by id, from the directories the API lists.
pub async fn party_names(at: &At) -> Result<HashMap<String, String>, ApiError> {
    let mut names = HashMap::new();
    for (view, key) in [(ORGANISATIONS, "organisation_id"), (COUNTRIES, "iso3")] {
        for document in all_documents::<Value>(at, view).await? {
            if let (Some(id), Some(name)) = (document[key].as_str(), document["name"].as_str()) {
                names.insert(id.to_string(), name.to_string());
            }
        }
    }
    Ok(names)
}

/// The names of some parties (organisations and countries), by id: one lookup each, for
/// a page that names a few of them.
pub async fn names_of(at: &At, ids: &[String]) -> Result<HashMap<String, String>, ApiError> {
    let mut names = HashMap::new();
    for id in ids {
        if names.contains_key(id) {
            continue;
        }
        for view in [ORGANISATIONS, COUNTRIES] {
            if let Some(name) = at.document(view, id).await?.as_ref().and_then(|d| d["name"].as_str()) {
                names.insert(id.clone(), name.to_string());
                break;
            }
        }
    }
    Ok(names)
}

// --- home --------------------------------------------------------------------------------

/// How many meetings the home page lists (the latest by date).
pub const HOME_MEETINGS: i64 = 25;

/// An office holder on the home page.
#[derive(Debug, Clone)]
pub struct OfficeLine {
    pub holder: String,
    pub name: String,
    pub term: String,
    pub elected_by: String,
}

/// A seat on the home page and the attendance form.
#[derive(Debug, Clone)]
pub struct SeatLine {
    pub seat_id: String,
    pub constituency: String,
    pub voting: bool,
    pub holder: Option<String>,
    pub name: String,
    pub since: String,
}

/// The GCG today.
#[derive(Debug, Clone)]
pub struct GcgToday {
    pub as_of: String,
    pub chair: Option<OfficeLine>,
    pub deputy_chair: Option<OfficeLine>,
    pub policy: String,
    pub seats: Vec<SeatLine>,
    pub voting_seats: u32,
    pub voting_seats_filled: u32,
}

/// Seats with their holders' names.
pub fn seat_lines(
    composition: &projections::governance::Composition,
    names: &HashMap<String, String>,
) -> Vec<SeatLine> {
    composition
        .seats
        .iter()
        .map(|seat| SeatLine {
            seat_id: seat.seat_id.clone(),
            constituency: name_of(&seat.constituency),
            voting: seat.voting,
            holder: seat.holder.clone(),
            name: seat.holder.as_ref().and_then(|h| names.get(h)).cloned().unwrap_or_default(),
            since: date(seat.since),
        })
        .collect()
}

/// The latest signed checkpoint on the home page.
#[derive(Debug, Clone)]
pub struct CheckpointLine {
    pub size: i64,
    pub root: String,
    pub created_at: String,
    pub age: String,
    pub cosignatures: usize,
    pub quorum: usize,
}

/// How long ago an RFC 3339 instant was, in words.
pub fn age(at: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let Ok(then) = chrono::DateTime::parse_from_rfc3339(at) else { return String::new() };
    let seconds = (now - then.with_timezone(&chrono::Utc)).num_seconds().max(0);
    match seconds {
        0..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=86_399 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// A meeting in a list.
#[derive(Debug, Clone)]
pub struct MeetingLink {
    pub id: String,
    pub link: String,
    pub number: u32,
    pub date: String,
    pub status: String,
    pub decisions: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    gcg: Option<GcgToday>,
    checkpoint: Option<CheckpointLine>,
    /// The latest [`HOME_MEETINGS`] meetings.
    meetings: Vec<MeetingLink>,
    meeting_count: usize,
    decisions: usize,
    pathfinders: usize,
    events: i64,
}

/// `GET /`: the GCG today, the latest signed checkpoint, the counts and the meetings.
pub async fn home(State(state): State<AppState>, WebSession(session): WebSession) -> Result<Response, PageError> {
    let at = reads::at(&state, &reader_of(session.as_ref()), None).await?;
    let gcg = match reads::composition_on(&at).await {
        Ok(today) => {
            let mut holders: Vec<String> =
                [&today.chair, &today.deputy_chair].into_iter().flatten().map(|h| h.holder.clone()).collect();
            holders.extend(today.seats.iter().filter_map(|s| s.holder.clone()));
            let names = names_of(&at, &holders).await?;
            let office = |holder: &Option<projections::governance::OfficeHolder>| {
                holder.as_ref().map(|h| OfficeLine {
                    holder: h.holder.clone(),
                    name: names.get(&h.holder).cloned().unwrap_or_default(),
                    term: format!("{} to {}", h.term_start, h.term_end),
                    elected_by: h.elected_by.clone(),
                })
            };
            Some(GcgToday {
                as_of: today.as_of.to_string(),
                chair: office(&today.chair),
                deputy_chair: office(&today.deputy_chair),
                policy: today.policy.as_ref().map(|p| p.policy.version.clone()).unwrap_or_default(),
                seats: seat_lines(&today, &names),
                voting_seats: today.voting_seats,
                voting_seats_filled: today.voting_seats_filled,
            })
        }
        Err(ApiError::NotFound(_)) => None,
        Err(other) => return Err(other.into()),
    };
    let now = chrono::Utc::now();
    let checkpoint = log::latest_signed(&state, false).await?.map(|signed| CheckpointLine {
        size: signed.row.tree_size,
        root: signed.row.root_hash.clone(),
        created_at: signed.row.created_at.clone(),
        age: age(&signed.row.created_at, now),
        cosignatures: signed.cosignatures.len(),
        quorum: signed.quorum,
    });
    let mut meetings = Vec::new();
    for document in at.latest_meetings(HOME_MEETINGS).await? {
        let m: MeetingView = serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
        meetings.push(MeetingLink {
            link: format!("/meetings/{}", encode(&m.meeting_id)),
            id: m.meeting_id,
            number: m.number,
            date: date(m.date),
            status: name_of(&m.status),
            decisions: m.decisions.len(),
        });
    }
    meetings.sort_by(|a, b| b.date.cmp(&a.date).then(b.number.cmp(&a.number)));
    let meeting_count = at.count(MEETINGS).await?;
    let decisions = at.count(DECISIONS).await?;
    let pathfinders = reads::board_on(&at).await?.countries.len();
    let events = state.reads.stats().await?.events;
    let page = HomePage {
        nav: Nav::new(session.as_ref(), "/"),
        gcg,
        checkpoint,
        meetings,
        meeting_count,
        decisions,
        pathfinders,
        events,
    };
    render(StatusCode::OK, &page)
}

// --- timeline ----------------------------------------------------------------------------

/// How many events a timeline page shows.
pub const TIMELINE_PAGE: i64 = 50;

/// The aggregate types the timeline can be narrowed to.
pub const AGGREGATE_TYPES: &[&str] = &[
    "body",
    "meeting",
    "decision",
    "organisation",
    "country",
    "group",
    "partner",
    "pfc",
    "roadmap",
    "reporting_cycle",
    "country_report",
    "programme",
    "donor",
    "contribution",
];

/// The timeline's filter form (empty fields count as absent).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub actor: Option<String>,
    pub event_type: Option<String>,
    /// Happened on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Happened on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// The last position of the previous page.
    pub before: Option<String>,
    /// The record as of a business date: events that happened on or before it.
    pub as_of: Option<String>,
    /// The record as the ledger knew it at a position: events at or before it.
    pub known_at: Option<String>,
}

/// A choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub selected: bool,
}

/// The recording forms acting on one meeting or decision, prefilled with its id, when the
/// Secretariat is signed in: (link, summary).
fn record_forms(session: Option<&Session>, resource: &str, id: &str) -> Vec<(String, String)> {
    if session.is_none_or(|s| s.caller.role != "secretariat") {
        return Vec::new();
    }
    let mut forms = super::forms::forms_on(resource);
    if resource == "meetings" {
        forms.insert(0, ("propose".to_string(), "Table a proposal at this meeting".to_string()));
    }
    forms.into_iter().map(|(operation, summary)| (format!("/record/{operation}?id={}", encode(id)), summary)).collect()
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    nav: Nav,
    types: Vec<Choice>,
    aggregate_id: String,
    actor: String,
    event_type: String,
    from: String,
    to: String,
    as_of: String,
    known_at: String,
    events: Vec<EventLine>,
    next: Option<String>,
    first_page: bool,
}

fn filled(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

pub(crate) fn parse_date(field: &str, text: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    filled(text)
        .map(|t| {
            NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map_err(|_| ApiError::BadRequest(format!("{field} must be a date, YYYY-MM-DD (not {t:?})")))
        })
        .transpose()
}

/// `GET /timeline`: the recorded events, newest first, narrowed by the form, 50 a page.
pub async fn timeline(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    query: Result<Query<TimelineQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(ApiError::from)?;
    let position = |name: &str, text: &Option<String>| {
        filled(text)
            .map(|b| {
                b.parse::<i64>()
                    .ok()
                    .filter(|p| *p >= 0)
                    .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a ledger position (0, 1, 2, …)")))
            })
            .transpose()
    };
    let page_before = position("before", &query.before)?;
    let known_at = position("known_at", &query.known_at)?;
    // As known at N: nothing after position N, whatever page this is.
    let before = match (page_before, known_at) {
        (Some(b), Some(k)) => Some(b.min(k + 1)),
        (b, k) => b.or(k.map(|k| k + 1)),
    };
    let as_of = parse_date("as_of", &query.as_of)?;
    let to = parse_date("to", &query.to)?;
    let occurred_to = match (to, as_of) {
        (Some(t), Some(a)) => Some(t.min(a)),
        (t, a) => t.or(a),
    };
    let audit = AuditQuery {
        before,
        // One more than a page, to know whether there is an older page.
        limit: Some(TIMELINE_PAGE + 1),
        order: Some("desc".into()),
        aggregate_type: filled(&query.aggregate_type),
        aggregate_id: filled(&query.aggregate_id),
        actor: filled(&query.actor),
        event_type: filled(&query.event_type),
        occurred_from: parse_date("from", &query.from)?,
        occurred_to,
        ..AuditQuery::default()
    };
    let reader = reader_of(session.as_ref());
    let rows = log::audit_rows(&state, &reader, audit).await?;
    let more = rows.len() as i64 > TIMELINE_PAGE;
    let events: Vec<EventLine> = rows.iter().take(TIMELINE_PAGE as usize).map(EventLine::from).collect();
    let mut kept: Vec<(&str, String)> = Vec::new();
    for (key, value) in [
        ("aggregate_type", &query.aggregate_type),
        ("aggregate_id", &query.aggregate_id),
        ("actor", &query.actor),
        ("event_type", &query.event_type),
        ("from", &query.from),
        ("to", &query.to),
        ("as_of", &query.as_of),
        ("known_at", &query.known_at),
    ] {
        if let Some(value) = filled(value) {
            kept.push((key, value));
        }
    }
    let next = more.then(|| events.last().map(|e| e.position)).flatten().map(|last| {
        let mut link = String::from("/timeline?");
        for (key, value) in &kept {
            link.push_str(&format!("{key}={}&", encode(value)));
        }
        link.push_str(&format!("before={last}"));
        link
    });
    let selected = filled(&query.aggregate_type).unwrap_or_default();
    let types = AGGREGATE_TYPES.iter().map(|t| Choice { value: t.to_string(), selected: *t == selected }).collect();
    let here = if kept.is_empty() {
        "/timeline".to_string()
    } else {
        format!("/timeline?{}", kept.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&"))
    };
    let page = TimelinePage {
        nav: Nav::new(session.as_ref(), &here),
        types,
        aggregate_id: filled(&query.aggregate_id).unwrap_or_default(),
        actor: filled(&query.actor).unwrap_or_default(),
        event_type: filled(&query.event_type).unwrap_or_default(),
        from: filled(&query.from).unwrap_or_default(),
        to: filled(&query.to).unwrap_or_default(),
        as_of: filled(&query.as_of).unwrap_or_default(),
        known_at: filled(&query.known_at).unwrap_or_default(),
        events,
        next,
        first_page: page_before.is_none(),
    };
    render(StatusCode::OK, &page)
}

// --- meeting -----------------------------------------------------------------------------

/// A line of attendance.
#[derive(Debug, Clone)]
pub struct AttendanceLine {
    pub seat_id: String,
    pub organisation: String,
    pub name: String,
    pub status: String,
    pub voting: bool,
}

/// A decision in a meeting's list.
#[derive(Debug, Clone)]
pub struct DecisionLink {
    pub id: String,
    pub link: String,
    pub status: String,
    pub text: String,
}

/// A document's hash, as the meeting page lists it.
#[derive(Debug, Clone)]
pub struct DocumentLine {
    pub what: String,
    pub sha256: String,
    pub dates: String,
    pub url: Option<String>,
    /// Where to download the document, when the ledger stores it (`/api/v1/documents/…`).
    pub download: Option<String>,
    /// Its page (`/documents/…`), when stored.
    pub details: Option<String>,
}

/// An agenda item.
#[derive(Debug, Clone)]
pub struct AgendaLine {
    pub number: String,
    pub title: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    nav: Nav,
    /// The recording forms acting on this meeting, for the Secretariat: (link, summary).
    forms: Vec<(String, String)>,
    m: MeetingView,
    kind: String,
    modality: String,
    status: String,
    date: String,
    opened_on: String,
    closed_on: String,
    agenda: Vec<AgendaLine>,
    attendance: Vec<AttendanceLine>,
    quorum: Option<domain::meeting::QuorumSnapshot>,
    decisions: Vec<DecisionLink>,
    documents: Vec<DocumentLine>,
    attendance_form: String,
}

/// `GET /meetings/{id}`: agenda, attendance, quorum, decisions, minutes and report hashes.
pub async fn meeting(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let at = reads::at(&state, &reader_of(session.as_ref()), None).await?;
    let document = reads::meeting_document(&at, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("meeting {id} does not exist")))?;
    let m: MeetingView = serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
    let names = party_names(&at).await?;
    let mut decisions = Vec::new();
    for decision_id in &m.decisions {
        let Some(document) = reads::decision_document(&at, decision_id).await? else { continue };
        let d: DecisionView = serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
        decisions.push(DecisionLink {
            link: format!("/decisions/{}", encode(decision_id)),
            id: decision_id.clone(),
            status: name_of(&d.status),
            text: d.text,
        });
    }
    let mut documents = Vec::new();
    if let Some(minutes) = &m.minutes {
        let mut dates = format!("drafted {}", minutes.drafted_on);
        if let Some(on) = minutes.circulated_on {
            dates.push_str(&format!(", circulated {on}"));
        }
        if let Some(on) = minutes.approved_on {
            dates.push_str(&format!(", approved {on}"));
        }
        documents.push(DocumentLine {
            what: format!("Minutes, version {}", minutes.version),
            sha256: minutes.doc_sha256.clone(),
            dates,
            url: None,
            download: None,
            details: None,
        });
    }
    if let Some(report) = &m.report {
        documents.push(DocumentLine {
            what: "Meeting report".into(),
            sha256: report.doc_sha256.clone(),
            dates: format!("published {}", report.published_on),
            url: report.url.clone(),
            download: None,
            details: None,
        });
    }
    // The hashes of documents the ledger stores become links (the download re-hashes them).
    for line in &mut documents {
        if ledger_store::documents::record(&state.db, &line.sha256).await?.is_some() {
            line.download = Some(crate::http::documents::download_url(&line.sha256));
            line.details = Some(format!("/documents/{}", line.sha256));
        }
    }
    let attendance = m
        .attendance
        .iter()
        .map(|a| AttendanceLine {
            seat_id: a.seat_id.clone().unwrap_or_default(),
            organisation: a.organisation.clone(),
            name: names.get(&a.organisation).cloned().unwrap_or_default(),
            status: name_of(&a.status),
            voting: a.voting,
        })
        .collect();
    let agenda = m
        .agenda
        .iter()
        .flat_map(|a| a.items.iter())
        .map(|item| AgendaLine { number: item.number.clone(), title: item.title.clone(), kind: name_of(&item.kind) })
        .collect();
    let here = format!("/meetings/{}", encode(&id));
    let page = MeetingPage {
        forms: record_forms(session.as_ref(), "meetings", &id),
        nav: Nav::new(session.as_ref(), &here),
        kind: m.kind.as_ref().map(name_of).unwrap_or_default(),
        modality: m.modality.as_ref().map(name_of).unwrap_or_default(),
        status: name_of(&m.status),
        date: date(m.date),
        opened_on: date(m.opened_on),
        closed_on: date(m.closed_on),
        agenda,
        attendance,
        quorum: m.quorum.clone(),
        decisions,
        documents,
        attendance_form: format!("{here}/attendance"),
        m,
    };
    render(StatusCode::OK, &page)
}

// --- decision ----------------------------------------------------------------------------

/// A position on the decision page.
#[derive(Debug, Clone)]
pub struct PositionLine {
    pub seat_id: String,
    pub position: String,
    pub reason: String,
    pub effective: bool,
    pub recorded_at: i64,
}

/// An evidence document.
#[derive(Debug, Clone)]
pub struct EvidenceLine {
    pub sha256: String,
    pub title: String,
    pub url: Option<String>,
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    nav: Nav,
    /// The recording forms acting on this decision, for the Secretariat: (link, summary).
    forms: Vec<(String, String)>,
    d: DecisionView,
    status: String,
    subject: String,
    meeting_link: String,
    meeting_date: String,
    chaired_by: String,
    method: String,
    effective_on: String,
    policy: String,
    positions: Vec<PositionLine>,
    evidence: Vec<EvidenceLine>,
    effect: String,
    effect_outcome: String,
    effects: Vec<EventLine>,
    history: Vec<EventLine>,
}

/// `GET /decisions/{id}`: the decision's provenance (the read behind
/// `/api/v1/decisions/{id}/provenance`) as a page.
pub async fn decision(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let at = reads::at(&state, &reader_of(session.as_ref()), None).await?;
    let provenance = reads::provenance_of(&at, &id).await?;
    let d: DecisionView = serde_json::from_value(provenance.decision).map_err(|e| ApiError::Internal(e.into()))?;
    let meeting: Option<MeetingView> = provenance.meeting.and_then(|m| serde_json::from_value(m).ok());
    let policy = provenance
        .policy
        .as_ref()
        .map(|p| {
            let version = p.pointer("/policy/version").and_then(Value::as_str).unwrap_or_default();
            let provisional = p.pointer("/policy/provisional").and_then(Value::as_bool).unwrap_or(false);
            let since = p.get("effective_on").and_then(Value::as_str).unwrap_or_default();
            format!("{version}, in force from {since}{}", if provisional { " (provisional)" } else { "" })
        })
        .or_else(|| d.policy_version.clone())
        .unwrap_or_default();
    let positions = d
        .positions
        .iter()
        .map(|p| PositionLine {
            seat_id: p.seat_id.clone(),
            position: name_of(&p.position),
            reason: p.reason.clone().unwrap_or_default(),
            effective: p.effective,
            recorded_at: p.recorded_position,
        })
        .collect();
    let evidence = d
        .evidence
        .iter()
        .map(|e| EvidenceLine {
            sha256: e["sha256"].as_str().unwrap_or_default().to_string(),
            title: e["title"].as_str().unwrap_or_default().to_string(),
            url: e["url"].as_str().map(str::to_string),
        })
        .collect();
    let compact = |value: Option<Value>| value.filter(|v| !v.is_null()).map(|v| v.to_string()).unwrap_or_default();
    let page = DecisionPage {
        forms: record_forms(session.as_ref(), "decisions", &id),
        nav: Nav::new(session.as_ref(), &format!("/decisions/{}", encode(&id))),
        status: name_of(&d.status),
        subject: d.subject.as_ref().map(name_of).unwrap_or_default(),
        meeting_link: format!("/meetings/{}", encode(&d.meeting_id)),
        meeting_date: meeting.as_ref().map(|m| date(m.date)).unwrap_or_default(),
        chaired_by: meeting.as_ref().and_then(|m| m.chaired_by.clone()).unwrap_or_default(),
        method: d.method.as_ref().map(name_of).unwrap_or_default(),
        effective_on: date(d.effective_on),
        policy,
        positions,
        evidence,
        effect: compact(d.effect.as_ref().and_then(|e| serde_json::to_value(e).ok())),
        effect_outcome: compact(d.effect_outcome.as_ref().and_then(|e| serde_json::to_value(e).ok())),
        effects: provenance.effects_authorised.iter().map(EventLine::from).collect(),
        history: provenance.history.iter().map(EventLine::from).collect(),
        d,
    };
    render(StatusCode::OK, &page)
}

// --- Pathfinder board --------------------------------------------------------------------

/// A country on the board page.
#[derive(Debug, Clone)]
pub struct CountryLine {
    pub iso3: String,
    pub name: String,
    pub stage: String,
    pub since: String,
    pub granted: String,
    pub granted_by: Option<String>,
    pub focal_point: String,
    pub roadmap: String,
    pub report: String,
    pub support: bool,
    pub illustrative: bool,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "pathfinders.html")]
struct PathfindersPage {
    nav: Nav,
    as_of: String,
    countries: Vec<CountryLine>,
    by_stage: Vec<(String, u32)>,
    legend: String,
    start: String,
}

/// `?as_of=YYYY-MM-DD` on the board.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    pub as_of: Option<String>,
}

/// `GET /pathfinders`: the status board on a date, each country's stages drawn as a
/// timeline on one time scale.
pub async fn pathfinders(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    query: Result<Query<BoardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(ApiError::from)?;
    let as_of = parse_date("as_of", &query.as_of)?;
    let at = reads::at(&state, &reader_of(session.as_ref()), as_of).await?;
    let board = reads::board_on(&at).await?;
    let names = party_names(&at).await?;
    let start = board.countries.iter().filter_map(|line| super::svg::first_day(line, board.as_of)).min();
    let countries = board
        .countries
        .iter()
        .map(|line| CountryLine {
            iso3: line.iso3.clone(),
            name: names.get(&line.iso3).cloned().unwrap_or_default(),
            stage: line.stage.as_ref().map(name_of).unwrap_or_default(),
            since: date(line.since),
            granted: date(line.status_granted_on),
            granted_by: line.status_granted_by.clone(),
            focal_point: line.focal_point.clone().unwrap_or_default(),
            roadmap: line
                .current_roadmap
                .as_ref()
                .map(|r| format!("{} ({})", r.roadmap_id, name_of(&r.status)))
                .unwrap_or_default(),
            report: line
                .last_report
                .as_ref()
                .map(|r| format!("{} ({}{})", r.report_id, name_of(&r.status), if r.late { ", late" } else { "" }))
                .unwrap_or_default(),
            support: line.in_country_support,
            illustrative: line.illustrative,
            svg: super::svg::stage_timeline(line, start.unwrap_or(board.as_of), board.as_of),
        })
        .collect();
    let here = match &as_of {
        Some(day) => format!("/pathfinders?as_of={day}"),
        None => "/pathfinders".to_string(),
    };
    let page = PathfindersPage {
        nav: Nav::new(session.as_ref(), &here),
        as_of: board.as_of.to_string(),
        countries,
        by_stage: board.by_stage.into_iter().collect(),
        legend: super::svg::legend(),
        start: start.map(|d| d.to_string()).unwrap_or_default(),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_are_the_apis() {
        assert_eq!(name_of(&domain::meeting::AttendanceStatus::Present), "present");
        let proxy = domain::meeting::AttendanceStatus::Proxy { held_by_seat: "S1".into() };
        assert_eq!(name_of(&proxy), "proxy (held by S1)");
        assert_eq!(name_of(&domain::decision::DecisionStatus::Adopted), "adopted");
    }

    #[test]
    fn ages_read_in_the_largest_unit() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z").unwrap().with_timezone(&chrono::Utc);
        assert_eq!(age("2026-12-03T11:59:30Z", now), "30 s ago");
        assert_eq!(age("2026-12-03T11:00:00Z", now), "1 h ago");
        assert_eq!(age("2026-11-30T12:00:00Z", now), "3 days ago");
        assert_eq!(age("not a date", now), "");
    }

    #[test]
    fn subjects_link_to_their_pages() {
        assert_eq!(subject_link("meeting", "GCG-19").as_deref(), Some("/meetings/GCG-19"));
        assert_eq!(subject_link("roadmap", "NPL/v1"), None);
        assert_eq!(subject_link("decision", "A B").as_deref(), Some("/decisions/A%20B"));
    }
}
