//! Core errors as the webview receives them: `{code, detail, message,
//! field?}`. The code is what the UI branches on; the detail is the values
//! the UI words under its sentence; the message is the core's English, for
//! the log and diagnostics.

use std::collections::VecDeque;
use std::sync::Mutex;

use mfa_core::assistant::{RecentError, RecoveryError, ResetError};
use mfa_core::auth::SignInError;
use mfa_core::config::ConfigError;
use mfa_core::graph::GraphError;
use mfa_core::guardrails::{PhoneNumberError, Refusal};
use mfa_core::helpdesk::FormError;
use mfa_core::journey::JourneyError;
use mfa_core::session::SessionError;
use mfa_core::token_store::KeychainError;

use crate::wire::{
    ErrorCode, ErrorDetail, ErrorView, FormProblem, PhoneProblem, RefusalReason, SignInProblem,
};

impl From<SessionError> for ErrorView {
    fn from(e: SessionError) -> ErrorView {
        let code = match &e {
            SessionError::Keychain(KeychainError::Locked(_)) => ErrorCode::KeychainLocked,
            SessionError::Keychain(_) => ErrorCode::KeychainUnavailable,
            SessionError::SignIn(s) => match s {
                SignInError::Cancelled(_) => ErrorCode::SignInCancelled,
                SignInError::TimedOut(_) => ErrorCode::SignInTimedOut,
                SignInError::BrowserUnavailable(_) => ErrorCode::BrowserUnavailable,
                SignInError::ServiceBusy(_) => ErrorCode::ServiceBusy,
                SignInError::Network(_) => ErrorCode::Network,
                SignInError::StateMismatch
                | SignInError::InvalidGrant(_)
                | SignInError::Rejected(_)
                | SignInError::InvalidIdToken(_)
                | SignInError::Other(_) => ErrorCode::SignInFailed,
            },
            SessionError::Graph(g) => match g {
                GraphError::Busy { .. } => ErrorCode::ServiceBusy,
                g if g.is_not_in_this_cloud() => ErrorCode::NotInThisCloud,
                GraphError::Network(_) => ErrorCode::Network,
                GraphError::Unauthorized { .. }
                | GraphError::Service { .. }
                | GraphError::Unexpected(_) => ErrorCode::ServiceError,
            },
            SessionError::NotSignedIn => ErrorCode::NotSignedIn,
            SessionError::Expired(_) => ErrorCode::SessionExpired,
            SessionError::SignInInProgress => ErrorCode::SignInInProgress,
            SessionError::FreshSignInNeeded(_) => ErrorCode::ConfirmIdentity,
            SessionError::ChangeNotAllowed(_) => ErrorCode::ChangeNotAllowed,
            SessionError::WrongAccount { .. } => ErrorCode::WrongAccount,
        };
        ErrorView::new(code, e.to_string()).with(session_detail(&e))
    }
}

/// The values a session error's sentence leaves out.
fn session_detail(e: &SessionError) -> ErrorDetail {
    let sign_in = |problem, text: &str| ErrorDetail::SignIn {
        problem,
        code: identity_code(text),
    };
    match e {
        SessionError::SignIn(s) => match s {
            SignInError::TimedOut(seconds) => ErrorDetail::Waited {
                seconds: u32::try_from(*seconds).unwrap_or(u32::MAX),
            },
            SignInError::StateMismatch => sign_in(SignInProblem::StateMismatch, ""),
            SignInError::InvalidGrant(t) => sign_in(SignInProblem::CodeRefused, t),
            SignInError::Rejected(t) => sign_in(SignInProblem::Refused, t),
            SignInError::InvalidIdToken(t) => sign_in(SignInProblem::IdToken, t),
            SignInError::ServiceBusy(t) | SignInError::Other(t) => {
                service(None, identity_code(t), None)
            }
            SignInError::Cancelled(_)
            | SignInError::BrowserUnavailable(_)
            | SignInError::Network(_) => ErrorDetail::None,
        },
        SessionError::Graph(g) => match g {
            GraphError::Busy {
                retry_after: Some(after),
                ..
            } => ErrorDetail::RetryAfter {
                seconds: after.as_secs_f64().ceil().min(f64::from(u32::MAX)) as u32,
            },
            GraphError::Unauthorized { code, .. } => service(
                Some(401),
                Some(code.clone()).filter(|c| !c.is_empty()),
                None,
            ),
            GraphError::Service {
                status,
                code,
                request_id,
                ..
            } => service(
                Some(*status),
                Some(code.clone()).filter(|c| !c.is_empty()),
                request_id.clone(),
            ),
            GraphError::Busy { .. } | GraphError::Network(_) | GraphError::Unexpected(_) => {
                ErrorDetail::None
            }
        },
        SessionError::Expired(t) | SessionError::ChangeNotAllowed(t) => {
            match identity_code(t).or_else(|| graph_code(t)) {
                Some(code) => service(None, Some(code), None),
                None => ErrorDetail::None,
            }
        }
        SessionError::WrongAccount {
            signed_in,
            confirmed,
        } => ErrorDetail::Accounts {
            signed_in: signed_in.clone(),
            confirmed: confirmed.clone(),
        },
        SessionError::Keychain(_)
        | SessionError::NotSignedIn
        | SessionError::SignInInProgress
        | SessionError::FreshSignInNeeded(_) => ErrorDetail::None,
    }
}

fn service(status: Option<u16>, code: Option<String>, request_id: Option<String>) -> ErrorDetail {
    ErrorDetail::Service {
        status,
        code,
        request_id,
    }
}

/// The identity platform's `AADSTS<digits>` code in its error text, if any:
/// the one value from it that IT can look up.
fn identity_code(text: &str) -> Option<String> {
    let at = text.find("AADSTS")?;
    let digits: String = text[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("AADSTS{digits}"))
}

/// A text that is one of Graph's error codes (`accessDenied`,
/// `Authorization_RequestDenied`): letters, digits and `_`, nothing else.
fn graph_code(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()
        && text.len() <= 64
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then(|| text.to_owned())
}

/// A guardrail's reason and its numbers.
fn refusal_detail(r: &Refusal) -> ErrorDetail {
    let reason = |reason| ErrorDetail::Refusal {
        reason,
        after: None,
        required: None,
        phone_type: None,
        method: None,
    };
    let phone = |reason, phone_type: &mfa_core::security_info::PhoneType| ErrorDetail::Refusal {
        reason,
        after: None,
        required: None,
        phone_type: Some(phone_type.as_graph().to_owned()),
        method: None,
    };
    match r {
        Refusal::NotFound { .. } | Refusal::ReplacementMissing { .. } => ErrorDetail::None,
        Refusal::PasswordCannotBeRemoved => reason(RefusalReason::PasswordCannotBeRemoved),
        Refusal::LastMethod => reason(RefusalReason::LastMethod),
        Refusal::BelowRequired { after, required } => ErrorDetail::Refusal {
            reason: RefusalReason::BelowRequired,
            after: Some(*after),
            required: Some(*required),
            phone_type: None,
            method: None,
        },
        Refusal::IsDefault { .. } => reason(RefusalReason::IsDefault),
        Refusal::ReplacementNotVerified { .. } => reason(RefusalReason::ReplacementNotVerified),
        Refusal::MobileNeededByAlternate => reason(RefusalReason::MobileNeededByAlternate),
        Refusal::PhoneTypeTaken { phone_type, .. } => {
            phone(RefusalReason::PhoneTypeTaken, phone_type)
        }
        Refusal::AlternateNeedsMobile => reason(RefusalReason::AlternateNeedsMobile),
        Refusal::DuplicateNumber { phone_type } => {
            phone(RefusalReason::DuplicateNumber, phone_type)
        }
        Refusal::UnchangedNumber => reason(RefusalReason::UnchangedNumber),
        Refusal::NotAPhone { .. } => reason(RefusalReason::NotAPhone),
        Refusal::NoMethodForDefault(method) => ErrorDetail::Refusal {
            reason: RefusalReason::NoMethodForDefault,
            after: None,
            required: None,
            phone_type: None,
            method: Some(method.as_graph()),
        },
        Refusal::AlreadyDefault => reason(RefusalReason::AlreadyDefault),
    }
}

/// A typed phone number's problem; `again`, the second typing when the two
/// differ, so the window can show both as the back end reads them.
pub(crate) fn phone_number_detail(e: &PhoneNumberError, first: &str) -> ErrorDetail {
    use mfa_core::guardrails::{PhoneNumber, PhoneProblem as Core};
    let normalised = |typed: &str| {
        PhoneNumber::parse(typed)
            .ok()
            .map(|n| n.as_str().to_owned())
    };
    let (problem, first, again) = match e.kind {
        Core::Empty => (PhoneProblem::Empty, None, None),
        Core::NoPlus => (PhoneProblem::NoPlus, None, None),
        Core::NoSpace => (PhoneProblem::NoSpace, None, None),
        Core::Country => (PhoneProblem::Country, None, None),
        Core::Digits => (PhoneProblem::Digits, None, None),
        Core::Length => (PhoneProblem::Length, None, None),
        Core::Extension => (PhoneProblem::Extension, None, None),
        Core::Differ => (
            PhoneProblem::Differ,
            normalised(first),
            normalised(&e.typed),
        ),
    };
    ErrorDetail::PhoneNumber {
        problem,
        first,
        again,
    }
}

/// A reset-form field's problem, with its limits.
fn form_detail(e: &FormError) -> ErrorDetail {
    use mfa_core::helpdesk::FormProblem as Core;
    let only = |problem| ErrorDetail::FormField {
        problem,
        domain: None,
        max: None,
        length: None,
        domains: None,
    };
    match &e.kind {
        Core::UpnEmpty => only(FormProblem::UpnEmpty),
        Core::UpnShape => only(FormProblem::UpnShape),
        Core::UpnDomain { domain, domains } => ErrorDetail::FormField {
            problem: FormProblem::UpnDomain,
            domain: Some(domain.clone()),
            max: None,
            length: None,
            domains: Some(domains.clone()),
        },
        Core::TooLong { max, length } => ErrorDetail::FormField {
            problem: FormProblem::TooLong,
            domain: None,
            max: u32::try_from(*max).ok(),
            length: u32::try_from(*length).ok(),
            domains: None,
        },
        Core::Hidden => only(FormProblem::Hidden),
        Core::DetailNeeded => only(FormProblem::DetailNeeded),
        Core::StillHasEmpty => only(FormProblem::StillHasEmpty),
        Core::NothingAlone => only(FormProblem::NothingAlone),
        Core::Contract => only(FormProblem::Contract),
    }
}

/// A configuration file's problem: the file and key, worded by the window;
/// the English why in the message.
impl From<ConfigError> for ErrorView {
    fn from(e: ConfigError) -> ErrorView {
        let detail = ErrorDetail::Setting {
            file: e.file.display().to_string(),
            key: e.key.clone(),
        };
        ErrorView::new(ErrorCode::ConfigInvalid, e.to_string()).with(detail)
    }
}

impl From<JourneyError> for ErrorView {
    fn from(e: JourneyError) -> ErrorView {
        let message = e.to_string();
        let detail = match &e {
            JourneyError::Refused(r) => refusal_detail(r),
            _ => ErrorDetail::None,
        };
        let code = match e {
            JourneyError::Session(s) => return ErrorView::from(s),
            JourneyError::Refused(Refusal::NotFound { .. })
            | JourneyError::Refused(Refusal::ReplacementMissing { .. }) => ErrorCode::MethodGone,
            JourneyError::Refused(_) => ErrorCode::ChangeRefused,
            JourneyError::NotVerified(_) => ErrorCode::ChangeNotVerified,
            JourneyError::Storage(_) => ErrorCode::Internal,
            JourneyError::Invalid(_) => ErrorCode::InvalidInput,
            JourneyError::Busy => ErrorCode::JourneyBusy,
        };
        ErrorView::new(code, message).with(detail)
    }
}

impl From<ResetError> for ErrorView {
    fn from(e: ResetError) -> ErrorView {
        let message = e.to_string();
        match e {
            ResetError::NotConfigured => ErrorView::new(ErrorCode::HelpdeskNotConfigured, message),
            // The form's field, in the webview's spelling.
            ResetError::Form(f) => ErrorView::for_field(ErrorCode::InvalidInput, f.field, message)
                .with(form_detail(&f)),
            ResetError::DraftGone => ErrorView::new(ErrorCode::InvalidInput, message),
            ResetError::Storage(_) => ErrorView::new(ErrorCode::Internal, message),
        }
    }
}

impl From<RecoveryError> for ErrorView {
    fn from(e: RecoveryError) -> ErrorView {
        let message = e.to_string();
        match e {
            RecoveryError::NotTurnedOn => ErrorView::new(ErrorCode::NotConfigured, message),
            RecoveryError::Browser(_) => ErrorView::new(ErrorCode::BrowserUnavailable, message),
        }
    }
}

/// The last errors the window was shown, newest last, for diagnostics.
/// Process-wide, like the log: every `ErrorView` is made through
/// [`ErrorView::new`], which records it here.
static RECENT: Mutex<VecDeque<RecentError>> = Mutex::new(VecDeque::new());

/// How many recent errors diagnostics shows.
const KEPT: usize = 20;

pub(crate) fn record(view: &ErrorView) {
    let mut recent = RECENT.lock().unwrap_or_else(|p| p.into_inner());
    if recent.len() == KEPT {
        recent.pop_front();
    }
    recent.push_back(RecentError {
        at: time::OffsetDateTime::now_utc(),
        code: serde_json::to_value(view.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        message: view.message.clone(),
    });
}

/// The errors recorded so far, oldest first.
pub fn recent() -> Vec<RecentError> {
    RECENT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mfa_core::security_info::{MethodId, PhoneType, SecondaryMethod};
    use serde_json::json;

    fn detail(view: ErrorView) -> serde_json::Value {
        serde_json::to_value(view.detail).unwrap()
    }

    #[test]
    fn graph_answers_cross_as_status_code_and_request_id() {
        let e = SessionError::Graph(GraphError::Service {
            status: 403,
            code: "accessDenied".into(),
            message: "Request Authorization failed (Microsoft's English)".into(),
            request_id: Some("b6d1-42".into()),
        });
        let view = ErrorView::from(e);
        assert_eq!(view.code, ErrorCode::ServiceError);
        assert_eq!(
            detail(view),
            json!({"kind": "service", "status": 403, "code": "accessDenied", "requestId": "b6d1-42"})
        );
        let busy = ErrorView::from(SessionError::Graph(GraphError::Busy {
            status: 429,
            retry_after: Some(std::time::Duration::from_millis(2500)),
        }));
        assert_eq!(detail(busy), json!({"kind": "retryAfter", "seconds": 3}));
    }

    #[test]
    fn sign_in_problems_carry_the_identity_platforms_code_only() {
        let e = SessionError::SignIn(SignInError::Rejected(
            "invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: 1".into(),
        ));
        assert_eq!(
            detail(ErrorView::from(e)),
            json!({"kind": "signIn", "problem": "refused", "code": "AADSTS7000215"})
        );
        let e = SessionError::SignIn(SignInError::StateMismatch);
        assert_eq!(
            detail(ErrorView::from(e)),
            json!({"kind": "signIn", "problem": "stateMismatch"})
        );
        let e = SessionError::SignIn(SignInError::TimedOut(300));
        assert_eq!(
            detail(ErrorView::from(e)),
            json!({"kind": "waited", "seconds": 300})
        );
        // A text that is not a code is not passed on as one.
        let e = SessionError::ChangeNotAllowed("the tenant said no (in English)".into());
        assert_eq!(detail(ErrorView::from(e)), json!({"kind": "none"}));
        let e = SessionError::ChangeNotAllowed("accessDenied".into());
        assert_eq!(
            detail(ErrorView::from(e)),
            json!({"kind": "service", "code": "accessDenied"})
        );
    }

    #[test]
    fn refusals_cross_as_the_rule_and_its_numbers() {
        let refused = |r: Refusal| detail(ErrorView::from(JourneyError::Refused(r)));
        assert_eq!(
            refused(Refusal::BelowRequired {
                after: 1,
                required: 2
            }),
            json!({"kind": "refusal", "reason": "belowRequired", "after": 1, "required": 2})
        );
        assert_eq!(
            refused(Refusal::DuplicateNumber {
                phone_type: PhoneType::AlternateMobile
            }),
            json!({"kind": "refusal", "reason": "duplicateNumber", "phoneType": "alternateMobile"})
        );
        assert_eq!(
            refused(Refusal::NoMethodForDefault(SecondaryMethod::VoiceOffice)),
            json!({"kind": "refusal", "reason": "noMethodForDefault", "method": "voiceOffice"})
        );
        // A method that is gone has its own code and needs no values.
        let gone = ErrorView::from(JourneyError::Refused(Refusal::NotFound {
            id: MethodId::parse("abc").unwrap(),
        }));
        assert_eq!(gone.code, ErrorCode::MethodGone);
        assert_eq!(detail(gone), json!({"kind": "none"}));
    }

    #[test]
    fn a_wrong_setting_names_its_file_and_key_and_keeps_the_why_for_diagnostics() {
        let e = ConfigError {
            file: "/etc/mfa-assistant/config.toml".into(),
            key: Some("cloud".into()),
            problem: "\"mars\" is not a cloud".into(),
        };
        let view = ErrorView::from(e);
        assert_eq!(view.code, ErrorCode::ConfigInvalid);
        assert!(view.message.contains("mars"), "{}", view.message);
        assert_eq!(
            detail(view),
            json!({"kind": "setting", "file": "/etc/mfa-assistant/config.toml", "key": "cloud"})
        );
    }
}
