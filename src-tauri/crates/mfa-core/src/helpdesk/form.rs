//! The user's answers, checked field by field, become the contract's
//! `ResetRequest` with a one-time verification phrase.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::machine::Device;

/// The contract's own types: one `ResetRequest` for the app, the relay and
/// the emulator (`helpdesk_contract`).
pub use helpdesk_contract::{Callback, CallbackPreference, Reason, ResetRequest, StillHas};

/// What the user typed and picked, before checking.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetForm {
    pub upn: String,
    pub reason: Reason,
    #[serde(default)]
    pub reason_detail: String,
    pub still_has: Vec<StillHas>,
    pub callback: CallbackPreference,
    #[serde(default)]
    pub availability: String,
}

/// A field the user must fix: `kind` for the window, which words it in the
/// user's language; `problem`, in English with what is allowed, for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FormError {
    pub field: &'static str,
    pub kind: FormProblem,
    pub problem: String,
}

/// The rule a field of the reset form broke, one per check of
/// [`ResetForm::prepare`] (and `ui/src/validate.ts`, its twin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    UpnEmpty,
    /// Not `name@company.com`, or outside Entra's username rules.
    UpnShape,
    /// A well-formed account whose `domain` is not one of the
    /// organisation's `domains`.
    UpnDomain {
        domain: String,
        domains: Vec<String>,
    },
    TooLong {
        max: usize,
        length: usize,
    },
    /// An invisible, control or reordering character.
    Hidden,
    /// "Something else" needs a few words.
    DetailNeeded,
    StillHasEmpty,
    NothingAlone,
    /// Another of the relay contract's rules (the form's own checks come
    /// first, so this is a rule the window does not know).
    Contract,
}

/// The admin steps a relay puts in every ticket unless the organisation
/// wrote its own (the relay's default; the app shows them, never sends
/// them).
pub const RUNBOOK: &[&str] = &helpdesk_contract::ticket::DEFAULT_RUNBOOK;

/// Words for verification phrases: short, common, unambiguous when spoken.
pub(super) const WORDS: &[&str] = &[
    "amber", "anchor", "apple", "arrow", "aspen", "badge", "bamboo", "basil", "beacon", "berry",
    "birch", "bison", "blossom", "breeze", "bridge", "brook", "cactus", "camel", "candle",
    "canyon", "carbon", "cedar", "cherry", "cinder", "clover", "cobalt", "comet", "copper",
    "coral", "cotton", "crystal", "daisy", "delta", "dolphin", "dune", "eagle", "ember", "falcon",
    "fern", "fjord", "flint", "forest", "fossil", "garden", "garnet", "ginger", "glacier",
    "granite", "harbor", "hazel", "heron", "honey", "island", "ivory", "jasmine", "juniper",
    "kettle", "lagoon", "lantern", "lemon", "lilac", "linen", "lotus", "maple", "marble", "meadow",
    "mint", "monsoon", "nectar", "nutmeg", "oasis", "olive", "orbit", "orchid", "otter", "panda",
    "pebble", "pepper", "pigeon", "pine", "planet", "plum", "prairie", "quartz", "quill", "raven",
    "reef", "ribbon", "river", "robin", "saffron", "salmon", "sapphire", "sequoia", "shell",
    "silver", "spruce", "summit", "sunset", "thistle", "thunder", "tiger", "topaz", "tulip",
    "tundra", "velvet", "violet", "walnut", "willow", "winter", "zebra", "zephyr",
];

/// A one-time phrase such as `maple-otter-47`: two words and two digits.
pub fn verification_phrase() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let a = WORDS[rng.gen_range(0..WORDS.len())];
    let mut b = WORDS[rng.gen_range(0..WORDS.len())];
    while b == a {
        b = WORDS[rng.gen_range(0..WORDS.len())];
    }
    format!("{a}-{b}-{:02}", rng.gen_range(10..100))
}

/// Checks a UPN's shape, and its domain against the organisation's domains
/// (when known). Returns it trimmed and lower-cased.
pub fn check_upn(upn: &str, domains: &[String]) -> Result<String, FormError> {
    let fail = |kind: FormProblem, problem: String| FormError {
        field: "upn",
        kind,
        problem,
    };
    let upn = upn.trim().to_lowercase();
    if upn.is_empty() {
        return Err(fail(
            FormProblem::UpnEmpty,
            "enter your work account, for example adele@contoso.com".into(),
        ));
    }
    if upn.len() > 256 {
        return Err(fail(
            FormProblem::UpnShape,
            "a work account is at most 256 characters".into(),
        ));
    }
    let Some((local, domain)) = upn.split_once('@') else {
        return Err(fail(
            FormProblem::UpnShape,
            format!("a work account looks like name@company.com; {upn:?} has no @"),
        ));
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if local.is_empty()
        || local.contains(char::is_whitespace)
        || domain.split('.').count() < 2
        || !domain.split('.').all(label_ok)
    {
        return Err(fail(
            FormProblem::UpnShape,
            format!("a work account looks like name@company.com; {upn:?} is not one"),
        ));
    }
    // The relay's grammar, Microsoft Entra's username policy.
    helpdesk_contract::Upn::parse(&upn).map_err(|e| {
        fail(
            FormProblem::UpnShape,
            e.message.trim_start_matches("upn must be ").to_string(),
        )
    })?;
    if !domains.is_empty() && !domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
        return Err(fail(
            FormProblem::UpnDomain {
                domain: domain.to_owned(),
                domains: domains.to_vec(),
            },
            format!(
                "{domain} is not one of your organisation's domains ({}); use your work account",
                domains.join(", ")
            ),
        ));
    }
    Ok(upn)
}

/// What the user typed in a free-text field, as the contract takes it: one
/// line (line breaks and runs of spaces become one space), at most `max`
/// characters, and no invisible or reordering character (refused naming
/// the field, as the relay would).
fn one_line(text: &str, field: &'static str, max: usize) -> Result<String, FormError> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = line.chars().count();
    if length > max {
        return Err(FormError {
            field,
            kind: FormProblem::TooLong { max, length },
            problem: format!("at most {max} characters; this is {length}"),
        });
    }
    helpdesk_contract::typed::requester_text(&line, field, max).map_err(|e| FormError {
        field,
        kind: FormProblem::Hidden,
        problem: format!(
            "{}; remove it (it may have come with pasted text)",
            e.message
                .split_once(": ")
                .map(|(_, why)| why)
                .unwrap_or("it has an invisible or control character")
        ),
    })?;
    Ok(line)
}

impl ResetForm {
    /// Checks every field and builds the request exactly as it will be sent.
    pub fn prepare(
        &self,
        domains: &[String],
        tenant: Option<&str>,
        device: Device,
        now: OffsetDateTime,
        phrase: String,
    ) -> Result<ResetRequest, FormError> {
        let upn = check_upn(&self.upn, domains)?;
        let detail = one_line(&self.reason_detail, "reasonDetail", 500)?;
        let detail = detail.as_str();
        if detail.chars().count() > 500 {
            return Err(FormError {
                field: "reasonDetail",
                kind: FormProblem::TooLong {
                    max: 500,
                    length: detail.chars().count(),
                },
                problem: format!("at most 500 characters; this is {}", detail.chars().count()),
            });
        }
        if self.reason == Reason::Other && detail.is_empty() {
            return Err(FormError {
                field: "reasonDetail",
                kind: FormProblem::DetailNeeded,
                problem: "say in a few words what happened".into(),
            });
        }
        let availability = one_line(&self.availability, "availability", 200)?;
        let availability = availability.as_str();
        if self.still_has.is_empty() {
            return Err(FormError {
                field: "stillHas",
                kind: FormProblem::StillHasEmpty,
                problem: "pick what you still have, or \"nothing\"".into(),
            });
        }
        let mut still_has: Vec<StillHas> = Vec::new();
        for s in &self.still_has {
            if !still_has.contains(s) {
                still_has.push(*s);
            }
        }
        if still_has.contains(&StillHas::Nothing) && still_has.len() > 1 {
            return Err(FormError {
                field: "stillHas",
                kind: FormProblem::NothingAlone,
                problem: "\"nothing\" cannot be picked with other things".into(),
            });
        }
        ResetRequest::new(helpdesk_contract::NewResetRequest {
            upn: &upn,
            reason: self.reason,
            reason_detail: Some(detail).filter(|d| !d.is_empty()),
            still_has: &still_has,
            callback: Callback {
                preference: self.callback,
                availability: Some(availability.to_owned()).filter(|a| !a.is_empty()),
            },
            device,
            created_at: now.replace_nanosecond(0).unwrap_or(now),
            verification_phrase: &phrase,
            tenant,
        })
        // The form's own checks come first; what is left is the contract's.
        .map_err(|e| FormError {
            field: form_field(&e.message),
            kind: FormProblem::Contract,
            problem: e.message,
        })
    }
}

/// The form's field a contract error's message names (it starts with the
/// property's path).
fn form_field(message: &str) -> &'static str {
    let path = message.split(' ').next().unwrap_or_default();
    match path {
        "upn" => "upn",
        "reasonDetail" => "reasonDetail",
        "callback.availability" => "availability",
        "stillHas" => "stillHas",
        _ => "request",
    }
}

/// A plain-text ticket body for helpdesks the app files in itself
/// (Zendesk's anonymous requests): what the user typed is quoted and says
/// so, as on a relay's tickets.
pub fn ticket_text(request: &ResetRequest) -> String {
    use helpdesk_contract::typed::quoted;
    let still: Vec<&str> = request.still_has.iter().map(|s| s.label()).collect();
    let typed = helpdesk_contract::ticket::TYPED;
    let mut out = format!(
        "MFA reset requested through MFA Assistant (UNAUTHENTICATED REQUEST)\n\n\
         Work account ({typed}): {}\n\
         Reason: {}\n\
         Still has: {}\n\
         Call-back: {}\n\
         Device ({typed}): {}, MFA Assistant {}\n\
         Sent: {}\n\
         Verification phrase (ask the user for it on the call-back): {}\n",
        quoted(request.upn.as_str()),
        request.reason.label(),
        still.join(", "),
        request.callback.preference.label(),
        quoted(&request.device.os),
        quoted(&request.device.app_version),
        request
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        quoted(&request.verification_phrase),
    );
    if let Some(detail) = &request.reason_detail {
        out.push_str(&format!(
            "Reason in their words ({typed}): {}\n",
            quoted(detail)
        ));
    }
    if let Some(when) = &request.callback.availability {
        out.push_str(&format!(
            "Available for the call-back ({typed}): {}\n",
            quoted(when)
        ));
    }
    out.push_str("\nRunbook, in order:\n");
    for (i, step) in RUNBOOK.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    out
}

/// The name a unit enum variant is serialised as (`lostPhone`, `newPhone`...).
pub fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
