//! Helpers shared by the helpdesk relay's integration tests.

pub mod services;
