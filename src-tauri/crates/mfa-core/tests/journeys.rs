//! The journeys and the session's changes against the tenant emulator over
//! real HTTP: every Graph rule the app relies on, the fresh-MFA rule, the
//! Security Info page fallback, faults, and resuming after a crash.

mod common;

use common::{browser_done, Harness, ScriptedBrowser};
use mfa_core::guardrails::{Concern, Floor, PhoneNumber, Refusal};
use std::sync::Arc;

use mfa_core::assistant::{Answer, Assistant};
use mfa_core::journey::{Journey, JourneyError, JourneyStore, Note, Registration, Step, Waiting};
use mfa_core::security_info::{MethodId, MethodKind, PhoneType, SecondaryMethod};
use mfa_core::session::{MethodChange, Session, SessionError};
use tenant_emulator::browser::{self, BrowserAction, BrowserScript, SecurityInfoStep};
use tenant_emulator::Fault;

const MOBILE: &str = "3179e48a-750b-4051-897c-87b9720928f7";

async fn signed_in(h: &Harness, user: &str) -> Session {
    let session = h.session();
    session
        .sign_in_with_browser(ScriptedBrowser::new(user, BrowserAction::SignIn, None))
        .await
        .expect("signed in");
    session
}

/// "Confirm it's you" in the scripted browser.
async fn confirm(session: &Session, user: &str) {
    let browser = ScriptedBrowser::new(user, BrowserAction::SignIn, None);
    session
        .confirm_identity(browser.clone())
        .await
        .expect("confirmed");
    browser_done(&browser).await.unwrap();
    // The confirmation asked for a fresh MFA and the write permission.
    let opened = browser.opened.lock().unwrap()[0].clone();
    let q: std::collections::HashMap<_, _> = opened.query_pairs().into_owned().collect();
    assert!(q["claims"].contains("ngcmfa"), "{opened}");
    assert!(q["scope"].contains("UserAuthenticationMethod.ReadWrite"));
    assert_eq!(q["login_hint"], format!("{user}@contoso-demo.example"));
}

/// The user does `step` on the emulator's Security Info page.
async fn on_the_page(h: &Harness, user: &str, step: SecurityInfoStep) {
    let url = browser::security_info_url(
        &h.emulator.base_url(),
        &format!("{user}@contoso-demo.example"),
    );
    let outcome = browser::run(
        &url,
        &BrowserScript::demo_user(user, BrowserAction::SignIn).with_security_info(step),
    )
    .await
    .expect("the page worked");
    let report = outcome.security_info.expect("a Security Info report");
    assert!(
        report.error.is_none(),
        "the page refused: {:?}",
        report.error
    );
}

fn store() -> (tempfile::TempDir, JourneyStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = JourneyStore::new(dir.path());
    (dir, store)
}

fn writes(h: &Harness) -> usize {
    h.emulator
        .request_log()
        .iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH" | "DELETE"))
        .filter(|r| r.path.contains("/authentication/"))
        .count()
}

fn number(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

#[tokio::test]
async fn nothing_is_sent_before_the_user_confirms_it_is_them() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    let e = session
        .change(&MethodChange::SetDefault(SecondaryMethod::VoiceMobile))
        .await
        .unwrap_err();
    assert_eq!(e, SessionError::FreshSignInNeeded(None));
    assert_eq!(writes(&h), 0);

    confirm(&session, "ben").await;
    session
        .change(&MethodChange::SetDefault(SecondaryMethod::VoiceMobile))
        .await
        .unwrap();
    let info = session.security_info().await.unwrap();
    assert_eq!(
        info.preferences.unwrap().user_preferred,
        Some(SecondaryMethod::VoiceMobile)
    );
}

#[tokio::test]
async fn confirming_as_someone_else_is_refused() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    let browser = ScriptedBrowser::new("adele", BrowserAction::SignIn, None);
    let e = session.confirm_identity(browser.clone()).await.unwrap_err();
    assert_eq!(
        e,
        SessionError::WrongAccount {
            signed_in: "ben@contoso-demo.example".into(),
            confirmed: "adele@contoso-demo.example".into()
        }
    );
    let page = browser_done(&browser).await.unwrap().app_response.unwrap();
    assert_eq!(page.status, 400, "the browser tab is told it did not work");
    assert!(!session.can_change().await);
}

const CHIDI_HELLO: &str = "b5e01f81-1f81-b5e0-811f-e0b5811fe0b5";

#[tokio::test]
async fn confirming_as_another_account_under_the_same_name_is_refused() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    // Ben's UPN now belongs to another account (Adele's object): the same
    // sign-in name, another object id. Whoever signs in as ben@ now is not
    // the account this session is for.
    h.emulator
        .swap_upns("ben@contoso-demo.example", "adele@contoso-demo.example")
        .unwrap();
    let mut script = BrowserScript::demo_user("adele", BrowserAction::SignIn);
    script.upn = "ben@contoso-demo.example".into();
    let browser = ScriptedBrowser::with_script(script);
    let e = session.confirm_identity(browser.clone()).await.unwrap_err();
    assert_eq!(
        e,
        SessionError::WrongAccount {
            signed_in: "ben@contoso-demo.example".into(),
            confirmed: "ben@contoso-demo.example".into()
        }
    );
    let page = browser_done(&browser).await.unwrap().app_response.unwrap();
    assert_eq!(page.status, 400, "the browser tab is told it did not work");
    assert!(!session.can_change().await);
}

#[tokio::test]
async fn stale_mfa_asks_to_confirm_again_and_the_retry_succeeds() {
    // A delete is documented for the user's own account, so its 403 is the
    // documented "confirm again and retry once".
    let h = Harness::start().await;
    let session = signed_in(&h, "chidi").await;
    confirm(&session, "chidi").await;
    h.emulator
        .expire_fresh_mfa("chidi@contoso-demo.example")
        .await
        .unwrap();
    let change = MethodChange::Delete {
        collection: "windowsHelloForBusinessMethods",
        id: MethodId::parse(CHIDI_HELLO).unwrap(),
    };
    match session.change(&change).await {
        Err(SessionError::FreshSignInNeeded(Some(reason))) => {
            assert!(reason.contains("accessDenied"), "{reason}")
        }
        other => panic!("expected a request to confirm again, got {other:?}"),
    }
    assert!(
        !session.can_change().await,
        "the next attempt asks the user"
    );
    confirm(&session, "chidi").await;
    session.change(&change).await.expect("the retry succeeds");
    let info = session.security_info().await.unwrap();
    assert!(!info.methods.iter().any(|m| m.id.as_str() == CHIDI_HELLO));
}

/// A number that replaces another in place is proven first (issue 15, item
/// 5): even in a tenant that allows self-service phone writes, the app sends
/// no PATCH (it would drop the old number at once); the Security Info page
/// sends a code to the new number, a wrong code changes nothing, and the
/// journey finishes only once the account shows the new number.
#[tokio::test]
async fn a_changed_number_is_proven_by_the_code_before_it_replaces_the_old() {
    let h = Harness::start().await;
    h.emulator.set_self_service_writes(true);
    let session = signed_in(&h, "ben").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let old = phone_number_of(&info, PhoneType::Mobile);
    let new = number("+44 7700 900-777");
    let mut journey = Journey::phone_number(&info, PhoneType::Mobile, &new, None).unwrap();
    let on_page = Waiting::Register(Registration::Phone {
        phone_type: PhoneType::Mobile,
        number: new.clone(),
    });
    // Nothing for the app to write, so no "confirm it's you" either.
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(on_page.clone())
    );
    assert!(journey.note().is_none(), "planned, not a refusal");

    // The test fails: the code the user enters is not the one sent.
    let outcome = browser::run(
        &browser::security_info_url(&h.emulator.base_url(), "ben@contoso-demo.example"),
        &BrowserScript::demo_user("ben", BrowserAction::SignIn).with_security_info(
            SecurityInfoStep::AddPhoneWrongCode {
                phone_type: "mobile".into(),
                number: new.as_str().into(),
            },
        ),
    )
    .await
    .unwrap();
    let refused = outcome.security_info.unwrap().error.unwrap_or_default();
    assert!(refused.contains("hasn't changed"), "{refused}");
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(on_page),
        "still waiting"
    );
    let info = session.security_info().await.unwrap();
    assert_eq!(
        phone_number_of(&info, PhoneType::Mobile),
        old,
        "the old number stays"
    );

    // The right code: the page changes it, and the journey checks it.
    on_the_page(
        &h,
        "ben",
        SecurityInfoStep::AddPhone {
            phone_type: "mobile".into(),
            number: new.as_str().into(),
        },
    )
    .await;
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    assert_eq!(writes(&h), 0, "the app wrote nothing");
    assert_eq!(
        h.emulator.count(
            "PATCH",
            &format!("/v1.0/me/authentication/phoneMethods/{MOBILE}")
        ),
        0
    );
    let info = session.security_info().await.unwrap();
    assert_eq!(phone_number_of(&info, PhoneType::Mobile), "+44 7700900777");
    let log = store.activity().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "registered");
    assert_eq!(log[0].upn, "ben@contoso-demo.example");
    // The journey file never holds a token.
    let saved = std::fs::read_to_string(_dir.path().join("journey.json")).unwrap();
    assert!(!saved.to_lowercase().contains("token"), "{saved}");
}

fn phone_number_of(info: &mfa_core::security_info::SecurityInfo, t: PhoneType) -> String {
    info.methods
        .iter()
        .find_map(|m| match &m.kind {
            MethodKind::Phone { phone_type, number } if *phone_type == t => Some(number.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn when_self_service_writes_are_forbidden_the_page_takes_over_and_the_app_watches() {
    // The emulator's default follows Microsoft's per-API pages: users
    // cannot add or update their own phones through Graph.
    let h = Harness::start().await;
    assert!(!h.emulator.self_service_writes());
    let session = signed_in(&h, "ben").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let mut journey =
        Journey::phone_number(&info, PhoneType::Office, &number("+44 2079460999"), None).unwrap();
    let registration = Registration::Phone {
        phone_type: PhoneType::Office,
        number: number("+44 2079460999"),
    };
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ConfirmIdentity)
    );
    confirm(&session, "ben").await;
    // One try, one 403, and the step is the page's at once: no second
    // "confirm it's you".
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::UseSecurityInfoPage(registration.clone()))
    );
    assert_eq!(writes(&h), 1, "Graph was tried once");
    assert!(session.can_change().await, "the confirmation still stands");
    let note = journey.note().unwrap().to_string();
    assert!(note.starts_with("notAllowed: 403 accessDenied"), "{note}");
    // Checking again before the user acted: still waiting, nothing sent.
    let before = writes(&h);
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Register(registration))
    );
    assert_eq!(writes(&h), before);
    on_the_page(
        &h,
        "ben",
        SecurityInfoStep::AddPhone {
            phone_type: "office".into(),
            number: "+44 2079460999".into(),
        },
    )
    .await;
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
}

#[tokio::test]
async fn the_default_goes_to_the_users_own_id_and_never_to_me() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    confirm(&session, "ben").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let mut journey = Journey::choose_default(&info, &SecondaryMethod::VoiceMobile).unwrap();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    let patches: Vec<String> = h
        .emulator
        .request_log()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.path)
        .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    let id = patches[0]
        .strip_prefix("/beta/users/")
        .and_then(|rest| rest.strip_suffix("/authentication/signInPreferences"))
        .unwrap_or_else(|| panic!("{patches:?}"));
    assert!(uuid::Uuid::parse_str(id).is_ok(), "an object id: {id}");
    assert_eq!(
        h.emulator
            .count("GET", "/beta/me/authentication/signInPreferences"),
        0
    );
}

#[tokio::test]
async fn a_refused_default_moves_to_the_change_default_page_and_is_watched() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let mut journey = Journey::choose_default(&info, &SecondaryMethod::VoiceMobile).unwrap();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ConfirmIdentity)
    );
    confirm(&session, "ben").await;
    // The tenant refuses the PATCH (as an organisation may): one try, then
    // the page's "Change default" at once, without a second confirmation.
    h.emulator.faults().inject(Fault::status(
        "PATCH /beta/users/*/authentication/signInPreferences",
        403,
        None,
        10,
    ));
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ChangeDefaultOnPage(SecondaryMethod::VoiceMobile))
    );
    let patches = || {
        h.emulator
            .count("PATCH", "/beta/users/*/authentication/signInPreferences")
    };
    assert_eq!(patches(), 1);
    assert!(session.can_change().await, "the confirmation still stands");
    // Saved so: a restart shows the same page step.
    assert_eq!(
        store.load().unwrap().unwrap().waiting(),
        Waiting::ChangeDefaultOnPage(SecondaryMethod::VoiceMobile)
    );
    // Checking before the user acted: still waiting, nothing sent again.
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ChangeDefaultOnPage(SecondaryMethod::VoiceMobile))
    );
    assert_eq!(patches(), 1);
    on_the_page(
        &h,
        "ben",
        SecurityInfoStep::SetDefault {
            method: "voiceMobile".into(),
        },
    )
    .await;
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    assert_eq!(patches(), 1);
    let log = store.activity().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "setDefault");
}

#[tokio::test]
async fn the_new_phone_journey_adds_proves_defaults_and_only_then_removes_the_old() {
    let h = Harness::start().await;
    let session = signed_in(&h, "adele").await;
    confirm(&session, "adele").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let old = info
        .methods
        .iter()
        .find(|m| matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. }))
        .unwrap()
        .id
        .clone();
    let mut journey = Journey::new_phone(&info, false);
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Register(Registration::Authenticator))
    );
    on_the_page(
        &h,
        "adele",
        SecurityInfoStep::AddAuthenticator {
            device_name: "Pixel 9".into(),
        },
    )
    .await;
    assert!(matches!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ConfirmWorks { method: Some(_) })
    ));
    // "It didn't work": the user stays at the step and nothing is removed.
    journey.answer_works(false).unwrap();
    assert!(matches!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ConfirmWorks { method: Some(_) })
    ));
    assert_eq!(
        h.emulator.count(
            "DELETE",
            "/v1.0/me/authentication/microsoftAuthenticatorMethods/*"
        ),
        0
    );
    journey.answer_works(true).unwrap();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    let info = session.security_info().await.unwrap();
    assert!(
        !info.methods.iter().any(|m| m.id == old),
        "the old phone is gone"
    );
    let default = info.default_method().unwrap();
    let new = info.methods.iter().find(|m| &m.id == default).unwrap();
    assert_eq!(
        new.kind,
        MethodKind::MicrosoftAuthenticator {
            device_name: "Pixel 9".into()
        }
    );
    let actions: Vec<String> = store
        .activity()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["registered", "remove"]);
}

#[tokio::test]
async fn removing_the_default_is_refused_before_any_request() {
    let h = Harness::start().await;
    let session = signed_in(&h, "adele").await;
    let info = session.security_info().await.unwrap();
    let default = info.default_method().unwrap().clone();
    let e = Journey::remove_method(&info, &default, Floor::DEFAULT).unwrap_err();
    assert_eq!(e, JourneyError::Refused(Refusal::IsDefault { id: default }));
    assert_eq!(writes(&h), 0);
}

#[tokio::test]
async fn the_emulator_refuses_a_default_delete_too_and_nothing_changes() {
    // Defence in depth: if the app's picture were stale, Graph's own rule
    // answers 400 badRequest and the journey reports it.
    let h = Harness::start().await;
    let session = signed_in(&h, "adele").await;
    confirm(&session, "adele").await;
    let info = session.security_info().await.unwrap();
    let default = info.default_method().unwrap().clone();
    let e = session
        .change(&MethodChange::Delete {
            collection: "microsoftAuthenticatorMethods",
            id: default.clone(),
        })
        .await
        .unwrap_err();
    match e {
        SessionError::Graph(mfa_core::graph::GraphError::Service {
            status,
            code,
            message,
            ..
        }) => {
            assert_eq!((status, code.as_str()), (400, "badRequest"));
            assert!(
                message.contains("Cannot delete default method"),
                "{message}"
            );
        }
        other => panic!("expected Graph's 400, got {other:?}"),
    }
    let after = session.security_info().await.unwrap();
    assert!(after.methods.iter().any(|m| m.id == default));
}

#[tokio::test]
async fn a_removal_with_concerns_waits_for_the_users_yes() {
    let h = Harness::start().await;
    let session = signed_in(&h, "adele").await;
    confirm(&session, "adele").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let mobile = MethodId::parse(MOBILE).unwrap();
    let mut journey = Journey::remove_method(&info, &mobile, Floor::DEFAULT).unwrap();
    let waiting = journey
        .advance(&session, &store, Floor::DEFAULT)
        .await
        .unwrap();
    let Waiting::AcceptConcerns(concerns) = waiting else {
        panic!("expected concerns, got {waiting:?}");
    };
    assert!(concerns.contains(&Concern::BelowRecommended {
        after: 1,
        recommended: 3
    }));
    assert_eq!(writes(&h), 0, "nothing is removed before the user says yes");
    journey.accept_concerns(&concerns).unwrap();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    assert_eq!(
        h.emulator.count(
            "DELETE",
            &format!("/v1.0/me/authentication/phoneMethods/{MOBILE}")
        ),
        1
    );
}

#[tokio::test]
async fn a_method_removed_elsewhere_meanwhile_is_reported_and_never_deleted_twice() {
    let h = Harness::start().await;
    let session = signed_in(&h, "chidi").await;
    confirm(&session, "chidi").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let office = info
        .methods
        .iter()
        .find(|m| {
            matches!(
                m.kind,
                MethodKind::Phone {
                    phone_type: PhoneType::Office,
                    ..
                }
            )
        })
        .or_else(|| {
            info.methods
                .iter()
                .find(|m| matches!(m.kind, MethodKind::Fido2 { .. }))
        })
        .expect("chidi has a removable non-default method")
        .clone();
    let mut journey = Journey::remove_method(&info, &office.id, Floor::DEFAULT).unwrap();
    // Someone removes it on the web before the app's step runs.
    on_the_page(
        &h,
        "chidi",
        SecurityInfoStep::Delete {
            collection: office.kind.deletable_collection().unwrap().into(),
            id: office.id.as_str().into(),
        },
    )
    .await;
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    assert!(journey.removed_elsewhere());
    assert_eq!(
        h.emulator.count(
            "DELETE",
            &format!("/v1.0/me/authentication/*/{}", office.id.as_str())
        ),
        0,
        "the app never sent a delete"
    );
}

#[tokio::test]
async fn a_crash_after_the_delete_resumes_without_deleting_again() {
    let h = Harness::start().await;
    let session = signed_in(&h, "chidi").await;
    confirm(&session, "chidi").await;
    let (dir, store) = store();
    let info = session.security_info().await.unwrap();
    let target = info
        .methods
        .iter()
        .find(|m| {
            m.kind.deletable_collection().is_some()
                && info.default_method() != Some(&m.id)
                && m.kind.counts_for_mfa()
        })
        .unwrap()
        .clone();
    let journey = Journey::remove_method(&info, &target.id, Floor::DEFAULT).unwrap();
    store.save(&journey).unwrap();
    // Confirmed: the file an earlier run left says so.
    let file = dir.path().join("journey.json");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    saved["current"] = 1.into();
    std::fs::write(&file, saved.to_string()).unwrap();
    // The app sent the delete and was killed before it saved the next step.
    session
        .change(&MethodChange::Delete {
            collection: target.kind.deletable_collection().unwrap(),
            id: target.id.clone(),
        })
        .await
        .unwrap();
    drop(session);

    // Restart: a new session from the keychain, the journey from disk.
    let session = h.session();
    session.restore().await.unwrap();
    let mut resumed = JourneyStore::new(dir.path()).load().unwrap().unwrap();
    assert_eq!(resumed.current(), 1);
    assert!(matches!(resumed.steps()[1], Step::Remove { .. }));
    let deletes = h.emulator.count("DELETE", "/v1.0/me/authentication/*/*");
    // Confirmation is per app run (fresh MFA), but a removal already done
    // needs no write, so it does not even ask.
    let waiting = resumed
        .advance(&session, &store, Floor::DEFAULT)
        .await
        .unwrap();
    assert_eq!(waiting, Waiting::Finished);
    assert!(resumed.removed_elsewhere());
    assert_eq!(
        h.emulator.count("DELETE", "/v1.0/me/authentication/*/*"),
        deletes
    );
}

#[tokio::test]
async fn throttling_during_a_change_is_retried_and_an_outage_leaves_the_step_to_retry() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    confirm(&session, "ben").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let mut journey = Journey::choose_default(&info, &SecondaryMethod::VoiceMobile).unwrap();
    h.emulator.faults().inject(Fault::status(
        "PATCH /beta/users/*/authentication/signInPreferences",
        429,
        Some("0.2"),
        1,
    ));
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    assert_eq!(
        h.emulator
            .count("PATCH", "/beta/users/*/authentication/signInPreferences"),
        2
    );

    // A 503 that outlasts the retries: the step stays current, nothing half-done.
    let info = session.security_info().await.unwrap();
    let mut journey = Journey::choose_default(&info, &SecondaryMethod::Sms).unwrap();
    h.emulator.faults().inject(Fault::status(
        "PATCH /beta/users/*/authentication/signInPreferences",
        503,
        Some("0"),
        10,
    ));
    let e = journey
        .advance(&session, &store, Floor::DEFAULT)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            JourneyError::Session(SessionError::Graph(mfa_core::graph::GraphError::Busy {
                status: 503,
                ..
            }))
        ),
        "{e:?}"
    );
    assert_eq!(journey.current(), 1, "still at 'set the default'");
    let saved = store.load().unwrap().unwrap();
    assert_eq!(saved.current(), 1);
    h.emulator.faults().clear();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
}

#[tokio::test]
async fn get_to_three_watches_for_the_suggested_registration() {
    let h = Harness::start().await;
    let session = signed_in(&h, "ben").await;
    let (_dir, store) = store();
    let info = session.security_info().await.unwrap();
    let before = info.health().independent_methods;
    let suggestion = mfa_core::journey::suggest_next(&info);
    assert_eq!(suggestion, Registration::SecurityKey);
    let mut journey = Journey::add_method(&info, suggestion.clone());
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Register(suggestion))
    );
    on_the_page(
        &h,
        "ben",
        SecurityInfoStep::AddSecurityKey {
            name: "YubiKey 5".into(),
        },
    )
    .await;
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    let after = session.security_info().await.unwrap().health();
    assert_eq!(after.independent_methods, before + 1);
    assert_eq!(after.phishing_resistant_methods, 1);
}

#[tokio::test]
async fn graph_refuses_bad_phone_writes_with_clear_errors() {
    // What the guardrails stop in the app, Graph (the emulator) also refuses:
    // shown here so the app's messages are never the only line of defence
    // (in a tenant that allows self-service phone writes).
    let h = Harness::start().await;
    h.emulator.set_self_service_writes(true);
    let session = signed_in(&h, "ben").await;
    confirm(&session, "ben").await;
    // A second mobile.
    let e = session
        .change(&MethodChange::AddPhone {
            phone_type: PhoneType::Mobile,
            number: number("+44 7700900555"),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            SessionError::Graph(mfa_core::graph::GraphError::Service { status: 400, .. })
        ),
        "{e:?}"
    );
    // A type change through PATCH.
    let e = session
        .change(&MethodChange::UpdatePhone {
            id: MethodId::parse(MOBILE).unwrap(),
            phone_type: PhoneType::Office,
            number: number("+44 7700900556"),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            SessionError::Graph(mfa_core::graph::GraphError::Service { status: 400, .. })
        ),
        "{e:?}"
    );
    // A method that does not exist.
    let e = session
        .change(&MethodChange::Delete {
            collection: "fido2Methods",
            id: MethodId::parse("no-such-key").unwrap(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            SessionError::Graph(mfa_core::graph::GraphError::Service { status: 404, .. })
        ),
        "{e:?}"
    );
    // Nothing changed.
    let info = session.security_info().await.unwrap();
    let phones: Vec<_> = info
        .methods
        .iter()
        .filter(|m| matches!(m.kind, MethodKind::Phone { .. }))
        .collect();
    assert_eq!(phones.len(), 1);
}

// ---- the same journeys through the application layer ----------------------

/// The app's intents over `session` (kept by the test too, to confirm it's
/// the user in the scripted browser) and the journeys in `dir`.
fn assistant(session: &Arc<Session>, dir: &tempfile::TempDir) -> Assistant {
    Assistant::new(
        session.clone(),
        JourneyStore::new(dir.path()),
        Floor::DEFAULT,
        "https://mysignins.example/security-info".parse().unwrap(),
    )
}

#[tokio::test]
async fn the_assistant_runs_one_journey_at_a_time_and_exports_what_it_did() {
    let h = Harness::start().await;
    let session = Arc::new(signed_in(&h, "ben").await);
    let dir = tempfile::tempdir().unwrap();
    let app = assistant(&session, &dir);
    assert_eq!(app.current_journey().await, Ok(None));

    let journey = app
        .choose_default(&SecondaryMethod::VoiceMobile)
        .await
        .unwrap();
    assert_eq!(journey.waiting(), Waiting::ConfirmIdentity);
    assert_eq!(writes(&h), 0);
    let e = app.add_method(Registration::SecurityKey).await.unwrap_err();
    assert!(
        matches!(&e, JourneyError::Invalid(m) if m.contains("another change is still in progress")),
        "{e:?}"
    );
    // Where it stands is read, not run.
    let read = app.current_journey().await.unwrap().unwrap();
    assert_eq!(read, journey);

    // Another app window holds the tenant's journey lock.
    let other_window = JourneyStore::new(dir.path()).lock().unwrap();
    assert_eq!(app.continue_journey().await, Err(JourneyError::Busy));
    assert_eq!(app.end_journey().await, Err(JourneyError::Busy));
    drop(other_window);

    confirm(&session, "ben").await;
    let journey = app.continue_journey().await.unwrap();
    assert_eq!(journey.waiting(), Waiting::Finished);
    let activity = app.activity().await.unwrap();
    assert_eq!(activity.len(), 1);
    assert_eq!(activity[0].action, "setDefault");

    let downloads = tempfile::tempdir().unwrap();
    let headers = mfa_core::journey::CsvHeaders(
        ["Wann", "Konto", "Was", "Vorher", "Nachher"].map(String::from),
    );
    let export = app.export_activity_to(downloads.path(), &headers).unwrap();
    assert_eq!(export.entries, 1);
    assert!(export.path.starts_with(downloads.path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&export.path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "the export is the user's alone");
    }
    let csv = std::fs::read_to_string(&export.path).unwrap();
    assert!(
        csv.starts_with("Wann,Konto,Was,Vorher,Nachher\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("ben@contoso-demo.example,setDefault,"),
        "{csv}"
    );

    app.end_journey().await.unwrap();
    assert_eq!(app.current_journey().await, Ok(None));
    assert_eq!(
        app.continue_journey().await,
        Err(JourneyError::Invalid("no change is in progress".into()))
    );
}

#[tokio::test]
async fn after_an_outage_the_journey_waits_to_continue_not_to_confirm_again() {
    let h = Harness::start().await;
    let session = Arc::new(signed_in(&h, "ben").await);
    confirm(&session, "ben").await;
    let dir = tempfile::tempdir().unwrap();
    let app = assistant(&session, &dir);
    h.emulator.faults().inject(Fault::status(
        "PATCH /beta/users/*/authentication/signInPreferences",
        503,
        Some("0"),
        10,
    ));
    let e = app
        .choose_default(&SecondaryMethod::VoiceMobile)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            JourneyError::Session(SessionError::Graph(mfa_core::graph::GraphError::Busy {
                status: 503,
                ..
            }))
        ),
        "{e:?}"
    );
    // Saved at the step that failed, which needs nothing from the user.
    let journey = app.current_journey().await.unwrap().unwrap();
    assert_eq!(journey.current(), 1);
    assert_eq!(journey.waiting(), Waiting::Continue);
    h.emulator.faults().clear();
    let journey = app.continue_journey().await.unwrap();
    assert_eq!(journey.waiting(), Waiting::Finished);
}

#[tokio::test]
async fn the_assistant_takes_the_users_answers_at_the_new_phone() {
    let h = Harness::start().await;
    let session = Arc::new(signed_in(&h, "adele").await);
    confirm(&session, "adele").await;
    let dir = tempfile::tempdir().unwrap();
    let app = assistant(&session, &dir);
    let journey = app.start_new_phone(false).await.unwrap();
    assert_eq!(
        journey.waiting(),
        Waiting::Register(Registration::Authenticator)
    );
    let e = app.answer(Answer::Works).await.unwrap_err();
    assert!(matches!(e, JourneyError::Invalid(_)), "{e:?}");
    on_the_page(
        &h,
        "adele",
        SecurityInfoStep::AddAuthenticator {
            device_name: "Pixel 9".into(),
        },
    )
    .await;
    let journey = app.continue_journey().await.unwrap();
    let Waiting::ConfirmWorks { method: Some(new) } = journey.waiting() else {
        panic!("expected 'does it work?', got {:?}", journey.waiting());
    };
    let info = session.security_info().await.unwrap();
    assert!(matches!(
        info.methods.iter().find(|m| m.id == new).map(|m| &m.kind),
        Some(MethodKind::MicrosoftAuthenticator { device_name }) if device_name == "Pixel 9"
    ));
    let journey = app.answer(Answer::NotWorking).await.unwrap();
    assert_eq!(journey.note(), Some(&Note::NotWorking));
    assert!(matches!(journey.waiting(), Waiting::ConfirmWorks { .. }));
    let journey = app.answer(Answer::Works).await.unwrap();
    assert_eq!(journey.waiting(), Waiting::Finished);
    let actions: Vec<String> = app
        .activity()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["remove", "registered"], "newest first");
}

/// An assistant whose "today" is `day` (the end of SMS and voice is judged
/// against it, never against the machine's clock).
fn assistant_on(session: &Arc<Session>, dir: &tempfile::TempDir, day: time::Date) -> Assistant {
    let at = day.midnight().assume_utc();
    assistant(session, dir).with_clock(Arc::new(move || at))
}

const GUS_OLD_APP: &str = "4a7b2c9d-2c9d-4a7b-9d2c-7b4a9d2c7b4a";
const GUS_OLD_PASSKEY: &str = "R3VzLWlQaG9uZS0xMi1wYXNza2V5";

#[tokio::test]
async fn a_new_phone_gets_its_own_passkey_proven_before_the_old_phone_and_its_passkey_go() {
    use mfa_core::health::{LostOutcome, PasskeyTie};
    let h = Harness::start().await;
    let session = Arc::new(signed_in(&h, "gus").await);
    confirm(&session, "gus").await;
    let dir = tempfile::tempdir().unwrap();
    let app = assistant_on(&session, &dir, time::macros::date!(2026 - 12 - 05));

    // Before: push and the passkey are one iPhone, which holds everything.
    let info = session.security_info().await.unwrap();
    let health = app.health(&info).await.unwrap();
    assert_eq!(health.passkeys.len(), 1);
    assert_eq!(health.passkeys[0].tie, PasskeyTie::ByName);
    assert_eq!(health.passkeys[0].phone.as_deref(), Some("Gus's iPhone 12"));
    assert_eq!(health.independent_methods, 1);
    let lost = health.lost_phone.clone().unwrap();
    assert_eq!(lost.phone, "Gus's iPhone 12");
    assert_eq!(lost.outcome, LostOutcome::LockedOut);

    let journey = app.start_new_phone(false).await.unwrap();
    assert_eq!(
        journey.waiting(),
        Waiting::Register(Registration::Authenticator)
    );
    on_the_page(
        &h,
        "gus",
        SecurityInfoStep::AddAuthenticator {
            device_name: "Gus's iPhone 16".into(),
        },
    )
    .await;
    let journey = app.continue_journey().await.unwrap();
    assert!(matches!(
        journey.waiting(),
        Waiting::ConfirmWorks { method: Some(_) }
    ));
    // Push works on the new phone: next, its passkey, and nothing removed yet.
    let journey = app.answer(Answer::Works).await.unwrap();
    assert_eq!(
        journey.waiting(),
        Waiting::Register(Registration::AuthenticatorPasskey)
    );
    assert_eq!(writes(&h), 0, "nothing deleted before the passkey is there");
    // A security key is not what the step waits for.
    on_the_page(
        &h,
        "gus",
        SecurityInfoStep::AddSecurityKey {
            name: "Gus's YubiKey".into(),
        },
    )
    .await;
    let journey = app.continue_journey().await.unwrap();
    assert_eq!(
        journey.waiting(),
        Waiting::Register(Registration::AuthenticatorPasskey)
    );
    on_the_page(
        &h,
        "gus",
        SecurityInfoStep::AddAuthenticatorPasskey {
            platform: "ios".into(),
            device_name: "Gus's iPhone 16".into(),
        },
    )
    .await;
    let journey = app.continue_journey().await.unwrap();
    let Waiting::ConfirmWorks {
        method: Some(new_passkey),
    } = journey.waiting()
    else {
        panic!(
            "expected 'does the passkey work?', got {:?}",
            journey.waiting()
        );
    };
    // "It didn't work": both old registrations stay.
    let journey = app.answer(Answer::NotWorking).await.unwrap();
    assert!(matches!(journey.waiting(), Waiting::ConfirmWorks { .. }));
    assert_eq!(writes(&h), 0);
    let journey = app.answer(Answer::Works).await.unwrap();
    assert_eq!(journey.waiting(), Waiting::Finished);

    let info = session.security_info().await.unwrap();
    let ids: Vec<&str> = info.methods.iter().map(|m| m.id.as_str()).collect();
    assert!(!ids.contains(&GUS_OLD_APP), "{ids:?}");
    assert!(!ids.contains(&GUS_OLD_PASSKEY), "{ids:?}");
    assert!(ids.contains(&new_passkey.as_str()));
    assert!(
        info.methods
            .iter()
            .any(|m| m.kind.human_name() == Some("Gus's YubiKey")),
        "the security key was not the old phone's and stays"
    );
    assert_eq!(
        h.emulator.count(
            "DELETE",
            &format!("/v1.0/me/authentication/fido2Methods/{GUS_OLD_PASSKEY}")
        ),
        1
    );
    assert_eq!(
        h.emulator.count(
            "DELETE",
            &format!("/v1.0/me/authentication/microsoftAuthenticatorMethods/{GUS_OLD_APP}")
        ),
        1
    );
    // The order on record: both new registrations before either removal.
    let mut actions: Vec<String> = app
        .activity()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.reverse();
    assert_eq!(actions, ["registered", "registered", "remove", "remove"]);

    // After: the new passkey is on the new phone, by name.
    let health = app.health(&info).await.unwrap();
    let tie = health
        .passkeys
        .iter()
        .find(|p| p.passkey == new_passkey)
        .unwrap();
    assert_eq!(tie.phone.as_deref(), Some("Gus's iPhone 16"));
    assert_eq!(tie.tie, PasskeyTie::ByName);
    assert_eq!(health.lost_phone.unwrap().phone, "Gus's iPhone 16");
}

#[tokio::test]
async fn health_marks_sms_ending_by_the_apps_clock_and_remembers_same_phone_answers() {
    use mfa_core::health::{LostOutcome, Telephony};
    use time::macros::date;
    let h = Harness::start().await;

    // Farah: SMS only, in the public cloud.
    let farah = Arc::new(signed_in(&h, "farah").await);
    let dir = tempfile::tempdir().unwrap();
    let info = farah.security_info().await.unwrap();
    let before = assistant_on(&farah, &dir, date!(2027 - 01 - 31));
    let health = before.health(&info).await.unwrap();
    assert_eq!(health.independent_methods, 0);
    let ending = health.ending.unwrap();
    assert_eq!(ending.on, date!(2027 - 02 - 01));
    assert!(ending.only_way && !ending.ended);
    assert_eq!(
        health.lost_phone.unwrap().outcome,
        LostOutcome::LockedOut,
        "her phone is her SIM"
    );
    let after = assistant_on(&farah, &dir, date!(2027 - 02 - 01));
    assert!(after.health(&info).await.unwrap().ending.unwrap().ended);
    // With the organisation's own telecom provider, SMS counts and nothing ends.
    let own =
        assistant_on(&farah, &dir, date!(2027 - 06 - 01)).with_telephony(Telephony::OwnProvider);
    let health = own.health(&info).await.unwrap();
    assert_eq!((health.independent_methods, health.ending), (1, None));
    // A sovereign cloud: nothing said either.
    let gov =
        assistant_on(&farah, &dir, date!(2027 - 06 - 01)).with_telephony(Telephony::NotAnnounced);
    assert_eq!(gov.health(&info).await.unwrap().ending, None);

    // Adele: is her number on the Authenticator phone?
    let adele = Arc::new(signed_in(&h, "adele").await);
    let dir = tempfile::tempdir().unwrap();
    let app =
        assistant_on(&adele, &dir, date!(2026 - 12 - 05)).with_telephony(Telephony::NotAnnounced);
    let info = adele.security_info().await.unwrap();
    let health = app.health(&info).await.unwrap();
    assert_eq!(health.questions.len(), 1);
    assert_eq!(health.questions[0].number, "+1 4255550101");
    assert_eq!(health.questions[0].phone, "Adele's iPhone 13");
    assert_eq!(
        health.independent_methods, 1,
        "the same phone until she says"
    );

    // Something not on her account is refused, and nothing is written.
    for (number, phone) in [
        ("+1 4255550199", "Adele's iPhone 13"),
        ("+1 4255550101", "Pixel 9"),
    ] {
        let e = app
            .answer_same_phone(number, phone, false)
            .await
            .unwrap_err();
        assert!(matches!(e, JourneyError::Invalid(_)), "{e:?}");
    }
    assert!(!dir.path().join("same-phone.json").exists());

    app.answer_same_phone("+1 4255550101", "adele's iphone 13", false)
        .await
        .unwrap();
    // Remembered by another assistant over the same folder (a restart).
    let again =
        assistant_on(&adele, &dir, date!(2026 - 12 - 05)).with_telephony(Telephony::NotAnnounced);
    let health = again.health(&info).await.unwrap();
    assert!(health.questions.is_empty());
    assert_eq!(health.independent_methods, 2);
    assert_eq!(
        health.lost_phone.unwrap().outcome,
        LostOutcome::StillSignIn { devices: 1 }
    );
    // In the public cloud that other number helps only until February.
    let public = assistant_on(&adele, &dir, date!(2026 - 12 - 05));
    assert_eq!(
        public
            .health(&info)
            .await
            .unwrap()
            .lost_phone
            .unwrap()
            .outcome,
        LostOutcome::OnlyUntil {
            on: date!(2027 - 02 - 01)
        }
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("same-phone.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Changing her mind replaces the answer.
    app.answer_same_phone("+1 4255550101", "Adele's iPhone 13", true)
        .await
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("same-phone.json")).unwrap();
    assert_eq!(text.matches("4255550101").count(), 1, "{text}");
    assert_eq!(app.health(&info).await.unwrap().independent_methods, 1);
}

#[tokio::test]
async fn a_number_moving_to_another_phone_is_proven_before_the_old_one_goes() {
    let h = Harness::start().await;
    h.emulator.set_self_service_writes(true);
    let session = signed_in(&h, "chidi").await;
    confirm(&session, "chidi").await;
    let (_dir, store) = store();
    // Typed twice; a slip is caught before anything is sent.
    assert!(PhoneNumber::typed_twice("+1 2065550999", "+1 2065550998").is_err());
    let new = PhoneNumber::typed_twice("+1 206 555 0999", "+1 2065550999").unwrap();
    let info = session.security_info().await.unwrap();
    let mut journey =
        Journey::phone_number(&info, PhoneType::Office, &new, Some(PhoneType::Mobile)).unwrap();
    let office = MethodId::parse(PhoneType::Office.method_id()).unwrap();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ConfirmWorks {
            method: Some(office.clone())
        })
    );
    // The test failed: the old mobile stays, and the user is told so.
    journey.answer_works(false).unwrap();
    assert_eq!(journey.note(), Some(&Note::NotWorking));
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::ConfirmWorks {
            method: Some(office.clone())
        })
    );
    assert_eq!(
        h.emulator.count(
            "DELETE",
            &format!("/v1.0/me/authentication/phoneMethods/{MOBILE}")
        ),
        0
    );
    let info = session.security_info().await.unwrap();
    assert!(info.methods.iter().any(|m| m.id.as_str() == MOBILE));
    // It worked: only now does the old number go.
    journey.answer_works(true).unwrap();
    assert_eq!(
        journey.advance(&session, &store, Floor::DEFAULT).await,
        Ok(Waiting::Finished)
    );
    let info = session.security_info().await.unwrap();
    assert!(!info.methods.iter().any(|m| m.id.as_str() == MOBILE));
    assert!(info.methods.iter().any(|m| matches!(
        &m.kind,
        MethodKind::Phone { number, phone_type: PhoneType::Office } if number == "+1 2065550999"
    )));
}
