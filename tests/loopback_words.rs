//! Words Rust keeps a copy of, checked against the UI catalogues: the page
//! the sign-in's loopback listener shows in the browser
//! (`mfa_core::language::LoopbackWords`, the catalogues' `browser.*` keys),
//! and the relay's default runbook in each language
//! (`helpdesk_contract::ticket::DEFAULT_RUNBOOKS`, the catalogues'
//! `reset.runbook.N`, which the window shows the user). This fails when a
//! copy differs from its catalogue, or a language has no catalogue file.

use mfa_core::language::{Language, LoopbackWords};

/// `'key': 'value',` lines of a catalogue file (the format ui/README.md
/// describes: one key per line, single-quoted, no escapes in these keys).
fn value(source: &str, key: &str) -> Option<String> {
    let prefix = format!("'{key}': '");
    source.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix(&prefix)?;
        Some(rest.strip_suffix("',")?.replace("\\'", "'"))
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

#[test]
fn the_default_runbook_the_user_sees_is_the_relays_in_each_language() {
    for &language in Language::ALL.iter().filter(|l| !l.is_pseudo()) {
        let source = catalogue(language);
        let relay = helpdesk_contract::ticket::default_runbook_in(language.tag())
            .unwrap_or_else(|| panic!("the relay has no {} runbook", language.tag()));
        for (index, step) in relay.iter().enumerate() {
            let key = format!("reset.runbook.{}", index + 1);
            assert_eq!(
                value(&source, &key).as_deref(),
                Some(step.as_str()),
                "{} {key}",
                language.tag()
            );
        }
        let extra = format!("reset.runbook.{}", relay.len() + 1);
        assert_eq!(value(&source, &extra), None, "{} {extra}", language.tag());
    }
    assert_eq!(
        helpdesk_contract::ticket::default_runbook_in("en").unwrap(),
        mfa_core::helpdesk::RUNBOOK
    );
}
