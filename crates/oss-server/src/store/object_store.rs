//! [`Store`]: the store the handlers use, a cheap handle on the index of buckets,
//! objects and uploads (`index`) that runs every change where a dropped request
//! cannot cut it short.
//!
//! Writes go in two steps: bytes are streamed into a [`Staging`] area (never visible;
//! dropping it, as a request dropped mid-body does, removes them), then one commit
//! makes them the object's content ([`Store::commit_staged`], or a part's:
//! [`Store::commit_staged_part`], or a completed upload's:
//! [`Store::complete_upload`]). Readers see either the old or the new object, never a
//! mix.
//!
//! Each change runs in a task of its own, tracked by the store: if the request that
//! asked for it is dropped (the client disconnected, a handler future was cancelled),
//! the change still runs to its end, so that the disk and the index in memory never
//! disagree, and no finished blob is left without an owner. [`Store::settle`] waits
//! for the changes in flight (the server does before it reports a clean stop).

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::task::TaskTracker;

use super::blob::ByteStream;
use super::error::StoreError;
use super::index::{Expect, Index};
use super::metadata::{ObjectMeta, PartMeta, UploadMeta, UploadState};
use super::staging::Staging;

/// The store: buckets, objects, uploads. Cloning it gives another handle on the same
/// store.
#[derive(Debug, Clone)]
pub struct Store {
    index: Arc<Index>,
    changes: TaskTracker,
    /// Serializes [`Store::settle`] (which closes and reopens `changes`).
    settling: Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    fn with_index(index: Index) -> Self {
        Store {
            index: Arc::new(index),
            changes: TaskTracker::new(),
            settling: Arc::default(),
        }
    }

    /// An empty in-memory store.
    pub fn memory() -> Self {
        Store::with_index(Index::memory())
    }

    /// A folder store on `root`, loading what an earlier server left there (and
    /// cleaning what an interrupted one left behind).
    pub async fn open_folder(root: PathBuf) -> Result<Self, StoreError> {
        Ok(Store::with_index(Index::open_folder(root).await?))
    }

    /// Runs `change` in a task of its own: dropping the returned future does not stop
    /// it. Must be called within a tokio runtime.
    async fn detached<T, F>(
        &self,
        what: &str,
        change: impl FnOnce(Arc<Index>) -> F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let task = self.changes.spawn(change(self.index.clone()));
        match task.await {
            Ok(result) => result,
            Err(join) => Err(StoreError::io(what, io::Error::other(join.to_string()))),
        }
    }

    /// Waits until every change in flight (including those whose requests were
    /// dropped) has ended.
    pub async fn settle(&self) {
        let _one_at_a_time = self.settling.lock().await;
        self.changes.close();
        self.changes.wait().await;
        self.changes.reopen();
    }

    /// Creates a bucket if missing. Returns false if it already existed.
    pub async fn create_bucket(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.detached("create bucket", |index| async move {
            index.create_bucket(&name).await
        })
        .await
    }

    /// Deletes an empty bucket.
    pub async fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.detached("delete bucket", |index| async move {
            index.delete_bucket(&name).await
        })
        .await
    }

    /// All buckets with their creation times, sorted by name.
    pub fn buckets(&self) -> Vec<(String, u64)> {
        self.index.buckets()
    }

    /// The creation time of a bucket.
    pub fn bucket_created(&self, name: &str) -> Result<u64, StoreError> {
        self.index.bucket_created(name)
    }

    /// The metadata of one object.
    pub fn head(&self, bucket: &str, key: &str) -> Result<ObjectMeta, StoreError> {
        self.index.head(bucket, key)
    }

    /// Runs `f` over the bucket's objects, sorted by key, under a read lock.
    pub fn with_objects<R>(
        &self,
        bucket: &str,
        f: impl FnOnce(&BTreeMap<String, ObjectMeta>) -> R,
    ) -> Result<R, StoreError> {
        self.index.with_objects(bucket, f)
    }

    /// Starts receiving bytes for `bucket`. The staging area is created where a
    /// dropped request cannot cut it short: if the caller is gone when it exists, it is
    /// dropped, and so removed.
    pub async fn staging(&self, bucket: &str) -> Result<Staging, StoreError> {
        let bucket = bucket.to_owned();
        self.detached("create staging area", |index| async move {
            index.staging(&bucket).await
        })
        .await
    }

    /// Makes staged bytes a blob of `bucket` and returns its id. The blob belongs to
    /// the caller, who must commit it: prefer [`Store::commit_staged`], which cannot
    /// leave it without an owner.
    pub async fn finish(&self, bucket: &str, staging: Staging) -> Result<String, StoreError> {
        let bucket = bucket.to_owned();
        self.detached("finish staging", |index| async move {
            index.finish(&bucket, staging).await
        })
        .await
    }

    /// Streams a blob, or the inclusive byte range `range` of it.
    pub async fn open_blob(
        &self,
        bucket: &str,
        blob: &str,
        range: Option<(u64, u64)>,
    ) -> Result<ByteStream, StoreError> {
        self.index.open_blob(bucket, blob, range).await
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
        let bucket = bucket.to_owned();
        self.detached("commit object", |index| async move {
            index.commit_object(&bucket, meta, expect).await
        })
        .await
    }

    /// Makes `staging` the bytes of `meta` (whose `blob` field is set here) and commits
    /// it as [`Store::commit_object`] does, in one change.
    pub async fn commit_staged(
        &self,
        bucket: &str,
        staging: Staging,
        meta: ObjectMeta,
        expect: Expect,
    ) -> Result<Option<ObjectMeta>, StoreError> {
        let bucket = bucket.to_owned();
        self.detached("commit object", |index| async move {
            index.commit_staged(&bucket, staging, meta, expect).await
        })
        .await
    }

    /// Deletes an object. Returns whether it existed.
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        self.detached("delete object", |index| async move {
            index.delete_object(&bucket, &key).await
        })
        .await
    }

    /// Registers a new multipart upload.
    pub async fn create_upload(&self, bucket: &str, meta: UploadMeta) -> Result<(), StoreError> {
        let bucket = bucket.to_owned();
        self.detached("create upload", |index| async move {
            index.create_upload(&bucket, meta).await
        })
        .await
    }

    /// An upload and its parts.
    pub fn upload(&self, bucket: &str, upload_id: &str) -> Result<UploadState, StoreError> {
        self.index.upload(bucket, upload_id)
    }

    /// All uploads of a bucket (metadata only), sorted by key then upload id.
    pub fn uploads(&self, bucket: &str) -> Result<Vec<UploadMeta>, StoreError> {
        self.index.uploads(bucket)
    }

    /// Records an uploaded part (whose blob is finished), replacing one with the same
    /// number.
    pub async fn commit_part(
        &self,
        bucket: &str,
        upload_id: &str,
        part: PartMeta,
    ) -> Result<(), StoreError> {
        let (bucket, upload_id) = (bucket.to_owned(), upload_id.to_owned());
        self.detached("commit part", |index| async move {
            index.commit_part(&bucket, &upload_id, part).await
        })
        .await
    }

    /// Makes `staging` the bytes of `part` (whose `blob` field is set here) and records
    /// it as [`Store::commit_part`] does, in one change.
    pub async fn commit_staged_part(
        &self,
        bucket: &str,
        upload_id: &str,
        staging: Staging,
        part: PartMeta,
    ) -> Result<(), StoreError> {
        let (bucket, upload_id) = (bucket.to_owned(), upload_id.to_owned());
        self.detached("commit part", |index| async move {
            index
                .commit_staged_part(&bucket, &upload_id, staging, part)
                .await
        })
        .await
    }

    /// Removes an upload and the bytes of its parts (abort).
    pub async fn remove_upload(&self, bucket: &str, upload_id: &str) -> Result<(), StoreError> {
        let (bucket, upload_id) = (bucket.to_owned(), upload_id.to_owned());
        self.detached("remove upload", |index| async move {
            index.remove_upload(&bucket, &upload_id).await
        })
        .await
    }

    /// Completes a multipart upload in one change: `staging` (the parts' bytes, in
    /// order) becomes the bytes of `meta`, committed if `expect` holds, and the upload
    /// is removed.
    pub async fn complete_upload(
        &self,
        bucket: &str,
        upload_id: &str,
        staging: Staging,
        meta: ObjectMeta,
        expect: Expect,
    ) -> Result<(), StoreError> {
        let (bucket, upload_id) = (bucket.to_owned(), upload_id.to_owned());
        self.detached("complete upload", |index| async move {
            index
                .complete_upload(&bucket, &upload_id, staging, meta, expect)
                .await
        })
        .await
    }
}
