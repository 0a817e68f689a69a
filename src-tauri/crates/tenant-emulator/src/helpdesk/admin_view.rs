//! The helpdesk's admin side: the view at `/_emulator/helpdesk` ("Demo
//! helpdesk — emulated"), its JSON twin `/_emulator/helpdesk/tickets`, the
//! relay's enrolled device keys as JSON (`/_emulator/helpdesk/device-keys`),
//! and the per-user admin actions it posts to:
//! - `POST /_emulator/users/{upn}/temporary-access-pass`
//!   `{lifetimeInMinutes?, isUsableOnce?, startDateTime?}` -> 201 and the
//!   Graph `temporaryAccessPassAuthenticationMethod` with its code;
//! - `POST /_emulator/users/{upn}/require-reregistration` -> 200
//!   `{"removed":[{"collection","id"}]}`;
//! - `POST /_emulator/users/{upn}/revoke-sign-in-sessions` (in `admin`).
//!
//! Each action route answers two kinds of caller:
//! - a JSON caller (`Content-Type: application/json`, an empty body meaning
//!   `{}`), which gets JSON. A browser sends that content type cross-site
//!   only after a CORS preflight, which the emulator never grants;
//! - the admin view's own forms (`application/x-www-form-urlencoded`),
//!   which must carry the view's CSRF token and, when the browser says
//!   where they come from (`Origin`, `Sec-Fetch-Site`), come from this
//!   origin; otherwise 403. They get HTML (the pass's code once, or a 303
//!   back to the view).
//!
//! Any other content type is 415. The view, like the rest of
//! `/_emulator`, has no sign-in: it is a local test tool.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{DeviceKeyRecord, DeviceProof, HelpdeskTicket};
use crate::admin::problem;
use crate::identity::params;
use crate::pages::{escape, layout};
use crate::security_info::{respond, same_origin, same_token};
use crate::server::Shared;
use crate::tap::{IssuedTap, TapOptions};
use crate::tenant::{graph_datetime, tap_usability, MethodKind, User};
use crate::EmulatorError;

/// The heading of every admin page.
pub const HELPDESK_MARK: &str = "Demo helpdesk \u{2014} emulated";
const VIEW_PATH: &str = "/_emulator/helpdesk";

/// How an admin action was asked for.
enum Caller {
    /// The admin view's form (CSRF already checked), with its fields.
    Form(HashMap<String, String>),
    /// A JSON client, with the body (`{}` when empty).
    Json(Value),
}

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether the request is a form post (from the admin view or elsewhere).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    media_type(headers) == "application/x-www-form-urlencoded"
}

/// Sorts a request into form or JSON; `Err` is the refusal to send.
/// (`Box`ed: a `Response` is large.)
fn caller(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Caller, Box<Response>> {
    if is_form(headers) {
        let form = check_form(shared, headers, body)?;
        return Ok(Caller::Form(form));
    }
    if media_type(headers) != "application/json" {
        return Err(Box::new(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send a JSON body with Content-Type: application/json (or use the admin view's forms)",
        )));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Caller::Json(json!({})));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value) if value.is_object() => Ok(Caller::Json(value)),
        Ok(_) => Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        ))),
        Err(e) => Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        ))),
    }
}

/// Checks a form post's origin and CSRF token; returns its fields.
pub(crate) fn check_form(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, Box<Response>> {
    let form = params(body);
    let token = form.get("csrf").map(String::as_str).unwrap_or_default();
    if !same_origin(shared, headers) || !same_token(token, &shared.admin_csrf) {
        return Err(Box::new(message_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form did not come from the demo helpdesk's own page (wrong origin or CSRF token). \
             Open the demo helpdesk again and retry.",
            true,
        )));
    }
    Ok(form)
}

/// A small HTML page with a message and a link back to the view.
fn message_page(status: StatusCode, title: &str, message: &str, is_error: bool) -> Response {
    let class = if is_error { "error" } else { "notice" };
    let body = format!(
        "<div class=\"card wide\"><p class=\"tenant\" id=\"helpdesk-mark\">{mark}</p><h1>{title}</h1>\
         <p class=\"{class}\" id=\"{class}\" role=\"alert\">{message}</p>\
         <p><a href=\"{VIEW_PATH}\">Back to the demo helpdesk</a></p></div>",
        mark = escape(HELPDESK_MARK),
        title = escape(title),
        message = escape(message),
    );
    respond(status, layout(title, &body))
}

/// A 303 back to the view, with what was done.
fn back_to_view(done: &str, upn: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("done", done)
        .append_pair("upn", upn)
        .finish();
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{VIEW_PATH}?{query}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The error of an admin action, for either kind of caller.
fn refusal(form: bool, error: &EmulatorError) -> Response {
    let status = match error {
        EmulatorError::UnknownUser(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    if form {
        message_page(status, "Not done", &error.to_string(), true)
    } else {
        problem(status, error.to_string())
    }
}

/// Reads TAP options from the JSON body.
fn options_from_json(body: &Value) -> Result<TapOptions, String> {
    let mut options = TapOptions::default();
    let Some(object) = body.as_object() else {
        return Err("the body must be a JSON object".into());
    };
    for (name, value) in object {
        match name.as_str() {
            "lifetimeInMinutes" => {
                let minutes = value
                    .as_u64()
                    .ok_or("\"lifetimeInMinutes\" must be a whole number of minutes")?;
                options.lifetime = std::time::Duration::from_secs(minutes.saturating_mul(60));
            }
            "isUsableOnce" => {
                options.one_time = value
                    .as_bool()
                    .ok_or("\"isUsableOnce\" must be true or false")?;
            }
            "startDateTime" => {
                if !value.is_null() {
                    let text = value
                        .as_str()
                        .ok_or("\"startDateTime\" must be an RFC 3339 date-time")?;
                    let start = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                        format!("\"startDateTime\" must be an RFC 3339 date-time, not {text:?}")
                    })?;
                    options.start = Some(start);
                }
            }
            other => {
                return Err(format!(
                    "unknown member {other:?}; the members are lifetimeInMinutes, isUsableOnce, startDateTime"
                ))
            }
        }
    }
    Ok(options)
}

/// Reads TAP options from the admin view's form.
fn options_from_form(form: &HashMap<String, String>) -> Result<TapOptions, String> {
    let mut options = TapOptions::default();
    if let Some(minutes) = form.get("lifetimeInMinutes").map(|m| m.trim()) {
        if !minutes.is_empty() {
            let minutes: u64 = minutes.parse().map_err(|_| {
                format!("the lifetime must be a number of minutes, not {minutes:?}")
            })?;
            options.lifetime = std::time::Duration::from_secs(minutes.saturating_mul(60));
        }
    }
    options.one_time = matches!(
        form.get("isUsableOnce").map(String::as_str),
        Some("true") | Some("on")
    );
    if let Some(start) = form.get("startDateTime").map(|s| s.trim()) {
        if !start.is_empty() {
            let parsed = OffsetDateTime::parse(start, &Rfc3339).map_err(|_| {
                format!("the start must be an RFC 3339 date-time such as 2026-03-01T09:00:00Z, not {start:?}")
            })?;
            options.start = Some(parsed);
        }
    }
    Ok(options)
}

/// `POST /_emulator/users/{upn}/temporary-access-pass`.
pub(crate) async fn issue_tap(
    State(shared): State<Arc<Shared>>,
    Path(upn): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match caller(&shared, &headers, &body) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (options, form) = match &caller {
        Caller::Json(value) => (options_from_json(value), false),
        Caller::Form(fields) => (options_from_form(fields), true),
    };
    let options = match options {
        Ok(options) => options,
        Err(message) => return refusal(form, &EmulatorError::InvalidTemporaryAccessPass(message)),
    };
    let (issued, graph) = match crate::issue_temporary_access_pass(&shared, &upn, &options) {
        Ok(done) => done,
        Err(e) => return refusal(form, &e),
    };
    if form {
        return tap_page(&issued);
    }
    let mut response = (StatusCode::CREATED, Json(graph)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page that shows a new pass's code (the only time it is shown).
fn tap_page(issued: &IssuedTap) -> Response {
    let body = format!(
        "<div class=\"card wide\"><p class=\"tenant\" id=\"helpdesk-mark\">{mark}</p>\
         <h1>Temporary Access Pass issued</h1>\
         <p class=\"notice\" id=\"notice\" role=\"status\">A new Temporary Access Pass for {upn} replaces any earlier one.</p>\
         <p>Temporary Access Pass: <code id=\"tap-code\">{code}</code></p>\
         <table><tr><th>Valid from</th><td id=\"tap-start\">{start}</td></tr>\
         <tr><th>Expires</th><td id=\"tap-expires\">{expires}</td></tr>\
         <tr><th>Lifetime</th><td>{minutes} minutes</td></tr>\
         <tr><th>One-time use</th><td>{once}</td></tr></table>\
         <p class=\"hint\">This is the only time the pass is shown. Give it to the user over the verified channel \
         (the call-back), never in the ticket. They enter it on the sign-in page instead of their password and MFA.</p>\
         <p><a href=\"{VIEW_PATH}\">Back to the demo helpdesk</a></p></div>",
        mark = escape(HELPDESK_MARK),
        upn = escape(&issued.upn),
        code = escape(&issued.code),
        start = graph_datetime(issued.starts_at),
        expires = graph_datetime(issued.expires_at),
        minutes = issued.lifetime_in_minutes,
        once = if issued.one_time { "yes" } else { "no" },
    );
    respond(
        StatusCode::OK,
        layout("Temporary Access Pass issued", &body),
    )
}

/// `POST /_emulator/users/{upn}/require-reregistration`.
pub(crate) async fn require_reregistration(
    State(shared): State<Arc<Shared>>,
    Path(upn): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match caller(&shared, &headers, &body) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let form = matches!(caller, Caller::Form(_));
    if let Caller::Json(value) = &caller {
        if value.as_object().is_some_and(|o| !o.is_empty()) {
            return problem(StatusCode::BAD_REQUEST, "this action takes no parameters");
        }
    }
    match crate::require_reregistration(&shared, &upn) {
        Ok(_) if form => back_to_view("reregistered", &upn),
        Ok(removed) => {
            let removed: Vec<Value> = removed
                .iter()
                .map(|r| json!({"collection": r.collection, "id": r.id}))
                .collect();
            (StatusCode::OK, Json(json!({ "removed": removed }))).into_response()
        }
        Err(e) => refusal(form, &e),
    }
}

/// The admin view's form post to revoke sessions (the JSON and empty-body
/// forms of the route stay in `admin`).
pub(crate) fn revoke_from_form(
    shared: &Shared,
    upn: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if let Err(response) = check_form(shared, headers, body) {
        return *response;
    }
    match crate::revoke(shared, upn) {
        Ok(()) => back_to_view("revoked", upn),
        Err(e) => refusal(true, &e),
    }
}

/// `GET /_emulator/helpdesk/tickets`: every ticket, oldest first.
pub(crate) async fn tickets_json(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let tickets = shared.store().helpdesk.tickets.clone();
    Json(serde_json::to_value(tickets).unwrap_or(Value::Array(Vec::new())))
}

/// `GET /_emulator/helpdesk/device-keys`: every enrolled device key (public
/// halves only), oldest first.
pub(crate) async fn device_keys_json(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let keys = shared.store().helpdesk.device_keys.clone();
    Json(serde_json::to_value(keys).unwrap_or(Value::Array(Vec::new())))
}

/// The ticket's device-proof row: what the relay could tell, and why.
fn device_proof_text(ticket: &HelpdeskTicket) -> String {
    let note = ticket.device_proof_note.as_deref().unwrap_or_default();
    match ticket.device_proof {
        Some(kind) => format!("{}: {}", kind.as_str(), kind.line(note)),
        None => String::new(),
    }
}

/// A user's enrolled device keys, as the view lists them.
fn device_keys_text(keys: &[DeviceKeyRecord], user: &User) -> String {
    let mine: Vec<String> = keys
        .iter()
        .filter(|k| k.user_id == user.id.to_string())
        .map(|k| {
            format!(
                "{} ({}, enrolled {})",
                k.key_id,
                k.device_os,
                k.enrolled_at.date()
            )
        })
        .collect();
    if mine.is_empty() {
        "none".into()
    } else {
        mine.join("; ")
    }
}

fn path_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The three admin actions for a directory user, as forms.
fn action_forms(upn: &str, csrf: &str, suffix: &str) -> String {
    let base = format!("/_emulator/users/{}", path_segment(upn));
    let csrf = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(csrf)
    );
    format!(
        "<div class=\"admin-actions\">\
         <form id=\"issue-tap-{suffix}\" method=\"post\" action=\"{base}/temporary-access-pass\">{csrf}\
         <label for=\"lifetime-{suffix}\">Lifetime (minutes, 10\u{2013}43200)</label>\
         <input type=\"text\" id=\"lifetime-{suffix}\" name=\"lifetimeInMinutes\" value=\"60\" inputmode=\"numeric\">\
         <label for=\"start-{suffix}\">Start (optional, e.g. 2026-03-01T09:00:00Z)</label>\
         <input type=\"text\" id=\"start-{suffix}\" name=\"startDateTime\" value=\"\">\
         <label><input type=\"checkbox\" name=\"isUsableOnce\" value=\"true\"> One-time use</label>\
         <button class=\"primary\" name=\"action\" value=\"issue-tap\">Issue a Temporary Access Pass</button></form>\
         <form id=\"reregister-{suffix}\" method=\"post\" action=\"{base}/require-reregistration\">{csrf}\
         <button class=\"secondary\" name=\"action\" value=\"require-reregistration\">Require re-registration \
         (delete phones, Authenticator, software OATH)</button></form>\
         <form id=\"revoke-{suffix}\" method=\"post\" action=\"{base}/revoke-sign-in-sessions\">{csrf}\
         <button class=\"secondary\" name=\"action\" value=\"revoke\">Revoke sessions</button></form></div>",
        suffix = escape(suffix),
        base = escape(&base),
    )
}

fn row(label: &str, value: &str) -> String {
    format!(
        "<tr><th>{}</th><td>{}</td></tr>",
        escape(label),
        if value.is_empty() {
            "\u{2014}".to_string()
        } else {
            escape(value)
        }
    )
}

fn optional(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// One ticket's card.
fn ticket_card(ticket: &HelpdeskTicket, user: Option<&User>, csrf: &str) -> String {
    let directory = match user {
        Some(_) => " (in the directory)",
        None => " (not in the directory: no action possible)",
    };
    let reason = match (&ticket.reason, &ticket.reason_detail) {
        (Some(reason), Some(detail)) => format!("{reason}: {detail}"),
        (Some(reason), None) => reason.clone(),
        _ => String::new(),
    };
    let callback = match (&ticket.callback_preference, &ticket.callback_availability) {
        (Some(preference), Some(when)) => format!("{preference} ({when})"),
        (Some(preference), None) => preference.clone(),
        _ => String::new(),
    };
    let device = match (&ticket.device_os, &ticket.device_app_version) {
        (Some(os), Some(version)) => format!("{os}, MFA Assistant {version}"),
        _ => String::new(),
    };
    let runbook: String = ticket
        .runbook
        .iter()
        .map(|step| format!("<li>{}</li>", escape(step)))
        .collect();
    let runbook = if runbook.is_empty() {
        "\u{2014}".to_string()
    } else {
        format!("<ol class=\"runbook\">{runbook}</ol>")
    };
    let rows = [
        row("Channel", ticket.channel.as_str()),
        row("Received", &graph_datetime(ticket.received_at)),
        row("UPN (unverified)", &format!("{}{directory}", ticket.upn)),
        row("Requester name", &optional(&ticket.requester_name)),
        row("Reason", &reason),
        row("Still has", &ticket.still_has.join(", ")),
        row("Call-back preference", &callback),
        row("Device", &device),
        format!(
            "<tr><th>Device proof</th><td data-device-proof=\"{}\">{}</td></tr>",
            ticket.device_proof.map(DeviceProof::as_str).unwrap_or(""),
            match device_proof_text(ticket) {
                text if text.is_empty() => "\u{2014} (no device proof on this channel)".to_string(),
                text => escape(&text),
            }
        ),
        row("Created (sender's clock)", &optional(&ticket.created_at)),
        row(
            "Verification phrase",
            &optional(&ticket.verification_phrase),
        ),
        row(
            "Unauthenticated",
            if ticket.unauthenticated {
                "yes: the sender proved nothing; verify the caller out of band before any change"
            } else {
                "no"
            },
        ),
        row("Tenant", &optional(&ticket.tenant)),
        row("Request id", &ticket.request_id),
        row("Idempotency key", &optional(&ticket.idempotency_key)),
    ]
    .concat();
    let actions = match user {
        Some(user) => action_forms(&user.user_principal_name, csrf, &ticket.id),
        None => String::new(),
    };
    format!(
        "<div class=\"card wide ticket\" id=\"ticket-{id}\"><h2>{id} \u{b7} {subject}</h2>\
         <table>{rows}<tr><th>Runbook</th><td>{runbook}</td></tr></table>\
         <details><summary>Ticket body</summary><pre>{description}</pre></details>{actions}</div>",
        id = escape(&ticket.id),
        subject = escape(&ticket.subject),
        description = escape(&ticket.description),
    )
}

/// A user's Temporary Access Pass, as the view describes it.
fn tap_status(user: &User, now: OffsetDateTime) -> String {
    user.methods
        .iter()
        .find_map(|m| match &m.kind {
            MethodKind::TemporaryAccessPass {
                start,
                lifetime_in_minutes,
                used,
                is_usable_once,
                ..
            } => {
                let reason = tap_usability(*start, *lifetime_in_minutes, *used, now).graph_name();
                let end = *start + time::Duration::minutes(i64::from(*lifetime_in_minutes));
                Some(format!(
                    "{reason}, {} to {}{}",
                    graph_datetime(*start),
                    graph_datetime(end),
                    if *is_usable_once { ", one-time" } else { "" }
                ))
            }
            _ => None,
        })
        .unwrap_or_else(|| "none".into())
}

/// `GET /_emulator/helpdesk`.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query = params(query.unwrap_or_default().as_bytes());
    let (tickets, users, device_keys) = {
        let store = shared.store();
        (
            store.helpdesk.tickets.clone(),
            store.tenant.users.clone(),
            store.helpdesk.device_keys.clone(),
        )
    };
    let now = OffsetDateTime::now_utc();
    let csrf = &shared.admin_csrf;
    let upn = query.get("upn").cloned().unwrap_or_default();
    let notice = match query.get("done").map(String::as_str) {
        Some("reregistered") => Some(format!(
            "Re-registration required for {upn}: their phones, Microsoft Authenticator and software OATH methods are deleted."
        )),
        Some("revoked") => Some(format!(
            "Sign-in sessions revoked for {upn}: their refresh tokens no longer work."
        )),
        _ => None,
    }
    .map(|n| {
        format!(
            "<p class=\"notice\" id=\"notice\" role=\"status\">{}</p>",
            escape(&n)
        )
    })
    .unwrap_or_default();
    let find_user = |upn: &str| {
        users
            .iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(upn))
    };
    let cards: String = if tickets.is_empty() {
        "<div class=\"card wide\"><p id=\"no-tickets\">No tickets yet.</p></div>".to_string()
    } else {
        tickets
            .iter()
            .rev()
            .map(|t| ticket_card(t, find_user(&t.upn), csrf))
            .collect()
    };
    let user_rows: String = users
        .iter()
        .map(|u| {
            format!(
                "<tr id=\"user-{id}\"><td><strong>{name}</strong><br><code>{upn}</code></td>\
                 <td>{methods}</td><td>{tap}</td><td>{keys}</td><td>{actions}</td></tr>",
                id = escape(&u.id.to_string()),
                name = escape(&u.display_name),
                upn = escape(&u.user_principal_name),
                methods = u.methods.len(),
                tap = escape(&tap_status(u, now)),
                keys = escape(&device_keys_text(&device_keys, u)),
                actions = action_forms(&u.user_principal_name, csrf, &u.id.to_string()),
            )
        })
        .collect();
    let body = format!(
        "<div class=\"card wide\"><p class=\"tenant\" id=\"helpdesk-mark\">{mark}</p><h1>Helpdesk inbox</h1>\
         <p>Reset requests filed through the relay (<code>/helpdesk/v1/reset-requests</code>) and Zendesk's \
         anonymous Requests API (<code>/zendesk/api/v2/requests.json</code>), newest first. Every request is \
         unauthenticated: verify the caller on the number in the directory and ask for the verification phrase \
         before acting. Relay tickets also say whether a device key the user enrolled while signed in signed them \
         (<em>enrolledDevice</em>); that proves the computer, not the person. As JSON: \
         <a href=\"{VIEW_PATH}/tickets\">{VIEW_PATH}/tickets</a>, \
         <a href=\"{VIEW_PATH}/device-keys\">{VIEW_PATH}/device-keys</a>.</p>{notice}</div>\
         {cards}\
         <div class=\"card wide\"><h1>Directory users</h1>\
         <table><thead><tr><th>User</th><th>Methods</th><th>Temporary Access Pass</th><th>Device keys</th><th>Admin actions</th></tr></thead>\
         <tbody>{user_rows}</tbody></table></div>",
        mark = escape(HELPDESK_MARK),
    );
    respond(StatusCode::OK, layout(HELPDESK_MARK, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tap_options_parse_from_json_and_refuse_unknown_members() {
        let options = options_from_json(&json!({
            "lifetimeInMinutes": 30,
            "isUsableOnce": true,
            "startDateTime": "2026-03-01T09:00:00Z"
        }));
        let Ok(options) = options else {
            panic!("valid options were refused");
        };
        assert_eq!(options.lifetime, std::time::Duration::from_secs(30 * 60));
        assert!(options.one_time);
        assert!(options.start.is_some());
        assert!(options_from_json(&json!({"lifetime": 30})).is_err());
        assert!(options_from_json(&json!({"isUsableOnce": "yes"})).is_err());
    }

    #[test]
    fn every_form_carries_the_csrf_token() {
        let html = action_forms("dana@contoso-demo.example", "TOKEN", "HD-1001");
        assert_eq!(html.matches("<form ").count(), 3);
        assert_eq!(html.matches("name=\"csrf\" value=\"TOKEN\"").count(), 3);
        assert!(html.contains("/_emulator/users/dana%40contoso-demo.example/temporary-access-pass"));
    }
}
