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
//! blob ids are random hex chosen here, so no key can escape the root.
//!
//! Every change is one rename or one removal followed by a fsync of the directory it
//! happened in, so that what was acknowledged survives a crash or a power loss:
//! bytes are written to `tmp/`, fsynced, renamed into `blobs/` and `blobs/` is synced
//! *before* the metadata naming them is written (the same way: a fsynced temporary
//! file renamed into place, its directory synced). An object switches to new bytes
//! when its metadata file is renamed. A removed upload or bucket is first moved aside
//! in one rename, then deleted. Whatever an interrupted server leaves (temporary
//! files, blobs nobody refers to, things moved aside) is cleaned when the store is
//! opened (`folder_load`).
//!
//! A change that failed after it became visible (its directory could not be synced)
//! says so (`FolderError::applied`, in `layout`), so that the index in memory can
//! follow the disk.

use std::io;
use std::path::PathBuf;

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::blob::{random_id, ByteStream};
use super::error::StoreError;
use super::folder_load::{load_root, LoadedBucket};
use super::layout::{
    atomic_write_blocking, blocking, blocking_change, create_dir_blocking, is_bucket_dir_name,
    is_hex_id, meta_file_name, remove_file_blocking, rename_into_blocking, sync_dir, FolderError,
    TRASH_PREFIX,
};
use super::metadata::{ObjectMeta, PartMeta, UploadMeta};

/// Largest piece a blob is read and sent in: tokio's `File` reads at most 2 MiB per
/// trip to its blocking pool, and each trip costs a thread hand-over both ways, so
/// 64 KiB pieces (as before) spent more on trips than on reading. Smaller blobs and
/// ranges are read in one piece of their own size.
const READ_CHUNK: u64 = 2 * 1024 * 1024;

/// The folder backend.
#[derive(Debug)]
pub struct FolderBackend {
    root: PathBuf,
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

    /// Removes the temporary file now. If this is cut short, dropping the staging
    /// area still removes it.
    pub async fn discard(mut self) {
        if let Some(path) = &self.path {
            match tokio::fs::remove_file(path).await {
                Ok(()) => self.path = None,
                Err(err) => {
                    tracing::warn!(path = %path.display(), %err, "could not remove staging file")
                }
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

/// The read buffer for `len` bytes: [`READ_CHUNK`], or less for less (at least one
/// byte, so that the end of an empty blob can be read).
fn piece_size(len: u64) -> usize {
    // At most READ_CHUNK, so it fits in usize.
    len.clamp(1, READ_CHUNK) as usize
}

impl FolderBackend {
    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join(bucket)
    }

    /// Opens (creating if needed) the root and loads every bucket in it.
    pub async fn load(root: PathBuf) -> Result<(Self, Vec<LoadedBucket>), StoreError> {
        let load_root_dir = root.clone();
        let loaded = blocking("load store".to_owned(), move || {
            Ok(load_root(&load_root_dir))
        })
        .await??;
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
            // bucket.json last: a directory without it is not a bucket. Its rename
            // syncs the bucket directory, and with it the entries of the sub-folders.
            atomic_write_blocking(&dir.join("tmp"), &dir.join("bucket.json"), &info)
                .map_err(|(e, _)| e)?;
            sync_dir(dir.parent().unwrap_or(&dir))
        })
        .await
    }

    /// Deletes a bucket's directory tree: moved aside in one rename (a crash cannot
    /// leave half a bucket that a new one of the same name would inherit), then removed.
    pub async fn remove_bucket(&self, bucket: &str) -> Result<(), FolderError> {
        let dir = self.bucket_dir(bucket);
        let trash = self.root.join(format!("{TRASH_PREFIX}{}", random_id()));
        blocking_change(format!("remove bucket {bucket}"), move || {
            rename_into_blocking(&dir, &trash)?;
            let _ = std::fs::remove_dir_all(&trash);
            Ok(())
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

    /// Fsyncs the staging file, renames it into `blobs/` and syncs `blobs/`, so that
    /// the blob is durable before any metadata names it.
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
        let moved = blocking_change("move staging file into blobs".to_owned(), {
            let target = target.clone();
            move || rename_into_blocking(&path, &target)
        })
        .await;
        match moved {
            Ok(()) => {
                staging.path = None;
                Ok(id)
            }
            Err(err) => {
                if err.applied {
                    // In place but perhaps not durable: nobody may refer to it.
                    staging.path = None;
                    let _ = tokio::fs::remove_file(&target).await;
                }
                Err(err.error)
            }
        }
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
        // Opened and measured in one trip to the blocking pool.
        let (file, len) = blocking(format!("open blob {blob}"), move || {
            let file = std::fs::File::open(&path)?;
            let len = file.metadata()?.len();
            Ok((file, len))
        })
        .await?;
        let mut file = tokio::fs::File::from_std(file);
        let stream = match range {
            None => tokio_util::io::ReaderStream::with_capacity(
                Box::new(file) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
                piece_size(len),
            ),
            Some((first, last)) => {
                file.seek(io::SeekFrom::Start(first))
                    .await
                    .map_err(|e| StoreError::io(format!("seek blob {blob}"), e))?;
                let len = last.saturating_sub(first).saturating_add(1);
                tokio_util::io::ReaderStream::with_capacity(
                    Box::new(file.take(len)) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
                    piece_size(len),
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

    /// Writes an object's metadata file atomically and durably.
    pub async fn write_object_meta(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
    ) -> Result<(), FolderError> {
        let dir = self.bucket_dir(bucket);
        let bytes = serde_json::to_vec(meta).map_err(|e| {
            FolderError::not_applied(StoreError::io(
                "encode object metadata",
                io::Error::other(e),
            ))
        })?;
        let target = dir.join("objects").join(meta_file_name(&meta.key));
        blocking_change("write object metadata".to_owned(), move || {
            atomic_write_blocking(&dir.join("tmp"), &target, &bytes)
        })
        .await
    }

    /// Removes an object's metadata file durably.
    pub async fn remove_object_meta(&self, bucket: &str, key: &str) -> Result<(), FolderError> {
        let target = self
            .bucket_dir(bucket)
            .join("objects")
            .join(meta_file_name(key));
        blocking_change("remove object metadata".to_owned(), move || {
            remove_file_blocking(&target)
        })
        .await
    }

    /// Writes a new upload's directory and `upload.json`, both durably.
    pub async fn write_upload(&self, bucket: &str, meta: &UploadMeta) -> Result<(), FolderError> {
        let dir = self.bucket_dir(bucket);
        let upload_dir = dir.join("uploads").join(&meta.upload_id);
        let bytes = serde_json::to_vec(meta).map_err(|e| {
            FolderError::not_applied(StoreError::io("encode upload", io::Error::other(e)))
        })?;
        blocking_change("write upload".to_owned(), move || {
            // Without upload.json the directory is not an upload (removed at open).
            create_dir_blocking(&upload_dir).map_err(|e| (e, false))?;
            atomic_write_blocking(&dir.join("tmp"), &upload_dir.join("upload.json"), &bytes)
        })
        .await
    }

    /// Writes one part's metadata file atomically and durably.
    pub async fn write_part(
        &self,
        bucket: &str,
        upload_id: &str,
        part: &PartMeta,
    ) -> Result<(), FolderError> {
        let dir = self.bucket_dir(bucket);
        let target = dir
            .join("uploads")
            .join(upload_id)
            .join(format!("part-{}.json", part.number));
        let bytes = serde_json::to_vec(part).map_err(|e| {
            FolderError::not_applied(StoreError::io("encode part", io::Error::other(e)))
        })?;
        blocking_change("write part".to_owned(), move || {
            atomic_write_blocking(&dir.join("tmp"), &target, &bytes)
        })
        .await
    }

    /// Removes an upload: its directory is moved into `tmp/` in one durable rename (a
    /// crash cannot leave an upload with some of its parts), then deleted.
    pub async fn remove_upload(&self, bucket: &str, upload_id: &str) -> Result<(), FolderError> {
        let dir = self.bucket_dir(bucket);
        let upload_dir = dir.join("uploads").join(upload_id);
        let aside = dir.join("tmp").join(format!("{}.upload", random_id()));
        blocking_change("remove upload".to_owned(), move || {
            match rename_into_blocking(&upload_dir, &aside) {
                Err((e, false)) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                other => other?,
            }
            let _ = std::fs::remove_dir_all(&aside);
            Ok(())
        })
        .await
    }
}
