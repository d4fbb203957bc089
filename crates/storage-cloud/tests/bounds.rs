//! Client-side bounds on what a server sends, over the wire: XML answers are read with a
//! size limit (a flood is an error, and a flooded Initiate leaves no stray upload), a 206
//! must carry the Content-Range asked for, and a body without a CRC-64 is still checked
//! for its length.

mod common;

use bytes::Bytes;
use common::{element, open_uploads, proxy, Break, Fault, Req, Rule, Style};
use jit_storage::{GetOptions, ListOptions, StorageErrorKind, StorageMetaExt};
use rand::RngCore;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

#[tokio::test]
async fn a_flooded_listing_is_an_error_not_a_memory_hog() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::List,
        times: usize::MAX,
        then: Break::XmlFlood,
    }];
    let upstream = common::server().await;
    let flooding = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", json!({"maxRetries": 0}), flooding.addr).await;
    via.storage
        .upload_by_file("listed.txt", Bytes::from_static(b"x"), None)
        .await
        .unwrap();
    let err = via
        .storage
        .list(ListOptions::default())
        .await
        .expect_err("a 20 MiB listing");
    assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
    assert!(err.message().contains("more than"), "{err}");
    assert!(err.request_id().is_some(), "{err:?}");
}

#[tokio::test]
async fn a_flooded_initiate_answer_leaves_no_stray_upload() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::Initiate,
        times: 1,
        then: Break::XmlFlood,
    }];
    let upstream = common::server().await;
    let flooding = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let config = json!({
        "maxRetries": 2, "retryBaseMs": 1, "retryMaxMs": 10,
        "multipartThresholdBytes": 300 * 1024, "partSizeBytes": 100 * 1024
    });
    let via = element(Style::Path, "v4", config, flooding.addr).await;
    let data = random(400 * 1024);
    via.storage
        .upload_by_file("flood/init.bin", data.clone(), None)
        .await
        .expect("the second Initiate is readable");
    assert_eq!(flooding.count(Req::Initiate), 2);
    assert_eq!(flooding.count(Req::Abort), 1, "the unreadable one's upload");
    assert_eq!(open_uploads(&upstream).await, 0);
}

#[tokio::test]
async fn a_206_must_carry_the_range_asked_for() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::GetObject,
        times: usize::MAX,
        then: Break::ShiftContentRange,
    }];
    let upstream = common::server().await;
    let shifting = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", json!({"maxRetries": 0}), shifting.addr).await;
    via.storage
        .upload_by_file("r.bin", Bytes::from_static(b"0123456789"), None)
        .await
        .unwrap();
    let err = via
        .storage
        .get("r.bin", GetOptions { range: Some(2..5) })
        .await
        .expect_err("bytes 3-5 answered for 2-4");
    assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
    assert!(
        err.message().contains("does not match the range asked for"),
        "{err}"
    );
}

#[tokio::test]
async fn a_download_without_a_crc_is_resumed_and_still_length_checked() {
    static RULES: [Rule; 2] = [
        Rule {
            on: Req::GetObject,
            times: 1,
            then: Break::ResetMidResponseWithoutCrc,
        },
        Rule {
            on: Req::GetObject,
            times: usize::MAX,
            then: Break::StripCrc,
        },
    ];
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let data = random(300_000);
    direct
        .storage
        .upload_by_file("nocrc.bin", data.clone(), None)
        .await
        .unwrap();
    let stripping = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", json!({"maxRetries": 2}), stripping.addr).await;
    assert!(via.storage.download("nocrc.bin").await.unwrap() == data);
}

/// A server that answers every request with `response` and closes the connection.
async fn answering(response: &'static [u8]) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = socket.write_all(response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_an_integrity_error() {
    // Content-Length says 10; the chunked body (which HTTP framing follows) brings 5,
    // and there is no CRC-64 to catch it.
    let addr = answering(
        b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\ntransfer-encoding: chunked\r\nx-oss-request-id: SHORT\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    let via = element(Style::Path, "v4", json!({"maxRetries": 0}), addr).await;
    let err = via
        .storage
        .download("short.txt")
        .await
        .expect_err("5 of 10 bytes");
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch, "{err}");
    assert!(err.message().contains("received 5 bytes"), "{err}");
    assert_eq!(err.request_id(), Some("SHORT"), "{err:?}");
}
