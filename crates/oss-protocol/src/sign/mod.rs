//! Request signing for OSS, independent of any HTTP library.
//!
//! A [`SignRequest`] describes what gets signed: method, bucket, raw (unencoded) key,
//! raw query pairs and lower-case headers. [`v1`] and [`v4`] add the signature to it,
//! either as an `Authorization` header or as presigned query parameters; the caller
//! then builds the real HTTP request from it ([`SignRequest::query_string`],
//! [`SignRequest::object_path`]). The clock is always passed in.

pub mod v1;
pub mod v4;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

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
    #[error("time is outside the range OSS dates can express")]
    TimeOutOfRange,
    /// A V4 presigned URL must live 1..=604800 seconds (7 days).
    #[error("V4 presign expiry must be 1..=604800 seconds, got {0}")]
    InvalidExpires(u64),
    /// V4 signing was asked for with an empty region.
    #[error("V4 signing needs a region")]
    MissingRegion,
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

/// Seconds since the Unix epoch, or an error for times before it.
pub fn unix_seconds(t: SystemTime) -> Result<u64, SignError> {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| SignError::TimeOutOfRange)
}

fn to_utc(t: SystemTime) -> Result<OffsetDateTime, SignError> {
    let secs = i64::try_from(unix_seconds(t)?).map_err(|_| SignError::TimeOutOfRange)?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| SignError::TimeOutOfRange)
}

/// Formats an RFC 1123 HTTP date: `Thu, 17 Nov 2005 18:49:58 GMT`.
pub fn format_http_date(t: SystemTime) -> Result<String, SignError> {
    let fmt = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let dt = to_utc(t)?;
    if dt.year() > 9999 {
        return Err(SignError::TimeOutOfRange);
    }
    dt.format(&fmt).map_err(|_| SignError::TimeOutOfRange)
}

/// Formats the V4 timestamp `yyyymmddThhmmssZ` (UTC).
pub fn format_v4_datetime(t: SystemTime) -> Result<String, SignError> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    let dt = to_utc(t)?;
    if dt.year() > 9999 {
        return Err(SignError::TimeOutOfRange);
    }
    dt.format(&fmt).map_err(|_| SignError::TimeOutOfRange)
}

/// Parses the V4 timestamp `yyyymmddThhmmssZ`; `None` if malformed.
pub fn parse_v4_datetime(s: &str) -> Option<SystemTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    if s.len() != 16 {
        return None;
    }
    let dt = PrimitiveDateTime::parse(s, &fmt).ok()?.assume_utc();
    let secs = u64::try_from(dt.unix_timestamp()).ok()?;
    UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs))
}

/// Parses an HTTP date (RFC 1123, RFC 850 or asctime); `None` if malformed.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

/// The V4 signing region of an OSS endpoint, or `None` when the endpoint does not name
/// one (custom domains, `oss-accelerate*`, IP addresses).
///
/// Accepts `oss-cn-hangzhou.aliyuncs.com`, `oss-cn-hangzhou-internal.aliyuncs.com`,
/// `bucket.oss-cn-hangzhou.aliyuncs.com`, the dual-stack form
/// `cn-hangzhou.oss.aliyuncs.com`, with or without `http(s)://`, port or path.
pub fn region_from_endpoint(endpoint: &str) -> Option<String> {
    let trimmed = endpoint.trim();
    let no_scheme = match trimmed.split_once("://") {
        Some((_, rest)) => rest,
        None => trimmed,
    };
    let host = no_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n < 3 || labels[n - 2] != "aliyuncs" || labels[n - 1] != "com" {
        return None;
    }
    let service = labels[n - 3];
    if service == "oss" {
        // Dual-stack: <region>.oss.aliyuncs.com
        if n >= 4 && looks_like_region(labels[n - 4]) {
            return Some(labels[n - 4].to_owned());
        }
        return None;
    }
    let rest = service.strip_prefix("oss-")?;
    let region = rest.strip_suffix("-internal").unwrap_or(rest);
    if region.starts_with("accelerate") || !looks_like_region(region) {
        return None;
    }
    Some(region.to_owned())
}

fn looks_like_region(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    first.len() >= 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.clone().count() >= 1
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn regions() {
        let r = |e| region_from_endpoint(e);
        assert_eq!(
            r("oss-cn-hangzhou.aliyuncs.com").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            r("oss-cn-hangzhou-internal.aliyuncs.com").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            r("https://oss-us-west-1.aliyuncs.com/").as_deref(),
            Some("us-west-1")
        );
        assert_eq!(
            r("http://b.oss-cn-beijing.aliyuncs.com:80/x").as_deref(),
            Some("cn-beijing")
        );
        assert_eq!(
            r("cn-shanghai.oss.aliyuncs.com").as_deref(),
            Some("cn-shanghai")
        );
        assert_eq!(
            r("OSS-CN-HANGZHOU.ALIYUNCS.COM").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(r("oss-accelerate.aliyuncs.com"), None);
        assert_eq!(r("oss-accelerate-overseas.aliyuncs.com"), None);
        assert_eq!(r("oss.aliyuncs.com"), None);
        assert_eq!(r("127.0.0.1:9000"), None);
        assert_eq!(r("static.example.com"), None);
        assert_eq!(r(""), None);
        assert_eq!(r("oss-.aliyuncs.com"), None);
    }

    #[test]
    fn dates() {
        let t = UNIX_EPOCH + Duration::from_secs(1_132_253_398);
        assert_eq!(
            format_http_date(t).unwrap(),
            "Thu, 17 Nov 2005 18:49:58 GMT"
        );
        assert_eq!(format_v4_datetime(t).unwrap(), "20051117T184958Z");
        assert_eq!(parse_v4_datetime("20051117T184958Z"), Some(t));
        assert_eq!(parse_http_date("Thu, 17 Nov 2005 18:49:58 GMT"), Some(t));
        assert_eq!(parse_v4_datetime("2005-11-17T18:49:58Z"), None);
        assert_eq!(parse_v4_datetime("20051317T184958Z"), None);
        assert_eq!(parse_v4_datetime("2005111xT184958Z"), None);
        assert_eq!(
            format_http_date(UNIX_EPOCH - Duration::from_secs(1)),
            Err(SignError::TimeOutOfRange)
        );
    }

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
