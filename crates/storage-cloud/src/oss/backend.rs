//! [`OssStorage`], the [`StorageMeta`] implementation over OSS's REST API (stat, list,
//! delete, copy here; reads through `reader`, writes through `writer`, presigned URLs
//! through `presign`), and [`OssType`], the `storages.OssType` factory that builds one
//! per element from its validated settings and, for host credentials, the host's
//! provider.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use bytes::Bytes;
use jit_element::{BuildContext, ElementResult};
use jit_oss_protocol::encode::encode_path;
use jit_storage::{
    validate_object_name, Capabilities, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo,
    Payload, PresignOptions, PresignedRequest, PutOptions, StorageError, StorageErrorKind,
    StorageMeta, StorageResult, StorageType, UploadResult,
};
use md5::{Digest, Md5};
use reqwest::Method;

use crate::engine::core::{OssCore, OssRequest, RequestBody};
use crate::engine::credentials::{CredentialsProvider, CredentialsSource};
use crate::engine::error;
use crate::engine::head::head;
use crate::engine::lister;
use crate::engine::presign;
use crate::engine::ranged;
use crate::engine::reader;
use crate::engine::transport::MAX_XML_BODY;
use crate::engine::writer;
use crate::oss::config::OssConfig;
use crate::oss::settings::OssSettings;

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
        Self::from_settings(config.validate()?, pinned_hosts, None)
    }

    /// A storage for `config` whose `"credentials"` is `"host"`, signing with the
    /// credentials `provider` gives for every attempt (see [`CredentialsProvider`]).
    /// Another `"credentials"` is an InvalidConfig error: the provider would go unused.
    pub fn with_credentials_provider(
        config: &OssConfig,
        provider: Arc<dyn CredentialsProvider>,
    ) -> StorageResult<Self> {
        if config.credentials != CredentialsSource::Host {
            return Err(StorageError::new(
                StorageErrorKind::InvalidConfig,
                format!(
                    "field `credentials`: is {:?}, so the credentials provider given would go unused; set \"credentials\": \"host\"",
                    config.credentials.as_str()
                ),
            ));
        }
        Self::from_settings(config.validate()?, &[], Some(provider))
    }

    /// A storage on settings [`OssConfig::validate`] checked.
    fn from_settings(
        settings: OssSettings,
        pinned_hosts: &[(String, SocketAddr)],
        provider: Option<Arc<dyn CredentialsProvider>>,
    ) -> StorageResult<Self> {
        Ok(Self {
            core: Arc::new(OssCore::new(settings, pinned_hosts, provider)?),
        })
    }

    /// The bucket this storage writes to.
    pub fn bucket(&self) -> &str {
        &self.core.settings.bucket
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
        if options.range.is_none() && self.core.settings.download_concurrency > 1 {
            return ranged::get(&self.core, name).await;
        }
        reader::get(&self.core, name, options).await
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        validate_object_name(name)?;
        head(&self.core, name).await
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
        let body = self
            .core
            .transport
            .body_bytes(response, MAX_XML_BODY)
            .await?;
        lister::parse(&body).map_err(|e| error::with_request_id(e, &headers))
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        validate_object_name(name)?;
        presign::presign(&self.core, name, options).await
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
/// use jit_storage_cloud::OssType;
///
/// let app = App::builder("my-app")
///     .register_builtin_storage_type("storages.OssType", "Aliyun OSS", OssType::default())
///     .open()?;
/// let oss = app.storage("storages.MyOss").await?;
/// let result = oss.upload_by_file("folder/example.txt", "hi".into(), Some("text/plain")).await?;
/// println!("{}", result.url);
/// # Ok(()) }
/// ```
///
/// An element whose `"credentials"` is `"host"` signs with the provider installed by
/// [`OssType::with_credentials_provider`] (e.g. one refreshing STS tokens).
#[derive(Debug, Clone, Default)]
pub struct OssType {
    pinned_hosts: Vec<(String, SocketAddr)>,
    credentials: Option<Arc<dyn CredentialsProvider>>,
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

    /// Installs the credentials provider of the elements whose `"credentials"` is
    /// `"host"`: it is asked for credentials at every attempt of every request (and for
    /// every presigned URL), so credentials it refreshes are used from the next request
    /// on. Elements with static or environment credentials do not use it.
    pub fn with_credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(provider);
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
        let storage =
            OssStorage::from_settings(settings, &self.pinned_hosts, self.credentials.clone())
                .map_err(|e| {
                    if e.kind() == StorageErrorKind::InvalidConfig {
                        ctx.invalid_config("credentials", e.message())
                    } else {
                        ctx.build_error(e)
                    }
                })?;
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
    fn a_provider_is_only_taken_for_host_credentials() {
        use crate::engine::credentials::StaticCredentials;
        let provider: Arc<dyn CredentialsProvider> = Arc::new(StaticCredentials::new(
            jit_oss_protocol::Credentials::new("ak", "sk"),
        ));
        let mut config: OssConfig = serde_json::from_value(serde_json::json!({
            "accessKeyId": "ak", "accessKeySecret": "sk",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": "bkt"
        }))
        .unwrap();
        let err = OssStorage::with_credentials_provider(&config, provider.clone()).unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        assert!(err.message().contains("credentials"), "{err}");
        config.credentials = CredentialsSource::Host;
        config.access_key_id.clear();
        config.access_key_secret = jit_oss_protocol::Secret::default();
        OssStorage::with_credentials_provider(&config, provider).unwrap();
    }
}
