//! The core's parsers of outside input that are private, each behind one
//! call, for the fuzz targets (`src-tauri/crates/fuzz-targets`). Only with
//! the `fuzzing` feature; nothing here parses anything itself: every
//! function calls the code the app runs.

use std::collections::HashMap;
use std::time::Duration;

use oauth2::basic::BasicErrorResponse;
use oauth2::RequestTokenError;
use reqwest::StatusCode;
use serde_json::Value;

use crate::auth::{
    map_token_error, read_direct_id_token, redirect_request, request_target, tokens_from,
    DeviceCodeStart, EntraTokenResponse, RedirectRequest, SignInError, SignedInUser, Tokens,
};
use crate::graph::GraphError;
use crate::journey::ActivityEntry;
use crate::security_info::{AuthMethod, SecurityInfo};

pub use crate::auth::{MAX_DEVICE_CODE_INTERVAL, MAX_DEVICE_CODE_LIFETIME, MAX_TOKEN_LIFETIME};

/// A Graph answer: `status` (a status that is not HTTP's counts as 500),
/// its body's text and headers, as [`crate::graph::GraphClient::send`] reads it.
pub fn graph_answer(
    status: u16,
    text: &str,
    retry_after: Option<Duration>,
    request_id: Option<String>,
) -> Result<Value, GraphError> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    crate::graph::read_answer(status, text, retry_after, request_id)
}

/// A methods list (`{"value": [...]}`) as the app reads it.
pub fn methods_list(list: &Value) -> Result<Vec<AuthMethod>, GraphError> {
    crate::graph::parse_methods(list)
}

/// What one `$batch` answer says (see `graph::read_batch`).
pub struct BatchRound {
    pub done: Vec<(String, Result<Value, GraphError>)>,
    pub retry: Vec<String>,
    pub wait: Option<Duration>,
}

/// A `$batch` answer read on retry round `attempt`.
pub fn batch_answer(response: &Value, attempt: u32) -> Result<BatchRound, GraphError> {
    crate::graph::read_batch(response, attempt).map(|r| BatchRound {
        done: r.done,
        retry: r.retry,
        wait: r.wait,
    })
}

/// The Security Info screen from the first load's batch items and the
/// `signInPreferences` answer.
pub fn security_info(
    items: HashMap<String, Result<Value, GraphError>>,
    preferences: Result<Value, GraphError>,
) -> Result<SecurityInfo, GraphError> {
    crate::graph::security_info_from(items, preferences)
}

/// What a request to the loopback redirect URI is.
#[derive(Debug, PartialEq)]
pub enum Redirect {
    /// Not a sign-in response: answered 404, the wait goes on.
    Stray,
    /// Another sign-in's response: refused, the wait goes on.
    ForeignState,
    /// This sign-in's code: the wait ends.
    Code(String),
    /// This sign-in ended with an error: the wait ends.
    Failed(SignInError),
}

/// A request head as the loopback listener reads it, for a sign-in whose
/// `state` is `expected_state`.
pub fn loopback_request(head: &[u8], expected_state: &str) -> Redirect {
    let Some(target) = request_target(head) else {
        return Redirect::Stray;
    };
    match redirect_request(&target, expected_state) {
        RedirectRequest::Stray => Redirect::Stray,
        RedirectRequest::ForeignState => Redirect::ForeignState,
        RedirectRequest::Code(code) => Redirect::Code(code),
        RedirectRequest::Failed(e) => Redirect::Failed(e),
    }
}

/// A token endpoint's success body, read as `oauth2` reads it (JSON into
/// the token response), then as [`crate::auth::IdentityPlatform::refresh`]
/// uses it: the tokens, and the user from a directly received ID token.
pub fn token_answer(
    body: &[u8],
    client_id: &str,
) -> Result<(Tokens, Option<SignedInUser>), SignInError> {
    let response: EntraTokenResponse = serde_json::from_slice(body)
        .map_err(|e| SignInError::Other(format!("not a token response: {e}")))?;
    let user = response
        .extra_fields()
        .id_token
        .as_deref()
        .map(|t| read_direct_id_token(t, client_id))
        .transpose()?;
    Ok((tokens_from(&response), user))
}

/// A token endpoint's error body, as the error the app shows. `None` when
/// it is not an OAuth error body at all.
pub fn token_error_answer(body: &[u8]) -> Option<SignInError> {
    let error: BasicErrorResponse = serde_json::from_slice(body).ok()?;
    Some(map_token_error(RequestTokenError::ServerResponse(error)))
}

/// The device authorization endpoint's answer, accepted or refused as
/// [`crate::auth::IdentityPlatform::start_device_code`] does.
pub fn device_code_answer(body: &[u8]) -> Result<DeviceCodeStart, SignInError> {
    let details = serde_json::from_slice(body)
        .map_err(|e| SignInError::Other(format!("not a device code answer: {e}")))?;
    DeviceCodeStart::from_answer(details)
}

/// A journey file read into typed steps and written back in the file's shape.
pub fn journey_file(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let journey = crate::journey::read_journey(bytes)?;
    crate::journey::journey_bytes(&journey)
}

/// The activity log's text, as the window and the CSV export read it.
pub fn activity_log(text: &str) -> Vec<ActivityEntry> {
    crate::journey::read_activity(text)
}
