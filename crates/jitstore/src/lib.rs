//! JitAi-style storage elements for Rust, in one crate.
//!
//! Re-exports the element core ([`element`]), the storage contract ([`storage`]) and the
//! official Types ([`disk`]: `storages.DiskType`, [`oss`]: `storages.OssType`), and
//! registers them all with [`BuiltinTypes::with_builtin_types`]:
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
//! # Ok(()) }
//! ```

pub use jit_element as element;
pub use jit_oss_server as oss_server;
pub use jit_storage as storage;
pub use jit_storage_disk as disk;
pub use jit_storage_oss as oss;

use jit_element::AppBuilder;
use jit_storage::StorageAppBuilderExt;

/// fullName of the official local-disk Type.
pub const DISK_TYPE: &str = "storages.DiskType";
/// fullName of the official Aliyun OSS Type.
pub const OSS_TYPE: &str = "storages.OssType";

/// Registers the official storage Types on an [`AppBuilder`].
pub trait BuiltinTypes: Sized {
    /// Registers `storages.Meta`, `storages.DiskType` and `storages.OssType`. Call it
    /// before your own registrations so that yours override the official ones.
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
    }
}

/// What most callers need, in one `use`.
pub mod prelude {
    pub use crate::BuiltinTypes;
    pub use jit_element::{App, AppBuilder, BuildContext, ElementError, ElementErrorKind};
    pub use jit_storage::{
        GetOptions, ListOptions, ObjectInfo, Payload, PresignOptions, PutOptions,
        StorageAppBuilderExt, StorageAppExt, StorageError, StorageErrorKind, StorageMeta,
        StorageType, UploadResult,
    };
}

/// The README's examples, compiled as doc-tests so they stay true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
