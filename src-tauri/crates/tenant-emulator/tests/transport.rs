//! HTTPS, persistence across restarts, and the two binaries.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use tenant_emulator::{demo, Emulator, EmulatorConfig};

#[tokio::test]
async fn https_is_trusted_only_with_the_emulators_ca() -> TestResult {
    let emulator = Emulator::start(EmulatorConfig {
        tls: true,
        ..config()
    })
    .await?;
    let base = emulator.base_url();
    assert_eq!(base.scheme(), "https");
    let ca = emulator.ca_certificate_pem().ok_or("no CA")?;
    let discovery = base.join(&format!(
        "{}/v2.0/.well-known/openid-configuration",
        demo::TENANT_ID
    ))?;

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes())?)
        .build()?;
    let response = trusting.get(discovery.clone()).send().await?;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await?;
    assert!(body["issuer"]
        .as_str()
        .is_some_and(|i| i.starts_with("https://127.0.0.1:")));

    let localhost = format!("https://localhost:{}/", base.port().unwrap_or_default());
    let response = trusting.get(&localhost).send().await?;
    assert_eq!(response.status(), StatusCode::OK);

    let untrusting = reqwest::Client::builder().build()?;
    assert!(untrusting.get(discovery).send().await.is_err());

    // The scripted browser completes a sign-in over HTTPS when told the CA.
    let tokens = sign_in(&emulator, "adele", APP_SCOPES).await?;
    assert!(tokens["access_token"].is_string());
    emulator.shutdown().await;

    let plain = start().await;
    assert!(plain.ca_certificate_pem().is_none());
    plain.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn refresh_tokens_and_revocations_survive_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let persistent = || EmulatorConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..config()
    };
    let emulator = Emulator::start(persistent()).await?;
    let keys_url = |e: &Emulator| e.base_url().join("common/discovery/v2.0/keys");
    let kid_before: Value = client()
        .get(keys_url(&emulator)?)
        .send()
        .await?
        .json()
        .await?;
    let adele = sign_in(&emulator, "adele", APP_SCOPES).await?;
    let erin = sign_in(&emulator, "erin", APP_SCOPES).await?;
    emulator
        .revoke_sign_in_sessions("erin@contoso-demo.example")
        .await?;
    emulator.shutdown().await;
    assert!(dir.path().join(tenant_emulator::STATE_FILE_NAME).exists());

    let emulator = Emulator::start(persistent()).await?;
    let kid_after: Value = client()
        .get(keys_url(&emulator)?)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(kid_before["keys"][0]["kid"], kid_after["keys"][0]["kid"]);
    let refresh = |token: &Value| {
        let token = token["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let emulator = &emulator;
        async move {
            token_request(
                emulator,
                &[
                    ("client_id", demo::CLIENT_ID),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                ],
            )
            .await
        }
    };
    let (status, rotated) = refresh(&adele).await?;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let (_, revoked) = refresh(&erin).await?;
    assert_eq!(assert_identity_error(&revoked, "invalid_grant"), 50173);
    // After another restart the rotated token works, and so does the old
    // one: rotation does not revoke it (Microsoft's refresh-token page).
    emulator.shutdown().await;
    let emulator = Emulator::start(persistent()).await?;
    let (_, reused) = token_request(
        &emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                adele["refresh_token"].as_str().unwrap_or_default(),
            ),
        ],
    )
    .await?;
    assert!(reused["refresh_token"].is_string(), "{reused}");
    let (status, _) = token_request(
        &emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                rotated["refresh_token"].as_str().unwrap_or_default(),
            ),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    emulator.shutdown().await;
    Ok(())
}

#[test]
fn the_emulator_binary_explains_itself_and_rejects_bad_flags() -> TestResult {
    let binary = env!("CARGO_BIN_EXE_tenant-emulator");
    let help = Command::new(binary).arg("--help").output()?;
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout)?;
    assert!(
        text.contains("--state-dir")
            && text.contains("--device-code-interval")
            && text.contains("--tls")
    );
    let bad = Command::new(binary).arg("--bogus").output()?;
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8(bad.stderr)?.contains("--bogus"));
    let bad = Command::new(binary).args(["--port", "nope"]).output()?;
    assert_eq!(bad.status.code(), Some(2));
    Ok(())
}

#[test]
fn the_emulator_binary_prints_where_everything_is() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenant-emulator"))
        .args(["--tls", "--state-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let done = line.starts_with("Press Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill()?;
    child.wait()?;
    let text = lines.join("\n");
    assert!(
        text.contains(demo::TENANT_ID) && text.contains(demo::CLIENT_ID),
        "{text}"
    );
    assert!(
        text.contains("Graph:") && text.contains("https://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("adele@contoso-demo.example"), "{text}");
    let ca_line = lines
        .iter()
        .find(|l| l.contains("CA certificate:"))
        .ok_or("no CA line")?;
    let ca_path = ca_line
        .split_once(": ")
        .map(|(_, p)| p.trim())
        .ok_or("no CA path")?;
    assert!(std::fs::read_to_string(ca_path)?.contains("BEGIN CERTIFICATE"));
    Ok(())
}

#[tokio::test]
async fn the_demo_browser_binary_signs_in_and_logs_one_line() -> TestResult {
    let emulator = start().await;
    let app = LoopbackApp::start().await;
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("browser.jsonl");
    let url = authorize_url(&emulator, &app.redirect_uri, &pkce(), "st8", APP_SCOPES);
    let run = |action: &'static str, upn: &'static str| {
        let url = url.to_string();
        let log = log.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_demo-browser"))
                .arg(url)
                .env("DEMO_BROWSER_UPN", upn)
                .env("DEMO_BROWSER_ACTION", action)
                .env("DEMO_BROWSER_LOG", log)
                .env_remove("DEMO_BROWSER_PASSWORD")
                .env_remove("DEMO_BROWSER_CA")
                .output()
        })
    };
    let output = tokio::time::timeout(Duration::from_secs(20), run("sign-in", "ben")).await???;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = tokio::time::timeout(Duration::from_secs(20), run("cancel", "adele")).await???;
    assert!(output.status.success());
    let output = tokio::time::timeout(Duration::from_secs(20), run("dance", "adele")).await???;
    assert_eq!(output.status.code(), Some(2));

    let lines: Vec<Value> = std::fs::read_to_string(&log)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["upn"], "ben@contoso-demo.example");
    assert_eq!(lines[0]["appStatus"], 200);
    assert_eq!(lines[0]["appBody"], APP_SUCCESS_BODY);
    let redirect = lines[0]["redirect"].as_str().unwrap_or_default();
    assert!(
        redirect.contains("code=REDACTED") && redirect.contains("state=st8"),
        "{redirect}"
    );
    assert_eq!(lines[1]["error"], "access_denied");
    emulator.shutdown().await;
    Ok(())
}
