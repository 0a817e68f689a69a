//! The report: one JSON document, rendered as Markdown and as an SVG chart
//! (bars of medians with min-max whiskers, app beside baseline).

use std::fmt::Write;

use serde::Serialize;

use crate::launch::Sample;
use crate::machine::Machine;
use crate::roundtrips::RoundTripCount;
use crate::stats::Summary;

/// Launch-to-interactive of the app within this factor of the baseline.
pub const LAUNCH_BUDGET: f64 = 1.1;
/// Idle PSS of the app within this factor of the baseline.
pub const MEMORY_BUDGET: f64 = 1.1;
/// Release binary, stripped (10 MB = 10,000,000 bytes).
pub const BINARY_BUDGET: u64 = 10_000_000;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub date: String,
    pub machine: Machine,
    pub settings: Settings,
    /// One entry per (program, DMA-BUF setting).
    pub launch: Vec<Condition>,
    pub signed_in: Option<SignedIn>,
    pub sizes: Option<Sizes>,
    pub soak: Option<Soak>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Runs with memory samples (each waits for the idle sample).
    pub runs: usize,
    /// Further launch-only runs per row: launch figures are medians of
    /// `runs + launch_runs`, memory figures of `runs`.
    pub launch_runs: usize,
    pub load_seconds: f64,
    pub idle_seconds: u64,
    pub soak_seconds: u64,
    pub soak_interval_seconds: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    /// "app" or "baseline".
    pub program: String,
    pub dmabuf_disabled: bool,
    pub first_ipc_ms: Option<Summary>,
    pub pss_load_mb: Option<Summary>,
    pub pss_idle_mb: Option<Summary>,
    /// Private memory (USS) summed over the tree, idle.
    pub uss_idle_mb: Option<Summary>,
    /// The processes of the last run's idle (or load) sample.
    pub processes_last_run: Option<Sample>,
    pub failures: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    /// The latency the timing proxy adds to each response.
    pub network_ms: u64,
    pub first_ipc_ms: Option<Summary>,
    /// The hello world (renderer off), launched after each signed-in run.
    pub baseline_first_ipc_ms: Option<Summary>,
    pub methods_shown_ms: Option<Summary>,
    /// Per run: sequential round trips after the token refresh.
    pub round_trips_after_refresh: Vec<usize>,
    /// Per run: all round trips from start to methods shown.
    pub total_round_trips: Vec<usize>,
    /// One run's requests, from the emulator's log.
    pub emulator_requests_one_run: Vec<String>,
    /// The same run as seen by the timing proxy.
    pub exchanges_one_run: Option<RoundTripCount>,
    /// Every run whose round trips after the refresh were not one.
    pub other_runs: Vec<RoundTripCount>,
    pub failures: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sizes {
    pub app_binary_bytes: Option<u64>,
    pub baseline_binary_bytes: Option<u64>,
    pub deb_file: Option<String>,
    pub deb_bytes: Option<u64>,
    pub ui_dist_bytes: Option<u64>,
    pub ui_dist_gzip_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Soak {
    pub seconds: u64,
    pub interval_seconds: u64,
    /// `(seconds after first IPC, PSS MB, USS MB)`.
    pub samples: Vec<(f64, f64, f64)>,
    /// Of PSS.
    pub slope_mb_per_hour: Option<f64>,
    /// Of USS (private memory: unaffected by other processes mapping the
    /// same libraries, which moves PSS).
    pub uss_slope_mb_per_hour: Option<f64>,
    pub failure: Option<String>,
}

impl Report {
    pub fn condition(&self, program: &str, dmabuf_disabled: bool) -> Option<&Condition> {
        self.launch
            .iter()
            .find(|c| c.program == program && c.dmabuf_disabled == dmabuf_disabled)
    }

    /// App median / baseline median of a measure, for one DMA-BUF setting.
    pub fn ratio(
        &self,
        dmabuf_disabled: bool,
        pick: fn(&Condition) -> Option<&Summary>,
    ) -> Option<f64> {
        self.ratio_to(BASELINE, dmabuf_disabled, pick)
    }

    /// The app's median over `baseline`'s, both with the same renderer.
    pub fn ratio_to(
        &self,
        baseline: &str,
        dmabuf_disabled: bool,
        pick: fn(&Condition) -> Option<&Summary>,
    ) -> Option<f64> {
        let app = pick(self.condition("app", dmabuf_disabled)?)?.median;
        let base = pick(self.condition(baseline, dmabuf_disabled)?)?.median;
        (base > 0.0).then(|| app / base)
    }
}

/// The hello-world window as anyone builds it.
pub const BASELINE: &str = "baseline";

/// The hello-world window with JavaScriptCore's JIT off as well, as the app
/// runs (`webkit_env.rs`): the like-for-like memory comparison.
pub const BASELINE_NO_JIT: &str = "baseline, JIT off";

/// Picks one measure of a condition.
type Pick = fn(&Condition) -> Option<&Summary>;

fn dmabuf_label(disabled: bool) -> &'static str {
    if disabled {
        "DMA-BUF renderer off"
    } else {
        "DMA-BUF renderer on"
    }
}

fn fmt_summary(s: &Option<Summary>, digits: usize) -> String {
    match s {
        Some(s) => format!(
            "{:.d$} ({:.d$}–{:.d$}, ±{:.0}%)",
            s.median,
            s.min,
            s.max,
            s.spread_pct / 2.0,
            d = digits
        ),
        None => "not measured".to_owned(),
    }
}

fn fmt_ratio(r: Option<f64>, budget: f64) -> String {
    match r {
        Some(r) => format!("{r:.2}x ({})", if r <= budget { "within" } else { "over" }),
        None => "–".to_owned(),
    }
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("not built".to_owned(), |b| {
        format!("{:.2} MB", b as f64 / 1e6)
    })
}

pub fn markdown(r: &Report) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# MFA Assistant benchmark\n");
    let _ = writeln!(
        m,
        "Measured {} by `scripts/bench` (`mfa-bench`). Launch figures are medians of {} runs per row, memory figures medians of {} of those runs (each waits for its idle sample), with min–max and ± half the range as a share of the median; every run starts from a fresh HOME (cold WebKit caches) and alternates app and baseline. The baseline is a hello-world Tauri 2 window (`src-tauri/crates/bench-baseline`) built in the same run with the same tauri version and release profile.\n",
        r.date,
        r.settings.runs + r.settings.launch_runs,
        r.settings.runs
    );
    let mc = &r.machine;
    let _ = writeln!(m, "**Machine:** {}, {} cores, {} GB RAM; Linux {}; Debian {}; WebKitGTK {}; {}; GPU render node: {}; {}.\n",
        mc.cpu, mc.cores, mc.ram_gb, mc.kernel, mc.debian, mc.webkitgtk, mc.rustc,
        if mc.gpu_render_node { "yes" } else { "none" }, mc.display);

    if !r.launch.is_empty() {
        let _ = writeln!(m, "## Launch and memory\n");
        let _ = writeln!(m, "Launch = spawn to the page's first IPC call (after DOMContentLoaded). PSS summed over the program and all its descendants (WebKitWebProcess, WebKitNetworkProcess), {} s after first IPC (\"load\") and {} s after it (\"idle\"). The app runs on its built-in demo tenant (signed out).\n", r.settings.load_seconds, r.settings.idle_seconds);
        let _ = writeln!(
            m,
            "| program | WebKit renderer | launch, ms | PSS at load, MB | PSS idle, MB | USS idle, MB |"
        );
        let _ = writeln!(m, "|---|---|---|---|---|---|");
        for c in &r.launch {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                c.program,
                dmabuf_label(c.dmabuf_disabled),
                fmt_summary(&c.first_ipc_ms, 0),
                fmt_summary(&c.pss_load_mb, 1),
                fmt_summary(&c.pss_idle_mb, 1),
                fmt_summary(&c.uss_idle_mb, 1)
            );
        }
        let _ = writeln!(
            m,
            "\n| ratio app / baseline (medians) | DMA-BUF renderer on | DMA-BUF renderer off | budget |"
        );
        let _ = writeln!(m, "|---|---|---|---|");
        let rows: [(&str, Pick, f64); 4] = [
            (
                "launch to interactive",
                |c| c.first_ipc_ms.as_ref(),
                LAUNCH_BUDGET,
            ),
            ("PSS at load", |c| c.pss_load_mb.as_ref(), MEMORY_BUDGET),
            ("PSS idle", |c| c.pss_idle_mb.as_ref(), MEMORY_BUDGET),
            (
                "USS idle (private memory)",
                |c| c.uss_idle_mb.as_ref(),
                MEMORY_BUDGET,
            ),
        ];
        for (name, pick, budget) in rows {
            let _ = writeln!(
                m,
                "| {name} | {} | {} | {budget}x |",
                fmt_ratio(r.ratio(false, pick), budget),
                fmt_ratio(r.ratio(true, pick), budget)
            );
        }
        if r.condition(BASELINE_NO_JIT, true).is_some() {
            let _ = writeln!(
                m,
                "| PSS idle, against the hello world with its JIT off too (like for like) | – | {} | {MEMORY_BUDGET}x |",
                fmt_ratio(
                    r.ratio_to(BASELINE_NO_JIT, true, |c| c.pss_idle_mb.as_ref()),
                    MEMORY_BUDGET
                )
            );
        }
        let _ = writeln!(m, "\n![chart](chart.svg)\n");
        let _ = writeln!(m, "Processes in the last run's idle sample:\n");
        for c in &r.launch {
            if let Some(s) = &c.processes_last_run {
                let list: Vec<String> = s
                    .processes
                    .iter()
                    .map(|p| format!("{} {:.1} MB", p.name, p.pss_kb as f64 / 1024.0))
                    .collect();
                let _ = writeln!(
                    m,
                    "- {} ({}): {}",
                    c.program,
                    dmabuf_label(c.dmabuf_disabled),
                    list.join(", ")
                );
            }
            for f in &c.failures {
                let _ = writeln!(
                    m,
                    "- {} ({}) failed run: {}",
                    c.program,
                    dmabuf_label(c.dmabuf_disabled),
                    f.lines().next().unwrap_or("")
                );
            }
        }
        m.push('\n');
    }

    if let Some(s) = &r.signed_in {
        let _ = writeln!(m, "## Signed-in launch (tenant emulator)\n");
        let _ = writeln!(m, "The app runs as shipped (WebKit renderer left to `webkit_env.rs`), configured for the tenant emulator (`cloud = \"custom\"`) with Adele's refresh token in the keychain. Requests go through a timing proxy that delivers each response {} ms after the emulator sent it, standing in for the network; requests in flight together count as one round trip.\n", s.network_ms);
        let _ = writeln!(m, "| measure | median (min–max, ±) |");
        let _ = writeln!(m, "|---|---|");
        let _ = writeln!(
            m,
            "| spawn to first IPC, ms | {} |",
            fmt_summary(&s.first_ipc_ms, 0)
        );
        let _ = writeln!(
            m,
            "| hello world (renderer off), launched after each of these runs: spawn to first IPC, ms | {} |",
            fmt_summary(&s.baseline_first_ipc_ms, 0)
        );
        let ratio = match (&s.first_ipc_ms, &s.baseline_first_ipc_ms) {
            (Some(app), Some(base)) if base.median > 0.0 => Some(app.median / base.median),
            _ => None,
        };
        let _ = writeln!(
            m,
            "| launch to interactive, signed in / hello world | {} (budget {LAUNCH_BUDGET}x) |",
            fmt_ratio(ratio, LAUNCH_BUDGET)
        );
        let _ = writeln!(
            m,
            "| spawn to methods shown, ms | {} |",
            fmt_summary(&s.methods_shown_ms, 0)
        );
        let _ = writeln!(
            m,
            "| Graph round trips after the token refresh, per run | {:?} |",
            s.round_trips_after_refresh
        );
        let _ = writeln!(
            m,
            "| all round trips from start to methods shown, per run | {:?} |",
            s.total_round_trips
        );
        let _ = writeln!(
            m,
            "\nOne run's requests (emulator log, in order of completion):\n"
        );
        for q in &s.emulator_requests_one_run {
            let _ = writeln!(m, "- `{q}`");
        }
        if let Some(x) = &s.exchanges_one_run {
            let _ = writeln!(
                m,
                "\nThe same run through the proxy (ms after the first request was sent):\n"
            );
            let t0 = x.exchanges.iter().map(|e| e.start).min().unwrap_or(0);
            for e in &x.exchanges {
                let _ = writeln!(
                    m,
                    "- `{}` connection {}: sent {:.1}, answered {}",
                    e.request,
                    e.conn,
                    (e.start - t0) as f64 / 1e6,
                    e.end.map_or("never".to_owned(), |t| format!(
                        "{:.1}",
                        (t - t0) as f64 / 1e6
                    ))
                );
            }
        }
        for x in &s.other_runs {
            let t0 = x.exchanges.iter().map(|e| e.start).min().unwrap_or(0);
            let _ = writeln!(
                m,
                "\nA run with {} round trips after the refresh ({} in all):\n",
                x.round_trips_after_refresh, x.total_round_trips
            );
            for e in &x.exchanges {
                let _ = writeln!(
                    m,
                    "- `{}` connection {}: sent {:.1}, answered {}",
                    e.request,
                    e.conn,
                    (e.start - t0) as f64 / 1e6,
                    e.end.map_or("never".to_owned(), |t| format!(
                        "{:.1}",
                        (t - t0) as f64 / 1e6
                    ))
                );
            }
        }
        for f in &s.failures {
            let _ = writeln!(m, "- failed run: {}", f.lines().next().unwrap_or(""));
        }
        m.push('\n');
    }

    if let Some(z) = &r.sizes {
        let _ = writeln!(m, "## Sizes\n");
        let _ = writeln!(m, "| artefact | size |");
        let _ = writeln!(m, "|---|---|");
        let _ = writeln!(
            m,
            "| app release binary (stripped: `strip = true`) | {} (budget {}: {}) |",
            mb(z.app_binary_bytes),
            mb(Some(BINARY_BUDGET)),
            match z.app_binary_bytes {
                Some(b) if b <= BINARY_BUDGET => "met",
                Some(_) => "over",
                None => "not built",
            }
        );
        let _ = writeln!(
            m,
            "| hello-world release binary (same profile) | {} |",
            mb(z.baseline_binary_bytes)
        );
        let _ = writeln!(
            m,
            "| package ({}) | {} |",
            z.deb_file.as_deref().unwrap_or(".deb"),
            mb(z.deb_bytes)
        );
        let _ = writeln!(m, "| UI bundle `ui/dist` | {} |", mb(z.ui_dist_bytes));
        let _ = writeln!(
            m,
            "| UI bundle gzipped (sum of files, gzip -9) | {} |",
            mb(z.ui_dist_gzip_bytes)
        );
        m.push('\n');
    }

    if let Some(s) = &r.soak {
        let _ = writeln!(m, "## Soak\n");
        let _ = writeln!(
            m,
            "One app instance as shipped (demo tenant, signed out), PSS every {} s for {} s.",
            s.interval_seconds, s.seconds
        );
        if let Some(slope) = s.slope_mb_per_hour {
            let _ = writeln!(
                m,
                "Linear growth of PSS: **{slope:+.2} MB/hour** (least squares)."
            );
        }
        if let Some(slope) = s.uss_slope_mb_per_hour {
            let _ = writeln!(
                m,
                "Linear growth of private memory (USS): **{slope:+.2} MB/hour**. PSS also moves when other processes on the machine map or unmap the same libraries (WebKit's); USS does not."
            );
        }
        if let Some(f) = &s.failure {
            let _ = writeln!(m, "Failed: {f}");
        }
        let _ = writeln!(m, "\n| seconds | PSS, MB | USS, MB |\n|---|---|---|");
        for (t, v, u) in &s.samples {
            let _ = writeln!(m, "| {t:.0} | {v:.1} | {u:.1} |");
        }
        m.push('\n');
    }
    m
}

/// A hand-written SVG: one panel per measure, bars of medians with min-max
/// whiskers, app beside baseline for each WebKit setting.
pub fn chart(r: &Report) -> String {
    let panels: [(&str, Pick); 3] = [
        ("launch to first IPC, ms", |c| c.first_ipc_ms.as_ref()),
        ("PSS at load, MB", |c| c.pss_load_mb.as_ref()),
        ("PSS idle, MB", |c| c.pss_idle_mb.as_ref()),
    ];
    let (pw, ph, top, bottom) = (300.0, 300.0, 40.0, 70.0);
    let width = pw * panels.len() as f64;
    let height = ph + top + bottom;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    for (i, (title, pick)) in panels.iter().enumerate() {
        let x0 = i as f64 * pw;
        let bars: Vec<(&Condition, &Summary)> = r
            .launch
            .iter()
            .filter_map(|c| pick(c).map(|s| (c, s)))
            .collect();
        let max = bars
            .iter()
            .map(|(_, s)| s.max)
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.1;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="22" text-anchor="middle" font-weight="bold">{}</text>"#,
            x0 + pw / 2.0,
            xml(title)
        );
        let base_y = top + ph;
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{base_y}" x2="{}" y2="{base_y}" stroke="#333"/>"##,
            x0 + 20.0,
            x0 + pw - 20.0
        );
        let slot = (pw - 40.0) / bars.len().max(1) as f64;
        for (j, (c, sm)) in bars.iter().enumerate() {
            let bx = x0 + 20.0 + j as f64 * slot + slot * 0.15;
            let bw = slot * 0.7;
            let y = |v: f64| base_y - v / max * ph;
            let fill = match (c.program.as_str(), c.dmabuf_disabled) {
                ("app", false) => "#2f6fbf",
                ("app", true) => "#8fb4e3",
                (_, false) => "#bf6f2f",
                (_, true) => "#e3b48f",
            };
            let _ = writeln!(
                s,
                r#"<rect x="{bx:.1}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{fill}"><title>{} ({}): median {:.1}, min {:.1}, max {:.1}</title></rect>"#,
                y(sm.median),
                base_y - y(sm.median),
                xml(&c.program),
                dmabuf_label(c.dmabuf_disabled),
                sm.median,
                sm.min,
                sm.max
            );
            let cx = bx + bw / 2.0;
            let _ = writeln!(
                s,
                r##"<path d="M{cx:.1} {:.1}V{:.1}M{:.1} {:.1}H{:.1}M{:.1} {:.1}H{:.1}" stroke="#000" fill="none"/>"##,
                y(sm.min),
                y(sm.max),
                cx - 6.0,
                y(sm.min),
                cx + 6.0,
                cx - 6.0,
                y(sm.max),
                cx + 6.0
            );
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle">{:.0}</text>"#,
                y(sm.max) - 4.0,
                sm.median
            );
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                base_y + 16.0,
                xml(&c.program)
            );
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"#,
                base_y + 30.0,
                if c.dmabuf_disabled {
                    "DMA-BUF off"
                } else {
                    "default"
                }
            );
        }
    }
    let _ = writeln!(
        s,
        r#"<text x="10" y="{}" font-size="11">Bars: medians of {} runs (memory {}); whiskers: min–max. {} · {} cores · WebKitGTK {}</text>"#,
        height - 12.0,
        r.settings.runs + r.settings.launch_runs,
        r.settings.runs,
        xml(&r.date),
        r.machine.cores,
        xml(&r.machine.webkitgtk)
    );
    s.push_str("</svg>\n");
    s
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::summarize;

    fn machine() -> Machine {
        Machine {
            cpu: "Test CPU".into(),
            cores: 2,
            ram_gb: 8.0,
            kernel: "6.1.0".into(),
            debian: "12.9".into(),
            webkitgtk: "2.48.0-1~deb12u1".into(),
            rustc: "rustc 1.90.0".into(),
            gpu_render_node: false,
            display: "X display :99".into(),
        }
    }

    fn condition(program: &str, dmabuf: bool, ms: &[f64], mb: &[f64]) -> Condition {
        Condition {
            program: program.into(),
            dmabuf_disabled: dmabuf,
            first_ipc_ms: summarize(ms),
            pss_load_mb: summarize(mb),
            pss_idle_mb: summarize(mb),
            uss_idle_mb: summarize(mb),
            processes_last_run: None,
            failures: vec![],
        }
    }

    fn report() -> Report {
        Report {
            date: "2025-01-01T00:00:00Z".into(),
            machine: machine(),
            settings: Settings {
                runs: 3,
                launch_runs: 0,
                load_seconds: 2.0,
                idle_seconds: 60,
                soak_seconds: 0,
                soak_interval_seconds: 60,
            },
            launch: vec![
                condition("app", false, &[440.0, 420.0, 460.0], &[260.0, 250.0, 270.0]),
                condition(
                    "baseline",
                    false,
                    &[400.0, 390.0, 410.0],
                    &[200.0, 210.0, 220.0],
                ),
                condition("app", true, &[320.0, 310.0, 330.0], &[230.0, 220.0, 240.0]),
                condition(
                    "baseline",
                    true,
                    &[300.0, 290.0, 310.0],
                    &[190.0, 200.0, 210.0],
                ),
            ],
            signed_in: Some(SignedIn {
                network_ms: 20,
                baseline_first_ipc_ms: None,
                first_ipc_ms: summarize(&[400.0]),
                methods_shown_ms: summarize(&[600.0]),
                round_trips_after_refresh: vec![1],
                total_round_trips: vec![2],
                emulator_requests_one_run: vec!["POST /t/oauth2/v2.0/token 200".into()],
                exchanges_one_run: None,
                other_runs: vec![],
                failures: vec![],
            }),
            sizes: Some(Sizes {
                app_binary_bytes: Some(9_000_000),
                baseline_binary_bytes: Some(7_000_000),
                deb_file: None,
                deb_bytes: None,
                ui_dist_bytes: Some(100_000),
                ui_dist_gzip_bytes: Some(30_000),
            }),
            soak: Some(Soak {
                seconds: 120,
                interval_seconds: 60,
                samples: vec![
                    (2.0, 250.0, 120.0),
                    (62.0, 250.5, 120.1),
                    (120.0, 250.2, 120.0),
                ],
                slope_mb_per_hour: Some(6.0),
                uss_slope_mb_per_hour: Some(0.5),
                failure: None,
            }),
        }
    }

    #[test]
    fn ratios_are_of_medians_per_webkit_setting() {
        let r = report();
        let launch = r.ratio(false, |c| c.first_ipc_ms.as_ref()).unwrap();
        assert!((launch - 440.0 / 400.0).abs() < 1e-9);
        let mem = r.ratio(true, |c| c.pss_idle_mb.as_ref()).unwrap();
        assert!((mem - 230.0 / 200.0).abs() < 1e-9);
    }

    #[test]
    fn markdown_has_every_section_and_verdicts() {
        let md = markdown(&report());
        for needle in [
            "## Launch and memory",
            "| app | DMA-BUF renderer on | 440 (420–460, ±5%)",
            "1.10x (within)",
            "1.15x (over)",
            "## Signed-in launch",
            "`POST /t/oauth2/v2.0/token 200`",
            "| package (.deb) | not built |",
            "**+6.00 MB/hour**",
            "Test CPU, 2 cores",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in\n{md}");
        }
    }

    #[test]
    fn chart_is_svg_with_a_bar_and_whisker_per_condition_and_measure() {
        let svg = chart(&report());
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<rect x=").count(), 12);
        assert_eq!(svg.matches("<path d=").count(), 12);
        assert!(!svg.contains("<script"));
    }
}
