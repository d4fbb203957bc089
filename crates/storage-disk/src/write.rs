//! Atomic, crash-safe writes: a payload is streamed into a temp file under
//! `.jitstore/tmp` (same file system as the objects) while its length, MD5 and CRC-64/XZ
//! are computed, then synced; its sidecar is written and synced the same way; then the
//! sidecar is renamed into place (still describing the version it replaces, as
//! `previous`), then the object. A reader never sees a half-written file, and a crash at
//! any point leaves the old object or the new one, whole and described.
//!
//! Every temp file is locked (`flock`) by its writer for as long as it exists, so the
//! sweep a storage makes when it opens removes exactly the temp files whose writer is
//! gone (a crash, a kill), never one a live writer (in this process or another) holds.
//! Where advisory locks are missing (off Unix), only temp files older than an hour are
//! swept.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::StreamExt;
use jit_storage::{ByteStream, StorageError, StorageErrorKind, StorageResult};
use jit_wire::crc64::Crc64;
use md5::{Digest, Md5};
use tokio::io::AsyncWriteExt;

use crate::dir_handle::{file_meta, link_count, lock, try_lock, DirHandle, Kind};
use crate::meta_file::{read_sidecar, Sidecar, Stamp};
use crate::paths::{find_file, prepare_file, prepare_sidecar, Layout};

/// Makes temp names unique within the process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Commits to the same key in this process run one at a time (striped by key hash), so
/// the sidecar each writes names the version it really replaces.
static COMMIT_LOCKS: [Mutex<()>; 64] = [const { Mutex::new(()) }; 64];

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

/// A locked temp file, removed unless it was renamed into place.
#[derive(Debug)]
pub(crate) struct TempFile {
    /// The temp folder, open for as long as the write lasts (and no longer).
    dir: Arc<DirHandle>,
    name: String,
    /// The open file: it holds the lock that tells the sweep a writer is alive.
    file: Option<std::fs::File>,
    armed: bool,
}

impl TempFile {
    /// A fresh, unique name (not created yet).
    fn new_name() -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}-{nanos:09}.tmp", std::process::id())
    }

    /// Creates a new temp file in `dir` (never an existing one, never through a link),
    /// opens it for writing and locks it (blocking).
    fn create(dir: &Arc<DirHandle>) -> StorageResult<TempFile> {
        for _ in 0..3 {
            let name = Self::new_name();
            let file = dir.create_new(&name).map_err(|e| {
                StorageError::io(format!("cannot create {}", dir.shown(&name).display()), e)
            })?;
            let mut temp = TempFile {
                dir: dir.clone(),
                name,
                file: None,
                armed: true,
            };
            lock(&file).map_err(|e| StorageError::io("cannot lock a temp file", e))?;
            // A sweep that locked it first (taking it for a dead writer's) removed it:
            // start again under a new name.
            if link_count(&file).map_err(|e| StorageError::io("cannot stat a temp file", e))? == 0 {
                temp.armed = false;
                continue;
            }
            temp.file = Some(file);
            return Ok(temp);
        }
        Err(StorageError::new(
            StorageErrorKind::Conflict,
            "temp files kept being swept away while being created",
        ))
    }

    /// Removes the file now (the error path: leave nothing behind before answering).
    pub async fn discard(mut self) {
        self.armed = false;
        let dir = self.dir.clone();
        let name = std::mem::take(&mut self.name);
        let file = self.file.take();
        let _ = tokio::task::spawn_blocking(move || {
            if let Err(e) = dir.remove_file(&name) {
                tracing::warn!(path = %dir.shown(&name).display(), error = %e, "cannot remove a temp file");
            }
            drop(file);
        })
        .await;
    }

    /// Removes the file if it was not renamed into place (for blocking contexts).
    fn discard_blocking(&mut self) {
        if self.armed {
            self.armed = false;
            let _ = self.dir.remove_file(&self.name);
        }
        self.file = None;
    }

    /// Renames the file onto `name` in `to`; on failure the temp file stays armed.
    fn rename_onto(&mut self, to: &DirHandle, name: &str) -> std::io::Result<()> {
        self.dir.rename(&self.name, to, name)?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Only reached when a write was cancelled midway (or failed in a blocking task):
        // error paths in async code call `discard` so the removal is done on return.
        if self.armed {
            self.armed = false;
            let dir = self.dir.clone();
            let name = std::mem::take(&mut self.name);
            let file = self.file.take();
            let remove = move || {
                let _ = dir.remove_file(&name);
                drop(file);
            };
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn_blocking(remove);
                }
                Err(_) => remove(),
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
    let layout = layout.clone();
    let mut temp = blocking(move || {
        let tmp_dir = layout.tmp_dir(&layout.root_dir()?)?;
        TempFile::create(&Arc::new(tmp_dir))
    })
    .await?;
    let Some(std_file) = temp.file.take() else {
        temp.discard().await;
        return Err(StorageError::new(
            StorageErrorKind::Unexpected,
            "a temp file has no open handle",
        ));
    };
    let mut file = tokio::fs::File::from_std(std_file);
    match fill(&mut file, stream, expected_len).await {
        Ok((etag, crc64)) => {
            let std_file = file.into_std().await;
            let stamp = match file_meta(&std_file) {
                Ok(m) => Stamp::of(&m),
                Err(e) => {
                    temp.file = Some(std_file);
                    temp.discard().await;
                    return Err(StorageError::io("cannot stat the written temp file", e));
                }
            };
            // Keep it open (and locked) until it is renamed into place.
            temp.file = Some(std_file);
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
        written = written.saturating_add(chunk.len() as u64);
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

/// Writes `sidecar` to a synced, locked temp file in `tmp_dir` (blocking).
fn write_sidecar_temp(tmp_dir: &Arc<DirHandle>, sidecar: &Sidecar) -> StorageResult<TempFile> {
    let json = sidecar.to_json()?;
    let mut temp = TempFile::create(tmp_dir)?;
    let result = match temp.file.as_mut() {
        Some(file) => file.write_all(&json).and_then(|()| file.sync_all()),
        None => Ok(()),
    };
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            temp.discard_blocking();
            Err(StorageError::io("cannot write the sidecar", e))
        }
    }
}

fn commit_lock(segments: &[String]) -> std::sync::MutexGuard<'static, ()> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    segments.hash(&mut hasher);
    let stripe = (hasher.finish() % COMMIT_LOCKS.len() as u64) as usize;
    COMMIT_LOCKS[stripe]
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Moves a written object and its sidecar into place under `segments`: the sidecar
/// first, carrying the description of the version it replaces, then the object file. A
/// reader (or a crash) in between finds the old object, still described.
pub(crate) async fn commit(
    layout: &Layout,
    segments: Vec<String>,
    written: Written,
    mut sidecar: Sidecar,
) -> StorageResult<()> {
    let layout = layout.clone();
    let mut object_temp = written.temp;
    blocking(move || {
        let _serialized = commit_lock(&segments);
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let result = (|| {
            let root = layout.root_dir()?;
            let meta_dir = layout.meta_dir(&root)?;
            sidecar.previous = current_description(&root, &meta_dir, &segs)?.map(Box::new);
            let mut sidecar_temp = write_sidecar_temp(&object_temp.dir, &sidecar)?;
            let placed = place(&root, &meta_dir, &segs, &mut object_temp, &mut sidecar_temp);
            sidecar_temp.discard_blocking();
            placed
        })();
        // Whatever was not moved into place goes now, before the caller hears back.
        object_temp.discard_blocking();
        result
    })
    .await
}

/// The sidecar entry describing the object file now at `segments`, if any.
fn current_description(
    root: &DirHandle,
    meta_dir: &DirHandle,
    segments: &[&str],
) -> StorageResult<Option<Sidecar>> {
    let Some((_, meta)) = find_file(root, segments)? else {
        return Ok(None);
    };
    let stamp = Stamp::of(&meta);
    Ok(read_sidecar(meta_dir, segments)?.and_then(|s| s.entry_for(stamp)))
}

/// Renames the sidecar, then the object, into place, retrying when a concurrent delete
/// pruned a just-created parent folder. The object's place is checked (Conflict, links)
/// before the sidecar moves.
fn place(
    root: &DirHandle,
    meta_root: &DirHandle,
    segments: &[&str],
    object: &mut TempFile,
    sidecar: &mut TempFile,
) -> StorageResult<()> {
    let last = segments.last().copied().unwrap_or_default();
    let mut attempts = 0;
    loop {
        let object_dir = prepare_file(root, segments)?;
        if sidecar.armed {
            let meta_dir = prepare_sidecar(meta_root, segments)?;
            match sidecar.rename_onto(&meta_dir, last) {
                Ok(()) => meta_dir.sync(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 3 => {
                    attempts += 1;
                    continue;
                }
                Err(e) => {
                    return Err(StorageError::io(
                        "cannot move the new sidecar into place",
                        e,
                    ))
                }
            }
        }
        match object.rename_onto(&object_dir, last) {
            Ok(()) => {
                object_dir.sync();
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 3 => attempts += 1,
            Err(e) => {
                return Err(StorageError::io(
                    format!(
                        "cannot move the new version into {}",
                        object_dir.shown(last).display()
                    ),
                    e,
                ))
            }
        }
    }
}

/// Removes the temp files whose writer is gone: those nobody holds a lock on (or, where
/// there are no locks, those older than an hour). Best effort.
pub(crate) fn sweep_stale_temp_files(tmp_dir: &DirHandle) -> usize {
    let Ok(names) = tmp_dir.names() else {
        return 0;
    };
    let cutoff = SystemTime::now() - Duration::from_secs(3600);
    let mut swept = 0;
    for name in names {
        let Some(name) = name.to_str() else {
            continue;
        };
        let Ok(file) = tmp_dir.open_file(name) else {
            continue;
        };
        let Ok(meta) = file_meta(&file) else {
            continue;
        };
        if meta.kind != Kind::File {
            continue;
        }
        let writer_gone = try_lock(&file).unwrap_or(false);
        let old = Stamp::of(&meta).modified() < cutoff;
        if (writer_gone || (cfg!(not(unix)) && old)) && tmp_dir.remove_file(name).is_ok() {
            swept += 1;
        }
    }
    swept
}
