//! The helpdesk's admin actions on a user (graph-auth-methods.md §5, §7):
//! issuing a Temporary Access Pass, "require re-registration", and
//! redeeming a pass at sign-in.
//!
//! Invariants:
//! - a user has at most one Temporary Access Pass: issuing a new one
//!   replaces the old one (new method id, new code);
//! - the code is returned only by the call that issues it; the tenant keeps
//!   its SHA-256, so neither Graph, the state file nor the admin view can
//!   show it again;
//! - a pass is redeemed only when the code matches *and* it is usable now
//!   (started, not expired, not a used one-time pass); the code is compared
//!   first, so someone without the code learns nothing about the pass;
//! - redeeming a one-time pass marks it used (persisted by the caller).

use std::time::Duration;

use rand::Rng;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenant::{tap_usability, AuthenticationMethod, MethodKind, TapUsability, User};

/// The shortest lifetime Graph accepts: 10 minutes.
pub const MIN_TAP_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The longest lifetime Graph accepts: 43 200 minutes (30 days).
pub const MAX_TAP_LIFETIME: Duration = Duration::from_secs(43_200 * 60);
/// The policy's default lifetime: 1 hour.
pub const DEFAULT_TAP_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The policy's default length of a pass.
const TAP_LENGTH: usize = 8;
/// The characters a pass is made of: letters and digits without the
/// look-alikes (0/O, 1/l/I), plus a few symbols as Entra's passes have.
const TAP_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+#@";

/// How to issue a Temporary Access Pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TapOptions {
    /// How long the pass is valid from its start: whole minutes between
    /// [`MIN_TAP_LIFETIME`] and [`MAX_TAP_LIFETIME`]; default 1 hour.
    pub lifetime: Duration,
    /// Whether the pass is spent by its first successful sign-in
    /// (`isUsableOnce`); default false.
    pub one_time: bool,
    /// When the pass becomes usable; `None` (the default) means now. A
    /// start in the past is accepted (a test can issue an already expired
    /// pass that way).
    pub start: Option<OffsetDateTime>,
}

impl Default for TapOptions {
    fn default() -> Self {
        TapOptions {
            lifetime: DEFAULT_TAP_LIFETIME,
            one_time: false,
            start: None,
        }
    }
}

/// A freshly issued pass: the only place its code is ever shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTap {
    pub upn: String,
    /// The `temporaryAccessPassAuthenticationMethod`'s id.
    pub method_id: String,
    /// The pass itself (`temporaryAccessPass` of Graph's create response).
    pub code: String,
    pub created_at: OffsetDateTime,
    pub starts_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub lifetime_in_minutes: u32,
    pub one_time: bool,
}

/// A method removed by "require re-registration".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedMethod {
    /// The Graph collection, e.g. `phoneMethods`.
    pub collection: String,
    pub id: String,
}

/// Why a pass did not sign the user in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TapRefusal {
    /// No pass, or not this code.
    WrongCode,
    NotYetValid {
        starts_at: OffsetDateTime,
    },
    Expired,
    OneTimeUsed,
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equal-time comparison of two digests.
fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..TAP_LENGTH)
        .map(|_| char::from(TAP_ALPHABET[rng.gen_range(0..TAP_ALPHABET.len())]))
        .collect()
}

/// Checks the options and returns the lifetime in minutes.
pub(crate) fn validate(options: &TapOptions) -> Result<u32, String> {
    let seconds = options.lifetime.as_secs();
    if options.lifetime.subsec_nanos() != 0 || !seconds.is_multiple_of(60) {
        return Err("the lifetime must be a whole number of minutes".into());
    }
    if options.lifetime < MIN_TAP_LIFETIME || options.lifetime > MAX_TAP_LIFETIME {
        return Err(format!(
            "the lifetime must be between 10 and 43200 minutes (30 days), not {} minutes",
            seconds / 60
        ));
    }
    u32::try_from(seconds / 60).map_err(|_| "the lifetime is too long".to_string())
}

/// Issues a pass to `user`, replacing any pass they had. The caller
/// persists.
pub(crate) fn issue(
    user: &mut User,
    options: &TapOptions,
    now: OffsetDateTime,
) -> Result<IssuedTap, String> {
    let lifetime_in_minutes = validate(options)?;
    // Graph's times have whole seconds; so do ours, so what Graph shows
    // and what the sign-in checks are the same instants.
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let start = options.start.unwrap_or(now);
    let start = start.replace_nanosecond(0).unwrap_or(start);
    let code = new_code();
    let method_id = Uuid::new_v4().to_string();
    user.methods
        .retain(|m| !matches!(m.kind, MethodKind::TemporaryAccessPass { .. }));
    user.methods.push(AuthenticationMethod {
        id: method_id.clone(),
        created: now,
        kind: MethodKind::TemporaryAccessPass {
            start,
            lifetime_in_minutes,
            is_usable_once: options.one_time,
            used: false,
            code_sha256: Some(sha256_hex(&code)),
        },
    });
    Ok(IssuedTap {
        upn: user.user_principal_name.clone(),
        method_id,
        code,
        created_at: now,
        starts_at: start,
        expires_at: start + time::Duration::minutes(i64::from(lifetime_in_minutes)),
        lifetime_in_minutes,
        one_time: options.one_time,
    })
}

/// Signs `user` in with `code` at `now`: checks the code, then the pass's
/// usability, and marks a one-time pass used. The caller persists on
/// success.
/// Returns when the pass ends: tokens from this sign-in end then too.
pub(crate) fn redeem(
    user: &mut User,
    code: &str,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, TapRefusal> {
    let entered = sha256_hex(code.trim());
    let pass = user.methods.iter_mut().find_map(|m| match &mut m.kind {
        MethodKind::TemporaryAccessPass {
            start,
            lifetime_in_minutes,
            is_usable_once,
            used,
            code_sha256: Some(hash),
        } => Some((start, lifetime_in_minutes, is_usable_once, used, hash)),
        _ => None,
    });
    let Some((start, lifetime, once, used, hash)) = pass else {
        return Err(TapRefusal::WrongCode);
    };
    if code.trim().is_empty() || !same_digest(&entered, hash) {
        return Err(TapRefusal::WrongCode);
    }
    match tap_usability(*start, *lifetime, *used, now) {
        TapUsability::EnabledByPolicy => {}
        TapUsability::NotYetValid => return Err(TapRefusal::NotYetValid { starts_at: *start }),
        TapUsability::Expired => return Err(TapRefusal::Expired),
        TapUsability::OneTimeUsed => return Err(TapRefusal::OneTimeUsed),
    }
    if *once {
        *used = true;
    }
    Ok(*start + time::Duration::minutes(i64::from(*lifetime)))
}

/// "Require re-registration" (graph-auth-methods.md §7, the portal's
/// button): deletes the user's phones, Microsoft Authenticator
/// registrations and software OATH methods, and clears the default they
/// stood for. Hardware OATH tokens are left as they are (the portal
/// deactivates them, which the emulator does not model). Whatever the user
/// registers next is reachable, so the "lost phone" mark is cleared too.
pub(crate) fn require_reregistration(user: &mut User) -> Vec<RemovedMethod> {
    let mut removed = Vec::new();
    user.methods.retain(|m| {
        let goes = matches!(
            m.kind,
            MethodKind::Phone { .. }
                | MethodKind::MicrosoftAuthenticator { .. }
                | MethodKind::SoftwareOath
        );
        if goes {
            removed.push(RemovedMethod {
                collection: m
                    .kind
                    .collection()
                    .map(|c| c.segment().to_string())
                    .unwrap_or_default(),
                id: m.id.clone(),
            });
        }
        !goes
    });
    // Every default-capable method is gone, so no default remains.
    user.sign_in_preferences
        .user_preferred_method_for_secondary_authentication = None;
    user.mobile_phone = None;
    user.second_factor_reachable = true;
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::seed;

    fn dana() -> User {
        let tenant = seed();
        match tenant.user("dana@contoso-demo.example") {
            Some(user) => user.clone(),
            None => panic!("dana is seeded"),
        }
    }

    #[test]
    fn lifetimes_follow_graphs_range() {
        let with = |minutes: u64| TapOptions {
            lifetime: Duration::from_secs(minutes * 60),
            ..TapOptions::default()
        };
        assert_eq!(validate(&with(10)), Ok(10));
        assert_eq!(validate(&with(43_200)), Ok(43_200));
        assert!(validate(&with(9)).is_err());
        assert!(validate(&with(43_201)).is_err());
        let odd = TapOptions {
            lifetime: Duration::from_secs(61 * 60 + 1),
            ..TapOptions::default()
        };
        assert!(validate(&odd).is_err());
        assert_eq!(validate(&TapOptions::default()), Ok(60));
    }

    #[test]
    fn a_new_pass_replaces_the_old_and_codes_are_checked() {
        let mut user = dana();
        let now = OffsetDateTime::now_utc();
        let first = issue(&mut user, &TapOptions::default(), now);
        let second = issue(&mut user, &TapOptions::default(), now);
        let (Ok(first), Ok(second)) = (first, second) else {
            panic!("issuing failed");
        };
        assert_eq!(first.code.len(), TAP_LENGTH);
        let passes = user
            .methods
            .iter()
            .filter(|m| matches!(m.kind, MethodKind::TemporaryAccessPass { .. }))
            .count();
        assert_eq!(passes, 1);
        if first.code != second.code {
            assert_eq!(
                redeem(&mut user, &first.code, now),
                Err(TapRefusal::WrongCode)
            );
        }
        assert_eq!(redeem(&mut user, &second.code, now), Ok(second.expires_at));
        assert_eq!(redeem(&mut user, "", now), Err(TapRefusal::WrongCode));
    }

    #[test]
    fn one_time_passes_are_spent_by_their_first_use() {
        let mut user = dana();
        let now = OffsetDateTime::now_utc();
        let options = TapOptions {
            one_time: true,
            ..TapOptions::default()
        };
        let Ok(issued) = issue(&mut user, &options, now) else {
            panic!("issuing failed");
        };
        assert_eq!(redeem(&mut user, &issued.code, now), Ok(issued.expires_at));
        assert_eq!(
            redeem(&mut user, &issued.code, now),
            Err(TapRefusal::OneTimeUsed)
        );
    }

    #[test]
    fn reregistration_removes_phones_authenticators_and_software_oath() {
        let tenant = seed();
        let Some(mut chidi) = tenant.user("chidi@contoso-demo.example").cloned() else {
            panic!("chidi is seeded");
        };
        let removed = require_reregistration(&mut chidi);
        let mut collections: Vec<&str> = removed.iter().map(|r| r.collection.as_str()).collect();
        collections.sort();
        assert_eq!(
            collections,
            [
                "microsoftAuthenticatorMethods",
                "phoneMethods",
                "softwareOathMethods"
            ]
        );
        assert!(chidi
            .methods
            .iter()
            .any(|m| matches!(m.kind, MethodKind::Fido2 { .. })));
        assert!(chidi
            .methods
            .iter()
            .any(|m| matches!(m.kind, MethodKind::Password)));
        assert!(chidi
            .sign_in_preferences
            .user_preferred_method_for_secondary_authentication
            .is_none());
    }
}
