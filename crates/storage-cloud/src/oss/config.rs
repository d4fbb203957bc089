//! The OSS element's business configuration as written (`storages/<Name>/<Name>.json`,
//! camelCase): [`OssConfig`], the [`CommonConfig`] every object-store Type shares plus
//! OSS's own keys (`signatureVersion`, `secure`), read from one object with unknown
//! keys refused and secrets never echoed; OSS's part-size floor and environment
//! variables. What the values must satisfy, and the checked settings the client runs
//! on, are in `settings`.

use jit_oss_protocol::SignatureVersion;
use serde::de::MapAccess;
use serde::{Deserialize, Deserializer};

use crate::engine::config::common::CommonConfig;
use crate::engine::config::credentials::EnvironmentNames;
use crate::engine::config::keys::{deserialize_flat, TypeKeys};

/// Smallest part OSS accepts (except the last): 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;

/// The environment variable holding the access key id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The environment variable holding the access key secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The environment variable holding the STS security token (optional).
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";

/// Where `"credentials": "environment"` reads OSS credentials from.
pub const OSS_ENVIRONMENT: EnvironmentNames = EnvironmentNames {
    access_key_id: ENV_ACCESS_KEY_ID,
    access_key_secret: ENV_ACCESS_KEY_SECRET,
    security_token: ENV_SECURITY_TOKEN,
};

/// The configuration of an OSS storage element, as written in `<Name>.json`: the
/// common keys ([`CommonConfig`]: credentials, `endPoint`, `bucketName`, `region`,
/// addressing, timeout, retries, transfers) and OSS's own.
///
/// Unknown keys are refused (a misspelt `"pathstyle"` is an error, not a silently ignored
/// key); [`OssConfig::validate`] checks the values. `Debug` never shows the secret or the
/// security token (they are [`Secret`](jit_oss_protocol::Secret)s).
#[derive(Clone, Debug)]
pub struct OssConfig {
    /// The keys every object-store Type takes.
    pub common: CommonConfig,
    /// `"v4"` (default) or `"v1"` (`"V4"`, `"V1"` too); anything else is refused.
    pub signature_version: SignatureVersion,
    /// HTTPS (default `true`) unless the endpoint names its scheme.
    pub secure: Option<bool>,
}

impl Default for OssConfig {
    /// Nothing set: every optional key at its default, the required ones empty (so
    /// [`OssConfig::validate`] refuses it until they are filled in).
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            signature_version: SignatureVersion::V4,
            secure: None,
        }
    }
}

/// OSS's own keys, read beside the common ones.
struct OssKeys {
    signature_version: SignatureVersion,
    secure: Option<bool>,
}

impl Default for OssKeys {
    fn default() -> Self {
        let OssConfig {
            signature_version,
            secure,
            ..
        } = OssConfig::default();
        Self {
            signature_version,
            secure,
        }
    }
}

impl TypeKeys for OssKeys {
    const ALL_KEYS: &'static [&'static str] = &[
        "credentials",
        "accessKeyId",
        "accessKeySecret",
        "endPoint",
        "bucketName",
        "region",
        "securityToken",
        "signatureVersion",
        "secure",
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

    const EXPECTING: &'static str = "struct OssConfig";

    fn read_key<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "signatureVersion" => self.signature_version = map.next_value::<SignatureKey>()?.0,
            "secure" => self.secure = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'de> Deserialize<'de> for OssConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (common, own) = deserialize_flat::<D, OssKeys>(d)?;
        Ok(Self {
            common,
            signature_version: own.signature_version,
            secure: own.secure,
        })
    }
}

/// `signatureVersion` as serde reads it into `jit-oss-protocol`'s [`SignatureVersion`]:
/// an unknown value is an error listing the accepted ones.
#[derive(Deserialize)]
#[serde(remote = "SignatureVersion")]
enum SignatureVersionKey {
    #[serde(rename = "v1", alias = "V1")]
    V1,
    #[serde(rename = "v4", alias = "V4")]
    V4,
}

/// A [`SignatureVersion`] read through [`SignatureVersionKey`].
#[derive(Deserialize)]
struct SignatureKey(#[serde(with = "SignatureVersionKey")] SignatureVersion);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::credentials::CredentialsSource;

    fn base() -> serde_json::Value {
        serde_json::json!({
            "accessKeyId": "LTAIexample",
            "accessKeySecret": "s3cr3t-value",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com",
            "bucketName": "my-bucket"
        })
    }

    fn read(field: &str, value: serde_json::Value) -> Result<OssConfig, serde_json::Error> {
        let mut json = base();
        json[field] = value;
        serde_json::from_value(json)
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = read("pathstyle", true.into()).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `pathstyle`"),
            "{err}"
        );
        // Every documented key is known.
        for (key, value) in [
            ("region", serde_json::json!("cn-hangzhou")),
            ("credentials", "static".into()),
            ("securityToken", "t".into()),
            ("signatureVersion", "v1".into()),
            ("secure", false.into()),
            ("customDomain", "cdn.example.com".into()),
            ("pathStyle", true.into()),
            ("timeoutSeconds", 5.into()),
            ("maxRetries", 1.into()),
            ("retryBaseMs", 10.into()),
            ("retryMaxMs", 100.into()),
            ("retryDeadlineSeconds", 30.into()),
            ("multipartThresholdBytes", (1 << 20).into()),
            ("partSizeBytes", (1 << 20).into()),
            ("multipartConcurrency", 4.into()),
            ("downloadConcurrency", 4.into()),
            ("downloadPartBytes", (1 << 20).into()),
        ] {
            read(key, value).unwrap_or_else(|e| panic!("{key}: {e}"));
        }
    }

    #[test]
    fn signature_versions_are_an_enum() {
        let default: OssConfig = serde_json::from_value(base()).unwrap();
        assert_eq!(default.signature_version, SignatureVersion::V4);
        assert_eq!(OssConfig::default().signature_version, SignatureVersion::V4);
        for (written, version) in [
            ("v4", SignatureVersion::V4),
            ("V4", SignatureVersion::V4),
            ("v1", SignatureVersion::V1),
            ("V1", SignatureVersion::V1),
        ] {
            let config = read("signatureVersion", written.into()).unwrap();
            assert_eq!(config.signature_version, version, "{written}");
        }
        for bad in ["v3", "", "sigv4", " v4"] {
            let err = read("signatureVersion", bad.into())
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("unknown variant") && err.contains("`v4`"),
                "{bad}: {err}"
            );
        }
        assert!(read("signatureVersion", 4.into()).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let c = read("securityToken", "sts-token-value".into()).unwrap();
        assert!(c.common.security_token.is_some());
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("sts-token-value"), "{shown}");
        assert!(shown.contains("LTAIexample"));

        // A secret of the wrong JSON type is refused without quoting it.
        let err = read("accessKeySecret", 123456789.into()).unwrap_err();
        assert!(!err.to_string().contains("123456789"), "{err}");
        assert!(read("securityToken", "".into())
            .unwrap()
            .common
            .security_token
            .is_none());
    }

    #[test]
    fn credentials_sources_are_an_enum() {
        assert_eq!(
            read("credentials", "environment".into())
                .unwrap()
                .common
                .credentials,
            CredentialsSource::Environment
        );
        assert_eq!(
            read("credentials", "host".into())
                .unwrap()
                .common
                .credentials,
            CredentialsSource::Host
        );
        let default: OssConfig = serde_json::from_value(base()).unwrap();
        assert_eq!(default.common.credentials, CredentialsSource::Static);
        let err = read("credentials", "env".into()).unwrap_err().to_string();
        assert!(
            err.contains("unknown variant") && err.contains("`environment`"),
            "{err}"
        );
    }

    #[test]
    fn the_keys_are_the_common_ones_and_osss() {
        let mut all: Vec<&str> = CommonConfig::KEYS.to_vec();
        all.extend(["signatureVersion", "secure"]);
        let mut listed = OssKeys::ALL_KEYS.to_vec();
        all.sort_unstable();
        listed.sort_unstable();
        assert_eq!(all, listed);
        // A key of either part is read into its place.
        let c = read("pathStyle", true.into()).unwrap();
        assert_eq!(c.common.path_style, Some(true));
        let c = read("secure", false.into()).unwrap();
        assert_eq!(c.secure, Some(false));
        assert_eq!(c.common.bucket_name, "my-bucket");
        // Unknown keys list every known one, as serde does; repeated keys are refused.
        let err = read("pathstyle", true.into()).unwrap_err().to_string();
        assert!(
            err.contains("expected one of `credentials`, `accessKeyId`"),
            "{err}"
        );
        assert!(err.contains("`downloadPartBytes`"), "{err}");
        let err = serde_json::from_str::<OssConfig>(r#"{"secure": true, "secure": false}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate field `secure`"), "{err}");
        // Values that are not an object are refused.
        assert!(serde_json::from_value::<OssConfig>(serde_json::json!([1])).is_err());
    }
}
