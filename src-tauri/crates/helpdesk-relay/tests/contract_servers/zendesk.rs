//! Zendesk's Requests and Search APIs, as `developer.zendesk.com`
//! documents them (`peers-and-helpdesks.md` §B.3):
//!
//! - `POST /api/v2/requests.json` `{"request":{"requester":{"name","email"},"subject","comment":{"body"}}}`,
//!   anonymous (when the account allows it) or Basic `{email}/token:{api_token}`
//!   -> `201` `{"request": {"id", "subject", "description", "status": "new", ...}}`;
//!   no subject or comment -> `422` `RecordInvalid`; bad credentials -> `401`
//!   `{"error":"Couldn't authenticate you"}`;
//! - `Idempotency-Key` (1 to 255 characters), kept 2 hours: a first use
//!   answers `x-idempotency-lookup: miss`; a repeat with the same body answers
//!   the first `201` again with `x-idempotency-lookup: hit`, filing nothing;
//!   with another body, `400` `IdempotentRequestError`;
//! - `GET /api/v2/search.json?query=` (agents only) -> `200`
//!   `{"results":[{"id","result_type":"ticket","subject",...}],"count","next_page","previous_page","facets"}`.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{loosely_matches, Answer, Captured, Problems, Server};

pub const REQUESTS: &str = "/api/v2/requests.json";
pub const SEARCH: &str = "/api/v2/search.json";

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub requester_email: String,
    pub subject: String,
    pub body: String,
}

pub struct Zendesk {
    /// `(email, token)` of the one agent; `None`: no agent.
    pub agent: Option<(String, String)>,
    pub anonymous_allowed: bool,
    pub tickets: Vec<Ticket>,
    /// Idempotency key -> (the body it was first used with, the ticket id).
    pub keys: HashMap<String, (String, u64)>,
}

pub async fn start(agent: Option<(&str, &str)>) -> Server<Zendesk> {
    Server::start(
        Zendesk {
            agent: agent.map(|(e, t)| (e.into(), t.into())),
            anonymous_allowed: true,
            tickets: Vec::new(),
            keys: HashMap::new(),
        },
        handle,
    )
    .await
}

fn request_json(ticket: &Ticket) -> Value {
    json!({
        "url": format!("https://account.example/api/v2/requests/{}.json", ticket.id),
        "id": ticket.id,
        "status": "new",
        "priority": null,
        "type": null,
        "subject": ticket.subject,
        "description": ticket.body,
        "organization_id": null,
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
        "custom_fields": [],
        "requester_id": 1_900_000_000_000u64 + ticket.id,
        "collaborator_ids": [],
        "email_cc_ids": [],
        "is_public": true,
        "due_at": null,
        "can_be_solved_by_me": false,
        "created_at": "2026-03-01T09:30:00Z",
        "updated_at": "2026-03-01T09:30:00Z",
        "recipient": null,
        "followup_source_id": null,
        "assignee_id": null,
        "ticket_form_id": null,
        "fields": [],
    })
}

fn handle(state: &mut Zendesk, request: &Captured) -> Answer {
    let unauthenticated = Answer::json(401, json!({"error": "Couldn't authenticate you"}));
    let as_agent = match (request.header("authorization"), &state.agent) {
        (None, _) => false,
        (Some(_), Some((email, token))) if request.has_basic(&format!("{email}/token"), token) => {
            true
        }
        (Some(_), _) => return unauthenticated,
    };
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", REQUESTS) => {
            if !as_agent && !state.anonymous_allowed {
                return unauthenticated;
            }
            create(state, request)
        }
        ("GET", SEARCH) => {
            if !as_agent {
                return unauthenticated;
            }
            search(state, request)
        }
        (method, path) => {
            Answer::contract_violation(&[format!("no {method} {path} in Zendesk's API")])
        }
    }
}

fn create(state: &mut Zendesk, request: &Captured) -> Answer {
    let mut problems = Problems::default();
    problems.check(request.is_json(), "Content-Type must be application/json");
    let key = request.header("idempotency-key").map(str::to_string);
    if let Some(key) = &key {
        problems.check(
            (1..=255).contains(&key.chars().count()),
            "the Idempotency-Key header must be 1 to 255 characters long",
        );
    }
    let body = request.json();
    let inner = body.get("request").cloned().unwrap_or(Value::Null);
    problems.check(inner.is_object(), "the body must be {\"request\": {...}}");
    problems.only(&body, &["request"], "");
    let requester = inner.get("requester").cloned().unwrap_or(Value::Null);
    problems.check(
        requester.is_object(),
        "request.requester must be an object {name, email}",
    );
    problems.string(&requester, "name", "request.requester.");
    problems.check(
        requester
            .get("email")
            .and_then(Value::as_str)
            .is_some_and(|e| e.contains('@')),
        "request.requester.email must be an email address",
    );
    problems.only(
        &inner,
        &[
            "requester",
            "subject",
            "comment",
            "custom_fields",
            "collaborators",
            "email_ccs",
            "priority",
            "type",
            "due_at",
            "ticket_form_id",
            "recipient",
            "fields",
        ],
        "request.",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let subject = inner
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let comment = inner
        .pointer("/comment/body")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if subject.trim().is_empty() || comment.trim().is_empty() {
        return Answer::json(
            422,
            json!({"error": "RecordInvalid", "description": "Record validation errors", "details": {"base": [{"description": "Subject and comment are required", "error": "BlankValue"}]}}),
        );
    }
    if let Some(key) = &key {
        if let Some((first_body, id)) = state.keys.get(key) {
            if first_body != &request.text {
                return Answer::json(
                    400,
                    json!({"error": "IdempotentRequestError", "description": "Request parameters don't match the given idempotency key"}),
                );
            }
            let ticket = state.tickets.iter().find(|t| t.id == *id).cloned();
            return match ticket {
                Some(ticket) => Answer::json(201, json!({"request": request_json(&ticket)}))
                    .with_header("x-idempotency-lookup", "hit"),
                None => Answer::json(500, json!({"error": "lost ticket"})),
            };
        }
    }
    let ticket = Ticket {
        id: 1001 + state.tickets.len() as u64,
        requester_email: requester["email"].as_str().unwrap_or_default().into(),
        subject: subject.into(),
        body: comment.into(),
    };
    state.tickets.push(ticket.clone());
    let mut answer = Answer::json(201, json!({"request": request_json(&ticket)})).with_header(
        "location",
        &format!("https://account.example/api/v2/requests/{}.json", ticket.id),
    );
    if let Some(key) = key {
        state.keys.insert(key, (request.text.clone(), ticket.id));
        answer = answer.with_header("x-idempotency-lookup", "miss");
    }
    answer
}

fn search(state: &mut Zendesk, request: &Captured) -> Answer {
    let mut problems = Problems::default();
    let query = request.param("query").unwrap_or_default().to_string();
    problems.check(
        query.starts_with("type:ticket "),
        format!("query must search tickets (type:ticket …), not {query:?}"),
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let terms = query.trim_start_matches("type:ticket ");
    let results: Vec<Value> = state
        .tickets
        .iter()
        .filter(|t| loosely_matches(&format!("{} {}", t.subject, t.body), terms))
        .map(|t| {
            json!({
                "url": format!("https://account.example/api/v2/tickets/{}.json", t.id),
                "id": t.id,
                "result_type": "ticket",
                "subject": t.subject,
                "description": t.body,
                "status": "new",
            })
        })
        .collect();
    Answer::json(
        200,
        json!({"results": results, "count": results.len(), "next_page": null, "previous_page": null, "facets": null}),
    )
}
