//! "Request admin reset" against the tenant emulator's helpdesk over real
//! HTTP: the relay contract, Zendesk's anonymous requests, and an outbox that
//! loses nothing and never files a duplicate.

use std::time::Duration;

use mfa_core::config::Helpdesk;
use mfa_core::helpdesk::{
    deliver, Attempt, CallbackPreference, DeliveryProblem, DeliveryState, Device, Outbox, Reason,
    ResetForm, ResetRequest, StillHas,
};
use tenant_emulator::{demo, Emulator, EmulatorConfig, Fault};
use time::OffsetDateTime;

fn request(upn: &str) -> ResetRequest {
    ResetForm {
        upn: upn.into(),
        reason: Reason::LostPhone,
        reason_detail: String::new(),
        still_has: vec![StillHas::Password],
        callback: CallbackPreference::DirectoryPhone,
        availability: "mornings".into(),
    }
    .prepare(
        &[],
        Some(demo::TENANT_ID),
        Device {
            os: "Debian 12".into(),
            app_version: "0.1.0".into(),
        },
        OffsetDateTime::now_utc(),
        "maple-otter-47".into(),
    )
    .unwrap()
}

fn relay(emulator: &Emulator) -> Helpdesk {
    Helpdesk::Relay(emulator.base_url().join("helpdesk/").unwrap())
}

fn http() -> reqwest::Client {
    mfa_core::http::build_client(None).unwrap()
}

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.unwrap()
}

#[tokio::test]
async fn a_request_reaches_the_helpdesk_once_with_everything_it_needs() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    let entry = outbox
        .enqueue(request("dana@contoso-demo.example"))
        .unwrap();
    let pending = outbox
        .deliver_due(&http(), &relay(&emulator), OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(pending, 0);
    let delivered = outbox.get(&entry.idempotency_key).unwrap();
    let DeliveryState::Delivered { ticket_number, .. } = &delivered.state else {
        panic!("not delivered: {delivered:?}");
    };
    let tickets = emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 1);
    let ticket = &tickets[0];
    assert_eq!(Some(&ticket.id), ticket_number.as_ref());
    assert_eq!(
        ticket.idempotency_key.as_deref(),
        Some(entry.idempotency_key.as_str())
    );
    assert_eq!(ticket.raw["upn"], "dana@contoso-demo.example");
    assert_eq!(ticket.raw["verificationPhrase"], "maple-otter-47");
    assert_eq!(ticket.raw["unauthenticated"], true);
    assert_eq!(ticket.raw["schemaVersion"], 2);
    assert!(
        ticket.raw.get("runbook").is_none(),
        "the runbook is the relay's"
    );
    assert!(
        ticket.runbook[0].contains("UNAUTHENTICATED"),
        "{:?}",
        ticket.runbook
    );
    // Delivered requests are not sent again.
    outbox
        .deliver_due(&http(), &relay(&emulator), OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(emulator.helpdesk_tickets().len(), 1);
}

#[tokio::test]
async fn a_crash_between_sending_and_saving_never_files_a_second_ticket() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    let entry = outbox
        .enqueue(request("dana@contoso-demo.example"))
        .unwrap();
    // The app sent it and was killed before it wrote "delivered".
    let first = deliver(&http(), &relay(&emulator), &entry, None).await;
    assert!(matches!(first, Attempt::Delivered { .. }), "{first:?}");
    // The next start finds it pending and sends it again, same key.
    let restarted = Outbox::new(dir.path());
    assert_eq!(
        restarted.get(&entry.idempotency_key).unwrap().state,
        DeliveryState::Pending
    );
    restarted
        .deliver_due(&http(), &relay(&emulator), OffsetDateTime::now_utc())
        .await
        .unwrap();
    let Attempt::Delivered { request_id, .. } = first else {
        unreachable!()
    };
    match restarted.get(&entry.idempotency_key).unwrap().state {
        DeliveryState::Delivered {
            request_id: again, ..
        } => assert_eq!(again, request_id),
        other => panic!("not delivered: {other:?}"),
    }
    assert_eq!(emulator.helpdesk_tickets().len(), 1, "exactly one ticket");
}

#[tokio::test]
async fn a_helpdesk_that_is_down_gets_the_request_later_and_nothing_is_lost() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    let entry = outbox
        .enqueue(request("dana@contoso-demo.example"))
        .unwrap();
    emulator.faults().inject(Fault::status(
        "POST /helpdesk/v1/reset-requests",
        503,
        Some("7"),
        2,
    ));
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        outbox
            .deliver_due(&http(), &relay(&emulator), now)
            .await
            .unwrap(),
        1
    );
    let waiting = outbox.get(&entry.idempotency_key).unwrap();
    assert_eq!(waiting.state, DeliveryState::Pending);
    assert_eq!(waiting.attempts, 1);
    assert!(waiting.last_error.as_deref().unwrap().contains("503"));
    assert!(
        matches!(
            waiting.last_problem,
            Some(DeliveryProblem::Answered { status: 503, .. })
        ),
        "{:?}",
        waiting.last_problem
    );
    // Retry-After is honoured: nothing is sent before it is due.
    assert_eq!(waiting.next_attempt_at, Some(now + Duration::from_secs(7)));
    assert_eq!(
        outbox
            .deliver_due(&http(), &relay(&emulator), now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(outbox.get(&entry.idempotency_key).unwrap().attempts, 1);
    // Later: still down once more, then up.
    let later = now + Duration::from_secs(8);
    outbox
        .deliver_due(&http(), &relay(&emulator), later)
        .await
        .unwrap();
    let much_later = later + Duration::from_secs(600);
    assert_eq!(
        outbox
            .deliver_due(&http(), &relay(&emulator), much_later)
            .await
            .unwrap(),
        0
    );
    let done = outbox.get(&entry.idempotency_key).unwrap();
    assert!(
        matches!(done.state, DeliveryState::Delivered { .. }),
        "{done:?}"
    );
    assert_eq!(done.attempts, 3);
    assert_eq!(emulator.helpdesk_tickets().len(), 1);
}

#[tokio::test]
async fn an_unreachable_helpdesk_is_retried_with_backoff() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    let entry = outbox
        .enqueue(request("dana@contoso-demo.example"))
        .unwrap();
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gone = Helpdesk::Relay(url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap());
    let now = OffsetDateTime::now_utc();
    outbox.deliver_due(&http(), &gone, now).await.unwrap();
    let e = outbox.get(&entry.idempotency_key).unwrap();
    assert_eq!(e.state, DeliveryState::Pending);
    assert!(e.last_error.unwrap().contains("could not be reached"));
    assert_eq!(e.last_problem, Some(DeliveryProblem::Unreachable));
    assert_eq!(e.next_attempt_at, Some(now + Duration::from_secs(5)));
}

#[tokio::test]
async fn a_request_the_helpdesk_refuses_is_kept_with_the_reason() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    // Outside the organisation's domains: the relay refuses it (422).
    let entry = outbox.enqueue(request("mallory@evil.example")).unwrap();
    outbox
        .deliver_due(&http(), &relay(&emulator), OffsetDateTime::now_utc())
        .await
        .unwrap();
    let refused = outbox.get(&entry.idempotency_key).unwrap();
    // The window words the status and the relay's code, not its English.
    assert_eq!(
        refused.last_problem,
        Some(DeliveryProblem::Answered {
            status: 422,
            code: Some("upnOutsideOrganisation".into())
        })
    );
    match refused.state {
        DeliveryState::Refused { status, reason } => {
            assert_eq!(status, 422);
            assert!(reason.contains("422"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(emulator.helpdesk_tickets().is_empty());
}

#[tokio::test]
async fn zendesk_anonymous_requests_carry_the_ticket_text_and_the_idempotency_key() {
    let emulator = emulator().await;
    let zendesk = Helpdesk::Zendesk(emulator.base_url().join("zendesk/").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path());
    let entry = outbox
        .enqueue(request("dana@contoso-demo.example"))
        .unwrap();
    let first = deliver(&http(), &zendesk, &entry, None).await;
    let second = deliver(&http(), &zendesk, &entry, None).await;
    assert_eq!(first, second, "the same key gives the same request");
    assert!(matches!(first, Attempt::Delivered { .. }), "{first:?}");
    let tickets = emulator.helpdesk_tickets();
    assert_eq!(tickets.len(), 1);
    let body = tickets[0]
        .raw
        .pointer("/request/comment/body")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(body.contains("UNAUTHENTICATED"), "{body}");
    assert!(body.contains("maple-otter-47"), "{body}");
}
