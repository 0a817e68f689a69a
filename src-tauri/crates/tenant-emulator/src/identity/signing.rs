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
