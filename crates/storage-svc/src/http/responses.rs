//! The answers: JitAi's JSON envelope (`{"errcode":0,"errmsg":"","data":…}`), errors in
//! it with their HTTP status, and files ([`FileContent`]) with their headers — type,
//! `nosniff`, ETag, ranges, 304, `Content-Disposition` (RFC 6266 / 5987), no-cache and a
//! sandboxing CSP for active content.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::auth::AccessDenied;
use crate::error::{SvcError, SvcErrorKind};
use crate::service::{Disposition, FileContent};

/// What a handler fails with: a service error or the hook's refusal.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// A StorageSvc error (bad input included).
    Svc(SvcError),
    /// The access hook said no.
    Denied(AccessDenied),
    /// The router's own answer: no such method (404), HTTP method not allowed (405).
    Route {
        /// The HTTP status.
        status: u16,
        /// The kind named in the envelope.
        kind: &'static str,
        /// The message.
        message: String,
    },
}

impl From<SvcError> for ApiError {
    fn from(e: SvcError) -> Self {
        ApiError::Svc(e)
    }
}

impl From<AccessDenied> for ApiError {
    fn from(e: AccessDenied) -> Self {
        ApiError::Denied(e)
    }
}

/// The error envelope.
#[derive(Serialize)]
struct ErrorBody<'a> {
    errcode: u16,
    errmsg: String,
    kind: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message) = match &self {
            ApiError::Svc(e) => (e.http_status(), format!("{:?}", e.kind()), e.to_string()),
            ApiError::Denied(d) => (d.http_status(), d.kind_name().to_owned(), d.to_string()),
            ApiError::Route {
                status,
                kind,
                message,
            } => (
                *status,
                (*kind).to_owned(),
                format!("StorageSvc: {message}"),
            ),
        };
        if status >= 500 {
            tracing::warn!(status, kind = %kind, "StorageSvc: {message}");
        } else {
            tracing::debug!(status, kind = %kind, "StorageSvc: {message}");
        }
        let body = ErrorBody {
            errcode: status,
            errmsg: message,
            kind: &kind,
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, json_headers(), json_bytes(&body)).into_response();
        if let ApiError::Svc(e) = &self {
            if let (SvcErrorKind::RangeNotSatisfiable, Some(size)) = (e.kind(), e.object_size()) {
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    response.headers_mut().insert(header::CONTENT_RANGE, value);
                }
            }
        }
        if matches!(self, ApiError::Denied(AccessDenied::Unauthorized(_))) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The success envelope.
#[derive(Serialize)]
struct OkBody<T: Serialize> {
    errcode: u16,
    errmsg: &'static str,
    data: T,
}

/// `{"errcode":0,"errmsg":"","data":<data>}` (`data` `null` for `()` / `None`).
pub(crate) fn ok_json<T: Serialize>(data: T) -> Response {
    let body = OkBody {
        errcode: 0,
        errmsg: "",
        data,
    };
    (StatusCode::OK, json_headers(), json_bytes(&body)).into_response()
}

fn json_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ]
}

fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{\"errcode\":500}".to_vec())
}

/// A file: 200 with the body, 206 with a range of it, or 304 without.
pub(crate) fn file_response(content: FileContent) -> Response {
    let mut headers = HeaderMap::new();
    let content_type = HeaderValue::from_str(&content.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    if is_active(&content.content_type) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(etag) = HeaderValue::from_str(&content.etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(&content.disposition),
    );
    if content.not_modified {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let (status, length) = match &content.range {
        Some(range) => {
            let value = format!(
                "bytes {}-{}/{}",
                range.start,
                range.end.saturating_sub(1),
                content.size
            );
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(header::CONTENT_RANGE, v);
            }
            (StatusCode::PARTIAL_CONTENT, range.end - range.start)
        }
        None => (StatusCode::OK, content.size),
    };
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    let body = match content.body {
        Some(stream) => Body::from_stream(stream),
        None => Body::empty(),
    };
    (status, headers, body).into_response()
}

/// Whether a browser would run something of this type when shown inline: HTML, SVG,
/// XML and JavaScript.
fn is_active(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "text/html"
            | "application/xhtml+xml"
            | "image/svg+xml"
            | "text/xml"
            | "application/xml"
            | "text/xsl"
            | "text/javascript"
            | "application/javascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "application/ecmascript"
            | "application/pdf"
    ) || essence.ends_with("+xml")
        || essence.is_empty()
}

/// `inline`, or `attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<name>`: the
/// name percent-encoded (RFC 5987), and an ASCII fallback with quotes, backslashes,
/// controls and non-ASCII replaced, so no name can inject a header or a parameter.
pub(crate) fn content_disposition(disposition: &Disposition) -> HeaderValue {
    let Disposition::Attachment(name) = disposition else {
        return HeaderValue::from_static("inline");
    };
    // The name without any folder part, as a browser would save it.
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = if base.is_empty() { "download" } else { base };
    let fallback: String = base
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::with_capacity(base.len() * 3);
    for b in base.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let value = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_are_encoded_without_injection() {
        let v = content_disposition(&Disposition::Attachment(
            "dir/Résumé \"final\"\r\nX-Evil: 1.pdf".into(),
        ));
        let v = v.to_str().unwrap();
        assert_eq!(
            v,
            "attachment; filename=\"R_sum_ _final___X-Evil: 1.pdf\"; \
             filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%0D%0AX-Evil%3A%201.pdf"
        );
        assert_eq!(content_disposition(&Disposition::Inline), "inline");
    }

    #[test]
    fn active_types_are_recognised() {
        for t in [
            "text/html; charset=utf-8",
            "image/svg+xml",
            "application/javascript",
            "application/atom+xml",
            "",
        ] {
            assert!(is_active(t), "{t}");
        }
        for t in [
            "image/png",
            "text/plain",
            "application/octet-stream",
            "video/mp4",
        ] {
            assert!(!is_active(t), "{t}");
        }
    }
}
