//! The app's commands: one per user intent, each declared in `build.rs` and
//! granted to the main window in `src-tauri/capabilities/main-window.json`.
//!
//! Each is a delegation to [`mfa_core::assistant::Assistant`]: its typed
//! arguments are checked on the way in ([`Checked`], `input.rs`), its
//! answer becomes a wire view, its error an [`ErrorView`] (`errors.rs`).

use tauri::State;

use mfa_core::security_info::MethodId;

use crate::backend::AppState;
use crate::input::{
    AnswerInput, Checked, DefaultChoiceInput, LanguageInput, PhoneTypeInput, RegistrationInput,
    ResetFormInput,
};
use crate::wire::{
    ActivityView, AppInfo, DeviceCodeView, ErrorCode, ErrorView, ExportView, JourneyView,
    KnownAccountView, LanguageView, ResetPreviewView, ResetStatusView, SecurityInfoView,
    SessionView, SignOutView,
};

type CommandResult<T> = Result<T, ErrorView>;

// ---- Signing in ------------------------------------------------------------

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    Ok(state.backend().await?.info.clone())
}

#[tauri::command]
pub async fn restore_session(state: State<'_, AppState>) -> CommandResult<SessionView> {
    Ok(state.assistant().await?.restore_session().await?.into())
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>) -> CommandResult<SessionView> {
    Ok(state.assistant().await?.sign_in().await?.into())
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> CommandResult<()> {
    state.assistant().await?.cancel_sign_in();
    Ok(())
}

#[tauri::command]
pub async fn start_device_code_sign_in(
    state: State<'_, AppState>,
) -> CommandResult<DeviceCodeView> {
    let started = state.assistant().await?.start_device_code_sign_in().await?;
    Ok(DeviceCodeView::from(&started))
}

#[tauri::command]
pub async fn finish_device_code_sign_in(state: State<'_, AppState>) -> CommandResult<SessionView> {
    Ok(state
        .assistant()
        .await?
        .finish_device_code_sign_in()
        .await?
        .into())
}

#[tauri::command]
pub async fn load_security_info(state: State<'_, AppState>) -> CommandResult<SecurityInfoView> {
    let assistant = state.assistant().await?;
    let info = assistant.security_info().await?;
    let health = assistant.health(&info).await?;
    crate::launch_marks::methods_shown();
    Ok(SecurityInfoView::new(&info, assistant.floor(), &health))
}

/// Remembers whether `number` is on the same phone as Authenticator on
/// `phone`, and answers Security Info counted with it.
#[tauri::command]
pub async fn answer_same_phone(
    state: State<'_, AppState>,
    number: Checked<String>,
    phone: Checked<String>,
    same: Checked<bool>,
) -> CommandResult<SecurityInfoView> {
    let (number, phone) = crate::input::same_phone_question(&number.0, &phone.0)?;
    let assistant = state.assistant().await?;
    let info = assistant.answer_same_phone(&number, &phone, same.0).await?;
    let health = assistant.health(&info).await?;
    Ok(SecurityInfoView::new(&info, assistant.floor(), &health))
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<SignOutView> {
    let removed = state.assistant().await?.sign_out().await?;
    Ok(SignOutView {
        removed_from_keychain: removed,
    })
}

/// "Confirm it's you": a sign-in in the browser with a fresh MFA.
#[tauri::command]
pub async fn confirm_identity(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.assistant().await?.confirm_identity().await?)
}

/// Opens the Security Info page in the browser, for the signed-in account.
#[tauri::command]
pub async fn open_security_info(state: State<'_, AppState>) -> CommandResult<()> {
    let assistant = state.assistant().await?;
    assistant
        .open_security_info()
        .await
        .map_err(|e| ErrorView::new(ErrorCode::BrowserUnavailable, e))
}

/// Opens Entra account recovery in the browser (locked out, no sign-in).
#[tauri::command]
pub async fn open_account_recovery(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.assistant().await?.open_account_recovery().await?)
}

/// The account last signed in on this computer, for the recovery's name check.
#[tauri::command]
pub async fn last_account(state: State<'_, AppState>) -> CommandResult<Option<KnownAccountView>> {
    Ok(state.assistant().await?.last_account().map(Into::into))
}

// ---- Changing Security Info: the guided journeys -------------------------
//
// Each answers with the journey where it stands (`Journey::waiting`).

/// Where the signed-in user's journey stands, without sending anything.
#[tauri::command]
pub async fn current_journey(state: State<'_, AppState>) -> CommandResult<Option<JourneyView>> {
    let assistant = state.assistant().await?;
    let journey = assistant.current_journey().await?;
    Ok(journey.map(|j| JourneyView::new(&j, assistant.security_info_page())))
}

#[tauri::command]
pub async fn start_new_phone(
    state: State<'_, AppState>,
    old_device_lost: Checked<bool>,
) -> CommandResult<JourneyView> {
    let assistant = state.assistant().await?;
    let journey = assistant.start_new_phone(old_device_lost.0).await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

#[tauri::command]
pub async fn change_phone_number(
    state: State<'_, AppState>,
    phone_type: Checked<PhoneTypeInput>,
    number: Checked<String>,
    number_again: Checked<String>,
    replacing: Checked<Option<PhoneTypeInput>>,
) -> CommandResult<JourneyView> {
    let number = crate::input::new_phone_number(&number.0, &number_again.0)?;
    let assistant = state.assistant().await?;
    let journey = assistant
        .change_phone_number(phone_type.0.into(), &number, replacing.0.map(Into::into))
        .await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

#[tauri::command]
pub async fn choose_default(
    state: State<'_, AppState>,
    choice: Checked<DefaultChoiceInput>,
) -> CommandResult<JourneyView> {
    let assistant = state.assistant().await?;
    let journey = assistant.choose_default(&choice.0.into()).await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

#[tauri::command]
pub async fn add_method(
    state: State<'_, AppState>,
    registration: Checked<RegistrationInput>,
) -> CommandResult<JourneyView> {
    let assistant = state.assistant().await?;
    let journey = assistant.add_method(registration.0.into()).await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

#[tauri::command]
pub async fn remove_method(
    state: State<'_, AppState>,
    id: Checked<String>,
) -> CommandResult<JourneyView> {
    let id = MethodId::parse(&id.0)
        .map_err(|e| ErrorView::for_field(ErrorCode::InvalidInput, "id", e))?;
    let assistant = state.assistant().await?;
    let journey = assistant.remove_method(&id).await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

/// Runs the journey on from where it stands (after the user acted in the
/// browser, or to check Graph again).
#[tauri::command]
pub async fn continue_journey(state: State<'_, AppState>) -> CommandResult<JourneyView> {
    let assistant = state.assistant().await?;
    let journey = assistant.continue_journey().await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

/// The user's answer at a step.
#[tauri::command]
pub async fn answer_journey(
    state: State<'_, AppState>,
    answer: Checked<AnswerInput>,
) -> CommandResult<JourneyView> {
    let assistant = state.assistant().await?;
    let journey = assistant.answer(answer.0.into()).await?;
    Ok(JourneyView::new(&journey, assistant.security_info_page()))
}

/// Stops following the journey; steps already done stay done.
#[tauri::command]
pub async fn end_journey(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.assistant().await?.end_journey().await?)
}

/// The signed-in user's activity, newest first.
#[tauri::command]
pub async fn activity_log(state: State<'_, AppState>) -> CommandResult<Vec<ActivityView>> {
    let entries = state.assistant().await?.activity().await?;
    Ok(entries.iter().map(ActivityView::from).collect())
}

/// Writes the activity log as CSV to the user's Downloads folder (or the
/// home folder) under the window's column names, and says where.
#[tauri::command]
pub async fn export_activity_log(
    state: State<'_, AppState>,
    headers: Checked<Vec<String>>,
) -> CommandResult<ExportView> {
    let headers = crate::input::csv_headers(headers.0)?;
    Ok(ExportView::from(
        &state.assistant().await?.export_activity(&headers)?,
    ))
}

// ---- Locked out: "request admin reset" -------------------------------------
//
// None of these needs a sign-in.

/// Checks the user's answers and shows the request exactly as it will be sent.
#[tauri::command]
pub async fn prepare_reset_request(
    state: State<'_, AppState>,
    form: Checked<ResetFormInput>,
) -> CommandResult<ResetPreviewView> {
    let assistant = state.assistant().await?;
    let preview = assistant.prepare_reset_request(form.0.into()).await?;
    Ok(ResetPreviewView::from(&preview))
}

/// Queues the previewed request on disk and wakes the delivery.
#[tauri::command]
pub async fn send_reset_request(
    state: State<'_, AppState>,
    draft_id: Checked<String>,
) -> CommandResult<ResetStatusView> {
    let entry = state.assistant().await?.send_reset_request(&draft_id.0)?;
    Ok(ResetStatusView::from(&entry))
}

/// Every request sent from this computer for this organisation, newest first.
#[tauri::command]
pub async fn reset_requests(state: State<'_, AppState>) -> CommandResult<Vec<ResetStatusView>> {
    let entries = state.assistant().await?.reset_requests()?;
    Ok(entries.iter().map(ResetStatusView::from).collect())
}

/// "Try again now": wakes the delivery without waiting for the backoff.
#[tauri::command]
pub async fn retry_reset_requests(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.assistant().await?.retry_reset_requests().await?)
}

// ---- Support ----------------------------------------------------------------

/// The window's language, asked by main.ts before anything else (it needs
/// no backend): the forced one, the user's choice, the system's, or one of
/// the webview's `navigator.languages`.
#[tauri::command]
pub async fn ui_language(
    state: State<'_, AppState>,
    webview: Checked<Vec<String>>,
) -> CommandResult<LanguageView> {
    Ok(state
        .languages()
        .current(crate::input::webview_languages(webview.0)?))
}

/// Remembers the language chosen in the window (`system`: follow the system
/// again); the window then reloads in it.
#[tauri::command]
pub async fn choose_language(
    state: State<'_, AppState>,
    language: Checked<LanguageInput>,
) -> CommandResult<()> {
    state.languages().choose(language.0.into())
}

/// "Copy diagnostics": the report a helpdesk asks for (nothing secret).
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> CommandResult<String> {
    let assistant = state.assistant().await?;
    Ok(assistant
        .diagnostics(env!("CARGO_PKG_VERSION"), &crate::errors::recent())
        .await)
}
