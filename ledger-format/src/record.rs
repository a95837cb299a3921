//! Event records, their canonical bytes (RFC 8785 JCS) and their SHA-256 hashes, and the
//! redacted form a reader sees of an event it may not read (docs/LEDGER-FORMAT.md §2–§4).
//!
//! The hash is computed over canonical bytes, never over the database's text: PostgreSQL
//! and SQLite may store JSON differently from how it was sent, but JCS gives one byte
//! string for one value.
//!
//! Two record versions exist. A **version 1** record (no `salt`) is hashed whole. A
//! **version 2** record carries its visibility class and a random `salt`; its hash covers
//! its [`Head`]: the chain fields, `recorded_at`, the class and the SHA-256 of its salted
//! content (event type, version, payload, metadata). So a reader who may not see the
//! content gets the head alone (a [`RedactedRecord`]) and can still recompute the hash,
//! check the signature, the chain and the inclusion proof.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::canonical::{CanonicalObject, Members};
use crate::seal::{SealText, StoredText};

/// `prev_hash` of the first event of every aggregate: 64 zeros.
pub const GENESIS_PREV_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A SHA-256 digest.
pub type Hash32 = [u8; 32];

/// The visibility classes (docs/LEDGER-FORMAT.md §2.1), as written in records.
pub const CLASSES: [&str; 4] = ["public", "donor-confidential", "secretariat-internal", "personal"];

/// Context prefixed to a version 2 record's content before hashing, so a content hash
/// can never be mistaken for an event hash.
pub const CONTENT_CONTEXT: &[u8] = b"alliance87-ledger/event-content/v2\n";

/// One event as it is hashed: the fields of docs/LEDGER-FORMAT.md §2.
///
/// Reading a record refuses unknown fields: a field outside those of §2 would not be
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
    /// Version 2: who may read the event, one of [`CLASSES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// Version 2: the donor (class `donor-confidential`) or country (class `personal`) the
    /// event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Version 2: the aggregate's stable pseudonym, where its id is itself confidential;
    /// the head carries it in place of `aggregate_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// Version 2: 32 lowercase hex characters of randomness, hashed with the content so
    /// that a redacted record's content hash cannot be guessed from likely values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

/// What a version 2 event hash covers, and all a reader sees of an event it may not read.
///
/// A redacted version 1 record has the same members except `content_hash`: its hash
/// covers the whole record, so it cannot be recomputed from the head, and only the
/// signature, the inclusion proof and the chain bind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub aggregate_type: String,
    /// The aggregate's id, or its pseudonym where the id is confidential.
    pub aggregate_id: String,
    pub sequence: u64,
    pub prev_hash: String,
    pub recorded_at: String,
    pub visibility: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Lowercase hex SHA-256 of the context string and the salted content's canonical
    /// bytes (absent for a version 1 record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
}

/// The redacted form of a record: its head, without payload or metadata.
pub type RedactedRecord = Head;

/// A record as a reader is given it: whole, or redacted to its head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShownRecord {
    Full(EventRecord),
    Redacted(RedactedRecord),
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
    #[error("record is malformed: {0}")]
    Malformed(String),
}

/// The largest integer RFC 8785 represents exactly (2^53 − 1, I-JSON's safe range).
/// JCS writes every number as an IEEE 754 double, so a larger integer would be rounded
/// in the canonical bytes and two different values would share one hash.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl EventRecord {
    /// Whether the record is version 2 (it has a salt).
    pub fn is_v2(&self) -> bool {
        self.salt.is_some()
    }

    /// The aggregate's id in the chain: its pseudonym where it has one.
    pub fn chain_id(&self) -> &str {
        self.pseudonym.as_deref().unwrap_or(&self.aggregate_id)
    }

    /// RFC 8785 canonical bytes of what the event hash covers: the whole record (version
    /// 1) or its head (version 2).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, RecordError> {
        self.view().canonical_bytes()
    }

    /// The head of a version 2 record: the chain fields, `recorded_at` (from the
    /// metadata), the class and the content hash.
    pub fn head(&self) -> Result<Head, RecordError> {
        self.view().head()
    }

    fn view(&self) -> View<'_> {
        View {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: Json::Parsed(&self.payload),
            metadata: Json::Parsed(&self.metadata),
            prev_hash: &self.prev_hash,
            visibility: self.visibility.as_deref(),
            scope: self.scope.as_deref(),
            pseudonym: self.pseudonym.as_deref(),
            salt: self.salt.as_deref(),
        }
    }

    /// What a reader who may not read this record sees of it. A version 1 record has no
    /// class of its own: the caller gives the one its event type defaults to.
    pub fn redacted(&self, v1_class: (&str, Option<&str>)) -> Result<RedactedRecord, RecordError> {
        if self.is_v2() {
            return self.head();
        }
        Ok(Head {
            aggregate_type: self.aggregate_type.clone(),
            aggregate_id: self.aggregate_id.clone(),
            sequence: self.sequence,
            prev_hash: self.prev_hash.clone(),
            recorded_at: self.metadata.get("recorded_at").and_then(Value::as_str).unwrap_or_default().to_string(),
            visibility: v1_class.0.to_string(),
            scope: v1_class.1.map(str::to_string),
            content_hash: None,
        })
    }

    /// SHA-256 of [`Self::canonical_bytes`].
    pub fn hash(&self) -> Result<Hash32, RecordError> {
        Ok(sha256(&self.canonical_bytes()?))
    }

    /// The hash as lowercase hex, as stored and published.
    pub fn hash_hex(&self) -> Result<String, RecordError> {
        Ok(hex_string(&self.hash()?))
    }
}

impl Head {
    /// The event hash, when the head determines it (version 2); `None` for a redacted
    /// version 1 record.
    pub fn hash(&self) -> Result<Option<Hash32>, RecordError> {
        let Some(content_hash) = &self.content_hash else { return Ok(None) };
        if parse_hash_hex(content_hash).is_none() {
            return Err(RecordError::Malformed("content_hash is not 64 lowercase hex characters".into()));
        }
        check_class(&self.visibility, self.scope.as_deref())?;
        if self.sequence > MAX_SAFE_INTEGER {
            return Err(RecordError::IntegerOutOfRange("sequence".to_string()));
        }
        Ok(Some(sha256(&self.canonical_bytes())))
    }

    /// RFC 8785 canonical bytes of the head.
    fn canonical_bytes(&self) -> Vec<u8> {
        HeadView {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            prev_hash: &self.prev_hash,
            recorded_at: &self.recorded_at,
            visibility: &self.visibility,
            scope: self.scope.as_deref(),
            content_hash: self.content_hash.as_deref(),
        }
        .canonical_bytes()
    }
}

/// A head's fields, borrowed: the one writer of a head's canonical bytes, for a [`Head`]
/// and for a record hashed without building one.
struct HeadView<'a> {
    aggregate_type: &'a str,
    aggregate_id: &'a str,
    sequence: u64,
    prev_hash: &'a str,
    recorded_at: &'a str,
    visibility: &'a str,
    scope: Option<&'a str>,
    content_hash: Option<&'a str>,
}

impl HeadView<'_> {
    fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(320);
        Members::open(&mut out)
            .str("aggregate_id", self.aggregate_id)
            .str("aggregate_type", self.aggregate_type)
            .optional_str("content_hash", self.content_hash)
            .str("prev_hash", self.prev_hash)
            .str("recorded_at", self.recorded_at)
            .optional_str("scope", self.scope)
            .u64("sequence", self.sequence)
            .str("visibility", self.visibility)
            .close();
        out
    }

    fn to_head(&self) -> Head {
        Head {
            aggregate_type: self.aggregate_type.to_string(),
            aggregate_id: self.aggregate_id.to_string(),
            sequence: self.sequence,
            prev_hash: self.prev_hash.to_string(),
            recorded_at: self.recorded_at.to_string(),
            visibility: self.visibility.to_string(),
            scope: self.scope.map(str::to_string),
            content_hash: self.content_hash.map(str::to_string),
        }
    }
}

/// A record's JSON member: parsed, or text known to be canonical.
#[derive(Clone, Copy)]
enum Json<'a> {
    Parsed(&'a Value),
    /// Canonical text of an object with no float and no unsafe integer, in pieces written
    /// one after the other (the stored metadata around its seal), and the text of its
    /// `recorded_at` member's value.
    Text {
        pieces: [&'a str; 2],
        recorded_at: Option<&'a str>,
    },
}

impl<'a> Json<'a> {
    /// About how many bytes it writes (to size a buffer once).
    fn len(self) -> usize {
        match self {
            Json::Parsed(_) => 256,
            Json::Text { pieces, .. } => pieces[0].len() + pieces[1].len(),
        }
    }

    fn check(self, name: &'static str) -> Result<(), RecordError> {
        match self {
            Json::Parsed(value) if !value.is_object() => Err(RecordError::NotAnObject(name)),
            Json::Parsed(value) => reject_floats(name, value),
            Json::Text { .. } => Ok(()),
        }
    }

    /// The string member `recorded_at`, if the object has one.
    fn recorded_at(self) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Json::Parsed(value) => value.get("recorded_at").and_then(Value::as_str).map(Into::into),
            Json::Text { recorded_at, .. } => {
                let raw = recorded_at?;
                match CanonicalObject::plain_str(raw) {
                    Some(plain) => Some(plain.into()),
                    None => serde_json::from_str::<String>(raw).ok().map(Into::into),
                }
            }
        }
    }
}

impl Members<'_> {
    fn json(&mut self, key: &'static str, value: Json<'_>) -> &mut Self {
        match value {
            Json::Parsed(value) => self.value(key, value),
            Json::Text { pieces, .. } => self.canonical_text(key, &pieces),
        }
    }
}

/// A record's fields, borrowed: the one place that lays out what a hash covers, for a
/// parsed record and for one hashed from its stored text alike.
struct View<'a> {
    aggregate_type: &'a str,
    aggregate_id: &'a str,
    sequence: u64,
    event_type: &'a str,
    event_version: &'a str,
    payload: Json<'a>,
    metadata: Json<'a>,
    prev_hash: &'a str,
    visibility: Option<&'a str>,
    scope: Option<&'a str>,
    pseudonym: Option<&'a str>,
    salt: Option<&'a str>,
}

impl View<'_> {
    fn canonical_bytes(&self) -> Result<Vec<u8>, RecordError> {
        if self.salt.is_some() {
            let mut content_hash = [0u8; 64];
            return self.with_head(&mut content_hash, |head| head.canonical_bytes());
        }
        if self.visibility.is_some() || self.scope.is_some() || self.pseudonym.is_some() {
            return Err(RecordError::Malformed("visibility, scope and pseudonym need a salt (version 2)".into()));
        }
        self.checked_parts()?;
        let (payload, metadata) = (self.payload.len(), self.metadata.len());
        let mut out = Vec::with_capacity(256 + self.prev_hash.len() + payload + metadata);
        Members::open(&mut out)
            .str("aggregate_id", self.aggregate_id)
            .str("aggregate_type", self.aggregate_type)
            .str("event_type", self.event_type)
            .str("event_version", self.event_version)
            .json("metadata", self.metadata)
            .json("payload", self.payload)
            .str("prev_hash", self.prev_hash)
            .u64("sequence", self.sequence)
            .close();
        Ok(out)
    }

    fn checked_parts(&self) -> Result<(), RecordError> {
        if self.sequence > MAX_SAFE_INTEGER {
            return Err(RecordError::IntegerOutOfRange("sequence".to_string()));
        }
        self.payload.check("payload")?;
        self.metadata.check("metadata")
    }

    fn head(&self) -> Result<Head, RecordError> {
        let mut content_hash = [0u8; 64];
        self.with_head(&mut content_hash, |head| head.to_head())
    }

    /// Checks a version 2 record, hashes its salted content and gives `then` its head,
    /// borrowed (the content hash's hex written into `content_hash`).
    fn with_head<T>(
        &self,
        content_hash: &mut [u8; 64],
        then: impl FnOnce(&HeadView<'_>) -> T,
    ) -> Result<T, RecordError> {
        let Some(salt) = self.salt else {
            return Err(RecordError::Malformed("a version 1 record has no head".into()));
        };
        if salt.len() != 32 || !salt.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(RecordError::Malformed("salt must be 32 lowercase hex characters".into()));
        }
        let visibility = self.visibility.ok_or(RecordError::Malformed("version 2 needs visibility".into()))?;
        check_class(visibility, self.scope)?;
        if self.pseudonym.is_some_and(|p| !is_pseudonym(p)) {
            return Err(RecordError::Malformed("pseudonym must be \"~\" and 24 lowercase hex characters".into()));
        }
        self.checked_parts()?;
        let recorded_at =
            self.metadata.recorded_at().ok_or(RecordError::Malformed("version 2 metadata needs recorded_at".into()))?;
        // The salted content: the aggregate's id (where a pseudonym stands for it in the
        // head), event type and version, payload, metadata and salt.
        let mut content = Vec::with_capacity(256 + self.payload.len() + self.metadata.len());
        Members::open(&mut content)
            .optional_str("aggregate_id", self.pseudonym.map(|_| self.aggregate_id))
            .str("event_type", self.event_type)
            .str("event_version", self.event_version)
            .json("metadata", self.metadata)
            .json("payload", self.payload)
            .str("salt", salt)
            .close();
        let mut hasher = Sha256::new();
        hasher.update(CONTENT_CONTEXT);
        hasher.update(&content);
        // Lowercase hex digits are ASCII, so the buffer is UTF-8.
        let _ = hex::encode_to_slice(hasher.finalize(), content_hash);
        let content_hash = std::str::from_utf8(content_hash).unwrap_or_default();
        Ok(then(&HeadView {
            aggregate_type: self.aggregate_type,
            aggregate_id: self.pseudonym.unwrap_or(self.aggregate_id),
            sequence: self.sequence,
            prev_hash: self.prev_hash,
            recorded_at: &recorded_at,
            visibility,
            scope: self.scope,
            content_hash: Some(content_hash),
        }))
    }
}

/// A stored record whose payload and metadata are held as canonical text, hashed without
/// parsing them: how the verifier reads a million events quickly. Only
/// [`crate::seal::StoredText::hash`] makes one, from text it found canonical.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordText<'a> {
    /// The stored fields (its `metadata` is not read: see the next field).
    pub stored: StoredText<'a>,
    /// The metadata without the seal, as the pieces of text around it.
    pub metadata: [&'a str; 2],
    /// The text of the metadata's `recorded_at` value.
    pub recorded_at: Option<&'a str>,
    pub seal: &'a SealText<'a>,
}

impl RecordText<'_> {
    /// The record's hash: exactly [`EventRecord::hash`] of the parsed record, since its
    /// payload and metadata are canonical text. `None` when the record is malformed (the
    /// parsed record's hash names why).
    pub fn hash(&self) -> Option<Hash32> {
        let (stored, seal) = (&self.stored, self.seal);
        let view = View {
            aggregate_type: stored.aggregate_type,
            aggregate_id: stored.aggregate_id,
            sequence: u64::try_from(stored.sequence).ok()?,
            event_type: stored.event_type,
            event_version: stored.event_version,
            payload: Json::Text { pieces: [stored.payload, ""], recorded_at: None },
            metadata: Json::Text { pieces: self.metadata, recorded_at: self.recorded_at },
            prev_hash: seal.prev_hash,
            visibility: seal.visibility,
            scope: seal.scope,
            pseudonym: seal.pseudonym,
            salt: seal.salt,
        };
        view.canonical_bytes().ok().map(|bytes| sha256(&bytes))
    }
}

impl ShownRecord {
    pub fn aggregate_type(&self) -> &str {
        match self {
            ShownRecord::Full(r) => &r.aggregate_type,
            ShownRecord::Redacted(h) => &h.aggregate_type,
        }
    }
    /// The id its chain is keyed by: the pseudonym where the aggregate has one.
    pub fn chain_id(&self) -> &str {
        match self {
            ShownRecord::Full(r) => r.chain_id(),
            ShownRecord::Redacted(h) => &h.aggregate_id,
        }
    }
    pub fn sequence(&self) -> u64 {
        match self {
            ShownRecord::Full(r) => r.sequence,
            ShownRecord::Redacted(h) => h.sequence,
        }
    }
    pub fn prev_hash(&self) -> &str {
        match self {
            ShownRecord::Full(r) => &r.prev_hash,
            ShownRecord::Redacted(h) => &h.prev_hash,
        }
    }
    pub fn is_redacted(&self) -> bool {
        matches!(self, ShownRecord::Redacted(_))
    }
    /// The whole record, unless it is redacted.
    pub fn full(&self) -> Option<&EventRecord> {
        match self {
            ShownRecord::Full(r) => Some(r),
            ShownRecord::Redacted(_) => None,
        }
    }
    /// The event hash the record determines, or `None` for a redacted version 1 record
    /// (bound by its signature, inclusion proof and chain only).
    pub fn hash(&self) -> Result<Option<Hash32>, RecordError> {
        match self {
            ShownRecord::Full(r) => r.hash().map(Some),
            ShownRecord::Redacted(h) => h.hash(),
        }
    }
}

/// Whether `class` is one of [`CLASSES`] with the scope it needs: `donor-confidential`
/// and `personal` have one, the others none.
fn check_class(class: &str, scope: Option<&str>) -> Result<(), RecordError> {
    let scoped = match class {
        "public" | "secretariat-internal" => false,
        "donor-confidential" | "personal" => true,
        other => return Err(RecordError::Malformed(format!("unknown visibility class {other:?}"))),
    };
    if scoped != scope.is_some_and(|s| !s.is_empty()) {
        return Err(RecordError::Malformed(format!(
            "class {class} {} a scope",
            if scoped { "needs" } else { "takes no" }
        )));
    }
    Ok(())
}

/// Whether `text` is a pseudonym: `~` and 24 lowercase hex characters.
pub fn is_pseudonym(text: &str) -> bool {
    text.len() == 25
        && text.starts_with('~')
        && text[1..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> Hash32 {
    Sha256::digest(bytes).into()
}

/// A hash as lowercase hex, written without an allocation per character.
pub fn hex_string(hash: &[u8]) -> String {
    let mut out = vec![0u8; hash.len() * 2];
    // The buffer is exactly twice the input, so this cannot fail.
    let _ = hex::encode_to_slice(hash, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Each byte's value as a lowercase hex digit, or [`NOT_HEX`].
const HEX_DIGITS: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 16 {
        table[b"0123456789abcdef"[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// A byte that is not a lowercase hex digit: its high bits are set, a digit's never are.
const NOT_HEX: u8 = 0xf0;

/// Parses a lowercase 64-character hex hash.
///
/// Verify parses three per event, so this looks every digit up in a table and checks them
/// all at once at the end instead of branching on each.
pub fn parse_hash_hex(text: &str) -> Option<Hash32> {
    let bytes: &[u8; 64] = text.as_bytes().try_into().ok()?;
    let mut out = [0u8; 32];
    let mut seen = 0u8;
    for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (high, low) = (HEX_DIGITS[usize::from(pair[0])], HEX_DIGITS[usize::from(pair[1])]);
        seen |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (seen & NOT_HEX == 0).then_some(out)
}

/// Payloads hold no floats: money is integer minor units, percentages are computed.
/// A float would make the canonical bytes depend on number formatting. Integers must be
/// exactly representable as doubles (see [`MAX_SAFE_INTEGER`]).
fn reject_floats(path: &str, value: &Value) -> Result<(), RecordError> {
    // The walk allocates nothing; the path to an offending number is built only then.
    match first_unsafe_number(value) {
        None => Ok(()),
        Some((steps, float)) => {
            let mut at = path.to_string();
            for step in steps.iter().rev() {
                match step {
                    Step::Index(i) => at.push_str(&format!("[{i}]")),
                    Step::Key(k) => {
                        at.push('.');
                        at.push_str(k);
                    }
                }
            }
            Err(if float { RecordError::FloatNotAllowed(at) } else { RecordError::IntegerOutOfRange(at) })
        }
    }
}

/// One step of the path to a number inside a JSON value.
enum Step<'a> {
    Index(usize),
    Key(&'a str),
}

/// The first number that is a float or an integer beyond ±(2^53 − 1): its path, innermost
/// step first, and whether it is a float.
fn first_unsafe_number(value: &Value) -> Option<(Vec<Step<'_>>, bool)> {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (_, Some(u)) if u <= MAX_SAFE_INTEGER => None,
            (Some(i), _) if i.unsigned_abs() <= MAX_SAFE_INTEGER => None,
            (Some(_), _) | (_, Some(_)) => Some((Vec::new(), false)),
            (None, None) => Some((Vec::new(), true)),
        },
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            first_unsafe_number(v).map(|(mut steps, float)| {
                steps.push(Step::Index(i));
                (steps, float)
            })
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            first_unsafe_number(v).map(|(mut steps, float)| {
                steps.push(Step::Key(k));
                (steps, float)
            })
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_written_and_read_as_lowercase_hex() {
        for seed in 0u8..=255 {
            let hash = sha256(&[seed]);
            let text = hex_string(&hash);
            assert_eq!(text, hex::encode(hash));
            assert_eq!(parse_hash_hex(&text), Some(hash));
        }
        let good = hex_string(&sha256(b"x"));
        let refused = [
            good.to_uppercase(),
            good[..63].to_string(),
            format!("{good}0"),
            format!("g{}", &good[1..]),
            format!("{} ", &good[..63]),
            format!("é{}", &good[2..]),
            String::new(),
        ];
        for text in refused {
            assert_eq!(parse_hash_hex(&text), None, "{text:?}");
        }
        // Every byte that is not a lowercase hex digit is refused wherever it stands.
        for byte in (0u8..=127).filter(|b| !b.is_ascii_digit() && !(b'a'..=b'f').contains(b)) {
            for at in [0, 1, 31, 62, 63] {
                let mut text = good.clone().into_bytes();
                text[at] = byte;
                let text = String::from_utf8(text).unwrap();
                assert_eq!(parse_hash_hex(&text), None, "{text:?}");
            }
        }
    }
}
