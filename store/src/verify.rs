//! The verifier: recomputes everything from the raw tables and names the first break.
//!
//! It trusts nothing derived: not the projections, not the stored hashes. For every
//! event in ledger position order it recomputes the canonical bytes and hash, checks the
//! per-aggregate chain (sequence and `prev_hash`), the recorder's signature and the
//! ledger leaf, and feeds the RFC 6962 tree; at each checkpoint's size it compares the
//! root and checks the checkpoint's signature. Events not yet sealed are checked the same
//! way after the sealed ones.
//!
//! Recorder signatures: the sealer gives a position only to an event whose signature
//! verifies, and every signed checkpoint commits to the hashes of the events it covers, so
//! a checkpoint that verifies vouches for those events' signatures. By default
//! ([`Signatures::Uncovered`]) verify checks the signatures of the events no checkpoint
//! covers (those awaiting sealing), and, where a recomputed root differs from a signed
//! checkpoint, those of the events since the last good checkpoint, to name the forged one;
//! [`Signatures::All`] checks every event's, in batches (docs/VERIFYING.md).
//!
//! Reading: stored JSON the store wrote canonically is hashed as it is, once checked to be
//! exactly canonical (`ledger_format::seal::StoredText::hash`); other text is parsed. On
//! PostgreSQL the positions (in order) and the events (in the table's order, which is the
//! order of commit) are read in two scans on two connections sharing one snapshot and
//! joined as they arrive (`Merge`), holding the events read ahead of their positions up
//! to [`Options::read_ahead`]; the events no position names are then those awaiting
//! sealing, found without another scan. Past that limit, on SQLite, on a standby and with
//! [`Signatures::All`], one query joins each position to its event ([`sealed_rows_sql`]),
//! and another searches for the events awaiting sealing (when the table holds more events
//! than were sealed).
//!
//! The key given may be any key of the ledger's key history (the `KeyRotated` events,
//! docs/LEDGER-FORMAT.md §8.4): the history is checked from it, and each event and
//! checkpoint is checked with the key active at its position.

use std::fmt;

use futures::TryStreamExt as _;
use ledger_format::cosignature::WitnessVerifier;
use ledger_format::merkle::CompactTree;
use ledger_format::record::parse_hash_hex;
use ledger_format::seal::StoredText;
use ledger_format::{Chains, Hash32};
use ledger_format::{Checkpoint, KeyHistory, KeyHistoryError, LedgerVerifier};

use crate::stored::{fields_of_row, StoredEvent};
use crate::{with_pool, Db};

/// Where the ledger is broken, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub sequence: Option<i64>,
    pub position: Option<i64>,
    pub what: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ledger broken")?;
        if let (Some(t), Some(id)) = (&self.aggregate_type, &self.aggregate_id) {
            write!(f, " at {t} {id}")?;
        }
        if let Some(s) = self.sequence {
            write!(f, " sequence {s}")?;
        }
        if let Some(p) = self.position {
            write!(f, " position {p}")?;
        }
        write!(f, ": {}", self.what)
    }
}

/// The positions table's columns as verify reads them.
const POSITION_COLUMNS: &str = "l.position, l.aggregate_type AS l_aggregate_type, l.aggregate_id AS l_aggregate_id, \
                                l.sequence AS l_sequence, l.event_hash";

/// The query that joins each ledger row from position `$1` on to its event, if the event
/// is still there, in position order: how verify reads on SQLite, with every signature
/// checked, or where the tables' orders differ too much to join them as they are read
/// (also timed by the benchmark).
///
/// It walks the positions in their key's order and looks each event up by its key, so
/// rows stream from the first with nothing to sort. PostgreSQL is told so with a lateral
/// lookup (it would otherwise hash the whole events table); SQLite plans the plain join
/// that way itself.
pub fn sealed_rows_sql(db: &Db) -> String {
    let columns = StoredEvent::columns(db);
    let key = "e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence";
    if db.is_postgres() {
        format!(
            "SELECT {POSITION_COLUMNS}, e.* FROM positions l LEFT JOIN LATERAL \
             (SELECT {columns} FROM events e WHERE {key}) e ON true WHERE l.position >= $1 ORDER BY l.position"
        )
    } else {
        format!(
            "SELECT {POSITION_COLUMNS}, {columns} FROM positions l LEFT JOIN events e ON {key} \
             WHERE l.position >= $1 ORDER BY l.position"
        )
    }
}

/// What an intact ledger holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub events: u64,
    pub aggregates: u64,
    pub unsealed: u64,
    pub tree_size: u64,
    pub root: String,
    pub checkpoints: u64,
    /// The latest checkpoint a quorum of the given witnesses cosigned: (size, cosignatures).
    pub witnessed: Option<(u64, usize)>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ledger intact: {} events in {} aggregates ({} awaiting sealing), tree size {}, root {}, {} signed checkpoints verified (each an extension of the one before)",
            self.events, self.aggregates, self.unsealed, self.tree_size, self.root, self.checkpoints
        )?;
        match self.witnessed {
            Some((size, n)) => write!(f, ", the latest witnessed at tree size {size} ({n} cosignatures)"),
            None => Ok(()),
        }
    }
}

/// Why verification did not complete.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Broken(Broken),
    /// The checkpoints are signed by another key than the one given: nothing could be
    /// verified (this says nothing of tampering).
    #[error("the ledger's checkpoints are signed by {signed_by}, not by the key given ({given}): pass this ledger's public key (GET /api/v1/ledger/public-key); nothing was verified")]
    KeyMismatch { given: String, signed_by: String },
    #[error("could not read the ledger: {0}")]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, sqlx::FromRow)]
struct SealedRow {
    #[sqlx(flatten)]
    ledger: PositionRow,
    #[sqlx(flatten)]
    event: OptionalEvent,
}

#[derive(Debug, sqlx::FromRow)]
struct OptionalEvent {
    aggregate_type: Option<String>,
    aggregate_id: Option<String>,
    sequence: Option<i64>,
    event_type: Option<String>,
    event_version: Option<String>,
    payload: Option<String>,
    metadata: Option<String>,
}

impl OptionalEvent {
    fn into_stored(self) -> Option<StoredEvent> {
        Some(StoredEvent {
            aggregate_type: self.aggregate_type?,
            aggregate_id: self.aggregate_id?,
            sequence: self.sequence?,
            event_type: self.event_type?,
            event_version: self.event_version?,
            payload: self.payload?,
            metadata: self.metadata?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
struct CheckpointRow {
    tree_size: i64,
    root_hash: String,
    note: String,
}

/// What one event's own checks found, before its place in the chain is checked: the
/// expensive, independent part (canonical bytes, SHA-256, Ed25519), which verify runs on
/// all cores ahead of the in-order walk.
struct Checked {
    hash: [u8; 32],
    /// The chain fields the seal holds: `prev_hash` (parsed here, on the workers; `None`
    /// if it is not a hash), and the pseudonym the chain is keyed by where the aggregate
    /// has one.
    prev_hash: Option<Hash32>,
    pseudonym: Option<String>,
    signature: SignatureText,
    /// `None` where the signature was left to the checkpoint covering the event.
    signature_ok: Option<bool>,
}

/// An event's own checks: what [`hashed`] found, or what is broken.
type OwnChecks = Result<Checked, String>;

/// A recorder signature's base64 text, held inline: verify keeps one per event until the
/// next checkpoint, and this spares two allocations per event (and freeing them on
/// another thread than the one that made them).
#[derive(Clone, Copy)]
struct SignatureText {
    len: u8,
    text: [u8; SignatureText::MAX],
}

impl SignatureText {
    /// The length of an Ed25519 signature in base64.
    const MAX: usize = 88;

    /// Longer text cannot be a signature: it is held as the empty text, which does not
    /// verify either.
    fn new(signature: &str) -> Self {
        let mut text = [0; Self::MAX];
        let len = match text.get_mut(..signature.len()) {
            Some(room) => {
                room.copy_from_slice(signature.as_bytes());
                signature.len()
            }
            None => 0,
        };
        SignatureText { len: u8::try_from(len).unwrap_or(0), text }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }
}

/// Which recorder signatures verify checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Signatures {
    /// Those of events no signed checkpoint covers, and those since the last good
    /// checkpoint where a root differs (the checkpoints vouch for the others).
    #[default]
    Uncovered,
    /// Every event's, in batches.
    All,
}

/// How verify reads, and which signatures it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub signatures: Signatures,
    /// How many events verify may hold read ahead of their positions before it reads the
    /// rest with the joining query ([`sealed_rows_sql`]; PostgreSQL).
    pub read_ahead: usize,
}

/// Events read ahead of their positions that verify holds by default (about 20 MB): the
/// two tables' orders agree but for the few events committed while others were, so this
/// is reached only where rows were moved (a table rewritten in another order), or where
/// an event was edited (its new version sits at the table's end), deleted or left
/// unsealed early on.
pub const DEFAULT_READ_AHEAD: usize = 65_536;

impl Default for Options {
    fn default() -> Self {
        Options { signatures: Signatures::default(), read_ahead: DEFAULT_READ_AHEAD }
    }
}

/// Recomputes one event's hash and compares it with the stored one; `Err` holds what is
/// broken. The signature is checked by the caller, alone or in a batch.
///
/// Stored text the store wrote canonically is hashed as it is; only text that is not, or
/// whose hash differs, is parsed (which names what is wrong, and gives the same hash).
fn hashed(event: StoredText<'_>) -> OwnChecks {
    if let Some((hash, seal)) = event.hash() {
        if parse_hash_hex(seal.hash) == Some(hash) {
            return Ok(Checked::new(hash, seal.prev_hash, seal.pseudonym, seal.signature));
        }
    }
    let (record, seal) = event.to_record()?;
    let hash = record.hash().map_err(|e| e.to_string())?;
    if Some(hash) != parse_hash_hex(&seal.hash) {
        return Err("content does not match its stored hash (payload or metadata edited)".into());
    }
    Ok(Checked::new(hash, &seal.prev_hash, seal.pseudonym.as_deref(), &seal.signature))
}

impl Checked {
    /// An event hashed to `hash`, with its seal's chain fields and signature; the
    /// signature not yet checked.
    fn new(hash: Hash32, prev_hash: &str, pseudonym: Option<&str>, signature: &str) -> Self {
        Checked {
            hash,
            prev_hash: parse_hash_hex(prev_hash),
            pseudonym: pseudonym.map(str::to_string),
            signature: SignatureText::new(signature),
            signature_ok: None,
        }
    }
}

/// The key of a stored event: its aggregate and sequence. Ordered as the events awaiting
/// sealing are checked: by aggregate type, id (bytes) and sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct EventKey {
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
}

impl EventKey {
    /// A break at this event.
    fn broken(self, position: Option<i64>, what: String) -> Broken {
        Broken {
            aggregate_type: Some(self.aggregate_type),
            aggregate_id: Some(self.aggregate_id),
            sequence: Some(self.sequence),
            position,
            what,
        }
    }
}

/// An events row as read, hashed where it is (on a blocking worker): a database row,
/// whose columns are borrowed rather than copied.
trait EventRow: Send + 'static {
    /// Its key and own checks; `Err` if its columns cannot be read.
    fn hashed_by_key(self) -> Result<(EventKey, OwnChecks), sqlx::Error>;
}

impl<R> EventRow for R
where
    R: sqlx::Row + Send + 'static,
    for<'a> &'a str: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    fn hashed_by_key(self) -> Result<(EventKey, OwnChecks), sqlx::Error> {
        let fields = fields_of_row(&self)?;
        let key = EventKey {
            aggregate_type: fields.aggregate_type.to_string(),
            aggregate_id: fields.aggregate_id.to_string(),
            sequence: fields.sequence,
        };
        Ok((key, hashed(fields)))
    }
}

/// An event's own checks with its signature checked alone (an event awaiting sealing,
/// which no checkpoint covers).
fn signature_checked(checks: OwnChecks, verifier: &LedgerVerifier) -> OwnChecks {
    let mut checked = checks?;
    checked.signature_ok = Some(verifier.verify_event_hash(&checked.hash, checked.signature.as_str()));
    Ok(checked)
}

/// Sealed rows per parallel job, and per batch of signatures.
const CHUNK: usize = 1024;

/// How long verify waits for a second connection to read the positions with.
const SECOND_CONNECTION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Jobs of [`CHUNK`] rows hashed ahead of the walk: two per core and two more, so the
/// workers are not short of a chunk while the walk takes one (on 2 cores, 6 rather than 3
/// took `ledger verify` of 1M events from 2.61 to 2.47 s, the mean of six runs each, for
/// 10 MiB more). Counted once: finding the cores reads the cgroup's files.
fn jobs_in_flight() -> usize {
    static JOBS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *JOBS.get_or_init(|| 2 * std::thread::available_parallelism().map_or(2, |n| n.get()) + 2)
}

/// A ledger row (a position, the key of the event it names and that event's hash) with
/// the event's own checks, if the event is there. The event, found by its key, has the
/// row's key.
struct ReadyRow {
    ledger: LedgerRow,
    event: Option<OwnChecks>,
}

/// One row of the positions table, as read.
#[derive(Debug, Clone, sqlx::FromRow)]
struct PositionRow {
    position: i64,
    l_aggregate_type: String,
    l_aggregate_id: String,
    l_sequence: i64,
    event_hash: String,
}

/// A position, the key of the event it names, and the hash it records (`None`: the
/// stored text is not a hash).
struct LedgerRow {
    position: i64,
    key: EventKey,
    event_hash: Option<Hash32>,
}

impl LedgerRow {
    /// A row selected with [`POSITION_COLUMNS`], read by column index, the hash parsed
    /// where it is rather than copied.
    fn from_row<R: sqlx::Row>(row: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        Ok(LedgerRow {
            position: row.try_get(0)?,
            key: EventKey {
                aggregate_type: row.try_get::<&str, _>(1)?.to_string(),
                aggregate_id: row.try_get::<&str, _>(2)?.to_string(),
                sequence: row.try_get(3)?,
            },
            event_hash: parse_hash_hex(row.try_get(4)?),
        })
    }
}

impl From<PositionRow> for LedgerRow {
    fn from(row: PositionRow) -> Self {
        LedgerRow {
            position: row.position,
            key: EventKey {
                aggregate_type: row.l_aggregate_type,
                aggregate_id: row.l_aggregate_id,
                sequence: row.l_sequence,
            },
            event_hash: parse_hash_hex(&row.event_hash),
        }
    }
}

impl ReadyRow {
    /// Hashes every event of a chunk, then (with [`Signatures::All`]) checks their
    /// signatures in one batch, each with the key active at its position.
    fn prepare_chunk(rows: Vec<SealedRow>, keys: &KeyHistory, signatures: Signatures) -> Vec<ReadyRow> {
        let mut ready: Vec<ReadyRow> = rows
            .into_iter()
            .map(|row| ReadyRow {
                ledger: row.ledger.into(),
                event: row.event.into_stored().map(|event| hashed(event.fields())),
            })
            .collect();
        if signatures == Signatures::Uncovered {
            return ready;
        }
        let items: Vec<_> = ready
            .iter()
            .filter_map(|row| match &row.event {
                Some(Ok(checked)) => Some((
                    keys.for_position(u64::try_from(row.ledger.position).unwrap_or(0)),
                    &checked.hash,
                    checked.signature.as_str(),
                )),
                _ => None,
            })
            .collect();
        let verdicts = ledger_format::keys::verify_event_hashes(&items);
        let mut verdicts = verdicts.into_iter();
        for row in &mut ready {
            if let Some(Ok(checked)) = &mut row.event {
                checked.signature_ok = Some(verdicts.next().unwrap_or(false));
            }
        }
        ready
    }
}

/// Reads sealed rows in position order (one query joining positions to events) while
/// blocking workers run the events' own checks on the chunks read ahead; yields them in
/// order. A read error is returned after every row read before it, so the first break is
/// still the one reported.
struct ReadAhead<S> {
    rows: S,
    keys: KeyHistory,
    signatures: Signatures,
    pending: std::collections::VecDeque<tokio::task::JoinHandle<Vec<ReadyRow>>>,
    ready: std::vec::IntoIter<ReadyRow>,
    error: Option<sqlx::Error>,
    done: bool,
}

impl<S: futures::Stream<Item = Result<SealedRow, sqlx::Error>> + Unpin> ReadAhead<S> {
    fn new(rows: S, keys: &KeyHistory, signatures: Signatures) -> Self {
        Self {
            rows,
            keys: keys.clone(),
            signatures,
            pending: Default::default(),
            ready: Vec::new().into_iter(),
            error: None,
            done: false,
        }
    }

    async fn next(&mut self) -> Result<Option<ReadyRow>, sqlx::Error> {
        loop {
            if let Some(row) = self.ready.next() {
                return Ok(Some(row));
            }
            while !self.done && self.pending.len() < jobs_in_flight() {
                let mut chunk = Vec::with_capacity(CHUNK);
                while chunk.len() < CHUNK {
                    match self.rows.try_next().await {
                        Ok(Some(row)) => chunk.push(row),
                        Ok(None) => self.done = true,
                        Err(error) => {
                            self.error = Some(error);
                            self.done = true;
                        }
                    }
                    if self.done {
                        break;
                    }
                }
                if !chunk.is_empty() {
                    let (keys, signatures) = (self.keys.clone(), self.signatures);
                    self.pending.push_back(tokio::task::spawn_blocking(move || {
                        ReadyRow::prepare_chunk(chunk, &keys, signatures)
                    }));
                }
            }
            match self.pending.pop_front() {
                Some(job) => self.ready = joined(job).await.into_iter(),
                None => return self.error.take().map_or(Ok(None), Err),
            }
        }
    }
}

/// The result of a blocking job; a panic in it is a panic here.
async fn joined<T>(job: tokio::task::JoinHandle<T>) -> T {
    job.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// What [`Merge::unsealed`] needs next, or found.
enum Unsealed {
    /// More events ([`Merge::add_events`]; none left: an empty batch).
    NeedEvents,
    /// More events no position names than it may hold: search for them with a query.
    TooMany,
    /// Every event no position names (those awaiting sealing), in key order.
    All(Vec<(EventKey, OwnChecks)>),
    /// An events row could not be read.
    Failed(sqlx::Error),
}

/// What [`Merge`] needs next.
enum Step {
    /// The next sealed row, in position order.
    Row(Box<ReadyRow>),
    /// More positions, in position order ([`Merge::add_positions`]; none left: an empty
    /// batch).
    NeedPositions,
    /// More events, in the table's order ([`Merge::add_events`]; none left: an empty
    /// batch).
    NeedEvents,
    /// Too many events were read ahead of their positions: read the rest, from the row
    /// not yet given, with the joining query.
    TooFarAhead,
    /// Every position was given.
    Done,
    /// An events row could not be read.
    Failed(sqlx::Error),
}

/// A chunk of events rows hashed on a worker: each event's key and own checks, or why a
/// row could not be read.
type HashedChunk = Result<Vec<(EventKey, OwnChecks)>, sqlx::Error>;

/// Joins the positions (read in position order) to the events (read in the order the
/// table holds them, which is the order they were committed in, so nearly position order)
/// as both are read: two plain scans instead of an index lookup per event. Events are
/// hashed on blocking workers as they arrive and held by key until their position comes.
/// It does no reading itself: [`Merge::step`] says what it needs.
struct Merge {
    positions: std::collections::VecDeque<LedgerRow>,
    positions_done: bool,
    /// Events hashed, not yet reached by the positions.
    ahead: std::collections::HashMap<EventKey, OwnChecks>,
    pending: std::collections::VecDeque<tokio::task::JoinHandle<HashedChunk>>,
    events_done: bool,
    /// How many events it may hold ahead ([`Options::read_ahead`]).
    limit: usize,
}

impl Merge {
    fn new(limit: usize) -> Self {
        Merge {
            limit,
            positions: Default::default(),
            positions_done: false,
            ahead: Default::default(),
            pending: Default::default(),
            events_done: false,
        }
    }

    fn add_positions(&mut self, rows: Vec<LedgerRow>) {
        self.positions_done = rows.is_empty();
        self.positions.extend(rows);
    }

    fn add_events<R: EventRow>(&mut self, rows: Vec<R>) {
        self.events_done = rows.is_empty();
        if !rows.is_empty() {
            self.pending
                .push_back(tokio::task::spawn_blocking(move || rows.into_iter().map(R::hashed_by_key).collect()));
        }
    }

    async fn step(&mut self) -> Step {
        loop {
            let Some(next) = self.positions.front() else {
                return if self.positions_done { Step::Done } else { Step::NeedPositions };
            };
            if let Some(event) = self.ahead.remove(&next.key) {
                let ledger = self.positions.pop_front().map(|ledger| Box::new(ReadyRow { ledger, event: Some(event) }));
                return ledger.map_or(Step::Done, Step::Row);
            }
            if !self.events_done && self.pending.len() < jobs_in_flight() {
                return Step::NeedEvents;
            }
            match self.pending.pop_front() {
                Some(job) => {
                    match joined(job).await {
                        Ok(events) => self.ahead.extend(events),
                        Err(e) => return Step::Failed(e),
                    }
                    if self.ahead.len() > self.limit {
                        return Step::TooFarAhead;
                    }
                }
                // Every event was read: this position's is not there.
                None => {
                    let ledger = self.positions.pop_front().map(|ledger| Box::new(ReadyRow { ledger, event: None }));
                    return ledger.map_or(Step::Done, Step::Row);
                }
            }
        }
    }

    /// Once [`Step::Done`]: reads the events scan to its end; what no position named is
    /// what awaits sealing (both scans share one snapshot).
    async fn unsealed(&mut self) -> Unsealed {
        loop {
            if !self.events_done && self.pending.len() < jobs_in_flight() {
                return Unsealed::NeedEvents;
            }
            let Some(job) = self.pending.pop_front() else {
                let mut rest: Vec<_> = self.ahead.drain().collect();
                rest.sort_by(|a, b| a.0.cmp(&b.0));
                return Unsealed::All(rest);
            };
            match joined(job).await {
                Ok(events) => self.ahead.extend(events),
                Err(e) => return Unsealed::Failed(e),
            }
            if self.ahead.len() > self.limit {
                return Unsealed::TooMany;
            }
        }
    }
}

/// Per-aggregate chain state, fed event by event in ledger order.
struct Walk {
    chains: Chains,
    events: u64,
}

impl Walk {
    /// Checks one stored event, given its own checks; returns its recomputed hash.
    fn check(&mut self, key: &EventKey, checked: OwnChecks, position: Option<i64>) -> Result<[u8; 32], Broken> {
        let broken = |what: String| key.clone().broken(position, what);
        let checked = checked.map_err(broken)?;
        let sequence = u64::try_from(key.sequence).map_err(|_| broken("negative sequence".into()))?;
        let chain_id = checked.pseudonym.as_deref().unwrap_or(&key.aggregate_id);
        self.chains
            .link_hashes(&key.aggregate_type, chain_id, sequence, checked.prev_hash, checked.hash)
            .map_err(|e| broken(e.to_string()))?;
        if checked.signature_ok == Some(false) {
            return Err(broken(BAD_SIGNATURE.into()));
        }
        self.events += 1;
        Ok(checked.hash)
    }
}

const BAD_SIGNATURE: &str = "recorder signature does not verify (event not signed by the ledger key for its position)";

/// A sealed event whose signature was left to the next checkpoint.
struct Unchecked {
    position: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    hash: [u8; 32],
    signature: SignatureText,
}

/// The first of `events` whose signature does not verify, as a break: where a recomputed
/// root differs from a signed one, this names the forged event.
fn first_bad_signature(events: &[Unchecked], keys: &KeyHistory) -> Option<Broken> {
    let items: Vec<_> = events
        .iter()
        .map(|e| (keys.for_position(u64::try_from(e.position).unwrap_or(0)), &e.hash, e.signature.as_str()))
        .collect();
    let verdicts = ledger_format::keys::verify_event_hashes(&items);
    let bad = events.iter().zip(verdicts).find(|(_, ok)| !ok)?.0;
    Some(Broken {
        aggregate_type: Some(bad.aggregate_type.clone()),
        aggregate_id: Some(bad.aggregate_id.clone()),
        sequence: Some(bad.sequence),
        position: Some(bad.position),
        what: BAD_SIGNATURE.into(),
    })
}

/// The walk over the sealed rows in position order: each event's chain and leaf, the
/// Merkle tree, and every signed (and pinned) checkpoint at its size.
struct SealedWalk<'a> {
    walk: Walk,
    tree: CompactTree,
    keys: &'a KeyHistory,
    checkpoints: std::iter::Peekable<std::slice::Iter<'a, Checkpoint>>,
    pinned: std::iter::Peekable<std::vec::IntoIter<&'a Checkpoint>>,
    /// Events since the last good checkpoint whose signatures were left to it.
    unchecked: Vec<Unchecked>,
}

impl SealedWalk<'_> {
    /// The position the next row must have.
    fn expected(&self) -> i64 {
        i64::try_from(self.tree.size()).unwrap_or(i64::MAX)
    }

    /// Where a recomputed root differs from a checkpoint's: the forged event among those
    /// whose signatures were left to it, or else the position it was found at.
    fn root_differs(&self, position: i64, what: String) -> Broken {
        first_bad_signature(&self.unchecked, self.keys).unwrap_or_else(|| at_position(position, what))
    }

    fn row(&mut self, row: ReadyRow) -> Result<(), Broken> {
        let ReadyRow { ledger: LedgerRow { position, key, event_hash }, event } = row;
        let expected = self.expected();
        if position != expected {
            return Err(at_position(expected, format!("ledger position {expected} is missing (next is {position})")));
        }
        let Some(checked) = event else {
            return Err(
                key.broken(Some(position), "the sealed event is missing from the events table (deleted)".into())
            );
        };
        let signature = match &checked {
            Ok(c) if c.signature_ok.is_none() => Some(c.signature),
            _ => None,
        };
        let hash = self.walk.check(&key, checked, Some(position))?;
        if event_hash != Some(hash) {
            return Err(key.broken(Some(position), "the ledger leaf does not match the event's hash".into()));
        }
        if let Some(signature) = signature {
            let EventKey { aggregate_type, aggregate_id, sequence } = key;
            self.unchecked.push(Unchecked { position, aggregate_type, aggregate_id, sequence, hash, signature });
        }
        self.tree.push_event_hash(&hash);
        let size = self.tree.size();
        while let Some(cp) = self.checkpoints.next_if(|cp| cp.size == size) {
            if cp.root != self.tree.root().0 {
                return Err(self.root_differs(
                    position,
                    format!("the signed checkpoint of tree size {size} does not match the recomputed Merkle root"),
                ));
            }
            // The checkpoint vouches for the signatures of the events it covers.
            self.unchecked.clear();
        }
        while let Some(cp) = self.pinned.next_if(|cp| cp.size == size) {
            if cp.root != self.tree.root().0 {
                return Err(self.root_differs(
                    position,
                    format!(
                        "the ledger at tree size {size} does not match the checkpoint you hold (history was rewritten)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The id of the one `signing_key` aggregate.
fn domain_key_id() -> String {
    "ledger".to_string()
}

fn at_position(position: i64, what: String) -> Broken {
    Broken { aggregate_type: None, aggregate_id: None, sequence: None, position: Some(position), what }
}

/// Verifies the whole ledger against the public key; `progress(events)` is called now and then.
pub async fn verify(
    db: &Db,
    verifier: &LedgerVerifier,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary, VerifyError> {
    verify_with(db, verifier, &[], progress).await
}

/// [`verify`], checking every event's signature ([`Signatures::All`]).
pub async fn verify_all_signatures(
    db: &Db,
    verifier: &LedgerVerifier,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary, VerifyError> {
    verify_witnessed(
        db,
        verifier,
        &[],
        &Witnesses::default(),
        Options { signatures: Signatures::All, ..Options::default() },
        progress,
    )
    .await
}

/// [`verify`], also checking checkpoints the caller held on to (already signature-checked):
/// the recomputed tree must have each one's root at its size. This catches a rewritten
/// history even when the checkpoint table was rewritten with it.
pub async fn verify_with(
    db: &Db,
    verifier: &LedgerVerifier,
    pinned: &[Checkpoint],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary, VerifyError> {
    verify_witnessed(db, verifier, pinned, &Witnesses::default(), Options::default(), progress).await
}

/// The witnesses whose cosignatures count, and how many a checkpoint needs.
#[derive(Debug, Clone, Default)]
pub struct Witnesses {
    pub keys: Vec<WitnessVerifier>,
    pub quorum: usize,
}

/// [`verify_with`], and with the witnesses' keys: every stored cosignature by one of them
/// must verify over its checkpoint (a history rewritten with the ledger's key cannot carry
/// them), and the summary names the latest checkpoint a quorum of them cosigned.
pub async fn verify_witnessed(
    db: &Db,
    verifier: &LedgerVerifier,
    pinned: &[Checkpoint],
    witnesses: &Witnesses,
    options: Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary, VerifyError> {
    let broken = |b: Broken| VerifyError::Broken(b);
    let signatures = options.signatures;
    let sealed_sql = sealed_rows_sql(db);
    let unsealed_sql = format!(
        "SELECT {} FROM events e LEFT JOIN positions l \
         ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence \
         WHERE l.position IS NULL ORDER BY e.aggregate_type{collate}, e.aggregate_id{collate}, e.sequence",
        StoredEvent::columns(db),
        // Byte order, as SQLite's and [`EventKey`]'s, whatever the database's collation.
        collate = if db.is_postgres() { " COLLATE \"C\"" } else { "" }
    );

    let postgres = db.is_postgres();
    with_pool!(db, pool => {
        // Every read from one snapshot, so a live ledger verifies as of one instant.
        let mut tx = pool.begin().await?;
        if postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        }
        let checkpoint_rows: Vec<CheckpointRow> =
            sqlx::query_as("SELECT tree_size, root_hash, note FROM checkpoints ORDER BY tree_size").fetch_all(&mut *tx).await?;
        // The key history the ledger records, checked from the key given (any key of it).
        let handover_rows: Vec<(String, Option<i64>)> =
            sqlx::query_as(&crate::keys::handovers_sql(db)).fetch_all(&mut *tx).await?;
        let recorded = crate::keys::parse_handovers(handover_rows)
            .map_err(|e| broken(Broken { aggregate_type: Some(crate::keys::SIGNING_KEY_TYPE.into()), aggregate_id: None, sequence: None, position: None, what: e }))?;
        let origin = checkpoint_rows
            .first()
            .and_then(|row| row.note.split('\n').next().map(str::to_string))
            .unwrap_or_else(|| verifier.name().to_string());
        let handovers: Vec<_> = recorded.iter().map(|r| r.handover.clone()).collect();
        let keys = match KeyHistory::new(&origin, &handovers, verifier) {
            Ok(keys) => keys,
            Err(KeyHistoryError::NotInHistory { given, keys }) => {
                return Err(VerifyError::KeyMismatch { given, signed_by: keys });
            }
            Err(e) => {
                let at = e.index().and_then(|i| recorded.get(i)).and_then(|r| r.position);
                return Err(broken(Broken {
                    aggregate_type: Some(crate::keys::SIGNING_KEY_TYPE.into()),
                    aggregate_id: Some(domain_key_id()),
                    sequence: e.index().map(|i| i as i64 + 1),
                    position: at,
                    what: format!("key history: {e}"),
                }));
            }
        };
        // Each handover was recorded with the ledger otherwise still: its event sits just
        // before the first position the new key signs.
        for (i, r) in recorded.iter().enumerate() {
            let expected = i64::try_from(r.handover.from_position).unwrap_or(i64::MAX) - 1;
            if r.position.is_some_and(|p| p != expected) {
                return Err(broken(Broken {
                    aggregate_type: Some(crate::keys::SIGNING_KEY_TYPE.into()),
                    aggregate_id: Some(domain_key_id()),
                    sequence: Some(i as i64 + 1),
                    position: r.position,
                    what: format!(
                        "key handover {i} names position {} as the new key's first, but it was sealed at position {} (it must sit just before)",
                        r.handover.from_position,
                        r.position.unwrap_or_default()
                    ),
                }));
            }
        }
        let mut checkpoints = Vec::with_capacity(checkpoint_rows.len());
        for row in &checkpoint_rows {
            let what = |w: &str| at_position(row.tree_size - 1, format!("checkpoint of tree size {}: {w}", row.tree_size));
            let opened = match keys.open_checkpoint(&row.note) {
                Ok(opened) => opened,
                Err(e) => {
                    let signers = Checkpoint::signers(&row.note);
                    let ours = signers.iter().any(|(name, id)| keys.names(name, *id));
                    if !ours && !signers.is_empty() {
                        let signed_by = signers
                            .iter()
                            .map(|(name, id)| format!("{name} (key id {id:08x})"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let given = format!("{} (key id {:08x})", verifier.name(), verifier.key_id());
                        return Err(VerifyError::KeyMismatch { given, signed_by });
                    }
                    return Err(broken(what(&e.to_string())));
                }
            };
            if i64::try_from(opened.size).ok() != Some(row.tree_size) || hex::encode(opened.root) != row.root_hash {
                return Err(broken(what("the stored size or root differs from the signed note")));
            }
            checkpoints.push(opened);
        }
        // Cosignatures by the witnesses given: each must verify over its checkpoint's body.
        let mut witnessed: Option<(u64, usize)> = None;
        if !witnesses.keys.is_empty() {
            let rows: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT tree_size, witness, signature_line FROM cosignatures ORDER BY tree_size")
                    .fetch_all(&mut *tx)
                    .await?;
            let mut counts: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
            for (tree_size, witness, line) in rows {
                let Some(key) = witnesses.keys.iter().find(|k| k.encoded() == witness || k.name() == witness) else {
                    continue;
                };
                let Some(row) = checkpoint_rows.iter().find(|r| r.tree_size == tree_size) else { continue };
                let body = ledger_format::cosignature::checkpoint_body(&row.note)
                    .map_err(|e| broken(at_position(tree_size - 1, format!("checkpoint of tree size {tree_size}: {e}"))))?;
                key.verify(body, &line).map_err(|e| {
                    broken(at_position(
                        tree_size - 1,
                        format!("checkpoint of tree size {tree_size}: the cosignature of witness {} does not verify ({e}): the checkpoint is not the one the witness saw", key.name()),
                    ))
                })?;
                *counts.entry(tree_size).or_default() += 1;
            }
            witnessed = counts
                .into_iter()
                .filter(|(_, n)| *n >= witnesses.quorum.max(1))
                .max_by_key(|(size, _)| *size)
                .map(|(size, n)| (u64::try_from(size).unwrap_or(0), n));
        }
        let mut pinned: Vec<&Checkpoint> = pinned.iter().collect();
        pinned.sort_by_key(|c| c.size);
        let mut sealed = SealedWalk {
            walk: Walk { chains: Chains::new(), events: 0 },
            tree: CompactTree::new(),
            keys: &keys,
            checkpoints: checkpoints.iter().peekable(),
            pinned: pinned.into_iter().peekable(),
            unchecked: Vec::new(),
        };
        let report = |walk: &Walk| {
            if walk.events.is_multiple_of(65_536) {
                progress(walk.events);
            }
        };
        // On PostgreSQL the positions and the events are read in two plain scans, on two
        // connections sharing this transaction's snapshot, and joined here. Not on a
        // standby (it cannot export a snapshot), nor with every signature checked in
        // batches (each needs its event's position first), nor when no second connection
        // is to be had: then one query joins them.
        let mut all_merged = false;
        // The events awaiting sealing, when the events scan found them.
        let mut unsealed: Option<Vec<(EventKey, OwnChecks)>> = None;
        let second = if postgres && signatures == Signatures::Uncovered {
            let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&mut *tx).await?;
            match standby {
                true => None,
                false => tokio::time::timeout(SECOND_CONNECTION_WAIT, pool.begin()).await.ok().and_then(Result::ok),
            }
        } else {
            None
        };
        if let Some(mut events_tx) = second {
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?;
            // Synchronised scans would start this one where the table's last scan stopped
            // (PostgreSQL shares one start hint per table): after a scan cut short, the
            // events would come from the middle of the table onwards, all ahead of their
            // positions, until read-ahead ran out. This scan starts at the table's start.
            sqlx::raw_sql(&format!(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'; \
                 SET LOCAL synchronize_seqscans = off",
                snapshot.replace('\'', "")
            ))
            .execute(&mut *events_tx)
            .await?;
            // The events are read and decoded by a task of their own, chunk by chunk, so
            // that runs beside the walk; it stops when the chunks are no longer wanted.
            let (chunks, mut events) = tokio::sync::mpsc::channel(jobs_in_flight());
            let events_sql = format!("SELECT {} FROM events e", StoredEvent::columns(db));
            tokio::spawn(async move {
                // Rows as they come: the workers hash their columns where they are.
                let mut rows = sqlx::query(&events_sql).fetch(&mut *events_tx);
                loop {
                    let mut chunk = Vec::with_capacity(CHUNK);
                    let read = loop {
                        match rows.try_next().await {
                            Ok(Some(row)) => chunk.push(row),
                            Ok(None) => break Ok(()),
                            Err(e) => break Err(e),
                        }
                        if chunk.len() == CHUNK {
                            break Ok(());
                        }
                    };
                    let last = chunk.is_empty() || read.is_err();
                    if chunks.send(read.map(|()| chunk)).await.is_err() || last {
                        break;
                    }
                }
                drop(rows);
                let _ = events_tx.rollback().await;
            });
            let positions_sql = format!("SELECT {POSITION_COLUMNS} FROM positions l ORDER BY l.position");
            let mut positions = sqlx::query(&positions_sql).fetch(&mut *tx);
            let mut merge = Merge::new(options.read_ahead);
            loop {
                match merge.step().await {
                    Step::Row(row) => {
                        sealed.row(*row).map_err(broken)?;
                        report(&sealed.walk);
                    }
                    Step::NeedPositions => {
                        let mut rows = Vec::with_capacity(4 * CHUNK);
                        while rows.len() < 4 * CHUNK {
                            match positions.try_next().await? {
                                Some(row) => rows.push(LedgerRow::from_row(&row)?),
                                None => break,
                            }
                        }
                        merge.add_positions(rows);
                    }
                    Step::NeedEvents => merge.add_events(events.recv().await.transpose()?.unwrap_or_default()),
                    Step::TooFarAhead => break,
                    Step::Failed(e) => return Err(e.into()),
                    Step::Done => {
                        all_merged = true;
                        break;
                    }
                }
            }
            // Every sealed row checked: the events scan, read to its end, also finds the
            // events awaiting sealing (unless there are more than read-ahead allows).
            if all_merged {
                unsealed = loop {
                    match merge.unsealed().await {
                        Unsealed::NeedEvents => {
                            merge.add_events(events.recv().await.transpose()?.unwrap_or_default());
                        }
                        Unsealed::TooMany => break None,
                        Unsealed::Failed(e) => return Err(e.into()),
                        Unsealed::All(rest) => break Some(rest),
                    }
                };
            }
        }
        // Otherwise (or for the rest, when the tables' orders differ too much), one query
        // joins them in position order.
        if !all_merged {
            let from = sealed.expected();
            let mut rows =
                ReadAhead::new(sqlx::query_as::<_, SealedRow>(&sealed_sql).bind(from).fetch(&mut *tx), &keys, signatures);
            while let Some(row) = rows.next().await? {
                sealed.row(row).map_err(broken)?;
                report(&sealed.walk);
            }
        }
        let SealedWalk { mut walk, tree, checkpoints: mut rest, mut pinned, unchecked, .. } = sealed;
        if let Some(cp) = rest.next() {
            return Err(broken(at_position(i64::try_from(tree.size()).unwrap_or(0), format!(
                "a signed checkpoint covers {} events but the ledger holds only {} (events removed)", cp.size, tree.size()
            ))));
        }
        if let Some(cp) = pinned.next() {
            return Err(broken(at_position(i64::try_from(tree.size()).unwrap_or(0), format!(
                "the checkpoint you hold covers {} events but the ledger holds only {} (history was removed)", cp.size, tree.size()
            ))));
        }
        // Custody: the sealer signs a checkpoint in the very transaction that gives positions,
        // so every sealed event is covered by one. Sealed events beyond the latest
        // checkpoint, or with no checkpoint at all, mean checkpoints were removed.
        let covered = checkpoints.last().map_or(0, |c| c.size);
        if tree.size() > covered {
            if let Some(bad) = first_bad_signature(&unchecked, &keys) {
                return Err(broken(bad));
            }
            let what = if checkpoints.is_empty() {
                format!(
                    "the ledger holds {} sealed events but no signed checkpoint at all (checkpoints removed?)",
                    tree.size()
                )
            } else {
                format!(
                    "not covered by any signed checkpoint: the latest covers {covered} events, the ledger holds {} \
                     (a newer checkpoint removed?)",
                    tree.size()
                )
            };
            return Err(broken(at_position(i64::try_from(covered).unwrap_or(i64::MAX), what)));
        }
        let sealed_events = walk.events;
        if let Some(rest) = unsealed {
            // Found by the events scan: checked in the order the query below gives.
            for (key, checked) in rest {
                walk.check(&key, signature_checked(checked, keys.latest()), None).map_err(broken)?;
            }
        } else if u64::try_from(sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events").fetch_one(&mut *tx).await?)
            .unwrap_or(u64::MAX)
            > sealed_events
        {
            // Every sealed position had its own event (keys are unique in both tables), so
            // when the table holds no more events than that, none awaits sealing and the
            // search for them (a scan of the whole table) is skipped.
            let mut unsealed = sqlx::query_as::<_, StoredEvent>(&unsealed_sql).fetch(&mut *tx);
            while let Some(event) = unsealed.try_next().await? {
                let checked = signature_checked(hashed(event.fields()), keys.latest());
                let StoredEvent { aggregate_type, aggregate_id, sequence, .. } = event;
                walk.check(&EventKey { aggregate_type, aggregate_id, sequence }, checked, None).map_err(broken)?;
            }
        }
        tx.rollback().await?;
        progress(walk.events);
        if tree.size() > 0 {
            // The stored tree hashes serve proofs: they must agree with the recomputed tree.
            let last = i64::try_from(tree.size()).unwrap_or(i64::MAX) - 1;
            let stored = crate::proofs::Proofs::new(db.clone())
                .root(tree.size())
                .await
                .map_err(|e| broken(at_position(last, format!("stored Merkle hashes: {e}"))))?;
            if stored.0 != tree.root().0 {
                return Err(broken(at_position(last,
                    "the stored Merkle hashes (used for proofs) disagree with the recomputed tree".into())));
            }
        }
        Ok(Summary {
            events: walk.events,
            aggregates: walk.chains.aggregates() as u64,
            unsealed: walk.events - sealed_events,
            tree_size: tree.size(),
            root: hex::encode(tree.root().0),
            checkpoints: checkpoints.len() as u64,
            witnessed,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_held_whole_or_not_at_all() {
        let signature = "A".repeat(86) + "==";
        assert_eq!(SignatureText::new(&signature).as_str(), signature);
        assert_eq!(SignatureText::new("c2ln").as_str(), "c2ln");
        // Too long to be an Ed25519 signature: held as the empty text, which no key
        // verifies.
        let long = "A".repeat(89);
        assert_eq!(SignatureText::new(&long).as_str(), "");
        let verifier = ledger_format::LedgerSigner::from_seed("test.example/ledger", [7; 32]).unwrap().verifier();
        assert!(!verifier.verify_event_hash(&[0; 32], SignatureText::new(&long).as_str()));
    }

    fn position(position: i64, id: &str) -> PositionRow {
        PositionRow {
            position,
            l_aggregate_type: "meeting".into(),
            l_aggregate_id: id.into(),
            l_sequence: 1,
            event_hash: String::new(),
        }
    }

    fn event(id: &str) -> StoredEvent {
        StoredEvent {
            aggregate_type: "meeting".into(),
            aggregate_id: id.into(),
            sequence: 1,
            event_type: "MeetingScheduled".into(),
            event_version: "1".into(),
            payload: "{}".into(),
            metadata: "{}".into(),
        }
    }

    /// What a merge run to its end gave.
    #[derive(Debug, PartialEq)]
    enum Merged {
        /// It stopped there: too many events were ahead.
        TooFarAhead(Vec<(i64, Option<String>)>),
        /// Every position given, and the ids of the events no position named (`None`: more
        /// than it may hold).
        Done(Vec<(i64, Option<String>)>, Option<Vec<String>>),
        /// An events row could not be read, after these rows.
        Failed(Vec<(i64, Option<String>)>, String),
    }

    /// Runs a merge to its end, handing it positions two at a time and events three at a
    /// time: the positions and event ids of the rows it gives, then the events left over.
    async fn merged<R: EventRow>(limit: usize, positions: Vec<PositionRow>, events: Vec<R>) -> Merged {
        let mut merge = Merge::new(limit);
        let (mut positions, mut events) = (positions.into_iter(), events.into_iter());
        let mut rows = Vec::new();
        loop {
            match merge.step().await {
                Step::Row(row) => {
                    let ReadyRow { ledger, event } = *row;
                    rows.push((ledger.position, event.map(|_| ledger.key.aggregate_id)));
                }
                Step::NeedPositions => merge.add_positions(positions.by_ref().take(2).map(LedgerRow::from).collect()),
                Step::NeedEvents => merge.add_events(events.by_ref().take(3).collect()),
                Step::TooFarAhead => return Merged::TooFarAhead(rows),
                Step::Failed(e) => return Merged::Failed(rows, e.to_string()),
                Step::Done => break,
            }
        }
        loop {
            match merge.unsealed().await {
                Unsealed::NeedEvents => merge.add_events(events.by_ref().take(3).collect()),
                Unsealed::TooMany => return Merged::Done(rows, None),
                Unsealed::Failed(e) => return Merged::Failed(rows, e.to_string()),
                Unsealed::All(rest) => {
                    return Merged::Done(rows, Some(rest.into_iter().map(|(key, _)| key.aggregate_id).collect()));
                }
            }
        }
    }

    #[tokio::test]
    async fn rows_come_in_position_order_whatever_order_the_events_are_read_in() {
        let ids: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
        let positions: Vec<_> = ids.iter().enumerate().map(|(i, id)| position(i as i64, id)).collect();
        // Read backwards, one event deleted, one awaiting sealing.
        let mut events: Vec<_> = ids.iter().filter(|id| *id != "m4").map(|id| event(id)).collect();
        events.push(event("unsealed"));
        events.reverse();
        let expected: Vec<_> =
            ids.iter().enumerate().map(|(i, id)| (i as i64, (id != "m4").then(|| id.clone()))).collect();
        assert_eq!(merged(100, positions, events).await, Merged::Done(expected, Some(vec!["unsealed".into()])));
    }

    #[tokio::test]
    async fn the_events_no_position_names_are_those_awaiting_sealing_in_key_order() {
        let ids: Vec<String> = (0..6).map(|i| format!("m{i}")).collect();
        let positions: Vec<_> = ids.iter().enumerate().map(|(i, id)| position(i as i64, id)).collect();
        // Events awaiting sealing, read before, among and after the sealed ones.
        let mut events = vec![event("u3"), event("u1")];
        events.extend(ids.iter().map(|id| event(id)));
        events.extend([event("u2"), event("u0"), event("u4")]);
        let rows: Vec<_> = ids.iter().enumerate().map(|(i, id)| (i as i64, Some(id.clone()))).collect();
        let unsealed: Vec<String> = (0..5).map(|i| format!("u{i}")).collect();
        assert_eq!(merged(100, positions.clone(), events).await, Merged::Done(rows.clone(), Some(unsealed)));
        // More of them than it may hold: left to the query that searches for them.
        let mut events: Vec<_> = ids.iter().map(|id| event(id)).collect();
        events.extend(["u2", "u0", "u4", "u3", "u1"].map(event));
        assert_eq!(merged(3, positions, events).await, Merged::Done(rows, None));
    }

    #[tokio::test]
    async fn too_many_events_ahead_of_their_positions_stop_the_merge_where_it_is() {
        let ids: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
        let positions: Vec<_> = ids.iter().enumerate().map(|(i, id)| position(i as i64, id)).collect();
        // m0 and m1 come first; then the rest backwards, more than 4 ahead of m2.
        let mut events: Vec<_> = ids[..2].iter().map(|id| event(id)).collect();
        events.extend(ids[2..].iter().rev().map(|id| event(id)));
        assert_eq!(
            merged(4, positions, events).await,
            Merged::TooFarAhead(vec![(0, Some("m0".into())), (1, Some("m1".into()))])
        );
    }

    /// Events rows as the tests give them.
    impl EventRow for StoredEvent {
        fn hashed_by_key(self) -> Result<(EventKey, OwnChecks), sqlx::Error> {
            let checked = hashed(self.fields());
            let StoredEvent { aggregate_type, aggregate_id, sequence, .. } = self;
            Ok((EventKey { aggregate_type, aggregate_id, sequence }, checked))
        }
    }

    /// An events row whose columns cannot be read.
    struct Unreadable(StoredEvent);

    impl EventRow for Unreadable {
        fn hashed_by_key(self) -> Result<(EventKey, OwnChecks), sqlx::Error> {
            match self.0.aggregate_id.as_str() {
                "m2" => Err(sqlx::Error::ColumnNotFound("payload".into())),
                _ => self.0.hashed_by_key(),
            }
        }
    }

    #[tokio::test]
    async fn an_events_row_that_cannot_be_read_stops_the_merge_with_its_error() {
        let ids: Vec<String> = (0..6).map(|i| format!("m{i}")).collect();
        let positions: Vec<_> = ids.iter().enumerate().map(|(i, id)| position(i as i64, id)).collect();
        let events: Vec<_> = ids.iter().map(|id| Unreadable(event(id))).collect();
        match merged(100, positions, events).await {
            Merged::Failed(rows, error) => {
                assert!(error.contains("payload"), "{error}");
                // Only rows before the unreadable chunk were given.
                assert!(rows.iter().all(|(position, _)| *position < 3), "{rows:?}");
            }
            other => panic!("the merge went on: {other:?}"),
        }
    }
}
