//! The checked configuration: [`OssConfig::validate`] turns an [`OssConfig`] into the
//! [`OssSettings`] the client runs on (credentials, scheme, host and addressing style,
//! signature version and region, timeout, retry policy, transfer limits), or an
//! [`OssConfigError`] naming the key at fault. It is the one place values are checked.

use std::fmt;
use std::time::Duration;

use jit_oss_protocol::{region_from_endpoint, SignatureVersion};
use jit_storage::retry::RetryPolicy;
use jit_storage::{StorageError, StorageErrorKind};

use crate::engine::credentials::{self, CredentialsSetting};
use crate::engine::transfer_limits;
use crate::oss::config::{
    OssConfig, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS,
    DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES_LIMIT, RETRY_MAX_MS_LIMIT,
};

/// A configuration problem: the key (camelCase, as written) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssConfigError {
    /// The key, e.g. `bucketName`.
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

impl From<OssConfigError> for StorageError {
    /// An [`InvalidConfig`](StorageErrorKind::InvalidConfig) error naming the key.
    fn from(err: OssConfigError) -> Self {
        StorageError::new(StorageErrorKind::InvalidConfig, err.to_string()).with_source(err)
    }
}

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

/// The checked configuration the client runs on. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct OssSettings {
    /// Where credentials come from: the config's access key pair and STS token
    /// (trimmed), the environment, or the host's provider. They are asked for at every
    /// attempt.
    pub credentials: CredentialsSetting,
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
    /// Connect timeout, and how long a request or response may make no progress.
    pub timeout: Duration,
    /// How requests whose body can be sent again are retried (`maxRetries`,
    /// `retryBaseMs`, `retryMaxMs`, `retryDeadlineSeconds`).
    pub retry: RetryPolicy,
    /// Multipart above this many bytes.
    pub multipart_threshold: u64,
    /// Part size.
    pub part_size: u64,
    /// Multipart parts in flight at once (1..=16).
    pub multipart_concurrency: usize,
    /// Ranges of a whole-object read fetched at once (1..=16; 1 is one GET).
    pub download_concurrency: usize,
    /// Range size of a read in parallel ranges.
    pub download_part_size: u64,
}

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

/// Splits `https://Host:port/` into (`Some("https")`, `host:port`), refusing other
/// schemes, paths, queries and user info.
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
    /// Checks the configuration and resolves defaults: the only place values are
    /// checked (the factory and [`OssStorage::new`](crate::OssStorage::new) both build
    /// from its result).
    pub fn validate(&self) -> Result<OssSettings, OssConfigError> {
        let credentials = self.credentials_setting()?;
        if self.end_point.trim().is_empty() {
            return Err(problem(
                "endPoint",
                "is required, e.g. oss-cn-hangzhou.aliyuncs.com",
            ));
        }
        let bucket = self.bucket_name.trim().to_string();
        if bucket.is_empty() {
            return Err(problem("bucketName", "is required and must not be empty"));
        }
        if !valid_bucket_name(&bucket) {
            return Err(problem(
                "bucketName",
                format!("{bucket:?} is not a valid bucket name: use 3-63 of a-z, 0-9 and '-', not starting or ending with '-'"),
            ));
        }
        let (scheme, endpoint, addressing) = self.addressing()?;
        let signature = self.signature_version;
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
        let transfers = transfer_limits::check(self).map_err(|(field, m)| problem(field, m))?;
        Ok(OssSettings {
            credentials,
            bucket,
            scheme,
            endpoint,
            addressing,
            signature,
            region,
            timeout: Duration::from_secs(timeout),
            retry: self.retry_policy()?,
            multipart_threshold: transfers.multipart_threshold,
            part_size: transfers.part_size,
            multipart_concurrency: transfers.multipart_concurrency,
            download_concurrency: transfers.download_concurrency,
            download_part_size: transfers.download_part_size,
        })
    }

    /// `credentials`, `accessKeyId`, `accessKeySecret` and `securityToken`.
    fn credentials_setting(&self) -> Result<CredentialsSetting, OssConfigError> {
        credentials::setting(
            self.credentials,
            &self.access_key_id,
            &self.access_key_secret,
            self.security_token.as_ref(),
        )
        .map_err(|(field, message)| problem(field, message))
    }

    /// The scheme, endpoint host and addressing style from `endPoint`, `secure`,
    /// `pathStyle` and `customDomain`.
    fn addressing(&self) -> Result<(&'static str, String, Addressing), OssConfigError> {
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
        Ok((scheme, endpoint, addressing))
    }

    /// The retry policy from `maxRetries`, `retryBaseMs`, `retryMaxMs` and
    /// `retryDeadlineSeconds`.
    fn retry_policy(&self) -> Result<RetryPolicy, OssConfigError> {
        let max_retries = self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
        if max_retries > MAX_RETRIES_LIMIT {
            return Err(problem(
                "maxRetries",
                format!("{max_retries} is more than {MAX_RETRIES_LIMIT}"),
            ));
        }
        let base_ms = self.retry_base_ms.unwrap_or(DEFAULT_RETRY_BASE_MS);
        if base_ms == 0 {
            return Err(problem("retryBaseMs", "must be at least 1"));
        }
        let max_ms = self.retry_max_ms.unwrap_or(DEFAULT_RETRY_MAX_MS);
        if max_ms > RETRY_MAX_MS_LIMIT {
            return Err(problem(
                "retryMaxMs",
                format!("{max_ms} is more than {RETRY_MAX_MS_LIMIT} (10 minutes)"),
            ));
        }
        if max_ms < base_ms {
            let which = if self.retry_base_ms.is_some() {
                "retryBaseMs"
            } else {
                "retryMaxMs"
            };
            return Err(problem(
                which,
                format!("retryBaseMs ({base_ms}) must not exceed retryMaxMs ({max_ms})"),
            ));
        }
        let deadline = match self.retry_deadline_seconds {
            None | Some(0) => None,
            Some(secs) => Some(Duration::from_secs(secs)),
        };
        Ok(RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(max_ms),
            deadline,
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
        assert_eq!(s.retry, RetryPolicy::default());
        assert_eq!(s.multipart_threshold, 64 << 20);
        assert_eq!(s.part_size, 8 << 20);
        assert_eq!(s.multipart_concurrency, 2);
        assert_eq!(s.download_concurrency, 1);
        assert_eq!(s.download_part_size, 8 << 20);
        assert_eq!(s.timeout, Duration::from_secs(60));
        assert!(
            matches!(&s.credentials, CredentialsSetting::Static(c) if c.access_key_id == "LTAIexample")
        );
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
        let s = with("accessKeyId", " LTAIpadded ".into())
            .validate()
            .unwrap();
        assert!(
            matches!(&s.credentials, CredentialsSetting::Static(c) if c.access_key_id == "LTAIpadded")
        );
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
        json["signatureVersion"] = "V1".into();
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
        // The transfer keys are `transfer_limits`'; an error names the key.
        let err = with("partSizeBytes", 1024.into()).validate().unwrap_err();
        assert_eq!(err.field, "partSizeBytes");
        let err = with("downloadConcurrency", 17.into())
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "downloadConcurrency");
        assert!(err.to_string().contains("1..=16"), "{err}");
        let err = with("timeoutSeconds", 0.into()).validate().unwrap_err();
        assert_eq!(err.field, "timeoutSeconds");
    }

    #[test]
    fn retry_keys_become_the_policy() {
        let mut json = base();
        json["maxRetries"] = 5.into();
        json["retryBaseMs"] = 20.into();
        json["retryMaxMs"] = 1500.into();
        json["retryDeadlineSeconds"] = 30.into();
        assert_eq!(
            config(json).validate().unwrap().retry,
            RetryPolicy {
                max_retries: 5,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(1500),
                deadline: Some(Duration::from_secs(30)),
            }
        );
        // 0 retries, and a deadline of 0, are "none".
        let s = with("maxRetries", 0.into()).validate().unwrap();
        assert_eq!(s.retry.max_retries, 0);
        let s = with("retryDeadlineSeconds", 0.into()).validate().unwrap();
        assert_eq!(s.retry.deadline, None);
        // Base equal to max is allowed: every wait is capped at once.
        let mut json = base();
        json["retryBaseMs"] = 300.into();
        json["retryMaxMs"] = 300.into();
        assert_eq!(
            config(json).validate().unwrap().retry.ceiling(3),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn retry_keys_are_checked() {
        let field = |json: serde_json::Value| config(json).validate().unwrap_err().field;
        let mut json = base();
        json["maxRetries"] = 101.into();
        assert_eq!(field(json), "maxRetries");
        let mut json = base();
        json["retryBaseMs"] = 0.into();
        assert_eq!(field(json), "retryBaseMs");
        let mut json = base();
        json["retryMaxMs"] = (RETRY_MAX_MS_LIMIT + 1).into();
        assert_eq!(field(json), "retryMaxMs");
        // Base above max: the key written is named (the other one is a default).
        let mut json = base();
        json["retryBaseMs"] = 6000.into();
        assert_eq!(field(json), "retryBaseMs");
        let mut json = base();
        json["retryMaxMs"] = 50.into();
        let err = config(json).validate().unwrap_err();
        assert_eq!(err.field, "retryMaxMs");
        assert!(err.message.contains("(100)"), "{err}");
    }

    #[test]
    fn settings_show_no_secret_and_errors_become_invalid_config() {
        let mut json = base();
        json["securityToken"] = "sts-token-value".into();
        let s = config(json).validate().unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("sts-token-value"), "{shown}");

        let err: StorageError = with("timeoutSeconds", 0.into())
            .validate()
            .unwrap_err()
            .into();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        assert!(err.message().contains("timeoutSeconds"), "{err}");
    }
}
