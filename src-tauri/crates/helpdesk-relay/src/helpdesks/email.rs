//! Email: one message per reset request, to the helpdesk's mailbox, over
//! SMTP (for helpdesks that turn mail into tickets, or a shared inbox).
//!
//! # Configuration: `[helpdesk.email]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `from` | yes | the sender, e.g. `MFA relay <mfa-relay@contoso.example>`. Its domain also names the messages (see Message-ID). |
//! | `to` | yes | the helpdesk's address, e.g. `helpdesk@contoso.example`. |
//! | `host` | yes | the mail server (submission server or relay), e.g. `smtp.contoso.example`. |
//! | `port` | no | default 587 for `starttls`, 465 for `tls`, 25 for `none`. |
//! | `tls` | no | `starttls` (default: plain connection upgraded with STARTTLS, which must succeed, else nothing is sent), `tls` (TLS from the first byte, "SMTPS"), or `none` (no encryption: accepted only to a loopback host, e.g. a local relay or the tests). Certificates are checked against the Mozilla roots (webpki-roots) and the host name. |
//! | `user` | no | the SMTP user, when the server wants AUTH. |
//! | `password` | with `user` | its password. Better left out of the file: the relay then reads the environment variable `MFA_RELAY_SMTP_PASSWORD`. Set without `user`, it is an error. |
//!
//! # What the relay sends
//!
//! One `text/plain; charset=utf-8` message: `From`, `To`, `Subject` (the
//! ticket's subject, carrying the relay's request id), `Date`, the ticket's
//! plain-text body, and a stable `Message-ID: <{request id}@{domain of from}>`,
//! the same on every attempt, so that a helpdesk that de-duplicates incoming
//! mail by Message-ID files one ticket however often the relay retries. That
//! Message-ID is the "ticket number" the relay reports: mail has no way to
//! tell the sender the helpdesk's number, and an agent can search for it.
//!
//! Replies: a 5xx reply (say 550 to `RCPT TO`) refuses the ticket, except
//! an authentication failure (530, 534, 535, 538), which is retried, naming
//! the credential, since an operator can fix it; a 4xx reply, a connection
//! or TLS failure, or a timeout (30 seconds a command) is retried. Each
//! error carries the server's reply text. There is no find: mail cannot be
//! asked whether a message arrived.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use super::{DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "email";
const PASSWORD_ENV: &str = "MFA_RELAY_SMTP_PASSWORD";
/// The longest the relay waits for one SMTP command's answer.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the mail server is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain connection, then `STARTTLS`, which must succeed.
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: loopback hosts only.
    None,
}

/// `[helpdesk.email]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub from: String,
    pub to: String,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Option<TlsMode>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
}

impl Config {
    pub fn build(self) -> Result<Email, String> {
        let from: Mailbox = self.from.trim().parse().map_err(|e| {
            format!(
                "email `from` must be an email address such as \"MFA relay <mfa-relay@contoso.example>\", \
                 not {:?} ({e})",
                self.from
            )
        })?;
        let to: Mailbox = self.to.trim().parse().map_err(|e| {
            format!(
                "email `to` must be the helpdesk's email address, not {:?} ({e})",
                self.to
            )
        })?;
        let host = self.host.trim().trim_matches(['[', ']']).to_string();
        let is_ip = host.parse::<std::net::IpAddr>().is_ok();
        if host.is_empty() || !is_ip && host.contains(['/', ':', ' ', '@']) {
            return Err(format!(
                "email `host` must be the mail server's name or address (without scheme or port), not {:?}",
                self.host
            ));
        }
        let tls = self.tls.unwrap_or(TlsMode::Starttls);
        if tls == TlsMode::None && !is_loopback(&host) {
            return Err(format!(
                "email `tls = \"none\"` is accepted only to a loopback host (localhost, 127.0.0.1, ::1), \
                 not {host}: use \"starttls\" or \"tls\" so the ticket and any password cross the network encrypted"
            ));
        }
        let port = self.port.unwrap_or(match tls {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        });
        if port == 0 {
            return Err("email `port` must be 1 to 65535, not 0".into());
        }
        let credentials = match self.user.map(|u| u.trim().to_string()) {
            None if self.password.is_some() => {
                return Err(
                    "email `password` is set but `user` is not: set `user` to the SMTP user the password belongs to"
                        .into(),
                )
            }
            None => None,
            Some(user) if user.is_empty() => {
                return Err("email `user` is empty: remove it, or name the SMTP user".into())
            }
            Some(user) => {
                let password = Secret::from_config_or_env(
                    self.password,
                    PASSWORD_ENV,
                    "the SMTP user's password (`password`)",
                )?;
                Some((user, password))
            }
        };
        // Checked now, so that a TLS set-up problem is a start-up error.
        if tls != TlsMode::None {
            TlsParameters::new(host.clone())
                .map_err(|e| format!("email: cannot set up TLS to {host}: {e}"))?;
        }
        let domain = from.email.domain().to_string();
        Ok(Email {
            from,
            to,
            host,
            port,
            tls,
            credentials,
            domain,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Sends ticket messages over SMTP.
#[derive(Debug, Clone)]
pub struct Email {
    from: Mailbox,
    to: Mailbox,
    host: String,
    port: u16,
    tls: TlsMode,
    credentials: Option<(String, Secret)>,
    /// The domain of `from`, the right-hand side of every Message-ID.
    domain: String,
}

impl Email {
    /// `<{request id}@{domain of from}>`.
    pub fn message_id(&self, ticket: &Ticket) -> String {
        format!("<{}@{}>", ticket.request_id, self.domain)
    }

    fn server(&self) -> String {
        format!("the mail server {}:{}", self.host, self.port)
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
        let server_name = self.host.clone();
        let tls = match self.tls {
            TlsMode::None => Tls::None,
            TlsMode::Starttls | TlsMode::Tls => {
                let parameters =
                    TlsParameters::new(server_name.clone()).map_err(|e| DeliveryError::Retry {
                        reason: format!("{NAME}: cannot set up TLS to {}: {e}", self.server()),
                        after: None,
                    })?;
                if self.tls == TlsMode::Tls {
                    Tls::Wrapper(parameters)
                } else {
                    Tls::Required(parameters)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server_name)
            .port(self.port)
            .tls(tls)
            .timeout(Some(COMMAND_TIMEOUT));
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(builder.build())
    }

    /// Sends the ticket's message; the Message-ID is the ticket number.
    pub async fn file(&self, ticket: &Ticket) -> Result<Filed, DeliveryError> {
        let message_id = self.message_id(ticket);
        let message = Message::builder()
            .from(self.from.clone())
            .to(self.to.clone())
            .subject(ticket.subject())
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(ticket.body())
            .map_err(|e| DeliveryError::Refused {
                reason: format!("{NAME}: the ticket's message could not be built: {e}"),
            })?;
        let transport = self.transport()?;
        match transport.send(message).await {
            Ok(_) => Ok(Filed {
                ticket_number: message_id,
            }),
            Err(error) => Err(self.failure(&error)),
        }
    }

    /// Sends an owner's notice: to `to`, blind-copied to `bcc` (the
    /// `[notify.smtp]` sender; `self.to` is unused).
    pub async fn send_notice(
        &self,
        message: &crate::notify::Message,
        to: &str,
        bcc: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let parse = |a: &str| {
            a.parse::<Mailbox>().map_err(|e| DeliveryError::Refused {
                reason: format!("{NAME}: {a:?} is not an address the notice can go to ({e})"),
            })
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(parse(to)?)
            .subject(message.subject.clone());
        if let Some(bcc) = bcc {
            builder = builder.bcc(parse(bcc)?);
        }
        let built = builder
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| DeliveryError::Refused {
                reason: format!("{NAME}: the notice could not be built: {e}"),
            })?;
        self.transport()?
            .send(built)
            .await
            .map(|_| ())
            .map_err(|e| self.failure(&e))
    }

    /// A follow-up message to the helpdesk's address, `In-Reply-To` and
    /// `References` the ticket's Message-ID (`ticket_number`), with its own
    /// stable Message-ID `<{request id}-dispute@{domain}>`, so that a
    /// helpdesk threading mail by these headers adds it to the ticket, and
    /// one that de-duplicates by Message-ID keeps one however often it is
    /// sent.
    pub async fn add_note(
        &self,
        ticket_number: &str,
        request_id: &str,
        text: &str,
    ) -> Result<(), DeliveryError> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(self.to.clone())
            .subject(format!(
                "Re: [{request_id}] DISPUTED BY OWNER, DO NOT RESET"
            ))
            .message_id(Some(format!("<{request_id}-dispute@{}>", self.domain)))
            .in_reply_to(ticket_number.to_string())
            .references(ticket_number.to_string())
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_string())
            .map_err(|e| DeliveryError::Refused {
                reason: format!("{NAME}: the note's message could not be built: {e}"),
            })?;
        self.transport()?
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| self.failure(&e))
    }

    /// What an SMTP failure means for delivery.
    fn failure(&self, error: &lettre::transport::smtp::Error) -> DeliveryError {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        if let Some((_, password)) = &self.credentials {
            text = super::http::redact(&text, password);
        }
        let server = self.server();
        let code = error.status().map(|c| c.to_string());
        if error.is_permanent() {
            if matches!(code.as_deref(), Some("530" | "534" | "535" | "538")) {
                let credential = match &self.credentials {
                    Some((user, _)) => format!(
                        "the relay signs in as {user:?} with the password from `password` in [helpdesk.email] or {PASSWORD_ENV}"
                    ),
                    None => "no user is configured: set `user` and `password` in [helpdesk.email]".to_string(),
                };
                return DeliveryError::Retry {
                    reason: format!(
                        "{NAME}: {server} refused the relay's credential ({text}); {credential}"
                    ),
                    after: None,
                };
            }
            return DeliveryError::Refused {
                reason: format!("{NAME}: {server} refused the ticket's message ({text})"),
            };
        }
        if error.is_transient() {
            return DeliveryError::Retry {
                reason: format!("{NAME}: {server} deferred the ticket's message ({text})"),
                after: None,
            };
        }
        DeliveryError::Retry {
            reason: format!("{NAME}: {server} could not be reached ({text})"),
            after: None,
        }
    }
}
