//! Contract tests of the helpdesk adapters: each talks to a local stand-in
//! that checks requests against the helpdesk's documented shape and answers
//! as the helpdesk documents (see `contract_servers/`), or to a tiny SMTP
//! server for email.
//!
//! Per helpdesk: filing works and returns the helpdesk's number; the request
//! the helpdesk received has the documented fields; `find` finds the ticket
//! after it was filed and nothing before; 401 is retried naming the
//! credential, 429 is retried after its `Retry-After`, 500 is retried,
//! 400/422 refuse the ticket, a closed port is retried as "could not be
//! reached"; no error text ever holds the credential.
//!
//! The configuration tests assume the `MFA_RELAY_*` credential variables
//! are not set in the test environment.

mod contract_servers;

use std::time::Duration;

use contract_servers::{
    basic, closed_port, freshservice, jira, servicenow, smtp, zendesk, Answer, Server,
};
use helpdesk_relay::helpdesks::{
    email as email_adapter, freshservice as freshservice_adapter, jira as jira_adapter,
    servicenow as servicenow_adapter, zendesk as zendesk_adapter, DeliveryError, Filed, Helpdesk,
};
use helpdesk_relay::ticket::{DeviceProof, Ticket};
use serde_json::json;
use time::macros::datetime;

const UPN: &str = "dana@contoso-demo.example";
const OTHER_UPN: &str = "lee@contoso-demo.example";
const PHRASE: &str = "amber-falcon-42";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

/// A ticket for `upn`, built from a valid reset request; its reason detail
/// holds HTML's special characters.
fn new_ticket(upn: &str) -> Ticket {
    let body = json!({
        "schemaVersion": 2,
        "requestType": "mfaReset",
        "upn": upn,
        "reason": "lostPhone",
        "reasonDetail": "screen <cracked> & \"dead\"",
        "stillHas": ["password"],
        "callback": {"preference": "directoryPhone"},
        "device": {"os": "Windows 11", "appVersion": "1.0.0"},
        "createdAt": "2026-03-01T09:30:00Z",
        "verificationPhrase": PHRASE,
        "unauthenticated": true,
    });
    let request = helpdesk_contract::validate(&body).expect("a valid reset request");
    Ticket {
        request_id: format!("rr-{}", uuid::Uuid::new_v4()),
        request,
        device_proof: DeviceProof::EnrolledDevice {
            key_id: "dk-7f3a".into(),
            enrolled_at: datetime!(2026-02-01 08:00 UTC),
            enrolled_os: "Windows 11".into(),
        },
        accepted_at: datetime!(2026-03-01 09:30:05 UTC),
        runbook: helpdesk_contract::ticket::default_runbook(),
        language: "en".into(),
        disputed: false,
        owner_notice: None,
    }
}

/// The lines every ticket body must carry.
fn assert_body_carries(text: &str, ticket: &Ticket) {
    assert!(
        text.contains(&format!(
            "Verification phrase (typed by the requester, unverified; it must match what the caller reads out): \"{PHRASE}\""
        )),
        "no verification phrase in {text:?}"
    );
    assert!(
        text.contains(&format!("Device proof: {}", ticket.device_proof.line())),
        "no device-proof line in {text:?}"
    );
    assert!(
        text.contains("sent from the user's enrolled device (key dk-7f3a, enrolled 2026-02-01"),
        "{text:?}"
    );
    assert!(
        text.contains(&format!("Relay request id: {}", ticket.request_id)),
        "{text:?}"
    );
}

#[track_caller]
fn expect_retry<T: std::fmt::Debug>(
    result: Result<T, DeliveryError>,
) -> (String, Option<Duration>) {
    match result {
        Err(DeliveryError::Retry { reason, after }) => (reason, after),
        other => panic!("expected a retry, got {other:?}"),
    }
}

#[track_caller]
fn expect_refused<T: std::fmt::Debug>(result: Result<T, DeliveryError>) -> String {
    match result {
        Err(DeliveryError::Refused { reason }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The faults every HTTP helpdesk shares, against `helpdesk` talking to
/// `server`: 401 names the credential (`credential_words`), 429 honours
/// Retry-After, 500 is retried, 400 and 422 refuse the ticket; `find`
/// meets the same faults. `password` appears in no error text.
async fn assert_faults<T: Send + 'static>(
    server: &Server<T>,
    helpdesk: &Helpdesk,
    name: &str,
    password: &str,
    credential_words: &[&str],
) {
    let http = http();
    let ticket = new_ticket(UPN);
    let mut reasons = Vec::new();

    server.fail_with(Answer::json(401, json!({"error": "unauthorised"})));
    let (text, after) = expect_retry(helpdesk.file(&http, &ticket).await);
    assert!(
        text.contains(name) && text.contains("credential") && text.contains("401"),
        "{text}"
    );
    for word in credential_words {
        assert!(text.contains(word), "401 should name {word:?}: {text}");
    }
    assert_eq!(after, None);
    reasons.push(text);
    let (text, _) = expect_retry(helpdesk.find(&http, &ticket).await);
    assert!(text.contains("credential"), "{text}");
    reasons.push(text);

    server.fail_with(
        Answer::json(
            429,
            json!({"error": "TooManyRequests", "description": "Rate limit exceeded"}),
        )
        .with_header("retry-after", "7"),
    );
    let (text, after) = expect_retry(helpdesk.file(&http, &ticket).await);
    assert!(text.contains(name) && text.contains("429"), "{text}");
    assert_eq!(after, Some(Duration::from_secs(7)));
    reasons.push(text);

    server.fail_with(Answer::json(500, json!({"error": "InternalServerError"})));
    let (text, after) = expect_retry(helpdesk.file(&http, &ticket).await);
    assert!(text.contains(name) && text.contains("500"), "{text}");
    assert_eq!(after, None);
    reasons.push(text);
    let (text, _) = expect_retry(helpdesk.find(&http, &ticket).await);
    assert!(text.contains("500"), "{text}");
    reasons.push(text);

    server.fail_with(Answer::json(
        400,
        json!({"error": "BadRequest", "description": "subject is invalid"}),
    ));
    let text = expect_refused(helpdesk.file(&http, &ticket).await);
    assert!(
        text.contains(name) && text.contains("400") && text.contains("subject is invalid"),
        "{text}"
    );
    reasons.push(text);

    server.fail_with(Answer::json(
        422,
        json!({"error": "RecordInvalid", "description": "Record validation errors"}),
    ));
    let text = expect_refused(helpdesk.file(&http, &ticket).await);
    assert!(text.contains(name) && text.contains("422"), "{text}");
    reasons.push(text);

    server.fail_with(Answer {
        status: 201,
        headers: vec![("content-type".into(), "text/html".into())],
        body: "<html>Sign in</html>".into(),
    });
    let (text, _) = expect_retry(helpdesk.file(&http, &ticket).await);
    assert!(
        text.contains(name) && text.contains("without JSON"),
        "{text}"
    );
    reasons.push(text);

    server.heal();
    for text in reasons {
        assert!(
            !text.contains(password),
            "the credential leaked into {text:?}"
        );
    }
}

/// A helpdesk on a port nothing listens on: filing and finding are retried
/// as "could not be reached".
async fn assert_unreachable(helpdesk: &Helpdesk, name: &str, password: &str) {
    let http = http();
    let ticket = new_ticket(UPN);
    let (text, after) = expect_retry(helpdesk.file(&http, &ticket).await);
    assert!(
        text.contains(name) && text.contains("could not be reached"),
        "{text}"
    );
    assert!(!text.contains(password), "{text}");
    assert_eq!(after, None);
    if !matches!(helpdesk, Helpdesk::Email(_)) {
        let (text, _) = expect_retry(helpdesk.find(&http, &ticket).await);
        assert!(text.contains("could not be reached"), "{text}");
    }
}

// ---------------------------------------------------------------- ServiceNow

const SN_USER: &str = "svc-mfa-relay";
const SN_PASSWORD: &str = "sn-Pa55-never-shown";
const SN_GROUP: &str = "8a4dde73c6112278017a6a4baf547aa7";

fn servicenow(instance: &str) -> Helpdesk {
    let config: servicenow_adapter::Config = toml::from_str(&format!(
        r#"
        instance = "{instance}/"
        user = "{SN_USER}"
        password = "{SN_PASSWORD}"
        urgency = 1
        impact = 3
        assignment_group = "{SN_GROUP}"
        "#
    ))
    .expect("a ServiceNow configuration");
    let adapter = config.build().expect("a ServiceNow adapter");
    assert!(!format!("{adapter:?}").contains(SN_PASSWORD));
    Helpdesk::ServiceNow(adapter)
}

#[tokio::test]
async fn servicenow_files_one_incident_with_the_documented_fields_and_finds_it_by_correlation_id() {
    let server = servicenow::start(SN_USER, SN_PASSWORD).await;
    let helpdesk = servicenow(&server.base);
    let http = http();
    let ticket = new_ticket(UPN);
    let other = new_ticket(OTHER_UPN);

    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(None),
        "nothing is filed yet"
    );
    let first = helpdesk
        .file(&http, &other)
        .await
        .expect("the other incident");
    let filed = helpdesk.file(&http, &ticket).await.expect("the incident");
    assert_eq!(first.ticket_number, "INC0010001");
    assert_eq!(filed.ticket_number, "INC0010002");

    let posts = server.requests_to("POST", servicenow::PATH);
    assert_eq!(posts.len(), 2, "one POST per ticket");
    let sent = &posts[1];
    assert!(
        sent.has_basic(SN_USER, SN_PASSWORD),
        "Basic auth as the integration user"
    );
    let body = sent.json();
    assert_eq!(body["short_description"], json!(ticket.subject()));
    assert!(body["short_description"]
        .as_str()
        .unwrap()
        .contains(&ticket.request_id));
    assert_eq!(body["description"], json!(ticket.body()));
    assert_body_carries(body["description"].as_str().unwrap(), &ticket);
    assert_eq!(body["correlation_id"], json!(ticket.request_id));
    assert_eq!(body["urgency"], json!("1"));
    assert_eq!(body["impact"], json!("3"));
    assert_eq!(body["assignment_group"], json!(SN_GROUP));
    assert_eq!(
        body.get("caller_id"),
        None,
        "the caller is unverified: no caller_id"
    );

    let found = helpdesk.find(&http, &ticket).await;
    assert_eq!(
        found,
        Ok(Some(Filed {
            ticket_number: "INC0010002".into()
        }))
    );
    let lookup = server
        .requests_to("GET", servicenow::PATH)
        .pop()
        .expect("a lookup");
    assert_eq!(
        lookup.param("sysparm_query"),
        Some(format!("correlation_id={}", ticket.request_id).as_str())
    );
    assert_eq!(
        helpdesk.find(&http, &new_ticket(UPN)).await,
        Ok(None),
        "another request id finds nothing"
    );
    assert_eq!(server.with(|s| s.incidents.len()), 2, "find never files");
}

#[tokio::test]
async fn servicenow_retries_or_refuses_as_its_answers_mean() {
    let server = servicenow::start(SN_USER, SN_PASSWORD).await;
    assert_faults(
        &server,
        &servicenow(&server.base),
        "ServiceNow",
        SN_PASSWORD,
        &[SN_USER, "MFA_RELAY_SERVICENOW_PASSWORD"],
    )
    .await;
    let port = closed_port().await;
    assert_unreachable(
        &servicenow(&format!("http://127.0.0.1:{port}")),
        "ServiceNow",
        SN_PASSWORD,
    )
    .await;
}

#[tokio::test]
async fn servicenow_with_a_wrong_password_is_told_401_and_never_shows_it() {
    let server = servicenow::start(SN_USER, "the-right-one").await;
    let helpdesk = servicenow(&server.base);
    let (text, _) = expect_retry(helpdesk.file(&http(), &new_ticket(UPN)).await);
    assert!(text.contains("401") && text.contains(SN_USER), "{text}");
    assert!(
        !text.contains(SN_PASSWORD) && !text.contains("the-right-one"),
        "{text}"
    );
}

// ---------------------------------------------------- Jira Service Management

const JIRA_EMAIL: &str = "mfa-relay@contoso-demo.example";
const JIRA_TOKEN: &str = "ATATT-jira-token-never-shown";
const DESK: &str = "5";
const REQUEST_TYPE: &str = "20";

fn jira(base: &str) -> Helpdesk {
    let config: jira_adapter::Config = toml::from_str(&format!(
        r#"
        base_url = "{base}"
        email = "{JIRA_EMAIL}"
        api_token = "{JIRA_TOKEN}"
        service_desk_id = {DESK}
        request_type_id = "{REQUEST_TYPE}"
        "#
    ))
    .expect("a Jira configuration");
    let adapter = config.build().expect("a Jira adapter");
    assert!(!format!("{adapter:?}").contains(JIRA_TOKEN));
    Helpdesk::Jira(adapter)
}

#[tokio::test]
async fn jira_creates_the_customer_then_raises_the_request_on_their_behalf_and_finds_it() {
    let server = jira::start(JIRA_EMAIL, JIRA_TOKEN, DESK, REQUEST_TYPE).await;
    let helpdesk = jira(&server.base);
    let http = http();
    let ticket = new_ticket(UPN);
    let other = new_ticket(OTHER_UPN);
    let other_account = server.with(|s| s.add_customer(OTHER_UPN, true));

    let first = helpdesk
        .file(&http, &other)
        .await
        .expect("the other request");
    assert_eq!(first.ticket_number, "IT-12");
    assert!(
        server
            .requests_to("POST", "/rest/servicedeskapi/customer")
            .is_empty(),
        "a known customer is not created again"
    );
    assert_eq!(
        server.with(|s| s.requests[0].on_behalf_of.clone()),
        other_account
    );

    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(None),
        "the search's loose match on the other request is not taken for this one"
    );
    let filed = helpdesk.file(&http, &ticket).await.expect("the request");
    assert_eq!(filed.ticket_number, "IT-13");

    let created = server.requests_to("POST", "/rest/servicedeskapi/customer");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].json(), json!({"email": UPN, "displayName": UPN}));
    assert_eq!(created[0].param("strictConflictStatusCode"), Some("true"));
    let account = server.with(|s| {
        s.customers
            .iter()
            .find(|c| c.email == UPN)
            .map(|c| (c.account_id.clone(), c.in_desk))
            .expect("the new customer")
    });
    assert!(
        account.1,
        "the new customer was added to service desk {DESK}"
    );

    let raised = server
        .requests_to("POST", "/rest/servicedeskapi/request")
        .pop()
        .expect("a request");
    assert!(raised.has_basic(JIRA_EMAIL, JIRA_TOKEN));
    let body = raised.json();
    assert_eq!(body["serviceDeskId"], json!(DESK));
    assert_eq!(body["requestTypeId"], json!(REQUEST_TYPE));
    assert_eq!(
        body["raiseOnBehalfOf"],
        json!(account.0),
        "an accountId, not an email"
    );
    assert_ne!(body["raiseOnBehalfOf"], json!(UPN));
    assert_eq!(
        body["requestFieldValues"]["summary"],
        json!(ticket.subject())
    );
    assert!(body["requestFieldValues"]["summary"]
        .as_str()
        .unwrap()
        .contains(&ticket.request_id));
    assert_body_carries(
        body["requestFieldValues"]["description"].as_str().unwrap(),
        &ticket,
    );

    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(Some(Filed {
            ticket_number: "IT-13".into()
        }))
    );
    assert_eq!(
        helpdesk.find(&http, &other).await,
        Ok(Some(Filed {
            ticket_number: "IT-12".into()
        }))
    );
    let search = server
        .requests_to("GET", "/rest/servicedeskapi/request")
        .pop()
        .expect("a search");
    assert_eq!(search.param("serviceDeskId"), Some(DESK));
    assert_eq!(
        search.param("searchTerm"),
        Some(format!("\"{}\"", other.request_id).as_str())
    );
    assert_eq!(server.with(|s| s.requests.len()), 2, "find never files");
}

#[tokio::test]
async fn jira_adopts_a_site_customer_outside_the_desk_and_explains_a_missing_permission() {
    let server = jira::start(JIRA_EMAIL, JIRA_TOKEN, DESK, REQUEST_TYPE).await;
    let helpdesk = jira(&server.base);
    let http = http();

    // An account exists on the site (another desk's customer, or one an
    // interrupted attempt created): the 409 leads to the user search.
    let account = server.with(|s| s.add_customer(UPN, false));
    let filed = helpdesk
        .file(&http, &new_ticket(UPN))
        .await
        .expect("the request");
    assert_eq!(filed.ticket_number, "IT-12");
    assert_eq!(
        server.requests_to("GET", "/rest/api/3/user/search").len(),
        1
    );
    assert_eq!(server.with(|s| s.requests[0].on_behalf_of.clone()), account);
    assert!(server.with(|s| s.customers[0].in_desk));

    // Without the Jira Administrator permission a new customer cannot be
    // created: retried, saying what to grant.
    server.with(|s| s.no_admin = true);
    let (text, _) = expect_retry(helpdesk.file(&http, &new_ticket(OTHER_UPN)).await);
    assert!(
        text.contains("Jira Administrator") && text.contains(OTHER_UPN) && text.contains(DESK),
        "{text}"
    );
    assert!(!text.contains(JIRA_TOKEN));
    assert_eq!(server.with(|s| s.requests.len()), 1, "nothing filed");
}

#[tokio::test]
async fn jira_retries_or_refuses_as_its_answers_mean() {
    let server = jira::start(JIRA_EMAIL, JIRA_TOKEN, DESK, REQUEST_TYPE).await;
    assert_faults(
        &server,
        &jira(&server.base),
        "Jira Service Management",
        JIRA_TOKEN,
        &[JIRA_EMAIL, "MFA_RELAY_JIRA_API_TOKEN"],
    )
    .await;
    let port = closed_port().await;
    assert_unreachable(
        &jira(&format!("http://127.0.0.1:{port}")),
        "Jira Service Management",
        JIRA_TOKEN,
    )
    .await;
}

// ---------------------------------------------------------------- Freshservice

const FS_KEY: &str = "fs-api-key-never-shown";

fn freshservice(base: &str) -> Helpdesk {
    let config: freshservice_adapter::Config = toml::from_str(&format!(
        r#"
        base_url = "{base}"
        api_key = "{FS_KEY}"
        priority = 3
        "#
    ))
    .expect("a Freshservice configuration");
    let adapter = config.build().expect("a Freshservice adapter");
    assert!(!format!("{adapter:?}").contains(FS_KEY));
    Helpdesk::Freshservice(adapter)
}

#[tokio::test]
async fn freshservice_files_an_html_escaped_ticket_and_finds_it_among_the_requesters_tickets() {
    let server = freshservice::start(FS_KEY).await;
    let helpdesk = freshservice(&server.base);
    let http = http();
    let ticket = new_ticket(UPN);
    let earlier = new_ticket(UPN);

    let first = helpdesk
        .file(&http, &earlier)
        .await
        .expect("an earlier ticket of the same user");
    assert_eq!(first.ticket_number, "1");
    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(None),
        "the requester's other ticket is not this one"
    );
    let filed = helpdesk.file(&http, &ticket).await.expect("the ticket");
    assert_eq!(filed.ticket_number, "2");

    let sent = server
        .requests_to("POST", freshservice::PATH)
        .pop()
        .expect("a POST");
    assert_eq!(
        sent.header("authorization"),
        Some(basic(FS_KEY, "X").as_str())
    );
    let body = sent.json();
    assert_eq!(body["email"], json!(UPN));
    assert_eq!(body["subject"], json!(ticket.subject()));
    assert!(body["subject"]
        .as_str()
        .unwrap()
        .contains(&ticket.request_id));
    assert_eq!(body["status"], json!(2));
    assert_eq!(body["priority"], json!(3));
    let html = body["description"].as_str().unwrap();
    assert!(
        html.contains("Reason: Lost phone<br>")
            && html.contains(
                "Reason in their words (typed by the requester, unverified): &quot;screen &lt;cracked&gt; &amp; \\&quot;dead\\&quot;&quot;"
            ),
        "escaped: {html}"
    );
    assert!(
        !html.contains("<cracked>"),
        "no raw markup from the request: {html}"
    );
    assert!(
        html.contains(&format!(
            "<br>\nVerification phrase (typed by the requester, unverified; it must match what the caller reads out): &quot;{PHRASE}&quot;<br>\n"
        )),
        "{html}"
    );
    assert!(
        html.contains(
            "Device proof: sent from the user&#39;s enrolled device (key dk-7f3a, enrolled 2026-02-01"
        ),
        "{html}"
    );
    assert!(html.contains(&format!("Relay request id: {}", ticket.request_id)));

    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(Some(Filed {
            ticket_number: "2".into()
        }))
    );
    assert_eq!(
        helpdesk.find(&http, &earlier).await,
        Ok(Some(Filed {
            ticket_number: "1".into()
        }))
    );
    let lookup = server
        .requests_to("GET", freshservice::PATH)
        .pop()
        .expect("a lookup");
    assert_eq!(lookup.param("email"), Some(UPN));
    assert_eq!(server.with(|s| s.tickets.len()), 2, "find never files");
}

#[tokio::test]
async fn freshservice_retries_or_refuses_as_its_answers_mean() {
    let server = freshservice::start(FS_KEY).await;
    assert_faults(
        &server,
        &freshservice(&server.base),
        "Freshservice",
        FS_KEY,
        &["MFA_RELAY_FRESHSERVICE_API_KEY"],
    )
    .await;
    let port = closed_port().await;
    assert_unreachable(
        &freshservice(&format!("http://127.0.0.1:{port}")),
        "Freshservice",
        FS_KEY,
    )
    .await;
}

// --------------------------------------------------------------------- Zendesk

const ZD_AGENT: &str = "relay-agent@contoso-demo.example";
const ZD_TOKEN: &str = "zd-token-never-shown";

fn zendesk(base: &str, agent: bool) -> Helpdesk {
    let credential = if agent {
        format!("email = \"{ZD_AGENT}\"\napi_token = \"{ZD_TOKEN}\"")
    } else {
        String::new()
    };
    let config: zendesk_adapter::Config =
        toml::from_str(&format!("base_url = \"{base}\"\n{credential}"))
            .expect("a Zendesk configuration");
    let adapter = config.build().expect("a Zendesk adapter");
    assert!(!format!("{adapter:?}").contains(ZD_TOKEN));
    Helpdesk::Zendesk(adapter)
}

#[tokio::test]
async fn zendesk_anonymous_requests_carry_a_stable_idempotency_key_so_a_repeat_files_nothing() {
    let server = zendesk::start(None).await;
    let helpdesk = zendesk(&server.base, false);
    let http = http();
    let ticket = new_ticket(UPN);

    let first = helpdesk.file(&http, &ticket).await.expect("the request");
    let again = helpdesk.file(&http, &ticket).await.expect("the repeat");
    assert_eq!(first.ticket_number, "1001");
    assert_eq!(again, first, "the repeat answers the same ticket");
    assert_eq!(
        server.with(|s| s.tickets.len()),
        1,
        "one ticket for two attempts"
    );

    let posts = server.requests_to("POST", zendesk::REQUESTS);
    assert_eq!(posts.len(), 2);
    let uuid = ticket.request_id.strip_prefix("rr-").unwrap();
    for sent in &posts {
        assert_eq!(
            sent.header("idempotency-key"),
            Some(uuid),
            "the key is the request id's UUID"
        );
        assert_eq!(sent.header("authorization"), None, "anonymous");
    }
    assert_eq!(
        posts[0].text, posts[1].text,
        "the same body, as the key requires"
    );
    let body = posts[0].json();
    assert_eq!(
        body["request"]["requester"],
        json!({"name": UPN, "email": UPN})
    );
    assert_eq!(body["request"]["subject"], json!(ticket.subject()));
    assert!(body["request"]["subject"]
        .as_str()
        .unwrap()
        .contains(&ticket.request_id));
    assert_body_carries(
        body["request"]["comment"]["body"].as_str().unwrap(),
        &ticket,
    );

    let other = new_ticket(UPN);
    helpdesk.file(&http, &other).await.expect("another request");
    assert_ne!(
        server.requests_to("POST", zendesk::REQUESTS)[2].header("idempotency-key"),
        Some(uuid),
        "another request, another key"
    );

    let before = server.requests().len();
    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(None),
        "anonymous callers cannot search"
    );
    assert_eq!(server.requests().len(), before, "so find asks nothing");
}

#[tokio::test]
async fn zendesk_with_an_agent_token_files_as_the_agent_and_finds_by_search() {
    let server = zendesk::start(Some((ZD_AGENT, ZD_TOKEN))).await;
    server.with(|s| s.anonymous_allowed = false);
    let helpdesk = zendesk(&server.base, true);
    let http = http();
    let ticket = new_ticket(UPN);
    let other = new_ticket(OTHER_UPN);

    helpdesk
        .file(&http, &other)
        .await
        .expect("the other request");
    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(None),
        "not filed yet"
    );
    let filed = helpdesk.file(&http, &ticket).await.expect("the request");
    assert_eq!(filed.ticket_number, "1002");
    let sent = server
        .requests_to("POST", zendesk::REQUESTS)
        .pop()
        .expect("a POST");
    assert!(
        sent.has_basic(&format!("{ZD_AGENT}/token"), ZD_TOKEN),
        "{{email}}/token:{{api_token}}"
    );

    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(Some(Filed {
            ticket_number: "1002".into()
        }))
    );
    let search = server
        .requests_to("GET", zendesk::SEARCH)
        .pop()
        .expect("a search");
    assert_eq!(
        search.param("query"),
        Some(format!("type:ticket \"{}\"", ticket.request_id).as_str())
    );
    assert_eq!(server.with(|s| s.tickets.len()), 2, "find never files");
}

#[tokio::test]
async fn zendesk_retries_or_refuses_as_its_answers_mean() {
    let server = zendesk::start(Some((ZD_AGENT, ZD_TOKEN))).await;
    assert_faults(
        &server,
        &zendesk(&server.base, true),
        "Zendesk",
        ZD_TOKEN,
        &[ZD_AGENT, "MFA_RELAY_ZENDESK_API_TOKEN"],
    )
    .await;

    // A repeat whose body changed is refused by the idempotency check.
    let anonymous = zendesk(&server.base, false);
    let http = http();
    let mut ticket = new_ticket(UPN);
    anonymous.file(&http, &ticket).await.expect("the request");
    ticket.request.verification_phrase = "changed-phrase-7".into();
    let text = expect_refused(anonymous.file(&http, &ticket).await);
    assert!(
        text.contains("400") && text.contains("IdempotentRequestError"),
        "{text}"
    );

    // An account that does not allow anonymous requests: 401, naming why.
    server.with(|s| s.anonymous_allowed = false);
    let (text, _) = expect_retry(anonymous.file(&http, &ticket).await);
    assert!(text.contains("401") && text.contains("anonymous"), "{text}");

    let port = closed_port().await;
    assert_unreachable(
        &zendesk(&format!("http://127.0.0.1:{port}"), true),
        "Zendesk",
        ZD_TOKEN,
    )
    .await;
}

// ----------------------------------------------------------------------- Email

const SMTP_USER: &str = "mfa-relay";
const SMTP_PASSWORD: &str = "smtp-Pa55-never-shown";

fn email(port: u16, login: bool) -> Helpdesk {
    let login = if login {
        format!("user = \"{SMTP_USER}\"\npassword = \"{SMTP_PASSWORD}\"")
    } else {
        String::new()
    };
    let config: email_adapter::Config = toml::from_str(&format!(
        r#"
        from = "MFA relay <mfa-relay@contoso-demo.example>"
        to = "helpdesk@contoso-demo.example"
        host = "127.0.0.1"
        port = {port}
        tls = "none"
        {login}
        "#
    ))
    .expect("an email configuration");
    let adapter = config.build().expect("an email adapter");
    assert!(!format!("{adapter:?}").contains(SMTP_PASSWORD));
    Helpdesk::Email(adapter)
}

#[tokio::test]
async fn email_sends_one_message_with_a_stable_message_id_and_the_ticket() {
    let server = smtp::Smtp::start(None).await;
    let helpdesk = email(server.port, false);
    let http = http();
    let ticket = new_ticket(UPN);

    let filed = helpdesk.file(&http, &ticket).await.expect("the message");
    let message_id = format!("<{}@contoso-demo.example>", ticket.request_id);
    assert_eq!(filed.ticket_number, message_id);
    let again = helpdesk.file(&http, &ticket).await.expect("the repeat");
    assert_eq!(again, filed);

    let received = server.received();
    assert_eq!(received.len(), 2);
    let message = &received[0];
    assert_eq!(message.mail_from, "<mfa-relay@contoso-demo.example>");
    assert_eq!(
        message.rcpt_to,
        vec!["<helpdesk@contoso-demo.example>".to_string()]
    );
    assert_eq!(
        message.header("Message-ID").as_deref(),
        Some(message_id.as_str())
    );
    assert_eq!(
        received[1].header("Message-ID").as_deref(),
        Some(message_id.as_str()),
        "every attempt sends the same Message-ID"
    );
    assert_eq!(message.header("Subject"), Some(ticket.subject()));
    let from = message.header("From").unwrap_or_default();
    assert!(
        from.contains("<mfa-relay@contoso-demo.example>") && from.contains("MFA relay"),
        "{from}"
    );
    assert!(message
        .header("To")
        .unwrap_or_default()
        .contains("helpdesk@contoso-demo.example"));
    assert!(message.header("Date").is_some());
    assert!(message
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("text/plain") && t.to_lowercase().contains("utf-8")));
    let body = message.body();
    assert_eq!(
        body.replace("\r\n", "\n").trim_end(),
        ticket.body().trim_end()
    );
    assert_body_carries(&body, &ticket);
    assert_eq!(
        helpdesk.find(&http, &ticket).await,
        Ok(None),
        "mail cannot be asked"
    );
}

#[tokio::test]
async fn email_signs_in_when_configured_and_a_refused_login_names_the_user_not_the_password() {
    let server = smtp::Smtp::start(Some((SMTP_USER, SMTP_PASSWORD))).await;
    let helpdesk = email(server.port, true);
    let http = http();
    helpdesk
        .file(&http, &new_ticket(UPN))
        .await
        .expect("the message");
    assert_eq!(
        server.received()[0].auth,
        Some((SMTP_USER.to_string(), SMTP_PASSWORD.to_string()))
    );

    server.reply_to_auth("535 5.7.8 Authentication credentials invalid");
    let (text, _) = expect_retry(helpdesk.file(&http, &new_ticket(UPN)).await);
    assert!(
        text.contains("535")
            && text.contains(SMTP_USER)
            && text.contains("MFA_RELAY_SMTP_PASSWORD"),
        "{text}"
    );
    assert!(!text.contains(SMTP_PASSWORD), "{text}");
}

#[tokio::test]
async fn email_refuses_on_5xx_retries_on_4xx_and_on_a_closed_port() {
    let server = smtp::Smtp::start(None).await;
    let helpdesk = email(server.port, false);
    let http = http();

    server.reply_to_rcpt("550 5.1.1 <helpdesk@contoso-demo.example>: Recipient address rejected");
    let text = expect_refused(helpdesk.file(&http, &new_ticket(UPN)).await);
    assert!(
        text.contains("email")
            && text.contains("550")
            && text.contains("Recipient address rejected"),
        "{text}"
    );

    server.reply_to_rcpt("451 4.3.0 Mailbox temporarily unavailable");
    let (text, after) = expect_retry(helpdesk.file(&http, &new_ticket(UPN)).await);
    assert!(
        text.contains("451") && text.contains("temporarily unavailable"),
        "{text}"
    );
    assert_eq!(after, None);
    assert!(server.received().is_empty(), "nothing was delivered");

    let port = closed_port().await;
    assert_unreachable(&email(port, true), "email", SMTP_PASSWORD).await;
}

// ------------------------------------------------- The owner's dispute notes
//
// Per helpdesk: the note goes to the filed ticket as the helpdesk documents
// an internal note; a retry that follows an uncertain attempt
// (`look_first`) reads the ticket's notes first and adds nothing when the
// note is there, and adds it when it is not; an unknown ticket is refused;
// no error text holds the credential.

fn dispute_note(ticket: &Ticket) -> String {
    helpdesk_relay::notify::note_text(&ticket.request_id, datetime!(2026-03-01 10:15 UTC))
}

#[tokio::test]
async fn servicenow_adds_the_dispute_as_a_work_note_on_the_incident_by_sys_id_once() {
    let server = servicenow::start(SN_USER, SN_PASSWORD).await;
    let helpdesk = servicenow(&server.base);
    let http = http();
    let ticket = new_ticket(UPN);
    let other = new_ticket(OTHER_UPN);
    helpdesk
        .file(&http, &other)
        .await
        .expect("the other incident");
    let filed = helpdesk.file(&http, &ticket).await.expect("the incident");
    let text = dispute_note(&ticket);

    helpdesk
        .add_note(
            &http,
            &filed.ticket_number,
            &ticket.request_id,
            &text,
            false,
        )
        .await
        .expect("the work note");
    let sys_id = server.with(|s| s.incidents[1].sys_id.clone());
    let lookup = server
        .requests_to("GET", servicenow::PATH)
        .pop()
        .expect("the sys_id lookup");
    assert_eq!(lookup.param("sysparm_query"), Some("number=INC0010002"));
    let patches = server.requests_to("PATCH", &format!("{}/{sys_id}", servicenow::PATH));
    assert_eq!(patches.len(), 1, "one PATCH, to the incident's sys_id");
    assert!(patches[0].has_basic(SN_USER, SN_PASSWORD));
    assert_eq!(
        patches[0].json(),
        json!({ "work_notes": text }),
        "a work note and nothing else"
    );
    assert_eq!(
        server.with(|s| s.incidents[1].work_notes.clone()),
        vec![text.clone()]
    );
    assert!(
        server.with(|s| s.incidents[0].work_notes.is_empty()),
        "not the other incident"
    );

    // A retry after an uncertain attempt finds the note and adds nothing.
    helpdesk
        .add_note(&http, &filed.ticket_number, &ticket.request_id, &text, true)
        .await
        .expect("the look");
    let look = server
        .requests_to("GET", servicenow::JOURNAL)
        .pop()
        .expect("a look at the work notes");
    let query = look.param("sysparm_query").unwrap_or_default().to_string();
    assert!(
        query.starts_with(&format!("element_id={sys_id}^element=work_notes^valueLIKE"))
            && query.contains(&ticket.request_id),
        "{query}"
    );
    assert_eq!(
        server.with(|s| s.incidents[1].work_notes.len()),
        1,
        "not doubled"
    );
    assert_eq!(
        server
            .requests_to("PATCH", &format!("{}/{sys_id}", servicenow::PATH))
            .len(),
        1
    );

    // The other incident has no note yet: looking first, it gets one.
    let other_text = dispute_note(&other);
    helpdesk
        .add_note(&http, "INC0010001", &other.request_id, &other_text, true)
        .await
        .expect("the other note");
    assert_eq!(
        server.with(|s| s.incidents[0].work_notes.clone()),
        vec![other_text]
    );

    // An incident that is not there: retried, naming what was missing.
    let (reason, _) = expect_retry(
        helpdesk
            .add_note(&http, "INC0099999", &ticket.request_id, &text, false)
            .await,
    );
    assert!(reason.contains("INC0099999"), "{reason}");
    server.fail_with(Answer::json(401, json!({"error": "unauthorised"})));
    let (reason, _) = expect_retry(
        helpdesk
            .add_note(&http, &filed.ticket_number, &ticket.request_id, &text, true)
            .await,
    );
    assert!(
        reason.contains("401") && reason.contains(SN_USER) && !reason.contains(SN_PASSWORD),
        "{reason}"
    );
}

#[tokio::test]
async fn jira_adds_the_dispute_as_an_internal_comment_once() {
    let server = jira::start(JIRA_EMAIL, JIRA_TOKEN, DESK, REQUEST_TYPE).await;
    let helpdesk = jira(&server.base);
    let http = http();
    server.with(|s| {
        s.add_customer(UPN, true);
        s.add_customer(OTHER_UPN, true);
    });
    let ticket = new_ticket(UPN);
    let other = new_ticket(OTHER_UPN);
    let filed = helpdesk.file(&http, &ticket).await.expect("the request");
    helpdesk
        .file(&http, &other)
        .await
        .expect("the other request");
    assert_eq!(filed.ticket_number, "IT-12");
    let text = dispute_note(&ticket);

    helpdesk
        .add_note(&http, "IT-12", &ticket.request_id, &text, false)
        .await
        .expect("the comment");
    let path = "/rest/servicedeskapi/request/IT-12/comment";
    let posted = server.requests_to("POST", path);
    assert_eq!(posted.len(), 1);
    assert!(posted[0].has_basic(JIRA_EMAIL, JIRA_TOKEN));
    assert_eq!(
        posted[0].json(),
        json!({"body": text, "public": false}),
        "internal, not public"
    );
    let comments = server.with(|s| s.requests[0].comments.clone());
    assert_eq!(comments.len(), 1);
    assert!(!comments[0].public && comments[0].body == text);

    // Public replies in between do not hide it; a retry adds nothing.
    server.with(|s| {
        for n in 0..120 {
            s.requests[0].comments.push(jira::Comment {
                body: format!("reply {n}"),
                public: n % 2 == 0,
            });
        }
    });
    helpdesk
        .add_note(&http, "IT-12", &ticket.request_id, &text, true)
        .await
        .expect("the look");
    let look = server
        .requests_to("GET", path)
        .pop()
        .expect("a look at the comments");
    assert_eq!(look.param("public"), Some("false"));
    assert_eq!(look.param("internal"), Some("true"));
    assert_eq!(server.requests_to("POST", path).len(), 1, "not doubled");

    // The other request has none: looking first through two pages of
    // internal comments, it gets one.
    server.with(|s| {
        for n in 0..150 {
            s.requests[1].comments.push(jira::Comment {
                body: format!("agent note {n}"),
                public: false,
            });
        }
    });
    let other_text = dispute_note(&other);
    helpdesk
        .add_note(&http, "IT-13", &other.request_id, &other_text, true)
        .await
        .expect("the other comment");
    let looks = server.requests_to("GET", "/rest/servicedeskapi/request/IT-13/comment");
    assert_eq!(looks.len(), 2, "both pages were read");
    assert_eq!(looks[1].param("start"), Some("100"));
    assert_eq!(
        server.with(|s| s.requests[1].comments.last().unwrap().body.clone()),
        other_text
    );

    let text = expect_refused(
        helpdesk
            .add_note(
                &http,
                "IT-99",
                &ticket.request_id,
                &dispute_note(&ticket),
                false,
            )
            .await,
    );
    assert!(text.contains("404") && !text.contains(JIRA_TOKEN), "{text}");
}

#[tokio::test]
async fn freshservice_adds_the_dispute_as_a_private_note_once() {
    let server = freshservice::start(FS_KEY).await;
    let helpdesk = freshservice(&server.base);
    let http = http();
    let ticket = new_ticket(UPN);
    let other = new_ticket(UPN);
    let filed = helpdesk.file(&http, &ticket).await.expect("the ticket");
    helpdesk
        .file(&http, &other)
        .await
        .expect("the other ticket");
    let text = dispute_note(&ticket);

    helpdesk
        .add_note(
            &http,
            &filed.ticket_number,
            &ticket.request_id,
            &text,
            false,
        )
        .await
        .expect("the note");
    let posted = server.requests_to("POST", "/api/v2/tickets/1/notes");
    assert_eq!(posted.len(), 1);
    assert_eq!(
        posted[0].header("authorization"),
        Some(basic(FS_KEY, "X").as_str())
    );
    let body = posted[0].json();
    assert_eq!(body["private"], json!(true), "a private note: {body}");
    let html = body["body"].as_str().unwrap();
    assert!(
        html.contains(&helpdesk_relay::helpdesks::note_marker(&ticket.request_id)),
        "{html}"
    );
    assert!(html.contains("do not reset"), "{html}");
    assert_eq!(server.with(|s| s.tickets[0].notes.len()), 1);

    helpdesk
        .add_note(&http, &filed.ticket_number, &ticket.request_id, &text, true)
        .await
        .expect("the look");
    let look = server
        .requests_to("GET", "/api/v2/tickets/1/conversations")
        .pop()
        .expect("a look at the conversations");
    assert_eq!(look.param("per_page"), Some("100"));
    assert_eq!(server.with(|s| s.tickets[0].notes.len()), 1, "not doubled");

    helpdesk
        .add_note(&http, "2", &other.request_id, &dispute_note(&other), true)
        .await
        .expect("the other note");
    assert_eq!(server.with(|s| s.tickets[1].notes.len()), 1);

    let text = expect_refused(
        helpdesk
            .add_note(
                &http,
                "77",
                &ticket.request_id,
                &dispute_note(&ticket),
                false,
            )
            .await,
    );
    assert!(text.contains("404") && !text.contains(FS_KEY), "{text}");
    let text = expect_refused(
        helpdesk
            .add_note(
                &http,
                "INC-1",
                &ticket.request_id,
                &dispute_note(&ticket),
                false,
            )
            .await,
    );
    assert!(text.contains("not a Freshservice ticket id"), "{text}");
}

#[tokio::test]
async fn zendesk_adds_the_dispute_as_an_internal_comment_once_and_only_as_an_agent() {
    let server = zendesk::start(Some((ZD_AGENT, ZD_TOKEN))).await;
    let helpdesk = zendesk(&server.base, true);
    let http = http();
    let ticket = new_ticket(UPN);
    let other = new_ticket(OTHER_UPN);
    let filed = helpdesk.file(&http, &ticket).await.expect("the request");
    helpdesk
        .file(&http, &other)
        .await
        .expect("the other request");
    assert_eq!(filed.ticket_number, "1001");
    let text = dispute_note(&ticket);

    helpdesk
        .add_note(&http, "1001", &ticket.request_id, &text, false)
        .await
        .expect("the comment");
    let put = server.requests_to("PUT", "/api/v2/tickets/1001.json");
    assert_eq!(put.len(), 1);
    assert!(put[0].has_basic(&format!("{ZD_AGENT}/token"), ZD_TOKEN));
    assert_eq!(
        put[0].json(),
        json!({"ticket": {"comment": {"body": text, "public": false}}}),
        "an internal note and nothing else"
    );
    assert_eq!(
        server.with(|s| s.tickets[0].comments.clone()),
        vec![(text.clone(), false)]
    );

    // Many comments later, a retry reads every page and adds nothing.
    server.with(|s| {
        for n in 0..150 {
            s.tickets[0].comments.push((format!("reply {n}"), true));
        }
        s.tickets[0].comments.rotate_right(150);
    });
    helpdesk
        .add_note(&http, "1001", &ticket.request_id, &text, true)
        .await
        .expect("the look");
    let looks = server.requests_to("GET", "/api/v2/tickets/1001/comments.json");
    assert_eq!(looks.len(), 2, "next_page was followed");
    assert_eq!(looks[1].param("page"), Some("2"));
    assert!(looks[1].has_basic(&format!("{ZD_AGENT}/token"), ZD_TOKEN));
    assert_eq!(
        server.requests_to("PUT", "/api/v2/tickets/1001.json").len(),
        1,
        "not doubled"
    );

    helpdesk
        .add_note(
            &http,
            "1002",
            &other.request_id,
            &dispute_note(&other),
            true,
        )
        .await
        .expect("the other comment");
    assert_eq!(server.with(|s| s.tickets[1].comments.len()), 1);

    // An anonymous relay cannot: refused, saying what to configure.
    let anonymous = zendesk(&server.base, false);
    let before = server.requests().len();
    let reason = expect_refused(
        anonymous
            .add_note(&http, "1001", &ticket.request_id, &text, false)
            .await,
    );
    assert!(
        reason.contains("email and api_token") && reason.contains("[helpdesk.zendesk]"),
        "{reason}"
    );
    assert!(!reason.contains("  "), "one line of prose: {reason}");
    assert_eq!(server.requests().len(), before, "nothing was sent");
    let reason = expect_refused(
        helpdesk
            .add_note(&http, "4242", &ticket.request_id, &text, false)
            .await,
    );
    assert!(
        reason.contains("404") && !reason.contains(ZD_TOKEN),
        "{reason}"
    );
}

#[tokio::test]
async fn email_sends_the_dispute_as_a_follow_up_in_reply_to_the_tickets_message() {
    let server = smtp::Smtp::start(None).await;
    let helpdesk = email(server.port, false);
    let http = http();
    let ticket = new_ticket(UPN);
    let filed = helpdesk.file(&http, &ticket).await.expect("the message");
    let text = dispute_note(&ticket);

    for look_first in [false, true] {
        helpdesk
            .add_note(
                &http,
                &filed.ticket_number,
                &ticket.request_id,
                &text,
                look_first,
            )
            .await
            .expect("the follow-up");
    }
    let received = server.received();
    assert_eq!(
        received.len(),
        3,
        "the ticket, then the follow-up (twice: mail cannot be asked)"
    );
    let follow_up = &received[1];
    assert_eq!(
        follow_up.rcpt_to,
        vec!["<helpdesk@contoso-demo.example>".to_string()]
    );
    assert_eq!(
        follow_up.header("In-Reply-To").as_deref(),
        Some(filed.ticket_number.as_str())
    );
    assert_eq!(
        follow_up.header("References").as_deref(),
        Some(filed.ticket_number.as_str())
    );
    let id = format!("<{}-dispute@contoso-demo.example>", ticket.request_id);
    assert_eq!(follow_up.header("Message-ID").as_deref(), Some(id.as_str()));
    assert_eq!(
        received[2].header("Message-ID").as_deref(),
        Some(id.as_str()),
        "a repeat has the same Message-ID, which a threading helpdesk keeps once"
    );
    let subject = follow_up.header("Subject").unwrap_or_default();
    assert!(
        subject.contains("DISPUTED BY OWNER") && subject.contains(&ticket.request_id),
        "{subject}"
    );
    assert_eq!(follow_up.body().replace("\r\n", "\n").trim_end(), text);
}

// --------------------------------------------------------------- Configuration

#[track_caller]
fn config_error<C: serde::de::DeserializeOwned, A: std::fmt::Debug>(
    text: &str,
    build: fn(C) -> Result<A, String>,
) -> String {
    match toml::from_str::<C>(text) {
        Err(e) => e.to_string(),
        Ok(config) => build(config).expect_err("a configuration error"),
    }
}

#[test]
fn configurations_refuse_bad_values_with_errors_naming_the_helpdesk_and_key() {
    use email_adapter::Config as Em;
    use freshservice_adapter::Config as Fs;
    use jira_adapter::Config as Ji;
    use servicenow_adapter::Config as Sn;
    use zendesk_adapter::Config as Zd;

    let cases: Vec<(String, &[&str])> = vec![
        (
            config_error::<Sn, _>(
                r#"instance = "http://contoso.service-now.com"
                   user = "u"
                   password = "p""#,
                Sn::build,
            ),
            &["ServiceNow", "`instance`", "https://"],
        ),
        (
            config_error::<Sn, _>(
                r#"instance = "https://svc:hunter2@contoso.service-now.com"
                   user = "u"
                   password = "p""#,
                Sn::build,
            ),
            &["ServiceNow", "user name or password"],
        ),
        (
            config_error::<Sn, _>(
                r#"instance = "https://contoso.service-now.com"
                   user = "u""#,
                Sn::build,
            ),
            &["ServiceNow", "password", "MFA_RELAY_SERVICENOW_PASSWORD"],
        ),
        (
            config_error::<Sn, _>(
                r#"instance = "https://contoso.service-now.com"
                   user = "u"
                   password = "p"
                   urgency = 5"#,
                Sn::build,
            ),
            &["ServiceNow", "`urgency`", "5"],
        ),
        (
            config_error::<Sn, _>(
                r#"instance = "https://contoso.service-now.com"
                   user = "u"
                   password = "p"
                   assignment_group = "Service Desk""#,
                Sn::build,
            ),
            &["`assignment_group`", "sys_id"],
        ),
        (
            config_error::<Sn, _>(
                r#"instance = "https://contoso.service-now.com"
                   user = "u"
                   password = "p"
                   caller_id = "x""#,
                Sn::build,
            ),
            &["unknown field", "caller_id"],
        ),
        (
            config_error::<Ji, _>(
                r#"base_url = "https://contoso.atlassian.net"
                   email = "a@b.example"
                   service_desk_id = "5"
                   request_type_id = "20""#,
                Ji::build,
            ),
            &["Jira Service Management", "MFA_RELAY_JIRA_API_TOKEN"],
        ),
        (
            config_error::<Ji, _>(
                r#"base_url = "https://contoso.atlassian.net"
                   email = "a@b.example"
                   api_token = "t"
                   service_desk_id = "IT"
                   request_type_id = "20""#,
                Ji::build,
            ),
            &["Jira Service Management", "`service_desk_id`", "number"],
        ),
        (
            config_error::<Fs, _>(
                r#"base_url = "https://contoso.freshservice.com""#,
                Fs::build,
            ),
            &["Freshservice", "MFA_RELAY_FRESHSERVICE_API_KEY"],
        ),
        (
            config_error::<Fs, _>(
                r#"base_url = "https://contoso.freshservice.com"
                   api_key = "k"
                   priority = 9"#,
                Fs::build,
            ),
            &["Freshservice", "`priority`", "9"],
        ),
        (
            config_error::<Zd, _>(
                r#"base_url = "https://contoso.zendesk.com"
                   api_token = "t""#,
                Zd::build,
            ),
            &["Zendesk", "`email`"],
        ),
        (
            config_error::<Zd, _>(
                r#"base_url = "https://contoso.zendesk.com"
                   email = "agent@contoso.example""#,
                Zd::build,
            ),
            &["Zendesk", "MFA_RELAY_ZENDESK_API_TOKEN"],
        ),
        (
            config_error::<Zd, _>(r#"base_url = "ftp://contoso.zendesk.com""#, Zd::build),
            &["Zendesk", "`base_url`", "https://"],
        ),
        (
            config_error::<Em, _>(
                r#"from = "relay@contoso.example"
                   to = "helpdesk@contoso.example"
                   host = "smtp.contoso.example"
                   tls = "none""#,
                Em::build,
            ),
            &["email", "none", "loopback", "smtp.contoso.example"],
        ),
        (
            config_error::<Em, _>(
                r#"from = "relay@contoso.example"
                   to = "helpdesk@contoso.example"
                   host = "smtp.contoso.example"
                   user = "relay""#,
                Em::build,
            ),
            &["SMTP", "MFA_RELAY_SMTP_PASSWORD"],
        ),
        (
            config_error::<Em, _>(
                r#"from = "relay@contoso.example"
                   to = "helpdesk@contoso.example"
                   host = "smtp.contoso.example"
                   password = "p""#,
                Em::build,
            ),
            &["email", "`user`"],
        ),
        (
            config_error::<Em, _>(
                r#"from = "not an address"
                   to = "helpdesk@contoso.example"
                   host = "smtp.contoso.example""#,
                Em::build,
            ),
            &["email", "`from`"],
        ),
        (
            config_error::<Em, _>(
                r#"from = "relay@contoso.example"
                   to = "helpdesk@contoso.example"
                   host = "smtps://smtp.contoso.example:465""#,
                Em::build,
            ),
            &["email", "`host`"],
        ),
        (
            config_error::<Em, _>(
                r#"from = "relay@contoso.example"
                   to = "helpdesk@contoso.example"
                   host = "smtp.contoso.example"
                   tls = "ssl""#,
                Em::build,
            ),
            &["unknown variant", "starttls"],
        ),
    ];
    for (error, words) in cases {
        for word in words {
            assert!(error.contains(word), "{error:?} should mention {word:?}");
        }
        for secret in ["hunter2", "\"p\"", "\"t\"", "\"k\""] {
            assert!(!error.contains(secret), "{error:?} shows a credential");
        }
    }

    // The defaults: STARTTLS on 587 to a remote host is fine.
    let fine: Em = toml::from_str(
        r#"from = "relay@contoso.example"
           to = "helpdesk@contoso.example"
           host = "smtp.contoso.example""#,
    )
    .expect("a configuration");
    assert!(fine.build().is_ok());
    let ids: Ji = toml::from_str(
        r#"base_url = "https://contoso.atlassian.net/"
           email = "a@b.example"
           api_token = "t"
           service_desk_id = 5
           request_type_id = "20""#,
    )
    .expect("ids as numbers or text");
    assert!(ids.build().is_ok());
}
