//! Text the requester typed: the rules that keep it from passing for the
//! relay's own words, and the grammar of a user principal name.
//!
//! Invariants:
//! - [`requester_text`] accepts no character that can start a new line,
//!   hide text or reorder it on screen (C0 and C1 controls, DEL, the Unicode
//!   line and paragraph separators, bidirectional controls, zero-width
//!   joiners and the BOM), so everything typed renders on the one line that
//!   its label starts;
//! - [`quoted`] makes that line unambiguous: a JSON string literal, so a
//!   typed `"` cannot close the quote;
//! - [`Upn::parse`] accepts only what Microsoft Entra accepts as a
//!   `userPrincipalName`, lower-cased, so every comparison and every rate
//!   limit sees one spelling per account.

use std::fmt;

use crate::ContractError;

/// Why a character may not appear in typed text, or `None` when it may.
pub(crate) fn forbidden(c: char) -> Option<&'static str> {
    match c {
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some("a control character"),
        '\u{2028}' | '\u{2029}' => Some("a line separator"),
        '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' => {
            Some("an invisible formatting character")
        }
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' => {
            Some("a bidirectional control")
        }
        _ => None,
    }
}

/// Checks text a requester typed (`path` names the property in errors):
/// at most `max` characters (JSON Schema counts characters) and nothing that
/// could make it look like more than one line of the ticket. Refusals are
/// 400 `invalidField` (length) or 400 `controlCharacter`, naming `path`,
/// the character and where it is.
pub fn requester_text(text: &str, path: &str, max: usize) -> Result<(), ContractError> {
    let length = text.chars().count();
    if length > max {
        return Err(ContractError::bad(
            "invalidField",
            format!("{path} must be at most {max} characters long (it has {length})"),
        ));
    }
    if let Some((index, (c, why))) = text
        .chars()
        .enumerate()
        .find_map(|(i, c)| forbidden(c).map(|why| (i, (c, why))))
    {
        return Err(ContractError::bad(
            "controlCharacter",
            format!(
                "{path} must be one line of text: it has {why} (U+{:04X}) at character {}",
                u32::from(c),
                index + 1
            ),
        ));
    }
    Ok(())
}

/// `text` as a JSON string literal: in double quotes, with `"`, `\` and any
/// control character escaped. What a ticket shows of anything typed.
pub fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// The most characters Entra allows in a UPN, before and after the `@`.
pub const UPN_MAX: usize = 113;
pub const UPN_LOCAL_MAX: usize = 64;
pub const UPN_DOMAIN_MAX: usize = 48;

/// A user principal name as Microsoft Entra allows it ("Password policies
/// and account restrictions in Microsoft Entra ID", username policies):
/// `A-Z a-z 0-9 ' . - _ ! # ^ ~` before the one `@`, no `.` right before
/// it, at most 64 characters before and 48 after, 113 in all. The domain
/// is DNS labels of letters, digits and `-`. Held lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upn(String);

impl Upn {
    /// Parses a UPN; a refusal is 400 `invalidUpn` and says which rule it
    /// broke (never echoing more than the rule).
    pub fn parse(text: &str) -> Result<Upn, ContractError> {
        let refuse = |why: &str| {
            ContractError::bad(
                "invalidUpn",
                format!("upn must be a work account such as name@contoso.com: {why}"),
            )
        };
        let length = text.chars().count();
        if length > UPN_MAX {
            return Err(refuse(&format!(
                "it has {length} characters, at most {UPN_MAX} are allowed"
            )));
        }
        let mut parts = text.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(refuse("it must have exactly one @"));
        };
        if local.is_empty() || local.len() > UPN_LOCAL_MAX {
            return Err(refuse(&format!(
                "the part before the @ must have 1 to {UPN_LOCAL_MAX} characters"
            )));
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "'.-_!#^~".contains(*c)))
        {
            return Err(refuse(&match c {
                ' ' => "it has a space".to_string(),
                c if forbidden(c).is_some() => format!("it has U+{:04X}", u32::from(c)),
                c => format!(
                    "{c:?} is not allowed before the @ (letters, digits and ' . - _ ! # ^ ~ are)"
                ),
            }));
        }
        if local.ends_with('.') {
            return Err(refuse("a . cannot come right before the @"));
        }
        if domain.is_empty() || domain.len() > UPN_DOMAIN_MAX {
            return Err(refuse(&format!(
                "the domain must have 1 to {UPN_DOMAIN_MAX} characters"
            )));
        }
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !domain.contains('.') || !domain.split('.').all(label_ok) {
            return Err(refuse(
                "the part after the @ must be a domain name such as contoso.com",
            ));
        }
        Ok(Upn(text.to_ascii_lowercase()))
    }

    /// Lower-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain, lower-case.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// Whether the domain is one of `domains` (compared case-insensitively).
    pub fn in_any_domain(&self, domains: &[String]) -> bool {
        domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(self.domain()))
    }
}

/// Serialised as its (lower-case) text.
impl serde::Serialize for Upn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_one_line_with_no_hidden_or_reordering_characters() {
        assert!(requester_text("Lost it on the train, call after 3 pm", "x", 100).is_ok());
        assert!(requester_text("Müller 田中 — ok", "x", 100).is_ok());
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\u{1b}[31mb",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{202e}b",
            "a\u{200b}b",
            "a\u{feff}b",
            "a\u{2066}b",
            "a\u{7f}b",
        ] {
            let error = requester_text(bad, "reasonDetail", 100).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (400, "controlCharacter"),
                "{bad:?}"
            );
            assert!(
                error.message.starts_with("reasonDetail "),
                "{}",
                error.message
            );
            assert!(
                error.message.contains("at character 2"),
                "{}",
                error.message
            );
        }
        let error = requester_text(&"é".repeat(11), "device.os", 10).unwrap_err();
        assert_eq!(error.code, "invalidField");
        assert!(error.message.contains("device.os") && error.message.contains("11"));
    }

    #[test]
    fn quoting_cannot_be_closed_from_inside() {
        assert_eq!(
            quoted(r#"x" Device proof: ok"#),
            r#""x\" Device proof: ok""#
        );
        assert_eq!(quoted("a\\b"), r#""a\\b""#);
        assert_eq!(quoted("Müller"), "\"Müller\"");
    }

    #[test]
    fn upns_follow_entras_username_policy() {
        for ok in [
            "dana@contoso-demo.example",
            "Dana.O'Neil@Contoso.COM",
            "a!b#c^d~e_f-g@x.example",
            &format!("{}@{}.com", "a".repeat(64), "b".repeat(44)),
        ] {
            let upn = Upn::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(upn.as_str(), ok.to_ascii_lowercase());
        }
        for (bad, why) in [
            ("dana", "exactly one @"),
            ("dana@x@contoso.com", "exactly one @"),
            (
                "ceo@x.com (lostPhone), enrolled device … adele@contoso.com",
                "exactly one @",
            ),
            ("da na@contoso.com", "space"),
            ("dana\n@contoso.com", "U+000A"),
            ("dana(x)@contoso.com", "'(' is not allowed"),
            ("dana.@contoso.com", "right before the @"),
            ("@contoso.com", "1 to 64"),
            ("dana@", "1 to 48"),
            ("dana@localhost", "domain name"),
            ("dana@contoso..com", "domain name"),
            ("dana@-contoso.com", "domain name"),
            ("dana@contoso.com ", "domain name"),
        ] {
            let error = Upn::parse(bad).unwrap_err();
            assert_eq!((error.status, error.code), (400, "invalidUpn"), "{bad:?}");
            assert!(error.message.contains(why), "{bad:?}: {}", error.message);
        }
        let long = format!("{}@{}.com", "a".repeat(65), "b".repeat(10));
        assert!(Upn::parse(&long).unwrap_err().message.contains("1 to 64"));
        let long = format!("{}@{}.com", "a".repeat(10), "b".repeat(46));
        assert!(Upn::parse(&long).unwrap_err().message.contains("1 to 48"));
    }

    #[test]
    fn domains_compare_case_insensitively() {
        let upn = Upn::parse("Dana@CONTOSO.com").unwrap();
        assert!(upn.in_any_domain(&["contoso.com".into()]));
        assert!(upn.in_any_domain(&["fabrikam.com".into(), "Contoso.Com".into()]));
        assert!(!upn.in_any_domain(&["sub.contoso.com".into()]));
    }
}
