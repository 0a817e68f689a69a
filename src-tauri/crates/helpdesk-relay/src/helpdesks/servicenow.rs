//! ServiceNow: one incident per reset request, through the Table API
//! (`peers-and-helpdesks.md` §B.1; ServiceNow's Table API reference,
//! `ServiceNow/ServiceNowDocs:markdown/api-reference/rest-apis/c_TableAPI.md`).
//!
//! # Configuration: `[helpdesk.servicenow]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `instance` | yes | the instance's address, e.g. `https://contoso.service-now.com`. `https://` only (`http://` is accepted for a loopback address, for tests). No user or password in it. |
//! | `user` | yes | the integration user the relay signs in as (HTTP Basic). Its roles must allow inserting into and reading from the `incident` table. |
//! | `password` | no | that user's password. Better left out of the file: the relay then reads the environment variable `MFA_RELAY_SERVICENOW_PASSWORD`. One of the two is required. |
//! | `urgency` | no | the incident's urgency, `1` (high) to `3` (low); default `2`. |
//! | `impact` | no | the incident's impact, `1` (high) to `3` (low); default `2`. |
//! | `assignment_group` | no | the `sys_id` (32 hexadecimal characters) of the group the incidents go to. Unset: ServiceNow's own assignment rules decide. |
//!
//! # What the relay sends
//!
//! - file: `POST {instance}/api/now/table/incident` (Basic auth, JSON) with
//!   `short_description` (the ticket's subject, which carries the relay's
//!   request id), `description` (the plain-text body), `urgency`, `impact`,
//!   `assignment_group` when configured, and `correlation_id` = the relay's
//!   request id. ServiceNow answers `201` with `result.number`
//!   (`INC0010002`), the ticket number the relay reports.
//!   `caller_id` is deliberately left unset: it is a reference to a
//!   `sys_user`, and the caller's identity is exactly what nobody has
//!   verified yet (the UPN is in the description, marked unverified).
//! - find: `GET {instance}/api/now/table/incident?sysparm_query=correlation_id=<request id>&sysparm_fields=number&sysparm_limit=1`,
//!   answered `200` with `result` an array of at most one `{number}`.
//!
//! Any other answer goes through [`super::http::classify`]: 401/403 name the
//! user and where its password comes from; 408/429/5xx are retried (with
//! `Retry-After`); any other 4xx refuses the ticket.
//!
//! The end of this file holds the small pieces every HTTP adapter shares
//! (base-URL rules, sending, reading answers).

use reqwest::header::{HeaderMap, ACCEPT};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{http, DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "ServiceNow";
const PASSWORD_ENV: &str = "MFA_RELAY_SERVICENOW_PASSWORD";

/// `[helpdesk.servicenow]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub instance: String,
    pub user: String,
    #[serde(default)]
    pub password: Option<Secret>,
    #[serde(default)]
    pub urgency: Option<u8>,
    #[serde(default)]
    pub impact: Option<u8>,
    #[serde(default)]
    pub assignment_group: Option<String>,
}

impl Config {
    pub fn build(self) -> Result<ServiceNow, String> {
        let base = base_url(NAME, "instance", &self.instance)?;
        let user = self.user.trim().to_string();
        if user.is_empty() {
            return Err(
                "ServiceNow `user` is empty: name the integration user the relay signs in as"
                    .into(),
            );
        }
        let password = Secret::from_config_or_env(
            self.password,
            PASSWORD_ENV,
            "the ServiceNow integration user's password (`password`)",
        )?;
        let level = |key: &str, value: Option<u8>| match value.unwrap_or(2) {
            n @ 1..=3 => Ok(n),
            n => Err(format!(
                "ServiceNow `{key}` must be 1 (high), 2 (medium) or 3 (low), not {n}"
            )),
        };
        let urgency = level("urgency", self.urgency)?;
        let impact = level("impact", self.impact)?;
        let assignment_group = match self.assignment_group.map(|g| g.trim().to_string()) {
            None => None,
            Some(group)
                if group.len() == 32 && group.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Some(group)
            }
            Some(group) => {
                return Err(format!(
                    "ServiceNow `assignment_group` must be the group's sys_id \
                     (32 hexadecimal characters, from the group's record in ServiceNow), not {group:?}"
                ))
            }
        };
        Ok(ServiceNow {
            incidents: format!("{base}/api/now/table/incident"),
            user,
            password,
            urgency,
            impact,
            assignment_group,
        })
    }
}

/// Files incidents through ServiceNow's Table API.
#[derive(Debug, Clone)]
pub struct ServiceNow {
    /// `{instance}/api/now/table/incident`.
    incidents: String,
    user: String,
    password: Secret,
    urgency: u8,
    impact: u8,
    assignment_group: Option<String>,
}

impl ServiceNow {
    /// The incident's fields, as `POST /api/now/table/incident` takes them.
    fn incident(&self, ticket: &Ticket) -> Value {
        let mut incident = json!({
            "short_description": ticket.subject(),
            "description": ticket.body(),
            "urgency": self.urgency.to_string(),
            "impact": self.impact.to_string(),
            "correlation_id": ticket.request_id,
        });
        if let Some(group) = &self.assignment_group {
            incident["assignment_group"] = json!(group);
        }
        incident
    }

    /// What 401/403 name: the user, and where its password came from.
    fn credential(&self) -> String {
        format!(
            "the relay signs in as user {:?} with the password from `password` in [helpdesk.servicenow] or {PASSWORD_ENV}",
            self.user
        )
    }

    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        let request = http
            .post(&self.incidents)
            .basic_auth(&self.user, Some(self.password.expose()))
            .header(ACCEPT, "application/json")
            .json(&self.incident(ticket));
        let answer = send(NAME, request, &self.password).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let body = answer.json(NAME, "the new incident")?;
        match body.pointer("/result/number").and_then(Value::as_str) {
            Some(number) if !number.is_empty() => Ok(Filed {
                ticket_number: number.to_string(),
            }),
            _ => Err(answer.unexpected(NAME, "result.number (the incident number)")),
        }
    }

    pub async fn find(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        let query = format!("correlation_id={}", ticket.request_id);
        let request = http
            .get(&self.incidents)
            .basic_auth(&self.user, Some(self.password.expose()))
            .header(ACCEPT, "application/json")
            .query(&[
                ("sysparm_query", query.as_str()),
                ("sysparm_fields", "number"),
                ("sysparm_limit", "1"),
            ]);
        let answer = send(NAME, request, &self.password).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let body = answer.json(NAME, "the incidents with this correlation_id")?;
        let Some(found) = body.get("result").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "result (an array of incidents)"));
        };
        match found.first() {
            None => Ok(None),
            Some(incident) => match incident.get("number").and_then(Value::as_str) {
                Some(number) if !number.is_empty() => Ok(Some(Filed {
                    ticket_number: number.to_string(),
                })),
                _ => Err(answer.unexpected(NAME, "result[0].number (the incident number)")),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Shared by the HTTP adapters (ServiceNow, Jira Service Management,
// Freshservice, Zendesk). They would sit better in `http.rs`.

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
    let host = url.host();
    let loopback = match &host {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let host_text = host.map(|h| h.to_string()).unwrap_or_default();
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
        .map_err(|e| scrub(http::unreachable(helpdesk, &e), credential))?;
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
        let error = http::classify(helpdesk, self.status, &self.headers, &self.body);
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
