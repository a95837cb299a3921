//! Accountability dossiers: one JSON file per subject, verifiable offline.
//!
//! A dossier holds every sealed event of the aggregates a subject covers (a meeting, a
//! decision, a country's pathfinder status…), each with its recorder signature and an
//! RFC 9162 inclusion proof against one signed checkpoint, plus that checkpoint and the
//! public key. [`verify_dossier`] checks all of it with no database and no network;
//! docs/LEDGER-FORMAT.md §12 specifies the file and docs/VERIFYING.md walks an auditor
//! through it.
//!
//! `subject`, `generated_at` and `omitted_unsealed` are labels the server writes; no
//! signature covers them. Everything else is checked.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chain::Chains;
use crate::checkpoint::Checkpoint;
use crate::key_history::{Handover, KeyHistory, KeyHistoryError};
use crate::keys::LedgerVerifier;
use crate::proof::{parse_hash_list, verify_inclusion};
use crate::record::{parse_hash_hex, ShownRecord};

/// The `format` tag of a dossier.
pub const DOSSIER_FORMAT: &str = "alliance87-ledger-dossier/v1";

/// One subject's events, provable against one signed checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Dossier {
    /// [`DOSSIER_FORMAT`].
    pub format: String,
    /// What the dossier is about, e.g. `"meeting:GCG-21"`, `"decision:GCG-19-D04"`, `"pfc:NPL"`.
    pub subject: String,
    /// When the server wrote the file (RFC 3339).
    pub generated_at: String,
    /// The log's origin: the first line of the checkpoint.
    pub origin: String,
    /// The log's C2SP public key as the server claims it (pin it from another channel).
    pub public_key: String,
    /// The signed note every inclusion proof is against.
    pub checkpoint: String,
    /// The events, in position order.
    pub events: Vec<DossierEvent>,
    /// Events of the subject recorded but not yet covered by the checkpoint.
    pub omitted_unsealed: u64,
    /// The key handovers, oldest first, when the ledger's key was ever rotated
    /// (docs/LEDGER-FORMAT.md §8.4); absent otherwise. `public_key` is the latest key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_history: Option<Vec<Handover>>,
}

/// One event of a dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DossierEvent {
    /// The global ledger position (the Merkle leaf index).
    pub position: u64,
    /// The event record exactly as hashed, or its head alone where the reader may not
    /// read it (a redacted record, docs/LEDGER-FORMAT.md §2.2).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub record: ShownRecord,
    /// Lowercase hex SHA-256 of the record's canonical bytes.
    pub hash: String,
    /// Base64 Ed25519 recorder signature of the hash.
    pub signature: String,
    /// RFC 9162 audit path, lowercase hex, leaf level first.
    pub inclusion_proof: Vec<String>,
}

/// Where the key that verified a dossier came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Supplied by the caller (obtained independently of the file).
    Pinned,
    /// Taken from the file itself: proves self-consistency only.
    FromFile,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierSummary {
    pub subject: String,
    /// Number of events verified.
    pub events: u64,
    /// How many of them were redacted records (verified by their heads).
    pub redacted: u64,
    /// Number of distinct (aggregate_type, aggregate_id).
    pub aggregates: u64,
    /// The checkpoint's tree size.
    pub tree_size: u64,
    /// The checkpoint's root, lowercase hex.
    pub root: String,
    pub key_source: KeySource,
}

/// The one line both verifiers (`ledger-verify` and `ledger verify --dossier`) print for a
/// dossier's result: `dossier intact: …, key pinned` or `dossier NOT intact: <part>: <reason>`.
pub fn result_line(result: &Result<DossierSummary, DossierError>) -> String {
    match result {
        Ok(summary) => {
            let key = match summary.key_source {
                KeySource::Pinned => "key pinned",
                KeySource::FromFile => "key from the file (pin it with --public-key)",
            };
            format!(
                "dossier intact: {}: {} events in {} aggregates, {} events redacted, tree size {}, root {}, {key}",
                summary.subject, summary.events, summary.aggregates, summary.redacted, summary.tree_size, summary.root
            )
        }
        Err(e) => format!("dossier NOT intact: {e}"),
    }
}

/// The first check a dossier failed: `part` names where (`"file"`, `"format"`,
/// `"public_key"`, `"checkpoint"`, `"origin"`, `"events[3] (decision GCG-19-D04
/// sequence 2)"`), `what` says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {what}")]
pub struct DossierError {
    pub part: String,
    pub what: String,
}

fn fail<T>(part: impl Into<String>, what: impl Into<String>) -> Result<T, DossierError> {
    Err(DossierError { part: part.into(), what: what.into() })
}

/// Parses and verifies a dossier file; a file that is not a dossier fails with part `"file"`.
pub fn verify_dossier_bytes(bytes: &[u8], pinned_key: Option<&LedgerVerifier>) -> Result<DossierSummary, DossierError> {
    let dossier: Dossier = match serde_json::from_slice(bytes) {
        Ok(dossier) => dossier,
        Err(e) => return fail("file", format!("not a dossier: {e}")),
    };
    verify_dossier(&dossier, pinned_key)
}

/// Verifies a dossier: the key, the checkpoint's signature, every record's hash and
/// signature, every inclusion proof against the checkpoint root, and every aggregate's
/// chain from sequence 1. With `pinned_key` the file's key must equal it; without, the
/// file's own key is used and the result proves only self-consistency.
pub fn verify_dossier(dossier: &Dossier, pinned_key: Option<&LedgerVerifier>) -> Result<DossierSummary, DossierError> {
    if dossier.format != DOSSIER_FORMAT {
        return fail("format", format!("is {:?}, expected {DOSSIER_FORMAT:?}", dossier.format));
    }

    let (keys, key_source) = dossier_keys(dossier, pinned_key)?;

    let checkpoint = match keys.open_checkpoint(&dossier.checkpoint) {
        Ok(checkpoint) => checkpoint,
        Err(e) => return fail("checkpoint", e.to_string()),
    };
    if dossier.origin != checkpoint.origin {
        return fail(
            "origin",
            format!("is {:?} but the checkpoint's origin is {:?}", dossier.origin, checkpoint.origin),
        );
    }

    let mut chains = Chains::new();
    let mut named = std::collections::HashSet::new();
    let mut redacted = 0;
    let mut previous_position: Option<u64> = None;
    for (i, event) in dossier.events.iter().enumerate() {
        let record = &event.record;
        let part =
            format!("events[{i}] ({} {} sequence {})", record.aggregate_type(), record.chain_id(), record.sequence());

        let Some(hash) = parse_hash_hex(&event.hash) else {
            return fail(part, "hash is not 64 lowercase hex characters");
        };
        match record.hash() {
            Ok(Some(recomputed)) if recomputed != hash => {
                return fail(
                    part,
                    format!("record does not match its hash (its canonical bytes hash to {})", hex::encode(recomputed)),
                )
            }
            // A redacted version 1 record: its hash covers content the reader was not
            // given, so the signature, the inclusion proof and the chain bind it.
            Ok(_) => {}
            Err(e) => return fail(part, format!("record cannot be hashed: {e}")),
        }
        match record {
            ShownRecord::Full(r) => {
                named.insert((r.aggregate_type.clone(), r.aggregate_id.clone()));
            }
            ShownRecord::Redacted(_) => redacted += 1,
        }
        if !keys.for_position(event.position).verify_event_hash(&hash, &event.signature) {
            return fail(part, "recorder signature does not verify with the key");
        }

        if event.position >= checkpoint.size {
            return fail(
                part,
                format!("position {} is not covered by the checkpoint (tree size {})", event.position, checkpoint.size),
            );
        }
        if let Some(previous) = previous_position {
            if event.position <= previous {
                return fail(part, format!("position {} does not follow position {previous}", event.position));
            }
        }
        previous_position = Some(event.position);

        let path = match parse_hash_list(&event.inclusion_proof) {
            Ok(path) => path,
            Err(e) => return fail(part, format!("inclusion proof: {e}")),
        };
        let leaf = crate::merkle::leaf_hash(&hash).0;
        if let Err(e) = verify_inclusion(&leaf, event.position, checkpoint.size, &path, &checkpoint.root) {
            return fail(part, format!("inclusion proof does not lead to the checkpoint root ({e})"));
        }

        if let Err(e) = chains.link_shown(record, hash) {
            return fail(part, e.to_string());
        }
    }

    // The subject is a label no signature covers; bind it to the content: the subject's own
    // aggregate must be in the dossier (by its id, or by its pseudonym if redacted).
    match dossier.subject.split_once(':') {
        Some((kind, id)) if chains.contains(kind, id) || named.contains(&(kind.to_string(), id.to_string())) => {}
        _ => {
            return fail("subject", format!("{:?} names no aggregate whose events are in the dossier", dossier.subject))
        }
    }

    Ok(DossierSummary {
        subject: dossier.subject.clone(),
        events: dossier.events.len() as u64,
        redacted,
        aggregates: chains.aggregates() as u64,
        tree_size: checkpoint.size,
        root: hex::encode(checkpoint.root),
        key_source,
    })
}

/// The dossier's keys: its key history checked against the pinned key (which may be any
/// key of the history; the file's latest key must be the history's latest), or, without
/// one, the file's own key and history (self-consistency only).
fn dossier_keys(
    dossier: &Dossier,
    pinned_key: Option<&LedgerVerifier>,
) -> Result<(KeyHistory, KeySource), DossierError> {
    let history_error = |e: KeyHistoryError| match e.index() {
        Some(i) => DossierError { part: format!("key_history[{i}]"), what: e.to_string() },
        None => DossierError { part: "public_key".into(), what: e.to_string() },
    };
    let file_key = match LedgerVerifier::from_public_key(&dossier.public_key) {
        Ok(key) if key.encoded() == dossier.public_key && canonical_key_id(&dossier.public_key) => key,
        Ok(_) => return fail("public_key", "is not in its canonical encoding (lowercase key id, no spaces)"),
        Err(e) => match pinned_key {
            Some(pinned) => {
                return fail(
                    "public_key",
                    format!("the file's key {} is not the pinned key {}", dossier.public_key, pinned.encoded()),
                )
            }
            None => return fail("public_key", e.to_string()),
        },
    };
    let handovers: &[Handover] = match &dossier.key_history {
        Some(list) if list.is_empty() => {
            return fail("key_history", "is present but empty (it is omitted when the key was never rotated)")
        }
        Some(list) => list,
        None => &[],
    };
    let Some(pinned) = pinned_key else {
        let history = KeyHistory::ending_with(&dossier.origin, handovers, &file_key).map_err(history_error)?;
        return Ok((history, KeySource::FromFile));
    };
    if handovers.is_empty() {
        if dossier.public_key != pinned.encoded() {
            return fail(
                "public_key",
                format!("the file's key {} is not the pinned key {}", dossier.public_key, pinned.encoded()),
            );
        }
        return Ok((KeyHistory::single(pinned.clone()), KeySource::Pinned));
    }
    let history = KeyHistory::new(&dossier.origin, handovers, pinned).map_err(history_error)?;
    if history.latest().encoded() != dossier.public_key {
        return fail(
            "public_key",
            format!("the file's key {} is not the latest key of its key history", dossier.public_key),
        );
    }
    Ok((history, KeySource::Pinned))
}

/// A Markdown rendering of a dossier for people: the same content, unverified. It says
/// so, and how to verify the JSON.
pub fn render_markdown(dossier: &Dossier) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Accountability dossier: {}\n", code(&dossier.subject));
    let _ = writeln!(
        out,
        "Generated {} (format {}). This page renders the JSON dossier; it is not itself evidence: \
         verify the JSON (see the end).\n",
        code(&dossier.generated_at),
        code(&dossier.format)
    );

    out.push_str("## Checkpoint\n\n");
    let parsed = signed_note::Note::from_bytes(dossier.checkpoint.as_bytes())
        .ok()
        .and_then(|note| std::str::from_utf8(note.text()).ok().and_then(|t| Checkpoint::parse_text(t).ok()));
    match parsed {
        Some(cp) => {
            let _ = writeln!(out, "- origin: {}", code(&cp.origin));
            let _ = writeln!(out, "- tree size: {}", cp.size);
            let _ = writeln!(out, "- root: {}", code(&hex::encode(cp.root)));
        }
        None => out.push_str("- (the checkpoint note cannot be read)\n"),
    }
    let _ = writeln!(out, "- public key (as the file states it): {}", code(&dossier.public_key));
    let mut aggregates: Vec<(&str, &str)> =
        dossier.events.iter().map(|e| (e.record.aggregate_type(), e.record.chain_id())).collect();
    aggregates.sort_unstable();
    aggregates.dedup();
    let redacted = dossier.events.iter().filter(|e| e.record.is_redacted()).count();
    let _ = writeln!(
        out,
        "- events: {} in {} aggregate(s), {redacted} of them redacted (not readable with the credentials used)",
        dossier.events.len(),
        aggregates.len()
    );
    let _ = writeln!(
        out,
        "- recorded but not yet covered by this checkpoint, so not included (as the server counts them): {}\n",
        dossier.omitted_unsealed
    );
    out.push_str("Signed checkpoint note:\n\n```text\n");
    out.push_str(&dossier.checkpoint);
    if !dossier.checkpoint.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("```\n\n## Events\n");

    for (i, event) in dossier.events.iter().enumerate() {
        let r = match &event.record {
            ShownRecord::Full(r) => r,
            ShownRecord::Redacted(head) => {
                let _ = writeln!(
                    out,
                    "\n### {}. {} {}, sequence {}: redacted\n",
                    i + 1,
                    head.aggregate_type,
                    code(&head.aggregate_id),
                    head.sequence
                );
                let _ = writeln!(out, "- position: {}", event.position);
                let scope = head.scope.as_deref().map(|s| format!(" ({})", code(s))).unwrap_or_default();
                let _ =
                    writeln!(out, "- visibility: {}{scope}: not readable with the credentials used", head.visibility);
                let _ = writeln!(out, "- recorded at: {}", code(&head.recorded_at));
                let _ = writeln!(out, "- hash: {}", code(&event.hash));
                let _ = writeln!(out, "- previous hash in its aggregate: {}", code(&head.prev_hash));
                continue;
            }
        };
        let meta = |name: &str| r.metadata.get(name);
        let text = |name: &str| meta(name).and_then(Value::as_str).map(code).unwrap_or_else(|| "—".to_string());
        let _ = writeln!(
            out,
            "\n### {}. {} {}, sequence {}: {}\n",
            i + 1,
            r.aggregate_type,
            code(&r.aggregate_id),
            r.sequence,
            code(&r.event_type)
        );
        let _ = writeln!(out, "- position: {}", event.position);
        let _ = writeln!(out, "- event type: {} (version {})", code(&r.event_type), code(&r.event_version));
        let _ = writeln!(out, "- occurred at: {}", text("occurred_at"));
        let _ = writeln!(out, "- recorded at: {}", text("recorded_at"));
        let _ = writeln!(out, "- recorded by: {}, role {}", text("actor"), text("role"));
        let authority = match meta("authority") {
            None | Some(Value::Null) => "— (the role suffices)".to_string(),
            Some(value) => code(&compact(value)),
        };
        let _ = writeln!(out, "- authority: {authority}");
        if let Some(provenance) = meta("provenance") {
            let confidence = provenance.get("confidence").and_then(Value::as_str).unwrap_or("?");
            let label = match confidence {
                "S" => "S (seed document)".to_string(),
                "P" => "P (public page)".to_string(),
                "I" => "I (inferred)".to_string(),
                "U" => "U (uncertain)".to_string(),
                "X" => "X: illustrative (invented demo value)".to_string(),
                other => code(other),
            };
            let note = provenance.get("note").and_then(Value::as_str).map(|n| format!(", {}", code(n)));
            let _ = writeln!(out, "- provenance confidence: {label}{}", note.unwrap_or_default());
        }
        let _ = writeln!(out, "- payload: {}", code(&compact(&r.payload)));
        let other: Vec<String> = r
            .metadata
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "actor" | "role" | "authority" | "occurred_at" | "recorded_at" | "provenance"
                        )
                    })
                    .map(|(k, v)| format!("{k}={}", compact(v)))
                    .collect()
            })
            .unwrap_or_default();
        if !other.is_empty() {
            let _ = writeln!(out, "- other metadata: {}", code(&other.join(", ")));
        }
        let _ = writeln!(out, "- hash: {}", code(&event.hash));
        let _ = writeln!(out, "- previous hash in its aggregate: {}", code(&r.prev_hash));
    }

    out.push_str(
        "\n## How to verify\n\n\
         1. Obtain the ledger's public key from a channel independent of this file (the \
         published key, the printed minutes) and compare it with the key above.\n\
         2. Run `cargo run -p ledger-format --bin ledger-verify -- DOSSIER.json --public-key KEY` \
         (or `python3 docs/verify_dossier.py DOSSIER.json KEY`).\n\
         3. It recomputes every event hash (RFC 8785 + SHA-256), checks every recorder \
         signature and the checkpoint signature (Ed25519), each inclusion proof (RFC 9162) \
         against the checkpoint root, and each aggregate's hash chain from sequence 1. \
         See docs/VERIFYING.md for what this proves and what it does not.\n",
    );
    out
}

/// The key id of an encoded key is written as 8 lowercase hex digits (as every
/// signed-note implementation writes it), so one key has one spelling.
fn canonical_key_id(encoded: &str) -> bool {
    encoded
        .split('+')
        .nth(1)
        .is_some_and(|id| id.len() == 8 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// An inline Markdown code span holding `text` verbatim (control characters escaped).
fn code(text: &str) -> String {
    let text: String =
        text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}
