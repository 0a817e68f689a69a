//! The typed steps of a journey. Steps carry only ids, kinds and phone
//! numbers the user typed: nothing secret. Every value is checked when it
//! is made (a plan, or the journey file being read), never again when the
//! step runs.

use crate::guardrails::{Concern, PhoneNumber};
use crate::security_info::{AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod};

/// What the user registers on the Security Info page while the app watches Graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// Microsoft Authenticator on a (new) phone.
    Authenticator,
    /// A passkey in Microsoft Authenticator on the (new) phone: a FIDO2
    /// method with Authenticator's `aaGuid`.
    AuthenticatorPasskey,
    /// An authenticator app with codes (TOTP).
    AuthenticatorApp,
    /// A security key or passkey.
    SecurityKey,
    /// A phone number of this type, when the app may not add it itself.
    Phone {
        phone_type: PhoneType,
        number: PhoneNumber,
    },
}

impl Registration {
    /// A stable name for the UI's message catalogue (as in the journey file).
    pub fn name(&self) -> &'static str {
        match self {
            Registration::Authenticator => "authenticator",
            Registration::AuthenticatorPasskey => "authenticatorPasskey",
            Registration::AuthenticatorApp => "authenticatorApp",
            Registration::SecurityKey => "securityKey",
            Registration::Phone { .. } => "phone",
        }
    }

    /// Whether `m` is a registration of this kind that did not exist before.
    pub(super) fn matches(&self, m: &AuthMethod, known: &[MethodId]) -> bool {
        if known.contains(&m.id) {
            // A phone keeps Graph's fixed id: a new number shows in place.
            return self.is_this_phone(m);
        }
        match self {
            Registration::Authenticator => {
                matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. })
            }
            Registration::AuthenticatorPasskey => m.kind.authenticator_passkey().is_some(),
            Registration::AuthenticatorApp => matches!(m.kind, MethodKind::SoftwareOath),
            Registration::SecurityKey => matches!(
                m.kind,
                MethodKind::Fido2 { .. }
                    | MethodKind::WindowsHelloForBusiness { .. }
                    | MethodKind::PlatformCredential { .. }
            ),
            Registration::Phone { .. } => self.is_this_phone(m),
        }
    }

    /// Whether a registration of this kind takes over from `old` when a
    /// journey removes it (the new phone's passkey from the old phone's).
    pub(super) fn replaces(&self, old: &MethodKind) -> bool {
        match self {
            Registration::AuthenticatorPasskey => old.authenticator_passkey().is_some(),
            Registration::Authenticator => {
                matches!(old, MethodKind::MicrosoftAuthenticator { .. })
            }
            _ => false,
        }
    }

    /// Whether `m` is the phone this registration asks for (type and number).
    fn is_this_phone(&self, m: &AuthMethod) -> bool {
        match (self, &m.kind) {
            (
                Registration::Phone { phone_type, number },
                MethodKind::Phone {
                    number: n,
                    phone_type: t,
                },
            ) => t == phone_type && n == number.as_str(),
            _ => false,
        }
    }
}

/// One step of a journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The user confirms it's them (fresh MFA) so changes are accepted.
    ConfirmIdentity,
    /// The user registers something on the Security Info page; the app
    /// watches Graph for a registration it did not know.
    Register {
        registration: Registration,
        known_ids: Vec<MethodId>,
        found: Option<MethodId>,
    },
    /// The user says the new method works (the test prompt arrived and was
    /// approved). `method` is what the step before found.
    ConfirmWorks { method: Option<MethodId> },
    /// Make this prompt the default.
    SetDefault { choice: SecondaryMethod },
    /// Add a phone through Graph.
    AddPhone {
        phone_type: PhoneType,
        number: PhoneNumber,
    },
    /// A new number for the phone of this type, through Graph. No plan makes
    /// this step any more (a replaced number is proven on the Security Info
    /// page first); it runs for a journey saved by an earlier version.
    UpdatePhone {
        phone_type: PhoneType,
        number: PhoneNumber,
    },
    /// Remove a method. `replaced_by_new`: the new phone's registration (the
    /// `Register` step) is the step-verified replacement. `raised` are the
    /// guardrail's concerns at the last attempt, `accepted` the kinds the
    /// user said "yes" to.
    Remove {
        id: MethodId,
        replaced_by_new: bool,
        accepted: Vec<ConcernKind>,
        raised: Vec<Concern>,
    },
    /// Read Graph and check the journey's outcome really happened.
    Verify,
}

impl Step {
    /// Whether the app itself changes the account at this step (so the
    /// journey needs a fresh confirmation first); `Register` and
    /// `ConfirmWorks` happen on the Security Info page and the phone.
    pub fn writes(&self) -> bool {
        match self {
            Step::SetDefault { .. }
            | Step::AddPhone { .. }
            | Step::UpdatePhone { .. }
            | Step::Remove { .. } => true,
            Step::ConfirmIdentity
            | Step::Register { .. }
            | Step::ConfirmWorks { .. }
            | Step::Verify => false,
        }
    }

    /// A stable name for the UI's message catalogue.
    pub fn name(&self) -> &'static str {
        match self {
            Step::ConfirmIdentity => "confirmIdentity",
            Step::Register { .. } => "register",
            Step::ConfirmWorks { .. } => "confirmWorks",
            Step::SetDefault { .. } => "setDefault",
            Step::AddPhone { .. } => "addPhone",
            Step::UpdatePhone { .. } => "updatePhone",
            Step::Remove { .. } => "remove",
            Step::Verify => "verify",
        }
    }
}

/// Which concern, without its figures: what a user's acceptance records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernKind {
    BelowRecommended,
    SingleDevice,
    LosesPhishingResistance,
}

impl ConcernKind {
    pub fn of(c: &Concern) -> ConcernKind {
        match c {
            Concern::BelowRecommended { .. } => ConcernKind::BelowRecommended,
            Concern::SingleDevice => ConcernKind::SingleDevice,
            Concern::LosesPhishingResistance => ConcernKind::LosesPhishingResistance,
        }
    }

    /// A stable name (the UI's catalogue, the journey file).
    pub fn name(self) -> &'static str {
        match self {
            ConcernKind::BelowRecommended => "belowRecommended",
            ConcernKind::SingleDevice => "singleDevice",
            ConcernKind::LosesPhishingResistance => "losesPhishingResistance",
        }
    }

    pub fn from_name(name: &str) -> Option<ConcernKind> {
        match name {
            "belowRecommended" => Some(ConcernKind::BelowRecommended),
            "singleDevice" => Some(ConcernKind::SingleDevice),
            "losesPhishingResistance" => Some(ConcernKind::LosesPhishingResistance),
            _ => None,
        }
    }
}

/// A stable name for a concern (saved with the user's acceptance).
pub fn concern_name(c: &Concern) -> String {
    ConcernKind::of(c).name().to_owned()
}

/// What the last attempt at the current step said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The user said the new method does not work (nothing is removed).
    NotWorking,
    /// Graph refused the app's write for this reason: the Security Info
    /// page took the step over.
    NotAllowed { reason: String },
}

const NOT_ALLOWED: &str = "notAllowed: ";

impl Note {
    /// Reads the text form ([`Note`]'s `Display`): `notWorking` or
    /// `notAllowed: <reason>`.
    pub fn parse(text: &str) -> Result<Note, String> {
        if text == "notWorking" {
            return Ok(Note::NotWorking);
        }
        match text.strip_prefix(NOT_ALLOWED) {
            Some(reason) => Ok(Note::NotAllowed {
                reason: reason.to_owned(),
            }),
            None => Err(format!(
                "a note is \"notWorking\" or \"{NOT_ALLOWED}<reason>\"; got {text:?}"
            )),
        }
    }
}

/// The text form, as the journey file and the UI have it.
impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::NotWorking => f.write_str("notWorking"),
            Note::NotAllowed { reason } => write!(f, "{NOT_ALLOWED}{reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::fixtures::{app, phone};
    use time::macros::datetime;

    #[test]
    fn a_registration_is_new_only_if_its_id_was_not_known() {
        let known = vec![MethodId::parse("old-app").unwrap()];
        let old = app("old-app", "Pixel 6", datetime!(2023-05-01 0:00 UTC));
        let new = app("new-app", "Pixel 9", datetime!(2026-11-22 9:00 UTC));
        assert!(!Registration::Authenticator.matches(&old, &known));
        assert!(Registration::Authenticator.matches(&new, &known));
        assert!(!Registration::SecurityKey.matches(&new, &known));
        // A phone registered on the page is recognised by type and number,
        // even though its id is the fixed one the app already knew.
        let wanted = Registration::Phone {
            phone_type: PhoneType::Mobile,
            number: PhoneNumber::parse("+44 7700900999").unwrap(),
        };
        let known = vec![MethodId::parse(PhoneType::Mobile.method_id()).unwrap()];
        assert!(!wanted.matches(&phone(PhoneType::Mobile, "+44 7700900123"), &known));
        assert!(wanted.matches(&phone(PhoneType::Mobile, "+44 7700900999"), &known));
        assert!(!wanted.matches(&phone(PhoneType::Office, "+44 7700900999"), &known));
    }

    #[test]
    fn a_note_reads_back_what_it_writes_and_nothing_else() {
        for note in [
            Note::NotWorking,
            Note::NotAllowed {
                reason: "Forbidden: policy".into(),
            },
            Note::NotAllowed { reason: "".into() },
        ] {
            assert_eq!(Note::parse(&note.to_string()), Ok(note));
        }
        assert_eq!(
            Note::NotAllowed { reason: "x".into() }.to_string(),
            "notAllowed: x"
        );
        for bad in ["", "notworking", "notAllowed", "notAllowed:x", "busy"] {
            assert!(Note::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn concern_kinds_have_one_name_each_both_ways() {
        let all = [
            Concern::BelowRecommended {
                after: 1,
                recommended: 3,
            },
            Concern::SingleDevice,
            Concern::LosesPhishingResistance,
        ];
        for c in &all {
            let kind = ConcernKind::of(c);
            assert_eq!(ConcernKind::from_name(kind.name()), Some(kind));
            assert_eq!(concern_name(c), kind.name());
        }
        assert_eq!(ConcernKind::from_name("tooFew"), None);
    }
}
