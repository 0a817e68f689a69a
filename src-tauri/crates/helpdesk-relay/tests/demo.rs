//! The README's relay command: `mfa-relay --demo` starts on its embedded
//! default (SQLite), delivers into the demo tenant's helpdesk inbox, tells
//! the owner in the demo tenant's mailboxes, and the owner's "This wasn't
//! me" puts an internal note on the ticket.

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

    // The owner's notice is in the demo mailbox, its link on this relay.
    let mailbox = text_after(&printed, "/_emulator/mailbox");
    assert!(
        mailbox.starts_with(inbox.trim_end_matches("helpdesk")),
        "{mailbox}"
    );
    let messages: Value = http
        .get(format!("{mailbox}/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let notice = messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["mailbox"] == "adele@contoso-demo.example"
                && m["body"].as_str().unwrap_or("").contains(&id)
        })
        .cloned()
        .unwrap_or_else(|| panic!("no notice to Adele in {messages}"));
    let link = notice["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.contains("/dispute/"))
        .unwrap()
        .to_owned();
    assert!(link.starts_with(&relay), "{link} is not on {relay}");
    let page = http.get(&mailbox).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("adele@contoso-demo.example"));

    // Pressed: the demo ticket gets the internal note (the demo's Zendesk
    // credential is an agent's).
    let pressed = http.post(&link).send().await.unwrap();
    assert_eq!(pressed.status(), 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let tickets: Value = http
            .get(format!("{inbox}/tickets"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let comments: Vec<Value> = tickets
            .as_array()
            .or_else(|| tickets["tickets"].as_array())
            .into_iter()
            .flatten()
            .filter(|t| t.to_string().contains(&id))
            .flat_map(|t| t["comments"].as_array().cloned().unwrap_or_default())
            .collect();
        if let Some(note) = comments.first() {
            assert_eq!(comments.len(), 1, "{comments:?}");
            assert_eq!(note["public"], false, "an internal note: {note}");
            assert!(
                note["body"].as_str().unwrap().contains("DISPUTED BY OWNER"),
                "{note}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no dispute note: {tickets}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The word of the printed lines that ends with `suffix`.
fn text_after(printed: &[String], suffix: &str) -> String {
    printed
        .iter()
        .flat_map(|l| l.split_whitespace())
        .find(|w| w.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {printed:?}"))
        .to_owned()
}
