//! Event records, their canonical bytes (RFC 8785 JCS) and their SHA-256 hashes.
//!
//! The hash is computed over the canonical bytes of the record *without* its hash and
//! signature, never over the database's text: PostgreSQL and SQLite may store JSON
//! differently from how it was sent, but JCS gives one byte string for one value.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event of every aggregate: 64 zeros.
pub const GENESIS_PREV_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A SHA-256 digest.
pub type Hash32 = [u8; 32];

/// One event exactly as it is hashed: the fields of docs/LEDGER-FORMAT.md §2.
///
/// Reading a record refuses unknown fields: a field outside the eight would not be
/// covered by the hash, so a verifier must not accept it silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    /// The envelope: actor, role, authority, occurred_at, recorded_at, request_id, …
    pub metadata: Value,
    /// Lowercase hex SHA-256 of the same aggregate's previous event, or 64 zeros.
    pub prev_hash: String,
}

/// Why a record cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("payload or metadata holds a floating-point number at {0}")]
    FloatNotAllowed(String),
    #[error("payload or metadata holds an integer outside ±(2^53 − 1) at {0}")]
    IntegerOutOfRange(String),
    #[error("{0} must be a JSON object")]
    NotAnObject(&'static str),
    #[error("record cannot be canonicalised: {0}")]
    Canonicalisation(String),
}

/// The largest integer RFC 8785 represents exactly (2^53 − 1, I-JSON's safe range).
/// JCS writes every number as an IEEE 754 double, so a larger integer would be rounded
/// in the canonical bytes and two different values would share one hash.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl EventRecord {
    /// RFC 8785 canonical bytes of the record (without hash or signature).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, RecordError> {
        if self.sequence > MAX_SAFE_INTEGER {
            return Err(RecordError::IntegerOutOfRange("sequence".to_string()));
        }
        if !self.payload.is_object() {
            return Err(RecordError::NotAnObject("payload"));
        }
        if !self.metadata.is_object() {
            return Err(RecordError::NotAnObject("metadata"));
        }
        reject_floats("payload", &self.payload)?;
        reject_floats("metadata", &self.metadata)?;
        serde_jcs::to_vec(self).map_err(|e| RecordError::Canonicalisation(e.to_string()))
    }

    /// SHA-256 of [`Self::canonical_bytes`].
    pub fn hash(&self) -> Result<Hash32, RecordError> {
        Ok(sha256(&self.canonical_bytes()?))
    }

    /// The hash as lowercase hex, as stored and published.
    pub fn hash_hex(&self) -> Result<String, RecordError> {
        Ok(hex::encode(self.hash()?))
    }
}

/// SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> Hash32 {
    Sha256::digest(bytes).into()
}

/// Parses a lowercase 64-character hex hash.
pub fn parse_hash_hex(text: &str) -> Option<Hash32> {
    if text.len() != 64 || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// Payloads hold no floats: money is integer minor units, percentages are computed.
/// A float would make the canonical bytes depend on number formatting. Integers must be
/// exactly representable as doubles (see [`MAX_SAFE_INTEGER`]).
fn reject_floats(path: &str, value: &Value) -> Result<(), RecordError> {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (_, Some(u)) if u <= MAX_SAFE_INTEGER => Ok(()),
            (Some(i), _) if i.unsigned_abs() <= MAX_SAFE_INTEGER => Ok(()),
            (Some(_), _) | (_, Some(_)) => Err(RecordError::IntegerOutOfRange(path.to_string())),
            (None, None) => Err(RecordError::FloatNotAllowed(path.to_string())),
        },
        Value::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, v)| reject_floats(&format!("{path}[{i}]"), v))
        }
        Value::Object(map) => map.iter().try_for_each(|(k, v)| reject_floats(&format!("{path}.{k}"), v)),
        _ => Ok(()),
    }
}
