//! What the HTTP helpdesks' answers mean for delivery, in one place.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::DeliveryError;
use crate::secret::Secret;

/// The longest a helpdesk's `Retry-After` is honoured; beyond it the relay's
/// own backoff takes over.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

/// The `DeliveryError` for a non-2xx answer from `helpdesk` (e.g.
/// "ServiceNow"): 401/403 name the credential, 408/429/5xx are retried
/// (with `Retry-After` when sent), any other 4xx is a refusal.
/// `body` is the answer's text; a short prefix of it goes into the reason.
pub fn classify(
    helpdesk: &str,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &str,
) -> DeliveryError {
    let detail = excerpt(body);
    match status {
        401 | 403 => DeliveryError::Retry {
            reason: format!(
                "{helpdesk} refused the relay's credential ({status}): check the user, password, \
                 API key or token in [helpdesk] of the relay's configuration{detail}"
            ),
            after: None,
        },
        408 | 429 | 500..=599 => DeliveryError::Retry {
            reason: format!("{helpdesk} answered {status}{detail}"),
            after: retry_after(headers),
        },
        _ => DeliveryError::Refused {
            reason: format!("{helpdesk} refused the ticket ({status}){detail}"),
        },
    }
}

/// The `DeliveryError` for a request that got no answer.
pub fn unreachable(helpdesk: &str, error: &reqwest::Error) -> DeliveryError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    DeliveryError::Retry {
        reason: format!("{helpdesk} could not be reached: {text}"),
        after: None,
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by these
/// helpdesks), capped.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(seconds).min(MAX_RETRY_AFTER))
}

// ---------------------------------------------------------------------------
// Shared by the HTTP adapters (ServiceNow, Jira Service Management,
// Freshservice, Zendesk, Request Tracker).

/// A helpdesk's base URL from its `key` in `[helpdesk.<…>]`: `https://`,
/// or `http://` to a loopback address (the contract tests, a local proxy);
/// no user, password, query or fragment. Returned without a trailing `/`,
/// so that `{base}/api/...` is an endpoint (a path prefix such as
/// `https://example.com/jira` is kept).
///
/// The errors never repeat the whole value: an operator may have pasted a
/// URL with a password in it.
pub(crate) fn base_url(helpdesk: &str, key: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!(
            "{helpdesk} `{key}` is empty: set it to your {helpdesk} address (https://…)"
        ));
    }
    let url = url::Url::parse(value).map_err(|e| {
        format!(
            "{helpdesk} `{key}` is not a URL ({e}): set it to your {helpdesk} address (https://…)"
        )
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{helpdesk} `{key}` must not contain a user name or password: \
             put the {helpdesk} credential in its own key (or environment variable)"
        ));
    }
    let loopback = is_loopback(&url);
    let host_text = url.host().map(|h| h.to_string()).unwrap_or_default();
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "{helpdesk} `{key}` must use https:// ({host_text} is not a loopback address; \
                 http:// is accepted only to 127.0.0.1, ::1 or localhost, for tests): \
                 the {helpdesk} credential must not cross the network in clear"
            ))
        }
        other => {
            return Err(format!(
                "{helpdesk} `{key}` must be an https:// address, not a {other}: URL"
            ))
        }
    }
    if host_text.is_empty() {
        return Err(format!(
            "{helpdesk} `{key}` has no host: set it to your {helpdesk} address (https://…)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{helpdesk} `{key}` must not have a query (?…) or fragment (#…): \
             give only the address of {helpdesk}, e.g. https://{host_text}"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Whether `url`'s host is 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A helpdesk's answer, read whole.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body's text, with the credential (if the helpdesk ever echoed it)
    /// blanked out.
    pub body: String,
}

/// Sends `request` and reads the answer. No answer (or an unreadable one)
/// is a [`DeliveryError::Retry`] naming `helpdesk`.
pub(crate) async fn send(
    helpdesk: &str,
    request: reqwest::RequestBuilder,
    credential: &Secret,
) -> Result<Answer, DeliveryError> {
    let response = request
        .send()
        .await
        .map_err(|e| scrub(unreachable(helpdesk, &e), credential))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.map_err(|e| {
        scrub(
            DeliveryError::Retry {
                reason: format!(
                    "{helpdesk} answered {status} but the answer could not be read: {e}"
                ),
                after: None,
            },
            credential,
        )
    })?;
    Ok(Answer {
        status,
        headers,
        body: redact(&body, credential),
    })
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The [`DeliveryError`] for a non-2xx answer; a refused credential
    /// (401/403) also says which credential the relay sent (`credential`,
    /// never its value).
    pub fn failure(&self, helpdesk: &str, credential: &str) -> DeliveryError {
        let error = classify(helpdesk, self.status, &self.headers, &self.body);
        match (self.status, error) {
            (401 | 403, DeliveryError::Retry { reason, after }) => DeliveryError::Retry {
                reason: format!("{reason} ({credential})"),
                after,
            },
            (_, error) => error,
        }
    }

    /// The body as JSON; `what` names what the answer should have held.
    pub fn json(&self, helpdesk: &str, what: &str) -> Result<Value, DeliveryError> {
        serde_json::from_str(&self.body).map_err(|e| DeliveryError::Retry {
            reason: format!(
                "{helpdesk} answered {} without JSON for {what} ({e}): is the configured address that of {helpdesk} \
                 itself, not a proxy or sign-in page?{}",
                self.status,
                excerpt(&self.body)
            ),
            after: None,
        })
    }

    /// A 2xx answer without `field`. Retried, not refused: the helpdesk may
    /// have done what was asked (the next attempt looks before filing), and
    /// an operator may be fixing a wrong address.
    pub fn unexpected(&self, helpdesk: &str, field: &str) -> DeliveryError {
        DeliveryError::Retry {
            reason: format!(
                "{helpdesk} answered {} without {field}{}",
                self.status,
                excerpt(&self.body)
            ),
            after: None,
        }
    }
}

/// `: <the first 200 characters of body>` on one line, or nothing.
fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return String::new();
    }
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    format!(": {short}")
}

/// `text` without the credential's value in it.
pub(crate) fn redact(text: &str, credential: &Secret) -> String {
    let value = credential.expose();
    if value.is_empty() {
        text.to_string()
    } else {
        text.replace(value, "[redacted]")
    }
}

/// `error` without the credential's value in its reason.
pub(crate) fn scrub(error: DeliveryError, credential: &Secret) -> DeliveryError {
    match error {
        DeliveryError::Retry { reason, after } => DeliveryError::Retry {
            reason: redact(&reason, credential),
            after,
        },
        DeliveryError::Refused { reason } => DeliveryError::Refused {
            reason: redact(&reason, credential),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn statuses_map_to_retry_or_refusal() {
        let none = HeaderMap::new();
        assert!(
            matches!(classify("X", 401, &none, ""), DeliveryError::Retry { reason, .. } if reason.contains("credential"))
        );
        assert!(
            matches!(classify("X", 500, &none, "boom"), DeliveryError::Retry { reason, .. } if reason.ends_with(": boom"))
        );
        assert!(matches!(
            classify("X", 400, &none, "bad field"),
            DeliveryError::Refused { .. }
        ));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            classify("X", 429, &headers, ""),
            DeliveryError::Retry {
                reason: "X answered 429".into(),
                after: Some(Duration::from_secs(7))
            }
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("999999"));
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn base_urls_are_https_or_loopback_http_and_never_echo_a_password() {
        assert_eq!(
            base_url("X", "x", "https://contoso.service-now.com/").as_deref(),
            Ok("https://contoso.service-now.com")
        );
        assert_eq!(
            base_url("X", "x", "http://127.0.0.1:8080/zendesk/").as_deref(),
            Ok("http://127.0.0.1:8080/zendesk")
        );
        assert!(base_url("X", "x", "http://[::1]:80").is_ok());
        assert!(base_url("X", "x", "http://localhost:80").is_ok());
        let e = base_url("X", "x", "http://contoso.example").unwrap_err();
        assert!(e.contains("https://") && e.contains("X `x`"), "{e}");
        let e = base_url("X", "x", "https://svc:hunter2@contoso.example").unwrap_err();
        assert!(
            e.contains("user name or password") && !e.contains("hunter2"),
            "{e}"
        );
        assert!(base_url("X", "x", "ftp://contoso.example").is_err());
        assert!(base_url("X", "x", "https://contoso.example/?a=b").is_err());
        assert!(base_url("X", "x", "").is_err());
        assert!(base_url("X", "x", "contoso.example").is_err());
    }

    #[test]
    fn a_refused_credential_names_it_and_a_secret_is_blanked() {
        let answer = Answer {
            status: 401,
            headers: HeaderMap::new(),
            body: redact("bad password hunter2", &Secret::new("hunter2")),
        };
        let DeliveryError::Retry { reason, .. } = answer.failure("X", "user \"svc\"") else {
            panic!("401 is retried");
        };
        assert!(
            reason.ends_with("(user \"svc\")") && !reason.contains("hunter2"),
            "{reason}"
        );
    }
}
