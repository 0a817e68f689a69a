//! RFC 6238 time-based one-time passwords (HMAC-SHA-1, 30-second steps,
//! 6 digits) and RFC 4648 base32, as authenticator apps use them. The
//! Security Info page checks codes with these; the scripted browser and
//! tests compute codes with them.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The time step, in seconds.
pub const STEP_SECONDS: u64 = 30;
/// The number of digits in a code.
pub const DIGITS: u32 = 6;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648 alphabet, upper case, no padding).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32, ignoring case, spaces and `=` padding; `None` when a
/// character is not in the alphabet.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let upper = c.to_ascii_uppercase() as u8;
        let value = ALPHABET.iter().position(|&a| a == upper)?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The HOTP value (RFC 4226) of `secret` at `counter`, as six digits.
pub fn hotp(secret: &[u8], counter: u64) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    format!("{:06}", binary % 10u32.pow(DIGITS))
}

/// The TOTP code of a base32 secret at a Unix time (seconds).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    let secret = base32_decode(secret_base32)?;
    Some(hotp(&secret, unix_seconds / STEP_SECONDS))
}

/// The TOTP code of a base32 secret now.
pub fn code_now(secret_base32: &str) -> Option<String> {
    code_at(secret_base32, now_unix())
}

/// Whether `code` is the code at `unix_seconds` or one step either side
/// (clock drift allowance).
pub fn verify(secret: &[u8], code: &str, unix_seconds: u64) -> bool {
    let step = unix_seconds / STEP_SECONDS;
    [step.saturating_sub(1), step, step + 1]
        .iter()
        .any(|&counter| hotp(secret, counter) == code)
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    u64::try_from(now).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890", last 6 digits.
        let secret = b"12345678901234567890";
        let b32 = base32_encode(secret);
        assert_eq!(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(&b32, time).as_deref(), Some(code), "{time}");
        }
        assert!(verify(secret, "287082", 59 + 30));
        assert!(!verify(secret, "287082", 59 + 90));
    }

    #[test]
    fn base32_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(base32_decode(&base32_encode(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi=="), Some(b"foobar".to_vec()));
        assert_eq!(base32_decode("1"), None);
    }
}
