//! Object information: [`describe`] reads an [`ObjectInfo`] and the object checksum
//! from the headers of a HEAD or GET answer (the dialect names the metadata, storage
//! class and checksum headers), and [`head`] asks for them (HeadObject). Also the
//! header readers the rest of the crate shares.

use std::collections::BTreeMap;

use jit_storage::{ObjectInfo, StorageResult};
use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::engine::core::{Core, Request};
use crate::engine::error;
use crate::engine::lister::trim_etag;

/// A header's value, when it is present and visible ASCII.
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Content-Length`, when present and a number.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, "content-length").and_then(|v| v.trim().parse().ok())
}

/// An object as an answer's headers describe it.
#[derive(Debug, Clone)]
pub(crate) struct Described {
    /// Its information (`crc64` only when the dialect's checksum is CRC-64/XZ).
    pub info: ObjectInfo,
    /// Its checksum, in the dialect's algorithm, when the answer carried one.
    pub checksum: Option<u64>,
}

/// Object information from HEAD/GET response headers.
pub(crate) fn describe(core: &Core, key: &str, headers: &HeaderMap, size: u64) -> Described {
    let words = core.words();
    let checksum = core.checksum().read(headers);
    let mut info = ObjectInfo::new(key, size);
    info.content_type = header_str(headers, "content-type").map(str::to_string);
    info.etag = header_str(headers, "etag").map(trim_etag);
    info.last_modified =
        header_str(headers, "last-modified").and_then(|v| httpdate::parse_http_date(v).ok());
    info.crc64 = core.checksum().as_crc64_xz(checksum);
    info.storage_class = header_str(headers, words.storage_class).map(str::to_string);
    let mut metadata = BTreeMap::new();
    for (name, value) in headers {
        if let Some(meta) = name.as_str().strip_prefix(words.meta_prefix) {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            metadata.insert(meta.to_string(), value);
        }
    }
    info.metadata = metadata;
    Described { info, checksum }
}

/// HeadObject of `key` (retried under the element's policy), asking for the checksum.
pub(crate) async fn head(core: &Core, key: &str) -> StorageResult<Described> {
    let req = Request::new(Method::HEAD, Some(key)).checksum_headers(core.checksum().ask);
    let response = core.send(req).await?;
    let headers = response.headers();
    let size = content_length(headers).ok_or_else(|| {
        error::malformed_response(core.words(), "HEAD without Content-Length", Some(headers))
    })?;
    Ok(describe(core, key, headers, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::backend::test_core;

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
        let core = test_core(serde_json::json!({}));
        let Described { info, checksum } = describe(&core, "k", &h, 9);
        assert_eq!(checksum, Some(0x995d_c9bb_df19_39fa));
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
