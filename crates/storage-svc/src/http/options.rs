//! [`RouterOptions`]: the access hook, the CORS origins, the upload size cap and where
//! uploads are spooled; and the CORS layer built from the origins.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::auth::{AccessHook, AllowAll};
use crate::error::{SvcError, SvcErrorKind, SvcResult};

/// The default upload size cap: 1 GiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 1 << 30;

/// How the router behaves.
#[derive(Clone)]
#[non_exhaustive]
pub struct RouterOptions {
    /// Who may upload, sign and delete ([`AllowAll`] by default).
    pub hook: Arc<dyn AccessHook>,
    /// Origins allowed to call the service from a browser: exact origins
    /// (`http://127.0.0.1:8080`) or `*`; none (the default): no CORS headers.
    pub cors_origins: Vec<String>,
    /// The largest file uploadByFile accepts (HTTP 413 above it); 1 GiB by default.
    pub max_upload_bytes: u64,
    /// Where uploads are spooled before they are stored; the system's temporary folder
    /// when `None`.
    pub upload_dir: Option<PathBuf>,
}

impl Default for RouterOptions {
    fn default() -> Self {
        RouterOptions {
            hook: Arc::new(AllowAll),
            cors_origins: Vec::new(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            upload_dir: None,
        }
    }
}

impl std::fmt::Debug for RouterOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterOptions")
            .field("hook", &"dyn AccessHook")
            .field("cors_origins", &self.cors_origins)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("upload_dir", &self.upload_dir)
            .finish()
    }
}

impl RouterOptions {
    /// Decides writes with `hook`.
    pub fn with_hook(mut self, hook: impl AccessHook + 'static) -> Self {
        self.hook = Arc::new(hook);
        self
    }

    /// Allows `origin` (an exact origin or `*`) to call the service from a browser.
    pub fn with_cors_origin(mut self, origin: impl Into<String>) -> Self {
        self.cors_origins.push(origin.into());
        self
    }

    /// Caps uploads at `bytes`.
    pub fn with_max_upload_bytes(mut self, bytes: u64) -> Self {
        self.max_upload_bytes = bytes;
        self
    }

    /// Spools uploads under `dir`.
    pub fn with_upload_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.upload_dir = Some(dir.into());
        self
    }

    /// Checks the options: every CORS origin is `*` or `scheme://host[:port]`.
    pub fn validate(&self) -> SvcResult<()> {
        for origin in &self.cors_origins {
            if !origin_is_valid(origin) {
                return Err(SvcError::new(
                    SvcErrorKind::Config,
                    "router",
                    format!(
                        "CORS origin {origin:?} is neither * nor scheme://host[:port] \
                         (e.g. http://127.0.0.1:8080)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The CORS layer, if any origin is allowed (invalid origins are left out with a
    /// warning; [`RouterOptions::validate`] refuses them).
    pub(crate) fn cors_layer(&self) -> Option<CorsLayer> {
        if self.cors_origins.is_empty() {
            return None;
        }
        let allow = if self.cors_origins.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            let origins: Vec<HeaderValue> = self
                .cors_origins
                .iter()
                .filter(|o| {
                    let ok = origin_is_valid(o);
                    if !ok {
                        tracing::warn!("StorageSvc: CORS origin {o:?} ignored: not an origin");
                    }
                    ok
                })
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect();
            AllowOrigin::list(origins)
        };
        Some(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([Method::GET, Method::HEAD, Method::POST])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    header::RANGE,
                    header::IF_NONE_MATCH,
                ])
                .expose_headers([
                    header::ETAG,
                    header::CONTENT_RANGE,
                    header::CONTENT_DISPOSITION,
                    header::CONTENT_LENGTH,
                    header::ACCEPT_RANGES,
                ])
                .max_age(Duration::from_secs(600)),
        )
    }
}

/// `*`, or `http(s)://host[:port]` with no path, query, user or trailing slash.
fn origin_is_valid(origin: &str) -> bool {
    if origin == "*" {
        return true;
    }
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        for ok in [
            "*",
            "http://127.0.0.1:8080",
            "https://example.com",
            "http://[::1]:80",
        ] {
            assert!(origin_is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "127.0.0.1",
            "http://",
            "http://a/",
            "http://a/b",
            "ftp://a",
            "http://u@a",
        ] {
            assert!(!origin_is_valid(bad), "{bad}");
        }
        let e = RouterOptions::default()
            .with_cors_origin("http://a/x")
            .validate()
            .unwrap_err();
        assert!(e.message().contains("http://a/x"), "{e}");
    }
}
