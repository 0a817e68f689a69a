//! The Security Info model: the methods registered on an account, which one
//! is the default, and how safe the account is from losing one device.
//!
//! Parsing is forgiving where Microsoft may grow (an unknown `@odata.type`
//! becomes [`MethodKind::Other`], never an error) and strict where a wrong
//! value would mislead (a method without an id is refused).

use serde_json::Value;
use time::OffsetDateTime;

/// The product's recommended number of independent methods.
pub const RECOMMENDED_MINIMUM: u32 = 3;

/// The `aaGuid`s of Microsoft Authenticator's passkeys
/// (microsoft-2026.md; entra-docs how-to-enable-authenticator-passkey.md).
/// Such a passkey is device-bound: it lives in Authenticator on one phone and
/// does not travel with a restored backup.
pub const AUTHENTICATOR_AAGUIDS: [(&str, AuthenticatorPlatform); 2] = [
    (
        "90a3ccdf-635c-4729-a248-9b709135078f",
        AuthenticatorPlatform::Ios,
    ),
    (
        "de1e552d-db1d-4423-a619-566b625cdc84",
        AuthenticatorPlatform::Android,
    ),
];

/// The phone platform of a passkey in Microsoft Authenticator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthenticatorPlatform {
    Ios,
    Android,
}

impl AuthenticatorPlatform {
    pub fn name(self) -> &'static str {
        match self {
            AuthenticatorPlatform::Ios => "ios",
            AuthenticatorPlatform::Android => "android",
        }
    }
}

/// A method id as Graph gives it. Only ids that are safe inside a URL path
/// segment are accepted (letters, digits, `-`, `_`, `.`), so an id can never
/// change which resource a later request addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MethodId(String);

impl MethodId {
    pub fn parse(s: &str) -> Result<MethodId, String> {
        if s.is_empty() || s.len() > 200 {
            return Err(format!(
                "a method id must be 1 to 200 characters; got {} characters",
                s.len()
            ));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(format!(
                "a method id may contain only letters, digits, '-', '_' and '.'; found {c:?}"
            ));
        }
        if s == "." || s == ".." {
            return Err("a method id cannot be '.' or '..'".into());
        }
        Ok(MethodId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stand-in id for the `index`-th method Graph listed with an id the
    /// app cannot read, so the method is still shown. It starts with `#`,
    /// which [`MethodId::parse`] refuses, so it never equals an id Graph
    /// gives and [`GraphClient`](crate::graph::GraphClient) never puts it in a URL.
    pub fn unreadable(index: usize) -> MethodId {
        MethodId(format!("#unreadable-{index}"))
    }

    /// False for [`MethodId::unreadable`] stand-ins: an id Graph gave.
    pub fn is_from_graph(&self) -> bool {
        !self.0.starts_with('#')
    }
}

/// A phone method's type; a type never changes (add the new one, then delete the old).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneType {
    Mobile,
    AlternateMobile,
    Office,
}

impl PhoneType {
    pub fn as_graph(&self) -> &'static str {
        match self {
            PhoneType::Mobile => "mobile",
            PhoneType::AlternateMobile => "alternateMobile",
            PhoneType::Office => "office",
        }
    }

    /// Graph's fixed id for the phone of this type (graph-auth-methods.md §2.1).
    pub const fn method_id(&self) -> &'static str {
        match self {
            PhoneType::Mobile => "3179e48a-750b-4051-897c-87b9720928f7",
            PhoneType::AlternateMobile => "b6332ec1-7057-4abe-9331-3d72feddfe41",
            PhoneType::Office => "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        }
    }

    pub fn from_graph(s: &str) -> Option<PhoneType> {
        match s {
            "mobile" => Some(PhoneType::Mobile),
            "alternateMobile" => Some(PhoneType::AlternateMobile),
            "office" => Some(PhoneType::Office),
            _ => None,
        }
    }
}

/// What kind of method, with the fields that matter to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodKind {
    Password,
    MicrosoftAuthenticator {
        device_name: String,
    },
    Phone {
        number: String,
        phone_type: PhoneType,
    },
    Email {
        address: String,
    },
    Fido2 {
        display_name: String,
        model: Option<String>,
        /// The authenticator's model id (`aaGuid`), lower-case; names a
        /// passkey in Microsoft Authenticator ([`MethodKind::authenticator_passkey`]).
        aa_guid: Option<String>,
    },
    WindowsHelloForBusiness {
        device_name: String,
    },
    PlatformCredential {
        device_name: String,
    },
    SoftwareOath,
    /// A hardware OATH token (beta only). What Graph says of the token
    /// itself comes from its `device` (asked for with `$expand=device`):
    /// empty or `None` when Graph gives none.
    HardwareOath {
        device_name: String,
        serial_number: Option<String>,
        manufacturer: Option<String>,
        model: Option<String>,
    },
    /// `ends` is when the pass stops working (`startDateTime` plus
    /// `lifetimeInMinutes`), so a user signed in with it can be told how
    /// long they have; `None` when Graph gives neither or an impossible
    /// lifetime. Tokens from a pass sign-in end with the pass.
    TemporaryAccessPass {
        usable: bool,
        ends: Option<OffsetDateTime>,
    },
    External {
        display_name: String,
    },
    QrCodePin,
    /// A type this version does not know: kept and shown, never a crash.
    Other {
        odata_type: String,
        display_name: Option<String>,
    },
}

impl MethodKind {
    /// The human name of this registration: device name, phone number, key
    /// model or address.
    pub fn human_name(&self) -> Option<&str> {
        let name: Option<&str> = match self {
            MethodKind::MicrosoftAuthenticator { device_name }
            | MethodKind::WindowsHelloForBusiness { device_name }
            | MethodKind::PlatformCredential { device_name } => Some(device_name),
            MethodKind::Phone { number, .. } => Some(number),
            MethodKind::Email { address } => Some(address),
            MethodKind::Fido2 {
                display_name,
                model,
                ..
            } => {
                if display_name.is_empty() {
                    model.as_deref()
                } else {
                    Some(display_name.as_str())
                }
            }
            MethodKind::External { display_name } => Some(display_name),
            MethodKind::Other { display_name, .. } => display_name.as_deref(),
            MethodKind::HardwareOath { device_name, .. } => Some(device_name),
            _ => None,
        };
        name.filter(|s| !s.is_empty())
    }

    /// For a hardware token: "Yubico YubiKey 5 · serial 2207731", what the
    /// token's label says, so the user can tell which token it is. `None`
    /// for other kinds or when Graph said nothing about the token.
    pub fn token_details(&self) -> Option<TokenDetails> {
        match self {
            MethodKind::HardwareOath {
                serial_number,
                manufacturer,
                model,
                ..
            } if serial_number.is_some() || manufacturer.is_some() || model.is_some() => {
                Some(TokenDetails {
                    serial_number: serial_number.clone(),
                    manufacturer: manufacturer.clone(),
                    model: model.clone(),
                })
            }
            _ => None,
        }
    }

    /// The Graph collection a registration of this kind can be deleted from
    /// (`/me/authentication/{collection}/{id}`), or `None` when the app cannot
    /// remove it (the password; kinds without a documented self-service delete).
    pub fn deletable_collection(&self) -> Option<&'static str> {
        match self {
            MethodKind::MicrosoftAuthenticator { .. } => Some("microsoftAuthenticatorMethods"),
            MethodKind::Phone { .. } => Some("phoneMethods"),
            MethodKind::Email { .. } => Some("emailMethods"),
            MethodKind::Fido2 { .. } => Some("fido2Methods"),
            MethodKind::WindowsHelloForBusiness { .. } => Some("windowsHelloForBusinessMethods"),
            MethodKind::PlatformCredential { .. } => Some("platformCredentialMethods"),
            MethodKind::SoftwareOath => Some("softwareOathMethods"),
            MethodKind::TemporaryAccessPass { .. } => Some("temporaryAccessPassMethods"),
            MethodKind::Password
            | MethodKind::HardwareOath { .. }
            | MethodKind::External { .. }
            | MethodKind::QrCodePin
            | MethodKind::Other { .. } => None,
        }
    }

    /// For a passkey in Microsoft Authenticator (a FIDO2 method whose
    /// `aaGuid` is one of Authenticator's), the phone platform it lives on.
    pub fn authenticator_passkey(&self) -> Option<AuthenticatorPlatform> {
        match self {
            MethodKind::Fido2 {
                aa_guid: Some(g), ..
            } => AUTHENTICATOR_AAGUIDS
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(g))
                .map(|(_, platform)| *platform),
            _ => None,
        }
    }

    /// Microsoft's phishing-resistant methods (graph-auth-methods.md §10).
    pub fn is_phishing_resistant(&self) -> bool {
        matches!(
            self,
            MethodKind::Fido2 { .. }
                | MethodKind::WindowsHelloForBusiness { .. }
                | MethodKind::PlatformCredential { .. }
        )
    }

    /// Whether this method can answer an MFA prompt on its own. The password
    /// is the first factor, email serves only password reset, a Temporary
    /// Access Pass is a stop-gap; an unknown type is not counted.
    pub fn counts_for_mfa(&self) -> bool {
        !matches!(
            self,
            MethodKind::Password
                | MethodKind::Email { .. }
                | MethodKind::TemporaryAccessPass { .. }
                | MethodKind::Other { .. }
        )
    }
}

/// What a hardware token's `device` says of it, for telling tokens apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDetails {
    pub serial_number: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
}

/// One registered method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthMethod {
    pub id: MethodId,
    pub created: Option<OffsetDateTime>,
    pub kind: MethodKind,
}

impl AuthMethod {
    /// Parses one item of `GET /me/authentication/methods`.
    pub fn from_graph(item: &Value) -> Result<AuthMethod, String> {
        let str_field = |name: &str| {
            item.get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let opt_field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| "a method without an id".to_owned())
            .and_then(MethodId::parse)?;
        let odata_type = item
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = match odata_type.trim_start_matches("#microsoft.graph.") {
            "passwordAuthenticationMethod" => MethodKind::Password,
            "microsoftAuthenticatorAuthenticationMethod" => MethodKind::MicrosoftAuthenticator {
                device_name: str_field("displayName"),
            },
            "phoneAuthenticationMethod" => {
                // The type comes from `phoneType`, else from the phone's
                // fixed id (one id per type). A phone whose type is neither
                // is kept and shown by its number, like a type the app does
                // not know, never dropped.
                let phone_type = item
                    .get("phoneType")
                    .and_then(Value::as_str)
                    .and_then(PhoneType::from_graph)
                    .or_else(|| {
                        [
                            PhoneType::Mobile,
                            PhoneType::AlternateMobile,
                            PhoneType::Office,
                        ]
                        .into_iter()
                        .find(|t| t.method_id().eq_ignore_ascii_case(id.as_str()))
                    });
                match phone_type {
                    Some(phone_type) => MethodKind::Phone {
                        number: str_field("phoneNumber"),
                        phone_type,
                    },
                    None => MethodKind::Other {
                        odata_type: odata_type.to_owned(),
                        display_name: opt_field("phoneNumber"),
                    },
                }
            }
            "emailAuthenticationMethod" => MethodKind::Email {
                address: str_field("emailAddress"),
            },
            "fido2AuthenticationMethod" => MethodKind::Fido2 {
                display_name: str_field("displayName"),
                model: opt_field("model"),
                aa_guid: opt_field("aaGuid").map(|g| g.trim().to_ascii_lowercase()),
            },
            "windowsHelloForBusinessAuthenticationMethod" => MethodKind::WindowsHelloForBusiness {
                device_name: str_field("displayName"),
            },
            "platformCredentialAuthenticationMethod" => MethodKind::PlatformCredential {
                device_name: str_field("displayName"),
            },
            "softwareOathAuthenticationMethod" => MethodKind::SoftwareOath,
            "hardwareOathAuthenticationMethod" => {
                let device = item.get("device");
                let device_field = |name: &str| {
                    device
                        .and_then(|d| d.get(name))
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                MethodKind::HardwareOath {
                    device_name: device_field("displayName").unwrap_or_default(),
                    serial_number: device_field("serialNumber"),
                    manufacturer: device_field("manufacturer"),
                    model: device_field("model"),
                }
            }
            "temporaryAccessPassAuthenticationMethod" => MethodKind::TemporaryAccessPass {
                usable: item
                    .get("isUsable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                ends: pass_end(item),
            },
            "externalAuthenticationMethod" => MethodKind::External {
                display_name: str_field("displayName"),
            },
            "qrCodePinAuthenticationMethod" => MethodKind::QrCodePin,
            _ => MethodKind::Other {
                odata_type: odata_type.to_owned(),
                display_name: opt_field("displayName"),
            },
        };
        // The 2020 FIDO2 sample spells it `creationDateTime`; accept both.
        let created = opt_field("createdDateTime")
            .or_else(|| opt_field("creationDateTime"))
            .and_then(|s| graph_date_time(&s));
        Ok(AuthMethod { id, created, kind })
    }
}

/// When a Temporary Access Pass stops working: its start plus its lifetime,
/// which Microsoft bounds to 10 minutes .. 30 days (a lifetime outside that
/// is not believed).
fn pass_end(item: &Value) -> Option<OffsetDateTime> {
    let start = graph_date_time(item.get("startDateTime")?.as_str()?)?;
    let minutes = item.get("lifetimeInMinutes")?.as_i64()?;
    if !(10..=30 * 24 * 60).contains(&minutes) {
        return None;
    }
    start.checked_add(time::Duration::minutes(minutes))
}

/// A Graph `DateTimeOffset`. Graph writes them in UTC with a `Z`, but some
/// samples and older payloads carry none (`2021-10-04T09:56:43`, as in the
/// error envelope's `date`); a time without a zone is read as UTC, never as
/// local time. `None` when it is not a date and time at all.
pub fn graph_date_time(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    use time::PrimitiveDateTime;
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        PrimitiveDateTime::parse(text, &Iso8601::PARSING)
            .ok()
            .map(PrimitiveDateTime::assume_utc)
    })
}

/// The user's choice of default second factor (beta `signInPreferences`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondaryMethod {
    Push,
    Oath,
    VoiceMobile,
    VoiceAlternateMobile,
    VoiceOffice,
    Sms,
    Unknown(String),
}

impl SecondaryMethod {
    pub fn from_graph(s: &str) -> SecondaryMethod {
        match s {
            "push" => SecondaryMethod::Push,
            "oath" => SecondaryMethod::Oath,
            "voiceMobile" => SecondaryMethod::VoiceMobile,
            "voiceAlternateMobile" => SecondaryMethod::VoiceAlternateMobile,
            "voiceOffice" => SecondaryMethod::VoiceOffice,
            "sms" => SecondaryMethod::Sms,
            other => SecondaryMethod::Unknown(other.to_owned()),
        }
    }

    pub fn as_graph(&self) -> String {
        match self {
            SecondaryMethod::Push => "push".into(),
            SecondaryMethod::Oath => "oath".into(),
            SecondaryMethod::VoiceMobile => "voiceMobile".into(),
            SecondaryMethod::VoiceAlternateMobile => "voiceAlternateMobile".into(),
            SecondaryMethod::VoiceOffice => "voiceOffice".into(),
            SecondaryMethod::Sms => "sms".into(),
            SecondaryMethod::Unknown(s) => s.clone(),
        }
    }
}

/// `signInPreferences` as far as the app uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPreferences {
    pub user_preferred: Option<SecondaryMethod>,
    pub system_preferred_enabled: bool,
    pub system_preferred: Option<String>,
}

impl SignInPreferences {
    pub fn from_graph(v: &Value) -> SignInPreferences {
        SignInPreferences {
            user_preferred: v
                .get("userPreferredMethodForSecondaryAuthentication")
                .and_then(Value::as_str)
                .map(SecondaryMethod::from_graph),
            system_preferred_enabled: v
                .get("isSystemPreferredAuthenticationMethodEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            system_preferred: v
                .get("systemPreferredAuthenticationMethod")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub display_name: String,
    pub upn: String,
}

/// Everything on the Security Info screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityInfo {
    pub account: Account,
    pub methods: Vec<AuthMethod>,
    /// `None` when the tenant did not say (beta API absent or failing).
    pub preferences: Option<SignInPreferences>,
}

impl SecurityInfo {
    /// The method behind the user's default second factor, if it can be told.
    /// Several registrations can serve one choice (two Authenticator phones);
    /// then, as the tenant does, the most recently registered one is the
    /// default (a registration with no date counts as oldest; ties go to
    /// Graph's order).
    pub fn default_method(&self) -> Option<&MethodId> {
        let preferred = self.preferences.as_ref()?.user_preferred.as_ref()?;
        let newest = |f: &dyn Fn(&MethodKind) -> bool| -> Option<&AuthMethod> {
            let mut best: Option<&AuthMethod> = None;
            for m in self.methods.iter().filter(|m| f(&m.kind)) {
                if best.is_none_or(|b| m.created > b.created) {
                    best = Some(m);
                }
            }
            best
        };
        let phone = |t: PhoneType| {
            newest(&|k| matches!(k, MethodKind::Phone { phone_type, .. } if *phone_type == t))
        };
        let authenticator = || newest(&|k| matches!(k, MethodKind::MicrosoftAuthenticator { .. }));
        let found = match preferred {
            SecondaryMethod::Push => authenticator(),
            SecondaryMethod::Oath => newest(&|k| {
                matches!(
                    k,
                    MethodKind::SoftwareOath | MethodKind::HardwareOath { .. }
                )
            })
            .or_else(authenticator),
            SecondaryMethod::Sms | SecondaryMethod::VoiceMobile => phone(PhoneType::Mobile),
            SecondaryMethod::VoiceAlternateMobile => phone(PhoneType::AlternateMobile),
            SecondaryMethod::VoiceOffice => phone(PhoneType::Office),
            SecondaryMethod::Unknown(_) => None,
        };
        found.map(|m| &m.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn method(v: Value) -> AuthMethod {
        AuthMethod::from_graph(&v).unwrap()
    }

    #[test]
    fn dates_without_a_time_zone_are_utc() {
        use time::macros::datetime;
        assert_eq!(
            graph_date_time("2020-11-27T23:12:49Z"),
            Some(datetime!(2020-11-27 23:12:49 UTC))
        );
        assert_eq!(
            graph_date_time("2020-11-27T23:12:49"),
            Some(datetime!(2020-11-27 23:12:49 UTC))
        );
        assert_eq!(
            graph_date_time("2020-11-27T23:12:49.1234567"),
            Some(datetime!(2020-11-27 23:12:49.1234567 UTC))
        );
        assert_eq!(
            graph_date_time("2020-11-27T23:12:49+02:00"),
            Some(datetime!(2020-11-27 21:12:49 UTC))
        );
        for bad in ["", "yesterday", "2020-13-01T00:00:00"] {
            assert_eq!(graph_date_time(bad), None, "{bad:?}");
        }
        let m = AuthMethod::from_graph(&json!({
            "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
            "id": "b5e01f81-1f81-b5e0-811f-e0b5811fe0b5",
            "displayName": "Laptop",
            "createdDateTime": "2020-11-27T23:12:49"
        }))
        .unwrap();
        assert_eq!(m.created, Some(datetime!(2020-11-27 23:12:49 UTC)));
    }

    #[test]
    fn parses_every_documented_type() {
        let cases = [
            (
                json!({"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"28c10230-6103-485e-b985-444c60001490","password":null}),
                MethodKind::Password,
            ),
            (
                json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"3179e48a-750b-4051-897c-87b9720928f7","phoneNumber":"+1 2065555555","phoneType":"mobile","smsSignInState":"ready"}),
                MethodKind::Phone {
                    number: "+1 2065555555".into(),
                    phone_type: PhoneType::Mobile,
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.emailAuthenticationMethod","id":"3ddfcfc8-9383-446f-83cc-3ab9be4be18f","emailAddress":"kim@contoso.com"}),
                MethodKind::Email {
                    address: "kim@contoso.com".into(),
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"-2_GRUg2-HYz6_1YG4YRAQ2","displayName":"Red key","model":"NFC key"}),
                MethodKind::Fido2 {
                    display_name: "Red key".into(),
                    model: Some("NFC key".into()),
                    aa_guid: None,
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.windowsHelloForBusinessAuthenticationMethod","id":"b5e01f81-1f81-b5e0-811f-e0b5811fe0b5","displayName":"Jordan's Surface Book","keyStrength":"normal"}),
                MethodKind::WindowsHelloForBusiness {
                    device_name: "Jordan's Surface Book".into(),
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod","id":"6803c096-c096-6803-96c0-036896c00368","displayName":"Sandeep's iPhone"}),
                MethodKind::MicrosoftAuthenticator {
                    device_name: "Sandeep's iPhone".into(),
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.platformCredentialAuthenticationMethod","id":"p1","displayName":"Mac","platform":"macOS"}),
                MethodKind::PlatformCredential {
                    device_name: "Mac".into(),
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"s1","secretKey":null}),
                MethodKind::SoftwareOath,
            ),
            (
                json!({"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id":"h1"}),
                MethodKind::HardwareOath {
                    device_name: String::new(),
                    serial_number: None,
                    manufacturer: None,
                    model: None,
                },
            ),
            (
                // With `$expand=device` (beta): the token's own label.
                json!({"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id":"h2",
                       "device":{"id":"aad49556-####","displayName":"Desk token","serialNumber":"2207731","manufacturer":"Yubico","model":"YubiKey 5 NFC"}}),
                MethodKind::HardwareOath {
                    device_name: "Desk token".into(),
                    serial_number: Some("2207731".into()),
                    manufacturer: Some("Yubico".into()),
                    model: Some("YubiKey 5 NFC".into()),
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.temporaryAccessPassAuthenticationMethod","id":"t1","isUsable":true}),
                MethodKind::TemporaryAccessPass {
                    usable: true,
                    ends: None,
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.temporaryAccessPassAuthenticationMethod","id":"t2","isUsable":false,
                       "startDateTime":"2026-12-05T10:00:00Z","lifetimeInMinutes":60}),
                MethodKind::TemporaryAccessPass {
                    usable: false,
                    ends: Some(time::macros::datetime!(2026-12-05 11:00 UTC)),
                },
            ),
            (
                // Outside Microsoft's 10 minutes .. 30 days: not believed.
                json!({"@odata.type":"#microsoft.graph.temporaryAccessPassAuthenticationMethod","id":"t3","isUsable":true,
                       "startDateTime":"2026-12-05T10:00:00Z","lifetimeInMinutes":99999999}),
                MethodKind::TemporaryAccessPass {
                    usable: true,
                    ends: None,
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.externalAuthenticationMethod","id":"e1","displayName":"Duo"}),
                MethodKind::External {
                    display_name: "Duo".into(),
                },
            ),
            (
                json!({"@odata.type":"#microsoft.graph.qrCodePinAuthenticationMethod","id":"q1"}),
                MethodKind::QrCodePin,
            ),
        ];
        for (v, want) in cases {
            assert_eq!(method(v.clone()).kind, want, "{v}");
        }
    }

    #[test]
    fn unknown_types_are_kept_as_other() {
        let m = method(
            json!({"@odata.type":"#microsoft.graph.futureBiometricAuthenticationMethod","id":"f-1","displayName":"Palm"}),
        );
        assert_eq!(
            m.kind,
            MethodKind::Other {
                odata_type: "#microsoft.graph.futureBiometricAuthenticationMethod".into(),
                display_name: Some("Palm".into())
            }
        );
        assert!(!m.kind.counts_for_mfa());
        assert_eq!(m.kind.human_name(), Some("Palm"));
    }

    #[test]
    fn created_date_and_its_misspelling() {
        let m = method(
            json!({"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"k","creationDateTime":"2020-12-03T23:16:12Z"}),
        );
        assert_eq!(m.created.unwrap().year(), 2020);
        let m = method(
            json!({"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"k","createdDateTime":"not a date"}),
        );
        assert_eq!(m.created, None);
    }

    #[test]
    fn refuses_methods_without_a_safe_id() {
        assert!(AuthMethod::from_graph(
            &json!({"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod"})
        )
        .is_err());
        let e = AuthMethod::from_graph(&json!({"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"../../users/x"})).unwrap_err();
        assert!(e.contains("'/'"), "{e}");
        assert!(MethodId::parse("..").is_err());
        assert!(MethodId::parse("").is_err());
        assert!(MethodId::parse("-2_GRUg2-HYz6_1YG4YRAQ2").is_ok());
    }

    #[test]
    fn a_phone_with_an_unreadable_type_is_kept() {
        // The fixed id names the type when `phoneType` is missing or new.
        let m = AuthMethod::from_graph(&json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"b6332ec1-7057-4abe-9331-3d72feddfe41","phoneNumber":"+1 2065555556","phoneType":"satellite"})).unwrap();
        assert_eq!(
            m.kind,
            MethodKind::Phone {
                number: "+1 2065555556".into(),
                phone_type: PhoneType::AlternateMobile
            }
        );
        // Neither: shown by its number, as a method the app does not model,
        // neither counted for MFA nor offered for removal.
        let m = AuthMethod::from_graph(&json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"p","phoneNumber":"+1 2065555557","phoneType":"satellite"})).unwrap();
        assert_eq!(m.id.as_str(), "p");
        assert_eq!(
            m.kind,
            MethodKind::Other {
                odata_type: "#microsoft.graph.phoneAuthenticationMethod".into(),
                display_name: Some("+1 2065555557".into())
            }
        );
        assert!(!m.kind.counts_for_mfa());
        assert_eq!(m.kind.deletable_collection(), None);
    }

    #[test]
    fn a_method_with_an_unreadable_date_is_kept_with_no_date() {
        let m = AuthMethod::from_graph(&json!({"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"s","createdDateTime":"last Tuesday"})).unwrap();
        assert_eq!(m.kind, MethodKind::SoftwareOath);
        assert_eq!(m.created, None);
    }

    fn info(methods: Vec<Value>, preferred: Option<&str>) -> SecurityInfo {
        SecurityInfo {
            account: Account {
                display_name: "A".into(),
                upn: "a@x.example".into(),
            },
            methods: methods.into_iter().map(method).collect(),
            preferences: preferred.map(|p| SignInPreferences {
                user_preferred: Some(SecondaryMethod::from_graph(p)),
                system_preferred_enabled: false,
                system_preferred: None,
            }),
        }
    }

    fn phone(id: &str, t: &str, n: &str) -> Value {
        json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":id,"phoneNumber":n,"phoneType":t})
    }
    fn app(id: &str, device: &str) -> Value {
        json!({"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod","id":id,"displayName":device})
    }
    fn password() -> Value {
        json!({"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"28c10230-6103-485e-b985-444c60001490"})
    }

    #[test]
    fn default_method_follows_the_preference() {
        let methods = vec![
            password(),
            app("a1", "Phone A"),
            phone("m", "mobile", "+1 5555550100"),
            phone("o", "office", "+1 5555550101"),
        ];
        for (pref, want) in [
            ("push", Some("a1")),
            ("sms", Some("m")),
            ("voiceMobile", Some("m")),
            ("voiceOffice", Some("o")),
            ("oath", Some("a1")),
            ("voiceAlternateMobile", None),
            ("somethingNew", None),
        ] {
            let i = info(methods.clone(), Some(pref));
            assert_eq!(i.default_method().map(MethodId::as_str), want, "{pref}");
        }
        assert_eq!(info(methods, None).default_method(), None);
    }

    #[test]
    fn with_two_authenticators_the_newest_is_the_default() {
        let dated = |id: &str, created: &str| {
            json!({"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                   "id":id,"displayName":id,"createdDateTime":created})
        };
        let methods = vec![
            password(),
            dated("new", "2026-11-01T10:00:00Z"),
            dated("old", "2024-03-01T10:00:00Z"),
            app("undated", "Phone C"),
        ];
        let i = info(methods, Some("push"));
        assert_eq!(i.default_method().map(MethodId::as_str), Some("new"));
        let i = info(vec![password(), app("x", "A"), app("y", "B")], Some("push"));
        assert_eq!(
            i.default_method().map(MethodId::as_str),
            Some("x"),
            "undated ties keep Graph's order"
        );
    }
}
