//! The owner is told (NIST SP 800-63B-4 recovery and binding notices): on
//! every accepted reset request and every enrolled device key the relay
//! writes to the account's owner, at their work mailbox and at a second
//! address the directory has (`otherMails`, else the manager), through a
//! channel the requester does not hold. Each notice says what was asked,
//! when, from which address and device, and carries a "This wasn't me" link
//! ([`pages`]): the owner's dispute marks the request, and the helpdesk
//! ticket gets a note through the adapter ([`crate::helpdesks::Helpdesk::add_note`]),
//! or, when the ticket is not filed yet, is filed saying "disputed by owner".
//!
//! The notice, the pages and the note are in the organisation's language,
//! the relay's `[ticket] language` (the ticket's too): their words are
//! `helpdesk_contract::notice_words`, English for a language without built-in
//! words. What the requester's app typed (the device's name) is quoted after
//! words that say it is the device's own; times are RFC 3339.
//!
//! Notices and notes are kept in the store (`store::notify`) and retried like
//! tickets, by a worker per instance holding leases ([`Notifier`]).
//!
//! Configuration, `[notify]` (absent: no notices; the ticket then says
//! nothing about one):
//!
//! ```toml
//! [notify]
//! public_url = "https://relay.contoso.com/"   # where the dispute links point
//! helpdesk_contact = "Call the IT service desk on +44 20 7946 0000"
//! link_hours = 72              # how long a dispute link works (default 72)
//! ticket_waits_seconds = 20    # how long a ticket waits for its notice (default 20)
//! max_attempts = 24            # per notice and per note (default 24)
//! [notify.graph]               # the relay's own app registration (client credentials)
//! tenant_id = "contoso.onmicrosoft.com"
//! client_id = "…"              # secret in MFA_RELAY_GRAPH_CLIENT_SECRET
//! sender = "mfa-relay@contoso.com"
//! authority = "https://login.microsoftonline.com/"   # the default
//! [notify.smtp]                # optional: send over SMTP instead of Graph sendMail
//! from = "MFA relay <mfa-relay@contoso.com>"
//! host = "smtp.contoso.com"    # port, tls, user as [helpdesk.email]; password in MFA_RELAY_SMTP_PASSWORD
//! ```
//!
//! With `[notify.graph]` the relay looks the owner up in the directory
//! (`User.Read.All`) and sends with `Mail.Send` as `sender`; with
//! `[notify.smtp]` alone it writes to the UPN only (no directory).

pub mod graph;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use url::Url;

use helpdesk_contract::notice_words::{NoticeAbout, NoticeFacts, NoticeWords};
use helpdesk_contract::owner_notice::{NoticeChannel, NoticeRecipient, OwnerNotice};

use crate::helpdesks::{email, DeliveryError, Helpdesk};
use crate::secret::Secret;
use crate::store::notify::{ClaimedNote, ClaimedNotice, Finished, NoticeKind, NoticeState};
use crate::store::{Store, StoreError};

/// `[notify]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    public_url: String,
    helpdesk_contact: String,
    #[serde(default)]
    link_hours: Option<u64>,
    #[serde(default)]
    ticket_waits_seconds: Option<u64>,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    graph: Option<graph::Config>,
    #[serde(default)]
    smtp: Option<SmtpConfig>,
}

/// `[notify.smtp]`: as `[helpdesk.email]`, without `to`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub from: String,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Option<email::TlsMode>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
}

/// How notices are sent.
#[derive(Debug, Clone)]
pub enum Transport {
    /// Graph `sendMail` as the configured sender.
    Graph,
    Smtp(Box<email::Email>),
}

/// `[notify]`, checked.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// Ends in `/`.
    pub public_url: Url,
    pub helpdesk_contact: String,
    pub link_lifetime: Duration,
    pub ticket_wait: Duration,
    pub max_attempts: u32,
    /// The directory and (without SMTP) the mail sender.
    pub graph: Option<graph::GraphApp>,
    pub transport: Transport,
    /// The notices', pages' and dispute notes' words: the organisation's
    /// language (`[ticket] language`), else English.
    pub words: &'static NoticeWords,
}

impl RawNotify {
    /// Checks `[notify]`; `graph_base` is the relay's Graph, `language` the
    /// organisation's (`[ticket] language`), which notices, pages and notes
    /// are worded in.
    pub fn build(self, graph_base: &Url, language: &str) -> Result<NotifyConfig, String> {
        let public_url = crate::config::base_url(&self.public_url, "[notify] public_url")?;
        let contact = self.helpdesk_contact.trim().to_string();
        if contact.is_empty() || contact.chars().any(char::is_control) || contact.len() > 300 {
            return Err(
                "[notify] helpdesk_contact must be one line of at most 300 characters, e.g. \
                 \"Call the IT service desk on +44 20 7946 0000\": the dispute page shows it"
                    .into(),
            );
        }
        let link_hours = self.link_hours.unwrap_or(72);
        if !(1..=24 * 30).contains(&link_hours) {
            return Err("[notify] link_hours must be 1 to 720".into());
        }
        let max_attempts = self.max_attempts.unwrap_or(24);
        if max_attempts == 0 {
            return Err("[notify] max_attempts must be at least 1".into());
        }
        let graph = self
            .graph
            .map(|g| g.build(graph_base))
            .transpose()
            .map_err(|e| format!("[notify.graph] {e}"))?;
        let transport = match self.smtp {
            Some(smtp) => Transport::Smtp(Box::new(
                email::Config {
                    to: smtp.from.clone(),
                    from: smtp.from,
                    host: smtp.host,
                    port: smtp.port,
                    tls: smtp.tls,
                    user: smtp.user,
                    password: smtp.password,
                }
                .build()
                .map_err(|e| format!("[notify.smtp] {e}"))?,
            )),
            None if graph.is_some() => Transport::Graph,
            None => {
                return Err(
                    "[notify] needs [notify.graph] (the relay's app registration: Graph sendMail and the directory) \
                     or [notify.smtp]"
                        .into(),
                )
            }
        };
        Ok(NotifyConfig {
            public_url,
            helpdesk_contact: contact,
            link_lifetime: Duration::from_secs(link_hours * 3600),
            ticket_wait: Duration::from_secs(self.ticket_waits_seconds.unwrap_or(20).min(600)),
            max_attempts,
            graph,
            transport,
            words: helpdesk_contract::notice_words::notice_words_or_english(language),
        })
    }
}

/// `d***@contoso.com`: the first character of the local part, then the
/// domain. Something that is not an address becomes `***`.
pub fn mask(address: &str) -> String {
    match address.trim().rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => "***".into(),
    }
}

/// A fresh dispute token (32 random bytes, base64url) and its stored hash.
pub fn new_token() -> (Secret, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (Secret::new(&token), hash)
}

/// The SHA-256 (hex) a token is stored as.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The ticket's "Owner notice:" values for a notice's state (`None`: not
/// recorded yet); the ticket words them in its language. Why a notice
/// failed or waits (an SMTP or Graph error) stays in the store and the log,
/// for the relay's operator.
pub fn ticket_notice(state: Option<&NoticeState>) -> OwnerNotice {
    match state {
        Some(NoticeState::Sent { to, at }) => OwnerNotice::Sent {
            to: to.clone(),
            at: *at,
        },
        Some(NoticeState::Failed { .. }) => OwnerNotice::Failed,
        Some(NoticeState::Pending {
            attempts,
            last_error,
        }) => OwnerNotice::Pending {
            retrying: *attempts > 0 && last_error.is_some(),
        },
        None => OwnerNotice::Pending { retrying: false },
    }
}

/// One message to the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

/// Where a notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    pub work: String,
    /// `otherMails`' first address, else the manager's mail.
    pub second: Option<String>,
    /// [`NoticeChannel::PersonalAddress`] or [`NoticeChannel::Manager`].
    pub second_kind: Option<NoticeChannel>,
}

impl Recipients {
    /// The addresses, masked, each with its channel: what the ticket tells.
    fn masked(&self) -> Vec<NoticeRecipient> {
        let work = NoticeRecipient {
            address: mask(&self.work),
            channel: NoticeChannel::WorkMailbox,
        };
        let second = self.second.as_ref().map(|second| NoticeRecipient {
            address: mask(second),
            channel: self
                .second_kind
                .unwrap_or(NoticeChannel::PersonalAddressOrManager),
        });
        std::iter::once(work).chain(second).collect()
    }
}

/// The details a notice tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: NoticeKind,
    pub upn: String,
    pub subject_id: String,
    pub at: OffsetDateTime,
    /// The requester's network address.
    pub source: Option<String>,
    /// The device, as the request named it (unverified).
    pub device: Option<String>,
    /// Whether a key enrolled for this account signed it.
    pub enrolled_device: bool,
}

/// The notice's text in `words`' language. The link is the only thing to
/// click; the text says what happens next either way.
pub fn compose(
    words: &NoticeWords,
    event: &Event,
    link: &str,
    contact: &str,
    recipient_is_manager: bool,
) -> Message {
    let facts = NoticeFacts {
        about: match event.kind {
            NoticeKind::Reset => NoticeAbout::Reset,
            NoticeKind::Enrolment => NoticeAbout::Enrolment,
        },
        upn: &event.upn,
        subject_id: &event.subject_id,
        at: event.at,
        source: event.source.as_deref(),
        device: event.device.as_deref(),
        enrolled_device: event.enrolled_device,
    };
    let text = words.notice(&facts, link, contact, recipient_is_manager);
    Message {
        subject: text.subject,
        body: text.body,
    }
}

/// Sends owner notices and dispute notes, holding leases, until aborted.
pub struct Notifier {
    pub store: Store,
    pub helpdesk: Helpdesk,
    pub http: reqwest::Client,
    pub config: NotifyConfig,
    pub delivery: crate::config::Delivery,
    pub owner: String,
    pub wake: Arc<tokio::sync::Notify>,
}

/// The longest an idle notifier sleeps.
const IDLE_POLL: Duration = Duration::from_millis(500);

impl Notifier {
    pub async fn run(self: Arc<Self>) {
        let started = OffsetDateTime::now_utc() - time::Duration::days(1);
        loop {
            let mut worked = false;
            if let Err(e) = self.store.sweep_notices(started).await {
                tracing::warn!("owner notices paused: {e}");
            }
            match self.one_notice().await {
                Ok(did) => worked |= did,
                Err(e) => tracing::warn!("owner notices paused: {e}"),
            }
            match self.one_note().await {
                Ok(did) => worked |= did,
                Err(e) => tracing::warn!("dispute notes paused: {e}"),
            }
            if !worked {
                let _ = tokio::time::timeout(IDLE_POLL, self.wake.notified()).await;
            }
        }
    }

    fn retry_or_fail(&self, attempts: u32, error: String) -> Finished {
        if attempts >= self.config.max_attempts {
            Finished::Failed {
                error: format!("{error} (gave up after {attempts} attempts)"),
            }
        } else {
            Finished::Retry {
                error,
                at: OffsetDateTime::now_utc() + self.delivery.backoff(attempts),
            }
        }
    }

    /// Sends one due notice, if any.
    async fn one_notice(&self) -> Result<bool, StoreError> {
        let Some(notice) = self
            .store
            .claim_notice(
                &self.owner,
                self.delivery.lease(),
                OffsetDateTime::now_utc(),
            )
            .await?
        else {
            return Ok(false);
        };
        let finished = match self.send_notice(&notice).await {
            Ok(sent_to) => {
                let addresses: Vec<&str> = sent_to.iter().map(|r| r.address.as_str()).collect();
                tracing::info!(notice = %notice.id, "told the owner of {} at {}", notice.upn, addresses.join(", "));
                Finished::Done { sent_to }
            }
            Err(error) => {
                tracing::warn!(notice = %notice.id, attempt = notice.attempts, "the owner's notice was not sent: {error}");
                self.retry_or_fail(notice.attempts, error)
            }
        };
        let recorded = self
            .store
            .notice_finished(
                &notice.id,
                &self.owner,
                &finished,
                OffsetDateTime::now_utc(),
            )
            .await?;
        if !recorded {
            tracing::warn!(notice = %notice.id, "could not record the notice: its lease expired and another instance took over");
        }
        Ok(true)
    }

    async fn event(&self, notice: &ClaimedNotice) -> Result<Event, String> {
        let details: Value = serde_json::from_str(&notice.details).unwrap_or(json!({}));
        let text = |name: &str| details.get(name).and_then(Value::as_str).map(str::to_owned);
        match notice.kind {
            NoticeKind::Reset => {
                let request = self
                    .store
                    .request(&notice.subject_id)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| {
                        format!("the request {} is not in the store", notice.subject_id)
                    })?;
                let body: Value = serde_json::from_str(&request.body).unwrap_or(json!({}));
                let device = body
                    .pointer("/device/os")
                    .and_then(Value::as_str)
                    .map(|os| os.chars().filter(|c| !c.is_control()).take(80).collect());
                Ok(Event {
                    kind: notice.kind,
                    upn: request.upn,
                    subject_id: request.id,
                    at: request.accepted_at,
                    source: Some(request.source),
                    device,
                    enrolled_device: request.device_proof.kind()
                        == helpdesk_contract::device_proof::DeviceProofKind::EnrolledDevice,
                })
            }
            NoticeKind::Enrolment => {
                let key = self
                    .store
                    .device_key(&notice.subject_id)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Event {
                    kind: notice.kind,
                    upn: notice.upn.clone(),
                    subject_id: notice.subject_id.clone(),
                    at: key.as_ref().map_or(notice.created_at, |k| k.enrolled_at),
                    source: text("source"),
                    device: key.map(|k| format!("{} (MFA Assistant {})", k.os, k.app_version)),
                    enrolled_device: false,
                })
            }
        }
    }

    /// Looks the owner up, makes a link, sends: the masked addresses.
    async fn send_notice(&self, notice: &ClaimedNotice) -> Result<Vec<NoticeRecipient>, String> {
        let event = self.event(notice).await?;
        let recipients = match &self.config.graph {
            Some(app) => app.recipients(&self.http, &notice.upn).await?,
            None => Recipients {
                work: notice.upn.clone(),
                second: None,
                second_kind: None,
            },
        };
        let now = OffsetDateTime::now_utc();
        let (token, hash) = new_token();
        self.store
            .add_dispute_link(&hash, &notice.id, now, now + self.config.link_lifetime)
            .await
            .map_err(|e| e.to_string())?;
        let link = self
            .config
            .public_url
            .join(&format!("dispute/{}", token.expose()))
            .map_err(|e| format!("[notify] public_url cannot carry a link: {e}"))?;
        let manager = recipients.second_kind == Some(NoticeChannel::Manager);
        let words = self.config.words;
        let contact = &self.config.helpdesk_contact;
        let message = compose(words, &event, link.as_str(), contact, false);
        // The manager gets the same facts, addressed to them.
        let manager_message = manager.then(|| compose(words, &event, link.as_str(), contact, true));
        match &self.config.transport {
            Transport::Graph => {
                let app = self
                    .config
                    .graph
                    .as_ref()
                    .ok_or("[notify.graph] is needed to send through Graph")?;
                match (&recipients.second, manager_message) {
                    (Some(second), Some(to_manager)) => {
                        // Two messages: each one sent is recorded, so that a
                        // retry after the first does not send it again (its
                        // link stays valid until used or expired).
                        let sent = self
                            .store
                            .notice_parts(&notice.id)
                            .await
                            .map_err(|e| e.to_string())?;
                        let parts = [
                            (
                                format!("owner:{}", recipients.work.to_lowercase()),
                                &message,
                                &recipients.work,
                            ),
                            (
                                format!("manager:{}", second.to_lowercase()),
                                &to_manager,
                                second,
                            ),
                        ];
                        for (part, text, to) in parts {
                            if sent.contains(&part) {
                                continue;
                            }
                            app.send_mail(&self.http, text, to, None).await?;
                            if let Err(e) = self
                                .store
                                .notice_part_sent(&notice.id, &part, OffsetDateTime::now_utc())
                                .await
                            {
                                tracing::warn!(notice = %notice.id, "a message of the notice was sent but not recorded (a retry may send it again): {e}");
                            }
                        }
                    }
                    (second, _) => {
                        app.send_mail(&self.http, &message, &recipients.work, second.as_deref())
                            .await?;
                    }
                }
            }
            Transport::Smtp(smtp) => {
                smtp.send_notice(&message, &recipients.work, recipients.second.as_deref())
                    .await
                    .map_err(|e| match e {
                        DeliveryError::Retry { reason, .. } | DeliveryError::Refused { reason } => {
                            reason
                        }
                    })?;
            }
        }
        Ok(recipients.masked())
    }

    /// Adds one due dispute note, if any.
    async fn one_note(&self) -> Result<bool, StoreError> {
        let Some(note) = self
            .store
            .claim_note(
                &self.owner,
                self.delivery.lease(),
                OffsetDateTime::now_utc(),
            )
            .await?
        else {
            return Ok(false);
        };
        let finished = match self.add_note(&note).await {
            Ok(()) => {
                tracing::info!(request = %note.request_id, "noted the owner's dispute on the ticket");
                Finished::Done {
                    sent_to: Vec::new(),
                }
            }
            Err(DeliveryError::Refused { reason }) => Finished::Failed { error: reason },
            Err(DeliveryError::Retry { reason, .. }) => {
                tracing::warn!(request = %note.request_id, "the dispute note was not added: {reason}");
                self.retry_or_fail(note.attempts, reason)
            }
        };
        if let Finished::Failed { error } = &finished {
            tracing::error!(request = %note.request_id, "the dispute note could not be added: {error}; tell the helpdesk by phone");
        }
        self.store
            .note_finished(
                &note.notice_id,
                &self.owner,
                &finished,
                OffsetDateTime::now_utc(),
            )
            .await?;
        Ok(true)
    }

    async fn add_note(&self, note: &ClaimedNote) -> Result<(), DeliveryError> {
        let request = self
            .store
            .request(&note.request_id)
            .await
            .map_err(|e| DeliveryError::Retry {
                reason: e.to_string(),
                after: None,
            })?
            .ok_or_else(|| DeliveryError::Refused {
                reason: format!("the request {} is not in the store", note.request_id),
            })?;
        let ticket_number = request.ticket_number.ok_or_else(|| DeliveryError::Retry {
            reason: "the ticket is not filed yet".into(),
            after: None,
        })?;
        let text = note_text_in(self.config.words, &note.request_id, note.disputed_at);
        self.helpdesk
            .add_note(
                &self.http,
                &ticket_number,
                &note.request_id,
                &text,
                note.earlier_attempt,
            )
            .await
    }
}

/// The dispute note's text in `words`' language. It holds the
/// language-neutral marker ([`crate::helpdesks::note_marker`]) by which a
/// retry, by this relay or one since set to another language or version,
/// finds a note already added.
pub fn note_text_in(words: &NoticeWords, request_id: &str, disputed_at: OffsetDateTime) -> String {
    words.dispute_note(&crate::helpdesks::note_marker(request_id), disputed_at)
}

/// The dispute note's text in English.
pub fn note_text(request_id: &str, disputed_at: OffsetDateTime) -> String {
    note_text_in(
        &helpdesk_contract::notice_words::ENGLISH,
        request_id,
        disputed_at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The notices, pages and notes take the organisation's language
    /// (`[ticket] language`, lower-cased by the configuration), English
    /// where the relay has no words for it.
    #[test]
    fn notices_speak_the_ticket_language_else_english() {
        let raw = || -> RawNotify {
            toml::from_str(
                "public_url = \"https://relay.contoso.example/\"\n\
                 helpdesk_contact = \"Call +44 20 7946 0000\"\n\
                 [smtp]\nfrom = \"relay@contoso.example\"\nhost = \"smtp.contoso.example\"\n",
            )
            .unwrap()
        };
        let graph = Url::parse("https://graph.microsoft.com/v1.0/").unwrap();
        for (language, tag) in [
            ("en", "en"),
            ("de", "de"),
            ("pt-br", "pt-BR"),
            ("zh-hans", "zh-Hans"),
            ("nl", "en"),
            ("de-ch", "de"),
            ("zh-tw", "en"),
        ] {
            let config = raw().build(&graph, language).unwrap();
            assert_eq!(config.words.tag, tag, "{language}");
        }
        let german = raw().build(&graph, "de").unwrap();
        let event = Event {
            kind: NoticeKind::Enrolment,
            upn: "erin@contoso.example".into(),
            subject_id: "dk-1".into(),
            at: OffsetDateTime::UNIX_EPOCH,
            source: Some("203.0.113.9".into()),
            device: Some("Windows 11 (MFA Assistant 0.1.0)".into()),
            enrolled_device: false,
        };
        let to_manager = compose(german.words, &event, "https://x/", "Call", true);
        assert_eq!(
            to_manager.subject,
            "Sicherheitshinweis: Ein Gerät wurde mit erin@contoso.example verknüpft"
        );
        assert!(to_manager.body.starts_with(
            "Sie erhalten diese Nachricht, weil Sie die Führungskraft von erin@contoso.example sind.\n"
        ));
        let note = note_text_in(german.words, "rr-1", OffsetDateTime::UNIX_EPOCH);
        assert!(
            note.contains(&crate::helpdesks::note_marker("rr-1")),
            "{note}"
        );
        assert!(note.starts_with("VOM INHABER BESTRITTEN: "), "{note}");
        assert!(note_text("rr-1", OffsetDateTime::UNIX_EPOCH)
            .starts_with("DISPUTED BY OWNER [rr-1]: The account's owner disputes this request"));
    }

    #[test]
    fn addresses_are_masked_to_their_first_letter_and_domain() {
        assert_eq!(
            mask("dana@contoso-demo.example"),
            "d***@contoso-demo.example"
        );
        assert_eq!(mask("alex.w@gmail.com"), "a***@gmail.com");
        assert_eq!(mask("nobody"), "***");
        assert_eq!(mask("@x.com"), "***");
    }

    #[test]
    fn tokens_are_unguessable_and_stored_only_as_a_hash() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 43);
        assert_eq!(hash_a, token_hash(a.expose()));
        assert!(!hash_a.contains(a.expose()));
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn the_ticket_is_told_where_or_that_it_is_pending_or_failed_but_not_the_error() {
        let to = Recipients {
            work: "dana@contoso-demo.example".into(),
            second: Some("dana.whitlock@gmail.com".into()),
            second_kind: Some(NoticeChannel::PersonalAddress),
        }
        .masked();
        assert_eq!(
            to,
            vec![
                NoticeRecipient {
                    address: "d***@contoso-demo.example".into(),
                    channel: NoticeChannel::WorkMailbox
                },
                NoticeRecipient {
                    address: "d***@gmail.com".into(),
                    channel: NoticeChannel::PersonalAddress
                },
            ]
        );
        let sent = NoticeState::Sent {
            to: to.clone(),
            at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(
            ticket_notice(Some(&sent)),
            OwnerNotice::Sent {
                to,
                at: OffsetDateTime::UNIX_EPOCH
            }
        );
        assert_eq!(
            ticket_notice(None),
            OwnerNotice::Pending { retrying: false }
        );
        let pending = |attempts, last_error: Option<&str>| {
            ticket_notice(Some(&NoticeState::Pending {
                attempts,
                last_error: last_error.map(str::to_owned),
            }))
        };
        assert_eq!(pending(1, None), OwnerNotice::Pending { retrying: false });
        assert_eq!(
            pending(2, Some("Graph answered 503")),
            OwnerNotice::Pending { retrying: true }
        );
        let failed = ticket_notice(Some(&NoticeState::Failed {
            error: "no such user".into(),
        }));
        assert_eq!(failed, OwnerNotice::Failed);
        assert!(!failed.line().contains("no such user"));
        let manager = Recipients {
            work: "ben@contoso-demo.example".into(),
            second: Some("adele@contoso-demo.example".into()),
            second_kind: Some(NoticeChannel::Manager),
        };
        assert_eq!(manager.masked()[1].channel, NoticeChannel::Manager);
    }
}
