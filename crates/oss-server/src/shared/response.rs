//! Building responses: status, headers and body ([`respond`], [`xml_response`]),
//! setting headers safely ([`put_header`], [`quoted`] ETags), and the headers every
//! object answer starts and ends with ([`object_headers_head`], [`stored_headers`]), and
//! the frame of an error answer ([`xml_error_response`]).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use crate::store::metadata::ObjectMeta;

/// Adds a header if the name and value are valid.
pub fn put_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// The quoted form of an ETag, as sent in headers and XML.
pub fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// Unix seconds as an HTTP date (`Tue, 02 Jan 2024 03:04:05 GMT`).
pub fn http_date(unix_secs: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix_secs))
}

/// The first headers describing an object on GET/HEAD: Content-Type, ETag,
/// Last-Modified, Accept-Ranges.
pub fn object_headers_head(meta: &ObjectMeta) -> HeaderMap {
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "content-type", &meta.content_type);
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(
        &mut headers,
        "last-modified",
        &http_date(meta.last_modified),
    );
    put_header(&mut headers, "accept-ranges", "bytes");
    headers
}

/// Adds the standard headers and user metadata stored with an object.
pub fn stored_headers(headers: &mut HeaderMap, meta: &ObjectMeta) {
    for (name, value) in meta.headers.iter().chain(meta.user_meta.iter()) {
        put_header(headers, name, value);
    }
}

/// A response with `status`, `headers` and `body`.
pub fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// An error answer: `status`, the XML `body`, `Content-Type: application/xml`, then
/// `headers` in order (those whose value is not a valid header value are left out).
pub fn xml_error_response(
    status: StatusCode,
    body: Body,
    headers: impl IntoIterator<Item = (&'static str, String)>,
) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let map = response.headers_mut();
    map.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.insert(name, value);
        }
    }
    response
}

/// A 200 response with an XML body.
pub fn xml_response(xml: String, mut headers: HeaderMap) -> Response {
    put_header(&mut headers, "content-type", "application/xml");
    respond(StatusCode::OK, headers, Body::from(xml))
}
