//! Launch marks for the benchmark (`scripts/bench`, `src-tauri/crates/bench`).
//!
//! When `MFA_ASSISTANT_BENCH_MARKS=<file>` is set, the app appends one line
//! `<mark> <unix-epoch-nanoseconds>` to that file the first time each mark is
//! reached: `first_ipc` (the page's first call of an app command) and
//! `methods_shown` (the first Security Info load that succeeded). When the
//! variable is unset each call costs one relaxed atomic load.
//!
//! The hello-world baseline (`src-tauri/crates/bench-baseline`) compiles this
//! same file, so both windows are timed by the same code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the marks file.
pub const ENV: &str = "MFA_ASSISTANT_BENCH_MARKS";

const UNKNOWN: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
static FILE: OnceLock<Option<PathBuf>> = OnceLock::new();
static FIRST_IPC: AtomicBool = AtomicBool::new(false);
static METHODS_SHOWN: AtomicBool = AtomicBool::new(false);

/// The first app command the page invoked.
pub fn first_ipc() {
    mark_once(&FIRST_IPC, "first_ipc");
}

/// The signed-in user's methods were loaded for display.
pub fn methods_shown() {
    mark_once(&METHODS_SHOWN, "methods_shown");
}

fn mark_once(done: &AtomicBool, name: &str) {
    if STATE.load(Ordering::Relaxed) == OFF {
        return;
    }
    if let Some(path) = marks_file() {
        write_once(done, path, name);
    }
}

fn write_once(done: &AtomicBool, path: &Path, name: &str) {
    if !done.swap(true, Ordering::Relaxed) {
        let _ = append_mark(path, name, now_nanos());
    }
}

fn marks_file() -> Option<&'static Path> {
    let file = FILE.get_or_init(|| {
        std::env::var_os(ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    STATE.store(if file.is_some() { ON } else { OFF }, Ordering::Relaxed);
    file.as_deref()
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Appends `<name> <nanos>\n` to `path` in one write.
pub fn append_mark(path: &Path, name: &str, nanos: u128) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{name} {nanos}\n").as_bytes())
}

/// Reads a marks file's text: `(mark, unix-epoch-nanoseconds)` per valid line.
pub fn parse_marks(text: &str) -> Vec<(String, u128)> {
    text.lines()
        .filter_map(|line| {
            let (name, nanos) = line.trim().split_once(' ')?;
            Some((name.to_owned(), nanos.trim().parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_marks_read_back_in_order() {
        let dir = std::env::temp_dir().join(format!("launch-marks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("marks");
        let _ = std::fs::remove_file(&path);
        append_mark(&path, "first_ipc", 1_700_000_000_123_456_789).unwrap();
        append_mark(&path, "methods_shown", 1_700_000_001_000_000_000).unwrap();
        let marks = parse_marks(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(
            marks,
            vec![
                ("first_ipc".to_owned(), 1_700_000_000_123_456_789),
                ("methods_shown".to_owned(), 1_700_000_001_000_000_000),
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn malformed_lines_are_skipped() {
        assert_eq!(
            parse_marks("first_ipc 12\ngarbage\nx notanumber\n\nmethods_shown 13"),
            vec![
                ("first_ipc".to_owned(), 12),
                ("methods_shown".to_owned(), 13)
            ]
        );
    }

    #[test]
    fn a_mark_is_written_once_and_not_at_all_when_disabled() {
        // Unset in the test environment: every call is a no-op after the
        // first, which settles the state to OFF.
        if std::env::var_os(ENV).is_none() {
            first_ipc();
            first_ipc();
            assert_eq!(STATE.load(Ordering::Relaxed), OFF);
            assert!(!FIRST_IPC.load(Ordering::Relaxed));
        }
        // Enabled: the second call of a mark writes nothing.
        let dir = std::env::temp_dir().join(format!("launch-marks-once-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("marks");
        let _ = std::fs::remove_file(&path);
        let done = AtomicBool::new(false);
        write_once(&done, &path, "first_ipc");
        write_once(&done, &path, "first_ipc");
        let marks = parse_marks(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].0, "first_ipc");
        assert!(marks[0].1 > 1_600_000_000_000_000_000);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
