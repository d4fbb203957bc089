//! `storages.Meta`: the [`StorageMeta`] trait every storage Type implements. Few methods
//! are required; JitAi's five operations and the conveniences are provided on top.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::{StorageErrorKind, StorageResult};
use crate::types::{
    Capabilities, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, Payload,
    PresignOptions, PresignedRequest, PutOptions, UploadResult, DEFAULT_CONTENT_TYPE,
    DEFAULT_SIGN_EXPIRES,
};

/// Who a storage is: its element fullName, Type and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageIdentity {
    /// `storages.MyOss`.
    pub full_name: String,
    /// The declared Type, `storages.OssType`.
    pub type_name: String,
    /// The element's title.
    pub title: String,
}

/// The storage contract (`storages.Meta`).
///
/// A Type implements the required methods — [`put`](StorageMeta::put),
/// [`get`](StorageMeta::get), [`stat`](StorageMeta::stat),
/// [`delete`](StorageMeta::delete), [`list`](StorageMeta::list),
/// [`presign`](StorageMeta::presign), [`object_url`](StorageMeta::object_url) and
/// [`capabilities`](StorageMeta::capabilities) — and may override any provided one with a
/// native version (e.g. server-side copy).
///
/// Object names have already been checked by
/// [`validate_object_name`](crate::validate_object_name) when an element is used
/// through an [`App`](jit_element::App): implementations may rely on that, but must still
/// never let a name reach outside their storage.
#[async_trait]
pub trait StorageMeta: Send + Sync + Debug {
    /// What this Type can do.
    fn capabilities(&self) -> Capabilities;

    /// The element this storage is, when it was loaded as one.
    fn identity(&self) -> Option<&StorageIdentity> {
        None
    }

    /// The implementation itself, for hosts that need a Type's own features (such as
    /// DiskType's signed-URL handler); see [`downcast_storage`]. Types opt in by
    /// returning `Some(self)`.
    fn as_any_arc(self: Arc<Self>) -> Option<Arc<dyn Any + Send + Sync>> {
        None
    }

    /// Stores `payload` under `name`, replacing any existing object atomically.
    async fn put(
        &self,
        name: &str,
        payload: Payload,
        options: PutOptions,
    ) -> StorageResult<UploadResult>;

    /// Reads an object (or a range of it) as a stream.
    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult>;

    /// The object's information, without its bytes.
    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo>;

    /// Deletes an object. Deleting a missing object succeeds (as on OSS).
    async fn delete(&self, name: &str) -> StorageResult<()>;

    /// One page of the objects whose keys start with `options.prefix`.
    async fn list(&self, options: ListOptions) -> StorageResult<ListPage>;

    /// A presigned URL for `name`.
    async fn presign(&self, name: &str, options: PresignOptions)
        -> StorageResult<PresignedRequest>;

    /// The object's (unsigned) address, as returned in [`UploadResult::url`].
    fn object_url(&self, name: &str) -> StorageResult<String>;

    /// JitAi's `uploadByFile(name, data, contentType)`: stores bytes and returns the
    /// result with the object's `url`. The content type defaults to
    /// `application/octet-stream`.
    async fn upload_by_file(
        &self,
        name: &str,
        data: Bytes,
        content_type: Option<&str>,
    ) -> StorageResult<UploadResult> {
        let options = PutOptions::content_type(content_type.unwrap_or(DEFAULT_CONTENT_TYPE));
        self.put(name, Payload::Bytes(data), options).await
    }

    /// JitAi's `getSignUrl(file, contentType, expires = 300)`: a presigned download URL.
    async fn get_sign_url(
        &self,
        file: &str,
        content_type: Option<&str>,
        expires: Option<Duration>,
    ) -> StorageResult<String> {
        let mut options = PresignOptions::get(expires.unwrap_or(DEFAULT_SIGN_EXPIRES));
        options.content_type = content_type.map(str::to_string);
        Ok(self.presign(file, options).await?.url)
    }

    /// JitAi's `download(name)`: the whole object in memory.
    async fn download(&self, name: &str) -> StorageResult<Bytes> {
        self.get(name, GetOptions::default()).await?.bytes().await
    }

    /// JitAi's `getObject(name)`: the object's information.
    async fn get_object(&self, name: &str) -> StorageResult<ObjectInfo> {
        self.stat(name).await
    }

    /// Whether an object exists.
    async fn exists(&self, name: &str) -> StorageResult<bool> {
        match self.stat(name).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == StorageErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Copies an object, keeping its content type and metadata. The provided version
    /// streams the bytes through the client; Types with server-side copy override it.
    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        let source = self.get(from, GetOptions::default()).await?;
        let options = PutOptions {
            content_type: source.info.content_type.clone(),
            metadata: source.info.metadata.clone(),
            ..PutOptions::default()
        };
        let payload = Payload::Stream {
            length: source.info.size,
            stream: source.stream,
        };
        self.put(to, payload, options).await
    }

    /// Deletes several objects; returns the first error after trying them all.
    async fn delete_many(&self, names: &[String]) -> StorageResult<()> {
        let mut first_error = None;
        for name in names {
            if let Err(e) = self.delete(name).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Every object under `prefix` (all pages, no delimiter).
    async fn list_all(&self, prefix: &str) -> StorageResult<Vec<ObjectInfo>> {
        let mut objects = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .list(ListOptions {
                    prefix: Some(prefix.to_string()),
                    delimiter: None,
                    token,
                    max_keys: None,
                })
                .await?;
            objects.extend(page.objects);
            match page.next_token {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }
}

/// The concrete implementation behind a storage element, if it is a `T` and its Type opted
/// in through [`StorageMeta::as_any_arc`]. Sees through [`crate::ElementStorage`].
pub fn downcast_storage<T: Any + Send + Sync>(storage: &Arc<dyn StorageMeta>) -> Option<Arc<T>> {
    storage.clone().as_any_arc()?.downcast::<T>().ok()
}
