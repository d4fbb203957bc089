//! `storages.services.StorageSvc`: JitAi's storage service, the part of the framework a
//! low-code runtime embeds in front of an app's storages.
//!
//! - [`StorageService`] — the element [`STORAGE_SVC`] (registered with
//!   [`StorageServiceAppBuilderExt::with_storage_service`], reached with
//!   `app.get_element(STORAGE_SVC).await?.storage_service()?` or
//!   [`StorageServiceAppExt::storage_service`], both the same `Arc`) — has
//!   JitAi's methods: `uploadByFile`, `preview`, `previewThumbnail`, `download`,
//!   `getSignUrl` and `delete`. It picks the app's default storage, records every upload
//!   ([`FileRecord`], with JitAi's attachment fields), previews only recorded and
//!   unexpired files, and deletes expired ones.
//! - Records live in SQLite (a file under the app's data folder) or PostgreSQL
//!   (`records`); the schema's migrations are part of the code.
//! - Thumbnails ([`thumbnail`], the `jit-thumbnail` crate) are rendered from JPEG, PNG, WebP and GIF with limits
//!   against decompression bombs and cached beside the file.
//! - [`http`]: an axum router answering `/storages/services/StorageSvc/<method>`.
//!
//! The files, from the bottom up (each uses only files listed before it): `error`,
//! `settings`, `record`, `range`, `records`, `service`, `element`, `app_ext`, `http`.
#![warn(missing_docs)]

mod app_ext;
mod element;
mod error;
pub mod http;
mod range;
mod record;
pub mod records;
mod service;
mod settings;

pub use app_ext::StorageServiceAppExt;
pub use element::{
    StorageServiceAppBuilderExt, StorageSvcElementExt, StorageSvcFactory, STORAGE_SVC,
    STORAGE_SVC_TITLE, STORAGE_SVC_TYPE,
};
pub use error::{SvcError, SvcErrorKind, SvcResult};
/// Thumbnails (the `jit-thumbnail` crate): the renderer previewThumbnail uses.
pub use jit_thumbnail as thumbnail;
pub use range::RangeSpec;
pub use record::{FileRecord, SignedUpload};
pub use service::{
    Disposition, FileContent, ReadOptions, SignRequest, StorageService, UploadRequest,
    DEFAULT_THUMBNAIL_SIDE, MAX_EXPIRES_SECS, MAX_URL_EXPIRES_SECS,
};
pub use settings::{Clock, RecordsDatabase, ServiceSettings, DEFAULT_SQLITE_PATH, SERVICE_PATH};
