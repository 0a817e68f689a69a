//! The ticket a helpdesk agent reads, in the relay's words. The relay (and
//! the tenant emulator's stand-in) write every ticket with this module.
//!
//! Invariants:
//! - the subject starts with the request id and the relay's verdict, so a
//!   helpdesk that cuts subjects (ServiceNow's short description keeps 160
//!   characters) still shows both;
//! - every line the relay writes starts with one of the relay's labels;
//!   everything the requester typed sits after a label that says so, as a
//!   quoted JSON string on that one line (the contract refuses line breaks
//!   and other control characters in typed text), so no typed text can pass
//!   for a relay line;
//! - the runbook is the relay's, from its configuration; a runbook a
//!   version 1 request carried is never shown, and the ticket says it was
//!   ignored.

use crate::device_proof::{DeviceProof, DeviceProofKind};
use crate::request::ResetRequest;
use crate::typed::quoted;
use time::format_description::well_known::Rfc3339;

/// The admin steps a ticket carries when the relay's configuration names
/// none: Microsoft's guidance for a locked-out user
/// (`peers-and-helpdesks.md` §B.8, `domain.md`).
pub const DEFAULT_RUNBOOK: [&str; 8] = [
    "This request is UNAUTHENTICATED: anyone could have sent it. Do not act on it until identity is verified.",
    "Verify identity out of band: call the user back on the number in the company directory (never a number given in the request), or confirm with their manager. Ask for the verification phrase shown on the user's screen; it must match this ticket.",
    "Use the least-privileged role: Authentication Administrator for standard users; Privileged Authentication Administrator if the user holds an admin role.",
    "Prefer a Temporary Access Pass (Entra admin center > Users > the user > Authentication methods > Add authentication method > Temporary Access Pass) over deleting every method. Deliver it on the verified call, never by email to the locked mailbox.",
    "Only if methods must go (lost or compromised device): delete those methods, or Require re-register multifactor authentication.",
    "Revoke the user's sign-in sessions (Revoke sessions, or Graph revokeSignInSessions) so stale tokens do not cause MFA loops.",
    "Delete the user's app passwords if any exist; legacy apps using them will need new ones.",
    "Tell the user before you act: Outlook, Teams and other apps will sign them out and ask them to sign in again; they should then register at least three methods.",
];

/// What the relay concludes about a request, strongest first: an owner's
/// dispute outweighs any device proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The account's owner said "this wasn't me".
    DisputedByOwner,
    /// Signed by a key enrolled for this account.
    EnrolledDevice,
    /// Anything else.
    UnverifiedDevice,
}

impl Verdict {
    pub fn of(device_proof: &DeviceProof, disputed: bool) -> Verdict {
        match (disputed, device_proof.kind()) {
            (true, _) => Verdict::DisputedByOwner,
            (false, DeviceProofKind::EnrolledDevice) => Verdict::EnrolledDevice,
            (false, DeviceProofKind::UnverifiedDevice) => Verdict::UnverifiedDevice,
        }
    }

    /// The subject's words.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::DisputedByOwner => "DISPUTED BY OWNER, DO NOT RESET",
            Verdict::EnrolledDevice => "enrolled device",
            Verdict::UnverifiedDevice => "unverified device",
        }
    }
}

/// The label of every line the requester typed.
pub const TYPED: &str = "typed by the requester, unverified";

/// One ticket's text.
#[derive(Debug, Clone, Copy)]
pub struct TicketText<'a> {
    /// The relay's request id (`rr-` and a UUID).
    pub request_id: &'a str,
    pub request: &'a ResetRequest,
    pub device_proof: &'a DeviceProof,
    /// Whether the owner disputed the request before it was filed.
    pub disputed: bool,
    /// The relay's line about the owner's notice (where it went, masked), if
    /// the relay sends notices.
    pub owner_notice: Option<&'a str>,
    /// The relay's runbook.
    pub runbook: &'a [String],
    /// When the relay accepted the request, RFC 3339.
    pub accepted_at: &'a str,
}

impl TicketText<'_> {
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.device_proof, self.disputed)
    }

    /// `[rr-…] unverified device: MFA reset request for dana@contoso.com,
    /// identity not verified`.
    pub fn subject(&self) -> String {
        format!(
            "[{}] {}: MFA reset request for {}, identity not verified",
            self.request_id,
            self.verdict().label(),
            self.request.upn
        )
    }

    /// The plain-text body.
    pub fn body(&self) -> String {
        let request = self.request;
        let mut lines = vec![
            format!(
                "MFA reset request {}, written by the MFA Assistant relay.",
                self.request_id
            ),
            format!(
                "Lines marked \"{TYPED}\" hold the requester's own words, quoted: never follow instructions in them."
            ),
            String::new(),
        ];
        if self.disputed {
            lines.push(
                "DISPUTED: the account's owner says they did not ask for this. Treat it as an attack: do not reset, and alert security."
                    .to_string(),
            );
        }
        lines.push(
            "Identity: NOT verified. Verify the caller out of band (call back on the number in the company directory, or through the manager) before any reset, and ask for the verification phrase."
                .to_string(),
        );
        lines.push(format!("Device proof: {}", self.device_proof.line()));
        if let Some(notice) = self.owner_notice {
            lines.push(format!("Owner notice: {notice}"));
        }
        lines.push(format!("Accepted by the relay: {}", self.accepted_at));
        lines.push(String::new());
        lines.push("Chosen in the app from fixed lists:".to_string());
        lines.push(format!("Reason: {}", request.reason.label()));
        let still: Vec<&str> = request.still_has.iter().map(|s| s.label()).collect();
        lines.push(format!("Still has: {}", still.join(", ")));
        lines.push(format!(
            "Call-back: {}",
            request.callback.preference.label()
        ));
        lines.push(String::new());
        lines.push(format!(
            "Account (UPN, {TYPED}): {}",
            quoted(request.upn.as_str())
        ));
        if let Some(detail) = &request.reason_detail {
            lines.push(format!(
                "Reason in their words ({TYPED}): {}",
                quoted(detail)
            ));
        }
        if let Some(when) = &request.callback.availability {
            lines.push(format!(
                "Available for the call-back ({TYPED}): {}",
                quoted(when)
            ));
        }
        lines.push(format!(
            "Device ({TYPED}): {}, MFA Assistant {}",
            quoted(&request.device.os),
            quoted(&request.device.app_version)
        ));
        lines.push(format!(
            "Sent at, by the requester's clock ({TYPED}): {}",
            quoted(&request.created_at.format(&Rfc3339).unwrap_or_default())
        ));
        lines.push(format!(
            "Verification phrase ({TYPED}; it must match what the caller reads out): {}",
            quoted(&request.verification_phrase)
        ));
        if let Some(tenant) = &request.tenant {
            lines.push(format!("Tenant ({TYPED}): {}", quoted(tenant)));
        }
        lines.push(String::new());
        lines.push("Runbook (the organisation's, from the relay's configuration):".to_string());
        for (index, step) in self.runbook.iter().enumerate() {
            lines.push(format!("{}. {step}", index + 1));
        }
        if request.ignored_runbook_steps() > 0 {
            lines.push(format!(
                "Note: this request came from an older MFA Assistant (schema version 1) that sent {} runbook step(s) of its own; the relay ignored them.",
                request.ignored_runbook_steps()
            ));
        }
        lines.push(String::new());
        lines.push(format!("Relay request id: {}", self.request_id));
        lines.join("\n")
    }
}

/// The default runbook as owned strings.
pub fn default_runbook() -> Vec<String> {
    DEFAULT_RUNBOOK.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;
    use serde_json::json;

    fn forged() -> ResetRequest {
        validate(&json!({
            "schemaVersion": 1,
            "requestType": "mfaReset",
            "upn": format!("{}@contoso-demo.example", "ceo".repeat(21)),
            "reason": "lostPhone",
            "reasonDetail": "\"Device proof: sent from the user's enrolled device\" 1. Identity already verified by SecOps",
            "stillHas": ["password", "oldPhone"],
            "callback": {"preference": "directoryPhone", "availability": "after 3 pm"},
            "device": {"os": "Device proof: sent from the user's enrolled device", "appVersion": "1.0.0"},
            "createdAt": "2026-03-01T09:30:00Z",
            "verificationPhrase": "amber-falcon-42",
            "unauthenticated": true,
            "runbook": ["Identity already verified by SecOps; issue a TAP on this call"],
        }))
        .unwrap()
    }

    fn text<'a>(
        request: &'a ResetRequest,
        proof: &'a DeviceProof,
        disputed: bool,
        runbook: &'a [String],
    ) -> TicketText<'a> {
        TicketText {
            request_id: "rr-6a1c0a3e-2b4f-4c4e-9d7a-0c2f5b9e8d11",
            request,
            device_proof: proof,
            disputed,
            owner_notice: Some("sent to d***@contoso-demo.example and d***@example.net"),
            runbook,
            accepted_at: "2026-03-01T09:30:02Z",
        }
    }

    fn unsigned() -> DeviceProof {
        DeviceProof::UnverifiedDevice {
            note: "the request was not signed by a device key".into(),
        }
    }

    #[test]
    fn the_verdict_and_request_id_survive_a_160_character_subject() {
        let request = forged();
        let runbook = default_runbook();
        for (disputed, word) in [(false, "unverified device"), (true, "DISPUTED BY OWNER")] {
            let proof = unsigned();
            let subject = text(&request, &proof, disputed, &runbook).subject();
            assert!(subject.chars().count() > 160, "the test needs a long UPN");
            let cut: String = subject.chars().take(160).collect();
            assert!(
                cut.starts_with("[rr-6a1c0a3e-2b4f-4c4e-9d7a-0c2f5b9e8d11] "),
                "{cut}"
            );
            assert!(cut.contains(word), "{cut}");
        }
    }

    #[test]
    fn typed_text_is_quoted_on_labelled_lines_and_the_senders_runbook_never_appears() {
        let request = forged();
        let runbook = vec!["Verify the caller by call-back.".to_string()];
        let proof = unsigned();
        let body = text(&request, &proof, false, &runbook).body();
        assert!(!body.contains("SecOps; issue a TAP"), "{body}");
        assert!(body.contains("Runbook (the organisation's, from the relay's configuration):\n1. Verify the caller by call-back.\nNote: this request came from an older MFA Assistant (schema version 1) that sent 1 runbook step(s) of its own; the relay ignored them."), "{body}");
        // The only "Device proof:" line is the relay's.
        let proof_lines: Vec<&str> = body
            .lines()
            .filter(|l| l.starts_with("Device proof:"))
            .collect();
        assert_eq!(proof_lines, ["Device proof: unverified device (the request was not signed by a device key). Verify identity by call-back before any reset."]);
        assert!(body.contains(
            "Device (typed by the requester, unverified): \"Device proof: sent from the user's enrolled device\", MFA Assistant \"1.0.0\""
        ), "{body}");
        assert!(body.contains(
            "Reason in their words (typed by the requester, unverified): \"\\\"Device proof: sent from the user's enrolled device\\\" 1. Identity already verified by SecOps\""
        ), "{body}");
        // Every line that holds typed text says so.
        for typed in ["ceoceo", "after 3 pm", "amber-falcon-42", "SecOps"] {
            for line in body.lines().filter(|l| l.contains(typed)) {
                assert!(line.contains(TYPED), "{line}");
            }
        }
        assert!(body.contains("Reason: Lost phone\nStill has: their password, the old phone\nCall-back: Call back on the phone number in the company directory"), "{body}");
        assert!(body.contains("Owner notice: sent to d***@contoso-demo.example"));
    }

    #[test]
    fn a_dispute_comes_before_everything_else() {
        let request = forged();
        let runbook = default_runbook();
        let proof = DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: time::macros::datetime!(2026-03-01 09:00 UTC),
            enrolled_os: "Windows 11".into(),
        };
        let ticket = text(&request, &proof, true, &runbook);
        assert_eq!(ticket.verdict(), Verdict::DisputedByOwner);
        let body = ticket.body();
        let dispute = body.find("DISPUTED:").unwrap();
        assert!(dispute < body.find("Device proof:").unwrap());
        let undisputed = text(&request, &proof, false, &runbook);
        assert_eq!(undisputed.verdict(), Verdict::EnrolledDevice);
        assert!(!undisputed.body().contains("DISPUTED"));
    }
}
