//! Token storage in the real Secret Service (gnome-keyring in the test
//! session), checked from outside with `secret-tool`, so a silent in-memory
//! mock could not pass.

mod common;

use common::secret_tool_lookup;
use mfa_core::secret::RefreshToken;
use mfa_core::token_store::KeychainStore;

#[test]
fn tokens_live_in_the_real_secret_service() {
    let service = format!("mfa-assistant-keychain-test-{}", uuid::Uuid::new_v4());
    let account = "public/contoso.com/4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68";
    let store = KeychainStore::new(&service, account);
    assert_eq!(store.load().unwrap(), None);

    store
        .save(&RefreshToken::new("first-refresh-token"))
        .unwrap();
    assert_eq!(
        secret_tool_lookup(&service, account).as_deref(),
        Some("first-refresh-token")
    );

    // Rotation replaces the entry; there is never more than one.
    store
        .save(&RefreshToken::new("rotated-refresh-token"))
        .unwrap();
    assert_eq!(
        store.load().unwrap(),
        Some(RefreshToken::new("rotated-refresh-token"))
    );
    assert_eq!(
        secret_tool_lookup(&service, account).as_deref(),
        Some("rotated-refresh-token")
    );

    assert!(store.delete().unwrap());
    assert_eq!(secret_tool_lookup(&service, account), None);
    assert!(!store.delete().unwrap());
}

/// Entra's refresh tokens are opaque and can be long; a 16 KB one is kept
/// in parts (as it must be on Windows) and read back whole from the real
/// Secret Service, and nothing is left behind when it goes.
#[test]
fn a_16_kb_refresh_token_round_trips_through_the_real_secret_service() {
    let service = format!("mfa-assistant-keychain-test-{}", uuid::Uuid::new_v4());
    let account = "public/contoso.com/4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68";
    let store = KeychainStore::new(&service, account);
    let token: String = (0..16 * 1024)
        .map(|i| {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[i % 65] as char
        })
        .collect();
    store.save(&RefreshToken::new(token.clone())).unwrap();
    assert_eq!(
        store.load().unwrap(),
        Some(RefreshToken::new(token.clone()))
    );

    // Outside the app: the account's entry lists the parts, and each part
    // is in the Secret Service under its own account.
    let manifest = secret_tool_lookup(&service, account).unwrap();
    assert!(
        manifest.starts_with("mfa-assistant:parts:v1:a:14:"),
        "{manifest}"
    );
    let first = secret_tool_lookup(&service, &format!("{account}#a0")).unwrap();
    assert_eq!(first, token[..1_200]);

    // Rotation moves to the other slot and removes the old parts.
    let rotated: String = token.chars().rev().collect();
    store.save(&RefreshToken::new(rotated.clone())).unwrap();
    assert_eq!(store.load().unwrap(), Some(RefreshToken::new(rotated)));
    assert_eq!(secret_tool_lookup(&service, &format!("{account}#a0")), None);
    assert!(secret_tool_lookup(&service, &format!("{account}#b13")).is_some());

    assert!(store.delete().unwrap());
    assert_eq!(secret_tool_lookup(&service, account), None);
    for part in 0..14 {
        assert_eq!(
            secret_tool_lookup(&service, &format!("{account}#b{part}")),
            None
        );
    }
}
