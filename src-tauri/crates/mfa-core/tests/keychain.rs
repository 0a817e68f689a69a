//! Token storage in the real Secret Service (gnome-keyring in the test
//! session), checked from outside with `secret-tool`, so a silent in-memory
//! mock could not pass.

use mfa_core::secret::RefreshToken;
use mfa_core::token_store::KeychainStore;

fn secret_tool_lookup(service: &str, account: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/install-deps --test");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

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
