//! What a helpdesk receives: one ticket per accepted reset request.

use helpdesk_contract::ResetRequest;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What the relay could tell about the computer that sent a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DeviceProof {
    /// Signed by a key enrolled for this very account, while its user was
    /// signed in (the enrolment's Graph token was checked against `/me`).
    #[serde(rename_all = "camelCase")]
    EnrolledDevice {
        key_id: String,
        #[serde(with = "time::serde::rfc3339")]
        enrolled_at: OffsetDateTime,
        /// The device the app described at enrolment, e.g. "Windows 11".
        enrolled_os: String,
    },
    /// Unsigned, or signed by a key not enrolled for this account.
    #[serde(rename_all = "camelCase")]
    UnverifiedDevice {
        /// Why, in the helpdesk's words.
        note: String,
    },
}

impl DeviceProof {
    /// The ticket's "Device proof:" line.
    pub fn line(&self) -> String {
        match self {
            DeviceProof::EnrolledDevice {
                key_id,
                enrolled_at,
                enrolled_os,
            } => format!(
                "sent from the user's enrolled device ({enrolled_os}, key {key_id}, enrolled {}). \
                 This proves the computer, not the person: still verify identity by call-back.",
                enrolled_at.date()
            ),
            DeviceProof::UnverifiedDevice { note } => format!(
                "unverified device ({note}). Verify identity by call-back before any reset."
            ),
        }
    }

    /// A short label for subjects and tags: `enrolled device` or `unverified device`.
    pub fn label(&self) -> &'static str {
        match self {
            DeviceProof::EnrolledDevice { .. } => "enrolled device",
            DeviceProof::UnverifiedDevice { .. } => "unverified device",
        }
    }
}

/// One reset request on its way to the helpdesk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The relay's request id (`rr-` and a UUID); every adapter puts it in
    /// the ticket (subject and a correlation field where the helpdesk has
    /// one) so that [`crate::helpdesks::Helpdesk::find`] can recognise a
    /// ticket an interrupted attempt filed.
    pub request_id: String,
    /// The validated request.
    pub request: ResetRequest,
    pub device_proof: DeviceProof,
    /// When the relay committed it.
    pub accepted_at: OffsetDateTime,
}

impl Ticket {
    /// `MFA reset request for dana@contoso.com (lostPhone), unverified identity [rr-…]`.
    pub fn subject(&self) -> String {
        format!(
            "MFA reset request for {} ({}), {}, identity unverified [{}]",
            self.request.upn,
            self.request.reason,
            self.device_proof.label(),
            self.request_id
        )
    }

    /// The ticket's plain-text body: every field, the device proof and the
    /// runbook, ending with the relay's request id.
    pub fn body(&self) -> String {
        format!(
            "{}\n\nRelay request id: {}",
            self.request.describe(Some(&self.device_proof.line())),
            self.request_id
        )
    }
}
