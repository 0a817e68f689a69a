//! The tenant's token-signing key: an RSA 2048 key, its JWKS entry and RS256
//! ID tokens.
//!
//! Invariant: the `kid` is the RFC 7638 thumbprint of the public key, so it
//! changes exactly when the key does; an ID token's `kid` header always names
//! a key the JWKS endpoint serves.

use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, Header};
use ring::rsa::KeyPair;
use ring::signature::RSA_PKCS1_SHA256;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::EmulatorError;

/// A loaded signing key, ready to sign and to publish.
///
/// The key signs with ring. A fresh one is generated with aws-lc-rs (feature
/// `key-generation`), not the `rsa` crate: `rsa` carries RUSTSEC-2023-0071
/// (Marvin, a timing side channel) with no fixed release, and `cargo audit`
/// in the test command fails on it. Without that feature every tenant signs
/// with [`DEMO_KEY_PEM`].
#[derive(Clone)]
pub(crate) struct SigningKey {
    /// PKCS#8 PEM, for the state file.
    pem: String,
    kid: String,
    n: String,
    e: String,
    key: Arc<KeyPair>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The tenant's signing key, made on first use. Generating an RSA key costs
/// 100-400 ms of CPU, which an app embedding the demo tenant should not pay
/// while its window starts (on two cores it competes with WebKit); the first
/// JWKS or token request pays instead, while the user is still typing in the
/// browser. A key loaded from the state file is ready at once.
#[derive(Debug)]
pub(crate) struct TenantKey {
    key: OnceLock<Result<Arc<SigningKey>, String>>,
    /// A persisted emulator gets a key of its own; others share the
    /// process-wide ephemeral key.
    persistent: bool,
}

impl TenantKey {
    pub(crate) fn loaded(key: Arc<SigningKey>) -> TenantKey {
        TenantKey {
            key: OnceLock::from(Ok(key)),
            persistent: true,
        }
    }

    pub(crate) fn on_first_use(persistent: bool) -> TenantKey {
        TenantKey {
            key: OnceLock::new(),
            persistent,
        }
    }

    /// The key, generating it on the first call (blocking that caller).
    pub(crate) fn get(&self) -> Result<Arc<SigningKey>, EmulatorError> {
        self.key
            .get_or_init(|| {
                let made = if self.persistent {
                    SigningKey::generate().map(Arc::new)
                } else {
                    SigningKey::ephemeral()
                };
                made.map_err(|e| e.to_string())
            })
            .clone()
            .map_err(EmulatorError::Crypto)
    }

    /// The PEM for the state file, or empty while no key has been made (the
    /// next start then makes one on first use).
    pub(crate) fn pem_if_made(&self) -> &str {
        match self.key.get() {
            Some(Ok(key)) => key.pem(),
            _ => "",
        }
    }
}

/// The built-in demo key (RSA 2048, PKCS#8): published in this repository,
/// so tokens it signs prove nothing outside the demo. Used when this build
/// cannot generate keys (no `key-generation` feature).
#[cfg(any(not(feature = "key-generation"), test))]
pub(crate) const DEMO_KEY_PEM: &str = include_str!("demo-signing-key.pem");

impl SigningKey {
    /// Generates a fresh RSA 2048 key (slow: call off the async threads).
    #[cfg(feature = "key-generation")]
    pub(crate) fn generate() -> Result<SigningKey, EmulatorError> {
        use aws_lc_rs::encoding::AsDer;
        let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| EmulatorError::Crypto("RSA key generation failed".into()))?;
        let der = key
            .as_der()
            .map_err(|_| EmulatorError::Crypto("cannot encode the signing key".into()))?;
        let key = KeyPair::from_pkcs8(der.as_ref())
            .map_err(|e| EmulatorError::Crypto(format!("the generated key: {e}")))?;
        Self::from_key(key, der.as_ref())
    }

    /// Without key generation: the built-in demo key.
    #[cfg(not(feature = "key-generation"))]
    pub(crate) fn generate() -> Result<SigningKey, EmulatorError> {
        Self::from_pem(DEMO_KEY_PEM)
    }

    /// One key per process for emulators without a state directory, so tests
    /// that start many emulators pay for key generation once.
    pub(crate) fn ephemeral() -> Result<Arc<SigningKey>, EmulatorError> {
        static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
        if let Some(key) = KEY.get() {
            return Ok(key.clone());
        }
        let key = Arc::new(Self::generate()?);
        Ok(KEY.get_or_init(|| key).clone())
    }

    /// Loads a key from the state file's PEM: PKCS#8 (`PRIVATE KEY`, what
    /// [`SigningKey::pem`] writes) or PKCS#1 (`RSA PRIVATE KEY`, what state
    /// files written before the move to aws-lc-rs hold).
    pub(crate) fn from_pem(pem: &str) -> Result<SigningKey, EmulatorError> {
        let unreadable = |why: String| {
            EmulatorError::State(format!("the stored signing key is unreadable: {why}"))
        };
        let block = pem::parse(pem).map_err(|e| unreadable(e.to_string()))?;
        let (key, pkcs8) = match block.tag() {
            "PRIVATE KEY" => (
                KeyPair::from_pkcs8(block.contents()),
                block.contents().to_vec(),
            ),
            "RSA PRIVATE KEY" => (
                KeyPair::from_der(block.contents()),
                pkcs8_of_pkcs1(block.contents()),
            ),
            other => {
                return Err(unreadable(format!(
                    "a PEM block of type {other:?}, not an RSA private key"
                )))
            }
        };
        let key = key.map_err(|e| unreadable(e.to_string()))?;
        Self::from_key(key, &pkcs8)
    }

    /// `key`, whose PKCS#8 encoding is `pkcs8` (kept for the state file).
    fn from_key(key: KeyPair, pkcs8: &[u8]) -> Result<SigningKey, EmulatorError> {
        let pem = pem::encode_config(
            &pem::Pem::new("PRIVATE KEY", pkcs8),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        );
        let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(key.public());
        // Both big-endian without leading zeros, as RFC 7518 §6.3.1 asks.
        let n = URL_SAFE_NO_PAD.encode(&public.n);
        let e = URL_SAFE_NO_PAD.encode(&public.e);
        // RFC 7638: members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Ok(SigningKey {
            pem,
            kid,
            n,
            e,
            key: Arc::new(key),
        })
    }

    pub(crate) fn pem(&self) -> &str {
        &self.pem
    }

    /// The JWKS document (`{"keys":[...]}`) as Entra publishes it.
    pub(crate) fn jwks(&self, issuer: &str) -> Value {
        json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "kid": self.kid,
                "n": self.n,
                "e": self.e,
                "issuer": issuer,
            }]
        })
    }

    /// The public key, for checking this key's signatures.
    pub(crate) fn decoding_key(&self) -> Result<jsonwebtoken::DecodingKey, EmulatorError> {
        jsonwebtoken::DecodingKey::from_rsa_components(&self.n, &self.e)
            .map_err(|e| EmulatorError::Crypto(format!("cannot read the signing key: {e}")))
    }

    /// The key id the JWKS names.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs claims as an RS256 JWT (RFC 7515 compact form) carrying this
    /// key's `kid`.
    pub(crate) fn sign(&self, claims: &Value) -> Result<String, EmulatorError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        let json = |result: serde_json::Result<Vec<u8>>| {
            result
                .map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
                .map_err(|e| EmulatorError::Crypto(format!("cannot sign a token: {e}")))
        };
        let signing_input = format!(
            "{}.{}",
            json(serde_json::to_vec(&header))?,
            json(serde_json::to_vec(claims))?
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| EmulatorError::Crypto("cannot sign a token".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// Wraps a PKCS#1 `RSAPrivateKey` in PKCS#8's `PrivateKeyInfo` (RFC 5208):
/// version 0, the rsaEncryption algorithm with NULL parameters, the key as
/// an OCTET STRING. State files from before PKCS#8 hold PKCS#1.
fn pkcs8_of_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = body.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(body);
        out
    }
    // AlgorithmIdentifier { 1.2.840.113549.1.1.1, NULL }
    const RSA_ENCRYPTION: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(RSA_ENCRYPTION);
    body.extend(tlv(0x04, pkcs1));
    tlv(0x30, &body)
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_tenant_key_is_made_on_first_use_and_then_kept() {
        let key = TenantKey::on_first_use(false);
        assert_eq!(key.pem_if_made(), "", "nothing is generated up front");
        let first = key.get().unwrap();
        assert!(key.pem_if_made().starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(
            key.get().unwrap().jwks("iss"),
            first.jwks("iss"),
            "the same key every time"
        );
        let loaded = TenantKey::loaded(first.clone());
        assert_eq!(loaded.pem_if_made(), first.pem());
    }

    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn signed_tokens_verify_against_the_published_key() -> Result<(), Box<dyn std::error::Error>> {
        let key = SigningKey::ephemeral()?;
        let reloaded = SigningKey::from_pem(key.pem())?;
        assert_eq!(reloaded.kid, key.kid);
        let jwks = key.jwks("https://issuer/v2.0");
        let jwk = &jwks["keys"][0];
        let token = reloaded.sign(&json!({"aud": "me", "exp": 4_000_000_000u64}))?;
        let header = jsonwebtoken::decode_header(&token)?;
        assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());
        let decoding = DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap_or_default(),
            jwk["e"].as_str().unwrap_or_default(),
        )?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["me"]);
        let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation)?;
        assert_eq!(data.claims["aud"], "me");
        Ok(())
    }

    #[test]
    fn a_state_file_key_in_pkcs1_from_before_still_loads() -> Result<(), Box<dyn std::error::Error>>
    {
        let key = SigningKey::ephemeral()?;
        let pkcs8 = pem::parse(key.pem())?;
        // PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier (15
        // bytes), OCTET STRING (tag, 0x82, two length bytes) { RSAPrivateKey } }.
        let der = pkcs8.contents();
        assert_eq!(
            &der[22..24],
            &[0x04, 0x82],
            "the OCTET STRING around the PKCS#1 key"
        );
        let pkcs1 = pem::encode(&pem::Pem::new("RSA PRIVATE KEY", der[26..].to_vec()));
        let reloaded = SigningKey::from_pem(&pkcs1)?;
        assert_eq!(reloaded.kid(), key.kid(), "the same key, so the same kid");
        Ok(())
    }

    #[test]
    fn the_built_in_demo_key_loads_and_signs() -> Result<(), Box<dyn std::error::Error>> {
        let key = SigningKey::from_pem(DEMO_KEY_PEM)?;
        let token = key.sign(&json!({"aud": "me", "exp": 4_000_000_000u64}))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["me"]);
        jsonwebtoken::decode::<Value>(&token, &key.decoding_key()?, &validation)?;
        // PKCS#8 in, the same PKCS#8 out (the state file keeps it).
        assert_eq!(
            pem::parse(key.pem())?.contents(),
            pem::parse(DEMO_KEY_PEM)?.contents()
        );
        Ok(())
    }

    #[test]
    fn a_state_file_key_that_is_not_an_rsa_private_key_is_refused_by_name() {
        let certificate = pem::encode(&pem::Pem::new("CERTIFICATE", vec![0x30, 0x00]));
        let err = SigningKey::from_pem(&certificate).unwrap_err().to_string();
        assert!(
            err.contains("the stored signing key is unreadable"),
            "{err}"
        );
        assert!(err.contains("CERTIFICATE"), "{err}");
        let err = SigningKey::from_pem("not PEM at all")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the stored signing key is unreadable"),
            "{err}"
        );
        let garbage = pem::encode(&pem::Pem::new("PRIVATE KEY", vec![1, 2, 3]));
        let err = SigningKey::from_pem(&garbage).unwrap_err().to_string();
        assert!(
            err.contains("the stored signing key is unreadable"),
            "{err}"
        );
    }
}
