//! Graph's error envelope (graph-auth-methods.md §9):
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`,
//! with the 429 variant Graph sends when throttling.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::{GraphContext, GraphResponse};

/// A Graph error before it is rendered for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Sent as `Retry-After` when present.
    pub retry_after: Option<String>,
    /// Repeated as `innerError.message` when present (Graph does so for the
    /// default-method delete error, §4).
    pub inner_message: Option<String>,
}

impl GraphError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after: None,
            inner_message: None,
        }
    }

    /// The same error, also carrying its message in `innerError.message`.
    pub(crate) fn with_inner_message(mut self) -> GraphError {
        self.inner_message = Some(self.message.clone());
        self
    }

    /// A refused Security Info change.
    pub(crate) fn from_rule(rule: crate::rules::RuleError) -> GraphError {
        let error = Self::new(rule.status, rule.code, rule.message);
        if error.message == crate::rules::DEFAULT_DELETE_MESSAGE {
            error.with_inner_message()
        } else {
            error
        }
    }

    /// 400 for a write body that is not a JSON object.
    pub(crate) fn unreadable_payload() -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// 400 `BadRequest` for a path segment Graph does not know.
    pub(crate) fn segment_not_found(segment: &str) -> GraphError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// 401 `InvalidAuthenticationToken`.
    pub(crate) fn unauthenticated(message: &str) -> GraphError {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// 403 for a token without the needed directory permission.
    pub(crate) fn insufficient_privileges() -> GraphError {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 403 for a token without the needed authentication-methods permission.
    pub(crate) fn request_authorization_failed() -> GraphError {
        Self::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            "Request Authorization failed",
        )
    }

    /// 404 `itemNotFound` for an unknown method id.
    pub(crate) fn item_not_found() -> GraphError {
        Self::new(
            StatusCode::NOT_FOUND,
            "itemNotFound",
            "The requested resource does not exist.",
        )
    }

    /// 405 for a method a route does not support.
    pub(crate) fn method_not_allowed() -> GraphError {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// The answer of an injected fault with this status.
    pub(crate) fn fault(status: u16, retry_after: Option<String>) -> GraphError {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let (code, message) = match status.as_u16() {
            429 => ("TooManyRequests", "Please retry again later."),
            503 => (
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            ),
            504 => (
                "gatewayTimeout",
                "The gateway did not receive a timely response from the upstream service.",
            ),
            400 => ("invalidRequest", "The request is malformed or incorrect."),
            401 => (
                "InvalidAuthenticationToken",
                "Access token validation failure.",
            ),
            403 => (
                "accessDenied",
                "The caller doesn't have permission to perform the action.",
            ),
            404 => ("itemNotFound", "The resource could not be found."),
            409 => (
                "conflict",
                "The current state conflicts with what the request expects.",
            ),
            423 => (
                "resourceLocked",
                "The resource that is being accessed is locked.",
            ),
            _ => ("generalException", "An unspecified error has occurred."),
        };
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            retry_after,
            inner_message: None,
        }
    }

    /// Renders the envelope for one request.
    pub(crate) fn render(&self, context: &GraphContext) -> GraphResponse {
        let date = graph_error_date(OffsetDateTime::now_utc());
        let mut inner = Map::new();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Graph's throttling body, exactly (graph-auth-methods.md §9).
            inner.insert("code".into(), json!("429"));
            inner.insert("date".into(), json!(date));
            inner.insert("message".into(), json!("Please retry after"));
            inner.insert("request-id".into(), json!(context.request_id));
            inner.insert("status".into(), json!("429"));
            if context.client_request_id_sent {
                inner.insert("client-request-id".into(), json!(context.client_request_id));
            }
        } else {
            if let Some(message) = &self.inner_message {
                inner.insert("message".into(), json!(message));
            }
            inner.insert("date".into(), json!(date));
            inner.insert("request-id".into(), json!(context.request_id));
            inner.insert("client-request-id".into(), json!(context.client_request_id));
        }
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": Value::Object(inner),
            }
        });
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if let Some(retry_after) = &self.retry_after {
            headers.push(("Retry-After".to_string(), retry_after.clone()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.push((
                "WWW-Authenticate".to_string(),
                format!(
                    "Bearer realm=\"\", authorization_uri=\"{}common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                    context.base
                ),
            ));
        }
        GraphResponse {
            status: self.status,
            headers,
            body: Some(body),
        }
    }
}

/// `innerError.date`: `2025-02-13T10:17:06`, UTC without an offset.
fn graph_error_date(at: OffsetDateTime) -> String {
    let stamp = crate::tenant::graph_datetime(at);
    stamp.trim_end_matches('Z').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(sent: bool) -> GraphContext {
        GraphContext {
            request_id: "req".into(),
            client_request_id: if sent { "mine".into() } else { "req".into() },
            client_request_id_sent: sent,
            base: "http://127.0.0.1:1/".into(),
        }
    }

    #[test]
    fn the_envelope_echoes_the_client_request_id() {
        let rendered = GraphError::item_not_found().render(&context(true));
        let body = rendered.body.unwrap_or_default();
        assert_eq!(body["error"]["code"], "itemNotFound");
        assert_eq!(body["error"]["innerError"]["client-request-id"], "mine");
        assert_eq!(body["error"]["innerError"]["request-id"], "req");
        let date = body["error"]["innerError"]["date"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(date.len(), 19, "{date}");
    }

    #[test]
    fn throttling_uses_graphs_exact_body() {
        let rendered = GraphError::fault(429, Some("0.25".into())).render(&context(false));
        let body = rendered.body.unwrap_or_default();
        let inner = &body["error"]["innerError"];
        assert_eq!(body["error"]["code"], "TooManyRequests");
        assert_eq!(body["error"]["message"], "Please retry again later.");
        assert_eq!(inner["code"], "429");
        assert_eq!(inner["status"], "429");
        assert_eq!(inner["message"], "Please retry after");
        assert!(inner.get("client-request-id").is_none());
        assert!(rendered
            .headers
            .contains(&("Retry-After".into(), "0.25".into())));
    }
}
