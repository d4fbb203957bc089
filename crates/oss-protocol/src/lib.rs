//! `jit-oss-protocol`: the Aliyun OSS wire protocol as pure functions.
//!
//! Shared by the OSS client crate and the local OSS server crate. Nothing here does
//! network I/O or reads the clock: every time is passed in, so every function is
//! deterministic and testable.
//!
//! - [`credentials`]: access key pair and STS token, with redacted printing.
//! - [`encode`]: percent-encoding of object keys and query components.
//! - [`sign`]: V1 (HMAC-SHA1) and V4 (`OSS4-HMAC-SHA256`) signing, header and presigned.
//! - [`verify`](mod@verify): server-side verification of all four signing forms.
//! - [`crc64`]: CRC-64/XZ as used by `x-oss-hash-crc64ecma`, with combination.
//! - [`error_xml`]: the `<Error>` response body.

#![warn(missing_docs)]

/// CRC-64/XZ, from the workspace's one implementation ([`jit_wire::crc64`]).
pub use jit_wire::crc64;
pub mod credentials;
pub mod encode;
pub mod error_xml;
pub mod s3;
pub mod sign;
pub mod v4core;
pub mod verify;

pub use credentials::{Credentials, Secret};
pub use error_xml::OssErrorBody;
pub use sign::{region_from_endpoint, SignError, SignRequest, SignatureVersion};
pub use verify::{verify, ReceivedRequest, SecretLookup, Verified, VerifyError};
