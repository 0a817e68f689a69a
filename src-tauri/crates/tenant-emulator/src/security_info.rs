//! The emulated Security Info page (`/security-info`), the stand-in for
//! `https://mysignins.microsoft.com/security-info` (graph-auth-methods.md
//! §3, §10): server-rendered HTML forms, no JavaScript, for what Graph
//! cannot do (register Microsoft Authenticator, an authenticator app, a
//! security key) and for phones even when Graph self-service writes are
//! off.
//!
//! Flow: `GET /security-info[?login_hint=upn]` without a session shows the
//! emulator's sign-in page (password and the simulated MFA step, the same
//! code as `/authorize`); completing it sets the `emu_security_info`
//! session cookie and redirects back here. Every form posts to
//! `POST /security-info` with a hidden `op` naming the change.
//!
//! Invariants:
//! - every state-changing request carries the session's CSRF token, comes
//!   with the session cookie (`SameSite=Strict`, `HttpOnly`, path
//!   `/security-info`), and, when the browser says where it comes from
//!   (`Origin`, `Sec-Fetch-Site`), comes from this origin; otherwise 403;
//! - changes go through [`crate::rules`], so the page refuses what Graph
//!   refuses, with the same messages, and Graph sees every change at once
//!   (same store, persisted);
//! - registration steps that need several pages (Authenticator pairing and
//!   its test notification, the TOTP secret) keep their state in the
//!   server-side session, never in the form, so a step cannot be skipped or
//!   forged;
//! - every page is marked "Demo tenant — emulated Security Info" and sent
//!   with a strict Content-Security-Policy and `no-store`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use rand::{Rng, RngCore};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::identity::flows::{self, FlowPurpose};
use crate::identity::grants::{random_secret, Authentication};
use crate::identity::params;
use crate::pages::{escape, layout};
use crate::rules::{self, RuleError};
use crate::server::Shared;
use crate::tenant::{
    graph_datetime, ApiVersion, MethodCollection, MethodKind, PhoneType, PreferredMethod, User,
};
use crate::totp;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "emu_security_info";
/// How long a signed-in page session lasts.
const SESSION_LIFETIME: Duration = Duration::hours(1);
/// The heading every Security Info page carries.
pub const PAGE_MARK: &str = "Demo tenant \u{2014} emulated Security Info";
const PATH: &str = "/security-info";
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// A signed-in Security Info session (in memory only).
#[derive(Debug, Clone)]
pub(crate) struct PageSession {
    pub user_id: Uuid,
    /// The token every form of this session must carry.
    pub csrf: String,
    pub expires: OffsetDateTime,
    pub pending: Pending,
}

/// A registration in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    Nothing,
    /// The QR code is shown; the phone has not paired yet.
    AuthenticatorPairing {
        activation_code: String,
    },
    /// Paired; the test notification is waiting for approval.
    AuthenticatorTest {
        device: String,
        number: u8,
    },
    /// The TOTP secret is shown; waiting for the first code.
    Totp {
        secret: Vec<u8>,
        name: String,
    },
    /// A code was texted (mobile) or read out in a call (other types) to
    /// `number`; nothing on the account changes until it is entered.
    PhoneCode {
        phone_type: PhoneType,
        number: String,
        code: String,
    },
}

/// A notice or error shown on top of a page.
enum Message {
    None,
    Notice(String),
    Error(String),
}

/// Called by the sign-in flow once password and MFA passed: starts a page
/// session and goes back to the page.
pub(crate) fn signed_in(shared: &Shared, authentication: &Authentication) -> Response {
    let now = OffsetDateTime::now_utc();
    let id = random_secret(32);
    {
        let mut store = shared.store();
        store.grants.prune(now);
        store.grants.security_sessions.insert(
            id.clone(),
            PageSession {
                user_id: authentication.user_id,
                csrf: random_secret(24),
                expires: now + SESSION_LIFETIME,
                pending: Pending::Nothing,
            },
        );
    }
    let secure = if shared.tls { "; Secure" } else { "" };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static(PATH));
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; Path={PATH}; HttpOnly; SameSite=Strict{secure}"
    )) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

/// The live session named by the request's cookie: its id and a copy.
fn session(shared: &Shared, headers: &HeaderMap) -> Option<(String, PageSession)> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let now = OffsetDateTime::now_utc();
    let store = shared.store();
    let session = store
        .grants
        .security_sessions
        .get(&id)
        .filter(|s| s.expires > now)?
        .clone();
    Some((id, session))
}

/// Equal-time comparison of two tokens.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a POST comes from this origin, as far as the browser says.
pub(crate) fn same_origin(shared: &Shared, headers: &HeaderMap) -> bool {
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => origin.trim_end_matches('/') == shared.base.origin().ascii_serialization(),
    };
    let fetch_site_ok = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        None => true,
        Some(site) => site == "same-origin" || site == "none",
    };
    origin_ok && fetch_site_ok
}

/// An HTML response with the page's security headers.
pub(crate) fn respond(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn refusal(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<div class=\"card\"><p class=\"tenant\" id=\"page-mark\">{mark}</p><h1>{title}</h1>\
         <p class=\"error\" id=\"error\" role=\"alert\">{message}</p>\
         <p><a href=\"{PATH}\">Open Security Info again</a></p></div>",
        mark = escape(PAGE_MARK),
        title = escape(title),
        message = escape(message),
    );
    respond(status, layout(title, &body))
}

/// `GET /security-info`: the page, or the sign-in page first.
pub(crate) async fn page(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = params(query.unwrap_or_default().as_bytes());
    let hint = query
        .get("login_hint")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if let Some((_, session)) = session(&shared, &headers) {
        let user = shared.store().tenant.user_by_id(session.user_id).cloned();
        if let Some(user) = user {
            let same_user = hint.is_empty() || user.user_principal_name.eq_ignore_ascii_case(&hint);
            if same_user {
                return render_pending(&shared, &user, &session, Message::None, StatusCode::OK);
            }
        }
    }
    let (flow_id, browser_cookie) = flows::start_flow(&shared, &headers, FlowPurpose::SecurityInfo);
    let Some(flow) = shared.store().grants.flows.get(&flow_id).cloned() else {
        return refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in could not start",
            "The sign-in could not be started; try again.",
        );
    };
    let mut response = respond(
        StatusCode::OK,
        flows::sign_in_page(&shared, &flow_id, &flow, &hint, None),
    );
    if let Some(cookie) = browser_cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /security-info`: one change, named by the form's `op`.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !same_origin(&shared, &headers) {
        return refusal(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form was sent from another site. Security Info accepts changes only from its own pages.",
        );
    }
    let Some((session_id, session)) = session(&shared, &headers) else {
        return refusal(
            StatusCode::FORBIDDEN,
            "Session ended",
            "Your Security Info session has ended or this browser has no session. Open Security Info and sign in again.",
        );
    };
    let form = params(&body);
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    if !same_token(&field("csrf"), &session.csrf) {
        return refusal(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form is out of date or did not come from this Security Info page (the CSRF token does not match). \
             Reload Security Info and try again.",
        );
    }
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let Some(user) = store
        .tenant
        .users
        .iter_mut()
        .find(|u| u.id == session.user_id)
    else {
        return refusal(
            StatusCode::FORBIDDEN,
            "Session ended",
            "The signed-in user no longer exists.",
        );
    };
    let outcome = change(user, &session.pending, &field, now, &shared.base);
    let changed = outcome.changed;
    let user = user.clone();
    let mut session = session;
    session.pending = outcome.pending;
    if let Some(stored) = store.grants.security_sessions.get_mut(&session_id) {
        stored.pending = session.pending.clone();
    }
    if changed {
        shared.persist(&store);
    }
    drop(store);
    let message = match outcome.result {
        Ok(Some(notice)) => Message::Notice(notice),
        Ok(None) => Message::None,
        Err(error) => Message::Error(error.message.clone()),
    };
    let status = match &outcome.status {
        Some(status) => *status,
        None => StatusCode::OK,
    };
    render_pending(&shared, &user, &session, message, status)
}

/// What one submitted form did.
struct Outcome {
    /// A notice to show, or the refusal.
    result: Result<Option<String>, RuleError>,
    /// The registration step that follows.
    pending: Pending,
    /// Whether the user's methods changed (and must be persisted).
    changed: bool,
    /// The status to answer with when not 200.
    status: Option<StatusCode>,
}

impl Outcome {
    fn done(notice: String) -> Outcome {
        Outcome {
            result: Ok(Some(notice)),
            pending: Pending::Nothing,
            changed: true,
            status: None,
        }
    }

    fn next(pending: Pending) -> Outcome {
        Outcome {
            result: Ok(None),
            pending,
            changed: false,
            status: None,
        }
    }

    /// A refusal; the registration in progress (if any) stays where it was.
    fn refused(error: RuleError, pending: &Pending) -> Outcome {
        Outcome {
            status: Some(error.status),
            result: Err(error),
            pending: pending.clone(),
            changed: false,
        }
    }
}

fn six_digit_activation_code() -> String {
    format!("{:09}", rand::thread_rng().gen_range(0..1_000_000_000u32))
}

/// Adds the phone of `phone_type`, or changes its number: the notice to show.
fn set_phone(
    user: &mut User,
    phone_type: PhoneType,
    number: &str,
    now: OffsetDateTime,
) -> Result<String, RuleError> {
    if user.phone(phone_type).is_some() {
        rules::update_phone(user, phone_type.method_id(), number, None).map(|()| {
            format!(
                "Changed your {} phone to {number}.",
                phone_type.graph_name()
            )
        })
    } else {
        rules::add_phone(user, number, phone_type, now)
            .map(|_| format!("Added {number} as your {} phone.", phone_type.graph_name()))
    }
}

/// Applies one form to the user.
fn change(
    user: &mut User,
    pending: &Pending,
    field: &dyn Fn(&str) -> String,
    now: OffsetDateTime,
    base: &url::Url,
) -> Outcome {
    let op = field("op");
    let refused = |e: RuleError| Outcome::refused(e, pending);
    match op.as_str() {
        "delete" => {
            let segment = field("collection");
            let id = field("id");
            let Some(collection) = MethodCollection::from_segment(&segment, ApiVersion::Beta)
            else {
                return refused(RuleError::invalid(format!(
                    "'{segment}' is not a method collection."
                )));
            };
            match rules::delete(user, collection, &id) {
                Ok(()) => Outcome::done(format!("Deleted the method {id}.")),
                Err(e) => refused(e),
            }
        }
        "set-default" => {
            let chosen = field("method");
            match rules::parse_preferred(&chosen).and_then(|m| rules::set_default(user, m)) {
                Ok(()) => Outcome::done(format!("Your default sign-in method is now {chosen}.")),
                Err(e) => refused(e),
            }
        }
        "set-phone" => {
            // Like Security Info, a number is proven before it is saved: the
            // change is tried on a copy (so a refused number says why at
            // once), then a code goes to the new number and the account is
            // changed only by "verify-phone" with that code.
            let number = field("phoneNumber");
            let phone_type = match rules::parse_phone_type(&field("phoneType")) {
                Ok(t) => t,
                Err(e) => return refused(e),
            };
            let mut trial = user.clone();
            if let Err(e) = set_phone(&mut trial, phone_type, &number, now) {
                return refused(e);
            }
            let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
            Outcome::next(Pending::PhoneCode {
                phone_type,
                number,
                code,
            })
        }
        "verify-phone" => {
            let Pending::PhoneCode {
                phone_type,
                number,
                code,
            } = pending
            else {
                return refused(RuleError::invalid(
                    "There is no phone number waiting for its code: choose \"Add sign-in method\" first.",
                ));
            };
            let typed: String = field("code")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if !same_token(&typed, code) {
                return refused(RuleError::invalid(format!(
                    "That code doesn't match the one sent to {number}. Your {} phone hasn't changed; \
                     enter the code again or cancel.",
                    phone_type.graph_name()
                )));
            }
            match set_phone(user, *phone_type, number, now) {
                Ok(notice) => Outcome::done(notice),
                Err(e) => Outcome::refused(e, &Pending::Nothing),
            }
        }
        "add-security-key" => match rules::add_security_key(user, &field("name"), now) {
            Ok(_) => Outcome::done(format!("Added the security key {}.", field("name"))),
            Err(e) => refused(e),
        },
        "add-authenticator-passkey" => {
            let device = field("deviceName");
            match rules::add_authenticator_passkey(user, &field("platform"), &device, now) {
                Ok(_) => Outcome::done(format!(
                    "Added a passkey in Microsoft Authenticator on {device}."
                )),
                Err(e) => refused(e),
            }
        }
        "add-authenticator" => Outcome::next(Pending::AuthenticatorPairing {
            activation_code: six_digit_activation_code(),
        }),
        "pair-authenticator" => {
            if !matches!(pending, Pending::AuthenticatorPairing { .. }) {
                return refused(RuleError::invalid(
                    "There is no Microsoft Authenticator pairing in progress: choose \"Add sign-in method\" first.",
                ));
            }
            let device = field("deviceName");
            match rules::add_authenticator(user, &device, now) {
                Ok(_) => Outcome {
                    result: Ok(None),
                    pending: Pending::AuthenticatorTest {
                        device,
                        number: rand::thread_rng().gen_range(10..100),
                    },
                    changed: true,
                    status: None,
                },
                Err(e) => refused(e),
            }
        }
        "test-notification" => {
            let Pending::AuthenticatorTest { device, .. } = pending else {
                return refused(RuleError::invalid(
                    "There is no test notification waiting for approval.",
                ));
            };
            Outcome {
                result: Ok(Some(format!(
                    "Notification approved. Microsoft Authenticator on {device} is registered."
                ))),
                pending: Pending::Nothing,
                changed: false,
                status: None,
            }
        }
        "add-totp" => {
            let name = field("name");
            let name = if name.is_empty() {
                "Authenticator app".to_string()
            } else {
                name
            };
            let mut secret = vec![0u8; 20];
            rand::thread_rng().fill_bytes(&mut secret);
            Outcome::next(Pending::Totp { secret, name })
        }
        "verify-totp" => {
            let Pending::Totp { secret, name } = pending else {
                return refused(RuleError::invalid(
                    "There is no authenticator app registration in progress: choose \"Add sign-in method\" first.",
                ));
            };
            let code: String = field("code")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
            if !well_formed {
                return refused(RuleError::invalid(format!(
                    "Enter the 6-digit code your authenticator app shows; '{code}' is not 6 digits."
                )));
            }
            if !totp::verify(secret, &code, totp::now_unix()) {
                return refused(RuleError::invalid(format!(
                    "The code {code} is not the code your authenticator app shows now. Check that the app was set up \
                     with this page's secret and that the device's clock is right, then enter the current code."
                )));
            }
            match rules::add_software_oath(user, now) {
                Ok(_) => Outcome::done(format!("Added the authenticator app {name}.")),
                Err(e) => refused(e),
            }
        }
        "cancel" => Outcome {
            result: Ok(None),
            pending: Pending::Nothing,
            changed: false,
            status: None,
        },
        other => {
            let _ = base;
            refused(RuleError::invalid(format!(
                "'{other}' is not something Security Info can do."
            )))
        }
    }
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

/// A form posting to the page with the CSRF token and an `op`.
fn form(id: &str, csrf: &str, op: &str, content: &str) -> String {
    format!(
        "<form id=\"{id}\" method=\"post\" action=\"{PATH}\">{csrf}{op}{content}</form>",
        id = escape(id),
        csrf = hidden("csrf", csrf),
        op = hidden("op", op),
    )
}

fn message_block(message: &Message) -> String {
    match message {
        Message::None => String::new(),
        Message::Notice(text) => format!(
            "<p class=\"hint\" id=\"notice\" role=\"status\">{}</p>",
            escape(text)
        ),
        Message::Error(text) => format!(
            "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
            escape(text)
        ),
    }
}

/// An inline SVG QR code of `text` (the XML declaration removed).
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(180, 180)
                .dark_color(qrcode::render::svg::Color("#242424"))
                .light_color(qrcode::render::svg::Color("#ffffff"))
                .build();
            let start = svg.find("<svg").unwrap_or(0);
            format!(
                "<div id=\"qr-code\" role=\"img\" aria-label=\"QR code\">{}</div>",
                &svg[start..]
            )
        }
        Err(_) => {
            "<p class=\"error\">The QR code could not be drawn; use the text below.</p>".into()
        }
    }
}

/// Renders the page for the session's current step.
fn render_pending(
    shared: &Shared,
    user: &User,
    session: &PageSession,
    message: Message,
    status: StatusCode,
) -> Response {
    let csrf = &session.csrf;
    let cancel = form(
        "cancel-add",
        csrf,
        "cancel",
        "<div class=\"actions\"><button class=\"secondary\" name=\"action\" value=\"cancel\">Cancel</button></div>",
    );
    let head = |title: &str| {
        format!(
            "<p class=\"tenant\" id=\"page-mark\">{mark}</p><h1>{title}</h1>{message}",
            mark = escape(PAGE_MARK),
            title = escape(title),
            message = message_block(&message),
        )
    };
    let body = match &session.pending {
        Pending::Nothing => return respond(status, main_page(user, csrf, &message)),
        Pending::AuthenticatorPairing { activation_code } => {
            let uri = format!(
                "phonefactor://activate_account?code={activation_code}&url={}",
                url_encode(&format!("{}security-info", shared.base))
            );
            format!(
                "<div class=\"card wide\">{head}\
                 <p>Open Microsoft Authenticator on your phone, add a work or school account and scan this QR code.</p>\
                 {qr}<p>Can't scan the image? Enter the code <code id=\"activation-code\">{code}</code> and the URL \
                 <code id=\"pairing-uri\">{uri}</code>.</p>\
                 <p class=\"hint\">Demo: no phone is involved. Name the simulated phone and press the button to pair it.</p>\
                 {pair}{cancel}</div>",
                head = head("Set up your account in the app"),
                qr = qr_svg(&uri),
                code = escape(activation_code),
                uri = escape(&uri),
                pair = form(
                    "simulate-phone",
                    csrf,
                    "pair-authenticator",
                    "<label for=\"deviceName\">Phone name</label>\
                     <input type=\"text\" id=\"deviceName\" name=\"deviceName\" maxlength=\"100\" required>\
                     <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"pair\">\
                     Simulate the phone: scan and pair</button></div>",
                ),
            )
        }
        Pending::AuthenticatorTest { device, number } => format!(
            "<div class=\"card\">{head}<p>We're sending a notification to Microsoft Authenticator on {device}. \
             Enter the number shown to approve it.</p><p class=\"number\" id=\"match-number\">{number}</p>\
             <p class=\"hint\">Demo: press the button to approve as if on the phone.</p>{approve}</div>",
            head = head("Let's try it out"),
            device = escape(device),
            approve = form(
                "test-notification",
                csrf,
                "test-notification",
                "<div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"approve\">\
                 Approve on phone (simulated)</button></div>",
            ),
        ),
        Pending::PhoneCode {
            phone_type,
            number,
            code,
        } => {
            let how = match phone_type {
                PhoneType::Mobile => "We just sent a 6-digit code to",
                PhoneType::AlternateMobile | PhoneType::Office => {
                    "We're calling you now to read out a 6-digit code at"
                }
            };
            format!(
                "<div class=\"card\">{head}<p>{how} <strong id=\"code-sent-to\">{number}</strong>. \
                 Enter it below. Nothing on your account changes until you do.</p>\
                 <p class=\"hint\">Demo: no phone is involved. The phone at that number received \
                 <code id=\"sent-code\">{code}</code>.</p>{verify}{cancel}</div>",
                head = head("Phone"),
                number = escape(number),
                code = escape(code),
                verify = form(
                    "phone-verify",
                    csrf,
                    "verify-phone",
                    "<label for=\"code\">Enter code</label>\
                     <input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" required>\
                     <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"verify\">Next</button></div>",
                ),
            )
        }
        Pending::Totp { secret, name } => {
            let secret = totp::base32_encode(secret);
            let issuer = crate::demo::TENANT_DISPLAY_NAME;
            let uri = format!(
                "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
                url_encode(issuer),
                url_encode(&user.user_principal_name),
                url_encode(issuer)
            );
            format!(
                "<div class=\"card wide\">{head}\
                 <p>Add an account to your authenticator app ({name}) by scanning this QR code.</p>{qr}\
                 <p>Can't scan the image? Enter this secret key: <code id=\"totp-secret\">{secret}</code></p>\
                 <p class=\"code\">URI: <code id=\"otpauth-uri\">{uri}</code></p>{verify}{cancel}</div>",
                head = head("Scan the QR code"),
                name = escape(name),
                qr = qr_svg(&uri),
                uri = escape(&uri),
                verify = form(
                    "totp-verify",
                    csrf,
                    "verify-totp",
                    "<label for=\"code\">Enter the 6-digit code shown in the app</label>\
                     <input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" required>\
                     <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"verify\">Next</button></div>",
                ),
            )
        }
    };
    respond(status, layout("Security info", &body))
}

/// Percent-encodes everything but unreserved characters.
fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// What a method is called on the page, and its detail.
fn describe(kind: &MethodKind) -> (String, String) {
    match kind {
        MethodKind::Password => ("Password".into(), String::new()),
        MethodKind::Phone {
            phone_number,
            phone_type,
            ..
        } => (
            match phone_type {
                PhoneType::Mobile => "Phone",
                PhoneType::AlternateMobile => "Alternate phone",
                PhoneType::Office => "Office phone",
            }
            .into(),
            phone_number.clone(),
        ),
        MethodKind::Email { email_address } => ("Email".into(), email_address.clone()),
        MethodKind::MicrosoftAuthenticator { display_name, .. } => {
            ("Microsoft Authenticator".into(), display_name.clone())
        }
        MethodKind::Fido2 {
            display_name,
            model,
            ..
        } => ("Security key".into(), format!("{display_name} ({model})")),
        MethodKind::WindowsHelloForBusiness { display_name, .. } => {
            ("Windows Hello for Business".into(), display_name.clone())
        }
        MethodKind::PlatformCredential { display_name, .. } => {
            ("Platform credential".into(), display_name.clone())
        }
        MethodKind::SoftwareOath => (
            "Authenticator app".into(),
            "Time-based one-time password (TOTP)".into(),
        ),
        MethodKind::TemporaryAccessPass { .. } => ("Temporary Access Pass".into(), String::new()),
        MethodKind::External { display_name, .. } => {
            ("External authentication".into(), display_name.clone())
        }
        MethodKind::HardwareOath { device, .. } => (
            "Hardware token".into(),
            device
                .as_ref()
                .map(|d| {
                    format!(
                        "{} ({} {}, {})",
                        d.display_name, d.manufacturer, d.model, d.serial_number
                    )
                })
                .unwrap_or_default(),
        ),
        MethodKind::QrCodePin => ("QR code + PIN".into(), String::new()),
        MethodKind::Preview {
            odata_type,
            display_name,
        } => (
            "Other method".into(),
            format!("{display_name} ({odata_type})"),
        ),
    }
}

/// The main page: the methods, the default, and "Add sign-in method".
fn main_page(user: &User, csrf: &str, message: &Message) -> String {
    let default = rules::default_registration(user);
    let preferred = user
        .sign_in_preferences
        .user_preferred_method_for_secondary_authentication
        .filter(|_| default.is_some());
    let default_text = preferred
        .map(|p| format!("{} ({})", rules::preferred_label(p), p.graph_name()))
        .unwrap_or_else(|| "none".into());
    let choices: String = [
        PreferredMethod::Push,
        PreferredMethod::Oath,
        PreferredMethod::Sms,
        PreferredMethod::VoiceMobile,
        PreferredMethod::VoiceAlternateMobile,
        PreferredMethod::VoiceOffice,
    ]
    .into_iter()
    .filter(|m| rules::registration_for(user, *m).is_some())
    .map(|m| {
        format!(
            "<option value=\"{value}\"{selected}>{label}</option>",
            value = m.graph_name(),
            selected = if Some(m) == preferred {
                " selected"
            } else {
                ""
            },
            label = escape(rules::preferred_label(m)),
        )
    })
    .collect();
    let mut rows = String::new();
    for method in &user.methods {
        let (name, detail) = describe(&method.kind);
        let collection = method.kind.collection();
        let is_default = default.is_some_and(|d| d.id == method.id);
        let delete = match collection {
            Some(MethodCollection::Password) | None => String::new(),
            Some(collection) => form(
                &format!("delete-{}-{}", collection.segment(), method.id),
                csrf,
                "delete",
                &format!(
                    "{}{}<button class=\"secondary\" name=\"action\" value=\"delete\">Delete</button>",
                    hidden("collection", collection.segment()),
                    hidden("id", &method.id)
                ),
            ),
        };
        rows.push_str(&format!(
            "<tr class=\"method\" id=\"method-{segment}-{id}\"><td>{name}{default}</td><td>{detail}</td>\
             <td>{created}</td><td>{delete}</td></tr>",
            segment = escape(collection.map(MethodCollection::segment).unwrap_or("other")),
            id = escape(&method.id),
            name = escape(&name),
            default = if is_default { " <strong>(default)</strong>" } else { "" },
            detail = escape(&detail),
            created = graph_datetime(method.created),
        ));
    }
    let body = format!(
        "<div class=\"card wide\"><p class=\"tenant\" id=\"page-mark\">{mark}</p><h1>Security info</h1>\
         <p>These are the methods you use to sign into your account or reset your password. Signed in as \
         <strong id=\"signed-in-upn\">{upn}</strong>.</p>{message}\
         <p id=\"default-method\">Default sign-in method: <strong>{default_text}</strong></p>{set_default}\
         <table id=\"methods\"><thead><tr><th>Method</th><th>Detail</th><th>Added</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table></div>\
         <div class=\"card wide\"><h1>Add sign-in method</h1>{authenticator}{passkey}{totp}{key}{phone}</div>",
        mark = escape(PAGE_MARK),
        upn = escape(&user.user_principal_name),
        message = message_block(message),
        default_text = escape(&default_text),
        set_default = if choices.is_empty() {
            String::new()
        } else {
            form(
                "set-default",
                csrf,
                "set-default",
                &format!(
                    "<label for=\"method\">Change default</label><select id=\"method\" name=\"method\">{choices}</select>\
                     <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"save\">Confirm</button></div>"
                ),
            )
        },
        authenticator = form(
            "add-authenticator",
            csrf,
            "add-authenticator",
            "<p><strong>Microsoft Authenticator</strong>: approve sign-in requests or use one-time codes.</p>\
             <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"add\">Add Microsoft Authenticator</button></div>",
        ),
        passkey = form(
            "add-authenticator-passkey",
            csrf,
            "add-authenticator-passkey",
            "<p><strong>Passkey in Microsoft Authenticator</strong>: a passkey kept in Authenticator on your phone \
             (simulated: no QR code to scan).</p>\
             <label for=\"passkey-platform\">Phone</label><select id=\"passkey-platform\" name=\"platform\">\
             <option value=\"ios\">iPhone</option><option value=\"android\">Android</option></select>\
             <label for=\"passkey-device\">Phone name</label><input type=\"text\" id=\"passkey-device\" name=\"deviceName\" maxlength=\"100\" required>\
             <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"add\">Add passkey</button></div>",
        ),
        totp = form(
            "add-totp",
            csrf,
            "add-totp",
            "<p><strong>Authenticator app</strong>: any app that shows time-based one-time codes.</p>\
             <label for=\"totp-name\">Name</label><input type=\"text\" id=\"totp-name\" name=\"name\" maxlength=\"100\">\
             <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"add\">Add authenticator app</button></div>",
        ),
        key = form(
            "add-security-key",
            csrf,
            "add-security-key",
            "<p><strong>Security key</strong>: a USB or NFC passkey (simulated).</p>\
             <label for=\"key-name\">Name</label><input type=\"text\" id=\"key-name\" name=\"name\" maxlength=\"100\" required>\
             <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"add\">Add security key</button></div>",
        ),
        phone = form(
            "add-phone",
            csrf,
            "set-phone",
            "<p><strong>Phone</strong>: add a phone, or change the number of one you have. \
             Format: +{country code} {number}, e.g. +1 5555551234.</p>\
             <label for=\"phoneType\">Type</label><select id=\"phoneType\" name=\"phoneType\">\
             <option value=\"mobile\">Phone (mobile)</option><option value=\"alternateMobile\">Alternate phone</option>\
             <option value=\"office\">Office phone</option></select>\
             <label for=\"phoneNumber\">Number</label><input type=\"text\" id=\"phoneNumber\" name=\"phoneNumber\" required>\
             <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"save\">Save phone</button></div>",
        ),
    );
    layout("Security info", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_page_is_marked_and_every_form_has_the_csrf_token() {
        let tenant = crate::tenant::seed();
        let Some(chidi) = tenant.user("chidi@contoso-demo.example") else {
            panic!("chidi is seeded");
        };
        let html = main_page(chidi, "TOKEN", &Message::Error("<bad>".into()));
        assert!(html.contains(PAGE_MARK));
        assert!(html.contains("&lt;bad&gt;"));
        let forms = html.matches("<form ").count();
        assert!(forms >= 8, "{forms}");
        assert_eq!(html.matches("name=\"csrf\" value=\"TOKEN\"").count(), forms);
        assert!(!html.contains("<script"));
        assert!(!html.contains("delete-passwordMethods"));
        assert!(html.contains("id=\"delete-fido2Methods--2_GRUg2-HYz6_1YG4YRAQ2\""));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
        assert!(!same_token("", "x"));
    }
}
