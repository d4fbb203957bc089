//! `jitstore serve-oss`: the local OSS-compatible server, in the foreground until Ctrl-C
//! (or SIGTERM), optionally injecting faults into a seeded share of the requests; the
//! faults injected are printed when it stops. `--cors-origin` lets browser pages call it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use jit_oss_server::{FaultConfig, FaultKind, ServerConfig};

use super::error::CliError;

/// Arguments of `serve-oss`.
#[derive(Debug, Args)]
pub struct ServeOssArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:9000")]
    addr: SocketAddr,
    /// Folder for durable objects; in memory when omitted.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Bucket to create; may be repeated.
    #[arg(long = "bucket", required = true)]
    buckets: Vec<String>,
    /// Access key id accepted by the server.
    #[arg(long, env = "JITSTORE_OSS_ACCESS_KEY_ID")]
    access_key_id: String,
    /// Its secret (prefer the environment variable: command lines are visible to others).
    #[arg(long, env = "JITSTORE_OSS_ACCESS_KEY_SECRET", hide_env_values = true)]
    access_key_secret: String,
    /// Serve unsigned requests instead of refusing them.
    #[arg(long)]
    allow_anonymous: bool,
    /// Let browser pages from this origin call the server (CORS), e.g.
    /// `http://127.0.0.1:5173`, or `*` for any; may be repeated. Preflights from it are
    /// answered without a signature; off when omitted.
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = parse_cors_origin)]
    cors_origins: Vec<String>,
    /// Share of object, multipart and listing requests that get a fault, from 0 to 1
    /// (off when omitted).
    ///
    /// Requests naming a key, listings (objects, uploads, parts) and batch deletes are
    /// eligible; bucket and service requests never get a fault. Eligible requests are
    /// numbered as they arrive, and whether request N gets a fault, and which, depends
    /// on the seed and N alone.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, help_heading = "Fault injection")]
    fault_rate: Option<f64>,
    /// Faults to choose from, comma-separated (`all`: every kind) [default: all].
    ///
    ///   500, 503        answered with that error; not applied
    ///   reset-request   the connection is reset (TCP RST) once part of the request
    ///                   body was read; not applied
    ///   reset-response  applied; the answer's head and half its body are sent, then
    ///                   the connection is reset
    ///   lost-answer     applied; the connection is closed before any byte of the answer
    ///   slow            handled after --fault-delay-ms
    ///   truncate        applied; the answer declares its full Content-Length, sends
    ///                   half the body, then the connection is closed
    ///   bad-crc         a GetObject answer carries a wrong x-oss-hash-crc64ecma (the
    ///                   bytes are right)
    ///
    /// A kind that cannot apply to a request (bad-crc on a PUT, reset-response or
    /// truncate on a HEAD) is not drawn for it. No fault ever corrupts stored data.
    #[arg(
        long,
        value_name = "KIND,...",
        requires = "fault_rate",
        help_heading = "Fault injection",
        verbatim_doc_comment
    )]
    fault_kinds: Option<KindList>,
    /// Seed of the fault sequence: the same seed gives the same faults for the same
    /// sequence of requests [default: random, printed at start].
    #[arg(
        long,
        value_name = "SEED",
        requires = "fault_rate",
        help_heading = "Fault injection"
    )]
    fault_seed: Option<u64>,
    /// How long a `slow` request waits before it is handled, in milliseconds.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 2000,
        requires = "fault_rate",
        help_heading = "Fault injection"
    )]
    fault_delay_ms: u64,
}

/// A `--fault-kinds` list.
#[derive(Debug, Clone)]
struct KindList(Vec<FaultKind>);

impl FromStr for KindList {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let kinds = FaultKind::parse_list(s).map_err(|e| e.to_string())?;
        if kinds.is_empty() {
            return Err("name at least one fault kind".to_owned());
        }
        Ok(KindList(kinds))
    }
}

/// Parses `--fault-rate`: a number from 0 to 1.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

/// Parses a `--cors-origin`: `*` or `scheme://host[:port]`.
pub(super) fn parse_cors_origin(s: &str) -> Result<String, String> {
    let origin = s.to_owned();
    jit_oss_server::shared::cors::check_origins(std::slice::from_ref(&origin))?;
    Ok(origin)
}

/// A seed for when none was given: different from run to run.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    nanos ^ (u64::from(std::process::id()) << 32)
}

impl ServeOssArgs {
    /// The fault injection asked for (off without `--fault-rate`).
    fn faults(&self) -> FaultConfig {
        match self.fault_rate {
            None => FaultConfig::default(),
            Some(rate) => FaultConfig {
                rate,
                kinds: self
                    .fault_kinds
                    .as_ref()
                    .map_or_else(|| FaultKind::ALL.to_vec(), |k| k.0.clone()),
                seed: self.fault_seed.unwrap_or_else(fresh_seed),
                delay: Duration::from_millis(self.fault_delay_ms),
            },
        }
    }
}

/// Waits for Ctrl-C, or (on Unix) SIGTERM.
pub(super) async fn stop_requested() -> Result<(), CliError> {
    let cannot = |e: std::io::Error| CliError::Server(format!("cannot wait for Ctrl-C: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate()).map_err(cannot)?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.map_err(cannot),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(cannot)
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve_oss(args: ServeOssArgs) -> Result<(), CliError> {
    let faults = args.faults();
    let config = ServerConfig {
        addr: args.addr,
        root: args.root,
        buckets: args.buckets.clone(),
        credentials: vec![(args.access_key_id, args.access_key_secret)],
        allow_anonymous: args.allow_anonymous,
        faults: faults.clone(),
        cors_origins: args.cors_origins.clone(),
        ..ServerConfig::default()
    };
    let server = jit_oss_server::start(config)
        .await
        .map_err(|e| CliError::Server(e.to_string()))?;
    if !args.cors_origins.is_empty() {
        eprintln!(
            "jitstore: CORS allowed for {}",
            args.cors_origins.join(", ")
        );
    }
    eprintln!(
        "jitstore: local OSS server on {} (buckets: {}); Ctrl-C stops it",
        server.endpoint(),
        args.buckets.join(", ")
    );
    if faults.enabled() {
        eprintln!(
            "jitstore: injecting faults into {}% of object, multipart and listing requests: \
             {} (seed {}; slow requests wait {} ms)",
            faults.rate * 100.0,
            faults.kinds_text(),
            faults.seed,
            faults.delay.as_millis()
        );
    }
    let stopped = stop_requested().await;
    let state = server.state().clone();
    let shut = server
        .shutdown()
        .await
        .map_err(|e| CliError::Server(format!("stopping: {e}")));
    if faults.enabled() {
        eprintln!("jitstore: faults injected: {}", state.faults_injected());
    }
    stopped.and(shut)
}
