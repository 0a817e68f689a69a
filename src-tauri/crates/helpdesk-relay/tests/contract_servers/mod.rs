//! Local stand-ins for the helpdesks' APIs, for `helpdesk_contracts.rs`.
//!
//! Each one checks a request against the shape the helpdesk documents
//! (method, path, authentication, content type, required fields and their
//! types) and answers what the helpdesk documents. Anything else gets a 400
//! whose body lists what is wrong, which the adapter turns into a refusal
//! naming the problem, so the test fails with the reason in view.
//!
//! A server records every request it received, and can be told to answer
//! every request with a fault (401, 429 with `Retry-After`, 500, ...).

#![allow(dead_code)] // each test binary uses a different part

pub mod freshservice;
pub mod jira;
pub mod servicenow;
pub mod smtp;
pub mod zendesk;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{json, Value};

/// One request a server received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: Method,
    pub path: String,
    /// The decoded query parameters, in order (a name may repeat).
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// The body's text.
    pub text: String,
}

impl Captured {
    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the `Authorization` header is HTTP Basic for `user:password`.
    pub fn has_basic(&self, user: &str, password: &str) -> bool {
        self.header("authorization") == Some(basic(user, password).as_str())
    }

    /// Whether the body was sent as JSON.
    pub fn is_json(&self) -> bool {
        self.header("content-type")
            .is_some_and(|v| v.trim().starts_with("application/json"))
    }
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// What a server answers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The 400 a stand-in answers for a request off the documented shape.
    pub fn contract_violation(problems: &[String]) -> Answer {
        Answer::json(
            400,
            json!({"contract": "the request is not what the helpdesk documents", "problems": problems}),
        )
    }
}

/// What is wrong with a request, collected.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<String>);

impl Problems {
    pub fn check(&mut self, ok: bool, problem: impl Into<String>) {
        if !ok {
            self.0.push(problem.into());
        }
    }

    /// `value[key]` must be a non-empty string.
    pub fn string(&mut self, value: &Value, key: &str, at: &str) {
        let ok = value
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        self.check(ok, format!("{at}{key} must be a non-empty string"));
    }

    /// `value` may only have `allowed` members.
    pub fn only(&mut self, value: &Value, allowed: &[&str], at: &str) {
        if let Some(object) = value.as_object() {
            for key in object.keys() {
                self.check(
                    allowed.contains(&key.as_str()),
                    format!("{at}{key} is not a field this endpoint documents"),
                );
            }
        }
    }

    pub fn answer(self) -> Option<Answer> {
        if self.0.is_empty() {
            None
        } else {
            Some(Answer::contract_violation(&self.0))
        }
    }
}

/// A fault every request is answered with, until cleared.
#[derive(Debug, Clone)]
pub struct Fault(pub Answer);

/// How one stand-in answers a request, given its own state.
pub type Handler<T> = fn(&mut T, &Captured) -> Answer;

struct Shared<T> {
    data: T,
    handler: Handler<T>,
    requests: Vec<Captured>,
    fault: Option<Fault>,
}

/// A stand-in running on 127.0.0.1.
pub struct Server<T> {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    shared: Arc<Mutex<Shared<T>>>,
}

impl<T: Send + 'static> Server<T> {
    pub async fn start(data: T, handler: Handler<T>) -> Server<T> {
        let shared = Arc::new(Mutex::new(Shared {
            data,
            handler,
            requests: Vec::new(),
            fault: None,
        }));
        let app = axum::Router::new()
            .fallback(receive::<T>)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for a contract server");
        let port = listener.local_addr().expect("its address").port();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the contract server runs");
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            shared,
        }
    }

    /// Answers every request with `answer` from now on.
    pub fn fail_with(&self, answer: Answer) {
        self.shared.lock().unwrap().fault = Some(Fault(answer));
    }

    pub fn heal(&self) {
        self.shared.lock().unwrap().fault = None;
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Captured> {
        self.shared.lock().unwrap().requests.clone()
    }

    /// The requests received with `method` on `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Captured> {
        self.requests()
            .into_iter()
            .filter(|r| r.method.as_str() == method && r.path == path)
            .collect()
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.shared.lock().unwrap().data)
    }
}

async fn receive<T: Send + 'static>(
    State(shared): State<Arc<Mutex<Shared<T>>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let captured = Captured {
        method,
        path: uri.path().to_string(),
        query,
        headers,
        text: String::from_utf8_lossy(&body).into_owned(),
    };
    let answer = {
        let mut shared = shared.lock().unwrap();
        shared.requests.push(captured.clone());
        match &shared.fault {
            Some(Fault(answer)) => answer.clone(),
            None => {
                let handler = shared.handler;
                handler(&mut shared.data, &captured)
            }
        }
    };
    let mut response = (
        StatusCode::from_u16(answer.status).expect("a valid status"),
        answer.body,
    )
        .into_response();
    for (name, value) in answer.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            value.parse().expect("a header value"),
        );
    }
    response
}

/// A loopback port nothing listens on.
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    port
}

/// Words of `text` for a loose full-text match, like a helpdesk's search.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `text` shares any word with `query`: the loose matching of a
/// full-text search, which is why adapters check what they find.
pub fn loosely_matches(text: &str, query: &str) -> bool {
    let text = words(text);
    words(query).iter().any(|w| text.contains(w))
}
