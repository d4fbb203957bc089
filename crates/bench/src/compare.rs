//! The `compare` group: our client beside Apache OpenDAL's, curl and oss2, each a
//! process of its own against one `jitstore serve-oss` process (memory store) on
//! 127.0.0.1, or with `--compare-protocol s3` our S3 client beside curl and boto3
//! against one `jitstore serve-s3` (see `compare_protocol`), measured alike: client CPU (user + sys), wall time and peak RSS from
//! `wait4` (in a small launcher process, see `launcher`), plus the server's CPU time
//! meanwhile.
//!
//! In one run: the clients are built if needed (ours and the server with this
//! workspace's cargo, OpenDAL's with `cargo build --release --manifest-path
//! crates/bench-opendal/Cargo.toml`, which is outside the workspace), a large file is
//! written (1 GiB), the server started, one unmeasured PUT made, then `runs` rounds,
//! each running every client once (PUT, then GET to `/dev/null`), interleaved so that
//! the machine's load drifts over all clients alike; then the small-object rows (ours
//! and OpenDAL: PUT then GET of N 4 KiB objects, 32 in flight) and, if given, the
//! loader command.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::Args;
use std::sync::Arc;

use jitstore::oss::{MinioStorage, OssConfig, OssStorage, S3Config};
use jitstore::storage::{PresignOptions, StorageMeta};
use serde_json::json;

use crate::child::Measured;
use crate::compare_clients::{check_output, Client, Large, Setup};
use crate::compare_protocol::{ClientName, Protocol, SDK_COMMON};
use crate::compare_server::ServerProcess;
use crate::compare_table::{CompareRow, Sample, Work};
use crate::error::{BenchError, BenchResult};
use crate::fixture;
use crate::launcher::run_isolated;
use crate::oss_fixture::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET};
use crate::units::human_bytes;

/// Flags of the `compare` group.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "compare group (--only compare)")]
pub struct CompareArgs {
    /// Size of the large object, MiB (full run: 1024; quick: 16).
    #[arg(long)]
    pub compare_mib: Option<u64>,
    /// Measured runs of every client and operation (full run: 3; quick: 1).
    #[arg(long)]
    pub compare_runs: Option<usize>,
    /// The protocol and server: `oss` (serve-oss) or `s3` (serve-s3).
    #[arg(long, value_enum, default_value = "oss")]
    pub compare_protocol: Protocol,
    /// Clients to run (comma-separated) [default: oss: ours,opendal,curl,oss2; s3:
    /// ours,curl,boto3].
    #[arg(long, value_enum, value_delimiter = ',')]
    pub compare_clients: Option<Vec<ClientName>>,
    /// Part size of the multipart PUTs and chunk size of OpenDAL's reads, MiB.
    #[arg(long, default_value_t = 8)]
    pub compare_part_mib: u64,
    /// Parts (and OpenDAL's read chunks, oss2's threads) in flight.
    #[arg(long, default_value_t = 4)]
    pub compare_concurrent: usize,
    /// Small objects per run of the small rows (full run: 2000; quick: 50; 0: none).
    #[arg(long)]
    pub compare_small_count: Option<usize>,
    /// Small requests in flight.
    #[arg(long, default_value_t = 32)]
    pub compare_in_flight: usize,
    /// Extra element-config key for our client, `camelCaseKey=JSON` (passed as its
    /// `--set`); may be repeated, e.g. for a knob added to the client later.
    #[arg(long = "ours-set", value_name = "KEY=VALUE")]
    pub ours_set: Vec<String>,
    /// A command whose runs make the `loader` row (split at spaces), e.g. an example
    /// that opens a 10 000-element app: `--loader-cmd "target/release/examples/x 10000"`.
    #[arg(long)]
    pub loader_cmd: Option<String>,
    /// OpenDAL's client [default: crates/bench-opendal/target/release/opendal-oss-client].
    #[arg(long)]
    pub opendal_client: Option<PathBuf>,
    /// Do not run cargo: use the clients as already built.
    #[arg(long)]
    pub no_build: bool,
    /// A client run taking longer than this is killed and the client skipped, seconds.
    #[arg(long, default_value_t = 600)]
    pub compare_timeout_secs: u64,
}

/// Where to find Python and its SDKs (the main flags `--python`, `--oss2-path`,
/// `--boto3-path`).
#[derive(Debug, Clone)]
pub struct Python {
    /// The interpreter.
    pub python: String,
    /// The folder oss2 is installed in.
    pub oss2_path: PathBuf,
    /// The folder boto3 is installed in.
    pub boto3_path: PathBuf,
}

impl Python {
    /// The folder the SDK `client` is installed in.
    fn path_of(&self, client: ClientName) -> &Path {
        match client {
            ClientName::Boto3 => &self.boto3_path,
            _ => &self.oss2_path,
        }
    }
}

impl CompareArgs {
    /// The clients asked for, or the protocol's own.
    fn clients(&self) -> Vec<ClientName> {
        self.compare_clients
            .clone()
            .unwrap_or_else(|| self.compare_protocol.default_clients())
    }
}

/// The workspace root (this crate is `crates/bench`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `name` is a variable `cargo run` sets for the program it runs (the package's
/// `CARGO_PKG_*`, `CARGO_MANIFEST_DIR`, …). A cargo started with them would see build
/// scripts' `rerun-if-env-changed` variables changed and rebuild ring, rustls and
/// reqwest every time.
fn set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_RUSTC_CURRENT_DIR"
        )
}

/// Runs cargo with `args` in the workspace root, its output on stderr; whether it worked.
fn cargo(args: &[&str]) -> bool {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("compare: cargo {}", args.join(" "));
    let mut cmd = Command::new(&cargo);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_run) {
            cmd.env_remove(name);
        }
    }
    match cmd
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
    {
        Ok(status) => status.success(),
        Err(e) => {
            eprintln!("compare: cannot run cargo: {e}");
            false
        }
    }
}

/// Builds the server, our client (same profile as this binary) and OpenDAL's (release,
/// from its own workspace, with its committed lock file). One cargo call per package,
/// each with the features `cargo build -p <package>` alone selects, so that none of
/// them undoes the build of `cargo run -p jit-bench` (features are unified over the
/// packages of one call).
fn build(opendal: bool) -> bool {
    let profile: &[&str] = if cfg!(debug_assertions) {
        &[]
    } else {
        &["--release"]
    };
    for (package, bin) in [
        ("jitstore", "jitstore"),
        ("jit-bench", "jitstore-oss-client"),
    ] {
        let mut args = vec!["build"];
        args.extend(profile);
        args.extend(["-p", package, "--bin", bin]);
        if !cargo(&args) {
            eprintln!("compare: building {bin} failed");
        }
    }
    opendal
        && cargo(&[
            "build",
            "--release",
            "--locked",
            "--manifest-path",
            "crates/bench-opendal/Cargo.toml",
        ])
}

/// Whether `cmd` runs and exits 0 (output dropped).
fn works(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Our client configured like the others, for the curl row's presigned URLs.
fn presigner(protocol: Protocol, endpoint: &str) -> BenchResult<Arc<dyn StorageMeta>> {
    let config = json!({
        "accessKeyId": ACCESS_KEY_ID,
        "accessKeySecret": ACCESS_KEY_SECRET,
        "endPoint": endpoint,
        "bucketName": BUCKET,
        "region": protocol.region(),
    });
    let bad = |e: serde_json::Error| BenchError::Check(format!("presigner config: {e}"));
    Ok(match protocol {
        Protocol::Oss => {
            let config: OssConfig = serde_json::from_value(config).map_err(bad)?;
            Arc::new(OssStorage::new(&config)?)
        }
        Protocol::S3 => {
            let config: S3Config = serde_json::from_value(config).map_err(bad)?;
            Arc::new(MinioStorage::new(&config)?)
        }
    })
}

/// The clients asked for that can run here; why the others cannot goes to stderr.
async fn clients(
    args: &CompareArgs,
    python: &Python,
    exe_dir: &Path,
    opendal_built: bool,
    setup: &Setup,
    scratch: &Path,
) -> BenchResult<Vec<Client>> {
    let mut out = Vec::new();
    let protocol = setup.protocol;
    for name in args.clients() {
        if !protocol.speaks(name) {
            eprintln!(
                "compare: {} skipped: not a client of {protocol:?} here",
                name.label()
            );
            continue;
        }
        match name {
            ClientName::Ours => {
                let exe = exe_dir.join("jitstore-oss-client");
                if !exe.exists() {
                    return Err(BenchError::Check(format!("{} is missing", exe.display())));
                }
                out.push(Client::Rust(name, exe));
            }
            ClientName::Opendal => {
                let exe = args.opendal_client.clone().unwrap_or_else(|| {
                    workspace_root().join("crates/bench-opendal/target/release/opendal-oss-client")
                });
                // A given client, or one built earlier under --no-build, is used as is.
                let usable = opendal_built || args.no_build || args.opendal_client.is_some();
                if exe.exists() && usable {
                    out.push(Client::Rust(name, exe));
                } else {
                    eprintln!("compare: OpenDAL skipped: {} not built", exe.display());
                }
            }
            ClientName::Curl => {
                if !works(Command::new("curl").arg("--version")) {
                    eprintln!("compare: curl skipped: not installed");
                    continue;
                }
                let storage = presigner(protocol, &setup.endpoint)?;
                let hour = Duration::from_secs(3600);
                let put = storage
                    .presign(
                        &setup.key,
                        PresignOptions::put("application/octet-stream", hour),
                    )
                    .await?;
                let get = storage
                    .presign(&setup.key, PresignOptions::get(hour))
                    .await?;
                out.push(Client::Curl {
                    put_url: put.url,
                    put_headers: put.headers,
                    get_url: get.url,
                });
            }
            ClientName::Oss2 | ClientName::Boto3 => {
                let Some(sdk) = protocol.python_sdk(name) else {
                    continue;
                };
                let path = python.path_of(name);
                let import = Command::new(&python.python)
                    .args(["-c", &format!("import {}", sdk.module)])
                    .env("PYTHONPATH", path)
                    .status();
                if !import.is_ok_and(|s| s.success()) {
                    eprintln!(
                        "compare: {m} skipped: `{} -c 'import {m}'` fails with PYTHONPATH={}",
                        python.python,
                        path.display(),
                        m = sdk.module,
                    );
                    continue;
                }
                let script = scratch.join(sdk.script_name);
                tokio::fs::write(&script, sdk.script).await?;
                let (common_name, common) = SDK_COMMON;
                tokio::fs::write(scratch.join(common_name), common).await?;
                out.push(Client::Python {
                    name,
                    python: python.python.clone(),
                    path: path.to_path_buf(),
                    script,
                });
            }
        }
    }
    Ok(out)
}

/// Runs the measured client processes against the server.
struct Runner<'a> {
    server: &'a ServerProcess,
    /// This binary, run in launcher mode around every client ([`run_isolated`]).
    launcher: PathBuf,
    limit: Duration,
}

impl Runner<'_> {
    /// One measured run of `cmd`, with the server's CPU time meanwhile; the client's
    /// output must report `expected` bytes (when given).
    fn measure(&self, cmd: Command, expected: Option<u64>) -> BenchResult<Sample> {
        let before = self.server.cpu();
        let child: Measured = run_isolated(&self.launcher, &cmd, self.limit)?;
        let server_cpu = self
            .server
            .cpu()
            .zip(before)
            .map(|(a, b)| a.saturating_sub(b));
        if let Some(expected) = expected {
            check_output(&child.stdout, expected)?;
        }
        Ok(Sample { child, server_cpu })
    }
}

/// Adds `sample` to the row `(client, operation)`, creating it with `work`.
fn record(rows: &mut Vec<CompareRow>, client: &str, operation: &str, work: Work, s: Sample) {
    eprintln!(
        "compare: {client} {operation}: {:.2} s wall, {:.2} s CPU, {} MiB peak",
        s.child.wall.as_secs_f64(),
        s.child.cpu().as_secs_f64(),
        s.child.max_rss_kib / 1024
    );
    match rows
        .iter_mut()
        .find(|r| r.client == client && r.operation == operation)
    {
        Some(row) => row.samples.push(s),
        None => rows.push(CompareRow {
            client: client.to_owned(),
            operation: operation.to_owned(),
            work,
            samples: vec![s],
        }),
    }
}

/// Runs the group; returns its rows.
pub async fn run(
    args: &CompareArgs,
    quick: bool,
    python: &Python,
    base: &Path,
) -> BenchResult<Vec<CompareRow>> {
    let pick =
        |flag: Option<u64>, full: u64, small: u64| flag.unwrap_or(if quick { small } else { full });
    let large_bytes = pick(args.compare_mib, 1024, 16) << 20;
    let runs = pick(args.compare_runs.map(|n| n as u64), 3, 1).max(1) as usize;
    let small_count = pick(args.compare_small_count.map(|n| n as u64), 2000, 50) as usize;
    let limit = Duration::from_secs(args.compare_timeout_secs);
    let protocol = args.compare_protocol;
    let wants_opendal =
        args.clients().contains(&ClientName::Opendal) && protocol.speaks(ClientName::Opendal);
    let opendal_built = if args.no_build {
        false
    } else {
        build(wants_opendal)
    };
    let exe_dir = std::env::current_exe()?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();

    let work = fixture::temp_dir(base, "jitstore-compare-").await?;
    eprintln!(
        "compare: writing the {} source file",
        human_bytes(large_bytes)
    );
    let source = fixture::large_source(work.path(), large_bytes).await?;
    let server = ServerProcess::start(&exe_dir.join("jitstore"), protocol)?;
    let part_size = (args.compare_part_mib << 20).min(large_bytes.max(1));
    let setup = Setup {
        protocol,
        endpoint: server.endpoint().to_owned(),
        source,
        key: "compare/large.bin".to_owned(),
        part_size,
        concurrent: args.compare_concurrent,
        ours_set: args.ours_set.clone(),
    };
    let result = async {
        let clients = clients(args, python, &exe_dir, opendal_built, &setup, work.path()).await?;
        let runner = Runner {
            server: &server,
            launcher: std::env::current_exe()?,
            limit,
        };
        let sizes = Sizes {
            large_bytes,
            runs,
            small_count,
        };
        Ok::<_, BenchError>(rounds(&runner, &clients, &setup, args, &sizes))
    }
    .await;
    let stopped = server.stop();
    fixture::remove(work).await?;
    let rows = result??;
    stopped?;
    Ok(rows)
}

/// How much the rounds do.
struct Sizes {
    /// The large object.
    large_bytes: u64,
    /// Measured runs of every client and operation.
    runs: usize,
    /// Small objects per small run (0: no small rows).
    small_count: usize,
}

/// The measured rounds: large PUT/GET of every client, the small rows, the loader.
fn rounds(
    runner: &Runner,
    clients: &[Client],
    setup: &Setup,
    args: &CompareArgs,
    sizes: &Sizes,
) -> BenchResult<Vec<CompareRow>> {
    let Sizes {
        large_bytes,
        runs,
        small_count,
    } = *sizes;
    let size = human_bytes(large_bytes);
    let parts = format!(
        "{} parts, {} in flight",
        human_bytes(setup.part_size),
        setup.concurrent
    );
    let put_label = |c: ClientName| match c {
        ClientName::Curl => format!("PUT {size} (one PUT, presigned URL)"),
        _ => format!("PUT {size} ({parts})"),
    };
    let get_label = |c: ClientName| match c {
        ClientName::Opendal => format!("GET {size} to /dev/null ({parts})"),
        _ => format!("GET {size} to /dev/null (one GET)"),
    };
    let mut rows = Vec::new();
    let mut failed: Vec<ClientName> = Vec::new();
    // One unmeasured upload: the object exists and the server has held it once.
    if let Some(first) = clients.first() {
        runner.measure(first.large(setup, Large::Put), Some(large_bytes))?;
    }
    for round in 0..runs {
        for client in clients {
            let name = client.name();
            if failed.contains(&name) {
                continue;
            }
            let mut one = || -> BenchResult<()> {
                for (op, label) in [(Large::Put, put_label(name)), (Large::Get, get_label(name))] {
                    let s = runner.measure(client.large(setup, op), Some(large_bytes))?;
                    record(&mut rows, name.label(), &label, Work::Bytes(large_bytes), s);
                }
                Ok(())
            };
            if let Err(e) = one() {
                skip_after_failure(name, round, &e, &mut failed)?;
            }
        }
    }
    if small_count > 0 {
        let small: usize = 4096;
        let label = format!(
            "{} PUT then GET ×{small_count}, {} in flight",
            human_bytes(small as u64),
            args.compare_in_flight
        );
        for round in 0..runs {
            for client in clients {
                let name = client.name();
                let prefix = format!("small/{name:?}-r{round}");
                let Some(cmd) =
                    client.small(setup, &prefix, small_count, small, args.compare_in_flight)
                else {
                    continue;
                };
                if failed.contains(&name) {
                    continue;
                }
                let expected = (small_count * small) as u64;
                match runner.measure(cmd, Some(expected)) {
                    Ok(s) => {
                        let work = Work::Requests(2 * small_count as u64);
                        record(&mut rows, name.label(), &label, work, s);
                    }
                    Err(e) => skip_after_failure(name, round, &e, &mut failed)?,
                }
            }
        }
    }
    if let Some(line) = &args.loader_cmd {
        let mut words = line.split_whitespace();
        if let Some(program) = words.next() {
            let rest: Vec<&str> = words.collect();
            for _ in 0..runs {
                let mut cmd = Command::new(program);
                cmd.args(&rest);
                let s = runner.measure(cmd, None)?;
                record(&mut rows, "loader", line, Work::None, s);
            }
        }
    }
    rows.retain(|r| !failed.iter().any(|f| f.label() == r.client));
    Ok(rows)
}

/// A client failed: ours stops the group (its numbers are the point), any other is
/// dropped from the table with the reason on stderr.
fn skip_after_failure(
    name: ClientName,
    round: usize,
    e: &BenchError,
    failed: &mut Vec<ClientName>,
) -> BenchResult<()> {
    if name == ClientName::Ours {
        return Err(BenchError::Check(format!("our client failed: {e}")));
    }
    eprintln!(
        "compare: {} skipped, it failed in round {}: {e}",
        name.label(),
        round + 1
    );
    failed.push(name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_variables_of_cargo_run_are_dropped() {
        assert!(set_by_cargo_run("CARGO_PKG_NAME"));
        assert!(set_by_cargo_run("CARGO_MANIFEST_DIR"));
        assert!(!set_by_cargo_run("CARGO_HOME"));
        assert!(!set_by_cargo_run("CARGO_TARGET_DIR"));
        assert!(!set_by_cargo_run("PATH"));
    }

    #[test]
    fn the_workspace_root_holds_the_opendal_client() {
        assert!(workspace_root()
            .join("crates/bench-opendal/Cargo.toml")
            .exists());
    }
}
