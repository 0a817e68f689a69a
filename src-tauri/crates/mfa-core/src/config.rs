//! Configuration: which cloud, tenant and app registration to talk to.
//!
//! The file is TOML at the platform's usual place (see [`default_config_path`]),
//! or wherever `MFA_ASSISTANT_CONFIG` points. No file means the built-in demo
//! tenant. Every problem is reported with the file, the key and what is
//! allowed, and nothing in a bad file is half-applied.
//!
//! Invariant: every outside service is reached through a base URL from here,
//! and every base URL is `https`, except loopback addresses (the emulator).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

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
    UsGovernment,
    China,
    /// Explicit endpoints, for clouds not listed and for the emulator run on its own.
    Custom {
        authority_host: Url,
        graph_base: Url,
    },
    /// The built-in demo tenant; its endpoints are known only once it runs.
    Demo,
}

impl Cloud {
    pub fn name(&self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGovernment => "usGovernment",
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
            Cloud::China => Some(fixed(
                "https://login.chinacloudapi.cn/",
                "https://microsoftgraph.chinacloudapi.cn/",
            )),
            Cloud::Custom {
                authority_host,
                graph_base,
            } => Some(Endpoints {
                authority_host: authority_host.clone(),
                graph_base: graph_base.clone(),
            }),
            Cloud::Demo => None,
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

/// Loads the configuration at `path`. A missing file gives `Ok(None)` (use the
/// demo tenant); an unreadable or invalid one gives an error naming the key.
pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError {
                file: path.to_owned(),
                key: None,
                problem: format!("cannot be read: {e}"),
            })
        }
    };
    parse(&text, path).map(Some)
}

/// The file as written; unknown keys are refused, so typos do not go unnoticed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    cloud: Option<String>,
    tenant: Option<String>,
    client_id: Option<String>,
    scopes: Option<Vec<String>>,
    authority_host: Option<String>,
    graph_base: Option<String>,
    extra_root_certificate: Option<PathBuf>,
    sign_in_timeout_seconds: Option<u64>,
}

/// Parses and validates the text of a configuration file.
pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let err = |key: Option<&str>, problem: String| ConfigError {
        file: file.to_owned(),
        key: key.map(str::to_owned),
        problem,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        // toml's message already names the unknown or mistyped key and the line.
        err(None, format!("is not valid: {}", e.to_string().trim_end()))
    })?;

    let cloud_name = raw.cloud.as_deref().unwrap_or("public");
    let url_key = |key: &str, value: Option<&String>| -> Result<Url, ConfigError> {
        let value =
            value.ok_or_else(|| err(Some(key), "is required when cloud = \"custom\"".into()))?;
        parse_service_url(value).map_err(|p| err(Some(key), p))
    };
    let cloud = match cloud_name {
        "public" => Cloud::Public,
        "usGovernment" => Cloud::UsGovernment,
        "china" => Cloud::China,
        "custom" => Cloud::Custom {
            authority_host: url_key("authority_host", raw.authority_host.as_ref())?,
            graph_base: url_key("graph_base", raw.graph_base.as_ref())?,
        },
        other => {
            return Err(err(
                Some("cloud"),
                format!("must be one of \"public\", \"usGovernment\", \"china\", \"custom\"; found {other:?}"),
            ))
        }
    };
    if !matches!(cloud, Cloud::Custom { .. }) {
        for (key, value) in [
            ("authority_host", &raw.authority_host),
            ("graph_base", &raw.graph_base),
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
        source: Some(file.to_owned()),
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
        for (name, host) in [
            ("usGovernment", "login.microsoftonline.us"),
            ("china", "login.chinacloudapi.cn"),
        ] {
            let c = parse_str(&format!(
                "cloud = \"{name}\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n"
            ))
            .unwrap();
            assert_eq!(c.endpoints_host(), host);
        }
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
