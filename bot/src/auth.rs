//! Customer and agent tokens: HS256 JSON Web Tokens minted and verified with the configured secret.
//!
//! A token's `sub` is the customer id; `role: "admin"` marks a lender's staff token, which may list handoffs.
//! Only `{"alg": "HS256"}` headers are accepted (never `none` or any other algorithm), the signature is
//! compared in constant time, and `exp` is always required and enforced.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The role of lender staff tokens.
pub const ADMIN_ROLE: &str = "admin";

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The customer id.
    pub sub: String,
    /// Seconds since the Unix epoch after which the token is refused.
    pub exp: u64,
    /// Seconds since the Unix epoch at which the token was minted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Claims {
    pub fn customer_id(&self) -> &str {
        &self.sub
    }

    pub fn is_admin(&self) -> bool {
        self.role.as_deref() == Some(ADMIN_ROLE)
    }
}

/// Why a token was refused. The messages say what is wrong without echoing the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token is signed with an algorithm other than HS256")]
    UnsupportedAlgorithm,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token names no customer")]
    MissingSubject,
    #[error("no token secret is configured")]
    EmptySecret,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

/// Seconds since the Unix epoch, now.
pub fn now_unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// Mints a token for `customer_id` that expires `ttl` from now; `admin` adds `role: "admin"`. Fails only for an
/// empty secret or an empty customer id.
pub fn mint_token(
    secret: impl AsRef<[u8]>,
    customer_id: &str,
    ttl: Duration,
    admin: bool,
) -> Result<String, AuthError> {
    let issued_at = now_unix_seconds();
    let claims = Claims {
        sub: customer_id.to_owned(),
        exp: issued_at.saturating_add(ttl.as_secs()),
        iat: Some(issued_at),
        role: admin.then(|| ADMIN_ROLE.to_owned()),
    };
    mint_token_with_claims(secret, &claims)
}

/// Mints a token carrying exactly `claims`.
pub fn mint_token_with_claims(
    secret: impl AsRef<[u8]>,
    claims: &Claims,
) -> Result<String, AuthError> {
    let secret = secret.as_ref();
    if secret.is_empty() {
        return Err(AuthError::EmptySecret);
    }
    if claims.sub.trim().is_empty() {
        return Err(AuthError::MissingSubject);
    }
    let header = Header {
        alg: "HS256".to_owned(),
        typ: Some("JWT".to_owned()),
    };
    // Serialising these two plain structs cannot fail; an empty object would only make the token unusable.
    let header_json = serde_json::to_vec(&header).unwrap_or_default();
    let claims_json = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(claims_json)
    );
    let signature = sign(secret, signing_input.as_bytes())
        .finalize()
        .into_bytes();
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// Verifies `token` against `secret` as of now.
pub fn verify_token(secret: impl AsRef<[u8]>, token: &str) -> Result<Claims, AuthError> {
    verify_token_at(secret, token, now_unix_seconds())
}

/// Verifies `token` against `secret` as of `now` (seconds since the Unix epoch).
pub fn verify_token_at(
    secret: impl AsRef<[u8]>,
    token: &str,
    now: u64,
) -> Result<Claims, AuthError> {
    let secret = secret.as_ref();
    if secret.is_empty() {
        return Err(AuthError::EmptySecret);
    }
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(header_part), Some(claims_part), Some(signature_part), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed);
    };
    let header_json = URL_SAFE_NO_PAD
        .decode(header_part)
        .map_err(|_| AuthError::Malformed)?;
    let header: Header = serde_json::from_slice(&header_json).map_err(|_| AuthError::Malformed)?;
    if header.alg != "HS256" {
        return Err(AuthError::UnsupportedAlgorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_part)
        .map_err(|_| AuthError::Malformed)?;
    let signing_input_length = header_part.len() + 1 + claims_part.len();
    let signing_input = token
        .as_bytes()
        .get(..signing_input_length)
        .ok_or(AuthError::Malformed)?;
    sign(secret, signing_input)
        .verify_slice(&signature)
        .map_err(|_| AuthError::BadSignature)?;
    let claims_json = URL_SAFE_NO_PAD
        .decode(claims_part)
        .map_err(|_| AuthError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&claims_json).map_err(|_| AuthError::Malformed)?;
    if claims.exp <= now {
        return Err(AuthError::Expired);
    }
    if claims.sub.trim().is_empty() {
        return Err(AuthError::MissingSubject);
    }
    Ok(claims)
}

/// The HMAC-SHA256 block size in bytes.
const HMAC_BLOCK_BYTES: usize = 64;

/// An HMAC-SHA256 over `message` keyed with `secret`. The key is brought to the block size as RFC 2104 says
/// (hashed when longer, zero-padded when shorter), which lets the infallible fixed-size constructor take it.
fn sign(secret: &[u8], message: &[u8]) -> HmacSha256 {
    use sha2::Digest;
    let mut key_block = [0_u8; HMAC_BLOCK_BYTES];
    if secret.len() > HMAC_BLOCK_BYTES {
        let digest = Sha256::digest(secret);
        key_block[..digest.len()].copy_from_slice(&digest);
    } else {
        key_block[..secret.len()].copy_from_slice(secret);
    }
    let mut mac = <HmacSha256 as hmac::digest::KeyInit>::new(&key_block.into());
    mac.update(message);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-of-reasonable-length";

    fn encode_json(value: &serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("json"))
    }

    #[test]
    fn the_block_sized_key_gives_the_standard_hmac() {
        for secret in [&b""[..], b"short", &[7_u8; 64], &[9_u8; 65], &[1_u8; 200]] {
            let mut reference =
                <HmacSha256 as Mac>::new_from_slice(secret).expect("any key length");
            reference.update(b"message");
            assert_eq!(
                sign(secret, b"message").finalize().into_bytes(),
                reference.finalize().into_bytes()
            );
        }
    }

    #[test]
    fn a_minted_token_verifies_with_its_customer() {
        let token = mint_token(SECRET, "C001", Duration::from_secs(3600), false).expect("minted");
        let claims = verify_token(SECRET, &token).expect("valid token");
        assert_eq!(claims.customer_id(), "C001");
        assert!(!claims.is_admin());
        assert!(claims.exp > now_unix_seconds());
        let admin = verify_token(
            SECRET,
            &mint_token(SECRET, "ops", Duration::from_secs(60), true).expect("minted"),
        )
        .expect("valid");
        assert!(admin.is_admin());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let claims = Claims {
            sub: "C001".to_owned(),
            exp: 1_000,
            iat: Some(500),
            role: None,
        };
        let token = mint_token_with_claims(SECRET, &claims).expect("minted");
        assert_eq!(verify_token_at(SECRET, &token, 999), Ok(claims));
        assert_eq!(
            verify_token_at(SECRET, &token, 1_000),
            Err(AuthError::Expired)
        );
        assert_eq!(verify_token(SECRET, &token), Err(AuthError::Expired));
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let token = mint_token(SECRET, "C001", Duration::from_secs(3600), false).expect("minted");
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims =
            encode_json(&serde_json::json!({"sub": "C002", "exp": now_unix_seconds() + 3600}));
        let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
        assert_eq!(verify_token(SECRET, &forged), Err(AuthError::BadSignature));
        let promoted = encode_json(&serde_json::json!({
            "sub": "C001", "exp": now_unix_seconds() + 3600, "role": "admin"
        }));
        let escalated = format!("{}.{}.{}", parts[0], promoted, parts[2]);
        assert_eq!(
            verify_token(SECRET, &escalated),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = mint_token(b"another-secret", "C001", Duration::from_secs(3600), false)
            .expect("minted");
        assert_eq!(verify_token(SECRET, &token), Err(AuthError::BadSignature));
    }

    #[test]
    fn unsigned_and_other_algorithm_tokens_are_refused() {
        let claims =
            encode_json(&serde_json::json!({"sub": "C001", "exp": now_unix_seconds() + 3600}));
        for algorithm in ["none", "None", "HS512", "RS256"] {
            let header = encode_json(&serde_json::json!({"alg": algorithm, "typ": "JWT"}));
            for signature in ["", "c2lnbmF0dXJl"] {
                let token = format!("{header}.{claims}.{signature}");
                assert_eq!(
                    verify_token(SECRET, &token),
                    Err(AuthError::UnsupportedAlgorithm),
                    "alg {algorithm} must be refused"
                );
            }
        }
    }

    #[test]
    fn garbage_is_refused_as_malformed() {
        for garbage in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "!!!.???.###",
            "eyJhbGciOiJIUzI1NiJ9.not-json.c2ln",
            "bm90IGpzb24.e30.c2ln",
        ] {
            let result = verify_token(SECRET, garbage);
            assert!(
                matches!(
                    result,
                    Err(AuthError::Malformed) | Err(AuthError::BadSignature)
                ),
                "{garbage:?} gave {result:?}"
            );
        }
        assert_eq!(verify_token(SECRET, "a.b"), Err(AuthError::Malformed));
    }

    #[test]
    fn a_token_without_subject_or_expiry_is_refused() {
        let header = encode_json(&serde_json::json!({"alg": "HS256"}));
        let no_expiry = encode_json(&serde_json::json!({"sub": "C001"}));
        let signing_input = format!("{header}.{no_expiry}");
        let signature = URL_SAFE_NO_PAD.encode(
            sign(SECRET, signing_input.as_bytes())
                .finalize()
                .into_bytes(),
        );
        assert_eq!(
            verify_token(SECRET, &format!("{signing_input}.{signature}")),
            Err(AuthError::Malformed)
        );
        let empty_subject =
            encode_json(&serde_json::json!({"sub": " ", "exp": now_unix_seconds() + 60}));
        let signing_input = format!("{header}.{empty_subject}");
        let signature = URL_SAFE_NO_PAD.encode(
            sign(SECRET, signing_input.as_bytes())
                .finalize()
                .into_bytes(),
        );
        assert_eq!(
            verify_token(SECRET, &format!("{signing_input}.{signature}")),
            Err(AuthError::MissingSubject)
        );
        assert_eq!(
            mint_token(SECRET, "", Duration::from_secs(60), false),
            Err(AuthError::MissingSubject)
        );
        assert_eq!(
            mint_token("", "C001", Duration::from_secs(60), false),
            Err(AuthError::EmptySecret)
        );
        assert_eq!(verify_token("", "a.b.c"), Err(AuthError::EmptySecret));
    }
}
