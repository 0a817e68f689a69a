//! "Request admin reset": the locked-out path. It needs no sign-in.
//!
//! The user's answers become a [`ResetRequest`] (the relay contract in
//! `docs/helpdesk-relay.openapi.yaml`), checked field by field before it can
//! be sent, with a one-time verification phrase the helpdesk asks for on the
//! call-back and the admin runbook in order. It never carries a phone number
//! to enrol: the helpdesk calls the number in the company directory.
//!
//! Delivery loses nothing ([`Outbox`]): the request is written to disk
//! (atomically) before the first attempt, sent with its `Idempotency-Key` on
//! every attempt, retried with backoff, and marked delivered only when the
//! helpdesk answered. A crash between "sent" and "marked" sends it again with
//! the same key, which the helpdesk answers with the same request: never a
//! second ticket.
//!
//! A relay commits a request before it files the ticket, and answers `202
//! accepted` with no ticket number. The entry is then delivered (the relay
//! has it and will not lose it) and the outbox asks the relay for the number
//! (`GET {relay}v1/reset-requests/{requestId}`) at growing intervals, from
//! one second to five minutes apart, until the relay knows it, forgets the
//! request, or a day has passed ([`FOLLOW_UP_FOR`]).
//!
//! Device proof ([`crate::device_key`]): when this computer holds a device key
//! enrolled for the request's account, each attempt to a relay is signed
//! afresh over the exact body bytes sent. The signature is made at sending
//! time and never written to the outbox. Zendesk requests are never signed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use url::Url;

use crate::config::Helpdesk;
use crate::device_key::DeviceKeyStore;

/// Why the user cannot sign in (the triage's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    LostPhone,
    BrokenPhone,
    NewPhone,
    NumberChanged,
    PromptsNotArriving,
    CodesRejected,
    BlockedByPolicy,
    Other,
}

/// What the user still has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StillHas {
    Password,
    OldPhone,
    PhoneNumber,
    SecurityKey,
    AuthenticatorApp,
    Email,
    Nothing,
}

/// How the helpdesk verifies and reaches the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CallbackPreference {
    /// A call to the number in the company directory.
    DirectoryPhone,
    /// Through the user's manager.
    Manager,
    /// At the service desk in person.
    InPerson,
}

/// What the user typed and picked, before checking.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetForm {
    pub upn: String,
    pub reason: Reason,
    #[serde(default)]
    pub reason_detail: String,
    pub still_has: Vec<StillHas>,
    pub callback: CallbackPreference,
    #[serde(default)]
    pub availability: String,
}

/// A field the user must fix, with what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FormError {
    pub field: &'static str,
    pub problem: String,
}

/// The request as the helpdesk receives it (`ResetRequest` in the contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequest {
    pub schema_version: u32,
    pub request_type: String,
    pub upn: String,
    pub reason: Reason,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub reason_detail: String,
    pub still_has: Vec<StillHas>,
    pub callback: Callback,
    pub device: Device,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub verification_phrase: String,
    pub unauthenticated: bool,
    /// Only in schema version 1 requests, kept in outboxes written before
    /// version 2 (the relay ignores it; the runbook is the relay's). Empty,
    /// and not sent, in every request made now.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub runbook: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tenant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    pub preference: CallbackPreference,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub availability: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub os: String,
    pub app_version: String,
}

impl Device {
    /// This machine: the OS name and version, and the app's version.
    pub fn this_machine(app_version: &str) -> Device {
        let info = os_info::get();
        Device {
            os: truncate(&format!("{} {}", info.os_type(), info.version()), 100),
            app_version: truncate(app_version, 32),
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The admin steps a relay puts in every ticket unless the organisation
/// wrote its own (the relay's default; the app shows them, never sends
/// them).
pub const RUNBOOK: &[&str] = &helpdesk_contract::ticket::DEFAULT_RUNBOOK;

/// Words for verification phrases: short, common, unambiguous when spoken.
const WORDS: &[&str] = &[
    "amber", "anchor", "apple", "arrow", "aspen", "badge", "bamboo", "basil", "beacon", "berry",
    "birch", "bison", "blossom", "breeze", "bridge", "brook", "cactus", "camel", "candle",
    "canyon", "carbon", "cedar", "cherry", "cinder", "clover", "cobalt", "comet", "copper",
    "coral", "cotton", "crystal", "daisy", "delta", "dolphin", "dune", "eagle", "ember", "falcon",
    "fern", "fjord", "flint", "forest", "fossil", "garden", "garnet", "ginger", "glacier",
    "granite", "harbor", "hazel", "heron", "honey", "island", "ivory", "jasmine", "juniper",
    "kettle", "lagoon", "lantern", "lemon", "lilac", "linen", "lotus", "maple", "marble", "meadow",
    "mint", "monsoon", "nectar", "nutmeg", "oasis", "olive", "orbit", "orchid", "otter", "panda",
    "pebble", "pepper", "pigeon", "pine", "planet", "plum", "prairie", "quartz", "quill", "raven",
    "reef", "ribbon", "river", "robin", "saffron", "salmon", "sapphire", "sequoia", "shell",
    "silver", "spruce", "summit", "sunset", "thistle", "thunder", "tiger", "topaz", "tulip",
    "tundra", "velvet", "violet", "walnut", "willow", "winter", "zebra", "zephyr",
];

/// A one-time phrase such as `maple-otter-47`: two words and two digits.
pub fn verification_phrase() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let a = WORDS[rng.gen_range(0..WORDS.len())];
    let mut b = WORDS[rng.gen_range(0..WORDS.len())];
    while b == a {
        b = WORDS[rng.gen_range(0..WORDS.len())];
    }
    format!("{a}-{b}-{:02}", rng.gen_range(10..100))
}

/// Checks a UPN's shape, and its domain against the organisation's domains
/// (when known). Returns it trimmed and lower-cased.
pub fn check_upn(upn: &str, domains: &[String]) -> Result<String, FormError> {
    let fail = |problem: String| FormError {
        field: "upn",
        problem,
    };
    let upn = upn.trim().to_lowercase();
    if upn.is_empty() {
        return Err(fail(
            "enter your work account, for example adele@contoso.com".into(),
        ));
    }
    if upn.len() > 256 {
        return Err(fail("a work account is at most 256 characters".into()));
    }
    let Some((local, domain)) = upn.split_once('@') else {
        return Err(fail(format!(
            "a work account looks like name@company.com; {upn:?} has no @"
        )));
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if local.is_empty()
        || local.contains(char::is_whitespace)
        || domain.split('.').count() < 2
        || !domain.split('.').all(label_ok)
    {
        return Err(fail(format!(
            "a work account looks like name@company.com; {upn:?} is not one"
        )));
    }
    // The relay's grammar, Microsoft Entra's username policy.
    helpdesk_contract::Upn::parse(&upn)
        .map_err(|e| fail(e.message.trim_start_matches("upn must be ").to_string()))?;
    if !domains.is_empty() && !domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
        return Err(fail(format!(
            "{domain} is not one of your organisation's domains ({}); use your work account",
            domains.join(", ")
        )));
    }
    Ok(upn)
}

/// What the user typed in a free-text field, as the contract takes it: one
/// line (line breaks and runs of spaces become one space), at most `max`
/// characters, and no invisible or reordering character (refused naming
/// the field, as the relay would).
fn one_line(text: &str, field: &'static str, max: usize) -> Result<String, FormError> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = line.chars().count();
    if length > max {
        return Err(FormError {
            field,
            problem: format!("at most {max} characters; this is {length}"),
        });
    }
    helpdesk_contract::typed::requester_text(&line, field, max).map_err(|e| FormError {
        field,
        problem: format!(
            "{}; remove it (it may have come with pasted text)",
            e.message
                .split_once(": ")
                .map(|(_, why)| why)
                .unwrap_or("it has an invisible or control character")
        ),
    })?;
    Ok(line)
}

impl ResetForm {
    /// Checks every field and builds the request exactly as it will be sent.
    pub fn prepare(
        &self,
        domains: &[String],
        tenant: Option<&str>,
        device: Device,
        now: OffsetDateTime,
        phrase: String,
    ) -> Result<ResetRequest, FormError> {
        let upn = check_upn(&self.upn, domains)?;
        let detail = one_line(&self.reason_detail, "reasonDetail", 500)?;
        let detail = detail.as_str();
        if detail.chars().count() > 500 {
            return Err(FormError {
                field: "reasonDetail",
                problem: format!("at most 500 characters; this is {}", detail.chars().count()),
            });
        }
        if self.reason == Reason::Other && detail.is_empty() {
            return Err(FormError {
                field: "reasonDetail",
                problem: "say in a few words what happened".into(),
            });
        }
        let availability = one_line(&self.availability, "availability", 200)?;
        let availability = availability.as_str();
        if self.still_has.is_empty() {
            return Err(FormError {
                field: "stillHas",
                problem: "pick what you still have, or \"nothing\"".into(),
            });
        }
        let mut still_has: Vec<StillHas> = Vec::new();
        for s in &self.still_has {
            if !still_has.contains(s) {
                still_has.push(*s);
            }
        }
        if still_has.contains(&StillHas::Nothing) && still_has.len() > 1 {
            return Err(FormError {
                field: "stillHas",
                problem: "\"nothing\" cannot be picked with other things".into(),
            });
        }
        Ok(ResetRequest {
            schema_version: u32::from(helpdesk_contract::SCHEMA_VERSION),
            request_type: "mfaReset".into(),
            upn,
            reason: self.reason,
            reason_detail: detail.to_owned(),
            still_has,
            callback: Callback {
                preference: self.callback,
                availability: availability.to_owned(),
            },
            device,
            created_at: now.replace_nanosecond(0).unwrap_or(now),
            verification_phrase: phrase,
            unauthenticated: true,
            runbook: Vec::new(),
            tenant: tenant.map(str::to_owned),
        })
    }
}

impl ResetRequest {
    /// A plain-text ticket body for helpdesks that take text (Zendesk).
    pub fn ticket_text(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        let still: Vec<String> = self.still_has.iter().map(enum_name).collect();
        let mut out = format!(
            "MFA reset requested through MFA Assistant (UNAUTHENTICATED REQUEST)\n\n\
             Work account (as typed, unverified): {}\n\
             Reason: {}{}\n\
             Still has: {}\n\
             Call-back: {}{}\n\
             Device: {} (MFA Assistant {})\n\
             Sent: {}\n\
             Verification phrase (ask the user for it on the call-back): {}\n",
            self.upn,
            enum_name(&self.reason),
            if self.reason_detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", self.reason_detail)
            },
            list(&still),
            enum_name(&self.callback.preference),
            if self.callback.availability.is_empty() {
                String::new()
            } else {
                format!(" (available: {})", self.callback.availability)
            },
            self.device.os,
            self.device.app_version,
            self.created_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            self.verification_phrase,
        );
        out.push_str("\nRunbook, in order:\n");
        for (i, step) in RUNBOOK.iter().enumerate() {
            out.push_str(&format!("{}. {step}\n", i + 1));
        }
        out
    }
}

/// The name a unit enum variant is serialised as (`lostPhone`, `newPhone`...).
pub fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

// ---- The outbox ------------------------------------------------------------

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum DeliveryState {
    /// Kept on disk, not yet accepted by the helpdesk.
    Pending,
    /// The helpdesk has it.
    #[serde(rename_all = "camelCase")]
    Delivered {
        request_id: String,
        /// `None` while a relay has accepted it but not yet filed the
        /// ticket (the outbox asks the relay for it; see
        /// [`OutboxEntry::next_attempt_at`]).
        ticket_number: Option<String>,
        #[serde(with = "time::serde::rfc3339")]
        delivered_at: OffsetDateTime,
    },
    /// The helpdesk refused it for good (a 4xx other than 429); kept, with
    /// the reason, so it is never silently lost.
    #[serde(rename_all = "camelCase")]
    Refused { status: u16, reason: String },
}

/// One request in the outbox, as saved on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub idempotency_key: String,
    pub request: ResetRequest,
    pub state: DeliveryState,
    pub attempts: u32,
    /// Pending: when the next attempt is due (`None`: now). Delivered to a
    /// relay without a ticket number: when to ask the relay for it (`None`:
    /// never again).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub next_attempt_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

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
        };
        self.save(&entry)?;
        Ok(entry)
    }

    pub fn save(&self, entry: &OutboxEntry) -> Result<(), OutboxError> {
        let path = self.path(&entry.idempotency_key);
        let bytes = serde_json::to_vec_pretty(entry).map_err(|e| Self::storage(&path, e))?;
        std::fs::create_dir_all(&self.dir).map_err(|e| Self::storage(&self.dir, e))?;
        let tmp = path.with_extension("json.tmp");
        (|| {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })()
        .map_err(|e| Self::storage(&path, e))
    }

    /// Every request, oldest first. A damaged file is reported, not skipped:
    /// a request must never vanish unnoticed.
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
            let bytes = std::fs::read(&path).map_err(|e| Self::storage(&path, e))?;
            let entry: OutboxEntry = serde_json::from_slice(&bytes)
                .map_err(|e| Self::storage(&path, format!("damaged ({e})")))?;
            out.push(entry);
        }
        out.sort_by_key(|e| e.request.created_at);
        Ok(out)
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
                }
                Attempt::Refused { status, reason } => {
                    entry.state = DeliveryState::Refused { status, reason };
                    entry.next_attempt_at = None;
                }
                Attempt::Retry { reason, after } => {
                    let wait = after.unwrap_or_else(|| backoff(entry.attempts));
                    entry.next_attempt_at = Some(now + wait);
                    entry.last_error = Some(reason);
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

/// How long after delivery the outbox keeps asking a relay for the ticket
/// number of a request it accepted (the relay retries the helpdesk for
/// hours before it gives up, and its operator can replay it after).
pub const FOLLOW_UP_FOR: time::Duration = time::Duration::days(1);

/// When to ask the relay again for a ticket number: half the request's age
/// from now, at least 1 s and at most 5 minutes away; `None` once
/// [`FOLLOW_UP_FOR`] has passed.
pub fn next_follow_up(delivered_at: OffsetDateTime, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let age = now - delivered_at;
    if age >= FOLLOW_UP_FOR {
        return None;
    }
    let wait = (age / 2_i32).clamp(time::Duration::seconds(1), time::Duration::minutes(5));
    Some(now + wait)
}

/// Asks the relay for the ticket number of `entry`, delivered without one,
/// and records the answer in `entry` (the caller saves it): the number; or
/// when to ask again; or, when the relay no longer knows the request or the
/// helpdesk is no longer a relay, not to ask again.
async fn follow_up(
    http: &reqwest::Client,
    target: &Helpdesk,
    entry: &mut OutboxEntry,
    now: OffsetDateTime,
) {
    let DeliveryState::Delivered {
        request_id,
        ticket_number,
        delivered_at,
    } = &mut entry.state
    else {
        return;
    };
    let delivered_at = *delivered_at;
    let Helpdesk::Relay(base) = target else {
        entry.next_attempt_at = None;
        return;
    };
    let mut url = join(base, "v1/reset-requests/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(request_id);
    }
    let answer = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    let again = |after: Option<Duration>| {
        let next = next_follow_up(delivered_at, now)?;
        Some(match after {
            Some(after) => next.max(now + after.min(Duration::from_secs(300))),
            None => next,
        })
    };
    let response = match answer {
        Ok(response) => response,
        Err(e) => {
            entry.last_error = Some(format!(
                "the relay could not be asked for the ticket number: {}",
                crate::auth::error_chain(&e)
            ));
            entry.next_attempt_at = again(None);
            return;
        }
    };
    let status = response.status().as_u16();
    let retry_after = crate::http::retry_after(response.headers());
    let json: Value =
        serde_json::from_str(&response.text().await.unwrap_or_default()).unwrap_or(Value::Null);
    match status {
        200 => match json.get("ticketNumber").and_then(Value::as_str) {
            Some(number) if !number.is_empty() => {
                *ticket_number = Some(number.to_owned());
                entry.next_attempt_at = None;
                entry.last_error = None;
            }
            _ => {
                entry.last_error = (json.get("status").and_then(Value::as_str) == Some("failed"))
                    .then(|| {
                        "the relay has not been able to file it in the helpdesk yet; \
                         its operator can send it again"
                            .to_owned()
                    });
                entry.next_attempt_at = again(None);
            }
        },
        408 | 429 | 500..=599 => {
            entry.last_error = Some(format!(
                "the relay answered {status} when asked for the ticket number{}",
                error_text(&json)
            ));
            entry.next_attempt_at = again(retry_after);
        }
        _ => {
            entry.last_error = Some(format!(
                "the relay answered {status} when asked for the ticket number of {request_id}{}; \
                 not asking again",
                error_text(&json)
            ));
            entry.next_attempt_at = None;
        }
    }
}

/// 5 s, 10 s, 20 s... capped at 5 minutes.
pub fn backoff(attempts: u32) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(6));
    Duration::from_secs(secs.min(300))
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered {
        request_id: String,
        ticket_number: Option<String>,
    },
    /// A 4xx other than 408/429: sending it again cannot help.
    Refused { status: u16, reason: String },
    /// The network, a timeout, 408/429 or 5xx: try again later.
    Retry {
        reason: String,
        after: Option<Duration>,
    },
}

/// One attempt to hand `entry` to the helpdesk. A relay request is signed
/// when `device_keys` holds a key enrolled for its account (any case). If the
/// relay refuses the signature (401: a clock more than ten minutes off, a key
/// it mixed up), the request is sent again at once unsigned, as any computer
/// may send it: the user still gets a ticket, marked unverified.
pub async fn deliver(
    http: &reqwest::Client,
    target: &Helpdesk,
    entry: &OutboxEntry,
    device_keys: Option<&DeviceKeyStore>,
) -> Attempt {
    let answer = match target {
        Helpdesk::Relay(base) => {
            // The exact bytes sent are the bytes signed.
            let body = match serde_json::to_vec(&entry.request) {
                Ok(body) => body,
                Err(e) => {
                    return Attempt::Refused {
                        status: 0,
                        reason: format!("the request cannot be encoded: {e}"),
                    }
                }
            };
            let url = join(base, "v1/reset-requests");
            let relay_request = |proof: Option<&crate::device_key::ProofHeaders>| {
                let mut request = http
                    .post(url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                for (name, value) in proof.iter().flat_map(|p| p.pairs()) {
                    request = request.header(name, value);
                }
                request.body(body.clone())
            };
            match device_proof(device_keys, entry, &body).await {
                None => send(relay_request(None), entry).await,
                Some(proof) => match send(relay_request(Some(&proof)), entry).await {
                    Ok(Answer {
                        status: 401, json, ..
                    }) => {
                        tracing::warn!(
                            "the relay refused this computer's device signature{}; \
                             sending the request unsigned",
                            error_text(&json)
                        );
                        send(relay_request(None), entry).await
                    }
                    other => other,
                },
            }
        }
        Helpdesk::Zendesk(base) => {
            let request = http.post(join(base, "api/v2/requests.json")).json(&json!({
                "request": {
                    "requester": {"name": entry.request.upn, "email": entry.request.upn},
                    "subject": format!("MFA reset requested for {} (unverified)", entry.request.upn),
                    "comment": {"body": entry.request.ticket_text()},
                }
            }));
            send(request, entry).await
        }
    };
    let Answer {
        status,
        retry_after,
        json,
    } = match answer {
        Ok(answer) => answer,
        Err(e) => {
            return Attempt::Retry {
                reason: format!(
                    "the helpdesk could not be reached: {}",
                    crate::auth::error_chain(&e)
                ),
                after: None,
            }
        }
    };
    match status {
        200..=299 => match target {
            Helpdesk::Relay(_) => match json.get("requestId").and_then(Value::as_str) {
                Some(id) => Attempt::Delivered {
                    request_id: id.to_owned(),
                    ticket_number: json
                        .get("ticketNumber")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
                None => Attempt::Retry {
                    reason: format!("the relay answered {status} without a requestId"),
                    after: None,
                },
            },
            Helpdesk::Zendesk(_) => match json.pointer("/request/id") {
                Some(id) => {
                    let id = id
                        .as_u64()
                        .map(|n| n.to_string())
                        .or_else(|| id.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    Attempt::Delivered {
                        request_id: id.clone(),
                        ticket_number: Some(id),
                    }
                }
                None => Attempt::Retry {
                    reason: format!("Zendesk answered {status} without a request id"),
                    after: None,
                },
            },
        },
        408 | 429 | 500..=599 => Attempt::Retry {
            reason: format!("the helpdesk answered {status}{}", error_text(&json)),
            after: retry_after.map(|d| d.min(Duration::from_secs(300))),
        },
        _ => Attempt::Refused {
            status,
            reason: format!(
                "the helpdesk refused the request ({status}){}",
                error_text(&json)
            ),
        },
    }
}

/// A helpdesk's answer: the status, its `Retry-After`, the JSON body (`Null`
/// when not JSON).
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    json: Value,
}

/// Sends one request with the entry's `Idempotency-Key`.
async fn send(request: reqwest::RequestBuilder, entry: &OutboxEntry) -> reqwest::Result<Answer> {
    let response = request
        .header("Idempotency-Key", &entry.idempotency_key)
        .timeout(Duration::from_secs(30))
        .send()
        .await?;
    let status = response.status().as_u16();
    let retry_after = crate::http::retry_after(response.headers());
    let text = response.text().await.unwrap_or_default();
    Ok(Answer {
        status,
        retry_after,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
    })
}

/// This attempt's `Device-*` headers, signed now, when this computer holds
/// a key for the request's account. Without one, or without a keychain, the
/// request goes unsigned (as before device proof existed).
async fn device_proof(
    device_keys: Option<&DeviceKeyStore>,
    entry: &OutboxEntry,
    body: &[u8],
) -> Option<crate::device_key::ProofHeaders> {
    let key = match device_keys?.find(&entry.request.upn).await {
        Ok(key) => key?,
        Err(e) => {
            tracing::warn!("reset request sent unsigned: the device key could not be read ({e})");
            return None;
        }
    };
    let created = OffsetDateTime::now_utc().unix_timestamp();
    Some(key.sign(&entry.idempotency_key, body, created))
}

fn join(base: &Url, path: &str) -> Url {
    base.join(path).unwrap_or_else(|_| base.clone())
}

fn error_text(json: &Value) -> String {
    let message = json
        .pointer("/error/message")
        .or_else(|| json.get("description"))
        .and_then(Value::as_str);
    match message {
        Some(m) => format!(": {m}"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form() -> ResetForm {
        ResetForm {
            upn: " Dana@Contoso-Demo.example ".into(),
            reason: Reason::LostPhone,
            reason_detail: "Left it on the train".into(),
            still_has: vec![StillHas::Password, StillHas::Password],
            callback: CallbackPreference::DirectoryPhone,
            availability: "weekdays 9-17".into(),
        }
    }

    fn domains() -> Vec<String> {
        vec!["contoso-demo.example".into()]
    }

    fn device() -> Device {
        Device {
            os: "Debian 12".into(),
            app_version: "0.1.0".into(),
        }
    }

    fn prepare(f: &ResetForm) -> Result<ResetRequest, FormError> {
        f.prepare(
            &domains(),
            Some("contoso-demo.example"),
            device(),
            datetime!(2026-11-22 9:30:15.5 UTC),
            "maple-otter-47".into(),
        )
    }

    #[test]
    fn typed_text_is_sent_as_one_line_and_hidden_characters_are_refused() {
        let mut f = form();
        f.reason_detail = "Left it\non the   train\r\n(stolen)".into();
        assert_eq!(
            prepare(&f).unwrap().reason_detail,
            "Left it on the train (stolen)"
        );
        f.availability = "after\u{202e}3 pm".into();
        let error = prepare(&f).unwrap_err();
        assert_eq!(error.field, "availability");
        assert!(error.problem.contains("U+202E"), "{}", error.problem);
        let mut f = form();
        f.upn = "dana(ceo)@contoso-demo.example".into();
        let error = prepare(&f).unwrap_err();
        assert_eq!(error.field, "upn");
        assert!(
            error.problem.contains("'(' is not allowed"),
            "{}",
            error.problem
        );
    }

    #[test]
    fn a_request_carries_what_the_helpdesk_needs_and_no_number_to_enrol() {
        let r = prepare(&form()).unwrap();
        assert_eq!(r.upn, "dana@contoso-demo.example");
        assert_eq!(r.still_has, vec![StillHas::Password], "duplicates dropped");
        assert!(r.unauthenticated);
        assert!(r.runbook.is_empty(), "the runbook is the relay's");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["schemaVersion"], 2);
        assert!(json.get("runbook").is_none(), "{json}");
        // What the app sends is what the contract accepts.
        helpdesk_contract::validate(&json).expect("a valid version 2 request");
        assert_eq!(json["requestType"], "mfaReset");
        assert_eq!(json["reason"], "lostPhone");
        assert_eq!(json["callback"]["preference"], "directoryPhone");
        assert_eq!(json["createdAt"], "2026-11-22T09:30:15Z");
        assert_eq!(json["verificationPhrase"], "maple-otter-47");
        // No field could carry a phone number to enrol.
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert!(
            !keys.iter().any(|k| k.to_lowercase().contains("phone")),
            "{keys:?}"
        );
        let text = r.ticket_text();
        assert!(text.contains("UNAUTHENTICATED"));
        assert!(text.contains("maple-otter-47"));
        assert!(text.contains("1. This request is UNAUTHENTICATED"));
        assert!(text.contains("Privileged Authentication Administrator"));
        assert!(text.contains("Temporary Access Pass"));
        assert!(text.contains("Revoke"));
        assert!(text.contains("app passwords"));
    }

    #[test]
    fn bad_upns_are_refused_with_a_reason() {
        for (upn, says) in [
            ("", "enter your work account"),
            ("dana", "has no @"),
            ("dana@", "is not one"),
            ("dana@localhost", "is not one"),
            ("da na@contoso-demo.example", "is not one"),
            ("dana@gmail.com", "not one of your organisation's domains"),
        ] {
            let e = prepare(&ResetForm {
                upn: upn.into(),
                ..form()
            })
            .unwrap_err();
            assert_eq!(e.field, "upn", "{upn}");
            assert!(e.problem.contains(says), "{upn}: {e}");
        }
        // With no known domains, any well-formed account is accepted.
        assert_eq!(check_upn("x@fabrikam.com", &[]).unwrap(), "x@fabrikam.com");
    }

    #[test]
    fn other_fields_are_checked() {
        let e = prepare(&ResetForm {
            reason: Reason::Other,
            reason_detail: " ".into(),
            ..form()
        })
        .unwrap_err();
        assert_eq!(e.field, "reasonDetail");
        let e = prepare(&ResetForm {
            reason_detail: "x".repeat(501),
            ..form()
        })
        .unwrap_err();
        assert_eq!(e.field, "reasonDetail");
        let e = prepare(&ResetForm {
            still_has: vec![],
            ..form()
        })
        .unwrap_err();
        assert_eq!(e.field, "stillHas");
        let e = prepare(&ResetForm {
            still_has: vec![StillHas::Nothing, StillHas::Email],
            ..form()
        })
        .unwrap_err();
        assert_eq!(e.field, "stillHas");
        let e = prepare(&ResetForm {
            availability: "y".repeat(201),
            ..form()
        })
        .unwrap_err();
        assert_eq!(e.field, "availability");
    }

    #[test]
    fn phrases_are_two_words_and_two_digits() {
        for _ in 0..50 {
            let p = verification_phrase();
            let parts: Vec<&str> = p.split('-').collect();
            assert_eq!(parts.len(), 3, "{p}");
            assert!(
                WORDS.contains(&parts[0]) && WORDS.contains(&parts[1]),
                "{p}"
            );
            assert_ne!(parts[0], parts[1]);
            assert!(parts[2].len() == 2 && parts[2].chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn a_relay_is_asked_for_the_ticket_number_less_and_less_often_for_a_day() {
        let at = datetime!(2026-11-22 9:30 UTC);
        let wait = |age: time::Duration| next_follow_up(at, at + age).map(|t| t - (at + age));
        assert_eq!(wait(time::Duration::ZERO), Some(time::Duration::seconds(1)));
        assert_eq!(
            wait(time::Duration::seconds(8)),
            Some(time::Duration::seconds(4))
        );
        assert_eq!(
            wait(time::Duration::hours(2)),
            Some(time::Duration::minutes(5))
        );
        assert_eq!(wait(FOLLOW_UP_FOR), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(4), Duration::from_secs(40));
        assert_eq!(backoff(30), Duration::from_secs(300));
    }

    #[test]
    fn the_outbox_keeps_requests_on_disk_and_reports_damage() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path().join("outbox"));
        assert!(outbox.entries().unwrap().is_empty());
        let entry = outbox.enqueue(prepare(&form()).unwrap()).unwrap();
        // A new Outbox over the same directory (as after a restart) sees it.
        let again = Outbox::new(dir.path().join("outbox"));
        assert_eq!(again.entries().unwrap(), vec![entry.clone()]);
        assert_eq!(again.next_due().unwrap(), Some(OffsetDateTime::UNIX_EPOCH));
        std::fs::write(dir.path().join("outbox/broken.json"), "{").unwrap();
        let e = again.entries().unwrap_err();
        assert!(e.to_string().contains("broken.json"), "{e}");
    }
}
