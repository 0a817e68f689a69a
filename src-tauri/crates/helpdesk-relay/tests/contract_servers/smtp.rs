//! A tiny SMTP server (RFC 5321, no TLS): greeting, EHLO/HELO, optional
//! AUTH PLAIN, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT. It keeps each
//! message it accepted, and can be told which reply to give to RCPT TO (say
//! `550` or `451`) or to AUTH.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA, dot-unstuffed, CRLF line ends.
    pub data: String,
    /// `user` and `password` of a successful AUTH PLAIN.
    pub auth: Option<(String, String)>,
}

impl Received {
    /// The header section and body, split at the first empty line.
    fn split(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""))
    }

    /// The unfolded value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.split();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }

    /// The body, decoded from its Content-Transfer-Encoding.
    pub fn body(&self) -> String {
        let (_, body) = self.split();
        match self
            .header("content-transfer-encoding")
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("base64") => {
                let compact: String = body.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("a base64 body");
                String::from_utf8(bytes).expect("a UTF-8 body")
            }
            Some("quoted-printable") => quoted_printable(body),
            _ => body.to_string(),
        }
    }
}

/// Decodes quoted-printable (RFC 2045 §6.7): `=XX` bytes, `=` soft breaks.
fn quoted_printable(text: &str) -> String {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("a UTF-8 body")
}

#[derive(Debug)]
struct State {
    rcpt_reply: String,
    /// `Some`: AUTH is advertised and `(user, password)` accepted.
    auth: Option<(String, String)>,
    auth_reply: Option<String>,
    received: Vec<Received>,
    commands: Vec<String>,
}

/// The running server.
#[derive(Clone)]
pub struct Smtp {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Smtp {
    /// Starts a server; `auth`: the only user and password it accepts
    /// (and then it advertises `AUTH PLAIN`).
    pub async fn start(auth: Option<(&str, &str)>) -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let state = Arc::new(Mutex::new(State {
            rcpt_reply: "250 2.1.5 Ok".into(),
            auth: auth.map(|(u, p)| (u.into(), p.into())),
            auth_reply: None,
            received: Vec::new(),
            commands: Vec::new(),
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = session(socket, state).await;
                });
            }
        });
        Smtp { port, state }
    }

    /// The reply to every RCPT TO from now on, e.g. `550 5.1.1 No such user`.
    pub fn reply_to_rcpt(&self, reply: &str) {
        self.state.lock().unwrap().rcpt_reply = reply.into();
    }

    /// The reply to AUTH from now on, e.g. `535 5.7.8 Authentication failed`.
    pub fn reply_to_auth(&self, reply: &str) {
        self.state.lock().unwrap().auth_reply = Some(reply.into());
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Every command line received, in order.
    pub fn commands(&self) -> Vec<String> {
        self.state.lock().unwrap().commands.clone()
    }
}

async fn session(socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 127.0.0.1 ESMTP contract test server\r\n")
        .await?;
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    let mut authenticated = None;
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        state.lock().unwrap().commands.push(line.clone());
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => {
                let auth = state.lock().unwrap().auth.is_some();
                if auth {
                    "250-127.0.0.1\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SMTPUTF8".into()
                } else {
                    "250-127.0.0.1\r\n250-8BITMIME\r\n250 SMTPUTF8".into()
                }
            }
            "HELO" => "250 127.0.0.1".into(),
            "AUTH" => {
                let mut words = line.split_whitespace().skip(1);
                let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
                let initial = words.next().map(str::to_string);
                let encoded = match initial {
                    Some(i) => i,
                    None if mechanism == "PLAIN" => {
                        write.write_all(b"334 \r\n").await?;
                        let mut response = String::new();
                        lines.read_line(&mut response).await?;
                        response.trim().to_string()
                    }
                    None => String::new(),
                };
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
                    .and_then(|d| String::from_utf8(d).ok())
                    .unwrap_or_default();
                let mut parts = decoded.split('\0').skip(1);
                let given = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                let (expected, forced) = {
                    let s = state.lock().unwrap();
                    (s.auth.clone(), s.auth_reply.clone())
                };
                match forced {
                    Some(reply) => reply,
                    None if mechanism == "PLAIN" && expected.as_ref() == Some(&given) => {
                        authenticated = Some(given);
                        "235 2.7.0 Authentication successful".into()
                    }
                    None => "535 5.7.8 Authentication credentials invalid".into(),
                }
            }
            "MAIL" => {
                mail_from = line
                    .split_once(':')
                    .map_or("", |(_, v)| v)
                    .trim()
                    .to_string();
                rcpt_to.clear();
                "250 2.1.0 Ok".into()
            }
            "RCPT" => {
                let reply = state.lock().unwrap().rcpt_reply.clone();
                if reply.starts_with('2') {
                    rcpt_to.push(
                        line.split_once(':')
                            .map_or("", |(_, v)| v)
                            .trim()
                            .to_string(),
                    );
                }
                reply
            }
            "DATA" => {
                if rcpt_to.is_empty() {
                    "503 5.5.1 No valid recipients".into()
                } else {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let mut data = String::new();
                    loop {
                        let mut data_line = String::new();
                        if lines.read_line(&mut data_line).await? == 0 {
                            return Ok(());
                        }
                        if data_line == ".\r\n" || data_line == ".\n" {
                            break;
                        }
                        let unstuffed = data_line.strip_prefix('.').unwrap_or(&data_line);
                        data.push_str(unstuffed);
                    }
                    state.lock().unwrap().received.push(Received {
                        mail_from: mail_from.clone(),
                        rcpt_to: rcpt_to.clone(),
                        data,
                        auth: authenticated.clone(),
                    });
                    "250 2.0.0 Ok: queued".into()
                }
            }
            "RSET" => {
                mail_from.clear();
                rcpt_to.clear();
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "500 5.5.2 Error: command not recognized".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}
