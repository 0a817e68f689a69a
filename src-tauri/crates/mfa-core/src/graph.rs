//! Microsoft Graph client for the signed-in user's Security Info.
//!
//! The first load is one round trip: a v1.0 `$batch` with `/me` and
//! `/me/authentication/methods`, sent together with the beta
//! `signInPreferences` (which a v1.0 batch cannot carry). In a cloud whose
//! v1.0 lacks the authentication-methods API (China, see [`GraphApi`]) the
//! batch and every methods call go to beta instead. When the beta call
//! fails the methods are still shown, with the default marked unknown.
//!
//! `signInPreferences` is read and written only on the documented path,
//! `/beta/users/{id}/authentication/signInPreferences`, with the user's own
//! object id (from the ID token); Microsoft documents no `/me` form of it.
//!
//! 429 and 503 are retried per [`crate::http::retry_delay`], for the whole
//! request and for single batch items.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use url::Url;

use crate::auth::error_chain;
use crate::guardrails::PhoneNumber;
use crate::http::{retry_after, retry_delay};
use crate::secret::AccessToken;
use crate::security_info::{
    Account, AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
    SignInPreferences,
};

/// A Graph error, from the `{"error":{"code","message","innerError"}}` envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// 401: the access token is missing, expired or not accepted.
    #[error("Graph did not accept the sign-in ({code}: {message})")]
    Unauthorized { code: String, message: String },
    /// 429 or 503 that did not clear within the retry policy.
    #[error("Microsoft Graph is busy ({status}){}; try again in a moment", retry_after.map(|d| format!(", asked to wait {:.0} s", d.as_secs_f64().ceil())).unwrap_or_default())]
    Busy {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Any other error status, with Graph's code and message.
    #[error("Microsoft Graph answered {status} {code}: {message}{}", request_id.as_ref().map(|r| format!(" (request-id {r})")).unwrap_or_default())]
    Service {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    #[error("Microsoft Graph could not be reached: {0}")]
    Network(String),
    /// A success response we could not read.
    #[error("Microsoft Graph answered something unexpected: {0}")]
    Unexpected(String),
}

impl GraphError {
    /// Graph answered that this API is not deployed here: a path segment it
    /// does not know (400 `BadRequest` "Resource not found for the segment
    /// …", as Graph answers a version or cloud without the API, e.g. v1.0's
    /// authentication methods in a China tenant) or 501 `NotImplemented`.
    /// Microsoft documents no dedicated code for "not in this cloud".
    pub fn is_not_in_this_cloud(&self) -> bool {
        match self {
            GraphError::Service {
                status: 400,
                code,
                message,
                ..
            } => code == "BadRequest" && message.starts_with("Resource not found for the segment"),
            GraphError::Service { status: 501, .. } => true,
            _ => false,
        }
    }
}

/// Which Graph version a cloud documents the methods API on (defined with
/// the clouds, in `config`).
pub use crate::config::GraphApi;

/// A Graph client bound to one base URL (`https://graph.microsoft.com/` or a
/// national cloud's or the emulator's) and the version its cloud documents.
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base: Url,
    api: GraphApi,
}

impl GraphClient {
    pub fn new(http: reqwest::Client, base: Url) -> GraphClient {
        GraphClient::for_api(http, base, GraphApi::V1)
    }

    /// A client for a cloud whose authentication-methods API lives on `api`.
    pub fn for_api(http: reqwest::Client, base: Url, api: GraphApi) -> GraphClient {
        GraphClient { http, base, api }
    }

    /// `{version}/{path}` for a path of the authentication-methods API.
    fn methods_path(&self, path: &str) -> String {
        format!("{}/{path}", self.api.version())
    }

    fn url(&self, version_and_path: &str) -> Url {
        self.base
            .join(version_and_path)
            .expect("relative Graph paths are valid")
    }

    /// Everything the Security Info screen shows, in one round trip.
    pub async fn load_security_info(
        &self,
        token: &AccessToken,
        me: Option<uuid::Uuid>,
    ) -> Result<SecurityInfo, GraphError> {
        let batch_path = self.methods_path("$batch");
        let batch = self.batch(
            token,
            &batch_path,
            vec![
                json!({"id": "me", "method": "GET", "url": "/me?$select=displayName,userPrincipalName"}),
                json!({"id": "methods", "method": "GET", "url": "/me/authentication/methods"}),
            ],
        );
        let preferences = async {
            match me {
                Some(id) => {
                    self.send(token, Method::GET, &sign_in_preferences(id), None)
                        .await
                }
                None => Err(GraphError::Unexpected(
                    "the sign-in named no object id for the user".into(),
                )),
            }
        };
        // Hardware OATH tokens exist in beta only, and a list answers only
        // with the types of its own version, so v1.0's list never names
        // them: asked for beside the batch, in the same round trip, with
        // the token's own label (`device`).
        let tokens = self.send(token, Method::GET, HARDWARE_TOKENS, None);
        let (batch, preferences, tokens) = tokio::join!(batch, preferences, tokens);
        let mut info = security_info_from(batch?, preferences)?;
        match tokens {
            Ok(mut list) => {
                // A typed collection's items may omit `@odata.type`.
                for item in list
                    .get_mut("value")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(obj) = item.as_object_mut() {
                        obj.entry("@odata.type").or_insert_with(|| {
                            json!("#microsoft.graph.hardwareOathAuthenticationMethod")
                        });
                    }
                }
                merge_hardware_tokens(&mut info.methods, parse_methods(&list)?)
            }
            Err(GraphError::Unauthorized { code, message }) => {
                return Err(GraphError::Unauthorized { code, message })
            }
            // Missing tokens undercount the health summary; they never stop
            // the page (the hardware-token API is beta and may be refused).
            Err(e) => tracing::warn!("hardware OATH tokens unavailable: {e}"),
        }
        Ok(info)
    }

    /// The registered methods alone (to watch for a change made elsewhere).
    pub async fn list_methods(&self, token: &AccessToken) -> Result<Vec<AuthMethod>, GraphError> {
        let list = self
            .send(
                token,
                Method::GET,
                &self.methods_path("me/authentication/methods"),
                None,
            )
            .await?;
        parse_methods(&list)
    }

    /// `POST /me/authentication/phoneMethods`: 201 with the new phone.
    pub async fn add_phone(
        &self,
        token: &AccessToken,
        phone_type: PhoneType,
        number: &PhoneNumber,
    ) -> Result<AuthMethod, GraphError> {
        let body = json!({"phoneNumber": number.as_str(), "phoneType": phone_type.as_graph()});
        let created = self
            .send(
                token,
                Method::POST,
                &self.methods_path("me/authentication/phoneMethods"),
                Some(&body),
            )
            .await?;
        // The create response omits `@odata.type` in Microsoft's sample.
        let mut created = created;
        if let Some(obj) = created.as_object_mut() {
            obj.entry("@odata.type")
                .or_insert_with(|| json!("#microsoft.graph.phoneAuthenticationMethod"));
        }
        AuthMethod::from_graph(&created).map_err(GraphError::Unexpected)
    }

    /// `PATCH /me/authentication/phoneMethods/{id}`: 204. The type is sent
    /// unchanged (a phone's type never changes).
    pub async fn update_phone(
        &self,
        token: &AccessToken,
        id: &MethodId,
        phone_type: PhoneType,
        number: &PhoneNumber,
    ) -> Result<(), GraphError> {
        refuse_stand_in(id)?;
        let body = json!({"phoneNumber": number.as_str(), "phoneType": phone_type.as_graph()});
        self.send(
            token,
            Method::PATCH,
            &self.methods_path(&format!("me/authentication/phoneMethods/{}", id.as_str())),
            Some(&body),
        )
        .await
        .map(drop)
    }

    /// `DELETE /me/authentication/{collection}/{id}`: 204. `collection` comes
    /// from [`crate::security_info::MethodKind::deletable_collection`] and the
    /// id is a validated [`MethodId`], so the URL addresses only that method.
    pub async fn delete_method(
        &self,
        token: &AccessToken,
        collection: &'static str,
        id: &MethodId,
    ) -> Result<(), GraphError> {
        refuse_stand_in(id)?;
        self.send(
            token,
            Method::DELETE,
            &self.methods_path(&format!("me/authentication/{collection}/{}", id.as_str())),
            None,
        )
        .await
        .map(drop)
    }

    /// Beta `PATCH /users/{id}/authentication/signInPreferences` with the
    /// user's own object id `me`: 204.
    pub async fn set_default(
        &self,
        token: &AccessToken,
        me: uuid::Uuid,
        choice: &SecondaryMethod,
    ) -> Result<(), GraphError> {
        let body = json!({"userPreferredMethodForSecondaryAuthentication": choice.as_graph()});
        self.send(token, Method::PATCH, &sign_in_preferences(me), Some(&body))
            .await
            .map(drop)
    }

    /// One request with the retry policy; returns the JSON body (or `null` for 204).
    pub async fn send(
        &self,
        token: &AccessToken,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, GraphError> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose_secret())
                .header("client-request-id", uuid::Uuid::new_v4().to_string());
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| GraphError::Network(error_chain(&e)))?;
            let status = response.status();
            if let Some(wait) = retry_delay(status, response.headers(), attempt) {
                tracing::info!(%status, ?wait, path, "Graph asked to retry");
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            let retry = retry_after(response.headers());
            let request_id = response
                .headers()
                .get("request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let text = response
                .text()
                .await
                .map_err(|e| GraphError::Network(error_chain(&e)))?;
            return read_answer(status, &text, retry, request_id);
        }
    }

    /// A JSON batch. Items answered 429/503 are sent again (alone, in a new
    /// batch) per the retry policy; the result maps each id to its outcome.
    async fn batch(
        &self,
        token: &AccessToken,
        path: &str,
        requests: Vec<Value>,
    ) -> Result<std::collections::HashMap<String, Result<Value, GraphError>>, GraphError> {
        let mut pending = requests;
        let mut done = std::collections::HashMap::new();
        let mut attempt = 0;
        loop {
            let response = self
                .send(
                    token,
                    Method::POST,
                    path,
                    Some(&json!({ "requests": pending })),
                )
                .await?;
            let round = read_batch(&response, attempt)?;
            done.extend(round.done);
            let retry_ids = round.retry;
            let longest_wait = round.wait;
            if retry_ids.is_empty() {
                return Ok(done);
            }
            pending.retain(|r| {
                retry_ids
                    .iter()
                    .any(|id| r.get("id").and_then(Value::as_str) == Some(id))
            });
            tokio::time::sleep(longest_wait.unwrap_or_default()).await;
            attempt += 1;
        }
    }
}

/// The signed-in user's hardware OATH tokens with their `device` (beta only).
const HARDWARE_TOKENS: &str = "beta/me/authentication/hardwareOathMethods?$expand=device";

/// Puts the beta list's hardware tokens into the methods: a token the list
/// already had (beta lists them) is replaced by its fuller entry, and only
/// hardware tokens are taken from `tokens`.
fn merge_hardware_tokens(methods: &mut Vec<AuthMethod>, tokens: Vec<AuthMethod>) {
    for token in tokens {
        if !matches!(token.kind, MethodKind::HardwareOath { .. }) {
            continue;
        }
        match methods.iter_mut().find(|m| m.id == token.id) {
            Some(known) => *known = token,
            None => methods.push(token),
        }
    }
}

/// Everything the Security Info screen shows, from the first load's
/// `$batch` items (`me`, `methods`) and the beta `signInPreferences` answer.
pub(crate) fn security_info_from(
    mut items: std::collections::HashMap<String, Result<Value, GraphError>>,
    preferences: Result<Value, GraphError>,
) -> Result<SecurityInfo, GraphError> {
    let me = items
        .remove("me")
        .ok_or_else(|| GraphError::Unexpected("the batch lost /me".into()))??;
    let methods = items
        .remove("methods")
        .ok_or_else(|| GraphError::Unexpected("the batch lost the methods".into()))??;
    let account = Account {
        display_name: me
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        upn: me
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::Unexpected("/me has no userPrincipalName".into()))?
            .to_owned(),
    };
    let parsed = parse_methods(&methods)?;
    let preferences = match preferences {
        Ok(v) => Some(SignInPreferences::from_graph(&v)),
        Err(GraphError::Unauthorized { code, message }) => {
            return Err(GraphError::Unauthorized { code, message })
        }
        Err(e) => {
            tracing::warn!("signInPreferences unavailable: {e}");
            None
        }
    };
    Ok(SecurityInfo {
        account,
        methods: parsed,
        preferences,
    })
}

/// One answer's body, read as JSON (an empty body is `null`, as a 204 has),
/// then as a result by its status ([`into_result`]). An error status keeps
/// its meaning whatever its body: a gateway's HTML 503 is still "busy", a
/// 401 still "sign in again"; only a success must be JSON.
pub(crate) fn read_answer(
    status: StatusCode,
    text: &str,
    retry: Option<Duration>,
    request_id: Option<String>,
) -> Result<Value, GraphError> {
    let json: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(text) {
            Ok(json) => json,
            Err(_) if !status.is_success() => Value::Null,
            Err(e) => {
                return Err(GraphError::Unexpected(format!(
                    "{status} with a body that is not JSON ({e})"
                )))
            }
        }
    };
    into_result(status, json, retry, request_id)
}

/// What one `$batch` answer says: the items answered for good, the ids to
/// send again (429/503 within the retry policy) and how long to wait first.
pub(crate) struct BatchRound {
    pub(crate) done: Vec<(String, Result<Value, GraphError>)>,
    pub(crate) retry: Vec<String>,
    pub(crate) wait: Option<Duration>,
}

/// Reads a `$batch` answer (`{"responses": [{id, status, headers, body}]}`).
/// An item's status that is not an HTTP status (missing, not a number, or
/// outside 100..=999) counts as a 500, never as another status.
pub(crate) fn read_batch(response: &Value, attempt: u32) -> Result<BatchRound, GraphError> {
    let responses = response
        .get("responses")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::Unexpected("the batch response has no responses".into()))?;
    let mut round = BatchRound {
        done: Vec::new(),
        retry: Vec::new(),
        wait: None,
    };
    for item in responses {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let status = item
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = item_headers(item.get("headers"));
        if let Some(wait) = retry_delay(status, &headers, attempt) {
            round.retry.push(id);
            round.wait = Some(round.wait.map_or(wait, |w| w.max(wait)));
            continue;
        }
        let body = item.get("body").cloned().unwrap_or(Value::Null);
        round
            .done
            .push((id, into_result(status, body, retry_after(&headers), None)));
    }
    Ok(round)
}

/// The documented beta path of a user's `signInPreferences`; `id` is a
/// GUID, so the path addresses only that user.
fn sign_in_preferences(id: uuid::Uuid) -> String {
    format!("beta/users/{id}/authentication/signInPreferences")
}

/// A stand-in id ([`MethodId::unreadable`]) never reaches a URL.
fn refuse_stand_in(id: &MethodId) -> Result<(), GraphError> {
    if id.is_from_graph() {
        Ok(())
    } else {
        Err(GraphError::Unexpected(
            "this method's id could not be read, so the app cannot change it".into(),
        ))
    }
}

/// The `value` array of a methods list. One malformed entry must not hide
/// the others. A method of a type, phone type or date the app cannot read
/// is kept (as `Other`, or with no date); an item without an id the app
/// can safely put in a URL is kept too, as `Other` with a stand-in id that
/// no request accepts, and a warning naming its type.
pub(crate) fn parse_methods(list: &Value) -> Result<Vec<AuthMethod>, GraphError> {
    let items = list
        .get("value")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::Unexpected("the methods list has no value array".into()))?;
    let mut parsed = Vec::with_capacity(items.len());
    for item in items {
        match AuthMethod::from_graph(item) {
            Ok(m) => parsed.push(m),
            Err(e) => {
                let odata_type = item
                    .get("@odata.type")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("(none)");
                tracing::warn!(odata_type, "kept a method without a usable id: {e}");
                parsed.push(AuthMethod {
                    id: MethodId::unreadable(parsed.len()),
                    created: None,
                    kind: MethodKind::Other {
                        odata_type: odata_type.to_owned(),
                        display_name: item
                            .get("displayName")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    },
                });
            }
        }
    }
    Ok(parsed)
}

fn item_headers(headers: Option<&Value>) -> reqwest::header::HeaderMap {
    let mut map = reqwest::header::HeaderMap::new();
    if let Some(obj) = headers.and_then(Value::as_object) {
        for (k, v) in obj {
            let value = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(k.as_bytes()),
                reqwest::header::HeaderValue::from_str(&value),
            ) {
                map.insert(name, value);
            }
        }
    }
    map
}

fn into_result(
    status: StatusCode,
    body: Value,
    retry: Option<Duration>,
    request_id: Option<String>,
) -> Result<Value, GraphError> {
    if status.is_success() {
        return Ok(body);
    }
    let error = body.get("error");
    let code = error
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_owned();
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let request_id = request_id.or_else(|| {
        error
            .and_then(|e| e.get("innerError"))
            .and_then(|i| i.get("request-id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    Err(match status {
        StatusCode::UNAUTHORIZED => GraphError::Unauthorized { code, message },
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => GraphError::Busy {
            status: status.as_u16(),
            retry_after: retry,
        },
        _ => GraphError::Service {
            status: status.as_u16(),
            code,
            message,
            request_id,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_in_this_cloud_is_told_apart_from_other_refusals() {
        let service = |status: u16, code: &str, message: &str| GraphError::Service {
            status,
            code: code.into(),
            message: message.into(),
            request_id: None,
        };
        assert!(service(
            400,
            "BadRequest",
            "Resource not found for the segment 'authentication'."
        )
        .is_not_in_this_cloud());
        assert!(service(501, "NotImplemented", "").is_not_in_this_cloud());
        assert!(!service(400, "BadRequest", "Invalid phone number").is_not_in_this_cloud());
        assert!(!service(
            404,
            "itemNotFound",
            "Resource not found for the segment 'x'."
        )
        .is_not_in_this_cloud());
        assert!(!service(403, "accessDenied", "").is_not_in_this_cloud());
    }

    #[test]
    fn a_method_with_an_unreadable_id_is_kept_and_never_addressed() {
        let list = json!({"value":[
            {"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"ok-1"},
            {"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"../../users/x","displayName":"Key"},
            {"@odata.type":"#microsoft.graph.emailAuthenticationMethod"},
        ]});
        let methods = parse_methods(&list).unwrap();
        assert_eq!(methods.len(), 3, "nothing dropped: {methods:?}");
        assert!(methods[0].id.is_from_graph());
        assert_eq!(methods[1].id.as_str(), "#unreadable-1");
        assert_eq!(methods[2].id.as_str(), "#unreadable-2");
        assert_eq!(
            methods[1].kind,
            MethodKind::Other {
                odata_type: "#microsoft.graph.fido2AuthenticationMethod".into(),
                display_name: Some("Key".into()),
            }
        );
        // A stand-in can never be a Graph id, nor reach a request.
        assert!(MethodId::parse(methods[1].id.as_str()).is_err());
        assert!(refuse_stand_in(&methods[1].id).is_err());
        assert!(refuse_stand_in(&methods[0].id).is_ok());
        assert_eq!(methods[1].kind.deletable_collection(), None);
    }

    #[test]
    fn an_error_status_keeps_its_meaning_whatever_its_body() {
        // Found by fuzzing (fuzz/regressions/graph_answer): a 401 or a
        // gateway's HTML 503 read as "something unexpected".
        let html = "<html><body>Service Unavailable</body></html>";
        assert_eq!(
            read_answer(StatusCode::SERVICE_UNAVAILABLE, html, None, None),
            Err(GraphError::Busy {
                status: 503,
                retry_after: None
            })
        );
        assert!(matches!(
            read_answer(StatusCode::UNAUTHORIZED, "\0not json", None, None),
            Err(GraphError::Unauthorized { .. })
        ));
        assert!(matches!(
            read_answer(StatusCode::OK, html, None, None),
            Err(GraphError::Unexpected(_))
        ));
    }

    #[test]
    fn error_envelope_is_read_by_code() {
        let body = json!({"error":{"code":"itemNotFound","message":"Not found","innerError":{"request-id":"r-1","date":"2026-01-01T00:00:00"}}});
        let e = into_result(StatusCode::NOT_FOUND, body, None, None).unwrap_err();
        assert_eq!(
            e,
            GraphError::Service {
                status: 404,
                code: "itemNotFound".into(),
                message: "Not found".into(),
                request_id: Some("r-1".into())
            }
        );
        assert!(e.to_string().contains("request-id r-1"));
    }

    #[test]
    fn busy_says_how_long_it_was_asked_to_wait() {
        let e = into_result(
            StatusCode::TOO_MANY_REQUESTS,
            Value::Null,
            Some(Duration::from_secs_f64(42.5)),
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Microsoft Graph is busy (429), asked to wait 43 s; try again in a moment"
        );
    }

    #[test]
    fn batch_item_headers_accept_strings_and_numbers() {
        let h = item_headers(Some(
            &json!({"Retry-After": 2, "Content-Type": "application/json"}),
        ));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        assert_eq!(h.get("content-type").unwrap(), "application/json");
    }
}
