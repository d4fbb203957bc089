//! Shared by the property tests: a server state (memory or a folder) with one bucket and
//! one object, and requests sent to [`router`] with tower's `oneshot`, no socket.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use jit_oss_server::{build_state, router, AppState, ServerConfig};
use tower::ServiceExt;

pub const BUCKET: &str = "test-bucket";
/// The bytes of `test-bucket/obj`, present in every fresh state.
pub const OBJECT: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz!?";

/// A current-thread runtime for one case.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A memory-backed server state with [`BUCKET`] holding `obj`; anonymous requests are
/// allowed (signatures, when sent, are still checked).
pub async fn server() -> Arc<AppState> {
    with_root(None).await
}

/// Like [`server`], with the store in `root` when given.
pub async fn with_root(root: Option<&Path>) -> Arc<AppState> {
    let state = build_state(ServerConfig {
        root: root.map(Path::to_path_buf),
        buckets: vec![BUCKET.to_string()],
        credentials: vec![("AK".to_string(), "secret".to_string())],
        allow_anonymous: true,
        ..ServerConfig::default()
    })
    .await
    .expect("server state");
    let path = format!("/{BUCKET}/obj");
    let put = send(&state, "PUT", "127.0.0.1", &path, &[], &[], OBJECT.to_vec())
        .await
        .unwrap();
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    state
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request; `None` when the parts cannot form an HTTP request (a bad URI,
/// header name or value). `query` values are sent as given, not encoded.
pub async fn send(
    state: &Arc<AppState>,
    method: &str,
    host: &str,
    path: &str,
    query: &[(String, Option<String>)],
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Option<Answer> {
    let query: Vec<String> = query
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("{n}={v}"),
            None => n.clone(),
        })
        .collect();
    let uri = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let uri: Uri = uri.parse().ok()?;
    let mut request = Request::new(Body::from(body));
    *request.method_mut() = Method::from_bytes(method.as_bytes()).ok()?;
    *request.uri_mut() = uri;
    if !host.is_empty() {
        request
            .headers_mut()
            .insert("host", HeaderValue::from_str(host).ok()?);
    }
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = HeaderValue::from_str(value).ok()?;
        request.headers_mut().append(name, value);
    }
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body streams")
        .to_vec();
    Some(Answer {
        status,
        headers,
        body,
    })
}
