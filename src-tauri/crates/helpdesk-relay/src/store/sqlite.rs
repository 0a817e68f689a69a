//! The embedded default: one SQLite file, written with `synchronous=FULL`
//! so a committed request survives a crash or power cut. One connection,
//! used from the blocking thread pool.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use time::OffsetDateTime;

use super::{
    budget_filter, from_millis, millis, proof_from_json, proof_to_json, status_from, Accepted,
    Claimed, Counts, DeviceKey, Enrolled, NewRequest, StoreError, StoredRequest, KEY_COLUMNS,
    MAX_KEYS_PER_USER, REQUEST_COLUMNS, SCHEMA,
};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

fn failed(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(code, _)
            if matches!(
                code.code,
                rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::SystemIoFailure
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Failed(other.to_string()),
    }
}

fn request_row(row: &Row<'_>) -> rusqlite::Result<StoredRequest> {
    Ok(StoredRequest {
        id: row.get(0)?,
        idempotency_key: row.get(1)?,
        body_hash: row.get(2)?,
        body: row.get(3)?,
        upn: row.get(4)?,
        source: row.get(5)?,
        device_proof: proof_from_json(&row.get::<_, String>(6)?),
        status: status_from(&row.get::<_, String>(7)?),
        ticket_number: row.get(8)?,
        attempts: row.get::<_, i64>(9)?.try_into().unwrap_or(u32::MAX),
        last_error: row.get(10)?,
        accepted_at: from_millis(row.get(11)?),
        next_attempt_at: from_millis(row.get(12)?),
    })
}

fn key_row(row: &Row<'_>) -> rusqlite::Result<DeviceKey> {
    Ok(DeviceKey {
        key_id: row.get(0)?,
        upn: row.get(1)?,
        user_id: row.get(2)?,
        public_key: row.get(3)?,
        os: row.get(4)?,
        app_version: row.get(5)?,
        enrolled_at: from_millis(row.get(6)?),
    })
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let connection = Connection::open(&path).map_err(|e| {
                StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
            })?;
            connection
                .busy_timeout(Duration::from_secs(5))
                .map_err(failed)?;
            connection
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(failed)?;
            connection
                .pragma_update(None, "synchronous", "FULL")
                .map_err(failed)?;
            for statement in SCHEMA {
                connection.execute(statement, []).map_err(failed)?;
            }
            Ok(SqliteStore {
                connection: Arc::new(Mutex::new(connection)),
            })
        })
        .await
        .map_err(|e| StoreError::Failed(e.to_string()))?
    }

    /// Runs `work` on the connection in the blocking pool.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .map_err(|_| StoreError::Failed("the database connection was poisoned".into()))?;
            work(&mut connection).map_err(failed)
        })
        .await
        .map_err(|e| StoreError::Failed(e.to_string()))?
    }

    pub async fn accept(
        &self,
        new: NewRequest,
        per_account_per_hour: u32,
    ) -> Result<Accepted, StoreError> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let earlier = tx
                .query_row(
                    &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE idempotency_key = ?1"),
                    params![new.idempotency_key],
                    request_row,
                )
                .optional()?;
            if let Some(earlier) = earlier {
                return Ok(if earlier.body_hash == new.body_hash {
                    Accepted::Repeat(earlier)
                } else {
                    Accepted::KeyReused(earlier)
                });
            }
            let now = millis(new.accepted_at);
            let hour_ago = now - 3_600_000;
            // The budget `new` falls in: its account's signed or other requests.
            let (count, oldest): (i64, Option<i64>) = tx.query_row(
                &format!(
                    "SELECT count(*), min(accepted_at) FROM reset_requests \
                     WHERE upn = ?1 AND accepted_at > ?2 AND {}",
                    budget_filter(&new.device_proof)
                ),
                params![new.upn, hour_ago],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if count >= i64::from(per_account_per_hour) {
                let free_at = oldest.unwrap_or(now) + 3_600_000;
                return Ok(Accepted::AccountLimit {
                    retry_after: Duration::from_millis((free_at - now).max(1000) as u64),
                });
            }
            tx.execute(
                "INSERT INTO reset_requests (id, idempotency_key, body_hash, body, upn, source, device_proof, \
                 status, attempts, accepted_at, next_attempt_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'accepted', 0, ?8, ?8)",
                params![
                    new.id,
                    new.idempotency_key,
                    new.body_hash,
                    new.body,
                    new.upn,
                    new.source,
                    proof_to_json(&new.device_proof),
                    now
                ],
            )?;
            let stored = tx.query_row(
                &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE id = ?1"),
                params![new.id],
                request_row,
            )?;
            tx.commit()?;
            Ok(Accepted::New(stored))
        })
        .await
    }

    pub async fn request(&self, id: &str) -> Result<Option<StoredRequest>, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            c.query_row(
                &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE id = ?1"),
                params![id],
                request_row,
            )
            .optional()
        })
        .await
    }

    pub async fn claim_due(
        &self,
        owner: &str,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Option<Claimed>, StoreError> {
        let owner = owner.to_owned();
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = millis(now);
            let due: Option<(String, Option<String>, i64, bool)> = tx
                .query_row(
                    "SELECT id, lease_owner, attempts, last_error IS NOT NULL FROM reset_requests \
                     WHERE status = 'accepted' AND next_attempt_at <= ?1 \
                       AND (lease_until IS NULL OR lease_until < ?1) \
                     ORDER BY next_attempt_at LIMIT 1",
                    params![now],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((id, previous_owner, attempts, had_error)) = due else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE reset_requests SET lease_owner = ?1, lease_until = ?2, attempts = attempts + 1 WHERE id = ?3",
                params![owner, now + lease.as_millis() as i64, id],
            )?;
            let request = tx.query_row(
                &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE id = ?1"),
                params![id],
                request_row,
            )?;
            tx.commit()?;
            Ok(Some(Claimed {
                request,
                earlier_attempt: previous_owner.is_some() || attempts > 0 || had_error,
            }))
        })
        .await
    }

    pub async fn next_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) FROM reset_requests WHERE status = 'accepted'",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
        })
        .await
        .map(|ms| ms.map(from_millis))
    }

    pub async fn delivered(
        &self,
        id: &str,
        owner: &str,
        ticket_number: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (id, owner, number) = (id.to_owned(), owner.to_owned(), ticket_number.to_owned());
        self.with(move |c| {
            c.execute(
                "UPDATE reset_requests SET status = 'delivered', ticket_number = ?1, delivered_at = ?2, \
                 last_error = NULL, lease_owner = NULL, lease_until = NULL \
                 WHERE id = ?3 AND lease_owner = ?4",
                params![number, millis(now), id, owner],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub async fn retry_later(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (id, owner, error) = (id.to_owned(), owner.to_owned(), error.to_owned());
        self.with(move |c| {
            c.execute(
                "UPDATE reset_requests SET last_error = ?1, next_attempt_at = ?2, lease_owner = NULL, lease_until = NULL \
                 WHERE id = ?3 AND lease_owner = ?4",
                params![error, millis(at), id, owner],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub async fn dead_letter(
        &self,
        id: &str,
        owner: &str,
        error: &str,
    ) -> Result<bool, StoreError> {
        let (id, owner, error) = (id.to_owned(), owner.to_owned(), error.to_owned());
        self.with(move |c| {
            c.execute(
                "UPDATE reset_requests SET status = 'failed', last_error = ?1, lease_owner = NULL, lease_until = NULL \
                 WHERE id = ?2 AND lease_owner = ?3",
                params![error, id, owner],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub async fn dead_letters(&self) -> Result<Vec<StoredRequest>, StoreError> {
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE status = 'failed' ORDER BY accepted_at"
            ))?;
            let rows = statement.query_map([], request_row)?;
            rows.collect()
        })
        .await
    }

    pub async fn replay(&self, id: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            c.execute(
                "UPDATE reset_requests SET status = 'accepted', attempts = 0, next_attempt_at = ?1, \
                 last_error = 'replayed by an operator; before: ' || coalesce(last_error, '') \
                 WHERE id = ?2 AND status = 'failed'",
                params![millis(now), id],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub async fn counts(&self) -> Result<Counts, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT \
                   coalesce(sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END), 0), \
                   coalesce(sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), 0), \
                   coalesce(sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) \
                 FROM reset_requests",
                [],
                |r| {
                    Ok(Counts {
                        accepted: r.get::<_, i64>(0)? as u64,
                        delivered: r.get::<_, i64>(1)? as u64,
                        failed: r.get::<_, i64>(2)? as u64,
                    })
                },
            )
        })
        .await
    }

    pub async fn enrol(&self, key: DeviceKey) -> Result<Enrolled, StoreError> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing = tx
                .query_row(
                    &format!("SELECT {KEY_COLUMNS} FROM device_keys WHERE public_key = ?1"),
                    params![key.public_key],
                    key_row,
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(if existing.user_id == key.user_id {
                    Enrolled::Again(existing)
                } else {
                    Enrolled::OtherUser(existing)
                });
            }
            let held: i64 = tx.query_row(
                "SELECT COUNT(*) FROM device_keys WHERE user_id = ?1",
                params![key.user_id],
                |row| row.get(0),
            )?;
            if held >= MAX_KEYS_PER_USER {
                return Ok(Enrolled::Limit);
            }
            tx.execute(
                &format!(
                    "INSERT INTO device_keys ({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ),
                params![
                    key.key_id,
                    key.upn,
                    key.user_id,
                    key.public_key,
                    key.os,
                    key.app_version,
                    millis(key.enrolled_at)
                ],
            )?;
            tx.commit()?;
            Ok(Enrolled::New(key))
        })
        .await
    }

    pub async fn device_key(&self, key_id: &str) -> Result<Option<DeviceKey>, StoreError> {
        let key_id = key_id.to_owned();
        self.with(move |c| {
            c.query_row(
                &format!("SELECT {KEY_COLUMNS} FROM device_keys WHERE key_id = ?1"),
                params![key_id],
                key_row,
            )
            .optional()
        })
        .await
    }

    /// Runs `statements` in one transaction (the owner-notice tables of
    /// `notify.rs`, whose SQL both databases share).
    pub(crate) async fn run(
        &self,
        statements: Vec<super::notify::Statement>,
    ) -> Result<Vec<super::notify::Outcome>, StoreError> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut outcomes = Vec::with_capacity(statements.len());
            for statement in &statements {
                outcomes.push(super::notify::run_sqlite(&tx, statement)?);
            }
            tx.commit()?;
            Ok(outcomes)
        })
        .await
    }
}
