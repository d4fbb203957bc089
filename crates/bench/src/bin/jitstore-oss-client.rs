//! `jitstore-oss-client`: our OSS client (`jit_storage_cloud::OssStorage`, the library
//! behind `storages.OssType`) as a small command-line client, so that
//! `jitstore-bench --only compare` can run it as a process of its own and measure its
//! CPU time, wall time and peak RSS exactly as it measures OpenDAL's
//! (`opendal-oss-client`), curl and oss2. With `--protocol s3` it is our S3 client
//! instead (`MinioStorage`, the library behind `storages.MinioType`: path style, SigV4,
//! CRC-64/NVME), measured beside boto3 against `jitstore serve-s3`; the secret then
//! comes from `AWS_SECRET_ACCESS_KEY`.
//!
//! Configured like OpenDAL's: 8 MiB parts with 4 in flight for PUT (`partSizeBytes`,
//! `multipartConcurrency`; multipart above the default 64 MiB threshold), V4 signatures
//! (the element default). Every PUT and whole-object GET is checked end to end by the
//! library itself: length, and CRC-64 against the server's `x-oss-hash-crc64ecma` (S3:
//! CRC-64/NVME against `x-amz-checksum-crc64nvme`).
//!
//! ```text
//! OSS_ACCESS_KEY_SECRET=… jitstore-oss-client put --endpoint http://127.0.0.1:9000 \
//!     --bucket b --access-key-id ak --key big.bin --file /tmp/big.bin
//! jitstore-oss-client get … --key big.bin --file /dev/null
//! jitstore-oss-client small … --prefix p --count 2000 --size 4096 --in-flight 32
//! jitstore-oss-client get … --set someNewKey=4     # any other OssConfig key, as JSON
//! AWS_SECRET_ACCESS_KEY=… jitstore-oss-client put --protocol s3 …   # against serve-s3
//! ```
//!
//! `--set KEY=VALUE` adds any key of the element config (`<Name>.json`, camelCase;
//! VALUE is JSON, or a string when it is not JSON), so a knob added to the client later
//! can be benchmarked without changing this file. Each command prints one JSON object on
//! stdout (`{"op":…,"bytes":…}`) that the benchmark checks; any failure exits non-zero.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand, ValueEnum};
use futures::{StreamExt, TryStreamExt};
use jitstore::oss::{MinioStorage, OssConfig, OssStorage, S3Config};
use jitstore::storage::{GetOptions, Payload, PutOptions, StorageMeta};
use serde_json::{json, Value};

/// Which protocol (and so which of our Types) the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Protocol {
    /// OSS: `OssStorage`, secret in `OSS_ACCESS_KEY_SECRET`.
    Oss,
    /// S3: `MinioStorage` (path style, `http`), secret in `AWS_SECRET_ACCESS_KEY`.
    S3,
}

/// Where the server is and how to sign.
#[derive(Debug, Args)]
struct Target {
    /// Endpoint, e.g. `http://127.0.0.1:9000`.
    #[arg(long)]
    endpoint: String,
    /// Bucket.
    #[arg(long)]
    bucket: String,
    /// Access key id; the secret comes from `OSS_ACCESS_KEY_SECRET` (S3:
    /// `AWS_SECRET_ACCESS_KEY`).
    #[arg(long)]
    access_key_id: String,
    /// The protocol spoken: `oss` (OssType) or `s3` (MinioType).
    #[arg(long, value_enum, default_value = "oss")]
    protocol: Protocol,
    /// Signature version, `v4` or `v1` (OSS only).
    #[arg(long, default_value = "v4")]
    signature: String,
    /// Part size in bytes (`partSizeBytes`).
    #[arg(long, default_value_t = 8 << 20)]
    part_size: u64,
    /// Parts in flight (`multipartConcurrency`).
    #[arg(long, default_value_t = 4)]
    concurrent: usize,
    /// Any other config key, `camelCaseKey=JSON`; may be repeated.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_set)]
    set: Vec<(String, Value)>,
}

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "jitstore-oss-client", about = "Our OSS client as a command")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
enum Command {
    /// Upload a local file (multipart above the threshold).
    Put {
        #[command(flatten)]
        target: Target,
        /// Object key.
        #[arg(long)]
        key: String,
        /// Local file to upload.
        #[arg(long)]
        file: PathBuf,
    },
    /// Download an object to a local file (`/dev/null` to drop it).
    Get {
        #[command(flatten)]
        target: Target,
        /// Object key.
        #[arg(long)]
        key: String,
        /// Local file to write.
        #[arg(long)]
        file: PathBuf,
    },
    /// PUT `count` objects of `size` bytes, `in_flight` at a time, then GET them back.
    Small {
        #[command(flatten)]
        target: Target,
        /// Key prefix.
        #[arg(long)]
        prefix: String,
        /// Objects.
        #[arg(long)]
        count: usize,
        /// Object size in bytes.
        #[arg(long, default_value_t = 4096)]
        size: usize,
        /// Requests in flight.
        #[arg(long, default_value_t = 32)]
        in_flight: usize,
    },
}

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Parses `--set key=value`: the value as JSON, else as a string.
fn parse_set(s: &str) -> Result<(String, Value), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected key=value, got {s:?}"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((key.to_owned(), value))
}

/// Our client pointing at `target`, built from the same JSON an element's `<Name>.json`
/// holds.
fn storage(target: &Target) -> AnyResult<Arc<dyn StorageMeta>> {
    let secret_env = match target.protocol {
        Protocol::Oss => "OSS_ACCESS_KEY_SECRET",
        Protocol::S3 => "AWS_SECRET_ACCESS_KEY",
    };
    let secret = std::env::var(secret_env)
        .map_err(|_| format!("set {secret_env} to the access key's secret"))?;
    let mut config = json!({
        "accessKeyId": target.access_key_id,
        "accessKeySecret": secret,
        "endPoint": target.endpoint,
        "bucketName": target.bucket,
        "partSizeBytes": target.part_size,
        "multipartConcurrency": target.concurrent,
    });
    if target.protocol == Protocol::Oss {
        config["region"] = json!("cn-hangzhou");
        config["signatureVersion"] = json!(target.signature);
    }
    for (key, value) in &target.set {
        config[key] = value.clone();
    }
    Ok(match target.protocol {
        Protocol::Oss => {
            let config: OssConfig = serde_json::from_value(config)?;
            Arc::new(OssStorage::new(&config)?)
        }
        Protocol::S3 => {
            let config: S3Config = serde_json::from_value(config)?;
            Arc::new(MinioStorage::new(&config)?)
        }
    })
}

/// Streams `file` up (`Payload::from_file`); returns the bytes stored.
async fn put(storage: &dyn StorageMeta, key: &str, file: &PathBuf) -> AnyResult<u64> {
    let payload = Payload::from_file(file).await?;
    let len = payload.len();
    let up = storage.put(key, payload, PutOptions::default()).await?;
    if up.size != len {
        return Err(format!("{key}: stored {} of {len} bytes", up.size).into());
    }
    Ok(up.size)
}

/// Streams `key` down into `file`; returns the bytes written.
async fn get(storage: &dyn StorageMeta, key: &str, file: &PathBuf) -> AnyResult<u64> {
    let got = storage.get(key, GetOptions::default()).await?;
    let expected = got.info.size;
    let mut stream = got.stream;
    let mut out = std::fs::File::create(file)?;
    let mut seen = 0u64;
    while let Some(chunk) = stream.try_next().await? {
        out.write_all(&chunk)?;
        seen += chunk.len() as u64;
    }
    out.flush()?;
    if seen != expected {
        return Err(format!("{key}: read {seen} of {expected} bytes").into());
    }
    Ok(seen)
}

/// PUTs then GETs `count` small objects, `in_flight` at a time; returns the bytes read.
async fn small(
    storage: &Arc<dyn StorageMeta>,
    prefix: &str,
    count: usize,
    size: usize,
    in_flight: usize,
) -> AnyResult<u64> {
    let data = Bytes::from(vec![0x5a; size]);
    let key = |i: usize| format!("{prefix}/obj-{i:06}.bin");
    futures::stream::iter(0..count)
        .map(|i| {
            let payload = Payload::from(data.clone());
            let key = key(i);
            async move {
                let up = storage.put(&key, payload, PutOptions::default()).await?;
                if up.size != size as u64 {
                    return Err(format!("{key}: stored {} of {size} bytes", up.size).into());
                }
                AnyResult::Ok(())
            }
        })
        .buffer_unordered(in_flight.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    let lens = futures::stream::iter(0..count)
        .map(|i| {
            let key = key(i);
            async move {
                let got = storage.get(&key, GetOptions::default()).await?;
                got.bytes().await.map(|b| b.len())
            }
        })
        .buffer_unordered(in_flight.max(1))
        .try_collect::<Vec<usize>>()
        .await?;
    if let Some(bad) = lens.iter().find(|&&n| n != size) {
        return Err(format!("{prefix}: a GET returned {bad} of {size} bytes").into());
    }
    Ok(lens.iter().map(|&n| n as u64).sum())
}

#[tokio::main]
async fn main() -> AnyResult<()> {
    let cli = Cli::parse();
    let (op, bytes) = match &cli.command {
        Command::Put { target, key, file } => ("put", put(&*storage(target)?, key, file).await?),
        Command::Get { target, key, file } => ("get", get(&*storage(target)?, key, file).await?),
        Command::Small {
            target,
            prefix,
            count,
            size,
            in_flight,
        } => (
            "small",
            small(&storage(target)?, prefix, *count, *size, *in_flight).await?,
        ),
    };
    println!("{{\"op\":\"{op}\",\"bytes\":{bytes}}}");
    Ok(())
}
