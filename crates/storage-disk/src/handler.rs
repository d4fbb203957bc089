//! The HTTP side of signed URLs: [`signed_url_router`], an axum router serving signed
//! GETs (streamed, with `Content-Type`, `Content-Length`, `ETag`, `Last-Modified` and
//! single `Range` support; HEAD too) and signed PUTs (streamed into the storage; the
//! request's `Content-Type` must be the signed one), and [`serve_signed_urls`], which
//! runs it on a listener.
//!
//! A host mounts the router where the storage's `baseUrl` points: with
//! `"baseUrl": "https://example.com/files"` the host nests it under `/files`
//! (`Router::new().nest("/files", signed_url_router(storage))`). Answers: 403 for a
//! missing, malformed, tampered or expired signature (or a wrong content type), 404 for
//! a missing object, 400 for a bad key, 411 for a PUT without `Content-Length`, 416 for
//! an unsatisfiable range.
//!
//! Every answer carries `X-Content-Type-Options: nosniff`, so a browser never guesses a
//! more dangerous type than the one sent. A GET served with a type a browser would
//! render as active content on the host's origin — HTML, XHTML, SVG, XML, XSL (see
//! [`is_active_content`]) — also carries `Content-Security-Policy: sandbox` (no script,
//! no same-origin access even if it is rendered) and, unless the object was stored with
//! its own `Content-Disposition` (the uploader's explicit choice, kept), a
//! `Content-Disposition: attachment`, so it is downloaded rather than rendered.
//!
//! Ranges: `bytes=a-b`, `bytes=a-` and `bytes=-n` with numbers of any size (a number
//! beyond 2^64 counts as 2^64 − 1): an end past the object is clamped, a start at or
//! past it is 416 with `Content-Range: bytes */<size>`; several ranges or another unit
//! are ignored (200, the whole object).

use std::net::SocketAddr;
use std::ops::Range;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use futures::TryStreamExt;
use jit_storage::{
    Payload, PresignMethod, PutOptions, StorageError, StorageErrorKind, StorageMeta,
};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::backend::DiskStorage;
use crate::read::stream_object;

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The router that serves the signed URLs of `storage` (paths `/{key}`). Mount it where
/// the storage's `baseUrl` points.
pub fn signed_url_router(storage: Arc<DiskStorage>) -> Router {
    Router::new()
        .route("/{*key}", get(serve_get).put(serve_put))
        .with_state(storage)
        .layer(axum::middleware::map_response(no_sniffing))
}

/// Adds `X-Content-Type-Options: nosniff` to every answer.
async fn no_sniffing(mut response: Response) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Whether a browser navigating to a response of `content_type` would render it as a
/// document able to run script on the serving origin: HTML, XHTML, SVG and XML of any
/// kind (`text/xml`, `application/xml`, `*+xml`), XSL. Parameters and letter case are
/// ignored; an unparseable type counts as active.
pub fn is_active_content(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((top, sub)) = essence.split_once('/') else {
        return true;
    };
    matches!(
        (top, sub),
        (
            "text",
            "html" | "xml" | "xsl" | "xml-external-parsed-entity"
        ) | (
            "application",
            "xml" | "xml-dtd" | "xml-external-parsed-entity"
        )
    ) || sub.ends_with("+xml")
        || sub.contains("html")
}

fn plain(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.into(),
    )
        .into_response()
}

/// Maps a storage error to a status, without revealing server paths.
fn error_response(err: StorageError) -> Response {
    match err.kind() {
        StorageErrorKind::NotFound => plain(StatusCode::NOT_FOUND, "no such object"),
        StorageErrorKind::InvalidArgument => plain(StatusCode::BAD_REQUEST, err.message()),
        StorageErrorKind::PermissionDenied => plain(StatusCode::FORBIDDEN, "forbidden"),
        StorageErrorKind::Conflict => plain(StatusCode::CONFLICT, err.message()),
        _ => {
            tracing::warn!(error = %err, "signed-URL request failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "the storage failed")
        }
    }
}

fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

async fn serve_get(
    State(storage): State<Arc<DiskStorage>>,
    Path(key): Path<String>,
    query: Pairs,
    headers: HeaderMap,
) -> Response {
    let Ok(Query(pairs)) = query else {
        return plain(StatusCode::FORBIDDEN, "malformed signed URL");
    };
    let grant = match storage.verify_signed_request(
        PresignMethod::Get,
        &key,
        &pairs,
        None,
        SystemTime::now(),
    ) {
        Ok(grant) => grant,
        Err(e) => return plain(StatusCode::FORBIDDEN, e.to_string()),
    };
    let open = match storage.open_for_serving(&key).await {
        Ok(open) => open,
        Err(e) => return error_response(e),
    };
    let described = open.described.clone();
    let info = &described.info;
    let size = info.size;
    let range = match headers.get(header::RANGE).map(|v| parse_range(v, size)) {
        None | Some(RangeAsk::Ignored) => None,
        Some(RangeAsk::Bytes(r)) => Some(r),
        Some(RangeAsk::Unsatisfiable) => {
            let mut response = plain(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable");
            if let Some(v) = header_value(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return response;
        }
    };
    let stream = match stream_object(open, range.clone()).await {
        Ok(s) => s,
        Err(e) => return error_response(e),
    };
    let mut response = Response::new(Body::from_stream(stream));
    let out = response.headers_mut();
    let content_type = grant
        .content_type
        .as_deref()
        .or(info.content_type.as_deref())
        .and_then(header_value)
        .unwrap_or(HeaderValue::from_static(jit_storage::DEFAULT_CONTENT_TYPE));
    out.insert(header::CONTENT_TYPE, content_type);
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(v) = info
        .etag
        .as_deref()
        .and_then(|e| header_value(&format!("\"{e}\"")))
    {
        out.insert(header::ETAG, v);
    }
    if let Some(v) = info
        .last_modified
        .and_then(|t| header_value(&httpdate::fmt_http_date(t)))
    {
        out.insert(header::LAST_MODIFIED, v);
    }
    if let Some(v) = described.cache_control.as_deref().and_then(header_value) {
        out.insert(header::CACHE_CONTROL, v);
    }
    let active = out
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.to_str().map_or(true, is_active_content));
    match described
        .content_disposition
        .as_deref()
        .and_then(header_value)
    {
        Some(v) => {
            out.insert(header::CONTENT_DISPOSITION, v);
        }
        None if active => {
            out.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
        }
        None => {}
    }
    if active {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    let length = match &range {
        Some(r) => {
            if let Some(v) = header_value(&format!("bytes {}-{}/{size}", r.start, r.end - 1)) {
                out.insert(header::CONTENT_RANGE, v);
            }
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            r.end - r.start
        }
        None => size,
    };
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

async fn serve_put(
    State(storage): State<Arc<DiskStorage>>,
    Path(key): Path<String>,
    query: Pairs,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(Query(pairs)) = query else {
        return plain(StatusCode::FORBIDDEN, "malformed signed URL");
    };
    let request_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let grant = match storage.verify_signed_request(
        PresignMethod::Put,
        &key,
        &pairs,
        request_type,
        SystemTime::now(),
    ) {
        Ok(grant) => grant,
        Err(e) => return plain(StatusCode::FORBIDDEN, e.to_string()),
    };
    let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return plain(StatusCode::LENGTH_REQUIRED, "Content-Length is required");
    };
    let stream = body.into_data_stream().map_err(|e| {
        StorageError::new(StorageErrorKind::Network, "the upload body broke off").with_source(e)
    });
    let payload = Payload::Stream {
        stream: Box::pin(stream),
        length,
    };
    // Without a signed type the uploader's header is not trusted: the type is inferred.
    let options = PutOptions {
        content_type: grant.content_type,
        ..PutOptions::default()
    };
    match storage.put(&key, payload, options).await {
        Ok(result) => {
            let mut response = plain(StatusCode::OK, "");
            if let Some(v) = result
                .etag
                .as_deref()
                .and_then(|e| header_value(&format!("\"{e}\"")))
            {
                response.headers_mut().insert(header::ETAG, v);
            }
            response
        }
        Err(e) => error_response(e),
    }
}

/// What a `Range` header asks for.
#[derive(Debug, PartialEq, Eq)]
enum RangeAsk {
    /// Bytes `start..end` (end exclusive, within the object).
    Bytes(Range<u64>),
    /// Nothing of the object can be given.
    Unsatisfiable,
    /// Not a single byte range this server understands: serve the whole object.
    Ignored,
}

/// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` against an object of `size` bytes.
fn parse_range(value: &HeaderValue, size: u64) -> RangeAsk {
    let Some(spec) = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return RangeAsk::Ignored;
    };
    if spec.contains(',') {
        return RangeAsk::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAsk::Ignored;
    };
    // Digits only; a number too large for u64 is as good as u64::MAX (beyond any object).
    let number = |s: &str| {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(s.parse::<u64>().unwrap_or(u64::MAX))
    };
    match (first.trim().is_empty(), last.trim().is_empty()) {
        (true, false) => match number(last) {
            Some(0) => RangeAsk::Unsatisfiable,
            Some(n) if size > 0 => RangeAsk::Bytes(size.saturating_sub(n)..size),
            Some(_) => RangeAsk::Unsatisfiable,
            None => RangeAsk::Ignored,
        },
        (false, _) => {
            let Some(start) = number(first) else {
                return RangeAsk::Ignored;
            };
            let end = if last.trim().is_empty() {
                size
            } else {
                match number(last) {
                    Some(l) if l >= start => l.saturating_add(1).min(size),
                    _ => return RangeAsk::Ignored,
                }
            };
            if start >= size {
                RangeAsk::Unsatisfiable
            } else {
                RangeAsk::Bytes(start..end)
            }
        }
        (true, true) => RangeAsk::Ignored,
    }
}

/// The signed-URL router running on a listener, until [`SignedUrlServer::shutdown`] (or
/// drop, which stops it at once).
#[derive(Debug)]
pub struct SignedUrlServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SignedUrlServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<address>`: the `baseUrl` of a storage served at the root.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for SignedUrlServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Serves [`signed_url_router`] for `storage` at the root of `listener` (for tests and
/// small hosts). Must be called within a tokio runtime.
pub fn serve_signed_urls(
    listener: TcpListener,
    storage: Arc<DiskStorage>,
) -> std::io::Result<SignedUrlServer> {
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = signed_url_router(storage);
    let task = tokio::spawn(async move {
        // Headers and a streamed body leave as separate small writes; without
        // TCP_NODELAY the second waits ~40 ms for the peer's delayed ACK.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(SignedUrlServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(v: &str, size: u64) -> RangeAsk {
        parse_range(&HeaderValue::from_str(v).unwrap(), size)
    }

    #[test]
    fn ranges() {
        assert_eq!(ask("bytes=0-0", 10), RangeAsk::Bytes(0..1));
        assert_eq!(ask("bytes=2-", 10), RangeAsk::Bytes(2..10));
        assert_eq!(ask("bytes=5-100", 10), RangeAsk::Bytes(5..10));
        assert_eq!(ask("bytes=-3", 10), RangeAsk::Bytes(7..10));
        assert_eq!(ask("bytes=-30", 10), RangeAsk::Bytes(0..10));
        assert_eq!(ask("bytes=10-", 10), RangeAsk::Unsatisfiable);
        assert_eq!(ask("bytes=-0", 10), RangeAsk::Unsatisfiable);
        assert_eq!(ask("bytes=0-1,3-4", 10), RangeAsk::Ignored);
        assert_eq!(ask("bytes=5-2", 10), RangeAsk::Ignored);
        assert_eq!(ask("items=0-1", 10), RangeAsk::Ignored);
        assert_eq!(ask("bytes=+1-2", 10), RangeAsk::Ignored);
        // Absurd numbers: clamped or unsatisfiable, never an overflow.
        let huge = "99999999999999999999999999";
        assert_eq!(ask(&format!("bytes=0-{huge}"), 10), RangeAsk::Bytes(0..10));
        assert_eq!(ask(&format!("bytes={huge}-"), 10), RangeAsk::Unsatisfiable);
        assert_eq!(
            ask(&format!("bytes={huge}-{huge}"), 10),
            RangeAsk::Unsatisfiable
        );
        assert_eq!(ask(&format!("bytes=-{huge}"), 10), RangeAsk::Bytes(0..10));
        assert_eq!(
            ask(&format!("bytes=0-{}", u64::MAX), 10),
            RangeAsk::Bytes(0..10)
        );
        assert_eq!(ask("bytes=0-", 0), RangeAsk::Unsatisfiable);
        assert_eq!(ask("bytes=-5", 0), RangeAsk::Unsatisfiable);
    }

    #[test]
    fn active_content_types() {
        for active in [
            "text/html",
            "TEXT/HTML; charset=utf-8",
            "application/xhtml+xml",
            "image/svg+xml",
            "text/xml",
            "application/xml",
            "application/rss+xml",
            "text/xsl",
            "garbage",
            "",
        ] {
            assert!(is_active_content(active), "{active:?}");
        }
        for passive in [
            "text/plain",
            "image/png",
            "application/json",
            "application/octet-stream",
            "video/mp4",
            "text/csv",
        ] {
            assert!(!is_active_content(passive), "{passive:?}");
        }
    }
}
