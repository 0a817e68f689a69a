//! "Request admin reset", the locked-out path. None of it needs a sign-in.
//!
//! The form is checked field by field before anything is kept; what the
//! user previewed (a draft) is exactly what is queued; the queue is on disk
//! before [`Assistant::send_reset_request`] answers, and a background task
//! delivers it ([`ResetDesk::deliver_in_background`]), also after a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::config::Helpdesk;
use crate::device_key::DeviceKeyStore;
use crate::helpdesk::{FormError, Outbox, OutboxEntry, ResetForm, ResetRequest};

use super::Assistant;

/// Where reset requests go and what they are checked against.
pub struct ResetDesk {
    /// `None`: the organisation configured no helpdesk; every intent says so.
    helpdesk: Option<Helpdesk>,
    /// `None` only when nothing is configured at all (tests): no requests.
    pub(super) outbox: Option<Outbox>,
    organisation_domains: Vec<String>,
    tenant: Option<String>,
    /// The app's version, as requests describe this computer.
    app_version: String,
    /// This computer's device keys, when the helpdesk is a relay with device
    /// proof; requests to it are signed with them.
    device_keys: Option<DeviceKeyStore>,
    /// Requests previewed but not sent, by draft id.
    drafts: Mutex<HashMap<String, ResetRequest>>,
    /// Wakes the delivery task when a request is queued.
    wake: Arc<tokio::sync::Notify>,
}

/// Why a reset intent was refused. Nothing was queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetError {
    #[error(
        "your organisation has not set up where this app sends reset requests \
         (`[helpdesk]` in the configuration); contact your helpdesk another way"
    )]
    NotConfigured,
    /// One field of the form is wrong; it names the field.
    #[error(transparent)]
    Form(#[from] FormError),
    #[error("that request was already sent or is no longer on screen; check it again")]
    DraftGone,
    #[error("{0}")]
    Storage(String),
}

/// Whether a request will be signed by a device key this computer enrolled
/// for the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceProof {
    /// The helpdesk takes no device proof (Zendesk, or a relay without
    /// `relay_scope`).
    NotUsed,
    /// Signed with the key enrolled at this time. Whether the relay still
    /// knows the key is the relay's to say.
    EnrolledDevice { enrolled_at: OffsetDateTime },
    /// No enrolled key here for that account (or the keychain could not be
    /// read, which delivery treats the same way).
    UnverifiedDevice,
}

/// A checked request, exactly as it will be sent, kept as a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPreview {
    pub draft_id: String,
    pub request: ResetRequest,
    /// The JSON body as it will be sent.
    pub payload: String,
    pub helpdesk: Helpdesk,
    pub device_proof: DeviceProof,
}

impl ResetDesk {
    /// No helpdesk configured: every reset intent answers
    /// [`ResetError::NotConfigured`].
    pub fn unconfigured() -> ResetDesk {
        ResetDesk {
            outbox: None,
            ..ResetDesk::new(None, Outbox::new(""), Vec::new(), None, "")
        }
    }

    /// Requests for `helpdesk` kept in `outbox`, checked against the
    /// organisation's domains.
    pub fn new(
        helpdesk: Option<Helpdesk>,
        outbox: Outbox,
        organisation_domains: Vec<String>,
        tenant: Option<String>,
        app_version: &str,
    ) -> ResetDesk {
        ResetDesk {
            helpdesk,
            outbox: Some(outbox),
            organisation_domains,
            tenant,
            app_version: app_version.to_owned(),
            device_keys: None,
            drafts: Mutex::new(HashMap::new()),
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Signs requests to a relay with this computer's device keys.
    pub fn with_device_keys(mut self, store: DeviceKeyStore) -> ResetDesk {
        self.outbox = self.outbox.map(|o| o.with_device_keys(store.clone()));
        self.device_keys = Some(store);
        self
    }

    /// Delivers the outbox in the background for as long as the runtime
    /// lives: at once (requests left from a previous run), when a request is
    /// queued, and when the next retry or follow-up is due. Needs a Tokio
    /// runtime; does nothing without a helpdesk.
    pub fn deliver_in_background(&self, http: reqwest::Client) {
        let (Some(helpdesk), Some(outbox)) = (self.helpdesk.clone(), self.outbox.clone()) else {
            return;
        };
        let wake = self.wake.clone();
        tokio::spawn(async move {
            loop {
                let now = OffsetDateTime::now_utc();
                if let Err(e) = outbox.deliver_due(&http, &helpdesk, now).await {
                    tracing::warn!("reset requests: {e}");
                }
                let wait = match outbox.next_due() {
                    Ok(Some(at)) => {
                        Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or_default()
                    }
                    Ok(None) => Duration::from_secs(3600),
                    Err(e) => {
                        tracing::warn!("reset requests: {e}");
                        Duration::from_secs(30)
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait.max(Duration::from_millis(200))) => {}
                    _ = wake.notified() => {}
                }
            }
        });
    }

    fn helpdesk(&self) -> Result<&Helpdesk, ResetError> {
        self.helpdesk.as_ref().ok_or(ResetError::NotConfigured)
    }

    fn outbox(&self) -> Result<&Outbox, ResetError> {
        self.outbox.as_ref().ok_or(ResetError::NotConfigured)
    }

    /// See [`DeviceProof`]. A keychain that cannot be read means unsigned
    /// (logged), as delivery would send it.
    async fn device_proof(&self, helpdesk: &Helpdesk, upn: &str) -> DeviceProof {
        let (Helpdesk::Relay(_), Some(keys)) = (helpdesk, &self.device_keys) else {
            return DeviceProof::NotUsed;
        };
        match keys.find(upn).await {
            Ok(Some(key)) => DeviceProof::EnrolledDevice {
                enrolled_at: key.enrolled_at,
            },
            Ok(None) => DeviceProof::UnverifiedDevice,
            Err(e) => {
                tracing::warn!("the device key could not be read: {e}");
                DeviceProof::UnverifiedDevice
            }
        }
    }

    fn storage(e: impl std::fmt::Display) -> ResetError {
        ResetError::Storage(e.to_string())
    }
}

impl Assistant {
    /// Checks the user's answers and keeps the request, exactly as it will
    /// be sent, as a draft to show.
    pub async fn prepare_reset_request(&self, form: ResetForm) -> Result<ResetPreview, ResetError> {
        let desk = &self.reset;
        let helpdesk = desk.helpdesk()?.clone();
        let request = form.prepare(
            &desk.organisation_domains,
            desk.tenant.as_deref(),
            crate::machine::this_machine(&desk.app_version),
            OffsetDateTime::now_utc(),
            crate::helpdesk::verification_phrase(),
        )?;
        let payload = serde_json::to_string_pretty(&request).map_err(ResetDesk::storage)?;
        let device_proof = desk.device_proof(&helpdesk, request.upn.as_str()).await;
        let draft_id = uuid::Uuid::new_v4().to_string();
        desk.drafts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(draft_id.clone(), request.clone());
        Ok(ResetPreview {
            draft_id,
            request,
            payload,
            helpdesk,
            device_proof,
        })
    }

    /// Queues the previewed request on disk and wakes the delivery. A draft
    /// is sent once.
    pub fn send_reset_request(&self, draft_id: &str) -> Result<OutboxEntry, ResetError> {
        let desk = &self.reset;
        desk.helpdesk()?;
        desk.outbox()?;
        let request = desk
            .drafts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(draft_id)
            .ok_or(ResetError::DraftGone)?;
        let entry = desk
            .outbox()?
            .enqueue(request)
            .map_err(ResetDesk::storage)?;
        tracing::info!(request = %entry.idempotency_key, "reset request queued for delivery");
        desk.wake.notify_one();
        Ok(entry)
    }

    /// Every request sent from this computer for this organisation, newest
    /// first.
    pub fn reset_requests(&self) -> Result<Vec<OutboxEntry>, ResetError> {
        let Some(outbox) = &self.reset.outbox else {
            return Ok(Vec::new());
        };
        let mut entries = outbox.entries().map_err(ResetDesk::storage)?;
        entries.reverse();
        Ok(entries)
    }

    /// "Try again now": every pending request is due now.
    pub async fn retry_reset_requests(&self) -> Result<(), ResetError> {
        let desk = &self.reset;
        desk.helpdesk()?;
        desk.outbox()?
            .retry_now()
            .await
            .map_err(ResetDesk::storage)?;
        desk.wake.notify_one();
        Ok(())
    }
}
