//! Governance views: the GCG (seats, holders, terms, calls, policy versions), Action and
//! Working Groups, partners, organisations and countries; and the GCG composition as of
//! any date.
//!
//! The GCG document keeps the whole history (every holding with its dates and the ledger
//! positions that recorded it), so [`composition`] answers "who sat where on 2022-12-31"
//! (`as_of`, business time) from a document. Which events the document holds (only those
//! in effect on `as_of` and known at `known_at`) is the time contract's concern
//! ([`crate::time`]), decided before the document is folded.

use chrono::NaiveDate;
use domain::body::{
    on_date, BodyEvent, Constituency, FigureQualifier, Office, ReportedFigure, TermEndReason, VacancyReason,
};
use domain::group::{GroupEvent, GroupKind, LeadRole};
use domain::partner::{Area, PartnerEvent, PartnerStatus};
use domain::policy::{GovernancePolicy, PartnerAdmission};
use domain::reference::{CountryEvent, OrganisationCategory, OrganisationEvent, Region};
use serde::{Deserialize, Serialize};

use crate::views::Labels;

/// The GCG view.
pub const GCG: &str = "gcg";
/// The groups view.
pub const GROUPS: &str = "groups";
/// The partners view.
pub const PARTNERS: &str = "partners";
/// The organisations view.
pub const ORGANISATIONS: &str = "organisations";
/// The countries view.
pub const COUNTRIES: &str = "countries";

/// A policy version as adopted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    pub policy: GovernancePolicy,
    pub effective_on: NaiveDate,
    pub decision_id: Option<String>,
    pub recorded_position: i64,
    /// What the adopting event says of its confidence.
    #[serde(default)]
    pub labels: Labels,
}

/// One holder's time in a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingView {
    pub holder: String,
    pub from: NaiveDate,
    /// The day the seat fell vacant (the holder held it until the day before).
    pub until: Option<NaiveDate>,
    pub decision_id: Option<String>,
    pub vacancy_reason: Option<VacancyReason>,
    pub recorded_position: i64,
    pub vacated_position: Option<i64>,
}

/// A seat with its whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatView {
    pub seat_id: String,
    pub constituency: Constituency,
    pub region: Option<Region>,
    pub voting: bool,
    pub defined_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
    /// The ledger position that recorded the retirement.
    #[serde(default)]
    pub retired_position: Option<i64>,
    pub warnings: Vec<String>,
    pub holdings: Vec<HoldingView>,
    pub recorded_position: i64,
    /// What the seat's events say of their confidence (its definition and holdings).
    #[serde(default)]
    pub labels: Labels,
}

/// An extension of a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionView {
    pub old_end: NaiveDate,
    pub new_end: NaiveDate,
    pub decision_id: String,
    pub recorded_position: i64,
}

/// A Chair or Deputy Chair term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermView {
    pub term_id: String,
    pub office: Office,
    pub holder: String,
    pub term_start: NaiveDate,
    /// The last day of the term as elected.
    pub elected_end: NaiveDate,
    /// The last day after extensions.
    pub term_end: NaiveDate,
    pub decision_id: String,
    pub policy_version: Option<String>,
    pub began_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<TermEndReason>,
    pub extensions: Vec<ExtensionView>,
    pub recorded_position: i64,
    pub began_position: Option<i64>,
    pub ended_position: Option<i64>,
    /// What the term's events say of their confidence.
    #[serde(default)]
    pub labels: Labels,
}

/// A candidacy in a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidacyView {
    pub office: Office,
    pub candidate: String,
    pub submitted_on: NaiveDate,
    pub letter_sha256: Option<String>,
}

/// A call for candidacy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub call_id: String,
    pub offices: Vec<Office>,
    pub opened_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub term_years: Option<u32>,
    pub closed_on: Option<NaiveDate>,
    pub candidates: Vec<CandidacyView>,
    /// What the call's events say of their confidence.
    #[serde(default)]
    pub labels: Labels,
}

/// The governing body's document: everything, with history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyView {
    pub body_id: String,
    pub name: String,
    pub established_on: Option<NaiveDate>,
    pub secretariat: String,
    pub policies: Vec<PolicyEntry>,
    pub seats: Vec<SeatView>,
    pub terms: Vec<TermView>,
    pub calls: Vec<CallView>,
    /// Figures sources report about the Alliance, in the order recorded.
    #[serde(default)]
    pub reported_figures: Vec<ReportedFigureView>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

/// A figure a source reports, with its date and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedFigureView {
    pub figure: ReportedFigure,
    pub value: u32,
    pub qualifier: FigureQualifier,
    pub reported_on: NaiveDate,
    pub source: String,
    pub recorded_position: i64,
    #[serde(default)]
    pub labels: Labels,
}

impl ReportedFigureView {
    /// "N recorded of M reported (source, date)": what the ledger records beside it.
    pub fn beside(&self, recorded: usize) -> String {
        let qualifier = match self.qualifier {
            FigureQualifier::Exactly => "",
            FigureQualifier::Over => "over ",
            FigureQualifier::AtLeast => "at least ",
        };
        format!("{recorded} recorded of {qualifier}{} reported ({}, {})", self.value, self.source, self.reported_on)
    }
}

/// The latest figure of a kind reported on or before `as_of`.
pub fn reported(view: &BodyView, figure: ReportedFigure, as_of: NaiveDate) -> Option<&ReportedFigureView> {
    view.reported_figures.iter().filter(|f| f.figure == figure && f.reported_on <= as_of).max_by_key(|f| f.reported_on)
}

pub(crate) fn fold_body(view: &mut BodyView, event: BodyEvent, position: i64) {
    match event {
        BodyEvent::BodyEstablished { body_id, name, established_on, secretariat } => {
            view.body_id = body_id;
            view.name = name;
            view.established_on = Some(established_on);
            view.secretariat = secretariat;
        }
        BodyEvent::PolicyVersionAdopted { policy, effective_on, decision_id } => view.policies.push(PolicyEntry {
            policy,
            effective_on,
            decision_id,
            recorded_position: position,
            labels: Labels::default(),
        }),
        BodyEvent::SeatDefined { seat_id, constituency, region, voting, defined_on, warnings } => {
            view.seats.push(SeatView {
                seat_id,
                constituency,
                region,
                voting,
                defined_on,
                retired_on: None,
                retired_position: None,
                warnings,
                holdings: vec![],
                recorded_position: position,
                labels: Labels::default(),
            })
        }
        BodyEvent::SeatAssigned { seat_id, holder, from, decision_id } => {
            if let Some(seat) = view.seats.iter_mut().find(|s| s.seat_id == seat_id) {
                seat.holdings.push(HoldingView {
                    holder,
                    from,
                    until: None,
                    decision_id,
                    vacancy_reason: None,
                    recorded_position: position,
                    vacated_position: None,
                });
            }
        }
        BodyEvent::SeatVacated { seat_id, on, reason, .. } => {
            if let Some(h) = view.seats.iter_mut().find(|s| s.seat_id == seat_id).and_then(|s| s.holdings.last_mut()) {
                h.until = Some(on);
                h.vacancy_reason = Some(reason);
                h.vacated_position = Some(position);
            }
        }
        BodyEvent::SeatRetired { seat_id, on } => {
            if let Some(seat) = view.seats.iter_mut().find(|s| s.seat_id == seat_id) {
                seat.retired_on = Some(on);
                seat.retired_position = Some(position);
            }
        }
        BodyEvent::LeadershipCallOpened { call_id, offices, opened_on, closes_on, term_years } => {
            view.calls.push(CallView {
                call_id,
                offices,
                opened_on,
                closes_on,
                term_years,
                closed_on: None,
                candidates: vec![],
                labels: Labels::default(),
            })
        }
        BodyEvent::CandidacySubmitted { call_id, office, candidate, submitted_on, letter_sha256 } => {
            if let Some(call) = view.calls.iter_mut().find(|c| c.call_id == call_id) {
                call.candidates.push(CandidacyView { office, candidate, submitted_on, letter_sha256 });
            }
        }
        BodyEvent::LeadershipCallClosed { call_id, closed_on, .. } => {
            if let Some(call) = view.calls.iter_mut().find(|c| c.call_id == call_id) {
                call.closed_on = Some(closed_on);
            }
        }
        BodyEvent::OfficeHolderElected {
            term_id,
            office,
            holder,
            term_start,
            term_end,
            decision_id,
            policy_version,
        } => {
            view.terms.push(TermView {
                term_id,
                office,
                holder,
                term_start,
                elected_end: term_end,
                term_end,
                decision_id,
                policy_version,
                began_on: None,
                ended_on: None,
                end_reason: None,
                extensions: vec![],
                recorded_position: position,
                began_position: None,
                ended_position: None,
                labels: Labels::default(),
            });
            view.terms.sort_by_key(|t| (t.term_start, t.office));
        }
        BodyEvent::TermBegan { term_id, on } => {
            if let Some(t) = view.terms.iter_mut().find(|t| t.term_id == term_id) {
                t.began_on = Some(on);
                t.began_position = Some(position);
            }
        }
        BodyEvent::TermExtended { term_id, old_end, new_end, decision_id } => {
            if let Some(t) = view.terms.iter_mut().find(|t| t.term_id == term_id) {
                t.term_end = new_end;
                t.extensions.push(ExtensionView { old_end, new_end, decision_id, recorded_position: position });
            }
        }
        BodyEvent::TermEnded { term_id, on, reason } => {
            if let Some(t) = view.terms.iter_mut().find(|t| t.term_id == term_id) {
                t.ended_on = Some(on);
                t.end_reason = Some(reason);
                t.ended_position = Some(position);
            }
        }
        BodyEvent::FigureReported { figure, value, qualifier, reported_on, source } => {
            view.reported_figures.push(ReportedFigureView {
                figure,
                value,
                qualifier,
                reported_on,
                source,
                recorded_position: position,
                labels: Labels::default(),
            })
        }
    }
}

/// An office holder on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHolder {
    pub holder: String,
    pub term_id: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub elected_by: String,
    pub labels: Labels,
}

/// A seat on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatOnDate {
    pub seat_id: String,
    pub constituency: Constituency,
    pub region: Option<Region>,
    pub voting: bool,
    pub holder: Option<String>,
    pub since: Option<NaiveDate>,
    pub decision_id: Option<String>,
    /// What the events behind the seat and its holder say of their confidence.
    pub labels: Labels,
}

/// The GCG's composition on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    pub body_id: String,
    pub name: String,
    pub as_of: NaiveDate,
    pub secretariat: String,
    /// The Chair in office on the date, with the term's planned start and end as they
    /// stood then.
    pub chair: Option<OfficeHolder>,
    pub deputy_chair: Option<OfficeHolder>,
    /// The policy version in force on the date (`None` before the first took effect).
    pub policy: Option<PolicyEntry>,
    /// Seats that exist on the date, the offices first.
    pub seats: Vec<SeatOnDate>,
    pub voting_seats: u32,
    pub voting_seats_filled: u32,
    pub vacant_seats: Vec<String>,
    pub labels: Labels,
}

/// Absorbs an event's confidence into the part of the body it concerns: the seat, term,
/// call or policy version its payload names (`seat_id`, `term_id`, `call_id`,
/// `policy.version`).
pub(crate) fn label_part(view: &mut BodyView, payload: &serde_json::Value, metadata: &serde_json::Value) {
    if payload.get("FigureReported").is_some() {
        if let Some(figure) = view.reported_figures.last_mut() {
            figure.labels.absorb(metadata);
        }
        return;
    }
    let Some(fields) = payload.as_object().and_then(|o| o.values().next()) else { return };
    let text = |key: &str| fields.get(key).and_then(serde_json::Value::as_str);
    if let Some(id) = text("seat_id") {
        view.seats.iter_mut().filter(|s| s.seat_id == id).for_each(|s| s.labels.absorb(metadata));
    }
    if let Some(id) = text("term_id") {
        view.terms.iter_mut().filter(|t| t.term_id == id).for_each(|t| t.labels.absorb(metadata));
    }
    if let Some(id) = text("call_id") {
        view.calls.iter_mut().filter(|c| c.call_id == id).for_each(|c| c.labels.absorb(metadata));
    }
    if let Some(version) = fields.pointer("/policy/version").and_then(serde_json::Value::as_str) {
        view.policies.iter_mut().filter(|p| p.policy.version == version).for_each(|p| p.labels.absorb(metadata));
    }
}

/// The office holder of `office` on `as_of` in the document.
fn office_holder(view: &BodyView, office: Office, as_of: NaiveDate) -> Option<OfficeHolder> {
    view.terms.iter().filter(|t| t.office == office).find_map(|t| {
        let last_day = t.ended_on.unwrap_or(t.term_end);
        on_date::term_served(t.began_on, last_day, as_of).then(|| OfficeHolder {
            holder: t.holder.clone(),
            term_id: t.term_id.clone(),
            term_start: t.term_start,
            term_end: t.term_end,
            elected_by: t.decision_id.clone(),
            labels: t.labels.clone(),
        })
    })
}

/// The composition of the body described by `view` on `as_of`.
pub fn composition(view: &BodyView, as_of: NaiveDate) -> Composition {
    let chair = office_holder(view, Office::Chair, as_of);
    let deputy_chair = office_holder(view, Office::DeputyChair, as_of);
    let mut seats = Vec::new();
    for (seat_id, constituency, holder) in
        [("CHAIR", Constituency::Chair, &chair), ("DEPUTY-CHAIR", Constituency::DeputyChair, &deputy_chair)]
    {
        seats.push(SeatOnDate {
            seat_id: seat_id.to_string(),
            constituency,
            region: None,
            voting: true,
            holder: holder.as_ref().map(|h| h.holder.clone()),
            since: holder.as_ref().map(|h| h.term_start),
            decision_id: holder.as_ref().map(|h| h.elected_by.clone()),
            labels: holder.as_ref().map(|h| h.labels.clone()).unwrap_or_default(),
        });
    }
    for seat in &view.seats {
        if !on_date::seat_exists(seat.defined_on, seat.retired_on, as_of) {
            continue;
        }
        let holding = seat.holdings.iter().find(|h| on_date::holding_covers(h.from, h.until, as_of));
        seats.push(SeatOnDate {
            seat_id: seat.seat_id.clone(),
            constituency: seat.constituency,
            region: seat.region,
            voting: seat.voting,
            holder: holding.map(|h| h.holder.clone()),
            since: holding.map(|h| h.from),
            decision_id: holding.and_then(|h| h.decision_id.clone()),
            labels: seat.labels.clone(),
        });
    }
    let count = |f: &dyn Fn(&SeatOnDate) -> bool| u32::try_from(seats.iter().filter(|s| f(s)).count()).unwrap_or(0);
    let voting_seats = count(&|s| s.voting);
    let voting_seats_filled = count(&|s| s.voting && s.holder.is_some());
    let vacant_seats = seats.iter().filter(|s| s.holder.is_none()).map(|s| s.seat_id.clone()).collect();
    let policy = view.policies.iter().rev().find(|p| p.effective_on <= as_of).cloned();
    Composition {
        body_id: view.body_id.clone(),
        name: view.name.clone(),
        as_of,
        secretariat: view.secretariat.clone(),
        chair,
        deputy_chair,
        policy,
        seats,
        voting_seats,
        voting_seats_filled,
        vacant_seats,
        labels: view.labels.clone(),
    }
}

/// The Chair and Deputy Chair succession on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    /// Every term, with its electing decision, extensions and end.
    pub terms: Vec<TermView>,
    pub calls: Vec<CallView>,
    pub chair: Option<OfficeHolder>,
    pub deputy_chair: Option<OfficeHolder>,
    /// Whether a call for candidacy was open on the date.
    pub succession_call_open: bool,
    pub open_calls: Vec<String>,
}

/// The succession timeline of the body described by `view` on `as_of`.
pub fn succession(view: &BodyView, as_of: NaiveDate) -> Succession {
    let open_calls: Vec<String> = view
        .calls
        .iter()
        .filter(|c| c.opened_on <= as_of && c.closed_on.is_none_or(|closed| closed > as_of))
        .map(|c| c.call_id.clone())
        .collect();
    Succession {
        terms: view.terms.clone(),
        calls: view.calls.clone(),
        chair: office_holder(view, Office::Chair, as_of),
        deputy_chair: office_holder(view, Office::DeputyChair, as_of),
        succession_call_open: !open_calls.is_empty(),
        open_calls,
    }
}

/// A leading role held in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadView {
    pub role: LeadRole,
    pub organisation: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// A member's time in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub organisation: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// A workplan version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkplanView {
    pub version: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub doc_sha256: String,
    pub approved_on: NaiveDate,
}

/// A relaunch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelaunchView {
    pub relaunched_on: NaiveDate,
    pub supporters: Vec<String>,
    pub decision_id: String,
}

/// An Action or Working Group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub group_id: String,
    pub kind: Option<GroupKind>,
    pub name: String,
    pub theme: Option<String>,
    pub established_on: Option<NaiveDate>,
    /// The decision that created the group (`None` for a legacy group).
    pub decision_id: Option<String>,
    pub legacy_evidence_sha256: Option<String>,
    pub relaunches: Vec<RelaunchView>,
    pub leads: Vec<LeadView>,
    pub members: Vec<MemberView>,
    pub member_count: u32,
    pub workplans: Vec<WorkplanView>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

pub(crate) fn fold_group(view: &mut GroupView, event: GroupEvent) {
    match event {
        GroupEvent::GroupEstablished {
            group_id,
            kind,
            name,
            theme,
            established_on,
            decision_id,
            legacy_evidence_sha256,
        } => {
            view.group_id = group_id;
            view.kind = Some(kind);
            view.name = name;
            view.theme = theme;
            view.established_on = Some(established_on);
            view.decision_id = decision_id;
            view.legacy_evidence_sha256 = legacy_evidence_sha256;
        }
        GroupEvent::GroupRelaunched { relaunched_on, supporters, decision_id } => {
            view.relaunches.push(RelaunchView { relaunched_on, supporters, decision_id })
        }
        GroupEvent::GroupLeadAssigned { role, organisation, from } => {
            view.leads.push(LeadView { role, organisation, from, until: None })
        }
        GroupEvent::GroupLeadEnded { role, organisation, on } => {
            if let Some(l) =
                view.leads.iter_mut().find(|l| l.role == role && l.organisation == organisation && l.until.is_none())
            {
                l.until = Some(on);
            }
        }
        GroupEvent::GroupMemberJoined { organisation, joined_on } => {
            view.members.push(MemberView { organisation, joined_on, left_on: None })
        }
        GroupEvent::GroupMemberLeft { organisation, left_on } => {
            if let Some(m) = view.members.iter_mut().find(|m| m.organisation == organisation && m.left_on.is_none()) {
                m.left_on = Some(left_on);
            }
        }
        GroupEvent::WorkplanAdopted { version, period_start, period_end, doc_sha256, approved_on } => {
            view.workplans.push(WorkplanView { version, period_start, period_end, doc_sha256, approved_on })
        }
    }
    view.member_count = u32::try_from(view.members.iter().filter(|m| m.left_on.is_none()).count()).unwrap_or(0);
}

/// A partnership.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerView {
    pub organisation: String,
    pub category: Option<OrganisationCategory>,
    pub areas: Vec<Area>,
    pub status: PartnerStatus,
    pub applied_on: Option<NaiveDate>,
    pub admitted_on: Option<NaiveDate>,
    pub admission: Option<PartnerAdmission>,
    pub decision_id: Option<String>,
    pub rejected_on: Option<NaiveDate>,
    pub rejection_reason: Option<String>,
    pub recognised_as_business_network_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    /// Groups the partner is a member of now.
    pub groups: Vec<String>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

pub(crate) fn fold_partner(view: &mut PartnerView, event: PartnerEvent) {
    match event {
        PartnerEvent::PartnershipApplied { organisation, category, areas, applied_on } => {
            view.organisation = organisation;
            view.category = Some(category);
            view.areas = areas;
            view.applied_on = Some(applied_on);
            view.status = PartnerStatus::Applied;
        }
        PartnerEvent::PartnerAdmitted { admitted_on, admission, decision_id } => {
            view.admitted_on = Some(admitted_on);
            view.admission = Some(admission);
            view.decision_id = decision_id;
            view.status = PartnerStatus::Admitted;
        }
        PartnerEvent::PartnershipRejected { rejected_on, reason } => {
            view.rejected_on = Some(rejected_on);
            view.rejection_reason = Some(reason);
            view.status = PartnerStatus::Rejected;
        }
        PartnerEvent::BusinessNetworkRecognised { recognised_on } => {
            view.recognised_as_business_network_on = Some(recognised_on)
        }
        PartnerEvent::PartnerWithdrew { withdrawn_on, .. } => {
            view.withdrawn_on = Some(withdrawn_on);
            view.status = PartnerStatus::Withdrawn;
        }
    }
}

/// An organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub organisation_id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub category: Option<OrganisationCategory>,
    pub iati_ref: Option<String>,
    pub country: Option<String>,
    pub registered_on: Option<NaiveDate>,
    /// Earlier names and the day each was replaced.
    pub former_names: Vec<(String, NaiveDate)>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

pub(crate) fn fold_organisation(view: &mut OrganisationView, event: OrganisationEvent) {
    match event {
        OrganisationEvent::OrganisationRegistered {
            organisation_id,
            name,
            acronym,
            category,
            iati_ref,
            country,
            registered_on,
        } => {
            view.organisation_id = organisation_id;
            view.name = name;
            view.acronym = acronym;
            view.category = Some(category);
            view.iati_ref = iati_ref;
            view.country = country;
            view.registered_on = Some(registered_on);
        }
        OrganisationEvent::OrganisationRenamed { old_name, new_name, renamed_on } => {
            view.former_names.push((old_name, renamed_on));
            view.name = new_name;
        }
    }
}

/// A country.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryView {
    pub iso3: String,
    pub name: String,
    pub region: Option<Region>,
    pub registered_on: Option<NaiveDate>,
    pub labels: Labels,
    pub version: u64,
    pub last_position: i64,
}

pub(crate) fn fold_country(view: &mut CountryView, event: CountryEvent) {
    match event {
        CountryEvent::CountryRegistered { iso3, name, region, registered_on } => {
            view.iso3 = iso3;
            view.name = name;
            view.region = Some(region);
            view.registered_on = Some(registered_on);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn seat(retired: Option<(&str, i64)>) -> SeatView {
        SeatView {
            seat_id: "PFC-AFR".into(),
            constituency: Constituency::PathfinderCountry,
            region: None,
            voting: true,
            defined_on: d("2019-01-01"),
            retired_on: retired.map(|(on, _)| d(on)),
            retired_position: retired.map(|(_, p)| p),
            warnings: vec![],
            holdings: vec![HoldingView {
                holder: "UGA".into(),
                from: d("2020-01-01"),
                until: Some(d("2022-01-01")),
                decision_id: None,
                vacancy_reason: None,
                recorded_position: 2,
                vacated_position: Some(9),
            }],
            recorded_position: 1,
            labels: Labels::default(),
        }
    }

    #[test]
    fn the_composition_follows_the_date() {
        let view =
            BodyView { body_id: "GCG".into(), seats: vec![seat(Some(("2023-01-01", 12)))], ..BodyView::default() };
        let holder = |as_of: &str| {
            let c = composition(&view, d(as_of));
            c.seats.iter().find(|s| s.seat_id == "PFC-AFR").map(|s| s.holder.clone())
        };
        // Held in 2021, vacant in 2022, gone in 2023, not yet held in 2019.
        assert_eq!(holder("2021-06-01"), Some(Some("UGA".into())));
        assert_eq!(holder("2022-06-01"), Some(None));
        assert_eq!(holder("2023-06-01"), None);
        assert_eq!(holder("2019-06-01"), Some(None));
        assert_eq!(composition(&view, d("2021-06-01")).policy, None, "no policy in force before the first");
    }
}
