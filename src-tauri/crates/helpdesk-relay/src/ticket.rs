//! What a helpdesk receives: one ticket per accepted reset request, in the
//! relay's words (`helpdesk_contract::ticket`: the verdict and request id
//! first in the subject, everything the requester typed quoted on lines
//! labelled as theirs, the runbook from the relay's configuration).

use helpdesk_contract::ticket::TicketWords;
use helpdesk_contract::{ResetRequest, TicketText, Verdict};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// What the relay could tell about the computer that sent a request, as
/// values (the ticket words its "Device proof:" line,
/// [`DeviceProof::line_in`]). The contract's type: its JSON, kept in the
/// database, is `{"kind":"enrolledDevice","keyId","enrolledAt","enrolledOs"}`
/// or `{"kind":"unverifiedDevice","reason",…}`; a row an earlier relay
/// wrote (`{"kind":"unverifiedDevice","note"}`) reads as the reason its
/// note names.
pub use helpdesk_contract::device_proof::{DeviceProof, UnverifiedReason};

/// Where the notice to the account's owner stands, as values (the ticket
/// words its "Owner notice:" line).
pub use helpdesk_contract::owner_notice::{NoticeChannel, NoticeRecipient, OwnerNotice};

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
    /// The organisation's runbook (`[ticket]` in the configuration).
    pub runbook: Vec<String>,
    /// The language the ticket is written in (`[ticket] language`): its
    /// labels and the relay's instructions, whatever the user's window
    /// showed; English where the contract has no words for the language.
    pub language: String,
    /// Whether the account's owner disputed the request before it was filed.
    pub disputed: bool,
    /// Where the notice to the account's owner stands (where it went,
    /// masked), when the relay sends notices.
    pub owner_notice: Option<OwnerNotice>,
}

impl Ticket {
    fn text<'a>(&'a self, accepted_at: &'a str) -> TicketText<'a> {
        TicketText {
            request_id: &self.request_id,
            request: &self.request,
            device_proof: &self.device_proof,
            disputed: self.disputed,
            owner_notice: self.owner_notice.as_ref(),
            runbook: &self.runbook,
            accepted_at,
        }
    }

    fn accepted_at_text(&self) -> String {
        self.accepted_at
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.accepted_at.to_string())
    }

    /// What the relay concludes: disputed, enrolled device or unverified.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(&self.device_proof, self.disputed)
    }

    fn words(&self) -> &'static TicketWords {
        helpdesk_contract::ticket::ticket_words(&self.language)
            .unwrap_or(&helpdesk_contract::ticket::ENGLISH)
    }

    /// `[rr-…] unverified device: MFA reset request for dana@contoso.com,
    /// identity not verified` (in the ticket's language).
    pub fn subject(&self) -> String {
        self.text("").subject_in(self.words())
    }

    /// The ticket's plain-text body: the relay's verdict and instructions,
    /// the requester's choices, what they typed (quoted, labelled), the
    /// runbook, ending with the relay's request id.
    pub fn body(&self) -> String {
        self.text(&self.accepted_at_text()).body_in(self.words())
    }
}
