//! Guardrails: every planned change to Security Info is checked here, against
//! the account as Graph last showed it, before any request is sent.
//!
//! The rules (issue 3; graph-auth-methods.md §3, §4):
//! - never remove the last MFA method;
//! - never go below the organisation's floor: below `required` is refused,
//!   below `recommended` needs the user's explicit, explained confirmation;
//! - never remove the default method while others exist: move the default first;
//! - never remove an old method before its replacement is verified;
//! - warn when, after the change, every method lives on one device;
//! - phone rules: one phone per type, no alternate mobile without a mobile,
//!   a type never changes, numbers in Graph's `+<country> <number>[x<ext>]`.
//!
//! The module is pure: no I/O, no clock. [`check`] answers [`Verdict::Go`],
//! [`Verdict::Confirm`] with the concerns to explain, or [`Verdict::Refuse`]
//! with the reason.

use crate::health;
use crate::security_info::{
    AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
};

/// The organisation's floor of independent methods.
/// Invariant: `1 <= required <= recommended`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floor {
    recommended: u32,
    required: u32,
}

impl Floor {
    /// The product's default: warn below three, refuse below one.
    pub const DEFAULT: Floor = Floor {
        recommended: 3,
        required: 1,
    };

    pub fn new(recommended: u32, required: u32) -> Result<Floor, String> {
        if required < 1 {
            return Err(format!(
                "required methods must be at least 1, or a user could remove their last method; found {required}"
            ));
        }
        if required > recommended {
            return Err(format!(
                "required methods ({required}) cannot exceed recommended methods ({recommended})"
            ));
        }
        if recommended > 10 {
            return Err(format!(
                "recommended methods must be at most 10; found {recommended}"
            ));
        }
        Ok(Floor {
            recommended,
            required,
        })
    }

    pub fn recommended(&self) -> u32 {
        self.recommended
    }

    pub fn required(&self) -> u32 {
        self.required
    }
}

impl Default for Floor {
    fn default() -> Floor {
        Floor::DEFAULT
    }
}

/// A phone number in Graph's format: `+<country code> <number>[x<extension>]`,
/// with exactly one space after the country code. Construct with [`PhoneNumber::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// What is wrong with a typed phone number: `kind` for the window, which
/// words it in the user's language (`phoneNumber.<kind>`); the message, in
/// English with an example, for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}. Write it as +<country code> <number>, for example +44 7700900123 or +1 4255550123x123 with an extension; you typed {typed:?}")]
pub struct PhoneNumberError {
    pub kind: PhoneProblem,
    pub problem: String,
    pub typed: String,
}

/// The rule a typed phone number broke, one per check of [`PhoneNumber::parse`]
/// and [`PhoneNumber::typed_twice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneProblem {
    Empty,
    NoPlus,
    NoSpace,
    Country,
    Digits,
    Length,
    Extension,
    /// Typed twice, the two numbers differ once normalised.
    Differ,
}

impl PhoneNumber {
    /// Accepts what people type: spaces, dots, hyphens and brackets inside
    /// the number are dropped, so `+44 7700 900-123` becomes `+44 7700900123`.
    /// The country code must come first, after `+`, followed by a space.
    pub fn parse(typed: &str) -> Result<PhoneNumber, PhoneNumberError> {
        let fail = |kind: PhoneProblem, problem: &str| PhoneNumberError {
            kind,
            problem: problem.to_owned(),
            typed: typed.to_owned(),
        };
        let s = typed.trim();
        if s.is_empty() {
            return Err(fail(PhoneProblem::Empty, "The phone number is empty"));
        }
        let rest = s.strip_prefix('+').ok_or_else(|| {
            fail(
                PhoneProblem::NoPlus,
                "The number must start with + and the country code",
            )
        })?;
        let (country, national) = rest
            .split_once(' ')
            .ok_or_else(|| fail(PhoneProblem::NoSpace, "Put a space after the country code"))?;
        if country.is_empty() || country.len() > 4 || !country.chars().all(|c| c.is_ascii_digit()) {
            return Err(fail(
                PhoneProblem::Country,
                "The country code must be 1 to 4 digits",
            ));
        }
        let (number, extension) = match national.split_once(['x', 'X']) {
            Some((n, e)) => (n, Some(e.trim())),
            None => (national, None),
        };
        let digits: String = number
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(fail(
                PhoneProblem::Digits,
                &format!("The number may contain only digits, not {bad:?}"),
            ));
        }
        if digits.len() < 4 || digits.len() > 15 {
            return Err(fail(
                PhoneProblem::Length,
                "The number after the country code must be 4 to 15 digits",
            ));
        }
        let mut out = format!("+{country} {digits}");
        if let Some(ext) = extension {
            if ext.is_empty() || ext.len() > 10 || !ext.chars().all(|c| c.is_ascii_digit()) {
                return Err(fail(
                    PhoneProblem::Extension,
                    "An extension after x must be 1 to 10 digits",
                ));
            }
            out.push('x');
            out.push_str(ext);
        }
        Ok(PhoneNumber(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A new number the user typed twice (issue 15, item 5): both must be
    /// numbers and the same number once normalised, so a slip of one digit
    /// is caught before anything is sent.
    pub fn typed_twice(first: &str, again: &str) -> Result<PhoneNumber, PhoneNumberError> {
        let number = PhoneNumber::parse(first)?;
        let repeated = PhoneNumber::parse(again)?;
        if number != repeated {
            return Err(PhoneNumberError {
                kind: PhoneProblem::Differ,
                problem: format!(
                    "The two numbers differ ({} and {}); type the same number twice",
                    number.as_str(),
                    repeated.as_str()
                ),
                typed: again.to_owned(),
            });
        }
        Ok(number)
    }
}

/// A change the user asked for, before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedChange {
    /// Remove a registration. `replaced_by` is set when a journey removes an
    /// old method in favour of a new one (the new phone).
    Remove {
        id: MethodId,
        replaced_by: Option<Replacement>,
    },
    /// Make this kind of prompt the default.
    SetDefault(SecondaryMethod),
    AddPhone {
        phone_type: PhoneType,
        number: PhoneNumber,
    },
    /// A new number for an existing phone method (its type stays).
    UpdatePhone { id: MethodId, number: PhoneNumber },
}

/// The method that takes over from a removed one, and whether the user has
/// proven it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub id: MethodId,
    pub verified: bool,
}

/// The answer for a planned change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Allowed only after the user confirms, having read these concerns.
    Confirm(Vec<Concern>),
    Refuse(Refusal),
}

/// Why a change may not happen at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("that method is no longer on your account (it may have been removed elsewhere)")]
    NotFound { id: MethodId },
    #[error("your password cannot be removed here")]
    PasswordCannotBeRemoved,
    #[error("it is your last way to prove it's you; add another method first")]
    LastMethod,
    #[error("you would have {after} independent method(s); your organisation requires at least {required}")]
    BelowRequired { after: u32, required: u32 },
    #[error("it is your default sign-in method; choose another default first")]
    IsDefault { id: MethodId },
    #[error(
        "its replacement has not been shown to work yet; finish checking the new method first"
    )]
    ReplacementNotVerified { replacement: MethodId },
    #[error("the replacement is no longer on your account")]
    ReplacementMissing { replacement: MethodId },
    #[error("your alternate mobile phone needs a mobile phone; remove the alternate first, or change the mobile's number instead")]
    MobileNeededByAlternate,
    #[error("you already have a {} phone; change its number instead", .phone_type.as_graph())]
    PhoneTypeTaken {
        phone_type: PhoneType,
        existing: MethodId,
    },
    #[error("an alternate mobile phone needs a mobile phone first")]
    AlternateNeedsMobile,
    #[error("that number is already registered as your {} phone", .phone_type.as_graph())]
    DuplicateNumber { phone_type: PhoneType },
    #[error("that is already the number on this phone")]
    UnchangedNumber,
    #[error("that method is not a phone")]
    NotAPhone { id: MethodId },
    #[error("you have no method that can answer a {} prompt", .0.as_graph())]
    NoMethodForDefault(SecondaryMethod),
    #[error("that is already your default")]
    AlreadyDefault,
}

/// Something the user must read and accept before the change goes ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Concern {
    /// The account ends up with fewer independent methods than recommended.
    BelowRecommended { after: u32, recommended: u32 },
    /// After the change every MFA method is on one device: losing it locks
    /// the user out.
    SingleDevice,
    /// The last phishing-resistant method goes.
    LosesPhishingResistance,
}

/// Checks `change` against `info` (the account as Graph last showed it) and
/// the organisation's `floor`, counting from the account's rows alone
/// ([`SecurityInfo::health`]).
pub fn check(info: &SecurityInfo, change: &PlannedChange, floor: Floor) -> Verdict {
    check_counted(info, change, floor, None)
}

/// [`check`], counting as the health view counts in `counting` (devices,
/// not rows; SMS and voice not counted where Microsoft ends them; the
/// user's same-phone answers), so a concern says what the view says.
pub fn check_counted(
    info: &SecurityInfo,
    change: &PlannedChange,
    floor: Floor,
    counting: Option<&health::Context>,
) -> Verdict {
    match change {
        PlannedChange::Remove { id, replaced_by } => {
            check_remove(info, id, replaced_by, floor, counting)
        }
        PlannedChange::SetDefault(choice) => check_set_default(info, choice),
        PlannedChange::AddPhone { phone_type, number } => {
            check_add_phone(info, *phone_type, number)
        }
        PlannedChange::UpdatePhone { id, number } => check_update_phone(info, id, number),
    }
}

fn find<'a>(info: &'a SecurityInfo, id: &MethodId) -> Option<&'a AuthMethod> {
    info.methods.iter().find(|m| &m.id == id)
}

fn phone_of(info: &SecurityInfo, wanted: PhoneType) -> Option<&AuthMethod> {
    info.methods
        .iter()
        .find(|m| matches!(&m.kind, MethodKind::Phone { phone_type, .. } if *phone_type == wanted))
}

fn check_remove(
    info: &SecurityInfo,
    id: &MethodId,
    replaced_by: &Option<Replacement>,
    floor: Floor,
    counting: Option<&health::Context>,
) -> Verdict {
    let Some(method) = find(info, id) else {
        return Verdict::Refuse(Refusal::NotFound { id: id.clone() });
    };
    if method.kind == MethodKind::Password {
        return Verdict::Refuse(Refusal::PasswordCannotBeRemoved);
    }
    if let Some(r) = replaced_by {
        if find(info, &r.id).is_none() {
            return Verdict::Refuse(Refusal::ReplacementMissing {
                replacement: r.id.clone(),
            });
        }
        if !r.verified {
            return Verdict::Refuse(Refusal::ReplacementNotVerified {
                replacement: r.id.clone(),
            });
        }
    }
    let after = SecurityInfo {
        account: info.account.clone(),
        methods: info
            .methods
            .iter()
            .filter(|m| &m.id != id)
            .cloned()
            .collect(),
        preferences: info.preferences.clone(),
    };
    let mfa_after = after
        .methods
        .iter()
        .filter(|m| m.kind.counts_for_mfa())
        .count();
    if method.kind.counts_for_mfa() && mfa_after == 0 {
        return Verdict::Refuse(Refusal::LastMethod);
    }
    let others_exist = after.methods.iter().any(|m| m.kind != MethodKind::Password);
    if info.default_method() == Some(id) && others_exist {
        return Verdict::Refuse(Refusal::IsDefault { id: id.clone() });
    }
    if matches!(
        method.kind,
        MethodKind::Phone {
            phone_type: PhoneType::Mobile,
            ..
        }
    ) && phone_of(info, PhoneType::AlternateMobile).is_some()
    {
        return Verdict::Refuse(Refusal::MobileNeededByAlternate);
    }
    let count = |i: &SecurityInfo| match counting {
        Some(cx) => {
            let r = health::report(i, cx);
            health::Health {
                independent_methods: r.independent_methods,
                phishing_resistant_methods: r.phishing_resistant_methods,
                single_device: r.single_device,
            }
        }
        None => i.health(),
    };
    let before = count(info);
    let health = count(&after);
    if health.independent_methods < floor.required
        && health.independent_methods < before.independent_methods
    {
        return Verdict::Refuse(Refusal::BelowRequired {
            after: health.independent_methods,
            required: floor.required,
        });
    }
    let mut concerns = Vec::new();
    // Removing an old method for its verified replacement only undoes the
    // replacement's gain: no concern about the count (the health view still
    // shows it).
    let replacing = replaced_by.as_ref().is_some_and(|r| r.verified);
    if !replacing
        && health.independent_methods < floor.recommended
        && health.independent_methods < before.independent_methods
    {
        concerns.push(Concern::BelowRecommended {
            after: health.independent_methods,
            recommended: floor.recommended,
        });
    }
    // Likewise a single device after a replacement was one before it: the
    // old phone going is the point of the journey, not a new risk.
    if !replacing && health.single_device && !before.single_device {
        concerns.push(Concern::SingleDevice);
    }
    if before.phishing_resistant_methods > 0 && health.phishing_resistant_methods == 0 {
        concerns.push(Concern::LosesPhishingResistance);
    }
    if concerns.is_empty() {
        Verdict::Go
    } else {
        Verdict::Confirm(concerns)
    }
}

/// Whether the account has a method that can answer `choice`.
pub fn can_answer(info: &SecurityInfo, choice: &SecondaryMethod) -> bool {
    let has = |f: &dyn Fn(&MethodKind) -> bool| info.methods.iter().any(|m| f(&m.kind));
    match choice {
        SecondaryMethod::Push => has(&|k| matches!(k, MethodKind::MicrosoftAuthenticator { .. })),
        SecondaryMethod::Oath => has(&|k| {
            matches!(
                k,
                MethodKind::SoftwareOath
                    | MethodKind::HardwareOath { .. }
                    | MethodKind::MicrosoftAuthenticator { .. }
            )
        }),
        SecondaryMethod::Sms | SecondaryMethod::VoiceMobile => {
            phone_of(info, PhoneType::Mobile).is_some()
        }
        SecondaryMethod::VoiceAlternateMobile => {
            phone_of(info, PhoneType::AlternateMobile).is_some()
        }
        SecondaryMethod::VoiceOffice => phone_of(info, PhoneType::Office).is_some(),
        SecondaryMethod::Unknown(_) => false,
    }
}

/// The defaults the user can choose from, strongest first (Microsoft's
/// system-preferred order puts the app before codes before telephony).
pub fn default_choices(info: &SecurityInfo) -> Vec<SecondaryMethod> {
    [
        SecondaryMethod::Push,
        SecondaryMethod::Oath,
        SecondaryMethod::Sms,
        SecondaryMethod::VoiceMobile,
        SecondaryMethod::VoiceAlternateMobile,
        SecondaryMethod::VoiceOffice,
    ]
    .into_iter()
    .filter(|c| can_answer(info, c))
    .collect()
}

fn check_set_default(info: &SecurityInfo, choice: &SecondaryMethod) -> Verdict {
    if !can_answer(info, choice) {
        return Verdict::Refuse(Refusal::NoMethodForDefault(choice.clone()));
    }
    let current = info
        .preferences
        .as_ref()
        .and_then(|p| p.user_preferred.as_ref());
    if current == Some(choice) {
        return Verdict::Refuse(Refusal::AlreadyDefault);
    }
    Verdict::Go
}

fn duplicate_of(info: &SecurityInfo, number: &PhoneNumber) -> Option<PhoneType> {
    info.methods.iter().find_map(|m| match &m.kind {
        MethodKind::Phone {
            number: existing,
            phone_type,
        } if existing == number.as_str() => Some(*phone_type),
        _ => None,
    })
}

fn check_add_phone(info: &SecurityInfo, phone_type: PhoneType, number: &PhoneNumber) -> Verdict {
    if let Some(existing) = phone_of(info, phone_type) {
        return Verdict::Refuse(Refusal::PhoneTypeTaken {
            phone_type,
            existing: existing.id.clone(),
        });
    }
    if phone_type == PhoneType::AlternateMobile && phone_of(info, PhoneType::Mobile).is_none() {
        return Verdict::Refuse(Refusal::AlternateNeedsMobile);
    }
    if let Some(t) = duplicate_of(info, number) {
        return Verdict::Refuse(Refusal::DuplicateNumber { phone_type: t });
    }
    Verdict::Go
}

fn check_update_phone(info: &SecurityInfo, id: &MethodId, number: &PhoneNumber) -> Verdict {
    let Some(method) = find(info, id) else {
        return Verdict::Refuse(Refusal::NotFound { id: id.clone() });
    };
    let MethodKind::Phone {
        number: current, ..
    } = &method.kind
    else {
        return Verdict::Refuse(Refusal::NotAPhone { id: id.clone() });
    };
    if current == number.as_str() {
        return Verdict::Refuse(Refusal::UnchangedNumber);
    }
    if let Some(t) = duplicate_of(info, number) {
        return Verdict::Refuse(Refusal::DuplicateNumber { phone_type: t });
    }
    Verdict::Go
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_info::{Account, SignInPreferences};
    use time::macros::datetime;

    const MOBILE: &str = PhoneType::Mobile.method_id();
    const ALTERNATE: &str = PhoneType::AlternateMobile.method_id();
    const OFFICE: &str = PhoneType::Office.method_id();

    fn id(s: &str) -> MethodId {
        MethodId::parse(s).unwrap()
    }

    fn m(id_: &str, kind: MethodKind) -> AuthMethod {
        AuthMethod {
            id: id(id_),
            created: Some(datetime!(2025-01-01 0:00 UTC)),
            kind,
        }
    }

    fn password() -> AuthMethod {
        m("28c10230-6103-485e-b985-444c60001490", MethodKind::Password)
    }

    fn app(id_: &str, device: &str) -> AuthMethod {
        m(
            id_,
            MethodKind::MicrosoftAuthenticator {
                device_name: device.into(),
            },
        )
    }

    fn phone(t: PhoneType, number: &str) -> AuthMethod {
        m(
            t.method_id(),
            MethodKind::Phone {
                number: number.into(),
                phone_type: t,
            },
        )
    }

    fn key(id_: &str) -> AuthMethod {
        m(
            id_,
            MethodKind::Fido2 {
                display_name: "YubiKey".into(),
                model: None,
                aa_guid: None,
            },
        )
    }

    fn account(methods: Vec<AuthMethod>, default: Option<SecondaryMethod>) -> SecurityInfo {
        SecurityInfo {
            account: Account {
                display_name: "Adele".into(),
                upn: "adele@contoso.example".into(),
            },
            methods,
            preferences: Some(SignInPreferences {
                user_preferred: default,
                system_preferred_enabled: false,
                system_preferred: None,
            }),
        }
    }

    fn remove(id_: &str) -> PlannedChange {
        PlannedChange::Remove {
            id: id(id_),
            replaced_by: None,
        }
    }

    fn number(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).unwrap()
    }

    #[test]
    fn phone_numbers_are_normalised_or_refused_with_an_example() {
        assert_eq!(number("+44 7700 900-123").as_str(), "+44 7700900123");
        assert_eq!(
            number(" +1 (425) 555.0123x45 ").as_str(),
            "+1 4255550123x45"
        );
        for (typed, kind, problem) in [
            ("", PhoneProblem::Empty, "empty"),
            ("07700900123", PhoneProblem::NoPlus, "start with +"),
            (
                "+447700900123",
                PhoneProblem::NoSpace,
                "space after the country code",
            ),
            ("+12345 7700900", PhoneProblem::Country, "1 to 4 digits"),
            ("+44 77OO900123", PhoneProblem::Digits, "only digits"),
            ("+44 123", PhoneProblem::Length, "4 to 15 digits"),
            ("+44 7700900123x", PhoneProblem::Extension, "extension"),
            ("+44 7700900123xab", PhoneProblem::Extension, "extension"),
        ] {
            let e = PhoneNumber::parse(typed).unwrap_err();
            assert_eq!(e.kind, kind, "{typed:?}: {e}");
            assert!(e.problem.contains(problem), "{typed:?}: {e}");
            let text = e.to_string();
            assert!(
                text.contains("+44 7700900123"),
                "the message has an example: {text}"
            );
            assert!(text.contains(&format!("{typed:?}")), "{text}");
        }
    }

    #[test]
    fn a_new_number_is_typed_twice_and_must_match_once_normalised() {
        assert_eq!(
            PhoneNumber::typed_twice("+44 7700 900-123", "+44 7700900123")
                .unwrap()
                .as_str(),
            "+44 7700900123"
        );
        let e = PhoneNumber::typed_twice("+44 7700900123", "+44 7700900132").unwrap_err();
        assert_eq!(e.kind, PhoneProblem::Differ);
        assert!(e.problem.contains("differ"), "{e}");
        assert!(e.problem.contains("+44 7700900132"), "{e}");
        // Either one malformed: the usual message with an example.
        let e = PhoneNumber::typed_twice("+44 7700900123", "07700900123").unwrap_err();
        assert_eq!(e.kind, PhoneProblem::NoPlus);
        assert!(e.problem.contains("start with +"), "{e}");
        assert!(PhoneNumber::typed_twice("", "+44 7700900123").is_err());
    }

    #[test]
    fn floor_invariants() {
        assert!(Floor::new(3, 0).is_err());
        assert!(Floor::new(2, 3).is_err());
        assert!(Floor::new(11, 1).is_err());
        let f = Floor::new(2, 2).unwrap();
        assert_eq!((f.recommended(), f.required()), (2, 2));
        assert_eq!(Floor::default(), Floor::new(3, 1).unwrap());
    }

    #[test]
    fn the_last_mfa_method_is_never_removed() {
        let info = account(
            vec![password(), app("a1", "Pixel 8")],
            Some(SecondaryMethod::Push),
        );
        assert_eq!(
            check(&info, &remove("a1"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::LastMethod)
        );
    }

    #[test]
    fn the_password_is_never_removed() {
        let info = account(
            vec![password(), app("a1", "Pixel 8"), key("k1")],
            Some(SecondaryMethod::Push),
        );
        assert_eq!(
            check(
                &info,
                &remove("28c10230-6103-485e-b985-444c60001490"),
                Floor::DEFAULT
            ),
            Verdict::Refuse(Refusal::PasswordCannotBeRemoved)
        );
    }

    #[test]
    fn the_default_goes_only_after_another_default_is_set() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Mobile, "+44 7700900123"),
                key("k1"),
            ],
            Some(SecondaryMethod::Push),
        );
        assert_eq!(
            check(&info, &remove("a1"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::IsDefault { id: id("a1") })
        );
        // With the default moved to text messages, the app can go.
        let moved = account(info.methods.clone(), Some(SecondaryMethod::Sms));
        assert_eq!(
            check(&moved, &remove("a1"), Floor::DEFAULT),
            Verdict::Confirm(vec![Concern::BelowRecommended {
                after: 2,
                recommended: 3
            }])
        );
    }

    #[test]
    fn below_recommended_needs_confirmation_and_below_required_is_refused() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Mobile, "+44 7700900123"),
            ],
            Some(SecondaryMethod::Push),
        );
        let change = remove(MOBILE);
        assert_eq!(
            check(&info, &change, Floor::DEFAULT),
            Verdict::Confirm(vec![
                Concern::BelowRecommended {
                    after: 1,
                    recommended: 3
                },
                Concern::SingleDevice
            ])
        );
        assert_eq!(
            check(&info, &change, Floor::new(3, 2).unwrap()),
            Verdict::Refuse(Refusal::BelowRequired {
                after: 1,
                required: 2
            })
        );
        // Already at the floor and not getting worse: removing a second
        // registration on the same device changes nothing.
        let twins = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                app("a2", "Pixel 8"),
                key("k1"),
            ],
            Some(SecondaryMethod::Sms),
        );
        assert_eq!(
            check(&twins, &remove("a2"), Floor::new(2, 2).unwrap()),
            Verdict::Go
        );
    }

    #[test]
    fn counted_as_the_view_counts_an_ending_sms_number_is_no_loss() {
        use crate::health::{Context, Telephony};
        use time::macros::date;
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                key("k1"),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            Some(SecondaryMethod::Push),
        );
        let ending = Context {
            telephony: Telephony::Ending,
            today: date!(2026 - 12 - 05),
            answers: Vec::new(),
            assume_same_phone: true,
        };
        // By rows, the office line is one of three: removing it is a concern.
        assert_eq!(
            check(&info, &remove(OFFICE), Floor::DEFAULT),
            Verdict::Confirm(vec![Concern::BelowRecommended {
                after: 2,
                recommended: 3
            }])
        );
        // Where voice is ending it never counted: nothing is lost.
        assert_eq!(
            check_counted(&info, &remove(OFFICE), Floor::DEFAULT, Some(&ending)),
            Verdict::Go
        );
        // Where it goes on, it counts as before.
        let own = Context {
            telephony: Telephony::OwnProvider,
            ..ending
        };
        assert!(matches!(
            check_counted(&info, &remove(OFFICE), Floor::DEFAULT, Some(&own)),
            Verdict::Confirm(_)
        ));
    }

    #[test]
    fn losing_the_last_phishing_resistant_method_is_explained() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Mobile, "+44 7700900123"),
                phone(PhoneType::Office, "+44 2079460000"),
                key("k1"),
            ],
            Some(SecondaryMethod::Push),
        );
        assert_eq!(
            check(&info, &remove("k1"), Floor::DEFAULT),
            Verdict::Confirm(vec![Concern::LosesPhishingResistance])
        );
    }

    #[test]
    fn an_old_method_goes_only_after_its_replacement_is_verified() {
        let info = account(
            vec![
                password(),
                app("old", "Old phone"),
                app("new", "New phone"),
                phone(PhoneType::Mobile, "+44 7700900123"),
                key("k1"),
            ],
            Some(SecondaryMethod::Sms),
        );
        let change = |verified, replacement: &str| PlannedChange::Remove {
            id: id("old"),
            replaced_by: Some(Replacement {
                id: id(replacement),
                verified,
            }),
        };
        assert_eq!(
            check(&info, &change(false, "new"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::ReplacementNotVerified {
                replacement: id("new")
            })
        );
        assert_eq!(
            check(&info, &change(true, "new"), Floor::DEFAULT),
            Verdict::Go
        );
        assert_eq!(
            check(&info, &change(true, "gone"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::ReplacementMissing {
                replacement: id("gone")
            })
        );
    }

    #[test]
    fn a_method_that_vanished_is_reported_not_removed() {
        let info = account(vec![password(), app("a1", "Pixel 8")], None);
        assert_eq!(
            check(&info, &remove("zzz"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::NotFound { id: id("zzz") })
        );
    }

    #[test]
    fn a_mobile_stays_while_an_alternate_needs_it() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Mobile, "+44 7700900123"),
                phone(PhoneType::AlternateMobile, "+44 7700900456"),
                key("k1"),
            ],
            Some(SecondaryMethod::Push),
        );
        assert_eq!(
            check(&info, &remove(MOBILE), Floor::DEFAULT),
            Verdict::Refuse(Refusal::MobileNeededByAlternate)
        );
    }

    #[test]
    fn phone_rules_one_per_type_alternate_needs_mobile_no_duplicates() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            Some(SecondaryMethod::Push),
        );
        let add = |t, n: &str| PlannedChange::AddPhone {
            phone_type: t,
            number: number(n),
        };
        assert_eq!(
            check(
                &info,
                &add(PhoneType::Office, "+44 2079461111"),
                Floor::DEFAULT
            ),
            Verdict::Refuse(Refusal::PhoneTypeTaken {
                phone_type: PhoneType::Office,
                existing: id(OFFICE)
            })
        );
        assert_eq!(
            check(
                &info,
                &add(PhoneType::AlternateMobile, "+44 7700900456"),
                Floor::DEFAULT
            ),
            Verdict::Refuse(Refusal::AlternateNeedsMobile)
        );
        assert_eq!(
            check(
                &info,
                &add(PhoneType::Mobile, "+44 2079460000"),
                Floor::DEFAULT
            ),
            Verdict::Refuse(Refusal::DuplicateNumber {
                phone_type: PhoneType::Office
            })
        );
        assert_eq!(
            check(
                &info,
                &add(PhoneType::Mobile, "+44 7700900123"),
                Floor::DEFAULT
            ),
            Verdict::Go
        );
    }

    #[test]
    fn updating_a_number_keeps_the_type_and_refuses_no_ops() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Mobile, "+44 7700900123"),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            Some(SecondaryMethod::Push),
        );
        let update = |id_: &str, n: &str| PlannedChange::UpdatePhone {
            id: id(id_),
            number: number(n),
        };
        assert_eq!(
            check(&info, &update(MOBILE, "+44 7700900999"), Floor::DEFAULT),
            Verdict::Go
        );
        assert_eq!(
            check(&info, &update(MOBILE, "+44 7700900123"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::UnchangedNumber)
        );
        assert_eq!(
            check(&info, &update(MOBILE, "+44 2079460000"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::DuplicateNumber {
                phone_type: PhoneType::Office
            })
        );
        assert_eq!(
            check(&info, &update("a1", "+44 7700900999"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::NotAPhone { id: id("a1") })
        );
        assert_eq!(
            check(&info, &update(ALTERNATE, "+44 7700900999"), Floor::DEFAULT),
            Verdict::Refuse(Refusal::NotFound { id: id(ALTERNATE) })
        );
    }

    #[test]
    fn defaults_offered_are_those_the_account_can_answer() {
        let info = account(
            vec![
                password(),
                app("a1", "Pixel 8"),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            Some(SecondaryMethod::Push),
        );
        assert_eq!(
            default_choices(&info),
            vec![
                SecondaryMethod::Push,
                SecondaryMethod::Oath,
                SecondaryMethod::VoiceOffice
            ]
        );
        assert_eq!(
            check(
                &info,
                &PlannedChange::SetDefault(SecondaryMethod::Sms),
                Floor::DEFAULT
            ),
            Verdict::Refuse(Refusal::NoMethodForDefault(SecondaryMethod::Sms))
        );
        assert_eq!(
            check(
                &info,
                &PlannedChange::SetDefault(SecondaryMethod::Push),
                Floor::DEFAULT
            ),
            Verdict::Refuse(Refusal::AlreadyDefault)
        );
        assert_eq!(
            check(
                &info,
                &PlannedChange::SetDefault(SecondaryMethod::VoiceOffice),
                Floor::DEFAULT
            ),
            Verdict::Go
        );
    }
}
