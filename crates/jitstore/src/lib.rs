//! JitAi-style storage elements for Rust, in one crate.
//!
//! Re-exports the element core ([`element`]), the storage contract ([`storage`]) and the
//! official Types ([`disk`]: `storages.DiskType`; [`oss`]: `storages.OssType` and the S3
//! family `storages.AwsS3Type`, `storages.CloudflareR2Type`, `storages.MinioType`,
//! `storages.EosType`), and registers them all with
//! [`BuiltinTypes::with_builtin_types`]. [`service`] is JitAi's storage service
//! (`storages.services.StorageSvc`: recorded uploads, preview, thumbnails, signed browser
//! uploads), a builtin element `with_builtin_types` registers too, reached with
//! `app.storage_service()` or, as JitAi code does, with
//! `app.get_element("storages.services.StorageSvc")` (the same service):
//!
//! ```no_run
//! use jitstore::prelude::*;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let app = App::builder("app-example").with_builtin_types().open()?;
//! let storage = app.storage("storages.Default").await?;
//! let up = storage
//!     .upload_by_file("folder/example.txt", "hello".into(), Some("text/plain"))
//!     .await?;
//! println!("{}", up.url);
//!
//! // Through the storage service: recorded, previewed at `record.url`.
//! let svc = app.storage_service().await?;
//! let request = jitstore::service::UploadRequest::new("notes/a.txt", "hi".to_string());
//! let record = svc.upload_by_file(request).await?;
//! println!("{} {}", record.uid, record.url);
//!
//! // JitAi's way: the element, the same service.
//! let element = app.get_element(jitstore::service::STORAGE_SVC).await?;
//! assert!(std::sync::Arc::ptr_eq(&element.storage_service()?, &svc));
//! # Ok(()) }
//! ```
//!
//! Features: `cli` (default) builds the `jitstore` tool; `local-oss-server` (on with
//! `cli`) re-exports the local OSS-compatible server as `oss_server`; `local-s3-server`
//! (on with `cli`) the local S3-compatible server as `s3_server`. An embedding
//! runtime takes the library alone with `default-features = false`.

#![warn(missing_docs)]

pub use jit_element as element;
#[cfg(feature = "local-oss-server")]
pub use jit_oss_server as oss_server;
#[cfg(feature = "local-s3-server")]
pub use jit_s3_server as s3_server;
pub use jit_storage as storage;
pub use jit_storage_cloud as oss;
pub use jit_storage_disk as disk;
pub use jit_storage_svc as service;

/// The `#[async_trait]` macro a Type's `impl StorageType` and `impl StorageMeta` need
/// (also in [`prelude`]).
pub use async_trait::async_trait;
/// serde, for a Type's typed config: `#[derive(jitstore::serde::Deserialize)]` with
/// `#[serde(crate = "jitstore::serde")]` when the app does not depend on serde itself.
pub use serde;

use jit_element::AppBuilder;
use jit_storage::StorageAppBuilderExt;
use jit_storage_svc::StorageServiceAppBuilderExt;

/// fullName of the official local-disk Type.
pub const DISK_TYPE: &str = "storages.DiskType";
/// fullName of the official Aliyun OSS Type.
pub const OSS_TYPE: &str = "storages.OssType";
/// fullName of the official AWS S3 Type.
pub const AWS_S3_TYPE: &str = oss::AWS_S3_TYPE;
/// fullName of the official Cloudflare R2 Type.
pub const CLOUDFLARE_R2_TYPE: &str = oss::CLOUDFLARE_R2_TYPE;
/// fullName of the official MinIO Type.
pub const MINIO_TYPE: &str = oss::MINIO_TYPE;
/// fullName of the official EOS Type.
pub const EOS_TYPE: &str = oss::EOS_TYPE;

/// Registers the official storage Types on an [`AppBuilder`].
pub trait BuiltinTypes: Sized {
    /// Registers `storages.Meta`, `storages.DiskType`, `storages.OssType` and the S3
    /// family (`storages.AwsS3Type`, `storages.CloudflareR2Type`, `storages.MinioType`,
    /// `storages.EosType`), and the builtin element `storages.services.StorageSvc` (the
    /// storage service; its record store is opened when it is first loaded, not by
    /// listing or checking the app). Call it before your own registrations so that
    /// yours override the official ones.
    fn with_builtin_types(self) -> Self;
}

impl BuiltinTypes for AppBuilder {
    fn with_builtin_types(self) -> Self {
        self.with_storage_meta()
            .register_builtin_storage_type(
                DISK_TYPE,
                "Local disk storage",
                disk::DiskType::default(),
            )
            .register_builtin_storage_type(OSS_TYPE, "Aliyun OSS storage", oss::OssType::default())
            .register_builtin_storage_type(AWS_S3_TYPE, "AWS S3 storage", oss::AwsS3Type::default())
            .register_builtin_storage_type(
                CLOUDFLARE_R2_TYPE,
                "Cloudflare R2 storage",
                oss::CloudflareR2Type::default(),
            )
            .register_builtin_storage_type(MINIO_TYPE, "MinIO storage", oss::MinioType::default())
            .register_builtin_storage_type(EOS_TYPE, "EOS storage", oss::EosType::default())
            .with_storage_service()
    }
}

/// Everything a caller of storages, and an author of a storage Type, needs in one `use`:
///
/// - opening an app and reaching its storages: [`App`](jit_element::App),
///   [`BuiltinTypes`], [`StorageAppExt`](jit_storage::StorageAppExt) (`app.storage(…)`),
///   [`StorageElementExt`](jit_storage::StorageElementExt)
///   (`app.get_element(…).await?.storage()`);
/// - using one: [`StorageMeta`](jit_storage::StorageMeta) (the core) and
///   [`StorageMetaExt`](jit_storage::StorageMetaExt) (JitAi's methods), their options,
///   results and errors;
/// - writing a Type: [`StorageType`](jit_storage::StorageType),
///   [`BuildContext`](jit_element::BuildContext),
///   [`StorageBuildContextExt`](jit_storage::StorageBuildContextExt)
///   (`ctx.storage(…)` for the storage a wrapper delegates to),
///   [`Capabilities`](jit_storage::Capabilities) and the `#[async_trait]` macro;
/// - the storage service: [`StorageServiceAppExt`](jit_storage_svc::StorageServiceAppExt)
///   (`app.storage_service()`), [`StorageSvcElementExt`](jit_storage_svc::StorageSvcElementExt)
///   (`app.get_element("storages.services.StorageSvc").await?.storage_service()`).
pub mod prelude {
    pub use crate::BuiltinTypes;
    pub use async_trait::async_trait;
    pub use jit_element::{
        App, AppBuilder, BuildContext, Element, ElementError, ElementErrorKind, ElementResult,
    };
    pub use jit_storage::{
        ByteStream, Capabilities, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo,
        Payload, PresignMethod, PresignOptions, PresignedRequest, PutOptions, StorageAppBuilderExt,
        StorageAppExt, StorageBuildContextExt, StorageElementExt, StorageError, StorageErrorKind,
        StorageMeta, StorageMetaExt, StorageResult, StorageType, UploadResult,
    };
    pub use jit_storage_svc::{StorageServiceAppExt, StorageSvcElementExt};
}

/// The README's examples, compiled as doc-tests so they stay true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
