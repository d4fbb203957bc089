//! Addressing: which bucket and key a request names, from its Host and path.
//!
//! - Path style: `http://127.0.0.1:PORT/bucket/key` (any IP host, a host listed in the
//!   server's service domains, or a host without dots).
//! - Virtual-hosted style: `http://bucket.localhost:PORT/key`: a sub-domain of a
//!   service domain, or any other dotted non-IP host, whose first label is the bucket.
//!
//! The key comes percent-encoded in the path; [`resolve_with`] hands its raw text to
//! the server, which decodes and checks it by its own protocol's rules.

use std::net::IpAddr;

use percent_encoding::percent_decode_str;

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

/// Splits `host:port` (or `[v6]:port`) and returns the lower-case host name.
fn host_name(host: &str) -> String {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        // IPv6 literal: keep what is inside the brackets.
        return rest.split(']').next().unwrap_or("").to_ascii_lowercase();
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Bucket named by the Host header, if the request is virtual-hosted.
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

/// Resolves the bucket and key of a request; `key` turns the raw (still encoded,
/// non-empty) key into the decoded key, or the protocol's error.
pub fn resolve_with<E>(
    host: Option<&str>,
    raw_path: &str,
    service_domains: &[String],
    key: impl Fn(&str) -> Result<String, E>,
) -> Result<Target, E> {
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let decode_key = |raw: &str| -> Result<Option<String>, E> {
        if raw.is_empty() {
            return Ok(None);
        }
        key(raw).map(Some)
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
    let key = if bucket.is_some() {
        decode_key(key)?
    } else {
        None
    };
    Ok(Target {
        bucket,
        key,
        virtual_hosted: false,
    })
}
