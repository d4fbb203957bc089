//! Addressing: which bucket and key a request names, from its Host and path.
//!
//! - Path style: `http://127.0.0.1:PORT/bucket/key` (any IP host, a host listed in
//!   [`crate::ServerConfig::service_domains`], or a host without dots).
//! - Virtual-hosted style: `http://bucket.localhost:PORT/key`: a sub-domain of a
//!   service domain, or any other dotted non-IP host, whose first label is the bucket.
//!
//! The key comes percent-encoded in the path and is decoded here (`+` stays a plus).
//! The Host and path rules are `jit_oss_server::shared::addressing`'s; the key rules
//! and errors are S3's.

use axum::http::StatusCode;
pub use jit_oss_server::shared::addressing::{decode, Target};

use crate::error::{S3Error, S3Result};

/// Longest key S3 accepts, in bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// Checks a key: at most 1024 bytes of UTF-8 without control characters (they
/// cannot travel in the XML of listings).
pub fn check_key(key: &str) -> S3Result<()> {
    if key.len() > MAX_KEY_BYTES {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "KeyTooLongError",
            "Your key is too long",
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(S3Error::invalid_argument(
            "Object keys must not contain control characters.",
            "key",
            "",
        ));
    }
    Ok(())
}

/// Resolves the bucket and key of a request.
pub fn resolve(host: Option<&str>, raw_path: &str, service_domains: &[String]) -> S3Result<Target> {
    jit_oss_server::shared::addressing::resolve_with(host, raw_path, service_domains, |raw| {
        let key = decode(raw)
            .ok_or_else(|| S3Error::invalid_argument("The key is not valid UTF-8.", "key", raw))?;
        check_key(&key)?;
        Ok(key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Vec<String> {
        vec!["localhost".to_owned()]
    }

    #[test]
    fn path_and_virtual_host_styles() {
        let t = resolve(Some("127.0.0.1:9000"), "/b/dir/a%20b+c", &domains()).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("b"));
        assert_eq!(t.key.as_deref(), Some("dir/a b+c"));
        assert!(!t.virtual_hosted);
        let t = resolve(Some("b.localhost:9000"), "/k", &domains()).unwrap();
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("b"), Some("k"))
        );
        assert!(t.virtual_hosted);
        let t = resolve(Some("localhost:9000"), "/", &domains()).unwrap();
        assert_eq!((t.bucket, t.key), (None, None));
        let t = resolve(Some("localhost:9000"), "/b", &domains()).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("b"), None));
        let t = resolve(Some("b.localhost"), "/", &domains()).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("b"), None));
        let long = format!("/b/{}", "k".repeat(1025));
        assert_eq!(
            resolve(None, &long, &domains()).unwrap_err().code,
            "KeyTooLongError"
        );
    }
}
