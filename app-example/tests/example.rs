//! The example app, run as a user would: its own folder (copied to a temp dir so the
//! test leaves nothing behind), the official Types plus its custom TenantType, and the
//! seed's flow on every storage, offline.

mod common;

use std::collections::HashMap;

use app_example::flow::run_flow;
use app_example::{ExampleApp, MinioTarget, OssTarget};
use common::example_copy;
use jitstore::oss_server::{start, ServerConfig};
use jitstore::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_runs_offline_on_every_storage() {
    let dir = example_copy();
    let example = ExampleApp::open(dir.path(), Some(HashMap::new()))
        .await
        .expect("open the example");
    assert!(
        matches!(example.oss, OssTarget::Local(_)),
        "no OSS_* variables → local server"
    );
    assert!(
        matches!(example.minio, MinioTarget::Local(_)),
        "no MINIO_* variables → serve-s3"
    );
    let names: Vec<_> = example
        .app
        .declarations()
        .iter()
        .map(|d| d.full_name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "storages.AcmeFiles",
            "storages.Default",
            "storages.MyMinio",
            "storages.MyOss",
            "storages.TenantType",
            "storages.services.StorageSvc"
        ]
    );
    let http = reqwest::Client::new();
    for name in example.storages() {
        let storage = example
            .app
            .storage(name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = run_flow(storage.as_ref(), "folder/example.txt", &http)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.lines.len(), 6, "{name}: {:?}", report.lines);
    }
    // The tenant's objects live under its prefix in the wrapped storage.
    let acme = example.app.storage("storages.AcmeFiles").await.unwrap();
    acme.upload_by_file("a.txt", "acme".into(), None)
        .await
        .unwrap();
    let default = example.app.default_storage().await.unwrap();
    assert_eq!(
        default.download("tenants/acme/a.txt").await.unwrap(),
        &b"acme"[..]
    );
    assert_eq!(
        acme.list_all("")
            .await
            .unwrap()
            .iter()
            .map(|o| o.key.clone())
            .collect::<Vec<_>>(),
        ["a.txt"]
    );
    assert!(dir.path().join("data/default/tenants/acme/a.txt").is_file());
    // Errors name the element the caller used, and the wrapped one as the cause.
    let err = acme.download("missing.txt").await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::NotFound);
    assert_eq!(err.element(), Some("storages.AcmeFiles"));
    assert_eq!(err.key(), Some("missing.txt"));
    assert!(
        err.to_string()
            .contains("via storages.Default (storages.DiskType)"),
        "{err}"
    );
    example.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oss_variables_point_my_oss_elsewhere() {
    // Stand-in for an Aliyun account: the variables name a server this test runs.
    let server = start(ServerConfig {
        buckets: vec!["team-bucket".into()],
        credentials: vec![("TEAMKEY".into(), "team-secret".into())],
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let env = HashMap::from([
        ("OSS_ACCESS_KEY_ID".to_string(), "TEAMKEY".to_string()),
        (
            "OSS_ACCESS_KEY_SECRET".to_string(),
            "team-secret".to_string(),
        ),
        ("OSS_ENDPOINT".to_string(), server.endpoint()),
        ("OSS_BUCKET".to_string(), "team-bucket".to_string()),
        ("OSS_REGION".to_string(), "cn-shanghai".to_string()),
    ]);
    let dir = example_copy();
    let example = ExampleApp::open(dir.path(), Some(env)).await.unwrap();
    assert_eq!(example.oss, OssTarget::Aliyun);
    let oss = example.app.storage("storages.MyOss").await.unwrap();
    let up = oss
        .upload_by_file("x.txt", "x".into(), Some("text/plain"))
        .await
        .unwrap();
    assert_eq!(up.url, format!("{}/team-bucket/x.txt", server.endpoint()));
    example.shutdown().await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_tenant_config_names_the_file_and_field() {
    let dir = example_copy();
    std::fs::write(
        dir.path().join("storages/AcmeFiles/AcmeFiles.json"),
        r#"{"tenant": "../etc"}"#,
    )
    .unwrap();
    let example = ExampleApp::open(dir.path(), Some(HashMap::new()))
        .await
        .unwrap();
    let err = example.app.storage("storages.AcmeFiles").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig);
    assert_eq!(err.field(), Some("tenant"));
    assert!(err
        .file()
        .unwrap()
        .ends_with("storages/AcmeFiles/AcmeFiles.json"));
    example.shutdown().await;
}

/// With the `MINIO_*` variables set, MyMinio talks to that server (here a serve-s3 of
/// the test's own, which verifies signatures), `http` by MinioType's default.
#[tokio::test]
async fn minio_variables_point_my_minio_at_a_server() {
    let server = jitstore::s3_server::start(jitstore::s3_server::ServerConfig {
        buckets: vec!["team-bucket".into()],
        credentials: vec![("MINIOKEY".into(), "minio-secret".into())],
        ..jitstore::s3_server::ServerConfig::default()
    })
    .await
    .unwrap();
    let env = HashMap::from([
        (
            "MINIO_ENDPOINT".to_string(),
            server.local_addr().to_string(),
        ),
        ("MINIO_ACCESS_KEY".to_string(), "MINIOKEY".to_string()),
        ("MINIO_SECRET_KEY".to_string(), "minio-secret".to_string()),
        ("MINIO_BUCKET".to_string(), "team-bucket".to_string()),
    ]);
    let dir = example_copy();
    let example = ExampleApp::open(dir.path(), Some(env)).await.unwrap();
    assert_eq!(example.minio, MinioTarget::Configured);
    let minio = example.app.storage("storages.MyMinio").await.unwrap();
    let up = minio
        .upload_by_file("x.txt", "x".into(), Some("text/plain"))
        .await
        .unwrap();
    assert_eq!(
        up.url,
        format!("http://{}/team-bucket/x.txt", server.local_addr())
    );
    assert_eq!(minio.download("x.txt").await.unwrap(), &b"x"[..]);
    example.shutdown().await;
    server.shutdown().await.unwrap();
}
