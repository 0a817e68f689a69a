//! Sign-in with the Microsoft identity platform v2.0, per RFC 8252 and RFC 9700:
//! the system browser, authorization code + PKCE S256, `state` checked, a
//! one-shot loopback listener on 127.0.0.1 and an ephemeral port, a public
//! client with no secret. Device code is the fallback when no browser opens.
//!
//! Invariants: codes, verifiers and tokens never leave this module except as
//! [`crate::secret`] types; the loopback listener answers exactly one sign-in
//! response and is closed afterwards; an ID token from an interactive sign-in
//! is accepted only with a valid RS256 signature from the tenant's JWKS, the
//! tenant's issuer, our client id as audience, and our nonce.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, StandardRevocableToken, StandardTokenResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use url::Url;

use crate::http::Transport;
use crate::language::{CurrentLanguage, LoopbackWords};
use crate::secret::{AccessToken, RefreshToken};

/// The token response fields beyond RFC 6749 that we read.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EntraTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id_token: Option<String>,
}
impl ExtraTokenFields for EntraTokenFields {}

pub(crate) type EntraTokenResponse = StandardTokenResponse<EntraTokenFields, BasicTokenType>;
type EntraClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens from one token response. Not `Serialize`, `Debug` redacted.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: AccessToken,
    pub expires_at: Instant,
    /// Present whenever `offline_access` was granted; rotates on every use.
    pub refresh_token: Option<RefreshToken>,
}

/// Who signed in, from the ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInUser {
    /// The account's object id (the ID token's `oid`, a GUID): what
    /// identifies the account (a UPN can be renamed or given to another
    /// account later; the object id not), and the `{id}` of the documented
    /// `/users/{id}/...` paths for the user's own account.
    pub object_id: uuid::Uuid,
    pub upn: String,
    pub display_name: String,
    pub tenant_id: String,
}

/// Why a sign-in or a token refresh did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("sign-in was cancelled{}", .0.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Cancelled(Option<String>),
    #[error("the browser did not come back within {0} seconds")]
    TimedOut(u64),
    #[error("the browser could not be opened: {0}")]
    BrowserUnavailable(String),
    #[error("the sign-in response did not match the sign-in in progress (state mismatch); nothing was accepted")]
    StateMismatch,
    /// `invalid_grant`: an expired, replayed or revoked code or refresh token.
    #[error("the sign-in is no longer valid: {0}")]
    InvalidGrant(String),
    /// Any other error the identity platform returned.
    #[error("the identity platform refused the sign-in: {0}")]
    Rejected(String),
    #[error("the identity platform is busy or unavailable: {0}")]
    ServiceBusy(String),
    #[error("the identity platform could not be reached: {0}")]
    Network(String),
    #[error("the ID token was not accepted: {0}")]
    InvalidIdToken(String),
    #[error("sign-in failed: {0}")]
    Other(String),
}

/// Opens a URL in the user's browser. The system implementation uses `open`
/// (`xdg-open`, which honours `$BROWSER`; `ShellExecute`; `open(1)`); tests
/// substitute a scripted browser.
pub trait BrowserOpener: Send + Sync {
    fn open(&self, url: &Url) -> Result<(), String>;
}

/// The user's default browser. `open` may block until the browser exits
/// (xdg-open starting a new browser does), so it is called on a blocking
/// thread while the loopback listener already waits.
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        open::that(url.as_str()).map_err(|e| e.to_string())
    }
}

/// A device-code sign-in waiting for the user on another device.
pub struct DeviceCodeStart {
    details: StandardDeviceAuthorizationResponse,
}

/// The longest a device code may be said to live (Entra's live 15 minutes).
pub const MAX_DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest polling interval accepted (Entra says 5 s). The poller adds
/// 5 s on each `slow_down`, which overflows on an interval near `u64::MAX`
/// seconds, and such an interval would never poll at all.
pub const MAX_DEVICE_CODE_INTERVAL: Duration = Duration::from_secs(60);

impl DeviceCodeStart {
    /// Accepts the device authorization endpoint's answer only with a usable
    /// lifetime and polling interval.
    pub(crate) fn from_answer(
        details: StandardDeviceAuthorizationResponse,
    ) -> Result<DeviceCodeStart, SignInError> {
        if details.expires_in().is_zero() || details.expires_in() > MAX_DEVICE_CODE_LIFETIME {
            return Err(SignInError::Other(format!(
                "the device code answer says it expires in {} s; expected 1 s to a day",
                details.expires_in().as_secs()
            )));
        }
        if details.interval() > MAX_DEVICE_CODE_INTERVAL {
            return Err(SignInError::Other(format!(
                "the device code answer asks to poll every {} s; expected at most {} s",
                details.interval().as_secs(),
                MAX_DEVICE_CODE_INTERVAL.as_secs()
            )));
        }
        Ok(DeviceCodeStart { details })
    }

    /// The polling interval the identity platform asked for.
    pub fn interval(&self) -> Duration {
        self.details.interval()
    }
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }
    pub fn expires_in(&self) -> Duration {
        self.details.expires_in()
    }
}

/// One tenant's identity platform, for one app registration.
#[derive(Clone)]
pub struct IdentityPlatform {
    client: EntraClient,
    transport: Transport,
    /// `{authority_host}{tenant}/`
    authority: Url,
    client_id: String,
    scopes: Vec<String>,
    /// `scopes` with the write permission for one's own methods, asked for
    /// only when the user starts a change (least privilege until then).
    change_scopes: Vec<String>,
    /// The window's language, for the page the browser is shown at the end.
    language: CurrentLanguage,
}

/// Which permissions a token request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading Security Info (the configured scopes).
    Read,
    /// Changing one's own methods: `UserAuthenticationMethod.ReadWrite` too.
    Change,
}

/// The delegated permission that lets a user change their own methods.
pub const CHANGE_SCOPE: &str = "UserAuthenticationMethod.ReadWrite";

/// The claims request for a fresh MFA (graph-auth-methods.md §8, fresh-MFA rule).
pub const FRESH_MFA_CLAIMS: &str =
    r#"{"access_token":{"amr":{"essential":true,"values":["ngcmfa"]}}}"#;

impl IdentityPlatform {
    pub fn new(
        client: reqwest::Client,
        authority_host: &Url,
        tenant: &str,
        client_id: &str,
        scopes: &[String],
    ) -> Result<IdentityPlatform, String> {
        let authority = authority_host
            .join(&format!("{tenant}/"))
            .map_err(|e| format!("bad authority for tenant {tenant:?}: {e}"))?;
        let endpoint = |path: &str| authority.join(path).map_err(|e| e.to_string());
        let oauth = oauth2::Client::new(ClientId::new(client_id.to_owned()))
            .set_auth_uri(AuthUrl::from_url(endpoint("oauth2/v2.0/authorize")?))
            .set_token_uri(TokenUrl::from_url(endpoint("oauth2/v2.0/token")?))
            .set_device_authorization_url(DeviceAuthorizationUrl::from_url(endpoint(
                "oauth2/v2.0/devicecode",
            )?));
        let mut change_scopes: Vec<String> = scopes
            .iter()
            .filter(|s| s.as_str() != "UserAuthenticationMethod.Read")
            .cloned()
            .collect();
        if !change_scopes.iter().any(|s| s == CHANGE_SCOPE) {
            change_scopes.push(CHANGE_SCOPE.to_owned());
        }
        Ok(IdentityPlatform {
            client: oauth,
            transport: Transport { client },
            authority,
            client_id: client_id.to_owned(),
            scopes: scopes.to_vec(),
            change_scopes,
            language: CurrentLanguage::default(),
        })
    }

    /// Speaks `language` (the window's, shared) on the browser's last page.
    pub fn with_language(mut self, language: CurrentLanguage) -> IdentityPlatform {
        self.language = language;
        self
    }

    fn scopes(&self, access: Access) -> impl Iterator<Item = Scope> + '_ {
        let list = match access {
            Access::Read => &self.scopes,
            Access::Change => &self.change_scopes,
        };
        list.iter().map(|s| Scope::new(s.clone()))
    }

    /// Interactive sign-in in the system browser. Resolves when the browser
    /// comes back to the loopback listener, after `timeout`, or when `cancel`
    /// turns true. `claims` is an optional claims request (e.g. `ngcmfa`),
    /// `login_hint` the account expected.
    ///
    /// On success the browser is still waiting for its page: the caller
    /// keeps the tokens first (the keychain may refuse) and then tells the
    /// browser the real outcome through the returned [`BrowserReply`].
    pub async fn sign_in_with_browser(
        &self,
        browser: Arc<dyn BrowserOpener>,
        timeout: Duration,
        mut cancel: watch::Receiver<bool>,
        claims: Option<&str>,
        access: Access,
        login_hint: Option<&str>,
    ) -> Result<(Tokens, SignedInUser, BrowserReply), SignInError> {
        // RFC 8252 §7.3: loopback IP literal, ephemeral port, bound to 127.0.0.1 only.
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| SignInError::Other(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| SignInError::Other(e.to_string()))?
            .port();
        let redirect =
            RedirectUrl::new(format!("http://127.0.0.1:{port}/")).expect("valid loopback URL");

        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random();
        let mut request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .set_redirect_uri(Cow::Borrowed(&redirect))
            .add_scopes(self.scopes(access))
            .set_pkce_challenge(pkce_challenge)
            .add_extra_param("response_mode", "query")
            .add_extra_param("nonce", nonce.secret().clone());
        if let Some(claims) = claims {
            request = request.add_extra_param("claims", claims.to_owned());
        }
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint.to_owned());
        }
        let (auth_url, state) = request.url();

        tracing::info!(
            port,
            "opening the browser; waiting on the loopback listener"
        );
        let opening = tokio::task::spawn_blocking(move || browser.open(&auth_url));
        // Only a failure to open matters; a browser that stays open is fine.
        let open_failed = async {
            match opening.await {
                Ok(Err(e)) => e,
                Ok(Ok(())) => std::future::pending().await,
                Err(e) => format!("the browser launcher crashed: {e}"),
            }
        };

        // While the user is in the browser, fetch what validating the ID token needs.
        let keys = self.signing_keys();
        let words = self.language.get().loopback_words();
        let wait = wait_for_redirect(&listener, state.secret(), words);
        let outcome = tokio::select! {
            r = async { tokio::join!(wait, keys) } => r,
            _ = tokio::time::sleep(timeout) => return Err(SignInError::TimedOut(timeout.as_secs())),
            _ = cancel.wait_for(|c| *c) => return Err(SignInError::Cancelled(None)),
            e = open_failed => return Err(SignInError::BrowserUnavailable(e)),
        };
        drop(listener); // One-shot: nothing else is answered on this port.
        let (redirect_result, keys) = outcome;
        let (mut stream, code) = redirect_result?;

        let result = async {
            let keys = keys?;
            let response = self
                .client
                .exchange_code(AuthorizationCode::new(code))
                .set_pkce_verifier(pkce_verifier)
                .set_redirect_uri(Cow::Borrowed(&redirect))
                .request_async(&self.transport)
                .await
                .map_err(map_token_error)?;
            let id_token = response.extra_fields().id_token.clone().ok_or_else(|| {
                SignInError::InvalidIdToken("the token response carried no ID token".into())
            })?;
            let user = keys.validate(&id_token, &self.client_id, Some(nonce.secret()))?;
            Ok::<_, SignInError>((tokens_from(&response), user))
        }
        .await;
        match result {
            Ok((tokens, user)) => Ok((tokens, user, BrowserReply { stream, words })),
            Err(e) => {
                respond(&mut stream, LoopbackPage::Failed, words).await;
                Err(e)
            }
        }
    }

    /// Starts a device-code sign-in (RFC 8628).
    pub async fn start_device_code(&self) -> Result<DeviceCodeStart, SignInError> {
        let details: StandardDeviceAuthorizationResponse = self
            .client
            .exchange_device_code()
            .add_scopes(self.scopes(Access::Read))
            .request_async(&self.transport)
            .await
            .map_err(map_token_error)?;
        DeviceCodeStart::from_answer(details)
    }

    /// Polls until the user completes the device-code sign-in, it expires, or `cancel`.
    pub async fn finish_device_code(
        &self,
        start: &DeviceCodeStart,
        mut cancel: watch::Receiver<bool>,
    ) -> Result<(Tokens, SignedInUser), SignInError> {
        let keys = self.signing_keys().await?;
        let poll = self
            .client
            .exchange_device_access_token(&start.details)
            .request_async(&self.transport, tokio::time::sleep, None);
        let response = tokio::select! {
            r = poll => r.map_err(|e| match e {
                RequestTokenError::ServerResponse(e) => {
                    let description = e.error_description().cloned().unwrap_or_default();
                    match e.error().as_ref() {
                        "expired_token" => SignInError::TimedOut(start.expires_in().as_secs()),
                        "access_denied" | "authorization_declined" => SignInError::Cancelled(Some(description)),
                        other => SignInError::Rejected(format!("{other}: {description}")),
                    }
                }
                RequestTokenError::Request(e) => SignInError::Network(error_chain(&e)),
                other => SignInError::Other(other.to_string()),
            })?,
            _ = cancel.wait_for(|c| *c) => return Err(SignInError::Cancelled(None)),
        };
        let id_token = response.extra_fields().id_token.clone().ok_or_else(|| {
            SignInError::InvalidIdToken("the token response carried no ID token".into())
        })?;
        let user = keys.validate(&id_token, &self.client_id, None)?;
        Ok((tokens_from(&response), user))
    }

    /// Redeems a refresh token. The response carries a new refresh token that
    /// replaces the old one (rotation); the caller must store it at once.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        access: Access,
    ) -> Result<(Tokens, Option<SignedInUser>), SignInError> {
        let rt = oauth2::RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = self
            .client
            .exchange_refresh_token(&rt)
            .add_scopes(self.scopes(access))
            .request_async(&self.transport)
            .await
            .map_err(map_token_error)?;
        // This ID token came straight from the token endpoint over TLS (OIDC
        // Core §3.1.3.7 (6)), so we read it without fetching the tenant's keys
        // again, but still check audience and expiry.
        let user = response
            .extra_fields()
            .id_token
            .as_deref()
            .map(|t| read_direct_id_token(t, &self.client_id))
            .transpose()?;
        Ok((tokens_from(&response), user))
    }

    /// Redeems a refresh token for an access token to another resource of
    /// this client (`scopes`, e.g. the relay's `api://…/DeviceKeys.Enrol`):
    /// Entra's refresh tokens are multi-resource. The response's new refresh
    /// token replaces the old one; the caller must store it at once. The
    /// access token is for that resource only.
    pub async fn refresh_for(
        &self,
        refresh_token: &RefreshToken,
        scopes: &[&str],
    ) -> Result<Tokens, SignInError> {
        let rt = oauth2::RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = self
            .client
            .exchange_refresh_token(&rt)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.transport)
            .await
            .map_err(map_token_error)?;
        Ok(tokens_from(&response))
    }

    /// The tenant's ID-token signing keys, found through OpenID discovery.
    async fn signing_keys(&self) -> Result<SigningKeys, SignInError> {
        let discovery_url = self
            .authority
            .join("v2.0/.well-known/openid-configuration")
            .map_err(|e| SignInError::Other(e.to_string()))?;
        let discovery: Discovery = get_json(&self.transport.client, discovery_url).await?;
        let jwks_uri = Url::parse(&discovery.jwks_uri).map_err(|e| {
            SignInError::InvalidIdToken(format!("discovery gave a bad jwks_uri: {e}"))
        })?;
        if jwks_uri.scheme() != "https" && !crate::config::is_loopback(&jwks_uri) {
            return Err(SignInError::InvalidIdToken(
                "discovery gave a jwks_uri that is not https".into(),
            ));
        }
        let jwks: jsonwebtoken::jwk::JwkSet = get_json(&self.transport.client, jwks_uri).await?;
        Ok(SigningKeys {
            issuer_template: discovery.issuer,
            jwks,
        })
    }
}

/// The longest an access token is trusted to live, whatever `expires_in`
/// says: Entra's tokens live at most a day. A larger value (up to `u64`
/// seconds in the JSON) would overflow an `Instant`.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

pub(crate) fn tokens_from(response: &EntraTokenResponse) -> Tokens {
    Tokens {
        access_token: AccessToken::new(response.access_token().secret().clone()),
        // Refresh a minute early so a request never leaves with a dying token.
        expires_at: Instant::now()
            + response
                .expires_in()
                .unwrap_or(Duration::from_secs(3599))
                .min(MAX_TOKEN_LIFETIME)
                .saturating_sub(Duration::from_secs(60)),
        refresh_token: response
            .refresh_token()
            .map(|t| RefreshToken::new(t.secret().clone())),
    }
}

pub(crate) fn map_token_error(
    e: RequestTokenError<oauth2::HttpClientError<reqwest::Error>, BasicErrorResponse>,
) -> SignInError {
    match e {
        RequestTokenError::ServerResponse(e) => {
            let description = e
                .error_description()
                .cloned()
                .unwrap_or_else(|| e.error().to_string());
            match e.error() {
                BasicErrorResponseType::InvalidGrant => SignInError::InvalidGrant(description),
                BasicErrorResponseType::Extension(ext) if ext == "temporarily_unavailable" => {
                    SignInError::ServiceBusy(description)
                }
                other => SignInError::Rejected(format!("{}: {description}", other.as_ref())),
            }
        }
        RequestTokenError::Request(e) => SignInError::Network(error_chain(&e)),
        RequestTokenError::Parse(_, body) => SignInError::Other(format!(
            "the token endpoint answered something that is not a token response: {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>()
        )),
        RequestTokenError::Other(s) => {
            // oauth2 reports non-JSON error statuses this way, e.g. a 503 with no body.
            if s.contains("503") || s.contains("429") {
                SignInError::ServiceBusy(s)
            } else {
                SignInError::Other(s)
            }
        }
    }
}

/// The full cause chain of an error, for messages that say what really happened.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: Url,
) -> Result<T, SignInError> {
    let response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| SignInError::Network(error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(SignInError::Other(format!(
            "{url} answered {}",
            response.status()
        )));
    }
    response
        .json()
        .await
        .map_err(|e| SignInError::Other(format!("{url} answered unreadable JSON: {e}")))
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// The keys and issuer a tenant signs ID tokens with.
struct SigningKeys {
    /// May contain `{tenantid}` for multi-tenant authorities.
    issuer_template: String,
    jwks: jsonwebtoken::jwk::JwkSet,
}

#[derive(Debug, Deserialize)]
struct IdTokenClaims {
    #[serde(default)]
    iss: String,
    #[serde(default)]
    tid: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    oid: Option<String>,
}

impl IdTokenClaims {
    fn into_user(self) -> Result<SignedInUser, SignInError> {
        let upn = self
            .preferred_username
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                SignInError::InvalidIdToken("it names no user (preferred_username)".into())
            })?;
        let object_id = self
            .oid
            .filter(|o| !o.is_empty())
            .ok_or_else(|| {
                SignInError::InvalidIdToken("it names no account object id (oid)".into())
            })
            .and_then(|o| {
                uuid::Uuid::parse_str(&o).map_err(|_| {
                    SignInError::InvalidIdToken("its account object id (oid) is not a GUID".into())
                })
            })?;
        Ok(SignedInUser {
            object_id,
            display_name: self.name.unwrap_or_else(|| upn.clone()),
            upn,
            tenant_id: self.tid,
        })
    }
}

impl SigningKeys {
    fn validate(
        &self,
        token: &str,
        client_id: &str,
        nonce: Option<&str>,
    ) -> Result<SignedInUser, SignInError> {
        use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
        let bad = |m: String| SignInError::InvalidIdToken(m);
        let header = decode_header(token).map_err(|e| bad(format!("unreadable header: {e}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(bad(format!("signed with {:?}, not RS256", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| bad("no key id (kid)".into()))?;
        let jwk = self.jwks.find(&kid).ok_or_else(|| {
            bad(format!(
                "signed with key {kid}, which the tenant does not publish"
            ))
        })?;
        let key =
            DecodingKey::from_jwk(jwk).map_err(|e| bad(format!("unusable key {kid}: {e}")))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.leeway = 300;
        let claims = decode::<IdTokenClaims>(token, &key, &validation)
            .map_err(|e| bad(format!("{e}")))?
            .claims;
        let expected_issuer = self.issuer_template.replace("{tenantid}", &claims.tid);
        if claims.iss != expected_issuer {
            return Err(bad(format!(
                "issued by {:?}, expected {expected_issuer:?}",
                claims.iss
            )));
        }
        if let Some(expected) = nonce {
            if claims.nonce.as_deref() != Some(expected) {
                return Err(bad("its nonce does not match this sign-in".into()));
            }
        }
        claims.into_user()
    }
}

/// Reads an ID token received directly from the token endpoint: audience and
/// expiry are checked; the signature is covered by the TLS connection.
pub(crate) fn read_direct_id_token(
    token: &str,
    client_id: &str,
) -> Result<SignedInUser, SignInError> {
    use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
    let mut validation = Validation::new(Algorithm::RS256);
    validation.insecure_disable_signature_validation();
    validation.set_audience(&[client_id]);
    validation.leeway = 300;
    let claims = decode::<IdTokenClaims>(token, &DecodingKey::from_secret(&[]), &validation)
        .map_err(|e| SignInError::InvalidIdToken(e.to_string()))?
        .claims;
    claims.into_user()
}

/// At most this many loopback connections are read at once; more wait in the
/// listener's backlog. Each is read for at most 5 s, so silent connections
/// cannot keep the real redirect out for longer than that.
const LOOPBACK_CONNECTIONS: usize = 16;

/// What one request to the loopback redirect URI is.
#[derive(Debug, PartialEq)]
pub(crate) enum RedirectRequest {
    /// Not a sign-in response at all (a favicon, a port probe, not HTTP).
    Stray,
    /// A sign-in response for another sign-in: its `state` is not ours. It
    /// could be another local process guessing at the port; it is refused
    /// and the sign-in keeps waiting for its own response.
    ForeignState,
    /// Our sign-in's authorization code.
    Code(String),
    /// Our sign-in ended at the identity platform with an error.
    Failed(SignInError),
}

/// Classifies a loopback request target (`/?code=…&state=…`). Only a
/// response carrying `expected_state` can end the sign-in.
pub(crate) fn redirect_request(target: &str, expected_state: &str) -> RedirectRequest {
    let Ok(url) = Url::parse("http://127.0.0.1").and_then(|b| b.join(target)) else {
        return RedirectRequest::Stray;
    };
    let params: std::collections::HashMap<String, String> =
        url.query_pairs().into_owned().collect();
    if !params.contains_key("code") && !params.contains_key("error") {
        return RedirectRequest::Stray;
    }
    // Constant-time comparison is not needed: the state is one-shot and
    // random, and a wrong guess ends nothing.
    if params.get("state").map(String::as_str) != Some(expected_state) {
        return RedirectRequest::ForeignState;
    }
    if let Some(error) = params.get("error") {
        let description = params.get("error_description").cloned().unwrap_or_default();
        return RedirectRequest::Failed(if error == "access_denied" {
            SignInError::Cancelled(Some(description))
        } else {
            SignInError::Rejected(format!("{error}: {description}"))
        });
    }
    RedirectRequest::Code(params.get("code").cloned().unwrap_or_default())
}

/// Accepts connections on the loopback listener until one carries this
/// sign-in's response (`code` or `error` with our `state`). Connections are
/// read concurrently, each for at most 5 s, so a client that connects and
/// says nothing cannot hold up the browser's redirect. Stray requests get a
/// 404, responses with another `state` a 400 page; neither ends the wait.
/// Returns the open connection, so the page the browser shows can tell the
/// truth about the outcome.
async fn wait_for_redirect(
    listener: &TcpListener,
    expected_state: &str,
    words: &LoopbackWords,
) -> Result<(TcpStream, String), SignInError> {
    let mut reading = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept(), if reading.len() < LOOPBACK_CONNECTIONS => {
                let (mut stream, _) = accepted
                    .map_err(|e| SignInError::Other(format!("loopback listener failed: {e}")))?;
                let expected_state = expected_state.to_owned();
                reading.spawn(async move {
                    let request = match read_request_target(&mut stream).await {
                        Some(target) => redirect_request(&target, &expected_state),
                        None => RedirectRequest::Stray,
                    };
                    (stream, request)
                });
            }
            Some(done) = reading.join_next() => {
                let Ok((mut stream, request)) = done else { continue };
                match request {
                    RedirectRequest::Stray => respond(&mut stream, LoopbackPage::NotFound, words).await,
                    RedirectRequest::ForeignState => {
                        tracing::warn!("refused a loopback sign-in response for another sign-in (state mismatch); still waiting");
                        respond(&mut stream, LoopbackPage::Failed, words).await;
                    }
                    RedirectRequest::Failed(err) => {
                        respond(&mut stream, LoopbackPage::Failed, words).await;
                        return Err(err);
                    }
                    RedirectRequest::Code(code) => return Ok((stream, code)),
                }
            }
        }
    }
}

/// Reads an HTTP/1.1 request head (at most 16 KiB, 5 s) and returns its target.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(2048);
    let read = async {
        let mut chunk = [0u8; 2048];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    request_target(&buf)
}

/// The target of a request head (`GET /?code=… HTTP/1.1`), if it is a GET
/// of a path; anything else is not a sign-in response.
pub(crate) fn request_target(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head);
    let mut parts = head.lines().next()?.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET" && target.starts_with('/')).then(|| target.to_owned())
}

/// The browser's request to the loopback redirect URI, still waiting for the
/// page that tells the user how the sign-in ended (in the window's language).
pub struct BrowserReply {
    stream: TcpStream,
    words: &'static LoopbackWords,
}

impl BrowserReply {
    /// "Signed in, you can close this tab".
    pub async fn signed_in(mut self) {
        respond(&mut self.stream, LoopbackPage::SignedIn, self.words).await;
    }

    /// The sign-in did not complete. The page says only that (in the
    /// window's language); why, and what to do, the window says.
    pub async fn failed(mut self) {
        respond(&mut self.stream, LoopbackPage::Failed, self.words).await;
    }
}

enum LoopbackPage {
    SignedIn,
    Failed,
    NotFound,
}

async fn respond(stream: &mut TcpStream, page: LoopbackPage, words: &LoopbackWords) {
    let (status, title, text) = match &page {
        LoopbackPage::SignedIn => ("200 OK", words.signed_in_title, words.signed_in_body),
        LoopbackPage::Failed => ("400 Bad Request", words.failed_title, words.failed_body),
        LoopbackPage::NotFound => ("404 Not Found", words.not_found_title, words.not_found_body),
    };
    let lang = words.lang;
    let body = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{} - MFA Assistant</title></head>\
         <body style=\"font-family:'Segoe UI',system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#242424\">\
         <h1 style=\"font-weight:600;font-size:1.5rem\">{}</h1><p>{}</p></body></html>",
        html_escape(title),
        html_escape(title),
        html_escape(text)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    #[tokio::test]
    async fn stray_requests_and_a_wrong_state_are_refused_and_the_right_one_still_signs_in() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let favicon = http
                .get(format!("http://{addr}/favicon.ico"))
                .send()
                .await
                .unwrap();
            let forged = http
                .get(format!("http://{addr}/?code=forged-code&state=forged"))
                .send()
                .await
                .unwrap();
            let forged_error = http
                .get(format!("http://{addr}/?error=access_denied&state=forged"))
                .send()
                .await
                .unwrap();
            let forged_status = (forged.status().as_u16(), forged_error.status().as_u16());
            let forged_body = forged.text().await.unwrap();
            // The browser's real redirect, after all of that.
            let real = http.get(format!(
                "http://{addr}/?code=real-code&state=expected-state"
            ));
            let real = tokio::spawn(real.send());
            (favicon.status().as_u16(), forged_status, forged_body, real)
        });
        let (mut stream, code) =
            wait_for_redirect(&listener, "expected-state", Language::En.loopback_words())
                .await
                .unwrap();
        assert_eq!(
            code, "real-code",
            "only the response with our state is taken"
        );
        respond(
            &mut stream,
            LoopbackPage::SignedIn,
            Language::En.loopback_words(),
        )
        .await;
        let (favicon, forged, body, real) = client.await.unwrap();
        assert_eq!(favicon, 404);
        assert_eq!(forged, (400, 400), "both forged responses are refused");
        // The page says it did not complete (in the window's language), not why.
        assert!(body.contains("Sign-in did not complete."), "{body}");
        assert_eq!(real.await.unwrap().unwrap().status().as_u16(), 200);
    }

    #[tokio::test]
    async fn a_silent_connection_does_not_hold_up_the_real_redirect() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Another local process connects first and never sends a byte.
        let silent = TcpStream::connect(addr).await.unwrap();
        let browser = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            reqwest::get(format!("http://{addr}/?code=real-code&state=s")).await
        });
        // Well under the 5 s a silent connection may take to be dropped.
        let (mut stream, code) = tokio::time::timeout(
            Duration::from_secs(2),
            wait_for_redirect(&listener, "s", Language::En.loopback_words()),
        )
        .await
        .expect("the real redirect is not held up by the silent connection")
        .unwrap();
        assert_eq!(code, "real-code");
        respond(
            &mut stream,
            LoopbackPage::SignedIn,
            Language::En.loopback_words(),
        )
        .await;
        assert_eq!(browser.await.unwrap().unwrap().status().as_u16(), 200);
        drop(silent);
    }

    #[test]
    fn only_our_state_makes_a_redirect_request_ours() {
        assert_eq!(
            redirect_request("/favicon.ico", "s"),
            RedirectRequest::Stray
        );
        assert_eq!(
            redirect_request("/?code=c", "s"),
            RedirectRequest::ForeignState
        );
        assert_eq!(
            redirect_request("/?code=c&state=S", "s"),
            RedirectRequest::ForeignState
        );
        assert_eq!(
            redirect_request("/?code=c&state=s", "s"),
            RedirectRequest::Code("c".into())
        );
        assert_eq!(
            redirect_request("/?error=server_error&error_description=boom&state=s", "s"),
            RedirectRequest::Failed(SignInError::Rejected("server_error: boom".into()))
        );
    }

    #[tokio::test]
    async fn access_denied_is_a_cancellation() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            reqwest::get(format!("http://{addr}/?error=access_denied&error_description=AADSTS65004%3A+User+declined&state=s"))
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        let err = wait_for_redirect(&listener, "s", Language::En.loopback_words())
            .await
            .unwrap_err();
        assert_eq!(
            err,
            SignInError::Cancelled(Some("AADSTS65004: User declined".into()))
        );
        assert_eq!(client.await.unwrap(), 400);
    }

    #[test]
    fn html_is_escaped_on_the_loopback_page() {
        assert_eq!(html_escape("<script>&\""), "&lt;script&gt;&amp;&quot;");
    }
}
