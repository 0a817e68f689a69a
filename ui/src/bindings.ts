// Generated from src-tauri/wire.rs by tests/bindings.rs. Do not edit:
// run `UPDATE_BINDINGS=1 cargo test --test bindings` after changing the Rust types.

export type AppInfo = { version: string, tenant: TenantView, 
/**
 * The settings in use and where each came from ("Settings in use").
 */
settings: SettingsView, 
/**
 * The demo tenant's users and passwords; empty unless `tenant.demo`.
 */
demoUsers: Array<DemoUserView>, 
/**
 * Whether "request admin reset" can send requests (the organisation
 * configured a helpdesk, or the demo tenant's own).
 */
helpdeskConfigured: boolean, 
/**
 * The triage's reasons for which Entra account recovery is offered
 * first (`mfa_core::triage`); empty when the organisation has not
 * turned it on (`account_recovery`).
 */
accountRecoveryFor: Array<Reason>, };
export type TenantView = { 
/**
 * True when the app talks to the built-in demo tenant (the emulator).
 */
demo: boolean, displayName: string, 
/**
 * `public`, `usGovernment`, `usGovernmentDoD`, `china`, `custom` or `demo`.
 */
cloud: string, tenant: string, };
export type KnownAccountView = { upn: string, displayName: string, };
export type LanguageView = { 
/**
 * The BCP 47 tag of one of the UI's catalogues (`en`, `de`, `pt-BR`,
 * `zh-Hans`, …, or a pseudo-locale `qps-ploc` / `qps-plocm`).
 */
language: string, 
/**
 * True when the user chose it in the window (else it follows the system).
 */
chosen: boolean, 
/**
 * True when `MFA_ASSISTANT_LANGUAGE` sets it: the window's choice is then not used.
 */
forced: boolean, };
export type SettingsView = { 
/**
 * Where the organisation's settings are read from, which locks every
 * key they set: a file path, the policy registry key, or the
 * managed-preferences plist.
 */
managedFile: string, 
/**
 * `file`, `groupPolicy` (Windows) or `configurationProfile` (macOS).
 */
managedKind: ManagedKindView, managedFound: boolean, 
/**
 * The user's own file (`MFA_ASSISTANT_CONFIG` or the platform's place).
 */
userFile: string | null, userFound: boolean, 
/**
 * Every setting in use, in the order of the file format's keys.
 */
entries: Array<SettingView>, 
/**
 * Keys the user's file sets that the organisation's file locks; the
 * organisation's values are used instead.
 */
ignored: Array<string>, };
export type ManagedKindView = "file" | "groupPolicy" | "configurationProfile";
export type SettingView = { 
/**
 * The key as written in the file, e.g. `client_id`.
 */
key: string, 
/**
 * The value in use; `None` when nothing is set and nothing is built in.
 */
value: string | null, 
/**
 * For `helpdesk`: `relay` or `zendesk`. For `security_info_url`:
 * `unverified` when no Microsoft page confirms the cloud's address.
 */
detail: string | null, origin: SettingOrigin, };
export type SettingOrigin = "managed" | "user" | "builtIn" | "demo";
export type DemoUserView = { upn: string, password: string, displayName: string, story: string, };
export type SessionView = { "state": "signedIn", upn: string, } | { "state": "signedOut" } | { "state": "expired" };
export type DeviceCodeView = { userCode: string, verificationUri: string, 
/**
 * Seconds until the code expires.
 */
expiresInSecs: number, 
/**
 * An SVG QR code of `verification_uri`, rendered in Rust.
 */
qrSvg: string, };
export type SignOutView = { 
/**
 * True when a refresh token was found in the keychain and deleted.
 */
removedFromKeychain: boolean, };
export type SecurityInfoView = { account: AccountView, methods: Array<MethodView>, defaultMethod: DefaultMethodView, health: HealthView, 
/**
 * The default prompts this account can answer, strongest first, as
 * `choose_default` takes them.
 */
defaultChoices: Array<DefaultChoiceInput>, 
/**
 * What to register next to get closer to the recommended number, as
 * `add_method` takes it.
 */
suggestion: RegistrationInput, 
/**
 * When the Temporary Access Pass on the account stops working (RFC
 * 3339), if Graph lists one with its lifetime: after a pass sign-in,
 * how long the user has to get back to three.
 */
passEnds: string | null, };
export type AccountView = { displayName: string, upn: string, };
export type MethodView = { id: string, kind: MethodKind, 
/**
 * The human name Graph gives it: a device name, a phone number, a key
 * model or an email address. Empty when Graph gives none.
 */
name: string, 
/**
 * For phones: `mobile`, `alternateMobile` or `office`.
 */
phoneType: string | null, 
/**
 * RFC 3339, when Graph says when it was added.
 */
added: string | null, 
/**
 * The method behind the user's default sign-in method.
 */
isDefault: boolean, phishingResistant: boolean, 
/**
 * Counts toward the independent methods in the health summary.
 */
countsForMfa: boolean, 
/**
 * For `other`: the `@odata.type` Graph sent, shown so the user can ask about it.
 */
odataType: string | null, 
/**
 * The app can remove it (not the password, not kinds without a delete).
 */
removable: boolean, 
/**
 * For a hardware token: what its own label says, to tell tokens apart.
 */
token: TokenView | null, 
/**
 * Who manages a method the user cannot change here or in Security
 * Info: an external MFA provider, or the organisation (QR code + PIN).
 */
managedBy: ManagedBy | null, 
/**
 * Graph listed it with an id the app cannot read: shown, never changed.
 */
unreadable: boolean, 
/**
 * For a passkey in Microsoft Authenticator: the phone it is grouped with.
 */
authenticatorPasskey: AuthenticatorPasskeyView | null, 
/**
 * SMS or voice that Microsoft stops delivering (`health.ending` says when).
 */
ending: boolean, };
export type TokenView = { serialNumber: string | null, manufacturer: string | null, model: string | null, };
export type ManagedBy = "externalProvider" | "organisation";
export type AuthenticatorPasskeyView = { 
/**
 * `ios` or `android` (from the `aaGuid`).
 */
platform: string, 
/**
 * The phone's name; `None` when nothing names it.
 */
phone: string | null, 
/**
 * The Authenticator registration it is grouped with.
 */
authenticatorId: string | null, 
/**
 * How it was tied to the phone: `byName` (the passkey's name names the
 * phone), `onlyAuthenticator` (the account's one Authenticator phone),
 * `byDate` (several phones: the newest registered before the passkey, a guess) or
 * `noAuthenticator` (a phone of its own).
 */
tie: string, 
/**
 * False when the tie is a likely guess the UI should hedge ("probably").
 */
certain: boolean, };
export type MethodKind = "password" | "microsoftAuthenticator" | "phone" | "email" | "fido2" | "windowsHelloForBusiness" | "platformCredential" | "softwareOath" | "hardwareOath" | "temporaryAccessPass" | "external" | "qrCodePin" | "other";
export type DefaultMethodView = { 
/**
 * False when the tenant did not tell us (the beta API failed or is absent).
 */
known: boolean, 
/**
 * `push`, `oath`, `voiceMobile`, `voiceAlternateMobile`, `voiceOffice`, `sms`, or `unknown`.
 */
userPreferred: string | null, 
/**
 * When on, Entra asks for the strongest method and ignores the user's choice.
 */
systemPreferredEnabled: boolean, 
/**
 * What Entra will actually ask for when system-preferred MFA is on, e.g. `Fido2`.
 */
systemPreferred: string | null, 
/**
 * With system-preferred MFA (on by default), the prompts Entra asks
 * for, strongest first, in Microsoft's documented order over the
 * methods this account has (`mfa_core::health::asked_order`).
 */
askedOrder: Array<AskedView>, };
export type AskedView = { 
/**
 * `temporaryAccessPass`, `passkey`, `authenticatorPush`, `external`,
 * `code`, `sms`, `voice` or `qrCode`.
 */
prompt: string, methodIds: Array<string>, 
/**
 * SMS or voice before Microsoft stops delivering them.
 */
ending: boolean, };
export type HealthView = { 
/**
 * Methods that do not fall together with another (see ARCHITECTURE.md).
 */
independentMethods: number, phishingResistantMethods: number, 
/**
 * The product's recommended floor (three).
 */
recommendedMinimum: number, 
/**
 * Every MFA method lives on one device: losing it locks the user out.
 */
singleDevice: boolean, 
/**
 * The devices the methods are on (methods lost together).
 */
devices: Array<DeviceView>, 
/**
 * SMS and voice, where Microsoft ends them; `None` in sovereign clouds,
 * with the organisation's own telecom provider, or without a phone.
 */
ending: EndingView | null, 
/**
 * "Is <number> on the same phone as Authenticator on <phone>?", while
 * unanswered (`answer_same_phone`).
 */
samePhoneQuestions: Array<SamePhoneQuestionView>, 
/**
 * What losing the phone would do today; `None` without a phone.
 */
lostPhone: LostPhoneView | null, };
export type DeviceView = { name: string | null, methodIds: Array<string>, holdsAuthenticator: boolean, 
/**
 * At least one of its methods counts toward the recommended number.
 */
counts: boolean, };
export type EndingView = { 
/**
 * `YYYY-MM-DD`: the day Microsoft stops delivering SMS and voice.
 */
on: string, 
/**
 * Today (the app's clock) is on or after `on`.
 */
ended: boolean, methodIds: Array<string>, 
/**
 * SMS or voice is the account's only way to sign in: the user must
 * register something else (a passkey first) before `on`.
 */
onlyWay: boolean, };
export type SamePhoneQuestionView = { number: string, 
/**
 * The Authenticator phone's name.
 */
phone: string, };
export type LostPhoneView = { 
/**
 * The phone's name, or the mobile number without Authenticator.
 */
phone: string, methodIds: Array<string>, 
/**
 * `stillSignIn` (with `devices`), `onlyUntil` (SMS or voice on another
 * number, until `until`) or `lockedOut`.
 */
outcome: string, devices: number | null, 
/**
 * `YYYY-MM-DD`.
 */
until: string | null, 
/**
 * Numbers counted as on this phone because the user has not said.
 */
assumed: Array<string>, };
export type JourneyView = { 
/**
 * `newPhone`, `phoneNumber`, `chooseDefault`, `addMethod`, `removeMethod`.
 */
kind: string, steps: Array<JourneyStepView>, 
/**
 * Index of the current step; equal to the number of steps when finished.
 */
current: number, waiting: WaitingView, 
/**
 * `notWorking`, or `notAllowed: <reason>`, from the last attempt.
 */
note: string | null, 
/**
 * The user said the old phone is already gone.
 */
oldDeviceLost: boolean, 
/**
 * A method to remove was already gone (removed on the web, or before a
 * crash); nothing was deleted twice.
 */
removedElsewhere: boolean, 
/**
 * Where the user registers what Graph cannot create, and its QR code
 * (SVG) for opening it on a new phone.
 */
securityInfoUrl: string, securityInfoQrSvg: string, };
export type JourneyStepView = { 
/**
 * `confirmIdentity`, `register`, `confirmWorks`, `setDefault`,
 * `addPhone`, `updatePhone`, `remove`, `verify`.
 */
name: string, state: StepState, 
/**
 * What the step is about: a method kind (`microsoftAuthenticator`...),
 * a registration (`authenticator`...), a prompt (`push`...) or `phone`.
 */
subjectKind: string | null, 
/**
 * Its name as the account shows it: a device, a number (never words:
 * the window words the kind and the phone type).
 */
subjectName: string | null, 
/**
 * A phone registration's type (`mobile`, `alternateMobile`, `office`).
 */
phoneType: string | null, };
export type StepState = "done" | "current" | "pending";
export type WaitingView = { "waiting": "confirmIdentity" } | { "waiting": "register", registration: string, phoneType: string | null, phoneNumber: string | null, fallback: boolean, } | { "waiting": "confirmWorks", methodId: string | null, 
/**
 * What is being proven: the registration the step before made
 * (`authenticator`, `authenticatorPasskey`...) or `phone` (a new
 * number: a sign-in choosing it, or the code Security Info sends).
 */
proving: string | null, } | { "waiting": "acceptConcerns", concerns: Array<ConcernView>, } | { "waiting": "changeDefaultOnPage", choice: string, } | { "waiting": "continue" } | { "waiting": "finished" };
export type ConcernView = { 
/**
 * `belowRecommended`, `singleDevice`, `losesPhishingResistance`.
 */
kind: string, after: number | null, recommended: number | null, };
export type ActivityView = { 
/**
 * RFC 3339.
 */
time: string, 
/**
 * `addPhone`, `updatePhone`, `remove`, `setDefault`, `registered`.
 */
action: string, before: SnapshotView | null, after: SnapshotView | null, };
export type SnapshotView = { kind: string, name: string | null, };
export type ExportView = { path: string, entries: number, };
export type ResetPreviewView = { 
/**
 * Pass to `send_reset_request` to send exactly this.
 */
draftId: string, request: ResetRequestView, 
/**
 * The exact JSON body the helpdesk will receive.
 */
payload: string, 
/**
 * `relay` or `zendesk`, and where.
 */
helpdeskKind: string, helpdeskUrl: string, 
/**
 * Whether the request will carry device proof (relay only).
 */
deviceProof: DeviceProofView, 
/**
 * With `enrolledDevice`: when this computer's key was enrolled for the
 * account (RFC 3339). The relay, not the app, decides whether it still
 * knows the key: a locked-out user cannot ask it.
 */
deviceKeyEnrolledAt: string | null, };
export type DeviceProofView = "enrolledDevice" | "unverifiedDevice" | "notUsed";
export type ResetRequestView = { upn: string, reason: string, reasonDetail: string, stillHas: Array<string>, callbackPreference: string, availability: string, deviceOs: string, appVersion: string, 
/**
 * RFC 3339.
 */
createdAt: string, 
/**
 * Shown to the user; the helpdesk asks for it on the call-back.
 */
verificationPhrase: string, unauthenticated: boolean, 
/**
 * The steps a relay's ticket carries unless the organisation wrote its
 * own: shown to the user, never sent (the runbook is the relay's).
 */
runbook: Array<string>, };
export type ResetStatusView = { key: string, upn: string, createdAt: string, verificationPhrase: string, 
/**
 * `pending` (kept on this computer), `accepted` (the organisation's
 * relay has it; no ticket number yet), `delivered` (a ticket exists) or
 * `refused`.
 */
status: string, ticketNumber: string | null, 
/**
 * The relay's reference for the request, once it has it.
 */
requestId: string | null, attempts: number, nextAttemptAt: string | null, 
/**
 * What went wrong last, as values the window words (the English is in
 * diagnostics only).
 */
problem: DeliveryProblemView | null, };
export type DeliveryProblemView = { "kind": "unreachable" } | { "kind": "answered", status: number, code: string | null, } | { "kind": "noReference", status: number, } | { "kind": "notFiledYet" } | { "kind": "unencodable" } | { "kind": "unrecorded" };
export type ErrorView = { code: ErrorCode, 
/**
 * Boxed: most errors have none, and a small `Err` keeps every
 * `Result<_, ErrorView>` small.
 */
detail: ErrorDetail, message: string, field?: string, };
export type ErrorDetail = { "kind": "none" } | { "kind": "setting", file: string, key?: string, } | { "kind": "service", status?: number, code?: string, requestId?: string, } | { "kind": "retryAfter", seconds: number, } | { "kind": "waited", seconds: number, } | { "kind": "accounts", signedIn: string, confirmed: string, } | { "kind": "signIn", problem: SignInProblem, code?: string, } | { "kind": "refusal", reason: RefusalReason, after?: number, required?: number, phoneType?: string, method?: string, } | { "kind": "phoneNumber", problem: PhoneProblem, first?: string, again?: string, } | { "kind": "formField", problem: FormProblem, domain?: string, max?: number, length?: number, domains?: Array<string>, };
export type SignInProblem = "stateMismatch" | "codeRefused" | "refused" | "idToken";
export type RefusalReason = "passwordCannotBeRemoved" | "lastMethod" | "belowRequired" | "isDefault" | "replacementNotVerified" | "mobileNeededByAlternate" | "phoneTypeTaken" | "alternateNeedsMobile" | "duplicateNumber" | "unchangedNumber" | "notAPhone" | "noMethodForDefault" | "alreadyDefault";
export type PhoneProblem = "empty" | "noPlus" | "noSpace" | "country" | "digits" | "length" | "extension" | "differ";
export type FormProblem = "upnEmpty" | "upnShape" | "upnDomain" | "tooLong" | "hidden" | "detailNeeded" | "stillHasEmpty" | "nothingAlone" | "contract";
export type ErrorCode = "config_invalid" | "not_configured" | "keychain_unavailable" | "keychain_locked" | "not_signed_in" | "session_expired" | "sign_in_cancelled" | "sign_in_timed_out" | "sign_in_failed" | "sign_in_in_progress" | "browser_unavailable" | "service_busy" | "network" | "service_error" | "not_in_this_cloud" | "invalid_input" | "confirm_identity" | "change_not_allowed" | "wrong_account" | "change_refused" | "method_gone" | "change_not_verified" | "journey_busy" | "helpdesk_not_configured" | "internal";
export type PhoneTypeInput = "mobile" | "alternateMobile" | "office";
export type DefaultChoiceInput = "push" | "oath" | "sms" | "voiceMobile" | "voiceAlternateMobile" | "voiceOffice";
export type RegistrationInput = "authenticator" | "authenticatorApp" | "securityKey";
export type AnswerInput = "works" | "notWorking" | "acceptConcerns";
export type LanguageInput = "system" | "en" | "de" | "fr" | "es" | "ja" | "pt-BR" | "zh-Hans" | "qps-ploc" | "qps-plocm";
export type ResetFormInput = { upn: string, reason: Reason, reasonDetail: string, stillHas: Array<StillHas>, callback: CallbackPreference, availability: string, };
export type Reason = "lostPhone" | "brokenPhone" | "newPhone" | "numberChanged" | "promptsNotArriving" | "codesRejected" | "blockedByPolicy" | "other";
export type StillHas = "password" | "oldPhone" | "phoneNumber" | "securityKey" | "authenticatorApp" | "email" | "nothing";
export type CallbackPreference = "directoryPhone" | "manager" | "inPerson";
