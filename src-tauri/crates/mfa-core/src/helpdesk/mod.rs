//! "Request admin reset": the locked-out path. It needs no sign-in.
//!
//! The user's answers become a [`ResetRequest`] (the relay contract in
//! `docs/helpdesk-relay.openapi.yaml`), checked field by field before it can
//! be sent, with a one-time verification phrase the helpdesk asks for on the
//! call-back and the admin runbook in order. It never carries a phone number
//! to enrol: the helpdesk calls the number in the company directory.
//!
//! Delivery loses nothing ([`Outbox`]): the request is written to disk
//! (atomically) before the first attempt, sent with its `Idempotency-Key` on
//! every attempt, retried with backoff, and marked delivered only when the
//! helpdesk answered. A crash between "sent" and "marked" sends it again with
//! the same key, which the helpdesk answers with the same request: never a
//! second ticket.
//!
//! A relay commits a request before it files the ticket, and answers `202
//! accepted` with no ticket number. The entry is then delivered (the relay
//! has it and will not lose it) and the outbox asks the relay for the number
//! (`GET {relay}v1/reset-requests/{requestId}`) at growing intervals, from
//! one second to five minutes apart, until the relay knows it, forgets the
//! request, or a day has passed ([`FOLLOW_UP_FOR`]).
//!
//! Device proof ([`crate::device_key`]): when this computer holds a device key
//! enrolled for the request's account, each attempt to a relay is signed
//! afresh over the exact body bytes sent. The signature is made at sending
//! time and never written to the outbox. Zendesk requests are never signed.

//!
//! The module's parts, each depending only on those before it: [`form`]
//! (the user's answers become the contract's request), [`entry`] (one
//! request in the outbox and where it stands), [`delivery`] (one attempt to
//! hand it over, and asking a relay for the ticket number), [`outbox`] (the
//! durable store and its delivery pass).

pub mod delivery;
pub mod entry;
pub mod form;
pub mod outbox;

pub use delivery::{backoff, deliver, next_follow_up, Attempt, FOLLOW_UP_FOR};
pub use entry::{DeliveryProblem, DeliveryState, OutboxEntry};
pub use form::*;
pub use outbox::{Outbox, OutboxError};

/// This computer, as the request describes it.
pub use crate::machine::Device;

#[cfg(test)]
mod tests;
