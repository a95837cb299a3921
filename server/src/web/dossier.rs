//! The printable dossier, `/dossiers/{subject}`: the dossier the API serves
//! (`http::dossiers::dossier_for`, for the session's reader or the public) as a page for
//! people: its checkpoint, and every event as a readable row grouped by aggregate, redacted
//! records shown as redacted. The print stylesheet turns it into a clean PDF; the JSON file
//! and `/verify` are linked for checking it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use ledger_format::record::ShownRecord;
use serde_json::Value;

use super::pages::subject_link;
use super::session::WebSession;
use super::{encode, render, Nav, PageError};
use crate::http::dossiers::dossier_for;
use crate::http::AppState;

/// One event of the dossier as a row.
#[derive(Debug, Clone)]
pub struct DossierRow {
    pub position: u64,
    pub sequence: u64,
    pub event_type: String,
    pub redacted: bool,
    pub occurred_at: String,
    pub recorded_at: String,
    pub actor: String,
    pub authority: String,
    pub summary: String,
    pub hash: String,
}

/// The events of one aggregate.
#[derive(Debug, Clone)]
pub struct Section {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub link: Option<String>,
    pub rows: Vec<DossierRow>,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    nav: Nav,
    subject: String,
    generated_at: String,
    origin: String,
    tree_size: String,
    root: String,
    public_key: String,
    checkpoint: String,
    events: usize,
    redacted: usize,
    omitted_unsealed: u64,
    key_rotations: usize,
    sections: Vec<Section>,
    json_link: String,
    markdown_link: String,
}

/// A JSON value in a few words: text as is, anything else compact.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Object(fields) if fields.len() == 2 && fields.contains_key("amount_minor") => {
            match (fields["amount_minor"].as_i64(), fields["currency"].as_str()) {
                (Some(minor), Some(currency)) => super::svg::money(minor, currency),
                _ => value.to_string(),
            }
        }
        other => other.to_string(),
    };
    clip(&text, 80)
}

fn clip(text: &str, at: usize) -> String {
    match text.char_indices().nth(at) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// The payload's members in a line: `name: value; …`, at most about 240 characters.
fn summary_of(payload: &Value) -> String {
    match payload {
        Value::Object(fields) => {
            let parts: Vec<String> =
                fields.iter().filter(|(_, v)| !v.is_null()).map(|(name, v)| format!("{name}: {}", short(v))).collect();
            clip(&parts.join("; "), 240)
        }
        Value::Null => String::new(),
        other => short(other),
    }
}

fn text_at(metadata: &Value, name: &str) -> String {
    metadata.get(name).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// How the authority an event was recorded on reads.
fn authority_of(metadata: &Value) -> String {
    match metadata.get("authority") {
        None | Some(Value::Null) => String::new(),
        Some(authority) => match (authority.get("decision_id").and_then(Value::as_str), authority.get("kind")) {
            (Some(decision), _) => format!("decision {decision}"),
            (None, Some(Value::String(kind))) => kind.clone(),
            _ => authority.to_string(),
        },
    }
}

/// `GET /dossiers/{subject}`: the dossier as a page, for the session's reader (or the
/// public). A contribution's dossier is refused as the API refuses it.
pub async fn dossier(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(subject): Path<String>,
) -> Result<Response, PageError> {
    let dossier = dossier_for(&state, session.as_ref().map(|s| &s.caller), &subject).await?;
    let mut note = dossier.checkpoint.lines();
    let (origin, tree_size, root) = (note.next(), note.next(), note.next());
    let mut sections: Vec<Section> = Vec::new();
    let mut redacted = 0;
    for event in &dossier.events {
        let (aggregate_type, aggregate_id, row) = match &event.record {
            ShownRecord::Full(r) => (
                r.aggregate_type.clone(),
                r.aggregate_id.clone(),
                DossierRow {
                    position: event.position,
                    sequence: r.sequence,
                    event_type: r.event_type.clone(),
                    redacted: false,
                    occurred_at: text_at(&r.metadata, "occurred_at"),
                    recorded_at: text_at(&r.metadata, "recorded_at"),
                    actor: format!("{} ({})", text_at(&r.metadata, "actor"), text_at(&r.metadata, "role")),
                    authority: authority_of(&r.metadata),
                    summary: summary_of(&r.payload),
                    hash: event.hash.clone(),
                },
            ),
            ShownRecord::Redacted(h) => {
                redacted += 1;
                (
                    h.aggregate_type.clone(),
                    h.aggregate_id.clone(),
                    DossierRow {
                        position: event.position,
                        sequence: h.sequence,
                        event_type: match &h.scope {
                            Some(scope) => format!("redacted ({}, {scope})", h.visibility),
                            None => format!("redacted ({})", h.visibility),
                        },
                        redacted: true,
                        occurred_at: String::new(),
                        recorded_at: h.recorded_at.clone(),
                        actor: String::new(),
                        authority: String::new(),
                        summary: String::new(),
                        hash: event.hash.clone(),
                    },
                )
            }
        };
        match sections.iter_mut().find(|s| s.aggregate_type == aggregate_type && s.aggregate_id == aggregate_id) {
            Some(section) => section.rows.push(row),
            None => sections.push(Section {
                link: if row.redacted { None } else { subject_link(&aggregate_type, &aggregate_id) },
                aggregate_type,
                aggregate_id,
                rows: vec![row],
            }),
        }
    }
    let json_link = format!("/api/v1/dossiers/{}", encode(&subject));
    let page = DossierPage {
        nav: Nav::new(session.as_ref(), &format!("/dossiers/{}", encode(&subject))),
        markdown_link: format!("{json_link}?format=markdown"),
        json_link,
        subject: dossier.subject.clone(),
        generated_at: dossier.generated_at.clone(),
        origin: origin.unwrap_or_default().to_string(),
        tree_size: tree_size.unwrap_or_default().to_string(),
        root: root.unwrap_or_default().to_string(),
        public_key: dossier.public_key.clone(),
        checkpoint: dossier.checkpoint.clone(),
        events: dossier.events.len(),
        redacted,
        omitted_unsealed: dossier.omitted_unsealed,
        key_rotations: dossier.key_history.as_ref().map_or(0, Vec::len),
        sections,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_payload_reads_in_a_line() {
        let payload =
            json!({"amount": {"amount_minor": 3_914_300, "currency": "USD"}, "line_code": "O1", "note": null});
        assert_eq!(summary_of(&payload), "amount: USD 39,143.00; line_code: O1");
        let long = "x".repeat(300);
        // A long value is clipped to 80 characters, the whole line to 240.
        assert_eq!(summary_of(&json!({ "text": long })), format!("text: {}…", "x".repeat(80)));
        let many: serde_json::Map<String, Value> = (0..40).map(|i| (format!("f{i:02}"), json!("value"))).collect();
        assert_eq!(summary_of(&Value::Object(many)).chars().count(), 241);
        assert_eq!(
            authority_of(&json!({"authority": {"kind": "decision", "decision_id": "GCG-21-D03"}})),
            "decision GCG-21-D03"
        );
        assert_eq!(authority_of(&json!({"authority": null})), "");
    }
}
