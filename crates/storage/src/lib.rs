//! `storages.Meta`, the storage family's contract.
//!
//! - [`StorageMeta`]: the trait every storage Type implements (JitAi's `uploadByFile`,
//!   `getSignUrl`, `download`, `getObject`, `delete`, plus streaming, listing, copy…).
//! - [`StorageError`]: one error for the family, with a matchable [`StorageErrorKind`].
//! - [`validate_object_name`]: the object-name rules, checked before any I/O.
//! - [`StorageType`], [`StorageAppBuilderExt`], [`StorageAppExt`]: how Types plug into an
//!   [`App`](jit_element::App) and how callers get a storage back from it.
//! - `testkit` (feature): the behaviour suite every Type runs against itself.

mod element_storage;
mod error;
mod family;
mod meta;
mod name;
mod types;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use element_storage::ElementStorage;
pub use error::{RemoteError, StorageError, StorageErrorKind, StorageResult};
pub use family::{StorageAppBuilderExt, StorageAppExt, StorageType, DEFAULT_STORAGE, STORAGE_META};
pub use meta::{downcast_storage, StorageIdentity, StorageMeta};
pub use name::{validate_object_name, validate_prefix, MAX_NAME_BYTES};
pub use types::{
    collect_stream, ByteStream, Capabilities, GetOptions, GetResult, ListOptions, ListPage,
    ObjectInfo, Payload, PresignMethod, PresignOptions, PresignedRequest, PutOptions, UploadResult,
    DEFAULT_CONTENT_TYPE, DEFAULT_SIGN_EXPIRES,
};
