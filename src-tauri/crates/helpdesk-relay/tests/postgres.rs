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
    let unsigned = || DeviceProof::unverified(helpdesk_relay::ticket::UnverifiedReason::Unsigned);
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

/// The owner's notice and dispute on PostgreSQL, across two instances
/// behind one public address: one notice (not one per instance), the
/// dispute link used at either instance and only once, and one note on the
/// ticket. The emulator is Graph, the identity platform and the helpdesk.
#[cfg(feature = "demo-tenant")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_notice_is_sent_once_and_disputed_once_across_two_instances() {
    use helpdesk_relay::config::Database;
    use helpdesk_relay::store::Store;
    use serde_json::Value;
    use tenant_emulator::{demo, Emulator, EmulatorConfig};

    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let tenant = emulator.base_url().to_string();
    let database = Postgres::shared().create_database();
    let port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port_a, port_b) = (port(), port());
    // Both instances put the same public address (instance a's) in links.
    let config = |listen: u16| {
        format!(
            "listen = \"127.0.0.1:{listen}\"\n\
             database = \"{database}\"\n\
             organisation_domains = [\"{domain}\"]\n\
             graph_base = \"{tenant}v1.0/\"\n\
             [delivery]\nfirst_retry_seconds = 1\nlease_seconds = 5\n\
             [notify]\npublic_url = \"http://127.0.0.1:{port_a}/\"\n\
             helpdesk_contact = \"Call the IT service desk on +44 20 7946 0000\"\n\
             ticket_waits_seconds = 15\n\
             [notify.graph]\ntenant_id = \"{tenant_id}\"\nclient_id = \"{client_id}\"\n\
             sender = \"mfa-relay@{domain}\"\nauthority = \"{tenant}\"\nclient_secret = \"{secret}\"\n\
             [helpdesk.zendesk]\nbase_url = \"{tenant}zendesk/\"\nemail = \"relay@{domain}\"\napi_token = \"demo-agent-token\"\n",
            domain = demo::DOMAIN,
            tenant_id = demo::TENANT_ID,
            client_id = demo::RELAY_API_CLIENT_ID,
            secret = demo::RELAY_CLIENT_SECRET,
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let a = RelayProcess::start(dir.path(), "a", &config(port_a));
    let b = RelayProcess::start(dir.path(), "b", &config(port_b));
    let http = reqwest::Client::new();

    let (status, accepted, _) = submit(
        &http,
        &b.url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "amber-falcon-42"),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&http, &a.url, &id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "delivered", "{done}");

    let about = |mailbox: &'static str| {
        let http = http.clone();
        let tenant = tenant.clone();
        let id = id.clone();
        async move {
            let all: Value = http
                .get(format!("{tenant}_emulator/mailbox/messages"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            all["messages"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| {
                    m["mailbox"] == mailbox && m["body"].as_str().unwrap_or("").contains(&id)
                })
                .cloned()
                .collect::<Vec<Value>>()
        }
    };
    // The ticket waited for the notice, so it is out; give a second
    // instance time to (wrongly) send its own.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let work = about("dana@contoso-demo.example").await;
    assert_eq!(work.len(), 1, "one notice, not one per instance: {work:?}");
    assert_eq!(about("dana.whitlock@home.example").await.len(), 1);
    let ticket = emulator
        .helpdesk_tickets()
        .into_iter()
        .find(|t| t.subject.contains(&id))
        .expect("the ticket");
    assert!(
        ticket
            .description
            .contains("notified at d***@contoso-demo.example (work mailbox) and d***@home.example (personal address) on "),
        "{}",
        ticket.description
    );

    // The link names instance a; the owner's press reaches instance b.
    let link = work[0]["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.contains("/dispute/"))
        .unwrap()
        .to_owned();
    assert!(link.starts_with(&a.url), "{link}");
    let at_b = link.replacen(&a.url, &b.url, 1);
    let pressed = http.post(&at_b).send().await.unwrap();
    assert_eq!(pressed.status(), 200);
    let again = http.post(&link).send().await.unwrap();
    assert_eq!(again.status(), 410, "used up, at the other instance too");

    let comments = || {
        emulator
            .helpdesk_tickets()
            .into_iter()
            .find(|t| t.subject.contains(&id))
            .unwrap()
            .comments
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while comments().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no dispute note");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let noted = comments();
    assert_eq!(noted.len(), 1, "one note from two instances: {noted:?}");
    assert!(!noted[0].public && noted[0].body.contains(&id));

    // What PostgreSQL holds.
    let store = Store::open(&Database::Postgres(database.clone()))
        .await
        .unwrap();
    assert!(store.disputed_at(&id).await.unwrap().is_some());
    assert_eq!(
        store.note_status(&id).await.unwrap().as_deref(),
        Some("added")
    );
    assert!(matches!(
        store
            .notice_state(helpdesk_relay::store::notify::NoticeKind::Reset, &id)
            .await
            .unwrap(),
        Some(helpdesk_relay::store::notify::NoticeState::Sent { .. })
    ));
    // A two-message notice's progress (the manager's case) on PostgreSQL.
    let notice = format!("on-reset-{id}");
    for _ in 0..2 {
        store
            .notice_part_sent(
                &notice,
                "owner:dana@contoso-demo.example",
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        store.notice_parts(&notice).await.unwrap(),
        vec!["owner:dana@contoso-demo.example".to_string()]
    );
    drop((a, b));
}

/// Rows an earlier relay wrote (its English device-proof notes and its
/// English list of where the owner's notice went) are delivered, each
/// worded as the reason it names; a note no relay wrote and a proof that
/// is not JSON at all are delivered too, saying so. None is dropped, none
/// stops delivery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_an_earlier_relay_wrote_are_still_delivered_their_reasons_worded() {
    use helpdesk_relay::config::{Database, RelayConfig};
    use helpdesk_relay::store::{Accepted, NewRequest, Store};
    use helpdesk_relay::ticket::{DeviceProof, UnverifiedReason};
    use helpdesk_relay::Relay;

    let database = Postgres::shared().create_database();
    let desk = FakeServiceNow::start().await;
    let store = Store::open(&Database::Postgres(database.clone()))
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let rows: [(&str, &str); 6] = [
        (
            r#"{"kind":"unverifiedDevice","note":"the request was not signed by a device key"}"#,
            "Device proof: unverified device (the request was not signed by a device key). ",
        ),
        (
            r#"{"kind":"unverifiedDevice","note":"signed by key dk-old_1, which this relay does not know"}"#,
            "Device proof: unverified device (signed by a device key this relay does not know \
             (never enrolled here, or removed since); key id (typed by the requester, \
             unverified): \"dk-old_1\"). ",
        ),
        (
            r#"{"kind":"unverifiedDevice","note":"WARNING: signed by a device enrolled for another account, adele@contoso-demo.example; the request is for dana@contoso-demo.example"}"#,
            "Device proof: unverified device (WARNING: signed by a device enrolled for another \
             account, adele@contoso-demo.example, not the account this request names). ",
        ),
        (
            r#"{"kind":"unverifiedDevice","note":"a sentence no relay ever wrote"}"#,
            "Device proof: unverified device (another version of the relay recorded the reason \
             in a form this version cannot read). ",
        ),
        (
            "{not json",
            "Device proof: unverified device (the relay could not read the device proof it \
             stored for this request). ",
        ),
        (
            r#"{"kind":"enrolledDevice","keyId":"dk-1","enrolledAt":"2026-03-01T09:30:00Z","enrolledOs":"Windows 11"}"#,
            "Device proof: sent from the user's enrolled device (key dk-1, enrolled 2026-03-01, \
             device named at enrolment (typed by the requester, unverified): \"Windows 11\"). ",
        ),
    ];
    let mut ids = Vec::new();
    for n in 0..rows.len() {
        let id = format!("rr-{}", uuid::Uuid::new_v4());
        let accepted = store
            .accept(
                NewRequest {
                    id: id.clone(),
                    idempotency_key: new_key(),
                    body_hash: new_key(),
                    body: request_body(&format!("user{n}@contoso-demo.example"), "a-b-1")
                        .to_string(),
                    upn: format!("user{n}@contoso-demo.example"),
                    source: "192.0.2.1".into(),
                    device_proof: DeviceProof::unverified(UnverifiedReason::Unsigned),
                    accepted_at: now,
                },
                5,
            )
            .await
            .unwrap();
        assert!(matches!(accepted, Accepted::New(_)), "{accepted:?}");
        ids.push(id);
    }
    drop(store);

    // Make them the earlier relay's rows, as it wrote them, with the
    // first one's notice sent as it recorded where.
    let (client, connection) = tokio_postgres::connect(&database, tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    for ((stored, _), id) in rows.iter().zip(&ids) {
        let changed = client
            .execute(
                "UPDATE reset_requests SET device_proof = $1 WHERE id = $2",
                &[stored, id],
            )
            .await
            .unwrap();
        assert_eq!(changed, 1);
    }
    let millis = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    client
        .execute(
            "INSERT INTO owner_notices (id, kind, subject_id, upn, details, status, sent_to, \
             attempts, created_at, next_attempt_at, sent_at) \
             VALUES ($1, 'reset', $2, 'user0@contoso-demo.example', '{}', 'sent', $3, 1, $4, $4, $4)",
            &[
                &format!("on-reset-{}", ids[0]),
                &ids[0],
                &"u***@contoso-demo.example and u***@home.example",
                &millis,
            ],
        )
        .await
        .unwrap();
    drop(client);
    connection.abort();

    // This relay, sending notices (to a mail server that is not there: the
    // others' notices stay pending), delivers every row.
    let config = config_text(
        &database,
        "https://graph.microsoft.com/v1.0/",
        &format!(
            "[delivery]\nfirst_retry_seconds = 1\nlease_seconds = 5\n\
             [notify]\npublic_url = \"http://127.0.0.1:9/\"\n\
             helpdesk_contact = \"Call the IT service desk on +44 20 7946 0000\"\n\
             ticket_waits_seconds = 1\n\
             [notify.smtp]\nfrom = \"relay@contoso-demo.example\"\nhost = \"127.0.0.1\"\n\
             port = {}\ntls = \"none\"\n",
            {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                listener.local_addr().unwrap().port()
            }
        ),
        &desk.config(),
    );
    let relay = Relay::start(RelayConfig::parse(&config).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    let url = relay.base_url().to_string();
    let http = reqwest::Client::new();
    for ((_, says), id) in rows.iter().zip(&ids) {
        let done = wait_delivered(&http, &url, id, Duration::from_secs(30)).await;
        assert_eq!(done["status"], "delivered", "{done}");
        let incident = desk.incident_for(id).expect("filed");
        let description = incident["description"].as_str().unwrap();
        assert!(description.contains(says), "{says:?} not in {description}");
        assert!(incident["short_description"]
            .as_str()
            .unwrap()
            .starts_with(&format!("[{id}] ")));
    }
    let first = desk.incident_for(&ids[0]).unwrap();
    assert!(
        first["description"].as_str().unwrap().contains(
            "Owner notice: the owner was notified at u***@contoso-demo.example (work mailbox) and \
             u***@home.example (personal address or manager) on "
        ),
        "{first}"
    );
    let second = desk.incident_for(&ids[1]).unwrap();
    assert!(
        second["description"]
            .as_str()
            .unwrap()
            .contains("Owner notice: the notice to the owner is still pending"),
        "{second}"
    );
    drop(relay);
}
