//! MFA Assistant's core: everything except the window.
//!
//! Invariant: nothing here imports `tauri` (checked by `tests/architecture.rs`
//! at the workspace root). The Tauri layer calls [`assistant::Assistant`]
//! (the journeys) and [`session::Session`], and turns their results into
//! wire types.

pub mod assistant;
pub mod auth;
pub mod config;
pub mod device_key;
pub mod graph;
pub mod guardrails;
pub mod helpdesk;
pub mod http;
pub mod journey;
pub mod machine;
pub mod owner_only;
pub mod qr;
pub mod secret;
pub mod security_info;
pub mod session;
pub mod token_store;
