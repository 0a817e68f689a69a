//! Loading Security Info from the emulator's Graph: one round trip, every
//! method type, the default method, and throttling.

mod common;

use common::{Harness, ScriptedBrowser};
use mfa_core::config::Cloud;
use mfa_core::graph::GraphError;
use mfa_core::security_info::{MethodKind, PhoneType, SecondaryMethod};
use mfa_core::session::SessionError;
use tenant_emulator::browser::BrowserAction;
use tenant_emulator::{EmulatorConfig, Fault};

async fn signed_in(h: &Harness, user: &str) -> mfa_core::session::Session {
    let s = h.session();
    s.sign_in_with_browser(ScriptedBrowser::new(
        user,
        BrowserAction::SignIn,
        h.ca_pem(),
    ))
    .await
    .unwrap();
    s
}

fn graph_requests(h: &Harness) -> Vec<String> {
    h.emulator
        .request_log()
        .iter()
        .filter(|r| r.path.starts_with("/v1.0") || r.path.starts_with("/beta"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// One round trip: the v1.0 batch (`/me` and the methods) and, beside it,
/// the two beta reads v1.0 has no place for: the sign-in preferences and the
/// hardware tokens.
#[tokio::test]
async fn first_load_is_one_batch_plus_two_beta_reads_in_parallel() {
    let h = Harness::start().await;
    let s = signed_in(&h, "adele").await;
    let info = s.security_info().await.unwrap();
    let mut requests = graph_requests(&h);
    requests.sort();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(
        requests[0],
        "GET /beta/me/authentication/hardwareOathMethods"
    );
    assert_eq!(requests[2], "POST /v1.0/$batch");
    // The documented path, with the user's own object id (the ID token's
    // `oid`), never the undocumented `/me` form.
    let id = requests[1]
        .strip_prefix("GET /beta/users/")
        .and_then(|rest| rest.strip_suffix("/authentication/signInPreferences"))
        .unwrap_or_else(|| panic!("{requests:?}"));
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(info.account.upn, "adele@contoso-demo.example");
    assert_eq!(info.account.display_name, "Adele Vance");
    let kinds: Vec<_> = info.methods.iter().map(|m| &m.kind).collect();
    assert!(kinds.contains(&&MethodKind::Password));
    assert!(kinds.contains(&&MethodKind::MicrosoftAuthenticator {
        device_name: "Adele's iPhone 13".into()
    }));
    assert!(kinds.contains(&&MethodKind::Phone {
        number: "+1 4255550101".into(),
        phone_type: PhoneType::Mobile
    }));
    assert_eq!(
        info.preferences.as_ref().unwrap().user_preferred,
        Some(SecondaryMethod::Push)
    );
    let default = info.default_method().unwrap();
    let default_kind = &info.methods.iter().find(|m| &m.id == default).unwrap().kind;
    assert!(matches!(
        default_kind,
        MethodKind::MicrosoftAuthenticator { .. }
    ));
    let health = info.health();
    assert_eq!(health.independent_methods, 2);
    assert!(
        info.methods.iter().all(|m| m.created.is_some()),
        "the emulator dates every method"
    );
}

#[tokio::test]
async fn five_methods_with_a_key_and_windows_hello_and_system_preferred() {
    let h = Harness::start().await;
    let info = signed_in(&h, "chidi").await.security_info().await.unwrap();
    let health = info.health();
    assert_eq!(health.independent_methods, 5);
    assert_eq!(health.phishing_resistant_methods, 2);
    let prefs = info.preferences.unwrap();
    assert!(prefs.system_preferred_enabled);
    assert_eq!(prefs.system_preferred.as_deref(), Some("Fido2"));
    assert!(info.methods.iter().any(
        |m| matches!(&m.kind, MethodKind::Fido2 { model: Some(m), .. } if m == "YubiKey 5 NFC")
    ));
}

#[tokio::test]
async fn methods_managed_elsewhere_and_unknown_types_are_kept_and_described() {
    let h = Harness::start().await;
    let info = signed_in(&h, "erin").await.security_info().await.unwrap();
    // A real Graph type the app does not model: kept as "other", with its type.
    let other = info
        .methods
        .iter()
        .find(|m| matches!(m.kind, MethodKind::Other { .. }))
        .expect("the unmodelled type is listed");
    assert_eq!(
        other.kind,
        MethodKind::Other {
            odata_type: "#microsoft.graph.passwordlessMicrosoftAuthenticatorAuthenticationMethod"
                .into(),
            display_name: Some("Erin's old iPhone (phone sign-in)".into()),
        }
    );
    // The hardware token exists in beta only: read beside the v1.0 batch,
    // with its label, in the same round trip.
    let token = info
        .methods
        .iter()
        .find(|m| matches!(m.kind, MethodKind::HardwareOath { .. }))
        .expect("the beta-only hardware token is listed");
    assert_eq!(token.kind.human_name(), Some("Erin's desk token"));
    let details = token.kind.token_details().unwrap();
    assert_eq!(details.serial_number.as_deref(), Some("2207731"));
    assert_eq!(details.manufacturer.as_deref(), Some("Token2"));
    assert_eq!(details.model.as_deref(), Some("C302"));
    assert_eq!(
        info.methods
            .iter()
            .filter(|m| matches!(m.kind, MethodKind::HardwareOath { .. }))
            .count(),
        1,
        "listed once"
    );
    assert_eq!(
        h.emulator
            .count("GET", "/beta/me/authentication/hardwareOathMethods"),
        1
    );
    // Read-only kinds: no delete the app could offer.
    for kind in [
        info.methods
            .iter()
            .find(|m| matches!(m.kind, MethodKind::External { .. }))
            .map(|m| &m.kind),
        info.methods
            .iter()
            .find(|m| matches!(m.kind, MethodKind::QrCodePin))
            .map(|m| &m.kind),
    ] {
        let kind = kind.expect("external and QR code + PIN methods are listed");
        assert_eq!(kind.deletable_collection(), None, "{kind:?}");
    }
    assert!(info
        .methods
        .iter()
        .any(|m| matches!(m.kind, MethodKind::PlatformCredential { .. })));
}

/// Without the beta hardware-token list (refused, as a tenant may), the
/// page still loads with everything v1.0 listed.
#[tokio::test]
async fn a_refused_hardware_token_list_never_stops_the_page() {
    let h = Harness::start().await;
    let s = signed_in(&h, "erin").await;
    h.emulator.faults().inject(Fault::status(
        "GET /beta/me/authentication/hardwareOathMethods",
        403,
        None,
        1,
    ));
    let info = s.security_info().await.unwrap();
    assert!(!info
        .methods
        .iter()
        .any(|m| matches!(m.kind, MethodKind::HardwareOath { .. })));
    assert!(info
        .methods
        .iter()
        .any(|m| matches!(m.kind, MethodKind::QrCodePin)));
}

#[tokio::test]
async fn throttled_batch_is_retried_after_retry_after() {
    let h = Harness::start().await;
    let s = signed_in(&h, "ben").await;
    h.emulator
        .faults()
        .inject(Fault::status("POST /v1.0/$batch", 429, Some("0.3"), 1));
    let started = std::time::Instant::now();
    let info = s.security_info().await.unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "waited out Retry-After"
    );
    assert_eq!(info.account.upn, "ben@contoso-demo.example");
    assert_eq!(h.emulator.count("POST", "/v1.0/$batch"), 2);
}

#[tokio::test]
async fn a_throttled_item_inside_the_batch_is_sent_again_alone() {
    let h = Harness::start().await;
    let s = signed_in(&h, "ben").await;
    h.emulator.faults().inject(Fault::status(
        "GET /v1.0/me/authentication/methods",
        429,
        Some("0.1"),
        1,
    ));
    let info = s.security_info().await.unwrap();
    assert!(info
        .methods
        .iter()
        .any(|m| matches!(m.kind, MethodKind::Phone { .. })));
    assert_eq!(h.emulator.count("POST", "/v1.0/$batch"), 2);
}

#[tokio::test]
async fn graph_that_stays_unavailable_is_reported_as_busy() {
    let h = Harness::start().await;
    let s = signed_in(&h, "ben").await;
    h.emulator
        .faults()
        .inject(Fault::status("POST /v1.0/$batch", 503, Some("0.05"), 20));
    let err = s.security_info().await.unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::Graph(GraphError::Busy { status: 503, .. })
        ),
        "{err:?}"
    );
    assert_eq!(
        h.emulator.count("POST", "/v1.0/$batch"),
        4,
        "one try and three retries, then stop"
    );
    // Once it recovers the same session works.
    h.emulator.faults().clear();
    assert!(s.security_info().await.is_ok());
}

#[tokio::test]
async fn a_failing_beta_api_still_shows_the_methods() {
    let h = Harness::start().await;
    let s = signed_in(&h, "adele").await;
    h.emulator.faults().inject(Fault::status(
        "GET /beta/users/*/authentication/signInPreferences",
        500,
        None,
        5,
    ));
    let info = s.security_info().await.unwrap();
    assert_eq!(info.preferences, None);
    assert_eq!(info.default_method(), None);
    assert!(info.methods.len() >= 3);
}

/// A China-configured tenant lists methods: Microsoft's v1.0 pages leave
/// 21Vianet out of the authentication-methods API, so the app reads (and
/// watches) through beta; `/me` comes in the same beta batch. The same
/// tenant read as a global one fails, so the switch is what makes it work.
#[tokio::test]
async fn a_china_configured_tenant_lists_methods() {
    let china = EmulatorConfig {
        china_cloud: true,
        ..EmulatorConfig::default()
    };
    let mut h = Harness::start_with(china.clone(), false).await;
    h.config.cloud = Cloud::China;
    let s = signed_in(&h, "adele").await;
    let info = s.security_info().await.unwrap();
    assert_eq!(info.account.upn, "adele@contoso-demo.example");
    assert!(info
        .methods
        .iter()
        .any(|m| matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. })));
    assert_eq!(
        info.preferences.as_ref().unwrap().user_preferred,
        Some(SecondaryMethod::Push)
    );
    let watched = s.methods().await.unwrap();
    assert_eq!(watched.len(), info.methods.len());
    let requests = graph_requests(&h);
    assert!(
        requests.contains(&"POST /beta/$batch".to_owned())
            && requests.contains(&"GET /beta/me/authentication/methods".to_owned()),
        "{requests:?}"
    );
    assert!(
        requests.iter().all(|r| !r.contains("/v1.0/")),
        "{requests:?}"
    );

    // The same tenant read as the global service: v1.0 is not there.
    let h = Harness::start_with(china, false).await;
    let s = signed_in(&h, "adele").await;
    match s.security_info().await {
        Err(SessionError::Graph(e @ GraphError::Service { status: 400, .. })) => {
            // Typed, so the window says "not in this cloud" and offers the page.
            assert!(e.is_not_in_this_cloud(), "{e:?}");
        }
        other => panic!("v1.0 in a China tenant: {other:?}"),
    }
}
