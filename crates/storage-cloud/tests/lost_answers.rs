//! Idempotent completion against the real local OSS server behind a proxy that lets the
//! server carry a request out and then drops the answer: a PutObject or a
//! CompleteMultipartUpload whose answer was lost is confirmed by checking the object
//! (size, CRC-64), not sent again blindly; a retried Complete that finds the upload gone
//! checks the object too; a lost Initiate leaves no stray upload; a failed multipart
//! upload leaves none either, its Abort retried.

mod common;

use bytes::Bytes;
use common::{element, open_uploads, proxy, Break, Fault, Req, Rule, Style};
use jit_storage::{Payload, PutOptions, StorageErrorKind, StorageMetaExt};
use rand::RngCore;
use serde_json::json;

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

/// Multipart above 300 KiB in 100 KiB parts, quick retries.
fn multipart(retries: u32) -> serde_json::Value {
    json!({
        "maxRetries": retries, "retryBaseMs": 1, "retryMaxMs": 20,
        "multipartThresholdBytes": 300 * 1024, "partSizeBytes": 100 * 1024
    })
}

static DROP_FIRST_PUT: [Rule; 1] = [Rule {
    on: Req::PutObject,
    times: 1,
    then: Break::DropAnswer,
}];

#[tokio::test]
async fn a_put_whose_answer_was_lost_is_confirmed_not_sent_again() {
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = random(200_000);
    let path = dir.path().join("f.bin");
    std::fs::write(&path, &data).unwrap();
    for (what, payload) in [
        ("bytes", Payload::Bytes(data.clone())),
        ("file", Payload::from_file(&path).await.unwrap()),
        (
            "one-shot stream",
            Payload::Stream {
                stream: Box::pin(futures::stream::iter([Ok(data.clone())])),
                length: data.len() as u64,
            },
        ),
    ] {
        let dropping = proxy(upstream.local_addr(), Fault::Rules(&DROP_FIRST_PUT)).await;
        let via = element(Style::Path, "v4", json!({"maxRetries": 3}), dropping.addr).await;
        let key = format!("lost/{what}");
        let options = PutOptions::content_type("video/mp4").with_metadata("k", "v");
        let up = via
            .storage
            .put(&key, payload, options)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));
        assert!(up.etag.is_some(), "{what}: the ETag comes from the check");
        assert_eq!(dropping.count(Req::PutObject), 1, "{what}: sent once");
        assert_eq!(dropping.count(Req::Head), 1, "{what}: checked once");
        assert!(direct.storage.download(&key).await.unwrap() == data);
    }
}

#[tokio::test]
async fn a_put_that_did_not_take_effect_is_sent_again() {
    // The object holds other bytes; the first PUT never reaches the server: the check
    // must see the old object for what it is, and the PUT go again.
    static RESET_FIRST_PUT: [Rule; 1] = [Rule {
        on: Req::PutObject,
        times: 1,
        then: Break::ResetAfterBody,
    }];
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    direct
        .storage
        .upload_by_file("lost/old", random(1000), None)
        .await
        .unwrap();
    let resetting = proxy(upstream.local_addr(), Fault::Rules(&RESET_FIRST_PUT)).await;
    let via = element(Style::Path, "v4", json!({"maxRetries": 2}), resetting.addr).await;
    let data = random(1000);
    via.storage
        .upload_by_file("lost/old", data.clone(), None)
        .await
        .unwrap();
    assert_eq!(resetting.count(Req::PutObject), 2);
    assert_eq!(resetting.count(Req::Head), 1);
    assert!(direct.storage.download("lost/old").await.unwrap() == data);
}

#[tokio::test]
async fn a_complete_whose_answer_was_lost_is_confirmed() {
    static DROP_COMPLETE: [Rule; 1] = [Rule {
        on: Req::Complete,
        times: 1,
        then: Break::DropAnswer,
    }];
    let upstream = common::server().await;
    let dropping = proxy(upstream.local_addr(), Fault::Rules(&DROP_COMPLETE)).await;
    let via = element(Style::Path, "v4", multipart(3), dropping.addr).await;
    let data = random(1024 * 1024 + 9);
    let up = via
        .storage
        .put(
            "lost/mp.bin",
            Payload::Bytes(data.clone()),
            PutOptions::content_type("application/x-test"),
        )
        .await
        .expect("the completed upload is confirmed");
    assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));
    assert_eq!(dropping.count(Req::Complete), 1, "not completed twice");
    assert_eq!(dropping.count(Req::Abort), 0);
    assert_eq!(open_uploads(&upstream).await, 0);
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    assert!(direct.storage.download("lost/mp.bin").await.unwrap() == data);
}

#[tokio::test]
async fn a_retried_complete_that_finds_the_upload_gone_checks_the_object() {
    // The answer of Complete is lost and the first check cannot be made (HEAD answers
    // 503 twice, beyond maxRetries 1): Complete is sent again, the server says
    // NoSuchUpload, and the object is checked once more instead of reporting NotFound.
    static RULES: [Rule; 2] = [
        Rule {
            on: Req::Complete,
            times: 1,
            then: Break::DropAnswer,
        },
        Rule {
            on: Req::Head,
            times: 2,
            then: Break::Unavailable,
        },
    ];
    let upstream = common::server().await;
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v1", multipart(1), breaking.addr).await;
    let data = random(500 * 1024);
    let up = via
        .storage
        .upload_by_file("lost/gone.bin", data.clone(), None)
        .await
        .expect("NoSuchUpload after a lost answer is checked, not reported");
    assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));
    assert_eq!(breaking.count(Req::Complete), 2);
    assert_eq!(breaking.count(Req::Head), 3);
    assert_eq!(breaking.count(Req::Abort), 0);
    assert_eq!(open_uploads(&upstream).await, 0);
}

#[tokio::test]
async fn a_lost_initiate_leaves_no_stray_upload() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::Initiate,
        times: 2,
        then: Break::DropAnswer,
    }];
    let upstream = common::server().await;
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", multipart(3), breaking.addr).await;
    let data = random(400 * 1024);
    via.storage
        .upload_by_file("lost/init.bin", data.clone(), None)
        .await
        .expect("the third Initiate is answered");
    assert_eq!(breaking.count(Req::Initiate), 3);
    // Two uploads were opened by the server whose ids never reached the client.
    assert_eq!(breaking.count(Req::Abort), 2);
    assert_eq!(open_uploads(&upstream).await, 0);
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    assert!(direct.storage.download("lost/init.bin").await.unwrap() == data);
}

#[tokio::test]
async fn another_clients_upload_of_the_same_key_is_left_alone() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::Initiate,
        times: 1,
        then: Break::DropAnswer,
    }];
    let upstream = common::server().await;
    // Someone else's upload of the same key, opened just now.
    common::signed(&upstream, "POST", Some("lost/shared.bin"), "uploads").await;
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", multipart(3), breaking.addr).await;
    via.storage
        .upload_by_file("lost/shared.bin", random(400 * 1024), None)
        .await
        .unwrap();
    // Two candidates for one lost answer: which one is ours cannot be told, so neither
    // is aborted.
    assert_eq!(breaking.count(Req::Abort), 0);
    assert_eq!(open_uploads(&upstream).await, 2);
}

#[tokio::test]
async fn a_failed_multipart_upload_is_aborted_even_when_abort_fails_at_first() {
    // maxRetries 0: the part's 503 is final; Abort still gets its own retries.
    static RULES: [Rule; 2] = [
        Rule {
            on: Req::UploadPart,
            times: 1,
            then: Break::Unavailable,
        },
        Rule {
            on: Req::Abort,
            times: 2,
            then: Break::Unavailable,
        },
    ];
    let upstream = common::server().await;
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let mut config = multipart(0);
    config["multipartConcurrency"] = 1.into();
    let via = element(Style::Path, "v4", config, breaking.addr).await;
    let err = via
        .storage
        .upload_by_file("lost/failed.bin", random(400 * 1024), None)
        .await
        .expect_err("the part failed");
    assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
    assert_eq!(breaking.count(Req::Abort), 3);
    assert_eq!(open_uploads(&upstream).await, 0);
    assert!(!via.storage.exists("lost/failed.bin").await.unwrap());
}

#[tokio::test]
async fn an_abort_whose_answer_was_lost_is_done() {
    static RULES: [Rule; 2] = [
        Rule {
            on: Req::UploadPart,
            times: 1,
            then: Break::Unavailable,
        },
        Rule {
            on: Req::Abort,
            times: 1,
            then: Break::DropAnswer,
        },
    ];
    let upstream = common::server().await;
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let mut config = multipart(0);
    config["multipartConcurrency"] = 1.into();
    let via = element(Style::Path, "v4", config, breaking.addr).await;
    via.storage
        .upload_by_file("lost/aborted.bin", random(400 * 1024), None)
        .await
        .expect_err("the part failed");
    // The second Abort finds the upload gone (the first one took effect).
    assert_eq!(breaking.count(Req::Abort), 2);
    assert_eq!(open_uploads(&upstream).await, 0);
}

/// Waits (a bounded number of times) until `done` says so.
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("never: {what}");
}

#[tokio::test]
async fn an_upload_given_up_half_way_is_aborted() {
    // Part 1 is held by the proxy (one part at a time: part 2 never comes); the caller
    // gives up (drops the upload's future) while it waits.
    let upstream = common::server().await;
    let holding = proxy(upstream.local_addr(), Fault::HoldPart1UntilPart2).await;
    let mut config = multipart(0);
    config["multipartConcurrency"] = 1.into();
    let via = element(Style::Path, "v4", config, holding.addr).await;
    let storage = via.storage.clone();
    let upload = tokio::spawn(async move {
        storage
            .upload_by_file("lost/dropped.bin", random(400 * 1024), None)
            .await
    });
    eventually("part 1 reaches the proxy", || async {
        holding.count(Req::UploadPart) == 1
    })
    .await;
    assert_eq!(open_uploads(&upstream).await, 1);
    upload.abort();
    assert!(upload.await.unwrap_err().is_cancelled());
    eventually("the upload is aborted", || async {
        open_uploads(&upstream).await == 0
    })
    .await;
    assert_eq!(holding.count(Req::Abort), 1);
}
