//! The shared test vectors in `tests/vectors/` (at the repository's root),
//! fed to the Rust rules. `ui/src/validate.test.ts` feeds the same files to
//! the UI's early checks, so what the UI lets through is exactly what these
//! rules accept, and a field the UI blames is the field the back end names.

use std::path::PathBuf;

use mfa_core::guardrails::PhoneNumber;
use mfa_core::helpdesk::{Device, ResetForm};
use serde::Deserialize;
use time::macros::datetime;

fn vectors<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let vectors: Vec<T> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!vectors.is_empty(), "{} has no vectors", path.display());
    vectors
}

#[derive(Deserialize)]
struct PhoneVector {
    why: String,
    input: String,
    valid: bool,
    normalized: Option<String>,
    field: Option<String>,
}

#[test]
fn phone_numbers_are_accepted_and_refused_as_the_shared_vectors_say() {
    let all: Vec<PhoneVector> = vectors("phone-numbers.json");
    for v in &all {
        let parsed = PhoneNumber::parse(&v.input);
        if v.valid {
            let number = parsed.unwrap_or_else(|e| panic!("{}: {:?} refused: {e}", v.why, v.input));
            assert_eq!(Some(number.as_str()), v.normalized.as_deref(), "{}", v.why);
        } else {
            assert!(parsed.is_err(), "{}: {:?} accepted", v.why, v.input);
            assert_eq!(
                v.field.as_deref(),
                Some("number"),
                "{}: the number is the field at fault",
                v.why
            );
        }
    }
    assert!(all.iter().any(|v| v.valid) && all.iter().any(|v| !v.valid));
}

#[derive(Deserialize)]
struct FormVector {
    why: String,
    form: ResetForm,
    valid: bool,
    field: Option<String>,
}

#[test]
fn reset_forms_are_accepted_and_refused_at_the_field_the_shared_vectors_name() {
    let all: Vec<FormVector> = vectors("reset-form.json");
    for v in &all {
        // No domain list: the UI cannot know the organisation's domains.
        let prepared = v.form.prepare(
            &[],
            Some("contoso-demo.example"),
            Device {
                os: "Debian 12".into(),
                app_version: "0.1.0".into(),
            },
            datetime!(2026-11-22 9:30:15 UTC),
            "maple-otter-47".into(),
        );
        match (&prepared, v.valid) {
            (Ok(_), true) => {}
            (Err(e), false) => assert_eq!(Some(e.field), v.field.as_deref(), "{}: {e}", v.why),
            (Ok(_), false) => panic!("{}: accepted, expected a problem in {:?}", v.why, v.field),
            (Err(e), true) => panic!("{}: refused: {e}", v.why),
        }
    }
    for field in ["upn", "reasonDetail", "availability", "stillHas"] {
        assert!(
            all.iter().any(|v| v.field.as_deref() == Some(field)),
            "a vector blames {field}"
        );
    }
}
