//! The helpdesk relay contract, `docs/helpdesk-relay.openapi.yaml`, in Rust.
//! One implementation of its rules, used by every side that speaks it: the
//! app (which signs), the relay (which validates, verifies and writes the
//! ticket) and the tenant emulator's stand-in relay.

pub mod device_proof;
pub mod notice_words;
pub mod owner_notice;
pub mod relay_token;
pub mod request;
pub mod ticket;
pub mod ticket_words;
pub mod typed;

pub use request::{
    idempotency_key, in_any_domain, in_domain, is_json_media_type, status_body, validate, Callback,
    CallbackPreference, ContractError, Device, NewResetRequest, Reason, ResetRequest, Status,
    StillHas, MAX_BODY_BYTES, SCHEMA_VERSION,
};
pub use ticket::{TicketText, Verdict};
pub use typed::Upn;
