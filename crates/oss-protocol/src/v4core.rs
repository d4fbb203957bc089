//! The Signature V4 core that OSS V4 (`OSS4-HMAC-SHA256`) and AWS SigV4 for S3
//! (`AWS4-HMAC-SHA256`) share, written once: SHA-256 / HMAC-SHA256 / hex helpers, the
//! HMAC key-derivation chain and its [`SigningKey`], the canonical query, canonical
//! headers, canonical request and string to sign.
//!
//! What differs between the two protocols is a [`Scheme`] value ([`OSS4`], [`AWS4`]):
//! the algorithm name, the key prefix and scope terminator, the vendor header prefix,
//! how an empty query value and header whitespace are written. Which headers are signed
//! and how the URI is encoded are decided by the callers (`sign::v4` for OSS, `s3` for
//! S3), which hand this module the pieces.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::encode::encode_query_component;

type HmacSha256 = Hmac<Sha256>;

/// Hex SHA-256 of the empty string (the payload hash of a request without a body).
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(data);
    m
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    hmac(key, data).finalize().into_bytes().into()
}

/// Whether `s` is 64 lower-case hex digits, the only form V4 signatures are written in.
pub fn is_lower_hex_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A derived V4 signing key (the end of the HMAC chain over the secret, date, region,
/// service and terminator).
///
/// It only changes with the secret, the UTC date, the region and the service, so a
/// client derives it once a day and keeps it: one HMAC per request is left for the
/// signature. `Debug` never shows the key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// A key from its raw bytes (as derived earlier, e.g. by a cache).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SigningKey(bytes)
    }

    /// The raw key bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Lower-case hex HMAC-SHA256 of `string_to_sign`: the signature.
    pub fn sign(&self, string_to_sign: &str) -> String {
        hex::encode(hmac_sha256(&self.0, string_to_sign.as_bytes()))
    }

    /// Whether `provided_hex` is the signature of `string_to_sign`, compared in constant
    /// time. Only the exact lower-case hex form matches.
    pub fn matches(&self, string_to_sign: &str, provided_hex: &str) -> bool {
        if !is_lower_hex_sha256(provided_hex) {
            return false;
        }
        match hex::decode(provided_hex) {
            Ok(bytes) => hmac(&self.0, string_to_sign.as_bytes())
                .verify_slice(&bytes)
                .is_ok(),
            Err(_) => false,
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

/// What makes one V4 protocol differ from another, as far as the shared core goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The algorithm in the `Authorization` header and the first line of the string to
    /// sign: `OSS4-HMAC-SHA256`, `AWS4-HMAC-SHA256`.
    pub algorithm: &'static str,
    /// Prepended to the secret to key the first HMAC: `aliyun_v4`, `AWS4`.
    pub key_prefix: &'static str,
    /// The last element of the credential scope: `aliyun_v4_request`, `aws4_request`.
    pub terminator: &'static str,
    /// The vendor header prefix: `x-oss-`, `x-amz-`.
    pub header_prefix: &'static str,
    /// An empty query value is written `name` (OSS) rather than `name=` (AWS).
    pub bare_empty_query_values: bool,
    /// Header values have inner whitespace runs collapsed to one space (AWS "Trimall"),
    /// and repeated headers are joined with `,` on one line; otherwise (OSS) values are
    /// only trimmed and a repeated header is one line per value.
    pub trim_all: bool,
}

/// Aliyun OSS V4.
pub const OSS4: Scheme = Scheme {
    algorithm: "OSS4-HMAC-SHA256",
    key_prefix: "aliyun_v4",
    terminator: "aliyun_v4_request",
    header_prefix: "x-oss-",
    bare_empty_query_values: true,
    trim_all: false,
};

/// AWS Signature Version 4 (S3 and every other AWS service).
pub const AWS4: Scheme = Scheme {
    algorithm: "AWS4-HMAC-SHA256",
    key_prefix: "AWS4",
    terminator: "aws4_request",
    header_prefix: "x-amz-",
    bare_empty_query_values: false,
    trim_all: true,
};

impl Scheme {
    /// The credential scope `yyyymmdd/region/service/terminator`.
    pub fn scope(&self, date: &str, region: &str, service: &str) -> String {
        format!("{date}/{region}/{service}/{}", self.terminator)
    }

    /// The signing key: HMAC-SHA256 chain over `key_prefix + secret` → date → region →
    /// service → terminator.
    pub fn signing_key(&self, secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        let mut first = Vec::with_capacity(self.key_prefix.len() + secret.len());
        first.extend_from_slice(self.key_prefix.as_bytes());
        first.extend_from_slice(secret.as_bytes());
        let k = hmac_sha256(&first, date.as_bytes());
        let k = hmac_sha256(&k, region.as_bytes());
        let k = hmac_sha256(&k, service.as_bytes());
        SigningKey(hmac_sha256(&k, self.terminator.as_bytes()))
    }

    /// The canonical query string of raw (decoded) pairs: names and values encoded
    /// (all but `A-Za-z0-9-._~`, so `/` is `%2F`), sorted on the encoded name and then
    /// value, joined by `&`. Callers leave out the signature parameter.
    pub fn canonical_query<'a>(
        &self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> String {
        let mut encoded: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(n, v)| (encode_query_component(n), encode_query_component(v)))
            .collect();
        encoded.sort();
        let mut out = String::new();
        for (n, v) in encoded {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&n);
            if !(v.is_empty() && self.bare_empty_query_values) {
                out.push('=');
                out.push_str(&v);
            }
        }
        out
    }

    /// A header value as it is signed: trimmed, and with [`Scheme::trim_all`] inner
    /// whitespace runs collapsed to one space.
    pub fn header_value(&self, value: &str) -> String {
        if self.trim_all {
            let mut out = String::with_capacity(value.len());
            for word in value.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            out
        } else {
            value.trim().to_owned()
        }
    }

    /// The canonical headers block: every header whose lower-cased name `is_signed`,
    /// sorted by name, each `name:value\n` (see [`Scheme::trim_all`] for values and
    /// repeated headers).
    pub fn canonical_headers(
        &self,
        headers: &[(&str, &str)],
        is_signed: impl Fn(&str) -> bool,
    ) -> String {
        let mut signed: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), *v))
            .filter(|(n, _)| is_signed(n))
            .map(|(n, v)| (n, self.header_value(v)))
            .collect();
        let mut out = String::new();
        if self.trim_all {
            // Stable: the values of a repeated header keep their received order.
            signed.sort_by(|a, b| a.0.cmp(&b.0));
            let mut i = 0;
            while i < signed.len() {
                let name = &signed[i].0;
                out.push_str(name);
                out.push(':');
                let mut first = true;
                while i < signed.len() && signed[i].0 == *name {
                    if !first {
                        out.push(',');
                    }
                    out.push_str(&signed[i].1);
                    first = false;
                    i += 1;
                }
                out.push('\n');
            }
        } else {
            signed.sort();
            for (n, v) in signed {
                out.push_str(&n);
                out.push(':');
                out.push_str(&v);
                out.push('\n');
            }
        }
        out
    }

    /// `algorithm\n<datetime>\n<scope>\n<hex sha256(canonical request)>`.
    pub fn string_to_sign(&self, datetime: &str, scope: &str, canonical_request: &str) -> String {
        format!(
            "{}\n{datetime}\n{scope}\n{}",
            self.algorithm,
            sha256_hex(canonical_request.as_bytes())
        )
    }
}

/// The canonical request:
/// `method\nuri\nquery\n<canonical headers, each ending in \n>\nsigned-list\npayload`.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_list: &str,
    payload_hash: &str,
) -> String {
    format!("{method}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{signed_list}\n{payload_hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_keys() {
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
        let key = AWS4.signing_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20130524",
            "us-east-1",
            "s3",
        );
        assert_eq!(format!("{key:?}"), "SigningKey(***)");
        let sig = key.sign("x");
        assert!(key.matches("x", &sig));
        assert!(!key.matches("y", &sig));
        assert!(!key.matches("x", &sig.to_ascii_uppercase()));
        assert!(!key.matches("x", &sig[..63]));
        assert_eq!(SigningKey::from_bytes(key.to_bytes()), key);
        assert_ne!(
            OSS4.signing_key("s", "20130524", "r", "oss"),
            AWS4.signing_key("s", "20130524", "r", "oss")
        );
    }

    #[test]
    fn query_and_header_rules_per_scheme() {
        let q = [("b", ""), ("a", "x/y z"), ("a", "1")];
        assert_eq!(OSS4.canonical_query(q), "a=1&a=x%2Fy%20z&b");
        assert_eq!(AWS4.canonical_query(q), "a=1&a=x%2Fy%20z&b=");
        let h = [("X-B", " two  words "), ("a", "1"), ("x-b", "z"), ("c", "")];
        assert_eq!(
            AWS4.canonical_headers(&h, |_| true),
            "a:1\nc:\nx-b:two words,z\n"
        );
        assert_eq!(
            OSS4.canonical_headers(&h, |n| n != "c"),
            "a:1\nx-b:two  words\nx-b:z\n"
        );
    }
}
