//! The "This wasn't me" pages, at `{public_url}dispute/{token}`.
//!
//! Mail link scanners (Microsoft Defender's Safe Links and the like) open
//! every link in a message before the recipient does, so `GET` changes
//! nothing: it shows what the link disputes and one button. The button's
//! `POST` uses the link up and records the dispute in one transaction
//! (`Store::dispute`), wakes the notifier (which adds the helpdesk note), and
//! shows whom to call. An unknown, expired or used link gets a plain page
//! saying so (404 or 410), never a 500, and changes nothing.
//!
//! Every page is self-contained (no script, no outside resource), not cached,
//! not framed, and sends no `Referer` (the token is in the URL). Every page
//! is in the organisation's language (`NotifyConfig::words`, the relay's
//! `[ticket] language`; `<html lang>` says which): each sentence is escaped,
//! then its values, escaped on their own, are filled in, in one pass, so a
//! value is never expanded nor read as markup.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_contract::notice_words::{rfc3339, NoticeWords};
use helpdesk_contract::ticket::fill;
use time::OffsetDateTime;

use crate::store::notify::{LinkState, NoticeKind};
use crate::store::Store;

use super::{token_hash, NotifyConfig};

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The relay's own words as element text (never an attribute): `&`, `<`
/// and `>` escaped, apostrophes and quotes left as they read.
fn words(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `template` (the relay's words) escaped, with each `{name}` filled with
/// its HTML (escape values with [`escape`] first), in one pass.
fn sentence(template: &str, values: &[(&str, &str)]) -> String {
    fill(&words(template), values)
}

/// A page's HTML: `title` and already-escaped `inner` HTML, in `w`'s
/// language.
fn html(w: &NoticeWords, title: &str, inner: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#201f1e}}\
         h1{{font-size:1.5rem}}button{{font-size:1.1rem;padding:.6rem 1.4rem;background:#a4262c;color:#fff;border:0;border-radius:4px;cursor:pointer}}\
         .contact{{background:#f3f2f1;padding:.8rem 1rem;border-left:4px solid #0078d4}}</style></head>\
         <body><h1>{title}</h1>{inner}</body></html>",
        lang = escape(w.tag),
        title = words(title)
    )
}

/// A page: `html` with its headers.
fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

fn contact(config: &NotifyConfig) -> String {
    format!(
        "<p class=\"contact\">{}</p>",
        escape(&config.helpdesk_contact)
    )
}

/// Whether `token` can be one the relay made (43 base64url characters).
fn well_formed(token: &str) -> bool {
    (20..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The page for a link that cannot dispute (used, expired, unknown).
fn not_valid_html(w: &NoticeWords, contact_html: &str, state: &LinkState) -> (StatusCode, String) {
    let (status, title, inner) = match state {
        LinkState::Used {
            disputed_at: Some(at),
        } => (
            StatusCode::GONE,
            w.used_title,
            format!(
                "<p>{} {}</p>{contact_html}",
                sentence(w.used_recorded, &[("at", &escape(&rfc3339(*at)))]),
                words(w.used_nothing_more),
            ),
        ),
        LinkState::Used { disputed_at: None } => (
            StatusCode::GONE,
            w.used_title,
            format!("<p>{}</p>{contact_html}", words(w.used_nothing_more)),
        ),
        LinkState::Expired => (
            StatusCode::GONE,
            w.expired_title,
            format!("<p>{}</p>{contact_html}", words(w.expired)),
        ),
        LinkState::Unknown | LinkState::Valid(_) => (
            StatusCode::NOT_FOUND,
            w.unknown_title,
            format!("<p>{}</p>{contact_html}", words(w.unknown)),
        ),
    };
    (status, html(w, title, &inner))
}

fn not_valid(config: &NotifyConfig, state: &LinkState) -> Response {
    let (status, html) = not_valid_html(config.words, &contact(config), state);
    page(status, html)
}

fn unavailable_html(w: &NoticeWords) -> String {
    html(
        w,
        w.unavailable_title,
        &format!("<p>{}</p>", words(w.unavailable)),
    )
}

fn unavailable(config: &NotifyConfig, e: &crate::store::StoreError) -> Response {
    tracing::warn!("a dispute page could not read the store: {e}");
    let mut response = page(
        StatusCode::SERVICE_UNAVAILABLE,
        unavailable_html(config.words),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    response
}

/// The page a valid link shows: what it disputes, and one button.
fn ask_html(
    w: &NoticeWords,
    kind: NoticeKind,
    upn: &str,
    at: OffsetDateTime,
    subject_id: &str,
) -> String {
    let upn = format!("<b>{}</b>", escape(upn));
    let at = escape(&rfc3339(at));
    let id = escape(subject_id);
    let (what, effect) = match kind {
        NoticeKind::Reset => (
            sentence(w.ask_reset, &[("upn", &upn), ("at", &at), ("id", &id)]),
            w.ask_reset_effect,
        ),
        NoticeKind::Enrolment => (
            sentence(w.ask_enrolment, &[("upn", &upn), ("at", &at), ("key", &id)]),
            w.ask_enrolment_effect,
        ),
    };
    html(
        w,
        w.ask_title,
        &format!(
            "<p>{what}</p><p>{} {}</p>\
             <form method=\"post\"><button type=\"submit\">{}</button></form>\
             <p>{}</p>",
            words(w.ask_press),
            words(effect),
            words(w.button),
            words(w.ask_if_you),
        ),
    )
}

/// The page after a dispute was recorded: what it did, whom to call.
fn done_html(w: &NoticeWords, contact_html: &str, kind: NoticeKind) -> String {
    let done = match kind {
        NoticeKind::Reset => w.done_reset,
        NoticeKind::Enrolment => w.done_enrolment,
    };
    html(
        w,
        w.done_title,
        &format!(
            "<p>{}</p><p>{}</p>{contact_html}<p>{}</p>",
            words(done),
            words(w.done_tell),
            words(w.done_no_codes),
        ),
    )
}

/// `GET /dispute/{token}`: what the link disputes, and one button.
pub async fn show(store: &Store, config: &NotifyConfig, token: &str) -> Response {
    if !well_formed(token) {
        return not_valid(config, &LinkState::Unknown);
    }
    let state = match store
        .dispute_link(&token_hash(token), OffsetDateTime::now_utc())
        .await
    {
        Ok(state) => state,
        Err(e) => return unavailable(config, &e),
    };
    let LinkState::Valid(subject) = &state else {
        return not_valid(config, &state);
    };
    page(
        StatusCode::OK,
        ask_html(
            config.words,
            subject.kind,
            &subject.upn,
            subject.created_at,
            &subject.subject_id,
        ),
    )
}

/// `POST /dispute/{token}`: records the dispute (once), says whom to call.
/// `true` in the second member if a dispute was recorded now.
pub async fn dispute(
    store: &Store,
    config: &NotifyConfig,
    token: &str,
    source: &str,
) -> (Response, bool) {
    if !well_formed(token) {
        return (not_valid(config, &LinkState::Unknown), false);
    }
    let hash = token_hash(token);
    let now = OffsetDateTime::now_utc();
    let state = match store.dispute_link(&hash, now).await {
        Ok(state) => state,
        Err(e) => return (unavailable(config, &e), false),
    };
    let LinkState::Valid(subject) = state else {
        return (not_valid(config, &state), false);
    };
    match store.dispute(&hash, source, now).await {
        Ok(true) => {}
        Ok(false) => {
            // Used by a concurrent press, or it expired meanwhile.
            let state = store
                .dispute_link(&hash, OffsetDateTime::now_utc())
                .await
                .unwrap_or(LinkState::Unknown);
            return (not_valid(config, &state), false);
        }
        Err(e) => return (unavailable(config, &e), false),
    }
    tracing::warn!(
        subject = %subject.subject_id,
        %source,
        "the owner of {} disputed it ({})",
        subject.upn,
        subject.kind.as_str()
    );
    (
        page(
            StatusCode::OK,
            done_html(config.words, &contact(config), subject.kind),
        ),
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpdesk_contract::notice_words::{notice_words, ENGLISH};
    use time::macros::datetime;

    const TAGS: [&str; 7] = ["en", "de", "fr", "es", "ja", "pt-BR", "zh-Hans"];
    const AT: OffsetDateTime = datetime!(2026-03-01 09:30:05 UTC);

    /// Every page a link can show, in `w`'s language.
    fn every_page(w: &NoticeWords) -> Vec<String> {
        let contact = "<p class=\"contact\">Call +44 20 7946 0000</p>";
        let mut pages = Vec::new();
        for kind in [NoticeKind::Reset, NoticeKind::Enrolment] {
            pages.push(ask_html(w, kind, "dana@contoso.example", AT, "rr-1"));
            pages.push(done_html(w, contact, kind));
        }
        for state in [
            LinkState::Used {
                disputed_at: Some(AT),
            },
            LinkState::Used { disputed_at: None },
            LinkState::Expired,
            LinkState::Unknown,
        ] {
            pages.push(not_valid_html(w, contact, &state).1);
        }
        pages.push(unavailable_html(w));
        pages
    }

    /// The page's text after its style sheet (which has braces of its own).
    fn body(html: &str) -> &str {
        &html[html.find("<body>").unwrap()..]
    }

    #[test]
    fn every_page_is_in_the_organisations_language_with_nothing_left_to_fill() {
        let english = every_page(&ENGLISH);
        let english_sentences = [
            ENGLISH.ask_title,
            ENGLISH.ask_press,
            ENGLISH.used_title,
            ENGLISH.used_nothing_more,
            ENGLISH.expired_title,
            ENGLISH.unknown_title,
            ENGLISH.unavailable_title,
            ENGLISH.done_title,
            ENGLISH.done_enrolment,
            ENGLISH.done_no_codes,
        ];
        for tag in TAGS {
            let w = notice_words(tag).unwrap();
            let pages = every_page(w);
            for (page, ours) in pages.iter().zip(&english) {
                assert!(
                    page.starts_with(&format!("<!doctype html><html lang=\"{tag}\">")),
                    "{page}"
                );
                assert!(!body(page).contains(['{', '}']), "{tag}: {page}");
                if tag != "en" {
                    assert_ne!(body(page), body(ours), "{tag}");
                    for sentence in english_sentences {
                        assert!(!page.contains(&words(sentence)), "{tag}: {sentence}");
                    }
                    assert!(!page.contains("wasn't"), "{tag}: {page}");
                }
            }
            // The button is the language's own.
            assert!(pages[0].contains(&format!(
                "<button type=\"submit\">{}</button>",
                words(w.button)
            )));
        }
    }

    #[test]
    fn the_english_pages_read_as_before() {
        let ask = ask_html(
            &ENGLISH,
            NoticeKind::Reset,
            "dana@contoso.example",
            AT,
            "rr-1",
        );
        assert!(body(&ask).starts_with(
            "<body><h1>Was this you?</h1><p>Someone asked the helpdesk to reset the sign-in methods of \
             <b>dana@contoso.example</b> at 2026-03-01T09:30:05Z (request rr-1).</p><p>If you did not \
             ask for this, press the button. The helpdesk is told at once to treat the request as an \
             attack and not to reset anything.</p><form method=\"post\"><button type=\"submit\">This \
             wasn't me</button></form>"
        ), "{ask}");
    }

    /// Values are escaped on their own and filled in once: markup stays
    /// text, and a `{name}` in a value stays as it was.
    #[test]
    fn values_are_escaped_and_never_expanded() {
        let w = notice_words("de").unwrap();
        for kind in [NoticeKind::Reset, NoticeKind::Enrolment] {
            let page = ask_html(w, kind, "<script>{at}</script>", AT, "{upn}&\"'<b>");
            assert!(!page.contains("<script>"), "{page}");
            assert!(
                page.contains("<b>&lt;script&gt;{at}&lt;/script&gt;</b>"),
                "{page}"
            );
            assert!(page.contains("{upn}&amp;&quot;&#39;&lt;b&gt;"), "{page}");
            assert_eq!(page.matches("2026-03-01T09:30:05Z").count(), 1, "{page}");
        }
    }
}
