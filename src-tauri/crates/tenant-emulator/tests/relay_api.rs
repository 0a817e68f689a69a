//! The demo tenant's "MFA Assistant relay" API over real HTTP: the token
//! endpoint issues RS256 JWT access tokens for its scope (by refresh token,
//! as the app asks, or by code), signed with the key the JWKS serves; Graph
//! refuses them; a request naming Graph and the relay at once is
//! AADSTS28000; and the stand-in relay accepts only such a token, refusing
//! each forgery an attacker could send with its own code.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use helpdesk_contract::device_proof::{generate_key, public_key_text};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tenant_emulator::{demo, Emulator};

fn payload(token: &str) -> Value {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

async fn jwks(emulator: &Emulator) -> Result<Value, reqwest::Error> {
    let url = emulator
        .base_url()
        .join(&format!("{}/discovery/v2.0/keys", demo::TENANT_ID))
        .unwrap_or_else(|_| emulator.base_url());
    client().get(url).send().await?.json().await
}

async fn refresh_for(
    emulator: &Emulator,
    refresh_token: &str,
    scope: &str,
) -> Result<(StatusCode, Value), reqwest::Error> {
    token_request(
        emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", scope),
        ],
    )
    .await
}

#[tokio::test]
async fn a_refresh_token_gets_a_signed_relay_token_that_graph_refuses() -> TestResult {
    let emulator = start().await;
    let signed_in = sign_in(&emulator, "adele", APP_SCOPES).await?;
    let refresh = signed_in["refresh_token"].as_str().ok_or("no refresh")?;
    let scope = format!("openid offline_access {}", demo::RELAY_SCOPE);
    let (status, body) = refresh_for(&emulator, refresh, &scope).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["scope"],
        format!("{} openid", demo::RELAY_SCOPE),
        "the relay's scope, as Entra names a custom API's scope"
    );
    let token = body["access_token"].as_str().ok_or("no access token")?;

    // Signed with the key the JWKS serves.
    let header = jsonwebtoken::decode_header(token)?;
    assert_eq!(header.alg, Algorithm::RS256);
    let keys = jwks(&emulator).await?;
    let jwk = &keys["keys"][0];
    assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap_or_default(),
        jwk["e"].as_str().unwrap_or_default(),
    )?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[demo::RELAY_APP_ID_URI]);
    let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)?.claims;

    // The claims of a v1.0 access token for a custom API.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert_eq!(claims["aud"], demo::RELAY_APP_ID_URI);
    assert_eq!(
        claims["iss"],
        format!("https://sts.windows.net/{}/", demo::TENANT_ID)
    );
    assert_eq!(claims["tid"], demo::TENANT_ID);
    assert_eq!(claims["appid"], demo::CLIENT_ID);
    assert_eq!(claims["appidacr"], "0", "a public client");
    assert_eq!(claims["scp"], demo::RELAY_SCOPE_NAME);
    assert_eq!(claims["ver"], "1.0");
    assert_eq!(claims["upn"], "adele@contoso-demo.example");
    assert_eq!(claims["name"], "Adele Vance");
    assert!(claims["amr"]
        .as_array()
        .is_some_and(|a| a.contains(&json!("mfa"))));
    assert!(claims["oid"].as_str().is_some_and(|o| o.len() == 36));
    assert!(claims["sub"].as_str().is_some_and(|s| !s.is_empty()));
    let iat = claims["iat"].as_i64().unwrap_or_default();
    assert!((now - iat).abs() < 30, "issued now");
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(
        claims["exp"].as_i64().unwrap_or_default() - iat,
        body["expires_in"].as_i64().unwrap_or_default()
    );

    // Graph never accepts it.
    let (status, _, error) = graph_get(&emulator, Some(token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"]["code"], "InvalidAuthenticationToken");

    // The new refresh token still gets Graph tokens (multi-resource).
    let refresh = body["refresh_token"].as_str().ok_or("no new refresh")?;
    let (status, graph) = refresh_for(&emulator, refresh, APP_SCOPES).await?;
    assert_eq!(status, StatusCode::OK, "{graph}");
    let graph_token = graph["access_token"].as_str().unwrap_or_default();
    assert_eq!(
        graph["scope"].as_str().map(|s| s.contains("User.Read")),
        Some(true)
    );
    let (status, _, me) = graph_get(&emulator, Some(graph_token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], claims["oid"], "the same user");
    Ok(())
}

#[tokio::test]
async fn graph_and_the_relay_in_one_token_request_is_aadsts28000() -> TestResult {
    let emulator = start().await;
    let signed_in = sign_in(&emulator, "ben", APP_SCOPES).await?;
    let refresh = signed_in["refresh_token"].as_str().ok_or("no refresh")?;
    let mixed = format!("openid offline_access User.Read {}", demo::RELAY_SCOPE);
    let (status, body) = refresh_for(&emulator, refresh, &mixed).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&body, "invalid_scope"), 28000);
    assert!(body["error_description"]
        .as_str()
        .is_some_and(|d| d.contains("more than one resource")));

    // A permission the relay does not expose.
    let (status, body) = refresh_for(
        &emulator,
        refresh,
        "openid api://mfa-assistant-relay/Tickets.Write",
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(assert_identity_error(&body, "invalid_scope"), 70011);

    // Named by its client id, the audience is the client id.
    let by_id = format!("{}/{}", demo::RELAY_API_CLIENT_ID, demo::RELAY_SCOPE_NAME);
    let (status, body) = refresh_for(&emulator, refresh, &by_id).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = payload(body["access_token"].as_str().unwrap_or_default());
    assert_eq!(claims["aud"], demo::RELAY_API_CLIENT_ID);
    Ok(())
}

#[tokio::test]
async fn an_authorization_code_for_the_relay_scope_is_a_relay_token() -> TestResult {
    let emulator = start().await;
    let scope = format!("openid offline_access {}", demo::RELAY_SCOPE);
    let body = sign_in(&emulator, "chidi", &scope).await?;
    let claims = payload(body["access_token"].as_str().unwrap_or_default());
    assert_eq!(claims["aud"], demo::RELAY_APP_ID_URI);
    assert_eq!(claims["upn"], "chidi@contoso-demo.example");
    assert!(body["id_token"].is_string());
    Ok(())
}

// ---- The stand-in relay, attacked with a plain HTTP client ------------------

const ENROL: &str = "helpdesk/v1/device-keys";

async fn enrol(emulator: &Emulator, token: &str) -> Result<(StatusCode, Value), reqwest::Error> {
    let body = json!({
        "publicKey": public_key_text(&generate_key()),
        "device": {"os": "Windows 11", "appVersion": "0.1.0"},
    });
    let url = emulator
        .base_url()
        .join(ENROL)
        .unwrap_or_else(|_| emulator.base_url());
    let response = client()
        .post(url)
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Claims like the tenant's own relay token for Dana, changed by `edit`.
fn claims(edit: impl FnOnce(&mut Value)) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = json!({
        "aud": demo::RELAY_APP_ID_URI,
        "iss": format!("https://sts.windows.net/{}/", demo::TENANT_ID),
        "tid": demo::TENANT_ID,
        "appid": demo::CLIENT_ID,
        "appidacr": "0",
        "scp": demo::RELAY_SCOPE_NAME,
        "amr": ["pwd", "mfa"],
        "iat": now, "nbf": now, "exp": now + 3600,
        "oid": "3b6f2d1e-0000-4000-8000-00000000da4a",
        "upn": "dana@contoso-demo.example",
        "ver": "1.0",
    });
    edit(&mut claims);
    claims
}

#[tokio::test]
async fn only_a_token_made_for_the_relay_enrols_a_key() -> TestResult {
    let emulator = start().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let other_tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "another tenant",
            claims(|c| {
                c["tid"] = json!(other_tenant);
                c["iss"] = json!(format!("https://sts.windows.net/{other_tenant}/"));
            }),
            "tokenWrongTenant",
        ),
        (
            "a Graph audience",
            claims(|c| c["aud"] = json!("https://graph.microsoft.com")),
            "tokenWrongAudience",
        ),
        (
            "another app",
            claims(|c| c["appid"] = json!("04b07795-8ddb-461a-bbee-02f9e1bf7b46")),
            "tokenWrongClient",
        ),
        (
            "another app, v2.0",
            claims(|c| {
                c.as_object_mut().map(|o| o.remove("appid"));
                c["azp"] = json!("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
            }),
            "tokenWrongClient",
        ),
        (
            "another permission",
            claims(|c| c["scp"] = json!("User.Read")),
            "tokenWithoutScope",
        ),
        (
            "no MFA",
            claims(|c| c["amr"] = json!(["pwd"])),
            "tokenWithoutMfa",
        ),
        (
            "an old one",
            claims(|c| c["iat"] = json!(now - 3600)),
            "tokenTooOld",
        ),
        (
            "an expired one",
            claims(|c| {
                c["iat"] = json!(now - 7200);
                c["exp"] = json!(now - 3600);
            }),
            "tokenExpired",
        ),
    ];
    for (what, claims, code) in cases {
        let token = emulator.sign_token(&claims)?;
        let (status, body) = enrol(&emulator, &token).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains(&token[..40]),
            "{what}: the token is not echoed"
        );
    }

    // A forged payload under a real signature.
    let real = emulator.sign_token(&claims(|_| {}))?;
    let parts: Vec<&str> = real.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD
        .encode(claims(|c| c["upn"] = json!("ceo@contoso-demo.example")).to_string());
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    let (status, body) = enrol(&emulator, &forged).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalidToken");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("signature"));

    // alg: none.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims(|_| {}).to_string())
    );
    let (status, body) = enrol(&emulator, &none).await?;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalidToken"))
    );

    // Signed by another key that claims the tenant key's kid.
    let kid = jsonwebtoken::decode_header(&real)?.kid.unwrap_or_default();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid);
    let impostor = signed_by_a_foreign_key(&header, &claims(|_| {}));
    let (status, body) = enrol(&emulator, &impostor).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalidToken");

    // HMAC with the public key as the secret (algorithm confusion).
    let mut header = Header::new(Algorithm::HS256);
    header.kid = jsonwebtoken::decode_header(&real)?.kid;
    let confused = jsonwebtoken::encode(
        &header,
        &claims(|_| {}),
        &EncodingKey::from_secret(jwks(&emulator).await?.to_string().as_bytes()),
    )?;
    let (status, body) = enrol(&emulator, &confused).await?;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalidToken"))
    );

    // Nothing was enrolled; the untouched token does enrol.
    let (_, _, keys) = graph_get(&emulator, None, "_emulator/helpdesk/device-keys").await?;
    assert_eq!(keys, json!([]));
    let (status, body) = enrol(&emulator, &real).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["upn"], "dana@contoso-demo.example");
    Ok(())
}

#[tokio::test]
async fn a_key_lookup_needs_the_same_token() -> TestResult {
    let emulator = start().await;
    let url = emulator
        .base_url()
        .join(&format!("{ENROL}/dk-0123456789abcdef0123456789abcdef"))
        .unwrap_or_else(|_| emulator.base_url());
    let response = client().get(url.clone()).send().await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let graph = access_token(&emulator, "erin").await?;
    let response = client().get(url.clone()).bearer_auth(&graph).send().await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let relay = relay_token(&emulator, "erin").await?;
    let response = client().get(url).bearer_auth(&relay).send().await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], "notFound");
    Ok(())
}

/// An RS256 token signed by a key the tenant never published (an attacker's
/// own key), whatever `kid` the header claims. Signed with aws-lc-rs: the
/// `rsa` crate is out of the build (RUSTSEC-2023-0071).
fn signed_by_a_foreign_key(header: &Header, claims: &Value) -> String {
    use aws_lc_rs::signature::RSA_PKCS1_SHA256;
    let key =
        aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("an RSA key");
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).expect("a header")),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims"))
    );
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .expect("a signature");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}
