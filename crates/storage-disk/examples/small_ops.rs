//! Measures the cost of one small-object operation on a [`DiskStorage`]: a loop of PUTs,
//! GETs (whole object, CRC checked), stats and one-key listings of 1 KiB objects, one at
//! a time, in a temporary folder (or `--dir DIR`).
//!
//! Each loop runs `--ops` operations (2 000 by default) and is repeated (`--repeat`, 5 by
//! default, after one unmeasured warm-up); the report is the median, minimum and maximum
//! wall time per operation, and the median process CPU time (user + system, every
//! thread, from `CLOCK_PROCESS_CPUTIME_ID`) per operation, in microseconds. A put's wall
//! time is mostly its fsyncs. Timings are this machine's, noisy on a shared one: compare
//! medians of runs made back to back, in release.
//!
//! ```sh
//! cargo run --release -p jit-storage-disk --example small_ops
//! cargo run --release -p jit-storage-disk --example small_ops -- --ops 5000 --repeat 7
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use jit_storage::{GetOptions, ListOptions, Payload, PutOptions, StorageMeta};
use jit_storage_disk::{DiskSettings, DiskStorage};

struct Options {
    ops: usize,
    repeat: usize,
    dir: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!("usage: small_ops [--ops N] [--repeat R] [--dir DIR]");
    std::process::exit(2)
}

fn options() -> Options {
    let mut options = Options {
        ops: 2_000,
        repeat: 5,
        dir: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--ops" => options.ops = value().parse().unwrap_or_else(|_| usage()),
            "--repeat" => options.repeat = value().parse().unwrap_or_else(|_| usage()),
            "--dir" => options.dir = Some(PathBuf::from(value())),
            _ => usage(),
        }
    }
    if options.ops == 0 || options.repeat == 0 {
        usage();
    }
    options
}

/// The key of operation `i`: 100 keys in 10 folders, rewritten in turn.
fn key(i: usize) -> String {
    format!("dir{}/obj-{}.bin", i % 10, i % 100)
}

/// CPU time used by this process so far (user + system, every thread).
#[cfg(unix)]
fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// No process CPU clock here: CPU figures read 0.
#[cfg(not(unix))]
fn cpu_time() -> Duration {
    Duration::ZERO
}

/// Per-operation wall and CPU times of the rounds of one loop.
#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

/// When a loop started.
#[derive(Clone, Copy)]
struct Start {
    wall: Instant,
    cpu: Duration,
}

fn start() -> Start {
    Start {
        wall: Instant::now(),
        cpu: cpu_time(),
    }
}

impl Samples {
    fn push(&mut self, started: Start, ops: usize) {
        self.wall.push(started.wall.elapsed() / ops as u32);
        self.cpu.push((cpu_time() - started.cpu) / ops as u32);
    }

    fn report(&mut self, what: &str) {
        self.wall.sort();
        self.cpu.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let (w, c) = (&self.wall, &self.cpu);
        println!(
            "{what:<6} wall {:8.1} µs/op (min {:.1}, max {:.1})   cpu {:6.1} µs/op (min {:.1})",
            us(w[w.len() / 2]),
            us(w[0]),
            us(w[w.len() - 1]),
            us(c[c.len() / 2]),
            us(c[0])
        );
    }
}

#[tokio::main]
async fn main() {
    let options = options();
    let temp;
    let dir = match &options.dir {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::tempdir().expect("a temporary folder");
            temp.path().to_path_buf()
        }
    };
    let storage = DiskStorage::open(DiskSettings::new(&dir))
        .await
        .expect("the storage opens");
    let body = Bytes::from(vec![b'x'; 1024]);
    let n = options.ops;

    let (mut puts, mut gets, mut stats, mut lists) = Default::default();
    for round in 0..=options.repeat {
        let keep = |samples: &mut Samples, started: Start| {
            if round > 0 {
                samples.push(started, n);
            }
        };
        let started = start();
        for i in 0..n {
            let payload = Payload::Bytes(body.clone());
            storage
                .put(&key(i), payload, PutOptions::default())
                .await
                .expect("put");
        }
        keep(&mut puts, started);
        let started = start();
        for i in 0..n {
            let got = storage
                .get(&key(i), GetOptions::default())
                .await
                .expect("get")
                .bytes()
                .await
                .expect("read");
            assert_eq!(got.len(), body.len());
        }
        keep(&mut gets, started);
        let started = start();
        for i in 0..n {
            storage.stat(&key(i)).await.expect("stat");
        }
        keep(&mut stats, started);
        let started = start();
        for i in 0..n {
            let page = storage
                .list(ListOptions {
                    prefix: Some(key(i)),
                    ..ListOptions::default()
                })
                .await
                .expect("list");
            assert_eq!(page.objects.len(), 1);
        }
        keep(&mut lists, started);
    }
    println!(
        "{n} operations per loop on 1 KiB objects in {}; medians of {} rounds (after 1 warm-up)",
        dir.display(),
        options.repeat
    );
    puts.report("put");
    gets.report("get");
    stats.report("stat");
    lists.report("list");
}
