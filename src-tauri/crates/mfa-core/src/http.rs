//! The one outbound HTTP client, and the retry policy for 429 and 503.
//!
//! Invariants: redirects are never followed (the token endpoint must not
//! redirect, and Graph does not for our calls); only the configured hosts are
//! addressed (callers build URLs from configuration); a throttled request is
//! retried at most [`MAX_RETRIES`] times and never sooner than the server's
//! `Retry-After`, and never when the server asks for more than
//! [`MAX_RETRY_AFTER`].

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// How many times one request is retried after 429/503.
pub const MAX_RETRIES: u32 = 3;
/// The longest `Retry-After` the app waits out before telling the user.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Backoff when the server gives no `Retry-After`: 0.5 s, 1 s, 2 s.
const BASE_BACKOFF: Duration = Duration::from_millis(500);

/// Builds the shared client: rustls with the platform's roots, plus an
/// optional extra root (an inspecting proxy's, or the emulator's).
pub fn build_client(extra_root_pem: Option<&Path>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("MFA-Assistant/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        // Graph's authentication-methods calls time out after 60 s server-side.
        .timeout(Duration::from_secs(65));
    if let Some(path) = extra_root_pem {
        let pem =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| format!("{} is not a PEM certificate: {e}", path.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {e}"))
}

/// What to do about a response: `Some(wait)` to retry after `wait`, `None` to
/// hand it to the caller. `attempt` counts retries already made.
pub fn retry_delay(status: StatusCode, headers: &HeaderMap, attempt: u32) -> Option<Duration> {
    if !(status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE) {
        return None;
    }
    if attempt >= MAX_RETRIES {
        return None;
    }
    match retry_after(headers) {
        Some(wait) if wait > MAX_RETRY_AFTER => None,
        Some(wait) => Some(wait),
        None => Some(BASE_BACKOFF * 2u32.pow(attempt)),
    }
}

/// `Retry-After` in seconds; Graph may send fractions such as `2.128`.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let secs: f64 = value.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// The transport the `oauth2` crate uses for token requests: the shared
/// client with the same retry policy as Graph calls.
#[derive(Clone)]
pub struct Transport {
    pub client: reqwest::Client,
}

impl<'c> oauth2::AsyncHttpClient<'c> for Transport {
    type Error = oauth2::HttpClientError<reqwest::Error>;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let mut attempt = 0;
            loop {
                let req: reqwest::Request = request.clone().try_into().map_err(Box::new)?;
                let response = self.client.execute(req).await.map_err(Box::new)?;
                if let Some(wait) = retry_delay(response.status(), response.headers(), attempt) {
                    tracing::info!(status = %response.status(), ?wait, "token endpoint asked to retry");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                let mut builder = http::Response::builder().status(response.status());
                for (name, value) in response.headers() {
                    builder = builder.header(name, value);
                }
                let body = response.bytes().await.map_err(Box::new)?.to_vec();
                return builder.body(body).map_err(oauth2::HttpClientError::Http);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    fn headers(retry: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = retry {
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn honours_integer_and_fractional_retry_after() {
        assert_eq!(
            retry_delay(StatusCode::TOO_MANY_REQUESTS, &headers(Some("2")), 0),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_delay(StatusCode::SERVICE_UNAVAILABLE, &headers(Some("2.128")), 0),
            Some(Duration::from_secs_f64(2.128))
        );
    }

    #[test]
    fn backs_off_exponentially_without_retry_after_and_stops() {
        let h = headers(None);
        let waits: Vec<_> = (0..5)
            .map(|a| retry_delay(StatusCode::TOO_MANY_REQUESTS, &h, a))
            .collect();
        assert_eq!(
            waits,
            vec![
                Some(Duration::from_millis(500)),
                Some(Duration::from_secs(1)),
                Some(Duration::from_secs(2)),
                None,
                None
            ]
        );
    }

    #[test]
    fn gives_up_on_long_waits_and_other_statuses() {
        assert_eq!(
            retry_delay(StatusCode::TOO_MANY_REQUESTS, &headers(Some("120")), 0),
            None
        );
        assert_eq!(
            retry_delay(StatusCode::INTERNAL_SERVER_ERROR, &headers(Some("1")), 0),
            None
        );
        assert_eq!(retry_delay(StatusCode::OK, &headers(None), 0), None);
        // An unparseable value falls back to backoff.
        assert_eq!(
            retry_delay(StatusCode::TOO_MANY_REQUESTS, &headers(Some("soon")), 1),
            Some(Duration::from_secs(1))
        );
    }
}
