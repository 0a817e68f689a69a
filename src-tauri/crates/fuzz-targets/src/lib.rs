//! The fuzz targets' bodies: one `pub fn <target>(data: &[u8])` per parser
//! of outside input. Each calls the parser the app or the relay runs (never
//! a copy of it) and asserts what must hold for any input: an error is a
//! typed error, never a panic; what is accepted survives a round trip; what
//! the app normalises stays put when normalised again.
//!
//! `fuzz/` (cargo-fuzz, nightly) calls these with libFuzzer's inputs;
//! `tests/corpus.rs` replays `fuzz/corpus/<target>/` through them on the
//! stable toolchain, so `cargo test` keeps every seed and every fixed crash.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{json, Value};
use time::OffsetDateTime;

use helpdesk_contract::device_proof::{
    self, sign, verdict, DeviceProof, EnrolledKey, Enrolment, PublicKey, SignatureHeaders,
    SigningKey,
};
use helpdesk_contract::relay_token::{self, Expectations};
use helpdesk_contract::{idempotency_key, in_any_domain, is_json_media_type, validate};
use helpdesk_relay::rate_limit::{self, Cidr};
use mfa_core::config;
use mfa_core::fuzzing as core;
use mfa_core::graph::GraphError;
use mfa_core::guardrails::{self, PhoneNumber};
use mfa_core::helpdesk::OutboxEntry;
use mfa_core::journey::{activity_csv, ActivityEntry, CsvHeaders, Snapshot};
use mfa_core::security_info::{MethodId, SecondaryMethod, SignInPreferences};

/// A target's body: any bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// Every target, by the name of its corpus folder and its `fuzz/` binary.
pub const TARGETS: &[(&str, Target)] = &[
    ("config_toml", config_toml),
    ("graph_answer", graph_answer),
    ("sign_in_preferences", sign_in_preferences),
    ("graph_batch", graph_batch),
    ("token_answer", token_answer),
    ("device_code_answer", device_code_answer),
    ("loopback_redirect", loopback_redirect),
    ("relay_request", relay_request),
    ("relay_headers", relay_headers),
    ("relay_token", relay_token),
    ("device_proof", device_proof),
    ("phone_number", phone_number),
    ("outbox_file", outbox_file),
    ("journey_file", journey_file),
    ("csv_export", csv_export),
];

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

// ---- configuration -------------------------------------------------------

/// Where the configuration target writes its two files: one folder per
/// process, reused by every input.
fn config_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
        .path()
}

/// The layered configuration: the input is the organisation's file, a NUL
/// byte, then the user's file (a missing part is a missing file). Errors
/// name one of the two files; a file that parses on its own also loads as
/// the organisation's layer (the organisation may set every key).
pub fn config_toml(data: &[u8]) {
    let (managed, user) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let dir = config_dir();
    let managed_path = dir.join(format!("managed-{}.toml", std::process::id()));
    let user_path = dir.join(format!("user-{}.toml", std::process::id()));
    let missing_path = dir.join("missing.toml");
    std::fs::write(&managed_path, managed).expect("write the managed file");
    match user {
        Some(user) => std::fs::write(&user_path, user).expect("write the user file"),
        None => {
            let _ = std::fs::remove_file(&user_path);
        }
    }
    let named = |e: &config::ConfigError, files: &[&PathBuf]| {
        assert!(
            files.iter().any(|f| e.file == **f),
            "an error names the file it is about: {e:?}"
        );
    };

    match config::load_layered(&managed_path, Some(&user_path)) {
        Ok(layered) => {
            for key in layered.provenance.ignored.iter() {
                assert!(config::KEYS.contains(key), "{key} is a known key");
            }
        }
        Err(e) => named(&e, &[&managed_path, &user_path]),
    }

    if let Ok(text) = std::str::from_utf8(managed) {
        match config::parse(text, &managed_path) {
            Ok(_) => {
                let layered = config::load_layered(&managed_path, Some(&missing_path));
                assert!(
                    layered.is_ok(),
                    "a file that parses alone loads as the organisation's: {layered:?}"
                );
            }
            Err(e) => named(&e, &[&managed_path]),
        }
    }
}

// ---- Graph ---------------------------------------------------------------

/// Every kept method has an id safe in a URL, or (Graph gave none the app
/// can read) a stand-in that is never one: kept as "other", not removable.
fn check_method_ids(methods: &[mfa_core::security_info::AuthMethod]) {
    for m in methods {
        if m.id.is_from_graph() {
            assert_eq!(
                MethodId::parse(m.id.as_str()).as_ref(),
                Ok(&m.id),
                "every method id from Graph is safe in a URL"
            );
        } else {
            assert!(MethodId::parse(m.id.as_str()).is_err(), "{:?}", m.id);
            assert!(
                matches!(m.kind, mfa_core::security_info::MethodKind::Other { .. }),
                "{m:?}"
            );
            assert_eq!(m.kind.deletable_collection(), None, "{m:?}");
        }
    }
}

/// A Graph answer: a status (two bytes), then the body. A success is read
/// as JSON or is `Unexpected`; an error status is never a success; 401 is
/// `Unauthorized`, 429 and 503 `Busy`. A success that is a methods list
/// keeps only methods with safe ids.
pub fn graph_answer(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 1000, rest),
        _ => (200, data),
    };
    let body = text(body);
    let answer = core::graph_answer(
        status,
        &body,
        Some(Duration::from_secs(1)),
        Some("rid".into()),
    );
    let http = if (100..1000).contains(&status) {
        status
    } else {
        500
    };
    match (&answer, http) {
        (Ok(_), s) => assert!((200..300).contains(&s), "{s} is no success"),
        (Err(GraphError::Unexpected(_)), s) => assert!((200..300).contains(&s)),
        (Err(GraphError::Unauthorized { .. }), s) => assert_eq!(s, 401),
        (Err(GraphError::Busy { status, .. }), s) => {
            assert!(s == 429 || s == 503);
            assert_eq!(*status, s);
        }
        (Err(GraphError::Service { status, .. }), s) => {
            assert_eq!(*status, s);
            assert!(!(200..300).contains(&s) && s != 401 && s != 429 && s != 503);
        }
        (Err(GraphError::Network(_)), _) => panic!("reading a body is not the network"),
    }
    if let Ok(value) = answer {
        if let Ok(methods) = core::methods_list(&value) {
            let listed = value["value"].as_array().map_or(0, Vec::len);
            assert!(methods.len() <= listed);
            check_method_ids(&methods);
        }
    }
}

/// A fixed account with one method of each kind a default can point at.
fn account_items() -> HashMap<String, Result<Value, GraphError>> {
    let methods = json!({"value": [
        {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"},
        {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "app-1", "displayName": "Pixel 8", "createdDateTime": "2024-01-01T00:00:00Z"},
        {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "app-2", "displayName": "iPhone", "createdDateTime": "2025-01-01T00:00:00Z"},
        {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneType": "mobile", "phoneNumber": "+1 4255550100"},
        {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "e37fc753-ff3b-4958-9484-eaa9425c82bc", "phoneType": "office", "phoneNumber": "+1 4255550199"},
        {"@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": "oath-1"}
    ]});
    HashMap::from([
        (
            "me".to_owned(),
            Ok(json!({"displayName": "Dana", "userPrincipalName": "dana@contoso.example"})),
        ),
        ("methods".to_owned(), Ok(methods)),
    ])
}

/// `signInPreferences`: any JSON body. Read as the app reads it; the
/// user's choice survives a round trip through its Graph spelling; the
/// default it points at is one of the account's methods; a choice the app
/// offers is one it can answer.
pub fn sign_in_preferences(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let preferences = SignInPreferences::from_graph(&value);
    if let Some(choice) = &preferences.user_preferred {
        assert_eq!(&SecondaryMethod::from_graph(&choice.as_graph()), choice);
    }
    let info = core::security_info(account_items(), Ok(value)).expect("the fixed account reads");
    assert_eq!(info.preferences.as_ref(), Some(&preferences));
    if let Some(id) = info.default_method() {
        assert!(info.methods.iter().any(|m| &m.id == id));
    }
    for choice in guardrails::default_choices(&info) {
        assert!(guardrails::can_answer(&info, &choice), "{choice:?}");
    }
    let _ = info.health();
}

/// A `$batch` answer: the first byte is the retry round, the rest the body.
/// Every item is answered or sent again, never both, never lost; a wait
/// asked for is bounded; the first load's Security Info is read from the
/// answered items or refused with a typed error.
pub fn graph_batch(data: &[u8]) {
    let (attempt, body) = match data {
        [a, rest @ ..] => (u32::from(*a % 5), rest),
        [] => (0, data),
    };
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Ok(round) = core::batch_answer(&value, attempt) else {
        assert!(value.get("responses").and_then(Value::as_array).is_none());
        return;
    };
    let items = value["responses"].as_array().map_or(0, Vec::len);
    assert_eq!(round.done.len() + round.retry.len(), items);
    assert_eq!(round.wait.is_some(), !round.retry.is_empty());
    if let Some(wait) = round.wait {
        assert!(wait <= Duration::from_secs(30), "{wait:?}");
    }
    if round.retry.is_empty() {
        // Item by item: only a 2xx status makes a success.
        for ((_, result), item) in round
            .done
            .iter()
            .zip(value["responses"].as_array().unwrap())
        {
            if result.is_ok() {
                let status = item.get("status").and_then(Value::as_u64);
                assert!(
                    status.is_some_and(|s| (200..300).contains(&s)),
                    "{item} is no success"
                );
            }
        }
    }
    let items: HashMap<String, Result<Value, GraphError>> = round.done.into_iter().collect();
    let busy = Err(GraphError::Busy {
        status: 503,
        retry_after: None,
    });
    if let Ok(info) = core::security_info(items, busy) {
        check_method_ids(&info.methods);
        assert_eq!(info.default_method(), None, "no preferences, no default");
        let _ = info.health();
    }
}

// ---- the identity platform -----------------------------------------------

const CLIENT_ID: &str = "00000000-0000-0000-0000-00000000c11e";

/// A token endpoint's answer, as a success and as an error body. Tokens
/// expire within a day however long `expires_in` says; an ID token that
/// names a user names a GUID object id.
pub fn token_answer(data: &[u8]) {
    let before = Instant::now();
    if let Ok((tokens, user)) = core::token_answer(data, CLIENT_ID) {
        assert!(tokens.expires_at <= Instant::now() + core::MAX_TOKEN_LIFETIME);
        assert!(tokens.expires_at >= before);
        if let Some(user) = user {
            assert!(!user.upn.is_empty(), "a user has a name");
        }
    }
    let _ = core::token_error_answer(data);
}

/// The device authorization answer: accepted only with a lifetime of one
/// second to a day and a polling interval of at most a minute, so nothing
/// later overflows or waits for ever.
pub fn device_code_answer(data: &[u8]) {
    if let Ok(start) = core::device_code_answer(data) {
        assert!(start.expires_in() > Duration::ZERO);
        assert!(start.expires_in() <= core::MAX_DEVICE_CODE_LIFETIME);
        assert!(start.interval() <= core::MAX_DEVICE_CODE_INTERVAL);
        let _ = Instant::now() + start.expires_in();
        let _ = (start.user_code(), start.verification_uri());
    }
}

/// A request to the loopback redirect URI. Whatever it is, only one
/// sign-in's `state` can be ended by it: the same request for any other
/// `state` is refused and the wait goes on.
pub fn loopback_redirect(data: &[u8]) {
    const OURS: &str = "c2lnbi1pbi1zdGF0ZQ";
    let ours = core::loopback_request(data, OURS);
    let other = core::loopback_request(data, "another-sign-in");
    if matches!(ours, core::Redirect::Code(_) | core::Redirect::Failed(_)) {
        assert_eq!(other, core::Redirect::ForeignState);
    }
    if ours == core::Redirect::Stray {
        assert_eq!(other, core::Redirect::Stray, "stray whatever the state");
    }
    if let core::Redirect::Failed(e) = ours {
        assert!(matches!(
            e,
            mfa_core::auth::SignInError::Cancelled(_) | mfa_core::auth::SignInError::Rejected(_)
        ));
    }
}

// ---- the relay -----------------------------------------------------------

#[derive(Debug, Arbitrary)]
struct RelayRequest<'a> {
    idempotency_key: Option<&'a str>,
    content_type: Option<&'a str>,
    domains: Vec<&'a str>,
    body: &'a [u8],
}

/// `POST /v1/reset-requests` and `POST /v1/device-keys` as the relay reads
/// them: the headers, then the body. An accepted request is the same
/// request when written as JSON and read again (by `validate` and by the
/// outbox's deserialiser), and its ticket, in every language, has one
/// device-proof line and no line with a control character; an accepted
/// enrolment's key keeps its text.
pub fn relay_request(data: &[u8]) {
    let Ok(input) = RelayRequest::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    if let Ok(key) = idempotency_key(input.idempotency_key) {
        assert_eq!(idempotency_key(Some(&key)).as_deref(), Ok(key.as_str()));
    }
    let _ = is_json_media_type(input.content_type);
    relay_body(input.body, &input.domains);
    if let Ok(enrolment) = Enrolment::parse(input.body) {
        let text = enrolment.public_key.text();
        assert_eq!(PublicKey::parse(&text).map(|k| k.text()), Ok(text));
    }
}

fn relay_body(body: &[u8], domains: &[&str]) {
    let Ok(raw) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Ok(request) = validate(&raw) else {
        return;
    };
    let again = request.to_json();
    assert_eq!(validate(&again).as_ref(), Ok(&request), "{again}");
    let stored: helpdesk_contract::ResetRequest =
        serde_json::from_value(again.clone()).expect("an accepted request deserialises");
    assert_eq!(stored, request);
    let domains: Vec<String> = domains.iter().map(|d| (*d).to_owned()).collect();
    assert_eq!(
        request.upn.in_any_domain(&domains),
        in_any_domain(request.upn.as_str(), &domains)
    );
    // Unsigned, and enrolled with the request's own device text as the
    // enrolled device's name (typed text inside the relay's proof line).
    let proofs = [
        DeviceProof::unverified(device_proof::UnverifiedReason::Unsigned),
        DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: OffsetDateTime::UNIX_EPOCH,
            enrolled_os: request.device.os.clone(),
        },
    ];
    let runbook = helpdesk_contract::ticket::default_runbook();
    for proof in &proofs {
        let ticket = helpdesk_contract::TicketText {
            request_id: "rr-00000000-0000-4000-8000-000000000000",
            request: &request,
            device_proof: proof,
            disputed: false,
            owner_notice: None,
            runbook: &runbook,
            accepted_at: "2026-12-05T10:00:00Z",
        };
        let subject = ticket.subject();
        assert!(!subject.contains(['\n', '\r']), "the subject is one line");
        for language in ["en", "de", "fr", "es", "ja", "pt-BR", "zh-Hans"] {
            let words = helpdesk_contract::ticket::ticket_words(language).expect("built in");
            let body = ticket.body_in(words);
            for line in body.lines() {
                assert!(
                    !line.chars().any(|c| c.is_control() && c != '\t'),
                    "no line of the ticket carries a control character: {line:?}"
                );
            }
            let proof_lines = body
                .lines()
                .filter(|l| l.starts_with(words.device_proof))
                .count();
            assert_eq!(proof_lines, 1, "one device-proof line: {body}");
        }
    }
}

#[derive(Debug, Arbitrary)]
struct RelayHeaders<'a> {
    peer: IpAddr,
    trusted: Vec<(IpAddr, u8)>,
    forwarded: Vec<&'a str>,
    key_id: Option<&'a str>,
    created: Option<&'a str>,
    signature: Option<&'a str>,
    logged: &'a str,
}

/// The relay's request headers: the forwarding header behind trusted
/// proxies, the device-proof headers and what a log line shows of a value.
/// The client address is the peer's unless the peer is a trusted proxy,
/// and else one the header or the peer named; well-formed device-proof
/// headers keep their shape; a logged value carries no control character.
pub fn relay_headers(data: &[u8]) {
    let Ok(input) = RelayHeaders::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let trusted: Vec<Cidr> = input
        .trusted
        .iter()
        .filter_map(|(ip, prefix)| format!("{ip}/{prefix}").parse().ok())
        .collect();
    for cidr in &trusted {
        let text = cidr.to_string();
        assert_eq!(text.parse::<Cidr>().map(|c| c.to_string()), Ok(text));
    }
    let client = rate_limit::client_address(input.peer, &trusted, input.forwarded.iter().copied());
    let peer = input.peer.to_canonical();
    let is_trusted = |a: IpAddr| trusted.iter().any(|c| c.contains(a));
    if !is_trusted(peer) {
        assert_eq!(client, peer);
    } else if client != peer {
        let named = input
            .forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|e| {
                let e = e.trim();
                e.parse::<IpAddr>()
                    .or_else(|_| e.parse::<std::net::SocketAddr>().map(|s| s.ip()))
                    .ok()
            })
            .any(|a| a.to_canonical() == client);
        assert!(named, "{client} was named by the header");
    }
    let bucket = rate_limit::bucket_of(client);
    assert_eq!(rate_limit::bucket_of(bucket), bucket);

    if let Ok(Some(headers)) = SignatureHeaders::parse(input.key_id, input.created, input.signature)
    {
        assert!(device_proof::is_valid_key_id(&headers.key_id));
        let again = SignatureHeaders::parse(
            Some(&headers.key_id),
            Some(&headers.created.to_string()),
            Some(&headers.signature),
        );
        assert_eq!(again, Ok(Some(headers)));
    }

    let shown = helpdesk_relay::escape::escaped(input.logged).to_string();
    assert!(
        !shown.chars().any(|c| c.is_control()),
        "a logged value is one line: {shown:?}"
    );
}

/// A bearer token sent to the relay: its header read without trusting it,
/// its claims checked at any time. Nothing panics, whatever the numbers.
pub fn relay_token(data: &[u8]) {
    let token = text(data);
    if let Ok(header) = relay_token::read_header(&token) {
        assert!(!header.kid.is_empty() && header.kid.len() <= 128);
    }
    // The claims: the token's middle part, else the whole input as JSON.
    let claims = token
        .split('.')
        .nth(1)
        .and_then(|p| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .or_else(|| serde_json::from_slice::<Value>(data).ok());
    let Some(claims) = claims else { return };
    let tenant = "8d3c1a2b-0000-4000-8000-000000000001";
    let expect = Expectations {
        tenant_id: tenant.into(),
        issuers: Expectations::issuers_for(
            "https://login.microsoftonline.com/",
            "https://sts.windows.net/",
            tenant,
        ),
        audiences: vec!["api://mfa-assistant-relay".into()],
        client_id: CLIENT_ID.into(),
        scope: "DeviceKeys.Enrol".into(),
        max_age_seconds: 86_400,
    };
    for now in [
        OffsetDateTime::UNIX_EPOCH,
        OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("a time"),
    ] {
        if let Ok(user) = relay_token::check_claims(&claims, &expect, now) {
            assert!(!user.oid.is_empty());
        }
    }
}

#[derive(Debug, Arbitrary)]
struct SignedAttempt<'a> {
    key: [u8; 32],
    key_id: &'a str,
    created: i64,
    now: i64,
    idempotency_key: &'a str,
    body: &'a [u8],
    upn: &'a str,
    enrolled_upn: &'a str,
    /// What an attacker changes after signing (0: nothing).
    tamper: u8,
    other: &'a [u8],
}

/// Device proof: a request signed by an enrolled key, then perhaps changed
/// (its body, key, time, signature or key id). Only an unchanged request,
/// within ten minutes, for the key's own account is an enrolled device;
/// a changed one is refused or unverified, never proven.
pub fn device_proof(data: &[u8]) {
    let Ok(a) = SignedAttempt::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let key = SigningKey::from_bytes(&a.key);
    let public = device_proof::public_key_text(&key);
    let (key_id, created, mut signature) =
        sign(&key, a.key_id, a.created, a.idempotency_key, a.body);
    let mut created_text = created;
    let mut sent_body = a.body.to_vec();
    let mut sent_key_id = key_id.clone();
    let mut sent_idempotency_key = a.idempotency_key.to_owned();
    let mut enrolled_key = public.clone();
    let other_text = text(a.other);
    let tampered = match a.tamper % 7 {
        1 => {
            sent_body.extend_from_slice(a.other);
            !a.other.is_empty()
        }
        2 => {
            created_text = a.created.wrapping_add(1).to_string();
            true
        }
        3 => {
            signature = other_text.clone();
            signature != sign(&key, a.key_id, a.created, a.idempotency_key, a.body).2
        }
        4 => {
            let mut seed = a.key;
            seed[0] ^= 1;
            enrolled_key = device_proof::public_key_text(&SigningKey::from_bytes(&seed));
            true
        }
        5 => {
            sent_idempotency_key.push_str(&other_text);
            !other_text.is_empty()
        }
        6 => {
            sent_key_id = other_text.clone();
            sent_key_id != key_id
        }
        _ => false,
    };
    let Ok(headers) =
        SignatureHeaders::parse(Some(&sent_key_id), Some(&created_text), Some(&signature))
    else {
        return;
    };
    let Ok(now) = OffsetDateTime::from_unix_timestamp(a.now % 253_402_300_799) else {
        return;
    };
    let enrolled_at = OffsetDateTime::UNIX_EPOCH;
    let enrolled = EnrolledKey {
        key_id: &key_id,
        upn: a.enrolled_upn,
        public_key: &enrolled_key,
        enrolled_at,
        os: "Windows 11",
    };
    let result = verdict(
        headers.as_ref(),
        Some(&enrolled),
        &sent_idempotency_key,
        &sent_body,
        a.upn,
        now,
    );
    if let Ok(DeviceProof::EnrolledDevice { key_id: proven, .. }) = &result {
        assert!(!tampered, "a changed request is never proven: {a:?}");
        assert_eq!(proven, &key_id);
        assert!(a.enrolled_upn.trim().eq_ignore_ascii_case(a.upn.trim()));
        let age = (i128::from(now.unix_timestamp()) - i128::from(a.created)).unsigned_abs();
        assert!(age <= device_proof::MAX_SIGNATURE_AGE.as_secs().into());
    }
    if !tampered && headers.is_some() {
        if let Err(e) = &result {
            assert_ne!(e.code, "invalidSignature", "an honest signature verifies");
        }
    }
    // Any text as a stored key and a signature: a verdict or a typed refusal.
    if let Ok(key) = PublicKey::parse(&other_text) {
        let _ = key.verifies(a.body, a.key_id);
    }
}

// ---- what the app keeps --------------------------------------------------

/// Phone-number normalisation: a number accepted once is accepted again
/// unchanged (idempotent), in the form `+<country> <digits>[x<ext>]`.
pub fn phone_number(data: &[u8]) {
    let typed = text(data);
    let Ok(number) = PhoneNumber::parse(&typed) else {
        return;
    };
    let again = PhoneNumber::parse(number.as_str()).expect("a normalised number parses");
    assert_eq!(again, number);
    let s = number.as_str();
    let (country, rest) = s[1..].split_once(' ').expect("one space after the country");
    assert!(s.starts_with('+'));
    assert!((1..=4).contains(&country.len()) && country.bytes().all(|b| b.is_ascii_digit()));
    let (digits, ext) = rest.split_once('x').unwrap_or((rest, ""));
    assert!((4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()));
    assert!(ext.len() <= 10 && ext.bytes().all(|b| b.is_ascii_digit()));
}

/// An outbox file: read as the outbox reads it; what it reads is written
/// and read back the same.
pub fn outbox_file(data: &[u8]) {
    let Ok(entry) = serde_json::from_slice::<OutboxEntry>(data) else {
        return;
    };
    let bytes = serde_json::to_vec_pretty(&entry).expect("an entry serialises");
    let again: OutboxEntry = serde_json::from_slice(&bytes).expect("a saved entry reads");
    assert_eq!(again, entry);
}

/// A journey file: read into typed steps; written, it reads to the same
/// journey (the second write is byte for byte the first).
pub fn journey_file(data: &[u8]) {
    let Ok(first) = core::journey_file(data) else {
        return;
    };
    let second = core::journey_file(&first).expect("a saved journey reads");
    assert_eq!(
        String::from_utf8_lossy(&second),
        String::from_utf8_lossy(&first)
    );
}

#[derive(Debug, Arbitrary)]
struct Entry {
    seconds: i64,
    upn: String,
    action: String,
    before: Option<(String, Option<String>)>,
    after: Option<(String, Option<String>)>,
}

/// The CSV export, from the activity log's text (first byte even) or from
/// arbitrary entries. Read back by a spreadsheet's rules (RFC 4180), it has
/// one row per entry and five cells per row; each cell is its value, and
/// one that starts like a formula is defused with a leading `'`.
pub fn csv_export(data: &[u8]) {
    let entries: Vec<ActivityEntry> = match data.split_first() {
        Some((mode, rest)) if mode % 2 == 0 => core::activity_log(&text(rest)),
        _ => {
            let Ok(entries) = Vec::<Entry>::arbitrary_take_rest(Unstructured::new(data)) else {
                return;
            };
            entries
                .into_iter()
                .map(|e| ActivityEntry {
                    time: OffsetDateTime::from_unix_timestamp(e.seconds % 253_402_300_799)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    upn: e.upn,
                    action: e.action,
                    before: e.before.map(|(kind, name)| Snapshot { kind, name }),
                    after: e.after.map(|(kind, name)| Snapshot { kind, name }),
                })
                .collect()
        }
    };
    let csv = activity_csv(&entries, &CsvHeaders::default());
    let rows = read_csv(&csv);
    assert_eq!(rows.len(), entries.len() + 1, "{csv:?}");
    assert_eq!(rows[0], ["time", "account", "action", "before", "after"]);
    for (row, e) in rows[1..].iter().zip(&entries) {
        assert_eq!(row.len(), 5, "{row:?}");
        let values = [
            None,
            Some(e.upn.clone()),
            Some(e.action.clone()),
            Some(Snapshot::csv_cell(&e.before)),
            Some(Snapshot::csv_cell(&e.after)),
        ];
        for (cell, value) in row.iter().zip(values) {
            let risky = |s: &str| s.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(!risky(cell), "a cell never starts like a formula: {cell:?}");
            if let Some(value) = value {
                let expected = if risky(&value) {
                    format!("'{value}")
                } else {
                    value
                };
                assert_eq!(cell, &expected);
            }
        }
    }
}

/// RFC 4180 as a spreadsheet reads it: rows end at CRLF outside quotes,
/// cells at commas; a quoted cell's `""` is one `"`.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(!quoted, "every quote is closed");
    assert!(cell.is_empty() && row.is_empty(), "the last row ends");
    rows
}
