//! [`ElementStorage`]: how every storage element is handed out. It wraps a Type's
//! implementation, checks object names before any I/O, and stamps every error with the
//! element's fullName, Type, operation and key. It forwards the [`StorageMeta`] core
//! only; JitAi's methods come from [`StorageMetaExt`](crate::StorageMetaExt) on top.
//!
//! A wrapper Type (one element delegating to another) needs none of this itself: an
//! error coming back from the element it wraps is already reported as the wrapper's,
//! with the inner error kept as its cause (see [`StorageError::nested`]).

use std::sync::Arc;

use async_trait::async_trait;
use futures::TryStreamExt;

use crate::capabilities::Capabilities;
use crate::error::{StorageError, StorageResult};
use crate::meta::{StorageIdentity, StorageMeta};
use crate::name::{validate_object_name, validate_prefix};
use crate::types::{
    GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, Payload, PresignOptions,
    PresignedRequest, PutOptions, UploadResult,
};

/// A storage element: a Type's implementation plus the element's identity.
#[derive(Debug, Clone)]
pub struct ElementStorage {
    identity: StorageIdentity,
    inner: Arc<dyn StorageMeta>,
}

impl ElementStorage {
    /// Wraps `inner` as the element `identity`.
    pub fn new(identity: StorageIdentity, inner: Arc<dyn StorageMeta>) -> Self {
        Self { identity, inner }
    }

    /// The Type's own implementation, unwrapped.
    pub fn inner(&self) -> &Arc<dyn StorageMeta> {
        &self.inner
    }

    fn context(
        &self,
        operation: &'static str,
        key: Option<&str>,
    ) -> impl Fn(StorageError) -> StorageError + '_ {
        let key = key.map(str::to_string);
        move |e: StorageError| stamp(e, &self.identity, operation, key.as_deref())
    }

    fn checked(&self, operation: &'static str, name: &str) -> StorageResult<()> {
        validate_object_name(name).map_err(self.context(operation, Some(name)))
    }
}

/// Names `identity`, the operation and the key in `e`. An error from another element this
/// one delegates to (a wrapper Type) is reported as ours, with theirs kept as the cause.
fn stamp(
    e: StorageError,
    identity: &StorageIdentity,
    operation: &'static str,
    key: Option<&str>,
) -> StorageError {
    let e = match e.element() {
        Some(other) if other != identity.full_name => e.nested(),
        _ => e,
    };
    e.with_operation(operation, key)
        .with_element(&identity.full_name, &identity.type_name)
}

#[async_trait]
impl StorageMeta for ElementStorage {
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn identity(&self) -> Option<&StorageIdentity> {
        Some(&self.identity)
    }

    fn as_any_arc(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        self.inner.clone().as_any_arc()
    }

    async fn put(
        &self,
        name: &str,
        payload: Payload,
        options: PutOptions,
    ) -> StorageResult<UploadResult> {
        self.checked("put", name)?;
        self.inner
            .put(name, payload, options)
            .await
            .map_err(self.context("put", Some(name)))
    }

    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult> {
        self.checked("get", name)?;
        let mut result = self
            .inner
            .get(name, options)
            .await
            .map_err(self.context("get", Some(name)))?;
        let identity = self.identity.clone();
        let key = name.to_string();
        result.stream = Box::pin(
            result
                .stream
                .map_err(move |e| stamp(e, &identity, "get", Some(&key))),
        );
        Ok(result)
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        self.checked("stat", name)?;
        self.inner
            .stat(name)
            .await
            .map_err(self.context("stat", Some(name)))
    }

    async fn delete(&self, name: &str) -> StorageResult<()> {
        self.checked("delete", name)?;
        self.inner
            .delete(name)
            .await
            .map_err(self.context("delete", Some(name)))
    }

    async fn list(&self, options: ListOptions) -> StorageResult<ListPage> {
        let prefix = options.prefix.clone().unwrap_or_default();
        validate_prefix(&prefix).map_err(self.context("list", Some(&prefix)))?;
        self.inner
            .list(options)
            .await
            .map_err(self.context("list", Some(&prefix)))
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        self.checked("presign", name)?;
        if options.expires.is_zero() {
            return Err(self.context("presign", Some(name))(
                StorageError::invalid_argument("expiry must be at least one second"),
            ));
        }
        self.inner
            .presign(name, options)
            .await
            .map_err(self.context("presign", Some(name)))
    }

    fn object_url(&self, name: &str) -> StorageResult<String> {
        self.checked("object_url", name)?;
        self.inner
            .object_url(name)
            .map_err(self.context("object_url", Some(name)))
    }

    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        self.checked("copy", from)?;
        self.checked("copy", to)?;
        self.inner
            .copy(from, to)
            .await
            .map_err(self.context("copy", Some(from)))
    }

    async fn delete_many(&self, names: &[String]) -> StorageResult<()> {
        for name in names {
            self.checked("delete_many", name)?;
        }
        self.inner
            .delete_many(names)
            .await
            .map_err(self.context("delete_many", None))
    }
}
