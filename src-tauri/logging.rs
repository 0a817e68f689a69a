//! The app's log: to stderr (for a developer's terminal) and to a file per
//! day in the platform's log folder, the last seven days kept, so a
//! helpdesk can ask for it (and the Windows build, which has no console,
//! loses nothing). The level is `info` unless `MFA_ASSISTANT_LOG` says
//! otherwise (an `EnvFilter`, e.g. `debug` or `mfa_core=trace`).
//!
//! Invariant: nothing secret is logged (tokens, codes, verification
//! phrases and keys are newtypes without `Display`, or never passed to a
//! log macro); `mfa-core/tests/no_secrets_in_logs.rs` searches everything
//! logged at `trace` during a sign-in, a journey and a signed reset request.

use std::path::PathBuf;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Days of log files kept.
pub const KEPT_DAYS: usize = 7;

/// Lines that may wait for the writer thread.
const BUFFERED_LINES: usize = 1_000;

/// The platform's folder for this app's logs:
/// - Linux: `$XDG_STATE_HOME/mfa-assistant/logs` (`~/.local/state/…`)
/// - macOS: `~/Library/Logs/MFA Assistant`
/// - Windows: `%LOCALAPPDATA%\mfa-assistant\logs`
pub fn log_dir() -> Option<PathBuf> {
    #[cfg(target_os = "macos")]
    {
        directories::BaseDirs::new().map(|d| d.home_dir().join("Library/Logs/MFA Assistant"))
    }
    #[cfg(windows)]
    {
        directories::ProjectDirs::from("", "", "mfa-assistant")
            .and_then(|d| d.data_local_dir().parent().map(|p| p.join("logs")))
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        directories::ProjectDirs::from("", "", "mfa-assistant").map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .join("logs")
        })
    }
}

/// Starts logging. The guard flushes the file when dropped: keep it for the
/// app's lifetime. Without a log folder (or one that cannot be made) the
/// app logs to stderr only, and says so there.
pub fn init() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("MFA_ASSISTANT_LOG")
            .unwrap_or_else(|_| "info".into())
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let (file, guard, problem) = match log_dir().map(|dir| file_writer(&dir)) {
        Some(Ok((writer, guard))) => (
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(writer)
                    .with_filter(filter()),
            ),
            Some(guard),
            None,
        ),
        Some(Err(e)) => (None, None, Some(e)),
        None => (
            None,
            None,
            Some("this platform has no log folder".to_owned()),
        ),
    };
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .init();
    if let Some(problem) = problem {
        tracing::warn!("no log file: {problem}");
    }
    guard
}

use tracing_subscriber::Layer;

/// A daily file in `dir`, readable only by the user (the folder is 0700 on
/// Unix), seven kept.
fn file_writer(
    dir: &std::path::Path,
) -> Result<
    (
        tracing_appender::non_blocking::NonBlocking,
        tracing_appender::non_blocking::WorkerGuard,
    ),
    String,
> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("mfa-assistant")
        .filename_suffix("log")
        .max_log_files(KEPT_DAYS)
        .build(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    // The channel to the writer thread is allocated up front: the default
    // 128,000 lines cost about 4 MB of the app's memory for a log that
    // writes a few lines a minute. Past 1,000 waiting lines, lines are
    // dropped rather than the app blocked.
    Ok(
        tracing_appender::non_blocking::NonBlockingBuilder::default()
            .buffered_lines_limit(BUFFERED_LINES)
            .lossy(true)
            .finish(appender),
    )
}
