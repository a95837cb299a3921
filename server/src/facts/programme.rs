//! The Multi-Donor Programme at the edge: the facts its commands need, and its IATI file.
//!
//! The programme's aggregates are pure; what a rule needs to know about the rest of the
//! ledger is declared here, per aggregate type, and the command pipeline puts it into the command:
//!
//! * `establish` and `reallocate`: the decision cited in `envelope.authority`;
//! * `allocate`: the contribution the funds come from ([`Contribution::allocation_facts`]);
//! * `record_expenditure` and `receive`: today's date (transactions are never in the future);
//! * `reallocate`: the reallocation policy in force on the day it takes effect (the GCG's policy
//!   version), and, from the programme's contributions, which donors consented to it and
//!   whose agreements require their consent ([`Contribution::consent_required_for`]);
//! * `register` (donor): whether the organisation is in the party registry.
//!
//! Besides, the edge refuses what would break the links between aggregates: a path id that
//! differs from the body's, a pledge by an unregistered donor or to a programme that does
//! not exist.

use domain::command::BusinessDate;
use domain::programme::budget::{ProgrammeCommand, ProgrammeError};
use domain::programme::contribution::{ContributionCommand, ContributionError, ContributionStatus};
use domain::programme::donor::{DonorCommand, DonorError};
use domain::programme::{Contribution, Donor, Programme};
use ledger_store::{with_pool, Db};
use projections::iati::{check_rules, render_activity_file};
use projections::programme::{documents_from_ledger, iati_activity, ProgrammeRecord};

use super::{refused, same_id, DEFAULT_BODY};
use crate::pipeline::{today, CommandError, CommandService, Given, Prepare};

/// The programme `GET /api/v1/programme` and `ledger export --iati` address by default.
pub const DEFAULT_PROGRAMME: &str = "MDP-A87";

impl CommandService {
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
            contributions.push(self.load::<Contribution>(&id).await?);
        }
        Ok(contributions)
    }
}

impl Prepare for Programme {
    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut ProgrammeCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            ProgrammeCommand::Establish { programme_id, authority, .. } => {
                same_id("programme_id_mismatch", id, programme_id)?;
                *authority = given.cited.clone();
            }
            ProgrammeCommand::Allocate { contribution_id, contribution, .. } => {
                let funds: Contribution = service.load(contribution_id).await?;
                if funds.status != ContributionStatus::NotPledged {
                    let programme: Programme = service.load(id).await?;
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
                *authority = given.cited.clone();
                let on = given.occurred_on.unwrap_or_else(today);
                *policy = service.policy_on(DEFAULT_BODY, on).await?.reallocation;
                let programme = service.load::<Programme>(id).await?;
                let share = programme.reallocation_share(
                    from_line,
                    amount_per_month.amount_minor,
                    *effective_from,
                    *effective_to,
                );
                for contribution in service.contributions_to(id).await? {
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
        Ok(None)
    }
    fn creates(command: &ProgrammeCommand) -> bool {
        matches!(command, ProgrammeCommand::Establish { .. })
    }
    fn refusal(error: &ProgrammeError) -> (&'static str, bool) {
        (error.rule(), *error == ProgrammeError::NotEstablished)
    }
}

impl Prepare for Contribution {
    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut ContributionCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            ContributionCommand::Pledge { contribution_id, donor, programme_id, .. } => {
                same_id("contribution_id_mismatch", id, contribution_id)?;
                if service.load::<Donor>(donor).await?.registered_on.is_none() {
                    return Err(refused("donor_not_registered", format!("{donor} is not a registered donor")));
                }
                if !service.load::<Programme>(programme_id).await?.is_established() {
                    return Err(refused("programme_unknown", format!("programme {programme_id} is not established")));
                }
            }
            ContributionCommand::Receive { today: now, .. } => *now = today(),
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &ContributionCommand) -> bool {
        matches!(command, ContributionCommand::Pledge { .. })
    }
    fn refusal(error: &ContributionError) -> (&'static str, bool) {
        (error.rule(), *error == ContributionError::NotPledged)
    }
}

impl Prepare for Donor {
    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut DonorCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        let DonorCommand::Register { organisation, organisation_known, .. } = command;
        same_id("donor_id_mismatch", id, organisation)?;
        *organisation_known = service.party_known(organisation).await?;
        Ok(None)
    }
    fn creates(_command: &DonorCommand) -> bool {
        true
    }
    fn refusal(error: &DonorError) -> (&'static str, bool) {
        (error.rule(), false)
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
