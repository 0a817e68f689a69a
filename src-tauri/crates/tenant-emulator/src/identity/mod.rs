//! The Microsoft identity platform v2.0 endpoints (graph-auth-methods.md §8,
//! RFC 6749, RFC 7636, RFC 8628, OpenID Connect Discovery).
//!
//! Routes, where `{tenant}` is the tenant id, the domain, `organizations` or
//! `common`:
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration`
//! - `GET /{tenant}/discovery/v2.0/keys`
//! - `GET /{tenant}/oauth2/v2.0/authorize` (sign-in pages in [`flows`])
//! - `POST /{tenant}/oauth2/v2.0/token`
//! - `POST /{tenant}/oauth2/v2.0/devicecode`, `GET|POST /devicelogin`
//! - `GET /{tenant}/oauth2/v2.0/logout`, `GET /oidc/userinfo`, `GET /error`
//!
//! Invariants: the token endpoint never redirects and answers errors with
//! Entra's JSON error body; the authorize endpoint redirects only to a
//! registered redirect URI (otherwise it shows an error page); there is no
//! client secret (public client).

pub(crate) mod errors;
pub(crate) mod flows;
pub(crate) mod grants;
pub(crate) mod relay_api;
pub(crate) mod scopes;
pub(crate) mod signing;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::pages;
use crate::server::Shared;
use crate::state::Store;
use crate::tenant::AppRegistration;
use errors::IdentityError;
use flows::{AuthorizeRequest, FlowPurpose};
use grants::{AccessGrant, Authentication, CodeRedemption, PkceChallenge};
use scopes::ScopeSet;

/// Parses a query string or form body; the first occurrence of a name wins.
pub(crate) fn params(bytes: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// A parameter with surrounding whitespace removed; empty counts as absent.
fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn no_store_json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// Whether `uri` matches a redirect URI registered on the app. For loopback
/// URIs (`localhost`, `127.0.0.1`) the port is ignored; scheme, host, path
/// and query must match. Other URIs must match exactly.
pub(crate) fn redirect_uri_registered(app: &AppRegistration, uri: &str) -> bool {
    let Ok(requested) = url::Url::parse(uri) else {
        return false;
    };
    if requested.fragment().is_some() {
        return false;
    }
    app.redirect_uris.iter().any(|registered| {
        let Ok(registered) = url::Url::parse(registered) else {
            return false;
        };
        let loopback = matches!(registered.host_str(), Some("localhost") | Some("127.0.0.1"));
        if loopback {
            registered.scheme() == requested.scheme()
                && registered.host_str() == requested.host_str()
                && registered.path() == requested.path()
                && registered.query() == requested.query()
        } else {
            registered == requested
        }
    })
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub(crate) async fn discovery(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let tenant_id = shared.tenant_id();
    let answers = shared.store().tenant.answers_to(&tenant);
    if !answers {
        return IdentityError::unknown_tenant("invalid_tenant", &tenant)
            .into_response_for(&shared.base, &headers);
    }
    let base = shared.base.as_str();
    // Multi-tenant aliases publish a templated issuer, as Entra does.
    let multi =
        tenant.eq_ignore_ascii_case("organizations") || tenant.eq_ignore_ascii_case("common");
    let (segment, issuer) = if multi {
        (
            tenant.to_ascii_lowercase(),
            format!("{base}{{tenantid}}/v2.0"),
        )
    } else {
        (tenant_id.clone(), format!("{base}{tenant_id}/v2.0"))
    };
    let body = json!({
        "token_endpoint": format!("{base}{segment}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}{segment}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}oidc/userinfo"),
        "authorization_endpoint": format!("{base}{segment}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}{segment}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}{segment}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
            "name", "tid", "ver", "at_hash", "c_hash", "email"
        ],
        "code_challenge_methods_supported": ["plain", "S256"],
        "kerberos_endpoint": format!("{base}{segment}/kerberos"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": shared.base.host_str().unwrap_or("127.0.0.1"),
        "cloud_graph_host_name": shared.base.host_str().unwrap_or("127.0.0.1"),
        "msgraph_host": shared.base.authority(),
        "rbac_url": base,
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys`.
pub(crate) async fn keys(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !shared.store().tenant.answers_to(&tenant) {
        return IdentityError::unknown_tenant("invalid_tenant", &tenant)
            .into_response_for(&shared.base, &headers);
    }
    match shared.signing.get() {
        Ok(key) => (StatusCode::OK, Json(key.jwks(&shared.issuer()))).into_response(),
        Err(e) => IdentityError::new("server_error", 90033, e.to_string())
            .into_response_for(&shared.base, &headers),
    }
}

/// `GET /{tenant}/oauth2/v2.0/authorize`: validates the request and shows
/// the sign-in page.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = params(query.unwrap_or_default().as_bytes());
    let (app, tenant_name, answers) = {
        let store = shared.store();
        (
            store.tenant.application.clone(),
            store.tenant.display_name.clone(),
            store.tenant.answers_to(&tenant),
        )
    };
    let error_page = |e: IdentityError| {
        html(
            StatusCode::BAD_REQUEST,
            pages::error_page(
                "Sorry, but we're having trouble signing you in.",
                &format!("AADSTS{}: {}", e.code, e.text),
                Some(e.code),
            ),
        )
    };
    if !answers {
        return error_page(IdentityError::unknown_tenant("invalid_request", &tenant));
    }
    let Some(client_id) = param(&query, "client_id") else {
        return error_page(IdentityError::missing("client_id"));
    };
    if !client_id.eq_ignore_ascii_case(&app.client_id.to_string()) {
        return error_page(IdentityError::unknown_client(client_id, &tenant_name));
    }
    let Some(redirect_uri) = param(&query, "redirect_uri") else {
        return error_page(IdentityError::missing("redirect_uri"));
    };
    if !redirect_uri_registered(&app, redirect_uri) {
        return error_page(IdentityError::new(
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs \
                 configured for the application '{client_id}'. Make sure the redirect URI sent in the request \
                 matches one added to your application in the Azure portal. Navigate to \
                 https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
        ));
    }
    // From here on, errors go back to the app.
    let mut request = AuthorizeRequest {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state: query.get("state").cloned(),
        nonce: param(&query, "nonce").map(str::to_string),
        challenge: None,
        scopes: ScopeSet::default(),
        claims: param(&query, "claims").map(str::to_string),
    };
    match validate_authorize(&query, &mut request) {
        Ok(()) => {}
        Err(e) => return flows::redirect_error(&request, &e, &headers, None),
    }
    if param(&query, "prompt") == Some("none") {
        // The emulator keeps no single-sign-on session.
        let e = IdentityError::new(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        );
        return flows::redirect_error(&request, &e, &headers, None);
    }
    let login_hint = param(&query, "login_hint").unwrap_or_default().to_string();
    let (flow_id, cookie) = flows::start_flow(&shared, &headers, FlowPurpose::Authorize(request));
    let Some(flow) = shared.store().grants.flows.get(&flow_id).cloned() else {
        return error_page(IdentityError::new(
            "server_error",
            90033,
            "The sign-in could not be started.",
        ));
    };
    let mut response = html(
        StatusCode::OK,
        flows::sign_in_page(&shared, &flow_id, &flow, &login_hint, None),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The checks made after the redirect URI is known to be safe.
fn validate_authorize(
    query: &HashMap<String, String>,
    request: &mut AuthorizeRequest,
) -> Result<(), IdentityError> {
    match param(query, "response_type") {
        None => return Err(IdentityError::missing("response_type")),
        Some("code") => {}
        Some(other) => {
            return Err(IdentityError::new(
                "unsupported_response_type",
                700054,
                format!("response_type '{other}' is not enabled for the application."),
            ))
        }
    }
    if let Some(mode) = param(query, "response_mode") {
        if mode != "query" {
            return Err(IdentityError::new(
                "invalid_request",
                900144,
                format!("The emulator supports response_mode 'query' only, not '{mode}'."),
            ));
        }
    }
    let scope = param(query, "scope").ok_or_else(|| IdentityError::missing("scope"))?;
    request.scopes = ScopeSet::parse(scope)?;
    if let Some(challenge) = param(query, "code_challenge") {
        if !grants::valid_pkce_string(challenge) {
            return Err(IdentityError::new(
                "invalid_request",
                501491,
                "Invalid size of Code_Challenge parameter.",
            ));
        }
        request.challenge = Some(match param(query, "code_challenge_method").unwrap_or("plain") {
            "S256" => PkceChallenge::S256(challenge.to_string()),
            "plain" => PkceChallenge::Plain(challenge.to_string()),
            other => {
                return Err(IdentityError::new(
                    "invalid_request",
                    501492,
                    format!("The code_challenge_method '{other}' is not supported. Use 'S256' or 'plain'."),
                ))
            }
        });
    }
    Ok(())
}

/// `GET /{tenant}/oauth2/v2.0/token`: Entra answers GETs with AADSTS900561.
pub(crate) async fn token_get(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    IdentityError::new(
        "invalid_request",
        900561,
        "The endpoint only accepts POST, OPTIONS requests. Received a GET request.",
    )
    .into_response_for(&shared.base, &headers)
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The relay's own app-only grant (owner notices): `crate::mail`.
    if let Some(result) = crate::mail::client_credentials(&shared, &tenant, &params(&body)) {
        return match result {
            Ok(body) => no_store_json(StatusCode::OK, body),
            Err(e) => e.into_response_for(&shared.base, &headers),
        };
    }
    match token_response(&shared, &tenant, &params(&body)) {
        Ok(body) => no_store_json(StatusCode::OK, body),
        Err(e) => e.into_response_for(&shared.base, &headers),
    }
}

fn check_client(
    store: &Store,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<String, IdentityError> {
    if !store.tenant.answers_to(tenant) {
        return Err(IdentityError::unknown_tenant("invalid_request", tenant));
    }
    let client_id = param(form, "client_id").ok_or_else(|| IdentityError::missing("client_id"))?;
    if !client_id.eq_ignore_ascii_case(&store.tenant.application.client_id.to_string()) {
        return Err(IdentityError::unknown_client(
            client_id,
            &store.tenant.display_name,
        ));
    }
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return Err(IdentityError::new(
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    Ok(client_id.to_ascii_lowercase())
}

fn token_response(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<Value, IdentityError> {
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    store.grants.prune(now);
    let grant_type =
        param(form, "grant_type").ok_or_else(|| IdentityError::missing("grant_type"))?;
    let client_id = check_client(&store, tenant, form)?;
    match grant_type {
        "authorization_code" => {
            let code = param(form, "code").ok_or_else(|| IdentityError::missing("code"))?;
            let redirect_uri = param(form, "redirect_uri")
                .ok_or_else(|| IdentityError::missing("redirect_uri"))?;
            let redeemed = store.grants.redeem_code(
                &CodeRedemption {
                    code,
                    client_id: &client_id,
                    redirect_uri,
                    verifier: param(form, "code_verifier"),
                },
                now,
            )?;
            issue_tokens(
                shared,
                &mut store,
                &client_id,
                &redeemed.scopes,
                &redeemed.authentication,
                redeemed.nonce.as_deref(),
            )
        }
        "refresh_token" => {
            let token = param(form, "refresh_token")
                .ok_or_else(|| IdentityError::missing("refresh_token"))?;
            let requested = param(form, "scope").map(ScopeSet::parse).transpose()?;
            // One resource per token (AADSTS28000), checked before the
            // refresh token is spent.
            if let Some(requested) = &requested {
                requested.for_relay_api()?;
            }
            let tenant_users = store.tenant.users.clone();
            let result = store.grants.redeem_refresh(
                token,
                &client_id,
                |user_id| {
                    tenant_users
                        .iter()
                        .find(|u| u.id == user_id)
                        .map(|u| u.sign_in_sessions_valid_from)
                },
                now,
            );
            let grant = result?;
            let scopes = match requested {
                Some(mut requested) => {
                    // Keep the refresh ability the grant had.
                    if !requested.offline_access() {
                        requested.oidc.push("offline_access".into());
                    }
                    requested
                }
                None => ScopeSet::from_stored(&grant.scopes),
            };
            // Refresh tokens are multi-resource: one redeemed for the relay
            // API keeps the grant's own scopes for the next refresh.
            let keep = if scopes.for_relay_api()? {
                ScopeSet::from_stored(&grant.scopes)
            } else {
                scopes.clone()
            };
            // The old token stays valid (rotation does not revoke it).
            issue_tokens_keeping(
                shared,
                &mut store,
                &client_id,
                (&scopes, &keep),
                &grant.authentication,
                None,
            )
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let device_code = param(form, "device_code")
                .or_else(|| param(form, "code"))
                .ok_or_else(|| IdentityError::missing("device_code"))?;
            let (scopes, authentication) =
                store.grants.poll_device(device_code, &client_id, now)?;
            issue_tokens(
                shared,
                &mut store,
                &client_id,
                &scopes,
                &authentication,
                None,
            )
        }
        other => Err(IdentityError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

/// Issues the token response for a successful grant; persists when a
/// refresh token was issued.
fn issue_tokens(
    shared: &Shared,
    store: &mut Store,
    client_id: &str,
    scopes: &ScopeSet,
    authentication: &Authentication,
    nonce: Option<&str>,
) -> Result<Value, IdentityError> {
    issue_tokens_keeping(
        shared,
        store,
        client_id,
        (scopes, scopes),
        authentication,
        nonce,
    )
}

/// [`issue_tokens`] where the new refresh token keeps `scopes.1` (the
/// grant's scopes) while the access token is for `scopes.0`. An access
/// token for the relay API is a signed JWT ([`relay_api`]) that Graph never
/// accepts; one for Graph and the relay at once is AADSTS28000.
fn issue_tokens_keeping(
    shared: &Shared,
    store: &mut Store,
    client_id: &str,
    (scopes, keep): (&ScopeSet, &ScopeSet),
    authentication: &Authentication,
    nonce: Option<&str>,
) -> Result<Value, IdentityError> {
    let now = OffsetDateTime::now_utc();
    let for_relay_api = scopes.for_relay_api()?;
    let Some(user) = store.tenant.user_by_id(authentication.user_id).cloned() else {
        return Err(IdentityError::new(
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
        ));
    };
    // A token from a Temporary Access Pass sign-in ends with the pass.
    let lifetime = match authentication.ends_at {
        Some(end) if end <= now => {
            return Err(IdentityError::new(
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. \
                 The Temporary Access Pass this sign-in used has ended.",
            ))
        }
        Some(end) => shared
            .access_token_lifetime
            .min(std::time::Duration::from_secs((end - now).whole_seconds().max(1) as u64)),
        None => shared.access_token_lifetime,
    };
    let expires_in = lifetime.as_secs();
    let access_token = if for_relay_api {
        let claims = relay_api::claims(
            &shared.tenant_id(),
            client_id,
            scopes,
            &user,
            authentication,
            lifetime,
            now,
        );
        let token = relay_api::sign(shared, &claims)?;
        store.grants.issued.push(token.clone());
        token
    } else {
        store.grants.issue_access(AccessGrant {
            client_id: client_id.to_string(),
            scopes: scopes.clone(),
            expires: now + lifetime,
            authentication: authentication.clone(),
        })
    };
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scopes.granted(),
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access_token,
    });
    if scopes.offline_access() {
        let refresh = store
            .grants
            .issue_refresh(client_id, keep, authentication, now);
        store.grants.prune_refresh(now);
        body["refresh_token"] = json!(refresh);
        shared.persist(store);
    }
    if scopes.openid() {
        let iat = now.unix_timestamp();
        let mut claims = json!({
            "aud": client_id,
            "iss": shared.issuer(),
            "iat": iat,
            "nbf": iat,
            "exp": iat + 3600,
            "auth_time": authentication.auth_time.unix_timestamp(),
            "name": user.display_name,
            "preferred_username": user.user_principal_name,
            "oid": user.id.to_string(),
            "sub": pairwise_subject(&user.id.to_string(), client_id),
            "tid": shared.tenant_id(),
            "uti": grants::random_secret(16),
            "ver": "2.0",
        });
        if scopes.oidc.iter().any(|s| s == "email") {
            claims["email"] = json!(user.mail);
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        let id_token = shared
            .signing
            .get()
            .and_then(|key| key.sign(&claims))
            .map_err(|e| IdentityError::new("server_error", 90033, e.to_string()))?;
        body["id_token"] = json!(id_token);
    }
    Ok(body)
}

/// Entra's `sub` is pairwise: stable per user and app, different across apps.
fn pairwise_subject(object_id: &str, client_id: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{object_id}:{client_id}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..32])
}

/// `POST /{tenant}/oauth2/v2.0/devicecode` (RFC 8628 §3.1-3.2).
pub(crate) async fn device_code(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = params(&body);
    let result = (|| -> Result<grants::DeviceAuthorization, IdentityError> {
        let mut store = shared.store();
        let client_id = check_client(&store, &tenant, &form)?;
        let scope = param(&form, "scope").ok_or_else(|| IdentityError::missing("scope"))?;
        let scopes = ScopeSet::parse(scope)?;
        let now = OffsetDateTime::now_utc();
        store.grants.prune(now);
        Ok(store
            .grants
            .start_device_authorization(&client_id, scopes, now))
    })();
    match result {
        Ok(device) => {
            let verification_uri = format!("{}devicelogin", shared.base);
            no_store_json(
                StatusCode::OK,
                json!({
                    "user_code": device.user_code,
                    "device_code": device.device_code,
                    "verification_uri": verification_uri,
                    "expires_in": grants::DEVICE_CODE_LIFETIME.whole_seconds(),
                    "interval": shared.device_code_interval_secs,
                    "message": format!(
                        "To sign in, use a web browser to open the page {verification_uri} and enter the code {} to authenticate.",
                        device.user_code
                    ),
                }),
            )
        }
        Err(e) => e.into_response_for(&shared.base, &headers),
    }
}

/// `GET /{tenant}/oauth2/v2.0/logout`: there is no SSO session to end; the
/// page says so and offers nothing else.
pub(crate) async fn logout() -> Response {
    html(
        StatusCode::OK,
        pages::error_page(
            "You signed out of your account",
            "It's a good idea to close all browser windows.",
            None,
        ),
    )
}

/// `GET /error?code=n`: the `error_uri` target.
pub(crate) async fn error_lookup(RawQuery(query): RawQuery) -> Response {
    let query = params(query.unwrap_or_default().as_bytes());
    let code = query.get("code").and_then(|c| c.parse::<u32>().ok());
    html(
        StatusCode::OK,
        pages::error_page(
            "Error code lookup",
            "This emulator does not document error codes; see Microsoft's AADSTS error code reference.",
            code,
        ),
    )
}

/// `GET /oidc/userinfo`: the OpenID Connect UserInfo endpoint (needs a
/// token with the `openid` scope).
pub(crate) async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let caller = match crate::graph::authenticate(&shared, &headers) {
        Ok(caller) => caller,
        Err(_) => {
            let mut response = StatusCode::UNAUTHORIZED.into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            return response;
        }
    };
    if !caller.scopes.openid() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let store = shared.store();
    let Some(user) = store.tenant.user_by_id(caller.authentication.user_id) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let body = json!({
        "sub": pairwise_subject(&user.id.to_string(), &caller.client_id),
        "name": user.display_name,
        "family_name": user.surname,
        "given_name": user.given_name,
        "email": user.mail,
    });
    (StatusCode::OK, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::seed;

    #[test]
    fn loopback_redirects_ignore_the_port_but_not_the_path() {
        let app = seed().application;
        assert!(redirect_uri_registered(&app, "http://127.0.0.1:53127/"));
        assert!(redirect_uri_registered(&app, "http://127.0.0.1:53127"));
        assert!(redirect_uri_registered(&app, "http://localhost:1"));
        assert!(!redirect_uri_registered(
            &app,
            "http://127.0.0.1:53127/callback"
        ));
        assert!(!redirect_uri_registered(&app, "https://127.0.0.1:53127/"));
        assert!(!redirect_uri_registered(&app, "http://evil.example/"));
        assert!(!redirect_uri_registered(&app, "not a url"));
    }

    #[test]
    fn params_keep_the_first_occurrence() {
        let p = params(b"a=1&b=x+y&a=2&c=%2F");
        assert_eq!(p.get("a").map(String::as_str), Some("1"));
        assert_eq!(p.get("b").map(String::as_str), Some("x y"));
        assert_eq!(p.get("c").map(String::as_str), Some("/"));
    }
}
