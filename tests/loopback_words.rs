//! The page the sign-in's loopback listener shows in the browser is served
//! by Rust, so its words are a copy (`mfa_core::language::LoopbackWords`)
//! of the UI catalogues' `browser.*` keys. This fails when a copy differs
//! from its catalogue, or a language has no catalogue file.

use mfa_core::language::{Language, LoopbackWords};

/// `'key': 'value',` lines of a catalogue file (the format ui/README.md
/// describes: one key per line, single-quoted, no escapes in these keys).
fn value(source: &str, key: &str) -> Option<String> {
    let prefix = format!("'{key}': '");
    source.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix(&prefix)?;
        Some(rest.strip_suffix("',")?.to_owned())
    })
}

fn catalogue(language: Language) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src");
    let path = match language {
        Language::En => root.join("messages.ts"),
        other => root.join("locales").join(format!("{}.ts", other.tag())),
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_browser_page_says_what_each_catalogue_says() {
    let mut checked = 0;
    for &language in Language::ALL.iter().filter(|l| !l.is_pseudo()) {
        let source = catalogue(language);
        let LoopbackWords {
            lang,
            signed_in_title,
            signed_in_body,
            failed_title,
            failed_body,
            not_found_title,
            not_found_body,
        } = *language.loopback_words();
        assert_eq!(lang, language.tag());
        for (key, copy) in [
            ("browser.signedIn.title", signed_in_title),
            ("browser.signedIn.body", signed_in_body),
            ("browser.failed.title", failed_title),
            ("browser.failed.body", failed_body),
            ("browser.notFound.title", not_found_title),
            ("browser.notFound.body", not_found_body),
        ] {
            let want = value(&source, key)
                .unwrap_or_else(|| panic!("{}: no {key} in its catalogue", language.tag()));
            assert_eq!(copy, want, "{} {key}", language.tag());
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 6);
}

#[test]
fn the_pseudo_locales_use_english_in_the_browser() {
    for language in [Language::Pseudo, Language::PseudoMirrored] {
        assert_eq!(language.loopback_words(), Language::En.loopback_words());
    }
}
