//! Configuration of `storages.DiskType` elements: errors name the config file and the
//! field (and never echo the signing key), relative folders are resolved against the app
//! folder and created, absolute ones are used as given.

mod common;

use jit_element::{ElementError, ElementErrorKind};
use jit_storage_disk::DiskType;
use serde_json::{json, Value};

async fn load_error(config: Value) -> ElementError {
    let app_dir = tempfile::tempdir().unwrap();
    common::declare(app_dir.path(), &config);
    common::load(app_dir.path(), &DiskType::default())
        .await
        .expect_err("the config must be refused")
}

fn assert_names(err: &ElementError, field: &str) {
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    let file = err.file().expect("file named");
    assert!(file.ends_with("storages/Files/Files.json"), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("Files.json") && shown.contains(field),
        "{shown}"
    );
    assert_eq!(err.full_name(), Some("storages.Files"));
}

#[tokio::test]
async fn a_missing_directory_names_file_and_field() {
    let err = load_error(json!({ "baseUrl": "http://127.0.0.1:1" })).await;
    assert_names(&err, "directory");
}

#[tokio::test]
async fn a_directory_of_the_wrong_type_names_file_and_field() {
    for bad in [json!(5), json!(["a"]), json!({"path": "a"}), json!(null)] {
        let err = load_error(json!({ "directory": bad })).await;
        assert_names(&err, "directory");
    }
    let err = load_error(json!({ "directory": "  " })).await;
    assert_names(&err, "directory");
}

#[tokio::test]
async fn other_fields_are_checked_too() {
    let err = load_error(json!({ "directory": "d", "baseUrl": "ftp://host" })).await;
    assert_names(&err, "baseUrl");
    let err = load_error(json!({ "directory": "d", "baseUrl": 8080 })).await;
    assert_names(&err, "baseUrl");
    let err = load_error(json!({ "directory": "d", "baseURL": "http://h" })).await;
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
    assert!(err.to_string().contains("baseURL"), "{err}");

    let err = load_error(json!({ "directory": "d", "signingKey": "short-secret" })).await;
    assert_names(&err, "signingKey");
    assert!(
        !format!("{err} {err:?}").contains("short-secret"),
        "{err:?}"
    );
    let err = load_error(json!({ "directory": "d", "signingKey": 98765432109876543u64 })).await;
    assert_names(&err, "signingKey");
    assert!(
        !format!("{err} {err:?}").contains("98765432109876543"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unusable_directory_is_reported_on_the_directory_field() {
    let app_dir = tempfile::tempdir().unwrap();
    std::fs::write(app_dir.path().join("occupied"), b"a file, not a folder").unwrap();
    common::declare(app_dir.path(), &json!({ "directory": "occupied" }));
    let err = common::load(app_dir.path(), &DiskType::default())
        .await
        .unwrap_err();
    assert_names(&err, "directory");
}

#[tokio::test]
async fn relative_folders_live_in_the_app_and_absolute_ones_anywhere() {
    let f = common::plain().await;
    let expected = std::fs::canonicalize(f.app_dir.path())
        .unwrap()
        .join("data/files");
    assert_eq!(f.root(), expected);
    assert!(expected.join(".jitstore/meta").is_dir());
    assert!(expected.join(".jitstore/tmp").is_dir());
    let url = f.storage.object_url("x y/z.txt").unwrap();
    assert_eq!(url, format!("file://{}/x%20y/z.txt", expected.display()));

    let elsewhere = tempfile::tempdir().unwrap();
    let absolute = elsewhere.path().join("store");
    let f = common::with_config(json!({ "directory": absolute.to_str().unwrap() })).await;
    assert_eq!(f.root(), std::fs::canonicalize(&absolute).unwrap());
}
