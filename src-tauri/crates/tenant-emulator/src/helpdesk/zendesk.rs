//! Zendesk's anonymous Requests API (peers-and-helpdesks.md §B.3), at
//! `{base}zendesk/api/v2/requests.json`: the end-user view of tickets,
//! which accepts requests without credentials when the account allows
//! anonymous submission (the emulated account does).
//!
//! `POST` `{"request":{"requester":{"name","email"},"subject","comment":{"body"}}}`:
//! - not JSON, or no `request` object -> 400 `{"error":"BadRequest","description"}`;
//! - no requester email, a blank subject or a blank comment -> 422
//!   `{"error":"RecordInvalid","description":"Record validation errors","details":{...}}`
//!   (`details.requester` / `details.base` entries `{"description","error":"BlankValue"}`);
//! - otherwise 201 `{"request":{"id","status":"new","subject","description",...}}`
//!   with a `Location`, and the ticket lands in the helpdesk inbox.
//!
//! Idempotency, as Zendesk documents it for ticket creation: an optional
//! `Idempotency-Key` header (any string up to 255 characters) is kept for
//! 2 hours; the first use answers `x-idempotency-lookup: miss`, a repeat
//! with the same body answers the original 201 again with
//! `x-idempotency-lookup: hit` (no second ticket), a repeat with a
//! different body answers 400 `IdempotentRequestError` "Request
//! parameters don't match the given idempotency key". Unknown members are
//! ignored, as Zendesk does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::{ticket_id, HelpdeskChannel, HelpdeskTicket};
use crate::server::Shared;
use crate::tenant::graph_datetime;

/// How long Zendesk keeps an idempotency key.
const KEY_LIFETIME: Duration = Duration::hours(2);
/// The longest idempotency key Zendesk accepts.
const MAX_KEY_LENGTH: usize = 255;
/// The largest body read (Zendesk's own limit is undocumented here).
const MAX_BODY_BYTES: usize = 256 * 1024;
const LOOKUP_HEADER: &str = "x-idempotency-lookup";

fn error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "description": description})),
    )
        .into_response()
}

/// The answer to a request hit by an injected status fault.
pub(crate) fn fault_response(status: StatusCode) -> Response {
    let name = if status == StatusCode::TOO_MANY_REQUESTS {
        "TooManyRequests"
    } else {
        "ServiceUnavailable"
    };
    error(
        status,
        name,
        "Zendesk cannot accept requests right now (an injected fault). Retry later.",
    )
}

/// One validation failure, in Zendesk's `details` shape.
fn blank(field: &str) -> Value {
    json!({"description": format!("{field}: cannot be blank"), "error": "BlankValue"})
}

/// A non-blank string at `value`, trimmed.
fn text(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// What a valid anonymous request carries.
struct NewRequest {
    name: Option<String>,
    email: String,
    subject: String,
    body: String,
}

/// Checks the body; `Err` is the response to send.
/// (`Box`ed: a `Response` is large.)
fn parse(body: &[u8]) -> Result<(Value, NewRequest), Box<Response>> {
    let Ok(raw) = serde_json::from_slice::<Value>(body) else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The request body is not valid JSON.",
        )));
    };
    let request = &raw["request"];
    if !request.is_object() {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The request body needs a \"request\" object.",
        )));
    }
    let email = text(&request["requester"]["email"]).filter(|e| e.contains('@'));
    let subject = text(&request["subject"]);
    let comment = text(&request["comment"]["body"]);
    let mut details = serde_json::Map::new();
    if email.is_none() {
        details.insert(
            "requester".into(),
            json!([{
                "description": "Requester: an email address is required for an anonymous request",
                "error": "BlankValue",
            }]),
        );
    }
    let mut base = Vec::new();
    if subject.is_none() {
        base.push(blank("Subject"));
    }
    if comment.is_none() {
        base.push(blank("Description"));
    }
    if !base.is_empty() {
        details.insert("base".into(), Value::Array(base));
    }
    match (email, subject, comment) {
        (Some(email), Some(subject), Some(body)) => {
            let name = text(&request["requester"]["name"]);
            Ok((
                raw,
                NewRequest {
                    name,
                    email,
                    subject,
                    body,
                },
            ))
        }
        _ => Err(Box::new(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({
                    "error": "RecordInvalid",
                    "description": "Record validation errors",
                    "details": details,
                })),
            )
                .into_response(),
        )),
    }
}

/// A stable numeric id for a requester (Zendesk's `requester_id`).
fn requester_id(email: &str) -> u64 {
    let digest = Sha256::digest(email.to_ascii_lowercase().as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes) % 1_000_000_000_000
}

/// The Zendesk request number of a ticket (its inbox number).
fn number(ticket: &HelpdeskTicket) -> u64 {
    ticket.request_id.parse().unwrap_or_default()
}

fn request_url(shared: &Shared, number: u64) -> String {
    format!("{}zendesk/api/v2/requests/{number}.json", shared.base)
}

/// Zendesk's `request` object for a ticket.
fn request_json(shared: &Shared, ticket: &HelpdeskTicket) -> Value {
    let number = number(ticket);
    let at = graph_datetime(ticket.received_at);
    json!({
        "request": {
            "url": request_url(shared, number),
            "id": number,
            "status": "new",
            "priority": null,
            "type": null,
            "subject": ticket.subject,
            "description": ticket.description,
            "organization_id": null,
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
            "custom_fields": [],
            "requester_id": requester_id(&ticket.upn),
            "collaborator_ids": [],
            "email_cc_ids": [],
            "is_public": true,
            "due_at": null,
            "can_be_solved_by_me": false,
            "created_at": at,
            "updated_at": at,
            "recipient": null,
            "followup_source_id": null,
            "assignee_id": null,
            "ticket_form_id": null,
            "fields": [],
        }
    })
}

/// The 201 for a ticket, with the idempotency lookup header when a key
/// was sent.
fn created(shared: &Shared, ticket: &HelpdeskTicket, lookup: Option<&'static str>) -> Response {
    let mut response = (StatusCode::CREATED, Json(request_json(shared, ticket))).into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&request_url(shared, number(ticket))) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(lookup) = lookup {
        headers.insert(LOOKUP_HEADER, HeaderValue::from_static(lookup));
    }
    response
}

/// `POST /zendesk/api/v2/requests.json`.
pub(crate) async fn create_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if body.len() > MAX_BODY_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            "The request body is too large.",
        );
    }
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => {
            let key = value.to_str().unwrap_or_default().trim().to_string();
            if key.is_empty() || key.len() > MAX_KEY_LENGTH {
                return error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "The Idempotency-Key header must be 1 to 255 characters long.",
                );
            }
            Some(key)
        }
    };
    let (raw, request) = match parse(&body) {
        Ok(parsed) => parsed,
        Err(response) => return *response,
    };
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    if let Some(key) = &key {
        let earlier = store
            .helpdesk
            .by_key(HelpdeskChannel::Zendesk, key)
            .filter(|t| now - t.received_at < KEY_LIFETIME);
        if let Some(earlier) = earlier {
            if earlier.raw == raw {
                return created(&shared, earlier, Some("hit"));
            }
            return error(
                StatusCode::BAD_REQUEST,
                "IdempotentRequestError",
                "Request parameters don't match the given idempotency key",
            );
        }
        // An expired key may be used again: forget the old ticket's key.
        for ticket in store.helpdesk.tickets.iter_mut() {
            if ticket.channel == HelpdeskChannel::Zendesk
                && ticket.idempotency_key.as_deref() == Some(key.as_str())
            {
                ticket.idempotency_key = None;
            }
        }
    }
    let number = store.helpdesk.take_number();
    let ticket = HelpdeskTicket {
        id: ticket_id(number),
        channel: HelpdeskChannel::Zendesk,
        request_id: number.to_string(),
        idempotency_key: key.clone(),
        received_at: now,
        upn: request.email,
        requester_name: request.name,
        subject: request.subject,
        description: request.body,
        reason: None,
        reason_detail: None,
        still_has: Vec::new(),
        callback_preference: None,
        callback_availability: None,
        device_os: None,
        device_app_version: None,
        created_at: None,
        verification_phrase: None,
        unauthenticated: true,
        runbook: Vec::new(),
        tenant: None,
        raw,
        device_proof: None,
        device_proof_note: None,
        comments: Vec::new(),
    };
    let response = created(&shared, &ticket, key.as_ref().map(|_| "miss"));
    store.helpdesk.tickets.push(ticket);
    shared.persist(&store);
    response
}

/// `PUT /zendesk/api/v2/tickets/{id}.json` with
/// `{"ticket":{"comment":{"body","public"}}}`: an agent adds a comment
/// (`public: false`, an internal note). Needs an agent's API token
/// (`Authorization: Basic {email}/token:{token}`; the emulated account takes
/// any token of a `…/token` user): else 401 `{"error":"Couldn't authenticate
/// you"}`. An unknown ticket is 404 `RecordNotFound`; a blank body 422.
/// Answers 200 `{"ticket":{id, subject, status}, "audit":{...}}`.
pub(crate) async fn update_ticket(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let agent = agent_of(&headers);
    let Some(agent) = agent else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "Couldn't authenticate you"})),
        )
            .into_response();
    };
    let Some(number) = id.strip_suffix(".json").and_then(|n| n.parse::<u64>().ok()) else {
        return error(StatusCode::NOT_FOUND, "RecordNotFound", "Not found");
    };
    let Ok(update) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The request body is not JSON",
        );
    };
    let comment = update.pointer("/ticket/comment");
    let text = comment
        .and_then(|c| c.get("body").or_else(|| c.get("html_body")))
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if text.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "RecordInvalid", "description": "Record validation errors",
                "details": {"base": [{"description": "Comment: cannot be blank", "error": "BlankValue"}]}})),
        )
            .into_response();
    }
    let public = comment
        .and_then(|c| c.get("public"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut store = shared.store();
    let wanted = ticket_id(number);
    let Some(ticket) = store
        .helpdesk
        .tickets
        .iter_mut()
        .find(|t| t.channel == HelpdeskChannel::Zendesk && t.id == wanted)
    else {
        return error(StatusCode::NOT_FOUND, "RecordNotFound", "Not found");
    };
    let now = OffsetDateTime::now_utc();
    ticket.comments.push(super::TicketComment {
        body: text.clone(),
        public,
        author: agent,
        added_at: now,
    });
    let answer = json!({
        "ticket": {"id": number, "subject": ticket.subject, "status": "open"},
        "audit": {"ticket_id": number, "created_at": graph_datetime(now),
            "events": [{"type": "Comment", "body": text, "public": public}]},
    });
    shared.persist(&store);
    (StatusCode::OK, Json(answer)).into_response()
}

/// The agent an `Authorization: Basic {email}/token:{token}` header signs
/// in as (the emulated account takes any token of a `…/token` user).
fn agent_of(headers: &HeaderMap) -> Option<String> {
    use base64::Engine;
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|text| {
            let (user, token) = text.split_once(':')?;
            let email = user.strip_suffix("/token")?;
            (email.contains('@') && !token.is_empty()).then(|| email.to_string())
        })
}

/// `GET /zendesk/api/v2/tickets/{id}/comments.json`: Zendesk's "List
/// Comments", agents only. The first comment is the ticket's description
/// (public), then the comments added since, oldest first; `per_page` (at
/// most 100, the default) a page, `page` from 1, and `next_page` the next
/// page's full URL or `null`. Answers 200 `{"comments":[{id, type:
/// "Comment", author_id, body, html_body, plain_body, public, attachments,
/// created_at}], "next_page", "previous_page", "count"}`; 401 without an
/// agent, 404 `RecordNotFound` for an unknown ticket.
pub(crate) async fn list_comments(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if agent_of(&headers).is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "Couldn't authenticate you"})),
        )
            .into_response();
    }
    let Ok(number) = id.parse::<u64>() else {
        return error(StatusCode::NOT_FOUND, "RecordNotFound", "Not found");
    };
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100)
        .clamp(1, 100);
    let store = shared.store();
    let wanted = ticket_id(number);
    let Some(ticket) = store
        .helpdesk
        .tickets
        .iter()
        .find(|t| t.channel == HelpdeskChannel::Zendesk && t.id == wanted)
    else {
        return error(StatusCode::NOT_FOUND, "RecordNotFound", "Not found");
    };
    let all: Vec<Value> = std::iter::once((
        ticket.description.as_str(),
        true,
        ticket.upn.as_str(),
        ticket.received_at,
    ))
    .chain(
        ticket
            .comments
            .iter()
            .map(|c| (c.body.as_str(), c.public, c.author.as_str(), c.added_at)),
    )
    .enumerate()
    .map(|(i, (body, public, author, at))| {
        let html = body
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        json!({
            "id": number * 1000 + i as u64,
            "type": "Comment",
            "author_id": requester_id(author),
            "body": body,
            "html_body": format!("<div class=\"zd-comment\" dir=\"auto\"><p>{html}</p></div>"),
            "plain_body": body,
            "public": public,
            "attachments": [],
            "created_at": graph_datetime(at),
        })
    })
    .collect();
    let count = all.len();
    let comments: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let link = |p: usize| {
        format!("http://{host}/zendesk/api/v2/tickets/{number}/comments.json?page={p}&per_page={per_page}")
    };
    let next = (page * per_page < count).then(|| link(page + 1));
    let previous = (page > 1).then(|| link(page - 1));
    (
        StatusCode::OK,
        Json(json!({"comments": comments, "next_page": next, "previous_page": previous, "count": count})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_subject_and_comment_are_reported_together() {
        let body = br#"{"request":{"requester":{"name":"D","email":"d@x.example"},"subject":" ","comment":{}}}"#;
        let Err(response) = parse(body) else {
            panic!("a blank subject and comment must be refused");
        };
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn requester_ids_are_stable_and_case_insensitive() {
        assert_eq!(
            requester_id("Dana@X.example"),
            requester_id("dana@x.example")
        );
        assert_ne!(requester_id("a@x.example"), requester_id("b@x.example"));
    }
}
