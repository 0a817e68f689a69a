//! The owner is told, through two channels, and can stop it: over real HTTP
//! against the tenant emulator (its identity platform's client-credentials
//! grant, Graph users / manager / sendMail, its mailboxes and its Zendesk
//! helpdesk), as a plain HTTP client would.

#![cfg(feature = "demo-tenant")]

mod support;

use std::time::Duration;

use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use serde_json::Value;
use support::{demo_tokens, new_key, request_body, submit, wait_delivered};
use tenant_emulator::faults::Fault;
use tenant_emulator::{demo, Emulator, EmulatorConfig};

struct World {
    emulator: Emulator,
    relay: Relay,
    relay_url: String,
    tenant: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The relay's configuration: its own port (for its dispute links), a
/// SQLite file, the emulator's Graph, identity platform and Zendesk.
fn config_text(tenant: &str, port: u16, db: &std::path::Path) -> String {
    format!(
        "listen = \"127.0.0.1:{port}\"\n\
         database = \"sqlite:{db}\"\n\
         organisation_domains = [\"{domain}\"]\n\
         graph_base = \"{tenant}v1.0/\"\n\
         [delivery]\nfirst_retry_seconds = 1\n\
         [notify]\npublic_url = \"http://127.0.0.1:{port}/\"\n\
         helpdesk_contact = \"Call the IT service desk on +44 20 7946 0000\"\n\
         ticket_waits_seconds = 15\n\
         [notify.graph]\ntenant_id = \"{tenant_id}\"\nclient_id = \"{client_id}\"\n\
         sender = \"mfa-relay@{domain}\"\nauthority = \"{tenant}\"\nclient_secret = \"{secret}\"\n\
         [helpdesk.zendesk]\nbase_url = \"{tenant}zendesk/\"\nemail = \"relay@{domain}\"\napi_token = \"demo-agent-token\"\n\
         {entra}",
        entra = support::entra_config(&url::Url::parse(tenant).unwrap()),
        db = db.display(),
        domain = demo::DOMAIN,
        tenant_id = demo::TENANT_ID,
        client_id = demo::RELAY_API_CLIENT_ID,
        secret = demo::RELAY_CLIENT_SECRET,
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_relay(tenant: &str, db: &std::path::Path) -> Relay {
    start_relay_with(tenant, db, "").await
}

/// The relay with `extra` configuration appended (whole tables).
async fn start_relay_with(tenant: &str, db: &std::path::Path, extra: &str) -> Relay {
    let config = config_text(tenant, free_port(), db) + extra;
    let relay = Relay::start(RelayConfig::parse(&config).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    relay
}

async fn start() -> World {
    start_with("").await
}

async fn start_with(extra: &str) -> World {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let tenant = emulator.base_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let relay = start_relay_with(&tenant, &dir.path().join("relay.db"), extra).await;
    World {
        relay_url: relay.base_url().to_string(),
        emulator,
        relay,
        tenant,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _dir: dir,
    }
}

impl World {
    async fn messages(&self) -> Vec<Value> {
        let all: Value = self
            .http
            .get(format!("{}_emulator/mailbox/messages", self.tenant))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Waits for a message in `mailbox` whose body mentions `needle`.
    async fn wait_message(&self, mailbox: &str, needle: &str, within: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let found = self.messages().await.into_iter().find(|m| {
                m["mailbox"] == mailbox && m["body"].as_str().unwrap_or("").contains(needle)
            });
            if let Some(found) = found {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no message to {mailbox} about {needle}: {:?}",
                self.messages().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn ticket_of(&self, request_id: &str) -> Option<tenant_emulator::HelpdeskTicket> {
        self.emulator
            .helpdesk_tickets()
            .into_iter()
            .find(|t| t.subject.contains(request_id))
    }
}

/// The dispute link in a notice's body.
fn link_in(message: &Value) -> String {
    message["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.contains("/dispute/"))
        .unwrap_or_else(|| panic!("no link in {message}"))
        .to_string()
}

async fn accepted(world: &World, upn: &str) -> String {
    let (status, body, _) = submit(
        &world.http,
        &world.relay_url,
        &new_key(),
        &request_body(upn, "amber-falcon-42"),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    body["requestId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_owner_is_told_in_two_mailboxes_and_one_press_disputes_the_ticket_once() {
    let world = start().await;
    let id = accepted(&world, "dana@contoso-demo.example").await;
    let done = wait_delivered(&world.http, &world.relay_url, &id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "delivered", "{done}");

    // Both channels: the work mailbox and Dana's otherMails address.
    let work = world
        .wait_message("dana@contoso-demo.example", &id, Duration::from_secs(10))
        .await;
    let personal = world
        .wait_message("dana.whitlock@home.example", &id, Duration::from_secs(10))
        .await;
    assert_eq!(personal["external"], true, "{personal}");
    let body = work["body"].as_str().unwrap();
    for says in [
        "reset the multi-factor sign-in methods of dana@contoso-demo.example",
        "From: 127.0.0.1",
        "Sent from a device enrolled for this account: no",
        "What happens next",
        "Call the IT service desk on +44 20 7946 0000",
    ] {
        assert!(body.contains(says), "{says:?} not in {body}");
    }
    let link = link_in(&work);
    assert_eq!(link, link_in(&personal), "one message, To and Bcc");
    assert!(link.starts_with(&world.relay_url), "{link}");

    // The ticket says where the owner was told, masked.
    let ticket = world.ticket_of(&id).expect("the ticket");
    assert!(
        ticket.description.contains(
            "Owner notice: the owner was notified at d***@contoso-demo.example (work mailbox) and \
             d***@home.example (personal address) on "
        ),
        "{}",
        ticket.description
    );
    assert!(!ticket.description.contains("dana.whitlock"), "masked");
    assert!(ticket.comments.is_empty());

    // A link scanner's GET changes nothing.
    for _ in 0..2 {
        let page = world.http.get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        let text = page.text().await.unwrap();
        assert!(
            text.contains("This wasn't me") && text.contains("method=\"post\""),
            "{text}"
        );
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        world.ticket_of(&id).unwrap().comments.is_empty(),
        "GET must not dispute"
    );

    // The button's POST disputes; the helpdesk gets one internal note.
    let pressed = world.http.post(&link).send().await.unwrap();
    assert_eq!(pressed.status(), 200);
    let text = pressed.text().await.unwrap();
    assert!(
        text.contains("it is stopped") && text.contains("+44 20 7946 0000"),
        "{text}"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while world.ticket_of(&id).unwrap().comments.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no dispute note");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Used again: a clear page, nothing changes, the note stays single.
    let again = world.http.post(&link).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already used"));
    let revisit = world.http.get(&link).send().await.unwrap();
    assert_eq!(revisit.status(), 410);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let comments = world.ticket_of(&id).unwrap().comments;
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(!comments[0].public, "an internal note");
    assert!(
        comments[0].body.contains("DISPUTED BY OWNER")
            && comments[0].body.contains("do not reset")
            && comments[0].body.contains(&id),
        "{}",
        comments[0].body
    );
    drop(world.relay);
}

/// A relay writing tickets in German (`[ticket] language = "de"`) words
/// where the owner was told, and the device proof, in German: the relay
/// hands the ticket values, not English sentences. The owner's notice, the
/// dispute page and the dispute note are German too, and the device's
/// name the requester typed stays quoted as typed, never expanded.
#[tokio::test]
async fn a_german_relay_says_where_the_owner_was_told_in_german() {
    let world = start_with("\n[ticket]\nlanguage = \"de\"\n").await;
    let mut request = request_body("dana@contoso-demo.example", "amber-falcon-42");
    let typed = "{upn} <b>Anfrage: genehmigt</b> \"{link}\"";
    request["device"]["os"] = typed.into();
    let (status, body, _) = submit(&world.http, &world.relay_url, &new_key(), &request).await;
    assert_eq!(status, 202, "{body}");
    let id = body["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&world.http, &world.relay_url, &id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    let ticket = world.ticket_of(&id).expect("the ticket");
    let description = &ticket.description;
    let line = |label: &str| -> String {
        let found: Vec<&str> = description
            .lines()
            .filter(|l| l.starts_with(label))
            .collect();
        assert_eq!(found.len(), 1, "{description}");
        found[0].to_owned()
    };
    let notice = line("Benachrichtigung des Inhabers: ");
    assert!(
        notice.starts_with("Benachrichtigung des Inhabers: Der Inhaber wurde am "),
        "{notice}"
    );
    assert!(
        notice.ends_with(
            " per E-Mail an d***@contoso-demo.example (geschäftliches Postfach) und \
             d***@home.example (private Adresse) benachrichtigt, mit einem Link, über den er \
             diese Anfrage bestreiten kann."
        ),
        "{notice}"
    );
    assert_eq!(
        line("Gerätenachweis: "),
        "Gerätenachweis: nicht bestätigtes Gerät (die Anfrage war nicht mit einem \
         Geräteschlüssel signiert). Prüfen Sie die Identität per Rückruf, bevor Sie etwas \
         zurücksetzen."
    );
    for english in ["notified", "work mailbox", "not signed", "device key"] {
        assert!(
            !description.contains(english),
            "{english:?} in {description}"
        );
    }

    // The owner's notice, in German, to both of Dana's addresses.
    let work = world
        .wait_message("dana@contoso-demo.example", &id, Duration::from_secs(10))
        .await;
    world
        .wait_message("dana.whitlock@home.example", &id, Duration::from_secs(10))
        .await;
    assert_eq!(
        work["subject"],
        "Sicherheitshinweis: Für dana@contoso-demo.example wurde das Zurücksetzen der \
         Anmeldemethoden angefordert",
        "{work}"
    );
    let text = work["body"].as_str().unwrap();
    for says in [
        "Es geht um Ihr Geschäftskonto dana@contoso-demo.example.",
        "Jemand hat beim IT-Helpdesk angefordert, die Anmeldemethoden der mehrstufigen \
         Authentifizierung von dana@contoso-demo.example zurückzusetzen.",
        // The typed name, quoted as typed: not expanded, not unescaped.
        "Von: 127.0.0.1, ein Gerät, das sich selbst so nennt: \
         \"{upn} <b>Anfrage: genehmigt</b> \\\"{link}\\\"\"\n",
        "Von einem für dieses Konto registrierten Gerät gesendet: nein",
        "Wie es weitergeht: ",
        "Der Link funktioniert nur einmal. Danach: Call the IT service desk on +44 20 7946 0000",
    ] {
        assert!(text.contains(says), "{says:?} not in {text}");
    }
    for english in [
        "Security notice",
        "What happens next",
        "your work account",
        "wasn't",
    ] {
        assert!(!text.contains(english), "{english:?} in {text}");
    }
    assert_eq!(
        text.matches("dana@contoso-demo.example").count(),
        2,
        "{text}"
    );

    // The dispute page, in German; the press, in German; the note, German.
    let link = link_in(&work);
    let page = world.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.starts_with("<!doctype html><html lang=\"de\">"),
        "{page}"
    );
    for says in [
        "<title>Waren Sie das?</title>",
        "die Anmeldemethoden von <b>dana@contoso-demo.example</b> zurückzusetzen",
        "<button type=\"submit\">Das war ich nicht</button>",
    ] {
        assert!(page.contains(says), "{says:?} not in {page}");
    }
    assert!(
        !page.contains("This wasn") && !page.contains("Was this you"),
        "{page}"
    );
    let pressed = world.http.post(&link).send().await.unwrap();
    assert_eq!(pressed.status(), 200);
    let pressed = pressed.text().await.unwrap();
    assert!(
        pressed.contains("<html lang=\"de\">")
            && pressed.contains("Vielen Dank: Der Vorgang ist gestoppt")
            && pressed.contains("+44 20 7946 0000"),
        "{pressed}"
    );
    let again = world.http.post(&link).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Dieser Link wurde bereits verwendet"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let note = loop {
        if let Some(note) = world.ticket_of(&id).unwrap().comments.first() {
            break note.body.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "no dispute note");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        note.starts_with("VOM INHABER BESTRITTEN: Der Kontoinhaber bestreitet diese Anfrage.")
            && note.contains("Befristeten Zugriffspass")
            && note.ends_with(&format!(
                "(Kennzeichen des Relays: DISPUTED BY OWNER [{id}])"
            )),
        "{note}"
    );
    drop(world.relay);
}

#[tokio::test]
async fn unknown_malformed_and_expired_links_get_a_clear_page_and_change_nothing() {
    let world = start().await;
    let id = accepted(&world, "adele@contoso-demo.example").await;
    let work = world
        .wait_message("adele@contoso-demo.example", &id, Duration::from_secs(15))
        .await;
    // Adele has no otherMails: her manager is the second channel.
    let manager = world
        .wait_message("chidi@contoso-demo.example", &id, Duration::from_secs(10))
        .await;
    assert!(manager["body"]
        .as_str()
        .unwrap()
        .contains("you are the manager of adele@"));
    let real = link_in(&work);

    let unknown = format!("{}dispute/{}", world.relay_url, "A".repeat(43));
    let malformed = format!("{}dispute/%3Cscript%3E", world.relay_url);
    for link in [&unknown, &malformed] {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let answer = world.http.request(method, link).send().await.unwrap();
            assert_eq!(answer.status(), 404, "{link}");
            assert!(answer.text().await.unwrap().contains("not known"));
        }
    }
    // An expired link (made as the relay makes them, already past).
    let store = world.relay.store().unwrap();
    let (token, hash) = helpdesk_relay::notify::new_token();
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    store
        .add_dispute_link(&hash, &format!("on-reset-{id}"), past, past)
        .await
        .unwrap();
    let expired = format!("{}dispute/{}", world.relay_url, token.expose());
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let answer = world.http.request(method, &expired).send().await.unwrap();
        assert_eq!(answer.status(), 410);
        assert!(answer.text().await.unwrap().contains("expired"));
    }
    assert_eq!(
        store.disputed_at(&id).await.unwrap(),
        None,
        "nothing changed"
    );
    // The real link still works afterwards.
    assert_eq!(world.http.get(&real).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_dispute_before_the_ticket_is_filed_files_it_disputed_and_a_graph_outage_only_delays_the_notice(
) {
    let world = start().await;
    // The helpdesk is down, and Graph's sendMail fails twice.
    world.emulator.faults().inject(Fault::status(
        "POST /zendesk/api/v2/requests.json",
        503,
        None,
        1000,
    ));
    world
        .emulator
        .faults()
        .inject(Fault::status("POST /v1.0/users/*/sendMail", 503, None, 2));
    let id = accepted(&world, "dana@contoso-demo.example").await;
    let work = world
        .wait_message("dana@contoso-demo.example", &id, Duration::from_secs(30))
        .await;
    assert!(
        world.emulator.count("POST", "/v1.0/users/*/sendMail") >= 3,
        "sendMail was retried after the outage"
    );
    assert!(world.ticket_of(&id).is_none(), "not filed yet");
    let pressed = world.http.post(link_in(&work)).send().await.unwrap();
    assert_eq!(pressed.status(), 200);

    world.emulator.faults().clear();
    let done = wait_delivered(&world.http, &world.relay_url, &id, Duration::from_secs(30)).await;
    if done["status"] != "delivered" {
        // Say why (a dead letter's reason, its attempts), not only that.
        let dead: Vec<_> = world
            .relay
            .store()
            .unwrap()
            .dead_letters()
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.attempts, r.last_error))
            .collect();
        panic!("{done}: dead letters (attempts, reason): {dead:?}");
    }
    let ticket = world.ticket_of(&id).unwrap();
    assert!(
        ticket.subject.contains("DISPUTED BY OWNER"),
        "{}",
        ticket.subject
    );
    assert!(
        ticket.description.contains("DISPUTED"),
        "{}",
        ticket.description
    );
    assert!(
        ticket
            .description
            .contains("notified at d***@contoso-demo.example"),
        "{}",
        ticket.description
    );
    // The ticket says it, so no note is added as well.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(world.ticket_of(&id).unwrap().comments.is_empty());
}

/// The messages in `mailbox` whose body mentions `needle`.
async fn count_messages(world: &World, mailbox: &str, needle: &str) -> usize {
    world
        .messages()
        .await
        .iter()
        .filter(|m| m["mailbox"] == mailbox && m["body"].as_str().unwrap_or("").contains(needle))
        .count()
}

#[tokio::test]
async fn a_retry_after_the_owners_message_went_but_the_managers_failed_sends_only_the_managers() {
    let world = start().await;
    // Adele has no otherMails: her notice is two messages, hers and her
    // manager's. The first sendMail goes through, the next two fail.
    let faults = world.emulator.faults();
    faults.inject(Fault::delay("POST /v1.0/users/*/sendMail", 1, 1));
    faults.inject(Fault::status("POST /v1.0/users/*/sendMail", 503, None, 2));
    let id = accepted(&world, "adele@contoso-demo.example").await;
    world
        .wait_message("chidi@contoso-demo.example", &id, Duration::from_secs(30))
        .await;
    assert_eq!(
        world.emulator.count("POST", "/v1.0/users/*/sendMail"),
        4,
        "Adele's, then the manager's three times (twice refused)"
    );
    assert_eq!(
        count_messages(&world, "adele@contoso-demo.example", &id).await,
        1,
        "the owner's message is not sent again"
    );
    assert_eq!(
        count_messages(&world, "chidi@contoso-demo.example", &id).await,
        1
    );
    // Adele's link (from the first attempt) still works.
    let work = world
        .wait_message("adele@contoso-demo.example", &id, Duration::from_secs(1))
        .await;
    assert_eq!(
        world
            .http
            .get(link_in(&work))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let done = wait_delivered(&world.http, &world.relay_url, &id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    let ticket = world.ticket_of(&id).unwrap();
    assert!(
        ticket
            .description
            .contains("notified at a***@contoso-demo.example (work mailbox) and c***@contoso-demo.example (manager) on "),
        "{}",
        ticket.description
    );
}

#[tokio::test]
async fn a_note_the_helpdesk_saved_before_its_relay_died_is_not_added_again() {
    let World {
        emulator,
        relay,
        relay_url,
        tenant,
        http,
        _dir: dir,
    } = start().await;
    let world_http = http.clone();
    let (status, body, _) = submit(
        &world_http,
        &relay_url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "amber-falcon-42"),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let id = body["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&http, &relay_url, &id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    let messages: Value = http
        .get(format!("{tenant}_emulator/mailbox/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let notice = messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["mailbox"] == "dana@contoso-demo.example" && m["body"].as_str().unwrap().contains(&id)
        })
        .cloned()
        .expect("the owner's notice");
    let link = link_in(&notice);
    let token = link.rsplit('/').next().unwrap().to_owned();

    // The relay stops; the owner disputes; another relay (sharing the
    // database) takes the note's lease, adds the note in the helpdesk, and
    // dies before recording it.
    let store = relay.store().unwrap().clone();
    drop(relay);
    let now = time::OffsetDateTime::now_utc();
    assert!(store
        .dispute(
            &helpdesk_relay::notify::token_hash(&token),
            "203.0.113.9",
            now
        )
        .await
        .unwrap());
    let note = store
        .claim_note("dead-relay", Duration::from_millis(500), now)
        .await
        .unwrap()
        .expect("the note is due");
    assert!(!note.earlier_attempt);
    let number = store
        .request(&id)
        .await
        .unwrap()
        .unwrap()
        .ticket_number
        .unwrap();
    let config: helpdesk_relay::helpdesks::zendesk::Config = toml::from_str(&format!(
        "base_url = \"{tenant}zendesk/\"\nemail = \"relay@{}\"\napi_token = \"demo-agent-token\"",
        demo::DOMAIN
    ))
    .unwrap();
    let helpdesk = helpdesk_relay::helpdesks::Helpdesk::Zendesk(config.build().unwrap());
    helpdesk
        .add_note(
            &http,
            &number,
            &id,
            &helpdesk_relay::notify::note_text(&id, note.disputed_at),
            false,
        )
        .await
        .expect("the dead relay's note");
    let comments_of = |id: &str| {
        emulator
            .helpdesk_tickets()
            .into_iter()
            .find(|t| t.subject.contains(id))
            .unwrap()
            .comments
    };
    assert_eq!(comments_of(&id).len(), 1);

    // A relay on the same database takes over once the lease expires: it
    // looks first, finds the note, and records it as added.
    let _successor = start_relay(&tenant, &dir.path().join("relay.db")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while store.note_status(&id).await.unwrap().as_deref() != Some("added") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the note was never recorded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let comments = comments_of(&id);
    assert_eq!(comments.len(), 1, "not doubled: {comments:?}");
    assert!(!comments[0].public);
    assert!(
        emulator.count("GET", "/zendesk/api/v2/tickets/*/comments.json") >= 1,
        "the successor looked at the ticket's comments"
    );
}

#[tokio::test]
async fn an_enrolment_tells_the_owner_and_disputing_it_removes_the_key() {
    let world = start().await;
    let base = url::Url::parse(&world.tenant).unwrap();
    let (_, relay_token) = demo_tokens(&base, "erin").await;
    let body = serde_json::json!({
        "publicKey": helpdesk_contract::device_proof::public_key_text(
            &helpdesk_contract::device_proof::generate_key()
        ),
        "device": {"os": "Windows 11", "appVersion": "0.1.0"},
    });
    let enrolled = world
        .http
        .post(format!("{}v1/device-keys", world.relay_url))
        .bearer_auth(&relay_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 201);
    let enrolled: Value = enrolled.json().await.unwrap();
    let key_id = enrolled["keyId"].as_str().unwrap().to_owned();
    let lookup = || {
        world
            .http
            .get(format!("{}v1/device-keys/{key_id}", world.relay_url))
            .bearer_auth(&relay_token)
            .send()
    };
    assert_eq!(lookup().await.unwrap().status(), 200);

    // The binding notice, to Erin and (she has no otherMails) her manager.
    let work = world
        .wait_message(
            "erin@contoso-demo.example",
            &key_id,
            Duration::from_secs(15),
        )
        .await;
    let manager = world
        .wait_message(
            "chidi@contoso-demo.example",
            &key_id,
            Duration::from_secs(5),
        )
        .await;
    assert!(manager["body"]
        .as_str()
        .unwrap()
        .contains("you are the manager of erin@"));
    assert!(
        work["subject"]
            .as_str()
            .unwrap()
            .contains("a device was linked to erin@contoso-demo.example"),
        "{work}"
    );
    let text = work["body"].as_str().unwrap();
    for says in [
        "Windows 11",
        "MFA Assistant 0.1.0",
        "From: 127.0.0.1",
        "removes the device",
    ] {
        assert!(text.contains(says), "{says:?} not in {text}");
    }

    // A scanner's GET keeps the key; the owner's press removes it.
    let link = link_in(&work);
    assert_eq!(world.http.get(&link).send().await.unwrap().status(), 200);
    assert_eq!(lookup().await.unwrap().status(), 200, "GET changes nothing");
    let pressed = world.http.post(&link).send().await.unwrap();
    assert_eq!(pressed.status(), 200);
    assert!(pressed
        .text()
        .await
        .unwrap()
        .contains("The device was removed from your account."));
    let gone = lookup().await.unwrap();
    assert_eq!(gone.status(), 404);
    let gone: Value = gone.json().await.unwrap();
    assert_eq!(gone["error"]["code"], "notFound", "{gone}");
    let store = world.relay.store().unwrap();
    assert!(store.device_key(&key_id).await.unwrap().is_none());
    assert_eq!(world.http.post(&link).send().await.unwrap().status(), 410);
}
