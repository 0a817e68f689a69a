//! Helpers shared by the integration tests: an emulator, a one-shot
//! loopback "app" listener, PKCE, and the sign-in round trip.
#![allow(dead_code)] // Each test binary uses a different subset.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tenant_emulator::browser::{self, BrowserAction, BrowserOutcome, BrowserScript};
use tenant_emulator::{demo, Emulator, EmulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The scopes the app asks for.
pub const APP_SCOPES: &str =
    "openid profile offline_access User.Read UserAuthenticationMethod.Read";

pub fn config() -> EmulatorConfig {
    EmulatorConfig {
        device_code_interval_secs: 1,
        ..EmulatorConfig::default()
    }
}

/// An emulator with self-service phone and email writes switched on
/// (`EmulatorConfig::self_service_writes`), for tests of the rules those
/// writes follow once a tenant allows them.
pub async fn start_with_self_service() -> Emulator {
    match Emulator::start(EmulatorConfig {
        self_service_writes: true,
        ..config()
    })
    .await
    {
        Ok(emulator) => emulator,
        Err(e) => panic!("the emulator did not start: {e}"),
    }
}

/// The documented path of the token's user's `signInPreferences`,
/// `beta/users/{id}/authentication/signInPreferences`, with the id read
/// from `/me` as a client would.
pub async fn sign_in_preferences(
    emulator: &Emulator,
    token: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let (status, _, me) = graph_get(emulator, Some(token), "v1.0/me").await?;
    let id = me["id"]
        .as_str()
        .ok_or_else(|| format!("/me answered {status} without an id: {me}"))?;
    Ok(format!("beta/users/{id}/authentication/signInPreferences"))
}

pub async fn start() -> Emulator {
    match Emulator::start(config()).await {
        Ok(emulator) => emulator,
        Err(e) => panic!("the emulator did not start: {e}"),
    }
}

/// A client like the app's: no redirects followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// Like [`client`], also trusting the emulator's CA when it serves HTTPS.
pub fn client_for(emulator: &Emulator) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10));
    if let Some(ca) = emulator
        .ca_certificate_pem()
        .and_then(|pem| reqwest::Certificate::from_pem(pem.as_bytes()).ok())
    {
        builder = builder.add_root_certificate(ca);
    }
    builder.build().unwrap_or_default()
}

/// A stand-in for the app's one-shot loopback listener: the first request
/// gets 200 "signed in", later ones 400.
pub struct LoopbackApp {
    pub redirect_uri: String,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

pub const APP_SUCCESS_BODY: &str = "Signed in to MFA Assistant. You can close this window.";
pub const APP_REUSED_BODY: &str = "This sign-in has already completed.";

impl LoopbackApp {
    pub async fn start() -> LoopbackApp {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("cannot bind the loopback app: {e}"),
        };
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = vec![0u8; 8192];
                let mut read = 0;
                while read < buf.len() {
                    match stream.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => read += n,
                    }
                    if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
                let (status, body) = if first {
                    ("200 OK", APP_SUCCESS_BODY)
                } else {
                    ("400 Bad Request", APP_REUSED_BODY)
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        LoopbackApp {
            redirect_uri: format!("http://127.0.0.1:{port}/"),
            hits,
            task,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for LoopbackApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// An authorize URL for the demo app with PKCE S256.
pub fn authorize_url(
    emulator: &Emulator,
    redirect_uri: &str,
    pkce: &Pkce,
    state: &str,
    scope: &str,
) -> Url {
    let mut url = emulator
        .base_url()
        .join("organizations/oauth2/v2.0/authorize")
        .unwrap_or_else(|_| emulator.base_url());
    url.query_pairs_mut()
        .append_pair("client_id", demo::CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", scope)
        .append_pair("state", state)
        .append_pair("nonce", "nonce-123")
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    url
}

pub fn token_url(emulator: &Emulator) -> Url {
    emulator
        .base_url()
        .join(&format!("{}/oauth2/v2.0/token", demo::TENANT_ID))
        .unwrap_or_else(|_| emulator.base_url())
}

/// POSTs a form to the token endpoint; returns status and JSON.
pub async fn token_request(
    emulator: &Emulator,
    form: &[(&str, &str)],
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = client_for(emulator)
        .post(token_url(emulator))
        .form(form)
        .send()
        .await?;
    let status = response.status();
    let body = response.json::<Value>().await?;
    Ok((status, body))
}

/// Signs a demo user in through the scripted browser.
pub async fn browse(
    emulator: &Emulator,
    app: &LoopbackApp,
    pkce: &Pkce,
    upn: &str,
    action: BrowserAction,
    scope: &str,
) -> Result<BrowserOutcome, browser::BrowserError> {
    let url = authorize_url(emulator, &app.redirect_uri, pkce, "state-xyz", scope);
    let script = BrowserScript::demo_user(upn, action).trusting(emulator.ca_certificate_pem());
    browser::run(&url, &script).await
}

/// The whole auth-code + PKCE round trip; returns the token response.
pub async fn sign_in(
    emulator: &Emulator,
    upn: &str,
    scope: &str,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let app = LoopbackApp::start().await;
    let pkce = pkce();
    let outcome = browse(emulator, &app, &pkce, upn, BrowserAction::SignIn, scope).await?;
    let code = outcome
        .redirect_param("code")
        .ok_or("no code in the redirect")?;
    let (status, body) = token_request(
        emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &app.redirect_uri),
            ("code_verifier", &pkce.verifier),
            ("scope", scope),
        ],
    )
    .await?;
    if status != StatusCode::OK {
        return Err(format!("token exchange failed: {status} {body}").into());
    }
    Ok(body)
}

/// An access token for a demo user with the app's scopes.
pub async fn access_token(
    emulator: &Emulator,
    upn: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let body = sign_in(emulator, upn, APP_SCOPES).await?;
    Ok(body["access_token"]
        .as_str()
        .ok_or("no access token")?
        .to_string())
}

/// A Graph GET: status, headers, JSON body (Null when not JSON).
pub async fn graph_get(
    emulator: &Emulator,
    token: Option<&str>,
    path: &str,
) -> Result<(StatusCode, reqwest::header::HeaderMap, Value), reqwest::Error> {
    let url = emulator
        .base_url()
        .join(path.trim_start_matches('/'))
        .unwrap_or_else(|_| emulator.base_url());
    let mut request = client_for(emulator).get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, headers, body))
}

/// A Graph POST of JSON.
pub async fn graph_post(
    emulator: &Emulator,
    token: &str,
    path: &str,
    body: &Value,
) -> Result<(StatusCode, reqwest::header::HeaderMap, Value), reqwest::Error> {
    let url = emulator
        .base_url()
        .join(path.trim_start_matches('/'))
        .unwrap_or_else(|_| emulator.base_url());
    let response = client_for(emulator)
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, headers, body))
}

/// The keys of a JSON object, sorted.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Asserts Entra's token-endpoint error body and returns its AADSTS code.
pub fn assert_identity_error(body: &Value, error: &str) -> u64 {
    assert_eq!(
        keys(body),
        [
            "correlation_id",
            "error",
            "error_codes",
            "error_description",
            "error_uri",
            "timestamp",
            "trace_id"
        ],
        "{body}"
    );
    assert_eq!(body["error"], error, "{body}");
    let code = body["error_codes"][0].as_u64().unwrap_or_default();
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(
        description.contains("Trace ID: ") && description.contains("Correlation ID: "),
        "{description}"
    );
    code
}

/// Asserts Graph's error envelope and returns the error code.
pub fn assert_graph_error(body: &Value) -> String {
    let error = &body["error"];
    assert!(error["message"].is_string(), "{body}");
    let inner = &error["innerError"];
    assert!(
        inner["date"].is_string() && inner["request-id"].is_string(),
        "{body}"
    );
    error["code"].as_str().unwrap_or_default().to_string()
}

/// The scopes the app asks for when it changes methods.
pub const WRITE_SCOPES: &str =
    "openid profile offline_access User.Read UserAuthenticationMethod.ReadWrite";

/// The claims request for fresh MFA (graph-auth-methods.md §8).
pub const NGCMFA_CLAIMS: &str =
    r#"{"access_token":{"amr":{"essential":true,"values":["ngcmfa"]}}}"#;

/// The auth-code + PKCE round trip with an optional `claims` parameter;
/// returns the token response.
pub async fn sign_in_with_claims(
    emulator: &Emulator,
    upn: &str,
    scope: &str,
    claims: Option<&str>,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let app = LoopbackApp::start().await;
    let pkce = pkce();
    let mut url = authorize_url(emulator, &app.redirect_uri, &pkce, "state-xyz", scope);
    if let Some(claims) = claims {
        url.query_pairs_mut().append_pair("claims", claims);
    }
    let script = BrowserScript::demo_user(upn, BrowserAction::SignIn)
        .trusting(emulator.ca_certificate_pem());
    let outcome = browser::run(&url, &script).await?;
    let code = outcome
        .redirect_param("code")
        .ok_or("no code in the redirect")?;
    let (status, body) = token_request(
        emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &app.redirect_uri),
            ("code_verifier", &pkce.verifier),
            ("scope", scope),
        ],
    )
    .await?;
    if status != StatusCode::OK {
        return Err(format!("token exchange failed: {status} {body}").into());
    }
    Ok(body)
}

/// An access token allowed to change methods (fresh MFA).
pub async fn write_token(
    emulator: &Emulator,
    upn: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let body = sign_in(emulator, upn, WRITE_SCOPES).await?;
    Ok(body["access_token"]
        .as_str()
        .ok_or("no access token")?
        .to_string())
}

/// Any Graph request: status, headers, JSON body (Null when empty or not
/// JSON). A `client-request-id` is always sent.
pub async fn graph_send(
    emulator: &Emulator,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(StatusCode, reqwest::header::HeaderMap, Value), reqwest::Error> {
    let url = emulator
        .base_url()
        .join(path.trim_start_matches('/'))
        .unwrap_or_else(|_| emulator.base_url());
    let mut request = client_for(emulator)
        .request(method, url)
        .bearer_auth(token)
        .header("client-request-id", "test-client-request-id");
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok((status, headers, body))
}

/// Asserts a Graph error with this status and code whose envelope echoes
/// the client-request-id `graph_send` sends; returns the message.
pub fn expect_error(
    result: &(StatusCode, reqwest::header::HeaderMap, Value),
    status: StatusCode,
    code: &str,
) -> String {
    let (got, _, body) = result;
    assert_eq!(*got, status, "{body}");
    assert_eq!(assert_graph_error(body), code, "{body}");
    assert_eq!(
        body["error"]["innerError"]["client-request-id"], "test-client-request-id",
        "{body}"
    );
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A token for the demo tenant's relay API (`demo::RELAY_SCOPE`), got as
/// the app gets it: sign in for Graph, then redeem the refresh token for
/// the relay's scope (Entra's refresh tokens are multi-resource).
pub async fn relay_token(
    emulator: &Emulator,
    upn: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let signed_in = sign_in(emulator, upn, APP_SCOPES).await?;
    let refresh = signed_in["refresh_token"]
        .as_str()
        .ok_or("no refresh token")?;
    let scope = format!("openid offline_access {}", demo::RELAY_SCOPE);
    let (status, body) = token_request(
        emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("scope", &scope),
        ],
    )
    .await?;
    if status != StatusCode::OK {
        return Err(format!("the relay token was refused: {status} {body}").into());
    }
    Ok(body["access_token"]
        .as_str()
        .ok_or("no access token")?
        .to_string())
}

/// Runs the auth-code sign-in with a Temporary Access Pass for `scopes`;
/// returns the browser's outcome and the app's loopback listener and PKCE
/// verifier, for the token exchange.
pub async fn sign_in_with_pass(
    emulator: &Emulator,
    upn: &str,
    code: &str,
    scopes: &str,
) -> Result<(BrowserOutcome, LoopbackApp, Pkce), Box<dyn std::error::Error + Send + Sync>> {
    let app = LoopbackApp::start().await;
    let pkce = pkce();
    let url = authorize_url(emulator, &app.redirect_uri, &pkce, "state-tap", scopes);
    let script = BrowserScript::demo_user(upn, BrowserAction::SignIn)
        .with_temporary_access_pass(code)
        .trusting(emulator.ca_certificate_pem());
    let outcome = browser::run(&url, &script).await?;
    Ok((outcome, app, pkce))
}

/// Redeems the authorization code a sign-in brought back to `app`; the
/// token endpoint's status and answer.
pub async fn redeem_code(
    emulator: &Emulator,
    outcome: &BrowserOutcome,
    app: &LoopbackApp,
    pkce: &Pkce,
    scopes: &str,
) -> Result<(StatusCode, Value), Box<dyn std::error::Error + Send + Sync>> {
    let authorization = outcome
        .redirect_param("code")
        .ok_or_else(|| format!("no code; the page said {:?}", outcome.error_shown))?;
    Ok(token_request(
        emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &authorization),
            ("redirect_uri", &app.redirect_uri),
            ("code_verifier", &pkce.verifier),
            ("scope", scopes),
        ],
    )
    .await?)
}
