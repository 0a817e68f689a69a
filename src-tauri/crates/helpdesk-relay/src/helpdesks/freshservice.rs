//! Freshservice: one ticket per reset request, through API v2
//! (`peers-and-helpdesks.md` §B.4; `api.freshservice.com`).
//!
//! # Configuration: `[helpdesk.freshservice]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `base_url` | yes | the helpdesk, e.g. `https://contoso.freshservice.com`. `https://` only (API v2 is HTTPS-only; `http://` is accepted for a loopback address, for tests). |
//! | `api_key` | no | an agent's API key (Profile settings → API key). Better left out of the file: the relay then reads the environment variable `MFA_RELAY_FRESHSERVICE_API_KEY`. One of the two is required. |
//! | `priority` | no | the ticket's priority: `1` low, `2` medium, `3` high, `4` urgent; default `2`. |
//!
//! # What the relay sends
//!
//! - file: `POST {base_url}/api/v2/tickets`, HTTP Basic with the API key as
//!   the user and `X` as the password (Freshservice ignores the password),
//!   JSON `{"email": <UPN>, "subject", "description", "status": 2, "priority"}`.
//!   `email` makes the user the requester (Freshservice creates a contact
//!   for an unknown address); `status` 2 is Open. Freshservice's
//!   `description` is HTML, so the plain-text body is HTML-escaped and its
//!   line breaks become `<br>`. The answer's `ticket.id` is the ticket number.
//! - find: `GET {base_url}/api/v2/tickets?email=<UPN>&per_page=100`, the
//!   list of tickets filtered by requester email (the `email` query
//!   parameter of "List all tickets", as Freshworks' own API SDK describes
//!   it: "filter out tickets requester's email id"), and the ticket whose
//!   `subject` contains the relay's request id. Freshservice's list does
//!   not search subjects, and by default returns only tickets created in
//!   the last 30 days, newest first; the relay looks at the first 100 of
//!   them, which covers any retry it makes.
//! - note (the owner's dispute): `POST {base_url}/api/v2/tickets/{id}/notes`
//!   `{"body" (HTML), "private": true}`, a private note agents see and the
//!   requester does not. A retry after an uncertain attempt first reads the
//!   ticket's conversations (`GET …/tickets/{id}/conversations?page=&per_page=100`)
//!   and adds nothing if one's `body_text` (or `body`) holds the note's marker.
//!
//! Any other answer goes through [`super::http::classify`]. Freshservice's
//! rate limits are per minute and per account (its answers carry
//! `X-RateLimit-*` headers); a 429 is retried after its `Retry-After` if it
//! sends one (not confirmed from Freshservice's documentation), else after
//! the relay's own backoff.

use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{base_url, send};
use super::{DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "Freshservice";
const KEY_ENV: &str = "MFA_RELAY_FRESHSERVICE_API_KEY";
/// Freshservice's status for an open ticket.
const OPEN: u8 = 2;

/// `[helpdesk.freshservice]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub base_url: String,
    #[serde(default)]
    pub api_key: Option<Secret>,
    #[serde(default)]
    pub priority: Option<u8>,
}

impl Config {
    pub fn build(self) -> Result<Freshservice, String> {
        let base = base_url(NAME, "base_url", &self.base_url)?;
        let api_key = Secret::from_config_or_env(
            self.api_key,
            KEY_ENV,
            "the Freshservice agent's API key (`api_key`)",
        )?;
        let priority = match self.priority.unwrap_or(2) {
            n @ 1..=4 => n,
            n => {
                return Err(format!(
                    "Freshservice `priority` must be 1 (low), 2 (medium), 3 (high) or 4 (urgent), not {n}"
                ))
            }
        };
        Ok(Freshservice {
            tickets: format!("{base}/api/v2/tickets"),
            api_key,
            priority,
        })
    }
}

/// Files tickets in Freshservice.
#[derive(Debug, Clone)]
pub struct Freshservice {
    /// `{base_url}/api/v2/tickets`.
    tickets: String,
    api_key: Secret,
    priority: u8,
}

/// `text` as HTML: `& < > " '` escaped, each line break a `<br>`.
fn html_text(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + text.len() / 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                html.push_str("<br>\n");
            }
            '\n' => html.push_str("<br>\n"),
            c => html.push(c),
        }
    }
    html
}

impl Freshservice {
    fn credential(&self) -> &'static str {
        "the relay sends the API key from `api_key` in [helpdesk.freshservice] or MFA_RELAY_FRESHSERVICE_API_KEY as the Basic user, with X as the password"
    }

    fn request(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        builder
            .basic_auth(self.api_key.expose(), Some("X"))
            .header(ACCEPT, "application/json")
    }

    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        let body = json!({
            "email": ticket.request.upn,
            "subject": ticket.subject(),
            "description": html_text(&ticket.body()),
            "status": OPEN,
            "priority": self.priority,
        });
        let answer = send(
            NAME,
            self.request(http.post(&self.tickets)).json(&body),
            &self.api_key,
        )
        .await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, self.credential()));
        }
        let created = answer.json(NAME, "the new ticket")?;
        match created.pointer("/ticket/id").and_then(number_text) {
            Some(id) => Ok(Filed { ticket_number: id }),
            None => Err(answer.unexpected(NAME, "ticket.id (the ticket number)")),
        }
    }

    /// `POST {base_url}/api/v2/tickets/{id}/notes` with `private: true`;
    /// with `look_first`, only if no conversation of the ticket holds
    /// `marker` yet.
    pub async fn add_note(
        &self,
        http: &reqwest::Client,
        id: &str,
        marker: &str,
        text: &str,
        look_first: bool,
    ) -> Result<(), DeliveryError> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DeliveryError::Refused {
                reason: format!("{NAME}: the ticket number {id:?} is not a Freshservice ticket id"),
            });
        }
        if look_first && self.has_conversation(http, id, marker).await? {
            return Ok(());
        }
        let body = json!({ "body": html_text(text), "private": true });
        let answer = send(
            NAME,
            self.request(http.post(format!("{}/{id}/notes", self.tickets)))
                .json(&body),
            &self.api_key,
        )
        .await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, self.credential()));
        }
        Ok(())
    }

    /// Whether a conversation (reply or note) of ticket `id` holds `marker`.
    async fn has_conversation(
        &self,
        http: &reqwest::Client,
        id: &str,
        marker: &str,
    ) -> Result<bool, DeliveryError> {
        const PER_PAGE: usize = 100;
        // At most 50 pages: a ticket is never that long.
        for page in 1..=50u32 {
            let answer = send(
                NAME,
                self.request(http.get(format!("{}/{id}/conversations", self.tickets)))
                    .query(&[
                        ("page", page.to_string()),
                        ("per_page", PER_PAGE.to_string()),
                    ]),
                &self.api_key,
            )
            .await?;
            if !answer.is_success() {
                return Err(answer.failure(NAME, self.credential()));
            }
            let listed = answer.json(NAME, "the ticket's conversations")?;
            let Some(all) = listed.get("conversations").and_then(Value::as_array) else {
                return Err(
                    answer.unexpected(NAME, "conversations (the ticket's notes and replies)")
                );
            };
            let holds = |c: &Value, field: &str| {
                c.get(field)
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.contains(marker))
            };
            if all
                .iter()
                .any(|c| holds(c, "body_text") || holds(c, "body"))
            {
                return Ok(true);
            }
            if all.len() < PER_PAGE {
                return Ok(false);
            }
        }
        Ok(false)
    }

    pub async fn find(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        let request = self
            .request(http.get(&self.tickets))
            .query(&[("email", ticket.request.upn.as_str()), ("per_page", "100")]);
        let answer = send(NAME, request, &self.api_key).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, self.credential()));
        }
        let listed = answer.json(NAME, "the requester's tickets")?;
        let Some(tickets) = listed.get("tickets").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "tickets (the requester's tickets)"));
        };
        for found in tickets {
            let subject = found
                .get("subject")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if subject.contains(&ticket.request_id) {
                return match found.get("id").and_then(number_text) {
                    Some(id) => Ok(Some(Filed { ticket_number: id })),
                    None => Err(answer.unexpected(NAME, "the matching ticket's id")),
                };
            }
        }
        Ok(None)
    }
}

/// A ticket id: a JSON integer (or, tolerated, a string of digits).
fn number_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(s.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_escapes_markup_and_keeps_line_breaks() {
        assert_eq!(
            html_text("a <b> & \"c\" 'd'\r\ne\nf"),
            "a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;<br>\ne<br>\nf"
        );
    }
}
