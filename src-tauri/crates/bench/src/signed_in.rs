//! The signed-in launch: the tenant emulator in-process, a TCP proxy in
//! front of it that times every exchange, a configuration file pointing the
//! app at the proxy, and the demo user signed in once so the keychain holds
//! a refresh token (the same keychain service and account the app uses).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mfa_core::auth::BrowserOpener;
use mfa_core::session::Session;
use mfa_core::token_store::DEFAULT_SERVICE;
use tenant_emulator::browser::{self, BrowserAction, BrowserScript};
use tenant_emulator::{demo, Emulator, EmulatorConfig, LoggedRequest};

use crate::roundtrips::Proxy;

pub const USER: &str = "adele";

pub struct SignedInTenant {
    pub emulator: Emulator,
    pub proxy: Proxy,
    pub config_path: PathBuf,
    keychain_account: String,
    /// Runs emulator and proxy; dropped last.
    _runtime: tokio::runtime::Runtime,
}

/// Plays Adele's browser with the emulator's scripted browser.
struct ScriptedBrowser(tokio::runtime::Handle);

impl BrowserOpener for ScriptedBrowser {
    fn open(&self, url: &url::Url) -> Result<(), String> {
        let url = url.clone();
        self.0.spawn(async move {
            let script = BrowserScript::demo_user(USER, BrowserAction::SignIn);
            if let Err(e) = browser::run(&url, &script).await {
                eprintln!("mfa-bench: the scripted browser failed: {e}");
            }
        });
        Ok(())
    }
}

/// The configuration file the app reads (`MFA_ASSISTANT_CONFIG`).
pub fn config_toml(base: &str) -> String {
    format!(
        "# Written by mfa-bench: the app talks to the tenant emulator through\n\
         # the benchmark's timing proxy.\n\
         cloud = \"custom\"\ntenant = \"{}\"\nclient_id = \"{}\"\n\
         authority_host = \"{base}\"\ngraph_base = \"{base}\"\n",
        demo::TENANT_ID,
        demo::CLIENT_ID
    )
}

impl SignedInTenant {
    /// Starts emulator and proxy, writes the configuration into `dir`, and
    /// signs the demo user in once.
    pub fn start(dir: &Path, latency: std::time::Duration) -> Result<SignedInTenant, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let emulator = runtime
            .block_on(Emulator::start(EmulatorConfig::default()))
            .map_err(|e| format!("the tenant emulator could not start: {e}"))?;
        let base = emulator.base_url();
        let upstream: SocketAddr = format!(
            "{}:{}",
            base.host_str().unwrap_or("127.0.0.1"),
            base.port().unwrap_or(80)
        )
        .parse()
        .map_err(|e| format!("emulator address: {e}"))?;
        let proxy = runtime
            .block_on(Proxy::start(upstream, latency))
            .map_err(|e| format!("the timing proxy could not start: {e}"))?;
        let proxy_base = format!("http://{}/", proxy.addr);
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let config_path = dir.join("config.toml");
        let text = config_toml(&proxy_base);
        std::fs::write(&config_path, &text).map_err(|e| e.to_string())?;
        let config = mfa_core::config::parse(&text, &config_path).map_err(|e| e.to_string())?;
        let endpoints = config
            .cloud
            .endpoints()
            .ok_or("the custom cloud has no endpoints")?;
        let keychain_account = config.keychain_account();
        let handle = runtime.handle().clone();
        runtime.block_on(async {
            let http = mfa_core::http::build_client(None)?;
            let session = Session::new(&config, &endpoints, http, DEFAULT_SERVICE)?;
            session
                .sign_in_with_browser(Arc::new(ScriptedBrowser(handle)))
                .await
                .map_err(|e| format!("signing the demo user in failed: {e}"))?;
            Ok::<(), String>(())
        })?;
        Ok(SignedInTenant {
            _runtime: runtime,
            emulator,
            proxy,
            config_path,
            keychain_account,
        })
    }

    pub fn env(&self) -> Vec<(String, String)> {
        vec![(
            "MFA_ASSISTANT_CONFIG".to_owned(),
            self.config_path.display().to_string(),
        )]
    }

    /// The emulator's log entries that finished between `from` and `until`
    /// (Unix-epoch ns), as `METHOD path status`.
    pub fn requests_between(&self, from: u128, until: u128) -> Vec<String> {
        requests_between(&self.emulator.request_log(), from, until)
    }

    /// Removes the benchmark's sign-in from the keychain.
    pub fn sign_out(&self) {
        let store =
            mfa_core::token_store::KeychainStore::new(DEFAULT_SERVICE, &self.keychain_account);
        let _ = store.delete();
    }
}

pub fn requests_between(log: &[LoggedRequest], from: u128, until: u128) -> Vec<String> {
    log.iter()
        .filter(|r| {
            let t = r.time.unix_timestamp_nanos();
            t >= from as i128 && t <= until as i128
        })
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_is_one_the_app_accepts() {
        let text = config_toml("http://127.0.0.1:4567/");
        let config = mfa_core::config::parse(&text, Path::new("/tmp/config.toml")).unwrap();
        let endpoints = config.cloud.endpoints().unwrap();
        assert_eq!(endpoints.graph_base.as_str(), "http://127.0.0.1:4567/");
        assert_eq!(config.tenant, demo::TENANT_ID);
    }

    #[test]
    fn only_requests_inside_the_window_are_listed() {
        let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(s).unwrap();
        let entry = |path: &str, s: i64| LoggedRequest {
            method: "GET".into(),
            path: path.into(),
            status: 200,
            time: at(s),
        };
        let log = [
            entry("/before", 10),
            entry("/v1.0/$batch", 20),
            entry("/after", 30),
        ];
        let s = 1_000_000_000u128;
        assert_eq!(
            requests_between(&log, 15 * s, 25 * s),
            vec!["GET /v1.0/$batch 200"]
        );
    }
}
