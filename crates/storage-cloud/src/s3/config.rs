//! The S3 family's business configuration as written (`storages/<Name>/<Name>.json`,
//! camelCase): [`S3Config`], the [`CommonConfig`] every object-store Type shares plus
//! the family's own key, `scheme`, read from one object with unknown keys refused (the
//! element loader adds "did you mean") and secrets never echoed; S3's part-size floor
//! and AWS's environment variables. The same config serves AwsS3Type, CloudflareR2Type,
//! MinioType and EosType; what differs between them (defaults, region, addressing) is
//! the Type's [`S3Family`](crate::s3::family::S3Family), applied in `settings`.

use serde::de::MapAccess;
use serde::{Deserialize, Deserializer};

use crate::engine::config::common::CommonConfig;
use crate::engine::config::credentials::EnvironmentNames;
use crate::engine::config::keys::{deserialize_flat, TypeKeys};

/// Smallest part S3 accepts (except the last): 5 MiB.
pub const S3_MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// The environment variable holding the access key id.
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// The environment variable holding the secret access key.
pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
/// The environment variable holding the STS session token (optional).
pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";

/// Where `"credentials": "environment"` reads the S3 family's credentials from: AWS's
/// own variables (which MinIO, R2 and EOS tools read too).
pub const S3_ENVIRONMENT: EnvironmentNames = EnvironmentNames {
    access_key_id: AWS_ACCESS_KEY_ID,
    access_key_secret: AWS_SECRET_ACCESS_KEY,
    security_token: AWS_SESSION_TOKEN,
};

/// The configuration of an S3-family storage element (AwsS3Type, CloudflareR2Type,
/// MinioType, EosType), as written in `<Name>.json`: the common keys
/// ([`CommonConfig`]: credentials, `endPoint`, `bucketName`, `region`, addressing,
/// timeout, retries, transfers) and `scheme`.
///
/// Unknown keys are refused; `S3Config::validate` (per Type) checks the values.
/// `Debug` never shows the secret or the security token.
#[derive(Clone, Debug, Default)]
pub struct S3Config {
    /// The keys every object-store Type takes.
    pub common: CommonConfig,
    /// `"http"` or `"https"` when `endPoint` names no scheme; the Type's default
    /// otherwise (MinioType `http`, the others `https`). An `endPoint` written with
    /// `http://` or `https://` wins.
    pub scheme: Option<String>,
}

/// The family's own keys, read beside the common ones.
#[derive(Default)]
struct S3Keys {
    scheme: Option<String>,
}

impl TypeKeys for S3Keys {
    const ALL_KEYS: &'static [&'static str] = &[
        "credentials",
        "accessKeyId",
        "accessKeySecret",
        "endPoint",
        "bucketName",
        "region",
        "scheme",
        "securityToken",
        "customDomain",
        "pathStyle",
        "timeoutSeconds",
        "maxRetries",
        "retryBaseMs",
        "retryMaxMs",
        "retryDeadlineSeconds",
        "multipartThresholdBytes",
        "partSizeBytes",
        "multipartConcurrency",
        "downloadConcurrency",
        "downloadPartBytes",
    ];

    const EXPECTING: &'static str = "struct S3Config";

    fn read_key<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "scheme" => self.scheme = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'de> Deserialize<'de> for S3Config {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (common, own) = deserialize_flat::<D, S3Keys>(d)?;
        Ok(Self {
            common,
            scheme: own.scheme,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> serde_json::Value {
        serde_json::json!({
            "accessKeyId": "AKIAEXAMPLE",
            "accessKeySecret": "s3cr3t-value",
            "bucketName": "my-bucket",
            "region": "us-east-1"
        })
    }

    fn read(field: &str, value: serde_json::Value) -> Result<S3Config, serde_json::Error> {
        let mut json = base();
        json[field] = value;
        serde_json::from_value(json)
    }

    #[test]
    fn the_keys_are_the_common_ones_and_scheme() {
        let mut all: Vec<&str> = CommonConfig::KEYS.to_vec();
        all.push("scheme");
        let mut listed = S3Keys::ALL_KEYS.to_vec();
        all.sort_unstable();
        listed.sort_unstable();
        assert_eq!(all, listed);
        let c = read("scheme", "http".into()).unwrap();
        assert_eq!(c.scheme.as_deref(), Some("http"));
        assert_eq!(c.common.region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = read("secure", true.into()).unwrap_err().to_string();
        assert!(err.contains("unknown field `secure`"), "{err}");
        assert!(err.contains("`scheme`"), "{err}");
        let err = read("signatureVersion", "v4".into()).unwrap_err();
        assert!(err.to_string().contains("signatureVersion"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let c = read("securityToken", "sts-token-value".into()).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("sts-token-value"), "{shown}");
        let err = read("accessKeySecret", 123456789.into()).unwrap_err();
        assert!(!err.to_string().contains("123456789"), "{err}");
    }
}
