//! What the `svc` group's files share: its [`SvcContext`] (sizes, sampling, places),
//! the small files' names, the loop that splits them over N tasks, and reading a
//! served body to the end.

use std::future::Future;
use std::path::PathBuf;
use std::time::Instant;

use futures::StreamExt;
use jitstore::service::FileContent;
use tokio::task::JoinSet;

use crate::error::{BenchError, BenchResult};
use crate::stats::{rate, Plan};

/// Sizes and places of the `svc` group.
#[derive(Debug, Clone)]
pub struct SvcContext {
    /// Sampling of every row.
    pub plan: Plan,
    /// Small files per sample.
    pub small_count: usize,
    /// Small file size.
    pub small_bytes: usize,
    /// Task counts of the small loops.
    pub concurrency: Vec<usize>,
    /// Size of the file uploaded over HTTP.
    pub upload_bytes: u64,
    /// Width and height of the thumbnail sources.
    pub image: (u32, u32),
    /// Folder of the temp folders.
    pub base: PathBuf,
    /// The PostgreSQL maintenance database the bench's own database is created from.
    pub pg_admin_url: String,
}

/// The stored name of small file `i` of `prefix` (flat: file names have no folders).
pub fn small_name(prefix: &str, i: usize) -> String {
    format!("{prefix}-{i:06}.bin")
}

/// Splits `0..n` over `tasks` tasks running `op(shared, i)`; ops per second.
pub async fn fan_out<S, F, Fut>(shared: S, n: usize, tasks: usize, op: F) -> BenchResult<f64>
where
    S: Clone + Send + 'static,
    F: Fn(S, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = BenchResult<()>> + Send,
{
    let tasks = tasks.clamp(1, n.max(1));
    let start = Instant::now();
    let mut set = JoinSet::new();
    for t in 0..tasks {
        let shared = shared.clone();
        let op = op.clone();
        set.spawn(async move {
            let mut i = t;
            while i < n {
                op(shared.clone(), i).await?;
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

/// Reads a served file's body to the end: the bytes read.
pub async fn drain(content: FileContent) -> BenchResult<u64> {
    let mut seen = 0u64;
    if let Some(mut body) = content.body {
        while let Some(chunk) = body.next().await {
            seen += chunk?.len() as u64;
        }
    }
    Ok(seen)
}
