//! The demo tenant's own API registration, "MFA Assistant relay": the
//! helpdesk relay as an API in Entra's terms (app ID URI
//! [`demo::RELAY_APP_ID_URI`], client id [`demo::RELAY_API_CLIENT_ID`], one
//! delegated permission [`demo::RELAY_SCOPE_NAME`], admin consent granted
//! for the demo app).
//!
//! When the demo app asks the token endpoint for that permission (with a
//! code, a device code or, as the app does, its refresh token: Entra's
//! refresh tokens are multi-resource), the access token is an RS256 JWT
//! signed with the tenant key the JWKS endpoint serves, with the claims
//! Entra's access token reference lists. The registration keeps Entra's
//! default access token version for a single-tenant API, v1.0: only v1.0
//! access tokens carry `amr`, which the relay needs (see the README's
//! Fidelity section). Graph never accepts these tokens: they are not among
//! the access tokens Graph resolves.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::errors::IdentityError;
use super::grants::{random_secret, Authentication};
use super::scopes::ScopeSet;
use crate::demo;
use crate::server::Shared;
use crate::tenant::User;

/// The permissions the relay registration exposes (`.default` grants all).
const PERMISSIONS: [&str; 1] = [demo::RELAY_SCOPE_NAME];

/// The v1.0 issuer Entra writes into v1.0 access tokens (in the public
/// cloud; a name, never fetched).
pub(crate) const V1_ISSUER_BASE: &str = "https://sts.windows.net/";

/// `Some` when `scope` names the relay API (by app ID URI or client id):
/// the canonical full scopes, or `invalid_scope` for a permission the API
/// does not expose. `None` for anything else.
pub(crate) fn parse_scope(scope: &str) -> Option<Result<Vec<String>, IdentityError>> {
    let (resource, permission) = scope.rsplit_once('/')?;
    let resource = if resource.eq_ignore_ascii_case(demo::RELAY_APP_ID_URI) {
        demo::RELAY_APP_ID_URI
    } else if resource.eq_ignore_ascii_case(demo::RELAY_API_CLIENT_ID) {
        demo::RELAY_API_CLIENT_ID
    } else {
        return None;
    };
    let names: Vec<&str> = if permission.eq_ignore_ascii_case(".default") {
        PERMISSIONS.to_vec()
    } else if let Some(name) = PERMISSIONS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(permission))
    {
        vec![*name]
    } else {
        return Some(Err(IdentityError::invalid_scope(scope)));
    };
    Some(Ok(names
        .into_iter()
        .map(|name| format!("{resource}/{name}"))
        .collect()))
}

/// The claims of an access token for the relay API: v1.0, as Entra issues
/// them for an API registration with the default token version. `aud` is
/// the resource as the app named it (app ID URI or client id).
pub(crate) fn claims(
    tenant_id: &str,
    client_id: &str,
    scopes: &ScopeSet,
    user: &User,
    authentication: &Authentication,
    lifetime: std::time::Duration,
    now: OffsetDateTime,
) -> Value {
    let audience = scopes
        .api
        .first()
        .and_then(|s| s.rsplit_once('/'))
        .map(|(resource, _)| resource.to_owned())
        .unwrap_or_else(|| demo::RELAY_APP_ID_URI.to_owned());
    let scp: Vec<&str> = scopes
        .api
        .iter()
        .filter_map(|s| s.rsplit_once('/').map(|(_, name)| name))
        .collect();
    let iat = now.unix_timestamp();
    let upn = user.user_principal_name.to_ascii_lowercase();
    let mut claims = json!({
        "aud": audience,
        "iss": format!("{V1_ISSUER_BASE}{tenant_id}/"),
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime.as_secs() as i64,
        "acr": "1",
        "amr": authentication.amr,
        "appid": client_id,
        "appidacr": "0",
        "name": user.display_name,
        "oid": user.id.to_string(),
        "scp": scp.join(" "),
        "sub": pairwise_subject(&user.id.to_string(), demo::RELAY_API_CLIENT_ID),
        "tid": tenant_id,
        "unique_name": upn,
        "upn": upn,
        "uti": random_secret(16),
        "ver": "1.0",
    });
    if let Some(given) = &user.given_name {
        claims["given_name"] = json!(given);
    }
    if let Some(family) = &user.surname {
        claims["family_name"] = json!(family);
    }
    claims
}

/// Signs `claims` with the tenant key.
pub(crate) fn sign(shared: &Shared, claims: &Value) -> Result<String, IdentityError> {
    shared
        .signing
        .get()
        .and_then(|key| key.sign(claims))
        .map_err(|e| IdentityError::new("server_error", 90033, e.to_string()))
}

/// What the emulator's stand-in relay expects of a token: the same rules
/// as the real relay configured for the demo tenant.
pub(crate) fn expectations(shared: &Shared) -> helpdesk_contract::relay_token::Expectations {
    let tenant_id = shared.tenant_id();
    helpdesk_contract::relay_token::Expectations {
        issuers: helpdesk_contract::relay_token::Expectations::issuers_for(
            shared.base.as_str(),
            V1_ISSUER_BASE,
            &tenant_id,
        ),
        tenant_id,
        audiences: vec![
            demo::RELAY_API_CLIENT_ID.to_owned(),
            demo::RELAY_APP_ID_URI.to_owned(),
        ],
        client_id: demo::CLIENT_ID.to_owned(),
        scope: demo::RELAY_SCOPE_NAME.to_owned(),
        max_age_seconds: helpdesk_contract::relay_token::DEFAULT_MAX_AGE_SECONDS,
    }
}

/// Entra's `sub` is pairwise: stable per user and application.
fn pairwise_subject(object_id: &str, application: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{object_id}:{application}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_api_is_named_by_its_uri_or_client_id() {
        let by_uri = parse_scope("API://MFA-Assistant-Relay/devicekeys.enrol");
        assert_eq!(
            by_uri.and_then(Result::ok),
            Some(vec![demo::RELAY_SCOPE.to_string()])
        );
        let by_id = parse_scope(&format!("{}/.default", demo::RELAY_API_CLIENT_ID));
        assert_eq!(
            by_id.and_then(Result::ok),
            Some(vec![format!(
                "{}/DeviceKeys.Enrol",
                demo::RELAY_API_CLIENT_ID
            )])
        );
        let unknown = parse_scope("api://mfa-assistant-relay/Tickets.Write");
        assert_eq!(unknown.and_then(Result::err).map(|e| e.code), Some(70011));
        assert!(parse_scope("https://graph.microsoft.com/User.Read").is_none());
        assert!(parse_scope("User.Read").is_none());
    }

    #[test]
    fn graph_and_the_relay_in_one_request_is_aadsts28000() -> Result<(), IdentityError> {
        let mixed = ScopeSet::parse(&format!("openid User.Read {}", demo::RELAY_SCOPE))?;
        assert_eq!(mixed.for_relay_api().err().map(|e| e.code), Some(28000));
        let relay = ScopeSet::parse(&format!("openid offline_access {}", demo::RELAY_SCOPE))?;
        assert_eq!(relay.for_relay_api().ok(), Some(true));
        assert_eq!(relay.granted(), format!("{} openid", demo::RELAY_SCOPE));
        assert_eq!(ScopeSet::from_stored(&relay.all()), relay);
        let graph = ScopeSet::parse("openid User.Read")?;
        assert_eq!(graph.for_relay_api().ok(), Some(false));
        Ok(())
    }
}
