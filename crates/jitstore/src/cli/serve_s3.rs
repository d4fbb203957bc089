//! `jitstore serve-s3`: the local S3-compatible server (every SigV4 signature
//! verified), in the foreground until Ctrl-C (or SIGTERM); `--cors-origin` lets browser
//! pages call it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use jit_s3_server::{ServerConfig, TlsConfig};

use super::error::CliError;
use super::serve::{parse_cors_origin, stop_requested};

/// Arguments of `serve-s3`.
#[derive(Debug, Args)]
pub struct ServeS3Args {
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
    #[arg(long, env = "JITSTORE_S3_ACCESS_KEY_ID")]
    access_key_id: String,
    /// Its secret (prefer the environment variable: command lines are visible to others).
    #[arg(long, env = "JITSTORE_S3_ACCESS_KEY_SECRET", hide_env_values = true)]
    access_key_secret: String,
    /// The region signatures must be scoped to.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Serve unsigned requests instead of refusing them.
    #[arg(long)]
    allow_anonymous: bool,
    /// Let browser pages from this origin call the server (CORS), e.g.
    /// `http://127.0.0.1:5173`, or `*` for any; may be repeated. Preflights from it are
    /// answered without a signature; off when omitted.
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = parse_cors_origin)]
    cors_origins: Vec<String>,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve_s3(args: ServeS3Args) -> Result<(), CliError> {
    let config = ServerConfig {
        addr: args.addr,
        root: args.root,
        buckets: args.buckets.clone(),
        credentials: vec![(args.access_key_id, args.access_key_secret)],
        allow_anonymous: args.allow_anonymous,
        region: args.region.clone(),
        cors_origins: args.cors_origins.clone(),
        tls: match (args.tls_cert, args.tls_key) {
            (Some(cert_chain_pem), Some(private_key_pem)) => Some(TlsConfig {
                cert_chain_pem,
                private_key_pem,
            }),
            _ => None,
        },
        ..ServerConfig::default()
    };
    let server = jit_s3_server::start(config)
        .await
        .map_err(|e| CliError::S3Server(e.to_string()))?;
    if !args.cors_origins.is_empty() {
        eprintln!(
            "jitstore: CORS allowed for {}",
            args.cors_origins.join(", ")
        );
    }
    eprintln!(
        "jitstore: local S3 server on {} (region {}, buckets: {}); Ctrl-C stops it",
        server.endpoint(),
        args.region,
        args.buckets.join(", ")
    );
    let stopped = stop_requested().await;
    let shut = server
        .shutdown()
        .await
        .map_err(|e| CliError::S3Server(format!("stopping: {e}")));
    stopped.and(shut)
}
