//! Sign-in against the tenant emulator over real HTTP: the browser flow with
//! PKCE and the loopback listener, device code, refresh-token rotation kept
//! in the real Secret Service, and every way a sign-in can go wrong.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{browser_done, Harness, NoBrowser, ScriptedBrowser};
use mfa_core::auth::SignInError;
use mfa_core::session::{Restored, SessionError};
use tenant_emulator::browser::{self, BrowserAction, BrowserScript};
use tenant_emulator::Fault;

fn token_requests(h: &Harness) -> usize {
    h.emulator
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/oauth2/v2.0/token"))
        .count()
}

#[tokio::test]
async fn browser_sign_in_uses_pkce_and_keeps_the_refresh_token_in_the_keychain() {
    let h = Harness::start().await;
    let session = h.session();
    let browser = ScriptedBrowser::new("adele", BrowserAction::SignIn, None);

    let user = session
        .sign_in_with_browser(browser.clone())
        .await
        .expect("signed in");
    assert_eq!(user.upn, "adele@contoso-demo.example");
    assert_eq!(user.display_name, "Adele Vance");

    // What the app asked the browser to open: PKCE S256, state, our client.
    let opened = browser.opened.lock().unwrap()[0].clone();
    let q: std::collections::HashMap<_, _> = opened.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["code_challenge"].len(),
        43,
        "a SHA-256 challenge is 43 base64url characters"
    );
    assert!(q["state"].len() >= 16);
    assert_eq!(q["client_id"], tenant_emulator::demo::CLIENT_ID);
    assert!(
        q["redirect_uri"].starts_with("http://127.0.0.1:"),
        "{}",
        q["redirect_uri"]
    );
    assert!(
        q["scope"].contains("offline_access")
            && q["scope"].contains("UserAuthenticationMethod.Read")
    );
    assert!(!q.contains_key("client_secret"));

    // The browser was told the truth.
    let outcome = browser_done(&browser).await.unwrap();
    let page = outcome.app_response.expect("the app answered the redirect");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Signed in, you can close this tab"),
        "{}",
        page.body
    );

    // The refresh token is in the real keychain, readable by a new session.
    let stored = h.keychain().load().unwrap().expect("refresh token stored");
    assert!(!stored.expose_secret().is_empty());
}

#[tokio::test]
async fn restart_restores_the_session_with_one_refresh_and_rotates_the_token() {
    let h = Harness::start().await;
    let first = h.session();
    first
        .sign_in_with_browser(ScriptedBrowser::new("ben", BrowserAction::SignIn, None))
        .await
        .unwrap();
    let before = h.keychain().load().unwrap().unwrap();
    drop(first);

    let tokens_before = token_requests(&h);
    let second = h.session();
    assert_eq!(
        second.restore().await.unwrap(),
        Restored::SignedIn {
            upn: "ben@contoso-demo.example".into()
        }
    );
    assert_eq!(
        token_requests(&h) - tokens_before,
        1,
        "exactly one refresh at start-up"
    );

    let after = h.keychain().load().unwrap().unwrap();
    assert_ne!(
        before, after,
        "the rotated refresh token replaced the old one at once"
    );

    // Entra does not revoke the old one on rotation (Microsoft's
    // refresh-token page), so the app must replace it itself, as above; a
    // session that still held it would still get in.
    h.keychain().save(&before).unwrap();
    assert_eq!(
        h.session().restore().await.unwrap(),
        Restored::SignedIn {
            upn: "ben@contoso-demo.example".into()
        }
    );
    assert_ne!(h.keychain().load().unwrap().unwrap(), before);
    // Refused once the sessions are revoked, and removed from the keychain.
    h.emulator
        .revoke_sign_in_sessions("ben@contoso-demo.example")
        .await
        .unwrap();
    assert_eq!(h.session().restore().await.unwrap(), Restored::Expired);
    assert_eq!(
        h.keychain().load().unwrap(),
        None,
        "a refused token is removed from the keychain"
    );
}

#[tokio::test]
async fn nothing_stored_means_signed_out() {
    let h = Harness::start().await;
    assert_eq!(h.session().restore().await.unwrap(), Restored::SignedOut);
}

#[tokio::test]
async fn revoked_sessions_mean_sign_in_again() {
    let h = Harness::start().await;
    let s = h.session();
    s.sign_in_with_browser(ScriptedBrowser::new("chidi", BrowserAction::SignIn, None))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.emulator
        .revoke_sign_in_sessions("chidi@contoso-demo.example")
        .await
        .unwrap();
    assert_eq!(h.session().restore().await.unwrap(), Restored::Expired);
    assert_eq!(h.keychain().load().unwrap(), None);
}

#[tokio::test]
async fn sign_out_deletes_the_keychain_entry_and_says_so() {
    let h = Harness::start().await;
    let s = h.session();
    s.sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::SignIn, None))
        .await
        .unwrap();
    assert!(s.sign_out().await.unwrap(), "there was an entry to delete");
    assert_eq!(h.keychain().load().unwrap(), None);
    assert!(
        !s.sign_out().await.unwrap(),
        "a second sign-out finds nothing"
    );
    assert_eq!(
        s.security_info().await.unwrap_err(),
        SessionError::NotSignedIn
    );
    assert_eq!(h.session().restore().await.unwrap(), Restored::SignedOut);
}

#[tokio::test]
async fn wrong_password_first_then_right_one_signs_in() {
    let h = Harness::start().await;
    let browser = ScriptedBrowser::new("adele", BrowserAction::WrongPasswordThenSignIn, None);
    let user = h
        .session()
        .sign_in_with_browser(browser.clone())
        .await
        .unwrap();
    assert_eq!(user.upn, "adele@contoso-demo.example");
    let outcome = browser_done(&browser).await.unwrap();
    // The sign-in page was shown twice: once more after the wrong password.
    let sign_in_posts = outcome.pages.iter().filter(|p| p.method == "POST").count();
    assert!(sign_in_posts >= 2, "{outcome:?}");
    assert_eq!(outcome.app_response.unwrap().status, 200);
}

#[tokio::test]
async fn cancelling_in_the_browser_is_reported_as_cancelled_and_nothing_is_stored() {
    let h = Harness::start().await;
    let browser = ScriptedBrowser::new("adele", BrowserAction::Cancel, None);
    let err = h
        .session()
        .sign_in_with_browser(browser.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SessionError::SignIn(SignInError::Cancelled(_))),
        "{err:?}"
    );
    assert_eq!(h.keychain().load().unwrap(), None);
    // The page says only that it did not complete; the window says why.
    let page = browser_done(&browser).await.unwrap().app_response.unwrap();
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("Sign-in did not complete."),
        "{}",
        page.body
    );
}

/// The browser's last page speaks the window's language, whatever language
/// the window was in when the session was made.
#[tokio::test]
async fn the_browser_page_is_in_the_windows_language() {
    let h = Harness::start().await;
    let language = mfa_core::language::CurrentLanguage::default();
    let session = h.session().with_language(language.clone());
    language.set(mfa_core::language::Language::De);
    let browser = ScriptedBrowser::new("adele", BrowserAction::SignIn, None);
    session.sign_in_with_browser(browser.clone()).await.unwrap();
    let page = browser_done(&browser).await.unwrap().app_response.unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"de\">"), "{}", page.body);
    assert!(
        page.body
            .contains("Angemeldet. Sie können diesen Tab schließen"),
        "{}",
        page.body
    );

    language.set(mfa_core::language::Language::Ja);
    let browser = ScriptedBrowser::new("adele", BrowserAction::Cancel, None);
    session
        .sign_in_with_browser(browser.clone())
        .await
        .unwrap_err();
    let page = browser_done(&browser).await.unwrap().app_response.unwrap();
    assert!(
        page.body.contains("サインインが完了しませんでした"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn locked_out_user_cannot_finish_and_the_app_says_cancelled() {
    let h = Harness::start().await;
    let browser = ScriptedBrowser::new("dana", BrowserAction::SignIn, None);
    let err = h
        .session()
        .sign_in_with_browser(browser.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SessionError::SignIn(SignInError::Cancelled(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_tab_times_out_and_a_new_sign_in_can_start() {
    let mut h = Harness::start().await;
    h.config.sign_in_timeout = Duration::from_secs(2);
    let session = h.session();
    let err = session
        .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::Abandon, None))
        .await
        .unwrap_err();
    assert_eq!(err, SessionError::SignIn(SignInError::TimedOut(2)));
    // The app stays usable: the next attempt works.
    session
        .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::SignIn, None))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_loopback_listener_is_one_shot() {
    let h = Harness::start().await;
    let browser = ScriptedBrowser::new("adele", BrowserAction::SignInTwice, None);
    h.session()
        .sign_in_with_browser(browser.clone())
        .await
        .unwrap();
    let outcome = browser_done(&browser).await;
    // The second hit finds nothing listening (or the browser reports it could not connect).
    match outcome {
        Ok(o) => assert!(
            o.second_app_response.is_none(),
            "a second response was served: {o:?}"
        ),
        // The browser could not even send the second request: nothing listens any more.
        Err(e) => assert!(
            e.contains("http://127.0.0.1:") && e.contains("failed"),
            "{e}"
        ),
    }
}

#[tokio::test]
async fn only_one_sign_in_at_a_time_and_cancel_ends_it() {
    let h = Harness::start().await;
    let session = std::sync::Arc::new(h.session());
    let waiting = {
        let session = session.clone();
        tokio::spawn(async move {
            session
                .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::Abandon, None))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = session
        .sign_in_with_browser(std::sync::Arc::new(NoBrowser))
        .await
        .unwrap_err();
    assert_eq!(second, SessionError::SignInInProgress);
    session.cancel_sign_in();
    let first = waiting.await.unwrap().unwrap_err();
    assert_eq!(first, SessionError::SignIn(SignInError::Cancelled(None)));
}

#[tokio::test]
async fn no_browser_is_reported_so_the_ui_can_offer_device_code() {
    let h = Harness::start().await;
    let err = h
        .session()
        .sign_in_with_browser(std::sync::Arc::new(NoBrowser))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::SignIn(SignInError::BrowserUnavailable(_))
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn device_code_sign_in_completes_on_another_device() {
    let h = Harness::start().await;
    let session = std::sync::Arc::new(h.session());
    let (user_code, uri, expires) = session.start_device_code().await.unwrap();
    assert_eq!(user_code.len(), 9);
    assert!(uri.ends_with("/devicelogin"), "{uri}");
    assert!(expires > 800);
    let waiting = {
        let session = session.clone();
        tokio::spawn(async move { session.finish_device_code().await })
    };
    // Pending polls must not end the wait.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!waiting.is_finished());
    let script = BrowserScript::demo_user("erin", BrowserAction::SignIn);
    browser::complete_device_code(&h.emulator.base_url(), &user_code, &script)
        .await
        .unwrap();
    let user = waiting.await.unwrap().unwrap();
    assert_eq!(user.upn, "erin@contoso-demo.example");
    assert!(h.keychain().load().unwrap().is_some());
}

#[tokio::test]
async fn device_code_can_be_cancelled() {
    let h = Harness::start().await;
    let session = std::sync::Arc::new(h.session());
    session.start_device_code().await.unwrap();
    let waiting = {
        let session = session.clone();
        tokio::spawn(async move { session.finish_device_code().await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.cancel_sign_in();
    assert_eq!(
        waiting.await.unwrap().unwrap_err(),
        SessionError::SignIn(SignInError::Cancelled(None))
    );
}

#[tokio::test]
async fn token_endpoint_throttling_is_retried() {
    let h = Harness::start().await;
    h.session()
        .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::SignIn, None))
        .await
        .unwrap();
    h.emulator
        .faults()
        .inject(Fault::status("POST /token", 503, Some("0.2"), 1));
    let before = token_requests(&h);
    assert!(matches!(
        h.session().restore().await.unwrap(),
        Restored::SignedIn { .. }
    ));
    assert_eq!(token_requests(&h) - before, 2, "one 503, one retry");
}

#[tokio::test]
async fn a_token_endpoint_that_stays_down_is_reported_as_busy_and_keeps_the_token() {
    let h = Harness::start().await;
    h.session()
        .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::SignIn, None))
        .await
        .unwrap();
    let stored = h.keychain().load().unwrap();
    h.emulator
        .faults()
        .inject(Fault::status("POST /token", 503, Some("0.1"), 10));
    let err = h.session().restore().await.unwrap_err();
    assert!(
        matches!(err, SessionError::SignIn(SignInError::ServiceBusy(_))),
        "{err:?}"
    );
    assert_eq!(
        h.keychain().load().unwrap(),
        stored,
        "an outage must not cost the user their sign-in"
    );
}

#[tokio::test]
async fn https_emulator_works_only_with_its_root_trusted() {
    let h = Harness::start_with(tenant_emulator::EmulatorConfig::default(), true).await;
    assert_eq!(h.emulator.base_url().scheme(), "https");
    let browser = ScriptedBrowser::new("adele", BrowserAction::SignIn, h.ca_pem());
    h.session()
        .sign_in_with_browser(browser.clone())
        .await
        .expect("trusted root: signed in");

    // Without the extra root the TLS handshake fails and nothing is sent.
    let mut untrusting =
        Harness::start_with(tenant_emulator::EmulatorConfig::default(), true).await;
    untrusting.config.extra_root_certificate = None;
    untrusting
        .keychain()
        .save(&mfa_core::secret::RefreshToken::new("x"))
        .unwrap();
    let err = untrusting.session().restore().await.unwrap_err();
    assert!(
        matches!(err, SessionError::SignIn(SignInError::Network(_))),
        "{err:?}"
    );
}

/// Plays a local attacker who intercepts the redirect, redeems the code first
/// (without the PKCE verifier, so it gets no tokens), then relays the code to
/// the app. The code is then spent: the app must say so and stay usable.
struct InterceptingBrowser {
    token_endpoint: url::Url,
    done: Arc<std::sync::Mutex<Option<u16>>>,
}

impl mfa_core::auth::BrowserOpener for InterceptingBrowser {
    fn open(&self, url: &url::Url) -> Result<(), String> {
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let app_redirect = pairs
            .iter()
            .find(|(k, _)| k == "redirect_uri")
            .unwrap()
            .1
            .clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let attacker_redirect = format!("http://127.0.0.1:{port}/");
        let mut hijacked = url.clone();
        hijacked
            .query_pairs_mut()
            .clear()
            .extend_pairs(pairs.iter().map(|(k, v)| {
                (
                    k.as_str(),
                    if k == "redirect_uri" {
                        attacker_redirect.as_str()
                    } else {
                        v.as_str()
                    },
                )
            }));
        let token_endpoint = self.token_endpoint.clone();
        let done = self.done.clone();
        let runtime = tokio::runtime::Handle::current();
        runtime.spawn(async move {
            let script = BrowserScript::demo_user("adele", BrowserAction::SignIn);
            let _ = browser::run(&hijacked, &script).await;
        });
        runtime.spawn(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let n = tokio::io::AsyncReadExt::read(&mut stream, &mut buf)
                .await
                .unwrap();
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let target = head.split_whitespace().nth(1).unwrap().to_owned();
            let query = url::Url::parse("http://x").unwrap().join(&target).unwrap();
            let code = query
                .query_pairs()
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned();
            // The attacker tries the code without the verifier: refused, and the code is spent.
            let attempt = reqwest::Client::new()
                .post(token_endpoint)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", tenant_emulator::demo::CLIENT_ID),
                    ("code", &code),
                    ("redirect_uri", &attacker_redirect),
                    (
                        "code_verifier",
                        "attacker-does-not-know-the-verifier-0123456789abcdef",
                    ),
                ])
                .send()
                .await
                .unwrap();
            *done.lock().unwrap() = Some(attempt.status().as_u16());
            let _ = tokio::io::AsyncWriteExt::write_all(
                &mut stream,
                b"HTTP/1.1 204 No Content\r\n\r\n",
            )
            .await;
            // Then relays the spent code to the app, as the real redirect would.
            let relay = format!("{}{}", app_redirect.trim_end_matches('/'), target);
            let _ = reqwest::get(relay).await;
        });
        Ok(())
    }
}

#[tokio::test]
async fn a_code_redeemed_by_someone_else_is_refused_and_the_app_stays_usable() {
    let h = Harness::start().await;
    let session = h.session();
    let attacker = Arc::new(InterceptingBrowser {
        token_endpoint: h
            .emulator
            .base_url()
            .join(&format!(
                "{}/oauth2/v2.0/token",
                tenant_emulator::demo::TENANT_ID
            ))
            .unwrap(),
        done: Arc::default(),
    });
    let err = session
        .sign_in_with_browser(attacker.clone())
        .await
        .unwrap_err();
    assert_eq!(
        *attacker.done.lock().unwrap(),
        Some(400),
        "the attacker got no tokens"
    );
    match err {
        SessionError::SignIn(SignInError::InvalidGrant(message)) => {
            assert!(message.contains("AADSTS54005"), "{message}")
        }
        other => panic!("expected a refused code, got {other:?}"),
    }
    assert_eq!(h.keychain().load().unwrap(), None);
    // The next sign-in works.
    session
        .sign_in_with_browser(ScriptedBrowser::new("adele", BrowserAction::SignIn, None))
        .await
        .unwrap();
}
