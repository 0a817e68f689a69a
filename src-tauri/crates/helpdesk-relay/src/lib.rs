//! The helpdesk relay: MFA Assistant's locked-out users' reset requests in,
//! tickets in the organisation's helpdesk out, none lost.
//!
//! A desktop app cannot keep a helpdesk credential, so the organisation runs
//! this relay, which holds it. It serves the contract in
//! `docs/helpdesk-relay.openapi.yaml`, commits each accepted request to its
//! database before answering, and delivers it to the configured helpdesk
//! with retries, a dead-letter state and replay.

pub mod helpdesks;
pub mod secret;
pub mod ticket;
