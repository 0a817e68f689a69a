//! Core errors as the webview receives them: `{code, message, field?}`.
//! The code is what the UI branches on; the message is the core's detail.

use std::collections::VecDeque;
use std::sync::Mutex;

use mfa_core::assistant::{RecentError, RecoveryError, ResetError};
use mfa_core::auth::SignInError;
use mfa_core::graph::GraphError;
use mfa_core::guardrails::Refusal;
use mfa_core::journey::JourneyError;
use mfa_core::session::SessionError;
use mfa_core::token_store::KeychainError;

use crate::wire::{ErrorCode, ErrorView};

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
        ErrorView::new(code, e.to_string())
    }
}

impl From<JourneyError> for ErrorView {
    fn from(e: JourneyError) -> ErrorView {
        let message = e.to_string();
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
        ErrorView::new(code, message)
    }
}

impl From<ResetError> for ErrorView {
    fn from(e: ResetError) -> ErrorView {
        let message = e.to_string();
        match e {
            ResetError::NotConfigured => ErrorView::new(ErrorCode::HelpdeskNotConfigured, message),
            // The form's field, in the webview's spelling.
            ResetError::Form(f) => ErrorView::for_field(ErrorCode::InvalidInput, f.field, message),
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
