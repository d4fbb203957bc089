//! Server machinery shared by the local OSS server and the local S3 server
//! (`jit-s3-server`): what is the same logic in both, written once.
//!
//! Everything here is protocol-neutral: no XML documents, error codes or header
//! names of either protocol. Each server wraps these pieces with its own errors.
//!
//! - [`addressing`]: the bucket and key a request names, from its Host and path.
//! - [`listen`]: binding, serving in a background task with TCP_NODELAY, graceful
//!   shutdown.
//! - [`setup`]: configuration checks (bucket names, credentials), opening the store,
//!   and the configured access keys ([`setup::Secrets`]).
//! - [`request`]: reading query parameters and headers.
//! - [`response`]: building responses and setting headers.
//! - [`read`]: GET/HEAD of an object: `Range`, conditions, reopening a replaced blob,
//!   partial-content answers.

pub mod addressing;
pub mod listen;
pub mod read;
pub mod request;
pub mod response;
pub mod setup;
