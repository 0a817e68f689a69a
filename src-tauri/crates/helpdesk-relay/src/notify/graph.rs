//! The relay's own Microsoft Graph identity, for owner notices: the OAuth 2.0
//! client-credentials grant with its app registration's client secret
//! (`POST {authority}{tenant}/oauth2/v2.0/token`, `grant_type=client_credentials`,
//! `scope=https://graph.microsoft.com/.default`), then, with that app-only
//! token:
//!
//! - `GET users/{upn}?$select=id,userPrincipalName,mail,otherMails` (application
//!   permission `User.Read.All`): the work mailbox (`mail`, else the UPN) and a
//!   second address (`otherMails`' first entry that is not the work one);
//! - without one, `GET users/{id}/manager?$select=mail,userPrincipalName`
//!   (`User.Read.All`), 404 when the user has no manager;
//! - `POST users/{sender}/sendMail` (`Mail.Send`) with
//!   `{"message":{"subject","body":{"contentType":"Text","content"},"toRecipients":[…],"bccRecipients":[…]},"saveToSentItems":false}`,
//!   answered 202 without a body.
//!
//! `Mail.Send` as an application permission can send as any mailbox; the
//! README shows how to restrict it to `sender` (an application access
//! policy, or RBAC for Applications in Exchange Online).
//!
//! The token is cached until five minutes before it expires; the secret and
//! tokens never reach a log or an error message.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use url::Url;

use helpdesk_contract::owner_notice::NoticeChannel;

use super::{Message, Recipients};
use crate::secret::Secret;

/// Where the client secret is read from when the file has none.
pub const SECRET_ENV: &str = "MFA_RELAY_GRAPH_CLIENT_SECRET";

/// `[notify.graph]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub tenant_id: String,
    pub client_id: String,
    pub sender: String,
    #[serde(default)]
    pub authority: Option<String>,
    #[serde(default)]
    pub client_secret: Option<Secret>,
}

impl Config {
    pub fn build(self, graph_base: &Url) -> Result<GraphApp, String> {
        let tenant = self.tenant_id.trim().to_string();
        if tenant.is_empty()
            || !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(format!(
                "tenant_id must be the directory (tenant) id or a verified domain, not {tenant:?}"
            ));
        }
        let client_id = self.client_id.trim().to_string();
        if uuid::Uuid::parse_str(&client_id).is_err() {
            return Err(format!(
                "client_id must be the relay's application (client) id, a GUID, not {client_id:?}"
            ));
        }
        let sender = self.sender.trim().to_string();
        if !sender.contains('@') || sender.contains(char::is_whitespace) {
            return Err(format!(
                "sender must be the mailbox the notices come from, e.g. \"mfa-relay@contoso.com\", not {sender:?}"
            ));
        }
        let authority = crate::config::base_url(
            self.authority
                .as_deref()
                .unwrap_or("https://login.microsoftonline.com/"),
            "[notify.graph] authority",
        )?;
        let token_url = authority
            .join(&format!("{tenant}/oauth2/v2.0/token"))
            .map_err(|e| format!("authority: {e}"))?;
        let secret = Secret::from_config_or_env(
            self.client_secret,
            SECRET_ENV,
            "the relay's client secret (`client_secret`)",
        )?;
        Ok(GraphApp {
            token_url,
            graph_base: graph_base.clone(),
            client_id,
            secret,
            sender,
            token: Arc::new(Mutex::new(None)),
        })
    }
}

/// The relay's app-only Graph client.
#[derive(Clone)]
pub struct GraphApp {
    token_url: Url,
    graph_base: Url,
    client_id: String,
    secret: Secret,
    sender: String,
    token: Arc<Mutex<Option<(Secret, tokio::time::Instant)>>>,
}

impl std::fmt::Debug for GraphApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphApp")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

fn unreachable(what: &str, e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    format!("{what} could not be reached: {text}")
}

/// Graph's `error.code: error.message`, or the start of the body.
fn graph_error(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(v) => {
            let code = v
                .pointer("/error/code")
                .and_then(Value::as_str)
                .unwrap_or("");
            let message = v
                .pointer("/error/message")
                .or_else(|| v.get("error_description"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let code = if code.is_empty() {
                v.get("error").and_then(Value::as_str).unwrap_or("")
            } else {
                code
            };
            format!("{code}: {}", message.lines().next().unwrap_or(""))
        }
        Err(_) => body.chars().take(200).collect(),
    }
}

impl GraphApp {
    /// An app-only access token, from the cache or the token endpoint.
    async fn token(&self, http: &reqwest::Client) -> Result<Secret, String> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if tokio::time::Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let response = http
            .post(self.token_url.clone())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.secret.expose()),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .map_err(|e| unreachable("the identity platform", &e))?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        let body = super::super::helpdesks::http::redact(&body, &self.secret);
        if status != 200 {
            return Err(format!(
                "the identity platform refused the relay's client credentials ({status} {}): check [notify.graph] \
                 tenant_id, client_id and the secret in client_secret or {SECRET_ENV}",
                graph_error(&body)
            ));
        }
        let value: Value = serde_json::from_str(&body)
            .map_err(|_| "the identity platform answered 200 without JSON".to_string())?;
        let token = value
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or("the identity platform's answer has no access_token")?;
        let lifetime = value
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        let token = Secret::new(token);
        let until =
            tokio::time::Instant::now() + Duration::from_secs(lifetime.saturating_sub(300).max(30));
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    async fn get(&self, http: &reqwest::Client, path: &str) -> Result<(u16, Value), String> {
        let token = self.token(http).await?;
        let url = self
            .graph_base
            .join(path)
            .map_err(|e| format!("cannot make a Graph URL: {e}"))?;
        let response = http
            .get(url)
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|e| unreachable("Microsoft Graph", &e))?;
        let status = response.status().as_u16();
        if status == 401 {
            *self.token.lock().await = None;
        }
        let body = response.text().await.unwrap_or_default();
        Ok((
            status,
            serde_json::from_str(&body).unwrap_or(json!({ "raw": body })),
        ))
    }

    /// The owner's work address and a second one, from the directory.
    pub async fn recipients(
        &self,
        http: &reqwest::Client,
        upn: &str,
    ) -> Result<Recipients, String> {
        let (status, user) = self
            .get(
                http,
                &format!(
                    "users/{}?$select=id,userPrincipalName,mail,otherMails",
                    urlencode(upn)
                ),
            )
            .await?;
        if status == 404 {
            return Err(format!("the directory has no user {upn}"));
        }
        if status != 200 {
            return Err(format!(
                "Graph answered {status} to reading the user ({}): the relay's app needs User.Read.All",
                graph_error(&user.to_string())
            ));
        }
        let work = user
            .get("mail")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .unwrap_or(upn)
            .to_string();
        let other = user
            .get("otherMails")
            .and_then(Value::as_array)
            .and_then(|all| {
                all.iter()
                    .filter_map(Value::as_str)
                    .find(|m| m.contains('@') && !m.eq_ignore_ascii_case(&work))
                    .map(str::to_owned)
            });
        if let Some(other) = other {
            return Ok(Recipients {
                work,
                second: Some(other),
                second_kind: Some(NoticeChannel::PersonalAddress),
            });
        }
        let id = user.get("id").and_then(Value::as_str).unwrap_or(upn);
        let (status, manager) = self
            .get(
                http,
                &format!(
                    "users/{}/manager?$select=mail,userPrincipalName",
                    urlencode(id)
                ),
            )
            .await?;
        let manager_mail = match status {
            200 => manager
                .get("mail")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty())
                .or_else(|| manager.get("userPrincipalName").and_then(Value::as_str))
                .map(str::to_owned),
            404 => None,
            other => {
                return Err(format!(
                    "Graph answered {other} to reading the manager ({})",
                    graph_error(&manager.to_string())
                ))
            }
        };
        Ok(Recipients {
            work,
            second_kind: manager_mail.as_ref().map(|_| NoticeChannel::Manager),
            second: manager_mail,
        })
    }

    /// `POST users/{sender}/sendMail`: to `to`, blind-copied to `bcc`.
    pub async fn send_mail(
        &self,
        http: &reqwest::Client,
        message: &Message,
        to: &str,
        bcc: Option<&str>,
    ) -> Result<(), String> {
        let token = self.token(http).await?;
        let url = self
            .graph_base
            .join(&format!("users/{}/sendMail", urlencode(&self.sender)))
            .map_err(|e| format!("cannot make a Graph URL: {e}"))?;
        let address = |a: &str| json!({"emailAddress": {"address": a}});
        let mut body = json!({
            "message": {
                "subject": message.subject,
                "body": {"contentType": "Text", "content": message.body},
                "toRecipients": [address(to)],
            },
            "saveToSentItems": false,
        });
        if let Some(bcc) = bcc {
            body["message"]["bccRecipients"] = json!([address(bcc)]);
        }
        let response = http
            .post(url)
            .bearer_auth(token.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable("Microsoft Graph", &e))?;
        let status = response.status().as_u16();
        if status == 202 {
            return Ok(());
        }
        if status == 401 {
            *self.token.lock().await = None;
        }
        let text = response.text().await.unwrap_or_default();
        let hint = match status {
            401 | 403 => ": the relay's app needs the Mail.Send application permission, allowed for the sender's mailbox",
            404 => ": check [notify.graph] sender, a mailbox in this tenant",
            _ => "",
        };
        Err(format!(
            "Graph answered {status} to sendMail as {} ({}){hint}",
            self.sender,
            graph_error(&text)
        ))
    }
}

/// A path segment, percent-encoded.
fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
