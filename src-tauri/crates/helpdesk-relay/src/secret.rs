//! Credentials the relay holds for the helpdesk. A [`Secret`] never prints
//! (its `Debug` is redacted) and cannot be serialised, so it cannot end up in
//! a log line, a status page or an error body.

use serde::{Deserialize, Deserializer};

/// A credential: a password, API key or token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The configured value, else the environment variable `env_var`
    /// (so a credential can stay out of the configuration file). The error
    /// names both places.
    pub fn from_config_or_env(
        configured: Option<Secret>,
        env_var: &str,
        what: &str,
    ) -> Result<Secret, String> {
        if let Some(secret) = configured.filter(|s| !s.0.is_empty()) {
            return Ok(secret);
        }
        match std::env::var(env_var) {
            Ok(value) if !value.is_empty() => Ok(Secret(value)),
            _ => Err(format!(
                "{what} is missing: set it in the configuration file or in the environment variable {env_var}"
            )),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(…)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn a_missing_secret_names_both_places() {
        let e = Secret::from_config_or_env(None, "MFA_RELAY_TEST_SURELY_UNSET", "the password")
            .unwrap_err();
        assert!(e.contains("MFA_RELAY_TEST_SURELY_UNSET") && e.contains("configuration file"));
    }
}
