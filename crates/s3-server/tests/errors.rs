//! Every refusal of serve-s3 as S3 answers it: signature errors
//! (SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied for an expired URL and for
//! anonymous requests, RequestTimeTooSkewed) and request errors (BadDigest,
//! XAmzContentSHA256Mismatch, NoSuchKey, NoSuchBucket, NoSuchUpload, InvalidRange,
//! InvalidPart), each with S3's `<Error>` XML, `x-amz-request-id` and `x-amz-id-2`.

mod common;

use std::time::SystemTime;

use common::*;
use jit_oss_protocol::s3::{sign_header, PayloadHash};
use jit_oss_protocol::Credentials;

fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", a.text());
    assert_eq!(a.code(), code, "{}", a.text());
    assert_eq!(a.header("x-amz-request-id").len(), 16);
    assert!(!a.header("x-amz-id-2").is_empty());
    let text = a.text();
    for element in ["<Message>", "<RequestId>", "<Resource>", "<HostId>"] {
        assert!(text.contains(element), "{element} missing: {text}");
    }
}

#[tokio::test]
async fn signature_errors() {
    let server = server(None).await;
    let a = signed_at(
        &server,
        request(&server, "GET", Some("k")),
        vec![],
        &Credentials::new(AK, "wrong"),
        SystemTime::now(),
    )
    .await;
    assert_error(&a, 403, "SignatureDoesNotMatch");
    assert!(a.text().contains("<StringToSign>AWS4-HMAC-SHA256"));
    let a = signed_at(
        &server,
        request(&server, "GET", Some("k")),
        vec![],
        &Credentials::new("AKIDNOPE", SK),
        SystemTime::now(),
    )
    .await;
    assert_error(&a, 403, "InvalidAccessKeyId");
    let a = signed_at(
        &server,
        request(&server, "GET", Some("k")),
        vec![],
        &creds(),
        ago(3600),
    )
    .await;
    assert_error(&a, 403, "RequestTimeTooSkewed");
    let a = presigned(
        &server,
        request(&server, "GET", Some("k")),
        vec![],
        ago(120),
        60,
    )
    .await;
    assert_error(&a, 403, "AccessDenied");
    assert!(a.text().contains("Request has expired"));
    let a = send(&server, &request(&server, "GET", Some("k")), vec![]).await;
    assert_error(&a, 403, "AccessDenied");
    // A body changed after signing: the signature covers its hash.
    let mut req = request(&server, "PUT", Some("k"));
    sign_header(
        &mut req,
        &creds(),
        REGION,
        &PayloadHash::of(b"signed"),
        SystemTime::now(),
    )
    .unwrap();
    let a = send(&server, &req, b"tampered".to_vec()).await;
    assert_error(&a, 400, "XAmzContentSHA256Mismatch");
    let a = signed(&server, request(&server, "GET", Some("k")), vec![]).await;
    assert_error(&a, 404, "NoSuchKey");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn anonymous_requests_when_allowed() {
    let server = jit_s3_server::start(jit_s3_server::ServerConfig {
        buckets: vec![BUCKET.to_owned()],
        allow_anonymous: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let a = send(
        &server,
        &request(&server, "PUT", Some("open")),
        b"free".to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let a = send(&server, &request(&server, "GET", Some("open")), vec![]).await;
    assert_eq!(a.body, b"free");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn request_errors() {
    let server = server(None).await;
    let a = signed(
        &server,
        request(&server, "PUT", Some("k")).with_header("x-amz-checksum-crc32", "AAAAAA=="),
        b"hello world".to_vec(),
    )
    .await;
    assert_error(&a, 400, "BadDigest");
    let a = signed(
        &server,
        request(&server, "PUT", Some("k")).with_header("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
        b"not empty".to_vec(),
    )
    .await;
    assert_error(&a, 400, "BadDigest");
    let a = signed(&server, request(&server, "HEAD", Some("k")), vec![]).await;
    assert_eq!(a.status, 404, "nothing kept after BadDigest");
    // 5 GiB + 1 announced: refused before a byte is read.
    let a = signed(
        &server,
        request(&server, "PUT", Some("huge"))
            .with_header(
                "x-amz-decoded-content-length",
                ((5u64 << 30) + 1).to_string(),
            )
            .with_header("content-encoding", "aws-chunked"),
        vec![],
    )
    .await;
    assert_eq!(a.code(), "EntityTooLarge", "{}", a.text());

    let a = signed(
        &server,
        request(&server, "PUT", Some("k")).with_header("x-amz-checksum-crc32", "DUoRhQ=="),
        b"hello world".to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("etag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    assert_eq!(a.header("x-amz-checksum-crc32"), "DUoRhQ==");
    let a = signed(
        &server,
        request(&server, "GET", Some("k")).with_header("range", "bytes=11-"),
        vec![],
    )
    .await;
    assert_error(&a, 416, "InvalidRange");
    let a = signed(
        &server,
        request(&server, "GET", Some("k")).with_header("range", "bytes=6-"),
        vec![],
    )
    .await;
    assert_eq!((a.status, a.body.as_slice()), (206, &b"world"[..]));
    let a = signed(
        &server,
        request(&server, "GET", Some("k")).with_header("x-amz-checksum-mode", "ENABLED"),
        vec![],
    )
    .await;
    assert_eq!(a.header("x-amz-checksum-crc32"), "DUoRhQ==");

    let a = signed(
        &server,
        request(&server, "GET", Some("k")).with_query("uploadId", Some("nope")),
        vec![],
    )
    .await;
    assert_error(&a, 404, "NoSuchUpload");
    let mut req = jit_oss_protocol::s3::S3Request::path_style("GET", "no-such-bucket", Some("k"))
        .with_header("host", server.local_addr().to_string());
    req.set_header("x-amz-meta-a", "1");
    let a = signed(&server, req, vec![]).await;
    assert_error(&a, 404, "NoSuchBucket");
    let a = signed(
        &server,
        request(&server, "POST", Some("k")).with_query("uploads", None),
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
    let xml = b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>".to_vec();
    let a = signed(
        &server,
        request(&server, "POST", Some("k")).with_query("uploadId", Some(&upload_id)),
        xml,
    )
    .await;
    assert_error(&a, 400, "InvalidPart");
    let a = signed(&server, request(&server, "HEAD", Some("missing")), vec![]).await;
    assert_eq!(
        (a.status, a.body.len()),
        (404, 0),
        "HEAD errors have no body"
    );
    server.shutdown().await.unwrap();
}
