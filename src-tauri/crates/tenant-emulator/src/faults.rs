//! Fault injection: make chosen routes answer with an error status (429 with
//! `Retry-After`, 503...) or answer late, a given number of times.
//!
//! A fault names a route as `"METHOD /path"` (e.g.
//! `"GET /v1.0/me/authentication/methods"`), or `"*"` for every request.
//! Paths compare case-insensitively (Graph's are) and ignore a trailing
//! slash and the query. The identity-platform endpoints also answer to short
//! forms that match any tenant: `"POST /token"`, `"POST /devicecode"`,
//! `"GET /authorize"`.
//!
//! Invariants: each matching request consumes one use of the oldest matching
//! fault; a fault with no uses left is gone. Inside a Graph `$batch` a fault
//! whose route matches an item applies to that item alone; a fault on the
//! `$batch` route applies to the whole request.

use std::sync::Mutex;

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer with this status instead of running the route. Graph routes get
    /// Graph's error body (`TooManyRequests` for 429, `serviceNotAvailable`
    /// for 503), the token and device-code endpoints an identity-platform
    /// `temporarily_unavailable` body. `retry_after` is sent verbatim as the
    /// `Retry-After` header ("2", "0.25").
    Status {
        status: u16,
        retry_after: Option<String>,
        times: u32,
    },
    /// Wait this long, then run the route normally.
    Delay { millis: u64, times: u32 },
}

/// One injected fault: a route pattern and what to do there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `"METHOD /path"`, a short identity form such as `"POST /token"`, or `"*"`.
    pub route: String,
    pub action: FaultAction,
}

impl Fault {
    /// A fault answering `status` (with an optional `Retry-After`) `times` times.
    pub fn status(route: &str, status: u16, retry_after: Option<&str>, times: u32) -> Fault {
        Fault {
            route: route.to_string(),
            action: FaultAction::Status {
                status,
                retry_after: retry_after.map(str::to_string),
                times,
            },
        }
    }

    /// A fault delaying the next `times` matching requests by `millis`.
    pub fn delay(route: &str, millis: u64, times: u32) -> Fault {
        Fault {
            route: route.to_string(),
            action: FaultAction::Delay { millis, times },
        }
    }

    fn remaining(&self) -> u32 {
        match self.action {
            FaultAction::Status { times, .. } | FaultAction::Delay { times, .. } => times,
        }
    }

    fn consume_one(&mut self) {
        match &mut self.action {
            FaultAction::Status { times, .. } | FaultAction::Delay { times, .. } => {
                *times = times.saturating_sub(1)
            }
        }
    }
}

/// What a request that matched a fault must do (one use of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FaultEffect {
    Status {
        status: u16,
        retry_after: Option<String>,
    },
    Delay {
        millis: u64,
    },
}

/// The set of active faults. Shared by the server and the test that owns the
/// emulator; every method takes `&self`.
#[derive(Debug, Default)]
pub struct FaultSwitchboard {
    active: Mutex<Vec<Fault>>,
}

impl FaultSwitchboard {
    /// Adds a fault. Faults with `times == 0` have no effect and are dropped.
    pub fn inject(&self, fault: Fault) {
        if fault.remaining() == 0 {
            return;
        }
        self.lock().push(fault);
    }

    /// Removes every fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The faults still active, oldest first, with their remaining uses.
    pub fn active(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    /// Consumes one use of the oldest fault matching this request, if any.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<FaultEffect> {
        let mut active = self.lock();
        let index = active
            .iter()
            .position(|f| route_matches(&f.route, method, path))?;
        let fault = &mut active[index];
        fault.consume_one();
        let effect = match &fault.action {
            FaultAction::Status {
                status,
                retry_after,
                ..
            } => FaultEffect::Status {
                status: *status,
                retry_after: retry_after.clone(),
            },
            FaultAction::Delay { millis, .. } => FaultEffect::Delay { millis: *millis },
        };
        if fault.remaining() == 0 {
            active.remove(index);
        }
        Some(effect)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        // A panic while holding this lock cannot leave the list inconsistent.
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The identity-platform endpoints that have tenant-independent short forms.
const IDENTITY_ENDPOINTS: [&str; 3] = ["token", "devicecode", "authorize"];

fn normalise(path: &str) -> &str {
    let path = path.split('?').next().unwrap_or(path);
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// Whether a route pattern (`"*"`, `"METHOD /path"`, or a short identity
/// form) matches a request. Also used by [`crate::Emulator::count`].
pub(crate) fn route_matches(route: &str, method: &str, path: &str) -> bool {
    let route = route.trim();
    if route == "*" {
        return true;
    }
    let Some((route_method, route_path)) = route.split_once(' ') else {
        return false;
    };
    if !(route_method == "*" || route_method.eq_ignore_ascii_case(method)) {
        return false;
    }
    path_matches(route_path.trim(), path)
}

/// Path comparison with the short identity forms (`/token` matches
/// `/{any tenant}/oauth2/v2.0/token`).
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (normalise(pattern), normalise(path));
    if pattern.eq_ignore_ascii_case(path) {
        return true;
    }
    if pattern.split('/').any(|s| s == "*") {
        let (wanted, actual): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), path.split('/').collect());
        return wanted.len() == actual.len()
            && wanted
                .iter()
                .zip(&actual)
                .all(|(w, a)| *w == "*" || w.eq_ignore_ascii_case(a));
    }
    let short = pattern.trim_start_matches('/');
    if IDENTITY_ENDPOINTS
        .iter()
        .any(|e| e.eq_ignore_ascii_case(short))
    {
        let suffix = format!("/oauth2/v2.0/{short}").to_ascii_lowercase();
        let lower = path.to_ascii_lowercase();
        // Exactly one tenant segment before the suffix.
        return lower.ends_with(&suffix)
            && lower[..lower.len() - suffix.len()].matches('/').count() == 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_method_and_path_case_insensitively() {
        assert!(route_matches(
            "GET /v1.0/me/authentication/methods",
            "GET",
            "/v1.0/me/Authentication/Methods/"
        ));
        assert!(!route_matches(
            "GET /v1.0/me/authentication/methods",
            "POST",
            "/v1.0/me/authentication/methods"
        ));
        assert!(!route_matches("GET /v1.0/me", "GET", "/beta/me"));
        assert!(route_matches("*", "DELETE", "/anything"));
        assert!(!route_matches("nonsense", "GET", "/"));
    }

    #[test]
    fn a_star_segment_matches_one_segment() {
        let route = "DELETE /v1.0/me/authentication/microsoftAuthenticatorMethods/*";
        assert!(route_matches(
            route,
            "DELETE",
            "/v1.0/me/authentication/microsoftAuthenticatorMethods/6803c096-c096"
        ));
        assert!(!route_matches(
            route,
            "DELETE",
            "/v1.0/me/authentication/microsoftAuthenticatorMethods"
        ));
        assert!(!route_matches(
            route,
            "DELETE",
            "/v1.0/me/authentication/microsoftAuthenticatorMethods/a/b"
        ));
        assert!(route_matches(
            "POST /v1.0/users/*/authentication/phoneMethods",
            "POST",
            "/v1.0/users/adele@contoso-demo.example/authentication/phoneMethods"
        ));
    }

    #[test]
    fn short_identity_forms_match_any_tenant() {
        assert!(route_matches(
            "POST /token",
            "POST",
            "/organizations/oauth2/v2.0/token"
        ));
        assert!(route_matches(
            "POST /token",
            "POST",
            "/8d3c6a2e-5b41-4f7a-9e0d-2c6b1a9f4e73/oauth2/v2.0/token"
        ));
        assert!(!route_matches(
            "POST /token",
            "POST",
            "/a/b/oauth2/v2.0/token"
        ));
        assert!(!route_matches(
            "POST /token",
            "POST",
            "/organizations/oauth2/v2.0/devicecode"
        ));
    }

    #[test]
    fn each_request_consumes_one_use_and_spent_faults_vanish() {
        let board = FaultSwitchboard::default();
        board.inject(Fault::status("GET /v1.0/me", 429, Some("2"), 2));
        board.inject(Fault::delay("GET /v1.0/me", 10, 1));
        board.inject(Fault::status("*", 503, None, 0));
        assert_eq!(board.active().len(), 2);
        let first = board.take("GET", "/v1.0/me");
        assert_eq!(
            first,
            Some(FaultEffect::Status {
                status: 429,
                retry_after: Some("2".into())
            })
        );
        assert!(matches!(
            board.take("GET", "/v1.0/me"),
            Some(FaultEffect::Status { .. })
        ));
        assert_eq!(
            board.take("GET", "/v1.0/me"),
            Some(FaultEffect::Delay { millis: 10 })
        );
        assert_eq!(board.take("GET", "/v1.0/me"), None);
        board.inject(Fault::status("*", 503, None, 5));
        board.clear();
        assert!(board.active().is_empty());
    }
}
