//! Device proof, the relay's half. The rules (the enrolment body, the
//! headers' shape, what a signature proves and how the ticket says it) are
//! `helpdesk_contract::device_proof`'s, shared with the tenant emulator and
//! the app; this module adds the relay's own lookups:
//! - [`enrol`]: a signed-in user's app enrols a public key; the user is the
//!   one the relay's own access token names (`oid`, user name), checked by
//!   [`crate::access_token`]: Graph is never asked, and a Graph token is
//!   refused;
//! - [`check`]: a reset request's `Device-*` headers become the ticket's
//!   [`DeviceProof`], or a refusal when they are malformed or do not verify.

use helpdesk_contract::device_proof::{
    verdict, EnrolledKey, SignatureHeaders, CREATED_HEADER, KEY_ID_HEADER, SIGNATURE_HEADER,
};
use helpdesk_contract::relay_token::TokenUser;
use helpdesk_contract::ContractError;
use time::OffsetDateTime;

use crate::store::{DeviceKey, Enrolled, Store};
use crate::ticket::DeviceProof;

/// The enrolment body (`POST /v1/device-keys`), checked by the contract.
pub use helpdesk_contract::device_proof::{Enrolment, MAX_ENROLMENT_BYTES};

/// Binds `enrolment` to `user` in `store`.
pub async fn enrol(
    store: &Store,
    user: &TokenUser,
    enrolment: Enrolment,
    now: OffsetDateTime,
) -> Result<Enrolled, crate::store::StoreError> {
    store
        .enrol(DeviceKey {
            key_id: format!("dk-{}", uuid::Uuid::new_v4().simple()),
            upn: user.upn.clone(),
            user_id: user.oid.clone(),
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
