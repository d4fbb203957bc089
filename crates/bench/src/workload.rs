//! The storage workloads, written once against the `StorageMeta` contract so DiskType
//! and OssType run exactly the same code: many small puts and gets with N concurrent
//! tasks, a large streamed put from a file and a streamed get, and a full listing.
//! Every operation's answer is checked (sizes, counts) before its time counts.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::StreamExt;
use jitstore::storage::{
    GetOptions, ListOptions, Payload, PutOptions, StorageMeta, StorageMetaExt,
};
use tokio::task::JoinSet;

use crate::error::{BenchError, BenchResult};
use crate::stats::rate;

/// A storage as the app hands it out.
pub type Storage = Arc<dyn StorageMeta>;

/// Bytes in a MiB, for the MiB/s rates.
const MIB: f64 = 1024.0 * 1024.0;

/// The key of small object `i` of `prefix`.
pub fn small_key(prefix: &str, i: usize) -> String {
    format!("{prefix}/obj-{i:06}.bin")
}

/// Splits `0..n` over `tasks` tasks and runs `op(storage, i)` for each index; returns
/// ops per second over the whole batch.
async fn fan_out<F, Fut>(storage: &Storage, n: usize, tasks: usize, op: F) -> BenchResult<f64>
where
    F: Fn(Storage, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = BenchResult<()>> + Send,
{
    let tasks = tasks.clamp(1, n.max(1));
    let start = Instant::now();
    let mut set = JoinSet::new();
    for t in 0..tasks {
        let storage = storage.clone();
        let op = op.clone();
        set.spawn(async move {
            let mut i = t;
            while i < n {
                op(storage.clone(), i).await?;
                i += tasks;
            }
            Ok::<(), BenchError>(())
        });
    }
    while let Some(joined) = set.join_next().await {
        joined.map_err(|e| BenchError::Check(format!("task failed: {e}")))??;
    }
    Ok(rate(n as f64, start))
}

/// `n` JitAi `upload_by_file` calls of `data` under `prefix`, `tasks` at a time: ops/s.
pub async fn small_puts(
    storage: &Storage,
    prefix: &str,
    n: usize,
    tasks: usize,
    data: Bytes,
) -> BenchResult<f64> {
    let prefix = prefix.to_owned();
    fan_out(storage, n, tasks, move |s, i| {
        let key = small_key(&prefix, i);
        let data = data.clone();
        async move {
            let len = data.len() as u64;
            let up = s.upload_by_file(&key, data, None).await?;
            if up.size != len {
                return Err(BenchError::Check(format!(
                    "{key}: stored {} bytes",
                    up.size
                )));
            }
            Ok(())
        }
    })
    .await
}

/// `n` JitAi `download` calls of objects written by [`small_puts`], `tasks` at a time:
/// ops/s.
pub async fn small_gets(
    storage: &Storage,
    prefix: &str,
    n: usize,
    tasks: usize,
    len: usize,
) -> BenchResult<f64> {
    let prefix = prefix.to_owned();
    fan_out(storage, n, tasks, move |s, i| {
        let key = small_key(&prefix, i);
        async move {
            let got = s.download(&key).await?;
            if got.len() != len {
                return Err(BenchError::Check(format!(
                    "{key}: read {} bytes",
                    got.len()
                )));
            }
            Ok(())
        }
    })
    .await
}

/// One streamed put of the file at `source` (`Payload::from_file`): MiB/s.
pub async fn large_put(storage: &Storage, key: &str, source: &Path) -> BenchResult<f64> {
    let start = Instant::now();
    let payload = Payload::from_file(source).await?;
    let len = payload.len();
    let up = storage.put(key, payload, PutOptions::default()).await?;
    if up.size != len {
        return Err(BenchError::Check(format!(
            "{key}: stored {} of {len} bytes",
            up.size
        )));
    }
    Ok(rate(len as f64 / MIB, start))
}

/// One streamed get of `key`, every chunk dropped as it arrives: MiB/s.
pub async fn large_get(storage: &Storage, key: &str, len: u64) -> BenchResult<f64> {
    let start = Instant::now();
    let got = storage.get(key, GetOptions::default()).await?;
    let mut stream = got.stream;
    let mut seen = 0u64;
    while let Some(chunk) = stream.next().await {
        seen += chunk?.len() as u64;
    }
    if seen != len {
        return Err(BenchError::Check(format!(
            "{key}: read {seen} of {len} bytes"
        )));
    }
    Ok(rate(len as f64 / MIB, start))
}

/// Lists every object under `prefix`, page by page: (objects seen, milliseconds).
pub async fn list_all(storage: &Storage, prefix: &str) -> BenchResult<(usize, f64)> {
    let start = Instant::now();
    let mut count = 0;
    let mut token = None;
    loop {
        let page = storage
            .list(ListOptions {
                prefix: Some(format!("{prefix}/")),
                token,
                ..ListOptions::default()
            })
            .await?;
        count += page.objects.len();
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok((count, start.elapsed().as_secs_f64() * 1000.0))
}
