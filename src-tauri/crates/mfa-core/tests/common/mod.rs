//! Test harness: the tenant emulator on loopback, a session configured for
//! it, a scripted browser, and a keychain entry of its own in the real
//! Secret Service (the tests run inside `scripts/test`'s D-Bus session).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mfa_core::auth::BrowserOpener;
use mfa_core::config::{Cloud, Config, Endpoints, DEFAULT_SCOPES};
use mfa_core::session::Session;
use mfa_core::token_store::KeychainStore;
use tenant_emulator::browser::{self, BrowserAction, BrowserOutcome, BrowserScript};
use tenant_emulator::{demo, Emulator, EmulatorConfig};
use url::Url;

pub struct Harness {
    pub emulator: Emulator,
    pub config: Config,
    pub endpoints: Endpoints,
    /// A keychain service name no other test uses.
    pub keychain_service: String,
    pub extra_ca: Option<std::path::PathBuf>,
    _dir: tempfile::TempDir,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(EmulatorConfig::default(), false).await
    }

    pub async fn start_with(mut emulator_config: EmulatorConfig, tls: bool) -> Harness {
        emulator_config.tls = tls;
        emulator_config.device_code_interval_secs = 1;
        let dir = tempfile::tempdir().unwrap();
        let emulator = Emulator::start(emulator_config)
            .await
            .expect("emulator starts");
        let extra_ca = emulator.ca_certificate_pem().map(|pem| {
            let path = dir.path().join("ca.pem");
            std::fs::write(&path, pem).unwrap();
            path
        });
        let base = emulator.base_url();
        let endpoints = Endpoints {
            authority_host: base.clone(),
            graph_base: base.clone(),
        };
        let config = Config {
            cloud: Cloud::Custom {
                authority_host: base.clone(),
                graph_base: base,
                graph_api: mfa_core::config::GraphApi::V1,
            },
            tenant: demo::TENANT_ID.to_owned(),
            client_id: demo::CLIENT_ID.to_owned(),
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            extra_root_certificate: extra_ca.clone(),
            sign_in_timeout: Duration::from_secs(20),
            source: None,
        };
        Harness {
            emulator,
            config,
            endpoints,
            keychain_service: format!("mfa-assistant-test-{}", uuid::Uuid::new_v4()),
            extra_ca,
            _dir: dir,
        }
    }

    /// A new session, as after an app restart: nothing in memory, only the keychain.
    pub fn session(&self) -> Session {
        let http =
            mfa_core::http::build_client(self.config.extra_root_certificate.as_deref()).unwrap();
        Session::new(&self.config, &self.endpoints, http, &self.keychain_service).unwrap()
    }

    pub fn keychain(&self) -> KeychainStore {
        KeychainStore::new(&self.keychain_service, &self.config.keychain_account())
    }

    pub fn ca_pem(&self) -> Option<String> {
        self.emulator.ca_certificate_pem()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.keychain().delete();
    }
}

/// Plays the user's browser: runs the script against whatever URL the app opens.
pub struct ScriptedBrowser {
    script: BrowserScript,
    pub outcome: Arc<Mutex<Option<Result<BrowserOutcome, String>>>>,
    pub opened: Arc<Mutex<Vec<Url>>>,
}

impl ScriptedBrowser {
    pub fn new(user: &str, action: BrowserAction, ca_pem: Option<String>) -> Arc<ScriptedBrowser> {
        Arc::new(ScriptedBrowser {
            script: BrowserScript::demo_user(user, action).trusting(ca_pem),
            outcome: Arc::default(),
            opened: Arc::default(),
        })
    }

    /// A browser playing `script` (e.g. a sign-in with a Temporary Access Pass).
    pub fn with_script(script: BrowserScript) -> Arc<ScriptedBrowser> {
        Arc::new(ScriptedBrowser {
            script,
            outcome: Arc::default(),
            opened: Arc::default(),
        })
    }

    pub fn outcome(&self) -> Option<Result<BrowserOutcome, String>> {
        self.outcome.lock().unwrap().clone()
    }
}

impl BrowserOpener for ScriptedBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.clone());
        let url = url.clone();
        let script = self.script.clone();
        let outcome = self.outcome.clone();
        tokio::runtime::Handle::current().spawn(async move {
            let result = browser::run(&url, &script).await.map_err(|e| e.to_string());
            *outcome.lock().unwrap() = Some(result);
        });
        Ok(())
    }
}

/// A browser that cannot be opened at all.
pub struct NoBrowser;
impl BrowserOpener for NoBrowser {
    fn open(&self, _: &Url) -> Result<(), String> {
        Err("xdg-open: no method available for opening the URL".into())
    }
}

/// Waits until the scripted browser has finished (it may still be talking
/// to the loopback listener when the sign-in future resolves).
pub async fn browser_done(browser: &ScriptedBrowser) -> Result<BrowserOutcome, String> {
    for _ in 0..200 {
        if let Some(o) = browser.outcome() {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the scripted browser never finished");
}

/// What the real Secret Service holds for `service`/`account`, read from
/// outside the app with `secret-tool`, so an in-memory mock cannot pass.
pub fn secret_tool_lookup(service: &str, account: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/install-deps --test");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
