//! What gets signed for S3: the SigV4 names and limits, [`S3Request`] (method, raw URL
//! path, raw query pairs, lower-case headers), [`PayloadHash`] (the values of
//! `x-amz-content-sha256`) and the S3 canonical forms built on the shared V4 core.
//!
//! S3 differs from OSS V4 in what it signs: the URI is the request path as sent (each
//! segment percent-encoded once, `/` kept, never double-encoded, the bucket only when
//! it is in the path), every header the request carries is signed except a fixed set
//! of hop-by-hop and client ones, and the payload hash is always in the request.

use std::fmt;

use crate::encode::{encode_path, encode_query};
use crate::v4core::{self, sha256_hex, AWS4, EMPTY_SHA256};

/// The algorithm of `Authorization` and `X-Amz-Algorithm`.
pub const ALGORITHM: &str = AWS4.algorithm;
/// The service in the credential scope.
pub const SERVICE: &str = "s3";
/// Longest lifetime of a presigned URL, in seconds (7 days).
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;

/// `x-amz-content-sha256` of a body that is not hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `x-amz-content-sha256` of an `aws-chunked` body with unsigned chunks and trailers.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// `x-amz-content-sha256` of an `aws-chunked` body with signed chunks.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `x-amz-content-sha256` of an `aws-chunked` body with signed chunks and a signed
/// trailer.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

/// Header: the signing time `yyyymmddThhmmssZ`.
pub const AMZ_DATE: &str = "x-amz-date";
/// Header: the payload hash (see [`PayloadHash`]).
pub const AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
/// Header: the STS session token.
pub const AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
/// Header: the length of an `aws-chunked` body once decoded.
pub const AMZ_DECODED_CONTENT_LENGTH: &str = "x-amz-decoded-content-length";
/// Header: the names of the trailers an `aws-chunked` body ends with.
pub const AMZ_TRAILER: &str = "x-amz-trailer";
/// Trailer: the signature of the other trailers of a signed `aws-chunked` body.
pub const AMZ_TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

/// Query: `AWS4-HMAC-SHA256`.
pub const X_AMZ_ALGORITHM: &str = "X-Amz-Algorithm";
/// Query: `AccessKeyId/yyyymmdd/region/s3/aws4_request`.
pub const X_AMZ_CREDENTIAL: &str = "X-Amz-Credential";
/// Query: the signing time.
pub const X_AMZ_DATE: &str = "X-Amz-Date";
/// Query: the lifetime in seconds (1..=604800).
pub const X_AMZ_EXPIRES: &str = "X-Amz-Expires";
/// Query: the signed header names, `;`-separated.
pub const X_AMZ_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
/// Query: the STS session token.
pub const X_AMZ_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
/// Query: the signature.
pub const X_AMZ_SIGNATURE: &str = "X-Amz-Signature";
/// The query parameters a presigned URL carries (any already present are replaced).
pub const PRESIGN_PARAMS: [&str; 7] = [
    X_AMZ_ALGORITHM,
    X_AMZ_CREDENTIAL,
    X_AMZ_DATE,
    X_AMZ_EXPIRES,
    X_AMZ_SIGNED_HEADERS,
    X_AMZ_SECURITY_TOKEN,
    X_AMZ_SIGNATURE,
];

/// Headers never signed: hop-by-hop headers and those proxies or HTTP clients add or
/// change (the union of botocore's and the JavaScript SDK's lists, less
/// `cache-control`, which S3 stores as object metadata and botocore signs), plus
/// `proxy-*` and `sec-*`.
pub const UNSIGNABLE_HEADERS: &[&str] = &[
    "authorization",
    "baggage",
    "connection",
    "expect",
    "from",
    "keep-alive",
    "max-forwards",
    "pragma",
    "referer",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Whether the signer signs a header of this (lower-case) name.
pub fn is_signable(name: &str) -> bool {
    !UNSIGNABLE_HEADERS.contains(&name) && !name.starts_with("proxy-") && !name.starts_with("sec-")
}

/// The value of `x-amz-content-sha256`: what the signature says about the body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PayloadHash {
    /// The hex SHA-256 of the whole body (as received: either case is accepted).
    Sha256(String),
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an `aws-chunked` body, chunks unsigned,
    /// trailers (a checksum) at the end.
    StreamingUnsignedTrailer,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: an `aws-chunked` body, each chunk signed.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed
    /// trailer.
    StreamingSignedTrailer,
}

impl PayloadHash {
    /// The hash of `body`.
    pub fn of(body: &[u8]) -> Self {
        PayloadHash::Sha256(sha256_hex(body))
    }

    /// The hash of an empty body.
    pub fn empty() -> Self {
        PayloadHash::Sha256(EMPTY_SHA256.to_owned())
    }

    /// Parses a received `x-amz-content-sha256`; `None` unless it is one of the four
    /// constants or 64 hex digits.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            UNSIGNED_PAYLOAD => PayloadHash::Unsigned,
            STREAMING_UNSIGNED_PAYLOAD_TRAILER => PayloadHash::StreamingUnsignedTrailer,
            STREAMING_PAYLOAD => PayloadHash::StreamingSigned,
            STREAMING_PAYLOAD_TRAILER => PayloadHash::StreamingSignedTrailer,
            hex if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                PayloadHash::Sha256(hex.to_owned())
            }
            _ => return None,
        })
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        match self {
            PayloadHash::Sha256(h) => h,
            PayloadHash::Unsigned => UNSIGNED_PAYLOAD,
            PayloadHash::StreamingUnsignedTrailer => STREAMING_UNSIGNED_PAYLOAD_TRAILER,
            PayloadHash::StreamingSigned => STREAMING_PAYLOAD,
            PayloadHash::StreamingSignedTrailer => STREAMING_PAYLOAD_TRAILER,
        }
    }

    /// Whether the body is `aws-chunked`.
    pub fn is_streaming(&self) -> bool {
        !matches!(self, PayloadHash::Sha256(_) | PayloadHash::Unsigned)
    }

    /// Whether each chunk carries a signature.
    pub fn has_signed_chunks(&self) -> bool {
        matches!(
            self,
            PayloadHash::StreamingSigned | PayloadHash::StreamingSignedTrailer
        )
    }

    /// Whether the body ends with trailers.
    pub fn has_trailer(&self) -> bool {
        matches!(
            self,
            PayloadHash::StreamingUnsignedTrailer | PayloadHash::StreamingSignedTrailer
        )
    }
}

/// Names whose values are secrets and are redacted by `Debug`.
fn is_secret_name(name: &str) -> bool {
    name.eq_ignore_ascii_case(AMZ_SECURITY_TOKEN)
}

/// An HTTP-library-agnostic S3 request to sign.
///
/// `path` is the raw (not percent-encoded) URL path: `/bucket/key` in path style,
/// `/key` in virtual-hosted style, `/` for the service. The query is raw pairs; header
/// names are kept lower case and must include `host` before signing.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Request {
    /// HTTP method, upper case.
    pub method: String,
    /// Raw URL path, starting with `/`.
    pub path: String,
    /// Raw query pairs in URL order; `None` is a bare name such as `?uploads`.
    pub query: Vec<(String, Option<String>)>,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for S3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<(&str, Option<&str>)> = self
            .query
            .iter()
            .map(|(n, v)| {
                let v = v.as_deref();
                (
                    n.as_str(),
                    if is_secret_name(n) {
                        v.map(|_| "***")
                    } else {
                        v
                    },
                )
            })
            .collect();
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if is_secret_name(n) { "***" } else { v }))
            .collect();
        f.debug_struct("S3Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .finish()
    }
}

impl S3Request {
    /// A request for the raw path `path` (a leading `/` is added if missing).
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        S3Request {
            method: method.into().to_ascii_uppercase(),
            path,
            query: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Path style: `/bucket/key`, or `/bucket` for a bucket-level request.
    pub fn path_style(method: impl Into<String>, bucket: &str, key: Option<&str>) -> Self {
        match key {
            Some(k) => S3Request::new(method, format!("/{bucket}/{k}")),
            None => S3Request::new(method, format!("/{bucket}")),
        }
    }

    /// Virtual-hosted style (the bucket is in the host): `/key`, or `/`.
    pub fn virtual_hosted(method: impl Into<String>, key: Option<&str>) -> Self {
        S3Request::new(method, format!("/{}", key.unwrap_or("")))
    }

    /// Appends a query parameter (`None` for a bare name such as `uploads`).
    pub fn with_query(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.push_query(name, value.map(str::to_owned));
        self
    }

    /// Sets a header (name lower-cased), replacing any header of that name.
    pub fn with_header(mut self, name: impl AsRef<str>, value: impl Into<String>) -> Self {
        self.set_header(name, value);
        self
    }

    /// Sets a header (name lower-cased), replacing any header of that name.
    pub fn set_header(&mut self, name: impl AsRef<str>, value: impl Into<String>) {
        let name = name.as_ref().to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
    }

    /// Removes every header of that name (case-insensitive).
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Appends a query parameter.
    pub fn push_query(&mut self, name: impl Into<String>, value: Option<String>) {
        self.query.push((name.into(), value));
    }

    /// Removes every query parameter of that name.
    pub fn remove_query(&mut self, name: &str) {
        self.query.retain(|(n, _)| n != name);
    }

    /// The first query value of that name; `Some(None)` for a bare name.
    pub fn query_param(&self, name: &str) -> Option<Option<&str>> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }

    /// The encoded URL path, which is also the canonical URI (see [`canonical_uri`]).
    pub fn encoded_path(&self) -> String {
        canonical_uri(&self.path)
    }

    /// The encoded query string (without `?`), in the order of [`S3Request::query`].
    pub fn query_string(&self) -> String {
        encode_query(self.query.iter().map(|(n, v)| (n.as_str(), v.as_deref())))
    }

    /// The encoded path and query, as on the request line.
    pub fn path_and_query(&self) -> String {
        let q = self.query_string();
        if q.is_empty() {
            self.encoded_path()
        } else {
            format!("{}?{q}", self.encoded_path())
        }
    }
}

/// The canonical URI of a raw path: each segment percent-encoded once (all but
/// `A-Za-z0-9-._~`), `/` kept, no normalisation of `.`, `..` or `//` (S3 does not
/// normalise); an empty path is `/`.
pub fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        "/".to_owned()
    } else {
        encode_path(raw_path)
    }
}

/// The sorted, de-duplicated, lower-case names of the headers the signer signs: every
/// header present except [`UNSIGNABLE_HEADERS`], `proxy-*` and `sec-*`.
pub fn signed_header_names<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = headers
        .into_iter()
        .map(str::to_ascii_lowercase)
        .filter(|n| is_signable(n))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The S3 canonical request of a request whose headers named in `signed` (lower case)
/// are signed. `raw_query` is decoded pairs without the signature parameter.
pub fn canonical_request<'a>(
    method: &str,
    canonical_uri: &str,
    raw_query: impl IntoIterator<Item = (&'a str, &'a str)>,
    headers: &[(&str, &str)],
    signed: &[String],
    payload_hash: &str,
) -> String {
    v4core::canonical_request(
        method,
        canonical_uri,
        &AWS4.canonical_query(raw_query),
        &AWS4.canonical_headers(headers, |n| signed.iter().any(|s| s == n)),
        &signed.join(";"),
        payload_hash,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_hash_values() {
        for v in [
            UNSIGNED_PAYLOAD,
            STREAMING_UNSIGNED_PAYLOAD_TRAILER,
            STREAMING_PAYLOAD,
            STREAMING_PAYLOAD_TRAILER,
            EMPTY_SHA256,
        ] {
            assert_eq!(PayloadHash::parse(v).unwrap().as_str(), v);
        }
        assert_eq!(PayloadHash::parse(EMPTY_SHA256), Some(PayloadHash::empty()));
        assert_eq!(PayloadHash::of(b""), PayloadHash::empty());
        assert_eq!(PayloadHash::parse("unsigned-payload"), None);
        assert_eq!(PayloadHash::parse(&EMPTY_SHA256[1..]), None);
        assert_eq!(
            PayloadHash::parse(&format!("{}g", &EMPTY_SHA256[1..])),
            None
        );
        assert!(PayloadHash::StreamingSignedTrailer.has_signed_chunks());
        assert!(PayloadHash::StreamingUnsignedTrailer.has_trailer());
        assert!(!PayloadHash::StreamingSigned.has_trailer());
        assert!(!PayloadHash::Unsigned.is_streaming());
    }

    #[test]
    fn paths_and_query() {
        let r = S3Request::path_style("get", "b", Some("a b/~+中!"))
            .with_query("uploads", None)
            .with_query("prefix", Some("x/y z"));
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.path_and_query(),
            "/b/a%20b/~%2B%E4%B8%AD%21?uploads&prefix=x%2Fy%20z"
        );
        assert_eq!(S3Request::virtual_hosted("GET", None).encoded_path(), "/");
        assert_eq!(S3Request::path_style("GET", "b", None).path, "/b");
        assert_eq!(S3Request::new("GET", "k").path, "/k");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a//b/../%"), "/a//b/../%25");
    }

    #[test]
    fn signed_names_and_redaction() {
        let r = S3Request::new("GET", "/")
            .with_header("Host", "h")
            .with_header("User-Agent", "u")
            .with_header("X-Amz-Security-Token", "tok1")
            .with_header("proxy-x", "p")
            .with_query(X_AMZ_SECURITY_TOKEN, Some("tok2"));
        assert_eq!(
            signed_header_names(r.headers.iter().map(|(n, _)| n.as_str())),
            vec!["host", "x-amz-security-token"]
        );
        let d = format!("{r:?}");
        assert!(!d.contains("tok1") && !d.contains("tok2"), "{d}");
    }
}
