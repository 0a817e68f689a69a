//! The Request Tracker adapter against a real Request Tracker 5
//! (`tests/common/services.rs`): what it files is read back through RT's
//! REST 2 API.

mod common;

use std::process::Command;
use std::time::Duration;

use helpdesk_relay::helpdesks::request_tracker::{Config, RequestTracker};
use helpdesk_relay::helpdesks::{DeliveryError, Filed};
use helpdesk_relay::ticket::{DeviceProof, Ticket, UnverifiedReason};
use serde_json::json;
use time::macros::datetime;

use common::services::RequestTracker as Rt;

const UPN: &str = "dana@contoso-demo.example";
const PHRASE: &str = "amber-falcon-42";
const TOKEN_ENV: &str = "MFA_RELAY_RT_TOKEN";
const PASSWORD_ENV: &str = "MFA_RELAY_RT_PASSWORD";

fn ticket(device_proof: DeviceProof) -> Ticket {
    let body = json!({
        "schemaVersion": 2,
        "requestType": "mfaReset",
        "upn": UPN,
        "reason": "lostPhone",
        "stillHas": ["password"],
        "callback": {"preference": "directoryPhone"},
        "device": {"os": "Windows 11", "appVersion": "1.0.0"},
        "createdAt": "2026-03-01T09:30:00Z",
        "verificationPhrase": PHRASE,
        "unauthenticated": true,
    });
    Ticket {
        request_id: format!("rr-{}", uuid::Uuid::new_v4()),
        request: helpdesk_contract::validate(&body).expect("a valid request"),
        device_proof,
        accepted_at: time::OffsetDateTime::now_utc(),
        runbook: helpdesk_contract::ticket::default_runbook(),
        language: "en".into(),
        disputed: false,
        owner_notice: None,
    }
}

fn unverified() -> DeviceProof {
    DeviceProof::unverified(UnverifiedReason::Unsigned)
}

fn enrolled() -> DeviceProof {
    DeviceProof::EnrolledDevice {
        key_id: "dk-7f3a".into(),
        enrolled_at: datetime!(2026-02-14 10:00 UTC),
        enrolled_os: "Windows 11".into(),
    }
}

/// `[helpdesk.request_tracker]` from TOML, built.
fn adapter(toml_text: &str) -> Result<RequestTracker, String> {
    let config: Config = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    config.build()
}

fn with_token(rt: &Rt) -> RequestTracker {
    adapter(&format!("url = {:?}\ntoken = {:?}", rt.url(), rt.token())).unwrap()
}

fn with_password(rt: &Rt, password: &str) -> RequestTracker {
    adapter(&format!(
        "url = {:?}\nqueue = \"General\"\nuser = {:?}\npassword = {password:?}",
        rt.url(),
        Rt::USER
    ))
    .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// The ticket's number, checked to be RT's.
async fn file(adapter: &RequestTracker, ticket: &Ticket) -> String {
    let Filed { ticket_number } = adapter.file(&http(), ticket).await.expect("filed");
    assert!(
        !ticket_number.is_empty() && ticket_number.bytes().all(|b| b.is_ascii_digit()),
        "RT ticket numbers are numbers: {ticket_number:?}"
    );
    ticket_number
}

#[tokio::test]
async fn a_filed_ticket_lands_in_rt_with_its_subject_requestor_and_body() {
    let rt = Rt::shared();
    let ticket = ticket(unverified());
    let number = file(&with_token(rt), &ticket).await;

    let stored = rt.ticket(&number).await;
    assert_eq!(stored.id, number);
    assert_eq!(stored.subject, ticket.subject());
    assert!(stored.subject.contains(&ticket.request_id));
    assert_eq!(stored.queue, "General", "the default queue");
    assert_eq!(stored.status, "new");
    assert_eq!(stored.requestors, vec![UPN.to_string()]);
    assert_eq!(stored.content.trim_end(), ticket.body().trim_end());
    assert!(stored
        .content
        .contains(&format!(
            "Verification phrase (typed by the requester, unverified; it must match what the caller reads out): \"{PHRASE}\""
        )));
    assert!(stored
        .content
        .contains("Device proof: unverified device (the request was not signed by a device key)."));
    assert!(stored.content.contains(&format!(
        "Runbook (the organisation's, from the relay's configuration):\n1. {}\n2. {}",
        helpdesk_contract::ticket::DEFAULT_RUNBOOK[0],
        helpdesk_contract::ticket::DEFAULT_RUNBOOK[1]
    )));
    assert!(stored
        .content
        .contains(&format!("Relay request id: {}", ticket.request_id)));
}

#[tokio::test]
async fn user_and_password_file_a_ticket_from_an_enrolled_device() {
    let rt = Rt::shared();
    let ticket = ticket(enrolled());
    let number = file(&with_password(rt, Rt::PASSWORD), &ticket).await;

    let stored = rt.ticket(&number).await;
    assert_eq!(stored.subject, ticket.subject());
    assert!(stored.subject.contains("enrolled device"));
    assert_eq!(stored.requestors, vec![UPN.to_string()]);
    assert!(stored.content.contains(
        "Device proof: sent from the user's enrolled device (key dk-7f3a, enrolled 2026-02-14, \
         device named at enrolment (typed by the requester, unverified): \"Windows 11\")."
    ));
    assert!(stored
        .content
        .contains(&format!(
            "Verification phrase (typed by the requester, unverified; it must match what the caller reads out): \"{PHRASE}\""
        )));
}

#[tokio::test]
async fn find_finds_the_filed_ticket_and_nothing_for_an_unknown_request() {
    let rt = Rt::shared();
    let adapter = with_token(rt);
    let ticket = ticket(unverified());

    assert_eq!(
        adapter.find(&http(), &ticket).await,
        Ok(None),
        "nothing filed yet"
    );
    let number = file(&adapter, &ticket).await;
    assert_eq!(
        adapter.find(&http(), &ticket).await,
        Ok(Some(Filed {
            ticket_number: number.clone()
        }))
    );
    // Basic auth searches too, and finds the same ticket.
    assert_eq!(
        with_password(rt, Rt::PASSWORD).find(&http(), &ticket).await,
        Ok(Some(Filed {
            ticket_number: number
        }))
    );

    let mut unknown = ticket.clone();
    unknown.request_id = format!("rr-{}", uuid::Uuid::new_v4());
    assert_eq!(adapter.find(&http(), &unknown).await, Ok(None));
    // An id with TicketSQL's quote in it is a search, not a syntax error.
    unknown.request_id = "rr-it's-not-there".into();
    assert_eq!(adapter.find(&http(), &unknown).await, Ok(None));
}

#[tokio::test]
async fn a_wrong_password_is_retried_and_names_the_credential() {
    let rt = Rt::shared();
    let adapter = with_password(rt, "not-the-password-42");
    let ticket = ticket(unverified());
    for attempt in [
        adapter.file(&http(), &ticket).await.map(|_| ()),
        adapter.find(&http(), &ticket).await.map(|_| ()),
    ] {
        let Err(DeliveryError::Retry { reason, after }) = attempt else {
            panic!("a refused credential must be retried, not {attempt:?}")
        };
        assert_eq!(after, None);
        assert!(
            reason.starts_with("Request Tracker refused the relay's credential (401)"),
            "{reason}"
        );
        assert!(
            reason.contains("user \"root\"") && reason.contains(PASSWORD_ENV),
            "{reason}"
        );
        assert!(!reason.contains("not-the-password-42"), "{reason}");
    }
}

#[tokio::test]
async fn a_wrong_token_is_retried_and_names_the_token() {
    let rt = Rt::shared();
    let adapter = adapter(&format!(
        "url = {:?}\ntoken = \"1-14-0123456789abcdef0123456789abcdef\"",
        rt.url()
    ))
    .unwrap();
    let attempt = adapter.file(&http(), &ticket(unverified())).await;
    let Err(DeliveryError::Retry { reason, .. }) = attempt else {
        panic!("a refused token must be retried, not {attempt:?}")
    };
    assert!(
        reason.contains("credential (401)") && reason.contains(TOKEN_ENV),
        "{reason}"
    );
    assert!(
        !reason.contains("0123456789abcdef0123456789abcdef"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_queue_rt_does_not_have_is_retried_with_rts_words() {
    let rt = Rt::shared();
    let adapter = adapter(&format!(
        "url = {:?}\nqueue = \"Nobody Here\"\ntoken = {:?}",
        rt.url(),
        rt.token()
    ))
    .unwrap();
    let attempt = adapter.file(&http(), &ticket(unverified())).await;
    let Err(DeliveryError::Retry { reason, .. }) = attempt else {
        panic!("RT answers 403 for an unknown queue: retried, not {attempt:?}")
    };
    assert!(reason.contains("(403)"), "{reason}");
    assert!(
        reason.contains(
            ": {\"message\":\"No permission to create tickets in the queue 'Nobody Here'\"}"
        ),
        "RT's own words: {reason}"
    );
    assert!(reason.contains("CreateTicket"), "{reason}");
}

#[tokio::test]
async fn a_closed_port_is_retried_as_could_not_be_reached() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let adapter = adapter(&format!(
        "url = \"http://127.0.0.1:{port}\"\ntoken = \"1-2-abc\""
    ))
    .unwrap();
    let ticket = ticket(unverified());
    for attempt in [
        adapter.file(&http(), &ticket).await.map(|_| ()),
        adapter.find(&http(), &ticket).await.map(|_| ()),
    ] {
        let Err(DeliveryError::Retry { reason, after }) = attempt else {
            panic!("no answer must be retried, not {attempt:?}")
        };
        assert_eq!(after, None);
        assert!(
            reason.starts_with("Request Tracker could not be reached"),
            "{reason}"
        );
        assert!(reason.contains("Connection refused"), "{reason}");
    }
}

#[test]
fn config_errors_are_specific() {
    for var in [TOKEN_ENV, PASSWORD_ENV] {
        assert!(
            std::env::var_os(var).is_none(),
            "unset {var} to run this test: it checks what happens without it"
        );
    }
    let cases: [(&str, &[&str]); 14] = [
        ("url = \"\"\ntoken = \"1-2-abc\"", &["Request Tracker `url` is empty"]),
        ("url = \"rt.contoso.example\"\ntoken = \"1-2-abc\"", &["Request Tracker `url` is not a URL"]),
        ("url = \"http://rt.contoso.example\"\ntoken = \"1-2-abc\"", &["must use https://", "not a loopback address"]),
        ("url = \"ftp://rt.contoso.example\"\ntoken = \"1-2-abc\"", &["must be an https:// address, not a ftp: URL"]),
        ("url = \"https://svc:hunter2@rt.contoso.example\"\ntoken = \"1-2-abc\"", &["must not contain a user name or password"]),
        ("url = \"https://rt.contoso.example/REST/2.0\"\ntoken = \"1-2-abc\"", &["without /REST/2.0"]),
        ("url = \"https://rt.contoso.example\"\nqueue = \"  \"\ntoken = \"1-2-abc\"", &["`queue` is empty", "\"General\""]),
        ("url = \"https://rt.contoso.example\"", &["needs a credential", "`token`", TOKEN_ENV, "`user`", PASSWORD_ENV]),
        ("url = \"https://rt.contoso.example\"\ntoken = \"1-2-abc\"\nuser = \"relay\"\npassword = \"pw\"", &["two credentials", "`token`"]),
        ("url = \"https://rt.contoso.example\"\npassword = \"pw\"", &["`password` is set but `user` is not"]),
        ("url = \"https://rt.contoso.example\"\nuser = \"relay\"", &["password of the Request Tracker user \"relay\"", PASSWORD_ENV]),
        ("url = \"https://rt.contoso.example\"\nuser = \" \"\npassword = \"pw\"", &["`user` is empty"]),
        ("url = \"https://rt.contoso.example\"\ntoken = \"token 1-14-abc\"", &["contains spaces", "without the word \"token\""]),
        ("url = \"https://rt.contoso.example\"\ntokn = \"1-2-abc\"", &["unknown field `tokn`"]),
    ];
    for (toml_text, expected) in cases {
        let error = adapter(toml_text).expect_err(toml_text);
        for part in expected {
            assert!(
                error.contains(part),
                "{toml_text:?}: {error:?} lacks {part:?}"
            );
        }
        assert!(!error.contains("hunter2"), "{error}");
    }
    // And the forms that are right.
    for toml_text in [
        "url = \"https://rt.contoso.example/rt/\"\ntoken = \"1-14-abc\"",
        "url = \"http://localhost:8080\"\nqueue = \"IT Support\"\nuser = \"relay\"\npassword = \"pw\"",
    ] {
        adapter(toml_text).unwrap_or_else(|e| panic!("{toml_text:?}: {e}"));
    }
}

const CHILD_ROLE: &str = "MFA_RELAY_RT_TEST_CHILD";

/// The token and the password can come from the environment. (Each is
/// tried in a child process, this test alone, with the variables set:
/// changing this process's environment would race with the other tests'
/// threads.)
#[tokio::test]
async fn credentials_can_come_from_the_environment() {
    if let Ok(role) = std::env::var(CHILD_ROLE) {
        let (mode, rt_url) = role.split_once(' ').unwrap();
        let ticket = ticket(unverified());
        let number = match mode {
            // MFA_RELAY_RT_TOKEN and MFA_RELAY_RT_PASSWORD are set.
            "token" => {
                let by_token = adapter(&format!("url = {rt_url:?}")).unwrap();
                let both = adapter(&format!("url = {rt_url:?}\nuser = \"root\"")).unwrap_err();
                assert!(
                    both.contains("two credentials") && both.contains(TOKEN_ENV),
                    "{both}"
                );
                file(&by_token, &ticket).await
            }
            // Only MFA_RELAY_RT_PASSWORD is set.
            "password" => {
                let by_password = adapter(&format!("url = {rt_url:?}\nuser = \"root\"")).unwrap();
                file(&by_password, &ticket).await
            }
            other => panic!("unknown child role {other}"),
        };
        println!("FILED {number} {}", ticket.request_id);
        return;
    }

    let rt = Rt::shared();
    for (mode, token) in [("token", Some(rt.token())), ("password", None)] {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "credentials_can_come_from_the_environment",
                "--exact",
                "--nocapture",
            ])
            .env(CHILD_ROLE, format!("{mode} {}", rt.url()))
            .env(PASSWORD_ENV, Rt::PASSWORD)
            .env_remove(TOKEN_ENV);
        if let Some(token) = token {
            child.env(TOKEN_ENV, token);
        }
        let output = child.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the {mode} child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let filed = stdout
            .lines()
            .find_map(|line| line.strip_prefix("FILED "))
            .unwrap_or_else(|| panic!("the {mode} child filed nothing:\n{stdout}"));
        let (number, request_id) = filed.split_once(' ').unwrap();
        let stored = rt.ticket(number).await;
        assert!(stored.subject.contains(request_id), "{mode}: {stored:?}");
    }
}

/// Ticket `id`'s comment transactions: (id, Data).
async fn comments(rt: &Rt, id: &str) -> Vec<(String, String)> {
    let history = rt
        .get(&format!(
            "ticket/{id}/history?fields=Type,Data&per_page=100"
        ))
        .await;
    history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["Type"] == "Comment")
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_owned(),
                t["Data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_owners_dispute_becomes_one_comment_on_the_rt_ticket_even_when_retried() {
    let rt = Rt::shared();
    let adapter = with_token(rt);
    let http = http();
    let disputed = ticket(unverified());
    let other = ticket(unverified());
    let number = file(&adapter, &disputed).await;
    let other_number = file(&adapter, &other).await;
    let note = |t: &Ticket| {
        helpdesk_relay::notify::note_text(&t.request_id, datetime!(2026-03-01 10:15 UTC))
    };

    adapter
        .add_note(
            &http,
            &number,
            &disputed.request_id,
            &helpdesk_relay::helpdesks::note_marker(&disputed.request_id),
            &note(&disputed),
            false,
        )
        .await
        .expect("the comment");
    let found = comments(rt, &number).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].1.trim_end(),
        format!("[{}] DISPUTED BY OWNER", disputed.request_id),
        "RT keeps the comment's subject in the transaction's Data"
    );
    let parts = rt
        .get(&format!(
            "transaction/{}/attachments?fields=ContentType,Content",
            found[0].0
        ))
        .await;
    let text = parts["items"].to_string();
    assert!(
        text.contains(&helpdesk_relay::helpdesks::note_marker(
            &disputed.request_id
        )) && text.contains("do not reset"),
        "{text}"
    );

    // A retry after an uncertain attempt reads the history and adds nothing.
    adapter
        .add_note(
            &http,
            &number,
            &disputed.request_id,
            &helpdesk_relay::helpdesks::note_marker(&disputed.request_id),
            &note(&disputed),
            true,
        )
        .await
        .expect("the look");
    assert_eq!(comments(rt, &number).await.len(), 1, "not doubled");

    // A ticket without the note gets it, looking first.
    adapter
        .add_note(
            &http,
            &other_number,
            &other.request_id,
            &helpdesk_relay::helpdesks::note_marker(&other.request_id),
            &note(&other),
            true,
        )
        .await
        .expect("the other comment");
    assert_eq!(comments(rt, &other_number).await.len(), 1);
    assert_eq!(
        comments(rt, &number).await.len(),
        1,
        "not on the first ticket"
    );

    // Not an RT number: refused before anything is sent.
    match adapter
        .add_note(
            &http,
            "INC001",
            &other.request_id,
            &helpdesk_relay::helpdesks::note_marker(&other.request_id),
            &note(&other),
            false,
        )
        .await
    {
        Err(DeliveryError::Refused { reason }) => {
            assert!(reason.contains("not an RT ticket id"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
