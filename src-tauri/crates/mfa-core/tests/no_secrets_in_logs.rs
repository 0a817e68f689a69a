//! Nothing secret reaches a log: with every log line of every crate
//! captured at the most detailed level, a sign-in with device-key
//! enrolment, "confirm it's you", a journey that changes the account, and a
//! signed reset request run against the tenant emulator; then the captured
//! text is searched for every code and token the emulator issued, the
//! device key's private half (read back from the real Secret Service) and
//! the request's verification phrase. Its own test program: it installs the
//! process's log subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{secret_tool_lookup, Harness, ScriptedBrowser};
use mfa_core::assistant::{Assistant, ResetDesk};
use mfa_core::config::Helpdesk;
use mfa_core::device_key::{DeviceEnroller, DeviceKeyStore};
use mfa_core::guardrails::Floor;
use mfa_core::helpdesk::{CallbackPreference, DeliveryState, Outbox, Reason, ResetForm, StillHas};
use mfa_core::journey::{JourneyStore, Waiting};
use mfa_core::security_info::SecondaryMethod;
use tenant_emulator::browser::BrowserAction;

const BEN: &str = "ben@contoso-demo.example";

/// Every line logged, in one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_code_token_key_or_phrase_is_ever_logged() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let h = Harness::start().await;
    let relay = h.emulator.base_url().join("helpdesk/").unwrap();
    let http = mfa_core::http::build_client(None).unwrap();
    let keys = DeviceKeyStore::new(&h.keychain_service, &h.config.keychain_account());
    let session = h.session().with_device_proof(DeviceEnroller::new(
        http.clone(),
        &relay,
        tenant_emulator::demo::RELAY_SCOPE,
        keys.clone(),
        "0.1.0",
    ));
    let dir = tempfile::tempdir().unwrap();
    let desk = ResetDesk::new(
        Some(Helpdesk::Relay(relay)),
        Outbox::new(dir.path().join("outbox")),
        vec!["contoso-demo.example".to_owned()],
        Some(tenant_emulator::demo::TENANT_ID.to_owned()),
        "0.1.0",
    )
    .with_device_keys(keys.clone());
    desk.deliver_in_background(http);
    let app = Assistant::new(
        Arc::new(session),
        JourneyStore::new(dir.path().join("journeys")),
        Floor::DEFAULT,
        h.emulator.base_url().join("security-info").unwrap(),
    )
    .with_browser(ScriptedBrowser::new("ben", BrowserAction::SignIn, None))
    .with_reset_desk(desk);

    // Sign in; the computer's device key is enrolled in the background.
    app.sign_in().await.unwrap();
    let info = app.security_info().await.unwrap();
    assert!(!info.methods.is_empty());

    // A change that needs "confirm it's you", then runs against Graph.
    let journey = app
        .choose_default(&SecondaryMethod::VoiceMobile)
        .await
        .unwrap();
    assert_eq!(journey.waiting(), Waiting::ConfirmIdentity);
    app.confirm_identity().await.unwrap();
    let journey = app.continue_journey().await.unwrap();
    assert_eq!(journey.waiting(), Waiting::Finished);

    // Locked out later, from this computer: a signed request.
    app.sign_out().await.unwrap();
    let preview = app
        .prepare_reset_request(ResetForm {
            upn: BEN.into(),
            reason: Reason::LostPhone,
            reason_detail: String::new(),
            still_has: vec![StillHas::Password],
            callback: CallbackPreference::DirectoryPhone,
            availability: String::new(),
        })
        .await
        .unwrap();
    let phrase = preview.request.verification_phrase.clone();
    app.send_reset_request(&preview.draft_id).unwrap();
    let mut delivered = false;
    for _ in 0..100 {
        if matches!(
            app.reset_requests().unwrap()[0].state,
            DeliveryState::Delivered { .. }
        ) {
            delivered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(delivered, "the request was not delivered");
    let ticket = h.emulator.helpdesk_tickets().pop().unwrap();
    assert!(
        ticket.device_proof.is_some(),
        "the request was not signed, so the key was never used"
    );

    // The secrets of this run.
    let mut secrets = h.emulator.issued_secrets();
    assert!(
        secrets.len() >= 5,
        "codes, Graph and relay tokens, refresh tokens: {}",
        secrets.len()
    );
    let entry = secret_tool_lookup(&h.keychain_service, &keys.account(BEN))
        .expect("the device key is in the Secret Service");
    let stored: serde_json::Value = serde_json::from_str(&entry).unwrap();
    secrets.push(stored["secret"].as_str().unwrap().to_owned());
    secrets.push(phrase);

    let text = logs.text();
    // The capture works: the enrolment and the delivery were logged.
    assert!(text.lines().count() > 20, "{text}");
    for secret in &secrets {
        assert!(secret.len() >= 8, "too short to search for: {secret:?}");
        assert!(
            !text.contains(secret.as_str()),
            "a secret ({} characters, starting {:?}) is in the logs",
            secret.len(),
            &secret[..4]
        );
    }
    assert_eq!(app.signed_in_upn().await, None);
}
