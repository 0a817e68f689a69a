//! Graph writes under `/authentication` (graph-auth-methods.md §3, §4, §6,
//! §8, §11), for `/me` and `/users/{own id or UPN}`, v1.0 and beta, direct
//! or inside `$batch`:
//! - `POST phoneMethods` `{"phoneNumber","phoneType"}` -> 201;
//!   `PATCH phoneMethods/{id}` -> 204;
//! - `POST emailMethods` `{"emailAddress"}` -> 201; `PATCH emailMethods/{id}` -> 204;
//! - `DELETE {collection}/{id}` -> 204 for every collection but
//!   `passwordMethods` (no such API: 405);
//! - `POST phoneMethods/{id}/enableSmsSignIn|disableSmsSignIn` -> 204;
//! - beta `PATCH signInPreferences` -> 204.
//!
//! Every write is checked in this order: the token's permission (403
//! `accessDenied`), the self-service switch for phone and email
//! create/update (403 `accessDenied` "Request Authorization failed"), the
//! fresh-MFA rule (403 `accessDenied`), then the body and the
//! [`crate::rules`] (400 / 404). A request that matches no write route
//! returns `None` and falls through to the read routes, which answer 405 or
//! 400 as they always have.

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::errors::GraphError;
use super::{Caller, GraphRequest, GraphResponse};
use crate::rules::{self, RuleError};
use crate::server::Shared;
use crate::state::Store;
use crate::tenant::{ApiVersion, MethodCollection, PhoneType, User};

/// The claims request a client sends to `/authorize` to get fresh MFA.
pub(crate) const NGCMFA_CLAIMS: &str =
    r#"{"access_token":{"amr":{"essential":true,"values":["ngcmfa"]}}}"#;

/// One recognised write.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Write {
    CreatePhone,
    UpdatePhone(String),
    CreateEmail,
    UpdateEmail(String),
    Delete(MethodCollection, String),
    SmsSignIn { id: String, enable: bool },
    SignInPreferences,
}

impl Write {
    /// Recognises a write from the method and the path after
    /// `/authentication`.
    fn recognise(method: &Method, version: ApiVersion, tail: &[String]) -> Option<Write> {
        let collection = |segment: &str| MethodCollection::from_segment(segment, version);
        match tail {
            [segment] if *method == Method::PATCH => {
                if segment.eq_ignore_ascii_case("signInPreferences") && version == ApiVersion::Beta
                {
                    Some(Write::SignInPreferences)
                } else {
                    None
                }
            }
            [segment] if *method == Method::POST => match collection(segment)? {
                MethodCollection::Phone => Some(Write::CreatePhone),
                MethodCollection::Email => Some(Write::CreateEmail),
                _ => None,
            },
            [segment, id] if *method == Method::PATCH => match collection(segment)? {
                MethodCollection::Phone => Some(Write::UpdatePhone(id.clone())),
                MethodCollection::Email => Some(Write::UpdateEmail(id.clone())),
                _ => None,
            },
            [segment, id] if *method == Method::DELETE => match collection(segment)? {
                // There is no API to delete the password (§4): 405.
                MethodCollection::Password => None,
                other => Some(Write::Delete(other, id.clone())),
            },
            [segment, id, action] if *method == Method::POST => {
                if collection(segment)? != MethodCollection::Phone {
                    return None;
                }
                let enable = if action.eq_ignore_ascii_case("enableSmsSignIn") {
                    true
                } else if action.eq_ignore_ascii_case("disableSmsSignIn") {
                    false
                } else {
                    return None;
                };
                Some(Write::SmsSignIn {
                    id: id.clone(),
                    enable,
                })
            }
            _ => None,
        }
    }

    /// The collection whose permission the write needs (`None`: the
    /// general `UserAuthenticationMethod.ReadWrite`).
    fn collection(&self) -> Option<MethodCollection> {
        match self {
            Write::CreatePhone | Write::UpdatePhone(_) | Write::SmsSignIn { .. } => {
                Some(MethodCollection::Phone)
            }
            Write::CreateEmail | Write::UpdateEmail(_) => Some(MethodCollection::Email),
            Write::Delete(collection, _) => Some(*collection),
            Write::SignInPreferences => None,
        }
    }

    /// Whether the self-service switch governs this write (creating and
    /// updating phones and emails).
    fn switchable(&self) -> bool {
        matches!(
            self,
            Write::CreatePhone | Write::UpdatePhone(_) | Write::CreateEmail | Write::UpdateEmail(_)
        )
    }
}

/// Handles a write under `/authentication` for the caller's own user, or
/// returns `None` when the request is not a write route.
pub(super) fn write(
    shared: &Shared,
    store: &mut Store,
    request: &GraphRequest<'_>,
    caller: &Caller,
    user_id: Uuid,
    context: &str,
    tail: &[String],
) -> Option<Result<GraphResponse, GraphError>> {
    let write = Write::recognise(request.method, request.version, tail)?;
    Some(perform(
        shared, store, request, caller, user_id, context, &write,
    ))
}

fn perform(
    shared: &Shared,
    store: &mut Store,
    request: &GraphRequest<'_>,
    caller: &Caller,
    user_id: Uuid,
    context: &str,
    write: &Write,
) -> Result<GraphResponse, GraphError> {
    authorise(shared, caller, write)?;
    let now = OffsetDateTime::now_utc();
    let user = store
        .tenant
        .users
        .iter_mut()
        .find(|u| u.id == user_id)
        .ok_or_else(|| GraphError::unauthenticated("User does not exist."))?;
    let response = apply(user, request, context, write, now)?;
    shared.persist(store);
    Ok(response)
}

/// Permission, self-service switch and fresh MFA, in that order.
fn authorise(shared: &Shared, caller: &Caller, write: &Write) -> Result<(), GraphError> {
    let permitted = match write.collection() {
        Some(collection) => caller.may_write_collection(collection),
        None => caller.may_write_methods(),
    };
    if !permitted {
        let needed = match write.collection() {
            Some(collection) => format!(
                "UserAuthenticationMethod.ReadWrite or {}.ReadWrite",
                collection.granular_permission()
            ),
            None => "UserAuthenticationMethod.ReadWrite".to_string(),
        };
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            format!("Request Authorization failed: the access token lacks {needed}."),
        ));
    }
    if write.switchable() && !shared.self_service_writes() {
        return Err(GraphError::request_authorization_failed());
    }
    // External authentication methods are the organisation's (an external
    // MFA provider it configured): Microsoft documents that users cannot
    // delete them through Graph. The caller here is always the user
    // themself (another user's id is refused earlier).
    if matches!(write, Write::Delete(MethodCollection::External, _)) {
        return Err(GraphError::request_authorization_failed());
    }
    if let Some(window) = shared.fresh_mfa_window {
        if !caller
            .authentication
            .mfa_is_fresh(window, OffsetDateTime::now_utc())
        {
            let minutes = window.as_secs().div_ceil(60);
            return Err(GraphError::new(
                StatusCode::FORBIDDEN,
                "accessDenied",
                format!(
                    "Changing authentication methods requires multifactor authentication completed within the \
                     last {minutes} minutes. Sign in again interactively with the claims request \
                     {NGCMFA_CLAIMS} (amr ngcmfa) and retry with the new token."
                ),
            ));
        }
    }
    Ok(())
}

fn rule(error: RuleError) -> GraphError {
    GraphError::from_rule(error)
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Empty Payload. JSON content expected.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::unreadable_payload()),
    }
}

/// Refuses members other than `allowed` (and a matching `@odata.type`);
/// `read_only` members get their own message.
fn check_members(
    body: &Map<String, Value>,
    type_name: &str,
    allowed: &[&str],
    read_only: &[&str],
) -> Result<(), GraphError> {
    for (name, value) in body {
        if name == "@odata.type" {
            let given = value.as_str().unwrap_or_default().trim_start_matches('#');
            if given != format!("microsoft.graph.{type_name}") {
                return Err(rule(RuleError::invalid(format!(
                    "@odata.type '{given}' does not match microsoft.graph.{type_name}."
                ))));
            }
        } else if read_only.contains(&name.as_str()) {
            return Err(rule(RuleError::invalid(format!(
                "The property '{name}' is read-only and cannot be set."
            ))));
        } else if !allowed.contains(&name.as_str()) {
            return Err(rule(RuleError::invalid(format!(
                "The property '{name}' does not exist on type 'microsoft.graph.{type_name}' or cannot be set \
                 here; allowed: {}.",
                allowed.join(", ")
            ))));
        }
    }
    Ok(())
}

/// A required string member.
fn text<'b>(body: &'b Map<String, Value>, name: &str) -> Result<&'b str, GraphError> {
    match body.get(name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(rule(RuleError::invalid(format!(
            "The property '{name}' must be a string."
        )))),
        None => Err(rule(RuleError::invalid(format!(
            "The property '{name}' is required."
        )))),
    }
}

const PHONE_READ_ONLY: [&str; 3] = ["smsSignInState", "id", "createdDateTime"];
const EMAIL_READ_ONLY: [&str; 2] = ["id", "createdDateTime"];

fn apply(
    user: &mut User,
    request: &GraphRequest<'_>,
    context: &str,
    write: &Write,
    now: OffsetDateTime,
) -> Result<GraphResponse, GraphError> {
    let entity = |user: &User, collection: MethodCollection, id: &str| {
        let method = user
            .methods
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.graph_json(false, now))
            .unwrap_or(Value::Null);
        let mut body = method;
        body["@odata.context"] = json!(format!("{context}/{}/$entity", collection.segment()));
        GraphResponse::created(body)
    };
    match write {
        Write::CreatePhone => {
            let body = object(request.body)?;
            check_members(
                &body,
                "phoneAuthenticationMethod",
                &["phoneNumber", "phoneType"],
                &PHONE_READ_ONLY,
            )?;
            let number = text(&body, "phoneNumber")?;
            let phone_type = rules::parse_phone_type(text(&body, "phoneType")?).map_err(rule)?;
            let id = rules::add_phone(user, number, phone_type, now).map_err(rule)?;
            Ok(entity(user, MethodCollection::Phone, &id))
        }
        Write::UpdatePhone(id) => {
            let body = object(request.body)?;
            check_members(
                &body,
                "phoneAuthenticationMethod",
                &["phoneNumber", "phoneType"],
                &PHONE_READ_ONLY,
            )?;
            let number = text(&body, "phoneNumber")?;
            let phone_type: Option<PhoneType> = match body.get("phoneType") {
                None => None,
                Some(_) => Some(rules::parse_phone_type(text(&body, "phoneType")?).map_err(rule)?),
            };
            rules::update_phone(user, id, number, phone_type).map_err(rule)?;
            Ok(GraphResponse::no_content())
        }
        Write::CreateEmail => {
            let body = object(request.body)?;
            check_members(
                &body,
                "emailAuthenticationMethod",
                &["emailAddress"],
                &EMAIL_READ_ONLY,
            )?;
            let address = text(&body, "emailAddress")?;
            let id = rules::add_email(user, address, now).map_err(rule)?;
            Ok(entity(user, MethodCollection::Email, &id))
        }
        Write::UpdateEmail(id) => {
            let body = object(request.body)?;
            check_members(
                &body,
                "emailAuthenticationMethod",
                &["emailAddress"],
                &EMAIL_READ_ONLY,
            )?;
            let address = text(&body, "emailAddress")?;
            rules::update_email(user, id, address).map_err(rule)?;
            Ok(GraphResponse::no_content())
        }
        Write::Delete(collection, id) => {
            rules::delete(user, *collection, id).map_err(rule)?;
            Ok(GraphResponse::no_content())
        }
        Write::SmsSignIn { id, enable } => {
            rules::set_sms_sign_in(user, id, *enable).map_err(rule)?;
            Ok(GraphResponse::no_content())
        }
        Write::SignInPreferences => {
            let body = object(request.body)?;
            for name in body.keys() {
                let message = match name.as_str() {
                    "userPreferredMethodForSecondaryAuthentication" => continue,
                    "isSystemPreferredAuthenticationMethodEnabled" => format!(
                        "The property '{name}' cannot be changed by the user: system-preferred MFA is governed \
                         by the tenant's authentication methods policy. Only \
                         userPreferredMethodForSecondaryAuthentication can be updated."
                    ),
                    "systemPreferredAuthenticationMethod" => format!(
                        "The property '{name}' is read-only. Only userPreferredMethodForSecondaryAuthentication \
                         can be updated."
                    ),
                    _ => format!(
                        "The property '{name}' does not exist on type 'microsoft.graph.signInPreferences' or \
                         cannot be set; only userPreferredMethodForSecondaryAuthentication can be updated."
                    ),
                };
                return Err(rule(RuleError::invalid(message)));
            }
            let value = text(&body, "userPreferredMethodForSecondaryAuthentication")?;
            let preferred = rules::parse_preferred(value).map_err(rule)?;
            rules::set_default(user, preferred).map_err(rule)?;
            Ok(GraphResponse::no_content())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/').map(str::to_string).collect()
    }

    #[test]
    fn writes_are_recognised_by_method_and_path() {
        let v1 = ApiVersion::V1;
        assert_eq!(
            Write::recognise(&Method::POST, v1, &segs("phoneMethods")),
            Some(Write::CreatePhone)
        );
        assert_eq!(
            Write::recognise(&Method::DELETE, v1, &segs("passwordMethods/x")),
            None
        );
        assert_eq!(
            Write::recognise(&Method::PATCH, v1, &segs("signInPreferences")),
            None
        );
        assert_eq!(
            Write::recognise(&Method::PATCH, ApiVersion::Beta, &segs("signInPreferences")),
            Some(Write::SignInPreferences)
        );
        assert_eq!(
            Write::recognise(&Method::POST, v1, &segs("phoneMethods/x/enableSmsSignIn")),
            Some(Write::SmsSignIn {
                id: "x".into(),
                enable: true
            })
        );
        assert_eq!(
            Write::recognise(&Method::POST, v1, &segs("fido2Methods")),
            None
        );
        assert_eq!(
            Write::recognise(&Method::PUT, v1, &segs("phoneMethods/x")),
            None
        );
    }
}
