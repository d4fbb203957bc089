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
//! Retries follow the element's [`RetryPolicy`](jit_storage::retry::RetryPolicy)
//! (`maxRetries`, `retryBaseMs`, `retryMaxMs`, `retryDeadlineSeconds`) and the contract's
//! one table of retryable failures; timeouts are idle ones (`timeoutSeconds` without
//! progress).
//!
//! Layout, one file per role (after Apache OpenDAL's service folders):
//!
//! | file | role |
//! |---|---|
//! | `config` | [`OssConfig`] as written: keys, defaults, serde (unknown keys refused) |
//! | `settings` | [`OssConfig::validate`] → [`OssSettings`] (or [`OssConfigError`]): the one check |
//! | `backend` | [`OssStorage`] (the operations) and [`OssType`] (the factory) |
//! | `writer` | PutObject, CRC-64 checked, large payloads to `multipart` |
//! | `multipart` | multipart upload, several parts in flight, aborted on failure |
//! | `lister` | ListObjectsV2 request and answer |
//! | `core` | request assembly: URLs, signing, presigning, attempts under the retry policy |
//! | `transport` | the HTTP client: idle timeouts, upload progress, bounded error bodies |
//! | `error` | OSS answers and transport failures as `StorageError`s |
//! | `integrity` | streaming CRC-64: upload digest, download check, range slicing |
//! | `signing_key` | the day's V4 signing key, cached per element |

#![warn(missing_docs)]

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
mod writer;

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
