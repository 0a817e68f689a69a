//! What the relay's own tests run against: a helpdesk shaped like
//! ServiceNow's Table API (with switchable faults), a Graph `/me`, request
//! bodies, and a relay process or in-process relay to drive.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// How the fake helpdesk answers the next ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// 201 with a new incident.
    Normal,
    /// This status, `times` times, then back to normal.
    Fail {
        status: u16,
        times: u32,
        retry_after: Option<u32>,
    },
    /// Records the incident, then never answers (a relay killed or cut off
    /// mid-delivery).
    FileThenHang,
}

#[derive(Debug, Default)]
struct Desk {
    incidents: Vec<Value>,
    posts: u32,
    finds: u32,
    mode: Option<Mode>,
    /// How long the desk takes to file an incident.
    latency: Duration,
}

/// A ServiceNow-shaped helpdesk on 127.0.0.1: `POST /api/now/table/incident`
/// and `GET /api/now/table/incident?sysparm_query=correlation_id=…`, Basic
/// `relay:relay-password`.
#[derive(Clone)]
pub struct FakeServiceNow {
    pub address: SocketAddr,
    desk: Arc<Mutex<Desk>>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

const AUTH: &str = "Basic cmVsYXk6cmVsYXktcGFzc3dvcmQ="; // relay:relay-password

impl FakeServiceNow {
    pub async fn start() -> FakeServiceNow {
        let desk = Arc::new(Mutex::new(Desk::default()));
        let router = Router::new()
            .route("/api/now/table/incident", post(file).get(find))
            .with_state(desk.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        FakeServiceNow {
            address,
            desk,
            task: Arc::new(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The relay configuration's helpdesk table for this desk.
    pub fn config(&self) -> String {
        format!(
            "[helpdesk.servicenow]\ninstance = \"{}\"\nuser = \"relay\"\npassword = \"relay-password\"\n",
            self.url()
        )
    }

    pub fn set_mode(&self, mode: Mode) {
        self.desk.lock().unwrap().mode = Some(mode);
    }

    /// Makes every filing take `latency` (a real helpdesk's answer time).
    pub fn set_latency(&self, latency: Duration) {
        self.desk.lock().unwrap().latency = latency;
    }

    pub fn incidents(&self) -> Vec<Value> {
        self.desk.lock().unwrap().incidents.clone()
    }

    pub fn posts(&self) -> u32 {
        self.desk.lock().unwrap().posts
    }

    pub fn finds(&self) -> u32 {
        self.desk.lock().unwrap().finds
    }

    /// The incident filed for `request_id`, if any.
    pub fn incident_for(&self, request_id: &str) -> Option<Value> {
        self.incidents()
            .into_iter()
            .find(|i| i["correlation_id"] == request_id)
    }
}

fn number(index: usize) -> String {
    format!("INC{:07}", 10_001 + index)
}

async fn file(
    State(desk): State<Arc<Mutex<Desk>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(AUTH) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"message": "User Not Authenticated"}})),
        )
            .into_response();
    }
    let (outcome, hang) = {
        let mut desk = desk.lock().unwrap();
        desk.posts += 1;
        match desk.mode.clone().unwrap_or(Mode::Normal) {
            Mode::Fail {
                status,
                times,
                retry_after,
            } => {
                desk.mode = if times > 1 {
                    Some(Mode::Fail {
                        status,
                        times: times - 1,
                        retry_after,
                    })
                } else {
                    None
                };
                let mut response = (
                    StatusCode::from_u16(status).unwrap(),
                    Json(json!({"error": {"message": format!("fault {status}")}})),
                )
                    .into_response();
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", seconds.to_string().parse().unwrap());
                }
                return response;
            }
            mode => {
                if body["correlation_id"].as_str().is_none()
                    || body["short_description"].as_str().is_none()
                {
                    return (
                        StatusCode::BAD_REQUEST,
                        "correlation_id and short_description are required",
                    )
                        .into_response();
                }
                let n = number(desk.incidents.len());
                let mut stored = body.clone();
                stored["number"] = json!(n);
                desk.incidents.push(stored);
                (n, mode == Mode::FileThenHang)
            }
        }
    };
    if hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let latency = desk.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    (
        StatusCode::CREATED,
        Json(json!({"result": {"number": outcome, "sys_id": "0123456789abcdef0123456789abcdef"}})),
    )
        .into_response()
}

async fn find(
    State(desk): State<Arc<Mutex<Desk>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(AUTH) {
        return (StatusCode::UNAUTHORIZED, "User Not Authenticated").into_response();
    }
    let mut desk = desk.lock().unwrap();
    desk.finds += 1;
    let wanted = query
        .get("sysparm_query")
        .and_then(|q| q.strip_prefix("correlation_id="))
        .unwrap_or_default()
        .to_owned();
    let result: Vec<Value> = desk
        .incidents
        .iter()
        .filter(|i| i["correlation_id"] == wanted.as_str())
        .map(|i| json!({"number": i["number"]}))
        .take(1)
        .collect();
    Json(json!({ "result": result })).into_response()
}

/// A Graph `/v1.0/me` that knows two tokens: `token-dana` and `token-erik`
/// (and answers 401 to anything else).
pub async fn fake_graph() -> (String, tokio::task::JoinHandle<()>) {
    async fn me(headers: HeaderMap) -> Response {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let user = match token {
            "token-dana" => json!({"id": "11111111-1111-1111-1111-111111111111", "userPrincipalName": "Dana@contoso-demo.example"}),
            "token-erik" => json!({"id": "22222222-2222-2222-2222-222222222222", "userPrincipalName": "erik@contoso-demo.example"}),
            "token-outsider" => json!({"id": "33333333-3333-3333-3333-333333333333", "userPrincipalName": "eve@elsewhere.example"}),
            _ => {
                return (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}})),
                )
                    .into_response()
            }
        };
        Json(user).into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/v1.0/me", get(me)))
            .await
            .unwrap();
    });
    (format!("http://{address}/v1.0/"), task)
}

/// A valid reset request for `upn`.
pub fn request_body(upn: &str, phrase: &str) -> Value {
    json!({
        "schemaVersion": 2,
        "requestType": "mfaReset",
        "upn": upn,
        "reason": "lostPhone",
        "reasonDetail": "Phone stolen on the train",
        "stillHas": ["password"],
        "callback": {"preference": "directoryPhone", "availability": "weekdays 9-17"},
        "device": {"os": "Debian 12", "appVersion": "0.1.0"},
        "createdAt": "2026-11-22T09:30:00Z",
        "verificationPhrase": phrase,
        "unauthenticated": true,
    })
}

/// A relay configuration for tests: `database`, fast retries, the given
/// extra lines and helpdesk table.
pub fn config_text(database: &str, graph: &str, extra: &str, helpdesk: &str) -> String {
    format!(
        "listen = \"127.0.0.1:0\"\n\
         database = \"{database}\"\n\
         organisation_domains = [\"contoso-demo.example\"]\n\
         graph_base = \"{graph}\"\n\
         {extra}\n\
         {helpdesk}"
    )
}

/// POSTs a reset request; `(status, body, retry-after)`.
pub async fn submit(
    http: &reqwest::Client,
    relay: &str,
    key: &str,
    body: &Value,
) -> (u16, Value, Option<String>) {
    let response = http
        .post(format!("{relay}v1/reset-requests"))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, retry_after)
}

/// Polls the status endpoint until the request is delivered (or `timeout`).
pub async fn wait_delivered(
    http: &reqwest::Client,
    relay: &str,
    request_id: &str,
    timeout: Duration,
) -> Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let status: Value = http
            .get(format!("{relay}v1/reset-requests/{request_id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or(Value::Null);
        if status["status"] != "accepted" || tokio::time::Instant::now() >= deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The `mfa-relay` binary: Cargo's for tests; for the benchmark (an
/// example), the one beside the examples' directory.
pub fn relay_binary() -> std::path::PathBuf {
    match option_env!("CARGO_BIN_EXE_mfa-relay") {
        Some(path) => path.into(),
        None => {
            let exe = std::env::current_exe().unwrap();
            exe.parent()
                .and_then(|d| d.parent())
                .unwrap()
                .join("mfa-relay")
        }
    }
}

/// A relay running as its own process (`mfa-relay serve`), killed with
/// SIGKILL when dropped or when the test's thread ends.
pub struct RelayProcess {
    child: std::process::Child,
    pub url: String,
}

impl RelayProcess {
    /// Writes `config` to `dir/<name>.toml` and starts `mfa-relay serve` on it;
    /// waits for its "listening at" line.
    pub fn start(dir: &std::path::Path, name: &str, config: &str) -> RelayProcess {
        use std::io::{BufRead, BufReader};
        use std::os::unix::process::CommandExt;
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, config).unwrap();
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        let mut command = std::process::Command::new(relay_binary());
        command
            .args(["serve", "--config"])
            .arg(&path)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .stderr(log);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().expect("mfa-relay starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("mfa-relay listening at ")
            .unwrap_or_else(|| {
                panic!(
                    "mfa-relay {name} did not start: {line:?}; its log: {}",
                    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default()
                )
            })
            .to_owned();
        RelayProcess { child, url }
    }

    pub fn pid(&self) -> Option<u32> {
        Some(self.child.id())
    }

    /// SIGKILL: no shutdown, no cleanup, as a crash or power cut.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `url`'s `/healthz` until `delivered` reaches `want` (or `timeout`);
/// the last counts seen.
pub async fn wait_for_delivered_count(
    http: &reqwest::Client,
    url: &str,
    want: u64,
    timeout: Duration,
) -> Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let health: Value = match http.get(format!("{url}healthz")).send().await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        if health["delivered"].as_u64() == Some(want) || tokio::time::Instant::now() >= deadline {
            return health;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

// ---- Relay tokens from the demo tenant ---------------------------------------

/// The `[entra]` section for the demo tenant served at `tenant` (an
/// in-process `tenant_emulator::Emulator`): its "MFA Assistant relay" API.
pub fn entra_config(tenant: &url::Url) -> String {
    use tenant_emulator::demo;
    format!(
        "[entra]\n\
         tenant_id = \"{}\"\n\
         authority = \"{tenant}\"\n\
         relay_client_id = \"{}\"\n\
         app_id_uri = \"{}\"\n\
         assistant_client_id = \"{}\"\n",
        demo::TENANT_ID,
        demo::RELAY_API_CLIENT_ID,
        demo::RELAY_APP_ID_URI,
        demo::CLIENT_ID,
    )
}

async fn token_form(
    http: &reqwest::Client,
    tenant: &url::Url,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Value {
    let url = format!(
        "{tenant}{}/oauth2/v2.0/{endpoint}",
        tenant_emulator::demo::TENANT_ID
    );
    let response = http.post(url).form(form).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{endpoint}: {status} {body}");
    body
}

/// The demo user's tokens as the app gets them: a device-code sign-in for
/// Graph (the scripted browser signs in with MFA), then the refresh token
/// redeemed for the relay's scope. `(graph token, relay token)`.
pub async fn demo_tokens(tenant: &url::Url, upn: &str) -> (String, String) {
    use tenant_emulator::browser::{self, BrowserAction, BrowserScript};
    use tenant_emulator::demo;
    let http = reqwest::Client::new();
    let started = token_form(
        &http,
        tenant,
        "devicecode",
        &[
            ("client_id", demo::CLIENT_ID),
            ("scope", "openid profile offline_access User.Read"),
        ],
    )
    .await;
    let user_code = started["user_code"].as_str().unwrap();
    browser::complete_device_code(
        tenant,
        user_code,
        &BrowserScript::demo_user(upn, BrowserAction::SignIn),
    )
    .await
    .unwrap();
    let graph = token_form(
        &http,
        tenant,
        "token",
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", started["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    let scope = format!("openid offline_access {}", demo::RELAY_SCOPE);
    let relay = token_form(
        &http,
        tenant,
        "token",
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", graph["refresh_token"].as_str().unwrap()),
            ("scope", &scope),
        ],
    )
    .await;
    (
        graph["access_token"].as_str().unwrap().to_owned(),
        relay["access_token"].as_str().unwrap().to_owned(),
    )
}

/// The claims of a relay token for `upn` (object id `oid`) as the demo
/// tenant issues it, changed by `edit`: for tokens an attacker could hold
/// (signed with `Emulator::sign_token`, as Entra's shared keys sign every
/// tenant's and app's tokens).
pub fn relay_claims(upn: &str, oid: &str, edit: impl FnOnce(&mut Value)) -> Value {
    use tenant_emulator::demo;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = json!({
        "aud": demo::RELAY_APP_ID_URI,
        "iss": format!("https://sts.windows.net/{}/", demo::TENANT_ID),
        "tid": demo::TENANT_ID,
        "appid": demo::CLIENT_ID,
        "appidacr": "0",
        "scp": demo::RELAY_SCOPE_NAME,
        "amr": ["pwd", "mfa"],
        "iat": now, "nbf": now, "exp": now + 3600,
        "oid": oid,
        "upn": upn,
        "ver": "1.0",
    });
    edit(&mut claims);
    claims
}
