//! PLACEHOLDER being written now; replaced before this issue is resolved.

use super::{DeliveryError, Filed};
use crate::ticket::Ticket;
use serde::Deserialize;

/// `[helpdesk.jira]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {}

impl Config {
    pub fn build(self) -> Result<JiraServiceManagement, String> {
        Err("not written yet".into())
    }
}

#[derive(Debug, Clone)]
pub struct JiraServiceManagement {}

impl JiraServiceManagement {
    pub async fn file(
        &self,
        _http: &reqwest::Client,
        _ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        Err(DeliveryError::Refused {
            reason: "not written yet".into(),
        })
    }

    pub async fn find(
        &self,
        _http: &reqwest::Client,
        _ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        Ok(None)
    }
}
