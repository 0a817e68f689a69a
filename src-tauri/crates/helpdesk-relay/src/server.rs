//! The relay's HTTP face: the contract's three operations plus a health
//! check. Every request is untrusted input: addresses are rate-limited
//! first, bodies are size-checked before they are parsed, and every refusal
//! is the contract's `{"error": {"code", "message"}}` with a status that
//! tells the app whether to retry.
//!
//! `POST /v1/reset-requests`, in order:
//! 1. the address's rate (429 `tooManyRequests`, `Retry-After`);
//! 2. the body's size (413 `payloadTooLarge`);
//! 3. `Idempotency-Key`, `Content-Type`, JSON, the `ResetRequest` schema
//!    of version 2 or 1, the UPN's grammar, typed text one line (400 with
//!    the contract's codes);
//! 4. the UPN's domain, one of the organisation's (422
//!    `upnOutsideOrganisation`, without listing them);
//! 5. the device proof (400 `invalidSignatureHeaders`, 401
//!    `invalidSignature` / `signatureExpired`);
//! 6. commit: a repeat answers 200 with the first request's status, a reused
//!    key 409 `idempotencyKeyReused`, an account over its hourly limit 429
//!    `tooManyRequestsForAccount`; else 202 `accepted`, and the deliverers
//!    are woken.
//!
//! With the database unavailable every operation answers 503
//! `databaseUnavailable` with `Retry-After`: the app keeps the request and
//! sends it again, so nothing is lost.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use helpdesk_contract::{
    idempotency_key, in_any_domain, is_json_media_type, status_body, validate, ContractError,
    Status, MAX_BODY_BYTES,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::device_keys::{self, CheckError, Enrolment};
use crate::escape::{escaped, quoted};
use crate::rate_limit;
use crate::store::{Accepted, Counts, Enrolled, NewRequest, Store, StoreError};
use crate::ticket::DeviceProof;
use crate::RelayState;

/// The peer's address, set per connection.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// The relay's routes.
pub fn router(state: Arc<RelayState>) -> Router {
    Router::new()
        .route("/v1/reset-requests", post(submit))
        .route("/v1/reset-requests/{request_id}", get(status))
        .route("/v1/device-keys", post(enrol))
        .route("/v1/device-keys/{key_id}", get(enrolled_key))
        .route("/healthz", get(health))
        .route("/dispute/{token}", get(dispute_page).post(dispute))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES * 2))
        .with_state(state)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A refusal in the contract's shape, with `Retry-After` when waiting helps.
#[derive(Debug)]
struct Refusal {
    error: ContractError,
    retry_after: Option<Duration>,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = json_response(status, self.error.body());
        // A refused relay token is a bearer challenge (RFC 6750 §3).
        if self.error.status == 401
            && helpdesk_contract::relay_token::REFUSAL_CODES.contains(&self.error.code)
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(wait) = self.retry_after {
            let seconds = (wait.as_secs_f64().ceil() as u64).max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

fn refuse(error: ContractError) -> Refusal {
    Refusal {
        error,
        retry_after: None,
    }
}

fn too_many(code: &'static str, message: String, wait: Duration) -> Refusal {
    Refusal {
        error: ContractError::new(429, code, message),
        retry_after: Some(wait),
    }
}

fn unavailable(error: &StoreError) -> Refusal {
    tracing::warn!("answering 503: {error}");
    Refusal {
        error: ContractError::new(
            503,
            "databaseUnavailable",
            "the relay cannot store requests right now; send it again later",
        ),
        retry_after: Some(Duration::from_secs(5)),
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned())
}

impl RelayState {
    /// The client's address: the peer's, unless the peer is a trusted
    /// proxy; then the right-most address of the forwarding header that is
    /// not a trusted proxy ([`rate_limit::client_address`]). A header line
    /// that is not text counts as an entry that is not an address.
    fn client_address(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let limits = &self.config.limits;
        let Some(name) = limits.client_header() else {
            return peer.ip().to_canonical();
        };
        let values: Vec<&str> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| v.to_str().unwrap_or("?"))
            .collect();
        rate_limit::client_address(peer.ip(), &limits.trusted_proxies, values.into_iter())
    }

    fn rate_limited(&self, peer: SocketAddr, headers: &HeaderMap) -> Result<IpAddr, Refusal> {
        let address = self.client_address(peer, headers);
        self.limiter
            .check(address, Instant::now())
            .map_err(|wait| {
                tracing::info!(sender = %rate_limit::bucket_of(address), "rate-limited");
                too_many(
                    "tooManyRequests",
                    format!(
                        "too many requests from {address}; at most {} a minute",
                        self.config.limits.per_address_per_minute
                    ),
                    wait,
                )
            })?;
        Ok(address)
    }

    fn store_now(&self) -> Result<Store, Refusal> {
        self.store
            .get()
            .cloned()
            .ok_or_else(|| unavailable(&StoreError::Unavailable("not connected yet".into())))
    }
}

/// The SHA-256 (hex) of a JSON value's canonical form (object members in
/// key order), so a repeat compares equal however its members are ordered.
fn canonical_hash(value: &Value) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn submit(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let source = relay.rate_limited(peer, &headers)?;
    accept(&relay, source, &headers, &body).await
}

async fn accept(
    relay: &RelayState,
    source: IpAddr,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refusal> {
    if body.len() > MAX_BODY_BYTES {
        return Err(refuse(ContractError::new(
            413,
            "payloadTooLarge",
            format!(
                "the body has {} bytes; the relay accepts at most {MAX_BODY_BYTES}",
                body.len()
            ),
        )));
    }
    let key =
        idempotency_key(header_text(headers, "idempotency-key").as_deref()).map_err(refuse)?;
    if !is_json_media_type(header_text(headers, "content-type").as_deref()) {
        return Err(refuse(ContractError::bad(
            "invalidContentType",
            "the body must be sent as Content-Type: application/json",
        )));
    }
    let raw: Value = serde_json::from_slice(body).map_err(|e| {
        refuse(ContractError::bad(
            "invalidJson",
            format!("the body is not JSON: {e}"),
        ))
    })?;
    let request = validate(&raw).map_err(|e| {
        tracing::info!(%source, code = e.code, "refused: {}", escaped(&e.message));
        refuse(e)
    })?;
    // Lower-case by the contract's grammar: one spelling per account for the
    // per-account limit and the device proof.
    let upn = request.upn.as_str().to_owned();
    if !request
        .upn
        .in_any_domain(&relay.config.organisation_domains)
    {
        tracing::info!(%source, "refused a request for {}: outside the organisation", quoted(&upn));
        // The organisation's domains are not listed: a prober learns nothing.
        return Err(refuse(ContractError::new(
            422,
            "upnOutsideOrganisation",
            "this is not an account of this organisation: check the work account",
        )));
    }
    let store = relay.store_now()?;
    let now = OffsetDateTime::now_utc();
    let proof = device_keys::check(
        &store,
        |name| header_text(headers, name),
        &key,
        body,
        &upn,
        now,
    )
    .await
    .map_err(|e| match e {
        CheckError::Refused(e) => {
            tracing::warn!(%source, code = e.code, "refused a request for {}: {}", quoted(&upn), escaped(&e.message));
            refuse(e)
        }
        CheckError::Store(e) => unavailable(&e),
    })?;
    // Requests from the account's own enrolled device have a budget of
    // their own: anyone can send unsigned ones, and must not spend it.
    let signed = matches!(proof, DeviceProof::EnrolledDevice { .. });
    let new = NewRequest {
        id: format!("rr-{}", uuid::Uuid::new_v4()),
        idempotency_key: key.clone(),
        body_hash: canonical_hash(&raw),
        body: String::from_utf8_lossy(body).into_owned(),
        upn: upn.clone(),
        source: source.to_string(),
        device_proof: proof,
        accepted_at: now,
    };
    let per_hour = if signed {
        relay.config.limits.signed_per_account_per_hour
    } else {
        relay.config.limits.per_account_per_hour
    };
    match store.accept(new, per_hour).await.map_err(|e| unavailable(&e))? {
        Accepted::New(stored) => {
            // One new request needs one worker.
            relay.wake.notify_one();
            tracing::info!(request = %stored.id, %source, "accepted a reset request for {} ({})", quoted(&upn), stored.device_proof.label());
            Ok(json_response(StatusCode::ACCEPTED, status_body(&stored.id, Status::Accepted, None)))
        }
        Accepted::Repeat(stored) => Ok(json_response(
            StatusCode::OK,
            status_body(&stored.id, stored.status, stored.ticket_number.as_deref()),
        )),
        Accepted::KeyReused(stored) => Err(refuse(ContractError::new(
            409,
            "idempotencyKeyReused",
            format!(
                "the Idempotency-Key {key} was used with a different body (request {}); a new request needs a new key",
                stored.id
            ),
        ))),
        Accepted::AccountLimit { retry_after } => {
            let which = if signed { "from its enrolled device" } else { "not from its enrolled device" };
            tracing::warn!(%source, "refused a request for {}: over {per_hour} an hour for one account {which}", quoted(&upn));
            Err(too_many(
                "tooManyRequestsForAccount",
                format!("this account already has {per_hour} reset requests {which} in the last hour"),
                retry_after,
            ))
        }
    }
}

async fn status(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    Path(request_id): Path<String>,
) -> Result<Response, Refusal> {
    relay.rate_limited(peer, &headers)?;
    if request_id.len() > 64 {
        return Err(refuse(ContractError::bad(
            "invalidRequestId",
            "a request id has at most 64 characters",
        )));
    }
    let store = relay.store_now()?;
    match store.request(&request_id).await {
        Ok(Some(stored)) => Ok(json_response(
            StatusCode::OK,
            status_body(&stored.id, stored.status, stored.ticket_number.as_deref()),
        )),
        Ok(None) => Err(refuse(ContractError::new(
            404,
            "notFound",
            format!("no reset request {request_id:?}"),
        ))),
        Err(e) => Err(unavailable(&e)),
    }
}

async fn enrol(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let source = relay.rate_limited(peer, &headers)?;
    let user = relay.token_user(&headers, source).await?;
    if !is_json_media_type(header_text(&headers, "content-type").as_deref()) {
        return Err(refuse(ContractError::bad(
            "invalidContentType",
            "the body must be sent as Content-Type: application/json",
        )));
    }
    let enrolment = Enrolment::parse(&body).map_err(refuse)?;
    let store = relay.store_now()?;
    if !in_any_domain(&user.upn, &relay.config.organisation_domains) {
        return Err(refuse(ContractError::new(
            422,
            "upnOutsideOrganisation",
            format!("{} is not an account of this organisation", user.upn),
        )));
    }
    match device_keys::enrol(&store, &user, enrolment, OffsetDateTime::now_utc()).await {
        Ok(Enrolled::New(key)) => {
            tracing::info!(%source, "enrolled device key {} for {}", escaped(&key.key_id), quoted(&key.upn));
            notify_enrolment(&relay, &store, &key, source).await;
            Ok(json_response(StatusCode::CREATED, key_body(&key)))
        }
        Ok(Enrolled::Again(key)) => Ok(json_response(StatusCode::OK, key_body(&key))),
        Ok(Enrolled::Limit) => {
            tracing::warn!(%source, "refused a device key for {}: it already has {} keys", quoted(&user.upn), crate::store::MAX_KEYS_PER_USER);
            Err(refuse(ContractError::new(
                409,
                helpdesk_contract::device_proof::DEVICE_KEY_LIMIT,
                helpdesk_contract::device_proof::device_key_limit_message(
                    crate::store::MAX_KEYS_PER_USER as usize,
                ),
            )))
        }
        Ok(Enrolled::OtherUser(key)) => {
            tracing::warn!(%source, "refused to enrol for {} a key enrolled for {}", quoted(&user.upn), quoted(&key.upn));
            Err(refuse(ContractError::new(
                409,
                "keyEnrolledElsewhere",
                "this public key is enrolled for another account; make a new key",
            )))
        }
        Err(e) => Err(unavailable(&e)),
    }
}

/// `GET /v1/device-keys/{keyId}`: whether that key is still enrolled for
/// the token's user (200 with the `DeviceKey`), else 404 `notFound` (also
/// for another user's key: nothing is told about it). Same token as
/// enrolment.
async fn enrolled_key(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    Path(key_id): Path<String>,
) -> Result<Response, Refusal> {
    let source = relay.rate_limited(peer, &headers)?;
    let user = relay.token_user(&headers, source).await?;
    let not_found = || {
        refuse(ContractError::new(
            404,
            "notFound",
            "this device key is not enrolled for you (removed, or never enrolled): enrol it again",
        ))
    };
    if !helpdesk_contract::device_proof::is_valid_key_id(&key_id) {
        return Err(not_found());
    }
    let store = relay.store_now()?;
    match store.device_key(&key_id).await {
        Ok(Some(key)) if key.user_id == user.oid => {
            Ok(json_response(StatusCode::OK, key_body(&key)))
        }
        Ok(_) => Err(not_found()),
        Err(e) => Err(unavailable(&e)),
    }
}

impl RelayState {
    /// The user of the request's relay token (`crate::access_token`): 401
    /// with the contract's code when there is none or it is refused, 503
    /// when device keys are not configured or the tenant's keys cannot be
    /// fetched. The token is never logged.
    async fn token_user(
        &self,
        headers: &HeaderMap,
        source: IpAddr,
    ) -> Result<helpdesk_contract::relay_token::TokenUser, Refusal> {
        let Some(checker) = &self.tokens else {
            return Err(refuse(ContractError::new(
                503,
                "deviceKeysNotConfigured",
                "this relay has no [entra] configuration, so it enrols no device keys; requests are accepted unverified",
            )));
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                refuse(ContractError::new(
                    401,
                    helpdesk_contract::relay_token::MISSING_TOKEN,
                    format!(
                        "send an access token for the relay's scope ({}/{}) as Authorization: Bearer <token>",
                        checker.expectations().audiences.last().map(String::as_str).unwrap_or("api://…"),
                        checker.expectations().scope
                    ),
                ))
            })?;
        checker
            .check(token, OffsetDateTime::now_utc())
            .await
            .map_err(|e| {
                tracing::info!(%source, code = e.code, "refused a relay token: {}", escaped(&e.message));
                refuse(e)
            })
    }
}

fn key_body(key: &crate::store::DeviceKey) -> Value {
    json!({
        "keyId": key.key_id,
        "upn": key.upn,
        "enrolledAt": key.enrolled_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    })
}

/// How long `/healthz` reuses the queue's counts.
pub const HEALTH_CACHE: Duration = Duration::from_secs(2);

/// `GET /healthz`: 200 with the queue's counts when the database answers;
/// 503 `databaseUnavailable` when it does not. Rate-limited per sender like
/// every route, and cheap: the counts are read from the database at most
/// once per [`HEALTH_CACHE`] however many ask (the ones asking meanwhile
/// wait for that one read), so a flood of health checks is no flood of
/// queries.
async fn health(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    relay.rate_limited(peer, &headers)?;
    let store = relay.store_now()?;
    let counts = cached_counts(&relay, &store)
        .await
        .map_err(|e| unavailable(&e))?;
    Ok(json_response(
        StatusCode::OK,
        json!({
            "status": "ok",
            "helpdesk": relay.helpdesk_name,
            "accepted": counts.accepted,
            "delivered": counts.delivered,
            "failed": counts.failed,
        }),
    ))
}

async fn cached_counts(relay: &RelayState, store: &Store) -> Result<Counts, StoreError> {
    let mut cache = relay.health_cache.lock().await;
    if let Some((at, counts)) = *cache {
        if at.elapsed() < HEALTH_CACHE {
            return Ok(counts);
        }
    }
    let counts = store.counts().await?;
    *cache = Some((Instant::now(), counts));
    Ok(counts)
}

/// Answers 408 `requestTimeout` (and closes the connection) when a request
/// is not answered within `limit` of its headers: a body sent too slowly,
/// or anything else that stalls. A request committed meanwhile is found
/// again by its `Idempotency-Key` when the app retries.
pub async fn request_deadline(
    limit: Duration,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::info!(
                "answered 408: no answer within {} s of the headers",
                limit.as_secs()
            );
            let mut response = refuse(ContractError::new(
                408,
                "requestTimeout",
                format!(
                    "the request was not complete within {} s; send it again",
                    limit.as_secs()
                ),
            ))
            .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// Records the binding notice of a new device key (the notifier sends it;
/// should this fail, its sweep records it from the key's row).
async fn notify_enrolment(
    relay: &RelayState,
    store: &Store,
    key: &crate::store::DeviceKey,
    source: IpAddr,
) {
    if relay.config.notify.is_none() {
        return;
    }
    let details = json!({ "source": source.to_string() }).to_string();
    let recorded = store
        .add_notice(
            crate::store::notify::NoticeKind::Enrolment,
            &key.key_id,
            &key.upn,
            &details,
            key.enrolled_at,
        )
        .await;
    match recorded {
        Ok(()) => relay.notify_wake.notify_one(),
        Err(e) => tracing::warn!("the enrolment notice waits for the notifier's sweep: {e}"),
    }
}

/// `GET /dispute/{token}`: the owner's "This wasn't me" page (changes
/// nothing: mail scanners open links).
async fn dispute_page(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, Refusal> {
    relay.rate_limited(peer, &headers)?;
    let (Some(notify), Some(store)) = (&relay.config.notify, relay.store.get()) else {
        return Err(refuse(ContractError::new(404, "notFound", "no such page")));
    };
    Ok(crate::notify::pages::show(store, notify, &token).await)
}

/// `POST /dispute/{token}`: the owner's dispute.
async fn dispute(
    State(relay): State<Arc<RelayState>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, Refusal> {
    let source = relay.rate_limited(peer, &headers)?;
    let (Some(notify), Some(store)) = (&relay.config.notify, relay.store.get()) else {
        return Err(refuse(ContractError::new(404, "notFound", "no such page")));
    };
    let (page, disputed) =
        crate::notify::pages::dispute(store, notify, &token, &source.to_string()).await;
    if disputed {
        relay.notify_wake.notify_one();
        // A ticket not yet filed is filed saying "disputed".
        relay.wake.notify_one();
    }
    Ok(page)
}
