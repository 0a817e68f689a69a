//! Property tests of the journeys against the tenant emulator over real
//! HTTP: random sequences of what a user does (start a journey, confirm
//! it's them, register on the Security Info page, say a new method works or
//! not, accept concerns, continue, give up), of removals made elsewhere (on
//! the emulator's Security Info page, between two of the app's steps) and of
//! crashes (the Assistant and its session dropped mid-journey; a new
//! session restored from the keychain and the journey from its file) never
//! leave the account without a working method, never send a delete for a
//! method twice or for one already gone, and never remove the old phone's
//! Authenticator before the user said the new one works, nor an old phone
//! number before the new one is there.
//!
//! Each case starts its own emulator, so the cases are few; each one plays
//! a whole sequence.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::{Harness, ScriptedBrowser};
use mfa_core::assistant::{Answer, Assistant};
use mfa_core::guardrails::{Floor, PhoneNumber};
use mfa_core::journey::{
    Journey, JourneyError, JourneyKind, JourneyStore, Registration, Step, Waiting,
};
use mfa_core::security_info::{MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo};
use mfa_core::session::{Session, SessionError};
use proptest::prelude::*;
use tenant_emulator::browser::{self, BrowserAction, BrowserScript, SecurityInfoStep};

const USER: &str = "chidi";
const UPN: &str = "chidi@contoso-demo.example";

#[derive(Debug, Clone)]
enum Action {
    StartNewPhone,
    /// Remove the n-th method the account has now.
    StartRemove(usize),
    StartChooseDefault(SecondaryMethod),
    StartPhoneNumber(PhoneType, Option<PhoneType>),
    ConfirmIdentity,
    /// Do on the Security Info page what the journey waits for (register
    /// the method it asks for), as the user would.
    DoOnThePage,
    Works(bool),
    AcceptConcerns,
    Continue,
    End,
    /// Someone removes the n-th deletable method on the Security Info page.
    RemoveElsewhere(usize),
    /// The app is killed between two steps and started again.
    Crash,
    /// Whatever the journey waits for, as a willing user does it: confirm,
    /// register on the page, "it works", accept, continue.
    Respond,
}

fn phone_type() -> impl Strategy<Value = PhoneType> {
    prop::sample::select(vec![
        PhoneType::Mobile,
        PhoneType::AlternateMobile,
        PhoneType::Office,
    ])
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        2 => Just(Action::StartNewPhone),
        2 => (0usize..8).prop_map(Action::StartRemove),
        1 => prop::sample::select(vec![
            SecondaryMethod::Push,
            SecondaryMethod::Sms,
            SecondaryMethod::VoiceMobile,
            SecondaryMethod::VoiceOffice,
        ])
        .prop_map(Action::StartChooseDefault),
        1 => (phone_type(), prop::option::of(phone_type()))
            .prop_map(|(t, r)| Action::StartPhoneNumber(t, r.filter(|r| *r != t))),
        3 => Just(Action::ConfirmIdentity),
        3 => Just(Action::DoOnThePage),
        3 => any::<bool>().prop_map(Action::Works),
        2 => Just(Action::AcceptConcerns),
        3 => Just(Action::Continue),
        1 => Just(Action::End),
        2 => (0usize..8).prop_map(Action::RemoveElsewhere),
        2 => Just(Action::Crash),
        8 => Just(Action::Respond),
    ]
}

/// The app as the user has it open: a session and an Assistant over the
/// journey folder.
struct App {
    session: Arc<Session>,
    assistant: Assistant,
}

fn open_app(h: &Harness, session: Session, dir: &std::path::Path) -> App {
    let session = Arc::new(session);
    let assistant = Assistant::new(
        session.clone(),
        JourneyStore::new(dir),
        Floor::DEFAULT,
        "https://mysignins.example/security-info".parse().unwrap(),
    )
    .with_browser(ScriptedBrowser::new(
        USER,
        BrowserAction::SignIn,
        h.ca_pem(),
    ));
    App { session, assistant }
}

/// What the test remembers of the journey in progress, across crashes.
#[derive(Debug, Default)]
struct Model {
    kind: Option<JourneyKind>,
    /// The Authenticator a new-phone journey removes last.
    old_authenticator: Option<MethodId>,
    /// The user said the new Authenticator works (in this journey).
    proven: bool,
    /// A phone-number journey moving the number from this type to `new_type`.
    replaced: Option<(PhoneType, PhoneType)>,
    phone_numbers: usize,
}

impl Model {
    fn started(&mut self, journey: &Journey) {
        *self = Model {
            phone_numbers: self.phone_numbers,
            kind: Some(journey.kind()),
            ..Model::default()
        };
        if journey.kind() == JourneyKind::NewPhone {
            self.old_authenticator = journey.steps().iter().find_map(|s| match s {
                Step::Remove { id, .. } => Some(id.clone()),
                _ => None,
            });
        }
    }
}

/// The fixed id of each phone type's method (Graph's, as the emulator has them).
fn phone_id(t: PhoneType) -> &'static str {
    t.method_id()
}

/// The account's methods, read straight from Graph with the app's session.
async fn methods(session: &Session) -> SecurityInfo {
    session
        .security_info()
        .await
        .expect("Graph shows the account")
}

/// Every DELETE the app sent to Graph, by path, with its statuses.
fn deletes(h: &Harness) -> HashMap<String, Vec<u16>> {
    let mut out: HashMap<String, Vec<u16>> = HashMap::new();
    for r in h.emulator.request_log() {
        if r.method == "DELETE" && r.path.contains("/authentication/") {
            out.entry(r.path).or_default().push(r.status);
        }
    }
    out
}

async fn on_the_page(h: &Harness, step: SecurityInfoStep) {
    let url = browser::security_info_url(&h.emulator.base_url(), UPN);
    // The page may refuse (e.g. the default method); that is the page's rule.
    let _ = browser::run(
        &url,
        &BrowserScript::demo_user(USER, BrowserAction::SignIn)
            .trusting(h.ca_pem())
            .with_security_info(step),
    )
    .await;
}

/// What the user does on the page for `registration`.
fn page_step(registration: &Registration, n: usize) -> SecurityInfoStep {
    match registration {
        Registration::Authenticator => SecurityInfoStep::AddAuthenticator {
            device_name: format!("Pixel {}", 9 + n),
        },
        Registration::AuthenticatorPasskey => SecurityInfoStep::AddAuthenticatorPasskey {
            platform: "android".into(),
            device_name: format!("Pixel {}", 9 + n),
        },
        Registration::AuthenticatorApp => SecurityInfoStep::AddTotp {
            name: format!("Codes {n}"),
        },
        Registration::SecurityKey => SecurityInfoStep::AddSecurityKey {
            name: format!("Key {n}"),
        },
        Registration::Phone { phone_type, number } => SecurityInfoStep::AddPhone {
            phone_type: phone_type.as_graph().into(),
            number: number.as_str().into(),
        },
    }
}

/// What a sequence did, so a test can tell it exercised something.
#[derive(Debug, Default)]
struct Played {
    /// Deletes the app sent that Graph carried out.
    deletes: usize,
    /// Journeys that reached `Finished`.
    finished: usize,
}

async fn play(actions: Vec<Action>, self_service_writes: bool) -> Played {
    let h = Harness::start().await;
    h.emulator.set_self_service_writes(self_service_writes);
    let dir = tempfile::tempdir().unwrap();
    let first = h.session();
    first
        .sign_in_with_browser(ScriptedBrowser::new(
            USER,
            BrowserAction::SignIn,
            h.ca_pem(),
        ))
        .await
        .expect("signed in");
    let mut app = open_app(&h, first, dir.path());
    let mut model = Model::default();
    let mut done = Vec::new();
    let mut played = Played::default();
    // The last answer asked the user to confirm it's them (a change after
    // a restart: confirmation lasts one app run).
    let mut asked_to_confirm = false;

    for (n, action) in actions.into_iter().enumerate() {
        let before = methods(&app.session).await;
        let deletes_before = deletes(&h);
        let waiting = app
            .assistant
            .current_journey()
            .await
            .ok()
            .flatten()
            .map(|j| j.waiting());
        let asked = asked_to_confirm || waiting == Some(Waiting::ConfirmIdentity);
        let action = match (action, &waiting) {
            (Action::Respond, _) if asked => Action::ConfirmIdentity,
            (
                Action::Respond,
                Some(
                    Waiting::Register(_)
                    | Waiting::UseSecurityInfoPage(_)
                    | Waiting::ChangeDefaultOnPage(_),
                ),
            ) => Action::DoOnThePage,
            (Action::Respond, Some(Waiting::ConfirmWorks { .. })) => Action::Works(true),
            (Action::Respond, Some(Waiting::AcceptConcerns(_))) => Action::AcceptConcerns,
            (Action::Respond, _) => Action::Continue,
            (action, _) => action,
        };
        let outcome: Option<Result<Journey, JourneyError>> = match &action {
            Action::StartNewPhone => Some(app.assistant.start_new_phone(false).await),
            Action::StartRemove(i) => {
                let m = &before.methods[i % before.methods.len()];
                Some(app.assistant.remove_method(&m.id).await)
            }
            Action::StartChooseDefault(choice) => Some(app.assistant.choose_default(choice).await),
            Action::StartPhoneNumber(t, replacing) => {
                model.phone_numbers += 1;
                let number =
                    PhoneNumber::parse(&format!("+44 77009{:05}", model.phone_numbers)).unwrap();
                Some(
                    app.assistant
                        .change_phone_number(*t, &number, *replacing)
                        .await,
                )
            }
            // Only when asked: the browser round trip is the slowest action.
            Action::ConfirmIdentity if asked => {
                let _ = app.assistant.confirm_identity().await;
                Some(app.assistant.continue_journey().await)
            }
            Action::ConfirmIdentity => None,
            Action::DoOnThePage => {
                match &waiting {
                    Some(Waiting::Register(r)) | Some(Waiting::UseSecurityInfoPage(r)) => {
                        on_the_page(&h, page_step(r, n)).await
                    }
                    Some(Waiting::ChangeDefaultOnPage(choice)) => {
                        on_the_page(
                            &h,
                            SecurityInfoStep::SetDefault {
                                method: choice.as_graph(),
                            },
                        )
                        .await
                    }
                    _ => {}
                }
                Some(app.assistant.continue_journey().await)
            }
            Action::Works(works) => {
                let answer = if *works {
                    Answer::Works
                } else {
                    Answer::NotWorking
                };
                let result = app.assistant.answer(answer).await;
                // Said at the question, the answer is the user's, even if
                // the steps after it stopped (e.g. to confirm it's them).
                let at_the_question = matches!(waiting, Some(Waiting::ConfirmWorks { .. }))
                    && !matches!(result, Err(JourneyError::Invalid(_)));
                if *works && at_the_question && model.kind == Some(JourneyKind::NewPhone) {
                    model.proven = true;
                }
                // Answered, the journey may run on (and remove) at once:
                // checked below with the model as it is now.
                Some(result)
            }
            Action::AcceptConcerns => Some(app.assistant.answer(Answer::AcceptConcerns).await),
            Action::Continue => Some(app.assistant.continue_journey().await),
            Action::End => {
                let _ = app.assistant.end_journey().await;
                model = Model {
                    phone_numbers: model.phone_numbers,
                    ..Model::default()
                };
                None
            }
            Action::RemoveElsewhere(i) => {
                let deletable: Vec<_> = before
                    .methods
                    .iter()
                    .filter(|m| m.kind.deletable_collection().is_some())
                    .collect();
                let mfa = before
                    .methods
                    .iter()
                    .filter(|m| m.kind.counts_for_mfa())
                    .count();
                if let Some(m) = deletable.get(i % deletable.len().max(1)) {
                    // Whoever removes it elsewhere keeps one working method.
                    if !(m.kind.counts_for_mfa() && mfa <= 1) {
                        on_the_page(
                            &h,
                            SecurityInfoStep::Delete {
                                collection: m.kind.deletable_collection().unwrap().into(),
                                id: m.id.as_str().into(),
                            },
                        )
                        .await;
                    }
                }
                None
            }
            Action::Respond => unreachable!("mapped above"),
            Action::Crash => {
                // Killed: nothing in memory survives; the keychain and the
                // journey file do.
                drop(app);
                let session = h.session();
                session.restore().await.expect("restored from the keychain");
                app = open_app(&h, session, dir.path());
                // An answer not saved before the crash is asked again.
                if let Ok(Some(j)) = app.assistant.current_journey().await {
                    if model.kind == Some(JourneyKind::NewPhone)
                        && matches!(j.waiting(), Waiting::ConfirmWorks { .. })
                    {
                        model.proven = false;
                    }
                }
                None
            }
        };
        if let Some(result) = &outcome {
            asked_to_confirm = matches!(
                result,
                Err(JourneyError::Session(SessionError::FreshSignInNeeded(_)))
            );
        }
        if let Some(Ok(journey)) = &outcome {
            if journey.waiting() == Waiting::Finished {
                played.finished += 1;
            }
            let starting = matches!(
                action,
                Action::StartNewPhone
                    | Action::StartRemove(_)
                    | Action::StartChooseDefault(_)
                    | Action::StartPhoneNumber(..)
            );
            if starting {
                model.started(journey);
                if let Action::StartPhoneNumber(t, Some(r)) = action {
                    model.replaced = Some((r, t));
                }
            }
        }
        done.push(format!(
            "{action:?} -> {:?}",
            outcome.map(|o| o.map(|j| j.waiting()))
        ));

        // ---- the properties, after every action ----
        let after = methods(&app.session).await;
        let trail = || done.join("\n  ");
        assert!(
            after.methods.iter().any(|m| m.kind.counts_for_mfa()),
            "the account kept a working method; after:\n  {}\nmethods: {:?}",
            trail(),
            after.methods
        );
        let deletes_now = deletes(&h);
        for (path, statuses) in &deletes_now {
            let succeeded = statuses.iter().filter(|s| (200..300).contains(*s)).count();
            assert!(
                succeeded <= 1,
                "{path} deleted twice; after:\n  {}",
                trail()
            );
            assert!(
                !statuses.contains(&404),
                "a delete was sent for a method already gone ({path}); after:\n  {}",
                trail()
            );
        }
        let new_deletes: Vec<&String> = deletes_now
            .iter()
            .filter(|(p, s)| {
                s.iter().any(|s| (200..300).contains(s))
                    && deletes_before
                        .get(*p)
                        .is_none_or(|b| !b.iter().any(|s| (200..300).contains(s)))
            })
            .map(|(p, _)| p)
            .collect();
        played.deletes += new_deletes.len();
        for path in new_deletes {
            if let Some(old) = &model.old_authenticator {
                if path.ends_with(&format!("/{}", old.as_str())) {
                    assert!(
                        model.proven,
                        "the old Authenticator went before the new one was proven; after:\n  {}",
                        trail()
                    );
                }
            }
            if let Some((old_type, new_type)) = model.replaced {
                if path.ends_with(&format!("/{}", phone_id(old_type))) {
                    assert!(
                        after.methods.iter().any(|m| matches!(
                            &m.kind,
                            MethodKind::Phone { phone_type, .. } if *phone_type == new_type
                        )),
                        "the old number went before the new one was there; after:\n  {}",
                        trail()
                    );
                }
            }
        }
    }
    // Shown when a test fails (the harness captures it otherwise).
    eprintln!("played:\n  {}", done.join("\n  "));
    played
}

/// A sequence known to remove something: the new-phone journey through to
/// the end, with a crash after the new Authenticator is registered and a
/// removal made elsewhere in between. It shows the harness drives real
/// deletes that the properties then watch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_phone_with_a_crash_and_a_removal_elsewhere_removes_the_old_once() {
    let mut actions = vec![
        Action::StartNewPhone,
        Action::Respond, // confirm it's you
        Action::Respond, // register the new Authenticator on the page
        Action::Crash,
        Action::RemoveElsewhere(1),
        Action::Works(false),
        Action::Crash,
    ];
    actions.extend(std::iter::repeat_n(Action::Respond, 6));
    let played = play(actions, false).await;
    assert!(played.finished >= 1, "{played:?}");
    assert!(played.deletes >= 1, "{played:?}");
}

proptest! {
    // Each case is a fresh tenant and a whole sequence over real HTTP.
    #![proptest_config(ProptestConfig {
        cases: 10,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn journeys_removals_elsewhere_and_crashes_never_strand_the_account(
        actions in prop::collection::vec(action(), 4..18),
        self_service_writes in any::<bool>(),
    ) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(play(actions, self_service_writes));
        // What the case did is not asserted: many random sequences do
        // nothing, and the fixed test above shows deletes are watched.
    }
}
