//! Data types of the storage contract: payloads and byte streams, upload results, object
//! information, read, list and presign options.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt, TryStreamExt};
use serde::Serialize;

use crate::content_type::guess_content_type;
use crate::error::StorageResult;
use crate::file_payload::FilePayload;

/// The presigned-URL lifetime used when the caller gives none (300 s, as in JitAi).
pub const DEFAULT_SIGN_EXPIRES: Duration = Duration::from_secs(300);

/// A stream of object bytes.
pub type ByteStream = Pin<Box<dyn Stream<Item = StorageResult<Bytes>> + Send + 'static>>;

/// Data to upload: bytes the caller holds, a local file, or a stream of known length (a
/// network body) that is never loaded whole.
///
/// Bytes and files can be sent again, so a remote Type retries an upload of either after
/// a failure worth retrying; a [`Payload::Stream`] is consumed by its one attempt (see
/// [`Payload::is_replayable`]).
pub enum Payload {
    /// The whole object, in memory.
    Bytes(Bytes),
    /// A local file, opened afresh for every attempt (see [`FilePayload`]).
    File(FilePayload),
    /// A one-shot stream and its exact length in bytes.
    Stream {
        /// The bytes.
        stream: ByteStream,
        /// The total length; a stream that yields more or less is an error.
        length: u64,
    },
}

impl Payload {
    /// A payload read from a local file: replayable, never held in memory.
    pub async fn from_file(path: impl AsRef<Path>) -> StorageResult<Payload> {
        FilePayload::open(path).await.map(Payload::File)
    }

    /// The payload's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Payload::Bytes(b) => b.len() as u64,
            Payload::File(file) => file.len(),
            Payload::Stream { length, .. } => *length,
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the payload can be sent more than once (bytes and files can; a stream
    /// cannot).
    pub fn is_replayable(&self) -> bool {
        !matches!(self, Payload::Stream { .. })
    }

    /// The payload as a stream of chunks, whatever it was (a file is opened when the
    /// stream is first polled).
    pub fn into_stream(self) -> ByteStream {
        match self {
            Payload::Bytes(b) => Box::pin(futures::stream::once(async move { Ok(b) })),
            Payload::File(file) => {
                Box::pin(futures::stream::once(async move { file.stream().await }).try_flatten())
            }
            Payload::Stream { stream, .. } => stream,
        }
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Payload::Bytes(b) => write!(f, "Payload::Bytes({} bytes)", b.len()),
            Payload::File(file) => write!(
                f,
                "Payload::File({}, {} bytes)",
                file.path().display(),
                file.len()
            ),
            Payload::Stream { length, .. } => write!(f, "Payload::Stream({length} bytes)"),
        }
    }
}

impl From<Bytes> for Payload {
    fn from(b: Bytes) -> Self {
        Payload::Bytes(b)
    }
}

impl From<Vec<u8>> for Payload {
    fn from(v: Vec<u8>) -> Self {
        Payload::Bytes(Bytes::from(v))
    }
}

impl From<&'static [u8]> for Payload {
    fn from(v: &'static [u8]) -> Self {
        Payload::Bytes(Bytes::from_static(v))
    }
}

impl From<String> for Payload {
    fn from(s: String) -> Self {
        Payload::Bytes(Bytes::from(s))
    }
}

/// Collects a byte stream into memory (for callers who asked for the whole object).
pub async fn collect_stream(
    mut stream: ByteStream,
    size_hint: Option<u64>,
) -> StorageResult<Bytes> {
    let mut buf = BytesMut::with_capacity(size_hint.unwrap_or(0).min(64 << 20) as usize);
    while let Some(chunk) = stream.next().await {
        buf.extend_from_slice(&chunk?);
    }
    Ok(buf.freeze())
}

/// Options of an upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// MIME type; when `None` the Type decides, from the name
    /// ([`PutOptions::content_type_for`]).
    pub content_type: Option<String>,
    /// User metadata (`x-oss-meta-*` on OSS); names are lower-cased by most services.
    pub metadata: BTreeMap<String, String>,
    /// `Content-Disposition` to serve the object with.
    pub content_disposition: Option<String>,
    /// `Cache-Control` to serve the object with.
    pub cache_control: Option<String>,
}

impl PutOptions {
    /// Options with just a content type.
    pub fn content_type(content_type: impl Into<String>) -> Self {
        Self {
            content_type: Some(content_type.into()),
            ..Self::default()
        }
    }

    /// The content type to store `name` with: the one given, else the one its extension
    /// implies ([`guess_content_type`]). Every Type resolves an unset type this way.
    pub fn content_type_for(&self, name: &str) -> String {
        match &self.content_type {
            Some(given) => given.clone(),
            None => guess_content_type(name),
        }
    }

    /// Adds one user-metadata entry.
    pub fn with_metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(name.into(), value.into());
        self
    }
}

/// What an upload returns: at least the object's URL (JitAi's `result["url"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadResult {
    /// The object's address (public or behind the storage's base URL).
    pub url: String,
    /// The object key.
    pub key: String,
    /// Bytes stored.
    pub size: u64,
    /// The entity tag, if the Type has one.
    pub etag: Option<String>,
    /// CRC-64/XZ (OSS's `x-oss-hash-crc64ecma`) of the stored bytes, when known.
    pub crc64: Option<u64>,
}

/// Information about a stored object (JitAi's `getObject`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInfo {
    /// The object key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type, as given at upload.
    pub content_type: Option<String>,
    /// The entity tag.
    pub etag: Option<String>,
    /// Last modification time (serialized as an HTTP date).
    #[serde(serialize_with = "serialize_http_date")]
    pub last_modified: Option<SystemTime>,
    /// User metadata given at upload.
    pub metadata: BTreeMap<String, String>,
    /// CRC-64/XZ of the content, when known.
    pub crc64: Option<u64>,
    /// Storage class (`Standard`, `IA`, …), for Types that have one.
    pub storage_class: Option<String>,
}

impl ObjectInfo {
    /// An info with just key and size.
    pub fn new(key: impl Into<String>, size: u64) -> Self {
        Self {
            key: key.into(),
            size,
            content_type: None,
            etag: None,
            last_modified: None,
            metadata: BTreeMap::new(),
            crc64: None,
            storage_class: None,
        }
    }
}

/// The last second an HTTP date can name (9999-12-31T23:59:59Z).
const LAST_HTTP_DATE_SECS: u64 = 253_402_300_799;

/// `t` as an HTTP date, or `None` when it has none: before 1970 or after the year 9999
/// (times a remote service may report, which `httpdate` would panic on).
fn http_date(t: SystemTime) -> Option<String> {
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    (secs <= LAST_HTTP_DATE_SECS).then(|| httpdate::fmt_http_date(t))
}

fn serialize_http_date<S: serde::Serializer>(
    value: &Option<SystemTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value.and_then(http_date) {
        Some(date) => serializer.serialize_str(&date),
        None => serializer.serialize_none(),
    }
}

/// Options of a read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetOptions {
    /// Only these bytes (`start..end`, end exclusive and clamped to the object's size).
    pub range: Option<Range<u64>>,
}

/// An object being read: its information and its bytes as a stream.
pub struct GetResult {
    /// The object's information.
    pub info: ObjectInfo,
    /// The byte range being returned, if a range was asked for.
    pub range: Option<Range<u64>>,
    /// The bytes.
    pub stream: ByteStream,
}

impl GetResult {
    /// Reads the whole (ranged) body into memory.
    pub async fn bytes(self) -> StorageResult<Bytes> {
        let hint = self
            .range
            .as_ref()
            .map(|r| r.end.saturating_sub(r.start))
            .unwrap_or(self.info.size);
        collect_stream(self.stream, Some(hint)).await
    }
}

impl std::fmt::Debug for GetResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetResult")
            .field("info", &self.info)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// The HTTP method a presigned URL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PresignMethod {
    /// Download.
    Get,
    /// Upload (e.g. straight from a browser).
    Put,
}

impl PresignMethod {
    /// `GET` or `PUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
        }
    }
}

/// Options of a presigned URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignOptions {
    /// GET (download) or PUT (upload).
    pub method: PresignMethod,
    /// Bound into the signature when given: an uploader must send exactly this
    /// `Content-Type`; for GET it is the type the URL is meant for.
    pub content_type: Option<String>,
    /// How long the URL stays valid.
    pub expires: Duration,
}

impl PresignOptions {
    /// A download URL valid for `expires`.
    pub fn get(expires: Duration) -> Self {
        Self {
            method: PresignMethod::Get,
            content_type: None,
            expires,
        }
    }

    /// An upload URL valid for `expires`, bound to `content_type`.
    pub fn put(content_type: impl Into<String>, expires: Duration) -> Self {
        Self {
            method: PresignMethod::Put,
            content_type: Some(content_type.into()),
            expires,
        }
    }
}

/// A presigned request: the URL and the headers the user of the URL must send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresignedRequest {
    /// The URL.
    pub url: String,
    /// GET or PUT.
    pub method: PresignMethod,
    /// Headers that were signed and must be sent as-is (e.g. `Content-Type`).
    pub headers: Vec<(String, String)>,
    /// When the URL stops working.
    #[serde(serialize_with = "serialize_http_date_required")]
    pub expires_at: SystemTime,
}

fn serialize_http_date_required<S: serde::Serializer>(
    value: &SystemTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match http_date(*value) {
        Some(date) => serializer.serialize_str(&date),
        None => Err(serde::ser::Error::custom(
            "the time is outside what an HTTP date can name (1970 to 9999)",
        )),
    }
}

/// Options of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys sharing the text up to the next delimiter (usually `/`) into common
    /// prefixes, like folders.
    pub delimiter: Option<String>,
    /// Continue after this token (from [`ListPage::next_token`]).
    pub token: Option<String>,
    /// At most this many entries (objects plus prefixes) per page; the Type's default when
    /// `None` (1000 for OSS).
    pub max_keys: Option<usize>,
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    /// Objects, in key order.
    pub objects: Vec<ObjectInfo>,
    /// Common prefixes ("folders") when a delimiter was given.
    pub common_prefixes: Vec<String>,
    /// Token for the next page; `None` on the last page.
    pub next_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_no_http_date_can_name_have_none() {
        let before_1970 = std::time::UNIX_EPOCH.checked_sub(Duration::from_secs(1));
        assert_eq!(before_1970.and_then(http_date), None);
        let after_9999 =
            std::time::UNIX_EPOCH.checked_add(Duration::from_secs(LAST_HTTP_DATE_SECS + 1));
        assert_eq!(after_9999.and_then(http_date), None);
        assert_eq!(
            http_date(std::time::UNIX_EPOCH + Duration::from_secs(1)).as_deref(),
            Some("Thu, 01 Jan 1970 00:00:01 GMT")
        );
        assert_eq!(
            http_date(std::time::UNIX_EPOCH + Duration::from_secs(LAST_HTTP_DATE_SECS)).as_deref(),
            Some("Fri, 31 Dec 9999 23:59:59 GMT")
        );
    }

    #[tokio::test]
    async fn file_payloads_are_replayable_streams_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello").unwrap();
        let file = Payload::from_file(&path).await.unwrap();
        assert!(file.is_replayable());
        assert_eq!(file.len(), 5);
        assert!(format!("{file:?}").contains("5 bytes"));
        let bytes = collect_stream(file.into_stream(), None).await.unwrap();
        assert_eq!(bytes, &b"hello"[..]);
        assert!(Payload::from(b"x".to_vec()).is_replayable());
        let stream = Payload::Stream {
            stream: Box::pin(futures::stream::empty()),
            length: 0,
        };
        assert!(!stream.is_replayable());
    }
}
