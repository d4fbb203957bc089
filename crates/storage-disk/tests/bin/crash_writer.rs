//! Test-only helper of `tests/crash.rs`, not part of the library: opens the disk storage
//! at `DIR` and overwrites `KEY` forever, alternating between the contents of the given
//! files (each streamed in 64 KiB chunks, stored with the paired content type and the
//! user metadata `version=<n>`, starting with the version after the one stored),
//! printing `committed <n>` after each upload, until it is killed.
//!
//! Usage: `disk-crash-writer DIR KEY FILE TYPE [FILE TYPE]...`

use std::io::Write;
use std::process::ExitCode;

use bytes::Bytes;
use jit_storage::{Payload, PutOptions, StorageError, StorageMeta};
use jit_storage_disk::{DiskSettings, DiskStorage};

const CHUNK: usize = 64 * 1024;

fn streamed(data: &Bytes) -> Payload {
    let chunks: Vec<Result<Bytes, StorageError>> = (0..data.len())
        .step_by(CHUNK)
        .map(|at| Ok(data.slice(at..(at + CHUNK).min(data.len()))))
        .collect();
    Payload::Stream {
        stream: Box::pin(futures::stream::iter(chunks)),
        length: data.len() as u64,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 || !args.len().is_multiple_of(2) {
        eprintln!("usage: disk-crash-writer DIR KEY FILE TYPE [FILE TYPE]...");
        return ExitCode::from(2);
    }
    let mut versions = Vec::new();
    for pair in args[2..].chunks(2) {
        match std::fs::read(&pair[0]) {
            Ok(bytes) => versions.push((Bytes::from(bytes), pair[1].clone())),
            Err(e) => {
                eprintln!("cannot read {}: {e}", pair[0]);
                return ExitCode::from(2);
            }
        }
    }
    let storage = match DiskStorage::open(DiskSettings::new(&args[0])).await {
        Ok(storage) => storage,
        Err(e) => {
            eprintln!("cannot open the storage: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    // Start with the version after the stored one, so the first upload changes the bytes.
    let first = storage
        .stat(&args[1])
        .await
        .ok()
        .and_then(|info| info.metadata.get("version")?.parse::<usize>().ok())
        .map_or(0, |stored| stored + 1);
    for n in first.. {
        let index = n % versions.len();
        let (data, content_type) = &versions[index];
        let options = PutOptions::content_type(content_type.clone())
            .with_metadata("version", index.to_string());
        if let Err(e) = storage.put(&args[1], streamed(data), options).await {
            eprintln!("upload failed: {e}");
            return ExitCode::FAILURE;
        }
        let _ = writeln!(out, "committed {index}");
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}
