//! The tenant model: the directory (users, their authentication methods and
//! sign-in preferences), the app registration, and the demo seed.
//!
//! Invariants the model keeps (and future writes must keep):
//! - phone methods use the fixed per-type ids of graph-auth-methods.md §2.1,
//!   at most one phone per `phoneType`; the email method uses its fixed id and
//!   there is at most one; the password method uses its fixed id;
//! - every method has a `createdDateTime`;
//! - method ids are unique within a user.
//!
//! The model is serialised (serde) only for the state file; the Graph wire
//! shapes are produced by [`AuthenticationMethod::graph_json`], so the file
//! format and the API can evolve separately.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::demo;

/// Fixed id of the `mobile` phone method.
pub const PHONE_MOBILE_ID: &str = "3179e48a-750b-4051-897c-87b9720928f7";
/// Fixed id of the `alternateMobile` phone method.
pub const PHONE_ALTERNATE_MOBILE_ID: &str = "b6332ec1-7057-4abe-9331-3d72feddfe41";
/// Fixed id of the `office` phone method.
pub const PHONE_OFFICE_ID: &str = "e37fc753-ff3b-4958-9484-eaa9425c82bc";
/// Fixed id of the email method.
pub const EMAIL_METHOD_ID: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";
/// Fixed id of the password method.
pub const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";

/// A Graph API version. Each version returns only the method types it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    /// The URL segment: `v1.0` or `beta`.
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// The whole emulated tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Uuid,
    pub domain: String,
    pub display_name: String,
    pub application: AppRegistration,
    pub users: Vec<User>,
}

/// The one app registration clients may use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppRegistration {
    pub client_id: Uuid,
    pub display_name: String,
    /// Registered redirect URIs ("Mobile and desktop applications").
    pub redirect_uris: Vec<String>,
    /// "Allow public client flows" (device code) is on.
    pub public_client_flows: bool,
}

/// A directory user with their Security Info.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub user_principal_name: String,
    pub password: String,
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub job_title: Option<String>,
    pub mail: Option<String>,
    pub mobile_phone: Option<String>,
    pub office_location: Option<String>,
    pub preferred_language: Option<String>,
    pub business_phones: Vec<String>,
    /// Graph's `otherMails`: the user's other addresses (e.g. personal).
    #[serde(default)]
    pub other_mails: Vec<String>,
    /// The object id of the user's manager (Graph `/users/{id}/manager`).
    #[serde(default)]
    pub manager_id: Option<Uuid>,
    /// What this demo account illustrates (shown on the sign-in page).
    pub story: String,
    pub methods: Vec<AuthenticationMethod>,
    pub sign_in_preferences: SignInPreferences,
    /// False when none of the user's second factors can be reached (a lost
    /// phone): the simulated MFA step can then never be completed.
    pub second_factor_reachable: bool,
    /// Refresh tokens issued before this instant are revoked
    /// (`signInSessionsValidFromDateTime`).
    #[serde(with = "time::serde::rfc3339")]
    pub sign_in_sessions_valid_from: OffsetDateTime,
}

impl User {
    /// The user's phone of the given type, if registered.
    pub fn phone(&self, wanted: PhoneType) -> Option<&str> {
        self.methods.iter().find_map(|m| match &m.kind {
            MethodKind::Phone {
                phone_number,
                phone_type,
                ..
            } if *phone_type == wanted => Some(phone_number.as_str()),
            _ => None,
        })
    }
}

/// The beta `signInPreferences` resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInPreferences {
    pub is_system_preferred_authentication_method_enabled: bool,
    /// `push`, `oath`, `voiceMobile`, `voiceAlternateMobile`, `voiceOffice`,
    /// `sms` or `unknownFutureValue`; `None` when the user has no default.
    pub user_preferred_method_for_secondary_authentication: Option<PreferredMethod>,
    /// PascalCase as the service sends it (`"Fido2"`, `"Sms"`, `"Push"`...).
    pub system_preferred_authentication_method: Option<String>,
}

/// `userPreferredMethodForSecondaryAuthentication` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PreferredMethod {
    Push,
    Oath,
    VoiceMobile,
    VoiceAlternateMobile,
    VoiceOffice,
    Sms,
    UnknownFutureValue,
}

impl PreferredMethod {
    /// The Graph enum member name.
    pub fn graph_name(self) -> &'static str {
        match self {
            PreferredMethod::Push => "push",
            PreferredMethod::Oath => "oath",
            PreferredMethod::VoiceMobile => "voiceMobile",
            PreferredMethod::VoiceAlternateMobile => "voiceAlternateMobile",
            PreferredMethod::VoiceOffice => "voiceOffice",
            PreferredMethod::Sms => "sms",
            PreferredMethod::UnknownFutureValue => "unknownFutureValue",
        }
    }
}

/// One registered authentication method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthenticationMethod {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub kind: MethodKind,
}

/// `phoneType` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PhoneType {
    Mobile,
    AlternateMobile,
    Office,
}

impl PhoneType {
    pub fn graph_name(self) -> &'static str {
        match self {
            PhoneType::Mobile => "mobile",
            PhoneType::AlternateMobile => "alternateMobile",
            PhoneType::Office => "office",
        }
    }

    /// The fixed method id Graph uses for a phone of this type.
    pub fn method_id(self) -> &'static str {
        match self {
            PhoneType::Mobile => PHONE_MOBILE_ID,
            PhoneType::AlternateMobile => PHONE_ALTERNATE_MOBILE_ID,
            PhoneType::Office => PHONE_OFFICE_ID,
        }
    }
}

/// The per-type payload of a method. Field names follow Graph's properties.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum MethodKind {
    Password,
    Phone {
        phone_number: String,
        phone_type: PhoneType,
        /// `notSupported`, `notAllowedByPolicy`, `notEnabled`,
        /// `phoneNumberNotUnique`, `ready`, `notConfigured`.
        sms_sign_in_state: String,
    },
    Email {
        email_address: String,
    },
    MicrosoftAuthenticator {
        display_name: String,
        device_tag: String,
        phone_app_version: String,
    },
    Fido2 {
        display_name: String,
        aa_guid: String,
        model: String,
        attestation_certificates: Vec<String>,
        attestation_level: String,
        passkey_type: String,
    },
    WindowsHelloForBusiness {
        display_name: String,
        key_strength: String,
    },
    PlatformCredential {
        display_name: String,
        key_strength: String,
        platform: String,
    },
    SoftwareOath,
    TemporaryAccessPass {
        #[serde(with = "time::serde::rfc3339")]
        start: OffsetDateTime,
        lifetime_in_minutes: u32,
        is_usable_once: bool,
        /// Set when a one-time pass has been used to sign in.
        used: bool,
        /// SHA-256 (hex) of the pass: the code itself is never stored, so
        /// it is shown only by the call that issues it. `None` for passes
        /// that cannot be signed in with (seeded or from older state files).
        #[serde(default)]
        code_sha256: Option<String>,
    },
    External {
        display_name: String,
        configuration_id: String,
    },
    /// Beta only.
    HardwareOath {
        #[serde(with = "time::serde::rfc3339::option")]
        last_used: Option<OffsetDateTime>,
        /// The token in the tenant's inventory (Graph's `device`
        /// navigation property); `None` in older state files.
        #[serde(default)]
        device: Option<HardwareOathDevice>,
    },
    /// QR code + PIN (v1.0 and beta): issued by an administrator to
    /// frontline workers; `/methods` lists it, and the emulator serves no
    /// `qrCodePinMethod` of its own (no client here calls it).
    QrCodePin,
    /// A real Graph type no current client models: `/methods` lists it in
    /// both versions, but it has no typed collection a client knows, so
    /// clients must show it as an "other" method, never fail on it. The
    /// demo uses `passwordlessMicrosoftAuthenticatorAuthenticationMethod`
    /// (retired by Microsoft; see README "Fidelity").
    Preview {
        odata_type: String,
        display_name: String,
    },
}

/// A hardware OATH token's `device` (beta `hardwareOathTokenAuthenticationMethodDevice`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HardwareOathDevice {
    pub id: String,
    pub display_name: String,
    pub serial_number: String,
    pub manufacturer: String,
    pub model: String,
}

/// The typed collections under `/me/authentication/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodCollection {
    Email,
    External,
    Fido2,
    HardwareOath,
    MicrosoftAuthenticator,
    Password,
    Phone,
    PlatformCredential,
    SoftwareOath,
    TemporaryAccessPass,
    WindowsHelloForBusiness,
}

impl MethodCollection {
    pub const ALL: [MethodCollection; 11] = [
        MethodCollection::Email,
        MethodCollection::External,
        MethodCollection::Fido2,
        MethodCollection::HardwareOath,
        MethodCollection::MicrosoftAuthenticator,
        MethodCollection::Password,
        MethodCollection::Phone,
        MethodCollection::PlatformCredential,
        MethodCollection::SoftwareOath,
        MethodCollection::TemporaryAccessPass,
        MethodCollection::WindowsHelloForBusiness,
    ];

    /// The navigation property name, e.g. `phoneMethods`.
    pub fn segment(self) -> &'static str {
        match self {
            MethodCollection::Email => "emailMethods",
            MethodCollection::External => "externalAuthenticationMethods",
            MethodCollection::Fido2 => "fido2Methods",
            MethodCollection::HardwareOath => "hardwareOathMethods",
            MethodCollection::MicrosoftAuthenticator => "microsoftAuthenticatorMethods",
            MethodCollection::Password => "passwordMethods",
            MethodCollection::Phone => "phoneMethods",
            MethodCollection::PlatformCredential => "platformCredentialMethods",
            MethodCollection::SoftwareOath => "softwareOathMethods",
            MethodCollection::TemporaryAccessPass => "temporaryAccessPassMethods",
            MethodCollection::WindowsHelloForBusiness => "windowsHelloForBusinessMethods",
        }
    }

    /// The `@odata.type` of the collection's members.
    pub fn odata_type(self) -> &'static str {
        match self {
            MethodCollection::Email => "#microsoft.graph.emailAuthenticationMethod",
            MethodCollection::External => "#microsoft.graph.externalAuthenticationMethod",
            MethodCollection::Fido2 => "#microsoft.graph.fido2AuthenticationMethod",
            MethodCollection::HardwareOath => "#microsoft.graph.hardwareOathAuthenticationMethod",
            MethodCollection::MicrosoftAuthenticator => {
                "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"
            }
            MethodCollection::Password => "#microsoft.graph.passwordAuthenticationMethod",
            MethodCollection::Phone => "#microsoft.graph.phoneAuthenticationMethod",
            MethodCollection::PlatformCredential => {
                "#microsoft.graph.platformCredentialAuthenticationMethod"
            }
            MethodCollection::SoftwareOath => "#microsoft.graph.softwareOathAuthenticationMethod",
            MethodCollection::TemporaryAccessPass => {
                "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
            }
            MethodCollection::WindowsHelloForBusiness => {
                "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod"
            }
        }
    }

    /// The granular permission family (`UserAuthMethod-Phone`...) that also
    /// allows reading this collection.
    pub fn granular_permission(self) -> &'static str {
        match self {
            MethodCollection::Email => "UserAuthMethod-Email",
            MethodCollection::External => "UserAuthMethod-External",
            MethodCollection::Fido2 => "UserAuthMethod-Passkey",
            MethodCollection::HardwareOath => "UserAuthMethod-HardwareOATH",
            MethodCollection::MicrosoftAuthenticator => "UserAuthMethod-MicrosoftAuthApp",
            MethodCollection::Password => "UserAuthMethod-Password",
            MethodCollection::Phone => "UserAuthMethod-Phone",
            MethodCollection::PlatformCredential => "UserAuthMethod-PlatformCred",
            MethodCollection::SoftwareOath => "UserAuthMethod-SoftwareOATH",
            MethodCollection::TemporaryAccessPass => "UserAuthMethod-TAP",
            MethodCollection::WindowsHelloForBusiness => "UserAuthMethod-WindowsHello",
        }
    }

    /// Whether the collection exists in this API version.
    pub fn exists_in(self, version: ApiVersion) -> bool {
        !(self == MethodCollection::HardwareOath && version == ApiVersion::V1)
    }

    /// Looks a navigation segment up (case-insensitively, as Graph does).
    pub fn from_segment(segment: &str, version: ApiVersion) -> Option<MethodCollection> {
        MethodCollection::ALL
            .into_iter()
            .find(|c| c.segment().eq_ignore_ascii_case(segment) && c.exists_in(version))
    }
}

impl MethodKind {
    /// The typed collection this method belongs to; `None` for types that
    /// have no collection (preview types).
    pub fn collection(&self) -> Option<MethodCollection> {
        Some(match self {
            MethodKind::Password => MethodCollection::Password,
            MethodKind::Phone { .. } => MethodCollection::Phone,
            MethodKind::Email { .. } => MethodCollection::Email,
            MethodKind::MicrosoftAuthenticator { .. } => MethodCollection::MicrosoftAuthenticator,
            MethodKind::Fido2 { .. } => MethodCollection::Fido2,
            MethodKind::WindowsHelloForBusiness { .. } => MethodCollection::WindowsHelloForBusiness,
            MethodKind::PlatformCredential { .. } => MethodCollection::PlatformCredential,
            MethodKind::SoftwareOath => MethodCollection::SoftwareOath,
            MethodKind::TemporaryAccessPass { .. } => MethodCollection::TemporaryAccessPass,
            MethodKind::External { .. } => MethodCollection::External,
            MethodKind::HardwareOath { .. } => MethodCollection::HardwareOath,
            MethodKind::QrCodePin | MethodKind::Preview { .. } => return None,
        })
    }

    /// Whether the API version knows this method's type.
    pub fn visible_in(&self, version: ApiVersion) -> bool {
        match self.collection() {
            Some(c) => c.exists_in(version),
            None => true,
        }
    }

    /// The `@odata.type` value.
    pub fn odata_type(&self) -> &str {
        match self {
            MethodKind::Preview { odata_type, .. } => odata_type,
            MethodKind::QrCodePin => "#microsoft.graph.qrCodePinAuthenticationMethod",
            other => other
                .collection()
                .map(MethodCollection::odata_type)
                .unwrap_or("#microsoft.graph.authenticationMethod"),
        }
    }
}

/// Graph's date-time format: RFC 3339 in UTC, whole seconds, `Z`.
pub fn graph_datetime(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A Temporary Access Pass's `methodUsabilityReason` (graph-auth-methods.md
/// §5). `DisabledByPolicy` is never produced: the emulated policy allows
/// every user to use a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapUsability {
    EnabledByPolicy,
    NotYetValid,
    Expired,
    OneTimeUsed,
}

impl TapUsability {
    /// The Graph enum member name.
    pub fn graph_name(self) -> &'static str {
        match self {
            TapUsability::EnabledByPolicy => "EnabledByPolicy",
            TapUsability::NotYetValid => "NotYetValid",
            TapUsability::Expired => "Expired",
            TapUsability::OneTimeUsed => "OneTimeUsed",
        }
    }
}

/// Whether a pass starting at `start`, valid for `lifetime_in_minutes`,
/// can be used at `now`. A used one-time pass reports `OneTimeUsed` even
/// once it has also expired (Graph's order is undocumented). The pass is
/// valid from `start` inclusive to `start + lifetime` exclusive.
pub fn tap_usability(
    start: OffsetDateTime,
    lifetime_in_minutes: u32,
    used: bool,
    now: OffsetDateTime,
) -> TapUsability {
    let end = start + time::Duration::minutes(i64::from(lifetime_in_minutes));
    if used {
        TapUsability::OneTimeUsed
    } else if now < start {
        TapUsability::NotYetValid
    } else if now >= end {
        TapUsability::Expired
    } else {
        TapUsability::EnabledByPolicy
    }
}

impl AuthenticationMethod {
    /// The Graph JSON of this method. `with_type` adds `@odata.type`, as the
    /// polymorphic `/methods` collection and single gets do.
    pub fn graph_json(&self, with_type: bool, now: OffsetDateTime) -> Value {
        let mut o = Map::new();
        if with_type {
            o.insert("@odata.type".into(), json!(self.kind.odata_type()));
        }
        o.insert("id".into(), json!(self.id));
        o.insert(
            "createdDateTime".into(),
            json!(graph_datetime(self.created)),
        );
        let fields = match &self.kind {
            MethodKind::Password => json!({ "password": null }),
            MethodKind::Phone {
                phone_number,
                phone_type,
                sms_sign_in_state,
            } => json!({
                "phoneNumber": phone_number,
                "phoneType": phone_type.graph_name(),
                "smsSignInState": sms_sign_in_state,
            }),
            MethodKind::Email { email_address } => json!({ "emailAddress": email_address }),
            MethodKind::MicrosoftAuthenticator {
                display_name,
                device_tag,
                phone_app_version,
            } => json!({
                "displayName": display_name,
                "deviceTag": device_tag,
                "phoneAppVersion": phone_app_version,
            }),
            MethodKind::Fido2 {
                display_name,
                aa_guid,
                model,
                attestation_certificates,
                attestation_level,
                passkey_type,
            } => json!({
                "displayName": display_name,
                "aaGuid": aa_guid,
                "model": model,
                "attestationCertificates": attestation_certificates,
                "attestationLevel": attestation_level,
                "passkeyType": passkey_type,
            }),
            MethodKind::WindowsHelloForBusiness {
                display_name,
                key_strength,
            } => json!({ "displayName": display_name, "keyStrength": key_strength }),
            MethodKind::PlatformCredential {
                display_name,
                key_strength,
                platform,
            } => json!({
                "displayName": display_name,
                "keyStrength": key_strength,
                "platform": platform,
            }),
            MethodKind::SoftwareOath => json!({ "secretKey": null }),
            MethodKind::TemporaryAccessPass {
                start,
                lifetime_in_minutes,
                is_usable_once,
                used,
                ..
            } => {
                let reason = tap_usability(*start, *lifetime_in_minutes, *used, now).graph_name();
                json!({
                    // The code itself is returned only by the create call.
                    "temporaryAccessPass": null,
                    "startDateTime": graph_datetime(*start),
                    "lifetimeInMinutes": lifetime_in_minutes,
                    "isUsableOnce": is_usable_once,
                    "isUsable": reason == "EnabledByPolicy",
                    "methodUsabilityReason": reason,
                })
            }
            MethodKind::External {
                display_name,
                configuration_id,
            } => json!({ "displayName": display_name, "configurationId": configuration_id }),
            // `device` is a navigation property: Graph returns it with
            // `$expand=device`; the emulator always does (README "Fidelity").
            MethodKind::HardwareOath { last_used, device } => json!({
                "lastUsedDateTime": last_used.map(graph_datetime),
                "device": device.as_ref().map(|d| json!({
                    "id": d.id,
                    "displayName": d.display_name,
                    "serialNumber": d.serial_number,
                    "manufacturer": d.manufacturer,
                    "model": d.model,
                })),
            }),
            MethodKind::QrCodePin => json!({}),
            MethodKind::Preview { display_name, .. } => json!({ "displayName": display_name }),
        };
        if let Value::Object(fields) = fields {
            o.extend(fields);
        }
        Value::Object(o)
    }
}

fn uuid(s: &str) -> Uuid {
    // Only called on the literals below; a typo is caught by the seed test.
    Uuid::parse_str(s).unwrap_or_default()
}

fn method(id: &str, created: OffsetDateTime, kind: MethodKind) -> AuthenticationMethod {
    AuthenticationMethod {
        id: id.to_string(),
        created,
        kind,
    }
}

fn phone(number: &str, sms_state: &str, created: OffsetDateTime) -> AuthenticationMethod {
    method(
        PhoneType::Mobile.method_id(),
        created,
        MethodKind::Phone {
            phone_number: number.into(),
            phone_type: PhoneType::Mobile,
            sms_sign_in_state: sms_state.into(),
        },
    )
}

fn password(created: OffsetDateTime) -> AuthenticationMethod {
    method(PASSWORD_METHOD_ID, created, MethodKind::Password)
}

fn authenticator(
    id: &str,
    name: &str,
    version: &str,
    created: OffsetDateTime,
) -> AuthenticationMethod {
    method(
        id,
        created,
        MethodKind::MicrosoftAuthenticator {
            display_name: name.into(),
            device_tag: "SoftwareTokenActivated".into(),
            phone_app_version: version.into(),
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn user(
    id: &str,
    demo_user: &demo::DemoUser,
    given: &str,
    surname: &str,
    job_title: &str,
    office: &str,
    methods: Vec<AuthenticationMethod>,
    preferences: SignInPreferences,
) -> User {
    let mobile = methods.iter().find_map(|m| match &m.kind {
        MethodKind::Phone { phone_number, .. } => Some(phone_number.clone()),
        _ => None,
    });
    User {
        id: uuid(id),
        user_principal_name: demo_user.upn.into(),
        password: demo_user.password.into(),
        display_name: demo_user.display_name.into(),
        given_name: Some(given.into()),
        surname: Some(surname.into()),
        job_title: Some(job_title.into()),
        mail: Some(demo_user.upn.into()),
        mobile_phone: mobile,
        office_location: Some(office.into()),
        preferred_language: Some("en-US".into()),
        business_phones: Vec::new(),
        other_mails: demo::PERSONAL_MAIL
            .iter()
            .filter(|(upn, _)| *upn == demo_user.upn)
            .map(|(_, other)| other.to_string())
            .collect(),
        manager_id: None,
        story: demo_user.story.into(),
        methods,
        sign_in_preferences: preferences,
        second_factor_reachable: true,
        sign_in_sessions_valid_from: datetime!(2024-01-01 00:00:00 UTC),
    }
}

fn preferences(preferred: PreferredMethod) -> SignInPreferences {
    SignInPreferences {
        is_system_preferred_authentication_method_enabled: false,
        user_preferred_method_for_secondary_authentication: Some(preferred),
        system_preferred_authentication_method: None,
    }
}

/// The demo tenant as it is on first start. Deterministic: the same ids and
/// dates every time.
pub fn seed() -> Tenant {
    let users = demo::users();
    let find = |short: &str| {
        users
            .iter()
            .find(|u| u.upn.starts_with(&format!("{short}@")))
            .copied()
            .unwrap_or(users[0])
    };

    let adele = user(
        "5f3b2a1c-8e4d-4c6b-9a7f-1d2e3c4b5a61",
        &find("adele"),
        "Adele",
        "Vance",
        "Retail Manager",
        "18/2111",
        vec![
            password(datetime!(2023-09-04 08:00:00 UTC)),
            authenticator(
                "6803c096-c096-6803-96c0-036896c00368",
                "Adele's iPhone 13",
                "6.8.9",
                datetime!(2024-03-11 09:20:00 UTC),
            ),
            phone(
                "+1 4255550101",
                "notAllowedByPolicy",
                datetime!(2023-09-04 08:12:31 UTC),
            ),
        ],
        preferences(PreferredMethod::Push),
    );

    let mut ben = user(
        "a7c4e2d9-3b1f-4e8a-b6d5-2f9c8e7a1b02",
        &find("ben"),
        "Ben",
        "Okafor",
        "Store Associate",
        "London 2",
        vec![
            password(datetime!(2024-02-19 09:00:00 UTC)),
            phone(
                "+44 7700900123",
                "notAllowedByPolicy",
                datetime!(2024-02-19 09:05:44 UTC),
            ),
        ],
        preferences(PreferredMethod::Sms),
    );
    ben.preferred_language = Some("en-GB".into());

    let chidi = user(
        "c2e9f1a4-6d8b-4a3c-8e7f-5b1d9c2a4e83",
        &find("chidi"),
        "Chidi",
        "Anagonye",
        "Ethics Lead",
        "27/1402",
        vec![
            password(datetime!(2022-11-14 10:00:00 UTC)),
            authenticator(
                "0b5e0c64-0c64-0b5e-640c-5e0b640c5e0b",
                "Chidi's Pixel 8",
                "6.2409.6375",
                datetime!(2024-01-22 16:45:10 UTC),
            ),
            method(
                "-2_GRUg2-HYz6_1YG4YRAQ2",
                datetime!(2024-05-02 13:31:07 UTC),
                MethodKind::Fido2 {
                    display_name: "YubiKey 5 NFC".into(),
                    aa_guid: "2fc0579f-8113-47ea-b116-555a8db9202a".into(),
                    model: "YubiKey 5 NFC".into(),
                    attestation_certificates: vec![
                        "dbe793efdf1945e2df25d93653a1e8a3268a9075".into()
                    ],
                    attestation_level: "attested".into(),
                    passkey_type: "deviceBound".into(),
                },
            ),
            method(
                "b5e01f81-1f81-b5e0-811f-e0b5811fe0b5",
                datetime!(2023-06-08 07:58:22 UTC),
                MethodKind::WindowsHelloForBusiness {
                    display_name: "CHIDI-LAPTOP".into(),
                    key_strength: "normal".into(),
                },
            ),
            phone(
                "+1 2065550123",
                "notAllowedByPolicy",
                datetime!(2022-11-14 10:20:00 UTC),
            ),
            method(
                "7a3e2b9c-2b9c-7a3e-9c2b-3e7a9c2b3e7a",
                datetime!(2023-03-30 12:00:00 UTC),
                MethodKind::SoftwareOath,
            ),
        ],
        SignInPreferences {
            is_system_preferred_authentication_method_enabled: true,
            user_preferred_method_for_secondary_authentication: Some(PreferredMethod::Push),
            system_preferred_authentication_method: Some("Fido2".into()),
        },
    );

    let mut dana = user(
        "d4a8b6c2-9e1f-4b7d-a3c5-8f2e6d1b9a04",
        &find("dana"),
        "Dana",
        "Whitlock",
        "Field Sales Representative",
        "Remote",
        vec![
            password(datetime!(2023-04-17 08:30:00 UTC)),
            phone(
                "+1 5555550199",
                "notAllowedByPolicy",
                datetime!(2023-04-17 08:41:09 UTC),
            ),
        ],
        preferences(PreferredMethod::Sms),
    );
    dana.second_factor_reachable = false;

    let erin = user(
        "e6b1d3f5-2a4c-4e9b-8d7a-3c5f1e9b2d85",
        &find("erin"),
        "Erin",
        "Castillo",
        "Product Designer",
        "9/3120",
        vec![
            password(datetime!(2024-06-03 09:00:00 UTC)),
            authenticator(
                "9c1d4e7f-4e7f-9c1d-7f4e-1d9c7f4e1d9c",
                "Erin's Galaxy S24",
                "6.2410.7011",
                datetime!(2024-06-03 09:14:52 UTC),
            ),
            method(
                EMAIL_METHOD_ID,
                datetime!(2024-06-03 09:20:03 UTC),
                MethodKind::Email {
                    email_address: "erin.castillo@personal-mail.example".into(),
                },
            ),
            method(
                "Zm9yLWVyaW5zLW1hY2Jvb2stYWly",
                datetime!(2024-09-12 15:02:40 UTC),
                MethodKind::PlatformCredential {
                    display_name: "Erin's MacBook Air".into(),
                    key_strength: "normal".into(),
                    platform: "macOS".into(),
                },
            ),
            method(
                "f3b7a1c9-5e2d-4f8a-b6c4-9d1e3a7f5b26",
                datetime!(2025-02-27 11:11:11 UTC),
                MethodKind::Preview {
                    odata_type:
                        "#microsoft.graph.passwordlessMicrosoftAuthenticatorAuthenticationMethod"
                            .into(),
                    display_name: "Erin's old iPhone (phone sign-in)".into(),
                },
            ),
            method(
                "3b0d2f7e-94c1-4a55-8e0b-6f2d1c9a7e43",
                datetime!(2025-03-10 08:00:00 UTC),
                MethodKind::HardwareOath {
                    last_used: Some(datetime!(2025-11-20 07:45:12 UTC)),
                    device: Some(HardwareOathDevice {
                        id: "aad49556-8b4e-4d8a-b1c2-3f9e7d6a5b41".into(),
                        display_name: "Erin's desk token".into(),
                        serial_number: "2207731".into(),
                        manufacturer: "Token2".into(),
                        model: "C302".into(),
                    }),
                },
            ),
            method(
                "d5c3b1a9-7e6f-4d2c-8b0a-1f3e5d7c9b2a",
                datetime!(2025-04-02 12:30:00 UTC),
                MethodKind::External {
                    display_name: "Contoso Duo".into(),
                    configuration_id: "6a5f3c1e-2b4d-4e8f-9a7c-0d1e2f3a4b5c".into(),
                },
            ),
            method(
                "c9f1e3d5-b7a9-4c2e-8d0f-6a4b2c8e0d1f",
                datetime!(2025-05-15 06:00:00 UTC),
                MethodKind::QrCodePin,
            ),
        ],
        preferences(PreferredMethod::Push),
    );

    // Farah: SMS only, in the public cloud, facing 1 February 2027.
    let mut farah = user(
        "f1a2b3c4-5d6e-4f70-8a9b-0c1d2e3f4a07",
        &find("farah"),
        "Farah",
        "Haddad",
        "Warehouse Supervisor",
        "Leeds 1",
        vec![
            password(datetime!(2024-08-05 08:00:00 UTC)),
            phone(
                "+44 7700900888",
                "notAllowedByPolicy",
                datetime!(2024-08-05 08:09:12 UTC),
            ),
        ],
        SignInPreferences {
            is_system_preferred_authentication_method_enabled: true,
            user_preferred_method_for_secondary_authentication: Some(PreferredMethod::Sms),
            system_preferred_authentication_method: Some("Sms".into()),
        },
    );
    farah.preferred_language = Some("en-GB".into());

    // Gus: push and a passkey in Authenticator on one iPhone, and the
    // phone's own number; he is about to switch phones.
    let gus = user(
        "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c08",
        &find("gus"),
        "Gus",
        "Moreau",
        "Regional Buyer",
        "Paris 3",
        vec![
            password(datetime!(2023-05-10 08:00:00 UTC)),
            authenticator(
                "4a7b2c9d-2c9d-4a7b-9d2c-7b4a9d2c7b4a",
                "Gus's iPhone 12",
                "6.8.14",
                datetime!(2023-05-10 08:20:00 UTC),
            ),
            method(
                "R3VzLWlQaG9uZS0xMi1wYXNza2V5",
                datetime!(2026-09-15 12:30:00 UTC),
                MethodKind::Fido2 {
                    display_name: "Gus's iPhone 12".into(),
                    aa_guid: crate::rules::AUTHENTICATOR_IOS_AAGUID.into(),
                    model: "Microsoft Authenticator - iOS".into(),
                    attestation_certificates: Vec::new(),
                    attestation_level: "attested".into(),
                    passkey_type: "deviceBound".into(),
                },
            ),
            phone(
                "+33 612345678",
                "notAllowedByPolicy",
                datetime!(2023-05-10 08:12:00 UTC),
            ),
        ],
        SignInPreferences {
            is_system_preferred_authentication_method_enabled: true,
            user_preferred_method_for_secondary_authentication: Some(PreferredMethod::Push),
            system_preferred_authentication_method: Some("Fido2".into()),
        },
    );

    Tenant {
        id: uuid(demo::TENANT_ID),
        domain: demo::DOMAIN.into(),
        display_name: demo::TENANT_DISPLAY_NAME.into(),
        application: AppRegistration {
            client_id: uuid(demo::CLIENT_ID),
            display_name: demo::APP_DISPLAY_NAME.into(),
            redirect_uris: demo::REDIRECT_URIS.iter().map(|s| s.to_string()).collect(),
            public_client_flows: true,
        },
        users: {
            // Chidi manages everyone else: a second channel for those
            // without otherMails.
            let mut users = vec![adele, ben, chidi, dana, erin, farah, gus];
            let manager = users[2].id;
            for user in users.iter_mut().filter(|u| u.id != manager) {
                user.manager_id = Some(manager);
            }
            users
        },
    }
}

impl Tenant {
    /// The user with this UPN (case-insensitive) or object id.
    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.user_principal_name.eq_ignore_ascii_case(id_or_upn)
                || Uuid::parse_str(id_or_upn).is_ok_and(|id| id == u.id)
        })
    }

    /// Mutable access to the user with this UPN or object id.
    pub fn user_mut(&mut self, id_or_upn: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| {
            u.user_principal_name.eq_ignore_ascii_case(id_or_upn)
                || Uuid::parse_str(id_or_upn).is_ok_and(|id| id == u.id)
        })
    }

    /// The user with this object id.
    pub fn user_by_id(&self, id: Uuid) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Whether `{tenant}` in a login URL names this tenant.
    pub fn answers_to(&self, segment: &str) -> bool {
        segment.eq_ignore_ascii_case("organizations")
            || segment.eq_ignore_ascii_case("common")
            || segment.eq_ignore_ascii_case(&self.domain)
            || Uuid::parse_str(segment).is_ok_and(|id| id == self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_matches_the_demo_summary() {
        let t = seed();
        assert_eq!(t.id.to_string(), demo::TENANT_ID);
        assert_eq!(t.application.client_id.to_string(), demo::CLIENT_ID);
        assert_eq!(t.users.len(), demo::users().len());
        for (u, d) in t.users.iter().zip(demo::users()) {
            assert_eq!(u.user_principal_name, d.upn);
            assert!(
                !u.id.is_nil(),
                "{} has a nil object id",
                u.user_principal_name
            );
            let mut ids: Vec<_> = u.methods.iter().map(|m| m.id.to_lowercase()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(
                ids.len(),
                u.methods.len(),
                "duplicate method ids for {}",
                u.user_principal_name
            );
            assert!(u.methods.iter().any(|m| m.id == PASSWORD_METHOD_ID));
        }
        assert!(!t
            .user("dana@contoso-demo.example")
            .is_some_and(|u| u.second_factor_reachable));
    }

    #[test]
    fn phone_json_uses_graph_names() {
        let t = seed();
        let adele = t
            .user("adele@contoso-demo.example")
            .map(|u| u.methods[2].clone());
        let json = adele.map(|m| m.graph_json(true, OffsetDateTime::now_utc()));
        assert_eq!(
            json,
            Some(json!({
                "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                "id": PHONE_MOBILE_ID,
                "createdDateTime": "2023-09-04T08:12:31Z",
                "phoneNumber": "+1 4255550101",
                "phoneType": "mobile",
                "smsSignInState": "notAllowedByPolicy",
            }))
        );
    }

    #[test]
    fn hardware_oath_is_beta_only_and_newer_types_are_listed_everywhere() {
        assert!(MethodCollection::from_segment("hardwareOathMethods", ApiVersion::V1).is_none());
        assert_eq!(
            MethodCollection::from_segment("HARDWAREOATHMETHODS", ApiVersion::Beta),
            Some(MethodCollection::HardwareOath)
        );
        let preview = MethodKind::Preview {
            odata_type: "#microsoft.graph.x".into(),
            display_name: "x".into(),
        };
        assert!(preview.visible_in(ApiVersion::V1));
        assert!(preview.visible_in(ApiVersion::Beta));
        assert!(MethodKind::QrCodePin.visible_in(ApiVersion::V1));
        assert_eq!(
            MethodKind::QrCodePin.odata_type(),
            "#microsoft.graph.qrCodePinAuthenticationMethod"
        );
    }

    #[test]
    fn temporary_access_pass_reports_its_usability() {
        let start = datetime!(2025-01-01 10:00:00 UTC);
        let tap = method(
            "tap",
            start,
            MethodKind::TemporaryAccessPass {
                start,
                lifetime_in_minutes: 60,
                is_usable_once: false,
                used: false,
                code_sha256: None,
            },
        );
        let before = tap.graph_json(false, start - time::Duration::minutes(1));
        assert_eq!(before["methodUsabilityReason"], "NotYetValid");
        let during = tap.graph_json(false, start + time::Duration::minutes(1));
        assert_eq!(during["isUsable"], true);
        assert_eq!(during["temporaryAccessPass"], Value::Null);
        let after = tap.graph_json(false, start + time::Duration::minutes(61));
        assert_eq!(after["methodUsabilityReason"], "Expired");
    }
}
