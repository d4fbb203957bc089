//! Building responses: the helpers of `jit_oss_server::shared::response`
//! ([`respond`], [`xml_response`], [`put_header`], [`quoted`] ETags), the headers an upload
//! stores with an object ([`stored_headers`]) and those describing an object on
//! GET/HEAD ([`object_headers`], [`checksum_headers`]).

use axum::http::HeaderMap;
use jit_oss_server::shared::response::{self as shared, object_headers_head};
pub use jit_oss_server::shared::response::{put_header, quoted, respond, xml_response};
use jit_oss_server::store::ObjectMeta;

use crate::checksum::Algorithm;

/// Standard headers kept with an object and sent back on GET/HEAD.
pub const STORED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

/// The default Content-Type of S3 objects.
pub const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

/// What an upload asks to keep with the object: Content-Type, standard headers
/// (`aws-chunked` removed from Content-Encoding) and `x-amz-meta-*`.
#[derive(Debug, Clone)]
pub struct StoredMeta {
    /// Content-Type.
    pub content_type: String,
    /// Standard headers.
    pub headers: Vec<(String, String)>,
    /// User metadata, full lower-case names.
    pub user_meta: Vec<(String, String)>,
}

/// The metadata an upload's headers ask to keep.
pub fn stored_headers(request: &HeaderMap) -> StoredMeta {
    let text = |name: &str| request.get(name).and_then(|v| v.to_str().ok());
    let mut headers = Vec::new();
    for name in STORED_HEADERS {
        if let Some(value) = text(name) {
            let value = if *name == "content-encoding" {
                let kept: Vec<&str> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("aws-chunked"))
                    .collect();
                if kept.is_empty() {
                    continue;
                }
                kept.join(",")
            } else {
                value.to_owned()
            };
            headers.push(((*name).to_owned(), value));
        }
    }
    let mut user_meta: Vec<(String, String)> = request
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-amz-meta-"))
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    user_meta.sort();
    StoredMeta {
        content_type: text("content-type")
            .unwrap_or(DEFAULT_CONTENT_TYPE)
            .to_owned(),
        headers,
        user_meta,
    }
}

/// The checksum type of a stored value: `COMPOSITE` for `…-N`, else `FULL_OBJECT`.
pub fn checksum_type(value: &str) -> &'static str {
    let composite = value
        .rsplit_once('-')
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if composite {
        "COMPOSITE"
    } else {
        "FULL_OBJECT"
    }
}

/// `x-amz-checksum-*` of every stored checksum and `x-amz-checksum-type` of the first.
pub fn checksum_headers(headers: &mut HeaderMap, checksums: &[(String, String)]) {
    for (name, value) in checksums {
        if let Some(algorithm) = Algorithm::parse(name) {
            put_header(headers, &algorithm.header(), value);
        }
    }
    if let Some((_, value)) = checksums.first() {
        put_header(headers, "x-amz-checksum-type", checksum_type(value));
    }
}

/// Headers describing an object on GET/HEAD (without Content-Length and checksums).
pub fn object_headers(meta: &ObjectMeta) -> HeaderMap {
    let mut headers = object_headers_head(meta);
    shared::stored_headers(&mut headers, meta);
    headers
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn stored_headers_drop_aws_chunked() {
        let mut h = HeaderMap::new();
        h.insert("content-encoding", HeaderValue::from_static("aws-chunked"));
        h.insert("x-amz-meta-b", HeaderValue::from_static("2"));
        h.insert("x-amz-meta-a", HeaderValue::from_static("1"));
        let kept = stored_headers(&h);
        assert!(kept.headers.is_empty());
        assert_eq!(kept.content_type, DEFAULT_CONTENT_TYPE);
        assert_eq!(kept.user_meta[0].0, "x-amz-meta-a");
        h.insert(
            "content-encoding",
            HeaderValue::from_static("aws-chunked, gzip"),
        );
        assert_eq!(stored_headers(&h).headers[0].1, "gzip");
        assert_eq!(checksum_type("AAAAAA==-3"), "COMPOSITE");
        assert_eq!(checksum_type("AAAAAA=="), "FULL_OBJECT");
    }
}
