//! Microsoft's own client library, MSAL for Python (from PyPI, pinned and
//! installed in its own virtualenv by `scripts/install-deps --test`), run
//! unchanged against the emulator over HTTPS: OpenID discovery, device-code
//! sign-in completed by the scripted browser, a silent refresh (the
//! refresh-token grant) and a Graph call with the token
//! (`scripts/msal-check.py`). If MSAL accepts the emulator's answers, a
//! client that works here is not relying on our own reading of the
//! documents alone.

mod common;

use std::process::Command;

use common::*;
use tenant_emulator::{demo, Emulator, EmulatorConfig};

fn msal_python() -> std::path::PathBuf {
    let venv = std::env::var_os("MFA_MSAL_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".local/share/mfa-assistant-tests/msal")
        });
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: scripts/install-deps --test installs MSAL for Python there",
        python.display()
    );
    python
}

#[tokio::test]
async fn msal_for_python_signs_in_refreshes_and_calls_graph_unchanged() -> TestResult {
    let emulator = Emulator::start(EmulatorConfig {
        tls: true,
        ..config()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let ca = dir.path().join("emulator-ca.pem");
    std::fs::write(&ca, emulator.ca_certificate_pem().ok_or("no CA")?)?;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../scripts/msal-check.py");

    let python = msal_python();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(emulator.base_url().as_str())
            .arg(demo::TENANT_ID)
            .arg(demo::CLIENT_ID)
            .arg(env!("CARGO_BIN_EXE_demo-browser"))
            .env("REQUESTS_CA_BUNDLE", &ca)
            .env("DEMO_BROWSER_CA", &ca)
            .output()
            .map(|o| (o, emulator))
    })
    .await??;
    let (out, emulator) = out;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "MSAL failed:\n{stdout}\n{stderr}");
    for step in [
        "signed in as adele@contoso-demo.example",
        "silent refresh (refresh-token grant) ok",
        "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        "works against the emulator unchanged",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    // The silent refresh really went to the token endpoint.
    assert!(
        emulator.count("POST", "/token") >= 2,
        "{:?}",
        emulator.request_log()
    );
    emulator.shutdown().await;
    Ok(())
}
