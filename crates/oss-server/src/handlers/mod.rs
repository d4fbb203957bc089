//! Request handlers, one module per API group ([`object`], [`bucket`], [`multipart`]),
//! and what they share, each in its own file: the request context ([`context`]),
//! receiving a body into the store while hashing it ([`body`], with the MD5 of large
//! bodies on a thread of its own: [`md5_worker`]), the metadata an upload
//! carries ([`request_meta`]), building responses and object headers ([`response`]) and
//! the helpers of the listings ([`listing`]).

pub mod body;
pub mod bucket;
pub mod context;
pub mod listing;
pub mod md5_worker;
pub mod multipart;
pub mod object;
pub mod request_meta;
pub mod response;
