//! Authentication: every request's SigV4 signature (header or presigned URL) is
//! checked with `jit_oss_protocol::s3::verify_with`, and refusals become S3's error
//! answers (SignatureDoesNotMatch with the server's StringToSign and CanonicalRequest,
//! InvalidAccessKeyId, AccessDenied for expired URLs, RequestTimeTooSkewed, ...).

use std::time::SystemTime;

use axum::http::StatusCode;
use jit_oss_protocol::s3::{
    verify_with, S3ReceivedRequest, S3Verified, S3VerifyError, S3VerifyOptions,
};

use crate::error::{S3Error, S3Result};
pub use jit_oss_server::shared::setup::Secrets;

/// Checks the request's signature: `Ok(None)` for an anonymous request when those are
/// allowed, `Ok(Some(..))` for a good signature.
pub fn authenticate(
    request: &S3ReceivedRequest<'_>,
    secrets: &Secrets,
    options: &S3VerifyOptions,
    allow_anonymous: bool,
    now: SystemTime,
) -> S3Result<Option<S3Verified>> {
    match verify_with(request, secrets, now, options) {
        Ok(verified) => Ok(Some(verified)),
        Err(S3VerifyError::Anonymous) if allow_anonymous => Ok(None),
        Err(err) => Err(to_s3_error(err)),
    }
}

fn http_time(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// The S3 answer to a failed verification.
pub fn to_s3_error(err: S3VerifyError) -> S3Error {
    let status = StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::FORBIDDEN);
    let base = S3Error::new(status, err.s3_code(), err.message());
    match err {
        S3VerifyError::InvalidAccessKeyId { access_key_id } => {
            base.with_extra("AWSAccessKeyId", access_key_id)
        }
        S3VerifyError::SignatureDoesNotMatch {
            access_key_id,
            canonical_request,
            string_to_sign,
            signature_provided,
        } => base
            .with_extra("AWSAccessKeyId", access_key_id)
            .with_extra("StringToSign", string_to_sign)
            .with_extra("SignatureProvided", signature_provided)
            .with_extra("CanonicalRequest", canonical_request),
        S3VerifyError::Expired {
            expires,
            server_time,
        } => base
            .with_extra("Expires", http_time(expires))
            .with_extra("ServerTime", http_time(server_time)),
        S3VerifyError::RequestTimeTooSkewed {
            request_time,
            server_time,
        } => base
            .with_extra("RequestTime", http_time(request_time))
            .with_extra("ServerTime", http_time(server_time))
            .with_extra("MaxAllowedSkewMilliseconds", "900000"),
        S3VerifyError::HeadersNotSigned(names) => {
            base.with_extra("HeadersNotSigned", names.join(", "))
        }
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_requests_depend_on_the_setting() {
        let secrets = Secrets::new(&[("ak".into(), "top-secret".into())]);
        assert!(!format!("{secrets:?}").contains("top-secret"));
        let headers = vec![("host".to_owned(), "localhost".to_owned())];
        let request = S3ReceivedRequest {
            method: "GET",
            raw_path: "/b/k",
            query: &[],
            headers: &headers,
        };
        let options = S3VerifyOptions::default();
        let now = SystemTime::now();
        assert!(authenticate(&request, &secrets, &options, true, now)
            .unwrap()
            .is_none());
        let err = authenticate(&request, &secrets, &options, false, now).unwrap_err();
        assert_eq!(
            (err.code, err.status),
            ("AccessDenied", StatusCode::FORBIDDEN)
        );
    }
}
