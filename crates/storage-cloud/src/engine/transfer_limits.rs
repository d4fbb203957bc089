//! The keys of large transfers, checked: multipart uploads (`multipartThresholdBytes`,
//! `partSizeBytes`, `multipartConcurrency`) and reads in parallel ranges
//! (`downloadConcurrency`, `downloadPartBytes`). `settings` calls [`check`] and turns
//! its `(key, message)` into an `OssConfigError`.

use crate::oss::config::{
    OssConfig, DEFAULT_DOWNLOAD_CONCURRENCY, DEFAULT_DOWNLOAD_PART_SIZE,
    DEFAULT_MULTIPART_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
    MAX_DOWNLOAD_CONCURRENCY, MAX_DOWNLOAD_PART_SIZE, MAX_MULTIPART_CONCURRENCY, MAX_PART_SIZE,
    MIN_DOWNLOAD_PART_SIZE, MIN_PART_SIZE,
};

/// The checked transfer keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TransferLimits {
    /// Multipart above this many bytes.
    pub multipart_threshold: u64,
    /// Multipart part size.
    pub part_size: u64,
    /// Multipart parts in flight at once (1..=16).
    pub multipart_concurrency: usize,
    /// Ranges of a whole-object read fetched at once (1..=16; 1 is one GET).
    pub download_concurrency: usize,
    /// Range size of a read in parallel ranges.
    pub download_part_size: u64,
}

/// The transfer keys of `config` with their defaults, or the key at fault and why.
pub(crate) fn check(config: &OssConfig) -> Result<TransferLimits, (&'static str, String)> {
    let part_size = config.part_size_bytes.unwrap_or(DEFAULT_PART_SIZE);
    if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
        return Err((
            "partSizeBytes",
            format!("{part_size} is outside what OSS accepts ({MIN_PART_SIZE}..={MAX_PART_SIZE})"),
        ));
    }
    let multipart_threshold = config
        .multipart_threshold_bytes
        .unwrap_or(DEFAULT_MULTIPART_THRESHOLD);
    if multipart_threshold == 0 {
        return Err(("multipartThresholdBytes", "must be at least 1".into()));
    }
    let multipart_concurrency = config
        .multipart_concurrency
        .unwrap_or(DEFAULT_MULTIPART_CONCURRENCY);
    if !(1..=MAX_MULTIPART_CONCURRENCY).contains(&multipart_concurrency) {
        return Err((
            "multipartConcurrency",
            format!(
                "{multipart_concurrency} is outside 1..={MAX_MULTIPART_CONCURRENCY} (parts uploaded at once)"
            ),
        ));
    }
    let download_concurrency = config
        .download_concurrency
        .unwrap_or(DEFAULT_DOWNLOAD_CONCURRENCY);
    if !(1..=MAX_DOWNLOAD_CONCURRENCY).contains(&download_concurrency) {
        return Err((
            "downloadConcurrency",
            format!(
                "{download_concurrency} is outside 1..={MAX_DOWNLOAD_CONCURRENCY} (ranges read at once)"
            ),
        ));
    }
    let download_part_size = config
        .download_part_bytes
        .unwrap_or(DEFAULT_DOWNLOAD_PART_SIZE);
    if !(MIN_DOWNLOAD_PART_SIZE..=MAX_DOWNLOAD_PART_SIZE).contains(&download_part_size) {
        return Err((
            "downloadPartBytes",
            format!(
                "{download_part_size} is outside {MIN_DOWNLOAD_PART_SIZE}..={MAX_DOWNLOAD_PART_SIZE}"
            ),
        ));
    }
    Ok(TransferLimits {
        multipart_threshold,
        part_size,
        multipart_concurrency,
        download_concurrency,
        download_part_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(field: &str, value: serde_json::Value) -> Result<TransferLimits, &'static str> {
        let mut json = serde_json::json!({
            "accessKeyId": "LTAIexample",
            "accessKeySecret": "s3cr3t-value",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com",
            "bucketName": "my-bucket"
        });
        json[field] = value;
        let config: OssConfig = serde_json::from_value(json).unwrap();
        check(&config).map_err(|(field, _)| field)
    }

    #[test]
    fn defaults() {
        let limits = with("region", "cn-hangzhou".into()).unwrap();
        assert_eq!(
            limits,
            TransferLimits {
                multipart_threshold: 64 << 20,
                part_size: 8 << 20,
                multipart_concurrency: 2,
                download_concurrency: 1,
                download_part_size: 8 << 20,
            }
        );
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(with("partSizeBytes", 1024.into()), Err("partSizeBytes"));
        assert_eq!(
            with("multipartThresholdBytes", 0.into()),
            Err("multipartThresholdBytes")
        );
        for bad in [0, 17, 1000] {
            assert_eq!(
                with("multipartConcurrency", bad.into()),
                Err("multipartConcurrency")
            );
            assert_eq!(
                with("downloadConcurrency", bad.into()),
                Err("downloadConcurrency")
            );
        }
        for good in [1, 4, 16] {
            let limits = with("multipartConcurrency", good.into()).unwrap();
            assert_eq!(limits.multipart_concurrency, good);
            let limits = with("downloadConcurrency", good.into()).unwrap();
            assert_eq!(limits.download_concurrency, good);
        }
        for bad in [0, 65_535, (1u64 << 30) + 1] {
            assert_eq!(
                with("downloadPartBytes", bad.into()),
                Err("downloadPartBytes")
            );
        }
        for good in [65_536, 1 << 30] {
            assert_eq!(
                with("downloadPartBytes", good.into())
                    .unwrap()
                    .download_part_size,
                good
            );
        }
    }
}
