//! What a helpdesk receives: one ticket per accepted reset request.

use helpdesk_contract::ResetRequest;
use time::OffsetDateTime;

/// What the relay could tell about the computer that sent a request, with
/// the ticket's "Device proof:" line ([`DeviceProof::line`]) and label. The
/// contract's type: its JSON, kept in the database, is
/// `{"kind":"enrolledDevice","keyId","enrolledAt","enrolledOs"}` or
/// `{"kind":"unverifiedDevice","note"}`.
pub use helpdesk_contract::device_proof::DeviceProof;

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
