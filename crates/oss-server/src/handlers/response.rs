//! The headers describing an object on GET/HEAD ([`object_headers`]), and the
//! response helpers of [`crate::shared::response`] ([`respond`], [`xml_response`],
//! [`put_header`], [`quoted`]) under the names the handlers use.

use axum::http::HeaderMap;

use crate::shared::response::{object_headers_head, stored_headers};
pub use crate::shared::response::{put_header, quoted, respond, xml_response};
use crate::store::metadata::{ObjectMeta, ObjectType};

/// Headers describing an object on GET/HEAD (without Content-Length).
pub fn object_headers(meta: &ObjectMeta) -> HeaderMap {
    let mut headers = object_headers_head(meta);
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
    stored_headers(&mut headers, meta);
    headers
}
