//! The attacker cannot starve the real user, nor knock the relay over
//! (issue 12 §4), over real HTTP with plain clients, as an attacker would:
//! - a flood of unsigned requests for an account does not keep out a
//!   request signed by that account's enrolled device;
//! - a client that sends half a request and stalls is cut off, while a
//!   real request on another connection is served;
//! - one sender cannot hold every connection, and past the connection cap
//!   newcomers wait for a slot instead of being refused;
//! - `X-Forwarded-For` is believed only from a trusted proxy, and then only
//!   its right-most untrusted entry; IPv6 senders count per /64;
//! - what a sender typed reaches the log escaped.
//!
//! Other addresses of the loopback network (127.0.0.2, 127.0.0.3) stand in
//! for other senders and for a proxy.

mod support;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use helpdesk_contract::device_proof;
use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::store::DeviceKey;
use helpdesk_relay::Relay;
use serde_json::{json, Value};
use support::{config_text, fake_graph, new_key, request_body, submit, FakeServiceNow};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

struct Setup {
    relay: Relay,
    url: String,
    http: reqwest::Client,
    _desk: FakeServiceNow,
    _dir: tempfile::TempDir,
    _graph: tokio::task::JoinHandle<()>,
}

async fn setup(extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let (graph, graph_task) = fake_graph().await;
    let database = format!("sqlite:{}", dir.path().join("relay.db").display());
    let text = config_text(&database, &graph, extra, &desk.config());
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    let url = relay.base_url().to_string();
    Setup {
        relay,
        url,
        http: reqwest::Client::new(),
        _desk: desk,
        _dir: dir,
        _graph: graph_task,
    }
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// An HTTP client whose connections come from `from`.
fn client_from(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A raw TCP connection to the relay from `from`.
async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the relay closes the connection (or `bound` passes): what it
/// sent, and whether it closed.
async fn read_until_closed(stream: &mut TcpStream, bound: Duration) -> (String, bool) {
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(bound, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&seen).into_owned(), closed)
}

/// One complete `GET /healthz` on a raw connection; the status line.
async fn raw_health(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(stream, Duration::from_secs(10)).await;
    assert!(closed, "the relay answered and closed: {answer}");
    answer.lines().next().unwrap_or_default().to_owned()
}

async fn enrol_directly(relay: &Relay, upn: &str, key: &device_proof::SigningKey) -> String {
    // Enrolment's token check is being changed elsewhere; the key goes into
    // the store as a successful enrolment would put it.
    let key_id = format!("dk-{}", uuid::Uuid::new_v4().simple());
    relay
        .store()
        .unwrap()
        .enrol(DeviceKey {
            key_id: key_id.clone(),
            upn: upn.into(),
            user_id: format!("id-{upn}"),
            public_key: device_proof::public_key_text(key),
            os: "Windows 11".into(),
            app_version: "0.1.0".into(),
            enrolled_at: time::OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    key_id
}

async fn submit_signed(
    s: &Setup,
    key: &device_proof::SigningKey,
    key_id: &str,
    body: &Value,
) -> (u16, Value) {
    let idempotency = new_key();
    let bytes = serde_json::to_vec(body).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (key_id, created, signature) = device_proof::sign(key, key_id, now, &idempotency, &bytes);
    let response = s
        .http
        .post(format!("{}v1/reset-requests", s.url))
        .header("idempotency-key", &idempotency)
        .header("content-type", "application/json")
        .header("device-key-id", key_id)
        .header("device-signature-created", created)
        .header("device-signature", signature)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_flood_of_unsigned_requests_does_not_keep_out_the_accounts_enrolled_device() {
    let s = setup(
        "[limits]\nper_account_per_hour = 3\nsigned_per_account_per_hour = 2\n\
         [delivery]\nfirst_retry_seconds = 1\n",
    )
    .await;
    let dana_key = device_proof::generate_key();
    let dana_key_id = enrol_directly(&s.relay, "dana@contoso-demo.example", &dana_key).await;
    let eve_key = device_proof::generate_key();
    let eve_key_id = enrol_directly(&s.relay, "eve@contoso-demo.example", &eve_key).await;

    // The attacker floods Dana's account, spelling it every which way: one
    // account, one budget.
    let mut flood = Vec::new();
    for spelling in [
        "dana@contoso-demo.example",
        "DANA@CONTOSO-DEMO.EXAMPLE",
        "Dana@Contoso-Demo.Example",
        "dAnA@contoso-demo.EXAMPLE",
        "dana@CONTOSO-demo.example",
    ] {
        let (status, answer, _) = submit(
            &s.http,
            &s.url,
            &new_key(),
            &request_body(spelling, "a-b-1"),
        )
        .await;
        flood.push((status, answer["error"]["code"].as_str().map(str::to_owned)));
    }
    let limited = Some("tooManyRequestsForAccount".to_owned());
    assert_eq!(
        flood,
        vec![
            (202, None),
            (202, None),
            (202, None),
            (429, limited.clone()),
            (429, limited.clone())
        ],
        "the per-account count ignores the UPN's case"
    );
    // Signed by a key enrolled for another account (the attacker's own):
    // unverified, so it is in the unsigned budget, spent.
    let dana = request_body("dana@contoso-demo.example", "amber-falcon-42");
    let (status, answer) = submit_signed(&s, &eve_key, &eve_key_id, &dana).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (429, Some("tooManyRequestsForAccount")),
        "{answer}"
    );

    // Dana, from her enrolled device, still gets through: her own budget.
    let (status, accepted) = submit_signed(&s, &dana_key, &dana_key_id, &dana).await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap();
    let stored = s.relay.store().unwrap().request(id).await.unwrap().unwrap();
    assert!(
        matches!(
            stored.device_proof,
            device_proof::DeviceProof::EnrolledDevice { .. }
        ),
        "{:?}",
        stored.device_proof
    );
    assert_eq!(stored.upn, "dana@contoso-demo.example");
    // That budget is limited too, and spending it leaves the other alone.
    let (status, _) = submit_signed(&s, &dana_key, &dana_key_id, &dana).await;
    assert_eq!(status, 202);
    let (status, refused) = submit_signed(&s, &dana_key, &dana_key_id, &dana).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (429, Some("tooManyRequestsForAccount")),
        "{refused}"
    );
    // Another account is untouched by all of it.
    let (status, _, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("erik@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn a_client_that_stalls_mid_request_is_cut_off_while_a_real_request_is_served() {
    let s = setup("[limits]\nheader_read_timeout_seconds = 1\nrequest_timeout_seconds = 2\n").await;
    let address = s.relay.address();

    // Half a request line and headers, then nothing.
    let mut half_headers = TcpStream::connect(address).await.unwrap();
    half_headers
        .write_all(b"POST /v1/reset-requests HTTP/1.1\r\nHost: relay\r\nContent-Le")
        .await
        .unwrap();
    // Headers a byte at a time, forever (slowloris): the deadline is not
    // moved by bytes arriving.
    let mut trickle = TcpStream::connect(address).await.unwrap();
    let trickler = tokio::spawn(async move {
        let line = b"GET /healthz HTTP/1.1\r\nX-Padding: ";
        for byte in line.iter().chain(std::iter::repeat(&b'a')).take(100) {
            if trickle.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    // All the headers and half the body, then nothing.
    let mut half_body = TcpStream::connect(address).await.unwrap();
    half_body
        .write_all(
            b"POST /v1/reset-requests HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n\
              Idempotency-Key: 7c1d7d53-6b0e-4a43-9d1c-8a3b7e0f0a11\r\nContent-Length: 400\r\n\r\n{\"upn\": ",
        )
        .await
        .unwrap();
    // An idle keep-alive connection, after one answered request.
    let mut idle = TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
        .await
        .unwrap();

    // Meanwhile a real request, on its own connection, is served.
    let health = s
        .http
        .get(format!("{}healthz", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let (status, accepted, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");

    let bound = Duration::from_secs(15);
    let (said, closed) = read_until_closed(&mut half_headers, bound).await;
    assert!(closed, "the half-sent headers' connection was cut off");
    assert!(!said.contains("202"), "{said}");
    let (said, closed) = read_until_closed(&mut half_body, bound).await;
    assert!(closed, "the half-sent body's connection was cut off");
    assert!(
        said.starts_with("HTTP/1.1 408") && said.contains("requestTimeout"),
        "a stalled body is answered 408: {said}"
    );
    let (said, closed) = read_until_closed(&mut idle, bound).await;
    assert!(closed, "the idle keep-alive connection was closed");
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(
        tokio::time::timeout(bound, trickler)
            .await
            .unwrap()
            .unwrap(),
        "the trickling client was cut off before it finished its 100 bytes"
    );
    let counts = s.relay.store().unwrap().counts().await.unwrap();
    assert_eq!(
        counts.accepted + counts.delivered + counts.failed,
        1,
        "only the real request was stored"
    );
}

#[tokio::test]
async fn one_sender_cannot_hold_every_connection() {
    let s = setup("[limits]\nmax_connections = 10\nmax_connections_per_address = 2\n").await;
    let address = s.relay.address();
    let attacker = loopback(1);
    let mut first = connect_from(attacker, address).await;
    let mut second = connect_from(attacker, address).await;
    let mut third = connect_from(attacker, address).await;
    let (said, closed) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(
        closed && said.is_empty(),
        "a third connection from one sender is closed at once: {said:?}"
    );
    // Another sender is served meanwhile, and the attacker's first two
    // connections are still open and served: they were not cut by a timeout.
    let health = client_from(loopback(2))
        .get(format!("{}healthz", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert!(raw_health(&mut first).await.starts_with("HTTP/1.1 200"));
    assert!(raw_health(&mut second).await.starts_with("HTTP/1.1 200"));
    // Closed connections free their slots.
    let mut again = connect_from(attacker, address).await;
    assert!(raw_health(&mut again).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn past_the_connection_cap_a_newcomer_waits_for_a_slot_and_is_then_served() {
    let s = setup(
        "[limits]\nmax_connections = 3\nmax_connections_per_address = 2\nheader_read_timeout_seconds = 1\n",
    )
    .await;
    let address = s.relay.address();
    // Three idle connections from two senders fill the relay.
    let mut idle = vec![
        connect_from(loopback(1), address).await,
        connect_from(loopback(1), address).await,
        connect_from(loopback(2), address).await,
    ];
    // A newcomer is not refused: it waits in the listen queue until the idle
    // ones are closed by the header-read timeout, then is served.
    let health = client_from(loopback(3))
        .get(format!("{}healthz", s.url))
        .send()
        .await
        .expect("the newcomer is served, not refused");
    assert_eq!(health.status().as_u16(), 200);
    for stream in &mut idle {
        let (said, closed) = read_until_closed(stream, Duration::from_secs(10)).await;
        assert!(closed && said.is_empty(), "{said:?}");
    }
}

async fn get_from_proxy(s: &Setup, http: &reqwest::Client, forwarded: &[&str]) -> (u16, String) {
    let mut request = http.get(format!("{}v1/reset-requests/rr-none", s.url));
    for value in forwarded {
        request = request.header("x-forwarded-for", *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy_and_then_its_right_most_untrusted_entry(
) {
    let s = setup(
        "[limits]\nper_address_per_minute = 2\ntrusted_proxies = [\"127.0.0.2\", \"10.0.0.0/8\"]\n",
    )
    .await;
    let untrusted = client_from(loopback(1));
    let proxy = client_from(loopback(2));

    // From an untrusted peer the header is ignored: a new address in it
    // each time does not buy a new budget.
    let mut seen = Vec::new();
    for n in 1..=3 {
        let forged = format!("198.51.100.{n}");
        seen.push(get_from_proxy(&s, &untrusted, &[&forged]).await);
    }
    assert_eq!(
        (seen[0].0, seen[1].0, seen[2].0),
        (404, 404, 429),
        "{seen:?}"
    );
    assert!(seen[2].1.contains("from 127.0.0.1;"), "{}", seen[2].1);

    // Through the trusted proxy: the client is the right-most address the
    // proxy did not write itself; what the sender wrote to its left (here
    // the exhausted 127.0.0.1, or anything else) changes nothing.
    for forwarded in [
        &["127.0.0.1, 203.0.113.5"][..],
        &["198.51.100.77", "203.0.113.5, 10.1.2.3"],
    ] {
        let (status, message) = get_from_proxy(&s, &proxy, forwarded).await;
        assert_eq!(status, 404, "{forwarded:?}: {message}");
    }
    let (status, message) = get_from_proxy(&s, &proxy, &["1.2.3.4, 203.0.113.5"]).await;
    assert_eq!(status, 429);
    assert!(message.contains("from 203.0.113.5;"), "{message}");
    let (status, _) = get_from_proxy(&s, &proxy, &["203.0.113.5, 203.0.113.6"]).await;
    assert_eq!(status, 404, "203.0.113.6 has its own budget");

    // IPv6 clients behind the proxy count per /64.
    for (forwarded, want) in [
        ("2001:db8:1:2::1", 404),
        ("2001:db8:1:2:aaaa::99", 404),
        ("2001:db8:1:2:ffff::1", 429),
        ("2001:db8:1:3::1", 404),
    ] {
        let (status, message) = get_from_proxy(&s, &proxy, &[forwarded]).await;
        assert_eq!(status, want, "{forwarded}: {message}");
    }

    // What is stored as a request's source is the same client.
    let response = proxy
        .post(format!("{}v1/reset-requests", s.url))
        .header("idempotency-key", new_key())
        .header("x-forwarded-for", "127.0.0.9, 192.0.2.44")
        .json(&request_body("dana@contoso-demo.example", "a-b-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let id = response.json::<Value>().await.unwrap()["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = s
        .relay
        .store()
        .unwrap()
        .request(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.source, "192.0.2.44");
}

#[tokio::test]
async fn an_ipv6_client_is_limited_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let database = format!("sqlite:{}", dir.path().join("relay.db").display());
    let text = config_text(
        &database,
        "https://graph.microsoft.com/v1.0/",
        "[limits]\nper_address_per_minute = 2\n",
        &desk.config(),
    )
    .replace("listen = \"127.0.0.1:0\"", "listen = \"[::1]:0\"");
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    let url = relay.base_url().to_string();
    assert!(url.starts_with("http://[::1]:"), "{url}");
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut last = Value::Null;
    for _ in 0..3 {
        let response = http.get(format!("{url}healthz")).send().await.unwrap();
        statuses.push(response.status().as_u16());
        last = response.json().await.unwrap_or(Value::Null);
    }
    assert_eq!(statuses, vec![200, 200, 429]);
    assert_eq!(last["error"]["code"], "tooManyRequests");
}

#[test]
fn limits_configuration_errors_are_specific() {
    let helpdesk = "[helpdesk.servicenow]\ninstance = \"https://x.service-now.com\"\nuser = \"u\"\npassword = \"p\"\n";
    let base = "database = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\n";
    for (limits, says) in [
        (
            "trusted_proxies = [\"10.0.0/8\"]",
            "trusted_proxies has \"10.0.0/8\", which is not an IP address or CIDR block",
        ),
        (
            "trusted_proxies = [\"10.0.0.0/8\", \"proxy.internal\"]",
            "\"proxy.internal\"",
        ),
        ("trusted_proxies = [\"::/0\"]", "trusts every address"),
        (
            "client_address_header = \"x-forwarded-for\"",
            "read only from trusted proxies",
        ),
        (
            "trusted_proxies = [\"10.0.0.0/8\"]\nclient_address_header = \"x forwarded\"",
            "is not a header name",
        ),
        (
            "header_read_timeout_seconds = 0",
            "header_read_timeout_seconds must be between 1 and 300",
        ),
        (
            "request_timeout_seconds = 601",
            "request_timeout_seconds must be between 1 and 600",
        ),
        ("max_connections = 0", "max_connections must be at least 1"),
        (
            "max_connections_per_address = 0",
            "max_connections_per_address must be at least 1",
        ),
        (
            "signed_per_account_per_hour = 0",
            "signed_per_account_per_hour must be at least 1",
        ),
        (
            "per_account_per_hour = 0",
            "per_account_per_hour must be at least 1",
        ),
    ] {
        let text = format!("{base}[limits]\n{limits}\n{helpdesk}");
        let error = RelayConfig::parse(&text).unwrap_err();
        assert!(error.contains(says), "{limits}\n=> {error}");
    }
    let text = format!(
        "{base}[limits]\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\", \"2001:db8::/32\"]\n{helpdesk}"
    );
    let config = RelayConfig::parse(&text).unwrap();
    assert_eq!(
        config.limits.client_header().as_deref(),
        Some("x-forwarded-for")
    );
    assert!(config.limits.is_trusted_proxy("10.9.8.7".parse().unwrap()));
    assert!(config
        .limits
        .is_trusted_proxy("::ffff:192.0.2.7".parse().unwrap()));
    assert!(!config.limits.is_trusted_proxy("192.0.2.8".parse().unwrap()));
    let defaults = RelayConfig::parse(&format!("{base}{helpdesk}"))
        .unwrap()
        .limits;
    assert_eq!(
        (
            defaults.header_read_timeout_seconds,
            defaults.request_timeout_seconds,
            defaults.max_connections,
            defaults.max_connections_per_address,
            defaults.client_header()
        ),
        (10, 30, 1024, 64, None)
    );
}

/// A log sink the test can read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: the relay's tasks run where the log sink is installed.
#[tokio::test(flavor = "current_thread")]
async fn what_a_sender_typed_reaches_the_log_escaped() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let s = setup("").await;

    let forged_line = "\n2026-01-01T00:00:00Z  INFO helpdesk_relay: \x1b[32maccepted\x1b[0m";
    let mut unknown_field = request_body("dana@contoso-demo.example", "a-b-1");
    unknown_field[format!("x{forged_line}")] = json!(1);
    let mut bad_upn = request_body("dana@contoso-demo.example", "a-b-1");
    bad_upn["upn"] = json!(format!("ceo@contoso-demo.example{forged_line}"));
    for body in [unknown_field, bad_upn] {
        let (status, answer, _) = submit(&s.http, &s.url, &new_key(), &body).await;
        assert_eq!(status, 400, "{answer}");
    }
    drop(s);
    let mut sink = captured.clone();
    sink.flush().unwrap();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        !log.contains('\x1b'),
        "no raw escape reaches the log:\n{log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("2026-01-01T00:00:00Z")),
        "no forged line:\n{log}"
    );
    assert!(
        log.contains("\\n2026-01-01T00:00:00Z  INFO helpdesk_relay: \\u{1b}[32maccepted"),
        "the sender's text is there, escaped:\n{log}"
    );
}
