//! An event row as stored, and its split into the hashed record and the seal
//! ([`ledger_format::seal`] says where the seal lives in the metadata).

use ledger_format::seal::{SealText, StoredText};
use ledger_format::{EventRecord, Seal};

/// One row of the `events` table, JSON columns as text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEvent {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
}

impl StoredEvent {
    /// The SELECT list for a [`StoredEvent`] from table alias `e`.
    pub fn columns(db: &crate::Db) -> String {
        format!(
            "e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version, {} AS payload, {} AS metadata",
            db.json_text("e.payload"),
            db.json_text("e.metadata")
        )
    }

    /// The row's fields, borrowed.
    pub fn fields(&self) -> StoredText<'_> {
        StoredText {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
        }
    }

    /// The event's hash and seal computed from its stored text as it is, without parsing
    /// it, when that text is canonical (the store writes it so); `None` otherwise.
    pub fn hash_from_text(&self) -> Option<(ledger_format::Hash32, SealText<'_>)> {
        self.fields().hash()
    }

    /// Splits the row into the record that is hashed and its seal.
    pub fn to_record(&self) -> Result<(EventRecord, Seal), String> {
        self.fields().to_record()
    }
}

/// The columns of a row selected with [`StoredEvent::columns`], in their order, borrowed
/// from the row as it was read rather than copied (how verify reads the events).
pub fn fields_of_row<R: sqlx::Row>(row: &R) -> Result<StoredText<'_>, sqlx::Error>
where
    for<'a> &'a str: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(StoredText {
        aggregate_type: row.try_get(0)?,
        aggregate_id: row.try_get(1)?,
        sequence: row.try_get(2)?,
        event_type: row.try_get(3)?,
        event_version: row.try_get(4)?,
        payload: row.try_get(5)?,
        metadata: row.try_get(6)?,
    })
}
