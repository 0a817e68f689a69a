//! The 2026 fresh-MFA rule over real HTTP: self-service writes need MFA
//! completed within the window; a refresh does not renew it; signing in
//! again with the `ngcmfa` claims request does.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tenant_emulator::{demo, Emulator, EmulatorConfig};

const PHONES: &str = "v1.0/me/authentication/phoneMethods";

fn office_phone() -> Value {
    json!({"phoneNumber": "+1 4255550180", "phoneType": "office"})
}

fn token(body: &Value, name: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    Ok(body[name].as_str().ok_or("missing token")?.to_string())
}

#[tokio::test]
async fn stale_mfa_blocks_every_self_service_write_but_not_reads() -> TestResult {
    let emulator = start_with_self_service().await;
    let access = write_token(&emulator, "adele").await?;
    emulator
        .expire_fresh_mfa("adele@contoso-demo.example")
        .await?;

    let create = graph_send(
        &emulator,
        Method::POST,
        &access,
        PHONES,
        Some(&office_phone()),
    )
    .await?;
    let message = expect_error(&create, StatusCode::FORBIDDEN, "accessDenied");
    assert!(message.contains("within the last 10 minutes"), "{message}");
    assert!(message.contains("ngcmfa"), "{message}");
    let delete = graph_send(
        &emulator,
        Method::DELETE,
        &access,
        &format!("{PHONES}/3179e48a-750b-4051-897c-87b9720928f7"),
        None,
    )
    .await?;
    expect_error(&delete, StatusCode::FORBIDDEN, "accessDenied");
    let prefs = graph_send(
        &emulator,
        Method::PATCH,
        &access,
        &sign_in_preferences(&emulator, &access).await?,
        Some(&json!({"userPreferredMethodForSecondaryAuthentication": "sms"})),
    )
    .await?;
    expect_error(&prefs, StatusCode::FORBIDDEN, "accessDenied");
    let (status, _, _) = graph_send(&emulator, Method::GET, &access, PHONES, None).await?;
    assert_eq!(status, StatusCode::OK);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_refresh_keeps_the_original_mfa_time_and_ngcmfa_renews_it() -> TestResult {
    let emulator = start_with_self_service().await;
    let tokens = sign_in(&emulator, "adele", WRITE_SCOPES).await?;
    let refresh = token(&tokens, "refresh_token")?;

    // Over the control API this time.
    let expired = client()
        .post(
            emulator
                .base_url()
                .join("_emulator/users/adele@contoso-demo.example/expire-fresh-mfa")?,
        )
        .send()
        .await?;
    assert_eq!(expired.status(), StatusCode::NO_CONTENT);
    let unknown = client()
        .post(
            emulator
                .base_url()
                .join("_emulator/users/nobody@contoso-demo.example/expire-fresh-mfa")?,
        )
        .send()
        .await?;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let (status, refreshed) = token_request(
        &emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("scope", WRITE_SCOPES),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let access = token(&refreshed, "access_token")?;
    let still_stale = graph_send(
        &emulator,
        Method::POST,
        &access,
        PHONES,
        Some(&office_phone()),
    )
    .await?;
    expect_error(&still_stale, StatusCode::FORBIDDEN, "accessDenied");

    // The documented client pattern: sign in again with the claims request
    // (here merged with the cp1 capability), then retry.
    let claims = r#"{"access_token":{"xms_cc":{"values":["cp1"]},"amr":{"essential":true,"values":["ngcmfa"]}}}"#;
    let stepped_up = sign_in_with_claims(&emulator, "adele", WRITE_SCOPES, Some(claims)).await?;
    let fresh = token(&stepped_up, "access_token")?;
    let (status, _, body) = graph_send(
        &emulator,
        Method::POST,
        &fresh,
        PHONES,
        Some(&office_phone()),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // A refresh of the stepped-up grant keeps its (fresh) MFA time.
    let (status, refreshed) = token_request(
        &emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", &token(&stepped_up, "refresh_token")?),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = graph_send(
        &emulator,
        Method::DELETE,
        &token(&refreshed, "access_token")?,
        &format!("{PHONES}/e37fc753-ff3b-4958-9484-eaa9425c82bc"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_ngcmfa_sign_in_performs_the_mfa_step() -> TestResult {
    let emulator = start_with_self_service().await;
    let app = LoopbackApp::start().await;
    let pkce = pkce();
    let mut url = authorize_url(&emulator, &app.redirect_uri, &pkce, "s", WRITE_SCOPES);
    url.query_pairs_mut().append_pair("claims", NGCMFA_CLAIMS);
    let script = tenant_emulator::browser::BrowserScript::demo_user(
        "ben",
        tenant_emulator::browser::BrowserAction::SignIn,
    );
    let outcome = tenant_emulator::browser::run(&url, &script).await?;
    let titles: Vec<String> = outcome
        .pages
        .iter()
        .filter_map(|p| p.title.clone())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Enter code")),
        "{titles:?}"
    );
    assert!(outcome.redirect_param("code").is_some());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_rule_can_be_turned_off() -> TestResult {
    let emulator = Emulator::start(EmulatorConfig {
        self_service_writes: true,
        fresh_mfa_window: None,
        ..config()
    })
    .await?;
    let access = write_token(&emulator, "adele").await?;
    emulator
        .expire_fresh_mfa("adele@contoso-demo.example")
        .await?;
    let (status, _, _) = graph_send(
        &emulator,
        Method::POST,
        &access,
        PHONES,
        Some(&office_phone()),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED);
    assert!(emulator.expire_fresh_mfa("nobody").await.is_err());
    emulator.shutdown().await;
    Ok(())
}
