//! Answers to the users' questions that no single view document holds: filters over
//! decisions, written procedures, action items, attendance rates, time in each Pathfinder
//! stage, partner admissions and the segregation-of-duties report.
//!
//! Every function here is pure: it takes the view documents of one moment (already read
//! through [`crate::read::At`], so already as of the moment and as the reader may see
//! them) and the moment's date, and computes the answer. The HTTP layer only parses the
//! filters and loads the documents; docs/QUESTIONS.md maps each question to its call.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use domain::decision::{DecisionStatus, Position};
use domain::meeting::{AttendanceStatus, MeetingKind, MeetingStatus};
use domain::partner::PartnerStatus;
use domain::pathfinder::country::PfcStage;
use serde_json::{json, Value};

use crate::governance::{BodyView, PartnerView};
use crate::pathfinder::PathfinderView;
use crate::views::{DecisionView, MeetingView};

/// The date part of a `YYYY-MM-DD…` text.
fn date_of(text: &str) -> Option<NaiveDate> {
    text.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Where a meeting's minutes stand: `none`, `drafted`, `circulated` or `approved`.
pub fn minutes_status(meeting: &MeetingView) -> &'static str {
    match &meeting.minutes {
        None => "none",
        Some(m) if m.approved_on.is_some() => "approved",
        Some(m) if m.circulated_on.is_some() => "circulated",
        Some(_) => "drafted",
    }
}

/// The ISO 3166 codes a decision is about: its subject's country, the country of the
/// roadmap or report it concerns, and the holder an effect gives an office or a seat.
pub fn decision_countries(decision: &DecisionView) -> Vec<String> {
    let mut out = Vec::new();
    let is_country = |s: &str| s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase());
    if let Some(subject) = serde_json::to_value(&decision.subject).ok().filter(Value::is_object) {
        if let Some(iso3) = subject.get("iso3").and_then(Value::as_str) {
            out.push(iso3.to_string());
        }
        if let Some(roadmap) = subject.get("roadmap_id").and_then(Value::as_str) {
            out.extend(roadmap.split('/').next().filter(|c| is_country(c)).map(str::to_string));
        }
        if let Some(report) = subject.get("report_id").and_then(Value::as_str) {
            out.extend(report.split('/').nth(1).filter(|c| is_country(c)).map(str::to_string));
        }
    }
    if let Some(effect) = serde_json::to_value(&decision.effect).ok().filter(Value::is_object) {
        if let Some(holder) = effect.get("holder").and_then(Value::as_str).filter(|h| is_country(h)) {
            out.push(holder.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a decision was taken by written procedure: tabled at an intersessional meeting.
fn by_written_procedure(decision: &DecisionView, meetings: &HashMap<String, MeetingView>) -> bool {
    meetings.get(&decision.meeting_id).is_some_and(|m| m.kind == Some(MeetingKind::Intersessional))
}

/// The filters of `GET /api/v1/decisions` (all optional; all given must hold).
#[derive(Debug, Clone, Default)]
pub struct DecisionFilter {
    /// Any of these statuses.
    pub status: Vec<DecisionStatus>,
    /// `consensus`, `simple_majority`, `qualified_majority` (how it was adopted) or
    /// `written_procedure` (tabled at an intersessional meeting).
    pub method: Option<String>,
    pub meeting: Option<String>,
    /// The subject's kind, e.g. `grant_pathfinder_status`.
    pub subject: Option<String>,
    /// An ISO 3166 code the decision is about ([`decision_countries`]).
    pub country: Option<String>,
    pub adopted_from: Option<NaiveDate>,
    pub adopted_to: Option<NaiveDate>,
    /// Whether any of its events cites an evidence document.
    pub evidence: Option<bool>,
    /// Whether a quorum was recorded with its adoption.
    pub quorum_recorded: Option<bool>,
    /// Adopted decisions recorded more than this many days after their adoption date.
    pub recorded_late_days: Option<i64>,
}

/// The decisions passing `filter`, each its document with the figures the filters use:
/// `countries`, `written_procedure`, `has_evidence`, `quorum_recorded`,
/// `recording_delay_days` (days between the adoption and its recording; null when not
/// adopted) and `replaced_by` (the decision that superseded or rescinded it).
pub fn decisions(
    documents: Vec<(DecisionView, Value)>,
    meetings: &HashMap<String, MeetingView>,
    filter: &DecisionFilter,
) -> Vec<Value> {
    let mut out = Vec::new();
    for (decision, mut document) in documents {
        let countries = decision_countries(&decision);
        let written = by_written_procedure(&decision, meetings);
        let has_evidence = !decision.evidence.is_empty();
        let quorum_recorded = decision.quorum_snapshot.is_some();
        let delay = decision.adoption.as_ref().and_then(|a| {
            let recorded = date_of(&a.recorded_at)?;
            Some((recorded - decision.effective_on?).num_days())
        });
        let method = decision.method.as_ref().and_then(|m| serde_json::to_value(m).ok());
        let method_kind = method.as_ref().and_then(|m| m.get("kind")).and_then(Value::as_str).map(str::to_string);
        let subject_kind = serde_json::to_value(&decision.subject)
            .ok()
            .and_then(|s| s.get("kind").and_then(Value::as_str).map(str::to_string));
        let keep = (filter.status.is_empty() || filter.status.contains(&decision.status))
            && filter.method.as_ref().is_none_or(|m| {
                if m == "written_procedure" {
                    written
                } else {
                    method_kind.as_deref() == Some(m.as_str())
                }
            })
            && filter.meeting.as_ref().is_none_or(|m| *m == decision.meeting_id)
            && filter.subject.as_ref().is_none_or(|s| subject_kind.as_deref() == Some(s.as_str()))
            && filter.country.as_ref().is_none_or(|c| countries.contains(c))
            && filter.adopted_from.is_none_or(|from| decision.effective_on.is_some_and(|d| d >= from))
            && filter.adopted_to.is_none_or(|to| decision.effective_on.is_some_and(|d| d <= to))
            && filter.evidence.is_none_or(|e| e == has_evidence)
            && filter.quorum_recorded.is_none_or(|q| q == quorum_recorded)
            && filter.recorded_late_days.is_none_or(|days| delay.is_some_and(|d| d > days));
        if !keep {
            continue;
        }
        if let Some(object) = document.as_object_mut() {
            object.insert("countries".into(), json!(countries));
            object.insert("written_procedure".into(), json!(written));
            object.insert("has_evidence".into(), json!(has_evidence));
            object.insert("quorum_recorded".into(), json!(quorum_recorded));
            object.insert("recording_delay_days".into(), json!(delay));
            object.insert(
                "replaced_by".into(),
                json!(decision.superseded_by.clone().or_else(|| decision.rescinded_by.clone())),
            );
        }
        out.push(document);
    }
    out
}

/// Decisions by written procedure (tabled at an intersessional meeting): circulated on
/// the meeting's date, silent until that date plus the silence period of the rules in
/// force then, with the objections (effective positions against or blocking) and the
/// outcome. `silence_running` is true while the deadline has not passed on `as_of`.
pub fn written_procedures(
    decisions: &[DecisionView],
    meetings: &HashMap<String, MeetingView>,
    body: Option<&BodyView>,
    as_of: NaiveDate,
) -> Vec<Value> {
    let mut out = Vec::new();
    for decision in decisions.iter().filter(|d| by_written_procedure(d, meetings)) {
        let meeting = &meetings[&decision.meeting_id];
        let circulated_on = meeting.date;
        let policy = body.and_then(|b| {
            b.policies
                .iter()
                .filter(|p| circulated_on.is_some_and(|c| p.effective_on <= c))
                .max_by_key(|p| p.effective_on)
        });
        let silence_days = policy.and_then(|p| p.policy.silence_period_days);
        let deadline = circulated_on.zip(silence_days).map(|(c, days)| c + chrono::Days::new(u64::from(days)));
        let objections: Vec<Value> = decision
            .positions
            .iter()
            .filter(|p| p.effective && matches!(p.position, Position::Against | Position::Block))
            .map(|p| json!({"seat_id": p.seat_id, "position": p.position, "reason": p.reason}))
            .collect();
        out.push(json!({
            "decision_id": decision.decision_id, "meeting_id": decision.meeting_id, "text": decision.text,
            "status": decision.status, "circulated_on": circulated_on,
            "policy_version": policy.map(|p| p.policy.version.clone()), "silence_period_days": silence_days,
            "silence_deadline": deadline, "silence_running": deadline.is_some_and(|d| as_of <= d),
            "objections": objections, "objection_count": objections.len(), "tally": decision.tally,
            "effective_on": decision.effective_on, "labels": decision.labels,
        }));
    }
    out
}

/// The filters of the action-item list.
#[derive(Debug, Clone, Default)]
pub struct ActionItemFilter {
    /// `open` or `completed`.
    pub status: Option<String>,
    pub owner: Option<String>,
    /// `false`: completed items without an evidence document.
    pub evidence: Option<bool>,
    /// Open items at least this many days old.
    pub min_age_days: Option<i64>,
}

/// Action items of adopted decisions, oldest first: owner, age in days on `as_of` (from
/// assignment to completion, or to `as_of` while open), days overdue, evidence.
pub fn action_items(decisions: &[DecisionView], filter: &ActionItemFilter, as_of: NaiveDate) -> Vec<Value> {
    let mut rows = Vec::new();
    for decision in decisions {
        for item in &decision.action_items {
            let open = item.completed_on.is_none();
            let assigned = item.assigned_on.or(decision.effective_on);
            let until = item.completed_on.unwrap_or(as_of);
            let age = assigned.map(|a| (until - a).num_days());
            let overdue = if open { (as_of - item.due_on).num_days().max(0) } else { 0 };
            let has_evidence = item.evidence_sha256.is_some();
            let keep = filter.status.as_ref().is_none_or(|s| (s == "open") == open)
                && filter.owner.as_ref().is_none_or(|o| *o == item.owner)
                && filter.evidence.is_none_or(|e| !open && e == has_evidence)
                && filter.min_age_days.is_none_or(|min| open && age.is_some_and(|a| a >= min));
            if keep {
                rows.push(json!({
                    "item_id": item.item_id, "decision_id": decision.decision_id, "meeting_id": decision.meeting_id,
                    "text": item.text, "owner": item.owner, "assigned_on": assigned, "due_on": item.due_on,
                    "status": if open { "open" } else { "completed" }, "completed_on": item.completed_on,
                    "age_days": age, "days_overdue": overdue, "evidence_sha256": item.evidence_sha256,
                    "labels": decision.labels,
                }));
            }
        }
    }
    rows.sort_by(|a, b| a["assigned_on"].as_str().cmp(&b["assigned_on"].as_str()));
    rows
}

/// Attendance per seat and per constituency over the last `last` meetings held on or
/// before `as_of` (closed regular, extraordinary and workshop meetings; written
/// procedures have no attendance). A seat that existed but had no holder on a meeting's
/// date counts as vacant there.
pub fn attendance(meetings: &[MeetingView], body: &BodyView, last: usize, as_of: NaiveDate) -> Value {
    let mut held: Vec<&MeetingView> = meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Closed && m.kind != Some(MeetingKind::Intersessional))
        .filter(|m| m.date.is_some_and(|d| d <= as_of))
        .collect();
    held.sort_by_key(|m| m.date);
    let window: Vec<&MeetingView> = held.iter().rev().take(last).rev().copied().collect();
    let mut seats = Vec::new();
    let mut by_constituency: BTreeMap<String, [u32; 4]> = BTreeMap::new();
    for seat in &body.seats {
        let (mut present, mut absent, mut vacant, mut counted) = (0u32, 0u32, 0u32, 0u32);
        for meeting in &window {
            let Some(date) = meeting.date else { continue };
            if seat.defined_on > date || seat.retired_on.is_some_and(|r| r <= date) {
                continue;
            }
            counted += 1;
            let line = meeting.attendance.iter().find(|a| a.seat_id.as_deref() == Some(seat.seat_id.as_str()));
            match line.map(|a| &a.status) {
                Some(AttendanceStatus::Present | AttendanceStatus::Proxy { .. }) => present += 1,
                Some(_) => absent += 1,
                None if seat.holdings.iter().any(|h| h.from <= date && h.until.is_none_or(|u| u > date)) => absent += 1,
                None => vacant += 1,
            }
        }
        if counted == 0 {
            continue;
        }
        let constituency = serde_json::to_value(seat.constituency).ok().and_then(|c| c.as_str().map(str::to_string));
        let constituency = constituency.unwrap_or_default();
        let totals = by_constituency.entry(constituency.clone()).or_default();
        totals[0] += counted;
        totals[1] += present;
        totals[2] += absent;
        totals[3] += vacant;
        seats.push(json!({
            "seat_id": seat.seat_id, "constituency": constituency, "voting": seat.voting, "meetings": counted,
            "present": present, "absent": absent, "vacant": vacant, "attendance_rate": rate(present, counted),
        }));
    }
    let constituencies: Vec<Value> = by_constituency
        .into_iter()
        .map(|(c, [counted, present, absent, vacant])| {
            json!({"constituency": c, "seat_meetings": counted, "present": present, "absent": absent,
                "vacant": vacant, "attendance_rate": rate(present, counted)})
        })
        .collect();
    json!({
        "meetings": window.iter().map(|m| json!({"meeting_id": m.meeting_id, "date": m.date})).collect::<Vec<_>>(),
        "last": last, "items": seats, "constituencies": constituencies,
        "labels": {"illustrative": window.iter().any(|m| m.labels.illustrative)},
    })
}

/// `part / whole` as a percentage with one decimal, as text (null when `whole` is 0).
fn rate(part: u32, whole: u32) -> Option<String> {
    (whole > 0).then(|| format!("{:.1}", f64::from(part) * 100.0 / f64::from(whole)))
}

/// The stages a candidate passes through before Pathfinder status.
const BEFORE_STATUS: [PfcStage; 5] = [
    PfcStage::Prospective,
    PfcStage::InterestExpressed,
    PfcStage::Candidate,
    PfcStage::Onboarding,
    PfcStage::WorkshopHeld,
];

/// Days each country spent in each stage up to `as_of`, the median per stage (over the
/// countries that left the stage), and the candidates (not yet granted status) in their
/// current stage longest first.
pub fn stage_times(views: &[PathfinderView], as_of: NaiveDate) -> Value {
    let mut rows = Vec::new();
    let mut completed: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut stalled = Vec::new();
    for view in views {
        let history: Vec<(PfcStage, NaiveDate)> =
            view.state.stage_history.iter().filter(|(_, since)| *since <= as_of).cloned().collect();
        let Some((current, since)) = history.last().copied() else { continue };
        let mut stages = Vec::new();
        for (i, (stage, from)) in history.iter().enumerate() {
            let next = history.get(i + 1).map(|(_, d)| *d);
            let days = (next.unwrap_or(as_of) - *from).num_days();
            let name = stage_name(*stage);
            if next.is_some() {
                completed.entry(name.clone()).or_default().push(days);
            }
            stages.push(json!({"stage": name, "from": from, "until": next, "days": days, "current": next.is_none()}));
        }
        let days_in_current = (as_of - since).num_days();
        if BEFORE_STATUS.contains(&current) {
            stalled.push(json!({"iso3": view.iso3, "stage": stage_name(current), "since": since,
                "days_in_stage": days_in_current, "labels": view.labels}));
        }
        rows.push(json!({"iso3": view.iso3, "stage": stage_name(current), "since": since, "stages": stages,
            "labels": view.labels}));
    }
    stalled.sort_by_key(|s| std::cmp::Reverse(s["days_in_stage"].as_i64().unwrap_or(0)));
    let medians: Vec<Value> = completed
        .into_iter()
        .map(|(stage, mut days)| {
            days.sort_unstable();
            json!({"stage": stage, "countries": days.len(), "median_days": median(&days)})
        })
        .collect();
    json!({"items": rows, "medians": medians, "stalled": stalled})
}

fn stage_name(stage: PfcStage) -> String {
    serde_json::to_value(stage).ok().and_then(|s| s.as_str().map(str::to_string)).unwrap_or_default()
}

/// The median of sorted values (the mean of the middle two when even).
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// Partners admitted per quarter and category up to `as_of`, applications still pending
/// after more than `pending_days` days, and the members of each group.
pub fn partner_admissions(
    partners: &[PartnerView],
    groups: &[crate::governance::GroupView],
    pending_days: i64,
    as_of: NaiveDate,
) -> Value {
    let mut quarters: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut pending = Vec::new();
    for p in partners {
        let category = p
            .category
            .and_then(|c| serde_json::to_value(c).ok())
            .and_then(|c| c.as_str().map(str::to_string))
            .unwrap_or_default();
        if let Some(on) = p.admitted_on.filter(|d| *d <= as_of) {
            let quarter = format!("{}-Q{}", on.year(), (on.month() - 1) / 3 + 1);
            quarters.entry((quarter, category.clone())).or_default().push(p.organisation.clone());
        }
        if p.status == PartnerStatus::Applied {
            if let Some(applied) = p.applied_on.filter(|d| *d <= as_of) {
                let days = (as_of - applied).num_days();
                if days > pending_days {
                    pending.push(json!({"organisation": p.organisation, "category": category,
                        "applied_on": applied, "days_pending": days, "labels": p.labels}));
                }
            }
        }
    }
    let admitted: Vec<Value> = quarters
        .into_iter()
        .map(|((quarter, category), organisations)| {
            json!({"quarter": quarter, "category": category, "admitted": organisations.len(),
                "organisations": organisations})
        })
        .collect();
    let members: Vec<Value> = groups
        .iter()
        .map(|g| {
            let current: Vec<&str> = g
                .members
                .iter()
                .filter(|m| m.joined_on <= as_of && m.left_on.is_none_or(|l| l > as_of))
                .map(|m| m.organisation.as_str())
                .collect();
            json!({"group_id": g.group_id, "name": g.name, "members": current, "member_count": current.len()})
        })
        .collect();
    json!({"items": admitted, "pending": pending, "pending_days": pending_days, "groups": members})
}

/// One audit row as the segregation report reads it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub event_type: String,
    pub actor: String,
    /// The decision the event cites as its authority, if any.
    pub decision_authority: Option<String>,
}

/// Segregation-of-duties findings: a decision proposed and adopted by the same actor, and
/// an event recorded on a decision's authority by the actor who recorded that decision's
/// adoption (e.g. a reallocation and its authorising decision).
pub fn segregation(rows: &[Recorded]) -> Vec<Value> {
    let mut proposed: HashMap<&str, &Recorded> = HashMap::new();
    let mut adopted: HashMap<&str, &Recorded> = HashMap::new();
    for row in rows.iter().filter(|r| r.aggregate_type == "decision") {
        match row.event_type.as_str() {
            "DecisionProposed" => {
                proposed.insert(&row.aggregate_id, row);
            }
            "DecisionAdopted" => {
                adopted.insert(&row.aggregate_id, row);
            }
            _ => {}
        }
    }
    let mut findings = Vec::new();
    let mut ids: Vec<&&str> = adopted.keys().collect();
    ids.sort();
    for id in ids {
        let adoption = adopted[*id];
        if let Some(proposal) = proposed.get(*id).filter(|p| p.actor == adoption.actor) {
            findings.push(json!({"rule": "proposed_and_adopted_by_one_actor", "actor": adoption.actor,
                "decision_id": id, "positions": [proposal.position, adoption.position]}));
        }
    }
    for row in rows {
        let Some(decision) = row.decision_authority.as_deref() else { continue };
        if let Some(adoption) = adopted.get(decision).filter(|a| a.actor == row.actor) {
            findings.push(json!({"rule": "decision_and_its_execution_by_one_actor", "actor": row.actor,
                "decision_id": decision, "event_type": row.event_type, "aggregate_type": row.aggregate_type,
                "aggregate_id": row.aggregate_id, "positions": [adoption.position, row.position]}));
        }
    }
    findings
}

/// Countries whose in-country support ended by `as_of` with none running then (Q14): the
/// support periods, the last report as of the date, and `outcome_2_spent` (what the
/// programme's Outcome 2 line, support to Pathfinder Countries, spent to date; it is not
/// broken down by country).
pub fn support_lost(views: &[PathfinderView], outcome_2_spent: Option<Value>, as_of: NaiveDate) -> Value {
    let mut rows = Vec::new();
    for view in views {
        let periods: Vec<_> = view.state.support.iter().filter(|s| s.from <= as_of).collect();
        let running = periods.iter().any(|s| s.until.is_none_or(|u| u > as_of));
        let ended: Vec<_> = periods.iter().filter(|s| s.until.is_some_and(|u| u <= as_of)).collect();
        if running || ended.is_empty() {
            continue;
        }
        let line = crate::pathfinder::board_line(view, as_of);
        rows.push(json!({
            "iso3": view.iso3, "stage": line.stage, "support_ended_on": ended.iter().filter_map(|s| s.until).max(),
            "support": ended.iter().map(|s| json!({"organisation": s.organisation, "project_ref": s.project_ref,
                "from": s.from, "until": s.until, "end_reason": s.end_reason})).collect::<Vec<_>>(),
            "last_report": line.last_report, "labels": view.labels,
        }));
    }
    json!({"items": rows, "outcome_2_spent": outcome_2_spent})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(
        position: i64,
        aggregate: (&str, &str),
        event_type: &str,
        actor: &str,
        decision: Option<&str>,
    ) -> Recorded {
        Recorded {
            position,
            aggregate_type: aggregate.0.to_string(),
            aggregate_id: aggregate.1.to_string(),
            event_type: event_type.to_string(),
            actor: actor.to_string(),
            decision_authority: decision.map(str::to_string),
        }
    }

    #[test]
    fn one_actor_proposing_and_adopting_or_executing_a_decision_is_found() {
        let rows = [
            recorded(1, ("decision", "D1"), "DecisionProposed", "alice", None),
            recorded(2, ("decision", "D1"), "DecisionAdopted", "alice", None),
            recorded(3, ("decision", "D2"), "DecisionProposed", "alice", None),
            recorded(4, ("decision", "D2"), "DecisionAdopted", "bob", None),
            recorded(5, ("programme", "P"), "BudgetReallocated", "bob", Some("D2")),
            recorded(6, ("programme", "P"), "BudgetReallocated", "carol", Some("D1")),
        ];
        let findings = segregation(&rows);
        let rules: Vec<(&str, &str)> =
            findings.iter().map(|f| (f["rule"].as_str().unwrap(), f["decision_id"].as_str().unwrap())).collect();
        assert_eq!(
            rules,
            [("proposed_and_adopted_by_one_actor", "D1"), ("decision_and_its_execution_by_one_actor", "D2")],
            "D1: alice proposed and adopted; D2: bob adopted and executed; carol executing D1 is fine"
        );
        assert!(segregation(&[]).is_empty());
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3.0));
        assert_eq!(median(&[1, 3, 10]), Some(3.0));
        assert_eq!(median(&[1, 3, 10, 20]), Some(6.5));
    }

    #[test]
    fn rates_have_one_decimal_and_none_without_meetings() {
        assert_eq!(rate(13, 25), Some("52.0".to_string()));
        assert_eq!(rate(1, 3), Some("33.3".to_string()));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn a_decision_is_about_the_countries_its_subject_or_effect_names() {
        let report = DecisionView {
            subject: Some(domain::decision::DecisionSubject::ApproveReport { report_id: "2026/UGA".into() }),
            ..DecisionView::default()
        };
        assert_eq!(decision_countries(&report), ["UGA"]);
        let roadmap = DecisionView {
            subject: Some(domain::decision::DecisionSubject::EndorseRoadmap { roadmap_id: "NPL/v1".into() }),
            ..DecisionView::default()
        };
        assert_eq!(decision_countries(&roadmap), ["NPL"]);
        let procedural =
            DecisionView { subject: Some(domain::decision::DecisionSubject::Procedural), ..DecisionView::default() };
        assert!(decision_countries(&procedural).is_empty());
    }

    #[test]
    fn action_items_age_from_assignment_and_are_overdue_only_while_open() {
        let d = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap();
        let item = |id: &str, completed: Option<&str>| crate::views::ActionItemView {
            item_id: id.into(),
            text: "t".into(),
            owner: "ILO".into(),
            assigned_on: Some(d("2026-01-01")),
            due_on: d("2026-02-01"),
            completed_on: completed.map(d),
            evidence_sha256: None,
        };
        let decision = DecisionView {
            decision_id: "D1".into(),
            action_items: vec![item("A", None), item("B", Some("2026-03-01"))],
            ..DecisionView::default()
        };
        let rows = action_items(std::slice::from_ref(&decision), &ActionItemFilter::default(), d("2026-04-01"));
        assert_eq!((rows[0]["age_days"].as_i64(), rows[0]["days_overdue"].as_i64()), (Some(90), Some(59)));
        assert_eq!((rows[1]["age_days"].as_i64(), rows[1]["days_overdue"].as_i64()), (Some(59), Some(0)));
        let bare = ActionItemFilter { status: Some("completed".into()), evidence: Some(false), ..Default::default() };
        assert_eq!(action_items(&[decision], &bare, d("2026-04-01")).len(), 1);
    }
}
