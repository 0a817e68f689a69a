//! With no keychain the app fails closed: a clear error, and no file written
//! anywhere. Its own test binary, because it changes the process environment.

use mfa_core::secret::RefreshToken;
use mfa_core::token_store::{KeychainError, KeychainStore};

#[test]
fn no_secret_service_fails_closed_with_a_clear_message() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: this test binary has one test and no other threads yet.
    unsafe {
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/mfa-assistant-test-bus",
        );
        std::env::set_var("HOME", home.path());
        std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
        std::env::set_var("XDG_CONFIG_HOME", home.path().join("config"));
    }
    let store = KeychainStore::new("mfa-assistant-test", "demo/x/y");
    let err = store
        .save(&RefreshToken::new("must-not-be-written"))
        .unwrap_err();
    assert!(matches!(err, KeychainError::Unavailable(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("no keychain is available"), "{text}");
    assert!(text.contains("does not store it anywhere else"), "{text}");
    assert!(matches!(
        store.load().unwrap_err(),
        KeychainError::Unavailable(_)
    ));

    // No device key either: the keychain is its only home too.
    let keys = mfa_core::device_key::DeviceKeyStore::new("mfa-assistant-test", "demo/x/y");
    assert!(matches!(
        keys.load("dana@contoso-demo.example").unwrap_err(),
        KeychainError::Unavailable(_)
    ));

    // Nothing was written in the home directory instead.
    let mut written = Vec::new();
    let mut stack = vec![home.path().to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                written.push(e.path());
            }
        }
    }
    assert!(
        written.is_empty(),
        "files written without a keychain: {written:?}"
    );
}
