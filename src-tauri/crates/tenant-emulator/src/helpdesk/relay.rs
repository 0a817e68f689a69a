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
use helpdesk_contract::{
    idempotency_key, in_domain, is_json_media_type, validate, ContractError, MAX_BODY_BYTES,
};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ticket_id, HelpdeskChannel, HelpdeskTicket};
use crate::server::Shared;

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
}

impl From<ContractError> for RelayError {
    fn from(e: ContractError) -> RelayError {
        RelayError {
            status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            code: e.code,
            message: e.message,
        }
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

/// Whether the request says its body is JSON.
fn is_json(headers: &HeaderMap) -> bool {
    is_json_media_type(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The contract's `RequestStatus` of a filed ticket.
fn status_json(ticket: &HelpdeskTicket) -> Value {
    json!({
        "requestId": ticket.request_id,
        "status": "delivered",
        "ticketNumber": ticket.id,
    })
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
    let key = idempotency_key(
        headers
            .get("idempotency-key")
            .map(|v| v.to_str().unwrap_or_default()),
    )?;
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
        description: request.describe(None),
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
