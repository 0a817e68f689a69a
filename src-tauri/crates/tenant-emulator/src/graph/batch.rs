//! JSON batching: `POST /{version}/$batch` (graph-auth-methods.md §9).
//!
//! Rules kept: at most 20 requests; ids unique (case-insensitively); `url`
//! relative to the version; a body needs a `Content-Type` header, and a
//! POST, PATCH or PUT needs a body (an action without parameters, such as
//! `enableSmsSignIn`, sends `{}`); `dependsOn` names earlier-or-later ids without cycles. Breaking
//! any of these fails the whole batch with 400. Otherwise the outer status
//! is 200 and each item carries its own status: an item whose dependency
//! failed gets 424, and an injected fault matching an item's route applies to
//! that item alone. Items run through the same [`super::dispatch`] as direct
//! calls, in dependency order.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::errors::GraphError;
use super::{dispatch, Caller, GraphContext, GraphRequest, GraphResponse};
use crate::faults::FaultEffect;
use crate::server::Shared;
use crate::tenant::ApiVersion;

/// The most requests one batch may hold.
pub(crate) const MAX_REQUESTS: usize = 20;

/// One parsed batch step.
#[derive(Debug, Clone)]
struct Step {
    id: String,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn bad_batch(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn invalid_payload() -> GraphError {
    bad_batch("Invalid batch payload format.")
}

/// Parses and validates a batch payload.
fn parse(body: &[u8]) -> Result<Vec<Step>, GraphError> {
    let payload: Value = serde_json::from_slice(body).map_err(|_| invalid_payload())?;
    let requests = payload
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(invalid_payload)?;
    if requests.is_empty() {
        return Err(bad_batch(
            "The batch request must contain at least one request.",
        ));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(bad_batch(format!(
            "The number of requests in a batch cannot exceed {MAX_REQUESTS}; this batch has {}.",
            requests.len()
        )));
    }
    let mut steps = Vec::with_capacity(requests.len());
    for request in requests {
        let text = |name: &str| {
            request
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let id = text("id")
            .filter(|s| !s.is_empty())
            .ok_or_else(invalid_payload)?;
        let method = text("method")
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(invalid_payload)?;
        let url = text("url").ok_or_else(invalid_payload)?;
        let headers: Vec<(String, String)> = match request.get("headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect(),
            Some(_) => return Err(invalid_payload()),
        };
        let depends_on = match request.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => ids
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(invalid_payload))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid_payload()),
        };
        let body = request.get("body").filter(|b| !b.is_null()).cloned();
        // Writes (POST, PATCH, PUT) carry a body and a Content-Type, even
        // a bodyless action (Graph answers this message for a POST item
        // without them); any body needs a Content-Type.
        let is_write = [Method::POST, Method::PATCH, Method::PUT].contains(&method);
        let has_content_type = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if (body.is_some() && !has_content_type)
            || (is_write && (body.is_none() || !has_content_type))
        {
            return Err(bad_batch(format!(
                "Write request id : {id} does not contain Content-Type header or body."
            )));
        }
        steps.push(Step {
            id,
            method,
            url,
            headers,
            body,
            depends_on,
        });
    }
    let mut seen: Vec<String> = Vec::new();
    for step in &steps {
        let key = step.id.to_lowercase();
        if seen.contains(&key) {
            return Err(bad_batch(format!(
                "Batch request contains duplicate request id '{}'. Request ids must be unique.",
                step.id
            )));
        }
        seen.push(key);
    }
    for step in &steps {
        for dependency in &step.depends_on {
            if !seen.contains(&dependency.to_lowercase()) {
                return Err(bad_batch(format!(
                    "Request id '{}' depends on '{dependency}', which is not in the batch.",
                    step.id
                )));
            }
        }
    }
    Ok(steps)
}

/// Orders steps so that each runs after its dependencies (stable otherwise).
fn execution_order(steps: &[Step]) -> Result<Vec<usize>, GraphError> {
    let mut order = Vec::with_capacity(steps.len());
    let mut done = vec![false; steps.len()];
    let index: HashMap<String, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.to_lowercase(), i))
        .collect();
    while order.len() < steps.len() {
        let ready = (0..steps.len()).find(|&i| {
            !done[i]
                && steps[i]
                    .depends_on
                    .iter()
                    .all(|d| index.get(&d.to_lowercase()).is_some_and(|&j| done[j]))
        });
        let Some(i) = ready else {
            return Err(bad_batch(
                "The dependsOn graph of this batch contains a cycle.",
            ));
        };
        done[i] = true;
        order.push(i);
    }
    Ok(order)
}

/// Runs a batch for an authenticated caller.
pub(crate) async fn run(
    shared: &Shared,
    version: ApiVersion,
    body: &[u8],
    caller: &Caller,
    context: &GraphContext,
) -> GraphResponse {
    let steps =
        match parse(body).and_then(|steps| execution_order(&steps).map(|order| (steps, order))) {
            Ok(parsed) => parsed,
            Err(e) => return e.render(context),
        };
    let (steps, order) = steps;
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::with_capacity(steps.len());
    for i in order {
        let step = &steps[i];
        let item = run_step(shared, version, step, caller, context, &statuses).await;
        statuses.insert(step.id.to_lowercase(), item.status);
        let mut headers = Map::new();
        for (k, v) in &item.headers {
            headers.insert(k.clone(), json!(v));
        }
        let mut rendered = json!({
            "id": step.id,
            "status": item.status.as_u16(),
            "headers": Value::Object(headers),
        });
        if let Some(body) = item.body {
            rendered["body"] = body;
        }
        responses.push(rendered);
    }
    GraphResponse {
        status: StatusCode::OK,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(json!({ "responses": responses })),
    }
}

async fn run_step(
    shared: &Shared,
    version: ApiVersion,
    step: &Step,
    caller: &Caller,
    outer: &GraphContext,
    statuses: &HashMap<String, StatusCode>,
) -> GraphResponse {
    let mut headers = HeaderMap::new();
    for (k, v) in &step.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v))
        {
            headers.insert(name, value);
        }
    }
    let item_client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let context = GraphContext {
        request_id: Uuid::new_v4().to_string(),
        client_request_id: item_client_request_id
            .clone()
            .unwrap_or_else(|| outer.client_request_id.clone()),
        client_request_id_sent: item_client_request_id.is_some() || outer.client_request_id_sent,
        base: outer.base.clone(),
    };
    let failed_dependency = step.depends_on.iter().any(|d| {
        statuses
            .get(&d.to_lowercase())
            .is_none_or(|s| !s.is_success())
    });
    if failed_dependency {
        return GraphError::new(
            StatusCode::FAILED_DEPENDENCY,
            "FailedDependency",
            "Request failed because a request it depends on failed.",
        )
        .render(&context);
    }
    if step.url.contains("://") {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Batch request URLs must be relative to the version, e.g. '/me'.",
        )
        .render(&context);
    }
    let relative = step.url.trim_start_matches('/');
    let (path_part, _query) = relative.split_once('?').unwrap_or((relative, ""));
    let path = format!("/{path_part}");
    if path_part.trim_matches('/').eq_ignore_ascii_case("$batch") {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Nested batch requests are not supported.",
        )
        .render(&context);
    }
    let full_path = format!("/{}{}", version.segment(), path);
    match shared.faults.take(step.method.as_str(), &full_path) {
        Some(FaultEffect::Status {
            status,
            retry_after,
        }) => return GraphError::fault(status, retry_after).render(&context),
        Some(FaultEffect::Delay { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await
        }
        None => {}
    }
    let body = step
        .body
        .as_ref()
        .map(|b| b.to_string().into_bytes())
        .unwrap_or_default();
    dispatch(
        shared,
        &GraphRequest {
            method: &step.method,
            version,
            path: &path,
            headers: &headers,
            body: &body,
            context: &context,
        },
        caller,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: Value) -> Result<Vec<String>, GraphError> {
        let steps = parse(body.to_string().as_bytes())?;
        let order = execution_order(&steps)?;
        Ok(order.into_iter().map(|i| steps[i].id.clone()).collect())
    }

    #[test]
    fn dependencies_run_first() {
        let order = ids(json!({"requests": [
            {"id": "a", "method": "GET", "url": "/me", "dependsOn": ["B"]},
            {"id": "b", "method": "GET", "url": "/me"},
        ]}));
        assert_eq!(order.ok(), Some(vec!["b".to_string(), "a".to_string()]));
    }

    #[test]
    fn malformed_batches_fail_whole() {
        let cases = [
            json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}, {"id": "1", "method": "GET", "url": "/me"}]}),
            json!({"requests": [{"id": "x", "method": "GET", "url": "/me"}, {"id": "X", "method": "GET", "url": "/me"}]}),
            json!({"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]}),
            json!({"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]}, {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]}]}),
            json!({"requests": [{"id": "1", "method": "POST", "url": "/me", "body": {}}]}),
            json!({"requests": [{"id": "1", "method": "POST", "url": "/me/authentication/phoneMethods/x/enableSmsSignIn"}]}),
            json!({"requests": [{"id": "1", "method": "POST", "url": "/me/revokeSignInSessions", "headers": {"Content-Type": "application/json"}}]}),
            json!({"requests": []}),
            json!({"nope": 1}),
            json!({"requests": (0..21).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"})).collect::<Vec<_>>()}),
        ];
        for case in cases {
            let err = ids(case.clone()).err();
            assert_eq!(
                err.map(|e| e.status),
                Some(StatusCode::BAD_REQUEST),
                "{case}"
            );
        }
    }
}
