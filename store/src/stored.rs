//! An event row as stored, and its split into the hashed record and the seal
//! ([`ledger_format::seal`] says where the seal lives in the metadata).

use ledger_format::seal::{RecordParts, StoredText};
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

    /// The event's hash and seal computed from its stored text as it is, without parsing
    /// it, when that text is canonical (the store writes it so); `None` otherwise.
    pub fn hash_from_text(&self) -> Option<(ledger_format::Hash32, Seal)> {
        StoredText {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: u64::try_from(self.sequence).ok()?,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
        }
        .hash()
    }

    /// Splits the row into the record that is hashed and its seal.
    pub fn to_record(&self) -> Result<(EventRecord, Seal), String> {
        let payload: Value = serde_json::from_str(&self.payload).map_err(|e| format!("payload is not JSON: {e}"))?;
        let metadata: Value = serde_json::from_str(&self.metadata).map_err(|e| format!("metadata is not JSON: {e}"))?;
        let (metadata, seal) = Seal::split(metadata).map_err(|e| e.to_string())?;
        let sequence = u64::try_from(self.sequence).map_err(|_| "negative sequence".to_string())?;
        let record = seal.record(RecordParts {
            aggregate_type: self.aggregate_type.clone(),
            aggregate_id: self.aggregate_id.clone(),
            sequence,
            event_type: self.event_type.clone(),
            event_version: self.event_version.clone(),
            payload,
            metadata,
        });
        Ok((record, seal))
    }
}
