//! What a reader may see: the one place below the handlers that applies the visibility
//! rule ([`Reader::may_read`]) to what is read from the ledger.
//!
//! * Events (histories, the audit log, what a decision authorised, dossiers, exports): an
//!   event the reader may not read becomes a redacted record. It keeps its position,
//!   aggregate type, sequence, `recorded_at`, class, scope, hash, `prev_hash` and
//!   signature, and loses its payload and metadata; a pseudonymous aggregate shows its
//!   pseudonym instead of its id. Chains and proofs still verify over it.
//! * Views (the programme, contributions, donors' trails, Pathfinder countries, meetings,
//!   partners): [`crate::lens::views`] removes what was built from events the reader may
//!   not read, before anything is computed from them, so totals count only what the reader
//!   may read.
//! * People (the personal-data register, outside the ledger): [`crate::lens::personal`]
//!   shows the clear values only to the Secretariat and the country's focal point
//!   ([`Reader::may_read_personal_values`]), wherever a view shows the person.
//!
//! The class of an event comes from its seal (version 2 records) or, for events recorded
//! before classes existed, from [`domain::visibility::default_for`] its type.

pub mod personal;
pub mod views;

pub use domain::visibility::Reader;
use domain::visibility::{default_for, Class, Visibility};
use ledger_format::{EventRecord, RecordError, ShownRecord};
use serde::Serialize;
use serde_json::Value;

use crate::read::{HistoryEntry, HistoryRow};

/// An event's visibility: the class sealed into it, or its type's default.
pub fn visibility_of(
    aggregate_type: &str,
    event_type: &str,
    payload: &Value,
    sealed_class: Option<&str>,
    sealed_scope: Option<&str>,
) -> Visibility {
    match sealed_class.and_then(Class::parse) {
        Some(class) => Visibility { class, scope: sealed_scope.map(str::to_string) },
        None => default_for(aggregate_type, event_type, payload),
    }
}

/// The visibility of a record (its own, or its type's default for version 1).
pub fn record_visibility(record: &EventRecord) -> Visibility {
    visibility_of(
        &record.aggregate_type,
        &record.event_type,
        &record.payload,
        record.visibility.as_deref(),
        record.scope.as_deref(),
    )
}

/// An audit-history row as a reader gets it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ShownEntry {
    Full(Box<HistoryEntry>),
    Redacted(RedactedEntry),
}

impl ShownEntry {
    /// The full entry, if the reader may read it.
    pub fn full(&self) -> Option<&HistoryEntry> {
        match self {
            ShownEntry::Full(entry) => Some(entry),
            ShownEntry::Redacted(_) => None,
        }
    }

    pub fn position(&self) -> i64 {
        match self {
            ShownEntry::Full(entry) => entry.row.position,
            ShownEntry::Redacted(entry) => entry.position,
        }
    }
}

/// What a reader who may not read an event sees of it in a history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedactedEntry {
    pub position: i64,
    pub aggregate_type: String,
    /// The aggregate's id, or its pseudonym where the id is itself confidential.
    pub aggregate_id: String,
    pub sequence: i64,
    pub recorded_at: String,
    pub visibility: Class,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub hash: String,
    /// Always `true`: the payload and metadata are withheld.
    pub redacted: bool,
}

/// History rows as `reader` may see them, in the order given.
pub fn entries(rows: Vec<HistoryRow>, reader: &Reader) -> Vec<ShownEntry> {
    rows.into_iter()
        .map(|row| {
            let entry = HistoryEntry::from(row);
            let visibility = Visibility { class: entry.visibility, scope: entry.scope.clone() };
            if reader.may_read(&visibility) {
                return ShownEntry::Full(Box::new(entry));
            }
            let HistoryEntry { row, visibility, scope, .. } = entry;
            ShownEntry::Redacted(RedactedEntry {
                position: row.position,
                aggregate_type: row.aggregate_type,
                aggregate_id: row.pseudonym.unwrap_or(row.aggregate_id),
                sequence: row.sequence,
                recorded_at: row.recorded_at,
                visibility,
                scope,
                hash: row.hash,
                redacted: true,
            })
        })
        .collect()
}

/// A record as `reader` may see it: whole, or redacted to its head.
pub fn shown_record(record: EventRecord, reader: &Reader) -> Result<ShownRecord, RecordError> {
    let visibility = record_visibility(&record);
    if reader.may_read(&visibility) {
        return Ok(ShownRecord::Full(record));
    }
    let redacted = record.redacted((visibility.class.as_str(), visibility.scope.as_deref()))?;
    Ok(ShownRecord::Redacted(redacted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(class: Option<&str>, scope: Option<&str>) -> EventRecord {
        EventRecord {
            aggregate_type: "contribution".into(),
            aggregate_id: "C-002".into(),
            sequence: 1,
            event_type: "ContributionPledged".into(),
            event_version: "1".into(),
            payload: json!({"ContributionPledged": {"donor": "DONOR-B", "contribution_id": "C-002"}}),
            metadata: json!({"actor": "a", "role": "secretariat", "recorded_at": "2026-01-01T00:00:00.000000Z"}),
            prev_hash: ledger_format::GENESIS_PREV_HASH.into(),
            visibility: class.map(str::to_string),
            scope: scope.map(str::to_string),
            pseudonym: class.map(|_| format!("~{}", "ab".repeat(12))),
            salt: class.map(|_| "0".repeat(32)),
        }
    }

    #[test]
    fn a_reader_outside_the_scope_gets_the_head_with_the_same_hash() {
        let full = record(Some("donor-confidential"), Some("DONOR-B"));
        let hash = full.hash().unwrap();
        let shown = shown_record(full.clone(), &Reader::new("donor", Some("DONOR-A"))).unwrap();
        let ShownRecord::Redacted(head) = &shown else { panic!("not redacted: {shown:?}") };
        assert_eq!(head.hash().unwrap(), Some(hash));
        assert_eq!(head.aggregate_id, format!("~{}", "ab".repeat(12)));
        let text = serde_json::to_string(&shown).unwrap();
        assert!(!text.contains("C-002") && !text.contains("payload"), "{text}");
        assert_eq!(
            shown_record(full.clone(), &Reader::new("donor", Some("DONOR-B"))).unwrap(),
            ShownRecord::Full(full)
        );
    }

    #[test]
    fn a_version_1_record_takes_its_types_default() {
        let v1 = record(None, None);
        assert_eq!(record_visibility(&v1), Visibility::donor("DONOR-B"));
        let shown = shown_record(v1, &Reader::PUBLIC).unwrap();
        let ShownRecord::Redacted(head) = shown else { panic!("not redacted") };
        assert_eq!((head.visibility.as_str(), head.content_hash), ("donor-confidential", None));
    }
}
