//! Delivery: committed requests to helpdesk tickets.
//!
//! Each worker loops: take the lease of the request due longest, deliver it,
//! record the outcome. An attempt that follows an earlier one (which may
//! have filed a ticket before failing, timing out or dying) first asks the
//! helpdesk for that ticket ([`Helpdesk::find`]) and files only if there is
//! none. Failures are retried with backoff, honouring the helpdesk's
//! `Retry-After` (which pauses every worker of this instance, since the
//! helpdesk throttles the relay's credential, not one request); refusals and
//! requests out of attempts become dead letters, kept for an operator to
//! replay.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{Mutex, Notify};

use crate::config::Delivery;
use crate::helpdesks::{DeliveryError, Helpdesk};
use crate::store::notify::NoticeState;
use crate::store::{Claimed, Store, StoreError, StoredRequest};
use crate::ticket::Ticket;

/// The longest an idle worker sleeps before looking again (requests
/// accepted by another instance wake no one here).
const IDLE_POLL: Duration = Duration::from_secs(2);

/// The delivery side of one relay instance.
pub struct Deliverer {
    pub store: Store,
    pub helpdesk: Helpdesk,
    pub http: reqwest::Client,
    pub settings: Delivery,
    /// This instance's lease owner name.
    pub owner: String,
    /// Notified when a request is accepted.
    pub wake: Arc<Notify>,
    /// The organisation's runbook, for every ticket.
    pub runbook: Vec<String>,
    /// The language tickets are written in (`[ticket] language`).
    pub language: String,
    /// Until when the helpdesk asked to be left alone.
    paused_until: Mutex<Option<tokio::time::Instant>>,
    /// With `[notify]`: how long a ticket waits for its owner's notice (so
    /// that it can say where the notice went). The ticket also shows a
    /// dispute made before it was filed.
    notify: Option<Duration>,
}

impl Deliverer {
    pub fn new(
        store: Store,
        helpdesk: Helpdesk,
        http: reqwest::Client,
        settings: Delivery,
        owner: String,
        wake: Arc<Notify>,
        runbook: Vec<String>,
    ) -> Deliverer {
        Deliverer {
            store,
            helpdesk,
            http,
            settings,
            owner,
            wake,
            runbook,
            language: "en".into(),
            paused_until: Mutex::new(None),
            notify: None,
        }
    }

    /// Writes tickets in `language` (`[ticket] language`; English by default).
    pub fn with_language(mut self, language: String) -> Deliverer {
        self.language = language;
        self
    }

    /// Tickets carry the owner's notice and dispute (`[notify]`), waiting up
    /// to `ticket_wait` for the notice.
    pub fn with_notify(mut self, ticket_wait: Option<Duration>) -> Deliverer {
        self.notify = ticket_wait;
        self
    }

    /// Adds the owner's notice and dispute to `ticket`; `Ok(false)` when the
    /// request was given back to wait for its notice.
    async fn owner_lines(
        &self,
        request: &StoredRequest,
        ticket: &mut Ticket,
    ) -> Result<bool, StoreError> {
        let Some(wait) = self.notify else {
            return Ok(true);
        };
        let disputed = self.store.disputed_at(&request.id).await?.is_some();
        let notice = self
            .store
            .notice_state(crate::store::notify::NoticeKind::Reset, &request.id)
            .await?;
        let pending = !matches!(
            notice,
            Some(NoticeState::Sent { .. } | NoticeState::Failed { .. })
        );
        let waited_enough = OffsetDateTime::now_utc() >= request.accepted_at + wait;
        if pending && !disputed && !waited_enough {
            let at = (OffsetDateTime::now_utc() + Duration::from_millis(500))
                .min(request.accepted_at + wait);
            if self.store.defer(&request.id, &self.owner, at).await? {
                return Ok(false);
            }
        }
        ticket.disputed = disputed;
        ticket.owner_notice = Some(crate::notify::ticket_notice(notice.as_ref()));
        Ok(true)
    }

    /// Runs one worker until the task is aborted.
    pub async fn run(self: Arc<Self>) {
        loop {
            if let Some(until) = *self.paused_until.lock().await {
                tokio::time::sleep_until(until).await;
            }
            match self
                .store
                .claim_due(
                    &self.owner,
                    self.settings.lease(),
                    OffsetDateTime::now_utc(),
                )
                .await
            {
                Ok(Some(claimed)) => {
                    self.deliver(claimed).await;
                }
                Ok(None) => self.idle().await,
                Err(e) => {
                    tracing::warn!("delivery paused: {e}");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }

    /// Sleeps until woken, the next request is due, or [`IDLE_POLL`].
    async fn idle(&self) {
        let mut wait = IDLE_POLL;
        if let Ok(Some(due)) = self.store.next_due().await {
            let until = due - OffsetDateTime::now_utc();
            if until.is_positive() {
                wait = wait.min(until.try_into().unwrap_or(IDLE_POLL));
            } else {
                wait = Duration::from_millis(50);
            }
        }
        let _ = tokio::time::timeout(wait, self.wake.notified()).await;
    }

    /// One attempt at one request, its outcome recorded. Whether it was
    /// delivered.
    pub async fn deliver(&self, claimed: Claimed) -> bool {
        let request = &claimed.request;
        let ticket = match ticket_of(&claimed, &self.runbook, &self.language) {
            Ok(ticket) => ticket,
            Err(reason) => {
                self.record(
                    self.store
                        .dead_letter(&request.id, &self.owner, &reason)
                        .await,
                    request,
                    "dead-lettered",
                );
                tracing::error!(request = %request.id, "dead letter: {}", crate::escape::escaped(&reason));
                return false;
            }
        };
        let mut ticket = ticket;
        match self.owner_lines(request, &mut ticket).await {
            Ok(true) => {}
            Ok(false) => return false,
            Err(e) => {
                // Leave the lease to expire; the request is retried then.
                tracing::warn!(request = %request.id, "cannot read the owner's notice: {e}");
                return false;
            }
        }
        let helpdesk = self.helpdesk.name();
        if claimed.earlier_attempt {
            match self.helpdesk.find(&self.http, &ticket).await {
                Ok(Some(filed)) => {
                    self.delivered(request, &filed).await;
                    tracing::info!(
                        request = %request.id,
                        "an earlier attempt had filed it: {helpdesk} ticket {} (not filed again)",
                        crate::escape::escaped(&filed.ticket_number)
                    );
                    return true;
                }
                Ok(None) => {}
                Err(error) => {
                    self.failed(&claimed, error).await;
                    return false;
                }
            }
        }
        match self.helpdesk.file(&self.http, &ticket).await {
            Ok(filed) => {
                if ticket.disputed {
                    // The ticket says it: no note is owed.
                    if let Err(e) = self.store.dispute_in_ticket(&request.id).await {
                        tracing::warn!(request = %request.id, "cannot record that the ticket says disputed (a note will be added too): {e}");
                    }
                }
                self.delivered(request, &filed).await;
                tracing::info!(
                    request = %request.id,
                    attempt = request.attempts,
                    "delivered to {helpdesk} as ticket {}",
                    crate::escape::escaped(&filed.ticket_number)
                );
                true
            }
            Err(error) => {
                self.failed(&claimed, error).await;
                false
            }
        }
    }

    async fn delivered(
        &self,
        request: &crate::store::StoredRequest,
        filed: &crate::helpdesks::Filed,
    ) {
        let recorded = self
            .store
            .delivered(
                &request.id,
                &self.owner,
                &filed.ticket_number,
                OffsetDateTime::now_utc(),
            )
            .await;
        self.record(recorded, request, "delivered");
    }

    async fn failed(&self, claimed: &Claimed, error: DeliveryError) {
        let request = &claimed.request;
        let helpdesk = self.helpdesk.name();
        match error {
            DeliveryError::Refused { reason } => {
                let recorded = self
                    .store
                    .dead_letter(&request.id, &self.owner, &reason)
                    .await;
                self.record(recorded, request, "dead-lettered");
                tracing::error!(
                    request = %request.id,
                    "{helpdesk} refused it, so it is a dead letter: {}. Fix the cause, then `mfa-relay replay {}`",
                    crate::escape::escaped(&reason),
                    request.id
                );
            }
            DeliveryError::Retry { reason, .. }
                if request.attempts >= self.settings.max_attempts =>
            {
                let reason = format!("{reason} (gave up after {} attempts)", request.attempts);
                let recorded = self
                    .store
                    .dead_letter(&request.id, &self.owner, &reason)
                    .await;
                self.record(recorded, request, "dead-lettered");
                tracing::error!(
                    request = %request.id,
                    "dead letter: {}. Fix the cause, then `mfa-relay replay {}`",
                    crate::escape::escaped(&reason),
                    request.id
                );
            }
            DeliveryError::Retry { reason, after } => {
                let backoff = self.settings.backoff(request.attempts);
                let wait = after.map_or(backoff, |a| a.max(backoff));
                if let Some(after) = after {
                    let mut paused = self.paused_until.lock().await;
                    let until = tokio::time::Instant::now() + after;
                    if paused.is_none_or(|p| p < until) {
                        *paused = Some(until);
                    }
                }
                let at = OffsetDateTime::now_utc() + wait;
                let recorded = self
                    .store
                    .retry_later(&request.id, &self.owner, &reason, at)
                    .await;
                self.record(recorded, request, "rescheduled");
                tracing::warn!(
                    request = %request.id,
                    attempt = request.attempts,
                    "not delivered to {helpdesk}: {}; next attempt in {} s",
                    crate::escape::escaped(&reason),
                    wait.as_secs()
                );
            }
        }
    }

    /// Logs an outcome that could not be recorded. A lost lease means
    /// another instance took over (this attempt outlived the lease); a store
    /// error leaves the lease to expire, after which the request is retried
    /// (asking the helpdesk first).
    fn record(
        &self,
        recorded: Result<bool, StoreError>,
        request: &crate::store::StoredRequest,
        what: &str,
    ) {
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                request = %request.id,
                "could not record it as {what}: this instance's lease had expired and another took over"
            ),
            Err(e) => tracing::error!(
                request = %request.id,
                "could not record it as {what}: {e}; it will be retried after its lease expires"
            ),
        }
    }
}

/// The ticket of a stored request (its body is checked again: what the
/// helpdesk receives is always a valid request).
pub fn ticket_of(claimed: &Claimed, runbook: &[String], language: &str) -> Result<Ticket, String> {
    let request = &claimed.request;
    let value: serde_json::Value = serde_json::from_str(&request.body)
        .map_err(|e| format!("the stored body is not JSON: {e}"))?;
    let valid = helpdesk_contract::validate(&value)
        .map_err(|e| format!("the stored body is not a valid request: {}", e.message))?;
    Ok(Ticket {
        request_id: request.id.clone(),
        request: valid,
        device_proof: request.device_proof.clone(),
        accepted_at: request.accepted_at,
        runbook: runbook.to_vec(),
        language: language.to_owned(),
        disputed: false,
        owner_notice: None,
    })
}
