//! Building responses: status, headers and body ([`respond`], [`xml_response`]), setting
//! headers safely ([`put_header`], [`quoted`] ETags), and the headers describing an
//! object on GET/HEAD ([`object_headers`]).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use crate::store::metadata::{ObjectMeta, ObjectType};
use crate::xml;

/// Adds a header if the value is a valid header value.
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

/// Headers describing an object on GET/HEAD (without Content-Length).
pub fn object_headers(meta: &ObjectMeta) -> HeaderMap {
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "content-type", &meta.content_type);
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(
        &mut headers,
        "last-modified",
        &xml::http_date(meta.last_modified),
    );
    put_header(&mut headers, "accept-ranges", "bytes");
    put_header(&mut headers, "x-oss-object-type", meta.object_type.as_str());
    put_header(&mut headers, "x-oss-storage-class", "Standard");
    put_header(
        &mut headers,
        "x-oss-hash-crc64ecma",
        &meta.crc64.to_string(),
    );
    if let Some(md5) = &meta.content_md5 {
        put_header(&mut headers, "content-md5", md5);
    }
    if meta.object_type == ObjectType::Appendable {
        put_header(
            &mut headers,
            "x-oss-next-append-position",
            &meta.size.to_string(),
        );
    }
    for (name, value) in meta.headers.iter().chain(meta.user_meta.iter()) {
        put_header(&mut headers, name, value);
    }
    headers
}

/// A response with `status`, `headers` and `body`.
pub fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// A 200 response with an XML body.
pub fn xml_response(xml: String, mut headers: HeaderMap) -> Response {
    put_header(&mut headers, "content-type", "application/xml");
    respond(StatusCode::OK, headers, Body::from(xml))
}
