//! The signed-in session: one tenant, one app registration, one user.
//!
//! Invariants: the refresh token lives only in the keychain and in this
//! struct's memory, and every rotated token is written to the keychain before
//! anything else happens with the new tokens; only one refresh runs at a time
//! (so the keychain ends with the newest rotated token: Entra does not revoke
//! the old one, the app replaces it); `invalid_grant` clears the
//! keychain entry and means "sign in again".
//!
//! With a relay configured ([`Session::with_device_proof`]), every sign-in
//! also makes sure this computer holds an enrolled device key for the
//! account ([`crate::device_key`]): afterwards, in the background, so it
//! never delays or fails the sign-in.

use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Instant;

use tokio::sync::{watch, Mutex};

use crate::auth::{
    Access, BrowserOpener, DeviceCodeStart, IdentityPlatform, SignInError, SignedInUser, Tokens,
    FRESH_MFA_CLAIMS,
};
use crate::config::{Config, Endpoints};
use crate::device_key::{DeviceEnroller, Enrolment};
use crate::graph::{GraphClient, GraphError};
use crate::guardrails::PhoneNumber;
use crate::secret::{AccessToken, RefreshToken};
use crate::security_info::{AuthMethod, MethodId, PhoneType, SecondaryMethod, SecurityInfo};
use crate::token_store::{KeychainError, KeychainStore};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("nobody is signed in")]
    NotSignedIn,
    /// The stored sign-in was refused (`invalid_grant`); it has been removed.
    #[error("your sign-in has expired or was revoked ({0}); please sign in again")]
    Expired(String),
    #[error("a sign-in is already waiting for the browser; finish or cancel it first")]
    SignInInProgress,
    /// A change needs the user to confirm it's them (MFA within the last
    /// ten minutes, and the permission to change methods). Nothing was changed.
    #[error("confirm it's you before changing your sign-in methods{}", .0.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    FreshSignInNeeded(Option<String>),
    /// The tenant refused the change again after the user confirmed in
    /// answer to a first refusal: the organisation does not let users make it
    /// here. Nothing was changed.
    #[error("your organisation does not let this app make that change ({0}); use the Security Info page instead")]
    ChangeNotAllowed(String),
    /// The user confirmed in the browser as another account (another object
    /// id, even under the same UPN).
    #[error(
        "you confirmed as {confirmed}, which is not the account {signed_in} signed in here; confirm as that account"
    )]
    WrongAccount {
        signed_in: String,
        confirmed: String,
    },
}

/// What start-up found in the keychain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    SignedIn {
        upn: String,
    },
    SignedOut,
    /// A stored refresh token was refused and removed.
    Expired,
}

struct Active {
    access_token: AccessToken,
    expires_at: Instant,
    refresh_token: Option<RefreshToken>,
    upn: String,
    /// The account's object id (`oid`) from the last ID token: "confirm it's
    /// you" must come back as this very account, and it is the `{id}` of the
    /// documented `/users/{id}/authentication/signInPreferences`. `None` only
    /// when a restore's refresh answer carried no ID token; confirming then
    /// fails closed.
    object_id: Option<uuid::Uuid>,
    /// What the current tokens were asked for; `Change` after [`Session::confirm_identity`].
    access: Access,
    /// When the user last completed MFA in this session (`confirm_identity`).
    fresh_mfa_at: Option<Instant>,
    /// Graph refused a change (403) and the user was asked to confirm again.
    refused: bool,
    /// The current confirmation was made after such a refusal: another 403
    /// means the organisation forbids the change, not a stale MFA.
    reconfirmed_after_refusal: bool,
}

/// How long the tenant counts an MFA as fresh for changes (the 2026 rule).
pub const FRESH_MFA_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// One change to the signed-in user's own methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodChange {
    AddPhone {
        phone_type: PhoneType,
        number: PhoneNumber,
    },
    UpdatePhone {
        id: MethodId,
        phone_type: PhoneType,
        number: PhoneNumber,
    },
    Delete {
        collection: &'static str,
        id: MethodId,
    },
    SetDefault(SecondaryMethod),
}

impl MethodChange {
    /// Whether a refusal of this change sends the step to the Security Info
    /// page at once. Microsoft's per-API pages say users cannot create or
    /// update their own phone methods through Graph (an overview page says
    /// they can), so for those a 403 right after the user confirmed is the
    /// tenant's answer, not a stale MFA, and asking the user to confirm a
    /// second time would only lead to the same 403. The default method
    /// (beta `signInPreferences`) is the same: the page's "Change default"
    /// does it whatever Graph allows. Deletes are documented for the user's
    /// own account, so their 403 keeps the documented "confirm again and
    /// retry once".
    fn goes_to_the_page_when_refused(&self) -> bool {
        matches!(
            self,
            MethodChange::AddPhone { .. }
                | MethodChange::UpdatePhone { .. }
                | MethodChange::SetDefault(_)
        )
    }
}

/// Whether a Graph error means "this cloud or tenant does not offer that
/// call here" rather than "this request was wrong": 404 or 405 (no such
/// route or method), 501 (not implemented), or Graph's 400 for a path
/// segment it does not know.
fn means_not_here(error: &GraphError) -> bool {
    match error {
        GraphError::Service {
            status: 404 | 405 | 501,
            ..
        } => true,
        GraphError::Service {
            status: 400,
            message,
            ..
        } => message.starts_with("Resource not found for the segment"),
        _ => false,
    }
}

/// What a successful change produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    Added(AuthMethod),
    Done,
}

pub struct Session {
    identity: IdentityPlatform,
    graph: GraphClient,
    store: KeychainStore,
    sign_in_timeout: std::time::Duration,
    /// Shared with the background device-key enrolment, which redeems the
    /// refresh token for the relay's scope under this lock.
    active: Arc<Mutex<Option<Active>>>,
    /// Set while an interactive or device-code sign-in waits; sending `true` cancels it.
    pending_sign_in: SyncMutex<Option<watch::Sender<bool>>>,
    device_code: Mutex<Option<DeviceCodeStart>>,
    /// Enrols a device key after each sign-in (a relay is configured).
    device_proof: Option<DeviceEnroller>,
    /// The enrolment the last sign-in started.
    enrolment: SyncMutex<Option<tokio::task::JoinHandle<Enrolment>>>,
}

/// Clears the pending sign-in slot when the sign-in ends, however it ends.
struct PendingGuard<'a>(&'a SyncMutex<Option<watch::Sender<bool>>>);
impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl Session {
    /// `http` is the shared client; `keychain_service` is normally
    /// [`crate::token_store::DEFAULT_SERVICE`].
    pub fn new(
        config: &Config,
        endpoints: &Endpoints,
        http: reqwest::Client,
        keychain_service: &str,
    ) -> Result<Session, String> {
        let identity = IdentityPlatform::new(
            http.clone(),
            &endpoints.authority_host,
            &config.tenant,
            &config.client_id,
            &config.scopes,
        )?;
        Ok(Session {
            identity,
            graph: GraphClient::for_api(
                http,
                endpoints.graph_base.clone(),
                config.cloud.graph_api(),
            ),
            store: KeychainStore::new(keychain_service, &config.keychain_account()),
            sign_in_timeout: config.sign_in_timeout,
            active: Arc::new(Mutex::new(None)),
            pending_sign_in: SyncMutex::new(None),
            device_code: Mutex::new(None),
            device_proof: None,
            enrolment: SyncMutex::new(None),
        })
    }

    /// Speaks the window's language on the browser's last page.
    pub fn with_language(mut self, language: crate::language::CurrentLanguage) -> Session {
        self.identity = self.identity.with_language(language);
        self
    }

    /// Enrols a device key with the relay after every sign-in.
    pub fn with_device_proof(mut self, enroller: DeviceEnroller) -> Session {
        self.device_proof = Some(enroller);
        self
    }

    /// Starts the device-key enrolment for `upn` in the background. With
    /// `ask_relay` false (a restored sign-in) a key already in the keychain
    /// is checked with the relay (`GET`) rather than enrolled again.
    ///
    /// The relay gets a token for its own scope, got with the refresh token
    /// (Entra's refresh tokens are multi-resource); the Graph token never
    /// leaves for anywhere but Graph.
    fn enrol_device_key(&self, upn: &str, ask_relay: bool) {
        let Some(enroller) = self.device_proof.clone() else {
            return;
        };
        let upn = upn.to_owned();
        let identity = self.identity.clone();
        let store = self.store.clone();
        let active = self.active.clone();
        let task = tokio::spawn(async move {
            match relay_token(&identity, &store, &active, enroller.scope()).await {
                Ok(token) => enroller.enrol(&token, &upn, ask_relay).await,
                Err(e) => {
                    tracing::warn!("no token for the helpdesk relay, so no device key: {e}");
                    Enrolment::Failed(format!("no token for the helpdesk relay: {e}"))
                }
            }
        });
        *self.enrolment.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    /// Waits for the device-key enrolment the last sign-in started; `None`
    /// when none was started (no relay, or already awaited).
    pub async fn device_key_enrolment(&self) -> Option<Enrolment> {
        let task = self
            .enrolment
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()?;
        task.await.ok()
    }

    async fn keychain<T: Send + 'static>(
        &self,
        op: impl FnOnce(&KeychainStore) -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || op(&store))
            .await
            .map_err(|e| KeychainError::Failed(format!("keychain task failed: {e}")))?
    }

    /// At start-up: redeem the keychain's refresh token, if any.
    pub async fn restore(&self) -> Result<Restored, SessionError> {
        let Some(refresh_token) = self.keychain(|s| s.load()).await? else {
            return Ok(Restored::SignedOut);
        };
        let mut active = self.active.lock().await;
        match self.identity.refresh(&refresh_token, Access::Read).await {
            Ok((tokens, user)) => {
                let object_id = user.as_ref().map(|u| u.object_id);
                let upn = user.map(|u| u.upn).unwrap_or_default();
                let accepted = self
                    .accept(
                        tokens,
                        Some(refresh_token),
                        (upn.clone(), object_id),
                        Access::Read,
                    )
                    .await?;
                self.enrol_device_key(&upn, false);
                *active = Some(accepted);
                Ok(Restored::SignedIn { upn })
            }
            Err(SignInError::InvalidGrant(reason)) => {
                tracing::info!("stored sign-in refused: {reason}");
                self.keychain(|s| s.delete()).await?;
                *active = None;
                Ok(Restored::Expired)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a rotated refresh token at once, then makes the tokens current.
    async fn accept(
        &self,
        tokens: Tokens,
        previous: Option<RefreshToken>,
        (upn, object_id): (String, Option<uuid::Uuid>),
        access: Access,
    ) -> Result<Active, SessionError> {
        let refresh_token = tokens.refresh_token.clone().or(previous);
        if let Some(rt) = tokens.refresh_token.clone() {
            self.keychain(move |s| s.save(&rt)).await?;
        }
        Ok(Active {
            access_token: tokens.access_token,
            expires_at: tokens.expires_at,
            refresh_token,
            upn,
            object_id,
            access,
            fresh_mfa_at: None,
            refused: false,
            reconfirmed_after_refusal: false,
        })
    }

    fn begin_sign_in(&self) -> Result<(watch::Receiver<bool>, PendingGuard<'_>), SessionError> {
        let mut pending = self
            .pending_sign_in
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if pending.is_some() {
            return Err(SessionError::SignInInProgress);
        }
        let (tx, rx) = watch::channel(false);
        *pending = Some(tx);
        Ok((rx, PendingGuard(&self.pending_sign_in)))
    }

    /// Interactive sign-in in the system browser. The browser is told
    /// "signed in" only once the refresh token is safely in the keychain.
    pub async fn sign_in_with_browser(
        &self,
        browser: Arc<dyn BrowserOpener>,
    ) -> Result<SignedInUser, SessionError> {
        let (cancel, _guard) = self.begin_sign_in()?;
        let (tokens, user, reply) = self
            .identity
            .sign_in_with_browser(
                browser,
                self.sign_in_timeout,
                cancel,
                None,
                Access::Read,
                None,
            )
            .await?;
        match self
            .accept(
                tokens,
                None,
                (user.upn.clone(), Some(user.object_id)),
                Access::Read,
            )
            .await
        {
            Ok(active) => {
                *self.active.lock().await = Some(active);
                reply.signed_in().await;
                self.enrol_device_key(&user.upn, true);
                Ok(user)
            }
            Err(e) => {
                reply.failed().await;
                Err(e)
            }
        }
    }

    /// Cancels a sign-in waiting for the browser or another device. Idempotent.
    pub fn cancel_sign_in(&self) {
        if let Some(tx) = self
            .pending_sign_in
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = tx.send(true);
        }
    }

    /// Starts a device-code sign-in and returns (user code, verification URI, seconds left).
    pub async fn start_device_code(&self) -> Result<(String, String, u64), SessionError> {
        let start = self.identity.start_device_code().await?;
        let shown = (
            start.user_code().to_owned(),
            start.verification_uri().to_owned(),
            start.expires_in().as_secs(),
        );
        *self.device_code.lock().await = Some(start);
        Ok(shown)
    }

    /// Waits for the device-code sign-in started last.
    pub async fn finish_device_code(&self) -> Result<SignedInUser, SessionError> {
        let (cancel, _guard) = self.begin_sign_in()?;
        let start = self
            .device_code
            .lock()
            .await
            .take()
            .ok_or_else(|| SignInError::Other("no device-code sign-in was started".into()))?;
        let (tokens, user) = self.identity.finish_device_code(&start, cancel).await?;
        let active = self
            .accept(
                tokens,
                None,
                (user.upn.clone(), Some(user.object_id)),
                Access::Read,
            )
            .await?;
        *self.active.lock().await = Some(active);
        self.enrol_device_key(&user.upn, true);
        Ok(user)
    }

    /// A valid access token, refreshed if it has expired (or `force`).
    async fn access_token(&self, force: bool) -> Result<AccessToken, SessionError> {
        let mut active = self.active.lock().await;
        let current = active.as_ref().ok_or(SessionError::NotSignedIn)?;
        if !force && Instant::now() < current.expires_at {
            return Ok(current.access_token.clone());
        }
        let refresh_token = current
            .refresh_token
            .clone()
            .ok_or(SessionError::NotSignedIn)?;
        let (upn, object_id) = (current.upn.clone(), current.object_id);
        let (access, fresh_mfa_at) = (current.access, current.fresh_mfa_at);
        let (refused, reconfirmed) = (current.refused, current.reconfirmed_after_refusal);
        match self.identity.refresh(&refresh_token, access).await {
            Ok((tokens, user)) => {
                // A refresh answer's ID token names the same account; keep
                // what is known when it carries none.
                let account = match user {
                    Some(user) => (user.upn, Some(user.object_id)),
                    None => (upn, object_id),
                };
                let mut next = self
                    .accept(tokens, Some(refresh_token), account, access)
                    .await?;
                // Refreshing keeps the MFA time of the sign-in it came from.
                next.fresh_mfa_at = fresh_mfa_at;
                next.refused = refused;
                next.reconfirmed_after_refusal = reconfirmed;
                let token = next.access_token.clone();
                *active = Some(next);
                Ok(token)
            }
            Err(SignInError::InvalidGrant(reason)) => {
                *active = None;
                self.keychain(|s| s.delete()).await?;
                Err(SessionError::Expired(reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The Security Info screen's data. A 401 gets one refresh and one retry.
    pub async fn security_info(&self) -> Result<SecurityInfo, SessionError> {
        let token = self.access_token(false).await?;
        let me = self.object_id().await;
        match self.graph.load_security_info(&token, me).await {
            Err(GraphError::Unauthorized { .. }) => {
                let token = self.access_token(true).await?;
                Ok(self.graph.load_security_info(&token, me).await?)
            }
            other => Ok(other?),
        }
    }

    /// Asks the user to confirm it's them in the browser: an interactive
    /// sign-in that demands a fresh MFA (`ngcmfa`) and the permission to
    /// change methods. The user must confirm as the account signed in here.
    pub async fn confirm_identity(
        &self,
        browser: Arc<dyn BrowserOpener>,
    ) -> Result<(), SessionError> {
        let (upn, object_id) = self
            .active
            .lock()
            .await
            .as_ref()
            .map(|a| (a.upn.clone(), a.object_id))
            .ok_or(SessionError::NotSignedIn)?;
        let (cancel, _guard) = self.begin_sign_in()?;
        let (tokens, user, reply) = self
            .identity
            .sign_in_with_browser(
                browser,
                self.sign_in_timeout,
                cancel,
                Some(FRESH_MFA_CLAIMS),
                Access::Change,
                Some(&upn),
            )
            .await?;
        // The object id, not the UPN: a UPN can be renamed or reused for
        // another account, so the same name may be someone else.
        if object_id != Some(user.object_id) {
            let e = SessionError::WrongAccount {
                signed_in: upn,
                confirmed: user.upn,
            };
            reply.failed().await;
            return Err(e);
        }
        let refused_before = self.active.lock().await.as_ref().is_some_and(|a| a.refused);
        match self
            .accept(
                tokens,
                None,
                (user.upn, Some(user.object_id)),
                Access::Change,
            )
            .await
        {
            Ok(mut active) => {
                active.fresh_mfa_at = Some(Instant::now());
                active.reconfirmed_after_refusal = refused_before;
                *self.active.lock().await = Some(active);
                reply.signed_in().await;
                Ok(())
            }
            Err(e) => {
                reply.failed().await;
                Err(e)
            }
        }
    }

    /// The signed-in user's object id (the ID token's `oid`), if known.
    async fn object_id(&self) -> Option<uuid::Uuid> {
        self.active.lock().await.as_ref().and_then(|a| a.object_id)
    }

    /// Whether a change can be sent without asking the user to confirm first.
    pub async fn can_change(&self) -> bool {
        self.active.lock().await.as_ref().is_some_and(|a| {
            a.access == Access::Change
                && a.fresh_mfa_at
                    .is_some_and(|t| t.elapsed() < FRESH_MFA_WINDOW)
        })
    }

    /// Sends one change. Without a recent [`Session::confirm_identity`] it
    /// sends nothing and answers [`SessionError::FreshSignInNeeded`].
    ///
    /// A phone create or update or a new default that Graph refuses (403,
    /// or an answer meaning "not here", see `means_not_here`) is
    /// [`SessionError::ChangeNotAllowed`] at once: the user confirmed moments
    /// ago, and the Security Info page can make the change. Any other 403
    /// follows the documented pattern: confirm again (fresh MFA) and retry
    /// once; a 403 on that retry means the organisation forbids the change.
    /// A 401 gets one refresh and one retry.
    pub async fn change(&self, change: &MethodChange) -> Result<Changed, SessionError> {
        if !self.can_change().await {
            return Err(SessionError::FreshSignInNeeded(None));
        }
        let me = self.object_id().await;
        if matches!(change, MethodChange::SetDefault(_)) && me.is_none() {
            return Err(SessionError::ChangeNotAllowed(
                "the sign-in did not say which account is yours (no object id), and the default-method API needs it".into(),
            ));
        }
        let token = self.access_token(false).await?;
        let result = match self.send_change(&token, me, change).await {
            Err(GraphError::Unauthorized { .. }) => {
                let token = self.access_token(true).await?;
                self.send_change(&token, me, change).await
            }
            other => other,
        };
        let mut active = self.active.lock().await;
        let Some(a) = active.as_mut() else {
            return Err(SessionError::NotSignedIn);
        };
        match result {
            Err(e)
                if change.goes_to_the_page_when_refused()
                    && (matches!(e, GraphError::Service { status: 403, .. })
                        || means_not_here(&e)) =>
            {
                a.refused = false;
                a.reconfirmed_after_refusal = false;
                Err(SessionError::ChangeNotAllowed(match e {
                    GraphError::Service {
                        status,
                        code,
                        message,
                        ..
                    } => format!("{status} {code}: {message}"),
                    other => other.to_string(),
                }))
            }
            Err(GraphError::Service {
                status: 403,
                code,
                message,
                ..
            }) => {
                let reason = format!("{code}: {message}");
                if a.reconfirmed_after_refusal {
                    a.refused = false;
                    a.reconfirmed_after_refusal = false;
                    Err(SessionError::ChangeNotAllowed(reason))
                } else {
                    // Stale MFA (or a token without the write permission):
                    // the next attempt asks the user to confirm again.
                    a.refused = true;
                    a.fresh_mfa_at = None;
                    Err(SessionError::FreshSignInNeeded(Some(reason)))
                }
            }
            Ok(changed) => {
                a.refused = false;
                a.reconfirmed_after_refusal = false;
                Ok(changed)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn send_change(
        &self,
        token: &AccessToken,
        me: Option<uuid::Uuid>,
        change: &MethodChange,
    ) -> Result<Changed, GraphError> {
        match change {
            MethodChange::AddPhone { phone_type, number } => self
                .graph
                .add_phone(token, *phone_type, number)
                .await
                .map(Changed::Added),
            MethodChange::UpdatePhone {
                id,
                phone_type,
                number,
            } => self
                .graph
                .update_phone(token, id, *phone_type, number)
                .await
                .map(|()| Changed::Done),
            MethodChange::Delete { collection, id } => self
                .graph
                .delete_method(token, collection, id)
                .await
                .map(|()| Changed::Done),
            MethodChange::SetDefault(choice) => {
                let me = me.ok_or_else(|| {
                    GraphError::Unexpected("no object id for the signed-in user".into())
                })?;
                self.graph
                    .set_default(token, me, choice)
                    .await
                    .map(|()| Changed::Done)
            }
        }
    }

    /// The registered methods, read fresh (to watch for a change made on the
    /// Security Info page or elsewhere). A 401 gets one refresh and one retry.
    pub async fn methods(&self) -> Result<Vec<AuthMethod>, SessionError> {
        let token = self.access_token(false).await?;
        match self.graph.list_methods(&token).await {
            Err(GraphError::Unauthorized { .. }) => {
                let token = self.access_token(true).await?;
                Ok(self.graph.list_methods(&token).await?)
            }
            other => Ok(other?),
        }
    }

    /// Forgets the session and deletes the keychain entry; `true` if one existed.
    pub async fn sign_out(&self) -> Result<bool, SessionError> {
        self.cancel_sign_in();
        *self.active.lock().await = None;
        Ok(self.keychain(|s| s.delete()).await?)
    }

    pub async fn signed_in_upn(&self) -> Option<String> {
        self.active.lock().await.as_ref().map(|a| a.upn.clone())
    }
}

/// A token for the relay's `scope`, redeemed with the session's refresh
/// token under the session's lock (one refresh at a time, so the newest
/// rotated token is the one kept); the rotated refresh token is stored at once. The
/// relay token is returned, never kept with the Graph token.
async fn relay_token(
    identity: &IdentityPlatform,
    store: &KeychainStore,
    active: &Mutex<Option<Active>>,
    scope: &str,
) -> Result<AccessToken, SessionError> {
    let mut active = active.lock().await;
    let current = active.as_mut().ok_or(SessionError::NotSignedIn)?;
    let refresh_token = current
        .refresh_token
        .clone()
        .ok_or(SessionError::NotSignedIn)?;
    let tokens = identity
        .refresh_for(&refresh_token, &[scope, "offline_access"])
        .await?;
    if let Some(rotated) = tokens.refresh_token.clone() {
        let store = store.clone();
        let keep = rotated.clone();
        tokio::task::spawn_blocking(move || store.save(&keep))
            .await
            .map_err(|e| KeychainError::Failed(format!("keychain task failed: {e}")))??;
        current.refresh_token = Some(rotated);
    }
    Ok(tokens.access_token)
}
