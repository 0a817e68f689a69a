//! Graph writes over real HTTP: creating, updating and deleting phone and
//! email methods, deleting every other kind, SMS sign-in, the beta
//! signInPreferences, the default-method rule, permissions, the
//! self-service switch, `$batch`, faults on write routes and persistence.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tenant_emulator::{Emulator, EmulatorConfig, Fault};

const MOBILE: &str = "3179e48a-750b-4051-897c-87b9720928f7";
const ALTERNATE: &str = "b6332ec1-7057-4abe-9331-3d72feddfe41";
const OFFICE: &str = "e37fc753-ff3b-4958-9484-eaa9425c82bc";
const EMAIL: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";
const PASSWORD: &str = "28c10230-6103-485e-b985-444c60001490";
const ADELE_AUTHENTICATOR: &str = "6803c096-c096-6803-96c0-036896c00368";
const DEFAULT_MESSAGE: &str = "Cannot delete default method with other methods configured. Please change default method before deletion.";

const PHONES: &str = "v1.0/me/authentication/phoneMethods";

async fn phones(emulator: &Emulator, token: &str) -> Result<Vec<Value>, reqwest::Error> {
    let (_, _, body) = graph_send(emulator, Method::GET, token, PHONES, None).await?;
    Ok(body["value"].as_array().cloned().unwrap_or_default())
}

async fn preferred(
    emulator: &Emulator,
    token: &str,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let path = sign_in_preferences(emulator, token).await?;
    let (_, _, body) = graph_send(emulator, Method::GET, token, &path, None).await?;
    Ok(body["userPreferredMethodForSecondaryAuthentication"].clone())
}

#[tokio::test]
async fn phones_are_created_updated_and_deleted_by_the_rules() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "erin").await?;
    let add = |number: &str, kind: &str| json!({"phoneNumber": number, "phoneType": kind});

    let (status, headers, body) = graph_send(
        &emulator,
        Method::POST,
        &token,
        PHONES,
        Some(&add("+1 4255550123", "mobile")),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(headers.get("request-id").is_some());
    assert_eq!(body["id"], MOBILE);
    assert_eq!(body["phoneNumber"], "+1 4255550123");
    assert_eq!(body["phoneType"], "mobile");
    assert_eq!(body["smsSignInState"], "ready");
    assert!(body["createdDateTime"].is_string());

    let (status, _, body) = graph_send(
        &emulator,
        Method::POST,
        &token,
        "beta/users/erin@contoso-demo.example/authentication/phoneMethods",
        Some(&add("+1 4255550124x77", "alternateMobile")),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], ALTERNATE);
    assert_eq!(body["smsSignInState"], "notSupported");
    let (status, _, body) = graph_send(
        &emulator,
        Method::POST,
        &token,
        PHONES,
        Some(&add("+44 2079460000", "office")),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], OFFICE);
    assert_eq!(phones(&emulator, &token).await?.len(), 3);

    let second = graph_send(
        &emulator,
        Method::POST,
        &token,
        PHONES,
        Some(&add("+1 4255550199", "mobile")),
    )
    .await?;
    let message = expect_error(&second, StatusCode::BAD_REQUEST, "badRequest");
    assert!(message.contains("at most one phone per type"), "{message}");

    // PATCH changes the number; the type never changes.
    let path = format!("{PHONES}/{MOBILE}");
    let (status, _, body) = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &path,
        Some(&add("+1 4255550125", "mobile")),
    )
    .await?;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, _, mobile) = graph_send(&emulator, Method::GET, &token, &path, None).await?;
    assert_eq!(mobile["phoneNumber"], "+1 4255550125");
    let retype = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &path,
        Some(&add("+1 4255550125", "office")),
    )
    .await?;
    let message = expect_error(&retype, StatusCode::BAD_REQUEST, "badRequest");
    assert!(message.contains("phoneType cannot be changed"), "{message}");
    let bad_number = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &path,
        Some(&json!({"phoneNumber": "4255550125"})),
    )
    .await?;
    let message = expect_error(&bad_number, StatusCode::BAD_REQUEST, "invalidRequest");
    assert!(message.contains("'4255550125' is not valid"), "{message}");

    // The mobile goes only after the alternate.
    let mobile_first = graph_send(&emulator, Method::DELETE, &token, &path, None).await?;
    let message = expect_error(&mobile_first, StatusCode::BAD_REQUEST, "badRequest");
    assert!(message.contains("alternateMobile"), "{message}");
    let (status, _, _) = graph_send(
        &emulator,
        Method::DELETE,
        &token,
        &format!("{PHONES}/{ALTERNATE}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = graph_send(&emulator, Method::DELETE, &token, &path, None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let vanished = graph_send(&emulator, Method::DELETE, &token, &path, None).await?;
    expect_error(&vanished, StatusCode::NOT_FOUND, "itemNotFound");
    let patch_vanished = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &path,
        Some(&add("+1 4255550125", "mobile")),
    )
    .await?;
    expect_error(&patch_vanished, StatusCode::NOT_FOUND, "itemNotFound");
    let ids: Vec<Value> = phones(&emulator, &token)
        .await?
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids, [json!(OFFICE)]);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn bad_phone_bodies_are_refused_precisely() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "erin").await?;
    let cases = [
        (
            json!({"phoneNumber": "+14255550123", "phoneType": "mobile"}),
            "invalidRequest",
            "is not valid",
        ),
        (
            json!({"phoneNumber": "+1 4255550123", "phoneType": "pager"}),
            "invalidRequest",
            "'pager' is not a valid phoneType",
        ),
        (
            json!({"phoneNumber": "+1 4255550123"}),
            "invalidRequest",
            "'phoneType' is required",
        ),
        (
            json!({"phoneType": "mobile"}),
            "invalidRequest",
            "'phoneNumber' is required",
        ),
        (
            json!({"phoneNumber": "+1 4255550123", "phoneType": "mobile", "smsSignInState": "ready"}),
            "invalidRequest",
            "'smsSignInState' is read-only",
        ),
        (
            json!({"phoneNumber": "+1 4255550123", "phoneType": "mobile", "nickname": "work"}),
            "invalidRequest",
            "'nickname' does not exist",
        ),
        (
            json!({"phoneNumber": 14255550123u64, "phoneType": "mobile"}),
            "invalidRequest",
            "must be a string",
        ),
        (
            json!({"phoneNumber": "+1 4255550123", "phoneType": "alternateMobile"}),
            "badRequest",
            "requires a mobile phone",
        ),
        (json!(["not", "an", "object"]), "BadRequest", "JSON"),
    ];
    for (body, code, words) in cases {
        let result = graph_send(&emulator, Method::POST, &token, PHONES, Some(&body)).await?;
        let message = expect_error(&result, StatusCode::BAD_REQUEST, code);
        assert!(message.contains(words), "{body}: {message}");
    }
    let response = client()
        .post(emulator.base_url().join(PHONES)?)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(phones(&emulator, &token).await?.is_empty());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_email_method_has_its_fixed_id_and_is_unique() -> TestResult {
    let emulator = start_with_self_service().await;
    let emails = "v1.0/me/authentication/emailMethods";
    let adele = write_token(&emulator, "adele").await?;
    let (status, _, body) = graph_send(
        &emulator,
        Method::POST,
        &adele,
        emails,
        Some(&json!({"emailAddress": "adele@personal.example"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], EMAIL);
    assert_eq!(body["emailAddress"], "adele@personal.example");

    let erin = write_token(&emulator, "erin").await?;
    let second = graph_send(
        &emulator,
        Method::POST,
        &erin,
        emails,
        Some(&json!({"emailAddress": "erin2@personal.example"})),
    )
    .await?;
    let message = expect_error(&second, StatusCode::BAD_REQUEST, "badRequest");
    assert!(message.contains("at most one"), "{message}");
    let invalid = graph_send(
        &emulator,
        Method::POST,
        &adele,
        emails,
        Some(&json!({"emailAddress": "not an address"})),
    )
    .await?;
    expect_error(&invalid, StatusCode::BAD_REQUEST, "invalidRequest");
    let (status, _, _) = graph_send(
        &emulator,
        Method::PATCH,
        &erin,
        &format!("{emails}/{EMAIL}"),
        Some(&json!({"emailAddress": "erin.new@personal.example"})),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, body) = graph_send(&emulator, Method::GET, &erin, emails, None).await?;
    assert_eq!(
        body["value"][0]["emailAddress"],
        "erin.new@personal.example"
    );
    let malformed = graph_send(
        &emulator,
        Method::PATCH,
        &erin,
        &format!("{emails}/{EMAIL}"),
        Some(&json!({"emailAddress": "no-at-sign"})),
    )
    .await?;
    let message = expect_error(&malformed, StatusCode::BAD_REQUEST, "invalidRequest");
    assert!(message.contains("'no-at-sign' is not valid"), "{message}");
    let (status, _, _) = graph_send(
        &emulator,
        Method::DELETE,
        &erin,
        &format!("{emails}/{EMAIL}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_default_method_is_deleted_last_and_the_password_never() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "adele").await?;
    let authenticator =
        format!("v1.0/me/authentication/microsoftAuthenticatorMethods/{ADELE_AUTHENTICATOR}");
    let refused = graph_send(&emulator, Method::DELETE, &token, &authenticator, None).await?;
    let message = expect_error(&refused, StatusCode::BAD_REQUEST, "badRequest");
    assert_eq!(message, DEFAULT_MESSAGE);
    assert_eq!(refused.2["error"]["innerError"]["message"], DEFAULT_MESSAGE);

    let password = graph_send(
        &emulator,
        Method::DELETE,
        &token,
        &format!("v1.0/me/authentication/passwordMethods/{PASSWORD}"),
        None,
    )
    .await?;
    expect_error(
        &password,
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
    );
    let unknown = graph_send(
        &emulator,
        Method::DELETE,
        &token,
        "v1.0/me/authentication/fido2Methods/no-such-key",
        None,
    )
    .await?;
    expect_error(&unknown, StatusCode::NOT_FOUND, "itemNotFound");

    // The phone (not the default) goes; then the default is the last
    // default-capable method and may go too, leaving no default.
    let (status, _, _) = graph_send(
        &emulator,
        Method::DELETE,
        &token,
        &format!("{PHONES}/{MOBILE}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) =
        graph_send(&emulator, Method::DELETE, &token, &authenticator, None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(preferred(&emulator, &token).await?, Value::Null);
    let gone = graph_send(&emulator, Method::GET, &token, &authenticator, None).await?;
    expect_error(&gone, StatusCode::NOT_FOUND, "itemNotFound");

    // The first default-capable method registered becomes the default.
    let (status, _, _) = graph_send(
        &emulator,
        Method::POST,
        &token,
        PHONES,
        Some(&json!({"phoneNumber": "+1 4255550101", "phoneType": "office"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(preferred(&emulator, &token).await?, "voiceOffice");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn other_method_types_can_be_deleted() -> TestResult {
    let emulator = start().await;
    let token = write_token(&emulator, "chidi").await?;
    for path in [
        "v1.0/me/authentication/fido2Methods/-2_GRUg2-HYz6_1YG4YRAQ2",
        "v1.0/me/authentication/windowsHelloForBusinessMethods/b5e01f81-1f81-b5e0-811f-e0b5811fe0b5",
        "beta/me/authentication/softwareOathMethods/7a3e2b9c-2b9c-7a3e-9c2b-3e7a9c2b3e7a",
    ] {
        let (status, _, body) = graph_send(&emulator, Method::DELETE, &token, path, None).await?;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}: {body}");
    }
    let (_, _, body) = graph_send(
        &emulator,
        Method::GET,
        &token,
        "v1.0/me/authentication/methods",
        None,
    )
    .await?;
    let kinds: Vec<&str> = body["value"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["@odata.type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        [
            "#microsoft.graph.passwordAuthenticationMethod",
            "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "#microsoft.graph.phoneAuthenticationMethod"
        ]
    );
    let erin = write_token(&emulator, "erin").await?;
    let (status, _, _) = graph_send(
        &emulator,
        Method::DELETE,
        &erin,
        "v1.0/me/authentication/platformCredentialMethods/Zm9yLWVyaW5zLW1hY2Jvb2stYWly",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn sms_sign_in_is_switched_on_the_mobile_only() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "adele").await?;
    let action = |id: &str, name: &str| format!("{PHONES}/{id}/{name}");
    let (status, _, body) = graph_send(
        &emulator,
        Method::POST,
        &token,
        &action(MOBILE, "disableSmsSignIn"),
        None,
    )
    .await?;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, _, mobile) = graph_send(
        &emulator,
        Method::GET,
        &token,
        &format!("{PHONES}/{MOBILE}"),
        None,
    )
    .await?;
    assert_eq!(mobile["smsSignInState"], "notEnabled");
    let (status, _, _) = graph_send(
        &emulator,
        Method::POST,
        &token,
        &action(MOBILE, "enableSmsSignIn"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, mobile) = graph_send(
        &emulator,
        Method::GET,
        &token,
        &format!("{PHONES}/{MOBILE}"),
        None,
    )
    .await?;
    assert_eq!(mobile["smsSignInState"], "ready");

    graph_send(
        &emulator,
        Method::POST,
        &token,
        PHONES,
        Some(&json!({"phoneNumber": "+1 4255550177", "phoneType": "office"})),
    )
    .await?;
    let office = graph_send(
        &emulator,
        Method::POST,
        &token,
        &action(OFFICE, "enableSmsSignIn"),
        None,
    )
    .await?;
    let message = expect_error(&office, StatusCode::BAD_REQUEST, "badRequest");
    assert!(message.contains("only for the mobile phone"), "{message}");
    let missing = graph_send(
        &emulator,
        Method::POST,
        &token,
        &action(ALTERNATE, "enableSmsSignIn"),
        None,
    )
    .await?;
    expect_error(&missing, StatusCode::NOT_FOUND, "itemNotFound");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn sign_in_preferences_change_the_default_on_beta_only() -> TestResult {
    let emulator = start().await;
    let token = write_token(&emulator, "adele").await?;
    let prefs = &sign_in_preferences(&emulator, &token).await?;
    let set = |value: &str| json!({"userPreferredMethodForSecondaryAuthentication": value});
    let (status, _, body) =
        graph_send(&emulator, Method::PATCH, &token, prefs, Some(&set("sms"))).await?;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(preferred(&emulator, &token).await?, "sms");
    // The default is now the mobile: it cannot go, the Authenticator can.
    let mobile = graph_send(
        &emulator,
        Method::DELETE,
        &token,
        &format!("{PHONES}/{MOBILE}"),
        None,
    )
    .await?;
    assert_eq!(
        expect_error(&mobile, StatusCode::BAD_REQUEST, "badRequest"),
        DEFAULT_MESSAGE
    );

    let no_office = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        prefs,
        Some(&set("voiceOffice")),
    )
    .await?;
    let message = expect_error(&no_office, StatusCode::BAD_REQUEST, "badRequest");
    assert!(message.contains("needs an office phone"), "{message}");
    let unknown_value = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        prefs,
        Some(&set("carrierPigeon")),
    )
    .await?;
    expect_error(&unknown_value, StatusCode::BAD_REQUEST, "invalidRequest");
    let system = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        prefs,
        Some(&json!({"isSystemPreferredAuthenticationMethodEnabled": true})),
    )
    .await?;
    let message = expect_error(&system, StatusCode::BAD_REQUEST, "invalidRequest");
    assert!(
        message.contains("cannot be changed by the user"),
        "{message}"
    );
    let other = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        prefs,
        Some(&json!({"userPreferredMethodForSecondaryAuthentication": "push", "colour": "blue"})),
    )
    .await?;
    let message = expect_error(&other, StatusCode::BAD_REQUEST, "invalidRequest");
    assert!(message.contains("'colour'"), "{message}");
    assert_eq!(preferred(&emulator, &token).await?, "sms");

    let (status, _, _) = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        "beta/users/adele@contoso-demo.example/authentication/signInPreferences",
        Some(&set("push")),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(preferred(&emulator, &token).await?, "push");

    let v1 = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        "v1.0/me/authentication/signInPreferences",
        Some(&set("sms")),
    )
    .await?;
    let message = expect_error(&v1, StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        message,
        "Resource not found for the segment 'signInPreferences'."
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn writes_need_a_read_write_permission() -> TestResult {
    let emulator = start_with_self_service().await;
    let read_only = access_token(&emulator, "adele").await?;
    let phone = json!({"phoneNumber": "+1 4255550177", "phoneType": "office"});
    let create = graph_send(&emulator, Method::POST, &read_only, PHONES, Some(&phone)).await?;
    let message = expect_error(&create, StatusCode::FORBIDDEN, "accessDenied");
    assert!(
        message.contains("UserAuthenticationMethod.ReadWrite"),
        "{message}"
    );
    let delete = graph_send(
        &emulator,
        Method::DELETE,
        &read_only,
        &format!("{PHONES}/{MOBILE}"),
        None,
    )
    .await?;
    expect_error(&delete, StatusCode::FORBIDDEN, "accessDenied");
    let prefs = graph_send(
        &emulator,
        Method::PATCH,
        &read_only,
        &sign_in_preferences(&emulator, &read_only).await?,
        Some(&json!({"userPreferredMethodForSecondaryAuthentication": "sms"})),
    )
    .await?;
    expect_error(&prefs, StatusCode::FORBIDDEN, "accessDenied");

    // The token endpoint issues the write scope, and the granular one.
    let tokens = sign_in(&emulator, "adele", WRITE_SCOPES).await?;
    let scope = tokens["scope"].as_str().unwrap_or_default();
    assert!(
        scope
            .split(' ')
            .any(|s| s == "UserAuthenticationMethod.ReadWrite"),
        "{scope}"
    );
    let granular = sign_in(&emulator, "adele", "openid UserAuthMethod-Phone.ReadWrite").await?;
    let granular = granular["access_token"].as_str().ok_or("no token")?;
    let (status, _, _) =
        graph_send(&emulator, Method::POST, granular, PHONES, Some(&phone)).await?;
    assert_eq!(status, StatusCode::CREATED);
    let other_type = graph_send(
        &emulator,
        Method::DELETE,
        granular,
        &format!("v1.0/me/authentication/microsoftAuthenticatorMethods/{ADELE_AUTHENTICATOR}"),
        None,
    )
    .await?;
    let message = expect_error(&other_type, StatusCode::FORBIDDEN, "accessDenied");
    assert!(
        message.contains("UserAuthMethod-MicrosoftAuthApp.ReadWrite"),
        "{message}"
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_self_service_switch_forbids_phone_and_email_writes_only() -> TestResult {
    // Off by default, as Microsoft's per-API pages say.
    let emulator = start().await;
    assert!(!emulator.self_service_writes());
    let token = write_token(&emulator, "erin").await?;
    let phone = json!({"phoneNumber": "+1 4255550177", "phoneType": "mobile"});
    for path in [
        PHONES,
        "v1.0/users/erin@contoso-demo.example/authentication/phoneMethods",
    ] {
        let refused = graph_send(&emulator, Method::POST, &token, path, Some(&phone)).await?;
        assert_eq!(
            expect_error(&refused, StatusCode::FORBIDDEN, "accessDenied"),
            "Request Authorization failed"
        );
    }
    let email = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &format!("v1.0/me/authentication/emailMethods/{EMAIL}"),
        Some(&json!({"emailAddress": "erin.new@personal.example"})),
    )
    .await?;
    expect_error(&email, StatusCode::FORBIDDEN, "accessDenied");
    // Deletes and the default stay allowed.
    let (status, _, _) = graph_send(
        &emulator,
        Method::DELETE,
        &token,
        &format!("v1.0/me/authentication/emailMethods/{EMAIL}"),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &sign_in_preferences(&emulator, &token).await?,
        Some(&json!({"userPreferredMethodForSecondaryAuthentication": "oath"})),
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The runtime switch, over HTTP and in Rust.
    let settings = client()
        .post(emulator.base_url().join("_emulator/settings")?)
        .json(&json!({"selfServiceWrites": true}))
        .send()
        .await?;
    assert_eq!(settings.status(), StatusCode::OK);
    let settings: Value = settings.json().await?;
    assert_eq!(
        settings,
        json!({"selfServiceWrites": true, "freshMfaWindowSeconds": 600})
    );
    let (status, _, _) = graph_send(&emulator, Method::POST, &token, PHONES, Some(&phone)).await?;
    assert_eq!(status, StatusCode::CREATED);
    emulator.set_self_service_writes(false);
    let refused = graph_send(
        &emulator,
        Method::PATCH,
        &token,
        &format!("{PHONES}/{MOBILE}"),
        Some(&phone),
    )
    .await?;
    expect_error(&refused, StatusCode::FORBIDDEN, "accessDenied");
    let typo = client()
        .post(emulator.base_url().join("_emulator/settings")?)
        .json(&json!({"selfServiceWrite": true}))
        .send()
        .await?;
    assert_eq!(typo.status(), StatusCode::BAD_REQUEST);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn batches_carry_writes_through_the_same_rules() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "erin").await?;
    let json_headers = json!({"Content-Type": "application/json"});
    let batch = json!({"requests": [
        {"id": "add", "method": "POST", "url": "/me/authentication/phoneMethods",
         "headers": json_headers, "body": {"phoneNumber": "+1 4255550150", "phoneType": "mobile"}},
        {"id": "sms", "method": "POST", "url": format!("/me/authentication/phoneMethods/{MOBILE}/disableSmsSignIn"),
         "headers": json_headers, "body": {}, "dependsOn": ["add"]},
        {"id": "again", "method": "POST", "url": "/me/authentication/phoneMethods",
         "headers": json_headers, "body": {"phoneNumber": "+1 4255550151", "phoneType": "mobile"},
         "dependsOn": ["add"]},
        {"id": "email", "method": "DELETE", "url": format!("/me/authentication/emailMethods/{EMAIL}")},
        {"id": "list", "method": "GET", "url": "/me/authentication/phoneMethods", "dependsOn": ["sms"]},
    ]});
    let (status, _, body) =
        graph_send(&emulator, Method::POST, &token, "v1.0/$batch", Some(&batch)).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let item = |id: &str| {
        body["responses"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(item("add")["status"], 201);
    assert_eq!(item("add")["body"]["id"], MOBILE);
    assert_eq!(item("sms")["status"], 204);
    assert_eq!(item("again")["status"], 400);
    assert_eq!(item("again")["body"]["error"]["code"], "badRequest");
    assert_eq!(item("email")["status"], 204);
    assert_eq!(
        item("list")["body"]["value"][0]["smsSignInState"],
        "notEnabled"
    );

    // The beta batch carries signInPreferences writes.
    let beta = json!({"requests": [
        {"id": "1", "method": "PATCH", "url": sign_in_preferences(&emulator, &token).await?.trim_start_matches("beta"),
         "headers": json_headers, "body": {"userPreferredMethodForSecondaryAuthentication": "sms"}},
    ]});
    let (_, _, body) =
        graph_send(&emulator, Method::POST, &token, "beta/$batch", Some(&beta)).await?;
    assert_eq!(body["responses"][0]["status"], 204, "{body}");
    assert_eq!(preferred(&emulator, &token).await?, "sms");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn faults_target_write_routes_with_a_star_segment() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "chidi").await?;
    emulator.faults().inject(Fault::status(
        "DELETE /v1.0/me/authentication/fido2Methods/*",
        429,
        Some("1"),
        1,
    ));
    let path = "v1.0/me/authentication/fido2Methods/-2_GRUg2-HYz6_1YG4YRAQ2";
    let throttled = graph_send(&emulator, Method::DELETE, &token, path, None).await?;
    assert_eq!(
        throttled.1.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    expect_error(&throttled, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    let (status, _, _) = graph_send(&emulator, Method::DELETE, &token, path, None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        emulator.count("DELETE", "/v1.0/me/authentication/fido2Methods/*"),
        2
    );

    // Over the control API, and inside a batch.
    let injected = client()
        .post(emulator.base_url().join("_emulator/faults")?)
        .json(&json!({"route": "POST /v1.0/me/authentication/phoneMethods", "status": 503}))
        .send()
        .await?;
    assert_eq!(injected.status(), StatusCode::CREATED);
    let batch = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/me/authentication/phoneMethods",
         "headers": {"Content-Type": "application/json"},
         "body": {"phoneNumber": "+1 4255550160", "phoneType": "office"}},
    ]});
    let (_, _, body) =
        graph_send(&emulator, Method::POST, &token, "v1.0/$batch", Some(&batch)).await?;
    assert_eq!(body["responses"][0]["status"], 503, "{body}");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn writes_persist_in_the_state_directory() -> TestResult {
    let dir = tempfile::tempdir()?;
    let with_state = || EmulatorConfig {
        state_dir: Some(dir.path().to_path_buf()),
        self_service_writes: true,
        ..config()
    };
    let emulator = Emulator::start(with_state()).await?;
    let token = write_token(&emulator, "erin").await?;
    let (status, _, _) = graph_send(
        &emulator,
        Method::POST,
        &token,
        PHONES,
        Some(&json!({"phoneNumber": "+1 4255550170", "phoneType": "mobile"})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED);
    emulator.shutdown().await;

    let emulator = Emulator::start(with_state()).await?;
    let token = write_token(&emulator, "erin").await?;
    let phones = phones(&emulator, &token).await?;
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0]["phoneNumber"], "+1 4255550170");
    emulator.shutdown().await;
    Ok(())
}

/// External authentication methods belong to the organisation's external
/// MFA provider: Microsoft documents that users cannot delete them through
/// Graph. The refusal comes with the permission checks, before the id is
/// looked up, on `/me` and on the user's own `/users/{id}`, even with
/// self-service writes on; other deletes stay allowed.
#[tokio::test]
async fn users_cannot_delete_external_methods() -> TestResult {
    let emulator = start_with_self_service().await;
    let token = write_token(&emulator, "adele").await?;
    let (_, _, me) = graph_get(&emulator, Some(&token), "v1.0/me").await?;
    let id = me["id"].as_str().ok_or("no id")?.to_owned();
    for path in [
        "v1.0/me/authentication/externalAuthenticationMethods/ext-1".to_owned(),
        format!("v1.0/users/{id}/authentication/externalAuthenticationMethods/ext-1"),
        "beta/me/authentication/externalAuthenticationMethods/ext-1".to_owned(),
    ] {
        let result = graph_send(&emulator, reqwest::Method::DELETE, &token, &path, None).await?;
        let message = expect_error(&result, StatusCode::FORBIDDEN, "accessDenied");
        assert_eq!(message, "Request Authorization failed", "{path}");
    }
    // An ordinary delete of an unknown id is still 404, so the 403 above is
    // the external-method rule, not a blanket refusal.
    let result = graph_send(
        &emulator,
        reqwest::Method::DELETE,
        &token,
        "v1.0/me/authentication/softwareOathMethods/ext-1",
        None,
    )
    .await?;
    expect_error(&result, StatusCode::NOT_FOUND, "itemNotFound");
    emulator.shutdown().await;
    Ok(())
}
