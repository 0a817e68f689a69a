//! Scope parsing for the identity endpoints (graph-auth-methods.md §1, §8).
//!
//! A requested scope is either an OpenID Connect scope (`openid`, `profile`,
//! `email`, `offline_access`) or a Microsoft Graph delegated permission,
//! written bare (`User.Read`) or with the `https://graph.microsoft.com/`
//! prefix, which is stripped. `.default` stands for the app's configured
//! permissions. Anything else is `invalid_scope` (AADSTS70011).

use super::errors::IdentityError;

const GRAPH_PREFIX: &str = "https://graph.microsoft.com/";
const OIDC: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The permissions configured on the demo app registration, granted for
/// `https://graph.microsoft.com/.default`.
pub(crate) const APP_PERMISSIONS: [&str; 2] = ["User.Read", "UserAuthenticationMethod.ReadWrite"];

const GRAPH_PERMISSIONS: [&str; 10] = [
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "Directory.Read.All",
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "Policy.Read.All",
];

const GRANULAR_FAMILIES: [&str; 12] = [
    "Email",
    "External",
    "HardwareOATH",
    "MicrosoftAuthApp",
    "Passkey",
    "Password",
    "Phone",
    "PlatformCred",
    "QR",
    "SoftwareOATH",
    "TAP",
    "WindowsHello",
];

/// The canonical spelling of a Graph delegated permission, if it is one.
fn canonical_graph_permission(scope: &str) -> Option<String> {
    if let Some(known) = GRAPH_PERMISSIONS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(scope))
    {
        return Some(known.to_string());
    }
    for family in GRANULAR_FAMILIES {
        for suffix in ["Read", "ReadWrite", "Read.All", "ReadWrite.All"] {
            let name = format!("UserAuthMethod-{family}.{suffix}");
            if name.eq_ignore_ascii_case(scope) {
                return Some(name);
            }
        }
    }
    None
}

/// A validated scope request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ScopeSet {
    /// Graph permissions, canonical spelling, request order, no duplicates.
    pub graph: Vec<String>,
    /// OIDC scopes requested, lower case.
    pub oidc: Vec<String>,
    /// Delegated permissions of the tenant's own API (the "MFA Assistant
    /// relay"), as full scope strings in the form they were asked for
    /// (`api://mfa-assistant-relay/DeviceKeys.Enrol` or
    /// `{client id}/DeviceKeys.Enrol`), canonical spelling
    /// ([`super::relay_api`]).
    pub api: Vec<String>,
}

impl ScopeSet {
    /// Parses a space-separated `scope` parameter.
    pub(crate) fn parse(raw: &str) -> Result<ScopeSet, IdentityError> {
        let mut set = ScopeSet::default();
        for scope in raw.split([' ', '+']).filter(|s| !s.is_empty()) {
            let lower = scope.to_ascii_lowercase();
            if OIDC.contains(&lower.as_str()) {
                if !set.oidc.contains(&lower) {
                    set.oidc.push(lower);
                }
                continue;
            }
            if let Some(api) = super::relay_api::parse_scope(scope) {
                for name in api? {
                    if !set.api.contains(&name) {
                        set.api.push(name);
                    }
                }
                continue;
            }
            let bare = if lower.starts_with(GRAPH_PREFIX) {
                &scope[GRAPH_PREFIX.len()..]
            } else if scope.contains("://") {
                return Err(IdentityError::invalid_scope(scope));
            } else {
                scope
            };
            let names: Vec<String> = if bare.eq_ignore_ascii_case(".default") {
                APP_PERMISSIONS.iter().map(|s| s.to_string()).collect()
            } else {
                vec![canonical_graph_permission(bare)
                    .ok_or_else(|| IdentityError::invalid_scope(scope))?]
            };
            for name in names {
                if !set.graph.contains(&name) {
                    set.graph.push(name);
                }
            }
        }
        if set.graph.is_empty() && set.oidc.is_empty() && set.api.is_empty() {
            return Err(IdentityError::missing("scope"));
        }
        Ok(set)
    }

    /// Whether the access token is for the tenant's own API rather than
    /// Graph. A set naming both is refused as Entra refuses it at the token
    /// endpoint: one access token has one audience (AADSTS28000).
    pub(crate) fn for_relay_api(&self) -> Result<bool, IdentityError> {
        if self.api.is_empty() {
            return Ok(false);
        }
        if !self.graph.is_empty() {
            return Err(IdentityError::multiple_resources(&self.requested()));
        }
        Ok(true)
    }

    /// Every scope as a `scope` parameter would name it.
    fn requested(&self) -> String {
        self.oidc
            .iter()
            .chain(self.graph.iter())
            .chain(self.api.iter())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(crate) fn offline_access(&self) -> bool {
        self.oidc.iter().any(|s| s == "offline_access")
    }

    pub(crate) fn openid(&self) -> bool {
        self.oidc.iter().any(|s| s == "openid")
    }

    /// The `scope` member of a token response: the granted Graph permissions
    /// followed by the OIDC scopes (`offline_access` is not an access-token
    /// scope and is left out).
    pub(crate) fn granted(&self) -> String {
        self.graph
            .iter()
            .chain(self.api.iter())
            .map(String::as_str)
            .chain(
                self.oidc
                    .iter()
                    .map(String::as_str)
                    .filter(|s| *s != "offline_access"),
            )
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every scope, for storing with a grant.
    pub(crate) fn all(&self) -> Vec<String> {
        self.graph
            .iter()
            .chain(self.oidc.iter())
            .chain(self.api.iter())
            .cloned()
            .collect()
    }

    /// Rebuilds a set from [`ScopeSet::all`].
    pub(crate) fn from_stored(stored: &[String]) -> ScopeSet {
        let (api, rest): (Vec<String>, Vec<String>) = stored
            .iter()
            .cloned()
            .partition(|s| super::relay_api::parse_scope(s).is_some());
        let (oidc, graph) = rest.into_iter().partition(|s| OIDC.contains(&s.as_str()));
        ScopeSet { graph, oidc, api }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_prefix_is_stripped_and_spelling_canonicalised() -> Result<(), IdentityError> {
        let set = ScopeSet::parse(
            "openid offline_access https://graph.microsoft.com/user.read userauthenticationmethod.read profile",
        )?;
        assert_eq!(
            set.graph,
            vec!["User.Read", "UserAuthenticationMethod.Read"]
        );
        assert!(set.offline_access() && set.openid());
        assert_eq!(
            set.granted(),
            "User.Read UserAuthenticationMethod.Read openid profile"
        );
        assert_eq!(ScopeSet::from_stored(&set.all()), set);
        Ok(())
    }

    #[test]
    fn default_scope_grants_the_app_permissions() -> Result<(), IdentityError> {
        let set = ScopeSet::parse("https://graph.microsoft.com/.default")?;
        assert_eq!(set.graph, APP_PERMISSIONS.to_vec());
        let granular = ScopeSet::parse("UserAuthMethod-Phone.ReadWrite")?;
        assert_eq!(granular.graph, vec!["UserAuthMethod-Phone.ReadWrite"]);
        Ok(())
    }

    #[test]
    fn unknown_and_foreign_scopes_are_rejected() {
        for bad in [
            "Mail.Send.Everything",
            "https://management.azure.com/user_impersonation",
        ] {
            let err = ScopeSet::parse(bad).err();
            assert_eq!(
                err.map(|e| (e.error, e.code)),
                Some(("invalid_scope", 70011))
            );
        }
        assert_eq!(ScopeSet::parse("  ").err().map(|e| e.code), Some(900144));
    }
}
