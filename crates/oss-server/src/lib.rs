//! `jit-oss-server`: a local Aliyun-OSS-compatible server for tests, benchmarks and
//! offline development.
//!
//! It speaks the OSS REST protocol closely enough for the official SDKs: path-style and
//! virtual-hosted addressing, V1 and V4 signatures (header and presigned, checked with
//! `jit_oss_protocol::verify`), OSS XML bodies and error codes, and the object,
//! listing and multipart APIs. Objects live in memory or durably in a folder.
//!
//! ```no_run
//! # async fn demo() -> Result<(), jit_oss_server::ServerError> {
//! use jit_oss_server::{start, ServerConfig};
//!
//! let server = start(ServerConfig {
//!     root: Some("/tmp/oss-data".into()), // None: in memory
//!     buckets: vec!["my-bucket".into()],
//!     credentials: vec![("my-ak".into(), "my-secret".into())],
//!     ..ServerConfig::default() // 127.0.0.1:0, anonymous access refused
//! })
//! .await?;
//! // Path style: {endpoint}/my-bucket/key; virtual-hosted: http://my-bucket.localhost:PORT/key
//! let endpoint = server.endpoint();
//! # let _ = endpoint;
//! server.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Modules by role: [`config`] (configuration, start-up errors), [`server`] (start,
//! shutdown, router), `state` (what the handlers share, [`build_state`]), `routing`
//! and `addressing` (dispatch, bucket/key from Host and path), `auth` (signature
//! checks), `handlers` (one module per API group, plus the request context, body and
//! response helpers they share), [`store`]
//! (index plus memory or folder backend), `xml` (documents), [`error`] (OSS error
//! answers), [`shared`] (the server machinery the local S3 server uses too:
//! addressing, listening, set-up, request and response helpers, object reads), [`faults`] (fault injection for testing clients: [`ServerConfig::faults`],
//! [`RunningServer::faults_injected`]).

#![warn(missing_docs)]

mod addressing;
mod auth;
pub mod config;
pub mod error;
pub mod faults;
mod handlers;
mod routing;
pub mod server;
pub mod shared;
mod state;
pub mod store;
mod xml;

pub use config::{ServerConfig, ServerError};
pub use error::OssError;
pub use faults::{FaultConfig, FaultCounts, FaultKind};
pub use server::{router, start, RunningServer};
pub use state::{build_state, AppState};
pub use store::StoreError;
