//! The ticket's "Owner notice:" line, as values: where the relay's notice
//! to the account's owner went (masked addresses, each with its channel)
//! or that it is pending or failed. The relay sends these values; the
//! ticket words them in its language ([`OwnerNotice::line_in`]), so no
//! sentence of the relay's reaches a ticket in another language.
//!
//! What a notice failed or waits on (an SMTP or Graph error) is the relay
//! operator's to read in the relay's log and store, not the helpdesk
//! agent's: the line says only whether the relay still tries and, once it
//! gave up, to tell the owner through the directory's contacts.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ticket::{fill, relay_value};
use crate::ticket_words::{TicketWords, ENGLISH};

/// Where the relay's notice to the account's owner stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerNotice {
    /// Sent to these addresses (the work mailbox first) at `at`.
    Sent {
        to: Vec<NoticeRecipient>,
        at: OffsetDateTime,
    },
    /// Not sent yet. `retrying`: at least one attempt failed, and the relay
    /// tries again.
    Pending { retrying: bool },
    /// Out of attempts: the relay no longer tries.
    Failed,
}

impl OwnerNotice {
    /// The ticket's "Owner notice:" line (without that label) in `w`'s
    /// language.
    pub fn line_in(&self, w: &TicketWords) -> String {
        match self {
            OwnerNotice::Sent { to, at } => {
                let at = at.format(&Rfc3339).unwrap_or_else(|_| at.to_string());
                fill(w.notice_sent, &[("to", &recipients_in(to, w)), ("at", &at)])
            }
            OwnerNotice::Pending { retrying: false } => w.notice_pending.to_owned(),
            OwnerNotice::Pending { retrying: true } => w.notice_retrying.to_owned(),
            OwnerNotice::Failed => w.notice_failed.to_owned(),
        }
    }

    /// The line in English.
    pub fn line(&self) -> String {
        self.line_in(&ENGLISH)
    }
}

/// `d***@contoso.com (work mailbox) and a***@example.net (personal
/// address)`, in `w`'s language.
fn recipients_in(to: &[NoticeRecipient], w: &TicketWords) -> String {
    let each: Vec<String> = to
        .iter()
        .map(|r| {
            fill(
                w.notice_recipient,
                &[
                    ("address", &relay_value(&r.address)),
                    ("channel", w.channel(r.channel)),
                ],
            )
        })
        .collect();
    match each.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{}{last}", rest.join(w.list_separator), w.list_and),
    }
}

/// One address a notice went to: masked (`d***@contoso.com`) and how the
/// relay found it. Kept as JSON by the relay (`{"address", "channel"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRecipient {
    /// Masked: the first character of the local part, `***`, the domain.
    pub address: String,
    pub channel: NoticeChannel,
}

/// How the relay found an address of the owner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NoticeChannel {
    /// The account's own mailbox (its `mail`, else the UPN).
    WorkMailbox,
    /// The first of the directory's `otherMails`.
    PersonalAddress,
    /// The user's manager (who gets the same facts, addressed to them).
    Manager,
    /// A second address recorded by a relay that did not keep which of the
    /// two it was (a personal address or the manager).
    PersonalAddressOrManager,
}

/// Every channel, in [`TicketWords::notice_channels`]' order.
pub const NOTICE_CHANNELS: [NoticeChannel; 4] = [
    NoticeChannel::WorkMailbox,
    NoticeChannel::PersonalAddress,
    NoticeChannel::Manager,
    NoticeChannel::PersonalAddressOrManager,
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sent() -> OwnerNotice {
        OwnerNotice::Sent {
            to: vec![
                NoticeRecipient {
                    address: "d***@contoso-demo.example".into(),
                    channel: NoticeChannel::WorkMailbox,
                },
                NoticeRecipient {
                    address: "d***@home.example".into(),
                    channel: NoticeChannel::PersonalAddress,
                },
            ],
            at: time::macros::datetime!(2026-03-01 09:30:05 UTC),
        }
    }

    #[test]
    fn the_line_says_where_with_each_channel_or_that_it_is_pending_or_failed() {
        assert_eq!(
            sent().line(),
            "the owner was notified at d***@contoso-demo.example (work mailbox) and \
             d***@home.example (personal address) on 2026-03-01T09:30:05Z, with a link to \
             dispute this request."
        );
        let one = OwnerNotice::Sent {
            to: vec![NoticeRecipient {
                address: "d***@contoso-demo.example".into(),
                channel: NoticeChannel::WorkMailbox,
            }],
            at: time::macros::datetime!(2026-03-01 09:30:05 UTC),
        };
        assert!(one
            .line()
            .starts_with("the owner was notified at d***@contoso-demo.example (work mailbox) on "));
        assert!(OwnerNotice::Pending { retrying: false }
            .line()
            .contains("still pending (not sent yet)"));
        assert!(OwnerNotice::Pending { retrying: true }
            .line()
            .contains("the relay's log says why"));
        assert!(OwnerNotice::Failed
            .line()
            .contains("tell the owner through the directory's contacts"));
    }

    #[test]
    fn three_addresses_are_a_list_and_an_odd_address_is_quoted() {
        let notice = OwnerNotice::Sent {
            to: vec![
                NoticeRecipient {
                    address: "a***@x.example".into(),
                    channel: NoticeChannel::WorkMailbox,
                },
                NoticeRecipient {
                    address: "b***@y.example".into(),
                    channel: NoticeChannel::Manager,
                },
                NoticeRecipient {
                    address: "c***@z.example\nDevice proof: ok".into(),
                    channel: NoticeChannel::PersonalAddressOrManager,
                },
            ],
            at: OffsetDateTime::UNIX_EPOCH,
        };
        let line = notice.line();
        assert!(
            line.contains(
                "a***@x.example (work mailbox), b***@y.example (manager) and \
             \"c***@z.example\\nDevice proof: ok\" (personal address or manager)"
            ),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn a_recipient_keeps_its_json_shape() {
        let recipient = NoticeRecipient {
            address: "d***@home.example".into(),
            channel: NoticeChannel::PersonalAddressOrManager,
        };
        let stored = json!({"address": "d***@home.example", "channel": "personalAddressOrManager"});
        assert_eq!(serde_json::to_value(&recipient).unwrap(), stored);
        assert_eq!(
            serde_json::from_value::<NoticeRecipient>(stored).unwrap(),
            recipient
        );
    }
}
