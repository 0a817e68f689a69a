//! `ResetRequest` validation, exactly as `docs/helpdesk-relay.openapi.yaml`
//! describes it: no unknown property, every required one, each property's
//! type, const, enum, length and item rules. Lengths count characters, as
//! JSON Schema does. Every refusal names the property's path.

use serde::Serialize;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::typed::{requester_text, Upn};

/// The largest request body a relay reads: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A refused request: the HTTP status and the contract's `Error` body
/// (`{"error": {"code", "message"}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ContractError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ContractError {
        ContractError {
            status,
            code,
            message: message.into(),
        }
    }

    /// A 400 with this code.
    pub fn bad(code: &'static str, message: impl Into<String>) -> ContractError {
        ContractError::new(400, code, message)
    }

    fn invalid(message: impl Into<String>) -> ContractError {
        ContractError::bad("invalidField", message)
    }

    /// The contract's `Error` body.
    pub fn body(&self) -> Value {
        serde_json::json!({"error": {"code": self.code, "message": self.message}})
    }
}

impl std::fmt::Display for ContractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ContractError {}

/// The schema version this crate writes: 2, whose request has no runbook
/// (the runbook is the relay's, from its configuration).
pub const SCHEMA_VERSION: u8 = 2;

/// The properties of `ResetRequest` (schema version 2), in the schema's
/// order.
pub const PROPERTIES: [&str; 12] = [
    "schemaVersion",
    "requestType",
    "upn",
    "reason",
    "reasonDetail",
    "stillHas",
    "callback",
    "device",
    "createdAt",
    "verificationPhrase",
    "unauthenticated",
    "tenant",
];

/// The required properties of `ResetRequest`.
pub const REQUIRED: [&str; 10] = [
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
];

/// The properties of `ResetRequestV1`, which apps before schema version 2
/// send: version 2's and a `runbook`, which the relay ignores.
pub const PROPERTIES_V1: [&str; 13] = [
    "schemaVersion",
    "requestType",
    "upn",
    "reason",
    "reasonDetail",
    "stillHas",
    "callback",
    "device",
    "createdAt",
    "verificationPhrase",
    "unauthenticated",
    "runbook",
    "tenant",
];

/// The required properties of `ResetRequestV1`.
pub const REQUIRED_V1: [&str; 11] = [
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
];

/// One table per closed set of the contract: the wire name (the OpenAPI
/// enum), the words a helpdesk agent reads, and the Rust variant. Drives
/// parsing, serialisation and the ticket's wording.
macro_rules! contract_enum {
    ($(#[$doc:meta])* $name:ident, $names:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] #[cfg_attr(feature = "ts", ts(rename = $wire))] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The contract's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// In the words a helpdesk agent reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        /// The contract's spellings, in the schema's order.
        pub const $names: [&str; [$($wire),+].len()] = [$($wire),+];
    };
}

contract_enum! {
    /// Why the user cannot sign in (the triage's answer).
    Reason, REASONS {
        LostPhone = "lostPhone", "Lost phone";
        BrokenPhone = "brokenPhone", "Broken phone";
        NewPhone = "newPhone", "New phone";
        NumberChanged = "numberChanged", "Phone number changed";
        PromptsNotArriving = "promptsNotArriving", "Sign-in prompts do not arrive";
        CodesRejected = "codesRejected", "Codes are rejected";
        BlockedByPolicy = "blockedByPolicy", "Blocked by a sign-in policy";
        Other = "other", "Other";
    }
}

contract_enum! {
    /// What the user still has.
    StillHas, STILL_HAS {
        Password = "password", "their password";
        OldPhone = "oldPhone", "the old phone";
        PhoneNumber = "phoneNumber", "their phone number";
        SecurityKey = "securityKey", "a security key";
        AuthenticatorApp = "authenticatorApp", "an authenticator app";
        Email = "email", "their email";
        Nothing = "nothing", "nothing";
    }
}

contract_enum! {
    /// How the helpdesk verifies and reaches the user. Never a number the
    /// user supplies.
    CallbackPreference, CALLBACK_PREFERENCES {
        /// A call to the number in the company directory.
        DirectoryPhone = "directoryPhone", "Call back on the phone number in the company directory";
        /// Through the user's manager.
        Manager = "manager", "Verify through their manager";
        /// At the service desk in person.
        InPerson = "inPerson", "In person, with photo ID";
    }
}

/// The contract's `callback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    pub preference: CallbackPreference,
    /// When the user can take the call, in their words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<String>,
}

/// The contract's `device`: what the sender says it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub os: String,
    pub app_version: String,
}

/// A `ResetRequest` the contract accepts (either schema version): the one
/// type of it that the app sends, keeps in its outbox, and the relay and the
/// emulator receive. Made only by [`validate`] (also when deserialised) or
/// [`ResetRequest::new`], so every typed text in it has passed
/// [`requester_text`]; a ticket shows it only quoted and labelled as the
/// requester's. It serialises to the contract's JSON of its schema version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRequest {
    /// Grammatical and lower-case; whether it is the organisation's is the
    /// relay's question.
    pub upn: Upn,
    pub reason: Reason,
    pub reason_detail: Option<String>,
    /// No item twice.
    pub still_has: Vec<StillHas>,
    pub callback: Callback,
    pub device: Device,
    pub created_at: OffsetDateTime,
    /// The one-time phrase the helpdesk asks for on the call-back.
    pub verification_phrase: String,
    pub tenant: Option<String>,
    /// 1 or 2.
    schema_version: u8,
    /// A version 1 request's runbook, kept only so that the request can be
    /// sent again byte for byte (its idempotency key is bound to its body);
    /// never shown: the runbook is the relay's.
    legacy_runbook: Vec<String>,
}

/// What the app puts in a new request (schema version 2).
#[derive(Debug, Clone)]
pub struct NewResetRequest<'a> {
    pub upn: &'a str,
    pub reason: Reason,
    pub reason_detail: Option<&'a str>,
    pub still_has: &'a [StillHas],
    pub callback: Callback,
    pub device: Device,
    pub created_at: OffsetDateTime,
    pub verification_phrase: &'a str,
    pub tenant: Option<&'a str>,
}

impl ResetRequest {
    /// A version 2 request, checked exactly as a relay will check it.
    pub fn new(new: NewResetRequest<'_>) -> Result<ResetRequest, ContractError> {
        let candidate = ResetRequest {
            upn: Upn::parse(new.upn)?,
            reason: new.reason,
            reason_detail: new.reason_detail.map(str::to_owned),
            still_has: new.still_has.to_vec(),
            callback: new.callback,
            device: new.device,
            created_at: new.created_at,
            verification_phrase: new.verification_phrase.to_owned(),
            tenant: new.tenant.map(str::to_owned),
            schema_version: SCHEMA_VERSION,
            legacy_runbook: Vec::new(),
        };
        validate(&candidate.to_json())
    }

    /// 1 or 2.
    pub fn schema_version(&self) -> u8 {
        self.schema_version
    }

    /// How many runbook steps a version 1 request carried (the ticket says
    /// they were ignored).
    pub fn ignored_runbook_steps(&self) -> usize {
        self.legacy_runbook.len()
    }

    /// The contract's JSON of this request.
    pub fn to_json(&self) -> Value {
        let mut body = serde_json::json!({
            "schemaVersion": self.schema_version,
            "requestType": "mfaReset",
            "upn": self.upn.as_str(),
            "reason": self.reason,
            "stillHas": self.still_has,
            "callback": self.callback,
            "device": self.device,
            "createdAt": self.created_at.format(&Rfc3339).unwrap_or_default(),
            "verificationPhrase": self.verification_phrase,
            "unauthenticated": true,
        });
        if let Some(detail) = &self.reason_detail {
            body["reasonDetail"] = Value::String(detail.clone());
        }
        if let Some(tenant) = &self.tenant {
            body["tenant"] = Value::String(tenant.clone());
        }
        if self.schema_version == 1 {
            body["runbook"] = serde_json::json!(self.legacy_runbook);
        }
        body
    }
}

impl Serialize for ResetRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Deserialising validates: what was kept (an outbox on disk) is checked
/// again, as a relay would.
impl<'de> serde::Deserialize<'de> for ResetRequest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        validate(&value).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// A string property of at most `max` characters (JSON Schema counts
/// characters, not bytes).
fn string_at(value: &Value, path: &str, max: usize) -> Result<String, ContractError> {
    let Some(text) = value.as_str() else {
        return Err(ContractError::invalid(format!("{path} must be a string")));
    };
    let length = text.chars().count();
    if length > max {
        return Err(ContractError::invalid(format!(
            "{path} must be at most {max} characters long (it has {length})"
        )));
    }
    Ok(text.to_string())
}

/// A string property the requester typed: [`string_at`], then
/// [`requester_text`] (one line, nothing hidden).
fn typed_at(value: &Value, path: &str, max: usize) -> Result<String, ContractError> {
    let text = string_at(value, path, max)?;
    requester_text(&text, path, max)?;
    Ok(text)
}

fn enum_at(value: &Value, path: &str, allowed: &[&str]) -> Result<String, ContractError> {
    let Some(text) = value.as_str() else {
        return Err(ContractError::invalid(format!("{path} must be a string")));
    };
    if !allowed.contains(&text) {
        return Err(ContractError::invalid(format!(
            "{path} must be one of {}, not {text:?}",
            allowed.join(", ")
        )));
    }
    Ok(text.to_string())
}

/// Checks an object's members: none unknown (`additionalProperties:
/// false`), every required one present.
fn members<'v>(
    value: &'v Value,
    path: &str,
    known: &[&str],
    required: &[&str],
) -> Result<&'v Map<String, Value>, ContractError> {
    let Some(object) = value.as_object() else {
        return Err(ContractError::invalid(format!("{path} must be an object")));
    };
    if let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) {
        let at = if path.is_empty() {
            unknown.clone()
        } else {
            format!("{path}.{unknown}")
        };
        return Err(ContractError::bad(
            "unknownField",
            format!("{at} is not a property of the reset request"),
        ));
    }
    if let Some(missing) = required.iter().find(|r| !object.contains_key(**r)) {
        let at = if path.is_empty() {
            (*missing).to_string()
        } else {
            format!("{path}.{missing}")
        };
        return Err(ContractError::bad(
            "missingField",
            format!("{at} is required"),
        ));
    }
    Ok(object)
}

/// Validates a body against `ResetRequest`.
pub fn validate(body: &Value) -> Result<ResetRequest, ContractError> {
    if !body.is_object() {
        return Err(ContractError::bad(
            "invalidJson",
            "the body must be a JSON object (a ResetRequest)",
        ));
    }
    // `const: 2` matches any number equal to 2 (JSON Schema compares
    // numbers by value, so 2.0 is 2).
    let schema_version: u8 = match body.get("schemaVersion").map(Value::as_f64) {
        None => {
            return Err(ContractError::bad(
                "missingField",
                "schemaVersion is required",
            ))
        }
        Some(Some(2.0)) => 2,
        Some(Some(1.0)) => 1,
        Some(_) => {
            return Err(ContractError::invalid(format!(
                "schemaVersion must be 2 (or 1 from older apps), not {}",
                body.get("schemaVersion").unwrap_or(&Value::Null)
            )))
        }
    };
    let object = if schema_version == 1 {
        members(body, "", &PROPERTIES_V1, &REQUIRED_V1)?
    } else {
        members(body, "", &PROPERTIES, &REQUIRED)?
    };
    let field = |name: &str| object.get(name).unwrap_or(&Value::Null);

    if field("requestType") != "mfaReset" {
        return Err(ContractError::invalid(format!(
            "requestType must be \"mfaReset\", not {}",
            field("requestType")
        )));
    }
    let upn = Upn::parse(&typed_at(field("upn"), "upn", crate::typed::UPN_MAX)?)?;
    let reason =
        Reason::parse(&enum_at(field("reason"), "reason", &REASONS)?).expect("enum_at checked it");
    let reason_detail = match object.get("reasonDetail") {
        None => None,
        Some(value) => Some(typed_at(value, "reasonDetail", 500)?),
    };

    let Some(items) = field("stillHas").as_array() else {
        return Err(ContractError::invalid("stillHas must be an array"));
    };
    if items.len() > 8 {
        return Err(ContractError::invalid(format!(
            "stillHas must have at most 8 items (it has {})",
            items.len()
        )));
    }
    let mut still_has: Vec<StillHas> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let value = enum_at(item, &format!("stillHas[{index}]"), &STILL_HAS)?;
        let value = StillHas::parse(&value).expect("enum_at checked it");
        if still_has.contains(&value) {
            return Err(ContractError::invalid(format!(
                "stillHas must not repeat an item ({:?} is there twice)",
                value.as_str()
            )));
        }
        still_has.push(value);
    }

    let callback = members(
        field("callback"),
        "callback",
        &["preference", "availability"],
        &["preference"],
    )?;
    let callback_preference = CallbackPreference::parse(&enum_at(
        callback.get("preference").unwrap_or(&Value::Null),
        "callback.preference",
        &CALLBACK_PREFERENCES,
    )?)
    .expect("enum_at checked it");
    let callback_availability = match callback.get("availability") {
        None => None,
        Some(value) => Some(typed_at(value, "callback.availability", 200)?),
    };

    let device = members(
        field("device"),
        "device",
        &["os", "appVersion"],
        &["os", "appVersion"],
    )?;
    let device_os = typed_at(device.get("os").unwrap_or(&Value::Null), "device.os", 100)?;
    let device_app_version = typed_at(
        device.get("appVersion").unwrap_or(&Value::Null),
        "device.appVersion",
        32,
    )?;

    // `format: date-time` is RFC 3339.
    let created_text = string_at(field("createdAt"), "createdAt", usize::MAX)?;
    let Ok(created_at) = OffsetDateTime::parse(&created_text, &Rfc3339) else {
        return Err(ContractError::invalid(format!(
            "createdAt must be an RFC 3339 date-time, not {created_text:?}"
        )));
    };
    let verification_phrase = typed_at(field("verificationPhrase"), "verificationPhrase", 64)?;
    if field("unauthenticated") != &Value::Bool(true) {
        return Err(ContractError::invalid(format!(
            "unauthenticated must be true, not {}",
            field("unauthenticated")
        )));
    }

    // A version 1 runbook is checked as that schema says, then kept aside.
    let legacy_runbook = if schema_version == 1 {
        let Some(steps) = field("runbook").as_array() else {
            return Err(ContractError::invalid("runbook must be an array"));
        };
        if steps.len() > 12 {
            return Err(ContractError::invalid(format!(
                "runbook must have at most 12 items (it has {})",
                steps.len()
            )));
        }
        steps
            .iter()
            .enumerate()
            .map(|(index, step)| string_at(step, &format!("runbook[{index}]"), 400))
            .collect::<Result<Vec<String>, ContractError>>()?
    } else {
        Vec::new()
    };
    let tenant = match object.get("tenant") {
        None => None,
        Some(value) => Some(typed_at(value, "tenant", 256)?),
    };

    Ok(ResetRequest {
        upn,
        reason,
        reason_detail,
        still_has,
        callback: Callback {
            preference: callback_preference,
            availability: callback_availability,
        },
        device: Device {
            os: device_os,
            app_version: device_app_version,
        },
        created_at,
        verification_phrase,
        tenant,
        schema_version,
        legacy_runbook,
    })
}

/// An `Idempotency-Key` header's value as a lower-case hyphenated UUID
/// (`format: uuid` is RFC 4122's 8-4-4-4-12 form); `None` when absent.
pub fn idempotency_key(value: Option<&str>) -> Result<String, ContractError> {
    let Some(text) = value else {
        return Err(ContractError::bad(
            "missingIdempotencyKey",
            "the Idempotency-Key header is required (a UUID the app repeats on every retry)",
        ));
    };
    let text = text.trim();
    let hyphenated = text.len() == 36 && text.matches('-').count() == 4;
    match Uuid::parse_str(text) {
        Ok(uuid) if hyphenated => Ok(uuid.hyphenated().to_string()),
        _ => Err(ContractError::bad(
            "invalidIdempotencyKey",
            format!("the Idempotency-Key header must be a UUID, not {text:?}"),
        )),
    }
}

/// Whether a `Content-Type` header's value says JSON.
pub fn is_json_media_type(value: Option<&str>) -> bool {
    value
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether `upn` is `someone@{domain}` (domains compare case-insensitively).
pub fn in_domain(upn: &str, domain: &str) -> bool {
    match upn.rsplit_once('@') {
        Some((local, host)) => !local.is_empty() && host.eq_ignore_ascii_case(domain),
        None => false,
    }
}

/// Whether `upn` is in one of `domains`.
pub fn in_any_domain(upn: &str, domains: &[String]) -> bool {
    domains.iter().any(|d| in_domain(upn, d))
}

/// The contract's `RequestStatus.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Committed, not yet in the helpdesk.
    Accepted,
    /// A ticket exists.
    Delivered,
    /// The relay gave up (dead letter); an operator can replay it.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Delivered => "delivered",
            Status::Failed => "failed",
        }
    }
}

/// The contract's `RequestStatus` body.
pub fn status_body(request_id: &str, status: Status, ticket_number: Option<&str>) -> Value {
    let mut body = serde_json::json!({"requestId": request_id, "status": status.as_str()});
    if let Some(number) = ticket_number {
        body["ticketNumber"] = Value::String(number.to_owned());
    }
    body
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "schemaVersion": 2,
            "requestType": "mfaReset",
            "upn": "dana@contoso-demo.example",
            "reason": "lostPhone",
            "stillHas": ["password"],
            "callback": {"preference": "directoryPhone"},
            "device": {"os": "Windows 11", "appVersion": "1.0.0"},
            "createdAt": "2026-03-01T09:30:00Z",
            "verificationPhrase": "amber-falcon-42",
            "unauthenticated": true,
        })
    }

    fn version_one() -> Value {
        let mut body = valid();
        body["schemaVersion"] = json!(1);
        body["runbook"] =
            json!(["1. Identity already verified by SecOps; issue a TAP on this call"]);
        body
    }

    #[test]
    fn a_valid_request_passes_and_schema_version_two_point_zero_is_two() {
        let request = validate(&valid()).unwrap();
        assert_eq!(request.schema_version(), 2);
        assert_eq!(request.ignored_runbook_steps(), 0);
        let mut body = valid();
        body["schemaVersion"] = json!(2.0);
        assert!(validate(&body).is_ok());
        body["schemaVersion"] = json!(3);
        let error = validate(&body).unwrap_err();
        assert_eq!(error.code, "invalidField");
        assert!(error.message.contains("schemaVersion must be 2"));
    }

    #[test]
    fn version_two_has_no_runbook_and_version_one_s_is_counted_and_only_resent() {
        let mut body = valid();
        body["runbook"] = json!(["Issue a TAP now"]);
        let error = validate(&body).unwrap_err();
        assert_eq!(error.code, "unknownField");
        assert!(error.message.contains("runbook"));

        let request = validate(&version_one()).unwrap();
        assert_eq!(request.schema_version(), 1);
        assert_eq!(request.ignored_runbook_steps(), 1);
        // Kept only so the same body can be sent again under its key (the
        // ticket never shows it: ticket.rs's tests).
        assert_eq!(serde_json::to_value(&request).unwrap(), version_one());

        let mut body = version_one();
        body.as_object_mut().unwrap().remove("runbook");
        assert_eq!(validate(&body).unwrap_err().code, "missingField");
    }

    #[test]
    fn typed_fields_refuse_control_characters_naming_the_field() {
        for (pointer, path) in [
            ("/reasonDetail", "reasonDetail"),
            ("/callback/availability", "callback.availability"),
            ("/device/os", "device.os"),
            ("/device/appVersion", "device.appVersion"),
            ("/verificationPhrase", "verificationPhrase"),
            ("/tenant", "tenant"),
        ] {
            let mut body = valid();
            if pointer == "/reasonDetail" || pointer == "/tenant" {
                body[&pointer[1..]] = json!("x");
            }
            if pointer == "/callback/availability" {
                body["callback"]["availability"] = json!("x");
            }
            *body.pointer_mut(pointer).unwrap() = json!("x\nDevice proof: ok");
            let error = validate(&body).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (400, "controlCharacter"),
                "{path}"
            );
            assert!(
                error.message.starts_with(&format!("{path} ")),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn the_upn_follows_the_grammar_and_is_lower_cased() {
        let mut body = valid();
        body["upn"] = json!("Dana@Contoso-Demo.example");
        assert_eq!(
            validate(&body).unwrap().upn.as_str(),
            "dana@contoso-demo.example"
        );
        body["upn"] = json!("ceo@x.com (lostPhone), enrolled device adele@contoso.com");
        let error = validate(&body).unwrap_err();
        assert_eq!((error.status, error.code), (400, "invalidUpn"));
    }

    #[test]
    fn nested_objects_refuse_unknown_members_and_need_their_required_ones() {
        let mut body = valid();
        body["callback"]["phone"] = json!("+1 555");
        assert_eq!(validate(&body).map_err(|e| e.code), Err("unknownField"));
        let mut body = valid();
        body["device"] = json!({"os": "macOS"});
        let error = validate(&body).err();
        assert_eq!(error.as_ref().map(|e| e.code), Some("missingField"));
        assert!(error.is_some_and(|e| e.message.contains("device.appVersion")));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut body = valid();
        body["verificationPhrase"] = json!("é".repeat(64));
        assert!(validate(&body).is_ok());
        body["verificationPhrase"] = json!("é".repeat(65));
        assert_eq!(validate(&body).map_err(|e| e.code), Err("invalidField"));
    }

    #[test]
    fn every_contract_value_has_words_for_the_agent_and_one_spelling() {
        assert_eq!(Reason::ALL.len(), REASONS.len());
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Some(*reason));
            assert!(!reason.label().is_empty());
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
        for item in StillHas::ALL {
            assert_eq!(StillHas::parse(item.as_str()), Some(*item));
        }
        for preference in CallbackPreference::ALL {
            assert_eq!(
                CallbackPreference::parse(preference.as_str()),
                Some(*preference)
            );
        }
        assert_eq!(Reason::LostPhone.label(), "Lost phone");
        assert_eq!(
            CallbackPreference::DirectoryPhone.label(),
            "Call back on the phone number in the company directory"
        );
    }

    #[test]
    fn a_request_serialises_to_the_json_it_was_validated_from_in_either_version() {
        for body in [valid(), version_one()] {
            let request = validate(&body).unwrap();
            assert_eq!(serde_json::to_value(&request).unwrap(), body);
            let again: ResetRequest = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(again, request);
        }
        let mut bad = valid();
        bad["device"]["os"] = json!("a\nb");
        let error = serde_json::from_value::<ResetRequest>(bad).unwrap_err();
        assert!(error.to_string().contains("device.os"), "{error}");
    }

    #[test]
    fn a_new_request_is_version_two_and_checked_as_the_relay_checks_it() {
        let new = |upn: &'static str, os: &'static str| NewResetRequest {
            upn,
            reason: Reason::LostPhone,
            reason_detail: None,
            still_has: &[StillHas::Password],
            callback: Callback {
                preference: CallbackPreference::DirectoryPhone,
                availability: None,
            },
            device: Device {
                os: os.into(),
                app_version: "1.0.0".into(),
            },
            created_at: time::macros::datetime!(2026-03-01 09:30 UTC),
            verification_phrase: "amber-falcon-42",
            tenant: None,
        };
        let request = ResetRequest::new(new("dana@contoso-demo.example", "Windows 11")).unwrap();
        assert_eq!(request.schema_version(), 2);
        assert_eq!(serde_json::to_value(&request).unwrap(), valid());
        assert_eq!(
            ResetRequest::new(new("dana", "Windows 11"))
                .unwrap_err()
                .code,
            "invalidUpn"
        );
        assert_eq!(
            ResetRequest::new(new("dana@contoso-demo.example", "Windows\r11"))
                .unwrap_err()
                .code,
            "controlCharacter"
        );
    }

    #[test]
    fn upns_must_be_in_the_domain() {
        assert!(in_domain(
            "dana@CONTOSO-demo.example",
            "contoso-demo.example"
        ));
        assert!(!in_domain("@contoso-demo.example", "contoso-demo.example"));
        assert!(!in_domain("dana@evil.example", "contoso-demo.example"));
        assert!(!in_domain("dana", "contoso-demo.example"));
    }
}
