//! The app's commands: one per user intent, each declared in `build.rs` and
//! granted to the main window in `src-tauri/capabilities/main-window.json`.
//! They take no free-form input yet; later commands validate every argument
//! (ids, enums, phone numbers) before it can become part of a URL.

use mfa_core::auth::{SignInError, SystemBrowser};
use mfa_core::graph::GraphError;
use mfa_core::session::{Restored, SessionError};
use mfa_core::token_store::KeychainError;
use tauri::State;

use crate::backend::AppState;
use crate::wire::{
    AppInfo, DeviceCodeView, ErrorCode, ErrorView, SecurityInfoView, SessionView, SignOutView,
};

type CommandResult<T> = Result<T, ErrorView>;

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    Ok(state.backend().await?.info.clone())
}

#[tauri::command]
pub async fn restore_session(state: State<'_, AppState>) -> CommandResult<SessionView> {
    let backend = state.backend().await?;
    Ok(match backend.session.restore().await? {
        Restored::SignedIn { upn } => SessionView::SignedIn { upn },
        Restored::SignedOut => SessionView::SignedOut,
        Restored::Expired => SessionView::Expired,
    })
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>) -> CommandResult<SessionView> {
    let backend = state.backend().await?;
    let user = backend
        .session
        .sign_in_with_browser(std::sync::Arc::new(SystemBrowser))
        .await?;
    Ok(SessionView::SignedIn { upn: user.upn })
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> CommandResult<()> {
    state.backend().await?.session.cancel_sign_in();
    Ok(())
}

#[tauri::command]
pub async fn start_device_code_sign_in(
    state: State<'_, AppState>,
) -> CommandResult<DeviceCodeView> {
    let backend = state.backend().await?;
    let (user_code, verification_uri, expires_in) = backend.session.start_device_code().await?;
    let qr_svg = mfa_core::qr::svg_for(&verification_uri).map_err(|message| ErrorView {
        code: ErrorCode::Internal,
        message,
    })?;
    Ok(DeviceCodeView {
        user_code,
        verification_uri,
        expires_in_secs: expires_in.min(u64::from(u32::MAX)) as u32,
        qr_svg,
    })
}

#[tauri::command]
pub async fn finish_device_code_sign_in(state: State<'_, AppState>) -> CommandResult<SessionView> {
    let backend = state.backend().await?;
    let user = backend.session.finish_device_code().await?;
    Ok(SessionView::SignedIn { upn: user.upn })
}

#[tauri::command]
pub async fn load_security_info(state: State<'_, AppState>) -> CommandResult<SecurityInfoView> {
    let backend = state.backend().await?;
    let info = backend.session.security_info().await?;
    crate::launch_marks::methods_shown();
    Ok(SecurityInfoView::from(&info))
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<SignOutView> {
    let backend = state.backend().await?;
    let removed = backend.session.sign_out().await?;
    Ok(SignOutView {
        removed_from_keychain: removed,
    })
}

impl From<SessionError> for ErrorView {
    fn from(e: SessionError) -> ErrorView {
        let message = e.to_string();
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
        ErrorView { code, message }
    }
}
