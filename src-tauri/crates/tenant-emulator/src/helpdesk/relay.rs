//! The helpdesk relay of `docs/helpdesk-relay.openapi.yaml` (the single
//! source of truth), served at `{base}helpdesk/v1/reset-requests`.
//!
//! `POST /helpdesk/v1/reset-requests` checks, in this order:
//! 1. the body size (at most [`MAX_BODY_BYTES`]) -> 413 `payloadTooLarge`;
//! 2. the `Idempotency-Key` header: present -> else 400
//!    `missingIdempotencyKey`; a hyphenated UUID -> else 400
//!    `invalidIdempotencyKey`;
//! 3. the `Device-*` headers: all three or none, each well formed -> else
//!    400 `invalidSignatureHeaders`;
//! 4. `Content-Type: application/json` -> else 400 `invalidContentType`;
//! 5. a JSON object -> else 400 `invalidJson`;
//! 6. the `ResetRequest` schema: no unknown property (400 `unknownField`),
//!    every required property (400 `missingField`), each property's type,
//!    const, enum, length and item rules (400 `invalidField`); the message
//!    names the property's path;
//! 7. a signed request whose key the relay enrolled: the signature verifies
//!    over this attempt (`created`, the idempotency key, the body's SHA-256)
//!    -> else 401 `invalidSignature`; `created` is within 10 minutes of now
//!    -> else 401 `signatureExpired`. A key the relay does not know, or one
//!    enrolled for another UPN, is not an error: the ticket says
//!    `unverifiedDevice` and why (the contract's `device_proof::verdict`,
//!    as the real relay decides it);
//! 8. a key seen before: same body -> 200 with that request's status; a
//!    different body -> 409 `idempotencyKeyReused`;
//! 9. the UPN's domain is the tenant's -> else 422 `upnOutsideOrganisation`;
//! 10. files the ticket (with its device proof) and answers 202
//!     `{requestId, status: "delivered", ticketNumber}`.
//!
//! `GET /helpdesk/v1/reset-requests/{requestId}` answers the same status,
//! or 404 `notFound`.
//!
//! `POST /helpdesk/v1/device-keys` enrols a device key:
//! 1. `Authorization: Bearer <token for the relay's scope>` -> else 401
//!    `missingToken`; the token is checked as the real relay checks it
//!    (`helpdesk_contract::relay_token`: RS256 signed by the tenant's key,
//!    the demo tenant, the relay's audience, MFA Assistant's client id, the
//!    `DeviceKeys.Enrol` scope, `amr` with `mfa`, issued within ten
//!    minutes), each refusal a 401 with its own code; a Graph token is 401
//!    `invalidToken` (opaque) and is never sent to Graph;
//! 2. `Content-Type: application/json` -> else 400 `invalidContentType`;
//! 3. the contract's enrolment check (`device_proof::Enrolment`, as the
//!    real relay runs it): at most 4 KiB (413 `payloadTooLarge`), a JSON
//!    object (400 `invalidJson`), the `DeviceKeyEnrolment` schema:
//!    `publicKey` and `device {os, appVersion}`, nothing else (400
//!    `unknownField`, `missingField`, `invalidField`); `publicKey` a 32-byte
//!    Ed25519 key in base64url (400 `invalidPublicKey`);
//! 4. the user's domain is the tenant's -> else 422 `upnOutsideOrganisation`;
//! 5. the same public key enrolled before: for this user -> 200 with the
//!    same `keyId`; for another -> 409 `keyEnrolledElsewhere`;
//! 6. a user already holding 5 keys -> 409 `deviceKeyLimit` (nothing is
//!    evicted);
//! 7. otherwise 201 `{keyId, upn, enrolledAt}`.
//!
//! `GET /helpdesk/v1/device-keys/{keyId}`, with the same token: 200 with
//! the key when it is enrolled for the token's user, else 404 `notFound`.
//!
//! Every error is `{"error":{"code","message"}}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use helpdesk_contract::device_proof::{
    verdict, EnrolledKey, Enrolment, SignatureHeaders, CREATED_HEADER, KEY_ID_HEADER,
    SIGNATURE_HEADER,
};
use helpdesk_contract::{
    idempotency_key, in_domain, is_json_media_type, validate, ContractError, TicketText,
    MAX_BODY_BYTES,
};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ticket_id, DeviceKeyRecord, HelpdeskChannel, HelpdeskTicket, MAX_DEVICE_KEYS_PER_USER,
};
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
    let signature = signature_headers(headers)?;
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
    let device_proof = {
        let enrolled = signature.as_ref().and_then(|headers| {
            store
                .helpdesk
                .device_keys
                .iter()
                .find(|k| k.key_id == headers.key_id)
                .map(|k| EnrolledKey {
                    key_id: &k.key_id,
                    upn: &k.upn,
                    public_key: &k.public_key,
                    enrolled_at: k.enrolled_at,
                    os: &k.device_os,
                })
        });
        verdict(
            signature.as_ref(),
            enrolled.as_ref(),
            &key,
            body,
            request.upn.as_str(),
            OffsetDateTime::now_utc(),
        )?
    };
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
    if !in_domain(request.upn.as_str(), &store.tenant.domain) {
        // As the real relay: the organisation's domains are not listed.
        return Err(RelayError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "upnOutsideOrganisation",
            "this is not an account of this organisation: check the work account".to_string(),
        ));
    }
    let number = store.helpdesk.take_number();
    let request_id = Uuid::new_v4().to_string();
    let received_at = OffsetDateTime::now_utc();
    // The ticket is written as the real relay writes it, with its default
    // runbook (the stand-in has no `[ticket]` configuration).
    let runbook = helpdesk_contract::ticket::default_runbook();
    let accepted_at = received_at.format(&Rfc3339).unwrap_or_default();
    let text = TicketText {
        request_id: &request_id,
        request: &request,
        device_proof: &device_proof,
        disputed: false,
        owner_notice: None,
        runbook: &runbook,
        accepted_at: &accepted_at,
    };
    let (subject, description) = (text.subject(), text.body());
    let ticket = HelpdeskTicket {
        comments: Vec::new(),
        id: ticket_id(number),
        channel: HelpdeskChannel::Relay,
        request_id,
        idempotency_key: Some(key),
        received_at,
        upn: request.upn.as_str().to_owned(),
        requester_name: None,
        subject,
        description,
        reason: Some(request.reason.as_str().to_owned()),
        reason_detail: request.reason_detail.clone(),
        still_has: request
            .still_has
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        callback_preference: Some(request.callback.preference.as_str().to_owned()),
        callback_availability: request.callback.availability.clone(),
        device_os: Some(request.device.os.clone()),
        device_app_version: Some(request.device.app_version.clone()),
        created_at: raw["createdAt"].as_str().map(str::to_owned),
        verification_phrase: Some(request.verification_phrase.clone()),
        unauthenticated: true,
        runbook,
        tenant: request.tenant.clone(),
        raw,
        device_proof: Some(device_proof.kind()),
        device_proof_note: Some(device_proof.detail()),
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

// ---- Device proof -------------------------------------------------------------

/// The `Device-*` headers of a reset request, checked for shape by the
/// contract: none (an unsigned request) or all three, well formed; else 400
/// `invalidSignatureHeaders`. A value that is not visible ASCII reads as
/// U+FFFD, which no well-formed header contains (as in the real relay).
fn signature_headers(headers: &HeaderMap) -> Result<Option<SignatureHeaders>, ContractError> {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|value| value.to_str().unwrap_or("\u{fffd}"))
    };
    SignatureHeaders::parse(
        text(KEY_ID_HEADER),
        text(CREATED_HEADER),
        text(SIGNATURE_HEADER),
    )
}

/// The contract's `DeviceKey`.
fn device_key_json(record: &DeviceKeyRecord) -> Value {
    json!({
        "keyId": record.key_id,
        "upn": record.upn,
        "enrolledAt": record.enrolled_at.format(&Rfc3339).unwrap_or_default(),
    })
}

/// The user the relay's access token stands for: `(upn, oid)`. The token
/// is checked exactly as the real relay checks it
/// (`helpdesk_contract::relay_token`), against the tenant's own signing
/// key; every refusal is 401 with its own code. What arrived is recorded
/// (the audience, or that it was one of the tenant's Graph tokens) for
/// [`crate::Emulator::relay_bearer_audiences`].
fn relay_user(shared: &Shared, headers: &HeaderMap) -> Result<(String, String), RelayError> {
    use helpdesk_contract::relay_token::{self, MISSING_TOKEN};
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim().to_owned());
    let Some(token) = bearer else {
        return Err(RelayError::new(
            StatusCode::UNAUTHORIZED,
            MISSING_TOKEN,
            format!(
                "send a token for the relay's scope ({}) as Authorization: Bearer <token>",
                crate::demo::RELAY_SCOPE
            ),
        ));
    };
    shared.record_relay_bearer(&token);
    let header = relay_token::read_header(&token)?;
    let key = shared.signing.get().map_err(|e| {
        RelayError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "signingKeysUnavailable",
            e.to_string(),
        )
    })?;
    if header.kid != key.kid() {
        return Err(relay_token::unknown_key(&header.kid).into());
    }
    let decoding = key.decoding_key().map_err(|e| {
        RelayError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "signingKeysUnavailable",
            e.to_string(),
        )
    })?;
    let user = relay_token::verify(
        &token,
        &decoding,
        &crate::identity::relay_api::expectations(shared),
        OffsetDateTime::now_utc(),
    )?;
    Ok((user.upn, user.oid))
}

/// An error answer with `WWW-Authenticate: Bearer` on a 401.
fn bearer_refusal(error: RelayError) -> Response {
    let unauthorised = error.status == StatusCode::UNAUTHORIZED;
    let mut response = error.into_response();
    if unauthorised {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// `GET /helpdesk/v1/device-keys/{keyId}`: whether that key is still
/// enrolled for the token's user (200 with the `DeviceKey`), else 404
/// `notFound` (also for another user's key: nothing is told about it).
pub(crate) async fn enrolled_key(
    State(shared): State<Arc<Shared>>,
    Path(key_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (_, user_id) = match relay_user(&shared, &headers) {
        Ok(user) => user,
        Err(error) => return bearer_refusal(error),
    };
    let store = shared.store();
    match store
        .helpdesk
        .device_keys
        .iter()
        .find(|k| k.key_id == key_id && k.user_id == user_id)
    {
        Some(record) => json_response(StatusCode::OK, device_key_json(record)),
        None => RelayError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            "this device key is not enrolled for you (removed, or never enrolled): enrol it again",
        )
        .into_response(),
    }
}

/// `POST /helpdesk/v1/device-keys`.
pub(crate) async fn enrol(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match enrol_key(&shared, &headers, &body) {
        Ok((status, record)) => json_response(status, device_key_json(&record)),
        Err(error) => bearer_refusal(error),
    }
}

/// Checks an enrolment and keeps the key; returns the status (201 new, 200
/// again) and the record.
fn enrol_key(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, DeviceKeyRecord), RelayError> {
    let (upn, user_id) = relay_user(shared, headers)?;
    if !is_json(headers) {
        return Err(RelayError::bad(
            "invalidContentType",
            "the body must be sent as Content-Type: application/json",
        ));
    }
    let Enrolment {
        public_key,
        os,
        app_version,
    } = Enrolment::parse(body)?;
    let public_key = public_key.text();

    let mut store = shared.store();
    if !in_domain(&upn, &store.tenant.domain) {
        return Err(RelayError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "upnOutsideOrganisation",
            format!(
                "{upn:?} is not an account of this organisation (its domain is {})",
                store.tenant.domain
            ),
        ));
    }
    let keys = &mut store.helpdesk.device_keys;
    if let Some(earlier) = keys.iter().find(|k| k.public_key == public_key) {
        if earlier.user_id == user_id {
            return Ok((StatusCode::OK, earlier.clone()));
        }
        return Err(RelayError::new(
            StatusCode::CONFLICT,
            "keyEnrolledElsewhere",
            "this public key is enrolled for another user; make a new key for this one",
        ));
    }
    // No silent eviction: past the limit the enrolment is refused, and the
    // user's existing keys stay (as the real relay does).
    if keys.iter().filter(|k| k.user_id == user_id).count() >= MAX_DEVICE_KEYS_PER_USER {
        return Err(RelayError::new(
            StatusCode::CONFLICT,
            helpdesk_contract::device_proof::DEVICE_KEY_LIMIT,
            helpdesk_contract::device_proof::device_key_limit_message(MAX_DEVICE_KEYS_PER_USER),
        ));
    }
    let record = DeviceKeyRecord {
        key_id: format!("dk-{}", Uuid::new_v4().simple()),
        upn,
        user_id,
        public_key,
        device_os: os,
        device_app_version: app_version,
        enrolled_at: OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc()),
    };
    keys.push(record.clone());
    shared.persist(&store);
    Ok((StatusCode::CREATED, record))
}
