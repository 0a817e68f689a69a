//! Request Tracker 5: one ticket per reset request, through RT's REST 2 API
//! (`peers-and-helpdesks.md` §B; RT's `docs/rest2` documentation, built into
//! RT 5 as `/REST/2.0/`).
//!
//! # Configuration: `[helpdesk.request_tracker]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `url` | yes | RT's address, the one its web interface has, e.g. `https://rt.contoso.com` or `https://contoso.com/rt`. `https://` only (`http://` is accepted for a loopback address, for tests). No user or password in it, and without `/REST/2.0`. |
//! | `queue` | no | the queue the tickets go to; default `General`. |
//! | `token` | one of the two | an RT auth token (RT 5: the user's *Settings → Auth Tokens*), sent as `Authorization: token <token>`. Better left out of the file: the relay then reads the environment variable `MFA_RELAY_RT_TOKEN`. |
//! | `user`, `password` | one of the two | an RT user and its password, sent with HTTP Basic. The password is better left out of the file: the relay then reads `MFA_RELAY_RT_PASSWORD`. |
//!
//! Either credential's user needs, in the queue, the rights *CreateTicket*
//! (to file) and *ShowTicket* (to search: without it RT answers every search
//! with no tickets, and an interrupted attempt could be filed twice).
//!
//! # What the relay sends
//!
//! - file: `POST {url}/REST/2.0/ticket`, JSON `{Queue, Subject, Requestor,
//!   Content, ContentType: "text/plain"}`: the subject carries the relay's
//!   request id (`… [rr-…]`), the requestor is the user's UPN (RT makes it a
//!   user if it is new, and sends it the queue's autoreply), the content is
//!   the plain-text body. RT answers `201` with `{"id": "<number>", …}`, the
//!   ticket number the relay reports (RT writes the id as a string there and
//!   as a number elsewhere: both are read).
//! - find: `GET {url}/REST/2.0/tickets?query=Subject LIKE '<request id>'&orderby=id&order=ASC&fields=Subject`.
//!   `query` is TicketSQL (RT's `LIKE` matches a substring, case-blind; a
//!   `'` or `\` in the id is escaped with `\`); a ticket of any status but
//!   deleted, in any queue, counts. The oldest whose subject holds the
//!   request id is the ticket. Not `simple=1`: that switches to RT's "simple
//!   search" language, in which the same query finds nothing.
//! - note (the owner's dispute): `POST {url}/REST/2.0/ticket/{id}/comment`,
//!   JSON `{Subject: "[<request id>] DISPUTED BY OWNER", Content, ContentType}`:
//!   a comment, which RT does not send to the requestor (the user needs
//!   *CommentOnTicket*). A retry after an uncertain attempt first reads the
//!   ticket's history (`GET {url}/REST/2.0/ticket/{id}/history?fields=Type,Data`,
//!   paged): RT keeps a comment's subject in its transaction's `Data`, and
//!   nothing is added if a `Comment` transaction has the note's subject.
//!
//! Any other answer goes through [`super::http::classify`]. Note that RT
//! answers 403 ("No permission to create tickets in the queue …") both when
//! the user lacks the right and when the queue does not exist: it is retried
//! as a refused credential, with RT's message and the queue in the reason.

use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{base_url, send};
use super::{DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "Request Tracker";
const TOKEN_ENV: &str = "MFA_RELAY_RT_TOKEN";
const PASSWORD_ENV: &str = "MFA_RELAY_RT_PASSWORD";
const DEFAULT_QUEUE: &str = "General";

/// `[helpdesk.request_tracker]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub url: String,
    #[serde(default)]
    pub queue: Option<String>,
    #[serde(default)]
    pub token: Option<Secret>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
}

impl Config {
    pub fn build(self) -> Result<RequestTracker, String> {
        let base = base_url(NAME, "url", &self.url)?;
        if base.to_ascii_lowercase().contains("/rest/") {
            return Err(format!(
                "{NAME} `url` must be RT's own address (the one its web interface has), \
                 without /REST/2.0 or any API path: the relay adds it"
            ));
        }
        let queue = match self.queue.as_deref().map(str::trim) {
            None => DEFAULT_QUEUE.to_string(),
            Some("") => {
                return Err(format!(
                    "{NAME} `queue` is empty: name the queue the tickets go to, \
                     or leave it out for \"{DEFAULT_QUEUE}\""
                ))
            }
            Some(queue) => queue.to_string(),
        };
        let configured_token = self.token.filter(|t| !t.expose().is_empty());
        let token_in_env = std::env::var(TOKEN_ENV).is_ok_and(|v| !v.is_empty());
        let auth = match self.user.map(|u| u.trim().to_string()) {
            Some(user) => {
                if user.is_empty() {
                    return Err(format!(
                        "{NAME} `user` is empty: name the RT user the relay signs in as, \
                         or remove it and use `token`"
                    ));
                }
                if user.contains(':') {
                    return Err(format!(
                        "{NAME} `user` must not contain ':' (HTTP Basic cannot carry it): {user:?}"
                    ));
                }
                if configured_token.is_some() || token_in_env {
                    return Err(format!(
                        "{NAME} has two credentials: an auth token ({}) and `user`: \
                         keep the token, or the user and its password, not both",
                        if configured_token.is_some() {
                            "`token`".to_string()
                        } else {
                            format!("the environment variable {TOKEN_ENV}")
                        }
                    ));
                }
                let password = Secret::from_config_or_env(
                    self.password,
                    PASSWORD_ENV,
                    &format!("the password of the {NAME} user {user:?} (`password`)"),
                )?;
                Auth::Basic { user, password }
            }
            None => {
                if self.password.is_some() {
                    return Err(format!(
                        "{NAME} `password` is set but `user` is not: name the RT user it \
                         belongs to, or use `token` instead"
                    ));
                }
                let token = match configured_token {
                    Some(token) => token,
                    None => Secret::from_config_or_env(None, TOKEN_ENV, "").map_err(|_| {
                        format!(
                            "{NAME} needs a credential: an RT auth token (`token`, or the \
                             environment variable {TOKEN_ENV}), or `user` and its password \
                             (`password`, or {PASSWORD_ENV})"
                        )
                    })?,
                };
                if token
                    .expose()
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control())
                {
                    return Err(format!(
                        "{NAME} auth token contains spaces or line breaks: give the token \
                         alone, as RT showed it (like 1-14-0123…), without the word \"token\""
                    ));
                }
                Auth::Token(token)
            }
        };
        Ok(RequestTracker {
            create: format!("{base}/REST/2.0/ticket"),
            search: format!("{base}/REST/2.0/tickets"),
            queue,
            auth,
        })
    }
}

/// Files tickets through RT's REST 2 API.
#[derive(Debug, Clone)]
pub struct RequestTracker {
    /// `{url}/REST/2.0/ticket`.
    create: String,
    /// `{url}/REST/2.0/tickets`.
    search: String,
    queue: String,
    auth: Auth,
}

#[derive(Debug, Clone)]
enum Auth {
    /// `Authorization: token <token>`.
    Token(Secret),
    Basic {
        user: String,
        password: Secret,
    },
}

impl RequestTracker {
    fn secret(&self) -> &Secret {
        match &self.auth {
            Auth::Token(token) => token,
            Auth::Basic { password, .. } => password,
        }
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let request = request.header(ACCEPT, "application/json");
        match &self.auth {
            Auth::Token(token) => {
                request.header(AUTHORIZATION, format!("token {}", token.expose()))
            }
            Auth::Basic { user, password } => request.basic_auth(user, Some(password.expose())),
        }
    }

    /// What 401/403 name: the credential and where it came from, and (RT
    /// answers 403 for a missing queue too) the queue and the rights needed.
    fn credential(&self) -> String {
        let who = match &self.auth {
            Auth::Token(_) => format!(
                "the relay sends the auth token from `token` in [helpdesk.request_tracker] or {TOKEN_ENV}"
            ),
            Auth::Basic { user, .. } => format!(
                "the relay signs in as user {user:?} with the password from `password` in \
                 [helpdesk.request_tracker] or {PASSWORD_ENV}"
            ),
        };
        format!(
            "{who}; the queue {:?} must exist and its user needs CreateTicket and ShowTicket in it",
            self.queue
        )
    }

    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        let body = json!({
            "Queue": self.queue,
            "Subject": ticket.subject(),
            "Requestor": ticket.request.upn,
            "Content": ticket.body(),
            "ContentType": "text/plain",
        });
        let request = self.authorised(http.post(&self.create)).json(&body);
        let answer = send(NAME, request, self.secret()).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let created = answer.json(NAME, "the new ticket")?;
        match ticket_id(&created["id"]) {
            Some(id) => Ok(Filed { ticket_number: id }),
            None => Err(answer.unexpected(NAME, "id (the ticket number)")),
        }
    }

    /// `POST {url}/REST/2.0/ticket/{id}/comment`, JSON `{Subject, Content,
    /// ContentType: text/plain}`: a comment (not a reply), which RT does not
    /// send to the requestor. The user needs CommentOnTicket. With
    /// `look_first`, only if the ticket's history has no comment with the
    /// note's subject yet.
    pub async fn add_note(
        &self,
        http: &reqwest::Client,
        id: &str,
        request_id: &str,
        marker: &str,
        text: &str,
        look_first: bool,
    ) -> Result<(), DeliveryError> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DeliveryError::Refused {
                reason: format!("{NAME}: the ticket number {id:?} is not an RT ticket id"),
            });
        }
        let subject = format!("[{request_id}] DISPUTED BY OWNER");
        if look_first && self.has_comment(http, id, &subject, marker).await? {
            return Ok(());
        }
        let body = json!({
            "Subject": subject,
            "Content": text,
            "ContentType": "text/plain",
        });
        let request = self
            .authorised(http.post(format!("{}/{id}/comment", self.create)))
            .json(&body);
        let answer = send(NAME, request, self.secret()).await?;
        if !answer.is_success() {
            return Err(answer.failure(
                NAME,
                &format!(
                    "{} (and CommentOnTicket, to add the owner's dispute)",
                    self.credential()
                ),
            ));
        }
        Ok(())
    }

    /// Whether ticket `id`'s history has a comment with `subject` (RT keeps
    /// a comment's subject in its transaction's `Data`, with a line break
    /// after it) or whose `Data` holds `marker`.
    async fn has_comment(
        &self,
        http: &reqwest::Client,
        id: &str,
        subject: &str,
        marker: &str,
    ) -> Result<bool, DeliveryError> {
        const PER_PAGE: usize = 100;
        for page in 1..=50u32 {
            let request = self
                .authorised(http.get(format!("{}/{id}/history", self.create)))
                .query(&[
                    ("fields", "Type,Data"),
                    ("page", page.to_string().as_str()),
                    ("per_page", PER_PAGE.to_string().as_str()),
                ]);
            let answer = send(NAME, request, self.secret()).await?;
            if !answer.is_success() {
                return Err(answer.failure(NAME, &self.credential()));
            }
            let found = answer.json(NAME, "the ticket's history")?;
            let Some(items) = found.get("items").and_then(Value::as_array) else {
                return Err(answer.unexpected(NAME, "items (the ticket's transactions)"));
            };
            if items.iter().any(|t| {
                t.get("Type").and_then(Value::as_str) == Some("Comment")
                    && t.get("Data")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.trim() == subject || d.contains(marker))
            }) {
                return Ok(true);
            }
            if items.len() < PER_PAGE {
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
        let query = format!("Subject LIKE '{}'", ticket_sql_string(&ticket.request_id));
        let request = self.authorised(http.get(&self.search)).query(&[
            ("query", query.as_str()),
            ("orderby", "id"),
            ("order", "ASC"),
            ("fields", "Subject"),
        ]);
        let answer = send(NAME, request, self.secret()).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let found = answer.json(NAME, "the tickets whose subject holds the request id")?;
        let Some(items) = found.get("items").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "items (the tickets found)"));
        };
        for item in items {
            let subject = item
                .get("Subject")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // LIKE is case-blind; the request id is matched exactly.
            if !subject.contains(&ticket.request_id) {
                continue;
            }
            return match ticket_id(&item["id"]) {
                Some(id) => Ok(Some(Filed { ticket_number: id })),
                None => Err(answer.unexpected(NAME, "items[].id (the ticket number)")),
            };
        }
        Ok(None)
    }
}

/// A ticket id as RT writes it: `"12"` or `12`.
fn ticket_id(value: &Value) -> Option<String> {
    match value {
        Value::String(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            Some(id.clone())
        }
        Value::Number(id) => id.as_u64().map(|id| id.to_string()),
        _ => None,
    }
}

/// `text` for inside a TicketSQL '…' string.
fn ticket_sql_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_ids_come_as_strings_or_numbers() {
        assert_eq!(ticket_id(&json!("12")).as_deref(), Some("12"));
        assert_eq!(ticket_id(&json!(12)).as_deref(), Some("12"));
        assert_eq!(ticket_id(&json!("")), None);
        assert_eq!(ticket_id(&json!("12a")), None);
        assert_eq!(ticket_id(&Value::Null), None);
    }

    #[test]
    fn ticket_sql_strings_escape_quotes_and_backslashes() {
        assert_eq!(ticket_sql_string("rr-1"), "rr-1");
        assert_eq!(ticket_sql_string(r"it's \ me"), r"it\'s \\ me");
    }
}
