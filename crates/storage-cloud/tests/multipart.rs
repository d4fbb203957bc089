//! Multipart uploads with several parts in flight (`multipartConcurrency`) against the
//! real local OSS server: round trips at concurrency 1 and 4, and failures while parts
//! are in flight (the payload stream, or one part refused by a proxy) that must leave
//! no open upload behind. Config validation of the field as an app sees it.

mod common;

use std::sync::atomic::Ordering;

use bytes::Bytes;
use common::{env_with, open_uploads, proxy, write_element, Fault, Style, AK, BUCKET};
use jit_element::ElementErrorKind;
use jit_storage::StorageMetaExt;
use jit_storage::{Payload, PutOptions, StorageAppExt, StorageError, StorageErrorKind};
use rand::RngCore;
use serde_json::json;

/// Part size of these tests: the smallest OSS accepts.
const PART: usize = 100 * 1024;

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

/// Multipart above 300 KiB, 100 KiB parts, `concurrency` parts at once, no retries.
fn multipart(concurrency: usize) -> serde_json::Value {
    json!({
        "multipartThresholdBytes": 3 * PART,
        "partSizeBytes": PART,
        "multipartConcurrency": concurrency,
        "maxRetries": 0
    })
}

/// `data` as a stream of odd-sized chunks (parts straddle chunk boundaries).
fn chunked(data: &Bytes) -> Payload {
    let chunks: Vec<_> = data
        .chunks(77_777)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Payload::Stream {
        stream: Box::pin(futures::stream::iter(chunks)),
        length: data.len() as u64,
    }
}

#[tokio::test]
async fn round_trips_at_concurrency_1_and_4() {
    for (concurrency, style, version) in [
        (1, Style::Path, "v4"),
        (4, Style::Path, "v4"),
        (4, Style::VirtualHost, "v1"),
    ] {
        let env = env_with(style, version, multipart(concurrency), None).await;
        // 11 parts, the last one short.
        let data = random(10 * PART + 4321);
        let up = env
            .storage
            .put("mp/file.bin", chunked(&data), PutOptions::default())
            .await
            .unwrap_or_else(|e| panic!("concurrency {concurrency}: {e}"));
        let crc = jit_oss_protocol::crc64::checksum(&data);
        assert_eq!(up.crc64, Some(crc), "concurrency {concurrency}");
        assert_eq!(up.size, data.len() as u64);
        let etag = up.etag.expect("an ETag");
        assert!(etag.ends_with("-11"), "a multipart ETag: {etag}");
        let stat = env.storage.stat("mp/file.bin").await.unwrap();
        assert_eq!(stat.crc64, Some(crc));
        assert!(env.storage.download("mp/file.bin").await.unwrap() == data);
        assert_eq!(open_uploads(&env.server).await, 0);

        // A bytes payload with exactly as many parts as parts in flight.
        let exact = random(4 * PART);
        let up = env
            .storage
            .upload_by_file("mp/exact.bin", exact.clone(), None)
            .await
            .unwrap();
        assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&exact)));
        assert!(env.storage.download("mp/exact.bin").await.unwrap() == exact);
    }
}

#[tokio::test]
async fn by_default_two_parts_are_in_flight() {
    // The proxy answers part 1 only once part 2 has reached it; one part at a time
    // would wait for part 1 forever (until the 5 s idle timeout).
    let upstream = common::server().await;
    let gate = proxy(upstream.local_addr(), Fault::HoldPart1UntilPart2).await;
    let config = json!({
        "multipartThresholdBytes": 3 * PART,
        "partSizeBytes": PART,
        "timeoutSeconds": 5
    });
    let env = env_with(Style::Path, "v4", config, Some(gate.addr)).await;
    let data = random(5 * PART + 7);
    let up = env
        .storage
        .put("mp/overlap.bin", chunked(&data), PutOptions::default())
        .await
        .expect("parts 1 and 2 in flight together");
    assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));
    assert!(env.storage.download("mp/overlap.bin").await.unwrap() == data);
    assert_eq!(open_uploads(&upstream).await, 0);
}

#[tokio::test]
async fn a_stream_failing_after_several_parts_aborts_the_upload() {
    for concurrency in [1, 4] {
        let env = env_with(Style::Path, "v4", multipart(concurrency), None).await;
        // Six full parts, then the source fails.
        let mut chunks: Vec<Result<Bytes, StorageError>> =
            (0..6).map(|_| Ok(random(PART))).collect();
        chunks.push(Err(StorageError::new(
            StorageErrorKind::Io,
            "disk went away",
        )));
        chunks.push(Ok(random(PART)));
        let payload = Payload::Stream {
            stream: Box::pin(futures::stream::iter(chunks)),
            length: 12 * PART as u64,
        };
        let err = env
            .storage
            .put("mp/broken.bin", payload, PutOptions::default())
            .await
            .expect_err("stream failure");
        assert_eq!(err.kind(), StorageErrorKind::Io, "{err}");
        assert!(err.message().contains("disk went away"), "{err}");
        assert!(!env.storage.exists("mp/broken.bin").await.unwrap());
        assert_eq!(
            open_uploads(&env.server).await,
            0,
            "concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn a_part_failing_while_others_are_in_flight_aborts_the_upload() {
    let concurrency = 4;
    let upstream = common::server().await;
    let refusing = proxy(upstream.local_addr(), Fault::FailPart(3)).await;
    let env = env_with(
        Style::Path,
        "v4",
        multipart(concurrency),
        Some(refusing.addr),
    )
    .await;
    let data = random(10 * PART + 1);
    let err = env
        .storage
        .put("mp/refused.bin", chunked(&data), PutOptions::default())
        .await
        .expect_err("part 3 refused");
    assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
    assert_eq!(err.request_id(), Some("PROXY-PART-3"), "{err:?}");
    // Once part 3 failed no new part was read: at most parts 1..=6 were sent (3 plus
    // the others that could be in flight), out of 11, between Initiate and Abort.
    let seen = refusing.seen.load(Ordering::SeqCst);
    assert!(seen <= 1 + 6 + 1, "{seen} requests reached the proxy");
    // Nothing is left open on the server behind the proxy, and no object exists.
    assert_eq!(open_uploads(&upstream).await, 0);
    assert!(!env.storage.exists("mp/refused.bin").await.unwrap());
}

#[tokio::test]
async fn multipart_concurrency_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    let addr: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    let base = json!({
        "accessKeyId": AK, "accessKeySecret": "s3cr3t-x",
        "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": BUCKET
    });
    let cases = [
        ("Zero", json!(0), false),
        ("TooMany", json!(17), false),
        ("NotANumber", json!("four"), false),
        ("One", json!(1), true),
        ("Sixteen", json!(16), true),
    ];
    for (name, value, _) in &cases {
        let mut config = base.clone();
        config["multipartConcurrency"] = value.clone();
        write_element(dir.path(), name, &config);
    }
    let app = common::open_app(dir.path(), addr);
    for (name, _, valid) in cases {
        let loaded = app.storage(&format!("storages.{name}")).await;
        if valid {
            loaded.unwrap_or_else(|e| panic!("{name}: {e}"));
            continue;
        }
        let err = loaded.expect_err(name);
        assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
        assert_eq!(err.field(), Some("multipartConcurrency"), "{err}");
    }
}
