//! The helpdesk relay: MFA Assistant's locked-out users' reset requests in,
//! tickets in the organisation's helpdesk out, none lost.
//!
//! A desktop app cannot keep a helpdesk credential, so the organisation runs
//! this relay, which holds it. It serves the contract in
//! `docs/helpdesk-relay.openapi.yaml` ([`server`]), commits each accepted
//! request to its database before answering ([`store`]), and delivers it to
//! the configured helpdesk ([`helpdesks`]) with retries, a dead-letter state
//! and replay ([`delivery`]). Device proof ([`device_keys`]) marks requests
//! signed by a key the user enrolled while signed in.
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! let config = helpdesk_relay::config::RelayConfig::load("relay.toml".as_ref())?;
//! let relay = helpdesk_relay::Relay::start(config).await?;
//! println!("serving at {}", relay.base_url());
//! # Ok(()) }
//! ```

pub mod access_token;
pub mod config;
pub mod delivery;
pub mod device_keys;
pub mod escape;
pub mod helpdesks;
pub mod notify;
pub mod rate_limit;
pub mod secret;
pub mod server;
pub mod store;
pub mod ticket;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tokio::task::{JoinHandle, JoinSet};

use config::RelayConfig;
use store::Store;

/// What the HTTP handlers share.
pub struct RelayState {
    pub config: RelayConfig,
    /// Set once the database is reachable; until then every operation
    /// answers 503.
    pub store: OnceLock<Store>,
    pub limiter: rate_limit::AddressLimiter,
    /// `/healthz`'s counts and when they were read: at most one database
    /// query per [`server::HEALTH_CACHE`], however often it is asked.
    pub health_cache: tokio::sync::Mutex<Option<(std::time::Instant, store::Counts)>>,
    /// Wakes the deliverers when a request is accepted.
    pub wake: Arc<Notify>,
    /// Wakes the notifier (owner notices, dispute notes).
    pub notify_wake: Arc<Notify>,
    pub http: reqwest::Client,
    pub helpdesk_name: &'static str,
    /// Checks device-key enrolment tokens (`[entra]`); `None` when device
    /// keys are not configured.
    pub tokens: Option<access_token::TokenChecker>,
}

/// A running relay. Dropping it stops it; a delivery in flight is
/// abandoned, and its lease lets the next start take it over.
pub struct Relay {
    address: SocketAddr,
    tls: bool,
    state: Arc<RelayState>,
    tasks: Vec<JoinHandle<()>>,
}

/// The HTTP client for Graph and the helpdesks.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(concat!("mfa-relay/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))
}

impl Relay {
    /// Listens, then connects to the database in the background (retrying
    /// every 2 s while it is unavailable, answering 503 meanwhile) and starts
    /// the deliverers once it is there.
    pub async fn start(config: RelayConfig) -> Result<Relay, String> {
        let tls = match &config.tls {
            Some(tls) => Some(tls_acceptor(tls)?),
            None => None,
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let http = http_client()?;
        let state = Arc::new(RelayState {
            limiter: rate_limit::AddressLimiter::new(config.limits.per_address_per_minute),
            health_cache: tokio::sync::Mutex::new(None),
            store: OnceLock::new(),
            wake: Arc::new(Notify::new()),
            notify_wake: Arc::new(Notify::new()),
            tokens: config
                .entra
                .as_ref()
                .map(|entra| access_token::TokenChecker::new(entra, http.clone())),
            http,
            helpdesk_name: config.helpdesk.name(),
            config,
        });
        // The usual case, a database that answers, serves no 503 at all.
        let first_try =
            tokio::time::timeout(Duration::from_secs(5), Store::open(&state.config.database)).await;
        let opened = match first_try {
            Ok(Ok(store)) => Some(store),
            Ok(Err(e)) => {
                tracing::error!(
                    "{}: {e}; answering 503 to every request and retrying every 2 s",
                    state.config.database.describe()
                );
                None
            }
            Err(_) => None,
        };
        if let Some(store) = &opened {
            let _ = state.store.set(store.clone());
        }
        let mut tasks = Vec::new();
        let router = server::router(state.clone());
        let is_tls = tls.is_some();
        tasks.push(tokio::spawn(serve(
            listener,
            router,
            tls,
            state.config.limits.clone(),
        )));
        tasks.push(tokio::spawn(connect_and_deliver(state.clone(), opened)));
        tracing::info!(
            "listening on {}://{address}, delivering to {}, storing in {}",
            if is_tls { "https" } else { "http" },
            state.helpdesk_name,
            state.config.database.describe()
        );
        Ok(Relay {
            address,
            tls: is_tls,
            state,
            tasks,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http(s)://address/`.
    pub fn base_url(&self) -> url::Url {
        let scheme = if self.tls { "https" } else { "http" };
        url::Url::parse(&format!("{scheme}://{}/", self.address))
            .expect("a socket address makes a URL")
    }

    /// The database, once connected.
    pub fn store(&self) -> Option<&Store> {
        self.state.store.get()
    }

    /// Waits until the database is connected, up to `timeout`.
    pub async fn ready(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.state.store.get().is_none() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Connects to the database (logging clearly while it cannot), then runs
/// the deliverers until aborted.
async fn connect_and_deliver(state: Arc<RelayState>, opened: Option<Store>) {
    let database = state.config.database.clone();
    let mut failures = u32::from(opened.is_none());
    let store = if let Some(store) = opened {
        store
    } else {
        loop {
            match Store::open(&database).await {
                Ok(store) => break store,
                Err(e) => {
                    if failures % 15 == 0 {
                        tracing::error!(
                            "{}: {e}; answering 503 to every request and retrying every 2 s",
                            database.describe()
                        );
                    }
                    failures += 1;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    };
    if failures > 0 {
        tracing::info!("{} is available again", database.describe());
    }
    let _ = state.store.set(store.clone());
    let owner = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let deliverer = Arc::new(
        delivery::Deliverer::new(
            store.clone(),
            state.config.helpdesk.clone(),
            state.http.clone(),
            state.config.delivery.clone(),
            owner.clone(),
            state.wake.clone(),
            state.config.runbook.clone(),
        )
        .with_language(state.config.ticket_language.clone())
        .with_notify(state.config.notify.as_ref().map(|n| n.ticket_wait)),
    );
    let mut workers = JoinSet::new();
    if let Some(notify) = &state.config.notify {
        let notifier = Arc::new(notify::Notifier {
            store: store.clone(),
            helpdesk: state.config.helpdesk.clone(),
            http: state.http.clone(),
            config: notify.clone(),
            delivery: state.config.delivery.clone(),
            owner,
            wake: state.notify_wake.clone(),
        });
        workers.spawn(notifier.run());
    }
    for _ in 0..state.config.delivery.workers {
        workers.spawn(deliverer.clone().run());
    }
    // Aborting this task drops the set, which aborts the workers.
    while workers.join_next().await.is_some() {}
}

/// Serves HTTP/1.1 connections within `[limits]`: a client has
/// `header_read_timeout` to send a request's headers (hyper's timer; it
/// also closes a kept-alive connection left idle that long), and
/// `request_timeout` from then to the answer ([`server::request_deadline`]).
/// At most `max_connections` are open: the next is not accepted until one
/// closes, so newcomers wait in the listen queue, not in memory; a sender
/// (IPv4 address or IPv6 /64; trusted proxies exempt) holding
/// `max_connections_per_address` has any further connection closed at once.
async fn serve(
    listener: TcpListener,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: config::Limits,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections as usize));
    let per_sender = rate_limit::ConnectionCounter::new(limits.max_connections_per_address);
    let request_timeout = limits.request_timeout();
    let router = router.layer(axum::middleware::from_fn(move |request, next| {
        server::request_deadline(request_timeout, request, next)
    }));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout())
        .keep_alive(true);
    let handshake_timeout = limits.header_read_timeout();
    let mut connections = JoinSet::new();
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::debug!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let exempt = limits.is_trusted_proxy(peer.ip());
        let Some(slot) = per_sender.open(peer.ip(), exempt) else {
            tracing::debug!(
                sender = %rate_limit::bucket_of(peer.ip()),
                "closed a new connection: its sender already holds {} (max_connections_per_address)",
                limits.max_connections_per_address
            );
            drop(stream);
            continue;
        };
        let service =
            TowerToHyperService::new(router.clone().layer(axum::Extension(server::Peer(peer))));
        let tls = tls.clone();
        let http = http.clone();
        connections.spawn(async move {
            // Held until the connection closes.
            let _held = (permit, slot);
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await;
                    if let Ok(Ok(stream)) = handshake {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
        });
    }
}

fn tls_acceptor(tls: &config::Tls) -> Result<tokio_rustls::TlsAcceptor, String> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|e| format!("[tls] cannot read {}: {e}", path.display()))
    };
    let certificates = rustls_pemfile::certs(&mut read(&tls.certificate)?.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("[tls] certificate {}: {e}", tls.certificate.display()))?;
    if certificates.is_empty() {
        return Err(format!(
            "[tls] certificate {} has no PEM certificate",
            tls.certificate.display()
        ));
    }
    let key = rustls_pemfile::private_key(&mut read(&tls.private_key)?.as_slice())
        .map_err(|e| format!("[tls] private_key {}: {e}", tls.private_key.display()))?
        .ok_or_else(|| {
            format!(
                "[tls] private_key {} has no PEM private key",
                tls.private_key.display()
            )
        })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("[tls] {e}"))?
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .map_err(|e| {
            format!("[tls] the certificate and private key do not make a server identity: {e}")
        })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
