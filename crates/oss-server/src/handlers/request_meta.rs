//! [`RequestMeta`]: the Content-Type, standard headers and `x-oss-meta-*` user metadata
//! an upload request carries, to be stored with the object.

use axum::http::{HeaderMap, HeaderValue};

/// Standard headers stored with an object and returned on GET/HEAD.
const STORED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

/// Content-Type, stored standard headers and user metadata sent with an upload.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// Content-Type, `application/octet-stream` if none was sent.
    pub content_type: String,
    /// Standard headers to store.
    pub headers: Vec<(String, String)>,
    /// `x-oss-meta-*` headers.
    pub user_meta: Vec<(String, String)>,
}

/// Collects the metadata an upload request carries.
pub fn request_meta(headers: &HeaderMap) -> RequestMeta {
    let text = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .map(text)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let stored = STORED_HEADERS
        .iter()
        .filter_map(|name| headers.get(*name).map(|v| ((*name).to_owned(), text(v))))
        .collect();
    let mut user_meta: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-oss-meta-"))
        .map(|(name, value)| (name.as_str().to_owned(), text(value)))
        .collect();
    user_meta.sort();
    RequestMeta {
        content_type,
        headers: stored,
        user_meta,
    }
}
