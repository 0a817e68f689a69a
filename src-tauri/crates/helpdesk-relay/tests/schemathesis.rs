//! The relay's HTTP face tried from its own OpenAPI file by schemathesis
//! (PyPI; installed by `scripts/install-deps --test`): thousands of
//! generated requests, valid and not, to every operation, with and without
//! a relay token. Every answer must be documented (status, content type,
//! headers, body schema) and none may be a 5xx.
//!
//! One check is left out, `positive_data_acceptance` (a schema-valid
//! request must be accepted): the relay refuses some schema-valid requests
//! for reasons a schema cannot say, and documents those answers (422 for a
//! UPN outside the organisation's domains, 400 for control characters
//! in typed text or a UPN Entra would not allow).

mod support;

use std::process::Command;
use std::time::Duration;

use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use support::{config_text, demo_tokens, entra_config, fake_graph, FakeServiceNow};

/// Where `scripts/install-deps --test` puts schemathesis.
fn schemathesis() -> std::path::PathBuf {
    let venv = std::env::var_os("MFA_SCHEMATHESIS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".local/share/mfa-assistant-tests/schemathesis")
        });
    let program = venv.join("bin/schemathesis");
    assert!(
        program.is_file(),
        "schemathesis is not installed at {}: run scripts/install-deps --test",
        program.display()
    );
    program
}

#[tokio::test(flavor = "multi_thread")]
async fn every_answer_to_generated_requests_is_documented_and_none_is_a_server_error() {
    let program = schemathesis();
    let tenant = tenant_emulator::Emulator::start(tenant_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let (graph, _graph) = fake_graph().await;
    let database = format!("sqlite:{}", dir.path().join("relay.db").display());
    // Limits high enough that generated requests reach the checks behind
    // them (the limits have their own tests in abuse.rs).
    let limits = "[limits]\nper_address_per_minute = 1000000\nper_account_per_hour = 1000000\nsigned_per_account_per_hour = 1000000\n";
    let text = config_text(
        &database,
        &graph,
        &format!("{limits}{}", entra_config(&tenant.base_url())),
        &desk.config(),
    );
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    // A real relay token, so the device-key operations are tried past 401.
    let (_, token) = demo_tokens(&tenant.base_url(), "adele").await;

    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../docs/helpdesk-relay.openapi.yaml");
    let url = relay.base_url().to_string();
    // Its example database and reports go to a scratch folder, not the repo.
    let scratch = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(program)
            .current_dir(scratch)
            .arg("run")
            .arg(schema)
            .args(["--url", url.trim_end_matches('/')])
            .args(["--checks", "all"])
            .args(["--exclude-checks", "positive_data_acceptance"])
            .args(["--max-examples", "150", "--seed", "20261205"])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found answers the OpenAPI file does not document, or a 5xx:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It really ran: every operation was tried.
    assert!(report.contains("Tested: "), "{report}");
    assert!(!report.contains("Tested: 0"), "{report}");
}
