//! The scripted browser: plays the user's system browser against the
//! emulator's own pages, for tests, CI and the app's demo mode
//! (`BROWSER=demo-browser`).
//!
//! It keeps cookies, follows redirects itself (never automatically) and
//! stops after the request to the app's loopback redirect URI (any redirect
//! that leaves the emulator's origin), reporting that response. Forms are
//! found by id and filled by input name; the parsing is minimal and only
//! meant for the emulator's own pages (see `pages`).
//!
//! With [`BrowserAction::SignInWithTemporaryAccessPass`] (and the code in
//! [`BrowserScript::temporary_access_pass`]) it signs in through the page's
//! Temporary Access Pass form instead, and reports the page's error if the
//! pass is refused.
//!
//! Given the emulated Security Info page (`{base}security-info?login_hint=…`)
//! it signs in the same way (password, then MFA), then performs the script's
//! [`SecurityInfoStep`] (default: [`SecurityInfoStep::Look`]) through the
//! page's forms, and reports what it did and what the page showed in
//! [`BrowserOutcome::security_info`].

use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use url::Url;

use crate::demo;

/// What the scripted user does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserAction {
    /// Sign in with the script's credentials and pass MFA (or, when MFA
    /// cannot be passed, as for Dana, press the only button: cancel).
    SignIn,
    /// Submit a wrong password first, then the right one.
    WrongPasswordThenSignIn,
    /// Press "Cancel" on the sign-in page.
    Cancel,
    /// Load the first page and stop, like closing the tab.
    Abandon,
    /// Sign in, then request the app's loopback URL a second time.
    SignInTwice,
    /// Sign in with the script's Temporary Access Pass
    /// ([`BrowserScript::temporary_access_pass`]) instead of password and
    /// MFA; if the page refuses it, stop and report the page's error.
    SignInWithTemporaryAccessPass,
}

impl BrowserAction {
    /// Parses the `DEMO_BROWSER_ACTION` spelling: `sign-in`,
    /// `wrong-password`, `cancel`, `abandon`, `sign-in-twice`,
    /// `sign-in-tap:<code>` (the code itself: [`temporary_access_pass_of`]).
    pub fn parse(text: &str) -> Option<BrowserAction> {
        if temporary_access_pass_of(text).is_some() {
            return Some(BrowserAction::SignInWithTemporaryAccessPass);
        }
        match text.trim().to_ascii_lowercase().as_str() {
            "sign-in" | "signin" => Some(BrowserAction::SignIn),
            "wrong-password" => Some(BrowserAction::WrongPasswordThenSignIn),
            "cancel" => Some(BrowserAction::Cancel),
            "abandon" => Some(BrowserAction::Abandon),
            "sign-in-twice" => Some(BrowserAction::SignInTwice),
            _ => None,
        }
    }
}

/// The code of a `sign-in-tap:<code>` action spelling (case kept, as
/// passes are case-sensitive); `None` for other spellings or an empty code.
pub fn temporary_access_pass_of(text: &str) -> Option<String> {
    let text = text.trim();
    let prefix = "sign-in-tap:";
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let code = text[prefix.len()..].trim();
    (!code.is_empty()).then(|| code.to_string())
}

/// What the scripted user does on the Security Info page once signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityInfoStep {
    /// Read the page and stop.
    Look,
    /// Add Microsoft Authenticator: pair a simulated phone with this name,
    /// then approve the test notification.
    AddAuthenticator { device_name: String },
    /// Add an authenticator app (TOTP): read the secret from the page and
    /// enter the current code computed from it.
    AddTotp { name: String },
    /// Add a simulated security key with this name.
    AddSecurityKey { name: String },
    /// Add a passkey in Microsoft Authenticator on the phone `device_name`
    /// (`platform`: `ios` or `android`).
    AddAuthenticatorPasskey {
        platform: String,
        device_name: String,
    },
    /// Add a phone of this type (`mobile`, `alternateMobile`, `office`) or
    /// change its number.
    AddPhone { phone_type: String, number: String },
    /// Start adding or changing a phone, then enter a code other than the
    /// one sent to the number (the test that fails): the page refuses it
    /// and the account keeps its old number.
    AddPhoneWrongCode { phone_type: String, number: String },
    /// Delete the method `id` of `collection` (e.g. `phoneMethods`).
    Delete { collection: String, id: String },
    /// Change the default method (`push`, `oath`, `sms`, `voiceMobile`...).
    SetDefault { method: String },
}

impl SecurityInfoStep {
    /// Parses the `DEMO_BROWSER_ACTION` spelling: `security-info:look`,
    /// `security-info:add-authenticator:<device name>`,
    /// `security-info:add-totp:<name>`, `security-info:add-security-key:<name>`,
    /// `security-info:add-authenticator-passkey:<ios|android>:<device name>`,
    /// `security-info:add-phone:<mobile|alternateMobile|office>:<number>`,
    /// `security-info:add-phone-wrong-code:<mobile|alternateMobile|office>:<number>`,
    /// `security-info:delete:<collection>/<id>`,
    /// `security-info:set-default:<value>`.
    pub fn parse(text: &str) -> Option<SecurityInfoStep> {
        let rest = text.trim().strip_prefix("security-info:")?;
        let (verb, argument) = rest.split_once(':').unwrap_or((rest, ""));
        let argument = argument.trim();
        let named = |make: fn(String) -> SecurityInfoStep| {
            (!argument.is_empty()).then(|| make(argument.to_string()))
        };
        match verb {
            "look" => Some(SecurityInfoStep::Look),
            "add-authenticator" => {
                named(|device_name| SecurityInfoStep::AddAuthenticator { device_name })
            }
            "add-totp" => named(|name| SecurityInfoStep::AddTotp { name }),
            "add-security-key" => named(|name| SecurityInfoStep::AddSecurityKey { name }),
            "add-authenticator-passkey" => {
                let (platform, device) = argument.split_once(':')?;
                let platform = match platform {
                    "ios" | "android" => platform.to_string(),
                    _ => return None,
                };
                let device_name = device.trim().to_string();
                (!device_name.is_empty()).then_some(SecurityInfoStep::AddAuthenticatorPasskey {
                    platform,
                    device_name,
                })
            }
            "add-phone" | "add-phone-wrong-code" => {
                let (phone_type, number) = argument.split_once(':')?;
                let phone_type = match phone_type {
                    "mobile" | "alternateMobile" | "office" => phone_type.to_string(),
                    _ => return None,
                };
                let number = number.trim().to_string();
                Some(if verb == "add-phone" {
                    SecurityInfoStep::AddPhone { phone_type, number }
                } else {
                    SecurityInfoStep::AddPhoneWrongCode { phone_type, number }
                })
            }
            "delete" => {
                let (collection, id) = argument.split_once('/')?;
                (!collection.is_empty() && !id.is_empty()).then(|| SecurityInfoStep::Delete {
                    collection: collection.to_string(),
                    id: id.to_string(),
                })
            }
            "set-default" => named(|method| SecurityInfoStep::SetDefault { method }),
            _ => None,
        }
    }
}

/// What the browser did on the Security Info page and what it saw last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityInfoReport {
    /// Each form the browser submitted there, in order (e.g.
    /// "opened Microsoft Authenticator setup", "paired the phone 'Pixel 9'").
    pub done: Vec<String>,
    /// The success notice of the last page, if any.
    pub notice: Option<String>,
    /// The error of the last page, if any.
    pub error: Option<String>,
    /// The text of each method row of the last main page.
    pub methods: Vec<String>,
    /// The "Default sign-in method" line of the last main page.
    pub default_method: Option<String>,
}

/// The script for one browser run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserScript {
    pub upn: String,
    pub password: String,
    pub action: BrowserAction,
    /// An extra CA (PEM) to trust, for an emulator serving HTTPS.
    pub extra_ca_pem: Option<String>,
    /// What to do when the URL is the Security Info page (`None`: look).
    pub security_info: Option<SecurityInfoStep>,
    /// The Temporary Access Pass that
    /// [`BrowserAction::SignInWithTemporaryAccessPass`] enters.
    pub temporary_access_pass: Option<String>,
}

impl BrowserScript {
    /// A script for a demo user (by UPN or short name, e.g. "ben") with
    /// their demo password. Unknown names get an empty password.
    pub fn demo_user(name: &str, action: BrowserAction) -> BrowserScript {
        let user = demo::user(name);
        BrowserScript {
            upn: user
                .map(|u| u.upn.to_string())
                .unwrap_or_else(|| name.to_string()),
            password: user.map(|u| u.password.to_string()).unwrap_or_default(),
            action,
            extra_ca_pem: None,
            security_info: None,
            temporary_access_pass: None,
        }
    }

    /// The same script signing in with this Temporary Access Pass instead
    /// of password and MFA (sets the action to
    /// [`BrowserAction::SignInWithTemporaryAccessPass`]).
    pub fn with_temporary_access_pass(mut self, code: &str) -> BrowserScript {
        self.action = BrowserAction::SignInWithTemporaryAccessPass;
        self.temporary_access_pass = Some(code.to_string());
        self
    }

    /// The same script performing `step` on the Security Info page.
    pub fn with_security_info(mut self, step: SecurityInfoStep) -> BrowserScript {
        self.security_info = Some(step);
        self
    }

    /// The same script trusting this CA.
    pub fn trusting(mut self, ca_pem: Option<String>) -> BrowserScript {
        self.extra_ca_pem = ca_pem;
        self
    }
}

/// One page the browser got from the emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitedPage {
    pub method: String,
    /// The URL without its query.
    pub url: String,
    pub status: u16,
    /// The page's `<title>`, if any.
    pub title: Option<String>,
}

/// The app's answer on its loopback redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppResponse {
    pub status: u16,
    pub body: String,
}

/// What happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserOutcome {
    /// Every emulator response, in order (redirects included).
    pub pages: Vec<VisitedPage>,
    /// The loopback URL the emulator redirected to (carries `code` or
    /// `error`, and `state`).
    pub redirect: Option<Url>,
    /// The app's response to that redirect.
    pub app_response: Option<AppResponse>,
    /// The app's response to the second request (`SignInTwice` only).
    pub second_app_response: Option<AppResponse>,
    /// The visible text of the last emulator page, when the run ended on
    /// one (device-code pages, error pages, an abandoned sign-in).
    pub final_page_text: Option<String>,
    /// The error message shown on the last emulator page, if any.
    pub error_shown: Option<String>,
    /// Set when the run reached the Security Info page.
    pub security_info: Option<SecurityInfoReport>,
}

impl BrowserOutcome {
    /// A query parameter of the redirect to the app (`code`, `state`, `error`...).
    pub fn redirect_param(&self, name: &str) -> Option<String> {
        self.redirect
            .as_ref()?
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("the extra CA certificate is not valid PEM: {0}")]
    InvalidCa(String),
    #[error("HTTP request to {url} failed: {message}")]
    Http { url: String, message: String },
    #[error("unexpected page at {url} (status {status}): {reason}")]
    UnexpectedPage {
        url: String,
        status: u16,
        reason: String,
    },
    #[error("gave up after {0} steps without reaching the app")]
    TooManySteps(usize),
}

const MAX_STEPS: usize = 40;

/// Runs an authorization-code sign-in starting at `authorize_url`.
pub async fn run(
    authorize_url: &Url,
    script: &BrowserScript,
) -> Result<BrowserOutcome, BrowserError> {
    let mut browser = Session::new(script, authorize_url)?;
    browser
        .drive(Method::GET, authorize_url.clone(), Vec::new(), None)
        .await
}

/// `{base}security-info?login_hint={upn}`: the URL the app opens for the
/// emulated Security Info page.
pub fn security_info_url(base: &Url, upn: &str) -> Url {
    let mut url = base.join("security-info").unwrap_or_else(|_| base.clone());
    url.query_pairs_mut().append_pair("login_hint", upn);
    url
}

/// What the user presents to the emulated account recovery
/// (`/account-recovery`): the first and last name "on the ID". The
/// `DEMO_BROWSER_ACTION` spelling is `account-recovery:<first>:<last>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryStep {
    pub given_name: String,
    pub surname: String,
}

impl RecoveryStep {
    /// Parses `account-recovery:<first>:<last>` (both non-empty).
    pub fn parse(text: &str) -> Option<RecoveryStep> {
        let rest = text.trim().strip_prefix("account-recovery:")?;
        let (given, surname) = rest.split_once(':')?;
        let (given, surname) = (given.trim(), surname.trim());
        (!given.is_empty() && !surname.is_empty()).then(|| RecoveryStep {
            given_name: given.to_string(),
            surname: surname.to_string(),
        })
    }
}

/// How the emulated account recovery answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryReport {
    /// The Temporary Access Pass the page showed, when it recovered.
    pub temporary_access_pass: Option<String>,
    /// The page's visible text.
    pub page_text: String,
    /// The refusal shown, when it refused.
    pub refusal: Option<String>,
}

/// Opens `url` (the recovery page), fills the simulated ID check for the
/// script's user with `step`'s names (the face check passing) and submits.
pub async fn recover_account(
    url: &Url,
    script: &BrowserScript,
    step: &RecoveryStep,
) -> Result<RecoveryReport, BrowserError> {
    let browser = Session::new(script, url)?;
    let (status, _, html) = browser.fetch(Method::GET, url, &[]).await?;
    let unexpected = |status: StatusCode, reason: &str| BrowserError::UnexpectedPage {
        url: without_query(url),
        status: status.as_u16(),
        reason: reason.to_string(),
    };
    let Some(form) = find_form(&html, "recovery-form").filter(|_| status.is_success()) else {
        return Err(unexpected(status, "no account-recovery form"));
    };
    let target = url.join(&form.action).map_err(|e| BrowserError::Http {
        url: form.action.clone(),
        message: e.to_string(),
    })?;
    let fields: Vec<(String, String)> = form
        .inputs
        .into_iter()
        .map(|(name, value)| match name.as_str() {
            "upn" => (name, script.upn.clone()),
            "given_name" => (name, step.given_name.clone()),
            "surname" => (name, step.surname.clone()),
            _ => (name, value),
        })
        .collect();
    let (status, _, html) = browser.fetch(Method::POST, &target, &fields).await?;
    if !status.is_success() {
        return Err(unexpected(status, "the recovery form was refused"));
    }
    Ok(RecoveryReport {
        temporary_access_pass: element_text(&html, "p", Some("temporary-access-pass")),
        page_text: page_text(&html).unwrap_or_default(),
        refusal: element_text(&html, "p", Some("recovery-refused")),
    })
}

/// Enters `user_code` at `{base}devicelogin` and signs in per the script.
pub async fn complete_device_code(
    base: &Url,
    user_code: &str,
    script: &BrowserScript,
) -> Result<BrowserOutcome, BrowserError> {
    let start = base.join("devicelogin").map_err(|e| BrowserError::Http {
        url: base.to_string(),
        message: e.to_string(),
    })?;
    let mut browser = Session::new(script, &start)?;
    browser
        .drive(Method::GET, start, Vec::new(), Some(user_code.to_string()))
        .await
}

struct Session<'a> {
    client: Client,
    script: &'a BrowserScript,
    origin: url::Origin,
    outcome: BrowserOutcome,
    wrong_password_sent: bool,
    credentials_sent: usize,
    second_factor_attempts: usize,
    device_code_sent: bool,
    /// Whether the Security Info step was started from the main page.
    security_step_started: bool,
    /// Security Info forms submitted so far (a bound against loops).
    security_forms_sent: usize,
}

impl<'a> Session<'a> {
    fn new(script: &'a BrowserScript, start: &Url) -> Result<Session<'a>, BrowserError> {
        let mut builder = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(10))
            .user_agent("demo-browser (tenant emulator)");
        if let Some(pem) = &script.extra_ca_pem {
            let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| BrowserError::InvalidCa(e.to_string()))?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder.build().map_err(|e| BrowserError::Http {
            url: start.to_string(),
            message: e.to_string(),
        })?;
        Ok(Session {
            client,
            script,
            origin: start.origin(),
            outcome: BrowserOutcome::default(),
            wrong_password_sent: false,
            credentials_sent: 0,
            second_factor_attempts: 0,
            device_code_sent: false,
            security_step_started: false,
            security_forms_sent: 0,
        })
    }

    async fn fetch(
        &self,
        method: Method,
        url: &Url,
        form: &[(String, String)],
    ) -> Result<(StatusCode, Option<String>, String), BrowserError> {
        let mut request = self.client.request(method.clone(), url.clone());
        if method == Method::POST {
            request = request.form(form);
        }
        let response = request.send().await.map_err(|e| BrowserError::Http {
            url: without_query(url),
            message: e.to_string(),
        })?;
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.unwrap_or_default();
        Ok((status, location, body))
    }

    async fn visit_app(&mut self, url: &Url) -> Result<AppResponse, BrowserError> {
        let (status, _, body) = self.fetch(Method::GET, url, &[]).await?;
        Ok(AppResponse {
            status: status.as_u16(),
            body,
        })
    }

    async fn drive(
        &mut self,
        mut method: Method,
        mut url: Url,
        mut form: Vec<(String, String)>,
        user_code: Option<String>,
    ) -> Result<BrowserOutcome, BrowserError> {
        for _ in 0..MAX_STEPS {
            let (status, location, body) = self.fetch(method.clone(), &url, &form).await?;
            self.outcome.pages.push(VisitedPage {
                method: method.to_string(),
                url: without_query(&url),
                status: status.as_u16(),
                title: element_text(&body, "title", None),
            });
            if status.is_redirection() {
                let target = location.and_then(|l| url.join(&l).ok()).ok_or_else(|| {
                    BrowserError::UnexpectedPage {
                        url: without_query(&url),
                        status: status.as_u16(),
                        reason: "a redirect without a usable Location".into(),
                    }
                })?;
                if target.origin() != self.origin {
                    self.outcome.redirect = Some(target.clone());
                    self.outcome.app_response = Some(self.visit_app(&target).await?);
                    if self.script.action == BrowserAction::SignInTwice {
                        self.outcome.second_app_response = Some(self.visit_app(&target).await?);
                    }
                    return Ok(std::mem::take(&mut self.outcome));
                }
                method = Method::GET;
                url = target;
                form = Vec::new();
                continue;
            }
            self.outcome.final_page_text = page_text(&body);
            self.outcome.error_shown = element_text(&body, "", Some("error"));
            if is_security_info_page(&body) {
                self.read_security_info(&body);
            }
            let next = self.next_step(&body, user_code.as_deref());
            let Some((form_id, fields)) = next else {
                return Ok(std::mem::take(&mut self.outcome));
            };
            let Some(page_form) = find_form(&body, &form_id) else {
                return Err(BrowserError::UnexpectedPage {
                    url: without_query(&url),
                    status: status.as_u16(),
                    reason: format!("no form '{form_id}'"),
                });
            };
            let target = url
                .join(&page_form.action)
                .map_err(|e| BrowserError::UnexpectedPage {
                    url: without_query(&url),
                    status: status.as_u16(),
                    reason: format!("bad form action: {e}"),
                })?;
            let mut values: Vec<(String, String)> = page_form
                .inputs
                .iter()
                .filter(|(name, _)| !fields.iter().any(|(k, _)| k == name))
                .cloned()
                .collect();
            values.extend(fields);
            method = Method::POST;
            url = target;
            form = values;
        }
        Err(BrowserError::TooManySteps(MAX_STEPS))
    }

    /// Decides what to do on an emulator page: which form to submit with
    /// which fields, or `None` to stop here.
    fn next_step(
        &mut self,
        html: &str,
        user_code: Option<&str>,
    ) -> Option<(String, Vec<(String, String)>)> {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        if self.outcome.pages.len() == 1 && self.script.action == BrowserAction::Abandon {
            return None;
        }
        if is_security_info_page(html) {
            return self.security_info_step(html);
        }
        if find_form(html, "device-code").is_some() {
            let code = user_code?;
            if self.device_code_sent {
                return None; // The code was refused; the page says why.
            }
            self.device_code_sent = true;
            return Some((
                "device-code".into(),
                vec![pair("otc", code), pair("action", "next")],
            ));
        }
        if find_form(html, "credentials").is_some()
            && self.script.action == BrowserAction::SignInWithTemporaryAccessPass
        {
            if self.credentials_sent >= 1 || find_form(html, "tap-credentials").is_none() {
                return None; // The pass was refused: report the page's error.
            }
            self.credentials_sent += 1;
            let code = self
                .script
                .temporary_access_pass
                .clone()
                .unwrap_or_default();
            return Some((
                "tap-credentials".into(),
                vec![
                    pair("login", &self.script.upn),
                    pair("tap", &code),
                    pair("action", "tap"),
                ],
            ));
        }
        if find_form(html, "credentials").is_some() {
            match self.script.action {
                BrowserAction::Abandon => return None,
                BrowserAction::Cancel => {
                    return Some(("credentials".into(), vec![pair("action", "cancel")]))
                }
                BrowserAction::WrongPasswordThenSignIn if !self.wrong_password_sent => {
                    self.wrong_password_sent = true;
                    let wrong = format!("{}-wrong", self.script.password);
                    return Some((
                        "credentials".into(),
                        vec![
                            pair("login", &self.script.upn),
                            pair("passwd", &wrong),
                            pair("action", "signin"),
                        ],
                    ));
                }
                _ => {}
            }
            if self.credentials_sent >= 1 {
                return None; // Rejected credentials: report the page.
            }
            self.credentials_sent += 1;
            return Some((
                "credentials".into(),
                vec![
                    pair("login", &self.script.upn),
                    pair("passwd", &self.script.password),
                    pair("action", "signin"),
                ],
            ));
        }
        if let Some(form) = find_form(html, "second-factor") {
            self.second_factor_attempts += 1;
            if self.second_factor_attempts > 3 {
                return None;
            }
            let offers = |value: &str| {
                form.buttons
                    .iter()
                    .any(|(n, v)| n == "action" && v == value)
            };
            if offers("approve") {
                return Some(("second-factor".into(), vec![pair("action", "approve")]));
            }
            if offers("verify") {
                let code = element_text(html, "", Some("demo-code")).unwrap_or_default();
                return Some((
                    "second-factor".into(),
                    vec![pair("otc", &code), pair("action", "verify")],
                ));
            }
            return Some(("second-factor".into(), vec![pair("action", "cancel")]));
        }
        None
    }

    /// Records what a Security Info page shows.
    fn read_security_info(&mut self, html: &str) {
        let report = self
            .outcome
            .security_info
            .get_or_insert_with(Default::default);
        report.notice = element_text(html, "", Some("notice"));
        report.error = element_text(html, "", Some("error"));
        if find_form(html, "add-phone").is_some() {
            report.methods = start_tags(html, "tr")
                .into_iter()
                .filter_map(|(_, tag)| {
                    let id = attribute(&attributes(tag), "id")?.to_string();
                    id.starts_with("method-").then_some(id)
                })
                .filter_map(|id| element_text(html, "", Some(&id)))
                .collect();
            report.default_method = element_text(html, "", Some("default-method"));
        }
    }

    fn note(&mut self, what: String) {
        self.outcome
            .security_info
            .get_or_insert_with(Default::default)
            .done
            .push(what);
    }

    /// The next form on a Security Info page, or `None` when the step is
    /// done (or cannot go on: the page says why).
    fn security_info_step(&mut self, html: &str) -> Option<(String, Vec<(String, String)>)> {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        self.security_forms_sent += 1;
        if self.security_forms_sent > 6 {
            return None;
        }
        let step = self
            .script
            .security_info
            .clone()
            .unwrap_or(SecurityInfoStep::Look);
        if find_form(html, "simulate-phone").is_some() {
            let SecurityInfoStep::AddAuthenticator { device_name } = &step else {
                return None;
            };
            if element_text(html, "", Some("error")).is_some() {
                return None;
            }
            self.note(format!("paired the simulated phone '{device_name}'"));
            return Some((
                "simulate-phone".into(),
                vec![pair("deviceName", device_name), pair("action", "pair")],
            ));
        }
        if find_form(html, "test-notification").is_some() {
            self.note("approved the test notification".into());
            return Some(("test-notification".into(), vec![pair("action", "approve")]));
        }
        if find_form(html, "totp-verify").is_some() {
            if element_text(html, "", Some("error")).is_some() {
                return None; // The code was refused; the page says why.
            }
            let secret = element_text(html, "", Some("totp-secret"))?;
            let code = crate::totp::code_now(&secret)?;
            self.note("entered the authenticator app's current code".into());
            return Some((
                "totp-verify".into(),
                vec![pair("code", &code), pair("action", "verify")],
            ));
        }
        if find_form(html, "phone-verify").is_some() {
            if element_text(html, "", Some("error")).is_some() {
                return None; // The code was refused; the page says why.
            }
            let sent = element_text(html, "", Some("sent-code"))?;
            let code = if matches!(step, SecurityInfoStep::AddPhoneWrongCode { .. }) {
                // Any other six digits: the code of a text that went elsewhere.
                let wrong = (sent.parse::<u32>().unwrap_or(0) + 1) % 1_000_000;
                self.note("entered a code other than the one sent".into());
                format!("{wrong:06}")
            } else {
                self.note("entered the code sent to the number".into());
                sent
            };
            return Some((
                "phone-verify".into(),
                vec![pair("code", &code), pair("action", "verify")],
            ));
        }
        if find_form(html, "add-phone").is_none() || self.security_step_started {
            return None;
        }
        self.security_step_started = true;
        let (form, fields, what) = match &step {
            SecurityInfoStep::Look => return None,
            SecurityInfoStep::AddAuthenticator { .. } => (
                "add-authenticator".to_string(),
                vec![pair("action", "add")],
                "opened Microsoft Authenticator setup".to_string(),
            ),
            SecurityInfoStep::AddTotp { name } => (
                "add-totp".into(),
                vec![pair("name", name), pair("action", "add")],
                format!("opened authenticator app setup for '{name}'"),
            ),
            SecurityInfoStep::AddSecurityKey { name } => (
                "add-security-key".into(),
                vec![pair("name", name), pair("action", "add")],
                format!("added the security key '{name}'"),
            ),
            SecurityInfoStep::AddAuthenticatorPasskey {
                platform,
                device_name,
            } => (
                "add-authenticator-passkey".into(),
                vec![
                    pair("platform", platform),
                    pair("deviceName", device_name),
                    pair("action", "add"),
                ],
                format!("added a passkey in Microsoft Authenticator on '{device_name}'"),
            ),
            SecurityInfoStep::AddPhone { phone_type, number }
            | SecurityInfoStep::AddPhoneWrongCode { phone_type, number } => (
                "add-phone".into(),
                vec![
                    pair("phoneType", phone_type),
                    pair("phoneNumber", number),
                    pair("action", "save"),
                ],
                format!("asked for a code to the {phone_type} phone {number}"),
            ),
            SecurityInfoStep::Delete { collection, id } => (
                format!("delete-{collection}-{id}"),
                vec![pair("action", "delete")],
                format!("deleted {collection}/{id}"),
            ),
            SecurityInfoStep::SetDefault { method } => (
                "set-default".into(),
                vec![pair("method", method), pair("action", "save")],
                format!("set the default method to {method}"),
            ),
        };
        if find_form(html, &form).is_none() {
            let report = self
                .outcome
                .security_info
                .get_or_insert_with(Default::default);
            report.error = Some(format!(
                "the page has no form '{form}' (no such method, or nothing to choose)"
            ));
            return None;
        }
        self.note(what);
        Some((form, fields))
    }
}

/// Whether a page is one of the emulated Security Info pages.
fn is_security_info_page(html: &str) -> bool {
    html.contains("id=\"page-mark\"") && html.contains(crate::security_info::PAGE_MARK)
}

fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// A form found on a page: its action, its inputs' current values and its
/// submit buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageForm {
    action: String,
    inputs: Vec<(String, String)>,
    buttons: Vec<(String, String)>,
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Attributes of a start tag (`<input name="x" value="y">`), names lower-cased.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut attrs = Vec::new();
    let mut rest = match inner.find(char::is_whitespace) {
        Some(i) => &inner[i..],
        None => return attrs,
    };
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                (&quoted[..end], quoted.get(end + 1..).unwrap_or(""))
            } else if let Some(quoted) = after.strip_prefix('\'') {
                let end = quoted.find('\'').unwrap_or(quoted.len());
                (&quoted[..end], quoted.get(end + 1..).unwrap_or(""))
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            attrs.push((name, unescape(value)));
            rest = remaining;
        } else {
            attrs.push((name, String::new()));
        }
    }
    attrs
}

fn attribute<'t>(attrs: &'t [(String, String)], name: &str) -> Option<&'t str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Start tags named `name` (lower case) in `html`, as raw tag text with
/// their byte offsets.
fn start_tags<'h>(html: &'h str, name: &str) -> Vec<(usize, &'h str)> {
    let lower = html.to_ascii_lowercase();
    let needle = format!("<{name}");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let start = from + i;
        let after = lower.as_bytes().get(start + needle.len()).copied();
        let Some(end) = html[start..].find('>') else {
            break;
        };
        if matches!(
            after,
            Some(b' ') | Some(b'>') | Some(b'\n') | Some(b'\t') | Some(b'/')
        ) {
            found.push((start, &html[start..start + end + 1]));
        }
        from = start + end + 1;
    }
    found
}

/// The form with this id.
fn find_form(html: &str, id: &str) -> Option<PageForm> {
    let (start, tag) = start_tags(html, "form")
        .into_iter()
        .find(|(_, tag)| attribute(&attributes(tag), "id") == Some(id))?;
    let attrs = attributes(tag);
    let body_start = start + tag.len();
    let body_end = html[body_start..]
        .to_ascii_lowercase()
        .find("</form>")
        .map(|i| body_start + i)
        .unwrap_or(html.len());
    let body = &html[body_start..body_end];
    let inputs = start_tags(body, "input")
        .into_iter()
        .filter_map(|(_, tag)| {
            let attrs = attributes(tag);
            let name = attribute(&attrs, "name")?.to_string();
            Some((
                name,
                attribute(&attrs, "value").unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let buttons = start_tags(body, "button")
        .into_iter()
        .filter_map(|(_, tag)| {
            let attrs = attributes(tag);
            Some((
                attribute(&attrs, "name")?.to_string(),
                attribute(&attrs, "value").unwrap_or_default().to_string(),
            ))
        })
        .collect();
    Some(PageForm {
        action: attribute(&attrs, "action").unwrap_or_default().to_string(),
        inputs,
        buttons,
    })
}

fn strip_tags(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The text of the first element named `tag` (when `id` is `None`) or of
/// the element with this id.
fn element_text(html: &str, tag: &str, id: Option<&str>) -> Option<String> {
    let (start, open, name) = match id {
        None => {
            let (start, open) = start_tags(html, tag).into_iter().next()?;
            (start, open, tag.to_string())
        }
        Some(id) => {
            let needle = format!("id=\"{id}\"");
            let at = html.find(&needle)?;
            let start = html[..at].rfind('<')?;
            let end = html[start..].find('>')? + start;
            let open = &html[start..=end];
            let name: String = open[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            (start, open, name)
        }
    };
    let content_start = start + open.len();
    let close = format!("</{name}");
    let end = html[content_start..]
        .to_ascii_lowercase()
        .find(&close)
        .map(|i| content_start + i)
        .unwrap_or(html.len());
    let text = strip_tags(&html[content_start..end]);
    (!text.is_empty()).then_some(text)
}

/// The visible text of the page's `<body>` (banner included), or of the whole page.
fn page_text(html: &str) -> Option<String> {
    element_text(html, "body", None).or_else(|| {
        let text = strip_tags(html);
        (!text.is_empty()).then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::flows::SecondFactorChallenge;
    use crate::pages;

    #[test]
    fn the_authenticator_passkey_step_names_a_platform_and_a_phone() {
        assert_eq!(
            SecurityInfoStep::parse("security-info:add-authenticator-passkey:ios:Gus's iPhone 16"),
            Some(SecurityInfoStep::AddAuthenticatorPasskey {
                platform: "ios".into(),
                device_name: "Gus's iPhone 16".into()
            })
        );
        for bad in [
            "security-info:add-authenticator-passkey:windows:PC",
            "security-info:add-authenticator-passkey:ios:",
            "security-info:add-authenticator-passkey:ios",
        ] {
            assert_eq!(SecurityInfoStep::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn forms_on_the_sign_in_page_are_found_by_id() {
        let html = pages::sign_in(&pages::SignInPage {
            action: "/t/login",
            flow_id: "flow&1",
            login: "a@b",
            error: None,
            purpose: "p",
        });
        let form = find_form(&html, "credentials");
        let form = form.as_ref();
        assert_eq!(form.map(|f| f.action.as_str()), Some("/t/login"));
        assert!(form.is_some_and(|f| f.inputs.contains(&("flow".into(), "flow&1".into()))));
        assert!(form.is_some_and(|f| f.inputs.contains(&("login".into(), "a@b".into()))));
        assert!(form.is_some_and(|f| f.buttons.contains(&("action".into(), "cancel".into()))));
        assert!(find_form(&html, "second-factor").is_none());
        assert!(element_text(&html, "title", None).is_some_and(|t| t.starts_with("Sign in")));
    }

    #[test]
    fn the_demo_code_is_read_from_the_page() {
        let challenge = SecondFactorChallenge::TextMessage {
            masked: "+XX XX23".into(),
            code: "123456".into(),
        };
        let html = pages::second_factor(&pages::SecondFactorPage {
            action: "/t/mfa",
            flow_id: "f",
            upn: "u",
            challenge: &challenge,
            error: None,
        });
        assert_eq!(
            element_text(&html, "", Some("demo-code")).as_deref(),
            Some("123456")
        );
        let form = find_form(&html, "second-factor");
        assert!(form.is_some_and(|f| f.buttons.contains(&("action".into(), "verify".into()))));
    }

    #[test]
    fn attributes_handle_quotes_and_bare_values() {
        let attrs = attributes("<input type=hidden name='a' value=\"x &amp; y\" disabled>");
        assert_eq!(attribute(&attrs, "type"), Some("hidden"));
        assert_eq!(attribute(&attrs, "name"), Some("a"));
        assert_eq!(attribute(&attrs, "value"), Some("x & y"));
        assert_eq!(attribute(&attrs, "disabled"), Some(""));
    }

    #[test]
    fn the_recovery_step_names_a_first_and_a_last_name() {
        assert_eq!(
            RecoveryStep::parse("account-recovery:Dana:Whitlock"),
            Some(RecoveryStep {
                given_name: "Dana".into(),
                surname: "Whitlock".into()
            })
        );
        for bad in [
            "account-recovery:Dana",
            "account-recovery::Whitlock",
            "account-recovery:Dana:",
            "sign-in",
        ] {
            assert_eq!(RecoveryStep::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn actions_parse_from_their_env_spelling() {
        assert_eq!(
            BrowserAction::parse("sign-in-twice"),
            Some(BrowserAction::SignInTwice)
        );
        assert_eq!(
            BrowserAction::parse("WRONG-PASSWORD"),
            Some(BrowserAction::WrongPasswordThenSignIn)
        );
        assert_eq!(BrowserAction::parse("dance"), None);
        assert_eq!(
            BrowserAction::parse("sign-in-tap:Ab3+#xyz"),
            Some(BrowserAction::SignInWithTemporaryAccessPass)
        );
        assert_eq!(
            temporary_access_pass_of("SIGN-IN-TAP: Ab3+#xyz ").as_deref(),
            Some("Ab3+#xyz")
        );
        assert_eq!(temporary_access_pass_of("sign-in-tap:"), None);
        assert_eq!(BrowserAction::parse("sign-in-tap:"), None);
        let script = BrowserScript::demo_user("ben", BrowserAction::Cancel);
        assert_eq!(script.password, "Ben-demo-1");
    }
}
