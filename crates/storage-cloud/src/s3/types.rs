//! The four S3 Types — `storages.AwsS3Type` ([`AwsS3Type`]), `storages.CloudflareR2Type`
//! ([`CloudflareR2Type`]), `storages.MinioType` ([`MinioType`]) and `storages.EosType`
//! ([`EosType`]) — as factories building a [`CloudStorage`] of their own per element
//! from its validated settings, and the constructors of those storages for use
//! without an app. One macro writes the four: they differ only in their
//! [`S3Flavour`](crate::s3::family::S3Flavour).

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use jit_element::{BuildContext, ElementResult};
use jit_storage::{StorageError, StorageErrorKind, StorageMeta, StorageResult, StorageType};

use crate::engine::config::credentials::{self, CredentialsProvider, CredentialsSource};
use crate::engine::core::Core;
use crate::engine::storage::CloudStorage;
use crate::s3::config::{S3Config, S3_ENVIRONMENT};
use crate::s3::dialect::S3Dialect;
use crate::s3::family::{S3Family, S3Flavour, AWS_S3, CLOUDFLARE_R2, EOS, MINIO};
use crate::s3::settings::S3Settings;

/// The engine's core for S3 `settings` of a Type: the S3 dialect in the settings'
/// region, and the credentials provider the settings name (`provider` for host
/// credentials).
pub(crate) fn core(
    settings: S3Settings,
    pinned_hosts: &[(String, SocketAddr)],
    provider: Option<Arc<dyn CredentialsProvider>>,
    provider_hint: &str,
) -> StorageResult<Core> {
    let credentials = credentials::provider(
        &settings.common.credentials,
        S3_ENVIRONMENT,
        provider,
        provider_hint,
    )?;
    let dialect = Arc::new(S3Dialect::new(settings.region));
    Core::new(settings.common, dialect, credentials, pinned_hosts)
}

/// A provider given for a config whose `"credentials"` is not `"host"`: an error, the
/// provider would go unused.
fn provider_unused(config: &S3Config) -> StorageResult<()> {
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
    Ok(())
}

/// Builds the storage of an element of the Type `T` from its context.
async fn create<T: S3Family>(
    ctx: &BuildContext,
    pinned_hosts: &[(String, SocketAddr)],
    provider: Option<Arc<dyn CredentialsProvider>>,
    provider_hint: &str,
) -> ElementResult<Arc<dyn StorageMeta>> {
    let config: S3Config = ctx.deserialize_config()?;
    let settings = config
        .validate(T::FLAVOUR)
        .map_err(|e| ctx.invalid_config(e.field, e.message))?;
    let core = core(settings, pinned_hosts, provider, provider_hint).map_err(|e| {
        if e.kind() == StorageErrorKind::InvalidConfig {
            ctx.invalid_config("credentials", e.message())
        } else {
            ctx.build_error(e)
        }
    })?;
    let storage = CloudStorage::<T>::from_core(core);
    tracing::debug!(
        element = ctx.full_name(),
        bucket = storage.bucket(),
        "{} storage ready",
        T::FLAVOUR.title
    );
    Ok(Arc::new(storage))
}

macro_rules! s3_type {
    ($(#[$doc:meta])* $ty:ident, $storage:ident, $flavour:ident) => {
        $(#[$doc])*
        ///
        /// An element whose `"credentials"` is `"host"` signs with the provider
        /// installed by `with_credentials_provider`; `pin_host` resolves a host name to
        /// a fixed address (e.g. `bucket.localhost` for a local server addressed
        /// virtual-hosted style).
        #[derive(Debug, Clone, Default)]
        pub struct $ty {
            pinned_hosts: Vec<(String, SocketAddr)>,
            credentials: Option<Arc<dyn CredentialsProvider>>,
        }

        impl S3Family for $ty {
            const FLAVOUR: &'static S3Flavour = &$flavour;
        }

        #[doc = concat!("A bucket as a storage built by [`", stringify!($ty), "`] (or by `", stringify!($storage), "::new` without an app).")]
        pub type $storage = CloudStorage<$ty>;

        impl $ty {
            /// The factory with system DNS.
            pub fn new() -> Self {
                Self::default()
            }

            /// Pins `host` to `addr` in the HTTP client of every element built (the
            /// URL's port is kept), without touching the system resolver.
            pub fn pin_host(mut self, host: impl Into<String>, addr: SocketAddr) -> Self {
                self.pinned_hosts.push((host.into(), addr));
                self
            }

            /// Installs the credentials provider of the elements whose
            /// `"credentials"` is `"host"`, asked at every attempt of every request.
            pub fn with_credentials_provider(
                mut self,
                provider: Arc<dyn CredentialsProvider>,
            ) -> Self {
                self.credentials = Some(provider);
                self
            }

            /// Checks `config` by this Type's rules: the settings its storage runs on,
            /// or the key at fault.
            pub fn validate(
                config: &S3Config,
            ) -> Result<S3Settings, crate::engine::config::settings::ConfigError> {
                config.validate(&$flavour)
            }
        }

        impl CloudStorage<$ty> {
            /// A storage for `config`; an invalid config is an InvalidConfig error
            /// naming the field.
            pub fn new(config: &S3Config) -> StorageResult<Self> {
                Self::with_pinned_hosts(config, &[])
            }

            /// Like `new`, with host names pinned to addresses.
            pub fn with_pinned_hosts(
                config: &S3Config,
                pinned_hosts: &[(String, SocketAddr)],
            ) -> StorageResult<Self> {
                let settings = config.validate(&$flavour)?;
                let hint = concat!(stringify!($ty), "::with_credentials_provider");
                Ok(Self::from_core(core(settings, pinned_hosts, None, hint)?))
            }

            /// A storage for `config` whose `"credentials"` is `"host"`, signing with
            /// the credentials `provider` gives for every attempt.
            pub fn with_credentials_provider(
                config: &S3Config,
                provider: Arc<dyn CredentialsProvider>,
            ) -> StorageResult<Self> {
                provider_unused(config)?;
                let settings = config.validate(&$flavour)?;
                let hint = concat!(stringify!($ty), "::with_credentials_provider");
                Ok(Self::from_core(core(settings, &[], Some(provider), hint)?))
            }
        }

        #[async_trait]
        impl StorageType for $ty {
            async fn create(&self, ctx: &BuildContext) -> ElementResult<Arc<dyn StorageMeta>> {
                let hint = concat!(stringify!($ty), "::with_credentials_provider");
                create::<$ty>(ctx, &self.pinned_hosts, self.credentials.clone(), hint).await
            }
        }
    };
}

s3_type!(
    /// The `storages.AwsS3Type` factory: AWS S3, virtual-host style, `endPoint`
    /// optional (`s3.<region>.amazonaws.com`), `region` required.
    AwsS3Type,
    AwsS3Storage,
    AWS_S3
);
s3_type!(
    /// The `storages.CloudflareR2Type` factory: Cloudflare R2, path style, region
    /// `auto`.
    CloudflareR2Type,
    CloudflareR2Storage,
    CLOUDFLARE_R2
);
s3_type!(
    /// The `storages.MinioType` factory: MinIO, path style, `scheme` `http` by default,
    /// `endPoint` `host:port`.
    MinioType,
    MinioStorage,
    MINIO
);
s3_type!(
    /// The `storages.EosType` factory: EOS, `scheme` `https` by default.
    EosType,
    EosStorage,
    EOS
);

/// The core of an S3 element whose config is the test defaults (`ak`/`sk`, bucket
/// `bkt`, AWS `us-east-1`) with the keys of `extra` on top.
#[cfg(test)]
pub(crate) fn test_core(extra: serde_json::Value) -> Core {
    let mut json = serde_json::json!({
        "accessKeyId": "ak",
        "accessKeySecret": "sk",
        "bucketName": "bkt",
        "region": "us-east-1"
    });
    for (k, v) in extra.as_object().unwrap() {
        json[k] = v.clone();
    }
    let config: S3Config = serde_json::from_value(json).unwrap();
    core(config.validate(&AWS_S3).unwrap(), &[], None, "test").unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_each_types_addressing() {
        let c = test_core(serde_json::json!({}));
        assert_eq!(
            c.url(Some("a b")),
            "https://bkt.s3.us-east-1.amazonaws.com/a%20b"
        );
        let config: S3Config = serde_json::from_value(serde_json::json!({
            "accessKeyId": "ak", "accessKeySecret": "sk", "bucketName": "bkt",
            "endPoint": "127.0.0.1:9000"
        }))
        .unwrap();
        let minio = MinioStorage::new(&config).unwrap();
        assert_eq!(
            minio.object_url("k").unwrap(),
            "http://127.0.0.1:9000/bkt/k"
        );
        let r2 = CloudflareR2Storage::new(&config).unwrap();
        assert_eq!(r2.object_url("k").unwrap(), "https://127.0.0.1:9000/bkt/k");
        let err = AwsS3Storage::new(&config).unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        assert!(err.message().contains("region"), "{err}");
    }

    #[test]
    fn a_provider_is_only_taken_for_host_credentials() {
        use crate::engine::config::credentials::StaticCredentials;
        let provider: Arc<dyn CredentialsProvider> = Arc::new(StaticCredentials::new(
            jit_oss_protocol::Credentials::new("ak", "sk"),
        ));
        let mut config: S3Config = serde_json::from_value(serde_json::json!({
            "accessKeyId": "ak", "accessKeySecret": "sk", "bucketName": "bkt",
            "endPoint": "minio:9000"
        }))
        .unwrap();
        let err = MinioStorage::with_credentials_provider(&config, provider.clone()).unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        config.common.credentials = CredentialsSource::Host;
        config.common.access_key_id.clear();
        config.common.access_key_secret = jit_oss_protocol::Secret::default();
        MinioStorage::with_credentials_provider(&config, provider).unwrap();
        let err = MinioStorage::new(&config).unwrap_err();
        assert!(
            err.message()
                .contains("MinioType::with_credentials_provider"),
            "{err}"
        );
    }
}
