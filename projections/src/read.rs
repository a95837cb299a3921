//! The queries the API serves: view documents, audit histories, checkpoints, counters.
//!
//! Every read of state goes through [`At`], made for one moment and one [`Reader`]: what
//! it returns reflects no event the moment does not admit, and nothing the reader may not
//! read ([`crate::lens`]: events become redacted records, views lose what was built from
//! such events). The audit log, read by position, applies the same lens.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::lens::{self, ShownEntry};
use crate::time::{self, Moment, MomentError, Scope, Snapshot};
use domain::visibility::Reader;
use ledger_store::{with_pool, Db};

fn poisoned<T>(_: std::sync::PoisonError<T>) -> anyhow::Error {
    anyhow::anyhow!("the snapshot cache was poisoned by a panic")
}

/// Why a read's moment could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum AtError {
    /// The moment names no state of the ledger (a 400 at the edge).
    #[error(transparent)]
    Moment(#[from] MomentError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The ledger as of a [`Moment`]: every read of state goes through it, so no document,
/// list or history it returns reflects an event the moment does not admit
/// ([`time::admitted`]). At the head with `as_of` today or later it reads the stored view
/// documents (falling back to a replay if the projector moved on meanwhile); otherwise
/// it replays the admitted events ([`time::replay`]).
#[derive(Debug)]
pub struct At {
    reads: Reads,
    pub moment: Moment,
    /// Who is reading: what it returns is as this reader may see it.
    pub reader: Reader,
    live: bool,
}

impl At {
    /// The moment's snapshot of the aggregate types `view` is folded from (every type for
    /// a view [`crate::views::folded_from`] does not list).
    async fn replayed(&self, view: &str) -> anyhow::Result<Arc<Snapshot>> {
        let scope = match crate::views::folded_from(view) {
            Some(types) => Scope::Types(types.iter().map(|t| t.to_string()).collect()),
            None => Scope::All,
        };
        self.reads.snapshot(&self.moment, scope).await
    }

    /// The aggregates one document is folded from, where they are fewer than its view's
    /// types: a decision's own events; a meeting's own, and those of the decisions its
    /// stored document lists (a meeting's list of decisions only ever grows, so the latest
    /// one holds every decision it held at any earlier moment). `None` otherwise.
    async fn sources(&self, view: &str, id: &str) -> anyhow::Result<Option<Scope>> {
        let own = |t: &str| (t.to_string(), id.to_string());
        Ok(match view {
            crate::views::DECISIONS => Some(Scope::Aggregates(vec![own("decision")])),
            crate::views::MEETINGS => {
                let mut keys = vec![own("meeting")];
                if let Some((latest, _)) = self.reads.document_row(view, id).await? {
                    for decision in latest["decisions"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                        keys.push(("decision".to_string(), decision.to_string()));
                    }
                }
                Some(Scope::Aggregates(keys))
            }
            _ => None,
        })
    }

    /// Whether a stored document written by the batch ending at `position` is as known now.
    fn current(&self, position: i64) -> bool {
        self.moment.knows(position)
    }

    /// The same moment as another reader sees it (the IATI file is published as the
    /// Secretariat reads).
    pub fn for_reader(&self, reader: &Reader) -> At {
        At { reads: self.reads.clone(), moment: self.moment, reader: reader.clone(), live: self.live }
    }

    /// One view document as of the moment, as the reader may see it.
    pub async fn document(&self, view: &str, id: &str) -> anyhow::Result<Option<Value>> {
        match self.stored_document(view, id).await? {
            Some(document) => Ok(self.lensed(view, vec![document]).await?.pop()),
            None => Ok(None),
        }
    }

    /// One page of a view's documents in id order (those after `after`, at most `limit`),
    /// as the reader may see them, with the id to continue from when there are more.
    pub async fn documents(&self, view: &str, after: &str, limit: i64) -> anyhow::Result<(Vec<Value>, Option<String>)> {
        let (page, next) = self.stored_documents(view, after, limit).await?;
        Ok((self.lensed(view, page).await?, next))
    }

    /// How many documents of type `view` there are as of the moment (a lens never hides a
    /// whole document, so every reader counts the same).
    pub async fn count(&self, view: &str) -> anyhow::Result<usize> {
        if self.live {
            let (count, projected) = self.reads.document_count(view).await?;
            if self.view_as_known(view, projected).await? {
                return Ok(usize::try_from(count).unwrap_or(0));
            }
        }
        let snapshot = self.replayed(view).await?;
        Ok(snapshot.documents.keys().filter(|(v, _)| v == view).count())
    }

    /// The `limit` meetings latest by date (then by id), newest first, as the reader may
    /// see them: read through an index, so the cost does not grow with the register.
    pub async fn latest_meetings(&self, limit: i64) -> anyhow::Result<Vec<Value>> {
        let view = crate::views::MEETINGS;
        if self.live {
            let (page, projected) = self.reads.latest_meeting_rows(limit).await?;
            if self.view_as_known(view, projected).await? {
                return self.lensed(view, page).await;
            }
        }
        let snapshot = self.replayed(view).await?;
        let mut meetings: Vec<&Value> =
            snapshot.documents.iter().filter(|((v, _), _)| v == view).map(|(_, document)| document).collect();
        let key = |m: &Value| {
            (
                m["date"].as_str().unwrap_or_default().to_string(),
                m["meeting_id"].as_str().unwrap_or_default().to_string(),
            )
        };
        meetings.sort_by_key(|m| std::cmp::Reverse(key(m)));
        let page = meetings.into_iter().take(usize::try_from(limit).unwrap_or(0)).cloned().collect();
        self.lensed(view, page).await
    }

    /// Whether the stored documents of type `view` are as known at the moment, given the
    /// projector's next position read in the same statement as them. Cheap when the
    /// projector has not moved on since the moment was fixed (every document was written
    /// by a batch before that position); otherwise it reads the position of every
    /// document of the view.
    async fn view_as_known(&self, view: &str, projected: Option<i64>) -> anyhow::Result<bool> {
        if projected.is_none_or(|next| next == 0 || self.current(next - 1)) {
            return Ok(true);
        }
        Ok(self.reads.last_written(view).await?.is_none_or(|position| self.current(position)))
    }

    /// A person of the personal-data register as the reader may see them
    /// ([`lens::personal`]); `None` when there is no such person or the reader may not
    /// see them. The register is read as it is now, whatever the moment.
    pub async fn person(&self, person_ref: &str) -> anyhow::Result<Option<Value>> {
        let row = ledger_store::personal::get(&self.reads.db, person_ref).await?;
        Ok(row.and_then(|row| lens::personal::person(&row, &self.reader)))
    }

    /// Documents of type `view` as the reader may see them ([`lens::views`]), and, on a
    /// Pathfinder country's focal point, the person as the reader may see them.
    async fn lensed(&self, view: &str, documents: Vec<Value>) -> anyhow::Result<Vec<Value>> {
        let mut documents = self.lensed_events(view, documents).await?;
        if view == crate::pathfinder::PATHFINDERS {
            for document in &mut documents {
                let Some(focal_point) = document.pointer_mut("/state/focal_point").filter(|f| f.is_object()) else {
                    continue;
                };
                let Some(person_ref) = focal_point.get("person_ref").and_then(Value::as_str).map(str::to_string) else {
                    continue;
                };
                if let Some(person) = self.person(&person_ref).await? {
                    focal_point["person"] = person;
                }
            }
        }
        Ok(documents)
    }

    /// Documents of type `view` without what was built from events the reader may not read.
    async fn lensed_events(&self, view: &str, documents: Vec<Value>) -> anyhow::Result<Vec<Value>> {
        if self.reader.sees_all() || !lens::views::needs_lens(view) {
            return Ok(documents);
        }
        let mut donors = std::collections::HashMap::new();
        if view == crate::programme::PROGRAMMES {
            let mut after = String::new();
            loop {
                let (page, next) = self.stored_documents(crate::programme::CONTRIBUTIONS, &after, 1000).await?;
                for c in page {
                    if let (Some(id), Some(donor)) =
                        (c.get("contribution_id").and_then(Value::as_str), c.get("donor").and_then(Value::as_str))
                    {
                        donors.insert(id.to_string(), donor.to_string());
                    }
                }
                match next {
                    Some(n) => after = n,
                    None => break,
                }
            }
        }
        let donor_of = |c: &str| donors.get(c).cloned();
        documents
            .into_iter()
            .map(|d| lens::views::apply(view, d, &self.reader, &donor_of).map_err(anyhow::Error::msg))
            .collect()
    }

    async fn stored_document(&self, view: &str, id: &str) -> anyhow::Result<Option<Value>> {
        if self.live {
            match self.reads.document_row(view, id).await? {
                None => return Ok(None),
                Some((document, position)) if self.current(position) => return Ok(Some(document)),
                Some(_) => {}
            }
        }
        let snapshot = match self.sources(view, id).await? {
            Some(scope) => self.reads.snapshot(&self.moment, scope).await?,
            None => self.replayed(view).await?,
        };
        Ok(snapshot.documents.get(&(view.to_string(), id.to_string())).cloned())
    }

    async fn stored_documents(
        &self,
        view: &str,
        after: &str,
        limit: i64,
    ) -> anyhow::Result<(Vec<Value>, Option<String>)> {
        if self.live {
            let (page, next) = self.reads.document_rows(view, after, limit).await?;
            if page.iter().all(|(_, position)| self.current(*position)) {
                return Ok((page.into_iter().map(|(v, _)| v).collect(), next));
            }
        }
        let snapshot = self.replayed(view).await?;
        let mut ids: Vec<&String> =
            snapshot.documents.keys().filter(|(v, id)| v == view && id.as_str() > after).map(|(_, id)| id).collect();
        ids.sort();
        let limit = usize::try_from(limit).unwrap_or(0);
        let next = (ids.len() > limit).then(|| ids.get(limit.saturating_sub(1)).map(|id| (*id).clone())).flatten();
        let page = ids
            .into_iter()
            .take(limit)
            .filter_map(|id| snapshot.documents.get(&(view.to_string(), id.clone())).cloned())
            .collect();
        Ok((page, next))
    }

    /// Keeps the history rows the moment admits, as the reader may see them.
    async fn admitted(&self, rows: Vec<HistoryRow>) -> anyhow::Result<Vec<ShownEntry>> {
        let rows: Vec<HistoryRow> = if self.live {
            rows.into_iter().filter(|r| self.moment.knows(r.position)).collect()
        } else {
            // Admission looks at an event's own aggregate only: the rows' types suffice.
            let mut types: Vec<String> = rows.iter().map(|r| r.aggregate_type.clone()).collect();
            types.sort();
            types.dedup();
            let snapshot = self.reads.snapshot(&self.moment, Scope::Types(types)).await?;
            rows.into_iter().filter(|r| snapshot.admitted.contains(&r.position)).collect()
        };
        Ok(lens::entries(rows, &self.reader))
    }

    /// The audit history of one aggregate as of the moment, oldest first.
    pub async fn history(&self, aggregate_type: &str, aggregate_id: &str) -> anyhow::Result<Vec<ShownEntry>> {
        self.admitted(self.reads.history_rows(aggregate_type, aggregate_id).await?).await
    }

    /// Every event recorded on a decision's authority, as of the moment.
    pub async fn authorised_by(&self, decision_id: &str) -> anyhow::Result<Vec<ShownEntry>> {
        self.admitted(self.reads.authorised_by_rows(decision_id).await?).await
    }
}

/// One audit history row: who recorded what, on what authority, when, and where it sits.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The seal's class, scope and pseudonym (version 2 records; absent on version 1).
    #[serde(skip)]
    pub sealed_visibility: Option<String>,
    #[serde(skip)]
    pub sealed_scope: Option<String>,
    #[serde(skip)]
    pub pseudonym: Option<String>,
    /// The event's confidence label (`S`, `P`, `I`, `U`, `X`: `X` is invented), if it has one.
    pub confidence: Option<String>,
}

/// A history row with its JSON fields parsed, as served to a reader who may read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub row: HistoryRow,
    /// The decision or mandate the event was recorded on (`null` when none).
    #[cfg_attr(feature = "openapi", schema(value_type = Value))]
    pub authority: Value,
    /// The event's payload.
    #[cfg_attr(feature = "openapi", schema(value_type = Value))]
    pub payload: Value,
    /// Who may read the event (`public`, `donor-confidential`, …).
    pub visibility: domain::visibility::Class,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl From<HistoryRow> for HistoryEntry {
    fn from(row: HistoryRow) -> Self {
        let authority = row.authority_text.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or(Value::Null);
        let payload = serde_json::from_str(&row.payload_text).unwrap_or(Value::Null);
        let visibility = lens::visibility_of(
            &row.aggregate_type,
            &row.event_type,
            &payload,
            row.sealed_visibility.as_deref(),
            row.sealed_scope.as_deref(),
        );
        Self { row, authority, payload, visibility: visibility.class, scope: visibility.scope }
    }
}

/// Which audit history rows to read ([`Reads::audit_where`]): every condition given must
/// hold.
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
    /// The role they recorded it in (`secretariat`, `system`, …).
    pub role: Option<String>,
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

/// The latest signed checkpoint.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckpointRow {
    pub tree_size: i64,
    pub root_hash: String,
    pub note: String,
    pub created_at: String,
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
    snapshots: Arc<Mutex<Kept>>,
}

/// The replayed snapshots kept, oldest first, by moment and scope.
type Kept = VecDeque<((Moment, Scope), Arc<Snapshot>)>;

/// How many replayed snapshots are kept (each is immutable: the ledger is append-only).
const SNAPSHOTS_KEPT: usize = 8;

impl Reads {
    pub fn new(db: Db) -> Self {
        Self { db, snapshots: Arc::default() }
    }

    /// The last position the views have applied (`None` before any).
    pub async fn head(&self) -> sqlx::Result<Option<i64>> {
        let next: Option<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT next_position FROM projection_cursors WHERE projector = $1")
                .bind(crate::runner::PROJECTOR)
                .fetch_optional(pool)
                .await?
        });
        Ok(next.filter(|n| *n > 0).map(|n| n - 1))
    }

    /// The ledger as of a business date and as known at a position (default: the head),
    /// for a read on `today`; `Err` names why the moment cannot be read.
    pub async fn at(
        &self,
        as_of: NaiveDate,
        known_at: Option<i64>,
        today: NaiveDate,
        reader: &Reader,
    ) -> Result<At, AtError> {
        let head = self.head().await?;
        let moment = time::resolve(as_of, known_at, head)?;
        let live = moment.known_at == head && as_of >= today;
        Ok(At { reads: self.clone(), moment, reader: reader.clone(), live })
    }

    /// The snapshot of a moment, of the events in `scope`, replayed once and kept.
    async fn snapshot(&self, moment: &Moment, scope: Scope) -> anyhow::Result<Arc<Snapshot>> {
        let key = (*moment, scope);
        if let Some((_, kept)) = self.snapshots.lock().map_err(poisoned)?.iter().find(|(k, _)| *k == key) {
            return Ok(kept.clone());
        }
        let snapshot = Arc::new(time::replay(&self.db, moment, &key.1).await?);
        let mut kept = self.snapshots.lock().map_err(poisoned)?;
        if kept.len() >= SNAPSHOTS_KEPT {
            kept.pop_front();
        }
        kept.push_back((key, snapshot.clone()));
        Ok(snapshot)
    }

    /// One view document with the position of the batch that last wrote it.
    async fn document_row(&self, view: &str, id: &str) -> sqlx::Result<Option<(Value, i64)>> {
        let row: Option<(String, i64)> = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT body, position FROM view_documents WHERE view = $1 AND id = $2")
                .bind(view)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(b, p)| serde_json::from_str(&b).ok().map(|v| (v, p))))
    }

    /// How many stored documents of type `view` there are (the projector keeps the count,
    /// so this reads one row), and the projector's next position, in one statement (one
    /// snapshot).
    async fn document_count(&self, view: &str) -> sqlx::Result<(i64, Option<i64>)> {
        with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT COALESCE((SELECT documents FROM view_counts WHERE view = $1), 0), \
                 (SELECT next_position FROM projection_cursors WHERE projector = $2)",
            )
            .bind(view)
            .bind(crate::runner::PROJECTOR)
            .fetch_one(pool)
            .await
        })
    }

    /// The position of the batch that last wrote a document of type `view` (reads every
    /// one of them).
    async fn last_written(&self, view: &str) -> sqlx::Result<Option<i64>> {
        with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT MAX(position) FROM view_documents WHERE view = $1")
                .bind(view)
                .fetch_one(pool)
                .await
        })
    }

    /// The stored meetings latest by date, then id (the index `view_documents_meetings_by_date`),
    /// and the projector's next position, in one statement (one snapshot).
    async fn latest_meeting_rows(&self, limit: i64) -> sqlx::Result<(Vec<Value>, Option<i64>)> {
        // The expression and the view's name are written out as the index has them, so the
        // planner uses it.
        let date = match &self.db {
            Db::Postgres(_) => "(body::json ->> 'date')",
            Db::Sqlite(_) => "json_extract(body, '$.date')",
        };
        // With no meeting stored there is no row and no position: none was stored at the
        // moment either (the projector only adds documents, and a rebuild is one
        // transaction).
        let sql = format!(
            "SELECT (SELECT next_position FROM projection_cursors WHERE projector = $2), body FROM view_documents \
             WHERE view = '{}' ORDER BY {date} DESC, id DESC LIMIT $1",
            crate::views::MEETINGS
        );
        let rows: Vec<(Option<i64>, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(limit).bind(crate::runner::PROJECTOR).fetch_all(pool).await?
        });
        let projected = rows.first().and_then(|(p, _)| *p);
        let page = rows.iter().filter_map(|(_, b)| serde_json::from_str(b).ok()).collect();
        Ok((page, projected))
    }

    /// One page of a view's stored documents in id order (those after `after`, at most
    /// `limit`), with the position of the batch that last wrote each (read through [`At`]).
    async fn document_rows(
        &self,
        view: &str,
        after: &str,
        limit: i64,
    ) -> sqlx::Result<(Vec<(Value, i64)>, Option<String>)> {
        let rows: Vec<(String, String, i64)> = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT id, body, position FROM view_documents WHERE view = $1 AND id > $2 ORDER BY id LIMIT $3")
                .bind(view)
                .bind(after)
                .bind(limit + 1)
                .fetch_all(pool)
                .await?
        });
        let more = rows.len() as i64 > limit;
        let page: Vec<(String, String, i64)> = rows.into_iter().take(usize::try_from(limit).unwrap_or(0)).collect();
        let next = if more { page.last().map(|(id, _, _)| id.clone()) } else { None };
        Ok((page.iter().filter_map(|(_, b, p)| serde_json::from_str(b).ok().map(|v| (v, *p))).collect(), next))
    }

    /// The seal's visibility fields of event alias `e`, for a [`HistoryRow`].
    /// The columns a history row takes from the event's metadata: the seal's class, scope
    /// and pseudonym, and the confidence label.
    fn seal_columns(&self) -> String {
        format!(
            "{} AS sealed_visibility, {} AS sealed_scope, {} AS pseudonym, {} AS confidence",
            self.db.json_field("e.metadata", &["ledger", "visibility"]),
            self.db.json_field("e.metadata", &["ledger", "scope"]),
            self.db.json_field("e.metadata", &["ledger", "pseudonym"]),
            self.db.json_field("e.metadata", &["provenance", "confidence"]),
        )
    }

    /// The audit history rows of one aggregate, oldest first (read through [`At`]).
    async fn history_rows(&self, aggregate_type: &str, aggregate_id: &str) -> sqlx::Result<Vec<HistoryRow>> {
        let sql = format!(
            "SELECT a.position, a.aggregate_type, a.aggregate_id, a.sequence, a.event_type, a.actor, a.role, a.authority, \
             a.occurred_at, a.recorded_at, a.request_id, a.hash, {} AS payload_text, {} \
             FROM audit_history a JOIN events e ON e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id \
             AND e.sequence = a.sequence WHERE a.aggregate_type = $1 AND a.aggregate_id = $2 ORDER BY a.sequence",
            self.db.json_text("e.payload"),
            self.seal_columns()
        );
        let rows: Vec<HistoryRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(aggregate_type).bind(aggregate_id).fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// The whole audit history from a position on, at most `limit` rows, as `reader` may
    /// see it.
    pub async fn audit(&self, from_position: i64, limit: i64, reader: &Reader) -> sqlx::Result<Vec<ShownEntry>> {
        self.audit_where(&AuditFilter { from_position: Some(from_position), limit, ..AuditFilter::default() }, reader)
            .await
    }

    /// The audit history rows that pass `filter`, in ledger order (or newest first), at
    /// most `filter.limit`, as `reader` may see them. A condition on what a redacted record
    /// hides (actor, event type, business dates, a pseudonymous aggregate's id) never
    /// matches a redacted record: a filter must not tell what it hides.
    pub async fn audit_where(&self, filter: &AuditFilter, reader: &Reader) -> sqlx::Result<Vec<ShownEntry>> {
        // The page is chosen from the audit history alone (its position index gives it in
        // order) and only its rows are joined to their events: the cost is the page's, not
        // the ledger's.
        let head = "SELECT * FROM audit_history a WHERE 1 = 1";
        let order = if filter.newest_first { " ORDER BY a.position DESC" } else { " ORDER BY a.position" };
        let rows: Vec<HistoryRow> = with_pool!(&self.db, pool => {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT a.position, a.aggregate_type, a.aggregate_id, a.sequence, a.event_type, a.actor, a.role, \
                 a.authority, a.occurred_at, a.recorded_at, a.request_id, a.hash, {} AS payload_text, {} FROM ({head}",
                self.db.json_text("e.payload"),
                self.seal_columns()
            ));
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
                ("a.role", &filter.role),
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
            q.push(order).push(" LIMIT ").push_bind(filter.limit);
            q.push(format!(
                ") a JOIN events e ON e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id \
                 AND e.sequence = a.sequence{order}"
            ));
            q.build_query_as().fetch_all(pool).await?
        });
        let hidden_condition = filter.actor.is_some()
            || filter.role.is_some()
            || filter.event_type.is_some()
            || filter.occurred_from.is_some()
            || filter.occurred_to.is_some();
        Ok(lens::entries(rows, reader)
            .into_iter()
            .filter(|entry| match entry {
                ShownEntry::Full(_) => true,
                ShownEntry::Redacted(r) => {
                    !hidden_condition && filter.aggregate_id.as_ref().is_none_or(|id| *id == r.aggregate_id)
                }
            })
            .collect())
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
        let sql = "SELECT projector, next_position FROM projection_cursors WHERE projector NOT LIKE '%/revision' \
                   ORDER BY projector";
        Ok(with_pool!(&self.db, pool => sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// Every event recorded on the authority of a decision (its envelope cites it), in
    /// ledger order: what the decision authorised (read through [`At`]).
    async fn authorised_by_rows(&self, decision_id: &str) -> sqlx::Result<Vec<HistoryRow>> {
        let field = self.db.json_field("e.metadata", &["authority", "decision_id"]);
        let sql = format!(
            "SELECT a.position, a.aggregate_type, a.aggregate_id, a.sequence, a.event_type, a.actor, a.role, a.authority, \
             a.occurred_at, a.recorded_at, a.request_id, a.hash, {} AS payload_text, {} \
             FROM audit_history a JOIN events e ON e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id \
             AND e.sequence = a.sequence WHERE {field} = $1 AND a.aggregate_type <> 'decision' ORDER BY a.position",
            self.db.json_text("e.payload"),
            self.seal_columns()
        );
        let rows: Vec<HistoryRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(decision_id).fetch_all(pool).await?
        });
        Ok(rows)
    }
}
