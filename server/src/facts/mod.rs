//! What each aggregate type's commands need before the domain decides: one
//! [`Prepare`](crate::pipeline::Prepare) declaration per aggregate type, found by the
//! command pipeline from the command's type.
//!
//! The domain is pure, so whatever a rule needs to know about another aggregate (is the
//! cited decision adopted, and about what? is the holder a registered party? which policy
//! is in force on that date? who holds that seat? is the meeting in session?) is read
//! here and put into the command's edge-fact fields. A handler never reads facts.
//!
//! * [`gcg`]: the GCG, groups, partners, organisations and countries;
//! * [`meetings`]: meetings and decisions, and the decision-effects process manager;
//! * [`pathfinder`]: Pathfinder Countries, roadmaps, reporting cycles, country reports,
//!   and the clock;
//! * [`people`]: the personal-data register and its erasure;
//! * [`programme`]: the Multi-Donor Programme, contributions and donors, and the IATI file.

pub mod gcg;
pub mod meetings;
pub mod pathfinder;
pub mod people;
pub mod programme;

use chrono::NaiveDate;
use domain::authority::DecisionFacts;
use domain::body::Body;
use domain::decision::{Decision, DecisionStatus};
use domain::policy::GovernancePolicy;
use ledger_store::with_pool;
use serde_json::Value;

use crate::pipeline::{CommandError, CommandService};
use ledger_store::chaining::Envelope;

/// The governing body commands address when none is named.
pub const DEFAULT_BODY: &str = "GCG";

/// The decision an envelope cites, if any: `{"kind": "decision", "decision_id": "…"}`.
pub fn cited_decision(envelope: &Envelope) -> Option<String> {
    let authority = envelope.authority.as_ref()?;
    if authority.get("kind").and_then(Value::as_str) != Some("decision") {
        return None;
    }
    authority.get("decision_id").and_then(Value::as_str).map(str::to_string)
}

/// A refusal at the edge, named by its rule.
pub(crate) fn refused(rule: &'static str, message: impl Into<String>) -> CommandError {
    CommandError::Refused { rule, message: message.into() }
}

/// "Does not exist", for `what` (e.g. `meeting GCG-21`).
pub(crate) fn not_found(what: impl std::fmt::Display) -> CommandError {
    CommandError::NotFound(format!("{what} does not exist"))
}

/// Refuses a command whose body names another aggregate than its path.
pub(crate) fn same_id(rule: &'static str, path: &str, body: &str) -> Result<(), CommandError> {
    if path == body {
        return Ok(());
    }
    Err(refused(rule, format!("the path names {path} but the body {body}")))
}

impl CommandService {
    /// The provenance (confidence label) of the latest event of one of `event_types` on an
    /// aggregate, if it has one. What the system records because of that event (a
    /// decision's effect, a report the deadline made overdue) carries it on: it is as
    /// certain as what it follows from.
    pub async fn provenance_of(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        event_types: &[&str],
    ) -> Result<Option<Value>, CommandError> {
        let sql = format!(
            "SELECT event_type, {} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence DESC",
            self.db.json_text("metadata")
        );
        let rows: Vec<(String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .fetch_all(pool)
                .await
                .map_err(|e| CommandError::Internal(e.into()))?
        });
        Ok(rows
            .into_iter()
            .find(|(event_type, _)| event_types.contains(&event_type.as_str()))
            .and_then(|(_, metadata)| serde_json::from_str::<Value>(&metadata).ok())
            .and_then(|m| m.get("provenance").cloned())
            .filter(|p| !p.is_null()))
    }

    /// Whether `id` is a registered country (ISO3) or organisation.
    pub async fn party_known(&self, id: &str) -> Result<bool, CommandError> {
        let found: i64 = with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM events WHERE aggregate_type IN ('country', 'organisation') AND aggregate_id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await
            .map_err(|e| CommandError::Internal(e.into()))?
        });
        Ok(found > 0)
    }

    /// The facts about a decision, as a command citing it needs them.
    pub async fn decision_facts(&self, decision_id: &str) -> Result<DecisionFacts, CommandError> {
        let decision: Decision = self.load(decision_id).await?;
        Ok(DecisionFacts {
            decision_id: decision_id.to_string(),
            status: decision.status,
            subject: decision.subject,
            adopted_on: decision.adopted_on,
        })
    }

    /// Whether the decision is adopted (for the clock and the process manager).
    pub async fn is_adopted(&self, decision_id: &str) -> Result<bool, CommandError> {
        Ok(self.decision_facts(decision_id).await?.status == DecisionStatus::Adopted)
    }

    /// A governing body's state.
    pub async fn body(&self, body_id: &str) -> Result<Body, CommandError> {
        self.load(body_id).await
    }

    /// The policy in force in a body on a date; the provisional rules if the body has none.
    pub async fn policy_on(&self, body_id: &str, date: NaiveDate) -> Result<GovernancePolicy, CommandError> {
        let body = self.body(body_id).await?;
        Ok(body.policy_on(date).cloned().unwrap_or_else(GovernancePolicy::provisional_v1))
    }

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
}

impl crate::pipeline::Prepare for domain::signing_key::SigningKey {
    async fn prepare(
        _service: &CommandService,
        id: &str,
        _command: &mut domain::signing_key::SigningKeyCommand,
        _given: &crate::pipeline::Given,
    ) -> Result<Option<domain::command::BusinessDate>, CommandError> {
        if id != domain::signing_key::SIGNING_KEY_ID {
            return Err(CommandError::Malformed(format!(
                "the signing key's id is {:?}, not {id:?}",
                domain::signing_key::SIGNING_KEY_ID
            )));
        }
        Ok(None)
    }
    fn creates(_command: &domain::signing_key::SigningKeyCommand) -> bool {
        true
    }
    fn refusal(error: &domain::signing_key::SigningKeyError) -> (&'static str, bool) {
        (error.rule(), false)
    }
}
