//! Presigned URLs: a lifetime of 1 second to 7 days, for every signature alike (OSS V4
//! and S3's SigV4 cannot sign longer; OSS V1 could, but a URL that works for years is a
//! leaked credential), checked without any arithmetic that can overflow; the URL is
//! signed by the dialect with the credentials the element's provider gives now.

use std::time::{Duration, SystemTime};

use jit_storage::{
    guess_content_type, PresignMethod, PresignOptions, PresignedRequest, StorageError,
    StorageResult,
};

use crate::engine::core::Core;

/// The longest lifetime of a presigned URL, in seconds: 7 days (OSS V4's and S3's
/// `X-Amz-Expires` limit).
pub const MAX_PRESIGN_SECONDS: u64 = 604_800;

/// `expires` in whole seconds (rounded up), if it is 1 second to 7 days; else an
/// InvalidArgument error.
pub(crate) fn lifetime_secs(expires: Duration) -> StorageResult<u64> {
    let secs = expires
        .as_secs()
        .checked_add(u64::from(expires.subsec_nanos() > 0));
    match secs {
        Some(0) => Err(StorageError::invalid_argument(
            "expiry must be at least one second",
        )),
        Some(secs) if secs <= MAX_PRESIGN_SECONDS => Ok(secs),
        _ => Err(StorageError::invalid_argument(format!(
            "presigned URLs live at most {MAX_PRESIGN_SECONDS} seconds (7 days); {} s asked",
            expires.as_secs()
        ))),
    }
}

/// A presigned request for `name` (already validated) with `options`.
pub(crate) async fn presign(
    core: &Core,
    name: &str,
    options: PresignOptions,
) -> StorageResult<PresignedRequest> {
    let secs = lifetime_secs(options.expires)?;
    let now = SystemTime::now();
    let expires_at = now
        .checked_add(Duration::from_secs(secs))
        .ok_or_else(|| StorageError::invalid_argument("the expiry time cannot be represented"))?;
    let mut sign = core.signing_request(options.method.as_str(), Some(name));
    let mut headers = Vec::new();
    match options.method {
        PresignMethod::Get => {
            // A GET sends no Content-Type: bind the type the object is served with.
            if let Some(ct) = &options.content_type {
                sign.query
                    .push(("response-content-type".to_string(), Some(ct.clone())));
            }
        }
        PresignMethod::Put => {
            let ct = options
                .content_type
                .clone()
                .unwrap_or_else(|| guess_content_type(name));
            sign.headers.push(("content-type".to_string(), ct.clone()));
            headers.push(("Content-Type".to_string(), ct));
        }
    }
    let url = core.presign_url(sign, now, secs).await?;
    Ok(PresignedRequest {
        url,
        method: options.method,
        headers,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_storage::StorageErrorKind;

    #[test]
    fn the_limit_is_the_signers() {
        assert_eq!(
            MAX_PRESIGN_SECONDS,
            jit_oss_protocol::sign::v4::MAX_PRESIGN_EXPIRES
        );
    }

    #[test]
    fn lifetimes_are_one_second_to_seven_days_without_overflow() {
        assert_eq!(lifetime_secs(Duration::from_secs(1)).unwrap(), 1);
        assert_eq!(lifetime_secs(Duration::from_millis(1)).unwrap(), 1);
        assert_eq!(lifetime_secs(Duration::from_millis(1500)).unwrap(), 2);
        assert_eq!(
            lifetime_secs(Duration::from_secs(MAX_PRESIGN_SECONDS)).unwrap(),
            604_800
        );
        for bad in [
            Duration::ZERO,
            Duration::from_secs(MAX_PRESIGN_SECONDS + 1),
            Duration::from_millis(MAX_PRESIGN_SECONDS * 1000 + 1),
            Duration::from_secs(u64::MAX),
            Duration::MAX,
        ] {
            let err = lifetime_secs(bad).unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{bad:?}");
        }
        let err = lifetime_secs(Duration::MAX).unwrap_err();
        assert!(err.message().contains("7 days"), "{err}");
    }
}
