//! Launching a window program and measuring it: spawn to launch mark, then
//! PSS of its process tree at load and after idling. Each run gets a fresh
//! scratch HOME and XDG directories and its own process group, which is
//! killed afterwards with every descendant.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::procfs::{self, ProcessPss};

/// The app's launch-mark variable (see `src-tauri/launch_marks.rs`).
pub const MARKS_ENV: &str = "MFA_ASSISTANT_BENCH_MARKS";
pub const DMABUF_ENV: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
/// The app sets it itself (`webkit_env.rs`); the harness passes none through.
pub const JSC_JIT_ENV: &str = "JSC_useJIT";

/// What to launch and how.
#[derive(Debug, Clone)]
pub struct Spec {
    pub binary: PathBuf,
    /// Extra environment for the program.
    pub env: Vec<(String, String)>,
    /// `Some(true)`: `WEBKIT_DISABLE_DMABUF_RENDERER=1`; `Some(false)`: `=0`
    /// (WebKit's DMA-BUF renderer explicitly on; the app honours an explicit
    /// setting); `None`: unset, the program decides (as shipped).
    pub dmabuf_disabled: Option<bool>,
    /// The mark that ends the launch (`first_ipc` or `methods_shown`).
    pub until: &'static str,
    /// PSS is sampled this long after `first_ipc` ("at load").
    pub load_delay: Duration,
    /// And, if set, this long after `first_ipc` ("idle").
    pub idle: Option<Duration>,
    pub timeout: Duration,
    /// Copied into the scratch `XDG_DATA_HOME` before the start (a returning
    /// user's data: the demo tenant's state).
    pub seed_data: Option<PathBuf>,
}

/// One PSS sample of a process tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// PSS summed over the tree.
    pub total_kb: u64,
    /// Private memory (USS) summed over the tree.
    pub uss_kb: u64,
    pub processes: Vec<ProcessPss>,
}

impl Sample {
    pub fn take(root: i32) -> Sample {
        let processes = procfs::tree_pss(root);
        Sample {
            total_kb: processes.iter().map(|p| p.pss_kb).sum(),
            uss_kb: processes.iter().map(|p| p.uss_kb).sum(),
            processes,
        }
    }
    pub fn mb(&self) -> f64 {
        self.total_kb as f64 / 1024.0
    }
    pub fn uss_mb(&self) -> f64 {
        self.uss_kb as f64 / 1024.0
    }
}

/// One run's results.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// Unix-epoch nanoseconds just before spawning.
    pub spawned_at: u128,
    /// Mark name -> milliseconds after spawn.
    pub marks_ms: BTreeMap<String, f64>,
    /// Mark name -> Unix-epoch nanoseconds.
    #[serde(skip)]
    pub marks_at: BTreeMap<String, u128>,
    pub pss_load: Option<Sample>,
    pub pss_idle: Option<Sample>,
}

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> std::io::Result<Scratch> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mfa-bench-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["home", "config", "data", "cache", "state"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A launched program, killed with its process group and descendants on drop.
pub struct Running {
    pub child: Child,
    pub spawned_at: u128,
    pub marks_file: PathBuf,
    pub log_file: PathBuf,
    _scratch: Scratch,
}

impl Running {
    /// The scratch directory (`home`, `config`, `data`, `cache`, `state`).
    pub fn dir(&self) -> &Path {
        &self._scratch.0
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Polls the marks file every millisecond until `mark` appears.
    pub fn wait_for(&mut self, mark: &str, timeout: Duration) -> Result<u128, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.marks_file) {
                if let Some((_, t)) = parse_marks(&text).into_iter().find(|(m, _)| m == mark) {
                    return Ok(t);
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the program exited ({status}) before `{mark}`; its log:\n{}",
                    self.log_tail()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no `{mark}` mark within {timeout:?}; the program's log:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_file).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn stop(&mut self) {
        let pid = self.pid();
        let tree = procfs::tree(pid);
        // SAFETY: plain signal sends to our own child's process group and
        // its descendants.
        unsafe {
            libc::kill(-pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            for (p, _) in &tree {
                libc::kill(*p, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Spawns the program in a fresh scratch HOME, in its own process group.
pub fn spawn(spec: &Spec, tag: &str) -> Result<Running, String> {
    let scratch = Scratch::new(tag).map_err(|e| format!("scratch directory: {e}"))?;
    let d = &scratch.0;
    if let Some(seed) = &spec.seed_data {
        copy_tree(seed, &d.join("data")).map_err(|e| format!("seeding the data directory: {e}"))?;
    }
    let marks_file = d.join("marks");
    let log_file = d.join("program.log");
    let log = std::fs::File::create(&log_file).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(&spec.binary);
    cmd.env("HOME", d.join("home"))
        .env("XDG_CONFIG_HOME", d.join("config"))
        .env("XDG_DATA_HOME", d.join("data"))
        .env("XDG_CACHE_HOME", d.join("cache"))
        .env("XDG_STATE_HOME", d.join("state"))
        .env(MARKS_ENV, &marks_file)
        .env_remove("MFA_ASSISTANT_CONFIG")
        .env_remove(DMABUF_ENV)
        .env_remove(JSC_JIT_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0);
    if let Some(off) = spec.dmabuf_disabled {
        cmd.env(DMABUF_ENV, if off { "1" } else { "0" });
    }
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    let spawned_at = crate::now_nanos();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", spec.binary.display()))?;
    Ok(Running {
        child,
        spawned_at,
        marks_file,
        log_file,
        _scratch: scratch,
    })
}

/// One measured launch.
pub fn run_once(spec: &Spec, tag: &str) -> Result<RunResult, String> {
    let mut running = spawn(spec, tag)?;
    let first_ipc = running.wait_for("first_ipc", spec.timeout)?;
    let until = if spec.until == "first_ipc" {
        first_ipc
    } else {
        running.wait_for(spec.until, spec.timeout)?
    };
    let mut marks_at = BTreeMap::new();
    marks_at.insert("first_ipc".to_owned(), first_ipc);
    marks_at.insert(spec.until.to_owned(), until);
    let since_first_ipc = |d: Duration| {
        let target = first_ipc + d.as_nanos();
        let now = crate::now_nanos();
        if target > now {
            std::thread::sleep(Duration::from_nanos((target - now) as u64));
        }
    };
    since_first_ipc(spec.load_delay);
    let pss_load = Some(Sample::take(running.pid()));
    let pss_idle = spec.idle.map(|idle| {
        since_first_ipc(idle);
        Sample::take(running.pid())
    });
    let marks_ms = marks_at
        .iter()
        .map(|(k, &t)| (k.clone(), t.saturating_sub(running.spawned_at) as f64 / 1e6))
        .collect();
    Ok(RunResult {
        spawned_at: running.spawned_at,
        marks_ms,
        marks_at,
        pss_load,
        pss_idle,
    })
}

/// A soak: one instance, PSS every `interval` for `duration`.
/// Returns `(seconds after first_ipc, PSS MB, USS MB)` samples.
pub fn soak(
    spec: &Spec,
    duration: Duration,
    interval: Duration,
) -> Result<Vec<(f64, f64, f64)>, String> {
    let mut running = spawn(spec, "soak")?;
    let first_ipc = running.wait_for("first_ipc", spec.timeout)?;
    let mut samples = Vec::new();
    let mut next = Duration::ZERO.max(spec.load_delay);
    loop {
        let target = first_ipc + next.as_nanos();
        let now = crate::now_nanos();
        if target > now {
            std::thread::sleep(Duration::from_nanos((target - now) as u64));
        }
        if let Ok(Some(status)) = running.child.try_wait() {
            return Err(format!("the app exited during the soak ({status})"));
        }
        let s = Sample::take(running.pid());
        eprintln!(
            "  soak t={:>5.0}s  PSS {:.1} MB  USS {:.1} MB",
            next.as_secs_f64(),
            s.mb(),
            s.uss_mb()
        );
        samples.push((next.as_secs_f64(), s.mb(), s.uss_mb()));
        if next >= duration {
            break;
        }
        next = (next + interval).min(duration);
    }
    Ok(samples)
}

/// Copies the files under `from` into `to`, creating directories.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Reads a marks file (`<mark> <unix-epoch-nanoseconds>` per line).
pub fn parse_marks(text: &str) -> Vec<(String, u128)> {
    text.lines()
        .filter_map(|line| {
            let (name, nanos) = line.trim().split_once(' ')?;
            Some((name.to_owned(), nanos.trim().parse().ok()?))
        })
        .collect()
}

/// The newest file with `extension` in `dir`.
pub fn newest_with_extension(dir: &Path, extension: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_tree_copies_nested_files() {
        let from = Scratch::new("copy-from").unwrap();
        let to = Scratch::new("copy-to").unwrap();
        let nested = from.0.join("data/mfa-assistant/demo-tenant");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("tenant-state.json"), "{}").unwrap();
        copy_tree(&from.0.join("data"), &to.0.join("data")).unwrap();
        let copied =
            to.0.join("data/mfa-assistant/demo-tenant/tenant-state.json");
        assert_eq!(std::fs::read_to_string(copied).unwrap(), "{}");
    }

    #[test]
    fn marks_parse_like_the_app_writes_them() {
        assert_eq!(
            parse_marks("first_ipc 1700000000000000001\nmethods_shown 1700000000500000000\n"),
            vec![
                ("first_ipc".to_owned(), 1_700_000_000_000_000_001),
                ("methods_shown".to_owned(), 1_700_000_000_500_000_000)
            ]
        );
        assert!(parse_marks("half").is_empty());
    }
}
