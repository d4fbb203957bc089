//! Addressing: which bucket and key a request names, from its Host and path.
//!
//! - Path style: `http://127.0.0.1:PORT/bucket/key` (any IP host, or a host listed
//!   in [`crate::ServerConfig::service_domains`], or a host without dots).
//! - Virtual-hosted style: `http://bucket.localhost:PORT/key`: a sub-domain of a
//!   service domain, or any other dotted non-IP host, whose first label is the bucket.
//!
//! The key comes percent-encoded in the path and is decoded here (`+` stays a plus);
//! the query string is decoded into ordered `(name, value)` pairs. The Host and path
//! rules are [`crate::shared::addressing`]'s; the key rules and errors are OSS's.

use crate::error::{OssError, OssResult};
pub use crate::shared::addressing::{decode, Target};

/// Longest key OSS accepts, in bytes.
pub const MAX_KEY_BYTES: usize = 1023;

/// Checks that `key` is an acceptable object name: at most 1023 bytes, not starting
/// with `/` or `\`, and without control characters (C0, DEL, C1: a CR or LF in a key
/// would break the lines of V1's StringToSign and of listings' text, and no client can
/// type a NUL), else InvalidObjectName.
pub fn check_key(key: &str) -> OssResult<()> {
    if key.len() > MAX_KEY_BYTES {
        return Err(OssError::invalid_object_name(
            "The object name is longer than 1023 bytes.",
        ));
    }
    if key.starts_with('/') || key.starts_with('\\') {
        return Err(OssError::invalid_object_name(
            "The object name must not start with '/' or '\\'.",
        ));
    }
    if let Some(c) = key.chars().find(|c| c.is_control()) {
        return Err(OssError::invalid_object_name(format!(
            "The object name must not contain control characters (found U+{:04X}).",
            c as u32
        )));
    }
    Ok(())
}

/// Resolves the bucket and key of a request.
pub fn resolve(
    host: Option<&str>,
    raw_path: &str,
    service_domains: &[String],
) -> OssResult<Target> {
    crate::shared::addressing::resolve_with(host, raw_path, service_domains, |raw| {
        let key = decode(raw)
            .ok_or_else(|| OssError::invalid_object_name("The object name is not valid UTF-8."))?;
        check_key(&key)?;
        Ok(key)
    })
}

/// Decodes a raw query string into ordered pairs as the verifier expects them
/// (`+` is a space, a bare `acl` is `("acl", "")`).
pub fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(jit_oss_protocol::encode::parse_query)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Vec<String> {
        vec!["localhost".to_owned()]
    }

    #[test]
    fn ip_hosts_are_path_style() {
        let t = resolve(Some("127.0.0.1:8080"), "/bkt/a%20b/c", &domains()).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("bkt"));
        assert_eq!(t.key.as_deref(), Some("a b/c"));
        assert!(!t.virtual_hosted);
        let t = resolve(Some("[::1]:9000"), "/bkt", &domains()).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("bkt"));
        assert_eq!(t.key, None);
    }

    #[test]
    fn localhost_is_path_style_and_subdomains_virtual() {
        let t = resolve(Some("localhost:1"), "/bkt/k", &domains()).unwrap();
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("bkt"), Some("k"))
        );
        let t = resolve(Some("bkt.localhost:1"), "/dir/k%2B1", &domains()).unwrap();
        assert!(t.virtual_hosted);
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("bkt"), Some("dir/k+1"))
        );
        let t = resolve(Some("bkt.localhost"), "/", &domains()).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("bkt"), None));
    }

    #[test]
    fn other_dotted_hosts_are_virtual() {
        let t = resolve(Some("bkt.oss-cn-hangzhou.aliyuncs.com"), "/k", &domains()).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("bkt"));
        let listed = vec!["oss-cn-hangzhou.aliyuncs.com".to_owned()];
        let t = resolve(Some("oss-cn-hangzhou.aliyuncs.com"), "/", &listed).unwrap();
        assert_eq!(t.bucket, None);
    }

    #[test]
    fn root_path_has_no_bucket() {
        let t = resolve(Some("127.0.0.1:1"), "/", &domains()).unwrap();
        assert_eq!(t.bucket, None);
        assert_eq!(t.key, None);
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(resolve(Some("127.0.0.1"), "/b/%FF", &domains()).is_err());
        let long = "a".repeat(1024);
        assert!(resolve(Some("127.0.0.1"), &format!("/b/{long}"), &domains()).is_err());
        for control in ["%00", "%0A", "%0D", "%09", "%7F", "%C2%85"] {
            let err = resolve(Some("127.0.0.1"), &format!("/b/a{control}b"), &domains())
                .expect_err(control);
            assert_eq!(err.code, "InvalidObjectName", "{control}");
        }
    }

    #[test]
    fn query_keeps_order_and_bare_names() {
        let q = parse_query(Some("uploadId=X&partNumber=2&acl&prefix=a%2Fb%2Bc+d"));
        assert_eq!(
            q,
            vec![
                ("uploadId".to_owned(), "X".to_owned()),
                ("partNumber".to_owned(), "2".to_owned()),
                ("acl".to_owned(), String::new()),
                ("prefix".to_owned(), "a/b+c d".to_owned()),
            ]
        );
    }
}
