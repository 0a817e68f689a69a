//! Per-address rate limiting: a token bucket per client address, refilled
//! continuously. In memory and per instance; the per-account limit, which
//! must hold across instances, is kept in the database instead
//! (`Store::accept`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beyond this many tracked addresses, full buckets are forgotten.
const PRUNE_AT: usize = 10_000;

#[derive(Debug)]
pub struct AddressLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl AddressLimiter {
    /// Allows bursts of `per_minute` requests, refilled at `per_minute` a
    /// minute.
    pub fn new(per_minute: u32) -> AddressLimiter {
        AddressLimiter {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `address`; `Err(wait)` when it has none left.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let rate = self.per_minute / 60.0;
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() > PRUNE_AT {
            let capacity = self.per_minute;
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(address).or_insert(Bucket {
            tokens: self.per_minute,
            at: now,
        });
        let refilled = now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refilled).min(self.per_minute);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(
                Duration::from_secs_f64(((1.0 - bucket.tokens) / rate).max(1.0))
                    .min(Duration::from_secs(60)),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_until_refilled_per_address() {
        let limiter = AddressLimiter::new(3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(a, t0), Ok(()));
        }
        let wait = limiter.check(a, t0).unwrap_err();
        assert_eq!(
            wait,
            Duration::from_secs(20),
            "3 a minute refill one every 20 s"
        );
        assert_eq!(
            limiter.check(b, t0),
            Ok(()),
            "another address has its own bucket"
        );
        assert!(limiter.check(a, t0 + Duration::from_secs(10)).is_err());
        assert_eq!(limiter.check(a, t0 + Duration::from_secs(21)), Ok(()));
    }
}
