//! Shared fixture of the integration tests: an app folder in a temp dir declaring
//! `storages.Files` of `storages.DiskType`, loaded through a real `App`, with the
//! signed-URL router served on 127.0.0.1.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jit_element::{App, ElementResult};
use jit_storage::{StorageAppBuilderExt, StorageAppExt, StorageMeta};
use jit_storage_disk::{serve_signed_urls, DiskStorage, DiskType, SignedUrlServer, DISK_TYPE};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// The signing key variable's value in tests.
pub const SIGNING_KEY: &str = "test-signing-key-0123456789abcdef";

/// An app with a disk storage element, and what keeps it alive.
pub struct Fixture {
    pub app_dir: tempfile::TempDir,
    pub app: App,
    pub storage: Arc<dyn StorageMeta>,
    pub disk: Arc<DiskStorage>,
    pub server: Option<SignedUrlServer>,
}

impl Fixture {
    /// The storage folder.
    pub fn root(&self) -> PathBuf {
        self.disk.directory().to_path_buf()
    }
}

/// Writes `storages/Files/e.json` and `Files.json` with `config` into `app_dir`.
pub fn declare(app_dir: &Path, config: &Value) {
    let element = app_dir.join("storages/Files");
    std::fs::create_dir_all(&element).unwrap();
    let e_json = json!({
        "title": "Files",
        "type": DISK_TYPE,
        "backendBundleEntry": ".",
        "variables": []
    });
    std::fs::write(element.join("e.json"), e_json.to_string()).unwrap();
    std::fs::write(element.join("Files.json"), config.to_string()).unwrap();
}

/// Opens the app in `app_dir` and loads `storages.Files`.
pub async fn load(app_dir: &Path, disk_type: &DiskType) -> ElementResult<Arc<dyn StorageMeta>> {
    let app = open_app(app_dir, disk_type);
    app.storage("storages.Files").await
}

pub fn open_app(app_dir: &Path, disk_type: &DiskType) -> App {
    App::builder(app_dir)
        .register_builtin_storage_type(DISK_TYPE, "Local disk", disk_type.clone())
        .env_vars(HashMap::from([(
            "FILES_SIGNING_KEY".to_string(),
            SIGNING_KEY.to_string(),
        )]))
        .open()
        .expect("open app")
}

/// A storage with `baseUrl` pointing at a signed-URL server on 127.0.0.1 and a signing
/// key from a variable.
pub async fn served() -> Fixture {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fixture = with_config(json!({
        "directory": "data/files",
        "baseUrl": format!("http://{addr}"),
        "signingKey": "{{FILES_SIGNING_KEY}}"
    }))
    .await;
    fixture.server = Some(serve_signed_urls(listener, fixture.disk.clone()).unwrap());
    fixture
}

/// A storage of `config`, without a server.
pub async fn with_config(config: Value) -> Fixture {
    let app_dir = tempfile::tempdir().unwrap();
    declare(app_dir.path(), &config);
    let disk_type = DiskType::default();
    let app = open_app(app_dir.path(), &disk_type);
    let storage = app
        .storage("storages.Files")
        .await
        .expect("load storages.Files");
    let disk = disk_type
        .built("storages.Files")
        .expect("built by DiskType");
    Fixture {
        app_dir,
        app,
        storage,
        disk,
        server: None,
    }
}

/// A storage with only a directory.
pub async fn plain() -> Fixture {
    with_config(json!({ "directory": "data/files" })).await
}

/// Names of the files in the storage's temp folder.
pub fn temp_files(root: &Path) -> Vec<String> {
    std::fs::read_dir(root.join(".jitstore/tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}
