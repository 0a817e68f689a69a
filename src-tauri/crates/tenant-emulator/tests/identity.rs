//! The identity platform over real HTTP: discovery, JWKS, the auth-code +
//! PKCE flow through the scripted browser, refresh rotation, revocation and
//! the device-code flow.

mod common;

use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;
use tenant_emulator::browser::{self, BrowserAction, BrowserScript};
use tenant_emulator::demo;

async fn get_json(url: url::Url) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = client().get(url).send().await?;
    let status = response.status();
    Ok((status, response.json().await?))
}

#[tokio::test]
async fn discovery_jwks_and_a_verifiable_id_token() -> TestResult {
    let emulator = start().await;
    let base = emulator.base_url();
    let (status, config) = get_json(base.join(&format!(
        "{}/v2.0/.well-known/openid-configuration",
        demo::DOMAIN
    ))?)
    .await?;
    assert_eq!(status, StatusCode::OK);
    let issuer = format!("{base}{}/v2.0", demo::TENANT_ID);
    assert_eq!(config["issuer"], issuer.as_str());
    assert_eq!(
        config["token_endpoint"],
        format!("{base}{}/oauth2/v2.0/token", demo::TENANT_ID)
    );
    assert_eq!(
        config["authorization_endpoint"],
        format!("{base}{}/oauth2/v2.0/authorize", demo::TENANT_ID)
    );
    assert_eq!(
        config["device_authorization_endpoint"],
        format!("{base}{}/oauth2/v2.0/devicecode", demo::TENANT_ID)
    );
    assert_eq!(
        config["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert!(config["response_types_supported"]
        .as_array()
        .is_some_and(|a| a.contains(&"code".into())));
    assert!(config["subject_types_supported"].is_array() && config["claims_supported"].is_array());
    assert!(config["scopes_supported"]
        .as_array()
        .is_some_and(|a| a.contains(&"offline_access".into())));

    // The multi-tenant aliases publish Entra's templated issuer.
    let (_, organizations) =
        get_json(base.join("organizations/v2.0/.well-known/openid-configuration")?).await?;
    assert_eq!(organizations["issuer"], format!("{base}{{tenantid}}/v2.0"));
    assert_eq!(
        organizations["token_endpoint"],
        format!("{base}organizations/oauth2/v2.0/token")
    );
    let (status, unknown) =
        get_json(base.join("contoso.com/v2.0/.well-known/openid-configuration")?).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&unknown, "invalid_tenant"), 90002);

    let jwks_uri = config["jwks_uri"].as_str().ok_or("no jwks_uri")?;
    let (status, jwks) = get_json(jwks_uri.parse()?).await?;
    assert_eq!(status, StatusCode::OK);
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["use"], "sig");

    let tokens = sign_in(&emulator, "adele", APP_SCOPES).await?;
    let id_token = tokens["id_token"].as_str().ok_or("no id_token")?;
    let header = jsonwebtoken::decode_header(id_token)?;
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().ok_or("no n")?,
        jwk["e"].as_str().ok_or("no e")?,
    )?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[demo::CLIENT_ID]);
    validation.set_issuer(&[issuer.as_str()]);
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)?.claims;
    assert_eq!(claims["preferred_username"], "adele@contoso-demo.example");
    assert_eq!(claims["name"], "Adele Vance");
    assert_eq!(claims["tid"], demo::TENANT_ID);
    assert_eq!(claims["ver"], "2.0");
    assert_eq!(claims["nonce"], "nonce-123");
    assert!(claims["oid"].is_string() && claims["sub"].is_string() && claims["nbf"].is_number());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_auth_code_flow_with_pkce_issues_entras_token_response() -> TestResult {
    let emulator = start().await;
    let app = LoopbackApp::start().await;
    let pkce = pkce();
    let outcome = browse(
        &emulator,
        &app,
        &pkce,
        "adele",
        BrowserAction::SignIn,
        APP_SCOPES,
    )
    .await?;
    assert_eq!(
        outcome.redirect_param("state").as_deref(),
        Some("state-xyz")
    );
    assert!(outcome
        .redirect
        .as_ref()
        .is_some_and(|u| u.as_str().starts_with(&app.redirect_uri)));
    let app_response = outcome
        .app_response
        .as_ref()
        .ok_or("the app was not reached")?;
    assert_eq!(
        (app_response.status, app_response.body.as_str()),
        (200, APP_SUCCESS_BODY)
    );
    assert!(outcome.pages.iter().any(|p| p
        .title
        .as_deref()
        .is_some_and(|t| t.starts_with("Approve sign-in request"))));
    let code = outcome.redirect_param("code").ok_or("no code")?;

    let form = [
        ("client_id", demo::CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", app.redirect_uri.as_str()),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    let (status, body) = token_request(&emulator, &form).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "expires_in",
            "ext_expires_in",
            "id_token",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    assert_eq!(
        body["scope"],
        "User.Read UserAuthenticationMethod.Read openid profile"
    );

    // Replaying the code fails.
    let (status, replay) = token_request(&emulator, &form).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&replay, "invalid_grant"), 54005);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn every_demo_user_but_dana_passes_their_own_second_factor() -> TestResult {
    let emulator = start().await;
    for (upn, title) in [
        ("ben", "Enter code"),
        ("chidi", "Use your security key"),
        ("erin", "Approve sign-in request"),
    ] {
        let app = LoopbackApp::start().await;
        let outcome = browse(
            &emulator,
            &app,
            &pkce(),
            upn,
            BrowserAction::SignIn,
            APP_SCOPES,
        )
        .await?;
        assert!(
            outcome.redirect_param("code").is_some(),
            "{upn}: {outcome:?}"
        );
        assert!(
            outcome
                .pages
                .iter()
                .any(|p| p.title.as_deref().is_some_and(|t| t.starts_with(title))),
            "{upn} did not see {title}: {:?}",
            outcome.pages
        );
    }

    // Dana's phone is lost: the only way out is cancelling.
    let app = LoopbackApp::start().await;
    let outcome = browse(
        &emulator,
        &app,
        &pkce(),
        "dana",
        BrowserAction::SignIn,
        APP_SCOPES,
    )
    .await?;
    assert_eq!(
        outcome.redirect_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        outcome.redirect_param("state").as_deref(),
        Some("state-xyz")
    );
    assert!(outcome.redirect_param("code").is_none());
    assert!(outcome.pages.iter().any(|p| p
        .title
        .as_deref()
        .is_some_and(|t| t.starts_with("We can't reach your phone"))));
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_unknown_users_cancel_and_abandon() -> TestResult {
    let emulator = start().await;

    let app = LoopbackApp::start().await;
    let outcome = browse(
        &emulator,
        &app,
        &pkce(),
        "ben",
        BrowserAction::WrongPasswordThenSignIn,
        APP_SCOPES,
    )
    .await?;
    assert!(outcome.redirect_param("code").is_some(), "{outcome:?}");
    assert!(
        outcome
            .pages
            .iter()
            .filter(|p| p.url.ends_with("/login"))
            .count()
            >= 2
    );

    let mut script = BrowserScript::demo_user("ben", BrowserAction::SignIn);
    script.password = "not-it".into();
    let url = authorize_url(&emulator, &app.redirect_uri, &pkce(), "s", APP_SCOPES);
    let outcome = browser::run(&url, &script).await?;
    assert!(outcome.redirect.is_none());
    let shown = outcome.error_shown.unwrap_or_default();
    assert!(
        shown.contains("Your account or password is incorrect.") && shown.contains("AADSTS50126"),
        "{shown}"
    );

    let script = BrowserScript::demo_user("zed@contoso-demo.example", BrowserAction::SignIn);
    let outcome = browser::run(&url, &script).await?;
    let shown = outcome.error_shown.unwrap_or_default();
    assert!(
        shown.contains("This username may be incorrect") && shown.contains("AADSTS50034"),
        "{shown}"
    );

    let app = LoopbackApp::start().await;
    let outcome = browse(
        &emulator,
        &app,
        &pkce(),
        "adele",
        BrowserAction::Cancel,
        APP_SCOPES,
    )
    .await?;
    assert_eq!(
        outcome.redirect_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        outcome.redirect_param("error_subcode").as_deref(),
        Some("cancel")
    );
    assert_eq!(
        outcome.redirect_param("state").as_deref(),
        Some("state-xyz")
    );
    assert!(outcome
        .redirect_param("error_description")
        .is_some_and(|d| d.starts_with("AADSTS")));
    assert_eq!(app.hits(), 1);

    let app = LoopbackApp::start().await;
    let outcome = browse(
        &emulator,
        &app,
        &pkce(),
        "adele",
        BrowserAction::Abandon,
        APP_SCOPES,
    )
    .await?;
    assert_eq!(outcome.pages.len(), 1);
    assert!(outcome.redirect.is_none());
    let text = outcome.final_page_text.unwrap_or_default();
    assert!(
        text.contains("Demo tenant (emulated, not Microsoft)")
            && text.contains("adele@contoso-demo.example"),
        "{text}"
    );
    assert_eq!(app.hits(), 0);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn signing_in_twice_reports_the_apps_second_answer() -> TestResult {
    let emulator = start().await;
    let app = LoopbackApp::start().await;
    let outcome = browse(
        &emulator,
        &app,
        &pkce(),
        "adele",
        BrowserAction::SignInTwice,
        APP_SCOPES,
    )
    .await?;
    assert_eq!(outcome.app_response.map(|r| r.status), Some(200));
    let second = outcome.second_app_response.ok_or("no second response")?;
    assert_eq!(
        (second.status, second.body.as_str()),
        (400, APP_REUSED_BODY)
    );
    assert_eq!(app.hits(), 2);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn pkce_and_redirect_uri_are_enforced_at_the_token_endpoint() -> TestResult {
    let emulator = start().await;
    let app = LoopbackApp::start().await;
    let redeem = |code: String, verifier: Option<String>, redirect: String| {
        let emulator = &emulator;
        async move {
            let mut form = vec![
                ("client_id", demo::CLIENT_ID.to_string()),
                ("grant_type", "authorization_code".to_string()),
                ("code", code),
                ("redirect_uri", redirect),
            ];
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token_request(emulator, &form).await
        }
    };

    // Wrong verifier, then the burnt code cannot be used any more.
    let pkce_pair = pkce();
    let outcome = browse(
        &emulator,
        &app,
        &pkce_pair,
        "adele",
        BrowserAction::SignIn,
        APP_SCOPES,
    )
    .await?;
    let code = outcome.redirect_param("code").ok_or("no code")?;
    let (status, body) = redeem(
        code.clone(),
        Some(pkce().verifier),
        app.redirect_uri.clone(),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&body, "invalid_grant"), 501481);
    let (_, body) = redeem(
        code,
        Some(pkce_pair.verifier.clone()),
        app.redirect_uri.clone(),
    )
    .await?;
    assert_eq!(assert_identity_error(&body, "invalid_grant"), 54005);

    // Missing verifier.
    let outcome = browse(
        &emulator,
        &app,
        &pkce_pair,
        "adele",
        BrowserAction::SignIn,
        APP_SCOPES,
    )
    .await?;
    let code = outcome.redirect_param("code").ok_or("no code")?;
    let (_, body) = redeem(code, None, app.redirect_uri.clone()).await?;
    assert_eq!(assert_identity_error(&body, "invalid_request"), 900144);

    // A different redirect URI than the one the code was issued for.
    let outcome = browse(
        &emulator,
        &app,
        &pkce_pair,
        "adele",
        BrowserAction::SignIn,
        APP_SCOPES,
    )
    .await?;
    let code = outcome.redirect_param("code").ok_or("no code")?;
    let (_, body) = redeem(
        code,
        Some(pkce_pair.verifier.clone()),
        "http://127.0.0.1:1/".into(),
    )
    .await?;
    assert_eq!(assert_identity_error(&body, "invalid_grant"), 500112);

    // A plain challenge works.
    let plain = pkce();
    let mut url = emulator.base_url().join("common/oauth2/v2.0/authorize")?;
    url.query_pairs_mut()
        .append_pair("client_id", demo::CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &app.redirect_uri)
        .append_pair("scope", "openid https://graph.microsoft.com/User.Read")
        .append_pair("code_challenge", &plain.verifier)
        .append_pair("code_challenge_method", "plain");
    let outcome = browser::run(
        &url,
        &BrowserScript::demo_user("erin", BrowserAction::SignIn),
    )
    .await?;
    let code = outcome.redirect_param("code").ok_or("no code")?;
    assert!(outcome.redirect_param("state").is_none());
    let (status, body) = redeem(code, Some(plain.verifier), app.redirect_uri.clone()).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "User.Read openid");
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_authorize_endpoint_never_redirects_to_an_unregistered_uri() -> TestResult {
    let emulator = start().await;
    let pkce = pkce();
    for (client_id, redirect, code) in [
        (
            demo::CLIENT_ID,
            "http://127.0.0.1:4321/callback",
            "AADSTS50011",
        ),
        (demo::CLIENT_ID, "https://evil.example/", "AADSTS50011"),
        (
            "00000000-0000-0000-0000-000000000001",
            "http://127.0.0.1:4321/",
            "AADSTS700016",
        ),
    ] {
        let mut url = authorize_url(&emulator, redirect, &pkce, "s", APP_SCOPES);
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                if k == "client_id" {
                    (k.into_owned(), client_id.to_string())
                } else {
                    (k.into_owned(), v.into_owned())
                }
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let response = client().get(url).send().await?;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get("location").is_none());
        let page = response.text().await?;
        assert!(
            page.contains(code) && page.contains("Demo tenant (emulated, not Microsoft)"),
            "{code}"
        );
    }

    // Once the redirect URI is safe, errors go back to the app.
    let app = LoopbackApp::start().await;
    let mut url = authorize_url(
        &emulator,
        &app.redirect_uri,
        &pkce,
        "st",
        "Mail.Send.Everything",
    );
    let response = client().get(url.clone()).send().await?;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location: url::Url = response
        .headers()
        .get("location")
        .ok_or("no location")?
        .to_str()?
        .parse()?;
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_scope")
    );
    assert_eq!(params.get("state").map(String::as_str), Some("st"));

    url.query_pairs_mut().append_pair("prompt", "none");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            if k == "scope" {
                (k.into_owned(), APP_SCOPES.to_string())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let response = client().get(url).send().await?;
    let location = response
        .headers()
        .get("location")
        .ok_or("no location")?
        .to_str()?
        .to_string();
    assert!(location.contains("error=login_required"), "{location}");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_token_endpoint_answers_errors_in_entras_shape() -> TestResult {
    let emulator = start().await;
    let cases: [(Form<'_>, StatusCode, &str, u64); 6] = [
        (
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "11111111-2222-3333-4444-555555555555"),
                ("code", "x"),
                ("redirect_uri", "http://localhost"),
            ],
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
        ),
        (
            &[
                ("grant_type", "authorization_code"),
                ("client_id", demo::CLIENT_ID),
                ("client_secret", "s"),
                ("code", "x"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
        ),
        (
            &[("grant_type", "password"), ("client_id", demo::CLIENT_ID)],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
        ),
        (
            &[("client_id", demo::CLIENT_ID)],
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
        ),
        (
            &[
                ("grant_type", "authorization_code"),
                ("client_id", demo::CLIENT_ID),
                ("code", "made-up"),
                ("redirect_uri", "http://localhost"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
        ),
        (
            &[
                ("grant_type", "refresh_token"),
                ("client_id", demo::CLIENT_ID),
                ("refresh_token", "made-up"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
        ),
    ];
    for (form, status, error, code) in cases {
        let response = client()
            .post(token_url(&emulator))
            .header("client-request-id", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
            .form(form)
            .send()
            .await?;
        assert_eq!(response.status(), status, "{form:?}");
        assert!(response.headers().get("location").is_none());
        let body: Value = response.json().await?;
        assert_eq!(assert_identity_error(&body, error), code, "{body}");
        assert_eq!(
            body["correlation_id"],
            "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
        );
    }
    let (status, body) = get_json(token_url(&emulator)).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&body, "invalid_request"), 900561);
    emulator.shutdown().await;
    Ok(())
}

/// A form body for the token endpoint.
type Form<'a> = &'a [(&'a str, &'a str)];

fn refresh_form(token: &str) -> [(&'static str, String); 3] {
    [
        ("client_id", demo::CLIENT_ID.to_string()),
        ("grant_type", "refresh_token".to_string()),
        ("refresh_token", token.to_string()),
    ]
}

async fn refresh(
    emulator: &tenant_emulator::Emulator,
    token: &str,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let form = refresh_form(token);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    token_request(emulator, &form).await
}

#[tokio::test]
async fn refresh_tokens_rotate_stay_valid_after_use_and_die_on_revocation() -> TestResult {
    let emulator = start().await;
    let tokens = sign_in(&emulator, "chidi", APP_SCOPES).await?;
    let first = tokens["refresh_token"]
        .as_str()
        .ok_or("no refresh token")?
        .to_string();

    let (status, rotated) = refresh(&emulator, &first).await?;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = rotated["refresh_token"]
        .as_str()
        .ok_or("no rotated token")?
        .to_string();
    assert_ne!(first, second);
    assert!(rotated["id_token"].is_string() && rotated["access_token"].is_string());
    assert_eq!(rotated["scope"], tokens["scope"]);
    // Opaque and as long as Entra's (over a thousand characters).
    for token in [&first, &second] {
        assert!(token.len() > 1000, "{} characters", token.len());
        assert!(!token.contains('.'), "not a JWT");
    }

    // Rotation does not revoke the old token (Microsoft's refresh-token
    // page): using it again works and rotates again.
    let (status, reused) = refresh(&emulator, &first).await?;
    assert_eq!(status, StatusCode::OK, "{reused}");
    assert!(reused["refresh_token"].is_string());

    // Revocation through the Rust API.
    emulator
        .revoke_sign_in_sessions("chidi@contoso-demo.example")
        .await?;
    let (_, revoked) = refresh(&emulator, &second).await?;
    assert_eq!(assert_identity_error(&revoked, "invalid_grant"), 50173);
    assert!(emulator
        .revoke_sign_in_sessions("nobody@contoso-demo.example")
        .await
        .is_err());

    // A sign-in after the revocation gets working tokens again.
    let tokens = sign_in(&emulator, "chidi", APP_SCOPES).await?;
    let fresh = tokens["refresh_token"]
        .as_str()
        .ok_or("no refresh token")?
        .to_string();
    let (status, body) = refresh(&emulator, &fresh).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn revocation_over_the_admin_api() -> TestResult {
    let emulator = start().await;
    let tokens = sign_in(&emulator, "erin", APP_SCOPES).await?;
    let token = tokens["refresh_token"]
        .as_str()
        .ok_or("no refresh token")?
        .to_string();
    let admin = emulator
        .base_url()
        .join("_emulator/users/erin@contoso-demo.example/revoke-sign-in-sessions")?;
    let response = client().post(admin).send().await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, body) = refresh(&emulator, &token).await?;
    assert_eq!(assert_identity_error(&body, "invalid_grant"), 50173);
    let unknown = emulator
        .base_url()
        .join("_emulator/users/nobody@x/revoke-sign-in-sessions")?;
    assert_eq!(
        client().post(unknown).send().await?.status(),
        StatusCode::NOT_FOUND
    );
    emulator.shutdown().await;
    Ok(())
}

async fn device_code(emulator: &tenant_emulator::Emulator) -> Result<Value, reqwest::Error> {
    let url = emulator
        .base_url()
        .join("organizations/oauth2/v2.0/devicecode")
        .unwrap_or_else(|_| emulator.base_url());
    client()
        .post(url)
        .form(&[("client_id", demo::CLIENT_ID), ("scope", APP_SCOPES)])
        .send()
        .await?
        .json()
        .await
}

async fn poll(
    emulator: &tenant_emulator::Emulator,
    device_code: &str,
) -> Result<(StatusCode, Value), reqwest::Error> {
    token_request(
        emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
        ],
    )
    .await
}

#[tokio::test]
async fn the_device_code_flow_goes_pending_then_signed_in() -> TestResult {
    let emulator = start().await;
    let started = device_code(&emulator).await?;
    assert_eq!(
        keys(&started),
        [
            "device_code",
            "expires_in",
            "interval",
            "message",
            "user_code",
            "verification_uri"
        ]
    );
    let user_code = started["user_code"].as_str().ok_or("no user code")?;
    assert_eq!(user_code.len(), 9);
    assert!(user_code
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(
        started["verification_uri"],
        format!("{}devicelogin", emulator.base_url())
    );
    assert_eq!(started["expires_in"], 900);
    assert_eq!(started["interval"], 1);
    assert!(started["message"]
        .as_str()
        .is_some_and(|m| m.contains(user_code)));
    let device = started["device_code"].as_str().ok_or("no device code")?;

    let (status, pending) = poll(&emulator, device).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        assert_identity_error(&pending, "authorization_pending"),
        70016
    );

    let script = BrowserScript::demo_user("adele", BrowserAction::SignIn);
    let outcome =
        browser::complete_device_code(&emulator.base_url(), &user_code.to_lowercase(), &script)
            .await?;
    let text = outcome.final_page_text.unwrap_or_default();
    assert!(text.contains("You have signed in to the MFA Assistant (demo) application on your device. You may now close this window."), "{text}");

    let (status, tokens) = poll(&emulator, device).await?;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(
        tokens["access_token"].is_string()
            && tokens["refresh_token"].is_string()
            && tokens["id_token"].is_string()
    );
    let (_, again) = poll(&emulator, device).await?;
    assert_identity_error(&again, "invalid_grant");
    let (_, unknown) = poll(&emulator, "nonsense").await?;
    assert_identity_error(&unknown, "bad_verification_code");

    // A wrong code is refused on the page; a cancelled sign-in is declined.
    let outcome = browser::complete_device_code(&emulator.base_url(), "AAAAAAAAA", &script).await?;
    assert!(outcome
        .error_shown
        .unwrap_or_default()
        .contains("That code didn't work"));
    let declined = device_code(&emulator).await?;
    let cancel = BrowserScript::demo_user("adele", BrowserAction::Cancel);
    browser::complete_device_code(
        &emulator.base_url(),
        declined["user_code"].as_str().unwrap_or_default(),
        &cancel,
    )
    .await?;
    let (_, body) = poll(
        &emulator,
        declined["device_code"].as_str().unwrap_or_default(),
    )
    .await?;
    assert_identity_error(&body, "authorization_declined");
    emulator.shutdown().await;
    Ok(())
}
