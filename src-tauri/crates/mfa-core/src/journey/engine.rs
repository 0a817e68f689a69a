//! The engine: runs a journey's steps until one needs the user or the
//! journey ends. This is the only code that moves a journey's cursor or
//! changes its steps (`tests/architecture.rs` checks so).
//!
//! Each step is one method that reads Graph first and sends a change only
//! if it is still needed, so running a step again after a crash or an error
//! never repeats a change.

use time::OffsetDateTime;

use super::{
    known_ids, phone_of, ActivityEntry, ConcernKind, Journey, JourneyError, JourneyStore, Note,
    Registration, Snapshot, Step, Waiting,
};
use crate::guardrails::{self, Concern, Floor, PhoneNumber, PlannedChange, Refusal, Verdict};
use crate::health;
use crate::security_info::{
    AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
};
use crate::session::{Changed, MethodChange, Session, SessionError};

/// What running one step did.
enum Ran {
    /// The step is done: the journey moves to the next one.
    Done,
    /// The step waits for the user; [`Journey::waiting`] says for what.
    Waits,
}

/// What every step runs with.
struct Context<'a> {
    session: &'a Session,
    store: &'a JourneyStore,
    floor: Floor,
    /// How the guardrails count (the health view's context), or the
    /// account's rows alone.
    counting: Option<&'a health::Context>,
}

/// A guardrail's refusal as an error; concerns are the caller's to weigh.
fn refuse_if_refused(
    info: &SecurityInfo,
    change: &PlannedChange,
    floor: Floor,
) -> Result<(), JourneyError> {
    match guardrails::check(info, change, floor) {
        Verdict::Refuse(r) => Err(JourneyError::Refused(r)),
        Verdict::Confirm(_) | Verdict::Go => Ok(()),
    }
}

/// Whether `m` is the phone of type `t` with `number`.
fn shows_phone(m: &AuthMethod, t: PhoneType, number: &PhoneNumber) -> bool {
    matches!(&m.kind, MethodKind::Phone { number: n, phone_type } if *phone_type == t && n == number.as_str())
}

impl Journey {
    /// Runs steps until one needs the user or the journey ends, and answers
    /// with [`Journey::waiting`]. The journey is saved after each step and
    /// before each change is sent. On an error the journey stays at the
    /// step that failed, so continuing runs it again.
    pub async fn advance(
        &mut self,
        session: &Session,
        store: &JourneyStore,
        floor: Floor,
    ) -> Result<Waiting, JourneyError> {
        self.advance_counted(session, store, floor, None).await
    }

    /// [`Journey::advance`] with removals weighed as the health view counts
    /// in `counting` ([`guardrails::check_counted`]).
    pub async fn advance_counted(
        &mut self,
        session: &Session,
        store: &JourneyStore,
        floor: Floor,
        counting: Option<&health::Context>,
    ) -> Result<Waiting, JourneyError> {
        let cx = Context {
            session,
            store,
            floor,
            counting,
        };
        loop {
            store.save(self)?;
            let Some(step) = self.steps.get(self.current).cloned() else {
                return Ok(Waiting::Finished);
            };
            match self.run(step, &cx).await? {
                Ran::Waits => {
                    store.save(self)?;
                    return Ok(self.waiting());
                }
                Ran::Done => {
                    self.note = None;
                    self.current += 1;
                }
            }
        }
    }

    /// The user's answer to `ConfirmWorks`: `true` moves on; `false` keeps the
    /// journey at the step with a note (nothing is removed).
    pub fn answer_works(&mut self, works: bool) -> Result<(), JourneyError> {
        match self.steps.get(self.current) {
            Some(Step::ConfirmWorks { .. }) if works => {
                self.note = None;
                self.current += 1;
                Ok(())
            }
            Some(Step::ConfirmWorks { .. }) => {
                self.note = Some(Note::NotWorking);
                Ok(())
            }
            _ => Err(JourneyError::Invalid(
                "the journey is not asking whether the new method works".into(),
            )),
        }
    }

    /// The concerns the guardrails raise now about the current removal step
    /// (what the user is asked to accept); empty at any other step.
    pub fn pending_concerns(
        &self,
        info: &SecurityInfo,
        floor: Floor,
        counting: Option<&health::Context>,
    ) -> Result<Vec<Concern>, JourneyError> {
        let Some(Step::Remove {
            id,
            replaced_by_new,
            ..
        }) = self.steps.get(self.current)
        else {
            return Ok(Vec::new());
        };
        let Some(method) = info.methods.iter().find(|m| &m.id == id) else {
            return Ok(Vec::new());
        };
        let change = self.planned_removal(method, *replaced_by_new)?;
        Ok(
            match guardrails::check_counted(info, &change, floor, counting) {
                Verdict::Confirm(concerns) => concerns,
                Verdict::Go | Verdict::Refuse(_) => Vec::new(),
            },
        )
    }

    /// The user accepts the concerns shown for the current removal.
    pub fn accept_concerns(&mut self, concerns: &[Concern]) -> Result<(), JourneyError> {
        match self.steps.get_mut(self.current) {
            Some(Step::Remove { accepted, .. }) => {
                *accepted = concerns.iter().map(ConcernKind::of).collect();
                Ok(())
            }
            _ => Err(JourneyError::Invalid(
                "the journey is not asking to accept a removal".into(),
            )),
        }
    }

    /// Runs one step: done, or waiting for the user.
    async fn run(&mut self, step: Step, cx: &Context<'_>) -> Result<Ran, JourneyError> {
        match step {
            Step::ConfirmIdentity => Ok(if cx.session.can_change().await {
                Ran::Done
            } else {
                Ran::Waits
            }),
            Step::Register { found: Some(_), .. } => Ok(Ran::Done),
            Step::Register {
                registration,
                known_ids,
                found: None,
            } => self.watch_for(&registration, &known_ids, cx).await,
            Step::ConfirmWorks { .. } => Ok(Ran::Waits),
            Step::SetDefault { choice } => self.set_default(choice, cx).await,
            Step::AddPhone { phone_type, number } => self.add_phone(phone_type, number, cx).await,
            Step::UpdatePhone { phone_type, number } => {
                self.update_phone(phone_type, number, cx).await
            }
            Step::Remove {
                id,
                replaced_by_new,
                accepted,
                ..
            } => self.remove(id, replaced_by_new, &accepted, cx).await,
            Step::Verify => {
                let info = cx.session.security_info().await?;
                self.verify(&info)?;
                Ok(Ran::Done)
            }
        }
    }

    /// A `Register` step: done when Graph shows a registration the journey
    /// did not know; the step after it (`ConfirmWorks`) learns which.
    async fn watch_for(
        &mut self,
        registration: &Registration,
        known_ids: &[MethodId],
        cx: &Context<'_>,
    ) -> Result<Ran, JourneyError> {
        let methods = cx.session.methods().await?;
        let Some(new) = methods.iter().find(|m| registration.matches(m, known_ids)) else {
            // This attempt was a check that found nothing yet. A takeover by
            // the page (`NotAllowed`) was said by the attempt that made it.
            self.note = None;
            return Ok(Ran::Waits);
        };
        self.log(cx.store, "registered", None, Some(Snapshot::of(new)))?;
        if let Some(Step::Register { found, .. }) = self.steps.get_mut(self.current) {
            *found = Some(new.id.clone());
        }
        if let Some(Step::ConfirmWorks { method }) = self.steps.get_mut(self.current + 1) {
            *method = Some(new.id.clone());
        }
        Ok(Ran::Done)
    }

    async fn set_default(
        &mut self,
        choice: SecondaryMethod,
        cx: &Context<'_>,
    ) -> Result<Ran, JourneyError> {
        let info = cx.session.security_info().await?;
        let current = info
            .preferences
            .as_ref()
            .and_then(|p| p.user_preferred.clone());
        let on_the_page = matches!(self.note, Some(Note::NotAllowed { .. }));
        if current.as_ref() == Some(&choice) {
            if on_the_page {
                // The user changed it on the Security Info page.
                self.log(
                    cx.store,
                    "setDefault",
                    None,
                    Some(Snapshot::default_prompt(&choice.as_graph())),
                )?;
            }
            return Ok(Ran::Done); // Already so (maybe sent before a crash).
        }
        if on_the_page {
            // Graph refused the app once: watch, never send again.
            return Ok(Ran::Waits);
        }
        refuse_if_refused(&info, &PlannedChange::SetDefault(choice.clone()), cx.floor)?;
        match cx
            .session
            .change(&MethodChange::SetDefault(choice.clone()))
            .await
        {
            Ok(_) => {}
            Err(SessionError::ChangeNotAllowed(reason)) => {
                // The step moves to the page's "Change default"; the
                // journey keeps its place and watches Graph for the value.
                self.note = Some(Note::NotAllowed { reason });
                return Ok(Ran::Waits);
            }
            Err(e) => return Err(e.into()),
        }
        self.log(
            cx.store,
            "setDefault",
            current.map(|c| Snapshot::default_prompt(&c.as_graph())),
            Some(Snapshot::default_prompt(&choice.as_graph())),
        )?;
        Ok(Ran::Done)
    }

    async fn add_phone(
        &mut self,
        phone_type: PhoneType,
        number: PhoneNumber,
        cx: &Context<'_>,
    ) -> Result<Ran, JourneyError> {
        let info = cx.session.security_info().await?;
        if phone_of(&info, phone_type).is_some_and(|m| shows_phone(m, phone_type, &number)) {
            return Ok(Ran::Done); // Added before a crash or on the web.
        }
        let add = PlannedChange::AddPhone {
            phone_type,
            number: number.clone(),
        };
        refuse_if_refused(&info, &add, cx.floor)?;
        let sent = cx
            .session
            .change(&MethodChange::AddPhone {
                phone_type,
                number: number.clone(),
            })
            .await;
        match sent {
            Ok(Changed::Added(m)) => {
                self.log(cx.store, "addPhone", None, Some(Snapshot::of(&m)))?;
                Ok(Ran::Done)
            }
            Ok(Changed::Done) => Ok(Ran::Done),
            Err(SessionError::ChangeNotAllowed(reason)) => {
                Ok(self.fall_back_to_page(&info, phone_type, number, reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn update_phone(
        &mut self,
        phone_type: PhoneType,
        number: PhoneNumber,
        cx: &Context<'_>,
    ) -> Result<Ran, JourneyError> {
        let info = cx.session.security_info().await?;
        let existing = phone_of(&info, phone_type).cloned().ok_or_else(|| {
            JourneyError::Refused(Refusal::NotFound {
                id: MethodId::parse(phone_type.method_id()).expect("fixed id"),
            })
        })?;
        if shows_phone(&existing, phone_type, &number) {
            return Ok(Ran::Done);
        }
        let update = PlannedChange::UpdatePhone {
            id: existing.id.clone(),
            number: number.clone(),
        };
        refuse_if_refused(&info, &update, cx.floor)?;
        let sent = cx
            .session
            .change(&MethodChange::UpdatePhone {
                id: existing.id.clone(),
                phone_type,
                number: number.clone(),
            })
            .await;
        match sent {
            Ok(_) => {
                self.log(
                    cx.store,
                    "updatePhone",
                    Some(Snapshot::of(&existing)),
                    Some(Snapshot::phone(phone_type.as_graph(), number.as_str())),
                )?;
                Ok(Ran::Done)
            }
            Err(SessionError::ChangeNotAllowed(reason)) => {
                Ok(self.fall_back_to_page(&info, phone_type, number, reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A `Remove` step: done when the method is gone (also when it was
    /// already gone); waits when the guardrails raise concerns the user has
    /// not accepted.
    async fn remove(
        &mut self,
        target: MethodId,
        replaced_by_new: bool,
        accepted: &[ConcernKind],
        cx: &Context<'_>,
    ) -> Result<Ran, JourneyError> {
        let info = cx.session.security_info().await?;
        let Some(method) = info.methods.iter().find(|m| m.id == target).cloned() else {
            // Gone already: removed before a crash, or on the web.
            self.removed_elsewhere = true;
            return Ok(Ran::Done);
        };
        let change = self.planned_removal(&method, replaced_by_new)?;
        match guardrails::check_counted(&info, &change, cx.floor, cx.counting) {
            Verdict::Refuse(r) => return Err(JourneyError::Refused(r)),
            Verdict::Confirm(concerns) => {
                let all_accepted = concerns
                    .iter()
                    .all(|c| accepted.contains(&ConcernKind::of(c)));
                if !all_accepted {
                    if let Some(Step::Remove { raised, .. }) = self.steps.get_mut(self.current) {
                        *raised = concerns;
                    }
                    return Ok(Ran::Waits);
                }
            }
            Verdict::Go => {}
        }
        let collection = method.kind.deletable_collection().ok_or_else(|| {
            JourneyError::Invalid(format!(
                "a {} method cannot be removed by this app",
                super::kind_name(&method.kind)
            ))
        })?;
        let sent = cx
            .session
            .change(&MethodChange::Delete {
                collection,
                id: target,
            })
            .await;
        match sent {
            Ok(_) => {}
            // Removed elsewhere between our read and our delete.
            Err(SessionError::Graph(crate::graph::GraphError::Service { status: 404, .. })) => {
                self.removed_elsewhere = true;
            }
            Err(e) => return Err(e.into()),
        }
        self.log(cx.store, "remove", Some(Snapshot::of(&method)), None)?;
        Ok(Ran::Done)
    }

    /// Turns a refused Graph write into a Security Info page step that the
    /// app watches; the journey stays at the same place in the plan.
    fn fall_back_to_page(
        &mut self,
        info: &SecurityInfo,
        phone_type: PhoneType,
        number: PhoneNumber,
        reason: String,
    ) -> Ran {
        self.steps[self.current] = Step::Register {
            registration: Registration::Phone { phone_type, number },
            known_ids: known_ids(info),
            found: None,
        };
        self.note = Some(Note::NotAllowed { reason });
        Ran::Waits
    }

    /// The `Register` step whose registration takes over from `old`: the
    /// one of its kind (the new passkey for the old passkey), else the
    /// journey's first (the first release's plans had one).
    fn replacement_step(&self, old: &MethodKind) -> Option<usize> {
        let registers = || {
            self.steps
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, Step::Register { .. }))
        };
        registers()
            .find(|(_, s)| {
                matches!(s, Step::Register { registration, .. } if registration.replaces(old))
            })
            .or_else(|| registers().next())
            .map(|(i, _)| i)
    }

    /// The removal a `Remove` step asks the guardrails about: with the new
    /// registration that takes over from `old` as the replacement when the
    /// step replaces it, verified once the user said it works (its
    /// `ConfirmWorks` step is behind the journey).
    fn planned_removal(
        &self,
        old: &AuthMethod,
        replaced_by_new: bool,
    ) -> Result<PlannedChange, JourneyError> {
        let replaced_by = if replaced_by_new {
            let at = self.replacement_step(&old.kind);
            let found = at.and_then(|i| match &self.steps[i] {
                Step::Register { found, .. } => found.clone(),
                _ => None,
            });
            let verified = at.is_some_and(|i| {
                self.steps
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find(|(_, s)| matches!(s, Step::ConfirmWorks { .. }))
                    .is_some_and(|(c, _)| c < self.current)
            });
            Some(guardrails::Replacement {
                id: found.ok_or_else(|| {
                    JourneyError::Invalid("the new method was not registered yet".into())
                })?,
                verified,
            })
        } else {
            None
        };
        Ok(PlannedChange::Remove {
            id: old.id.clone(),
            replaced_by,
        })
    }

    /// Checks that what every completed step did is what Graph shows now.
    fn verify(&self, info: &SecurityInfo) -> Result<(), JourneyError> {
        let has = |id: &MethodId| info.methods.iter().any(|m| &m.id == id);
        for step in &self.steps[..self.current] {
            match step {
                Step::Register {
                    found: Some(id), ..
                } if !has(id) => {
                    return Err(JourneyError::NotVerified(
                        "the new registration is no longer on your account".into(),
                    ));
                }
                Step::Register {
                    registration: Registration::Phone { phone_type, number },
                    ..
                } if !info
                    .methods
                    .iter()
                    .any(|m| shows_phone(m, *phone_type, number)) =>
                {
                    return Err(JourneyError::NotVerified(format!(
                        "your {} phone does not show {}",
                        phone_type.as_graph(),
                        number.as_str()
                    )));
                }
                Step::SetDefault { choice } => {
                    let now = info
                        .preferences
                        .as_ref()
                        .and_then(|p| p.user_preferred.as_ref());
                    // A later removal may legitimately not touch the default;
                    // the default must still be what this journey set.
                    if now != Some(choice) {
                        return Err(JourneyError::NotVerified(format!(
                            "the default is {} instead of {}",
                            now.map(SecondaryMethod::as_graph)
                                .unwrap_or_else(|| "not set".into()),
                            choice.as_graph()
                        )));
                    }
                }
                Step::AddPhone { phone_type, number }
                | Step::UpdatePhone { phone_type, number }
                    if !info
                        .methods
                        .iter()
                        .any(|m| shows_phone(m, *phone_type, number)) =>
                {
                    return Err(JourneyError::NotVerified(format!(
                        "your {} phone does not show {}",
                        phone_type.as_graph(),
                        number.as_str()
                    )));
                }
                Step::Remove { id, .. } if has(id) => {
                    return Err(JourneyError::NotVerified(
                        "the removed method is still on your account".into(),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn log(
        &self,
        store: &JourneyStore,
        action: &str,
        before: Option<Snapshot>,
        after: Option<Snapshot>,
    ) -> Result<(), JourneyError> {
        store.record(&ActivityEntry {
            time: OffsetDateTime::now_utc(),
            upn: self.upn.clone(),
            action: action.to_owned(),
            before,
            after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::fixtures::{adele, app, info, phone};
    use time::macros::datetime;

    fn replacement(j: &Journey, old: &AuthMethod) -> Option<guardrails::Replacement> {
        match j.planned_removal(old, true) {
            Ok(PlannedChange::Remove { replaced_by, .. }) => replaced_by,
            _ => None,
        }
    }

    #[test]
    fn works_answers_move_on_or_keep_the_user_at_the_step() {
        let account = adele();
        let old = account.methods[0].clone();
        let mut j = Journey::new_phone(&account, false);
        assert!(j.answer_works(true).is_err(), "not at that step yet");
        assert!(
            j.planned_removal(&old, true).is_err(),
            "nothing registered yet"
        );
        if let Step::Register { found, .. } = &mut j.steps[1] {
            *found = Some(MethodId::parse("new-app").unwrap());
        }
        j.current = 2;
        j.answer_works(false).unwrap();
        assert_eq!((j.current, j.note.clone()), (2, Some(Note::NotWorking)));
        assert!(!replacement(&j, &old).unwrap().verified);
        j.answer_works(true).unwrap();
        assert_eq!(j.current, 3);
        let r = replacement(&j, &old).unwrap();
        assert_eq!((r.id.as_str(), r.verified), ("new-app", true));
    }

    #[test]
    fn the_old_passkey_is_replaced_by_the_new_passkey_once_that_is_proven() {
        use crate::journey::fixtures::m;
        let passkey = |id: &str, created| {
            m(
                id,
                MethodKind::Fido2 {
                    display_name: "Pixel 6".into(),
                    model: None,
                    aa_guid: Some("de1e552d-db1d-4423-a619-566b625cdc84".into()),
                },
                created,
            )
        };
        let old_app = app("old-app", "Pixel 6", datetime!(2023-05-01 0:00 UTC));
        let old_key = passkey("old-key", datetime!(2026-09-20 0:00 UTC));
        let account = info(
            vec![
                old_app.clone(),
                old_key.clone(),
                phone(PhoneType::Mobile, "+44 7700900123"),
            ],
            "push",
        );
        let mut j = Journey::new_phone(&account, false);
        let names: Vec<&str> = j.steps.iter().map(Step::name).collect();
        assert_eq!(
            names,
            [
                "confirmIdentity",
                "register",
                "confirmWorks",
                "register",
                "confirmWorks",
                "setDefault",
                "remove",
                "remove",
                "verify"
            ]
        );
        for (at, id) in [(1, "new-app"), (3, "new-key")] {
            if let Step::Register { found, .. } = &mut j.steps[at] {
                *found = Some(MethodId::parse(id).unwrap());
            }
        }
        // The app proven, the passkey not yet: only the app's replacement is.
        j.current = 4;
        let r = replacement(&j, &old_app).unwrap();
        assert_eq!((r.id.as_str(), r.verified), ("new-app", true));
        let r = replacement(&j, &old_key).unwrap();
        assert_eq!((r.id.as_str(), r.verified), ("new-key", false));
        j.current = 5;
        assert!(replacement(&j, &old_key).unwrap().verified);
    }

    #[test]
    fn verification_compares_every_completed_step_with_graph() {
        let account = adele();
        let mut j = Journey::remove_method(
            &info(
                vec![
                    app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                    phone(PhoneType::Mobile, "+44 7700900123"),
                    phone(PhoneType::Office, "+44 2079460000"),
                ],
                "push",
            ),
            &MethodId::parse(PhoneType::Office.method_id()).unwrap(),
            Floor::DEFAULT,
        )
        .unwrap();
        j.current = 2; // confirm and remove done
        let still_there = info(
            vec![
                app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            "push",
        );
        assert!(matches!(
            j.verify(&still_there),
            Err(JourneyError::NotVerified(_))
        ));
        assert_eq!(j.verify(&account), Ok(()));
    }

    #[test]
    fn verification_names_a_default_or_number_that_is_not_what_the_journey_set() {
        let account = info(vec![phone(PhoneType::Mobile, "+44 7700900123")], "sms");
        let mut j = Journey::choose_default(&account, &SecondaryMethod::VoiceMobile).unwrap();
        j.current = 2;
        let e = j.verify(&account).unwrap_err();
        assert_eq!(
            e,
            JourneyError::NotVerified("the default is sms instead of voiceMobile".into())
        );
        let n = PhoneNumber::parse("+44 7700900999").unwrap();
        let mut j = Journey::phone_number(&account, PhoneType::Mobile, &n, None).unwrap();
        j.current = 2;
        let e = j.verify(&account).unwrap_err();
        assert_eq!(
            e,
            JourneyError::NotVerified("your mobile phone does not show +44 7700900999".into())
        );
        let moved = info(vec![phone(PhoneType::Mobile, "+44 7700900999")], "sms");
        assert_eq!(j.verify(&moved), Ok(()));
    }
}
