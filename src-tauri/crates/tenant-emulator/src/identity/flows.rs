//! Interactive sign-in: the server-side flow behind the sign-in and MFA
//! pages, for both the authorization-code flow and the device-code flow.
//!
//! A flow is created by `/authorize` (or by entering a device code) and
//! identified by a random id carried in a hidden form field. It is bound to
//! the browser that started it by the `emu_browser` cookie; a form post from
//! another browser is refused. A flow ends (and is forgotten) when it
//! redirects back to the app, completes a device authorization, or is
//! cancelled. The MFA step is simulated per the user's default method
//! (system-preferred method when enabled); a user whose phone is lost can
//! only cancel, or sign in with a Temporary Access Pass from the helpdesk,
//! which replaces both the password and the MFA step.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use rand::Rng;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::errors::{IdentityError, Trace};
use super::grants::{
    random_secret, Authentication, AuthorizationCode, DeviceStatus, PkceChallenge, CODE_LIFETIME,
};
use super::params;
use super::scopes::ScopeSet;
use crate::pages::{self, PageError, SecondFactorPage, SignInPage};
use crate::server::Shared;
use crate::tap::TapRefusal;
use crate::tenant::{MethodKind, PhoneType, PreferredMethod, User};

/// How long a sign-in page stays usable.
pub(crate) const FLOW_LIFETIME: Duration = Duration::hours(1);
const BROWSER_COOKIE: &str = "emu_browser";

/// A validated `/authorize` request, waiting for the user.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub challenge: Option<PkceChallenge>,
    pub scopes: ScopeSet,
    pub claims: Option<String>,
}

/// What a flow is for.
#[derive(Debug, Clone)]
pub(crate) enum FlowPurpose {
    Authorize(AuthorizeRequest),
    DeviceCode {
        device_code: String,
    },
    /// Signing in to the emulated Security Info page.
    SecurityInfo,
}

/// Whether a `claims` request parameter asks for fresh MFA: an essential
/// `access_token.amr` claim whose values include `ngcmfa` (other claims,
/// such as `xms_cc`, may sit beside it). Unparseable claims ask for nothing.
pub(crate) fn claims_request_ngcmfa(claims: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(claims) else {
        return false;
    };
    let amr = &value["access_token"]["amr"];
    let in_values = amr["values"]
        .as_array()
        .is_some_and(|values| values.iter().any(|v| v == "ngcmfa"));
    in_values || amr["value"] == "ngcmfa"
}

/// The simulated second factor shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorChallenge {
    /// Authenticator push with number matching.
    Push { number: u8, device: String },
    /// A code sent by SMS (shown on the page: this is a demo).
    TextMessage { masked: String, code: String },
    /// An authenticator-app (OATH) code (shown on the page).
    VerificationCode { code: String },
    /// A phone call to answer.
    VoiceCall { masked: String },
    /// A FIDO2 security key (system-preferred MFA).
    SecurityKey { name: String },
    /// The user's phone can't be reached (lost): only cancelling is possible.
    Unreachable { masked: String },
    /// The user has no usable second factor.
    NoMethod,
}

/// Where a flow is.
#[derive(Debug, Clone)]
pub(crate) enum FlowStage {
    Credentials,
    SecondFactor {
        user_id: Uuid,
        password_time: OffsetDateTime,
        challenge: SecondFactorChallenge,
    },
}

/// One interactive sign-in in progress.
#[derive(Debug, Clone)]
pub(crate) struct SignInFlow {
    pub browser: String,
    pub purpose: FlowPurpose,
    pub stage: FlowStage,
    pub expires: OffsetDateTime,
}

/// Masks a phone number as Entra does: every digit but the last two is `X`.
pub(crate) fn mask_phone(number: &str) -> String {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    number
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 2 > digits {
                    c
                } else {
                    'X'
                }
            } else {
                c
            }
        })
        .collect()
}

fn six_digits() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

/// Chooses the simulated second factor for a user.
pub(crate) fn challenge_for(user: &User) -> SecondFactorChallenge {
    let mobile = user.phone(PhoneType::Mobile).map(mask_phone);
    if !user.second_factor_reachable {
        let masked = mobile
            .or_else(|| user.phone(PhoneType::AlternateMobile).map(mask_phone))
            .unwrap_or_else(|| "on file".into());
        return SecondFactorChallenge::Unreachable { masked };
    }
    let authenticator = user.methods.iter().find_map(|m| match &m.kind {
        MethodKind::MicrosoftAuthenticator { display_name, .. } => Some(display_name.clone()),
        _ => None,
    });
    let security_key = user.methods.iter().find_map(|m| match &m.kind {
        MethodKind::Fido2 { display_name, .. } => Some(display_name.clone()),
        _ => None,
    });
    let has_oath = user.methods.iter().any(|m| {
        matches!(
            m.kind,
            MethodKind::SoftwareOath | MethodKind::HardwareOath { .. }
        )
    });
    let push = authenticator
        .clone()
        .map(|device| SecondFactorChallenge::Push {
            number: rand::thread_rng().gen_range(10..100),
            device,
        });
    let text = mobile
        .clone()
        .map(|masked| SecondFactorChallenge::TextMessage {
            masked,
            code: six_digits(),
        });
    let prefs = &user.sign_in_preferences;
    if prefs.is_system_preferred_authentication_method_enabled {
        let system = prefs
            .system_preferred_authentication_method
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let chosen = match system.as_str() {
            "fido2" | "passkey" => security_key
                .clone()
                .map(|name| SecondFactorChallenge::SecurityKey { name }),
            "push" | "microsoftauthenticatorpush" => push.clone(),
            "sms" => text.clone(),
            "oath" | "softwareoath" | "hardwareoath" if has_oath => {
                Some(SecondFactorChallenge::VerificationCode { code: six_digits() })
            }
            "voicemobile" | "voice" => mobile
                .clone()
                .map(|masked| SecondFactorChallenge::VoiceCall { masked }),
            _ => None,
        };
        if let Some(chosen) = chosen {
            return chosen;
        }
    }
    let preferred = match prefs.user_preferred_method_for_secondary_authentication {
        Some(PreferredMethod::Push) => push.clone(),
        Some(PreferredMethod::Sms) => text.clone(),
        Some(PreferredMethod::Oath) if has_oath => {
            Some(SecondFactorChallenge::VerificationCode { code: six_digits() })
        }
        Some(PreferredMethod::VoiceMobile) => mobile
            .clone()
            .map(|masked| SecondFactorChallenge::VoiceCall { masked }),
        Some(PreferredMethod::VoiceAlternateMobile) => {
            user.phone(PhoneType::AlternateMobile)
                .map(|p| SecondFactorChallenge::VoiceCall {
                    masked: mask_phone(p),
                })
        }
        Some(PreferredMethod::VoiceOffice) => {
            user.phone(PhoneType::Office)
                .map(|p| SecondFactorChallenge::VoiceCall {
                    masked: mask_phone(p),
                })
        }
        _ => None,
    };
    preferred
        .or(push)
        .or(text)
        .or_else(|| {
            has_oath.then(|| SecondFactorChallenge::VerificationCode { code: six_digits() })
        })
        .or_else(|| security_key.map(|name| SecondFactorChallenge::SecurityKey { name }))
        .unwrap_or(SecondFactorChallenge::NoMethod)
}

/// The browser id from the request's cookie, if it sent one.
fn browser_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == BROWSER_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// Creates a flow bound to the requesting browser; returns its id and the
/// `Set-Cookie` value to send when the browser had no id yet.
pub(crate) fn start_flow(
    shared: &Shared,
    headers: &HeaderMap,
    purpose: FlowPurpose,
) -> (String, Option<HeaderValue>) {
    let (browser, cookie) = match browser_cookie(headers) {
        Some(existing) => (existing, None),
        None => {
            let id = random_secret(24);
            let secure = if shared.tls { "; Secure" } else { "" };
            let cookie = HeaderValue::from_str(&format!(
                "{BROWSER_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}"
            ))
            .ok();
            (id, cookie)
        }
    };
    let flow_id = random_secret(32);
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    store.grants.prune(now);
    store.grants.flows.insert(
        flow_id.clone(),
        SignInFlow {
            browser,
            purpose,
            stage: FlowStage::Credentials,
            expires: now + FLOW_LIFETIME,
        },
    );
    (flow_id, cookie)
}

fn login_action(shared: &Shared) -> String {
    format!("/{}/login", shared.tenant_id())
}

fn mfa_action(shared: &Shared) -> String {
    format!("/{}/mfa", shared.tenant_id())
}

fn purpose_text(purpose: &FlowPurpose) -> String {
    match purpose {
        FlowPurpose::Authorize(_) => format!("to continue to {}", crate::demo::APP_DISPLAY_NAME),
        FlowPurpose::DeviceCode { .. } => format!(
            "You're signing in to {} on another device located in your region.",
            crate::demo::APP_DISPLAY_NAME
        ),
        FlowPurpose::SecurityInfo => {
            "to continue to Security Info (Demo tenant \u{2014} emulated Security Info)".to_string()
        }
    }
}

/// Renders the sign-in page for a flow.
pub(crate) fn sign_in_page(
    shared: &Shared,
    flow_id: &str,
    flow: &SignInFlow,
    login: &str,
    error: Option<PageError>,
) -> String {
    pages::sign_in(&SignInPage {
        action: &login_action(shared),
        flow_id,
        login,
        error,
        purpose: &purpose_text(&flow.purpose),
    })
}

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn expired_page() -> Response {
    html(
        StatusCode::BAD_REQUEST,
        pages::error_page(
            "Sign-in expired",
            "This sign-in page is no longer valid. Go back to the app and start signing in again.",
            None,
        ),
    )
}

fn foreign_browser_page() -> Response {
    html(
        StatusCode::BAD_REQUEST,
        pages::error_page(
            "Sign-in interrupted",
            "This sign-in was started in another browser, or your browser blocks cookies. \
             Go back to the app and start signing in again.",
            None,
        ),
    )
}

/// A 302 to the app's redirect URI with these query parameters.
pub(crate) fn redirect_to_app(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::error_page(
                "Sign-in failed",
                "The redirect URI is not a valid URL.",
                None,
            ),
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Redirects an authorize flow's error back to the app (RFC 6749 §4.1.2.1).
pub(crate) fn redirect_error(
    request: &AuthorizeRequest,
    error: &IdentityError,
    headers: &HeaderMap,
    subcode: Option<&str>,
) -> Response {
    let description = error.description(&Trace::new(headers));
    let mut pairs = vec![
        ("error", error.error),
        ("error_description", description.as_str()),
    ];
    if let Some(subcode) = subcode {
        pairs.push(("error_subcode", subcode));
    }
    if let Some(state) = &request.state {
        pairs.push(("state", state.as_str()));
    }
    redirect_to_app(&request.redirect_uri, &pairs)
}

/// Looks a posted flow up and checks it belongs to this browser.
fn posted_flow(
    shared: &Shared,
    headers: &HeaderMap,
    flow_id: &str,
) -> Result<SignInFlow, FlowRefusal> {
    let now = OffsetDateTime::now_utc();
    let store = shared.store();
    let Some(flow) = store.grants.flows.get(flow_id).filter(|f| f.expires > now) else {
        return Err(FlowRefusal::Expired);
    };
    if browser_cookie(headers).as_deref() != Some(flow.browser.as_str()) {
        return Err(FlowRefusal::ForeignBrowser);
    }
    Ok(flow.clone())
}

/// Why a posted form cannot continue its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlowRefusal {
    /// Unknown or expired flow id.
    Expired,
    /// The flow was started by another browser (or cookies are blocked).
    ForeignBrowser,
}

impl FlowRefusal {
    fn page(self) -> Response {
        match self {
            FlowRefusal::Expired => expired_page(),
            FlowRefusal::ForeignBrowser => foreign_browser_page(),
        }
    }
}

/// Ends a flow because the user cancelled (or could not go on).
fn cancel(
    shared: &Shared,
    headers: &HeaderMap,
    flow_id: &str,
    flow: &SignInFlow,
    during_mfa: bool,
) -> Response {
    let mut store = shared.store();
    store.grants.flows.remove(flow_id);
    match &flow.purpose {
        FlowPurpose::Authorize(request) => {
            let error = if during_mfa {
                IdentityError::new(
                    "access_denied",
                    500121,
                    "Authentication failed during strong authentication request.",
                )
            } else {
                IdentityError::new(
                    "access_denied",
                    65004,
                    "User declined to consent to access the app.",
                )
            };
            redirect_error(request, &error, headers, Some("cancel"))
        }
        FlowPurpose::DeviceCode { device_code } => {
            if let Some(device) = store
                .grants
                .devices
                .iter_mut()
                .find(|d| &d.device_code == device_code)
            {
                if device.status == DeviceStatus::Pending {
                    device.status = DeviceStatus::Declined;
                }
            }
            html(
                StatusCode::OK,
                pages::device_code_declined(crate::demo::APP_DISPLAY_NAME),
            )
        }
        FlowPurpose::SecurityInfo => html(
            StatusCode::OK,
            pages::error_page(
                "Sign-in cancelled",
                "You cancelled signing in to Security Info. Open Security Info again to retry.",
                None,
            ),
        ),
    }
}

/// `POST /{tenant}/login`: the username and password form.
pub(crate) async fn submit_credentials(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = params(&body);
    let flow_id = form.get("flow").cloned().unwrap_or_default();
    let flow = match posted_flow(&shared, &headers, &flow_id) {
        Ok(flow) => flow,
        Err(refusal) => return refusal.page(),
    };
    if form.get("action").map(String::as_str) == Some("cancel") {
        return cancel(&shared, &headers, &flow_id, &flow, false);
    }
    if form.get("action").map(String::as_str) == Some("tap") {
        return submit_temporary_access_pass(&shared, &flow_id, &flow, &form);
    }
    let login = form
        .get("login")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let password = form.get("passwd").cloned().unwrap_or_default();
    let mut store = shared.store();
    let user = store
        .tenant
        .user(&login)
        .filter(|_| login.contains('@'))
        .cloned();
    let page_error = match &user {
        None if login.is_empty() => Some(PageError {
            message: "Enter a valid email address, phone number, or Skype name.".into(),
            code: None,
        }),
        None => Some(PageError {
            message: "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin."
                .into(),
            code: Some(50034),
        }),
        Some(user) if user.password != password => Some(PageError {
            message: "Your account or password is incorrect. If you don't remember your password, reset it now."
                .into(),
            code: Some(50126),
        }),
        Some(_) => None,
    };
    if let Some(error) = page_error {
        drop(store);
        return html(
            StatusCode::OK,
            sign_in_page(&shared, &flow_id, &flow, &login, Some(error)),
        );
    }
    let Some(user) = user else {
        return expired_page();
    };
    let challenge = challenge_for(&user);
    if let Some(stored) = store.grants.flows.get_mut(&flow_id) {
        stored.stage = FlowStage::SecondFactor {
            user_id: user.id,
            password_time: OffsetDateTime::now_utc(),
            challenge: challenge.clone(),
        };
    }
    drop(store);
    html(
        StatusCode::OK,
        pages::second_factor(&SecondFactorPage {
            action: &mfa_action(&shared),
            flow_id: &flow_id,
            upn: &user.user_principal_name,
            challenge: &challenge,
            error: None,
        }),
    )
}

/// The sign-in page's error for a refused Temporary Access Pass. Entra
/// documents no AADSTS codes for these; the one-time wording is the one
/// its troubleshooting guide quotes.
fn tap_refusal_error(refusal: TapRefusal) -> PageError {
    let message = match refusal {
        TapRefusal::WrongCode => "That Temporary Access Pass isn't right. Check it and try again, \
                                  or ask your helpdesk for a new one."
            .to_string(),
        TapRefusal::NotYetValid { starts_at } => format!(
            "Your Temporary Access Pass isn't valid yet. You can use it from {} (UTC).",
            crate::tenant::graph_datetime(starts_at)
        ),
        TapRefusal::Expired => {
            "Your Temporary Access Pass has expired. Ask your helpdesk for a new one.".to_string()
        }
        TapRefusal::OneTimeUsed => "Temporary Access Pass sign in was blocked due to User Credential Policy: \
                                    this one-time pass has already been used. Ask your helpdesk for a new one."
            .to_string(),
    };
    PageError {
        message,
        code: None,
    }
}

/// `POST /{tenant}/login` with `action=tap`: a Temporary Access Pass in
/// place of password and MFA. A redeemed pass counts as both factors:
/// `amr` is `mfa` (plus `ngcmfa` when the claims request asked for it)
/// and the MFA time is now, so fresh-MFA writes work at once.
fn submit_temporary_access_pass(
    shared: &Shared,
    flow_id: &str,
    flow: &SignInFlow,
    form: &std::collections::HashMap<String, String>,
) -> Response {
    let login = form
        .get("login")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let code = form.get("tap").cloned().unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let user = store
        .tenant
        .user_mut(&login)
        .filter(|_| login.contains('@'));
    let outcome = match user {
        None if login.is_empty() => Err(PageError {
            message: "Enter a valid email address, phone number, or Skype name.".into(),
            code: None,
        }),
        None => Err(PageError {
            message: "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin."
                .into(),
            code: Some(50034),
        }),
        Some(user) => {
            let user_id = user.id;
            crate::tap::redeem(user, &code, now)
                .map(|pass_ends| (user_id, pass_ends))
                .map_err(tap_refusal_error)
        }
    };
    let (user_id, pass_ends) = match outcome {
        Ok(redeemed) => redeemed,
        Err(error) => {
            drop(store);
            return html(
                StatusCode::OK,
                sign_in_page(shared, flow_id, flow, &login, Some(error)),
            );
        }
    };
    // A one-time pass is now used: keep that across restarts.
    shared.persist(&store);
    drop(store);
    let mut amr = vec!["mfa".to_string()];
    if let FlowPurpose::Authorize(request) = &flow.purpose {
        if request.claims.as_deref().is_some_and(claims_request_ngcmfa) {
            amr.push("ngcmfa".into());
        }
    }
    let authentication = Authentication {
        user_id,
        auth_time: now,
        amr,
        mfa_time: Some(now),
        ends_at: Some(pass_ends),
    };
    complete(shared, flow_id, flow, authentication)
}

/// `POST /{tenant}/mfa`: the simulated second factor.
pub(crate) async fn submit_second_factor(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = params(&body);
    let flow_id = form.get("flow").cloned().unwrap_or_default();
    let flow = match posted_flow(&shared, &headers, &flow_id) {
        Ok(flow) => flow,
        Err(refusal) => return refusal.page(),
    };
    let FlowStage::SecondFactor {
        user_id,
        password_time,
        challenge,
    } = &flow.stage
    else {
        return expired_page();
    };
    let action = form.get("action").map(String::as_str).unwrap_or_default();
    if action == "cancel" {
        return cancel(&shared, &headers, &flow_id, &flow, true);
    }
    let entered: String = form
        .get("otc")
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default();
    let passed = match challenge {
        SecondFactorChallenge::Push { .. }
        | SecondFactorChallenge::VoiceCall { .. }
        | SecondFactorChallenge::SecurityKey { .. } => action == "approve",
        SecondFactorChallenge::TextMessage { code, .. }
        | SecondFactorChallenge::VerificationCode { code } => {
            action == "verify" && entered == *code
        }
        SecondFactorChallenge::Unreachable { .. } | SecondFactorChallenge::NoMethod => false,
    };
    if !passed {
        let upn = shared
            .store()
            .tenant
            .user_by_id(*user_id)
            .map(|u| u.user_principal_name.clone())
            .unwrap_or_default();
        let error = matches!(
            challenge,
            SecondFactorChallenge::TextMessage { .. }
                | SecondFactorChallenge::VerificationCode { .. }
        )
        .then(|| PageError {
            message: "You didn't enter the expected verification code. Please try again.".into(),
            code: None,
        });
        return html(
            StatusCode::OK,
            pages::second_factor(&SecondFactorPage {
                action: &mfa_action(&shared),
                flow_id: &flow_id,
                upn: &upn,
                challenge,
                error,
            }),
        );
    }
    // The MFA step was just completed: that instant is the MFA time the
    // fresh-MFA rule checks. A claims request for `ngcmfa` is answered by
    // this same step (it is never skipped) and recorded in `amr`.
    let mut amr = vec!["pwd".to_string(), "mfa".to_string()];
    if let FlowPurpose::Authorize(request) = &flow.purpose {
        if request.claims.as_deref().is_some_and(claims_request_ngcmfa) {
            amr.push("ngcmfa".into());
        }
    }
    let authentication = Authentication {
        user_id: *user_id,
        auth_time: *password_time,
        amr,
        mfa_time: Some(OffsetDateTime::now_utc()),
        ends_at: None,
    };
    complete(&shared, &flow_id, &flow, authentication)
}

/// Finishes a flow whose user passed both factors.
fn complete(
    shared: &Shared,
    flow_id: &str,
    flow: &SignInFlow,
    authentication: Authentication,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    store.grants.flows.remove(flow_id);
    match &flow.purpose {
        FlowPurpose::Authorize(request) => {
            let code = store.grants.issue_code(AuthorizationCode {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                challenge: request.challenge.clone(),
                scopes: request.scopes.clone(),
                nonce: request.nonce.clone(),
                claims: request.claims.clone(),
                authentication,
                expires: now + CODE_LIFETIME,
                redeemed: false,
            });
            drop(store);
            let mut pairs = vec![("code", code.as_str())];
            if let Some(state) = &request.state {
                pairs.push(("state", state.as_str()));
            }
            redirect_to_app(&request.redirect_uri, &pairs)
        }
        FlowPurpose::DeviceCode { device_code } => {
            let device = store.grants.devices.iter_mut().find(|d| {
                &d.device_code == device_code
                    && d.status == DeviceStatus::Pending
                    && d.expires > now
            });
            match device {
                Some(device) => {
                    device.status = DeviceStatus::Approved(authentication);
                    html(
                        StatusCode::OK,
                        pages::device_code_done(crate::demo::APP_DISPLAY_NAME),
                    )
                }
                None => expired_page(),
            }
        }
        FlowPurpose::SecurityInfo => {
            drop(store);
            crate::security_info::signed_in(shared, &authentication)
        }
    }
}

/// `GET /devicelogin`: the code entry page.
pub(crate) async fn device_login_page() -> Response {
    html(StatusCode::OK, pages::device_code_entry(None))
}

/// `POST /devicelogin`: a code was entered; on success the sign-in page.
pub(crate) async fn submit_device_code(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = params(&body);
    let entered = form.get("otc").cloned().unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    let device_code = shared
        .store()
        .grants
        .device_by_user_code(&entered, now)
        .map(|d| d.device_code.clone());
    let Some(device_code) = device_code else {
        return html(
            StatusCode::OK,
            pages::device_code_entry(Some("That code didn't work. Check the code and try again.")),
        );
    };
    let purpose = FlowPurpose::DeviceCode { device_code };
    let (flow_id, cookie) = start_flow(&shared, &headers, purpose);
    let Some(flow) = shared.store().grants.flows.get(&flow_id).cloned() else {
        return expired_page();
    };
    let mut response = html(
        StatusCode::OK,
        sign_in_page(&shared, &flow_id, &flow, "", None),
    );
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::seed;

    #[test]
    fn ngcmfa_is_found_in_merged_claims() {
        assert!(claims_request_ngcmfa(
            r#"{"access_token":{"amr":{"essential":true,"values":["ngcmfa"]}}}"#
        ));
        assert!(claims_request_ngcmfa(
            r#"{"access_token":{"xms_cc":{"values":["cp1"]},"amr":{"essential":true,"values":["mfa","ngcmfa"]}}}"#
        ));
        assert!(!claims_request_ngcmfa(
            r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#
        ));
        assert!(!claims_request_ngcmfa("not json"));
    }

    #[test]
    fn phone_numbers_are_masked_but_the_last_two_digits() {
        assert_eq!(mask_phone("+44 7700900123"), "+XX XXXXXXXX23");
        assert_eq!(mask_phone("+1 5555550199"), "+X XXXXXXXX99");
    }

    #[test]
    fn each_demo_user_gets_the_documented_second_factor() {
        let tenant = seed();
        let challenge = |upn: &str| tenant.user(upn).map(challenge_for);
        assert!(matches!(
            challenge("adele@contoso-demo.example"),
            Some(SecondFactorChallenge::Push { .. })
        ));
        assert!(matches!(
            challenge("ben@contoso-demo.example"),
            Some(SecondFactorChallenge::TextMessage { ref masked, .. }) if masked == "+XX XXXXXXXX23"
        ));
        assert!(matches!(
            challenge("chidi@contoso-demo.example"),
            Some(SecondFactorChallenge::SecurityKey { .. })
        ));
        assert!(matches!(
            challenge("dana@contoso-demo.example"),
            Some(SecondFactorChallenge::Unreachable { .. })
        ));
        assert!(matches!(
            challenge("erin@contoso-demo.example"),
            Some(SecondFactorChallenge::Push { .. })
        ));
    }
}
