//! Token storage against a stand-in keychain that holds what Windows
//! Credential Manager holds: at most 2,560 bytes per credential, a password
//! stored as UTF-16. The stand-in is plugged in through `keyring`'s own seam
//! (`set_default_credential_builder`), so the code under test is the app's,
//! unchanged; this file is its own test program because that seam is
//! process-wide. The real Secret Service is tested in `keychain.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once};

use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};
use mfa_core::device_key::{DeviceKey, DeviceKeyStore};
use mfa_core::secret::RefreshToken;
use mfa_core::token_store::KeychainStore;

/// Windows: `CRED_MAX_CREDENTIAL_BLOB_SIZE`.
const WINDOWS_BLOB_BYTES: usize = 2_560;

#[derive(Default)]
struct Shelf {
    entries: HashMap<(String, String), String>,
    /// Per service: writes left before every write fails (a crash, a
    /// keychain that went away mid-save).
    writes_left: HashMap<String, usize>,
    writes: usize,
}

/// The stand-in: one shelf shared by every entry, like a real keychain.
#[derive(Clone, Default)]
struct StandIn(Arc<Mutex<Shelf>>);

#[derive(Debug)]
struct StandInCredential {
    shelf: Arc<Mutex<Shelf>>,
    key: (String, String),
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StandIn")
    }
}

impl std::fmt::Debug for Shelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shelf")
    }
}

impl CredentialApi for StandInCredential {
    fn set_password(&self, password: &str) -> keyring::Result<()> {
        // As keyring's Windows backend checks before calling the platform.
        if password.encode_utf16().count() * 2 > WINDOWS_BLOB_BYTES {
            return Err(keyring::Error::TooLong(
                "password encoded as UTF-16".into(),
                WINDOWS_BLOB_BYTES as u32,
            ));
        }
        let mut shelf = self.shelf.lock().unwrap();
        if let Some(left) = shelf.writes_left.get_mut(&self.key.0) {
            if *left == 0 {
                return Err(keyring::Error::PlatformFailure(
                    "the stand-in keychain stopped taking writes".into(),
                ));
            }
            *left -= 1;
        }
        shelf.writes += 1;
        shelf.entries.insert(self.key.clone(), password.to_owned());
        Ok(())
    }

    fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
        self.set_password(std::str::from_utf8(secret).unwrap())
    }

    fn get_password(&self) -> keyring::Result<String> {
        let shelf = self.shelf.lock().unwrap();
        shelf
            .entries
            .get(&self.key)
            .cloned()
            .ok_or(keyring::Error::NoEntry)
    }

    fn get_secret(&self) -> keyring::Result<Vec<u8>> {
        self.get_password().map(String::into_bytes)
    }

    fn delete_credential(&self) -> keyring::Result<()> {
        let mut shelf = self.shelf.lock().unwrap();
        shelf
            .entries
            .remove(&self.key)
            .map(|_| ())
            .ok_or(keyring::Error::NoEntry)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl CredentialBuilderApi for StandIn {
    fn build(
        &self,
        _target: Option<&str>,
        service: &str,
        user: &str,
    ) -> keyring::Result<Box<Credential>> {
        Ok(Box::new(StandInCredential {
            shelf: self.0.clone(),
            key: (service.to_owned(), user.to_owned()),
        }))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn stand_in() -> StandIn {
    static INSTALL: Once = Once::new();
    static SHELF: Mutex<Option<StandIn>> = Mutex::new(None);
    INSTALL.call_once(|| {
        let standin = StandIn::default();
        keyring::set_default_credential_builder(Box::new(standin.clone()));
        *SHELF.lock().unwrap() = Some(standin);
    });
    SHELF.lock().unwrap().clone().unwrap()
}

impl StandIn {
    /// Every entry of `service`: account -> value.
    fn entries(&self, service: &str) -> HashMap<String, String> {
        let shelf = self.0.lock().unwrap();
        shelf
            .entries
            .iter()
            .filter(|((s, _), _)| s == service)
            .map(|((_, a), v)| (a.clone(), v.clone()))
            .collect()
    }

    fn set(&self, service: &str, account: &str, value: &str) {
        self.0
            .lock()
            .unwrap()
            .entries
            .insert((service.to_owned(), account.to_owned()), value.to_owned());
    }

    fn fail_writes_after(&self, service: &str, writes: usize) {
        self.0
            .lock()
            .unwrap()
            .writes_left
            .insert(service.to_owned(), writes);
    }

    fn allow_writes(&self, service: &str) {
        self.0.lock().unwrap().writes_left.remove(service);
    }
}

/// An opaque refresh token of `len` characters, like Entra's (base64url
/// characters and dots), different for each `seed`.
fn entra_like_token(len: usize, seed: u8) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    (0..len)
        .map(|i| ALPHABET[(i * 7 + usize::from(seed) * 13 + i / 3) % ALPHABET.len()] as char)
        .collect()
}

fn service() -> String {
    format!("mfa-assistant-standin-{}", uuid::Uuid::new_v4())
}

const ACCOUNT: &str = "public/contoso.com/4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68";

#[test]
fn the_stand_in_refuses_what_windows_refuses() {
    let keychain = stand_in();
    let service = service();
    let whole = keyring::Entry::new(&service, ACCOUNT).unwrap();
    let token = entra_like_token(16 * 1024, 1);
    assert!(matches!(
        whole.set_password(&token),
        Err(keyring::Error::TooLong(_, 2_560))
    ));
    assert!(whole.set_password(&"x".repeat(1_280)).is_ok());
    assert!(whole.set_password(&"x".repeat(1_281)).is_err());
    assert_eq!(keychain.entries(&service).len(), 1);
}

#[test]
fn a_16_kb_refresh_token_is_kept_in_parts_that_each_fit_and_read_back_whole() {
    let keychain = stand_in();
    let service = service();
    let store = KeychainStore::new(&service, ACCOUNT);
    assert_eq!(store.load().unwrap(), None);

    let token = entra_like_token(16 * 1024, 1);
    store.save(&RefreshToken::new(token.clone())).unwrap();
    assert_eq!(
        store.load().unwrap(),
        Some(RefreshToken::new(token.clone()))
    );
    let entries = keychain.entries(&service);
    assert!(entries.len() > 2, "{} entries", entries.len());
    for (account, value) in &entries {
        assert!(account.starts_with(ACCOUNT), "{account}");
        assert!(value.encode_utf16().count() * 2 <= WINDOWS_BLOB_BYTES);
    }
    // The account's own entry names the parts; it is not the token.
    assert!(!entries[ACCOUNT].contains(&token[..100]));

    // Rotation to another long token, then a short one, leaves no part behind.
    let rotated = entra_like_token(9_000, 2);
    store.save(&RefreshToken::new(rotated.clone())).unwrap();
    assert_eq!(store.load().unwrap(), Some(RefreshToken::new(rotated)));
    assert_eq!(
        keychain.entries(&service).len(),
        1 + 9_000_usize.div_ceil(1_200)
    );
    store.save(&RefreshToken::new("short-token")).unwrap();
    assert_eq!(
        store.load().unwrap(),
        Some(RefreshToken::new("short-token"))
    );
    assert_eq!(
        keychain.entries(&service),
        HashMap::from([(ACCOUNT.to_owned(), "short-token".to_owned())])
    );

    store.save(&RefreshToken::new(token)).unwrap();
    assert!(store.delete().unwrap());
    assert!(keychain.entries(&service).is_empty());
    assert!(!store.delete().unwrap());
}

#[test]
fn a_save_that_stops_halfway_leaves_the_previous_token_whole() {
    let keychain = stand_in();
    let service = service();
    let store = KeychainStore::new(&service, ACCOUNT);
    let first = entra_like_token(16 * 1024, 3);
    store.save(&RefreshToken::new(first.clone())).unwrap();

    // The keychain goes away after five of the next token's parts.
    keychain.fail_writes_after(&service, 5);
    let second = entra_like_token(16 * 1024, 4);
    assert!(store.save(&RefreshToken::new(second.clone())).is_err());
    assert_eq!(store.load().unwrap(), Some(RefreshToken::new(first)));

    // The next save succeeds and leaves only its own parts.
    keychain.allow_writes(&service);
    store.save(&RefreshToken::new(second.clone())).unwrap();
    assert_eq!(store.load().unwrap(), Some(RefreshToken::new(second)));
    assert_eq!(
        keychain.entries(&service).len(),
        1 + (16 * 1024_usize).div_ceil(1_200)
    );
}

#[test]
fn a_half_written_or_mixed_set_is_never_read_as_a_token() {
    let keychain = stand_in();
    let service = service();
    let store = KeychainStore::new(&service, ACCOUNT);
    store
        .save(&RefreshToken::new(entra_like_token(5_000, 5)))
        .unwrap();
    let entries = keychain.entries(&service);
    let part = entries
        .keys()
        .find(|a| a.ends_with("#a1"))
        .expect("part 1 in slot a")
        .clone();

    // Another writer's part in the middle: the digest does not match.
    keychain.set(&service, &part, &entra_like_token(1_200, 6));
    assert_eq!(store.load().unwrap(), None);

    // A part gone: nothing, not a shorter token.
    let other = entra_like_token(5_000, 7);
    store.save(&RefreshToken::new(other.clone())).unwrap();
    assert_eq!(store.load().unwrap(), Some(RefreshToken::new(other)));
    let part = keychain
        .entries(&service)
        .keys()
        .find(|a| a.contains('#'))
        .unwrap()
        .clone();
    keyring::Entry::new(&service, &part)
        .unwrap()
        .delete_credential()
        .unwrap();
    assert_eq!(store.load().unwrap(), None);
}

#[test]
fn a_token_stored_whole_by_an_earlier_version_still_reads() {
    let keychain = stand_in();
    let service = service();
    keychain.set(&service, ACCOUNT, "0.AAAA-token-from-the-first-release");
    let store = KeychainStore::new(&service, ACCOUNT);
    assert_eq!(
        store.load().unwrap(),
        Some(RefreshToken::new("0.AAAA-token-from-the-first-release"))
    );
}

#[test]
fn device_keys_fit_the_same_limits() {
    let keychain = stand_in();
    let service = service();
    let store = DeviceKeyStore::new(&service, ACCOUNT);
    let key = DeviceKey::enrolled(
        "dk_0123456789abcdef",
        "Adele@Contoso.com",
        time::OffsetDateTime::now_utc(),
        helpdesk_contract::device_proof::generate_key(),
    )
    .unwrap();
    store.save(&key).unwrap();
    let loaded = store.load("adele@contoso.com").unwrap().unwrap();
    assert_eq!(loaded.key_id, key.key_id);
    assert_eq!(loaded.public_key(), key.public_key());
    for value in keychain.entries(&service).values() {
        assert!(value.encode_utf16().count() * 2 <= WINDOWS_BLOB_BYTES);
    }
    assert!(store.delete("adele@contoso.com").unwrap());
    assert!(keychain.entries(&service).is_empty());
}
