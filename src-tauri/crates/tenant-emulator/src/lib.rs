//! A local emulator of the parts of a Microsoft Entra ID tenant that MFA
//! Assistant talks to: the identity platform v2.0 endpoints (authorize with
//! real sign-in pages, token, device code, discovery, JWKS) and the Microsoft
//! Graph authentication-methods API (v1.0 and beta, `$batch`), with fault
//! injection. In the spirit of Azurite or LocalStack, and clearly marked as a
//! demo on every page it serves.
//!
//! One server serves both surfaces: login at `/{tenant}/...` (tenant id,
//! domain, `organizations` or `common`), Graph at `/v1.0/...` and
//! `/beta/...`, the control API at `/_emulator/...`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tenant_emulator::EmulatorError> {
//! use tenant_emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! let authority_host = emulator.base_url();
//! let graph = emulator.base_url().join("v1.0/").ok();
//! # drop((authority_host, graph));
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Graph writes (phones, email, deletes, SMS sign-in, the beta
//! `signInPreferences`) follow Entra's rules, a self-service switch
//! ([`EmulatorConfig::self_service_writes`]) and the 2026 fresh-MFA rule
//! ([`EmulatorConfig::fresh_mfa_window`]); the emulated Security Info page
//! at `/security-info` registers what Graph cannot. The crate's README
//! documents the routes, the test hooks and, under "Fidelity", every place
//! where the emulator chooses because Microsoft's documentation is silent.
//!
//! Control API (not logged): `/_emulator/faults`, `/_emulator/requests`,
//! `/_emulator/settings`, `/_emulator/users/{upn}/revoke-sign-in-sessions`,
//! `/_emulator/users/{upn}/expire-fresh-mfa`,
//! `/_emulator/users/{upn}/temporary-access-pass`,
//! `/_emulator/users/{upn}/require-reregistration`, and the helpdesk's
//! admin view `/_emulator/helpdesk` (JSON: `/_emulator/helpdesk/tickets`).
//!
//! The emulated helpdesk ([`helpdesk`]) takes reset requests through the
//! relay contract (`/helpdesk/v1/reset-requests`) and Zendesk's anonymous
//! Requests API (`/zendesk/api/v2/requests.json`); its admin issues
//! Temporary Access Passes ([`tap`]) that the sign-in page accepts instead
//! of password and MFA.
//!
//! Modules: [`demo`] (fixed tenant facts), [`browser`] (the scripted
//! browser), [`faults`], [`totp`] (RFC 6238 codes); internally `tenant`
//! (model and seed), `rules` (Security Info change rules), `identity`,
//! `graph` (reads and writes), `security_info` (the page), `state`
//! (persistence), `tls`, `pages` (HTML), `server`, `admin`.

mod admin;
pub mod browser;
pub mod demo;
pub mod faults;
mod graph;
pub mod helpdesk;
mod identity;
mod mail;
mod pages;
pub mod recovery;
mod rules;
mod security_info;
mod server;
mod state;
pub mod tap;
mod tenant;
mod tls;
pub mod totp;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultAction, FaultSwitchboard};
pub use helpdesk::{HelpdeskChannel, HelpdeskTicket};
pub use mail::MailMessage;
pub use recovery::{RecoveryAttempt, RecoveryOutcome};
pub use state::STATE_FILE_NAME;
pub use tap::{IssuedTap, RemovedMethod, TapOptions};

use identity::grants::Grants;
use identity::signing::{SigningKey, TenantKey};
use server::{Shared, SharedParts};
use state::{StateFile, Store};

/// The default fresh-MFA window: 10 minutes (graph-auth-methods.md §8).
pub const DEFAULT_FRESH_MFA_WINDOW: Duration = Duration::from_secs(10 * 60);

/// How to run an emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// Where to listen; default `127.0.0.1:0` (an ephemeral port).
    pub bind: SocketAddr,
    /// Serve HTTPS with a CA and server certificate generated at start.
    pub tls: bool,
    /// If set, persist the tenant state here and load it at start.
    pub state_dir: Option<PathBuf>,
    /// The `interval` the device-code endpoint announces; default 5.
    pub device_code_interval_secs: u64,
    /// Access-token lifetime (`expires_in`); default 3599 s.
    pub access_token_lifetime: Duration,
    /// Whether `/me` (and `/users/{own id}`) may create and update phone and
    /// email methods through Graph. Default false, as Microsoft's per-API
    /// pages say ("Users can't add a phone authentication method to their
    /// own account"): those writes answer 403 `accessDenied` and only the
    /// Security Info page can make them. True follows the January 2026
    /// overview, which says users can. Switchable at run time ([`Emulator::set_self_service_writes`],
    /// `POST /_emulator/settings`).
    pub self_service_writes: bool,
    /// Self-service writes under `/authentication` need an MFA completed
    /// this recently (the 2026 fresh-MFA rule); default 10 minutes, `None`
    /// turns the rule off.
    pub fresh_mfa_window: Option<Duration>,
    /// Behave like a tenant in the cloud operated by 21Vianet (China):
    /// Microsoft's v1.0 pages for the authentication-methods API mark it not
    /// available there (the beta pages mark it available), so every
    /// `/v1.0/.../authentication/...` path answers 400 `BadRequest`
    /// "Resource not found for the segment 'authentication'." and only
    /// `/beta` serves it. Default false (the global service).
    pub china_cloud: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            tls: false,
            state_dir: None,
            device_code_interval_secs: 5,
            access_token_lifetime: Duration::from_secs(3599),
            self_service_writes: false,
            fresh_mfa_window: Some(DEFAULT_FRESH_MFA_WINDOW),
            china_cloud: false,
        }
    }
}

/// Why the emulator could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("emulator state: {0}")]
    State(String),
    #[error("signing key: {0}")]
    Crypto(String),
    #[error("no user {0} in the demo tenant")]
    UnknownUser(String),
    #[error("cannot issue the Temporary Access Pass: {0}")]
    InvalidTemporaryAccessPass(String),
}

/// One logged top-level HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub status: u16,
    pub time: OffsetDateTime,
}

/// A running emulator. Dropping it, or [`Emulator::shutdown`], stops the
/// server and closes its connections.
pub struct Emulator {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    ca_pem: Option<String>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.shared.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator: binds, loads or seeds the tenant, and serves in a
    /// background task of the current Tokio runtime.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| EmulatorError::Bind {
                addr: config.bind,
                source,
            })?;
        let local = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.bind,
                source,
            })?;
        let host = match local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if config.tls { "https" } else { "http" };
        let base = url::Url::parse(&format!(
            "{scheme}://{}/",
            SocketAddr::new(host, local.port())
        ))
        .map_err(|e| EmulatorError::State(format!("cannot form the base URL: {e}")))?;

        let (state_file, loaded) = match &config.state_dir {
            Some(dir) => {
                let (file, loaded) = StateFile::open(dir)?;
                (Some(file), loaded)
            }
            None => (None, None),
        };
        let (tenant, refresh, signing, helpdesk, fresh) = match loaded {
            // A state file from before the key was first used has no PEM.
            Some(state) if state.signing_key_pem.is_empty() => (
                state.tenant,
                state.refresh_grants,
                Arc::new(TenantKey::on_first_use(true)),
                state.helpdesk,
                false,
            ),
            Some(state) => (
                state.tenant,
                state.refresh_grants,
                Arc::new(TenantKey::loaded(Arc::new(SigningKey::from_pem(
                    &state.signing_key_pem,
                )?))),
                state.helpdesk,
                false,
            ),
            // The key is made on first use (see `TenantKey`), not here.
            None => (
                tenant::seed(),
                Vec::new(),
                Arc::new(TenantKey::on_first_use(state_file.is_some())),
                helpdesk::Inbox::default(),
                true,
            ),
        };
        let grants = Grants {
            refresh: refresh
                .into_iter()
                .map(|g| (g.token_hash.clone(), g))
                .collect(),
            ..Grants::default()
        };

        let identity = if config.tls {
            Some(
                tokio::task::spawn_blocking(tls::ServerIdentity::generate)
                    .await
                    .map_err(|e| EmulatorError::Tls(e.to_string()))??,
            )
        } else {
            None
        };
        let shared = Arc::new(Shared::new(SharedParts {
            base,
            tls: config.tls,
            device_code_interval_secs: config.device_code_interval_secs,
            access_token_lifetime: config.access_token_lifetime,
            signing,
            store: Store {
                tenant,
                grants,
                helpdesk,
                mail: Default::default(),
                recoveries: Vec::new(),
            },
            state_file,
            self_service_writes: config.self_service_writes,
            china_cloud: config.china_cloud,
            fresh_mfa_window: config.fresh_mfa_window,
        }));
        if fresh {
            shared.persist(&shared.store());
        }
        let router = server::router(shared.clone());
        let acceptor = identity.as_ref().map(tls::ServerIdentity::acceptor);
        let task = tokio::spawn(server::serve(listener, router, acceptor));
        tracing::info!("tenant emulator listening on {}", shared.base);
        Ok(Emulator {
            shared,
            task: Some(task),
            ca_pem: identity.map(|i| i.ca_pem().to_string()),
        })
    }

    /// `http://127.0.0.1:PORT/` or `https://127.0.0.1:PORT/`: both the
    /// authority host and the Graph host.
    pub fn base_url(&self) -> url::Url {
        self.shared.base.clone()
    }

    /// The CA certificate (PEM) that signed the server certificate, when
    /// serving HTTPS.
    pub fn ca_certificate_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The fault switchboard.
    pub fn faults(&self) -> &FaultSwitchboard {
        &self.shared.faults
    }

    /// Every top-level HTTP request so far (not `/_emulator/*`), oldest
    /// first. A `$batch` is one request. Only the newest 100 000 are kept.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.request_log()
    }

    /// How many logged requests match `method` and `path`. Paths compare as
    /// fault routes do: case-insensitively, and `"/token"`, `"/devicecode"`
    /// and `"/authorize"` match those endpoints under any tenant.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.request_log()
            .iter()
            .filter(|r| {
                r.method.eq_ignore_ascii_case(method) && faults::path_matches(path, &r.path)
            })
            .count()
    }

    /// Revokes the user's sign-in sessions: refresh tokens issued before now
    /// fail with `invalid_grant` AADSTS50173 (like Graph's
    /// `revokeSignInSessions`). Access tokens keep working until they expire.
    pub async fn revoke_sign_in_sessions(&self, upn: &str) -> Result<(), EmulatorError> {
        revoke(&self.shared, upn)
    }

    /// Allows or forbids Graph self-service writes of phone and email
    /// methods (see [`EmulatorConfig::self_service_writes`]).
    pub fn set_self_service_writes(&self, allowed: bool) {
        self.shared.set_self_service_writes(allowed);
    }

    /// Whether Graph self-service writes of phone and email methods are
    /// currently allowed.
    pub fn self_service_writes(&self) -> bool {
        self.shared.self_service_writes()
    }

    /// Makes the user's last MFA stale for every token and code already
    /// issued (as if it happened before the fresh-MFA window), so the next
    /// self-service write answers 403 until the user signs in again with
    /// the `ngcmfa` claims request. A test hook; persists.
    pub async fn expire_fresh_mfa(&self, upn: &str) -> Result<(), EmulatorError> {
        expire_fresh_mfa(&self.shared, upn)
    }

    /// Gives `upn` to the account that now has `to_upn`, and that account's
    /// old UPN to the account that had `upn` (as when a leaver's name is
    /// reused for someone else): the same sign-in name, another object id.
    /// A test hook; persists.
    pub fn swap_upns(&self, upn: &str, to_upn: &str) -> Result<(), EmulatorError> {
        let mut store = self.shared.store();
        let [Some(a), Some(b)] = [upn, to_upn].map(|u| store.tenant.user(u).map(|u| u.id)) else {
            return Err(EmulatorError::UnknownUser(format!("{upn} or {to_upn}")));
        };
        let a_upn = store
            .tenant
            .user(&a.to_string())
            .map(|u| u.user_principal_name.clone());
        let b_upn = store
            .tenant
            .user(&b.to_string())
            .map(|u| u.user_principal_name.clone());
        if let (Some(a_upn), Some(b_upn)) = (a_upn, b_upn) {
            if let Some(user) = store.tenant.user_mut(&a.to_string()) {
                user.user_principal_name = b_upn;
            }
            if let Some(user) = store.tenant.user_mut(&b.to_string()) {
                user.user_principal_name = a_upn;
            }
        }
        self.shared.persist(&store);
        Ok(())
    }

    /// Every ticket in the emulated helpdesk's inbox (relay and Zendesk),
    /// oldest first.
    pub fn helpdesk_tickets(&self) -> Vec<HelpdeskTicket> {
        self.shared.store().helpdesk.tickets.clone()
    }

    /// Every account-recovery attempt on `/account-recovery`, oldest first,
    /// with the pass a recovery issued (a test hook: the user reads it off
    /// the page).
    pub fn account_recoveries(&self) -> Vec<recovery::RecoveryAttempt> {
        self.shared.store().recoveries.clone()
    }

    /// Every message in the emulated mailboxes (`/_emulator/mailbox`),
    /// oldest first.
    pub fn mail_messages(&self) -> Vec<mail::MailMessage> {
        self.shared.store().mail.messages.clone()
    }

    /// The ids of the user's authentication methods, as stored.
    pub fn method_ids(&self, upn: &str) -> Vec<String> {
        self.shared
            .store()
            .tenant
            .user(upn)
            .map(|u| u.methods.iter().map(|m| m.id.clone()).collect())
            .unwrap_or_default()
    }

    /// Every authorization code, access token (Graph's and the relay's) and
    /// refresh token issued so far, oldest first: a test hook for checking
    /// that an app never writes them to its logs or files.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.shared.store().grants.issued.clone()
    }

    /// The ids of the device keys the stand-in relay holds for `upn`
    /// (compared case-insensitively), oldest first.
    pub fn device_key_ids(&self, upn: &str) -> Vec<String> {
        self.shared
            .store()
            .helpdesk
            .device_keys
            .iter()
            .filter(|k| k.upn.eq_ignore_ascii_case(upn))
            .map(|k| k.key_id.clone())
            .collect()
    }

    /// Signs `claims` as an RS256 JWT with the tenant's signing key (the
    /// key the JWKS endpoint serves, its `kid` in the header). A test hook:
    /// Entra signs every tenant's and every app's tokens with the same
    /// published keys, so a token for another tenant, another app or a
    /// sign-in without MFA carries a valid signature too; tests make such
    /// tokens with this.
    pub fn sign_token(&self, claims: &serde_json::Value) -> Result<String, EmulatorError> {
        self.shared.signing.get()?.sign(claims)
    }

    /// What each bearer token presented to the stand-in relay
    /// (`/helpdesk/v1/device-keys...`) was for, oldest first: `graph` for
    /// one of this tenant's Graph access tokens, else the JWT's `aud`
    /// (e.g. `api://mfa-assistant-relay`), else `opaque`. Tokens are never
    /// kept. Lets a test prove the app never hands its Graph token to the
    /// relay.
    pub fn relay_bearer_audiences(&self) -> Vec<String> {
        self.shared.relay_bearers()
    }

    /// Issues a Temporary Access Pass to the user, replacing any pass they
    /// had (graph-auth-methods.md §5), and persists. The returned code is
    /// the only copy: Graph shows the method with `temporaryAccessPass:
    /// null`. Fails for an unknown user, or a lifetime that is not whole
    /// minutes between 10 and 43 200.
    pub fn issue_temporary_access_pass(
        &self,
        upn: &str,
        options: TapOptions,
    ) -> Result<IssuedTap, EmulatorError> {
        issue_temporary_access_pass(&self.shared, upn, &options).map(|(issued, _)| issued)
    }

    /// "Require re-registration" (graph-auth-methods.md §7): deletes the
    /// user's phones, Microsoft Authenticator and software OATH methods and
    /// clears their default; returns what was removed. Persists.
    pub fn require_reregistration(&self, upn: &str) -> Result<Vec<RemovedMethod>, EmulatorError> {
        require_reregistration(&self.shared, upn)
    }

    /// Stops the server and waits until it has stopped listening.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Ages the MFA time of the user's grants beyond the fresh-MFA window and
/// persists.
pub(crate) fn expire_fresh_mfa(shared: &Shared, upn: &str) -> Result<(), EmulatorError> {
    let mut store = shared.store();
    let Some(user_id) = store.tenant.user(upn).map(|u| u.id) else {
        return Err(EmulatorError::UnknownUser(upn.to_string()));
    };
    let window = shared.fresh_mfa_window.unwrap_or(DEFAULT_FRESH_MFA_WINDOW);
    let stale_at = OffsetDateTime::now_utc() - window - Duration::from_secs(60 * 60);
    store.grants.make_mfa_stale(user_id, stale_at);
    shared.persist(&store);
    Ok(())
}

/// Issues a Temporary Access Pass and persists; returns it with its Graph
/// JSON as the create call answers (code included).
pub(crate) fn issue_temporary_access_pass(
    shared: &Shared,
    upn: &str,
    options: &TapOptions,
) -> Result<(IssuedTap, serde_json::Value), EmulatorError> {
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let Some(user) = store.tenant.user_mut(upn) else {
        return Err(EmulatorError::UnknownUser(upn.to_string()));
    };
    let issued =
        tap::issue(user, options, now).map_err(EmulatorError::InvalidTemporaryAccessPass)?;
    let mut graph = user
        .methods
        .iter()
        .find(|m| m.id == issued.method_id)
        .map(|m| m.graph_json(true, now))
        .unwrap_or_default();
    graph["temporaryAccessPass"] = serde_json::Value::String(issued.code.clone());
    shared.persist(&store);
    Ok((issued, graph))
}

/// Deletes the user's phones, Authenticators and software OATH methods and
/// persists.
pub(crate) fn require_reregistration(
    shared: &Shared,
    upn: &str,
) -> Result<Vec<RemovedMethod>, EmulatorError> {
    let mut store = shared.store();
    let Some(user) = store.tenant.user_mut(upn) else {
        return Err(EmulatorError::UnknownUser(upn.to_string()));
    };
    let removed = tap::require_reregistration(user);
    shared.persist(&store);
    Ok(removed)
}

/// Moves the user's `signInSessionsValidFrom` to now and persists.
pub(crate) fn revoke(shared: &Shared, upn: &str) -> Result<(), EmulatorError> {
    let mut store = shared.store();
    let Some(user) = store.tenant.user_mut(upn) else {
        return Err(EmulatorError::UnknownUser(upn.to_string()));
    };
    user.sign_in_sessions_valid_from = OffsetDateTime::now_utc();
    shared.persist(&store);
    Ok(())
}
