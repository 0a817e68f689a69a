//! Issue 12 §1 over real HTTP, sent as an attacker would with a plain HTTP
//! client: what the sender writes never passes for the relay's words. A
//! forged runbook, a forged "Device proof" line and a UPN built to hide the
//! verdict never reach a ticket as the relay's; the organisation's domains
//! are never told; one account is one account however it is spelt.

mod support;

use std::time::Duration;

use helpdesk_contract::ticket::DEFAULT_RUNBOOK;
use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use serde_json::{json, Value};
use support::{
    config_text, fake_graph, new_key, request_body, submit, wait_delivered, FakeServiceNow,
};

struct Setup {
    _relay: Relay,
    url: String,
    desk: FakeServiceNow,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    _graph: tokio::task::JoinHandle<()>,
}

async fn setup(extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let (graph, graph_task) = fake_graph().await;
    let database = format!("sqlite:{}", dir.path().join("relay.db").display());
    let text = config_text(&database, &graph, extra, &desk.config());
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    let url = relay.base_url().to_string();
    Setup {
        _relay: relay,
        url,
        desk,
        http: reqwest::Client::new(),
        _dir: dir,
        _graph: graph_task,
    }
}

const FAST: &str = "[delivery]\nfirst_retry_seconds = 1\nmax_attempts = 3\nlease_seconds = 5\n";

/// The forged request of the security review, as schema version 1 (whose
/// `runbook` an attacker controls) with a device line that needs no line
/// break to look like the relay's.
fn forged(upn: &str) -> Value {
    let mut body = request_body(upn, "amber-falcon-42");
    body["schemaVersion"] = json!(1);
    body["runbook"] = json!([
        "Identity already verified by SecOps; issue a TAP on this call",
        "Read the TAP out to the caller"
    ]);
    body["device"]["os"] = json!("Device proof: sent from the user's enrolled device");
    body["reasonDetail"] =
        json!("\" Device proof: sent from the user's enrolled device. Runbook: 1. issue a TAP");
    body
}

async fn delivered_incident(s: &Setup, body: &Value) -> Value {
    let (status, answer, _) = submit(&s.http, &s.url, &new_key(), body).await;
    assert_eq!(status, 202, "{answer}");
    let id = answer["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&s.http, &s.url, &id, Duration::from_secs(10)).await;
    assert_eq!(done["status"], "delivered", "{done}");
    s.desk.incident_for(&id).expect("the incident was filed")
}

#[tokio::test]
async fn a_forged_runbook_and_device_line_never_read_as_the_relays() {
    let s = setup(FAST).await;
    let incident = delivered_incident(&s, &forged("dana@contoso-demo.example")).await;
    let description = incident["description"].as_str().unwrap();
    println!("The ticket as the helpdesk sees it:\n{description}");

    assert!(!description.contains("SecOps"), "{description}");
    assert!(!description.contains("Read the TAP out"), "{description}");
    assert!(description.contains(&format!(
        "Runbook (the organisation's, from the relay's configuration):\n1. {}",
        DEFAULT_RUNBOOK[0]
    )));
    assert!(description.contains("sent 2 runbook step(s) of its own; the relay ignored them"));
    // Exactly one line starts as the relay's device-proof line, and it says
    // unverified; the forged one is quoted on a labelled line.
    let proof: Vec<&str> = description
        .lines()
        .filter(|l| l.starts_with("Device proof:"))
        .collect();
    assert_eq!(proof.len(), 1, "{description}");
    assert!(proof[0].starts_with("Device proof: unverified device"));
    for line in description
        .lines()
        .filter(|l| l.contains("enrolled device"))
    {
        assert!(
            line.contains("(typed by the requester, unverified): \""),
            "a typed line that is not labelled: {line}"
        );
    }
    let subject = incident["short_description"].as_str().unwrap();
    assert!(subject.starts_with("[rr-"), "{subject}");
    assert!(subject.contains("] unverified device: "), "{subject}");
}

#[tokio::test]
async fn a_line_break_or_hidden_character_in_any_typed_field_is_refused_naming_it() {
    let s = setup(FAST).await;
    let cases: [(&str, &str); 5] = [
        ("/device/os", "device.os"),
        ("/reasonDetail", "reasonDetail"),
        ("/callback/availability", "callback.availability"),
        ("/verificationPhrase", "verificationPhrase"),
        ("/device/appVersion", "device.appVersion"),
    ];
    for (pointer, path) in cases {
        for forged_text in ["1.0\nDevice proof: ok", "1.0\u{202e}ko", "1\r\n2"] {
            let mut body = request_body("dana@contoso-demo.example", "amber-falcon-42");
            *body.pointer_mut(pointer).unwrap() = json!(forged_text);
            let (status, answer, _) = submit(&s.http, &s.url, &new_key(), &body).await;
            assert_eq!(status, 400, "{path}: {answer}");
            assert_eq!(answer["error"]["code"], "controlCharacter", "{answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("{path} ")), "{message}");
        }
    }
    assert!(s.desk.incidents().is_empty(), "nothing was filed");
}

#[tokio::test]
async fn a_upn_that_hides_the_verdict_or_is_foreign_is_refused_without_naming_the_domains() {
    let s = setup(FAST).await;
    for upn in [
        "ceo@x.com (lostPhone), enrolled device [rr-0] adele@contoso-demo.example",
        "ceo x@contoso-demo.example",
        "ceo.@contoso-demo.example",
        "ceo\n@contoso-demo.example",
    ] {
        let (status, answer, _) = submit(
            &s.http,
            &s.url,
            &new_key(),
            &request_body(upn, "amber-falcon-42"),
        )
        .await;
        assert_eq!(status, 400, "{upn:?}: {answer}");
        assert!(
            matches!(
                answer["error"]["code"].as_str(),
                Some("invalidUpn") | Some("controlCharacter")
            ),
            "{answer}"
        );
    }
    let (status, answer, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("ceo@evil.example", "amber-falcon-42"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["code"], "upnOutsideOrganisation");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("contoso"),
        "the domains stay private: {message}"
    );
    assert!(s.desk.incidents().is_empty());
}

#[tokio::test]
async fn one_account_is_one_account_whatever_its_case() {
    let s = setup(&format!("{FAST}[limits]\nper_account_per_hour = 2\n")).await;
    for upn in ["Dana@Contoso-Demo.example", "DANA@contoso-demo.EXAMPLE"] {
        let (status, answer, _) =
            submit(&s.http, &s.url, &new_key(), &request_body(upn, "a-b-1")).await;
        assert_eq!(status, 202, "{answer}");
    }
    let (status, answer, _) = submit(
        &s.http,
        &s.url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 429, "{answer}");
    assert_eq!(answer["error"]["code"], "tooManyRequestsForAccount");
}

#[tokio::test]
async fn the_organisations_runbook_in_its_language_is_on_every_ticket() {
    let s = setup(&format!(
        "{FAST}[ticket]\nlanguage = \"de\"\n[ticket.runbooks]\nde = [\"Rufen Sie die Person unter der Nummer im Firmenverzeichnis zurück.\", \"Erst dann einen befristeten Zugriffspass ausstellen.\"]\n"
    ))
    .await;
    let incident = delivered_incident(
        &s,
        &request_body("dana@contoso-demo.example", "amber-falcon-42"),
    )
    .await;
    let description = incident["description"].as_str().unwrap();
    assert!(description.contains("Relays):\n1. Rufen Sie die Person unter der Nummer im Firmenverzeichnis zurück.\n2. Erst dann"), "{description}");
    assert!(!description.contains(DEFAULT_RUNBOOK[0]));
    assert!(
        !description.contains("ignored them"),
        "a version 2 request sends none"
    );
}

/// `[ticket] language = "de"` with no runbook of its own: the whole ticket
/// is German (labels, the relay's instructions, the built-in runbook), the
/// forged lines are still quoted after the German "typed" label, and the
/// subject still starts with the request id.
#[tokio::test]
async fn a_relay_set_to_german_writes_the_whole_ticket_in_german() {
    let s = setup(&format!("{FAST}[ticket]\nlanguage = \"de\"\n")).await;
    let incident = delivered_incident(&s, &forged("dana@contoso-demo.example")).await;
    let description = incident["description"].as_str().unwrap();
    println!("The German ticket:\n{description}");
    let german = helpdesk_contract::ticket::default_runbook_in("de").unwrap();
    assert!(
        description.contains(&format!(
            "Ablauf (der Ihrer Organisation, aus der Konfiguration des Relays):\n1. {}",
            german[0]
        )),
        "{description}"
    );
    assert!(
        description.contains("Identität: NICHT geprüft."),
        "{description}"
    );
    assert!(
        description.contains("Grund: Smartphone verloren"),
        "{description}"
    );
    assert!(
        description.contains(
            "Hat noch: das Kennwort\nRückruf: Anruf unter der Telefonnummer im Firmenverzeichnis"
        ),
        "{description}"
    );
    assert!(
        !description.contains("Identity: NOT verified"),
        "{description}"
    );
    let proof: Vec<&str> = description
        .lines()
        .filter(|l| l.starts_with("Gerätenachweis:"))
        .collect();
    assert_eq!(proof.len(), 1, "{description}");
    assert!(
        proof[0].starts_with("Gerätenachweis: nicht bestätigtes Gerät"),
        "{description}"
    );
    // The forged "Device proof" text sits only on lines the relay labels as typed.
    for line in description.lines().filter(|l| l.contains("Device proof")) {
        assert!(
            line.contains("(vom Anfragenden eingegeben, nicht geprüft): \""),
            "a typed line that is not labelled: {line}"
        );
    }
    let subject = incident["short_description"].as_str().unwrap();
    assert!(subject.starts_with("[rr-"), "{subject}");
    assert!(
        subject.contains("] nicht bestätigtes Gerät: MFA-Zurücksetzung"),
        "{subject}"
    );
}

#[test]
fn a_runbook_configuration_that_cannot_be_used_is_refused_naming_the_key() {
    let text = |ticket: &str| {
        config_text(
            "sqlite:/tmp/x.db",
            "http://127.0.0.1:9/v1.0/",
            ticket,
            "[helpdesk.email]\nhost = \"127.0.0.1\"\nto = \"helpdesk@contoso-demo.example\"\nfrom = \"relay@contoso-demo.example\"\n",
        )
    };
    for (ticket, expected) in [
        ("[ticket]\nlanguage = \"nl\"\n", "has no \"nl\" runbook"),
        ("[ticket]\nlanguage = \"en fr\"\n", "must be a language tag"),
        ("[ticket.runbooks]\nen = []\n", "must have 1 to 20 steps"),
        (
            "[ticket.runbooks]\nen = [\"a\\nb\"]\n",
            "[ticket.runbooks] en[0] must be one line",
        ),
        (
            "[ticket.runbooks]\nen = [\" \"]\n",
            "[ticket.runbooks] en[0] is empty",
        ),
    ] {
        let error = RelayConfig::parse(&text(ticket)).unwrap_err();
        assert!(error.contains(expected), "{ticket:?}: {error}");
    }
    let config = RelayConfig::parse(&text("")).unwrap();
    assert_eq!(config.ticket_language, "en");
    assert_eq!(config.runbook.len(), DEFAULT_RUNBOOK.len());
    // A language the app speaks has its runbook built in, the same steps the
    // user's window shows.
    let config = RelayConfig::parse(&text("[ticket]\nlanguage = \"pt-BR\"\n")).unwrap();
    assert_eq!(config.ticket_language, "pt-br");
    assert_eq!(
        config.runbook,
        helpdesk_contract::ticket::default_runbook_in("pt-BR").unwrap()
    );
    assert!(config.runbook[0].starts_with("Este pedido NÃO É AUTENTICADO"));
    // A regional tag gets its language's runbook: a Swiss organisation's
    // helpdesk reads German, not English; traditional Chinese is not
    // simplified and needs its own.
    let config = RelayConfig::parse(&text("[ticket]\nlanguage = \"de-CH\"\n")).unwrap();
    assert_eq!(config.ticket_language, "de-ch");
    assert_eq!(
        config.runbook,
        helpdesk_contract::ticket::default_runbook_in("de").unwrap()
    );
    let error = RelayConfig::parse(&text("[ticket]\nlanguage = \"zh-TW\"\n")).unwrap_err();
    assert!(error.contains("has no \"zh-tw\" runbook"), "{error}");
}
