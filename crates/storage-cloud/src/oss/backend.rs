//! `storages.OssType`: the factory that builds an [`OssStorage`] per element from its
//! validated settings (and, for host credentials, the host's provider), and the
//! constructors of [`OssStorage`] for use without an app. The storage itself is the
//! engine's [`CloudStorage`], speaking the OSS dialect.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use jit_element::{BuildContext, ElementResult};
use jit_storage::{StorageError, StorageErrorKind, StorageMeta, StorageResult, StorageType};

use crate::engine::config::credentials::{self, CredentialsProvider, CredentialsSource};
use crate::engine::core::Core;
use crate::engine::storage::CloudStorage;
use crate::oss::config::{OssConfig, OSS_ENVIRONMENT};
use crate::oss::dialect::OssDialect;
use crate::oss::settings::OssSettings;

/// An OSS bucket as a storage: the engine's [`CloudStorage`] built by [`OssType`] (or
/// by [`OssStorage::new`] without an app).
pub type OssStorage = CloudStorage<OssType>;

impl CloudStorage<OssType> {
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
        let source = config.common.credentials;
        if source != CredentialsSource::Host {
            return Err(StorageError::new(
                StorageErrorKind::InvalidConfig,
                format!(
                    "field `credentials`: is {:?}, so the credentials provider given would go unused; set \"credentials\": \"host\"",
                    source.as_str()
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
        Ok(Self::from_core(core(settings, pinned_hosts, provider)?))
    }
}

/// The engine's core for OSS `settings`: the OSS dialect, and the credentials provider
/// the settings name (`provider` for host credentials).
fn core(
    settings: OssSettings,
    pinned_hosts: &[(String, SocketAddr)],
    provider: Option<Arc<dyn CredentialsProvider>>,
) -> StorageResult<Core> {
    let credentials = credentials::provider(
        &settings.common.credentials,
        OSS_ENVIRONMENT,
        provider,
        "OssType::with_credentials_provider",
    )?;
    let dialect = Arc::new(OssDialect::new(settings.signature, settings.region));
    Core::new(settings.common, dialect, credentials, pinned_hosts)
}

/// The core of an OSS element whose config is the test defaults (`ak`/`sk`, bucket
/// `bkt` at `oss-cn-hangzhou.aliyuncs.com`) with the keys of `extra` on top.
#[cfg(test)]
pub(crate) fn test_core(extra: serde_json::Value) -> Core {
    let mut json = serde_json::json!({
        "accessKeyId": "ak",
        "accessKeySecret": "sk",
        "endPoint": "oss-cn-hangzhou.aliyuncs.com",
        "bucketName": "bkt"
    });
    for (k, v) in extra.as_object().unwrap() {
        json[k] = v.clone();
    }
    let config: OssConfig = serde_json::from_value(json).unwrap();
    core(config.validate().unwrap(), &[], None).unwrap()
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

    #[test]
    fn host_credentials_need_a_provider() {
        let config: OssConfig = serde_json::from_value(serde_json::json!({
            "credentials": "host",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": "bkt"
        }))
        .unwrap();
        let err = core(config.validate().unwrap(), &[], None).unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        assert!(err.message().contains("credentials"), "{err}");
        assert!(
            err.message().contains("OssType::with_credentials_provider"),
            "{err}"
        );
    }

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
        use crate::engine::config::credentials::StaticCredentials;
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
        config.common.credentials = CredentialsSource::Host;
        config.common.access_key_id.clear();
        config.common.access_key_secret = jit_oss_protocol::Secret::default();
        OssStorage::with_credentials_provider(&config, provider).unwrap();
    }
}
