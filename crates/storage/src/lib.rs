//! `storages.Meta`, the storage family's contract.
//!
//! - [`StorageMeta`]: the core every storage Type implements (put, get, stat, delete,
//!   list, presign, object URL, capabilities; copy and batch delete where native).
//! - [`StorageMetaExt`]: JitAi's `uploadByFile`, `getSignUrl`, `download`, `getObject`
//!   and the conveniences (`exists`, `list_all`), written once for every storage.
//! - [`StorageError`]: one error for the family, with a matchable [`StorageErrorKind`].
//! - [`validate_object_name`]: the object-name rules, checked before any I/O;
//!   [`guess_content_type`]: the one content-type rule.
//! - [`StorageType`], [`StorageAppBuilderExt`], [`StorageAppExt`], [`StorageElementExt`],
//!   [`StorageBuildContextExt`]: how Types plug into an [`App`](jit_element::App) and how
//!   callers (and wrapper Types) get a storage back from it.
//! - [`retry`]: the retry policy remote Types share (backoff with jitter, a deadline, the
//!   one table of what is retryable).
//! - `testkit` (feature): the behaviour suite every Type runs against itself.

#![warn(missing_docs)]

mod capabilities;
mod content_type;
mod element_storage;
mod error;
mod ext;
mod family;
mod file_payload;
mod meta;
mod name;
pub mod retry;
mod types;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use capabilities::Capabilities;
pub use content_type::{guess_content_type, DEFAULT_CONTENT_TYPE};
pub use element_storage::ElementStorage;
pub use error::{RemoteError, StorageError, StorageErrorKind, StorageResult};
pub use ext::{StorageMetaExt, DOWNLOAD_READS};
pub use family::{
    StorageAppBuilderExt, StorageAppExt, StorageBuildContextExt, StorageElementExt, StorageType,
    DEFAULT_STORAGE, STORAGE_META,
};
pub use file_payload::FilePayload;
pub use meta::{downcast_storage, StorageIdentity, StorageMeta};
pub use name::{validate_object_name, validate_prefix, MAX_NAME_BYTES};
pub use types::{
    collect_stream, ByteStream, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, Payload,
    PresignMethod, PresignOptions, PresignedRequest, PutOptions, UploadResult,
    DEFAULT_SIGN_EXPIRES,
};
