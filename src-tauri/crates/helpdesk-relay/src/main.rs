//! `mfa-relay`: the helpdesk relay's command line. A thin layer over the
//! library: parse, load the configuration, act, report.

use std::path::PathBuf;
use std::process::ExitCode;

use helpdesk_relay::config::{RelayConfig, DEFAULT_PATH};
use helpdesk_relay::store::Store;
use helpdesk_relay::Relay;

const HELP: &str = "\
mfa-relay: turns MFA Assistant's reset requests into tickets in your helpdesk

USAGE:
    mfa-relay [serve] [--config FILE]        Serve the relay (the default command)
    mfa-relay check [--config FILE]          Check the configuration and the database, then exit
    mfa-relay dead-letters [--config FILE]   List the requests the relay gave up on
    mfa-relay replay ID... [--config FILE]   Queue dead letters again (after fixing the cause)
    mfa-relay replay --all [--config FILE]   Queue every dead letter again
    mfa-relay --demo [--port N] [--state-dir DIR]
                                             Run on the embedded default: SQLite, and an
                                             in-process demo tenant (on port N+1) whose
                                             helpdesk inbox receives the tickets (demo only;
                                             N defaults to 8787)

The configuration is FILE, else $MFA_RELAY_CONFIG, else /etc/mfa-relay/relay.toml.
Logging: RUST_LOG (default info). Exit status 2: the command line was not understood;
1: the configuration or the database is unusable.
";

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve(PathBuf),
    Check(PathBuf),
    DeadLetters(PathBuf),
    Replay {
        config: PathBuf,
        ids: Vec<String>,
        all: bool,
    },
    Demo {
        port: u16,
        state_dir: Option<PathBuf>,
    },
    Help,
}

fn parse(args: &[String]) -> Result<Command, String> {
    let mut iter = args.iter().peekable();
    let verb = match iter.peek().map(|s| s.as_str()) {
        Some("serve" | "check" | "dead-letters" | "replay") => iter.next().cloned(),
        _ => None,
    };
    let mut config: Option<PathBuf> = None;
    let mut ids = Vec::new();
    let mut all = false;
    let mut demo = false;
    let mut port: u16 = 8787;
    let mut state_dir = None;
    while let Some(arg) = iter.next() {
        let mut value = |flag: &str| iter.next().cloned().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--demo" => demo = true,
            "--port" => {
                let text = value("--port")?;
                port = text
                    .parse()
                    .map_err(|_| format!("--port needs a port number (0-65535), not {text:?}"))?;
            }
            "--state-dir" => state_dir = Some(PathBuf::from(value("--state-dir")?)),
            "--all" if verb.as_deref() == Some("replay") => all = true,
            id if verb.as_deref() == Some("replay") && !id.starts_with('-') => {
                ids.push(id.to_owned())
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    if demo {
        if verb.is_some() || config.is_some() {
            return Err(
                "--demo runs on its own configuration; it takes only --port and --state-dir".into(),
            );
        }
        return Ok(Command::Demo { port, state_dir });
    }
    let config = config
        .or_else(|| std::env::var_os("MFA_RELAY_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH));
    match verb.as_deref() {
        None | Some("serve") => Ok(Command::Serve(config)),
        Some("check") => Ok(Command::Check(config)),
        Some("dead-letters") => Ok(Command::DeadLetters(config)),
        Some(_) => {
            if all != ids.is_empty() {
                return Err("replay needs request ids or --all (not both)".into());
            }
            Ok(Command::Replay { config, ids, all })
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("mfa-relay: {message}");
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Help => {
            print!("{HELP}");
            Ok(())
        }
        Command::Serve(path) => serve(RelayConfig::load(&path)).await,
        Command::Check(path) => check(&path).await,
        Command::DeadLetters(path) => dead_letters(&path).await,
        Command::Replay { config, ids, all } => replay(&config, ids, all).await,
        Command::Demo { port, state_dir } => demo(port, state_dir).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mfa-relay: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Result<RelayConfig, String>) -> Result<(), String> {
    let relay = Relay::start(config?).await?;
    println!("mfa-relay listening at {}", relay.base_url());
    shutdown_signal().await;
    drop(relay);
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn open_store(path: &std::path::Path) -> Result<(RelayConfig, Store), String> {
    let config = RelayConfig::load(path)?;
    let store = Store::open(&config.database)
        .await
        .map_err(|e| format!("{}: {e}", config.database.describe()))?;
    Ok((config, store))
}

async fn check(path: &std::path::Path) -> Result<(), String> {
    let (config, store) = open_store(path).await?;
    let counts = store.counts().await.map_err(|e| e.to_string())?;
    println!(
        "{}: OK. Listens on {}, delivers to {}, stores in {}: {} waiting, {} delivered, {} dead letters.",
        path.display(),
        config.listen,
        config.helpdesk.name(),
        config.database.describe(),
        counts.accepted,
        counts.delivered,
        counts.failed
    );
    Ok(())
}

async fn dead_letters(path: &std::path::Path) -> Result<(), String> {
    let (_, store) = open_store(path).await?;
    let letters = store.dead_letters().await.map_err(|e| e.to_string())?;
    if letters.is_empty() {
        println!("No dead letters.");
        return Ok(());
    }
    println!("{} dead letter(s), oldest first:", letters.len());
    for letter in &letters {
        println!("{}", dead_letter_entry(letter));
    }
    println!("Replay with: mfa-relay replay ID... (or --all), after fixing the cause.");
    Ok(())
}

/// One dead letter as listed: the UPN as the sender typed it and the
/// helpdesk's last answer, escaped (a newline, an ANSI escape or an
/// invisible mark reach the operator's terminal as `\n`, `\u{1b}`, …).
fn dead_letter_entry(letter: &helpdesk_relay::store::StoredRequest) -> String {
    use helpdesk_relay::escape::{escaped, quoted};
    format!(
        "{}  accepted {}  {}  from {}  {} attempt(s)\n    {}",
        escaped(&letter.id),
        letter.accepted_at,
        quoted(&letter.upn),
        escaped(&letter.source),
        letter.attempts,
        escaped(letter.last_error.as_deref().unwrap_or_default())
    )
}

async fn replay(path: &std::path::Path, ids: Vec<String>, all: bool) -> Result<(), String> {
    let (_, store) = open_store(path).await?;
    let ids = if all {
        store
            .dead_letters()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|r| r.id)
            .collect()
    } else {
        ids
    };
    let mut missing = Vec::new();
    for id in &ids {
        let now = time::OffsetDateTime::now_utc();
        if store.replay(id, now).await.map_err(|e| e.to_string())? {
            println!("{id}: queued again");
        } else {
            missing.push(id.clone());
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "not dead letters (unknown, or already queued or delivered): {}",
            missing.join(", ")
        ))
    }
}

#[cfg(feature = "demo-tenant")]
async fn demo(port: u16, state_dir: Option<PathBuf>) -> Result<(), String> {
    use tenant_emulator::{demo, Emulator, EmulatorConfig};
    let state_dir = state_dir.unwrap_or_else(|| std::env::temp_dir().join("mfa-relay-demo"));
    // The tenant listens on the next port, so the app's configuration
    // printed below stays right across restarts.
    let tenant_port = if port == 0 { 0 } else { port.wrapping_add(1) };
    // The owner notices' dispute links carry the relay's own address, so it
    // is known before the relay starts: port 0 picks a free one here.
    let port = if port == 0 {
        std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("cannot find a free port for the demo relay: {e}"))?
    } else {
        port
    };
    let emulator = Emulator::start(EmulatorConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], tenant_port)),
        state_dir: Some(state_dir.join("tenant")),
        ..EmulatorConfig::default()
    })
    .await
    .map_err(|e| format!("cannot start the demo tenant: {e}"))?;
    let tenant = emulator.base_url();
    let config_text = demo_config(port, &state_dir, &tenant);
    let config =
        RelayConfig::parse(&config_text).map_err(|e| format!("the demo configuration: {e}"))?;
    let relay = Relay::start(config).await?;
    let url = relay.base_url();
    println!("mfa-relay (demo) listening at {url}");
    println!(
        "  Database:        SQLite {}",
        state_dir.join("relay.db").display()
    );
    println!("  Tickets go to:   the demo tenant's helpdesk inbox, {tenant}_emulator/helpdesk");
    println!("  Owner notices:   the demo tenant's mailboxes, {tenant}_emulator/mailbox");
    println!("  Demo tenant:     {tenant} (emulated, not Microsoft)");
    println!();
    println!("Try it:");
    println!(
        "  curl -i {url}v1/reset-requests -H 'Content-Type: application/json' \\\n    -H \"Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)\" \\\n    -d '{{\"schemaVersion\":2,\"requestType\":\"mfaReset\",\"upn\":\"adele@{}\",\"reason\":\"lostPhone\",\"stillHas\":[\"password\"],\"callback\":{{\"preference\":\"directoryPhone\"}},\"device\":{{\"os\":\"Debian 12\",\"appVersion\":\"0.1.0\"}},\"createdAt\":\"2026-11-22T09:00:00Z\",\"verificationPhrase\":\"amber-falcon-42\",\"unauthenticated\":true}}'",
        demo::DOMAIN
    );
    println!();
    println!("Point MFA Assistant at this tenant and relay with this configuration file");
    println!("(MFA_ASSISTANT_CONFIG=/path/to/it), then sign in as a demo user:");
    println!("  cloud = \"custom\"");
    println!("  tenant = \"{}\"", demo::TENANT_ID);
    println!("  client_id = \"{}\"", demo::CLIENT_ID);
    println!("  authority_host = \"{tenant}\"");
    println!("  graph_base = \"{tenant}v1.0/\"");
    println!("  [helpdesk]");
    println!("  relay = \"{url}\"");
    println!("  relay_scope = \"{}\"", demo::RELAY_SCOPE);
    println!("Press Ctrl-C to stop.");
    shutdown_signal().await;
    drop(relay);
    emulator.shutdown().await;
    Ok(())
}

/// The demo's configuration: the embedded default (SQLite) delivering into
/// the demo tenant's helpdesk through its Zendesk Requests API, as an agent
/// (so that the owner's dispute reaches the ticket as an internal note),
/// and telling owners through the demo tenant's Graph `sendMail` with the
/// demo relay's own app registration (client credentials), its dispute
/// links pointing at the relay itself.
#[cfg(feature = "demo-tenant")]
fn demo_config(port: u16, state_dir: &std::path::Path, tenant: &url::Url) -> String {
    let database = state_dir.join("relay.db");
    format!(
        "listen = \"127.0.0.1:{port}\"\n\
         database = \"sqlite:{}\"\n\
         organisation_domains = [\"{}\"]\n\
         graph_base = \"{tenant}v1.0/\"\n\
         [delivery]\n\
         first_retry_seconds = 2\n\
         [entra]\n\
         tenant_id = \"{}\"\n\
         authority = \"{tenant}\"\n\
         relay_client_id = \"{}\"\n\
         app_id_uri = \"{}\"\n\
         assistant_client_id = \"{}\"\n\
         scope = \"{}\"\n\
         [notify]\n\
         public_url = \"http://127.0.0.1:{port}/\"\n\
         helpdesk_contact = \"Call the (demo) IT service desk on +1 555 0100\"\n\
         ticket_waits_seconds = 10\n\
         [notify.graph]\n\
         tenant_id = \"{}\"\n\
         client_id = \"{}\"\n\
         client_secret = \"{}\"\n\
         sender = \"mfa-relay@{}\"\n\
         authority = \"{tenant}\"\n\
         [helpdesk.zendesk]\n\
         base_url = \"{tenant}zendesk/\"\n\
         email = \"mfa-relay@{}\"\n\
         api_token = \"demo-agent-token\"\n",
        database.display(),
        tenant_emulator::demo::DOMAIN,
        tenant_emulator::demo::TENANT_ID,
        tenant_emulator::demo::RELAY_API_CLIENT_ID,
        tenant_emulator::demo::RELAY_APP_ID_URI,
        tenant_emulator::demo::CLIENT_ID,
        tenant_emulator::demo::RELAY_SCOPE_NAME,
        tenant_emulator::demo::TENANT_ID,
        tenant_emulator::demo::RELAY_API_CLIENT_ID,
        tenant_emulator::demo::RELAY_CLIENT_SECRET,
        tenant_emulator::demo::DOMAIN,
        tenant_emulator::demo::DOMAIN,
    )
}

/// Why `--demo` fails in a build without the demo tenant, and how to get one.
#[cfg(not(feature = "demo-tenant"))]
const NO_DEMO_TENANT: &str =
    "--demo needs the demo tenant, and this build of mfa-relay leaves it out \
     (the cargo feature `demo-tenant` is off by default); build it with \
     `cargo build -p helpdesk-relay --features demo-tenant`, or run scripts/relay-demo";

#[cfg(not(feature = "demo-tenant"))]
async fn demo(_port: u16, _state_dir: Option<PathBuf>) -> Result<(), String> {
    Err(NO_DEMO_TENANT.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse(&args(&["--config", "/x.toml"])),
            Ok(Command::Serve(PathBuf::from("/x.toml")))
        );
        assert_eq!(
            parse(&args(&["replay", "rr-1", "rr-2", "--config", "c"])),
            Ok(Command::Replay {
                config: PathBuf::from("c"),
                ids: vec!["rr-1".into(), "rr-2".into()],
                all: false
            })
        );
        assert_eq!(
            parse(&args(&["--demo", "--port", "9000"])),
            Ok(Command::Demo {
                port: 9000,
                state_dir: None
            })
        );
        assert_eq!(parse(&args(&["-h"])), Ok(Command::Help));
    }

    #[test]
    fn a_dead_letter_is_listed_with_what_the_sender_typed_escaped() {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        let letter = helpdesk_relay::store::StoredRequest {
            id: "rr-1".into(),
            idempotency_key: "k".into(),
            body_hash: "h".into(),
            body: "{}".into(),
            upn: "ceo@contoso.com\n\x1b[2K\x1b[1Arr-2  accepted  admin@contoso.com".into(),
            source: "192.0.2.1".into(),
            device_proof: helpdesk_relay::ticket::DeviceProof::unverified(
                helpdesk_relay::ticket::UnverifiedReason::Unsigned,
            ),
            status: helpdesk_contract::Status::Failed,
            ticket_number: None,
            attempts: 3,
            last_error: Some("the helpdesk said: \x1b]0;owned\x07\r\n".into()),
            accepted_at: at,
            next_attempt_at: at,
        };
        let listed = dead_letter_entry(&letter);
        assert_eq!(listed.lines().count(), 2, "{listed}");
        assert!(
            !listed.contains('\x1b') && !listed.contains('\r') && !listed.contains('\x07'),
            "{listed:?}"
        );
        assert!(
            listed.contains(
                "\"ceo@contoso.com\\n\\u{1b}[2K\\u{1b}[1Arr-2  accepted  admin@contoso.com\""
            ),
            "{listed}"
        );
        assert!(
            listed.contains("the helpdesk said: \\u{1b}]0;owned\\u{7}\\r\\n"),
            "{listed}"
        );
    }

    #[test]
    fn bad_command_lines_are_explained() {
        for (bad, says) in [
            (&["replay"][..], "request ids or --all"),
            (&["replay", "rr-1", "--all"], "not both"),
            (&["--port", "x"], "port number"),
            (&["--config"], "needs a value"),
            (&["--demo", "--config", "x"], "only --port"),
            (&["serve", "rr-1"], "unknown argument"),
        ] {
            let error = parse(&args(bad)).unwrap_err();
            assert!(error.contains(says), "{bad:?}: {error}");
        }
    }

    /// An organisation's relay is internet-facing: its default build must
    /// not carry the demo tenant (an emulator with known demo secrets).
    #[test]
    fn the_default_build_leaves_the_demo_tenant_out() {
        let manifest: toml::Table =
            toml::from_str(include_str!("../Cargo.toml")).expect("the relay's Cargo.toml");
        let default = manifest["features"]["default"]
            .as_array()
            .expect("a default feature list");
        assert!(
            !default.iter().any(|f| f.as_str() == Some("demo-tenant")),
            "default features: {default:?}"
        );
        let tenant = &manifest["dependencies"]["tenant-emulator"];
        assert_eq!(tenant["optional"].as_bool(), Some(true), "{tenant}");
    }
}
