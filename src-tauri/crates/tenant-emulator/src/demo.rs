//! The fixed facts of the demo tenant: its ids, its app registration and the
//! seven demo employees with the stories they illustrate.
//!
//! These values never change between releases: the app's demo mode, the
//! scripted browser and tests rely on them. The full seed (methods, object
//! ids, profile fields) lives in the crate's tenant model; this module is the
//! public, stable summary.

/// The demo tenant's directory (tenant) id.
pub const TENANT_ID: &str = "8d3c6a2e-5b41-4f7a-9e0d-2c6b1a9f4e73";
/// The demo tenant's verified domain; every demo UPN ends with `@` + this.
pub const DOMAIN: &str = "contoso-demo.example";
/// The tenant's display name, as the sign-in pages show it.
pub const TENANT_DISPLAY_NAME: &str = "Contoso (demo tenant)";
/// The client id of the "MFA Assistant (demo)" public-client app registration.
pub const CLIENT_ID: &str = "4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68";
/// The app registration's display name, shown on consent-like pages.
pub const APP_DISPLAY_NAME: &str = "MFA Assistant (demo)";
/// The redirect URIs registered for the app. For these loopback URIs the
/// port is ignored when matching (RFC 8252 §7.3); the path is not.
pub const REDIRECT_URIS: [&str; 2] = ["http://localhost", "http://127.0.0.1"];

/// The client id of the demo tenant's "MFA Assistant relay" API
/// registration: the helpdesk relay as an API in Entra's terms.
pub const RELAY_API_CLIENT_ID: &str = "5c0e8b3d-7f21-4a96-b4d8-1e6f2a9c3b57";
/// The relay registration's display name.
pub const RELAY_API_DISPLAY_NAME: &str = "MFA Assistant relay (demo)";
/// The relay registration's application ID URI ("Expose an API").
pub const RELAY_APP_ID_URI: &str = "api://mfa-assistant-relay";
/// The relay's one delegated permission: enrol (and look up) the signed-in
/// user's own device keys. Admin consent is granted for the demo app.
pub const RELAY_SCOPE_NAME: &str = "DeviceKeys.Enrol";
/// The full scope the app asks for: `{app ID URI}/{permission}`.
pub const RELAY_SCOPE: &str = "api://mfa-assistant-relay/DeviceKeys.Enrol";
/// The relay registration's client secret, for its own client-credentials
/// grant (owner notices: the application permissions `Mail.Send` and
/// `User.Read.All`, admin-consented in the demo tenant). A demo value,
/// shown openly; a real relay reads its secret from
/// `MFA_RELAY_GRAPH_CLIENT_SECRET`.
pub const RELAY_CLIENT_SECRET: &str = "demo~relay-secret-not-for-production";
/// The demo users' second addresses (`otherMails`), outside the tenant:
/// owner notices go there too.
pub const PERSONAL_MAIL: &[(&str, &str)] = &[
    ("dana@contoso-demo.example", "dana.whitlock@home.example"),
    ("ben@contoso-demo.example", "ben.okafor@home.example"),
];

/// One demo employee, as listed on the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    /// User principal name, e.g. `adele@contoso-demo.example`.
    pub upn: &'static str,
    /// The demo password (shown openly on the sign-in page: this is a demo).
    pub password: &'static str,
    /// Display name, e.g. "Adele Vance".
    pub display_name: &'static str,
    /// One sentence on what this account demonstrates.
    pub story: &'static str,
}

const USERS: [DemoUser; 7] = [
    DemoUser {
        upn: "adele@contoso-demo.example",
        password: "Adele-demo-1",
        display_name: "Adele Vance",
        story: "Signs in with Microsoft Authenticator push; also has a mobile phone. A typical, healthy account.",
    },
    DemoUser {
        upn: "ben@contoso-demo.example",
        password: "Ben-demo-1",
        display_name: "Ben Okafor",
        story: "Only a password and a mobile phone: signs in with an SMS code. One lost phone from a lock-out.",
    },
    DemoUser {
        upn: "chidi@contoso-demo.example",
        password: "Chidi-demo-1",
        display_name: "Chidi Anagonye",
        story: "Many methods, including a FIDO2 security key; system-preferred MFA picks the passkey.",
    },
    DemoUser {
        upn: "dana@contoso-demo.example",
        password: "Dana-demo-1",
        display_name: "Dana Whitlock",
        story: "Locked out: her only second factor was the phone she lost, so MFA can never be completed.",
    },
    DemoUser {
        upn: "erin@contoso-demo.example",
        password: "Erin-demo-1",
        display_name: "Erin Castillo",
        story: "Authenticator, an email method, macOS Platform SSO, a hardware token, an external provider's method, a QR code + PIN, and a method type this app does not know.",
    },
    DemoUser {
        upn: "farah@contoso-demo.example",
        password: "Farah-demo-1",
        display_name: "Farah Haddad",
        story: "Signs in only with SMS codes, which Microsoft stops sending on 1 Feb 2027: she must register a passkey first.",
    },
    DemoUser {
        upn: "gus@contoso-demo.example",
        password: "Gus-demo-1",
        display_name: "Gus Moreau",
        story: "Authenticator push and a passkey in Authenticator on one iPhone, plus its number; switching to a new phone moves both.",
    },
];

/// The demo employees, in the order the sign-in page lists them.
pub fn users() -> &'static [DemoUser] {
    &USERS
}

/// Finds a demo user by UPN (case-insensitive) or by the part before the `@`
/// ("adele").
pub fn user(name: &str) -> Option<&'static DemoUser> {
    let name = name.trim();
    USERS.iter().find(|u| {
        u.upn.eq_ignore_ascii_case(name)
            || u.upn
                .split('@')
                .next()
                .is_some_and(|local| local.eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_user_is_in_the_demo_domain() {
        for u in users() {
            assert!(u.upn.ends_with(&format!("@{DOMAIN}")), "{}", u.upn);
        }
        assert_eq!(users().len(), 7);
    }

    #[test]
    fn users_are_found_by_upn_or_short_name() {
        assert_eq!(
            user("ADELE@contoso-demo.example").map(|u| u.upn),
            Some("adele@contoso-demo.example")
        );
        assert_eq!(user("dana").map(|u| u.password), Some("Dana-demo-1"));
        assert!(user("zed").is_none());
    }
}
