//! `jitstore serve-oss` as a separate process: an OssType element signs requests that the
//! served process verifies, and a wrong secret is refused.

use std::collections::HashMap;
use std::process::Command;

use jitstore::prelude::*;
use served::{serve_announced, ServerProcess};

mod served;

/// Starts `jitstore serve-oss` on a free loopback port; returns it and its endpoint.
fn serve(root: &std::path::Path) -> (ServerProcess, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jitstore"));
    command
        .args([
            "serve-oss",
            "--addr",
            "127.0.0.1:0",
            "--bucket",
            "cli-bucket",
            "--access-key-id",
            "CLIKEY",
        ])
        .arg("--root")
        .arg(root)
        .env("JITSTORE_OSS_ACCESS_KEY_SECRET", "cli-secret");
    serve_announced(command, "local OSS server on ")
}

fn app_for(endpoint: &str, secret: &str) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let element = dir.path().join("storages/Remote");
    std::fs::create_dir_all(&element).unwrap();
    std::fs::write(
        element.join("e.json"),
        r#"{"title": "Remote", "type": "storages.OssType"}"#,
    )
    .unwrap();
    std::fs::write(
        element.join("Remote.json"),
        r#"{"accessKeyId": "CLIKEY", "accessKeySecret": "{{SECRET}}", "endPoint": "{{ENDPOINT}}",
            "bucketName": "cli-bucket", "region": "cn-hangzhou"}"#,
    )
    .unwrap();
    let app = App::builder(dir.path())
        .with_builtin_types()
        .env_vars(HashMap::from([
            ("SECRET".to_string(), secret.to_string()),
            ("ENDPOINT".to_string(), endpoint.to_string()),
        ]))
        .open()
        .unwrap();
    (dir, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_oss_verifies_what_oss_type_signs() {
    let data = tempfile::tempdir().unwrap();
    let (_server, endpoint) = serve(data.path());
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");

    let (_dir, app) = app_for(&endpoint, "cli-secret");
    let storage = app.storage("storages.Remote").await.unwrap();
    storage
        .upload_by_file("hello.txt", "hi there".into(), Some("text/plain"))
        .await
        .unwrap();
    assert_eq!(
        storage.download("hello.txt").await.unwrap(),
        &b"hi there"[..]
    );
    let url = storage.get_sign_url("hello.txt", None, None).await.unwrap();
    assert_eq!(
        reqwest::get(&url).await.unwrap().text().await.unwrap(),
        "hi there"
    );

    let (_dir, wrong) = app_for(&endpoint, "not-the-secret");
    let err = wrong
        .storage("storages.Remote")
        .await
        .unwrap()
        .download("hello.txt")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert!(err.request_id().is_some(), "{err}");
}

/// Sends a browser's preflight for a PUT from `origin` to `endpoint`: (status, ACAO).
async fn preflight(endpoint: &str, origin: &str) -> (u16, Option<String>) {
    let answer = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{endpoint}/cli-bucket/upload.png"),
        )
        .header("origin", origin)
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    let allow = answer
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned());
    (answer.status().as_u16(), allow)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_oss_honours_cors_origin() {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_jitstore"));
    command
        .args([
            "serve-oss",
            "--addr",
            "127.0.0.1:0",
            "--bucket",
            "cli-bucket",
        ])
        .args(["--access-key-id", "CLIKEY", "--root"])
        .arg(data.path())
        .args(["--cors-origin", "http://127.0.0.1:5173"])
        .args(["--cors-origin", "http://localhost:5173"])
        .env("JITSTORE_OSS_ACCESS_KEY_SECRET", "cli-secret");
    let (_server, endpoint) = serve_announced(command, "local OSS server on ");
    for origin in ["http://127.0.0.1:5173", "http://localhost:5173"] {
        assert_eq!(
            preflight(&endpoint, origin).await,
            (200, Some(origin.to_owned()))
        );
    }
    assert_eq!(preflight(&endpoint, "http://evil.test").await, (403, None));

    // Without the flag, the same preflight gets no CORS answer.
    let (_plain, endpoint) = serve(data.path());
    let (status, allow) = preflight(&endpoint, "http://127.0.0.1:5173").await;
    assert_ne!(status, 200);
    assert_eq!(allow, None);
}

#[test]
fn serve_oss_refuses_a_bad_cors_origin() {
    let output = Command::new(env!("CARGO_BIN_EXE_jitstore"))
        .args([
            "serve-oss",
            "--addr",
            "127.0.0.1:0",
            "--bucket",
            "cli-bucket",
        ])
        .args([
            "--access-key-id",
            "CLIKEY",
            "--cors-origin",
            "localhost:5173",
        ])
        .env("JITSTORE_OSS_ACCESS_KEY_SECRET", "cli-secret")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--cors-origin") && stderr.contains("localhost:5173"),
        "{stderr}"
    );
    assert!(!stderr.contains("cli-secret"), "{stderr}");
}
