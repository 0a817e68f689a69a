//! Is there a display to open a window on? Without one, GTK would panic deep
//! inside Tauri; we say so plainly instead. Windows and macOS always have one.

/// `Err` with a sentence for the user when no display can be reached.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn check() -> Result<(), String> {
    let display = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty());
    let wayland = std::env::var("WAYLAND_DISPLAY")
        .ok()
        .filter(|d| !d.is_empty());
    if let Some(wayland) = wayland {
        let socket = if wayland.starts_with('/') {
            std::path::PathBuf::from(&wayland)
        } else {
            let runtime = std::env::var("XDG_RUNTIME_DIR").unwrap_or_default();
            std::path::Path::new(&runtime).join(&wayland)
        };
        if socket.exists() || display.is_some() {
            return Ok(());
        }
    }
    let Some(display) = display else {
        return Err("there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set). \
                    Run it from a desktop session, or under Xvfb for tests."
            .into());
    };
    // A local X display ":N" or ":N.S" listens on /tmp/.X11-unix/XN; remote
    // displays (host:N) are not checked here.
    if let Some(number) = display.strip_prefix(':') {
        let number = number.split('.').next().unwrap_or_default();
        let socket = std::path::Path::new("/tmp/.X11-unix").join(format!("X{number}"));
        if !socket.exists() {
            return Err(format!(
                "the display {display} is not running (no X server socket at {}).",
                socket.display()
            ));
        }
    }
    Ok(())
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
pub fn check() -> Result<(), String> {
    Ok(())
}
