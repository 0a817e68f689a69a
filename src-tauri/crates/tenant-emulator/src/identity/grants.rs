//! What the identity platform has handed out: authorization codes, access
//! tokens, refresh tokens and device-code authorizations, and the rules for
//! redeeming each.
//!
//! Invariants:
//! - a code is redeemable once, within [`CODE_LIFETIME`], by the client and
//!   redirect URI it was issued to, with a verifier matching its PKCE
//!   challenge; any presentation by its client burns it;
//! - a refresh token rotates (each redemption issues a new one) but, as
//!   Microsoft's refresh-token page says, the identity platform does not
//!   revoke the old one: it stays usable until its lifetime ends or the
//!   user's sessions are revoked (one issued before the user's
//!   `signInSessionsValidFrom` fails with AADSTS50173);
//! - a refresh token is opaque and about as long as Entra's (over a
//!   thousand characters, [`REFRESH_TOKEN_BYTES`]);
//! - tokens from a Temporary Access Pass sign-in end with the pass
//!   ([`Authentication::ends_at`]): the access token's lifetime is cut to
//!   it, and the refresh token is refused after it;
//! - refresh tokens are stored only as SHA-256 hashes (they are persisted);
//!   access tokens and codes live in memory only.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::errors::IdentityError;
use super::flows::SignInFlow;
use super::scopes::ScopeSet;

/// How long an authorization code stays redeemable.
pub(crate) const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Refresh tokens expire after 90 days (non-SPA apps).
pub(crate) const REFRESH_LIFETIME: Duration = Duration::days(90);
/// Random bytes in a refresh token: 960 bytes are 1,280 base64url
/// characters. Microsoft documents no length; a Microsoft answer on
/// Microsoft Q&A (question 501381) tells apps to handle tokens of at least
/// 1,000 characters, and Entra's are commonly longer than that.
pub(crate) const REFRESH_TOKEN_BYTES: usize = 960;
/// Device codes expire after 15 minutes.
pub(crate) const DEVICE_CODE_LIFETIME: Duration = Duration::minutes(15);

/// A random URL-safe secret of `bytes` random bytes.
pub(crate) fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How and when a user proved who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Authentication {
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    /// Authentication methods references, e.g. `["pwd","mfa"]`; `ngcmfa`
    /// is added when the sign-in was asked for it (fresh MFA, §8).
    pub amr: Vec<String>,
    /// When the user last completed the MFA step. A refresh-token grant
    /// keeps the original instant: refreshing never renews MFA. `None` for
    /// grants persisted before this was tracked (treated as stale).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub mfa_time: Option<OffsetDateTime>,
    /// When tokens from this sign-in stop working regardless of their own
    /// lifetime: the end of the Temporary Access Pass the user signed in
    /// with ("tokens obtained with a TAP expire when the TAP does"). `None`
    /// for a password and MFA sign-in.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
}

impl Authentication {
    /// Whether the user completed MFA within `window` before `now`.
    pub(crate) fn mfa_is_fresh(&self, window: std::time::Duration, now: OffsetDateTime) -> bool {
        self.mfa_time
            .is_some_and(|at| at <= now && now - at <= window)
    }
}

/// A PKCE code challenge (RFC 7636).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PkceChallenge {
    S256(String),
    Plain(String),
}

impl PkceChallenge {
    /// Whether `verifier` answers this challenge.
    pub(crate) fn verifies(&self, verifier: &str) -> bool {
        match self {
            PkceChallenge::S256(challenge) => {
                URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == *challenge
            }
            PkceChallenge::Plain(challenge) => verifier == challenge,
        }
    }
}

/// Whether a string is a syntactically valid PKCE verifier or challenge:
/// 43 to 128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn valid_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<PkceChallenge>,
    pub scopes: ScopeSet,
    pub nonce: Option<String>,
    /// The `claims` request parameter (`ngcmfa` was already honoured by the
    /// sign-in flow; kept for diagnostics and future `xms_cc` behaviour).
    #[allow(dead_code)]
    pub claims: Option<String>,
    pub authentication: Authentication,
    pub expires: OffsetDateTime,
    pub redeemed: bool,
}

/// An access token's meaning, looked up by Graph.
#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub client_id: String,
    pub scopes: ScopeSet,
    pub expires: OffsetDateTime,
    pub authentication: Authentication,
}

/// A refresh token's meaning. Persisted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefreshGrant {
    /// SHA-256 (hex) of the token.
    pub token_hash: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued: OffsetDateTime,
    pub authentication: Authentication,
}

/// Where a device-code authorization stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Declined,
    Approved(Authentication),
    Redeemed,
}

/// A device-code authorization (RFC 8628).
#[derive(Debug, Clone)]
pub(crate) struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub scopes: ScopeSet,
    pub expires: OffsetDateTime,
    pub status: DeviceStatus,
}

/// Everything the identity platform has issued.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    pub codes: HashMap<String, AuthorizationCode>,
    pub access: HashMap<String, AccessGrant>,
    /// Keyed by token hash.
    pub refresh: HashMap<String, RefreshGrant>,
    pub devices: Vec<DeviceAuthorization>,
    pub flows: HashMap<String, SignInFlow>,
    /// Signed-in Security Info page sessions, keyed by their cookie value.
    pub security_sessions: HashMap<String, crate::security_info::PageSession>,
    /// Every code and token issued, in order, for tests that search an
    /// app's logs and files for them ([`crate::Emulator::issued_secrets`]).
    pub issued: Vec<String>,
}

/// The parameters of an authorization-code redemption.
pub(crate) struct CodeRedemption<'a> {
    pub code: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub verifier: Option<&'a str>,
}

impl Grants {
    /// Drops what can no longer be used.
    pub(crate) fn prune(&mut self, now: OffsetDateTime) {
        self.codes.retain(|_, c| c.expires > now);
        self.access.retain(|_, a| a.expires > now);
        self.devices
            .retain(|d| d.expires + Duration::hours(1) > now);
        self.flows.retain(|_, f| f.expires > now);
        self.security_sessions.retain(|_, s| s.expires > now);
    }

    /// Moves the MFA time of every grant of `user_id` (codes, access and
    /// refresh tokens, approved device codes) back to `stale_at`, as if the
    /// user's MFA had been completed then. The caller persists.
    pub(crate) fn make_mfa_stale(&mut self, user_id: Uuid, stale_at: OffsetDateTime) {
        let age = |a: &mut Authentication| {
            if a.user_id == user_id {
                a.mfa_time = Some(stale_at);
            }
        };
        self.codes
            .values_mut()
            .for_each(|c| age(&mut c.authentication));
        self.access
            .values_mut()
            .for_each(|g| age(&mut g.authentication));
        self.refresh
            .values_mut()
            .for_each(|g| age(&mut g.authentication));
        for device in &mut self.devices {
            if let DeviceStatus::Approved(a) = &mut device.status {
                age(a);
            }
        }
    }

    /// Prunes refresh grants past their lifetime (or their pass); returns
    /// whether any was removed (the caller persists then).
    pub(crate) fn prune_refresh(&mut self, now: OffsetDateTime) -> bool {
        let before = self.refresh.len();
        self.refresh.retain(|_, g| {
            g.issued + REFRESH_LIFETIME > now
                && g.authentication.ends_at.is_none_or(|end| end > now)
        });
        before != self.refresh.len()
    }

    /// Issues an authorization code.
    pub(crate) fn issue_code(&mut self, code: AuthorizationCode) -> String {
        let secret = random_secret(48);
        self.codes.insert(secret.clone(), code);
        self.issued.push(secret.clone());
        secret
    }

    /// Redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
    pub(crate) fn redeem_code(
        &mut self,
        request: &CodeRedemption<'_>,
        now: OffsetDateTime,
    ) -> Result<AuthorizationCode, IdentityError> {
        let Some(code) = self.codes.get_mut(request.code) else {
            return Err(IdentityError::new(
                "invalid_grant",
                70000,
                "The provided value for the 'code' parameter is not valid.",
            ));
        };
        if !code.client_id.eq_ignore_ascii_case(request.client_id) {
            return Err(IdentityError::new(
                "invalid_grant",
                70000,
                "The provided value for the 'code' parameter is not valid. The code was issued to a different client.",
            ));
        }
        if code.redeemed {
            return Err(IdentityError::new(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ));
        }
        // Any presentation by the right client burns the code.
        code.redeemed = true;
        if code.expires <= now {
            return Err(IdentityError::new(
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity. \
                 Send a new interactive authorization request for this user and resource.",
            ));
        }
        if code.redirect_uri != request.redirect_uri {
            return Err(IdentityError::new(
                "invalid_grant",
                500112,
                format!(
                    "The reply address '{}' does not match the reply address '{}' provided when requesting Authorization code.",
                    request.redirect_uri, code.redirect_uri
                ),
            ));
        }
        if let Some(challenge) = &code.challenge {
            let Some(verifier) = request.verifier else {
                return Err(IdentityError::missing("code_verifier"));
            };
            if !challenge.verifies(verifier) {
                return Err(IdentityError::new(
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                ));
            }
        }
        Ok(code.clone())
    }

    /// Issues an access token.
    pub(crate) fn issue_access(&mut self, grant: AccessGrant) -> String {
        let secret = random_secret(48);
        self.access.insert(secret.clone(), grant);
        self.issued.push(secret.clone());
        secret
    }

    /// Issues a refresh token; the caller persists.
    pub(crate) fn issue_refresh(
        &mut self,
        client_id: &str,
        scopes: &ScopeSet,
        authentication: &Authentication,
        now: OffsetDateTime,
    ) -> String {
        let secret = random_secret(REFRESH_TOKEN_BYTES);
        self.issued.push(secret.clone());
        let token_hash = hash(&secret);
        self.refresh.insert(
            token_hash.clone(),
            RefreshGrant {
                token_hash,
                client_id: client_id.to_string(),
                scopes: scopes.all(),
                issued: now,
                authentication: authentication.clone(),
            },
        );
        secret
    }

    /// Redeems a refresh token; the caller issues the rotated one. The old
    /// token stays valid (Microsoft's identity platform does not revoke it).
    /// `sessions_valid_from` is the user's revocation instant.
    pub(crate) fn redeem_refresh(
        &mut self,
        token: &str,
        client_id: &str,
        sessions_valid_from: impl Fn(Uuid) -> Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<RefreshGrant, IdentityError> {
        let Some(grant) = self.refresh.get(&hash(token)) else {
            return Err(IdentityError::new(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
            ));
        };
        if !grant.client_id.eq_ignore_ascii_case(client_id) {
            return Err(IdentityError::new(
                "invalid_grant",
                70000,
                "Provided grant is invalid or malformed. The refresh token was issued to a different client.",
            ));
        }
        let Some(valid_from) = sessions_valid_from(grant.authentication.user_id) else {
            return Err(IdentityError::new(
                "invalid_grant",
                50034,
                "The user account does not exist in the directory.",
            ));
        };
        if grant.issued < valid_from {
            return Err(IdentityError::new(
                "invalid_grant",
                50173,
                format!(
                    "The provided grant has expired due to it being revoked, a fresh auth token is needed. \
                     The user might have changed or reset their password. The grant was issued on '{}' and the \
                     TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                    crate::tenant::graph_datetime(grant.issued),
                    crate::tenant::graph_datetime(valid_from)
                ),
            ));
        }
        if grant.issued + REFRESH_LIFETIME <= now {
            return Err(IdentityError::new(
                "invalid_grant",
                700082,
                format!(
                    "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
                    crate::tenant::graph_datetime(grant.issued)
                ),
            ));
        }
        if let Some(end) = grant.authentication.ends_at.filter(|end| *end <= now) {
            return Err(IdentityError::new(
                "invalid_grant",
                50173,
                format!(
                    "The provided grant has expired due to it being revoked, a fresh auth token is needed. \
                     The Temporary Access Pass this sign-in used ended on '{}'.",
                    crate::tenant::graph_datetime(end)
                ),
            ));
        }
        Ok(grant.clone())
    }

    /// Starts a device-code authorization and returns it.
    pub(crate) fn start_device_authorization(
        &mut self,
        client_id: &str,
        scopes: ScopeSet,
        now: OffsetDateTime,
    ) -> DeviceAuthorization {
        let user_code = loop {
            let candidate = user_code();
            if !self.devices.iter().any(|d| d.user_code == candidate) {
                break candidate;
            }
        };
        let authorization = DeviceAuthorization {
            device_code: random_secret(48),
            user_code,
            client_id: client_id.to_string(),
            scopes,
            expires: now + DEVICE_CODE_LIFETIME,
            status: DeviceStatus::Pending,
        };
        self.devices.push(authorization.clone());
        authorization
    }

    /// The pending device authorization a user code names, if any.
    pub(crate) fn device_by_user_code(
        &mut self,
        entered: &str,
        now: OffsetDateTime,
    ) -> Option<&mut DeviceAuthorization> {
        let wanted: String = entered
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        self.devices
            .iter_mut()
            .find(|d| d.user_code == wanted && d.status == DeviceStatus::Pending && d.expires > now)
    }

    /// One poll of the token endpoint with a device code (RFC 8628 §3.5).
    pub(crate) fn poll_device(
        &mut self,
        device_code: &str,
        client_id: &str,
        now: OffsetDateTime,
    ) -> Result<(ScopeSet, Authentication), IdentityError> {
        let bad_code = || {
            IdentityError::new(
                "bad_verification_code",
                70018,
                "The provided value for the input parameter 'device_code' is not valid.",
            )
        };
        let Some(device) = self
            .devices
            .iter_mut()
            .find(|d| d.device_code == device_code)
        else {
            return Err(bad_code());
        };
        if !device.client_id.eq_ignore_ascii_case(client_id) {
            return Err(bad_code());
        }
        if device.expires <= now && device.status != DeviceStatus::Redeemed {
            return Err(IdentityError::new(
                "expired_token",
                70020,
                "The provided value for the input parameter 'device_code' is not valid. Device codes expire after 15 minutes.",
            ));
        }
        match device.status.clone() {
            DeviceStatus::Pending => Err(IdentityError::new(
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            )),
            DeviceStatus::Declined => Err(IdentityError::new(
                "authorization_declined",
                65004,
                "User declined to consent to access the app.",
            )),
            DeviceStatus::Redeemed => Err(IdentityError::new(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            )),
            DeviceStatus::Approved(authentication) => {
                device.status = DeviceStatus::Redeemed;
                Ok((device.scopes.clone(), authentication))
            }
        }
    }
}

/// A 9-character user code of uppercase letters and digits (no look-alikes).
fn user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 9];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authentication() -> Authentication {
        Authentication {
            user_id: Uuid::new_v4(),
            auth_time: OffsetDateTime::now_utc(),
            amr: vec!["pwd".into(), "mfa".into()],
            mfa_time: Some(OffsetDateTime::now_utc()),
            ends_at: None,
        }
    }

    fn code(challenge: Option<PkceChallenge>) -> AuthorizationCode {
        AuthorizationCode {
            client_id: "client".into(),
            redirect_uri: "http://127.0.0.1:4000/".into(),
            challenge,
            scopes: ScopeSet::default(),
            nonce: None,
            claims: None,
            authentication: authentication(),
            expires: OffsetDateTime::now_utc() + CODE_LIFETIME,
            redeemed: false,
        }
    }

    fn redemption<'a>(code: &'a str, verifier: Option<&'a str>) -> CodeRedemption<'a> {
        CodeRedemption {
            code,
            client_id: "client",
            redirect_uri: "http://127.0.0.1:4000/",
            verifier,
        }
    }

    #[test]
    fn s256_and_plain_challenges_verify() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let s256 = PkceChallenge::S256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
        assert!(s256.verifies(verifier));
        assert!(!s256.verifies("something-else"));
        assert!(PkceChallenge::Plain(verifier.into()).verifies(verifier));
        assert!(valid_pkce_string(verifier));
        assert!(!valid_pkce_string("short"));
    }

    #[test]
    fn a_code_redeems_once() {
        let mut grants = Grants::default();
        let now = OffsetDateTime::now_utc();
        let secret = grants.issue_code(code(None));
        assert!(grants.redeem_code(&redemption(&secret, None), now).is_ok());
        let again = grants.redeem_code(&redemption(&secret, None), now).err();
        assert_eq!(again.map(|e| e.code), Some(54005));
    }

    #[test]
    fn a_wrong_verifier_fails_and_burns_the_code() {
        let mut grants = Grants::default();
        let now = OffsetDateTime::now_utc();
        let secret = grants.issue_code(code(Some(PkceChallenge::Plain("a".repeat(43)))));
        let wrong = grants
            .redeem_code(&redemption(&secret, Some(&"b".repeat(43))), now)
            .err();
        assert_eq!(wrong.map(|e| e.code), Some(501481));
        let right = grants
            .redeem_code(&redemption(&secret, Some(&"a".repeat(43))), now)
            .err();
        assert_eq!(right.map(|e| e.code), Some(54005));
    }

    #[test]
    fn an_expired_code_fails() {
        let mut grants = Grants::default();
        let secret = grants.issue_code(code(None));
        let later = OffsetDateTime::now_utc() + Duration::minutes(11);
        let err = grants.redeem_code(&redemption(&secret, None), later).err();
        assert_eq!(err.map(|e| e.code), Some(70008));
    }

    #[test]
    fn refresh_tokens_stay_valid_after_use_and_honour_revocation() {
        let mut grants = Grants::default();
        let now = OffsetDateTime::now_utc();
        let auth = authentication();
        let token = grants.issue_refresh("client", &ScopeSet::default(), &auth, now);
        assert!(token.len() > 1000, "{} characters", token.len());
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let never_revoked = |_| Some(now - Duration::days(1));
        assert!(grants
            .redeem_refresh(&token, "client", never_revoked, now)
            .is_ok());
        // Microsoft's identity platform does not revoke a used refresh token.
        assert!(grants
            .redeem_refresh(&token, "client", never_revoked, now)
            .is_ok());
        assert!(grants
            .redeem_refresh(&token, "client", never_revoked, now + REFRESH_LIFETIME)
            .is_err());

        let fresh = grants.issue_refresh("client", &ScopeSet::default(), &auth, now);
        let revoked_later = |_| Some(now + Duration::seconds(1));
        let err = grants
            .redeem_refresh(&fresh, "client", revoked_later, now)
            .err();
        assert_eq!(err.map(|e| e.code), Some(50173));
    }

    #[test]
    fn tokens_from_a_temporary_access_pass_end_with_the_pass() {
        let mut grants = Grants::default();
        let now = OffsetDateTime::now_utc();
        let auth = Authentication {
            ends_at: Some(now + Duration::minutes(60)),
            ..authentication()
        };
        let token = grants.issue_refresh("client", &ScopeSet::default(), &auth, now);
        let never_revoked = |_| Some(now - Duration::days(1));
        let within = now + Duration::minutes(59);
        assert!(grants
            .redeem_refresh(&token, "client", never_revoked, within)
            .is_ok());
        let after = now + Duration::minutes(60);
        let err = grants
            .redeem_refresh(&token, "client", never_revoked, after)
            .err();
        assert_eq!(
            err.map(|e| (e.error, e.code)),
            Some(("invalid_grant", 50173))
        );
        assert!(grants.prune_refresh(after), "dropped with the pass");
    }

    #[test]
    fn user_codes_are_nine_uppercase_characters() {
        let code = user_code();
        assert_eq!(code.len(), 9);
        assert!(code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    }

    #[test]
    fn device_polls_go_pending_then_approved_then_redeemed() {
        let mut grants = Grants::default();
        let now = OffsetDateTime::now_utc();
        let device = grants.start_device_authorization("client", ScopeSet::default(), now);
        let pending = grants.poll_device(&device.device_code, "client", now).err();
        assert_eq!(pending.map(|e| e.error), Some("authorization_pending"));
        let entered = device.user_code.to_lowercase();
        if let Some(d) = grants.device_by_user_code(&entered, now) {
            d.status = DeviceStatus::Approved(authentication());
        }
        assert!(grants
            .poll_device(&device.device_code, "client", now)
            .is_ok());
        let after = grants.poll_device(&device.device_code, "client", now).err();
        assert_eq!(after.map(|e| e.code), Some(54005));
        let expired = grants
            .poll_device(&device.device_code, "client", now + Duration::hours(1))
            .err();
        assert_eq!(expired.map(|e| e.code), Some(54005));
        let unknown = grants.poll_device("nope", "client", now).err();
        assert_eq!(unknown.map(|e| e.error), Some("bad_verification_code"));
    }
}
