//! A folder store keeps what serve-s3 wrote across a restart: objects with their
//! metadata and checksums, and an upload in progress, which then completes.

mod common;

use common::*;

#[tokio::test]
async fn folder_store_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("s3-root");
    let server = server(Some(root.clone())).await;
    let a = signed(
        &server,
        request(&server, "PUT", Some("dir/kept.txt"))
            .with_header("content-type", "text/plain")
            .with_header("x-amz-meta-colour", "red"),
        b"durable".to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let a = signed(
        &server,
        request(&server, "POST", Some("mp")).with_query("uploads", None),
        vec![],
    )
    .await;
    let upload_id = a
        .text()
        .split("<UploadId>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let a = signed(
        &server,
        request(&server, "PUT", Some("mp"))
            .with_query("partNumber", Some("1"))
            .with_query("uploadId", Some(&upload_id)),
        b"only part".to_vec(),
    )
    .await;
    let etag = a.header("etag").to_owned();
    server.shutdown().await.unwrap();

    let server = common::server(Some(root)).await;
    let a = signed(
        &server,
        request(&server, "GET", Some("dir/kept.txt")).with_header("x-amz-checksum-mode", "ENABLED"),
        vec![],
    )
    .await;
    assert_eq!(a.body, b"durable");
    assert_eq!(a.header("content-type"), "text/plain");
    assert_eq!(a.header("x-amz-meta-colour"), "red");
    assert!(!a.header("x-amz-checksum-crc64nvme").is_empty());
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let a = signed(
        &server,
        request(&server, "POST", Some("mp")).with_query("uploadId", Some(&upload_id)),
        xml.into_bytes(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(
        a.text().contains("-1&quot;</ETag>") || a.text().contains("-1\"</ETag>"),
        "{}",
        a.text()
    );
    let a = signed(&server, request(&server, "GET", Some("mp")), vec![]).await;
    assert_eq!(a.body, b"only part");
    let a = signed(
        &server,
        request(&server, "GET", None).with_query("list-type", Some("2")),
        vec![],
    )
    .await;
    assert!(a.text().contains("<Key>dir/kept.txt</Key>") && a.text().contains("<Key>mp</Key>"));
    server.shutdown().await.unwrap();
}

/// The folder is the local OSS server's store: what serve-s3 wrote reads back through
/// `jit_oss_server::store::Store` with the CRC-64/XZ serve-oss sends and the S3
/// checksums beside it.
#[tokio::test]
async fn the_folder_is_the_oss_servers_store() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shared-root");
    let server = server(Some(root.clone())).await;
    let a = signed(
        &server,
        request(&server, "PUT", Some("both")),
        b"shared".to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    server.shutdown().await.unwrap();

    let store = jit_oss_server::store::Store::open_folder(root)
        .await
        .unwrap();
    let meta = store.head(BUCKET, "both").unwrap();
    assert_eq!(meta.size, 6);
    assert_eq!(meta.crc64, jit_oss_protocol::crc64::checksum(b"shared"));
    let nvme =
        jit_s3_server::checksum::of(jit_s3_server::checksum::Algorithm::Crc64Nvme, b"shared");
    assert!(
        meta.checksums.contains(&("crc64nvme".to_owned(), nvme)),
        "{:?}",
        meta.checksums
    );
}
