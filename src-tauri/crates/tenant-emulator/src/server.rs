//! The HTTP server: shared state, the router, the request log and fault
//! middleware, and the accept loop (plain TCP or TLS, hyper-util).
//!
//! Invariants: every top-level request except `/_emulator/*` is logged once
//! with its final status; faults are applied before routing, so a faulted
//! request never reaches its handler; the store lock is never held across an
//! `.await`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::faults::{FaultEffect, FaultSwitchboard};
use crate::graph::{self, errors::GraphError, GraphContext};
use crate::helpdesk::{admin_view, relay, zendesk};
use crate::identity::{self, errors::IdentityError, flows, signing::TenantKey};
use crate::state::{StateFile, Store};
use crate::{admin, pages, security_info, LoggedRequest};

/// State shared by every handler.
pub(crate) struct Shared {
    /// `http(s)://127.0.0.1:PORT/`.
    pub base: url::Url,
    pub tls: bool,
    /// The tenant id (fixed for the life of the server).
    pub tenant_id: String,
    pub device_code_interval_secs: u64,
    pub access_token_lifetime: Duration,
    pub signing: Arc<TenantKey>,
    pub faults: FaultSwitchboard,
    /// Whether `/me` may create and update its phone and email methods
    /// through Graph (switchable at run time).
    self_service_writes: AtomicBool,
    /// How recent the caller's MFA must be for a self-service write; `None`
    /// turns the rule off.
    pub fresh_mfa_window: Option<Duration>,
    /// A China (21Vianet) tenant: no v1.0 authentication-methods API
    /// ([`crate::EmulatorConfig::china_cloud`]).
    pub china_cloud: bool,
    /// The CSRF token every form of the helpdesk admin view carries (one
    /// per server run; the view has no sign-in, so no session to bind to).
    pub admin_csrf: String,
    store: Mutex<Store>,
    state_file: Option<StateFile>,
    log: Mutex<Vec<LoggedRequest>>,
    /// What each bearer token presented to the stand-in relay was for
    /// (never the token itself): see [`Shared::record_relay_bearer`].
    relay_bearers: Mutex<Vec<String>>,
}

/// What [`Shared::new`] needs.
pub(crate) struct SharedParts {
    pub base: url::Url,
    pub tls: bool,
    pub device_code_interval_secs: u64,
    pub access_token_lifetime: Duration,
    pub signing: Arc<TenantKey>,
    pub store: Store,
    pub state_file: Option<StateFile>,
    pub self_service_writes: bool,
    pub fresh_mfa_window: Option<Duration>,
    pub china_cloud: bool,
}

impl Shared {
    pub(crate) fn new(parts: SharedParts) -> Shared {
        Shared {
            tenant_id: parts.store.tenant.id.to_string(),
            base: parts.base,
            tls: parts.tls,
            device_code_interval_secs: parts.device_code_interval_secs,
            access_token_lifetime: parts.access_token_lifetime,
            signing: parts.signing,
            faults: FaultSwitchboard::default(),
            self_service_writes: AtomicBool::new(parts.self_service_writes),
            fresh_mfa_window: parts.fresh_mfa_window,
            china_cloud: parts.china_cloud,
            admin_csrf: crate::identity::grants::random_secret(24),
            store: Mutex::new(parts.store),
            state_file: parts.state_file,
            log: Mutex::new(Vec::new()),
            relay_bearers: Mutex::new(Vec::new()),
        }
    }

    /// Records what a bearer token presented to the stand-in relay was
    /// for: `graph` when it is one of the Graph access tokens this tenant
    /// issued, else the JWT's (unverified) `aud`, else `opaque`. The token
    /// itself is never kept.
    pub(crate) fn record_relay_bearer(&self, token: &str) {
        let what = if self.store().grants.access.contains_key(token) {
            "graph".to_owned()
        } else {
            token
                .split('.')
                .nth(1)
                .and_then(|payload| {
                    use base64::Engine;
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(payload)
                        .ok()
                })
                .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .and_then(|claims| {
                    claims
                        .get("aud")
                        .and_then(|a| a.as_str())
                        .map(str::to_owned)
                })
                .map(|aud| aud.chars().take(100).collect())
                .unwrap_or_else(|| "opaque".to_owned())
        };
        let mut seen = self.relay_bearers.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= 1000 {
            seen.remove(0);
        }
        seen.push(what);
    }

    pub(crate) fn relay_bearers(&self) -> Vec<String> {
        self.relay_bearers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The store. Never hold the guard across an `.await`.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the durable state, if there is a state directory. A failed
    /// write is logged; the in-memory state stays authoritative.
    pub(crate) fn persist(&self, store: &Store) {
        if let Some(file) = &self.state_file {
            if let Err(e) = file.save(store, self.signing.pem_if_made()) {
                tracing::warn!("could not write the emulator state: {e}");
            }
        }
    }

    /// Whether Graph self-service writes of phones and emails are allowed.
    pub(crate) fn self_service_writes(&self) -> bool {
        self.self_service_writes.load(Ordering::SeqCst)
    }

    pub(crate) fn set_self_service_writes(&self, allowed: bool) {
        self.self_service_writes.store(allowed, Ordering::SeqCst);
    }

    pub(crate) fn tenant_id(&self) -> String {
        self.tenant_id.clone()
    }

    /// `{base}{tenant_id}/v2.0`, the ID-token issuer.
    pub(crate) fn issuer(&self) -> String {
        format!("{}{}/v2.0", self.base, self.tenant_id)
    }

    pub(crate) fn request_log(&self) -> Vec<LoggedRequest> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, entry: LoggedRequest) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= MAX_LOGGED_REQUESTS {
            // A long-running demo must not grow without bound: drop the oldest tenth.
            log.drain(..MAX_LOGGED_REQUESTS / 10);
        }
        log.push(entry);
    }
}

/// The request log keeps at most this many entries (the newest).
pub(crate) const MAX_LOGGED_REQUESTS: usize = 100_000;

fn is_admin(path: &str) -> bool {
    path == "/_emulator" || path.starts_with("/_emulator/")
}

/// Builds the router over the shared state.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(home))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(identity::discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(identity::keys))
        .route("/{tenant}/oauth2/v2.0/authorize", get(identity::authorize))
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(identity::token).get(identity::token_get),
        )
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(identity::device_code),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(identity::logout))
        .route("/{tenant}/login", post(flows::submit_credentials))
        .route("/{tenant}/mfa", post(flows::submit_second_factor))
        .route(
            "/devicelogin",
            get(flows::device_login_page).post(flows::submit_device_code),
        )
        .route("/oidc/userinfo", get(identity::userinfo))
        .route("/error", get(identity::error_lookup))
        .route("/v1.0/{*rest}", any(graph::handle))
        .route("/beta/{*rest}", any(graph::handle))
        .route("/v1.0", any(graph::handle))
        .route("/beta", any(graph::handle))
        .route(
            "/_emulator/faults",
            post(admin::inject_fault)
                .delete(admin::clear_faults)
                .get(admin::list_faults),
        )
        .route("/_emulator/requests", get(admin::requests))
        .route(
            "/_emulator/users/{upn}/revoke-sign-in-sessions",
            post(admin::revoke_sign_in_sessions),
        )
        .route(
            "/_emulator/users/{upn}/expire-fresh-mfa",
            post(admin::expire_fresh_mfa),
        )
        .route(
            "/_emulator/settings",
            post(admin::update_settings).get(admin::settings),
        )
        .route(
            "/_emulator/users/{upn}/temporary-access-pass",
            post(admin_view::issue_tap),
        )
        .route(
            "/_emulator/users/{upn}/require-reregistration",
            post(admin_view::require_reregistration),
        )
        .route("/_emulator/helpdesk", get(admin_view::page))
        .route("/_emulator/helpdesk/tickets", get(admin_view::tickets_json))
        .route(
            "/_emulator/helpdesk/device-keys",
            get(admin_view::device_keys_json),
        )
        .route("/helpdesk/v1/reset-requests", post(relay::submit))
        .route("/helpdesk/v1/device-keys", post(relay::enrol))
        .route(
            "/helpdesk/v1/device-keys/{key_id}",
            get(relay::enrolled_key),
        )
        .route(
            "/helpdesk/v1/reset-requests/{request_id}",
            get(relay::status),
        )
        .route(
            "/zendesk/api/v2/requests.json",
            post(zendesk::create_request),
        )
        .route(
            "/zendesk/api/v2/tickets/{id}",
            axum::routing::put(zendesk::update_ticket),
        )
        .route(
            "/zendesk/api/v2/tickets/{id}/comments.json",
            get(zendesk::list_comments),
        )
        .route("/_emulator/mailbox", get(crate::mail::page))
        .route(
            "/_emulator/mailbox/messages",
            get(crate::mail::messages_json),
        )
        .route(
            crate::recovery::PATH,
            get(crate::recovery::page).post(crate::recovery::submit),
        )
        .route(
            "/security-info",
            get(security_info::page).post(security_info::submit),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            inject_faults,
        ))
        .layer(middleware::from_fn_with_state(shared.clone(), log_requests))
        .with_state(shared)
}

async fn home(State(shared): State<Arc<Shared>>) -> Html<String> {
    Html(pages::home(shared.base.as_str()))
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(pages::error_page(
            "Not found",
            "The emulator has nothing at this address.",
            None,
        )),
    )
        .into_response()
}

/// Records every top-level request (not `/_emulator/*`) with its status.
async fn log_requests(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if !is_admin(&path) {
        shared.record(LoggedRequest {
            method,
            path,
            status: response.status().as_u16(),
            time: OffsetDateTime::now_utc(),
        });
    }
    response
}

/// Applies an injected fault matching the request, if any.
async fn inject_faults(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if is_admin(&path) {
        return next.run(request).await;
    }
    match shared.faults.take(request.method().as_str(), &path) {
        None => next.run(request).await,
        Some(FaultEffect::Delay { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(FaultEffect::Status {
            status,
            retry_after,
        }) => fault_response(&shared, &request, &path, status, retry_after),
    }
}

/// The answer to a request hit by a status fault, in the shape of the
/// surface it was sent to.
fn fault_response(
    shared: &Shared,
    request: &Request,
    path: &str,
    status: u16,
    retry_after: Option<String>,
) -> Response {
    let headers = request.headers();
    if graph::split_version(path).is_some() {
        let context = GraphContext::new(shared, headers);
        return GraphError::fault(status, retry_after)
            .render(&context)
            .into_http(&context);
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let lower = path.to_ascii_lowercase();
    if lower.ends_with("/oauth2/v2.0/token") || lower.ends_with("/oauth2/v2.0/devicecode") {
        return IdentityError::temporarily_unavailable(status, retry_after)
            .into_response_for(&shared.base, headers);
    }
    let mut response = if lower.starts_with("/helpdesk/") {
        relay::fault_response(status)
    } else if lower.starts_with("/zendesk/") {
        zendesk::fault_response(status)
    } else {
        html_fault(status)
    };
    if let Some(value) = retry_after.and_then(|r| HeaderValue::from_str(&r).ok()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// The sign-in pages' answer to an injected status fault.
fn html_fault(status: StatusCode) -> Response {
    (
        status,
        Html(pages::error_page(
            "Service unavailable",
            "The sign-in service is temporarily unavailable (an injected fault). Try again later.",
            None,
        )),
    )
        .into_response()
}

/// Accepts connections until the task is aborted; aborting it drops the
/// listener and every connection task.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let mut connections = JoinSet::new();
    loop {
        let (stream, _peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::debug!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let service = TowerToHyperService::new(router.clone());
        let tls = tls.clone();
        connections.spawn(async move {
            let builder = auto::Builder::new(TokioExecutor::new());
            match tls {
                None => {
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await;
                    if let Ok(Ok(stream)) = handshake {
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            }
        });
    }
}
