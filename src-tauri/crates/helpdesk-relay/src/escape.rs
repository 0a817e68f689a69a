//! What a sender typed, made safe for a log line or an operator's terminal.
//!
//! A request's UPN, an unknown field's name, a header: any of them may carry
//! a newline (a forged log line), an ANSI escape (`ESC [`, which recolours
//! or rewrites an operator's terminal), a bidirectional override that shows
//! text in another order, or megabytes. [`escaped`] writes control and
//! invisible format characters as `\u{…}` (`\n`, `\r`, `\t` as such),
//! backslashes doubled, and cuts the text at [`MAX_CHARS`] characters,
//! saying how many more there were; [`quoted`] adds double quotes (a `"`
//! inside escaped), for a value inside a relay sentence.
//!
//! Every log line and listing that includes request-derived text goes
//! through one of them.

use std::fmt::{self, Display, Write};

/// The most characters of one value that reach a log line.
pub const MAX_CHARS: usize = 256;

/// `text` escaped, without quotes.
pub fn escaped(text: &str) -> Escaped<'_> {
    Escaped { text, quote: false }
}

/// `text` escaped, in double quotes.
pub fn quoted(text: &str) -> Escaped<'_> {
    Escaped { text, quote: true }
}

/// [`escaped`] or [`quoted`], written when displayed.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a> {
    text: &'a str,
    quote: bool,
}

/// Unicode's invisible format characters (category Cf) and the line and
/// paragraph separators: each can make a line read other than it is.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

impl Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quote {
            f.write_char('"')?;
        }
        let mut chars = self.text.chars();
        for c in chars.by_ref().take(MAX_CHARS) {
            match c {
                '\\' => f.write_str("\\\\")?,
                '"' if self.quote => f.write_str("\\\"")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() || is_invisible(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        let more = chars.count();
        if self.quote {
            f.write_char('"')?;
        }
        if more > 0 {
            write!(f, "… ({more} more characters)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_newlines_ansi_escapes_and_invisible_marks_are_written_visibly() {
        let forged = "ceo@contoso.com\n2026-01-01T00:00:00Z  INFO accepted\x1b[2K\x1b[1A\r\u{202E}moc\u{200B}\u{7f}\\";
        let shown = escaped(forged).to_string();
        assert_eq!(
            shown,
            "ceo@contoso.com\\n2026-01-01T00:00:00Z  INFO accepted\\u{1b}[2K\\u{1b}[1A\\r\\u{202e}moc\\u{200b}\\u{7f}\\\\"
        );
        assert!(!shown.chars().any(|c| c.is_control()), "{shown}");
        assert_eq!(
            quoted("a \"b\"\tc").to_string(),
            "\"a \\\"b\\\"\\tc\"",
            "a quote cannot end the quoted value early"
        );
        assert_eq!(escaped("dana@contoso.com").to_string(), "dana@contoso.com");
        assert_eq!(
            escaped("Zoë Ångström 日本").to_string(),
            "Zoë Ångström 日本",
            "ordinary letters are kept"
        );
    }

    #[test]
    fn a_long_value_is_cut_and_says_how_much_more_there_was() {
        let long = "x".repeat(MAX_CHARS + 10);
        let shown = quoted(&long).to_string();
        assert_eq!(
            shown,
            format!("\"{}\"… (10 more characters)", "x".repeat(MAX_CHARS))
        );
        assert_eq!(
            escaped(&"y".repeat(MAX_CHARS)).to_string(),
            "y".repeat(MAX_CHARS)
        );
    }
}
