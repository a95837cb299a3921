//! Pathfinder Countries at the edge: the facts their commands need, and the clock.
//!
//! Each `execute_*` fills the command's edge facts (the cited decision, whether a roadmap
//! of the country was submitted, the country's current roadmap, the PFCs active when a
//! cycle is launched, the cycle a report belongs to, the accountability policy in force)
//! and runs it through the common command path.
//!
//! **The clock** lives here, never in the domain: [`Ledger::tick`] is what `ledger tick
//! --now DATE` and the scheduler in `serve` (every `--clock-interval-secs`) run. It records what the passing of a
//! date makes true (a report overdue, a roadmap expired, an active country flagged for
//! review after the policy's number of missed cycles). Every such command is idempotent in
//! effect: the domain refuses a second overdue mark or expiry, so ticking twice is harmless.

use chrono::NaiveDate;
use domain::pathfinder::clock;
use domain::pathfinder::country::{PfcCommand, PfcError, PfcStage, ReviewReason};
use domain::pathfinder::cycle::{CycleCommand, CycleError, CycleStatus};
use domain::pathfinder::report::{ReportCommand, ReportError, ReportStatus};
use domain::pathfinder::roadmap::{CurrentRoadmap, RoadmapCommand, RoadmapError, RoadmapFacts, RoadmapStatus};
use domain::pathfinder::{CountryReport, Roadmap};
use projections::with_pool;
use serde::Serialize;

use crate::app::{CommandError, CommandMeta, CommandOutcome, Ledger};
use crate::governance::DEFAULT_BODY;
use crate::store::Envelope;

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

fn not_found(what: String) -> CommandError {
    CommandError::NotFound(format!("{what} does not exist"))
}

impl Ledger {
    /// Ids of the aggregates of one type, optionally only those starting with `prefix`.
    pub async fn aggregate_ids(&self, aggregate_type: &str, prefix: &str) -> Result<Vec<String>, CommandError> {
        let pattern = format!("{}%", prefix.replace('%', "").replace('_', "\\_"));
        let sql =
            "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = $1 AND aggregate_id LIKE $2 ESCAPE '\\' \
                   ORDER BY aggregate_id";
        let ids: Vec<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(sql).bind(aggregate_type).bind(pattern).fetch_all(pool).await
                .map_err(|e| CommandError::Internal(e.into()))?
        });
        Ok(ids)
    }

    /// The roadmaps of a country, by version.
    pub async fn roadmaps_of(&self, iso3: &str) -> Result<Vec<Roadmap>, CommandError> {
        let mut roadmaps = Vec::new();
        for id in self.aggregate_ids("roadmap", &format!("{iso3}/")).await? {
            roadmaps.push(self.roadmaps.load(&id).await?);
        }
        roadmaps.sort_by_key(|r| r.version);
        Ok(roadmaps)
    }

    /// The accountability rules in force on a date.
    async fn accountability_on(
        &self,
        date: NaiveDate,
    ) -> Result<domain::pathfinder::AccountabilityPolicy, CommandError> {
        Ok(self.policy_on(DEFAULT_BODY, date).await?.accountability)
    }

    /// Runs a command on a Pathfinder Country (id: its ISO3).
    pub async fn execute_pfc(
        &self,
        iso3: &str,
        mut command: PfcCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.decision_authority_of(&meta.envelope).await?;
        if let PfcCommand::RecordExpressionOfInterest { iso3: given, .. }
        | PfcCommand::GrantStatus { iso3: given, .. } = &command
        {
            if given != iso3 {
                return Err(CommandError::Refused {
                    rule: "pfc_id_mismatch",
                    message: format!("the path names {iso3} but the body {given}"),
                });
            }
        }
        match &mut command {
            PfcCommand::GrantStatus { authority, roadmap_submitted, .. } => {
                *authority = cited;
                *roadmap_submitted = self.roadmaps_of(iso3).await?.iter().any(|r| r.status.is_submitted());
            }
            PfcCommand::ClearReview { authority, .. }
            | PfcCommand::MarkInactive { authority, .. }
            | PfcCommand::Reactivate { authority, .. }
            | PfcCommand::Revoke { authority, .. } => *authority = cited,
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let creating =
            matches!(command, PfcCommand::RecordExpressionOfInterest { .. } | PfcCommand::GrantStatus { .. });
        self.run(
            "pfc",
            iso3,
            meta,
            |metadata| self.pfcs.cqrs.execute_with_metadata(iso3, command, metadata),
            |e: &PfcError| (e.rule(), !creating && *e == PfcError::NotRegistered),
        )
        .await
    }

    /// Runs a command on a roadmap (id: `ISO3/vN`).
    pub async fn execute_roadmap(
        &self,
        id: &str,
        mut command: RoadmapCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.decision_authority_of(&meta.envelope).await?;
        match &mut command {
            RoadmapCommand::Draft { iso3, current, .. } => {
                *current = self
                    .roadmaps_of(iso3)
                    .await?
                    .into_iter()
                    .filter(|r| r.status != RoadmapStatus::NotDrafted)
                    .max_by_key(|r| r.version)
                    .map(|r| CurrentRoadmap { roadmap_id: r.roadmap_id, version: r.version });
            }
            RoadmapCommand::Endorse { on, authority, wording } => {
                *authority = cited;
                *wording = self.accountability_on(*on).await?.roadmap_endorsement_wording;
            }
            RoadmapCommand::Supersede { by_roadmap_id, by, .. } => {
                let other = self.roadmaps.load(by_roadmap_id).await?;
                *by = (other.status != RoadmapStatus::NotDrafted)
                    .then_some(RoadmapFacts { iso3: other.iso3, version: other.version });
            }
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let drafting = matches!(command, RoadmapCommand::Draft { .. });
        self.run(
            "roadmap",
            id,
            meta,
            |metadata| self.roadmaps.cqrs.execute_with_metadata(id, command, metadata),
            |e: &RoadmapError| (e.rule(), !drafting && *e == RoadmapError::NotDrafted),
        )
        .await
    }

    /// The countries active on a date (for a cycle's expected list).
    async fn active_countries_on(&self, date: NaiveDate) -> Result<Vec<String>, CommandError> {
        let mut active = Vec::new();
        for iso3 in self.aggregate_ids("pfc", "").await? {
            let pfc = self.pfcs.load(&iso3).await?;
            let stage_then = pfc.stage_history.iter().rev().find(|(_, since)| *since <= date).map(|(s, _)| *s);
            if matches!(stage_then, Some(PfcStage::Active | PfcStage::UnderReview)) {
                active.push(iso3);
            }
        }
        Ok(active)
    }

    /// Runs a command on a reporting cycle.
    pub async fn execute_cycle(
        &self,
        id: &str,
        mut command: CycleCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        match &mut command {
            CycleCommand::Launch { launched_on, expected_countries, .. } => {
                *expected_countries = self.active_countries_on(*launched_on).await?;
            }
            CycleCommand::Close { submitted, waived, .. } => {
                for report_id in self.aggregate_ids("country_report", &format!("{id}/")).await? {
                    let report = self.reports.load(&report_id).await?;
                    match report.status {
                        ReportStatus::Expected | ReportStatus::Overdue => {}
                        ReportStatus::Waived => waived.push(report.iso3),
                        _ => submitted.push(report.iso3),
                    }
                }
            }
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let launching = matches!(command, CycleCommand::Launch { .. });
        self.run(
            "reporting_cycle",
            id,
            meta,
            |metadata| self.cycles.cqrs.execute_with_metadata(id, command, metadata),
            |e: &CycleError| (e.rule(), !launching && *e == CycleError::NotLaunched),
        )
        .await
    }

    /// Runs a command on a country report (id: `CYCLE/ISO3`).
    pub async fn execute_report(
        &self,
        id: &str,
        mut command: ReportCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.decision_authority_of(&meta.envelope).await?;
        let (cycle_id, _) = id.split_once('/').ok_or_else(|| not_found(format!("report {id}")))?;
        let cycle = self.cycles.load(cycle_id).await?.facts();
        let creating = matches!(
            command,
            ReportCommand::Submit { .. } | ReportCommand::MarkOverdue { .. } | ReportCommand::Waive { .. }
        );
        if let ReportCommand::Submit { cycle_id: c, iso3: i, .. }
        | ReportCommand::MarkOverdue { cycle_id: c, iso3: i, .. }
        | ReportCommand::Waive { cycle_id: c, iso3: i, .. } = &command
        {
            if format!("{c}/{i}") != id {
                return Err(CommandError::Refused {
                    rule: "report_id_mismatch",
                    message: format!("the path names report {id} but the body {c}/{i}"),
                });
            }
        }
        if !creating && self.reports.load(id).await?.report_id.is_empty() {
            return Err(not_found(format!("report {id}")));
        }
        match &mut command {
            ReportCommand::Submit { cycle: facts, .. } | ReportCommand::MarkOverdue { cycle: facts, .. } => {
                *facts = cycle;
            }
            ReportCommand::Approve { approved_on, approval, authority } => {
                *approval = self.accountability_on(*approved_on).await?.report_approval;
                *authority = cited;
            }
            ReportCommand::Waive { authority, .. } => *authority = cited,
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        self.run(
            "country_report",
            id,
            meta,
            |metadata| self.reports.cqrs.execute_with_metadata(id, command, metadata),
            |e: &ReportError| (e.rule(), false),
        )
        .await
    }

    /// The cited decision's facts (`None` when the envelope cites none).
    async fn decision_authority_of(
        &self,
        envelope: &Envelope,
    ) -> Result<Option<domain::authority::DecisionFacts>, CommandError> {
        match crate::governance::cited_decision(envelope) {
            Some(id) => Ok(Some(self.decision_facts(&id).await?)),
            None => Ok(None),
        }
    }

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
            let cycle = self.cycles.load(&cycle_id).await?;
            let Some(facts) = cycle.facts() else { continue };
            for iso3 in &cycle.expected_countries {
                let id = format!("{cycle_id}/{iso3}");
                let current: CountryReport = self.reports.load(&id).await?;
                if cycle.status == CycleStatus::Open && clock::report_overdue_due(&current, facts.deadline, today) {
                    let command = ReportCommand::MarkOverdue {
                        cycle_id: cycle_id.clone(),
                        iso3: iso3.clone(),
                        as_of: today,
                        cycle: None,
                    };
                    match self.execute_report(&id, command, meta("the reporting deadline passed")).await {
                        Ok(_) => report.reports_overdue.push(id.clone()),
                        Err(CommandError::Refused { .. }) => {}
                        Err(other) => return Err(other),
                    }
                }
                let after = self.reports.load(&id).await?;
                if after.status == ReportStatus::Overdue {
                    *missed.entry(iso3.clone()).or_default() += 1;
                }
            }
        }

        // Roadmaps whose period has ended.
        for roadmap_id in self.aggregate_ids("roadmap", "").await? {
            let roadmap = self.roadmaps.load(&roadmap_id).await?;
            if clock::roadmap_expiry_due(&roadmap, today) {
                match self
                    .execute_roadmap(
                        &roadmap_id,
                        RoadmapCommand::Expire { on: today },
                        meta("the roadmap's period ended"),
                    )
                    .await
                {
                    Ok(_) => report.roadmaps_expired.push(roadmap_id),
                    Err(CommandError::Refused { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
        }

        // Active countries the policy says must be reviewed.
        for iso3 in self.aggregate_ids("pfc", "").await? {
            let pfc = self.pfcs.load(&iso3).await?;
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
                match self.execute_pfc(&iso3, command, meta(why)).await {
                    Ok(_) => report.countries_flagged.push(iso3),
                    Err(CommandError::Refused { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        Ok(report)
    }
}
