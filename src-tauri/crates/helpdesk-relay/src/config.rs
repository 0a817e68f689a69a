//! The relay's configuration: one TOML file (`--config`, else
//! `MFA_RELAY_CONFIG`, else `/etc/mfa-relay/relay.toml`). Credentials may
//! stay out of the file, in the environment (see each helpdesk's module).
//!
//! ```toml
//! listen = "0.0.0.0:8443"
//! database = "sqlite:/var/lib/mfa-relay/relay.db"   # or "postgres://relay@db/relay"
//! organisation_domains = ["contoso.com"]
//! graph_base = "https://graph.microsoft.com/v1.0/"  # the default
//!
//! [tls]                       # required unless `listen` is a loopback address
//! certificate = "/etc/mfa-relay/relay.crt"
//! private_key = "/etc/mfa-relay/relay.key"
//!
//! [limits]                    # the defaults
//! per_address_per_minute = 600   # per IPv4 address, per IPv6 /64
//! per_account_per_hour = 5       # unsigned requests (or signed by another account's key)
//! signed_per_account_per_hour = 5  # signed by the account's own enrolled device, counted apart
//! trusted_proxies = []           # e.g. ["10.0.0.0/8", "192.0.2.7"]: your own proxies
//! client_address_header = "x-forwarded-for"  # read only from a trusted proxy
//! header_read_timeout_seconds = 10  # also how long an idle keep-alive connection stays
//! request_timeout_seconds = 30   # headers read to answer sent (408 after)
//! max_connections = 1024         # open at once; more wait in the listen queue
//! max_connections_per_address = 64  # per IPv4 address or IPv6 /64 (proxies exempt)
//!
//! [delivery]                  # the defaults
//! workers = 4
//! max_attempts = 24
//! lease_seconds = 120
//!
//! [ticket]                    # optional: the runbook every ticket carries
//! language = "en"             # the organisation's language: the ticket, the owner's notice, the dispute page and note
//! [ticket.runbooks]           # per language; en, de, fr, es, ja, pt-BR and zh-Hans default to built-in steps
//! en = ["Verify the caller by call-back on the directory number.", "…"]
//!
//! [entra]                     # device-key enrolment: the relay as an API in Entra (see the README)
//! tenant_id = "8d3c6a2e-…"    # the organisation's directory (tenant) id, a GUID
//! authority = "https://login.microsoftonline.com/"  # the default; the cloud's sign-in host
//! relay_client_id = "5c0e8b3d-…"  # the relay registration's application (client) id
//! app_id_uri = "api://mfa-assistant-relay"  # its Application ID URI ("Expose an API")
//! assistant_client_id = "4a1f9c7e-…"  # MFA Assistant's client id: only its tokens enrol
//! scope = "DeviceKeys.Enrol"  # the default: the delegated permission the relay exposes
//! max_token_age_seconds = 600 # the default: a token issued longer ago is refused
//! v1_issuer = "https://sts.windows.net/"  # the default; the issuer host of v1.0 tokens
//!
//! [notify]                    # optional: tell the account's owner, with a "This wasn't me" link
//! public_url = "https://relay.contoso.com/"   # where the owner's dispute links point
//! helpdesk_contact = "Call the IT service desk on +44 20 7946 0000"
//! link_hours = 72             # how long a dispute link works
//! [notify.graph]              # the relay's app registration: Mail.Send + User.Read.All (application)
//! tenant_id = "contoso.onmicrosoft.com"
//! client_id = "…"             # secret in MFA_RELAY_GRAPH_CLIENT_SECRET
//! sender = "mfa-relay@contoso.com"
//! # [notify.smtp]             # or send over SMTP: from, host, port, tls, user (see crate::notify)
//!
//! [helpdesk.servicenow]       # exactly one helpdesk table
//! instance = "https://contoso.service-now.com"
//! user = "mfa-relay"          # password in MFA_RELAY_SERVICENOW_PASSWORD
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::helpdesks::{email, freshservice, jira, request_tracker, servicenow, zendesk, Helpdesk};

/// Where the relay keeps its requests and device keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// One file; one relay instance.
    Sqlite(PathBuf),
    /// A PostgreSQL database (its URL); any number of relay instances.
    Postgres(String),
}

impl Database {
    /// `sqlite:PATH` or `postgres://…` / `postgresql://…`.
    pub fn parse(text: &str) -> Result<Database, String> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err("`database = \"sqlite:PATH\"` needs a file path".into());
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            text.parse::<tokio_postgres::Config>()
                .map_err(|e| format!("`database` is not a valid PostgreSQL URL: {e}"))?;
            return Ok(Database::Postgres(text.to_owned()));
        }
        Err(format!(
            "`database` must be \"sqlite:/path/relay.db\" or \"postgres://user@host/db\", not {text:?}"
        ))
    }

    /// The database with any password removed, for logs.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => format!("SQLite {}", path.display()),
            Database::Postgres(url) => match Url::parse(url) {
                Ok(mut u) => {
                    let _ = u.set_password(None);
                    format!("PostgreSQL {u}")
                }
                Err(_) => "PostgreSQL".into(),
            },
        }
    }
}

/// The certificate and key the relay serves HTTPS with (PEM files).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
}

/// Abuse limits. Every request is untrusted input.
///
/// A sender is an IPv4 address or an IPv6 /64 (IPv4-mapped IPv6 counts as
/// IPv4): the TCP peer, or, when the peer is one of `trusted_proxies`, the
/// right-most address in `client_address_header` that is not a trusted
/// proxy (what the sender wrote further left is ignored). A request from
/// any other peer is limited as that peer, whatever header it sends.
///
/// Connections: a client has `header_read_timeout_seconds` to send a
/// request's headers (also the next request's, on a kept-alive connection,
/// so an idle connection is closed after it), and
/// `request_timeout_seconds` from then to the answer (a slow body or a
/// stalled exchange is answered 408 `requestTimeout` and closed). At most
/// `max_connections` are open at once: further ones wait in the listen
/// queue until one closes (which every idle or stalled one does within the
/// timeouts); one sender holds at most `max_connections_per_address`, and
/// a connection over that is closed at once, so a single sender cannot fill
/// the relay.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Requests of any kind (including `/healthz`) from one sender, per
    /// minute. Generous: in a mass lock-out a whole office may share one
    /// address.
    pub per_address_per_minute: u32,
    /// Accepted reset requests for one account, per hour (all instances),
    /// not signed by that account's enrolled device: anyone can send these.
    pub per_account_per_hour: u32,
    /// Accepted reset requests for one account signed by a device key
    /// enrolled for that account, per hour (all instances). Counted apart
    /// from `per_account_per_hour`, so a flood of unsigned requests cannot
    /// keep the owner out.
    pub signed_per_account_per_hour: u32,
    /// The proxies the organisation runs in front of the relay: addresses
    /// or CIDR blocks. Only from these is `client_address_header` read.
    pub trusted_proxies: Vec<crate::rate_limit::Cidr>,
    /// The header a trusted proxy puts the client's address in (default
    /// `x-forwarded-for` when `trusted_proxies` is set).
    pub client_address_header: Option<String>,
    pub header_read_timeout_seconds: u64,
    pub request_timeout_seconds: u64,
    pub max_connections: u32,
    pub max_connections_per_address: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            per_address_per_minute: 600,
            per_account_per_hour: 5,
            signed_per_account_per_hour: 5,
            trusted_proxies: Vec::new(),
            client_address_header: None,
            header_read_timeout_seconds: 10,
            request_timeout_seconds: 30,
            max_connections: 1024,
            max_connections_per_address: 64,
        }
    }
}

impl Limits {
    /// The forwarding header to read from a trusted proxy, lower-case; none
    /// without trusted proxies.
    pub fn client_header(&self) -> Option<String> {
        if self.trusted_proxies.is_empty() {
            return None;
        }
        Some(
            self.client_address_header
                .as_deref()
                .unwrap_or("x-forwarded-for")
                .trim()
                .to_ascii_lowercase(),
        )
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_seconds)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds)
    }

    /// Whether `address` is one of the trusted proxies.
    pub fn is_trusted_proxy(&self, address: std::net::IpAddr) -> bool {
        self.trusted_proxies.iter().any(|c| c.contains(address))
    }

    fn check(&self) -> Result<(), String> {
        for (key, value) in [
            ("per_address_per_minute", self.per_address_per_minute),
            ("per_account_per_hour", self.per_account_per_hour),
            (
                "signed_per_account_per_hour",
                self.signed_per_account_per_hour,
            ),
            ("max_connections", self.max_connections),
            (
                "max_connections_per_address",
                self.max_connections_per_address,
            ),
        ] {
            if value == 0 {
                return Err(format!("[limits] {key} must be at least 1"));
            }
        }
        if !(1..=300).contains(&self.header_read_timeout_seconds) {
            return Err(format!(
                "[limits] header_read_timeout_seconds must be between 1 and 300 (it is {})",
                self.header_read_timeout_seconds
            ));
        }
        if !(1..=600).contains(&self.request_timeout_seconds) {
            return Err(format!(
                "[limits] request_timeout_seconds must be between 1 and 600 (it is {})",
                self.request_timeout_seconds
            ));
        }
        if self.max_connections > 1_000_000 {
            return Err("[limits] max_connections must be at most 1000000".into());
        }
        if let Some(header) = &self.client_address_header {
            if self.trusted_proxies.is_empty() {
                return Err(format!(
                    "[limits] client_address_header = {header:?} is read only from trusted proxies: \
                     list your proxies in [limits] trusted_proxies (e.g. [\"10.0.0.0/8\"]), \
                     or remove client_address_header"
                ));
            }
            let name = header.trim();
            if name.is_empty()
                || axum::http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).is_err()
            {
                return Err(format!(
                    "[limits] client_address_header = {header:?} is not a header name"
                ));
            }
        }
        Ok(())
    }
}

/// `[entra]`: the relay as an API in the organisation's Entra tenant.
/// Device-key enrolment (and the lookup of an enrolled key) accepts only an
/// access token Entra issued for this registration's scope to MFA
/// Assistant, checked by the relay itself (`crate::access_token`); without
/// this section the relay offers no enrolment (503
/// `deviceKeysNotConfigured`) and requests are simply unverified.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entra {
    /// The organisation's directory (tenant) id, a GUID.
    pub tenant_id: String,
    /// The cloud's sign-in host, ending in `/` (default
    /// `https://login.microsoftonline.com/`); the tenant's keys are at
    /// `{authority}{tenant_id}/discovery/v2.0/keys`.
    #[serde(default = "default_authority")]
    pub authority: String,
    /// The relay registration's application (client) id: a v2.0 token's
    /// `aud`, and a v1.0 token's when the app asks by client id.
    pub relay_client_id: String,
    /// The relay registration's Application ID URI: a v1.0 token's `aud`.
    pub app_id_uri: String,
    /// MFA Assistant's client id (the app's registration): the only client
    /// (`azp`/`appid`) whose tokens are accepted.
    pub assistant_client_id: String,
    /// The delegated permission the registration exposes.
    #[serde(default = "default_scope")]
    pub scope: String,
    /// A token issued (`iat`) longer ago than this is refused
    /// (`tokenTooOld`); the app asks for a fresh one before it enrols.
    #[serde(default = "default_max_token_age")]
    pub max_token_age_seconds: u64,
    /// The issuer host of v1.0 access tokens (`{v1_issuer}{tenant_id}/`);
    /// default `https://sts.windows.net/` (the public cloud; 21Vianet:
    /// `https://sts.chinacloudapi.cn/`).
    #[serde(default = "default_v1_issuer")]
    pub v1_issuer: String,
}

fn default_authority() -> String {
    "https://login.microsoftonline.com/".into()
}

fn default_scope() -> String {
    helpdesk_contract::relay_token::DEFAULT_SCOPE_NAME.into()
}

fn default_max_token_age() -> u64 {
    helpdesk_contract::relay_token::DEFAULT_MAX_AGE_SECONDS
}

fn default_v1_issuer() -> String {
    "https://sts.windows.net/".into()
}

impl Entra {
    fn check(mut self) -> Result<Entra, String> {
        let guid = |key: &str, value: &str| -> Result<String, String> {
            uuid::Uuid::parse_str(value.trim())
                .map(|u| u.to_string())
                .map_err(|_| format!("[entra] {key} must be a GUID such as \"8d3c6a2e-5b41-4f7a-9e0d-2c6b1a9f4e73\", not {value:?}"))
        };
        self.tenant_id = guid("tenant_id", &self.tenant_id)?;
        self.relay_client_id = guid("relay_client_id", &self.relay_client_id)?;
        self.assistant_client_id = guid("assistant_client_id", &self.assistant_client_id)?;
        self.authority = base_url(&self.authority, "[entra] authority")?.to_string();
        self.v1_issuer = base_url(&self.v1_issuer, "[entra] v1_issuer")?.to_string();
        self.app_id_uri = self.app_id_uri.trim().trim_end_matches('/').to_owned();
        if self.app_id_uri.is_empty() || !self.app_id_uri.contains(':') {
            return Err(format!(
                "[entra] app_id_uri must be the relay registration's Application ID URI, such as \"api://mfa-assistant-relay\", not {:?}",
                self.app_id_uri
            ));
        }
        self.scope = self.scope.trim().to_owned();
        if self.scope.is_empty()
            || self.scope.contains(char::is_whitespace)
            || self.scope.contains('/')
        {
            return Err(format!(
                "[entra] scope must be the permission's name alone, such as \"DeviceKeys.Enrol\", not {:?}",
                self.scope
            ));
        }
        if !(60..=3600).contains(&self.max_token_age_seconds) {
            return Err(format!(
                "[entra] max_token_age_seconds must be between 60 and 3600 (it is {})",
                self.max_token_age_seconds
            ));
        }
        Ok(self)
    }

    /// `{authority}{tenant_id}/discovery/v2.0/keys`.
    pub fn jwks_url(&self) -> Url {
        let text = format!("{}{}/discovery/v2.0/keys", self.authority, self.tenant_id);
        Url::parse(&text).unwrap_or_else(|_| Url::parse("https://invalid./").expect("a URL"))
    }

    /// What a token must say (`helpdesk_contract::relay_token`).
    pub fn expectations(&self) -> helpdesk_contract::relay_token::Expectations {
        helpdesk_contract::relay_token::Expectations {
            tenant_id: self.tenant_id.clone(),
            issuers: helpdesk_contract::relay_token::Expectations::issuers_for(
                &self.authority,
                &self.v1_issuer,
                &self.tenant_id,
            ),
            audiences: vec![self.relay_client_id.clone(), self.app_id_uri.clone()],
            client_id: self.assistant_client_id.clone(),
            scope: self.scope.clone(),
            max_age_seconds: self.max_token_age_seconds,
        }
    }
}

/// How requests are delivered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Delivery {
    /// Deliveries in flight at once, per instance.
    pub workers: u32,
    /// Attempts before a request becomes a dead letter (about three hours
    /// with the default backoff of 5 s doubling to 10 minutes).
    pub max_attempts: u32,
    /// How long an instance holds a request it is delivering; after that,
    /// another instance may take it over (asking the helpdesk first whether
    /// the interrupted attempt filed a ticket).
    pub lease_seconds: u64,
    /// The first retry's delay; each further one doubles, up to 10 minutes.
    pub first_retry_seconds: u64,
}

impl Default for Delivery {
    fn default() -> Delivery {
        Delivery {
            workers: 4,
            max_attempts: 24,
            lease_seconds: 120,
            first_retry_seconds: 5,
        }
    }
}

impl Delivery {
    /// The delay before attempt `attempts + 1` after `attempts` failures.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let first = self.first_retry_seconds.max(1);
        let doublings = attempts.saturating_sub(1).min(16);
        Duration::from_secs(first.saturating_mul(1 << doublings).min(600))
    }

    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_seconds)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    database: Option<String>,
    organisation_domains: Option<Vec<String>>,
    graph_base: Option<String>,
    tls: Option<Tls>,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    delivery: Delivery,
    #[serde(default)]
    ticket: RawTicket,
    helpdesk: Option<RawHelpdesk>,
    #[serde(default)]
    notify: Option<crate::notify::RawNotify>,
    entra: Option<Entra>,
}

/// `[ticket]`: the organisation's words on every ticket.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTicket {
    language: Option<String>,
    #[serde(default)]
    runbooks: std::collections::BTreeMap<String, Vec<String>>,
}

/// The most steps, and characters a step, a configured runbook may have.
pub const MAX_RUNBOOK_STEPS: usize = 20;
pub const MAX_RUNBOOK_STEP_CHARS: usize = 1000;

impl RawTicket {
    /// The runbook for `language`: the configured one, else (English only)
    /// the built-in steps.
    fn runbook(self) -> Result<(String, Vec<String>), String> {
        let language = self.language.unwrap_or_else(|| "en".into());
        let language = language.trim().to_ascii_lowercase();
        let well_formed = !language.is_empty()
            && language.len() <= 35
            && language
                .split('-')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(format!(
                "[ticket] language must be a language tag such as \"en\" or \"de-CH\", not {language:?}"
            ));
        }
        let mut runbooks = self.runbooks;
        let steps = match runbooks.remove(&language) {
            Some(steps) => steps,
            None => match helpdesk_contract::ticket::default_runbook_in(&language) {
                Some(steps) => return Ok((language, steps)),
                None => {
                    return Err(format!(
                        "[ticket] language is {language:?}, but [ticket.runbooks] has no {language:?} runbook \
                         and the relay has none built in for it (en, de, fr, es, ja, pt-BR, zh-Hans): \
                         write the steps your helpdesk follows in that language"
                    ))
                }
            },
        };
        if steps.is_empty() || steps.len() > MAX_RUNBOOK_STEPS {
            return Err(format!(
                "[ticket.runbooks] {language} must have 1 to {MAX_RUNBOOK_STEPS} steps (it has {})",
                steps.len()
            ));
        }
        for (index, step) in steps.iter().enumerate() {
            let path = format!("[ticket.runbooks] {language}[{index}]");
            if step.trim().is_empty() {
                return Err(format!("{path} is empty"));
            }
            helpdesk_contract::typed::requester_text(step, &path, MAX_RUNBOOK_STEP_CHARS)
                .map_err(|e| e.message)?;
        }
        Ok((language, steps))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHelpdesk {
    servicenow: Option<servicenow::Config>,
    jira: Option<jira::Config>,
    freshservice: Option<freshservice::Config>,
    zendesk: Option<zendesk::Config>,
    request_tracker: Option<request_tracker::Config>,
    email: Option<email::Config>,
}

/// The relay's whole configuration, checked.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub listen: SocketAddr,
    pub database: Database,
    /// Lower-case; a request's UPN must be in one of them.
    pub organisation_domains: Vec<String>,
    /// Microsoft Graph, ending in `/` (owner notices). Enrolment tokens are
    /// never sent to it: see `entra`.
    pub graph_base: Url,
    pub tls: Option<Tls>,
    pub limits: Limits,
    pub delivery: Delivery,
    /// The organisation's language (a BCP 47 tag, lower-case): the
    /// ticket's, and the owner's notice's, the dispute page's and the
    /// dispute note's (`[notify]`).
    pub ticket_language: String,
    /// The runbook every ticket carries, in that language.
    pub runbook: Vec<String>,
    pub helpdesk: Helpdesk,
    /// `[notify]`: owner notices and dispute links (`crate::notify`); `None`
    /// sends none.
    pub notify: Option<crate::notify::NotifyConfig>,
    /// `[entra]`: device-key enrolment's token checks; `None` offers no
    /// enrolment.
    pub entra: Option<Entra>,
}

/// The configuration file's default location.
pub const DEFAULT_PATH: &str = "/etc/mfa-relay/relay.toml";

impl RelayConfig {
    /// Reads and checks `path`; every error names the file and the key.
    pub fn load(path: &Path) -> Result<RelayConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the configuration {}: {e}", path.display()))?;
        RelayConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and checks a configuration's text.
    pub fn parse(text: &str) -> Result<RelayConfig, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let listen: SocketAddr = raw
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8443")
            .parse()
            .map_err(|_| {
                "`listen` must be an address and port, e.g. \"0.0.0.0:8443\"".to_string()
            })?;
        if raw.tls.is_none() && !listen.ip().is_loopback() {
            return Err(format!(
                "the relay serves HTTPS: set [tls] certificate and private_key, or listen on a \
                 loopback address behind a TLS-terminating proxy (`listen` is {listen})"
            ));
        }
        let database = Database::parse(raw.database.as_deref().ok_or(
            "`database` is required: \"sqlite:/var/lib/mfa-relay/relay.db\" or \"postgres://…\"",
        )?)?;
        let organisation_domains: Vec<String> = raw
            .organisation_domains
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        if organisation_domains.is_empty() {
            return Err(
                "`organisation_domains` is required: the domains of your users' accounts, e.g. [\"contoso.com\"]"
                    .into(),
            );
        }
        if let Some(bad) = organisation_domains
            .iter()
            .find(|d| !d.contains('.') || d.contains(char::is_whitespace) || d.contains('@'))
        {
            return Err(format!(
                "`organisation_domains` has {bad:?}, which is not a domain"
            ));
        }
        let graph_base = base_url(
            raw.graph_base
                .as_deref()
                .unwrap_or("https://graph.microsoft.com/v1.0/"),
            "graph_base",
        )?;
        let limits = raw.limits;
        limits.check()?;
        let delivery = raw.delivery;
        if delivery.workers == 0 || delivery.workers > 64 {
            return Err("[delivery] workers must be between 1 and 64".into());
        }
        if delivery.max_attempts == 0 {
            return Err("[delivery] max_attempts must be at least 1".into());
        }
        if delivery.lease_seconds < 5 {
            return Err(
                "[delivery] lease_seconds must be at least 5 (longer than one attempt may take)"
                    .into(),
            );
        }
        let (ticket_language, runbook) = raw.ticket.runbook()?;
        let helpdesk = helpdesk(raw.helpdesk)?;
        let notify = raw
            .notify
            .map(|n| n.build(&graph_base, &ticket_language))
            .transpose()?;
        let entra = raw.entra.map(Entra::check).transpose()?;
        Ok(RelayConfig {
            listen,
            database,
            organisation_domains,
            graph_base,
            tls: raw.tls,
            limits,
            delivery,
            ticket_language,
            runbook,
            helpdesk,
            notify,
            entra,
        })
    }
}

fn helpdesk(raw: Option<RawHelpdesk>) -> Result<Helpdesk, String> {
    let raw = raw.ok_or(
        "a helpdesk is required: one of [helpdesk.servicenow], [helpdesk.jira], \
         [helpdesk.freshservice], [helpdesk.zendesk], [helpdesk.request_tracker], [helpdesk.email]",
    )?;
    let mut chosen: Vec<Result<Helpdesk, String>> = Vec::new();
    if let Some(c) = raw.servicenow {
        chosen.push(
            c.build()
                .map(Helpdesk::ServiceNow)
                .map_err(|e| format!("[helpdesk.servicenow] {e}")),
        );
    }
    if let Some(c) = raw.jira {
        chosen.push(
            c.build()
                .map(Helpdesk::Jira)
                .map_err(|e| format!("[helpdesk.jira] {e}")),
        );
    }
    if let Some(c) = raw.freshservice {
        chosen.push(
            c.build()
                .map(Helpdesk::Freshservice)
                .map_err(|e| format!("[helpdesk.freshservice] {e}")),
        );
    }
    if let Some(c) = raw.zendesk {
        chosen.push(
            c.build()
                .map(Helpdesk::Zendesk)
                .map_err(|e| format!("[helpdesk.zendesk] {e}")),
        );
    }
    if let Some(c) = raw.request_tracker {
        chosen.push(
            c.build()
                .map(Helpdesk::RequestTracker)
                .map_err(|e| format!("[helpdesk.request_tracker] {e}")),
        );
    }
    if let Some(c) = raw.email {
        chosen.push(
            c.build()
                .map(Helpdesk::Email)
                .map_err(|e| format!("[helpdesk.email] {e}")),
        );
    }
    match chosen.len() {
        0 => {
            Err("[helpdesk] names no helpdesk: add one table such as [helpdesk.servicenow]".into())
        }
        1 => chosen.pop().unwrap_or_else(|| Err("no helpdesk".into())),
        n => Err(format!(
            "[helpdesk] names {n} helpdesks; the relay delivers to exactly one"
        )),
    }
}

/// A service's base URL: https, or http to a loopback address; ends in `/`.
pub fn base_url(text: &str, key: &str) -> Result<Url, String> {
    let mut url = Url::parse(text.trim()).map_err(|e| format!("`{key}` is not a URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("`{key}` must not carry a user or password"));
    }
    match url.scheme() {
        "https" => {}
        "http" if crate::helpdesks::http::is_loopback(&url) => {}
        _ => {
            return Err(format!(
                "`{key}` must be an https URL (http only to a loopback address), not {}://…",
                url.scheme()
            ))
        }
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}
