//! `storages.Meta`: the [`StorageMeta`] trait, the small core every storage Type
//! implements. JitAi's five methods and the conveniences are built on it once, in
//! [`StorageMetaExt`](crate::StorageMetaExt), for every storage.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::StorageResult;
use crate::types::{
    GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, Payload, PresignOptions,
    PresignedRequest, PutOptions, UploadResult,
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

/// The storage contract (`storages.Meta`): the core a Type implements.
///
/// A Type implements [`capabilities`](StorageMeta::capabilities),
/// [`put`](StorageMeta::put), [`get`](StorageMeta::get), [`stat`](StorageMeta::stat),
/// [`delete`](StorageMeta::delete), [`list`](StorageMeta::list),
/// [`presign`](StorageMeta::presign) and [`object_url`](StorageMeta::object_url), and
/// overrides [`copy`](StorageMeta::copy) and [`delete_many`](StorageMeta::delete_many)
/// where its backend has a native form. Everything else — JitAi's `uploadByFile`,
/// `getSignUrl`, `download`, `getObject`, and `exists`, `list_all` — comes from
/// [`StorageMetaExt`](crate::StorageMetaExt), implemented once for every storage, so a
/// wrapper Type that forwards this core behaves exactly like the storage it wraps.
///
/// A content type left unset in [`PutOptions`] means "the Type decides": every Type
/// resolves it with [`PutOptions::content_type_for`], which guesses from the name's
/// extension.
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
}

/// The concrete implementation behind a storage element, if it is a `T` and its Type opted
/// in through [`StorageMeta::as_any_arc`]. Sees through [`crate::ElementStorage`].
pub fn downcast_storage<T: Any + Send + Sync>(storage: &Arc<dyn StorageMeta>) -> Option<Arc<T>> {
    storage.clone().as_any_arc()?.downcast::<T>().ok()
}
