//! The window's language: which ones exist, which one the operating system
//! asks for, and the user's own choice, remembered in an owner-only file.
//!
//! Rust only picks the language; the words live in the UI's catalogues
//! (`ui/src/messages.ts`, `ui/src/locales/`). The order, first match wins:
//! `MFA_ASSISTANT_LANGUAGE` (tests and support), the choice made in the
//! window (`language.json`), the organisation's `language` setting, the
//! operating system's preferences, then the webview's
//! (`navigator.languages`), then English.
//!
//! Platform code is one function, [`os_preferences`]: on Linux and the other
//! Unixes the POSIX variables (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`,
//! as gettext reads them); on Windows and macOS nothing, because WebView2
//! and WKWebView already give the page the user's preferred languages
//! (`navigator.languages`), which the window passes in.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Every language the window speaks (the UI's `Language` type spells the same tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    En,
    De,
    Fr,
    Es,
    Ja,
    PtBr,
    ZhHans,
    /// Accented and about 40% longer English: shows cut text.
    Pseudo,
    /// The same, right to left: shows that the layout mirrors.
    PseudoMirrored,
}

impl Language {
    pub const ALL: &'static [Language] = &[
        Language::En,
        Language::De,
        Language::Fr,
        Language::Es,
        Language::Ja,
        Language::PtBr,
        Language::ZhHans,
        Language::Pseudo,
        Language::PseudoMirrored,
    ];

    /// The BCP 47 tag, as the UI and `language.json` spell it.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Es => "es",
            Language::Ja => "ja",
            Language::PtBr => "pt-BR",
            Language::ZhHans => "zh-Hans",
            Language::Pseudo => "qps-ploc",
            Language::PseudoMirrored => "qps-plocm",
        }
    }

    /// The language whose tag is exactly `tag`.
    pub fn from_tag(tag: &str) -> Option<Language> {
        Language::ALL.iter().copied().find(|l| l.tag() == tag)
    }

    /// A test language, offered in the window only when it is in use.
    pub fn is_pseudo(self) -> bool {
        matches!(self, Language::Pseudo | Language::PseudoMirrored)
    }

    /// The language for one preference: a BCP 47 tag (`de-AT`, `zh-Hant-TW`)
    /// or a POSIX locale (`pt_BR.UTF-8`, `de_DE@euro`). Any Portuguese gets
    /// Brazilian Portuguese and any Spanish Spanish (closer than English);
    /// Chinese only in simplified script: `zh-Hant`, `zh-TW`, `zh-HK` and
    /// `zh-MO` match nothing, so the next preference (or English) is used.
    pub fn matching(preference: &str) -> Option<Language> {
        let tag = preference
            .split(['.', '@'])
            .next()
            .unwrap_or("")
            .replace('_', "-")
            .to_ascii_lowercase();
        if tag == "qps-ploc" || tag == "qps-plocm" {
            return Language::from_tag(&tag);
        }
        let mut subtags = tag.split('-');
        let primary = subtags.next().unwrap_or("");
        let rest: Vec<&str> = subtags.collect();
        match primary {
            "en" => Some(Language::En),
            "de" => Some(Language::De),
            "fr" => Some(Language::Fr),
            "es" => Some(Language::Es),
            "ja" => Some(Language::Ja),
            "pt" => Some(Language::PtBr),
            "zh" => {
                let traditional = rest
                    .iter()
                    .any(|s| matches!(*s, "hant" | "tw" | "hk" | "mo"));
                let simplified = rest.contains(&"hans");
                (simplified || !traditional).then_some(Language::ZhHans)
            }
            _ => None,
        }
    }

    /// The first of `preferences` this app speaks.
    pub fn negotiate<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Option<Language> {
        preferences.into_iter().find_map(Language::matching)
    }
}

/// The user's languages as the POSIX variables give them, most wanted
/// first, the way gettext reads them: `LANGUAGE` (a colon-separated list,
/// ignored when the locale is C or POSIX), then the first set of `LC_ALL`,
/// `LC_MESSAGES` and `LANG`.
pub fn posix_preferences(var: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    let locale = set("LC_ALL")
        .or_else(|| set("LC_MESSAGES"))
        .or_else(|| set("LANG"));
    let neutral = |l: &str| {
        let base = l.split('.').next().unwrap_or("");
        base == "C" || base == "POSIX"
    };
    let mut out = Vec::new();
    if let Some(locale) = &locale {
        if !neutral(locale) {
            if let Some(list) = set("LANGUAGE") {
                out.extend(list.split(':').filter(|l| !l.is_empty()).map(String::from));
            }
            out.push(locale.clone());
        }
    }
    out
}

/// The operating system's language preferences (see the module's notes).
pub fn os_preferences() -> Vec<String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        posix_preferences(|name| std::env::var(name).ok())
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        Vec::new()
    }
}

/// The variable that overrides every other source (tests, support calls).
pub const OVERRIDE_VAR: &str = "MFA_ASSISTANT_LANGUAGE";

/// What decides the window's language, in order.
#[derive(Debug, Clone, Default)]
pub struct Sources<'a> {
    /// `MFA_ASSISTANT_LANGUAGE`, when set.
    pub forced: Option<&'a str>,
    /// The choice made in the window.
    pub chosen: Option<Language>,
    /// The organisation's `language` setting (a default, not a lock).
    pub organisation: Option<Language>,
    /// The operating system's preferences.
    pub os: &'a [String],
    /// The webview's `navigator.languages`.
    pub webview: &'a [String],
}

/// The window's language from its sources (first match wins; English last).
pub fn decide(sources: &Sources<'_>) -> Language {
    sources
        .forced
        .and_then(Language::matching)
        .or(sources.chosen)
        .or(sources.organisation)
        .or_else(|| Language::negotiate(sources.os.iter().map(String::as_str)))
        .or_else(|| Language::negotiate(sources.webview.iter().map(String::as_str)))
        .unwrap_or(Language::En)
}

/// The window's language, shared with the code that must speak it without
/// the window: the sign-in's browser page (`auth`). Set each time the
/// window asks for its language.
#[derive(Debug, Clone, Default)]
pub struct CurrentLanguage(std::sync::Arc<std::sync::Mutex<Language>>);

impl CurrentLanguage {
    pub fn get(&self) -> Language {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set(&self, language: Language) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = language;
    }
}

/// The words of the page the loopback listener shows in the browser after
/// a sign-in. They are the UI catalogues' `browser.*` keys, copied here
/// because the page is served by Rust while the window may not be looking;
/// the app's `tests/loopback_words.rs` fails when a copy differs from its
/// catalogue. The pseudo-locales use English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopbackWords {
    /// The page's `lang` attribute.
    pub lang: &'static str,
    pub signed_in_title: &'static str,
    pub signed_in_body: &'static str,
    pub failed_title: &'static str,
    pub failed_body: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
}

impl Language {
    /// The browser page's words in this language.
    pub fn loopback_words(self) -> &'static LoopbackWords {
        match self {
            Language::En | Language::Pseudo | Language::PseudoMirrored => &LOOPBACK_EN,
            Language::De => &LOOPBACK_DE,
            Language::Fr => &LOOPBACK_FR,
            Language::Es => &LOOPBACK_ES,
            Language::Ja => &LOOPBACK_JA,
            Language::PtBr => &LOOPBACK_PT_BR,
            Language::ZhHans => &LOOPBACK_ZH_HANS,
        }
    }
}

const LOOPBACK_EN: LoopbackWords = LoopbackWords {
    lang: "en",
    signed_in_title: "Signed in",
    signed_in_body: "Signed in, you can close this tab and return to MFA Assistant.",
    failed_title: "Sign-in did not complete",
    failed_body:
        "Sign-in did not complete. You can close this tab; MFA Assistant explains what to do next.",
    not_found_title: "Not found",
    not_found_body: "Nothing here.",
};
const LOOPBACK_DE: LoopbackWords = LoopbackWords {
    lang: "de",
    signed_in_title: "Angemeldet",
    signed_in_body: "Angemeldet. Sie können diesen Tab schließen und zu MFA Assistant zurückkehren.",
    failed_title: "Anmeldung nicht abgeschlossen",
    failed_body: "Die Anmeldung wurde nicht abgeschlossen. Sie können diesen Tab schließen; MFA Assistant erklärt, wie es weitergeht.",
    not_found_title: "Nicht gefunden",
    not_found_body: "Hier ist nichts.",
};
const LOOPBACK_FR: LoopbackWords = LoopbackWords {
    lang: "fr",
    signed_in_title: "Connecté",
    signed_in_body: "Connecté. Vous pouvez fermer cet onglet et revenir à MFA Assistant.",
    failed_title: "La connexion n’a pas abouti",
    failed_body: "La connexion n’a pas abouti. Vous pouvez fermer cet onglet\u{202f}; MFA Assistant vous explique la suite.",
    not_found_title: "Introuvable",
    not_found_body: "Il n’y a rien ici.",
};
const LOOPBACK_ES: LoopbackWords = LoopbackWords {
    lang: "es",
    signed_in_title: "Sesión iniciada",
    signed_in_body: "Sesión iniciada. Puede cerrar esta pestaña y volver a MFA Assistant.",
    failed_title: "No se completó el inicio de sesión",
    failed_body: "No se completó el inicio de sesión. Puede cerrar esta pestaña; MFA Assistant le explica qué hacer a continuación.",
    not_found_title: "No encontrado",
    not_found_body: "Aquí no hay nada.",
};
const LOOPBACK_JA: LoopbackWords = LoopbackWords {
    lang: "ja",
    signed_in_title: "サインインしました",
    signed_in_body: "サインインしました。このタブを閉じて MFA Assistant に戻ってください。",
    failed_title: "サインインが完了しませんでした",
    failed_body: "サインインが完了しませんでした。このタブを閉じてください。次に行うことは MFA Assistant が説明します。",
    not_found_title: "見つかりません",
    not_found_body: "ここには何もありません。",
};
const LOOPBACK_PT_BR: LoopbackWords = LoopbackWords {
    lang: "pt-BR",
    signed_in_title: "Você entrou",
    signed_in_body: "Você entrou. Pode fechar esta guia e voltar ao MFA Assistant.",
    failed_title: "A entrada não foi concluída",
    failed_body: "A entrada não foi concluída. Você pode fechar esta guia; o MFA Assistant explica o que fazer em seguida.",
    not_found_title: "Não encontrado",
    not_found_body: "Não há nada aqui.",
};
const LOOPBACK_ZH_HANS: LoopbackWords = LoopbackWords {
    lang: "zh-Hans",
    signed_in_title: "已登录",
    signed_in_body: "已登录。你可以关闭此标签页并返回 MFA Assistant。",
    failed_title: "登录未完成",
    failed_body: "登录未完成。你可以关闭此标签页；MFA Assistant 会说明接下来该怎么做。",
    not_found_title: "未找到",
    not_found_body: "此处没有内容。",
};

#[derive(Serialize, Deserialize)]
struct ChoiceFile {
    language: String,
}

/// The choice made in the window, kept in `<data dir>/language.json`
/// (owner-only, like the app's other per-user files).
#[derive(Debug, Clone)]
pub struct ChoiceStore {
    path: PathBuf,
}

impl ChoiceStore {
    pub fn new(data_dir: impl Into<PathBuf>) -> ChoiceStore {
        ChoiceStore {
            path: data_dir.into().join("language.json"),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The remembered choice. A missing, unreadable or unknown one is no
    /// choice (the window then follows the system), never an error: a
    /// language is not worth refusing to start over.
    pub fn load(&self) -> Option<Language> {
        let bytes = std::fs::read(&self.path).ok()?;
        let file: ChoiceFile = serde_json::from_slice(&bytes).ok()?;
        Language::from_tag(&file.language)
    }

    /// Remembers `choice`; `None` forgets it (follow the system again).
    pub fn save(&self, choice: Option<Language>) -> std::io::Result<()> {
        match choice {
            None => match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Some(language) => {
                if let Some(dir) = self.path.parent() {
                    crate::owner_only::create_app_dir(dir)?;
                }
                let body = serde_json::to_vec(&ChoiceFile {
                    language: language.tag().to_owned(),
                })
                .map_err(std::io::Error::other)?;
                let partial = self.path.with_extension("json.partial");
                let mut file = crate::owner_only::create(&partial)?;
                file.write_all(&body)?;
                file.sync_all()?;
                std::fs::rename(&partial, &self.path)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn tags_round_trip() {
        for &l in Language::ALL {
            assert_eq!(Language::from_tag(l.tag()), Some(l));
        }
        assert_eq!(Language::from_tag("de-DE"), None);
    }

    #[test]
    fn matches_bcp47_and_posix_spellings() {
        let cases = [
            ("de_DE.UTF-8", Some(Language::De)),
            ("de_AT@euro", Some(Language::De)),
            ("fr-CA", Some(Language::Fr)),
            ("es-419", Some(Language::Es)),
            ("ja_JP.eucJP", Some(Language::Ja)),
            ("pt_BR.UTF-8", Some(Language::PtBr)),
            ("pt-PT", Some(Language::PtBr)),
            ("zh_CN.UTF-8", Some(Language::ZhHans)),
            ("zh-Hans-HK", Some(Language::ZhHans)),
            ("zh", Some(Language::ZhHans)),
            ("zh_TW.UTF-8", None),
            ("zh-Hant", None),
            ("zh-HK", None),
            ("en_GB.UTF-8", Some(Language::En)),
            ("nl_NL.UTF-8", None),
            ("C.UTF-8", None),
            ("qps-ploc", Some(Language::Pseudo)),
            ("qps-plocm", Some(Language::PseudoMirrored)),
            ("", None),
        ];
        for (preference, want) in cases {
            assert_eq!(Language::matching(preference), want, "{preference}");
        }
        assert_eq!(
            Language::negotiate(["nl-NL", "zh-TW", "fr-FR", "de"]),
            Some(Language::Fr)
        );
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn posix_variables_in_gettexts_order() {
        assert_eq!(
            posix_preferences(env(&[("LANG", "de_DE.UTF-8")])),
            ["de_DE.UTF-8"]
        );
        assert_eq!(
            posix_preferences(env(&[
                ("LANG", "en_US.UTF-8"),
                ("LC_MESSAGES", "fr_FR.UTF-8"),
                ("LC_ALL", "")
            ])),
            ["fr_FR.UTF-8"]
        );
        assert_eq!(
            posix_preferences(env(&[
                ("LANG", "en_US.UTF-8"),
                ("LC_ALL", "ja_JP.UTF-8"),
                ("LC_MESSAGES", "fr_FR.UTF-8")
            ])),
            ["ja_JP.UTF-8"]
        );
        assert_eq!(
            posix_preferences(env(&[
                ("LANG", "de_DE.UTF-8"),
                ("LANGUAGE", "pt_BR:es::en")
            ])),
            ["pt_BR", "es", "en", "de_DE.UTF-8"]
        );
        // gettext ignores LANGUAGE under the C locale.
        assert!(posix_preferences(env(&[("LANG", "C"), ("LANGUAGE", "de")])).is_empty());
        assert!(posix_preferences(env(&[])).is_empty());
    }

    #[test]
    fn decides_forced_then_chosen_then_organisation_then_system_then_webview_then_english() {
        let os = vec!["nl_NL.UTF-8".to_owned(), "de_DE.UTF-8".to_owned()];
        let webview = vec!["ja-JP".to_owned()];
        let all = Sources {
            forced: Some("qps-plocm"),
            chosen: Some(Language::Fr),
            organisation: Some(Language::Es),
            os: &os,
            webview: &webview,
        };
        assert_eq!(decide(&all), Language::PseudoMirrored);
        let chosen = Sources {
            forced: None,
            ..all.clone()
        };
        assert_eq!(decide(&chosen), Language::Fr);
        let organisation = Sources {
            chosen: None,
            ..chosen.clone()
        };
        assert_eq!(decide(&organisation), Language::Es);
        let system = Sources {
            organisation: None,
            ..organisation.clone()
        };
        assert_eq!(decide(&system), Language::De);
        let webview_only = Sources {
            os: &[],
            ..system.clone()
        };
        assert_eq!(decide(&webview_only), Language::Ja);
        assert_eq!(decide(&Sources::default()), Language::En);
        // An unknown forced value falls through rather than failing.
        let unknown = Sources {
            forced: Some("xx"),
            ..system
        };
        assert_eq!(decide(&unknown), Language::De);
    }

    #[test]
    fn the_choice_is_remembered_owner_only_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let store = ChoiceStore::new(dir.path().join("app"));
        assert_eq!(store.load(), None);
        store.save(Some(Language::ZhHans)).unwrap();
        assert_eq!(store.load(), Some(Language::ZhHans));
        assert_eq!(
            std::fs::read_to_string(store.path()).unwrap(),
            r#"{"language":"zh-Hans"}"#
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.save(None).unwrap();
        assert_eq!(store.load(), None);
        store.save(None).unwrap();
        // A damaged or unknown file is no choice, not an error.
        std::fs::write(store.path(), b"{not json").unwrap();
        assert_eq!(store.load(), None);
        std::fs::write(store.path(), br#"{"language":"tlh"}"#).unwrap();
        assert_eq!(store.load(), None);
    }
}
