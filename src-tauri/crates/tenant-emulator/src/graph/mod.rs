//! Microsoft Graph: `/v1.0/...` and `/beta/...` (graph-auth-methods.md §2,
//! §9, §11).
//!
//! Every Graph request, direct or inside a `$batch`, goes through one
//! function, [`dispatch`]: `(request, caller) -> response`. The HTTP handler
//! only authenticates, picks `$batch` apart ([`batch`]) and renders. So any
//! route added to [`dispatch`] works in batches too.
//!
//! Invariants: a bearer token is required (401 `InvalidAuthenticationToken`
//! otherwise, expired included); a token without the route's permission gets
//! 403; every error uses Graph's envelope and echoes `client-request-id`;
//! each version shows only the method types it knows.

pub(crate) mod batch;
pub(crate) mod errors;
mod writes;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::identity::grants::Authentication;
use crate::identity::scopes::ScopeSet;
use crate::server::Shared;
use crate::tenant::{ApiVersion, MethodCollection, User};
use errors::GraphError;

/// The success content type Graph sends.
const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// Who is calling: what an access token stands for.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub client_id: String,
    pub scopes: ScopeSet,
    pub authentication: Authentication,
}

impl Caller {
    /// Whether the token carries any of these permissions.
    fn has_any(&self, permissions: &[&str]) -> bool {
        self.scopes
            .graph
            .iter()
            .any(|granted| permissions.iter().any(|p| p.eq_ignore_ascii_case(granted)))
    }

    fn may_read_profile(&self) -> bool {
        self.has_any(&[
            "User.Read",
            "User.ReadWrite",
            "User.ReadBasic.All",
            "User.Read.All",
            "Directory.Read.All",
        ])
    }

    fn may_read_methods(&self) -> bool {
        self.has_any(&[
            "UserAuthenticationMethod.Read",
            "UserAuthenticationMethod.ReadWrite",
            "UserAuthenticationMethod.Read.All",
            "UserAuthenticationMethod.ReadWrite.All",
        ])
    }

    /// Whether the token may change methods of this collection:
    /// `UserAuthenticationMethod.ReadWrite(.All)` or the collection's
    /// granular `UserAuthMethod-*.ReadWrite(.All)`.
    fn may_write_collection(&self, collection: MethodCollection) -> bool {
        let family = collection.granular_permission();
        self.may_write_methods()
            || self.has_any(&[
                &format!("{family}.ReadWrite"),
                &format!("{family}.ReadWrite.All"),
            ])
    }

    /// Whether the token may change methods in general (and the beta
    /// `signInPreferences`).
    fn may_write_methods(&self) -> bool {
        self.has_any(&[
            "UserAuthenticationMethod.ReadWrite",
            "UserAuthenticationMethod.ReadWrite.All",
        ])
    }

    fn may_read_collection(&self, collection: MethodCollection) -> bool {
        let family = collection.granular_permission();
        self.may_read_methods()
            || ["Read", "ReadWrite", "Read.All", "ReadWrite.All"]
                .iter()
                .any(|suffix| self.has_any(&[&format!("{family}.{suffix}")]))
    }
}

/// Per-request identifiers that appear in headers and error bodies.
#[derive(Debug, Clone)]
pub(crate) struct GraphContext {
    pub request_id: String,
    /// The caller's `client-request-id`, or the request id when it sent none.
    pub client_request_id: String,
    pub client_request_id_sent: bool,
    /// The emulator's base URL (for `@odata.context` and challenges).
    pub base: String,
}

impl GraphContext {
    pub(crate) fn new(shared: &Shared, headers: &HeaderMap) -> GraphContext {
        let request_id = Uuid::new_v4().to_string();
        let sent = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        GraphContext {
            client_request_id: sent.clone().unwrap_or_else(|| request_id.clone()),
            client_request_id_sent: sent.is_some(),
            request_id,
            base: shared.base.to_string(),
        }
    }
}

/// One Graph request as the dispatcher sees it.
pub(crate) struct GraphRequest<'a> {
    pub method: &'a Method,
    pub version: ApiVersion,
    /// The path after the version, e.g. `/me/authentication/methods`.
    pub path: &'a str,
    /// Request headers (kept for routes that need them).
    #[allow(dead_code)]
    pub headers: &'a HeaderMap,
    /// The request body, read by the write routes (POST/PATCH).
    pub body: &'a [u8],
    pub context: &'a GraphContext,
}

/// A Graph response before it becomes HTTP (or a `$batch` item).
#[derive(Debug, Clone)]
pub(crate) struct GraphResponse {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl GraphResponse {
    fn ok(body: Value) -> GraphResponse {
        GraphResponse {
            status: StatusCode::OK,
            headers: vec![("Content-Type".into(), ODATA_JSON.into())],
            body: Some(body),
        }
    }

    /// 201 Created with the new entity.
    fn created(body: Value) -> GraphResponse {
        GraphResponse {
            status: StatusCode::CREATED,
            headers: vec![("Content-Type".into(), ODATA_JSON.into())],
            body: Some(body),
        }
    }

    /// 204 No Content.
    fn no_content() -> GraphResponse {
        GraphResponse {
            status: StatusCode::NO_CONTENT,
            headers: Vec::new(),
            body: None,
        }
    }

    /// The HTTP response, with Graph's `request-id` and `client-request-id`.
    pub(crate) fn into_http(self, context: &GraphContext) -> Response {
        let body = self.body.map(|b| b.to_string()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.remove(axum::http::header::CONTENT_TYPE);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) =
                (HeaderName::try_from(name), HeaderValue::from_str(&value))
            {
                headers.insert(name, value);
            }
        }
        for (name, value) in [
            ("request-id", &context.request_id),
            ("client-request-id", &context.client_request_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        headers.insert("cache-control", HeaderValue::from_static("no-cache"));
        response
    }
}

/// Resolves the bearer token of a request.
pub(crate) fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Caller, GraphError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ if value.is_empty() => "",
        _ => {
            return Err(GraphError::unauthenticated(
                "Access token validation failure.",
            ))
        }
    };
    if token.is_empty() {
        return Err(GraphError::unauthenticated("Access token is empty."));
    }
    let store = shared.store();
    let Some(grant) = store.grants.access.get(token) else {
        return Err(GraphError::unauthenticated(
            "Access token validation failure. Invalid audience.",
        ));
    };
    if grant.expires <= OffsetDateTime::now_utc() {
        return Err(GraphError::unauthenticated(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    if store
        .tenant
        .user_by_id(grant.authentication.user_id)
        .is_none()
    {
        return Err(GraphError::unauthenticated("User does not exist."));
    }
    Ok(Caller {
        client_id: grant.client_id.clone(),
        scopes: grant.scopes.clone(),
        authentication: grant.authentication.clone(),
    })
}

/// Splits `/v1.0/rest` into the version and `/rest`.
pub(crate) fn split_version(path: &str) -> Option<(ApiVersion, &str)> {
    let rest = path.strip_prefix('/')?;
    let (version, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let version = if version.eq_ignore_ascii_case("v1.0") {
        ApiVersion::V1
    } else if version.eq_ignore_ascii_case("beta") {
        ApiVersion::Beta
    } else {
        return None;
    };
    Some((version, rest))
}

/// The HTTP entry point for `/v1.0/*` and `/beta/*`.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let context = GraphContext::new(&shared, &headers);
    let Some((version, path)) = split_version(uri.path()) else {
        return GraphError::segment_not_found(uri.path())
            .render(&context)
            .into_http(&context);
    };
    // The relay's app-only token (owner notices): `crate::mail`.
    if let Some(response) = crate::mail::graph(
        &shared,
        &method,
        path,
        uri.query(),
        &headers,
        &body,
        &context,
    ) {
        return response.into_http(&context);
    }
    let caller = match authenticate(&shared, &headers) {
        Ok(caller) => caller,
        Err(e) => return e.render(&context).into_http(&context),
    };
    let response = if path.trim_matches('/').eq_ignore_ascii_case("$batch") {
        if method == Method::POST {
            batch::run(&shared, version, &body, &caller, &context).await
        } else {
            GraphError::method_not_allowed().render(&context)
        }
    } else {
        dispatch(
            &shared,
            &GraphRequest {
                method: &method,
                version,
                path,
                headers: &headers,
                body: &body,
                context: &context,
            },
            &caller,
        )
    };
    response.into_http(&context)
}

/// Percent-decoded, non-empty path segments.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

fn percent_decode(segment: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The one Graph dispatcher: routes a request for a caller to a response.
pub(crate) fn dispatch(
    shared: &Shared,
    request: &GraphRequest<'_>,
    caller: &Caller,
) -> GraphResponse {
    match route(shared, request, caller) {
        Ok(response) => response,
        Err(error) => error.render(request.context),
    }
}

fn route(
    shared: &Shared,
    request: &GraphRequest<'_>,
    caller: &Caller,
) -> Result<GraphResponse, GraphError> {
    let segs = segments(request.path);
    let version = request.version;
    let metadata = format!("{}{}/$metadata", request.context.base, version.segment());
    let mut store = shared.store();
    let Some(me) = store.tenant.user_by_id(caller.authentication.user_id) else {
        return Err(GraphError::unauthenticated("User does not exist."));
    };
    let Some(first) = segs.first() else {
        require_get(request)?;
        return Ok(GraphResponse::ok(json!({
            "@odata.context": metadata,
            "value": [
                {"name": "me", "kind": "Singleton", "url": "me"},
                {"name": "users", "kind": "EntitySet", "url": "users"},
            ],
        })));
    };
    let rest: &[String] = if first.eq_ignore_ascii_case("me") {
        &segs[1..]
    } else if first.eq_ignore_ascii_case("users") {
        let Some(id) = segs.get(1) else {
            require_get(request)?;
            return Err(GraphError::insufficient_privileges());
        };
        match store.tenant.user(id) {
            Some(user) if user.id == me.id => &segs[2..],
            Some(_) => return Err(GraphError::insufficient_privileges()),
            None => {
                return Err(GraphError::new(
                    StatusCode::NOT_FOUND,
                    "Request_ResourceNotFound",
                    format!(
                        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
                    ),
                ))
            }
        }
    } else {
        return Err(GraphError::segment_not_found(first));
    };
    // A China (21Vianet) tenant has no v1.0 authentication-methods API:
    // Microsoft's v1.0 pages leave that cloud out, its beta pages include
    // it. What Graph answers there is undocumented; the emulator answers as
    // Graph does for a segment it does not know.
    if shared.china_cloud && version == ApiVersion::V1 {
        if let [auth, ..] = rest {
            if auth.eq_ignore_ascii_case("authentication") {
                return Err(GraphError::segment_not_found(auth));
            }
        }
    }
    // Microsoft documents `signInPreferences` only as
    // `/users/{id}/authentication/signInPreferences`; the `/me` form appears
    // only in generated SDK metadata, so the emulator refuses it, on every
    // version, the way Graph refuses a segment it does not know.
    if first.eq_ignore_ascii_case("me") {
        if let [auth, preferences, ..] = rest {
            if auth.eq_ignore_ascii_case("authentication")
                && preferences.eq_ignore_ascii_case("signInPreferences")
            {
                return Err(GraphError::segment_not_found(preferences));
            }
        }
    }
    let user_context = format!("{metadata}#users('{}')", me.id);
    if let [auth, tail @ ..] = rest {
        if auth.eq_ignore_ascii_case("authentication") && request.method != Method::GET {
            let user_id = me.id;
            let written = writes::write(
                shared,
                &mut store,
                request,
                caller,
                user_id,
                &format!("{user_context}/authentication"),
                tail,
            );
            if let Some(result) = written {
                return result;
            }
        }
    }
    let Some(me) = store.tenant.user_by_id(caller.authentication.user_id) else {
        return Err(GraphError::unauthenticated("User does not exist."));
    };
    match rest {
        [] => {
            require_get(request)?;
            if !caller.may_read_profile() {
                return Err(GraphError::insufficient_privileges());
            }
            Ok(GraphResponse::ok(user_json(me, &metadata)))
        }
        [auth, tail @ ..] if auth.eq_ignore_ascii_case("authentication") => authentication(
            request,
            caller,
            me,
            &format!("{user_context}/authentication"),
            tail,
        ),
        [other, ..] => Err(GraphError::segment_not_found(other)),
    }
}

fn require_get(request: &GraphRequest<'_>) -> Result<(), GraphError> {
    if request.method == Method::GET {
        Ok(())
    } else {
        Err(GraphError::method_not_allowed())
    }
}

/// The `/me` (or `/users/{self}`) resource.
fn user_json(user: &User, metadata: &str) -> Value {
    json!({
        "@odata.context": format!("{metadata}#users/$entity"),
        "businessPhones": user.business_phones,
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.mail,
        "mobilePhone": user.mobile_phone,
        "officeLocation": user.office_location,
        "preferredLanguage": user.preferred_language,
        "surname": user.surname,
        "userPrincipalName": user.user_principal_name,
        "id": user.id.to_string(),
    })
}

fn sign_in_preferences_json(user: &User) -> Value {
    let prefs = &user.sign_in_preferences;
    json!({
        "isSystemPreferredAuthenticationMethodEnabled": prefs.is_system_preferred_authentication_method_enabled,
        "userPreferredMethodForSecondaryAuthentication":
            prefs.user_preferred_method_for_secondary_authentication.map(|m| m.graph_name()),
        "systemPreferredAuthenticationMethod": prefs.system_preferred_authentication_method,
    })
}

/// Routes under `/authentication`.
fn authentication(
    request: &GraphRequest<'_>,
    caller: &Caller,
    user: &User,
    context: &str,
    tail: &[String],
) -> Result<GraphResponse, GraphError> {
    let version = request.version;
    let now = OffsetDateTime::now_utc();
    match tail {
        [] => {
            require_get(request)?;
            if !caller.may_read_methods() {
                return Err(GraphError::request_authorization_failed());
            }
            let mut body = json!({ "@odata.context": format!("{context}/$entity") });
            if version == ApiVersion::Beta {
                body["signInPreferences"] = sign_in_preferences_json(user);
            }
            Ok(GraphResponse::ok(body))
        }
        [segment, rest @ ..] if segment.eq_ignore_ascii_case("methods") => {
            if !caller.may_read_methods() {
                require_get(request)?;
                return Err(GraphError::request_authorization_failed());
            }
            let visible = user.methods.iter().filter(|m| m.kind.visible_in(version));
            match rest {
                [] => {
                    require_get(request)?;
                    let value: Vec<Value> = visible.map(|m| m.graph_json(true, now)).collect();
                    Ok(GraphResponse::ok(json!({
                        "@odata.context": format!("{context}/methods"),
                        "value": value,
                    })))
                }
                [id] => {
                    require_get(request)?;
                    let mut visible = visible;
                    let method = visible
                        .find(|m| m.id.eq_ignore_ascii_case(id))
                        .ok_or_else(GraphError::item_not_found)?;
                    let mut body = method.graph_json(true, now);
                    body["@odata.context"] = json!(format!("{context}/methods/$entity"));
                    Ok(GraphResponse::ok(body))
                }
                [_, extra, ..] => Err(GraphError::segment_not_found(extra)),
            }
        }
        [segment]
            if segment.eq_ignore_ascii_case("signInPreferences") && version == ApiVersion::Beta =>
        {
            require_get(request)?;
            if !caller.may_read_methods() {
                return Err(GraphError::request_authorization_failed());
            }
            let mut body = sign_in_preferences_json(user);
            body["@odata.context"] = json!(format!("{context}/signInPreferences"));
            Ok(GraphResponse::ok(body))
        }
        [segment, rest @ ..] => {
            let collection = MethodCollection::from_segment(segment, version)
                .ok_or_else(|| GraphError::segment_not_found(segment))?;
            if !caller.may_read_collection(collection) {
                require_get(request)?;
                return Err(GraphError::request_authorization_failed());
            }
            let name = collection.segment();
            let members = user
                .methods
                .iter()
                .filter(|m| m.kind.collection() == Some(collection));
            match rest {
                [] => {
                    require_get(request)?;
                    let value: Vec<Value> = members.map(|m| m.graph_json(false, now)).collect();
                    Ok(GraphResponse::ok(json!({
                        "@odata.context": format!("{context}/{name}"),
                        "value": value,
                    })))
                }
                [id] => {
                    require_get(request)?;
                    let mut members = members;
                    let method = members
                        .find(|m| m.id.eq_ignore_ascii_case(id))
                        .ok_or_else(GraphError::item_not_found)?;
                    let mut body = method.graph_json(false, now);
                    body["@odata.context"] = json!(format!("{context}/{name}/$entity"));
                    Ok(GraphResponse::ok(body))
                }
                [_, extra, ..] => Err(GraphError::segment_not_found(extra)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_split_off_the_path() {
        assert_eq!(split_version("/v1.0/me"), Some((ApiVersion::V1, "/me")));
        assert_eq!(
            split_version("/BETA/me/x"),
            Some((ApiVersion::Beta, "/me/x"))
        );
        assert_eq!(split_version("/beta"), Some((ApiVersion::Beta, "")));
        assert_eq!(split_version("/v2.0/me"), None);
    }

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(
            segments("/users/adele%40contoso-demo.example//authentication/"),
            vec!["users", "adele@contoso-demo.example", "authentication"]
        );
        assert_eq!(segments("/a%2"), vec!["a%2"]);
        assert_eq!(segments("/%zz"), vec!["%zz"]);
    }
}
