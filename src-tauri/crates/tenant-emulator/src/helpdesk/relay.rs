//! The helpdesk relay of `docs/helpdesk-relay.openapi.yaml` (the single
//! source of truth), served at `{base}helpdesk/v1/reset-requests`.
//!
//! `POST /helpdesk/v1/reset-requests` checks, in this order:
//! 1. the body size (at most [`MAX_BODY_BYTES`]) -> 413 `payloadTooLarge`;
//! 2. the `Idempotency-Key` header: present -> else 400
//!    `missingIdempotencyKey`; a hyphenated UUID -> else 400
//!    `invalidIdempotencyKey`;
//! 3. `Content-Type: application/json` -> else 400 `invalidContentType`;
//! 4. a JSON object -> else 400 `invalidJson`;
//! 5. the `ResetRequest` schema: no unknown property (400 `unknownField`),
//!    every required property (400 `missingField`), each property's type,
//!    const, enum, length and item rules (400 `invalidField`); the message
//!    names the property's path;
//! 6. a key seen before: same body -> 200 with that request's status; a
//!    different body -> 409 `idempotencyKeyReused`;
//! 7. the UPN's domain is the tenant's -> else 422 `upnOutsideOrganisation`;
//! 8. files the ticket and answers 202 `{requestId, status: "delivered",
//!    ticketNumber}`.
//!
//! `GET /helpdesk/v1/reset-requests/{requestId}` answers the same status,
//! or 404 `notFound`. Every error is `{"error":{"code","message"}}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ticket_id, HelpdeskChannel, HelpdeskTicket};
use crate::server::Shared;

/// The largest request body the relay reads: 64 KiB.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The properties of `ResetRequest`, in the schema's order.
const PROPERTIES: [&str; 13] = [
    "schemaVersion",
    "requestType",
    "upn",
    "reason",
    "reasonDetail",
    "stillHas",
    "callback",
    "device",
    "createdAt",
    "verificationPhrase",
    "unauthenticated",
    "runbook",
    "tenant",
];

/// The required properties of `ResetRequest`.
const REQUIRED: [&str; 11] = [
    "schemaVersion",
    "requestType",
    "upn",
    "reason",
    "stillHas",
    "callback",
    "device",
    "createdAt",
    "verificationPhrase",
    "unauthenticated",
    "runbook",
];

const REASONS: [&str; 8] = [
    "lostPhone",
    "brokenPhone",
    "newPhone",
    "numberChanged",
    "promptsNotArriving",
    "codesRejected",
    "blockedByPolicy",
    "other",
];

const STILL_HAS: [&str; 7] = [
    "password",
    "oldPhone",
    "phoneNumber",
    "securityKey",
    "authenticatorApp",
    "email",
    "nothing",
];

const CALLBACK_PREFERENCES: [&str; 3] = ["directoryPhone", "manager", "inPerson"];

/// A refused request: the status and the contract's `Error` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelayError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl RelayError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> RelayError {
        RelayError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(code: &'static str, message: impl Into<String>) -> RelayError {
        RelayError::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn invalid(message: impl Into<String>) -> RelayError {
        RelayError::bad("invalidField", message)
    }
}

impl IntoResponse for RelayError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            json!({"error": {"code": self.code, "message": self.message}}),
        )
    }
}

/// The answer to a request hit by an injected status fault, in the
/// contract's error shape.
pub(crate) fn fault_response(status: StatusCode) -> Response {
    let code = if status == StatusCode::TOO_MANY_REQUESTS {
        "tooManyRequests"
    } else {
        "serviceUnavailable"
    };
    RelayError::new(
        status,
        code,
        "The relay cannot accept requests right now (an injected fault). Retry later.",
    )
    .into_response()
}

fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A validated `ResetRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResetRequest {
    pub upn: String,
    pub reason: String,
    pub reason_detail: Option<String>,
    pub still_has: Vec<String>,
    pub callback_preference: String,
    pub callback_availability: Option<String>,
    pub device_os: String,
    pub device_app_version: String,
    pub created_at: String,
    pub verification_phrase: String,
    pub runbook: Vec<String>,
    pub tenant: Option<String>,
}

/// A string property of at most `max` characters (JSON Schema counts
/// characters, not bytes).
fn string_at(value: &Value, path: &str, max: usize) -> Result<String, RelayError> {
    let Some(text) = value.as_str() else {
        return Err(RelayError::invalid(format!("{path} must be a string")));
    };
    let length = text.chars().count();
    if length > max {
        return Err(RelayError::invalid(format!(
            "{path} must be at most {max} characters long (it has {length})"
        )));
    }
    Ok(text.to_string())
}

fn enum_at(value: &Value, path: &str, allowed: &[&str]) -> Result<String, RelayError> {
    let Some(text) = value.as_str() else {
        return Err(RelayError::invalid(format!("{path} must be a string")));
    };
    if !allowed.contains(&text) {
        return Err(RelayError::invalid(format!(
            "{path} must be one of {}, not {text:?}",
            allowed.join(", ")
        )));
    }
    Ok(text.to_string())
}

/// Checks an object's members: none unknown (`additionalProperties:
/// false`), every required one present.
fn members<'v>(
    value: &'v Value,
    path: &str,
    known: &[&str],
    required: &[&str],
) -> Result<&'v Map<String, Value>, RelayError> {
    let Some(object) = value.as_object() else {
        return Err(RelayError::invalid(format!("{path} must be an object")));
    };
    if let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) {
        let at = if path.is_empty() {
            unknown.clone()
        } else {
            format!("{path}.{unknown}")
        };
        return Err(RelayError::bad(
            "unknownField",
            format!("{at} is not a property of the reset request"),
        ));
    }
    if let Some(missing) = required.iter().find(|r| !object.contains_key(**r)) {
        let at = if path.is_empty() {
            (*missing).to_string()
        } else {
            format!("{path}.{missing}")
        };
        return Err(RelayError::bad("missingField", format!("{at} is required")));
    }
    Ok(object)
}

/// Validates a body against `ResetRequest`.
pub(crate) fn validate(body: &Value) -> Result<ResetRequest, RelayError> {
    if !body.is_object() {
        return Err(RelayError::bad(
            "invalidJson",
            "the body must be a JSON object (a ResetRequest)",
        ));
    }
    let object = members(body, "", &PROPERTIES, &REQUIRED)?;
    let field = |name: &str| object.get(name).unwrap_or(&Value::Null);

    // `const: 1` matches any number equal to 1 (JSON Schema compares
    // numbers by value, so 1.0 is 1).
    if field("schemaVersion").as_f64() != Some(1.0) {
        return Err(RelayError::invalid(format!(
            "schemaVersion must be 1, not {}",
            field("schemaVersion")
        )));
    }
    if field("requestType") != "mfaReset" {
        return Err(RelayError::invalid(format!(
            "requestType must be \"mfaReset\", not {}",
            field("requestType")
        )));
    }
    let upn = string_at(field("upn"), "upn", 256)?;
    let reason = enum_at(field("reason"), "reason", &REASONS)?;
    let reason_detail = match object.get("reasonDetail") {
        None => None,
        Some(value) => Some(string_at(value, "reasonDetail", 500)?),
    };

    let Some(items) = field("stillHas").as_array() else {
        return Err(RelayError::invalid("stillHas must be an array"));
    };
    if items.len() > 8 {
        return Err(RelayError::invalid(format!(
            "stillHas must have at most 8 items (it has {})",
            items.len()
        )));
    }
    let mut still_has: Vec<String> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let value = enum_at(item, &format!("stillHas[{index}]"), &STILL_HAS)?;
        if still_has.contains(&value) {
            return Err(RelayError::invalid(format!(
                "stillHas must not repeat an item ({value:?} is there twice)"
            )));
        }
        still_has.push(value);
    }

    let callback = members(
        field("callback"),
        "callback",
        &["preference", "availability"],
        &["preference"],
    )?;
    let callback_preference = enum_at(
        callback.get("preference").unwrap_or(&Value::Null),
        "callback.preference",
        &CALLBACK_PREFERENCES,
    )?;
    let callback_availability = match callback.get("availability") {
        None => None,
        Some(value) => Some(string_at(value, "callback.availability", 200)?),
    };

    let device = members(
        field("device"),
        "device",
        &["os", "appVersion"],
        &["os", "appVersion"],
    )?;
    let device_os = string_at(device.get("os").unwrap_or(&Value::Null), "device.os", 100)?;
    let device_app_version = string_at(
        device.get("appVersion").unwrap_or(&Value::Null),
        "device.appVersion",
        32,
    )?;

    // `format: date-time` is RFC 3339.
    let created_at = string_at(field("createdAt"), "createdAt", usize::MAX)?;
    if OffsetDateTime::parse(&created_at, &Rfc3339).is_err() {
        return Err(RelayError::invalid(format!(
            "createdAt must be an RFC 3339 date-time, not {created_at:?}"
        )));
    }
    let verification_phrase = string_at(field("verificationPhrase"), "verificationPhrase", 64)?;
    if field("unauthenticated") != &Value::Bool(true) {
        return Err(RelayError::invalid(format!(
            "unauthenticated must be true, not {}",
            field("unauthenticated")
        )));
    }

    let Some(steps) = field("runbook").as_array() else {
        return Err(RelayError::invalid("runbook must be an array"));
    };
    if steps.len() > 12 {
        return Err(RelayError::invalid(format!(
            "runbook must have at most 12 items (it has {})",
            steps.len()
        )));
    }
    let runbook = steps
        .iter()
        .enumerate()
        .map(|(index, step)| string_at(step, &format!("runbook[{index}]"), 400))
        .collect::<Result<Vec<String>, RelayError>>()?;
    let tenant = match object.get("tenant") {
        None => None,
        Some(value) => Some(string_at(value, "tenant", 256)?),
    };

    Ok(ResetRequest {
        upn,
        reason,
        reason_detail,
        still_has,
        callback_preference,
        callback_availability,
        device_os,
        device_app_version,
        created_at,
        verification_phrase,
        runbook,
        tenant,
    })
}

/// The `Idempotency-Key` header as a lower-case hyphenated UUID.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, RelayError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Err(RelayError::bad(
            "missingIdempotencyKey",
            "the Idempotency-Key header is required (a UUID the app repeats on every retry)",
        ));
    };
    let text = value.to_str().unwrap_or_default().trim();
    // `format: uuid` is RFC 4122's hyphenated form (8-4-4-4-12 hex digits).
    let hyphenated = text.len() == 36 && text.matches('-').count() == 4;
    match Uuid::parse_str(text) {
        Ok(uuid) if hyphenated => Ok(uuid.hyphenated().to_string()),
        _ => Err(RelayError::bad(
            "invalidIdempotencyKey",
            format!("the Idempotency-Key header must be a UUID, not {text:?}"),
        )),
    }
}

/// Whether the request says its body is JSON.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether `upn` is `someone@{domain}`.
fn in_domain(upn: &str, domain: &str) -> bool {
    match upn.rsplit_once('@') {
        Some((local, host)) => !local.is_empty() && host.eq_ignore_ascii_case(domain),
        None => false,
    }
}

/// The contract's `RequestStatus` of a filed ticket.
fn status_json(ticket: &HelpdeskTicket) -> Value {
    json!({
        "requestId": ticket.request_id,
        "status": "delivered",
        "ticketNumber": ticket.id,
    })
}

/// The ticket's body, as the helpdesk reads it.
fn describe(request: &ResetRequest) -> String {
    let mut lines = vec![
        "UNAUTHENTICATED request: verify the caller out of band (call back on the number in the \
         company directory, or through the manager) before any reset, and ask for the verification phrase."
            .to_string(),
        format!("UPN (unverified): {}", request.upn),
        match &request.reason_detail {
            Some(detail) => format!("Reason: {} ({detail})", request.reason),
            None => format!("Reason: {}", request.reason),
        },
        format!("Still has: {}", request.still_has.join(", ")),
        match &request.callback_availability {
            Some(when) => format!("Call-back: {} ({when})", request.callback_preference),
            None => format!("Call-back: {}", request.callback_preference),
        },
        format!(
            "Device: {} (MFA Assistant {})",
            request.device_os, request.device_app_version
        ),
        format!("Created at: {}", request.created_at),
        format!("Verification phrase: {}", request.verification_phrase),
        "Runbook:".to_string(),
    ];
    for (index, step) in request.runbook.iter().enumerate() {
        lines.push(format!("{}. {step}", index + 1));
    }
    lines.join("\n")
}

/// `POST /helpdesk/v1/reset-requests`.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match file(&shared, &headers, &body) {
        Ok((status, body)) => json_response(status, body),
        Err(error) => error.into_response(),
    }
}

/// Checks a request and files its ticket; returns the status and body.
fn file(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, Value), RelayError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(RelayError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payloadTooLarge",
            format!(
                "the body has {} bytes; the relay accepts at most {MAX_BODY_BYTES}",
                body.len()
            ),
        ));
    }
    let key = idempotency_key(headers)?;
    if !is_json(headers) {
        return Err(RelayError::bad(
            "invalidContentType",
            "the body must be sent as Content-Type: application/json",
        ));
    }
    let raw: Value = serde_json::from_slice(body)
        .map_err(|e| RelayError::bad("invalidJson", format!("the body is not JSON: {e}")))?;
    let request = validate(&raw)?;

    let mut store = shared.store();
    if let Some(earlier) = store.helpdesk.by_key(HelpdeskChannel::Relay, &key) {
        if earlier.raw == raw {
            return Ok((StatusCode::OK, status_json(earlier)));
        }
        return Err(RelayError::new(
            StatusCode::CONFLICT,
            "idempotencyKeyReused",
            format!(
                "the Idempotency-Key {key} was used with a different body (request {}); \
                 a new request needs a new key",
                earlier.request_id
            ),
        ));
    }
    if !in_domain(&request.upn, &store.tenant.domain) {
        return Err(RelayError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "upnOutsideOrganisation",
            format!(
                "{:?} is not an account of this organisation (its domain is {})",
                request.upn, store.tenant.domain
            ),
        ));
    }
    let number = store.helpdesk.take_number();
    let ticket = HelpdeskTicket {
        id: ticket_id(number),
        channel: HelpdeskChannel::Relay,
        request_id: Uuid::new_v4().to_string(),
        idempotency_key: Some(key),
        received_at: OffsetDateTime::now_utc(),
        upn: request.upn.clone(),
        requester_name: None,
        subject: format!(
            "MFA reset request for {} ({}), unauthenticated",
            request.upn, request.reason
        ),
        description: describe(&request),
        reason: Some(request.reason),
        reason_detail: request.reason_detail,
        still_has: request.still_has,
        callback_preference: Some(request.callback_preference),
        callback_availability: request.callback_availability,
        device_os: Some(request.device_os),
        device_app_version: Some(request.device_app_version),
        created_at: Some(request.created_at),
        verification_phrase: Some(request.verification_phrase),
        unauthenticated: true,
        runbook: request.runbook,
        tenant: request.tenant,
        raw,
    };
    let answer = status_json(&ticket);
    store.helpdesk.tickets.push(ticket);
    shared.persist(&store);
    Ok((StatusCode::ACCEPTED, answer))
}

/// `GET /helpdesk/v1/reset-requests/{requestId}`.
pub(crate) async fn status(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
) -> Response {
    let store = shared.store();
    let found = store
        .helpdesk
        .tickets
        .iter()
        .find(|t| t.channel == HelpdeskChannel::Relay && t.request_id == request_id);
    match found {
        Some(ticket) => json_response(StatusCode::OK, status_json(ticket)),
        None => RelayError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("no reset request {request_id:?}"),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Value {
        json!({
            "schemaVersion": 1,
            "requestType": "mfaReset",
            "upn": "dana@contoso-demo.example",
            "reason": "lostPhone",
            "stillHas": ["password"],
            "callback": {"preference": "directoryPhone"},
            "device": {"os": "Windows 11", "appVersion": "1.0.0"},
            "createdAt": "2026-03-01T09:30:00Z",
            "verificationPhrase": "amber-falcon-42",
            "unauthenticated": true,
            "runbook": ["Verify the caller", "Issue a Temporary Access Pass"],
        })
    }

    #[test]
    fn a_valid_request_passes_and_schema_version_one_point_zero_is_one() {
        assert!(validate(&valid()).is_ok());
        let mut body = valid();
        body["schemaVersion"] = json!(1.0);
        assert!(validate(&body).is_ok());
    }

    #[test]
    fn nested_objects_refuse_unknown_members_and_need_their_required_ones() {
        let mut body = valid();
        body["callback"]["phone"] = json!("+1 555");
        assert_eq!(validate(&body).map_err(|e| e.code), Err("unknownField"));
        let mut body = valid();
        body["device"] = json!({"os": "macOS"});
        let error = validate(&body).err();
        assert_eq!(error.as_ref().map(|e| e.code), Some("missingField"));
        assert!(error.is_some_and(|e| e.message.contains("device.appVersion")));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut body = valid();
        body["verificationPhrase"] = json!("é".repeat(64));
        assert!(validate(&body).is_ok());
        body["verificationPhrase"] = json!("é".repeat(65));
        assert_eq!(validate(&body).map_err(|e| e.code), Err("invalidField"));
    }

    #[test]
    fn upns_must_be_in_the_domain() {
        assert!(in_domain(
            "dana@CONTOSO-demo.example",
            "contoso-demo.example"
        ));
        assert!(!in_domain("@contoso-demo.example", "contoso-demo.example"));
        assert!(!in_domain("dana@evil.example", "contoso-demo.example"));
        assert!(!in_domain("dana", "contoso-demo.example"));
    }
}
