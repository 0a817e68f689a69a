//! Zendesk: one request (the end user's view of a ticket) per reset
//! request, through the Requests API (`peers-and-helpdesks.md` §B.3;
//! `developer.zendesk.com/api-reference/ticketing/tickets/ticket-requests/`).
//!
//! # Configuration: `[helpdesk.zendesk]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `base_url` | yes | the account, e.g. `https://contoso.zendesk.com`. `https://` only (`http://` is accepted for a loopback address, for tests). |
//! | `email` | no | an agent's email address, to sign in with an API token (`{email}/token:{api_token}`, HTTP Basic). Unset: requests are anonymous. |
//! | `api_token` | with `email` | the API token (Admin Center → Apps and integrations → Zendesk API). Better left out of the file: the relay then reads the environment variable `MFA_RELAY_ZENDESK_API_TOKEN`. Set without `email`, it is an error. |
//!
//! Anonymous requests need the account to allow them ("Anyone can submit
//! tickets" on, "Ask users to register" off); Zendesk rate-limits them (5
//! an hour on trial accounts). With a credential, Zendesk "treats admins
//! and agents as end users" on the Requests API, so the ticket's requester
//! may be the relay's agent rather than the user; the user's UPN is in the
//! subject and body either way.
//!
//! # What the relay sends
//!
//! - file: `POST {base_url}/api/v2/requests.json`, JSON
//!   `{"request":{"requester":{"name": <UPN>,"email": <UPN>},"subject","comment":{"body"}}}`
//!   (the subject carries the relay's request id; the body is plain text),
//!   with an `Idempotency-Key` header: the UUID of the relay's request id
//!   (`rr-<uuid>`), so every attempt at one request sends the same key and
//!   the same body. Zendesk's Ticketing API introduction ("Idempotency")
//!   documents the key for ticket creation: within its window (2 hours
//!   after the first use) a repeat returns the original ticket
//!   (`x-idempotency-lookup: hit`) instead of filing a second; the same key
//!   with a different body answers 400 `IdempotentRequestError`. Zendesk's
//!   example is `POST /api/v2/tickets.json`; that the Requests endpoint, which
//!   creates the same tickets, honours the key too is an assumption this
//!   adapter (and the tenant emulator) makes. The answer's `request.id` is
//!   the ticket number.
//! - find, with a credential: `GET {base_url}/api/v2/search.json?query=type:ticket "<request id>"`,
//!   and the ticket result whose `subject` contains the request id. Zendesk
//!   indexes new tickets for search after a delay, so a ticket filed moments
//!   before may not be found yet; the idempotency key covers that window.
//! - find, anonymous: `Ok(None)`: an anonymous caller cannot search.
//! - note (the owner's dispute), with a credential only:
//!   `PUT {base_url}/api/v2/tickets/{id}.json` `{"ticket":{"comment":{"body","public":false}}}`,
//!   an internal note. A retry after an uncertain attempt first reads
//!   `GET {base_url}/api/v2/tickets/{id}/comments.json` (following
//!   `next_page` on the same account) and adds nothing if a comment holds
//!   the note's marker. An anonymous relay cannot add notes: the dispute
//!   note is refused with a message saying so (the ticket filed after a
//!   dispute says "disputed" itself).
//!   A repeat within 2 hours is still answered with the first ticket
//!   (the idempotency key); a repeat after that files a second ticket.
//!
//! Any other answer goes through [`super::http::classify`] (Zendesk's
//! rate-limit documentation has a 429 carry `Retry-After`, in seconds).

use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::http::{base_url, send};
use super::{DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "Zendesk";
const TOKEN_ENV: &str = "MFA_RELAY_ZENDESK_API_TOKEN";

/// `[helpdesk.zendesk]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub base_url: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub api_token: Option<Secret>,
}

impl Config {
    pub fn build(self) -> Result<Zendesk, String> {
        let base = base_url(NAME, "base_url", &self.base_url)?;
        let agent = match self.email.map(|e| e.trim().to_string()) {
            None => {
                let in_env = std::env::var(TOKEN_ENV).is_ok_and(|v| !v.is_empty());
                if self.api_token.is_some() || in_env {
                    return Err(format!(
                        "a Zendesk API token is set ({}) but `email` is not: set email to \
                         the agent the token signs in as, or remove the token to file anonymously",
                        if in_env { TOKEN_ENV } else { "`api_token`" }
                    ));
                }
                None
            }
            Some(email) if email.contains('@') => {
                let token = Secret::from_config_or_env(
                    self.api_token,
                    TOKEN_ENV,
                    "the Zendesk API token (`api_token`) for `email`",
                )?;
                Some(Agent {
                    user: format!("{email}/token"),
                    token,
                })
            }
            Some(email) => {
                return Err(format!(
                    "Zendesk `email` must be the email address of the agent the API token \
                     signs in as, not {email:?}"
                ))
            }
        };
        Ok(Zendesk {
            tickets: format!("{base}/api/v2/tickets"),
            requests: format!("{base}/api/v2/requests.json"),
            search: format!("{base}/api/v2/search.json"),
            agent,
        })
    }
}

/// Files Zendesk requests, anonymously or as an agent.
#[derive(Debug, Clone)]
pub struct Zendesk {
    /// `{base_url}/api/v2/tickets`.
    tickets: String,
    /// `{base_url}/api/v2/requests.json`.
    requests: String,
    /// `{base_url}/api/v2/search.json`.
    search: String,
    agent: Option<Agent>,
}

#[derive(Debug, Clone)]
struct Agent {
    /// `{email}/token`, the Basic user.
    user: String,
    token: Secret,
}

/// The `Idempotency-Key` for a relay request id: the UUID in `rr-<uuid>`
/// (as Zendesk suggests, a UUID), else a SHA-256 of the id, so that it is
/// the same on every attempt and at most 255 characters.
fn idempotency_key(request_id: &str) -> String {
    if let Some(uuid) = request_id
        .strip_prefix("rr-")
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
    {
        return uuid.hyphenated().to_string();
    }
    let digest = Sha256::digest(request_id.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Zendesk {
    fn credential(&self) -> String {
        match &self.agent {
            Some(agent) => format!(
                "the relay signs in as {:?} with the API token from `api_token` in [helpdesk.zendesk] or {TOKEN_ENV}",
                agent.user
            ),
            None => "the relay files anonymously: the account may not allow anonymous requests \
                     (\"Anyone can submit tickets\"), or set email and api_token"
                .to_string(),
        }
    }

    fn authorised(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let builder = builder.header(ACCEPT, "application/json");
        match &self.agent {
            Some(agent) => builder.basic_auth(&agent.user, Some(agent.token.expose())),
            None => builder,
        }
    }

    fn secret(&self) -> Secret {
        self.agent
            .as_ref()
            .map(|a| a.token.clone())
            .unwrap_or_else(|| Secret::new(""))
    }

    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        let upn = &ticket.request.upn;
        let body = json!({
            "request": {
                "requester": {"name": upn, "email": upn},
                "subject": ticket.subject(),
                "comment": {"body": ticket.body()},
            }
        });
        let request = self
            .authorised(http.post(&self.requests))
            .header("Idempotency-Key", idempotency_key(&ticket.request_id))
            .json(&body);
        let answer = send(NAME, request, &self.secret()).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let created = answer.json(NAME, "the new request")?;
        match created.pointer("/request/id").and_then(Value::as_u64) {
            Some(id) => Ok(Filed {
                ticket_number: id.to_string(),
            }),
            None => Err(answer.unexpected(NAME, "request.id (the ticket number)")),
        }
    }

    /// `PUT {base_url}/api/v2/tickets/{id}.json` with
    /// `{"ticket":{"comment":{"body","public":false}}}`: an internal note;
    /// with `look_first`, only if no comment of the ticket holds `marker`
    /// yet. Only an agent can: anonymous relays get a refusal that says so.
    pub async fn add_note(
        &self,
        http: &reqwest::Client,
        id: &str,
        marker: &str,
        text: &str,
        look_first: bool,
    ) -> Result<(), DeliveryError> {
        if self.agent.is_none() {
            return Err(DeliveryError::Refused {
                reason: format!(
                    "{NAME}: an anonymous relay cannot add a note to ticket {id}: set email and api_token in \
                     [helpdesk.zendesk] (an agent) so that the owner's dispute reaches the ticket"
                ),
            });
        }
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DeliveryError::Refused {
                reason: format!("{NAME}: the ticket number {id:?} is not a Zendesk ticket id"),
            });
        }
        if look_first && self.has_comment(http, id, marker).await? {
            return Ok(());
        }
        let body = json!({ "ticket": { "comment": { "body": text, "public": false } } });
        let request = self
            .authorised(http.put(format!("{}/{id}.json", self.tickets)))
            .json(&body);
        let answer = send(NAME, request, &self.secret()).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        Ok(())
    }

    /// Whether a comment of ticket `id` holds `marker`.
    async fn has_comment(
        &self,
        http: &reqwest::Client,
        id: &str,
        marker: &str,
    ) -> Result<bool, DeliveryError> {
        let first = format!("{}/{id}/comments.json", self.tickets);
        let origin =
            url::Url::parse(&first)
                .map(|u| u.origin())
                .map_err(|e| DeliveryError::Refused {
                    reason: format!("{NAME}: cannot make the comments URL: {e}"),
                })?;
        let mut next = Some(first);
        // At most 50 pages: a ticket holds at most 5,000 comments.
        for _ in 0..50 {
            let Some(url) = next.take() else {
                return Ok(false);
            };
            let answer = send(NAME, self.authorised(http.get(&url)), &self.secret()).await?;
            if !answer.is_success() {
                return Err(answer.failure(NAME, &self.credential()));
            }
            let page = answer.json(NAME, "the ticket's comments")?;
            let Some(comments) = page.get("comments").and_then(Value::as_array) else {
                return Err(answer.unexpected(NAME, "comments (the ticket's comments)"));
            };
            let holds = |c: &Value, field: &str| {
                c.get(field)
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.contains(marker))
            };
            if comments
                .iter()
                .any(|c| holds(c, "body") || holds(c, "plain_body"))
            {
                return Ok(true);
            }
            // The credential goes only to the configured account.
            next = page
                .get("next_page")
                .and_then(Value::as_str)
                .filter(|n| url::Url::parse(n).is_ok_and(|u| u.origin() == origin))
                .map(str::to_owned);
        }
        Ok(false)
    }

    pub async fn find(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        if self.agent.is_none() {
            return Ok(None);
        }
        let query = format!("type:ticket \"{}\"", ticket.request_id);
        let request = self
            .authorised(http.get(&self.search))
            .query(&[("query", query.as_str())]);
        let answer = send(NAME, request, &self.secret()).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let found = answer.json(NAME, "the search results")?;
        let Some(results) = found.get("results").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "results (the search results)"));
        };
        for result in results {
            let is_ticket = result.get("result_type").and_then(Value::as_str) == Some("ticket");
            let subject = result
                .get("subject")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !is_ticket || !subject.contains(&ticket.request_id) {
                continue;
            }
            return match result.get("id").and_then(Value::as_u64) {
                Some(id) => Ok(Some(Filed {
                    ticket_number: id.to_string(),
                })),
                None => Err(answer.unexpected(NAME, "the matching ticket's id")),
            };
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idempotency_key_is_the_request_ids_uuid_or_a_digest() {
        assert_eq!(
            idempotency_key("rr-3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        );
        let odd = idempotency_key("not-a-relay-id");
        assert_eq!(odd.len(), 64);
        assert_eq!(odd, idempotency_key("not-a-relay-id"));
    }
}
