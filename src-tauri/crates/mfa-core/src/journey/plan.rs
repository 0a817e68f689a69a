//! Each journey's steps: what a user's intent becomes, checked against the
//! guardrails before anything starts.

use time::OffsetDateTime;

use super::{known_ids, phone_of, Journey, JourneyError, JourneyKind, Registration, Step};
use crate::guardrails::{self, Floor, PhoneNumber, PlannedChange, Verdict};
use crate::security_info::{MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo};

/// The prompt a phone of this type answers by default.
fn phone_prompt(t: PhoneType) -> SecondaryMethod {
    match t {
        PhoneType::Mobile => SecondaryMethod::Sms,
        PhoneType::AlternateMobile => SecondaryMethod::VoiceAlternateMobile,
        PhoneType::Office => SecondaryMethod::VoiceOffice,
    }
}

/// A removal step the user has not been asked about yet.
fn remove(id: MethodId, replaced_by_new: bool) -> Step {
    Step::Remove {
        id,
        replaced_by_new,
        accepted: Vec::new(),
        raised: Vec::new(),
    }
}

impl Journey {
    fn new(kind: JourneyKind, info: &SecurityInfo, steps: Vec<Step>) -> Journey {
        Journey {
            id: uuid::Uuid::new_v4().to_string(),
            upn: info.account.upn.clone(),
            kind,
            started: OffsetDateTime::now_utc(),
            steps,
            current: 0,
            old_device_lost: false,
            note: None,
            removed_elsewhere: false,
        }
    }

    /// "I have a new phone": confirm it's you, register Authenticator on the
    /// new phone, check it works, make it the default, and only then remove
    /// the old phone's Authenticator (if there was one).
    ///
    /// When the old phone also holds a passkey in Authenticator (tied to it
    /// as [`crate::health::authenticator_passkeys`] ties them), the new
    /// phone's passkey is registered and proven too, before anything goes:
    /// a device-bound passkey does not travel with a restored backup. Then
    /// the old phone's Authenticator and its passkey are removed.
    pub fn new_phone(info: &SecurityInfo, old_device_lost: bool) -> Journey {
        let old = info
            .methods
            .iter()
            .filter(|m| matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. }))
            .max_by_key(|m| m.created);
        let old_passkeys: Vec<MethodId> = old
            .map(|old| {
                crate::health::authenticator_passkeys(info)
                    .into_iter()
                    .filter(|p| p.authenticator.as_ref() == Some(&old.id))
                    .map(|p| p.passkey)
                    .collect()
            })
            .unwrap_or_default();
        let mut steps = vec![
            Step::ConfirmIdentity,
            Step::Register {
                registration: Registration::Authenticator,
                known_ids: known_ids(info),
                found: None,
            },
            Step::ConfirmWorks { method: None },
        ];
        if !old_passkeys.is_empty() {
            steps.push(Step::Register {
                registration: Registration::AuthenticatorPasskey,
                known_ids: known_ids(info),
                found: None,
            });
            steps.push(Step::ConfirmWorks { method: None });
        }
        steps.push(Step::SetDefault {
            choice: SecondaryMethod::Push,
        });
        if let Some(old) = old {
            steps.push(remove(old.id.clone(), true));
        }
        for passkey in old_passkeys {
            steps.push(remove(passkey, true));
        }
        steps.push(Step::Verify);
        Journey {
            old_device_lost,
            ..Journey::new(JourneyKind::NewPhone, info, steps)
        }
    }

    /// "My phone number changed": a new number for the phone of `phone_type`
    /// (added if there is none). A number is proven before it replaces
    /// another, and the old one never goes first:
    ///
    /// - A new number for a type the account has replaces the old number in
    ///   place (one phone per type), so it is made on the Security Info
    ///   page, which sends a code to the new number and changes nothing
    ///   until the code is entered; the app watches for it. Graph's PATCH
    ///   would drop the old number at once, proven or not, so the app never
    ///   replaces a number itself (Microsoft's v1.0 page also says users
    ///   cannot update their own phones).
    /// - When the number moves to another type, the new type is added first
    ///   and proven (the user says a sign-in with it, or Security Info's
    ///   code to it, worked), the default moves to it, and the old goes
    ///   last.
    pub fn phone_number(
        info: &SecurityInfo,
        phone_type: PhoneType,
        number: &PhoneNumber,
        replacing: Option<PhoneType>,
    ) -> Result<Journey, JourneyError> {
        let mut steps = Vec::new();
        let change = match phone_of(info, phone_type) {
            Some(existing) => PlannedChange::UpdatePhone {
                id: existing.id.clone(),
                number: number.clone(),
            },
            None => PlannedChange::AddPhone {
                phone_type,
                number: number.clone(),
            },
        };
        if let Verdict::Refuse(r) = guardrails::check(info, &change, Floor::DEFAULT) {
            return Err(JourneyError::Refused(r));
        }
        let number = number.clone();
        match change {
            PlannedChange::UpdatePhone { .. } => steps.push(Step::Register {
                registration: Registration::Phone { phone_type, number },
                known_ids: known_ids(info),
                found: None,
            }),
            _ => steps.push(Step::AddPhone { phone_type, number }),
        }
        if let Some(old_type) = replacing.filter(|o| *o != phone_type) {
            let old = phone_of(info, old_type).ok_or_else(|| {
                JourneyError::Invalid(format!(
                    "you have no {} phone to replace",
                    old_type.as_graph()
                ))
            })?;
            // The test before the old number goes (issue 15, item 5): the
            // user signs in choosing the new number ("Sign in another way")
            // or enters the code Security Info sends to it. "It didn't
            // work" keeps the journey here, and the old number stays.
            steps.push(Step::ConfirmWorks {
                method: Some(
                    MethodId::parse(phone_type.method_id()).expect("Graph's fixed phone ids"),
                ),
            });
            let default_is_old = info.default_method() == Some(&old.id);
            if default_is_old {
                steps.push(Step::SetDefault {
                    choice: phone_prompt(phone_type),
                });
            }
            steps.push(remove(old.id.clone(), false));
        }
        // Fresh MFA only when the app itself writes (a page step needs none).
        if steps.iter().any(Step::writes) {
            steps.insert(0, Step::ConfirmIdentity);
        }
        steps.push(Step::Verify);
        Ok(Journey::new(JourneyKind::PhoneNumber, info, steps))
    }

    /// "Choose my default."
    pub fn choose_default(
        info: &SecurityInfo,
        choice: &SecondaryMethod,
    ) -> Result<Journey, JourneyError> {
        if let Verdict::Refuse(r) = guardrails::check(
            info,
            &PlannedChange::SetDefault(choice.clone()),
            Floor::DEFAULT,
        ) {
            return Err(JourneyError::Refused(r));
        }
        Ok(Journey::new(
            JourneyKind::ChooseDefault,
            info,
            vec![
                Step::ConfirmIdentity,
                Step::SetDefault {
                    choice: choice.clone(),
                },
                Step::Verify,
            ],
        ))
    }

    /// "Get to three": register `registration` on the Security Info page.
    pub fn add_method(info: &SecurityInfo, registration: Registration) -> Journey {
        Journey::new(
            JourneyKind::AddMethod,
            info,
            vec![
                Step::Register {
                    registration,
                    known_ids: known_ids(info),
                    found: None,
                },
                Step::Verify,
            ],
        )
    }

    /// Remove one method. Refused at once if a guardrail forbids it.
    pub fn remove_method(
        info: &SecurityInfo,
        id: &MethodId,
        floor: Floor,
    ) -> Result<Journey, JourneyError> {
        let change = PlannedChange::Remove {
            id: id.clone(),
            replaced_by: None,
        };
        if let Verdict::Refuse(r) = guardrails::check(info, &change, floor) {
            return Err(JourneyError::Refused(r));
        }
        Ok(Journey::new(
            JourneyKind::RemoveMethod,
            info,
            vec![
                Step::ConfirmIdentity,
                remove(id.clone(), false),
                Step::Verify,
            ],
        ))
    }
}

/// What to register next to get closer to the recommended number: a
/// passkey or security key first if there is none off the phone (also for
/// an SMS-only account, whose texts end in 2027), then Authenticator if
/// there is none, then an authenticator app; never another method on a
/// device the account already depends on.
pub fn suggest_next(info: &SecurityInfo) -> Registration {
    let has = |f: &dyn Fn(&MethodKind) -> bool| info.methods.iter().any(|m| f(&m.kind));
    // A passkey in Authenticator lives on the phone: a key (or a passkey
    // elsewhere) is still what adds a device.
    if !has(&|k| k.is_phishing_resistant() && k.authenticator_passkey().is_none()) {
        Registration::SecurityKey
    } else if !has(&|k| matches!(k, MethodKind::MicrosoftAuthenticator { .. })) {
        Registration::Authenticator
    } else if !has(&|k| matches!(k, MethodKind::SoftwareOath)) {
        Registration::AuthenticatorApp
    } else {
        Registration::SecurityKey
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guardrails::Refusal;
    use crate::journey::fixtures::{adele, app, info, m, phone};
    use time::macros::datetime;

    fn id(s: &str) -> MethodId {
        MethodId::parse(s).unwrap()
    }

    #[test]
    fn the_new_phone_journey_adds_proves_and_defaults_before_it_removes() {
        let j = Journey::new_phone(&adele(), false);
        let names: Vec<&str> = j.steps.iter().map(Step::name).collect();
        assert_eq!(
            names,
            [
                "confirmIdentity",
                "register",
                "confirmWorks",
                "setDefault",
                "remove",
                "verify"
            ]
        );
        assert!(
            matches!(&j.steps[4], Step::Remove { id, replaced_by_new: true, .. } if id.as_str() == "old-app")
        );
        // Without an Authenticator today there is nothing old to remove.
        let j = Journey::new_phone(
            &info(vec![phone(PhoneType::Mobile, "+44 7700900123")], "sms"),
            true,
        );
        assert!(!j.steps.iter().any(|s| matches!(s, Step::Remove { .. })));
        assert!(j.old_device_lost);
    }

    #[test]
    fn a_new_phone_moves_the_old_phones_passkey_and_leaves_other_keys_alone() {
        let key = |id: &str, name: &str, aa_guid: &str| {
            m(
                id,
                MethodKind::Fido2 {
                    display_name: name.into(),
                    model: None,
                    aa_guid: Some(aa_guid.into()),
                },
                datetime!(2026-09-15 0:00 UTC),
            )
        };
        let gus = info(
            vec![
                app("old-app", "Gus's iPhone 12", datetime!(2023-05-10 0:00 UTC)),
                key(
                    "old-passkey",
                    "Gus's iPhone 12",
                    "90a3ccdf-635c-4729-a248-9b709135078f",
                ),
                key("yubikey", "YubiKey", "2fc0579f-8113-47ea-b116-555a8db9202a"),
                phone(PhoneType::Mobile, "+33 612345678"),
            ],
            "push",
        );
        let j = Journey::new_phone(&gus, false);
        assert!(matches!(
            &j.steps[3],
            Step::Register {
                registration: Registration::AuthenticatorPasskey,
                ..
            }
        ));
        let removed: Vec<&str> = j
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Remove {
                    id,
                    replaced_by_new: true,
                    ..
                } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(removed, ["old-app", "old-passkey"], "the key stays");
        // The new phone's passkey is recognised by its aaGuid only.
        let known = known_ids(&gus);
        let new_passkey = key("new", "iPhone 16", "90a3ccdf-635c-4729-a248-9b709135078f");
        let new_key = key("k2", "Key", "2fc0579f-8113-47ea-b116-555a8db9202a");
        assert!(Registration::AuthenticatorPasskey.matches(&new_passkey, &known));
        assert!(!Registration::AuthenticatorPasskey.matches(&new_key, &known));
        assert!(!Registration::AuthenticatorPasskey.matches(&gus.methods[1], &known));
    }

    #[test]
    fn a_number_moving_to_another_type_adds_first_moves_the_default_then_removes() {
        let account = info(
            vec![
                app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            "voiceOffice",
        );
        let n = PhoneNumber::parse("+44 7700900555").unwrap();
        let j = Journey::phone_number(&account, PhoneType::Mobile, &n, Some(PhoneType::Office))
            .unwrap();
        assert_eq!(
            j.steps,
            vec![
                Step::ConfirmIdentity,
                Step::AddPhone {
                    phone_type: PhoneType::Mobile,
                    number: PhoneNumber::parse("+44 7700900555").unwrap()
                },
                Step::ConfirmWorks {
                    method: Some(id(PhoneType::Mobile.method_id()))
                },
                Step::SetDefault {
                    choice: SecondaryMethod::Sms
                },
                Step::Remove {
                    id: id(PhoneType::Office.method_id()),
                    replaced_by_new: false,
                    accepted: vec![],
                    raised: vec![]
                },
                Step::Verify
            ]
        );
        // A new number for an existing type replaces it in place: on the
        // Security Info page, which proves it with a code first; the app
        // writes nothing, so it asks for no confirmation.
        let new_office = PhoneNumber::parse("+44 2079461111").unwrap();
        let j = Journey::phone_number(&account, PhoneType::Office, &new_office, None).unwrap();
        assert_eq!(
            j.steps,
            vec![
                Step::Register {
                    registration: Registration::Phone {
                        phone_type: PhoneType::Office,
                        number: new_office
                    },
                    known_ids: known_ids(&account),
                    found: None
                },
                Step::Verify
            ]
        );
        // A duplicate number is refused before anything starts.
        let e = Journey::phone_number(
            &account,
            PhoneType::Mobile,
            &PhoneNumber::parse("+44 2079460000").unwrap(),
            None,
        )
        .unwrap_err();
        assert!(matches!(
            e,
            JourneyError::Refused(Refusal::DuplicateNumber { .. })
        ));
    }

    #[test]
    fn removing_refuses_up_front_what_the_guardrails_refuse() {
        let lone = info(
            vec![app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC))],
            "push",
        );
        let e = Journey::remove_method(&lone, &id("a"), Floor::DEFAULT).unwrap_err();
        assert_eq!(e, JourneyError::Refused(Refusal::LastMethod));
    }

    #[test]
    fn the_next_suggestion_prefers_phishing_resistant_then_other_devices() {
        assert_eq!(suggest_next(&adele()), Registration::SecurityKey);
        let with_key = info(
            vec![
                phone(PhoneType::Mobile, "+44 7700900123"),
                m(
                    "k",
                    MethodKind::Fido2 {
                        display_name: "YubiKey".into(),
                        model: None,
                        aa_guid: None,
                    },
                    datetime!(2024-01-01 0:00 UTC),
                ),
            ],
            "sms",
        );
        assert_eq!(suggest_next(&with_key), Registration::Authenticator);
        // A passkey in Authenticator is on the phone: a key is still first.
        let gus = info(
            vec![
                app("a", "iPhone 12", datetime!(2023-05-10 0:00 UTC)),
                m(
                    "p",
                    MethodKind::Fido2 {
                        display_name: "iPhone 12".into(),
                        model: None,
                        aa_guid: Some("90a3ccdf-635c-4729-a248-9b709135078f".into()),
                    },
                    datetime!(2026-09-15 0:00 UTC),
                ),
            ],
            "push",
        );
        assert_eq!(suggest_next(&gus), Registration::SecurityKey);
    }
}
