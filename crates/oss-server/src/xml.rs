//! OSS XML documents: the response bodies the SDKs parse (`ListBucketResult`,
//! `InitiateMultipartUploadResult`, ...) and the request bodies they send
//! (`CompleteMultipartUpload`, `Delete`), as serde types for quick-xml, plus date
//! formatting shared by XML and headers.
//!
//! OSS XML has no namespaces; element names are PascalCase as below.

use serde::{Deserialize, Serialize};

use crate::error::{OssError, OssResult};

/// The declaration OSS puts in front of every XML body.
pub const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Serializes `value` (whose serde name is the root element) with the XML declaration.
pub fn to_xml<T: Serialize>(value: &T) -> OssResult<String> {
    let body = quick_xml::se::to_string(value).map_err(OssError::internal)?;
    Ok(format!("{XML_DECLARATION}{body}"))
}

/// Unix seconds as ISO 8601 with milliseconds, as OSS writes dates in XML
/// (`2024-01-02T03:04:05.000Z`).
pub fn iso8601(unix_secs: u64) -> String {
    let secs = i64::try_from(unix_secs).unwrap_or(i64::MAX);
    let at =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Unix seconds as an HTTP date (`Tue, 02 Jan 2024 03:04:05 GMT`).
pub use crate::shared::response::http_date;

/// The bucket owner shown in listings.
#[derive(Debug, Serialize)]
pub struct Owner {
    /// Owner id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Owner display name.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
}

impl Owner {
    /// The single owner of everything on this server.
    pub fn local() -> Self {
        Owner {
            id: "local".to_owned(),
            display_name: "local".to_owned(),
        }
    }
}

/// One `<Contents>` entry of an object listing.
#[derive(Debug, Serialize)]
pub struct Contents {
    /// Object key (url-encoded when asked).
    #[serde(rename = "Key")]
    pub key: String,
    /// ISO 8601 modification time.
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// `Normal`, `Appendable` or `Multipart`.
    #[serde(rename = "Type")]
    pub object_type: String,
    /// Size in bytes.
    #[serde(rename = "Size")]
    pub size: u64,
    /// Always `Standard`.
    #[serde(rename = "StorageClass")]
    pub storage_class: &'static str,
    /// Owner (v1 always, v2 with `fetch-owner=true`).
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
}

/// One `<CommonPrefixes>` entry.
#[derive(Debug, Serialize)]
pub struct CommonPrefix {
    /// The rolled-up prefix, ending with the delimiter.
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// ListObjects (v1) answer.
#[derive(Debug, Serialize)]
#[serde(rename = "ListBucketResult")]
pub struct ListBucketResultV1 {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Marker")]
    pub marker: String,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "Delimiter")]
    pub delimiter: String,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "NextMarker", skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    #[serde(rename = "Contents")]
    pub contents: Vec<Contents>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// ListObjectsV2 answer.
#[derive(Debug, Serialize)]
#[serde(rename = "ListBucketResult")]
pub struct ListBucketResultV2 {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "Delimiter")]
    pub delimiter: String,
    #[serde(rename = "StartAfter", skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(
        rename = "NextContinuationToken",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
    #[serde(rename = "KeyCount")]
    pub key_count: usize,
    #[serde(rename = "Contents")]
    pub contents: Vec<Contents>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One bucket in ListBuckets / GetBucketInfo.
#[derive(Debug, Serialize)]
pub struct BucketEntry {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CreationDate")]
    pub creation_date: String,
    #[serde(rename = "ExtranetEndpoint")]
    pub extranet_endpoint: String,
    #[serde(rename = "IntranetEndpoint")]
    pub intranet_endpoint: String,
    #[serde(rename = "Location")]
    pub location: String,
    #[serde(rename = "Region")]
    pub region: String,
    #[serde(rename = "StorageClass")]
    pub storage_class: &'static str,
}

/// `<Buckets>` wrapper of ListBuckets.
#[derive(Debug, Serialize)]
pub struct Buckets {
    #[serde(rename = "Bucket")]
    pub bucket: Vec<BucketEntry>,
}

/// ListBuckets (GetService) answer.
#[derive(Debug, Serialize)]
#[serde(rename = "ListAllMyBucketsResult")]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Marker")]
    pub marker: String,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "NextMarker", skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "Buckets")]
    pub buckets: Buckets,
}

/// `<AccessControlList>` of GetBucketInfo.
#[derive(Debug, Serialize)]
pub struct AccessControlList {
    #[serde(rename = "Grant")]
    pub grant: &'static str,
}

/// `<ServerSideEncryptionRule>` of GetBucketInfo.
#[derive(Debug, Serialize)]
pub struct SseRule {
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: &'static str,
}

/// `<Bucket>` of GetBucketInfo.
#[derive(Debug, Serialize)]
pub struct BucketInfoBody {
    #[serde(flatten)]
    pub entry: BucketEntry,
    #[serde(rename = "DataRedundancyType")]
    pub data_redundancy_type: &'static str,
    #[serde(rename = "Versioning")]
    pub versioning: &'static str,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "AccessControlList")]
    pub acl: AccessControlList,
    #[serde(rename = "ServerSideEncryptionRule")]
    pub sse: SseRule,
}

/// GetBucketInfo answer.
#[derive(Debug, Serialize)]
#[serde(rename = "BucketInfo")]
pub struct BucketInfo {
    #[serde(rename = "Bucket")]
    pub bucket: BucketInfoBody,
}

/// InitiateMultipartUpload answer.
#[derive(Debug, Serialize)]
#[serde(rename = "InitiateMultipartUploadResult")]
pub struct InitiateMultipartUploadResult {
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
}

/// CompleteMultipartUpload answer.
#[derive(Debug, Serialize)]
#[serde(rename = "CompleteMultipartUploadResult")]
pub struct CompleteMultipartUploadResult {
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "Location")]
    pub location: String,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// One `<Part>` of ListParts.
#[derive(Debug, Serialize)]
pub struct PartEntry {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "HashCrc64ecma")]
    pub hash_crc64ecma: String,
    #[serde(rename = "Size")]
    pub size: u64,
}

/// ListParts answer.
#[derive(Debug, Serialize)]
#[serde(rename = "ListPartsResult")]
pub struct ListPartsResult {
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "PartNumberMarker")]
    pub part_number_marker: u32,
    #[serde(rename = "NextPartNumberMarker")]
    pub next_part_number_marker: u32,
    #[serde(rename = "MaxParts")]
    pub max_parts: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Part")]
    pub parts: Vec<PartEntry>,
}

/// One `<Upload>` of ListMultipartUploads.
#[derive(Debug, Serialize)]
pub struct UploadEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "StorageClass")]
    pub storage_class: &'static str,
    #[serde(rename = "Initiated")]
    pub initiated: String,
}

/// ListMultipartUploads answer.
#[derive(Debug, Serialize)]
#[serde(rename = "ListMultipartUploadsResult")]
pub struct ListMultipartUploadsResult {
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    #[serde(rename = "UploadIdMarker")]
    pub upload_id_marker: String,
    #[serde(rename = "NextKeyMarker")]
    pub next_key_marker: String,
    #[serde(rename = "NextUploadIdMarker")]
    pub next_upload_id_marker: String,
    #[serde(rename = "Delimiter")]
    pub delimiter: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "MaxUploads")]
    pub max_uploads: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Upload")]
    pub uploads: Vec<UploadEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// CopyObject answer.
#[derive(Debug, Serialize)]
#[serde(rename = "CopyObjectResult")]
pub struct CopyObjectResult {
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
}

/// One `<Deleted>` entry of DeleteMultipleObjects.
#[derive(Debug, Serialize)]
pub struct DeletedEntry {
    #[serde(rename = "Key")]
    pub key: String,
}

/// DeleteMultipleObjects answer.
#[derive(Debug, Serialize)]
#[serde(rename = "DeleteResult")]
pub struct DeleteResult {
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "Deleted")]
    pub deleted: Vec<DeletedEntry>,
}

/// GetBucketLocation answer: `<LocationConstraint>oss-local</LocationConstraint>`.
#[derive(Debug, Serialize)]
#[serde(rename = "LocationConstraint")]
pub struct LocationConstraint {
    #[serde(rename = "$text")]
    pub location: String,
}

/// One `<Part>` of a CompleteMultipartUpload request.
#[derive(Debug, Deserialize)]
pub struct CompletePart {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// CompleteMultipartUpload request body.
#[derive(Debug, Deserialize)]
#[serde(rename = "CompleteMultipartUpload")]
pub struct CompleteMultipartUpload {
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletePart>,
}

/// DeleteMultipleObjects request body.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeleteRequest {
    /// Text of `<Quiet>`, if present.
    pub quiet: Option<String>,
    /// Keys of the `<Object><Key>` elements, exactly as sent (spaces kept).
    pub keys: Vec<String>,
}

/// Deepest element nesting a `<Delete>` body may have.
const MAX_DELETE_DEPTH: usize = 8;

/// Parses a `<Delete>` body with quick-xml's reader, keeping the text of keys
/// untrimmed (serde deserialization trims text, and keys may start or end with spaces).
pub fn parse_delete(body: &[u8]) -> OssResult<DeleteRequest> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(body).map_err(OssError::malformed_xml)?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut request = DeleteRequest::default();
    loop {
        match reader.read_event().map_err(OssError::malformed_xml)? {
            Event::Start(start) => {
                // `<Delete><Object><Key>` is three deep: deeper nesting is no Delete
                // request, and refusing it keeps `path` small whatever the body holds.
                if path.len() >= MAX_DELETE_DEPTH {
                    return Err(OssError::malformed_xml("elements nested too deeply"));
                }
                path.push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
                current.clear();
            }
            Event::Text(t) => current.push_str(&t.unescape().map_err(OssError::malformed_xml)?),
            Event::CData(c) => current.push_str(&String::from_utf8_lossy(&c.into_inner())),
            // `<Key/>`: an empty key, refused later like any other empty key.
            Event::Empty(empty)
                if empty.name().as_ref() == b"Key"
                    && path.last().map(String::as_str) == Some("Object") =>
            {
                request.keys.push(String::new());
            }
            Event::End(_) => {
                let names: Vec<&str> = path.iter().map(String::as_str).collect();
                match names.as_slice() {
                    ["Delete", "Object", "Key"] => request.keys.push(std::mem::take(&mut current)),
                    ["Delete", "Quiet"] => request.quiet = Some(std::mem::take(&mut current)),
                    _ => {}
                }
                path.pop();
                current.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(OssError::malformed_xml("unclosed elements"));
    }
    Ok(request)
}

/// Parses a request body as `T`, answering MalformedXML on failure.
pub fn from_xml<T: for<'de> Deserialize<'de>>(body: &[u8]) -> OssResult<T> {
    let text = std::str::from_utf8(body).map_err(OssError::malformed_xml)?;
    quick_xml::de::from_str(text).map_err(OssError::malformed_xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_like_oss() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
    }

    #[test]
    fn delete_request_keeps_spaces_in_keys() {
        let body = b"<?xml version=\"1.0\"?><Delete><Quiet>true</Quiet><Object><Key> a b </Key></Object><Object><Key>c&amp;d</Key></Object></Delete>";
        let parsed = parse_delete(body).expect("parses");
        assert_eq!(parsed.quiet.as_deref(), Some("true"));
        assert_eq!(parsed.keys, vec![" a b ".to_owned(), "c&d".to_owned()]);
        assert!(parse_delete(b"<Delete><Object><Key>x</Key></Object>").is_err());
    }

    #[test]
    fn deeply_nested_delete_bodies_are_refused() {
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let err = parse_delete(deep.as_bytes()).expect_err("too deep");
        assert_eq!(err.code, "MalformedXML");
    }

    #[test]
    fn list_result_serializes_repeated_elements() {
        let doc = ListBucketResultV1 {
            name: "b".into(),
            prefix: String::new(),
            marker: String::new(),
            max_keys: 100,
            delimiter: "/".into(),
            encoding_type: None,
            is_truncated: false,
            next_marker: None,
            contents: vec![],
            common_prefixes: vec![
                CommonPrefix {
                    prefix: "a/".into(),
                },
                CommonPrefix {
                    prefix: "b/".into(),
                },
            ],
        };
        let xml = to_xml(&doc).expect("serializes");
        assert!(xml.contains("<ListBucketResult><Name>b</Name>"), "{xml}");
        assert!(
            xml.contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>"),
            "{xml}"
        );
    }
}
