//! "Settings in use": every setting the app runs with and where it came
//! from, for the settings view and for whoever supports the user.

use std::path::PathBuf;

use crate::config::{self, Cloud, Config, Endpoints, Helpdesk, Layered, ManagedKind, Origin};

/// Where a setting in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingSource {
    /// The organisation's managed file; the user cannot change it.
    Managed,
    /// The user's own file.
    User,
    /// The app's built-in value.
    BuiltIn,
    /// The demo tenant's own value.
    Demo,
}

/// One setting in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingInUse {
    /// The configuration key.
    pub key: &'static str,
    /// `None`: not set.
    pub value: Option<String>,
    /// A qualifier of the value: the helpdesk's kind (`relay`, `zendesk`);
    /// for `security_info_url`, [`UNVERIFIED`] when the address is the
    /// cloud's built-in guess that no Microsoft page confirms.
    pub detail: Option<String>,
    pub source: SettingSource,
}

/// The `detail` of a `security_info_url` that no Microsoft source confirms
/// (the US Government and China clouds' built-in addresses).
pub const UNVERIFIED: &str = "unverified";

/// Every setting in use, with the files they were read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInUse {
    /// Where the organisation's settings are read from, and what kind of
    /// place that is (a file, Group Policy, a configuration profile).
    pub managed_file: PathBuf,
    pub managed_kind: Option<ManagedKind>,
    pub managed_found: bool,
    pub user_file: Option<PathBuf>,
    pub user_found: bool,
    pub entries: Vec<SettingInUse>,
    /// Keys the user's file sets that the managed file locks.
    pub ignored: Vec<&'static str>,
}

impl SettingsInUse {
    /// What `config` (read as `layered`) runs with. The demo tenant's own
    /// values (cloud, tenant, app, endpoints) are marked as the demo's;
    /// endpoints of a named cloud come with the cloud.
    pub fn new(config: &Config, endpoints: &Endpoints, layered: &Layered) -> SettingsInUse {
        let provenance = &layered.provenance;
        let helpdesk = layered.helpdesk.as_ref();
        let demo = matches!(config.cloud, Cloud::Demo);
        let source_of = |key: &str| -> SettingSource {
            let tenant_key = matches!(
                key,
                "cloud" | "tenant" | "client_id" | "authority_host" | "graph_base" | "graph_api"
            );
            // The demo tenant turns account recovery on unless a file says.
            let demo_default =
                key == "account_recovery" && provenance.origin(key) == Origin::BuiltIn;
            if demo && (tenant_key || demo_default) {
                return SettingSource::Demo;
            }
            let key = match (key, &config.cloud) {
                ("authority_host" | "graph_base" | "graph_api", Cloud::Custom { .. }) => key,
                ("authority_host" | "graph_base" | "graph_api", _) => "cloud",
                _ => key,
            };
            match provenance.origin(key) {
                Origin::Managed => SettingSource::Managed,
                Origin::User => SettingSource::User,
                Origin::BuiltIn => SettingSource::BuiltIn,
            }
        };
        let entry = |key: &'static str, value: Option<String>| SettingInUse {
            key,
            value,
            detail: None,
            source: source_of(key),
        };
        let mut entries = vec![
            entry("cloud", Some(config.cloud.name().to_owned())),
            entry("tenant", Some(config.tenant.clone())),
            entry("client_id", Some(config.client_id.clone())),
            entry("authority_host", Some(endpoints.authority_host.to_string())),
            entry("graph_base", Some(endpoints.graph_base.to_string())),
            entry(
                "graph_api",
                Some(config.cloud.graph_api().version().to_owned()),
            ),
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
            SettingInUse {
                // Only the cloud's built-in address can be unverified; one
                // the organisation or user set is theirs to vouch for.
                detail: (layered.security_info_url.is_none()
                    && !config.cloud.security_info_url_verified())
                .then(|| UNVERIFIED.to_owned()),
                ..entry(
                    "security_info_url",
                    Some(
                        layered
                            .security_info_url
                            .clone()
                            .unwrap_or_else(|| config::security_info_url(&config.cloud, endpoints))
                            .to_string(),
                    ),
                )
            },
            entry(
                "recommended_methods",
                Some(layered.floor.recommended().to_string()),
            ),
            entry(
                "required_methods",
                Some(layered.floor.required().to_string()),
            ),
            entry(
                "own_telecom_provider",
                Some(layered.own_telecom_provider.to_string()),
            ),
            entry(
                "account_recovery",
                Some(layered.account_recovery.to_string()),
            ),
            entry("language", layered.language.map(|l| l.tag().to_owned())),
            SettingInUse {
                detail: helpdesk.map(|h| h.kind().to_owned()),
                ..entry("helpdesk", helpdesk.map(|h| h.url().to_string()))
            },
        ];
        // A relay signs requests from enrolled devices only with its own
        // scope to enrol for; without it the user's requests go unsigned.
        if let Some(Helpdesk::Relay(_)) = helpdesk {
            entries.push(entry("relay_scope", layered.relay_scope.clone()));
        }
        if provenance.origin("allow_demo_tenant") == Origin::Managed {
            entries.push(entry(
                "allow_demo_tenant",
                Some(layered.demo_allowed.to_string()),
            ));
        }
        SettingsInUse {
            managed_file: provenance.managed_file.clone(),
            managed_kind: Some(provenance.managed_kind),
            managed_found: provenance.managed_found,
            user_file: provenance.user_file.clone(),
            user_found: provenance.user_found,
            entries,
            ignored: provenance.ignored.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68";

    /// The settings in use for a user file `text` (no managed file).
    fn in_use(text: &str) -> SettingsInUse {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("user.toml");
        std::fs::write(&user, text).unwrap();
        let layered = config::load_layered(&dir.path().join("managed.toml"), Some(&user)).unwrap();
        let config = layered.config.clone().unwrap();
        let endpoints = config.cloud.endpoints().unwrap();
        SettingsInUse::new(&config, &endpoints, &layered)
    }

    fn security_info(settings: &SettingsInUse) -> &SettingInUse {
        settings
            .entries
            .iter()
            .find(|e| e.key == "security_info_url")
            .unwrap()
    }

    #[test]
    fn security_info_addresses_without_a_microsoft_source_are_marked_unverified() {
        for (cloud, url) in [
            (
                "usGovernment",
                "https://mysignins.microsoft.us/security-info",
            ),
            (
                "usGovernmentDoD",
                "https://mysignins.microsoft.us/security-info",
            ),
            ("china", "https://mysignins.azure.cn/security-info"),
        ] {
            let s = in_use(&format!(
                "cloud = \"{cloud}\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n"
            ));
            let entry = security_info(&s);
            assert_eq!(entry.value.as_deref(), Some(url), "{cloud}");
            assert_eq!(entry.detail.as_deref(), Some(UNVERIFIED), "{cloud}");
        }
        let public = in_use(&format!("tenant = \"{GUID}\"\nclient_id = \"{GUID}\"\n"));
        assert_eq!(security_info(&public).detail, None);
    }

    #[test]
    fn an_address_set_in_the_file_is_not_marked_unverified() {
        let s = in_use(&format!(
            "cloud = \"china\"\ntenant = \"{GUID}\"\nclient_id = \"{GUID}\"\nsecurity_info_url = \"https://mysignins.example.cn/security-info\"\n"
        ));
        let entry = security_info(&s);
        assert_eq!(
            entry.value.as_deref(),
            // Service URLs are kept as base URLs, ending in `/`.
            Some("https://mysignins.example.cn/security-info/")
        );
        assert_eq!(entry.detail, None);
        assert_eq!(entry.source, SettingSource::User);
    }
}
