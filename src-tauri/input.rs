//! What the webview may send: every command argument is one of these typed
//! inputs, generated to TypeScript beside the views (`ui/src/bindings.ts`),
//! and checked before the command runs.
//!
//! A command takes its arguments as [`Checked`]: an argument that does not
//! parse becomes `{code: "invalid_input", message, field}` naming the
//! argument (or the form's field) at fault, never Tauri's untyped string,
//! and nothing is sent. Choices come from one table per input
//! ([`input_enum!`]) that drives the Rust parsing, the TypeScript union and
//! the error's list of what is allowed.

use helpdesk_contract::{CallbackPreference, Reason, StillHas};
use mfa_core::assistant::Answer;
use mfa_core::journey::Registration;
use mfa_core::language::Language;
use mfa_core::security_info::{PhoneType, SecondaryMethod};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::Runtime;
use ts_rs::TS;

use crate::wire::{ErrorCode, ErrorView};

/// `"a", "b" or "c"`.
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// One table per choice: the Rust enum, its wire spelling (also the
/// TypeScript union), and the domain value it stands for.
macro_rules! input_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal => $domain:ty {
        $($variant:ident = $wire:literal => $to:expr,)+
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, TS)]
        pub enum $name {
            $(#[ts(rename = $wire)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling the webview sends.
            pub fn wire_name(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The input spelled `name`, if there is one.
            pub fn from_wire(name: &str) -> Option<$name> {
                match name { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        // Views offer choices in the same spelling (`SecurityInfoView`).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.wire_name())
            }
        }

        impl From<$name> for $domain {
            fn from(input: $name) -> $domain {
                match input { $($name::$variant => $to),+ }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = String::deserialize(d)?;
                match text.as_str() {
                    $($wire => Ok($name::$variant),)+
                    other => Err(D::Error::custom(format!(
                        "{} is {}; got {other:?}",
                        $what,
                        one_of(&[$($wire),+])
                    ))),
                }
            }
        }
    };
}

input_enum! {
    /// A phone method's type.
    PhoneTypeInput, "a phone type" => PhoneType {
        Mobile = "mobile" => PhoneType::Mobile,
        AlternateMobile = "alternateMobile" => PhoneType::AlternateMobile,
        Office = "office" => PhoneType::Office,
    }
}

input_enum! {
    /// A default sign-in method the user may choose.
    DefaultChoiceInput, "a default" => SecondaryMethod {
        Push = "push" => SecondaryMethod::Push,
        Oath = "oath" => SecondaryMethod::Oath,
        Sms = "sms" => SecondaryMethod::Sms,
        VoiceMobile = "voiceMobile" => SecondaryMethod::VoiceMobile,
        VoiceAlternateMobile = "voiceAlternateMobile" => SecondaryMethod::VoiceAlternateMobile,
        VoiceOffice = "voiceOffice" => SecondaryMethod::VoiceOffice,
    }
}

input_enum! {
    /// A method "get to three" registers.
    RegistrationInput, "a method to add" => Registration {
        Authenticator = "authenticator" => Registration::Authenticator,
        AuthenticatorApp = "authenticatorApp" => Registration::AuthenticatorApp,
        SecurityKey = "securityKey" => Registration::SecurityKey,
    }
}

input_enum! {
    /// The user's answer at a journey step.
    AnswerInput, "an answer" => Answer {
        Works = "works" => Answer::Works,
        NotWorking = "notWorking" => Answer::NotWorking,
        AcceptConcerns = "acceptConcerns" => Answer::AcceptConcerns,
    }
}

input_enum! {
    /// A language chosen in the window; `system` follows the operating system again.
    LanguageInput, "a language" => Option<Language> {
        System = "system" => None,
        En = "en" => Some(Language::En),
        De = "de" => Some(Language::De),
        Fr = "fr" => Some(Language::Fr),
        Es = "es" => Some(Language::Es),
        Ja = "ja" => Some(Language::Ja),
        PtBr = "pt-BR" => Some(Language::PtBr),
        ZhHans = "zh-Hans" => Some(Language::ZhHans),
        Pseudo = "qps-ploc" => Some(Language::Pseudo),
        PseudoMirrored = "qps-plocm" => Some(Language::PseudoMirrored),
    }
}

/// The webview's `navigator.languages`: at most 32 BCP 47 tags of at most
/// 35 letters, digits and hyphens (RFC 5646's longest useful tag).
pub fn webview_languages(tags: Vec<String>) -> Result<Vec<String>, ErrorView> {
    let well_formed = |t: &String| {
        !t.is_empty() && t.len() <= 35 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if tags.len() > 32 || !tags.iter().all(well_formed) {
        return Err(ErrorView::for_field(
            ErrorCode::InvalidInput,
            "webview",
            format!(
                "webview: at most 32 language tags of letters, digits and hyphens; got {tags:?}"
            ),
        ));
    }
    Ok(tags)
}

/// The CSV export's column names in the window's language: five of 1 to
/// 100 characters, none a control character.
pub fn csv_headers(names: Vec<String>) -> Result<mfa_core::journey::CsvHeaders, ErrorView> {
    let fits = |n: &String| {
        let count = n.chars().count();
        (1..=100).contains(&count) && !n.chars().any(char::is_control)
    };
    let refused = |names: &Vec<String>| {
        ErrorView::for_field(
            ErrorCode::InvalidInput,
            "headers",
            format!("headers: five column names of 1 to 100 characters without control characters; got {names:?}"),
        )
    };
    if !names.iter().all(fits) {
        return Err(refused(&names));
    }
    let five: [String; 5] = names.try_into().map_err(|n| refused(&n))?;
    Ok(mfa_core::journey::CsvHeaders(five))
}

/// The "request admin reset" form as the user filled it in. Its choices
/// are the relay contract's own (`helpdesk_contract`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(rename_all = "camelCase")]
pub struct ResetFormInput {
    pub upn: String,
    pub reason: Reason,
    pub reason_detail: String,
    pub still_has: Vec<StillHas>,
    pub callback: CallbackPreference,
    pub availability: String,
}

impl From<ResetFormInput> for mfa_core::helpdesk::ResetForm {
    fn from(f: ResetFormInput) -> mfa_core::helpdesk::ResetForm {
        mfa_core::helpdesk::ResetForm {
            upn: f.upn,
            reason: f.reason,
            reason_detail: f.reason_detail,
            still_has: f.still_has,
            callback: f.callback,
            availability: f.availability,
        }
    }
}

/// A command argument that parsed, or the `invalid_input` error naming it.
#[derive(Debug)]
pub struct Checked<T>(pub T);

impl<T> Checked<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'de, T: DeserializeOwned, R: Runtime> CommandArg<'de, R> for Checked<T> {
    fn from_command(item: CommandItem<'de, R>) -> Result<Checked<T>, InvokeError> {
        let argument = item.key;
        serde_path_to_error::deserialize(item)
            .map(Checked)
            .map_err(|e| {
                // Inside a form, the field's own name; else the argument's.
                let field = match e.path().to_string() {
                    path if path == "." || path.is_empty() => argument.to_owned(),
                    path => path,
                };
                let message = e.into_inner().to_string();
                InvokeError::from(ErrorView::for_field(
                    ErrorCode::InvalidInput,
                    &field,
                    format!("{field}: {message}"),
                ))
            })
    }
}

/// The two halves of "is <number> on the same phone as Authenticator on
/// <phone>?" as the webview sends them back: a phone number in Graph's
/// format (normalised as typed numbers are) and a device name of at most 256
/// characters without control characters. The core then checks both are on
/// the account.
pub fn same_phone_question(number: &str, phone: &str) -> Result<(String, String), ErrorView> {
    let number = mfa_core::guardrails::PhoneNumber::parse(number).map_err(|e| {
        ErrorView::for_field(ErrorCode::InvalidInput, "number", e.to_string())
            .with(crate::errors::phone_number_detail(&e, number))
    })?;
    let name = phone.trim();
    if name.is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        return Err(ErrorView::for_field(
            ErrorCode::InvalidInput,
            "phone",
            format!("phone: a device name of 1 to 256 characters without control characters; got {phone:?}"),
        ));
    }
    Ok((number.as_str().to_owned(), name.to_owned()))
}

/// A new phone number as the user typed it twice: the first must be a
/// number (its problem is the `number` field's), and the second the same
/// number once normalised (else the `numberAgain` field's), so a slipped
/// digit is caught before a journey starts.
pub fn new_phone_number(
    number: &str,
    again: &str,
) -> Result<mfa_core::guardrails::PhoneNumber, ErrorView> {
    use mfa_core::guardrails::PhoneNumber;
    let refused = |field: &str, e: mfa_core::guardrails::PhoneNumberError| {
        ErrorView::for_field(ErrorCode::InvalidInput, field, e.to_string())
            .with(crate::errors::phone_number_detail(&e, number))
    };
    PhoneNumber::parse(number).map_err(|e| refused("number", e))?;
    PhoneNumber::typed_twice(number, again).map_err(|e| refused("numberAgain", e))
}
