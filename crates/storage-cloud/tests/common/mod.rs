//! Shared test fixtures: a real local OSS server (jit-oss-server) on 127.0.0.1:0, an
//! app folder in a temp dir declaring `storages.MyOss`, the element loaded through a real
//! `App`, a small axum proxy that misbehaves on purpose in front of the server
//! (`proxy`), and V4-signed requests sent straight to a server (e.g.
//! ListMultipartUploads).

#![allow(dead_code)]

mod proxy;

#[allow(unused_imports)]
pub use proxy::*;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use jit_element::App;
use jit_oss_server::{start, RunningServer, ServerConfig};
use jit_storage::{StorageAppBuilderExt, StorageAppExt, StorageMeta};
use jit_storage_cloud::OssType;
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
    server_with(&[(AK, SK)]).await
}

/// A server accepting these access keys.
pub async fn server_with(credentials: &[(&str, &str)]) -> RunningServer {
    start(ServerConfig {
        buckets: vec![BUCKET.into()],
        credentials: credentials
            .iter()
            .map(|(id, secret)| (id.to_string(), secret.to_string()))
            .collect(),
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

/// An element (and its app folder) talking to `addr`.
pub struct Element {
    pub app: App,
    pub storage: Arc<dyn StorageMeta>,
    pub dir: tempfile::TempDir,
}

/// An element configured by `config(..)` with `extra` merged in, whose endpoint is
/// `addr` (a server, or a proxy in front of one).
pub async fn element(style: Style, version: &str, extra: Value, addr: SocketAddr) -> Element {
    let mut cfg = config(style, version);
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    write_element(dir.path(), "MyOss", &cfg);
    let app = open_app(dir.path(), addr);
    let storage = app.storage(ELEMENT).await.expect("load storages.MyOss");
    Element { app, storage, dir }
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
    let Element { app, storage, dir } = element(style, version, extra, addr).await;
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
