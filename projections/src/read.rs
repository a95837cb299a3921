//! The queries the API serves: view documents, audit histories, checkpoints, counters.

use serde::Serialize;
use serde_json::Value;

use ledger_store::{with_pool, Db};

/// One audit history row: who recorded what, on what authority, when, and where it sits.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub actor: String,
    pub role: String,
    #[sqlx(rename = "authority")]
    #[serde(skip)]
    pub authority_text: Option<String>,
    pub occurred_at: Option<String>,
    pub recorded_at: String,
    pub request_id: Option<String>,
    pub hash: String,
    #[serde(skip)]
    pub payload_text: String,
}

/// A history row with its JSON fields parsed, as served.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub row: HistoryRow,
    pub authority: Value,
    pub payload: Value,
}

impl From<HistoryRow> for HistoryEntry {
    fn from(row: HistoryRow) -> Self {
        let authority = row.authority_text.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or(Value::Null);
        let payload = serde_json::from_str(&row.payload_text).unwrap_or(Value::Null);
        Self { row, authority, payload }
    }
}

/// The latest signed checkpoint.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CheckpointRow {
    pub tree_size: i64,
    pub root_hash: String,
    pub note: String,
    pub created_at: String,
}

/// Which audit history rows to read ([`Reads::audit_where`]): every condition given must
/// hold. Dates compare the business date (`occurred_at`), so an undated event passes no
/// date condition.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Rows at this ledger position or later.
    pub from_position: Option<i64>,
    /// Rows before this ledger position (paging newest first).
    pub before_position: Option<i64>,
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    /// Who recorded the event (the token's subject).
    pub actor: Option<String>,
    pub event_type: Option<String>,
    /// Events that happened on or after this date.
    pub occurred_from: Option<chrono::NaiveDate>,
    /// Events that happened on or before this date.
    pub occurred_to: Option<chrono::NaiveDate>,
    /// Newest first (by ledger position) rather than in ledger order.
    pub newest_first: bool,
    /// At most this many rows.
    pub limit: i64,
}

/// Counters for /health and /metrics.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LedgerStats {
    pub events: i64,
    pub ledger_size: i64,
    pub awaiting_seal: i64,
    pub projected_up_to: i64,
}

/// Read access to the projections.
#[derive(Debug, Clone)]
pub struct Reads {
    db: Db,
}

impl Reads {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// One view document.
    pub async fn document(&self, view: &str, id: &str) -> sqlx::Result<Option<Value>> {
        let body: Option<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT body FROM view_documents WHERE view = $1 AND id = $2")
                .bind(view)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// One page of a view's documents in id order: those after `after`, at most `limit`,
    /// with the id to continue from when there are more.
    pub async fn documents(&self, view: &str, after: &str, limit: i64) -> sqlx::Result<(Vec<Value>, Option<String>)> {
        let rows: Vec<(String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT id, body FROM view_documents WHERE view = $1 AND id > $2 ORDER BY id LIMIT $3")
                .bind(view)
                .bind(after)
                .bind(limit + 1)
                .fetch_all(pool)
                .await?
        });
        let more = rows.len() as i64 > limit;
        let page: Vec<(String, String)> = rows.into_iter().take(usize::try_from(limit).unwrap_or(0)).collect();
        let next = if more { page.last().map(|(id, _)| id.clone()) } else { None };
        Ok((page.iter().filter_map(|(_, b)| serde_json::from_str(b).ok()).collect(), next))
    }

    /// The audit history of one aggregate, oldest first, with payloads.
    pub async fn history(&self, aggregate_type: &str, aggregate_id: &str) -> sqlx::Result<Vec<HistoryEntry>> {
        let sql = format!(
            "SELECT a.position, a.aggregate_type, a.aggregate_id, a.sequence, a.event_type, a.actor, a.role, a.authority, \
             a.occurred_at, a.recorded_at, a.request_id, a.hash, {} AS payload_text \
             FROM audit_history a JOIN events e ON e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id \
             AND e.sequence = a.sequence WHERE a.aggregate_type = $1 AND a.aggregate_id = $2 ORDER BY a.sequence",
            self.db.json_text("e.payload")
        );
        let rows: Vec<HistoryRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(aggregate_type).bind(aggregate_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(HistoryEntry::from).collect())
    }

    /// The whole audit history from a position on, at most `limit` rows.
    pub async fn audit(&self, from_position: i64, limit: i64) -> sqlx::Result<Vec<HistoryEntry>> {
        self.audit_where(&AuditFilter { from_position: Some(from_position), limit, ..AuditFilter::default() }).await
    }

    /// The audit history rows that pass `filter`, in ledger order (or newest first), at
    /// most `filter.limit`.
    pub async fn audit_where(&self, filter: &AuditFilter) -> sqlx::Result<Vec<HistoryEntry>> {
        let head = format!(
            "SELECT a.position, a.aggregate_type, a.aggregate_id, a.sequence, a.event_type, a.actor, a.role, a.authority, \
             a.occurred_at, a.recorded_at, a.request_id, a.hash, {} AS payload_text \
             FROM audit_history a JOIN events e ON e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id \
             AND e.sequence = a.sequence WHERE 1 = 1",
            self.db.json_text("e.payload")
        );
        let rows: Vec<HistoryRow> = with_pool!(&self.db, pool => {
            let mut q = sqlx::QueryBuilder::new(head);
            if let Some(from) = filter.from_position {
                q.push(" AND a.position >= ").push_bind(from);
            }
            if let Some(before) = filter.before_position {
                q.push(" AND a.position < ").push_bind(before);
            }
            for (column, value) in [
                ("a.aggregate_type", &filter.aggregate_type),
                ("a.aggregate_id", &filter.aggregate_id),
                ("a.actor", &filter.actor),
                ("a.event_type", &filter.event_type),
            ] {
                if let Some(value) = value {
                    q.push(format!(" AND {column} = ")).push_bind(value.clone());
                }
            }
            if let Some(from) = filter.occurred_from {
                q.push(" AND substr(a.occurred_at, 1, 10) >= ").push_bind(from.format("%Y-%m-%d").to_string());
            }
            if let Some(to) = filter.occurred_to {
                q.push(" AND substr(a.occurred_at, 1, 10) <= ").push_bind(to.format("%Y-%m-%d").to_string());
            }
            q.push(if filter.newest_first { " ORDER BY a.position DESC" } else { " ORDER BY a.position" });
            q.push(" LIMIT ").push_bind(filter.limit);
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(HistoryEntry::from).collect())
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> sqlx::Result<Option<CheckpointRow>> {
        with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT tree_size, root_hash, note, created_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1")
                .fetch_optional(pool)
                .await
        })
    }

    /// The signed checkpoint of exactly this tree size, if one was issued.
    pub async fn checkpoint_of_size(&self, tree_size: i64) -> sqlx::Result<Option<CheckpointRow>> {
        with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT tree_size, root_hash, note, created_at FROM checkpoints WHERE tree_size = $1")
                .bind(tree_size)
                .fetch_optional(pool)
                .await
        })
    }

    /// Signed checkpoints from a tree size on, oldest first.
    pub async fn checkpoints(&self, from_size: i64, limit: i64) -> sqlx::Result<Vec<CheckpointRow>> {
        with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT tree_size, root_hash, note, created_at FROM checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT $2",
            )
            .bind(from_size)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
    }

    /// The witness cosignature lines stored for a checkpoint, by witness name.
    pub async fn cosignatures(&self, tree_size: i64) -> sqlx::Result<Vec<(String, String)>> {
        with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT witness, signature_line FROM cosignatures WHERE tree_size = $1 ORDER BY witness")
                .bind(tree_size)
                .fetch_all(pool)
                .await
        })
    }

    /// The latest checkpoint cosigned by at least `quorum` of the named witnesses.
    pub async fn latest_witnessed(&self, quorum: i64, witnesses: &[String]) -> sqlx::Result<Option<CheckpointRow>> {
        if witnesses.is_empty() {
            return Ok(None);
        }
        with_pool!(&self.db, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT c.tree_size, c.root_hash, c.note, c.created_at FROM checkpoints c \
                 WHERE (SELECT COUNT(*) FROM cosignatures w WHERE w.tree_size = c.tree_size AND w.witness IN (",
            );
            let mut names = q.separated(", ");
            for name in witnesses {
                names.push_bind(name.clone());
            }
            q.push(")) >= ").push_bind(quorum).push(" ORDER BY c.tree_size DESC LIMIT 1");
            q.build_query_as().fetch_optional(pool).await
        })
    }

    /// Counters of the ledger and the projections, from one statement (one snapshot), so a
    /// sealing batch landing in between cannot make them disagree.
    pub async fn stats(&self) -> sqlx::Result<LedgerStats> {
        // Cheap on every probe: positions are gap-free and every stored event is either
        // sealed or waiting in the inbox, so no scan of the events table is needed.
        let (ledger_size, awaiting_seal, projected): (i64, i64, Option<i64>) = with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT (SELECT COALESCE(MAX(position) + 1, 0) FROM positions), (SELECT COUNT(*) FROM ledger_inbox), \
                 (SELECT next_position FROM projection_cursors WHERE projector = $1)",
            )
            .bind(crate::runner::PROJECTOR)
            .fetch_one(pool)
            .await?
        });
        Ok(LedgerStats {
            events: ledger_size + awaiting_seal,
            ledger_size,
            awaiting_seal,
            projected_up_to: projected.unwrap_or(0),
        })
    }
}

impl Reads {
    /// When the oldest committed event not yet sealed was recorded (the sealer's lag).
    pub async fn oldest_unsealed_recorded_at(&self) -> sqlx::Result<Option<String>> {
        let field = self.db.json_field("e.metadata", &["recorded_at"]);
        let sql = format!(
            "SELECT MIN({field}) FROM ledger_inbox i JOIN events e ON e.aggregate_type = i.aggregate_type \
             AND e.aggregate_id = i.aggregate_id AND e.sequence = i.sequence"
        );
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, Option<String>>(&sql).fetch_one(pool).await?))
    }

    /// Each projector and the next ledger position it will apply.
    pub async fn projector_positions(&self) -> sqlx::Result<Vec<(String, i64)>> {
        let sql = "SELECT projector, next_position FROM projection_cursors ORDER BY projector";
        Ok(with_pool!(&self.db, pool => sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// Every event recorded on the authority of a decision (its envelope cites it), in
    /// ledger order: what the decision authorised.
    pub async fn authorised_by(&self, decision_id: &str) -> sqlx::Result<Vec<HistoryEntry>> {
        let field = self.db.json_field("e.metadata", &["authority", "decision_id"]);
        let sql = format!(
            "SELECT a.position, a.aggregate_type, a.aggregate_id, a.sequence, a.event_type, a.actor, a.role, a.authority, \
             a.occurred_at, a.recorded_at, a.request_id, a.hash, {} AS payload_text \
             FROM audit_history a JOIN events e ON e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id \
             AND e.sequence = a.sequence WHERE {field} = $1 AND a.aggregate_type <> 'decision' ORDER BY a.position",
            self.db.json_text("e.payload")
        );
        let rows: Vec<HistoryRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(decision_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(HistoryEntry::from).collect())
    }
}
