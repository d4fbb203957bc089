//! `jitstore-bench`: measures the storage stack on this machine and prints a Markdown
//! table (median, min, max and spread of repeated samples after warm-up).
//!
//! Groups: `crc` (CRC-64/XZ and combine), `sign` (V1/V4 signatures), `disk` (DiskType
//! through an App), `oss` (OssType against the local server in this process, memory and
//! folder store) and `oss2` (the Python SDK against the same server, as an outside
//! reference; runs inside the `oss` group). All traffic stays on 127.0.0.1; every loop
//! is bounded by a count and a time budget. `--quick` finishes in seconds.
//!
//! ```text
//! cargo run --release -p jit-bench -- --quick
//! cargo run --release -p jit-bench -- --only crc,sign
//! ```

mod disk;
mod error;
mod fixture;
mod oss;
mod protocol;
mod reference;
mod stats;
mod workload;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::error::BenchResult;
use crate::reference::Reference;
use crate::stats::{Plan, Row};

/// Benchmark groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Group {
    /// CRC-64/XZ throughput and combine.
    Crc,
    /// V1 / V4 header and presign signatures.
    Sign,
    /// DiskType through an App in a temp folder.
    Disk,
    /// OssType against the local server (memory and folder store).
    Oss,
    /// The Python oss2 reference against the same server (needs `oss`).
    Oss2,
}

/// Command-line flags; sizes default to the full run, or to tiny ones with `--quick`.
#[derive(Debug, Parser)]
#[command(
    name = "jitstore-bench",
    about = "Benchmarks of the jitstore storage stack"
)]
struct Args {
    /// Tiny sizes and few samples: a smoke test that finishes in seconds.
    #[arg(long)]
    quick: bool,
    /// Groups to run (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "crc,sign,disk,oss,oss2"
    )]
    only: Vec<Group>,
    /// Unmeasured runs before each benchmark [full: 1, quick: 1; CPU groups: 2].
    #[arg(long)]
    warmup: Option<usize>,
    /// Measured runs per benchmark [full: 7 CPU / 5 I/O, quick: 2].
    #[arg(long)]
    iters: Option<usize>,
    /// Time budget per benchmark in seconds, after which it stops once it has two
    /// samples [full: 60, quick: 0.5].
    #[arg(long)]
    budget_secs: Option<f64>,
    /// Buffer hashed by the CRC benchmark, MiB [full: 64, quick: 2].
    #[arg(long)]
    crc_mib: Option<usize>,
    /// Signatures per sample [full: 20000, quick: 2000].
    #[arg(long)]
    sign_batch: Option<usize>,
    /// Small objects per sample [full: 1000, quick: 10].
    #[arg(long)]
    small_count: Option<usize>,
    /// Small object size in bytes [4096].
    #[arg(long, default_value_t = 4096)]
    small_bytes: usize,
    /// Concurrent tasks for the small-object loops (comma-separated) [1,16].
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    concurrency: Vec<usize>,
    /// Large object size, MiB [full: 256, quick: 4].
    #[arg(long)]
    large_mib: Option<u64>,
    /// Objects listed by the DiskType listing benchmark [full: 10000, quick: 100].
    #[arg(long)]
    list_count: Option<usize>,
    /// Folder for the temp folders (apps, server data, the large source file).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Python interpreter for the oss2 reference.
    #[arg(long, default_value = "python3")]
    python: String,
    /// Folder oss2 is installed in (`pip install --target DIR oss2==2.19.1`).
    #[arg(long, default_value = "/tmp/oss2-bench")]
    oss2_path: PathBuf,
}

/// Everything the storage benchmarks share.
#[derive(Debug, Clone)]
pub struct Ctx {
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
    /// The outside reference, if asked for.
    pub reference: Option<Reference>,
}

/// `4 KiB`, `256 MiB`, `17 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

/// What the numbers depend on: cores, CPU, load, kernel, profile.
fn machine() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug (numbers meaningless: use --release)"
    } else {
        "release"
    };
    format!(
        "cores (available_parallelism): {cores}; CPU: {cpu}; kernel {}; load average {}; build: {profile}",
        read("/proc/sys/kernel/osrelease").trim(),
        read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let q = args.quick;
    let pick = |flag: Option<usize>, full: usize, quick: usize| {
        flag.unwrap_or(if q { quick } else { full })
    };
    let budget = Duration::from_secs_f64(args.budget_secs.unwrap_or(if q { 0.5 } else { 60.0 }));
    let cpu_plan = Plan {
        warmup: pick(args.warmup, 2, 1),
        iters: pick(args.iters, 7, 2),
        budget,
    };
    let io_plan = Plan {
        warmup: pick(args.warmup, 1, 1),
        iters: pick(args.iters, 5, 2),
        budget,
    };
    let wants = |g: Group| args.only.contains(&g);

    eprintln!("machine at start: {}", machine());
    let mut rows: Vec<Row> = Vec::new();
    if wants(Group::Crc) {
        eprintln!("crc64…");
        let combine_calls = if q { 200 } else { 5_000 };
        rows.extend(protocol::crc(
            cpu_plan,
            pick(args.crc_mib, 64, 2),
            combine_calls,
        ));
    }
    if wants(Group::Sign) {
        eprintln!("signing…");
        rows.extend(protocol::sign(
            cpu_plan,
            pick(args.sign_batch, 20_000, 2_000),
        ));
    }
    if wants(Group::Disk) || wants(Group::Oss) {
        let large_bytes = args.large_mib.unwrap_or(if q { 4 } else { 256 }) << 20;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let more = runtime.block_on(storage_benches(&args, io_plan, large_bytes))?;
        rows.extend(more);
    }
    println!("{}", stats::table(&rows));
    eprintln!("machine at end: {}", machine());
    Ok(())
}

async fn storage_benches(args: &Args, plan: Plan, large_bytes: u64) -> BenchResult<Vec<Row>> {
    let q = args.quick;
    let base = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let work = fixture::temp_dir(&base, "jitstore-bench-").await?;
    let source = fixture::large_source(work.path(), large_bytes).await?;
    let multipart_threshold = (jitstore::oss::DEFAULT_MULTIPART_THRESHOLD).min(large_bytes / 2);
    let part_size =
        jitstore::oss::DEFAULT_PART_SIZE.min((large_bytes / 8).max(jitstore::oss::MIN_PART_SIZE));
    let reference = args.only.contains(&Group::Oss2).then(|| Reference {
        python: args.python.clone(),
        oss2_path: args.oss2_path.clone(),
    });
    let ctx = Ctx {
        plan,
        small_count: args.small_count.unwrap_or(if q { 10 } else { 1000 }),
        small_bytes: args.small_bytes,
        concurrency: args.concurrency.clone(),
        large_bytes,
        list_count: args.list_count.unwrap_or(if q { 100 } else { 10_000 }),
        multipart_threshold,
        part_size,
        base: work.path().to_path_buf(),
        source,
        reference,
    };
    let mut rows = Vec::new();
    if args.only.contains(&Group::Disk) {
        let t = std::time::Instant::now();
        rows.extend(disk::run(&ctx).await?);
        eprintln!("disk: {:.1} s", t.elapsed().as_secs_f64());
    }
    if args.only.contains(&Group::Oss) {
        for store in [oss::Store::Memory, oss::Store::Folder] {
            let t = std::time::Instant::now();
            rows.extend(oss::run(&ctx, store).await?);
            eprintln!("oss ({store:?} store): {:.1} s", t.elapsed().as_secs_f64());
        }
    } else if ctx.reference.is_some() {
        eprintln!("oss2 runs against the server of the `oss` group: add `oss` to --only");
    }
    fixture::remove(work).await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_print_in_their_unit() {
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(256 << 20), "256 MiB");
        assert_eq!(human_bytes(1000), "1000 B");
    }

    #[test]
    fn flags_parse() {
        let a = Args::try_parse_from(["b", "--quick", "--only", "crc,oss", "--concurrency", "2,4"])
            .unwrap();
        assert!(a.quick);
        assert_eq!(a.only, vec![Group::Crc, Group::Oss]);
        assert_eq!(a.concurrency, vec![2, 4]);
    }
}
