//! The owner's side of a request, kept as durably as the request itself:
//! notices to the account's owner (one per accepted reset request and per
//! enrolled device key), the "This wasn't me" links they carry, and the
//! owner's disputes with the helpdesk note each one owes.
//!
//! Invariants:
//! - every reset request and every enrolled key gets exactly one notice
//!   row (`on-reset-<request id>`, `on-enrolment-<key id>`), however often it
//!   is swept or inserted; a notice is sent by whoever holds its lease and
//!   retried until sent or out of attempts (then `failed`, kept); a notice
//!   of several messages records each one sent (`notice_parts`), and a
//!   retry sends only the others;
//! - a dispute link is stored only as the SHA-256 of its token; each send
//!   attempt makes a fresh link, so whatever message reached the owner
//!   carries a link that works, once, until it expires;
//! - a dispute is recorded once per notice (its primary key), in the same
//!   transaction that uses the link up; disputing an enrolment removes the
//!   key;
//! - a disputed reset request owes the helpdesk one note, unless the ticket
//!   that was filed already says "disputed" (`in_ticket`); the note is added
//!   by the holder of its lease, after the ticket exists, and an attempt
//!   that follows an uncertain one is marked so the adapter can look first.
//!
//! The SQL is shared: `?N` parameters (rewritten to `$N` for PostgreSQL),
//! `BIGINT` integers, and `/*LOCK*/` / `/*LOCK d*/` where PostgreSQL adds
//! `FOR UPDATE [OF d] SKIP LOCKED` so that several relays never claim one row.

use std::time::Duration;

use helpdesk_contract::owner_notice::{NoticeChannel, NoticeRecipient};
use time::OffsetDateTime;

use super::{from_millis, millis, Store, StoreError};

pub(crate) const NOTICES_TABLE: &str = "CREATE TABLE IF NOT EXISTS owner_notices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    upn TEXT NOT NULL,
    details TEXT NOT NULL,
    status TEXT NOT NULL,
    sent_to TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    sent_at BIGINT
)";

pub(crate) const LINKS_TABLE: &str = "CREATE TABLE IF NOT EXISTS dispute_links (
    token_hash TEXT PRIMARY KEY,
    notice_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
)";

pub(crate) const DISPUTES_TABLE: &str = "CREATE TABLE IF NOT EXISTS disputes (
    notice_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    upn TEXT NOT NULL,
    disputed_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    in_ticket BIGINT NOT NULL DEFAULT 0,
    note_status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    noted_at BIGINT
)";

/// The messages of a notice already sent (a notice to the owner and their
/// manager is two messages): a retry after partial success sends only the
/// rest.
pub(crate) const PARTS_TABLE: &str = "CREATE TABLE IF NOT EXISTS notice_parts (
    notice_id TEXT NOT NULL,
    part TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (notice_id, part)
)";

/// A parameter or column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V {
    I(i64),
    T(String),
    NullI,
    NullT,
}

impl V {
    fn int(&self) -> i64 {
        match self {
            V::I(i) => *i,
            _ => 0,
        }
    }
    fn opt_int(&self) -> Option<i64> {
        match self {
            V::I(i) => Some(*i),
            _ => None,
        }
    }
    fn text(&self) -> String {
        match self {
            V::T(t) => t.clone(),
            _ => String::new(),
        }
    }
    fn opt_text(&self) -> Option<String> {
        match self {
            V::T(t) => Some(t.clone()),
            _ => None,
        }
    }
}

/// How to read a returned column.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    I,
    T,
    OI,
    OT,
}

/// One statement of a transaction.
#[derive(Debug, Clone)]
pub struct Statement {
    sql: String,
    params: Vec<V>,
    cols: &'static [Col],
}

fn statement(sql: &str, params: Vec<V>, cols: &'static [Col]) -> Statement {
    Statement {
        sql: sql.to_owned(),
        params,
        cols,
    }
}

/// What a statement did: rows changed, and the rows it returned.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub affected: u64,
    pub rows: Vec<Vec<V>>,
}

pub(crate) fn run_sqlite(
    tx: &rusqlite::Transaction<'_>,
    s: &Statement,
) -> rusqlite::Result<Outcome> {
    use rusqlite::types::Value;
    let sql = s.sql.replace("/*LOCK*/", "").replace("/*LOCK d*/", "");
    let params: Vec<Value> = s
        .params
        .iter()
        .map(|v| match v {
            V::I(i) => Value::Integer(*i),
            V::T(t) => Value::Text(t.clone()),
            V::NullI | V::NullT => Value::Null,
        })
        .collect();
    if s.cols.is_empty() {
        let affected = tx.execute(&sql, rusqlite::params_from_iter(params))?;
        return Ok(Outcome {
            affected: affected as u64,
            rows: Vec::new(),
        });
    }
    let mut prepared = tx.prepare(&sql)?;
    let mut rows = prepared.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(s.cols.len());
        for (i, col) in s.cols.iter().enumerate() {
            values.push(match col {
                Col::I => V::I(row.get(i)?),
                Col::T => V::T(row.get(i)?),
                Col::OI => row.get::<_, Option<i64>>(i)?.map_or(V::NullI, V::I),
                Col::OT => row.get::<_, Option<String>>(i)?.map_or(V::NullT, V::T),
            });
        }
        out.push(values);
    }
    Ok(Outcome {
        affected: out.len() as u64,
        rows: out,
    })
}

pub(crate) async fn run_postgres(
    tx: &deadpool_postgres::Transaction<'_>,
    s: &Statement,
) -> Result<Outcome, tokio_postgres::Error> {
    use tokio_postgres::types::ToSql;
    let sql = s
        .sql
        .replace("/*LOCK*/", " FOR UPDATE SKIP LOCKED")
        .replace("/*LOCK d*/", " FOR UPDATE OF d SKIP LOCKED")
        .replace('?', "$");
    let params: Vec<Box<dyn ToSql + Sync + Send>> = s
        .params
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync + Send> {
            match v {
                V::I(i) => Box::new(*i),
                V::T(t) => Box::new(t.clone()),
                V::NullI => Box::new(None::<i64>),
                V::NullT => Box::new(None::<String>),
            }
        })
        .collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    if s.cols.is_empty() {
        let affected = tx.execute(sql.as_str(), &refs).await?;
        return Ok(Outcome {
            affected,
            rows: Vec::new(),
        });
    }
    let rows = tx.query(sql.as_str(), &refs).await?;
    let out: Vec<Vec<V>> = rows
        .iter()
        .map(|row| {
            s.cols
                .iter()
                .enumerate()
                .map(|(i, col)| match col {
                    Col::I => V::I(row.get::<_, i64>(i)),
                    Col::T => V::T(row.get::<_, String>(i)),
                    Col::OI => row.get::<_, Option<i64>>(i).map_or(V::NullI, V::I),
                    Col::OT => row.get::<_, Option<String>>(i).map_or(V::NullT, V::T),
                })
                .collect()
        })
        .collect();
    Ok(Outcome {
        affected: out.len() as u64,
        rows: out,
    })
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// An accepted reset request (a recovery event).
    Reset,
    /// An enrolled device key (a binding event).
    Enrolment,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Reset => "reset",
            NoticeKind::Enrolment => "enrolment",
        }
    }
    fn parse(text: &str) -> NoticeKind {
        if text == "enrolment" {
            NoticeKind::Enrolment
        } else {
            NoticeKind::Reset
        }
    }
}

/// The notice row's id for a subject.
pub fn notice_id(kind: NoticeKind, subject_id: &str) -> String {
    format!("on-{}-{subject_id}", kind.as_str())
}

/// A notice this instance now holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedNotice {
    pub id: String,
    pub kind: NoticeKind,
    /// The request id or key id.
    pub subject_id: String,
    pub upn: String,
    /// JSON the enrolment handler stored (source address, device), or `{}`.
    pub details: String,
    /// Counting this one.
    pub attempts: u32,
    pub created_at: OffsetDateTime,
}

/// Where a notice stands, for the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeState {
    Pending {
        attempts: u32,
        last_error: Option<String>,
    },
    /// Sent to these (masked) addresses, the work mailbox first.
    Sent {
        to: Vec<NoticeRecipient>,
        at: OffsetDateTime,
    },
    Failed {
        error: String,
    },
}

/// The `sent_to` of a sent notice: its recipients as JSON,
/// `[{"address","channel"}]`.
pub(crate) fn recipients_to_stored(to: &[NoticeRecipient]) -> String {
    serde_json::to_string(to).unwrap_or_else(|_| "[]".into())
}

/// A sent notice's recipients from its `sent_to`. A relay before this one
/// wrote the masked addresses as English, `d***@contoso.com and
/// a***@example.net`: the work mailbox first, then the second address,
/// whose channel (personal address or manager) it did not keep. Nothing
/// readable means an address not recorded (`***`) at the work mailbox,
/// where every notice goes.
pub(crate) fn recipients_from_stored(text: &str) -> Vec<NoticeRecipient> {
    if let Ok(to) = serde_json::from_str::<Vec<NoticeRecipient>>(text) {
        if !to.is_empty() {
            return to;
        }
    }
    let legacy = !text.trim_start().starts_with('[');
    let mut to: Vec<NoticeRecipient> = text
        .split(" and ")
        .map(str::trim)
        .filter(|address| legacy && !address.is_empty())
        .enumerate()
        .map(|(i, address)| NoticeRecipient {
            address: address.to_owned(),
            channel: if i == 0 {
                NoticeChannel::WorkMailbox
            } else {
                NoticeChannel::PersonalAddressOrManager
            },
        })
        .collect();
    if to.is_empty() {
        to.push(NoticeRecipient {
            address: "***".into(),
            channel: NoticeChannel::WorkMailbox,
        });
    }
    to
}

/// What following a dispute link finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Unknown,
    Expired,
    /// Used before (the dispute it recorded, if any, is `disputed_at`).
    Used {
        disputed_at: Option<OffsetDateTime>,
    },
    Valid(LinkSubject),
}

/// What a valid link disputes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSubject {
    pub notice_id: String,
    pub kind: NoticeKind,
    pub subject_id: String,
    pub upn: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A note this instance now holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedNote {
    pub notice_id: String,
    pub request_id: String,
    pub upn: String,
    pub disputed_at: OffsetDateTime,
    /// Counting this one.
    pub attempts: u32,
    /// An earlier attempt may have added the note.
    pub earlier_attempt: bool,
}

/// How a claimed notice or note ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// Sent (a notice: to these masked addresses) or added (a note: no
    /// addresses).
    Done {
        sent_to: Vec<NoticeRecipient>,
    },
    Retry {
        error: String,
        at: OffsetDateTime,
    },
    Failed {
        error: String,
    },
}

impl Store {
    async fn run(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, StoreError> {
        match self {
            Store::Sqlite(s) => s.run(statements).await,
            Store::Postgres(s) => s.run(statements).await,
        }
    }

    async fn run_one(&self, s: Statement) -> Result<Outcome, StoreError> {
        Ok(self.run(vec![s]).await?.pop().unwrap_or_default())
    }

    /// Makes sure every reset request and enrolled key since `since` has
    /// its notice row (a crash between committing one and recording its
    /// notice loses nothing). Returns how many were added.
    pub async fn sweep_notices(&self, since: OffsetDateTime) -> Result<u64, StoreError> {
        let since = V::I(millis(since));
        let outcomes = self
            .run(vec![
                statement(
                    "INSERT INTO owner_notices (id, kind, subject_id, upn, details, status, attempts, created_at, next_attempt_at) \
                     SELECT 'on-reset-' || r.id, 'reset', r.id, r.upn, '{}', 'pending', 0, r.accepted_at, r.accepted_at \
                     FROM reset_requests r WHERE r.accepted_at >= ?1 \
                       AND NOT EXISTS (SELECT 1 FROM owner_notices n WHERE n.id = 'on-reset-' || r.id) \
                     ON CONFLICT (id) DO NOTHING",
                    vec![since.clone()],
                    &[],
                ),
                statement(
                    "INSERT INTO owner_notices (id, kind, subject_id, upn, details, status, attempts, created_at, next_attempt_at) \
                     SELECT 'on-enrolment-' || k.key_id, 'enrolment', k.key_id, k.upn, '{}', 'pending', 0, k.enrolled_at, k.enrolled_at \
                     FROM device_keys k WHERE k.enrolled_at >= ?1 \
                       AND NOT EXISTS (SELECT 1 FROM owner_notices n WHERE n.id = 'on-enrolment-' || k.key_id) \
                     ON CONFLICT (id) DO NOTHING",
                    vec![since],
                    &[],
                ),
            ])
            .await?;
        Ok(outcomes.iter().map(|o| o.affected).sum())
    }

    /// Records a notice to send (once per subject; a repeat changes nothing).
    pub async fn add_notice(
        &self,
        kind: NoticeKind,
        subject_id: &str,
        upn: &str,
        details: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.run_one(statement(
            "INSERT INTO owner_notices (id, kind, subject_id, upn, details, status, attempts, created_at, next_attempt_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6) ON CONFLICT (id) DO NOTHING",
            vec![
                V::T(notice_id(kind, subject_id)),
                V::T(kind.as_str().into()),
                V::T(subject_id.into()),
                V::T(upn.into()),
                V::T(details.into()),
                V::I(millis(now)),
            ],
            &[],
        ))
        .await
        .map(|_| ())
    }

    /// Takes the lease of the notice due longest, if any.
    pub async fn claim_notice(
        &self,
        owner: &str,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedNotice>, StoreError> {
        let now = millis(now);
        let outcome = self
            .run_one(statement(
                "UPDATE owner_notices SET lease_owner = ?1, lease_until = ?2, attempts = attempts + 1 \
                 WHERE id = (SELECT id FROM owner_notices WHERE status = 'pending' AND next_attempt_at <= ?3 \
                   AND (lease_until IS NULL OR lease_until < ?3) ORDER BY next_attempt_at LIMIT 1 /*LOCK*/) \
                 RETURNING id, kind, subject_id, upn, details, attempts, created_at",
                vec![
                    V::T(owner.into()),
                    V::I(now + lease.as_millis() as i64),
                    V::I(now),
                ],
                &[Col::T, Col::T, Col::T, Col::T, Col::T, Col::I, Col::I],
            ))
            .await?;
        Ok(outcome.rows.first().map(|r| ClaimedNotice {
            id: r[0].text(),
            kind: NoticeKind::parse(&r[1].text()),
            subject_id: r[2].text(),
            upn: r[3].text(),
            details: r[4].text(),
            attempts: r[5].int().try_into().unwrap_or(u32::MAX),
            created_at: from_millis(r[6].int()),
        }))
    }

    /// Records how a claimed notice ended. `false` if the lease was lost.
    pub async fn notice_finished(
        &self,
        id: &str,
        owner: &str,
        finished: &Finished,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (sql, params) = match finished {
            Finished::Done { sent_to } => (
                "UPDATE owner_notices SET status = 'sent', sent_to = ?3, sent_at = ?4, last_error = NULL, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
                vec![V::T(recipients_to_stored(sent_to)), V::I(millis(now))],
            ),
            Finished::Retry { error, at } => (
                "UPDATE owner_notices SET last_error = ?3, next_attempt_at = ?4, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
                vec![V::T(error.clone()), V::I(millis(*at))],
            ),
            Finished::Failed { error } => (
                "UPDATE owner_notices SET status = 'failed', last_error = ?3, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
                vec![V::T(error.clone())],
            ),
        };
        let mut all = vec![V::T(id.into()), V::T(owner.into())];
        all.extend(params);
        Ok(self.run_one(statement(sql, all, &[])).await?.affected == 1)
    }

    /// The parts of notice `id` already sent (see [`PARTS_TABLE`]).
    pub async fn notice_parts(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let outcome = self
            .run_one(statement(
                "SELECT part FROM notice_parts WHERE notice_id = ?1 ORDER BY sent_at",
                vec![V::T(id.into())],
                &[Col::T],
            ))
            .await?;
        Ok(outcome.rows.iter().map(|r| r[0].text()).collect())
    }

    /// Records that `part` of notice `id` was sent (whoever holds the lease:
    /// it was sent either way). A repeat changes nothing.
    pub async fn notice_part_sent(
        &self,
        id: &str,
        part: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.run_one(statement(
            "INSERT INTO notice_parts (notice_id, part, sent_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (notice_id, part) DO NOTHING",
            vec![V::T(id.into()), V::T(part.into()), V::I(millis(now))],
            &[],
        ))
        .await
        .map(|_| ())
    }

    /// The notice about `subject_id`, if any.
    pub async fn notice_state(
        &self,
        kind: NoticeKind,
        subject_id: &str,
    ) -> Result<Option<NoticeState>, StoreError> {
        let outcome = self
            .run_one(statement(
                "SELECT status, sent_to, sent_at, attempts, last_error FROM owner_notices WHERE id = ?1",
                vec![V::T(notice_id(kind, subject_id))],
                &[Col::T, Col::OT, Col::OI, Col::I, Col::OT],
            ))
            .await?;
        Ok(outcome.rows.first().map(|r| match r[0].text().as_str() {
            "sent" => NoticeState::Sent {
                to: recipients_from_stored(&r[1].opt_text().unwrap_or_default()),
                at: from_millis(r[2].opt_int().unwrap_or(0)),
            },
            "failed" => NoticeState::Failed { error: r[4].text() },
            _ => NoticeState::Pending {
                attempts: r[3].int().try_into().unwrap_or(u32::MAX),
                last_error: r[4].opt_text(),
            },
        }))
    }

    /// Stores a dispute link (its token's hash) for a notice.
    pub async fn add_dispute_link(
        &self,
        token_hash: &str,
        notice_id: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.run_one(statement(
            "INSERT INTO dispute_links (token_hash, notice_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            vec![
                V::T(token_hash.into()),
                V::T(notice_id.into()),
                V::I(millis(now)),
                V::I(millis(expires_at)),
            ],
            &[],
        ))
        .await
        .map(|_| ())
    }

    /// What the link with this token hash is, at `now` (changes nothing).
    pub async fn dispute_link(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<LinkState, StoreError> {
        let outcome = self
            .run_one(statement(
                "SELECT l.expires_at, l.used_at, n.id, n.kind, n.subject_id, n.upn, n.created_at, d.disputed_at \
                 FROM dispute_links l JOIN owner_notices n ON n.id = l.notice_id \
                 LEFT JOIN disputes d ON d.notice_id = n.id WHERE l.token_hash = ?1",
                vec![V::T(token_hash.into())],
                &[Col::I, Col::OI, Col::T, Col::T, Col::T, Col::T, Col::I, Col::OI],
            ))
            .await?;
        let Some(r) = outcome.rows.first() else {
            return Ok(LinkState::Unknown);
        };
        if r[1].opt_int().is_some() {
            return Ok(LinkState::Used {
                disputed_at: r[7].opt_int().map(from_millis),
            });
        }
        if r[0].int() <= millis(now) {
            return Ok(LinkState::Expired);
        }
        Ok(LinkState::Valid(LinkSubject {
            notice_id: r[2].text(),
            kind: NoticeKind::parse(&r[3].text()),
            subject_id: r[4].text(),
            upn: r[5].text(),
            created_at: from_millis(r[6].int()),
            expires_at: from_millis(r[0].int()),
        }))
    }

    /// Uses the link up and records the dispute, in one transaction:
    /// `true` if this call did it, `false` if the link was not valid (any
    /// more) and nothing changed. Disputing an enrolment removes the key.
    pub async fn dispute(
        &self,
        token_hash: &str,
        source: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let hash = V::T(token_hash.into());
        let now = V::I(millis(now));
        let outcomes = self
            .run(vec![
                statement(
                    "UPDATE dispute_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                    vec![hash.clone(), now.clone()],
                    &[],
                ),
                statement(
                    "INSERT INTO disputes (notice_id, kind, subject_id, upn, disputed_at, source, in_ticket, note_status, attempts, next_attempt_at) \
                     SELECT n.id, n.kind, n.subject_id, n.upn, ?2, ?3, 0, \
                       CASE WHEN n.kind = 'reset' THEN 'pending' ELSE 'none' END, 0, ?2 \
                     FROM dispute_links l JOIN owner_notices n ON n.id = l.notice_id \
                     WHERE l.token_hash = ?1 AND l.used_at = ?2 \
                     ON CONFLICT (notice_id) DO NOTHING",
                    vec![hash.clone(), now.clone(), V::T(source.into())],
                    &[],
                ),
                statement(
                    "DELETE FROM device_keys WHERE key_id IN (SELECT n.subject_id FROM dispute_links l \
                     JOIN owner_notices n ON n.id = l.notice_id \
                     WHERE l.token_hash = ?1 AND l.used_at = ?2 AND n.kind = 'enrolment')",
                    vec![hash, now],
                    &[],
                ),
            ])
            .await?;
        Ok(outcomes.first().is_some_and(|o| o.affected == 1))
    }

    /// When the owner disputed reset request `request_id`, if they did.
    pub async fn disputed_at(
        &self,
        request_id: &str,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let outcome = self
            .run_one(statement(
                "SELECT disputed_at FROM disputes WHERE notice_id = ?1",
                vec![V::T(notice_id(NoticeKind::Reset, request_id))],
                &[Col::I],
            ))
            .await?;
        Ok(outcome.rows.first().map(|r| from_millis(r[0].int())))
    }

    /// Records that the ticket filed for `request_id` says "disputed", so no
    /// note is owed.
    pub async fn dispute_in_ticket(&self, request_id: &str) -> Result<(), StoreError> {
        self.run_one(statement(
            "UPDATE disputes SET in_ticket = 1 WHERE notice_id = ?1",
            vec![V::T(notice_id(NoticeKind::Reset, request_id))],
            &[],
        ))
        .await
        .map(|_| ())
    }

    /// Takes the lease of a due dispute note whose ticket exists.
    pub async fn claim_note(
        &self,
        owner: &str,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedNote>, StoreError> {
        let now = millis(now);
        let outcome = self
            .run_one(statement(
                "UPDATE disputes SET lease_owner = ?1, lease_until = ?2, attempts = attempts + 1 \
                 WHERE notice_id = (SELECT d.notice_id FROM disputes d JOIN reset_requests r ON r.id = d.subject_id \
                   WHERE d.note_status = 'pending' AND d.in_ticket = 0 AND r.status = 'delivered' \
                     AND d.next_attempt_at <= ?3 AND (d.lease_until IS NULL OR d.lease_until < ?3) \
                   ORDER BY d.next_attempt_at LIMIT 1 /*LOCK d*/) \
                 RETURNING notice_id, subject_id, upn, disputed_at, attempts, last_error",
                vec![
                    V::T(owner.into()),
                    V::I(now + lease.as_millis() as i64),
                    V::I(now),
                ],
                &[Col::T, Col::T, Col::T, Col::I, Col::I, Col::OT],
            ))
            .await?;
        Ok(outcome.rows.first().map(|r| {
            let attempts: u32 = r[4].int().try_into().unwrap_or(u32::MAX);
            ClaimedNote {
                notice_id: r[0].text(),
                request_id: r[1].text(),
                upn: r[2].text(),
                disputed_at: from_millis(r[3].int()),
                attempts,
                earlier_attempt: attempts > 1 || r[5].opt_text().is_some(),
            }
        }))
    }

    /// Records how a claimed note ended. `false` if the lease was lost.
    pub async fn note_finished(
        &self,
        notice_id: &str,
        owner: &str,
        finished: &Finished,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (sql, params) = match finished {
            Finished::Done { .. } => (
                "UPDATE disputes SET note_status = 'added', noted_at = ?3, last_error = NULL, \
                 lease_owner = NULL, lease_until = NULL WHERE notice_id = ?1 AND lease_owner = ?2",
                vec![V::I(millis(now))],
            ),
            Finished::Retry { error, at } => (
                "UPDATE disputes SET last_error = ?3, next_attempt_at = ?4, \
                 lease_owner = NULL, lease_until = NULL WHERE notice_id = ?1 AND lease_owner = ?2",
                vec![V::T(error.clone()), V::I(millis(*at))],
            ),
            Finished::Failed { error } => (
                "UPDATE disputes SET note_status = 'failed', last_error = ?3, \
                 lease_owner = NULL, lease_until = NULL WHERE notice_id = ?1 AND lease_owner = ?2",
                vec![V::T(error.clone())],
            ),
        };
        let mut all = vec![V::T(notice_id.into()), V::T(owner.into())];
        all.extend(params);
        Ok(self.run_one(statement(sql, all, &[])).await?.affected == 1)
    }

    /// Where the dispute note of `request_id` stands: `pending`, `added`,
    /// `failed`, or `None` without a dispute (also when the ticket itself
    /// says disputed: `in-ticket`).
    pub async fn note_status(&self, request_id: &str) -> Result<Option<String>, StoreError> {
        let outcome = self
            .run_one(statement(
                "SELECT note_status, in_ticket FROM disputes WHERE notice_id = ?1",
                vec![V::T(notice_id(NoticeKind::Reset, request_id))],
                &[Col::T, Col::I],
            ))
            .await?;
        Ok(outcome.rows.first().map(|r| {
            if r[1].int() == 1 {
                "in-ticket".to_string()
            } else {
                r[0].text()
            }
        }))
    }

    /// Gives a claimed request back without counting an attempt, due at
    /// `at` (its ticket waits for the owner's notice). `false` if the lease
    /// was lost.
    pub async fn defer(
        &self,
        id: &str,
        owner: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Ok(self
            .run_one(statement(
                "UPDATE reset_requests SET attempts = attempts - 1, next_attempt_at = ?3, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
                vec![V::T(id.into()), V::T(owner.into()), V::I(millis(at))],
                &[],
            ))
            .await?
            .affected
            == 1)
    }

    /// The earliest time a notice or a note becomes due.
    pub async fn next_notify_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        let outcome = self
            .run(vec![
                statement(
                    "SELECT min(next_attempt_at) FROM owner_notices WHERE status = 'pending'",
                    vec![],
                    &[Col::OI],
                ),
                statement(
                    "SELECT min(d.next_attempt_at) FROM disputes d JOIN reset_requests r ON r.id = d.subject_id \
                     WHERE d.note_status = 'pending' AND d.in_ticket = 0 AND r.status = 'delivered'",
                    vec![],
                    &[Col::OI],
                ),
            ])
            .await?;
        Ok(outcome
            .iter()
            .filter_map(|o| o.rows.first().and_then(|r| r[0].opt_int()))
            .min()
            .map(from_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(address: &str, channel: NoticeChannel) -> NoticeRecipient {
        NoticeRecipient {
            address: address.into(),
            channel,
        }
    }

    #[test]
    fn recipients_round_trip_and_an_earlier_relays_text_still_reads() {
        let to = vec![
            at("d***@contoso-demo.example", NoticeChannel::WorkMailbox),
            at("d***@home.example", NoticeChannel::Manager),
        ];
        assert_eq!(recipients_from_stored(&recipients_to_stored(&to)), to);
        // An earlier relay's English text.
        assert_eq!(
            recipients_from_stored("d***@contoso-demo.example and d***@home.example"),
            vec![
                at("d***@contoso-demo.example", NoticeChannel::WorkMailbox),
                at("d***@home.example", NoticeChannel::PersonalAddressOrManager),
            ]
        );
        assert_eq!(
            recipients_from_stored("d***@contoso-demo.example"),
            vec![at("d***@contoso-demo.example", NoticeChannel::WorkMailbox)]
        );
        // Nothing readable: the work mailbox, its address not recorded.
        for unreadable in ["", "  ", "[]", "[{\"address\": 1}]"] {
            assert_eq!(
                recipients_from_stored(unreadable),
                vec![at("***", NoticeChannel::WorkMailbox)],
                "{unreadable:?}"
            );
        }
    }
}
