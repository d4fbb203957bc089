//! `storages.OssType`: Aliyun OSS as a storage element.
//!
//! - [`OssType`]: the factory registered on an app (`register_builtin_storage_type`).
//! - [`OssStorage`]: the [`StorageMeta`](jit_storage::StorageMeta) implementation, also
//!   usable without an app through [`OssStorage::new`].
//! - [`OssConfig`]: the element's `<Name>.json` (camelCase).
//!
//! Requests are signed with V4 (`OSS4-HMAC-SHA256`) by default or V1, afresh for every
//! attempt; uploads and full downloads are checked end to end with CRC-64
//! (`x-oss-hash-crc64ecma`); large payloads go multipart; failures become
//! [`StorageError`](jit_storage::StorageError)s with the OSS code and request id.
//!
//! Layout (after Apache OpenDAL's OSS service): `config` (configuration), `backend`
//! (operations and factory), `core` (URLs, signing, sending, retries), `error` (error
//! mapping), `lister` (ListObjectsV2), `multipart` (multipart upload, several parts in
//! flight), `integrity` (streaming CRC checks), `signing_key` (the day's V4 signing
//! key, cached per element).

mod backend;
mod config;
mod core;
mod error;
mod integrity;
mod lister;
mod multipart;
mod settings;
mod signing_key;
mod transport;

pub use backend::{OssStorage, OssType};
pub use config::{
    OssConfig, DEFAULT_MAX_RETRIES, DEFAULT_MULTIPART_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD,
    DEFAULT_PART_SIZE, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, DEFAULT_TIMEOUT_SECONDS,
    MAX_MULTIPART_CONCURRENCY, MAX_PART_SIZE, MAX_RETRIES_LIMIT, MIN_PART_SIZE, RETRY_MAX_MS_LIMIT,
};
pub use error::REQUEST_ID_HEADER;
pub use jit_oss_protocol::SignatureVersion;
pub use settings::{Addressing, OssConfigError, OssSettings};

/// The fullName under which the Type is registered.
pub const OSS_TYPE: &str = "storages.OssType";
