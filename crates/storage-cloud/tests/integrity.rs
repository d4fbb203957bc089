//! Multipart uploads, CRC-64 mismatch detection (a proxy corrupting traffic from the real
//! server), presigned PUT then GET, STS-style tokens and bulk delete.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{env_with, open_uploads, proxy, signed, Fault, Style};
use futures::StreamExt;
use jit_storage::StorageMetaExt;
use jit_storage::{GetOptions, ListOptions, Payload, PresignOptions, PutOptions, StorageErrorKind};
use rand::RngCore;
use serde_json::json;

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

fn small_multipart() -> serde_json::Value {
    json!({"multipartThresholdBytes": 300 * 1024, "partSizeBytes": 100 * 1024})
}

#[tokio::test]
async fn multipart_round_trip_from_a_stream() {
    for (style, version) in [(Style::Path, "v4"), (Style::VirtualHost, "v1")] {
        let env = env_with(style, version, small_multipart(), None).await;
        let data = random(1024 * 1024 + 123);
        // Odd-sized chunks so parts straddle chunk boundaries.
        let chunks: Vec<_> = data
            .chunks(77_777)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let payload = Payload::Stream {
            stream: Box::pin(futures::stream::iter(chunks)),
            length: data.len() as u64,
        };
        let up = env
            .storage
            .put(
                "big/file.bin",
                payload,
                PutOptions::content_type("video/mp4").with_metadata("k", "v"),
            )
            .await
            .expect("multipart put");
        let expected_crc = jit_oss_protocol::crc64::checksum(&data);
        assert_eq!(up.crc64, Some(expected_crc));
        assert_eq!(up.size, data.len() as u64);
        let info = env.storage.stat("big/file.bin").await.unwrap();
        assert_eq!(info.crc64, Some(expected_crc));
        assert_eq!(info.content_type.as_deref(), Some("video/mp4"));
        assert_eq!(info.metadata.get("k").map(String::as_str), Some("v"));
        assert!(env.storage.download("big/file.bin").await.unwrap() == data);

        // Bytes payloads above the threshold go multipart too.
        let up = env
            .storage
            .upload_by_file("big/bytes.bin", data.slice(..400 * 1024), None)
            .await
            .unwrap();
        assert_eq!(
            up.crc64,
            Some(jit_oss_protocol::crc64::checksum(&data[..400 * 1024]))
        );
    }
}

#[tokio::test]
async fn failed_multipart_is_aborted() {
    let env = env_with(Style::Path, "v4", small_multipart(), None).await;
    let chunks = vec![
        Ok(random(250 * 1024)),
        Err(jit_storage::StorageError::new(
            StorageErrorKind::Io,
            "disk went away",
        )),
    ];
    let payload = Payload::Stream {
        stream: Box::pin(futures::stream::iter(chunks)),
        length: 1024 * 1024,
    };
    let err = env
        .storage
        .put("big/broken.bin", payload, PutOptions::default())
        .await
        .expect_err("stream failure");
    assert_eq!(err.kind(), StorageErrorKind::Io, "{err}");
    assert!(!env.storage.exists("big/broken.bin").await.unwrap());
    // No upload stays open (ListMultipartUploads is empty) ...
    assert_eq!(open_uploads(&env.server).await, 0);
    // ... while one left open would be seen.
    signed(&env.server, "POST", Some("left/open.bin"), "uploads").await;
    assert_eq!(open_uploads(&env.server).await, 1);
}

#[tokio::test]
async fn corrupted_download_is_detected() {
    let upstream = common::server().await;
    let bad = proxy(upstream.local_addr(), Fault::CorruptGetBody).await;
    let env = env_with(Style::Path, "v4", json!({}), Some(bad.addr)).await;
    env.storage
        .upload_by_file("c.bin", random(100_000), None)
        .await
        .expect("upload through the proxy");
    let err = env
        .storage
        .download("c.bin")
        .await
        .expect_err("corrupted body");
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch, "{err}");
    // The bytes before the end are still streamed; the error comes last.
    let mut stream = env
        .storage
        .get("c.bin", GetOptions::default())
        .await
        .unwrap()
        .stream;
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item);
    }
    assert!(matches!(last, Some(Err(e)) if e.kind() == StorageErrorKind::IntegrityMismatch));
    drop(upstream);
}

#[tokio::test]
async fn wrong_upload_crc_is_detected() {
    let upstream = common::server().await;
    let bad = proxy(upstream.local_addr(), Fault::WrongPutCrc).await;
    let env = env_with(Style::Path, "v1", json!({}), Some(bad.addr)).await;
    let err = env
        .storage
        .upload_by_file("w.bin", random(1000), None)
        .await
        .expect_err("wrong CRC header");
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch, "{err}");
    assert!(err.request_id().is_some(), "{err:?}");
    let stream = futures::stream::iter(vec![Ok(random(500)), Ok(random(500))]);
    let err = env
        .storage
        .put(
            "w2.bin",
            Payload::Stream {
                stream: Box::pin(stream),
                length: 1000,
            },
            PutOptions::default(),
        )
        .await
        .expect_err("wrong CRC header on a streamed upload");
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch, "{err}");
    drop(upstream);
}

#[tokio::test]
async fn streamed_upload_of_the_wrong_length_fails() {
    let env = env_with(Style::Path, "v4", json!({}), None).await;
    let stream = futures::stream::iter(vec![Ok(random(10))]);
    let err = env
        .storage
        .put(
            "short.bin",
            Payload::Stream {
                stream: Box::pin(stream),
                length: 20,
            },
            PutOptions::default(),
        )
        .await
        .expect_err("stream shorter than declared");
    assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{err}");
    assert!(!env.storage.exists("short.bin").await.unwrap());
}

#[tokio::test]
async fn presigned_put_then_presigned_get() {
    for (style, version) in [(Style::VirtualHost, "v4"), (Style::Path, "v1")] {
        let env = env_with(style, version, json!({}), None).await;
        let put = env
            .storage
            .presign(
                "up/photo 1.png",
                PresignOptions::put("image/png", Duration::from_secs(120)),
            )
            .await
            .unwrap();
        assert_eq!(
            put.headers,
            vec![("Content-Type".to_string(), "image/png".to_string())]
        );
        // The wrong content type breaks the signature.
        let wrong = env
            .http
            .put(&put.url)
            .header("content-type", "text/plain")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 403);
        let mut request = env.http.put(&put.url).body("png bytes");
        for (name, value) in &put.headers {
            request = request.header(name, value);
        }
        assert!(request.send().await.unwrap().status().is_success());

        let get = env
            .storage
            .presign(
                "up/photo 1.png",
                PresignOptions::get(Duration::from_secs(60)),
            )
            .await
            .unwrap();
        let response = env.http.get(&get.url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        assert_eq!(response.bytes().await.unwrap(), &b"png bytes"[..]);

        let typed = env
            .storage
            .get_sign_url("up/photo 1.png", Some("application/x-download"), None)
            .await
            .unwrap();
        let response = env.http.get(&typed).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/x-download");
    }
}

#[tokio::test]
async fn presigned_urls_live_one_second_to_seven_days_v1_and_v4_alike() {
    for version in ["v4", "v1"] {
        let env = env_with(Style::Path, version, json!({}), None).await;
        for too_long in [
            Duration::from_secs(7 * 24 * 3600 + 1),
            Duration::from_secs(30 * 24 * 3600),
            // Would overflow `now + expires` if it were ever added.
            Duration::from_secs(u64::MAX),
            Duration::MAX,
        ] {
            let err = env
                .storage
                .presign("a", PresignOptions::get(too_long))
                .await
                .expect_err("too long");
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{version}");
            assert!(err.message().contains("7 days"), "{version}: {err}");
        }
        env.storage
            .presign("a", PresignOptions::get(Duration::from_secs(7 * 24 * 3600)))
            .await
            .expect("seven days is allowed");
        let err = env
            .storage
            .presign("a", PresignOptions::get(Duration::ZERO))
            .await
            .expect_err("zero");
        assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{version}");
    }
}

#[tokio::test]
async fn delete_many_and_server_side_copy() {
    let env = env_with(Style::VirtualHost, "v4", json!({}), None).await;
    let mut names = Vec::new();
    for i in 0..5 {
        let name = format!("bulk/item {i}+&<x>.txt");
        env.storage
            .upload_by_file(&name, Bytes::from(format!("{i}")), Some("text/plain"))
            .await
            .unwrap();
        names.push(name);
    }
    let copied = env
        .storage
        .copy(&names[0], "bulk-copy/first.txt")
        .await
        .unwrap();
    assert_eq!(copied.size, 1);
    let port = env.server.local_addr().port();
    assert_eq!(
        copied.url,
        format!("http://test-bucket.localhost:{port}/bulk-copy/first.txt")
    );
    assert_eq!(copied.crc64, Some(jit_oss_protocol::crc64::checksum(b"0")));
    names.push("bulk/never-existed".to_string());
    env.storage.delete_many(&names).await.unwrap();
    let left = env
        .storage
        .list(ListOptions {
            prefix: Some("bulk/".into()),
            ..ListOptions::default()
        })
        .await
        .unwrap();
    assert!(left.objects.is_empty(), "{left:?}");
    assert!(env.storage.exists("bulk-copy/first.txt").await.unwrap());
}

#[tokio::test]
async fn ranges_beyond_the_end_are_empty() {
    let env = env_with(Style::Path, "v4", json!({}), None).await;
    env.storage
        .upload_by_file("r.bin", Bytes::from_static(b"0123456789"), None)
        .await
        .unwrap();
    for range in [10..20, 50..60, 3..3] {
        let got = env
            .storage
            .get(
                "r.bin",
                GetOptions {
                    range: Some(range.clone()),
                },
            )
            .await
            .unwrap();
        assert_eq!(got.info.size, 10);
        assert!(got.bytes().await.unwrap().is_empty(), "{range:?}");
    }
}
