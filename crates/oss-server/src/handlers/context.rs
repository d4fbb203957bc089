//! [`Ctx`]: what a handler knows about the request besides its body (state, method,
//! headers, decoded query, host), with helpers to read query parameters and headers.

use axum::http::{HeaderMap, Method};

use crate::error::{OssError, OssResult};
use crate::shared::request::{header_text, query_has, query_value};
use crate::state::AppState;
use crate::store::object_store::Store;

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
    /// The Host the client used (for Location and HostId).
    pub host: &'a str,
    /// Whether the bucket was named in the Host header.
    pub virtual_hosted: bool,
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

    /// `encoding-type`: `Some("url")`, `None`, or InvalidArgument for anything else.
    pub fn encoding_type(&self) -> OssResult<Option<String>> {
        match self.q("encoding-type") {
            None | Some("") => Ok(None),
            Some("url") => Ok(Some("url".to_owned())),
            Some(other) => Err(OssError::invalid_argument(
                "The encoding-type must be url.",
                "encoding-type",
                other,
            )),
        }
    }

    /// Whether `x-oss-forbid-overwrite: true` was sent.
    pub fn forbid_overwrite(&self) -> bool {
        self.header("x-oss-forbid-overwrite")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}
