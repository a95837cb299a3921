//! Key rotation: the ledger's signing keys over time (docs/LEDGER-FORMAT.md §8.4).
//!
//! A new key is announced in the ledger by a [`Handover`]: a statement naming the log,
//! the old key, the new key and the first ledger position the new key signs, signed by
//! **both** keys. The old key's signature says "I hand over to this key"; the new key's
//! says "I take over from that key". A chain of handovers is the [`KeyHistory`]; a verifier
//! who pinned any one key of the chain (the first, or any later one) can follow every link
//! in both directions, so checkpoints and event signatures before and after a rotation all
//! verify.
//!
//! Which key signs what:
//! * the event at position `p` is signed by the key active at `p`: the `old_key` of the
//!   first handover whose `from_position` is greater than `p`, else the latest key;
//! * a checkpoint of size `s` is signed by the key active at `s − 1` or at `s` (at a
//!   rotation, the old key signs the checkpoint that covers its handover, and the new key
//!   signs the same size again once it serves);
//! * events not yet given a position are signed by the latest key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::keys::{KeyError, LedgerSigner, LedgerVerifier};

/// The first line of a handover statement (domain separation: the bytes can be nothing
/// else an Alliance 8.7 ledger key signs).
pub const HANDOVER_CONTEXT: &str = "alliance87-ledger/key-handover/v1";

/// One rotation of the signing key, as recorded in the ledger and carried by dossiers and
/// exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Handover {
    /// The first ledger position the new key signs.
    pub from_position: u64,
    /// The C2SP public key handing over.
    pub old_key: String,
    /// The C2SP public key taking over.
    pub new_key: String,
    /// Base64 Ed25519 signature of [`handover_statement`] by the old key.
    pub old_signature: String,
    /// Base64 Ed25519 signature of [`handover_statement`] by the new key.
    pub new_signature: String,
}

/// The bytes both keys sign:
/// `alliance87-ledger/key-handover/v1\n<origin>\n<old key>\n<new key>\n<from position>\n`.
pub fn handover_statement(origin: &str, old_key: &str, new_key: &str, from_position: u64) -> Vec<u8> {
    format!("{HANDOVER_CONTEXT}\n{origin}\n{old_key}\n{new_key}\n{from_position}\n").into_bytes()
}

impl Handover {
    /// The handover from `old` to `new` at `from_position`, signed by both.
    pub fn sign(origin: &str, old: &LedgerSigner, new: &LedgerSigner, from_position: u64) -> Self {
        let (old_key, new_key) = (old.public_key(), new.public_key());
        let statement = handover_statement(origin, &old_key, &new_key, from_position);
        Handover {
            from_position,
            old_signature: BASE64.encode(old.signing_key().sign(&statement).to_bytes()),
            new_signature: BASE64.encode(new.signing_key().sign(&statement).to_bytes()),
            old_key,
            new_key,
        }
    }
}

/// Why a key history was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyHistoryError {
    #[error("handover {index}: {key}")]
    Key { index: usize, key: KeyError },
    #[error("handover {index}: the {which} key's signature does not verify over the handover statement")]
    BadSignature { index: usize, which: &'static str },
    #[error("handover {index}: its old key is not the key handed over to before it (the chain of keys is broken)")]
    Unchained { index: usize },
    #[error("handover {index}: from_position {from_position} does not come after the previous handover's")]
    OutOfOrder { index: usize, from_position: u64 },
    #[error("handover {index}: the old and the new key are the same key")]
    SameKey { index: usize },
    #[error("the latest key of the history is {latest}, not the key given as the ledger's ({given})")]
    NotLatest { latest: String, given: String },
    #[error("the key given ({given}) is not one of the ledger's keys ({keys})")]
    NotInHistory { given: String, keys: String },
}

impl KeyHistoryError {
    /// The index of the handover at fault, if one is.
    pub fn index(&self) -> Option<usize> {
        match self {
            Self::Key { index, .. }
            | Self::BadSignature { index, .. }
            | Self::Unchained { index }
            | Self::OutOfOrder { index, .. }
            | Self::SameKey { index } => Some(*index),
            Self::NotLatest { .. } | Self::NotInHistory { .. } => None,
        }
    }
}

/// The signing keys of one ledger over time: a checked chain of handovers.
#[derive(Debug, Clone)]
pub struct KeyHistory {
    /// The keys in order, each with the first position it signs (0 for the first).
    keys: Vec<(u64, LedgerVerifier)>,
    handovers: Vec<Handover>,
}

impl KeyHistory {
    /// The history of a ledger that never rotated its key.
    pub fn single(key: LedgerVerifier) -> Self {
        KeyHistory { keys: vec![(0, key)], handovers: Vec::new() }
    }

    /// Checks a chain of handovers of the log `origin` and that `pinned` (the key the
    /// verifier trusts, obtained elsewhere) is one of its keys. With no handovers, the
    /// history is the pinned key alone.
    pub fn new(origin: &str, handovers: &[Handover], pinned: &LedgerVerifier) -> Result<Self, KeyHistoryError> {
        let history = Self::chain(origin, handovers, pinned.clone())?;
        if !history.keys.iter().any(|(_, k)| k.encoded() == pinned.encoded()) {
            return Err(KeyHistoryError::NotInHistory {
                given: pinned.encoded().to_string(),
                keys: history.keys.iter().map(|(_, k)| k.encoded()).collect::<Vec<_>>().join(", "),
            });
        }
        Ok(history)
    }

    /// Checks a chain of handovers whose latest key must be `latest` (the key a file
    /// claims), without a pinned key: proves the file's self-consistency only.
    pub fn ending_with(origin: &str, handovers: &[Handover], latest: &LedgerVerifier) -> Result<Self, KeyHistoryError> {
        let history = Self::chain(origin, handovers, latest.clone())?;
        if history.latest().encoded() != latest.encoded() {
            return Err(KeyHistoryError::NotLatest {
                latest: history.latest().encoded().to_string(),
                given: latest.encoded().to_string(),
            });
        }
        Ok(history)
    }

    fn chain(origin: &str, handovers: &[Handover], alone: LedgerVerifier) -> Result<Self, KeyHistoryError> {
        let Some(first) = handovers.first() else { return Ok(Self::single(alone)) };
        let key = |index: usize, text: &str| {
            LedgerVerifier::from_public_key(text).map_err(|key| KeyHistoryError::Key { index, key })
        };
        let mut keys = vec![(0, key(0, &first.old_key)?)];
        for (index, handover) in handovers.iter().enumerate() {
            let (previous_from, previous) = keys.last().cloned().expect("one key at least");
            if handover.old_key != previous.encoded() {
                return Err(KeyHistoryError::Unchained { index });
            }
            if index > 0 && handover.from_position <= previous_from || handover.from_position == 0 {
                return Err(KeyHistoryError::OutOfOrder { index, from_position: handover.from_position });
            }
            let new = key(index, &handover.new_key)?;
            if new.encoded() == previous.encoded() {
                return Err(KeyHistoryError::SameKey { index });
            }
            let statement = handover_statement(origin, &handover.old_key, &handover.new_key, handover.from_position);
            if !previous.verify_raw(&statement, &handover.old_signature) {
                return Err(KeyHistoryError::BadSignature { index, which: "old" });
            }
            if !new.verify_raw(&statement, &handover.new_signature) {
                return Err(KeyHistoryError::BadSignature { index, which: "new" });
            }
            keys.push((handover.from_position, new));
        }
        Ok(KeyHistory { keys, handovers: handovers.to_vec() })
    }

    /// The handovers, oldest first (empty when the key never rotated).
    pub fn handovers(&self) -> &[Handover] {
        &self.handovers
    }

    /// The key that signs now: the latest.
    pub fn latest(&self) -> &LedgerVerifier {
        &self.keys.last().expect("one key at least").1
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> impl Iterator<Item = &LedgerVerifier> {
        self.keys.iter().map(|(_, k)| k)
    }

    /// The key that signs the event at `position`.
    pub fn for_position(&self, position: u64) -> &LedgerVerifier {
        &self.keys.iter().rev().find(|(from, _)| *from <= position).unwrap_or(&self.keys[0]).1
    }

    /// Whether a (name, key id) names one of the keys.
    pub fn names(&self, name: &str, key_id: u32) -> bool {
        self.keys.iter().any(|(_, k)| k.name() == name && k.key_id() == key_id)
    }

    /// Opens a signed checkpoint: it must verify with the key active at its last position
    /// or at the position after it (see the module documentation).
    pub fn open_checkpoint(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let size = note.split('\n').nth(1).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        let before = self.for_position(size.saturating_sub(1));
        let at = self.for_position(size);
        match Checkpoint::open(note, before) {
            Err(CheckpointError::BadSignature(_)) if at.encoded() != before.encoded() => Checkpoint::open(note, at)
                .map_err(|e| match e {
                    CheckpointError::BadSignature(_) => {
                        CheckpointError::BadSignature(format!("{} or {}", before.encoded(), at.encoded()))
                    }
                    other => other,
                }),
            other => other,
        }
        .and_then(|checkpoint| {
            // The size read above chose the key; the signed text must say the same.
            if checkpoint.size == size {
                Ok(checkpoint)
            } else {
                Err(CheckpointError::MalformedText)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "test.example/ledger";

    fn signer(seed: u8) -> LedgerSigner {
        LedgerSigner::from_seed(ORIGIN, [seed; 32]).unwrap()
    }

    #[test]
    fn a_chain_of_handovers_is_followed_from_any_pinned_key() {
        let (a, b, c) = (signer(1), signer(2), signer(3));
        let chain = vec![Handover::sign(ORIGIN, &a, &b, 10), Handover::sign(ORIGIN, &b, &c, 20)];
        for pinned in [&a, &b, &c] {
            let history = KeyHistory::new(ORIGIN, &chain, &pinned.verifier()).unwrap();
            assert_eq!(history.latest().encoded(), c.public_key());
            assert_eq!(history.for_position(0).encoded(), a.public_key());
            assert_eq!(history.for_position(9).encoded(), a.public_key());
            assert_eq!(history.for_position(10).encoded(), b.public_key());
            assert_eq!(history.for_position(19).encoded(), b.public_key());
            assert_eq!(history.for_position(20).encoded(), c.public_key());
        }
        let stranger = signer(9);
        assert!(matches!(
            KeyHistory::new(ORIGIN, &chain, &stranger.verifier()).unwrap_err(),
            KeyHistoryError::NotInHistory { .. }
        ));
        assert!(KeyHistory::ending_with(ORIGIN, &chain, &c.verifier()).is_ok());
        assert!(matches!(
            KeyHistory::ending_with(ORIGIN, &chain, &b.verifier()).unwrap_err(),
            KeyHistoryError::NotLatest { .. }
        ));
    }

    #[test]
    fn broken_handovers_are_named() {
        let (a, b, c) = (signer(1), signer(2), signer(3));
        let good = Handover::sign(ORIGIN, &a, &b, 10);
        let mut forged = good.clone();
        forged.new_key = c.public_key();
        assert_eq!(
            KeyHistory::new(ORIGIN, &[forged], &a.verifier()).unwrap_err(),
            KeyHistoryError::BadSignature { index: 0, which: "old" }
        );
        // Only the old key signed: the new key never accepted.
        let mut one_sided = Handover::sign(ORIGIN, &a, &b, 10);
        one_sided.new_signature = Handover::sign(ORIGIN, &a, &c, 10).new_signature;
        assert_eq!(
            KeyHistory::new(ORIGIN, &[one_sided], &a.verifier()).unwrap_err(),
            KeyHistoryError::BadSignature { index: 0, which: "new" }
        );
        let moved = Handover { from_position: 11, ..good.clone() };
        assert!(matches!(
            KeyHistory::new(ORIGIN, &[moved], &a.verifier()).unwrap_err(),
            KeyHistoryError::BadSignature { .. }
        ));
        assert!(matches!(
            KeyHistory::new("other/log", std::slice::from_ref(&good), &a.verifier()).unwrap_err(),
            KeyHistoryError::BadSignature { .. }
        ));
        let skipped = Handover::sign(ORIGIN, &c, &a, 20);
        assert_eq!(
            KeyHistory::new(ORIGIN, &[good.clone(), skipped], &a.verifier()).unwrap_err(),
            KeyHistoryError::Unchained { index: 1 }
        );
        let backwards = Handover::sign(ORIGIN, &b, &c, 10);
        assert!(matches!(
            KeyHistory::new(ORIGIN, &[good, backwards], &a.verifier()).unwrap_err(),
            KeyHistoryError::OutOfOrder { index: 1, .. }
        ));
    }

    #[test]
    fn checkpoints_open_with_the_key_active_at_their_size() {
        let (a, b) = (signer(1), signer(2));
        let history = KeyHistory::new(ORIGIN, &[Handover::sign(ORIGIN, &a, &b, 10)], &a.verifier()).unwrap();
        let note = |size: u64, by: &LedgerSigner| {
            Checkpoint { origin: ORIGIN.into(), size, root: [size as u8; 32] }.sign(by).unwrap()
        };
        assert!(history.open_checkpoint(&note(9, &a)).is_ok());
        assert!(
            history.open_checkpoint(&note(10, &a)).is_ok(),
            "the old key signs the checkpoint covering its handover"
        );
        assert!(history.open_checkpoint(&note(10, &b)).is_ok(), "and so may the new key");
        assert!(history.open_checkpoint(&note(11, &b)).is_ok());
        assert!(history.open_checkpoint(&note(11, &a)).is_err(), "a retired key signs no later checkpoint");
        assert!(history.open_checkpoint(&note(5, &b)).is_err(), "nor does a key before its time");
    }
}
