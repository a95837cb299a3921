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

use crate::canonical::CanonicalObject;
use crate::record::{EventRecord, Hash32, RecordText};

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

/// A stored event's fields as the store holds them (the sequence as stored, the payload
/// and metadata as text), borrowed from wherever they were read.
#[derive(Debug, Clone, Copy)]
pub struct StoredText<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: &'a str,
    pub metadata: &'a str,
}

/// A seal read from canonical text, borrowing it: what verify needs of a seal without
/// copying its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealText<'a> {
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub signature: &'a str,
    pub visibility: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub pseudonym: Option<&'a str>,
    pub salt: Option<&'a str>,
}

impl<'a> SealText<'a> {
    /// The seal from its canonical text, as [`Seal::split`] reads it; `None` where that
    /// reading needs a parser (escapes, nulls) or refuses the seal.
    fn parse(text: &'a str) -> Option<Self> {
        let (mut prev_hash, mut hash, mut signature) = (None, None, None);
        let (mut visibility, mut scope, mut pseudonym, mut salt) = (None, None, None, None);
        for (key, value) in CanonicalObject::parse(text)?.members() {
            let field = match *key {
                "prev_hash" => &mut prev_hash,
                "hash" => &mut hash,
                "signature" => &mut signature,
                "visibility" => &mut visibility,
                "scope" => &mut scope,
                "pseudonym" => &mut pseudonym,
                "salt" => &mut salt,
                _ => return None,
            };
            *field = Some(CanonicalObject::plain_str(value)?);
        }
        Some(SealText { prev_hash: prev_hash?, hash: hash?, signature: signature?, visibility, scope, pseudonym, salt })
    }

    /// The seal, owned.
    pub fn to_seal(&self) -> Seal {
        Seal {
            prev_hash: self.prev_hash.to_string(),
            hash: self.hash.to_string(),
            signature: self.signature.to_string(),
            visibility: self.visibility.map(str::to_string),
            scope: self.scope.map(str::to_string),
            pseudonym: self.pseudonym.map(str::to_string),
            salt: self.salt.map(str::to_string),
        }
    }
}

impl<'a> StoredText<'a> {
    /// The event's hash and seal, read without parsing the stored JSON: when the payload
    /// and metadata are canonical text (the store writes them so), the seal is cut out of
    /// the metadata's text and the hashed bytes are spliced from the rest, with nothing
    /// copied but into the bytes hashed. Exactly what [`Seal::split`] and
    /// [`EventRecord::hash`] give; `None` when the text is not canonical or the record is
    /// malformed (then [`Self::to_record`] says why).
    pub fn hash(&self) -> Option<(Hash32, SealText<'a>)> {
        if !CanonicalObject::is_canonical(self.payload) {
            return None;
        }
        let stored = CanonicalObject::parse(self.metadata)?;
        // Taking a member out of canonical text leaves canonical text.
        let (metadata, seal) = stored.without(SEAL_KEY)?;
        let seal = SealText::parse(seal)?;
        let hash =
            RecordText { stored: *self, metadata, recorded_at: stored.get("recorded_at"), seal: &seal }.hash()?;
        Some((hash, seal))
    }

    /// Parses the stored JSON and splits it into the record that is hashed and its seal;
    /// `Err` says what is malformed.
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

    /// A stored event as the store writes it: the seal attached to the metadata, both
    /// JSON members as canonical text.
    fn stored(record: &EventRecord) -> (String, String, Seal) {
        let hash = record.hash_hex().unwrap();
        let seal = Seal { hash, ..record_seal(record) };
        let mut metadata = record.metadata.clone();
        seal.attach(&mut metadata).unwrap();
        (crate::canonical::to_string(&record.payload), crate::canonical::to_string(&metadata), seal)
    }

    fn record_seal(record: &EventRecord) -> Seal {
        Seal {
            prev_hash: record.prev_hash.clone(),
            hash: String::new(),
            signature: "c2ln".into(),
            visibility: record.visibility.clone(),
            scope: record.scope.clone(),
            pseudonym: record.pseudonym.clone(),
            salt: record.salt.clone(),
        }
    }

    fn text<'a>(record: &'a EventRecord, payload: &'a str, metadata: &'a str) -> StoredText<'a> {
        StoredText {
            aggregate_type: &record.aggregate_type,
            aggregate_id: &record.aggregate_id,
            sequence: i64::try_from(record.sequence).unwrap(),
            event_type: &record.event_type,
            event_version: &record.event_version,
            payload,
            metadata,
        }
    }

    #[test]
    fn hashing_the_stored_text_gives_the_parsed_records_hash() {
        let v1 = EventRecord {
            aggregate_type: "meeting".into(),
            aggregate_id: "GCG-21".into(),
            sequence: 3,
            event_type: "DecisionRecorded".into(),
            event_version: "1".into(),
            payload: json!({"text": "Adopt the \"roadmap\"\n", "votes": [1, -2, {"é": null}], "z": true}),
            metadata: json!({"actor": "alice", "recorded_at": "2026-12-03T10:00:00Z", "role": "secretariat"}),
            prev_hash: "ab".repeat(32),
            visibility: None,
            scope: None,
            pseudonym: None,
            salt: None,
        };
        let v2 = EventRecord {
            visibility: Some("donor-confidential".into()),
            scope: Some("donor-1".into()),
            pseudonym: Some(format!("~{}", "c".repeat(24))),
            salt: Some("d".repeat(32)),
            ..v1.clone()
        };
        for record in [v1, v2] {
            let (payload, metadata, seal) = stored(&record);
            assert_eq!(
                text(&record, &payload, &metadata).hash().map(|(h, s)| (h, s.to_seal())),
                Some((record.hash().unwrap(), seal.clone()))
            );
            // Text the store did not write canonically is left to the parser.
            let pretty = serde_json::to_string_pretty(&record.payload).unwrap();
            assert_eq!(text(&record, &pretty, &metadata).hash(), None);
            // A malformed record is left to the parser, which names why.
            let floats = r#"{"a":1.5}"#;
            assert_eq!(text(&record, floats, &metadata).hash(), None);
            let unsealed = crate::canonical::to_string(&record.metadata);
            assert_eq!(text(&record, &payload, &unsealed).hash(), None);
            // A seal with a member the format does not have is refused by the parser too.
            let extra = metadata.replacen("\"ledger\":{", "\"ledger\":{\"extra\":\"x\",", 1);
            assert_eq!(text(&record, &payload, &extra).hash(), None);
            // A negative stored sequence cannot be hashed; parsing says why.
            let negative = StoredText { sequence: -1, ..text(&record, &payload, &metadata) };
            assert_eq!(negative.hash(), None);
            assert_eq!(negative.to_record().unwrap_err(), "negative sequence");
            let (parsed_record, parsed_seal) = text(&record, &payload, &metadata).to_record().unwrap();
            assert_eq!((parsed_record, parsed_seal), (record.clone(), seal.clone()));
            let mut parsed: Value = serde_json::from_str(&extra).unwrap();
            assert!(matches!(Seal::split(parsed.take()), Err(SealError::Malformed(_))));
        }
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
