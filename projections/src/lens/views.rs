//! The visibility rule applied to view documents: each view type loses what was built from
//! events the reader may not read, before anything is computed from it.
//!
//! | view | what a reader outside the scope loses |
//! |---|---|
//! | programme | allocations and allocation reversals of donors it may not read, and those donors' consents to reallocations |
//! | contribution | everything but what the IATI file publishes: the donor, and each commitment's and receipt's amount and date (no contribution id, agreement or receipt reference, pledge, earmark, conditions, consents or cancellation reason) |
//! | donor | the list of its contributions |
//! | pathfinder | the focal point (a personal event) and its step |
//! | meeting | minutes still in draft (a Secretariat-internal event) |
//!
//! Every other view is built from public events only and passes unchanged.

use domain::visibility::{Reader, Visibility};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::pathfinder::{PathfinderView, PATHFINDERS};
use crate::programme::{ContributionView, DonorView, ProgrammeView, CONTRIBUTIONS, DONORS, PROGRAMMES};
use crate::views::{MeetingView, MEETINGS};

/// Whose contribution is which: contribution id → donor.
pub type DonorOf<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Whether a view type's documents can hold anything a reader may not read (and so need
/// [`apply`] and, for programmes, the contributions' donors).
pub fn needs_lens(view: &str) -> bool {
    [PROGRAMMES, CONTRIBUTIONS, DONORS, PATHFINDERS, MEETINGS].contains(&view)
}

/// A view document of type `view` as `reader` may see it.
pub fn apply(view: &str, document: Value, reader: &Reader, donor_of: DonorOf<'_>) -> Result<Value, String> {
    if reader.sees_all() || !needs_lens(view) {
        return Ok(document);
    }
    match view {
        v if v == PROGRAMMES => typed(document, |p| programme(p, reader, donor_of)),
        v if v == CONTRIBUTIONS => typed(document, |c| contribution(c, reader)),
        v if v == DONORS => typed(document, |d| donor(d, reader)),
        v if v == PATHFINDERS => typed(document, |p| pathfinder(p, reader)),
        v if v == MEETINGS => typed(document, |m| meeting(m, reader)),
        _ => Ok(document),
    }
}

fn typed<T: DeserializeOwned + Serialize>(document: Value, lens: impl FnOnce(T) -> T) -> Result<Value, String> {
    let view: T = serde_json::from_value(document).map_err(|e| e.to_string())?;
    serde_json::to_value(lens(view)).map_err(|e| e.to_string())
}

fn reads_donor(reader: &Reader, donor: &str) -> bool {
    reader.may_read(&Visibility::donor(donor))
}

/// The programme without the allocations (and their reversals) and consents of donors
/// the reader may not read.
pub fn programme(mut p: ProgrammeView, reader: &Reader, donor_of: DonorOf<'_>) -> ProgrammeView {
    let allocation_donor: std::collections::HashMap<String, String> =
        p.allocations.iter().map(|a| (a.allocation_id.clone(), a.donor.clone())).collect();
    p.allocations.retain(|a| reads_donor(reader, &a.donor));
    p.reversals.retain(|r| match &r.contribution_id {
        None => true,
        Some(contribution) => allocation_donor
            .get(&r.entry_id)
            .cloned()
            .or_else(|| donor_of(contribution))
            .is_some_and(|d| reads_donor(reader, &d)),
    });
    for reallocation in &mut p.reallocations {
        reallocation.consents.retain(|c| donor_of(c).is_some_and(|d| reads_donor(reader, &d)));
    }
    p
}

/// A contribution whole, or as the IATI file publishes it.
pub fn contribution(c: ContributionView, reader: &Reader) -> ContributionView {
    if reads_donor(reader, &c.donor) {
        return c;
    }
    published(c)
}

/// What the IATI file publishes of a contribution: its donor, and each commitment's and
/// receipt's amount and date.
pub fn published(c: ContributionView) -> ContributionView {
    ContributionView {
        contribution_id: String::new(),
        donor: c.donor,
        programme_id: c.programme_id,
        currency: c.currency,
        status: c.status,
        earmark: None,
        conditions: Default::default(),
        pledge: None,
        commitments: c
            .commitments
            .into_iter()
            .map(|mut x| {
                x.agreement_ref = None;
                x.reason = None;
                x
            })
            .collect(),
        receipts: c
            .receipts
            .into_iter()
            .map(|mut r| {
                r.receipt_id = String::new();
                r.provider_reference = None;
                r
            })
            .collect(),
        consents: Vec::new(),
        cancelled: None,
        last_recorded_at: String::new(),
        labels: c.labels,
        version: 0,
        last_position: 0,
    }
}

/// A donor without its contributions' ids, unless the reader reads the donor.
pub fn donor(mut d: DonorView, reader: &Reader) -> DonorView {
    if !reads_donor(reader, &d.organisation) {
        d.contributions.clear();
    }
    d
}

/// A Pathfinder country without its focal point, unless the reader reads the country's
/// personal events.
pub fn pathfinder(mut p: PathfinderView, reader: &Reader) -> PathfinderView {
    if !reader.may_read(&Visibility::personal(&p.iso3)) {
        p.state.focal_point = None;
        p.steps.retain(|s| s.event_type != "FocalPointAppointed");
    }
    p
}

/// A meeting without minutes still in draft (neither circulated nor approved).
pub fn meeting(mut m: MeetingView, reader: &Reader) -> MeetingView {
    if !reader.may_read(&Visibility::SECRETARIAT_INTERNAL)
        && m.minutes.as_ref().is_some_and(|x| x.circulated_on.is_none() && x.approved_on.is_none())
    {
        m.minutes = None;
    }
    m
}
