//! The relay serves HTTPS from the certificate and key its configuration
//! names, and says exactly what is wrong with a bad pair.

mod support;

use std::time::Duration;

use helpdesk_relay::config::RelayConfig;
use helpdesk_relay::Relay;
use support::{config_text, new_key, request_body, submit, wait_delivered, FakeServiceNow};

#[tokio::test]
async fn the_relay_serves_https_with_its_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let certificate = dir.path().join("relay.crt");
    let key = dir.path().join("relay.key");
    std::fs::write(&certificate, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let desk = FakeServiceNow::start().await;
    let tls = format!(
        "[tls]\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
        certificate.display(),
        key.display()
    );
    let text = config_text(
        &format!("sqlite:{}", dir.path().join("relay.db").display()),
        "https://graph.microsoft.com/v1.0/",
        &tls,
        &desk.config(),
    );
    let relay = Relay::start(RelayConfig::parse(&text).unwrap())
        .await
        .unwrap();
    let url = relay.base_url().to_string();
    assert!(url.starts_with("https://"), "{url}");

    let trusting = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap(),
        )
        .build()
        .unwrap();
    let (status, accepted, _) = submit(
        &trusting,
        &url,
        &new_key(),
        &request_body("dana@contoso-demo.example", "a-b-1"),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["requestId"].as_str().unwrap().to_owned();
    let done = wait_delivered(&trusting, &url, &id, Duration::from_secs(10)).await;
    assert_eq!(done["status"], "delivered");

    // A client that does not trust the certificate gets no answer at all.
    let plain = reqwest::Client::new();
    assert!(plain.get(format!("{url}healthz")).send().await.is_err());
    let http_url = url.replacen("https://", "http://", 1);
    let served = plain
        .get(format!("{http_url}healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    assert!(!served, "plain HTTP is not served on the HTTPS port");
}

#[tokio::test]
async fn a_bad_certificate_or_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let desk = FakeServiceNow::start().await;
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    for (certificate, key, says) in [
        (
            dir.path().join("missing.crt"),
            garbage.clone(),
            "cannot read",
        ),
        (garbage.clone(), garbage.clone(), "has no PEM certificate"),
    ] {
        let tls = format!(
            "[tls]\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
            certificate.display(),
            key.display()
        );
        let text = config_text(
            "sqlite:/tmp/unused.db",
            "https://graph.microsoft.com/v1.0/",
            &tls,
            &desk.config(),
        );
        let error = match Relay::start(RelayConfig::parse(&text).unwrap()).await {
            Ok(_) => panic!("started with {certificate:?}"),
            Err(e) => e,
        };
        assert!(error.contains(says) && error.contains("[tls]"), "{error}");
    }
}
