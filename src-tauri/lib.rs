//! The Tauri layer: a thin shell over `mfa_core`. It owns the window, turns
//! core results into wire types, and starts the built-in demo tenant when no
//! configuration names a real one.
//!
//! `build()` is generic over the runtime, so tests boot the whole app on
//! Tauri's mock runtime with no display.

pub mod backend;
pub mod commands;
pub mod display;
pub mod errors;
pub mod input;
pub mod launch_marks;
pub mod logging;
pub mod webkit_env;
pub mod wire;

use tauri::{Builder, Runtime};

use crate::backend::BackendSource;

/// Registers state, commands and navigation rules on a builder of any runtime.
pub fn build<R: Runtime>(builder: Builder<R>, source: BackendSource) -> Builder<R> {
    builder
        .manage(backend::AppState::new(source))
        .setup(|app| {
            // Start the backend (configuration, demo tenant) in the
            // background: the window paints first, commands wait for it.
            use tauri::Manager;
            let state = app.state::<backend::AppState>().inner().clone();
            tauri::async_runtime::spawn(async move {
                let _ = state.backend().await;
            });
            Ok(())
        })
        .plugin(navigation_guard())
        .invoke_handler({
            let handler: fn(tauri::ipc::Invoke<R>) -> bool = tauri::generate_handler![
                commands::app_info,
                commands::restore_session,
                commands::sign_in,
                commands::cancel_sign_in,
                commands::start_device_code_sign_in,
                commands::finish_device_code_sign_in,
                commands::load_security_info,
                commands::answer_same_phone,
                commands::sign_out,
                commands::current_journey,
                commands::start_new_phone,
                commands::change_phone_number,
                commands::choose_default,
                commands::add_method,
                commands::remove_method,
                commands::continue_journey,
                commands::answer_journey,
                commands::confirm_identity,
                commands::open_security_info,
                commands::open_account_recovery,
                commands::last_account,
                commands::end_journey,
                commands::activity_log,
                commands::export_activity_log,
                commands::prepare_reset_request,
                commands::send_reset_request,
                commands::reset_requests,
                commands::retry_reset_requests,
                commands::diagnostics,
                commands::ui_language,
                commands::choose_language,
            ];
            // The benchmark's launch-to-interactive mark (no-op unless
            // MFA_ASSISTANT_BENCH_MARKS is set).
            move |invoke| {
                launch_marks::first_ipc();
                handler(invoke)
            }
        })
}

/// The main window never navigates off the app: sign-in happens in the
/// system browser, never in this webview.
fn navigation_guard<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_, url| {
            let allowed = is_app_url(url);
            if !allowed {
                tracing::warn!(%url, "blocked navigation away from the app");
            }
            allowed
        })
        .build()
}

/// The app's own origin, exactly: `tauri://localhost` (Linux, macOS) or
/// `http://tauri.localhost` (Windows; `tauri.conf.json` leaves
/// `useHttpsScheme` off, so not https). No other port, no user info: a page
/// served by another local process on `tauri.localhost:8080` is not the app.
pub fn is_app_url(url: &tauri::Url) -> bool {
    let own_host = match url.scheme() {
        "tauri" => "localhost",
        "http" => "tauri.localhost",
        _ => return false,
    };
    url.host_str() == Some(own_host)
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none()
}

/// Runs the app. Refuses with a message, not a panic, when there is no display.
pub fn run() {
    // Before any thread or GTK starts (see webkit_env.rs for when and why).
    webkit_env::apply();
    // Flushed into the log file when the app exits (below).
    let log = std::sync::Mutex::new(logging::init());
    // A remote session may have no display: the report needs none.
    if std::env::args().skip(1).any(|a| a == "--diagnostics") {
        std::process::exit(print_diagnostics());
    }
    if let Err(message) = display::check() {
        eprintln!("MFA Assistant: {message}");
        std::process::exit(1);
    }
    let app = build(tauri::Builder::default(), BackendSource::FromEnvironment)
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(move |_, event| {
            if let tauri::RunEvent::Exit = event {
                drop(log.lock().unwrap_or_else(|p| p.into_inner()).take());
            }
        }),
        Err(e) => {
            eprintln!("MFA Assistant could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// `mfa-assistant --diagnostics`: the window's "Copy diagnostics" report on
/// stdout, for a helpdesk in a remote session. Exit status 1 when the app's
/// configuration does not start (the reason is printed).
fn print_diagnostics() -> i32 {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("MFA Assistant: {e}");
            return 1;
        }
    };
    runtime.block_on(async {
        let state = backend::AppState::new(BackendSource::FromEnvironment);
        match state.assistant().await {
            Ok(assistant) => {
                print!(
                    "{}",
                    assistant
                        .diagnostics(env!("CARGO_PKG_VERSION"), &errors::recent())
                        .await
                );
                0
            }
            Err(e) => {
                println!("MFA Assistant {}", env!("CARGO_PKG_VERSION"));
                println!("The configuration does not start: {}", e.message);
                1
            }
        }
    })
}
