//! The ledger's key history as the ledger itself records it: the `KeyRotated` events of
//! the `signing_key` aggregate (docs/LEDGER-FORMAT.md §8.4), read back as
//! `ledger_format::Handover`s with the position each was sealed at.

use ledger_format::{Handover, KeyHistory, KeyHistoryError, LedgerVerifier};
use serde_json::Value;

use crate::{with_pool, Db};

/// The aggregate type that records key rotations.
pub const SIGNING_KEY_TYPE: &str = "signing_key";

/// A handover as recorded: the handover and the ledger position of its event (none while
/// it awaits sealing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedHandover {
    pub handover: Handover,
    pub position: Option<i64>,
}

/// The query for the recorded handovers, oldest first: (payload text, position).
pub fn handovers_sql(db: &Db) -> String {
    format!(
        "SELECT {} AS payload, l.position FROM events e LEFT JOIN positions l \
         ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence \
         WHERE e.aggregate_type = '{SIGNING_KEY_TYPE}' ORDER BY e.sequence",
        db.json_text("e.payload")
    )
}

/// Reads the rows of [`handovers_sql`]; `Err` names a payload that is not a handover.
pub fn parse_handovers(rows: Vec<(String, Option<i64>)>) -> Result<Vec<RecordedHandover>, String> {
    rows.into_iter()
        .map(|(payload, position)| {
            let mut value: Value = serde_json::from_str(&payload).map_err(|e| e.to_string())?;
            let handover = value
                .get_mut("KeyRotated")
                .map(Value::take)
                .ok_or_else(|| "a signing_key event that is not KeyRotated".to_string())?;
            let handover: Handover = serde_json::from_value(handover).map_err(|e| format!("KeyRotated: {e}"))?;
            Ok(RecordedHandover { handover, position })
        })
        .collect()
}

/// The recorded handovers, oldest first.
pub async fn recorded_handovers(db: &Db) -> anyhow::Result<Vec<RecordedHandover>> {
    let sql = handovers_sql(db);
    let rows: Vec<(String, Option<i64>)> = with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    parse_handovers(rows).map_err(anyhow::Error::msg)
}

/// The ledger's key history, checked from `pinned` (any key of it) for the log `origin`.
pub async fn key_history(db: &Db, origin: &str, pinned: &LedgerVerifier) -> anyhow::Result<KeyHistory> {
    let handovers: Vec<Handover> = recorded_handovers(db).await?.into_iter().map(|r| r.handover).collect();
    KeyHistory::new(origin, &handovers, pinned)
        .map_err(|e: KeyHistoryError| anyhow::anyhow!("the ledger's key history: {e}"))
}
