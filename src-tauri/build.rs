//! Declares every app command (default-deny IPC: a command not listed here,
//! or not granted in `src-tauri/capabilities/`, cannot be invoked).

/// Every command the main window may call; `commands.rs` implements them.
const COMMANDS: &[&str] = &[
    "app_info",
    "restore_session",
    "sign_in",
    "cancel_sign_in",
    "start_device_code_sign_in",
    "finish_device_code_sign_in",
    "load_security_info",
    "answer_same_phone",
    "sign_out",
    "current_journey",
    "start_new_phone",
    "change_phone_number",
    "choose_default",
    "add_method",
    "remove_method",
    "continue_journey",
    "answer_journey",
    "confirm_identity",
    "open_security_info",
    "open_account_recovery",
    "last_account",
    "end_journey",
    "activity_log",
    "export_activity_log",
    "prepare_reset_request",
    "send_reset_request",
    "reset_requests",
    "retry_reset_requests",
    "diagnostics",
    "ui_language",
    "choose_language",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
