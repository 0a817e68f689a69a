//! The relay checks the bearer token of `/v1/device-keys` itself: a token
//! Entra issued for the relay's own API registration (`[entra]` in the
//! configuration), never a Graph token, and never by asking Graph.
//!
//! The rules (signature, issuer and `tid`, `aud`, `azp`/`appid`, `scp`,
//! `amr` with `mfa`, `iat` age; each refusal a 401 with its own code) are
//! `helpdesk_contract::relay_token`'s, shared with the tenant emulator's
//! stand-in. This module adds the tenant's signing keys: fetched from
//! `{authority}{tenant_id}/discovery/v2.0/keys`, cached for a day, fetched
//! again when a token names a `kid` the cache does not hold (at most once a
//! minute, so tokens with made-up key ids cannot turn the relay into a
//! JWKS flood). When the keys cannot be fetched the answer is 503
//! `signingKeysUnavailable`, naming the URL: the caller is not at fault.
//!
//! The token itself is never logged nor put into a message.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use helpdesk_contract::relay_token::{self, Expectations, TokenUser};
use helpdesk_contract::ContractError;
use jsonwebtoken::DecodingKey;
use serde_json::Value;
use time::OffsetDateTime;
use url::Url;

use crate::config::Entra;

/// How long fetched keys are used before they are fetched again.
pub const KEYS_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The shortest time between two fetches (a token naming an unknown `kid`
/// triggers one).
pub const MIN_REFETCH: Duration = Duration::from_secs(60);

/// The code of the 503 when the tenant's keys cannot be fetched.
pub const SIGNING_KEYS_UNAVAILABLE: &str = "signingKeysUnavailable";

#[derive(Default)]
struct Keys {
    fetched_at: Option<Instant>,
    by_kid: HashMap<String, DecodingKey>,
}

/// Checks relay tokens for one tenant.
pub struct TokenChecker {
    jwks_url: Url,
    expect: Expectations,
    http: reqwest::Client,
    keys: tokio::sync::Mutex<Keys>,
}

impl std::fmt::Debug for TokenChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenChecker")
            .field("jwks_url", &self.jwks_url.as_str())
            .field("expect", &self.expect)
            .finish_non_exhaustive()
    }
}

impl TokenChecker {
    pub fn new(entra: &Entra, http: reqwest::Client) -> TokenChecker {
        TokenChecker {
            jwks_url: entra.jwks_url(),
            expect: entra.expectations(),
            http,
            keys: tokio::sync::Mutex::new(Keys::default()),
        }
    }

    /// What tokens must say.
    pub fn expectations(&self) -> &Expectations {
        &self.expect
    }

    /// The user `token` stands for, or the refusal (401 with the contract's
    /// code; 503 `signingKeysUnavailable` when the keys cannot be had).
    pub async fn check(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<TokenUser, ContractError> {
        let header = relay_token::read_header(token)?;
        let key = self.key(&header.kid).await?;
        relay_token::verify(token, &key, &self.expect, now)
    }

    /// The tenant's key `kid`: from the cache, else after one fetch.
    async fn key(&self, kid: &str) -> Result<DecodingKey, ContractError> {
        let mut keys = self.keys.lock().await;
        let stale = keys
            .fetched_at
            .is_none_or(|at| at.elapsed() >= KEYS_LIFETIME);
        if !stale {
            if let Some(key) = keys.by_kid.get(kid) {
                return Ok(key.clone());
            }
        }
        let may_fetch = stale || keys.fetched_at.is_none_or(|at| at.elapsed() >= MIN_REFETCH);
        if may_fetch {
            match self.fetch().await {
                Ok(fetched) => {
                    keys.by_kid = fetched;
                    keys.fetched_at = Some(Instant::now());
                }
                // Keys fetched earlier stay usable while the endpoint is down.
                Err(e) if keys.by_kid.is_empty() => return Err(e),
                Err(e) => tracing::warn!("{}", e.message),
            }
        }
        keys.by_kid
            .get(kid)
            .cloned()
            .ok_or_else(|| relay_token::unknown_key(kid))
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, ContractError> {
        let unavailable = |why: String| {
            ContractError::new(
                503,
                SIGNING_KEYS_UNAVAILABLE,
                format!(
                    "the relay cannot get the tenant's token-signing keys from {}: {why}; try again later",
                    self.jwks_url
                ),
            )
        };
        let response = self
            .http
            .get(self.jwks_url.clone())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| unavailable(format!("not reachable ({e})")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!("it answered {status}")));
        }
        let body: Value = response
            .json()
            .await
            .map_err(|e| unavailable(format!("the answer is not JSON ({e})")))?;
        let keys = parse_jwks(&body);
        if keys.is_empty() {
            return Err(unavailable("it lists no RSA signing key".into()));
        }
        tracing::info!(
            "fetched {} token-signing keys from {}",
            keys.len(),
            self.jwks_url
        );
        Ok(keys)
    }
}

/// The RSA signing keys of a JWKS document, by `kid`.
pub fn parse_jwks(body: &Value) -> HashMap<String, DecodingKey> {
    let mut keys = HashMap::new();
    for jwk in body
        .get("keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        if text("kty") != Some("RSA") || text("use").is_some_and(|u| u != "sig") {
            continue;
        }
        let (Some(kid), Some(n), Some(e)) = (text("kid"), text("n"), text("e")) else {
            continue;
        };
        if let Ok(key) = DecodingKey::from_rsa_components(n, e) {
            keys.insert(kid.to_owned(), key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_rsa_signing_keys_with_an_id_are_kept() {
        let jwks = json!({"keys": [
            {"kty": "RSA", "use": "sig", "kid": "a", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "use": "enc", "kid": "b", "n": "sXch", "e": "AQAB"},
            {"kty": "EC", "kid": "c", "x": "x", "y": "y"},
            {"kty": "RSA", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "kid": "d", "n": "sXch", "e": "AQAB"},
        ]});
        let mut kids: Vec<String> = parse_jwks(&jwks).into_keys().collect();
        kids.sort();
        assert_eq!(kids, ["a", "d"]);
        assert!(parse_jwks(&json!({"keys": "nope"})).is_empty());
    }
}
