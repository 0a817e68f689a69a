//! What the locked-out triage offers, and in which order: pure, so the
//! window only shows what this decides.
//!
//! Entra account recovery (a government ID and a face check, then a
//! Temporary Access Pass; Microsoft Learn, concept-account-recovery-overview)
//! is for a user who lost every sign-in method. Where the organisation turned
//! it on (`account_recovery = true`), the triage offers it first for the
//! reasons that mean the methods are gone or out of reach, with the
//! helpdesk request beneath it as the fallback (recovery refuses a name
//! that does not match the ID exactly, and then only the helpdesk can help).
//! It is not offered where it cannot help: prompts that do not arrive and
//! rejected codes have self-help that keeps the methods the user has, and a
//! sign-in policy that blocks the user blocks a recovered sign-in too.

use helpdesk_contract::Reason;

/// One thing the triage offers for a reason, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Entra account recovery: ID document and face check, then a pass.
    AccountRecovery,
    /// "Request an admin reset" through the helpdesk.
    HelpdeskRequest,
}

/// Whether Entra account recovery can help a user who gave this reason.
pub fn recovery_helps(reason: Reason) -> bool {
    match reason {
        Reason::LostPhone
        | Reason::BrokenPhone
        | Reason::NewPhone
        | Reason::NumberChanged
        | Reason::Other => true,
        Reason::PromptsNotArriving | Reason::CodesRejected | Reason::BlockedByPolicy => false,
    }
}

/// What the triage offers for `reason`, first things first, when the
/// organisation has (`account_recovery`) or has not turned recovery on.
/// The helpdesk request is always there, last.
pub fn offers(reason: Reason, account_recovery: bool) -> Vec<Offer> {
    if account_recovery && recovery_helps(reason) {
        vec![Offer::AccountRecovery, Offer::HelpdeskRequest]
    } else {
        vec![Offer::HelpdeskRequest]
    }
}

/// The reasons for which the triage offers account recovery first (empty
/// when the organisation has not turned it on), in the contract's order.
pub fn recovery_reasons(account_recovery: bool) -> Vec<Reason> {
    Reason::ALL
        .iter()
        .copied()
        .filter(|r| offers(*r, account_recovery).first() == Some(&Offer::AccountRecovery))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_the_triage_is_as_before_for_every_reason() {
        for r in Reason::ALL {
            assert_eq!(offers(*r, false), vec![Offer::HelpdeskRequest], "{r:?}");
        }
        assert!(recovery_reasons(false).is_empty());
    }

    #[test]
    fn on_recovery_comes_first_with_the_helpdesk_beneath_where_methods_are_gone() {
        for r in [
            Reason::LostPhone,
            Reason::BrokenPhone,
            Reason::NewPhone,
            Reason::NumberChanged,
            Reason::Other,
        ] {
            assert_eq!(
                offers(r, true),
                vec![Offer::AccountRecovery, Offer::HelpdeskRequest],
                "{r:?}"
            );
        }
    }

    #[test]
    fn on_recovery_is_not_offered_where_it_cannot_help() {
        for r in [
            Reason::PromptsNotArriving,
            Reason::CodesRejected,
            Reason::BlockedByPolicy,
        ] {
            assert_eq!(offers(r, true), vec![Offer::HelpdeskRequest], "{r:?}");
        }
    }

    #[test]
    fn the_reasons_listed_are_exactly_those_offered_first() {
        let listed = recovery_reasons(true);
        assert_eq!(
            listed,
            vec![
                Reason::LostPhone,
                Reason::BrokenPhone,
                Reason::NewPhone,
                Reason::NumberChanged,
                Reason::Other
            ]
        );
        for r in Reason::ALL {
            assert_eq!(listed.contains(r), recovery_helps(*r), "{r:?}");
        }
    }
}
