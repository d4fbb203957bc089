//! Measures opening a large app: builds an app folder declaring N `storages.DiskType`
//! elements (10 000 by default) and times, on fresh `App`s, three things a caller does:
//!
//! - `open`: `App::builder(dir).with_builtin_types().open()`;
//! - `get one`: `app.storage("storages.E…")` on a just-opened app (the element in the
//!   middle of the list), which builds one DiskType storage;
//! - `list`: `app.declarations()` and `app.problems()` on a just-opened app, what
//!   `jitstore elements` prints (every title and type).
//!
//! Each is repeated (`--repeat`, 7 by default, after one unmeasured warm-up) and reported
//! as the median, minimum and maximum of its process CPU time (user + system, from
//! `CLOCK_PROCESS_CPUTIME_ID`) and of its wall time. The folder is created once (in a
//! temporary folder, or in `--app DIR`, where it is kept and reused, e.g. for `strace -c`
//! or `jitstore --app DIR elements`); creating it is not measured.
//!
//! ```sh
//! cargo run --release -p jitstore --example open_large_app
//! cargo run --release -p jitstore --example open_large_app -- --elements 10000 --repeat 7
//! # one phase only, once, on a kept folder (for strace -c -f, /usr/bin/time):
//! ./target/release/examples/open_large_app --app /tmp/big-app --only open --repeat 1 --no-warmup
//! ```
//!
//! `--only open|get|list` runs one phase (`get` and `list` include their own `open`, not
//! counted in their figures). Timings are this machine's, noisy on a shared one: compare
//! medians of runs made back to back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jitstore::prelude::*;

struct Options {
    elements: usize,
    repeat: usize,
    warmup: bool,
    app: Option<PathBuf>,
    only: Option<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: open_large_app [--elements N] [--repeat R] [--no-warmup] [--app DIR] \
         [--only open|get|list]"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let mut options = Options {
        elements: 10_000,
        repeat: 7,
        warmup: true,
        app: None,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--elements" => options.elements = value().parse().unwrap_or_else(|_| usage()),
            "--repeat" => options.repeat = value().parse().unwrap_or_else(|_| usage()),
            "--no-warmup" => options.warmup = false,
            "--app" => options.app = Some(PathBuf::from(value())),
            "--only" => {
                let phase = value();
                if !["open", "get", "list"].contains(&phase.as_str()) {
                    usage();
                }
                options.only = Some(phase);
            }
            _ => usage(),
        }
    }
    if options.elements == 0 || options.repeat == 0 {
        usage();
    }
    options
}

/// The fullName of element `i`.
fn element_name(i: usize) -> String {
    format!("storages.E{i:05}")
}

/// Writes `storages/E…/e.json` and `E….json` for `count` DiskType elements, unless the
/// folder already declares that many.
fn create_app(root: &Path, count: usize) -> std::io::Result<()> {
    let storages = root.join("storages");
    if storages.join(format!("E{:05}", count - 1)).is_dir() {
        return Ok(());
    }
    for i in 0..count {
        let name = format!("E{i:05}");
        let dir = storages.join(&name);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("e.json"),
            format!(
                r#"{{"title": "Disk storage {i}", "type": "storages.DiskType", "backendBundleEntry": "."}}"#
            ),
        )?;
        std::fs::write(
            dir.join(format!("{name}.json")),
            format!(r#"{{"directory": "data/{name}"}}"#),
        )?;
    }
    Ok(())
}

/// CPU time used by this process so far (user + system, every thread).
fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Runs `f`, returning what it returned with its CPU and wall time.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let (cpu, wall) = (cpu_time(), Instant::now());
    let value = f();
    (value, cpu_time() - cpu, wall.elapsed())
}

fn open(root: &Path) -> App {
    App::builder(root)
        .with_builtin_types()
        .open()
        .expect("the app opens")
}

/// CPU and wall samples of one phase.
#[derive(Default)]
struct Samples {
    cpu: Vec<Duration>,
    wall: Vec<Duration>,
}

impl Samples {
    fn push(&mut self, cpu: Duration, wall: Duration) {
        self.cpu.push(cpu);
        self.wall.push(wall);
    }

    fn report(&mut self, phase: &str) {
        if self.cpu.is_empty() {
            return;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let stats = |v: &mut Vec<Duration>| {
            v.sort();
            (ms(v[v.len() / 2]), ms(v[0]), ms(v[v.len() - 1]))
        };
        let (cpu, cpu_min, cpu_max) = stats(&mut self.cpu);
        let (wall, wall_min, wall_max) = stats(&mut self.wall);
        println!(
            "{phase:<8} cpu {cpu:8.1} ms (min {cpu_min:.1}, max {cpu_max:.1})   \
             wall {wall:8.1} ms (min {wall_min:.1}, max {wall_max:.1})   n={}",
            self.cpu.len()
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let options = options();
    let temp;
    let root = match &options.app {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::Builder::new()
                .prefix("large-app-")
                .tempdir()
                .expect("a temporary folder");
            temp.path().to_path_buf()
        }
    };
    create_app(&root, options.elements).expect("the app folder is written");
    let one = element_name(options.elements / 2);
    let wanted = |phase: &str| options.only.as_deref().is_none_or(|only| only == phase);

    let (mut opens, mut gets, mut lists) =
        (Samples::default(), Samples::default(), Samples::default());
    let rounds = options.repeat + usize::from(options.warmup);
    for round in 0..rounds {
        let keep = round >= usize::from(options.warmup);
        if wanted("open") || wanted("list") {
            let (app, cpu, wall) = measured(|| open(&root));
            if keep && wanted("open") {
                opens.push(cpu, wall);
            }
            if wanted("list") {
                let ((declared, problems), cpu, wall) =
                    measured(|| (app.declarations().len(), app.problems().len()));
                assert_eq!((declared, problems), (options.elements, 0));
                if keep {
                    lists.push(cpu, wall);
                }
            }
        }
        if wanted("get") {
            let app = open(&root);
            let (cpu, wall) = (cpu_time(), Instant::now());
            app.storage(&one).await.expect("the element loads");
            if keep {
                gets.push(cpu_time() - cpu, wall.elapsed());
            }
        }
    }
    println!(
        "{} elements in {}; medians of {} runs (after {} warm-up)",
        options.elements,
        root.display(),
        options.repeat,
        usize::from(options.warmup)
    );
    opens.report("open");
    gets.report("get one");
    lists.report("list");
}
