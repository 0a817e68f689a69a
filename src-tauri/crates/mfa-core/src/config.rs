//! Configuration: which cloud, tenant and app registration to talk to.
//!
//! Two TOML files, in layers: the organisation's managed, machine-wide file
//! ([`managed_source`]), whose every key is locked, and the user's own
//! file at the platform's usual place ([`default_config_path`]) or wherever
//! `MFA_ASSISTANT_CONFIG` points. With no tenant in either, the built-in demo
//! tenant runs (unless the organisation forbids it). Every problem is reported
//! with the file, the key and what is allowed, and nothing in a bad file is
//! half-applied. [`Provenance`] records where each setting came from.
//!
//! Invariant: every outside service is reached through a base URL from here,
//! and every base URL is `https`, except loopback addresses (the emulator).

use std::path::{Path, PathBuf};

pub use crate::policy::{ManagedKind, ManagedSource};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::guardrails::Floor;

/// Environment variable naming a configuration file to use instead of the
/// platform default (documented in the README; tests use it).
pub const CONFIG_ENV: &str = "MFA_ASSISTANT_CONFIG";

/// The least-privileged delegated scopes the app needs (graph-auth-methods.md §1).
pub const DEFAULT_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "offline_access",
    "User.Read",
    "UserAuthenticationMethod.Read",
];

/// How long the app waits for the browser to come back by default.
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// A national cloud or a custom deployment: where sign-in and Graph live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cloud {
    Public,
    /// US Government L4 (GCC High).
    UsGovernment,
    /// US Government L5 (DoD): its own Graph host, the US Government sign-in
    /// host (Microsoft's "national cloud deployments" page lists one Entra
    /// endpoint for Azure US Government).
    UsGovernmentDoD,
    /// Operated by 21Vianet: the v1.0 authentication-methods API is marked
    /// not available there, so Graph calls use beta ([`Cloud::graph_api`]).
    China,
    /// Explicit endpoints, for clouds not listed and for the emulator run on
    /// its own; `graph_api` says where its authentication-methods API lives
    /// (v1.0 unless the file says `graph_api = "beta"`, as for a cloud
    /// operated like 21Vianet's).
    Custom {
        authority_host: Url,
        graph_base: Url,
        graph_api: GraphApi,
    },
    /// The built-in demo tenant; its endpoints are known only once it runs.
    Demo,
}

impl Cloud {
    pub fn name(&self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGovernment => "usGovernment",
            Cloud::UsGovernmentDoD => "usGovernmentDoD",
            Cloud::China => "china",
            Cloud::Custom { .. } => "custom",
            Cloud::Demo => "demo",
        }
    }

    /// The identity platform host and the Graph base URL, `None` for `Demo`.
    pub fn endpoints(&self) -> Option<Endpoints> {
        let fixed = |login: &str, graph: &str| Endpoints {
            authority_host: Url::parse(login).expect("static URL"),
            graph_base: Url::parse(graph).expect("static URL"),
        };
        match self {
            Cloud::Public => Some(fixed(
                "https://login.microsoftonline.com/",
                "https://graph.microsoft.com/",
            )),
            Cloud::UsGovernment => Some(fixed(
                "https://login.microsoftonline.us/",
                "https://graph.microsoft.us/",
            )),
            Cloud::UsGovernmentDoD => Some(fixed(
                "https://login.microsoftonline.us/",
                "https://dod-graph.microsoft.us/",
            )),
            Cloud::China => Some(fixed(
                "https://login.chinacloudapi.cn/",
                "https://microsoftgraph.chinacloudapi.cn/",
            )),
            Cloud::Custom {
                authority_host,
                graph_base,
                ..
            } => Some(Endpoints {
                authority_host: authority_host.clone(),
                graph_base: graph_base.clone(),
            }),
            Cloud::Demo => None,
        }
    }

    /// Which Graph version carries the authentication-methods API here.
    pub fn graph_api(&self) -> GraphApi {
        match self {
            Cloud::China => GraphApi::Beta,
            Cloud::Custom { graph_api, .. } => *graph_api,
            _ => GraphApi::V1,
        }
    }

    /// Whether the cloud's Security Info address comes from a Microsoft
    /// page. Only the public cloud's does; the others follow its pattern and
    /// are shown as unverified, overridable with `security_info_url`.
    pub fn security_info_url_verified(&self) -> bool {
        !matches!(
            self,
            Cloud::UsGovernment | Cloud::UsGovernmentDoD | Cloud::China
        )
    }
}

/// What SMS and voice are in `cloud`: Microsoft ends them in the public
/// cloud on 1 Feb 2027 unless the organisation has its own telecom provider;
/// for the US Government and China clouds Microsoft has announced nothing
/// ("other clouds later", concept-sms-voice-retirement.md), so the app says
/// nothing either. A custom cloud follows the public cloud's rule: custom
/// endpoints are the emulator or the public cloud behind a proxy, and an
/// organisation for which that is wrong sets `own_telecom_provider`. The
/// demo tenant plays the public cloud.
pub fn telephony(cloud: &Cloud, own_telecom_provider: bool) -> crate::health::Telephony {
    use crate::health::Telephony;
    match cloud {
        Cloud::UsGovernment | Cloud::UsGovernmentDoD | Cloud::China => Telephony::NotAnnounced,
        _ if own_telecom_provider => Telephony::OwnProvider,
        Cloud::Public | Cloud::Custom { .. } | Cloud::Demo => Telephony::Ending,
    }
}

/// The Security Info page for a cloud, where users register what Graph
/// cannot create (Authenticator, authenticator apps, security keys). For a
/// custom cloud (and the emulator) it is `{authority_host}security-info`.
/// The US Government and China addresses follow the public cloud's pattern:
/// no Microsoft page names them ([`Cloud::security_info_url_verified`]), so
/// they can be overridden with `security_info_url`.
pub fn security_info_url(cloud: &Cloud, endpoints: &Endpoints) -> Url {
    let fixed = |s: &str| Url::parse(s).expect("static URL");
    match cloud {
        Cloud::Public => fixed("https://mysignins.microsoft.com/security-info"),
        Cloud::UsGovernment | Cloud::UsGovernmentDoD => {
            fixed("https://mysignins.microsoft.us/security-info")
        }
        Cloud::China => fixed("https://mysignins.azure.cn/security-info"),
        Cloud::Custom { .. } | Cloud::Demo => endpoints
            .authority_host
            .join("security-info")
            .expect("a relative path joins"),
    }
}

/// Where the app sends a user to start Entra account recovery. Microsoft
/// starts recovery inside its own sign-in: a user who cannot finish the
/// second step is offered it there (how-to-account-recovery-for-users);
/// no Microsoft page gives an address that opens recovery directly. So in
/// Microsoft's clouds the app opens the Security Info page (`security_info`,
/// the organisation's override or the cloud's own), whose sign-in leads
/// there. The emulator serves a recovery page of its own, so for a custom
/// cloud (and the demo) it is `{authority_host}account-recovery`.
pub fn account_recovery_url(cloud: &Cloud, endpoints: &Endpoints, security_info: &Url) -> Url {
    match cloud {
        Cloud::Custom { .. } | Cloud::Demo => endpoints
            .authority_host
            .join("account-recovery")
            .expect("a relative path joins"),
        Cloud::Public | Cloud::UsGovernment | Cloud::UsGovernmentDoD | Cloud::China => {
            security_info.clone()
        }
    }
}

/// Which Graph version carries the authentication-methods API in a cloud.
///
/// Microsoft's v1.0 pages for listing methods and for most deletes name the
/// global service and US Government (L4, L5) only, not China operated by
/// 21Vianet; the beta pages mark them available there. So a China tenant is
/// read and changed through `/beta`, everywhere else through `/v1.0`.
/// `signInPreferences` is beta in every cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphApi {
    V1,
    Beta,
}

impl GraphApi {
    /// The path segment: `v1.0` or `beta`.
    pub fn version(self) -> &'static str {
        match self {
            GraphApi::V1 => "v1.0",
            GraphApi::Beta => "beta",
        }
    }
}

/// Base URLs of the identity platform and of Microsoft Graph (both end in `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authority_host: Url,
    pub graph_base: Url,
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub cloud: Cloud,
    /// Tenant id (GUID), a verified domain, or `organizations`.
    pub tenant: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Extra root certificate (PEM) to trust, for organisations whose proxy
    /// inspects TLS, and for the emulator's HTTPS mode.
    pub extra_root_certificate: Option<PathBuf>,
    pub sign_in_timeout: Duration,
    /// Where the configuration came from: `None` means no file (demo tenant).
    pub source: Option<PathBuf>,
}

impl Config {
    /// The configuration used when no file exists: the built-in demo tenant.
    /// Tenant and client id are filled in by whoever starts the demo tenant.
    pub fn demo(tenant: &str, client_id: &str) -> Config {
        Config {
            cloud: Cloud::Demo,
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            extra_root_certificate: None,
            sign_in_timeout: DEFAULT_SIGN_IN_TIMEOUT,
            source: None,
        }
    }

    /// The key under which this tenant's sign-in is kept in the keychain.
    /// It names cloud, tenant and app, never the URL's port, so the demo
    /// tenant's sign-in survives a restart on another ephemeral port.
    pub fn keychain_account(&self) -> String {
        format!("{}/{}/{}", self.cloud.name(), self.tenant, self.client_id)
    }
}

/// Where the configuration file is looked for on this platform:
/// `$XDG_CONFIG_HOME/mfa-assistant/config.toml` on Linux,
/// `%APPDATA%\mfa-assistant\config\config.toml` on Windows,
/// `~/Library/Application Support/mfa-assistant/config.toml` on macOS.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "mfa-assistant")
        .map(|d| d.config_dir().join("config.toml"))
}

/// The file to read: `MFA_ASSISTANT_CONFIG` if set, else the platform default.
pub fn config_path_from_env() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_ENV) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => default_config_path(),
    }
}

/// A configuration problem, naming the file and key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}{problem}", file.display(), key.as_ref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
pub struct ConfigError {
    pub file: PathBuf,
    pub key: Option<String>,
    pub problem: String,
}

/// Loads one configuration file at `path` on its own (no managed layer). A
/// missing file gives `Ok(None)`; an unreadable or invalid one gives an error
/// naming the key.
pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError {
            file: path.to_owned(),
            key: None,
            problem: format!("cannot be read: {e}"),
        }),
    }
}

/// Parses and validates the text of one configuration file.
pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let raw = to_raw(parse_table(text, file)?, file)?;
    // Every key is checked, also those beside the tenant, as the app's
    // layered load checks them: a file this accepts, the app accepts.
    validate_settings(&raw, &|_| file.to_owned())?;
    validate(raw, &|_| file.to_owned()).map(|mut c| {
        c.source = Some(file.to_owned());
        c
    })
}

/// The file as written; unknown keys are refused, so typos do not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    cloud: Option<String>,
    tenant: Option<String>,
    client_id: Option<String>,
    scopes: Option<Vec<String>>,
    authority_host: Option<String>,
    graph_base: Option<String>,
    graph_api: Option<String>,
    extra_root_certificate: Option<PathBuf>,
    sign_in_timeout_seconds: Option<u64>,
    helpdesk: Option<RawHelpdesk>,
    allow_demo_tenant: Option<bool>,
    recommended_methods: Option<u32>,
    required_methods: Option<u32>,
    own_telecom_provider: Option<bool>,
    account_recovery: Option<bool>,
    security_info_url: Option<String>,
    organisation_domains: Option<Vec<String>>,
    language: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHelpdesk {
    relay: Option<String>,
    /// The relay's own scope in Entra, e.g.
    /// `api://mfa-assistant-relay/DeviceKeys.Enrol`: device proof is offered
    /// only with it, and the app sends the relay only tokens for it.
    relay_scope: Option<String>,
    zendesk: Option<String>,
}

/// Every key a file may set, in the order the settings view lists them.
pub const KEYS: &[&str] = &[
    "cloud",
    "tenant",
    "client_id",
    "authority_host",
    "graph_base",
    "graph_api",
    "scopes",
    "sign_in_timeout_seconds",
    "extra_root_certificate",
    "security_info_url",
    "recommended_methods",
    "required_methods",
    "own_telecom_provider",
    "account_recovery",
    "organisation_domains",
    "language",
    "helpdesk",
    "allow_demo_tenant",
];

/// Keys that describe the tenant; if any is set, a tenant is configured and
/// `tenant` and `client_id` are required. With none, the demo tenant runs.
const TENANT_KEYS: &[&str] = &[
    "cloud",
    "tenant",
    "client_id",
    "authority_host",
    "graph_base",
    "graph_api",
    "scopes",
    "sign_in_timeout_seconds",
    "extra_root_certificate",
];

/// Keys only the organisation's managed file may set.
const MANAGED_ONLY_KEYS: &[&str] = &["allow_demo_tenant"];

fn read_table(path: &Path) -> Result<Option<toml::Table>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_table(&text, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError {
            file: path.to_owned(),
            key: None,
            problem: format!("cannot be read: {e}"),
        }),
    }
}

fn parse_table(text: &str, file: &Path) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| ConfigError {
        file: file.to_owned(),
        key: None,
        // toml's message names the line and what is wrong there.
        problem: format!("is not valid: {}", e.to_string().trim_end()),
    })
}

/// Refuses unknown and mistyped keys, naming the file they are in.
fn check_keys(table: &toml::Table, file: &Path) -> Result<(), ConfigError> {
    to_raw(table.clone(), file).map(|_| ())
}

fn to_raw(table: toml::Table, file: &Path) -> Result<RawConfig, ConfigError> {
    RawConfig::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError {
        file: file.to_owned(),
        key: None,
        // serde's message names the unknown or mistyped key and what is allowed.
        problem: format!("is not valid: {}", e.to_string().trim_end()),
    })
}

/// Where the organisation's settings are: the platform's policy store
/// ([`ManagedSource::for_this_platform`]). Every key it sets is locked: the
/// user's own file cannot change it.
///
/// Debug builds (tests) honour `MFA_ASSISTANT_MANAGED_CONFIG` instead (a
/// file, without the ownership check, since tests write it); release builds
/// ignore it, so a user cannot point the app at settings of their own.
pub fn managed_source() -> ManagedSource {
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var_os(MANAGED_CONFIG_ENV).filter(|p| !p.is_empty()) {
        return ManagedSource::File {
            path: PathBuf::from(p),
            admin_only: false,
        };
    }
    ManagedSource::for_this_platform()
}

/// Test hook for [`managed_source`], honoured only by debug builds.
pub const MANAGED_CONFIG_ENV: &str = "MFA_ASSISTANT_MANAGED_CONFIG";

/// Where the organisation's helpdesk takes admin-reset requests. The app
/// holds no helpdesk secret: both kinds are reached without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Helpdesk {
    /// The organisation's relay (the HTTPS JSON contract in the repository).
    Relay(Url),
    /// Zendesk's anonymous requests, at the organisation's Zendesk address.
    Zendesk(Url),
}

impl Helpdesk {
    pub fn kind(&self) -> &'static str {
        match self {
            Helpdesk::Relay(_) => "relay",
            Helpdesk::Zendesk(_) => "zendesk",
        }
    }

    pub fn url(&self) -> &Url {
        match self {
            Helpdesk::Relay(u) | Helpdesk::Zendesk(u) => u,
        }
    }
}

/// Where one setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The organisation's managed file; the user cannot change it.
    Managed,
    /// The user's own file.
    User,
    /// Nobody set it: the app's built-in value (or the demo tenant's).
    BuiltIn,
}

/// Which files were read, and where each setting came from, for the
/// settings view ("where do these settings come from?").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Where the organisation's settings are read from (a file, the policy
    /// registry key, or the managed-preferences plist).
    pub managed_file: PathBuf,
    pub managed_kind: ManagedKind,
    pub managed_found: bool,
    /// The user's file (`MFA_ASSISTANT_CONFIG` or the platform's place).
    pub user_file: Option<PathBuf>,
    pub user_found: bool,
    /// Keys set by a file, with the file's layer. Keys not listed are built in.
    pub origins: Vec<(&'static str, Origin)>,
    /// Keys the user's file sets that the managed file locks: ignored.
    pub ignored: Vec<&'static str>,
}

impl Provenance {
    pub fn origin(&self, key: &str) -> Origin {
        self.origins
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| *o)
            .unwrap_or(Origin::BuiltIn)
    }
}

/// The result of reading both layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layered {
    /// The tenant to talk to; `None` means no tenant is configured (the demo
    /// tenant runs, if allowed).
    pub config: Option<Config>,
    pub helpdesk: Option<Helpdesk>,
    /// `[helpdesk] relay_scope`: the relay's own scope in Entra. Without it
    /// the app offers no device proof (it never sends the relay its Graph
    /// token instead).
    pub relay_scope: Option<String>,
    /// False when the organisation's managed file sets `allow_demo_tenant = false`.
    pub demo_allowed: bool,
    /// The organisation's floor of independent methods (default: recommend
    /// three, require one).
    pub floor: Floor,
    /// `own_telecom_provider = true`: the organisation contracted its own
    /// telecom provider (Microsoft Security Store, from 30 Oct 2026), so SMS
    /// and voice go on after Microsoft stops delivering them on 1 Feb 2027
    /// ([`telephony`]).
    pub own_telecom_provider: bool,
    /// `account_recovery = true`: the organisation turned on Entra account
    /// recovery (a government ID and a face check give a locked-out user a
    /// Temporary Access Pass), so the locked-out triage offers it before the
    /// helpdesk request ([`crate::triage`]). Off unless said.
    pub account_recovery: bool,
    /// Where users register what Graph cannot create; `None` means the
    /// cloud's own page ([`security_info_url`]).
    pub security_info_url: Option<Url>,
    /// The domains of the organisation's work accounts (for the locked-out
    /// request). Empty when not set and the tenant is not named by a domain.
    pub organisation_domains: Vec<String>,
    /// `language = "de"`: the window's language for users who have not
    /// chosen one in the window (before the system's); `None`: the system's.
    pub language: Option<crate::language::Language>,
    pub provenance: Provenance,
}

/// Reads the organisation's managed file and the user's file and merges them:
/// a key in the managed file wins and locks the key (setting `cloud` also
/// locks `authority_host` and `graph_base`); the user's value for a locked
/// key is ignored and reported in [`Provenance::ignored`]. Errors name the
/// file a bad key came from. Missing files are not errors.
pub fn load_layered(managed: &Path, user: Option<&Path>) -> Result<Layered, ConfigError> {
    load_layered_from(
        &ManagedSource::File {
            path: managed.to_owned(),
            admin_only: false,
        },
        user,
    )
}

/// [`load_layered`] with the organisation's settings from `source` (the
/// platform's policy store, [`crate::policy`]).
pub fn load_layered_from(
    source: &ManagedSource,
    user: Option<&Path>,
) -> Result<Layered, ConfigError> {
    let managed_place = source.location();
    let managed = managed_place.as_path();
    let managed_table = source.read().map_err(|e| ConfigError {
        file: e.place,
        key: None,
        problem: e.problem,
    })?;
    if let Some(t) = &managed_table {
        check_keys(t, managed)?;
    }
    let user_table = match user {
        Some(path) => read_table(path)?,
        None => None,
    };
    if let (Some(t), Some(path)) = (&user_table, user) {
        check_keys(t, path)?;
        if let Some(key) = MANAGED_ONLY_KEYS.iter().find(|k| t.contains_key(**k)) {
            return Err(ConfigError {
                file: path.to_owned(),
                key: Some((*key).to_owned()),
                problem: format!(
                    "can only be set by your organisation, in {}",
                    managed.display()
                ),
            });
        }
    }

    let static_key = |k: &str| KEYS.iter().copied().find(|s| *s == k);
    let mut merged = toml::Table::new();
    let mut origins: Vec<(&'static str, Origin)> = Vec::new();
    let mut locked: Vec<&'static str> = Vec::new();
    for (key, value) in managed_table.iter().flatten() {
        let key = static_key(key).expect("checked against RawConfig");
        merged.insert(key.to_owned(), value.clone());
        origins.push((key, Origin::Managed));
        locked.push(key);
        if key == "cloud" {
            locked.extend(["authority_host", "graph_base", "graph_api"]);
        }
    }
    let mut ignored = Vec::new();
    for (key, value) in user_table.iter().flatten() {
        let key = static_key(key).expect("checked against RawConfig");
        if locked.contains(&key) {
            ignored.push(key);
        } else {
            merged.insert(key.to_owned(), value.clone());
            origins.push((key, Origin::User));
        }
    }
    origins.sort_by_key(|(k, _)| KEYS.iter().position(|s| s == k));
    ignored.sort_by_key(|k| KEYS.iter().position(|s| s == k));

    // A key's problems are reported against the file it came from; a missing
    // key against the managed file when the organisation configures the
    // tenant, else the user's file.
    let managed_configures_tenant = origins
        .iter()
        .any(|(k, o)| *o == Origin::Managed && TENANT_KEYS.contains(k));
    let file_of = |key: Option<&str>| -> PathBuf {
        let origin = key.and_then(|k| origins.iter().find(|(s, _)| *s == k).map(|(_, o)| *o));
        match (origin, user) {
            (Some(Origin::Managed), _) => managed.to_owned(),
            (Some(Origin::User), Some(u)) => u.to_owned(),
            _ if managed_configures_tenant => managed.to_owned(),
            (_, Some(u)) => u.to_owned(),
            (_, None) => managed.to_owned(),
        }
    };

    let configures_tenant = TENANT_KEYS.iter().any(|k| merged.contains_key(*k));
    let raw = to_raw(merged, managed)?;
    let Settings {
        helpdesk,
        relay_scope,
        demo_allowed,
        floor,
        own_telecom_provider,
        account_recovery,
        security_info_url,
        organisation_domains,
        language,
    } = validate_settings(&raw, &file_of)?;
    let config = if configures_tenant {
        let mut config = validate(raw, &file_of)?;
        config.source = user
            .filter(|_| user_table.is_some())
            .map(Path::to_owned)
            .or_else(|| managed_table.as_ref().map(|_| managed.to_owned()));
        Some(config)
    } else {
        None
    };
    Ok(Layered {
        config,
        helpdesk,
        relay_scope,
        demo_allowed,
        floor,
        own_telecom_provider,
        account_recovery,
        security_info_url,
        organisation_domains,
        language,
        provenance: Provenance {
            managed_file: managed.to_owned(),
            managed_kind: source.kind(),
            managed_found: managed_table.is_some(),
            user_file: user.map(Path::to_owned),
            user_found: user_table.is_some(),
            origins,
            ignored,
        },
    })
}

/// The settings beside the tenant, checked: a file's error names the file
/// `file_of` gives for the key.
struct Settings {
    helpdesk: Option<Helpdesk>,
    relay_scope: Option<String>,
    demo_allowed: bool,
    floor: Floor,
    own_telecom_provider: bool,
    account_recovery: bool,
    security_info_url: Option<Url>,
    organisation_domains: Vec<String>,
    language: Option<crate::language::Language>,
}

fn validate_settings(
    raw: &RawConfig,
    file_of: &dyn Fn(Option<&str>) -> PathBuf,
) -> Result<Settings, ConfigError> {
    let demo_allowed = raw.allow_demo_tenant.unwrap_or(true);
    let own_telecom_provider = raw.own_telecom_provider.unwrap_or(false);
    let account_recovery = raw.account_recovery.unwrap_or(false);
    let helpdesk = match &raw.helpdesk {
        None => None,
        Some(h) => Some(validate_helpdesk(h).map_err(|problem| ConfigError {
            file: file_of(Some("helpdesk")),
            key: Some("helpdesk".into()),
            problem,
        })?),
    };
    let relay_scope = match &raw.helpdesk {
        Some(h) => validate_relay_scope(h).map_err(|problem| ConfigError {
            file: file_of(Some("helpdesk")),
            key: Some("helpdesk".into()),
            problem,
        })?,
        None => None,
    };
    let floor_error = |problem: String| ConfigError {
        file: file_of(Some(if raw.required_methods.is_some() {
            "required_methods"
        } else {
            "recommended_methods"
        })),
        key: Some(
            if raw.required_methods.is_some() {
                "required_methods"
            } else {
                "recommended_methods"
            }
            .into(),
        ),
        problem,
    };
    let floor = Floor::new(
        raw.recommended_methods
            .unwrap_or(Floor::DEFAULT.recommended()),
        raw.required_methods.unwrap_or(Floor::DEFAULT.required()),
    )
    .map_err(floor_error)?;
    let security_info_url = match &raw.security_info_url {
        None => None,
        Some(u) => Some(parse_service_url(u).map_err(|problem| ConfigError {
            file: file_of(Some("security_info_url")),
            key: Some("security_info_url".into()),
            problem,
        })?),
    };
    let organisation_domains = match &raw.organisation_domains {
        Some(list) => {
            if let Some(bad) = list
                .iter()
                .find(|d| is_guid(d) || !is_valid_tenant(d) || *d == "organizations")
            {
                return Err(ConfigError {
                    file: file_of(Some("organisation_domains")),
                    key: Some("organisation_domains".into()),
                    problem: format!(
                        "each entry must be a domain such as \"contoso.com\"; found {bad:?}"
                    ),
                });
            }
            list.iter().map(|d| d.to_lowercase()).collect()
        }
        None => match raw.tenant.as_deref() {
            Some(t) if !is_guid(t) && t != "organizations" && is_valid_tenant(t) => {
                vec![t.to_lowercase()]
            }
            _ => Vec::new(),
        },
    };
    let language = match raw.language.as_deref() {
        None => None,
        Some(tag) => Some(
            crate::language::Language::from_tag(tag.trim())
                .filter(|l| !l.is_pseudo())
                .ok_or_else(|| ConfigError {
                    file: file_of(Some("language")),
                    key: Some("language".into()),
                    problem: format!(
                        "must be one of \"en\", \"de\", \"fr\", \"es\", \"ja\", \"pt-BR\" or \"zh-Hans\"; found {tag:?}"
                    ),
                })?,
        ),
    };
    Ok(Settings {
        helpdesk,
        relay_scope,
        demo_allowed,
        floor,
        own_telecom_provider,
        account_recovery,
        security_info_url,
        organisation_domains,
        language,
    })
}

/// `relay_scope`: `{app ID URI or client id}/{permission}`, only with a
/// relay, never a Graph scope.
fn validate_relay_scope(raw: &RawHelpdesk) -> Result<Option<String>, String> {
    let Some(scope) = raw.relay_scope.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if raw.relay.is_none() {
        return Err("`relay_scope` belongs with `relay = \"https://…\"`".into());
    }
    let well_formed = scope
        .rsplit_once('/')
        .is_some_and(|(resource, permission)| !resource.is_empty() && !permission.is_empty())
        && !scope.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(format!(
            "`relay_scope` must be the relay's scope, such as \"api://mfa-assistant-relay/DeviceKeys.Enrol\", not {scope:?}"
        ));
    }
    if scope.to_ascii_lowercase().starts_with("https://graph.") {
        return Err(
            "`relay_scope` must be the relay's own scope: a Graph token goes to Graph only".into(),
        );
    }
    Ok(Some(scope.to_owned()))
}

fn validate_helpdesk(raw: &RawHelpdesk) -> Result<Helpdesk, String> {
    match (&raw.relay, &raw.zendesk) {
        (Some(url), None) => parse_service_url(url)
            .map(Helpdesk::Relay)
            .map_err(|p| format!("`relay` {p}")),
        (None, Some(url)) => parse_service_url(url)
            .map(Helpdesk::Zendesk)
            .map_err(|p| format!("`zendesk` {p}")),
        (Some(_), Some(_)) => Err("must name one helpdesk: `relay` or `zendesk`, not both".into()),
        (None, None) => Err(
            "must name the helpdesk: `relay = \"https://…\"` (your organisation's relay) or `zendesk = \"https://<name>.zendesk.com\"`"
                .into(),
        ),
    }
}

/// Validates the tenant settings. `file_of` names the file a key came from.
fn validate(
    raw: RawConfig,
    file_of: &dyn Fn(Option<&str>) -> PathBuf,
) -> Result<Config, ConfigError> {
    let err = |key: Option<&str>, problem: String| ConfigError {
        file: file_of(key),
        key: key.map(str::to_owned),
        problem,
    };

    let cloud_name = raw.cloud.as_deref().unwrap_or("public");
    let url_key = |key: &str, value: Option<&String>| -> Result<Url, ConfigError> {
        let value =
            value.ok_or_else(|| err(Some(key), "is required when cloud = \"custom\"".into()))?;
        parse_service_url(value).map_err(|p| err(Some(key), p))
    };
    let cloud = match cloud_name {
        "public" => Cloud::Public,
        "usGovernment" => Cloud::UsGovernment,
        "usGovernmentDoD" => Cloud::UsGovernmentDoD,
        "china" => Cloud::China,
        "custom" => Cloud::Custom {
            authority_host: url_key("authority_host", raw.authority_host.as_ref())?,
            graph_base: url_key("graph_base", raw.graph_base.as_ref())?,
            graph_api: match raw.graph_api.as_deref() {
                None | Some("v1.0") => GraphApi::V1,
                Some("beta") => GraphApi::Beta,
                Some(other) => {
                    return Err(err(
                        Some("graph_api"),
                        format!("must be \"v1.0\" or \"beta\"; found {other:?}"),
                    ))
                }
            },
        },
        other => {
            return Err(err(
                Some("cloud"),
                format!("must be one of \"public\", \"usGovernment\", \"usGovernmentDoD\", \"china\", \"custom\"; found {other:?}"),
            ))
        }
    };
    if !matches!(cloud, Cloud::Custom { .. }) {
        for (key, value) in [
            ("authority_host", &raw.authority_host),
            ("graph_base", &raw.graph_base),
            ("graph_api", &raw.graph_api),
        ] {
            if value.is_some() {
                return Err(err(
                    Some(key),
                    format!("is only allowed with cloud = \"custom\" (cloud is {cloud_name:?})"),
                ));
            }
        }
    }

    let tenant = raw
        .tenant
        .ok_or_else(|| err(Some("tenant"), "is required: your tenant id (a GUID), a verified domain such as \"contoso.com\", or \"organizations\"".into()))?;
    if !is_valid_tenant(&tenant) {
        return Err(err(
            Some("tenant"),
            format!("must be a tenant id (GUID), a domain such as \"contoso.com\", or \"organizations\"; found {tenant:?}"),
        ));
    }
    let client_id = raw.client_id.ok_or_else(|| {
        err(
            Some("client_id"),
            "is required: the application (client) id of your app registration, a GUID".into(),
        )
    })?;
    if !is_guid(&client_id) {
        return Err(err(
            Some("client_id"),
            format!("must be a GUID such as \"4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68\"; found {client_id:?}"),
        ));
    }
    let scopes = match raw.scopes {
        None => DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        Some(scopes) => {
            if let Some(bad) = scopes
                .iter()
                .find(|s| s.is_empty() || s.chars().any(char::is_whitespace))
            {
                return Err(err(
                    Some("scopes"),
                    format!("each scope must be one word with no spaces; found {bad:?}"),
                ));
            }
            if !scopes.iter().any(|s| s == "offline_access") {
                return Err(err(
                    Some("scopes"),
                    "must include \"offline_access\", or the app cannot keep you signed in".into(),
                ));
            }
            scopes
        }
    };
    let sign_in_timeout = match raw.sign_in_timeout_seconds {
        None => DEFAULT_SIGN_IN_TIMEOUT,
        Some(s) if (5..=3600).contains(&s) => Duration::from_secs(s),
        Some(s) => {
            return Err(err(
                Some("sign_in_timeout_seconds"),
                format!("must be between 5 and 3600; found {s}"),
            ))
        }
    };
    if let Some(path) = &raw.extra_root_certificate {
        if !path.is_file() {
            return Err(err(
                Some("extra_root_certificate"),
                format!(
                    "must name a PEM certificate file; {} does not exist",
                    path.display()
                ),
            ));
        }
    }
    Ok(Config {
        cloud,
        tenant,
        client_id,
        scopes,
        extra_root_certificate: raw.extra_root_certificate,
        sign_in_timeout,
        source: None,
    })
}

/// A base URL for a service: `https`, or `http` to a loopback address only.
pub fn parse_service_url(value: &str) -> Result<Url, String> {
    let mut url = Url::parse(value).map_err(|e| format!("is not a URL ({e}); found {value:?}"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(format!("must use https (plain http is allowed only to 127.0.0.1, ::1 or localhost); found {value:?}")),
        other => return Err(format!("must be an https URL; found scheme {other:?}")),
    }
    if url.host().is_none() {
        return Err(format!("must name a host; found {value:?}"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "must not have a query or fragment; found {value:?}"
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

pub fn is_guid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

fn is_valid_tenant(s: &str) -> bool {
    if s == "organizations" || is_guid(s) {
        return true;
    }
    // A DNS domain: labels of letters, digits and hyphens, at least two labels.
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68";

    fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new("/etc/test/config.toml"))
    }

    #[test]
    fn a_file_parsed_alone_is_checked_as_the_app_checks_it() {
        // Found by fuzzing (fuzz/regressions/config_toml): parse accepted a
        // domain, a helpdesk or a floor that the app's layered load refuses.
        for (extra, key) in [
            (
                "organisation_domains = [\"c!ntoso.example\"]",
                "organisation_domains",
            ),
            ("[helpdesk]\nrelay = \"http://relay.example/\"", "helpdesk"),
            ("required_methods = 9", "required_methods"),
            ("security_info_url = \"ftp://x\"", "security_info_url"),
        ] {
            let text = format!("tenant = \"x.com\"\nclient_id = \"{GUID}\"\n{extra}\n");
            let e = parse_str(&text).unwrap_err();
            assert_eq!(e.key.as_deref(), Some(key), "{e:?}");
        }
    }

    #[test]
    fn minimal_public_cloud_config() {
        let c = parse_str(&format!(
            "tenant = \"contoso.com\"\nclient_id = \"{GUID}\"\n"
        ))
        .unwrap();
        assert_eq!(c.cloud, Cloud::Public);
        assert_eq!(c.endpoints_host(), "login.microsoftonline.com");
        assert_eq!(c.scopes, DEFAULT_SCOPES);
        assert_eq!(c.sign_in_timeout, DEFAULT_SIGN_IN_TIMEOUT);
        assert_eq!(c.keychain_account(), format!("public/contoso.com/{GUID}"));
    }

    impl Config {
        fn endpoints_host(&self) -> String {
            self.cloud
                .endpoints()
                .unwrap()
                .authority_host
                .host_str()
                .unwrap()
                .to_owned()
        }
    }

    #[test]
    fn national_clouds_have_their_own_hosts() {
        for (name, host, graph) in [
            (
                "usGovernment",
                "login.microsoftonline.us",
                "https://graph.microsoft.us/",
            ),
            (
                "usGovernmentDoD",
                "login.microsoftonline.us",
                "https://dod-graph.microsoft.us/",
            ),
            (
                "china",
                "login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn/",
            ),
        ] {
            let c = parse_str(&format!(
                "cloud = \"{name}\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n"
            ))
            .unwrap();
            assert_eq!(c.cloud.name(), name);
            assert_eq!(c.endpoints_host(), host);
            assert_eq!(c.cloud.endpoints().unwrap().graph_base.as_str(), graph);
        }
    }

    #[test]
    fn only_china_uses_the_beta_authentication_methods_api() {
        assert_eq!(Cloud::China.graph_api(), GraphApi::Beta);
        for cloud in [
            Cloud::Public,
            Cloud::UsGovernment,
            Cloud::UsGovernmentDoD,
            Cloud::Demo,
        ] {
            assert_eq!(cloud.graph_api(), GraphApi::V1, "{cloud:?}");
        }
    }

    #[test]
    fn the_dod_cloud_keeps_the_custom_endpoints_out() {
        let e = parse_str(&format!(
            "cloud = \"usGovernmentDoD\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\ngraph_base = \"https://graph.microsoft.com/\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("graph_base"));
        assert!(e.to_string().contains("\"usGovernmentDoD\""), "{e}");
    }

    #[test]
    fn unknown_cloud_names_the_key_and_the_choices() {
        let e = parse_str(&format!(
            "cloud = \"mars\"\ntenant = \"x.com\"\nclient_id = \"{GUID}\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("cloud"));
        let text = e.to_string();
        assert!(
            text.starts_with("/etc/test/config.toml: key `cloud`: must be one of"),
            "{text}"
        );
        assert!(text.contains("\"mars\""), "{text}");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let e = parse_str(&format!(
            "tenant = \"x.com\"\nclient_id = \"{GUID}\"\nclientid = \"oops\"\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("clientid"), "{e}");
        assert!(e.to_string().contains("/etc/test/config.toml"), "{e}");
    }

    #[test]
    fn broken_toml_is_reported_with_the_file() {
        let e = parse_str("tenant = \n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/etc/test/config.toml: is not valid"),
            "{e}"
        );
    }

    #[test]
    fn required_keys_and_their_formats() {
        let e = parse_str(&format!("client_id = \"{GUID}\"\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("tenant"));
        let e = parse_str("tenant = \"contoso.com\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("client_id"));
        let e = parse_str("tenant = \"contoso.com\"\nclient_id = \"not-a-guid\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("client_id"));
        assert!(e.to_string().contains("not-a-guid"));
        let e =
            parse_str(&format!("tenant = \"has space\"\nclient_id = \"{GUID}\"\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("tenant"));
    }

    #[test]
    fn a_custom_cloud_may_read_the_methods_api_on_beta_and_only_a_custom_one() {
        let base = format!(
            "cloud = \"custom\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n\
             authority_host = \"https://login.example.com\"\ngraph_base = \"https://g.example.com\"\n"
        );
        assert_eq!(parse_str(&base).unwrap().cloud.graph_api(), GraphApi::V1);
        let beta = parse_str(&format!("{base}graph_api = \"beta\"\n")).unwrap();
        assert_eq!(beta.cloud.graph_api(), GraphApi::Beta);
        let v1 = parse_str(&format!("{base}graph_api = \"v1.0\"\n")).unwrap();
        assert_eq!(v1.cloud.graph_api(), GraphApi::V1);
        let e = parse_str(&format!("{base}graph_api = \"v2\"\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("graph_api"));
        assert!(e.to_string().contains("\"v1.0\" or \"beta\""), "{e}");
        let e = parse_str(&format!(
            "cloud = \"public\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\ngraph_api = \"beta\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("graph_api"));
        assert!(
            e.to_string()
                .contains("only allowed with cloud = \"custom\""),
            "{e}"
        );
    }

    #[test]
    fn custom_cloud_needs_both_urls_and_refuses_plain_http_off_loopback() {
        let base = format!("cloud = \"custom\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n");
        let e = parse_str(&base).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("authority_host"));
        let e = parse_str(&format!("{base}authority_host = \"http://login.example.com\"\ngraph_base = \"https://g.example.com\"\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("authority_host"));
        assert!(e.problem.contains("must use https"), "{e}");
        let c = parse_str(&format!("{base}authority_host = \"http://127.0.0.1:8080\"\ngraph_base = \"https://g.example.com/api\"\n")).unwrap();
        let ep = c.cloud.endpoints().unwrap();
        assert_eq!(ep.authority_host.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(ep.graph_base.as_str(), "https://g.example.com/api/");
    }

    #[test]
    fn endpoint_overrides_only_with_custom_cloud() {
        let e = parse_str(&format!(
            "tenant = \"x.com\"\nclient_id = \"{GUID}\"\ngraph_base = \"https://g.example.com\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("graph_base"));
    }

    #[test]
    fn scopes_must_keep_offline_access() {
        let e = parse_str(&format!(
            "tenant = \"x.com\"\nclient_id = \"{GUID}\"\nscopes = [\"User.Read\"]\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scopes"));
    }

    #[test]
    fn timeout_range_is_checked() {
        let e = parse_str(&format!(
            "tenant = \"x.com\"\nclient_id = \"{GUID}\"\nsign_in_timeout_seconds = 1\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("sign_in_timeout_seconds"));
    }

    #[test]
    fn missing_extra_root_certificate_is_named() {
        let e = parse_str(&format!("tenant = \"x.com\"\nclient_id = \"{GUID}\"\nextra_root_certificate = \"/nonexistent/ca.pem\"\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("extra_root_certificate"));
        assert!(e.problem.contains("/nonexistent/ca.pem"));
    }

    #[test]
    fn missing_file_means_demo_and_unreadable_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(&dir.path().join("absent.toml")).unwrap(), None);
        // A directory where the file should be cannot be read.
        let e = load(dir.path()).unwrap_err();
        assert!(e.problem.starts_with("cannot be read"), "{e}");
    }

    /// Writes the managed and user files (`None` = absent) and loads both layers.
    fn layered(managed: Option<&str>, user: Option<&str>) -> Result<Layered, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("managed.toml");
        let u = dir.path().join("user.toml");
        if let Some(text) = managed {
            std::fs::write(&m, text).unwrap();
        }
        if let Some(text) = user {
            std::fs::write(&u, text).unwrap();
        }
        load_layered(&m, Some(&u)).map_err(|mut e| {
            // Name files by layer so assertions do not depend on the temp dir.
            e.file = PathBuf::from(e.file.file_name().unwrap());
            e
        })
    }

    #[test]
    fn no_files_means_the_demo_tenant() {
        let l = layered(None, None).unwrap();
        assert_eq!(l.config, None);
        assert!(l.demo_allowed);
        assert_eq!(l.helpdesk, None);
        assert!(!l.provenance.managed_found && !l.provenance.user_found);
        assert_eq!(l.provenance.origin("tenant"), Origin::BuiltIn);
    }

    #[test]
    fn managed_keys_win_and_the_users_values_for_them_are_reported_ignored() {
        let l = layered(
            Some(&format!(
                "tenant = \"contoso.com\"\nclient_id = \"{GUID}\"\n[helpdesk]\nrelay = \"https://relay.contoso.com/mfa\"\n"
            )),
            Some("tenant = \"fabrikam.com\"\nsign_in_timeout_seconds = 60\n[helpdesk]\nzendesk = \"https://x.zendesk.com\"\n"),
        )
        .unwrap();
        let c = l.config.unwrap();
        assert_eq!(c.tenant, "contoso.com");
        assert_eq!(c.sign_in_timeout, Duration::from_secs(60));
        assert_eq!(
            l.helpdesk,
            Some(Helpdesk::Relay(
                Url::parse("https://relay.contoso.com/mfa/").unwrap()
            ))
        );
        let p = &l.provenance;
        assert!(p.managed_found && p.user_found);
        assert_eq!(p.ignored, vec!["tenant", "helpdesk"]);
        assert_eq!(p.origin("tenant"), Origin::Managed);
        assert_eq!(p.origin("client_id"), Origin::Managed);
        assert_eq!(p.origin("sign_in_timeout_seconds"), Origin::User);
        assert_eq!(p.origin("scopes"), Origin::BuiltIn);
    }

    #[test]
    fn a_managed_cloud_also_locks_the_custom_endpoints() {
        let l = layered(
            Some(&format!("cloud = \"public\"\ntenant = \"contoso.com\"\nclient_id = \"{GUID}\"\n")),
            Some("cloud = \"custom\"\nauthority_host = \"https://evil.example.com\"\ngraph_base = \"https://evil.example.com\"\n"),
        )
        .unwrap();
        assert_eq!(l.config.unwrap().cloud, Cloud::Public);
        assert_eq!(
            l.provenance.ignored,
            vec!["cloud", "authority_host", "graph_base"]
        );
    }

    #[test]
    fn the_user_file_alone_still_works_and_keeps_unlocked_keys() {
        let l = layered(
            None,
            Some(&format!(
                "tenant = \"contoso.com\"\nclient_id = \"{GUID}\"\n"
            )),
        )
        .unwrap();
        let c = l.config.unwrap();
        assert_eq!(c.tenant, "contoso.com");
        assert_eq!(c.source.unwrap().file_name().unwrap(), "user.toml");
        assert_eq!(l.provenance.origin("tenant"), Origin::User);
        assert!(l.provenance.ignored.is_empty());
    }

    #[test]
    fn sms_and_voice_end_in_the_public_cloud_unless_the_organisation_has_a_provider() {
        use crate::health::Telephony;
        let l = layered(None, None).unwrap();
        assert!(!l.own_telecom_provider, "off unless said");
        let l = layered(Some("own_telecom_provider = true\n"), None).unwrap();
        assert!(l.own_telecom_provider);
        assert_eq!(l.provenance.origin("own_telecom_provider"), Origin::Managed);
        let e = layered(None, Some("own_telecom_provider = \"yes\"\n")).unwrap_err();
        assert!(e.problem.contains("own_telecom_provider"), "{e:?}");
        // The organisation's default language for the window.
        assert_eq!(layered(None, None).unwrap().language, None);
        let l = layered(Some("language = \"pt-BR\"\n"), None).unwrap();
        assert_eq!(l.language, Some(crate::language::Language::PtBr));
        assert_eq!(l.provenance.origin("language"), Origin::Managed);
        let e = layered(None, Some("language = \"qps-ploc\"\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("language"), "{e:?}");
        assert!(e.problem.contains("\"zh-Hans\""), "{e:?}");

        for (cloud, own, want) in [
            (Cloud::Public, false, Telephony::Ending),
            (Cloud::Demo, false, Telephony::Ending),
            (Cloud::Public, true, Telephony::OwnProvider),
            (Cloud::UsGovernment, false, Telephony::NotAnnounced),
            (Cloud::UsGovernmentDoD, true, Telephony::NotAnnounced),
            (Cloud::China, false, Telephony::NotAnnounced),
        ] {
            assert_eq!(telephony(&cloud, own), want, "{cloud:?} {own}");
        }
    }

    #[test]
    fn account_recovery_is_off_unless_said_and_a_flag() {
        let l = layered(None, None).unwrap();
        assert!(!l.account_recovery, "off unless said");
        let l = layered(Some("account_recovery = true\n"), None).unwrap();
        assert!(l.account_recovery);
        assert_eq!(l.provenance.origin("account_recovery"), Origin::Managed);
        let l = layered(None, Some("account_recovery = true\n")).unwrap();
        assert!(l.account_recovery);
        assert_eq!(l.provenance.origin("account_recovery"), Origin::User);
        // The organisation's "off" locks it.
        let l = layered(
            Some("account_recovery = false\n"),
            Some("account_recovery = true\n"),
        )
        .unwrap();
        assert!(!l.account_recovery);
        let e = layered(None, Some("account_recovery = \"on\"\n")).unwrap_err();
        assert!(e.problem.contains("account_recovery"), "{e:?}");

        // Microsoft's clouds start at the Security Info page's sign-in; the
        // emulator (custom, demo) serves its own recovery page.
        let endpoints = Endpoints {
            authority_host: Url::parse("http://127.0.0.1:4000/").unwrap(),
            graph_base: Url::parse("http://127.0.0.1:4000/").unwrap(),
        };
        let page = Url::parse("https://mysignins.microsoft.com/security-info").unwrap();
        assert_eq!(
            account_recovery_url(&Cloud::Public, &endpoints, &page),
            page
        );
        assert_eq!(
            account_recovery_url(&Cloud::Demo, &endpoints, &page).as_str(),
            "http://127.0.0.1:4000/account-recovery"
        );
    }

    #[test]
    fn only_the_organisation_can_forbid_the_demo_tenant() {
        let l = layered(Some("allow_demo_tenant = false\n"), None).unwrap();
        assert_eq!(l.config, None);
        assert!(!l.demo_allowed);
        let e = layered(None, Some("allow_demo_tenant = false\n")).unwrap_err();
        assert_eq!(e.file, PathBuf::from("user.toml"));
        assert_eq!(e.key.as_deref(), Some("allow_demo_tenant"));
        assert!(
            e.problem
                .starts_with("can only be set by your organisation, in "),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_file_the_bad_key_came_from() {
        // An unknown key in the managed file.
        let e = layered(Some("tennant = \"x.com\"\n"), None).unwrap_err();
        assert_eq!(e.file, PathBuf::from("managed.toml"));
        assert!(e.problem.contains("tennant"), "{e}");
        // A bad value in the user's file, with a valid managed file.
        let e = layered(
            Some(&format!(
                "tenant = \"contoso.com\"\nclient_id = \"{GUID}\"\n"
            )),
            Some("sign_in_timeout_seconds = 1\n"),
        )
        .unwrap_err();
        assert_eq!(e.file, PathBuf::from("user.toml"));
        assert_eq!(e.key.as_deref(), Some("sign_in_timeout_seconds"));
        // A key the organisation forgot is reported against its file.
        let e = layered(Some(&format!("client_id = \"{GUID}\"\n")), None).unwrap_err();
        assert_eq!(e.file, PathBuf::from("managed.toml"));
        assert_eq!(e.key.as_deref(), Some("tenant"));
        // Broken TOML in the user's file.
        let e = layered(None, Some("tenant = \n")).unwrap_err();
        assert_eq!(e.file, PathBuf::from("user.toml"));
        assert!(e.problem.starts_with("is not valid"), "{e}");
    }

    #[test]
    fn the_relay_scope_is_the_relays_own_and_without_it_no_device_proof() {
        let l = layered(
            Some("[helpdesk]\nrelay = \"https://relay.contoso.com/\"\nrelay_scope = \"api://mfa-assistant-relay/DeviceKeys.Enrol\"\n"),
            None,
        )
        .unwrap();
        assert_eq!(
            l.relay_scope.as_deref(),
            Some("api://mfa-assistant-relay/DeviceKeys.Enrol")
        );
        let l = layered(
            Some("[helpdesk]\nrelay = \"https://relay.contoso.com/\"\n"),
            None,
        )
        .unwrap();
        assert_eq!(l.relay_scope, None, "no scope: no device proof");
        for (bad, says) in [
            (
                "relay_scope = \"DeviceKeys.Enrol\"",
                "must be the relay's scope",
            ),
            (
                "relay_scope = \"api://r/Device Keys\"",
                "must be the relay's scope",
            ),
            (
                "relay_scope = \"https://graph.microsoft.com/User.Read\"",
                "Graph token goes to Graph only",
            ),
        ] {
            let e = layered(
                Some(&format!(
                    "[helpdesk]\nrelay = \"https://relay.contoso.com/\"\n{bad}\n"
                )),
                None,
            )
            .unwrap_err();
            assert_eq!(e.key.as_deref(), Some("helpdesk"));
            assert!(e.problem.contains(says), "{bad}: {e}");
        }
        let e = layered(
            Some("[helpdesk]\nzendesk = \"https://x.zendesk.com\"\nrelay_scope = \"api://r/S\"\n"),
            None,
        )
        .unwrap_err();
        assert!(e.problem.contains("belongs with `relay"), "{e}");
    }

    #[test]
    fn helpdesk_must_name_exactly_one_https_endpoint() {
        let e = layered(Some("[helpdesk]\n"), None).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("helpdesk"));
        assert!(e.problem.starts_with("must name the helpdesk"), "{e}");
        let e = layered(
            Some("[helpdesk]\nrelay = \"https://a.example.com\"\nzendesk = \"https://b.zendesk.com\"\n"),
            None,
        )
        .unwrap_err();
        assert!(e.problem.contains("not both"), "{e}");
        let e = layered(
            None,
            Some("[helpdesk]\nrelay = \"http://relay.example.com\"\n"),
        )
        .unwrap_err();
        assert_eq!(e.file, PathBuf::from("user.toml"));
        assert!(e.problem.contains("must use https"), "{e}");
        let e = layered(
            None,
            Some("[helpdesk]\nrelay = \"https://a.example.com\"\nurl = \"x\"\n"),
        )
        .unwrap_err();
        assert!(e.problem.contains("url"), "{e}");
        let l = layered(
            None,
            Some("[helpdesk]\nzendesk = \"https://contoso.zendesk.com\"\n"),
        )
        .unwrap();
        // A helpdesk alone configures no tenant: the demo tenant still runs.
        assert_eq!(l.config, None);
        assert_eq!(l.helpdesk.unwrap().kind(), "zendesk");
    }

    #[test]
    fn the_organisation_sets_the_floor_and_the_security_info_page() {
        let l = layered(None, None).unwrap();
        assert_eq!(l.floor, Floor::DEFAULT);
        assert_eq!(l.security_info_url, None);
        let l = layered(
            Some("recommended_methods = 4\nrequired_methods = 2\n"),
            Some("required_methods = 1\nsecurity_info_url = \"https://id.contoso.com/security-info\"\n"),
        )
        .unwrap();
        assert_eq!(l.floor, Floor::new(4, 2).unwrap());
        assert_eq!(l.provenance.ignored, vec!["required_methods"]);
        assert_eq!(
            l.security_info_url.unwrap().as_str(),
            "https://id.contoso.com/security-info/"
        );
        let e = layered(Some("required_methods = 0\n"), None).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("required_methods"));
        assert_eq!(e.file, PathBuf::from("managed.toml"));
        let e = layered(
            None,
            Some("recommended_methods = 2\nrequired_methods = 3\n"),
        )
        .unwrap_err();
        assert!(e.problem.contains("cannot exceed"), "{e}");
        let e = layered(
            None,
            Some("security_info_url = \"http://id.contoso.com\"\n"),
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("security_info_url"));
    }

    #[test]
    fn organisation_domains_default_to_a_domain_tenant() {
        let l = layered(
            Some(&format!(
                "tenant = \"Contoso.com\"\nclient_id = \"{GUID}\"\n"
            )),
            None,
        )
        .unwrap();
        assert_eq!(l.organisation_domains, vec!["contoso.com"]);
        let l = layered(
            Some(&format!("tenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n")),
            None,
        )
        .unwrap();
        assert!(l.organisation_domains.is_empty());
        let l = layered(
            Some(&format!(
                "tenant = \"{GUID}\"\nclient_id = \"{GUID}\"\norganisation_domains = [\"contoso.com\", \"Fabrikam.com\"]\n"
            )),
            None,
        )
        .unwrap();
        assert_eq!(l.organisation_domains, vec!["contoso.com", "fabrikam.com"]);
        let e = layered(None, Some("organisation_domains = [\"not a domain\"]\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("organisation_domains"));
    }

    #[test]
    fn each_cloud_has_its_security_info_page() {
        let demo = Endpoints {
            authority_host: Url::parse("http://127.0.0.1:9/").unwrap(),
            graph_base: Url::parse("http://127.0.0.1:9/").unwrap(),
        };
        assert_eq!(
            security_info_url(&Cloud::Public, &demo).as_str(),
            "https://mysignins.microsoft.com/security-info"
        );
        assert_eq!(
            security_info_url(&Cloud::Demo, &demo).as_str(),
            "http://127.0.0.1:9/security-info"
        );
        assert_eq!(
            security_info_url(&Cloud::UsGovernmentDoD, &demo).as_str(),
            "https://mysignins.microsoft.us/security-info"
        );
        // Only the public cloud's address has a Microsoft source.
        assert!(Cloud::Public.security_info_url_verified());
        for cloud in [Cloud::UsGovernment, Cloud::UsGovernmentDoD, Cloud::China] {
            assert!(!cloud.security_info_url_verified(), "{cloud:?}");
        }
    }

    #[test]
    fn the_shipped_managed_config_example_is_valid() {
        let text = include_str!("../../../../packaging/managed-config.example.toml");
        let l = layered(Some(text), None).unwrap();
        assert_eq!(l.config.unwrap().tenant, "contoso.com");
        assert!(!l.demo_allowed);
        assert_eq!(l.provenance.origin("client_id"), Origin::Managed);
    }

    #[test]
    fn the_organisations_settings_are_in_the_platforms_admin_only_place() {
        let source = ManagedSource::for_this_platform();
        #[cfg(not(any(windows, target_os = "macos")))]
        assert_eq!(
            source,
            ManagedSource::File {
                path: PathBuf::from("/etc/mfa-assistant/config.toml"),
                admin_only: true,
            }
        );
        #[cfg(windows)]
        assert_eq!(source, ManagedSource::GroupPolicy);
        #[cfg(target_os = "macos")]
        assert_eq!(
            source.kind(),
            crate::policy::ManagedKind::ConfigurationProfile
        );
    }

    #[test]
    fn every_policy_value_is_a_key_the_configuration_knows() {
        for setting in crate::policy::POLICY_VALUES {
            let top = setting.key.split('.').next().unwrap();
            assert!(
                KEYS.contains(&top),
                "{} maps to unknown key {}",
                setting.name,
                setting.key
            );
        }
        // And every key of the file format can be set by policy.
        for key in KEYS {
            assert!(
                crate::policy::POLICY_VALUES
                    .iter()
                    .any(|s| s.key.split('.').next() == Some(key)),
                "no policy value sets {key}"
            );
        }
    }

    #[test]
    fn loopback_detection() {
        for (u, want) in [
            ("http://127.0.0.1:1/", true),
            ("http://127.5.0.1/", true),
            ("http://[::1]:9/", true),
            ("http://LOCALHOST/", true),
            ("http://10.0.0.1/", false),
            ("http://example.com/", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(u).unwrap()), want, "{u}");
        }
    }
}
