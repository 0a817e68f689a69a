//! Guided journeys: the risky changes to Security Info as resumable, ordered
//! steps ("add and prove the new before removing the old").
//!
//! A [`Journey`] is a plan (a list of typed [`Step`]s) and a cursor. It is
//! saved to disk after every step and before every change is sent, without
//! secrets, so the app can quit at any moment and continue at the same step.
//! Each step is safe to run again: a change is sent only after Graph shows it
//! is still needed (a removal whose method is already gone counts as done, so
//! a delete is never repeated), and every journey ends with a check against
//! Graph.
//!
//! The parts, each using only those before it:
//! - `step`: the typed steps, what a registration looks like, the note;
//! - `plan`: each journey's steps (the constructors) and the next suggestion;
//! - `store`: the journey file (its JSON shape kept since the first release)
//!   and the lock that serialises journeys across app windows;
//! - `activity`: the activity log and its CSV export;
//! - `engine`: [`Journey::advance`] runs steps until one needs the user or
//!   the journey ends; the only code that moves the cursor or changes a step
//!   (`tests/architecture.rs` checks this).
//!
//! What a journey waits for is [`Journey::waiting`], read from its state
//! alone: the engine answers with it, and the window shows it.

mod activity;
mod engine;
mod plan;
mod step;
mod store;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::guardrails::{Concern, Refusal};
use crate::security_info::{
    AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
};
use crate::session::SessionError;

pub use activity::{activity_csv, kind_name, ActivityEntry, CsvHeaders, Snapshot};
pub use plan::suggest_next;
pub use step::{concern_name, ConcernKind, Note, Registration, Step};
pub use store::{JourneyLock, JourneyStore};
#[cfg(feature = "fuzzing")]
pub(crate) use {
    activity::read_activity,
    store::{journey_bytes, read_journey},
};

/// Which journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JourneyKind {
    /// "I have a new phone": a new Authenticator first, the old one last.
    NewPhone,
    /// "My phone number changed."
    PhoneNumber,
    /// "Choose my default."
    ChooseDefault,
    /// "Get to three methods": register the suggested method.
    AddMethod,
    /// Remove one method, with the guardrails.
    RemoveMethod,
}

impl JourneyKind {
    /// A stable name for the UI's message catalogue (as in the journey file).
    pub fn name(self) -> &'static str {
        match self {
            JourneyKind::NewPhone => "newPhone",
            JourneyKind::PhoneNumber => "phoneNumber",
            JourneyKind::ChooseDefault => "chooseDefault",
            JourneyKind::AddMethod => "addMethod",
            JourneyKind::RemoveMethod => "removeMethod",
        }
    }
}

/// A journey in progress. Made by a plan ([`Journey::new_phone`]...) or read
/// from its file; only the engine changes it.
///
/// Invariant: `current <= steps.len()` (equal when finished).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journey {
    id: String,
    upn: String,
    kind: JourneyKind,
    started: OffsetDateTime,
    steps: Vec<Step>,
    /// Index of the current step; `steps.len()` when finished.
    current: usize,
    /// Set when the old phone is already gone (the new-phone journey says
    /// so and keeps the safe order).
    old_device_lost: bool,
    /// What the last attempt at the current step said, for the UI.
    note: Option<Note>,
    /// A method this journey was to remove was already gone (removed on the
    /// web, or by this app before a crash): nothing was deleted twice.
    removed_elsewhere: bool,
}

/// What the journey needs now, or that it is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// Confirm it's you in the browser, then continue.
    ConfirmIdentity,
    /// Register this on the Security Info page; the app keeps checking.
    Register(Registration),
    /// Say whether the new method (found by the step before) works.
    ConfirmWorks { method: Option<MethodId> },
    /// Read these concerns and accept them (or stop).
    AcceptConcerns(Vec<Concern>),
    /// The organisation does not let the app make this change: make it on the
    /// Security Info page; the app watches for it.
    UseSecurityInfoPage(Registration),
    /// Graph did not let the app set this default: choose it under "Change
    /// default" on the Security Info page; the app watches for it.
    ChangeDefaultOnPage(SecondaryMethod),
    /// Nothing from the user: the current step runs when the journey
    /// continues (it stopped at an error, such as Graph being busy).
    Continue,
    /// Every step is done and Graph shows the outcome.
    Finished,
}

impl Waiting {
    /// What it waits for, without the details (for logs: no phone number).
    pub fn name(&self) -> &'static str {
        match self {
            Waiting::ConfirmIdentity => "confirmIdentity",
            Waiting::Register(_) => "register",
            Waiting::ConfirmWorks { .. } => "confirmWorks",
            Waiting::AcceptConcerns(_) => "acceptConcerns",
            Waiting::UseSecurityInfoPage(_) => "useSecurityInfoPage",
            Waiting::ChangeDefaultOnPage(_) => "changeDefaultOnPage",
            Waiting::Continue => "continue",
            Waiting::Finished => "finished",
        }
    }
}

/// Why a step cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JourneyError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("{0}")]
    Refused(Refusal),
    #[error("the check against Graph failed: {0}")]
    NotVerified(String),
    #[error("journey state: {0}")]
    Storage(String),
    #[error("{0}")]
    Invalid(String),
    /// Another app window holds the journey lock.
    #[error("another MFA Assistant window is changing this account right now")]
    Busy,
}

impl Journey {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The account the journey changes.
    pub fn upn(&self) -> &str {
        &self.upn
    }

    pub fn kind(&self) -> JourneyKind {
        self.kind
    }

    pub fn started(&self) -> OffsetDateTime {
        self.started
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Index of the current step; `steps().len()` when finished.
    pub fn current(&self) -> usize {
        self.current
    }

    pub fn old_device_lost(&self) -> bool {
        self.old_device_lost
    }

    /// What the last attempt at the current step said.
    pub fn note(&self) -> Option<&Note> {
        self.note.as_ref()
    }

    pub fn removed_elsewhere(&self) -> bool {
        self.removed_elsewhere
    }

    pub fn is_finished(&self) -> bool {
        self.current >= self.steps.len()
    }

    /// What the journey waits for now, from its state alone (nothing is
    /// read or sent). A step the app runs by itself waits for nothing
    /// ([`Waiting::Continue`]) unless it raised concerns the user has not
    /// accepted yet.
    pub fn waiting(&self) -> Waiting {
        let Some(step) = self.steps.get(self.current) else {
            return Waiting::Finished;
        };
        match step {
            Step::ConfirmIdentity => Waiting::ConfirmIdentity,
            Step::Register {
                registration,
                found: None,
                ..
            } => match self.note {
                Some(Note::NotAllowed { .. }) => Waiting::UseSecurityInfoPage(registration.clone()),
                Some(Note::NotWorking) | None => Waiting::Register(registration.clone()),
            },
            Step::Register { found: Some(_), .. } => Waiting::Continue,
            Step::ConfirmWorks { method } => Waiting::ConfirmWorks {
                method: method.clone(),
            },
            Step::Remove {
                accepted, raised, ..
            } => {
                let unaccepted = raised
                    .iter()
                    .any(|c| !accepted.contains(&ConcernKind::of(c)));
                if unaccepted {
                    Waiting::AcceptConcerns(raised.clone())
                } else {
                    Waiting::Continue
                }
            }
            Step::SetDefault { choice } => match self.note {
                Some(Note::NotAllowed { .. }) => Waiting::ChangeDefaultOnPage(choice.clone()),
                Some(Note::NotWorking) | None => Waiting::Continue,
            },
            Step::AddPhone { .. } | Step::UpdatePhone { .. } | Step::Verify => Waiting::Continue,
        }
    }
}

/// The ids of every method the account has now (a `Register` step watches
/// for one that is not among them).
fn known_ids(info: &SecurityInfo) -> Vec<MethodId> {
    info.methods.iter().map(|m| m.id.clone()).collect()
}

/// The account's phone of type `t`, if it has one.
fn phone_of(info: &SecurityInfo, t: PhoneType) -> Option<&AuthMethod> {
    info.methods
        .iter()
        .find(|m| matches!(&m.kind, MethodKind::Phone { phone_type, .. } if *phone_type == t))
}

/// Test accounts the journey modules' unit tests share.
#[cfg(test)]
mod fixtures {
    use crate::security_info::{
        Account, AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
        SignInPreferences,
    };
    use time::macros::datetime;
    use time::OffsetDateTime;

    pub fn m(id: &str, kind: MethodKind, created: OffsetDateTime) -> AuthMethod {
        AuthMethod {
            id: MethodId::parse(id).unwrap(),
            created: Some(created),
            kind,
        }
    }

    pub fn app(id: &str, device: &str, created: OffsetDateTime) -> AuthMethod {
        m(
            id,
            MethodKind::MicrosoftAuthenticator {
                device_name: device.into(),
            },
            created,
        )
    }

    pub fn phone(t: PhoneType, number: &str) -> AuthMethod {
        m(
            t.method_id(),
            MethodKind::Phone {
                number: number.into(),
                phone_type: t,
            },
            datetime!(2024-01-01 0:00 UTC),
        )
    }

    pub fn info(methods: Vec<AuthMethod>, default: &str) -> SecurityInfo {
        SecurityInfo {
            account: Account {
                display_name: "Adele".into(),
                upn: "adele@contoso.example".into(),
            },
            methods,
            preferences: Some(SignInPreferences {
                user_preferred: Some(SecondaryMethod::from_graph(default)),
                system_preferred_enabled: false,
                system_preferred: None,
            }),
        }
    }

    pub fn adele() -> SecurityInfo {
        info(
            vec![
                app("old-app", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                phone(PhoneType::Mobile, "+44 7700900123"),
            ],
            "push",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guardrails::PhoneNumber;
    use crate::security_info::SecondaryMethod;

    fn id(s: &str) -> MethodId {
        MethodId::parse(s).unwrap()
    }

    fn number() -> PhoneNumber {
        PhoneNumber::parse("+44 7700900555").unwrap()
    }

    fn phone_registration() -> Registration {
        Registration::Phone {
            phone_type: PhoneType::Office,
            number: number(),
        }
    }

    fn below() -> Concern {
        Concern::BelowRecommended {
            after: 1,
            recommended: 3,
        }
    }

    fn remove(accepted: Vec<ConcernKind>, raised: Vec<Concern>) -> Step {
        Step::Remove {
            id: id("old-app"),
            replaced_by_new: false,
            accepted,
            raised,
        }
    }

    /// A journey of the one step `step`, at it, with `note`.
    fn at(step: Step, note: Option<Note>) -> Journey {
        let mut j = Journey::add_method(&fixtures::adele(), Registration::SecurityKey);
        j.steps = vec![step, Step::Verify];
        j.current = 0;
        j.note = note;
        j
    }

    #[test]
    fn waiting_reads_what_the_current_step_needs_from_the_user() {
        let not_allowed = || {
            Some(Note::NotAllowed {
                reason: "Forbidden".into(),
            })
        };
        let cases = [
            (at(Step::ConfirmIdentity, None), Waiting::ConfirmIdentity),
            (
                at(
                    Step::Register {
                        registration: Registration::Authenticator,
                        known_ids: vec![id("old-app")],
                        found: None,
                    },
                    None,
                ),
                Waiting::Register(Registration::Authenticator),
            ),
            // The organisation refused the app's write: the page takes over.
            (
                at(
                    Step::Register {
                        registration: phone_registration(),
                        known_ids: vec![],
                        found: None,
                    },
                    not_allowed(),
                ),
                Waiting::UseSecurityInfoPage(phone_registration()),
            ),
            // Found, not moved on yet: nothing more from the user.
            (
                at(
                    Step::Register {
                        registration: Registration::SecurityKey,
                        known_ids: vec![],
                        found: Some(id("key-1")),
                    },
                    None,
                ),
                Waiting::Continue,
            ),
            (
                at(
                    Step::ConfirmWorks {
                        method: Some(id("new-app")),
                    },
                    None,
                ),
                Waiting::ConfirmWorks {
                    method: Some(id("new-app")),
                },
            ),
            (
                at(
                    Step::ConfirmWorks {
                        method: Some(id("new-app")),
                    },
                    Some(Note::NotWorking),
                ),
                Waiting::ConfirmWorks {
                    method: Some(id("new-app")),
                },
            ),
            (
                at(Step::ConfirmWorks { method: None }, None),
                Waiting::ConfirmWorks { method: None },
            ),
            // Steps the app runs by itself wait for nothing: never "confirm
            // it's you" (which the window used to assume).
            (
                at(
                    Step::SetDefault {
                        choice: SecondaryMethod::Push,
                    },
                    None,
                ),
                Waiting::Continue,
            ),
            (
                at(
                    Step::AddPhone {
                        phone_type: PhoneType::Office,
                        number: number(),
                    },
                    None,
                ),
                Waiting::Continue,
            ),
            (
                at(
                    Step::UpdatePhone {
                        phone_type: PhoneType::Mobile,
                        number: number(),
                    },
                    None,
                ),
                Waiting::Continue,
            ),
            (at(remove(vec![], vec![]), None), Waiting::Continue),
            (
                at(remove(vec![], vec![below(), Concern::SingleDevice]), None),
                Waiting::AcceptConcerns(vec![below(), Concern::SingleDevice]),
            ),
            // Accepting one of two is not accepting them.
            (
                at(
                    remove(
                        vec![ConcernKind::BelowRecommended],
                        vec![below(), Concern::SingleDevice],
                    ),
                    None,
                ),
                Waiting::AcceptConcerns(vec![below(), Concern::SingleDevice]),
            ),
            (
                at(
                    remove(
                        vec![ConcernKind::BelowRecommended, ConcernKind::SingleDevice],
                        vec![below(), Concern::SingleDevice],
                    ),
                    None,
                ),
                Waiting::Continue,
            ),
            (at(Step::Verify, None), Waiting::Continue),
        ];
        for (journey, expected) in cases {
            assert_eq!(
                journey.waiting(),
                expected,
                "{:?} note {:?}",
                journey.steps[0],
                journey.note
            );
        }
    }

    #[test]
    fn waiting_is_finished_past_the_last_step_only() {
        let mut j = at(Step::Verify, None);
        j.current = 1;
        assert_eq!(j.waiting(), Waiting::Continue);
        assert!(!j.is_finished());
        j.current = 2;
        assert_eq!(j.waiting(), Waiting::Finished);
        assert!(j.is_finished());
    }

    #[test]
    fn waiting_follows_the_users_answers_without_reading_graph() {
        let mut j = Journey::new_phone(&fixtures::adele(), false);
        assert_eq!(j.waiting(), Waiting::ConfirmIdentity);
        j.current = 2;
        assert_eq!(j.waiting(), Waiting::ConfirmWorks { method: None });
        j.answer_works(false).unwrap();
        assert_eq!(j.waiting(), Waiting::ConfirmWorks { method: None });
        assert_eq!(j.note(), Some(&Note::NotWorking));
        j.answer_works(true).unwrap();
        assert_eq!(j.waiting(), Waiting::Continue, "setting the default");
        j.current = 4;
        if let Step::Remove { raised, .. } = &mut j.steps[4] {
            *raised = vec![Concern::SingleDevice];
        }
        assert_eq!(
            j.waiting(),
            Waiting::AcceptConcerns(vec![Concern::SingleDevice])
        );
        j.accept_concerns(&[Concern::SingleDevice]).unwrap();
        assert_eq!(j.waiting(), Waiting::Continue);
    }

    #[test]
    fn kinds_have_the_names_the_file_and_the_window_use() {
        for kind in [
            JourneyKind::NewPhone,
            JourneyKind::PhoneNumber,
            JourneyKind::ChooseDefault,
            JourneyKind::AddMethod,
            JourneyKind::RemoveMethod,
        ] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.name())
            );
        }
    }
}
