//! Injecting a request's drawn fault into its life: [`before`] it is handled (a 500 or
//! 503 answer instead, a slow start, or the connection reset once part of the body was
//! read: none of these applies the request) and [`after`] (the request was applied:
//! its answer lost, cut by a reset, truncated, or carrying a wrong CRC). A fault that
//! turns out not to fit (no connection handle, an answer with no body to cut, no CRC
//! header to falsify) is left out and not counted.

use axum::body::{Body, HttpBody};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use futures::StreamExt;

use super::body::CutBody;
use super::config::FaultKind;
use super::conn::{ConnHandle, End};
use super::plan::Injector;
use crate::error::{OssError, OssResult};

/// What to do after [`before`].
#[derive(Debug)]
pub enum Before {
    /// Handle the request (with its body, untouched).
    Proceed(Body),
    /// Answer this instead (for a reset request, an answer that is never sent).
    Answer(OssResult<Response>),
}

/// Applies the faults that strike before a request is handled.
pub async fn before(
    injector: &Injector,
    fault: Option<FaultKind>,
    headers: &HeaderMap,
    body: Body,
    conn: Option<&ConnHandle>,
) -> Before {
    match fault {
        Some(kind @ FaultKind::InternalError) => {
            injector.record(kind);
            Before::Answer(Err(OssError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again. (injected fault)",
            )))
        }
        Some(kind @ FaultKind::Unavailable) => {
            injector.record(kind);
            Before::Answer(Err(OssError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Please reduce your request rate. (injected fault)",
            )))
        }
        Some(kind @ FaultKind::Slow) => {
            injector.record(kind);
            tokio::time::sleep(injector.delay()).await;
            Before::Proceed(body)
        }
        Some(kind @ FaultKind::ResetRequest) => match conn {
            Some(conn) => {
                read_part(headers, body).await;
                conn.kill(End::Reset);
                injector.record(kind);
                Before::Answer(Err(OssError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "The connection was reset. (injected fault)",
                )))
            }
            None => Before::Proceed(body),
        },
        _ => Before::Proceed(body),
    }
}

/// Reads about half of a request's body (at least its first bytes, none if it has no
/// body) and drops the rest unread.
async fn read_part(headers: &HeaderMap, body: Body) {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let want = match declared {
        // Half of it, and at least one byte of a body that is not empty.
        Some(n) => (n / 2).max(n.min(1)),
        None if headers.contains_key(header::TRANSFER_ENCODING) => 1,
        None => 0,
    };
    let mut stream = body.into_data_stream();
    let mut got: u64 = 0;
    while got < want {
        match stream.next().await {
            Some(Ok(chunk)) => got = got.saturating_add(chunk.len() as u64),
            _ => break,
        }
    }
}

/// Applies the faults that strike once a request was handled.
pub fn after(
    injector: &Injector,
    fault: Option<FaultKind>,
    response: Response,
    conn: Option<&ConnHandle>,
) -> Response {
    match (fault, conn) {
        (Some(kind @ FaultKind::LostAnswer), Some(conn)) => {
            conn.kill(End::Close);
            injector.record(kind);
            response
        }
        (Some(kind @ FaultKind::ResetResponse), Some(conn)) => {
            cut(injector, kind, response, conn, End::Reset)
        }
        (Some(kind @ FaultKind::Truncate), Some(conn)) => {
            cut(injector, kind, response, conn, End::Close)
        }
        (Some(kind @ FaultKind::BadCrc), _) => bad_crc(injector, kind, response),
        _ => response,
    }
}

/// Sends the head and half the body of `response`, then ends the connection. An
/// answer that may not have a body (204, 304) is left alone; so, for `truncate`, is one
/// whose body is empty or of unknown length.
fn cut(
    injector: &Injector,
    kind: FaultKind,
    response: Response,
    conn: &ConnHandle,
    end: End,
) -> Response {
    let status = response.status();
    if status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || status.is_informational()
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(|| body.size_hint().exact());
    let keep = match (kind, declared) {
        (_, Some(n)) if n > 0 => n / 2,
        (FaultKind::ResetResponse, _) => 0,
        _ => return Response::from_parts(parts, body),
    };
    match declared {
        // The full length is declared, as the real answer would have it.
        Some(n) if n > 0 => {
            if let Ok(value) = HeaderValue::from_str(&n.to_string()) {
                parts.headers.insert(header::CONTENT_LENGTH, value);
            }
        }
        // An empty answer is sent chunked, so that it has a body to cut.
        _ => {
            parts.headers.remove(header::CONTENT_LENGTH);
        }
    }
    injector.record(kind);
    let cut = CutBody::new(body, keep, conn.clone(), end);
    Response::from_parts(parts, Body::from_stream(cut))
}

/// Replaces a successful answer's `x-oss-hash-crc64ecma` with a wrong one.
fn bad_crc(injector: &Injector, kind: FaultKind, mut response: Response) -> Response {
    if !response.status().is_success() {
        return response;
    }
    let headers = response.headers_mut();
    let crc = headers
        .get("x-oss-hash-crc64ecma")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(crc) = crc {
        if let Ok(value) = HeaderValue::from_str(&(!crc).to_string()) {
            headers.insert("x-oss-hash-crc64ecma", value);
            injector.record(kind);
        }
    }
    response
}
