//! What the S3 dialect sends reaches serve-s3, which verifies signatures and
//! checksums, as S3 means it: every upload path of every Type (bytes, streamed
//! aws-chunked files with the checksum trailer, multipart with the full-object
//! checksum) arrives intact; an STS session token goes signed with every request; a
//! wrong secret is refused (SignatureDoesNotMatch,
//! PermissionDenied, with the request id and no secret shown), and so is a wrong
//! checksum (BadDigest); a server refusing checksums (as R2 and older MinIO do) is
//! recognised once and every upload path then goes through without them. The same
//! checks against moto run in `s3_behaviour`.

mod s3;

use jit_storage::{Payload, StorageErrorKind, StorageMetaExt};
use s3::checks::{nvme_b64, signed};
use s3::{element, fresh_bucket, Kind, Style};
use serde_json::json;

/// serve-s3 verifies signatures and checksums: every upload path of every Type
/// reaches it intact (it refuses a body whose checksum does not match).
#[tokio::test]
async fn serve_s3_verifies_every_upload_path_of_every_type() {
    for kind in Kind::ALL {
        let bucket = fresh_bucket(kind);
        let server = s3::serve_s3(&bucket, kind.region()).await;
        let extra = json!({"multipartThresholdBytes": 6 << 20, "partSizeBytes": 5 << 20});
        let e = element(
            kind,
            Style::VirtualHost,
            server.local_addr(),
            &bucket,
            extra,
            &[],
        )
        .await;
        let small = b"hello, serve-s3".to_vec();
        e.storage
            .put(
                "bytes.txt",
                Payload::Bytes(small.clone().into()),
                Default::default(),
            )
            .await
            .unwrap();
        let streamed: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        let path = e.dir.path().join("streamed.bin");
        std::fs::write(&path, &streamed).unwrap();
        e.storage
            .put(
                "dir/streamed file.bin",
                Payload::from_file(&path).await.unwrap(),
                Default::default(),
            )
            .await
            .unwrap();
        let large: Vec<u8> = (0..(11u32 << 20)).map(|i| (i % 241) as u8).collect();
        e.storage
            .put(
                "large.bin",
                Payload::Bytes(large.clone().into()),
                Default::default(),
            )
            .await
            .unwrap();
        assert_eq!(
            e.storage.download("bytes.txt").await.unwrap(),
            small,
            "{kind:?}"
        );
        assert_eq!(
            e.storage.download("dir/streamed file.bin").await.unwrap(),
            streamed,
            "{kind:?}"
        );
        assert_eq!(
            e.storage.download("large.bin").await.unwrap(),
            large,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn serve_s3_refuses_a_wrong_secret_and_a_wrong_checksum() {
    let bucket = fresh_bucket(Kind::Aws);
    let server = s3::serve_s3(&bucket, "us-east-1").await;
    let addr = server.local_addr();
    let e = element(
        Kind::Aws,
        Style::Path,
        addr,
        &bucket,
        json!({}),
        &[("S3_SECRET", "not-the-secret")],
    )
    .await;
    let err = e
        .storage
        .upload_by_file("a.txt", "x".into(), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert!(err.request_id().is_some(), "{err}");
    assert!(!format!("{err} {err:?}").contains("not-the-secret"));

    let wrong = nvme_b64(b"other bytes");
    let response = signed(
        addr,
        "PUT",
        &bucket,
        "k",
        &[("x-amz-checksum-crc64nvme", &wrong)],
        b"these bytes",
    )
    .await;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("BadDigest"), "{body}");
}

/// Behind a proxy that refuses every upload checksum (501 NotImplemented, R2's words):
/// the first refusal turns checksums off for the element, the refused request is sent
/// again at once without them, and bytes, streamed files and multipart uploads all
/// arrive (checked by length), only one request refused.
#[tokio::test]
async fn a_server_refusing_checksums_is_recognised_once() {
    for (first, label) in [
        ("bytes", "in memory"),
        ("file", "streamed"),
        ("large", "multipart"),
    ] {
        let bucket = fresh_bucket(Kind::R2);
        let server = s3::serve_s3(&bucket, "auto").await;
        let proxy = s3::refusing::refusing(server.local_addr()).await;
        let extra = json!({"multipartThresholdBytes": 6 << 20, "partSizeBytes": 5 << 20});
        let e = element(Kind::R2, Style::Path, proxy.addr, &bucket, extra, &[]).await;
        let small = b"refused checksums".to_vec();
        let streamed: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        let path = e.dir.path().join("streamed.bin");
        std::fs::write(&path, &streamed).unwrap();
        let large: Vec<u8> = (0..(11u32 << 20)).map(|i| (i % 241) as u8).collect();
        let mut order = vec!["bytes", "file", "large"];
        order.retain(|w| *w != first);
        order.insert(0, first);
        for what in order {
            let payload = match what {
                "bytes" => Payload::Bytes(small.clone().into()),
                "file" => Payload::from_file(&path).await.unwrap(),
                _ => Payload::Bytes(large.clone().into()),
            };
            e.storage
                .put(what, payload, Default::default())
                .await
                .unwrap_or_else(|err| panic!("{label} first, {what}: {err}"));
        }
        assert_eq!(proxy.refused(), 1, "{label} first");
        assert_eq!(e.storage.download("bytes").await.unwrap(), small);
        assert_eq!(e.storage.download("file").await.unwrap(), streamed);
        assert_eq!(e.storage.download("large").await.unwrap(), large);
    }
}

/// An STS session token (`securityToken`) goes with every request, signed: serve-s3
/// verifies SigV4 over every `x-amz-*` header and query parameter, so a put, a read and
/// a presigned GET that carry the token all verify, and the token is never shown.
#[tokio::test]
async fn a_session_token_is_sent_and_signed_with_every_request() {
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE-session-token/with+chars=";
    for kind in Kind::ALL {
        let bucket = fresh_bucket(kind);
        let server = s3::serve_s3(&bucket, kind.region()).await;
        let e = element(
            kind,
            Style::Path,
            server.local_addr(),
            &bucket,
            json!({ "securityToken": TOKEN }),
            &[],
        )
        .await;
        e.storage
            .upload_by_file("token.txt", "with a token".into(), None)
            .await
            .unwrap();
        assert_eq!(
            e.storage.download("token.txt").await.unwrap().as_ref(),
            b"with a token",
            "{kind:?}"
        );
        let url = e
            .storage
            .get_sign_url("token.txt", Some("text/plain"), None)
            .await
            .unwrap();
        assert!(url.contains("X-Amz-Security-Token="), "{kind:?}: {url}");
        let fetched = reqwest::get(&url).await.unwrap();
        assert_eq!(fetched.status(), 200, "{kind:?}: {url}");
        assert_eq!(fetched.bytes().await.unwrap().as_ref(), b"with a token");
        assert!(!format!("{:?}", e.storage).contains(TOKEN), "{kind:?}");
    }
}
