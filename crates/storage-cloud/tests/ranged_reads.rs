//! Whole-object reads in parallel ranges (`downloadConcurrency` above 1), against the
//! local OSS server, some through a proxy that breaks answers on purpose: the bytes come
//! back whole and in order for every size (empty, one part, a part and a byte, many
//! parts), a range answered 503 is asked again, a range whose answer breaks off is
//! resumed and still checked, an object replaced during the read is a Conflict, and
//! corrupted bytes are an IntegrityMismatch.

mod common;

use bytes::Bytes;
use common::{element, proxy, Break, Fault, Req, Rule, Style};
use futures::StreamExt;
use jit_storage::{GetOptions, StorageErrorKind, StorageMetaExt};
use rand::RngCore;
use serde_json::json;

/// Ranges of 64 KiB, four at once, and quick retries.
fn ranged() -> serde_json::Value {
    json!({
        "downloadConcurrency": 4,
        "downloadPartBytes": 65536,
        "maxRetries": 3,
        "retryBaseMs": 1,
        "retryMaxMs": 20,
        "timeoutSeconds": 10
    })
}

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

/// The `from` of every GET's `Range: bytes=from-to`, in order of arrival.
fn get_ranges(seen: &[common::Seen]) -> Vec<Option<String>> {
    seen.iter()
        .filter(|s| s.kind == Req::GetObject)
        .map(|s| s.range.clone())
        .collect()
}

#[tokio::test]
async fn every_size_reads_back_whole_and_in_order() {
    let upstream = common::server().await;
    let watching = proxy(upstream.local_addr(), Fault::Pass).await;
    let via = element(Style::Path, "v4", ranged(), watching.addr).await;
    for size in [0, 1, 65_535, 65_536, 65_537, 1_000_003] {
        let key = format!("ranged/{size}.bin");
        let data = random(size);
        via.storage
            .upload_by_file(&key, data.clone(), None)
            .await
            .unwrap();
        let before = watching.requests().len();
        let got = via.storage.get(&key, GetOptions::default()).await.unwrap();
        assert_eq!(got.range, None, "{size}: a whole read");
        assert_eq!(got.info.size, size as u64);
        assert!(got.bytes().await.unwrap() == data, "{size}: the bytes");
        let gets = get_ranges(&watching.requests()[before..]);
        let parts = size.div_ceil(65_536).max(1);
        match size {
            // 416 to the first range, then a plain GET.
            0 => assert_eq!(gets, [Some("bytes=0-65535".to_string()), None]),
            _ => {
                assert_eq!(gets.len(), parts, "{size}: {gets:?}");
                let mut starts: Vec<u64> = gets
                    .iter()
                    .map(|r| {
                        let r = r.as_deref().expect("every GET asks for a range");
                        let from = r.strip_prefix("bytes=").unwrap().split('-').next();
                        from.unwrap().parse().unwrap()
                    })
                    .collect();
                starts.sort_unstable();
                let expected: Vec<u64> = (0..parts as u64).map(|i| i * 65_536).collect();
                assert_eq!(starts, expected, "{size}");
            }
        }
    }
}

#[tokio::test]
async fn a_range_that_breaks_off_is_resumed_and_the_whole_still_checked() {
    static RULES: [Rule; 1] = [Rule {
        on: Req::GetObject,
        times: 3,
        then: Break::ResetMidResponse,
    }];
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let data = random(1 << 20);
    direct
        .storage
        .upload_by_file("dl/broken.bin", data.clone(), None)
        .await
        .unwrap();
    let breaking = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", ranged(), breaking.addr).await;
    let got = via
        .storage
        .download("dl/broken.bin")
        .await
        .expect("resumed");
    assert!(got == data);
    // 16 ranges, 3 of them broken half way and asked for again from their middle.
    let gets = get_ranges(&breaking.requests());
    assert_eq!(breaking.broken(), 3);
    assert_eq!(gets.len(), 16 + 3, "{gets:#?}");
    let mid_part = gets.iter().flatten().any(|r| {
        let from: u64 = r["bytes=".len()..]
            .split('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        !from.is_multiple_of(65_536)
    });
    assert!(mid_part, "a resume starts inside its range: {gets:#?}");
}

#[tokio::test]
async fn ranges_answered_503_are_asked_again() {
    // The first GET (the first range) and two of the others get 503 once.
    static RULES: [Rule; 1] = [Rule {
        on: Req::GetObject,
        times: 3,
        then: Break::Unavailable,
    }];
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let data = random(500_000);
    direct
        .storage
        .upload_by_file("dl/busy.bin", data.clone(), None)
        .await
        .unwrap();
    let busy = proxy(upstream.local_addr(), Fault::Rules(&RULES)).await;
    let via = element(Style::Path, "v4", ranged(), busy.addr).await;
    let got = via.storage.download("dl/busy.bin").await.expect("retried");
    assert!(got == data);
    let gets = get_ranges(&busy.requests());
    assert_eq!(busy.broken(), 3);
    assert_eq!(gets.len(), 8 + 3, "{gets:#?}");
}

#[tokio::test]
async fn an_object_replaced_during_the_read_is_a_conflict() {
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let size = 1usize << 20;
    direct
        .storage
        .upload_by_file("dl/changing.bin", random(size), None)
        .await
        .unwrap();
    let via = element(Style::Path, "v4", ranged(), upstream.local_addr()).await;
    let mut stream = via
        .storage
        .get("dl/changing.bin", GetOptions::default())
        .await
        .unwrap()
        .stream;
    // The first range arrives; then the object is replaced, so the ranges asked for
    // from now on (If-Match on the old ETag) find another object.
    let first = stream.next().await.unwrap().unwrap();
    assert!(!first.is_empty());
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

#[tokio::test]
async fn corrupted_ranges_fail_the_combined_crc() {
    let upstream = common::server().await;
    let direct = element(Style::Path, "v4", json!({}), upstream.local_addr()).await;
    let data = random(300_000);
    direct
        .storage
        .upload_by_file("dl/corrupt.bin", data, None)
        .await
        .unwrap();
    let bad = proxy(upstream.local_addr(), Fault::CorruptGetBody).await;
    let via = element(Style::Path, "v4", ranged(), bad.addr).await;
    let mut stream = via
        .storage
        .get("dl/corrupt.bin", GetOptions::default())
        .await
        .unwrap()
        .stream;
    // Every byte is handed on; the error comes last, once the CRCs are combined.
    let (mut bytes, mut last) = (0usize, None);
    while let Some(item) = stream.next().await {
        if let Ok(chunk) = &item {
            bytes += chunk.len();
        }
        last = Some(item);
    }
    assert_eq!(bytes, 300_000);
    let err = last.expect("an item").expect_err("corrupted bytes");
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch, "{err}");
    assert!(err.request_id().is_some(), "{err}");
}
