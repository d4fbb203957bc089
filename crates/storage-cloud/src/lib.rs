//! `storages.OssType`: Aliyun OSS as a storage element.
//!
//! - [`OssType`]: the factory registered on an app (`register_builtin_storage_type`).
//! - [`OssStorage`]: the [`StorageMeta`](jit_storage::StorageMeta) implementation, also
//!   usable without an app through [`OssStorage::new`].
//! - [`OssConfig`]: the element's `<Name>.json` (camelCase).
//!
//! Requests are signed with V4 (`OSS4-HMAC-SHA256`) by default or V1, afresh for every
//! attempt with the credentials a [`CredentialsProvider`] gives for it (the config's,
//! the environment's, or the host's: the element's `"credentials"` key); uploads and
//! downloads are checked end to end (length always, CRC-64 `x-oss-hash-crc64ecma` for
//! whole objects); large payloads go multipart; failures become
//! [`StorageError`](jit_storage::StorageError)s with the OSS code and request id.
//!
//! Retries follow the element's [`RetryPolicy`](jit_storage::retry::RetryPolicy)
//! (`maxRetries`, `retryBaseMs`, `retryMaxMs`, `retryDeadlineSeconds`) and the contract's
//! one table of retryable failures, for every request whose body can be sent again
//! (bytes, files, multipart parts; a one-shot stream is sent once). A write whose answer
//! was lost is confirmed (HeadObject: size, CRC-64) before it is sent again; a read that
//! breaks off is resumed from the first missing byte; a failed multipart upload is
//! aborted, and so is one a lost Initiate answer opened. Timeouts are idle ones
//! (`timeoutSeconds` without progress).
//!
//! Layout, one file per role (after Apache OpenDAL's service folders):
//!
//! | file | role |
//! |---|---|
//! | `config` | [`OssConfig`] as written: keys, defaults, serde (unknown keys refused) |
//! | `settings` | [`OssConfig::validate`] → [`OssSettings`] (or [`OssConfigError`]): the one check |
//! | `transfer_limits` | the multipart and ranged-read keys, checked for `settings` |
//! | `credentials` | [`CredentialsProvider`]: static, environment, or the host's; asked per attempt |
//! | `backend` | [`OssStorage`] (the operations) and [`OssType`] (the factory) |
//! | `reader` | GetObject: Content-Range checked, broken bodies resumed, length and CRC-64 checked |
//! | `ranged` | whole-object reads in parallel ranges, handed on in order, CRC-64s combined |
//! | `head` | HeadObject and object information from headers |
//! | `writer` | PutObject: retried when replayable, lost answers confirmed, CRC-64 checked |
//! | `confirm` | whether a write whose answer was lost took effect |
//! | `multipart` | multipart upload, several parts in flight, aborted on failure |
//! | `upload_session` | Initiate (strays of lost answers aborted), Complete (confirmed), Abort (retried) |
//! | `lister` | ListObjectsV2 request and answer |
//! | `presign` | presigned URLs, 1 s to 7 days |
//! | `core` | request assembly: URLs, signing per attempt, attempts under the retry policy |
//! | `transport` | the HTTP client: idle timeouts, upload progress, bounded bodies |
//! | `error` | OSS answers and transport failures as `StorageError`s; lost answers |
//! | `integrity` | streaming CRC-64: upload digest, download check, range slicing |
//! | `signing_key` | the V4 signing key of the current secret, day and region |

#![warn(missing_docs)]

mod backend;
mod config;
mod confirm;
mod core;
mod credentials;
mod error;
mod head;
mod integrity;
mod lister;
mod multipart;
mod presign;
mod ranged;
mod reader;
mod settings;
mod signing_key;
mod transfer_limits;
mod transport;
mod upload_session;
mod writer;

pub use async_trait::async_trait;
pub use backend::{OssStorage, OssType};
pub use config::{
    OssConfig, DEFAULT_DOWNLOAD_CONCURRENCY, DEFAULT_DOWNLOAD_PART_SIZE, DEFAULT_MAX_RETRIES,
    DEFAULT_MULTIPART_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
    DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, DEFAULT_TIMEOUT_SECONDS, MAX_DOWNLOAD_CONCURRENCY,
    MAX_DOWNLOAD_PART_SIZE, MAX_MULTIPART_CONCURRENCY, MAX_PART_SIZE, MAX_RETRIES_LIMIT,
    MIN_DOWNLOAD_PART_SIZE, MIN_PART_SIZE, RETRY_MAX_MS_LIMIT,
};
pub use credentials::{
    CredentialsProvider, CredentialsSetting, CredentialsSource, EnvironmentCredentials,
    StaticCredentials, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN,
};
pub use error::REQUEST_ID_HEADER;
pub use jit_oss_protocol::SignatureVersion;
pub use jit_oss_protocol::{Credentials, Secret};
pub use presign::MAX_PRESIGN_SECONDS;
pub use settings::{Addressing, OssConfigError, OssSettings};
pub use upload_session::CLEANUP_MIN_RETRIES;

/// The fullName under which the Type is registered.
pub const OSS_TYPE: &str = "storages.OssType";
