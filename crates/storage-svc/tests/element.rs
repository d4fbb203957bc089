//! `storages.services.StorageSvc` as an element: `app.get_element(STORAGE_SVC)` and
//! `app.storage_service()` give the same service; listing and checking an app open no
//! record store; bad settings and an unreachable database are the element's load error
//! naming app.json and the field; an element that is not the service is a wrong-family
//! error.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{write_app, PgDb, SIGNING_KEY};
use jit_element::{App, ElementErrorKind, ElementRole};
use jit_storage::StorageAppBuilderExt;
use jit_storage_disk::{DiskType, DISK_TYPE};
use jit_storage_svc::{
    RecordsDatabase, StorageServiceAppBuilderExt, StorageServiceAppExt, StorageSvcElementExt,
    SvcError, SvcErrorKind, UploadRequest, DEFAULT_SQLITE_PATH, STORAGE_SVC, STORAGE_SVC_TITLE,
    STORAGE_SVC_TYPE,
};
use serde_json::{json, Value};

/// Opens the app in `dir` with DiskType and the service element registered.
fn open(dir: &Path, db_url: Option<&str>) -> App {
    let mut builder = App::builder(dir)
        .register_builtin_storage_type(DISK_TYPE, "Local disk", DiskType::default())
        .with_storage_service()
        .set_var("FILES_SIGNING_KEY", SIGNING_KEY);
    if let Some(url) = db_url {
        builder = builder.set_var("JITSTORE_TEST_DB", url);
    }
    builder.open().expect("open the app")
}

fn app_with(settings: Value, db_url: Option<&str>) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), settings);
    let app = open(dir.path(), db_url);
    (dir, app)
}

fn sqlite_file(dir: &Path) -> std::path::PathBuf {
    dir.join(DEFAULT_SQLITE_PATH)
}

#[tokio::test]
async fn get_element_and_storage_service_give_the_same_service() {
    let (dir, app) = app_with(json!({}), None);

    // Listed with its Type and title; listing and checking open no record store.
    let decl = app
        .declarations()
        .into_iter()
        .find(|d| d.full_name == STORAGE_SVC)
        .expect("the service element is listed");
    assert_eq!(
        (decl.type_name.as_str(), decl.title.as_str()),
        (STORAGE_SVC_TYPE, STORAGE_SVC_TITLE)
    );
    assert_eq!(app.role_of(&decl), ElementRole::Instance);
    let report = app.check().await;
    assert!(report.is_empty(), "{report:?}");
    assert!(
        !sqlite_file(dir.path()).exists(),
        "check opened the records"
    );

    let clone = app.clone();
    let (element, svc) = tokio::join!(app.get_element(STORAGE_SVC), clone.storage_service());
    let from_element = element.unwrap().storage_service().unwrap();
    let svc = svc.unwrap();
    assert!(Arc::ptr_eq(&from_element, &svc));
    assert!(sqlite_file(dir.path()).is_file());

    let record = svc
        .upload_by_file(UploadRequest::new("notes/a.txt", b"hello".to_vec()))
        .await
        .unwrap();
    let again = app.storage_service().await.unwrap();
    assert!(Arc::ptr_eq(&again, &svc));
    assert_eq!(
        again.record(&record.name, None).await.unwrap().uid,
        record.uid
    );

    // In the other order, on another app: the element is what storage_service() gave.
    let other = open(dir.path(), None);
    let svc = other.storage_service().await.unwrap();
    let element = other.get_element(STORAGE_SVC).await.unwrap();
    assert!(Arc::ptr_eq(&element.storage_service().unwrap(), &svc));
    assert!(!Arc::ptr_eq(&svc, &from_element));
}

#[tokio::test]
async fn an_element_that_is_not_the_service_is_the_wrong_family() {
    let (dir, app) = app_with(json!({}), None);
    let storage = app.get_element("storages.Default").await.unwrap();
    let err = storage.storage_service().unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::WrongFamily, "{err}");
    assert_eq!(err.full_name(), Some("storages.Default"));
    assert!(err.to_string().contains(DISK_TYPE), "{err}");

    // A folder of the service's fullName overrides the builtin: here it is a disk
    // storage, so it is not the service.
    let folder = dir.path().join("storages/services/StorageSvc");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("e.json"),
        json!({"title": "Not a service", "type": DISK_TYPE}).to_string(),
    )
    .unwrap();
    std::fs::write(
        folder.join("StorageSvc.json"),
        json!({"directory": "data/x"}).to_string(),
    )
    .unwrap();
    let app = open(dir.path(), None);
    assert_eq!(app.declaration(STORAGE_SVC).unwrap().title, "Not a service");
    let err = app.storage_service().await.unwrap_err();
    assert_eq!(err.kind(), SvcErrorKind::Config, "{err}");
    assert!(err.to_string().contains("wrong family"), "{err}");
    assert!(!sqlite_file(dir.path()).exists());
}

/// The element's error for `settings`, and the service's.
async fn load_errors(settings: Value) -> (jit_element::ElementError, SvcError, bool) {
    let (dir, app) = app_with(settings, None);
    let element = app.get_element(STORAGE_SVC).await.unwrap_err();
    let svc = app.storage_service().await.unwrap_err();
    let report = app.check().await;
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0].field(), element.field());
    (element, svc, sqlite_file(dir.path()).exists())
}

#[tokio::test]
async fn bad_settings_are_the_elements_error_naming_app_json_and_the_field() {
    let cases = [
        (
            json!({"storageService": {"databaseUrl": "mysql://u:hunter2@h/db"}}),
            "settings.storageService.databaseUrl",
        ),
        (
            json!({"storageService": {"databaseURL": "x"}}),
            "settings.storageService.databaseURL",
        ),
        (json!({"defaultStorage": 3}), "settings.defaultStorage"),
        (
            json!({"storageService": {"databaseUrl": "${NOPE_NOT_SET}"}}),
            "settings.storageService.databaseUrl",
        ),
    ];
    for (settings, field) in cases {
        let (element, svc, created) = load_errors(settings.clone()).await;
        assert_eq!(element.kind(), ElementErrorKind::InvalidConfig, "{element}");
        assert_eq!(element.full_name(), Some(STORAGE_SVC));
        assert_eq!(element.field(), Some(field), "{element}");
        assert!(
            element.file().is_some_and(|f| f.ends_with("app.json")),
            "{element}"
        );
        assert!(!element.message().contains("app.json"), "{element}");
        assert_eq!(svc.kind(), SvcErrorKind::Config, "{svc}");
        assert!(svc.to_string().contains(field), "{svc}");
        let shown = format!("{element} {element:?} {svc} {svc:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!created, "{settings}: a record store was created");
    }
}

#[tokio::test]
async fn an_unusable_record_store_is_a_load_error_and_is_retried() {
    // PostgreSQL that does not answer (nothing listens on port 1): the URL's field.
    let (_dir, app) = app_with(
        json!({"storageService": {"databaseUrl": "postgres://u:hunter2@127.0.0.1:1/db"}}),
        None,
    );
    // The settings are fine: check opens nothing, so it cannot tell.
    assert!(app.check().await.is_empty());
    let err = app.get_element(STORAGE_SVC).await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::Build, "{err}");
    assert_eq!(err.field(), Some("settings.storageService.databaseUrl"));
    assert!(err.file().is_some_and(|f| f.ends_with("app.json")), "{err}");
    assert!(err.to_string().contains("PostgreSQL"), "{err}");
    // (Each attempt waits out the pool's 10 s acquire timeout: the service's error is
    // read from the element's, as app.storage_service() reads it.)
    let svc = err.find_source::<SvcError>().expect("the service's error");
    assert_eq!(svc.kind(), SvcErrorKind::Records, "{svc}");
    let shown = format!("{err} {err:?} {svc} {svc:?}");
    assert!(!shown.contains("hunter2"), "{shown}");

    // SQLite whose folder cannot be made: the failed load is not kept.
    let (dir, app) = app_with(json!({}), None);
    std::fs::write(dir.path().join("data"), b"in the way").unwrap();
    let err = app.get_element(STORAGE_SVC).await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::Build, "{err}");
    assert_eq!(err.field(), Some("settings.storageService.sqlitePath"));
    std::fs::remove_file(dir.path().join("data")).unwrap();
    let svc = app.storage_service().await.unwrap();
    let element = app.get_element(STORAGE_SVC).await.unwrap();
    assert!(Arc::ptr_eq(&element.storage_service().unwrap(), &svc));
}

#[tokio::test]
async fn the_element_keeps_records_in_postgres_when_the_app_names_it() {
    let pg = PgDb::create().await;
    let (_dir, app) = app_with(
        json!({"storageService": {"databaseUrl": "${JITSTORE_TEST_DB}"}}),
        Some(&pg.url),
    );
    let svc = app
        .get_element(STORAGE_SVC)
        .await
        .unwrap()
        .storage_service()
        .unwrap();
    assert!(matches!(
        svc.settings().database,
        RecordsDatabase::Postgres(_)
    ));
    let record = svc
        .upload_by_file(UploadRequest::new("a.txt", b"pg".to_vec()))
        .await
        .unwrap();
    let same = app.storage_service().await.unwrap();
    assert!(Arc::ptr_eq(&same, &svc));
    assert_eq!(same.record("a.txt", None).await.unwrap().uid, record.uid);
    drop((svc, same, app));
    pg.drop_now().await;
}

#[tokio::test]
async fn dropping_the_app_frees_the_service_and_its_record_store() {
    let (_dir, app) = app_with(json!({}), None);
    let service = app.storage_service().await.expect("the service");
    service
        .upload_by_file(UploadRequest::new("kept.txt", b"bytes".to_vec()))
        .await
        .expect("an upload while the app is open");
    let weak = Arc::downgrade(&service);

    // A caller still holding the service after the app is gone gets an error, not a
    // storage of an app nobody holds.
    let clone = app.clone();
    drop(app);
    drop(clone);
    let err = service
        .upload_by_file(UploadRequest::new("late.txt", b"bytes".to_vec()))
        .await
        .expect_err("the app is closed");
    assert_eq!(err.kind(), SvcErrorKind::Config, "{err}");
    assert!(err.to_string().contains("was closed"), "{err}");

    // The app's cache held the service; with the app gone, only our handle is left.
    drop(service);
    assert!(
        weak.upgrade().is_none(),
        "the service (and its record store) outlived the app"
    );
}
