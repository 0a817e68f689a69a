//! The app's composition root: reads the configuration (or starts the demo
//! tenant) and builds the [`Assistant`] the commands delegate to. Built
//! once, in the background, on first use.

use std::path::PathBuf;
use std::sync::Arc;

use mfa_core::assistant::{Assistant, ResetDesk};
use mfa_core::config::Helpdesk;
use mfa_core::config::{self, Config, Endpoints, Layered, Origin, Provenance};
use mfa_core::device_key::{DeviceEnroller, DeviceKeyStore};
use mfa_core::guardrails::Floor;
use mfa_core::helpdesk::Outbox;
use mfa_core::journey::JourneyStore;
use mfa_core::language::{self, ChoiceStore, CurrentLanguage, Language};
use mfa_core::session::Session;
use mfa_core::settings::SettingsInUse;
use mfa_core::token_store::DEFAULT_SERVICE;
use tokio::sync::OnceCell;

use crate::wire::{
    AppInfo, DemoUserView, ErrorCode, ErrorDetail, ErrorView, LanguageView, SettingsView,
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

/// The app's data directory, per user and per machine: `~/.local/share/
/// mfa-assistant` on Linux, Local AppData on Windows (not Roaming: a
/// roaming profile must not carry a pending request to another machine),
/// `~/Library/Application Support/mfa-assistant` on macOS.
fn data_dir() -> Result<PathBuf, ErrorView> {
    directories::ProjectDirs::from("", "", "mfa-assistant")
        .map(|d| d.data_local_dir().to_owned())
        .ok_or_else(|| {
            ErrorView::new(
                ErrorCode::Internal,
                "this platform has no data directory for the app",
            )
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

/// What the commands need: the app's own facts and the assistant.
pub struct Backend {
    pub info: AppInfo,
    pub assistant: Arc<Assistant>,
    /// Keeps the demo tenant running as long as the app.
    #[cfg(feature = "demo-tenant")]
    _demo_tenant: Option<tenant_emulator::Emulator>,
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
    /// The window's language, for the sign-in's browser page.
    language: CurrentLanguage,
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
    let mut reset = ResetDesk::new(
        p.helpdesk.clone(),
        Outbox::new(p.data_dir.join("outbox").join(store_name(p.config))),
        p.organisation_domains,
        Some(p.config.tenant.clone()),
        env!("CARGO_PKG_VERSION"),
    );
    let mut session = p.session.with_language(p.language.clone());
    if let Some((relay, scope)) = &relay {
        let store = DeviceKeyStore::new(p.keychain_service, &p.config.keychain_account());
        reset = reset.with_device_keys(store.clone());
        session = session.with_device_proof(DeviceEnroller::new(
            p.http.clone(),
            relay,
            scope,
            store,
            env!("CARGO_PKG_VERSION"),
        ));
    }
    reset.deliver_in_background(p.http.clone());
    let security_info_url = p
        .layered
        .security_info_url
        .clone()
        .unwrap_or_else(|| config::security_info_url(&p.config.cloud, p.endpoints));
    let account_recovery = p
        .layered
        .account_recovery
        .then(|| config::account_recovery_url(&p.config.cloud, p.endpoints, &security_info_url));
    let settings = SettingsInUse::new(p.config, p.endpoints, p.layered);
    let settings_view = SettingsView::from(&settings);
    let journeys = JourneyStore::new(p.data_dir.join("journeys").join(store_name(p.config)));
    let mut assistant = Assistant::new(
        Arc::new(session),
        journeys,
        p.layered.floor,
        security_info_url,
    )
    .with_reset_desk(reset)
    .with_settings(settings)
    .with_telephony(config::telephony(
        &p.config.cloud,
        p.layered.own_telecom_provider,
    ));
    if let Some(url) = account_recovery {
        assistant = assistant.with_account_recovery(url);
    }
    let info = app_info(
        p.config,
        settings_view,
        p.demo_users,
        p.helpdesk.is_some(),
        assistant.account_recovery_reasons(),
    );
    Backend {
        info,
        assistant: Arc::new(assistant),
        #[cfg(feature = "demo-tenant")]
        _demo_tenant: None,
    }
}

/// Managed Tauri state: cheap to clone, initialised once.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    source: BackendSource,
    backend: OnceCell<Result<Arc<Backend>, ErrorView>>,
    languages: Languages,
}

impl AppState {
    pub fn new(source: BackendSource) -> AppState {
        let (dir, organisation) = match &source {
            BackendSource::Explicit(explicit) => (Some(explicit.data_dir.clone()), None),
            // The organisation's default language, read before the backend
            // starts (the window needs its language first); a bad file is
            // reported by the backend, here it only means no default.
            BackendSource::FromEnvironment => (
                data_dir().ok(),
                config::load_layered_from(
                    &config::managed_source(),
                    config::config_path_from_env().as_deref(),
                )
                .ok()
                .and_then(|l| l.language),
            ),
        };
        AppState(Arc::new(Inner {
            source,
            backend: OnceCell::new(),
            languages: Languages::new(dir.map(ChoiceStore::new), organisation),
        }))
    }

    /// The window's language (needs no backend).
    pub fn languages(&self) -> &Languages {
        &self.0.languages
    }

    /// The backend, starting it on first call. A configuration error is
    /// remembered and returned to every command, naming file and key.
    pub async fn backend(&self) -> Result<Arc<Backend>, ErrorView> {
        self.0
            .backend
            .get_or_init(|| async {
                start(&self.0.source, &self.0.languages.current)
                    .await
                    .map(Arc::new)
            })
            .await
            .clone()
    }

    /// The assistant the commands delegate to (see [`AppState::backend`]).
    pub async fn assistant(&self) -> Result<Arc<Assistant>, ErrorView> {
        Ok(self.backend().await?.assistant.clone())
    }
}

/// The window's language: `MFA_ASSISTANT_LANGUAGE`, the choice made in the
/// window (owner-only `language.json` in the app's data folder), the
/// organisation's `language` setting and the system's preferences, read
/// once at start (`mfa_core::language`).
pub struct Languages {
    store: Option<ChoiceStore>,
    /// The organisation's `language` setting.
    organisation: Option<Language>,
    forced: Option<String>,
    os: Vec<String>,
    /// The language the window was last given, for words Rust itself must
    /// show (the browser's "signed in" page).
    current: CurrentLanguage,
}

impl Languages {
    pub fn new(store: Option<ChoiceStore>, organisation: Option<Language>) -> Languages {
        Languages {
            store,
            organisation,
            forced: std::env::var(language::OVERRIDE_VAR)
                .ok()
                .filter(|v| !v.is_empty()),
            os: language::os_preferences(),
            current: CurrentLanguage::default(),
        }
    }

    /// The language for a window whose webview prefers `webview`.
    pub fn current(&self, webview: Vec<String>) -> LanguageView {
        let chosen = self.store.as_ref().and_then(ChoiceStore::load);
        let forced = self.forced.as_deref().and_then(Language::matching);
        let decided = language::decide(&language::Sources {
            forced: self.forced.as_deref(),
            chosen,
            organisation: self.organisation,
            os: &self.os,
            webview: &webview,
        });
        self.current.set(decided);
        LanguageView {
            language: decided.tag().to_owned(),
            chosen: forced.is_none() && chosen == Some(decided),
            forced: forced.is_some(),
        }
    }

    /// The language the window was last given.
    pub fn in_use(&self) -> Language {
        self.current.get()
    }

    /// Remembers `choice` (`None`: follow the system again).
    pub fn choose(&self, choice: Option<Language>) -> Result<(), ErrorView> {
        let store = self.store.as_ref().ok_or_else(|| {
            ErrorView::new(
                ErrorCode::Internal,
                "this platform has no data directory for the app",
            )
        })?;
        store.save(choice).map_err(|e| {
            ErrorView::new(
                ErrorCode::Internal,
                format!("{}: {e}", store.path().display()),
            )
        })
    }
}

fn config_error(message: String) -> ErrorView {
    ErrorView::new(ErrorCode::ConfigInvalid, message)
}

async fn start(source: &BackendSource, language: &CurrentLanguage) -> Result<Backend, ErrorView> {
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
                own_telecom_provider: false,
                account_recovery: false,
                language: None,
                security_info_url: None,
                organisation_domains: Vec::new(),
                provenance: Provenance {
                    managed_file: PathBuf::new(),
                    managed_kind: config::ManagedKind::File,
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
                language: language.clone(),
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
            let managed = config::managed_source();
            let user = config::config_path_from_env();
            let layered = config::load_layered_from(&managed, user.as_deref())?;
            match &layered.config {
                Some(config) => {
                    let endpoints = config
                        .cloud
                        .endpoints()
                        .expect("files cannot name the demo cloud");
                    let http =
                        mfa_core::http::build_client(config.extra_root_certificate.as_deref())
                            .map_err(|e| {
                                let key = "extra_root_certificate";
                                let file = match layered.provenance.origin(key) {
                                    Origin::User => layered.provenance.user_file.clone(),
                                    _ => Some(layered.provenance.managed_file.clone()),
                                };
                                config_error(format!("key `{key}`: {e}")).with(
                                    ErrorDetail::Setting {
                                        file: file.unwrap_or_default().display().to_string(),
                                        key: Some(key.to_owned()),
                                    },
                                )
                            })?;
                    let session = Session::new(config, &endpoints, http.clone(), DEFAULT_SERVICE)
                        .map_err(config_error)?;
                    Ok(assemble(Parts {
                language: language.clone(),
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
                None if layered.demo_allowed => start_demo(&layered, language).await,
                None => Err(ErrorView::new(
                    ErrorCode::NotConfigured,
                    format!(
                        "no tenant is configured and {} turns the demo tenant off (allow_demo_tenant = false); \
                         `tenant` and `client_id` belong in that file",
                        layered.provenance.managed_file.display()
                    ),
                )
                .with(ErrorDetail::Setting {
                    file: layered.provenance.managed_file.display().to_string(),
                    key: Some("allow_demo_tenant".to_owned()),
                })),
            }
        }
    }
}

#[cfg(feature = "demo-tenant")]
async fn start_demo(layered: &Layered, language: &CurrentLanguage) -> Result<Backend, ErrorView> {
    use tenant_emulator::{demo, Emulator, EmulatorConfig};
    let internal = |message: String| ErrorView::new(ErrorCode::Internal, message);
    // The demo tenant keeps its state (users, methods, refresh tokens) next to
    // the app's data, so a demo sign-in survives a restart like a real one.
    let state_dir = directories::ProjectDirs::from("", "", "mfa-assistant")
        .map(|d| d.data_local_dir().join("demo-tenant"))
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
    // The demo tenant has Entra account recovery turned on (its emulated ID
    // check), unless a configuration file says otherwise.
    let mut layered = layered.clone();
    if layered.provenance.origin("account_recovery") == config::Origin::BuiltIn {
        layered.account_recovery = true;
    }
    let mut backend = assemble(Parts {
        language: language.clone(),
        config: &config,
        endpoints: &endpoints,
        layered: &layered,
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
async fn start_demo(layered: &Layered, _language: &CurrentLanguage) -> Result<Backend, ErrorView> {
    let p = &layered.provenance;
    let user = p
        .user_file
        .as_ref()
        .map(|u| format!(" or {}", u.display()))
        .unwrap_or_default();
    Err(ErrorView::new(
        ErrorCode::NotConfigured,
        format!(
            "no tenant is configured: set `tenant` and `client_id` in {}{user} (see the README); \
             this build has no demo tenant",
            p.managed_file.display()
        ),
    )
    .with(ErrorDetail::Setting {
        file: p.managed_file.display().to_string(),
        key: Some("tenant".to_owned()),
    }))
}

fn app_info(
    config: &Config,
    settings: SettingsView,
    demo_users: Vec<DemoUserView>,
    helpdesk_configured: bool,
    account_recovery_for: Vec<helpdesk_contract::Reason>,
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
        settings,
        demo_users,
        helpdesk_configured,
        account_recovery_for,
    }
}
