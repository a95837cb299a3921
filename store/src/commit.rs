//! Group commit: the events of commands that arrive together are written in one
//! transaction, with one commit (one fsync) for all of them.
//!
//! [`GroupCommit::write`] queues one command's events and waits for its own answer. The
//! first writer to find no transaction under way starts one (a task of its own, so a
//! caller that goes away cannot cut a transaction short); while it commits, later writers
//! queue, and the task takes them all in its next transaction. Alone, a command is
//! written in a transaction of its own, as before.
//!
//! A batch is one `INSERT` statement into the table postgres-es and sqlite-es read
//! (`events`, their layout): a statement is a transaction of its own, so a batch costs one
//! round trip and one commit, and is stored whole or not at all. If it breaks a unique key
//! (another writer took a sequence number, or an `Idempotency-Key` was already used),
//! nothing of it is stored and every command of the batch is written again in a statement
//! of its own, where exactly the one that conflicts is told so
//! ([`PersistenceError::OptimisticLockError`]). A command's events are never split
//! between transactions, and no command's answer depends on another's.
//!
//! Payload and metadata are written as their canonical text ([`canonical::to_string`]),
//! so a verifier can hash them as stored without parsing them.

use std::sync::{Arc, Mutex};

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use ledger_format::canonical;
use tokio::sync::oneshot;

use crate::Db;

/// Events written in one statement at most (SQLite binds seven values per event).
const MAX_BATCH_EVENTS: usize = 256;

/// Writes the events of concurrent commands in shared transactions.
pub struct GroupCommit {
    db: Db,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    pending: Vec<Pending>,
    /// Whether a task is writing (it takes whatever is pending when it is done).
    writing: bool,
}

/// One command's events and where its answer goes.
struct Pending {
    events: Vec<SerializedEvent>,
    answer: oneshot::Sender<Result<(), PersistenceError>>,
}

/// Why one statement did not store its events.
enum Failed {
    /// A row's key or its idempotency key is taken.
    Conflict,
    Database(sqlx::Error),
}

impl GroupCommit {
    pub fn new(db: Db) -> Arc<Self> {
        Arc::new(Self { db, queue: Mutex::new(Queue::default()) })
    }

    /// Stores one command's events (all or none), in a transaction shared with whatever
    /// other commands are waiting. [`PersistenceError::OptimisticLockError`] if one of its
    /// keys (or its idempotency key) is already taken.
    pub async fn write(self: &Arc<Self>, events: Vec<SerializedEvent>) -> Result<(), PersistenceError> {
        if events.is_empty() {
            return Ok(());
        }
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.pending.push(Pending { events, answer });
            !std::mem::replace(&mut queue.writing, true)
        };
        if start {
            tokio::spawn(Arc::clone(self).drain());
        }
        answered.await.unwrap_or_else(|_| Err(unknown("the event writer stopped before answering")))
    }

    /// Writes batches until nothing is pending.
    async fn drain(self: Arc<Self>) {
        let _writing = Writing(Arc::clone(&self));
        loop {
            let batch = {
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                if queue.pending.is_empty() {
                    queue.writing = false;
                    return;
                }
                take_batch(&mut queue.pending)
            };
            self.commit(batch).await;
        }
    }

    /// Commits a batch, or each of its commands on its own if the batch fails.
    async fn commit(&self, batch: Vec<Pending>) {
        if batch.len() > 1 {
            let events: Vec<&SerializedEvent> = batch.iter().flat_map(|p| &p.events).collect();
            if self.insert(&events).await.is_ok() {
                for pending in batch {
                    let _ = pending.answer.send(Ok(()));
                }
                return;
            }
        }
        for pending in batch {
            let events: Vec<&SerializedEvent> = pending.events.iter().collect();
            let result = self.insert(&events).await.map_err(|failed| match failed {
                Failed::Conflict => PersistenceError::OptimisticLockError,
                Failed::Database(e) => PersistenceError::UnknownError(Box::new(e)),
            });
            let _ = pending.answer.send(result);
        }
    }

    /// Inserts the events in one statement, which is its own transaction: all of them, or
    /// none (a statement that breaks a unique key changes nothing). One round trip.
    async fn insert(&self, events: &[&SerializedEvent]) -> Result<(), Failed> {
        let sequence = |e: &SerializedEvent| i64::try_from(e.sequence).unwrap_or(i64::MAX);
        let result = match &self.db {
            Db::Postgres(pool) => {
                let column = |f: fn(&SerializedEvent) -> String| events.iter().map(|e| f(e)).collect::<Vec<_>>();
                sqlx::query(
                    "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                     metadata) SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], \
                     $6::text[]::json[], $7::text[]::json[])",
                )
                .bind(column(|e| e.aggregate_type.clone()))
                .bind(column(|e| e.aggregate_id.clone()))
                .bind(events.iter().map(|e| sequence(e)).collect::<Vec<_>>())
                .bind(column(|e| e.event_type.clone()))
                .bind(column(|e| e.event_version.clone()))
                .bind(column(|e| canonical::to_string(&e.payload)))
                .bind(column(|e| canonical::to_string(&e.metadata)))
                .execute(pool)
                .await
                .map(|_| ())
            }
            Db::Sqlite(pool) => {
                let rows: Vec<String> = (0..events.len())
                    .map(|i| {
                        let p = i * 7;
                        format!("(${},${},${},${},${},${},${})", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7)
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                     metadata) VALUES {}",
                    rows.join(",")
                );
                let mut query = sqlx::query(&sql);
                for e in events {
                    query = query
                        .bind(&e.aggregate_type)
                        .bind(&e.aggregate_id)
                        .bind(sequence(e))
                        .bind(&e.event_type)
                        .bind(&e.event_version)
                        .bind(canonical::to_string(&e.payload))
                        .bind(canonical::to_string(&e.metadata));
                }
                query.execute(pool).await.map(|_| ())
            }
        };
        match result {
            Ok(()) => Ok(()),
            // The primary key (a sequence number taken) or the idempotency key's index.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Failed::Conflict),
            Err(e) => Err(Failed::Database(e)),
        }
    }
}

/// The first pending commands, up to [`MAX_BATCH_EVENTS`] events (at least one command).
fn take_batch(pending: &mut Vec<Pending>) -> Vec<Pending> {
    let mut events = 0;
    let mut n = 0;
    for p in pending.iter() {
        if n > 0 && events + p.events.len() > MAX_BATCH_EVENTS {
            break;
        }
        events += p.events.len();
        n += 1;
    }
    pending.drain(..n).collect()
}

/// Marks the writer stopped if its task ends in a panic, answering what was queued with an
/// error rather than leaving it waiting for ever.
struct Writing(Arc<GroupCommit>);

impl Drop for Writing {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = self.0.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.writing = false;
            queue.pending.clear();
        }
    }
}

fn unknown(message: &str) -> PersistenceError {
    PersistenceError::UnknownError(message.into())
}
