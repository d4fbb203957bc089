//! The engine: everything an object-store storage element does that is not one
//! protocol's own (request assembly and attempts, transport, reads, writes, multipart
//! uploads, listings, presigned URLs, integrity, errors, the shared configuration),
//! speaking through a [`Dialect`](dialect::Dialect). An index only.

pub(crate) mod addressing;
pub(crate) mod checksum;
pub(crate) mod config;
pub(crate) mod confirm;
pub(crate) mod core;
pub(crate) mod dialect;
pub(crate) mod error;
pub(crate) mod head;
pub(crate) mod integrity;
pub(crate) mod lister;
pub(crate) mod multipart;
pub(crate) mod presign;
pub(crate) mod ranged;
pub(crate) mod reader;
pub(crate) mod signing_key;
pub(crate) mod storage;
pub(crate) mod transport;
pub(crate) mod upload_session;
pub(crate) mod vocabulary;
pub(crate) mod writer;
