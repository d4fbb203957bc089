//! What gets signed: [`SignRequest`] (method, bucket, raw key, raw query pairs,
//! lower-case headers), its borrowed form [`RequestView`] that the canonicalisation
//! functions read, the [`SignatureVersion`]s and [`SignError`] (also the error of S3
//! signing, [`crate::s3`]).

use std::fmt;

use crate::encode;

/// The two signature algorithms OSS accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureVersion {
    /// HMAC-SHA1, `Authorization: OSS ak:sig`. Closed to new buckets; kept as an option.
    V1,
    /// `OSS4-HMAC-SHA256`, region-scoped. The default for new clients.
    V4,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The time given is before 1970 or beyond what the date formats can express.
    #[error("time is outside the range signature dates can express")]
    TimeOutOfRange,
    /// A V4 presigned URL must live 1..=604800 seconds (7 days).
    #[error("V4 presign expiry must be 1..=604800 seconds, got {0}")]
    InvalidExpires(u64),
    /// V4 signing was asked for with an empty region.
    #[error("V4 signing needs a region")]
    MissingRegion,
    /// An S3 request to sign carries no `host` header (SigV4 always signs it).
    #[error("S3 signing needs a host header")]
    MissingHost,
    /// A header to sign has a name HTTP does not allow (RFC 9110 token characters
    /// only): it could not be sent, and its signature could not be verified.
    #[error("{0:?} is not a valid HTTP header name")]
    InvalidHeaderName(String),
}

/// Whether `name` is an HTTP header name (an RFC 9110 token).
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Header and query names whose values are secrets and are redacted by `Debug`.
const REDACTED: &[&str] = &["x-oss-security-token", "security-token"];

/// An HTTP-library-agnostic description of a request to sign.
///
/// Header names are kept lower case. The key and query values are raw (not
/// percent-encoded); encoding happens when the URL or the canonical forms are built.
#[derive(Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Bucket name; `None` for service-level requests (list buckets).
    pub bucket: Option<String>,
    /// Raw object key; `None` for bucket-level requests.
    pub key: Option<String>,
    /// Raw query pairs in URL order; `None` is a bare name such as `?acl`.
    pub query: Vec<(String, Option<String>)>,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |n: &str| REDACTED.iter().any(|r| r.eq_ignore_ascii_case(n));
        let query: Vec<(&str, Option<&str>)> = self
            .query
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str(),
                    v.as_deref().map(|v| if redact(n) { "***" } else { v }),
                )
            })
            .collect();
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if redact(n) { "***" } else { v.as_str() }))
            .collect();
        f.debug_struct("SignRequest")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("query", &query)
            .field("headers", &headers)
            .finish()
    }
}

impl SignRequest {
    /// A request with the given method (upper-cased), no bucket, key, query or headers.
    pub fn new(method: impl Into<String>) -> Self {
        SignRequest {
            method: method.into().to_ascii_uppercase(),
            bucket: None,
            key: None,
            query: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Sets the bucket.
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// Sets the raw object key.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Appends a query parameter (`None` for a bare name such as `uploads`).
    pub fn with_query(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.query.push((name.into(), value.map(str::to_owned)));
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

    /// The first query value of that name; `Some(None)` for a bare name.
    pub fn query_param(&self, name: &str) -> Option<Option<&str>> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }

    /// Appends a query parameter.
    pub fn push_query(&mut self, name: impl Into<String>, value: Option<String>) {
        self.query.push((name.into(), value));
    }

    /// Removes every query parameter of that name.
    pub fn remove_query(&mut self, name: &str) {
        self.query.retain(|(n, _)| n != name);
    }

    /// The URL path for virtual-hosted style (`bucket.endpoint`): `/` + encoded key.
    pub fn object_path(&self) -> String {
        format!(
            "/{}",
            encode::encode_path(self.key.as_deref().unwrap_or(""))
        )
    }

    /// The URL path for path style (`endpoint/bucket/key`).
    pub fn path_style_path(&self) -> String {
        match &self.bucket {
            Some(b) => format!(
                "/{}/{}",
                encode::encode_path(b),
                encode::encode_path(self.key.as_deref().unwrap_or(""))
            ),
            None => "/".to_owned(),
        }
    }

    /// The encoded query string (without `?`), in the order of [`SignRequest::query`].
    pub fn query_string(&self) -> String {
        encode::encode_query(self.query.iter().map(|(n, v)| (n.as_str(), v.as_deref())))
    }

    /// A borrowed view for the canonicalisation functions.
    pub fn view(&self) -> RequestView<'_> {
        RequestView {
            method: &self.method,
            bucket: self.bucket.as_deref(),
            key: self.key.as_deref(),
            query: self
                .query
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_deref()))
                .collect(),
            headers: self
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
        }
    }
}

/// A borrowed request as the canonicalisation functions read it; built from a
/// [`SignRequest`] on the client or from a received request on the server.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestView<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Bucket, if any.
    pub bucket: Option<&'a str>,
    /// Raw object key, if any.
    pub key: Option<&'a str>,
    /// Raw (decoded) query pairs; `None` and `Some("")` both mean a bare name.
    pub query: Vec<(&'a str, Option<&'a str>)>,
    /// Headers; names compared case-insensitively.
    pub headers: Vec<(&'a str, &'a str)>,
}

impl RequestView<'_> {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_tokens() {
        let r = SignRequest::new("get")
            .with_query("security-token", Some("tok1"))
            .with_header("X-OSS-Security-Token", "tok2");
        let d = format!("{r:?}");
        assert!(!d.contains("tok1") && !d.contains("tok2"), "{d}");
        assert_eq!(r.method, "GET");
        assert_eq!(r.header("x-oss-security-token"), Some("tok2"));
    }

    #[test]
    fn paths_and_query() {
        let r = SignRequest::new("GET")
            .with_bucket("b")
            .with_key("a b/中")
            .with_query("uploads", None)
            .with_query("prefix", Some("x/y"));
        assert_eq!(r.object_path(), "/a%20b/%E4%B8%AD");
        assert_eq!(r.path_style_path(), "/b/a%20b/%E4%B8%AD");
        assert_eq!(r.query_string(), "uploads&prefix=x%2Fy");
    }
}
