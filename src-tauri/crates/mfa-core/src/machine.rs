//! This computer as a reset request and a device-key enrolment describe it
//! (the contract's `device` object). Its own module so that the helpdesk
//! and device-key modules both use it without importing each other.

/// The contract's `device`: the OS name and version, and the app's version.
pub use helpdesk_contract::Device;

/// This machine: the OS name and version, and the app's version, cut to
/// the contract's lengths.
pub fn this_machine(app_version: &str) -> Device {
    let info = os_info::get();
    Device {
        os: truncate(&format!("{} {}", info.os_type(), info.version()), 100),
        app_version: truncate(app_version, 32),
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
