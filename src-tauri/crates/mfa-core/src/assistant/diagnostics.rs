//! "Copy diagnostics": what a helpdesk needs to help, as plain text. The
//! same report comes from `mfa-assistant --diagnostics` in a remote session.
//!
//! Invariant: nothing secret. The report names settings (none of which is
//! secret), the signed-in account, the journey's kind and step, and each
//! reset request's reference and state; never a token, code, verification
//! phrase or key. `tests/locked_out.rs` checks a report against a run's
//! phrase.

use std::fmt::Write;

use time::OffsetDateTime;

use crate::helpdesk::DeliveryState;
use crate::settings::SettingSource;

use super::Assistant;

/// An error the window showed, with its code (recorded by the app layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentError {
    pub at: OffsetDateTime,
    pub code: String,
    pub message: String,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Assistant {
    /// The report. `app_version` is the app's; `recent_errors`, newest
    /// last, the errors the window showed.
    pub async fn diagnostics(&self, app_version: &str, recent_errors: &[RecentError]) -> String {
        let mut out = String::new();
        let machine = crate::machine::this_machine(app_version);
        let _ = writeln!(out, "MFA Assistant {app_version}");
        let _ = writeln!(
            out,
            "System: {} ({}, {})",
            machine.os,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let _ = writeln!(out, "Report made: {}", rfc3339(OffsetDateTime::now_utc()));

        let settings = self.settings();
        let _ = writeln!(out, "\nSettings in use");
        let _ = writeln!(
            out,
            "  organisation's settings: {} ({})",
            settings.managed_file.display(),
            if settings.managed_found {
                "found"
            } else {
                "none"
            }
        );
        if let Some(user) = &settings.user_file {
            let _ = writeln!(
                out,
                "  user's file: {} ({})",
                user.display(),
                if settings.user_found { "found" } else { "none" }
            );
        }
        for e in &settings.entries {
            let source = match e.source {
                SettingSource::Managed => "organisation",
                SettingSource::User => "user's file",
                SettingSource::BuiltIn => "built in",
                SettingSource::Demo => "demo tenant",
            };
            let _ = writeln!(
                out,
                "  {} = {}{} [{source}]",
                e.key,
                e.value.as_deref().unwrap_or("(not set)"),
                e.detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            );
        }
        for key in &settings.ignored {
            let _ = writeln!(out, "  {key}: the user's value is ignored (locked)");
        }

        let _ = writeln!(out, "\nAccount");
        let _ = writeln!(
            out,
            "  signed in: {}",
            self.signed_in_upn()
                .await
                .unwrap_or_else(|| "nobody".to_owned())
        );

        let _ = writeln!(out, "\nJourney");
        match self.journeys.load() {
            Ok(Some(j)) => {
                let _ = writeln!(
                    out,
                    "  {} for {}, started {}, step {} of {}, waiting: {}",
                    j.kind().name(),
                    j.upn(),
                    rfc3339(j.started()),
                    (j.current() + 1).min(j.steps().len()),
                    j.steps().len(),
                    j.waiting().name()
                );
            }
            Ok(None) => {
                let _ = writeln!(out, "  none");
            }
            Err(e) => {
                let _ = writeln!(out, "  cannot be read: {e}");
            }
        }

        let _ = writeln!(out, "\nReset requests");
        match self.reset_requests() {
            Ok(entries) if entries.is_empty() => {
                let _ = writeln!(out, "  none");
            }
            Ok(entries) => {
                for e in entries {
                    let state = match &e.state {
                        DeliveryState::Pending => "pending".to_owned(),
                        DeliveryState::Delivered {
                            ticket_number: Some(t),
                            ..
                        } => format!("delivered, ticket {t}"),
                        DeliveryState::Delivered { request_id, .. } => {
                            format!("accepted by the relay as {request_id}")
                        }
                        DeliveryState::Refused { status, reason } => {
                            format!("refused ({status}: {reason})")
                        }
                    };
                    let _ = writeln!(
                        out,
                        "  {} for {}, made {}: {state}; {} attempt(s){}{}",
                        e.idempotency_key,
                        e.request.upn,
                        rfc3339(e.request.created_at),
                        e.attempts,
                        e.next_attempt_at
                            .map(|t| format!(", next {}", rfc3339(t)))
                            .unwrap_or_default(),
                        e.last_error
                            .as_deref()
                            .map(|m| format!(", last error: {m}"))
                            .unwrap_or_default()
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  cannot be read: {e}");
            }
        }

        if let Some(outbox) = &self.reset.outbox {
            for file in outbox.set_aside() {
                let _ = writeln!(
                    out,
                    "  set aside, cannot be read as a request: {}",
                    file.display()
                );
            }
        }

        let _ = writeln!(out, "\nRecent errors");
        if recent_errors.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for e in recent_errors {
            let _ = writeln!(out, "  {} {}: {}", rfc3339(e.at), e.code, e.message);
        }
        out
    }
}
