//! `jitstore-bench`: measures the storage stack on this machine and prints a Markdown
//! table (median, min, max and spread of repeated samples after warm-up).
//!
//! Groups: `crc` (CRC-64/XZ and combine), `sign` (V1/V4 signatures), `disk` (DiskType
//! through an App), `oss` (OssType against the local server in this process, memory and
//! folder store) and `oss2` (the Python SDK against the same server, as an outside
//! reference; runs inside the `oss` group). All traffic stays on 127.0.0.1; every loop
//! is bounded by a count and a time budget. `--quick` finishes in seconds.
//!
//! `svc` (not in the default run: it needs PostgreSQL) measures StorageSvc
//! (`jitstore::service`) on a temp app with a DiskType default storage: uploadByFile
//! and preview with records in SQLite and in PostgreSQL beside a bare
//! `StorageMeta::put`, the HTTP router (preview GET, a large multipart upload with peak
//! RSS) and previewThumbnail of large JPEG and PNG sources.
//!
//! `compare` (not in the default run) sets clients side by side, each a process of its
//! own against a `jitstore serve-oss` process: ours (`jitstore-oss-client`, the second
//! binary of this crate), Apache OpenDAL's (`crates/bench-opendal`, outside the
//! workspace), curl and oss2, with their CPU time, wall time and peak RSS; it prints a
//! table of its own. `--compare-protocol s3` runs it against `jitstore serve-s3`
//! instead: ours (`MinioType`), curl and boto3.
//!
//! ```text
//! cargo run --release -p jit-bench -- --quick
//! cargo run --release -p jit-bench -- --only crc,sign
//! cargo run --release -p jit-bench -- --only svc
//! cargo run --release -p jit-bench -- --only compare
//! cargo run --release -p jit-bench -- --only compare --compare-protocol s3
//! ```
//!
//! This file parses the flags and runs the groups asked for; each group lives in its
//! own file (`protocol`, `disk`, `oss`, `reference`, `svc`, `compare`).

#![warn(missing_docs)]

mod child;
mod compare;
mod compare_clients;
mod compare_protocol;
mod compare_server;
mod compare_table;
mod context;
mod disk;
mod error;
mod fixture;
mod launcher;
mod machine;
mod oss;
mod oss_fixture;
mod protocol;
mod reference;
mod stats;
mod storage_rows;
mod svc;
mod svc_fixture;
mod svc_http;
mod svc_thumb;
mod svc_work;
mod units;
mod workload;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use crate::compare::{CompareArgs, Python};
use crate::context::StorageContext;
use crate::error::BenchResult;
use crate::oss_fixture::Store;
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
    /// StorageSvc: uploadByFile and preview (SQLite and PostgreSQL records), over HTTP,
    /// and previewThumbnail.
    Svc,
    /// Client processes side by side (ours, OpenDAL, curl, oss2; with
    /// `--compare-protocol s3`: ours, curl, boto3): CPU, wall, peak RSS.
    Compare,
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
    /// Unmeasured runs before each benchmark (full run: 2 for crc and sign, 1 for the
    /// storage groups; quick: 1).
    #[arg(long)]
    warmup: Option<usize>,
    /// Measured runs per benchmark (full run: 7 for crc and sign, 5 for the storage
    /// groups; quick: 2).
    #[arg(long)]
    iters: Option<usize>,
    /// Time budget per benchmark in seconds, after which it stops once it has two
    /// samples (full run: 60; quick: 0.5).
    #[arg(long)]
    budget_secs: Option<f64>,
    /// Buffer hashed by the CRC benchmark, MiB (full run: 64; quick: 2).
    #[arg(long)]
    crc_mib: Option<usize>,
    /// Signatures per sample (full run: 20000; quick: 2000).
    #[arg(long)]
    sign_batch: Option<usize>,
    /// Small objects per sample (full run: 1000; quick: 10).
    #[arg(long)]
    small_count: Option<usize>,
    /// Small object size in bytes.
    #[arg(long, default_value_t = 4096)]
    small_bytes: usize,
    /// Concurrent tasks for the small-object loops (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    concurrency: Vec<usize>,
    /// Large object size, MiB (full run: 256; quick: 4).
    #[arg(long)]
    large_mib: Option<u64>,
    /// Objects listed by the DiskType listing benchmark (full run: 10000; quick: 100).
    #[arg(long)]
    list_count: Option<usize>,
    /// Concurrent tasks for the `svc` group's small loops (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,8")]
    svc_concurrency: Vec<usize>,
    /// File uploaded over HTTP by the `svc` group, MiB (full run: 64; quick: 4).
    #[arg(long)]
    svc_upload_mib: Option<u64>,
    /// PostgreSQL maintenance database the `svc` group creates (and drops) its own
    /// database from.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_url: String,
    /// Folder for the temp folders (apps, server data, the large source file).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Python interpreter for the oss2 reference.
    #[arg(long, default_value = "python3")]
    python: String,
    /// Folder oss2 is installed in (`pip install --target DIR oss2==2.19.1`).
    #[arg(long, default_value = "/tmp/oss2-bench")]
    oss2_path: PathBuf,
    /// Folder boto3 is installed in, for `--compare-protocol s3`
    /// (`pip install --target DIR boto3==1.43.11`).
    #[arg(long, default_value = "/tmp/boto3-bench")]
    boto3_path: PathBuf,
    #[command(flatten)]
    compare: CompareArgs,
}

impl Args {
    /// `flag` if given, else the full-run or the `--quick` default.
    fn pick<T>(&self, flag: Option<T>, full: T, quick: T) -> T {
        flag.unwrap_or(if self.quick { quick } else { full })
    }

    /// Whether `--only` names `group`.
    fn wants(&self, group: Group) -> bool {
        self.only.contains(&group)
    }
}

/// Runs the groups asked for and prints their rows as one Markdown table on stdout
/// (progress and the machine description go to stderr).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(code) = launcher::launcher_main() {
        std::process::exit(code);
    }
    let args = Args::parse();
    let budget = Duration::from_secs_f64(args.pick(args.budget_secs, 60.0, 0.5));
    let cpu_plan = Plan {
        warmup: args.pick(args.warmup, 2, 1),
        iters: args.pick(args.iters, 7, 2),
        budget,
    };
    let io_plan = Plan {
        warmup: args.pick(args.warmup, 1, 1),
        iters: args.pick(args.iters, 5, 2),
        budget,
    };

    eprintln!("machine at start: {}", machine::describe());
    let mut rows: Vec<Row> = Vec::new();
    if args.wants(Group::Crc) {
        eprintln!("crc64…");
        let combine_calls = args.pick(None, 5_000, 200);
        let mib = args.pick(args.crc_mib, 64, 2);
        rows.extend(protocol::crc(cpu_plan, mib, combine_calls));
    }
    if args.wants(Group::Sign) {
        eprintln!("signing…");
        let batch = args.pick(args.sign_batch, 20_000, 2_000);
        rows.extend(protocol::sign(cpu_plan, batch));
    }
    if args.wants(Group::Disk) || args.wants(Group::Oss) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rows.extend(runtime.block_on(storage_groups(&args, io_plan))?);
    }
    if args.wants(Group::Svc) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let ctx = svc_work::SvcContext {
            plan: io_plan,
            small_count: args.pick(args.small_count, 1000, 10),
            small_bytes: args.small_bytes,
            concurrency: args.svc_concurrency.clone(),
            upload_bytes: args.pick(args.svc_upload_mib, 64, 4) << 20,
            image: args.pick(None, (4000, 3000), (400, 300)),
            base: args.dir.clone().unwrap_or_else(std::env::temp_dir),
            pg_admin_url: args.pg_url.clone(),
        };
        let t = Instant::now();
        rows.extend(runtime.block_on(svc::run(&ctx))?);
        eprintln!("svc: {:.1} s", t.elapsed().as_secs_f64());
    }
    if !rows.is_empty() {
        println!("{}", stats::table(&rows));
    }
    if args.wants(Group::Compare) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let python = Python {
            python: args.python.clone(),
            oss2_path: args.oss2_path.clone(),
            boto3_path: args.boto3_path.clone(),
        };
        let base = args.dir.clone().unwrap_or_else(std::env::temp_dir);
        let t = Instant::now();
        let compared = runtime.block_on(compare::run(&args.compare, args.quick, &python, &base))?;
        eprintln!("compare: {:.1} s", t.elapsed().as_secs_f64());
        println!("{}", compare_table::table(&compared));
    }
    eprintln!("machine at end: {}", machine::describe());
    Ok(())
}

/// The `disk` and `oss` groups (with `oss2` inside `oss`), sharing one temp folder and
/// one large source file.
async fn storage_groups(args: &Args, plan: Plan) -> BenchResult<Vec<Row>> {
    let large_bytes = args.pick(args.large_mib, 256, 4) << 20;
    let base = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let work = fixture::temp_dir(&base, "jitstore-bench-").await?;
    let source = fixture::large_source(work.path(), large_bytes).await?;
    let (multipart_threshold, part_size) = oss_fixture::multipart_sizes(large_bytes);
    let ctx = StorageContext {
        plan,
        small_count: args.pick(args.small_count, 1000, 10),
        small_bytes: args.small_bytes,
        concurrency: args.concurrency.clone(),
        large_bytes,
        list_count: args.pick(args.list_count, 10_000, 100),
        multipart_threshold,
        part_size,
        base: work.path().to_path_buf(),
        source,
    };
    let reference = args.wants(Group::Oss2).then(|| Reference {
        python: args.python.clone(),
        oss2_path: args.oss2_path.clone(),
    });
    let mut rows = Vec::new();
    if args.wants(Group::Disk) {
        let t = Instant::now();
        rows.extend(disk::run(&ctx).await?);
        eprintln!("disk: {:.1} s", t.elapsed().as_secs_f64());
    }
    if args.wants(Group::Oss) {
        for store in [Store::Memory, Store::Folder] {
            let t = Instant::now();
            rows.extend(oss::run(&ctx, store, reference.as_ref()).await?);
            eprintln!("oss ({store:?} store): {:.1} s", t.elapsed().as_secs_f64());
        }
    } else if reference.is_some() {
        eprintln!("oss2 runs against the server of the `oss` group: add `oss` to --only");
    }
    fixture::remove(work).await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare_protocol::{ClientName, Protocol};

    #[test]
    fn flags_parse() {
        let a = Args::try_parse_from(["b", "--quick", "--only", "crc,oss", "--concurrency", "2,4"])
            .unwrap();
        assert!(a.quick);
        assert_eq!(a.only, vec![Group::Crc, Group::Oss]);
        assert_eq!(a.concurrency, vec![2, 4]);
    }

    #[test]
    fn compare_flags_parse() {
        let a = Args::try_parse_from([
            "b",
            "--only",
            "compare",
            "--compare-clients",
            "ours,curl",
            "--ours-set",
            "someKey=4",
            "--compare-runs",
            "2",
        ])
        .unwrap();
        assert_eq!(a.only, vec![Group::Compare]);
        assert_eq!(
            a.compare.compare_clients,
            Some(vec![ClientName::Ours, ClientName::Curl])
        );
        assert_eq!(a.compare.ours_set, vec!["someKey=4".to_owned()]);
        assert_eq!(a.compare.compare_runs, Some(2));
        assert!(!Args::try_parse_from(["b"]).unwrap().wants(Group::Compare));
        assert!(!Args::try_parse_from(["b"]).unwrap().wants(Group::Svc));
    }

    #[test]
    fn svc_flags_parse() {
        let a = Args::try_parse_from([
            "b",
            "--only",
            "svc",
            "--svc-concurrency",
            "2,4",
            "--pg-url",
            "postgres://postgres@127.0.0.1:5433/other",
        ])
        .unwrap();
        assert_eq!(a.only, vec![Group::Svc]);
        assert_eq!(a.svc_concurrency, vec![2, 4]);
        assert_eq!(a.pg_url, "postgres://postgres@127.0.0.1:5433/other");
        let d = Args::try_parse_from(["b"]).unwrap();
        assert_eq!(d.svc_concurrency, vec![1, 8]);
    }

    #[test]
    fn s3_compare_flags_parse() {
        let a = Args::try_parse_from([
            "b",
            "--only",
            "compare",
            "--compare-protocol",
            "s3",
            "--boto3-path",
            "/opt/boto3",
        ])
        .unwrap();
        assert_eq!(a.compare.compare_protocol, Protocol::S3);
        assert_eq!(a.compare.compare_clients, None);
        assert_eq!(a.boto3_path, PathBuf::from("/opt/boto3"));
        let d = Args::try_parse_from(["b"]).unwrap();
        assert_eq!(d.compare.compare_protocol, Protocol::Oss);
    }

    #[test]
    fn flags_override_the_run_defaults() {
        let quick = Args::try_parse_from(["b", "--quick", "--iters", "3"]).unwrap();
        assert_eq!(quick.pick(quick.iters, 7, 2), 3);
        assert_eq!(quick.pick(quick.warmup, 2, 1), 1);
        let full = Args::try_parse_from(["b"]).unwrap();
        assert_eq!(full.pick(full.large_mib, 256, 4), 256);
    }
}
