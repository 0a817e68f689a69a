//! Device proof, the app's half (`docs/helpdesk-relay.openapi.yaml`,
//! "Device proof"; the signature itself is `helpdesk_contract::device_proof`).
//!
//! While the user is signed in and the helpdesk is a relay, the app makes an
//! Ed25519 key pair for the account, keeps it in the OS keychain and enrols
//! its public half with the relay (`POST {relay}/v1/device-keys`, with the
//! user's Graph access token). A later reset request for that account, sent
//! from this computer when the user is locked out, is signed by the key
//! (every attempt afresh, over the exact body bytes sent), so the helpdesk
//! sees "sent from the user's enrolled device". It proves the computer, not
//! the person: the ticket still asks for a call-back.
//!
//! Invariants:
//! - the private half lives only in the OS keychain (and briefly in memory),
//!   under the refresh token's service, account
//!   `<cloud>/<tenant>/<client_id>/device-key/<upn, lower-case>`; the entry's
//!   secret is JSON `{keyId, secret, upn, enrolledAt}`. No keychain means no
//!   key, never a file;
//! - the keychain holds only keys the relay enrolled (it answered a `keyId`);
//! - enrolment never blocks or breaks a sign-in: it runs afterwards, in the
//!   background, and a failure is logged and tried again at the next sign-in;
//! - a relay answering 404 has no device proof: nothing is kept, it is logged
//!   once, and requests go unsigned as before;
//! - a signature never reaches the outbox file, a log or the webview.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use helpdesk_contract::device_proof::{self, is_valid_key_id, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use url::Url;

use crate::keychain::KeychainSecret;
use crate::machine::Device;
use crate::secret::AccessToken;
use crate::token_store::KeychainError;

/// The relay's enrolment endpoint, relative to its base URL.
pub const ENROL_PATH: &str = "v1/device-keys";

/// How an account name is compared and stored: trimmed, lower-case.
fn normalise(upn: &str) -> String {
    upn.trim().to_lowercase()
}

/// An enrolled device key. `Debug` shows the public half only; the private
/// half leaves this type only as the keychain entry or a signature.
#[derive(Clone)]
pub struct DeviceKey {
    /// The id the relay gave the key at enrolment (`Device-Key-Id`).
    pub key_id: String,
    /// The account it was enrolled for, lower-case.
    pub upn: String,
    pub enrolled_at: OffsetDateTime,
    signing: SigningKey,
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKey")
            .field("key_id", &self.key_id)
            .field("upn", &self.upn)
            .field("enrolled_at", &self.enrolled_at)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// The three `Device-*` headers of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofHeaders {
    pub key_id: String,
    /// Unix seconds, as text.
    pub created: String,
    /// base64url Ed25519 signature.
    pub signature: String,
}

impl ProofHeaders {
    /// `(header name, value)`, as the contract names them.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (device_proof::KEY_ID_HEADER, &self.key_id),
            (device_proof::CREATED_HEADER, &self.created),
            (device_proof::SIGNATURE_HEADER, &self.signature),
        ]
    }
}

impl DeviceKey {
    /// `signing`, as the relay enrolled it: `key_id` for `upn` (any case)
    /// at `enrolled_at`. `None` when `key_id` is not one the contract allows.
    pub fn enrolled(
        key_id: &str,
        upn: &str,
        enrolled_at: OffsetDateTime,
        signing: SigningKey,
    ) -> Option<DeviceKey> {
        is_valid_key_id(key_id).then(|| DeviceKey {
            key_id: key_id.to_owned(),
            upn: normalise(upn),
            enrolled_at,
            signing,
        })
    }

    /// The public half, base64url (the enrolment's `publicKey`).
    pub fn public_key(&self) -> String {
        device_proof::public_key_text(&self.signing)
    }

    /// Signs one attempt: `created` (Unix seconds), the request's
    /// `Idempotency-Key` and the exact body bytes sent.
    pub fn sign(&self, idempotency_key: &str, body: &[u8], created: i64) -> ProofHeaders {
        let (key_id, created, signature) =
            device_proof::sign(&self.signing, &self.key_id, created, idempotency_key, body);
        ProofHeaders {
            key_id,
            created,
            signature,
        }
    }
}

/// The keychain entry's secret. Never logged (no `Debug`), never written
/// anywhere but the keychain.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    key_id: String,
    secret: String,
    upn: String,
    #[serde(with = "time::serde::rfc3339")]
    enrolled_at: OffsetDateTime,
}

/// Where this computer's device keys are kept: one keychain entry per
/// account, beside the refresh token (same service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKeyStore {
    service: String,
    tenant_account: String,
}

impl DeviceKeyStore {
    /// `service` as for the refresh token; `tenant_account` is
    /// `Config::keychain_account()` (`<cloud>/<tenant>/<client_id>`).
    pub fn new(service: &str, tenant_account: &str) -> DeviceKeyStore {
        DeviceKeyStore {
            service: service.to_owned(),
            tenant_account: tenant_account.to_owned(),
        }
    }

    /// The keychain account of `upn`'s key:
    /// `<cloud>/<tenant>/<client_id>/device-key/<upn, lower-case>`.
    pub fn account(&self, upn: &str) -> String {
        format!("{}/device-key/{}", self.tenant_account, normalise(upn))
    }

    /// `upn`'s key as one keychain secret, in parts if it ever outgrows
    /// one entry ([`KeychainSecret`]).
    fn secret(&self, upn: &str) -> KeychainSecret {
        KeychainSecret::new(&self.service, &self.account(upn))
    }

    /// The key enrolled for `upn` (any case), if this computer holds one.
    /// A damaged entry counts as none (and is replaced at the next
    /// enrolment). Blocking: call it off the async runtime, or use
    /// [`DeviceKeyStore::find`].
    pub fn load(&self, upn: &str) -> Result<Option<DeviceKey>, KeychainError> {
        let Some(text) = self.secret(upn).load()? else {
            return Ok(None);
        };
        let stored: Stored = match serde_json::from_str(&text) {
            Ok(stored) => stored,
            Err(_) => {
                tracing::warn!("a device key in the keychain is damaged; it will be replaced");
                return Ok(None);
            }
        };
        let Some(signing) = device_proof::key_from_secret_text(&stored.secret) else {
            tracing::warn!("a device key in the keychain is damaged; it will be replaced");
            return Ok(None);
        };
        if !is_valid_key_id(&stored.key_id) || normalise(&stored.upn) != normalise(upn) {
            tracing::warn!(
                "a device key in the keychain does not fit its entry; it will be replaced"
            );
            return Ok(None);
        }
        Ok(Some(DeviceKey {
            key_id: stored.key_id,
            upn: normalise(&stored.upn),
            enrolled_at: stored.enrolled_at,
            signing,
        }))
    }

    /// Stores (replaces) the key of `key.upn`.
    pub fn save(&self, key: &DeviceKey) -> Result<(), KeychainError> {
        let stored = Stored {
            key_id: key.key_id.clone(),
            secret: device_proof::secret_text(&key.signing),
            upn: normalise(&key.upn),
            enrolled_at: key.enrolled_at,
        };
        let text = serde_json::to_string(&stored)
            .map_err(|e| KeychainError::Failed(format!("cannot encode the device key: {e}")))?;
        self.secret(&key.upn).save(&text)
    }

    /// Deletes `upn`'s key; `Ok(true)` when there was one.
    pub fn delete(&self, upn: &str) -> Result<bool, KeychainError> {
        self.secret(upn).delete()
    }

    /// [`DeviceKeyStore::load`] on a blocking thread.
    pub async fn find(&self, upn: &str) -> Result<Option<DeviceKey>, KeychainError> {
        let store = self.clone();
        let upn = upn.to_owned();
        tokio::task::spawn_blocking(move || store.load(&upn))
            .await
            .map_err(|e| KeychainError::Failed(format!("keychain task failed: {e}")))?
    }

    async fn keep(&self, key: DeviceKey) -> Result<(), KeychainError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.save(&key))
            .await
            .map_err(|e| KeychainError::Failed(format!("keychain task failed: {e}")))?
    }
}

/// What one enrolment came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolment {
    /// A new key was made, enrolled (201) and kept in the keychain.
    Enrolled { key_id: String },
    /// The keychain holds a key and the relay says it is still enrolled for
    /// this account (`GET v1/device-keys/{keyId}`, a restored sign-in).
    AlreadyEnrolled { key_id: String },
    /// The relay was asked about the stored key and still knows it (200), or
    /// had forgotten it and enrolled it again (201, perhaps a new `keyId`).
    Confirmed { key_id: String },
    /// The relay answered 404: it offers no device proof. Nothing is kept.
    NotOffered,
    /// Anything else (no keychain, the network, a refusal); logged and
    /// tried again at the next sign-in.
    Failed(String),
}

/// What the relay answered a key check.
enum Lookup {
    /// 200: still enrolled for this user.
    Enrolled,
    /// 404 `notFound`: removed or never enrolled.
    Gone,
    /// The relay offers no device keys.
    NotOffered,
    Failed(String),
}

/// What the relay answered an enrolment.
enum Answer {
    Key {
        status: u16,
        key_id: String,
        enrolled_at: Option<OffsetDateTime>,
    },
    NotOffered,
    /// 409 `keyEnrolledElsewhere`: the key is bound to another account.
    Elsewhere,
    /// 409 `deviceKeyLimit`: the account holds the most keys the relay
    /// keeps; the relay's message says what to do.
    Limit(String),
    Failed(String),
}

/// Enrols this computer's device key for a signed-in account. Cheap to
/// clone; clones share the "relay has no device proof" memory and take
/// turns (two sign-ins never make two keys at once).
#[derive(Clone)]
pub struct DeviceEnroller {
    http: reqwest::Client,
    relay: Url,
    /// The relay's own scope; its tokens are the only ones sent to the relay.
    scope: String,
    store: DeviceKeyStore,
    app_version: String,
    not_offered: Arc<AtomicBool>,
    one_at_a_time: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for DeviceEnroller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceEnroller")
            .field("relay", &self.relay.as_str())
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl DeviceEnroller {
    /// `relay` is the configured relay's base URL (`[helpdesk] relay`),
    /// `scope` the relay's own scope (`[helpdesk] relay_scope`, e.g.
    /// `api://mfa-assistant-relay/DeviceKeys.Enrol`): the session asks
    /// Entra for a token for it and sends only that token to the relay.
    pub fn new(
        http: reqwest::Client,
        relay: &Url,
        scope: &str,
        store: DeviceKeyStore,
        app_version: &str,
    ) -> DeviceEnroller {
        DeviceEnroller {
            http,
            relay: relay.clone(),
            scope: scope.to_owned(),
            store,
            app_version: app_version.to_owned(),
            not_offered: Arc::default(),
            one_at_a_time: Arc::default(),
        }
    }

    pub fn store(&self) -> &DeviceKeyStore {
        &self.store
    }

    /// The relay's scope its tokens must be for.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Makes sure `upn` has an enrolled key on this computer. With
    /// `ask_relay` false (a restored sign-in) a stored key is trusted as is
    /// and nothing is sent; with it true (an interactive sign-in) the stored
    /// key is enrolled again, which the relay answers with the same `keyId`,
    /// or a new one if it had forgotten the key. Never panics, never fails
    /// the caller: the outcome is logged and returned.
    pub async fn enrol(&self, token: &AccessToken, upn: &str, ask_relay: bool) -> Enrolment {
        let _turn = self.one_at_a_time.lock().await;
        let upn = normalise(upn);
        if upn.is_empty() {
            return Enrolment::Failed("the sign-in named no account".into());
        }
        if self.not_offered.load(Ordering::SeqCst) {
            return Enrolment::NotOffered;
        }
        let stored = match self.store.find(&upn).await {
            Ok(stored) => stored,
            Err(e) => return self.failed(format!("no device key without the keychain: {e}")),
        };
        if let (Some(key), false) = (&stored, ask_relay) {
            // A restored session asks the relay whether the key is still
            // enrolled (it may have been removed by the helpdesk) before the
            // app says requests go out from an enrolled device.
            match self.lookup(token, &key.key_id).await {
                Lookup::Enrolled => {
                    return Enrolment::AlreadyEnrolled {
                        key_id: key.key_id.clone(),
                    }
                }
                Lookup::Gone => tracing::info!(
                    key_id = %key.key_id,
                    "the helpdesk relay no longer holds this computer's device key; enrolling it again"
                ),
                Lookup::NotOffered => return self.not_offered(),
                Lookup::Failed(reason) => return self.failed(reason),
            }
        }
        let app_version = self.app_version.clone();
        let device =
            tokio::task::spawn_blocking(move || crate::machine::this_machine(&app_version))
                .await
                .unwrap_or_else(|_| Device {
                    os: "unknown".into(),
                    app_version: self.app_version.clone(),
                });
        let mut known = stored.is_some();
        let mut signing = match stored {
            Some(key) => key.signing,
            None => device_proof::generate_key(),
        };
        let mut answer = self.post(token, &signing, &device).await;
        if known && matches!(answer, Answer::Elsewhere) {
            // The stored key is bound to another account at the relay: this
            // account gets a key of its own.
            known = false;
            signing = device_proof::generate_key();
            answer = self.post(token, &signing, &device).await;
        }
        match answer {
            Answer::Key {
                status,
                key_id,
                enrolled_at,
            } => {
                let key = DeviceKey {
                    key_id: key_id.clone(),
                    upn: upn.clone(),
                    enrolled_at: enrolled_at.unwrap_or_else(OffsetDateTime::now_utc),
                    signing,
                };
                if let Err(e) = self.store.keep(key).await {
                    return self.failed(format!(
                        "the relay enrolled key {key_id}, but the keychain could not keep it: {e}"
                    ));
                }
                if !known {
                    tracing::info!(%key_id, "device key enrolled with the helpdesk relay");
                    Enrolment::Enrolled { key_id }
                } else {
                    if status == 201 {
                        tracing::info!(%key_id, "the helpdesk relay had forgotten this computer's device key; enrolled it again");
                    }
                    Enrolment::Confirmed { key_id }
                }
            }
            Answer::NotOffered => self.not_offered(),
            Answer::Elsewhere => {
                self.failed("the relay says a new key is enrolled for another account (409)".into())
            }
            Answer::Limit(message) => self.failed(message),
            Answer::Failed(reason) => self.failed(reason),
        }
    }

    fn not_offered(&self) -> Enrolment {
        if !self.not_offered.swap(true, Ordering::SeqCst) {
            tracing::info!(
                relay = %self.relay,
                "the helpdesk relay offers no device proof ({ENROL_PATH}); \
                 reset requests from this computer go unsigned"
            );
        }
        Enrolment::NotOffered
    }

    /// `GET v1/device-keys/{keyId}` with the relay token.
    async fn lookup(&self, token: &AccessToken, key_id: &str) -> Lookup {
        let url = match self.relay.join(&format!("{ENROL_PATH}/{key_id}")) {
            Ok(url) if is_valid_key_id(key_id) => url,
            _ => return Lookup::Gone,
        };
        let response = self
            .http
            .get(url)
            .bearer_auth(token.expose_secret())
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                return Lookup::Failed(format!(
                    "the relay could not be reached to check this computer's key: {}",
                    crate::auth::error_chain(&e)
                ))
            }
        };
        let status = response.status().as_u16();
        let json: Value = response.json().await.unwrap_or(Value::Null);
        let code = json.pointer("/error/code").and_then(Value::as_str);
        match (status, code) {
            (200, _) => Lookup::Enrolled,
            (404, Some("notFound")) => Lookup::Gone,
            (404, _) | (503, Some("deviceKeysNotConfigured")) => Lookup::NotOffered,
            _ => Lookup::Failed(format!(
                "the relay answered {status} to the key check{}",
                json.pointer("/error/message")
                    .and_then(Value::as_str)
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            )),
        }
    }

    fn failed(&self, reason: String) -> Enrolment {
        tracing::warn!("device key enrolment failed, trying again at the next sign-in: {reason}");
        Enrolment::Failed(reason)
    }

    async fn post(&self, token: &AccessToken, signing: &SigningKey, device: &Device) -> Answer {
        let url = self
            .relay
            .join(ENROL_PATH)
            .unwrap_or_else(|_| self.relay.clone());
        let body = json!({
            "publicKey": device_proof::public_key_text(signing),
            "device": {"os": device.os, "appVersion": device.app_version},
        });
        let response = self
            .http
            .post(url)
            .bearer_auth(token.expose_secret())
            .timeout(Duration::from_secs(30))
            .json(&body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                return Answer::Failed(format!(
                    "the relay could not be reached: {}",
                    crate::auth::error_chain(&e)
                ))
            }
        };
        let status = response.status().as_u16();
        let json: Value = response.json().await.unwrap_or(Value::Null);
        match status {
            200 | 201 => match json.get("keyId").and_then(Value::as_str) {
                Some(key_id) if is_valid_key_id(key_id) => Answer::Key {
                    status,
                    key_id: key_id.to_owned(),
                    enrolled_at: json
                        .get("enrolledAt")
                        .and_then(Value::as_str)
                        .and_then(|t| {
                            OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                                .ok()
                        }),
                },
                _ => Answer::Failed(format!(
                    "the relay answered {status} without a usable keyId"
                )),
            },
            404 => Answer::NotOffered,
            503 if json.pointer("/error/code").and_then(Value::as_str)
                == Some("deviceKeysNotConfigured") =>
            {
                Answer::NotOffered
            }
            409 if json.pointer("/error/code").and_then(Value::as_str)
                == Some(device_proof::DEVICE_KEY_LIMIT) =>
            {
                Answer::Limit(
                    json.pointer("/error/message")
                        .and_then(Value::as_str)
                        .unwrap_or("this account has the most device keys the relay keeps")
                        .to_owned(),
                )
            }
            409 => Answer::Elsewhere,
            _ => Answer::Failed(format!(
                "the relay answered {status}{}",
                json.pointer("/error/message")
                    .and_then(Value::as_str)
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DeviceKey {
        DeviceKey {
            key_id: "dk-1".into(),
            upn: "dana@contoso-demo.example".into(),
            enrolled_at: OffsetDateTime::UNIX_EPOCH,
            signing: device_proof::generate_key(),
        }
    }

    #[test]
    fn entries_are_named_per_tenant_and_account_in_any_case() {
        let store = DeviceKeyStore::new("mfa-assistant", "public/contoso.com/client");
        assert_eq!(
            store.account(" Dana@Contoso.com "),
            "public/contoso.com/client/device-key/dana@contoso.com"
        );
    }

    #[test]
    fn debug_never_shows_the_private_half() {
        let key = key();
        let secret = device_proof::secret_text(&key.signing);
        let shown = format!("{key:?}");
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.contains(&key.public_key()), "{shown}");
    }

    #[test]
    fn a_signature_covers_the_exact_body_and_key() {
        let key = key();
        let public = device_proof::PublicKey::parse(&key.public_key()).unwrap();
        let body = br#"{"upn":"dana@contoso-demo.example"}"#;
        let headers = key.sign("idem", body, 1_700_000_000);
        assert_eq!(headers.key_id, "dk-1");
        assert_eq!(headers.created, "1700000000");
        let message = device_proof::signed_message(1_700_000_000, "idem", body);
        assert!(public.verifies(&message, &headers.signature));
        let other = device_proof::signed_message(1_700_000_000, "idem", b"{}");
        assert!(!public.verifies(&other, &headers.signature));
        let names: Vec<&str> = headers.pairs().iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "device-key-id",
                "device-signature-created",
                "device-signature"
            ]
        );
    }
}
