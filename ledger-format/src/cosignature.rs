//! Witness cosignatures of checkpoints: C2SP `tlog-cosignature` v1, Ed25519 type.
//!
//! A witness that has checked a checkpoint is consistent with every earlier one it saw
//! adds a signature line to the note. From the specification (c2sp.org/tlog-cosignature):
//!
//! ```text
//! key id      = SHA-256(<name> ‖ "\n" ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4]
//! message     = "cosignature/v1\n" ‖ "time " ‖ <decimal POSIX seconds, no leading zero> ‖ "\n"
//!               ‖ the whole checkpoint body (every line with its final "\n", no signature line)
//! line        = "— " ‖ <name> ‖ " " ‖ base64(key id ‖ 8-byte big-endian timestamp ‖ 64-byte signature)
//! public key  = <name>+<8 hex key id>+<base64(0x04 ‖ public key)>      (a C2SP vkey, type 0x04)
//! private key = PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x04 ‖ seed)> (mirrors the recorder key)
//! ```
//!
//! The timestamp must not exceed 2^63 − 1. The Ed25519 cosignature message does not
//! commit to the witness name, so one key must serve one witness only.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signed-note algorithm byte of a tlog-cosignature/v1 Ed25519 key.
pub const COSIGNATURE_V1_ALG: u8 = 0x04;

/// Why a witness key or cosignature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    #[error("malformed witness private key (expected PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>)")]
    MalformedPrivateKey,
    #[error("malformed witness public key (expected <name>+<id>+<base64(0x04 ‖ key)>)")]
    MalformedPublicKey,
    #[error("invalid witness name (it must be non-empty, without spaces or '+')")]
    InvalidName,
    #[error("the key id does not match the key")]
    KeyIdMismatch,
    #[error("malformed cosignature line (expected \"— <name> <base64>\" with 76 bytes)")]
    MalformedLine,
    #[error("the cosignature is from {found}, not from {expected}")]
    OtherWitness { expected: String, found: String },
    #[error("the cosignature's key id is not the witness key's")]
    OtherKey,
    #[error("the cosignature's timestamp exceeds 2^63 - 1")]
    TimestampTooLarge,
    #[error("the checkpoint body must be non-empty lines each ending in a newline, without signatures")]
    MalformedCheckpointBody,
    #[error("the cosignature does not verify over this checkpoint")]
    BadSignature,
}

/// SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4], big-endian.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([COSIGNATURE_V1_ALG]);
    hasher.update(public_key);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The exact bytes a witness signs for `checkpoint_body` at `timestamp`.
pub fn signed_message(checkpoint_body: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_body}").into_bytes()
}

/// The body (text) of a signed note: everything up to the blank line before the
/// signature lines, with its final newline. Like Go's `note.Open` and `signed_note`,
/// the split is at the last blank line.
pub fn checkpoint_body(signed_note: &str) -> Result<&str, CosignatureError> {
    let split = signed_note.rfind("\n\n").ok_or(CosignatureError::MalformedCheckpointBody)?;
    Ok(&signed_note[..=split])
}

fn check_body(body: &str) -> Result<(), CosignatureError> {
    let well_formed = body.ends_with('\n')
        && !body.starts_with('\n')
        && !body.contains("\n\n")
        && !body.chars().any(|c| c < ' ' && c != '\n');
    if well_formed {
        Ok(())
    } else {
        Err(CosignatureError::MalformedCheckpointBody)
    }
}

/// A witness's signing key.
pub struct WitnessSigner {
    name: String,
    signing_key: SigningKey,
}

impl std::fmt::Debug for WitnessSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessSigner").field("name", &self.name).finish_non_exhaustive()
    }
}

impl WitnessSigner {
    /// A witness key from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, CosignatureError> {
        if !signed_note::is_key_name_valid(name) {
            return Err(CosignatureError::InvalidName);
        }
        Ok(Self { name: name.to_string(), signing_key: SigningKey::from_bytes(&seed) })
    }

    /// Reads `PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>`; the id must match.
    pub fn from_private_key(skey: &str) -> Result<Self, CosignatureError> {
        let rest = skey.trim().strip_prefix("PRIVATE+KEY+").ok_or(CosignatureError::MalformedPrivateKey)?;
        let (name, id, key64) = split_key(rest).ok_or(CosignatureError::MalformedPrivateKey)?;
        let bytes = BASE64.decode(key64).map_err(|_| CosignatureError::MalformedPrivateKey)?;
        let seed: [u8; 32] = match bytes.split_first() {
            Some((&COSIGNATURE_V1_ALG, seed)) => seed.try_into().map_err(|_| CosignatureError::MalformedPrivateKey)?,
            _ => return Err(CosignatureError::MalformedPrivateKey),
        };
        let signer = Self::from_seed(name, seed)?;
        if signer.key_id() != id {
            return Err(CosignatureError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The private key in the encoding [`Self::from_private_key`] reads (never log it).
    pub fn private_key_string(&self) -> String {
        let key = [&[COSIGNATURE_V1_ALG][..], &self.signing_key.to_bytes()].concat();
        format!("PRIVATE+KEY+{}+{:08x}+{}", self.name, self.key_id(), BASE64.encode(key))
    }

    /// The public key (C2SP vkey of type 0x04), as the witness publishes it.
    pub fn public_key(&self) -> String {
        let key = [&[COSIGNATURE_V1_ALG][..], self.signing_key.verifying_key().as_bytes()].concat();
        format!("{}+{:08x}+{}", self.name, self.key_id(), BASE64.encode(key))
    }

    /// The witness name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cosignature key id.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, self.signing_key.verifying_key().as_bytes())
    }

    /// The verifier for this key.
    pub fn verifier(&self) -> WitnessVerifier {
        WitnessVerifier::from_public_key(&self.public_key()).expect("own public key is well formed")
    }

    /// Cosigns a checkpoint body (the note text without its blank line and signature
    /// lines: see [`checkpoint_body`]) at `timestamp` (POSIX seconds, at most 2^63 − 1).
    /// Returns the signature line without its trailing newline; append it, plus `\n`,
    /// to the signed note.
    pub fn cosign(&self, checkpoint_text: &str, timestamp: u64) -> String {
        debug_assert!(check_body(checkpoint_text).is_ok(), "cosign takes a checkpoint body");
        debug_assert!(timestamp <= i64::MAX as u64, "timestamp beyond 2^63 - 1");
        let signature = self.signing_key.sign(&signed_message(checkpoint_text, timestamp));
        let mut bytes = Vec::with_capacity(76);
        bytes.extend_from_slice(&self.key_id().to_be_bytes());
        bytes.extend_from_slice(&timestamp.to_be_bytes());
        bytes.extend_from_slice(&signature.to_bytes());
        format!("— {} {}", self.name, BASE64.encode(bytes))
    }
}

/// A witness's published key, used to check its cosignatures.
#[derive(Clone)]
pub struct WitnessVerifier {
    encoded: String,
    name: String,
    key_id: u32,
    verifying_key: VerifyingKey,
}

impl std::fmt::Debug for WitnessVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encoded)
    }
}

impl WitnessVerifier {
    /// Reads `<name>+<8 hex key id>+<base64(0x04 ‖ 32-byte key)>`; the id must match.
    pub fn from_public_key(vkey: &str) -> Result<Self, CosignatureError> {
        let vkey = vkey.trim();
        let (name, id, key64) = split_key(vkey).ok_or(CosignatureError::MalformedPublicKey)?;
        if !signed_note::is_key_name_valid(name) {
            return Err(CosignatureError::InvalidName);
        }
        let bytes = BASE64.decode(key64).map_err(|_| CosignatureError::MalformedPublicKey)?;
        let key: [u8; 32] = match bytes.split_first() {
            Some((&COSIGNATURE_V1_ALG, key)) => key.try_into().map_err(|_| CosignatureError::MalformedPublicKey)?,
            _ => return Err(CosignatureError::MalformedPublicKey),
        };
        if key_id(name, &key) != id {
            return Err(CosignatureError::KeyIdMismatch);
        }
        let verifying_key = VerifyingKey::from_bytes(&key).map_err(|_| CosignatureError::MalformedPublicKey)?;
        Ok(Self { encoded: vkey.to_string(), name: name.to_string(), key_id: id, verifying_key })
    }

    /// The encoded public key.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// The witness name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cosignature key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Checks one cosignature line (with or without its trailing newline) over a
    /// checkpoint body; returns the cosignature's timestamp.
    pub fn verify(&self, checkpoint_text: &str, signature_line: &str) -> Result<u64, CosignatureError> {
        check_body(checkpoint_text)?;
        let line = signature_line.strip_suffix('\n').unwrap_or(signature_line);
        let rest = line.strip_prefix("— ").ok_or(CosignatureError::MalformedLine)?;
        let (name, sig64) = rest.split_once(' ').ok_or(CosignatureError::MalformedLine)?;
        if name != self.name {
            return Err(CosignatureError::OtherWitness { expected: self.name.clone(), found: name.to_string() });
        }
        let bytes = BASE64.decode(sig64).map_err(|_| CosignatureError::MalformedLine)?;
        let bytes: [u8; 76] = bytes.try_into().map_err(|_| CosignatureError::MalformedLine)?;
        let (id, rest) = bytes.split_at(4);
        let (time, signature) = rest.split_at(8);
        if u32::from_be_bytes(id.try_into().expect("4 bytes")) != self.key_id {
            return Err(CosignatureError::OtherKey);
        }
        let timestamp = u64::from_be_bytes(time.try_into().expect("8 bytes"));
        if timestamp > i64::MAX as u64 {
            return Err(CosignatureError::TimestampTooLarge);
        }
        let signature = ed25519_dalek::Signature::from_slice(signature).map_err(|_| CosignatureError::MalformedLine)?;
        self.verifying_key
            .verify(&signed_message(checkpoint_text, timestamp), &signature)
            .map_err(|_| CosignatureError::BadSignature)?;
        Ok(timestamp)
    }
}

/// Splits `<name>+<8 hex id>+<base64>` (the name cannot hold '+').
fn split_key(text: &str) -> Option<(&str, u32, &str)> {
    let (name, rest) = text.split_once('+')?;
    let (id, key64) = rest.split_once('+')?;
    if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((name, u32::from_str_radix(id, 16).ok()?, key64))
}
