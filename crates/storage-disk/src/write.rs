//! Atomic writes: a payload is streamed into a temp file under `.jitstore/tmp` (same file
//! system as the objects) while its length, MD5 and CRC-64/XZ are computed, then synced
//! and renamed into place, followed by its sidecar written the same way. A reader never
//! sees a half-written file, and a crash leaves the previous version.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::StreamExt;
use jit_storage::{ByteStream, StorageError, StorageErrorKind, StorageResult};
use jit_wire::crc64::Crc64;
use md5::{Digest, Md5};
use tokio::io::AsyncWriteExt;

use crate::meta_file::{Sidecar, Stamp};
use crate::paths::{prepare_file, prepare_sidecar, Layout};

/// CRC-64/XZ, the checksum OSS calls `crc64ecma`.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Runs blocking file-system work off the async runtime.
pub(crate) async fn blocking<T, F>(work: F) -> StorageResult<T>
where
    F: FnOnce() -> StorageResult<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        StorageError::new(StorageErrorKind::Unexpected, "a file-system task failed").with_source(e)
    })?
}

/// A temp file that is removed unless it was renamed into place.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    /// A fresh, unique path in `tmp_root` (not created yet).
    fn new_path(tmp_root: &Path) -> PathBuf {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        tmp_root.join(format!("{}-{n}-{nanos:09}.tmp", std::process::id()))
    }

    /// Creates a new temp file (never an existing one) and opens it for writing.
    async fn create(tmp_root: &Path) -> StorageResult<(TempFile, tokio::fs::File)> {
        let path = Self::new_path(tmp_root);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| StorageError::io(format!("cannot create {}", path.display()), e))?;
        Ok((TempFile { path, armed: true }, file))
    }

    /// Removes the file now (the error path: leave nothing behind before answering).
    pub async fn discard(mut self) {
        self.armed = false;
        if let Err(e) = tokio::fs::remove_file(&self.path).await {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a temp file");
        }
    }

    /// Removes the file if it was not renamed into place (for blocking contexts).
    fn discard_blocking(&mut self) {
        if self.armed {
            self.armed = false;
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Renames the file onto `target`; on failure the temp file stays armed.
    fn rename_onto(&mut self, target: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, target)?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Only reached when a write was cancelled midway (or failed in a blocking task):
        // error paths in async code call `discard` so the removal is done on return.
        if self.armed {
            let path = std::mem::take(&mut self.path);
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn_blocking(move || std::fs::remove_file(path));
                }
                Err(_) => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

/// A payload fully written to a synced temp file.
#[derive(Debug)]
pub(crate) struct Written {
    /// The temp file.
    pub temp: TempFile,
    /// Its stamp (kept by the rename).
    pub stamp: Stamp,
    /// Upper-case hex MD5.
    pub etag: String,
    /// CRC-64/XZ.
    pub crc64: u64,
}

/// Streams `stream` into a new temp file, checking that it yields exactly
/// `expected_len` bytes (when given). On any failure the temp file is removed.
pub(crate) async fn write_temp(
    layout: &Layout,
    stream: ByteStream,
    expected_len: Option<u64>,
) -> StorageResult<Written> {
    let (temp, mut file) = TempFile::create(&layout.tmp_root).await?;
    match fill(&mut file, stream, expected_len).await {
        Ok((etag, crc64)) => {
            let stamp = match file.metadata().await {
                Ok(m) => Stamp::of(&m),
                Err(e) => {
                    drop(file);
                    temp.discard().await;
                    return Err(StorageError::io("cannot stat the written temp file", e));
                }
            };
            Ok(Written {
                temp,
                stamp,
                etag,
                crc64,
            })
        }
        Err(e) => {
            drop(file);
            temp.discard().await;
            Err(e)
        }
    }
}

async fn fill(
    file: &mut tokio::fs::File,
    mut stream: ByteStream,
    expected_len: Option<u64>,
) -> StorageResult<(String, u64)> {
    let mut md5 = Md5::new();
    let mut crc = Crc64::new();
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk: Bytes = chunk?;
        written += chunk.len() as u64;
        if let Some(expected) = expected_len {
            if written > expected {
                return Err(StorageError::invalid_argument(format!(
                    "the payload yielded more than its stated length of {expected} bytes"
                )));
            }
        }
        md5.update(&chunk);
        crc.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|e| StorageError::io("cannot write the temp file", e))?;
    }
    if let Some(expected) = expected_len {
        if written != expected {
            return Err(StorageError::invalid_argument(format!(
                "the payload yielded {written} bytes but stated a length of {expected}"
            )));
        }
    }
    file.flush()
        .await
        .map_err(|e| StorageError::io("cannot flush the temp file", e))?;
    file.sync_all()
        .await
        .map_err(|e| StorageError::io("cannot sync the temp file", e))?;
    Ok((hex::encode_upper(md5.finalize()), crc.value()))
}

/// Writes `sidecar` to a synced temp file.
async fn write_sidecar_temp(layout: &Layout, sidecar: &Sidecar) -> StorageResult<TempFile> {
    let json = sidecar.to_json()?;
    let (temp, mut file) = TempFile::create(&layout.tmp_root).await?;
    let result = async {
        file.write_all(&json).await?;
        file.flush().await?;
        file.sync_all().await
    }
    .await;
    drop(file);
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            temp.discard().await;
            Err(StorageError::io("cannot write the sidecar", e))
        }
    }
}

/// Moves a written object and its sidecar into place under `segments`: the object file
/// first, then the sidecar (a reader in between sees a sidecar whose stamp does not
/// match and waits for the new one).
pub(crate) async fn commit(
    layout: &Layout,
    segments: Vec<String>,
    written: Written,
    sidecar: Sidecar,
) -> StorageResult<()> {
    let sidecar_temp = match write_sidecar_temp(layout, &sidecar).await {
        Ok(t) => t,
        Err(e) => {
            written.temp.discard().await;
            return Err(e);
        }
    };
    let layout = layout.clone();
    let mut object_temp = written.temp;
    let mut sidecar_temp = sidecar_temp;
    blocking(move || {
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let result = rename_into(&layout.root, &segs, &mut object_temp, false).and_then(|target| {
            sync_parent(&target);
            let meta_target = rename_into(&layout.meta_root, &segs, &mut sidecar_temp, true)?;
            sync_parent(&meta_target);
            Ok(())
        });
        // Whatever was not moved into place goes now, before the caller hears back.
        object_temp.discard_blocking();
        sidecar_temp.discard_blocking();
        result
    })
    .await
}

/// Prepares the target path and renames `temp` onto it, retrying when a concurrent
/// delete pruned a just-created parent folder.
fn rename_into(
    base: &Path,
    segments: &[&str],
    temp: &mut TempFile,
    sidecar: bool,
) -> StorageResult<PathBuf> {
    let mut attempts = 0;
    loop {
        let target = if sidecar {
            prepare_sidecar(base, segments)?
        } else {
            prepare_file(base, segments)?
        };
        match temp.rename_onto(&target) {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 3 => attempts += 1,
            Err(e) => {
                return Err(StorageError::io(
                    format!("cannot move the new version into {}", target.display()),
                    e,
                ))
            }
        }
    }
}

/// Makes a rename durable by syncing the folder that holds the new name (Unix only;
/// best effort).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        if let Ok(dir) = std::fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Removes temp files older than an hour, left by a crash (a younger one may belong to
/// a write in progress in another process sharing the folder).
pub(crate) fn sweep_stale_temp_files(tmp_root: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp_root) else {
        return;
    };
    let cutoff = SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .is_some_and(|t| t < cutoff);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
