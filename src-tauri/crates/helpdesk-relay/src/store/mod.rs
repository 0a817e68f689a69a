//! The relay's durable state: reset requests (the outbox towards the
//! helpdesk) and enrolled device keys. SQLite for one instance, PostgreSQL
//! for several behind a load balancer; both behave alike.
//!
//! Invariants:
//! - a request is committed (`accept`) before the relay answers 202, and its
//!   idempotency key is unique: a repeat finds the first;
//! - a request is delivered by whoever holds its lease (`claim_due`); every
//!   outcome (`delivered`, `retry_later`, `dead_letter`) is recorded only by
//!   the lease's holder, so an instance whose lease expired cannot overwrite
//!   the one that took over;
//! - a claim reports whether an earlier attempt was made (including one
//!   whose holder died mid-delivery): the deliverer must then ask the
//!   helpdesk whether that attempt filed a ticket before filing one.

pub mod notify;
mod postgres;
mod sqlite;

use std::time::Duration;

use helpdesk_contract::Status;
use time::OffsetDateTime;

use crate::config::Database;
use crate::ticket::{DeviceProof, UnverifiedReason};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or opened right now.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else the database said.
    #[error("the database failed: {0}")]
    Failed(String),
}

/// A request to commit.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub id: String,
    pub idempotency_key: String,
    /// SHA-256 (hex) of the body's canonical JSON: repeats compare by it.
    pub body_hash: String,
    /// The body as received.
    pub body: String,
    /// Lower-case.
    pub upn: String,
    pub source: String,
    pub device_proof: DeviceProof,
    pub accepted_at: OffsetDateTime,
}

/// A stored request, as the status endpoint and operators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: String,
    pub idempotency_key: String,
    pub body_hash: String,
    pub body: String,
    pub upn: String,
    pub source: String,
    pub device_proof: DeviceProof,
    pub status: Status,
    pub ticket_number: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub accepted_at: OffsetDateTime,
    pub next_attempt_at: OffsetDateTime,
}

/// What committing a request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Committed now.
    New(StoredRequest),
    /// The key was seen before with the same body: the first request.
    Repeat(StoredRequest),
    /// The key was seen before with a different body.
    KeyReused(StoredRequest),
    /// The account had `limit` requests accepted in the last hour.
    AccountLimit { retry_after: Duration },
}

/// A request this instance now holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub request: StoredRequest,
    /// Whether an earlier attempt was made (it failed, timed out, or its
    /// holder died; also before an operator's replay): it may have filed a
    /// ticket, so ask the helpdesk before filing again.
    pub earlier_attempt: bool,
}

/// An enrolled device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKey {
    pub key_id: String,
    /// Lower-case, as Graph named the user.
    pub upn: String,
    /// Graph's user id.
    pub user_id: String,
    /// base64url, canonical.
    pub public_key: String,
    pub os: String,
    pub app_version: String,
    pub enrolled_at: OffsetDateTime,
}

/// What enrolling a key came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolled {
    New(DeviceKey),
    /// The same public key, already enrolled for this user.
    Again(DeviceKey),
    /// The public key is enrolled for another user.
    OtherUser(DeviceKey),
    /// The user already has [`MAX_KEYS_PER_USER`] keys: nothing was
    /// enrolled and none evicted.
    Limit,
}

/// The most device keys one user keeps; past it an enrolment is refused
/// (409 `deviceKeyLimit`), never made room for: an enrolment an attacker
/// made must not push the owner's real keys out.
pub const MAX_KEYS_PER_USER: i64 =
    helpdesk_contract::device_proof::MAX_DEVICE_KEYS_PER_ACCOUNT as i64;

/// Counts for the status line and the load benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub accepted: u64,
    pub delivered: u64,
    pub failed: u64,
}

/// The store the configuration names.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// Opens the database and creates its tables if needed.
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        match database {
            Database::Sqlite(path) => SqliteStore::open(path).await.map(Store::Sqlite),
            Database::Postgres(url) => PostgresStore::open(url).await.map(Store::Postgres),
        }
    }

    /// Commits `new` unless its key was seen or its account's budget is
    /// spent, in one transaction. An account has two budgets, counted apart
    /// over the last hour: requests signed by its own enrolled device, and
    /// all others (anyone can send those). `per_account_per_hour` is the
    /// budget `new` falls in (by its device proof), so unsigned requests can
    /// never use up the owner's signed ones.
    pub async fn accept(
        &self,
        new: NewRequest,
        per_account_per_hour: u32,
    ) -> Result<Accepted, StoreError> {
        match self {
            Store::Sqlite(s) => s.accept(new, per_account_per_hour).await,
            Store::Postgres(s) => s.accept(new, per_account_per_hour).await,
        }
    }

    pub async fn request(&self, id: &str) -> Result<Option<StoredRequest>, StoreError> {
        match self {
            Store::Sqlite(s) => s.request(id).await,
            Store::Postgres(s) => s.request(id).await,
        }
    }

    /// Takes the lease of the request due longest, if any is due at `now`.
    pub async fn claim_due(
        &self,
        owner: &str,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Option<Claimed>, StoreError> {
        match self {
            Store::Sqlite(s) => s.claim_due(owner, lease, now).await,
            Store::Postgres(s) => s.claim_due(owner, lease, now).await,
        }
    }

    /// The earliest time a request becomes due (for the deliverers' sleep).
    pub async fn next_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        match self {
            Store::Sqlite(s) => s.next_due().await,
            Store::Postgres(s) => s.next_due().await,
        }
    }

    /// Records the ticket. `false` if `owner` no longer holds the lease.
    pub async fn delivered(
        &self,
        id: &str,
        owner: &str,
        ticket_number: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.delivered(id, owner, ticket_number, now).await,
            Store::Postgres(s) => s.delivered(id, owner, ticket_number, now).await,
        }
    }

    /// Records a failed attempt and when to try again.
    pub async fn retry_later(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.retry_later(id, owner, error, at).await,
            Store::Postgres(s) => s.retry_later(id, owner, error, at).await,
        }
    }

    /// Gives up on a request: status `failed`, kept for an operator.
    pub async fn dead_letter(
        &self,
        id: &str,
        owner: &str,
        error: &str,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.dead_letter(id, owner, error).await,
            Store::Postgres(s) => s.dead_letter(id, owner, error).await,
        }
    }

    /// Every dead letter, oldest first.
    pub async fn dead_letters(&self) -> Result<Vec<StoredRequest>, StoreError> {
        match self {
            Store::Sqlite(s) => s.dead_letters().await,
            Store::Postgres(s) => s.dead_letters().await,
        }
    }

    /// Puts a dead letter back in the queue, due now, with its attempts
    /// counted afresh. `false` if `id` is not a dead letter.
    pub async fn replay(&self, id: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.replay(id, now).await,
            Store::Postgres(s) => s.replay(id, now).await,
        }
    }

    pub async fn counts(&self) -> Result<Counts, StoreError> {
        match self {
            Store::Sqlite(s) => s.counts().await,
            Store::Postgres(s) => s.counts().await,
        }
    }

    /// Enrols `key`, unless its user already has [`MAX_KEYS_PER_USER`].
    pub async fn enrol(&self, key: DeviceKey) -> Result<Enrolled, StoreError> {
        match self {
            Store::Sqlite(s) => s.enrol(key).await,
            Store::Postgres(s) => s.enrol(key).await,
        }
    }

    pub async fn device_key(&self, key_id: &str) -> Result<Option<DeviceKey>, StoreError> {
        match self {
            Store::Sqlite(s) => s.device_key(key_id).await,
            Store::Postgres(s) => s.device_key(key_id).await,
        }
    }
}

/// Milliseconds since the Unix epoch: how both databases keep times.
pub(crate) fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn status_from(text: &str) -> Status {
    match text {
        "delivered" => Status::Delivered,
        "failed" => Status::Failed,
        _ => Status::Accepted,
    }
}

/// The SQL condition (on `device_proof`) selecting the requests in the same
/// per-account budget as `proof`: those from the account's enrolled device,
/// or all others. The stored JSON begins with its `kind` (serde writes an
/// internally tagged enum's tag first; a test holds it to that).
pub(crate) fn budget_filter(proof: &DeviceProof) -> &'static str {
    match proof {
        DeviceProof::EnrolledDevice { .. } => "device_proof LIKE '{\"kind\":\"enrolledDevice\"%'",
        DeviceProof::UnverifiedDevice { .. } => {
            "device_proof NOT LIKE '{\"kind\":\"enrolledDevice\"%'"
        }
    }
}

pub(crate) fn proof_to_json(proof: &DeviceProof) -> String {
    serde_json::to_string(proof).unwrap_or_else(|_| "{}".into())
}

/// The stored proof: any shape a relay wrote reads (an earlier relay's
/// English note as the reason it names); a row that is not a proof at all
/// is delivered as unverified, saying the proof could not be read, never
/// dropped.
pub(crate) fn proof_from_json(text: &str) -> DeviceProof {
    serde_json::from_str(text).unwrap_or(DeviceProof::unverified(
        UnverifiedReason::StoredProofUnreadable,
    ))
}

/// The tables, in SQL both databases accept. Times are Unix milliseconds.
pub(crate) const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS reset_requests (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        body_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        upn TEXT NOT NULL,
        source TEXT NOT NULL,
        device_proof TEXT NOT NULL,
        status TEXT NOT NULL,
        ticket_number TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        accepted_at BIGINT NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        delivered_at BIGINT
    )",
    "CREATE INDEX IF NOT EXISTS reset_requests_due ON reset_requests (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS reset_requests_upn ON reset_requests (upn, accepted_at)",
    "CREATE TABLE IF NOT EXISTS device_keys (
        key_id TEXT PRIMARY KEY,
        upn TEXT NOT NULL,
        user_id TEXT NOT NULL,
        public_key TEXT NOT NULL UNIQUE,
        os TEXT NOT NULL,
        app_version TEXT NOT NULL,
        enrolled_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS device_keys_user ON device_keys (user_id, enrolled_at)",
    // Owner notices, dispute links and disputes: see `notify.rs`.
    notify::NOTICES_TABLE,
    notify::LINKS_TABLE,
    notify::DISPUTES_TABLE,
    notify::PARTS_TABLE,
];

/// The columns of a [`StoredRequest`], in the order the row readers expect.
pub(crate) const REQUEST_COLUMNS: &str =
    "id, idempotency_key, body_hash, body, upn, source, device_proof, \
     status, ticket_number, attempts, last_error, accepted_at, next_attempt_at";

pub(crate) const KEY_COLUMNS: &str =
    "key_id, upn, user_id, public_key, os, app_version, enrolled_at";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_proof_begins_with_its_kind_so_the_budget_filter_holds() {
        let enrolled = DeviceProof::EnrolledDevice {
            key_id: "dk-%_1".into(),
            enrolled_at: OffsetDateTime::UNIX_EPOCH,
            enrolled_os: "{\"kind\":\"unverifiedDevice\"".into(),
        };
        let unverified = DeviceProof::unverified(UnverifiedReason::UnknownKey {
            key_id: "{\"kind\":\"enrolledDevice\"".into(),
        });
        let prefix = "{\"kind\":\"enrolledDevice\"";
        assert!(proof_to_json(&enrolled).starts_with(prefix));
        assert!(!proof_to_json(&unverified).starts_with(prefix));
        assert!(budget_filter(&enrolled).contains(prefix));
        assert!(budget_filter(&unverified).contains(&format!("NOT LIKE '{prefix}%'")));
    }
}
