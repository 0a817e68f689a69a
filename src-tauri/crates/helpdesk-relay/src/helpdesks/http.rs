//! What the HTTP helpdesks' answers mean for delivery, in one place.

use std::time::Duration;

use super::DeliveryError;

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

/// `: <the first 200 characters of body>` on one line, or nothing.
fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return String::new();
    }
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    format!(": {short}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

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
}
