//! Object-store failures as [`StorageError`]s: the XML error body (code, message,
//! request id, host id; the same `<Error>` shape for OSS and S3, and for OSS's
//! bodiless HEAD answers the same XML from its `x-oss-err` header) or, when there is
//! no XML, the HTTP status; transport errors; answers that cannot be used. The
//! dialect's [`Vocabulary`] names the headers and the service. Which failures are
//! worth retrying is not decided here but by the contract's one table,
//! `jit_storage::retry::is_retryable`, from the kind, status and code set here.

use base64::Engine as _;
use jit_oss_protocol::OssErrorBody;
use jit_storage::{RemoteError, StorageError, StorageErrorKind};
use reqwest::header::HeaderMap;

use crate::engine::vocabulary::Vocabulary;

/// The storage error kind of an error code (when the body had one; OSS and S3 share
/// their codes) or, failing that, of the HTTP status.
pub fn kind_for(status: u16, code: Option<&str>) -> StorageErrorKind {
    use StorageErrorKind as K;
    if let Some(code) = code {
        let kind = match code {
            "NoSuchKey" | "NoSuchBucket" | "NoSuchUpload" | "NoSuchVersion" => Some(K::NotFound),
            "AccessDenied"
            | "SignatureDoesNotMatch"
            | "InvalidAccessKeyId"
            | "SecurityTokenExpired"
            | "InvalidSecurityToken"
            | "AccessForbidden"
            | "UserDisable"
            | "RequestTimeTooSkewed"
            | "ExpiredToken"
            | "InvalidToken"
            | "TokenRefreshRequired"
            | "AllAccessDisabled"
            | "AccountProblem"
            | "NotSignedUp" => Some(K::PermissionDenied),
            "AuthorizationHeaderMalformed"
            | "PermanentRedirect"
            | "IllegalLocationConstraintException" => Some(K::InvalidConfig),
            "InvalidArgument"
            | "InvalidObjectName"
            | "InvalidBucketName"
            | "EntityTooLarge"
            | "EntityTooSmall"
            | "InvalidPart"
            | "InvalidPartOrder"
            | "MalformedXML"
            | "MissingArgument"
            | "MissingContentLength"
            | "InvalidRange"
            | "TooManyBuckets"
            | "InvalidEncryptionAlgorithm"
            | "InvalidPolicyDocument"
            | "FieldItemTooLong"
            | "SecondLevelDomainForbidden"
            | "InvalidTargetType"
            | "InvalidRequest"
            | "KeyTooLongError"
            | "MetadataTooLarge"
            | "InvalidPartNumber"
            | "MissingSecurityHeader"
            | "IncorrectNumberOfFilesInPostRequest" => Some(K::InvalidArgument),
            "PositionNotEqualToLength"
            | "FileAlreadyExists"
            | "ObjectNotAppendable"
            | "PreconditionFailed"
            | "BucketAlreadyExists"
            | "BucketNotEmpty"
            | "FilePartInterity"
            | "FilePartStale"
            | "FilePartNotExist"
            | "OperationAborted"
            | "ConditionalRequestConflict"
            | "InvalidObjectState" => Some(K::Conflict),
            "InvalidDigest"
            | "BadDigest"
            | "CrcCheckFailed"
            | "XAmzContentSHA256Mismatch"
            | "XAmzContentChecksumMismatch"
            | "IncompleteBody" => Some(K::IntegrityMismatch),
            "SlowDown" | "TooManyRequests" | "QpsLimitExceeded" | "Throttling" => {
                Some(K::RateLimited)
            }
            "RequestTimeout" => Some(K::Timeout),
            "NotImplemented" | "MethodNotAllowed" | "OperationNotSupported" => Some(K::Unsupported),
            "InternalError" | "ServiceUnavailable" => Some(K::Server),
            _ => None,
        };
        if let Some(kind) = kind {
            return kind;
        }
    }
    match status {
        404 => K::NotFound,
        401 | 403 => K::PermissionDenied,
        408 => K::Timeout,
        409 | 412 => K::Conflict,
        429 => K::RateLimited,
        501 | 405 => K::Unsupported,
        400..=499 => K::InvalidArgument,
        _ => K::Server,
    }
}

/// The request id of a response, from the dialect's header.
pub fn request_id(words: &Vocabulary, headers: &HeaderMap) -> Option<String> {
    headers
        .get(words.request_id)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The error of a failed response: its status, headers and (possibly empty or
/// non-XML) body.
///
/// Only the code, message, request id and host id of an XML body are used: OSS and S3
/// echo the StringToSign in `SignatureDoesNotMatch` bodies, which may hold an STS
/// token.
pub fn from_response_parts(
    words: &Vocabulary,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> StorageError {
    let parsed = OssErrorBody::parse(body)
        .or_else(|| {
            // HEAD answers have no body: OSS repeats the XML, base64, in `x-oss-err`.
            let encoded = headers.get(words.error_header?)?.as_bytes();
            let xml = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            OssErrorBody::parse(&xml)
        })
        .filter(|b| !b.code.is_empty());
    let header_id = request_id(words, headers);
    match parsed {
        Some(b) => {
            let kind = kind_for(status, Some(&b.code));
            let message = if b.message.is_empty() {
                format!("HTTP {status}")
            } else {
                b.message.clone()
            };
            let message = if b.code == "RequestTimeTooSkewed" {
                format!(
                    "{message} (check this machine's clock: {} allows 15 minutes of skew)",
                    words.service
                )
            } else {
                message
            };
            StorageError::new(kind, message).with_remote(RemoteError {
                status: Some(status),
                code: Some(b.code),
                request_id: non_empty(b.request_id).or(header_id),
                host_id: non_empty(b.host_id),
            })
        }
        None => {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            let mut message = format!("HTTP {status} {reason}").trim_end().to_string();
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.trim().chars().take(200).collect();
            if !snippet.is_empty() {
                message.push_str(": ");
                message.push_str(&snippet);
            }
            StorageError::new(kind_for(status, None), message).with_remote(RemoteError {
                status: Some(status),
                code: None,
                request_id: header_id,
                host_id: None,
            })
        }
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// A transport failure (connect, timeout, broken connection, bad body) with `service`
/// as an error.
pub fn from_reqwest(err: reqwest::Error, service: &str) -> StorageError {
    let kind = if err.is_timeout() {
        StorageErrorKind::Timeout
    } else if err.is_decode() {
        StorageErrorKind::Server
    } else {
        StorageErrorKind::Network
    };
    let what = if err.is_connect() {
        format!("cannot connect to {service}")
    } else if err.is_timeout() {
        format!("{service} did not answer in time")
    } else {
        format!("the connection to {service} failed")
    };
    StorageError::new(kind, what).with_source(err)
}

/// Whether a request that failed with `err` may nevertheless have been carried out by
/// the server: the connection broke or went quiet once the request may have reached it
/// ([`Network`](StorageErrorKind::Network) or [`Timeout`](StorageErrorKind::Timeout)
/// without any HTTP answer), so no answer says either way. A connection that could not
/// be made, or any answer with a status, is not such a case.
pub fn answer_lost(err: &StorageError) -> bool {
    use std::error::Error as _;
    let kind = matches!(
        err.kind(),
        StorageErrorKind::Network | StorageErrorKind::Timeout
    );
    let answered = err.remote().and_then(|r| r.status).is_some();
    let never_connected = err
        .source()
        .and_then(|s| s.downcast_ref::<reqwest::Error>())
        .is_some_and(reqwest::Error::is_connect);
    kind && !answered && !never_connected
}

/// A successful answer that cannot be used: malformed XML, a missing header. Kind
/// [`Server`](StorageErrorKind::Server) (the fault is on the other side), with the
/// request id when the headers carry one.
pub fn malformed_response(
    words: &Vocabulary,
    message: impl Into<String>,
    headers: Option<&HeaderMap>,
) -> StorageError {
    let err = StorageError::new(StorageErrorKind::Server, message);
    match headers {
        Some(headers) => with_request_id(words, err, headers),
        None => err,
    }
}

/// `err` with the request id of the answer whose `headers` are given, when they carry
/// one: what the service's support asks for.
pub fn with_request_id(words: &Vocabulary, err: StorageError, headers: &HeaderMap) -> StorageError {
    match request_id(words, headers) {
        Some(id) => err.with_remote(RemoteError {
            request_id: Some(id),
            ..RemoteError::default()
        }),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::dialect::OSS_VOCABULARY;
    use reqwest::header::HeaderValue;

    const REQUEST_ID_HEADER: &str = "x-oss-request-id";
    const ERROR_HEADER: &str = "x-oss-err";

    fn from_response_parts(status: u16, headers: &HeaderMap, body: &[u8]) -> StorageError {
        super::from_response_parts(&OSS_VOCABULARY, status, headers, body)
    }

    fn headers(id: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(id) = id {
            h.insert(REQUEST_ID_HEADER, HeaderValue::from_str(id).unwrap());
        }
        h
    }

    fn xml(code: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>msg of {code}</Message><RequestId>RID1</RequestId><HostId>b.oss.example</HostId><StringToSign>GET\nsecret-token</StringToSign></Error>"
        )
    }

    #[test]
    fn xml_codes_map_to_kinds() {
        use StorageErrorKind as K;
        let cases = [
            ("NoSuchKey", 404, K::NotFound),
            ("NoSuchBucket", 404, K::NotFound),
            ("NoSuchUpload", 404, K::NotFound),
            ("AccessDenied", 403, K::PermissionDenied),
            ("SignatureDoesNotMatch", 403, K::PermissionDenied),
            ("InvalidAccessKeyId", 403, K::PermissionDenied),
            ("SecurityTokenExpired", 403, K::PermissionDenied),
            ("InvalidArgument", 400, K::InvalidArgument),
            ("InvalidObjectName", 400, K::InvalidArgument),
            ("EntityTooLarge", 400, K::InvalidArgument),
            ("PositionNotEqualToLength", 409, K::Conflict),
            ("FileAlreadyExists", 409, K::Conflict),
            ("InvalidDigest", 400, K::IntegrityMismatch),
            ("BadDigest", 400, K::IntegrityMismatch),
            ("SlowDown", 503, K::RateLimited),
            ("InternalError", 500, K::Server),
            ("ExpiredToken", 400, K::PermissionDenied),
            ("InvalidToken", 400, K::PermissionDenied),
            ("XAmzContentSHA256Mismatch", 400, K::IntegrityMismatch),
            ("XAmzContentChecksumMismatch", 400, K::IntegrityMismatch),
            ("AuthorizationHeaderMalformed", 400, K::InvalidConfig),
            ("PermanentRedirect", 301, K::InvalidConfig),
            ("InvalidRequest", 400, K::InvalidArgument),
            ("OperationAborted", 409, K::Conflict),
            ("SomethingNew", 503, K::Server),
            ("SomethingNew", 400, K::InvalidArgument),
        ];
        for (code, status, kind) in cases {
            let err = from_response_parts(status, &headers(None), xml(code).as_bytes());
            assert_eq!(err.kind(), kind, "{code}");
            assert_eq!(err.code(), Some(code));
            assert_eq!(err.request_id(), Some("RID1"));
            assert_eq!(
                err.remote().unwrap().host_id.as_deref(),
                Some("b.oss.example")
            );
            assert_eq!(err.remote().unwrap().status, Some(status));
            assert_eq!(err.message(), format!("msg of {code}"));
            assert!(!format!("{err} {err:?}").contains("secret-token"));
        }
    }

    #[test]
    fn clock_skew_is_explained_and_retried() {
        let skew = from_response_parts(403, &headers(None), xml("RequestTimeTooSkewed").as_bytes());
        assert!(skew.message().contains("clock"), "{skew}");
        assert!(skew.message().contains("OSS allows 15 minutes"), "{skew}");
        assert!(skew.is_retryable());
        let denied =
            from_response_parts(403, &headers(None), xml("SignatureDoesNotMatch").as_bytes());
        assert!(!denied.is_retryable());
    }

    #[test]
    fn non_xml_bodies_keep_the_status() {
        let err = from_response_parts(502, &headers(Some("HDR-ID")), b"<html>Bad gateway</html>");
        assert_eq!(err.kind(), StorageErrorKind::Server);
        assert_eq!(err.code(), None);
        assert_eq!(err.request_id(), Some("HDR-ID"));
        assert_eq!(err.remote().unwrap().status, Some(502));
        assert!(err.to_string().contains("HTTP 502"), "{err}");
        assert!(err.message().contains("Bad gateway"), "{err}");

        // HEAD responses have no body at all.
        let err = from_response_parts(404, &headers(Some("X")), b"");
        assert_eq!(err.kind(), StorageErrorKind::NotFound);
        assert_eq!(err.message(), "HTTP 404 Not Found");
        let err = from_response_parts(429, &headers(None), b"slow down");
        assert_eq!(err.kind(), StorageErrorKind::RateLimited);
        let err = from_response_parts(403, &headers(None), b"");
        assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
    }

    #[test]
    fn head_errors_come_from_the_x_oss_err_header() {
        let mut h = headers(Some("HEAD-ID"));
        let encoded = base64::engine::general_purpose::STANDARD.encode(xml("NoSuchBucket"));
        h.insert(ERROR_HEADER, HeaderValue::from_str(&encoded).unwrap());
        let err = from_response_parts(404, &h, b"");
        assert_eq!(err.code(), Some("NoSuchBucket"));
        assert_eq!(err.request_id(), Some("RID1"));
        h.insert(ERROR_HEADER, HeaderValue::from_static("not base64!"));
        let err = from_response_parts(404, &h, b"");
        assert_eq!(err.code(), None);
        assert_eq!(err.kind(), StorageErrorKind::NotFound);
    }

    #[test]
    fn only_failures_without_an_answer_may_have_been_carried_out() {
        let reset = StorageError::new(StorageErrorKind::Network, "reset");
        assert!(answer_lost(&reset));
        let idle = StorageError::new(StorageErrorKind::Timeout, "no progress");
        assert!(answer_lost(&idle));
        let answered = from_response_parts(503, &headers(None), b"");
        assert!(!answer_lost(&answered));
        let timeout_answer = from_response_parts(408, &headers(None), b"");
        assert_eq!(timeout_answer.kind(), StorageErrorKind::Timeout);
        assert!(!answer_lost(&timeout_answer));
        assert!(!answer_lost(&StorageError::not_found("x")));
    }

    #[tokio::test]
    async fn a_refused_connection_was_never_sent() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = reqwest::get(format!("http://{addr}/")).await.unwrap_err();
        let err = from_reqwest(err, "OSS");
        assert_eq!(err.kind(), StorageErrorKind::Network);
        assert!(!answer_lost(&err), "{err:?}");
    }

    #[test]
    fn header_request_id_fills_a_body_without_one() {
        let body = b"<Error><Code>NoSuchKey</Code><Message>m</Message></Error>";
        let err = from_response_parts(404, &headers(Some("FROM-HEADER")), body);
        assert_eq!(err.request_id(), Some("FROM-HEADER"));
        assert_eq!(err.kind(), StorageErrorKind::NotFound);
    }
}
