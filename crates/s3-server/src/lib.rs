//! `jit-s3-server`: a local Amazon-S3-compatible server (`jitstore serve-s3`) for
//! tests, benchmarks and offline development, which really verifies signatures.
//!
//! It speaks the S3 REST protocol closely enough for the official SDKs (boto3, the
//! AWS SDK for JavaScript): path-style and virtual-hosted addressing, AWS Signature
//! Version 4 checked on every request (header and presigned, with
//! `jit_oss_protocol::s3::verify_with`), `aws-chunked` bodies (signed chunks, and
//! unsigned with a checksum trailer), flexible checksums (CRC-32, CRC-32C,
//! CRC-64/NVME, SHA-1, SHA-256), S3's XML documents and error codes, and the object,
//! listing, batch-delete and multipart APIs. Objects live in the local OSS server's
//! store ([`jit_oss_server::store::Store`]): in memory or durably in a folder.
//!
//! ```no_run
//! # async fn demo() -> Result<(), jit_s3_server::ServerError> {
//! use jit_s3_server::{start, ServerConfig};
//!
//! let server = start(ServerConfig {
//!     root: Some("/tmp/s3-data".into()), // None: in memory
//!     buckets: vec!["my-bucket".into()],
//!     credentials: vec![("my-key-id".into(), "my-secret".into())],
//!     ..ServerConfig::default() // 127.0.0.1:0, us-east-1, anonymous access refused
//! })
//! .await?;
//! // Path style: {endpoint}/my-bucket/key; virtual-hosted: http://my-bucket.localhost:PORT/key
//! println!("{}", server.endpoint());
//! server.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Modules by role: [`config`] (configuration, start-up errors), [`server`] (start,
//! shutdown, router), `state` (what the handlers share, [`build_state`]), `routing`
//! and `addressing` (dispatch; bucket and key from Host and path), `auth` (signature
//! checks), `handlers` (one module per API group, plus the request context, body and
//! response helpers they share), [`checksum`] (the flexible checksums), [`tls`]
//! (HTTPS), `xml` (documents) and [`error`] (S3 error answers).

#![warn(missing_docs)]

mod addressing;
mod auth;
pub mod checksum;
pub mod config;
pub mod error;
mod handlers;
mod routing;
pub mod server;
mod state;
pub mod tls;
mod xml;

pub use config::{ServerConfig, ServerError};
pub use error::S3Error;
pub use server::{router, start, RunningServer};
pub use state::{build_state, AppState};
pub use tls::TlsConfig;
