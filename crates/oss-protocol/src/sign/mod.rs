//! Request signing for OSS, independent of any HTTP library.
//!
//! A [`SignRequest`] describes what gets signed: method, bucket, raw (unencoded) key,
//! raw query pairs and lower-case headers. [`v1`] and [`v4`] add the signature to it,
//! either as an `Authorization` header or as presigned query parameters; the caller
//! then builds the real HTTP request from it ([`SignRequest::query_string`],
//! [`SignRequest::object_path`]). The clock is always passed in.

mod dates;
mod region;
mod request;
pub mod v1;
pub mod v4;

pub use dates::{
    format_http_date, format_v4_datetime, parse_http_date, parse_v4_datetime, unix_seconds,
};
pub use region::region_from_endpoint;
pub(crate) use request::is_header_name;
pub use request::{RequestView, SignError, SignRequest, SignatureVersion};
