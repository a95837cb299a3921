//! The Multi-Donor Programme at the edge: the facts its commands need, and its IATI file.
//!
//! The programme's aggregates are pure; what a rule needs to know about the rest of the
//! ledger is read here and put into the command before cqrs-es runs it:
//!
//! * `establish` and `reallocate`: the decision cited in `envelope.authority`;
//! * `allocate`: the contribution the funds come from ([`Contribution::allocation_facts`]);
//! * `record_expenditure` and `receive`: today's date (transactions are never in the future);
//! * `reallocate`: the reallocation policy in force on the day it is made (the GCG's policy
//!   version), and, from the programme's contributions, which donors consented to it and
//!   whose agreements require their consent ([`Contribution::consent_required_for`]);
//! * `register` (donor): whether the organisation is in the party registry.
//!
//! Besides, the edge refuses what would break the links between aggregates: a path id that
//! differs from the body's, a pledge by an unregistered donor or to a programme that does
//! not exist.

use chrono::NaiveDate;
use domain::authority::DecisionFacts;
use domain::programme::budget::{ProgrammeCommand, ProgrammeError};
use domain::programme::contribution::{ContributionCommand, ContributionError, ContributionStatus};
use domain::programme::donor::{DonorCommand, DonorError};
use domain::programme::Contribution;
use projections::iati::{check_rules, render_activity_file};
use projections::programme::{documents_from_ledger, iati_activity, ProgrammeRecord};
use projections::{with_pool, Db};

use crate::app::{CommandError, CommandMeta, CommandOutcome, Ledger};
use crate::governance::{cited_decision, DEFAULT_BODY};
use crate::store::Envelope;

/// The programme `GET /api/v1/programme` and `ledger export --iati` address by default.
pub const DEFAULT_PROGRAMME: &str = "MDP-A87";

fn refused(rule: &'static str, message: impl Into<String>) -> CommandError {
    CommandError::Refused { rule, message: message.into() }
}

/// Today's date, UTC: the edge's clock for "never in the future".
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The business date an envelope gives (`occurred_at`, date part), if any.
fn occurred_on(envelope: &Envelope) -> Option<NaiveDate> {
    let at = envelope.occurred_at.as_deref()?;
    NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok()
}

impl Ledger {
    /// The facts of the decision the envelope cites (`None` when it cites none).
    async fn programme_authority(&self, envelope: &Envelope) -> Result<Option<DecisionFacts>, CommandError> {
        match cited_decision(envelope) {
            Some(id) => Ok(Some(self.decision_facts(&id).await?)),
            None => Ok(None),
        }
    }

    /// The contributions pledged to a programme, in id order.
    pub async fn contributions_to(&self, programme_id: &str) -> Result<Vec<Contribution>, CommandError> {
        let field = self.db.json_field("payload", &["ContributionPledged", "programme_id"]);
        let sql = format!(
            "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'contribution' \
             AND event_type = 'ContributionPledged' AND {field} = $1 ORDER BY aggregate_id"
        );
        let ids: Vec<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(&sql).bind(programme_id).fetch_all(pool).await.map_err(|e| CommandError::Internal(e.into()))?
        });
        let mut contributions = Vec::with_capacity(ids.len());
        for id in ids {
            contributions.push(self.contributions.load(&id).await?);
        }
        Ok(contributions)
    }

    /// Runs a command on a programme.
    pub async fn execute_programme(
        &self,
        id: &str,
        mut command: ProgrammeCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let cited = self.programme_authority(&meta.envelope).await?;
        match &mut command {
            ProgrammeCommand::Establish { programme_id, authority, .. } => {
                if programme_id != id {
                    return Err(refused("programme_id_mismatch", "the path and the body name different programmes"));
                }
                *authority = cited;
            }
            ProgrammeCommand::Allocate { contribution_id, contribution, .. } => {
                let funds = self.contributions.load(contribution_id).await?;
                if funds.status != ContributionStatus::NotPledged {
                    let programme = self.programmes.load(id).await?;
                    *contribution = Some(funds.allocation_facts(programme.allocated_from(contribution_id)));
                }
            }
            ProgrammeCommand::RecordExpenditure { today: now, .. } => *now = today(),
            ProgrammeCommand::Reallocate {
                realloc_id,
                from_line,
                to_line,
                amount_per_month,
                effective_from,
                effective_to,
                authority,
                policy,
                consents,
                consent_required_from,
                ..
            } => {
                *authority = cited;
                let on = occurred_on(&meta.envelope).unwrap_or_else(today);
                *policy = self.policy_on(DEFAULT_BODY, on).await?.reallocation;
                let programme = self.programmes.load(id).await?;
                let share = programme.reallocation_share(
                    from_line,
                    amount_per_month.amount_minor,
                    *effective_from,
                    *effective_to,
                );
                for contribution in self.contributions_to(id).await? {
                    if contribution.has_consented(realloc_id) {
                        consents.push(contribution.contribution_id.clone());
                    }
                    if contribution.consent_required_for(from_line, to_line, share) {
                        consent_required_from.push(contribution.contribution_id.clone());
                    }
                }
            }
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let establishing = matches!(command, ProgrammeCommand::Establish { .. });
        self.run(
            "programme",
            id,
            meta,
            |metadata| self.programmes.cqrs.execute_with_metadata(id, command, metadata),
            |e: &ProgrammeError| (e.rule(), !establishing && *e == ProgrammeError::NotEstablished),
        )
        .await
    }

    /// Runs a command on a contribution.
    pub async fn execute_contribution(
        &self,
        id: &str,
        mut command: ContributionCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        match &mut command {
            ContributionCommand::Pledge { contribution_id, donor, programme_id, .. } => {
                if contribution_id != id {
                    return Err(refused(
                        "contribution_id_mismatch",
                        "the path and the body name different contributions",
                    ));
                }
                if self.donors.load(donor).await?.registered_on.is_none() {
                    return Err(refused("donor_not_registered", format!("{donor} is not a registered donor")));
                }
                if !self.programmes.load(programme_id).await?.is_established() {
                    return Err(refused("programme_unknown", format!("programme {programme_id} is not established")));
                }
            }
            ContributionCommand::Receive { today: now, .. } => *now = today(),
            _ => {}
        }
        meta.envelope.command = Some(command.name().to_string());
        let pledging = matches!(command, ContributionCommand::Pledge { .. });
        self.run(
            "contribution",
            id,
            meta,
            |metadata| self.contributions.cqrs.execute_with_metadata(id, command, metadata),
            |e: &ContributionError| (e.rule(), !pledging && *e == ContributionError::NotPledged),
        )
        .await
    }

    /// Runs a command on a donor (id: the donor organisation's id).
    pub async fn execute_donor(
        &self,
        id: &str,
        mut command: DonorCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let DonorCommand::Register { organisation, organisation_known, .. } = &mut command;
        if organisation != id {
            return Err(refused("donor_id_mismatch", "a donor's id is its organisation's id"));
        }
        *organisation_known = self.party_known(organisation).await?;
        meta.envelope.command = Some(command.name().to_string());
        self.run(
            "donor",
            id,
            meta,
            |metadata| self.donors.cqrs.execute_with_metadata(id, command, metadata),
            |e: &DonorError| (e.rule(), false),
        )
        .await
    }
}

/// The contributions a donor pledged (for the donor's dossier), in id order.
pub async fn contributions_of_donor(db: &Db, donor: &str) -> anyhow::Result<Vec<String>> {
    let field = db.json_field("payload", &["ContributionPledged", "donor"]);
    let sql = format!(
        "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'contribution' \
         AND event_type = 'ContributionPledged' AND {field} = $1 ORDER BY aggregate_id"
    );
    Ok(with_pool!(db, pool => sqlx::query_scalar(&sql).bind(donor).fetch_all(pool).await?))
}

/// The donor of a contribution, if it was pledged.
pub async fn donor_of_contribution(db: &Db, contribution_id: &str) -> anyhow::Result<Option<String>> {
    let field = db.json_field("payload", &["ContributionPledged", "donor"]);
    let sql = format!(
        "SELECT {field} FROM events WHERE aggregate_type = 'contribution' AND aggregate_id = $1 \
         AND event_type = 'ContributionPledged'"
    );
    Ok(with_pool!(db, pool => sqlx::query_scalar(&sql).bind(contribution_id).fetch_optional(pool).await?))
}

/// The IATI 2.03 activity file of a programme, built from the sealed ledger itself (not
/// the projections), and the IATI guidance issues [`check_rules`] finds in it.
pub async fn iati_file_from_ledger(db: &Db, programme_id: &str) -> anyhow::Result<(String, Vec<String>)> {
    let docs = documents_from_ledger(db).await?;
    let record = ProgrammeRecord::from_documents(&docs, programme_id)
        .ok_or_else(|| anyhow::anyhow!("programme {programme_id} is not established (or not yet sealed)"))?;
    let today = today();
    let activity = iati_activity(&record, today);
    let issues = check_rules(&activity, today);
    let generated = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok((render_activity_file(&activity, &generated), issues))
}
