//! The engine: everything an object-store storage element does that is not one
//! protocol's own (request assembly and attempts, transport, reads, writes, multipart
//! uploads, listings, presigned URLs, integrity, errors). An index only.

pub(crate) mod confirm;
pub(crate) mod core;
pub(crate) mod credentials;
pub(crate) mod error;
pub(crate) mod head;
pub(crate) mod integrity;
pub(crate) mod lister;
pub(crate) mod multipart;
pub(crate) mod presign;
pub(crate) mod ranged;
pub(crate) mod reader;
pub(crate) mod transfer_limits;
pub(crate) mod transport;
pub(crate) mod upload_session;
pub(crate) mod writer;
