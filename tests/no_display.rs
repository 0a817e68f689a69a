//! Started with no display, the app explains itself and exits; it does not panic.

use std::process::Command;

fn run_without_display(display: Option<&str>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mfa-assistant"));
    command.env_remove("WAYLAND_DISPLAY").env_remove("DISPLAY");
    if let Some(d) = display {
        command.env("DISPLAY", d);
    }
    command.output().expect("the app binary runs")
}

#[test]
fn no_display_at_all_is_a_message_not_a_panic() {
    let out = run_without_display(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("there is no display to open a window on"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_display_that_is_not_running_is_named() {
    let out = run_without_display(Some(":987"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the display :987 is not running"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
