//! How safe an account is from losing one phone, in 2026's terms: counted
//! in devices, not rows, with SMS and voice marked where Microsoft ends them.
//!
//! Pure: the account as Graph shows it, plus a [`Context`] (which cloud's
//! rules apply, today's date from an injectable clock, and the user's
//! remembered answers to "is this number on the same phone as
//! Authenticator?"), gives a [`Report`]. No I/O, no clock of its own.
//!
//! The rules (issue 15; `microsoft-2026.md`):
//! - **Devices, not rows.** Methods that are lost together form one
//!   [`DeviceGroup`]: registrations on devices with the same name
//!   (Authenticator, Windows Hello, Platform SSO); a passkey in Microsoft
//!   Authenticator with the phone that holds Authenticator ([`PasskeyTie`]);
//!   a mobile number with the Authenticator phone when the user says it is on
//!   that phone, or has not said yet (a number and the app are usually on one
//!   handset, so the count never flatters an unanswered account). An office
//!   phone, a security key and a code app are each their own device.
//! - **SMS and voice end** in the public cloud: from 1 February 2027
//!   Microsoft no longer delivers them, unless the organisation contracted
//!   its own telecom provider. Until then they still work, but they are
//!   marked as ending and never counted toward the recommended three. In
//!   sovereign clouds Microsoft has announced nothing, and neither does the
//!   report ([`Telephony::NotAnnounced`]).
//! - **The default, honestly.** [`asked_order`] is Microsoft's
//!   system-preferred order over the methods the account has.

use time::macros::date;
use time::Date;

use crate::security_info::{AuthMethod, MethodId, MethodKind, PhoneType, SecurityInfo};

/// From this day Microsoft no longer delivers SMS and voice in the public
/// cloud, unless the organisation contracted its own telecom provider
/// (concept-sms-voice-retirement.md, ms.date 2026-06-10).
pub const SMS_VOICE_END: Date = date!(2027 - 02 - 01);

/// What SMS and voice are in this tenant's cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Telephony {
    /// Public cloud: Microsoft stops delivering them on [`SMS_VOICE_END`].
    Ending,
    /// The organisation contracted its own telecom provider: they go on.
    OwnProvider,
    /// A sovereign cloud: Microsoft has said nothing yet, so neither do we;
    /// they count as before.
    NotAnnounced,
}

/// The user's remembered answer to "is `number` on the same phone as
/// Authenticator on `phone`?". `phone` is the Authenticator registration's
/// device name as Graph gives it; a new phone (another name) asks again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SamePhoneAnswer {
    pub number: String,
    pub phone: String,
    pub same: bool,
}

impl SamePhoneAnswer {
    fn is_about(&self, number: &str, phone: &str) -> bool {
        self.number == number && same_name(&self.phone, phone)
    }
}

/// What the report is computed against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub telephony: Telephony,
    /// Today, from the app's clock (the emulator's or a test's in tests).
    pub today: Date,
    pub answers: Vec<SamePhoneAnswer>,
    /// An unanswered mobile number is counted as on the Authenticator phone
    /// (the usual case; the health view). `false` counts it apart, as a SIM
    /// that can move (the guardrails' context-free count,
    /// [`SecurityInfo::health`]).
    pub assume_same_phone: bool,
}

impl Context {
    /// No clock, no answers, no retirement: what the account's rows alone say.
    fn rows_only() -> Context {
        Context {
            telephony: Telephony::NotAnnounced,
            today: SMS_VOICE_END,
            answers: Vec::new(),
            assume_same_phone: false,
        }
    }
}

/// The counts the guardrails compare before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub independent_methods: u32,
    pub phishing_resistant_methods: u32,
    pub single_device: bool,
}

impl SecurityInfo {
    /// The counts from the account's rows alone: devices, not rows (a
    /// passkey in Authenticator goes with its phone), with every phone
    /// number counted apart (a SIM can move) and SMS and voice counted.
    /// The health view uses [`report`] with the user's [`Context`].
    pub fn health(&self) -> Health {
        let r = report(self, &Context::rows_only());
        Health {
            independent_methods: r.independent_methods,
            phishing_resistant_methods: r.phishing_resistant_methods,
            single_device: r.single_device,
        }
    }
}

/// How a passkey in Microsoft Authenticator was tied to a phone.
///
/// Graph does not say which Authenticator registration holds a passkey
/// (neither `fido2AuthenticationMethod` nor
/// `microsoftAuthenticatorAuthenticationMethod` links the two), so:
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyTie {
    /// The passkey's display name names the phone (equal to, or containing,
    /// an Authenticator registration's device name): certain enough.
    ByName,
    /// The account has one Authenticator registration: it is almost
    /// certainly that phone, but Graph does not say so.
    OnlyAuthenticator,
    /// Several Authenticator registrations and no name to go by: the newest
    /// registration made at or before the passkey (a passkey is added to
    /// Authenticator once the app is on the phone), else the newest. A
    /// guess, and the view says so.
    ByDate,
    /// No Authenticator registration at all: the passkey is a phone of its
    /// own (Authenticator without push).
    NoAuthenticator,
}

impl PasskeyTie {
    pub fn name(self) -> &'static str {
        match self {
            PasskeyTie::ByName => "byName",
            PasskeyTie::OnlyAuthenticator => "onlyAuthenticator",
            PasskeyTie::ByDate => "byDate",
            PasskeyTie::NoAuthenticator => "noAuthenticator",
        }
    }

    /// Whether the tie is certain enough to state without a hedge.
    pub fn certain(self) -> bool {
        matches!(self, PasskeyTie::ByName | PasskeyTie::NoAuthenticator)
    }
}

/// A passkey in Microsoft Authenticator, and the phone it is taken to be on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorPasskey {
    pub passkey: MethodId,
    /// The Authenticator registration it is grouped with.
    pub authenticator: Option<MethodId>,
    /// The phone's name (the Authenticator registration's device name, or
    /// the passkey's own name when there is no registration).
    pub phone: Option<String>,
    pub tie: PasskeyTie,
}

/// Methods that are lost together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceGroup {
    /// The device's name (a phone, a computer, a number), if Graph gives one.
    pub name: Option<String>,
    pub methods: Vec<MethodId>,
    /// It holds Microsoft Authenticator (push or a passkey).
    pub holds_authenticator: bool,
    /// At least one of its methods counts toward the recommended number.
    pub counts: bool,
}

/// SMS and voice, where Microsoft ends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub on: Date,
    /// Today is on or after `on`: Microsoft no longer delivers them.
    pub ended: bool,
    /// The phone methods concerned.
    pub methods: Vec<MethodId>,
    /// They are all the account has: without a passkey (or another method)
    /// registered by `on`, Entra makes the user register one at sign-in.
    pub only_way: bool,
}

/// The typed question the view asks while the answer is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamePhoneQuestion {
    pub number: String,
    /// The Authenticator phone's name.
    pub phone: String,
}

/// What losing the phone would do today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LostOutcome {
    /// Other devices can still answer: this many.
    StillSignIn { devices: u32 },
    /// Only SMS or voice to a number not on this phone is left, and only
    /// until Microsoft stops delivering them.
    OnlyUntil { on: Date },
    /// Nothing left: an admin reset (or account recovery) is the only way back.
    LockedOut,
}

/// "What happens if this phone is lost today?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostPhone {
    /// The phone: the Authenticator phone's name, or the mobile number when
    /// the account has no Authenticator.
    pub phone: String,
    /// The methods that go with it.
    pub methods: Vec<MethodId>,
    pub outcome: LostOutcome,
    /// Numbers counted as on this phone only because the user has not
    /// answered yet.
    pub assumed: Vec<String>,
}

/// A prompt in Microsoft's system-preferred order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    TemporaryAccessPass,
    Passkey,
    AuthenticatorPush,
    External,
    Code,
    Sms,
    Voice,
    QrCode,
}

impl Prompt {
    pub fn name(self) -> &'static str {
        match self {
            Prompt::TemporaryAccessPass => "temporaryAccessPass",
            Prompt::Passkey => "passkey",
            Prompt::AuthenticatorPush => "authenticatorPush",
            Prompt::External => "external",
            Prompt::Code => "code",
            Prompt::Sms => "sms",
            Prompt::Voice => "voice",
            Prompt::QrCode => "qrCode",
        }
    }
}

/// One prompt Entra can ask for, and the methods that answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub prompt: Prompt,
    pub methods: Vec<MethodId>,
    /// SMS or voice before Microsoft stops them.
    pub ending: bool,
}

/// The health summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Devices with at least one counted method.
    pub independent_methods: u32,
    pub phishing_resistant_methods: u32,
    /// Every counted method is on one named device.
    pub single_device: bool,
    pub devices: Vec<DeviceGroup>,
    pub passkeys: Vec<AuthenticatorPasskey>,
    /// `None` unless SMS or voice are ending here and the account has them.
    pub ending: Option<Ending>,
    pub questions: Vec<SamePhoneQuestion>,
    /// `None` when the account has no phone (no Authenticator, no mobile).
    pub lost_phone: Option<LostPhone>,
    pub asked_order: Vec<Asked>,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn is_mobile_number(kind: &MethodKind) -> Option<&str> {
    match kind {
        MethodKind::Phone {
            number,
            phone_type: PhoneType::Mobile | PhoneType::AlternateMobile,
        } => Some(number),
        _ => None,
    }
}

/// The newest of `methods` (undated counts as oldest; ties keep Graph's order).
fn newest<'a>(methods: impl Iterator<Item = &'a AuthMethod>) -> Option<&'a AuthMethod> {
    let mut best: Option<&AuthMethod> = None;
    for m in methods {
        if best.is_none_or(|b| m.created > b.created) {
            best = Some(m);
        }
    }
    best
}

/// Ties each passkey in Microsoft Authenticator to an Authenticator
/// registration ([`PasskeyTie`] documents how).
pub fn authenticator_passkeys(info: &SecurityInfo) -> Vec<AuthenticatorPasskey> {
    let apps: Vec<(&AuthMethod, &str)> = info
        .methods
        .iter()
        .filter_map(|m| match &m.kind {
            MethodKind::MicrosoftAuthenticator { device_name }
                if !device_name.trim().is_empty() =>
            {
                Some((m, device_name.as_str()))
            }
            _ => None,
        })
        .collect();
    info.methods
        .iter()
        .filter(|m| m.kind.authenticator_passkey().is_some())
        .map(|m| {
            let own_name = m.kind.human_name().map(str::to_owned);
            let passkey_name = own_name.clone().unwrap_or_default().to_lowercase();
            // The longest device name the passkey's name contains, so
            // "Pixel 8 Pro" wins over "Pixel 8".
            let by_name = apps
                .iter()
                .filter(|(_, d)| passkey_name.contains(&d.trim().to_lowercase()))
                .max_by_key(|(_, d)| d.trim().len());
            let (app, tie) = match (by_name, apps.len()) {
                (Some((app, _)), _) => (Some(*app), PasskeyTie::ByName),
                (None, 0) => (None, PasskeyTie::NoAuthenticator),
                (None, 1) => (Some(apps[0].0), PasskeyTie::OnlyAuthenticator),
                (None, _) => {
                    let before = newest(
                        apps.iter()
                            .map(|(a, _)| *a)
                            .filter(|a| a.created.is_some() && a.created <= m.created),
                    );
                    (
                        before.or_else(|| newest(apps.iter().map(|(a, _)| *a))),
                        PasskeyTie::ByDate,
                    )
                }
            };
            AuthenticatorPasskey {
                passkey: m.id.clone(),
                authenticator: app.map(|a| a.id.clone()),
                phone: match app.map(|a| &a.kind) {
                    Some(MethodKind::MicrosoftAuthenticator { device_name }) => {
                        Some(device_name.clone())
                    }
                    _ => own_name,
                },
                tie,
            }
        })
        .collect()
}

/// Microsoft's system-preferred order over the methods the account has:
/// "Temporary Access Pass, passkey (FIDO2), certificate-based
/// authentication, Microsoft Authenticator notifications, external
/// authentication methods, time-based one-time passwords, telephony, QR
/// code" (concept-system-preferred-authentication.md; microsoft-2026.md).
/// Graph lists no certificate method, so that rung never appears. Windows
/// Hello and Platform SSO sign in on their own device and are not MFA
/// prompts, so they are not in the order. SMS and voice are left out once
/// Microsoft has stopped delivering them.
pub fn asked_order(info: &SecurityInfo, telephony: Telephony, today: Date) -> Vec<Asked> {
    let ended = telephony == Telephony::Ending && today >= SMS_VOICE_END;
    let ending = telephony == Telephony::Ending && !ended;
    let ids = |f: &dyn Fn(&MethodKind) -> bool| -> Vec<MethodId> {
        info.methods
            .iter()
            .filter(|m| f(&m.kind))
            .map(|m| m.id.clone())
            .collect()
    };
    let rungs: [(Prompt, Vec<MethodId>); 8] = [
        (
            Prompt::TemporaryAccessPass,
            ids(&|k| matches!(k, MethodKind::TemporaryAccessPass { usable: true, .. })),
        ),
        (
            Prompt::Passkey,
            ids(&|k| matches!(k, MethodKind::Fido2 { .. })),
        ),
        (
            Prompt::AuthenticatorPush,
            ids(&|k| matches!(k, MethodKind::MicrosoftAuthenticator { .. })),
        ),
        (
            Prompt::External,
            ids(&|k| matches!(k, MethodKind::External { .. })),
        ),
        (
            Prompt::Code,
            ids(&|k| {
                matches!(
                    k,
                    MethodKind::SoftwareOath | MethodKind::HardwareOath { .. }
                )
            }),
        ),
        (
            Prompt::Sms,
            ids(&|k| {
                matches!(
                    k,
                    MethodKind::Phone {
                        phone_type: PhoneType::Mobile,
                        ..
                    }
                )
            }),
        ),
        (
            Prompt::Voice,
            ids(&|k| matches!(k, MethodKind::Phone { .. })),
        ),
        (Prompt::QrCode, ids(&|k| matches!(k, MethodKind::QrCodePin))),
    ];
    rungs
        .into_iter()
        .filter(|(_, methods)| !methods.is_empty())
        .filter(|(prompt, _)| !(ended && matches!(prompt, Prompt::Sms | Prompt::Voice)))
        .map(|(prompt, methods)| Asked {
            prompt,
            methods,
            ending: ending && matches!(prompt, Prompt::Sms | Prompt::Voice),
        })
        .collect()
}

/// The health report of `info` in `cx`.
pub fn report(info: &SecurityInfo, cx: &Context) -> Report {
    let telephony_counts = cx.telephony != Telephony::Ending;
    let passkeys = authenticator_passkeys(info);
    // The Authenticator phone a same-phone question is about: the newest
    // registration (the phone in use now).
    let main_app = newest(
        info.methods
            .iter()
            .filter(|m| matches!(&m.kind, MethodKind::MicrosoftAuthenticator { device_name } if !device_name.trim().is_empty())),
    );
    let main_phone: Option<&str> = main_app.and_then(|m| m.kind.human_name());

    let mut groups: Vec<DeviceGroup> = Vec::new();
    let mut questions = Vec::new();
    let mut assumed = Vec::new();
    let join = |groups: &mut Vec<DeviceGroup>, name: Option<&str>, m: &AuthMethod, app: bool| {
        let counts = m.kind.counts_for_mfa()
            && (telephony_counts || !matches!(m.kind, MethodKind::Phone { .. }));
        let existing = name.and_then(|n| {
            groups
                .iter_mut()
                .find(|g| g.name.as_deref().is_some_and(|g| same_name(g, n)))
        });
        match existing {
            Some(g) => {
                g.methods.push(m.id.clone());
                g.counts |= counts;
                g.holds_authenticator |= app;
            }
            None => groups.push(DeviceGroup {
                name: name.map(str::to_owned),
                methods: vec![m.id.clone()],
                holds_authenticator: app,
                counts,
            }),
        }
    };
    for m in &info.methods {
        if !m.kind.counts_for_mfa() && !matches!(m.kind, MethodKind::Phone { .. }) {
            continue;
        }
        match &m.kind {
            MethodKind::MicrosoftAuthenticator { device_name }
            | MethodKind::WindowsHelloForBusiness { device_name }
            | MethodKind::PlatformCredential { device_name }
                if !device_name.trim().is_empty() =>
            {
                let app = matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. });
                join(&mut groups, Some(device_name.trim()), m, app);
            }
            MethodKind::Fido2 { .. } if m.kind.authenticator_passkey().is_some() => {
                let tie = passkeys.iter().find(|p| p.passkey == m.id);
                let phone = tie.and_then(|t| t.phone.clone());
                match phone {
                    Some(p) => join(&mut groups, Some(p.trim()), m, true),
                    None => join(&mut groups, None, m, true),
                }
            }
            MethodKind::Phone { number, .. } => {
                let mobile = is_mobile_number(&m.kind).is_some();
                let on_main = match (mobile, main_phone) {
                    (true, Some(phone)) => {
                        match cx.answers.iter().find(|a| a.is_about(number, phone)) {
                            Some(a) => a.same.then_some(phone),
                            None => {
                                questions.push(SamePhoneQuestion {
                                    number: number.clone(),
                                    phone: phone.to_owned(),
                                });
                                if cx.assume_same_phone {
                                    assumed.push(number.clone());
                                    Some(phone)
                                } else {
                                    None
                                }
                            }
                        }
                    }
                    _ => None,
                };
                join(
                    &mut groups,
                    Some(on_main.unwrap_or(number.as_str())),
                    m,
                    false,
                );
            }
            _ => join(&mut groups, None, m, false),
        }
    }
    let counted: Vec<&DeviceGroup> = groups.iter().filter(|g| g.counts).collect();
    let independent_methods = counted.len() as u32;
    // One named device (a phone or a computer, not a number's SIM) holds
    // every counted method.
    let single_device = counted.len() == 1
        && counted[0].name.is_some()
        && counted[0].methods.iter().any(|id| {
            info.methods
                .iter()
                .any(|m| &m.id == id && !matches!(m.kind, MethodKind::Phone { .. }))
        });

    let phones: Vec<MethodId> = info
        .methods
        .iter()
        .filter(|m| matches!(m.kind, MethodKind::Phone { .. }))
        .map(|m| m.id.clone())
        .collect();
    let ending = (cx.telephony == Telephony::Ending && !phones.is_empty()).then(|| Ending {
        on: SMS_VOICE_END,
        ended: cx.today >= SMS_VOICE_END,
        methods: phones.clone(),
        only_way: independent_methods == 0,
    });

    let lost_phone = lost_phone(info, cx, &groups, main_phone, assumed);
    Report {
        independent_methods,
        phishing_resistant_methods: info
            .methods
            .iter()
            .filter(|m| m.kind.counts_for_mfa() && m.kind.is_phishing_resistant())
            .count() as u32,
        single_device,
        devices: groups,
        passkeys,
        ending,
        questions,
        lost_phone,
        asked_order: asked_order(info, cx.telephony, cx.today),
    }
}

fn lost_phone(
    info: &SecurityInfo,
    cx: &Context,
    groups: &[DeviceGroup],
    main_phone: Option<&str>,
    assumed: Vec<String>,
) -> Option<LostPhone> {
    // The phone: the Authenticator phone, else the group of the mobile number.
    let lost = match main_phone {
        Some(p) => groups
            .iter()
            .position(|g| g.name.as_deref().is_some_and(|n| same_name(n, p)))?,
        None => {
            let mobile = info.methods.iter().find(|m| {
                matches!(
                    m.kind,
                    MethodKind::Phone {
                        phone_type: PhoneType::Mobile,
                        ..
                    }
                )
            })?;
            groups.iter().position(|g| g.methods.contains(&mobile.id))?
        }
    };
    let others: Vec<&DeviceGroup> = groups
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != lost)
        .map(|(_, g)| g)
        .collect();
    let still = others.iter().filter(|g| g.counts).count() as u32;
    let telephony_left = others.iter().any(|g| {
        g.methods.iter().any(|id| {
            info.methods
                .iter()
                .any(|m| &m.id == id && matches!(m.kind, MethodKind::Phone { .. }))
        })
    });
    let outcome = if still > 0 {
        LostOutcome::StillSignIn { devices: still }
    } else if telephony_left && cx.telephony == Telephony::Ending && cx.today < SMS_VOICE_END {
        LostOutcome::OnlyUntil { on: SMS_VOICE_END }
    } else {
        LostOutcome::LockedOut
    };
    let group = &groups[lost];
    Some(LostPhone {
        phone: group.name.clone().unwrap_or_default(),
        methods: group.methods.clone(),
        outcome,
        assumed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_info::{Account, SecondaryMethod, SignInPreferences};
    use time::macros::datetime;
    use time::OffsetDateTime;

    const IOS: &str = "90a3ccdf-635c-4729-a248-9b709135078f";
    const ANDROID: &str = "DE1E552D-DB1D-4423-A619-566B625CDC84";
    const YUBIKEY: &str = "2fc0579f-8113-47ea-b116-555a8db9202a";
    const MOBILE: &str = PhoneType::Mobile.method_id();
    const OFFICE: &str = PhoneType::Office.method_id();
    const BEFORE: Date = date!(2026 - 12 - 05);
    const EVE: Date = date!(2027 - 01 - 31);

    fn id(s: &str) -> MethodId {
        MethodId::parse(s).unwrap()
    }
    fn ids(list: &[&str]) -> Vec<MethodId> {
        list.iter().map(|s| id(s)).collect()
    }
    fn m(id_: &str, created: OffsetDateTime, kind: MethodKind) -> AuthMethod {
        AuthMethod {
            id: id(id_),
            created: Some(created),
            kind,
        }
    }
    fn password() -> AuthMethod {
        m(
            "28c10230-6103-485e-b985-444c60001490",
            datetime!(2023-01-01 0:00 UTC),
            MethodKind::Password,
        )
    }
    fn app(id_: &str, device: &str, created: OffsetDateTime) -> AuthMethod {
        m(
            id_,
            created,
            MethodKind::MicrosoftAuthenticator {
                device_name: device.into(),
            },
        )
    }
    fn passkey(id_: &str, name: &str, aa_guid: &str) -> AuthMethod {
        m(
            id_,
            datetime!(2026-10-01 0:00 UTC),
            MethodKind::Fido2 {
                display_name: name.into(),
                model: None,
                aa_guid: Some(aa_guid.to_ascii_lowercase()),
            },
        )
    }
    fn phone(t: PhoneType, number: &str) -> AuthMethod {
        m(
            t.method_id(),
            datetime!(2023-01-01 0:00 UTC),
            MethodKind::Phone {
                number: number.into(),
                phone_type: t,
            },
        )
    }
    fn kind(id_: &str, k: MethodKind) -> AuthMethod {
        m(id_, datetime!(2024-01-01 0:00 UTC), k)
    }
    fn info(methods: Vec<AuthMethod>) -> SecurityInfo {
        SecurityInfo {
            account: Account {
                display_name: "A".into(),
                upn: "a@x.example".into(),
            },
            methods,
            preferences: Some(SignInPreferences {
                user_preferred: Some(SecondaryMethod::Push),
                system_preferred_enabled: true,
                system_preferred: None,
            }),
        }
    }
    fn cx(telephony: Telephony, today: Date, answers: Vec<SamePhoneAnswer>) -> Context {
        Context {
            telephony,
            today,
            answers,
            assume_same_phone: true,
        }
    }
    fn answer(number: &str, phone: &str, same: bool) -> SamePhoneAnswer {
        SamePhoneAnswer {
            number: number.into(),
            phone: phone.into(),
            same,
        }
    }

    #[test]
    fn authenticator_passkeys_are_recognised_by_their_aaguid_only() {
        use crate::security_info::AuthenticatorPlatform;
        assert_eq!(
            passkey("p", "x", IOS).kind.authenticator_passkey(),
            Some(AuthenticatorPlatform::Ios)
        );
        assert_eq!(
            passkey("p", "x", ANDROID).kind.authenticator_passkey(),
            Some(AuthenticatorPlatform::Android)
        );
        assert_eq!(
            passkey("p", "x", YUBIKEY).kind.authenticator_passkey(),
            None
        );
        let no_guid = kind(
            "k",
            MethodKind::Fido2 {
                display_name: "Key".into(),
                model: None,
                aa_guid: None,
            },
        );
        assert_eq!(no_guid.kind.authenticator_passkey(), None);
        // Graph's JSON: the aaGuid is read, whatever its case.
        let parsed = AuthMethod::from_graph(&serde_json::json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
            "id": "pk", "displayName": "iPhone", "aaGuid": IOS.to_uppercase()
        }))
        .unwrap();
        assert_eq!(
            parsed.kind.authenticator_passkey(),
            Some(AuthenticatorPlatform::Ios)
        );
    }

    #[test]
    fn a_passkey_is_tied_by_name_else_to_the_only_app_else_to_the_newest() {
        let old = app("old", "Pixel 8", datetime!(2024-01-01 0:00 UTC));
        let pro = app("pro", "Pixel 8 Pro", datetime!(2025-01-01 0:00 UTC));
        let new = app("new", "iPhone 16", datetime!(2026-11-01 0:00 UTC));

        // By name: the longest device name the passkey's name contains.
        let i = info(vec![
            old.clone(),
            pro.clone(),
            new.clone(),
            passkey("pk", "Passkey on pixel 8 pro", ANDROID),
        ]);
        let p = &authenticator_passkeys(&i)[0];
        assert_eq!(p.tie, PasskeyTie::ByName);
        assert_eq!(p.authenticator, Some(id("pro")));
        assert_eq!(p.phone.as_deref(), Some("Pixel 8 Pro"));
        assert!(p.tie.certain());

        // One Authenticator registration: that one, hedged.
        let i = info(vec![old.clone(), passkey("pk", "Work passkey", ANDROID)]);
        let p = &authenticator_passkeys(&i)[0];
        assert_eq!(p.tie, PasskeyTie::OnlyAuthenticator);
        assert_eq!(p.authenticator, Some(id("old")));
        assert!(!p.tie.certain());

        // Several, no name: the newest phone registered before the
        // passkey (1 Oct 2026), a guess; else the newest.
        let i = info(vec![old.clone(), new.clone(), passkey("pk", "", IOS)]);
        let p = &authenticator_passkeys(&i)[0];
        assert_eq!(p.tie, PasskeyTie::ByDate);
        assert_eq!(p.phone.as_deref(), Some("Pixel 8"));
        assert!(!p.tie.certain());
        let mut early = passkey("pk", "", IOS);
        early.created = Some(datetime!(2020-01-01 0:00 UTC));
        let i = info(vec![old.clone(), new.clone(), early]);
        assert_eq!(
            authenticator_passkeys(&i)[0].phone.as_deref(),
            Some("iPhone 16")
        );

        // None: the passkey is its own phone, named by itself.
        let i = info(vec![passkey("pk", "Dana's phone", IOS)]);
        let p = &authenticator_passkeys(&i)[0];
        assert_eq!(p.tie, PasskeyTie::NoAuthenticator);
        assert_eq!(p.authenticator, None);
        assert_eq!(p.phone.as_deref(), Some("Dana's phone"));

        // A security key is not a passkey in Authenticator.
        assert!(
            authenticator_passkeys(&info(vec![old, passkey("k", "Pixel 8", YUBIKEY)])).is_empty()
        );
    }

    #[test]
    fn push_and_a_passkey_on_one_phone_are_one_device() {
        let i = info(vec![
            password(),
            app("a", "Gus's iPhone 15", datetime!(2025-01-01 0:00 UTC)),
            passkey("pk", "Gus's iPhone 15", IOS),
        ]);
        let r = report(&i, &cx(Telephony::Ending, BEFORE, vec![]));
        assert_eq!(r.independent_methods, 1);
        assert_eq!(r.phishing_resistant_methods, 1);
        assert!(r.single_device);
        assert_eq!(r.devices.len(), 1);
        assert_eq!(r.devices[0].methods, ids(&["a", "pk"]));
        assert!(r.devices[0].holds_authenticator);
        // The same phone is what losing it takes away: everything.
        let lost = r.lost_phone.unwrap();
        assert_eq!(lost.phone, "Gus's iPhone 15");
        assert_eq!(lost.outcome, LostOutcome::LockedOut);
        // The guardrails' count agrees.
        assert_eq!(i.health().independent_methods, 1);
        assert!(i.health().single_device);
    }

    #[test]
    fn sms_and_voice_end_in_the_public_cloud_only() {
        let ben = info(vec![password(), phone(PhoneType::Mobile, "+44 7700900123")]);
        // Public cloud, before the date: not counted, ending, the only way.
        let r = report(&ben, &cx(Telephony::Ending, BEFORE, vec![]));
        assert_eq!(r.independent_methods, 0);
        assert_eq!(
            r.ending,
            Some(Ending {
                on: date!(2027 - 02 - 01),
                ended: false,
                methods: ids(&[MOBILE]),
                only_way: true
            })
        );
        assert!(!r.single_device);
        // Losing the phone takes the SIM: locked out.
        let lost = r.lost_phone.unwrap();
        assert_eq!(lost.phone, "+44 7700900123");
        assert_eq!(lost.outcome, LostOutcome::LockedOut);
        assert!(r.questions.is_empty(), "no Authenticator to ask about");
        // On and after the date: ended.
        for today in [SMS_VOICE_END, date!(2027 - 06 - 30)] {
            let r = report(&ben, &cx(Telephony::Ending, today, vec![]));
            assert!(r.ending.as_ref().unwrap().ended, "{today}");
        }
        assert!(
            !report(&ben, &cx(Telephony::Ending, EVE, vec![]))
                .ending
                .unwrap()
                .ended
        );
        // Own telecom provider, or a sovereign cloud: counted, nothing said.
        for t in [Telephony::OwnProvider, Telephony::NotAnnounced] {
            let r = report(&ben, &cx(t, date!(2027 - 06 - 30), vec![]));
            assert_eq!(r.independent_methods, 1, "{t:?}");
            assert_eq!(r.ending, None, "{t:?}");
        }
    }

    #[test]
    fn voice_only_phones_end_too_and_other_methods_still_count() {
        let i = info(vec![
            password(),
            phone(PhoneType::Mobile, "+1 2065550123"),
            phone(PhoneType::Office, "+1 2065550100"),
            kind("s", MethodKind::SoftwareOath),
        ]);
        let r = report(&i, &cx(Telephony::Ending, BEFORE, vec![]));
        assert_eq!(r.independent_methods, 1, "only the code app counts");
        let ending = r.ending.unwrap();
        assert_eq!(ending.methods, ids(&[MOBILE, OFFICE]));
        assert!(!ending.only_way);
        // Without the retirement: the code app, the mobile, the office line.
        let r = report(&i, &cx(Telephony::NotAnnounced, BEFORE, vec![]));
        assert_eq!(r.independent_methods, 3);
    }

    #[test]
    fn a_number_on_the_authenticator_phone_is_asked_about_then_remembered() {
        let adele = info(vec![
            password(),
            app("a", "Adele's iPhone 13", datetime!(2024-03-11 0:00 UTC)),
            phone(PhoneType::Mobile, "+1 4255550101"),
        ]);
        // Unanswered: asked, and counted as the same phone meanwhile.
        let r = report(&adele, &cx(Telephony::NotAnnounced, BEFORE, vec![]));
        assert_eq!(
            r.questions,
            vec![SamePhoneQuestion {
                number: "+1 4255550101".into(),
                phone: "Adele's iPhone 13".into()
            }]
        );
        assert_eq!(r.independent_methods, 1);
        let lost = r.lost_phone.unwrap();
        assert_eq!(lost.assumed, vec!["+1 4255550101".to_owned()]);
        assert_eq!(lost.methods, ids(&["a", MOBILE]));
        assert_eq!(lost.outcome, LostOutcome::LockedOut);

        // "Yes, same phone": one device, no question.
        let same = vec![answer("+1 4255550101", "adele's iphone 13 ", true)];
        let r = report(&adele, &cx(Telephony::NotAnnounced, BEFORE, same));
        assert!(r.questions.is_empty());
        assert_eq!(r.independent_methods, 1);
        assert!(r.lost_phone.unwrap().assumed.is_empty());

        // "No, another phone": two devices where the number still counts.
        let other = vec![answer("+1 4255550101", "Adele's iPhone 13", false)];
        let r = report(&adele, &cx(Telephony::NotAnnounced, BEFORE, other.clone()));
        assert_eq!(r.independent_methods, 2);
        assert_eq!(
            r.lost_phone.unwrap().outcome,
            LostOutcome::StillSignIn { devices: 1 }
        );
        // In the public cloud the other phone's SMS works only until February.
        let r = report(&adele, &cx(Telephony::Ending, BEFORE, other.clone()));
        assert_eq!(r.independent_methods, 1);
        assert_eq!(
            r.lost_phone.unwrap().outcome,
            LostOutcome::OnlyUntil {
                on: date!(2027 - 02 - 01)
            }
        );
        let r = report(&adele, &cx(Telephony::Ending, SMS_VOICE_END, other));
        assert_eq!(r.lost_phone.unwrap().outcome, LostOutcome::LockedOut);

        // An answer about the old phone does not answer for a new one.
        let old_answer = vec![answer("+1 4255550101", "Adele's iPhone 8", false)];
        let r = report(&adele, &cx(Telephony::NotAnnounced, BEFORE, old_answer));
        assert_eq!(r.questions.len(), 1);
        // The guardrails' rows-only count keeps a number apart.
        assert_eq!(adele.health().independent_methods, 2);
    }

    #[test]
    fn only_mobile_numbers_are_asked_about_and_only_for_the_newest_phone() {
        let i = info(vec![
            app("old", "Pixel 6", datetime!(2023-01-01 0:00 UTC)),
            app("new", "Pixel 9", datetime!(2026-11-01 0:00 UTC)),
            phone(PhoneType::Mobile, "+44 7700900123"),
            phone(PhoneType::AlternateMobile, "+44 7700900456"),
            phone(PhoneType::Office, "+44 2079460000"),
        ]);
        let r = report(&i, &cx(Telephony::OwnProvider, BEFORE, vec![]));
        let asked: Vec<(&str, &str)> = r
            .questions
            .iter()
            .map(|q| (q.number.as_str(), q.phone.as_str()))
            .collect();
        assert_eq!(
            asked,
            [("+44 7700900123", "Pixel 9"), ("+44 7700900456", "Pixel 9")]
        );
        // Pixel 6, Pixel 9 (+ both mobiles, assumed), the office line.
        assert_eq!(r.independent_methods, 3);
        let lost = r.lost_phone.unwrap();
        assert_eq!(lost.phone, "Pixel 9");
        assert_eq!(lost.outcome, LostOutcome::StillSignIn { devices: 2 });
    }

    #[test]
    fn many_devices_and_what_does_not_count() {
        let chidi = info(vec![
            password(),
            app("a", "Chidi's Pixel 8", datetime!(2024-01-22 0:00 UTC)),
            passkey("k", "YubiKey 5 NFC", YUBIKEY),
            kind(
                "w",
                MethodKind::WindowsHelloForBusiness {
                    device_name: "CHIDI-LAPTOP".into(),
                },
            ),
            phone(PhoneType::Mobile, "+1 2065550123"),
            kind("s", MethodKind::SoftwareOath),
            kind(
                "e",
                MethodKind::Email {
                    address: "c@x.example".into(),
                },
            ),
            kind(
                "t",
                MethodKind::TemporaryAccessPass {
                    usable: true,
                    ends: None,
                },
            ),
            kind(
                "o",
                MethodKind::Other {
                    odata_type: "#microsoft.graph.future".into(),
                    display_name: None,
                },
            ),
        ]);
        let r = report(&chidi, &cx(Telephony::Ending, BEFORE, vec![]));
        // Phone (app + its number, SMS not counted), key, laptop, code app.
        assert_eq!(r.independent_methods, 4);
        assert_eq!(r.phishing_resistant_methods, 2);
        assert!(!r.single_device);
        assert_eq!(
            r.lost_phone.unwrap().outcome,
            LostOutcome::StillSignIn { devices: 3 }
        );
        // Rows only: the number apart and counted.
        assert_eq!(
            chidi.health(),
            Health {
                independent_methods: 5,
                phishing_resistant_methods: 2,
                single_device: false
            }
        );
        // Two registrations on one device name count once.
        let twins = info(vec![
            app("a", "Pixel", datetime!(2024-01-01 0:00 UTC)),
            app("b", "pixel ", datetime!(2025-01-01 0:00 UTC)),
        ]);
        assert_eq!(
            twins.health(),
            Health {
                independent_methods: 1,
                phishing_resistant_methods: 0,
                single_device: true
            }
        );
        // Password only: nothing counts, no phone to lose.
        let r = report(
            &info(vec![password()]),
            &cx(Telephony::Ending, BEFORE, vec![]),
        );
        assert_eq!(r.independent_methods, 0);
        assert_eq!(r.ending, None);
        assert_eq!(r.lost_phone, None);
        assert!(r.asked_order.is_empty());
    }

    #[test]
    fn the_order_entra_asks_in_is_microsofts_not_the_users() {
        let i = info(vec![
            password(),
            phone(PhoneType::Office, "+1 2065550100"),
            phone(PhoneType::Mobile, "+1 2065550123"),
            kind("s", MethodKind::SoftwareOath),
            app("a", "Pixel", datetime!(2024-01-01 0:00 UTC)),
            kind("q", MethodKind::QrCodePin),
            passkey("k", "YubiKey", YUBIKEY),
            kind(
                "x",
                MethodKind::External {
                    display_name: "Duo".into(),
                },
            ),
            kind(
                "t",
                MethodKind::TemporaryAccessPass {
                    usable: false,
                    ends: None,
                },
            ),
            kind(
                "w",
                MethodKind::WindowsHelloForBusiness {
                    device_name: "LAPTOP".into(),
                },
            ),
        ]);
        let order = |t, today| -> Vec<(&'static str, Vec<MethodId>, bool)> {
            asked_order(&i, t, today)
                .into_iter()
                .map(|a| (a.prompt.name(), a.methods, a.ending))
                .collect()
        };
        assert_eq!(
            order(Telephony::Ending, BEFORE),
            vec![
                ("passkey", ids(&["k"]), false),
                ("authenticatorPush", ids(&["a"]), false),
                ("external", ids(&["x"]), false),
                ("code", ids(&["s"]), false),
                ("sms", ids(&[MOBILE]), true),
                ("voice", ids(&[OFFICE, MOBILE]), true),
                ("qrCode", ids(&["q"]), false),
            ]
        );
        // After 1 February 2027 Microsoft no longer sends them.
        let after: Vec<&str> = order(Telephony::Ending, SMS_VOICE_END)
            .iter()
            .map(|(p, _, _)| *p)
            .collect();
        assert_eq!(
            after,
            ["passkey", "authenticatorPush", "external", "code", "qrCode"]
        );
        // With the organisation's own provider, they stay, not ending.
        let own = order(Telephony::OwnProvider, SMS_VOICE_END);
        assert!(own.iter().any(|(p, _, e)| *p == "sms" && !e));
        // A usable pass comes first of all.
        let with_pass = info(vec![
            app("a", "Pixel", datetime!(2024-01-01 0:00 UTC)),
            kind(
                "t",
                MethodKind::TemporaryAccessPass {
                    usable: true,
                    ends: None,
                },
            ),
        ]);
        assert_eq!(
            asked_order(&with_pass, Telephony::Ending, BEFORE)[0].prompt,
            Prompt::TemporaryAccessPass
        );
    }
}
