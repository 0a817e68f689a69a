//! One secret under one keychain account, whatever its length.
//!
//! Platform keychains differ in what one entry holds: Windows Credential
//! Manager takes at most 2,560 bytes per credential, and `keyring` stores a
//! password there as UTF-16 (about 1,280 characters), while Entra refresh
//! tokens are opaque and may be far longer. So a secret that does not fit
//! one entry on every platform is kept in parts:
//!
//! - a short secret (at most [`PART_UNITS`] UTF-16 units) is the account's
//!   entry itself, as the first release stored it;
//! - a long one is split into parts in one of two slots (`<account>#a0`,
//!   `#a1`, … or `#b0`, …), and the account's entry becomes a manifest:
//!   the slot, the number of parts and the SHA-256 of the whole secret.
//!
//! Invariants:
//! - the keychain is the only place: parts are keychain entries, nothing is
//!   written to a file;
//! - writing the manifest is the commit: the parts of a new secret are
//!   written into the slot the manifest does not name, so a crash before
//!   the manifest leaves the previous secret whole, and a crash after it
//!   leaves only stale parts, removed by the next save;
//! - a half-written set is never read as the secret: a missing part or a
//!   digest that does not match (two writers interleaved) reads as nothing
//!   stored, logged, and the next save replaces it.

use sha2::{Digest, Sha256};

/// The most UTF-16 code units one entry holds here: 2,400 bytes as UTF-16,
/// under Windows Credential Manager's 2,560-byte limit with room to spare.
pub const PART_UNITS: usize = 1_200;

/// Parts beyond this are refused: 64 parts hold over 75,000 characters.
const MAX_PARTS: usize = 64;

const MANIFEST_PREFIX: &str = "mfa-assistant:parts:v1:";

/// The secret kept under one account of one keychain service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeychainSecret {
    service: String,
    account: String,
}

/// Where a long secret's parts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Manifest {
    slot: char,
    parts: usize,
    sha256: [u8; 32],
}

impl Manifest {
    fn text(&self) -> String {
        format!(
            "{MANIFEST_PREFIX}{}:{}:{}",
            self.slot,
            self.parts,
            hex(&self.sha256)
        )
    }

    /// `None` when `text` is not a manifest (a secret stored whole).
    fn parse(text: &str) -> Option<Result<Manifest, String>> {
        let rest = text.strip_prefix(MANIFEST_PREFIX)?;
        let mut fields = rest.split(':');
        let parsed = (|| {
            let slot = match fields.next()? {
                "a" => 'a',
                "b" => 'b',
                _ => return None,
            };
            let parts: usize = fields.next()?.parse().ok()?;
            let sha256 = unhex(fields.next()?)?;
            (fields.next().is_none() && (1..=MAX_PARTS).contains(&parts)).then_some(Manifest {
                slot,
                parts,
                sha256,
            })
        })();
        Some(parsed.ok_or_else(|| "the keychain entry's list of parts is damaged".to_owned()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// `secret` in pieces of at most [`PART_UNITS`] UTF-16 units, split
/// between characters.
fn split(secret: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut units) = (0, 0);
    for (i, c) in secret.char_indices() {
        if units + c.len_utf16() > PART_UNITS {
            parts.push(&secret[start..i]);
            (start, units) = (i, 0);
        }
        units += c.len_utf16();
    }
    if start < secret.len() {
        parts.push(&secret[start..]);
    }
    parts
}

impl KeychainSecret {
    pub fn new(service: &str, account: &str) -> KeychainSecret {
        KeychainSecret {
            service: service.to_owned(),
            account: account.to_owned(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, account).map_err(map_error)
    }

    fn part_account(&self, slot: char, index: usize) -> String {
        format!("{}#{slot}{index}", self.account)
    }

    fn read(&self, account: &str) -> Result<Option<String>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(text) => Ok(Some(text)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn write(&self, account: &str, text: &str) -> Result<(), KeychainError> {
        self.entry(account)?.set_password(text).map_err(map_error)
    }

    /// Deletes an entry; `Ok(false)` when there was none.
    fn remove(&self, account: &str) -> Result<bool, KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e)),
        }
    }

    /// The manifest the account's entry holds now, if any (a damaged one
    /// counts as none: its parts are unknown and left to be overwritten).
    fn manifest(&self) -> Result<Option<Manifest>, KeychainError> {
        Ok(self
            .read(&self.account)?
            .and_then(|text| Manifest::parse(&text))
            .and_then(Result::ok))
    }

    /// Removes the parts of `slot` from `from` on, up to the first one
    /// missing (parts are written in order, so stale ones are contiguous).
    fn clear_slot(&self, slot: char, from: usize) -> Result<(), KeychainError> {
        for index in from..MAX_PARTS {
            if !self.remove(&self.part_account(slot, index))? {
                break;
            }
        }
        Ok(())
    }

    /// The secret, or `None` when nothing (or only an incomplete set) is
    /// stored. Blocking: call it off the async runtime.
    pub fn load(&self) -> Result<Option<String>, KeychainError> {
        let Some(text) = self.read(&self.account)? else {
            return Ok(None);
        };
        let manifest = match Manifest::parse(&text) {
            None => return Ok(Some(text)),
            Some(Ok(manifest)) => manifest,
            Some(Err(problem)) => {
                tracing::warn!(account = %self.account, "{problem}; read as nothing stored");
                return Ok(None);
            }
        };
        let mut secret = String::new();
        for index in 0..manifest.parts {
            match self.read(&self.part_account(manifest.slot, index))? {
                Some(part) => secret.push_str(&part),
                None => {
                    tracing::warn!(
                        account = %self.account,
                        "part {index} of {} is missing from the keychain; read as nothing stored",
                        manifest.parts
                    );
                    return Ok(None);
                }
            }
        }
        if digest(&secret) != manifest.sha256 {
            tracing::warn!(
                account = %self.account,
                "the parts in the keychain do not make up the secret they were saved as; read as nothing stored"
            );
            return Ok(None);
        }
        Ok(Some(secret))
    }

    /// Stores (replaces) the secret. Blocking: call it off the async runtime.
    pub fn save(&self, secret: &str) -> Result<(), KeychainError> {
        let previous = self.manifest()?;
        let parts = split(secret);
        if parts.len() <= 1 {
            // Fits one entry everywhere: stored whole, as before parts existed.
            self.write(&self.account, secret)?;
        } else {
            if parts.len() > MAX_PARTS {
                return Err(KeychainError::Failed(format!(
                    "a secret of {} characters is more than the keychain entries kept for it hold",
                    secret.chars().count()
                )));
            }
            let slot = match previous {
                Some(Manifest { slot: 'a', .. }) => 'b',
                _ => 'a',
            };
            for (index, part) in parts.iter().enumerate() {
                self.write(&self.part_account(slot, index), part)?;
            }
            // Left by a save that stopped before its manifest.
            self.clear_slot(slot, parts.len())?;
            let manifest = Manifest {
                slot,
                parts: parts.len(),
                sha256: digest(secret),
            };
            self.write(&self.account, &manifest.text())?;
            if previous.map(|p| p.slot) == Some(slot) {
                return Ok(());
            }
        }
        // The previous secret's parts are no longer named by anything.
        if let Some(previous) = previous {
            if let Err(e) = self.clear_slot(previous.slot, 0) {
                tracing::warn!(account = %self.account, "old parts not removed: {e}");
            }
        }
        Ok(())
    }

    /// Deletes the secret and its parts; `Ok(true)` when one was stored.
    pub fn delete(&self) -> Result<bool, KeychainError> {
        let previous = self.manifest()?;
        let existed = self.remove(&self.account)?;
        if let Some(previous) = previous {
            self.clear_slot(previous.slot, 0)?;
        }
        Ok(existed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No keychain service answered (no Secret Service on the session bus, ...).
    #[error("no keychain is available to keep your sign-in ({0}); MFA Assistant does not store it anywhere else")]
    Unavailable(String),
    /// The keychain exists but is locked and was not unlocked.
    #[error("the keychain is locked ({0}); unlock it and try again")]
    Locked(String),
    /// Anything else the platform reported.
    #[error("the keychain reported an error: {0}")]
    Failed(String),
}

pub(crate) fn map_error(e: keyring::Error) -> KeychainError {
    let text = e.to_string();
    match e {
        // The platforms report a locked keychain only in words.
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_)
            if text.to_lowercase().contains("lock") =>
        {
            KeychainError::Locked(text)
        }
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            KeychainError::Unavailable(text)
        }
        _ => KeychainError::Failed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_stay_within_the_budget_and_rejoin_exactly() {
        let ascii = "x".repeat(16 * 1024);
        let parts = split(&ascii);
        assert_eq!(parts.len(), 14);
        assert!(parts.iter().all(|p| p.encode_utf16().count() <= PART_UNITS));
        assert_eq!(parts.concat(), ascii);

        // A character outside the BMP takes two UTF-16 units and is never cut.
        let wide = "a😀".repeat(1_000);
        let parts = split(&wide);
        assert!(parts.iter().all(|p| p.encode_utf16().count() <= PART_UNITS));
        assert_eq!(parts.concat(), wide);
        assert_eq!(split(""), Vec::<&str>::new());
        assert_eq!(split("short"), vec!["short"]);
    }

    #[test]
    fn a_manifest_reads_back_and_a_damaged_one_is_refused() {
        let m = Manifest {
            slot: 'b',
            parts: 3,
            sha256: digest("secret"),
        };
        assert_eq!(Manifest::parse(&m.text()), Some(Ok(m)));
        assert_eq!(Manifest::parse("an ordinary refresh token"), None);
        for damaged in [
            "mfa-assistant:parts:v1:c:3:00",
            "mfa-assistant:parts:v1:a:0:".to_owned().as_str(),
            "mfa-assistant:parts:v1:a:x:aa",
            "mfa-assistant:parts:v1:a:2:zz",
        ] {
            assert!(
                matches!(Manifest::parse(damaged), Some(Err(_))),
                "{damaged}"
            );
        }
    }
}
