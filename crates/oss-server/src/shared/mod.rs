//! Server machinery shared by the local OSS server and the local S3 server
//! (`jit-s3-server`): what is the same logic in both, written once.
//!
//! Everything here is protocol-neutral: no XML documents, error codes or header
//! names of either protocol. Each server wraps these pieces with its own errors.
//!
//! - [`addressing`]: the bucket and key a request names, from its Host and path.
//! - [`cors`]: CORS for browser pages on other origins: preflights answered before
//!   authentication, CORS headers on the answers to allowed origins.
//! - [`body`]: request bodies: announced length, `Content-MD5`, copying a stored
//!   blob into a staging area, discarding it on failure.
//! - [`listen`]: binding, serving in a background task with TCP_NODELAY, graceful
//!   shutdown.
//! - [`setup`]: configuration checks (bucket names, credentials), opening the store,
//!   and the configured access keys ([`setup::Secrets`]).
//! - [`listing`]: one page of an object listing, with common prefixes.
//! - [`request`]: reading query parameters, headers and the Host; the headers every
//!   answer carries.
//! - [`response`]: building responses and setting headers.
//! - [`read`]: GET/HEAD of an object: `Range`, conditions, reopening a replaced blob,
//!   partial-content answers.

pub mod addressing;
pub mod body;
pub mod cors;
pub mod listen;
pub mod listing;
pub mod read;
pub mod request;
pub mod response;
pub mod setup;
