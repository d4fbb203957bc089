//! Errors: [`OssError`] (an OSS error answer: status, code, message, extra XML fields and
//! headers) and its rendering as the OSS `<Error>` XML body.
//!
//! Handlers return `Result<Response, OssError>`; the dispatcher (the crate's private
//! `routing` module) adds the request id and host id when it turns an error into a
//! response.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::prelude::{Engine as _, BASE64_STANDARD};

use jit_oss_protocol::error_xml::OssErrorBody;

use crate::shared::response::xml_error_response;
use crate::store::error::StoreError;

/// Result of a handler step: a value or the OSS error to answer with.
pub type OssResult<T> = Result<T, OssError>;

/// One OSS error answer, before the request id is known.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct OssError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// OSS error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Extra elements of the `<Error>` body, in order (`Key`, `StringToSign`, ...).
    pub extra: Vec<(&'static str, String)>,
    /// Extra response headers (e.g. `x-oss-next-append-position`).
    pub headers: Vec<(&'static str, String)>,
}

impl OssError {
    /// A new error answer.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        OssError {
            status,
            code,
            message: message.into(),
            extra: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds an element to the error body.
    pub fn with_extra(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 InvalidArgument, naming the offending argument.
    pub fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> Self {
        OssError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
            .with_extra("ArgumentName", name)
            .with_extra("ArgumentValue", value)
    }

    /// 404 NoSuchKey.
    pub fn no_such_key(key: &str) -> Self {
        OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .with_extra("Key", key)
    }

    /// 404 NoSuchBucket.
    pub fn no_such_bucket(bucket: &str) -> Self {
        OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        )
        .with_extra("BucketName", bucket)
    }

    /// 404 NoSuchUpload.
    pub fn no_such_upload(upload_id: &str) -> Self {
        OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
        .with_extra("UploadId", upload_id)
    }

    /// 403 AccessDenied.
    pub fn access_denied(message: impl Into<String>) -> Self {
        OssError::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 400 MalformedXML.
    pub fn malformed_xml(detail: impl std::fmt::Display) -> Self {
        OssError::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            format!("The XML you provided was not well-formed or did not validate against our published schema: {detail}"),
        )
    }

    /// 400 InvalidObjectName.
    pub fn invalid_object_name(message: impl Into<String>) -> Self {
        OssError::new(StatusCode::BAD_REQUEST, "InvalidObjectName", message)
    }

    /// 500 InternalError (details are logged, not sent).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        OssError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )
    }

    /// 501 NotImplemented.
    pub fn not_implemented(what: &str) -> Self {
        OssError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented by this local server."),
        )
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed() -> Self {
        OssError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )
    }

    /// Renders the error as an OSS response carrying `request_id`. A HEAD answer has no
    /// body, so, like OSS, it repeats the `<Error>` XML base64-encoded in `x-oss-err`
    /// (the SDKs read the error code from there).
    pub fn into_response_with(self, request_id: &str, host_id: &str, head: bool) -> Response {
        let body = render_error_xml(&self, request_id, host_id);
        let encoded = head.then(|| BASE64_STANDARD.encode(body.as_bytes()));
        let headers = encoded
            .map(|v| ("x-oss-err", v))
            .into_iter()
            .chain(self.headers);
        xml_error_response(self.status, Body::from(body), headers)
    }
}

impl From<StoreError> for OssError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NoSuchBucket(bucket) => OssError::no_such_bucket(&bucket),
            StoreError::NoSuchKey(key) => OssError::no_such_key(&key),
            StoreError::NoSuchUpload(id) => OssError::no_such_upload(&id),
            StoreError::BucketNotEmpty(bucket) => OssError::new(
                StatusCode::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            )
            .with_extra("BucketName", bucket),
            StoreError::Conflict(what) => OssError::new(
                StatusCode::CONFLICT,
                "ConcurrentUpdate",
                format!("The object was changed by another request: {what}"),
            ),
            other @ (StoreError::Io { .. } | StoreError::Corrupt { .. }) => {
                OssError::internal(other)
            }
        }
    }
}

/// Serializes the OSS `<Error>` body (with the shared protocol crate's writer).
fn render_error_xml(err: &OssError, request_id: &str, host_id: &str) -> String {
    let body = OssErrorBody {
        code: err.code.to_owned(),
        message: err.message.clone(),
        request_id: request_id.to_owned(),
        host_id: host_id.to_owned(),
        extra: err
            .extra
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect(),
    };
    body.to_xml()
}

impl IntoResponse for OssError {
    fn into_response(self) -> Response {
        self.into_response_with("", "localhost", false)
    }
}
