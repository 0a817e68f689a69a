//! `tenant-emulator`: runs the demo tenant emulator on its own until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use tenant_emulator::{demo, Emulator, EmulatorConfig};

const HELP: &str = "\
tenant-emulator: a local emulator of a Microsoft Entra ID demo tenant
(identity platform v2.0 + Microsoft Graph authentication methods). Demo only.

USAGE:
    tenant-emulator [--port N] [--tls] [--state-dir DIR] [--device-code-interval N]
                    [--self-service-writes] [--china-cloud]

OPTIONS:
    --port N                    Listen on 127.0.0.1:N (default: an ephemeral port)
    --tls                       Serve HTTPS with a CA generated at start; the CA
                                certificate is written to a file whose path is printed
    --state-dir DIR             Keep the tenant state (users, methods, refresh tokens,
                                signing key) in DIR across restarts
    --device-code-interval N    Polling interval announced by the device-code
                                endpoint, in seconds (default 5)
    --self-service-writes       Let users create and update their own phone and
                                email methods through Graph (default: refused with
                                403 accessDenied, as Microsoft's per-API pages say)
    --china-cloud               Behave like a tenant operated by 21Vianet: the
                                authentication-methods API only on /beta (v1.0
                                answers 400, as its pages leave China out)
    -h, --help                  Show this help

Runs until Ctrl-C. Exit status 2 means the command line was not understood.
";

#[derive(Debug, PartialEq, Eq)]
struct Options {
    config: EmulatorConfig,
}

fn value<'a>(
    flag: &str,
    args: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

/// Parses the command line; `Ok(None)` means help was asked for.
fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut config = EmulatorConfig::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let take = |iter: &mut std::slice::Iter<'_, String>| match &inline {
            Some(v) => Ok(v.clone()),
            None => value(flag, iter).cloned(),
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--tls" => config.tls = true,
            "--self-service-writes" => config.self_service_writes = true,
            "--china-cloud" => config.china_cloud = true,
            "--port" => {
                let text = take(&mut iter)?;
                let port: u16 = text
                    .parse()
                    .map_err(|_| format!("--port needs a port number (0-65535), not {text:?}"))?;
                config.bind = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
            }
            "--state-dir" => {
                let text = take(&mut iter)?;
                if text.is_empty() {
                    return Err("--state-dir needs a directory".into());
                }
                config.state_dir = Some(PathBuf::from(text));
            }
            "--device-code-interval" => {
                let text = take(&mut iter)?;
                config.device_code_interval_secs = text
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--device-code-interval needs a positive number of seconds, not {text:?}"))?;
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    Ok(Some(Options { config }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tenant-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    let state_dir = options.config.state_dir.clone();
    let emulator = match Emulator::start(options.config).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("tenant-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = emulator.base_url();
    println!("Tenant emulator running (Demo tenant, emulated, not Microsoft)");
    println!("  Authority host: {base}");
    println!("  Authority:      {base}{}", demo::TENANT_ID);
    println!("  Graph:          {base}v1.0  (beta: {base}beta)");
    println!("  Tenant id:      {}", demo::TENANT_ID);
    println!("  Client id:      {}", demo::CLIENT_ID);
    if let Some(ca) = emulator.ca_certificate_pem() {
        let dir = state_dir.unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!(
            "tenant-emulator-ca-{}.pem",
            base.port().unwrap_or_default()
        ));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, ca)) {
            eprintln!(
                "tenant-emulator: cannot write the CA certificate to {}: {e}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        println!("  CA certificate: {}", path.display());
    }
    println!("  Demo users:");
    for user in demo::users() {
        println!("    {:<30} {:<14} {}", user.upn, user.password, user.story);
    }
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("tenant-emulator: cannot wait for Ctrl-C: {e}");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_parse() -> Result<(), String> {
        let options = parse(&args(&[
            "--port",
            "8443",
            "--tls",
            "--state-dir=/tmp/x",
            "--device-code-interval",
            "1",
        ]))?
        .ok_or("help")?;
        assert_eq!(options.config.bind.port(), 8443);
        assert!(options.config.tls);
        assert_eq!(options.config.state_dir, Some(PathBuf::from("/tmp/x")));
        assert_eq!(options.config.device_code_interval_secs, 1);
        assert!(
            !options.config.self_service_writes,
            "refused unless asked for"
        );
        let switched = parse(&args(&["--self-service-writes"]))?.ok_or("help")?;
        assert!(switched.config.self_service_writes);
        assert!(
            !switched.config.china_cloud,
            "global service unless asked for"
        );
        let china = parse(&args(&["--china-cloud"]))?.ok_or("help")?;
        assert!(china.config.china_cloud);
        assert_eq!(parse(&args(&["--help"])), Ok(None));
        Ok(())
    }

    #[test]
    fn bad_flags_are_explained() {
        for bad in [
            &["--port"][..],
            &["--port", "x"],
            &["--nope"],
            &["--device-code-interval", "0"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
