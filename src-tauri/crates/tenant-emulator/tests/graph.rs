//! Microsoft Graph over real HTTP: authentication and permissions, every
//! typed collection, v1.0 versus beta, signInPreferences and `$batch`.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tenant_emulator::{Emulator, EmulatorConfig};

const COLLECTIONS_V1: [&str; 10] = [
    "phoneMethods",
    "emailMethods",
    "fido2Methods",
    "microsoftAuthenticatorMethods",
    "softwareOathMethods",
    "windowsHelloForBusinessMethods",
    "temporaryAccessPassMethods",
    "passwordMethods",
    "platformCredentialMethods",
    "externalAuthenticationMethods",
];

#[tokio::test]
async fn graph_requires_a_valid_unexpired_token() -> TestResult {
    let emulator = start().await;
    let response = client()
        .get(emulator.base_url().join("v1.0/me/authentication/methods")?)
        .header("client-request-id", "my-correlation-7")
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let request_id = response
        .headers()
        .get("request-id")
        .ok_or("no request-id")?
        .to_str()?
        .to_string();
    assert_eq!(
        response
            .headers()
            .get("client-request-id")
            .map(|v| v.as_bytes()),
        Some(&b"my-correlation-7"[..])
    );
    assert!(response.headers().get("www-authenticate").is_some());
    let body: Value = response.json().await?;
    assert_eq!(assert_graph_error(&body), "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "my-correlation-7"
    );
    assert_eq!(
        body["error"]["innerError"]["request-id"],
        request_id.as_str()
    );

    let (status, _, body) = graph_get(&emulator, Some("not-a-token"), "v1.0/me").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(assert_graph_error(&body), "InvalidAuthenticationToken");
    emulator.shutdown().await;

    // Tokens that are already expired when issued.
    let emulator = Emulator::start(EmulatorConfig {
        access_token_lifetime: std::time::Duration::ZERO,
        ..config()
    })
    .await?;
    let tokens = sign_in(&emulator, "adele", APP_SCOPES).await?;
    assert_eq!(tokens["expires_in"], 0);
    let token = tokens["access_token"].as_str().ok_or("no token")?;
    let (status, _, body) = graph_get(&emulator, Some(token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn permissions_are_checked_per_route() -> TestResult {
    let emulator = start().await;
    let tokens = sign_in(&emulator, "adele", "openid User.Read").await?;
    let profile_only = tokens["access_token"].as_str().ok_or("no token")?;
    let (status, _, body) = graph_get(
        &emulator,
        Some(profile_only),
        "v1.0/me/authentication/methods",
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(assert_graph_error(&body), "accessDenied");
    let (status, _, _) = graph_get(&emulator, Some(profile_only), "v1.0/me").await?;
    assert_eq!(status, StatusCode::OK);

    let tokens = sign_in(&emulator, "adele", "UserAuthenticationMethod.Read").await?;
    let methods_only = tokens["access_token"].as_str().ok_or("no token")?;
    let (status, _, body) = graph_get(&emulator, Some(methods_only), "v1.0/me").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(assert_graph_error(&body), "Authorization_RequestDenied");

    // A granular permission opens only its own collection.
    let tokens = sign_in(&emulator, "adele", "UserAuthMethod-Phone.Read").await?;
    let phone_only = tokens["access_token"].as_str().ok_or("no token")?;
    let (status, _, _) = graph_get(
        &emulator,
        Some(phone_only),
        "v1.0/me/authentication/phoneMethods",
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = graph_get(
        &emulator,
        Some(phone_only),
        "v1.0/me/authentication/emailMethods",
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn me_and_users_return_the_signed_in_user() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "ben").await?;
    let (status, headers, me) = graph_get(&emulator, Some(&token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("request-id").is_some());
    assert_eq!(
        keys(&me),
        [
            "@odata.context",
            "businessPhones",
            "displayName",
            "givenName",
            "id",
            "jobTitle",
            "mail",
            "mobilePhone",
            "officeLocation",
            "preferredLanguage",
            "surname",
            "userPrincipalName"
        ]
    );
    assert_eq!(
        me["@odata.context"],
        format!("{}v1.0/$metadata#users/$entity", emulator.base_url())
    );
    assert_eq!(me["displayName"], "Ben Okafor");
    assert_eq!(me["userPrincipalName"], "ben@contoso-demo.example");
    assert_eq!(me["mobilePhone"], "+44 7700900123");
    let id = me["id"].as_str().ok_or("no id")?;

    let (status, _, by_upn) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/users/ben%40contoso-demo.example",
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_upn["id"], id);
    let (status, _, by_id) = graph_get(
        &emulator,
        Some(&token),
        &format!("v1.0/users/{id}/authentication/methods"),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id["value"].as_array().map(Vec::len), Some(2));
    let (status, _, _) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/users/adele@contoso-demo.example",
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/users/nobody@contoso-demo.example",
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(assert_graph_error(&body), "Request_ResourceNotFound");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn every_typed_collection_lists_and_gets_its_methods() -> TestResult {
    let emulator = start().await;
    let mut seen_types = std::collections::BTreeSet::new();
    // Dana cannot sign in (lost phone), so she has no token to read with.
    for upn in ["adele", "ben", "chidi", "erin"] {
        let token = access_token(&emulator, upn).await?;
        let (status, _, all) =
            graph_get(&emulator, Some(&token), "v1.0/me/authentication/methods").await?;
        assert_eq!(status, StatusCode::OK);
        let all = all["value"].as_array().cloned().unwrap_or_default();
        let mut listed = 0;
        for collection in COLLECTIONS_V1 {
            let path = format!("v1.0/me/authentication/{collection}");
            let (status, _, list) = graph_get(&emulator, Some(&token), &path).await?;
            assert_eq!(status, StatusCode::OK, "{upn} {collection}");
            assert!(list["@odata.context"]
                .as_str()
                .is_some_and(|c| c.ends_with(&format!("/authentication/{collection}"))));
            for item in list["value"].as_array().cloned().unwrap_or_default() {
                listed += 1;
                let id = item["id"].as_str().ok_or("no id")?;
                assert!(item["createdDateTime"].is_string(), "{item}");
                let (status, _, single) =
                    graph_get(&emulator, Some(&token), &format!("{path}/{id}")).await?;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(single["id"], id);
                let (status, _, polymorphic) = graph_get(
                    &emulator,
                    Some(&token),
                    &format!("v1.0/me/authentication/methods/{id}"),
                )
                .await?;
                assert_eq!(status, StatusCode::OK);
                seen_types.insert(
                    polymorphic["@odata.type"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            let (status, _, missing) = graph_get(
                &emulator,
                Some(&token),
                &format!("{path}/00000000-0000-0000-0000-000000000000"),
            )
            .await?;
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert_eq!(assert_graph_error(&missing), "itemNotFound");
        }
        // A type no client models and QR code + PIN (a single object, not a
        // collection) are listed by /methods alone; every other method is
        // in exactly one typed collection.
        let newer = all
            .iter()
            .filter(|m| {
                matches!(
                    m["@odata.type"].as_str(),
                    Some(
                        "#microsoft.graph.passwordlessMicrosoftAuthenticatorAuthenticationMethod"
                            | "#microsoft.graph.qrCodePinAuthenticationMethod"
                    )
                )
            })
            .count();
        assert_eq!(
            listed + newer,
            all.len(),
            "{upn}: every v1.0 method of a known type is in exactly one collection"
        );
    }
    for expected in [
        "#microsoft.graph.passwordAuthenticationMethod",
        "#microsoft.graph.phoneAuthenticationMethod",
        "#microsoft.graph.emailAuthenticationMethod",
        "#microsoft.graph.fido2AuthenticationMethod",
        "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        "#microsoft.graph.softwareOathAuthenticationMethod",
        "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
        "#microsoft.graph.platformCredentialAuthenticationMethod",
    ] {
        assert!(
            seen_types.contains(expected),
            "{expected} missing from {seen_types:?}"
        );
    }
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn method_shapes_follow_graph_field_for_field() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "chidi").await?;
    let (_, _, fido) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/fido2Methods",
    )
    .await?;
    let key = &fido["value"][0];
    assert_eq!(
        keys(key),
        [
            "aaGuid",
            "attestationCertificates",
            "attestationLevel",
            "createdDateTime",
            "displayName",
            "id",
            "model",
            "passkeyType"
        ]
    );
    assert_eq!(key["aaGuid"], "2fc0579f-8113-47ea-b116-555a8db9202a");
    assert_eq!(key["attestationLevel"], "attested");
    assert_eq!(key["passkeyType"], "deviceBound");
    assert_eq!(
        key["attestationCertificates"].as_array().map(Vec::len),
        Some(1)
    );
    let (_, _, phones) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/phoneMethods",
    )
    .await?;
    assert_eq!(
        phones["value"][0],
        json!({"id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+1 2065550123", "phoneType": "mobile",
               "smsSignInState": "notAllowedByPolicy", "createdDateTime": "2022-11-14T10:20:00Z"})
    );
    let (_, _, oath) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/softwareOathMethods",
    )
    .await?;
    assert_eq!(oath["value"][0]["secretKey"], Value::Null);
    let (_, _, password) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/passwordMethods/28c10230-6103-485e-b985-444c60001490",
    )
    .await?;
    assert_eq!(password["password"], Value::Null);
    assert!(password["createdDateTime"].is_string());

    let token = access_token(&emulator, "adele").await?;
    let (_, _, apps) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/microsoftAuthenticatorMethods",
    )
    .await?;
    assert_eq!(apps["value"][0]["displayName"], "Adele's iPhone 13");
    assert_eq!(apps["value"][0]["phoneAppVersion"], "6.8.9");
    assert_eq!(apps["value"][0]["createdDateTime"], "2024-03-11T09:20:00Z");
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_method_type_newer_than_the_client_is_listed_in_both_versions() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "erin").await?;
    let future = "#microsoft.graph.passwordlessMicrosoftAuthenticatorAuthenticationMethod";
    let types = |body: &Value| -> Vec<String> {
        body["value"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m["@odata.type"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (_, _, v1) = graph_get(&emulator, Some(&token), "v1.0/me/authentication/methods").await?;
    let (_, _, beta) = graph_get(&emulator, Some(&token), "beta/me/authentication/methods").await?;
    assert!(types(&v1).iter().any(|t| t == future));
    assert!(types(&beta).iter().any(|t| t == future));
    let qr = "#microsoft.graph.qrCodePinAuthenticationMethod";
    assert!(types(&v1).iter().any(|t| t == qr));
    // Beta lists the hardware token too (v1.0 lists only its own types).
    let hardware = "#microsoft.graph.hardwareOathAuthenticationMethod";
    assert!(!types(&v1).iter().any(|t| t == hardware));
    assert_eq!(
        types(&beta)
            .into_iter()
            .filter(|t| t != hardware)
            .collect::<Vec<_>>(),
        types(&v1)
    );
    let (_, _, platform) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/platformCredentialMethods",
    )
    .await?;
    assert_eq!(platform["value"][0]["platform"], "macOS");
    assert_eq!(platform["value"][0]["keyStrength"], "normal");

    let (status, _, hardware) = graph_get(
        &emulator,
        Some(&token),
        "beta/me/authentication/hardwareOathMethods",
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    // The token with its `device`, as `$expand=device` returns it.
    assert_eq!(hardware["value"][0]["device"]["serialNumber"], "2207731");
    assert_eq!(hardware["value"][0]["device"]["model"], "C302");
    assert_eq!(
        hardware["value"][0]["device"]["displayName"],
        "Erin's desk token"
    );
    let (status, _, body) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/hardwareOathMethods",
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_graph_error(&body), "BadRequest");
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'hardwareOathMethods'."
    );
    let (status, _, body) = graph_get(&emulator, Some(&token), "v1.0/me/nonsense").await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'nonsense'."
    );
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn sign_in_preferences_are_beta_only() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "chidi").await?;
    let documented = sign_in_preferences(&emulator, &token).await?;
    let (status, _, prefs) = graph_get(&emulator, Some(&token), &documented).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys(&prefs),
        [
            "@odata.context",
            "isSystemPreferredAuthenticationMethodEnabled",
            "systemPreferredAuthenticationMethod",
            "userPreferredMethodForSecondaryAuthentication"
        ]
    );
    assert_eq!(prefs["isSystemPreferredAuthenticationMethodEnabled"], true);
    assert_eq!(
        prefs["userPreferredMethodForSecondaryAuthentication"],
        "push"
    );
    assert_eq!(prefs["systemPreferredAuthenticationMethod"], "Fido2");
    let (status, _, _) = graph_get(
        &emulator,
        Some(&token),
        &documented.replacen("beta/", "v1.0/", 1),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Microsoft documents no `/me` form of signInPreferences: refused on
    // beta too, as Graph refuses a segment it does not know.
    let (status, _, body) = graph_get(
        &emulator,
        Some(&token),
        "beta/me/authentication/signInPreferences",
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'signInPreferences'."
    );

    let token = access_token(&emulator, "ben").await?;
    let (_, _, prefs) = graph_get(
        &emulator,
        Some(&token),
        &sign_in_preferences(&emulator, &token).await?,
    )
    .await?;
    assert_eq!(prefs["isSystemPreferredAuthenticationMethodEnabled"], false);
    assert_eq!(
        prefs["userPreferredMethodForSecondaryAuthentication"],
        "sms"
    );
    assert_eq!(prefs["systemPreferredAuthenticationMethod"], Value::Null);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn batches_dispatch_like_direct_calls() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "adele").await?;
    let prefs = sign_in_preferences(&emulator, &token).await?;
    let batch = json!({"requests": [
        {"id": "methods", "method": "GET", "url": "/me/authentication/methods"},
        {"id": "prefs", "method": "GET", "url": prefs.trim_start_matches("beta")},
        {"id": "me", "method": "GET", "url": "me", "dependsOn": ["methods"]},
        {"id": "missing", "method": "GET", "url": "/me/authentication/phoneMethods/nope"},
        {"id": "after-missing", "method": "GET", "url": "/me", "dependsOn": ["missing"]},
    ]});
    let (status, _, body) = graph_post(&emulator, &token, "beta/$batch", &batch).await?;
    assert_eq!(status, StatusCode::OK);
    let responses = body["responses"].as_array().cloned().unwrap_or_default();
    assert_eq!(responses.len(), 5);
    let by_id = |id: &str| {
        responses
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    for item in &responses {
        assert_eq!(keys(item), ["body", "headers", "id", "status"], "{item}");
    }
    let (_, _, direct) =
        graph_get(&emulator, Some(&token), "beta/me/authentication/methods").await?;
    assert_eq!(by_id("methods")["status"], 200);
    assert_eq!(by_id("methods")["body"]["value"], direct["value"]);
    assert_eq!(
        by_id("prefs")["body"]["userPreferredMethodForSecondaryAuthentication"],
        "push"
    );
    assert_eq!(by_id("me")["body"]["displayName"], "Adele Vance");
    assert_eq!(by_id("missing")["status"], 404);
    assert_eq!(
        assert_graph_error(&by_id("missing")["body"]),
        "itemNotFound"
    );
    assert_eq!(by_id("after-missing")["status"], 424);
    let position = |id: &str| responses.iter().position(|r| r["id"] == id);
    assert!(position("methods") < position("me"));
    // Only the batch itself is a logged request.
    assert_eq!(emulator.count("POST", "/beta/$batch"), 1);
    assert_eq!(emulator.count("GET", &format!("/{prefs}")), 0);

    // On v1.0 the beta-only route fails inside the batch only.
    let (status, _, body) = graph_post(
        &emulator,
        &token,
        "v1.0/$batch",
        &json!({"requests": [
            {"id": "1", "method": "GET", "url": prefs.trim_start_matches("beta")},
            {"id": "2", "method": "GET", "url": "/me/authentication/phoneMethods"},
        ]}),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<u64> = body["responses"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["status"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [400, 200]);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn malformed_batches_fail_whole() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "adele").await?;
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let twenty: Vec<Value> = (0..20)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let (status, _, body) = graph_post(
        &emulator,
        &token,
        "v1.0/$batch",
        &json!({"requests": twenty}),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["responses"].as_array().map(Vec::len), Some(20));
    for bad in [
        json!({"requests": too_many}),
        json!({"requests": [{"id": "a", "method": "GET", "url": "/me"}, {"id": "A", "method": "GET", "url": "/me"}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]}]}),
        json!({"requests": [{"id": "1", "method": "POST", "url": "/me/authentication/phoneMethods", "body": {"phoneNumber": "+1 5555551234"}}]}),
        json!({"nothing": true}),
    ] {
        let (status, _, body) = graph_post(&emulator, &token, "v1.0/$batch", &bad).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(assert_graph_error(&body), "BadRequest");
    }
    // A POST item without a body or without headers fails the whole batch,
    // even for an action that takes no parameters; `{}` with a Content-Type
    // is accepted.
    let sms =
        "/me/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7/disableSmsSignIn";
    for bad in [
        json!({"requests": [{"id": "1", "method": "POST", "url": sms}]}),
        json!({"requests": [{"id": "1", "method": "POST", "url": sms, "body": {}}]}),
        json!({"requests": [{"id": "1", "method": "POST", "url": sms, "headers": {"Content-Type": "application/json"}}]}),
    ] {
        let (status, _, body) = graph_post(&emulator, &token, "v1.0/$batch", &bad).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            body["error"]["message"],
            "Write request id : 1 does not contain Content-Type header or body.",
            "{bad}"
        );
    }
    let (status, _, body) = graph_post(
        &emulator,
        &token,
        "v1.0/$batch",
        &json!({"requests": [{"id": "1", "method": "POST", "url": sms, "body": {}, "headers": {"Content-Type": "application/json"}}]}),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    // Adele's token reads only: the item itself is refused, not the batch.
    assert_eq!(body["responses"][0]["status"], 403, "{body}");
    let response = client()
        .get(emulator.base_url().join("v1.0/$batch")?)
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let response = client()
        .post(emulator.base_url().join("v1.0/$batch")?)
        .json(&json!({"requests": []}))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    emulator.shutdown().await;
    Ok(())
}

/// A China (21Vianet) tenant: Microsoft's v1.0 pages for the
/// authentication-methods API leave that cloud out and its beta pages
/// include it, so v1.0 refuses every `/authentication` path (reads, writes
/// and `$batch` items alike) and beta serves them; `/me` itself stays on v1.0.
#[tokio::test]
async fn a_china_tenant_serves_authentication_methods_only_on_beta() -> TestResult {
    let emulator = Emulator::start(EmulatorConfig {
        china_cloud: true,
        ..config()
    })
    .await?;
    let token = access_token(&emulator, "erin").await?;
    for path in [
        "v1.0/me/authentication/methods",
        "v1.0/me/authentication/phoneMethods",
    ] {
        let (status, _, body) = graph_get(&emulator, Some(&token), path).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(assert_graph_error(&body), "BadRequest");
        assert_eq!(
            body["error"]["message"],
            "Resource not found for the segment 'authentication'."
        );
    }
    let (status, _, me) = graph_get(&emulator, Some(&token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(me["userPrincipalName"].as_str().is_some(), "{me}");
    let (status, _, beta) =
        graph_get(&emulator, Some(&token), "beta/me/authentication/methods").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !beta["value"].as_array().ok_or("no value")?.is_empty(),
        "{beta}"
    );

    // The same refusal inside a v1.0 batch, item by item; a beta batch works.
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/me/authentication/methods"},
        {"id": "2", "method": "GET", "url": "/me"},
    ]});
    let (status, _, v1) = graph_post(&emulator, &token, "v1.0/$batch", &batch).await?;
    assert_eq!(status, StatusCode::OK);
    let status_of = |body: &Value, id: &str| {
        body["responses"]
            .as_array()
            .and_then(|r| r.iter().find(|i| i["id"] == id))
            .and_then(|i| i["status"].as_u64())
    };
    assert_eq!(status_of(&v1, "1"), Some(400));
    assert_eq!(status_of(&v1, "2"), Some(200));
    let (_, _, beta) = graph_post(&emulator, &token, "beta/$batch", &batch).await?;
    assert_eq!(status_of(&beta, "1"), Some(200));
    emulator.shutdown().await;

    // The global service (default) keeps v1.0.
    let global = start().await;
    let token = access_token(&global, "erin").await?;
    let (status, _, _) = graph_get(&global, Some(&token), "v1.0/me/authentication/methods").await?;
    assert_eq!(status, StatusCode::OK);
    global.shutdown().await;
    Ok(())
}
