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
//! not framed, and sends no `Referer` (the token is in the URL).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use time::format_description::well_known::Rfc3339;
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

fn when(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A page: `title` and already-escaped `inner` HTML.
fn page(status: StatusCode, title: &str, inner: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#201f1e}}\
         h1{{font-size:1.5rem}}button{{font-size:1.1rem;padding:.6rem 1.4rem;background:#a4262c;color:#fff;border:0;border-radius:4px;cursor:pointer}}\
         .contact{{background:#f3f2f1;padding:.8rem 1rem;border-left:4px solid #0078d4}}</style></head>\
         <body><h1>{title}</h1>{inner}</body></html>",
        title = escape(title)
    );
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

fn not_valid(config: &NotifyConfig, state: &LinkState) -> Response {
    match state {
        LinkState::Used {
            disputed_at: Some(at),
        } => page(
            StatusCode::GONE,
            "This link was already used",
            &format!(
                "<p>The dispute was recorded at {}; the helpdesk has been told not to reset the account. \
                 Nothing more happens from this link.</p>{}",
                escape(&when(*at)),
                contact(config)
            ),
        ),
        LinkState::Used { disputed_at: None } => page(
            StatusCode::GONE,
            "This link was already used",
            &format!("<p>Nothing more happens from this link.</p>{}", contact(config)),
        ),
        LinkState::Expired => page(
            StatusCode::GONE,
            "This link has expired",
            &format!(
                "<p>The link in the security notice works for a limited time, and that time is over. \
                 Nothing was changed. If you did not ask for this, call the helpdesk now:</p>{}",
                contact(config)
            ),
        ),
        LinkState::Unknown | LinkState::Valid(_) => page(
            StatusCode::NOT_FOUND,
            "This link is not known",
            &format!(
                "<p>The relay has no dispute link like this one. Nothing was changed. Check that the whole link \
                 from the security notice was opened, or call the helpdesk:</p>{}",
                contact(config)
            ),
        ),
    }
}

fn unavailable(e: &crate::store::StoreError) -> Response {
    tracing::warn!("a dispute page could not read the store: {e}");
    let mut response = page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Please try again in a minute",
        "<p>The relay cannot reach its database right now. Nothing was changed. Open the link again in a \
         minute, or call the helpdesk.</p>",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    response
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
        Err(e) => return unavailable(&e),
    };
    let LinkState::Valid(subject) = &state else {
        return not_valid(config, &state);
    };
    let what = match subject.kind {
        NoticeKind::Reset => format!(
            "Someone asked the helpdesk to reset the sign-in methods of <b>{}</b> at {} (request {}).",
            escape(&subject.upn),
            escape(&when(subject.created_at)),
            escape(&subject.subject_id)
        ),
        NoticeKind::Enrolment => format!(
            "A device was linked to <b>{}</b> at {} (device key {}).",
            escape(&subject.upn),
            escape(&when(subject.created_at)),
            escape(&subject.subject_id)
        ),
    };
    let effect = match subject.kind {
        NoticeKind::Reset => "The helpdesk is told at once to treat the request as an attack and not to reset anything.",
        NoticeKind::Enrolment => "The device is removed at once: its requests will no longer count as sent from an enrolled device.",
    };
    page(
        StatusCode::OK,
        "Was this you?",
        &format!(
            "<p>{what}</p><p>If you did not ask for this, press the button. {effect}</p>\
             <form method=\"post\"><button type=\"submit\">This wasn't me</button></form>\
             <p>If it was you, close this page: nothing changes.</p>"
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
        Err(e) => return (unavailable(&e), false),
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
        Err(e) => return (unavailable(&e), false),
    }
    tracing::warn!(
        subject = %subject.subject_id,
        %source,
        "the owner of {} disputed it ({})",
        subject.upn,
        subject.kind.as_str()
    );
    let done = match subject.kind {
        NoticeKind::Reset => "The request is marked as disputed, and the helpdesk is told to treat it as an attack and not to reset your sign-in methods.",
        NoticeKind::Enrolment => "The device was removed from your account.",
    };
    (
        page(
            StatusCode::OK,
            "Thank you: it is stopped",
            &format!(
                "<p>{done}</p><p>Someone may be trying to take over your account. Please also tell the helpdesk \
                 yourself:</p>{}<p>Do not give anyone a code or password you receive.</p>",
                contact(config)
            ),
        ),
        true,
    )
}
