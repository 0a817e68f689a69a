//! Entra account recovery, emulated (`/account-recovery`): a user who lost
//! every sign-in method proves who they are with a government ID and a face
//! check, and gets a Temporary Access Pass to register new methods.
//!
//! Microsoft runs the check through an identity-verification provider and
//! Verified ID with Face Check; the emulator replaces all of that with one
//! form where the demo user types the first and last name "as on the ID" and
//! says whether the face check passed. What follows is Microsoft's rule
//! (self-service-account-recovery FAQ): the names must match the account's
//! first and last name exactly, else recovery stops and the user goes to the
//! helpdesk; a name that another account also has is refused too.
//!
//! Invariants:
//! - a refusal changes nothing: no pass, no method, no notice;
//! - a recovery issues a real Temporary Access Pass ([`crate::tap`]),
//!   redeemable by the sign-in page like the helpdesk's, and shown once, on
//!   the page that answers the check;
//! - every recovery is told to the account's owner at their other addresses
//!   (`otherMails`), which the person recovering does not hold through this
//!   flow: the notice lands in the emulator's mailboxes (`/_emulator/mailbox`)
//!   and says how to dispute it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use time::OffsetDateTime;

use crate::identity::params;
use crate::mail::MailMessage;
use crate::pages::{escape, layout};
use crate::security_info::{respond, same_origin};
use crate::server::Shared;
use crate::tap::TapOptions;

/// Where the page is served.
pub const PATH: &str = "/account-recovery";
/// Shown on every recovery page: this is the demo's, not Microsoft's.
pub const PAGE_MARK: &str = "Demo tenant \u{2014} emulated account recovery (no ID is read)";
/// Who the owner's notice comes from.
const NOTICE_SENDER: &str = "account-security-noreply@contoso-demo.example";

/// One attempt at recovery, for tests and the demo's record (in memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryAttempt {
    pub upn: String,
    /// The names as typed "from the ID".
    pub given_name: String,
    pub surname: String,
    pub outcome: RecoveryOutcome,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// Recovered: the Temporary Access Pass the page showed (its code).
    Recovered { temporary_access_pass: String },
    /// The names on the ID differ from the account's.
    NameMismatch,
    /// Another account has the same first and last name.
    AmbiguousName,
    /// The (simulated) face check did not pass.
    FaceCheckFailed,
    /// No account with that username.
    UnknownAccount,
}

fn card(title: &str, inner: &str) -> String {
    format!(
        "<div class=\"card\"><p class=\"tenant\" id=\"page-mark\">{mark}</p><h1>{title}</h1>{inner}</div>",
        mark = escape(PAGE_MARK),
        title = escape(title),
    )
}

fn form_page(upn: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
                escape(e)
            )
        })
        .unwrap_or_default();
    let inner = format!(
        "{error}<p>Lost every way to sign in? Prove who you are with a government-issued photo ID and a face check, \
         and get a Temporary Access Pass to register new sign-in methods.</p>\
         <p class=\"hint\">Your first and last name on the ID must be exactly the first and last name of your work \
         account. If they differ, recovery stops and your helpdesk has to help you instead.</p>\
         <form id=\"recovery-form\" method=\"post\" action=\"{PATH}\">\
         <label for=\"upn\">Work account</label>\
         <input id=\"upn\" name=\"upn\" type=\"email\" autocomplete=\"username\" value=\"{upn}\" required>\
         <label for=\"given_name\">First name, as on the ID (simulated)</label>\
         <input id=\"given_name\" name=\"given_name\" type=\"text\" required>\
         <label for=\"surname\">Last name, as on the ID (simulated)</label>\
         <input id=\"surname\" name=\"surname\" type=\"text\" required>\
         <label><input id=\"face_check\" name=\"face_check\" type=\"checkbox\" value=\"passed\" checked> \
         The face check matches the ID photo (simulated)</label>\
         <button type=\"submit\" id=\"verify\">Verify my identity</button></form>",
        upn = escape(upn),
    );
    layout(
        "Recover your account",
        &card("Recover your account", &inner),
    )
}

fn refused_page(upn: &str, message: &str) -> String {
    let inner = format!(
        "<p class=\"error\" id=\"recovery-refused\" role=\"alert\">{}</p>\
         <p>No Temporary Access Pass was issued and nothing on your account changed.</p>\
         <p>Check the names and try again, or ask your helpdesk to reset your sign-in methods \
         (MFA Assistant: \u{201c}Request an admin reset\u{201d}).</p>\
         <p><a href=\"{PATH}?login_hint={hint}\">Try again</a></p>",
        escape(message),
        hint = escape(&url::form_urlencoded::byte_serialize(upn.as_bytes()).collect::<String>()),
    );
    layout(
        "Recovery refused",
        &card("We couldn\u{2019}t verify you", &inner),
    )
}

fn recovered_page(upn: &str, code: &str, expires_at: OffsetDateTime) -> String {
    let inner = format!(
        "<p class=\"notice\" id=\"recovered\" role=\"status\">Your identity is verified. Here is your Temporary Access \
         Pass for {upn}. It is shown only once.</p>\
         <p class=\"number mono\" id=\"temporary-access-pass\">{code}</p>\
         <p>It is valid until {expires} (UTC). Sign in with it and register new sign-in methods: in MFA Assistant, \
         choose \u{201c}I have a Temporary Access Pass\u{201d}.</p>\
         <p class=\"hint\">We told the owner of this account about this recovery at their other email addresses.</p>",
        upn = escape(upn),
        code = escape(code),
        expires = crate::tenant::graph_datetime(expires_at),
    );
    layout("Account recovered", &card("Account recovered", &inner))
}

/// `GET /account-recovery[?login_hint=upn]`: the simulated ID check.
pub(crate) async fn page(
    State(_shared): State<Arc<Shared>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let query = params(query.unwrap_or_default().as_bytes());
    let hint = query
        .get("login_hint")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    respond(StatusCode::OK, form_page(&hint, None))
}

/// `POST /account-recovery`: checks the names, then issues the pass and
/// tells the owner, or refuses and changes nothing.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !same_origin(&shared, &headers) {
        return respond(
            StatusCode::FORBIDDEN,
            form_page("", Some("This form was sent from another site.")),
        );
    }
    let form = params(&body);
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (upn, given, surname) = (field("upn"), field("given_name"), field("surname"));
    if upn.is_empty() || given.is_empty() || surname.is_empty() {
        return respond(
            StatusCode::BAD_REQUEST,
            form_page(
                &upn,
                Some("Enter your work account and the first and last name on your ID."),
            ),
        );
    }
    let face_passed = field("face_check") == "passed";
    let outcome = check(&shared, &upn, &given, &surname, face_passed);
    let record = |outcome: RecoveryOutcome| RecoveryAttempt {
        upn: upn.clone(),
        given_name: given.clone(),
        surname: surname.clone(),
        outcome,
    };
    match outcome {
        Err(refusal) => {
            let message = match &refusal {
                RecoveryOutcome::NameMismatch => format!(
                    "The names differ: the name on the ID ({given} {surname}) is not exactly the first and last name \
                     of the account {upn}."
                ),
                RecoveryOutcome::AmbiguousName => format!(
                    "Another account has the name {given} {surname}, so this account can\u{2019}t be recovered \
                     by an ID check."
                ),
                RecoveryOutcome::FaceCheckFailed => {
                    "The face check did not match the photo on the ID.".to_string()
                }
                _ => format!("There is no account {upn} that can be recovered here."),
            };
            shared.store().recoveries.push(record(refusal));
            respond(StatusCode::OK, refused_page(&upn, &message))
        }
        Ok(()) => {
            let issued =
                match crate::issue_temporary_access_pass(&shared, &upn, &TapOptions::default()) {
                    Ok((issued, _)) => issued,
                    Err(e) => {
                        return respond(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            refused_page(&upn, &format!("No pass could be issued: {e}")),
                        )
                    }
                };
            let mut store = shared.store();
            notify_owner(&mut store, &issued.upn);
            store.recoveries.push(record(RecoveryOutcome::Recovered {
                temporary_access_pass: issued.code.clone(),
            }));
            drop(store);
            respond(
                StatusCode::OK,
                recovered_page(&issued.upn, &issued.code, issued.expires_at),
            )
        }
    }
}

/// Microsoft's matching: the face check, then the first and last name
/// exactly (case and accents included), then no other account by that name.
fn check(
    shared: &Shared,
    upn: &str,
    given: &str,
    surname: &str,
    face_passed: bool,
) -> Result<(), RecoveryOutcome> {
    let store = shared.store();
    let Some(user) = store.tenant.user(upn) else {
        return Err(RecoveryOutcome::UnknownAccount);
    };
    if !face_passed {
        return Err(RecoveryOutcome::FaceCheckFailed);
    }
    if user.given_name.as_deref() != Some(given) || user.surname.as_deref() != Some(surname) {
        return Err(RecoveryOutcome::NameMismatch);
    }
    let same_name = store.tenant.users.iter().any(|u| {
        u.id != user.id
            && u.given_name.as_deref() == Some(given)
            && u.surname.as_deref() == Some(surname)
    });
    if same_name {
        return Err(RecoveryOutcome::AmbiguousName);
    }
    Ok(())
}

/// The owner's notice, at each of the account's other addresses: what
/// happened, when, and how to dispute it. Never the pass.
fn notify_owner(store: &mut crate::state::Store, upn: &str) {
    let Some(user) = store.tenant.user(upn) else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let subject = format!(
        "Your work account {} was recovered",
        user.user_principal_name
    );
    let body = format!(
        "Hello {name},\n\nSomeone recovered your work account {upn} with an identity check (government ID and face \
         check) on {when} (UTC) and received a Temporary Access Pass to register new sign-in methods.\n\n\
         If this was you, there is nothing to do.\n\nIf this wasn't you, call your helpdesk now on the number you \
         know (not one from this message): they can revoke the pass and your sessions.\n",
        name = user.display_name,
        upn = user.user_principal_name,
        when = crate::tenant::graph_datetime(now),
    );
    let addresses = user.other_mails.clone();
    for address in addresses {
        store.mail.messages.push(MailMessage {
            mailbox: address.to_ascii_lowercase(),
            external: true,
            from: NOTICE_SENDER.to_string(),
            to: vec![address.clone()],
            bcc: Vec::new(),
            subject: subject.clone(),
            content_type: "Text".to_string(),
            body: body.clone(),
            received_at: now,
        });
    }
}
