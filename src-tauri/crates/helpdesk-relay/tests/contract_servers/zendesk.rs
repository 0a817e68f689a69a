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
//!   `{"results":[{"id","result_type":"ticket","subject",...}],"count","next_page","previous_page","facets"}`;
//! - `PUT /api/v2/tickets/{id}.json` `{"ticket":{"comment":{"body","public"}}}`
//!   (agents only; `public: false` is an internal note) -> `200`
//!   `{"ticket":{...},"audit":{...}}`; an unknown ticket -> `404`
//!   `RecordNotFound`;
//! - `GET /api/v2/tickets/{id}/comments.json` (agents only) -> `200`
//!   `{"comments":[{"id","type":"Comment","body","plain_body","public","author_id",...}],"next_page","previous_page","count"}`,
//!   the first comment being the ticket's description; `per_page` comments
//!   a page (default 100), `next_page` the next page's full URL.

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
    /// Comments after the first (the description): (body, public).
    pub comments: Vec<(String, bool)>,
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
        (method, path) if path.starts_with("/api/v2/tickets/") => {
            if !as_agent {
                return unauthenticated;
            }
            let rest = path.trim_start_matches("/api/v2/tickets/");
            match (
                method,
                rest.strip_suffix("/comments.json"),
                rest.strip_suffix(".json"),
            ) {
                ("GET", Some(id), _) => list_comments(state, request, id),
                ("PUT", None, Some(id)) => update(state, request, id),
                _ => Answer::contract_violation(&[format!("no {method} {path} in Zendesk's API")]),
            }
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
        comments: Vec::new(),
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

fn not_found() -> Answer {
    Answer::json(
        404,
        json!({"error": "RecordNotFound", "description": "Not found"}),
    )
}

fn update(state: &mut Zendesk, request: &Captured, id: &str) -> Answer {
    let mut problems = Problems::default();
    problems.check(request.is_json(), "Content-Type must be application/json");
    let body = request.json();
    problems.only(&body, &["ticket"], "");
    let inner = body.get("ticket").cloned().unwrap_or(Value::Null);
    problems.check(inner.is_object(), "the body must be {\"ticket\": {...}}");
    problems.only(
        &inner,
        &["comment"],
        "the relay only adds a comment: ticket.",
    );
    let comment = inner.get("comment").cloned().unwrap_or(Value::Null);
    problems.string(&comment, "body", "ticket.comment.");
    problems.check(
        comment.get("public").is_some_and(Value::is_boolean),
        "ticket.comment.public must be a boolean (false: an internal note; unset, the comment is public)",
    );
    problems.only(
        &comment,
        &["body", "html_body", "public", "author_id"],
        "ticket.comment.",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(ticket) = state.tickets.iter_mut().find(|t| t.id.to_string() == id) else {
        return not_found();
    };
    ticket.comments.push((
        comment["body"].as_str().unwrap_or_default().into(),
        comment["public"].as_bool().unwrap_or(true),
    ));
    let ticket = ticket.clone();
    Answer::json(
        200,
        json!({
            "ticket": {"id": ticket.id, "subject": ticket.subject, "status": "open", "updated_at": "2026-03-01T09:31:00Z"},
            "audit": {"id": 9_000 + ticket.comments.len(), "ticket_id": ticket.id, "events": [{"type": "Comment", "body": ticket.comments.last().map(|c| c.0.clone()), "public": ticket.comments.last().map(|c| c.1)}]},
        }),
    )
}

fn list_comments(state: &mut Zendesk, request: &Captured, id: &str) -> Answer {
    let mut problems = Problems::default();
    let page: usize = request
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let per_page: usize = request
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100);
    problems.check(
        page >= 1 && (1..=100).contains(&per_page),
        "page must be at least 1 and per_page 1 to 100",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(ticket) = state.tickets.iter().find(|t| t.id.to_string() == id) else {
        return not_found();
    };
    let all: Vec<Value> = std::iter::once((ticket.body.clone(), true))
        .chain(ticket.comments.iter().cloned())
        .enumerate()
        .map(|(i, (body, public))| {
            json!({
                "id": 35_436 + i as u64,
                "type": "Comment",
                "author_id": 1_900_000_000_000u64,
                "body": body,
                "html_body": format!("<div class=\"zd-comment\"><p>{body}</p></div>"),
                "plain_body": body,
                "public": public,
                "attachments": [],
                "audit_id": 9_000 + i as u64,
                "via": {"channel": "api"},
                "created_at": "2026-03-01T09:30:00Z",
            })
        })
        .collect();
    let count = all.len();
    let values: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let next = (page * per_page < count).then(|| {
        format!(
            "http://{}/api/v2/tickets/{id}/comments.json?page={}&per_page={per_page}",
            request.header("host").unwrap_or("127.0.0.1"),
            page + 1
        )
    });
    Answer::json(
        200,
        json!({"comments": values, "next_page": next, "previous_page": null, "count": count}),
    )
}
