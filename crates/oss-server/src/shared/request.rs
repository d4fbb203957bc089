//! Reading a request: query parameters (decoded, in order) and headers as text.

use axum::http::HeaderMap;

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
