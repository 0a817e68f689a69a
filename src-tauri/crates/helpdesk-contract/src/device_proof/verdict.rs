//! What a reset request's `Device-*` headers prove, and how the ticket says
//! it. The relay looks the key up; everything else is here.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{signed_message, PublicKey, SignatureHeaders, MAX_SIGNATURE_AGE};
use crate::ticket::{fill, relay_value};
use crate::ticket_words::{TicketWords, ENGLISH};
use crate::typed::quoted;
use crate::ContractError;

/// What the relay could tell about the computer that sent a request: values
/// only, which the ticket words in its language ([`DeviceProof::line_in`]).
///
/// Its JSON (a relay keeps it in its database) is
/// `{"kind":"enrolledDevice","keyId","enrolledAt","enrolledOs"}` or
/// `{"kind":"unverifiedDevice","reason",…}` with the reason's own values
/// (see [`UnverifiedReason`]), always `kind` first. An unverified proof
/// also carries `note`, its English words, only so that a relay of the
/// previous version sharing the database (several instances, upgraded one
/// by one) can still word it; this version reads `reason`, and reads a
/// row of that version (`note` alone) as the reason its note names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceProof {
    /// Signed by a key enrolled for this very account, while its user was
    /// signed in (the enrolment's relay token was checked).
    EnrolledDevice {
        /// The relay's id for the key.
        key_id: String,
        /// When the relay enrolled it.
        enrolled_at: OffsetDateTime,
        /// The device the app described at enrolment, e.g. "Windows 11"
        /// (sent by the app, so the ticket shows it quoted and labelled).
        enrolled_os: String,
    },
    /// Anything else, and why.
    UnverifiedDevice { reason: UnverifiedReason },
}

/// Why a request's device is unverified: each situation the relay tells
/// apart. A signature that does not verify for a known key, or is too old,
/// is refused (401), never a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnverifiedReason {
    /// No `Device-*` headers.
    Unsigned,
    /// Signed by a key this relay does not hold: never enrolled here, or
    /// removed since (a disputed enrolment, the helpdesk's clean-up).
    /// `key_id` is the request's `Device-Key-Id`, as the sender wrote it.
    UnknownKey { key_id: String },
    /// Signed, validly, by a key enrolled for another account (an insider
    /// asking for someone else's reset). `enrolled_for` is the account the
    /// relay enrolled the key for.
    OtherAccount { enrolled_for: String },
    /// The relay could not read the proof it stored for the request.
    StoredProofUnreadable,
    /// A reason this relay cannot word: an older relay's note it does not
    /// recognise, or a reason a newer relay recorded.
    Unrecorded,
}

impl UnverifiedReason {
    /// `reason` in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            UnverifiedReason::Unsigned => "unsigned",
            UnverifiedReason::UnknownKey { .. } => "unknownKey",
            UnverifiedReason::OtherAccount { .. } => "otherAccount",
            UnverifiedReason::StoredProofUnreadable => "storedProofUnreadable",
            UnverifiedReason::Unrecorded => "unrecorded",
        }
    }

    /// The reason an earlier relay's English `note` names. Those notes
    /// were the relay's own sentences, one per situation; anything else is
    /// [`UnverifiedReason::Unrecorded`], never a guess.
    pub fn from_note(note: &str) -> UnverifiedReason {
        const UNKNOWN_KEY_END: &str = ", which this relay does not know";
        const OTHER_ACCOUNT: &str = "WARNING: signed by a device enrolled for another account, ";
        match note {
            "the request was not signed by a device key" => return UnverifiedReason::Unsigned,
            "the stored device proof could not be read" => {
                return UnverifiedReason::StoredProofUnreadable
            }
            _ => {}
        }
        let unknown = ["signed by device key ", "signed by key "]
            .iter()
            .find_map(|start| note.strip_prefix(start))
            .and_then(|rest| rest.strip_suffix(UNKNOWN_KEY_END))
            .filter(|key_id| super::is_valid_key_id(key_id));
        if let Some(key_id) = unknown {
            return UnverifiedReason::UnknownKey {
                key_id: key_id.to_owned(),
            };
        }
        let other = note
            .strip_prefix(OTHER_ACCOUNT)
            .and_then(|rest| rest.split_once("; the request is for "))
            .map(|(account, _)| account)
            .filter(|account| !account.is_empty() && !account.contains(char::is_whitespace));
        if let Some(account) = other {
            return UnverifiedReason::OtherAccount {
                enrolled_for: account.to_owned(),
            };
        }
        UnverifiedReason::Unrecorded
    }

    /// Why, in `w`'s language, for the ticket's "Device proof:" line. What
    /// the sender wrote (a key id) is quoted after `w`'s "typed by the
    /// requester" label; the relay's own values are written as they are
    /// (quoted only if they could break the line).
    pub fn words_in(&self, w: &TicketWords) -> String {
        match self {
            UnverifiedReason::Unsigned => w.unverified_unsigned.to_owned(),
            UnverifiedReason::UnknownKey { key_id } => fill(
                w.unverified_unknown_key,
                &[("key", &quoted(key_id)), ("typed", w.typed)],
            ),
            UnverifiedReason::OtherAccount { enrolled_for } => fill(
                w.unverified_other_account,
                &[("account", &relay_value(enrolled_for))],
            ),
            UnverifiedReason::StoredProofUnreadable => w.unverified_unreadable.to_owned(),
            UnverifiedReason::Unrecorded => w.unverified_unrecorded.to_owned(),
        }
    }
}

/// The stored JSON of a [`DeviceProof`], every shape a relay has written.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredProof {
    kind: DeviceProofKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    enrolled_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolled_os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolled_for: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Serialize for DeviceProof {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut stored = StoredProof {
            kind: self.kind(),
            reason: None,
            key_id: None,
            enrolled_at: None,
            enrolled_os: None,
            enrolled_for: None,
            note: None,
        };
        match self {
            DeviceProof::EnrolledDevice {
                key_id,
                enrolled_at,
                enrolled_os,
            } => {
                stored.key_id = Some(key_id.clone());
                stored.enrolled_at = Some(*enrolled_at);
                stored.enrolled_os = Some(enrolled_os.clone());
            }
            DeviceProof::UnverifiedDevice { reason } => {
                stored.reason = Some(reason.as_str().to_owned());
                match reason {
                    UnverifiedReason::UnknownKey { key_id } => stored.key_id = Some(key_id.clone()),
                    UnverifiedReason::OtherAccount { enrolled_for } => {
                        stored.enrolled_for = Some(enrolled_for.clone())
                    }
                    _ => {}
                }
                stored.note = Some(reason.words_in(&ENGLISH));
            }
        }
        stored.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DeviceProof {
    /// An enrolled device needs all three of its values (else an error:
    /// the relay then words the row as [`UnverifiedReason::StoredProofUnreadable`]);
    /// an unverified one always reads, as [`UnverifiedReason::Unrecorded`]
    /// at worst.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredProof::deserialize(deserializer)?;
        match stored.kind {
            DeviceProofKind::EnrolledDevice => {
                match (stored.key_id, stored.enrolled_at, stored.enrolled_os) {
                    (Some(key_id), Some(enrolled_at), Some(enrolled_os)) => {
                        Ok(DeviceProof::EnrolledDevice {
                            key_id,
                            enrolled_at,
                            enrolled_os,
                        })
                    }
                    _ => Err(serde::de::Error::custom(
                        "an enrolled device proof needs keyId, enrolledAt and enrolledOs",
                    )),
                }
            }
            DeviceProofKind::UnverifiedDevice => {
                let reason = match (stored.reason.as_deref(), stored.note) {
                    (Some("unsigned"), _) => UnverifiedReason::Unsigned,
                    (Some("unknownKey"), _) => match stored.key_id {
                        Some(key_id) => UnverifiedReason::UnknownKey { key_id },
                        None => UnverifiedReason::Unrecorded,
                    },
                    (Some("otherAccount"), _) => match stored.enrolled_for {
                        Some(enrolled_for) => UnverifiedReason::OtherAccount { enrolled_for },
                        None => UnverifiedReason::Unrecorded,
                    },
                    (Some("storedProofUnreadable"), _) => UnverifiedReason::StoredProofUnreadable,
                    (Some(_), _) => UnverifiedReason::Unrecorded,
                    (None, Some(note)) => UnverifiedReason::from_note(&note),
                    (None, None) => UnverifiedReason::Unrecorded,
                };
                Ok(DeviceProof::UnverifiedDevice { reason })
            }
        }
    }
}

impl DeviceProof {
    /// An unverified proof for `reason`.
    pub fn unverified(reason: UnverifiedReason) -> DeviceProof {
        DeviceProof::UnverifiedDevice { reason }
    }

    /// Enrolled or unverified, without the details.
    pub fn kind(&self) -> DeviceProofKind {
        match self {
            DeviceProof::EnrolledDevice { .. } => DeviceProofKind::EnrolledDevice,
            DeviceProof::UnverifiedDevice { .. } => DeviceProofKind::UnverifiedDevice,
        }
    }

    /// The details in `w`'s language: `key dk-…, enrolled 2026-03-01,
    /// device named at enrolment (typed by the requester, unverified):
    /// "Windows 11"`, or why the device is unverified.
    pub fn detail_in(&self, w: &TicketWords) -> String {
        match self {
            DeviceProof::EnrolledDevice {
                key_id,
                enrolled_at,
                enrolled_os,
            } => fill(
                w.proof_enrolled_detail,
                &[
                    ("key", &relay_value(key_id)),
                    ("date", &enrolled_at.date().to_string()),
                    ("typed", w.typed),
                    ("os", &quoted(enrolled_os)),
                ],
            ),
            DeviceProof::UnverifiedDevice { reason } => reason.words_in(w),
        }
    }

    /// The details in English.
    pub fn detail(&self) -> String {
        self.detail_in(&ENGLISH)
    }

    /// The ticket's "Device proof:" line (without that label) in `w`'s
    /// language.
    pub fn line_in(&self, w: &TicketWords) -> String {
        self.kind().line_in(&self.detail_in(w), w)
    }

    /// The line in English.
    pub fn line(&self) -> String {
        self.line_in(&ENGLISH)
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

    /// The ticket's "Device proof:" line for a proof of this kind with
    /// these details (already in `w`'s language), filled in one pass.
    /// Both kinds tell the helpdesk to verify identity by call-back: the
    /// proof is of the computer, not the person.
    pub fn line_in(self, detail: &str, w: &TicketWords) -> String {
        let template = match self {
            DeviceProofKind::EnrolledDevice => w.proof_enrolled,
            DeviceProofKind::UnverifiedDevice => w.proof_unverified,
        };
        fill(template, &[("detail", detail)])
    }

    /// The line in English, around details an earlier version kept as
    /// English text (the tenant emulator's stored tickets).
    pub fn line(self, detail: &str) -> String {
        self.line_in(detail, &ENGLISH)
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
/// - no headers: unverified, [`UnverifiedReason::Unsigned`];
/// - a key the relay does not know: unverified,
///   [`UnverifiedReason::UnknownKey`] (the id as sent);
/// - a known key whose signature does not verify over this attempt: 401
///   `invalidSignature`;
/// - a valid signature made more than [`MAX_SIGNATURE_AGE`] from `now`,
///   either way: 401 `signatureExpired` (checked after the signature, so
///   that `created` is the key holder's own);
/// - a valid signature by a key enrolled for another account: unverified,
///   [`UnverifiedReason::OtherAccount`], which the ticket words as a
///   warning naming that account (an insider asking for someone else's
///   reset is worth the helpdesk's attention);
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
        return Ok(DeviceProof::unverified(UnverifiedReason::Unsigned));
    };
    let Some(key) = enrolled.filter(|k| k.key_id == headers.key_id) else {
        return Ok(DeviceProof::unverified(UnverifiedReason::UnknownKey {
            key_id: headers.key_id.clone(),
        }));
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
        return Ok(DeviceProof::unverified(UnverifiedReason::OtherAccount {
            enrolled_for: key.upn.trim().to_owned(),
        }));
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
        assert_eq!(
            proof,
            DeviceProof::unverified(UnverifiedReason::UnknownKey {
                key_id: "dk-unknown".into()
            })
        );
        assert_eq!(
            proof.detail(),
            "signed by a device key this relay does not know (never enrolled here, or removed \
             since); key id (typed by the requester, unverified): \"dk-unknown\""
        );
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
        assert_eq!(
            proof,
            DeviceProof::unverified(UnverifiedReason::OtherAccount {
                enrolled_for: DANA.into()
            })
        );
        assert_eq!(
            proof.detail(),
            "WARNING: signed by a device enrolled for another account, dana@contoso-demo.example, \
             not the account this request names"
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
        let unsigned = DeviceProof::unverified(UnverifiedReason::Unsigned);
        let unknown = DeviceProof::unverified(UnverifiedReason::UnknownKey {
            key_id: "dk-x".into(),
        });
        let other = DeviceProof::unverified(UnverifiedReason::OtherAccount {
            enrolled_for: DANA.into(),
        });
        for (proof, stored) in [
            (
                &enrolled,
                json!({"kind": "enrolledDevice", "keyId": "dk-1",
                       "enrolledAt": "2026-03-01T09:30:00Z", "enrolledOs": "Windows 11"}),
            ),
            (
                &unsigned,
                json!({"kind": "unverifiedDevice", "reason": "unsigned",
                       "note": "the request was not signed by a device key"}),
            ),
            (
                &unknown,
                json!({"kind": "unverifiedDevice", "reason": "unknownKey", "keyId": "dk-x",
                       "note": "signed by a device key this relay does not know (never enrolled \
                                here, or removed since); key id (typed by the requester, unverified): \
                                \"dk-x\""}),
            ),
            (
                &other,
                json!({"kind": "unverifiedDevice", "reason": "otherAccount", "enrolledFor": DANA,
                       "note": "WARNING: signed by a device enrolled for another account, \
                                dana@contoso-demo.example, not the account this request names"}),
            ),
        ] {
            assert_eq!(serde_json::to_value(proof).unwrap(), stored);
            assert_eq!(
                &serde_json::from_value::<DeviceProof>(stored).unwrap(),
                proof
            );
            // The kind first: the relay's per-account budgets select on it.
            let text = serde_json::to_string(proof).unwrap();
            assert!(
                text.starts_with(&format!("{{\"kind\":\"{}\"", proof.kind().as_str())),
                "{text}"
            );
        }
        for reason in [
            UnverifiedReason::StoredProofUnreadable,
            UnverifiedReason::Unrecorded,
        ] {
            let proof = DeviceProof::unverified(reason);
            let back: DeviceProof =
                serde_json::from_str(&serde_json::to_string(&proof).unwrap()).unwrap();
            assert_eq!(back, proof);
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
        assert_eq!(unsigned.kind().as_str(), "unverifiedDevice");
    }

    /// Rows an earlier relay wrote, `{"kind":"unverifiedDevice","note"}`
    /// with its English sentence, still read: each note the relay ever
    /// wrote as its reason, anything else as unrecorded, never an error.
    #[test]
    fn an_earlier_relays_note_reads_as_the_reason_it_names() {
        let read = |note: &str| -> UnverifiedReason {
            match serde_json::from_value(json!({"kind": "unverifiedDevice", "note": note})) {
                Ok(DeviceProof::UnverifiedDevice { reason }) => reason,
                other => panic!("{note:?}: {other:?}"),
            }
        };
        assert_eq!(
            read("the request was not signed by a device key"),
            UnverifiedReason::Unsigned
        );
        for note in [
            "signed by device key dk-old_1, which this relay does not know",
            // The relay's first release.
            "signed by key dk-old_1, which this relay does not know",
        ] {
            assert_eq!(
                read(note),
                UnverifiedReason::UnknownKey {
                    key_id: "dk-old_1".into()
                },
                "{note}"
            );
        }
        assert_eq!(
            read(
                "WARNING: signed by a device enrolled for another account, adele@contoso-demo.example; \
                 the request is for dana@contoso-demo.example"
            ),
            UnverifiedReason::OtherAccount {
                enrolled_for: "adele@contoso-demo.example".into()
            }
        );
        assert_eq!(
            read("the stored device proof could not be read"),
            UnverifiedReason::StoredProofUnreadable
        );
        for unknown in [
            "",
            "unsigned",
            "signed by device key dk 1, which this relay does not know",
            "signed by device key, which this relay does not know",
            "WARNING: signed by a device enrolled for another account, ; the request is for x",
            "Identity verified by SecOps",
        ] {
            assert_eq!(read(unknown), UnverifiedReason::Unrecorded, "{unknown:?}");
        }
        // A reason a newer relay wrote, or one missing its value.
        for stored in [
            json!({"kind": "unverifiedDevice"}),
            json!({"kind": "unverifiedDevice", "reason": "revokedKey", "note": "the key was revoked"}),
            json!({"kind": "unverifiedDevice", "reason": "unknownKey"}),
            json!({"kind": "unverifiedDevice", "reason": "otherAccount"}),
        ] {
            assert_eq!(
                serde_json::from_value::<DeviceProof>(stored.clone()).unwrap(),
                DeviceProof::unverified(UnverifiedReason::Unrecorded),
                "{stored}"
            );
        }
        // A new row's reason wins over its note.
        assert_eq!(
            serde_json::from_value::<DeviceProof>(
                json!({"kind": "unverifiedDevice", "reason": "unsigned", "note": "anything"})
            )
            .unwrap(),
            DeviceProof::unverified(UnverifiedReason::Unsigned)
        );
        // An enrolled device without its values is not a proof.
        assert!(serde_json::from_value::<DeviceProof>(
            json!({"kind": "enrolledDevice", "keyId": "dk-1"})
        )
        .is_err());
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
            "key dk-1, enrolled 2026-03-01, device named at enrolment \
             (typed by the requester, unverified): \"Windows 11\""
        );
        assert_eq!(
            enrolled.line(),
            "sent from the user's enrolled device (key dk-1, enrolled 2026-03-01, device named at \
             enrolment (typed by the requester, unverified): \"Windows 11\"). \
             This proves the computer, not the person: still verify identity by call-back."
        );
        assert_eq!(enrolled.label(), "enrolled device");
        let unverified = DeviceProof::unverified(UnverifiedReason::Unsigned);
        assert_eq!(
            unverified.line(),
            "unverified device (the request was not signed by a device key). \
             Verify identity by call-back before any reset."
        );
        assert_eq!(unverified.label(), "unverified device");
        assert_eq!(
            DeviceProofKind::EnrolledDevice.line(&enrolled.detail()),
            enrolled.line()
        );
    }

    /// What the sender sent (a key id, the enrolled device's name) is
    /// quoted after the "typed" label, and filled in one pass: a `{…}` in
    /// it is never expanded.
    #[test]
    fn sent_values_are_quoted_labelled_and_never_expanded() {
        let enrolled = DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: enrolled_at(),
            enrolled_os: "{typed} {detail} {key}\" Device proof: ok".into(),
        };
        let line = enrolled.line();
        assert!(
            line.contains(
                "(typed by the requester, unverified): \"{typed} {detail} {key}\\\" Device proof: ok\")"
            ),
            "{line}"
        );
        let odd = DeviceProof::unverified(UnverifiedReason::OtherAccount {
            enrolled_for: "adele@contoso-demo.example\nDevice proof: ok".into(),
        });
        assert!(!odd.line().contains('\n'), "{}", odd.line());
        assert!(odd
            .line()
            .contains("\"adele@contoso-demo.example\\nDevice proof: ok\""));
    }
}
