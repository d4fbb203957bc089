//! The element's business configuration (`storages/<Name>/<Name>.json`, camelCase):
//! [`OssConfig`] as written, and the checked [`OssSettings`] the client runs on (scheme,
//! hosts and addressing style, signature version and region, limits).

use std::fmt;
use std::time::Duration;

use jit_oss_protocol::{region_from_endpoint, Secret, SignatureVersion};
use serde::{Deserialize, Deserializer};

/// Default size above which uploads go multipart: 64 MiB.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;
/// Default multipart part size: 8 MiB.
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;
/// Smallest part OSS accepts (except the last): 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;
/// Largest part OSS accepts: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Default number of multipart parts uploaded at once: 2.
pub const DEFAULT_MULTIPART_CONCURRENCY: usize = 2;
/// Most multipart parts uploaded at once: 16.
pub const MAX_MULTIPART_CONCURRENCY: usize = 16;
/// Default number of retries of a failed, replayable request.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default connect and read (idle) timeout.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 60;

/// The configuration of an OSS storage element, as written in `<Name>.json`.
///
/// `Debug` never shows the secret or the security token (they are [`Secret`]s).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OssConfig {
    /// AccessKey id (required).
    #[serde(default)]
    pub access_key_id: String,
    /// AccessKey secret (required).
    #[serde(default, deserialize_with = "secret")]
    pub access_key_secret: Secret,
    /// Endpoint, e.g. `oss-cn-hangzhou.aliyuncs.com`; a `http://` or `https://` prefix
    /// overrides [`OssConfig::secure`] (required).
    #[serde(default)]
    pub end_point: String,
    /// Bucket name (required).
    #[serde(default)]
    pub bucket_name: String,
    /// V4 signing region; derived from the endpoint when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// STS security token, for temporary credentials.
    #[serde(default, deserialize_with = "optional_secret")]
    pub security_token: Option<Secret>,
    /// `"v4"` (default) or `"v1"`.
    #[serde(default)]
    pub signature_version: Option<String>,
    /// HTTPS (default `true`) unless the endpoint names its scheme.
    #[serde(default)]
    pub secure: Option<bool>,
    /// A domain bound to the bucket (CNAME): requests and URLs use it, with no bucket in
    /// the host or path.
    #[serde(default)]
    pub custom_domain: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`), for local OSS-compatible servers.
    #[serde(default)]
    pub path_style: Option<bool>,
    /// Connect and read (idle) timeout in seconds; default 60.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// Retries of failed replayable requests; default 3.
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Uploads larger than this go multipart; default 64 MiB.
    #[serde(default)]
    pub multipart_threshold_bytes: Option<u64>,
    /// Multipart part size; default 8 MiB, at least 100 KiB.
    #[serde(default)]
    pub part_size_bytes: Option<u64>,
    /// Multipart parts uploaded at once, 1..=16; default 2. The next part is read from
    /// the payload while earlier ones upload; at most this many parts plus the one
    /// being read are held in memory (`multipartConcurrency + 1` × part size).
    #[serde(default)]
    pub multipart_concurrency: Option<usize>,
}

/// Reads a secret without ever echoing the value in an error (serde's type errors
/// quote the value they saw).
fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(Secret::new(s)),
        serde_json::Value::Null => Ok(Secret::default()),
        _ => Err(serde::de::Error::custom("expected a string")),
    }
}

fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    let s = secret(d)?;
    Ok((!s.expose().is_empty()).then_some(s))
}

/// A configuration problem: the field (camelCase, as written) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssConfigError {
    /// The field, e.g. `bucketName`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for OssConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for OssConfigError {}

fn problem(field: &'static str, message: impl Into<String>) -> OssConfigError {
    OssConfigError {
        field,
        message: message.into(),
    }
}

/// How object URLs are formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressing {
    /// `scheme://bucket.endpoint/key` (what OSS's public endpoints require).
    VirtualHost,
    /// `scheme://endpoint/bucket/key` (local servers).
    PathStyle,
    /// `scheme://domain/key` for a CNAME bound to the bucket.
    CustomDomain(String),
}

/// The checked configuration the client runs on.
#[derive(Clone, Debug)]
pub struct OssSettings {
    /// Bucket name.
    pub bucket: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Endpoint host with optional port, no scheme or path.
    pub endpoint: String,
    /// How URLs are formed.
    pub addressing: Addressing,
    /// Signature algorithm.
    pub signature: SignatureVersion,
    /// V4 region (always set for V4).
    pub region: Option<String>,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Retries of replayable requests.
    pub max_retries: u32,
    /// Multipart above this many bytes.
    pub multipart_threshold: u64,
    /// Part size.
    pub part_size: u64,
    /// Multipart parts in flight at once (1..=16).
    pub multipart_concurrency: usize,
}

/// Splits `https://host:port/` into (`Some("https")`, `host:port`).
/// Whether `host[:port]` names an IPv4 or bracketed IPv6 address.
fn host_is_ip_literal(endpoint: &str) -> bool {
    if let Some(rest) = endpoint.strip_prefix('[') {
        return rest
            .split_once(']')
            .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let host = endpoint.rsplit_once(':').map_or(endpoint, |(h, _)| h);
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

fn split_scheme(
    field: &'static str,
    raw: &str,
) -> Result<(Option<&'static str>, String), OssConfigError> {
    let raw = raw.trim();
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Some("http"), rest),
        Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Some("https"), rest),
        Some((s, _)) => {
            return Err(problem(
                field,
                format!("scheme {s:?} is not supported; use http:// or https://"),
            ))
        }
        None => (None, raw),
    };
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err(problem(
            field,
            "must name a host, e.g. oss-cn-hangzhou.aliyuncs.com",
        ));
    }
    if host.contains(['/', '?', '#', '@', ' ']) {
        return Err(problem(
            field,
            format!("{host:?} must be a host (with optional port), without path, query or user"),
        ));
    }
    Ok((scheme, host.to_ascii_lowercase()))
}

/// OSS bucket names: 3-63 of `a-z0-9-`, not starting or ending with `-`.
fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

impl OssConfig {
    /// Checks the configuration and resolves defaults.
    pub fn validate(&self) -> Result<OssSettings, OssConfigError> {
        if self.access_key_id.trim().is_empty() {
            return Err(problem("accessKeyId", "is required and must not be empty"));
        }
        if self.access_key_secret.expose().is_empty() {
            return Err(problem(
                "accessKeySecret",
                "is required and must not be empty",
            ));
        }
        if self.end_point.trim().is_empty() {
            return Err(problem(
                "endPoint",
                "is required, e.g. oss-cn-hangzhou.aliyuncs.com",
            ));
        }
        if self.bucket_name.trim().is_empty() {
            return Err(problem("bucketName", "is required and must not be empty"));
        }
        let bucket = self.bucket_name.trim().to_string();
        if !valid_bucket_name(&bucket) {
            return Err(problem(
                "bucketName",
                format!("{bucket:?} is not a valid bucket name: use 3-63 of a-z, 0-9 and '-', not starting or ending with '-'"),
            ));
        }
        let (endpoint_scheme, endpoint) = split_scheme("endPoint", &self.end_point)?;
        let default_scheme = if self.secure.unwrap_or(true) {
            "https"
        } else {
            "http"
        };
        let mut scheme = endpoint_scheme.unwrap_or(default_scheme);

        // A bucket cannot be a sub-domain of an IP address: such endpoints (local
        // OSS-compatible servers) are path style unless the config says otherwise.
        let path_style = self
            .path_style
            .unwrap_or_else(|| host_is_ip_literal(&endpoint));
        let addressing = match self.custom_domain.as_deref().map(str::trim) {
            Some(domain) if !domain.is_empty() => {
                if path_style {
                    return Err(problem(
                        "pathStyle",
                        "cannot be combined with customDomain (a custom domain names the bucket by itself)",
                    ));
                }
                let (domain_scheme, host) = split_scheme("customDomain", domain)?;
                if let Some(s) = domain_scheme {
                    scheme = s;
                }
                Addressing::CustomDomain(host)
            }
            _ if path_style => Addressing::PathStyle,
            _ => Addressing::VirtualHost,
        };

        let signature = match self.signature_version.as_deref().map(str::trim) {
            None | Some("") => SignatureVersion::V4,
            Some(v) if v.eq_ignore_ascii_case("v4") => SignatureVersion::V4,
            Some(v) if v.eq_ignore_ascii_case("v1") => SignatureVersion::V1,
            Some(other) => {
                return Err(problem(
                    "signatureVersion",
                    format!("{other:?} is not a signature version; use \"v4\" (default) or \"v1\""),
                ))
            }
        };
        let region = match self.region.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => Some(r.strip_prefix("oss-").unwrap_or(r).to_string()),
            _ => region_from_endpoint(&endpoint),
        };
        if signature == SignatureVersion::V4 && region.is_none() {
            return Err(problem(
                "region",
                format!("V4 signing needs a region and none can be derived from endPoint {endpoint:?}; set \"region\" (e.g. \"cn-hangzhou\") or use \"signatureVersion\": \"v1\""),
            ));
        }

        let timeout = self.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        if timeout == 0 {
            return Err(problem("timeoutSeconds", "must be at least 1"));
        }
        let part_size = self.part_size_bytes.unwrap_or(DEFAULT_PART_SIZE);
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
            return Err(problem(
                "partSizeBytes",
                format!(
                    "{part_size} is outside what OSS accepts ({MIN_PART_SIZE}..={MAX_PART_SIZE})"
                ),
            ));
        }
        let multipart_threshold = self
            .multipart_threshold_bytes
            .unwrap_or(DEFAULT_MULTIPART_THRESHOLD);
        if multipart_threshold == 0 {
            return Err(problem("multipartThresholdBytes", "must be at least 1"));
        }
        let multipart_concurrency = self
            .multipart_concurrency
            .unwrap_or(DEFAULT_MULTIPART_CONCURRENCY);
        if !(1..=MAX_MULTIPART_CONCURRENCY).contains(&multipart_concurrency) {
            return Err(problem(
                "multipartConcurrency",
                format!(
                    "{multipart_concurrency} is outside 1..={MAX_MULTIPART_CONCURRENCY} (parts uploaded at once)"
                ),
            ));
        }
        Ok(OssSettings {
            bucket,
            scheme,
            endpoint,
            addressing,
            signature,
            region,
            timeout: Duration::from_secs(timeout),
            max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            multipart_threshold,
            part_size,
            multipart_concurrency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: serde_json::Value) -> OssConfig {
        serde_json::from_value(json).expect("deserialize")
    }

    fn base() -> serde_json::Value {
        serde_json::json!({
            "accessKeyId": "LTAIexample",
            "accessKeySecret": "s3cr3t-value",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com",
            "bucketName": "my-bucket"
        })
    }

    fn with(field: &str, value: serde_json::Value) -> OssConfig {
        let mut json = base();
        json[field] = value;
        config(json)
    }

    #[test]
    fn defaults() {
        let s = config(base()).validate().unwrap();
        assert_eq!(s.scheme, "https");
        assert_eq!(s.endpoint, "oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(s.addressing, Addressing::VirtualHost);
        assert_eq!(s.signature, SignatureVersion::V4);
        assert_eq!(s.region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(s.max_retries, 3);
        assert_eq!(s.multipart_threshold, 64 << 20);
        assert_eq!(s.part_size, 8 << 20);
        assert_eq!(s.multipart_concurrency, 2);
        assert_eq!(s.timeout, Duration::from_secs(60));
    }

    #[test]
    fn required_fields_are_named() {
        for field in ["accessKeyId", "accessKeySecret", "endPoint", "bucketName"] {
            let mut json = base();
            json.as_object_mut().unwrap().remove(field);
            assert_eq!(config(json).validate().unwrap_err().field, field);
            let err = with(field, serde_json::json!("")).validate().unwrap_err();
            assert_eq!(err.field, field);
            assert!(err.to_string().contains(field), "{err}");
        }
        let err = with("bucketName", "Bad_Name".into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "bucketName");
    }

    #[test]
    fn regions_are_derived_or_required() {
        let s = with(
            "endPoint",
            "https://oss-cn-beijing-internal.aliyuncs.com/".into(),
        )
        .validate()
        .unwrap();
        assert_eq!(s.region.as_deref(), Some("cn-beijing"));
        assert_eq!(s.endpoint, "oss-cn-beijing-internal.aliyuncs.com");

        let err = with("endPoint", "127.0.0.1:9000".into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "region");
        assert!(err.message.contains("region"), "{err}");

        let mut json = base();
        json["endPoint"] = "127.0.0.1:9000".into();
        json["region"] = "oss-cn-shenzhen".into();
        assert_eq!(
            config(json).validate().unwrap().region.as_deref(),
            Some("cn-shenzhen")
        );

        // V1 needs no region.
        let mut json = base();
        json["endPoint"] = "127.0.0.1:9000".into();
        json["signatureVersion"] = "v1".into();
        let s = config(json).validate().unwrap();
        assert_eq!(s.signature, SignatureVersion::V1);
        assert_eq!(s.region, None);
    }

    #[test]
    fn schemes_and_addressing() {
        let s = with("secure", false.into()).validate().unwrap();
        assert_eq!(s.scheme, "http");
        let mut json = base();
        json["secure"] = false.into();
        json["endPoint"] = "https://oss-cn-hangzhou.aliyuncs.com".into();
        assert_eq!(config(json).validate().unwrap().scheme, "https");
        let s = with("endPoint", "http://oss-cn-hangzhou.aliyuncs.com".into())
            .validate()
            .unwrap();
        assert_eq!(s.scheme, "http");

        let s = with("pathStyle", true.into()).validate().unwrap();
        assert_eq!(s.addressing, Addressing::PathStyle);
        let local = |endpoint: &str| {
            let mut json = base();
            json["endPoint"] = endpoint.into();
            json["region"] = "cn-hangzhou".into();
            json
        };
        for ip_endpoint in ["http://127.0.0.1:9000", "10.0.0.1", "[::1]:9000"] {
            let s = config(local(ip_endpoint)).validate().unwrap();
            assert_eq!(s.addressing, Addressing::PathStyle, "{ip_endpoint}");
        }
        let mut json = local("http://127.0.0.1:9000");
        json["pathStyle"] = false.into();
        assert_eq!(
            config(json).validate().unwrap().addressing,
            Addressing::VirtualHost
        );
        let s = config(local("localhost:9000")).validate().unwrap();
        assert_eq!(s.addressing, Addressing::VirtualHost);
        let s = with("customDomain", "http://Static.Example.com".into())
            .validate()
            .unwrap();
        assert_eq!(
            s.addressing,
            Addressing::CustomDomain("static.example.com".into())
        );
        assert_eq!(s.scheme, "http");

        let mut json = base();
        json["customDomain"] = "cdn.example.com".into();
        json["pathStyle"] = true.into();
        assert_eq!(config(json).validate().unwrap_err().field, "pathStyle");
        let err = with("endPoint", "ftp://x.example.com".into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "endPoint");
        let err = with("endPoint", "host.example.com/path".into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "endPoint");
    }

    #[test]
    fn limits_are_checked() {
        let err = with("partSizeBytes", 1024.into()).validate().unwrap_err();
        assert_eq!(err.field, "partSizeBytes");
        let err = with("multipartThresholdBytes", 0.into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "multipartThresholdBytes");
        let err = with("signatureVersion", "v3".into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "signatureVersion");
        let err = with("timeoutSeconds", 0.into()).validate().unwrap_err();
        assert_eq!(err.field, "timeoutSeconds");
        for bad in [0, 17, 1000] {
            let err = with("multipartConcurrency", bad.into())
                .validate()
                .unwrap_err();
            assert_eq!(err.field, "multipartConcurrency", "{bad}");
            assert!(err.to_string().contains("1..=16"), "{err}");
        }
        for good in [1, 4, 16] {
            let s = with("multipartConcurrency", good.into())
                .validate()
                .unwrap();
            assert_eq!(s.multipart_concurrency, good);
        }
    }

    #[test]
    fn secrets_never_print() {
        let mut json = base();
        json["securityToken"] = "sts-token-value".into();
        let c = config(json);
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("sts-token-value"), "{shown}");
        assert!(shown.contains("LTAIexample"));
        let s = c.validate().unwrap();
        assert!(!format!("{s:?}").contains("s3cr3t-value"));

        // A secret of the wrong JSON type is refused without quoting it.
        let mut json = base();
        json["accessKeySecret"] = 123456789.into();
        let err = serde_json::from_value::<OssConfig>(json).unwrap_err();
        assert!(!err.to_string().contains("123456789"), "{err}");
    }
}
