//! The whole locked-out loop through the core, against the tenant emulator:
//! a request with no sign-in reaches the helpdesk, the admin issues a
//! Temporary Access Pass, the user signs in with it and registers a new
//! method, so they are not left with one method again.

mod common;

use common::{browser_done, Harness, ScriptedBrowser};
use mfa_core::config::Helpdesk;
use mfa_core::guardrails::{Floor, PhoneNumber};
use mfa_core::helpdesk::{CallbackPreference, DeliveryState, Outbox, Reason, ResetForm, StillHas};
use mfa_core::journey::{Journey, JourneyStore, Registration, Waiting};
use mfa_core::security_info::PhoneType;
use tenant_emulator::browser::{self, BrowserAction, BrowserScript, SecurityInfoStep};
use tenant_emulator::TapOptions;
use time::OffsetDateTime;

const DANA: &str = "dana@contoso-demo.example";

#[tokio::test]
async fn a_locked_out_user_gets_back_in_with_a_temporary_access_pass_and_adds_a_method() {
    let h = Harness::start().await;

    // Dana cannot finish MFA: her only phone is lost.
    let session = h.session();
    let e = session
        .sign_in_with_browser(ScriptedBrowser::new("dana", BrowserAction::SignIn, None))
        .await
        .unwrap_err();
    assert!(session.signed_in_upn().await.is_none(), "{e}");

    // She asks for help without signing in.
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    let request = ResetForm {
        upn: DANA.into(),
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
    .unwrap();
    let phrase = request.verification_phrase.clone();
    let entry = outbox.enqueue(request).unwrap();
    let relay = Helpdesk::Relay(h.emulator.base_url().join("helpdesk/").unwrap());
    let http = mfa_core::http::build_client(None).unwrap();
    outbox
        .deliver_due(&http, &relay, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let DeliveryState::Delivered { ticket_number, .. } =
        outbox.get(&entry.idempotency_key).unwrap().state
    else {
        panic!("not delivered");
    };
    let tickets = h.emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(Some(tickets[0].id.clone()), ticket_number);
    assert_eq!(
        tickets[0].verification_phrase.as_deref(),
        Some(phrase.as_str())
    );

    // The helpdesk verifies her on the call-back and issues a pass.
    let tap = h
        .emulator
        .issue_temporary_access_pass(DANA, TapOptions::default())
        .unwrap();

    // She signs in with it instead of password and MFA.
    let with_tap = || {
        ScriptedBrowser::with_script(
            BrowserScript::demo_user("dana", BrowserAction::SignIn)
                .with_temporary_access_pass(&tap.code),
        )
    };
    let user = session.sign_in_with_browser(with_tap()).await.unwrap();
    assert_eq!(user.upn, DANA);

    // And straight away adds a phone she has, confirming with the pass again.
    let browser = with_tap();
    session.confirm_identity(browser.clone()).await.unwrap();
    browser_done(&browser).await.unwrap();
    let info = session.security_info().await.unwrap();
    let before = info.health().independent_methods;
    let store = JourneyStore::new(dir.path().join("journeys"));
    let phone_type = if info.methods.iter().any(|m| {
        matches!(
            &m.kind,
            mfa_core::security_info::MethodKind::Phone {
                phone_type: PhoneType::Mobile,
                ..
            }
        )
    }) {
        PhoneType::Office
    } else {
        PhoneType::Mobile
    };
    let number = PhoneNumber::parse("+44 2079460555").unwrap();
    let mut journey = Journey::phone_number(&info, phone_type, &number, None).unwrap();
    // Graph refuses self-service phone writes (Microsoft's per-API pages,
    // the emulator's default): the step moves to the Security Info page at
    // once, where she adds it, signed in with the pass.
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::UseSecurityInfoPage(Registration::Phone {
            phone_type,
            number: number.clone()
        }))
    );
    let outcome = browser::run(
        &browser::security_info_url(&h.emulator.base_url(), DANA),
        &BrowserScript::demo_user("dana", BrowserAction::SignIn)
            .with_temporary_access_pass(&tap.code)
            .with_security_info(SecurityInfoStep::AddPhone {
                phone_type: phone_type.as_graph().into(),
                number: number.as_str().into(),
            }),
    )
    .await
    .unwrap();
    let report = outcome.security_info.expect("the page was used");
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    let after = session.security_info().await.unwrap().health();
    assert_eq!(after.independent_methods, before + 1);
}

// ---- the same path through the application layer ---------------------------

#[tokio::test]
async fn the_assistant_sends_exactly_the_previewed_request_once_and_delivers_it() {
    use mfa_core::assistant::{Assistant, DeviceProof, ResetDesk, ResetError};
    use std::sync::Arc;

    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let relay = Helpdesk::Relay(h.emulator.base_url().join("helpdesk/").unwrap());
    let desk = ResetDesk::new(
        Some(relay),
        Outbox::new(dir.path().join("outbox")),
        vec!["contoso-demo.example".to_owned()],
        Some(tenant_emulator::demo::TENANT_ID.to_owned()),
        "0.1.0",
    );
    desk.deliver_in_background(mfa_core::http::build_client(None).unwrap());
    let app = Assistant::new(
        Arc::new(h.session()),
        JourneyStore::new(dir.path().join("journeys")),
        Floor::DEFAULT,
        h.emulator.base_url().join("security-info").unwrap(),
    )
    .with_reset_desk(desk);
    let form = |upn: &str| ResetForm {
        upn: upn.into(),
        reason: Reason::LostPhone,
        reason_detail: String::new(),
        still_has: vec![StillHas::Password],
        callback: CallbackPreference::DirectoryPhone,
        availability: String::new(),
    };

    // A field at fault is named, and nothing is kept.
    let Err(ResetError::Form(e)) = app.prepare_reset_request(form("dana@evil.example")).await
    else {
        panic!("a foreign domain was accepted");
    };
    assert_eq!(e.field, "upn");
    assert!(app.reset_requests().unwrap().is_empty());

    let preview = app.prepare_reset_request(form(DANA)).await.unwrap();
    assert_eq!(preview.device_proof, DeviceProof::NotUsed);
    assert_eq!(
        serde_json::to_string_pretty(&preview.request).unwrap(),
        preview.payload
    );
    let entry = app.send_reset_request(&preview.draft_id).unwrap();
    assert_eq!(entry.request, preview.request);
    assert_eq!(
        app.send_reset_request(&preview.draft_id),
        Err(ResetError::DraftGone)
    );

    // The delivery task hands it over without being asked.
    let mut delivered = None;
    for _ in 0..100 {
        let entries = app.reset_requests().unwrap();
        assert_eq!(entries.len(), 1);
        if let DeliveryState::Delivered { ticket_number, .. } = &entries[0].state {
            delivered = Some(ticket_number.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let tickets = h.emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(delivered, Some(Some(tickets[0].id.clone())));
    assert_eq!(
        tickets[0].verification_phrase.as_deref(),
        Some(preview.request.verification_phrase.as_str())
    );
}

#[tokio::test]
async fn without_a_helpdesk_the_assistant_says_so_and_keeps_nothing() {
    use mfa_core::assistant::{Assistant, ResetError};
    use std::sync::Arc;

    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = Assistant::new(
        Arc::new(h.session()),
        JourneyStore::new(dir.path()),
        Floor::DEFAULT,
        h.emulator.base_url().join("security-info").unwrap(),
    );
    let form = ResetForm {
        upn: DANA.into(),
        reason: Reason::LostPhone,
        reason_detail: String::new(),
        still_has: vec![StillHas::Password],
        callback: CallbackPreference::DirectoryPhone,
        availability: String::new(),
    };
    assert_eq!(
        app.prepare_reset_request(form).await,
        Err(ResetError::NotConfigured)
    );
    assert_eq!(
        app.retry_reset_requests().await,
        Err(ResetError::NotConfigured)
    );
    assert_eq!(app.reset_requests(), Ok(Vec::new()));
}

#[tokio::test]
async fn when_the_pass_ends_mid_journey_the_app_says_sign_in_again_and_keeps_the_journey() {
    let h = Harness::start().await;
    // A one-hour pass with seconds left: tokens from it end with it.
    let tap = h
        .emulator
        .issue_temporary_access_pass(
            DANA,
            TapOptions {
                start: Some(OffsetDateTime::now_utc() - time::Duration::seconds(3594)),
                ..TapOptions::default()
            },
        )
        .unwrap();
    let with_tap = || {
        ScriptedBrowser::with_script(
            BrowserScript::demo_user("dana", BrowserAction::SignIn)
                .with_temporary_access_pass(&tap.code),
        )
    };
    let session = h.session();
    session.sign_in_with_browser(with_tap()).await.unwrap();
    let info = session.security_info().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = JourneyStore::new(dir.path());
    let mut journey = Journey::add_method(&info, Registration::SecurityKey);
    let first = journey.advance(&session, &store, Floor::DEFAULT).await;
    assert!(first.is_ok(), "{first:?}");
    let place = journey.current();

    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    // The next check needs a new access token; the refresh is refused.
    let e = journey
        .advance(&session, &store, Floor::DEFAULT)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(
            e,
            mfa_core::journey::JourneyError::Session(mfa_core::session::SessionError::Expired(_))
        ),
        "{e:?}"
    );
    assert!(text.contains("sign in again"), "{text}");
    assert_eq!(h.keychain().load().unwrap(), None, "the dead token is gone");
    // Nothing half-done: the journey is saved where it was.
    assert_eq!(store.load().unwrap().unwrap().current(), place);
}
