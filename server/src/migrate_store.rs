//! `ledger migrate-store`: moves a ledger from the embedded store to PostgreSQL keeping
//! every event, hash, signature, position, Merkle hash, checkpoint, cosignature and token,
//! so that the tree size and root are identical; it verifies the source before and the
//! target after, and compares them.
//!
//! The target must be empty; its schema comes from the migrations. Events are inserted in
//! ledger order (then the unsealed ones in the order they were committed); the trigger that
//! queues new events for sealing queues them all, and the queue is then emptied of those
//! that already have a position, so only the unsealed ones are sealed again. The views are
//! not copied: the server rebuilds them from the ledger when it starts. Stored documents
//! move from their files into the target's `documents` table, each re-hashed first.

use anyhow::Context as _;
use ledger_format::{canonical, LedgerVerifier};
use ledger_store::db::is_postgres_url;
use ledger_store::verify::{verify, Summary};
use ledger_store::Db;
use serde_json::Value;
use sqlx::{PgPool, Row as _, SqlitePool};

/// Rows written per INSERT.
const BATCH: usize = 500;

/// What was moved, and the verification of both ends.
#[derive(Debug)]
pub struct Moved {
    pub events: u64,
    pub source: Summary,
    pub target: Summary,
}

/// Moves the ledger at `from` (SQLite) into the empty PostgreSQL database at `to`.
pub async fn migrate(
    from: &str,
    to: &str,
    verifier: &LedgerVerifier,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Moved> {
    anyhow::ensure!(!is_postgres_url(from), "--from must be the embedded store (sqlite://…)");
    anyhow::ensure!(is_postgres_url(to), "--to must be PostgreSQL (postgres://…)");
    let source = Db::connect_read_only(from).await?;
    let source_summary =
        verify(&source, verifier, &|_| {}).await.map_err(|e| anyhow::anyhow!("the source does not verify: {e}"))?;
    let Db::Sqlite(src) = &source else { anyhow::bail!("not SQLite") };
    let target = Db::connect(to).await?;
    let Db::Postgres(dst) = &target else { anyhow::bail!("not PostgreSQL") };
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(dst).await?;
    anyhow::ensure!(existing == 0, "the target already holds {existing} events: migrate only into an empty ledger");

    progress.set_length(source_summary.events);
    progress.set_message("events");
    let events = copy_events(src, dst, progress).await?;
    progress.set_message("positions, Merkle hashes, checkpoints, cosignatures, tokens, personal data");
    copy_rest(src, dst).await?;
    progress.set_message("documents");
    copy_documents(&source, &target).await?;
    sqlx::query(
        "DELETE FROM ledger_inbox i USING positions p WHERE p.aggregate_type = i.aggregate_type \
         AND p.aggregate_id = i.aggregate_id AND p.sequence = i.sequence",
    )
    .execute(dst)
    .await?;
    progress.finish_and_clear();
    let target_summary =
        verify(&target, verifier, &|_| {}).await.map_err(|e| anyhow::anyhow!("the target does not verify: {e}"))?;
    anyhow::ensure!(
        (target_summary.tree_size, &target_summary.root, target_summary.events)
            == (source_summary.tree_size, &source_summary.root, source_summary.events),
        "the target's tree (size {}, root {}) differs from the source's (size {}, root {})",
        target_summary.tree_size,
        target_summary.root,
        source_summary.tree_size,
        source_summary.root
    );
    source.close().await;
    target.close().await;
    Ok(Moved { events, source: source_summary, target: target_summary })
}

/// Copies the events: the sealed ones in ledger order, then the unsealed ones in the order
/// they were committed.
async fn copy_events(src: &SqlitePool, dst: &PgPool, progress: &indicatif::ProgressBar) -> anyhow::Result<u64> {
    let sql =
        "SELECT e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version, e.payload, e.metadata \
               FROM events e LEFT JOIN positions p ON p.aggregate_type = e.aggregate_type \
               AND p.aggregate_id = e.aggregate_id AND p.sequence = e.sequence \
               LEFT JOIN ledger_inbox i ON i.aggregate_type = e.aggregate_type AND i.aggregate_id = e.aggregate_id \
               AND i.sequence = e.sequence \
               ORDER BY p.position IS NULL, p.position, i.id";
    let rows = sqlx::query(sql).fetch_all(src).await?;
    let mut copied = 0u64;
    for chunk in rows.chunks(BATCH) {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) ",
        );
        let mut parsed = Vec::with_capacity(chunk.len());
        for row in chunk {
            let payload: Value = serde_json::from_str(row.try_get::<&str, _>("payload")?).context("payload")?;
            let metadata: Value = serde_json::from_str(row.try_get::<&str, _>("metadata")?).context("metadata")?;
            parsed.push((row, payload, metadata));
        }
        q.push_values(parsed, |mut b, (row, payload, metadata)| {
            b.push_bind(row.get::<String, _>("aggregate_type"))
                .push_bind(row.get::<String, _>("aggregate_id"))
                .push_bind(row.get::<i64, _>("sequence"))
                .push_bind(row.get::<String, _>("event_type"))
                .push_bind(row.get::<String, _>("event_version"))
                .push_bind(canonical::to_string(&payload))
                .push_unseparated("::json")
                .push_bind(canonical::to_string(&metadata))
                .push_unseparated("::json");
        });
        q.build().execute(dst).await?;
        copied += chunk.len() as u64;
        progress.set_position(copied);
    }
    Ok(copied)
}

/// Copies positions, Merkle hashes, checkpoints, cosignatures, tokens and the
/// personal-data register, as they are.
async fn copy_rest(src: &SqlitePool, dst: &PgPool) -> anyhow::Result<()> {
    let positions = sqlx::query("SELECT position, aggregate_type, aggregate_id, sequence, event_hash, sealed_at FROM positions ORDER BY position")
        .fetch_all(src)
        .await?;
    for chunk in positions.chunks(BATCH) {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO positions (position, aggregate_type, aggregate_id, sequence, event_hash, sealed_at) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.get::<i64, _>("position"))
                .push_bind(r.get::<String, _>("aggregate_type"))
                .push_bind(r.get::<String, _>("aggregate_id"))
                .push_bind(r.get::<i64, _>("sequence"))
                .push_bind(r.get::<String, _>("event_hash"))
                .push_bind(r.get::<String, _>("sealed_at"));
        });
        q.build().execute(dst).await?;
    }
    let hashes = sqlx::query("SELECT idx, hash FROM merkle_hashes ORDER BY idx").fetch_all(src).await?;
    for chunk in hashes.chunks(BATCH) {
        let mut q = sqlx::QueryBuilder::new("INSERT INTO merkle_hashes (idx, hash) ");
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.get::<i64, _>("idx")).push_bind(r.get::<Vec<u8>, _>("hash"));
        });
        q.build().execute(dst).await?;
    }
    let checkpoints = sqlx::query("SELECT tree_size, root_hash, note, created_at FROM checkpoints ORDER BY tree_size")
        .fetch_all(src)
        .await?;
    for chunk in checkpoints.chunks(BATCH) {
        let mut q = sqlx::QueryBuilder::new("INSERT INTO checkpoints (tree_size, root_hash, note, created_at) ");
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.get::<i64, _>("tree_size"))
                .push_bind(r.get::<String, _>("root_hash"))
                .push_bind(r.get::<String, _>("note"))
                .push_bind(r.get::<String, _>("created_at"));
        });
        q.build().execute(dst).await?;
    }
    let cosignatures =
        sqlx::query("SELECT tree_size, witness, signature_line, signed_at, received_at FROM cosignatures")
            .fetch_all(src)
            .await?;
    for r in &cosignatures {
        sqlx::query(
            "INSERT INTO cosignatures (tree_size, witness, signature_line, signed_at, received_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.get::<i64, _>("tree_size"))
        .bind(r.get::<String, _>("witness"))
        .bind(r.get::<String, _>("signature_line"))
        .bind(r.get::<i64, _>("signed_at"))
        .bind(r.get::<String, _>("received_at"))
        .execute(dst)
        .await?;
    }
    let tokens = sqlx::query(
        "SELECT token_hash, role, subject, created_at, scope, expires_at, last_used_at, revoked_at FROM api_tokens",
    )
    .fetch_all(src)
    .await?;
    for r in &tokens {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, role, subject, created_at, scope, expires_at, last_used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.get::<String, _>("token_hash"))
        .bind(r.get::<String, _>("role"))
        .bind(r.get::<String, _>("subject"))
        .bind(r.get::<String, _>("created_at"))
        .bind(r.get::<Option<String>, _>("scope"))
        .bind(r.get::<Option<String>, _>("expires_at"))
        .bind(r.get::<Option<String>, _>("last_used_at"))
        .bind(r.get::<Option<String>, _>("revoked_at"))
        .execute(dst)
        .await?;
    }
    // The personal-data register moves as it is (erased rows stay erased).
    let people: Vec<ledger_store::personal::PersonRow> = sqlx::query_as(
        "SELECT person_ref, country, name, email, phone, salt, commitment, created_at, erased_at, \
         erasure_reason_ref FROM personal_data",
    )
    .fetch_all(src)
    .await?;
    for p in &people {
        sqlx::query(
            "INSERT INTO personal_data (person_ref, country, name, email, phone, salt, commitment, created_at, \
             erased_at, erasure_reason_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&p.person_ref)
        .bind(&p.country)
        .bind(&p.name)
        .bind(&p.email)
        .bind(&p.phone)
        .bind(&p.salt)
        .bind(&p.commitment)
        .bind(&p.created_at)
        .bind(&p.erased_at)
        .bind(&p.erasure_reason_ref)
        .execute(dst)
        .await?;
    }
    Ok(())
}

/// Moves every stored document (files beside the SQLite database) into the target's table,
/// with its record; a document whose bytes no longer hash to its name stops the move.
async fn copy_documents(source: &Db, target: &Db) -> anyhow::Result<()> {
    use ledger_store::documents::{all, copy_into, fetch, Content};
    for record in all(source).await? {
        match fetch(source, &record.sha256).await? {
            Some(Content::Intact(bytes)) => {
                copy_into(target, &record, &bytes).await?;
            }
            Some(Content::Altered { actual }) => anyhow::bail!(
                "the stored document {} has been altered (its bytes hash to {actual}): restore it from a backup \
                 before moving the ledger",
                record.sha256
            ),
            None => anyhow::bail!("the stored document {} vanished while moving the ledger", record.sha256),
        }
    }
    Ok(())
}
