//! The out-of-process control API under `/_emulator/` (not itself logged):
//! - `POST /_emulator/faults` `{"route","status"?,"retryAfter"?,"delayMs"?,"times"?}` -> 201
//! - `GET /_emulator/faults` -> the active faults; `DELETE /_emulator/faults` -> 204
//! - `GET /_emulator/requests` -> the request log as JSON
//! - `POST /_emulator/users/{upn}/revoke-sign-in-sessions` -> 204 (404 for an unknown user);
//!   the helpdesk admin view's form post gets a 303 back to the view
//! - the helpdesk's admin view and actions: see `helpdesk::admin_view`
//! - `POST /_emulator/users/{upn}/expire-fresh-mfa` -> 204 (404 for an unknown user): the
//!   user's issued tokens no longer count as having fresh MFA
//! - `GET /_emulator/settings` -> `{"selfServiceWrites":bool,"freshMfaWindowSeconds":n|null}`;
//!   `POST /_emulator/settings` `{"selfServiceWrites":bool}` -> 200 and the settings

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::faults::{Fault, FaultAction};
use crate::server::Shared;
use crate::tenant::graph_datetime;

/// The control API's error body: `{"error": message}`.
pub(crate) fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn fault_json(fault: &Fault) -> Value {
    match &fault.action {
        FaultAction::Status {
            status,
            retry_after,
            times,
        } => {
            json!({"route": fault.route, "status": status, "retryAfter": retry_after, "times": times})
        }
        FaultAction::Delay { millis, times } => {
            json!({"route": fault.route, "delayMs": millis, "times": times})
        }
    }
}

/// Parses the JSON form of a fault.
pub(crate) fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let route = value
        .get("route")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or("\"route\" is required, e.g. \"GET /v1.0/me/authentication/methods\" or \"*\"")?;
    if route != "*" && !route.contains(' ') {
        return Err(format!(
            "\"route\" must be \"METHOD /path\" or \"*\", not {route:?}"
        ));
    }
    let times = match value.get("times") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .filter(|t| *t > 0)
            .ok_or("\"times\" must be a positive integer")?,
    };
    let retry_after = match value.get("retryAfter") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err("\"retryAfter\" must be a string or a number of seconds".into()),
    };
    let status = value.get("status").filter(|v| !v.is_null());
    let delay = value.get("delayMs").filter(|v| !v.is_null());
    match (status, delay) {
        (Some(status), None) => {
            let status = status
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (400..=599).contains(s))
                .ok_or("\"status\" must be an HTTP error status (400-599)")?;
            Ok(Fault {
                route: route.to_string(),
                action: FaultAction::Status {
                    status,
                    retry_after,
                    times,
                },
            })
        }
        (None, Some(delay)) => {
            let millis = delay
                .as_u64()
                .ok_or("\"delayMs\" must be a non-negative integer")?;
            Ok(Fault::delay(route, millis, times))
        }
        _ => Err("give exactly one of \"status\" and \"delayMs\"".into()),
    }
}

pub(crate) async fn inject_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse_fault(&body) {
        Ok(fault) => {
            let echoed = fault_json(&fault);
            shared.faults.inject(fault);
            (StatusCode::CREATED, Json(echoed)).into_response()
        }
        Err(message) => problem(StatusCode::BAD_REQUEST, message),
    }
}

pub(crate) async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.faults.clear();
    StatusCode::NO_CONTENT
}

pub(crate) async fn list_faults(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(Value::Array(
        shared.faults.active().iter().map(fault_json).collect(),
    ))
}

pub(crate) async fn requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let log: Vec<Value> = shared
        .request_log()
        .iter()
        .map(|r| {
            json!({
                "method": r.method,
                "path": r.path,
                "status": r.status,
                "time": r.time.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_else(|_| graph_datetime(r.time)),
            })
        })
        .collect();
    Json(Value::Array(log))
}

/// Revokes the user's sessions. A form post must come from the helpdesk
/// admin view (CSRF token, same origin) and is answered with HTML; any
/// other request keeps the original 204.
pub(crate) async fn revoke_sign_in_sessions(
    State(shared): State<Arc<Shared>>,
    Path(upn): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if crate::helpdesk::admin_view::is_form(&headers) {
        return crate::helpdesk::admin_view::revoke_from_form(&shared, &upn, &headers, &body);
    }
    match crate::revoke(&shared, &upn) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(StatusCode::NOT_FOUND, e.to_string()),
    }
}

pub(crate) async fn expire_fresh_mfa(
    State(shared): State<Arc<Shared>>,
    Path(upn): Path<String>,
) -> Response {
    match crate::expire_fresh_mfa(&shared, &upn) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(StatusCode::NOT_FOUND, e.to_string()),
    }
}

fn settings_json(shared: &Shared) -> Value {
    json!({
        "selfServiceWrites": shared.self_service_writes(),
        "freshMfaWindowSeconds": shared.fresh_mfa_window.map(|w| w.as_secs()),
    })
}

pub(crate) async fn settings(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(settings_json(&shared))
}

/// Applies `{"selfServiceWrites": bool}`; unknown members are refused so a
/// typo is not silently ignored.
pub(crate) async fn update_settings(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            )
        }
    };
    let Some(object) = value.as_object() else {
        return problem(StatusCode::BAD_REQUEST, "the body must be a JSON object");
    };
    if let Some(unknown) = object.keys().find(|k| *k != "selfServiceWrites") {
        return problem(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown setting {unknown:?}; the only runtime setting is \"selfServiceWrites\""
            ),
        );
    }
    match object.get("selfServiceWrites") {
        None => {}
        Some(Value::Bool(allowed)) => shared.set_self_service_writes(*allowed),
        Some(_) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "\"selfServiceWrites\" must be true or false",
            )
        }
    }
    (StatusCode::OK, Json(settings_json(&shared))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_from_json() {
        let fault =
            parse_fault(br#"{"route":"GET /v1.0/me","status":429,"retryAfter":"0.25","times":2}"#);
        assert_eq!(
            fault,
            Ok(Fault::status("GET /v1.0/me", 429, Some("0.25"), 2))
        );
        let delay = parse_fault(br#"{"route":"*","delayMs":50}"#);
        assert_eq!(delay, Ok(Fault::delay("*", 50, 1)));
        let numeric = parse_fault(br#"{"route":"POST /token","status":503,"retryAfter":2}"#);
        assert_eq!(numeric, Ok(Fault::status("POST /token", 503, Some("2"), 1)));
    }

    #[test]
    fn bad_faults_are_explained() {
        for bad in [
            &br#"{"status":429}"#[..],
            br#"{"route":"GET","status":429}"#,
            br#"{"route":"*","status":200}"#,
            br#"{"route":"*","status":429,"delayMs":5}"#,
            br#"{"route":"*"}"#,
            br#"{"route":"*","delayMs":5,"times":0}"#,
            b"nope",
        ] {
            assert!(
                parse_fault(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
