//! Device proof end to end, through the core, against the tenant emulator's
//! relay over real HTTP and with the real Secret Service (gnome-keyring in
//! the test session): a sign-in enrols a key, the keychain keeps its private
//! half, and a reset request sent later from this computer, with nobody
//! signed in, reaches the helpdesk as "sent from the user's enrolled device".

mod common;

use common::{secret_tool_lookup, Harness, ScriptedBrowser};
use mfa_core::config::Helpdesk;
use mfa_core::device_key::{DeviceEnroller, DeviceKeyStore, Enrolment};
use mfa_core::helpdesk::{
    CallbackPreference, DeliveryState, Outbox, Reason, ResetForm, ResetRequest, StillHas,
};
use mfa_core::session::{Restored, Session};
use serde_json::Value;
use tenant_emulator::browser::BrowserAction;
use tenant_emulator::helpdesk::DeviceProof;
use tenant_emulator::Fault;
use time::OffsetDateTime;

const BEN: &str = "ben@contoso-demo.example";
const ADELE: &str = "adele@contoso-demo.example";
const ENROL_ROUTE: &str = "/helpdesk/v1/device-keys";
const RESET_ROUTE: &str = "/helpdesk/v1/reset-requests";

/// The harness, its relay and this test's device-key entries (deleted at
/// the end, like the harness deletes its refresh token).
struct Proof {
    h: Harness,
    relay: url::Url,
    store: DeviceKeyStore,
}

impl Proof {
    async fn start() -> Proof {
        let h = Harness::start().await;
        let relay = h.emulator.base_url().join("helpdesk/").unwrap();
        let store = DeviceKeyStore::new(&h.keychain_service, &h.config.keychain_account());
        Proof { h, relay, store }
    }

    fn http(&self) -> reqwest::Client {
        mfa_core::http::build_client(None).unwrap()
    }

    /// A session as the app makes it when a relay is configured.
    fn session(&self) -> Session {
        self.session_for(&self.relay)
    }

    fn session_for(&self, relay: &url::Url) -> Session {
        self.h.session().with_device_proof(DeviceEnroller::new(
            self.http(),
            relay,
            tenant_emulator::demo::RELAY_SCOPE,
            self.store.clone(),
            "0.1.0",
        ))
    }

    async fn sign_in(&self, session: &Session, user: &str) {
        session
            .sign_in_with_browser(ScriptedBrowser::new(user, BrowserAction::SignIn, None))
            .await
            .unwrap();
    }

    /// The emulator's enrolled keys (`/_emulator/helpdesk/device-keys`).
    async fn relay_keys(&self) -> Vec<Value> {
        let url = self
            .h
            .emulator
            .base_url()
            .join("_emulator/helpdesk/device-keys")
            .unwrap();
        let keys: Value = self
            .http()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        keys.as_array().cloned().unwrap_or_default()
    }

    fn outbox(&self, dir: &std::path::Path) -> Outbox {
        Outbox::new(dir).with_device_keys(self.store.clone())
    }
}

impl Drop for Proof {
    fn drop(&mut self) {
        for upn in [BEN, ADELE] {
            let _ = self.store.delete(upn);
        }
    }
}

fn request(upn: &str) -> ResetRequest {
    ResetForm {
        upn: upn.into(),
        reason: Reason::LostPhone,
        reason_detail: String::new(),
        still_has: vec![StillHas::Password],
        callback: CallbackPreference::DirectoryPhone,
        availability: String::new(),
    }
    .prepare(
        &["contoso-demo.example".to_owned()],
        Some(tenant_emulator::demo::TENANT_ID),
        mfa_core::machine::this_machine("0.1.0"),
        OffsetDateTime::now_utc(),
        mfa_core::helpdesk::verification_phrase(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_computer_where_the_user_signed_in_proves_itself_when_they_are_locked_out() {
    let p = Proof::start().await;

    // Ben signs in. The sign-in answers at once; the key is enrolled after.
    let session = p.session();
    p.sign_in(&session, "ben").await;
    let Some(Enrolment::Enrolled { key_id }) = session.device_key_enrolment().await else {
        panic!("no key was enrolled");
    };
    assert_eq!(p.h.emulator.count("POST", ENROL_ROUTE), 1);
    // The relay saw a token for its own scope, never the Graph token.
    assert_eq!(
        p.h.emulator.relay_bearer_audiences(),
        [tenant_emulator::demo::RELAY_APP_ID_URI],
        "what reached the relay"
    );

    // The relay has its public half, for Ben.
    let key = p
        .store
        .find(BEN)
        .await
        .unwrap()
        .expect("the keychain has it");
    assert_eq!(key.key_id, key_id);
    assert_eq!(key.upn, BEN);
    let enrolled = p.relay_keys().await;
    assert_eq!(enrolled.len(), 1);
    assert_eq!(enrolled[0]["keyId"], key_id.as_str());
    assert_eq!(enrolled[0]["upn"], BEN);
    assert_eq!(enrolled[0]["publicKey"], key.public_key().as_str());
    assert_eq!(enrolled[0]["deviceAppVersion"], "0.1.0");

    // The private half is in the real Secret Service, under its own name.
    let account = format!("{}/device-key/{BEN}", p.h.config.keychain_account());
    assert_eq!(p.store.account("Ben@Contoso-Demo.example"), account);
    let entry = secret_tool_lookup(&p.h.keychain_service, &account).expect("in the keychain");
    let entry: Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(entry["keyId"], key_id.as_str());
    assert_eq!(entry["upn"], BEN);
    assert!(entry["secret"].as_str().is_some_and(|s| s.len() == 43));
    assert!(entry["enrolledAt"].is_string());
    // Any case finds it.
    assert!(p
        .store
        .find("BEN@contoso-demo.EXAMPLE")
        .await
        .unwrap()
        .is_some());

    // Later Ben is locked out: signed out, his phone gone.
    assert!(session.sign_out().await.unwrap());
    drop(session);
    p.h.emulator.require_reregistration(BEN).unwrap();

    // He asks for a reset from this computer, with nobody signed in.
    let dir = tempfile::tempdir().unwrap();
    let outbox = p.outbox(dir.path());
    let entry = outbox.enqueue(request(BEN)).unwrap();
    outbox
        .deliver_due(
            &p.http(),
            &Helpdesk::Relay(p.relay.clone()),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    let DeliveryState::Delivered { ticket_number, .. } =
        outbox.get(&entry.idempotency_key).unwrap().state
    else {
        panic!("not delivered");
    };
    let ticket = p.h.emulator.helpdesk_tickets().pop().unwrap();
    assert_eq!(Some(ticket.id.clone()), ticket_number);
    assert_eq!(ticket.device_proof, Some(DeviceProof::EnrolledDevice));
    assert!(
        ticket
            .device_proof_note
            .as_deref()
            .unwrap()
            .contains(&key_id),
        "{ticket:?}"
    );
    assert!(ticket
        .description
        .contains("Device proof: sent from the user's enrolled device"));

    // The signature was made for that attempt only: the outbox file has none.
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        assert!(!text.to_lowercase().contains("signature"), "{text}");
        assert!(!text.contains(entry_secret(&p, BEN).as_str()));
    }

    // A request for someone else from this computer goes unsigned: unverified.
    let other = outbox.enqueue(request(ADELE)).unwrap();
    outbox
        .deliver_due(
            &p.http(),
            &Helpdesk::Relay(p.relay.clone()),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    assert!(matches!(
        outbox.get(&other.idempotency_key).unwrap().state,
        DeliveryState::Delivered { .. }
    ));
    let ticket = p.h.emulator.helpdesk_tickets().pop().unwrap();
    assert_eq!(ticket.upn, ADELE);
    assert_eq!(ticket.device_proof, Some(DeviceProof::UnverifiedDevice));

    // Ben's key over a body changed after signing: the relay refuses it (401)
    // and files nothing. (Built by hand: the app never sends this.)
    let tickets_before = p.h.emulator.helpdesk_tickets().len();
    let signed = request(BEN);
    let body = serde_json::to_vec(&signed).unwrap();
    let idempotency_key = uuid::Uuid::new_v4().to_string();
    let headers = key.sign(
        &idempotency_key,
        &body,
        OffsetDateTime::now_utc().unix_timestamp(),
    );
    let mut tampered = signed.clone();
    tampered.verification_phrase = "attacker-chosen-99".into();
    let mut attempt = p
        .http()
        .post(p.relay.join("v1/reset-requests").unwrap())
        .header("Idempotency-Key", &idempotency_key)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&tampered).unwrap());
    for (name, value) in headers.pairs() {
        attempt = attempt.header(name, value);
    }
    let response = attempt.send().await.unwrap();
    assert_eq!(response.status(), 401);
    let refusal: Value = response.json().await.unwrap();
    assert_eq!(refusal["error"]["code"], "invalidSignature", "{refusal}");
    assert_eq!(p.h.emulator.helpdesk_tickets().len(), tickets_before);
}

/// The private half as the keychain holds it (to check it is nowhere else).
fn entry_secret(p: &Proof, upn: &str) -> String {
    let account = p.store.account(upn);
    let entry = secret_tool_lookup(&p.h.keychain_service, &account).unwrap();
    let entry: Value = serde_json::from_str(&entry).unwrap();
    entry["secret"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn later_sign_ins_reuse_the_key_and_a_relay_that_forgot_it_gets_it_again() {
    let p = Proof::start().await;
    let session = p.session();
    p.sign_in(&session, "adele").await;
    let Some(Enrolment::Enrolled { key_id }) = session.device_key_enrolment().await else {
        panic!("no key was enrolled");
    };
    let public_key = p.store.find(ADELE).await.unwrap().unwrap().public_key();

    // The app starts again: the restored sign-in asks the relay whether the
    // stored key is still enrolled (GET, with a token for the relay) and
    // enrols nothing.
    let restarted = p.session();
    assert!(matches!(
        restarted.restore().await.unwrap(),
        Restored::SignedIn { .. }
    ));
    assert_eq!(
        restarted.device_key_enrolment().await,
        Some(Enrolment::AlreadyEnrolled {
            key_id: key_id.clone()
        })
    );
    assert_eq!(p.h.emulator.count("POST", ENROL_ROUTE), 1);
    assert_eq!(
        p.h.emulator
            .count("GET", &format!("{ENROL_ROUTE}/{key_id}")),
        1
    );
    assert!(
        p.h.emulator
            .relay_bearer_audiences()
            .iter()
            .all(|aud| aud == tenant_emulator::demo::RELAY_APP_ID_URI),
        "the relay never saw a Graph token: {:?}",
        p.h.emulator.relay_bearer_audiences()
    );
    // The Graph session still works after the relay token's refresh (the
    // rotated refresh token was kept).
    assert!(restarted.security_info().await.is_ok());

    // A second interactive sign-in asks the relay about the same key: no
    // second key, the same keyId.
    p.sign_in(&restarted, "adele").await;
    assert_eq!(
        restarted.device_key_enrolment().await,
        Some(Enrolment::Confirmed {
            key_id: key_id.clone()
        })
    );
    let stored = p.store.find(ADELE).await.unwrap().unwrap();
    assert_eq!(stored.public_key(), public_key);
    assert_eq!(stored.key_id, key_id);
    let enrolled = p.relay_keys().await;
    assert_eq!(enrolled.len(), 1, "{enrolled:?}");
    assert_eq!(enrolled[0]["keyId"], key_id.as_str());

    // A relay that lost its record (here: a key this computer holds that the
    // relay never saw) enrols it again at the next sign-in, with a new id.
    let forgotten = keyring::Entry::new(&p.h.keychain_service, &p.store.account(ADELE)).unwrap();
    let new_secret = helpdesk_contract::device_proof::secret_text(
        &helpdesk_contract::device_proof::generate_key(),
    );
    forgotten
        .set_password(
            &serde_json::json!({
                "keyId": "dk-the-relay-forgot",
                "secret": new_secret,
                "upn": ADELE,
                "enrolledAt": "2026-01-01T00:00:00Z",
            })
            .to_string(),
        )
        .unwrap();
    p.sign_in(&restarted, "adele").await;
    let Some(Enrolment::Confirmed { key_id: again }) = restarted.device_key_enrolment().await
    else {
        panic!("not enrolled again");
    };
    assert_ne!(again, "dk-the-relay-forgot");
    let stored = p.store.find(ADELE).await.unwrap().unwrap();
    assert_eq!(stored.key_id, again);
    assert!(p
        .relay_keys()
        .await
        .iter()
        .any(|k| k["keyId"] == again.as_str() && k["publicKey"] == stored.public_key().as_str()));
}

#[tokio::test]
async fn enrolment_never_breaks_a_sign_in_and_is_tried_again_at_the_next() {
    let p = Proof::start().await;
    p.h.emulator
        .faults()
        .inject(Fault::status("POST /helpdesk/v1/device-keys", 503, None, 1));
    let session = p.session();
    p.sign_in(&session, "adele").await;
    assert_eq!(session.signed_in_upn().await.as_deref(), Some(ADELE));
    assert!(matches!(
        session.device_key_enrolment().await,
        Some(Enrolment::Failed(reason)) if reason.contains("503")
    ));
    assert!(p.store.find(ADELE).await.unwrap().is_none(), "nothing kept");
    assert!(p.relay_keys().await.is_empty());

    // Until then, requests go unsigned, as before device proof.
    let dir = tempfile::tempdir().unwrap();
    let outbox = p.outbox(dir.path());
    outbox.enqueue(request(ADELE)).unwrap();
    outbox
        .deliver_due(
            &p.http(),
            &Helpdesk::Relay(p.relay.clone()),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    let ticket = p.h.emulator.helpdesk_tickets().pop().unwrap();
    assert_eq!(ticket.device_proof, Some(DeviceProof::UnverifiedDevice));

    // The next start enrols it (a restored sign-in with no key yet).
    let restarted = p.session();
    restarted.restore().await.unwrap();
    assert!(matches!(
        restarted.device_key_enrolment().await,
        Some(Enrolment::Enrolled { .. })
    ));
    assert!(p.store.find(ADELE).await.unwrap().is_some());
    assert_eq!(p.relay_keys().await.len(), 1);
}

#[tokio::test]
async fn a_relay_without_device_proof_is_left_alone() {
    let p = Proof::start().await;
    // A relay whose /v1/device-keys is 404 (here: an address with nothing).
    let bare = p.h.emulator.base_url().join("no-device-proof/").unwrap();
    let session = p.session_for(&bare);
    p.sign_in(&session, "adele").await;
    assert_eq!(
        session.device_key_enrolment().await,
        Some(Enrolment::NotOffered)
    );
    assert!(p.store.find(ADELE).await.unwrap().is_none(), "nothing kept");
    assert_eq!(
        secret_tool_lookup(&p.h.keychain_service, &p.store.account(ADELE)),
        None
    );
    // Asked once per run, not at every sign-in.
    p.sign_in(&session, "adele").await;
    assert_eq!(
        session.device_key_enrolment().await,
        Some(Enrolment::NotOffered)
    );
    assert_eq!(
        p.h.emulator
            .count("POST", "/no-device-proof/v1/device-keys"),
        1
    );
}

#[tokio::test]
async fn a_signature_the_relay_refuses_still_gets_the_user_an_unverified_ticket() {
    let p = Proof::start().await;
    let session = p.session();
    p.sign_in(&session, "adele").await;
    let Some(Enrolment::Enrolled { key_id }) = session.device_key_enrolment().await else {
        panic!("no key was enrolled");
    };
    // The keychain's key no longer matches what the relay enrolled under
    // that id (as if damaged): the relay answers 401 invalidSignature.
    let entry = keyring::Entry::new(&p.h.keychain_service, &p.store.account(ADELE)).unwrap();
    entry
        .set_password(
            &serde_json::json!({
                "keyId": key_id,
                "secret": helpdesk_contract::device_proof::secret_text(
                    &helpdesk_contract::device_proof::generate_key()
                ),
                "upn": ADELE,
                "enrolledAt": "2026-01-01T00:00:00Z",
            })
            .to_string(),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox = p.outbox(dir.path());
    let entry = outbox.enqueue(request(ADELE)).unwrap();
    outbox
        .deliver_due(
            &p.http(),
            &Helpdesk::Relay(p.relay.clone()),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    // Refused signed, then sent unsigned at once: delivered, unverified.
    assert!(matches!(
        outbox.get(&entry.idempotency_key).unwrap().state,
        DeliveryState::Delivered { .. }
    ));
    assert_eq!(p.h.emulator.count("POST", RESET_ROUTE), 2);
    let tickets = p.h.emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].device_proof, Some(DeviceProof::UnverifiedDevice));
}
