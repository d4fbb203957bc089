//! Shared test fixtures: a real local OSS server (jit-oss-server) on 127.0.0.1:0, an
//! app folder in a temp dir declaring `storages.MyOss`, the element loaded through a real
//! `App`, a small axum proxy that misbehaves on purpose in front of the server, and
//! V4-signed requests sent straight to a server (e.g. ListMultipartUploads).

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use jit_element::App;
use jit_oss_server::{start, RunningServer, ServerConfig};
use jit_storage::{StorageAppBuilderExt, StorageAppExt, StorageMeta};
use jit_storage_oss::OssType;
use serde_json::{json, Value};

pub const BUCKET: &str = "test-bucket";
pub const AK: &str = "test-ak";
pub const SK: &str = "test-secret-value";
pub const ELEMENT: &str = "storages.MyOss";

/// How the element addresses the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `http://127.0.0.1:PORT/bucket/key`.
    Path,
    /// `http://bucket.localhost:PORT/key`, `bucket.localhost` pinned to 127.0.0.1.
    VirtualHost,
}

/// A running server, the app folder and the loaded element.
pub struct Env {
    pub server: RunningServer,
    pub app: App,
    pub storage: Arc<dyn StorageMeta>,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub async fn server() -> RunningServer {
    start(ServerConfig {
        buckets: vec![BUCKET.into()],
        credentials: vec![(AK.into(), SK.into())],
        ..ServerConfig::default()
    })
    .await
    .expect("start local OSS server")
}

/// The element config (endpoint, port and secret as app variables), before overrides.
pub fn config(style: Style, version: &str) -> Value {
    let endpoint = match style {
        Style::Path => "http://${OSS_HOST}:${OSS_PORT}".to_string(),
        Style::VirtualHost => "http://localhost:${OSS_PORT}".to_string(),
    };
    json!({
        "accessKeyId": AK,
        "accessKeySecret": "${OSS_SECRET}",
        "endPoint": endpoint,
        "bucketName": BUCKET,
        "region": "cn-hangzhou",
        "signatureVersion": version,
        "pathStyle": style == Style::Path,
        "maxRetries": 1
    })
}

/// Writes `storages/<name>/e.json` and `<name>.json` into the app folder.
pub fn write_element(root: &std::path::Path, name: &str, config: &Value) {
    let folder = root.join("storages").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let decl = json!({
        "title": "My Aliyun OSS Storage",
        "type": "storages.OssType",
        "backendBundleEntry": ".",
        "variables": []
    });
    std::fs::write(folder.join("e.json"), decl.to_string()).unwrap();
    std::fs::write(
        folder.join(format!("{name}.json")),
        serde_json::to_string_pretty(config).unwrap(),
    )
    .unwrap();
}

/// Opens an app in `dir` with OssType registered (resolving `bucket.localhost` to the
/// server) and the server's address and secret as variables.
pub fn open_app(dir: &std::path::Path, addr: SocketAddr) -> App {
    let vars = HashMap::from([
        ("OSS_HOST".to_string(), addr.ip().to_string()),
        ("OSS_PORT".to_string(), addr.port().to_string()),
        ("OSS_SECRET".to_string(), SK.to_string()),
    ]);
    let oss = OssType::default().pin_host(format!("{BUCKET}.localhost"), addr);
    App::builder(dir)
        .register_builtin_storage_type("storages.OssType", "Aliyun OSS", oss)
        .env_vars(vars)
        .open()
        .expect("open app")
}

/// An HTTP client for presigned URLs that resolves `bucket.localhost` like the element.
pub fn http_client(addr: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .resolve(&format!("{BUCKET}.localhost"), addr)
        .build()
        .unwrap()
}

/// A server plus an element configured by `config(..)` with `extra` merged in, whose
/// endpoint is `target` (the server itself, or a proxy in front of it).
pub async fn env_with(
    style: Style,
    version: &str,
    extra: Value,
    target: Option<SocketAddr>,
) -> Env {
    let server = server().await;
    let addr = target.unwrap_or(server.local_addr());
    let mut cfg = config(style, version);
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    write_element(dir.path(), "MyOss", &cfg);
    let app = open_app(dir.path(), addr);
    let storage = app.storage(ELEMENT).await.expect("load storages.MyOss");
    Env {
        server,
        app,
        storage,
        http: http_client(addr),
        dir,
    }
}

pub async fn env(style: Style, version: &str) -> Env {
    env_with(style, version, json!({}), None).await
}

/// What the proxy does to traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Flip one byte in the body of successful GETs.
    CorruptGetBody,
    /// Replace `x-oss-hash-crc64ecma` of successful PUTs with a wrong value.
    WrongPutCrc,
    /// Answer the first N requests with 503 (non-XML body) without forwarding.
    Fail503(usize),
    /// Answer the first N requests with 403 `RequestTimeTooSkewed` (OSS XML).
    Skewed(usize),
    /// Answer the first N requests with 403 `SignatureDoesNotMatch` (OSS XML).
    SignatureMismatch(usize),
    /// Answer every UploadPart of this part number with 503, without forwarding.
    FailPart(u32),
    /// Hold UploadPart 1 until UploadPart 2 has arrived: only a client with two parts
    /// in flight gets past it.
    HoldPart1UntilPart2,
}

#[derive(Clone)]
struct ProxyState {
    upstream: SocketAddr,
    fault: Fault,
    seen: Arc<AtomicUsize>,
    client: reqwest::Client,
    part2_arrived: Arc<tokio::sync::Notify>,
}

/// A running proxy and how many requests reached it.
pub struct Proxy {
    pub addr: SocketAddr,
    pub seen: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

/// Starts a proxy on 127.0.0.1:0 forwarding to `upstream` with `fault`.
pub async fn proxy(upstream: SocketAddr, fault: Fault) -> Proxy {
    let seen = Arc::new(AtomicUsize::new(0));
    let state = ProxyState {
        upstream,
        fault,
        seen: seen.clone(),
        client: reqwest::Client::new(),
        part2_arrived: Arc::new(tokio::sync::Notify::new()),
    };
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Proxy {
        addr,
        seen,
        _task: task,
    }
}

async fn forward(State(state): State<ProxyState>, request: Request) -> Response {
    let n = state.seen.fetch_add(1, Ordering::SeqCst);
    if let Fault::Fail503(count) = state.fault {
        if n < count {
            return Response::builder()
                .status(503)
                .header("x-oss-request-id", format!("PROXY-{n}"))
                .body(Body::from("<html>temporarily unavailable</html>"))
                .unwrap();
        }
    }
    if let Fault::Skewed(count) = state.fault {
        if n < count {
            return oss_error(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                "SKEW",
            );
        }
    }
    if let Fault::SignatureMismatch(count) = state.fault {
        if n < count {
            return oss_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                "MISMATCH",
            );
        }
    }
    if let Fault::FailPart(number) = state.fault {
        let wanted = format!("partNumber={number}");
        let query = request.uri().query().unwrap_or("");
        if request.method() == "PUT" && query.split('&').any(|pair| pair == wanted) {
            return Response::builder()
                .status(503)
                .header("x-oss-request-id", format!("PROXY-PART-{number}"))
                .body(Body::from("<html>part refused</html>"))
                .unwrap();
        }
    }
    if state.fault == Fault::HoldPart1UntilPart2 && request.method() == "PUT" {
        let query = request.uri().query().unwrap_or("");
        if query.split('&').any(|pair| pair == "partNumber=1") {
            state.part2_arrived.notified().await;
        } else if query.split('&').any(|pair| pair == "partNumber=2") {
            state.part2_arrived.notify_one();
        }
    }
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let url = format!("http://{}{}", state.upstream, path);
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut upstream = state.client.request(parts.method.clone(), &url);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.body(body).send().await.unwrap();
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut bytes = answer.bytes().await.unwrap().to_vec();
    let mut builder = Response::builder().status(status);
    for (name, value) in &headers {
        if name == "x-oss-hash-crc64ecma"
            && state.fault == Fault::WrongPutCrc
            && parts.method == "PUT"
            && status.is_success()
        {
            let wrong = value.to_str().unwrap().parse::<u64>().unwrap() ^ 1;
            builder = builder.header(name, wrong.to_string());
        } else if name != "transfer-encoding" {
            builder = builder.header(name, value);
        }
    }
    if state.fault == Fault::CorruptGetBody && parts.method == "GET" && status.is_success() {
        if let Some(b) = bytes.get_mut(0) {
            *b ^= 0xFF;
        }
    }
    builder.body(Body::from(bytes)).unwrap()
}

/// An OSS error answer: the XML body, repeated base64 in `x-oss-err` as OSS does.
fn oss_error(status: u16, code: &str, message: &str, request_id: &str) -> Response {
    let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId><HostId>proxy</HostId></Error>");
    use base64::Engine as _;
    let repeated = base64::engine::general_purpose::STANDARD.encode(&xml);
    Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .header("x-oss-err", repeated)
        .body(Body::from(xml))
        .unwrap()
}

/// Sends a V4-signed request straight to `server`, path style; returns the body.
pub async fn signed(
    server: &RunningServer,
    method: &str,
    key: Option<&str>,
    bare_query: &str,
) -> String {
    use jit_oss_protocol::sign::{v4, SignRequest};
    let mut req = SignRequest::new(method)
        .with_bucket(BUCKET)
        .with_query(bare_query, None);
    req.key = key.map(str::to_string);
    let creds = jit_oss_protocol::Credentials::new(AK, SK);
    v4::sign_header(
        &mut req,
        &creds,
        "cn-hangzhou",
        &[],
        std::time::SystemTime::now(),
    )
    .unwrap();
    let url = format!(
        "{}{}?{}",
        server.endpoint(),
        req.path_style_path(),
        req.query_string()
    );
    let mut builder = reqwest::Client::new().request(method.parse().unwrap(), &url);
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    let response = builder.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{method} {url}: {}",
        response.status()
    );
    response.text().await.unwrap()
}

/// How many multipart uploads `server` has open (ListMultipartUploads).
pub async fn open_uploads(server: &RunningServer) -> usize {
    signed(server, "GET", None, "uploads")
        .await
        .matches("<UploadId>")
        .count()
}
