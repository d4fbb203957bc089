//! The checked OSS configuration: [`OssConfig::validate`] turns an [`OssConfig`] into
//! the [`OssSettings`] the client runs on (the engine's [`CommonSettings`], and OSS's
//! signature version and region), or an [`OssConfigError`] naming the key at fault. It
//! is the one place values are checked: the common keys by the engine's rules, with
//! OSS's bucket names, part floor, default scheme (`secure`) and addressing (path
//! style for IP endpoints), and the region (derived from the endpoint) in between.

use jit_oss_protocol::{region_from_endpoint, SignatureVersion};

use crate::engine::addressing::host_is_ip_literal;
use crate::engine::config::settings::{problem, CommonSettings, ConfigError, FamilyRules};
use crate::oss::config::{OssConfig, MIN_PART_SIZE};

/// A configuration problem of an OSS element: the key (camelCase, as written) and
/// what is wrong.
pub type OssConfigError = ConfigError;

/// The checked configuration an OSS element runs on. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct OssSettings {
    /// The common keys, checked: credentials, bucket, endpoint and addressing,
    /// timeout, retry policy, transfer limits.
    pub common: CommonSettings,
    /// Signature algorithm.
    pub signature: SignatureVersion,
    /// V4 region (always set for V4).
    pub region: Option<String>,
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
        let rules = FamilyRules {
            service: "OSS",
            example_endpoint: "oss-cn-hangzhou.aliyuncs.com",
            default_endpoint: None,
            default_scheme: if self.secure.unwrap_or(true) {
                "https"
            } else {
                "http"
            },
            // A bucket cannot be a sub-domain of an IP address: such endpoints (local
            // OSS-compatible servers) are path style unless the config says otherwise.
            path_style_default: host_is_ip_literal,
            bucket_name: (
                valid_bucket_name,
                "use 3-63 of a-z, 0-9 and '-', not starting or ending with '-'",
            ),
            min_part_size: MIN_PART_SIZE,
        };
        let signature = self.signature_version;
        let (common, region) = self.common.validate_with(&rules, |endpoint| {
            let region = match self.common.region.as_deref().map(str::trim) {
                Some(r) if !r.is_empty() => Some(r.strip_prefix("oss-").unwrap_or(r).to_string()),
                _ => region_from_endpoint(endpoint),
            };
            if signature == SignatureVersion::V4 && region.is_none() {
                return Err(problem(
                    "region",
                    format!("V4 signing needs a region and none can be derived from endPoint {endpoint:?}; set \"region\" (e.g. \"cn-hangzhou\") or use \"signatureVersion\": \"v1\""),
                ));
            }
            Ok(region)
        })?;
        Ok(OssSettings {
            common,
            signature,
            region,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::addressing::Addressing;
    use crate::engine::config::credentials::CredentialsSetting;
    use jit_storage::retry::RetryPolicy;
    use jit_storage::{StorageError, StorageErrorKind};
    use std::time::Duration;

    const RETRY_MAX_MS_LIMIT: u64 = crate::engine::config::common::RETRY_MAX_MS_LIMIT;

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
        assert_eq!(s.common.scheme, "https");
        assert_eq!(s.common.endpoint, "oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(s.common.addressing, Addressing::VirtualHost);
        assert_eq!(s.signature, SignatureVersion::V4);
        assert_eq!(s.region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(s.common.retry, RetryPolicy::default());
        assert_eq!(s.common.multipart_threshold, 64 << 20);
        assert_eq!(s.common.part_size, 8 << 20);
        assert_eq!(s.common.multipart_concurrency, 2);
        assert_eq!(s.common.download_concurrency, 1);
        assert_eq!(s.common.download_part_size, 8 << 20);
        assert_eq!(s.common.timeout, Duration::from_secs(60));
        assert!(
            matches!(&s.common.credentials, CredentialsSetting::Static(c) if c.access_key_id == "LTAIexample")
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
            matches!(&s.common.credentials, CredentialsSetting::Static(c) if c.access_key_id == "LTAIpadded")
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
        assert_eq!(s.common.endpoint, "oss-cn-beijing-internal.aliyuncs.com");

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
        assert_eq!(s.common.scheme, "http");
        let mut json = base();
        json["secure"] = false.into();
        json["endPoint"] = "https://oss-cn-hangzhou.aliyuncs.com".into();
        assert_eq!(config(json).validate().unwrap().common.scheme, "https");
        let s = with("endPoint", "http://oss-cn-hangzhou.aliyuncs.com".into())
            .validate()
            .unwrap();
        assert_eq!(s.common.scheme, "http");

        let s = with("pathStyle", true.into()).validate().unwrap();
        assert_eq!(s.common.addressing, Addressing::PathStyle);
        let local = |endpoint: &str| {
            let mut json = base();
            json["endPoint"] = endpoint.into();
            json["region"] = "cn-hangzhou".into();
            json
        };
        for ip_endpoint in ["http://127.0.0.1:9000", "10.0.0.1", "[::1]:9000"] {
            let s = config(local(ip_endpoint)).validate().unwrap();
            assert_eq!(s.common.addressing, Addressing::PathStyle, "{ip_endpoint}");
        }
        let mut json = local("http://127.0.0.1:9000");
        json["pathStyle"] = false.into();
        assert_eq!(
            config(json).validate().unwrap().common.addressing,
            Addressing::VirtualHost
        );
        let s = config(local("localhost:9000")).validate().unwrap();
        assert_eq!(s.common.addressing, Addressing::VirtualHost);
        let s = with("customDomain", "http://Static.Example.com".into())
            .validate()
            .unwrap();
        assert_eq!(
            s.common.addressing,
            Addressing::CustomDomain("static.example.com".into())
        );
        assert_eq!(s.common.scheme, "http");

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
            config(json).validate().unwrap().common.retry,
            RetryPolicy {
                max_retries: 5,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(1500),
                deadline: Some(Duration::from_secs(30)),
            }
        );
        // 0 retries, and a deadline of 0, are "none".
        let s = with("maxRetries", 0.into()).validate().unwrap();
        assert_eq!(s.common.retry.max_retries, 0);
        let s = with("retryDeadlineSeconds", 0.into()).validate().unwrap();
        assert_eq!(s.common.retry.deadline, None);
        // Base equal to max is allowed: every wait is capped at once.
        let mut json = base();
        json["retryBaseMs"] = 300.into();
        json["retryMaxMs"] = 300.into();
        assert_eq!(
            config(json).validate().unwrap().common.retry.ceiling(3),
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
