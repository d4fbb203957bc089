//! What a Type reports about an operation reaches its log line: a Type written like any
//! app's (registered on the builder) records its attempts and request id with
//! `ElementStorage::record_attempts` / `record_request_id`, and the one INFO line that
//! ends the operation carries them, with the element, operation, key and size. A failed
//! operation's request id comes from the error itself.

use std::io::Write;
use std::sync::{Arc, Mutex};

use jitstore::prelude::*;
use jitstore::storage::{ElementStorage, RemoteError};
use tracing_subscriber::util::SubscriberInitExt;

/// A storage that "needed" three attempts for every put and fails every stat remotely.
#[derive(Debug)]
struct Flaky;

#[async_trait]
impl StorageMeta for Flaky {
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    async fn put(
        &self,
        name: &str,
        payload: Payload,
        _: PutOptions,
    ) -> StorageResult<UploadResult> {
        ElementStorage::record_attempts(3);
        ElementStorage::record_request_id("REQ-PUT-1");
        Ok(UploadResult {
            url: format!("mem://{name}"),
            key: name.to_string(),
            size: payload.len(),
            etag: None,
            crc64: None,
        })
    }
    async fn get(&self, _: &str, _: GetOptions) -> StorageResult<GetResult> {
        Err(StorageError::unsupported("no reads"))
    }
    async fn stat(&self, _: &str) -> StorageResult<ObjectInfo> {
        Err(
            StorageError::new(StorageErrorKind::Server, "try later").with_remote(RemoteError {
                status: Some(503),
                code: Some("ServiceUnavailable".into()),
                request_id: Some("REQ-STAT-9".into()),
                host_id: None,
            }),
        )
    }
    async fn delete(&self, _: &str) -> StorageResult<()> {
        Ok(())
    }
    async fn list(&self, _: ListOptions) -> StorageResult<ListPage> {
        Err(StorageError::unsupported("no listing"))
    }
    async fn presign(&self, _: &str, _: PresignOptions) -> StorageResult<PresignedRequest> {
        Err(StorageError::unsupported("no signing"))
    }
    fn object_url(&self, name: &str) -> StorageResult<String> {
        Ok(format!("mem://{name}"))
    }
}

struct FlakyType;

#[async_trait]
impl StorageType for FlakyType {
    async fn create(&self, _: &BuildContext) -> ElementResult<Arc<dyn StorageMeta>> {
        Ok(Arc::new(Flaky))
    }
}

/// Collects what the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_log_line_carries_what_the_type_reported() {
    let captured = Captured::default();
    let writer = captured.clone();
    let _logging = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("storages/Flaky");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("e.json"),
        r#"{"title": "Flaky", "type": "storages.FlakyType"}"#,
    )
    .unwrap();
    let type_folder = dir.path().join("storages/FlakyType");
    std::fs::create_dir_all(&type_folder).unwrap();
    std::fs::write(
        type_folder.join("e.json"),
        r#"{"title": "Flaky Type", "type": "storages.Meta"}"#,
    )
    .unwrap();
    let app = App::builder(dir.path())
        .with_builtin_types()
        .register_storage_type("storages.FlakyType", FlakyType)
        .open()
        .unwrap();
    let storage = app.storage("storages.Flaky").await.unwrap();
    storage
        .upload_by_file("a/b.txt", "12345".into(), None)
        .await
        .unwrap();
    storage.get_object("a/b.txt").await.unwrap_err();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = |op: &str| {
        let found: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(&format!("op={op} ")))
            .collect();
        assert_eq!(found.len(), 1, "one line for {op}:\n{log}");
        found[0].to_string()
    };
    let put = line("put");
    for field in [
        "jitai{method=\"upload_by_file\"}",
        "element=storages.Flaky",
        "key=\"a/b.txt\"",
        "size=5",
        "attempts=3",
        "request_id=\"REQ-PUT-1\"",
        " done ",
    ] {
        assert!(put.contains(field), "{field:?} missing: {put}");
    }
    let stat = line("stat");
    for field in [
        "request_id=\"REQ-STAT-9\"",
        " failed ",
        "ServiceUnavailable",
    ] {
        assert!(stat.contains(field), "{field:?} missing: {stat}");
    }
}
