//! Reading a request: query parameters (decoded, in order), headers as text or as
//! the pairs a signature verifier reads, the Host the client used, whether it sent a
//! body, and stamping the headers every answer carries.

use std::time::SystemTime;

use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};

/// First value of `name` in decoded query pairs.
pub fn query_value<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Whether the query has `name` (with or without a value).
pub fn query_has(query: &[(String, String)], name: &str) -> bool {
    query.iter().any(|(n, _)| n == name)
}

/// A request header as text (none if absent or not visible ASCII).
pub fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The Host the client used: the `Host` header, else the URI's authority, else empty.
pub fn request_host(parts: &Parts) -> String {
    parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_default()
}

/// Whether a request announces a body (a non-zero length, or a chunked one).
pub fn carries_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || headers.contains_key(header::TRANSFER_ENCODING)
}

/// The request headers as `(lower-case name, value)` pairs, values read as lossy UTF-8.
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The first query parameter that names one of the `unsupported` sub-resources.
pub fn unsupported_sub_resource<'q>(
    query: &'q [(String, String)],
    unsupported: &[&str],
) -> Option<&'q str> {
    query
        .iter()
        .find(|(n, _)| unsupported.contains(&n.as_str()))
        .map(|(n, _)| n.as_str())
}

/// Adds `Date` (now), `Server: server` and, for a `failed` request that `sent_a_body`,
/// `Connection: close`.
///
/// A failed request may be answered before its body was read (a bad signature, a
/// wrong append position). Hyper then closes the connection, and a client that pooled
/// it would send its next request into a closed socket: say so up front.
pub fn stamp_answer(
    headers: &mut HeaderMap,
    server: &'static str,
    sent_a_body: bool,
    failed: bool,
) {
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now())) {
        headers.insert(header::DATE, value);
    }
    headers.insert(header::SERVER, HeaderValue::from_static(server));
    if sent_a_body && failed {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
}
