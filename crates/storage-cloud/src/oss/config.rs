//! The element's business configuration as written (`storages/<Name>/<Name>.json`,
//! camelCase): [`OssConfig`], every key with its default, and how values are read
//! (secrets never echoed, unknown keys refused). What the values must satisfy, and the
//! checked settings the client runs on, are in `settings`.

use std::time::Duration;

use jit_oss_protocol::{Secret, SignatureVersion};
use jit_storage::retry;
use serde::{Deserialize, Deserializer};

use crate::engine::credentials::CredentialsSource;

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
/// Default number of ranges a whole-object read fetches at once: 1, one GET (ranged
/// reads are asked for with `downloadConcurrency`).
pub const DEFAULT_DOWNLOAD_CONCURRENCY: usize = 1;
/// Most ranges of one read fetched at once: 16.
pub const MAX_DOWNLOAD_CONCURRENCY: usize = 16;
/// Default range size of a read in parallel ranges: 8 MiB.
pub const DEFAULT_DOWNLOAD_PART_SIZE: u64 = 8 * 1024 * 1024;
/// Smallest range of a read in parallel ranges: 64 KiB.
pub const MIN_DOWNLOAD_PART_SIZE: u64 = 64 * 1024;
/// Largest range of a read in parallel ranges: 1 GiB (every range is held in memory
/// until the reader reaches it).
pub const MAX_DOWNLOAD_PART_SIZE: u64 = 1024 * 1024 * 1024;
/// Default connect and read (idle) timeout.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 60;
/// Default `maxRetries`: retries after the first attempt (the contract's default).
pub const DEFAULT_MAX_RETRIES: u32 = retry::DEFAULT_MAX_RETRIES;
/// Most `maxRetries` accepted: beyond this a dead endpoint would hold callers for hours.
pub const MAX_RETRIES_LIMIT: u32 = 100;
/// Default `retryBaseMs`: the first backoff ceiling (the contract's default, 100 ms).
pub const DEFAULT_RETRY_BASE_MS: u64 = duration_ms(retry::DEFAULT_BASE_DELAY);
/// Default `retryMaxMs`: the longest backoff (the contract's default, 5 s).
pub const DEFAULT_RETRY_MAX_MS: u64 = duration_ms(retry::DEFAULT_MAX_DELAY);
/// Most `retryMaxMs` accepted: 10 minutes.
pub const RETRY_MAX_MS_LIMIT: u64 = 10 * 60 * 1000;

const fn duration_ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// The configuration of an OSS storage element, as written in `<Name>.json`.
///
/// Unknown keys are refused (a misspelt `"pathstyle"` is an error, not a silently ignored
/// key); [`OssConfig::validate`] checks the values. `Debug` never shows the secret or the
/// security token (they are [`Secret`]s).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OssConfig {
    /// Where the credentials come from: `"static"` (default: `accessKeyId`,
    /// `accessKeySecret`, `securityToken` below), `"environment"`
    /// (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`, read for every request) or `"host"` (the provider
    /// installed with `OssType::with_credentials_provider`). With `"environment"` or
    /// `"host"` the three keys must be absent.
    #[serde(default)]
    pub credentials: CredentialsSource,
    /// AccessKey id (required with static credentials).
    #[serde(default)]
    pub access_key_id: String,
    /// AccessKey secret (required with static credentials).
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
    /// `"v4"` (default) or `"v1"` (`"V4"`, `"V1"` too); anything else is refused.
    #[serde(default = "default_signature", with = "SignatureVersionKey")]
    pub signature_version: SignatureVersion,
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
    /// Retries after the first attempt of a request that failed in a retryable way
    /// (`jit_storage::retry::is_retryable`) and whose body can be sent again;
    /// default 3, at most 100.
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// The first backoff ceiling in milliseconds, doubled for every further retry; the
    /// wait is uniformly random below it (full jitter). Default 100, at least 1.
    #[serde(default)]
    pub retry_base_ms: Option<u64>,
    /// The longest backoff ceiling in milliseconds; default 5000, at least
    /// `retryBaseMs`, at most 600000.
    #[serde(default)]
    pub retry_max_ms: Option<u64>,
    /// No retry starts later than this many seconds after the first attempt (an attempt
    /// under way is not cut short: `timeoutSeconds` bounds each one). Default none;
    /// `0` also means none, leaving `maxRetries` as the only bound.
    #[serde(default)]
    pub retry_deadline_seconds: Option<u64>,
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
    /// Ranges a whole-object read fetches at once, 1..=16; default 1 (one GET). Above
    /// 1, the first GET asks for the first `downloadPartBytes` and an object larger
    /// than that is read in ranges of that size, this many at once, handed on in
    /// order; at most this many ranges are held in memory
    /// (`downloadConcurrency` × `downloadPartBytes`).
    #[serde(default)]
    pub download_concurrency: Option<usize>,
    /// Range size of a read in parallel ranges; default 8 MiB, 64 KiB..=1 GiB.
    #[serde(default)]
    pub download_part_bytes: Option<u64>,
}

impl Default for OssConfig {
    /// Nothing set: every optional key at its default, the required ones empty (so
    /// [`OssConfig::validate`] refuses it until they are filled in).
    fn default() -> Self {
        Self {
            credentials: CredentialsSource::Static,
            access_key_id: String::new(),
            access_key_secret: Secret::default(),
            end_point: String::new(),
            bucket_name: String::new(),
            region: None,
            security_token: None,
            signature_version: default_signature(),
            secure: None,
            custom_domain: None,
            path_style: None,
            timeout_seconds: None,
            max_retries: None,
            retry_base_ms: None,
            retry_max_ms: None,
            retry_deadline_seconds: None,
            multipart_threshold_bytes: None,
            part_size_bytes: None,
            multipart_concurrency: None,
            download_concurrency: None,
            download_part_bytes: None,
        }
    }
}

fn default_signature() -> SignatureVersion {
    SignatureVersion::V4
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

/// Reads a secret without ever echoing the value in an error (serde's type errors
/// quote the value they saw).
fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(Secret::new(s)),
        serde_json::Value::Null => Ok(Secret::default()),
        _ => Err(serde::de::Error::custom("expected a string")),
    }
}

/// An optional secret: absent, `null` and `""` are none.
fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    let s = secret(d)?;
    Ok((!s.expose().is_empty()).then_some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("sts-token-value"), "{shown}");
        assert!(shown.contains("LTAIexample"));

        // A secret of the wrong JSON type is refused without quoting it.
        let err = read("accessKeySecret", 123456789.into()).unwrap_err();
        assert!(!err.to_string().contains("123456789"), "{err}");
        assert!(read("securityToken", "".into())
            .unwrap()
            .security_token
            .is_none());
    }

    #[test]
    fn credentials_sources_are_an_enum() {
        assert_eq!(
            read("credentials", "environment".into())
                .unwrap()
                .credentials,
            CredentialsSource::Environment
        );
        assert_eq!(
            read("credentials", "host".into()).unwrap().credentials,
            CredentialsSource::Host
        );
        let default: OssConfig = serde_json::from_value(base()).unwrap();
        assert_eq!(default.credentials, CredentialsSource::Static);
        let err = read("credentials", "env".into()).unwrap_err().to_string();
        assert!(
            err.contains("unknown variant") && err.contains("`environment`"),
            "{err}"
        );
    }

    #[test]
    fn retry_defaults_are_the_contracts() {
        assert_eq!(DEFAULT_MAX_RETRIES, 3);
        assert_eq!(DEFAULT_RETRY_BASE_MS, 100);
        assert_eq!(DEFAULT_RETRY_MAX_MS, 5000);
    }
}
