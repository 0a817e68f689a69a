//! Device-key enrolment accepts only a token Entra issued for the relay,
//! tried as an attacker would: a plain HTTP client against the relay over
//! real HTTP, with the in-process demo tenant as Entra. A Graph token, a
//! token for another app, another tenant, without MFA, an old or expired
//! one, a forged signature, `alg: none`, HMAC with the public key, and a
//! token signed by another key under the tenant key's `kid` each cannot
//! enrol and get their own 401. The relay never asks Graph; unreachable
//! keys are a 503 naming where; past five keys an enrolment is refused and
//! none evicted; a key's enrolment can be looked up with the same token.

mod support;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use helpdesk_contract::device_proof;
use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use support::{config_text, demo_tokens, entra_config, relay_claims, FakeServiceNow};
use tenant_emulator::{demo, Emulator, EmulatorConfig};

const DANA_OID: &str = "3b6f2d1e-0000-4000-8000-00000000da4a";

struct World {
    tenant: Emulator,
    relay: Relay,
    url: String,
    http: reqwest::Client,
    _desk: FakeServiceNow,
    _dir: tempfile::TempDir,
}

async fn world_with(entra: impl FnOnce(&url::Url) -> String) -> World {
    let tenant = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let database = format!("sqlite:{}", dir.path().join("relay.db").display());
    let text = config_text(
        &database,
        &format!("{}v1.0/", tenant.base_url()),
        &entra(&tenant.base_url()),
        &desk.config(),
    );
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    assert!(relay.ready(Duration::from_secs(10)).await);
    let url = relay.base_url().to_string();
    World {
        tenant,
        relay,
        url,
        http: reqwest::Client::new(),
        _desk: desk,
        _dir: dir,
    }
}

async fn world() -> World {
    world_with(entra_config).await
}

fn enrolment() -> Value {
    json!({
        "publicKey": device_proof::public_key_text(&device_proof::generate_key()),
        "device": {"os": "Windows 11", "appVersion": "0.1.0"},
    })
}

/// `(status, body, WWW-Authenticate)`.
async fn enrol(w: &World, token: &str, body: &Value) -> (u16, Value, Option<String>) {
    let response = w
        .http
        .post(format!("{}v1/device-keys", w.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        challenge,
    )
}

async fn lookup(w: &World, token: &str, key_id: &str) -> (u16, Value) {
    let response = w
        .http
        .get(format!("{}v1/device-keys/{key_id}", w.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn only_a_token_made_for_the_relay_enrols_a_key() {
    let w = world().await;
    let (graph, relay_token) = demo_tokens(&w.tenant.base_url(), "erin").await;
    let sign = |claims: &Value| w.tenant.sign_token(claims).unwrap();
    let dana = |edit: &dyn Fn(&mut Value)| {
        relay_claims("dana@contoso-demo.example", DANA_OID, |c| edit(c))
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let other_tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let azure_cli = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

    let real = sign(&dana(&|_| {}));
    let header = jsonwebtoken::decode_header(&real).unwrap();
    let parts: Vec<&str> = real.split('.').collect();
    let mut same_kid = Header::new(Algorithm::RS256);
    same_kid.kid = header.kid.clone();
    let mut hmac = Header::new(Algorithm::HS256);
    hmac.kid = header.kid.clone();
    let jwks = w
        .http
        .get(format!(
            "{}{}/discovery/v2.0/keys",
            w.tenant.base_url(),
            demo::TENANT_ID
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        ("the user's own Graph token", graph.clone(), "invalidToken"),
        (
            "a Graph JWT",
            sign(&dana(&|c| {
                c["aud"] = json!("00000003-0000-0000-c000-000000000000")
            })),
            "tokenWrongAudience",
        ),
        (
            "a token for another app (v1.0 appid)",
            sign(&dana(&|c| c["appid"] = json!(azure_cli))),
            "tokenWrongClient",
        ),
        (
            "a token for another app (v2.0 azp)",
            sign(&dana(&|c| {
                c.as_object_mut().unwrap().remove("appid");
                c["azp"] = json!(azure_cli);
            })),
            "tokenWrongClient",
        ),
        (
            "another tenant",
            sign(&dana(&|c| {
                c["tid"] = json!(other_tenant);
                c["iss"] = json!(format!("https://sts.windows.net/{other_tenant}/"));
            })),
            "tokenWrongTenant",
        ),
        (
            "this tenant's id under another issuer",
            sign(&dana(&|c| {
                c["iss"] = json!(format!("https://sts.windows.net/{other_tenant}/"))
            })),
            "tokenWrongTenant",
        ),
        (
            "another permission",
            sign(&dana(&|c| c["scp"] = json!("User.Read"))),
            "tokenWithoutScope",
        ),
        (
            "a sign-in without MFA",
            sign(&dana(&|c| c["amr"] = json!(["pwd"]))),
            "tokenWithoutMfa",
        ),
        (
            "an old token",
            sign(&dana(&|c| c["iat"] = json!(now - 3600))),
            "tokenTooOld",
        ),
        (
            "an expired token",
            sign(&dana(&|c| {
                c["iat"] = json!(now - 7200);
                c["exp"] = json!(now - 3600);
            })),
            "tokenExpired",
        ),
        (
            "a forged payload under a real signature",
            format!(
                "{}.{}.{}",
                parts[0],
                part(&dana(&|c| c["upn"] = json!("ceo@contoso-demo.example"))),
                parts[2]
            ),
            "invalidToken",
        ),
        (
            "alg: none",
            format!(
                "{}.{}.",
                part(&json!({"alg": "none", "typ": "JWT"})),
                parts[1]
            ),
            "invalidToken",
        ),
        (
            "another key under the tenant key's kid",
            signed_by_a_foreign_key(&same_kid, &dana(&|_| {})),
            "invalidToken",
        ),
        (
            "HMAC keyed with the published JWKS",
            jsonwebtoken::encode(
                &hmac,
                &dana(&|_| {}),
                &EncodingKey::from_secret(jwks.as_bytes()),
            )
            .unwrap(),
            "invalidToken",
        ),
        (
            "a kid the tenant does not publish",
            signed_by_a_foreign_key(
                &Header {
                    kid: Some("made-up".into()),
                    ..Header::new(Algorithm::RS256)
                },
                &dana(&|_| {}),
            ),
            "invalidToken",
        ),
    ];
    for (what, token, code) in &cases {
        let (status, body, challenge) = enrol(&w, token, &enrolment()).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error"]["code"], *code, "{what}: {body}");
        assert_eq!(challenge.as_deref(), Some("Bearer"), "{what}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            !message.contains(&token[token.len().saturating_sub(30)..]),
            "{what}: the message does not echo the token: {message}"
        );
    }
    let store = w.relay.store().unwrap().clone();
    assert_eq!(store.counts().await.unwrap().accepted, 0);
    assert!(
        w.tenant
            .request_log()
            .iter()
            .all(|r| !r.path.ends_with("/me")),
        "the relay never asks Graph"
    );

    // The token Erin's app got from the tenant enrols, as Erin; Dana's
    // untouched token (signed like the forgeries above) enrols as Dana.
    let (status, enrolled, _) = enrol(&w, &relay_token, &enrolment()).await;
    assert_eq!(status, 201, "{enrolled}");
    assert_eq!(enrolled["upn"], "erin@contoso-demo.example");
    let (status, enrolled, _) = enrol(&w, &real, &enrolment()).await;
    assert_eq!(status, 201, "{enrolled}");
    assert_eq!(enrolled["upn"], "dana@contoso-demo.example");
}

#[tokio::test]
async fn a_v2_token_is_read_too_but_without_amr_it_proves_no_mfa() {
    let w = world().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let v2 = |with_amr: bool| {
        let mut claims = json!({
            "aud": demo::RELAY_API_CLIENT_ID,
            "iss": format!("{}{}/v2.0", w.tenant.base_url(), demo::TENANT_ID),
            "tid": demo::TENANT_ID,
            "azp": demo::CLIENT_ID,
            "azpacr": "0",
            "scp": demo::RELAY_SCOPE_NAME,
            "iat": now, "nbf": now, "exp": now + 3600,
            "oid": DANA_OID,
            "preferred_username": "Dana@Contoso-Demo.example",
            "ver": "2.0",
        });
        if with_amr {
            claims["amr"] = json!(["pwd", "mfa"]);
        }
        w.tenant.sign_token(&claims).unwrap()
    };
    let (status, body, _) = enrol(&w, &v2(false), &enrolment()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("tokenWithoutMfa"))
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("v1.0"),
        "it says how to fix the registration: {body}"
    );
    let (status, body, _) = enrol(&w, &v2(true), &enrolment()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["upn"], "dana@contoso-demo.example");
}

#[tokio::test]
async fn past_five_keys_an_enrolment_is_refused_and_none_is_evicted() {
    let w = world().await;
    let (_, token) = demo_tokens(&w.tenant.base_url(), "adele").await;
    let mut key_ids = Vec::new();
    for _ in 0..5 {
        let (status, body, _) = enrol(&w, &token, &enrolment()).await;
        assert_eq!(status, 201, "{body}");
        key_ids.push(body["keyId"].as_str().unwrap().to_owned());
    }
    let (status, body, _) = enrol(&w, &token, &enrolment()).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "deviceKeyLimit");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("none was replaced"));
    for key_id in &key_ids {
        let (status, body) = lookup(&w, &token, key_id).await;
        assert_eq!(status, 200, "{key_id} is still enrolled: {body}");
        assert_eq!(body["keyId"], key_id.as_str());
        assert_eq!(body["upn"], "adele@contoso-demo.example");
    }

    // Another user learns nothing of Adele's keys; an unknown key is 404.
    let (_, ben) = demo_tokens(&w.tenant.base_url(), "ben").await;
    let (status, body) = lookup(&w, &ben, &key_ids[0]).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("notFound"))
    );
    let (status, _) = lookup(&w, &token, "dk-0123456789abcdef0123456789abcdef").await;
    assert_eq!(status, 404);
    // The lookup needs the same token: a Graph token is refused.
    let (graph, _) = demo_tokens(&w.tenant.base_url(), "adele").await;
    let (status, body) = lookup(&w, &graph, &key_ids[0]).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalidToken"))
    );
}

#[tokio::test]
async fn unreachable_signing_keys_are_a_503_that_names_where() {
    // An authority where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let w = world_with(|_| {
        entra_config(&url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap())
    })
    .await;
    let token = w
        .tenant
        .sign_token(&relay_claims("dana@contoso-demo.example", DANA_OID, |_| {}))
        .unwrap();
    let (status, body, _) = enrol(&w, &token, &enrolment()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "signingKeysUnavailable");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "127.0.0.1:{port}/{}/discovery/v2.0/keys",
            demo::TENANT_ID
        )),
        "{message}"
    );
}

#[tokio::test]
async fn without_an_entra_section_the_relay_enrols_nothing() {
    let w = world_with(|_| String::new()).await;
    let token = w
        .tenant
        .sign_token(&relay_claims("dana@contoso-demo.example", DANA_OID, |_| {}))
        .unwrap();
    let (status, body, _) = enrol(&w, &token, &enrolment()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("deviceKeysNotConfigured"))
    );
}

#[test]
fn the_entra_section_is_checked_naming_the_key() {
    let base = "database = \"sqlite:/tmp/x.db\"\norganisation_domains = [\"c.com\"]\n\
                [helpdesk.email]\nfrom = \"relay@c.com\"\nto = \"desk@c.com\"\nhost = \"127.0.0.1\"\n";
    let entra = |extra: &str| {
        format!(
            "{base}[entra]\ntenant_id = \"{}\"\nrelay_client_id = \"{}\"\napp_id_uri = \"api://r\"\nassistant_client_id = \"{}\"\n{extra}",
            demo::TENANT_ID,
            demo::RELAY_API_CLIENT_ID,
            demo::CLIENT_ID
        )
    };
    let config = RelayConfig::parse(&entra("")).unwrap();
    let parsed = config.entra.unwrap();
    assert_eq!(parsed.authority, "https://login.microsoftonline.com/");
    assert_eq!(parsed.scope, "DeviceKeys.Enrol");
    assert_eq!(parsed.max_token_age_seconds, 600);
    assert_eq!(
        parsed.jwks_url().as_str(),
        format!(
            "https://login.microsoftonline.com/{}/discovery/v2.0/keys",
            demo::TENANT_ID
        )
    );
    for (extra, says) in [
        ("max_token_age_seconds = 5\n", "max_token_age_seconds"),
        ("scope = \"api://r/DeviceKeys.Enrol\"\n", "scope"),
        ("authority = \"http://login.example/\"\n", "authority"),
        ("unknown = 1\n", "unknown"),
    ] {
        let error = RelayConfig::parse(&entra(extra)).unwrap_err();
        assert!(error.contains(says), "{extra}: {error}");
    }
    let error = RelayConfig::parse(&entra("").replace(demo::TENANT_ID, "contoso")).unwrap_err();
    assert!(
        error.contains("[entra] tenant_id must be a GUID"),
        "{error}"
    );
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
