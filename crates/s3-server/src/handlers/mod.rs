//! Request handlers, one module per API group ([`object`], [`bucket`] for buckets and
//! listings, [`delete`] for DeleteObjects, [`multipart`]), and what they share: the
//! request context ([`context`]), receiving and checking bodies ([`body`]) and building
//! responses and object headers ([`response`]).

pub mod body;
pub mod bucket;
pub mod context;
pub mod delete;
pub mod multipart;
pub mod object;
pub mod response;
