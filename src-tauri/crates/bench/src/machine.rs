//! The machine a report came from.

use std::process::Command;

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub ram_gb: f64,
    pub kernel: String,
    pub debian: String,
    pub webkitgtk: String,
    pub rustc: String,
    pub gpu_render_node: bool,
    pub display: String,
}

fn first_line_with(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

fn output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

pub fn describe() -> Machine {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let meminfo = read("/proc/meminfo");
    let mem_kb: f64 = first_line_with(&meminfo, "MemTotal")
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    let gpu_render_node = std::fs::read_dir("/dev/dri")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false);
    Machine {
        cpu: first_line_with(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into()),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        ram_gb: (mem_kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        debian: read("/etc/debian_version").trim().to_owned(),
        webkitgtk: output(
            "dpkg-query",
            &["-W", "-f=${Version}", "libwebkit2gtk-4.1-0"],
        ),
        rustc: output("rustc", &["--version"]),
        gpu_render_node,
        display: std::env::var("DISPLAY").map_or_else(
            |_| "none".to_owned(),
            |d| format!("X display {d} (Xvfb from scripts/bench)"),
        ),
    }
}
