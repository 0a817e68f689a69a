//! The `DeviceKeyEnrolment` body of `POST /v1/device-keys`:
//! `{"publicKey", "device": {"os", "appVersion"}}` and nothing else.

use serde_json::{Map, Value};

use super::PublicKey;
use crate::ContractError;

/// The largest enrolment body a relay reads: 4 KiB (a valid one is well
/// under 300 bytes).
pub const MAX_ENROLMENT_BYTES: usize = 4 * 1024;

/// The schema's `maxLength` of `publicKey` (a 32-byte key is 43 characters).
pub const MAX_PUBLIC_KEY_LEN: usize = 64;

/// The schema's `maxLength` of `device.os`.
const MAX_OS_LEN: usize = 100;

/// The schema's `maxLength` of `device.appVersion`.
const MAX_APP_VERSION_LEN: usize = 32;

/// An enrolment body, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub public_key: PublicKey,
    /// The device the app describes, e.g. "Windows 11".
    pub os: String,
    pub app_version: String,
}

impl Enrolment {
    /// Checks an enrolment body, in this order; the message names the
    /// property's path:
    /// - more than [`MAX_ENROLMENT_BYTES`]: 413 `payloadTooLarge`;
    /// - not JSON, or not an object: 400 `invalidJson`;
    /// - a property other than `publicKey` and `device` (or, in `device`,
    ///   other than `os` and `appVersion`): 400 `unknownField`;
    /// - a required property missing: 400 `missingField`;
    /// - a property of the wrong type or longer than the schema allows
    ///   (lengths count characters): 400 `invalidField`;
    /// - a `publicKey` that is not a 32-byte Ed25519 key in base64url
    ///   without padding: 400 `invalidPublicKey`.
    pub fn parse(body: &[u8]) -> Result<Enrolment, ContractError> {
        if body.len() > MAX_ENROLMENT_BYTES {
            return Err(ContractError::new(
                413,
                "payloadTooLarge",
                format!(
                    "the body has {} bytes; an enrolment has at most {MAX_ENROLMENT_BYTES}",
                    body.len()
                ),
            ));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ContractError::bad("invalidJson", format!("the body is not JSON: {e}")))?;
        let Some(object) = value.as_object() else {
            return Err(ContractError::bad(
                "invalidJson",
                "the body must be a JSON object (a DeviceKeyEnrolment)",
            ));
        };
        members(object, "", &["publicKey", "device"])?;

        let public_key = text(object, "", "publicKey", MAX_PUBLIC_KEY_LEN)?;
        let public_key = PublicKey::parse(&public_key)
            .map_err(|message| ContractError::bad("invalidPublicKey", message))?;

        let Some(device) = object.get("device").and_then(Value::as_object) else {
            return Err(ContractError::bad(
                "invalidField",
                "device must be an object",
            ));
        };
        members(device, "device.", &["os", "appVersion"])?;
        Ok(Enrolment {
            public_key,
            os: text(device, "device.", "os", MAX_OS_LEN)?,
            app_version: text(device, "device.", "appVersion", MAX_APP_VERSION_LEN)?,
        })
    }
}

/// `additionalProperties: false` and `required`: `names` are the object's
/// properties, all required. `prefix` is the object's path (`""` or
/// `"device."`).
fn members(object: &Map<String, Value>, prefix: &str, names: &[&str]) -> Result<(), ContractError> {
    if let Some(unknown) = object.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(ContractError::bad(
            "unknownField",
            format!(
                "{prefix}{unknown} is not a property of a device-key enrolment (its properties: {})",
                names.join(", ")
            ),
        ));
    }
    if let Some(missing) = names.iter().find(|n| !object.contains_key(**n)) {
        return Err(ContractError::bad(
            "missingField",
            format!("{prefix}{missing} is required"),
        ));
    }
    Ok(())
}

/// A string property of at most `max` characters.
fn text(
    object: &Map<String, Value>,
    prefix: &str,
    name: &str,
    max: usize,
) -> Result<String, ContractError> {
    let Some(text) = object.get(name).and_then(Value::as_str) else {
        return Err(ContractError::bad(
            "invalidField",
            format!("{prefix}{name} must be a string"),
        ));
    };
    let length = text.chars().count();
    if length > max {
        return Err(ContractError::bad(
            "invalidField",
            format!("{prefix}{name} must be at most {max} characters long (it has {length})"),
        ));
    }
    // Shown in tickets ("enrolled device (Windows 11, …)"): one line.
    crate::typed::requester_text(text, &format!("{prefix}{name}"), max)?;
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::{generate_key, public_key_text};
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Enrolment, ContractError> {
        Enrolment::parse(value.to_string().as_bytes())
    }

    fn refused(value: Value) -> (u16, &'static str, String) {
        let error = parse(value).unwrap_err();
        (error.status, error.code, error.message)
    }

    #[test]
    fn device_text_with_a_line_break_is_refused_naming_the_field() {
        let key = public_key_text(&generate_key());
        let (status, code, message) = refused(
            json!({"publicKey": key, "device": {"os": "Windows 11\nDevice proof: ok", "appVersion": "1"}}),
        );
        assert_eq!((status, code), (400, "controlCharacter"));
        assert!(message.starts_with("device.os "), "{message}");
    }

    #[test]
    fn a_valid_enrolment_passes_with_its_key_in_canonical_form() {
        let key = public_key_text(&generate_key());
        let enrolment =
            parse(json!({"publicKey": key, "device": {"os": "Debian 12", "appVersion": "0.1.0"}}))
                .unwrap();
        assert_eq!(enrolment.public_key.text(), key);
        assert_eq!(enrolment.os, "Debian 12");
        assert_eq!(enrolment.app_version, "0.1.0");
        // Lengths count characters: 100 two-byte characters are allowed.
        let long_os = "é".repeat(MAX_OS_LEN);
        let enrolment =
            parse(json!({"publicKey": key, "device": {"os": long_os, "appVersion": "v"}})).unwrap();
        assert_eq!(enrolment.os, long_os);
    }

    #[test]
    fn unknown_and_missing_properties_are_named() {
        let key = public_key_text(&generate_key());
        let device = json!({"os": "x", "appVersion": "y"});
        let (status, code, message) =
            refused(json!({"publicKey": key, "device": device, "upn": "ceo@contoso.example"}));
        assert_eq!((status, code), (400, "unknownField"));
        assert!(message.starts_with("upn "), "{message}");
        let (_, code, message) = refused(
            json!({"publicKey": key, "device": {"os": "x", "appVersion": "y", "serial": "1"}}),
        );
        assert_eq!(code, "unknownField");
        assert!(message.starts_with("device.serial "), "{message}");
        let (_, code, message) = refused(json!({"publicKey": key}));
        assert_eq!(code, "missingField");
        assert!(message.starts_with("device "), "{message}");
        let (_, code, message) = refused(json!({"device": device}));
        assert_eq!(code, "missingField");
        assert!(message.starts_with("publicKey "), "{message}");
        let (_, code, message) = refused(json!({"publicKey": key, "device": {"os": "x"}}));
        assert_eq!(code, "missingField");
        assert!(message.starts_with("device.appVersion "), "{message}");
    }

    #[test]
    fn types_and_lengths_are_invalid_fields() {
        let key = public_key_text(&generate_key());
        for body in [
            json!({"publicKey": 7, "device": {"os": "x", "appVersion": "y"}}),
            json!({"publicKey": key, "device": "Windows"}),
            json!({"publicKey": key, "device": {"os": null, "appVersion": "y"}}),
            json!({"publicKey": key, "device": {"os": "x", "appVersion": "v".repeat(33)}}),
            json!({"publicKey": key, "device": {"os": "o".repeat(101), "appVersion": "y"}}),
            json!({"publicKey": "A".repeat(65), "device": {"os": "x", "appVersion": "y"}}),
        ] {
            let (status, code, message) = refused(body.clone());
            assert_eq!((status, code), (400, "invalidField"), "{body}: {message}");
        }
        let (_, _, message) =
            refused(json!({"publicKey": "A".repeat(65), "device": {"os": "x", "appVersion": "y"}}));
        assert!(message.contains("at most 64"), "{message}");
    }

    #[test]
    fn a_public_key_must_be_a_32_byte_ed25519_key_in_base64url() {
        for (bad, says) in [
            ("AAAA", "32-byte"),
            ("not base64!", "base64url"),
            ("", "32-byte"),
        ] {
            let (status, code, message) =
                refused(json!({"publicKey": bad, "device": {"os": "x", "appVersion": "y"}}));
            assert_eq!((status, code), (400, "invalidPublicKey"), "{bad}");
            assert!(message.contains(says), "{bad}: {message}");
        }
    }

    #[test]
    fn bodies_that_are_not_json_objects_or_too_large_are_refused() {
        assert_eq!(refused(json!(["key"])).1, "invalidJson");
        let error = Enrolment::parse(b"{\"publicKey\":").unwrap_err();
        assert_eq!((error.status, error.code), (400, "invalidJson"));
        let key = public_key_text(&generate_key());
        let mut body =
            json!({"publicKey": key, "device": {"os": "x", "appVersion": "y"}}).to_string();
        body.push_str(&" ".repeat(MAX_ENROLMENT_BYTES - body.len()));
        assert!(Enrolment::parse(body.as_bytes()).is_ok(), "exactly 4 KiB");
        body.push(' ');
        let error = Enrolment::parse(body.as_bytes()).unwrap_err();
        assert_eq!((error.status, error.code), (413, "payloadTooLarge"));
    }
}
