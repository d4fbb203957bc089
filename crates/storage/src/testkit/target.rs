//! [`Target`]: a storage under test, the HTTP client that fetches its URLs, and whatever
//! must live as long as the check.

use std::any::Any;
use std::sync::Arc;

use crate::meta::StorageMeta;

/// A storage under test, the HTTP client that fetches its URLs, and whatever must live as
/// long as the test (temp dirs, servers).
pub struct Target {
    /// The storage, as callers get it (ideally loaded through an `App`).
    pub storage: Arc<dyn StorageMeta>,
    /// Fetches signed URLs (give one with DNS overrides for virtual-host styles).
    pub http: reqwest::Client,
    guards: Vec<Box<dyn Any + Send + Sync>>,
}

impl Target {
    /// A target with a default HTTP client.
    pub fn new(storage: Arc<dyn StorageMeta>) -> Self {
        Self {
            storage,
            http: reqwest::Client::new(),
            guards: Vec::new(),
        }
    }

    /// Uses this HTTP client for signed URLs.
    pub fn with_http(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Keeps `guard` alive for the duration of the check.
    pub fn keep(mut self, guard: impl Any + Send + Sync) -> Self {
        self.guards.push(Box::new(guard));
        self
    }
}
