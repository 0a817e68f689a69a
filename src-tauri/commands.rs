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
    Ok(SecurityInfoView::new(&info, backend.floor))
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

// ---- Changing Security Info: the guided journeys -------------------------
//
// Each command checks its arguments (phone types, numbers, prompts, method
// ids) before anything is sent, and delegates to `mfa_core::assistant`,
// which runs the journey under its locks and saves it; the answer is the
// journey where it stands (`Journey::waiting`).

use mfa_core::assistant::Answer;
use mfa_core::guardrails::PhoneNumber;
use mfa_core::journey::{Journey, JourneyError, Registration};
use mfa_core::security_info::{MethodId, PhoneType, SecondaryMethod};

use crate::wire::{ActivityView, ExportView, JourneyView};

fn internal(message: String) -> ErrorView {
    ErrorView {
        code: ErrorCode::Internal,
        message,
    }
}

fn invalid(message: String) -> ErrorView {
    ErrorView {
        code: ErrorCode::InvalidInput,
        message,
    }
}

impl From<JourneyError> for ErrorView {
    fn from(e: JourneyError) -> ErrorView {
        let message = e.to_string();
        match e {
            JourneyError::Session(s) => ErrorView::from(s),
            JourneyError::Refused(r) => ErrorView {
                code: match r {
                    mfa_core::guardrails::Refusal::NotFound { .. }
                    | mfa_core::guardrails::Refusal::ReplacementMissing { .. } => {
                        ErrorCode::MethodGone
                    }
                    _ => ErrorCode::ChangeRefused,
                },
                message,
            },
            JourneyError::NotVerified(_) => ErrorView {
                code: ErrorCode::ChangeNotVerified,
                message,
            },
            JourneyError::Storage(_) => ErrorView {
                code: ErrorCode::Internal,
                message,
            },
            JourneyError::Invalid(_) => ErrorView {
                code: ErrorCode::InvalidInput,
                message,
            },
            JourneyError::Busy => ErrorView {
                code: ErrorCode::JourneyBusy,
                message,
            },
        }
    }
}

fn view(backend: &crate::backend::Backend, journey: &Journey) -> JourneyView {
    JourneyView::new(
        journey,
        backend.security_info_url.as_str(),
        backend.security_info_qr_svg.clone(),
    )
}

/// Where the signed-in user's journey stands, without sending anything.
#[tauri::command]
pub async fn current_journey(state: State<'_, AppState>) -> CommandResult<Option<JourneyView>> {
    let backend = state.backend().await?;
    let journey = backend.assistant.current_journey().await?;
    Ok(journey.map(|j| view(&backend, &j)))
}

#[tauri::command]
pub async fn start_new_phone(
    state: State<'_, AppState>,
    old_device_lost: bool,
) -> CommandResult<JourneyView> {
    let backend = state.backend().await?;
    let journey = backend.assistant.start_new_phone(old_device_lost).await?;
    Ok(view(&backend, &journey))
}

fn parse_phone_type(s: &str) -> CommandResult<PhoneType> {
    PhoneType::from_graph(s).ok_or_else(|| {
        invalid(format!(
            "a phone type is \"mobile\", \"alternateMobile\" or \"office\"; got {s:?}"
        ))
    })
}

#[tauri::command]
pub async fn change_phone_number(
    state: State<'_, AppState>,
    phone_type: String,
    number: String,
    replacing: Option<String>,
) -> CommandResult<JourneyView> {
    let phone_type = parse_phone_type(&phone_type)?;
    let replacing = replacing.as_deref().map(parse_phone_type).transpose()?;
    let number = PhoneNumber::parse(&number).map_err(|e| invalid(e.to_string()))?;
    let backend = state.backend().await?;
    let journey = backend
        .assistant
        .change_phone_number(phone_type, &number, replacing)
        .await?;
    Ok(view(&backend, &journey))
}

#[tauri::command]
pub async fn choose_default(
    state: State<'_, AppState>,
    choice: String,
) -> CommandResult<JourneyView> {
    let choice = match SecondaryMethod::from_graph(&choice) {
        SecondaryMethod::Unknown(other) => {
            return Err(invalid(format!(
                "a default is one of push, oath, sms, voiceMobile, voiceAlternateMobile, voiceOffice; got {other:?}"
            )))
        }
        known => known,
    };
    let backend = state.backend().await?;
    let journey = backend.assistant.choose_default(&choice).await?;
    Ok(view(&backend, &journey))
}

#[tauri::command]
pub async fn add_method(
    state: State<'_, AppState>,
    registration: String,
) -> CommandResult<JourneyView> {
    let registration = match registration.as_str() {
        "authenticator" => Registration::Authenticator,
        "authenticatorApp" => Registration::AuthenticatorApp,
        "securityKey" => Registration::SecurityKey,
        other => {
            return Err(invalid(format!(
                "a method to add is authenticator, authenticatorApp or securityKey; got {other:?}"
            )))
        }
    };
    let backend = state.backend().await?;
    let journey = backend.assistant.add_method(registration).await?;
    Ok(view(&backend, &journey))
}

#[tauri::command]
pub async fn remove_method(state: State<'_, AppState>, id: String) -> CommandResult<JourneyView> {
    let id = MethodId::parse(&id).map_err(invalid)?;
    let backend = state.backend().await?;
    let journey = backend.assistant.remove_method(&id).await?;
    Ok(view(&backend, &journey))
}

/// Runs the journey on from where it stands (after the user acted in the
/// browser, or to check Graph again).
#[tauri::command]
pub async fn continue_journey(state: State<'_, AppState>) -> CommandResult<JourneyView> {
    let backend = state.backend().await?;
    let journey = backend.assistant.continue_journey().await?;
    Ok(view(&backend, &journey))
}

/// The user's answer at a step: `works`, `notWorking` or `acceptConcerns`.
#[tauri::command]
pub async fn answer_journey(
    state: State<'_, AppState>,
    answer: String,
) -> CommandResult<JourneyView> {
    let answer = match answer.as_str() {
        "works" => Answer::Works,
        "notWorking" => Answer::NotWorking,
        "acceptConcerns" => Answer::AcceptConcerns,
        other => {
            return Err(invalid(format!(
                "an answer is works, notWorking or acceptConcerns; got {other:?}"
            )))
        }
    };
    let backend = state.backend().await?;
    let journey = backend.assistant.answer(answer).await?;
    Ok(view(&backend, &journey))
}

/// "Confirm it's you": a sign-in in the browser with a fresh MFA.
#[tauri::command]
pub async fn confirm_identity(state: State<'_, AppState>) -> CommandResult<()> {
    let backend = state.backend().await?;
    backend
        .session
        .confirm_identity(std::sync::Arc::new(SystemBrowser))
        .await?;
    Ok(())
}

/// Opens the Security Info page in the browser, for the signed-in account.
#[tauri::command]
pub async fn open_security_info(state: State<'_, AppState>) -> CommandResult<()> {
    let backend = state.backend().await?;
    let mut url = backend.security_info_url.clone();
    if let Some(upn) = backend.session.signed_in_upn().await {
        url.query_pairs_mut().append_pair("login_hint", &upn);
    }
    tokio::task::spawn_blocking(move || {
        use mfa_core::auth::BrowserOpener;
        SystemBrowser.open(&url)
    })
    .await
    .map_err(|e| internal(e.to_string()))?
    .map_err(|e| ErrorView {
        code: ErrorCode::BrowserUnavailable,
        message: e,
    })
}

/// Stops following the journey. Steps already done stay done (and are in
/// the activity log); nothing half-done is left, because each step finishes
/// or is not sent.
#[tauri::command]
pub async fn end_journey(state: State<'_, AppState>) -> CommandResult<()> {
    let backend = state.backend().await?;
    Ok(backend.assistant.end_journey().await?)
}

/// The signed-in user's activity, newest first.
#[tauri::command]
pub async fn activity_log(state: State<'_, AppState>) -> CommandResult<Vec<ActivityView>> {
    let backend = state.backend().await?;
    let entries = backend.assistant.activity().await?;
    Ok(entries.iter().map(ActivityView::from).collect())
}

/// Writes the activity log as CSV to the user's Downloads folder (or the
/// home folder) and says where.
#[tauri::command]
pub async fn export_activity_log(state: State<'_, AppState>) -> CommandResult<ExportView> {
    let backend = state.backend().await?;
    Ok(ExportView::from(&backend.assistant.export_activity()?))
}

// ---- Locked out: "request admin reset" -------------------------------------
//
// None of these needs a sign-in. The form is checked field by field before
// anything is kept; what the user previewed is exactly what is queued; the
// queue is on disk before the command answers, and a background task
// delivers it (see backend.rs), also after a restart.

use mfa_core::helpdesk::ResetForm;

use crate::wire::{DeviceProofView, ResetPreviewView, ResetRequestView, ResetStatusView};

fn helpdesk_of(backend: &crate::backend::Backend) -> CommandResult<&mfa_core::config::Helpdesk> {
    backend.reset.helpdesk.as_ref().ok_or_else(|| ErrorView {
        code: ErrorCode::HelpdeskNotConfigured,
        message: "your organisation has not set up where this app sends reset requests \
                  (`[helpdesk]` in the configuration); contact your helpdesk another way"
            .into(),
    })
}

/// Checks the user's answers and shows the request exactly as it will be sent.
#[tauri::command]
pub async fn prepare_reset_request(
    state: State<'_, AppState>,
    form: serde_json::Value,
) -> CommandResult<ResetPreviewView> {
    let form: ResetForm = serde_json::from_value(form).map_err(|e| {
        invalid(format!(
            "the request form is incomplete or has an unknown choice: {e}"
        ))
    })?;
    let backend = state.backend().await?;
    let helpdesk = helpdesk_of(&backend)?.clone();
    let request = form
        .prepare(
            &backend.reset.organisation_domains,
            backend.reset.tenant.as_deref(),
            mfa_core::machine::this_machine(env!("CARGO_PKG_VERSION")),
            time::OffsetDateTime::now_utc(),
            mfa_core::helpdesk::verification_phrase(),
        )
        .map_err(|e| invalid(e.to_string()))?;
    let payload = serde_json::to_string_pretty(&request).map_err(|e| internal(e.to_string()))?;
    let (device_proof, device_key_enrolled_at) =
        device_proof_of(&backend, &helpdesk, request.upn.as_str()).await;
    let draft_id = uuid::Uuid::new_v4().to_string();
    let view = ResetRequestView::from(&request);
    backend
        .reset
        .drafts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(draft_id.clone(), request);
    Ok(ResetPreviewView {
        draft_id,
        request: view,
        payload,
        helpdesk_kind: helpdesk.kind().to_owned(),
        helpdesk_url: helpdesk.url().to_string(),
        device_proof,
        device_key_enrolled_at,
    })
}

/// Whether a request for `upn` sent from here will be signed by a device key
/// this computer enrolled for that account, and when it was enrolled. A
/// keychain that cannot be read means unsigned (logged), as delivery would
/// send it. Whether the relay still knows the key is the relay's to say (a
/// locked-out user cannot ask it); the preview says so.
async fn device_proof_of(
    backend: &crate::backend::Backend,
    helpdesk: &mfa_core::config::Helpdesk,
    upn: &str,
) -> (DeviceProofView, Option<String>) {
    let (mfa_core::config::Helpdesk::Relay(_), Some(keys)) = (helpdesk, &backend.reset.device_keys)
    else {
        return (DeviceProofView::NotUsed, None);
    };
    match keys.find(upn).await {
        Ok(Some(key)) => (
            DeviceProofView::EnrolledDevice,
            Some(crate::wire::format_rfc3339(key.enrolled_at)),
        ),
        Ok(None) => (DeviceProofView::UnverifiedDevice, None),
        Err(e) => {
            tracing::warn!("the device key could not be read: {e}");
            (DeviceProofView::UnverifiedDevice, None)
        }
    }
}

/// Queues the previewed request on disk and wakes the delivery.
#[tauri::command]
pub async fn send_reset_request(
    state: State<'_, AppState>,
    draft_id: String,
) -> CommandResult<ResetStatusView> {
    let backend = state.backend().await?;
    helpdesk_of(&backend)?;
    let request = backend
        .reset
        .drafts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&draft_id)
        .ok_or_else(|| {
            invalid(
                "that request was already sent or is no longer on screen; check it again".into(),
            )
        })?;
    let entry = backend
        .reset
        .outbox
        .enqueue(request)
        .map_err(|e| internal(e.to_string()))?;
    backend.reset.wake.notify_one();
    Ok(ResetStatusView::from(&entry))
}

/// Every request sent from this computer for this organisation, newest first.
#[tauri::command]
pub async fn reset_requests(state: State<'_, AppState>) -> CommandResult<Vec<ResetStatusView>> {
    let backend = state.backend().await?;
    let entries = backend
        .reset
        .outbox
        .entries()
        .map_err(|e| internal(e.to_string()))?;
    Ok(entries.iter().rev().map(ResetStatusView::from).collect())
}

/// "Try again now": wakes the delivery without waiting for the backoff.
#[tauri::command]
pub async fn retry_reset_requests(state: State<'_, AppState>) -> CommandResult<()> {
    let backend = state.backend().await?;
    helpdesk_of(&backend)?;
    backend
        .reset
        .outbox
        .retry_now()
        .await
        .map_err(|e| internal(e.to_string()))?;
    backend.reset.wake.notify_one();
    Ok(())
}
