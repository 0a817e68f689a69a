//! The durable outbox: one JSON file per request, and the delivery pass.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::config::Helpdesk;
use crate::device_key::DeviceKeyStore;

use super::delivery::{backoff, deliver, follow_up, next_follow_up, Attempt};
use super::entry::{DeliveryState, OutboxEntry};
use super::form::ResetRequest;

/// A durable, on-disk outbox: one JSON file per request, written atomically.
/// Clones share one lock, so a delivery pass and "try again now" never
/// overwrite each other's outcome.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
    busy: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Where device keys are looked up to sign relay requests; `None`
    /// sends them unsigned.
    device_keys: Option<DeviceKeyStore>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    #[error("the outbox at {path} cannot be written: {problem}")]
    Storage { path: String, problem: String },
    #[error("no request {0} in the outbox")]
    NotFound(String),
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox {
            dir: dir.into(),
            busy: std::sync::Arc::default(),
            device_keys: None,
        }
    }

    /// Signs relay requests with the device key this computer holds for
    /// the request's account, if any.
    pub fn with_device_keys(mut self, store: DeviceKeyStore) -> Outbox {
        self.device_keys = Some(store);
        self
    }

    /// Makes every pending request due now ("try again now").
    pub async fn retry_now(&self) -> Result<(), OutboxError> {
        let _busy = self.busy.lock().await;
        for mut entry in self.entries()? {
            if entry.state == DeliveryState::Pending && entry.next_attempt_at.is_some() {
                entry.next_attempt_at = None;
                self.save(&entry)?;
            }
        }
        Ok(())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    fn storage(path: &Path, e: impl std::fmt::Display) -> OutboxError {
        OutboxError::Storage {
            path: path.display().to_string(),
            problem: e.to_string(),
        }
    }

    /// Keeps a new request; it is on disk before this returns.
    pub fn enqueue(&self, request: ResetRequest) -> Result<OutboxEntry, OutboxError> {
        let entry = OutboxEntry {
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            request,
            state: DeliveryState::Pending,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            last_problem: None,
        };
        self.save(&entry)?;
        Ok(entry)
    }

    pub fn save(&self, entry: &OutboxEntry) -> Result<(), OutboxError> {
        let path = self.path(&entry.idempotency_key);
        let bytes = serde_json::to_vec_pretty(entry).map_err(|e| Self::storage(&path, e))?;
        crate::owner_only::create_app_dir(&self.dir).map_err(|e| Self::storage(&self.dir, e))?;
        let tmp = path.with_extension("json.tmp");
        (|| {
            use std::io::Write;
            let mut f = crate::owner_only::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })()
        .map_err(|e| Self::storage(&path, e))
    }

    /// Every request, oldest first. A file that cannot be read as a request
    /// is set aside (renamed `<name>.damaged`, kept beside the others),
    /// logged and listed by [`Outbox::set_aside`], so it never stops the
    /// others and never vanishes unnoticed.
    pub fn entries(&self) -> Result<Vec<OutboxEntry>, OutboxError> {
        let read = match std::fs::read_dir(&self.dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::storage(&self.dir, e)),
        };
        let mut out = Vec::new();
        for item in read {
            let path = item.map_err(|e| Self::storage(&self.dir, e))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let read = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    serde_json::from_slice::<OutboxEntry>(&bytes).map_err(|e| e.to_string())
                });
            match read {
                Ok(entry) => out.push(entry),
                Err(problem) => {
                    let aside = path.with_extension("json.damaged");
                    match std::fs::rename(&path, &aside) {
                        Ok(()) => tracing::warn!(
                            file = %aside.display(),
                            "a reset request in the outbox cannot be read ({problem}); set aside, the others go on"
                        ),
                        Err(e) => tracing::warn!(
                            file = %path.display(),
                            "a reset request in the outbox cannot be read ({problem}) nor set aside ({e}); skipped"
                        ),
                    }
                }
            }
        }
        out.sort_by_key(|e| e.request.created_at);
        Ok(out)
    }

    /// The files set aside because they could not be read as requests.
    pub fn set_aside(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".json.damaged"))
            .collect();
        files.sort();
        files
    }

    pub fn get(&self, key: &str) -> Result<OutboxEntry, OutboxError> {
        self.entries()?
            .into_iter()
            .find(|e| e.idempotency_key == key)
            .ok_or_else(|| OutboxError::NotFound(key.to_owned()))
    }

    /// Sends every pending request whose time has come, one attempt each, and
    /// asks the relay for the ticket number of each delivered request that
    /// is due a follow-up; saves the outcomes. Returns how many are still
    /// pending.
    pub async fn deliver_due(
        &self,
        http: &reqwest::Client,
        target: &Helpdesk,
        now: OffsetDateTime,
    ) -> Result<usize, OutboxError> {
        let _busy = self.busy.lock().await;
        let mut pending = 0;
        for mut entry in self.entries()? {
            match entry.state {
                DeliveryState::Pending => {}
                DeliveryState::Delivered {
                    ticket_number: None,
                    ..
                } => {
                    if entry.next_attempt_at.is_some_and(|t| t <= now) {
                        follow_up(http, target, &mut entry, now).await;
                        self.save(&entry)?;
                    }
                    continue;
                }
                _ => continue,
            }
            if entry.next_attempt_at.is_some_and(|t| t > now) {
                pending += 1;
                continue;
            }
            // Count the attempt on disk before it is made, so a crash
            // mid-send still shows it.
            entry.attempts += 1;
            self.save(&entry)?;
            match deliver(http, target, &entry, self.device_keys.as_ref()).await {
                Attempt::Delivered {
                    request_id,
                    ticket_number,
                } => {
                    let delivered_at = OffsetDateTime::now_utc();
                    // A relay that accepted it without a ticket number is
                    // asked for the number later.
                    entry.next_attempt_at = match (&ticket_number, target) {
                        (None, Helpdesk::Relay(_)) => next_follow_up(delivered_at, delivered_at),
                        _ => None,
                    };
                    entry.state = DeliveryState::Delivered {
                        request_id,
                        ticket_number,
                        delivered_at,
                    };
                    entry.last_error = None;
                    entry.last_problem = None;
                }
                Attempt::Refused {
                    status,
                    reason,
                    problem,
                } => {
                    entry.state = DeliveryState::Refused { status, reason };
                    entry.last_problem = Some(problem);
                    entry.next_attempt_at = None;
                }
                Attempt::Retry {
                    reason,
                    problem,
                    after,
                } => {
                    let wait = after.unwrap_or_else(|| backoff(entry.attempts));
                    entry.next_attempt_at = Some(now + wait);
                    entry.last_error = Some(reason);
                    entry.last_problem = Some(problem);
                    pending += 1;
                }
            }
            self.save(&entry)?;
        }
        Ok(pending)
    }

    /// When the next pending attempt, or the next question to the relay
    /// about a ticket number, is due, if any.
    pub fn next_due(&self) -> Result<Option<OffsetDateTime>, OutboxError> {
        Ok(self
            .entries()?
            .iter()
            .filter_map(|e| match e.state {
                DeliveryState::Pending => {
                    Some(e.next_attempt_at.unwrap_or(OffsetDateTime::UNIX_EPOCH))
                }
                DeliveryState::Delivered {
                    ticket_number: None,
                    ..
                } => e.next_attempt_at,
                _ => None,
            })
            .min())
    }
}
