//! The tenant's token-signing key: an RSA 2048 key, its JWKS entry and RS256
//! ID tokens.
//!
//! Invariant: the `kid` is the RFC 7638 thumbprint of the public key, so it
//! changes exactly when the key does; an ID token's `kid` header always names
//! a key the JWKS endpoint serves.

use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::EmulatorError;

/// A loaded signing key, ready to sign and to publish.
#[derive(Clone)]
pub(crate) struct SigningKey {
    /// PKCS#1 PEM, for the state file.
    pem: String,
    kid: String,
    n: String,
    e: String,
    encoding: EncodingKey,
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

impl SigningKey {
    /// Generates a fresh RSA 2048 key (slow: call off the async threads).
    pub(crate) fn generate() -> Result<SigningKey, EmulatorError> {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .map_err(|e| EmulatorError::Crypto(format!("RSA key generation failed: {e}")))?;
        Self::from_key(&key)
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

    /// Loads a key from the PKCS#1 PEM written by [`SigningKey::pem`].
    pub(crate) fn from_pem(pem: &str) -> Result<SigningKey, EmulatorError> {
        let key = RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| {
            EmulatorError::State(format!("the stored signing key is unreadable: {e}"))
        })?;
        Self::from_key(&key)
    }

    fn from_key(key: &RsaPrivateKey) -> Result<SigningKey, EmulatorError> {
        let pem = key
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| EmulatorError::Crypto(format!("cannot encode the signing key: {e}")))?
            .to_string();
        let der = key
            .to_pkcs1_der()
            .map_err(|e| EmulatorError::Crypto(format!("cannot encode the signing key: {e}")))?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // RFC 7638: members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Ok(SigningKey {
            pem,
            kid,
            n,
            e,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
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

    /// Signs claims as an RS256 JWT carrying this key's `kid`.
    pub(crate) fn sign(&self, claims: &Value) -> Result<String, EmulatorError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| EmulatorError::Crypto(format!("cannot sign a token: {e}")))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_tenant_key_is_made_on_first_use_and_then_kept() {
        let key = TenantKey::on_first_use(false);
        assert_eq!(key.pem_if_made(), "", "nothing is generated up front");
        let first = key.get().unwrap();
        assert!(key
            .pem_if_made()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
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
}
