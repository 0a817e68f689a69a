//! `demo-browser <url>`: a scripted stand-in for the user's browser, for
//! `BROWSER=demo-browser` (xdg-open honours `$BROWSER`).
//!
//! Environment: `DEMO_BROWSER_UPN` (default: the URL's `login_hint`, else adele), `DEMO_BROWSER_PASSWORD`
//! (default: that demo user's password), `DEMO_BROWSER_ACTION`
//! (sign-in | wrong-password | cancel | abandon | sign-in-twice |
//! sign-in-tap:<code>, or for the Security Info page `security-info:<step>`,
//! see below), `DEMO_BROWSER_TAP` (a Temporary Access Pass to sign in with
//! whatever the action),
//! `DEMO_BROWSER_CA` (a PEM file to trust), `DEMO_BROWSER_LOG` (append a
//! one-line JSON outcome there), `DEMO_BROWSER_USER_CODE` (for a
//! `/devicelogin` URL). Authorization codes and Temporary Access Passes are
//! redacted in the log.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{json, Value};
use tenant_emulator::browser::{
    self, temporary_access_pass_of, BrowserAction, BrowserOutcome, BrowserScript, RecoveryStep,
    SecurityInfoStep,
};
use url::Url;

const HELP: &str = "\
demo-browser <url>: plays the user's browser against the tenant emulator (demo only).

Environment:
    DEMO_BROWSER_UPN         demo user (UPN or short name; default: the URL's login_hint, else adele)
    DEMO_BROWSER_PASSWORD    password (default: the demo user's)
    DEMO_BROWSER_ACTION      sign-in | wrong-password | cancel | abandon | sign-in-twice
                             | sign-in-tap:<code> (a Temporary Access Pass instead of password + MFA);
                             on the Security Info page (<base>security-info), after signing in:
                               security-info:look
                               security-info:add-authenticator:<device name>
                               security-info:add-totp:<name>
                               security-info:add-security-key:<name>
                               security-info:add-phone:<mobile|alternateMobile|office>:<number>
                                 (enters the code the page sends to the number)
                               security-info:add-phone-wrong-code:<mobile|alternateMobile|office>:<number>
                                 (enters another code: the page refuses it, nothing changes)
                               security-info:delete:<collection>/<id>
                               security-info:set-default:<push|oath|sms|voiceMobile|...>
                             on the account-recovery page (<base>account-recovery):
                               account-recovery:<first name>:<last name>  (as on the simulated ID)
    DEMO_BROWSER_TAP         a Temporary Access Pass to sign in with, whatever the action
                             (e.g. with security-info:<step>)
    DEMO_BROWSER_CA          path of a CA certificate (PEM) to trust
    DEMO_BROWSER_LOG         append a one-line JSON outcome to this file
    DEMO_BROWSER_USER_CODE   the user code, when <url> is the device login page
";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The URL with any `code` parameter replaced, fit for a log.
fn redact(url: &Url) -> String {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "code" {
                "REDACTED".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut clean = url.clone();
    if pairs.is_empty() {
        return clean.to_string();
    }
    clean.query_pairs_mut().clear().extend_pairs(pairs);
    clean.to_string()
}

fn outcome_json(outcome: &BrowserOutcome) -> Value {
    json!({
        "ok": true,
        "pages": outcome.pages.iter().map(|p| json!({"method": p.method, "url": p.url, "status": p.status, "title": p.title})).collect::<Vec<_>>(),
        "redirect": outcome.redirect.as_ref().map(redact),
        "error": outcome.redirect_param("error"),
        "appStatus": outcome.app_response.as_ref().map(|r| r.status),
        "appBody": outcome.app_response.as_ref().map(|r| r.body.clone()),
        "secondAppStatus": outcome.second_app_response.as_ref().map(|r| r.status),
        "secondAppBody": outcome.second_app_response.as_ref().map(|r| r.body.clone()),
        "finalPageText": outcome.final_page_text,
        "errorShown": outcome.error_shown,
        "securityInfo": outcome.security_info.as_ref().map(|r| json!({
            "done": r.done,
            "notice": r.notice,
            "error": r.error,
            "methods": r.methods,
            "defaultMethod": r.default_method,
        })),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let [url] = args.as_slice() else {
        eprintln!("demo-browser: expected exactly one URL (see --help)");
        return ExitCode::from(2);
    };
    let url = match Url::parse(url) {
        Ok(url) => url,
        Err(e) => {
            eprintln!("demo-browser: {url:?} is not a URL: {e}");
            return ExitCode::from(2);
        }
    };
    let action_text = env("DEMO_BROWSER_ACTION").unwrap_or_else(|| "sign-in".into());
    if let Some(step) = RecoveryStep::parse(&action_text) {
        return recover(&url, &step, &action_text).await;
    }
    // A Security Info step signs in normally, then acts on the page.
    let step = SecurityInfoStep::parse(&action_text);
    let action = match &step {
        Some(_) => Some(BrowserAction::SignIn),
        None => BrowserAction::parse(&action_text),
    };
    let Some(action) = action else {
        eprintln!(
            "demo-browser: DEMO_BROWSER_ACTION must be sign-in, wrong-password, cancel, abandon, sign-in-twice, \
             sign-in-tap:<code> or security-info:<step> (see --help), not {action_text:?}"
        );
        return ExitCode::from(2);
    };
    // The user: DEMO_BROWSER_UPN, else the URL's login_hint, else adele.
    let hint = url
        .query_pairs()
        .find(|(k, _)| k == "login_hint")
        .map(|(_, v)| v.into_owned());
    let user = env("DEMO_BROWSER_UPN")
        .or(hint)
        .unwrap_or_else(|| "adele".into());
    let mut script = BrowserScript::demo_user(&user, action);
    script.security_info = step;
    // A Temporary Access Pass from the action, or from DEMO_BROWSER_TAP.
    if let Some(code) = temporary_access_pass_of(&action_text).or_else(|| env("DEMO_BROWSER_TAP")) {
        script = script.with_temporary_access_pass(&code);
    }
    if let Some(password) = std::env::var("DEMO_BROWSER_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        script.password = password;
    }
    if let Some(path) = env("DEMO_BROWSER_CA") {
        match std::fs::read_to_string(&path) {
            Ok(pem) => script.extra_ca_pem = Some(pem),
            Err(e) => {
                eprintln!("demo-browser: cannot read DEMO_BROWSER_CA {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let device_login = url.path().trim_end_matches('/').ends_with("/devicelogin");
    let result = match (device_login, env("DEMO_BROWSER_USER_CODE")) {
        (true, Some(code)) => {
            let base = url.join("/").unwrap_or_else(|_| url.clone());
            browser::complete_device_code(&base, &code, &script).await
        }
        _ => browser::run(&url, &script).await,
    };
    let (line, status) = match &result {
        Ok(outcome) => (outcome_json(outcome), ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("demo-browser: {e}");
            (
                json!({"ok": false, "failure": e.to_string()}),
                ExitCode::FAILURE,
            )
        }
    };
    let mut line = line;
    line["upn"] = json!(script.upn);
    // Like authorization codes, a Temporary Access Pass never reaches the log.
    let logged_action = if temporary_access_pass_of(&action_text).is_some() {
        "sign-in-tap:REDACTED".to_string()
    } else {
        action_text.clone()
    };
    line["action"] = json!(logged_action);
    line["url"] = json!(redact(&url));
    append_to_log(&line);
    status
}

/// The account-recovery page: the simulated ID check for DEMO_BROWSER_UPN.
/// The log line says whether a pass was shown, never the pass.
async fn recover(url: &Url, step: &RecoveryStep, action_text: &str) -> ExitCode {
    let user = env("DEMO_BROWSER_UPN").unwrap_or_else(|| "adele".into());
    let mut script = BrowserScript::demo_user(&user, BrowserAction::SignIn);
    if let Some(path) = env("DEMO_BROWSER_CA") {
        script.extra_ca_pem = std::fs::read_to_string(path).ok();
    }
    let (line, status) = match browser::recover_account(url, &script, step).await {
        Ok(report) => (
            json!({
                "ok": true,
                "recovered": report.temporary_access_pass.is_some(),
                "refusal": report.refusal,
            }),
            ExitCode::SUCCESS,
        ),
        Err(e) => {
            eprintln!("demo-browser: {e}");
            (
                json!({"ok": false, "failure": e.to_string()}),
                ExitCode::FAILURE,
            )
        }
    };
    let mut line = line;
    line["upn"] = json!(script.upn);
    line["action"] = json!(action_text);
    line["url"] = json!(redact(url));
    append_to_log(&line);
    status
}

/// Appends one JSON line to `DEMO_BROWSER_LOG`, when it is set; a log that
/// cannot be written is said on stderr and does not change the exit code.
fn append_to_log(line: &Value) {
    let Some(path) = env("DEMO_BROWSER_LOG") else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(e) = written {
        eprintln!("demo-browser: cannot append to DEMO_BROWSER_LOG {path}: {e}");
    }
}
