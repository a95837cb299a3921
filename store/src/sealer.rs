//! The sealer: gives committed events gap-free ledger positions, grows the Merkle tree
//! and signs a checkpoint.
//!
//! One transaction per batch: read the inbox (rows there exist only for committed
//! events), assign the next positions, store the new tlog stored hashes (about two per
//! leaf: appending never re-hashes the tree), delete the drained inbox rows and insert the
//! signed checkpoint of the new size. Only an event whose recorder signature verifies
//! (under the sealer's own key, the one that signs while it runs) is given a position: a
//! signed checkpoint thus vouches for the signatures of the events it covers, which lets
//! `ledger verify` leave them to it. An event that does not (written into the database by
//! someone without the key) is logged, left unsealed and named by verify. On PostgreSQL a transaction-level advisory lock
//! makes one sealer the leader at a time even with several servers; on SQLite the write
//! lock does the same. The sealer runs inside `serve`, woken after each command and by a
//! tick, and catches up at start.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::{with_pool, Db};
use anyhow::Context as _;
use ledger_format::merkle::{self, Hash, HashReader};
use ledger_format::record::parse_hash_hex;
use ledger_format::Seal;
use ledger_format::{Checkpoint, LedgerSigner, LedgerVerifier};
use serde_json::Value;
use tokio::sync::{watch, Notify};

/// The advisory lock key that elects the sealing leader on PostgreSQL ("A87L").
const SEALER_LOCK: i64 = 0x4138_374C;

/// How long the sealer lets commits gather after being woken, at least and at most: it
/// waits eight times as long as its last sealing transaction took (within these bounds),
/// so sealing takes about a ninth of the time at most, however slow a commit (an fsync) is.
/// At low concurrency a sealing transaction per command would halve throughput.
const COALESCE_MIN: Duration = Duration::from_millis(5);
const COALESCE_MAX: Duration = Duration::from_millis(100);

/// What one sealing step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealOutcome {
    /// Sealed this many events; the tree now has `tree_size` leaves.
    Sealed { events: usize, tree_size: u64 },
    /// Nothing waiting.
    CaughtUp,
    /// Another server holds the sealing lock.
    NotLeader,
}

#[derive(Debug, sqlx::FromRow)]
struct InboxRow {
    id: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    metadata: Option<String>,
}

/// Stored hashes by tlog index: the frontier read from the database plus this batch's.
struct Overlay(HashMap<u64, Hash>);

impl HashReader for Overlay {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_error::Error> {
        indexes.iter().map(|i| self.0.get(i).copied().ok_or(tlog_error::Error::IndexesNotInTree)).collect()
    }
}

/// The tlog error type, re-exported under a short name.
mod tlog_error {
    pub use tlog_tiles::tlog::Error;
}

/// Seals the ledger.
#[derive(Debug, Clone)]
pub struct Sealer {
    db: Db,
    signer: Arc<LedgerSigner>,
    verifier: LedgerVerifier,
    origin: String,
    batch: i64,
    publish: Option<std::path::PathBuf>,
}

impl Sealer {
    pub fn new(db: Db, signer: Arc<LedgerSigner>, origin: String) -> Self {
        let verifier = signer.verifier();
        Self { db, signer, verifier, origin, batch: 1000, publish: None }
    }

    /// Also writes every checkpoint it signs, once committed, as `DIR/<tree size>.checkpoint`
    /// (the signed note), outside the database: an operator ships the folder elsewhere, so
    /// that a history rewritten together with the `checkpoints` table is caught by
    /// `ledger verify --checkpoint-dir`.
    pub fn publishing_to(mut self, dir: std::path::PathBuf) -> Self {
        self.publish = Some(dir);
        self
    }

    /// Writes a committed checkpoint's note into the publication folder (atomically: a
    /// temporary file renamed into place).
    fn publish(&self, tree_size: u64, note: &str) -> anyhow::Result<()> {
        let Some(dir) = &self.publish else { return Ok(()) };
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
        let path = dir.join(format!("{tree_size}.checkpoint"));
        let partial = dir.join(format!(".{tree_size}.checkpoint.partial"));
        std::fs::write(&partial, note).with_context(|| format!("could not write {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("could not write {}", path.display()))?;
        Ok(())
    }

    /// Seals one batch of committed events, if any.
    #[tracing::instrument(skip_all, err)]
    pub async fn seal_once(&self) -> anyhow::Result<SealOutcome> {
        let inbox_sql = format!(
            "SELECT i.id, i.aggregate_type, i.aggregate_id, i.sequence, {} AS metadata FROM ledger_inbox i \
             LEFT JOIN events e ON e.aggregate_type = i.aggregate_type AND e.aggregate_id = i.aggregate_id \
             AND e.sequence = i.sequence ORDER BY i.id LIMIT $1",
            self.db.json_text("e.metadata")
        );
        let postgres = self.db.is_postgres();
        with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                let leader: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(SEALER_LOCK)
                    .fetch_one(&mut *tx)
                    .await?;
                if !leader {
                    return Ok(SealOutcome::NotLeader);
                }
            } else {
                // Take SQLite's write lock now, so two sealers cannot read the same inbox.
                sqlx::query("DELETE FROM ledger_inbox WHERE id < 0").execute(&mut *tx).await?;
            }
            let rows: Vec<InboxRow> = sqlx::query_as(&inbox_sql).bind(self.batch).fetch_all(&mut *tx).await?;
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(SealOutcome::CaughtUp);
            }
            let start: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM positions")
                .fetch_one(&mut *tx)
                .await?;
            let start = u64::try_from(start)?;
            // The frontier: roots of the perfect subtrees of the current tree, the only old
            // hashes that appending can need.
            let frontier = tlog_tiles::tlog::sub_tree_index(0, start, vec![]);
            let mut overlay = Overlay(HashMap::new());
            if !frontier.is_empty() {
                // One round trip for the whole frontier (up to log2 n hashes).
                let mut q = sqlx::QueryBuilder::new("SELECT idx, hash FROM merkle_hashes WHERE idx IN (");
                let mut list = q.separated(", ");
                for idx in &frontier {
                    list.push_bind(i64::try_from(*idx)?);
                }
                list.push_unseparated(")");
                let stored: Vec<(i64, Vec<u8>)> = q.build_query_as().fetch_all(&mut *tx).await?;
                for (idx, hash) in stored {
                    let hash = hash.try_into().map_err(|_| anyhow::anyhow!("stored hash {idx} is not 32 bytes"))?;
                    overlay.0.insert(u64::try_from(idx)?, Hash(hash));
                }
                if let Some(idx) = frontier.iter().find(|idx| !overlay.0.contains_key(idx)) {
                    anyhow::bail!("stored Merkle hash {idx} is missing");
                }
            }
            let sealed_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let mut seals = Vec::with_capacity(rows.len());
            for row in &rows {
                let seal = row
                    .metadata
                    .as_deref()
                    .and_then(|m| serde_json::from_str::<Value>(m).ok())
                    .and_then(|m| Seal::read(&m).ok())
                    .with_context(|| format!(
                        "event {} {} #{} in the inbox has no readable hash", row.aggregate_type, row.aggregate_id, row.sequence
                    ))?;
                let event_hash = parse_hash_hex(&seal.hash).context("event hash is not 64 lowercase hex digits")?;
                seals.push((event_hash, seal));
            }
            // Checked in one batch; an event whose signature does not verify gets no position.
            let items: Vec<_> =
                seals.iter().map(|(hash, seal)| (&self.verifier, hash, seal.signature.as_str())).collect();
            let verdicts = ledger_format::keys::verify_event_hashes(&items);
            let mut new_hashes: Vec<(u64, Hash)> = Vec::with_capacity(rows.len() * 2);
            let mut ledger_rows = Vec::with_capacity(rows.len());
            for ((row, (event_hash, seal)), signed) in rows.iter().zip(seals).zip(verdicts) {
                if !signed {
                    tracing::error!(
                        aggregate_type = row.aggregate_type,
                        aggregate_id = row.aggregate_id,
                        sequence = row.sequence,
                        "an event awaiting sealing does not carry the ledger key's signature: it was not written by \
                         this ledger and is not sealed (`ledger verify` names it)"
                    );
                    continue;
                }
                let position = start + ledger_rows.len() as u64;
                let hash_hex = seal.hash;
                let stored = merkle::stored_hashes_for_record_hash(position, merkle::leaf_hash(&event_hash), &overlay)
                    .map_err(|e| anyhow::anyhow!("Merkle tree: {e}"))?;
                let base = merkle::stored_hash_index(0, position);
                for (k, h) in stored.into_iter().enumerate() {
                    overlay.0.insert(base + k as u64, h);
                    new_hashes.push((base + k as u64, h));
                }
                ledger_rows.push((position, row, hash_hex));
            }
            let tree_size = start + ledger_rows.len() as u64;
            // Delete exactly the rows read (refused ones too): a row whose transaction
            // committed after our read may hold an id inside the range we read, and must
            // stay for the next batch.
            for chunk in rows.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("DELETE FROM ledger_inbox WHERE id IN (");
                let mut ids = q.separated(", ");
                for row in chunk {
                    ids.push_bind(row.id);
                }
                q.push(")");
                q.build().execute(&mut *tx).await?;
            }
            if ledger_rows.is_empty() {
                tx.commit().await?;
                return Ok(SealOutcome::Sealed { events: 0, tree_size });
            }
            let root = merkle::tree_hash(tree_size, &overlay).map_err(|e| anyhow::anyhow!("Merkle root: {e}"))?;

            for chunk in ledger_rows.chunks(200) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO positions (position, aggregate_type, aggregate_id, sequence, event_hash, sealed_at) ",
                );
                q.push_values(chunk, |mut b, (position, row, hash)| {
                    b.push_bind(i64::try_from(*position).unwrap_or(i64::MAX))
                        .push_bind(&row.aggregate_type)
                        .push_bind(&row.aggregate_id)
                        .push_bind(row.sequence)
                        .push_bind(hash)
                        .push_bind(&sealed_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in new_hashes.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO merkle_hashes (idx, hash) ");
                q.push_values(chunk, |mut b, (idx, hash)| {
                    b.push_bind(i64::try_from(*idx).unwrap_or(i64::MAX)).push_bind(hash.0.to_vec());
                });
                q.build().execute(&mut *tx).await?;
            }
            let checkpoint = Checkpoint { origin: self.origin.clone(), size: tree_size, root: root.0 };
            let note = checkpoint.sign(&self.signer)?;
            sqlx::query("INSERT INTO checkpoints (tree_size, root_hash, note, created_at) VALUES ($1, $2, $3, $4)")
                .bind(i64::try_from(tree_size)?)
                .bind(hex::encode(root.0))
                .bind(&note)
                .bind(&sealed_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            if let Err(e) = self.publish(tree_size, &note) {
                // The checkpoint is committed; the folder misses this one note until the
                // next (each note covers every event before it).
                tracing::error!(error = format!("{e:#}"), tree_size, "could not publish the checkpoint");
            }
            tracing::debug!(events = ledger_rows.len(), tree_size, "sealed");
            Ok(SealOutcome::Sealed { events: ledger_rows.len(), tree_size })
        })
    }

    /// Seals until the inbox is empty (or another server leads); returns events sealed.
    pub async fn catch_up(&self) -> anyhow::Result<u64> {
        let mut total = 0u64;
        loop {
            match self.seal_once().await? {
                SealOutcome::Sealed { events, .. } => total += events as u64,
                SealOutcome::CaughtUp | SealOutcome::NotLeader => return Ok(total),
            }
        }
    }

    /// Runs until `stop` flips: seals when woken or every `tick`, then calls `after`.
    pub async fn run(
        self,
        wake: Arc<Notify>,
        tick: Duration,
        mut stop: watch::Receiver<bool>,
        after: impl Fn() + Send + 'static,
    ) {
        let mut coalesce = COALESCE_MIN;
        loop {
            let started = std::time::Instant::now();
            match self.catch_up().await {
                Ok(n) if n > 0 => {
                    coalesce = (started.elapsed() * 8).clamp(COALESCE_MIN, COALESCE_MAX);
                    after();
                }
                Ok(_) => {}
                Err(error) => tracing::error!(error = format!("{error:#}"), "sealing failed; will retry"),
            }
            tokio::select! {
                // Let a burst of commits gather so one transaction seals them all.
                _ = wake.notified() => tokio::time::sleep(coalesce).await,
                _ = tokio::time::sleep(tick) => {}
                _ = stop.changed() => return,
            }
        }
    }
}
