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
//!   `{"tickets": [...]}`, newest first.

use serde_json::{json, Value};

use super::{Answer, Captured, Problems, Server};

pub const PATH: &str = "/api/v2/tickets";

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub email: String,
    pub subject: String,
    pub description: String,
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
