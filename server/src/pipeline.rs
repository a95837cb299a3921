//! The command pipeline: the one path every write takes, from HTTP, the demo loader, the
//! clock and the decision-effects process manager alike.
//!
//! ```text
//! parse (handler) -> prepare -> decide -> date -> store -> respond (handler)
//! ```
//!
//! * **parse**: a handler turns a request into a domain command and a [`CommandMeta`]
//!   (the envelope and the expected version), nothing more.
//! * **prepare**: [`CommandService::execute`] serialises requests that carry the same
//!   `Idempotency-Key`, replays a key already applied, takes the meeting lock the command
//!   declares ([`Prepare::meeting_lock`]), checks the decision cited as authority, and
//!   fills the command's edge facts ([`Prepare::prepare`]); both are declared per
//!   aggregate type in [`crate::facts`], found from the command's type.
//! * **decide**: the aggregate's pure `decide`, through `cqrs_es::Aggregate::handle`.
//! * **date**: the command states its business date ([`DomainCommand::business_date`]);
//!   it becomes `occurred_at` unless the caller gave one, and a fact dated after the
//!   server's clock is refused (`occurred_in_future`).
//! * **store**: [`ChainingRepository::append`] chains, hashes, signs and writes the
//!   events in one transaction and returns their receipts as values.
//! * afterwards [`Prepare::after`] runs what the command sets in motion (an adopted
//!   decision's effect).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{PersistedEventStore, PersistenceError, SerializedEvent};
use cqrs_es::{Aggregate, DomainEvent, EventStore};
use domain::authority::DecisionFacts;
use domain::command::{occurred_by, BusinessDate, DomainCommand, OccurredInFuture};
use ledger_format::{LedgerSigner, Seal};
use ledger_store::{with_pool, Db};
use tokio::sync::Notify;

use ledger_store::chaining::{ChainingRepository, Envelope, Receipt, ToRecord, Visibility};

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
    /// The command is malformed before any rule is asked (an id outside the grammar).
    #[error("{0}")]
    Malformed(String),
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
    /// The aggregate version the caller expects (`If-Match`); a stale one is a conflict.
    pub expected_version: Option<u64>,
}

/// What the pipeline needs to know about an aggregate type: the lock and the facts its
/// commands need, how its refusals read, and what a stored command sets in motion. Each
/// aggregate type's declaration lives in [`crate::facts`].
pub trait Prepare: Aggregate<Services = ()> + domain::visibility::Classified + Clone + 'static
where
    Self::Command: DomainCommand + Send,
{
    /// The meeting whose lock the command needs while its facts are read and its events
    /// stored, if any.
    fn meeting_lock(
        _service: &CommandService,
        _id: &str,
        _command: &Self::Command,
    ) -> impl std::future::Future<Output = Result<Option<String>, CommandError>> + Send {
        async { Ok(None) }
    }

    /// Fills the command's edge facts (and refuses what would break links between
    /// aggregates). Returns the business date the facts give, for a command dated
    /// [`BusinessDate::FromFacts`].
    fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut Self::Command,
        given: &Given,
    ) -> impl std::future::Future<Output = Result<Option<BusinessDate>, CommandError>> + Send;

    /// Whether the command creates the aggregate (so "does not exist" is its own refusal,
    /// and the id must follow the identifier grammar).
    fn creates(command: &Self::Command) -> bool;

    /// How many identifiers, joined by `/`, the aggregate's id is made of.
    const ID_PARTS: usize = 1;

    /// A refusal's rule, and whether it means the aggregate does not exist.
    fn refusal(error: &Self::Error) -> (&'static str, bool);

    /// What a stored command sets in motion (run after every lock is released).
    fn after(
        _service: &CommandService,
        _id: &str,
        _outcome: &CommandOutcome,
    ) -> impl std::future::Future<Output = ()> + Send {
        async {}
    }
}

/// What the caller's envelope gives a command's facts.
#[derive(Debug, Clone, Default)]
pub struct Given {
    /// The decision cited as authority (checked to be adopted).
    pub cited: Option<DecisionFacts>,
    /// The business date the caller gave in `occurred_at`, if any.
    pub occurred_on: Option<NaiveDate>,
}

/// The write side of the ledger: every command goes through [`CommandService::execute`].
pub struct CommandService {
    pub db: Db,
    pub signer: Arc<LedgerSigner>,
    pub sealer_wake: Arc<Notify>,
    repo: ChainingRepository,
    /// Per-meeting locks: a decision command reads its meeting's facts (in session? quorum?)
    /// and a meeting command changes them; the lock keeps the facts true until the event is
    /// stored, so no decision is adopted at a meeting that closed in between.
    meeting_locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Per-key locks: concurrent requests with one `Idempotency-Key` run one at a time, so
    /// every one after the first replays its answer.
    key_locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Per-aggregate locks: commands on one aggregate run one at a time in this process,
    /// so they queue for its next sequence number instead of racing for it.
    aggregate_locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The state this process last decided on or loaded for each aggregate, with its
    /// version ([`StateCache`]).
    states: std::sync::Mutex<StateCache>,
}

/// Aggregates' states as this process last saw them, so a command decides without
/// reloading its aggregate's events. A cached state is only ever a guess at the stored
/// one: its events are appended at the cached version + 1, so if another server wrote in
/// between, the store's primary key refuses them, the entry is dropped and the command is
/// decided again on a fresh load. A refusal decided on a cached state is likewise decided
/// again on a fresh load before it is answered. Bounded: emptied when full.
#[derive(Default)]
struct StateCache {
    entries: HashMap<String, CachedState>,
}

struct CachedState {
    state: Box<dyn std::any::Any + Send + Sync>,
    version: u64,
}

/// Aggregates whose state a process keeps at most.
const MAX_CACHED_STATES: usize = 4096;

fn state_key(aggregate_type: &str, id: &str) -> String {
    format!("{aggregate_type}\u{0}{id}")
}

impl StateCache {
    fn get<A: Aggregate + Clone + 'static>(&self, id: &str) -> Option<(A, u64)> {
        let entry = self.entries.get(&state_key(A::TYPE, id))?;
        entry.state.downcast_ref::<A>().map(|state| (state.clone(), entry.version))
    }

    fn put<A: Aggregate + Clone + 'static>(&mut self, id: &str, state: A, version: u64) {
        if self.entries.len() >= MAX_CACHED_STATES {
            self.entries.clear();
        }
        self.entries.insert(state_key(A::TYPE, id), CachedState { state: Box::new(state), version });
    }

    fn forget(&mut self, aggregate_type: &str, id: &str) {
        self.entries.remove(&state_key(aggregate_type, id));
    }
}

/// Today's date, UTC: the server's clock for "never in the future".
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

impl CommandService {
    pub fn new(db: Db, signer: Arc<LedgerSigner>) -> Self {
        let sealer_wake = Arc::new(Notify::new());
        let repo = ChainingRepository::new(&db, Arc::clone(&signer), Arc::clone(&sealer_wake));
        Self {
            repo,
            meeting_locks: std::sync::Mutex::new(HashMap::new()),
            key_locks: std::sync::Mutex::new(HashMap::new()),
            aggregate_locks: std::sync::Mutex::new(HashMap::new()),
            states: std::sync::Mutex::new(StateCache::default()),
            db,
            signer,
            sealer_wake,
        }
    }

    /// The current state of one aggregate, from its events (the default state if none).
    pub async fn load<A: Aggregate<Services = ()>>(&self, id: &str) -> Result<A, CommandError> {
        Ok(self.load_context::<A>(id).await?.0)
    }

    async fn load_context<A: Aggregate<Services = ()>>(&self, id: &str) -> Result<(A, u64), CommandError> {
        let store: PersistedEventStore<ChainingRepository, A> = PersistedEventStore::new_event_store(self.repo.clone());
        let context = store.load_aggregate(id).await.map_err(|e| CommandError::Internal(anyhow::anyhow!("{e}")))?;
        Ok((context.aggregate, context.current_sequence as u64))
    }

    /// Runs one command through the pipeline (see the module documentation), then what
    /// it sets in motion.
    pub async fn execute<A>(
        &self,
        id: &str,
        command: A::Command,
        meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError>
    where
        A: Prepare,
        A::Command: DomainCommand + Send,
    {
        let outcome = self.record::<A>(id, command, meta).await?;
        A::after(self, id, &outcome).await;
        Ok(outcome)
    }

    /// Runs one command through the pipeline up to and including the store, without what
    /// it sets in motion (as a crash right after storing it would leave it). Its outcome is
    /// counted in the metrics.
    pub async fn record<A>(
        &self,
        id: &str,
        command: A::Command,
        meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError>
    where
        A: Prepare,
        A::Command: DomainCommand + Send,
    {
        let name = command.name();
        let result = self.run_pipeline::<A>(id, command, meta).await;
        let outcome = match &result {
            Ok(outcome) if outcome.replayed => "replayed".to_string(),
            Ok(_) => "accepted".to_string(),
            Err(CommandError::Refused { rule, .. }) => format!("refused:{rule}"),
            Err(CommandError::Malformed(_)) => "malformed".to_string(),
            Err(CommandError::NotFound(_)) => "not_found".to_string(),
            Err(CommandError::Conflict(_)) => "conflict".to_string(),
            Err(CommandError::Internal(_)) => "error".to_string(),
        };
        crate::metrics::count_command(A::TYPE, name, &outcome);
        result
    }

    async fn run_pipeline<A>(
        &self,
        id: &str,
        mut command: A::Command,
        meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError>
    where
        A: Prepare,
        A::Command: DomainCommand + Send,
    {
        let CommandMeta { mut envelope, expected_version } = meta;
        envelope.command = Some(command.name().to_string());
        let _same_key = match &envelope.idempotency_key {
            Some(key) => Some(self.lock_key(key).await),
            None => None,
        };
        if let Some(first) = self.replay(&envelope, A::TYPE, id).await? {
            return first;
        }
        let creates = A::creates(&command);
        if creates {
            domain::id::check_composite(id, A::ID_PARTS)
                .map_err(|e| CommandError::Malformed(format!("{} id {id:?}: {e}", A::TYPE)))?;
        }
        let outcome = {
            let _meeting = match A::meeting_lock(self, id, &command).await? {
                Some(meeting_id) => Some(self.lock_meeting(&meeting_id).await?),
                None => None,
            };
            let given = Given { cited: self.cited_authority(&envelope).await?, occurred_on: date_of(&envelope) };
            let from_facts = A::prepare(self, id, &mut command, &given).await?;
            let date = match command.business_date() {
                BusinessDate::FromFacts => from_facts.unwrap_or(BusinessDate::Undated),
                date => date,
            };
            if envelope.occurred_at.is_none() {
                envelope.occurred_at = date.date().map(|d| d.format("%Y-%m-%d").to_string());
            }
            let _aggregate = self.lock_aggregate(A::TYPE, id).await;
            let settled = Settled { envelope: &envelope, date, expected_version, creates };
            self.decide_and_store::<A>(id, command, settled).await?
        };
        Ok(outcome)
    }

    /// Decides the command on the aggregate's state and stores its events, under the
    /// aggregate's lock. The state comes from the [`StateCache`] when this process holds
    /// it, and a creating command guesses its aggregate is new; a refusal or a conflict
    /// decided on such a guess is decided again on a fresh load, so neither is ever
    /// answered from a stale guess.
    async fn decide_and_store<A>(
        &self,
        id: &str,
        command: A::Command,
        settled: Settled<'_>,
    ) -> Result<CommandOutcome, CommandError>
    where
        A: Prepare,
        A::Command: DomainCommand + Send,
    {
        let Settled { envelope, date, expected_version, creates } = settled;
        let mut fresh = false;
        loop {
            // A command that creates its aggregate guesses it does not exist yet (version
            // 0), like a cached state: if it does, the store refuses sequence 1.
            let cached = match fresh {
                true => None,
                false => self.cached_state::<A>(id).or_else(|| creates.then(|| (A::default(), 0))),
            };
            let from_cache = cached.is_some();
            let (mut aggregate, version) = match cached {
                Some(cached) => cached,
                None => self.load_context::<A>(id).await?,
            };
            if expected_version.is_some_and(|v| v != version) {
                if from_cache {
                    self.forget_state(A::TYPE, id);
                    fresh = true;
                    continue;
                }
                return Err(stale(A::TYPE, id, expected_version));
            }
            let sink = EventSink::default();
            if let Err(error) = aggregate.handle(command.clone(), &(), &sink).await {
                if from_cache {
                    self.forget_state(A::TYPE, id);
                    fresh = true;
                    continue;
                }
                // A concurrent request with the same key (another server) may have won.
                if let Some(first) = self.replay(envelope, A::TYPE, id).await? {
                    return first;
                }
                let (rule, missing) = A::refusal(&error);
                if missing && !creates {
                    return Err(CommandError::NotFound(format!("{} {id} does not exist", A::TYPE)));
                }
                return Err(CommandError::Refused { rule, message: error.to_string() });
            }
            check_dates(date, envelope)?;
            let events = serialize::<A>(id, version, sink.collect().await, &aggregate)?;
            let receipts = match self.repo.append::<A>(events, A::PSEUDONYMOUS, envelope, expected_version).await {
                Ok(receipts) => receipts,
                Err(PersistenceError::OptimisticLockError) => {
                    self.forget_state(A::TYPE, id);
                    // A duplicate Idempotency-Key from a concurrent retry lands here too.
                    if let Some(first) = self.replay(envelope, A::TYPE, id).await? {
                        return first;
                    }
                    if from_cache {
                        fresh = true;
                        continue;
                    }
                    return Err(stale(A::TYPE, id, expected_version));
                }
                Err(other) => {
                    self.forget_state(A::TYPE, id);
                    return Err(CommandError::Internal(anyhow::anyhow!("{other}")));
                }
            };
            let version = receipts.last().map(|r| r.sequence).unwrap_or(version);
            self.states.lock().unwrap_or_else(|p| p.into_inner()).put(id, aggregate, version);
            return Ok(CommandOutcome {
                aggregate_type: A::TYPE.to_string(),
                aggregate_id: id.to_string(),
                version,
                events: receipts,
                replayed: false,
            });
        }
    }

    fn cached_state<A: Prepare>(&self, id: &str) -> Option<(A, u64)>
    where
        A::Command: DomainCommand + Send,
    {
        self.states.lock().unwrap_or_else(|p| p.into_inner()).get::<A>(id)
    }

    fn forget_state(&self, aggregate_type: &str, id: &str) {
        self.states.lock().unwrap_or_else(|p| p.into_inner()).forget(aggregate_type, id);
    }

    /// Holds the in-process lock of one aggregate.
    async fn lock_aggregate(&self, aggregate_type: &str, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.aggregate_locks.lock().unwrap_or_else(|p| p.into_inner());
            // Forget aggregates nobody holds or waits for, so the map stays small.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            Arc::clone(locks.entry(state_key(aggregate_type, id)).or_default())
        };
        lock.lock_owned().await
    }

    /// The first answer to the envelope's idempotency key, if it was already applied.
    async fn replay(
        &self,
        envelope: &Envelope,
        aggregate_type: &str,
        id: &str,
    ) -> Result<Option<Result<CommandOutcome, CommandError>>, CommandError> {
        let Some(key) = &envelope.idempotency_key else { return Ok(None) };
        Ok(self.already_applied(key).await?.map(|first| same_target(first, aggregate_type, id, envelope)))
    }

    /// Holds the lock of one idempotency key.
    async fn lock_key(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.key_locks.lock().unwrap_or_else(|p| p.into_inner());
            // Forget keys nobody holds or waits for, so the map stays small.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            Arc::clone(locks.entry(key.to_string()).or_default())
        };
        lock.lock_owned().await
    }

    /// The facts of the decision the envelope cites. A cited decision must be adopted,
    /// whatever the command: the envelope must not claim an authority that does not exist.
    pub(crate) async fn cited_authority(&self, envelope: &Envelope) -> Result<Option<DecisionFacts>, CommandError> {
        let Some(decision_id) = crate::facts::cited_decision(envelope) else { return Ok(None) };
        let facts = self.decision_facts(&decision_id).await?;
        if facts.status != domain::decision::DecisionStatus::Adopted {
            return Err(CommandError::Refused {
                rule: "decision_authority_not_adopted",
                message: format!("the cited decision {decision_id} is not adopted, so it authorises nothing"),
            });
        }
        Ok(Some(facts))
    }

    /// Holds the meeting's lock: within a process a mutex per meeting; on PostgreSQL also
    /// a session advisory lock on a dedicated connection, so several servers sharing one
    /// database serialise too. Commands take it only through [`CommandService::execute`].
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

    /// The first result of a command whose idempotency key was already applied.
    async fn already_applied(&self, key: &str) -> Result<Option<FirstUse>, CommandError> {
        let key_field = self.db.json_field("metadata", &["idempotency_key"]);
        let sql = format!(
            "SELECT aggregate_type, aggregate_id, sequence, event_type, {} AS metadata, {} AS payload FROM events \
             WHERE {key_field} = $1",
            self.db.json_text("metadata"),
            self.db.json_text("payload")
        );
        let row: Option<(String, String, i64, String, String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(key).fetch_optional(pool).await.map_err(|e| CommandError::Internal(e.into()))?
        });
        let Some((aggregate_type, aggregate_id, sequence, event_type, metadata, payload)) = row else {
            return Ok(None);
        };
        let payload: serde_json::Value =
            serde_json::from_str(&payload).map_err(|e| CommandError::Internal(e.into()))?;
        let metadata: serde_json::Value =
            serde_json::from_str(&metadata).map_err(|e| CommandError::Internal(e.into()))?;
        let seal = Seal::read(&metadata).map_err(|e| CommandError::Internal(e.into()))?;
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
                hash: seal.hash,
                signature: seal.signature,
                payload,
            }],
            replayed: true,
        };
        Ok(Some(FirstUse { outcome, command, digest }))
    }
}

/// What the pipeline has settled about a command before it is decided.
struct Settled<'a> {
    envelope: &'a Envelope,
    date: BusinessDate,
    expected_version: Option<u64>,
    creates: bool,
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

/// The events a command decided, serialised for the store, numbered after `version`.
/// The command's events as the store takes them, each with its visibility class decided
/// by the aggregate (in its state after the command).
fn serialize<A: domain::visibility::Classified>(
    id: &str,
    version: u64,
    events: Vec<A::Event>,
    aggregate: &A,
) -> Result<Vec<ToRecord>, CommandError> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            let visibility = aggregate.visibility(&event);
            Ok(ToRecord {
                event: SerializedEvent {
                    aggregate_id: id.to_string(),
                    sequence: usize::try_from(version).unwrap_or(usize::MAX) + i + 1,
                    aggregate_type: A::TYPE.to_string(),
                    event_type: event.event_type(),
                    event_version: event.event_version(),
                    payload: serde_json::to_value(&event).map_err(|e| CommandError::Internal(e.into()))?,
                    metadata: serde_json::Value::Null,
                },
                visibility: Visibility { class: visibility.class.as_str().to_string(), scope: visibility.scope },
            })
        })
        .collect()
}

/// The date rule: an occurred fact, or an `occurred_at` the caller gave for one, may not
/// lie after today.
fn check_dates(date: BusinessDate, envelope: &Envelope) -> Result<(), CommandError> {
    let today = today();
    let checked = match (date, date_of(envelope)) {
        (BusinessDate::Occurred(own), _) => vec![BusinessDate::Occurred(own)],
        (BusinessDate::Undated, Some(given)) => vec![BusinessDate::Occurred(given)],
        _ => vec![],
    };
    for date in checked {
        occurred_by(date, today).map_err(|e: OccurredInFuture| CommandError::Refused {
            rule: OccurredInFuture::RULE,
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// The date part of the envelope's `occurred_at`, if any.
fn date_of(envelope: &Envelope) -> Option<NaiveDate> {
    let at = envelope.occurred_at.as_deref()?;
    NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok()
}

fn stale(aggregate_type: &str, id: &str, expected_version: Option<u64>) -> CommandError {
    CommandError::Conflict(match expected_version {
        Some(v) => format!("{aggregate_type} {id} is no longer at version {v}"),
        None => format!("{aggregate_type} {id} was changed concurrently; reload and retry"),
    })
}
