//! Mail for the relay's owner notices: the identity platform's OAuth 2.0
//! client-credentials grant for the confidential "MFA Assistant relay"
//! registration, the app-only Graph calls that registration makes, and the
//! mailboxes the messages land in.
//!
//! - `POST /{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`,
//!   `client_id` = [`demo::RELAY_API_CLIENT_ID`], `client_secret` =
//!   [`demo::RELAY_CLIENT_SECRET`], `scope=https://graph.microsoft.com/.default`
//!   answers `{token_type: "Bearer", expires_in, ext_expires_in, access_token}`
//!   (no refresh token, no id token), the token carrying the granted
//!   application permissions (`roles`: `Mail.Send`, `User.Read.All`). Errors
//!   as Entra answers them: a wrong secret `invalid_client` AADSTS7000215, no
//!   secret AADSTS7000218, a scope without `/.default` `invalid_scope`
//!   AADSTS1002012.
//! - With that token (and only that token) Graph answers
//!   `GET /v1.0/users/{id | upn}` (`$select` honoured: `id`,
//!   `userPrincipalName`, `displayName`, `mail`, `otherMails`),
//!   `GET /v1.0/users/{id | upn}/manager` (404 `Request_ResourceNotFound`
//!   without one), and `POST /v1.0/users/{id | upn}/sendMail` (`Mail.Send`):
//!   the body `{message: {subject, body: {contentType, content},
//!   toRecipients, ccRecipients, bccRecipients}, saveToSentItems}`, 202
//!   without a body, as any user or a shared mailbox of the tenant's domain
//!   (e.g. `mfa-relay@contoso-demo.example`); a message without recipients is 400
//!   `ErrorInvalidRecipients`. Delivered at once to every recipient's mailbox:
//!   a tenant user's (by mail or UPN) or, for any other address, the
//!   "external" mailbox store.
//! - `GET /_emulator/mailbox` shows every mailbox with its messages (links
//!   clickable); `GET /_emulator/mailbox/messages` the same as JSON.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::demo;
use crate::graph::errors::GraphError;
use crate::graph::{GraphContext, GraphResponse};
use crate::identity::errors::IdentityError;
use crate::server::Shared;

/// How long an app-only token lives (Entra: about an hour).
const TOKEN_SECONDS: i64 = 3599;

/// An app-only access token's meaning.
#[derive(Debug, Clone)]
pub(crate) struct AppToken {
    pub roles: Vec<&'static str>,
    pub expires: OffsetDateTime,
}

/// One delivered message, in one mailbox.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailMessage {
    /// The mailbox's address (lower-case).
    pub mailbox: String,
    /// Whether it is outside the tenant (e.g. an `otherMails` address).
    pub external: bool,
    pub from: String,
    pub to: Vec<String>,
    /// Empty in a recipient's copy, as mail does; the sender's view keeps it.
    pub bcc: Vec<String>,
    pub subject: String,
    pub content_type: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

/// The mail side of the tenant. Not persisted: tokens expire, and the
/// mailboxes are a demo's.
#[derive(Debug, Default)]
pub(crate) struct Mail {
    /// Keyed by the SHA-256 of the token.
    pub app_tokens: HashMap<String, AppToken>,
    pub messages: Vec<MailMessage>,
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The client-credentials grant, or `None` if `grant_type` is another.
pub(crate) fn client_credentials(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Option<Result<Value, IdentityError>> {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return None;
    }
    Some(grant(shared, tenant, form))
}

fn grant(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<Value, IdentityError> {
    let mut store = shared.store();
    if !store.tenant.answers_to(tenant) {
        return Err(IdentityError::unknown_tenant("invalid_request", tenant));
    }
    let client_id = form
        .get("client_id")
        .ok_or_else(|| IdentityError::missing("client_id"))?;
    if !client_id.eq_ignore_ascii_case(demo::RELAY_API_CLIENT_ID) {
        if client_id.eq_ignore_ascii_case(&store.tenant.application.client_id.to_string()) {
            return Err(IdentityError::new(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        return Err(IdentityError::unknown_client(
            client_id,
            &store.tenant.display_name,
        ));
    }
    let Some(secret) = form.get("client_secret") else {
        return Err(IdentityError::new(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ));
    };
    if secret != demo::RELAY_CLIENT_SECRET {
        return Err(IdentityError::new(
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, \
                 not the client secret ID, for a secret added to app '{}'.",
                demo::RELAY_API_CLIENT_ID
            ),
        ));
    }
    let scope = form.get("scope").map(String::as_str).unwrap_or_default();
    if scope.trim() != "https://graph.microsoft.com/.default" {
        return Err(IdentityError::new(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value \
                 with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    }
    let token = format!("app.{}", crate::identity::grants::random_secret(32));
    let now = OffsetDateTime::now_utc();
    store.mail.app_tokens.retain(|_, t| t.expires > now);
    store.mail.app_tokens.insert(
        hash(&token),
        AppToken {
            roles: vec!["Mail.Send", "User.Read.All"],
            expires: now + time::Duration::seconds(TOKEN_SECONDS),
        },
    );
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "ext_expires_in": TOKEN_SECONDS,
        "access_token": token,
    }))
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Graph for an app-only token; `None` if the caller's token is not one
/// (the delegated Graph answers it).
pub(crate) fn graph(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    context: &GraphContext,
) -> Option<GraphResponse> {
    let token = bearer(headers)?;
    if !token.starts_with("app.") {
        return None;
    }
    let mut store = shared.store();
    let Some(grant) = store.mail.app_tokens.get(&hash(token)).cloned() else {
        return Some(
            GraphError::unauthenticated("Access token validation failure. Invalid audience.")
                .render(context),
        );
    };
    if grant.expires <= OffsetDateTime::now_utc() {
        return Some(
            GraphError::unauthenticated("Lifetime validation failed, the token is expired.")
                .render(context),
        );
    }
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let response = match (method.clone(), seg.as_slice()) {
        (Method::GET, ["users", id]) if grant.roles.contains(&"User.Read.All") => {
            match store.tenant.user(id) {
                Some(user) => {
                    let full = user_json(user);
                    ok(select(full, query))
                }
                None => not_found(id, context),
            }
        }
        (Method::GET, ["users", id, "manager"]) if grant.roles.contains(&"User.Read.All") => {
            let manager = store
                .tenant
                .user(id)
                .and_then(|u| u.manager_id)
                .and_then(|m| store.tenant.user(&m.to_string()));
            match manager {
                Some(manager) => {
                    let mut full = user_json(manager);
                    full["@odata.type"] = json!("#microsoft.graph.user");
                    ok(select(full, query))
                }
                None if store.tenant.user(id).is_some() => GraphError::new(
                    StatusCode::NOT_FOUND,
                    "Request_ResourceNotFound",
                    "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
                )
                .render(context),
                None => not_found(id, context),
            }
        }
        (Method::POST, ["users", id, verb]) if verb.eq_ignore_ascii_case("sendMail") => {
            if !grant.roles.contains(&"Mail.Send") {
                GraphError::new(
                    StatusCode::FORBIDDEN,
                    "ErrorAccessDenied",
                    "Access is denied. Check credentials and try again.",
                )
                .render(context)
            } else {
                // A user's mailbox, or a shared mailbox in the tenant's domain.
                let domain = format!("@{}", store.tenant.domain);
                let sender = store
                    .tenant
                    .user(id)
                    .map(|u| u.mail.clone().unwrap_or(u.user_principal_name.clone()))
                    .or_else(|| {
                        id.to_ascii_lowercase()
                            .ends_with(&domain)
                            .then(|| id.to_ascii_lowercase())
                    });
                match sender {
                    None => GraphError::new(
                        StatusCode::NOT_FOUND,
                        "ErrorInvalidUser",
                        format!("The requested user '{id}' is invalid."),
                    )
                    .render(context),
                    Some(sender) => send_mail(&mut store, &sender, body, context),
                }
            }
        }
        (_, ["users", ..]) => GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
        .render(context),
        _ => GraphError::segment_not_found(path).render(context),
    };
    Some(response)
}

fn user_json(user: &crate::tenant::User) -> Value {
    json!({
        "id": user.id.to_string(),
        "userPrincipalName": user.user_principal_name,
        "displayName": user.display_name,
        "mail": user.mail,
        "otherMails": user.other_mails,
        "jobTitle": user.job_title,
    })
}

fn select(full: Value, query: Option<&str>) -> Value {
    let wanted: Option<Vec<String>> = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "$select")
            .map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect())
    });
    let Some(wanted) = wanted else {
        return full;
    };
    let mut out = serde_json::Map::new();
    if let Some(object) = full.as_object() {
        for (key, value) in object {
            if key.starts_with('@') || wanted.iter().any(|w| w.eq_ignore_ascii_case(key)) {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

fn ok(body: Value) -> GraphResponse {
    GraphResponse {
        status: StatusCode::OK,
        headers: vec![(
            "Content-Type".into(),
            "application/json;odata.metadata=minimal".into(),
        )],
        body: Some(body),
    }
}

fn not_found(id: &str, context: &GraphContext) -> GraphResponse {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
    .render(context)
}

fn addresses(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(|r| r.pointer("/emailAddress/address").and_then(Value::as_str))
                .map(|a| a.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

fn send_mail(
    store: &mut crate::state::Store,
    sender: &str,
    body: &[u8],
    context: &GraphContext,
) -> GraphResponse {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return GraphError::unreadable_payload().render(context);
    };
    let Some(message) = request.get("message").filter(|m| m.is_object()) else {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            "The value of the parameter 'Message' is empty.",
        )
        .render(context);
    };
    let to = addresses(message, "toRecipients");
    let cc = addresses(message, "ccRecipients");
    let bcc = addresses(message, "bccRecipients");
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
        )
        .render(context);
    }
    if let Some(bad) = to.iter().chain(&cc).chain(&bcc).find(|a| !a.contains('@')) {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            format!("At least one recipient is not valid., Recipient '{bad}' is not resolved."),
        )
        .render(context);
    }
    let subject = message
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let content_type = message
        .pointer("/body/contentType")
        .and_then(Value::as_str)
        .unwrap_or("Text")
        .to_string();
    let content = message
        .pointer("/body/content")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let now = OffsetDateTime::now_utc();
    let mut recipients: Vec<&String> = to.iter().chain(&cc).chain(&bcc).collect();
    recipients.dedup();
    for address in recipients {
        let internal = store.tenant.users.iter().any(|u| {
            u.mail
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(address))
                || u.user_principal_name.eq_ignore_ascii_case(address)
        });
        store.mail.messages.push(MailMessage {
            mailbox: address.clone(),
            external: !internal,
            from: sender.to_string(),
            to: to.clone(),
            bcc: Vec::new(),
            subject: subject.clone(),
            content_type: content_type.clone(),
            body: content.clone(),
            received_at: now,
        });
    }
    // saveToSentItems defaults to true: the sender keeps a copy, Bcc shown.
    if request.get("saveToSentItems").and_then(Value::as_bool) != Some(false) {
        store.mail.messages.push(MailMessage {
            mailbox: format!("{} (Sent Items)", sender.to_ascii_lowercase()),
            external: false,
            from: sender.to_string(),
            to,
            bcc,
            subject,
            content_type,
            body: content,
            received_at: now,
        });
    }
    GraphResponse {
        status: StatusCode::ACCEPTED,
        headers: Vec::new(),
        body: None,
    }
}

/// `GET /_emulator/mailbox/messages`: every message, oldest first.
pub(crate) async fn messages_json(State(shared): State<Arc<Shared>>) -> Response {
    let store = shared.store();
    Json(json!({ "messages": store.mail.messages })).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The body as HTML: escaped, with `http(s)://` links clickable.
fn linked(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if word.starts_with("https://") || word.starts_with("http://") {
                let w = escape(word);
                out.push_str(&format!("<a href=\"{w}\" rel=\"noreferrer\">{w}</a>"));
            } else {
                out.push_str(&escape(word));
            }
        }
    }
    out
}

/// `GET /_emulator/mailbox`: the mailboxes.
pub(crate) async fn page(State(shared): State<Arc<Shared>>) -> Html<String> {
    let store = shared.store();
    let mut mailboxes: Vec<&str> = store
        .mail
        .messages
        .iter()
        .map(|m| m.mailbox.as_str())
        .collect();
    mailboxes.sort();
    mailboxes.dedup();
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mailboxes (demo tenant)</title>\
         <style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}.demo{background:#fff4ce;padding:.4rem .8rem}\
         .msg{border:1px solid #ccc;border-radius:4px;padding:.6rem 1rem;margin:.6rem 0}.ext{color:#a4262c}</style></head><body>\
         <p class=\"demo\">DEMO: an emulated tenant, not Microsoft. Mail sent through its Graph sendMail lands here.</p>\
         <h1>Mailboxes</h1>",
    );
    if mailboxes.is_empty() {
        html.push_str("<p>No mail yet.</p>");
    }
    for mailbox in mailboxes {
        let messages: Vec<&MailMessage> = store
            .mail
            .messages
            .iter()
            .filter(|m| m.mailbox == mailbox)
            .collect();
        let external = messages.first().is_some_and(|m| m.external);
        html.push_str(&format!(
            "<h2 id=\"{0}\">{0}{1}</h2>",
            escape(mailbox),
            if external {
                " <span class=\"ext\">(external)</span>"
            } else {
                ""
            }
        ));
        for m in messages.iter().rev() {
            html.push_str(&format!(
                "<div class=\"msg\"><b>{}</b><br>From {} to {} at {}<p>{}</p></div>",
                escape(&m.subject),
                escape(&m.from),
                escape(&m.to.join(", ")),
                m.received_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                linked(&m.body)
            ));
        }
    }
    html.push_str("</body></html>");
    Html(html)
}
