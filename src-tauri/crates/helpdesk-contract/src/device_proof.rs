//! Device proof: a reset request signed by a key the user enrolled while
//! they could still sign in.
//!
//! While signed in, the app makes an Ed25519 key pair, keeps the private half
//! in the OS keychain and enrols the public half with the relay
//! (`POST /v1/device-keys`, authenticated by the user's Graph token, which
//! the relay checks against Graph `/me`). A later reset request carries three
//! headers:
//!
//! - `Device-Key-Id`: the id the relay gave the key at enrolment;
//! - `Device-Signature-Created`: when the app signed, in Unix seconds;
//! - `Device-Signature`: base64url (no padding) of the Ed25519 signature over
//!   [`signed_message`].
//!
//! The message binds the signature to the body (its SHA-256) and to the
//! `Idempotency-Key`, so a captured signature cannot be moved to another
//! request, and a replayed request is just a repeat of its key (answered
//! with the same request, never a second ticket). `created` bounds how long a
//! signature is accepted ([`MAX_SIGNATURE_AGE`]); the app signs every attempt
//! afresh, so a request kept for hours in its outbox still arrives in time.
//!
//! The proof says only "sent from the computer where this account enrolled a
//! key"; the ticket still tells the helpdesk to verify identity by call-back.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, Verifier};
use sha2::{Digest, Sha256};

pub use ed25519_dalek::SigningKey;

/// The headers, lower-case as HTTP/2 and `http` spell them.
pub const KEY_ID_HEADER: &str = "device-key-id";
pub const CREATED_HEADER: &str = "device-signature-created";
pub const SIGNATURE_HEADER: &str = "device-signature";

/// How far a signature's `created` may be from the relay's clock, either way.
pub const MAX_SIGNATURE_AGE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The longest key id a relay hands out or accepts.
pub const MAX_KEY_ID_LEN: usize = 64;

/// The bytes the app signs and the relay verifies:
/// `mfa-assistant/reset-request/v1`, `created`, the idempotency key and the
/// base64url SHA-256 of the exact body, one per line.
pub fn signed_message(created: i64, idempotency_key: &str, body: &[u8]) -> Vec<u8> {
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(body));
    format!("mfa-assistant/reset-request/v1\n{created}\n{idempotency_key}\n{digest}").into_bytes()
}

/// A new key pair from the OS's random source.
pub fn generate_key() -> SigningKey {
    SigningKey::generate(&mut rand_core::OsRng)
}

/// The key's public half, base64url without padding (the enrolment's
/// `publicKey`).
pub fn public_key_text(key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())
}

/// The private half as base64url text, for the keychain.
pub fn secret_text(key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.to_bytes())
}

/// A key back from its [`secret_text`].
pub fn key_from_secret_text(text: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(text.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

/// The three headers' values for one attempt: `(key id, created, signature)`.
pub fn sign(
    key: &SigningKey,
    key_id: &str,
    created: i64,
    idempotency_key: &str,
    body: &[u8],
) -> (String, String, String) {
    let signature = key.sign(&signed_message(created, idempotency_key, body));
    (
        key_id.to_owned(),
        created.to_string(),
        URL_SAFE_NO_PAD.encode(signature.to_bytes()),
    )
}

/// A public key as enrolled: 32 bytes, base64url without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// Parses an enrolment's `publicKey`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| "publicKey must be base64url without padding".to_string())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!(
                "publicKey must be a 32-byte Ed25519 key (it has {} bytes)",
                b.len()
            )
        })?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| "publicKey is not a valid Ed25519 point".to_string())
    }

    /// The canonical text form (base64url, no padding).
    pub fn text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    /// Whether `signature` (base64url) signs `message` with this key.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(signature.trim()) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
            return false;
        };
        self.0.verify(message, &signature).is_ok()
    }
}

/// The device-proof headers of a request, checked for shape only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    pub key_id: String,
    pub created: i64,
    pub signature: String,
}

impl SignatureHeaders {
    /// `Ok(None)` when the request carries none of the three headers (an
    /// unsigned request); an error when it carries some but not all, or a
    /// malformed one.
    pub fn parse(
        key_id: Option<&str>,
        created: Option<&str>,
        signature: Option<&str>,
    ) -> Result<Option<SignatureHeaders>, String> {
        match (key_id, created, signature) {
            (None, None, None) => Ok(None),
            (Some(key_id), Some(created), Some(signature)) => {
                let key_id = key_id.trim();
                if key_id.is_empty()
                    || key_id.len() > MAX_KEY_ID_LEN
                    || !key_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(format!(
                        "Device-Key-Id must be 1 to {MAX_KEY_ID_LEN} letters, digits, '-' or '_'"
                    ));
                }
                let created: i64 = created.trim().parse().map_err(|_| {
                    format!("Device-Signature-Created must be Unix seconds, not {created:?}")
                })?;
                let signature = signature.trim();
                if signature.is_empty() || signature.len() > 128 {
                    return Err("Device-Signature must be a base64url Ed25519 signature".into());
                }
                Ok(Some(SignatureHeaders {
                    key_id: key_id.to_owned(),
                    created,
                    signature: signature.to_owned(),
                }))
            }
            _ => Err(
                "a signed request needs all three headers: Device-Key-Id, Device-Signature-Created \
                 and Device-Signature"
                    .into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_own_body_key_and_time() {
        let key = generate_key();
        let public = PublicKey::parse(&public_key_text(&key)).unwrap();
        let body = br#"{"upn":"dana@contoso-demo.example"}"#;
        let (_, created, signature) = sign(&key, "k1", 1_700_000_000, "key-a", body);
        assert_eq!(created, "1700000000");
        assert!(public.verifies(&signed_message(1_700_000_000, "key-a", body), &signature));
        assert!(!public.verifies(&signed_message(1_700_000_001, "key-a", body), &signature));
        assert!(!public.verifies(&signed_message(1_700_000_000, "key-b", body), &signature));
        assert!(!public.verifies(
            &signed_message(
                1_700_000_000,
                "key-a",
                b"{\"upn\":\"ceo@contoso-demo.example\"}"
            ),
            &signature
        ));
        let other = PublicKey::parse(&public_key_text(&generate_key())).unwrap();
        assert!(!other.verifies(&signed_message(1_700_000_000, "key-a", body), &signature));
        assert!(!public.verifies(&signed_message(1_700_000_000, "key-a", body), "not base64!"));
    }

    #[test]
    fn the_secret_survives_the_keychain_round_trip() {
        let key = generate_key();
        let back = key_from_secret_text(&secret_text(&key)).unwrap();
        assert_eq!(public_key_text(&key), public_key_text(&back));
        assert!(key_from_secret_text("short").is_none());
    }

    #[test]
    fn public_keys_and_headers_are_checked_for_shape() {
        assert!(PublicKey::parse("AAAA").unwrap_err().contains("32-byte"));
        assert!(PublicKey::parse("!!").unwrap_err().contains("base64url"));
        assert_eq!(SignatureHeaders::parse(None, None, None), Ok(None));
        assert!(SignatureHeaders::parse(Some("k"), None, Some("s"))
            .unwrap_err()
            .contains("all three"));
        assert!(SignatureHeaders::parse(Some("k/../x"), Some("1"), Some("s")).is_err());
        assert!(
            SignatureHeaders::parse(Some("k"), Some("yesterday"), Some("s"))
                .unwrap_err()
                .contains("Unix seconds")
        );
        assert_eq!(
            SignatureHeaders::parse(Some("k-1"), Some(" 12 "), Some("c2ln")),
            Ok(Some(SignatureHeaders {
                key_id: "k-1".into(),
                created: 12,
                signature: "c2ln".into()
            }))
        );
    }
}
