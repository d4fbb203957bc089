//! Failures against the real local OSS server: wrong secret, missing bucket, bad
//! configuration named by file and field, secrets kept out of errors, retries.

mod common;

use bytes::Bytes;
use common::{env_with, proxy, write_element, Fault, Style, AK, BUCKET, ELEMENT, SK};
use jit_element::ElementErrorKind;
use jit_storage::{Payload, PutOptions, StorageMetaExt};
use jit_storage::{StorageAppExt, StorageErrorKind};
use serde_json::json;
use std::sync::atomic::Ordering;

#[tokio::test]
async fn wrong_secret_is_permission_denied_with_code_and_request_id() {
    for (style, version) in [(Style::Path, "v4"), (Style::VirtualHost, "v1")] {
        let env = env_with(
            style,
            version,
            json!({"accessKeySecret": "not-the-secret"}),
            None,
        )
        .await;
        let err = env
            .storage
            .upload_by_file("a.txt", Bytes::from_static(b"x"), None)
            .await
            .expect_err("upload with a wrong secret");
        assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
        assert!(err.request_id().is_some_and(|id| !id.is_empty()), "{err:?}");
        assert_eq!(err.element(), Some(ELEMENT));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("not-the-secret"), "{shown}");
        assert!(!shown.contains(SK), "{shown}");
    }
}

#[tokio::test]
async fn missing_bucket_is_not_found() {
    let env = env_with(
        Style::Path,
        "v4",
        json!({"bucketName": "no-such-bucket"}),
        None,
    )
    .await;
    let err = env
        .storage
        .download("a.txt")
        .await
        .expect_err("download from a missing bucket");
    assert_eq!(err.kind(), StorageErrorKind::NotFound, "{err}");
    assert_eq!(err.code(), Some("NoSuchBucket"), "{err}");
    let err = env
        .storage
        .list_all("")
        .await
        .expect_err("list a missing bucket");
    assert_eq!(err.code(), Some("NoSuchBucket"), "{err}");
}

#[tokio::test]
async fn missing_key_is_no_such_key() {
    let env = env_with(Style::Path, "v4", json!({}), None).await;
    let err = env
        .storage
        .download("nothing/here")
        .await
        .expect_err("missing key");
    assert_eq!(err.kind(), StorageErrorKind::NotFound);
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert!(err.request_id().is_some());
}

#[tokio::test]
async fn config_errors_name_the_field_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let addr: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    let cases = [
        (
            "NoBucket",
            json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-hangzhou.aliyuncs.com"}),
            "bucketName",
        ),
        (
            "EmptyKey",
            json!({"accessKeyId": "", "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": BUCKET}),
            "accessKeyId",
        ),
        (
            "NoRegion",
            json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "127.0.0.1:9000", "bucketName": BUCKET}),
            "region",
        ),
        (
            "BadPart",
            json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": BUCKET, "partSizeBytes": "big"}),
            "partSizeBytes",
        ),
        (
            "Typo",
            json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": BUCKET, "pathstyle": true}),
            "pathstyle",
        ),
        (
            "BadSignature",
            json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": BUCKET, "signatureVersion": "v3"}),
            "signatureVersion",
        ),
        (
            "BadRetry",
            json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": BUCKET, "retryBaseMs": 0}),
            "retryBaseMs",
        ),
    ];
    for (name, config, _) in &cases {
        write_element(dir.path(), name, config);
    }
    let app = common::open_app(dir.path(), addr);
    for (name, _, field) in cases {
        let err = app
            .storage(&format!("storages.{name}"))
            .await
            .expect_err("invalid config");
        assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
        assert_eq!(err.field(), Some(field), "{err}");
        if name == "Typo" {
            // A misspelt key is refused, not ignored, and named as written.
            assert!(err.message().contains("unknown field `pathstyle`"), "{err}");
        }
        let file = err.file().expect("file named").to_path_buf();
        assert!(
            file.ends_with(format!("storages/{name}/{name}.json")),
            "{}",
            file.display()
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cr3t-x"), "{shown}");
    }
    // A region derived from the endpoint needs no "region" field.
    write_element(
        dir.path(),
        "Derived",
        &json!({"accessKeyId": AK, "accessKeySecret": "s3cr3t-x", "endPoint": "oss-cn-shanghai-internal.aliyuncs.com", "bucketName": BUCKET}),
    );
    let app = common::open_app(dir.path(), addr);
    let storage = app.storage("storages.Derived").await.expect("valid config");
    assert_eq!(
        storage.object_url("a b.txt").unwrap(),
        "https://test-bucket.oss-cn-shanghai-internal.aliyuncs.com/a%20b.txt"
    );
    assert!(!format!("{storage:?}").contains("s3cr3t-x"));
    // Hosts can reach the OSS implementation behind the element.
    let oss = jit_storage::downcast_storage::<jit_storage_cloud::OssStorage>(&storage)
        .expect("OssStorage behind the element");
    assert_eq!(oss.bucket(), BUCKET);
}

#[tokio::test]
async fn server_errors_are_retried_with_a_fresh_signature() {
    let upstream = common::server().await;
    let flaky = proxy(upstream.local_addr(), Fault::Fail503(2)).await;
    let env = env_with(
        Style::Path,
        "v4",
        json!({"maxRetries": 3}),
        Some(flaky.addr),
    )
    .await;
    let up = env
        .storage
        .upload_by_file("retried.txt", Bytes::from_static(b"eventually"), None)
        .await
        .expect("upload succeeds on the third attempt");
    assert_eq!(up.size, 10);
    assert_eq!(flaky.seen.load(std::sync::atomic::Ordering::SeqCst), 3);
    drop(upstream);
}

#[tokio::test]
async fn clock_skew_is_retried_and_reported() {
    let upstream = common::server().await;
    let skewed = proxy(upstream.local_addr(), Fault::Skewed(1)).await;
    let env = env_with(
        Style::Path,
        "v4",
        json!({"maxRetries": 1}),
        Some(skewed.addr),
    )
    .await;
    env.storage
        .upload_by_file("skew.txt", Bytes::from_static(b"x"), None)
        .await
        .expect("second, freshly signed attempt succeeds");
    assert_eq!(skewed.seen.load(std::sync::atomic::Ordering::SeqCst), 2);

    let always = proxy(upstream.local_addr(), Fault::Skewed(100)).await;
    let env = env_with(
        Style::Path,
        "v4",
        json!({"maxRetries": 1}),
        Some(always.addr),
    )
    .await;
    let err = env.storage.stat("x").await.expect_err("always skewed");
    assert_eq!(err.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
    assert!(err.message().contains("clock"), "{err}");
    assert_eq!(always.seen.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn exhausted_retries_report_the_status() {
    let upstream = common::server().await;
    let flaky = proxy(upstream.local_addr(), Fault::Fail503(100)).await;
    let env = env_with(
        Style::Path,
        "v1",
        json!({"maxRetries": 2}),
        Some(flaky.addr),
    )
    .await;
    let err = env.storage.stat("x").await.expect_err("always 503");
    assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
    assert_eq!(err.remote().and_then(|r| r.status), Some(503));
    assert_eq!(err.request_id(), Some("PROXY-2"));
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert!(err.message().contains("gave up after 3 attempts"), "{err}");
    assert_eq!(flaky.seen.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn twice_503_then_success_is_retried_but_signature_mismatch_is_not() {
    let upstream = common::server().await;
    let fast = json!({"maxRetries": 3, "retryBaseMs": 1, "retryMaxMs": 10});

    let flaky = proxy(upstream.local_addr(), Fault::Fail503(2)).await;
    let env = env_with(Style::Path, "v4", fast.clone(), Some(flaky.addr)).await;
    let info = env
        .storage
        .upload_by_file("third-time.txt", Bytes::from_static(b"lucky"), None)
        .await
        .expect("the third attempt succeeds");
    assert_eq!(info.size, 5);
    assert_eq!(flaky.seen.load(Ordering::SeqCst), 3, "503, 503, 200");

    // One refusal only: had it been retried, the second attempt would have passed.
    let denying = proxy(upstream.local_addr(), Fault::SignatureMismatch(1)).await;
    let env = env_with(Style::Path, "v4", fast, Some(denying.addr)).await;
    let err = env
        .storage
        .upload_by_file("denied.txt", Bytes::from_static(b"x"), None)
        .await
        .expect_err("SignatureDoesNotMatch is final");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
    assert!(!err.message().contains("attempts"), "{err}");
    assert_eq!(denying.seen.load(Ordering::SeqCst), 1, "sent once");
}

#[tokio::test]
async fn a_streamed_body_is_sent_once() {
    let upstream = common::server().await;
    let flaky = proxy(upstream.local_addr(), Fault::Fail503(1)).await;
    let env = env_with(
        Style::Path,
        "v4",
        json!({"maxRetries": 3, "retryBaseMs": 1}),
        Some(flaky.addr),
    )
    .await;
    let payload = Payload::Stream {
        stream: Box::pin(futures::stream::iter([Ok(Bytes::from_static(b"once"))])),
        length: 4,
    };
    let err = env
        .storage
        .put("streamed.txt", payload, PutOptions::default())
        .await
        .expect_err("the stream cannot be sent again");
    assert_eq!(err.remote().and_then(|r| r.status), Some(503), "{err}");
    assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
    // It says why it was not retried, and stays retryable for a caller who can
    // produce the stream again.
    assert!(
        err.message()
            .contains("not retried: the request body is a one-shot stream"),
        "{err}"
    );
    assert!(err.is_retryable());
    assert_eq!(flaky.seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_retry_deadline_stops_retries() {
    let upstream = common::server().await;
    let down = proxy(upstream.local_addr(), Fault::Fail503(usize::MAX)).await;
    let env = env_with(
        Style::Path,
        "v4",
        json!({"maxRetries": 100, "retryBaseMs": 400, "retryMaxMs": 400, "retryDeadlineSeconds": 1}),
        Some(down.addr),
    )
    .await;
    let started = std::time::Instant::now();
    let err = env.storage.stat("x").await.expect_err("always 503");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let seen = down.seen.load(Ordering::SeqCst);
    assert!((2..100).contains(&seen), "{seen} attempts");
    assert!(
        err.message()
            .contains(&format!("gave up after {seen} attempts")),
        "{err}"
    );
}

#[tokio::test]
async fn nothing_listens_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let env = env_with(Style::Path, "v4", json!({"maxRetries": 0}), Some(closed)).await;
    let err = env.storage.stat("x").await.expect_err("connection refused");
    assert_eq!(err.kind(), StorageErrorKind::Network, "{err}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepts connections, reads nothing, answers nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let env = env_with(
        Style::Path,
        "v4",
        json!({"maxRetries": 0, "timeoutSeconds": 1}),
        Some(addr),
    )
    .await;
    let err = env.storage.stat("x").await.expect_err("no answer");
    assert_eq!(err.kind(), StorageErrorKind::Timeout, "{err}");
    let err = env
        .storage
        .upload_by_file("y", Bytes::from(vec![0u8; 1 << 20]), None)
        .await
        .expect_err("no answer to an upload");
    assert_eq!(err.kind(), StorageErrorKind::Timeout, "{err}");
    holder.abort();
}
