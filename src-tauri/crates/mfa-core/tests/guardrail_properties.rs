//! Property tests of the guardrails: for random accounts (any mix of
//! methods, phones, devices and defaults) and random sequences of removals
//! the user accepts whenever the app lets them, including ids already gone
//! (removed elsewhere, or twice), the account is never left without a way
//! to prove it's the user, the organisation's floor is never crossed
//! downwards, nothing is removed twice, and an old method never goes for a
//! replacement that has not been proven. The journeys ask these same
//! checks before every removal (`journey/engine.rs`).

use mfa_core::guardrails::{check, Floor, PlannedChange, Refusal, Replacement, Verdict};
use mfa_core::security_info::{
    Account, AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
    SignInPreferences,
};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = MethodKind> {
    let device = prop::sample::select(vec!["Adele's iPhone", "Pixel 8", "Work laptop"]);
    prop_oneof![
        device
            .clone()
            .prop_map(|d| MethodKind::MicrosoftAuthenticator {
                device_name: d.to_owned()
            }),
        (
            prop::sample::select(vec![
                PhoneType::Mobile,
                PhoneType::AlternateMobile,
                PhoneType::Office
            ]),
            0u32..3
        )
            .prop_map(|(phone_type, n)| MethodKind::Phone {
                number: format!("+44 770090012{n}"),
                phone_type,
            }),
        Just(MethodKind::Fido2 {
            display_name: "YubiKey 5".into(),
            model: None,
            aa_guid: None
        }),
        Just(MethodKind::SoftwareOath),
        Just(MethodKind::HardwareOath {
            device_name: "Desk token".into(),
            serial_number: Some("2207731".into()),
            manufacturer: None,
            model: None,
        }),
        Just(MethodKind::Email {
            address: "adele@example.org".into()
        }),
        device.prop_map(|d| MethodKind::WindowsHelloForBusiness {
            device_name: d.to_owned()
        }),
        Just(MethodKind::TemporaryAccessPass {
            usable: true,
            ends: None
        }),
    ]
}

prop_compose! {
    /// An account: a password and up to seven other methods, with some default.
    fn account()(kinds in prop::collection::vec(kind(), 0..8),
                 default in prop::option::of(prop::sample::select(vec![
                     SecondaryMethod::Push, SecondaryMethod::Oath, SecondaryMethod::Sms,
                     SecondaryMethod::VoiceMobile, SecondaryMethod::VoiceOffice,
                 ]))) -> SecurityInfo {
        let mut methods = vec![AuthMethod {
            id: MethodId::parse("password-0").unwrap(),
            created: None,
            kind: MethodKind::Password,
        }];
        methods.extend(kinds.into_iter().enumerate().map(|(i, kind)| AuthMethod {
            id: MethodId::parse(&format!("m{i}")).unwrap(),
            created: None,
            kind,
        }));
        SecurityInfo {
            account: Account { display_name: "Adele".into(), upn: "adele@contoso.com".into() },
            methods,
            preferences: Some(SignInPreferences {
                user_preferred: default,
                system_preferred_enabled: true,
                system_preferred: None,
            }),
        }
    }
}

prop_compose! {
    fn floor()(required in 1u32..4, extra in 0u32..3) -> Floor {
        Floor::new(required + extra, required).unwrap()
    }
}

fn mfa_methods(info: &SecurityInfo) -> usize {
    info.methods
        .iter()
        .filter(|m| m.kind.counts_for_mfa())
        .count()
}

fn without(info: &SecurityInfo, id: &MethodId) -> SecurityInfo {
    SecurityInfo {
        methods: info
            .methods
            .iter()
            .filter(|m| &m.id != id)
            .cloned()
            .collect(),
        ..info.clone()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The user removes whatever the app lets them, in any order, also ids
    /// already gone; they always keep a second factor if they had one, and
    /// never fall below the floor the app enforces.
    #[test]
    fn accepted_removals_never_strand_the_account(
        start in account(),
        floor in floor(),
        picks in prop::collection::vec(0usize..10, 1..12),
    ) {
        let had_mfa = mfa_methods(&start) > 0;
        let mut info = start.clone();
        let mut removed: Vec<MethodId> = Vec::new();
        for pick in picks {
            // An id on the account, or one removed already (twice, or elsewhere).
            let id = match info.methods.get(pick) {
                Some(m) => m.id.clone(),
                None => removed.get(pick % removed.len().max(1)).cloned()
                    .unwrap_or_else(|| MethodId::parse("gone-elsewhere").unwrap()),
            };
            let before = info.health().independent_methods;
            let verdict = check(&info, &PlannedChange::Remove { id: id.clone(), replaced_by: None }, floor);
            let present = info.methods.iter().any(|m| m.id == id);
            if !present {
                prop_assert_eq!(verdict, Verdict::Refuse(Refusal::NotFound { id: id.clone() }),
                    "a method not on the account is never deleted");
                continue;
            }
            match verdict {
                Verdict::Go | Verdict::Confirm(_) => {
                    let kind = info.methods.iter().find(|m| m.id == id).unwrap().kind.clone();
                    prop_assert_ne!(kind, MethodKind::Password);
                    info = without(&info, &id);
                    removed.push(id);
                    if had_mfa {
                        prop_assert!(mfa_methods(&info) > 0, "stranded: {:?}", info.methods);
                    }
                    let after = info.health().independent_methods;
                    prop_assert!(after >= before.min(floor.required()),
                        "{before} -> {after} with a floor of {}", floor.required());
                }
                Verdict::Refuse(_) => {}
            }
        }
    }

    /// A removal for a replacement the user has not proven is never allowed,
    /// whatever else is true of the account.
    #[test]
    fn an_old_method_never_goes_before_its_replacement_is_proven(
        info in account(),
        floor in floor(),
        old in 0usize..8,
        new in 0usize..8,
    ) {
        prop_assume!(info.methods.len() > 1);
        let old = info.methods[old % info.methods.len()].id.clone();
        let new = info.methods[new % info.methods.len()].id.clone();
        let unproven = PlannedChange::Remove {
            id: old.clone(),
            replaced_by: Some(Replacement { id: new.clone(), verified: false }),
        };
        prop_assert!(matches!(check(&info, &unproven, floor), Verdict::Refuse(_)));
        // A replacement that is gone (removed elsewhere) does not count either.
        let gone = PlannedChange::Remove {
            id: old,
            replaced_by: Some(Replacement { id: MethodId::parse("gone-elsewhere").unwrap(), verified: true }),
        };
        prop_assert!(matches!(check(&info, &gone, floor), Verdict::Refuse(_)));
    }
}
