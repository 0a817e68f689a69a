//! Who a request comes from, and how much of the relay one sender may use.
//!
//! - [`client_address`]: the TCP peer, unless the peer is one of the
//!   configured trusted proxies: then the right-most address of the
//!   forwarding header that is not itself a trusted proxy (an address
//!   further left was written by the sender, so it proves nothing).
//! - [`bucket_of`]: an IPv4 address is one sender; an IPv6 sender is its
//!   /64 (one host is routinely given a whole /64, so counting single IPv6
//!   addresses would let it make up new ones at will); an IPv4-mapped IPv6
//!   address is its IPv4 address.
//! - [`AddressLimiter`]: a token bucket per sender, refilled continuously.
//!   In memory and per instance; the per-account limit, which must hold
//!   across instances, is kept in the database instead (`Store::accept`).
//! - [`ConnectionCounter`]: open connections per sender, so that one sender
//!   cannot hold every connection the relay allows.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Beyond this many tracked senders, full buckets are forgotten (at most
/// once a second, so a flood of new senders costs no scan per request).
const PRUNE_AT: usize = 10_000;
/// Beyond this many tracked senders even after pruning (a flood from that
/// many /64s or addresses within a minute), every bucket is forgotten: the
/// memory stays bounded, and forgetting only ever gives a sender a fresh
/// budget, never takes one away.
const MAX_TRACKED: usize = 200_000;

/// The sender an address counts as: IPv4 (also IPv4-mapped IPv6) as
/// itself, any other IPv6 address as its /64.
pub fn bucket_of(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
    }
}

/// A trusted proxy in `[limits] trusted_proxies`: one address
/// (`"192.0.2.7"`, `"2001:db8::1"`) or a CIDR block (`"10.0.0.0/8"`,
/// `"2001:db8::/32"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `address` (IPv4-mapped IPv6 counting as IPv4) is inside.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let bad = || {
            format!(
                "[limits] trusted_proxies has {text:?}, which is not an IP address or CIDR block \
                 (e.g. \"192.0.2.7\", \"10.0.0.0/8\", \"2001:db8::/32\")"
            )
        };
        let trimmed = text.trim();
        let (address, prefix) = match trimmed.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (trimmed, None),
        };
        let network = address.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let width: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            // Digits only, no leading zero: "/08" or "/+8" are refused, not guessed at.
            Some(p)
                if !p.is_empty()
                    && p.len() <= 3
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && (p == "0" || !p.starts_with('0')) =>
            {
                match p.parse::<u8>() {
                    Ok(p) if p <= width => p,
                    _ => return Err(bad()),
                }
            }
            Some(_) => return Err(bad()),
        };
        if prefix == 0 {
            return Err(format!(
                "[limits] trusted_proxies has {text:?}, which trusts every address: anyone could \
                 then choose the address they are limited as; list your proxies' addresses"
            ));
        }
        Ok(Cidr { network, prefix })
    }
}

impl TryFrom<String> for Cidr {
    type Error = String;

    fn try_from(text: String) -> Result<Cidr, String> {
        text.parse()
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The client's address. The peer's, unless the peer is a trusted proxy:
/// then, reading the forwarding header's entries (every header line in
/// order, each split at commas) from the right, the first one that is not a
/// trusted proxy. If every entry is a trusted proxy, the left-most; if the
/// walk meets an entry that is not an address (`"unknown"`, garbage), the
/// last trusted address before it: a proxy wrote everything right of the
/// first untrusted address, so nothing left of that is believed.
/// An entry may carry a port (`"192.0.2.1:4711"`, `"[2001:db8::1]:4711"`).
pub fn client_address<'a>(
    peer: IpAddr,
    trusted: &[Cidr],
    forwarded: impl DoubleEndedIterator<Item = &'a str>,
) -> IpAddr {
    let is_trusted = |a: IpAddr| trusted.iter().any(|c| c.contains(a));
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let mut last = peer;
    for value in forwarded.rev() {
        for entry in value.rsplit(',') {
            let entry = entry.trim();
            let Some(address) = parse_entry(entry) else {
                return last;
            };
            if !is_trusted(address) {
                return address;
            }
            last = address;
        }
    }
    last
}

fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|a| a.to_canonical())
}

#[derive(Debug)]
pub struct AddressLimiter {
    per_minute: f64,
    inner: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    buckets: HashMap<IpAddr, Bucket>,
    pruned_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl AddressLimiter {
    /// Allows bursts of `per_minute` requests, refilled at `per_minute` a
    /// minute, per sender ([`bucket_of`]).
    pub fn new(per_minute: u32) -> AddressLimiter {
        AddressLimiter {
            per_minute: f64::from(per_minute.max(1)),
            inner: Mutex::new(Buckets::default()),
        }
    }

    /// Takes a token for `address`'s sender; `Err(wait)` when it has none
    /// left. Other senders' floods never touch this sender's bucket.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let rate = self.per_minute / 60.0;
        let capacity = self.per_minute;
        let mut inner = lock(&self.inner);
        if inner.buckets.len() > PRUNE_AT
            && inner
                .pruned_at
                .is_none_or(|at| now.saturating_duration_since(at) >= Duration::from_secs(1))
        {
            inner.pruned_at = Some(now);
            inner.buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < capacity
            });
            if inner.buckets.len() > MAX_TRACKED {
                tracing::warn!(
                    senders = inner.buckets.len(),
                    "more senders than the rate limiter tracks within a minute: forgetting them all"
                );
                inner.buckets.clear();
            }
        }
        let bucket = inner.buckets.entry(bucket_of(address)).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refilled = now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refilled).min(capacity);
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

    /// How many senders are tracked (for tests).
    pub fn tracked(&self) -> usize {
        lock(&self.inner).buckets.len()
    }
}

/// Open connections per sender ([`bucket_of`] of the TCP peer).
#[derive(Debug)]
pub struct ConnectionCounter {
    per_sender: u32,
    open: Mutex<HashMap<IpAddr, u32>>,
}

/// One open connection, counted until dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    counter: Arc<ConnectionCounter>,
    sender: Option<IpAddr>,
}

impl ConnectionCounter {
    pub fn new(per_sender: u32) -> Arc<ConnectionCounter> {
        Arc::new(ConnectionCounter {
            per_sender: per_sender.max(1),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a new connection from `peer`, or `None` if its sender already
    /// has the most allowed. A trusted proxy is not limited (it carries
    /// everyone's connections); `exempt` says so.
    pub fn open(self: &Arc<Self>, peer: IpAddr, exempt: bool) -> Option<ConnectionSlot> {
        if exempt {
            return Some(ConnectionSlot {
                counter: self.clone(),
                sender: None,
            });
        }
        let sender = bucket_of(peer);
        let mut open = lock(&self.open);
        let count = open.entry(sender).or_insert(0);
        if *count >= self.per_sender {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            counter: self.clone(),
            sender: Some(sender),
        })
    }

    /// Open connections from `peer`'s sender.
    pub fn open_from(&self, peer: IpAddr) -> u32 {
        lock(&self.open).get(&bucket_of(peer)).copied().unwrap_or(0)
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Some(sender) = self.sender {
            let mut open = lock(&self.counter.open);
            if let Some(count) = open.get_mut(&sender) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&sender);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_refilled_per_address() {
        let limiter = AddressLimiter::new(3);
        let a = ip("192.0.2.1");
        let b = ip("192.0.2.2");
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

    #[test]
    fn two_ipv6_addresses_in_one_slash_64_share_a_bucket_and_mapped_ipv4_is_ipv4() {
        let limiter = AddressLimiter::new(2);
        let t0 = Instant::now();
        assert_eq!(limiter.check(ip("2001:db8:1:2::1"), t0), Ok(()));
        assert_eq!(
            limiter.check(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), t0),
            Ok(())
        );
        assert!(
            limiter.check(ip("2001:db8:1:2:abcd::7"), t0).is_err(),
            "a third address of the same /64 finds the bucket empty"
        );
        assert_eq!(
            limiter.check(ip("2001:db8:1:3::1"), t0),
            Ok(()),
            "the next /64 is another sender"
        );
        assert_eq!(limiter.check(ip("::ffff:192.0.2.9"), t0), Ok(()));
        assert_eq!(limiter.check(ip("192.0.2.9"), t0), Ok(()));
        assert!(
            limiter.check(ip("192.0.2.9"), t0).is_err(),
            "an IPv4-mapped address counts as its IPv4 address"
        );
        assert_eq!(
            limiter.check(ip("192.0.2.10"), t0),
            Ok(()),
            "IPv4 is limited per address, not per block"
        );
        assert_eq!(bucket_of(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(bucket_of(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(bucket_of(ip("::1")), ip("::"));
    }

    #[test]
    fn a_flood_from_many_other_senders_leaves_one_senders_budget_alone() {
        let limiter = AddressLimiter::new(2);
        let owner = ip("198.51.100.7");
        let t0 = Instant::now();
        assert_eq!(limiter.check(owner, t0), Ok(()));
        // 30,000 other senders empty their buckets, over several seconds,
        // past the pruning threshold.
        for n in 0..30_000u32 {
            let other = IpAddr::V6(Ipv6Addr::from(
                (0x2001_0db8_u128 << 96) | (u128::from(n) << 64),
            ));
            let at = t0 + Duration::from_millis(u64::from(n / 10_000) * 1_500);
            let _ = limiter.check(other, at);
            let _ = limiter.check(other, at);
            assert!(limiter.check(other, at).is_err());
        }
        assert!(
            limiter.tracked() > PRUNE_AT,
            "the flood's empty buckets are kept"
        );
        let later = t0 + Duration::from_secs(5);
        assert_eq!(
            limiter.check(owner, later),
            Ok(()),
            "the owner's own budget is untouched by the flood"
        );
    }

    #[test]
    fn the_forwarding_header_is_believed_only_from_a_trusted_proxy() {
        let trusted: Vec<Cidr> = ["10.0.0.0/8", "192.0.2.7", "2001:db8:ff::/48"]
            .iter()
            .map(|t| t.parse().unwrap())
            .collect();
        let attacker = ip("203.0.113.66");
        // From an untrusted peer, the header is ignored whatever it says.
        assert_eq!(
            client_address(attacker, &trusted, ["198.51.100.1"].into_iter()),
            attacker
        );
        assert_eq!(
            client_address(
                ip("::ffff:203.0.113.66"),
                &trusted,
                ["10.0.0.1"].into_iter()
            ),
            attacker
        );
        // From a trusted proxy: the right-most untrusted entry; what the
        // sender put further left proves nothing.
        assert_eq!(
            client_address(
                ip("10.1.2.3"),
                &trusted,
                ["198.51.100.1, 198.51.100.2", "203.0.113.5, 192.0.2.7"].into_iter()
            ),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_address(
                ip("192.0.2.7"),
                &trusted,
                ["unknown, 198.51.100.9:4711"].into_iter()
            ),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_address(ip("192.0.2.7"), &trusted, ["[2001:db8::5]:443"].into_iter()),
            ip("2001:db8::5")
        );
        // Garbage right of any untrusted address: the last proxy counts.
        assert_eq!(
            client_address(
                ip("10.0.0.9"),
                &trusted,
                ["198.51.100.1, garbage, 10.0.0.8"].into_iter()
            ),
            ip("10.0.0.8")
        );
        // Only proxies: the left-most; no header: the proxy itself.
        assert_eq!(
            client_address(ip("10.0.0.9"), &trusted, ["10.0.0.1, 10.0.0.2"].into_iter()),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.9"), &trusted, std::iter::empty()),
            ip("10.0.0.9")
        );
        assert_eq!(
            client_address(
                ip("2001:db8:ff:1::1"),
                &trusted,
                ["2001:db8:1::1"].into_iter()
            ),
            ip("2001:db8:1::1")
        );
        assert_eq!(
            client_address(ip("10.0.0.9"), &[], ["198.51.100.1"].into_iter()),
            ip("10.0.0.9"),
            "no trusted proxies: never read"
        );
    }

    #[test]
    fn trusted_proxies_parse_as_addresses_or_cidr_blocks_and_a_bad_one_is_named() {
        let block: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(block.contains(ip("10.255.0.1")));
        assert!(block.contains(ip("::ffff:10.0.0.1")));
        assert!(!block.contains(ip("11.0.0.1")));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        assert_eq!(v6.to_string(), "2001:db8::/32");
        for bad in [
            "10.0.0/8",
            "10.0.0.0/33",
            "2001:db8::/129",
            "proxy.internal",
            "10.0.0.0/",
            "10.0.0.0/08",
            "10.0.0.0/+8",
        ] {
            let error = bad.parse::<Cidr>().unwrap_err();
            assert!(
                error.contains(&format!("{bad:?}")) && error.contains("trusted_proxies"),
                "{bad} => {error}"
            );
        }
        let error = "0.0.0.0/0".parse::<Cidr>().unwrap_err();
        assert!(error.contains("trusts every address"), "{error}");
    }

    #[test]
    fn connections_are_counted_per_sender_and_freed_when_closed() {
        let counter = ConnectionCounter::new(2);
        let a = counter.open(ip("192.0.2.1"), false).unwrap();
        let b = counter.open(ip("192.0.2.1"), false).unwrap();
        assert!(counter.open(ip("192.0.2.1"), false).is_none());
        assert!(counter.open(ip("192.0.2.2"), false).is_some());
        let v6a = counter.open(ip("2001:db8::1"), false).unwrap();
        let _v6b = counter.open(ip("2001:db8::2"), false).unwrap();
        assert!(
            counter.open(ip("2001:db8::3"), false).is_none(),
            "one /64 is one sender"
        );
        assert!(
            counter.open(ip("192.0.2.1"), true).is_some(),
            "a proxy is exempt"
        );
        drop(a);
        assert_eq!(counter.open_from(ip("192.0.2.1")), 1);
        let _c = counter.open(ip("192.0.2.1"), false).unwrap();
        drop(b);
        drop(v6a);
        assert_eq!(counter.open_from(ip("2001:db8::9")), 1);
    }
}
