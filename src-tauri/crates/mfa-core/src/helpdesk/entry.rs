//! One request in the outbox, as saved on disk, and where it stands.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::form::ResetRequest;

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum DeliveryState {
    /// Kept on disk, not yet accepted by the helpdesk.
    Pending,
    /// The helpdesk has it.
    #[serde(rename_all = "camelCase")]
    Delivered {
        request_id: String,
        /// `None` while a relay has accepted it but not yet filed the
        /// ticket (the outbox asks the relay for it; see
        /// [`OutboxEntry::next_attempt_at`]).
        ticket_number: Option<String>,
        #[serde(with = "time::serde::rfc3339")]
        delivered_at: OffsetDateTime,
    },
    /// The helpdesk refused it for good (a 4xx other than 429); kept, with
    /// the reason, so it is never silently lost.
    #[serde(rename_all = "camelCase")]
    Refused { status: u16, reason: String },
}

/// One request in the outbox, as saved on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub idempotency_key: String,
    pub request: ResetRequest,
    pub state: DeliveryState,
    pub attempts: u32,
    /// Pending: when the next attempt is due (`None`: now). Delivered to a
    /// relay without a ticket number: when to ask the relay for it (`None`:
    /// never again).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// The last attempt's problem in English, for diagnostics.
    pub last_error: Option<String>,
    /// The same problem as values, for the window to word (absent in
    /// entries an older version saved: the window says only that the last
    /// attempt failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_problem: Option<DeliveryProblem>,
}

/// What went wrong with the last attempt to hand a request over, or to ask
/// the relay for its ticket number: values, never prose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DeliveryProblem {
    /// The helpdesk (or the relay) could not be reached.
    Unreachable,
    /// It answered this HTTP status, with its error code when it sent one.
    Answered { status: u16, code: Option<String> },
    /// It answered success without saying which request it has.
    NoReference { status: u16 },
    /// The relay has the request but has not filed the ticket yet.
    NotFiledYet,
    /// The request could not be encoded (a bug; never sent).
    Unencodable,
}
