//! Checks against moto beyond the behaviour suite, run by `s3_behaviour` as trials of
//! their own (reported ignored, saying why, where moto cannot be installed): the
//! CRC-64/NVME of bytes, of streamed (aws-chunked) files and of multipart uploads
//! (FULL_OBJECT) is stored and returned by the server (moto keeps what it is given
//! without checking it: serve-s3's tests prove that a wrong one is refused); failures
//! name the element, the Type, the operation, the server's code and request id;
//! `${MINIO_SCHEME:-http}` takes its default or its value.

use std::net::SocketAddr;

use jit_storage::{Payload, StorageErrorKind, StorageMetaExt};
use serde_json::json;

use super::checks::{nvme_b64, signed};
use super::{element, fresh_bucket, moto_bucket, Kind, Style};

/// The CRC-64/NVME moto keeps for `key`, asked for with `x-amz-checksum-mode`.
async fn stored_checksum(addr: std::net::SocketAddr, bucket: &str, key: &str) -> Option<String> {
    let response = signed(
        addr,
        "HEAD",
        bucket,
        key,
        &[("x-amz-checksum-mode", "ENABLED")],
        b"",
    )
    .await;
    assert!(response.status().is_success(), "{}", response.status());
    response
        .headers()
        .get("x-amz-checksum-crc64nvme")
        .map(|v| v.to_str().unwrap().to_string())
}

pub async fn checksums_of_every_upload_path_reach_the_server(addr: SocketAddr) {
    let bucket = fresh_bucket(Kind::Minio);
    moto_bucket(addr, &bucket).await;
    let extra = json!({"multipartThresholdBytes": 6 << 20, "partSizeBytes": 5 << 20});
    let e = element(Kind::Minio, Style::Path, addr, &bucket, extra, &[]).await;

    let small = b"hello, moto".to_vec();
    e.storage
        .put(
            "bytes.txt",
            Payload::Bytes(small.clone().into()),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        stored_checksum(addr, &bucket, "bytes.txt").await,
        Some(nvme_b64(&small))
    );

    // A file is streamed: aws-chunked with the checksum as a trailer.
    let streamed: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let path = e.dir.path().join("streamed.bin");
    std::fs::write(&path, &streamed).unwrap();
    e.storage
        .put(
            "streamed.bin",
            Payload::from_file(&path).await.unwrap(),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        stored_checksum(addr, &bucket, "streamed.bin").await,
        Some(nvme_b64(&streamed))
    );
    assert_eq!(e.storage.download("streamed.bin").await.unwrap(), streamed);

    // Multipart: three parts, the full-object checksum.
    let large: Vec<u8> = (0..(11u32 << 20)).map(|i| (i % 241) as u8).collect();
    e.storage
        .put(
            "large.bin",
            Payload::Bytes(large.clone().into()),
            Default::default(),
        )
        .await
        .unwrap();
    let info = e.storage.stat("large.bin").await.unwrap();
    assert_eq!(info.size, large.len() as u64);
    assert_eq!(
        stored_checksum(addr, &bucket, "large.bin").await,
        Some(nvme_b64(&large))
    );
    assert_eq!(e.storage.download("large.bin").await.unwrap(), large);
}

pub async fn failures_name_the_element_type_operation_code_and_request_id(addr: SocketAddr) {
    let bucket = fresh_bucket(Kind::Eos);
    moto_bucket(addr, &bucket).await;
    let e = element(Kind::Eos, Style::VirtualHost, addr, &bucket, json!({}), &[]).await;
    let err = e.storage.download("missing.txt").await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::NotFound);
    let shown = err.to_string();
    assert!(shown.contains("storages.MyS3"), "{shown}");
    assert!(shown.contains("storages.EosType"), "{shown}");
    assert!(shown.contains("missing.txt"), "{shown}");
    assert!(shown.contains("NoSuchKey"), "{shown}");
    assert!(err.request_id().is_some(), "{shown}");
    assert!(!format!("{err:?}").contains(super::SK));
}

pub async fn minio_scheme_variables_take_their_default_or_value(addr: SocketAddr) {
    let bucket = fresh_bucket(Kind::Minio);
    moto_bucket(addr, &bucket).await;
    // `${MINIO_SCHEME:-http}` unset: http, and the element works.
    let e = element(Kind::Minio, Style::Path, addr, &bucket, json!({}), &[]).await;
    let url = e.storage.object_url("a.txt").unwrap();
    assert_eq!(url, format!("http://{addr}/{bucket}/a.txt"));
    e.storage
        .upload_by_file("a.txt", "x".into(), None)
        .await
        .unwrap();
    // Set: its value.
    let e = element(
        Kind::Minio,
        Style::Path,
        addr,
        &bucket,
        json!({}),
        &[("MINIO_SCHEME", "https")],
    )
    .await;
    assert!(e
        .storage
        .object_url("a.txt")
        .unwrap()
        .starts_with("https://"));
}
