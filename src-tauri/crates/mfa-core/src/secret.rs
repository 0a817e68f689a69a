//! Secret newtypes. They redact `Debug`, do not implement `Display` or
//! `Serialize`, and hand out their value only through `expose_secret()`, so a
//! token can reach a log or the webview only through a line that says so.

use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself, for the one request that needs it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_type!(
    /// A Graph access token: opaque, short-lived, kept only in memory.
    AccessToken
);
secret_type!(
    /// A refresh token: kept only in the OS keychain and in memory.
    RefreshToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let token = RefreshToken::new("0.AAAA-very-secret");
        let shown = format!("{token:?}");
        assert_eq!(shown, "RefreshToken(<redacted>)");
        assert!(!shown.contains("very-secret"));
        assert_eq!(token.expose_secret(), "0.AAAA-very-secret");
    }
}
