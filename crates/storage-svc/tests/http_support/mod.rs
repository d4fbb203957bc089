//! What tests/http.rs and tests/http_access.rs share: a temporary app whose default
//! storage is a DiskType folder and whose records are in SQLite, the router on a real
//! listener on 127.0.0.1, and a reqwest client with helpers for the JSON envelope.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use jit_element::App;
use jit_storage::StorageAppBuilderExt;
use jit_storage_disk::DiskType;
use jit_storage_svc::http::{router, BearerToken, RouterOptions};
use jit_storage_svc::{StorageServiceAppExt, SERVICE_PATH};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

pub const TOKEN: &str = "test-token-0123456789";

/// A running service over a temporary app.
pub struct Svc {
    pub base: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Svc {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An app with `storages.Default` on disk (signing key set, so it can presign).
pub fn temp_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app.json", r#"{"name":"http-test","settings":{}}"#);
    write(
        root,
        "storages/Default/e.json",
        r#"{"title":"Local files","type":"storages.DiskType","backendBundleEntry":".",
            "variables":[{"name":"TEST_DISK_KEY","default":"a-signing-key-of-32-bytes-long!!"}]}"#,
    );
    write(
        root,
        "storages/Default/Default.json",
        r#"{"directory":"data/default","baseUrl":"http://127.0.0.1:9/files",
            "signingKey":"{{TEST_DISK_KEY}}"}"#,
    );
    let app = App::builder(root)
        .with_storage_meta()
        .register_builtin_storage_type("storages.DiskType", "Local disk", DiskType::default())
        .open()
        .expect("open the test app");
    (dir, app)
}

pub async fn start(options: RouterOptions) -> Svc {
    let (dir, app) = temp_app();
    let service = app.storage_service().await.expect("open StorageSvc");
    let routes = router(service, options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, routes).await.unwrap();
    });
    Svc {
        base: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        _dir: dir,
        server,
    }
}

impl Svc {
    pub fn url(&self, method: &str) -> String {
        format!("{}{SERVICE_PATH}/{method}", self.base)
    }

    /// uploadByFile of `bytes` named `name`, with extra text fields.
    pub async fn upload(
        &self,
        name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        self.http
            .post(self.url("uploadByFile"))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, method: &str, query: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.url(method))
            .query(query)
            .send()
            .await
            .unwrap()
    }
}

pub async fn json(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// The record of a successful upload.
pub async fn uploaded(response: reqwest::Response) -> Value {
    let (status, body) = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["errcode"], 0, "{body}");
    assert_eq!(body["errmsg"], "", "{body}");
    body["data"].clone()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn protected() -> RouterOptions {
    RouterOptions::default().with_hook(BearerToken::new(TOKEN).with_user("tester"))
}
