//! Freshservice API v2's tickets, as `api.freshservice.com` and Freshworks'
//! API SDK document them (`peers-and-helpdesks.md` §B.4):
//!
//! - Basic auth: the API key as user, any password (conventionally `X`);
//!   otherwise `401` `{"code":"access_denied","message":"You are not authorized to perform this action."}`;
//! - `POST /api/v2/tickets` JSON with a requester (`email`), `subject`,
//!   `description` (HTML), `status` (2 open .. 5 closed) and `priority`
//!   (1 low .. 4 urgent), numbers as JSON integers -> `201` `{"ticket": {...,"id": 1,...}}`;
//!   a bad field -> `400` `{"description":"Validation failed","errors":[{"field","message","code"}]}`;
//! - `GET /api/v2/tickets?email=<requester>&per_page=<≤100>` -> `200`
//!   `{"tickets": [...]}`, newest first;
//! - `POST /api/v2/tickets/{id}/notes` JSON `{"body" (HTML), "private"}`
//!   (private defaults to true: agents only) -> `201` `{"conversation": {"id",
//!   "body", "body_text", "private", "incoming", "ticket_id", ...}}`; an
//!   unknown ticket -> `404`;
//! - `GET /api/v2/tickets/{id}/conversations?page=&per_page=<≤100>` -> `200`
//!   `{"conversations": [...]}` (replies and notes, oldest first).

use serde_json::{json, Value};

use super::{Answer, Captured, Problems, Server};

pub const PATH: &str = "/api/v2/tickets";

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub email: String,
    pub subject: String,
    pub description: String,
    /// Its notes: (HTML body, private).
    pub notes: Vec<(String, bool)>,
}

pub struct Freshservice {
    pub api_key: String,
    pub tickets: Vec<Ticket>,
}

pub async fn start(api_key: &str) -> Server<Freshservice> {
    Server::start(
        Freshservice {
            api_key: api_key.into(),
            tickets: Vec::new(),
        },
        handle,
    )
    .await
}

fn ticket_json(ticket: &Ticket) -> Value {
    json!({
        "id": ticket.id,
        "subject": ticket.subject,
        "description": ticket.description,
        "description_text": ticket.description.replace("<br>", ""),
        "requester_id": 21000418000u64 + ticket.id,
        "status": 2,
        "priority": 2,
        "source": 2,
        "type": "Incident",
        "cc_emails": [],
        "fwd_emails": [],
        "reply_cc_emails": [],
        "custom_fields": {},
        "created_at": "2026-03-01T09:30:00Z",
        "updated_at": "2026-03-01T09:30:00Z",
    })
}

fn handle(state: &mut Freshservice, request: &Captured) -> Answer {
    let authorised = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode(b).ok()
        })
        .and_then(|d| String::from_utf8(d).ok())
        .is_some_and(|pair| {
            pair.split_once(':')
                .is_some_and(|(user, _)| user == state.api_key)
        });
    if !authorised {
        return Answer::json(
            401,
            json!({"code": "access_denied", "message": "You are not authorized to perform this action."}),
        );
    }
    let mut problems = Problems::default();
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", PATH) => {
            problems.check(
                request.is_json(),
                "Content-Type must be application/json (API v2 is JSON only)",
            );
            create(state, request, problems)
        }
        ("GET", PATH) => list(state, request, problems),
        (method, path) if path.starts_with(&format!("{PATH}/")) => {
            let rest = &path[PATH.len() + 1..];
            match (method, rest.split_once('/')) {
                ("POST", Some((id, "notes"))) => {
                    problems.check(request.is_json(), "Content-Type must be application/json");
                    add_note(state, request, problems, id)
                }
                ("GET", Some((id, "conversations"))) => conversations(state, request, problems, id),
                _ => Answer::contract_violation(&[format!(
                    "no {method} {path} in Freshservice API v2"
                )]),
            }
        }
        (method, path) => {
            Answer::contract_violation(&[format!("no {method} {path} in Freshservice API v2")])
        }
    }
}

fn create(state: &mut Freshservice, request: &Captured, mut problems: Problems) -> Answer {
    let body = request.json();
    problems.check(body.is_object(), "the body must be a JSON object");
    problems.check(
        body.get("email").and_then(Value::as_str).is_some_and(|e| e.contains('@')),
        "email (the requester) must be an email address: a ticket needs a requester_id, phone or email",
    );
    problems.string(&body, "subject", "");
    problems.string(&body, "description", "");
    problems.check(
        body.get("status")
            .and_then(Value::as_u64)
            .is_some_and(|s| (2..=5).contains(&s)),
        "status must be an integer 2 (open) to 5 (closed)",
    );
    problems.check(
        body.get("priority")
            .and_then(Value::as_u64)
            .is_some_and(|p| (1..=4).contains(&p)),
        "priority must be an integer 1 (low) to 4 (urgent)",
    );
    problems.only(
        &body,
        &[
            "email",
            "requester_id",
            "phone",
            "name",
            "subject",
            "description",
            "status",
            "priority",
            "source",
            "type",
            "cc_emails",
            "custom_fields",
            "group_id",
            "category",
            "workspace_id",
        ],
        "",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let ticket = Ticket {
        id: 1 + state.tickets.len() as u64,
        email: body["email"].as_str().unwrap_or_default().into(),
        subject: body["subject"].as_str().unwrap_or_default().into(),
        description: body["description"].as_str().unwrap_or_default().into(),
        notes: Vec::new(),
    };
    state.tickets.push(ticket.clone());
    Answer::json(201, json!({"ticket": ticket_json(&ticket)}))
}

fn list(state: &mut Freshservice, request: &Captured, mut problems: Problems) -> Answer {
    let email = request.param("email").unwrap_or_default().to_string();
    problems.check(
        email.contains('@'),
        "email (the requester's address) is missing",
    );
    problems.check(
        request
            .param("per_page")
            .is_none_or(|p| p.parse::<u32>().is_ok_and(|n| (1..=100).contains(&n))),
        "per_page must be 1 to 100",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let tickets: Vec<Value> = state
        .tickets
        .iter()
        .rev()
        .filter(|t| t.email.eq_ignore_ascii_case(&email))
        .map(ticket_json)
        .collect();
    Answer::json(200, json!({"tickets": tickets}))
}

fn conversation_json(ticket: &Ticket, index: usize) -> Value {
    let (body, private) = &ticket.notes[index];
    json!({
        "id": 21_005_968_000u64 + index as u64,
        "user_id": 21_000_418_005u64,
        "body": body,
        "body_text": body.replace("<br>", "").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"),
        "ticket_id": ticket.id,
        "incoming": false,
        "private": private,
        "source": 2,
        "to_emails": [],
        "attachments": [],
        "created_at": "2026-03-01T09:31:00Z",
        "updated_at": "2026-03-01T09:31:00Z",
    })
}

fn not_found() -> Answer {
    Answer::json(
        404,
        json!({"code": "access_denied", "message": "The requested resource was not found."}),
    )
}

fn add_note(
    state: &mut Freshservice,
    request: &Captured,
    mut problems: Problems,
    id: &str,
) -> Answer {
    let body = request.json();
    problems.check(body.is_object(), "the body must be a JSON object");
    problems.string(&body, "body", "");
    if let Some(private) = body.get("private") {
        problems.check(private.is_boolean(), "private must be a boolean");
    }
    problems.only(
        &body,
        &[
            "body",
            "private",
            "incoming",
            "notify_emails",
            "user_id",
            "attachments",
        ],
        "",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(ticket) = state.tickets.iter_mut().find(|t| t.id.to_string() == id) else {
        return not_found();
    };
    ticket.notes.push((
        body["body"].as_str().unwrap_or_default().into(),
        body.get("private").and_then(Value::as_bool).unwrap_or(true),
    ));
    let index = ticket.notes.len() - 1;
    Answer::json(
        201,
        json!({"conversation": conversation_json(ticket, index)}),
    )
}

fn conversations(
    state: &mut Freshservice,
    request: &Captured,
    mut problems: Problems,
    id: &str,
) -> Answer {
    let page: usize = request
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let per_page: usize = request
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30);
    problems.check(page >= 1, "page must be at least 1");
    problems.check((1..=100).contains(&per_page), "per_page must be 1 to 100");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(ticket) = state.tickets.iter().find(|t| t.id.to_string() == id) else {
        return not_found();
    };
    let all: Vec<Value> = (0..ticket.notes.len())
        .map(|i| conversation_json(ticket, i))
        .collect();
    let values: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Answer::json(
        200,
        json!({"conversations": values, "meta": {"count": ticket.notes.len()}}),
    )
}
