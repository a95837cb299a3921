//! Pathfinder Countries at the edge: the facts their commands need, and the clock.
//!
//! Each aggregate type's [`Prepare`] declares the command's edge facts (the cited
//! decision, whether a roadmap of the country was submitted, the country's current
//! roadmap, the PFCs active when a cycle is launched, the cycle a report belongs to, the
//! accountability policy in force); the command pipeline fills them.
//!
//! **The clock** lives here, never in the domain: [`CommandService::tick`] is what `ledger tick
//! --now DATE` and the scheduler in `serve` (every `--clock-interval-secs`) run. It records what the passing of a
//! date makes true (a report overdue, a roadmap expired, an active country flagged for
//! review after the policy's number of missed cycles). Every such command is idempotent in
//! effect: the domain refuses a second overdue mark or expiry, so ticking twice is harmless.

use chrono::NaiveDate;
use domain::command::BusinessDate;
use domain::pathfinder::clock;
use domain::pathfinder::country::{PfcCommand, PfcError, PfcStage, ReviewReason};
use domain::pathfinder::cycle::{CycleCommand, CycleError, CycleStatus};
use domain::pathfinder::report::{ReportCommand, ReportError, ReportStatus};
use domain::pathfinder::roadmap::{CurrentRoadmap, RoadmapCommand, RoadmapError, RoadmapFacts, RoadmapStatus};
use domain::pathfinder::{AccountabilityPolicy, CountryReport, PathfinderCountry, ReportingCycle, Roadmap};
use serde::Serialize;

use super::{not_found, same_id, DEFAULT_BODY};
use crate::pipeline::{CommandError, CommandMeta, CommandService, Given, Prepare};
use ledger_store::chaining::Envelope;

/// The actor recorded on events the clock writes.
pub const CLOCK_ACTOR: &str = "clock";

/// What one tick recorded.
#[derive(Debug, Default, Clone, Serialize)]
pub struct TickReport {
    pub today: String,
    pub reports_overdue: Vec<String>,
    pub roadmaps_expired: Vec<String>,
    pub countries_flagged: Vec<String>,
}

impl CommandService {
    /// The roadmaps of a country, by version.
    pub async fn roadmaps_of(&self, iso3: &str) -> Result<Vec<Roadmap>, CommandError> {
        let mut roadmaps = Vec::new();
        for id in self.aggregate_ids("roadmap", &format!("{iso3}/")).await? {
            roadmaps.push(self.load::<Roadmap>(&id).await?);
        }
        roadmaps.sort_by_key(|r| r.version);
        Ok(roadmaps)
    }

    /// The accountability rules in force on a date.
    async fn accountability_on(&self, date: NaiveDate) -> Result<AccountabilityPolicy, CommandError> {
        Ok(self.policy_on(DEFAULT_BODY, date).await?.accountability)
    }

    /// The countries active on a date (for a cycle's expected list).
    async fn active_countries_on(&self, date: NaiveDate) -> Result<Vec<String>, CommandError> {
        let mut active = Vec::new();
        for iso3 in self.aggregate_ids("pfc", "").await? {
            let pfc: PathfinderCountry = self.load(&iso3).await?;
            let stage_then = pfc.stage_history.iter().rev().find(|(_, since)| *since <= date).map(|(s, _)| *s);
            if matches!(stage_then, Some(PfcStage::Active | PfcStage::UnderReview)) {
                active.push(iso3);
            }
        }
        Ok(active)
    }
}

impl Prepare for PathfinderCountry {
    async fn prepare(
        service: &CommandService,
        iso3: &str,
        command: &mut PfcCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        if let PfcCommand::RecordExpressionOfInterest { iso3: given, .. }
        | PfcCommand::GrantStatus { iso3: given, .. } = &*command
        {
            same_id("pfc_id_mismatch", iso3, given)?;
        }
        match command {
            PfcCommand::GrantStatus { authority, roadmap_submitted, .. } => {
                *authority = given.cited.clone();
                *roadmap_submitted = service.roadmaps_of(iso3).await?.iter().any(|r| r.status.is_submitted());
            }
            PfcCommand::AppointFocalPoint { person_ref, person, .. } => {
                *person = service.person_facts(person_ref).await?;
            }
            PfcCommand::ClearReview { authority, .. }
            | PfcCommand::MarkInactive { authority, .. }
            | PfcCommand::Reactivate { authority, .. }
            | PfcCommand::Revoke { authority, .. } => *authority = given.cited.clone(),
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &PfcCommand) -> bool {
        matches!(command, PfcCommand::RecordExpressionOfInterest { .. } | PfcCommand::GrantStatus { .. })
    }
    fn refusal(error: &PfcError) -> (&'static str, bool) {
        (error.rule(), *error == PfcError::NotRegistered)
    }
}

impl Prepare for Roadmap {
    const ID_PARTS: usize = 2;

    async fn prepare(
        service: &CommandService,
        _id: &str,
        command: &mut RoadmapCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            RoadmapCommand::Draft { iso3, current, .. } => {
                *current = service
                    .roadmaps_of(iso3)
                    .await?
                    .into_iter()
                    .filter(|r| r.status != RoadmapStatus::NotDrafted)
                    .max_by_key(|r| r.version)
                    .map(|r| CurrentRoadmap { roadmap_id: r.roadmap_id, version: r.version });
            }
            RoadmapCommand::Endorse { on, authority, wording } => {
                *authority = given.cited.clone();
                *wording = service.accountability_on(*on).await?.roadmap_endorsement_wording;
            }
            RoadmapCommand::Supersede { by_roadmap_id, by, .. } => {
                let other: Roadmap = service.load(by_roadmap_id).await?;
                *by = (other.status != RoadmapStatus::NotDrafted)
                    .then_some(RoadmapFacts { iso3: other.iso3, version: other.version });
            }
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &RoadmapCommand) -> bool {
        matches!(command, RoadmapCommand::Draft { .. })
    }
    fn refusal(error: &RoadmapError) -> (&'static str, bool) {
        (error.rule(), *error == RoadmapError::NotDrafted)
    }
}

impl Prepare for ReportingCycle {
    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut CycleCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            CycleCommand::Launch { launched_on, expected_countries, .. } => {
                *expected_countries = service.active_countries_on(*launched_on).await?;
            }
            CycleCommand::Close { submitted, waived, .. } => {
                for report_id in service.aggregate_ids("country_report", &format!("{id}/")).await? {
                    let report: CountryReport = service.load(&report_id).await?;
                    match report.status {
                        ReportStatus::Expected | ReportStatus::Overdue => {}
                        ReportStatus::Waived => waived.push(report.iso3),
                        _ => submitted.push(report.iso3),
                    }
                }
            }
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &CycleCommand) -> bool {
        matches!(command, CycleCommand::Launch { .. })
    }
    fn refusal(error: &CycleError) -> (&'static str, bool) {
        (error.rule(), *error == CycleError::NotLaunched)
    }
}

impl Prepare for CountryReport {
    const ID_PARTS: usize = 2;

    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut ReportCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        let (cycle_id, _) = id.split_once('/').ok_or_else(|| not_found(format!("report {id}")))?;
        let cycle = service.load::<ReportingCycle>(cycle_id).await?.facts();
        if let ReportCommand::Submit { cycle_id: c, iso3: i, .. }
        | ReportCommand::MarkOverdue { cycle_id: c, iso3: i, .. }
        | ReportCommand::Waive { cycle_id: c, iso3: i, .. } = &*command
        {
            same_id("report_id_mismatch", id, &format!("{c}/{i}"))?;
        }
        if !Self::creates(command) && service.load::<CountryReport>(id).await?.report_id.is_empty() {
            return Err(not_found(format!("report {id}")));
        }
        match command {
            ReportCommand::Submit { cycle: facts, .. } | ReportCommand::MarkOverdue { cycle: facts, .. } => {
                *facts = cycle;
            }
            ReportCommand::Approve { approved_on, approval, authority } => {
                *approval = service.accountability_on(*approved_on).await?.report_approval;
                *authority = given.cited.clone();
            }
            ReportCommand::Waive { authority, .. } => *authority = given.cited.clone(),
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &ReportCommand) -> bool {
        matches!(
            command,
            ReportCommand::Submit { .. } | ReportCommand::MarkOverdue { .. } | ReportCommand::Waive { .. }
        )
    }
    fn refusal(error: &ReportError) -> (&'static str, bool) {
        (error.rule(), false)
    }
}

impl CommandService {
    /// Records what the passing of `today` makes true. Safe to run again for the same day.
    pub async fn tick(&self, today: NaiveDate) -> Result<TickReport, CommandError> {
        let mut report = TickReport { today: today.to_string(), ..TickReport::default() };
        let meta = |reason: &str| CommandMeta {
            envelope: Envelope {
                actor: CLOCK_ACTOR.into(),
                role: "system".into(),
                occurred_at: Some(today.to_string()),
                reason: Some(reason.to_string()),
                ..Envelope::default()
            },
            expected_version: None,
        };
        let policy = self.accountability_on(today).await?;

        // Reports overdue: expected countries without a report once the deadline passed.
        let mut missed: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
        for cycle_id in self.aggregate_ids("reporting_cycle", "").await? {
            let cycle: ReportingCycle = self.load(&cycle_id).await?;
            let Some(facts) = cycle.facts() else { continue };
            for iso3 in &cycle.expected_countries {
                let id = format!("{cycle_id}/{iso3}");
                let current: CountryReport = self.load(&id).await?;
                if cycle.status == CycleStatus::Open && clock::report_overdue_due(&current, facts.deadline, today) {
                    let command = ReportCommand::MarkOverdue {
                        cycle_id: cycle_id.clone(),
                        iso3: iso3.clone(),
                        as_of: today,
                        cycle: None,
                    };
                    let mut overdue = meta("the reporting deadline passed");
                    overdue.envelope.provenance = self
                        .provenance_of(
                            "reporting_cycle",
                            &cycle_id,
                            &["ReportingDeadlineExtended", "ReportingCycleLaunched"],
                        )
                        .await?;
                    match self.execute::<CountryReport>(&id, command, overdue).await {
                        Ok(_) => report.reports_overdue.push(id.clone()),
                        Err(CommandError::Refused { .. }) => {}
                        Err(other) => return Err(other),
                    }
                }
                let after: CountryReport = self.load(&id).await?;
                if after.status == ReportStatus::Overdue {
                    *missed.entry(iso3.clone()).or_default() += 1;
                }
            }
        }

        // Roadmaps whose period has ended.
        for roadmap_id in self.aggregate_ids("roadmap", "").await? {
            let roadmap: Roadmap = self.load(&roadmap_id).await?;
            if clock::roadmap_expiry_due(&roadmap, today) {
                let command = RoadmapCommand::Expire { on: today };
                match self.execute::<Roadmap>(&roadmap_id, command, meta("the roadmap's period ended")).await {
                    Ok(_) => report.roadmaps_expired.push(roadmap_id),
                    Err(CommandError::Refused { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
        }

        // Active countries the policy says must be reviewed.
        for iso3 in self.aggregate_ids("pfc", "").await? {
            let pfc: PathfinderCountry = self.load(&iso3).await?;
            if pfc.stage != PfcStage::Active {
                continue;
            }
            let current =
                self.roadmaps_of(&iso3).await?.into_iter().filter(|r| r.status.is_endorsed()).max_by_key(|r| r.version);
            let missed_cycles = missed.get(&iso3).copied().unwrap_or(0);
            let reason = clock::review_reason(&pfc, missed_cycles, current.as_ref(), &policy, today);
            if let Some(reason) = reason {
                let command =
                    PfcCommand::FlagForReview { flagged_on: today, reason, policy_version: policy.version.clone() };
                let why = match reason {
                    ReviewReason::ReportOverdue => "reports missed under the accountability policy",
                    ReviewReason::RoadmapExpired => "the current roadmap expired",
                    _ => "review due under the accountability policy",
                };
                match self.execute::<PathfinderCountry>(&iso3, command, meta(why)).await {
                    Ok(_) => report.countries_flagged.push(iso3),
                    Err(CommandError::Refused { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        Ok(report)
    }
}
