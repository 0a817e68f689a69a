//! The relay over real HTTP, on its embedded default (SQLite), delivering
//! to a ServiceNow-shaped helpdesk: acceptance, repeats, bad input, abuse
//! limits, retries, dead letters and replay, device proof, and a database
//! that is not there at start.

mod support;

use std::time::Duration;

use helpdesk_contract::device_proof;
use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use serde_json::{json, Value};
use support::{
    config_text, demo_tokens, entra_config, fake_graph, new_key, relay_claims, request_body,
    submit, wait_delivered, FakeServiceNow, Mode,
};

struct Setup {
    relay: Relay,
    url: String,
    desk: FakeServiceNow,
    http: reqwest::Client,
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
    assert!(
        relay.ready(Duration::from_secs(10)).await,
        "the SQLite store opened"
    );
    let url = relay.base_url().to_string();
    Setup {
        relay,
        url,
        desk,
        http: reqwest::Client::new(),
        _dir: dir,
        _graph: graph_task,
    }
}

const FAST: &str = "[delivery]\nfirst_retry_seconds = 1\nmax_attempts = 3\nlease_seconds = 5\n";

#[tokio::test]
async fn an_accepted_request_becomes_one_ticket_and_its_status_shows_the_number() {
    let s = setup(FAST).await;
    let key = new_key();
    let body = request_body("dana@contoso-demo.example", "amber-falcon-42");
    let (status, answer, _) = submit(&s.http, &s.url, &key, &body).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "accepted");
    let id = answer["requestId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("rr-"));

    let done = wait_delivered(&s.http, &s.url, &id, Duration::from_secs(10)).await;
    assert_eq!(
        done,
        json!({"requestId": id, "status": "delivered", "ticketNumber": "INC0010001"})
    );
    let incident = s.desk.incident_for(&id).expect("the incident was filed");
    let description = incident["description"].as_str().unwrap();
    assert!(description.contains("amber-falcon-42"), "{description}");
    assert!(
        description.contains("Device proof: unverified device"),
        "{description}"
    );
    assert!(
        description.contains("verify identity by call-back")
            || description.contains("Verify identity by call-back")
    );
    assert!(incident["short_description"]
        .as_str()
        .unwrap()
        .contains(&id));

    // A repeat (the app's retry) answers the same request, now delivered,
    // and files nothing more, whatever the member order.
    let mut reordered = serde_json::Map::new();
    for (k, v) in body.as_object().unwrap().iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    let (status, again, _) = submit(&s.http, &s.url, &key, &Value::Object(reordered)).await;
    assert_eq!(status, 200);
    assert_eq!(again["requestId"], id.as_str());
    assert_eq!(again["ticketNumber"], "INC0010001");
    let mut changed = body.clone();
    changed["reason"] = json!("brokenPhone");
    let (status, conflict, _) = submit(&s.http, &s.url, &key, &changed).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"]["code"], "idempotencyKeyReused");
    assert_eq!(s.desk.incidents().len(), 1);
}

#[tokio::test]
async fn bad_input_gets_a_specific_refusal_and_stores_nothing() {
    let s = setup(FAST).await;
    let upn = "dana@contoso-demo.example";
    let post = |key: Option<&str>, content_type: &str, body: Vec<u8>| {
        let mut request = s
            .http
            .post(format!("{}v1/reset-requests", s.url))
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send()
    };
    let key = new_key();
    let valid = serde_json::to_vec(&request_body(upn, "a-b-1")).unwrap();
    let mut cases: Vec<(u16, &str, reqwest::Response)> = vec![
        (
            400,
            "invalidJson",
            post(Some(&key), "application/json", b"{\"upn\": ".to_vec())
                .await
                .unwrap(),
        ),
        (
            400,
            "missingIdempotencyKey",
            post(None, "application/json", valid.clone()).await.unwrap(),
        ),
        (
            400,
            "invalidIdempotencyKey",
            post(Some("1234"), "application/json", valid.clone())
                .await
                .unwrap(),
        ),
        (
            400,
            "invalidContentType",
            post(Some(&key), "text/plain", valid.clone()).await.unwrap(),
        ),
        (
            413,
            "payloadTooLarge",
            post(Some(&key), "application/json", vec![b' '; 70 * 1024])
                .await
                .unwrap(),
        ),
    ];
    let mut unknown = request_body(upn, "a-b-1");
    unknown["phone"] = json!("+1 555 0100");
    let mut long = request_body(upn, "a-b-1");
    long["reasonDetail"] = json!("x".repeat(501));
    let outsider = request_body("eve@elsewhere.example", "a-b-1");
    for (want_status, want_code, body) in [
        (400, "unknownField", unknown),
        (400, "invalidField", long),
        (422, "upnOutsideOrganisation", outsider),
    ] {
        let (status, answer, _) = submit(&s.http, &s.url, &new_key(), &body).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (want_status, Some(want_code)),
            "{answer}"
        );
    }
    for (want_status, want_code, response) in cases.drain(..) {
        assert_eq!(response.status().as_u16(), want_status);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"]["code"], want_code, "{answer}");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    let missing = s
        .http
        .get(format!("{}v1/reset-requests/rr-nope", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let counts = s.relay.store().unwrap().counts().await.unwrap();
    assert_eq!(
        (counts.accepted, counts.delivered, counts.failed),
        (0, 0, 0)
    );
    assert_eq!(s.desk.posts(), 0);
}

#[tokio::test]
async fn a_flood_from_one_address_or_for_one_account_is_limited_and_says_when_to_retry() {
    let s = setup("[limits]\nper_address_per_minute = 6\nper_account_per_hour = 2\n").await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, answer, retry) = submit(
            &s.http,
            &s.url,
            &new_key(),
            &request_body("dana@contoso-demo.example", "a-b-1"),
        )
        .await;
        statuses.push((
            status,
            answer["error"]["code"].as_str().map(str::to_owned),
            retry.is_some(),
        ));
    }
    assert_eq!(
        statuses,
        vec![
            (202, None, false),
            (202, None, false),
            (429, Some("tooManyRequestsForAccount".into()), true)
        ]
    );
    let (status, _, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("erik@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 202, "another account is not limited by Dana's");
    // Four requests so far from 127.0.0.1; the budget is six a minute.
    for _ in 0..2 {
        let response = s
            .http
            .get(format!("{}v1/reset-requests/rr-x", s.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404);
    }
    let (status, answer, retry) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("erik@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(answer["error"]["code"], "tooManyRequests");
    assert_eq!(
        retry.as_deref(),
        Some("10"),
        "six a minute refill one every 10 s"
    );
}

#[tokio::test]
async fn a_helpdesk_that_fails_is_retried_with_backoff_honouring_retry_after() {
    let s = setup(FAST).await;
    s.desk.set_mode(Mode::Fail {
        status: 503,
        times: 1,
        retry_after: None,
    });
    let (_, first, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    let id = first["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&s.http, &s.url, &id, Duration::from_secs(15)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    assert_eq!(s.desk.posts(), 2, "one failure, one success");
    assert_eq!(
        s.desk.finds(),
        1,
        "the second attempt asked for the first's ticket before filing"
    );

    s.desk.set_mode(Mode::Fail {
        status: 429,
        times: 1,
        retry_after: Some(2),
    });
    let started = tokio::time::Instant::now();
    let (_, second, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("erik@contoso-demo.example", "a-b-1"),
    )
    .await;
    let id = second["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&s.http, &s.url, &id, Duration::from_secs(15)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After: 2 was honoured"
    );
    assert_eq!(s.desk.incidents().len(), 2);
}

#[tokio::test]
async fn refusals_and_exhausted_retries_become_dead_letters_an_operator_can_replay() {
    let s = setup(FAST).await;
    let store = s.relay.store().unwrap().clone();

    // The helpdesk refuses the relay's credential on every attempt (three).
    s.desk.set_mode(Mode::Fail {
        status: 401,
        times: 3,
        retry_after: None,
    });
    let (_, a, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    let a = a["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&s.http, &s.url, &a, Duration::from_secs(20)).await;
    assert_eq!(done, json!({"requestId": a, "status": "failed"}));
    let letters = store.dead_letters().await.unwrap();
    assert_eq!(letters.len(), 1);
    let reason = letters[0].last_error.clone().unwrap();
    assert!(
        reason.contains("credential") && reason.contains("gave up after 3 attempts"),
        "{reason}"
    );
    assert!(
        !reason.contains("relay-password"),
        "no secret in the reason: {reason}"
    );

    // A refusal of the content is final at once.
    s.desk.set_mode(Mode::Fail {
        status: 400,
        times: 1,
        retry_after: None,
    });
    let (_, b, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("erik@contoso-demo.example", "a-b-1"),
    )
    .await;
    let b = b["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&s.http, &s.url, &b, Duration::from_secs(10)).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(s.desk.posts(), 4);

    // The operator fixes the cause and replays both: one ticket each.
    for id in [&a, &b] {
        assert!(store
            .replay(id, time::OffsetDateTime::now_utc())
            .await
            .unwrap());
    }
    for id in [&a, &b] {
        let done = wait_delivered(&s.http, &s.url, id, Duration::from_secs(10)).await;
        assert_eq!(done["status"], "delivered", "{done}");
    }
    assert_eq!(s.desk.incidents().len(), 2);
    assert!(
        !store
            .replay(&a, time::OffsetDateTime::now_utc())
            .await
            .unwrap(),
        "a delivered request is not a dead letter"
    );
}

async fn enrol(s: &Setup, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = s.http.post(format!("{}v1/device-keys", s.url)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The description of the incident filed for a request the relay
/// `accepted`, once it is delivered.
async fn delivered_description(s: &Setup, accepted: &Value) -> String {
    let id = accepted["requestId"].as_str().unwrap();
    wait_delivered(&s.http, &s.url, id, Duration::from_secs(10)).await;
    s.desk.incident_for(id).unwrap()["description"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn submit_signed(
    s: &Setup,
    key: &device_proof::SigningKey,
    key_id: &str,
    created: i64,
    body: &Value,
    tamper: bool,
) -> (u16, Value) {
    let idempotency = new_key();
    let bytes = serde_json::to_vec(body).unwrap();
    let (key_id, created, mut signature) =
        device_proof::sign(key, key_id, created, &idempotency, &bytes);
    if tamper {
        signature = device_proof::sign(
            key,
            &key_id,
            created.parse::<i64>().unwrap() + 1,
            &idempotency,
            &bytes,
        )
        .2;
    }
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
async fn a_request_signed_by_the_users_enrolled_device_says_so_in_the_ticket() {
    let tenant = tenant_emulator::Emulator::start(tenant_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let s = setup(&format!("{FAST}{}", entra_config(&tenant.base_url()))).await;
    let key = device_proof::generate_key();
    let enrolment = json!({"publicKey": device_proof::public_key_text(&key), "device": {"os": "Windows 11", "appVersion": "0.1.0"}});
    // Adele's token for the relay, got as the app gets it (enrolment
    // happens while the user can still sign in with MFA); Erik (not a demo
    // user) and an outsider hold tokens the tenant's keys signed.
    let (adele_graph, adele) = demo_tokens(&tenant.base_url(), "adele").await;
    let erik = tenant
        .sign_token(&relay_claims(
            "erik@contoso-demo.example",
            "22222222-2222-2222-2222-222222222222",
            |_| {},
        ))
        .unwrap();
    let outsider = tenant
        .sign_token(&relay_claims(
            "eve@elsewhere.example",
            "33333333-3333-3333-3333-333333333333",
            |_| {},
        ))
        .unwrap();

    // Enrolment needs a token for the relay, for a user of the organisation.
    assert_eq!(
        enrol(&s, None, &enrolment).await.1["error"]["code"],
        "missingToken"
    );
    let (status, refused) = enrol(&s, Some("stolen-or-expired"), &enrolment).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("invalidToken"))
    );
    let (status, refused) = enrol(&s, Some(&adele_graph), &enrolment).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("invalidToken")),
        "Adele's own Graph token is not for the relay"
    );
    assert!(
        tenant.request_log().iter().all(|r| !r.path.contains("/me")),
        "the relay never asks Graph who a token is"
    );
    let (status, refused) = enrol(&s, Some(&outsider), &enrolment).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("upnOutsideOrganisation"))
    );
    let (status, refused) = enrol(
        &s,
        Some(&adele),
        &json!({"publicKey": "AAAA", "device": {"os": "x", "appVersion": "1"}}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("invalidPublicKey"))
    );
    let (status, refused) = enrol(&s, Some(&adele), &json!({"publicKey": device_proof::public_key_text(&key), "device": {"os": "x", "appVersion": "1"}, "upn": "ceo@contoso-demo.example"})).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("unknownField"))
    );

    let (status, enrolled) = enrol(&s, Some(&adele), &enrolment).await;
    assert_eq!(status, 201, "{enrolled}");
    assert_eq!(
        enrolled["upn"], "adele@contoso-demo.example",
        "the token's name, lower-case"
    );
    let key_id = enrolled["keyId"].as_str().unwrap().to_owned();
    let (status, again) = enrol(&s, Some(&adele), &enrolment).await;
    assert_eq!(
        (status, again["keyId"].as_str()),
        (200, Some(key_id.as_str()))
    );
    let (status, elsewhere) = enrol(&s, Some(&erik), &enrolment).await;
    assert_eq!(
        (status, elsewhere["error"]["code"].as_str()),
        (409, Some("keyEnrolledElsewhere"))
    );

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let request = request_body("adele@contoso-demo.example", "amber-falcon-42");
    let (status, accepted) = submit_signed(&s, &key, &key_id, now, &request, false).await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap().to_owned();
    wait_delivered(&s.http, &s.url, &id, Duration::from_secs(10)).await;
    let incident = s.desk.incident_for(&id).unwrap();
    let description = incident["description"].as_str().unwrap();
    assert!(
        description.contains(&format!(
            "Device proof: sent from the user's enrolled device (key {key_id}, enrolled "
        )),
        "{description}"
    );
    // The device's name is the app's, quoted after the "typed" label.
    assert!(
        description.contains(
            ", device named at enrolment (typed by the requester, unverified): \"Windows 11\"). "
        ),
        "{description}"
    );
    assert!(
        description.contains("still verify identity by call-back"),
        "{description}"
    );
    assert!(incident["short_description"]
        .as_str()
        .unwrap()
        .contains("enrolled device"));

    // Adele's device asking for Erik's reset: accepted, flagged.
    let erik = request_body("erik@contoso-demo.example", "amber-falcon-42");
    let (status, accepted) = submit_signed(&s, &key, &key_id, now, &erik, false).await;
    assert_eq!(status, 202);
    let description = delivered_description(&s, &accepted).await;
    assert!(description.contains("Device proof: unverified device (WARNING: signed by a device enrolled for another account, adele@contoso-demo.example, not the account this request names). "), "{description}");

    // A signature that does not verify, or is too old, is refused; an
    // unknown key only makes the request unverified.
    let (status, refused) = submit_signed(&s, &key, &key_id, now, &request, true).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("invalidSignature"))
    );
    let (status, refused) = submit_signed(&s, &key, &key_id, now - 3600, &request, false).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("signatureExpired"))
    );
    let (status, accepted) = submit_signed(
        &s,
        &device_proof::generate_key(),
        "dk-unknown",
        now,
        &erik,
        false,
    )
    .await;
    assert_eq!(status, 202);
    let description = delivered_description(&s, &accepted).await;
    assert!(description.contains("Device proof: unverified device (signed by a device key this relay does not know (never enrolled here, or removed since); key id (typed by the requester, unverified): \"dk-unknown\"). "), "{description}");
    let partial = s
        .http
        .post(format!("{}v1/reset-requests", s.url))
        .header("idempotency-key", new_key())
        .header("device-key-id", &key_id)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status().as_u16(), 400);
    assert_eq!(
        partial.json::<Value>().await.unwrap()["error"]["code"],
        "invalidSignatureHeaders"
    );
}

#[tokio::test]
async fn with_no_database_at_start_the_relay_answers_503_and_keeps_nothing_half_done() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"a file where the database's directory should be").unwrap();
    let desk = FakeServiceNow::start().await;
    let text = config_text(
        &format!("sqlite:{}", blocker.join("relay.db").display()),
        "https://graph.microsoft.com/v1.0/",
        "",
        &desk.config(),
    );
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    assert!(!relay.ready(Duration::from_millis(500)).await);
    let http = reqwest::Client::new();
    let url = relay.base_url().to_string();
    let (status, answer, retry) = submit(
        &http,
        &url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (503, Some("databaseUnavailable"))
    );
    assert_eq!(retry.as_deref(), Some("5"));
    let health = http.get(format!("{url}healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 503);

    // The directory appears: the relay connects and accepts.
    std::fs::remove_file(&blocker).unwrap();
    assert!(
        relay.ready(Duration::from_secs(10)).await,
        "the relay retried the database"
    );
    let (status, _, _) = submit(
        &http,
        &url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 202);
}

#[test]
fn configuration_errors_name_the_key() {
    let helpdesk = "[helpdesk.servicenow]\ninstance = \"https://x.service-now.com\"\nuser = \"u\"\npassword = \"p\"\n";
    for (text, says) in [
        ("database = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\n", "a helpdesk is required"),
        (&format!("organisation_domains = [\"c.com\"]\n{helpdesk}"), "`database` is required"),
        (&format!("database = \"mysql://x\"\norganisation_domains = [\"c.com\"]\n{helpdesk}"), "`database` must be"),
        (&format!("database = \"sqlite:/tmp/x.db\"\n{helpdesk}"), "`organisation_domains` is required"),
        (&format!("listen = \"0.0.0.0:8443\"\ndatabase = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\n{helpdesk}"), "[tls]"),
        (&format!("database = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\ngraph_base = \"http://graph.example\"\n{helpdesk}"), "`graph_base` must be an https URL"),
        (&format!("database = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\nsurprise = 1\n{helpdesk}"), "unknown field `surprise`"),
        (&format!("database = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\n[delivery]\nworkers = 0\n{helpdesk}"), "workers"),
    ] {
        let error = RelayConfig::parse(text).unwrap_err();
        assert!(error.contains(says), "{text}\n=> {error}");
    }
}
