//! [`Index`]: buckets, objects and multipart uploads kept in memory, in front of a blob
//! backend (memory, or a folder that also keeps the index durably), and the steps
//! that change them.
//!
//! Every change is made on disk first and in memory after, and only as far as the disk
//! shows it: memory never holds what a restart would not find, and a change that
//! became visible on disk is never missing from memory, even when the step failed
//! (the backend says whether it was applied). A commit is checked against its
//! [`Expect`] precondition under a striped per-key lock, so commits on one key are
//! serialized and different keys commit in parallel. A step that is awaited by a
//! request can be cancelled with it; `Store` runs them where they cannot be.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use super::blob::ByteStream;
use super::error::StoreError;
use super::folder::FolderBackend;
use super::layout::FolderError;
use super::memory::{MemoryBackend, MemoryStaging};
use super::metadata::{now_secs, ObjectMeta, PartMeta, UploadMeta, UploadState};
use super::staging::Staging;

/// What must hold for a commit to go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Nothing: replace whatever is there.
    Any,
    /// The key must not exist (`x-oss-forbid-overwrite: true`).
    Absent,
    /// The key must still hold exactly this blob (`None`: must not exist). Used by append.
    Blob(Option<String>),
}

/// One bucket's index.
#[derive(Debug)]
struct BucketState {
    created: u64,
    objects: RwLock<BTreeMap<String, ObjectMeta>>,
    uploads: RwLock<BTreeMap<String, UploadState>>,
}

/// The backend holding bytes (and, for folders, the durable index).
#[derive(Debug)]
enum Backend {
    Memory(MemoryBackend),
    Folder(FolderBackend),
}

/// Number of lock stripes serializing commits per key.
const STRIPES: usize = 64;

/// The index: buckets, objects, uploads, and the backend behind them.
#[derive(Debug)]
pub struct Index {
    backend: Backend,
    buckets: RwLock<BTreeMap<String, Arc<BucketState>>>,
    stripes: Vec<tokio::sync::Mutex<()>>,
}

impl Index {
    fn with_backend(backend: Backend) -> Self {
        Index {
            backend,
            buckets: RwLock::new(BTreeMap::new()),
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }

    /// An empty in-memory index.
    pub fn memory() -> Self {
        Index::with_backend(Backend::Memory(MemoryBackend::default()))
    }

    /// A folder index on `root`, loading what an earlier server left there.
    pub async fn open_folder(root: PathBuf) -> Result<Self, StoreError> {
        let (backend, loaded) = FolderBackend::load(root).await?;
        let index = Index::with_backend(Backend::Folder(backend));
        {
            let mut buckets = index.buckets_write();
            for bucket in loaded {
                let uploads = bucket
                    .uploads
                    .into_iter()
                    .map(|u| (u.meta.upload_id.clone(), u))
                    .collect();
                buckets.insert(
                    bucket.name,
                    Arc::new(BucketState {
                        created: bucket.created,
                        objects: RwLock::new(bucket.objects),
                        uploads: RwLock::new(uploads),
                    }),
                );
            }
        }
        Ok(index)
    }

    /// The folder backend, if the index is kept in a folder (the memory backend has no
    /// durable steps).
    fn folder(&self) -> Option<&FolderBackend> {
        match &self.backend {
            Backend::Memory(_) => None,
            Backend::Folder(folder) => Some(folder),
        }
    }

    fn buckets_read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<BucketState>>> {
        self.buckets.read().unwrap_or_else(|e| e.into_inner())
    }

    fn buckets_write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<BucketState>>> {
        self.buckets.write().unwrap_or_else(|e| e.into_inner())
    }

    fn bucket(&self, name: &str) -> Result<Arc<BucketState>, StoreError> {
        self.buckets_read()
            .get(name)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchBucket(name.to_owned()))
    }

    fn stripe(&self, bucket: &str, key: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bucket.hash(&mut hasher);
        key.hash(&mut hasher);
        &self.stripes[(hasher.finish() % STRIPES as u64) as usize]
    }

    /// Creates a bucket if missing. Returns false if it already existed.
    pub async fn create_bucket(&self, name: &str) -> Result<bool, StoreError> {
        if self.buckets_read().contains_key(name) {
            return Ok(false);
        }
        let created = now_secs();
        if let Backend::Folder(folder) = &self.backend {
            folder.create_bucket(name, created).await?;
        }
        let mut buckets = self.buckets_write();
        if buckets.contains_key(name) {
            return Ok(false);
        }
        buckets.insert(
            name.to_owned(),
            Arc::new(BucketState {
                created,
                objects: RwLock::new(BTreeMap::new()),
                uploads: RwLock::new(BTreeMap::new()),
            }),
        );
        Ok(true)
    }

    /// Deletes an empty bucket.
    pub async fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let bucket = self.bucket(name)?;
        let empty = read(&bucket.objects).is_empty() && read(&bucket.uploads).is_empty();
        if !empty {
            return Err(StoreError::BucketNotEmpty(name.to_owned()));
        }
        let removed = match self.folder() {
            Some(folder) => folder.remove_bucket(name).await,
            None => Ok(()),
        };
        if applied(&removed) {
            self.buckets_write().remove(name);
        }
        removed.map_err(StoreError::from)
    }

    /// All buckets with their creation times, sorted by name.
    pub fn buckets(&self) -> Vec<(String, u64)> {
        self.buckets_read()
            .iter()
            .map(|(name, state)| (name.clone(), state.created))
            .collect()
    }

    /// The creation time of a bucket.
    pub fn bucket_created(&self, name: &str) -> Result<u64, StoreError> {
        Ok(self.bucket(name)?.created)
    }

    /// The metadata of one object.
    pub fn head(&self, bucket: &str, key: &str) -> Result<ObjectMeta, StoreError> {
        let state = self.bucket(bucket)?;
        let objects = read(&state.objects);
        objects
            .get(key)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchKey(key.to_owned()))
    }

    /// Runs `f` over the bucket's objects, sorted by key, under a read lock.
    pub fn with_objects<R>(
        &self,
        bucket: &str,
        f: impl FnOnce(&BTreeMap<String, ObjectMeta>) -> R,
    ) -> Result<R, StoreError> {
        let state = self.bucket(bucket)?;
        let objects = read(&state.objects);
        Ok(f(&objects))
    }

    /// Starts receiving bytes for `bucket`.
    pub async fn staging(&self, bucket: &str) -> Result<Staging, StoreError> {
        self.bucket(bucket)?;
        match &self.backend {
            Backend::Memory(_) => Ok(Staging::Memory(MemoryStaging::default())),
            Backend::Folder(folder) => Ok(Staging::Folder(folder.staging(bucket).await?)),
        }
    }

    /// Makes staged bytes a blob of `bucket` and returns its id.
    pub async fn finish(&self, bucket: &str, staging: Staging) -> Result<String, StoreError> {
        match (&self.backend, staging) {
            (Backend::Memory(memory), Staging::Memory(staging)) => {
                Ok(memory.finish(bucket, staging))
            }
            (Backend::Folder(folder), Staging::Folder(staging)) => folder.finish(staging).await,
            _ => Err(StoreError::io(
                "finish staging",
                io::Error::new(io::ErrorKind::InvalidInput, "staging of another store"),
            )),
        }
    }

    /// Streams a blob, or the inclusive byte range `range` of it.
    pub async fn open_blob(
        &self,
        bucket: &str,
        blob: &str,
        range: Option<(u64, u64)>,
    ) -> Result<ByteStream, StoreError> {
        match &self.backend {
            Backend::Memory(memory) => memory.open(bucket, blob, range),
            Backend::Folder(folder) => folder.open(bucket, blob, range).await,
        }
    }

    /// Deletes a blob that no object or part refers to any more.
    async fn delete_blob(&self, bucket: &str, blob: &str) {
        match &self.backend {
            Backend::Memory(memory) => memory.delete(bucket, blob),
            Backend::Folder(folder) => folder.delete_blob(bucket, blob).await,
        }
    }

    /// Makes `meta` (whose blob is finished) the object at `meta.key`, if `expect`
    /// holds; otherwise deletes the blob and fails with [`StoreError::Conflict`].
    /// Returns the replaced object, if any.
    pub async fn commit_object(
        &self,
        bucket: &str,
        meta: ObjectMeta,
        expect: Expect,
    ) -> Result<Option<ObjectMeta>, StoreError> {
        let state = match self.bucket(bucket) {
            Ok(state) => state,
            Err(err) => {
                self.delete_blob(bucket, &meta.blob).await;
                return Err(err);
            }
        };
        let _guard = self.stripe(bucket, &meta.key).lock().await;
        let current_blob = read(&state.objects).get(&meta.key).map(|m| m.blob.clone());
        let holds = match &expect {
            Expect::Any => true,
            Expect::Absent => current_blob.is_none(),
            Expect::Blob(blob) => &current_blob == blob,
        };
        if !holds {
            self.delete_blob(bucket, &meta.blob).await;
            return Err(StoreError::Conflict(meta.key));
        }
        let written = match self.folder() {
            Some(folder) => folder.write_object_meta(bucket, &meta).await,
            None => Ok(()),
        };
        let written = match written {
            Err(err) if !err.applied => {
                self.delete_blob(bucket, &meta.blob).await;
                return Err(err.error);
            }
            other => other,
        };
        let old = write(&state.objects).insert(meta.key.clone(), meta.clone());
        // The old bytes go only once the switch is durable: after a failed sync, the old
        // metadata may be what a restart finds (the blob is collected then if unused).
        if let (Ok(()), Some(old)) = (&written, &old) {
            if old.blob != meta.blob {
                self.delete_blob(bucket, &old.blob).await;
            }
        }
        written.map(|()| old).map_err(StoreError::from)
    }

    /// Makes `staging` a blob and commits `meta` (its `blob` field is set here) in one
    /// step; see [`Index::commit_object`].
    pub async fn commit_staged(
        &self,
        bucket: &str,
        staging: Staging,
        mut meta: ObjectMeta,
        expect: Expect,
    ) -> Result<Option<ObjectMeta>, StoreError> {
        meta.blob = self.finish(bucket, staging).await?;
        self.commit_object(bucket, meta, expect).await
    }

    /// Deletes an object. Returns whether it existed.
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        let state = self.bucket(bucket)?;
        let _guard = self.stripe(bucket, key).lock().await;
        if !read(&state.objects).contains_key(key) {
            return Ok(false);
        }
        let removed = match self.folder() {
            Some(folder) => folder.remove_object_meta(bucket, key).await,
            None => Ok(()),
        };
        let removed = match removed {
            Err(err) if !err.applied => return Err(err.error),
            other => other,
        };
        let old = write(&state.objects).remove(key);
        if let (Ok(()), Some(old)) = (&removed, old) {
            self.delete_blob(bucket, &old.blob).await;
        }
        removed.map(|()| true).map_err(StoreError::from)
    }

    /// Registers a new multipart upload.
    pub async fn create_upload(&self, bucket: &str, meta: UploadMeta) -> Result<(), StoreError> {
        let state = self.bucket(bucket)?;
        let written = match self.folder() {
            Some(folder) => folder.write_upload(bucket, &meta).await,
            None => Ok(()),
        };
        if applied(&written) {
            write(&state.uploads).insert(
                meta.upload_id.clone(),
                UploadState {
                    meta,
                    parts: BTreeMap::new(),
                },
            );
        }
        written.map_err(StoreError::from)
    }

    /// An upload and its parts.
    pub fn upload(&self, bucket: &str, upload_id: &str) -> Result<UploadState, StoreError> {
        let state = self.bucket(bucket)?;
        let uploads = read(&state.uploads);
        uploads
            .get(upload_id)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchUpload(upload_id.to_owned()))
    }

    /// All uploads of a bucket (metadata only), sorted by key then upload id.
    pub fn uploads(&self, bucket: &str) -> Result<Vec<UploadMeta>, StoreError> {
        let state = self.bucket(bucket)?;
        let uploads = read(&state.uploads);
        let mut all: Vec<UploadMeta> = uploads.values().map(|u| u.meta.clone()).collect();
        all.sort_by(|a, b| (&a.key, &a.upload_id).cmp(&(&b.key, &b.upload_id)));
        Ok(all)
    }

    /// Records an uploaded part (whose blob is finished), replacing one with the same number.
    pub async fn commit_part(
        &self,
        bucket: &str,
        upload_id: &str,
        part: PartMeta,
    ) -> Result<(), StoreError> {
        let state = self.bucket(bucket)?;
        let _guard = self.stripe(bucket, upload_id).lock().await;
        if !read(&state.uploads).contains_key(upload_id) {
            self.delete_blob(bucket, &part.blob).await;
            return Err(StoreError::NoSuchUpload(upload_id.to_owned()));
        }
        let written = match self.folder() {
            Some(folder) => folder.write_part(bucket, upload_id, &part).await,
            None => Ok(()),
        };
        let written = match written {
            Err(err) if !err.applied => {
                self.delete_blob(bucket, &part.blob).await;
                return Err(err.error);
            }
            other => other,
        };
        let old = {
            let mut uploads = write(&state.uploads);
            match uploads.get_mut(upload_id) {
                Some(upload) => upload.parts.insert(part.number, part),
                None => None,
            }
        };
        if let (Ok(()), Some(old)) = (&written, old) {
            self.delete_blob(bucket, &old.blob).await;
        }
        written.map_err(StoreError::from)
    }

    /// Makes `staging` a blob and records `part` (its `blob` field is set here) in one
    /// step; see [`Index::commit_part`].
    pub async fn commit_staged_part(
        &self,
        bucket: &str,
        upload_id: &str,
        staging: Staging,
        mut part: PartMeta,
    ) -> Result<(), StoreError> {
        part.blob = self.finish(bucket, staging).await?;
        self.commit_part(bucket, upload_id, part).await
    }

    /// Removes an upload and the bytes of its parts (abort, or after complete).
    pub async fn remove_upload(&self, bucket: &str, upload_id: &str) -> Result<(), StoreError> {
        let state = self.bucket(bucket)?;
        let _guard = self.stripe(bucket, upload_id).lock().await;
        if !read(&state.uploads).contains_key(upload_id) {
            return Err(StoreError::NoSuchUpload(upload_id.to_owned()));
        }
        let removed = match self.folder() {
            Some(folder) => folder.remove_upload(bucket, upload_id).await,
            None => Ok(()),
        };
        let removed = match removed {
            Err(err) if !err.applied => return Err(err.error),
            other => other,
        };
        let gone = write(&state.uploads).remove(upload_id);
        if let (Ok(()), Some(gone)) = (&removed, gone) {
            for part in gone.parts.values() {
                self.delete_blob(bucket, &part.blob).await;
            }
        }
        removed.map_err(StoreError::from)
    }

    /// Completes a multipart upload in one step: makes `staging` (the parts' bytes, in
    /// order) the blob of `meta`, commits it if `expect` holds, then removes the upload.
    pub async fn complete_upload(
        &self,
        bucket: &str,
        upload_id: &str,
        staging: Staging,
        meta: ObjectMeta,
        expect: Expect,
    ) -> Result<(), StoreError> {
        self.commit_staged(bucket, staging, meta, expect).await?;
        match self.remove_upload(bucket, upload_id).await {
            Ok(()) | Err(StoreError::NoSuchUpload(_)) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// Whether a step's change is visible on disk (it succeeded, or failed after being
/// made): memory must then follow it.
fn applied(result: &Result<(), FolderError>) -> bool {
    match result {
        Ok(()) => true,
        Err(err) => err.applied,
    }
}

/// Reads a lock, recovering from poisoning (the data is plain and stays consistent).
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

/// Writes a lock, recovering from poisoning.
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}
