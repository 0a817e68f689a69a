//! One attempt to hand a request to the helpdesk, and asking a relay for
//! the ticket number of a request it accepted.

use std::time::Duration;

use serde_json::{json, Value};
use time::OffsetDateTime;
use url::Url;

use crate::config::Helpdesk;
use crate::device_key::DeviceKeyStore;

use super::entry::{DeliveryProblem, DeliveryState, OutboxEntry};

/// How long after delivery the outbox keeps asking a relay for the ticket
/// number of a request it accepted (the relay retries the helpdesk for
/// hours before it gives up, and its operator can replay it after).
pub const FOLLOW_UP_FOR: time::Duration = time::Duration::days(1);

/// When to ask the relay again for a ticket number: half the request's age
/// from now, at least 1 s and at most 5 minutes away; `None` once
/// [`FOLLOW_UP_FOR`] has passed.
pub fn next_follow_up(delivered_at: OffsetDateTime, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let age = now - delivered_at;
    if age >= FOLLOW_UP_FOR {
        return None;
    }
    let wait = (age / 2_i32).clamp(time::Duration::seconds(1), time::Duration::minutes(5));
    Some(now + wait)
}

/// Asks the relay for the ticket number of `entry`, delivered without one,
/// and records the answer in `entry` (the caller saves it): the number; or
/// when to ask again; or, when the relay no longer knows the request or the
/// helpdesk is no longer a relay, not to ask again.
pub(super) async fn follow_up(
    http: &reqwest::Client,
    target: &Helpdesk,
    entry: &mut OutboxEntry,
    now: OffsetDateTime,
) {
    let DeliveryState::Delivered {
        request_id,
        ticket_number,
        delivered_at,
    } = &mut entry.state
    else {
        return;
    };
    let delivered_at = *delivered_at;
    let Helpdesk::Relay(base) = target else {
        entry.next_attempt_at = None;
        return;
    };
    let mut url = join(base, "v1/reset-requests/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(request_id);
    }
    let answer = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    let again = |after: Option<Duration>| {
        let next = next_follow_up(delivered_at, now)?;
        Some(match after {
            Some(after) => next.max(now + after.min(Duration::from_secs(300))),
            None => next,
        })
    };
    let response = match answer {
        Ok(response) => response,
        Err(e) => {
            entry.last_error = Some(format!(
                "the relay could not be asked for the ticket number: {}",
                crate::auth::error_chain(&e)
            ));
            entry.last_problem = Some(DeliveryProblem::Unreachable);
            entry.next_attempt_at = again(None);
            return;
        }
    };
    let status = response.status().as_u16();
    let retry_after = crate::http::retry_after(response.headers());
    let json: Value =
        serde_json::from_str(&response.text().await.unwrap_or_default()).unwrap_or(Value::Null);
    match status {
        200 => match json.get("ticketNumber").and_then(Value::as_str) {
            Some(number) if !number.is_empty() => {
                *ticket_number = Some(number.to_owned());
                entry.next_attempt_at = None;
                entry.last_error = None;
                entry.last_problem = None;
            }
            _ => {
                let failed = json.get("status").and_then(Value::as_str) == Some("failed");
                entry.last_error = failed.then(|| {
                    "the relay has not been able to file it in the helpdesk yet; \
                     its operator can send it again"
                        .to_owned()
                });
                entry.last_problem = failed.then_some(DeliveryProblem::NotFiledYet);
                entry.next_attempt_at = again(None);
            }
        },
        408 | 429 | 500..=599 => {
            entry.last_error = Some(format!(
                "the relay answered {status} when asked for the ticket number{}",
                error_text(&json)
            ));
            entry.last_problem = Some(answered(status, &json));
            entry.next_attempt_at = again(retry_after);
        }
        _ => {
            entry.last_error = Some(format!(
                "the relay answered {status} when asked for the ticket number of {request_id}{}; \
                 not asking again",
                error_text(&json)
            ));
            entry.last_problem = Some(answered(status, &json));
            entry.next_attempt_at = None;
        }
    }
}

/// 5 s, 10 s, 20 s... capped at 5 minutes.
pub fn backoff(attempts: u32) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(6));
    Duration::from_secs(secs.min(300))
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered {
        request_id: String,
        ticket_number: Option<String>,
    },
    /// A 4xx other than 408/429: sending it again cannot help. `reason` in
    /// English for diagnostics, `problem` as values for the window.
    Refused {
        status: u16,
        reason: String,
        problem: DeliveryProblem,
    },
    /// The network, a timeout, 408/429 or 5xx: try again later.
    Retry {
        reason: String,
        problem: DeliveryProblem,
        after: Option<Duration>,
    },
}

/// One attempt to hand `entry` to the helpdesk. A relay request is signed
/// when `device_keys` holds a key enrolled for its account (any case). If the
/// relay refuses the signature (401: a clock more than ten minutes off, a key
/// it mixed up), the request is sent again at once unsigned, as any computer
/// may send it: the user still gets a ticket, marked unverified.
pub async fn deliver(
    http: &reqwest::Client,
    target: &Helpdesk,
    entry: &OutboxEntry,
    device_keys: Option<&DeviceKeyStore>,
) -> Attempt {
    let answer = match target {
        Helpdesk::Relay(base) => {
            // The exact bytes sent are the bytes signed.
            let body = match serde_json::to_vec(&entry.request) {
                Ok(body) => body,
                Err(e) => {
                    return Attempt::Refused {
                        status: 0,
                        reason: format!("the request cannot be encoded: {e}"),
                        problem: DeliveryProblem::Unencodable,
                    }
                }
            };
            let url = join(base, "v1/reset-requests");
            let relay_request = |proof: Option<&crate::device_key::ProofHeaders>| {
                let mut request = http
                    .post(url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                for (name, value) in proof.iter().flat_map(|p| p.pairs()) {
                    request = request.header(name, value);
                }
                request.body(body.clone())
            };
            match device_proof(device_keys, entry, &body).await {
                None => send(relay_request(None), entry).await,
                Some(proof) => match send(relay_request(Some(&proof)), entry).await {
                    Ok(Answer {
                        status: 401, json, ..
                    }) => {
                        tracing::warn!(
                            "the relay refused this computer's device signature{}; \
                             sending the request unsigned",
                            error_text(&json)
                        );
                        send(relay_request(None), entry).await
                    }
                    other => other,
                },
            }
        }
        Helpdesk::Zendesk(base) => {
            let request = http.post(join(base, "api/v2/requests.json")).json(&json!({
                "request": {
                    "requester": {"name": entry.request.upn, "email": entry.request.upn},
                    "subject": format!("MFA reset requested for {} (unverified)", entry.request.upn),
                    "comment": {"body": super::form::ticket_text(&entry.request)},
                }
            }));
            send(request, entry).await
        }
    };
    let Answer {
        status,
        retry_after,
        json,
    } = match answer {
        Ok(answer) => answer,
        Err(e) => {
            return Attempt::Retry {
                reason: format!(
                    "the helpdesk could not be reached: {}",
                    crate::auth::error_chain(&e)
                ),
                problem: DeliveryProblem::Unreachable,
                after: None,
            }
        }
    };
    match status {
        200..=299 => match target {
            Helpdesk::Relay(_) => match json.get("requestId").and_then(Value::as_str) {
                Some(id) => Attempt::Delivered {
                    request_id: id.to_owned(),
                    ticket_number: json
                        .get("ticketNumber")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
                None => Attempt::Retry {
                    reason: format!("the relay answered {status} without a requestId"),
                    problem: DeliveryProblem::NoReference { status },
                    after: None,
                },
            },
            Helpdesk::Zendesk(_) => match json.pointer("/request/id") {
                Some(id) => {
                    let id = id
                        .as_u64()
                        .map(|n| n.to_string())
                        .or_else(|| id.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    Attempt::Delivered {
                        request_id: id.clone(),
                        ticket_number: Some(id),
                    }
                }
                None => Attempt::Retry {
                    reason: format!("Zendesk answered {status} without a request id"),
                    problem: DeliveryProblem::NoReference { status },
                    after: None,
                },
            },
        },
        408 | 429 | 500..=599 => Attempt::Retry {
            reason: format!("the helpdesk answered {status}{}", error_text(&json)),
            problem: answered(status, &json),
            after: retry_after.map(|d| d.min(Duration::from_secs(300))),
        },
        _ => Attempt::Refused {
            status,
            problem: answered(status, &json),
            reason: format!(
                "the helpdesk refused the request ({status}){}",
                error_text(&json)
            ),
        },
    }
}

/// A helpdesk's answer: the status, its `Retry-After`, the JSON body (`Null`
/// when not JSON).
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    json: Value,
}

/// Sends one request with the entry's `Idempotency-Key`.
async fn send(request: reqwest::RequestBuilder, entry: &OutboxEntry) -> reqwest::Result<Answer> {
    let response = request
        .header("Idempotency-Key", &entry.idempotency_key)
        .timeout(Duration::from_secs(30))
        .send()
        .await?;
    let status = response.status().as_u16();
    let retry_after = crate::http::retry_after(response.headers());
    let text = response.text().await.unwrap_or_default();
    Ok(Answer {
        status,
        retry_after,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
    })
}

/// This attempt's `Device-*` headers, signed now, when this computer holds
/// a key for the request's account. Without one, or without a keychain, the
/// request goes unsigned (as before device proof existed).
async fn device_proof(
    device_keys: Option<&DeviceKeyStore>,
    entry: &OutboxEntry,
    body: &[u8],
) -> Option<crate::device_key::ProofHeaders> {
    let key = match device_keys?.find(entry.request.upn.as_str()).await {
        Ok(key) => key?,
        Err(e) => {
            tracing::warn!("reset request sent unsigned: the device key could not be read ({e})");
            return None;
        }
    };
    let created = OffsetDateTime::now_utc().unix_timestamp();
    Some(key.sign(&entry.idempotency_key, body, created))
}

fn join(base: &Url, path: &str) -> Url {
    base.join(path).unwrap_or_else(|_| base.clone())
}

/// A status and the helpdesk's own error code (`/error/code`), if it is a
/// code: letters, digits, `_`, `-` and `.`, at most 64 (anything else the
/// helpdesk sent stays in the English reason, for diagnostics).
fn answered(status: u16, json: &Value) -> DeliveryProblem {
    let code = json
        .pointer("/error/code")
        .or_else(|| json.get("error"))
        .and_then(Value::as_str)
        .filter(|c| {
            !c.is_empty()
                && c.len() <= 64
                && c.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        })
        .map(str::to_owned);
    DeliveryProblem::Answered { status, code }
}

fn error_text(json: &Value) -> String {
    let message = json
        .pointer("/error/message")
        .or_else(|| json.get("description"))
        .and_then(Value::as_str);
    match message {
        Some(m) => format!(": {m}"),
        None => String::new(),
    }
}
