//! Tamper scenarios for `ledger bench`: each class of break verify must catch, made in the
//! middle (or at the end) of the bench's ledger, then verify run and timed until it names
//! the break, then the ledger put back as it was, so every scenario starts intact.
//!
//! The classes are those the end-to-end tamper tests make on a small ledger: an edited
//! event, a deleted event, two events swapped, a forged event (re-hashed, signed by
//! another key, its ledger leaf rewritten), a truncated ledger (events and their positions removed from the end) and
//! a rewritten checkpoint (signed with the ledger's own, stolen, key over another root).
//! A scenario fails the bench if verify passes, or names another position than the one
//! broken.

use std::time::{Duration, Instant};

use ledger_format::{Checkpoint, LedgerSigner, LedgerVerifier, Seal};
use ledger_store::stored::StoredEvent;
use ledger_store::verify::VerifyError;
use ledger_store::Db;
use sqlx::postgres::PgPool;
use sqlx::Executor as _;

/// What one scenario found.
#[derive(Debug, Clone)]
pub struct Caught {
    pub scenario: &'static str,
    /// The position the break was made at.
    pub position: i64,
    /// From the start of verify to its report of the break.
    pub elapsed: Duration,
    /// What verify said.
    pub said: String,
}

/// Runs every scenario on the bench ledger (sealed, intact) and puts it back after each.
pub async fn scenarios(
    db: &Db,
    owner: &PgPool,
    verifier: &LedgerVerifier,
    signer: &LedgerSigner,
    origin: &str,
) -> anyhow::Result<Vec<Caught>> {
    let size: i64 = sqlx::query_scalar("SELECT count(*) FROM positions").fetch_one(owner).await?;
    anyhow::ensure!(size > 20, "the bench ledger is too small for the tamper scenarios");
    let middle = size / 2;
    let mut caught = Vec::new();

    // Edited: one character of an event's metadata.
    let (key, event) = event_at(owner, middle).await?;
    let edited = event.metadata.replacen("bench-", "bench!", 1);
    anyhow::ensure!(edited != event.metadata, "the bench event has no request id to edit");
    let edit = format!("UPDATE events SET metadata = {} WHERE {key}", quote(&edited));
    let restore = format!("UPDATE events SET metadata = {} WHERE {key}", quote(&event.metadata));
    caught.push(scenario(db, owner, verifier, "edited event", middle, &[edit], &[restore]).await?);

    // Deleted: one event row, its position kept.
    let delete = format!("DELETE FROM events WHERE {key}");
    let reinsert = insert(&event);
    caught.push(scenario(db, owner, verifier, "deleted event", middle, &[delete], &[reinsert]).await?);

    // Swapped: an event and the next of its aggregate exchange sequence numbers.
    let (first, next) = swappable(owner, middle).await?;
    let swap = swap_sql(&event.aggregate_type, &event.aggregate_id, first, next);
    let position: i64 = sqlx::query_scalar(&format!(
        "SELECT position FROM positions WHERE aggregate_type = {} AND aggregate_id = {} AND sequence = {first}",
        quote(&event.aggregate_type),
        quote(&event.aggregate_id)
    ))
    .fetch_one(owner)
    .await?;
    let back = swap_sql(&event.aggregate_type, &event.aggregate_id, first, next);
    caught.push(scenario(db, owner, verifier, "swapped events", position, &swap, &back).await?);

    // Forged: the last event of an aggregate given other content, re-hashed and signed by
    // another key, its ledger leaf rewritten to match: only the checkpoint's root differs,
    // and verify names the event by its signature.
    let last: i64 = sqlx::query_scalar(
        "SELECT position FROM positions l WHERE position >= $1 AND sequence = \
         (SELECT max(sequence) FROM events e WHERE e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id) \
         ORDER BY position LIMIT 1",
    )
    .bind(middle)
    .fetch_one(owner)
    .await?;
    let (key, event) = event_at(owner, last).await?;
    let attacker = LedgerSigner::from_seed(origin, [9u8; 32]).map_err(anyhow::Error::msg)?;
    let (mut record, _) = event.to_record().map_err(anyhow::Error::msg)?;
    record.metadata["request_id"] = "forged".into();
    let hash = record.hash()?;
    let mut seal = Seal::read(&serde_json::from_str(&event.metadata)?)?;
    let original_hash = seal.hash.clone();
    seal.hash = hex::encode(hash);
    seal.signature = attacker.sign_event_hash(&hash);
    let mut metadata = record.metadata.clone();
    seal.attach(&mut metadata)?;
    let forge = [
        format!("UPDATE events SET metadata = {} WHERE {key}", quote(&metadata.to_string())),
        format!("UPDATE positions SET event_hash = '{}' WHERE position = {last}", seal.hash),
    ];
    let restore = [
        format!("UPDATE events SET metadata = {} WHERE {key}", quote(&event.metadata)),
        format!("UPDATE positions SET event_hash = '{original_hash}' WHERE position = {last}"),
    ];
    caught.push(scenario(db, owner, verifier, "forged event", last, &forge, &restore).await?);

    // Truncated: the last ten events and their positions removed (the tree hashes kept).
    let tail: Vec<(i64, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT position, aggregate_type, aggregate_id, sequence, event_hash, sealed_at FROM positions \
         WHERE position >= $1 ORDER BY position",
    )
    .bind(size - 10)
    .fetch_all(owner)
    .await?;
    let mut cut = vec![format!("DELETE FROM positions WHERE position >= {}", size - 10)];
    let mut put_back = Vec::new();
    for (position, aggregate_type, aggregate_id, sequence, event_hash, sealed_at) in &tail {
        let (key, event) = event_at(owner, *position).await?;
        cut.push(format!("DELETE FROM events WHERE {key}"));
        put_back.push(insert(&event));
        put_back.push(format!(
            "INSERT INTO positions (position, aggregate_type, aggregate_id, sequence, event_hash, sealed_at) \
             VALUES ({position}, {}, {}, {sequence}, {}, {})",
            quote(aggregate_type),
            quote(aggregate_id),
            quote(event_hash),
            quote(sealed_at)
        ));
    }
    caught.push(scenario(db, owner, verifier, "truncated ledger", size - 10, &cut, &put_back).await?);

    // Checkpoint rewritten: the one nearest the middle, re-signed over another root.
    let (tree_size, root_hash, note): (i64, String, String) = sqlx::query_as(
        "SELECT tree_size, root_hash, note FROM checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT 1",
    )
    .bind(middle)
    .fetch_one(owner)
    .await?;
    let forged = Checkpoint { origin: origin.to_string(), size: u64::try_from(tree_size)?, root: [7u8; 32] };
    let forged_note = forged.sign(signer)?;
    let rewrite = format!(
        "UPDATE checkpoints SET note = {}, root_hash = {} WHERE tree_size = {tree_size}",
        quote(&forged_note),
        quote(&hex::encode([7u8; 32]))
    );
    let restore = format!(
        "UPDATE checkpoints SET note = {}, root_hash = {} WHERE tree_size = {tree_size}",
        quote(&note),
        quote(&root_hash)
    );
    caught.push(scenario(db, owner, verifier, "rewritten checkpoint", tree_size - 1, &[rewrite], &[restore]).await?);

    // Back as it was: verify passes again.
    ledger_store::verify::verify(db, verifier, &|_| {})
        .await
        .map_err(|e| anyhow::anyhow!("the bench ledger did not verify after the tamper scenarios: {e}"))?;
    Ok(caught)
}

/// Breaks the ledger, times verify until it reports, checks it names `position`, mends.
async fn scenario(
    db: &Db,
    owner: &PgPool,
    verifier: &LedgerVerifier,
    name: &'static str,
    position: i64,
    breaks: &[String],
    mends: &[String],
) -> anyhow::Result<Caught> {
    as_attacker(owner, breaks).await?;
    let started = Instant::now();
    let result = ledger_store::verify::verify(db, verifier, &|_| {}).await;
    let elapsed = started.elapsed();
    as_attacker(owner, mends).await?;
    let said = match result {
        Err(VerifyError::Broken(broken)) => {
            anyhow::ensure!(
                broken.position == Some(position),
                "{name}: verify named position {:?}, the break is at {position}: {broken}",
                broken.position
            );
            broken.to_string()
        }
        Err(other) => anyhow::bail!("{name}: verify could not run: {other}"),
        Ok(summary) => anyhow::bail!("{name}: verify passed a broken ledger: {summary}"),
    };
    eprintln!("  {name}: caught in {:.2} s: {said}", elapsed.as_secs_f64());
    Ok(Caught { scenario: name, position, elapsed, said })
}

/// Runs statements as the database owner with the append-only triggers off, in one
/// transaction.
async fn as_attacker(owner: &PgPool, statements: &[String]) -> anyhow::Result<()> {
    let mut tx = owner.begin().await?;
    for table in ["events", "positions", "checkpoints"] {
        tx.execute(format!("ALTER TABLE {table} DISABLE TRIGGER USER").as_str()).await?;
    }
    for statement in statements {
        tx.execute(statement.as_str()).await.map_err(|e| anyhow::anyhow!("{statement}: {e}"))?;
    }
    for table in ["events", "positions", "checkpoints"] {
        tx.execute(format!("ALTER TABLE {table} ENABLE TRIGGER USER").as_str()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The event at a position, and a WHERE clause naming its row.
async fn event_at(owner: &PgPool, position: i64) -> anyhow::Result<(String, StoredEvent)> {
    let event: StoredEvent = sqlx::query_as(
        "SELECT e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version, \
         e.payload::text AS payload, e.metadata::text AS metadata \
         FROM positions l JOIN events e USING (aggregate_type, aggregate_id, sequence) WHERE l.position = $1",
    )
    .bind(position)
    .fetch_one(owner)
    .await?;
    let key = format!(
        "aggregate_type = {} AND aggregate_id = {} AND sequence = {}",
        quote(&event.aggregate_type),
        quote(&event.aggregate_id),
        event.sequence
    );
    Ok((key, event))
}

/// The sequence of the event at `position` and of the next event of its aggregate.
async fn swappable(owner: &PgPool, position: i64) -> anyhow::Result<(i64, i64)> {
    let (_, event) = event_at(owner, position).await?;
    let last: i64 =
        sqlx::query_scalar("SELECT max(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2")
            .bind(&event.aggregate_type)
            .bind(&event.aggregate_id)
            .fetch_one(owner)
            .await?;
    Ok(if event.sequence < last { (event.sequence, event.sequence + 1) } else { (event.sequence - 1, event.sequence) })
}

/// A sequence number no bench aggregate reaches, where a swapped event waits.
const PARKED: i64 = 1_000_000_000;

/// Statements exchanging two sequence numbers of one aggregate (their own inverse).
fn swap_sql(aggregate_type: &str, aggregate_id: &str, a: i64, b: i64) -> Vec<String> {
    let of = format!("aggregate_type = {} AND aggregate_id = {}", quote(aggregate_type), quote(aggregate_id));
    vec![
        format!("UPDATE events SET sequence = {PARKED} WHERE {of} AND sequence = {a}"),
        format!("UPDATE events SET sequence = {a} WHERE {of} AND sequence = {b}"),
        format!("UPDATE events SET sequence = {b} WHERE {of} AND sequence = {PARKED}"),
    ]
}

fn insert(event: &StoredEvent) -> String {
    format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ({}, {}, {}, {}, {}, {}, {})",
        quote(&event.aggregate_type),
        quote(&event.aggregate_id),
        event.sequence,
        quote(&event.event_type),
        quote(&event.event_version),
        quote(&event.payload),
        quote(&event.metadata)
    )
}

/// A SQL string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
