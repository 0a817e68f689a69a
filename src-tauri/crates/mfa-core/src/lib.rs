//! MFA Assistant's core: everything except the window.
//!
//! Invariant: nothing here imports `tauri` (checked by `tests/architecture.rs`
//! at the workspace root). The Tauri layer calls [`assistant::Assistant`],
//! the application layer (one method per user intent), and turns its
//! results into wire types.

pub mod assistant;
pub mod auth;
pub mod config;
pub mod device_key;
/// Seams for the fuzz targets (`src-tauri/crates/fuzz-targets`): each
/// private parser of outside input, callable from outside, and nothing else.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod guardrails;
pub mod health;
pub mod helpdesk;
pub mod http;
pub mod journey;
pub mod keychain;
pub mod language;
pub mod machine;
pub mod owner_only;
pub mod policy;
pub mod qr;
pub mod secret;
pub mod security_info;
pub mod session;
pub mod settings;
pub mod token_store;
pub mod triage;
