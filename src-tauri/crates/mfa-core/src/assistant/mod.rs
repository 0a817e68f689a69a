//! The application layer: one method per user intent, plain typed data in
//! and out, so the window's commands only delegate and tests drive the app
//! without a window.
//!
//! [`Assistant`] owns what the intents share: the session (sign-in, Security
//! Info), the journey store with its lock ([`journeys`]), the locked-out
//! path's drafts, outbox and delivery task ([`ResetDesk`]), and the settings
//! in use. It imports nothing from Tauri; the app's `backend.rs` only reads
//! the configuration and builds one.
//!
//! Invariants:
//! - a journey step runs under the journey guard (one step at a time in this
//!   process) and, when it may change something, the tenant's journey lock
//!   (across app windows);
//! - a reset request is sent exactly as it was previewed (its draft), and is
//!   on disk before [`Assistant::send_reset_request`] returns;
//! - the browser the user signs in with is the one given at construction
//!   (the system browser in the app, a scripted one in tests).

mod account;
mod diagnostics;
mod health;
mod journeys;
mod recovery;
mod reset;

use std::sync::Arc;

use time::OffsetDateTime;
use url::Url;

use crate::auth::{BrowserOpener, SystemBrowser};
use crate::guardrails::Floor;
use crate::health::Telephony;
use crate::journey::JourneyStore;
use crate::session::Session;
use crate::settings::SettingsInUse;

pub use account::DeviceCodeSignIn;
pub use diagnostics::RecentError;
pub use journeys::{Answer, Export};
pub use recovery::{KnownAccount, RecoveryError};
pub use reset::{DeviceProof, ResetDesk, ResetError, ResetPreview};

/// The page where users register what Graph cannot create, and its QR code
/// for a new phone to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityInfoPage {
    pub url: Url,
    /// SVG; empty if the URL is too long for a QR code.
    pub qr_svg: String,
}

impl SecurityInfoPage {
    pub fn new(url: Url) -> SecurityInfoPage {
        let qr_svg = crate::qr::svg_for(url.as_str()).unwrap_or_default();
        SecurityInfoPage { url, qr_svg }
    }
}

/// The app's intents over one tenant: its session, journeys and helpdesk.
pub struct Assistant {
    session: Arc<Session>,
    browser: Arc<dyn BrowserOpener>,
    journeys: JourneyStore,
    /// Serialises journey steps within this process.
    journey_guard: tokio::sync::Mutex<()>,
    floor: Floor,
    security_info_page: SecurityInfoPage,
    reset: ResetDesk,
    settings: SettingsInUse,
    /// What SMS and voice are in this tenant's cloud
    /// ([`crate::config::telephony`]).
    telephony: Telephony,
    /// Today, for dates such as the end of SMS and voice; the system clock
    /// unless a test (or the demo) gives another ([`Assistant::with_clock`]).
    clock: Clock,
    /// Where Entra account recovery starts, when the organisation turned it
    /// on ([`Assistant::with_account_recovery`]); `None` when it is off.
    account_recovery: Option<Url>,
}

/// What "now" is for the assistant.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

impl Assistant {
    /// An assistant over `session` and the journeys in `journeys`, with the
    /// organisation's `floor` and Security Info page. It signs in through
    /// the system browser, has no helpdesk ([`Assistant::with_reset_desk`])
    /// and no settings to show ([`Assistant::with_settings`]).
    pub fn new(
        session: Arc<Session>,
        journeys: JourneyStore,
        floor: Floor,
        security_info_url: Url,
    ) -> Assistant {
        Assistant {
            session,
            browser: Arc::new(SystemBrowser),
            journeys,
            journey_guard: tokio::sync::Mutex::new(()),
            floor,
            security_info_page: SecurityInfoPage::new(security_info_url),
            reset: ResetDesk::unconfigured(),
            settings: SettingsInUse::default(),
            telephony: Telephony::Ending,
            clock: Arc::new(OffsetDateTime::now_utc),
            account_recovery: None,
        }
    }

    /// The organisation turned Entra account recovery on: the triage offers
    /// it first ([`crate::triage`]) and it starts at `url`
    /// ([`crate::config::account_recovery_url`]).
    pub fn with_account_recovery(mut self, url: Url) -> Assistant {
        self.account_recovery = Some(url);
        self
    }

    /// The reasons for which the locked-out triage offers account recovery
    /// first (none when the organisation has not turned it on).
    pub fn account_recovery_reasons(&self) -> Vec<helpdesk_contract::Reason> {
        crate::triage::recovery_reasons(self.account_recovery.is_some())
    }

    /// SMS and voice as the tenant's cloud and the organisation's
    /// `own_telecom_provider` make them (the public cloud's rule otherwise).
    pub fn with_telephony(mut self, telephony: Telephony) -> Assistant {
        self.telephony = telephony;
        self
    }

    /// Reads "today" from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Assistant {
        self.clock = clock;
        self
    }

    /// Signs in and confirms identity through `browser` instead.
    pub fn with_browser(mut self, browser: Arc<dyn BrowserOpener>) -> Assistant {
        self.browser = browser;
        self
    }

    /// The locked-out path: where requests go and their outbox.
    pub fn with_reset_desk(mut self, reset: ResetDesk) -> Assistant {
        self.reset = reset;
        self
    }

    /// The settings in use, with where each came from.
    pub fn with_settings(mut self, settings: SettingsInUse) -> Assistant {
        self.settings = settings;
        self
    }

    /// The organisation's floor of independent methods.
    pub fn floor(&self) -> Floor {
        self.floor
    }

    pub fn security_info_page(&self) -> &SecurityInfoPage {
        &self.security_info_page
    }

    pub fn settings(&self) -> &SettingsInUse {
        &self.settings
    }
}
