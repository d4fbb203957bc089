//! `jitstore serve-oss`: the local OSS-compatible server, in the foreground until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use jit_oss_server::ServerConfig;

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
}

/// Runs the server until Ctrl-C.
pub async fn serve_oss(args: ServeOssArgs) -> Result<(), CliError> {
    let config = ServerConfig {
        addr: args.addr,
        root: args.root,
        buckets: args.buckets.clone(),
        credentials: vec![(args.access_key_id, args.access_key_secret)],
        allow_anonymous: args.allow_anonymous,
        ..ServerConfig::default()
    };
    let server = jit_oss_server::start(config)
        .await
        .map_err(|e| CliError::Server(e.to_string()))?;
    eprintln!(
        "jitstore: local OSS server on {} (buckets: {}); Ctrl-C stops it",
        server.endpoint(),
        args.buckets.join(", ")
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Server(format!("cannot wait for Ctrl-C: {e}")))?;
    server
        .shutdown()
        .await
        .map_err(|e| CliError::Server(format!("stopping: {e}")))
}
