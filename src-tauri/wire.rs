//! The IPC contract: the only types that cross between Rust and the webview.
//!
//! Domain types (`mfa_core`) are not the contract; these are. They carry
//! structured facts, never prose the UI would have to parse, so every sentence
//! the user reads comes from the UI's message catalogue. No secret type can
//! appear here: tokens, codes and verifiers live in `mfa_core` newtypes that
//! do not implement `Serialize`.
//!
//! The TypeScript declarations in `ui/src/bindings.ts` are generated from
//! these types (`UPDATE_BINDINGS=1 cargo test --test bindings`), and a test
//! fails when the committed file is stale.

use mfa_core::guardrails::{self, Concern, Floor};
use mfa_core::health::{self, LostOutcome};
use mfa_core::journey::{self, ActivityEntry, Journey, Registration, Snapshot, Step, Waiting};
use mfa_core::security_info::{self, MethodKind as CoreKind, SecondaryMethod};
use mfa_core::settings::{SettingSource, SettingsInUse};

use crate::input::{DefaultChoiceInput, RegistrationInput};
use serde::Serialize;
use ts_rs::TS;

/// What the app knows about itself before anyone signs in.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub tenant: TenantView,
    /// The settings in use and where each came from ("Settings in use").
    pub settings: SettingsView,
    /// The demo tenant's users and passwords; empty unless `tenant.demo`.
    pub demo_users: Vec<DemoUserView>,
    /// Whether "request admin reset" can send requests (the organisation
    /// configured a helpdesk, or the demo tenant's own).
    pub helpdesk_configured: bool,
    /// The triage's reasons for which Entra account recovery is offered
    /// first (`mfa_core::triage`); empty when the organisation has not
    /// turned it on (`account_recovery`).
    pub account_recovery_for: Vec<helpdesk_contract::Reason>,
}

/// The account last signed in on this computer: what a locked-out user
/// compares with the name on their ID before account recovery.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KnownAccountView {
    pub upn: String,
    pub display_name: String,
}

impl From<mfa_core::assistant::KnownAccount> for KnownAccountView {
    fn from(a: mfa_core::assistant::KnownAccount) -> KnownAccountView {
        KnownAccountView {
            upn: a.upn,
            display_name: a.display_name,
        }
    }
}

/// The window's language (`mfa_core::language`): the UI loads this
/// language's catalogue before it shows anything.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LanguageView {
    /// The BCP 47 tag of one of the UI's catalogues (`en`, `de`, `pt-BR`,
    /// `zh-Hans`, …, or a pseudo-locale `qps-ploc` / `qps-plocm`).
    pub language: String,
    /// True when the user chose it in the window (else it follows the system).
    pub chosen: bool,
    /// True when `MFA_ASSISTANT_LANGUAGE` sets it: the window's choice is then not used.
    pub forced: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    /// True when the app talks to the built-in demo tenant (the emulator).
    pub demo: bool,
    pub display_name: String,
    /// `public`, `usGovernment`, `usGovernmentDoD`, `china`, `custom` or `demo`.
    pub cloud: String,
    pub tenant: String,
}

/// The files the settings were read from, and each setting with its origin.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// Where the organisation's settings are read from, which locks every
    /// key they set: a file path, the policy registry key, or the
    /// managed-preferences plist.
    pub managed_file: String,
    /// `file`, `groupPolicy` (Windows) or `configurationProfile` (macOS).
    pub managed_kind: ManagedKindView,
    pub managed_found: bool,
    /// The user's own file (`MFA_ASSISTANT_CONFIG` or the platform's place).
    pub user_file: Option<String>,
    pub user_found: bool,
    /// Every setting in use, in the order of the file format's keys.
    pub entries: Vec<SettingView>,
    /// Keys the user's file sets that the organisation's file locks; the
    /// organisation's values are used instead.
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingView {
    /// The key as written in the file, e.g. `client_id`.
    pub key: String,
    /// The value in use; `None` when nothing is set and nothing is built in.
    pub value: Option<String>,
    /// For `helpdesk`: `relay` or `zendesk`. For `security_info_url`:
    /// `unverified` when no Microsoft page confirms the cloud's address.
    pub detail: Option<String>,
    pub origin: SettingOrigin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SettingOrigin {
    /// The organisation's managed file: locked.
    Managed,
    /// The user's own file.
    User,
    /// The app's built-in value.
    BuiltIn,
    /// The built-in demo tenant.
    Demo,
}

/// Which kind of place the organisation's settings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ManagedKindView {
    File,
    GroupPolicy,
    ConfigurationProfile,
}

impl From<&SettingsInUse> for SettingsView {
    fn from(s: &SettingsInUse) -> SettingsView {
        use mfa_core::config::ManagedKind;
        SettingsView {
            managed_file: s.managed_file.display().to_string(),
            managed_kind: match s.managed_kind {
                Some(ManagedKind::GroupPolicy) => ManagedKindView::GroupPolicy,
                Some(ManagedKind::ConfigurationProfile) => ManagedKindView::ConfigurationProfile,
                Some(ManagedKind::File) | None => ManagedKindView::File,
            },
            managed_found: s.managed_found,
            user_file: s.user_file.as_ref().map(|p| p.display().to_string()),
            user_found: s.user_found,
            entries: s
                .entries
                .iter()
                .map(|e| SettingView {
                    key: e.key.to_owned(),
                    value: e.value.clone(),
                    detail: e.detail.clone(),
                    origin: match e.source {
                        SettingSource::Managed => SettingOrigin::Managed,
                        SettingSource::User => SettingOrigin::User,
                        SettingSource::BuiltIn => SettingOrigin::BuiltIn,
                        SettingSource::Demo => SettingOrigin::Demo,
                    },
                })
                .collect(),
            ignored: s.ignored.iter().map(|k| (*k).to_owned()).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoUserView {
    pub upn: String,
    pub password: String,
    pub display_name: String,
    pub story: String,
}

/// The answer to "am I signed in?" at start-up.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum SessionView {
    /// A refresh token from the keychain was redeemed.
    SignedIn { upn: String },
    /// Nothing in the keychain for this tenant.
    SignedOut,
    /// The keychain held a token the tenant no longer accepts; it was removed.
    Expired,
}

/// What the user must see to finish a device-code sign-in on another device.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeView {
    pub user_code: String,
    pub verification_uri: String,
    /// Seconds until the code expires.
    pub expires_in_secs: u32,
    /// An SVG QR code of `verification_uri`, rendered in Rust.
    pub qr_svg: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOutView {
    /// True when a refresh token was found in the keychain and deleted.
    pub removed_from_keychain: bool,
}

/// The Security Info screen: who is signed in, their methods and their health.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecurityInfoView {
    pub account: AccountView,
    pub methods: Vec<MethodView>,
    pub default_method: DefaultMethodView,
    pub health: HealthView,
    /// The default prompts this account can answer, strongest first, as
    /// `choose_default` takes them.
    pub default_choices: Vec<DefaultChoiceInput>,
    /// What to register next to get closer to the recommended number, as
    /// `add_method` takes it.
    pub suggestion: RegistrationInput,
    /// When the Temporary Access Pass on the account stops working (RFC
    /// 3339), if Graph lists one with its lifetime: after a pass sign-in,
    /// how long the user has to get back to three.
    pub pass_ends: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub display_name: String,
    pub upn: String,
}

/// One registered authentication method.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MethodView {
    pub id: String,
    pub kind: MethodKind,
    /// The human name Graph gives it: a device name, a phone number, a key
    /// model or an email address. Empty when Graph gives none.
    pub name: String,
    /// For phones: `mobile`, `alternateMobile` or `office`.
    pub phone_type: Option<String>,
    /// RFC 3339, when Graph says when it was added.
    pub added: Option<String>,
    /// The method behind the user's default sign-in method.
    pub is_default: bool,
    pub phishing_resistant: bool,
    /// Counts toward the independent methods in the health summary.
    pub counts_for_mfa: bool,
    /// For `other`: the `@odata.type` Graph sent, shown so the user can ask about it.
    pub odata_type: Option<String>,
    /// The app can remove it (not the password, not kinds without a delete).
    pub removable: bool,
    /// For a hardware token: what its own label says, to tell tokens apart.
    pub token: Option<TokenView>,
    /// Who manages a method the user cannot change here or in Security
    /// Info: an external MFA provider, or the organisation (QR code + PIN).
    pub managed_by: Option<ManagedBy>,
    /// Graph listed it with an id the app cannot read: shown, never changed.
    pub unreadable: bool,
    /// For a passkey in Microsoft Authenticator: the phone it is grouped with.
    pub authenticator_passkey: Option<AuthenticatorPasskeyView>,
    /// SMS or voice that Microsoft stops delivering (`health.ending` says when).
    pub ending: bool,
}

/// A hardware OATH token's `device`, as Graph (beta) describes it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub serial_number: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
}

/// Who manages a method that is read-only for its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ManagedBy {
    /// An external MFA provider the organisation set up (its `name` is the
    /// provider's); users cannot delete these through Graph.
    ExternalProvider,
    /// QR code + PIN: issued by the organisation to frontline workers.
    Organisation,
}

/// A FIDO2 passkey whose `aaGuid` is Microsoft Authenticator's: shown as
/// "passkey in Authenticator on <phone>".
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorPasskeyView {
    /// `ios` or `android` (from the `aaGuid`).
    pub platform: String,
    /// The phone's name; `None` when nothing names it.
    pub phone: Option<String>,
    /// The Authenticator registration it is grouped with.
    pub authenticator_id: Option<String>,
    /// How it was tied to the phone: `byName` (the passkey's name names the
    /// phone), `onlyAuthenticator` (the account's one Authenticator phone),
    /// `byDate` (several phones: the newest registered before the passkey, a guess) or
    /// `noAuthenticator` (a phone of its own).
    pub tie: String,
    /// False when the tie is a likely guess the UI should hedge ("probably").
    pub certain: bool,
}

/// The kinds of method the UI has words for; `other` is anything newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MethodKind {
    Password,
    MicrosoftAuthenticator,
    Phone,
    Email,
    Fido2,
    WindowsHelloForBusiness,
    PlatformCredential,
    SoftwareOath,
    HardwareOath,
    TemporaryAccessPass,
    External,
    QrCodePin,
    Other,
}

impl From<&CoreKind> for MethodKind {
    fn from(kind: &CoreKind) -> Self {
        match kind {
            CoreKind::Password => MethodKind::Password,
            CoreKind::MicrosoftAuthenticator { .. } => MethodKind::MicrosoftAuthenticator,
            CoreKind::Phone { .. } => MethodKind::Phone,
            CoreKind::Email { .. } => MethodKind::Email,
            CoreKind::Fido2 { .. } => MethodKind::Fido2,
            CoreKind::WindowsHelloForBusiness { .. } => MethodKind::WindowsHelloForBusiness,
            CoreKind::PlatformCredential { .. } => MethodKind::PlatformCredential,
            CoreKind::SoftwareOath => MethodKind::SoftwareOath,
            CoreKind::HardwareOath { .. } => MethodKind::HardwareOath,
            CoreKind::TemporaryAccessPass { .. } => MethodKind::TemporaryAccessPass,
            CoreKind::External { .. } => MethodKind::External,
            CoreKind::QrCodePin => MethodKind::QrCodePin,
            CoreKind::Other { .. } => MethodKind::Other,
        }
    }
}

/// The default sign-in method, as the user chose it and as Entra will apply it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DefaultMethodView {
    /// False when the tenant did not tell us (the beta API failed or is absent).
    pub known: bool,
    /// `push`, `oath`, `voiceMobile`, `voiceAlternateMobile`, `voiceOffice`, `sms`, or `unknown`.
    pub user_preferred: Option<String>,
    /// When on, Entra asks for the strongest method and ignores the user's choice.
    pub system_preferred_enabled: bool,
    /// What Entra will actually ask for when system-preferred MFA is on, e.g. `Fido2`.
    pub system_preferred: Option<String>,
    /// With system-preferred MFA (on by default), the prompts Entra asks
    /// for, strongest first, in Microsoft's documented order over the
    /// methods this account has (`mfa_core::health::asked_order`).
    pub asked_order: Vec<AskedView>,
}

/// One prompt in the order Entra asks for them.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AskedView {
    /// `temporaryAccessPass`, `passkey`, `authenticatorPush`, `external`,
    /// `code`, `sms`, `voice` or `qrCode`.
    pub prompt: String,
    pub method_ids: Vec<String>,
    /// SMS or voice before Microsoft stops delivering them.
    pub ending: bool,
}

/// "How safe is this account from a lost phone?"
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthView {
    /// Methods that do not fall together with another (see ARCHITECTURE.md).
    pub independent_methods: u32,
    pub phishing_resistant_methods: u32,
    /// The product's recommended floor (three).
    pub recommended_minimum: u32,
    /// Every MFA method lives on one device: losing it locks the user out.
    pub single_device: bool,
    /// The devices the methods are on (methods lost together).
    pub devices: Vec<DeviceView>,
    /// SMS and voice, where Microsoft ends them; `None` in sovereign clouds,
    /// with the organisation's own telecom provider, or without a phone.
    pub ending: Option<EndingView>,
    /// "Is <number> on the same phone as Authenticator on <phone>?", while
    /// unanswered (`answer_same_phone`).
    pub same_phone_questions: Vec<SamePhoneQuestionView>,
    /// What losing the phone would do today; `None` without a phone.
    pub lost_phone: Option<LostPhoneView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub name: Option<String>,
    pub method_ids: Vec<String>,
    pub holds_authenticator: bool,
    /// At least one of its methods counts toward the recommended number.
    pub counts: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndingView {
    /// `YYYY-MM-DD`: the day Microsoft stops delivering SMS and voice.
    pub on: String,
    /// Today (the app's clock) is on or after `on`.
    pub ended: bool,
    pub method_ids: Vec<String>,
    /// SMS or voice is the account's only way to sign in: the user must
    /// register something else (a passkey first) before `on`.
    pub only_way: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SamePhoneQuestionView {
    pub number: String,
    /// The Authenticator phone's name.
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LostPhoneView {
    /// The phone's name, or the mobile number without Authenticator.
    pub phone: String,
    pub method_ids: Vec<String>,
    /// `stillSignIn` (with `devices`), `onlyUntil` (SMS or voice on another
    /// number, until `until`) or `lockedOut`.
    pub outcome: String,
    pub devices: Option<u32>,
    /// `YYYY-MM-DD`.
    pub until: Option<String>,
    /// Numbers counted as on this phone because the user has not said.
    pub assumed: Vec<String>,
}

fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn ids(list: &[mfa_core::security_info::MethodId]) -> Vec<String> {
    list.iter().map(|id| id.as_str().to_owned()).collect()
}

impl SecurityInfoView {
    /// The view of `info` against the organisation's `floor`, with its
    /// health `report` (`Assistant::health`).
    pub fn new(info: &security_info::SecurityInfo, floor: Floor, report: &health::Report) -> Self {
        let default = info.default_method();
        let ending_ids = report
            .ending
            .as_ref()
            .map(|e| e.methods.clone())
            .unwrap_or_default();
        let methods = info
            .methods
            .iter()
            .map(|m| MethodView {
                id: m.id.as_str().to_owned(),
                kind: MethodKind::from(&m.kind),
                name: m.kind.human_name().unwrap_or_default().to_owned(),
                phone_type: match &m.kind {
                    CoreKind::Phone { phone_type, .. } => Some(phone_type.as_graph().to_owned()),
                    _ => None,
                },
                added: m.created.map(format_rfc3339),
                is_default: default.is_some_and(|d| d == &m.id),
                phishing_resistant: m.kind.is_phishing_resistant(),
                counts_for_mfa: m.kind.counts_for_mfa(),
                odata_type: match &m.kind {
                    CoreKind::Other { odata_type, .. } => Some(odata_type.clone()),
                    _ => None,
                },
                removable: m.kind.deletable_collection().is_some(),
                token: m.kind.token_details().map(|t| TokenView {
                    serial_number: t.serial_number,
                    manufacturer: t.manufacturer,
                    model: t.model,
                }),
                unreadable: !m.id.is_from_graph(),
                managed_by: match &m.kind {
                    CoreKind::External { .. } => Some(ManagedBy::ExternalProvider),
                    CoreKind::QrCodePin => Some(ManagedBy::Organisation),
                    _ => None,
                },
                authenticator_passkey: m.kind.authenticator_passkey().map(|platform| {
                    let tie = report.passkeys.iter().find(|p| p.passkey == m.id);
                    AuthenticatorPasskeyView {
                        platform: platform.name().to_owned(),
                        phone: tie.and_then(|t| t.phone.clone()),
                        authenticator_id: tie
                            .and_then(|t| t.authenticator.as_ref())
                            .map(|id| id.as_str().to_owned()),
                        tie: tie
                            .map(|t| t.tie.name())
                            .unwrap_or("noAuthenticator")
                            .to_owned(),
                        certain: tie.is_some_and(|t| t.tie.certain()),
                    }
                }),
                ending: ending_ids.contains(&m.id),
            })
            .collect();
        let asked_order: Vec<AskedView> = report
            .asked_order
            .iter()
            .map(|a| AskedView {
                prompt: a.prompt.name().to_owned(),
                method_ids: ids(&a.methods),
                ending: a.ending,
            })
            .collect();
        SecurityInfoView {
            account: AccountView {
                display_name: info.account.display_name.clone(),
                upn: info.account.upn.clone(),
            },
            methods,
            default_method: match &info.preferences {
                Some(p) => DefaultMethodView {
                    known: true,
                    user_preferred: p.user_preferred.as_ref().map(SecondaryMethod::as_graph),
                    system_preferred_enabled: p.system_preferred_enabled,
                    system_preferred: p.system_preferred.clone(),
                    asked_order,
                },
                None => DefaultMethodView {
                    known: false,
                    user_preferred: None,
                    system_preferred_enabled: false,
                    system_preferred: None,
                    asked_order,
                },
            },
            health: HealthView {
                independent_methods: report.independent_methods,
                phishing_resistant_methods: report.phishing_resistant_methods,
                recommended_minimum: floor.recommended(),
                single_device: report.single_device,
                devices: report
                    .devices
                    .iter()
                    .map(|d| DeviceView {
                        name: d.name.clone(),
                        method_ids: ids(&d.methods),
                        holds_authenticator: d.holds_authenticator,
                        counts: d.counts,
                    })
                    .collect(),
                ending: report.ending.as_ref().map(|e| EndingView {
                    on: iso_date(e.on),
                    ended: e.ended,
                    method_ids: ids(&e.methods),
                    only_way: e.only_way,
                }),
                same_phone_questions: report
                    .questions
                    .iter()
                    .map(|q| SamePhoneQuestionView {
                        number: q.number.clone(),
                        phone: q.phone.clone(),
                    })
                    .collect(),
                lost_phone: report.lost_phone.as_ref().map(|l| {
                    let (outcome, devices, until) = match l.outcome {
                        LostOutcome::StillSignIn { devices } => {
                            ("stillSignIn", Some(devices), None)
                        }
                        LostOutcome::OnlyUntil { on } => ("onlyUntil", None, Some(iso_date(on))),
                        LostOutcome::LockedOut => ("lockedOut", None, None),
                    };
                    LostPhoneView {
                        phone: l.phone.clone(),
                        method_ids: ids(&l.methods),
                        outcome: outcome.to_owned(),
                        devices,
                        until,
                        assumed: l.assumed.clone(),
                    }
                }),
            },
            // Only prompts the app can offer; an unknown one is not a choice.
            default_choices: guardrails::default_choices(info)
                .iter()
                .filter_map(|m| DefaultChoiceInput::from_wire(&m.as_graph()))
                .collect(),
            // `suggest_next` suggests only what "get to three" registers.
            suggestion: RegistrationInput::from_wire(journey::suggest_next(info).name())
                .unwrap_or(RegistrationInput::SecurityKey),
            pass_ends: info
                .methods
                .iter()
                .filter_map(|m| match &m.kind {
                    security_info::MethodKind::TemporaryAccessPass { ends, .. } => *ends,
                    _ => None,
                })
                .max()
                .map(format_rfc3339),
        }
    }
}

/// A journey in progress: its steps, where it is, and what it waits for.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JourneyView {
    /// `newPhone`, `phoneNumber`, `chooseDefault`, `addMethod`, `removeMethod`.
    pub kind: String,
    pub steps: Vec<JourneyStepView>,
    /// Index of the current step; equal to the number of steps when finished.
    pub current: u32,
    pub waiting: WaitingView,
    /// `notWorking`, or `notAllowed: <reason>`, from the last attempt.
    pub note: Option<String>,
    /// The user said the old phone is already gone.
    pub old_device_lost: bool,
    /// A method to remove was already gone (removed on the web, or before a
    /// crash); nothing was deleted twice.
    pub removed_elsewhere: bool,
    /// Where the user registers what Graph cannot create, and its QR code
    /// (SVG) for opening it on a new phone.
    pub security_info_url: String,
    pub security_info_qr_svg: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JourneyStepView {
    /// `confirmIdentity`, `register`, `confirmWorks`, `setDefault`,
    /// `addPhone`, `updatePhone`, `remove`, `verify`.
    pub name: String,
    pub state: StepState,
    /// What the step is about: a method kind (`microsoftAuthenticator`...),
    /// a registration (`authenticator`...), a prompt (`push`...) or `phone`.
    pub subject_kind: Option<String>,
    /// Its name as the account shows it: a device, a number (never words:
    /// the window words the kind and the phone type).
    pub subject_name: Option<String>,
    /// A phone registration's type (`mobile`, `alternateMobile`, `office`).
    pub phone_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    Done,
    Current,
    Pending,
}

/// What the journey needs from the user now.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "waiting")]
pub enum WaitingView {
    ConfirmIdentity,
    /// Register this on the Security Info page; the app keeps checking Graph.
    /// `fallback` when the organisation does not let the app make the change.
    #[serde(rename_all = "camelCase")]
    Register {
        registration: String,
        phone_type: Option<String>,
        phone_number: Option<String>,
        fallback: bool,
    },
    #[serde(rename_all = "camelCase")]
    ConfirmWorks {
        method_id: Option<String>,
        /// What is being proven: the registration the step before made
        /// (`authenticator`, `authenticatorPasskey`...) or `phone` (a new
        /// number: a sign-in choosing it, or the code Security Info sends).
        proving: Option<String>,
    },
    AcceptConcerns {
        concerns: Vec<ConcernView>,
    },
    /// Graph did not let the app set the default: the user chooses `choice`
    /// (a `userPreferredMethodForSecondaryAuthentication` value) under
    /// "Change default" on the Security Info page; the app keeps checking Graph.
    ChangeDefaultOnPage {
        choice: String,
    },
    /// Nothing from the user: the current step runs when the journey
    /// continues (it stopped at an error, or the app was restarted).
    Continue,
    Finished,
}

/// A guardrail's concern, for the user to read and accept.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConcernView {
    /// `belowRecommended`, `singleDevice`, `losesPhishingResistance`.
    pub kind: String,
    pub after: Option<u32>,
    pub recommended: Option<u32>,
}

/// One change the app made, for the activity log.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// RFC 3339.
    pub time: String,
    /// `addPhone`, `updatePhone`, `remove`, `setDefault`, `registered`.
    pub action: String,
    pub before: Option<SnapshotView>,
    pub after: Option<SnapshotView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotView {
    pub kind: String,
    pub name: Option<String>,
}

impl From<mfa_core::session::Restored> for SessionView {
    fn from(r: mfa_core::session::Restored) -> SessionView {
        use mfa_core::session::Restored;
        match r {
            Restored::SignedIn { upn } => SessionView::SignedIn { upn },
            Restored::SignedOut => SessionView::SignedOut,
            Restored::Expired => SessionView::Expired,
        }
    }
}

impl From<mfa_core::auth::SignedInUser> for SessionView {
    fn from(user: mfa_core::auth::SignedInUser) -> SessionView {
        SessionView::SignedIn { upn: user.upn }
    }
}

impl From<&mfa_core::assistant::DeviceCodeSignIn> for DeviceCodeView {
    fn from(d: &mfa_core::assistant::DeviceCodeSignIn) -> DeviceCodeView {
        DeviceCodeView {
            user_code: d.user_code.clone(),
            verification_uri: d.verification_uri.clone(),
            expires_in_secs: d.expires_in.as_secs().min(u64::from(u32::MAX)) as u32,
            qr_svg: d.qr_svg.clone(),
        }
    }
}

/// A reset request as it will be sent, for the user to check first.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResetPreviewView {
    /// Pass to `send_reset_request` to send exactly this.
    pub draft_id: String,
    pub request: ResetRequestView,
    /// The exact JSON body the helpdesk will receive.
    pub payload: String,
    /// `relay` or `zendesk`, and where.
    pub helpdesk_kind: String,
    pub helpdesk_url: String,
    /// Whether the request will carry device proof (relay only).
    pub device_proof: DeviceProofView,
    /// With `enrolledDevice`: when this computer's key was enrolled for the
    /// account (RFC 3339). The relay, not the app, decides whether it still
    /// knows the key: a locked-out user cannot ask it.
    pub device_key_enrolled_at: Option<String>,
}

/// What the helpdesk will be able to tell about this computer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DeviceProofView {
    /// This computer holds a device key enrolled for the request's account
    /// (while it was signed in here): the request is signed with it.
    EnrolledDevice,
    /// No enrolled key here for that account: the helpdesk treats the
    /// computer as unverified.
    UnverifiedDevice,
    /// The helpdesk (Zendesk) has no device proof.
    NotUsed,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequestView {
    pub upn: String,
    pub reason: String,
    pub reason_detail: String,
    pub still_has: Vec<String>,
    pub callback_preference: String,
    pub availability: String,
    pub device_os: String,
    pub app_version: String,
    /// RFC 3339.
    pub created_at: String,
    /// Shown to the user; the helpdesk asks for it on the call-back.
    pub verification_phrase: String,
    pub unauthenticated: bool,
    /// The steps a relay's ticket carries unless the organisation wrote its
    /// own: shown to the user, never sent (the runbook is the relay's).
    pub runbook: Vec<String>,
}

/// A request in the outbox and where it stands.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResetStatusView {
    pub key: String,
    pub upn: String,
    pub created_at: String,
    pub verification_phrase: String,
    /// `pending` (kept on this computer), `accepted` (the organisation's
    /// relay has it; no ticket number yet), `delivered` (a ticket exists) or
    /// `refused`.
    pub status: String,
    pub ticket_number: Option<String>,
    /// The relay's reference for the request, once it has it.
    pub request_id: Option<String>,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    /// What went wrong last, as values the window words (the English is in
    /// diagnostics only).
    pub problem: Option<DeliveryProblemView>,
}

/// `mfa_core::helpdesk::DeliveryProblem`; `unrecorded` for a problem an
/// older version kept only in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DeliveryProblemView {
    Unreachable,
    Answered { status: u16, code: Option<String> },
    NoReference { status: u16 },
    NotFiledYet,
    Unencodable,
    Unrecorded,
}

impl DeliveryProblemView {
    fn of(entry: &mfa_core::helpdesk::OutboxEntry) -> Option<DeliveryProblemView> {
        use mfa_core::helpdesk::DeliveryProblem as Core;
        Some(match &entry.last_problem {
            Some(Core::Unreachable) => DeliveryProblemView::Unreachable,
            Some(Core::Answered { status, code }) => DeliveryProblemView::Answered {
                status: *status,
                code: code.clone(),
            },
            Some(Core::NoReference { status }) => {
                DeliveryProblemView::NoReference { status: *status }
            }
            Some(Core::NotFiledYet) => DeliveryProblemView::NotFiledYet,
            Some(Core::Unencodable) => DeliveryProblemView::Unencodable,
            None => match (&entry.last_error, &entry.state) {
                (Some(_), _) | (None, mfa_core::helpdesk::DeliveryState::Refused { .. }) => {
                    DeliveryProblemView::Unrecorded
                }
                (None, _) => return None,
            },
        })
    }
}

impl From<&mfa_core::assistant::ResetPreview> for ResetPreviewView {
    fn from(p: &mfa_core::assistant::ResetPreview) -> ResetPreviewView {
        use mfa_core::assistant::DeviceProof;
        let (device_proof, device_key_enrolled_at) = match p.device_proof {
            DeviceProof::NotUsed => (DeviceProofView::NotUsed, None),
            DeviceProof::UnverifiedDevice => (DeviceProofView::UnverifiedDevice, None),
            DeviceProof::EnrolledDevice { enrolled_at } => (
                DeviceProofView::EnrolledDevice,
                Some(format_rfc3339(enrolled_at)),
            ),
        };
        ResetPreviewView {
            draft_id: p.draft_id.clone(),
            request: ResetRequestView::from(&p.request),
            payload: p.payload.clone(),
            helpdesk_kind: p.helpdesk.kind().to_owned(),
            helpdesk_url: p.helpdesk.url().to_string(),
            device_proof,
            device_key_enrolled_at,
        }
    }
}

impl From<&mfa_core::helpdesk::ResetRequest> for ResetRequestView {
    fn from(r: &mfa_core::helpdesk::ResetRequest) -> ResetRequestView {
        use mfa_core::helpdesk::enum_name;
        ResetRequestView {
            upn: r.upn.to_string(),
            reason: enum_name(&r.reason),
            reason_detail: r.reason_detail.clone().unwrap_or_default(),
            still_has: r.still_has.iter().map(enum_name).collect(),
            callback_preference: enum_name(&r.callback.preference),
            availability: r.callback.availability.clone().unwrap_or_default(),
            device_os: r.device.os.clone(),
            app_version: r.device.app_version.clone(),
            created_at: format_rfc3339(r.created_at),
            verification_phrase: r.verification_phrase.clone(),
            // Every request says so (the contract's `unauthenticated: true`).
            unauthenticated: true,
            runbook: mfa_core::helpdesk::RUNBOOK
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

impl From<&mfa_core::helpdesk::OutboxEntry> for ResetStatusView {
    fn from(e: &mfa_core::helpdesk::OutboxEntry) -> ResetStatusView {
        use mfa_core::helpdesk::DeliveryState;
        let (status, ticket_number, problem) = match &e.state {
            DeliveryState::Pending => ("pending", None, DeliveryProblemView::of(e)),
            // Zendesk and the emulator's stand-in answer with the ticket
            // number; a relay that files in the background answers
            // `accepted` first and the outbox asks it for the number later.
            DeliveryState::Delivered {
                ticket_number: Some(number),
                ..
            } => ("delivered", Some(number.clone()), None),
            DeliveryState::Delivered {
                ticket_number: None,
                ..
            } => ("accepted", None, DeliveryProblemView::of(e)),
            DeliveryState::Refused { .. } => ("refused", None, DeliveryProblemView::of(e)),
        };
        ResetStatusView {
            key: e.idempotency_key.clone(),
            upn: e.request.upn.to_string(),
            created_at: format_rfc3339(e.request.created_at),
            verification_phrase: e.request.verification_phrase.clone(),
            status: status.to_owned(),
            ticket_number,
            request_id: match &e.state {
                DeliveryState::Delivered { request_id, .. } => Some(request_id.clone()),
                _ => None,
            },
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at.map(format_rfc3339),
            problem,
        }
    }
}

/// Where the exported activity log was written.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    pub path: String,
    pub entries: u32,
}

impl From<&mfa_core::assistant::Export> for ExportView {
    fn from(e: &mfa_core::assistant::Export) -> ExportView {
        ExportView {
            path: e.path.display().to_string(),
            entries: e.entries as u32,
        }
    }
}

impl JourneyView {
    /// The view of `journey` where it stands ([`Journey::waiting`]), with
    /// the page where the user registers what Graph cannot create.
    pub fn new(journey: &Journey, page: &mfa_core::assistant::SecurityInfoPage) -> JourneyView {
        let security_info_url = page.url.as_str();
        let security_info_qr_svg = page.qr_svg.clone();
        let steps = journey
            .steps()
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let (subject_kind, subject_name, phone_type) = match step {
                    Step::Register { registration, .. } => match registration {
                        Registration::Phone { phone_type, number } => (
                            Some("phone".to_owned()),
                            Some(number.as_str().to_owned()),
                            Some(phone_type.as_graph().to_owned()),
                        ),
                        r => (Some(r.name().to_owned()), None, None),
                    },
                    Step::SetDefault { choice } => (Some(choice.as_graph()), None, None),
                    Step::AddPhone { phone_type, number }
                    | Step::UpdatePhone { phone_type, number } => (
                        Some(phone_type.as_graph().to_owned()),
                        Some(number.as_str().to_owned()),
                        None,
                    ),
                    Step::Remove { id, .. } => (None, Some(id.as_str().to_owned()), None),
                    _ => (None, None, None),
                };
                JourneyStepView {
                    name: step.name().to_owned(),
                    state: if i < journey.current() {
                        StepState::Done
                    } else if i == journey.current() {
                        StepState::Current
                    } else {
                        StepState::Pending
                    },
                    subject_kind,
                    subject_name,
                    phone_type,
                }
            })
            .collect();
        JourneyView {
            kind: journey.kind().name().to_owned(),
            steps,
            current: journey.current() as u32,
            waiting: match WaitingView::from(&journey.waiting()) {
                WaitingView::ConfirmWorks { method_id, .. } => WaitingView::ConfirmWorks {
                    method_id,
                    proving: journey
                        .current()
                        .checked_sub(1)
                        .and_then(|i| journey.steps().get(i))
                        .and_then(|s| match s {
                            Step::Register { registration, .. } => Some(registration.name()),
                            Step::AddPhone { .. } | Step::UpdatePhone { .. } => Some("phone"),
                            _ => None,
                        })
                        .map(str::to_owned),
                },
                other => other,
            },
            note: journey.note().map(ToString::to_string),
            old_device_lost: journey.old_device_lost(),
            removed_elsewhere: journey.removed_elsewhere(),
            security_info_url: security_info_url.to_owned(),
            security_info_qr_svg,
        }
    }
}

impl From<&Waiting> for WaitingView {
    fn from(w: &Waiting) -> WaitingView {
        let register = |r: &Registration, fallback: bool| {
            let (phone_type, phone_number) = match r {
                Registration::Phone { phone_type, number } => (
                    Some(phone_type.as_graph().to_owned()),
                    Some(number.as_str().to_owned()),
                ),
                _ => (None, None),
            };
            WaitingView::Register {
                registration: r.name().to_owned(),
                phone_type,
                phone_number,
                fallback,
            }
        };
        match w {
            Waiting::ConfirmIdentity => WaitingView::ConfirmIdentity,
            Waiting::Register(r) => register(r, false),
            Waiting::UseSecurityInfoPage(r) => register(r, true),
            Waiting::ConfirmWorks { method } => WaitingView::ConfirmWorks {
                method_id: method.as_ref().map(|m| m.as_str().to_owned()),
                proving: None,
            },
            Waiting::AcceptConcerns(concerns) => WaitingView::AcceptConcerns {
                concerns: concerns
                    .iter()
                    .map(|c| match c {
                        Concern::BelowRecommended { after, recommended } => ConcernView {
                            kind: journey::concern_name(c),
                            after: Some(*after),
                            recommended: Some(*recommended),
                        },
                        other => ConcernView {
                            kind: journey::concern_name(other),
                            after: None,
                            recommended: None,
                        },
                    })
                    .collect(),
            },
            Waiting::ChangeDefaultOnPage(choice) => WaitingView::ChangeDefaultOnPage {
                choice: choice.as_graph(),
            },
            Waiting::Continue => WaitingView::Continue,
            Waiting::Finished => WaitingView::Finished,
        }
    }
}

impl From<&ActivityEntry> for ActivityView {
    fn from(e: &ActivityEntry) -> ActivityView {
        let snap = |s: &Option<Snapshot>| {
            s.as_ref().map(|s| SnapshotView {
                kind: s.kind.clone(),
                name: s.name.clone(),
            })
        };
        ActivityView {
            time: format_rfc3339(e.time),
            action: e.action.clone(),
            before: snap(&e.before),
            after: snap(&e.after),
        }
    }
}

pub(crate) fn format_rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Every error crosses the boundary as `{code, detail, message}`: the UI
/// branches on `code` and words it from its catalogue; `detail` holds the
/// specific values (which setting, which rule, which answer from the
/// service), which the UI words in the user's language too. `message` is
/// the back end's English, for the log and the diagnostics report IT reads;
/// the window never shows it. `field` names the one input at fault, when
/// there is one (an argument, or a field of the reset form, in the webview's
/// spelling), so the UI shows the problem beside it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErrorView {
    pub code: ErrorCode,
    /// Boxed: most errors have none, and a small `Err` keeps every
    /// `Result<_, ErrorView>` small.
    pub detail: Box<ErrorDetail>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl ErrorView {
    /// Every error view is made here, and recorded for diagnostics.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorView {
        let view = ErrorView {
            code,
            detail: Box::new(ErrorDetail::None),
            message: message.into(),
            field: None,
        };
        crate::errors::record(&view);
        view
    }

    /// An error about one input, `field`.
    pub fn for_field(code: ErrorCode, field: &str, message: impl Into<String>) -> ErrorView {
        ErrorView {
            field: Some(field.to_owned()),
            ..ErrorView::new(code, message)
        }
    }

    /// The same error, with the values the window words under its sentence.
    pub fn with(self, detail: ErrorDetail) -> ErrorView {
        ErrorView {
            detail: Box::new(detail),
            ..self
        }
    }
}

/// What an error's sentence leaves out, as values: the window words each
/// kind from its catalogue (`ui/src/errorDetail.ts`), so nothing the user
/// reads is the back end's English. A value that is a name (a file, a
/// setting, an account, a code the service sent) is shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ErrorDetail {
    /// The code's sentence says it all.
    None,
    /// A setting an administrator wrote: the file, and the key when one key
    /// is at fault. Why it is wrong is in the diagnostics report.
    Setting {
        file: String,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// What the organisation's service answered, for IT: the HTTP status,
    /// its error code (Graph's `code`, or the identity platform's
    /// `AADSTS…`), Graph's `request-id`.
    Service {
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// The service asked the app to wait this long before trying again.
    RetryAfter { seconds: u32 },
    /// How long the app waited for the browser.
    Waited { seconds: u32 },
    /// Signed in here as one account, confirmed in the browser as another.
    Accounts {
        signed_in: String,
        confirmed: String,
    },
    /// Why a sign-in was not accepted, with the identity platform's code.
    SignIn {
        problem: SignInProblem,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// The guardrail that refused a change (`mfa_core::guardrails::Refusal`)
    /// and its numbers: `after`/`required` methods, the phone type
    /// (`mobile`…), the default method (`push`, `sms`…), in Graph's names.
    Refusal {
        reason: RefusalReason,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        after: Option<u32>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        required: Option<u32>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        phone_type: Option<String>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        method: Option<String>,
    },
    /// What is wrong with a typed phone number; for two typings that differ,
    /// both, normalised.
    PhoneNumber {
        problem: PhoneProblem,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        first: Option<String>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        again: Option<String>,
    },
    /// What is wrong with a field of the reset form; for an account
    /// outside the organisation, the `domain` typed and the `domains` allowed.
    FormField {
        problem: FormProblem,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        domain: Option<String>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        domains: Option<Vec<String>>,
    },
}

/// Why the identity platform's answer ended a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SignInProblem {
    /// The browser's answer did not belong to the sign-in in progress.
    StateMismatch,
    /// The sign-in code or stored sign-in was expired, used or revoked.
    CodeRefused,
    /// The identity platform refused (its code says why).
    Refused,
    /// Its ID token did not pass the app's checks.
    IdToken,
}

/// One per `mfa_core::guardrails::Refusal` the window can meet (a method
/// that is gone has its own code, `method_gone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RefusalReason {
    PasswordCannotBeRemoved,
    LastMethod,
    BelowRequired,
    IsDefault,
    ReplacementNotVerified,
    MobileNeededByAlternate,
    PhoneTypeTaken,
    AlternateNeedsMobile,
    DuplicateNumber,
    UnchangedNumber,
    NotAPhone,
    NoMethodForDefault,
    AlreadyDefault,
}

/// `mfa_core::guardrails::PhoneProblem`, as the window's keys name it
/// (`phoneNumber.<problem>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PhoneProblem {
    Empty,
    NoPlus,
    NoSpace,
    Country,
    Digits,
    Length,
    Extension,
    Differ,
}

/// `mfa_core::helpdesk::FormProblem`, as the window names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FormProblem {
    UpnEmpty,
    UpnShape,
    UpnDomain,
    TooLong,
    Hidden,
    DetailNeeded,
    StillHasEmpty,
    NothingAlone,
    Contract,
}

/// The small set of situations the UI treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The configuration file is unreadable or wrong; the message names file and key.
    ConfigInvalid,
    /// No tenant is configured and the organisation has turned the demo tenant off.
    NotConfigured,
    /// No OS keychain to keep the sign-in in; the app refuses to store it elsewhere.
    KeychainUnavailable,
    /// The keychain is locked and the user did not unlock it.
    KeychainLocked,
    /// An action needs a signed-in user.
    NotSignedIn,
    /// The tenant no longer accepts the stored sign-in (`invalid_grant`): sign in again.
    SessionExpired,
    /// The user cancelled in the browser (`access_denied`) or in the app.
    SignInCancelled,
    /// The browser never came back to the app.
    SignInTimedOut,
    /// The sign-in failed for a reason the message explains (state mismatch, expired code...).
    SignInFailed,
    /// Another sign-in is already waiting for the browser.
    SignInInProgress,
    /// No browser could be opened: offer sign-in on another device.
    BrowserUnavailable,
    /// The tenant asked us to slow down (429) or is unavailable (503), even after retrying.
    ServiceBusy,
    /// The tenant could not be reached at all.
    Network,
    /// The tenant answered with an error the message describes.
    ServiceError,
    /// Graph does not offer this API in the organisation's cloud (or the
    /// app is set up for another cloud): the Security Info page still works.
    NotInThisCloud,
    /// An argument from the UI was rejected before anything was sent.
    InvalidInput,
    /// A change needs the user to confirm it's them (fresh MFA) first; nothing was changed.
    ConfirmIdentity,
    /// The organisation does not let the app make this change; use the Security Info page.
    ChangeNotAllowed,
    /// The user confirmed in the browser as a different account.
    WrongAccount,
    /// A guardrail refused the change; the message says why. Nothing was changed.
    ChangeRefused,
    /// The method is no longer on the account (removed elsewhere).
    MethodGone,
    /// After a change, Graph does not show what was expected; the message says what.
    ChangeNotVerified,
    /// A change is under way in another MFA Assistant window.
    JourneyBusy,
    /// The organisation has not configured where reset requests go.
    HelpdeskNotConfigured,
    /// A bug: the message says what, and the app stays usable.
    Internal,
}
