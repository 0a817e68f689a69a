//! Several relay instances on one PostgreSQL database (the configuration
//! for organisations behind a load balancer): each request delivered
//! exactly once, also when an instance dies mid-way; repeats and the
//! per-account limit hold across instances.

mod common;
mod support;

use std::collections::HashSet;
use std::time::Duration;

use common::services::Postgres;
use support::{
    config_text, new_key, request_body, submit, wait_delivered, wait_for_delivered_count,
    FakeServiceNow, RelayProcess,
};

fn config(database: &str, desk: &FakeServiceNow) -> String {
    config_text(
        database,
        "https://graph.microsoft.com/v1.0/",
        "[limits]\nper_address_per_minute = 100000\nper_account_per_hour = 2\n\
         [delivery]\nfirst_retry_seconds = 1\nlease_seconds = 5\nworkers = 4\n",
        &desk.config(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_on_one_database_deliver_each_request_exactly_once_even_when_one_dies() {
    let database = Postgres::shared().create_database();
    let desk = FakeServiceNow::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = RelayProcess::start(dir.path(), "a", &config(&database, &desk));
    let b = RelayProcess::start(dir.path(), "b", &config(&database, &desk));
    let http = reqwest::Client::new();

    const N: usize = 120;
    let mut submitted = HashSet::new();
    for n in 0..N {
        let relay = if n % 2 == 0 { &a.url } else { &b.url };
        let upn = format!("user{n}@contoso-demo.example");
        let (status, accepted, _) =
            submit(&http, relay, &new_key(), &request_body(&upn, "a-b-1")).await;
        assert_eq!(status, 202, "request {n}: {accepted}");
        submitted.insert(accepted["requestId"].as_str().unwrap().to_owned());
    }
    // One instance dies with deliveries in flight; the other finishes.
    a.kill();
    let health = wait_for_delivered_count(&http, &b.url, N as u64, Duration::from_secs(90)).await;
    assert_eq!(health["delivered"], N as u64, "{health}");
    assert_eq!(health["accepted"], 0);

    let filed: Vec<String> = desk
        .incidents()
        .iter()
        .map(|i| i["correlation_id"].as_str().unwrap().to_owned())
        .collect();
    let unique: HashSet<String> = filed.iter().cloned().collect();
    assert_eq!(filed.len(), N, "one incident per request, none twice");
    assert_eq!(unique, submitted, "every request, and only those");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_and_the_account_limit_hold_across_instances() {
    let database = Postgres::shared().create_database();
    let desk = FakeServiceNow::start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = RelayProcess::start(dir.path(), "a", &config(&database, &desk));
    let b = RelayProcess::start(dir.path(), "b", &config(&database, &desk));
    let http = reqwest::Client::new();

    // The app's retry reaches the other instance, even at the same moment.
    let key = new_key();
    let body = request_body("dana@contoso-demo.example", "amber-falcon-42");
    let (first, second) = tokio::join!(
        submit(&http, &a.url, &key, &body),
        submit(&http, &b.url, &key, &body)
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 202], "{first:?} {second:?}");
    assert_eq!(first.1["requestId"], second.1["requestId"]);
    let id = first.1["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&http, &b.url, &id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "delivered");

    // Two an hour for one account, counted over both instances.
    let (status, _, _) = submit(&http, &b.url, &new_key(), &body).await;
    assert_eq!(status, 202);
    let (status, refused, retry) = submit(&http, &a.url, &new_key(), &body).await;
    assert_eq!(status, 429, "{refused}");
    assert_eq!(refused["error"]["code"], "tooManyRequestsForAccount");
    assert!(retry.is_some());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(desk.incidents().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_too_the_enrolled_devices_budget_is_apart_from_the_unsigned_one() {
    use helpdesk_relay::config::Database;
    use helpdesk_relay::store::{Accepted, NewRequest, Store};
    use helpdesk_relay::ticket::DeviceProof;

    let store = Store::open(&Database::Postgres(Postgres::shared().create_database()))
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let request = |proof: DeviceProof| NewRequest {
        id: format!("rr-{}", uuid::Uuid::new_v4()),
        idempotency_key: new_key(),
        body_hash: new_key(),
        body: "{}".into(),
        upn: "dana@contoso-demo.example".into(),
        source: "192.0.2.1".into(),
        device_proof: proof,
        accepted_at: now,
    };
    let unsigned = || DeviceProof::UnverifiedDevice {
        note: "unsigned".into(),
    };
    let signed = || DeviceProof::EnrolledDevice {
        key_id: "dk-1".into(),
        enrolled_at: now,
        enrolled_os: "Windows 11".into(),
    };
    let outcome = |accepted: Accepted| match accepted {
        Accepted::New(_) => "new",
        Accepted::AccountLimit { .. } => "limited",
        other => panic!("{other:?}"),
    };
    let mut seen = Vec::new();
    for proof in [
        unsigned(),
        unsigned(),
        unsigned(),
        signed(),
        signed(),
        signed(),
    ] {
        seen.push(outcome(store.accept(request(proof), 2).await.unwrap()));
    }
    assert_eq!(
        seen,
        ["new", "new", "limited", "new", "new", "limited"],
        "two unsigned, then two signed: each budget counts only its own"
    );
}
