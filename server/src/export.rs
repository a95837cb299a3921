//! `ledger export`: the whole ledger as JSON Lines (docs/LEDGER-FORMAT.md §9).
//!
//! A header line (format, origin, public key), one line per event in position order
//! (events not yet sealed last, with `"position": null`), then the latest signed
//! checkpoint. Everything an offline verifier needs, nothing it has to trust.
//!
//! An export is made for a reader (`ledger export --for ROLE[:SCOPE]`, by default the
//! Secretariat): the events it may not read are redacted records, which still verify.

use std::io::Write;

use anyhow::Context as _;
use domain::visibility::Reader;
use futures::TryStreamExt as _;
use ledger_store::stored::StoredEvent;
use ledger_store::{with_pool, Db};
use serde_json::{json, Value};

/// The format tag of the export's header line (the format crate's).
pub use ledger_format::export::EXPORT_FORMAT;

#[derive(Debug, sqlx::FromRow)]
struct Row {
    position: Option<i64>,
    #[sqlx(flatten)]
    event: StoredEvent,
}

fn line(row: Row, reader: &Reader) -> anyhow::Result<Value> {
    let (record, seal) = row.event.to_record().map_err(anyhow::Error::msg)?;
    let record = projections::lens::shown_record(record, reader)?;
    Ok(
        json!({"type": "event", "position": row.position, "record": record, "hash": seal.hash, "signature": seal.signature}),
    )
}

/// Writes the export; returns the number of events written.
pub async fn export(
    db: &Db,
    origin: &str,
    public_key: &str,
    reader: &Reader,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let mut header = json!({"type": "header", "format": EXPORT_FORMAT, "origin": origin, "public_key": public_key});
    let handovers: Vec<_> = ledger_store::keys::recorded_handovers(db).await?.into_iter().map(|r| r.handover).collect();
    if !handovers.is_empty() {
        header["key_history"] = serde_json::to_value(handovers)?;
    }
    writeln!(out, "{header}")?;
    let columns = StoredEvent::columns(db);
    let join = "ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence";
    let sealed = format!("SELECT l.position, {columns} FROM positions l JOIN events e {join} ORDER BY l.position");
    let unsealed = format!(
        "SELECT l.position, {columns} FROM events e LEFT JOIN positions l {join} WHERE l.position IS NULL \
         ORDER BY e.aggregate_type, e.aggregate_id, e.sequence"
    );
    let mut count = 0u64;
    let postgres = db.is_postgres();
    with_pool!(db, pool => {
        // One snapshot: every event exactly once, and the checkpoint no larger than the file.
        let mut tx = pool.begin().await?;
        if postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        }
        for sql in [&sealed, &unsealed] {
            let mut rows = sqlx::query_as::<_, Row>(sql).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                writeln!(out, "{}", line(row, reader)?)?;
                count += 1;
            }
        }
        let note: Option<String> = sqlx::query_scalar("SELECT note FROM checkpoints ORDER BY tree_size DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        tx.rollback().await?;
        if let Some(note) = note {
            writeln!(out, "{}", json!({"type": "checkpoint", "note": note}))?;
        }
    });
    out.flush()?;
    Ok(count)
}

/// Writes the log in the C2SP tlog-tiles layout into `dir`: `checkpoint` (the latest signed
/// checkpoint) and every tile of the tree it signs. Returns how many tiles were written.
pub async fn tiles(db: &Db, dir: &std::path::Path) -> anyhow::Result<usize> {
    let reads = projections::read::Reads::new(db.clone());
    let latest = reads.latest_checkpoint().await?.ok_or_else(|| anyhow::anyhow!("nothing is sealed yet"))?;
    let size = u64::try_from(latest.tree_size).unwrap_or(0);
    let mut written = 0;
    for tile in ledger_store::tiles::TileRef::all(size) {
        let data = ledger_store::tiles::read(db, tile, size)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{} is missing from the stored tree", tile.path()))?;
        let path = dir.join(tile.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
        }
        std::fs::write(&path, data).with_context(|| format!("could not write {}", path.display()))?;
        written += 1;
    }
    std::fs::write(dir.join("checkpoint"), latest.note)
        .with_context(|| format!("could not write {}/checkpoint", dir.display()))?;
    Ok(written)
}
