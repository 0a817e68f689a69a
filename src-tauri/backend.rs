//! The app's state: the configuration, the session, and (in demo mode) the
//! in-process tenant emulator. Built once, in the background, on first use.

use std::path::PathBuf;
use std::sync::Arc;

use mfa_core::assistant::Assistant;
use mfa_core::config::Helpdesk;
use mfa_core::config::{self, Config, Endpoints, Layered, Origin, Provenance};
use mfa_core::device_key::{DeviceEnroller, DeviceKeyStore};
use mfa_core::guardrails::Floor;
use mfa_core::helpdesk::{Outbox, ResetRequest};
use mfa_core::journey::JourneyStore;
use mfa_core::session::Session;
use mfa_core::token_store::DEFAULT_SERVICE;
use tokio::sync::OnceCell;

use crate::wire::{
    AppInfo, DemoUserView, ErrorCode, ErrorView, SettingOrigin, SettingView, SettingsView,
    TenantView,
};

/// Where the backend's configuration comes from.
#[derive(Debug, Clone)]
pub enum BackendSource {
    /// The organisation's managed file and the user's file
    /// (`MFA_ASSISTANT_CONFIG` or the platform's place), or the built-in demo
    /// tenant when neither names a tenant.
    FromEnvironment,
    /// A given configuration (tests on the mock runtime).
    Explicit(Box<ExplicitBackend>),
}

/// A configuration given directly instead of read from a file.
#[derive(Debug, Clone)]
pub struct ExplicitBackend {
    pub config: Config,
    pub endpoints: Endpoints,
    pub keychain_service: String,
    /// Where journeys, the activity log and the outbox are kept.
    pub data_dir: PathBuf,
    pub helpdesk: Option<Helpdesk>,
    /// The relay's own scope (`[helpdesk] relay_scope`); without it no
    /// device proof is offered.
    pub relay_scope: Option<String>,
    pub organisation_domains: Vec<String>,
}

/// The app's data directory (`~/.local/share/mfa-assistant` on Linux).
fn data_dir() -> Result<PathBuf, ErrorView> {
    directories::ProjectDirs::from("", "", "mfa-assistant")
        .map(|d| d.data_dir().to_owned())
        .ok_or_else(|| ErrorView {
            code: ErrorCode::Internal,
            message: "this platform has no data directory for the app".into(),
        })
}

/// A tenant's journeys and requests live apart from another tenant's.
fn store_name(config: &Config) -> String {
    config
        .keychain_account()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Everything a command needs.
pub struct Backend {
    pub session: Arc<Session>,
    pub info: AppInfo,
    /// The journeys' intents over this session, with the journeys in progress
    /// and the activity log (the app's data directory).
    pub assistant: Assistant,
    pub floor: Floor,
    pub security_info_url: tauri::Url,
    /// The Security Info page as a QR code (SVG), for the new phone to open.
    pub security_info_qr_svg: String,
    /// The locked-out path: where requests go (none if the organisation
    /// configured none), their durable outbox, and what a request is checked against.
    pub reset: ResetRequests,
    /// Keeps the demo tenant running as long as the app.
    #[cfg(feature = "demo-tenant")]
    _demo_tenant: Option<tenant_emulator::Emulator>,
}

/// Everything "request admin reset" needs; it works without any sign-in.
pub struct ResetRequests {
    pub helpdesk: Option<Helpdesk>,
    pub outbox: Outbox,
    pub organisation_domains: Vec<String>,
    pub tenant: Option<String>,
    /// Requests the user has previewed but not sent, by draft id: what is
    /// sent is exactly what was shown.
    pub drafts: std::sync::Mutex<std::collections::HashMap<String, ResetRequest>>,
    /// Wakes the delivery task when a request is queued.
    pub wake: Arc<tokio::sync::Notify>,
    /// This computer's device keys, when the helpdesk is a relay (device
    /// proof); requests to it are signed with them.
    pub device_keys: Option<DeviceKeyStore>,
}

/// The parts every way of starting shares.
struct Parts<'a> {
    config: &'a Config,
    endpoints: &'a Endpoints,
    layered: &'a Layered,
    session: Session,
    http: reqwest::Client,
    /// The keychain service of the refresh token (and of device keys).
    keychain_service: &'a str,
    data_dir: &'a std::path::Path,
    demo_users: Vec<DemoUserView>,
    helpdesk: Option<Helpdesk>,
    /// The relay's own scope; device proof needs it (never a Graph token).
    relay_scope: Option<String>,
    organisation_domains: Vec<String>,
}

fn assemble(p: Parts<'_>) -> Backend {
    // Device proof when the helpdesk is a relay: each sign-in enrols this
    // computer's key for the account (in the background), and requests to
    // the relay are signed with it.
    // Only with the relay's own scope configured: the app asks Entra for a
    // token for it and never hands the relay its Graph token instead.
    let relay = match (&p.helpdesk, &p.relay_scope) {
        (Some(Helpdesk::Relay(url)), Some(scope)) => Some((url.clone(), scope.clone())),
        (Some(Helpdesk::Relay(_)), None) => {
            tracing::info!(
                "no [helpdesk] relay_scope: reset requests go unsigned (no device proof)"
            );
            None
        }
        _ => None,
    };
    let device_keys = relay
        .as_ref()
        .map(|_| DeviceKeyStore::new(p.keychain_service, &p.config.keychain_account()));
    let mut outbox = Outbox::new(p.data_dir.join("outbox").join(store_name(p.config)));
    let mut session = p.session;
    if let (Some((relay, scope)), Some(store)) = (&relay, &device_keys) {
        outbox = outbox.with_device_keys(store.clone());
        session = session.with_device_proof(DeviceEnroller::new(
            p.http.clone(),
            relay,
            scope,
            store.clone(),
            env!("CARGO_PKG_VERSION"),
        ));
    }
    let wake = Arc::new(tokio::sync::Notify::new());
    if let Some(helpdesk) = p.helpdesk.clone() {
        spawn_delivery(outbox.clone(), p.http.clone(), helpdesk, wake.clone());
    }
    let security_info_url = p
        .layered
        .security_info_url
        .clone()
        .unwrap_or_else(|| config::security_info_url(&p.config.cloud, p.endpoints));
    let mut info = app_info(p.config, p.endpoints, p.layered, p.demo_users);
    info.helpdesk_configured = p.helpdesk.is_some();
    let session = Arc::new(session);
    let journeys = JourneyStore::new(p.data_dir.join("journeys").join(store_name(p.config)));
    Backend {
        info,
        assistant: Assistant::new(session.clone(), journeys, p.layered.floor),
        session,
        floor: p.layered.floor,
        security_info_qr_svg: mfa_core::qr::svg_for(security_info_url.as_str()).unwrap_or_default(),
        security_info_url,
        reset: ResetRequests {
            helpdesk: p.helpdesk,
            outbox,
            organisation_domains: p.organisation_domains,
            tenant: Some(p.config.tenant.clone()),
            drafts: std::sync::Mutex::new(std::collections::HashMap::new()),
            wake,
            device_keys,
        },
        #[cfg(feature = "demo-tenant")]
        _demo_tenant: None,
    }
}

/// Delivers the outbox in the background: at start (requests left from a
/// previous run), when woken, and when the next retry is due.
fn spawn_delivery(
    outbox: Outbox,
    http: reqwest::Client,
    helpdesk: Helpdesk,
    wake: Arc<tokio::sync::Notify>,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            let now = time::OffsetDateTime::now_utc();
            if let Err(e) = outbox.deliver_due(&http, &helpdesk, now).await {
                tracing::warn!("reset requests: {e}");
            }
            let wait = match outbox.next_due() {
                Ok(Some(at)) => {
                    let left = at - time::OffsetDateTime::now_utc();
                    std::time::Duration::try_from(left).unwrap_or_default()
                }
                Ok(None) => std::time::Duration::from_secs(3600),
                Err(e) => {
                    tracing::warn!("reset requests: {e}");
                    std::time::Duration::from_secs(30)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait.max(std::time::Duration::from_millis(200))) => {}
                _ = wake.notified() => {}
            }
        }
    });
}

/// Managed Tauri state: cheap to clone, initialised once.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    source: BackendSource,
    backend: OnceCell<Result<Arc<Backend>, ErrorView>>,
}

impl AppState {
    pub fn new(source: BackendSource) -> AppState {
        AppState(Arc::new(Inner {
            source,
            backend: OnceCell::new(),
        }))
    }

    /// The backend, starting it on first call. A configuration error is
    /// remembered and returned to every command, naming file and key.
    pub async fn backend(&self) -> Result<Arc<Backend>, ErrorView> {
        self.0
            .backend
            .get_or_init(|| async { start(&self.0.source).await.map(Arc::new) })
            .await
            .clone()
    }
}

fn config_error(message: String) -> ErrorView {
    ErrorView {
        code: ErrorCode::ConfigInvalid,
        message,
    }
}

async fn start(source: &BackendSource) -> Result<Backend, ErrorView> {
    match source {
        BackendSource::Explicit(explicit) => {
            let ExplicitBackend {
                config,
                endpoints,
                keychain_service,
                data_dir,
                helpdesk,
                relay_scope,
                organisation_domains,
            } = explicit.as_ref();
            let http = mfa_core::http::build_client(config.extra_root_certificate.as_deref())
                .map_err(config_error)?;
            let session = Session::new(config, endpoints, http.clone(), keychain_service)
                .map_err(config_error)?;
            let layered = Layered {
                config: Some(config.clone()),
                helpdesk: None,
                relay_scope: None,
                demo_allowed: true,
                floor: Floor::DEFAULT,
                security_info_url: None,
                organisation_domains: Vec::new(),
                provenance: Provenance {
                    managed_file: PathBuf::new(),
                    managed_found: false,
                    user_file: config.source.clone(),
                    user_found: config.source.is_some(),
                    origins: ["cloud", "tenant", "client_id"]
                        .into_iter()
                        .map(|k| (k, Origin::User))
                        .collect(),
                    ignored: Vec::new(),
                },
            };
            Ok(assemble(Parts {
                config,
                endpoints,
                layered: &layered,
                session,
                http,
                keychain_service,
                data_dir,
                demo_users: Vec::new(),
                helpdesk: helpdesk.clone(),
                relay_scope: relay_scope.clone(),
                organisation_domains: organisation_domains.clone(),
            }))
        }
        BackendSource::FromEnvironment => {
            let managed = config::managed_config_path();
            let user = config::config_path_from_env();
            let layered = config::load_layered(&managed, user.as_deref())
                .map_err(|e| config_error(e.to_string()))?;
            match &layered.config {
                Some(config) => {
                    let endpoints = config
                        .cloud
                        .endpoints()
                        .expect("files cannot name the demo cloud");
                    let http =
                        mfa_core::http::build_client(config.extra_root_certificate.as_deref())
                            .map_err(|e| {
                                config_error(format!("key `extra_root_certificate`: {e}"))
                            })?;
                    let session = Session::new(config, &endpoints, http.clone(), DEFAULT_SERVICE)
                        .map_err(config_error)?;
                    Ok(assemble(Parts {
                        config,
                        endpoints: &endpoints,
                        layered: &layered,
                        session,
                        http,
                        keychain_service: DEFAULT_SERVICE,
                        data_dir: &data_dir()?,
                        demo_users: Vec::new(),
                        helpdesk: layered.helpdesk.clone(),
                        relay_scope: layered.relay_scope.clone(),
                        organisation_domains: layered.organisation_domains.clone(),
                    }))
                }
                None if layered.demo_allowed => start_demo(&layered).await,
                None => Err(ErrorView {
                    code: ErrorCode::NotConfigured,
                    message: format!(
                        "no tenant is configured and {} turns the demo tenant off (allow_demo_tenant = false); \
                         `tenant` and `client_id` belong in that file",
                        layered.provenance.managed_file.display()
                    ),
                }),
            }
        }
    }
}

#[cfg(feature = "demo-tenant")]
async fn start_demo(layered: &Layered) -> Result<Backend, ErrorView> {
    use tenant_emulator::{demo, Emulator, EmulatorConfig};
    let internal = |message: String| ErrorView {
        code: ErrorCode::Internal,
        message,
    };
    // The demo tenant keeps its state (users, methods, refresh tokens) next to
    // the app's data, so a demo sign-in survives a restart like a real one.
    let state_dir = directories::ProjectDirs::from("", "", "mfa-assistant")
        .map(|d| d.data_dir().join("demo-tenant"))
        .ok_or_else(|| {
            internal("this platform has no data directory for the demo tenant".into())
        })?;
    let emulator = Emulator::start(EmulatorConfig {
        state_dir: Some(state_dir),
        ..EmulatorConfig::default()
    })
    .await
    .map_err(|e| internal(format!("the demo tenant could not start: {e}")))?;
    let base = emulator.base_url();
    tracing::info!(%base, "demo tenant running");
    let config = Config::demo(demo::TENANT_ID, demo::CLIENT_ID);
    let endpoints = Endpoints {
        authority_host: base.clone(),
        graph_base: base,
    };
    let http = mfa_core::http::build_client(None).map_err(internal)?;
    let session =
        Session::new(&config, &endpoints, http.clone(), DEFAULT_SERVICE).map_err(internal)?;
    let users = demo::users()
        .iter()
        .map(|u| DemoUserView {
            upn: u.upn.to_owned(),
            password: u.password.to_owned(),
            display_name: u.display_name.to_owned(),
            story: u.story.to_owned(),
        })
        .collect();
    // The demo tenant's own helpdesk takes requests, unless the
    // organisation's file names one; its relay is the demo tenant's
    // "MFA Assistant relay" API.
    let relay_scope = match &layered.helpdesk {
        Some(_) => layered.relay_scope.clone(),
        None => Some(demo::RELAY_SCOPE.to_owned()),
    };
    let helpdesk = layered.helpdesk.clone().or_else(|| {
        endpoints
            .authority_host
            .join("helpdesk/")
            .ok()
            .map(Helpdesk::Relay)
    });
    let mut backend = assemble(Parts {
        config: &config,
        endpoints: &endpoints,
        layered,
        session,
        http,
        keychain_service: DEFAULT_SERVICE,
        data_dir: &data_dir()?,
        demo_users: users,
        helpdesk,
        relay_scope,
        organisation_domains: vec![demo::DOMAIN.to_owned()],
    });
    backend._demo_tenant = Some(emulator);
    Ok(backend)
}

#[cfg(not(feature = "demo-tenant"))]
async fn start_demo(layered: &Layered) -> Result<Backend, ErrorView> {
    let p = &layered.provenance;
    let user = p
        .user_file
        .as_ref()
        .map(|u| format!(" or {}", u.display()))
        .unwrap_or_default();
    Err(ErrorView {
        code: ErrorCode::NotConfigured,
        message: format!(
            "no tenant is configured: set `tenant` and `client_id` in {}{user} (see the README); \
             this build has no demo tenant",
            p.managed_file.display()
        ),
    })
}

fn app_info(
    config: &Config,
    endpoints: &Endpoints,
    layered: &Layered,
    demo_users: Vec<DemoUserView>,
) -> AppInfo {
    let demo = matches!(config.cloud, config::Cloud::Demo);
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        tenant: TenantView {
            demo,
            display_name: if demo {
                "Contoso (demo tenant)".to_owned()
            } else {
                config.tenant.clone()
            },
            cloud: config.cloud.name().to_owned(),
            tenant: config.tenant.clone(),
        },
        settings: settings_view(config, endpoints, layered),
        demo_users,
        helpdesk_configured: false,
    }
}

/// Every setting in use with where it came from. The demo tenant's own
/// values (cloud, tenant, app, endpoints) are marked as the demo's.
fn settings_view(config: &Config, endpoints: &Endpoints, layered: &Layered) -> SettingsView {
    let provenance = &layered.provenance;
    let helpdesk = layered.helpdesk.as_ref();
    let demo = matches!(config.cloud, config::Cloud::Demo);
    let origin_of = |key: &str| -> SettingOrigin {
        let tenant_key = matches!(
            key,
            "cloud" | "tenant" | "client_id" | "authority_host" | "graph_base"
        );
        if demo && tenant_key {
            return SettingOrigin::Demo;
        }
        // Endpoints of a named cloud come with the cloud.
        let key = match (key, &config.cloud) {
            ("authority_host" | "graph_base", config::Cloud::Custom { .. }) => key,
            ("authority_host" | "graph_base", _) => "cloud",
            _ => key,
        };
        match provenance.origin(key) {
            Origin::Managed => SettingOrigin::Managed,
            Origin::User => SettingOrigin::User,
            Origin::BuiltIn => SettingOrigin::BuiltIn,
        }
    };
    let entry = |key: &str, value: Option<String>| SettingView {
        key: key.to_owned(),
        value,
        detail: None,
        origin: origin_of(key),
    };
    let mut entries = vec![
        entry("cloud", Some(config.cloud.name().to_owned())),
        entry("tenant", Some(config.tenant.clone())),
        entry("client_id", Some(config.client_id.clone())),
        entry("authority_host", Some(endpoints.authority_host.to_string())),
        entry("graph_base", Some(endpoints.graph_base.to_string())),
        entry("scopes", Some(config.scopes.join(" "))),
        entry(
            "sign_in_timeout_seconds",
            Some(config.sign_in_timeout.as_secs().to_string()),
        ),
        entry(
            "extra_root_certificate",
            config
                .extra_root_certificate
                .as_ref()
                .map(|p| p.display().to_string()),
        ),
        entry(
            "security_info_url",
            Some(
                layered
                    .security_info_url
                    .clone()
                    .unwrap_or_else(|| config::security_info_url(&config.cloud, endpoints))
                    .to_string(),
            ),
        ),
        entry(
            "recommended_methods",
            Some(layered.floor.recommended().to_string()),
        ),
        entry(
            "required_methods",
            Some(layered.floor.required().to_string()),
        ),
        SettingView {
            detail: helpdesk.map(|h| h.kind().to_owned()),
            ..entry("helpdesk", helpdesk.map(|h| h.url().to_string()))
        },
    ];
    // A relay signs requests from enrolled devices only with its own scope
    // to enrol for; without it the user's requests go unsigned.
    if let Some(mfa_core::config::Helpdesk::Relay(_)) = helpdesk {
        entries.push(entry("relay_scope", layered.relay_scope.clone()));
    }
    if provenance.origin("allow_demo_tenant") == Origin::Managed {
        entries.push(entry(
            "allow_demo_tenant",
            Some(layered.demo_allowed.to_string()),
        ));
    }
    SettingsView {
        managed_file: provenance.managed_file.display().to_string(),
        managed_found: provenance.managed_found,
        user_file: provenance
            .user_file
            .as_ref()
            .map(|p| p.display().to_string()),
        user_found: provenance.user_found,
        entries,
        ignored: provenance.ignored.iter().map(|k| (*k).to_owned()).collect(),
    }
}
