//! The emulated helpdesk over real HTTP: the relay contract
//! (`docs/helpdesk-relay.openapi.yaml`) field by field, its idempotency,
//! Zendesk's anonymous Requests API, faults, the shared inbox, the admin
//! view and persistence.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tenant_emulator::{Emulator, EmulatorConfig, Fault, HelpdeskChannel};

const RELAY: &str = "helpdesk/v1/reset-requests";
const ZENDESK: &str = "zendesk/api/v2/requests.json";
const KEY: &str = "6f1c2b9e-4d3a-4b8f-9e21-7a5c3d2e1f00";

type Reply = (StatusCode, reqwest::header::HeaderMap, Value);

/// A request the contract accepts.
fn valid() -> Value {
    json!({
        "schemaVersion": 1,
        "requestType": "mfaReset",
        "upn": "dana@contoso-demo.example",
        "reason": "lostPhone",
        "reasonDetail": "Left it on the train",
        "stillHas": ["password", "email"],
        "callback": {"preference": "directoryPhone", "availability": "weekdays 9-17"},
        "device": {"os": "Windows 11 23H2", "appVersion": "1.4.0"},
        "createdAt": "2026-03-01T09:30:00Z",
        "verificationPhrase": "amber-falcon-42",
        "unauthenticated": true,
        "runbook": [
            "Call the user back on the number in the directory",
            "Ask for the verification phrase",
            "Issue a one-time Temporary Access Pass",
        ],
        "tenant": "contoso-demo.example",
    })
}

fn url(emulator: &Emulator, path: &str) -> url::Url {
    emulator
        .base_url()
        .join(path)
        .unwrap_or_else(|_| emulator.base_url())
}

/// POSTs raw bytes with optional key and content type.
async fn post_raw(
    emulator: &Emulator,
    path: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<Reply, reqwest::Error> {
    let mut request = client().post(url(emulator, path)).body(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await?;
    Ok((
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    ))
}

async fn relay(
    emulator: &Emulator,
    key: Option<&str>,
    body: &Value,
) -> Result<Reply, reqwest::Error> {
    post_raw(
        emulator,
        RELAY,
        key,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

async fn zendesk(
    emulator: &Emulator,
    key: Option<&str>,
    body: &Value,
) -> Result<Reply, reqwest::Error> {
    post_raw(
        emulator,
        ZENDESK,
        key,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

/// Asserts the contract's error shape with this status and code; returns
/// the message.
fn relay_error(reply: &Reply, status: StatusCode, code: &str) -> String {
    let (got, _, body) = reply;
    assert_eq!(*got, status, "{body}");
    assert_eq!(keys(body), ["error"], "{body}");
    assert_eq!(keys(&body["error"]), ["code", "message"], "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn without(field: &str) -> Value {
    let mut body = valid();
    match field.split_once('.') {
        Some((outer, inner)) => {
            if let Some(object) = body[outer].as_object_mut() {
                object.remove(inner);
            }
        }
        None => {
            if let Some(object) = body.as_object_mut() {
                object.remove(field);
            }
        }
    }
    body
}

fn with(path: &[&str], value: Value) -> Value {
    let mut body = valid();
    let mut target = &mut body;
    for segment in &path[..path.len() - 1] {
        target = &mut target[*segment];
    }
    target[path[path.len() - 1]] = value;
    body
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn a_valid_request_files_one_delivered_ticket_with_every_field() -> TestResult {
    let emulator = start().await;
    let reply = relay(&emulator, Some(KEY), &valid()).await?;
    let (status, headers, body) = &reply;
    assert_eq!(*status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(keys(body), ["requestId", "status", "ticketNumber"]);
    assert_eq!(body["status"], "delivered");
    assert_eq!(body["ticketNumber"], "HD-1001");
    assert!(headers.get("content-type").is_some_and(|v| v
        .to_str()
        .unwrap_or_default()
        .starts_with("application/json")));
    let request_id = body["requestId"].as_str().unwrap_or_default().to_string();
    assert!(!request_id.is_empty() && request_id.len() <= 64);

    let (status, _, polled) = graph_get(&emulator, None, &format!("{RELAY}/{request_id}")).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(polled, *body);

    let tickets = emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 1);
    let ticket = &tickets[0];
    assert_eq!(ticket.id, "HD-1001");
    assert_eq!(ticket.channel, HelpdeskChannel::Relay);
    assert_eq!(ticket.request_id, request_id);
    assert_eq!(ticket.idempotency_key.as_deref(), Some(KEY));
    assert_eq!(ticket.upn, "dana@contoso-demo.example");
    assert_eq!(ticket.reason.as_deref(), Some("lostPhone"));
    assert_eq!(
        ticket.reason_detail.as_deref(),
        Some("Left it on the train")
    );
    assert_eq!(ticket.still_has, ["password", "email"]);
    assert_eq!(
        ticket.callback_preference.as_deref(),
        Some("directoryPhone")
    );
    assert_eq!(
        ticket.callback_availability.as_deref(),
        Some("weekdays 9-17")
    );
    assert_eq!(ticket.device_os.as_deref(), Some("Windows 11 23H2"));
    assert_eq!(ticket.device_app_version.as_deref(), Some("1.4.0"));
    assert_eq!(ticket.created_at.as_deref(), Some("2026-03-01T09:30:00Z"));
    assert_eq!(
        ticket.verification_phrase.as_deref(),
        Some("amber-falcon-42")
    );
    assert!(ticket.unauthenticated);
    assert_eq!(ticket.runbook.len(), 3);
    assert_eq!(ticket.tenant.as_deref(), Some("contoso-demo.example"));
    assert_eq!(ticket.raw, valid());
    assert!(ticket.description.contains("amber-falcon-42"));

    // The JSON twin of the admin view.
    let (status, _, listed) = graph_get(&emulator, None, "_emulator/helpdesk/tickets").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["id"], "HD-1001");
    assert_eq!(listed[0]["channel"], "relay");
    assert_eq!(listed[0]["verificationPhrase"], "amber-falcon-42");
    assert_eq!(listed[0]["idempotencyKey"], KEY);
    assert!(listed[0]["receivedAt"].is_string());
    assert_eq!(listed[0]["raw"], valid());

    // The admin view shows every field and the admin actions.
    let page = client()
        .get(url(&emulator, "_emulator/helpdesk"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("Demo helpdesk \u{2014} emulated"));
    for shown in [
        "HD-1001",
        "dana@contoso-demo.example",
        "lostPhone: Left it on the train",
        "password, email",
        "directoryPhone (weekdays 9-17)",
        "Windows 11 23H2, MFA Assistant 1.4.0",
        "2026-03-01T09:30:00Z",
        "amber-falcon-42",
        "verify the caller out of band",
        "Issue a one-time Temporary Access Pass",
        "id=\"issue-tap-HD-1001\"",
        "id=\"reregister-HD-1001\"",
        "id=\"revoke-HD-1001\"",
    ] {
        assert!(page.contains(shown), "the admin view lacks {shown:?}");
    }
    Ok(())
}

#[tokio::test]
async fn every_missing_required_field_is_refused() -> TestResult {
    let emulator = start().await;
    for field in [
        "schemaVersion",
        "requestType",
        "upn",
        "reason",
        "stillHas",
        "callback",
        "device",
        "createdAt",
        "verificationPhrase",
        "unauthenticated",
        "runbook",
        "callback.preference",
        "device.os",
        "device.appVersion",
    ] {
        let reply = relay(&emulator, Some(&new_key()), &without(field)).await?;
        let message = relay_error(&reply, StatusCode::BAD_REQUEST, "missingField");
        assert!(message.contains(field), "{field}: {message}");
    }
    // The optional ones may be left out.
    for field in ["reasonDetail", "tenant", "callback.availability"] {
        let (status, _, body) = relay(&emulator, Some(&new_key()), &without(field)).await?;
        assert_eq!(status, StatusCode::ACCEPTED, "{field}: {body}");
    }
    assert_eq!(emulator.helpdesk_tickets().len(), 3);
    Ok(())
}

#[tokio::test]
async fn every_bad_value_is_refused_naming_its_field() -> TestResult {
    let emulator = start().await;
    let long = |n: usize| json!("x".repeat(n));
    let cases: Vec<(&str, Value)> = vec![
        ("schemaVersion", with(&["schemaVersion"], json!(2))),
        ("schemaVersion", with(&["schemaVersion"], json!("1"))),
        (
            "requestType",
            with(&["requestType"], json!("passwordReset")),
        ),
        ("upn", with(&["upn"], json!(42))),
        (
            "upn",
            with(
                &["upn"],
                json!(format!("{}@contoso-demo.example", "d".repeat(236))),
            ),
        ),
        ("reason", with(&["reason"], json!("stolenPhone"))),
        ("reasonDetail", with(&["reasonDetail"], long(501))),
        ("stillHas[0]", with(&["stillHas"], json!(["carrierPigeon"]))),
        (
            "stillHas",
            with(&["stillHas"], json!(["password", "password"])),
        ),
        ("stillHas", with(&["stillHas"], json!("password"))),
        (
            "stillHas",
            with(
                &["stillHas"],
                json!([
                    "password",
                    "oldPhone",
                    "phoneNumber",
                    "securityKey",
                    "authenticatorApp",
                    "email",
                    "nothing",
                    "x"
                ]),
            ),
        ),
        (
            "callback.preference",
            with(&["callback", "preference"], json!("userPhone")),
        ),
        (
            "callback.availability",
            with(&["callback", "availability"], long(201)),
        ),
        ("callback", with(&["callback"], json!("directoryPhone"))),
        ("device.os", with(&["device", "os"], long(101))),
        (
            "device.appVersion",
            with(&["device", "appVersion"], long(33)),
        ),
        ("createdAt", with(&["createdAt"], json!("yesterday"))),
        (
            "verificationPhrase",
            with(&["verificationPhrase"], long(65)),
        ),
        ("unauthenticated", with(&["unauthenticated"], json!(false))),
        ("unauthenticated", with(&["unauthenticated"], json!("true"))),
        ("runbook", with(&["runbook"], json!(vec!["step"; 13]))),
        (
            "runbook[1]",
            with(&["runbook"], json!(["ok", "x".repeat(401)])),
        ),
        ("tenant", with(&["tenant"], long(257))),
    ];
    for (field, body) in cases {
        let reply = relay(&emulator, Some(&new_key()), &body).await?;
        let message = relay_error(&reply, StatusCode::BAD_REQUEST, "invalidField");
        assert!(message.contains(field), "{field}: {message}");
    }
    assert!(emulator.helpdesk_tickets().is_empty());

    // Exactly at every limit is fine.
    let at_limits = with(&["verificationPhrase"], long(64));
    let at_limits = {
        let mut body = at_limits;
        body["upn"] = json!(format!("{}@contoso-demo.example", "d".repeat(235)));
        body["reasonDetail"] = long(500);
        body["callback"]["availability"] = long(200);
        body["device"] = json!({"os": "o".repeat(100), "appVersion": "v".repeat(32)});
        body["runbook"] = json!(vec!["s".repeat(400); 12]);
        body["stillHas"] = json!([
            "password",
            "oldPhone",
            "phoneNumber",
            "securityKey",
            "authenticatorApp",
            "email",
            "nothing"
        ]);
        body["tenant"] = long(256);
        body["schemaVersion"] = json!(1.0);
        body
    };
    let (status, _, body) = relay(&emulator, Some(&new_key()), &at_limits).await?;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    Ok(())
}

#[tokio::test]
async fn unknown_properties_are_refused_at_every_level() -> TestResult {
    let emulator = start().await;
    for (field, body) in [
        (
            "phoneNumber",
            with(&["phoneNumber"], json!("+1 5555550100")),
        ),
        (
            "callback.phoneNumber",
            with(&["callback", "phoneNumber"], json!("+1 5555550100")),
        ),
        ("device.serial", with(&["device", "serial"], json!("X1"))),
    ] {
        let reply = relay(&emulator, Some(&new_key()), &body).await?;
        let message = relay_error(&reply, StatusCode::BAD_REQUEST, "unknownField");
        assert!(message.contains(field), "{field}: {message}");
    }
    assert!(emulator.helpdesk_tickets().is_empty());
    Ok(())
}

#[tokio::test]
async fn the_idempotency_key_is_required_and_must_be_a_uuid() -> TestResult {
    let emulator = start().await;
    let reply = relay(&emulator, None, &valid()).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "missingIdempotencyKey");
    for bad in [
        "",
        "abc",
        "6f1c2b9e4d3a4b8f9e217a5c3d2e1f00",
        "6f1c2b9e-4d3a-4b8f-9e21-7a5c3d2e1f0g",
    ] {
        let reply = relay(&emulator, Some(bad), &valid()).await?;
        relay_error(&reply, StatusCode::BAD_REQUEST, "invalidIdempotencyKey");
    }
    assert!(emulator.helpdesk_tickets().is_empty());
    Ok(())
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_refused() -> TestResult {
    let emulator = start().await;
    let body = valid().to_string().into_bytes();
    let reply = post_raw(
        &emulator,
        RELAY,
        Some(KEY),
        Some("text/plain"),
        body.clone(),
    )
    .await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidContentType");
    let reply = post_raw(&emulator, RELAY, Some(KEY), None, body).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidContentType");
    let reply = post_raw(
        &emulator,
        RELAY,
        Some(KEY),
        Some("application/json"),
        b"{nope".to_vec(),
    )
    .await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidJson");
    let reply = relay(&emulator, Some(KEY), &json!([valid()])).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidJson");
    assert!(emulator.helpdesk_tickets().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_upn_outside_the_tenants_domain_is_422() -> TestResult {
    let emulator = start().await;
    for upn in [
        "dana@evil.example",
        "dana",
        "@contoso-demo.example",
        "dana@contoso-demo.example.evil",
    ] {
        let body = with(&["upn"], json!(upn));
        let reply = relay(&emulator, Some(&new_key()), &body).await?;
        relay_error(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "upnOutsideOrganisation",
        );
    }
    // Domains compare case-insensitively; the account need not exist (the
    // relay does not reveal which accounts do).
    let body = with(&["upn"], json!("nobody@CONTOSO-DEMO.example"));
    let (status, _, reply) = relay(&emulator, Some(&new_key()), &body).await?;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(emulator.helpdesk_tickets().len(), 1);
    Ok(())
}

#[tokio::test]
async fn an_oversized_body_is_413() -> TestResult {
    let emulator = start().await;
    let mut body = valid().to_string().into_bytes();
    body.extend(std::iter::repeat_n(b' ', 64 * 1024));
    let reply = post_raw(&emulator, RELAY, Some(KEY), Some("application/json"), body).await?;
    relay_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "payloadTooLarge");
    assert!(emulator.helpdesk_tickets().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_repeated_key_answers_the_same_request_and_never_files_twice() -> TestResult {
    let emulator = start().await;
    let (status, _, first) = relay(&emulator, Some(KEY), &valid()).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    // The same body again (keys compare as UUIDs, so case does not matter).
    for key in [KEY.to_string(), KEY.to_uppercase()] {
        let (status, _, again) = relay(&emulator, Some(&key), &valid()).await?;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again, first);
    }
    // The same JSON written differently (whitespace) is the same body.
    let pretty = serde_json::to_vec_pretty(&valid())?;
    let (status, _, again) = post_raw(
        &emulator,
        RELAY,
        Some(KEY),
        Some("application/json"),
        pretty,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, first);
    // A different body under the same key.
    let other = with(&["reason"], json!("newPhone"));
    let reply = relay(&emulator, Some(KEY), &other).await?;
    relay_error(&reply, StatusCode::CONFLICT, "idempotencyKeyReused");
    assert_eq!(emulator.helpdesk_tickets().len(), 1);
    // A new key files a new ticket.
    let (status, _, second) = relay(&emulator, Some(&new_key()), &other).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(second["ticketNumber"], "HD-1002");
    assert_ne!(second["requestId"], first["requestId"]);
    Ok(())
}

#[tokio::test]
async fn an_unknown_request_id_is_404() -> TestResult {
    let emulator = start().await;
    let (status, headers, body) =
        graph_get(&emulator, None, &format!("{RELAY}/no-such-request")).await?;
    relay_error(&(status, headers, body), StatusCode::NOT_FOUND, "notFound");
    Ok(())
}

fn zendesk_body(subject: &str) -> Value {
    json!({"request": {
        "requester": {"name": "Dana Whitlock", "email": "dana@contoso-demo.example"},
        "subject": subject,
        "comment": {"body": "I lost my phone. Verification phrase: amber-falcon-42."},
    }})
}

#[tokio::test]
async fn zendesk_anonymous_requests_land_in_the_same_inbox() -> TestResult {
    let emulator = start().await;
    let (status, _, _) = relay(&emulator, Some(KEY), &valid()).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, headers, body) =
        zendesk(&emulator, None, &zendesk_body("MFA reset: lost phone")).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let request = &body["request"];
    assert_eq!(request["id"], 1002);
    assert_eq!(request["status"], "new");
    assert_eq!(request["subject"], "MFA reset: lost phone");
    assert!(request["description"]
        .as_str()
        .is_some_and(|d| d.contains("amber-falcon-42")));
    assert!(request["requester_id"].is_u64());
    assert!(request["url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/zendesk/api/v2/requests/1002.json")));
    assert!(headers.get("location").is_some());
    assert!(headers.get("x-idempotency-lookup").is_none());

    let tickets = emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0].channel, HelpdeskChannel::Relay);
    let ticket = &tickets[1];
    assert_eq!(ticket.id, "HD-1002");
    assert_eq!(ticket.channel, HelpdeskChannel::Zendesk);
    assert_eq!(ticket.upn, "dana@contoso-demo.example");
    assert_eq!(ticket.requester_name.as_deref(), Some("Dana Whitlock"));
    assert_eq!(ticket.subject, "MFA reset: lost phone");
    assert!(ticket.unauthenticated);
    assert_eq!(ticket.raw, zendesk_body("MFA reset: lost phone"));
    let (_, _, listed) = graph_get(&emulator, None, "_emulator/helpdesk/tickets").await?;
    assert_eq!(listed[1]["channel"], "zendesk");
    Ok(())
}

#[tokio::test]
async fn zendesk_honours_idempotency_keys_as_documented() -> TestResult {
    let emulator = start().await;
    let body = zendesk_body("MFA reset: lost phone");
    let (status, headers, first) = zendesk(&emulator, Some("retry-me-1"), &body).await?;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers
            .get("x-idempotency-lookup")
            .and_then(|v| v.to_str().ok()),
        Some("miss")
    );
    let (status, headers, again) = zendesk(&emulator, Some("retry-me-1"), &body).await?;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers
            .get("x-idempotency-lookup")
            .and_then(|v| v.to_str().ok()),
        Some("hit")
    );
    assert_eq!(again, first);
    let (status, _, refused) = zendesk(
        &emulator,
        Some("retry-me-1"),
        &zendesk_body("Another subject"),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused,
        json!({"error": "IdempotentRequestError", "description": "Request parameters don't match the given idempotency key"})
    );
    assert_eq!(emulator.helpdesk_tickets().len(), 1);
    let (status, _, _) = zendesk(&emulator, Some(&"k".repeat(256)), &body).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn zendesk_refuses_a_request_without_subject_or_comment() -> TestResult {
    let emulator = start().await;
    let mut no_subject = zendesk_body("x");
    if let Some(request) = no_subject["request"].as_object_mut() {
        request.remove("subject");
    }
    let (status, _, body) = zendesk(&emulator, None, &no_subject).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "RecordInvalid");
    assert_eq!(body["description"], "Record validation errors");
    assert_eq!(
        body["details"]["base"],
        json!([{"description": "Subject: cannot be blank", "error": "BlankValue"}])
    );
    let mut no_comment = zendesk_body("MFA reset");
    no_comment["request"]["comment"] = json!({"body": "  "});
    let (status, _, body) = zendesk(&emulator, None, &no_comment).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["details"]["base"],
        json!([{"description": "Description: cannot be blank", "error": "BlankValue"}])
    );
    let mut no_email = zendesk_body("MFA reset");
    no_email["request"]["requester"] = json!({"name": "Dana"});
    let (status, _, body) = zendesk(&emulator, None, &no_email).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["details"]["requester"].is_array(), "{body}");
    let (status, _, body) = zendesk(&emulator, None, &json!({"ticket": {}})).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(emulator.helpdesk_tickets().is_empty());
    Ok(())
}

#[tokio::test]
async fn faults_apply_to_the_helpdesk_routes() -> TestResult {
    let emulator = start().await;
    emulator.faults().inject(Fault::status(
        "POST /helpdesk/v1/reset-requests",
        503,
        Some("2"),
        1,
    ));
    let reply = relay(&emulator, Some(KEY), &valid()).await?;
    relay_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "serviceUnavailable",
    );
    assert_eq!(
        reply.1.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("2")
    );
    assert!(emulator.helpdesk_tickets().is_empty());
    emulator.faults().inject(Fault::status(
        "POST /helpdesk/v1/reset-requests",
        429,
        Some("0.5"),
        1,
    ));
    let reply = relay(&emulator, Some(KEY), &valid()).await?;
    relay_error(&reply, StatusCode::TOO_MANY_REQUESTS, "tooManyRequests");
    // A delay still files the ticket; the retry with the same key is fine.
    emulator
        .faults()
        .inject(Fault::delay("POST /helpdesk/v1/reset-requests", 20, 1));
    let (status, _, _) = relay(&emulator, Some(KEY), &valid()).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(emulator.count("POST", "/helpdesk/v1/reset-requests"), 3);
    assert!(emulator.faults().active().is_empty());
    // The status route and Zendesk take faults too.
    emulator.faults().inject(Fault::status(
        "GET /helpdesk/v1/reset-requests/*",
        503,
        None,
        1,
    ));
    let (status, _, _) = graph_get(&emulator, None, &format!("{RELAY}/anything")).await?;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    emulator.faults().inject(Fault::status(
        "POST /zendesk/api/v2/requests.json",
        429,
        Some("60"),
        1,
    ));
    let (status, headers, body) = zendesk(&emulator, None, &zendesk_body("x")).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "TooManyRequests");
    assert_eq!(
        headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("60")
    );
    assert_eq!(emulator.helpdesk_tickets().len(), 1);
    Ok(())
}

#[tokio::test]
async fn tickets_and_their_keys_survive_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let persistent = || EmulatorConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..config()
    };
    let emulator = Emulator::start(persistent()).await?;
    let (_, _, first) = relay(&emulator, Some(KEY), &valid()).await?;
    let (status, _, _) = zendesk(&emulator, Some("z-1"), &zendesk_body("x")).await?;
    assert_eq!(status, StatusCode::CREATED);
    let before = emulator.helpdesk_tickets();
    emulator.shutdown().await;

    let emulator = Emulator::start(persistent()).await?;
    assert_eq!(emulator.helpdesk_tickets(), before);
    let (status, _, again) = relay(&emulator, Some(KEY), &valid()).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    let (_, headers, _) = zendesk(&emulator, Some("z-1"), &zendesk_body("x")).await?;
    assert_eq!(
        headers
            .get("x-idempotency-lookup")
            .and_then(|v| v.to_str().ok()),
        Some("hit")
    );
    // Numbers continue where they stopped.
    let (_, _, next) = relay(&emulator, Some(&new_key()), &valid()).await?;
    assert_eq!(next["ticketNumber"], "HD-1003");
    emulator.shutdown().await;
    Ok(())
}
