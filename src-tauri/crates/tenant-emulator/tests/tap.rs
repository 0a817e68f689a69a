//! Temporary Access Passes end to end: the helpdesk issues one (Rust API,
//! JSON route, admin view form), the user signs in with it instead of
//! password and MFA, and every refusal shows its own message; plus
//! "require re-registration" and the admin view's CSRF guard.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tenant_emulator::browser::{self, BrowserAction, BrowserScript, SecurityInfoStep};
use tenant_emulator::{demo, Emulator, EmulatorError, TapOptions};
use time::OffsetDateTime;

const DANA: &str = "dana@contoso-demo.example";
const TAPS: &str = "v1.0/me/authentication/temporaryAccessPassMethods";

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Signs in with a pass and redeems the code; returns the token response.
async fn tap_tokens(emulator: &Emulator, upn: &str, code: &str) -> AnyResult<Value> {
    let (outcome, app, pkce) = sign_in_with_pass(emulator, upn, code, WRITE_SCOPES).await?;
    let (status, body) = redeem_code(emulator, &outcome, &app, &pkce, WRITE_SCOPES).await?;
    if status != StatusCode::OK {
        return Err(format!("token exchange failed: {status} {body}").into());
    }
    Ok(body)
}

/// The error the sign-in page showed for a refused pass.
async fn refused(emulator: &Emulator, upn: &str, code: &str) -> AnyResult<String> {
    let (outcome, app, _) = sign_in_with_pass(emulator, upn, code, WRITE_SCOPES).await?;
    assert!(outcome.redirect.is_none(), "the pass was accepted");
    assert_eq!(app.hits(), 0);
    Ok(outcome.error_shown.unwrap_or_default())
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

#[tokio::test]
async fn locked_out_dana_signs_in_with_a_pass_and_registers_methods() -> TestResult {
    let emulator = start().await;
    // Without a pass, Dana can only cancel the MFA step.
    let app = LoopbackApp::start().await;
    let outcome = browse(
        &emulator,
        &app,
        &pkce(),
        "dana",
        BrowserAction::SignIn,
        WRITE_SCOPES,
    )
    .await?;
    assert_eq!(
        outcome.redirect_param("error").as_deref(),
        Some("access_denied")
    );

    let issued = emulator.issue_temporary_access_pass(DANA, TapOptions::default())?;
    assert_eq!(issued.lifetime_in_minutes, 60);
    assert_eq!(
        issued.expires_at - issued.starts_at,
        time::Duration::hours(1)
    );
    let tokens = tap_tokens(&emulator, DANA, &issued.code).await?;
    let access = tokens["access_token"].as_str().ok_or("no access token")?;

    // Fresh MFA is satisfied: a Graph write succeeds at once (in a tenant
    // that allows self-service phone writes; refused by default).
    emulator.set_self_service_writes(true);
    let (status, _, body) = graph_send(
        &emulator,
        Method::POST,
        access,
        "v1.0/me/authentication/phoneMethods",
        Some(&json!({"phoneNumber": "+1 4255550180", "phoneType": "office"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The pass shows in Graph without its code.
    let (status, _, list) = graph_send(&emulator, Method::GET, access, TAPS, None).await?;
    assert_eq!(status, StatusCode::OK);
    let pass = &list["value"][0];
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(pass["id"], issued.method_id.as_str());
    assert_eq!(pass["temporaryAccessPass"], Value::Null);
    assert_eq!(pass["isUsable"], true);
    assert_eq!(pass["methodUsabilityReason"], "EnabledByPolicy");
    assert_eq!(pass["lifetimeInMinutes"], 60);
    assert_eq!(pass["isUsableOnce"], false);
    assert!(pass["startDateTime"].is_string() && pass["createdDateTime"].is_string());
    let (_, _, all) = graph_send(
        &emulator,
        Method::GET,
        access,
        "v1.0/me/authentication/methods",
        None,
    )
    .await?;
    assert!(all["value"]
        .as_array()
        .is_some_and(|v| v.iter().any(|m| m["@odata.type"]
            == "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
            && m["temporaryAccessPass"].is_null())));

    // And on the Security Info page, signed in with the same pass.
    let script = BrowserScript::demo_user("dana", BrowserAction::SignIn)
        .with_temporary_access_pass(&issued.code)
        .with_security_info(SecurityInfoStep::AddAuthenticator {
            device_name: "Dana's new Pixel".into(),
        });
    let outcome = browser::run(
        &browser::security_info_url(&emulator.base_url(), DANA),
        &script,
    )
    .await?;
    let report = outcome.security_info.ok_or("never reached Security Info")?;
    assert!(report.error.is_none(), "{report:?}");
    assert!(
        report
            .methods
            .iter()
            .any(|m| m.contains("Dana's new Pixel")),
        "{report:?}"
    );

    // With a method in hand, Dana passes MFA normally again.
    let again = sign_in(&emulator, "dana", APP_SCOPES).await?;
    assert!(again["access_token"].is_string());
    Ok(())
}

#[tokio::test]
async fn a_wrong_pass_is_refused_with_its_own_message() -> TestResult {
    let emulator = start().await;
    // No pass at all reads the same as a wrong one.
    let message = refused(&emulator, DANA, "Nope2345").await?;
    assert!(message.contains("isn't right"), "{message}");
    let issued = emulator.issue_temporary_access_pass(DANA, TapOptions::default())?;
    let message = refused(&emulator, DANA, &format!("{}x", issued.code)).await?;
    assert!(message.contains("isn't right"), "{message}");
    // An unknown user is the password form's error.
    let message = refused(&emulator, "zed@contoso-demo.example", &issued.code).await?;
    assert!(message.contains("AADSTS50034"), "{message}");
    Ok(())
}

#[tokio::test]
async fn an_expired_pass_is_refused_and_graph_says_expired() -> TestResult {
    let emulator = start().await;
    let start = OffsetDateTime::now_utc() - time::Duration::hours(2);
    let issued = emulator.issue_temporary_access_pass(
        "adele@contoso-demo.example",
        TapOptions {
            lifetime: minutes(60),
            one_time: false,
            start: Some(start),
        },
    )?;
    let message = refused(&emulator, "adele@contoso-demo.example", &issued.code).await?;
    assert!(message.contains("has expired"), "{message}");
    let access = access_token(&emulator, "adele").await?;
    let (_, _, list) = graph_send(&emulator, Method::GET, &access, TAPS, None).await?;
    assert_eq!(list["value"][0]["methodUsabilityReason"], "Expired");
    assert_eq!(list["value"][0]["isUsable"], false);
    Ok(())
}

#[tokio::test]
async fn a_pass_that_has_not_started_is_refused_and_graph_says_not_yet_valid() -> TestResult {
    let emulator = start().await;
    let start = OffsetDateTime::now_utc() + time::Duration::hours(1);
    let issued = emulator.issue_temporary_access_pass(
        "adele@contoso-demo.example",
        TapOptions {
            start: Some(start),
            ..TapOptions::default()
        },
    )?;
    let message = refused(&emulator, "adele@contoso-demo.example", &issued.code).await?;
    assert!(message.contains("isn't valid yet"), "{message}");
    let access = access_token(&emulator, "adele").await?;
    let (_, _, list) = graph_send(&emulator, Method::GET, &access, TAPS, None).await?;
    assert_eq!(list["value"][0]["methodUsabilityReason"], "NotYetValid");
    Ok(())
}

#[tokio::test]
async fn a_one_time_pass_works_once() -> TestResult {
    let emulator = start().await;
    let issued = emulator.issue_temporary_access_pass(
        DANA,
        TapOptions {
            one_time: true,
            ..TapOptions::default()
        },
    )?;
    assert!(issued.one_time);
    let tokens = tap_tokens(&emulator, DANA, &issued.code).await?;
    let access = tokens["access_token"].as_str().ok_or("no access token")?;
    let message = refused(&emulator, DANA, &issued.code).await?;
    assert!(
        message.contains("blocked due to User Credential Policy"),
        "{message}"
    );
    let (_, _, list) = graph_send(&emulator, Method::GET, access, TAPS, None).await?;
    assert_eq!(list["value"][0]["methodUsabilityReason"], "OneTimeUsed");
    assert_eq!(list["value"][0]["isUsableOnce"], true);
    Ok(())
}

#[tokio::test]
async fn a_new_pass_replaces_the_old_one() -> TestResult {
    let emulator = start().await;
    let first = emulator.issue_temporary_access_pass(DANA, TapOptions::default())?;
    let second = emulator.issue_temporary_access_pass(
        DANA,
        TapOptions {
            lifetime: minutes(30),
            ..TapOptions::default()
        },
    )?;
    assert_ne!(first.method_id, second.method_id);
    if first.code != second.code {
        let message = refused(&emulator, DANA, &first.code).await?;
        assert!(message.contains("isn't right"), "{message}");
    }
    let tokens = tap_tokens(&emulator, DANA, &second.code).await?;
    let access = tokens["access_token"].as_str().ok_or("no access token")?;
    let (_, _, list) = graph_send(&emulator, Method::GET, access, TAPS, None).await?;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["value"][0]["id"], second.method_id.as_str());
    assert_eq!(list["value"][0]["lifetimeInMinutes"], 30);
    Ok(())
}

#[tokio::test]
async fn bad_options_and_unknown_users_are_refused() -> TestResult {
    let emulator = start().await;
    for lifetime in [
        minutes(9),
        minutes(43_201),
        Duration::from_secs(60 * 60 + 30),
    ] {
        let result = emulator.issue_temporary_access_pass(
            DANA,
            TapOptions {
                lifetime,
                ..TapOptions::default()
            },
        );
        assert!(
            matches!(result, Err(EmulatorError::InvalidTemporaryAccessPass(_))),
            "{result:?}"
        );
    }
    let result =
        emulator.issue_temporary_access_pass("zed@contoso-demo.example", TapOptions::default());
    assert!(matches!(result, Err(EmulatorError::UnknownUser(_))));
    assert!(emulator
        .issue_temporary_access_pass(
            DANA,
            TapOptions {
                lifetime: minutes(43_200),
                ..TapOptions::default()
            }
        )
        .is_ok());
    Ok(())
}

fn admin_url(emulator: &Emulator, path: &str) -> url::Url {
    emulator
        .base_url()
        .join(path)
        .unwrap_or_else(|_| emulator.base_url())
}

#[tokio::test]
async fn the_json_route_issues_a_pass_as_graphs_create_does() -> TestResult {
    let emulator = start().await;
    let route = admin_url(
        &emulator,
        "_emulator/users/dana@contoso-demo.example/temporary-access-pass",
    );
    let response = client()
        .post(route.clone())
        .json(&json!({"lifetimeInMinutes": 30, "isUsableOnce": true}))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await?;
    assert_eq!(
        body["@odata.type"],
        "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
    );
    let code = body["temporaryAccessPass"].as_str().ok_or("no code")?;
    assert_eq!(code.len(), 8);
    assert_eq!(body["lifetimeInMinutes"], 30);
    assert_eq!(body["isUsableOnce"], true);
    assert_eq!(body["methodUsabilityReason"], "EnabledByPolicy");
    assert!(tap_tokens(&emulator, DANA, code).await?["access_token"].is_string());

    let future = client()
        .post(route.clone())
        .json(&json!({"startDateTime": "2099-01-01T00:00:00Z"}))
        .send()
        .await?
        .json::<Value>()
        .await?;
    assert_eq!(future["methodUsabilityReason"], "NotYetValid");
    assert_eq!(future["isUsable"], false);
    for bad in [
        json!({"lifetimeInMinutes": 5}),
        json!({"lifetime": 60}),
        json!({"startDateTime": "soon"}),
    ] {
        let response = client().post(route.clone()).json(&bad).send().await?;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let response = client()
        .post(route.clone())
        .body("{}")
        .header("Content-Type", "text/plain")
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let unknown = admin_url(
        &emulator,
        "_emulator/users/zed@contoso-demo.example/temporary-access-pass",
    );
    let response = client().post(unknown).json(&json!({})).send().await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn require_reregistration_deletes_phones_authenticators_and_software_oath() -> TestResult {
    let emulator = start().await;
    let removed = emulator.require_reregistration("chidi@contoso-demo.example")?;
    let mut collections: Vec<String> = removed.iter().map(|r| r.collection.clone()).collect();
    collections.sort();
    assert_eq!(
        collections,
        [
            "microsoftAuthenticatorMethods",
            "phoneMethods",
            "softwareOathMethods"
        ]
    );
    // Chidi still passes MFA with his security key and sees what is left.
    let chidi = access_token(&emulator, "chidi").await?;
    let (_, _, methods) = graph_send(
        &emulator,
        Method::GET,
        &chidi,
        "v1.0/me/authentication/methods",
        None,
    )
    .await?;
    let mut kinds: Vec<String> = methods["value"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|m| m["@odata.type"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "#microsoft.graph.fido2AuthenticationMethod",
            "#microsoft.graph.passwordAuthenticationMethod",
            "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
        ]
    );

    // Over HTTP, for Adele, and then she can only register again.
    let access = access_token(&emulator, "adele").await?;
    let route = admin_url(
        &emulator,
        "_emulator/users/adele@contoso-demo.example/require-reregistration",
    );
    let response = client().post(route).json(&json!({})).send().await?;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await?;
    assert_eq!(body["removed"].as_array().map(Vec::len), Some(2), "{body}");
    let (_, _, mine) = graph_send(
        &emulator,
        Method::GET,
        &access,
        "v1.0/me/authentication/methods",
        None,
    )
    .await?;
    let kinds: Vec<&str> = mine["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|m| m["@odata.type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["#microsoft.graph.passwordAuthenticationMethod"]);
    let (_, _, preferences) = graph_send(
        &emulator,
        Method::GET,
        &access,
        &sign_in_preferences(&emulator, &access).await?,
        None,
    )
    .await?;
    assert_eq!(
        preferences["userPreferredMethodForSecondaryAuthentication"],
        Value::Null
    );
    assert!(matches!(
        emulator.require_reregistration("zed@contoso-demo.example"),
        Err(EmulatorError::UnknownUser(_))
    ));
    Ok(())
}

/// The admin view's CSRF token, read from the page.
async fn admin_csrf(emulator: &Emulator) -> AnyResult<String> {
    let page = client()
        .get(admin_url(emulator, "_emulator/helpdesk"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).ok_or("no CSRF token on the page")? + marker.len();
    let end = page[start..].find('"').ok_or("unterminated token")? + start;
    Ok(page[start..end].to_string())
}

#[tokio::test]
async fn the_admin_views_forms_need_its_csrf_token_and_origin() -> TestResult {
    let emulator = start().await;
    let csrf = admin_csrf(&emulator).await?;
    let route = admin_url(
        &emulator,
        "_emulator/users/dana%40contoso-demo.example/temporary-access-pass",
    );
    let form = |token: &str| {
        vec![
            ("csrf".to_string(), token.to_string()),
            ("lifetimeInMinutes".to_string(), "15".to_string()),
            ("isUsableOnce".to_string(), "true".to_string()),
        ]
    };
    let response = client()
        .post(route.clone())
        .form(&form("forged"))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client()
        .post(route.clone())
        .header("Origin", "https://evil.example")
        .form(&form(&csrf))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client()
        .post(route.clone())
        .form(&form(&csrf))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await?;
    let marker = "id=\"tap-code\">";
    let start = page.find(marker).ok_or("no code on the page")? + marker.len();
    let end = page[start..].find('<').ok_or("unterminated code")? + start;
    let code = page[start..end]
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"");
    assert!(tap_tokens(&emulator, DANA, &code).await?["access_token"].is_string());

    // Revoke sessions and re-registration from the view redirect back to it.
    for action in ["revoke-sign-in-sessions", "require-reregistration"] {
        let route = admin_url(
            &emulator,
            &format!("_emulator/users/dana%40contoso-demo.example/{action}"),
        );
        let refused = client()
            .post(route.clone())
            .form(&[("csrf", "forged")])
            .send()
            .await?;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{action}");
        let done = client()
            .post(route)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await?;
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "{action}");
        let location = done
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            location.starts_with("/_emulator/helpdesk?done="),
            "{location}"
        );
    }
    // The JSON and empty-body forms of revoke keep answering 204.
    let revoke = admin_url(
        &emulator,
        "_emulator/users/dana@contoso-demo.example/revoke-sign-in-sessions",
    );
    assert_eq!(
        client().post(revoke).send().await?.status(),
        StatusCode::NO_CONTENT
    );
    Ok(())
}

#[tokio::test]
async fn tokens_from_a_pass_end_with_the_pass() -> AnyResult<()> {
    let emulator = start().await;
    // A one-hour pass that started 59 min 57 s ago: three seconds left.
    let issued = emulator.issue_temporary_access_pass(
        DANA,
        TapOptions {
            start: Some(OffsetDateTime::now_utc() - time::Duration::seconds(3597)),
            ..TapOptions::default()
        },
    )?;
    let tokens = tap_tokens(&emulator, DANA, &issued.code).await?;
    let expires_in = tokens["expires_in"].as_u64().ok_or("no expires_in")?;
    assert!(
        (1..=3).contains(&expires_in),
        "the access token ends with the pass, not after an hour: {expires_in}"
    );
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .ok_or("no refresh token")?
        .to_string();
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let (status, body) = token_request(
        &emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&body, "invalid_grant"), 50173);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .contains("Temporary Access Pass"),
        "{body}"
    );
    emulator.shutdown().await;
    Ok(())
}
