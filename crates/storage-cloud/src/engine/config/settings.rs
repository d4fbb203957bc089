//! The common keys checked: [`CommonSettings`], what the engine runs on (credentials,
//! bucket, scheme, endpoint and addressing, timeout, retry policy, transfer limits),
//! or a [`ConfigError`] naming the key at fault. What differs between Types (the
//! service's bucket names, smallest part, default scheme and addressing, an example
//! endpoint for messages) comes in as [`FamilyRules`]; a Type checks its own keys
//! in between, so errors come in one order whatever the Type.

use std::fmt;
use std::time::Duration;

use jit_storage::retry::RetryPolicy;
use jit_storage::{StorageError, StorageErrorKind};

use crate::engine::addressing::{self, Addressing};
use crate::engine::config::common::{
    CommonConfig, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS,
    DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES_LIMIT, RETRY_MAX_MS_LIMIT,
};
use crate::engine::config::credentials::{self, CredentialsSetting};
use crate::engine::config::transfer_limits;

/// A configuration problem: the key (camelCase, as written) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key, e.g. `bucketName`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigError> for StorageError {
    /// An [`InvalidConfig`](StorageErrorKind::InvalidConfig) error naming the key.
    fn from(err: ConfigError) -> Self {
        StorageError::new(StorageErrorKind::InvalidConfig, err.to_string()).with_source(err)
    }
}

/// The error of `field`.
pub(crate) fn problem(field: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        field,
        message: message.into(),
    }
}

impl From<(&'static str, String)> for ConfigError {
    fn from((field, message): (&'static str, String)) -> Self {
        problem(field, message)
    }
}

/// The checked common keys the engine runs on. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct CommonSettings {
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

/// What the common keys must satisfy for one Type.
pub(crate) struct FamilyRules {
    /// The service, in messages (`OSS`).
    pub service: &'static str,
    /// An endpoint, for messages (`oss-cn-hangzhou.aliyuncs.com`).
    pub example_endpoint: &'static str,
    /// The endpoint when `endPoint` is empty (AWS's `s3.<region>.amazonaws.com`);
    /// `None`: `endPoint` is required.
    pub default_endpoint: Option<String>,
    /// The scheme when the endpoint names none (from OSS's `secure`, S3's `scheme`).
    pub default_scheme: &'static str,
    /// Whether an endpoint is addressed path style when `pathStyle` is absent.
    pub path_style_default: fn(&str) -> bool,
    /// Whether a bucket name is valid, and the rule in words.
    pub bucket_name: (fn(&str) -> bool, &'static str),
    /// The smallest part the service accepts (except the last).
    pub min_part_size: u64,
}

impl CommonConfig {
    /// Checks the common keys with `rules`, and the Type's own keys with `own` (given
    /// the endpoint host) after the credentials, endpoint, bucket and addressing and
    /// before the timeout, transfer and retry keys: the first problem in that order is
    /// the error.
    pub(crate) fn validate_with<X>(
        &self,
        rules: &FamilyRules,
        own: impl FnOnce(&str) -> Result<X, ConfigError>,
    ) -> Result<(CommonSettings, X), ConfigError> {
        let credentials = credentials::setting(
            self.credentials,
            &self.access_key_id,
            &self.access_key_secret,
            self.security_token.as_ref(),
        )?;
        let end_point = match (self.end_point.trim(), &rules.default_endpoint) {
            ("", Some(default)) => default.as_str(),
            ("", None) => {
                return Err(problem(
                    "endPoint",
                    format!("is required, e.g. {}", rules.example_endpoint),
                ))
            }
            (written, _) => written,
        };
        let bucket = self.bucket_name.trim().to_string();
        if bucket.is_empty() {
            return Err(problem("bucketName", "is required and must not be empty"));
        }
        let (valid_bucket, bucket_rule) = rules.bucket_name;
        if !valid_bucket(&bucket) {
            return Err(problem(
                "bucketName",
                format!("{bucket:?} is not a valid bucket name: {bucket_rule}"),
            ));
        }
        let (scheme, endpoint, addressing) = addressing::resolve(
            end_point,
            rules.default_scheme,
            self.path_style,
            rules.path_style_default,
            self.custom_domain.as_deref(),
            rules.example_endpoint,
        )?;
        let own = own(&endpoint)?;
        let timeout = self.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        if timeout == 0 {
            return Err(problem("timeoutSeconds", "must be at least 1"));
        }
        let transfers = transfer_limits::check(self, rules.min_part_size, rules.service)?;
        let settings = CommonSettings {
            credentials,
            bucket,
            scheme,
            endpoint,
            addressing,
            timeout: Duration::from_secs(timeout),
            retry: self.retry_policy()?,
            multipart_threshold: transfers.multipart_threshold,
            part_size: transfers.part_size,
            multipart_concurrency: transfers.multipart_concurrency,
            download_concurrency: transfers.download_concurrency,
            download_part_size: transfers.download_part_size,
        };
        Ok((settings, own))
    }

    /// The retry policy from `maxRetries`, `retryBaseMs`, `retryMaxMs` and
    /// `retryDeadlineSeconds`.
    fn retry_policy(&self) -> Result<RetryPolicy, ConfigError> {
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
