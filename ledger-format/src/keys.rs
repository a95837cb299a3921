//! Recorder keys: one Ed25519 key signs every event hash and every checkpoint.
//!
//! Keys use the C2SP signed-note encodings, so any signed-note library can read them:
//! the private key is `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>` and the public
//! key `<name>+<key id>+<base64(0x01 ‖ public key)>`, where the key id is the first four
//! bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use signed_note::{StandardSigner, StandardVerifier};

/// The domain-separation prefix of an event signature: an event hash is never signed
/// bare, so a signature made for one purpose cannot be replayed for another.
pub const EVENT_SIGNATURE_CONTEXT: &[u8] = b"alliance87-ledger/event-hash/v1\n";

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("malformed private key (expected PRIVATE+KEY+<name>+<id>+<base64>)")]
    MalformedPrivateKey,
    #[error("malformed public key (expected <name>+<id>+<base64>)")]
    MalformedPublicKey,
    /// Well formed, but its id is not the one its name and key give: the key was altered
    /// or mistyped, or belongs to another ledger.
    #[error("the public key's id {given} does not match its name and key (they give {expected}): the key was altered or mistyped")]
    KeyIdMismatch { given: String, expected: String },
}

/// The server's signing key.
pub struct LedgerSigner {
    note_signer: StandardSigner,
    signing_key: SigningKey,
    name: String,
}

impl std::fmt::Debug for LedgerSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerSigner").field("name", &self.name).finish_non_exhaustive()
    }
}

impl LedgerSigner {
    /// Reads a C2SP signed-note private key.
    pub fn from_private_key(skey: &str) -> Result<Self, KeyError> {
        let skey = skey.trim();
        let note_signer = StandardSigner::new(skey).map_err(|_| KeyError::MalformedPrivateKey)?;
        let mut parts = skey.splitn(5, '+');
        let (_, _, name, _, key64) = (parts.next(), parts.next(), parts.next(), parts.next(), parts.next());
        let (name, key64) = name.zip(key64).ok_or(KeyError::MalformedPrivateKey)?;
        let bytes = BASE64.decode(key64).map_err(|_| KeyError::MalformedPrivateKey)?;
        let seed: [u8; 32] = bytes.get(1..).and_then(|s| s.try_into().ok()).ok_or(KeyError::MalformedPrivateKey)?;
        Ok(Self { note_signer, signing_key: SigningKey::from_bytes(&seed), name: name.to_string() })
    }

    /// Builds a signer from a 32-byte seed (the edge supplies the randomness).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        let signing_key = SigningKey::from_bytes(&seed);
        let public = public_key_string(name, &signing_key.verifying_key());
        let id = public.split('+').nth(1).ok_or(KeyError::MalformedPrivateKey)?;
        let skey = format!("PRIVATE+KEY+{name}+{id}+{}", BASE64.encode([&[1u8][..], &seed].concat()));
        Self::from_private_key(&skey)
    }

    /// The private key in its C2SP encoding (for the key file; never log it).
    pub fn private_key_string(&self) -> String {
        let public = self.public_key();
        let id = public.split('+').nth(1).unwrap_or_default();
        format!("PRIVATE+KEY+{}+{id}+{}", self.name, BASE64.encode([&[1u8][..], &self.signing_key.to_bytes()].concat()))
    }

    /// The key name (also the checkpoint origin by default).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key in its C2SP encoding, as published.
    pub fn public_key(&self) -> String {
        public_key_string(&self.name, &self.signing_key.verifying_key())
    }

    /// The verifier for this key.
    pub fn verifier(&self) -> LedgerVerifier {
        LedgerVerifier::from_public_key(&self.public_key()).expect("own public key is well formed")
    }

    /// Signs an event hash: Ed25519 over `EVENT_SIGNATURE_CONTEXT ‖ hash`, base64.
    pub fn sign_event_hash(&self, hash: &[u8; 32]) -> String {
        let message = [EVENT_SIGNATURE_CONTEXT, hash].concat();
        BASE64.encode(self.signing_key.sign(&message).to_bytes())
    }

    pub(crate) fn note_signer(&self) -> &StandardSigner {
        &self.note_signer
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }
}

/// A published public key, used to check event signatures and checkpoints.
#[derive(Clone)]
pub struct LedgerVerifier {
    encoded: String,
    name: String,
    key_id: u32,
    verifying_key: VerifyingKey,
}

impl std::fmt::Debug for LedgerVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encoded)
    }
}

impl LedgerVerifier {
    /// Reads a C2SP signed-note public key `<name>+<key id>+<base64(0x01 ‖ key)>`.
    pub fn from_public_key(vkey: &str) -> Result<Self, KeyError> {
        let vkey = vkey.trim();
        let mut parts = vkey.splitn(3, '+');
        let (name, id, key64) = match (parts.next(), parts.next(), parts.next()) {
            (Some(n), Some(i), Some(k)) => (n, i, k),
            _ => return Err(KeyError::MalformedPublicKey),
        };
        let key_id = u32::from_str_radix(id, 16).map_err(|_| KeyError::MalformedPublicKey)?;
        let bytes = BASE64.decode(key64).map_err(|_| KeyError::MalformedPublicKey)?;
        if bytes.first() != Some(&1) {
            return Err(KeyError::MalformedPublicKey);
        }
        let key: [u8; 32] = bytes.get(1..).and_then(|s| s.try_into().ok()).ok_or(KeyError::MalformedPublicKey)?;
        let verifying_key = VerifyingKey::from_bytes(&key).map_err(|_| KeyError::MalformedPublicKey)?;
        let canonical = public_key_string(name, &verifying_key);
        let expected = canonical.split('+').nth(1).unwrap_or_default();
        if id.len() == expected.len() && id != expected {
            return Err(KeyError::KeyIdMismatch { given: id.to_string(), expected: expected.to_string() });
        }
        StandardVerifier::new(vkey).map_err(|_| KeyError::MalformedPublicKey)?;
        Ok(Self { encoded: vkey.to_string(), name: name.to_string(), key_id, verifying_key })
    }

    /// The encoded public key.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The C2SP key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Checks an event signature made by [`LedgerSigner::sign_event_hash`].
    pub fn verify_event_hash(&self, hash: &[u8; 32], signature_b64: &str) -> bool {
        let Ok(bytes) = BASE64.decode(signature_b64) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
            return false;
        };
        let message = [EVENT_SIGNATURE_CONTEXT, hash].concat();
        self.verifying_key.verify(&message, &signature).is_ok()
    }

    /// Checks a base64 Ed25519 signature over `message` as it is (a key handover
    /// statement, docs/LEDGER-FORMAT.md §8.4).
    pub fn verify_raw(&self, message: &[u8], signature_b64: &str) -> bool {
        let Ok(bytes) = BASE64.decode(signature_b64) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
            return false;
        };
        self.verifying_key.verify(message, &signature).is_ok()
    }

    pub(crate) fn note_verifier(&self) -> StandardVerifier {
        StandardVerifier::new(&self.encoded).expect("validated at construction")
    }
}

/// Checks many event signatures together: Ed25519 batch verification costs about half of
/// checking each alone. Gives, per `(key, hash, signature)`, whether the signature verifies:
/// when the batch fails as a whole, each is checked alone, so the failing ones are named.
pub fn verify_event_hashes(items: &[(&LedgerVerifier, &[u8; 32], &str)]) -> Vec<bool> {
    let decoded: Vec<Option<ed25519_dalek::Signature>> = items
        .iter()
        .map(|(_, _, signature)| {
            BASE64.decode(signature).ok().and_then(|bytes| ed25519_dalek::Signature::from_slice(&bytes).ok())
        })
        .collect();
    let mut messages = Vec::with_capacity(items.len());
    let mut signatures = Vec::with_capacity(items.len());
    let mut keys = Vec::with_capacity(items.len());
    for ((key, hash, _), signature) in items.iter().zip(&decoded) {
        if let Some(signature) = signature {
            messages.push([EVENT_SIGNATURE_CONTEXT, hash.as_slice()].concat());
            signatures.push(*signature);
            keys.push(key.verifying_key);
        }
    }
    let message_refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    if !signatures.is_empty() && ed25519_dalek::verify_batch(&message_refs, &signatures, &keys).is_ok() {
        return decoded.iter().map(Option::is_some).collect();
    }
    items.iter().map(|(key, hash, signature)| key.verify_event_hash(hash, signature)).collect()
}

fn public_key_string(name: &str, key: &VerifyingKey) -> String {
    signed_note::new_ed25519_verifier_key(name, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_key_with_another_id_is_named_as_such_not_as_malformed() {
        let signer = LedgerSigner::from_seed("test.example/ledger", [7u8; 32]).unwrap();
        let good = signer.public_key();
        assert!(LedgerVerifier::from_public_key(&good).is_ok());
        let mut parts: Vec<String> = good.split('+').map(str::to_string).collect();
        let other = if parts[1].starts_with('0') { "1" } else { "0" };
        parts[1].replace_range(0..1, other);
        let altered = parts.join("+");
        let error = LedgerVerifier::from_public_key(&altered).unwrap_err();
        assert!(matches!(error, KeyError::KeyIdMismatch { .. }), "{error}");
        assert!(error.to_string().contains("does not match its name and key"), "{error}");
        assert_eq!(LedgerVerifier::from_public_key("nonsense").unwrap_err(), KeyError::MalformedPublicKey);
        assert_eq!(LedgerVerifier::from_public_key("a+zz+AAAA").unwrap_err(), KeyError::MalformedPublicKey);
    }
}
