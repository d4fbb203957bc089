//! Authentication: every request's signature (V1/V4, header or presigned) is checked
//! with `jit_oss_protocol::verify`, and failures become the OSS error answers
//! (SignatureDoesNotMatch with StringToSign, InvalidAccessKeyId, AccessDenied, ...).

use std::time::SystemTime;

use axum::http::StatusCode;
use jit_oss_protocol::verify::{verify, ReceivedRequest, VerifyError};

use crate::error::{OssError, OssResult};
pub use crate::shared::setup::Secrets;

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An unsigned request, served because anonymous access is allowed.
    Anonymous,
    /// A correctly signed request by this access key id.
    Key(String),
}

/// Checks the request's signature; anonymous requests pass only if allowed.
pub fn authenticate(
    request: &ReceivedRequest<'_>,
    secrets: &Secrets,
    allow_anonymous: bool,
    now: SystemTime,
) -> OssResult<Caller> {
    match verify(request, secrets, now) {
        Ok(verified) => Ok(Caller::Key(verified.access_key_id)),
        Err(VerifyError::Anonymous) if allow_anonymous => Ok(Caller::Anonymous),
        Err(err) => Err(to_oss_error(err)),
    }
}

/// The OSS answer to a failed verification.
fn to_oss_error(err: VerifyError) -> OssError {
    match err {
        VerifyError::Anonymous => OssError::access_denied(
            "You have no right to access this object because of bucket acl.",
        ),
        VerifyError::InvalidAccessKeyId { access_key_id } => OssError::new(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
        .with_extra("OSSAccessKeyId", access_key_id),
        VerifyError::SignatureDoesNotMatch { string_to_sign } => OssError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
        .with_extra("StringToSign", string_to_sign),
        VerifyError::Expired => OssError::access_denied("Request has expired."),
        VerifyError::RequestTimeTooSkewed => OssError::new(
            StatusCode::FORBIDDEN,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        ),
        VerifyError::Malformed(detail) => OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            format!("The signature parameters are malformed: {detail}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_ids_only() {
        let secrets = Secrets::new(&[("ak".into(), "top-secret".into())]);
        let shown = format!("{secrets:?}");
        assert!(shown.contains("ak"));
        assert!(!shown.contains("top-secret"));
    }

    #[test]
    fn unsigned_requests_depend_on_allow_anonymous() {
        let secrets = Secrets::new(&[("ak".into(), "sk".into())]);
        let request = ReceivedRequest {
            method: "GET",
            bucket: Some("b"),
            key: Some("k"),
            query: &[],
            headers: &[],
        };
        let now = SystemTime::now();
        assert_eq!(
            authenticate(&request, &secrets, true, now).expect("allowed"),
            Caller::Anonymous
        );
        let err = authenticate(&request, &secrets, false, now).expect_err("refused");
        assert_eq!(err.code, "AccessDenied");
        assert_eq!(err.status, StatusCode::FORBIDDEN);
    }
}
