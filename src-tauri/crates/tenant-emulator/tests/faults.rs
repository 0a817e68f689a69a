//! Fault injection through the Rust switchboard and the HTTP admin API, on
//! direct Graph calls, inside `$batch`, and on the token endpoint.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tenant_emulator::{demo, Fault};

#[tokio::test]
async fn throttling_a_graph_route_returns_graphs_429_then_recovers() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "adele").await?;
    emulator.faults().inject(Fault::status(
        "GET /v1.0/me/authentication/methods",
        429,
        Some("2"),
        2,
    ));
    for _ in 0..2 {
        let (status, headers, body) =
            graph_get(&emulator, Some(&token), "v1.0/me/authentication/methods").await?;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            headers.get("retry-after").map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
        let request_id = headers
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let inner = &body["error"]["innerError"];
        assert_eq!(body["error"]["code"], "TooManyRequests");
        assert_eq!(body["error"]["message"], "Please retry again later.");
        assert_eq!(inner["code"], "429");
        assert_eq!(inner["status"], "429");
        assert_eq!(inner["message"], "Please retry after");
        assert_eq!(inner["request-id"], request_id);
        assert!(inner["date"].is_string());
    }
    let (status, _, _) =
        graph_get(&emulator, Some(&token), "v1.0/me/authentication/methods").await?;
    assert_eq!(status, StatusCode::OK);
    // Other routes were never affected.
    assert_eq!(emulator.count("GET", "/v1.0/me/authentication/methods"), 3);
    let statuses: Vec<u16> = emulator
        .request_log()
        .iter()
        .filter(|r| r.path == "/v1.0/me/authentication/methods")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 429, 200]);
    assert!(emulator.faults().active().is_empty());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unavailable_and_delay_faults() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "adele").await?;
    emulator
        .faults()
        .inject(Fault::status("GET /beta/me", 503, Some("0.25"), 1));
    let (status, headers, body) = graph_get(&emulator, Some(&token), "beta/me").await?;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        headers.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"0.25"[..])
    );
    assert_eq!(assert_graph_error(&body), "serviceNotAvailable");

    emulator
        .faults()
        .inject(Fault::delay("GET /v1.0/me", 300, 1));
    let started = Instant::now();
    let (status, _, _) = graph_get(&emulator, Some(&token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    emulator.faults().inject(Fault::status("*", 500, None, 1));
    let (status, _, body) = graph_get(&emulator, Some(&token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(assert_graph_error(&body), "generalException");

    emulator.faults().inject(Fault::status("*", 503, None, 5));
    emulator.faults().clear();
    let (status, _, _) = graph_get(&emulator, Some(&token), "v1.0/me").await?;
    assert_eq!(status, StatusCode::OK);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_token_endpoint_fails_in_the_identity_platforms_shape() -> TestResult {
    let emulator = start().await;
    let tokens = sign_in(&emulator, "adele", APP_SCOPES).await?;
    let refresh = tokens["refresh_token"].as_str().ok_or("no refresh token")?;
    emulator
        .faults()
        .inject(Fault::status("POST /token", 503, Some("1"), 1));
    let response = client()
        .post(
            emulator
                .base_url()
                .join("organizations/oauth2/v2.0/token")?,
        )
        .form(&[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
        ])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    let body: Value = response.json().await?;
    assert_identity_error(&body, "temporarily_unavailable");
    // The refresh token was not consumed by the failed request.
    let (status, body) = token_request(
        &emulator,
        &[
            ("client_id", demo::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(emulator.count("POST", "/token"), 3);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn faults_apply_to_matching_batch_items_only() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "adele").await?;
    emulator.faults().inject(Fault::status(
        "GET /v1.0/me/authentication/methods",
        429,
        Some("3"),
        1,
    ));
    emulator
        .faults()
        .inject(Fault::delay("GET /v1.0/me", 200, 1));
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/me/authentication/methods"},
        {"id": "2", "method": "GET", "url": "/me"},
    ]});
    let started = Instant::now();
    let (status, _, body) = graph_post(&emulator, &token, "v1.0/$batch", &batch).await?;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(status, StatusCode::OK);
    let throttled = &body["responses"][0];
    assert_eq!(throttled["status"], 429);
    assert_eq!(throttled["headers"]["Retry-After"], "3");
    assert_eq!(throttled["body"]["error"]["code"], "TooManyRequests");
    assert_eq!(body["responses"][1]["status"], 200);

    emulator
        .faults()
        .inject(Fault::status("POST /v1.0/$batch", 429, Some("1"), 1));
    let (status, headers, body) = graph_post(&emulator, &token, "v1.0/$batch", &batch).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.get("retry-after").is_some());
    assert_eq!(body["error"]["code"], "TooManyRequests");
    let (_, _, body) = graph_post(&emulator, &token, "v1.0/$batch", &batch).await?;
    assert_eq!(body["responses"][0]["status"], 200);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_http_admin_api_injects_lists_and_clears_faults() -> TestResult {
    let emulator = start().await;
    let token = access_token(&emulator, "ben").await?;
    let admin = emulator.base_url().join("_emulator/faults")?;
    let response = client()
        .post(admin.clone())
        .json(&json!({"route": "GET /v1.0/me/authentication/phoneMethods", "status": 429, "retryAfter": "0.25", "times": 1}))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let (status, headers, _) = graph_get(
        &emulator,
        Some(&token),
        "v1.0/me/authentication/phoneMethods",
    )
    .await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        headers.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"0.25"[..])
    );

    let response = client()
        .post(admin.clone())
        .json(&json!({"route": "*", "delayMs": 10, "times": 3}))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let listed: Value = client().get(admin.clone()).send().await?.json().await?;
    assert_eq!(listed, json!([{"route": "*", "delayMs": 10, "times": 3}]));
    assert_eq!(
        client().delete(admin.clone()).send().await?.status(),
        StatusCode::NO_CONTENT
    );
    assert!(emulator.faults().active().is_empty());

    let response = client()
        .post(admin.clone())
        .json(&json!({"route": "*", "status": 200}))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await?;
    assert!(problem["error"].is_string());

    let log: Value = client()
        .get(emulator.base_url().join("_emulator/requests")?)
        .send()
        .await?
        .json()
        .await?;
    let log = log.as_array().cloned().unwrap_or_default();
    assert!(log
        .iter()
        .any(|r| r["path"] == "/v1.0/me/authentication/phoneMethods"
            && r["status"] == 429
            && r["method"] == "GET"));
    assert!(log.iter().all(|r| r["time"].is_string()));
    assert!(log.iter().all(|r| !r["path"]
        .as_str()
        .unwrap_or_default()
        .starts_with("/_emulator")));
    assert_eq!(log.len(), emulator.request_log().len());
    emulator.shutdown().await;
    Ok(())
}
