//! Retries that never lose an upload, against the real local OSS server behind a proxy
//! that breaks requests on purpose: files (`Payload::from_file`) and bytes are sent
//! again after 503s and after connections reset before the request body, after it, after
//! the server carried it out, and half way through the answer; a one-shot stream is
//! not, and says so; multipart parts and Initiate/Complete go through the same policy;
//! a download whose body breaks off is resumed with a range and still CRC-checked.

mod common;

use std::path::{Path, PathBuf};

use bytes::Bytes;
use common::{element, open_uploads, proxy, Break, Fault, Req, Rule, Style};
use futures::StreamExt;
use jit_storage::{GetOptions, Payload, PutOptions, StorageErrorKind, StorageMetaExt};
use rand::RngCore;
use serde_json::json;

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

/// Writes `data` to a file in `dir`.
fn file(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

fn fast(retries: u32) -> serde_json::Value {
    json!({"maxRetries": retries, "retryBaseMs": 1, "retryMaxMs": 20, "timeoutSeconds": 10})
}

const BREAKS: [Break; 5] = [
    Break::Unavailable,
    Break::ResetBeforeBody,
    Break::ResetAfterBody,
    Break::DropAnswer,
    Break::ResetMidResponse,
];

/// One rule per break kind: the first PutObject gets it.
fn first_put(then: Break) -> Fault {
    let rules: &'static [Rule] = Box::leak(Box::new([Rule {
        on: Req::PutObject,
        times: 1,
        then,
    }]));
    Fault::Rules(rules)
}

#[tokio::test]
async fn file_uploads_survive_every_kind_of_break() {
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let dir = tempfile::tempdir().unwrap();
    for size in [0usize, 1, 1 << 20] {
        let data = random(size);
        let path = file(dir.path(), &format!("f{size}"), &data);
        for then in BREAKS {
            let breaking = proxy(upstream.local_addr(), first_put(then)).await;
            let via = element(Style::Path, "v4", fast(3), breaking.addr).await;
            let key = format!("files/{size}/{then:?}.bin");
            let payload = Payload::from_file(&path).await.unwrap();
            let up = via
                .storage
                .put(&key, payload, PutOptions::default())
                .await
                .unwrap_or_else(|e| panic!("{size} B, {then:?}: {e}"));
            assert_eq!(up.size, size as u64);
            assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));
            assert_eq!(breaking.broken(), 1, "{then:?} happened");
            let stored = direct.storage.download(&key).await.unwrap();
            assert!(stored == data, "{size} B after {then:?}");
        }
    }
}

#[tokio::test]
async fn byte_uploads_survive_resets_too() {
    let upstream = common::server().await;
    let direct = element(Style::Path, "v1", json!({}), upstream.local_addr()).await;
    for then in BREAKS {
        let breaking = proxy(upstream.local_addr(), first_put(then)).await;
        let via = element(Style::Path, "v1", fast(2), breaking.addr).await;
        let data = random(300_000);
        let key = format!("bytes/{then:?}");
        via.storage
            .upload_by_file(&key, data.clone(), None)
            .await
            .unwrap_or_else(|e| panic!("{then:?}: {e}"));
        assert!(direct.storage.download(&key).await.unwrap() == data);
        let (puts, heads) = (breaking.count(Req::PutObject), breaking.count(Req::Head));
        match then {
            // Carried out, answer lost: confirmed, not sent again.
            Break::DropAnswer => assert_eq!((puts, heads), (1, 1)),
            // Never reached the server: checked, then sent again.
            Break::ResetBeforeBody | Break::ResetAfterBody => assert_eq!((puts, heads), (2, 1)),
            // An answer: sent again without a check.
            Break::Unavailable => assert_eq!((puts, heads), (2, 0)),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_one_shot_stream_says_it_could_not_be_retried() {
    let upstream = common::server().await;
    for then in [Break::Unavailable, Break::ResetAfterBody] {
        let breaking = proxy(upstream.local_addr(), first_put(then)).await;
        let via = element(Style::Path, "v4", fast(3), breaking.addr).await;
        let payload = Payload::Stream {
            stream: Box::pin(futures::stream::iter([Ok(Bytes::from_static(b"once"))])),
            length: 4,
        };
        let err = via
            .storage
            .put("stream.txt", payload, PutOptions::default())
            .await
            .expect_err("a one-shot stream cannot be sent again");
        assert!(
            err.message().contains("one-shot stream") && err.message().contains("not retried"),
            "{then:?}: {err}"
        );
        assert!(err.is_retryable(), "{err}");
        assert_eq!(breaking.count(Req::PutObject), 1, "{then:?}: sent once");
    }
}

/// Uploads through a proxy that breaks every third request, in turn with each kind of
/// break: how many of 31 file uploads (0 B to 1 MiB, some multipart) survive.
#[tokio::test]
async fn thirty_one_file_uploads_through_a_flaky_proxy_all_survive() {
    let upstream = common::server().await;
    let flaky = proxy(upstream.local_addr(), Fault::Flaky { every: 3 }).await;
    let config = json!({
        "maxRetries": 8, "retryBaseMs": 1, "retryMaxMs": 20, "timeoutSeconds": 10,
        "multipartThresholdBytes": 300 * 1024, "partSizeBytes": 100 * 1024
    });
    let via = element(Style::Path, "v4", config, flaky.addr).await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let dir = tempfile::tempdir().unwrap();
    let sizes = [0usize, 1, 1 << 20, 100 * 1024 + 7, 350 * 1024, 4096];
    let mut lost = Vec::new();
    for i in 0..31 {
        let data = random(sizes[i % sizes.len()]);
        let path = file(dir.path(), &format!("u{i}"), &data);
        let key = format!("flaky/{i}.bin");
        let payload = Payload::from_file(&path).await.unwrap();
        match via.storage.put(&key, payload, PutOptions::default()).await {
            Ok(_) => {
                let stored = direct.storage.download(&key).await.unwrap();
                assert!(stored == data, "upload {i} stored other bytes");
            }
            Err(e) => lost.push(format!("{i} ({} B): {e}", data.len())),
        }
    }
    println!(
        "flaky proxy: {} of 31 uploads lost, {} of {} requests broken",
        lost.len(),
        flaky.broken(),
        flaky.requests().len()
    );
    assert!(
        lost.is_empty(),
        "{} of 31 uploads lost: {lost:#?}",
        lost.len()
    );
    assert_eq!(open_uploads(&upstream).await, 0);
}

#[tokio::test]
async fn multipart_parts_initiate_and_complete_are_retried() {
    static RULES: [Rule; 5] = [
        Rule {
            on: Req::Initiate,
            times: 1,
            then: Break::Unavailable,
        },
        // Its answer (the upload id) broken half way: the upload it opened is found
        // and aborted.
        Rule {
            on: Req::Initiate,
            times: 1,
            then: Break::ResetMidResponse,
        },
        Rule {
            on: Req::UploadPart,
            times: 2,
            then: Break::ResetAfterBody,
        },
        Rule {
            on: Req::UploadPart,
            times: 1,
            then: Break::ResetBeforeBody,
        },
        Rule {
            on: Req::Complete,
            times: 1,
            then: Break::Unavailable,
        },
    ];
    let upstream = common::server().await;
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let config = json!({
        "maxRetries": 3, "retryBaseMs": 1, "retryMaxMs": 20,
        "multipartThresholdBytes": 300 * 1024, "partSizeBytes": 100 * 1024
    });
    let via = element(Style::Path, "v4", config, breaking.addr).await;
    let dir = tempfile::tempdir().unwrap();
    let data = random(1024 * 1024 + 5);
    let path = file(dir.path(), "big.bin", &data);
    let up = via
        .storage
        .put(
            "mp/big.bin",
            Payload::from_file(&path).await.unwrap(),
            PutOptions::default(),
        )
        .await
        .expect("every break is retried");
    assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));
    assert_eq!(breaking.broken(), 6);
    assert_eq!(breaking.count(Req::Abort), 1);
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    assert!(direct.storage.download("mp/big.bin").await.unwrap() == data);
    assert_eq!(open_uploads(&upstream).await, 0);
}

#[tokio::test]
async fn a_download_that_breaks_off_is_resumed_and_still_checked() {
    static RULES: [Rule; 2] = [
        Rule {
            on: Req::GetObject,
            times: 2,
            then: Break::ResetMidResponse,
        },
        Rule {
            on: Req::Head,
            times: 1,
            then: Break::ResetBeforeBody,
        },
    ];
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let data = random(1 << 20);
    direct
        .storage
        .upload_by_file("dl/obj.bin", data.clone(), None)
        .await
        .unwrap();
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", fast(3), breaking.addr).await;
    let got = via.storage.download("dl/obj.bin").await.expect("resumed");
    assert!(got == data);
    // The first answer broke half way; the second (a resume) broke half way through
    // the rest; the third finished it. Each resume asked for the bytes not received.
    let gets: Vec<_> = breaking
        .requests()
        .into_iter()
        .filter(|s| s.kind == Req::GetObject)
        .collect();
    assert_eq!(gets.len(), 3, "{gets:#?}");
    assert_eq!(gets[0].range, None);
    let resumed_from = |s: &common::Seen| -> u64 {
        let range = s.range.as_deref().expect("a range");
        let from = range.strip_prefix("bytes=").unwrap().split('-').next();
        from.unwrap().parse().unwrap()
    };
    assert!(resumed_from(&gets[1]) > 0, "{:?}", gets[1].range);
    assert!(resumed_from(&gets[2]) > resumed_from(&gets[1]));
    // HEAD is retried like any read.
    let info = via.storage.stat("dl/obj.bin").await.unwrap();
    assert_eq!(info.size, 1 << 20);
}

#[tokio::test]
async fn a_resumed_download_of_an_object_that_changed_is_a_conflict() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::GetObject,
        times: 1,
        then: Break::ResetMidResponse,
    }];
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let size = 1usize << 20;
    direct
        .storage
        .upload_by_file("dl/changing.bin", random(size), None)
        .await
        .unwrap();
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", fast(3), breaking.addr).await;
    let mut stream = via
        .storage
        .get("dl/changing.bin", GetOptions::default())
        .await
        .unwrap()
        .stream;
    // Read the half the proxy lets through, then replace the object.
    let mut received = 0;
    while received < size / 2 {
        received += stream.next().await.unwrap().unwrap().len();
    }
    direct
        .storage
        .upload_by_file("dl/changing.bin", random(size), None)
        .await
        .unwrap();
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item);
    }
    let err = last.expect("an item").expect_err("the object changed");
    assert_eq!(err.kind(), StorageErrorKind::Conflict, "{err}");
    assert!(err.message().contains("changed"), "{err}");
}
