//! The relay as a process, killed at the worst moments: the request must be
//! neither lost nor filed twice.

mod support;

use std::time::Duration;

use support::{
    config_text, new_key, request_body, submit, wait_delivered, FakeServiceNow, Mode, RelayProcess,
};

#[tokio::test]
async fn a_relay_killed_mid_delivery_neither_loses_nor_doubles_the_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let config = config_text(
        &format!("sqlite:{}", dir.path().join("relay.db").display()),
        "https://graph.microsoft.com/v1.0/",
        "[delivery]\nfirst_retry_seconds = 1\nlease_seconds = 5\n",
        &desk.config(),
    );
    let http = reqwest::Client::new();

    // The helpdesk files the incident but the answer never comes back; the
    // relay is killed while it waits.
    desk.set_mode(Mode::FileThenHang);
    let mut first = RelayProcess::start(dir.path(), "first", &config);
    let (status, accepted, _) = submit(
        &http,
        &first.url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "amber-falcon-42"),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while desk.incidents().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first relay never reached the helpdesk"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill();

    // The next start takes the request over once the dead one's lease
    // expires, finds the incident the interrupted attempt filed, and files
    // no second one.
    desk.set_mode(Mode::Normal);
    let second = RelayProcess::start(dir.path(), "second", &config);
    let done = wait_delivered(&http, &second.url, &id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    assert_eq!(
        done["ticketNumber"], "INC0010001",
        "the interrupted attempt's incident"
    );
    assert_eq!(desk.incidents().len(), 1, "no second incident");
    assert_eq!(desk.posts(), 1);
    assert!(desk.finds() >= 1);
}

#[tokio::test]
async fn a_relay_killed_right_after_accepting_delivers_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let config = config_text(
        &format!("sqlite:{}", dir.path().join("relay.db").display()),
        "https://graph.microsoft.com/v1.0/",
        "[delivery]\nfirst_retry_seconds = 1\nlease_seconds = 5\n",
        &desk.config(),
    );
    let http = reqwest::Client::new();
    // The helpdesk is down while the first relay runs.
    desk.set_mode(Mode::Fail {
        status: 503,
        times: 1000,
        retry_after: None,
    });
    let mut first = RelayProcess::start(dir.path(), "first", &config);
    let mut ids = Vec::new();
    for n in 0..3 {
        let upn = format!("user{n}@contoso-demo.example");
        let (status, accepted, _) =
            submit(&http, &first.url, &new_key(), &request_body(&upn, "a-b-1")).await;
        assert_eq!(status, 202);
        ids.push(accepted["requestId"].as_str().unwrap().to_owned());
    }
    first.kill();
    desk.set_mode(Mode::Normal);
    let second = RelayProcess::start(dir.path(), "second", &config);
    for id in &ids {
        let done = wait_delivered(&http, &second.url, id, Duration::from_secs(20)).await;
        assert_eq!(done["status"], "delivered", "{done}");
    }
    assert_eq!(desk.incidents().len(), 3);
}
