//! The keys of large transfers, checked: multipart uploads (`multipartThresholdBytes`,
//! `partSizeBytes`, `multipartConcurrency`) and reads in parallel ranges
//! (`downloadConcurrency`, `downloadPartBytes`). `settings` calls [`check`] and turns
//! its `(key, message)` into a `ConfigError`. Only the smallest part differs between
//! services (OSS: 100 KiB, S3: 5 MiB).

use crate::engine::config::common::{
    CommonConfig, DEFAULT_DOWNLOAD_CONCURRENCY, DEFAULT_DOWNLOAD_PART_SIZE,
    DEFAULT_MULTIPART_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
    MAX_DOWNLOAD_CONCURRENCY, MAX_DOWNLOAD_PART_SIZE, MAX_MULTIPART_CONCURRENCY, MAX_PART_SIZE,
    MIN_DOWNLOAD_PART_SIZE,
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

/// The transfer keys of `config` with their defaults, or the key at fault and why;
/// `service` (named in messages) takes parts of `min_part_size` bytes at least.
pub(crate) fn check(
    config: &CommonConfig,
    min_part_size: u64,
    service: &str,
) -> Result<TransferLimits, (&'static str, String)> {
    let part_size = config.part_size_bytes.unwrap_or(DEFAULT_PART_SIZE);
    if !(min_part_size..=MAX_PART_SIZE).contains(&part_size) {
        return Err((
            "partSizeBytes",
            format!(
                "{part_size} is outside what {service} accepts ({min_part_size}..={MAX_PART_SIZE})"
            ),
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

    /// The 100 KiB of OSS.
    const MIN_PART: u64 = 100 * 1024;

    fn with(field: &str, value: serde_json::Value) -> Result<TransferLimits, &'static str> {
        let mut config = CommonConfig::default();
        let value = value.as_u64().unwrap();
        match field {
            "region" => {}
            "partSizeBytes" => config.part_size_bytes = Some(value),
            "multipartThresholdBytes" => config.multipart_threshold_bytes = Some(value),
            "multipartConcurrency" => config.multipart_concurrency = Some(value as usize),
            "downloadConcurrency" => config.download_concurrency = Some(value as usize),
            "downloadPartBytes" => config.download_part_bytes = Some(value),
            other => panic!("{other}"),
        }
        check(&config, MIN_PART, "OSS").map_err(|(field, _)| field)
    }

    #[test]
    fn defaults() {
        let limits = with("region", 0.into()).unwrap();
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
        let mut config = CommonConfig {
            part_size_bytes: Some(MIN_PART),
            ..CommonConfig::default()
        };
        assert!(check(&config, MIN_PART, "OSS").is_ok());
        // S3's parts are 5 MiB at least.
        let (field, message) = check(&config, 5 << 20, "S3").unwrap_err();
        assert_eq!(field, "partSizeBytes");
        assert!(message.contains("what S3 accepts (5242880..="), "{message}");
        config.part_size_bytes = Some(5 << 20);
        assert!(check(&config, 5 << 20, "S3").is_ok());
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
