//! Device proof, the relay's half. The rules (the enrolment body, the
//! headers' shape, what a signature proves and how the ticket says it) are
//! `helpdesk_contract::device_proof`'s, shared with the tenant emulator and
//! the app; this module adds the relay's own lookups:
//! - [`enrol`]: a signed-in user's app enrols a public key; the user is who
//!   Microsoft Graph says the bearer token belongs to (`GET /me`);
//! - [`check`]: a reset request's `Device-*` headers become the ticket's
//!   [`DeviceProof`], or a refusal when they are malformed or do not verify.

use helpdesk_contract::device_proof::{
    verdict, EnrolledKey, SignatureHeaders, CREATED_HEADER, KEY_ID_HEADER, SIGNATURE_HEADER,
};
use helpdesk_contract::ContractError;
use serde_json::Value;
use time::OffsetDateTime;
use url::Url;

use crate::store::{DeviceKey, Enrolled, Store};
use crate::ticket::DeviceProof;

/// The enrolment body (`POST /v1/device-keys`), checked by the contract.
pub use helpdesk_contract::device_proof::{Enrolment, MAX_ENROLMENT_BYTES};

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

/// What a request's `Device-*` headers prove about its sender: the
/// contract's [`verdict`] over the key this relay enrolled under the
/// headers' `Device-Key-Id`, if any. `header` gives a header's value by its
/// lower-case name.
///
/// Malformed or partial headers are 400 `invalidSignatureHeaders`; a known
/// key's signature that does not verify is 401 `invalidSignature`, one
/// made too long ago or ahead 401 `signatureExpired`. An unsigned request,
/// an unknown key or a key enrolled for another account make the request
/// unverified (the ticket says why), not refused.
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
    .map_err(CheckError::Refused)?;
    let key = match &headers {
        Some(headers) => store
            .device_key(&headers.key_id)
            .await
            .map_err(CheckError::Store)?,
        None => None,
    };
    let enrolled = key.as_ref().map(|key| EnrolledKey {
        key_id: &key.key_id,
        upn: &key.upn,
        public_key: &key.public_key,
        enrolled_at: key.enrolled_at,
        os: &key.os,
    });
    verdict(
        headers.as_ref(),
        enrolled.as_ref(),
        idempotency_key,
        body,
        upn,
        now,
    )
    .map_err(CheckError::Refused)
}

/// Why [`check`] gave no proof.
#[derive(Debug)]
pub enum CheckError {
    Refused(ContractError),
    Store(crate::store::StoreError),
}
