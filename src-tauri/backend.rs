//! The app's state: the configuration, the session, and (in demo mode) the
//! in-process tenant emulator. Built once, in the background, on first use.

use std::path::PathBuf;
use std::sync::Arc;

use mfa_core::config::{self, Config, Endpoints};
use mfa_core::session::Session;
use mfa_core::token_store::DEFAULT_SERVICE;
use tokio::sync::OnceCell;

use crate::wire::{AppInfo, DemoUserView, ErrorCode, ErrorView, SettingsSourceView, TenantView};

/// Where the backend's configuration comes from.
#[derive(Debug, Clone)]
pub enum BackendSource {
    /// The configuration file (`MFA_ASSISTANT_CONFIG` or the platform's
    /// place), or the built-in demo tenant when there is none.
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
}

/// Everything a command needs.
pub struct Backend {
    pub session: Session,
    pub info: AppInfo,
    /// Keeps the demo tenant running as long as the app.
    #[cfg(feature = "demo-tenant")]
    _demo_tenant: Option<tenant_emulator::Emulator>,
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
            } = explicit.as_ref();
            let http = mfa_core::http::build_client(config.extra_root_certificate.as_deref())
                .map_err(config_error)?;
            let session =
                Session::new(config, endpoints, http, keychain_service).map_err(config_error)?;
            Ok(Backend {
                session,
                info: app_info(config, config.source.clone(), PathBuf::new(), Vec::new()),
                #[cfg(feature = "demo-tenant")]
                _demo_tenant: None,
            })
        }
        BackendSource::FromEnvironment => {
            let path = config::config_path_from_env().ok_or_else(|| {
                config_error("this platform has no configuration directory; set MFA_ASSISTANT_CONFIG to a file".into())
            })?;
            match config::load(&path).map_err(|e| config_error(e.to_string()))? {
                Some(config) => {
                    let endpoints = config.cloud.endpoints().ok_or_else(|| {
                        config_error(format!(
                            "{}: the demo cloud cannot be configured in a file",
                            path.display()
                        ))
                    })?;
                    let http =
                        mfa_core::http::build_client(config.extra_root_certificate.as_deref())
                            .map_err(|e| {
                                config_error(format!(
                                    "{}: key `extra_root_certificate`: {e}",
                                    path.display()
                                ))
                            })?;
                    let session = Session::new(&config, &endpoints, http, DEFAULT_SERVICE)
                        .map_err(config_error)?;
                    Ok(Backend {
                        info: app_info(&config, Some(path.clone()), path, Vec::new()),
                        session,
                        #[cfg(feature = "demo-tenant")]
                        _demo_tenant: None,
                    })
                }
                None => start_demo(path).await,
            }
        }
    }
}

#[cfg(feature = "demo-tenant")]
async fn start_demo(looked_for: PathBuf) -> Result<Backend, ErrorView> {
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
    let session = Session::new(&config, &endpoints, http, DEFAULT_SERVICE).map_err(internal)?;
    let users = demo::users()
        .iter()
        .map(|u| DemoUserView {
            upn: u.upn.to_owned(),
            password: u.password.to_owned(),
            display_name: u.display_name.to_owned(),
            story: u.story.to_owned(),
        })
        .collect();
    Ok(Backend {
        session,
        info: app_info(&config, None, looked_for, users),
        _demo_tenant: Some(emulator),
    })
}

#[cfg(not(feature = "demo-tenant"))]
async fn start_demo(looked_for: PathBuf) -> Result<Backend, ErrorView> {
    Err(config_error(format!(
        "no tenant is configured: create {} with `tenant` and `client_id` (see the README); \
         this build has no demo tenant",
        looked_for.display()
    )))
}

fn app_info(
    config: &Config,
    config_file: Option<PathBuf>,
    looked_for: PathBuf,
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
        settings_source: SettingsSourceView {
            config_file: config_file.map(|p| p.display().to_string()),
            looked_for: looked_for.display().to_string(),
        },
        demo_users,
    }
}
