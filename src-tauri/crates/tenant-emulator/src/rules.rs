//! The rules for changing a user's Security Info (graph-auth-methods.md §3,
//! §4, §6), shared by the Graph write routes and the Security Info page so
//! that both refuse the same things with the same words.
//!
//! Invariants kept on every change (on top of those in `tenant`):
//! - phones use the fixed per-type ids, at most one per `phoneType`, and an
//!   `alternateMobile` exists only while a `mobile` does;
//! - at most one email method, with its fixed id;
//! - the password method is never removed;
//! - the user's default method (see [`default_registration`]) is removed
//!   only when no other default-capable method remains, and then the
//!   preference is cleared;
//! - a user without a default who registers a default-capable method gets
//!   it as their default.
//!
//! Where Microsoft's documentation is silent the choices are listed in the
//! crate README ("Fidelity").

use axum::http::StatusCode;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenant::{
    AuthenticationMethod, MethodCollection, MethodKind, PhoneType, PreferredMethod, User,
    EMAIL_METHOD_ID,
};

/// The documented message for deleting the default method (§4).
pub(crate) const DEFAULT_DELETE_MESSAGE: &str =
    "Cannot delete default method with other methods configured. Please change default method before deletion.";

/// Security Info (combined registration) allows at most this many
/// Microsoft Authenticator registrations (§10).
pub(crate) const MAX_AUTHENTICATORS: usize = 5;

/// A refused change: the HTTP status and Graph error code it maps to, and a
/// message that says precisely what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl RuleError {
    /// 400 `invalidRequest`: the request itself is malformed (format,
    /// missing or unknown values).
    pub(crate) fn invalid(message: impl Into<String>) -> RuleError {
        RuleError {
            status: StatusCode::BAD_REQUEST,
            code: "invalidRequest",
            message: message.into(),
        }
    }

    /// 400 `badRequest`: well-formed, but the user's current methods do not
    /// allow it (the code Graph documents for the default-method rule).
    pub(crate) fn conflict(message: impl Into<String>) -> RuleError {
        RuleError {
            status: StatusCode::BAD_REQUEST,
            code: "badRequest",
            message: message.into(),
        }
    }

    /// 404 `itemNotFound`.
    pub(crate) fn not_found(collection: MethodCollection, id: &str) -> RuleError {
        RuleError {
            status: StatusCode::NOT_FOUND,
            code: "itemNotFound",
            message: format!(
                "The user has no method with id '{id}' in {}.",
                collection.segment()
            ),
        }
    }
}

/// Whether a number has the documented form `+{country code} {number}`
/// with an optional `x{extension}` (inferred regex
/// `^\+\d{1,4} \d{4,}(x\d+)?$`).
pub(crate) fn valid_phone_number(number: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some(rest) = number.strip_prefix('+') else {
        return false;
    };
    let Some((country, rest)) = rest.split_once(' ') else {
        return false;
    };
    let (subscriber, extension) = match rest.split_once('x') {
        Some((subscriber, extension)) => (subscriber, Some(extension)),
        None => (rest, None),
    };
    digits(country)
        && country.len() <= 4
        && digits(subscriber)
        && subscriber.len() >= 4
        && extension.is_none_or(digits)
}

fn check_phone_number(number: &str) -> Result<(), RuleError> {
    if valid_phone_number(number) {
        Ok(())
    } else {
        Err(RuleError::invalid(format!(
            "The phone number '{number}' is not valid: use '+{{country code}} {{number}}' with an optional \
             'x{{extension}}', with a space after the country code, e.g. '+1 5555551234' or '+1 5555551234x123'."
        )))
    }
}

/// A minimal address check: one `@` with text on both sides, no spaces.
fn check_email(address: &str) -> Result<(), RuleError> {
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !address.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(RuleError::invalid(format!(
            "The email address '{address}' is not valid: expected an address such as 'kim@contoso.com'."
        )))
    }
}

/// Parses a `phoneType` value (exact Graph spelling).
pub(crate) fn parse_phone_type(text: &str) -> Result<PhoneType, RuleError> {
    match text {
        "mobile" => Ok(PhoneType::Mobile),
        "alternateMobile" => Ok(PhoneType::AlternateMobile),
        "office" => Ok(PhoneType::Office),
        other => Err(RuleError::invalid(format!(
            "'{other}' is not a valid phoneType: use 'mobile', 'alternateMobile' or 'office'."
        ))),
    }
}

/// Parses a `userPreferredMethodForSecondaryAuthentication` value that a
/// user may choose (`unknownFutureValue` is refused).
pub(crate) fn parse_preferred(text: &str) -> Result<PreferredMethod, RuleError> {
    match text {
        "push" => Ok(PreferredMethod::Push),
        "oath" => Ok(PreferredMethod::Oath),
        "voiceMobile" => Ok(PreferredMethod::VoiceMobile),
        "voiceAlternateMobile" => Ok(PreferredMethod::VoiceAlternateMobile),
        "voiceOffice" => Ok(PreferredMethod::VoiceOffice),
        "sms" => Ok(PreferredMethod::Sms),
        other => Err(RuleError::invalid(format!(
            "'{other}' is not a valid userPreferredMethodForSecondaryAuthentication: use push, oath, \
             voiceMobile, voiceAlternateMobile, voiceOffice or sms."
        ))),
    }
}

/// Words for a default value, for messages and the page.
pub(crate) fn preferred_label(method: PreferredMethod) -> &'static str {
    match method {
        PreferredMethod::Push => "Microsoft Authenticator - notification",
        PreferredMethod::Oath => "Authenticator app or hardware token - code",
        PreferredMethod::VoiceMobile => "Phone - call",
        PreferredMethod::VoiceAlternateMobile => "Alternate phone - call",
        PreferredMethod::VoiceOffice => "Office phone - call",
        PreferredMethod::Sms => "Phone - text",
        PreferredMethod::UnknownFutureValue => "unknown",
    }
}

/// The most recently created method matching `wanted` (the later one in
/// the list on equal times).
fn most_recent(user: &User, wanted: impl Fn(&MethodKind) -> bool) -> Option<&AuthenticationMethod> {
    user.methods
        .iter()
        .filter(|m| wanted(&m.kind))
        .max_by_key(|m| m.created)
}

fn is_authenticator(kind: &MethodKind) -> bool {
    matches!(kind, MethodKind::MicrosoftAuthenticator { .. })
}

fn is_phone(kind: &MethodKind, wanted: PhoneType) -> bool {
    matches!(kind, MethodKind::Phone { phone_type, .. } if *phone_type == wanted)
}

/// The registration a default value stands for:
/// push -> the newest Authenticator; oath -> the newest software OATH
/// method, else the newest Authenticator; sms and voiceMobile -> the mobile
/// phone; voiceAlternateMobile -> the alternate; voiceOffice -> the office
/// phone.
pub(crate) fn registration_for(
    user: &User,
    method: PreferredMethod,
) -> Option<&AuthenticationMethod> {
    match method {
        PreferredMethod::Push => most_recent(user, is_authenticator),
        PreferredMethod::Oath => most_recent(user, |k| matches!(k, MethodKind::SoftwareOath))
            .or_else(|| most_recent(user, is_authenticator)),
        PreferredMethod::Sms | PreferredMethod::VoiceMobile => {
            most_recent(user, |k| is_phone(k, PhoneType::Mobile))
        }
        PreferredMethod::VoiceAlternateMobile => {
            most_recent(user, |k| is_phone(k, PhoneType::AlternateMobile))
        }
        PreferredMethod::VoiceOffice => most_recent(user, |k| is_phone(k, PhoneType::Office)),
        PreferredMethod::UnknownFutureValue => None,
    }
}

/// The registration that "is the default" for the delete rule, if any.
pub(crate) fn default_registration(user: &User) -> Option<&AuthenticationMethod> {
    let preferred = user
        .sign_in_preferences
        .user_preferred_method_for_secondary_authentication?;
    registration_for(user, preferred)
}

/// The default value a method would become when it is the user's first
/// default-capable method; `None` for methods that cannot be a default
/// (password, email, passkeys, Windows Hello, platform credentials, TAP...).
pub(crate) fn default_for(kind: &MethodKind) -> Option<PreferredMethod> {
    match kind {
        MethodKind::MicrosoftAuthenticator { .. } => Some(PreferredMethod::Push),
        MethodKind::SoftwareOath => Some(PreferredMethod::Oath),
        MethodKind::Phone { phone_type, .. } => Some(match phone_type {
            PhoneType::Mobile => PreferredMethod::Sms,
            PhoneType::AlternateMobile => PreferredMethod::VoiceAlternateMobile,
            PhoneType::Office => PreferredMethod::VoiceOffice,
        }),
        _ => None,
    }
}

/// Adds a method and applies the "first default-capable method becomes the
/// default" rule; returns the new method's id. A newly registered
/// default-capable method is on a device the user has in hand, so a user
/// whose second factor was unreachable (a lost phone) can complete MFA
/// again.
fn add(user: &mut User, method: AuthenticationMethod) -> String {
    let had_default = default_registration(user).is_some();
    let id = method.id.clone();
    let becomes_default = default_for(&method.kind);
    if becomes_default.is_some() {
        user.second_factor_reachable = true;
    }
    user.methods.push(method);
    if !had_default {
        if let Some(preferred) = becomes_default {
            user.sign_in_preferences
                .user_preferred_method_for_secondary_authentication = Some(preferred);
        }
    }
    id
}

fn phone_index(user: &User, id: &str) -> Result<usize, RuleError> {
    user.methods
        .iter()
        .position(|m| matches!(m.kind, MethodKind::Phone { .. }) && m.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| RuleError::not_found(MethodCollection::Phone, id))
}

/// Adds a phone (Graph `POST phoneMethods`, the page's "Phone").
pub(crate) fn add_phone(
    user: &mut User,
    number: &str,
    phone_type: PhoneType,
    now: OffsetDateTime,
) -> Result<String, RuleError> {
    check_phone_number(number)?;
    if user.phone(phone_type).is_some() {
        return Err(RuleError::conflict(format!(
            "The user already has a phone of type '{}' (id {}); a user has at most one phone per type. \
             Update that phone's number or delete it first.",
            phone_type.graph_name(),
            phone_type.method_id()
        )));
    }
    if phone_type == PhoneType::AlternateMobile && user.phone(PhoneType::Mobile).is_none() {
        return Err(RuleError::conflict(
            "An alternateMobile phone requires a mobile phone: add the mobile phone first.",
        ));
    }
    // SMS sign-in is allowed by the emulated policy, so a new mobile is
    // registered for it ("ready"); other types only take calls.
    let sms_sign_in_state = match phone_type {
        PhoneType::Mobile => "ready",
        PhoneType::AlternateMobile | PhoneType::Office => "notSupported",
    };
    Ok(add(
        user,
        AuthenticationMethod {
            id: phone_type.method_id().to_string(),
            created: now,
            kind: MethodKind::Phone {
                phone_number: number.to_string(),
                phone_type,
                sms_sign_in_state: sms_sign_in_state.into(),
            },
        },
    ))
}

/// Changes a phone's number (Graph `PATCH phoneMethods/{id}`). A phone's
/// type never changes: `new_type`, when given, must be the current type.
pub(crate) fn update_phone(
    user: &mut User,
    id: &str,
    number: &str,
    new_type: Option<PhoneType>,
) -> Result<(), RuleError> {
    let index = phone_index(user, id)?;
    let MethodKind::Phone {
        phone_type,
        phone_number,
        ..
    } = &mut user.methods[index].kind
    else {
        return Err(RuleError::not_found(MethodCollection::Phone, id));
    };
    if let Some(new_type) = new_type {
        if new_type != *phone_type {
            return Err(RuleError::conflict(format!(
                "A phone's phoneType cannot be changed (this one is '{}'): add a phone of type '{}', then delete this one.",
                phone_type.graph_name(),
                new_type.graph_name()
            )));
        }
    }
    check_phone_number(number)?;
    *phone_number = number.to_string();
    Ok(())
}

/// Adds the email method (Graph `POST emailMethods`).
pub(crate) fn add_email(
    user: &mut User,
    address: &str,
    now: OffsetDateTime,
) -> Result<String, RuleError> {
    check_email(address)?;
    if user
        .methods
        .iter()
        .any(|m| matches!(m.kind, MethodKind::Email { .. }))
    {
        return Err(RuleError::conflict(format!(
            "The user already has an email method (id {EMAIL_METHOD_ID}); a user has at most one. \
             Update its emailAddress or delete it first."
        )));
    }
    Ok(add(
        user,
        AuthenticationMethod {
            id: EMAIL_METHOD_ID.to_string(),
            created: now,
            kind: MethodKind::Email {
                email_address: address.to_string(),
            },
        },
    ))
}

/// Changes the email address (Graph `PATCH emailMethods/{id}`).
pub(crate) fn update_email(user: &mut User, id: &str, address: &str) -> Result<(), RuleError> {
    let method = user
        .methods
        .iter_mut()
        .find(|m| matches!(m.kind, MethodKind::Email { .. }) && m.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| RuleError::not_found(MethodCollection::Email, id))?;
    check_email(address)?;
    if let MethodKind::Email { email_address } = &mut method.kind {
        *email_address = address.to_string();
    }
    Ok(())
}

/// Turns SMS sign-in on or off for the mobile phone (Graph
/// `enableSmsSignIn` / `disableSmsSignIn`).
pub(crate) fn set_sms_sign_in(user: &mut User, id: &str, enable: bool) -> Result<(), RuleError> {
    let index = phone_index(user, id)?;
    let MethodKind::Phone {
        phone_type,
        sms_sign_in_state,
        ..
    } = &mut user.methods[index].kind
    else {
        return Err(RuleError::not_found(MethodCollection::Phone, id));
    };
    if *phone_type != PhoneType::Mobile {
        return Err(RuleError::conflict(format!(
            "SMS sign-in is available only for the mobile phone ({}); this phone is of type '{}'.",
            PhoneType::Mobile.method_id(),
            phone_type.graph_name()
        )));
    }
    *sms_sign_in_state = if enable { "ready" } else { "notEnabled" }.into();
    Ok(())
}

/// Deletes a method (Graph `DELETE {collection}/{id}`, the page's Delete).
pub(crate) fn delete(
    user: &mut User,
    collection: MethodCollection,
    id: &str,
) -> Result<(), RuleError> {
    let index = user
        .methods
        .iter()
        .position(|m| m.kind.collection() == Some(collection) && m.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| RuleError::not_found(collection, id))?;
    if collection == MethodCollection::Password {
        return Err(RuleError::conflict(
            "The password method cannot be deleted; a password can only be changed or reset.",
        ));
    }
    let target_id = user.methods[index].id.clone();
    if collection == MethodCollection::Phone
        && target_id == PhoneType::Mobile.method_id()
        && user.phone(PhoneType::AlternateMobile).is_some()
    {
        return Err(RuleError::conflict(
            "The mobile phone cannot be deleted while an alternateMobile phone exists: update the mobile \
             number instead, or delete the alternateMobile phone first.",
        ));
    }
    let is_default = default_registration(user).is_some_and(|m| m.id == target_id);
    if is_default {
        let others = user
            .methods
            .iter()
            .any(|m| m.id != target_id && default_for(&m.kind).is_some());
        if others {
            return Err(RuleError::conflict(DEFAULT_DELETE_MESSAGE));
        }
    }
    user.methods.remove(index);
    if is_default {
        // The last default-capable method is gone: the user has no default.
        user.sign_in_preferences
            .user_preferred_method_for_secondary_authentication = None;
    }
    Ok(())
}

/// Changes the default method (beta `PATCH signInPreferences`, the page's
/// "Change default").
pub(crate) fn set_default(user: &mut User, method: PreferredMethod) -> Result<(), RuleError> {
    if method == PreferredMethod::UnknownFutureValue {
        return Err(RuleError::invalid(
            "'unknownFutureValue' cannot be set as the default method.",
        ));
    }
    if registration_for(user, method).is_none() {
        let needs = match method {
            PreferredMethod::Push => "a Microsoft Authenticator registration",
            PreferredMethod::Oath => {
                "an authenticator app (software OATH) or Microsoft Authenticator"
            }
            PreferredMethod::Sms | PreferredMethod::VoiceMobile => "a mobile phone",
            PreferredMethod::VoiceAlternateMobile => "an alternateMobile phone",
            PreferredMethod::VoiceOffice => "an office phone",
            PreferredMethod::UnknownFutureValue => "a known method",
        };
        return Err(RuleError::conflict(format!(
            "'{}' cannot be the default method: it needs {needs}, and the user has none.",
            method.graph_name()
        )));
    }
    user.sign_in_preferences
        .user_preferred_method_for_secondary_authentication = Some(method);
    Ok(())
}

/// Registers Microsoft Authenticator on a (simulated) phone.
pub(crate) fn add_authenticator(
    user: &mut User,
    device_name: &str,
    now: OffsetDateTime,
) -> Result<String, RuleError> {
    let name = device_name.trim();
    if name.is_empty() {
        return Err(RuleError::invalid("Enter the phone's name."));
    }
    let count = user
        .methods
        .iter()
        .filter(|m| is_authenticator(&m.kind))
        .count();
    if count >= MAX_AUTHENTICATORS {
        return Err(RuleError::conflict(format!(
            "You can register at most {MAX_AUTHENTICATORS} Microsoft Authenticator apps; delete one first."
        )));
    }
    Ok(add(
        user,
        AuthenticationMethod {
            id: Uuid::new_v4().to_string(),
            created: now,
            kind: MethodKind::MicrosoftAuthenticator {
                display_name: name.to_string(),
                device_tag: "SoftwareTokenActivated".into(),
                phone_app_version: "6.2505.3278".into(),
            },
        },
    ))
}

/// Registers an authenticator app (TOTP) whose code was verified.
pub(crate) fn add_software_oath(user: &mut User, now: OffsetDateTime) -> Result<String, RuleError> {
    let count = user
        .methods
        .iter()
        .filter(|m| matches!(m.kind, MethodKind::SoftwareOath))
        .count();
    if count >= MAX_AUTHENTICATORS {
        return Err(RuleError::conflict(format!(
            "You can register at most {MAX_AUTHENTICATORS} authenticator apps; delete one first."
        )));
    }
    Ok(add(
        user,
        AuthenticationMethod {
            id: Uuid::new_v4().to_string(),
            created: now,
            kind: MethodKind::SoftwareOath,
        },
    ))
}

/// The AAGUID the emulated security key reports.
pub(crate) const DEMO_KEY_AAGUID: &str = "d1e2a3f4-0000-4e75-8d65-6d6f2d6b6579";

/// Registers a (simulated) FIDO2 security key.
pub(crate) fn add_security_key(
    user: &mut User,
    name: &str,
    now: OffsetDateTime,
) -> Result<String, RuleError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(RuleError::invalid("Enter a name for the security key."));
    }
    // FIDO2 ids are opaque base64url strings in Graph.
    let id = crate::identity::grants::random_secret(16);
    Ok(add(
        user,
        AuthenticationMethod {
            id,
            created: now,
            kind: MethodKind::Fido2 {
                display_name: name.to_string(),
                aa_guid: DEMO_KEY_AAGUID.into(),
                model: "Demo security key".into(),
                attestation_certificates: Vec::new(),
                attestation_level: "attested".into(),
                passkey_type: "deviceBound".into(),
            },
        },
    ))
}

/// Microsoft Authenticator's passkey `aaGuid`s (how-to-enable-authenticator-passkey.md).
pub const AUTHENTICATOR_IOS_AAGUID: &str = "90a3ccdf-635c-4729-a248-9b709135078f";
pub const AUTHENTICATOR_ANDROID_AAGUID: &str = "de1e552d-db1d-4423-a619-566b625cdc84";

/// A passkey created in Microsoft Authenticator on a phone (`ios` or
/// `android`): a device-bound FIDO2 method with Authenticator's `aaGuid`.
/// Microsoft does not document the `displayName` Graph shows for it; the
/// emulator names it after the phone (README, "Fidelity").
pub(crate) fn add_authenticator_passkey(
    user: &mut User,
    platform: &str,
    device: &str,
    now: OffsetDateTime,
) -> Result<String, RuleError> {
    let device = device.trim();
    if device.is_empty() {
        return Err(RuleError::invalid("Enter the name of the phone."));
    }
    let (aa_guid, model) = match platform {
        "ios" => (AUTHENTICATOR_IOS_AAGUID, "Microsoft Authenticator - iOS"),
        "android" => (
            AUTHENTICATOR_ANDROID_AAGUID,
            "Microsoft Authenticator - Android",
        ),
        other => {
            return Err(RuleError::invalid(format!(
                "'{other}' is not a phone platform: choose ios or android."
            )))
        }
    };
    let id = crate::identity::grants::random_secret(16);
    Ok(add(
        user,
        AuthenticationMethod {
            id,
            created: now,
            kind: MethodKind::Fido2 {
                display_name: device.to_string(),
                aa_guid: aa_guid.into(),
                model: model.into(),
                attestation_certificates: Vec::new(),
                attestation_level: "attested".into(),
                passkey_type: "deviceBound".into(),
            },
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{seed, PHONE_ALTERNATE_MOBILE_ID, PHONE_MOBILE_ID};

    fn user(upn: &str) -> User {
        seed()
            .user(upn)
            .cloned()
            .unwrap_or_else(|| seed().users[0].clone())
    }

    #[test]
    fn a_passkey_in_authenticator_carries_the_platforms_aaguid() {
        let mut gus = user("gus@contoso-demo.example");
        let now = OffsetDateTime::now_utc();
        let before = gus.methods.len();
        let id = add_authenticator_passkey(&mut gus, "android", " Pixel 9 ", now).unwrap();
        assert_eq!(gus.methods.len(), before + 1);
        let added = gus.methods.iter().find(|m| m.id == id).unwrap();
        let json = added.graph_json(true, now);
        assert_eq!(
            json["@odata.type"],
            "#microsoft.graph.fido2AuthenticationMethod"
        );
        assert_eq!(json["aaGuid"], AUTHENTICATOR_ANDROID_AAGUID);
        assert_eq!(json["displayName"], "Pixel 9");
        assert_eq!(json["passkeyType"], "deviceBound");
        assert!(add_authenticator_passkey(&mut gus, "windows", "PC", now).is_err());
        assert!(add_authenticator_passkey(&mut gus, "ios", "  ", now).is_err());
        assert_eq!(gus.methods.len(), before + 1, "refusals add nothing");
        // The seeded passkey is on Gus's iPhone.
        let seeded = gus
            .methods
            .iter()
            .find(|m| m.id == "R3VzLWlQaG9uZS0xMi1wYXNza2V5")
            .unwrap()
            .graph_json(true, now);
        assert_eq!(seeded["aaGuid"], AUTHENTICATOR_IOS_AAGUID);
    }

    #[test]
    fn phone_numbers_follow_the_documented_format() {
        for good in ["+1 5555551234", "+1 5555551234x123", "+4420 1234"] {
            assert!(valid_phone_number(good), "{good}");
        }
        for bad in [
            "+15555551234",
            "1 5555551234",
            "+1 555",
            "+12345 5555551234",
            "+1 5555551234x",
            "+1 555-555-1234",
            "+1  5555551234",
        ] {
            assert!(!valid_phone_number(bad), "{bad}");
        }
    }

    #[test]
    fn the_default_cannot_go_while_others_remain() {
        let now = OffsetDateTime::now_utc();
        let mut adele = user("adele@contoso-demo.example");
        let authenticator = default_registration(&adele).map(|m| m.id.clone());
        assert_eq!(
            authenticator.as_deref(),
            Some("6803c096-c096-6803-96c0-036896c00368")
        );
        let err = delete(
            &mut adele,
            MethodCollection::MicrosoftAuthenticator,
            "6803c096-c096-6803-96c0-036896c00368",
        );
        assert_eq!(
            err.err().map(|e| e.message),
            Some(DEFAULT_DELETE_MESSAGE.into())
        );
        // Deleting the phone first, then the (now last) default, is allowed.
        assert!(delete(&mut adele, MethodCollection::Phone, PHONE_MOBILE_ID).is_ok());
        assert!(delete(
            &mut adele,
            MethodCollection::MicrosoftAuthenticator,
            "6803c096-c096-6803-96c0-036896c00368"
        )
        .is_ok());
        assert_eq!(
            adele
                .sign_in_preferences
                .user_preferred_method_for_secondary_authentication,
            None
        );
        // The next default-capable method becomes the default.
        assert!(add_phone(&mut adele, "+1 4255550102", PhoneType::Mobile, now).is_ok());
        assert_eq!(
            adele
                .sign_in_preferences
                .user_preferred_method_for_secondary_authentication,
            Some(PreferredMethod::Sms)
        );
    }

    #[test]
    fn phone_rules_hold() {
        let now = OffsetDateTime::now_utc();
        let mut erin = user("erin@contoso-demo.example");
        let alternate = add_phone(&mut erin, "+1 4255550103", PhoneType::AlternateMobile, now);
        assert_eq!(alternate.err().map(|e| e.code), Some("badRequest"));
        assert!(add_phone(&mut erin, "+1 4255550104", PhoneType::Mobile, now).is_ok());
        assert!(add_phone(&mut erin, "+1 4255550103", PhoneType::AlternateMobile, now).is_ok());
        let second = add_phone(&mut erin, "+1 4255550105", PhoneType::Mobile, now);
        assert_eq!(second.err().map(|e| e.code), Some("badRequest"));
        let mobile = delete(&mut erin, MethodCollection::Phone, PHONE_MOBILE_ID);
        assert!(mobile.is_err_and(|e| e.message.contains("alternateMobile")));
        let retype = update_phone(
            &mut erin,
            PHONE_ALTERNATE_MOBILE_ID,
            "+1 4255550106",
            Some(PhoneType::Office),
        );
        assert!(retype.is_err_and(|e| e.message.contains("cannot be changed")));
        let sms = set_sms_sign_in(&mut erin, PHONE_ALTERNATE_MOBILE_ID, true);
        assert_eq!(sms.err().map(|e| e.code), Some("badRequest"));
        assert!(set_sms_sign_in(&mut erin, PHONE_MOBILE_ID, false).is_ok());
    }

    #[test]
    fn oath_falls_back_to_the_newest_authenticator() {
        let now = OffsetDateTime::now_utc();
        let mut adele = user("adele@contoso-demo.example");
        assert!(set_default(&mut adele, PreferredMethod::Oath).is_ok());
        let second = add_authenticator(&mut adele, "Adele's iPad", now);
        let newest = second.ok();
        assert_eq!(default_registration(&adele).map(|m| m.id.clone()), newest);
        assert!(set_default(&mut adele, PreferredMethod::VoiceOffice)
            .is_err_and(|e| e.message.contains("office phone")));
    }
}
