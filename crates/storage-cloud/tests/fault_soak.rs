//! Nothing lost under faults: 520 mixed operations (0 B to 20 MB, single and multipart
//! uploads from bytes and from files, whole reads (every other one in parallel ranges)
//! and ranged reads, stats and deletes) from OssType elements, loaded through a real
//! `App`, against a local OSS server (folder store) that injects 20% seeded faults of every kind it knows: 500 and 503 answers,
//! resets mid-request and mid-response, answers lost after the request was applied,
//! slow answers, truncated bodies and wrong CRC-64 headers.
//!
//! Every operation must succeed with its bytes verified against a model of what the
//! bucket holds, or fail with a clear error after its retries; a truncated or corrupted
//! read returned as a success fails the test at once. Afterwards no multipart upload is
//! left open and the server's store holds exactly the model. The run prints its figures
//! (operations, faults by kind, retries, failures, bytes verified).

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{element, Style, AK, BUCKET, SK};
use jit_oss_server::{start, FaultConfig, FaultKind, ServerConfig};
use jit_storage::{GetOptions, Payload, PutOptions, StorageErrorKind, StorageMeta, StorageMetaExt};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

const OPERATIONS: usize = 520;
const FAULT_RATE: f64 = 0.2;
const SEED: u64 = 0x5eed_0007;
const KEYS: usize = 48;

/// Counts the retry policy's "retrying" events: one per attempt after a failure.
#[derive(Clone, Default)]
struct RetryCounter(Arc<AtomicU64>);

struct MessageIs<'a>(&'a str, bool);

impl Visit for MessageIs<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" && format!("{value:?}") == self.0 {
            self.1 = true;
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for RetryCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut visitor = MessageIs("retrying", false);
        event.record(&mut visitor);
        if visitor.1 {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the bucket must hold: the bytes of every key known to exist, `None` for keys
/// known to be absent. A key whose last write failed is unknown (absent from the map)
/// until it is written again.
#[derive(Default)]
struct Model {
    keys: BTreeMap<String, Option<Bytes>>,
}

#[derive(Default, Debug)]
struct Figures {
    puts: u64,
    multipart_puts: u64,
    file_puts: u64,
    reads: u64,
    parallel_reads: u64,
    ranged_reads: u64,
    stats: u64,
    deletes: u64,
    failures: u64,
    bytes_verified: u64,
}

fn size(rng: &mut StdRng) -> usize {
    match rng.gen_range(0..100) {
        0..=7 => 0,
        8..=15 => 1,
        16..=59 => rng.gen_range(2..64 * 1024),
        60..=91 => rng.gen_range(64 * 1024..1024 * 1024),
        // Above the 4 MiB multipart threshold: parts of 1 MiB, up to 20 MB.
        _ => rng.gen_range(4 * 1024 * 1024..20_000_000),
    }
}

fn random_bytes(rng: &mut StdRng, len: usize) -> Bytes {
    let mut data = vec![0u8; len];
    rng.fill_bytes(&mut data);
    Bytes::from(data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_operations_under_twenty_percent_faults_lose_nothing() {
    let retries = RetryCounter::default();
    let subscriber = tracing_subscriber::registry().with(retries.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let root = tempfile::tempdir().unwrap();
    let mut faults = FaultConfig::new(FAULT_RATE, &FaultKind::ALL, SEED);
    faults.delay = Duration::from_millis(150);
    let server = start(ServerConfig {
        buckets: vec![BUCKET.into()],
        credentials: vec![(AK.into(), SK.into())],
        root: Some(root.path().to_path_buf()),
        faults,
        ..ServerConfig::default()
    })
    .await
    .expect("start the faulty server");
    let mut config = json!({
        "maxRetries": 10,
        "retryBaseMs": 5,
        "retryMaxMs": 100,
        "timeoutSeconds": 10,
        "multipartThresholdBytes": 4 * 1024 * 1024,
        "partSizeBytes": 1024 * 1024,
        "multipartConcurrency": 2
    });
    let element = element(Style::Path, "v4", config.clone(), server.local_addr()).await;
    let storage = element.storage.clone();
    // Every other whole read goes through an element reading in parallel ranges of
    // 1 MiB, three at once.
    config["downloadConcurrency"] = 3.into();
    config["downloadPartBytes"] = (1024 * 1024).into();
    let ranged = common::element(Style::Path, "v4", config, server.local_addr()).await;
    let files = tempfile::tempdir().unwrap();

    let mut rng = StdRng::seed_from_u64(SEED);
    let mut model = Model::default();
    let mut figures = Figures::default();
    let started = Instant::now();
    for op in 0..OPERATIONS {
        let key = format!("soak/key-{:02}.bin", rng.gen_range(0..KEYS));
        let known = model.keys.get(&key).cloned();
        let choice = rng.gen_range(0..100);
        let outcome = match (choice, &known) {
            (0..=39, _) | (_, None) => {
                put(
                    &storage,
                    &mut rng,
                    &key,
                    files.path(),
                    &mut figures,
                    &mut model,
                )
                .await
            }
            (40..=64, Some(expected)) => {
                figures.reads += 1;
                let reader = if op % 2 == 1 {
                    figures.parallel_reads += 1;
                    &ranged.storage
                } else {
                    &storage
                };
                read_whole(reader, &key, expected.as_ref(), &mut figures).await
            }
            (65..=79, Some(expected)) => {
                figures.ranged_reads += 1;
                read_range(&storage, &mut rng, &key, expected.as_ref(), &mut figures).await
            }
            (80..=89, Some(expected)) => {
                figures.stats += 1;
                stat(&storage, &key, expected.as_ref()).await
            }
            (_, Some(_)) => {
                figures.deletes += 1;
                match storage.delete(&key).await {
                    Ok(()) => {
                        model.keys.insert(key.clone(), None);
                        Ok(())
                    }
                    Err(e) => {
                        model.keys.remove(&key);
                        Err(e)
                    }
                }
            }
        };
        if let Err(err) = outcome {
            figures.failures += 1;
            // A failure must be one clear error after its retries, never a wrong result.
            eprintln!("operation {op} on {key} failed: {err}");
            assert!(!err.to_string().is_empty());
            assert_ne!(
                err.kind(),
                StorageErrorKind::IntegrityMismatch,
                "a corrupted answer survived every retry: {err}"
            );
        }
    }
    let elapsed = started.elapsed();

    // No multipart upload is left open, whatever failed.
    let open = server.state().store().uploads(BUCKET).unwrap();
    assert!(open.is_empty(), "orphan multipart uploads: {open:?}");
    // The store holds exactly what the model says (read without faults, server-side).
    for (key, expected) in &model.keys {
        let stored = server.state().store().head(BUCKET, key);
        match expected {
            Some(bytes) => {
                let meta = stored.unwrap_or_else(|e| panic!("{key} is missing: {e:?}"));
                assert_eq!(meta.size, bytes.len() as u64, "{key}");
                assert_eq!(meta.crc64, jit_wire_crc(bytes), "{key}");
            }
            None => assert!(stored.is_err(), "{key} was deleted but is stored"),
        }
    }

    let injected = server.faults_injected();
    let by_kind: Vec<String> = injected
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{} {n}", kind.name()))
        .collect();
    println!(
        "fault soak: {OPERATIONS} operations in {:.1} s ({} puts of which {} multipart and {} from files, {} whole reads ({} in parallel ranges), {} ranged reads, {} stats, {} deletes); \
         faults injected {} ({}); retries {}; failures {}; bytes verified {}",
        elapsed.as_secs_f64(),
        figures.puts,
        figures.multipart_puts,
        figures.file_puts,
        figures.reads,
        figures.parallel_reads,
        figures.ranged_reads,
        figures.stats,
        figures.deletes,
        injected.total(),
        by_kind.join(", "),
        retries.0.load(Ordering::Relaxed),
        figures.failures,
        figures.bytes_verified,
    );
    // Every kind of fault was exercised, at about the configured rate.
    for kind in FaultKind::ALL {
        assert!(
            injected.get(kind) > 0,
            "no {} fault was injected",
            kind.name()
        );
    }
    assert!(injected.total() >= (OPERATIONS as u64) / 10, "{injected:?}");
    // With ten retries per request, a 20% fault rate loses no operation.
    assert_eq!(figures.failures, 0, "operations failed after their retries");
    server.shutdown().await.unwrap();
}

fn jit_wire_crc(bytes: &[u8]) -> u64 {
    jit_oss_protocol::crc64::checksum(bytes)
}

async fn put(
    storage: &Arc<dyn StorageMeta>,
    rng: &mut StdRng,
    key: &str,
    dir: &std::path::Path,
    figures: &mut Figures,
    model: &mut Model,
) -> jit_storage::StorageResult<()> {
    let len = size(rng);
    let data = random_bytes(rng, len);
    figures.puts += 1;
    if len >= 4 * 1024 * 1024 {
        figures.multipart_puts += 1;
    }
    let payload = if rng.gen_bool(0.5) {
        figures.file_puts += 1;
        let path = dir.join(format!("upload-{}", figures.puts));
        std::fs::write(&path, &data).unwrap();
        Payload::from_file(&path).await?
    } else {
        Payload::Bytes(data.clone())
    };
    match storage.put(key, payload, PutOptions::default()).await {
        Ok(up) => {
            assert_eq!(up.size, len as u64, "{key}");
            assert_eq!(up.crc64, Some(jit_wire_crc(&data)), "{key}");
            model.keys.insert(key.to_string(), Some(data));
            Ok(())
        }
        Err(e) => {
            // The object may or may not have been written: unknown until rewritten.
            model.keys.remove(key);
            Err(e)
        }
    }
}

async fn read_whole(
    storage: &Arc<dyn StorageMeta>,
    key: &str,
    expected: Option<&Bytes>,
    figures: &mut Figures,
) -> jit_storage::StorageResult<()> {
    match expected {
        Some(expected) => {
            let got = storage.download(key).await?;
            assert!(got == *expected, "{key}: a whole read returned other bytes");
            figures.bytes_verified += got.len() as u64;
        }
        None => {
            let err = storage.download(key).await.expect_err("a deleted key");
            if err.kind() != StorageErrorKind::NotFound {
                return Err(err);
            }
        }
    }
    Ok(())
}

async fn read_range(
    storage: &Arc<dyn StorageMeta>,
    rng: &mut StdRng,
    key: &str,
    expected: Option<&Bytes>,
    figures: &mut Figures,
) -> jit_storage::StorageResult<()> {
    let Some(expected) = expected.filter(|b| !b.is_empty()) else {
        return read_whole(storage, key, expected, figures).await;
    };
    let len = expected.len() as u64;
    let start = rng.gen_range(0..len);
    let end = rng.gen_range(start + 1..=len);
    let got = storage
        .get(
            key,
            GetOptions {
                range: Some(start..end),
            },
        )
        .await?
        .bytes()
        .await?;
    assert!(
        got == expected.slice(start as usize..end as usize),
        "{key}: range {start}..{end} returned other bytes"
    );
    figures.bytes_verified += got.len() as u64;
    Ok(())
}

async fn stat(
    storage: &Arc<dyn StorageMeta>,
    key: &str,
    expected: Option<&Bytes>,
) -> jit_storage::StorageResult<()> {
    match expected {
        Some(expected) => {
            let info = storage.get_object(key).await?;
            assert_eq!(info.size, expected.len() as u64, "{key}");
            assert_eq!(info.crc64, Some(jit_wire_crc(expected)), "{key}");
        }
        None => assert!(!storage.exists(key).await?, "{key} was deleted"),
    }
    Ok(())
}
