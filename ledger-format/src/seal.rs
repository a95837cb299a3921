//! The seal: the chain fields stored beside an event's record (docs/LEDGER-FORMAT.md §3).
//!
//! A stored event's `metadata` holds the envelope plus one reserved key, [`SEAL_KEY`]
//! (`ledger`), with `{"prev_hash", "hash", "signature"}` and, for a version 2 record, its
//! `visibility`, `scope`, `pseudonym` and `salt`. The hashed record's metadata is the
//! stored metadata without that key; its `prev_hash` and version 2 fields are the seal's. This module is
//! the one place that writes, reads and splits it: the store, the sealer, the verifier,
//! replays of idempotent commands and the export all go through it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::record::EventRecord;

/// The reserved metadata key holding the seal.
pub const SEAL_KEY: &str = "ledger";

/// The chain fields stored beside an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// Lowercase hex SHA-256 of the same aggregate's previous event, or 64 zeros.
    pub prev_hash: String,
    /// Lowercase hex SHA-256 of the record's canonical bytes.
    pub hash: String,
    /// The recorder's Ed25519 signature of the hash (base64).
    pub signature: String,
    /// A version 2 record's class, scope, pseudonym and salt (docs/LEDGER-FORMAT.md §2),
    /// absent on version 1 records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

/// The stored fields of an event besides its seal.
#[derive(Debug, Clone)]
pub struct RecordParts {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    /// The metadata without the seal.
    pub metadata: Value,
}

/// Why stored metadata does not carry a readable seal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("metadata is not a JSON object")]
    NotAnObject,
    #[error("metadata has no ledger seal")]
    Missing,
    #[error("ledger seal is malformed: {0}")]
    Malformed(String),
}

impl Seal {
    /// Joins stored fields and the seal into the record that is hashed.
    pub fn record(&self, parts: RecordParts) -> EventRecord {
        EventRecord {
            aggregate_type: parts.aggregate_type,
            aggregate_id: parts.aggregate_id,
            sequence: parts.sequence,
            event_type: parts.event_type,
            event_version: parts.event_version,
            payload: parts.payload,
            metadata: parts.metadata,
            prev_hash: self.prev_hash.clone(),
            visibility: self.visibility.clone(),
            scope: self.scope.clone(),
            pseudonym: self.pseudonym.clone(),
            salt: self.salt.clone(),
        }
    }

    /// Splits stored metadata into the metadata that is hashed (without the seal) and the
    /// seal.
    pub fn split(mut metadata: Value) -> Result<(Value, Seal), SealError> {
        let seal =
            metadata.as_object_mut().ok_or(SealError::NotAnObject)?.remove(SEAL_KEY).ok_or(SealError::Missing)?;
        let seal = serde_json::from_value(seal).map_err(|e| SealError::Malformed(e.to_string()))?;
        Ok((metadata, seal))
    }

    /// Reads the seal of stored metadata, leaving the metadata as it is.
    pub fn read(metadata: &Value) -> Result<Seal, SealError> {
        let seal = metadata.as_object().ok_or(SealError::NotAnObject)?.get(SEAL_KEY).ok_or(SealError::Missing)?;
        Seal::deserialize(seal).map_err(|e| SealError::Malformed(e.to_string()))
    }

    /// Adds the seal to the metadata that was hashed, giving the metadata to store.
    pub fn attach(&self, metadata: &mut Value) -> Result<(), SealError> {
        let object = metadata.as_object_mut().ok_or(SealError::NotAnObject)?;
        let seal = serde_json::to_value(self).map_err(|e| SealError::Malformed(e.to_string()))?;
        object.insert(SEAL_KEY.to_string(), seal);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seal() -> Seal {
        Seal {
            prev_hash: "0".repeat(64),
            hash: "a".repeat(64),
            signature: "c2ln".into(),
            visibility: None,
            scope: None,
            pseudonym: None,
            salt: None,
        }
    }

    #[test]
    fn attach_then_split_gives_back_the_hashed_metadata_and_the_seal() {
        let hashed = json!({"actor": "alice", "role": "secretariat"});
        let mut stored = hashed.clone();
        seal().attach(&mut stored).unwrap();
        assert_eq!(stored[SEAL_KEY]["hash"], "a".repeat(64));
        assert_eq!(Seal::read(&stored).unwrap(), seal());
        assert_eq!(Seal::split(stored).unwrap(), (hashed, seal()));
    }

    #[test]
    fn missing_malformed_and_non_object_metadata_are_named() {
        assert_eq!(Seal::split(json!({"actor": "a"})).unwrap_err(), SealError::Missing);
        assert_eq!(Seal::read(&json!([1])).unwrap_err(), SealError::NotAnObject);
        let extra = json!({"ledger": {"prev_hash": "", "hash": "", "signature": "", "x": 1}});
        assert!(matches!(Seal::read(&extra).unwrap_err(), SealError::Malformed(_)));
        assert!(matches!(Seal::split(json!({"ledger": {"hash": "h"}})).unwrap_err(), SealError::Malformed(_)));
    }
}
