//! The relay's load benchmark: a burst of reset requests, as in a mass
//! lock-out, absorbed with nothing lost. Run by `scripts/bench-relay`.
//!
//! One run measures, side by side on the same machine, the same burst into:
//! - **sqlite**: one relay on the embedded default (SQLite);
//! - **postgres-2**: two relays on one PostgreSQL database, the requests
//!   alternating between them (as behind a load balancer).
//!
//! Each relay is its own release-built process. `--requests` requests, each
//! for a different account, are fired by `--clients` concurrent clients as
//! fast as they are answered; a client that gets 429 or 503 waits for
//! `Retry-After` and sends the same request again with the same
//! Idempotency-Key, as the app does. The helpdesk (ServiceNow-shaped) takes
//! `--helpdesk-ms` to file each ticket. Reported: the time to accept the
//! whole burst and its rate, the accept latency (p50/p95/p99), the time until
//! every ticket exists, the delivery rate, and the count check: tickets
//! filed, lost (accepted, never filed) and duplicated (filed twice).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{
    config_text, new_key, request_body, wait_for_delivered_count, FakeServiceNow, RelayProcess,
};

struct Options {
    requests: usize,
    clients: usize,
    helpdesk_ms: u64,
    out: std::path::PathBuf,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        requests: 2000,
        clients: 32,
        helpdesk_ms: 50,
        out: "bench-output/relay-burst".into(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .ok_or(format!("{} needs a value", args[i]))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{} needs a number, not {value:?}", args[i]))
        };
        match args[i].as_str() {
            "--requests" => o.requests = number()?.max(1),
            "--clients" => o.clients = number()?.max(1),
            "--helpdesk-ms" => o.helpdesk_ms = number()? as u64,
            "--out" => o.out = value.into(),
            other => return Err(format!("unknown argument {other:?}")),
        }
        i += 2;
    }
    Ok(o)
}

#[derive(Debug)]
struct Outcome {
    name: &'static str,
    instances: usize,
    accept_seconds: f64,
    accepted_per_second: f64,
    latency_ms: [f64; 3],
    throttled_answers: usize,
    all_delivered_seconds: f64,
    delivered_per_second: f64,
    tickets: usize,
    lost: usize,
    duplicated: usize,
    peak_rss_mb: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// VmHWM (peak resident set) of a process, in MB.
fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn burst(
    name: &'static str,
    relays: &[RelayProcess],
    desk: &FakeServiceNow,
    o: &Options,
) -> Outcome {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(o.clients)
        .build()
        .unwrap();
    let urls: Arc<Vec<String>> = Arc::new(relays.iter().map(|r| r.url.clone()).collect());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..o.clients {
        let (http, urls, next, total) = (http.clone(), urls.clone(), next.clone(), o.requests);
        clients.spawn(async move {
            let mut latencies = Vec::new();
            let mut accepted = Vec::new();
            let mut throttled = 0usize;
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n >= total {
                    break;
                }
                let url = &urls[n % urls.len()];
                let key = new_key();
                let body =
                    request_body(&format!("user{n}@contoso-demo.example"), "amber-falcon-42");
                loop {
                    let sent = Instant::now();
                    let response = http
                        .post(format!("{url}v1/reset-requests"))
                        .header("idempotency-key", &key)
                        .json(&body)
                        .send()
                        .await;
                    let Ok(response) = response else {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    };
                    let status = response.status().as_u16();
                    let wait = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    let answer: Value = response.json().await.unwrap_or(Value::Null);
                    if status == 202 || status == 200 {
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        accepted.push(answer["requestId"].as_str().unwrap_or_default().to_owned());
                        break;
                    }
                    assert!(
                        status == 429 || status >= 500,
                        "unexpected {status}: {answer}"
                    );
                    throttled += 1;
                    tokio::time::sleep(Duration::from_secs(wait.unwrap_or(1))).await;
                }
            }
            (latencies, accepted, throttled)
        });
    }
    let mut latencies = Vec::new();
    let mut accepted = Vec::new();
    let mut throttled = 0;
    while let Some(done) = clients.join_next().await {
        let (l, a, t) = done.unwrap();
        latencies.extend(l);
        accepted.extend(a);
        throttled += t;
    }
    let accept_seconds = started.elapsed().as_secs_f64();
    let health = wait_for_delivered_count(
        &http,
        &urls[0],
        o.requests as u64,
        Duration::from_secs(1800),
    )
    .await;
    let all_delivered_seconds = started.elapsed().as_secs_f64();
    assert_eq!(
        health["delivered"].as_u64(),
        Some(o.requests as u64),
        "{name}: {health}"
    );

    let mut filed: HashMap<String, usize> = HashMap::new();
    for incident in desk.incidents() {
        *filed
            .entry(
                incident["correlation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
            .or_default() += 1;
    }
    let lost = accepted
        .iter()
        .filter(|id| !filed.contains_key(*id))
        .count();
    let duplicated = filed.values().filter(|n| **n > 1).count();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let peak_rss_mb = relays
        .iter()
        .map(|r| r.pid().map_or(0.0, peak_rss_mb))
        .sum();
    Outcome {
        name,
        instances: relays.len(),
        accept_seconds,
        accepted_per_second: o.requests as f64 / accept_seconds,
        latency_ms: [
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
        ],
        throttled_answers: throttled,
        all_delivered_seconds,
        delivered_per_second: o.requests as f64 / all_delivered_seconds,
        tickets: filed.values().sum(),
        lost,
        duplicated,
        peak_rss_mb,
    }
}

fn relay_config(database: &str, desk: &FakeServiceNow) -> String {
    config_text(
        database,
        "https://graph.microsoft.com/v1.0/",
        // Every simulated client is on 127.0.0.1: one sender, as far as the
        // per-sender limits go.
        "[limits]\nper_address_per_minute = 10000000\nmax_connections_per_address = 100000\n",
        &desk.config(),
    )
}

#[tokio::main]
async fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("burst: {e}");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let latency = Duration::from_millis(o.helpdesk_ms);

    let desk = FakeServiceNow::start().await;
    desk.set_latency(latency);
    let sqlite = format!("sqlite:{}", dir.path().join("relay.db").display());
    let relays = vec![RelayProcess::start(
        dir.path(),
        "sqlite",
        &relay_config(&sqlite, &desk),
    )];
    let one = burst("sqlite", &relays, &desk, &o).await;
    drop(relays);
    eprintln!("{one:?}");

    let desk = FakeServiceNow::start().await;
    desk.set_latency(latency);
    let database = common::services::Postgres::shared().create_database();
    let config = relay_config(&database, &desk);
    let relays = vec![
        RelayProcess::start(dir.path(), "pg-a", &config),
        RelayProcess::start(dir.path(), "pg-b", &config),
    ];
    let two = burst("postgres-2", &relays, &desk, &o).await;
    drop(relays);
    eprintln!("{two:?}");

    write_report(&o, &[one, two]);
}

fn write_report(o: &Options, outcomes: &[Outcome]) {
    std::fs::create_dir_all(&o.out).unwrap();
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let json = json!({
        "requests": o.requests,
        "clients": o.clients,
        "helpdeskMs": o.helpdesk_ms,
        "machine": {"cpu": machine, "cores": cores},
        "runs": outcomes.iter().map(|r| json!({
            "name": r.name,
            "instances": r.instances,
            "acceptSeconds": r.accept_seconds,
            "acceptedPerSecond": r.accepted_per_second,
            "acceptLatencyMs": {"p50": r.latency_ms[0], "p95": r.latency_ms[1], "p99": r.latency_ms[2]},
            "throttledAnswers": r.throttled_answers,
            "allDeliveredSeconds": r.all_delivered_seconds,
            "deliveredPerSecond": r.delivered_per_second,
            "tickets": r.tickets,
            "lost": r.lost,
            "duplicated": r.duplicated,
            "peakRssMb": r.peak_rss_mb,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(
        o.out.join("report.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    let base = &outcomes[0];
    let mut md = format!(
        "# Relay burst benchmark\n\n{} reset requests, each for a different account, fired by {} concurrent clients \
         (429/503 answers are retried after `Retry-After` with the same Idempotency-Key, as the app does), into a \
         ServiceNow-shaped helpdesk that takes {} ms per ticket. Release build, default delivery settings \
         (4 workers per instance), address limit raised (one client address). Machine: {machine}, {cores} cores.\n\n\
         | | {} | {} | ratio |\n|---|---|---|---|\n",
        o.requests, o.clients, o.helpdesk_ms, outcomes[0].name, outcomes[1].name
    );
    let other = &outcomes[1];
    let rows: [(&str, f64, f64, &str); 8] = [
        (
            "instances",
            base.instances as f64,
            other.instances as f64,
            "",
        ),
        (
            "whole burst accepted (s)",
            base.accept_seconds,
            other.accept_seconds,
            "",
        ),
        (
            "accepted per second",
            base.accepted_per_second,
            other.accepted_per_second,
            "",
        ),
        (
            "accept latency p50 (ms)",
            base.latency_ms[0],
            other.latency_ms[0],
            "",
        ),
        (
            "accept latency p99 (ms)",
            base.latency_ms[2],
            other.latency_ms[2],
            "",
        ),
        (
            "every ticket filed (s)",
            base.all_delivered_seconds,
            other.all_delivered_seconds,
            "",
        ),
        (
            "tickets filed per second",
            base.delivered_per_second,
            other.delivered_per_second,
            "",
        ),
        (
            "peak RSS, all instances (MB)",
            base.peak_rss_mb,
            other.peak_rss_mb,
            "",
        ),
    ];
    for (label, a, b, _) in rows {
        let ratio = if a > 0.0 {
            format!("{:.2}x", b / a)
        } else {
            "-".into()
        };
        md.push_str(&format!("| {label} | {a:.1} | {b:.1} | {ratio} |\n"));
    }
    for (label, a, b) in [
        ("tickets filed", base.tickets, other.tickets),
        ("lost", base.lost, other.lost),
        ("filed twice", base.duplicated, other.duplicated),
        (
            "429/503 answers retried",
            base.throttled_answers,
            other.throttled_answers,
        ),
    ] {
        md.push_str(&format!("| {label} | {a} | {b} | |\n"));
    }
    md.push_str(&format!(
        "\nAccept latency p95: {:.1} ms ({}) and {:.1} ms ({}).\n",
        base.latency_ms[1], base.name, other.latency_ms[1], other.name
    ));
    std::fs::write(o.out.join("report.md"), &md).unwrap();
    print!("{md}");
}
