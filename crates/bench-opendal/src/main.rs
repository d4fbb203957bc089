//! `opendal-oss-client`: Apache OpenDAL 0.58's OSS service (`opendal::services::Oss`) as a
//! small command-line client, so that `jitstore-bench --only compare` can run it as a
//! process of its own and measure its CPU time, wall time and peak RSS exactly as it
//! measures our client (`jitstore-oss-client`), curl and oss2.
//!
//! It is configured like our client: 8 MiB parts with 4 in flight for PUT (OpenDAL's
//! `chunk` and `concurrent` write options; OSS multipart), and OpenDAL's concurrent
//! reader for GET (`chunk` 8 MiB, `concurrent` 4). Path-style addressing, since the
//! local server listens on 127.0.0.1; V1 signatures (OpenDAL's OSS signer's default).
//!
//! ```text
//! OSS_ACCESS_KEY_SECRET=… opendal-oss-client put --endpoint http://127.0.0.1:9000 \
//!     --bucket b --access-key-id ak --key big.bin --file /tmp/big.bin
//! opendal-oss-client get … --key big.bin --file /dev/null
//! opendal-oss-client small … --prefix p --count 2000 --size 4096 --in-flight 32
//! ```
//!
//! Each command prints one JSON object on stdout (`{"op":…,"bytes":…}`) that the
//! benchmark checks; any failure exits non-zero.

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand};
use futures::{StreamExt, TryStreamExt};
use opendal::services::Oss;
use opendal::Operator;

/// Where the server is and how to sign.
#[derive(Debug, Args)]
struct Target {
    /// Endpoint, e.g. `http://127.0.0.1:9000`.
    #[arg(long)]
    endpoint: String,
    /// Bucket.
    #[arg(long)]
    bucket: String,
    /// Access key id; the secret comes from `OSS_ACCESS_KEY_SECRET`.
    #[arg(long)]
    access_key_id: String,
}

/// Large-transfer tuning, the same knobs as our client's.
#[derive(Debug, Args)]
struct Tuning {
    /// Part (PUT) and chunk (GET) size in bytes.
    #[arg(long, default_value_t = 8 << 20)]
    part_size: usize,
    /// Parts (PUT) or chunks (GET) in flight.
    #[arg(long, default_value_t = 4)]
    concurrent: usize,
}

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "opendal-oss-client",
    about = "OpenDAL's OSS service as a client"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
enum Command {
    /// Upload a local file (multipart above one part).
    Put {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        tuning: Tuning,
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
        #[command(flatten)]
        tuning: Tuning,
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

/// An operator on OpenDAL's OSS service pointing at `target`.
fn operator(target: &Target) -> AnyResult<Operator> {
    let secret = std::env::var("OSS_ACCESS_KEY_SECRET")
        .map_err(|_| "set OSS_ACCESS_KEY_SECRET to the access key's secret")?;
    let builder = Oss::default()
        .endpoint(&target.endpoint)
        .addressing_style("path")
        .bucket(&target.bucket)
        .access_key_id(&target.access_key_id)
        .access_key_secret(&secret);
    Ok(Operator::new(builder)?)
}

/// Streams `file` up in `part_size` pieces through a writer with `concurrent` parts in
/// flight; returns the bytes sent.
async fn put(op: &Operator, tuning: &Tuning, key: &str, file: &PathBuf) -> AnyResult<u64> {
    let mut source = File::open(file)?;
    let len = source.metadata()?.len();
    let mut writer = op
        .writer_with(key)
        .chunk(tuning.part_size)
        .concurrent(tuning.concurrent)
        .await?;
    let mut sent = 0u64;
    loop {
        let mut piece = vec![0u8; tuning.part_size];
        let n = read_full(&mut source, &mut piece)?;
        if n == 0 {
            break;
        }
        piece.truncate(n);
        sent += n as u64;
        writer.write(Bytes::from(piece)).await?;
    }
    let meta = writer.close().await?;
    if sent != len {
        return Err(format!("{key}: read {sent} of {len} bytes of {}", file.display()).into());
    }
    let stored = meta.content_length();
    if stored != 0 && stored != len {
        return Err(format!("{key}: server stored {stored} of {len} bytes").into());
    }
    Ok(sent)
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full(source: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Reads `key` with the concurrent reader into `file`; checks the length against the
/// object's; returns the bytes written.
async fn get(op: &Operator, tuning: &Tuning, key: &str, file: &PathBuf) -> AnyResult<u64> {
    let expected = op.stat(key).await?.content_length();
    let reader = op
        .reader_with(key)
        .chunk(tuning.part_size)
        .concurrent(tuning.concurrent)
        .await?;
    let mut stream = reader.into_bytes_stream(0..expected).await?;
    let mut out = File::create(file)?;
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
    op: &Operator,
    prefix: &str,
    count: usize,
    size: usize,
    in_flight: usize,
) -> AnyResult<u64> {
    let data = Bytes::from(vec![0x5a; size]);
    let key = |i: usize| format!("{prefix}/obj-{i:06}.bin");
    futures::stream::iter(0..count)
        .map(|i| {
            let data = data.clone();
            let key = key(i);
            async move { op.write(&key, data).await.map(|_| ()) }
        })
        .buffer_unordered(in_flight.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    let lens = futures::stream::iter(0..count)
        .map(|i| {
            let key = key(i);
            async move { op.read(&key).await.map(|b| b.len()) }
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
        Command::Put {
            target,
            tuning,
            key,
            file,
        } => ("put", put(&operator(target)?, tuning, key, file).await?),
        Command::Get {
            target,
            tuning,
            key,
            file,
        } => ("get", get(&operator(target)?, tuning, key, file).await?),
        Command::Small {
            target,
            prefix,
            count,
            size,
            in_flight,
        } => (
            "small",
            small(&operator(target)?, prefix, *count, *size, *in_flight).await?,
        ),
    };
    println!("{{\"op\":\"{op}\",\"bytes\":{bytes}}}");
    Ok(())
}
