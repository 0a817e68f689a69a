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
//!
//! Every side that speaks device proof takes its rules from here: the
//! enrolment body ([`Enrolment`]), the headers' shape ([`SignatureHeaders`],
//! [`is_valid_key_id`]), and what a request's headers prove ([`verdict`],
//! giving the ticket's [`DeviceProof`]). A relay only looks the key up.

mod enrolment;
mod verdict;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, Verifier};
use sha2::{Digest, Sha256};

use crate::ContractError;

pub use ed25519_dalek::SigningKey;
pub use enrolment::{Enrolment, MAX_ENROLMENT_BYTES, MAX_PUBLIC_KEY_LEN};
pub use verdict::{verdict, DeviceProof, DeviceProofKind, EnrolledKey, UnverifiedReason};

/// The headers, lower-case as HTTP/2 and `http` spell them.
pub const KEY_ID_HEADER: &str = "device-key-id";
pub const CREATED_HEADER: &str = "device-signature-created";
pub const SIGNATURE_HEADER: &str = "device-signature";

/// How far a signature's `created` may be from the relay's clock, either way.
pub const MAX_SIGNATURE_AGE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The longest key id a relay hands out or accepts.
pub const MAX_KEY_ID_LEN: usize = 64;

/// The longest `Device-Signature` accepted (an Ed25519 signature is 86
/// base64url characters).
pub const MAX_SIGNATURE_LEN: usize = 128;

/// The error code (400) of `Device-*` headers that are partial or malformed.
pub const INVALID_SIGNATURE_HEADERS: &str = "invalidSignatureHeaders";

/// The most device keys one account keeps with the relay.
pub const MAX_DEVICE_KEYS_PER_ACCOUNT: usize = 5;

/// 409: the account already has [`MAX_DEVICE_KEYS_PER_ACCOUNT`] keys. The
/// relay never evicts a key to make room: an enrolment an attacker made
/// must not push the owner's real keys out.
pub const DEVICE_KEY_LIMIT: &str = "deviceKeyLimit";

/// The message of a [`DEVICE_KEY_LIMIT`] refusal, fit to show the user.
pub fn device_key_limit_message(limit: usize) -> String {
    format!(
        "this account already has {limit} enrolled device keys, the most the relay keeps; \
         none was replaced. Ask your helpdesk to remove the keys of computers you no longer use, \
         then enrol this computer again"
    )
}

/// Whether `key_id` has the contract's `keyId` shape: 1 to
/// [`MAX_KEY_ID_LEN`] ASCII letters, digits, `-` or `_` (it travels as the
/// `Device-Key-Id` header). Nothing is trimmed.
pub fn is_valid_key_id(key_id: &str) -> bool {
    !key_id.is_empty() && key_id.len() <= MAX_KEY_ID_LEN && key_id.bytes().all(is_base64url_byte)
}

/// `A-Z`, `a-z`, `0-9`, `-`, `_`: the base64url alphabet, which is also the
/// `keyId` alphabet.
fn is_base64url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

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
    /// unsigned request); 400 [`INVALID_SIGNATURE_HEADERS`] when it carries
    /// some but not all, or a malformed one. Values are trimmed.
    pub fn parse(
        key_id: Option<&str>,
        created: Option<&str>,
        signature: Option<&str>,
    ) -> Result<Option<SignatureHeaders>, ContractError> {
        let refuse = |message: String| ContractError::bad(INVALID_SIGNATURE_HEADERS, message);
        match (key_id, created, signature) {
            (None, None, None) => Ok(None),
            (Some(key_id), Some(created), Some(signature)) => {
                let key_id = key_id.trim();
                if !is_valid_key_id(key_id) {
                    return Err(refuse(format!(
                        "Device-Key-Id must be 1 to {MAX_KEY_ID_LEN} letters, digits, '-' or '_'"
                    )));
                }
                let created: i64 = created.trim().parse().map_err(|_| {
                    refuse(format!(
                        "Device-Signature-Created must be Unix seconds, not {created:?}"
                    ))
                })?;
                let signature = signature.trim();
                if signature.is_empty()
                    || signature.len() > MAX_SIGNATURE_LEN
                    || !signature.bytes().all(is_base64url_byte)
                {
                    return Err(refuse(format!(
                        "Device-Signature must be a base64url (no padding) Ed25519 signature of at \
                         most {MAX_SIGNATURE_LEN} characters"
                    )));
                }
                Ok(Some(SignatureHeaders {
                    key_id: key_id.to_owned(),
                    created,
                    signature: signature.to_owned(),
                }))
            }
            _ => Err(refuse(
                "a signed request needs all three headers: Device-Key-Id, Device-Signature-Created \
                 and Device-Signature"
                    .into(),
            )),
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
        let refused = |key_id: Option<&str>, created: Option<&str>, signature: Option<&str>| {
            let error = SignatureHeaders::parse(key_id, created, signature).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (400, "invalidSignatureHeaders"),
                "{error}"
            );
            error.message
        };
        assert!(refused(Some("k"), None, Some("s")).contains("all three"));
        assert!(refused(None, Some("1"), None).contains("all three"));
        assert!(refused(Some("k/../x"), Some("1"), Some("s")).contains("Device-Key-Id"));
        assert!(refused(Some(""), Some("1"), Some("s")).contains("Device-Key-Id"));
        assert!(refused(Some("k"), Some("yesterday"), Some("s")).contains("Unix seconds"));
        assert!(refused(Some("k"), Some("1"), Some("")).contains("Device-Signature "));
        // Padded, non-base64url (e.g. a lossily decoded header) or too long.
        assert!(refused(Some("k"), Some("1"), Some("c2ln==")).contains("base64url"));
        assert!(refused(Some("k"), Some("1"), Some("c2\u{fffd}ln")).contains("base64url"));
        assert!(refused(Some("k"), Some("1"), Some(&"A".repeat(129))).contains("at most 128"));
        assert!(SignatureHeaders::parse(Some("k"), Some("1"), Some(&"A".repeat(128))).is_ok());
        assert_eq!(
            SignatureHeaders::parse(Some("k-1"), Some(" 12 "), Some("c2ln")),
            Ok(Some(SignatureHeaders {
                key_id: "k-1".into(),
                created: 12,
                signature: "c2ln".into()
            }))
        );
    }

    #[test]
    fn key_ids_must_be_header_safe() {
        assert!(is_valid_key_id("dk-0a1B_2"));
        assert!(is_valid_key_id(&"k".repeat(MAX_KEY_ID_LEN)));
        assert!(!is_valid_key_id(""));
        assert!(!is_valid_key_id("dk 1"));
        assert!(!is_valid_key_id(" dk-1"), "nothing is trimmed");
        assert!(!is_valid_key_id("dk\r\nx"));
        assert!(!is_valid_key_id("dk/../1"));
        assert!(!is_valid_key_id("dk-\u{e9}"));
        assert!(!is_valid_key_id(&"k".repeat(MAX_KEY_ID_LEN + 1)));
    }
}
