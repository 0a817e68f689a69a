//! The emulated helpdesk: one inbox fed by two channels, the organisation's
//! relay (`docs/helpdesk-relay.openapi.yaml`, served at
//! `/helpdesk/v1/reset-requests`) and Zendesk's anonymous Requests API
//! (`/zendesk/api/v2/requests.json`), plus the admin view over it
//! (`/_emulator/helpdesk`).
//!
//! Invariants:
//! - every accepted request files exactly one ticket at once (the relay
//!   answers `delivered`), numbered `HD-1001`, `HD-1002`... across both
//!   channels; numbers never repeat, also across restarts;
//! - a repeated idempotency key never files a second ticket;
//! - tickets are kept in the store and persisted with the tenant.
//!
//! Device proof (the contract's "Device proof" section): the relay enrols
//! device keys (`POST /helpdesk/v1/device-keys`, authenticated by one of the
//! emulator's own Graph access tokens, resolved as Graph `/me` resolves it)
//! and checks the `Device-*` headers of reset requests; every relay ticket
//! says `enrolledDevice` or `unverifiedDevice`, with a note. Enrolled keys
//! are persisted with the tickets.

pub(crate) mod admin_view;
pub(crate) mod relay;
pub(crate) mod zendesk;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// The first ticket number of a fresh inbox.
pub(crate) const FIRST_TICKET_NUMBER: u64 = 1001;

/// The door a ticket came in through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HelpdeskChannel {
    /// The organisation's relay (the OpenAPI contract).
    Relay,
    /// Zendesk's anonymous Requests API.
    Zendesk,
}

impl HelpdeskChannel {
    /// `"relay"` or `"zendesk"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HelpdeskChannel::Relay => "relay",
            HelpdeskChannel::Zendesk => "zendesk",
        }
    }
}

/// One ticket in the emulated helpdesk's inbox. Relay tickets carry every
/// field of the reset request; Zendesk tickets carry the requester, the
/// subject and the comment (the structured fields are `None` or empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelpdeskTicket {
    /// The ticket number, e.g. `HD-1001`.
    pub id: String,
    pub channel: HelpdeskChannel,
    /// The relay's `requestId`; for Zendesk, the request's numeric id as text.
    pub request_id: String,
    /// The `Idempotency-Key` the request came with, if any.
    pub idempotency_key: Option<String>,
    /// When the emulator received the request.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The UPN the user typed (relay), or the requester's email (Zendesk).
    /// Unverified.
    pub upn: String,
    /// Zendesk's `requester.name`.
    pub requester_name: Option<String>,
    /// The ticket's subject line.
    pub subject: String,
    /// The ticket's body (the relay's is composed from the fields).
    pub description: String,
    /// `lostPhone`, `brokenPhone`...
    pub reason: Option<String>,
    pub reason_detail: Option<String>,
    /// What the user says they still have (`password`, `oldPhone`...).
    pub still_has: Vec<String>,
    /// `directoryPhone`, `manager` or `inPerson`.
    pub callback_preference: Option<String>,
    pub callback_availability: Option<String>,
    pub device_os: Option<String>,
    pub device_app_version: Option<String>,
    /// The request's own `createdAt` (the sender's clock), verbatim.
    pub created_at: Option<String>,
    /// The phrase the helpdesk asks for on the call-back.
    pub verification_phrase: Option<String>,
    /// Whether the sender declared the request unauthenticated (always true
    /// for the relay; true for anonymous Zendesk requests).
    pub unauthenticated: bool,
    /// The admin steps, in order.
    pub runbook: Vec<String>,
    /// The relay's optional `tenant`.
    pub tenant: Option<String>,
    /// The request body as received (parsed JSON).
    pub raw: Value,
    /// Relay tickets: `enrolledDevice` (signed by a key enrolled for this
    /// UPN) or `unverifiedDevice`. `None` for Zendesk, which has no device
    /// proof.
    #[serde(default)]
    pub device_proof: Option<DeviceProof>,
    /// Why, in the helpdesk's words (which key, or why unverified).
    #[serde(default)]
    pub device_proof_note: Option<String>,
    /// Comments added after filing (Zendesk's ticket update), oldest first.
    #[serde(default)]
    pub comments: Vec<TicketComment>,
}

/// A comment added to a ticket after it was filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketComment {
    pub body: String,
    /// `false`: an internal note, which the requester does not see.
    pub public: bool,
    /// Who added it (the agent's sign-in).
    pub author: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// What the relay could tell about the computer that sent a request:
/// `enrolledDevice` or `unverifiedDevice` (the contract's
/// `DeviceProofKind`; the ticket keeps the details as its
/// `device_proof_note`).
pub use helpdesk_contract::device_proof::DeviceProofKind as DeviceProof;

/// A device key enrolled with the relay (the contract's `DeviceKey`, plus
/// what the relay keeps about it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceKeyRecord {
    pub key_id: String,
    /// Lower-case, as Graph `/me` named the user.
    pub upn: String,
    /// Graph's user id.
    pub user_id: String,
    /// The Ed25519 public key, base64url without padding (canonical).
    pub public_key: String,
    pub device_os: String,
    pub device_app_version: String,
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
}

/// The most device keys one user keeps; a sixth enrolment is refused
/// (409 `deviceKeyLimit`), never made room for.
pub(crate) const MAX_DEVICE_KEYS_PER_USER: usize =
    helpdesk_contract::device_proof::MAX_DEVICE_KEYS_PER_ACCOUNT;

/// The inbox. Persisted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Inbox {
    /// Oldest first.
    pub tickets: Vec<HelpdeskTicket>,
    /// The number the next ticket gets.
    pub next_number: u64,
    /// Device keys enrolled through the relay, oldest first; absent in files
    /// written before device proof existed.
    #[serde(default)]
    pub device_keys: Vec<DeviceKeyRecord>,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            tickets: Vec::new(),
            next_number: FIRST_TICKET_NUMBER,
            device_keys: Vec::new(),
        }
    }
}

impl Inbox {
    /// Takes the next ticket number.
    pub(crate) fn take_number(&mut self) -> u64 {
        let number = self.next_number;
        self.next_number += 1;
        number
    }

    /// The ticket of `channel` filed under this idempotency key, if any.
    pub(crate) fn by_key(&self, channel: HelpdeskChannel, key: &str) -> Option<&HelpdeskTicket> {
        self.tickets
            .iter()
            .find(|t| t.channel == channel && t.idempotency_key.as_deref() == Some(key))
    }
}

/// `HD-1001`.
pub(crate) fn ticket_id(number: u64) -> String {
    format!("HD-{number}")
}
