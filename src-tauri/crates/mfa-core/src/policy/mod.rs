//! The organisation's settings, from where only administrators can put them:
//!
//! - Windows: Group Policy or Intune values under
//!   `HKLM\SOFTWARE\Policies\MFA Assistant` (templates in
//!   `packaging/windows/`); the `%ProgramData%` file of earlier versions is
//!   no longer read, because any user can create it;
//! - macOS: managed preferences from a configuration profile (MDM), domain
//!   [`PREFERENCE_DOMAIN`], read from `/Library/Managed Preferences/`
//!   (sample in `packaging/macos/`);
//! - Linux: `/etc/mfa-assistant/config.toml`, honoured only when it and its
//!   folder are owned by root and writable by no one else.
//!
//! Each platform's values become the same TOML table the managed file holds,
//! through one table of policy values ([`POLICY_VALUES`]) that also drives
//! the Windows templates' check (`tests/policy_templates.rs`). Only the small
//! readers in `windows.rs` and the path in [`ManagedSource::for_this_platform`]
//! differ by platform; every conversion and check is plain data, tested here.

use std::path::{Path, PathBuf};

/// Why the organisation's settings could not be used, naming their place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", place.display())]
pub struct PolicyError {
    pub place: PathBuf,
    pub problem: String,
}

#[cfg(windows)]
mod windows;

/// The macOS managed-preferences domain (the app's bundle identifier).
pub const PREFERENCE_DOMAIN: &str = "org.mfa-assistant.app";

/// The registry key Group Policy and Intune write the settings to.
pub const POLICY_KEY: &str = r"SOFTWARE\Policies\MFA Assistant";

/// Where the organisation's settings are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedSource {
    /// A TOML file. `admin_only`: refused unless only root can write it.
    File { path: PathBuf, admin_only: bool },
    /// Windows policy values (`HKLM\` + [`POLICY_KEY`]).
    GroupPolicy,
    /// A macOS configuration profile's managed preferences (a plist,
    /// written by the MDM agent as root).
    ConfigurationProfile { path: PathBuf },
}

/// Which kind of place the organisation's settings came from, for
/// "Settings in use".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedKind {
    File,
    GroupPolicy,
    ConfigurationProfile,
}

impl ManagedSource {
    /// This platform's place for the organisation's settings.
    pub fn for_this_platform() -> ManagedSource {
        #[cfg(windows)]
        {
            ManagedSource::GroupPolicy
        }
        #[cfg(target_os = "macos")]
        {
            ManagedSource::ConfigurationProfile {
                path: PathBuf::from(format!(
                    "/Library/Managed Preferences/{PREFERENCE_DOMAIN}.plist"
                )),
            }
        }
        #[cfg(not(any(windows, target_os = "macos")))]
        {
            ManagedSource::File {
                path: PathBuf::from("/etc/mfa-assistant/config.toml"),
                admin_only: true,
            }
        }
    }

    pub fn kind(&self) -> ManagedKind {
        match self {
            ManagedSource::File { .. } => ManagedKind::File,
            ManagedSource::GroupPolicy => ManagedKind::GroupPolicy,
            ManagedSource::ConfigurationProfile { .. } => ManagedKind::ConfigurationProfile,
        }
    }

    /// How errors and "Settings in use" name the place.
    pub fn location(&self) -> PathBuf {
        match self {
            ManagedSource::File { path, .. } | ManagedSource::ConfigurationProfile { path } => {
                path.clone()
            }
            ManagedSource::GroupPolicy => PathBuf::from(format!(r"HKLM\{POLICY_KEY}")),
        }
    }

    /// The organisation's settings as the managed file's TOML table, or
    /// `None` when it set none.
    pub fn read(&self) -> Result<Option<toml::Table>, PolicyError> {
        match self {
            ManagedSource::File { path, admin_only } => {
                let text = match std::fs::read_to_string(path) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(problem(path, format!("cannot be read: {e}"))),
                };
                if *admin_only {
                    check_admin_only(path)?;
                }
                text.parse::<toml::Table>().map(Some).map_err(|e| {
                    problem(path, format!("is not valid: {}", e.to_string().trim_end()))
                })
            }
            ManagedSource::ConfigurationProfile { path } => {
                let bytes = match std::fs::read(path) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(problem(path, format!("cannot be read: {e}"))),
                };
                check_admin_only(path)?;
                let values = plist_values(&bytes).map_err(|p| problem(path, p))?;
                table_from_values(&values)
                    .map(Some)
                    .map_err(|p| problem(path, p))
            }
            ManagedSource::GroupPolicy => {
                #[cfg(windows)]
                {
                    let values =
                        windows::policy_values().map_err(|p| problem(&self.location(), p))?;
                    if values.is_empty() {
                        return Ok(None);
                    }
                    table_from_values(&values)
                        .map(Some)
                        .map_err(|p| problem(&self.location(), p))
                }
                #[cfg(not(windows))]
                {
                    Err(problem(
                        &self.location(),
                        "Group Policy exists only on Windows".into(),
                    ))
                }
            }
        }
    }
}

fn problem(place: &Path, problem: String) -> PolicyError {
    PolicyError {
        place: place.to_owned(),
        problem,
    }
}

/// One value as a platform's policy store holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyValue {
    /// `REG_SZ` / `REG_EXPAND_SZ`, a plist string.
    Text(String),
    /// `REG_DWORD`, a plist integer.
    Number(i64),
    /// A plist boolean (Windows sends booleans as `REG_DWORD` 0 or 1).
    Flag(bool),
    /// `REG_MULTI_SZ`, a plist array of strings.
    List(Vec<String>),
}

/// What a policy value must be to become its setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Number,
    Flag,
    /// Several strings: a list, or one text of entries separated by spaces,
    /// commas or semicolons.
    List,
}

/// One setting the organisation can set, by its policy value name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicySetting {
    /// The value's name in the registry and the plist.
    pub name: &'static str,
    pub kind: ValueKind,
    /// Where it goes in the configuration: a top-level key, or `helpdesk.<key>`.
    pub key: &'static str,
    /// Its name in Group Policy's editor.
    pub label: &'static str,
    /// What it does, for the administrator.
    pub explain: &'static str,
    /// For numbers: the smallest and largest value the app accepts.
    pub range: Option<(u32, u32)>,
}

const fn text(
    name: &'static str,
    key: &'static str,
    label: &'static str,
    explain: &'static str,
) -> PolicySetting {
    PolicySetting {
        name,
        kind: ValueKind::Text,
        key,
        label,
        explain,
        range: None,
    }
}

const fn number(
    name: &'static str,
    label: &'static str,
    range: (u32, u32),
    explain: &'static str,
) -> PolicySetting {
    PolicySetting {
        name,
        kind: ValueKind::Number,
        key: name,
        label,
        explain,
        range: Some(range),
    }
}

const fn list(name: &'static str, label: &'static str, explain: &'static str) -> PolicySetting {
    PolicySetting {
        name,
        kind: ValueKind::List,
        key: name,
        label,
        explain,
        range: None,
    }
}

/// Every policy value the app reads: the one table behind the readers, the
/// Windows templates (generated from it) and the macOS sample profile.
pub const POLICY_VALUES: &[PolicySetting] = &[
    text("cloud", "cloud", "Cloud", "The Microsoft cloud of your tenant: public, usGovernment, usGovernmentDoD, china or custom (with the endpoints below)."),
    text("tenant", "tenant", "Tenant", "Your tenant's primary domain (contoso.com) or its tenant ID. Setting it (with the client ID) turns the demo tenant off."),
    text("client_id", "client_id", "Client ID", "The application (client) ID of MFA Assistant's app registration in your tenant."),
    text("authority_host", "authority_host", "Identity platform address", "Only with cloud = custom: the identity platform's base URL."),
    text("graph_base", "graph_base", "Microsoft Graph address", "Only with cloud = custom: Microsoft Graph's base URL."),
    text("graph_api", "graph_api", "Graph version of the authentication methods", "Only with cloud = custom: v1.0 (the default) or beta, for a cloud that offers the authentication-methods API on beta only, as 21Vianet's does."),
    list("scopes", "Scopes", "The delegated permissions the app asks for, one per line. Leave unset for the default."),
    number("sign_in_timeout_seconds", "Sign-in timeout (seconds)", (5, 3600), "How long the app waits for the browser sign-in before giving up."),
    text("extra_root_certificate", "extra_root_certificate", "Extra root certificate", "Path of a PEM root certificate to trust besides the system's (a TLS-inspecting proxy)."),
    text("security_info_url", "security_info_url", "Security Info page", "The Security Info page users are sent to for what the app cannot register itself. Leave unset for the cloud's own."),
    number("recommended_methods", "Recommended number of methods", (1, 10), "Below this many independent methods the app warns and suggests another (default 3)."),
    number("required_methods", "Required number of methods", (1, 10), "The app refuses a removal that would leave fewer (default 1, never less)."),
    PolicySetting {
        name: "own_telecom_provider",
        kind: ValueKind::Flag,
        key: "own_telecom_provider",
        label: "Own telecom provider for SMS and voice",
        explain: "Enabled: your organisation contracted its own telecom provider, so SMS and voice sign-in go on after Microsoft stops delivering them on 1 February 2027, and the app counts them as before.",
        range: None,
    },
    PolicySetting {
        name: "account_recovery",
        kind: ValueKind::Flag,
        key: "account_recovery",
        label: "Entra account recovery is turned on",
        explain: "Enabled: your organisation turned on Microsoft Entra account recovery (a government ID and a face check give a locked-out user a Temporary Access Pass), so the app offers it first when a user has lost their sign-in methods, with the helpdesk request as the fallback.",
        range: None,
    },
    list("organisation_domains", "Organisation domains", "The domains of your work accounts, one per line; a reset request for another domain is refused."),
    text("language", "language", "Language", "The language the app starts in for users who have not chosen one in its window: en, de, fr, es, ja, pt-BR or zh-Hans. Leave unset to follow each computer's own language."),
    text("helpdesk_relay", "helpdesk.relay", "Helpdesk relay", "The base URL of your organisation's MFA Assistant relay, which files reset requests in your helpdesk."),
    text("helpdesk_relay_scope", "helpdesk.relay_scope", "Helpdesk relay scope", "The relay's own scope in Entra (api://.../DeviceKeys.Enrol); requests are signed by the user's enrolled computer only with it."),
    text("helpdesk_zendesk", "helpdesk.zendesk", "Zendesk address", "Instead of a relay: your Zendesk address, for anonymous requests."),
    PolicySetting {
        name: "allow_demo_tenant",
        kind: ValueKind::Flag,
        key: "allow_demo_tenant",
        label: "Allow the demo tenant",
        explain: "Disabled: the app never starts its built-in demo tenant, and says it is not configured instead.",
        range: None,
    },
];

/// The policy values as the managed file's TOML table. An unknown name or a
/// value of the wrong type is an error naming it; empty texts count as not
/// set (Group Policy writes them for "Enabled" with an empty box).
pub fn table_from_values(values: &[(String, PolicyValue)]) -> Result<toml::Table, String> {
    let mut table = toml::Table::new();
    for (name, value) in values {
        let Some(setting) = POLICY_VALUES
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
        else {
            return Err(format!(
                "has a value `{name}` this app does not know (known: {})",
                POLICY_VALUES
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let wrong = |what: &str| format!("`{}` must be {what}", setting.name);
        let converted = match (setting.kind, value) {
            (ValueKind::Text, PolicyValue::Text(t)) if t.trim().is_empty() => continue,
            (ValueKind::Text, PolicyValue::Text(t)) => toml::Value::String(t.trim().to_owned()),
            (ValueKind::Text, _) => return Err(wrong("text")),
            (ValueKind::Number, PolicyValue::Number(n)) => toml::Value::Integer(*n),
            (ValueKind::Number, PolicyValue::Text(t)) => match t.trim().parse::<i64>() {
                Ok(n) => toml::Value::Integer(n),
                Err(_) => return Err(wrong("a whole number")),
            },
            (ValueKind::Number, _) => return Err(wrong("a whole number")),
            (ValueKind::Flag, PolicyValue::Flag(b)) => toml::Value::Boolean(*b),
            (ValueKind::Flag, PolicyValue::Number(0)) => toml::Value::Boolean(false),
            (ValueKind::Flag, PolicyValue::Number(1)) => toml::Value::Boolean(true),
            (ValueKind::Flag, _) => return Err(wrong("true or false (1 or 0)")),
            (ValueKind::List, PolicyValue::List(items)) => {
                list_value(items.iter().map(String::as_str))
            }
            (ValueKind::List, PolicyValue::Text(t)) => list_value(t.split([' ', ',', ';', '\n'])),
            (ValueKind::List, _) => return Err(wrong("a list of texts")),
        };
        if let toml::Value::Array(a) = &converted {
            if a.is_empty() {
                continue;
            }
        }
        match setting.key.split_once('.') {
            Some((section, key)) => {
                let section = table
                    .entry(section)
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let toml::Value::Table(section) = section {
                    section.insert(key.to_owned(), converted);
                }
            }
            None => {
                table.insert(setting.key.to_owned(), converted);
            }
        }
    }
    Ok(table)
}

fn list_value<'a>(items: impl Iterator<Item = &'a str>) -> toml::Value {
    toml::Value::Array(
        items
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| toml::Value::String(s.to_owned()))
            .collect(),
    )
}

/// A managed-preferences plist's top-level dictionary as policy values.
/// Keys outside the app's (the MDM's own, such as `PayloadUUID`) are left out.
pub fn plist_values(bytes: &[u8]) -> Result<Vec<(String, PolicyValue)>, String> {
    let value = plist::Value::from_reader(std::io::Cursor::new(bytes))
        .map_err(|e| format!("is not a property list: {e}"))?;
    let dict = value
        .into_dictionary()
        .ok_or_else(|| "is not a dictionary of settings".to_owned())?;
    let mut values = Vec::new();
    for (name, value) in dict {
        if !POLICY_VALUES
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&name))
        {
            continue;
        }
        let value = match value {
            plist::Value::String(s) => PolicyValue::Text(s),
            plist::Value::Boolean(b) => PolicyValue::Flag(b),
            plist::Value::Integer(i) => match i.as_signed() {
                Some(n) => PolicyValue::Number(n),
                None => return Err(format!("`{name}` is a number too large")),
            },
            plist::Value::Array(items) => PolicyValue::List(
                items
                    .into_iter()
                    .map(|i| match i {
                        plist::Value::String(s) => Ok(s),
                        _ => Err(format!("`{name}` must be a list of texts")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(format!("`{name}` has a type this app does not read")),
        };
        values.push((name, value));
    }
    Ok(values)
}

/// Refuses a file (and its folder) that anyone but root could have written:
/// its values would not be the organisation's.
#[cfg(unix)]
pub fn check_admin_only(path: &Path) -> Result<(), PolicyError> {
    use std::os::unix::fs::MetadataExt;
    let folder = path.parent().unwrap_or(Path::new("/"));
    for (what, place) in [("file", path), ("folder", folder)] {
        let meta = std::fs::metadata(place)
            .map_err(|e| problem(path, format!("cannot be checked: {e}")))?;
        if let Err(reason) = admin_only(meta.uid(), meta.mode()) {
            return Err(problem(
                path,
                format!(
                    "is not used: the {what} {} {reason}, so someone other than an administrator could have written these settings (fix with `chown root:root` and `chmod go-w`)",
                    place.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_admin_only(_path: &Path) -> Result<(), PolicyError> {
    Ok(())
}

/// Whether an owner and mode mean only root can write: owned by root (uid
/// 0) and not writable by group or others.
pub fn admin_only(uid: u32, mode: u32) -> Result<(), String> {
    if uid != 0 {
        return Err(format!("is owned by user {uid}, not root"));
    }
    if mode & 0o022 != 0 {
        let who = match mode & 0o022 {
            0o020 => "its group",
            0o002 => "everyone",
            _ => "its group and everyone",
        };
        return Err(format!("is writable by {who} (mode {:o})", mode & 0o7777));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
