//! Personal-data commitments: how the ledger names a person's clear values without
//! holding them (docs/LEDGER-FORMAT.md §2.3).
//!
//! ```text
//! commitment = hex(SHA-256("alliance87-ledger/personal/v1\n" ‖ salt ‖ JCS(values)))
//! ```
//!
//! `salt` is the 32 random bytes kept beside the clear values in the personal-data
//! register (stored there as 64 hex digits; the raw bytes are hashed), and `JCS(values)`
//! the RFC 8785 canonical JSON of the clear values as an object (`name`, and `email` and
//! `phone` when given). Whoever holds the values and the salt can show that they are the
//! ones committed to; once both are erased, the commitment names nobody.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::record::RecordError;

/// The domain-separation prefix of a personal-data commitment.
pub const DOMAIN: &str = "alliance87-ledger/personal/v1\n";

/// The commitment to `values` under `salt`, as 64 lowercase hex digits.
pub fn commitment(salt: &[u8], values: &Value) -> Result<String, RecordError> {
    let canonical = serde_jcs::to_vec(values).map_err(|e| RecordError::Canonicalisation(e.to_string()))?;
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN.as_bytes());
    hasher.update(salt);
    hasher.update(canonical);
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn commits_to_the_canonical_values_under_the_salt() {
        let salt = [7u8; 32];
        let a = commitment(&salt, &json!({"name": "A. Person", "email": "a@example.org"})).unwrap();
        // Key order does not matter (RFC 8785), the salt and every value do.
        assert_eq!(a, commitment(&salt, &json!({"email": "a@example.org", "name": "A. Person"})).unwrap());
        assert_ne!(a, commitment(&[8u8; 32], &json!({"name": "A. Person", "email": "a@example.org"})).unwrap());
        assert_ne!(a, commitment(&salt, &json!({"name": "A. Person"})).unwrap());
        let mut by_hand = Sha256::new();
        by_hand.update(b"alliance87-ledger/personal/v1\n");
        by_hand.update(salt);
        by_hand.update(br#"{"email":"a@example.org","name":"A. Person"}"#);
        assert_eq!(a, hex::encode(by_hand.finalize()));
    }
}
