//! [`OssStorage`], the [`StorageMeta`] implementation over OSS's REST API (reads,
//! stat, list, delete, copy, presigned URLs here; writes through `writer`), and
//! [`OssType`], the `storages.OssType` factory that builds one per element from its
//! validated settings.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use base64::Engine as _;
use bytes::Bytes;
use futures::TryStreamExt;
use jit_element::{BuildContext, ElementResult};
use jit_oss_protocol::encode::encode_path;
use jit_oss_protocol::sign::v4::MAX_PRESIGN_EXPIRES;
use jit_oss_protocol::SignatureVersion;
use jit_storage::{
    guess_content_type, validate_object_name, Capabilities, GetOptions, GetResult, ListOptions,
    ListPage, ObjectInfo, Payload, PresignMethod, PresignOptions, PresignedRequest, PutOptions,
    RemoteError, StorageError, StorageErrorKind, StorageMeta, StorageResult, StorageType,
    UploadResult,
};
use md5::{Digest, Md5};
use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::config::OssConfig;
use crate::core::{OssCore, OssRequest, RequestBody};
use crate::error;
use crate::integrity::{crc_header, slice_stream, verify_download};
use crate::lister::{self, trim_etag};
use crate::settings::OssSettings;
use crate::writer;

/// Most keys one DeleteMultipleObjects request may name.
const DELETE_BATCH: usize = 1000;

/// An OSS bucket as a storage.
#[derive(Debug, Clone)]
pub struct OssStorage {
    core: Arc<OssCore>,
}

impl OssStorage {
    /// A storage for `config`; an invalid config is an InvalidConfig error naming the
    /// field.
    pub fn new(config: &OssConfig) -> StorageResult<Self> {
        Self::with_pinned_hosts(config, &[])
    }

    /// Like [`OssStorage::new`], with host names pinned to addresses (see
    /// [`OssType::pin_host`]).
    pub fn with_pinned_hosts(
        config: &OssConfig,
        pinned_hosts: &[(String, SocketAddr)],
    ) -> StorageResult<Self> {
        Self::from_settings(config.validate()?, pinned_hosts)
    }

    /// A storage on settings [`OssConfig::validate`] checked.
    fn from_settings(
        settings: OssSettings,
        pinned_hosts: &[(String, SocketAddr)],
    ) -> StorageResult<Self> {
        Ok(Self {
            core: Arc::new(OssCore::new(settings, pinned_hosts)?),
        })
    }

    /// The bucket this storage writes to.
    pub fn bucket(&self) -> &str {
        &self.core.settings.bucket
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Object information from HEAD/GET response headers.
fn info_from_headers(key: &str, headers: &HeaderMap, size: u64) -> ObjectInfo {
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

fn content_length(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, "content-length").and_then(|v| v.trim().parse().ok())
}

/// `bytes 100-1999/10000` → (100..2000, 10000).
fn content_range(headers: &HeaderMap) -> Option<(std::ops::Range<u64>, u64)> {
    let value = header_str(headers, "content-range")?.trim();
    let rest = value.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end): (u64, u64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    Some((start..end + 1, total.trim().parse().ok()?))
}

impl OssStorage {
    /// HEAD of a key, for an empty range read.
    async fn empty_read(&self, name: &str, start: u64) -> StorageResult<GetResult> {
        let info = self.stat(name).await?;
        let at = start.min(info.size);
        Ok(GetResult {
            info,
            range: Some(at..at),
            stream: Box::pin(futures::stream::empty()),
        })
    }
}

#[async_trait]
impl StorageMeta for OssStorage {
    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
    }

    fn as_any_arc(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        Some(self)
    }

    async fn put(
        &self,
        name: &str,
        payload: Payload,
        options: PutOptions,
    ) -> StorageResult<UploadResult> {
        validate_object_name(name)?;
        let size = payload.len();
        let url = self.object_url(name)?;
        let written = writer::write(&self.core, name, payload, &options).await?;
        Ok(UploadResult {
            url,
            key: name.to_string(),
            size,
            etag: written.etag,
            crc64: Some(written.crc64),
        })
    }

    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult> {
        validate_object_name(name)?;
        let mut req = OssRequest::new(Method::GET, Some(name));
        if let Some(range) = &options.range {
            if range.end <= range.start {
                return self.empty_read(name, range.start).await;
            }
            req = req.header("range", format!("bytes={}-{}", range.start, range.end - 1));
        }
        let response = match self.core.send(req).await {
            Err(e) if e.remote().and_then(|r| r.status) == Some(416) => {
                // The range starts at or beyond the end: nothing to return.
                let start = options.range.as_ref().map_or(0, |r| r.start);
                return self.empty_read(name, start).await;
            }
            other => other?,
        };
        let headers = response.headers().clone();
        let partial = response.status().as_u16() == 206;
        let stream = self.core.transport.body_stream(response);
        if partial {
            let (range, total) = content_range(&headers).ok_or_else(|| {
                error::malformed_response("206 without Content-Range", Some(&headers))
            })?;
            let info = info_from_headers(name, &headers, total);
            return Ok(GetResult {
                info,
                range: Some(range),
                stream,
            });
        }
        let size = content_length(&headers).ok_or_else(|| {
            error::malformed_response("GET without Content-Length", Some(&headers))
        })?;
        let info = info_from_headers(name, &headers, size);
        let request_id = error::request_id(&headers);
        let checked = verify_download(stream, info.crc64, size);
        let checked: jit_storage::ByteStream = Box::pin(checked.map_err(move |e| {
            if e.kind() == StorageErrorKind::IntegrityMismatch {
                if let Some(id) = &request_id {
                    return e.with_remote(RemoteError {
                        request_id: Some(id.clone()),
                        ..RemoteError::default()
                    });
                }
            }
            e
        }));
        match options.range {
            // The server ignored the range and sent everything: cut it here.
            Some(range) => {
                let end = range.end.min(size);
                let start = range.start.min(end);
                Ok(GetResult {
                    info,
                    range: Some(start..end),
                    stream: slice_stream(checked, start, end),
                })
            }
            None => Ok(GetResult {
                info,
                range: None,
                stream: checked,
            }),
        }
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        validate_object_name(name)?;
        let response = self
            .core
            .send(OssRequest::new(Method::HEAD, Some(name)))
            .await?;
        let headers = response.headers();
        let size = content_length(headers).ok_or_else(|| {
            error::malformed_response("HEAD without Content-Length", Some(headers))
        })?;
        Ok(info_from_headers(name, headers, size))
    }

    async fn delete(&self, name: &str) -> StorageResult<()> {
        validate_object_name(name)?;
        self.core
            .send(OssRequest::new(Method::DELETE, Some(name)))
            .await?;
        Ok(())
    }

    async fn list(&self, options: ListOptions) -> StorageResult<ListPage> {
        let response = self.core.send(lister::request(&options)).await?;
        let headers = response.headers().clone();
        let body = self.core.transport.body_bytes(response).await?;
        lister::parse(&body).map_err(|e| error::with_request_id(e, &headers))
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        validate_object_name(name)?;
        let mut secs = options.expires.as_secs();
        if options.expires.subsec_nanos() > 0 {
            secs += 1;
        }
        if secs == 0 {
            return Err(StorageError::invalid_argument(
                "expiry must be at least one second",
            ));
        }
        if self.core.settings.signature == SignatureVersion::V4 && secs > MAX_PRESIGN_EXPIRES {
            return Err(StorageError::invalid_argument(format!(
                "V4 presigned URLs live at most {MAX_PRESIGN_EXPIRES} seconds (7 days); {secs} asked"
            )));
        }
        let mut sign = self.core.presign_request(options.method.as_str(), name);
        let mut headers = Vec::new();
        match options.method {
            PresignMethod::Get => {
                // A GET sends no Content-Type: bind the type the object is served with.
                if let Some(ct) = &options.content_type {
                    sign = sign.with_query("response-content-type", Some(ct));
                }
            }
            PresignMethod::Put => {
                let ct = options
                    .content_type
                    .clone()
                    .unwrap_or_else(|| guess_content_type(name));
                sign = sign.with_header("content-type", ct.clone());
                headers.push(("Content-Type".to_string(), ct));
            }
        }
        let now = SystemTime::now();
        let url = self.core.presign_url(sign, now, secs)?;
        Ok(PresignedRequest {
            url,
            method: options.method,
            headers,
            expires_at: now + Duration::from_secs(secs),
        })
    }

    fn object_url(&self, name: &str) -> StorageResult<String> {
        validate_object_name(name)?;
        Ok(self.core.url(Some(name)))
    }

    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        validate_object_name(from)?;
        validate_object_name(to)?;
        let source = format!("/{}/{}", self.core.settings.bucket, encode_path(from));
        let req = OssRequest::new(Method::PUT, Some(to)).header("x-oss-copy-source", source);
        self.core.send(req).await?;
        let info = self.stat(to).await?;
        Ok(UploadResult {
            url: self.object_url(to)?,
            key: to.to_string(),
            size: info.size,
            etag: info.etag,
            crc64: info.crc64,
        })
    }

    async fn delete_many(&self, names: &[String]) -> StorageResult<()> {
        for name in names {
            validate_object_name(name)?;
        }
        for batch in names.chunks(DELETE_BATCH) {
            let mut xml = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>",
            );
            for name in batch {
                xml.push_str("<Object><Key>");
                xml.push_str(&quick_xml::escape::escape(name.as_str()));
                xml.push_str("</Key></Object>");
            }
            xml.push_str("</Delete>");
            let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(xml.as_bytes()));
            let req = OssRequest::new(Method::POST, None)
                .query("delete", None)
                .header("content-type", "application/xml")
                .header("content-md5", md5)
                .body(RequestBody::Bytes(Bytes::from(xml)));
            self.core.send(req).await?;
        }
        Ok(())
    }
}

/// The `storages.OssType` factory: builds an [`OssStorage`] from each element's
/// `<Name>.json`, with config errors naming the file and field.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use jit_element::App;
/// use jit_storage::{StorageAppBuilderExt, StorageAppExt, StorageMetaExt};
/// use jit_storage_oss::OssType;
///
/// let app = App::builder("my-app")
///     .register_builtin_storage_type("storages.OssType", "Aliyun OSS", OssType::default())
///     .open()?;
/// let oss = app.storage("storages.MyOss").await?;
/// let result = oss.upload_by_file("folder/example.txt", "hi".into(), Some("text/plain")).await?;
/// println!("{}", result.url);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct OssType {
    pinned_hosts: Vec<(String, SocketAddr)>,
}

impl OssType {
    /// The factory with system DNS.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pins `host` to `addr` in the HTTP client of every element built (the URL's port
    /// is kept). For local servers addressed virtual-hosted style, e.g.
    /// `bucket.localhost` → `127.0.0.1`, without touching the system resolver.
    pub fn pin_host(mut self, host: impl Into<String>, addr: SocketAddr) -> Self {
        self.pinned_hosts.push((host.into(), addr));
        self
    }
}

#[async_trait]
impl StorageType for OssType {
    async fn create(&self, ctx: &BuildContext) -> ElementResult<Arc<dyn StorageMeta>> {
        let config: OssConfig = ctx.deserialize_config()?;
        let settings = config
            .validate()
            .map_err(|e| ctx.invalid_config(e.field, e.message))?;
        let storage = OssStorage::from_settings(settings, &self.pinned_hosts)
            .map_err(|e| ctx.build_error(e))?;
        tracing::debug!(
            element = ctx.full_name(),
            bucket = storage.bucket(),
            "OSS storage ready"
        );
        Ok(Arc::new(storage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys are checked here too (the element wrapper already did, but `OssStorage` is
    /// usable without it): `.` and `..` segments would be collapsed by URL
    /// normalisation and address another object.
    #[test]
    fn keys_with_dot_segments_are_refused() {
        let config: OssConfig = serde_json::from_value(serde_json::json!({
            "accessKeyId": "ak", "accessKeySecret": "sk",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": "bkt"
        }))
        .unwrap();
        let storage = OssStorage::new(&config).unwrap();
        for bad in ["a/./b", ".", "a/../b"] {
            let err = storage.object_url(bad).unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{bad}");
        }
        assert!(storage.object_url(".hidden/a.b/..x").is_ok());
    }

    #[test]
    fn content_ranges() {
        let mut h = HeaderMap::new();
        h.insert("content-range", "bytes 100-1999/10000".parse().unwrap());
        assert_eq!(content_range(&h), Some((100..2000, 10000)));
        h.insert("content-range", "bytes */10000".parse().unwrap());
        assert_eq!(content_range(&h), None);
    }

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
    }
}
