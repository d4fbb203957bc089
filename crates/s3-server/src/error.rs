//! Errors: [`S3Error`] (an S3 error answer: status, code, message, extra XML fields
//! and headers) and its rendering as S3's `<Error>` XML body with `RequestId`,
//! `HostId` and `Resource`.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;

use jit_oss_server::shared::response::xml_error_response;
use jit_oss_server::StoreError;

use crate::xml::escape;

/// Result of a handler step: a value or the S3 error to answer with.
pub type S3Result<T> = Result<T, S3Error>;

/// One S3 error answer, before the request id is known.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct S3Error {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Extra elements of the `<Error>` body, in order (`Key`, `StringToSign`, ...).
    pub extra: Vec<(&'static str, String)>,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
}

impl S3Error {
    /// A new error answer.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        S3Error {
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

    /// 400 InvalidArgument, naming the argument.
    pub fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
            .with_extra("ArgumentName", name)
            .with_extra("ArgumentValue", value)
    }

    /// 400 InvalidRequest.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
    }

    /// 400 BadDigest: a checksum or Content-MD5 does not match the body.
    pub fn bad_digest(message: impl Into<String>) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "BadDigest", message)
    }

    /// 400 MalformedXML.
    pub fn malformed_xml() -> Self {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    /// 400 IncompleteBody.
    pub fn incomplete_body(message: impl Into<String>) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "IncompleteBody", message)
    }

    /// 404 NoSuchKey.
    pub fn no_such_key(key: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .with_extra("Key", key)
    }

    /// 404 NoSuchBucket.
    pub fn no_such_bucket(bucket: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
        )
        .with_extra("BucketName", bucket)
    }

    /// 404 NoSuchUpload.
    pub fn no_such_upload(upload_id: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
        .with_extra("UploadId", upload_id)
    }

    /// 403 AccessDenied.
    pub fn access_denied(message: impl Into<String>) -> Self {
        S3Error::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed() -> Self {
        S3Error::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )
    }

    /// 501 NotImplemented.
    pub fn not_implemented(what: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented by this server."),
        )
    }

    /// 500 InternalError.
    pub fn internal(detail: impl Into<String>) -> Self {
        S3Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            format!("We encountered an internal error: {}", detail.into()),
        )
    }

    /// The response: the `<Error>` body (none for HEAD), `x-amz-request-id` and
    /// `x-amz-id-2` are added by the router.
    pub fn into_response_with(
        self,
        request_id: &str,
        host_id: &str,
        resource: &str,
        head: bool,
    ) -> Response {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
        xml.push_str(&format!(
            "<Code>{}</Code><Message>{}</Message>",
            self.code,
            escape(&self.message)
        ));
        for (name, value) in &self.extra {
            xml.push_str(&format!("<{name}>{}</{name}>", escape(value)));
        }
        xml.push_str(&format!(
            "<Resource>{}</Resource><RequestId>{}</RequestId><HostId>{}</HostId></Error>",
            escape(resource),
            escape(request_id),
            escape(host_id)
        ));
        let body = if head { Body::empty() } else { Body::from(xml) };
        xml_error_response(self.status, body, self.headers)
    }
}

impl From<StoreError> for S3Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NoSuchBucket(b) => S3Error::no_such_bucket(&b),
            StoreError::NoSuchKey(k) => S3Error::no_such_key(&k),
            StoreError::NoSuchUpload(u) => S3Error::no_such_upload(&u),
            StoreError::BucketNotEmpty(b) => S3Error::new(
                StatusCode::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
            )
            .with_extra("BucketName", b),
            StoreError::Conflict(k) => S3Error::new(
                StatusCode::CONFLICT,
                "OperationAborted",
                "A conflicting conditional operation is currently in progress against this resource. Please try again.",
            )
            .with_extra("Key", k),
            other => S3Error::internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn error_xml_has_code_message_request_id_and_resource() {
        let response =
            S3Error::no_such_key("a<b").into_response_with("RID", "HID", "/b/a<b", false);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("<Code>NoSuchKey</Code>"), "{text}");
        assert!(text.contains("<Key>a&lt;b</Key>"), "{text}");
        assert!(text.contains("<Resource>/b/a&lt;b</Resource><RequestId>RID</RequestId>"));
    }
}
