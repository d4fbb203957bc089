//! Why the S3 verifier refused a request: [`S3VerifyError`], each variant mapping to
//! the S3 error code, HTTP status and message S3 answers with. Canonical requests and
//! strings to sign can hold the session token, so `Debug` and `Display` print only
//! their lengths.

use std::fmt;
use std::time::SystemTime;

/// Why a request was not accepted (see [`S3VerifyError::s3_code`]).
#[derive(thiserror::Error)]
pub enum S3VerifyError {
    /// Neither an `Authorization` header nor `X-Amz-*` query authentication: the
    /// request is anonymous (S3 answers `AccessDenied` unless the bucket is public).
    #[error("request carries no signature")]
    Anonymous,
    /// The access key id is unknown.
    #[error("unknown access key id {access_key_id}")]
    InvalidAccessKeyId {
        /// The id the request named.
        access_key_id: String,
    },
    /// The signature does not match. S3 returns what it computed so that the client
    /// can compare: `<CanonicalRequest>`, `<StringToSign>`, `<SignatureProvided>`.
    #[error("signature does not match")]
    SignatureDoesNotMatch {
        /// The access key id that signed.
        access_key_id: String,
        /// The server's canonical request.
        canonical_request: String,
        /// The server's string to sign.
        string_to_sign: String,
        /// The signature the request carried.
        signature_provided: String,
    },
    /// A presigned URL past its expiry: `AccessDenied`, "Request has expired".
    #[error("request has expired")]
    Expired {
        /// When the URL expired.
        expires: SystemTime,
        /// The server's time.
        server_time: SystemTime,
    },
    /// The request's time is more than the allowed skew (15 minutes) from the server's.
    #[error("request time differs too much from server time")]
    RequestTimeTooSkewed {
        /// The time the request was signed at.
        request_time: SystemTime,
        /// The server's time.
        server_time: SystemTime,
    },
    /// `x-amz-*` headers (or `host`) present but not in `SignedHeaders`.
    #[error("headers present in the request were not signed: {}", .0.join(", "))]
    HeadersNotSigned(Vec<String>),
    /// A header-signed request without a valid `x-amz-date` or `Date` header.
    #[error("AWS authentication requires a valid Date or x-amz-date header")]
    MissingDate,
    /// A malformed `Authorization` header (fields, credential, scope, region).
    #[error("malformed Authorization header: {0}")]
    AuthorizationHeaderMalformed(String),
    /// Malformed or missing `X-Amz-*` query parameters of a presigned URL.
    #[error("malformed presigned URL: {0}")]
    AuthorizationQueryParametersError(String),
    /// A header-signed request without `x-amz-content-sha256` (`InvalidRequest`).
    #[error("missing required header for this request: x-amz-content-sha256")]
    MissingContentSha256,
    /// An authorization mechanism other than SigV4 (`InvalidRequest`), e.g. V2.
    #[error("the authorization mechanism you have provided is not supported; please use AWS4-HMAC-SHA256")]
    UnsupportedMechanism,
    /// An invalid `x-amz-content-sha256`, or several authentication mechanisms at once
    /// (`InvalidArgument`).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl fmt::Debug for S3VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The canonical request and string to sign can hold the session token.
            S3VerifyError::SignatureDoesNotMatch {
                access_key_id,
                canonical_request,
                string_to_sign,
                signature_provided,
            } => f
                .debug_struct("SignatureDoesNotMatch")
                .field("access_key_id", access_key_id)
                .field(
                    "canonical_request",
                    &format_args!("<{} bytes>", canonical_request.len()),
                )
                .field(
                    "string_to_sign",
                    &format_args!("<{} bytes>", string_to_sign.len()),
                )
                .field("signature_provided", signature_provided)
                .finish(),
            S3VerifyError::Anonymous => f.write_str("Anonymous"),
            S3VerifyError::InvalidAccessKeyId { access_key_id } => f
                .debug_struct("InvalidAccessKeyId")
                .field("access_key_id", access_key_id)
                .finish(),
            S3VerifyError::Expired {
                expires,
                server_time,
            } => f
                .debug_struct("Expired")
                .field("expires", expires)
                .field("server_time", server_time)
                .finish(),
            S3VerifyError::RequestTimeTooSkewed {
                request_time,
                server_time,
            } => f
                .debug_struct("RequestTimeTooSkewed")
                .field("request_time", request_time)
                .field("server_time", server_time)
                .finish(),
            S3VerifyError::HeadersNotSigned(h) => {
                f.debug_tuple("HeadersNotSigned").field(h).finish()
            }
            S3VerifyError::MissingDate => f.write_str("MissingDate"),
            S3VerifyError::AuthorizationHeaderMalformed(m) => f
                .debug_tuple("AuthorizationHeaderMalformed")
                .field(m)
                .finish(),
            S3VerifyError::AuthorizationQueryParametersError(m) => f
                .debug_tuple("AuthorizationQueryParametersError")
                .field(m)
                .finish(),
            S3VerifyError::MissingContentSha256 => f.write_str("MissingContentSha256"),
            S3VerifyError::UnsupportedMechanism => f.write_str("UnsupportedMechanism"),
            S3VerifyError::InvalidArgument(m) => f.debug_tuple("InvalidArgument").field(m).finish(),
        }
    }
}

impl S3VerifyError {
    /// The S3 error code a server answers with.
    pub fn s3_code(&self) -> &'static str {
        match self {
            S3VerifyError::Anonymous
            | S3VerifyError::Expired { .. }
            | S3VerifyError::HeadersNotSigned(_)
            | S3VerifyError::MissingDate => "AccessDenied",
            S3VerifyError::InvalidAccessKeyId { .. } => "InvalidAccessKeyId",
            S3VerifyError::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
            S3VerifyError::RequestTimeTooSkewed { .. } => "RequestTimeTooSkewed",
            S3VerifyError::AuthorizationHeaderMalformed(_) => "AuthorizationHeaderMalformed",
            S3VerifyError::AuthorizationQueryParametersError(_) => {
                "AuthorizationQueryParametersError"
            }
            S3VerifyError::MissingContentSha256 | S3VerifyError::UnsupportedMechanism => {
                "InvalidRequest"
            }
            S3VerifyError::InvalidArgument(_) => "InvalidArgument",
        }
    }

    /// The HTTP status a server answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            S3VerifyError::AuthorizationHeaderMalformed(_)
            | S3VerifyError::AuthorizationQueryParametersError(_)
            | S3VerifyError::MissingContentSha256
            | S3VerifyError::UnsupportedMechanism
            | S3VerifyError::InvalidArgument(_) => 400,
            _ => 403,
        }
    }

    /// The `<Message>` S3 writes for this error.
    pub fn message(&self) -> String {
        match self {
            S3VerifyError::Anonymous => "Access Denied".to_owned(),
            S3VerifyError::InvalidAccessKeyId { .. } => {
                "The AWS Access Key Id you provided does not exist in our records.".to_owned()
            }
            S3VerifyError::SignatureDoesNotMatch { .. } => "The request signature we calculated \
                 does not match the signature you provided. Check your key and signing method."
                .to_owned(),
            S3VerifyError::Expired { .. } => "Request has expired".to_owned(),
            S3VerifyError::RequestTimeTooSkewed { .. } => {
                "The difference between the request time and the current time is too large."
                    .to_owned()
            }
            S3VerifyError::HeadersNotSigned(_) => {
                "There were headers present in the request which were not signed".to_owned()
            }
            S3VerifyError::MissingDate => {
                "AWS authentication requires a valid Date or x-amz-date header".to_owned()
            }
            S3VerifyError::AuthorizationHeaderMalformed(m)
            | S3VerifyError::AuthorizationQueryParametersError(m)
            | S3VerifyError::InvalidArgument(m) => m.clone(),
            S3VerifyError::MissingContentSha256 => {
                "Missing required header for this request: x-amz-content-sha256".to_owned()
            }
            S3VerifyError::UnsupportedMechanism => "The authorization mechanism you have \
                 provided is not supported. Please use AWS4-HMAC-SHA256."
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_what_was_signed() {
        let e = S3VerifyError::SignatureDoesNotMatch {
            access_key_id: "AK".into(),
            canonical_request: "x-amz-security-token:SECRET-TOKEN".into(),
            string_to_sign: "SECRET-STS".into(),
            signature_provided: "sig".into(),
        };
        for s in [format!("{e:?}"), format!("{e}"), e.message()] {
            assert!(!s.contains("SECRET"), "{s}");
        }
        assert_eq!(e.s3_code(), "SignatureDoesNotMatch");
        assert_eq!(e.http_status(), 403);
        assert_eq!(
            S3VerifyError::MissingContentSha256.s3_code(),
            "InvalidRequest"
        );
    }
}
