//! Signing in and out, and what needs only a sign-in: Security Info and
//! "confirm it's you". Each intent delegates to [`Session`], through the
//! browser the assistant was built with.

use std::time::Duration;

use crate::auth::{SignInError, SignedInUser};
use crate::security_info::SecurityInfo;
use crate::session::{Restored, SessionError};

use super::Assistant;

/// A device-code sign-in waiting for the user on another device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodeSignIn {
    /// What the user types at `verification_uri` (shown, never logged).
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: Duration,
    /// `verification_uri` as a QR code (SVG).
    pub qr_svg: String,
}

impl Assistant {
    /// At start-up: the keychain's sign-in, if it is still good.
    pub async fn restore_session(&self) -> Result<Restored, SessionError> {
        self.session.restore().await
    }

    /// Interactive sign-in in the browser.
    pub async fn sign_in(&self) -> Result<SignedInUser, SessionError> {
        let user = self
            .session
            .sign_in_with_browser(self.browser.clone())
            .await?;
        self.remember_account(&user);
        Ok(user)
    }

    /// Cancels a sign-in waiting for the browser or another device.
    pub fn cancel_sign_in(&self) {
        self.session.cancel_sign_in();
    }

    /// Starts a sign-in on another device (device code).
    pub async fn start_device_code_sign_in(&self) -> Result<DeviceCodeSignIn, SessionError> {
        let (user_code, verification_uri, expires_in) = self.session.start_device_code().await?;
        let qr_svg = crate::qr::svg_for(&verification_uri)
            .map_err(|e| SignInError::Other(format!("the sign-in address as a QR code: {e}")))?;
        Ok(DeviceCodeSignIn {
            user_code,
            verification_uri,
            expires_in: Duration::from_secs(expires_in),
            qr_svg,
        })
    }

    /// Waits for the device-code sign-in started last.
    pub async fn finish_device_code_sign_in(&self) -> Result<SignedInUser, SessionError> {
        let user = self.session.finish_device_code().await?;
        self.remember_account(&user);
        Ok(user)
    }

    /// The signed-in user's methods and default.
    pub async fn security_info(&self) -> Result<SecurityInfo, SessionError> {
        self.session.security_info().await
    }

    /// Signs out; true when a sign-in was removed from the keychain.
    pub async fn sign_out(&self) -> Result<bool, SessionError> {
        self.session.sign_out().await
    }

    pub async fn signed_in_upn(&self) -> Option<String> {
        self.session.signed_in_upn().await
    }

    /// "Confirm it's you": a sign-in in the browser with a fresh MFA.
    pub async fn confirm_identity(&self) -> Result<(), SessionError> {
        self.session.confirm_identity(self.browser.clone()).await
    }

    /// Opens the Security Info page in the browser, for the signed-in
    /// account (`login_hint`).
    pub async fn open_security_info(&self) -> Result<(), String> {
        let mut url = self.security_info_page.url.clone();
        if let Some(upn) = self.session.signed_in_upn().await {
            url.query_pairs_mut().append_pair("login_hint", &upn);
        }
        let browser = self.browser.clone();
        tokio::task::spawn_blocking(move || browser.open(&url))
            .await
            .map_err(|e| format!("the browser could not be started: {e}"))?
    }
}
