//! The whole locked-out path with every real part and no stand-in: the
//! tenant emulator (sign-in and Graph), the real helpdesk relay
//! (`helpdesk_relay::Relay`, in-process, SQLite), a real Request Tracker 5
//! (the relay's own fixture) and the real Secret Service (gnome-keyring in
//! the test session).
//!
//! The app is configured as an organisation would configure it
//! (`[helpdesk] relay = "…"` in the managed file); a sign-in enrols this
//! computer's device key with the relay, which checks the token against the
//! emulator's Graph `/me`; later, locked out and signed out, the user sends
//! a reset request through the app's outbox. The relay answers `202
//! accepted` before any ticket exists; the outbox then follows the request
//! up (`GET /v1/reset-requests/{id}`) until the relay knows RT's ticket
//! number, which is what the user is shown. The RT ticket is read back
//! through RT's REST 2 API.
//!
//! Run with `dbus-run-session -- scripts/test-session -p mfa-core --test
//! relay_end_to_end` (needs `scripts/install-deps --test` for RT).

mod common;
#[path = "../../helpdesk-relay/tests/common/services.rs"]
mod services;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Harness, ScriptedBrowser};
use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use mfa_core::config::{self, Helpdesk};
use mfa_core::device_key::{DeviceEnroller, DeviceKeyStore, Enrolment};
use mfa_core::helpdesk::{
    CallbackPreference, DeliveryState, Outbox, Reason, ResetForm, StillHas, RUNBOOK,
};
use mfa_core::session::Session;
use serde_json::Value;
use services::RequestTracker;
use tenant_emulator::browser::BrowserAction;
use tenant_emulator::demo;
use time::OffsetDateTime;

const ADELE: &str = "adele@contoso-demo.example";
const BEN: &str = "ben@contoso-demo.example";
const DOMAIN: &str = "contoso-demo.example";
const APP_VERSION: &str = "0.1.0";
/// How long the relay may take to file a ticket in RT and the app to learn
/// its number (RT answers in about a second; the first start of RT is
/// awaited before this counts).
const TICKET_WITHIN: Duration = Duration::from_secs(90);

/// The relay: SQLite in `dir`, the emulator as its Entra tenant (the
/// demo tenant's "MFA Assistant relay" API), tickets to RT.
async fn start_relay(dir: &Path, graph: &url::Url, rt: &RequestTracker) -> Relay {
    let authority = graph.join("/").unwrap();
    let text = format!(
        "listen = \"127.0.0.1:0\"\n\
         database = \"sqlite:{}\"\n\
         organisation_domains = [\"{DOMAIN}\"]\n\
         graph_base = \"{graph}\"\n\
         \n\
         [delivery]\n\
         first_retry_seconds = 1\n\
         \n\
         [entra]\n\
         tenant_id = \"{}\"\n\
         authority = \"{authority}\"\n\
         relay_client_id = \"{}\"\n\
         app_id_uri = \"{}\"\n\
         assistant_client_id = \"{}\"\n\
         \n\
         [helpdesk.request_tracker]\n\
         url = {:?}\n\
         token = {:?}\n",
        dir.join("relay.db").display(),
        demo::TENANT_ID,
        demo::RELAY_API_CLIENT_ID,
        demo::RELAY_APP_ID_URI,
        demo::CLIENT_ID,
        rt.url(),
        rt.token(),
    );
    let config = RelayConfig::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let relay = Relay::start(config).await.expect("the relay starts");
    assert!(
        relay.ready(Duration::from_secs(10)).await,
        "the relay's SQLite never opened"
    );
    relay
}

/// The organisation's managed file for the app: the emulator as a custom
/// cloud, and the relay as the helpdesk.
fn app_config(dir: &Path, h: &Harness, relay: &Relay) -> config::Layered {
    let base = h.emulator.base_url();
    let managed = dir.join("managed-config.toml");
    std::fs::write(
        &managed,
        format!(
            "cloud = \"custom\"\n\
             authority_host = \"{base}\"\n\
             graph_base = \"{base}\"\n\
             tenant = \"{}\"\n\
             client_id = \"{}\"\n\
             organisation_domains = [\"{DOMAIN}\"]\n\
             \n\
             [helpdesk]\n\
             relay = \"{}\"\n\
             relay_scope = \"{}\"\n",
            demo::TENANT_ID,
            demo::CLIENT_ID,
            relay.base_url(),
            demo::RELAY_SCOPE,
        ),
    )
    .unwrap();
    config::load_layered(&managed, None).unwrap_or_else(|e| panic!("{e}"))
}

fn http() -> reqwest::Client {
    mfa_core::http::build_client(None).unwrap()
}

/// What the relay's status endpoint says about `request_id`.
async fn relay_status(relay: &Relay, request_id: &str) -> Value {
    let url = relay
        .base_url()
        .join(&format!("v1/reset-requests/{request_id}"))
        .unwrap();
    http()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null)
}

/// Runs the app's delivery passes, as its background loop does (at each
/// `next_due`), until the outbox entry has a ticket number: `(request id,
/// ticket number)`.
async fn until_ticket_number(
    outbox: &Outbox,
    helpdesk: &Helpdesk,
    relay: &Relay,
    key: &str,
) -> (String, String) {
    let deadline = Instant::now() + TICKET_WITHIN;
    loop {
        outbox
            .deliver_due(&http(), helpdesk, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let entry = outbox.get(key).unwrap();
        let DeliveryState::Delivered {
            request_id,
            ticket_number,
            ..
        } = &entry.state
        else {
            panic!("not delivered to the relay: {entry:?}");
        };
        if let Some(number) = ticket_number {
            return (request_id.clone(), number.clone());
        }
        let relay_says = relay_status(relay, request_id).await;
        let Some(due) = outbox.next_due().unwrap() else {
            panic!(
                "the outbox stopped at a delivered request without a ticket number and will \
                 never ask again; the relay's status endpoint says {relay_says}; entry {entry:?}"
            );
        };
        assert!(
            Instant::now() < deadline,
            "no ticket number within {TICKET_WITHIN:?}; the relay says {relay_says}; {entry:?}"
        );
        let wait = Duration::try_from(due - OffsetDateTime::now_utc()).unwrap_or_default();
        tokio::time::sleep(wait.clamp(Duration::from_millis(100), Duration::from_secs(5))).await;
    }
}

fn form(upn: &str) -> ResetForm {
    ResetForm {
        upn: upn.into(),
        reason: Reason::LostPhone,
        reason_detail: String::new(),
        still_has: vec![StillHas::Password],
        callback: CallbackPreference::DirectoryPhone,
        availability: "weekdays 9-17".into(),
    }
}

#[tokio::test]
async fn a_locked_out_users_request_reaches_request_tracker_through_the_real_relay_signed_by_this_computer(
) {
    let started = Instant::now();
    // RT takes a while to set up the first time: start it while the rest starts.
    let rt = tokio::task::spawn_blocking(RequestTracker::shared);
    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let graph = h.emulator.base_url().join("v1.0/").unwrap();
    let rt = rt.await.expect("Request Tracker 5 starts");
    let relay = start_relay(dir.path(), &graph, rt).await;

    // The app, configured as the organisation would: `[helpdesk] relay`.
    let layered = app_config(dir.path(), &h, &relay);
    let config = layered.config.clone().expect("a tenant is configured");
    assert_eq!(layered.helpdesk, Some(Helpdesk::Relay(relay.base_url())));
    assert_eq!(layered.organisation_domains, vec![DOMAIN.to_owned()]);
    assert_eq!(config.keychain_account(), h.config.keychain_account());
    let helpdesk = layered.helpdesk.clone().unwrap();
    let endpoints = config
        .cloud
        .endpoints()
        .expect("a custom cloud has endpoints");
    let keys = DeviceKeyStore::new(&h.keychain_service, &config.keychain_account());
    let _forget_keys = ForgetKeys(keys.clone());

    // Adele signs in; the app gets a token for the relay's own scope and
    // enrols this computer's key with it; the relay checks it against the
    // tenant's keys and never asks Graph.
    assert_eq!(layered.relay_scope.as_deref(), Some(demo::RELAY_SCOPE));
    let session = Session::new(&config, &endpoints, http(), &h.keychain_service)
        .unwrap()
        .with_device_proof(DeviceEnroller::new(
            http(),
            helpdesk.url(),
            layered.relay_scope.as_deref().unwrap(),
            keys.clone(),
            APP_VERSION,
        ));
    session
        .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::SignIn, None))
        .await
        .unwrap();
    let enrolment = session.device_key_enrolment().await;
    let Some(Enrolment::Enrolled { key_id }) = enrolment else {
        panic!("no key was enrolled with the real relay: {enrolment:?}");
    };
    let held = keys.find(ADELE).await.unwrap().expect("in the keychain");
    assert_eq!(held.key_id, key_id);
    let enrolled = relay
        .store()
        .unwrap()
        .device_key(&key_id)
        .await
        .unwrap()
        .expect("the relay's store has the key");
    assert_eq!(enrolled.upn, ADELE);
    assert_eq!(enrolled.public_key, held.public_key());
    assert_eq!(enrolled.app_version, APP_VERSION);
    assert!(!enrolled.user_id.is_empty(), "Graph's id for Adele");

    // Later Adele is locked out: signed out, her phone gone. On the same
    // computer, with nobody signed in, she asks for an admin reset.
    assert!(session.sign_out().await.unwrap());
    drop(session);
    h.emulator.require_reregistration(ADELE).unwrap();
    let outbox = Outbox::new(dir.path().join("outbox")).with_device_keys(keys.clone());
    let prepare = |upn: &str| {
        form(upn)
            .prepare(
                &layered.organisation_domains,
                Some(config.tenant.as_str()),
                mfa_core::machine::this_machine(APP_VERSION),
                OffsetDateTime::now_utc(),
                mfa_core::helpdesk::verification_phrase(),
            )
            .unwrap()
    };
    let request = prepare(ADELE);
    let phrase = request.verification_phrase.clone();
    let entry = outbox.enqueue(request).unwrap();
    let pending = outbox
        .deliver_due(&http(), &helpdesk, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(pending, 0);

    // The relay answered 202 `accepted`: committed, no ticket yet. The
    // outbox records its request id and has no ticket number to show.
    let first = outbox.get(&entry.idempotency_key).unwrap();
    let DeliveryState::Delivered {
        request_id,
        ticket_number: None,
        ..
    } = &first.state
    else {
        panic!("the relay's first answer is `accepted`, without a ticket: {first:?}");
    };
    assert!(request_id.starts_with("rr-"), "{request_id}");
    assert_eq!(first.attempts, 1);

    // The app's delivery follows it up until RT's number is known.
    let (request_id, number) =
        until_ticket_number(&outbox, &helpdesk, &relay, &entry.idempotency_key).await;
    let status = relay_status(&relay, &request_id).await;
    assert_eq!(status["status"], "delivered", "{status}");
    assert_eq!(status["ticketNumber"], number.as_str(), "{status}");
    assert!(
        number.bytes().all(|b| b.is_ascii_digit()),
        "RT's ticket numbers are numbers: {number:?}"
    );
    let done = outbox.get(&entry.idempotency_key).unwrap();
    assert_eq!(done.next_attempt_at, None, "no more follow-ups: {done:?}");
    assert_eq!(done.last_error, None);
    assert_eq!(outbox.next_due().unwrap(), None);

    // The ticket in Request Tracker.
    let ticket = rt.ticket(&number).await;
    assert!(ticket.subject.contains(&request_id), "{ticket:?}");
    assert!(ticket.subject.contains(ADELE), "{ticket:?}");
    assert!(ticket.subject.contains("enrolled device"), "{ticket:?}");
    assert_eq!(ticket.requestors, vec![ADELE.to_owned()]);
    assert_eq!(ticket.queue, RequestTracker::QUEUE);
    for part in [
        format!("Verification phrase (typed by the requester, unverified; it must match what the caller reads out): \"{phrase}\""),
        "Device proof: sent from the user's enrolled device".to_owned(),
        format!("key {key_id}"),
        format!("Runbook (the organisation's, from the relay's configuration):\n1. {}", RUNBOOK[0]),
        format!("Relay request id: {request_id}"),
    ] {
        assert!(
            ticket.content.contains(&part),
            "the ticket lacks {part:?}:\n{}",
            ticket.content
        );
    }

    // A request for someone else from this computer: no key of theirs
    // here, so it goes unsigned and RT marks it "unverified device".
    let request = prepare(BEN);
    let ben_phrase = request.verification_phrase.clone();
    let other = outbox.enqueue(request).unwrap();
    let (ben_request_id, ben_number) =
        until_ticket_number(&outbox, &helpdesk, &relay, &other.idempotency_key).await;
    assert_ne!(ben_number, number);
    let ticket = rt.ticket(&ben_number).await;
    assert!(ticket.subject.contains(&ben_request_id), "{ticket:?}");
    assert!(ticket.subject.contains("unverified device"), "{ticket:?}");
    assert_eq!(ticket.requestors, vec![BEN.to_owned()]);
    for part in [
        format!("Verification phrase (typed by the requester, unverified; it must match what the caller reads out): \"{ben_phrase}\""),
        "Device proof: unverified device (".to_owned(),
        format!("Runbook (the organisation's, from the relay's configuration):\n1. {}", RUNBOOK[0]),
    ] {
        assert!(
            ticket.content.contains(&part),
            "the ticket lacks {part:?}:\n{}",
            ticket.content
        );
    }
    assert!(!ticket.content.contains("enrolled device ("), "{ticket:?}");

    eprintln!(
        "the locked-out path end to end took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Deletes this test's device keys from the keychain at the end, as the
/// harness deletes its refresh token.
struct ForgetKeys(DeviceKeyStore);

impl Drop for ForgetKeys {
    fn drop(&mut self) {
        for upn in [ADELE, BEN] {
            let _ = self.0.delete(upn);
        }
    }
}
