//! `jit-oss-protocol`: the signing protocols of the object stores, as pure functions:
//! Aliyun OSS (V1 and `OSS4-HMAC-SHA256`) and, despite the crate's name, AWS S3
//! (Signature Version 4, `AWS4-HMAC-SHA256`, with `aws-chunked` bodies), which share
//! one V4 core. The name stays for now: other crates depend on it by that name.
//!
//! Shared by the OSS and S3 client crates and the local servers. Nothing here does
//! network I/O or reads the clock: every time is passed in, so every function is
//! deterministic and testable.
//!
//! - [`credentials`]: access key pair and STS token, with redacted printing.
//! - [`encode`]: percent-encoding of object keys and query components.
//! - [`v4core`]: the V4 algorithm written once (key chain, canonical forms, string to
//!   sign), with a [`v4core::Scheme`] per protocol.
//! - [`sign`]: OSS V1 (HMAC-SHA1) and V4 (`OSS4-HMAC-SHA256`) signing, header and
//!   presigned.
//! - [`verify`](mod@verify): server-side verification of all four OSS signing forms.
//! - [`s3`]: AWS SigV4 for S3: signing (header, presigned, chunk signatures), the
//!   `aws-chunked` encoder and decoder, and the server-side verifier.
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
