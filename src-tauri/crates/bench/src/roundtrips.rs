//! Counting network round trips: a TCP proxy in front of the tenant
//! emulator timestamps what the app sends and receives on each connection,
//! and the exchanges (request out, response back) are arranged by what
//! could have waited for what. Requests in flight together are one round
//! trip; a request sent only after another's response is the next one.
//!
//! HTTP/1.1 without pipelining (what the app speaks to a loopback `http`
//! URL): on one connection a request is sent, its response comes back, then
//! the next request may be sent.
//!
//! The proxy holds each response back for a simulated network latency. On
//! bare loopback the emulator answers in a fraction of a millisecond, sooner
//! than a second connection opens, so an HTTP client that sent two requests
//! at once may carry the second over the first's freed connection, and the
//! two look sequential. With a network's latency in between, requests that
//! were issued together are in flight together, as they would be to Graph.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// App to server.
    Up,
    /// Server to app.
    Down,
}

/// Bytes seen on one connection at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub conn: u64,
    pub direction: Direction,
    /// Unix-epoch nanoseconds.
    pub t: u128,
    /// For an upward chunk that starts a request: its request line.
    pub request_line: Option<String>,
}

/// One request and its response on one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    pub conn: u64,
    pub request: String,
    pub start: u128,
    /// When the last byte of the response arrived (`None`: never answered).
    pub end: Option<u128>,
}

/// Pairs each connection's requests with their responses.
pub fn exchanges(events: &[Event]) -> Vec<Exchange> {
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|e| e.t);
    let mut out: Vec<Exchange> = Vec::new();
    // Per connection: index in `out` of the current exchange.
    let mut current: std::collections::HashMap<u64, usize> = Default::default();
    for e in &sorted {
        match e.direction {
            Direction::Up => {
                let answered = current
                    .get(&e.conn)
                    .map(|&i| out[i].end.is_some())
                    .unwrap_or(true);
                if answered {
                    out.push(Exchange {
                        conn: e.conn,
                        request: e.request_line.clone().unwrap_or_default(),
                        start: e.t,
                        end: None,
                    });
                    current.insert(e.conn, out.len() - 1);
                }
            }
            Direction::Down => {
                if let Some(&i) = current.get(&e.conn) {
                    out[i].end = Some(e.t);
                }
            }
        }
    }
    out
}

/// The number of sequential round trips among `exchanges`: the longest
/// chain in which each request was sent after the previous one's response.
pub fn round_trips(exchanges: &[Exchange]) -> usize {
    let mut sorted: Vec<&Exchange> = exchanges.iter().collect();
    sorted.sort_by_key(|x| x.start);
    let mut depth = vec![0usize; sorted.len()];
    for i in 0..sorted.len() {
        let before = (0..i)
            .filter(|&j| sorted[j].end.is_some_and(|end| end <= sorted[i].start))
            .map(|j| depth[j])
            .max()
            .unwrap_or(0);
        depth[i] = before + 1;
    }
    depth.into_iter().max().unwrap_or(0)
}

/// What the app did between `from` and `until` (Unix-epoch ns): all
/// exchanges, how many round trips they took, and how many of those came
/// after the token refresh finished.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundTripCount {
    pub exchanges: Vec<Exchange>,
    pub total_round_trips: usize,
    pub token_refreshes: usize,
    pub round_trips_after_refresh: usize,
}

pub fn count(events: &[Event], from: u128, until: u128) -> RoundTripCount {
    let within: Vec<Exchange> = exchanges(events)
        .into_iter()
        .filter(|x| x.start >= from && x.end.is_some_and(|end| end <= until))
        .collect();
    let is_token = |x: &Exchange| x.request.contains("/oauth2/v2.0/token");
    let refresh_end = within
        .iter()
        .filter(|x| is_token(x))
        .filter_map(|x| x.end)
        .max();
    let after: Vec<Exchange> = match refresh_end {
        Some(t) => within.iter().filter(|x| x.start >= t).cloned().collect(),
        None => within.clone(),
    };
    RoundTripCount {
        total_round_trips: round_trips(&within),
        token_refreshes: within.iter().filter(|x| is_token(x)).count(),
        round_trips_after_refresh: round_trips(&after),
        exchanges: within,
    }
}

/// A TCP proxy that records [`Event`]s.
pub struct Proxy {
    pub addr: SocketAddr,
    events: Arc<Mutex<Vec<Event>>>,
}

impl Proxy {
    /// Proxies to `upstream`, delivering each piece of a response `latency`
    /// after the server sent it (and recording it when delivered).
    pub async fn start(upstream: SocketAddr, latency: Duration) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let events: Arc<Mutex<Vec<Event>>> = Arc::default();
        let next = Arc::new(AtomicU64::new(1));
        let log = events.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let conn = next.fetch_add(1, Ordering::Relaxed);
                let log = log.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    let up = tokio::spawn(pump(
                        cr,
                        sw,
                        conn,
                        Direction::Up,
                        Duration::ZERO,
                        log.clone(),
                    ));
                    let down = tokio::spawn(pump(sr, cw, conn, Direction::Down, latency, log));
                    let _ = tokio::join!(up, down);
                });
            }
        });
        Ok(Proxy { addr, events })
    }

    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Copies `from` to `to`, recording each piece as it is delivered. With a
/// `latency`, each piece is delivered that long after it was read, pieces
/// in flight together (a line, not a queue of delays: a response read in
/// two pieces arrives `latency` late, not twice that).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    conn: u64,
    direction: Direction,
    latency: Duration,
    log: Arc<Mutex<Vec<Event>>>,
) {
    let (line, mut arriving) =
        tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let reader = tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let due = tokio::time::Instant::now() + latency;
            if line.send((due, buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    while let Some((due, piece)) = arriving.recv().await {
        tokio::time::sleep_until(due).await;
        let t = crate::now_nanos();
        let request_line = (direction == Direction::Up)
            .then(|| request_line(&piece))
            .flatten();
        log.lock().unwrap_or_else(|e| e.into_inner()).push(Event {
            conn,
            direction,
            t,
            request_line,
        });
        if to.write_all(&piece).await.is_err() {
            break;
        }
    }
    reader.abort();
    let _ = to.shutdown().await;
}

/// `"POST /x HTTP/1.1"` when `chunk` starts with an HTTP request line.
pub fn request_line(chunk: &[u8]) -> Option<String> {
    let end = chunk.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&chunk[..end]).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let _target = parts.next()?;
    let version = parts.next()?;
    (method.chars().all(|c| c.is_ascii_uppercase()) && version.starts_with("HTTP/"))
        .then(|| line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(conn: u64, t: u128, line: Option<&str>) -> Event {
        Event {
            conn,
            direction: Direction::Up,
            t,
            request_line: line.map(str::to_owned),
        }
    }
    fn down(conn: u64, t: u128) -> Event {
        Event {
            conn,
            direction: Direction::Down,
            t,
            request_line: None,
        }
    }

    /// A recorded start-up: token refresh on connection 1, then the Graph
    /// `$batch` (same connection, body in a second chunk) and the beta call
    /// (a new connection) sent together.
    fn start_up() -> Vec<Event> {
        vec![
            up(1, 100, Some("POST /t/oauth2/v2.0/token HTTP/1.1")),
            down(1, 130),
            down(1, 131),
            up(1, 140, Some("POST /v1.0/$batch HTTP/1.1")),
            up(1, 141, None),
            up(
                2,
                142,
                Some("GET /beta/me/authentication/signInPreferences HTTP/1.1"),
            ),
            down(2, 170),
            down(1, 180),
        ]
    }

    #[test]
    fn requests_pair_with_responses_per_connection() {
        let x = exchanges(&start_up());
        assert_eq!(x.len(), 3);
        assert_eq!(x[0].request, "POST /t/oauth2/v2.0/token HTTP/1.1");
        assert_eq!((x[0].start, x[0].end), (100, Some(131)));
        assert_eq!((x[1].start, x[1].end), (140, Some(180)));
        assert_eq!((x[2].start, x[2].end), (142, Some(170)));
    }

    #[test]
    fn parallel_requests_are_one_round_trip() {
        let c = count(&start_up(), 0, 1_000);
        assert_eq!(c.total_round_trips, 2);
        assert_eq!(c.token_refreshes, 1);
        assert_eq!(c.round_trips_after_refresh, 1);
    }

    #[test]
    fn sequential_requests_are_separate_round_trips() {
        let events = vec![
            up(1, 100, Some("POST /t/oauth2/v2.0/token HTTP/1.1")),
            down(1, 110),
            up(1, 120, Some("GET /v1.0/me HTTP/1.1")),
            down(1, 130),
            up(1, 140, Some("GET /v1.0/me/authentication/methods HTTP/1.1")),
            down(1, 150),
            up(
                2,
                141,
                Some("GET /beta/me/authentication/signInPreferences HTTP/1.1"),
            ),
            down(2, 149),
        ];
        let c = count(&events, 0, 1_000);
        assert_eq!(c.total_round_trips, 3);
        assert_eq!(c.round_trips_after_refresh, 2);
        // Only what finished inside the window counts.
        assert_eq!(count(&events, 0, 135).round_trips_after_refresh, 1);
        assert_eq!(count(&events, 115, 1_000).token_refreshes, 0);
    }

    #[test]
    fn request_lines_are_recognised() {
        assert_eq!(
            request_line(b"GET /v1.0/me HTTP/1.1\r\nhost: x\r\n\r\n").as_deref(),
            Some("GET /v1.0/me HTTP/1.1")
        );
        assert_eq!(request_line(b"{\"requests\":[]}"), None);
        assert_eq!(request_line(b"no line end"), None);
    }
}
