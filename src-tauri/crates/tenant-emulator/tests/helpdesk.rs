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

/// A request the contract accepts: schema version 1, as apps released
/// before version 2 send it (its runbook is ignored).
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
    assert_eq!(
        ticket.runbook,
        helpdesk_contract::ticket::default_runbook(),
        "the relay's runbook, not the sender's"
    );
    assert!(!ticket
        .description
        .contains("Call the user back on the number in the directory"));
    assert!(ticket
        .description
        .contains("sent 3 runbook step(s) of its own; the relay ignored them"));
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
        "Prefer a Temporary Access Pass",
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
        ("schemaVersion", with(&["schemaVersion"], json!(3))),
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
        body["upn"] = json!(format!("{}@contoso-demo.example", "d".repeat(64)));
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
    for upn in ["dana@evil.example", "dana@contoso-demo.example.evil"] {
        let body = with(&["upn"], json!(upn));
        let reply = relay(&emulator, Some(&new_key()), &body).await?;
        let message = relay_error(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "upnOutsideOrganisation",
        );
        assert!(
            !message.contains("contoso"),
            "the domain stays private: {message}"
        );
    }
    // What is not a user principal name at all is a 400 naming the rule.
    for upn in [
        "dana",
        "@contoso-demo.example",
        "da na@contoso-demo.example",
    ] {
        let body = with(&["upn"], json!(upn));
        let reply = relay(&emulator, Some(&new_key()), &body).await?;
        relay_error(&reply, StatusCode::BAD_REQUEST, "invalidUpn");
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

// ---- Device proof: enrolment and signed requests ---------------------------

const ENROL: &str = "helpdesk/v1/device-keys";

fn enrolment(public_key: &str) -> Value {
    json!({
        "publicKey": public_key,
        "device": {"os": "Debian GNU/Linux 12", "appVersion": "0.1.0"},
    })
}

/// POSTs an enrolment with an optional bearer token.
async fn enrol(
    emulator: &Emulator,
    token: Option<&str>,
    body: &Value,
) -> Result<Reply, reqwest::Error> {
    let mut request = client()
        .post(url(emulator, ENROL))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
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

/// POSTs a reset request with the given extra headers.
async fn relay_with(
    emulator: &Emulator,
    key: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> Result<Reply, reqwest::Error> {
    let mut request = client()
        .post(url(emulator, RELAY))
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    for (name, value) in extra {
        request = request.header(*name, *value);
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

/// The three `Device-*` headers for one attempt.
fn signed(
    key: &helpdesk_contract::device_proof::SigningKey,
    key_id: &str,
    created: i64,
    idempotency_key: &str,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    use helpdesk_contract::device_proof::{sign, CREATED_HEADER, KEY_ID_HEADER, SIGNATURE_HEADER};
    let (key_id, created, signature) = sign(key, key_id, created, idempotency_key, body);
    vec![
        (KEY_ID_HEADER, key_id),
        (CREATED_HEADER, created),
        (SIGNATURE_HEADER, signature),
    ]
}

fn pairs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::test]
async fn device_key_enrolment_needs_a_token_issued_for_the_relay() -> TestResult {
    use helpdesk_contract::device_proof::{generate_key, public_key_text};
    let emulator = start().await;
    let body = enrolment(&public_key_text(&generate_key()));

    let reply = enrol(&emulator, None, &body).await?;
    let message = relay_error(&reply, StatusCode::UNAUTHORIZED, "missingToken");
    assert!(message.contains("Bearer"), "{message}");
    assert_eq!(
        reply
            .1
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let reply = enrol(&emulator, Some("not-a-token-the-tenant-issued"), &body).await?;
    let message = relay_error(&reply, StatusCode::UNAUTHORIZED, "invalidToken");
    assert!(message.contains("not a JSON Web Token"), "{message}");
    assert!(
        !message.contains("not-a-token"),
        "the token is not echoed: {message}"
    );
    // Basic is not a bearer token.
    let response = client()
        .post(url(&emulator, ENROL))
        .header("Content-Type", "application/json")
        .header("Authorization", "Basic ZGFuYTpwdw==")
        .body(body.to_string())
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // The user's own Graph token, with every permission the app has: not
    // for the relay.
    let graph = access_token(&emulator, "adele").await?;
    let reply = enrol(&emulator, Some(&graph), &body).await?;
    relay_error(&reply, StatusCode::UNAUTHORIZED, "invalidToken");

    let (status, _, keys) = graph_get(&emulator, None, "_emulator/helpdesk/device-keys").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys, json!([]), "nothing was enrolled");
    assert_eq!(
        emulator.relay_bearer_audiences(),
        ["opaque", "graph"],
        "what reached the relay, in order (Basic is no bearer)"
    );

    // The relay's token enrols.
    let token = relay_token(&emulator, "adele").await?;
    let (status, _, enrolled) = enrol(&emulator, Some(&token), &body).await?;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    assert_eq!(enrolled["upn"], "adele@contoso-demo.example");
    Ok(())
}

#[tokio::test]
async fn device_key_enrolment_checks_its_body() -> TestResult {
    use helpdesk_contract::device_proof::{generate_key, public_key_text};
    let emulator = start().await;
    let token = relay_token(&emulator, "adele").await?;
    let good = public_key_text(&generate_key());

    for (bad_key, code, says) in [
        ("AAAA", "invalidPublicKey", "32-byte"),
        ("not base64!", "invalidPublicKey", "base64url"),
        (&"A".repeat(65) as &str, "invalidField", "at most 64"),
    ] {
        let reply = enrol(&emulator, Some(&token), &enrolment(bad_key)).await?;
        let message = relay_error(&reply, StatusCode::BAD_REQUEST, code);
        assert!(message.contains(says), "{bad_key}: {message}");
    }
    let mut extra = enrolment(&good);
    extra["upn"] = json!("ceo@contoso-demo.example");
    let reply = enrol(&emulator, Some(&token), &extra).await?;
    let message = relay_error(&reply, StatusCode::BAD_REQUEST, "unknownField");
    assert!(message.contains("upn"), "{message}");
    let mut extra = enrolment(&good);
    extra["device"]["serial"] = json!("X1");
    let reply = enrol(&emulator, Some(&token), &extra).await?;
    let message = relay_error(&reply, StatusCode::BAD_REQUEST, "unknownField");
    assert!(message.contains("device.serial"), "{message}");
    let reply = enrol(&emulator, Some(&token), &json!({"publicKey": good})).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "missingField");
    let mut long = enrolment(&good);
    long["device"]["appVersion"] = json!("v".repeat(33));
    let reply = enrol(&emulator, Some(&token), &long).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidField");
    let reply = enrol(&emulator, Some(&token), &json!([good])).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidJson");
    let response = client()
        .post(url(&emulator, ENROL))
        .bearer_auth(&token)
        .header("Content-Type", "text/plain")
        .body(enrolment(&good).to_string())
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let (_, _, keys) = graph_get(&emulator, None, "_emulator/helpdesk/device-keys").await?;
    assert_eq!(keys, json!([]), "nothing was enrolled");
    Ok(())
}

#[tokio::test]
async fn a_key_is_enrolled_once_per_user_and_never_for_two() -> TestResult {
    use helpdesk_contract::device_proof::{generate_key, public_key_text};
    let emulator = start().await;
    let adele = relay_token(&emulator, "adele").await?;
    let ben = relay_token(&emulator, "ben").await?;
    let key = public_key_text(&generate_key());

    let (status, _, first) = enrol(&emulator, Some(&adele), &enrolment(&key)).await?;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(keys(&first), ["enrolledAt", "keyId", "upn"]);
    assert_eq!(first["upn"], "adele@contoso-demo.example");
    let key_id = first["keyId"].as_str().unwrap_or_default().to_string();
    assert!(
        helpdesk_contract::device_proof::is_valid_key_id(&key_id),
        "{key_id}"
    );
    assert!(time::OffsetDateTime::parse(
        first["enrolledAt"].as_str().unwrap_or_default(),
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());

    // The same key again: 200, the same keyId, still one key.
    let (status, _, again) = enrol(&emulator, Some(&adele), &enrolment(&key)).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);

    // Another user cannot take it.
    let reply = enrol(&emulator, Some(&ben), &enrolment(&key)).await?;
    relay_error(&reply, StatusCode::CONFLICT, "keyEnrolledElsewhere");

    let (_, _, listed) = graph_get(&emulator, None, "_emulator/helpdesk/device-keys").await?;
    let listed = listed.as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["keyId"], key_id.as_str());
    assert_eq!(listed[0]["upn"], "adele@contoso-demo.example");
    assert_eq!(listed[0]["publicKey"], key.as_str());
    assert_eq!(listed[0]["deviceOs"], "Debian GNU/Linux 12");

    // The key is still enrolled, for Adele only.
    let lookup = |token: String| {
        let url = url(&emulator, &format!("{ENROL}/{key_id}"));
        async move { client().get(url).bearer_auth(token).send().await }
    };
    let response = lookup(adele.clone()).await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await?, first);
    let response = lookup(ben.clone()).await?;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "Ben learns nothing of Adele's key"
    );

    // A user keeps five keys; a sixth is refused and none is evicted.
    for _ in 0..4 {
        let (status, _, _) = enrol(
            &emulator,
            Some(&adele),
            &enrolment(&public_key_text(&generate_key())),
        )
        .await?;
        assert_eq!(status, StatusCode::CREATED);
    }
    let reply = enrol(
        &emulator,
        Some(&adele),
        &enrolment(&public_key_text(&generate_key())),
    )
    .await?;
    let message = relay_error(&reply, StatusCode::CONFLICT, "deviceKeyLimit");
    assert!(message.contains("none was replaced"), "{message}");
    let (_, _, listed) = graph_get(&emulator, None, "_emulator/helpdesk/device-keys").await?;
    let listed = listed.as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 5);
    assert!(
        listed.iter().any(|k| k["keyId"] == key_id.as_str()),
        "the first key stays"
    );
    let response = lookup(adele).await?;
    assert_eq!(response.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn signed_requests_say_whether_they_came_from_the_users_enrolled_device() -> TestResult {
    use helpdesk_contract::device_proof::{generate_key, public_key_text};
    let dir = tempfile::tempdir()?;
    let persistent = || EmulatorConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..config()
    };
    let emulator = Emulator::start(persistent()).await?;
    let adele_token = relay_token(&emulator, "adele").await?;
    let key = generate_key();
    let (_, _, enrolled) = enrol(
        &emulator,
        Some(&adele_token),
        &enrolment(&public_key_text(&key)),
    )
    .await?;
    let key_id = enrolled["keyId"].as_str().unwrap_or_default().to_string();
    let adele = with(&["upn"], json!("adele@contoso-demo.example"));
    let body = adele.to_string().into_bytes();

    // Signed by Adele's enrolled key, for Adele: enrolled device.
    let idem = new_key();
    let headers = signed(&key, &key_id, now(), &idem, &body);
    let (status, _, filed) = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
    assert_eq!(status, StatusCode::ACCEPTED, "{filed}");
    let ticket = emulator.helpdesk_tickets().pop().ok_or("no ticket")?;
    assert_eq!(
        ticket.device_proof,
        Some(tenant_emulator::helpdesk::DeviceProof::EnrolledDevice)
    );
    let note = ticket.device_proof_note.clone().unwrap_or_default();
    assert!(
        note.contains(&key_id) && note.contains("Debian GNU/Linux 12"),
        "{note}"
    );
    assert!(
        ticket
            .description
            .contains("Device proof: sent from the user's enrolled device"),
        "{}",
        ticket.description
    );
    assert!(ticket.description.contains("verify identity by call-back"));
    assert!(
        ticket.subject.contains("enrolled device"),
        "{}",
        ticket.subject
    );
    // A retry of the same request, signed afresh, is the same request.
    let headers = signed(&key, &key_id, now(), &idem, &body);
    let (status, _, again) = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, filed);

    // Unsigned: unverified.
    let (status, _, _) = relay_with(&emulator, &new_key(), &body, &[]).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    let ticket = emulator.helpdesk_tickets().pop().ok_or("no ticket")?;
    assert_eq!(
        ticket.device_proof,
        Some(tenant_emulator::helpdesk::DeviceProof::UnverifiedDevice)
    );
    assert!(ticket
        .description
        .contains("Device proof: unverified device"));

    // Adele's key signing a request for Dana: accepted, unverified, and says why.
    let dana = valid().to_string().into_bytes();
    let idem = new_key();
    let headers = signed(&key, &key_id, now(), &idem, &dana);
    let (status, _, _) = relay_with(&emulator, &idem, &dana, &pairs(&headers)).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    let ticket = emulator.helpdesk_tickets().pop().ok_or("no ticket")?;
    assert_eq!(
        ticket.device_proof,
        Some(tenant_emulator::helpdesk::DeviceProof::UnverifiedDevice)
    );
    assert!(ticket
        .device_proof_note
        .unwrap_or_default()
        .contains("another account"));

    // A key the relay never enrolled: accepted, unverified.
    let stranger = generate_key();
    let idem = new_key();
    let headers = signed(&stranger, "dk-nobody", now(), &idem, &body);
    let (status, _, _) = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    let ticket = emulator.helpdesk_tickets().pop().ok_or("no ticket")?;
    assert_eq!(
        ticket.device_proof,
        Some(tenant_emulator::helpdesk::DeviceProof::UnverifiedDevice)
    );
    assert!(ticket
        .device_proof_note
        .unwrap_or_default()
        .contains("does not know"));
    let filed_so_far = emulator.helpdesk_tickets().len();

    // A body changed after signing: 401, nothing filed.
    let idem = new_key();
    let headers = signed(&key, &key_id, now(), &idem, &body);
    let tampered = with(&["upn"], json!("adele@contoso-demo.example"));
    let mut tampered = tampered;
    tampered["verificationPhrase"] = json!("attacker-chosen-99");
    let reply = relay_with(
        &emulator,
        &idem,
        tampered.to_string().as_bytes(),
        &pairs(&headers),
    )
    .await?;
    relay_error(&reply, StatusCode::UNAUTHORIZED, "invalidSignature");
    // Signed by another key under Adele's key id: 401.
    let headers = signed(&stranger, &key_id, now(), &idem, &body);
    let reply = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
    relay_error(&reply, StatusCode::UNAUTHORIZED, "invalidSignature");
    // Moved to another idempotency key: 401.
    let headers = signed(&key, &key_id, now(), &new_key(), &body);
    let reply = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
    relay_error(&reply, StatusCode::UNAUTHORIZED, "invalidSignature");
    // Older or newer than ten minutes: 401.
    for created in [now() - 11 * 60, now() + 11 * 60] {
        let headers = signed(&key, &key_id, created, &idem, &body);
        let reply = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
        relay_error(&reply, StatusCode::UNAUTHORIZED, "signatureExpired");
    }
    // Some headers but not all, or a malformed one: 400.
    let headers = signed(&key, &key_id, now(), &idem, &body);
    let reply = relay_with(&emulator, &idem, &body, &pairs(&headers[..2])).await?;
    let message = relay_error(&reply, StatusCode::BAD_REQUEST, "invalidSignatureHeaders");
    assert!(message.contains("all three"), "{message}");
    let mut bad_id = pairs(&headers);
    bad_id[0].1 = "dk/../1";
    let reply = relay_with(&emulator, &idem, &body, &bad_id).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidSignatureHeaders");
    let mut bad_time = pairs(&headers);
    bad_time[1].1 = "yesterday";
    let reply = relay_with(&emulator, &idem, &body, &bad_time).await?;
    relay_error(&reply, StatusCode::BAD_REQUEST, "invalidSignatureHeaders");
    assert_eq!(
        emulator.helpdesk_tickets().len(),
        filed_so_far,
        "nothing more was filed"
    );

    // The admin view shows the device proof.
    let page = client()
        .get(url(&emulator, "_emulator/helpdesk"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("data-device-proof=\"enrolledDevice\""));
    assert!(page.contains("data-device-proof=\"unverifiedDevice\""));
    assert!(
        page.contains("sent from the user&#39;s enrolled device")
            || page.contains("sent from the user's enrolled device")
    );
    assert!(page.contains(&key_id), "the directory lists Adele's key");

    // Keys survive a restart, and still verify.
    emulator.shutdown().await;
    let emulator = Emulator::start(persistent()).await?;
    let idem = new_key();
    let headers = signed(&key, &key_id, now(), &idem, &body);
    let (status, _, _) = relay_with(&emulator, &idem, &body, &pairs(&headers)).await?;
    assert_eq!(status, StatusCode::ACCEPTED);
    let ticket = emulator.helpdesk_tickets().pop().ok_or("no ticket")?;
    assert_eq!(
        ticket.device_proof,
        Some(tenant_emulator::helpdesk::DeviceProof::EnrolledDevice)
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn zendesk_agents_add_internal_comments_and_list_them_page_by_page() -> TestResult {
    let emulator = start().await;
    let (status, _, body) =
        zendesk(&emulator, None, &zendesk_body("MFA reset: lost phone")).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["request"]["id"].as_u64().unwrap();
    let ticket_url = url(&emulator, &format!("zendesk/api/v2/tickets/{id}.json"));
    let comments_url = url(
        &emulator,
        &format!("zendesk/api/v2/tickets/{id}/comments.json"),
    );
    let agent =
        |r: reqwest::RequestBuilder| r.basic_auth("agent@contoso-demo.example/token", Some("t"));

    // Agents only, both ways.
    let anonymous = client().get(comments_url.clone()).send().await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let anonymous = client()
        .put(ticket_url.clone())
        .json(&json!({"ticket": {"comment": {"body": "x", "public": false}}}))
        .send()
        .await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    for n in 0..3 {
        let added = agent(client().put(ticket_url.clone()))
            .json(&json!({"ticket": {"comment": {"body": format!("note {n}"), "public": n == 0}}}))
            .send()
            .await?;
        assert_eq!(added.status(), StatusCode::OK);
    }
    // The description first, then the comments, two a page.
    let mut bodies = Vec::new();
    let mut next = Some(format!("{comments_url}?per_page=2"));
    let mut pages = 0;
    while let Some(page_url) = next {
        let page: Value = agent(client().get(&page_url)).send().await?.json().await?;
        assert_eq!(page["count"], 4, "{page}");
        for comment in page["comments"].as_array().unwrap() {
            assert_eq!(comment["type"], "Comment");
            bodies.push((
                comment["body"].as_str().unwrap().to_owned(),
                comment["public"].as_bool().unwrap(),
            ));
        }
        next = page["next_page"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 2);
    assert!(
        bodies[0].0.contains("amber-falcon-42") && bodies[0].1,
        "the description"
    );
    assert_eq!(
        &bodies[1..],
        &[
            ("note 0".to_string(), true),
            ("note 1".to_string(), false),
            ("note 2".to_string(), false)
        ]
    );
    let unknown = agent(client().get(url(&emulator, "zendesk/api/v2/tickets/999/comments.json")))
        .send()
        .await?;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    Ok(())
}
