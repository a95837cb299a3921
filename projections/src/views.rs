//! View documents and how ledger events fold into them.
//!
//! A view is a JSON document per id in `view_documents`, rebuilt from the ledger in
//! position order. Folding is pure ([`apply`]): the runner loads the documents an event
//! touches, applies it and writes them back in the same transaction as its cursor.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::decision::{
    DecisionEffect, DecisionEvent, DecisionStatus, DecisionSubject, EffectOutcome, Position, Tally,
};
use domain::meeting::{
    AgendaItem, Attendance, MeetingEvent, MeetingKind, MeetingStatus, MinutesApproval, Modality, QuorumSnapshot,
};
use domain::policy::DecisionMethod;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::governance::{fold_body, fold_country, fold_group, fold_organisation, fold_partner};
pub use crate::governance::{
    BodyView, CountryView, GroupView, OrganisationView, PartnerView, COUNTRIES, GCG, GROUPS, ORGANISATIONS, PARTNERS,
};
use domain::group::GroupEvent;

/// The meetings view.
pub const MEETINGS: &str = "meetings";
/// The decisions view.
pub const DECISIONS: &str = "decisions";

/// The aggregate types whose events [`apply`] folds into documents of `view`, and only
/// those (a fold reads and writes documents of its own family alone): a read of `view` as
/// of a past moment replays these types' events and no others ([`crate::time::replay`]),
/// so its cost grows with them, not with the ledger. `None` for a view not listed here:
/// every event is replayed.
pub fn folded_from(view: &str) -> Option<&'static [&'static str]> {
    const PATHFINDER: &[&str] = &["country_report", "pfc", "reporting_cycle", "roadmap"];
    const PROGRAMME: &[&str] = &["contribution", "donor", "programme"];
    use crate::pathfinder::{CYCLES, PATHFINDERS, REPORTS, ROADMAPS};
    use crate::programme::{CONTRIBUTIONS, DONORS, PROGRAMMES};
    Some(match view {
        MEETINGS => &["decision", "meeting"],
        DECISIONS => &["decision"],
        GCG => &["body"],
        GROUPS => &["group"],
        PARTNERS => &["group", "partner"],
        ORGANISATIONS => &["organisation"],
        COUNTRIES => &["country"],
        PATHFINDERS | ROADMAPS | CYCLES | REPORTS => PATHFINDER,
        PROGRAMMES | CONTRIBUTIONS | DONORS => PROGRAMME,
        _ => return None,
    })
}

/// Provenance of what the view shows: whether any event behind it is illustrative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// True when any event folded into the document carries confidence `X` (invented demo value).
    pub illustrative: bool,
    /// Confidence tags seen, e.g. `["P", "X"]`.
    pub confidence: Vec<String>,
}

impl Labels {
    pub(crate) fn absorb(&mut self, metadata: &Value) {
        if let Some(conf) = metadata.pointer("/provenance/confidence").and_then(Value::as_str) {
            if !self.confidence.iter().any(|c| c == conf) {
                self.confidence.push(conf.to_string());
                self.confidence.sort();
            }
            if conf == "X" {
                self.illustrative = true;
            }
        }
    }
}

/// A GCG meeting as the API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub meeting_id: String,
    pub body_id: String,
    pub number: u32,
    pub kind: Option<MeetingKind>,
    pub date: Option<NaiveDate>,
    pub modality: Option<Modality>,
    pub location: Option<String>,
    pub status: MeetingStatus,
    pub opened_on: Option<NaiveDate>,
    pub chaired_by: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub attendance: Vec<Attendance>,
    pub quorum: Option<QuorumSnapshot>,
    /// Decisions proposed at the meeting, in the order they were tabled.
    pub decisions: Vec<String>,
    pub attendees_count: Option<u32>,
    pub organisations_present: Vec<String>,
    pub agenda: Option<AgendaView>,
    pub reschedules: Vec<RescheduleView>,
    pub cancelled: Option<CancellationView>,
    pub adjournments: Vec<AdjournmentView>,
    pub minutes: Option<MinutesView>,
    pub report: Option<ReportView>,
    pub labels: Labels,
    /// Sequence of the last event folded in (the aggregate version for `If-Match`).
    pub version: u64,
    pub last_position: i64,
}

/// The meeting's agenda as last published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaView {
    pub version: u32,
    pub published_on: NaiveDate,
    pub items: Vec<AgendaItem>,
}

/// A change of date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleView {
    pub old_date: NaiveDate,
    pub new_date: NaiveDate,
    pub reason: String,
}

/// A cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationView {
    pub cancelled_on: NaiveDate,
    pub reason: String,
}

/// An adjournment and, if it happened, the resumption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjournmentView {
    pub adjourned_on: NaiveDate,
    pub resumed_on: Option<NaiveDate>,
}

/// The minutes' progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesView {
    pub version: u32,
    pub doc_sha256: String,
    pub drafted_on: NaiveDate,
    pub circulated_on: Option<NaiveDate>,
    pub comment_deadline: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub approved_by: Option<MinutesApproval>,
}

/// The published meeting report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub doc_sha256: String,
    pub url: Option<String>,
    pub published_on: NaiveDate,
}

/// An action item of an adopted decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemView {
    pub item_id: String,
    pub text: String,
    pub owner: String,
    /// When it was assigned (the assigning event's business date).
    #[serde(default)]
    pub assigned_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub evidence_sha256: Option<String>,
}

/// A position as recorded, kept even when a later one supersedes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionEntry {
    pub seat_id: String,
    pub position: Position,
    pub reason: Option<String>,
    /// False once the same seat stated a later position.
    pub effective: bool,
    pub recorded_position: i64,
}

/// A GCG decision as the API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub decision_id: String,
    pub meeting_id: String,
    pub agenda_item: Option<String>,
    pub subject: Option<DecisionSubject>,
    pub text: String,
    pub status: DecisionStatus,
    pub positions: Vec<PositionEntry>,
    pub tally: Tally,
    pub method: Option<DecisionMethod>,
    pub quorum_snapshot: Option<QuorumSnapshot>,
    pub policy_version: Option<String>,
    pub effective_on: Option<NaiveDate>,
    pub rejection_reason: Option<String>,
    pub superseded_by: Option<String>,
    /// What the decision authorises once adopted, and what happened when it was applied.
    pub effect: Option<DecisionEffect>,
    pub effect_outcome: Option<EffectOutcome>,
    pub deferred: Option<String>,
    pub deferred_to: Option<String>,
    /// Earlier meetings the decision was tabled at before it was deferred and re-tabled.
    pub tabled_at: Vec<String>,
    pub withdrawn: Option<String>,
    pub rescinded_by: Option<String>,
    pub rescind_reason: Option<String>,
    pub action_items: Vec<ActionItemView>,
    /// When the adoption happened and when the ledger recorded it (a backfill records
    /// long after).
    #[serde(default)]
    pub adoption: Option<AdoptionRecord>,
    /// Evidence documents cited by any of the decision's events.
    pub evidence: Vec<Value>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// When a decision's adoption happened and was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionRecord {
    pub occurred_at: Option<String>,
    pub recorded_at: String,
}

/// The documents a batch of events touches, keyed by (view, id).
pub type Documents = HashMap<(String, String), Value>;

/// An event being folded: where it sits and what it says.
#[derive(Debug)]
pub struct Folded<'a> {
    pub position: i64,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: u64,
    pub payload: &'a Value,
    pub metadata: &'a Value,
}

/// The (view, id) keys an event needs loaded before [`apply`].
pub fn keys_for(event: &Folded<'_>) -> Vec<(String, String)> {
    match event.aggregate_type {
        "meeting" => vec![(MEETINGS.to_string(), event.aggregate_id.to_string())],
        "decision" => {
            let mut keys = vec![(DECISIONS.to_string(), event.aggregate_id.to_string())];
            for pointer in ["/DecisionProposed/meeting_id", "/DecisionRetabled/meeting_id"] {
                if let Some(meeting) = event.payload.pointer(pointer).and_then(Value::as_str) {
                    keys.push((MEETINGS.to_string(), meeting.to_string()));
                }
            }
            keys
        }
        "body" => vec![(GCG.to_string(), event.aggregate_id.to_string())],
        "group" => {
            let mut keys = vec![(GROUPS.to_string(), event.aggregate_id.to_string())];
            for pointer in ["/GroupMemberJoined/organisation", "/GroupMemberLeft/organisation"] {
                if let Some(org) = event.payload.pointer(pointer).and_then(Value::as_str) {
                    keys.push((PARTNERS.to_string(), org.to_string()));
                }
            }
            keys
        }
        "partner" => vec![(PARTNERS.to_string(), event.aggregate_id.to_string())],
        "organisation" => vec![(ORGANISATIONS.to_string(), event.aggregate_id.to_string())],
        "country" => vec![(COUNTRIES.to_string(), event.aggregate_id.to_string())],
        "pfc" | "roadmap" | "reporting_cycle" | "country_report" => crate::pathfinder::keys_for(event),
        "programme" | "contribution" | "donor" => crate::programme::keys_for(event),
        _ => vec![],
    }
}

/// A view document that records its labels, version and last position.
trait Stamped {
    fn stamp(&mut self, event: &Folded<'_>);
}

macro_rules! stamped {
    ($($view:ty),*) => {$(
        impl Stamped for $view {
            fn stamp(&mut self, event: &Folded<'_>) {
                self.labels.absorb(event.metadata);
                self.version = event.sequence;
                self.last_position = event.position;
            }
        }
    )*};
}

stamped!(MeetingView, DecisionView, BodyView, GroupView, PartnerView, OrganisationView, CountryView);

/// Parses the event, folds it into the aggregate's own document and stamps it.
fn fold_own<E, V>(
    docs: &mut Documents,
    view: &str,
    event: &Folded<'_>,
    fold: impl FnOnce(&mut V, E),
) -> Result<(), String>
where
    E: for<'de> Deserialize<'de>,
    V: Default + Serialize + for<'de> Deserialize<'de> + Stamped,
{
    let parsed: E = serde_json::from_value(event.payload.clone())
        .map_err(|e| format!("{} event does not parse: {e}", event.aggregate_type))?;
    let key = (view.to_string(), event.aggregate_id.to_string());
    let mut doc: V = load(docs, &key);
    fold(&mut doc, parsed);
    doc.stamp(event);
    store(docs, key, &doc)
}

fn load<T: Default + for<'de> Deserialize<'de>>(docs: &Documents, key: &(String, String)) -> T {
    docs.get(key).and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

fn store<T: Serialize>(docs: &mut Documents, key: (String, String), doc: &T) -> Result<(), String> {
    docs.insert(key, serde_json::to_value(doc).map_err(|e| e.to_string())?);
    Ok(())
}

/// Folds one event into the documents it touches.
pub fn apply(docs: &mut Documents, event: &Folded<'_>) -> Result<(), String> {
    match event.aggregate_type {
        "meeting" => {
            let parsed: MeetingEvent = serde_json::from_value(event.payload.clone())
                .map_err(|e| format!("meeting event does not parse: {e}"))?;
            let key = (MEETINGS.to_string(), event.aggregate_id.to_string());
            let mut view: MeetingView = load(docs, &key);
            fold_meeting(&mut view, parsed);
            view.stamp(event);
            store(docs, key, &view)
        }
        "decision" => {
            let parsed: DecisionEvent = serde_json::from_value(event.payload.clone())
                .map_err(|e| format!("decision event does not parse: {e}"))?;
            let key = (DECISIONS.to_string(), event.aggregate_id.to_string());
            let mut view: DecisionView = load(docs, &key);
            if let DecisionEvent::DecisionProposed { meeting_id, .. } | DecisionEvent::DecisionRetabled { meeting_id } =
                &parsed
            {
                let meeting_key = (MEETINGS.to_string(), meeting_id.clone());
                let mut meeting: MeetingView = load(docs, &meeting_key);
                if !meeting.decisions.iter().any(|d| d == event.aggregate_id) {
                    meeting.decisions.push(event.aggregate_id.to_string());
                }
                store(docs, meeting_key, &meeting)?;
            }
            let occurred_at = event.metadata.get("occurred_at").and_then(Value::as_str);
            if matches!(parsed, DecisionEvent::DecisionAdopted { .. }) {
                let recorded_at = event.metadata.get("recorded_at").and_then(Value::as_str).unwrap_or_default();
                view.adoption = Some(AdoptionRecord {
                    occurred_at: occurred_at.map(str::to_string),
                    recorded_at: recorded_at.into(),
                });
            }
            let assigned_on =
                occurred_at.and_then(|t| t.get(..10)).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let assigning = matches!(parsed, DecisionEvent::ActionItemAssigned { .. });
            fold_decision(&mut view, parsed, event.position);
            if assigning {
                if let Some(item) = view.action_items.last_mut() {
                    item.assigned_on = assigned_on;
                }
            }
            if let Some(evidence) = event.metadata.get("evidence").and_then(Value::as_array) {
                for item in evidence {
                    if !view.evidence.contains(item) {
                        view.evidence.push(item.clone());
                    }
                }
            }
            view.stamp(event);
            store(docs, key, &view)
        }
        "body" => fold_own(docs, GCG, event, |v: &mut BodyView, e| {
            fold_body(v, e, event.position);
            crate::governance::label_part(v, event.payload, event.metadata);
        }),
        "group" => {
            let parsed: GroupEvent = serde_json::from_value(event.payload.clone())
                .map_err(|e| format!("group event does not parse: {e}"))?;
            let membership = match &parsed {
                GroupEvent::GroupMemberJoined { organisation, .. } => Some((organisation.clone(), true)),
                GroupEvent::GroupMemberLeft { organisation, .. } => Some((organisation.clone(), false)),
                _ => None,
            };
            if let Some((organisation, joined)) = membership {
                let key = (PARTNERS.to_string(), organisation);
                let mut partner: PartnerView = load(docs, &key);
                partner.groups.retain(|g| g != event.aggregate_id);
                if joined {
                    partner.groups.push(event.aggregate_id.to_string());
                    partner.groups.sort();
                }
                store(docs, key, &partner)?;
            }
            fold_own(docs, GROUPS, event, |v: &mut GroupView, e| fold_group(v, e))
        }
        "partner" => fold_own(docs, PARTNERS, event, |v: &mut PartnerView, e| fold_partner(v, e)),
        "organisation" => fold_own(docs, ORGANISATIONS, event, |v: &mut OrganisationView, e| fold_organisation(v, e)),
        "country" => fold_own(docs, COUNTRIES, event, |v: &mut CountryView, e| fold_country(v, e)),
        "pfc" | "roadmap" | "reporting_cycle" | "country_report" => crate::pathfinder::apply(docs, event),
        "programme" | "contribution" | "donor" => crate::programme::apply(docs, event),
        _ => Ok(()),
    }
}

fn fold_meeting(view: &mut MeetingView, event: MeetingEvent) {
    match event {
        MeetingEvent::MeetingScheduled { meeting_id, body_id, number, kind, date, modality, location } => {
            view.meeting_id = meeting_id;
            view.body_id = body_id;
            view.number = number;
            view.kind = Some(kind);
            view.date = Some(date);
            view.modality = Some(modality);
            view.location = location;
            view.status = MeetingStatus::Scheduled;
        }
        MeetingEvent::MeetingOpened { opened_on, chaired_by } => {
            view.opened_on = Some(opened_on);
            view.chaired_by = chaired_by;
            view.status = MeetingStatus::InSession;
        }
        MeetingEvent::AttendanceRecorded(a) => view.attendance.push(a),
        MeetingEvent::QuorumDeclared(q) => view.quorum = Some(q),
        MeetingEvent::MeetingClosed { closed_on, attendees_count, organisations_present, .. } => {
            view.closed_on = Some(closed_on);
            view.attendees_count = Some(attendees_count);
            view.organisations_present = organisations_present;
            view.status = MeetingStatus::Closed;
        }
        MeetingEvent::MeetingRescheduled { old_date, new_date, reason } => {
            view.date = Some(new_date);
            view.reschedules.push(RescheduleView { old_date, new_date, reason });
        }
        MeetingEvent::MeetingCancelled { cancelled_on, reason } => {
            view.status = MeetingStatus::Cancelled;
            view.cancelled = Some(CancellationView { cancelled_on, reason });
        }
        MeetingEvent::AgendaPublished { version, items, published_on } => {
            view.agenda = Some(AgendaView { version, published_on, items })
        }
        MeetingEvent::MeetingAdjourned { adjourned_on } => {
            view.status = MeetingStatus::Adjourned;
            view.adjournments.push(AdjournmentView { adjourned_on, resumed_on: None });
        }
        MeetingEvent::MeetingResumed { resumed_on } => {
            view.status = MeetingStatus::InSession;
            if let Some(a) = view.adjournments.last_mut() {
                a.resumed_on = Some(resumed_on);
            }
        }
        MeetingEvent::MinutesDrafted { version, doc_sha256, drafted_on } => {
            view.minutes = Some(MinutesView {
                version,
                doc_sha256,
                drafted_on,
                circulated_on: None,
                comment_deadline: None,
                approved_on: None,
                approved_by: None,
            })
        }
        MeetingEvent::MinutesCirculated { circulated_on, comment_deadline, .. } => {
            if let Some(m) = view.minutes.as_mut() {
                m.circulated_on = Some(circulated_on);
                m.comment_deadline = Some(comment_deadline);
            }
        }
        MeetingEvent::MinutesApproved { approved_on, by, .. } => {
            if let Some(m) = view.minutes.as_mut() {
                m.approved_on = Some(approved_on);
                m.approved_by = Some(by);
            }
        }
        MeetingEvent::MeetingReportPublished { doc_sha256, url, published_on } => {
            view.report = Some(ReportView { doc_sha256, url, published_on })
        }
    }
}

fn fold_decision(view: &mut DecisionView, event: DecisionEvent, position: i64) {
    match event {
        DecisionEvent::DecisionProposed { decision_id, meeting_id, agenda_item, subject, text, effect } => {
            view.effect = effect;
            view.decision_id = decision_id;
            view.meeting_id = meeting_id;
            view.agenda_item = agenda_item;
            view.subject = Some(subject);
            view.text = text;
            view.status = DecisionStatus::Proposed;
        }
        DecisionEvent::PositionRecorded { seat_id, position: stated, reason, .. } => {
            for entry in view.positions.iter_mut().filter(|p| p.seat_id == seat_id) {
                entry.effective = false;
            }
            view.positions.push(PositionEntry {
                seat_id,
                position: stated,
                reason,
                effective: true,
                recorded_position: position,
            });
            view.tally = tally(&view.positions);
        }
        DecisionEvent::DecisionAdopted { method, tally, quorum_snapshot, policy_version, effective_on } => {
            view.status = DecisionStatus::Adopted;
            view.method = Some(method);
            view.tally = tally;
            view.quorum_snapshot = Some(quorum_snapshot);
            view.policy_version = Some(policy_version);
            view.effective_on = Some(effective_on);
        }
        DecisionEvent::DecisionRejected { tally, reason } => {
            view.status = DecisionStatus::Rejected;
            view.tally = tally;
            view.rejection_reason = reason;
        }
        DecisionEvent::DecisionSuperseded { by_decision_id } => {
            view.status = DecisionStatus::Superseded;
            view.superseded_by = Some(by_decision_id);
        }
        DecisionEvent::DecisionDeferred { reason, to_meeting } => {
            view.status = DecisionStatus::Deferred;
            view.deferred = Some(reason);
            view.deferred_to = to_meeting;
        }
        DecisionEvent::DecisionRetabled { meeting_id } => {
            // Positions stated at the earlier meeting stay in the history but no longer
            // count: the decision is judged afresh where it is tabled again.
            view.tabled_at.push(std::mem::replace(&mut view.meeting_id, meeting_id));
            for entry in &mut view.positions {
                entry.effective = false;
            }
            view.tally = tally(&view.positions);
            view.status = DecisionStatus::Proposed;
        }
        DecisionEvent::DecisionWithdrawn { reason, .. } => {
            view.status = DecisionStatus::Withdrawn;
            view.withdrawn = Some(reason);
        }
        DecisionEvent::DecisionRescinded { by_decision_id, reason } => {
            view.status = DecisionStatus::Rescinded;
            view.rescinded_by = Some(by_decision_id);
            view.rescind_reason = Some(reason);
        }
        DecisionEvent::ActionItemAssigned { item_id, text, owner, due_on } => view.action_items.push(ActionItemView {
            item_id,
            text,
            owner,
            assigned_on: None,
            due_on,
            completed_on: None,
            evidence_sha256: None,
        }),
        DecisionEvent::ActionItemCompleted { item_id, completed_on, evidence_sha256 } => {
            if let Some(item) = view.action_items.iter_mut().find(|i| i.item_id == item_id) {
                item.completed_on = Some(completed_on);
                item.evidence_sha256 = evidence_sha256;
            }
        }
        DecisionEvent::DecisionEffectApplied { target_type, target_id, events } => {
            view.effect_outcome = Some(EffectOutcome::Applied { target_type, target_id, events })
        }
        DecisionEvent::DecisionEffectFailed { rule, message } => {
            view.effect_outcome = Some(EffectOutcome::Failed { rule, message })
        }
    }
}

fn tally(positions: &[PositionEntry]) -> Tally {
    let mut t = Tally::default();
    for p in positions.iter().filter(|p| p.effective) {
        match p.position {
            Position::For => t.for_ += 1,
            Position::Against => t.against += 1,
            Position::Abstain => t.abstain += 1,
            Position::Block => t.block += 1,
        }
    }
    t
}
