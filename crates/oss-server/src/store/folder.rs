//! Folder blob backend: everything durable under one root directory.
//!
//! Layout, per bucket (bucket names are `[a-z0-9-]`, so safe as directory names):
//!
//! ```text
//! <root>/<bucket>/bucket.json               creation time
//! <root>/<bucket>/objects/<sha256(key)>.json  ObjectMeta (holds the key and blob id)
//! <root>/<bucket>/blobs/<blob id>           object and part bytes
//! <root>/<bucket>/uploads/<id>/upload.json  a multipart upload
//! <root>/<bucket>/uploads/<id>/part-<n>.json  one of its parts
//! <root>/<bucket>/tmp/                      staging files, emptied at start
//! ```
//!
//! Keys never become paths: metadata files are named by the SHA-256 of the key, and
//! blob ids are random hex chosen here, so no key can escape the root. Every file is
//! written to `tmp/`, fsynced and renamed into place, then the directory is fsynced:
//! a crash leaves the old or the new version, never half of one. An object switches to
//! new bytes when its metadata file is renamed; blobs nobody refers to (left by a crash
//! between the two renames) are deleted when the store is opened.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::blob::{random_id, ByteStream};
use super::error::StoreError;
use super::metadata::{ObjectMeta, PartMeta, UploadMeta, UploadState};

/// Buffer size for streaming blobs out.
const READ_CHUNK: usize = 64 * 1024;

/// The folder backend.
#[derive(Debug)]
pub struct FolderBackend {
    root: PathBuf,
}

/// A bucket as found on disk when opening.
#[derive(Debug)]
pub struct LoadedBucket {
    /// Bucket name.
    pub name: String,
    /// Creation time, Unix seconds.
    pub created: u64,
    /// Its objects by key.
    pub objects: BTreeMap<String, ObjectMeta>,
    /// Its multipart uploads.
    pub uploads: Vec<UploadState>,
}

/// A temporary file receiving bytes; removed if dropped before [`FolderBackend::finish`].
#[derive(Debug)]
pub struct FolderStaging {
    file: tokio::fs::File,
    path: Option<PathBuf>,
    blobs_dir: PathBuf,
}

impl FolderStaging {
    /// Appends a chunk.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| StoreError::io("write staging file", e))
    }
}

impl FolderStaging {
    /// Closes and removes the temporary file.
    pub async fn discard(mut self) {
        if let Some(path) = self.path.take() {
            let _ = self.file.flush().await;
            if let Err(err) = tokio::fs::remove_file(&path).await {
                tracing::warn!(path = %path.display(), %err, "could not remove staging file");
            }
        }
    }
}

impl Drop for FolderStaging {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move {
                    let _ = tokio::fs::remove_file(path).await;
                });
            }
        }
    }
}

/// Whether `s` is a name we created (random hex) and so safe as a file name.
fn is_hex_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` can be a bucket directory name.
pub fn is_bucket_dir_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The metadata file name of a key.
fn meta_file_name(key: &str) -> String {
    format!("{}.json", hex::encode(Sha256::digest(key.as_bytes())))
}

/// Writes `bytes` to `target` through a fsynced temporary file in `tmp_dir` and a rename,
/// then fsyncs the target's directory. Blocking: call inside `spawn_blocking`.
fn atomic_write_blocking(tmp_dir: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = tmp_dir.join(format!("{}.tmp", random_id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)?;
        sync_dir(target.parent().unwrap_or(tmp_dir))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Fsyncs a directory so that renames into it are durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Runs blocking file work off the async runtime.
async fn blocking<T: Send + 'static>(
    context: String,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| StoreError::io(context, e)),
        Err(join) => Err(StoreError::io(context, io::Error::other(join.to_string()))),
    }
}

impl FolderBackend {
    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join(bucket)
    }

    /// Opens (creating if needed) the root and loads every bucket in it.
    pub async fn load(root: PathBuf) -> Result<(Self, Vec<LoadedBucket>), StoreError> {
        let load_root = root.clone();
        let loaded = match tokio::task::spawn_blocking(move || load_root_blocking(&load_root)).await
        {
            Ok(result) => result?,
            Err(join) => {
                return Err(StoreError::io(
                    "load store",
                    io::Error::other(join.to_string()),
                ))
            }
        };
        Ok((FolderBackend { root }, loaded))
    }

    /// Creates a bucket's directories and its `bucket.json`.
    pub async fn create_bucket(&self, bucket: &str, created: u64) -> Result<(), StoreError> {
        if !is_bucket_dir_name(bucket) {
            return Err(StoreError::io(
                format!("create bucket {bucket}"),
                io::Error::new(io::ErrorKind::InvalidInput, "invalid bucket name"),
            ));
        }
        let dir = self.bucket_dir(bucket);
        let info = serde_json::to_vec(&serde_json::json!({ "created": created }))
            .map_err(|e| StoreError::io("encode bucket.json", io::Error::other(e)))?;
        blocking(format!("create bucket {bucket}"), move || {
            for sub in ["objects", "blobs", "uploads", "tmp"] {
                std::fs::create_dir_all(dir.join(sub))?;
            }
            atomic_write_blocking(&dir.join("tmp"), &dir.join("bucket.json"), &info)?;
            sync_dir(dir.parent().unwrap_or(&dir))
        })
        .await
    }

    /// Deletes a bucket's directory tree.
    pub async fn remove_bucket(&self, bucket: &str) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket);
        blocking(format!("remove bucket {bucket}"), move || {
            std::fs::remove_dir_all(dir)
        })
        .await
    }

    /// A new staging file in the bucket's `tmp/`.
    pub async fn staging(&self, bucket: &str) -> Result<FolderStaging, StoreError> {
        let dir = self.bucket_dir(bucket);
        let path = dir.join("tmp").join(format!("{}.part", random_id()));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| StoreError::io("create staging file", e))?;
        Ok(FolderStaging {
            file,
            path: Some(path),
            blobs_dir: dir.join("blobs"),
        })
    }

    /// Fsyncs the staging file and renames it into `blobs/`.
    pub async fn finish(&self, mut staging: FolderStaging) -> Result<String, StoreError> {
        staging
            .file
            .flush()
            .await
            .map_err(|e| StoreError::io("flush staging file", e))?;
        staging
            .file
            .sync_all()
            .await
            .map_err(|e| StoreError::io("sync staging file", e))?;
        let id = random_id();
        let target = staging.blobs_dir.join(&id);
        let Some(path) = staging.path.clone() else {
            return Err(StoreError::io(
                "finish staging",
                io::Error::other("staging already finished"),
            ));
        };
        tokio::fs::rename(&path, &target)
            .await
            .map_err(|e| StoreError::io("rename staging file", e))?;
        staging.path = None;
        Ok(id)
    }

    /// Streams a blob or an inclusive range of it from disk.
    pub async fn open(
        &self,
        bucket: &str,
        blob: &str,
        range: Option<(u64, u64)>,
    ) -> Result<ByteStream, StoreError> {
        if !is_hex_id(blob) {
            return Err(StoreError::io(
                format!("open blob {blob}"),
                io::Error::new(io::ErrorKind::InvalidInput, "bad blob id"),
            ));
        }
        let path = self.bucket_dir(bucket).join("blobs").join(blob);
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| StoreError::io(format!("open blob {blob}"), e))?;
        let stream = match range {
            None => tokio_util::io::ReaderStream::with_capacity(
                Box::new(file) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
                READ_CHUNK,
            ),
            Some((first, last)) => {
                file.seek(io::SeekFrom::Start(first))
                    .await
                    .map_err(|e| StoreError::io(format!("seek blob {blob}"), e))?;
                let len = last.saturating_sub(first).saturating_add(1);
                tokio_util::io::ReaderStream::with_capacity(
                    Box::new(file.take(len)) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
                    READ_CHUNK,
                )
            }
        };
        Ok(Box::pin(stream))
    }

    /// Deletes a blob file; a failure only leaves garbage, collected at the next open.
    pub async fn delete_blob(&self, bucket: &str, blob: &str) {
        if is_hex_id(blob) {
            let path = self.bucket_dir(bucket).join("blobs").join(blob);
            if let Err(err) = tokio::fs::remove_file(&path).await {
                tracing::warn!(path = %path.display(), %err, "could not delete blob");
            }
        }
    }

    /// Writes an object's metadata file atomically.
    pub async fn write_object_meta(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
    ) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket);
        let bytes = serde_json::to_vec(meta)
            .map_err(|e| StoreError::io("encode object metadata", io::Error::other(e)))?;
        let target = dir.join("objects").join(meta_file_name(&meta.key));
        blocking("write object metadata".to_owned(), move || {
            atomic_write_blocking(&dir.join("tmp"), &target, &bytes)
        })
        .await
    }

    /// Removes an object's metadata file.
    pub async fn remove_object_meta(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket).join("objects");
        let target = dir.join(meta_file_name(key));
        blocking(
            "remove object metadata".to_owned(),
            move || match std::fs::remove_file(&target) {
                Ok(()) => sync_dir(&dir),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            },
        )
        .await
    }

    /// Writes a new upload's directory and `upload.json`.
    pub async fn write_upload(&self, bucket: &str, meta: &UploadMeta) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket);
        let upload_dir = dir.join("uploads").join(&meta.upload_id);
        let bytes = serde_json::to_vec(meta)
            .map_err(|e| StoreError::io("encode upload", io::Error::other(e)))?;
        blocking("write upload".to_owned(), move || {
            std::fs::create_dir_all(&upload_dir)?;
            atomic_write_blocking(&dir.join("tmp"), &upload_dir.join("upload.json"), &bytes)
        })
        .await
    }

    /// Writes one part's metadata file.
    pub async fn write_part(
        &self,
        bucket: &str,
        upload_id: &str,
        part: &PartMeta,
    ) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket);
        let target = dir
            .join("uploads")
            .join(upload_id)
            .join(format!("part-{}.json", part.number));
        let bytes = serde_json::to_vec(part)
            .map_err(|e| StoreError::io("encode part", io::Error::other(e)))?;
        blocking("write part".to_owned(), move || {
            atomic_write_blocking(&dir.join("tmp"), &target, &bytes)
        })
        .await
    }

    /// Removes an upload's directory.
    pub async fn remove_upload(&self, bucket: &str, upload_id: &str) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket).join("uploads").join(upload_id);
        blocking(
            "remove upload".to_owned(),
            move || match std::fs::remove_dir_all(&dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        )
        .await
    }
}

/// Reads and parses a JSON file.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StoreError> {
    let bytes =
        std::fs::read(path).map_err(|e| StoreError::io(format!("read {}", path.display()), e))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// Lists a directory's entries, empty if it does not exist.
fn entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>, StoreError> {
    match std::fs::read_dir(dir) {
        Ok(iter) => iter
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| StoreError::io(format!("list {}", dir.display()), e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StoreError::io(format!("list {}", dir.display()), e)),
    }
}

/// Loads every bucket under `root`, cleaning staging leftovers and unreferenced blobs.
fn load_root_blocking(root: &Path) -> Result<Vec<LoadedBucket>, StoreError> {
    std::fs::create_dir_all(root)
        .map_err(|e| StoreError::io(format!("create root {}", root.display()), e))?;
    let mut buckets = Vec::new();
    for entry in entries(root)? {
        let name = entry.file_name().to_string_lossy().into_owned();
        let dir = entry.path();
        if !dir.is_dir() || !is_bucket_dir_name(&name) || !dir.join("bucket.json").is_file() {
            continue;
        }
        buckets.push(load_bucket_blocking(&name, &dir)?);
    }
    Ok(buckets)
}

/// Loads one bucket directory.
fn load_bucket_blocking(name: &str, dir: &Path) -> Result<LoadedBucket, StoreError> {
    let info: serde_json::Value = read_json(&dir.join("bucket.json"))?;
    let created = info.get("created").and_then(|v| v.as_u64()).unwrap_or(0);
    for sub in ["objects", "blobs", "uploads", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))
            .map_err(|e| StoreError::io(format!("create {sub} of {name}"), e))?;
    }
    for leftover in entries(&dir.join("tmp"))? {
        let _ = std::fs::remove_file(leftover.path());
    }
    let mut referenced = HashSet::new();
    let mut objects = BTreeMap::new();
    for entry in entries(&dir.join("objects"))? {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let meta: ObjectMeta = read_json(&path)?;
        if !is_hex_id(&meta.blob)
            || path.file_name().and_then(|n| n.to_str()) != Some(meta_file_name(&meta.key).as_str())
        {
            return Err(StoreError::Corrupt {
                path,
                detail: "metadata does not match its file name or blob id".to_owned(),
            });
        }
        referenced.insert(meta.blob.clone());
        objects.insert(meta.key.clone(), meta);
    }
    let mut uploads = Vec::new();
    for entry in entries(&dir.join("uploads"))? {
        let upload_dir = entry.path();
        let upload_file = upload_dir.join("upload.json");
        if !upload_file.is_file() {
            continue;
        }
        let meta: UploadMeta = read_json(&upload_file)?;
        let mut parts = BTreeMap::new();
        for part_entry in entries(&upload_dir)? {
            let file_name = part_entry.file_name().to_string_lossy().into_owned();
            if !file_name.starts_with("part-") {
                continue;
            }
            let part: PartMeta = read_json(&part_entry.path())?;
            if !is_hex_id(&part.blob) {
                return Err(StoreError::Corrupt {
                    path: part_entry.path(),
                    detail: "bad blob id".to_owned(),
                });
            }
            referenced.insert(part.blob.clone());
            parts.insert(part.number, part);
        }
        uploads.push(UploadState { meta, parts });
    }
    for blob in entries(&dir.join("blobs"))? {
        let id = blob.file_name().to_string_lossy().into_owned();
        if !referenced.contains(&id) {
            let _ = std::fs::remove_file(blob.path());
        }
    }
    Ok(LoadedBucket {
        name: name.to_owned(),
        created,
        objects,
        uploads,
    })
}
