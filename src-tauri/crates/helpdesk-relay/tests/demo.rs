//! The README's relay command: `mfa-relay --demo` starts on its embedded
//! default (SQLite) and delivers into the demo tenant's helpdesk inbox.

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::time::Duration;

use serde_json::Value;
use support::{new_key, relay_binary, request_body, submit, wait_delivered};

#[tokio::test]
async fn the_demo_relay_files_into_the_demo_tenants_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(relay_binary());
    command
        .args(["--demo", "--port", "0", "--state-dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            );
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Press Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    let text = printed.join("\n");
    let relay = printed[0]
        .strip_prefix("mfa-relay (demo) listening at ")
        .unwrap_or_else(|| panic!("{text}"))
        .to_owned();
    let inbox = text
        .split_whitespace()
        .find(|w| w.ends_with("/_emulator/helpdesk"))
        .unwrap_or_else(|| panic!("no inbox address in: {text}"))
        .to_owned();
    assert!(text.contains("SQLite"), "{text}");
    assert!(
        text.contains("relay = \""),
        "the app's configuration is printed: {text}"
    );

    let http = reqwest::Client::new();
    let (status, accepted, _) = submit(
        &http,
        &relay,
        &new_key(),
        &request_body("adele@contoso-demo.example", "amber-falcon-42"),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&http, &relay, &id, Duration::from_secs(15)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    let tickets: Value = http
        .get(format!("{inbox}/tickets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = tickets.to_string();
    assert!(
        text.contains(&id) && text.contains("amber-falcon-42"),
        "{text}"
    );
    let _ = child.kill();
    let _ = child.wait();
}
