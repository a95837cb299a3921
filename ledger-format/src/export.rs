//! Verifying a full `ledger export` file offline (docs/LEDGER-FORMAT.md §9 and §10), with
//! no database: every record's hash, every signature, the positions, every aggregate's
//! chain, the Merkle root against the file's signed checkpoint, and against each
//! checkpoint the auditor kept outside the database (a rewrite of the whole history is
//! caught only there).

use serde::Deserialize;
use serde_json::Value;

use crate::chain::Chains;
use crate::key_history::{Handover, KeyHistory};
use crate::keys::LedgerVerifier;
use crate::merkle::CompactTree;
use crate::record::{parse_hash_hex, Hash32, ShownRecord};

/// The export format this module reads.
pub const EXPORT_FORMAT: &str = "alliance87-ledger-export/v1";

/// The first check an export failed: `line` (1-based, 0 for the file or a kept
/// checkpoint) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct ExportError {
    pub line: usize,
    pub what: String,
}

/// What an intact export holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub events: u64,
    /// How many of them are redacted records (the export was made for a reader who may
    /// not read them).
    pub redacted: u64,
    pub aggregates: u64,
    /// The file's checkpoint: its size and root (lowercase hex).
    pub tree_size: u64,
    pub root: String,
    /// Events positioned beyond the checkpoint or not positioned: protected by their hash,
    /// signature and chain only.
    pub uncovered: u64,
    /// Kept checkpoints the file extends.
    pub kept: usize,
    /// Whether the key was given by the caller (else it is the file's own).
    pub key_pinned: bool,
}

impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "export intact: {} events in {} aggregates, {} events redacted, tree size {}, root {}, {} not yet covered by the checkpoint, {} kept checkpoints extended, {}",
            self.events,
            self.aggregates,
            self.redacted,
            self.tree_size,
            self.root,
            self.uncovered,
            self.kept,
            if self.key_pinned { "key pinned" } else { "key from the file (pin it with --public-key)" }
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    r#type: String,
    format: String,
    origin: String,
    public_key: String,
    /// The key handovers (docs/LEDGER-FORMAT.md §8.4), when the key was ever rotated.
    #[serde(default)]
    key_history: Vec<Handover>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine {
    r#type: String,
    position: Option<u64>,
    record: ShownRecord,
    hash: String,
    signature: String,
}

fn fail(line: usize, what: impl Into<String>) -> ExportError {
    ExportError { line, what: what.into() }
}

/// Verifies an export, with `pinned` (the published key) if given, and checks that the
/// file extends every checkpoint in `kept` (signed notes held outside the database).
pub fn verify_export(
    text: &str,
    pinned: Option<&LedgerVerifier>,
    kept: &[String],
) -> Result<ExportSummary, ExportError> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let header: Header = serde_json::from_str(lines.first().ok_or_else(|| fail(0, "the file is empty"))?)
        .map_err(|e| fail(1, format!("not a header line: {e}")))?;
    if header.r#type != "header" || header.format != EXPORT_FORMAT {
        return Err(fail(1, format!("not an export header (expected format {EXPORT_FORMAT})")));
    }
    let own = LedgerVerifier::from_public_key(&header.public_key).map_err(|e| fail(1, format!("public_key: {e}")))?;
    // The key given may be any key of the file's key history; the file's key is its latest.
    let keys = match pinned {
        Some(p) if header.key_history.is_empty() => {
            if p.encoded() != own.encoded() {
                return Err(fail(1, "the file's public key is not the key given"));
            }
            KeyHistory::single(p.clone())
        }
        Some(p) => {
            let keys = KeyHistory::new(&header.origin, &header.key_history, p)
                .map_err(|e| fail(1, format!("key_history: {e}")))?;
            if keys.latest().encoded() != own.encoded() {
                return Err(fail(1, "the file's public key is not the latest key of its key history"));
            }
            keys
        }
        None => KeyHistory::ending_with(&header.origin, &header.key_history, &own)
            .map_err(|e| fail(1, format!("key_history: {e}")))?,
    };
    // The checkpoint is the last line; read it first, so the tree's root can be taken at
    // its size while the events stream by.
    let last = lines.len();
    let checkpoint_line: Value =
        serde_json::from_str(lines[last - 1]).map_err(|e| fail(last, format!("not JSON: {e}")))?;
    let checkpoint = match checkpoint_line.get("type").and_then(Value::as_str) {
        Some("checkpoint") => {
            let note = checkpoint_line.get("note").and_then(Value::as_str).ok_or_else(|| fail(last, "no note"))?;
            Some(keys.open_checkpoint(note).map_err(|e| fail(last, e.to_string()))?)
        }
        _ => None,
    };
    let events_end = if checkpoint.is_some() { last - 1 } else { last };
    let mut kept_checkpoints = Vec::new();
    for (i, note) in kept.iter().enumerate() {
        let cp = keys.open_checkpoint(note).map_err(|e| fail(0, format!("kept checkpoint {}: {e}", i + 1)))?;
        kept_checkpoints.push(cp);
    }

    let mut chains = Chains::new();
    let mut tree = CompactTree::new();
    let mut roots: std::collections::BTreeMap<u64, Hash32> = std::collections::BTreeMap::new();
    let wanted: std::collections::BTreeSet<u64> =
        checkpoint.iter().chain(kept_checkpoints.iter()).map(|c| c.size).collect();
    if wanted.contains(&0) {
        roots.insert(0, tree.root().0);
    }
    let mut unpositioned: Vec<(usize, ShownRecord, Hash32)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut events = 0u64;
    let mut redacted = 0u64;
    for (i, text) in lines.iter().enumerate().take(events_end).skip(1) {
        let n = i + 1;
        let line: EventLine = serde_json::from_str(text).map_err(|e| fail(n, format!("not an event line: {e}")))?;
        if line.r#type != "event" {
            return Err(fail(n, format!("a {} line among the events", line.r#type)));
        }
        let hash = parse_hash_hex(&line.hash).ok_or_else(|| fail(n, "hash is not 64 lowercase hex digits"))?;
        // A redacted version 1 record (no content hash) is bound by its signature,
        // position and chain only.
        let recomputed = line.record.hash().map_err(|e| fail(n, format!("record cannot be hashed: {e}")))?;
        if recomputed.is_some_and(|r| r != hash) {
            return Err(fail(n, "record does not match its hash"));
        }
        redacted += u64::from(line.record.is_redacted());
        let key = line.position.map_or(keys.latest(), |p| keys.for_position(p));
        if !key.verify_event_hash(&hash, &line.signature) {
            return Err(fail(n, "recorder signature does not verify with the key"));
        }
        if !seen.insert(hash) {
            return Err(fail(n, "this hash appears twice"));
        }
        events += 1;
        match line.position {
            Some(position) => {
                if !unpositioned.is_empty() {
                    return Err(fail(n, "a positioned event after an unpositioned one"));
                }
                if position != tree.size() {
                    return Err(fail(n, format!("position {position} where {} was expected", tree.size())));
                }
                chains.link_shown(&line.record, hash).map_err(|e| fail(n, e.to_string()))?;
                tree.push_event_hash(&hash);
                if wanted.contains(&tree.size()) {
                    roots.insert(tree.size(), tree.root().0);
                }
            }
            None => unpositioned.push((n, line.record, hash)),
        }
    }
    unpositioned.sort_by(|a, b| {
        (a.1.aggregate_type(), a.1.chain_id(), a.1.sequence()).cmp(&(
            b.1.aggregate_type(),
            b.1.chain_id(),
            b.1.sequence(),
        ))
    });
    for (n, record, hash) in &unpositioned {
        chains.link_shown(record, *hash).map_err(|e| fail(*n, e.to_string()))?;
    }
    let (tree_size, root) = match &checkpoint {
        Some(cp) => {
            let root = roots.get(&cp.size).ok_or_else(|| {
                fail(
                    last,
                    format!("the checkpoint covers {} events but the file positions only {}", cp.size, tree.size()),
                )
            })?;
            if *root != cp.root {
                return Err(fail(last, "the checkpoint's root is not the root of the file's events"));
            }
            if cp.origin != header.origin {
                return Err(fail(last, "the checkpoint's origin is not the header's"));
            }
            (cp.size, hex::encode(cp.root))
        }
        None if tree.size() == 0 => (0, hex::encode(tree.root().0)),
        None => return Err(fail(last, "positioned events but no checkpoint line at the end")),
    };
    for (i, cp) in kept_checkpoints.iter().enumerate() {
        let root = roots.get(&cp.size).ok_or_else(|| {
            fail(
                0,
                format!(
                    "kept checkpoint {} covers {} events but the file positions only {} (history removed)",
                    i + 1,
                    cp.size,
                    tree.size()
                ),
            )
        })?;
        if *root != cp.root {
            return Err(fail(
                0,
                format!("kept checkpoint {} (size {}): the file's history differs (rewritten)", i + 1, cp.size),
            ));
        }
    }
    Ok(ExportSummary {
        events,
        redacted,
        aggregates: chains.aggregates() as u64,
        tree_size,
        root,
        uncovered: events - tree_size,
        kept: kept_checkpoints.len(),
        key_pinned: pinned.is_some(),
    })
}
