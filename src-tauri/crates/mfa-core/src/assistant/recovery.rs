//! Locked out, identity-checked: Entra account recovery, where the
//! organisation turned it on ([`crate::triage`] decides when it is offered).
//!
//! Recovery compares the first and last name on the user's ID with the
//! account's, exactly. A locked-out user cannot sign in to read that name,
//! so the assistant remembers the account last signed in on this computer
//! (UPN and display name, nothing secret) beside the journey, owner-only,
//! and the triage shows it for the user to compare.

use serde::{Deserialize, Serialize};

use crate::auth::SignedInUser;

use super::Assistant;

/// Why account recovery did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    #[error("your organisation has not turned on account recovery")]
    NotTurnedOn,
    #[error("{0}")]
    Browser(String),
}

/// The account last signed in on this computer, for this tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnownAccount {
    pub upn: String,
    pub display_name: String,
}

impl Assistant {
    /// Opens Entra account recovery in the browser. No sign-in is needed
    /// (the user is locked out); fails when the organisation has not turned
    /// recovery on.
    pub async fn open_account_recovery(&self) -> Result<(), RecoveryError> {
        let Some(url) = self.account_recovery.clone() else {
            return Err(RecoveryError::NotTurnedOn);
        };
        let browser = self.browser.clone();
        tokio::task::spawn_blocking(move || browser.open(&url))
            .await
            .map_err(|e| format!("the browser could not be started: {e}"))
            .and_then(|opened| opened)
            .map_err(RecoveryError::Browser)
    }

    /// The account last signed in on this computer, if the assistant
    /// remembers one (an unreadable file counts as none).
    pub fn last_account(&self) -> Option<KnownAccount> {
        let bytes = std::fs::read(self.journeys.last_account_path()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Remembers `user` as the account last signed in here. A failure to
    /// write is logged, never in the way of the sign-in.
    pub(crate) fn remember_account(&self, user: &SignedInUser) {
        let known = KnownAccount {
            upn: user.upn.clone(),
            display_name: user.display_name.clone(),
        };
        if self.last_account().as_ref() == Some(&known) {
            return;
        }
        let written = serde_json::to_vec_pretty(&known)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                self.journeys
                    .write_file(&self.journeys.last_account_path(), &bytes)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = written {
            tracing::warn!(error = %e, "the account's name could not be remembered");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::{Config, Endpoints};
    use crate::guardrails::Floor;
    use crate::journey::JourneyStore;
    use crate::session::Session;
    use url::Url;

    fn assistant(dir: &std::path::Path) -> Assistant {
        let config = Config::demo("8d3c6a2e-5b41-4f7a-9e0d-2c6b1a9f4e73", "client");
        let endpoints = Endpoints {
            authority_host: Url::parse("http://127.0.0.1:9/").unwrap(),
            graph_base: Url::parse("http://127.0.0.1:9/").unwrap(),
        };
        let http = reqwest::Client::new();
        let session = Session::new(&config, &endpoints, http, "mfa-assistant-unit").unwrap();
        Assistant::new(
            Arc::new(session),
            JourneyStore::new(dir.to_owned()),
            Floor::DEFAULT,
            Url::parse("http://127.0.0.1:9/security-info").unwrap(),
        )
    }

    fn user(upn: &str, name: &str) -> SignedInUser {
        SignedInUser {
            object_id: uuid::Uuid::nil(),
            upn: upn.into(),
            display_name: name.into(),
            tenant_id: "t".into(),
        }
    }

    #[test]
    fn the_last_account_signed_in_is_remembered_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let a = assistant(dir.path());
        assert_eq!(a.last_account(), None);
        a.remember_account(&user("dana@contoso.example", "Dana Whitlock"));
        assert_eq!(
            a.last_account(),
            Some(KnownAccount {
                upn: "dana@contoso.example".into(),
                display_name: "Dana Whitlock".into()
            })
        );
        a.remember_account(&user("ben@contoso.example", "Ben Okafor"));
        assert_eq!(a.last_account().unwrap().display_name, "Ben Okafor");
        // A damaged file reads as none, never as someone's name.
        std::fs::write(dir.path().join("last-account.json"), b"{not json").unwrap();
        assert_eq!(a.last_account(), None);
    }

    #[tokio::test]
    async fn recovery_does_not_open_when_the_organisation_has_not_turned_it_on() {
        let dir = tempfile::tempdir().unwrap();
        let a = assistant(dir.path());
        assert!(a.account_recovery_reasons().is_empty());
        let e = a.open_account_recovery().await.unwrap_err();
        assert_eq!(e, RecoveryError::NotTurnedOn);
    }
}
