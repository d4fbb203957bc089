//! Listing with ListObjectsV2 (`GET /?list-type=2`, OSS and S3 alike): the request
//! (prefix, delimiter, continuation token, max-keys, `encoding-type=url` where the
//! dialect asks for it) and its XML answer, parsed with quick-xml's serde support and
//! URL-decoded (when the answer says it is encoded) into a [`ListPage`].

use std::time::SystemTime;

use jit_storage::{ListOptions, ListPage, ObjectInfo, StorageResult};
use jit_wire::percent::decode_component;
use reqwest::Method;
use serde::Deserialize;

use crate::engine::core::Request;
use crate::engine::error;
use crate::engine::vocabulary::Vocabulary;

/// Most entries OSS and S3 return per page.
pub const MAX_KEYS: usize = 1000;

/// The ListObjectsV2 request for `options` in the dialect of `words`.
pub(crate) fn request(words: &Vocabulary, options: &ListOptions) -> Request {
    let max_keys = options.max_keys.unwrap_or(MAX_KEYS).clamp(1, MAX_KEYS);
    let mut req = Request::new(Method::GET, None).query("list-type", Some("2"));
    if words.url_encoded_listings {
        req = req.query("encoding-type", Some("url"));
    }
    let mut req = req.query("max-keys", Some(&max_keys.to_string()));
    if let Some(prefix) = options.prefix.as_deref().filter(|p| !p.is_empty()) {
        req = req.query("prefix", Some(prefix));
    }
    if let Some(delimiter) = options.delimiter.as_deref().filter(|d| !d.is_empty()) {
        req = req.query("delimiter", Some(delimiter));
    }
    if let Some(token) = options.token.as_deref().filter(|t| !t.is_empty()) {
        req = req.query("continuation-token", Some(token));
    }
    req
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListBucketResult {
    #[serde(default)]
    is_truncated: bool,
    #[serde(default)]
    next_continuation_token: Option<String>,
    #[serde(default)]
    encoding_type: Option<String>,
    #[serde(default)]
    contents: Vec<Contents>,
    #[serde(default)]
    common_prefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Contents {
    key: String,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default, rename = "ETag")]
    etag: Option<String>,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    storage_class: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CommonPrefix {
    prefix: String,
}

/// `2024-01-02T03:04:05.000Z` → time; `None` when malformed or before 1970 (a time no
/// HTTP date can name: such a listing entry's time is unknown).
pub(crate) fn parse_iso8601(s: &str) -> Option<SystemTime> {
    let dt = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    let secs = u64::try_from(dt.unix_timestamp()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::new(secs, dt.nanosecond()))
}

/// ETags without their quotes (OSS and S3 quote them in headers and XML alike).
pub(crate) fn trim_etag(etag: &str) -> String {
    etag.trim().trim_matches('"').to_string()
}

/// Parses a ListObjectsV2 body.
pub(crate) fn parse(words: &Vocabulary, body: &[u8]) -> StorageResult<ListPage> {
    let text = std::str::from_utf8(body)
        .map_err(|_| error::malformed_response(words, "the listing is not UTF-8", None))?;
    let result: ListBucketResult = quick_xml::de::from_str(text).map_err(|e| {
        error::malformed_response(words, format!("cannot read the listing XML: {e}"), None)
    })?;
    let encoded = result
        .encoding_type
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("url"));
    let decode = |s: &str| {
        if encoded {
            decode_component(s)
        } else {
            s.to_string()
        }
    };
    let objects = result
        .contents
        .into_iter()
        .map(|c| {
            let mut info = ObjectInfo::new(decode(&c.key), c.size);
            info.etag = c.etag.as_deref().map(trim_etag).filter(|e| !e.is_empty());
            info.last_modified = c.last_modified.as_deref().and_then(parse_iso8601);
            info.storage_class = c.storage_class.filter(|s| !s.is_empty());
            info
        })
        .collect();
    let common_prefixes = result
        .common_prefixes
        .into_iter()
        .map(|p| decode(&p.prefix))
        .collect();
    let next_token = result
        .next_continuation_token
        .filter(|t| !t.is_empty())
        .map(|t| decode(&t));
    if result.is_truncated && next_token.is_none() {
        return Err(error::malformed_response(
            words,
            "the listing is truncated but has no continuation token",
            None,
        ));
    }
    Ok(ListPage {
        objects,
        common_prefixes,
        next_token: if result.is_truncated {
            next_token
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::dialect::OSS_VOCABULARY;

    fn parse(body: &[u8]) -> StorageResult<ListPage> {
        super::parse(&OSS_VOCABULARY, body)
    }

    #[test]
    fn parses_an_encoded_page() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>bkt</Name>
  <Prefix>p%2F</Prefix>
  <MaxKeys>2</MaxKeys>
  <Delimiter>%2F</Delimiter>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>CgJiYw--</NextContinuationToken>
  <KeyCount>3</KeyCount>
  <Contents>
    <Key>p%2Fa%20b%2Bc.txt</Key>
    <LastModified>2024-01-02T03:04:05.000Z</LastModified>
    <ETag>"5B3C1A2E053D763E1B002CC607C5A0FE"</ETag>
    <Type>Normal</Type>
    <Size>344606</Size>
    <StorageClass>Standard</StorageClass>
  </Contents>
  <Contents>
    <Key>p%2F%E4%B8%AD</Key>
    <Size>0</Size>
  </Contents>
  <CommonPrefixes><Prefix>p%2Fdir%2F</Prefix></CommonPrefixes>
</ListBucketResult>"#;
        let page = parse(body).unwrap();
        assert_eq!(page.objects.len(), 2);
        assert_eq!(page.objects[0].key, "p/a b+c.txt");
        assert_eq!(page.objects[0].size, 344606);
        assert_eq!(
            page.objects[0].etag.as_deref(),
            Some("5B3C1A2E053D763E1B002CC607C5A0FE")
        );
        assert_eq!(page.objects[0].storage_class.as_deref(), Some("Standard"));
        assert_eq!(
            page.objects[0].last_modified,
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_704_164_645))
        );
        assert_eq!(page.objects[1].key, "p/中");
        assert_eq!(page.common_prefixes, vec!["p/dir/".to_string()]);
        assert_eq!(page.next_token.as_deref(), Some("CgJiYw--"));
    }

    #[test]
    fn times_before_1970_are_unknown() {
        assert_eq!(parse_iso8601("1969-12-31T23:59:59.000Z"), None);
        assert_eq!(parse_iso8601("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_iso8601("not a time"), None);
        assert_eq!(
            parse_iso8601("1970-01-01T00:00:01.500Z"),
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_millis(1500))
        );
        let body = br#"<ListBucketResult><IsTruncated>false</IsTruncated>
<Contents><Key>old</Key><LastModified>1901-01-01T00:00:00.000Z</LastModified><Size>1</Size></Contents>
</ListBucketResult>"#;
        let page = parse(body).unwrap();
        assert_eq!(page.objects[0].last_modified, None);
        // The page serializes (an HTTP date before 1970 would panic in httpdate).
        serde_json::to_string(&page).unwrap();
    }

    #[test]
    fn parses_an_empty_last_page() {
        let body = br#"<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>"#;
        let page = parse(body).unwrap();
        assert!(page.objects.is_empty() && page.common_prefixes.is_empty());
        assert_eq!(page.next_token, None);
        assert!(
            parse(b"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>").is_err()
        );
        assert!(parse(b"not xml at all <").is_err());
    }

    #[test]
    fn request_query() {
        let req = request(
            &OSS_VOCABULARY,
            &ListOptions {
                prefix: Some("a/".into()),
                delimiter: Some("/".into()),
                token: Some("t".into()),
                max_keys: Some(5000),
            },
        );
        let q: Vec<_> = req
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            q,
            [
                "list-type=2",
                "encoding-type=url",
                "max-keys=1000",
                "prefix=a/",
                "delimiter=/",
                "continuation-token=t"
            ]
        );
    }
}
