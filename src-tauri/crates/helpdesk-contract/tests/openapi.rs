//! The OpenAPI file is the contract's single source of truth; this crate is
//! its implementation. These tests read `docs/helpdesk-relay.openapi.yaml`
//! and check the Rust rules against it, so neither can change alone:
//! property names, required ones, enums, and every `maxLength` and
//! `maxItems` at its exact boundary.

use helpdesk_contract::device_proof::{generate_key, public_key_text, Enrolment};
use helpdesk_contract::request::{
    CALLBACK_PREFERENCES, PROPERTIES, PROPERTIES_V1, REASONS, REQUIRED, REQUIRED_V1, STILL_HAS,
};
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
        "schemaVersion": 2,
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
        "tenant": "contoso-demo.example"
    })
}

fn valid_v1() -> Value {
    let mut body = valid();
    body["schemaVersion"] = json!(1);
    body["runbook"] = json!(["Verify the caller"]);
    body
}

fn keys(schema: &Value) -> Vec<String> {
    let mut keys: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

#[test]
fn version_one_is_version_two_plus_an_ignored_runbook() {
    let v1 = schema("ResetRequestV1");
    assert_eq!(keys(&v1), sorted(&PROPERTIES_V1));
    assert_eq!(strings(&v1["required"]), sorted(&REQUIRED_V1));
    assert_eq!(v1["properties"]["schemaVersion"]["const"], json!(1));
    assert_eq!(
        schema("ResetRequest")["properties"]["schemaVersion"]["const"],
        json!(2)
    );
    assert_eq!(v1["deprecated"], json!(true));
    let request = validate(&valid_v1()).unwrap();
    assert_eq!(request.ignored_runbook_steps(), 1);
    // maxItems and maxLength of the ignored runbook, at the boundary.
    let max = v1["properties"]["runbook"]["maxItems"].as_u64().unwrap() as usize;
    let mut body = valid_v1();
    body["runbook"] = json!(vec!["step"; max]);
    assert!(validate(&body).is_ok());
    body["runbook"] = json!(vec!["step"; max + 1]);
    assert_eq!(validate(&body).unwrap_err().code, "invalidField");
    let max = v1["properties"]["runbook"]["items"]["maxLength"]
        .as_u64()
        .unwrap() as usize;
    body["runbook"] = json!(["é".repeat(max)]);
    assert!(validate(&body).is_ok());
    body["runbook"] = json!(["é".repeat(max + 1)]);
    assert_eq!(validate(&body).unwrap_err().code, "invalidField");
    // Every other property is version 2's, rule for rule.
    let v2 = schema("ResetRequest");
    for name in PROPERTIES {
        if name != "schemaVersion" {
            assert_eq!(v1["properties"][name], v2["properties"][name], "{name}");
        }
    }
    // The operation takes either.
    let operation = &spec()["paths"]["/v1/reset-requests"]["post"];
    let one_of = &operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"];
    assert_eq!(
        one_of,
        &json!([
            {"$ref": "#/components/schemas/ResetRequest"},
            {"$ref": "#/components/schemas/ResetRequestV1"}
        ])
    );
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

/// Sets the string at `pointer` (a JSON pointer) to `length` characters
/// (for `upn`, a user principal name of that length).
fn with_length(pointer: &str, length: usize) -> Value {
    let mut body = valid();
    let text = if pointer == "/upn" {
        // The longest domain Entra allows, so the local part fits too.
        let domain = format!("{}.com", "d".repeat(44));
        format!("{}@{domain}", "a".repeat(length - domain.len() - 1))
    } else {
        "é".repeat(length)
    };
    *body.pointer_mut(pointer).unwrap() = json!(text);
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
            assert!(
                error.status == 400 && (error.code == "invalidField" || error.code == "invalidUpn"),
                "{error:?}"
            );
            assert!(
                error.message.contains(&(max + 1).to_string()),
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
            "/tenant",
            "/upn",
            "/verificationPhrase"
        ],
        "the string limits the spec sets"
    );

    // maxItems, at the boundary.
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

#[test]
fn device_keys_are_guarded_by_the_relay_token_and_its_codes() {
    use helpdesk_contract::device_proof::{DEVICE_KEY_LIMIT, MAX_DEVICE_KEYS_PER_ACCOUNT};
    use helpdesk_contract::relay_token::{
        DEFAULT_MAX_AGE_SECONDS, DEFAULT_SCOPE_NAME, REFUSAL_CODES,
    };
    let spec = spec();
    let scheme = &spec["components"]["securitySchemes"]["relayToken"];
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    let described = scheme["description"].as_str().unwrap();
    assert!(described.contains(DEFAULT_SCOPE_NAME), "{described}");
    assert!(described.contains(&format!("{} minutes", DEFAULT_MAX_AGE_SECONDS / 60)));
    assert!(
        spec["components"]["securitySchemes"]
            .get("graphToken")
            .is_none(),
        "no operation takes a Graph token"
    );
    let enrol = &spec["paths"]["/v1/device-keys"]["post"];
    let lookup = &spec["paths"]["/v1/device-keys/{keyId}"]["get"];
    for operation in [enrol, lookup] {
        assert_eq!(operation["security"], json!([{"relayToken": []}]));
        let unauthorised = operation["responses"]["401"]["description"]
            .as_str()
            .unwrap();
        for code in REFUSAL_CODES {
            assert!(
                unauthorised.contains(&format!("`{code}`")),
                "{}: 401 names {code}",
                operation["operationId"]
            );
        }
        let unavailable = operation["responses"]["503"]["description"]
            .as_str()
            .unwrap();
        assert!(unavailable.contains("`signingKeysUnavailable`"));
        assert!(unavailable.contains("`deviceKeysNotConfigured`"));
    }
    let conflict = enrol["responses"]["409"]["description"].as_str().unwrap();
    assert!(
        conflict.contains(&format!("`{DEVICE_KEY_LIMIT}`")),
        "{conflict}"
    );
    assert!(
        conflict.contains(&format!("{MAX_DEVICE_KEYS_PER_ACCOUNT} keys")),
        "{conflict}"
    );
    assert!(lookup["responses"]["404"]["description"]
        .as_str()
        .unwrap()
        .contains("`notFound`"));
    assert_eq!(
        lookup["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/DeviceKey"
    );
}
