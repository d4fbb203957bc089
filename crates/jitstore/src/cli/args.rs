//! The command line of the `jitstore` tool: its global options and subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::serve::ServeOssArgs;
use super::serve_app::ServeAppArgs;
use super::serve_s3::ServeS3Args;

/// Operate the storage elements of a JitAi-style app.
#[derive(Debug, Parser)]
#[command(name = "jitstore", version, about)]
pub struct Cli {
    /// The app folder (holding `storages/<Name>/e.json`).
    #[arg(long, global = true, default_value = ".", env = "JITSTORE_APP")]
    pub app: PathBuf,

    /// Let configurations reference environment variables starting with PREFIX without
    /// declaring them (e.g. `--allow-env OSS_`); may be repeated; empty prefixes are
    /// ignored. By default only the variables an app declares (`e.json` `variables`,
    /// `app.json` `envVars`) are read.
    #[arg(
        long = "allow-env",
        global = true,
        value_name = "PREFIX",
        env = "JITSTORE_ALLOW_ENV",
        value_delimiter = ','
    )]
    pub allow_env: Vec<String>,

    /// Log to stderr: `-v` one line per storage operation (element, operation, key,
    /// size, attempts, request id, duration), `-vv` also each HTTP attempt, `-vvv`
    /// everything. `JITSTORE_LOG` (a tracing filter such as `debug` or
    /// `jit_storage_cloud=trace`) adds to it, and a bare level there replaces it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the app's elements: fullName, Type and title, tab-separated.
    Elements,
    /// Load every element of the app and report every problem at once (exit 1 if any).
    Check,
    /// Upload a local file; prints the object's URL.
    Put {
        /// Storage element, e.g. storages.Default.
        element: String,
        /// Local file to upload.
        local_file: PathBuf,
        /// Object key.
        key: String,
        /// MIME type (default: guessed by the Type, else application/octet-stream).
        #[arg(long)]
        content_type: Option<String>,
        /// User metadata, `name=value`; may be repeated.
        #[arg(long = "meta", value_parser = parse_key_value)]
        metadata: Vec<(String, String)>,
    },
    /// Download an object to a local file (`-` for stdout).
    Get {
        /// Storage element.
        element: String,
        /// Object key.
        key: String,
        /// Local file to write, or `-` for stdout.
        local_file: String,
    },
    /// Print an object's information as JSON.
    Stat {
        /// Storage element.
        element: String,
        /// Object key.
        key: String,
    },
    /// Delete an object.
    Rm {
        /// Storage element.
        element: String,
        /// Object key.
        key: String,
    },
    /// Print a presigned URL.
    Sign {
        /// Storage element.
        element: String,
        /// Object key.
        key: String,
        /// Content type to bind into the signature.
        #[arg(long)]
        content_type: Option<String>,
        /// Lifetime in seconds, 1 to 31536000 (365 days); a Type may allow less (OSS
        /// V4: 7 days).
        #[arg(
            long,
            default_value = "300",
            value_name = "SECONDS",
            allow_hyphen_values = true
        )]
        expires: String,
        /// Sign an upload (PUT) instead of a download (GET).
        #[arg(long)]
        put: bool,
    },
    /// List objects under a prefix: key, size, last modified.
    Ls {
        /// Storage element.
        element: String,
        /// Key prefix.
        #[arg(default_value = "")]
        prefix: String,
        /// Group by this delimiter (e.g. `/`), like folders.
        #[arg(long)]
        delimiter: Option<String>,
    },
    /// Serve the app's StorageSvc over HTTP (`/storages/services/StorageSvc/<method>`)
    /// and its page (`<app>/web`) at `/`; writes need `Authorization: Bearer
    /// $JITSTORE_TOKEN` when that variable is set.
    Serve(ServeAppArgs),
    /// Run the local OSS-compatible server (signatures verified, loopback by default).
    ServeOss(ServeOssArgs),
    /// Run the local S3-compatible server (SigV4 signatures verified, loopback by default).
    ServeS3(ServeS3Args),
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected name=value, got {s:?}"))
}
