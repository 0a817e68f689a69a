//! The emulated Security Info page over real HTTP: sign-in, each "Add
//! sign-in method" flow, delete and change default with Graph's rules,
//! CSRF and same-origin refusals, and the scripted browser (library and
//! `demo-browser` binary) driving it. Every change is checked through Graph.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tenant_emulator::browser::{
    self, BrowserAction, BrowserOutcome, BrowserScript, SecurityInfoReport, SecurityInfoStep,
};
use tenant_emulator::{demo, totp, Emulator};

const DEFAULT_MESSAGE: &str = "Cannot delete default method with other methods configured. Please change default method before deletion.";

/// Runs the scripted browser on the Security Info page for a demo user.
async fn drive(
    emulator: &Emulator,
    user: &str,
    step: SecurityInfoStep,
) -> Result<(BrowserOutcome, SecurityInfoReport), Box<dyn std::error::Error + Send + Sync>> {
    let upn = demo::user(user).map(|u| u.upn).ok_or("unknown demo user")?;
    let url = browser::security_info_url(&emulator.base_url(), upn);
    let script = BrowserScript::demo_user(user, BrowserAction::SignIn).with_security_info(step);
    let outcome = browser::run(&url, &script).await?;
    let report = outcome
        .security_info
        .clone()
        .ok_or("no Security Info report")?;
    Ok((outcome, report))
}

/// One collection of a user's methods, through Graph.
async fn collection(
    emulator: &Emulator,
    user: &str,
    name: &str,
) -> Result<Vec<Value>, Box<dyn std::error::Error + Send + Sync>> {
    let token = access_token(emulator, user).await?;
    let (status, _, body) = graph_send(
        emulator,
        Method::GET,
        &token,
        &format!("v1.0/me/authentication/{name}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(body["value"].as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn microsoft_authenticator_is_paired_and_tested() -> TestResult {
    let emulator = start().await;
    let (outcome, report) = drive(
        &emulator,
        "ben",
        SecurityInfoStep::AddAuthenticator {
            device_name: "Ben's Pixel 9".into(),
        },
    )
    .await?;
    assert_eq!(
        report.done,
        [
            "opened Microsoft Authenticator setup",
            "paired the simulated phone 'Ben's Pixel 9'",
            "approved the test notification"
        ]
    );
    assert!(
        report
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("Ben's Pixel 9 is registered")),
        "{report:?}"
    );
    assert!(report
        .methods
        .iter()
        .any(|m| m.contains("Microsoft Authenticator Ben's Pixel 9")));
    let titles: Vec<String> = outcome
        .pages
        .iter()
        .filter_map(|p| p.title.clone())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Enter code")),
        "{titles:?}"
    );

    let apps = collection(&emulator, "ben", "microsoftAuthenticatorMethods").await?;
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["displayName"], "Ben's Pixel 9");
    assert_eq!(apps[0]["deviceTag"], "SoftwareTokenActivated");
    assert!(apps[0]["phoneAppVersion"].is_string());
    assert!(apps[0]["createdDateTime"].is_string());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_authenticator_app_is_added_with_the_current_code() -> TestResult {
    let emulator = start().await;
    let (_, report) = drive(
        &emulator,
        "erin",
        SecurityInfoStep::AddTotp {
            name: "Aegis".into(),
        },
    )
    .await?;
    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(
        report.notice.as_deref(),
        Some("Added the authenticator app Aegis.")
    );
    assert_eq!(
        collection(&emulator, "erin", "softwareOathMethods")
            .await?
            .len(),
        1
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_security_key_is_added() -> TestResult {
    let emulator = start().await;
    let (_, report) = drive(
        &emulator,
        "chidi",
        SecurityInfoStep::AddSecurityKey {
            name: "Backup key".into(),
        },
    )
    .await?;
    assert_eq!(report.done, ["added the security key 'Backup key'"]);
    let keys = collection(&emulator, "chidi", "fido2Methods").await?;
    assert_eq!(keys.len(), 2);
    let added = keys
        .iter()
        .find(|k| k["displayName"] == "Backup key")
        .ok_or("no new key")?;
    assert_eq!(added["model"], "Demo security key");
    assert_eq!(added["attestationLevel"], "attested");
    assert_eq!(added["passkeyType"], "deviceBound");
    assert!(added["aaGuid"].as_str().is_some_and(|g| g.len() == 36));
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn phones_are_added_and_changed_even_when_graph_writes_are_off() -> TestResult {
    let emulator = start().await;
    emulator.set_self_service_writes(false);
    let add = |kind: &str, number: &str| SecurityInfoStep::AddPhone {
        phone_type: kind.into(),
        number: number.into(),
    };
    let (_, report) = drive(&emulator, "erin", add("alternateMobile", "+1 4255550191")).await?;
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("requires a mobile phone")),
        "{report:?}"
    );
    let (_, report) = drive(&emulator, "erin", add("mobile", "+1 4255550190")).await?;
    assert_eq!(
        report.notice.as_deref(),
        Some("Added +1 4255550190 as your mobile phone.")
    );
    let (_, report) = drive(&emulator, "erin", add("mobile", "+1 4255550192")).await?;
    assert_eq!(
        report.notice.as_deref(),
        Some("Changed your mobile phone to +1 4255550192.")
    );
    let (_, report) = drive(&emulator, "erin", add("office", "0800 123")).await?;
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("'0800 123' is not valid")),
        "{report:?}"
    );
    let phones = collection(&emulator, "erin", "phoneMethods").await?;
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0]["phoneNumber"], "+1 4255550192");
    assert_eq!(phones[0]["phoneType"], "mobile");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_number_changes_only_when_the_code_sent_to_it_is_entered() -> TestResult {
    let emulator = start().await;
    // Ben's only method is his mobile: a wrong code must leave it as it is.
    let before = collection(&emulator, "ben", "phoneMethods").await?;
    let old = before[0]["phoneNumber"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, report) = drive(
        &emulator,
        "ben",
        SecurityInfoStep::AddPhoneWrongCode {
            phone_type: "mobile".into(),
            number: "+44 7700900999".into(),
        },
    )
    .await?;
    assert_eq!(
        report.done,
        vec![
            "asked for a code to the mobile phone +44 7700900999".to_owned(),
            "entered a code other than the one sent".to_owned()
        ]
    );
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains("doesn't match the one sent to +44 7700900999")
            && error.contains("Your mobile phone hasn't changed"),
        "{error}"
    );
    let after = collection(&emulator, "ben", "phoneMethods").await?;
    assert_eq!(after, before, "a wrong code changed nothing");
    assert_ne!(old, "+44 7700900999");

    // The right code (the one the simulated phone received) changes it.
    let (_, report) = drive(
        &emulator,
        "ben",
        SecurityInfoStep::AddPhone {
            phone_type: "mobile".into(),
            number: "+44 7700900999".into(),
        },
    )
    .await?;
    assert_eq!(
        report.done.last().map(String::as_str),
        Some("entered the code sent to the number")
    );
    assert_eq!(
        report.notice.as_deref(),
        Some("Changed your mobile phone to +44 7700900999.")
    );
    let after = collection(&emulator, "ben", "phoneMethods").await?;
    assert_eq!(after[0]["phoneNumber"], "+44 7700900999");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn delete_and_change_default_follow_graphs_rules() -> TestResult {
    let emulator = start().await;
    let authenticator = SecurityInfoStep::Delete {
        collection: "microsoftAuthenticatorMethods".into(),
        id: "6803c096-c096-6803-96c0-036896c00368".into(),
    };
    let (_, report) = drive(&emulator, "adele", authenticator.clone()).await?;
    assert_eq!(report.error.as_deref(), Some(DEFAULT_MESSAGE));
    let (_, report) = drive(
        &emulator,
        "adele",
        SecurityInfoStep::SetDefault {
            method: "voiceOffice".into(),
        },
    )
    .await?;
    assert!(report.error.is_some(), "{report:?}"); // no office phone to choose
    let (_, report) = drive(
        &emulator,
        "adele",
        SecurityInfoStep::SetDefault {
            method: "sms".into(),
        },
    )
    .await?;
    assert_eq!(report.error, None, "{report:?}");
    assert!(
        report
            .default_method
            .as_deref()
            .is_some_and(|d| d.contains("Phone - text")),
        "{report:?}"
    );
    let (_, report) = drive(&emulator, "adele", authenticator).await?;
    assert_eq!(report.error, None, "{report:?}");
    assert!(
        collection(&emulator, "adele", "microsoftAuthenticatorMethods")
            .await?
            .is_empty()
    );
    let token = access_token(&emulator, "adele").await?;
    let (_, _, prefs) = graph_send(
        &emulator,
        Method::GET,
        &token,
        &sign_in_preferences(&emulator, &token).await?,
        None,
    )
    .await?;
    assert_eq!(
        prefs["userPreferredMethodForSecondaryAuthentication"],
        "sms"
    );
    let (_, report) = drive(&emulator, "adele", SecurityInfoStep::Look).await?;
    assert_eq!(report.done, Vec::<String>::new());
    assert_eq!(report.methods.len(), 2, "{report:?}");
    emulator.shutdown().await;
    Ok(())
}

/// A browser by hand, for what the scripted one never does (wrong codes,
/// forged forms).
struct Manual {
    client: reqwest::Client,
    base: url::Url,
}

/// The `value` of the first hidden input named `name`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// The text of the element with this id (no nested tags).
fn by_id(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let open = html[start..].find('>')? + start + 1;
    let close = html[open..].find('<')? + open;
    Some(html[open..close].to_string())
}

impl Manual {
    /// Signs Adele in (password, then push approval) and returns the main
    /// page.
    async fn sign_in(
        emulator: &Emulator,
    ) -> Result<(Manual, String), Box<dyn std::error::Error + Send + Sync>> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(10))
            .build()?;
        let base = emulator.base_url();
        let page = client
            .get(base.join("security-info?login_hint=adele@contoso-demo.example")?)
            .send()
            .await?;
        assert_eq!(page.status(), StatusCode::OK);
        let csp = page
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
            "{csp}"
        );
        let html = page.text().await?;
        assert!(html.contains("id=\"credentials\""));
        assert!(html.contains("value=\"adele@contoso-demo.example\""));
        let flow = hidden(&html, "flow").ok_or("no flow")?;
        let tenant = format!("{}/", demo::TENANT_ID);
        let mfa = client
            .post(base.join(&format!("{tenant}login"))?)
            .form(&[
                ("flow", flow.as_str()),
                ("login", "adele@contoso-demo.example"),
                ("passwd", "Adele-demo-1"),
                ("action", "signin"),
            ])
            .send()
            .await?
            .text()
            .await?;
        assert!(mfa.contains("id=\"second-factor\""), "{mfa}");
        // reqwest follows the 303 back to the page with the session cookie.
        let main = client
            .post(base.join(&format!("{tenant}mfa"))?)
            .form(&[("flow", flow.as_str()), ("action", "approve")])
            .send()
            .await?;
        assert_eq!(main.url().path(), "/security-info");
        let html = main.text().await?;
        assert!(html.contains("Demo tenant \u{2014} emulated Security Info"));
        Ok((Manual { client, base }, html))
    }

    async fn post(
        &self,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Result<(StatusCode, String), reqwest::Error> {
        let mut request = self
            .client
            .post(
                self.base
                    .join("security-info")
                    .unwrap_or_else(|_| self.base.clone()),
            )
            .form(form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await?;
        Ok((response.status(), response.text().await?))
    }
}

#[tokio::test]
async fn a_wrong_totp_code_is_refused_and_the_right_one_accepted() -> TestResult {
    let emulator = start().await;
    let (page, html) = Manual::sign_in(&emulator).await?;
    let csrf = hidden(&html, "csrf").ok_or("no csrf")?;
    let (status, html) = page
        .post(
            &[("csrf", &csrf), ("op", "add-totp"), ("name", "Work phone")],
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    let secret = by_id(&html, "totp-secret").ok_or("no secret")?;
    let uri = by_id(&html, "otpauth-uri").ok_or("no otpauth URI")?;
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")),
        "{uri}"
    );
    assert!(html.contains("<svg"));

    // A code that is not valid anywhere near now.
    let now = totp::now_unix();
    let near: Vec<String> = (0..5)
        .filter_map(|i| totp::code_at(&secret, now + i * 30 - 60))
        .collect();
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .ok_or("no wrong code")?;
    let (status, html) = page
        .post(
            &[("csrf", &csrf), ("op", "verify-totp"), ("code", &wrong)],
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("is not the code your authenticator app shows now"),
        "{html}"
    );
    assert!(collection(&emulator, "adele", "softwareOathMethods")
        .await?
        .is_empty());

    let right = totp::code_now(&secret).ok_or("no code")?;
    let (status, html) = page
        .post(
            &[("csrf", &csrf), ("op", "verify-totp"), ("code", &right)],
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Added the authenticator app Work phone."));
    assert_eq!(
        collection(&emulator, "adele", "softwareOathMethods")
            .await?
            .len(),
        1
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn forged_and_cross_site_forms_are_refused() -> TestResult {
    let emulator = start().await;
    let (page, html) = Manual::sign_in(&emulator).await?;
    let csrf = hidden(&html, "csrf").ok_or("no csrf")?;
    let add = |token: &'static str| {
        [
            ("csrf", token),
            ("op", "add-security-key"),
            ("name", "Forged"),
        ]
    };
    let (status, html) = page.post(&add("not-the-token"), None).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("CSRF token does not match"), "{html}");
    let (status, _) = page
        .post(&[("op", "add-security-key"), ("name", "Forged")], None)
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = [
        ("csrf", csrf.as_str()),
        ("op", "add-security-key"),
        ("name", "Forged"),
    ];
    let (status, html) = page.post(&form, Some("http://evil.example")).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("another site"), "{html}");
    // Without the session cookie.
    let response = client()
        .post(emulator.base_url().join("security-info")?)
        .form(&form)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        collection(&emulator, "adele", "fido2Methods").await?.len(),
        0
    );

    // The genuine form, from this origin, works.
    let origin = emulator.base_url().origin().ascii_serialization();
    let (status, _) = page.post(&form, Some(&origin)).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        collection(&emulator, "adele", "fido2Methods").await?.len(),
        1
    );
    emulator.shutdown().await;
    Ok(())
}

#[test]
fn security_info_steps_parse_from_their_env_spelling() {
    let parse = SecurityInfoStep::parse;
    assert_eq!(parse("security-info:look"), Some(SecurityInfoStep::Look));
    assert_eq!(
        parse("security-info:add-phone:alternateMobile:+1 4255550100"),
        Some(SecurityInfoStep::AddPhone {
            phone_type: "alternateMobile".into(),
            number: "+1 4255550100".into()
        })
    );
    assert_eq!(
        parse("security-info:add-phone-wrong-code:mobile:+44 7700900999"),
        Some(SecurityInfoStep::AddPhoneWrongCode {
            phone_type: "mobile".into(),
            number: "+44 7700900999".into()
        })
    );
    assert_eq!(
        parse("security-info:delete:fido2Methods/-2_GRUg2-HYz6_1YG4YRAQ2"),
        Some(SecurityInfoStep::Delete {
            collection: "fido2Methods".into(),
            id: "-2_GRUg2-HYz6_1YG4YRAQ2".into()
        })
    );
    assert_eq!(
        parse("security-info:add-authenticator:Pixel 9"),
        Some(SecurityInfoStep::AddAuthenticator {
            device_name: "Pixel 9".into()
        })
    );
    for bad in [
        "security-info:add-phone:pager:+1 4255550100",
        "security-info:add-totp:",
        "security-info:delete:nothing",
        "security-info:dance",
        "sign-in",
    ] {
        assert_eq!(parse(bad), None, "{bad}");
    }
}

#[tokio::test]
async fn the_demo_browser_binary_drives_the_page_and_logs_it() -> TestResult {
    let emulator = start().await;
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("browser.jsonl");
    let url = browser::security_info_url(&emulator.base_url(), "ben@contoso-demo.example");
    let run = |action: &'static str| {
        let url = url.to_string();
        let log = log.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_demo-browser"))
                .arg(url)
                .env("DEMO_BROWSER_ACTION", action)
                .env("DEMO_BROWSER_LOG", log)
                .env_remove("DEMO_BROWSER_UPN")
                .env_remove("DEMO_BROWSER_PASSWORD")
                .env_remove("DEMO_BROWSER_CA")
                .output()
        })
    };
    let output = tokio::time::timeout(
        Duration::from_secs(30),
        run("security-info:add-phone:office:+44 2079460001"),
    )
    .await???;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = tokio::time::timeout(
        Duration::from_secs(30),
        run("security-info:add-phone:fax:1"),
    )
    .await???;
    assert_eq!(output.status.code(), Some(2));

    let lines: Vec<Value> = std::fs::read_to_string(&log)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["upn"], "ben@contoso-demo.example");
    assert_eq!(
        lines[0]["action"],
        "security-info:add-phone:office:+44 2079460001"
    );
    let report = &lines[0]["securityInfo"];
    assert_eq!(
        report["done"],
        serde_json::json!([
            "asked for a code to the office phone +44 2079460001",
            "entered the code sent to the number"
        ])
    );
    assert_eq!(
        report["notice"],
        "Added +44 2079460001 as your office phone."
    );
    let phones = collection(&emulator, "ben", "phoneMethods").await?;
    assert_eq!(phones.len(), 2);
    emulator.shutdown().await;
    Ok(())
}
