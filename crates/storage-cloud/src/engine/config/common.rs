//! The keys every object-store Type takes, as written (camelCase): [`CommonConfig`],
//! with the defaults and bounds of the shared ones. OssType's config embeds it, and so
//! can the S3 family's: the credentials, endpoint, bucket, region, security token,
//! addressing (`pathStyle`, `customDomain`), timeout, retry and transfer keys keep one
//! name, one reading and one check (`settings`) for all of them. A Type's own keys
//! (OSS's `signatureVersion` and `secure`, S3's `scheme`) sit beside it; `keys` reads
//! the one flat JSON object into both.

use std::time::Duration;

use jit_oss_protocol::Secret;
use jit_storage::retry;
use serde::de::MapAccess;
use serde::{Deserialize, Deserializer};

use crate::engine::config::credentials::CredentialsSource;

/// Default size above which uploads go multipart: 64 MiB.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;
/// Default multipart part size: 8 MiB.
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;
/// Largest part OSS and S3 accept: 5 GiB.
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

/// The keys OssType and the S3 family share, as written in `<Name>.json`.
///
/// Not read on its own: a Type's config (e.g. [`OssConfig`](crate::OssConfig)) holds
/// it beside its own keys and reads both from one object, refusing unknown keys.
/// `Debug` never shows the secret or the security token (they are [`Secret`]s).
#[derive(Clone, Debug, Default)]
pub struct CommonConfig {
    /// Where the credentials come from: `"static"` (default: `accessKeyId`,
    /// `accessKeySecret`, `securityToken` below), `"environment"` (the Type's
    /// variables, e.g. `ALIBABA_CLOUD_ACCESS_KEY_ID`, read for every request) or
    /// `"host"` (the provider the host installed on the Type, e.g.
    /// `OssType::with_credentials_provider`). With `"environment"` or `"host"` the
    /// three keys must be absent.
    pub credentials: CredentialsSource,
    /// AccessKey id (required with static credentials).
    pub access_key_id: String,
    /// AccessKey secret (required with static credentials).
    pub access_key_secret: Secret,
    /// Endpoint, e.g. `oss-cn-hangzhou.aliyuncs.com`; a `http://` or `https://` prefix
    /// overrides the Type's scheme key (OssType's `secure`).
    pub end_point: String,
    /// Bucket name (required).
    pub bucket_name: String,
    /// Signing region; what is required or derived is the Type's (OssType derives it
    /// from the endpoint when absent).
    pub region: Option<String>,
    /// STS security token, for temporary credentials.
    pub security_token: Option<Secret>,
    /// A domain bound to the bucket (CNAME): requests and URLs use it, with no bucket in
    /// the host or path.
    pub custom_domain: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`), for local servers.
    pub path_style: Option<bool>,
    /// Connect and read (idle) timeout in seconds; default 60.
    pub timeout_seconds: Option<u64>,
    /// Retries after the first attempt of a request that failed in a retryable way
    /// (`jit_storage::retry::is_retryable`) and whose body can be sent again;
    /// default 3, at most 100.
    pub max_retries: Option<u32>,
    /// The first backoff ceiling in milliseconds, doubled for every further retry; the
    /// wait is uniformly random below it (full jitter). Default 100, at least 1.
    pub retry_base_ms: Option<u64>,
    /// The longest backoff ceiling in milliseconds; default 5000, at least
    /// `retryBaseMs`, at most 600000.
    pub retry_max_ms: Option<u64>,
    /// No retry starts later than this many seconds after the first attempt (an attempt
    /// under way is not cut short: `timeoutSeconds` bounds each one). Default none;
    /// `0` also means none, leaving `maxRetries` as the only bound.
    pub retry_deadline_seconds: Option<u64>,
    /// Uploads larger than this go multipart; default 64 MiB.
    pub multipart_threshold_bytes: Option<u64>,
    /// Multipart part size; default 8 MiB, at least what the service accepts (OSS:
    /// 100 KiB).
    pub part_size_bytes: Option<u64>,
    /// Multipart parts uploaded at once, 1..=16; default 2. The next part is read from
    /// the payload while earlier ones upload; at most this many parts plus the one
    /// being read are held in memory (`multipartConcurrency + 1` × part size).
    pub multipart_concurrency: Option<usize>,
    /// Ranges a whole-object read fetches at once, 1..=16; default 1 (one GET). Above
    /// 1, the first GET asks for the first `downloadPartBytes` and an object larger
    /// than that is read in ranges of that size, this many at once, handed on in
    /// order; at most this many ranges are held in memory
    /// (`downloadConcurrency` × `downloadPartBytes`).
    pub download_concurrency: Option<usize>,
    /// Range size of a read in parallel ranges; default 8 MiB, 64 KiB..=1 GiB.
    pub download_part_bytes: Option<u64>,
}

impl CommonConfig {
    /// The keys, as written.
    pub const KEYS: &'static [&'static str] = &[
        "credentials",
        "accessKeyId",
        "accessKeySecret",
        "endPoint",
        "bucketName",
        "region",
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

    /// Reads the value of `key` (one of [`KEYS`](Self::KEYS)) from `map`; `Ok(false)`
    /// for a key that is not one of them.
    pub(crate) fn read_key<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "credentials" => self.credentials = map.next_value()?,
            "accessKeyId" => self.access_key_id = map.next_value()?,
            "accessKeySecret" => self.access_key_secret = map.next_value::<SecretKey>()?.0,
            "endPoint" => self.end_point = map.next_value()?,
            "bucketName" => self.bucket_name = map.next_value()?,
            "region" => self.region = map.next_value()?,
            "securityToken" => {
                let token = map.next_value::<SecretKey>()?.0;
                self.security_token = (!token.expose().is_empty()).then_some(token);
            }
            "customDomain" => self.custom_domain = map.next_value()?,
            "pathStyle" => self.path_style = map.next_value()?,
            "timeoutSeconds" => self.timeout_seconds = map.next_value()?,
            "maxRetries" => self.max_retries = map.next_value()?,
            "retryBaseMs" => self.retry_base_ms = map.next_value()?,
            "retryMaxMs" => self.retry_max_ms = map.next_value()?,
            "retryDeadlineSeconds" => self.retry_deadline_seconds = map.next_value()?,
            "multipartThresholdBytes" => self.multipart_threshold_bytes = map.next_value()?,
            "partSizeBytes" => self.part_size_bytes = map.next_value()?,
            "multipartConcurrency" => self.multipart_concurrency = map.next_value()?,
            "downloadConcurrency" => self.download_concurrency = map.next_value()?,
            "downloadPartBytes" => self.download_part_bytes = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A secret as serde reads it, without ever echoing the value in an error (serde's
/// type errors quote the value they saw): a string, or `null` for none.
struct SecretKey(Secret);

impl<'de> Deserialize<'de> for SecretKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Self(Secret::new(s))),
            serde_json::Value::Null => Ok(Self(Secret::default())),
            _ => Err(serde::de::Error::custom("expected a string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_defaults_are_the_contracts() {
        assert_eq!(DEFAULT_MAX_RETRIES, 3);
        assert_eq!(DEFAULT_RETRY_BASE_MS, 100);
        assert_eq!(DEFAULT_RETRY_MAX_MS, 5000);
    }
}
