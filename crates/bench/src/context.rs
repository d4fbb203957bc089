//! [`StorageContext`]: the sizes, sampling plan and shared files that every storage
//! benchmark (DiskType, OssType, the oss2 reference) reads, built once per run.

use std::path::PathBuf;

use crate::stats::Plan;

/// Everything the storage benchmarks share.
#[derive(Debug, Clone)]
pub struct StorageContext {
    /// Sampling of the I/O benchmarks.
    pub plan: Plan,
    /// Small objects per sample.
    pub small_count: usize,
    /// Small object size.
    pub small_bytes: usize,
    /// Task counts of the small loops.
    pub concurrency: Vec<usize>,
    /// Large object size.
    pub large_bytes: u64,
    /// Objects in the listing benchmark.
    pub list_count: usize,
    /// OssType multipart threshold (the default 64 MiB when the large object is big
    /// enough to cross it).
    pub multipart_threshold: u64,
    /// OssType part size (default 8 MiB, smaller for tiny large objects).
    pub part_size: u64,
    /// Folder of the temp folders.
    pub base: PathBuf,
    /// The large source file.
    pub source: PathBuf,
}

impl StorageContext {
    /// The same context with the small loops run at one task only (the V1 rows).
    pub fn with_one_task(&self) -> StorageContext {
        StorageContext {
            concurrency: vec![1],
            ..self.clone()
        }
    }
}
