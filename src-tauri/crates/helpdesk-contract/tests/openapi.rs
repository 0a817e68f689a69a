//! The OpenAPI file is the contract's single source of truth; this crate is
//! its implementation. These tests read `docs/helpdesk-relay.openapi.yaml`
//! and check the Rust rules against it, so neither can change alone:
//! property names, required ones, enums, and every `maxLength` and
//! `maxItems` at its exact boundary.

use helpdesk_contract::device_proof::{generate_key, public_key_text, Enrolment};
use helpdesk_contract::request::{CALLBACK_PREFERENCES, PROPERTIES, REASONS, REQUIRED, STILL_HAS};
use helpdesk_contract::validate;
use serde_json::{json, Value};

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../docs/helpdesk-relay.openapi.yaml"
    );
    let text = std::fs::read_to_string(path).expect("the OpenAPI file is in docs/");
    serde_yaml::from_str(&text).expect("the OpenAPI file is YAML")
}

fn schema(name: &str) -> Value {
    spec()["components"]["schemas"][name].clone()
}

fn strings(value: &Value) -> Vec<String> {
    let mut list: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("a list, not {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    list.sort();
    list
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    list.sort();
    list
}

fn valid() -> Value {
    json!({
        "schemaVersion": 1,
        "requestType": "mfaReset",
        "upn": "dana@contoso-demo.example",
        "reason": "lostPhone",
        "reasonDetail": "x",
        "stillHas": ["password"],
        "callback": {"preference": "directoryPhone", "availability": "x"},
        "device": {"os": "Windows 11", "appVersion": "1.0.0"},
        "createdAt": "2026-03-01T09:30:00Z",
        "verificationPhrase": "amber-falcon-42",
        "unauthenticated": true,
        "runbook": ["Verify the caller"],
        "tenant": "contoso-demo.example"
    })
}

#[test]
fn reset_request_properties_required_and_enums_match_the_spec() {
    let s = schema("ResetRequest");
    let properties: Vec<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(sorted(&properties), sorted(&PROPERTIES));
    assert_eq!(strings(&s["required"]), sorted(&REQUIRED));
    assert_eq!(
        strings(&s["properties"]["reason"]["enum"]),
        sorted(&REASONS)
    );
    assert_eq!(
        strings(&s["properties"]["stillHas"]["items"]["enum"]),
        sorted(&STILL_HAS)
    );
    assert_eq!(
        strings(&s["properties"]["callback"]["properties"]["preference"]["enum"]),
        sorted(&CALLBACK_PREFERENCES)
    );
    assert_eq!(s["additionalProperties"], json!(false));
    // Every spec enum value is accepted by the validator.
    for reason in REASONS {
        let mut body = valid();
        body["reason"] = json!(reason);
        assert!(validate(&body).is_ok(), "{reason}");
    }
}

/// Sets the string at `pointer` (a JSON pointer) to `length` characters.
fn with_length(pointer: &str, length: usize) -> Value {
    let mut body = valid();
    *body.pointer_mut(pointer).unwrap() = json!("é".repeat(length));
    body
}

#[test]
fn every_max_length_in_the_spec_is_enforced_at_its_boundary() {
    let s = schema("ResetRequest");
    let mut checked = Vec::new();
    let mut visit = |pointer: String, property: &Value| {
        if let Some(max) = property["maxLength"].as_u64() {
            let max = max as usize;
            assert!(
                validate(&with_length(&pointer, max)).is_ok(),
                "{pointer} at {max}"
            );
            let error = validate(&with_length(&pointer, max + 1)).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (400, "invalidField"),
                "{pointer} at {}",
                max + 1
            );
            checked.push(pointer);
        }
    };
    for (name, property) in s["properties"].as_object().unwrap() {
        visit(format!("/{name}"), property);
        if let Some(nested) = property["properties"].as_object() {
            for (inner, p) in nested {
                visit(format!("/{name}/{inner}"), p);
            }
        }
        if property["items"]["maxLength"].is_u64() {
            visit(format!("/{name}/0"), &property["items"]);
        }
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "/callback/availability",
            "/device/appVersion",
            "/device/os",
            "/reasonDetail",
            "/runbook/0",
            "/tenant",
            "/upn",
            "/verificationPhrase"
        ],
        "the string limits the spec sets"
    );

    // maxItems, at the boundary.
    let runbook_max = s["properties"]["runbook"]["maxItems"].as_u64().unwrap() as usize;
    let mut body = valid();
    body["runbook"] = json!(vec!["step"; runbook_max]);
    assert!(validate(&body).is_ok());
    body["runbook"] = json!(vec!["step"; runbook_max + 1]);
    assert_eq!(validate(&body).unwrap_err().code, "invalidField");
    let still_has_max = s["properties"]["stillHas"]["maxItems"].as_u64().unwrap() as usize;
    assert!(still_has_max >= STILL_HAS.len(), "every distinct item fits");
}

#[test]
fn the_enrolment_body_matches_the_spec() {
    let s = schema("DeviceKeyEnrolment");
    assert_eq!(strings(&s["required"]), sorted(&["publicKey", "device"]));
    let device = &s["properties"]["device"];
    assert_eq!(strings(&device["required"]), sorted(&["os", "appVersion"]));
    let key = public_key_text(&generate_key());
    for field in ["os", "appVersion"] {
        let max = device["properties"][field]["maxLength"].as_u64().unwrap() as usize;
        let body = |length: usize| {
            let mut device = json!({"os": "Windows 11", "appVersion": "1.0.0"});
            device[field] = json!("a".repeat(length));
            serde_json::to_vec(&json!({"publicKey": key, "device": device})).unwrap()
        };
        assert!(Enrolment::parse(&body(max)).is_ok(), "{field} at {max}");
        assert_eq!(
            Enrolment::parse(&body(max + 1)).unwrap_err().code,
            "invalidField",
            "{field}"
        );
    }
    let key_max = s["properties"]["publicKey"]["maxLength"].as_u64().unwrap() as usize;
    assert!(key.len() <= key_max, "a real key fits the spec's publicKey");
}
