//! Object information: [`info_from_headers`] reads an [`ObjectInfo`] from the headers
//! of a HEAD or GET answer, and [`head`] asks for it (HeadObject). Also the header
//! readers the rest of the crate shares.

use std::collections::BTreeMap;

use jit_storage::{ObjectInfo, StorageResult};
use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::engine::core::{OssCore, OssRequest};
use crate::engine::error;
use crate::engine::integrity::crc_header;
use crate::engine::lister::trim_etag;

/// A header's value, when it is present and visible ASCII.
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Content-Length`, when present and a number.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, "content-length").and_then(|v| v.trim().parse().ok())
}

/// Object information from HEAD/GET response headers.
pub(crate) fn info_from_headers(key: &str, headers: &HeaderMap, size: u64) -> ObjectInfo {
    let mut info = ObjectInfo::new(key, size);
    info.content_type = header_str(headers, "content-type").map(str::to_string);
    info.etag = header_str(headers, "etag").map(trim_etag);
    info.last_modified =
        header_str(headers, "last-modified").and_then(|v| httpdate::parse_http_date(v).ok());
    info.crc64 = crc_header(headers);
    info.storage_class = header_str(headers, "x-oss-storage-class").map(str::to_string);
    let mut metadata = BTreeMap::new();
    for (name, value) in headers {
        if let Some(meta) = name.as_str().strip_prefix("x-oss-meta-") {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            metadata.insert(meta.to_string(), value);
        }
    }
    info.metadata = metadata;
    info
}

/// HeadObject of `key` (retried under the element's policy).
pub(crate) async fn head(core: &OssCore, key: &str) -> StorageResult<ObjectInfo> {
    let response = core.send(OssRequest::new(Method::HEAD, Some(key))).await?;
    let headers = response.headers();
    let size = content_length(headers)
        .ok_or_else(|| error::malformed_response("HEAD without Content-Length", Some(headers)))?;
    Ok(info_from_headers(key, headers, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_become_info() {
        let mut h = HeaderMap::new();
        h.insert("content-type", "text/plain".parse().unwrap());
        h.insert("etag", "\"ABC\"".parse().unwrap());
        h.insert(
            "last-modified",
            "Thu, 17 Nov 2005 18:49:58 GMT".parse().unwrap(),
        );
        h.insert(
            "x-oss-hash-crc64ecma",
            "11051210869376104954".parse().unwrap(),
        );
        h.insert("x-oss-storage-class", "IA".parse().unwrap());
        h.insert("x-oss-meta-author", "alice".parse().unwrap());
        let info = info_from_headers("k", &h, 9);
        assert_eq!(info.etag.as_deref(), Some("ABC"));
        assert_eq!(info.crc64, Some(0x995d_c9bb_df19_39fa));
        assert_eq!(info.storage_class.as_deref(), Some("IA"));
        assert_eq!(
            info.metadata.get("author").map(String::as_str),
            Some("alice")
        );
        assert!(info.last_modified.is_some());
        h.insert("content-length", " 12 ".parse().unwrap());
        assert_eq!(content_length(&h), Some(12));
    }
}
