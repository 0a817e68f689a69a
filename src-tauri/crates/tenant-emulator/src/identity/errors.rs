//! The identity platform's JSON error body (RFC 6749 §5.2 plus Entra's
//! extra members) and the AADSTS codes the emulator uses.
//!
//! Shape, exactly as Entra sends it:
//! `{"error","error_description":"AADSTSnnnn: text\r\nTrace ID: ...\r\nCorrelation ID: ...\r\nTimestamp: ...",
//!   "error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"}`.
//! Status 400, except 401 for `invalid_client`.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// An identity-platform error: the OAuth `error`, the AADSTS number and the
/// text after `AADSTSnnnn: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub text: String,
    pub retry_after: Option<String>,
}

impl IdentityError {
    pub(crate) fn new(error: &'static str, code: u32, text: impl Into<String>) -> IdentityError {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        IdentityError {
            status,
            error,
            code,
            text: text.into(),
            retry_after: None,
        }
    }

    /// `AADSTS900144`: a required parameter is missing.
    pub(crate) fn missing(parameter: &str) -> IdentityError {
        Self::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    /// `AADSTS700016`: the client id is not registered in the tenant.
    pub(crate) fn unknown_client(client_id: &str, tenant_name: &str) -> IdentityError {
        Self::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. \
                 This can happen if the application has not been installed by the administrator of the tenant \
                 or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    }

    /// `AADSTS90002`: the `{tenant}` segment names no tenant here.
    pub(crate) fn unknown_tenant(error: &'static str, tenant: &str) -> IdentityError {
        Self::new(
            error,
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are \
                 signing into the correct cloud. Check with your subscription administrator, this may happen \
                 if there are no active subscriptions for the tenant."
            ),
        )
    }

    /// `AADSTS70011`: a scope is not valid.
    pub(crate) fn invalid_scope(scope: &str) -> IdentityError {
        Self::new(
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the \
                 input parameter 'scope' is not valid. The scope '{scope}' is not valid."
            ),
        )
    }

    /// `AADSTS28000`: one token request named scopes of two resources (an
    /// access token has one audience).
    pub(crate) fn multiple_resources(scope: &str) -> IdentityError {
        Self::new(
            "invalid_scope",
            28000,
            format!(
                "Provided value for the input parameter scope is not valid because it contains more than one \
                 resource. Scope {scope} is not valid."
            ),
        )
    }

    /// The fault-injection answer of the token and device-code endpoints.
    pub(crate) fn temporarily_unavailable(
        status: StatusCode,
        retry_after: Option<String>,
    ) -> IdentityError {
        IdentityError {
            status,
            error: "temporarily_unavailable",
            code: 90033,
            text: "A transient error has occurred. Please try again.".into(),
            retry_after,
        }
    }

    /// The full `error_description`, with Entra's trace lines.
    pub(crate) fn description(&self, trace: &Trace) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.code, self.text, trace.trace_id, trace.correlation_id, trace.timestamp
        )
    }

    /// The JSON response, echoing the caller's `client-request-id`.
    pub(crate) fn into_response_for(
        self,
        base: &url::Url,
        request_headers: &HeaderMap,
    ) -> Response {
        let trace = Trace::new(request_headers);
        let body = json!({
            "error": self.error,
            "error_description": self.description(&trace),
            "error_codes": [self.code],
            "timestamp": trace.timestamp,
            "trace_id": trace.trace_id,
            "correlation_id": trace.correlation_id,
            "error_uri": format!("{base}error?code={}", self.code),
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            "cache-control",
            HeaderValue::from_static("no-store, no-cache"),
        );
        headers.insert("pragma", HeaderValue::from_static("no-cache"));
        if let Ok(v) = HeaderValue::from_str(&trace.correlation_id) {
            headers.insert("client-request-id", v);
        }
        if let Some(v) = self
            .retry_after
            .and_then(|r| HeaderValue::from_str(&r).ok())
        {
            headers.insert("retry-after", v);
        }
        response
    }
}

/// The trace identifiers Entra puts in every error.
#[derive(Debug, Clone)]
pub(crate) struct Trace {
    pub trace_id: String,
    pub correlation_id: String,
    pub timestamp: String,
}

impl Trace {
    /// A new trace; the correlation id is the caller's `client-request-id`
    /// when it sent a GUID, as Entra does.
    pub(crate) fn new(request_headers: &HeaderMap) -> Trace {
        let correlation_id = request_headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v.trim()).ok())
            .unwrap_or_else(Uuid::new_v4)
            .to_string();
        Trace {
            trace_id: Uuid::new_v4().to_string(),
            correlation_id,
            timestamp: identity_timestamp(OffsetDateTime::now_utc()),
        }
    }
}

/// Entra's error timestamp format: `2016-04-11 18:59:01Z`.
pub(crate) fn identity_timestamp(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_is_401_and_the_rest_400() {
        assert_eq!(
            IdentityError::new("invalid_client", 700025, "x").status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            IdentityError::missing("code").status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn description_starts_with_the_code_and_carries_the_trace() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "client-request-id",
            HeaderValue::from_static("0b5c3a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"),
        );
        let trace = Trace::new(&headers);
        let text = IdentityError::missing("code").description(&trace);
        assert!(text.starts_with("AADSTS900144: The request body must contain"));
        assert!(text.contains("Correlation ID: 0b5c3a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"));
        assert!(text.contains("\r\nTimestamp: "));
    }
}
