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
//! The key given may be any key of the ledger's key history (the `KeyRotated` events,
//! docs/LEDGER-FORMAT.md §8.4): the history is checked from it, and each event and
//! checkpoint is checked with the key active at its position.

use std::fmt;

use futures::TryStreamExt as _;
use ledger_format::cosignature::WitnessVerifier;
use ledger_format::merkle::CompactTree;
use ledger_format::record::parse_hash_hex;
use ledger_format::{Chains, EventRecord};
use ledger_format::{Checkpoint, KeyHistory, KeyHistoryError, LedgerVerifier};

use crate::stored::StoredEvent;
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

/// The query verify reads sealed events with, in position order: each ledger row with its
/// event, if the event is still there (also timed by the benchmark).
///
/// It walks the positions in their key's order and looks each event up by its key, so
/// rows stream from the first with nothing to sort: joining the two tables whole and
/// sorting a million rows by position took most of verify's read time. PostgreSQL is
/// told so with a lateral lookup (it would otherwise hash the whole events table);
/// SQLite plans the plain join that way itself.
pub fn sealed_rows_sql(db: &Db) -> String {
    let columns = format!(
        "e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version, {} AS payload, {} AS metadata",
        db.json_text("e.payload"),
        db.json_text("e.metadata")
    );
    let positions = "l.position, l.aggregate_type AS l_aggregate_type, l.aggregate_id AS l_aggregate_id, \
                     l.sequence AS l_sequence, l.event_hash";
    let key = "e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence";
    if db.is_postgres() {
        format!(
            "SELECT {positions}, e.* FROM positions l LEFT JOIN LATERAL \
             (SELECT {columns} FROM events e WHERE {key}) e ON true ORDER BY l.position"
        )
    } else {
        format!("SELECT {positions}, {columns} FROM positions l LEFT JOIN events e ON {key} ORDER BY l.position")
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
    position: i64,
    l_aggregate_type: String,
    l_aggregate_id: String,
    l_sequence: i64,
    event_hash: String,
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
/// expensive, independent part (JSON, canonical bytes, SHA-256, Ed25519), which verify
/// runs on all cores ahead of the in-order walk.
struct Checked {
    hash: [u8; 32],
    record: EventRecord,
    signature: String,
    /// `None` where the signature was left to the checkpoint covering the event.
    signature_ok: Option<bool>,
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

/// Recomputes one event's hash and compares it with the stored one; `Err` holds what is
/// broken. The signature is checked by the caller, alone or in a batch.
fn hashed(event: &StoredEvent) -> Result<Checked, String> {
    let (record, seal) = event.to_record()?;
    let hash = record.hash().map_err(|e| e.to_string())?;
    if Some(hash) != parse_hash_hex(&seal.hash) {
        return Err("content does not match its stored hash (payload or metadata edited)".into());
    }
    Ok(Checked { hash, record, signature: seal.signature, signature_ok: None })
}

/// [`hashed`], and the signature checked alone.
fn prepare(event: &StoredEvent, verifier: &LedgerVerifier) -> Result<Checked, String> {
    let mut checked = hashed(event)?;
    checked.signature_ok = Some(verifier.verify_event_hash(&checked.hash, &checked.signature));
    Ok(checked)
}

/// Sealed rows per parallel job, and per batch of signatures.
const CHUNK: usize = 1024;

/// A sealed row with its event and the event's own checks done.
struct ReadyRow {
    position: i64,
    l_aggregate_type: String,
    l_aggregate_id: String,
    l_sequence: i64,
    event_hash: String,
    event: Option<(StoredEvent, Result<Checked, String>)>,
}

impl ReadyRow {
    /// Hashes every event of a chunk, then (with [`Signatures::All`]) checks their
    /// signatures in one batch, each with the key active at its position.
    fn prepare_chunk(rows: Vec<SealedRow>, keys: &KeyHistory, signatures: Signatures) -> Vec<ReadyRow> {
        let mut ready: Vec<ReadyRow> = rows
            .into_iter()
            .map(|row| {
                let event = row.event.into_stored().map(|event| {
                    let checked = hashed(&event);
                    (event, checked)
                });
                ReadyRow {
                    position: row.position,
                    l_aggregate_type: row.l_aggregate_type,
                    l_aggregate_id: row.l_aggregate_id,
                    l_sequence: row.l_sequence,
                    event_hash: row.event_hash,
                    event,
                }
            })
            .collect();
        if signatures == Signatures::Uncovered {
            return ready;
        }
        let items: Vec<_> = ready
            .iter()
            .filter_map(|row| match &row.event {
                Some((_, Ok(checked))) => Some((
                    keys.for_position(u64::try_from(row.position).unwrap_or(0)),
                    &checked.hash,
                    checked.signature.as_str(),
                )),
                _ => None,
            })
            .collect();
        let verdicts = ledger_format::keys::verify_event_hashes(&items);
        let mut verdicts = verdicts.into_iter();
        for row in &mut ready {
            if let Some((_, Ok(checked))) = &mut row.event {
                checked.signature_ok = Some(verdicts.next().unwrap_or(false));
            }
        }
        ready
    }
}

/// Reads sealed rows in position order while blocking workers run [`prepare`] on the
/// chunks read ahead; yields them in order. A read error is returned after every row
/// read before it, so the first break is still the one reported.
struct ReadAhead<S> {
    rows: S,
    keys: KeyHistory,
    signatures: Signatures,
    pending: std::collections::VecDeque<tokio::task::JoinHandle<Vec<ReadyRow>>>,
    ready: std::vec::IntoIter<ReadyRow>,
    error: Option<sqlx::Error>,
    done: bool,
    in_flight: usize,
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
            in_flight: std::thread::available_parallelism().map_or(2, |n| n.get()) + 1,
        }
    }

    async fn next(&mut self) -> Result<Option<ReadyRow>, sqlx::Error> {
        loop {
            if let Some(row) = self.ready.next() {
                return Ok(Some(row));
            }
            while !self.done && self.pending.len() < self.in_flight {
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
                Some(job) => {
                    let rows = job.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                    self.ready = rows.into_iter();
                }
                None => return self.error.take().map_or(Ok(None), Err),
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
    fn check(
        &mut self,
        event: &StoredEvent,
        checked: Result<Checked, String>,
        position: Option<i64>,
    ) -> Result<[u8; 32], Broken> {
        let broken = |what: String| Broken {
            aggregate_type: Some(event.aggregate_type.clone()),
            aggregate_id: Some(event.aggregate_id.clone()),
            sequence: Some(event.sequence),
            position,
            what,
        };
        let checked = checked.map_err(broken)?;
        self.chains.link(&checked.record, checked.hash).map_err(|e| broken(e.to_string()))?;
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
    signature: String,
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
    verify_witnessed(db, verifier, &[], &Witnesses::default(), Signatures::All, progress).await
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
    verify_witnessed(db, verifier, pinned, &Witnesses::default(), Signatures::default(), progress).await
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
    signatures: Signatures,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary, VerifyError> {
    let broken = |b: Broken| VerifyError::Broken(b);
    let sealed_sql = sealed_rows_sql(db);
    let unsealed_sql = format!(
        "SELECT {} FROM events e LEFT JOIN positions l \
         ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence \
         WHERE l.position IS NULL ORDER BY e.aggregate_type, e.aggregate_id, e.sequence",
        StoredEvent::columns(db)
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
        let mut next_pinned = pinned.into_iter().peekable();
        let mut next_checkpoint = checkpoints.iter().peekable();

        let mut walk = Walk { chains: Chains::new(), events: 0 };
        let mut tree = CompactTree::new();
        let mut rows = ReadAhead::new(sqlx::query_as::<_, SealedRow>(&sealed_sql).fetch(&mut *tx), &keys, signatures);
        // Events since the last good checkpoint whose signatures were left to it.
        let mut unchecked: Vec<Unchecked> = Vec::new();
        while let Some(row) = rows.next().await? {
            let expected = i64::try_from(tree.size()).unwrap_or(i64::MAX);
            if row.position != expected {
                return Err(broken(at_position(expected, format!("ledger position {expected} is missing (next is {})", row.position))));
            }
            let Some((event, checked)) = row.event else {
                return Err(broken(Broken {
                    aggregate_type: Some(row.l_aggregate_type),
                    aggregate_id: Some(row.l_aggregate_id),
                    sequence: Some(row.l_sequence),
                    position: Some(row.position),
                    what: "the sealed event is missing from the events table (deleted)".into(),
                }));
            };
            let signature = match &checked {
                Ok(c) if c.signature_ok.is_none() => Some(c.signature.clone()),
                _ => None,
            };
            let hash = walk.check(&event, checked, Some(row.position)).map_err(broken)?;
            if let Some(signature) = signature {
                unchecked.push(Unchecked {
                    position: row.position,
                    aggregate_type: event.aggregate_type.clone(),
                    aggregate_id: event.aggregate_id.clone(),
                    sequence: event.sequence,
                    hash,
                    signature,
                });
            }
            if parse_hash_hex(&row.event_hash) != Some(hash) {
                return Err(broken(Broken {
                    aggregate_type: Some(event.aggregate_type),
                    aggregate_id: Some(event.aggregate_id),
                    sequence: Some(event.sequence),
                    position: Some(row.position),
                    what: "the ledger leaf does not match the event's hash".into(),
                }));
            }
            tree.push_event_hash(&hash);
            while let Some(cp) = next_checkpoint.next_if(|cp| cp.size == tree.size()) {
                if cp.root != tree.root().0 {
                    return Err(broken(first_bad_signature(&unchecked, &keys).unwrap_or_else(|| at_position(row.position, format!(
                        "the signed checkpoint of tree size {} does not match the recomputed Merkle root", cp.size
                    )))));
                }
                // The checkpoint vouches for the signatures of the events it covers.
                unchecked.clear();
            }
            while let Some(cp) = next_pinned.next_if(|cp| cp.size == tree.size()) {
                if cp.root != tree.root().0 {
                    return Err(broken(first_bad_signature(&unchecked, &keys).unwrap_or_else(|| at_position(row.position, format!(
                        "the ledger at tree size {} does not match the checkpoint you hold (history was rewritten)", cp.size
                    )))));
                }
            }
            if walk.events.is_multiple_of(65_536) {
                progress(walk.events);
            }
        }
        drop(rows);
        if let Some(cp) = next_checkpoint.next() {
            return Err(broken(at_position(i64::try_from(tree.size()).unwrap_or(0), format!(
                "a signed checkpoint covers {} events but the ledger holds only {} (events removed)", cp.size, tree.size()
            ))));
        }
        if let Some(cp) = next_pinned.next() {
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
        let sealed = walk.events;
        // Every sealed position had its own event (keys are unique in both tables), so
        // when the table holds no more events than that, none awaits sealing and the
        // search for them (a scan of the whole table) is skipped.
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&mut *tx).await?;
        if u64::try_from(stored).unwrap_or(u64::MAX) > sealed {
            let mut unsealed = sqlx::query_as::<_, StoredEvent>(&unsealed_sql).fetch(&mut *tx);
            while let Some(event) = unsealed.try_next().await? {
                walk.check(&event, prepare(&event, keys.latest()), None).map_err(broken)?;
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
            unsealed: walk.events - sealed,
            tree_size: tree.size(),
            root: hex::encode(tree.root().0),
            checkpoints: checkpoints.len() as u64,
            witnessed,
        })
    })
}
