//! The refresh token's only home: the OS keychain (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows), through `keyring` with
//! each platform's feature enabled explicitly.
//!
//! Invariant: there is no fallback. If no keychain is reachable the store
//! fails closed with [`KeychainError::Unavailable`]; the token is never
//! written to a file.

pub use crate::keychain::KeychainError;
use crate::keychain::KeychainSecret;
use crate::secret::RefreshToken;

/// The keychain service name under which entries are kept.
pub const DEFAULT_SERVICE: &str = "mfa-assistant";

/// The refresh token's keychain secret: `service` plus `account` (see
/// `Config::keychain_account`), in parts when the token is longer than one
/// entry holds on every platform ([`crate::keychain`]).
#[derive(Debug, Clone)]
pub struct KeychainStore {
    secret: KeychainSecret,
}

impl KeychainStore {
    pub fn new(service: &str, account: &str) -> KeychainStore {
        KeychainStore {
            secret: KeychainSecret::new(service, account),
        }
    }

    /// The stored refresh token, or `None` when nothing (whole) is stored.
    /// Blocking (D-Bus or a platform call): call it off the async runtime.
    pub fn load(&self) -> Result<Option<RefreshToken>, KeychainError> {
        Ok(self.secret.load()?.map(RefreshToken::new))
    }

    /// Stores (replaces) the refresh token. Called at once for every rotated token.
    pub fn save(&self, token: &RefreshToken) -> Result<(), KeychainError> {
        self.secret.save(token.expose_secret())
    }

    /// Deletes the token; `Ok(true)` when there was one.
    pub fn delete(&self) -> Result<bool, KeychainError> {
        self.secret.delete()
    }
}
