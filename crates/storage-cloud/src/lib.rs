//! Object stores as storage elements, on one protocol-neutral engine:
//! `storages.OssType` (Aliyun OSS) and the S3 family (`storages.AwsS3Type`,
//! `storages.CloudflareR2Type`, `storages.MinioType`, `storages.EosType`), two dialects
//! of the same engine.
//!
//! - [`OssType`]: the factory registered on an app (`register_builtin_storage_type`).
//! - [`OssStorage`] (= [`CloudStorage`]`<OssType>`): the
//!   [`StorageMeta`](jit_storage::StorageMeta) implementation, also usable without an
//!   app through [`OssStorage::new`].
//! - [`OssConfig`]: the element's `<Name>.json` (camelCase): the [`CommonConfig`] every
//!   object-store Type shares plus OSS's own keys.
//! - [`AwsS3Type`], [`CloudflareR2Type`], [`MinioType`], [`EosType`]: the S3 family's
//!   factories, building [`AwsS3Storage`] (= `CloudStorage<AwsS3Type>`) and so on from
//!   an [`S3Config`] (the common keys plus `scheme`), checked per Type by its
//!   [`S3Flavour`]; SigV4 signing with `x-amz-content-sha256`, CRC-64/NVME checksums
//!   (`x-amz-checksum-crc64nvme`), streamed uploads as `aws-chunked` with a checksum
//!   trailer.
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
//! Layout, one file per role in two folders (after Apache OpenDAL's service folders
//! and object_store's split of the shared client from each store): `engine/` is what
//! any object store needs, speaking through a `Dialect`; `oss/` is what is OSS's;
//! `s3/` is the S3 family's.
//! `mod.rs` files are indexes.
//!
//! | file | role |
//! |---|---|
//! | `engine/dialect` | the `Dialect` trait: signing and presigning, header names, the object checksum, checksum refusal, upload framing |
//! | `engine/vocabulary` | a dialect's header names and conventions (request id, metadata prefix, copy source, …) |
//! | `engine/checksum` | a dialect's object checksum: CRC-64/XZ or /NVME, its header and encoding, the headers that ask for it |
//! | `engine/core` | request assembly: URLs, checksum headers, signing per attempt, attempts under the retry policy |
//! | `engine/transport` | the HTTP client: idle timeouts, upload progress, bounded bodies |
//! | `engine/addressing` | [`Addressing`]: virtual host, path style, custom domain; endpoints with a scheme |
//! | `engine/error` | `<Error>` answers and transport failures as `StorageError`s; lost answers |
//! | `engine/storage` | [`CloudStorage`]: the [`StorageMeta`](jit_storage::StorageMeta) operations (stat, list, delete, copy, …) |
//! | `engine/reader` | GetObject: Content-Range checked, broken bodies resumed, length and checksum checked |
//! | `engine/ranged` | whole-object reads in parallel ranges, handed on in order, checksums combined |
//! | `engine/head` | HeadObject and object information from headers |
//! | `engine/writer` | PutObject: retried when replayable, lost answers confirmed, checksum checked |
//! | `engine/confirm` | whether a write whose answer was lost took effect |
//! | `engine/multipart` | multipart upload, several parts in flight, aborted on failure |
//! | `engine/upload_session` | Initiate (strays of lost answers aborted), Complete (confirmed), Abort (retried) |
//! | `engine/lister` | ListObjectsV2 request and answer |
//! | `engine/presign` | presigned URLs, 1 s to 7 days |
//! | `engine/integrity` | streaming checksums: upload digest, download check, range slicing |
//! | `engine/signing_key` | the V4 signing key of the current secret, day and region, for either V4 |
//! | `engine/config/common` | [`CommonConfig`]: the keys every object-store Type shares, with defaults |
//! | `engine/config/keys` | one flat object read into the common keys and a Type's own (unknown keys refused) |
//! | `engine/config/settings` | the common keys checked → [`CommonSettings`] (or [`ConfigError`]) |
//! | `engine/config/transfer_limits` | the multipart and ranged-read keys, checked for `settings` |
//! | `engine/config/credentials` | [`CredentialsProvider`]: static, environment, or the host's; asked per attempt |
//! | `oss/config` | [`OssConfig`] as written: the common keys, `signatureVersion`, `secure` |
//! | `oss/settings` | [`OssConfig::validate`] → [`OssSettings`] (or [`OssConfigError`]): the one check |
//! | `oss/dialect` | the OSS dialect: V4/V1 signing, `x-oss-*` headers, CRC-64/XZ |
//! | `oss/backend` | [`OssType`] (the factory) and the constructors of [`OssStorage`] |
//! | `s3/config` | [`S3Config`] as written: the common keys and `scheme`; AWS's environment variables |
//! | `s3/family` | [`S3Flavour`]: what differs between the four S3 Types (defaults, region, addressing) |
//! | `s3/settings` | [`S3Config::validate`] → [`S3Settings`]: S3 bucket names, 5 MiB parts, scheme, region, AWS's endpoint |
//! | `s3/dialect` | the S3 dialect: SigV4, `x-amz-*` headers, CRC-64/NVME, `aws-chunked` uploads, checksum refusals |
//! | `s3/types` | the four Types (factories) and the constructors of their storages |

#![warn(missing_docs)]

mod engine;
pub mod oss;
pub mod s3;

pub use async_trait::async_trait;
pub use engine::addressing::Addressing;
pub use engine::config::common::{
    CommonConfig, DEFAULT_DOWNLOAD_CONCURRENCY, DEFAULT_DOWNLOAD_PART_SIZE, DEFAULT_MAX_RETRIES,
    DEFAULT_MULTIPART_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
    DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, DEFAULT_TIMEOUT_SECONDS, MAX_DOWNLOAD_CONCURRENCY,
    MAX_DOWNLOAD_PART_SIZE, MAX_MULTIPART_CONCURRENCY, MAX_PART_SIZE, MAX_RETRIES_LIMIT,
    MIN_DOWNLOAD_PART_SIZE, RETRY_MAX_MS_LIMIT,
};
pub use engine::config::credentials::{
    CredentialsProvider, CredentialsSetting, CredentialsSource, EnvironmentCredentials,
    EnvironmentNames, StaticCredentials,
};
pub use engine::config::settings::{CommonSettings, ConfigError};
pub use engine::presign::MAX_PRESIGN_SECONDS;
pub use engine::storage::CloudStorage;
pub use engine::upload_session::CLEANUP_MIN_RETRIES;
pub use jit_oss_protocol::SignatureVersion;
pub use jit_oss_protocol::{Credentials, Secret};
pub use oss::{
    OssConfig, OssConfigError, OssSettings, OssStorage, OssType, ENV_ACCESS_KEY_ID,
    ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN, MIN_PART_SIZE, OSS_ENVIRONMENT, OSS_TYPE,
    REQUEST_ID_HEADER,
};
pub use s3::{
    AwsS3Storage, AwsS3Type, CloudflareR2Storage, CloudflareR2Type, EosStorage, EosType,
    MinioStorage, MinioType, S3Config, S3Family, S3Flavour, S3Settings, AWS_S3_TYPE,
    CLOUDFLARE_R2_TYPE, EOS_TYPE, MINIO_TYPE, S3_ENVIRONMENT,
};
