//! What a reset request's `Device-*` headers prove, and how the ticket says
//! it. The relay looks the key up; everything else is here.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{signed_message, PublicKey, SignatureHeaders, MAX_SIGNATURE_AGE};
use crate::ContractError;

/// What the relay could tell about the computer that sent a request.
///
/// Its JSON (a relay keeps it in its database) is
/// `{"kind":"enrolledDevice","keyId","enrolledAt","enrolledOs"}` or
/// `{"kind":"unverifiedDevice","note"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DeviceProof {
    /// Signed by a key enrolled for this very account, while its user was
    /// signed in (the enrolment's Graph token was checked against `/me`).
    #[serde(rename_all = "camelCase")]
    EnrolledDevice {
        key_id: String,
        #[serde(with = "time::serde::rfc3339")]
        enrolled_at: OffsetDateTime,
        /// The device the app described at enrolment, e.g. "Windows 11".
        enrolled_os: String,
    },
    /// Unsigned, or signed by a key not enrolled for this account.
    #[serde(rename_all = "camelCase")]
    UnverifiedDevice {
        /// Why, in the helpdesk's words.
        note: String,
    },
}

impl DeviceProof {
    /// Enrolled or unverified, without the details.
    pub fn kind(&self) -> DeviceProofKind {
        match self {
            DeviceProof::EnrolledDevice { .. } => DeviceProofKind::EnrolledDevice,
            DeviceProof::UnverifiedDevice { .. } => DeviceProofKind::UnverifiedDevice,
        }
    }

    /// The details, in the helpdesk's words: `Windows 11, key dk-…,
    /// enrolled 2026-03-01`, or why the device is unverified.
    pub fn detail(&self) -> String {
        match self {
            DeviceProof::EnrolledDevice {
                key_id,
                enrolled_at,
                enrolled_os,
            } => format!(
                "{enrolled_os}, key {key_id}, enrolled {}",
                enrolled_at.date()
            ),
            DeviceProof::UnverifiedDevice { note } => note.clone(),
        }
    }

    /// The ticket's "Device proof:" line (without that label).
    pub fn line(&self) -> String {
        self.kind().line(&self.detail())
    }

    /// A short label for subjects and tags: `enrolled device` or
    /// `unverified device`.
    pub fn label(&self) -> &'static str {
        self.kind().label()
    }
}

/// The kind of a [`DeviceProof`], for whoever keeps it apart from its
/// [`DeviceProof::detail`] (the tenant emulator's tickets). Its JSON is
/// `"enrolledDevice"` or `"unverifiedDevice"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceProofKind {
    /// Signed, within the allowed time, by a key enrolled for this very UPN.
    EnrolledDevice,
    /// Unsigned, or signed by a key the relay does not know or that is
    /// enrolled for another UPN.
    UnverifiedDevice,
}

impl DeviceProofKind {
    /// `"enrolledDevice"` or `"unverifiedDevice"`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceProofKind::EnrolledDevice => "enrolledDevice",
            DeviceProofKind::UnverifiedDevice => "unverifiedDevice",
        }
    }

    /// `enrolled device` or `unverified device`.
    pub fn label(self) -> &'static str {
        match self {
            DeviceProofKind::EnrolledDevice => "enrolled device",
            DeviceProofKind::UnverifiedDevice => "unverified device",
        }
    }

    /// The ticket's "Device proof:" line for a proof of this kind with this
    /// [`DeviceProof::detail`]. Both kinds tell the helpdesk to verify
    /// identity by call-back: the proof is of the computer, not the person.
    pub fn line(self, detail: &str) -> String {
        match self {
            DeviceProofKind::EnrolledDevice => format!(
                "sent from the user's enrolled device ({detail}). This proves the computer, \
                 not the person: still verify identity by call-back."
            ),
            DeviceProofKind::UnverifiedDevice => format!(
                "unverified device ({detail}). Verify identity by call-back before any reset."
            ),
        }
    }
}

/// The enrolled key a request's `Device-Key-Id` names, as the relay found
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrolledKey<'a> {
    pub key_id: &'a str,
    /// The account it was enrolled for (as Graph `/me` named it).
    pub upn: &'a str,
    /// base64url, as enrolled.
    pub public_key: &'a str,
    pub enrolled_at: OffsetDateTime,
    /// The enrolment's `device.os`.
    pub os: &'a str,
}

/// What a request's device proof comes to. `headers` are the request's
/// parsed `Device-*` headers ([`SignatureHeaders::parse`], which refuses
/// malformed ones with 400 `invalidSignatureHeaders`); `enrolled` the key
/// the relay holds under `headers.key_id`, if any; `idempotency_key` and
/// `body` this attempt's; `upn` the request's.
///
/// - no headers: unverified ("not signed");
/// - a key the relay does not know: unverified, with that note;
/// - a known key whose signature does not verify over this attempt: 401
///   `invalidSignature`;
/// - a valid signature made more than [`MAX_SIGNATURE_AGE`] from `now`,
///   either way: 401 `signatureExpired` (checked after the signature, so
///   that `created` is the key holder's own);
/// - a valid signature by a key enrolled for another account: unverified,
///   with a warning naming that account (an insider asking for someone
///   else's reset is worth the helpdesk's attention);
/// - a valid signature by a key enrolled for this account (UPNs compare
///   case-insensitively): enrolled device.
///
/// A stored public key that does not parse is 500 `storedKeyUnreadable`.
pub fn verdict(
    headers: Option<&SignatureHeaders>,
    enrolled: Option<&EnrolledKey<'_>>,
    idempotency_key: &str,
    body: &[u8],
    upn: &str,
    now: OffsetDateTime,
) -> Result<DeviceProof, ContractError> {
    let Some(headers) = headers else {
        return Ok(DeviceProof::UnverifiedDevice {
            note: "the request was not signed by a device key".into(),
        });
    };
    let Some(key) = enrolled.filter(|k| k.key_id == headers.key_id) else {
        return Ok(DeviceProof::UnverifiedDevice {
            note: format!(
                "signed by device key {}, which this relay does not know",
                headers.key_id
            ),
        });
    };
    let public = PublicKey::parse(key.public_key).map_err(|m| {
        ContractError::new(
            500,
            "storedKeyUnreadable",
            format!("the enrolled device key {} is unreadable: {m}", key.key_id),
        )
    })?;
    if !public.verifies(
        &signed_message(headers.created, idempotency_key, body),
        &headers.signature,
    ) {
        return Err(ContractError::new(
            401,
            "invalidSignature",
            format!(
                "the Device-Signature does not verify with device key {} for this request \
                 (its body, Idempotency-Key and Device-Signature-Created)",
                key.key_id
            ),
        ));
    }
    let age = (i128::from(now.unix_timestamp()) - i128::from(headers.created)).unsigned_abs();
    let max = MAX_SIGNATURE_AGE.as_secs();
    if age > u128::from(max) {
        return Err(ContractError::new(
            401,
            "signatureExpired",
            format!(
                "the device signature was made {age} s from the relay's time; at most {max} s \
                 either way are accepted (check the computer's clock, and sign the request again)"
            ),
        ));
    }
    let upn = upn.trim();
    if !key.upn.trim().eq_ignore_ascii_case(upn) {
        return Ok(DeviceProof::UnverifiedDevice {
            note: format!(
                "WARNING: signed by a device enrolled for another account, {}; the request is for {upn}",
                key.upn
            ),
        });
    }
    Ok(DeviceProof::EnrolledDevice {
        key_id: key.key_id.to_owned(),
        enrolled_at: key.enrolled_at,
        enrolled_os: key.os.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{generate_key, public_key_text, sign, SigningKey};
    use super::*;
    use serde_json::json;

    const DANA: &str = "dana@contoso-demo.example";

    fn enrolled_at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_772_357_400).unwrap() // 2026-03-01T09:30:00Z
    }

    fn headers(key: &SigningKey, key_id: &str, created: i64, body: &[u8]) -> SignatureHeaders {
        let (key_id, created, signature) = sign(key, key_id, created, "idem", body);
        SignatureHeaders::parse(Some(&key_id), Some(&created), Some(&signature))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn only_a_fresh_signature_by_a_key_enrolled_for_this_upn_is_an_enrolled_device() {
        let key = generate_key();
        let public = public_key_text(&key);
        let enrolled = EnrolledKey {
            key_id: "dk-1",
            upn: DANA,
            public_key: &public,
            enrolled_at: enrolled_at(),
            os: "Debian 12",
        };
        let now = OffsetDateTime::now_utc();
        let created = now.unix_timestamp();
        let body = br#"{"upn":"dana@contoso-demo.example"}"#;
        let good = headers(&key, "dk-1", created, body);
        let check =
            |headers: Option<&SignatureHeaders>,
             enrolled: Option<&EnrolledKey<'_>>,
             upn: &str,
             body: &[u8]| verdict(headers, enrolled, "idem", body, upn, now);

        let proof = check(
            Some(&good),
            Some(&enrolled),
            "Dana@Contoso-demo.example ",
            body,
        );
        assert_eq!(
            proof,
            Ok(DeviceProof::EnrolledDevice {
                key_id: "dk-1".into(),
                enrolled_at: enrolled_at(),
                enrolled_os: "Debian 12".into()
            })
        );

        let proof = check(None, None, DANA, body).unwrap();
        assert_eq!(proof.kind(), DeviceProofKind::UnverifiedDevice);
        assert!(proof.detail().contains("not signed"), "{proof:?}");

        let stranger = headers(&generate_key(), "dk-unknown", created, body);
        let proof = check(Some(&stranger), None, DANA, body).unwrap();
        assert_eq!(proof.kind(), DeviceProofKind::UnverifiedDevice);
        assert!(proof
            .detail()
            .contains("dk-unknown, which this relay does not know"));
        // A key looked up under another id is not this request's key.
        let proof = check(Some(&stranger), Some(&enrolled), DANA, body).unwrap();
        assert!(proof.detail().contains("does not know"), "{proof:?}");

        let proof = check(
            Some(&good),
            Some(&enrolled),
            "ben@contoso-demo.example",
            body,
        )
        .unwrap();
        assert_eq!(proof.kind(), DeviceProofKind::UnverifiedDevice);
        assert_eq!(
            proof.detail(),
            "WARNING: signed by a device enrolled for another account, dana@contoso-demo.example; \
             the request is for ben@contoso-demo.example"
        );
    }

    #[test]
    fn a_signature_that_does_not_verify_or_is_stale_is_refused() {
        let key = generate_key();
        let public = public_key_text(&key);
        let enrolled = EnrolledKey {
            key_id: "dk-1",
            upn: DANA,
            public_key: &public,
            enrolled_at: enrolled_at(),
            os: "Windows 11",
        };
        let now = OffsetDateTime::now_utc();
        let created = now.unix_timestamp();
        let body = b"{}";
        let refused = |headers: &SignatureHeaders, idem: &str, body: &[u8]| {
            let error = verdict(Some(headers), Some(&enrolled), idem, body, DANA, now).unwrap_err();
            (error.status, error.code)
        };
        let unauthorised = |code| (401, code);

        let good = headers(&key, "dk-1", created, body);
        assert_eq!(
            refused(&good, "idem", b"{\"x\":1}"),
            unauthorised("invalidSignature"),
            "another body"
        );
        assert_eq!(
            refused(&good, "other-idem", body),
            unauthorised("invalidSignature"),
            "another idempotency key"
        );
        let forged = headers(&generate_key(), "dk-1", created, body);
        assert_eq!(
            refused(&forged, "idem", body),
            unauthorised("invalidSignature")
        );
        let mut moved = good.clone();
        moved.created += 1;
        assert_eq!(
            refused(&moved, "idem", body),
            unauthorised("invalidSignature")
        );

        let max = MAX_SIGNATURE_AGE.as_secs() as i64;
        for created in [created - max - 1, created + max + 1] {
            let stale = headers(&key, "dk-1", created, body);
            assert_eq!(
                refused(&stale, "idem", body),
                unauthorised("signatureExpired")
            );
        }
        for created in [created - max, created + max] {
            let edge = headers(&key, "dk-1", created, body);
            assert!(verdict(Some(&edge), Some(&enrolled), "idem", body, DANA, now).is_ok());
        }
        // A forged signature with an absurd time is a bad signature, not a
        // clock problem, and the age does not overflow.
        let absurd = SignatureHeaders {
            created: i64::MIN,
            ..forged
        };
        assert_eq!(
            refused(&absurd, "idem", body),
            unauthorised("invalidSignature")
        );

        let damaged = EnrolledKey {
            public_key: "AAAA",
            ..enrolled
        };
        let error = verdict(Some(&good), Some(&damaged), "idem", body, DANA, now).unwrap_err();
        assert_eq!((error.status, error.code), (500, "storedKeyUnreadable"));
    }

    #[test]
    fn the_proof_keeps_its_stored_json_shape() {
        let enrolled = DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: enrolled_at(),
            enrolled_os: "Windows 11".into(),
        };
        let unverified = DeviceProof::UnverifiedDevice {
            note: "the request was not signed by a device key".into(),
        };
        for (proof, stored) in [
            (
                &enrolled,
                json!({"kind": "enrolledDevice", "keyId": "dk-1",
                       "enrolledAt": "2026-03-01T09:30:00Z", "enrolledOs": "Windows 11"}),
            ),
            (
                &unverified,
                json!({"kind": "unverifiedDevice",
                       "note": "the request was not signed by a device key"}),
            ),
        ] {
            assert_eq!(serde_json::to_value(proof).unwrap(), stored);
            assert_eq!(
                &serde_json::from_value::<DeviceProof>(stored).unwrap(),
                proof
            );
        }
        assert_eq!(
            serde_json::to_value(DeviceProofKind::EnrolledDevice).unwrap(),
            json!("enrolledDevice")
        );
        assert_eq!(
            serde_json::from_value::<DeviceProofKind>(json!("unverifiedDevice")).unwrap(),
            DeviceProofKind::UnverifiedDevice
        );
        assert_eq!(enrolled.kind().as_str(), "enrolledDevice");
        assert_eq!(unverified.kind().as_str(), "unverifiedDevice");
    }

    #[test]
    fn the_ticket_line_says_what_was_proven_and_always_asks_for_a_call_back() {
        let enrolled = DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: enrolled_at(),
            enrolled_os: "Windows 11".into(),
        };
        assert_eq!(
            enrolled.detail(),
            "Windows 11, key dk-1, enrolled 2026-03-01"
        );
        assert_eq!(
            enrolled.line(),
            "sent from the user's enrolled device (Windows 11, key dk-1, enrolled 2026-03-01). \
             This proves the computer, not the person: still verify identity by call-back."
        );
        assert_eq!(enrolled.label(), "enrolled device");
        let unverified = DeviceProof::UnverifiedDevice {
            note: "not signed".into(),
        };
        assert_eq!(
            unverified.line(),
            "unverified device (not signed). Verify identity by call-back before any reset."
        );
        assert_eq!(unverified.label(), "unverified device");
        assert_eq!(
            DeviceProofKind::EnrolledDevice.line(&enrolled.detail()),
            enrolled.line()
        );
    }
}
