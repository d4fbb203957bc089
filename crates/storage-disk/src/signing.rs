//! Signed URLs: the secret [`SigningKey`], how a URL is signed, and
//! [`verify_signed_url`], the pure check a server runs (it takes `now`, so tests need no
//! clock).
//!
//! A signed URL is `{baseUrl}/{encoded key}?X-Jit-Expires=<unix seconds>`
//! `[&X-Jit-Content-Type=<type>]&X-Jit-Signature=<hex>`, where the signature is the
//! lower-case hex HMAC-SHA256, under the signing key, of
//!
//! ```text
//! JIT-DISK2-HMAC-SHA256\n<METHOD>\n<key>\n<expires>\n<content type or empty>\n<storage identity>
//! ```
//!
//! The key is the object key itself (not encoded); keys and content types contain no
//! line breaks, so the fields cannot be confused (the identity, the one field that may
//! hold any character, comes last), and a bound content type is never empty, so it
//! cannot be confused with none.
//!
//! The storage identity is the element's fullName (`storages.Files`) for storages built
//! from an app, or what embedding code sets in
//! [`DiskSettings::identity`](crate::DiskSettings::identity) (by default the canonical
//! folder path). It is not in the URL: the verifier uses its own, so two storages that
//! share a signing key do not accept each other's URLs, and a URL survives restarts as
//! long as the element keeps its name. URLs signed before the identity was added (label
//! `JIT-DISK-HMAC-SHA256`) no longer verify.
//!
//! A PUT URL always binds a content type (the caller's, else the one the key's extension
//! implies), and the upload must carry exactly it. A URL whose expiry lies more than
//! [`MAX_SIGN_EXPIRES`] (and a minute of clock slack) ahead is refused even with a valid
//! signature.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use jit_storage::PresignMethod;
use sha2::Sha256;

use crate::url::{encode_key, encode_query_value};

/// The longest lifetime of a signed URL (7 days, as on OSS and S3).
pub const MAX_SIGN_EXPIRES: Duration = Duration::from_secs(7 * 24 * 3600);

/// Query parameter: expiry, Unix seconds.
pub const EXPIRES_PARAM: &str = "X-Jit-Expires";
/// Query parameter: the bound content type, when one was signed.
pub const CONTENT_TYPE_PARAM: &str = "X-Jit-Content-Type";
/// Query parameter: the signature (always last in URLs this crate builds).
pub const SIGNATURE_PARAM: &str = "X-Jit-Signature";

const ALGORITHM: &str = "JIT-DISK2-HMAC-SHA256";

type HmacSha256 = Hmac<Sha256>;

/// The secret that signs URLs. Never shown: Debug prints `***`, and it has no Display.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey(String);

impl SigningKey {
    /// The shortest key accepted, in bytes.
    pub const MIN_LEN: usize = 16;

    /// Wraps a secret (length is checked by the config loader, not here).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(self.0.as_bytes()).expect("HMAC accepts keys of any length")
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

/// The text that is signed for one URL of the storage `identity`.
pub fn string_to_sign(
    identity: &str,
    method: PresignMethod,
    key: &str,
    expires: u64,
    content_type: Option<&str>,
) -> String {
    format!(
        "{ALGORITHM}\n{}\n{key}\n{expires}\n{}\n{identity}",
        method.as_str(),
        content_type.unwrap_or("")
    )
}

/// The lower-case hex signature of one URL of the storage `identity`.
pub fn sign(
    signing_key: &SigningKey,
    identity: &str,
    method: PresignMethod,
    key: &str,
    expires: u64,
    content_type: Option<&str>,
) -> String {
    let mut mac = signing_key.mac();
    mac.update(string_to_sign(identity, method, key, expires, content_type).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The signed URL of `key` of the storage `identity`, under `base_url` (no trailing
/// `/`), valid until `expires` (Unix seconds).
pub fn signed_url(
    base_url: &str,
    signing_key: &SigningKey,
    identity: &str,
    method: PresignMethod,
    key: &str,
    expires: u64,
    content_type: Option<&str>,
) -> String {
    let signature = sign(signing_key, identity, method, key, expires, content_type);
    let mut url = format!("{base_url}/{}?{EXPIRES_PARAM}={expires}", encode_key(key));
    if let Some(ct) = content_type {
        url.push_str(&format!("&{CONTENT_TYPE_PARAM}={}", encode_query_value(ct)));
    }
    url.push_str(&format!("&{SIGNATURE_PARAM}={signature}"));
    url
}

/// Seconds since the Unix epoch (0 before it).
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Why a signed request was refused. Servers answer 403 for all of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The storage has no signing key, so no URL can be valid.
    #[error("this storage has no signing key, so it accepts no signed URLs")]
    NotConfigured,
    /// A required query parameter is absent.
    #[error("the signed URL lacks the {0} parameter")]
    Missing(&'static str),
    /// A query parameter is present but unusable (or given twice).
    #[error("the signed URL's {0} parameter is malformed")]
    Malformed(&'static str),
    /// The URL expired.
    #[error("the signed URL expired at {expired_at} (Unix seconds)")]
    Expired {
        /// When it expired, Unix seconds.
        expired_at: u64,
    },
    /// The signature does not match (tampered URL, other signing key, other storage,
    /// other method or object key).
    #[error("the signature does not match the request")]
    BadSignature,
    /// The URL is validly signed but would live longer than [`MAX_SIGN_EXPIRES`] from
    /// now: no URL this crate hands out does.
    #[error("the signed URL expires at {expires} (Unix seconds), more than 7 days ahead")]
    LifetimeTooLong {
        /// Its expiry, Unix seconds.
        expires: u64,
    },
    /// The request's `Content-Type` is not the one the URL was signed for.
    #[error("the request's Content-Type {got:?} is not the signed {expected:?}")]
    ContentTypeMismatch {
        /// The signed content type.
        expected: String,
        /// What the request sent.
        got: Option<String>,
    },
}

/// What a valid signed URL grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedGrant {
    /// GET or PUT.
    pub method: PresignMethod,
    /// Expiry, Unix seconds.
    pub expires: u64,
    /// The signed content type: the type an upload must carry, or the type a download is
    /// served with.
    pub content_type: Option<String>,
}

/// Checks a signed request to the storage `identity` at time `now`: the parameters in
/// `query` (decoded pairs, in any order), the request's `method` and object `key`, and —
/// for PUT, which always binds a content type — the request's `Content-Type` header.
///
/// Pure: no I/O and no clock; the caller passes `now`.
pub fn verify_signed_url(
    signing_key: &SigningKey,
    identity: &str,
    method: PresignMethod,
    key: &str,
    query: &[(String, String)],
    request_content_type: Option<&str>,
    now: SystemTime,
) -> Result<SignedGrant, SignatureError> {
    let expires_text =
        single(query, EXPIRES_PARAM)?.ok_or(SignatureError::Missing(EXPIRES_PARAM))?;
    let signature =
        single(query, SIGNATURE_PARAM)?.ok_or(SignatureError::Missing(SIGNATURE_PARAM))?;
    let content_type = single(query, CONTENT_TYPE_PARAM)?;
    // An empty type would sign like no type at all; URLs built here never carry one.
    if content_type.is_some_and(str::is_empty) {
        return Err(SignatureError::Malformed(CONTENT_TYPE_PARAM));
    }
    if expires_text.is_empty() || !expires_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed(EXPIRES_PARAM));
    }
    let expires: u64 = expires_text
        .parse()
        .map_err(|_| SignatureError::Malformed(EXPIRES_PARAM))?;
    // Only the exact form this crate emits: 64 lower-case hex digits.
    let well_formed = signature.len() == 64
        && signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !well_formed {
        return Err(SignatureError::Malformed(SIGNATURE_PARAM));
    }
    let signature =
        hex::decode(signature).map_err(|_| SignatureError::Malformed(SIGNATURE_PARAM))?;
    let mut mac = signing_key.mac();
    mac.update(string_to_sign(identity, method, key, expires, content_type).as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| SignatureError::BadSignature)?;
    let now = unix_seconds(now);
    if now >= expires {
        return Err(SignatureError::Expired {
            expired_at: expires,
        });
    }
    // A minute of slack for a clock stepped back between signing and verifying.
    if expires - now > MAX_SIGN_EXPIRES.as_secs() + 60 {
        return Err(SignatureError::LifetimeTooLong { expires });
    }
    if method == PresignMethod::Put {
        // Every PUT URL this crate signs binds a type; one without cannot be trusted to
        // keep an upload from choosing how it is served.
        let expected = content_type.ok_or(SignatureError::Missing(CONTENT_TYPE_PARAM))?;
        let got = request_content_type.map(str::trim);
        if got != Some(expected) {
            return Err(SignatureError::ContentTypeMismatch {
                expected: expected.to_string(),
                got: got.map(str::to_string),
            });
        }
    }
    Ok(SignedGrant {
        method,
        expires,
        content_type: content_type.map(str::to_string),
    })
}

fn single<'a>(
    query: &'a [(String, String)],
    name: &'static str,
) -> Result<Option<&'a str>, SignatureError> {
    let mut found = query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(SignatureError::Malformed(name));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_never_shown() {
        let key = SigningKey::new("super-secret-value-123");
        assert_eq!(format!("{key:?}"), "SigningKey(***)");
        assert_eq!(key.len(), 22);
    }

    #[test]
    fn known_answer() {
        // HMAC-SHA256 is deterministic: the same inputs always give the same signature,
        // and any change of input gives another.
        let key = SigningKey::new("0123456789abcdef");
        let id = "storages.Files";
        let a = sign(&key, id, PresignMethod::Get, "a b.txt", 100, None);
        assert_eq!(a.len(), 64);
        assert_eq!(a, sign(&key, id, PresignMethod::Get, "a b.txt", 100, None));
        assert_ne!(a, sign(&key, id, PresignMethod::Put, "a b.txt", 100, None));
        assert_ne!(a, sign(&key, id, PresignMethod::Get, "a b.txt", 101, None));
        assert_ne!(
            a,
            sign(
                &key,
                id,
                PresignMethod::Get,
                "a b.txt",
                100,
                Some("text/plain")
            )
        );
        assert_ne!(a, sign(&key, id, PresignMethod::Get, "a b.tx", 100, None));
        assert_ne!(
            a,
            sign(
                &key,
                "storages.Other",
                PresignMethod::Get,
                "a b.txt",
                100,
                None
            )
        );
        assert_eq!(
            string_to_sign(id, PresignMethod::Put, "k", 5, Some("text/plain")),
            "JIT-DISK2-HMAC-SHA256\nPUT\nk\n5\ntext/plain\nstorages.Files"
        );
    }

    #[test]
    fn urls_put_the_signature_last() {
        let key = SigningKey::new("0123456789abcdef");
        let url = signed_url(
            "http://h/files",
            &key,
            "id",
            PresignMethod::Put,
            "dir/a b+c.txt",
            9,
            Some("text/plain; charset=utf-8"),
        );
        let sig = sign(
            &key,
            "id",
            PresignMethod::Put,
            "dir/a b+c.txt",
            9,
            Some("text/plain; charset=utf-8"),
        );
        assert_eq!(
            url,
            format!(
                "http://h/files/dir/a%20b%2Bc.txt?X-Jit-Expires=9\
                 &X-Jit-Content-Type=text%2Fplain%3B%20charset%3Dutf-8&X-Jit-Signature={sig}"
            )
        );
    }
}
