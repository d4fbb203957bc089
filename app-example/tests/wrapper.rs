//! A wrapper Type behaves exactly like the storage it wraps: every JitAi method, run
//! the same way on `storages.Default` (DiskType) and on `storages.AcmeFiles` (the
//! example's TenantType wrapping it), gives the same content types, metadata, bytes and
//! errors — because wrappers implement only the `StorageMeta` core and JitAi's methods
//! are written once, in `StorageMetaExt`. And a wrapper whose config points back at
//! itself is a load-cycle error, not a hang.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use app_example::ExampleApp;
use common::example_copy;
use jitstore::prelude::*;

/// What a storage did, with nothing in it that names the storage itself.
#[derive(Debug, PartialEq, Eq)]
struct Transcript(Vec<String>);

impl Transcript {
    fn note(&mut self, step: &str, value: impl std::fmt::Debug) {
        self.0.push(format!("{step}: {value:?}"));
    }

    fn note_error(&mut self, step: &str, err: &StorageError) {
        self.0.push(format!(
            "{step}: {:?} op={:?} key={:?}",
            err.kind(),
            err.operation(),
            err.key()
        ));
    }
}

/// Runs every JitAi method (and the conveniences built on them) on `storage`.
async fn exercise(storage: &dyn StorageMeta, http: &reqwest::Client) -> Transcript {
    let mut t = Transcript(Vec::new());

    // uploadByFile, with and without a content type.
    for (name, content_type) in [
        ("pics/logo.png", None),
        ("docs/report.pdf", None),
        ("data/table.bin", Some("text/csv")),
        ("blob", None),
    ] {
        let up = storage
            .upload_by_file(name, format!("bytes of {name}").into(), content_type)
            .await
            .unwrap_or_else(|e| panic!("upload {name}: {e}"));
        t.note("upload key", &up.key);
        t.note("upload size", up.size);
        t.note("upload crc64", up.crc64);
        let info = storage.get_object(name).await.expect("getObject");
        t.note("getObject content type", &info.content_type);
        t.note("getObject size", info.size);
        t.note("getObject key", &info.key);
        t.note("getObject etag == upload etag", info.etag == up.etag);
        t.note("download", storage.download(name).await.expect("download"));
    }

    // Metadata given through put reads back through getObject.
    let options = PutOptions::default()
        .with_metadata("owner", "alice")
        .with_metadata("purpose", "wrapper test");
    storage
        .put("meta/notes.txt", Payload::from(b"n".to_vec()), options)
        .await
        .expect("put with metadata");
    let info = storage
        .get_object("meta/notes.txt")
        .await
        .expect("getObject");
    t.note("metadata", &info.metadata);
    t.note("metadata content type", &info.content_type);

    // getSignUrl, fetched over HTTP.
    let url = storage
        .get_sign_url("pics/logo.png", None, Some(Duration::from_secs(120)))
        .await
        .expect("getSignUrl");
    let response = http.get(&url).send().await.expect("fetch signed URL");
    t.note("signed GET status", response.status().as_u16());
    t.note(
        "signed GET body",
        response.bytes().await.expect("signed GET body"),
    );
    let err = storage
        .get_sign_url("pics/logo.png", None, Some(Duration::ZERO))
        .await
        .expect_err("a zero expiry");
    t.note_error("getSignUrl zero expiry", &err);

    // delete, then every method on the missing object.
    storage.delete("pics/logo.png").await.expect("delete");
    storage
        .delete("pics/logo.png")
        .await
        .expect("delete again (missing)");
    t.note(
        "exists after delete",
        storage.exists("pics/logo.png").await.expect("exists"),
    );
    let err = storage.download("pics/logo.png").await.unwrap_err();
    t.note_error("download missing", &err);
    let err = storage.get_object("pics/logo.png").await.unwrap_err();
    t.note_error("getObject missing", &err);

    // Bad names are refused the same way, before any I/O.
    for bad in ["", "../escape.txt", "a/./b", "/abs"] {
        let err = storage
            .upload_by_file(bad, "x".into(), None)
            .await
            .unwrap_err();
        t.note_error(&format!("upload {bad:?}"), &err);
        let err = storage.download(bad).await.unwrap_err();
        t.note_error(&format!("download {bad:?}"), &err);
        let err = storage.get_sign_url(bad, None, None).await.unwrap_err();
        t.note_error(&format!("getSignUrl {bad:?}"), &err);
    }

    // Listing and copies.
    let keys: Vec<String> = storage
        .list_all("")
        .await
        .expect("list_all")
        .into_iter()
        .map(|o| o.key)
        .collect();
    t.note("list_all", keys);
    storage
        .copy("docs/report.pdf", "copies/report.pdf")
        .await
        .expect("copy");
    let copied = storage.get_object("copies/report.pdf").await.expect("stat");
    t.note("copy content type", &copied.content_type);
    storage
        .delete_many(&["copies/report.pdf".into(), "blob".into()])
        .await
        .expect("delete_many");
    t.note(
        "after delete_many",
        (
            storage.exists("copies/report.pdf").await.expect("exists"),
            storage.exists("blob").await.expect("exists"),
        ),
    );
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrapper_type_behaves_like_the_storage_it_wraps() {
    let default_dir = example_copy();
    let acme_dir = example_copy();
    let plain = ExampleApp::open(default_dir.path(), Some(HashMap::new()))
        .await
        .expect("open the example");
    let wrapped = ExampleApp::open(acme_dir.path(), Some(HashMap::new()))
        .await
        .expect("open the example");
    let http = reqwest::Client::new();

    let default = plain.app.storage("storages.Default").await.unwrap();
    let acme = wrapped.app.storage("storages.AcmeFiles").await.unwrap();
    let direct = exercise(default.as_ref(), &http).await;
    let through_wrapper = exercise(acme.as_ref(), &http).await;
    for (a, b) in direct.0.iter().zip(&through_wrapper.0) {
        assert_eq!(a, b, "storages.Default vs storages.AcmeFiles");
    }
    assert_eq!(direct, through_wrapper);

    // What the transcript shows, spelled out.
    let shown = direct.0.join("\n");
    assert!(
        shown.contains(r#"getObject content type: Some("image/png")"#),
        "{shown}"
    );
    assert!(
        shown.contains(r#"getObject content type: Some("text/csv")"#),
        "{shown}"
    );
    assert!(
        shown.contains(r#"getObject content type: Some("application/octet-stream")"#),
        "{shown}"
    );

    // The wrapper's errors name it, its operation and key, with the wrapped element's
    // error (on the prefixed key) as the cause.
    let err = acme.download("pics/logo.png").await.unwrap_err();
    assert_eq!(err.element(), Some("storages.AcmeFiles"));
    assert_eq!(err.type_name(), Some("storages.TenantType"));
    assert_eq!(err.operation(), Some("download"));
    let cause = std::error::Error::source(&err).expect("the wrapped element's error");
    assert!(
        cause.to_string().starts_with(
            r#"storages.Default (storages.DiskType): get "tenants/acme/pics/logo.png""#
        ),
        "{cause}"
    );
    // The wrapped storage holds the tenant's objects under its prefix.
    let inner = wrapped.app.storage("storages.Default").await.unwrap();
    let info = inner
        .get_object("tenants/acme/meta/notes.txt")
        .await
        .unwrap();
    assert_eq!(
        info.metadata,
        BTreeMap::from([
            ("owner".to_string(), "alice".to_string()),
            ("purpose".to_string(), "wrapper test".to_string()),
        ])
    );
    plain.shutdown().await;
    wrapped.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrapper_pointing_at_itself_is_a_load_cycle_not_a_hang() {
    let dir = example_copy();
    for (name, target) in [
        ("Loop", "storages.Loop"),
        ("PingA", "storages.PingB"),
        ("PingB", "storages.PingA"),
    ] {
        let folder = dir.path().join("storages").join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("e.json"),
            r#"{"title": "t", "type": "storages.TenantType"}"#,
        )
        .unwrap();
        std::fs::write(
            folder.join(format!("{name}.json")),
            format!(r#"{{"storage": "{target}", "tenant": "t"}}"#),
        )
        .unwrap();
    }
    let example = ExampleApp::open(dir.path(), Some(HashMap::new()))
        .await
        .unwrap();
    for name in ["storages.Loop", "storages.PingA"] {
        let loaded = tokio::time::timeout(Duration::from_secs(10), example.app.storage(name)).await;
        let err = loaded
            .unwrap_or_else(|_| panic!("{name}: loading hangs"))
            .expect_err("a cycle");
        assert!(err.to_string().contains("cycle"), "{name}: {err}");
        assert!(err.to_string().contains(name), "{name}: {err}");
    }
    // The app's other elements still load.
    example.app.storage("storages.AcmeFiles").await.unwrap();
    example.shutdown().await;
}
