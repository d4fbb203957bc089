//! The service's settings from `app.json`: the default storage (JitAi's key first), the
//! record store's URL with variables substituted (never shown), `sqlitePath`, and errors
//! that name app.json and the field; `app.storage_service()` opened once per app.

mod common;

use std::sync::Arc;

use common::{open_app, write_app};
use jit_storage_svc::{
    RecordsDatabase, ServiceSettings, StorageServiceAppExt, SvcErrorKind, UploadRequest,
};
use serde_json::{json, Value};

fn settings_of(
    settings: Value,
    db_url: Option<&str>,
) -> (
    tempfile::TempDir,
    Result<ServiceSettings, jit_storage_svc::SvcError>,
) {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), settings);
    let app = open_app(dir.path(), db_url);
    let result = ServiceSettings::from_app(&app);
    (dir, result)
}

#[test]
fn the_default_storage_follows_jitai_then_the_older_key() {
    let (_d, s) = settings_of(
        json!({ "defaultElement": { "defaultStorage": "storages.Signed" },
                "defaultStorage": "storages.Other" }),
        None,
    );
    assert_eq!(s.unwrap().default_storage, "storages.Signed");
    let (_d, s) = settings_of(json!({ "defaultStorage": "storages.Other" }), None);
    assert_eq!(s.unwrap().default_storage, "storages.Other");
    let (dir, s) = settings_of(json!({}), None);
    let s = s.unwrap();
    assert_eq!(s.default_storage, "storages.Default");
    assert_eq!(s.service_path, "/storages/services/StorageSvc");
    assert_eq!(
        s.database,
        RecordsDatabase::Sqlite(dir.path().join("data/storage-svc/records.sqlite3"))
    );
}

#[test]
fn database_urls_are_substituted_and_never_shown() {
    let secret_url = "postgres://postgres:hunter2@127.0.0.1:5432/test";
    for reference in ["${JITSTORE_TEST_DB}", "{{JITSTORE_TEST_DB}}"] {
        let (_d, s) = settings_of(
            json!({ "storageService": { "databaseUrl": reference } }),
            Some(secret_url),
        );
        let s = s.unwrap();
        assert_eq!(s.database, RecordsDatabase::Postgres(secret_url.into()));
        assert!(!format!("{s:?}").contains("hunter2"));
    }
    // Empty after substitution: the default SQLite file.
    let (dir, s) = settings_of(
        json!({ "storageService": { "databaseUrl": "${JITSTORE_TEST_DB}" } }),
        Some(""),
    );
    assert_eq!(
        s.unwrap().database,
        RecordsDatabase::Sqlite(dir.path().join("data/storage-svc/records.sqlite3"))
    );
    let (dir, s) = settings_of(
        json!({ "storageService": { "sqlitePath": "db/r.sqlite3" } }),
        None,
    );
    assert_eq!(
        s.unwrap().database,
        RecordsDatabase::Sqlite(dir.path().join("db/r.sqlite3"))
    );
    let (dir, s) = settings_of(
        json!({ "storageService": { "databaseUrl": "sqlite://x/y.db" } }),
        None,
    );
    assert_eq!(
        s.unwrap().database,
        RecordsDatabase::Sqlite(dir.path().join("x/y.db"))
    );
}

#[test]
fn bad_settings_name_app_json_and_the_field() {
    let cases = [
        (
            json!({ "storageService": { "databaseURL": "x" } }),
            "storageService.databaseURL",
            Some("did you mean \"databaseUrl\""),
        ),
        (
            json!({ "storageService": { "databaseUrl": "mysql://u:hunter2@h/d" } }),
            "storageService.databaseUrl",
            Some("mysql"),
        ),
        (
            json!({ "storageService": { "databaseUrl": "${NOT_SET_ANYWHERE_42}" } }),
            "storageService.databaseUrl",
            Some("NOT_SET_ANYWHERE_42"),
        ),
        (
            json!({ "storageService": { "sqlitePath": 5 } }),
            "storageService.sqlitePath",
            None,
        ),
        (
            json!({ "storageService": "postgres://x" }),
            "storageService",
            None,
        ),
        (json!({ "defaultStorage": 3 }), "defaultStorage", None),
        (
            json!({ "defaultElement": { "defaultStorage": [] } }),
            "defaultElement.defaultStorage",
            None,
        ),
    ];
    for (settings, field, extra) in cases {
        let (_d, s) = settings_of(settings.clone(), None);
        let err = s.expect_err(&settings.to_string());
        assert_eq!(err.kind(), SvcErrorKind::Config, "{err}");
        let shown = err.to_string();
        assert!(
            shown.contains("app.json") && shown.contains(&format!("settings.{field}")),
            "{shown}"
        );
        if let Some(extra) = extra {
            assert!(shown.contains(extra), "{shown}");
        }
        assert!(!format!("{shown} {err:?}").contains("hunter2"), "{shown}");
    }
}

#[tokio::test]
async fn the_app_has_one_service_and_a_failed_open_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), json!({}));
    // The data folder is a file: the SQLite file cannot be created.
    std::fs::write(dir.path().join("data"), b"in the way").unwrap();
    let app = open_app(dir.path(), None);
    let err = app.storage_service().await.unwrap_err();
    assert_eq!(err.kind(), SvcErrorKind::Records, "{err}");
    std::fs::remove_file(dir.path().join("data")).unwrap();

    let clone = app.clone();
    let (a, b) = tokio::join!(app.storage_service(), clone.storage_service());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(Arc::ptr_eq(&a, &b));
    a.upload_by_file(UploadRequest::new("x.txt", b"x".to_vec()))
        .await
        .unwrap();
    let c = app.storage_service().await.unwrap();
    assert!(Arc::ptr_eq(&a, &c));
    c.record("x.txt", None).await.unwrap();

    // A bad default storage is reported when used.
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), json!({ "defaultStorage": "storages.Nope" }));
    let app = open_app(dir.path(), None);
    let svc = app.storage_service().await.unwrap();
    let err = svc
        .upload_by_file(UploadRequest::new("x.txt", b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SvcErrorKind::Config, "{err}");
    assert!(err.to_string().contains("storages.Nope"), "{err}");
}
