//! An event row as stored, and its split into the hashed record and the seal
//! ([`ledger_format::seal`] says where the seal lives in the metadata).

use ledger_format::seal::{RecordParts, SealText, StoredText};
use ledger_format::{EventRecord, Seal};
use serde_json::Value;

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
    pub fn fields(&self) -> StoredFields<'_> {
        StoredFields {
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
        self.fields().hash_from_text()
    }

    /// Splits the row into the record that is hashed and its seal.
    pub fn to_record(&self) -> Result<(EventRecord, Seal), String> {
        self.fields().to_record()
    }
}

/// An event row's fields, borrowed from wherever they were read (a [`StoredEvent`], or a
/// database row as it came, which spares verify a copy of every column).
#[derive(Debug, Clone, Copy)]
pub struct StoredFields<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: &'a str,
    pub metadata: &'a str,
}

impl<'a> StoredFields<'a> {
    /// The columns of a row selected with [`StoredEvent::columns`], in their order,
    /// without copying them.
    pub fn from_row<R: sqlx::Row>(row: &'a R) -> Result<Self, sqlx::Error>
    where
        &'a str: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        Ok(StoredFields {
            aggregate_type: row.try_get(0)?,
            aggregate_id: row.try_get(1)?,
            sequence: row.try_get(2)?,
            event_type: row.try_get(3)?,
            event_version: row.try_get(4)?,
            payload: row.try_get(5)?,
            metadata: row.try_get(6)?,
        })
    }

    /// See [`StoredEvent::hash_from_text`].
    pub fn hash_from_text(&self) -> Option<(ledger_format::Hash32, SealText<'a>)> {
        StoredText {
            aggregate_type: self.aggregate_type,
            aggregate_id: self.aggregate_id,
            sequence: u64::try_from(self.sequence).ok()?,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
            metadata: self.metadata,
        }
        .hash()
    }

    /// See [`StoredEvent::to_record`].
    pub fn to_record(&self) -> Result<(EventRecord, Seal), String> {
        let payload: Value = serde_json::from_str(self.payload).map_err(|e| format!("payload is not JSON: {e}"))?;
        let metadata: Value = serde_json::from_str(self.metadata).map_err(|e| format!("metadata is not JSON: {e}"))?;
        let (metadata, seal) = Seal::split(metadata).map_err(|e| e.to_string())?;
        let sequence = u64::try_from(self.sequence).map_err(|_| "negative sequence".to_string())?;
        let record = seal.record(RecordParts {
            aggregate_type: self.aggregate_type.to_string(),
            aggregate_id: self.aggregate_id.to_string(),
            sequence,
            event_type: self.event_type.to_string(),
            event_version: self.event_version.to_string(),
            payload,
            metadata,
        });
        Ok((record, seal))
    }
}
