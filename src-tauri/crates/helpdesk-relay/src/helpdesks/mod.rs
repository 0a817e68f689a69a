//! The helpdesks the relay files tickets in. Each module speaks one
//! helpdesk's documented API (see `peers-and-helpdesks.md` §B):
//!
//! | helpdesk | call | ticket number |
//! |---|---|---|
//! | ServiceNow | `POST /api/now/table/incident` (Basic) | `result.number` |
//! | Jira Service Management | `POST /rest/servicedeskapi/request`, `raiseOnBehalfOf` | `issueKey` |
//! | Freshservice | `POST /api/v2/tickets` (API key as Basic user) | `ticket.id` |
//! | Zendesk | `POST /api/v2/requests.json` (+ `Idempotency-Key`) | `request.id` |
//! | Request Tracker 5 | `POST /REST/2.0/ticket` | `id` |
//! | email | SMTP, one message with a stable `Message-ID` | the Message-ID |
//!
//! Every adapter answers the same two questions, [`Helpdesk::file`] and
//! [`Helpdesk::find`]; the delivery loop (`crate::delivery`) decides when to
//! ask them. [`Helpdesk::add_note`] adds the owner's dispute to a filed
//! ticket, as an internal note where the helpdesk has them:
//!
//! | helpdesk | note |
//! |---|---|
//! | ServiceNow | `PATCH /api/now/table/incident/{sys_id}` with `work_notes` |
//! | Jira Service Management | `POST /rest/servicedeskapi/request/{key}/comment`, `public: false` |
//! | Freshservice | `POST /api/v2/tickets/{id}/notes`, `private: true` |
//! | Zendesk | `PUT /api/v2/tickets/{id}.json`, `comment.public: false` (needs the agent credential) |
//! | Request Tracker 5 | `POST /REST/2.0/ticket/{id}/comment` |
//! | email | a follow-up message, `In-Reply-To` and `References` the ticket's Message-ID |
//!
//! A note is never doubled: it carries a marker ([`note_marker`], the
//! relay's request id), and an attempt that follows an uncertain one
//! (`look_first`) first reads the ticket's notes and adds nothing if one
//! holds the marker (ServiceNow `sys_journal_field`, Jira's internal
//! comments, Freshservice's conversations, Zendesk's comments, RT's
//! comment transactions). Email cannot be asked; its follow-up keeps one
//! stable Message-ID, which helpdesks that thread mail de-duplicate by.
//!
//! Invariant: an adapter never files a ticket from `find`, and
//! `file` files at most one ticket per call.

use std::time::Duration;

use crate::ticket::Ticket;

pub mod email;
pub mod freshservice;
pub mod http;
pub mod jira;
pub mod request_tracker;
pub mod servicenow;
pub mod zendesk;

/// What the owner's dispute note carries, so that a retry can tell whether
/// an earlier attempt added it: `DISPUTED BY OWNER [<request id>]`.
pub fn note_marker(request_id: &str) -> String {
    format!("DISPUTED BY OWNER [{request_id}]")
}

/// A ticket that exists in the helpdesk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// The number the helpdesk's agents know it by (`INC0010002`, `IT-12`,
    /// `1234`...).
    pub ticket_number: String,
}

/// Why an attempt did not file a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Worth trying again later: the helpdesk could not be reached, timed
    /// out, answered 408, 429 or 5xx, or refused the relay's credential
    /// (401/403: an operator may fix the configuration meanwhile).
    Retry {
        reason: String,
        /// The helpdesk's `Retry-After`, when it sent one.
        after: Option<Duration>,
    },
    /// Sending the same ticket again cannot help (another 4xx: the helpdesk
    /// refuses its content). The request goes to the dead letters at once.
    Refused { reason: String },
}

/// The helpdesk an organisation configured.
#[derive(Debug, Clone)]
pub enum Helpdesk {
    ServiceNow(servicenow::ServiceNow),
    Jira(jira::JiraServiceManagement),
    Freshservice(freshservice::Freshservice),
    Zendesk(zendesk::Zendesk),
    RequestTracker(request_tracker::RequestTracker),
    Email(email::Email),
}

impl Helpdesk {
    /// The helpdesk's name for logs and the status page.
    pub fn name(&self) -> &'static str {
        match self {
            Helpdesk::ServiceNow(_) => "ServiceNow",
            Helpdesk::Jira(_) => "Jira Service Management",
            Helpdesk::Freshservice(_) => "Freshservice",
            Helpdesk::Zendesk(_) => "Zendesk",
            Helpdesk::RequestTracker(_) => "Request Tracker",
            Helpdesk::Email(_) => "email",
        }
    }

    /// Files one ticket.
    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        match self {
            Helpdesk::ServiceNow(h) => h.file(http, ticket).await,
            Helpdesk::Jira(h) => h.file(http, ticket).await,
            Helpdesk::Freshservice(h) => h.file(http, ticket).await,
            Helpdesk::Zendesk(h) => h.file(http, ticket).await,
            Helpdesk::RequestTracker(h) => h.file(http, ticket).await,
            Helpdesk::Email(h) => h.file(ticket).await,
        }
    }

    /// Adds `text` (which holds [`note_marker`] of `request_id`) to ticket
    /// `ticket_number` as an internal note. With `look_first` (an earlier
    /// attempt may have added it), the ticket's notes are read first and
    /// nothing is added if one holds the marker.
    pub async fn add_note(
        &self,
        http: &reqwest::Client,
        ticket_number: &str,
        request_id: &str,
        text: &str,
        look_first: bool,
    ) -> Result<(), DeliveryError> {
        let marker = note_marker(request_id);
        debug_assert!(text.contains(&marker));
        match self {
            Helpdesk::ServiceNow(h) => {
                h.add_note(http, ticket_number, &marker, text, look_first)
                    .await
            }
            Helpdesk::Jira(h) => {
                h.add_note(http, ticket_number, &marker, text, look_first)
                    .await
            }
            Helpdesk::Freshservice(h) => {
                h.add_note(http, ticket_number, &marker, text, look_first)
                    .await
            }
            Helpdesk::Zendesk(h) => {
                h.add_note(http, ticket_number, &marker, text, look_first)
                    .await
            }
            Helpdesk::RequestTracker(h) => {
                h.add_note(http, ticket_number, request_id, &marker, text, look_first)
                    .await
            }
            Helpdesk::Email(h) => h.add_note(ticket_number, request_id, text).await,
        }
    }

    /// Looks for the ticket an earlier attempt at `ticket` may have filed
    /// (the relay died, or the connection dropped, after sending). `Ok(None)`
    /// means the helpdesk has none, or (email) cannot be asked.
    pub async fn find(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        match self {
            Helpdesk::ServiceNow(h) => h.find(http, ticket).await,
            Helpdesk::Jira(h) => h.find(http, ticket).await,
            Helpdesk::Freshservice(h) => h.find(http, ticket).await,
            Helpdesk::Zendesk(h) => h.find(http, ticket).await,
            Helpdesk::RequestTracker(h) => h.find(http, ticket).await,
            Helpdesk::Email(_) => Ok(None),
        }
    }
}
