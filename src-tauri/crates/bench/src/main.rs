//! `mfa-bench`: MFA Assistant against a hello-world Tauri window, on the same
//! machine in the same run. Run through `scripts/bench`, which builds both and
//! gives this a D-Bus session, an unlocked keyring and an Xvfb display.
//!
//! Measures launch to interactive (first IPC), PSS at load and idle (with and
//! without `WEBKIT_DISABLE_DMABUF_RENDERER=1`), the signed-in launch against
//! the tenant emulator (time to methods shown, round trips), sizes, and
//! optionally a soak. Writes `bench-output/report.{json,md}` and `chart.svg`.

mod launch;
mod machine;
mod procfs;
mod report;
mod roundtrips;
mod signed_in;
mod stats;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use launch::{RunResult, Spec};
use report::{Condition, Report, Settings, SignedIn, Sizes, Soak, BASELINE_NO_JIT};

pub fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

const USAGE: &str = "\
usage: mfa-bench [--runs N] [--launch-runs N] [--network-ms MS] [--idle-seconds S] [--load-seconds S] [--soak SECONDS]
                 [--soak-interval S] [--app PATH] [--baseline PATH] [--out DIR]

  --runs N            launches with memory samples per program and setting
                      (default 7; 0 skips all launches)
  --launch-runs N     further launch-only runs per program and setting, and
                      further signed-in runs (default 10): launch timings on two
                      cores spread widely, and these cost seconds, not minutes
  --network-ms MS     signed-in launch: the timing proxy delivers each response
                      this long after the emulator sent it (default 20), as a
                      network would; 0 is bare loopback
  --idle-seconds S    the idle PSS sample, seconds after first IPC (default 60)
  --load-seconds S    the load PSS sample, seconds after first IPC (default 2)
  --soak SECONDS      also run one app instance this long, PSS every interval
  --soak-interval S   seconds between soak samples (default 60)
  --app PATH          default target/release/mfa-assistant
  --baseline PATH     default target/release/bench-baseline
  --out DIR           default bench-output
";

struct Options {
    runs: usize,
    launch_runs: usize,
    network_ms: u64,
    idle_seconds: u64,
    load_seconds: f64,
    soak_seconds: u64,
    soak_interval: u64,
    app: PathBuf,
    baseline: PathBuf,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        runs: 7,
        launch_runs: 10,
        network_ms: 20,
        idle_seconds: 60,
        load_seconds: 2.0,
        soak_seconds: 0,
        soak_interval: 60,
        app: PathBuf::from("target/release/mfa-assistant"),
        baseline: PathBuf::from("target/release/bench-baseline"),
        out: PathBuf::from("bench-output"),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--runs" => o.runs = num(value)? as usize,
            "--launch-runs" => o.launch_runs = num(value)? as usize,
            "--network-ms" => o.network_ms = num(value)?,
            "--idle-seconds" => o.idle_seconds = num(value)?,
            "--load-seconds" => {
                o.load_seconds = value
                    .parse()
                    .map_err(|_| format!("{flag}: not a number: {value}"))?
            }
            "--soak" => o.soak_seconds = num(value)?,
            "--soak-interval" => o.soak_interval = num(value)?.max(1),
            "--app" => o.app = PathBuf::from(value),
            "--baseline" => o.baseline = PathBuf::from(value),
            "--out" => o.out = PathBuf::from(value),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(o)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("mfa-bench: {e}");
            }
            eprint!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    if let Err(e) = run(&o) {
        eprintln!("mfa-bench: {e}");
        std::process::exit(1);
    }
}

fn run(o: &Options) -> Result<(), String> {
    for bin in [&o.app, &o.baseline] {
        if !bin.exists() {
            return Err(format!(
                "{} is missing (scripts/bench builds it)",
                bin.display()
            ));
        }
    }
    std::fs::create_dir_all(&o.out).map_err(|e| e.to_string())?;
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let machine = machine::describe();
    eprintln!(
        "mfa-bench: {} ({} cores), WebKitGTK {}",
        machine.cpu, machine.cores, machine.webkitgtk
    );
    let spec = |binary: &Path, dmabuf_disabled: Option<bool>, idle: bool| Spec {
        binary: binary.to_path_buf(),
        env: Vec::new(),
        dmabuf_disabled,
        until: "first_ipc",
        load_delay: Duration::from_secs_f64(o.load_seconds),
        idle: idle.then(|| Duration::from_secs(o.idle_seconds)),
        timeout: Duration::from_secs(60),
        seed_data: None,
    };

    // Launch and memory: app and baseline alternate, both WebKit settings.
    let programs = [("app", &o.app), ("baseline", &o.baseline)];
    let settings = [false, true];
    let mut rows = Rows::default();
    for (name, _) in programs {
        for d in settings {
            rows.add(name, d);
        }
    }
    if o.runs > 0 {
        // One unmeasured launch of each warms the page cache for both alike.
        for (name, bin) in programs {
            eprintln!("mfa-bench: warm-up launch of the {name}");
            let mut warm = spec(bin, None, false);
            warm.load_delay = Duration::ZERO;
            let _ = launch::run_once(&warm, "warmup");
        }
    }
    // A returning demo user: the demo tenant's state (users, signing key)
    // already exists, as on every start after the first.
    let returning_seed = if o.runs > 0 {
        Some(prepare_demo_state(&spec(&o.app, None, false), &o.out)?)
    } else {
        None
    };
    for d in settings {
        rows.add(RETURNING, d);
    }
    // The hello world with the JIT off as the app runs it: renderer off only
    // (as shipped on machines without a GPU), for the like-for-like ratio.
    rows.add(BASELINE_NO_JIT, true);
    let returning = |d: bool| {
        let mut s = spec(&o.app, Some(d), false);
        s.seed_data = returning_seed.clone();
        s
    };
    for i in 0..o.runs {
        let progress = format!("run {}/{}", i + 1, o.runs);
        for d in settings {
            rows.measure(RETURNING, d, &returning(d), "returning", &progress, true);
            for (name, bin) in programs {
                rows.measure(name, d, &spec(bin, Some(d), true), name, &progress, true);
            }
            if d {
                let mut s = spec(&o.baseline, Some(d), true);
                s.env = vec![(launch::JSC_JIT_ENV.to_owned(), "0".to_owned())];
                rows.measure(BASELINE_NO_JIT, d, &s, "baseline-nojit", &progress, true);
            }
        }
    }
    // Launch-only runs: the same alternation, no memory samples.
    let launch_runs = if o.runs > 0 { o.launch_runs } else { 0 };
    for i in 0..launch_runs {
        let progress = format!("launch-only run {}/{}", i + 1, launch_runs);
        for d in settings {
            let launch_only = |mut s: Spec| {
                s.load_delay = Duration::ZERO;
                s
            };
            rows.measure(
                RETURNING,
                d,
                &launch_only(returning(d)),
                "returning",
                &progress,
                false,
            );
            for (name, bin) in programs {
                let s = launch_only(spec(bin, Some(d), false));
                rows.measure(name, d, &s, name, &progress, false);
            }
        }
    }
    let launch_conditions: Vec<Condition> = rows
        .0
        .into_iter()
        .filter(|row| !row.runs.is_empty() || !row.failures.is_empty())
        .map(|row| {
            let Row {
                program,
                dmabuf_disabled,
                runs,
                failures,
            } = row;
            let pick = |f: &dyn Fn(&RunResult) -> Option<f64>| {
                stats::summarize(&runs.iter().filter_map(f).collect::<Vec<_>>())
            };
            Condition {
                program,
                dmabuf_disabled,
                first_ipc_ms: pick(&|r| r.marks_ms.get("first_ipc").copied()),
                pss_load_mb: pick(&|r| r.pss_load.as_ref().map(|s| s.mb())),
                pss_idle_mb: pick(&|r| r.pss_idle.as_ref().map(|s| s.mb())),
                uss_idle_mb: pick(&|r| r.pss_idle.as_ref().map(|s| s.uss_mb())),
                processes_last_run: runs
                    .iter()
                    .rev()
                    .find_map(|r| r.pss_idle.clone().or_else(|| r.pss_load.clone())),
                failures,
            }
        })
        .collect();

    // Signed-in launch against the tenant emulator.
    let signed_in = if o.runs > 0 {
        Some(signed_in_runs(
            o,
            &spec(&o.app, None, false),
            &spec(&o.baseline, Some(true), false),
        )?)
    } else {
        None
    };

    let sizes = Some(sizes(o));

    let soak = (o.soak_seconds > 0).then(|| {
        eprintln!("mfa-bench: soak for {} s", o.soak_seconds);
        let s = spec(&o.app, None, false);
        match launch::soak(
            &s,
            Duration::from_secs(o.soak_seconds),
            Duration::from_secs(o.soak_interval),
        ) {
            Ok(samples) => {
                let hours = |pick: fn(&(f64, f64, f64)) -> f64| {
                    samples
                        .iter()
                        .map(|s| (s.0 / 3600.0, pick(s)))
                        .collect::<Vec<_>>()
                };
                Soak {
                    seconds: o.soak_seconds,
                    interval_seconds: o.soak_interval,
                    slope_mb_per_hour: stats::slope(&hours(|s| s.1)),
                    uss_slope_mb_per_hour: stats::slope(&hours(|s| s.2)),
                    samples,
                    failure: None,
                }
            }
            Err(e) => Soak {
                seconds: o.soak_seconds,
                interval_seconds: o.soak_interval,
                samples: Vec::new(),
                slope_mb_per_hour: None,
                uss_slope_mb_per_hour: None,
                failure: Some(e),
            },
        }
    });

    let report = Report {
        date,
        machine,
        settings: Settings {
            runs: o.runs,
            launch_runs,
            load_seconds: o.load_seconds,
            idle_seconds: o.idle_seconds,
            soak_seconds: o.soak_seconds,
            soak_interval_seconds: o.soak_interval,
        },
        launch: launch_conditions,
        signed_in,
        sizes,
        soak,
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str| {
        std::fs::write(o.out.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("report.json", &json)?;
    write("report.md", &report::markdown(&report))?;
    write("chart.svg", &report::chart(&report))?;
    println!("{}", report::markdown(&report));
    eprintln!(
        "mfa-bench: wrote {}/report.md, report.json and chart.svg",
        o.out.display()
    );
    Ok(())
}

/// One row of the launch-and-memory table: a program under one renderer
/// setting, with its runs and the runs that failed.
struct Row {
    program: String,
    dmabuf_disabled: bool,
    runs: Vec<RunResult>,
    failures: Vec<String>,
}

/// The rows in report order.
#[derive(Default)]
struct Rows(Vec<Row>);

impl Rows {
    fn add(&mut self, program: &str, dmabuf_disabled: bool) {
        self.0.push(Row {
            program: program.to_owned(),
            dmabuf_disabled,
            runs: Vec::new(),
            failures: Vec::new(),
        });
    }

    /// Launches `spec` once, prints a progress line and records the result
    /// in its row. Without `memory` the PSS sample (taken at first IPC, not
    /// after the load delay) is dropped: a launch-only run.
    fn measure(
        &mut self,
        program: &str,
        dmabuf_disabled: bool,
        spec: &Spec,
        tag: &str,
        progress: &str,
        memory: bool,
    ) {
        let d = dmabuf_disabled;
        let row = self
            .0
            .iter_mut()
            .find(|r| r.program == program && r.dmabuf_disabled == d)
            .expect("a row is added before it is measured");
        match launch::run_once(spec, tag) {
            Ok(mut r) => {
                if !memory {
                    r.pss_load = None;
                }
                let pss = |s: &Option<launch::Sample>, label: &str| {
                    s.as_ref()
                        .map(|s| format!("  PSS {label} {:6.1} MB", s.mb()))
                        .unwrap_or_default()
                };
                eprintln!(
                    "  {progress} {program:8} dmabuf_off={d:5}  first IPC {:7.1} ms{}{}",
                    r.marks_ms["first_ipc"],
                    pss(&r.pss_load, "load"),
                    pss(&r.pss_idle, "idle"),
                );
                row.runs.push(r);
            }
            Err(e) => {
                eprintln!("  {progress} {program} dmabuf_off={d} FAILED: {e}");
                row.failures.push(e);
            }
        }
    }
}

/// The launch-only condition of an app whose demo tenant is already set up.
const RETURNING: &str = "app, demo tenant set up";

/// Starts the app once and keeps its data directory once the demo tenant
/// has written its state: the seed for a returning user's launch.
fn prepare_demo_state(spec: &Spec, out: &Path) -> Result<PathBuf, String> {
    eprintln!("mfa-bench: setting up a demo tenant for the returning-user launches");
    let mut running = launch::spawn(spec, "demo-state")?;
    running.wait_for("first_ipc", spec.timeout)?;
    let data = running.dir().join("data");
    let state = data
        .join("mfa-assistant/demo-tenant")
        .join(tenant_emulator::STATE_FILE_NAME);
    for _ in 0..300 {
        if state.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if !state.exists() {
        return Err(format!("the demo tenant never wrote {}", state.display()));
    }
    // Let the write finish, then keep a copy.
    std::thread::sleep(Duration::from_millis(500));
    let kept = out.join("demo-state");
    let _ = std::fs::remove_dir_all(&kept);
    launch::copy_tree(&data, &kept).map_err(|e| format!("keeping the demo state: {e}"))?;
    Ok(kept)
}

/// The signed-in launches, each followed by a launch of the hello world with
/// the renderer the app picks on this machine (`baseline`), so the two are
/// timed under the same conditions.
fn signed_in_runs(o: &Options, base: &Spec, baseline: &Spec) -> Result<SignedIn, String> {
    eprintln!("mfa-bench: signed-in launches against the tenant emulator");
    let dir = launch::Scratch::new("tenant").map_err(|e| e.to_string())?;
    let tenant = signed_in::SignedInTenant::start(&dir.0, Duration::from_millis(o.network_ms))?;
    let mut spec = base.clone();
    spec.env = tenant.env();
    spec.until = "methods_shown";
    spec.load_delay = Duration::ZERO;
    let mut baseline = baseline.clone();
    baseline.load_delay = Duration::ZERO;
    let mut out = SignedIn {
        network_ms: o.network_ms,
        first_ipc_ms: None,
        baseline_first_ipc_ms: None,
        methods_shown_ms: None,
        round_trips_after_refresh: Vec::new(),
        total_round_trips: Vec::new(),
        emulator_requests_one_run: Vec::new(),
        exchanges_one_run: None,
        other_runs: Vec::new(),
        failures: Vec::new(),
    };
    let (mut ipc, mut shown, mut baseline_ipc) = (Vec::new(), Vec::new(), Vec::new());
    let runs = o.runs + o.launch_runs;
    for i in 0..runs {
        match launch::run_once(&spec, "signed-in") {
            Ok(r) => {
                let until = r.marks_at["methods_shown"];
                let count = roundtrips::count(&tenant.proxy.events(), r.spawned_at, until);
                eprintln!(
                    "  signed-in run {}/{}  first IPC {:7.1} ms  methods shown {:7.1} ms  round trips after refresh {} (all {})",
                    i + 1,
                    runs,
                    r.marks_ms["first_ipc"],
                    r.marks_ms["methods_shown"],
                    count.round_trips_after_refresh,
                    count.total_round_trips
                );
                ipc.push(r.marks_ms["first_ipc"]);
                shown.push(r.marks_ms["methods_shown"]);
                out.round_trips_after_refresh
                    .push(count.round_trips_after_refresh);
                out.total_round_trips.push(count.total_round_trips);
                out.emulator_requests_one_run = tenant.requests_between(r.spawned_at, until);
                if count.round_trips_after_refresh != 1 {
                    out.other_runs.push(count.clone());
                }
                out.exchanges_one_run = Some(count);
            }
            Err(e) => {
                eprintln!("  signed-in run {} FAILED: {e}", i + 1);
                out.failures.push(e);
            }
        }
        match launch::run_once(&baseline, "baseline") {
            Ok(r) => {
                eprintln!(
                    "  signed-in run {}/{}  hello world first IPC {:7.1} ms",
                    i + 1,
                    runs,
                    r.marks_ms["first_ipc"]
                );
                baseline_ipc.push(r.marks_ms["first_ipc"]);
            }
            Err(e) => {
                eprintln!("  signed-in run {} hello world FAILED: {e}", i + 1);
                out.failures.push(format!("hello world: {e}"));
            }
        }
    }
    tenant.sign_out();
    out.baseline_first_ipc_ms = stats::summarize(&baseline_ipc);
    out.first_ipc_ms = stats::summarize(&ipc);
    out.methods_shown_ms = stats::summarize(&shown);
    drop(tenant);
    Ok(out)
}

fn file_size(p: &Path) -> Option<u64> {
    std::fs::metadata(p).ok().map(|m| m.len())
}

fn sizes(o: &Options) -> Sizes {
    let deb = launch::newest_with_extension(Path::new("target/release/bundle/deb"), "deb");
    let (mut total, mut gz) = (0u64, 0u64);
    let mut files = vec![PathBuf::from("ui/dist")];
    let mut any = false;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            if let Ok(d) = std::fs::read_dir(&p) {
                files.extend(d.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        } else if let Some(n) = file_size(&p) {
            any = true;
            total += n;
            gz += Command::new("gzip")
                .args(["-9", "-c"])
                .arg(&p)
                .output()
                .map(|out| out.stdout.len() as u64)
                .unwrap_or(0);
        }
    }
    Sizes {
        app_binary_bytes: file_size(&o.app),
        baseline_binary_bytes: file_size(&o.baseline),
        deb_file: deb
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
        deb_bytes: deb.as_deref().and_then(file_size),
        ui_dist_bytes: any.then_some(total),
        ui_dist_gzip_bytes: any.then_some(gz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_refuse_unknown_flags() {
        let args: Vec<String> = [
            "--runs",
            "5",
            "--launch-runs",
            "4",
            "--idle-seconds",
            "30",
            "--soak",
            "600",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = parse_args(&args).unwrap();
        assert_eq!(
            (o.runs, o.launch_runs, o.idle_seconds, o.soak_seconds),
            (5, 4, 30, 600)
        );
        assert_eq!(parse_args(&[]).unwrap().launch_runs, 10);
        assert!(parse_args(&["--bogus".to_string(), "1".to_string()]).is_err());
        assert!(parse_args(&["--runs".to_string()]).is_err());
    }
}
