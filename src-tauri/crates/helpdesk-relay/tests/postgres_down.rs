//! PostgreSQL unavailable when the relay starts, and gone mid-run: the relay
//! says so (503 with Retry-After, and a log line), keeps nothing half-done,
//! and carries on by itself when the database is back.

mod common;
mod support;

use std::time::Duration;

use common::services::Postgres;
use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use support::{config_text, new_key, request_body, submit, wait_delivered, FakeServiceNow};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_down_the_relay_answers_503_and_recovers_when_it_returns() {
    let pg = Postgres::start();
    let database = pg.create_database();
    pg.stop();
    let desk = FakeServiceNow::start().await;
    let text = config_text(
        &database,
        "https://graph.microsoft.com/v1.0/",
        "[delivery]\nfirst_retry_seconds = 1\nlease_seconds = 5\n",
        &desk.config(),
    );
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    let url = relay.base_url().to_string();
    let http = reqwest::Client::new();
    let body = request_body("dana@contoso-demo.example", "a-b-1");
    let (status, refused, retry) = submit(&http, &url, &new_key(), &body).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (503, Some("databaseUnavailable"))
    );
    assert_eq!(retry.as_deref(), Some("5"));

    pg.start_again();
    assert!(
        relay.ready(Duration::from_secs(20)).await,
        "the relay reconnected by itself"
    );
    let key = new_key();
    let (status, accepted, _) = submit(&http, &url, &key, &body).await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&http, &url, &id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "delivered");

    // Gone mid-run: 503 again (the pool's connections are closed), then back.
    pg.stop();
    let (status, _, _) = submit(
        &http,
        &url,
        &new_key(),
        &request_body("erik@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 503);
    pg.start_again();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let (status, _, _) = loop {
        let answer = submit(&http, &url, &key, &body).await;
        if answer.0 != 503 || tokio::time::Instant::now() >= deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        status, 200,
        "the repeat finds the request committed before the outage"
    );
    assert_eq!(desk.incidents().len(), 1);
}
