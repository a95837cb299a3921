//! Checkpoints: C2SP tlog-checkpoint text signed as a C2SP signed note (Ed25519).
//!
//! ```text
//! <origin>\n<tree size>\n<base64 root hash>\n
//! \n
//! — <key name> <base64(key id ‖ signature)>\n
//! ```

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use signed_note::{Note, VerifierList};

use crate::keys::{LedgerSigner, LedgerVerifier};

/// A tree head: the origin (log name), the size and the RFC 6962 root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
}

/// Why a signed checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint note is malformed")]
    MalformedNote,
    #[error("checkpoint signature does not verify with the public key {0}")]
    BadSignature(String),
    #[error("checkpoint text is malformed")]
    MalformedText,
    #[error("checkpoint note could not be signed")]
    Signing,
}

impl Checkpoint {
    /// The checkpoint body, exactly as signed.
    pub fn text(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root))
    }

    /// Signs the checkpoint, returning the whole signed note.
    pub fn sign(&self, signer: &LedgerSigner) -> Result<String, CheckpointError> {
        let mut note = Note::new(self.text().as_bytes(), &[]).map_err(|_| CheckpointError::Signing)?;
        note.add_sigs(&[signer.note_signer()]).map_err(|_| CheckpointError::Signing)?;
        String::from_utf8(note.to_bytes()).map_err(|_| CheckpointError::Signing)
    }

    /// Verifies a signed note with the given key and parses its checkpoint.
    pub fn open(signed_note: &str, verifier: &LedgerVerifier) -> Result<Self, CheckpointError> {
        let note = Note::from_bytes(signed_note.as_bytes()).map_err(|_| CheckpointError::MalformedNote)?;
        let list = VerifierList::new(vec![Box::new(verifier.note_verifier())]);
        note.verify(&list).map_err(|_| CheckpointError::BadSignature(verifier.encoded().to_string()))?;
        let text = std::str::from_utf8(note.text()).map_err(|_| CheckpointError::MalformedText)?;
        Self::parse_text(text)
    }

    /// Who signed a note: the (key name, key id) of each signature line, without checking
    /// any signature. A verifier uses it to tell "signed by another key" (the wrong key was
    /// given) from "the signature does not verify" (the note was altered).
    pub fn signers(signed_note: &str) -> Vec<(String, u32)> {
        let Some((_, signatures)) = signed_note.split_once("\n\n") else { return Vec::new() };
        signatures
            .lines()
            .filter_map(|line| line.strip_prefix("\u{2014} "))
            .filter_map(|line| line.split_once(' '))
            .filter_map(|(name, sig)| {
                let bytes = BASE64.decode(sig).ok()?;
                let id: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
                Some((name.to_string(), u32::from_be_bytes(id)))
            })
            .collect()
    }

    /// Parses checkpoint text (without checking any signature).
    pub fn parse_text(text: &str) -> Result<Self, CheckpointError> {
        let mut lines = text.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(CheckpointError::MalformedText)?;
        let size = lines
            .next()
            // Decimal digits only, no sign and no leading zero (C2SP tlog-checkpoint).
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()) && (*s == "0" || !s.starts_with('0')))
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(CheckpointError::MalformedText)?;
        let root = lines
            .next()
            .and_then(|r| BASE64.decode(r).ok())
            .and_then(|r| <[u8; 32]>::try_from(r).ok())
            .ok_or(CheckpointError::MalformedText)?;
        Ok(Self { origin: origin.to_string(), size, root })
    }
}
