//! Entra account recovery, emulated, over real HTTP: the scripted browser
//! presents the names "on the ID" at `/account-recovery`; a match issues a
//! real Temporary Access Pass that signs in, and the owner hears of it at
//! their other address; a mismatch is refused and changes nothing.

mod common;

use common::*;
use reqwest::StatusCode;
use tenant_emulator::browser::{self, BrowserAction, BrowserScript, RecoveryReport, RecoveryStep};
use tenant_emulator::{Emulator, RecoveryOutcome};

const DANA: &str = "dana@contoso-demo.example";
const DANA_HOME: &str = "dana.whitlock@home.example";

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn recovery_url(emulator: &Emulator) -> url::Url {
    emulator.base_url().join("account-recovery").unwrap()
}

async fn present(
    emulator: &Emulator,
    user: &str,
    given: &str,
    surname: &str,
) -> AnyResult<RecoveryReport> {
    let script = BrowserScript::demo_user(user, BrowserAction::SignIn)
        .trusting(emulator.ca_certificate_pem());
    let step = RecoveryStep {
        given_name: given.into(),
        surname: surname.into(),
    };
    Ok(browser::recover_account(&recovery_url(emulator), &script, &step).await?)
}

/// Signs in with `code` as a pass through the authorize page; the token
/// exchange's status.
async fn pass_signs_in(emulator: &Emulator, upn: &str, code: &str) -> AnyResult<StatusCode> {
    let (outcome, app, pkce) = sign_in_with_pass(emulator, upn, code, APP_SCOPES).await?;
    let (status, _) = redeem_code(emulator, &outcome, &app, &pkce, APP_SCOPES).await?;
    Ok(status)
}

#[tokio::test]
async fn a_matching_name_gets_a_pass_that_signs_in_and_the_owner_hears_of_it() -> AnyResult<()> {
    let emulator = start().await;
    let before = emulator.method_ids(DANA);

    let report = present(&emulator, "dana", "Dana", "Whitlock").await?;
    let code = report
        .temporary_access_pass
        .clone()
        .ok_or_else(|| format!("no pass shown: {}", report.page_text))?;
    assert_eq!(report.refusal, None);
    assert!(
        report.page_text.contains("emulated account recovery"),
        "{}",
        report.page_text
    );
    assert!(
        report.page_text.contains("I have a Temporary Access Pass"),
        "{}",
        report.page_text
    );

    // A real pass in the tenant: one new method, recorded with the code shown.
    let after = emulator.method_ids(DANA);
    assert_eq!(after.len(), before.len() + 1, "{before:?} -> {after:?}");
    let attempts = emulator.account_recoveries();
    assert_eq!(attempts.len(), 1);
    assert_eq!(
        attempts[0].outcome,
        RecoveryOutcome::Recovered {
            temporary_access_pass: code.clone()
        }
    );

    // The owner is told at the address the person recovering does not hold
    // through this flow, with how to dispute it, and without the pass.
    let mail = emulator.mail_messages();
    let notices: Vec<_> = mail.iter().filter(|m| m.mailbox == DANA_HOME).collect();
    assert_eq!(notices.len(), 1, "{mail:?}");
    let notice = notices[0];
    assert!(notice.external);
    assert!(
        notice.subject.contains(DANA) && notice.subject.contains("recovered"),
        "{}",
        notice.subject
    );
    assert!(
        notice.body.contains("If this wasn't you"),
        "{}",
        notice.body
    );
    assert!(
        !notice.body.contains(&code),
        "the notice never carries the pass"
    );
    assert!(
        !mail.iter().any(|m| m.mailbox.eq_ignore_ascii_case(DANA)),
        "not (only) to the work mailbox the recovered account now opens"
    );

    // The pass signs Dana in, though her phone is lost.
    assert_eq!(pass_signs_in(&emulator, DANA, &code).await?, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_name_that_differs_is_refused_and_changes_nothing() -> AnyResult<()> {
    let emulator = start().await;
    let before = emulator.method_ids(DANA);
    for (given, surname) in [
        ("Dana", "Whitlok"),
        ("dana", "whitlock"),
        ("Dana", "Whitlock-Reyes"),
    ] {
        let report = present(&emulator, "dana", given, surname).await?;
        assert_eq!(report.temporary_access_pass, None, "{given} {surname}");
        let refusal = report.refusal.unwrap_or_default();
        assert!(
            refusal.contains("The names differ") && refusal.contains(&format!("{given} {surname}")),
            "{refusal}"
        );
        assert!(
            report.page_text.contains(
                "No Temporary Access Pass was issued and nothing on your account changed"
            ),
            "{}",
            report.page_text
        );
    }
    assert_eq!(emulator.method_ids(DANA), before, "no pass, no change");
    assert!(
        emulator.mail_messages().is_empty(),
        "no notice for a refusal"
    );
    let outcomes: Vec<_> = emulator
        .account_recoveries()
        .into_iter()
        .map(|a| a.outcome)
        .collect();
    assert_eq!(outcomes, vec![RecoveryOutcome::NameMismatch; 3]);
    Ok(())
}

#[tokio::test]
async fn a_failed_face_check_or_a_form_from_another_site_is_refused() -> AnyResult<()> {
    let emulator = start().await;
    let before = emulator.method_ids(DANA);
    let client = client_for(&emulator);
    let url = recovery_url(&emulator);
    // The face check box left unticked: the names alone do not recover.
    let response = client
        .post(url.clone())
        .form(&[
            ("upn", DANA),
            ("given_name", "Dana"),
            ("surname", "Whitlock"),
        ])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await?;
    assert!(page.contains("The face check did not match"), "{page}");
    // Posted from another site.
    let response = client
        .post(url)
        .header("Origin", "https://evil.example")
        .form(&[
            ("upn", DANA),
            ("given_name", "Dana"),
            ("surname", "Whitlock"),
            ("face_check", "passed"),
        ])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(emulator.method_ids(DANA), before);
    assert!(emulator.mail_messages().is_empty());
    assert_eq!(
        emulator
            .account_recoveries()
            .into_iter()
            .map(|a| a.outcome)
            .collect::<Vec<_>>(),
        vec![RecoveryOutcome::FaceCheckFailed]
    );
    Ok(())
}
