//! [`Ctx`]: what a handler knows about the request besides its body (state, method,
//! headers, decoded query, host, what the signature established), with helpers.

use axum::http::{HeaderMap, Method};
use jit_oss_protocol::s3::S3Verified;
use jit_oss_server::shared::request::{header_text, query_has, query_value};
use jit_oss_server::store::Store;

use crate::error::{S3Error, S3Result};
use crate::state::AppState;

/// What a handler knows about the request besides its body.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Shared server state.
    pub state: &'a AppState,
    /// HTTP method.
    pub method: &'a Method,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Decoded query pairs in order.
    pub query: &'a [(String, String)],
    /// The Host the client used.
    pub host: &'a str,
    /// The verified signature; `None` for an allowed anonymous request.
    pub verified: Option<&'a S3Verified>,
}

impl Ctx<'_> {
    /// The store.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// First query value of `name`.
    pub fn q(&self, name: &str) -> Option<&str> {
        query_value(self.query, name)
    }

    /// Whether the query has `name` (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        query_has(self.query, name)
    }

    /// A request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_text(self.headers, name)
    }

    /// `encoding-type`: `true` for `url`, InvalidArgument for anything but nothing.
    pub fn url_encoding(&self) -> S3Result<bool> {
        match self.q("encoding-type") {
            None | Some("") => Ok(false),
            Some(t) if t.eq_ignore_ascii_case("url") => Ok(true),
            Some(other) => Err(S3Error::invalid_argument(
                "Invalid Encoding Method specified in Request",
                "encoding-type",
                other,
            )),
        }
    }

    /// A decimal query parameter with a default, capped at `max` (S3 caps rather
    /// than refuses); InvalidArgument if not a number.
    pub fn count(&self, name: &str, default: usize, max: usize) -> S3Result<usize> {
        match self.q(name) {
            None | Some("") => Ok(default),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(|n| (n as u64).min(max as u64) as usize)
                .ok_or_else(|| {
                    S3Error::invalid_argument(
                        format!("Provided {name} not an integer or within integer range"),
                        name,
                        text,
                    )
                }),
        }
    }

    /// Whether `x-amz-checksum-mode: ENABLED` was sent.
    pub fn checksum_mode(&self) -> bool {
        self.header("x-amz-checksum-mode")
            .is_some_and(|v| v.eq_ignore_ascii_case("enabled"))
    }
}
