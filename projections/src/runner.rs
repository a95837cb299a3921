//! The projector: consumes the ledger in position order from a stored cursor.
//!
//! Each [`Projector::catch_up_once`] reads one batch of sealed events after the cursor,
//! folds them into the views and the audit history, and moves the cursor, all in one
//! transaction: a crash leaves either the whole batch applied or none of it, so every
//! event is applied exactly once. A batch costs a handful of statements whatever its
//! size: the documents it folds into are read in one, written back in one, and its audit
//! history rows inserted in one (per few hundred rows). [`Projector::rebuild`] empties
//! the views and replays from position 0 in one transaction, so readers never see views
//! half rebuilt.

use serde_json::Value;

use crate::views::{self, Documents, Folded};
use ledger_store::stored::StoredEvent;
use ledger_store::{with_pool, Db};

/// The one projector of the governance views and the audit history.
pub const PROJECTOR: &str = "governance";

/// The revision of what the view documents hold: bumped whenever a fold changes a
/// document's shape, so that views projected by an older binary are rebuilt from the
/// ledger at the next catch-up ([`Projector::catch_up`]) rather than read half-new.
pub const REVISION: i64 = 2;

/// The `projection_cursors` row that keeps the revision the views were built with.
const REVISION_ROW: &str = "governance/revision";

/// Documents read or written per statement (two binds each to read, four to write).
const DOCUMENTS_PER_STATEMENT: usize = 200;
/// Audit history rows written per statement (twelve binds each).
const AUDIT_ROWS_PER_STATEMENT: usize = 400;

/// The advisory lock key that serialises projectors on PostgreSQL ("A87P").
const PROJECTOR_LOCK: i64 = 0x4138_3750;

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied this many events.
    Progressed(usize),
    /// Nothing after the cursor.
    CaughtUp,
}

/// A sealed event joined with its ledger position.
#[derive(Debug, sqlx::FromRow)]
struct LedgerRow {
    position: i64,
    event_hash: String,
    #[sqlx(flatten)]
    event: StoredEvent,
}

/// An audit history row derived from an event.
#[derive(Debug)]
struct AuditRow {
    position: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    actor: String,
    role: String,
    authority: Option<String>,
    occurred_at: Option<String>,
    recorded_at: String,
    request_id: Option<String>,
    hash: String,
}

/// Runs the projections over a database.
#[derive(Debug, Clone)]
pub struct Projector {
    db: Db,
    batch: i64,
}

impl Projector {
    pub fn new(db: Db) -> Self {
        Self { db, batch: 500 }
    }

    /// Applies the next batch of sealed events, if any.
    #[tracing::instrument(skip_all, err)]
    pub async fn catch_up_once(&self) -> anyhow::Result<Outcome> {
        let applied = self.apply(false, false, &|_, _| {}).await?;
        Ok(if applied == 0 { Outcome::CaughtUp } else { Outcome::Progressed(applied as usize) })
    }

    /// The one writer of the views. In one transaction, under the projector lock: when
    /// `reset`, empties the views, the audit history and the cursor and records this
    /// [`REVISION`]; then applies one batch after the cursor, or every batch when `all`.
    /// A reader therefore never sees views half rebuilt, and two projectors (a server and
    /// `ledger rebuild`) never interleave.
    async fn apply(&self, reset: bool, all: bool, progress: &(dyn Fn(u64, u64) + Sync)) -> anyhow::Result<u64> {
        let total = if reset { u64::try_from(self.lag().await?.1).unwrap_or(0) } else { 0 };
        let select = format!(
            "SELECT l.position, l.event_hash, {} FROM positions l JOIN events e \
             ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence \
             WHERE l.position >= $1 ORDER BY l.position LIMIT $2",
            StoredEvent::columns(&self.db)
        );
        let batch = self.batch;
        let postgres = self.db.is_postgres();
        with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            // One projector at a time, whatever else runs (several servers, `ledger rebuild`):
            // on PostgreSQL an advisory lock, on SQLite the write lock taken up front (a
            // read-then-write transaction could otherwise fail when another writer commits).
            if postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PROJECTOR_LOCK).execute(&mut *tx).await?;
            } else {
                sqlx::query("DELETE FROM projection_cursors WHERE 1 = 0").execute(&mut *tx).await?;
            }
            if reset {
                for table in ["view_documents", "view_counts", "audit_history", "projection_cursors"] {
                    sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
                }
                sqlx::query("INSERT INTO projection_cursors (projector, next_position) VALUES ($1, $2)")
                    .bind(REVISION_ROW)
                    .bind(REVISION)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut applied = 0u64;
            loop {
            let next: Option<i64> = sqlx::query_scalar("SELECT next_position FROM projection_cursors WHERE projector = $1")
                .bind(PROJECTOR)
                .fetch_optional(&mut *tx)
                .await?;
            let next = next.unwrap_or(0);
            let rows: Vec<LedgerRow> = sqlx::query_as(&select).bind(next).bind(batch).fetch_all(&mut *tx).await?;
            let Some(last) = rows.last().map(|r| r.position) else {
                break;
            };
            let mut parsed = Vec::with_capacity(rows.len());
            for row in &rows {
                let payload: Value = serde_json::from_str(&row.event.payload)?;
                let metadata: Value = serde_json::from_str(&row.event.metadata)?;
                parsed.push((payload, metadata));
            }
            let folded: Vec<Folded<'_>> = rows
                .iter()
                .zip(&parsed)
                .map(|(row, (payload, metadata))| Folded {
                    position: row.position,
                    aggregate_type: &row.event.aggregate_type,
                    aggregate_id: &row.event.aggregate_id,
                    sequence: u64::try_from(row.event.sequence).unwrap_or(0),
                    payload,
                    metadata,
                })
                .collect();
            // The documents the batch folds into, read in a few statements, folded, and
            // written back in a few more: round trips per batch, not per event.
            let mut keys: Vec<(String, String)> = folded.iter().flat_map(views::keys_for).collect();
            keys.sort_unstable();
            keys.dedup();
            let mut docs = Documents::new();
            let mut stored = std::collections::HashSet::new();
            for chunk in keys.chunks(DOCUMENTS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::new("SELECT view, id, body FROM view_documents WHERE (view, id) IN (");
                let mut pairs = q.separated(", ");
                for (view, id) in chunk {
                    pairs.push("(").push_bind_unseparated(view).push_unseparated(", ").push_bind_unseparated(id).push_unseparated(")");
                }
                q.push(")");
                let found: Vec<(String, String, String)> = q.build_query_as().fetch_all(&mut *tx).await?;
                for (view, id, body) in found {
                    stored.insert((view.clone(), id.clone()));
                    docs.insert((view, id), serde_json::from_str(&body)?);
                }
            }
            for event in &folded {
                views::apply(&mut docs, event).map_err(anyhow::Error::msg)?;
            }
            // The documents this batch adds, by view: what `view_counts` grows by.
            let mut added: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
            for key in docs.keys().filter(|key| !stored.contains(*key)) {
                *added.entry(key.0.as_str()).or_default() += 1;
            }
            if !added.is_empty() {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO view_counts (view, documents) ");
                q.push_values(&added, |mut b, (view, count)| {
                    b.push_bind(*view).push_bind(*count);
                });
                q.push(" ON CONFLICT (view) DO UPDATE SET documents = view_counts.documents + excluded.documents");
                q.build().execute(&mut *tx).await?;
            }
            let docs: Vec<_> = docs.into_iter().map(|(key, body)| (key, body.to_string())).collect();
            for chunk in docs.chunks(DOCUMENTS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO view_documents (view, id, body, position) ");
                q.push_values(chunk, |mut b, ((view, id), body)| {
                    b.push_bind(view).push_bind(id).push_bind(body).push_bind(last);
                });
                q.push(" ON CONFLICT (view, id) DO UPDATE SET body = excluded.body, position = excluded.position");
                q.build().execute(&mut *tx).await?;
            }
            let audit: Vec<AuditRow> = rows.iter().zip(&parsed).map(|(row, (_, metadata))| audit_row(row, metadata)).collect();
            for chunk in audit.chunks(AUDIT_ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO audit_history (position, aggregate_type, aggregate_id, sequence, event_type, actor, role, \
                     authority, occurred_at, recorded_at, request_id, hash) ",
                );
                q.push_values(chunk, |mut b, audit| {
                    b.push_bind(audit.position)
                        .push_bind(&audit.aggregate_type)
                        .push_bind(&audit.aggregate_id)
                        .push_bind(audit.sequence)
                        .push_bind(&audit.event_type)
                        .push_bind(&audit.actor)
                        .push_bind(&audit.role)
                        .push_bind(&audit.authority)
                        .push_bind(&audit.occurred_at)
                        .push_bind(&audit.recorded_at)
                        .push_bind(&audit.request_id)
                        .push_bind(&audit.hash);
                });
                q.push(" ON CONFLICT (position) DO NOTHING");
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO projection_cursors (projector, next_position) VALUES ($1, $2) \
                 ON CONFLICT (projector) DO UPDATE SET next_position = excluded.next_position",
            )
            .bind(PROJECTOR)
            .bind(last + 1)
            .execute(&mut *tx)
            .await?;
            applied += rows.len() as u64;
            if reset {
                progress(applied, total);
            }
            if !all {
                break;
            }
            }
            tx.commit().await?;
            Ok(applied)
        })
    }

    /// Runs [`Self::catch_up_once`] until caught up; returns the events applied. Views
    /// built by another [`REVISION`] are rebuilt first.
    pub async fn catch_up(&self) -> anyhow::Result<u64> {
        if self.stored_revision().await? != Some(REVISION) {
            tracing::info!(revision = REVISION, "the views were built by another revision: rebuilding them");
            return self.rebuild(|_, _| {}).await;
        }
        let mut applied = 0u64;
        while let Outcome::Progressed(n) = self.catch_up_once().await? {
            applied += n as u64;
        }
        Ok(applied)
    }

    /// Empties the views, the audit history and the cursor, then replays from position 0,
    /// calling `progress(applied, total)` after each batch. One transaction: readers see
    /// the old views until the new ones are whole.
    pub async fn rebuild(&self, progress: impl Fn(u64, u64) + Sync) -> anyhow::Result<u64> {
        self.apply(true, true, &progress).await
    }

    /// The revision the stored views were built with (`None` before any was recorded).
    async fn stored_revision(&self) -> anyhow::Result<Option<i64>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT next_position FROM projection_cursors WHERE projector = $1")
                .bind(REVISION_ROW)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// (next position the projector will read, ledger size).
    pub async fn lag(&self) -> anyhow::Result<(i64, i64)> {
        with_pool!(&self.db, pool => {
            let next: Option<i64> = sqlx::query_scalar("SELECT next_position FROM projection_cursors WHERE projector = $1")
                .bind(PROJECTOR)
                .fetch_optional(pool)
                .await?;
            let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM positions").fetch_one(pool).await?;
            Ok((next.unwrap_or(0), size))
        })
    }
}

fn text(metadata: &Value, key: &str) -> Option<String> {
    metadata.get(key).and_then(Value::as_str).map(str::to_string)
}

fn audit_row(row: &LedgerRow, metadata: &Value) -> AuditRow {
    AuditRow {
        position: row.position,
        aggregate_type: row.event.aggregate_type.clone(),
        aggregate_id: row.event.aggregate_id.clone(),
        sequence: row.event.sequence,
        event_type: row.event.event_type.clone(),
        actor: text(metadata, "actor").unwrap_or_default(),
        role: text(metadata, "role").unwrap_or_default(),
        authority: metadata.get("authority").filter(|a| !a.is_null()).map(Value::to_string),
        occurred_at: text(metadata, "occurred_at"),
        recorded_at: text(metadata, "recorded_at").unwrap_or_default(),
        request_id: text(metadata, "request_id"),
        hash: row.event_hash.clone(),
    }
}
