//! Accountability dossiers: everything the ledger recorded about one subject, each event
//! with its inclusion proof against one signed checkpoint, verifiable offline
//! (`ledger-verify`, `ledger verify --dossier`, or by hand: docs/VERIFYING.md).
//!
//! Subjects are `<aggregate type>:<id>`. A meeting's dossier also holds the decisions
//! tabled at it; a decision's dossier also holds its meeting (attendance and quorum are
//! its provenance); a Pathfinder Country's (`pfc:NPL`) also holds its roadmaps, its
//! reports and the decisions that authorised any of their steps. Every other aggregate type is served as itself, so a dossier exists
//! for any recorded subject. Aggregates are always complete from sequence 1, so the
//! per-aggregate chains can be checked; events not yet sealed are counted, not included.
//!
//! A dossier is built for a reader: each event it may not read is a redacted record
//! (`projections::lens`), which still verifies.

use domain::visibility::Reader;
use ledger_format::dossier::{Dossier, DossierEvent, DOSSIER_FORMAT};
use ledger_store::proofs::Proofs;
use ledger_store::stored::StoredEvent;
use ledger_store::{with_pool, Db};
use projections::read::Reads;

/// Why a dossier cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    #[error("subjects look like meeting:GCG-21 or decision:GCG-19-D04")]
    BadSubject,
    #[error("nothing has been recorded (and sealed) about {0}")]
    NotFound(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    position: i64,
    #[sqlx(flatten)]
    event: StoredEvent,
}

async fn ids(db: &Db, sql: &str, bind: &str) -> anyhow::Result<Vec<String>> {
    Ok(with_pool!(db, pool => sqlx::query_scalar(sql).bind(bind).fetch_all(pool).await?))
}

/// The aggregates a subject covers.
async fn aggregates_of(db: &Db, kind: &str, id: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut aggregates = vec![(kind.to_string(), id.to_string())];
    let proposed_at = db.json_field("payload", &["DecisionProposed", "meeting_id"]);
    match kind {
        "meeting" => {
            let sql = format!(
                "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'decision' \
                 AND event_type = 'DecisionProposed' AND {proposed_at} = $1 ORDER BY aggregate_id"
            );
            aggregates.extend(ids(db, &sql, id).await?.into_iter().map(|d| ("decision".to_string(), d)));
        }
        "decision" => {
            let sql = format!(
                "SELECT {proposed_at} FROM events WHERE aggregate_type = 'decision' AND aggregate_id = $1 \
                 AND event_type = 'DecisionProposed'"
            );
            aggregates.extend(ids(db, &sql, id).await?.into_iter().map(|m| ("meeting".to_string(), m)));
        }
        "pfc" => {
            // A country's dossier: its roadmaps and reports, and the decisions they cite.
            let roadmaps = ids(
                db,
                "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'roadmap' \
                 AND aggregate_id LIKE $1 ORDER BY aggregate_id",
                &format!("{id}/%"),
            )
            .await?;
            let reports = ids(
                db,
                "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'country_report' \
                 AND aggregate_id LIKE $1 ORDER BY aggregate_id",
                &format!("%/{id}"),
            )
            .await?;
            aggregates.extend(roadmaps.into_iter().map(|r| ("roadmap".to_string(), r)));
            aggregates.extend(reports.into_iter().map(|r| ("country_report".to_string(), r)));
            let cited = db.json_field("metadata", &["authority", "decision_id"]);
            let mut decisions = Vec::new();
            for (t, a) in aggregates.clone() {
                let sql = format!(
                    "SELECT DISTINCT {cited} FROM events WHERE aggregate_type = '{t}' AND aggregate_id = $1 AND {cited} IS NOT NULL"
                );
                decisions.extend(ids(db, &sql, &a).await?);
            }
            decisions.sort();
            decisions.dedup();
            aggregates.extend(decisions.into_iter().map(|d| ("decision".to_string(), d)));
        }
        "donor" => {
            // A donor's dossier: the donor and every contribution it pledged.
            let contributions = crate::facts::programme::contributions_of_donor(db, id).await?;
            aggregates.extend(contributions.into_iter().map(|c| ("contribution".to_string(), c)));
        }
        _ => {}
    }
    Ok(aggregates)
}

/// Builds the dossier of `subject` against the latest signed checkpoint.
pub async fn build(db: &Db, subject: &str, public_key: &str, reader: &Reader) -> Result<Dossier, DossierError> {
    let (kind, id) =
        subject.split_once(':').filter(|(k, i)| !k.is_empty() && !i.is_empty()).ok_or(DossierError::BadSubject)?;
    let aggregates = aggregates_of(db, kind, id).await?;
    let checkpoint = Reads::new(db.clone())
        .latest_checkpoint()
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| DossierError::NotFound(subject.to_string()))?;
    let join = "ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence";
    let (rows, unsealed): (Vec<Row>, i64) = with_pool!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT l.position, {} FROM positions l JOIN events e {join} WHERE l.position < ",
            StoredEvent::columns(db)
        ));
        q.push_bind(checkpoint.tree_size).push(" AND (");
        let mut u = sqlx::QueryBuilder::new(format!("SELECT COUNT(*) FROM events e LEFT JOIN positions l {join} WHERE (l.position IS NULL OR l.position >= "));
        u.push_bind(checkpoint.tree_size).push(") AND (");
        for (i, (t, a)) in aggregates.iter().enumerate() {
            for builder in [&mut q, &mut u] {
                if i > 0 {
                    builder.push(" OR ");
                }
                builder.push("(e.aggregate_type = ").push_bind(t.clone()).push(" AND e.aggregate_id = ").push_bind(a.clone()).push(")");
            }
        }
        q.push(") ORDER BY l.position");
        u.push(")");
        let rows: Vec<Row> = q.build_query_as().fetch_all(pool).await.map_err(anyhow::Error::from)?;
        let unsealed: i64 = u.build_query_scalar().fetch_one(pool).await.map_err(anyhow::Error::from)?;
        (rows, unsealed)
    });
    if rows.is_empty() {
        return Err(DossierError::NotFound(subject.to_string()));
    }
    let tree_size = u64::try_from(checkpoint.tree_size).unwrap_or(0);
    let positions: Vec<u64> = rows.iter().map(|r| u64::try_from(r.position).unwrap_or(0)).collect();
    let paths = Proofs::new(db.clone()).audit_paths(&positions, tree_size).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut events = Vec::with_capacity(rows.len());
    for ((row, position), inclusion_proof) in rows.into_iter().zip(positions).zip(paths) {
        let (record, seal) = row.event.to_record().map_err(anyhow::Error::msg)?;
        let record = projections::lens::shown_record(record, reader).map_err(anyhow::Error::from)?;
        events.push(DossierEvent { position, record, hash: seal.hash, signature: seal.signature, inclusion_proof });
    }
    Ok(Dossier {
        format: DOSSIER_FORMAT.to_string(),
        subject: subject.to_string(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        origin: checkpoint.note.lines().next().unwrap_or_default().to_string(),
        public_key: public_key.to_string(),
        checkpoint: checkpoint.note,
        events,
        omitted_unsealed: u64::try_from(unsealed).unwrap_or(0),
        key_history: Some(ledger_store::keys::recorded_handovers(db).await?)
            .filter(|list| !list.is_empty())
            .map(|list| list.into_iter().map(|r| r.handover).collect()),
    })
}

/// A document hash that a dossier's records cite, with the events citing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedDocument {
    pub sha256: String,
    pub cited_by: Vec<crate::http::documents::CitingEvent>,
}

/// Every document hash the dossier's records cite: values of 64 lowercase hex digits under a
/// key ending in `sha256` or `_hash` in a payload or the metadata (`doc_sha256`,
/// `evidence[].sha256`, …), in the order first cited. Redacted records cite nothing the
/// reader may see.
pub fn cited_documents(dossier: &Dossier) -> Vec<CitedDocument> {
    let mut found: Vec<CitedDocument> = Vec::new();
    for event in &dossier.events {
        let ledger_format::ShownRecord::Full(record) = &event.record else { continue };
        for (sha256, field) in crate::http::documents::hashes_in(&record.payload, &record.metadata) {
            let index = match found.iter().position(|d| d.sha256 == sha256) {
                Some(index) => index,
                None => {
                    found.push(CitedDocument { sha256: sha256.clone(), cited_by: Vec::new() });
                    found.len() - 1
                }
            };
            let cited_by = &mut found[index].cited_by;
            let position = i64::try_from(event.position).ok();
            let sequence = i64::try_from(record.sequence).unwrap_or(i64::MAX);
            match cited_by.iter_mut().find(|c| c.position == position) {
                Some(citing) => citing.fields.push(field),
                None => cited_by.push(crate::http::documents::CitingEvent {
                    position,
                    aggregate_type: record.aggregate_type.clone(),
                    aggregate_id: record.aggregate_id.clone(),
                    sequence,
                    event_type: record.event_type.clone(),
                    fields: vec![field],
                }),
            }
        }
    }
    found
}

/// What [`write_documents`] wrote.
#[derive(Debug, Clone, Default)]
pub struct DocumentsWritten {
    /// How many document hashes the dossier cites.
    pub cited: usize,
    /// The documents written, by hash.
    pub written: Vec<String>,
    /// Cited hashes the ledger does not store.
    pub missing: Vec<String>,
    /// Stored documents whose bytes no longer hash to their name: `(name, actual hash)`.
    /// They are not written.
    pub altered: Vec<(String, String)>,
}

/// Writes every stored document the dossier cites into `folder` as `<sha256>`, each
/// re-hashed before it is written (an altered one is reported, never written).
pub async fn write_documents(db: &Db, dossier: &Dossier, folder: &std::path::Path) -> anyhow::Result<DocumentsWritten> {
    use anyhow::Context as _;
    use ledger_store::documents::{fetch, Content};
    let cited = cited_documents(dossier);
    let mut report = DocumentsWritten { cited: cited.len(), ..DocumentsWritten::default() };
    std::fs::create_dir_all(folder).with_context(|| format!("could not create {}", folder.display()))?;
    for document in cited {
        match fetch(db, &document.sha256).await? {
            None => report.missing.push(document.sha256),
            Some(Content::Altered { actual }) => report.altered.push((document.sha256, actual)),
            Some(Content::Intact(bytes)) => {
                let path = folder.join(&document.sha256);
                std::fs::write(&path, bytes).with_context(|| format!("could not write {}", path.display()))?;
                report.written.push(document.sha256);
            }
        }
    }
    Ok(report)
}
