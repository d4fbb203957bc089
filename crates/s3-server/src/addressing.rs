//! Addressing: which bucket and key a request names, from its Host and path.
//!
//! - Path style: `http://127.0.0.1:PORT/bucket/key` (any IP host, a host listed in
//!   [`crate::ServerConfig::service_domains`], or a host without dots).
//! - Virtual-hosted style: `http://bucket.localhost:PORT/key`: a sub-domain of a
//!   service domain, or any other dotted non-IP host, whose first label is the bucket.
//!
//! The key comes percent-encoded in the path and is decoded here (`+` stays a plus).

use std::net::IpAddr;

use axum::http::StatusCode;
use percent_encoding::percent_decode_str;

use crate::error::{S3Error, S3Result};

/// Longest key S3 accepts, in bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// Bucket and key named by a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The bucket, if any (none for ListBuckets).
    pub bucket: Option<String>,
    /// The decoded key, if any.
    pub key: Option<String>,
    /// Whether the bucket came from the Host header.
    pub virtual_hosted: bool,
}

/// The lower-case host name of `host:port` (or `[v6]:port`).
fn host_name(host: &str) -> String {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_ascii_lowercase();
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The bucket named by the Host header, if the request is virtual-hosted.
fn bucket_from_host(host: &str, service_domains: &[String]) -> Option<String> {
    let name = host_name(host);
    if name.is_empty() || name.parse::<IpAddr>().is_ok() {
        return None;
    }
    for domain in service_domains {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        if name == domain {
            return None;
        }
        if let Some(prefix) = name.strip_suffix(&format!(".{domain}")) {
            return Some(prefix.to_owned());
        }
    }
    name.split_once('.').map(|(first, _)| first.to_owned())
}

/// Percent-decodes `s` into UTF-8 text.
pub fn decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// Checks a key: at most 1024 bytes of UTF-8 without control characters (they
/// cannot travel in the XML of listings).
pub fn check_key(key: &str) -> S3Result<()> {
    if key.len() > MAX_KEY_BYTES {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "KeyTooLongError",
            "Your key is too long",
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(S3Error::invalid_argument(
            "Object keys must not contain control characters.",
            "key",
            "",
        ));
    }
    Ok(())
}

/// Resolves the bucket and key of a request.
pub fn resolve(host: Option<&str>, raw_path: &str, service_domains: &[String]) -> S3Result<Target> {
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let decode_key = |raw: &str| -> S3Result<Option<String>> {
        if raw.is_empty() {
            return Ok(None);
        }
        let key = decode(raw)
            .ok_or_else(|| S3Error::invalid_argument("The key is not valid UTF-8.", "key", raw))?;
        check_key(&key)?;
        Ok(Some(key))
    };
    if let Some(bucket) = host.and_then(|h| bucket_from_host(h, service_domains)) {
        return Ok(Target {
            bucket: Some(bucket),
            key: decode_key(path)?,
            virtual_hosted: true,
        });
    }
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let bucket = match bucket {
        "" => None,
        b => Some(decode(b).unwrap_or_else(|| b.to_owned())),
    };
    Ok(Target {
        key: if bucket.is_some() {
            decode_key(key)?
        } else {
            None
        },
        bucket,
        virtual_hosted: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Vec<String> {
        vec!["localhost".to_owned()]
    }

    #[test]
    fn path_and_virtual_host_styles() {
        let t = resolve(Some("127.0.0.1:9000"), "/b/dir/a%20b+c", &domains()).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("b"));
        assert_eq!(t.key.as_deref(), Some("dir/a b+c"));
        assert!(!t.virtual_hosted);
        let t = resolve(Some("b.localhost:9000"), "/k", &domains()).unwrap();
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("b"), Some("k"))
        );
        assert!(t.virtual_hosted);
        let t = resolve(Some("localhost:9000"), "/", &domains()).unwrap();
        assert_eq!((t.bucket, t.key), (None, None));
        let t = resolve(Some("localhost:9000"), "/b", &domains()).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("b"), None));
        let t = resolve(Some("b.localhost"), "/", &domains()).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("b"), None));
        let long = format!("/b/{}", "k".repeat(1025));
        assert_eq!(
            resolve(None, &long, &domains()).unwrap_err().code,
            "KeyTooLongError"
        );
    }
}
