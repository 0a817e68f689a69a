//! PostgreSQL, for organisations that run several relay instances behind a
//! load balancer. Instances coordinate only through the database:
//! `FOR UPDATE SKIP LOCKED` hands each due request to one instance, leases
//! fence late writers, a per-account advisory lock keeps the hourly limit
//! exact, and a concurrent repeat of one idempotency key is resolved by the
//! unique index.
//!
//! Connections come from a small pool that reconnects by itself, so a
//! database restart costs the requests in flight at that moment a 503 (the
//! app retries them), nothing more.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use time::OffsetDateTime;
use tokio_postgres::{NoTls, Row};

use super::{
    budget_filter, from_millis, millis, proof_from_json, proof_to_json, status_from, Accepted,
    Claimed, Counts, DeviceKey, Enrolled, NewRequest, StoreError, StoredRequest, KEY_COLUMNS,
    MAX_KEYS_PER_USER, REQUEST_COLUMNS, SCHEMA,
};

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}

fn failed(e: tokio_postgres::Error) -> StoreError {
    if e.is_closed() || e.code().is_none() {
        StoreError::Unavailable(error_text(&e))
    } else {
        StoreError::Failed(error_text(&e))
    }
}

fn error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
    }
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

fn request_row(row: &Row) -> StoredRequest {
    StoredRequest {
        id: row.get(0),
        idempotency_key: row.get(1),
        body_hash: row.get(2),
        body: row.get(3),
        upn: row.get(4),
        source: row.get(5),
        device_proof: proof_from_json(row.get(6)),
        status: status_from(row.get(7)),
        ticket_number: row.get(8),
        attempts: row.get::<_, i32>(9).try_into().unwrap_or(0),
        last_error: row.get(10),
        accepted_at: from_millis(row.get(11)),
        next_attempt_at: from_millis(row.get(12)),
    }
}

fn key_row(row: &Row) -> DeviceKey {
    DeviceKey {
        key_id: row.get(0),
        upn: row.get(1),
        user_id: row.get(2),
        public_key: row.get(3),
        os: row.get(4),
        app_version: row.get(5),
        enrolled_at: from_millis(row.get(6)),
    }
}

impl PostgresStore {
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Failed(error_text(&e)))?;
        config.connect_timeout(Duration::from_secs(5));
        config.application_name("mfa-relay");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(8)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        let store = PostgresStore { pool };
        let client = store.client().await?;
        // Instances starting together must not race to create the tables.
        client
            .batch_execute("SELECT pg_advisory_lock(7234001)")
            .await
            .map_err(failed)?;
        let mut result = Ok(());
        for statement in SCHEMA {
            if let Err(e) = client.batch_execute(statement).await {
                result = Err(failed(e));
                break;
            }
        }
        client
            .batch_execute("SELECT pg_advisory_unlock(7234001)")
            .await
            .map_err(failed)?;
        result.map(|()| store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => failed(e),
            other => StoreError::Unavailable(other.to_string()),
        })
    }

    pub async fn accept(
        &self,
        new: NewRequest,
        per_account_per_hour: u32,
    ) -> Result<Accepted, StoreError> {
        // A concurrent first use of the same key, on another instance, makes
        // the insert fail on the unique index; the second try finds it.
        let mut client = self.client().await?;
        match try_accept(&mut client, &new, per_account_per_hour).await {
            Err(e) if is_unique_violation(&e) => {
                try_accept(&mut client, &new, per_account_per_hour)
                    .await
                    .map_err(failed)
            }
            other => other.map_err(failed),
        }
    }

    pub async fn request(&self, id: &str) -> Result<Option<StoredRequest>, StoreError> {
        let client = self.client().await?;
        client
            .query_opt(
                &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE id = $1"),
                &[&id],
            )
            .await
            .map(|r| r.map(|r| request_row(&r)))
            .map_err(failed)
    }

    pub async fn claim_due(
        &self,
        owner: &str,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Option<Claimed>, StoreError> {
        let client = self.client().await?;
        let now = millis(now);
        let lease_until = now + lease.as_millis() as i64;
        let columns = REQUEST_COLUMNS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = client
            .query_opt(
                &format!(
                    "WITH due AS ( \
                       SELECT id, lease_owner AS previous_owner, attempts AS previous_attempts, last_error IS NOT NULL AS had_error FROM reset_requests \
                       WHERE status = 'accepted' AND next_attempt_at <= $1 \
                         AND (lease_until IS NULL OR lease_until < $1) \
                       ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
                     UPDATE reset_requests r SET lease_owner = $2, lease_until = $3, attempts = r.attempts + 1 \
                     FROM due WHERE r.id = due.id \
                     RETURNING {columns}, due.previous_owner, due.previous_attempts, due.had_error"
                ),
                &[&now, &owner, &lease_until],
            )
            .await
            .map_err(failed)?;
        Ok(row.map(|row| {
            let previous_owner: Option<String> = row.get(13);
            let previous_attempts: i32 = row.get(14);
            let had_error: bool = row.get(15);
            Claimed {
                request: request_row(&row),
                earlier_attempt: previous_owner.is_some() || previous_attempts > 0 || had_error,
            }
        }))
    }

    pub async fn next_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT min(greatest(next_attempt_at, coalesce(lease_until, 0))) FROM reset_requests WHERE status = 'accepted'",
                &[],
            )
            .await
            .map_err(failed)?;
        Ok(row.get::<_, Option<i64>>(0).map(from_millis))
    }

    async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        client.execute(sql, params).await.map_err(failed)
    }

    pub async fn delivered(
        &self,
        id: &str,
        owner: &str,
        ticket_number: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.execute(
            "UPDATE reset_requests SET status = 'delivered', ticket_number = $1, delivered_at = $2, \
             last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4",
            &[&ticket_number, &millis(now), &id, &owner],
        )
        .await
        .map(|n| n == 1)
    }

    pub async fn retry_later(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.execute(
            "UPDATE reset_requests SET last_error = $1, next_attempt_at = $2, lease_owner = NULL, lease_until = NULL \
             WHERE id = $3 AND lease_owner = $4",
            &[&error, &millis(at), &id, &owner],
        )
        .await
        .map(|n| n == 1)
    }

    pub async fn dead_letter(
        &self,
        id: &str,
        owner: &str,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.execute(
            "UPDATE reset_requests SET status = 'failed', last_error = $1, lease_owner = NULL, lease_until = NULL \
             WHERE id = $2 AND lease_owner = $3",
            &[&error, &id, &owner],
        )
        .await
        .map(|n| n == 1)
    }

    pub async fn dead_letters(&self) -> Result<Vec<StoredRequest>, StoreError> {
        let client = self.client().await?;
        client
            .query(
                &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE status = 'failed' ORDER BY accepted_at"),
                &[],
            )
            .await
            .map(|rows| rows.iter().map(request_row).collect())
            .map_err(failed)
    }

    pub async fn replay(&self, id: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        self.execute(
            "UPDATE reset_requests SET status = 'accepted', attempts = 0, next_attempt_at = $1, \
             last_error = 'replayed by an operator; before: ' || coalesce(last_error, '') \
             WHERE id = $2 AND status = 'failed'",
            &[&millis(now), &id],
        )
        .await
        .map(|n| n == 1)
    }

    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT \
                   count(*) FILTER (WHERE status = 'accepted'), \
                   count(*) FILTER (WHERE status = 'delivered'), \
                   count(*) FILTER (WHERE status = 'failed') \
                 FROM reset_requests",
                &[],
            )
            .await
            .map_err(failed)?;
        Ok(Counts {
            accepted: row.get::<_, i64>(0) as u64,
            delivered: row.get::<_, i64>(1) as u64,
            failed: row.get::<_, i64>(2) as u64,
        })
    }

    pub async fn enrol(&self, key: DeviceKey) -> Result<Enrolled, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(failed)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            &[&key.user_id],
        )
        .await
        .map_err(failed)?;
        let existing = tx
            .query_opt(
                &format!("SELECT {KEY_COLUMNS} FROM device_keys WHERE public_key = $1"),
                &[&key.public_key],
            )
            .await
            .map_err(failed)?
            .map(|r| key_row(&r));
        if let Some(existing) = existing {
            return Ok(if existing.user_id == key.user_id {
                Enrolled::Again(existing)
            } else {
                Enrolled::OtherUser(existing)
            });
        }
        // The per-user advisory lock above makes count-then-insert safe
        // across instances.
        let held: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM device_keys WHERE user_id = $1",
                &[&key.user_id],
            )
            .await
            .map_err(failed)?
            .get(0);
        if held >= MAX_KEYS_PER_USER {
            return Ok(Enrolled::Limit);
        }
        tx.execute(
            &format!("INSERT INTO device_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[
                &key.key_id,
                &key.upn,
                &key.user_id,
                &key.public_key,
                &key.os,
                &key.app_version,
                &millis(key.enrolled_at),
            ],
        )
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        Ok(Enrolled::New(key))
    }

    pub async fn device_key(&self, key_id: &str) -> Result<Option<DeviceKey>, StoreError> {
        let client = self.client().await?;
        client
            .query_opt(
                &format!("SELECT {KEY_COLUMNS} FROM device_keys WHERE key_id = $1"),
                &[&key_id],
            )
            .await
            .map(|r| r.map(|r| key_row(&r)))
            .map_err(failed)
    }
    /// Runs `statements` in one transaction (the owner-notice tables of
    /// `notify.rs`, whose SQL both databases share).
    pub(crate) async fn run(
        &self,
        statements: Vec<super::notify::Statement>,
    ) -> Result<Vec<super::notify::Outcome>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(failed)?;
        let mut outcomes = Vec::with_capacity(statements.len());
        for statement in &statements {
            outcomes.push(
                super::notify::run_postgres(&tx, statement)
                    .await
                    .map_err(failed)?,
            );
        }
        tx.commit().await.map_err(failed)?;
        Ok(outcomes)
    }
}

async fn try_accept(
    client: &mut deadpool_postgres::Object,
    new: &NewRequest,
    per_account_per_hour: u32,
) -> Result<Accepted, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let earlier = tx
        .query_opt(
            &format!("SELECT {REQUEST_COLUMNS} FROM reset_requests WHERE idempotency_key = $1"),
            &[&new.idempotency_key],
        )
        .await?
        .map(|r| request_row(&r));
    if let Some(earlier) = earlier {
        return Ok(if earlier.body_hash == new.body_hash {
            Accepted::Repeat(earlier)
        } else {
            Accepted::KeyReused(earlier)
        });
    }
    // One account's requests are counted and inserted one at a time,
    // across every instance.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&new.upn])
        .await?;
    let now = millis(new.accepted_at);
    let row = tx
        .query_one(
            // The budget `new` falls in: its account's signed or other requests.
            &format!(
                "SELECT count(*), min(accepted_at) FROM reset_requests \
                 WHERE upn = $1 AND accepted_at > $2 AND {}",
                budget_filter(&new.device_proof)
            ),
            &[&new.upn, &(now - 3_600_000)],
        )
        .await?;
    let count: i64 = row.get(0);
    let oldest: Option<i64> = row.get(1);
    if count >= i64::from(per_account_per_hour) {
        let free_at = oldest.unwrap_or(now) + 3_600_000;
        return Ok(Accepted::AccountLimit {
            retry_after: Duration::from_millis((free_at - now).max(1000) as u64),
        });
    }
    let row = tx
            .query_one(
                &format!(
                    "INSERT INTO reset_requests (id, idempotency_key, body_hash, body, upn, source, device_proof, \
                     status, attempts, accepted_at, next_attempt_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'accepted', 0, $8, $8) RETURNING {REQUEST_COLUMNS}"
                ),
                &[
                    &new.id,
                    &new.idempotency_key,
                    &new.body_hash,
                    &new.body,
                    &new.upn,
                    &new.source,
                    &proof_to_json(&new.device_proof),
                    &now,
                ],
            )
            .await?;
    let stored = request_row(&row);
    tx.commit().await?;
    Ok(Accepted::New(stored))
}
