//! The relay's access token: what `POST /v1/device-keys` and
//! `GET /v1/device-keys/{keyId}` accept as proof that the signed-in user's
//! own MFA Assistant is asking. One implementation of the rules, used by
//! the relay (with the tenant's JWKS) and the tenant emulator's stand-in
//! (with its own signing key).
//!
//! The relay is an API in Entra's terms: the organisation registers it with
//! an application ID URI and one delegated permission, and the app asks
//! Entra for a token for that permission. A token is accepted only when
//! every check below passes, in this order; each refusal is a 401 with its
//! own code and a message that says what was wrong without repeating the
//! token:
//!
//! 1. a JWS in compact form whose header says `alg: RS256` and names a
//!    `kid` -> else `invalidToken` (`alg: none`, HMAC, an opaque Graph
//!    token...);
//! 2. the signature verifies with the tenant's published key of that `kid`
//!    -> else `invalidToken`;
//! 3. `exp` not passed -> else `tokenExpired`; `nbf` and `iat` not in the
//!    future (one minute's leeway) -> else `invalidToken`;
//! 4. `tid` the organisation's tenant and `iss` its v2.0 or v1.0 issuer ->
//!    else `tokenWrongTenant`;
//! 5. `aud` the relay's client id or application ID URI -> else
//!    `tokenWrongAudience` (a Graph token ends here);
//! 6. `azp` (v2.0) or `appid` (v1.0) MFA Assistant's client id -> else
//!    `tokenWrongClient`;
//! 7. `scp` contains the relay's permission -> else `tokenWithoutScope`;
//! 8. `amr` contains `mfa` -> else `tokenWithoutMfa` (Entra puts `amr` only
//!    in v1.0 access tokens: the registration guide keeps the relay's
//!    registration at its default token version);
//! 9. `iat` within the configured age (default ten minutes) -> else
//!    `tokenTooOld`: the app asks for a fresh token right before it enrols;
//! 10. `oid` and a user name (`preferred_username`, v1.0 `upn` or
//!     `unique_name`) present -> else `invalidToken`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use time::OffsetDateTime;

use crate::ContractError;

/// The permission the relay's registration exposes, unless configured
/// otherwise.
pub const DEFAULT_SCOPE_NAME: &str = "DeviceKeys.Enrol";

/// How old (by `iat`) a token may be by default, in seconds.
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 600;

/// Clock leeway for `exp`, `nbf` and an `iat` ahead of the relay's clock.
pub const LEEWAY_SECONDS: i64 = 60;

/// Refusal codes (all 401).
pub const INVALID_TOKEN: &str = "invalidToken";
pub const MISSING_TOKEN: &str = "missingToken";
pub const TOKEN_EXPIRED: &str = "tokenExpired";
pub const TOKEN_WRONG_TENANT: &str = "tokenWrongTenant";
pub const TOKEN_WRONG_AUDIENCE: &str = "tokenWrongAudience";
pub const TOKEN_WRONG_CLIENT: &str = "tokenWrongClient";
pub const TOKEN_WITHOUT_SCOPE: &str = "tokenWithoutScope";
pub const TOKEN_WITHOUT_MFA: &str = "tokenWithoutMfa";
pub const TOKEN_TOO_OLD: &str = "tokenTooOld";

/// Every refusal code, for the OpenAPI tests.
pub const REFUSAL_CODES: [&str; 9] = [
    MISSING_TOKEN,
    INVALID_TOKEN,
    TOKEN_EXPIRED,
    TOKEN_WRONG_TENANT,
    TOKEN_WRONG_AUDIENCE,
    TOKEN_WRONG_CLIENT,
    TOKEN_WITHOUT_SCOPE,
    TOKEN_WITHOUT_MFA,
    TOKEN_TOO_OLD,
];

/// What a token must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The organisation's tenant id (lower-case GUID).
    pub tenant_id: String,
    /// The issuers accepted: the tenant's v2.0 and v1.0 issuers.
    pub issuers: Vec<String>,
    /// The relay's own client id and application ID URI.
    pub audiences: Vec<String>,
    /// MFA Assistant's client id (the only client the relay serves).
    pub client_id: String,
    /// The permission name, e.g. `DeviceKeys.Enrol`.
    pub scope: String,
    /// How old (by `iat`) a token may be, in seconds.
    pub max_age_seconds: u64,
}

impl Expectations {
    /// The v2.0 issuer under `authority` (ending in `/`) and the v1.0
    /// issuer `v1_issuer_base` + tenant + `/` (Entra's v1.0 tokens name
    /// `https://sts.windows.net/{tid}/` in the public cloud).
    pub fn issuers_for(authority: &str, v1_issuer_base: &str, tenant_id: &str) -> Vec<String> {
        let authority = authority.trim_end_matches('/');
        let v1 = v1_issuer_base.trim_end_matches('/');
        vec![
            format!("{authority}/{tenant_id}/v2.0"),
            format!("{v1}/{tenant_id}/"),
        ]
    }
}

/// The user a valid token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUser {
    /// The user's object id (`oid`), as Graph's `id`.
    pub oid: String,
    /// The user name, lower-case (`preferred_username`, `upn`).
    pub upn: String,
    /// The token's `ver` (`1.0` or `2.0`).
    pub version: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> ContractError {
    ContractError::new(401, code, message)
}

/// A token's header, read without trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHeader {
    /// The key id the header names.
    pub kid: String,
}

/// Step 1: the token's shape and header. `alg` must be RS256.
pub fn read_header(token: &str) -> Result<TokenHeader, ContractError> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts.iter().take(2).any(|p| p.is_empty()) {
        return Err(refuse(
            INVALID_TOKEN,
            "the bearer token is not a JSON Web Token (an opaque token, such as a Microsoft Graph \
             token, is not for this relay): ask Entra for a token for the relay's scope",
        ));
    }
    let header: Value = URL_SAFE_NO_PAD
        .decode(parts[0])
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| refuse(INVALID_TOKEN, "the token's header is not base64url JSON"))?;
    match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => {}
        Some(other) => {
            return Err(refuse(
                INVALID_TOKEN,
                format!(
                    "the token is signed with {:?}; the relay accepts only RS256 tokens signed by the tenant",
                    other.chars().take(16).collect::<String>()
                ),
            ))
        }
        None => return Err(refuse(INVALID_TOKEN, "the token's header names no alg")),
    }
    if parts[2].is_empty() {
        return Err(refuse(INVALID_TOKEN, "the token carries no signature"));
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .ok_or_else(|| {
            refuse(
                INVALID_TOKEN,
                "the token's header names no signing key (kid)",
            )
        })?;
    Ok(TokenHeader {
        kid: kid.to_owned(),
    })
}

/// The refusal for a `kid` the tenant does not publish.
pub fn unknown_key(kid: &str) -> ContractError {
    refuse(
        INVALID_TOKEN,
        format!(
            "the token is signed with a key ({:?}) the tenant does not publish",
            kid.chars().take(64).collect::<String>()
        ),
    )
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn shown(value: &str) -> String {
    let short: String = value.chars().take(80).collect();
    format!("{short:?}")
}

/// Steps 2-10: verifies `token`'s signature with `key` (the tenant's key
/// its header named) and its claims against `expect` at `now`.
pub fn verify(
    token: &str,
    key: &DecodingKey,
    expect: &Expectations,
    now: OffsetDateTime,
) -> Result<TokenUser, ContractError> {
    read_header(token)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Value>(token, key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => refuse(
                INVALID_TOKEN,
                "the token's signature does not verify with the tenant's key",
            ),
            _ => refuse(INVALID_TOKEN, format!("the token cannot be read: {e}")),
        })?
        .claims;
    check_claims(&claims, expect, now)
}

/// Steps 3-10 over verified claims.
pub fn check_claims(
    claims: &Value,
    expect: &Expectations,
    now: OffsetDateTime,
) -> Result<TokenUser, ContractError> {
    let now = now.unix_timestamp();
    let number = |name: &str| claims.get(name).and_then(Value::as_i64);
    let text = |name: &str| claims.get(name).and_then(Value::as_str);

    let exp = number("exp").ok_or_else(|| refuse(INVALID_TOKEN, "the token has no exp"))?;
    // Claims are numbers anyone can write (up to i64's ends): saturate.
    if exp.saturating_add(LEEWAY_SECONDS) <= now {
        return Err(refuse(
            TOKEN_EXPIRED,
            format!(
                "the token expired {} s ago; ask Entra for a new one",
                now.saturating_sub(exp)
            ),
        ));
    }
    if number("nbf").is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECONDS)) {
        return Err(refuse(INVALID_TOKEN, "the token is not valid yet (nbf)"));
    }
    let iat = number("iat").ok_or_else(|| refuse(INVALID_TOKEN, "the token has no iat"))?;
    if iat > now.saturating_add(LEEWAY_SECONDS) {
        return Err(refuse(
            INVALID_TOKEN,
            "the token says it was issued in the future (iat)",
        ));
    }

    let tid = text("tid").unwrap_or_default();
    let iss = text("iss").unwrap_or_default();
    if !tid.eq_ignore_ascii_case(&expect.tenant_id) {
        return Err(refuse(
            TOKEN_WRONG_TENANT,
            format!(
                "the token was issued for tenant {} and this relay serves tenant {}",
                shown(tid),
                expect.tenant_id
            ),
        ));
    }
    if !expect.issuers.iter().any(|i| i == iss) {
        return Err(refuse(
            TOKEN_WRONG_TENANT,
            format!(
                "the token's issuer {} is not the tenant's ({})",
                shown(iss),
                expect.issuers.join(" or ")
            ),
        ));
    }

    let audiences = strings(claims.get("aud"));
    if !audiences
        .iter()
        .any(|a| expect.audiences.iter().any(|e| e.eq_ignore_ascii_case(a)))
    {
        return Err(refuse(
            TOKEN_WRONG_AUDIENCE,
            format!(
                "the token is for {} and not for this relay ({}): a Microsoft Graph token goes to \
                 Graph only; ask Entra for a token for the relay's scope",
                audiences
                    .first()
                    .map(|a| shown(a))
                    .unwrap_or_else(|| "no audience".into()),
                expect.audiences.join(" or ")
            ),
        ));
    }

    let client = text("azp").or_else(|| text("appid")).unwrap_or_default();
    if !client.eq_ignore_ascii_case(&expect.client_id) {
        return Err(refuse(
            TOKEN_WRONG_CLIENT,
            format!(
                "the token was issued to the app {} and the relay serves only MFA Assistant ({})",
                shown(client),
                expect.client_id
            ),
        ));
    }

    let scopes: Vec<&str> = text("scp").unwrap_or_default().split(' ').collect();
    if !scopes.iter().any(|s| s.eq_ignore_ascii_case(&expect.scope)) {
        return Err(refuse(
            TOKEN_WITHOUT_SCOPE,
            format!(
                "the token does not grant the relay's permission {}",
                expect.scope
            ),
        ));
    }

    let amr = strings(claims.get("amr"));
    if !amr.contains(&"mfa") {
        let why = if claims.get("amr").is_none() {
            "the token says nothing of how the user signed in (no amr claim; Entra writes amr \
             only into v1.0 access tokens, so the relay's registration must keep its default \
             access token version)"
                .to_string()
        } else {
            format!(
                "the user did not complete multi-factor authentication for this token (amr {})",
                amr.join(",")
            )
        };
        return Err(refuse(
            TOKEN_WITHOUT_MFA,
            format!("{why}; sign in again with MFA"),
        ));
    }

    let age = now.saturating_sub(iat);
    if age > expect.max_age_seconds as i64 {
        return Err(refuse(
            TOKEN_TOO_OLD,
            format!(
                "the token was issued {age} s ago; the relay accepts tokens at most {} s old: ask Entra for a fresh one",
                expect.max_age_seconds
            ),
        ));
    }

    let oid = text("oid")
        .filter(|o| !o.is_empty() && o.len() <= 64)
        .ok_or_else(|| refuse(INVALID_TOKEN, "the token names no user (oid)"))?;
    let upn = text("preferred_username")
        .or_else(|| text("upn"))
        .or_else(|| text("unique_name"))
        .filter(|u| u.contains('@') && u.len() <= 256)
        .ok_or_else(|| {
            refuse(
                INVALID_TOKEN,
                "the token names no user name (preferred_username or upn)",
            )
        })?;
    Ok(TokenUser {
        oid: oid.to_owned(),
        upn: upn.to_ascii_lowercase(),
        version: text("ver").unwrap_or("1.0").to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect() -> Expectations {
        Expectations {
            tenant_id: "t-1".into(),
            issuers: Expectations::issuers_for(
                "https://login.example/",
                "https://sts.example/",
                "t-1",
            ),
            audiences: vec!["api-1".into(), "api://relay".into()],
            client_id: "app-1".into(),
            scope: DEFAULT_SCOPE_NAME.into(),
            max_age_seconds: 600,
        }
    }

    fn good(now: i64) -> Value {
        json!({
            "aud": "api://relay", "iss": "https://sts.example/t-1/", "tid": "t-1",
            "appid": "app-1", "scp": "DeviceKeys.Enrol", "amr": ["pwd", "mfa"],
            "iat": now - 5, "nbf": now - 5, "exp": now + 3600, "oid": "o-1",
            "upn": "Adele@Contoso.example", "ver": "1.0",
        })
    }

    fn code(claims: &Value, now: OffsetDateTime) -> &'static str {
        check_claims(claims, &expect(), now)
            .err()
            .map(|e| e.code)
            .unwrap_or("accepted")
    }

    #[test]
    fn times_at_the_ends_of_i64_are_refused_not_overflowed() {
        // exp + leeway, now - exp, now - iat overflowed (a panic with
        // overflow checks, a wrapped number without).
        let now = OffsetDateTime::now_utc();
        let t = now.unix_timestamp();
        let with = |name: &str, value: i64| {
            let mut c = good(t);
            c[name] = value.into();
            c
        };
        assert_eq!(code(&with("exp", i64::MAX), now), "accepted");
        assert_eq!(code(&with("exp", i64::MIN), now), TOKEN_EXPIRED);
        assert_eq!(code(&with("iat", i64::MIN), now), TOKEN_TOO_OLD);
        assert_eq!(code(&with("iat", i64::MAX), now), INVALID_TOKEN);
        assert_eq!(code(&with("nbf", i64::MAX), now), INVALID_TOKEN);
    }

    #[test]
    fn each_claim_has_its_refusal() {
        let now = OffsetDateTime::now_utc();
        let t = now.unix_timestamp();
        let user = check_claims(&good(t), &expect(), now).expect("accepted");
        assert_eq!(user.upn, "adele@contoso.example");
        assert_eq!(user.oid, "o-1");
        let with = |name: &str, value: Value| {
            let mut c = good(t);
            c[name] = value;
            c
        };
        let v2 = json!({
            "aud": "api-1", "iss": "https://login.example/t-1/v2.0", "tid": "t-1",
            "azp": "app-1", "scp": "Other DeviceKeys.Enrol", "amr": ["mfa"],
            "iat": t, "exp": t + 60, "oid": "o-1", "preferred_username": "a@b.example", "ver": "2.0",
        });
        assert_eq!(code(&v2, now), "accepted");
        assert_eq!(code(&with("exp", json!(t - 120)), now), TOKEN_EXPIRED);
        assert_eq!(code(&with("nbf", json!(t + 600)), now), INVALID_TOKEN);
        assert_eq!(code(&with("tid", json!("t-2")), now), TOKEN_WRONG_TENANT);
        assert_eq!(
            code(&with("iss", json!("https://sts.example/t-2/")), now),
            TOKEN_WRONG_TENANT
        );
        assert_eq!(
            code(&with("aud", json!("https://graph.microsoft.com")), now),
            TOKEN_WRONG_AUDIENCE
        );
        assert_eq!(
            code(&with("appid", json!("other")), now),
            TOKEN_WRONG_CLIENT
        );
        assert_eq!(
            code(&with("scp", json!("User.Read")), now),
            TOKEN_WITHOUT_SCOPE
        );
        assert_eq!(code(&with("amr", json!(["pwd"])), now), TOKEN_WITHOUT_MFA);
        let mut no_amr = good(t);
        no_amr.as_object_mut().map(|o| o.remove("amr"));
        assert_eq!(code(&no_amr, now), TOKEN_WITHOUT_MFA);
        assert_eq!(code(&with("iat", json!(t - 601)), now), TOKEN_TOO_OLD);
        assert_eq!(code(&with("iat", json!(t + 600)), now), INVALID_TOKEN);
        assert_eq!(code(&with("upn", json!("nobody")), now), INVALID_TOKEN);
    }

    #[test]
    fn headers_other_than_rs256_with_a_kid_are_refused() {
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let body = part(json!({"aud": "x"}));
        for (header, says) in [
            (json!({"alg": "none", "kid": "k"}), "\"none\""),
            (json!({"alg": "HS256", "kid": "k"}), "HS256"),
            (json!({"alg": "RS256"}), "kid"),
        ] {
            let token = format!("{}.{body}.c2ln", part(header));
            let e = read_header(&token).expect_err("refused");
            assert_eq!(e.code, INVALID_TOKEN);
            assert!(e.message.contains(says), "{}", e.message);
        }
        let unsigned = format!("{}.{body}.", part(json!({"alg": "RS256", "kid": "k"})));
        assert!(read_header(&unsigned).is_err());
        assert!(read_header("opaque-graph-token").is_err());
        assert_eq!(
            read_header(&format!(
                "{}.{body}.c2ln",
                part(json!({"alg": "RS256", "kid": "k"}))
            ))
            .map(|h| h.kid)
            .ok(),
            Some("k".to_string())
        );
    }
}
