//! The checked S3-family configuration: [`S3Config::validate`] turns an [`S3Config`]
//! into the [`S3Settings`] an element runs on (the engine's [`CommonSettings`] and the
//! SigV4 region) for one Type's [`S3Flavour`], or a [`ConfigError`] naming the key at
//! fault. The common keys are checked by the engine's rules with S3's: bucket names,
//! the 5 MiB part floor, the default scheme from `scheme` (an `endPoint` written with
//! `http://` or `https://` wins), the Type's default addressing, AWS's default endpoint
//! `s3.<region>.amazonaws.com`, and the region (required by AwsS3Type).

use crate::engine::config::settings::{problem, CommonSettings, ConfigError, FamilyRules};
use crate::s3::config::{S3Config, S3_MIN_PART_SIZE};
use crate::s3::family::S3Flavour;

/// The checked configuration an S3-family element runs on. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct S3Settings {
    /// The common keys, checked.
    pub common: CommonSettings,
    /// The SigV4 signing region.
    pub region: String,
}

/// S3 bucket names: 3-63 of `a-z0-9.-`, starting and ending with a letter or digit,
/// no `..`, not an IPv4 address, not `xn--…` or `…-s3alias`.
pub(crate) fn valid_bucket_name(name: &str) -> bool {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && edge(name.bytes().next())
        && edge(name.bytes().last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && !name.starts_with("xn--")
        && !name.ends_with("-s3alias")
}

impl S3Config {
    /// Checks the configuration for the Type described by `flavour` and resolves its
    /// defaults: the only place values are checked.
    pub fn validate(&self, flavour: &S3Flavour) -> Result<S3Settings, ConfigError> {
        let default_scheme = match self.scheme.as_deref().map(str::trim) {
            None | Some("") => flavour.default_scheme,
            Some(s) if s.eq_ignore_ascii_case("http") => "http",
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            Some(other) => {
                return Err(problem(
                    "scheme",
                    format!("{other:?} is not a scheme; use \"http\" or \"https\""),
                ))
            }
        };
        let written_region = self
            .common
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if let Some(region) = written_region {
            // Checked first: AWS's default endpoint is made of it.
            if !region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(problem(
                    "region",
                    format!("{region:?} is not a region name (e.g. \"us-east-1\")"),
                ));
            }
        }
        let region = written_region.or(flavour.default_region);
        let default_endpoint = match region {
            Some(region) if flavour.aws_default_endpoint => {
                Some(format!("s3.{region}.amazonaws.com"))
            }
            _ => None,
        };
        let rules = FamilyRules {
            service: flavour.title,
            example_endpoint: flavour.example_endpoint,
            default_endpoint,
            default_scheme,
            path_style_default: flavour.path_style_default,
            bucket_name: (
                valid_bucket_name,
                "use 3-63 of a-z, 0-9, '.' and '-', starting and ending with a letter or digit",
            ),
            min_part_size: S3_MIN_PART_SIZE,
        };
        if flavour.aws_default_endpoint
            && region.is_none()
            && self.common.end_point.trim().is_empty()
        {
            return Err(region_required(flavour));
        }
        let (common, region) = self.common.validate_with(&rules, |_endpoint| {
            let region = region.ok_or_else(|| region_required(flavour))?;
            Ok(region.to_string())
        })?;
        Ok(S3Settings { common, region })
    }
}

fn region_required(flavour: &S3Flavour) -> ConfigError {
    problem(
        "region",
        format!(
            "is required by {} (SigV4 signs with it), e.g. \"us-east-1\"",
            flavour.type_name
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::addressing::Addressing;
    use crate::s3::family::{AWS_S3, CLOUDFLARE_R2, EOS, MINIO};

    fn config(json: serde_json::Value) -> S3Config {
        serde_json::from_value(json).expect("deserialize")
    }

    fn base(extra: serde_json::Value) -> S3Config {
        let mut json = serde_json::json!({
            "accessKeyId": "AKIAEXAMPLE",
            "accessKeySecret": "s3cr3t-value",
            "bucketName": "my-bucket"
        });
        for (k, v) in extra.as_object().unwrap() {
            json[k] = v.clone();
        }
        config(json)
    }

    #[test]
    fn aws_defaults_to_its_regional_endpoint_in_virtual_host_style() {
        let s = base(serde_json::json!({"region": "eu-west-1"}))
            .validate(&AWS_S3)
            .unwrap();
        assert_eq!(s.common.endpoint, "s3.eu-west-1.amazonaws.com");
        assert_eq!(s.common.scheme, "https");
        assert_eq!(s.common.addressing, Addressing::VirtualHost);
        assert_eq!(s.region, "eu-west-1");
        assert_eq!(s.common.part_size, 8 << 20);
        // The region is required, with or without an endpoint.
        let err = base(serde_json::json!({})).validate(&AWS_S3).unwrap_err();
        assert_eq!(err.field, "region");
        assert!(err.message.contains("storages.AwsS3Type"), "{err}");
        let err = base(serde_json::json!({"endPoint": "s3.example.com"}))
            .validate(&AWS_S3)
            .unwrap_err();
        assert_eq!(err.field, "region");
        let err = base(serde_json::json!({"region": "us east"}))
            .validate(&AWS_S3)
            .unwrap_err();
        assert_eq!(err.field, "region");
    }

    #[test]
    fn r2_is_path_style_in_region_auto() {
        let s = base(serde_json::json!({"endPoint": "acct.r2.cloudflarestorage.com"}))
            .validate(&CLOUDFLARE_R2)
            .unwrap();
        assert_eq!(s.region, "auto");
        assert_eq!(s.common.addressing, Addressing::PathStyle);
        assert_eq!(s.common.scheme, "https");
        let err = base(serde_json::json!({}))
            .validate(&CLOUDFLARE_R2)
            .unwrap_err();
        assert_eq!(err.field, "endPoint");
        let s = base(
            serde_json::json!({"endPoint": "acct.r2.cloudflarestorage.com", "pathStyle": false}),
        )
        .validate(&CLOUDFLARE_R2)
        .unwrap();
        assert_eq!(s.common.addressing, Addressing::VirtualHost);
    }

    #[test]
    fn minio_is_http_path_style_and_the_endpoints_scheme_wins() {
        let s = base(serde_json::json!({"endPoint": "minio.local:9000"}))
            .validate(&MINIO)
            .unwrap();
        assert_eq!(s.common.scheme, "http");
        assert_eq!(s.common.endpoint, "minio.local:9000");
        assert_eq!(s.common.addressing, Addressing::PathStyle);
        assert_eq!(s.region, "us-east-1");
        let s = base(serde_json::json!({"endPoint": "minio.local:9000", "scheme": "HTTPS"}))
            .validate(&MINIO)
            .unwrap();
        assert_eq!(s.common.scheme, "https");
        // An endPoint written with its scheme wins over `scheme`.
        let s = base(serde_json::json!({"endPoint": "https://minio.local:9000", "scheme": "http"}))
            .validate(&MINIO)
            .unwrap();
        assert_eq!(s.common.scheme, "https");
        let s = base(serde_json::json!({"endPoint": "http://minio.local", "scheme": "https"}))
            .validate(&MINIO)
            .unwrap();
        assert_eq!(s.common.scheme, "http");
        let err = base(serde_json::json!({"endPoint": "minio.local", "scheme": "ftp"}))
            .validate(&MINIO)
            .unwrap_err();
        assert_eq!(err.field, "scheme");
        let err = base(serde_json::json!({})).validate(&MINIO).unwrap_err();
        assert_eq!(err.field, "endPoint");
        assert!(err.message.contains("minio.example.com:9000"), "{err}");
    }

    #[test]
    fn eos_is_https_virtual_host_except_for_ip_endpoints() {
        let s = base(serde_json::json!({"endPoint": "eos-beijing-1.cmecloud.cn"}))
            .validate(&EOS)
            .unwrap();
        assert_eq!(s.common.scheme, "https");
        assert_eq!(s.common.addressing, Addressing::VirtualHost);
        let s = base(serde_json::json!({"endPoint": "127.0.0.1:9000", "region": "cn-1"}))
            .validate(&EOS)
            .unwrap();
        assert_eq!(s.common.addressing, Addressing::PathStyle);
        assert_eq!(s.region, "cn-1");
    }

    #[test]
    fn s3_rules_for_buckets_and_parts() {
        for good in ["abc", "my.bucket-1", "a".repeat(63).as_str()] {
            assert!(valid_bucket_name(good), "{good}");
        }
        for bad in [
            "ab",
            "My-Bucket",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "abc-s3alias",
            "a_b",
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
        let err = base(serde_json::json!({"region": "us-east-1", "bucketName": "Bad_Name"}))
            .validate(&AWS_S3)
            .unwrap_err();
        assert_eq!(err.field, "bucketName");
        let err = base(serde_json::json!({"region": "us-east-1", "partSizeBytes": 1 << 20}))
            .validate(&AWS_S3)
            .unwrap_err();
        assert_eq!(err.field, "partSizeBytes");
        assert!(err.message.contains("AWS S3 accepts (5242880"), "{err}");
    }

    #[test]
    fn settings_show_no_secret() {
        let s =
            base(serde_json::json!({"region": "us-east-1", "securityToken": "sts-token-value"}))
                .validate(&AWS_S3)
                .unwrap();
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("s3cr3t-value") && !shown.contains("sts-token-value"),
            "{shown}"
        );
    }
}
