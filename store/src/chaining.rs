//! The hash-chaining repository that wraps postgres-es and sqlite-es.
//!
//! The command pipeline hands [`ChainingRepository::append`] the serialized events of one
//! command with its envelope and the version the caller expected, and gets their
//! receipts back. Before they are written, each event gets its envelope (actor, role,
//! authority, times, request id), `recorded_at` from the clock, `prev_hash` (its
//! aggregate's previous event), `hash` = SHA-256 of the RFC 8785 bytes, and the
//! recorder's Ed25519 signature of that hash, all stored as its [`Seal`]. They are
//! written in postgres-es's and sqlite-es's table, all in one transaction, by
//! [`GroupCommit`] (which lets concurrent commands share that transaction). The primary
//! key `(aggregate_type, aggregate_id, sequence)` turns a concurrent writer into a clean
//! conflict (HTTP 409), never a lost or duplicated event. Reads go through postgres-es
//! and sqlite-es.
//!
//! cqrs-es reads metadata back as `HashMap<String, String>`, so [`ChainingRepository::get_events`]
//! remembers each aggregate's head hash and hands cqrs-es empty metadata.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::commit::GroupCommit;
use crate::Db;
use cqrs_es::persist::{PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot};
use cqrs_es::Aggregate;
use ledger_format::record::GENESIS_PREV_HASH;
use ledger_format::Seal;
use ledger_format::{EventRecord, LedgerSigner};
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlite_es::SqliteEventRepository;
use tokio::sync::Notify;

/// Who may read an event: its class (one of `ledger_format::CLASSES`) and, for
/// `donor-confidential` and `personal`, the donor or country it belongs to. The command
/// pipeline decides it from the command and its scope; the store records it in the
/// event's hashed head (docs/LEDGER-FORMAT.md §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    pub class: String,
    pub scope: Option<String>,
}

/// One event to record and who may read it.
#[derive(Debug, Clone)]
pub struct ToRecord {
    pub event: SerializedEvent,
    pub visibility: Visibility,
}

/// Who recorded an event, on what authority, and when it happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub actor: String,
    pub role: String,
    /// The command that recorded the event, e.g. `adopt` (set by the command service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Why the command is legitimate, e.g. `{"kind": "decision", "decision_id": "GCG-19-D04"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<Value>,
    /// When it happened in the world (`YYYY-MM-DD` or RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// When the ledger recorded it; set by the repository, never by the caller.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recorded_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// SHA-256 of the request body that carried the idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Documents backing the event: `[{"sha256": …, "title": …, "url": …}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Value>,
    /// How sure we are: `{"confidence": "S|P|I|U|X", "note": …}`; `X` marks invented demo values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Value>,
}

/// What one persisted event became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: u64,
    pub event_type: String,
    pub hash: String,
    pub signature: String,
    /// What the event records (its payload), e.g. whether a declared quorum was met.
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// postgres-es or sqlite-es, behind one type.
#[derive(Clone)]
pub enum InnerRepository {
    Postgres(Arc<PostgresEventRepository>),
    Sqlite(Arc<SqliteEventRepository>),
}

macro_rules! inner {
    ($self:expr, $repo:ident => $body:expr) => {
        match $self {
            InnerRepository::Postgres($repo) => $body,
            InnerRepository::Sqlite($repo) => $body,
        }
    };
}

impl PersistedEventRepository for InnerRepository {
    async fn get_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<Vec<SerializedEvent>, PersistenceError> {
        inner!(self, r => r.get_events::<A>(aggregate_id).await)
    }
    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        inner!(self, r => r.get_last_events::<A>(aggregate_id, last_sequence).await)
    }
    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        inner!(self, r => r.get_snapshot::<A>(aggregate_id).await)
    }
    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        inner!(self, r => r.persist::<A>(events, snapshot_update).await)
    }
    async fn stream_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<ReplayStream, PersistenceError> {
        inner!(self, r => r.stream_events::<A>(aggregate_id).await)
    }
    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        inner!(self, r => r.stream_all_events::<A>().await)
    }
}

/// What the next event of an aggregate chains to: the previous event's sequence and hash,
/// and the aggregate's pseudonym if it has one.
#[derive(Debug, Clone)]
struct Head {
    sequence: usize,
    hash: String,
    pseudonym: Option<String>,
}

/// Aggregate heads seen on load: (type, id) → head. Bounded: cleared when full.
type Heads = Mutex<HashMap<(String, String), Head>>;
const MAX_CACHED_HEADS: usize = 100_000;

/// Wraps the inner repository with the envelope, the hash chain and the signature.
#[derive(Clone)]
pub struct ChainingRepository {
    inner: InnerRepository,
    signer: Arc<LedgerSigner>,
    heads: Arc<Heads>,
    sealer_wake: Arc<Notify>,
    /// Writes the events; concurrent commands share a transaction.
    commit: Arc<GroupCommit>,
}

impl ChainingRepository {
    pub fn new(db: &Db, signer: Arc<LedgerSigner>, sealer_wake: Arc<Notify>) -> Self {
        let inner = match db {
            Db::Postgres(pool) => InnerRepository::Postgres(Arc::new(PostgresEventRepository::new(pool.clone()))),
            Db::Sqlite(pool) => InnerRepository::Sqlite(Arc::new(SqliteEventRepository::new(pool.clone()))),
        };
        let commit = GroupCommit::new(db.clone());
        Self { inner, signer, heads: Arc::new(Mutex::new(HashMap::new())), sealer_wake, commit }
    }

    fn remember_head(&self, aggregate_type: &str, aggregate_id: &str, head: Head) {
        let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        if heads.len() >= MAX_CACHED_HEADS {
            heads.clear();
        }
        heads.insert((aggregate_type.to_string(), aggregate_id.to_string()), head);
    }

    /// The head of the aggregate before its event `sequence` (from the cache or the
    /// store); for its first event, the genesis hash and, if `pseudonymous`, a new
    /// pseudonym.
    async fn previous<A: Aggregate>(
        &self,
        aggregate_id: &str,
        sequence: usize,
        pseudonymous: bool,
    ) -> Result<Head, PersistenceError> {
        if sequence <= 1 {
            let pseudonym = pseudonymous.then(|| format!("~{}", random_hex::<12>()));
            return Ok(Head { sequence: 0, hash: GENESIS_PREV_HASH.to_string(), pseudonym });
        }
        let cached = {
            let heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
            heads.get(&(A::TYPE.to_string(), aggregate_id.to_string())).cloned()
        };
        if let Some(head) = cached {
            if head.sequence + 1 == sequence {
                return Ok(head);
            }
        }
        let events = self.inner.get_last_events::<A>(aggregate_id, sequence - 2).await?;
        events
            .iter()
            .find(|e| e.sequence + 1 == sequence)
            .and_then(head_of)
            // The previous event vanished since the aggregate was loaded: treat as a conflict.
            .ok_or(PersistenceError::OptimisticLockError)
    }

    /// Appends one command's events: stamps each with the envelope and `recorded_at`,
    /// chains it to its aggregate's previous event, gives it its class, a salt and (if
    /// `pseudonymous`: the aggregate's id is itself confidential) the aggregate's
    /// pseudonym, hashes and signs it (a version 2 record), and writes them all in one
    /// transaction ([`GroupCommit`], shared with concurrent commands). `expected_version`
    /// is the version the caller saw (`If-Match`): a stale one is a conflict. Returns what
    /// each event became.
    pub async fn append<A: Aggregate>(
        &self,
        events: Vec<ToRecord>,
        pseudonymous: bool,
        envelope: &Envelope,
        expected_version: Option<u64>,
    ) -> Result<Vec<Receipt>, PersistenceError> {
        let Some(first) = events.first().map(|e| &e.event) else { return Ok(Vec::new()) };
        if let Some(expected) = expected_version {
            if expected.checked_add(1) != Some(first.sequence as u64) {
                return Err(PersistenceError::OptimisticLockError);
            }
        }
        let recorded_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let previous = self.previous::<A>(&first.aggregate_id, first.sequence, pseudonymous).await?;
        let (mut prev_hash, pseudonym) = (previous.hash, previous.pseudonym);
        let mut sealed = Vec::with_capacity(events.len());
        let mut receipts = Vec::with_capacity(events.len());
        for (i, ToRecord { event, visibility }) in events.into_iter().enumerate() {
            let mut envelope = envelope.clone();
            envelope.recorded_at.clone_from(&recorded_at);
            if i > 0 {
                // One key per command: only its first event carries it (the key is unique).
                envelope.idempotency_key = None;
            }
            let metadata = serde_json::to_value(&envelope).map_err(|e| unknown(e.to_string()))?;
            let record = EventRecord {
                aggregate_type: event.aggregate_type.clone(),
                aggregate_id: event.aggregate_id.clone(),
                sequence: event.sequence as u64,
                event_type: event.event_type.clone(),
                event_version: event.event_version.clone(),
                payload: event.payload,
                metadata,
                prev_hash: prev_hash.clone(),
                visibility: Some(visibility.class),
                scope: visibility.scope,
                pseudonym: pseudonym.clone(),
                salt: Some(new_salt()),
            };
            let (metadata, seal) = seal_record(&self.signer, &record).map_err(unknown)?;
            let (hash_hex, signature) = (seal.hash, seal.signature);
            receipts.push(Receipt {
                aggregate_type: record.aggregate_type.clone(),
                aggregate_id: record.aggregate_id.clone(),
                sequence: record.sequence,
                event_type: record.event_type.clone(),
                hash: hash_hex.clone(),
                signature,
                payload: record.payload.clone(),
            });
            sealed.push(SerializedEvent {
                aggregate_id: record.aggregate_id,
                sequence: event.sequence,
                aggregate_type: record.aggregate_type,
                event_type: record.event_type,
                event_version: record.event_version,
                payload: record.payload,
                metadata,
            });
            prev_hash = hash_hex;
        }
        let head = sealed.last().map(|last| (last.aggregate_id.clone(), last.sequence));
        self.commit.write(sealed).await?;
        if let Some((aggregate_id, sequence)) = head {
            self.remember_head(A::TYPE, &aggregate_id, Head { sequence, hash: prev_hash, pseudonym });
        }
        self.sealer_wake.notify_one();
        Ok(receipts)
    }
}

/// Seals one record: hashes its canonical bytes, signs the hash, and gives the metadata to
/// store (the record's metadata with the [`Seal`] attached) and the seal. The one place a
/// seal is made, for the repository and for anything that writes events in bulk.
pub fn seal_record(signer: &LedgerSigner, record: &EventRecord) -> Result<(Value, Seal), String> {
    let hash = record.hash().map_err(|e| e.to_string())?;
    let seal = Seal {
        prev_hash: record.prev_hash.clone(),
        hash: hex::encode(hash),
        signature: signer.sign_event_hash(&hash),
        visibility: record.visibility.clone(),
        scope: record.scope.clone(),
        pseudonym: record.pseudonym.clone(),
        salt: record.salt.clone(),
    };
    let mut metadata = record.metadata.clone();
    seal.attach(&mut metadata).map_err(|e| e.to_string())?;
    Ok((metadata, seal))
}

/// The head an event leaves its aggregate at.
fn head_of(event: &SerializedEvent) -> Option<Head> {
    let seal = Seal::read(&event.metadata).ok()?;
    Some(Head { sequence: event.sequence, hash: seal.hash, pseudonym: seal.pseudonym })
}

/// A version 2 record's salt: 16 random bytes as 32 lowercase hex characters.
pub fn new_salt() -> String {
    random_hex::<16>()
}

/// `N` random bytes from the operating system, as lowercase hex.
fn random_hex<const N: usize>() -> String {
    use rand_core::RngCore as _;
    let mut bytes = [0u8; N];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn unknown(message: impl Into<String>) -> PersistenceError {
    PersistenceError::UnknownError(message.into().into())
}

impl PersistedEventRepository for ChainingRepository {
    async fn get_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let mut events = self.inner.get_events::<A>(aggregate_id).await?;
        if let Some(head) = events.last().and_then(head_of) {
            self.remember_head(A::TYPE, aggregate_id, head);
        }
        for event in &mut events {
            event.metadata = json!({});
        }
        Ok(events)
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let mut events = self.inner.get_last_events::<A>(aggregate_id, last_sequence).await?;
        for event in &mut events {
            event.metadata = json!({});
        }
        Ok(events)
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.inner.get_snapshot::<A>(aggregate_id).await
    }

    /// Refused: events are recorded only through [`ChainingRepository::append`], which the
    /// command pipeline calls with each event's envelope and visibility.
    async fn persist<A: Aggregate>(
        &self,
        _events: &[SerializedEvent],
        _snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        Err(unknown("events are recorded only through the command pipeline (ChainingRepository::append)"))
    }

    async fn stream_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_all_events::<A>().await
    }
}
