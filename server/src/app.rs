//! The command service: runs domain commands through cqrs-es and our chaining store.
//!
//! HTTP handlers and the demo loader both go through [`Ledger`], so every write takes the
//! same path: facts the domain needs are read here (the meeting a decision belongs to,
//! the superseding decision), the envelope is attached, and cqrs-es runs `decide` and
//! persists through [`ChainingRepository`].

use std::collections::HashMap;
use std::sync::Arc;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::Aggregate;
use cqrs_es::{AggregateError, CqrsFramework, EventStore};
use domain::body::Body;
use domain::decision::{Decision, DecisionCommand, DecisionError, MeetingFacts, SupersedingFacts};
use domain::group::Group;
use domain::ledger::LedgerSigner;
use domain::meeting::{Meeting, MeetingCommand, MeetingError};
use domain::partner::Partner;
use domain::pathfinder::{CountryReport, PathfinderCountry, ReportingCycle, Roadmap};
use domain::programme::{Contribution, Donor, Programme};
use domain::reference::{Country, Organisation};
use projections::{with_pool, Db};
use tokio::sync::Notify;

use crate::store::{ChainingRepository, CommandScope, Envelope, Receipt, COMMAND_SCOPE, ENVELOPE_KEY};

type Store<A> = PersistedEventStore<ChainingRepository, A>;

/// The advisory-lock key space of meeting locks on PostgreSQL ("A87M" as an int4).
const MEETING_LOCK_SPACE: i32 = 0x4138_374D;

/// A connection waiting for an advisory lock. If the wait is cancelled (a client went
/// away), the connection is closed rather than pooled: otherwise its session could be
/// granted the lock later and hold it with nobody to release it. Closing ends the session,
/// which releases whatever it was granted.
struct Acquiring(Option<sqlx::pool::PoolConnection<sqlx::Postgres>>);

impl Drop for Acquiring {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(conn.detach());
        }
    }
}

/// A held meeting lock; released on drop.
pub struct MeetingLock {
    _local: tokio::sync::OwnedMutexGuard<()>,
    /// The connection holding the PostgreSQL advisory lock, and the meeting id.
    database: Option<(sqlx::pool::PoolConnection<sqlx::Postgres>, String)>,
}

impl Drop for MeetingLock {
    fn drop(&mut self) {
        if let Some((mut conn, meeting_id)) = self.database.take() {
            // Unlock before the connection goes back to the pool; if that fails, close the
            // connection, which releases every session lock it holds.
            let unlock = async move {
                let result = sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2))")
                    .bind(MEETING_LOCK_SPACE)
                    .bind(&meeting_id)
                    .execute(&mut *conn)
                    .await;
                if result.is_err() {
                    drop(conn.detach());
                }
            };
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(unlock);
                }
                Err(_) => tracing::warn!("no runtime to release a meeting lock; its connection closes instead"),
            }
        }
    }
}

/// What a successful command recorded.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CommandOutcome {
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// The aggregate's version after the command (its last sequence).
    pub version: u64,
    pub events: Vec<Receipt>,
    /// True when an `Idempotency-Key` had already been applied: nothing new was written.
    pub replayed: bool,
}

/// Why a command was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A rule of the domain refused it.
    #[error("{message}")]
    Refused { rule: &'static str, message: String },
    /// The aggregate does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A concurrent write or a stale expected version.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Extra per-command inputs from the edge.
#[derive(Debug, Clone, Default)]
pub struct CommandMeta {
    pub envelope: Envelope,
    pub expected_version: Option<u64>,
}

/// One aggregate type's command framework and the store it loads state from.
pub struct Aggregates<A: Aggregate<Services = ()>> {
    pub(crate) cqrs: CqrsFramework<A, Store<A>>,
    store: Store<A>,
}

impl<A: Aggregate<Services = ()>> Aggregates<A> {
    fn new(repo: &ChainingRepository) -> Self {
        Self {
            cqrs: CqrsFramework::new(PersistedEventStore::new_event_store(repo.clone()), vec![], ()),
            store: PersistedEventStore::new_event_store(repo.clone()),
        }
    }

    /// The current state of one aggregate, from its events (the default state if none).
    pub async fn load(&self, id: &str) -> Result<A, CommandError> {
        let context = self.store.load_aggregate(id).await.map_err(internal)?;
        Ok(context.aggregate)
    }
}

/// The write side of the ledger.
pub struct Ledger {
    pub db: Db,
    pub signer: Arc<LedgerSigner>,
    pub sealer_wake: Arc<Notify>,
    meetings: CqrsFramework<Meeting, Store<Meeting>>,
    decisions: CqrsFramework<Decision, Store<Decision>>,
    meeting_store: Store<Meeting>,
    decision_store: Store<Decision>,
    pub bodies: Aggregates<Body>,
    pub groups: Aggregates<Group>,
    pub partners: Aggregates<Partner>,
    pub organisations: Aggregates<Organisation>,
    pub countries: Aggregates<Country>,
    pub pfcs: Aggregates<PathfinderCountry>,
    pub roadmaps: Aggregates<Roadmap>,
    pub cycles: Aggregates<ReportingCycle>,
    pub reports: Aggregates<CountryReport>,
    pub programmes: Aggregates<Programme>,
    pub contributions: Aggregates<Contribution>,
    pub donors: Aggregates<Donor>,
    /// Per-meeting locks: a decision command reads its meeting's facts (in session? quorum?)
    /// and a meeting command changes them; the lock keeps the facts true until the event is
    /// stored, so no decision is adopted at a meeting that closed in between.
    meeting_locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Ledger {
    pub fn new(db: Db, signer: Arc<LedgerSigner>) -> Self {
        let sealer_wake = Arc::new(Notify::new());
        let repo = ChainingRepository::new(&db, Arc::clone(&signer), Arc::clone(&sealer_wake));
        Self {
            meetings: CqrsFramework::new(PersistedEventStore::new_event_store(repo.clone()), vec![], ()),
            decisions: CqrsFramework::new(PersistedEventStore::new_event_store(repo.clone()), vec![], ()),
            meeting_store: PersistedEventStore::new_event_store(repo.clone()),
            decision_store: PersistedEventStore::new_event_store(repo.clone()),
            bodies: Aggregates::new(&repo),
            groups: Aggregates::new(&repo),
            partners: Aggregates::new(&repo),
            organisations: Aggregates::new(&repo),
            countries: Aggregates::new(&repo),
            pfcs: Aggregates::new(&repo),
            roadmaps: Aggregates::new(&repo),
            cycles: Aggregates::new(&repo),
            reports: Aggregates::new(&repo),
            programmes: Aggregates::new(&repo),
            contributions: Aggregates::new(&repo),
            donors: Aggregates::new(&repo),
            meeting_locks: std::sync::Mutex::new(HashMap::new()),
            db,
            signer,
            sealer_wake,
        }
    }

    /// Holds the meeting's lock: take it before reading a meeting's facts for a command and
    /// keep it until the command is stored. Within a process a mutex per meeting; on
    /// PostgreSQL also a session advisory lock on a dedicated connection, so several servers
    /// sharing one database (design §9) serialise too.
    pub async fn lock_meeting(&self, meeting_id: &str) -> Result<MeetingLock, CommandError> {
        let lock = {
            let mut locks = self.meeting_locks.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(locks.entry(meeting_id.to_string()).or_default())
        };
        let local = lock.lock_owned().await;
        let database = match &self.db {
            Db::Postgres(pool) => {
                let conn = pool.acquire().await.map_err(|e| CommandError::Internal(e.into()))?;
                let mut acquiring = Acquiring(Some(conn));
                let conn = acquiring.0.as_mut().expect("set above");
                sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))")
                    .bind(MEETING_LOCK_SPACE)
                    .bind(meeting_id)
                    .execute(&mut **conn)
                    .await
                    .map_err(|e| CommandError::Internal(e.into()))?;
                Some((acquiring.0.take().expect("set above"), meeting_id.to_string()))
            }
            Db::Sqlite(_) => None,
        };
        Ok(MeetingLock { _local: local, database })
    }

    /// The current state of a meeting, from its events.
    pub async fn meeting(&self, id: &str) -> Result<Meeting, CommandError> {
        let context = self.meeting_store.load_aggregate(id).await.map_err(internal)?;
        Ok(context.aggregate)
    }

    /// The current state of a decision, from its events.
    pub async fn decision(&self, id: &str) -> Result<Decision, CommandError> {
        let context = self.decision_store.load_aggregate(id).await.map_err(internal)?;
        Ok(context.aggregate)
    }

    /// The facts about a meeting a decision command needs.
    pub async fn meeting_facts(&self, meeting_id: &str) -> Result<MeetingFacts, CommandError> {
        let meeting = self.meeting(meeting_id).await?;
        Ok(MeetingFacts {
            meeting_id: meeting_id.to_string(),
            status: meeting.status,
            quorum: meeting.quorum,
            kind: meeting.kind,
        })
    }

    /// The facts about a superseding decision.
    pub async fn superseding_facts(&self, decision_id: &str) -> Result<SupersedingFacts, CommandError> {
        let decision = self.decision(decision_id).await?;
        Ok(SupersedingFacts {
            decision_id: decision_id.to_string(),
            status: decision.status,
            adopted_on: decision.adopted_on,
        })
    }

    /// Decisions adopted at a meeting, in the order they were tabled.
    pub async fn adopted_decisions_of(&self, meeting_id: &str) -> Result<Vec<String>, CommandError> {
        let meeting_field = self.db.json_field("p.payload", &["DecisionProposed", "meeting_id"]);
        let sql = format!(
            "SELECT p.aggregate_id FROM events p WHERE p.aggregate_type = 'decision' AND p.event_type = 'DecisionProposed' \
             AND {meeting_field} = $1 AND EXISTS (SELECT 1 FROM events a WHERE a.aggregate_type = 'decision' \
             AND a.aggregate_id = p.aggregate_id AND a.event_type = 'DecisionAdopted') ORDER BY p.aggregate_id"
        );
        let ids: Vec<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(&sql).bind(meeting_id).fetch_all(pool).await.map_err(|e| CommandError::Internal(e.into()))?
        });
        Ok(ids)
    }

    /// Runs a meeting command.
    pub async fn execute_meeting(
        &self,
        id: &str,
        command: MeetingCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        meta.envelope.command = Some(command.name().to_string());
        let scheduling = matches!(command, MeetingCommand::Schedule { .. });
        self.run(
            "meeting",
            id,
            meta,
            |metadata| self.meetings.execute_with_metadata(id, command, metadata),
            |e: &MeetingError| (e.rule(), !scheduling && *e == MeetingError::NotScheduled),
        )
        .await
    }

    /// Runs a decision command.
    pub async fn execute_decision(
        &self,
        id: &str,
        command: DecisionCommand,
        mut meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        meta.envelope.command = Some(command.name().to_string());
        let proposing = matches!(command, DecisionCommand::Propose { .. });
        self.run(
            "decision",
            id,
            meta,
            |metadata| self.decisions.execute_with_metadata(id, command, metadata),
            |e: &DecisionError| (e.rule(), !proposing && *e == DecisionError::NotProposed),
        )
        .await
    }

    /// Shared command path: idempotency, the task-local scope, error mapping.
    pub(crate) async fn run<E, F, Fut>(
        &self,
        aggregate_type: &str,
        id: &str,
        meta: CommandMeta,
        execute: F,
        classify: impl Fn(&E) -> (&'static str, bool),
    ) -> Result<CommandOutcome, CommandError>
    where
        E: std::error::Error,
        F: FnOnce(HashMap<String, String>) -> Fut,
        Fut: std::future::Future<Output = Result<(), AggregateError<E>>>,
    {
        if let Some(key) = &meta.envelope.idempotency_key {
            if let Some(first) = self.already_applied(key).await? {
                return same_target(first, aggregate_type, id, &meta.envelope);
            }
        }
        self.check_cited_decision(&meta.envelope).await?;
        let envelope = serde_json::to_string(&meta.envelope).map_err(|e| CommandError::Internal(e.into()))?;
        let metadata = HashMap::from([(ENVELOPE_KEY.to_string(), envelope)]);
        let scope = Arc::new(CommandScope { expected_version: meta.expected_version, ..Default::default() });
        let result = COMMAND_SCOPE.scope(Arc::clone(&scope), execute(metadata)).await;
        match result {
            Ok(()) => {
                let events = std::mem::take(&mut *scope.receipts.lock().unwrap_or_else(|p| p.into_inner()));
                let version = events.last().map(|r| r.sequence).unwrap_or_default();
                Ok(CommandOutcome {
                    aggregate_type: aggregate_type.to_string(),
                    aggregate_id: id.to_string(),
                    version,
                    events,
                    replayed: false,
                })
            }
            Err(AggregateError::UserError(e)) => {
                let (rule, not_found) = classify(&e);
                if not_found {
                    Err(CommandError::NotFound(format!("{aggregate_type} {id} does not exist")))
                } else {
                    Err(CommandError::Refused { rule, message: e.to_string() })
                }
            }
            Err(AggregateError::AggregateConflict) => {
                // A duplicate Idempotency-Key from a concurrent retry lands here too.
                if let Some(key) = &meta.envelope.idempotency_key {
                    if let Some(first) = self.already_applied(key).await? {
                        return same_target(first, aggregate_type, id, &meta.envelope);
                    }
                }
                Err(CommandError::Conflict(match meta.expected_version {
                    Some(v) => format!("{aggregate_type} {id} is no longer at version {v}"),
                    None => format!("{aggregate_type} {id} was changed concurrently; reload and retry"),
                }))
            }
            Err(other) => Err(internal(other)),
        }
    }

    /// The first result of a command whose idempotency key was already applied.
    async fn already_applied(&self, key: &str) -> Result<Option<FirstUse>, CommandError> {
        let key_field = self.db.json_field("metadata", &["idempotency_key"]);
        let sql = format!(
            "SELECT aggregate_type, aggregate_id, sequence, event_type, {} AS metadata FROM events WHERE {key_field} = $1",
            self.db.json_text("metadata")
        );
        let row: Option<(String, String, i64, String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(key).fetch_optional(pool).await.map_err(|e| CommandError::Internal(e.into()))?
        });
        let Some((aggregate_type, aggregate_id, sequence, event_type, metadata)) = row else { return Ok(None) };
        let metadata: serde_json::Value =
            serde_json::from_str(&metadata).map_err(|e| CommandError::Internal(e.into()))?;
        let seal = |k: &str| {
            metadata.pointer(&format!("/ledger/{k}")).and_then(|v| v.as_str()).unwrap_or_default().to_string()
        };
        let sequence = u64::try_from(sequence).unwrap_or_default();
        let text = |k: &str| metadata.get(k).and_then(|c| c.as_str()).map(str::to_string);
        let (command, digest) = (text("command"), text("request_digest"));
        let outcome = CommandOutcome {
            aggregate_type: aggregate_type.clone(),
            aggregate_id: aggregate_id.clone(),
            version: sequence,
            events: vec![Receipt {
                aggregate_type,
                aggregate_id,
                sequence,
                event_type,
                hash: seal("hash"),
                signature: seal("signature"),
            }],
            replayed: true,
        };
        Ok(Some(FirstUse { outcome, command, digest }))
    }
}

/// What an idempotency key did the first time it was used.
#[derive(Debug)]
struct FirstUse {
    outcome: CommandOutcome,
    command: Option<String>,
    digest: Option<String>,
}

/// A replayed key must be the same command, on the same resource, with the same body.
fn same_target(
    first: FirstUse,
    aggregate_type: &str,
    id: &str,
    envelope: &Envelope,
) -> Result<CommandOutcome, CommandError> {
    let same = first.outcome.aggregate_type == aggregate_type
        && first.outcome.aggregate_id == id
        && first.command == envelope.command
        && first.digest == envelope.request_digest;
    if same {
        return Ok(first.outcome);
    }
    Err(CommandError::Refused {
        rule: "idempotency_key_reused",
        message: format!(
            "this Idempotency-Key was already used for another request ({} on {} {})",
            first.command.as_deref().unwrap_or("a command"),
            first.outcome.aggregate_type,
            first.outcome.aggregate_id
        ),
    })
}

fn internal<E: std::error::Error>(error: AggregateError<E>) -> CommandError {
    CommandError::Internal(anyhow::anyhow!("{error}"))
}
