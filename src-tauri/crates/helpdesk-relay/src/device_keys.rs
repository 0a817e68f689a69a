//! Device proof, the relay's half (the protocol is in
//! `helpdesk_contract::device_proof` and the OpenAPI file):
//! - [`enrol`]: a signed-in user's app enrols a public key; the user is who
//!   Microsoft Graph says the bearer token belongs to (`GET /me`);
//! - [`check`]: a reset request's `Device-*` headers become the ticket's
//!   [`DeviceProof`], or a refusal when they are malformed or do not verify.

use helpdesk_contract::device_proof::{
    signed_message, PublicKey, SignatureHeaders, CREATED_HEADER, KEY_ID_HEADER, MAX_SIGNATURE_AGE,
    SIGNATURE_HEADER,
};
use helpdesk_contract::ContractError;
use serde_json::Value;
use time::OffsetDateTime;
use url::Url;

use crate::store::{DeviceKey, Enrolled, Store};
use crate::ticket::DeviceProof;

/// The largest enrolment body read.
pub const MAX_ENROLMENT_BYTES: usize = 4 * 1024;

/// The user Graph names for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphUser {
    pub id: String,
    pub upn: String,
}

/// Why Graph did not name a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphRefusal {
    /// Graph refused the token (401/403): the caller's problem.
    Token(String),
    /// Graph could not be asked, or answered unexpectedly.
    Unavailable(String),
}

/// `GET {graph}me?$select=id,userPrincipalName` with the caller's token.
pub async fn who_is(
    http: &reqwest::Client,
    graph: &Url,
    token: &str,
) -> Result<GraphUser, GraphRefusal> {
    let url = graph
        .join("me?$select=id,userPrincipalName")
        .map_err(|e| GraphRefusal::Unavailable(e.to_string()))?;
    let response = http.get(url).bearer_auth(token).send().await.map_err(|e| {
        GraphRefusal::Unavailable(format!("Microsoft Graph could not be reached: {e}"))
    })?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match status {
        200 => {
            let id = body.get("id").and_then(Value::as_str);
            let upn = body.get("userPrincipalName").and_then(Value::as_str);
            match (id, upn) {
                (Some(id), Some(upn)) if !id.is_empty() && upn.contains('@') => Ok(GraphUser {
                    id: id.to_owned(),
                    upn: upn.to_ascii_lowercase(),
                }),
                _ => Err(GraphRefusal::Unavailable(
                    "Microsoft Graph's /me answer had no id or userPrincipalName".into(),
                )),
            }
        }
        401 | 403 => Err(GraphRefusal::Token(format!(
            "Microsoft Graph refused the token ({status}{})",
            body.pointer("/error/code")
                .and_then(Value::as_str)
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        ))),
        _ => Err(GraphRefusal::Unavailable(format!(
            "Microsoft Graph answered {status} to /me"
        ))),
    }
}

/// An enrolment body, checked: `{"publicKey", "device": {"os", "appVersion"}}`
/// and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub public_key: PublicKey,
    pub os: String,
    pub app_version: String,
}

impl Enrolment {
    pub fn parse(body: &[u8]) -> Result<Enrolment, ContractError> {
        if body.len() > MAX_ENROLMENT_BYTES {
            return Err(ContractError::new(
                413,
                "payloadTooLarge",
                format!("an enrolment has at most {MAX_ENROLMENT_BYTES} bytes"),
            ));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ContractError::bad("invalidJson", format!("the body is not JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| ContractError::bad("invalidJson", "the body must be a JSON object"))?;
        if let Some(unknown) = object.keys().find(|k| *k != "publicKey" && *k != "device") {
            return Err(ContractError::bad(
                "unknownField",
                format!("{unknown} is not a property of a device-key enrolment"),
            ));
        }
        let public_key = object
            .get("publicKey")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ContractError::bad("missingField", "publicKey is required (a string)")
            })?;
        let public_key =
            PublicKey::parse(public_key).map_err(|m| ContractError::bad("invalidPublicKey", m))?;
        let device = object
            .get("device")
            .and_then(Value::as_object)
            .ok_or_else(|| ContractError::bad("missingField", "device is required (an object)"))?;
        if let Some(unknown) = device.keys().find(|k| *k != "os" && *k != "appVersion") {
            return Err(ContractError::bad(
                "unknownField",
                format!("device.{unknown} is not a property of a device-key enrolment"),
            ));
        }
        let text = |name: &str, max: usize| -> Result<String, ContractError> {
            let value = device.get(name).and_then(Value::as_str).ok_or_else(|| {
                ContractError::bad(
                    "missingField",
                    format!("device.{name} is required (a string)"),
                )
            })?;
            if value.chars().count() > max {
                return Err(ContractError::bad(
                    "invalidField",
                    format!("device.{name} must be at most {max} characters long"),
                ));
            }
            Ok(value.to_owned())
        };
        Ok(Enrolment {
            public_key,
            os: text("os", 100)?,
            app_version: text("appVersion", 32)?,
        })
    }
}

/// Binds `enrolment` to `user` in `store`.
pub async fn enrol(
    store: &Store,
    user: &GraphUser,
    enrolment: Enrolment,
    now: OffsetDateTime,
) -> Result<Enrolled, crate::store::StoreError> {
    store
        .enrol(DeviceKey {
            key_id: format!("dk-{}", uuid::Uuid::new_v4().simple()),
            upn: user.upn.clone(),
            user_id: user.id.clone(),
            public_key: enrolment.public_key.text(),
            os: enrolment.os,
            app_version: enrolment.app_version,
            enrolled_at: now,
        })
        .await
}

/// What a request's `Device-*` headers prove about its sender.
///
/// - none of the headers: unverified ("not signed");
/// - some but not all, or malformed: 400 `invalidSignatureHeaders`;
/// - a key this relay does not know: unverified, with that note;
/// - a known key whose signature does not verify: 401 `invalidSignature`;
///   one signed more than [`MAX_SIGNATURE_AGE`] from now: 401
///   `signatureExpired`;
/// - a valid signature by a key enrolled for another account: unverified,
///   with a warning naming that account (an insider asking for someone
///   else's reset is worth the helpdesk's attention);
/// - a valid signature by a key enrolled for this account: enrolled device.
pub async fn check(
    store: &Store,
    header: impl Fn(&str) -> Option<String>,
    idempotency_key: &str,
    body: &[u8],
    upn: &str,
    now: OffsetDateTime,
) -> Result<DeviceProof, CheckError> {
    let headers = SignatureHeaders::parse(
        header(KEY_ID_HEADER).as_deref(),
        header(CREATED_HEADER).as_deref(),
        header(SIGNATURE_HEADER).as_deref(),
    )
    .map_err(|m| CheckError::Refused(ContractError::bad("invalidSignatureHeaders", m)))?;
    let Some(headers) = headers else {
        return Ok(DeviceProof::UnverifiedDevice {
            note: "the request was not signed by a device key".into(),
        });
    };
    let Some(key) = store
        .device_key(&headers.key_id)
        .await
        .map_err(CheckError::Store)?
    else {
        return Ok(DeviceProof::UnverifiedDevice {
            note: format!(
                "signed by key {}, which this relay does not know",
                headers.key_id
            ),
        });
    };
    let age = (now.unix_timestamp() - headers.created).unsigned_abs();
    if age > MAX_SIGNATURE_AGE.as_secs() {
        return Err(CheckError::Refused(ContractError::new(
            401,
            "signatureExpired",
            format!(
                "the device signature was made {age} s from the relay's time; at most {} s are accepted \
                 (check the computer's clock)",
                MAX_SIGNATURE_AGE.as_secs()
            ),
        )));
    }
    let public = PublicKey::parse(&key.public_key)
        .map_err(|m| CheckError::Refused(ContractError::new(500, "storedKeyUnreadable", m)))?;
    if !public.verifies(
        &signed_message(headers.created, idempotency_key, body),
        &headers.signature,
    ) {
        return Err(CheckError::Refused(ContractError::new(
            401,
            "invalidSignature",
            format!(
                "the device signature does not verify with key {}",
                key.key_id
            ),
        )));
    }
    if !key.upn.eq_ignore_ascii_case(upn) {
        return Ok(DeviceProof::UnverifiedDevice {
            note: format!(
                "WARNING: signed by a device enrolled for another account, {}; the request is for {upn}",
                key.upn
            ),
        });
    }
    Ok(DeviceProof::EnrolledDevice {
        key_id: key.key_id,
        enrolled_at: key.enrolled_at,
        enrolled_os: key.os,
    })
}

/// Why [`check`] gave no proof.
#[derive(Debug)]
pub enum CheckError {
    Refused(ContractError),
    Store(crate::store::StoreError),
}
