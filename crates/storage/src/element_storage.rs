//! [`ElementStorage`]: how every storage element is handed out. It wraps a Type's
//! implementation, checks object names before any I/O, and stamps every error with the
//! element's fullName, Type, operation and key. It forwards the [`StorageMeta`] core
//! only; JitAi's methods come from [`StorageMetaExt`](crate::StorageMetaExt) on top.
//!
//! A wrapper Type (one element delegating to another) needs none of this itself: an
//! error coming back from the element it wraps is already reported as the wrapper's,
//! with the inner error kept as its cause (see [`StorageError::nested`]).
//!
//! Every operation is also a `tracing` span, `storage`, at INFO level, with the fields
//! `element`, `type_name`, `op`, `key` (when there is one), `size` (when known: the
//! payload of a `put`, the object of a `get` or `stat`, the copy), `attempts` and
//! `request_id` (when the Type reports them, see [`ElementStorage::record_attempts`] and
//! [`ElementStorage::record_request_id`]; the request id of a failure is taken from the
//! error). When the operation ends — for `get`, when its byte stream ends or is dropped
//! — one INFO event in that span says `done` or `failed` (with the error, which never
//! holds a secret) and the `duration`. The Type's own events (each HTTP attempt of a
//! remote Type, at DEBUG) happen inside the span.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;
use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::capabilities::Capabilities;
use crate::error::{StorageError, StorageResult};
use crate::meta::{StorageIdentity, StorageMeta};
use crate::name::{validate_object_name, validate_prefix};
use crate::types::{
    ByteStream, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, Payload, PresignOptions,
    PresignedRequest, PutOptions, UploadResult,
};

tokio::task_local! {
    /// The span of the storage operation running in this task (the innermost one, when
    /// a wrapper element's operation runs another element's).
    static OPERATION: Operation;
}

/// What the task-local knows of the running operation: its span and the most attempts
/// one of its requests needed so far.
struct Operation {
    span: Span,
    attempts: std::cell::Cell<u32>,
}

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

    /// Starts observing `operation` on `key`.
    fn observe(&self, operation: &'static str, key: Option<&str>) -> Observed {
        let span = tracing::info_span!(
            "storage",
            element = %self.identity.full_name,
            type_name = %self.identity.type_name,
            op = %operation,
            key = Empty,
            size = Empty,
            attempts = Empty,
            request_id = Empty,
        );
        if let Some(key) = key {
            span.record("key", key);
        }
        Observed {
            span,
            started: Instant::now(),
        }
    }

    /// Records, on the storage operation running in this task, how many attempts it
    /// took (a remote Type's retries). Does nothing outside an operation. A Type calls
    /// it from the task that runs the operation (not from a task it spawns).
    ///
    /// An operation of several requests (a multipart upload) reports the most attempts
    /// any one of them needed.
    pub fn record_attempts(attempts: u32) {
        let _ = OPERATION.try_with(|operation| {
            if attempts > operation.attempts.get() {
                operation.attempts.set(attempts);
                operation.span.record("attempts", attempts);
            }
        });
    }

    /// Records, on the storage operation running in this task, the request id the
    /// remote service gave (e.g. OSS's `x-oss-request-id`). Does nothing outside an
    /// operation. A failure's request id is recorded from the error without this.
    pub fn record_request_id(request_id: &str) {
        let _ = OPERATION.try_with(|operation| {
            operation.span.record("request_id", request_id);
        });
    }
}

/// One observed operation: its span and when it started.
struct Observed {
    span: Span,
    started: Instant,
}

impl Observed {
    fn size(&self, size: u64) {
        self.span.record("size", size);
    }

    /// Runs the Type's future inside the span, as the task's current operation.
    async fn run<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        let operation = Operation {
            span: self.span.clone(),
            attempts: std::cell::Cell::new(0),
        };
        OPERATION
            .scope(operation, future)
            .instrument(self.span.clone())
            .await
    }

    /// The one event that ends the operation.
    fn finish<T>(&self, result: &StorageResult<T>) {
        self.finish_with(result.as_ref().err());
    }

    fn finish_with(&self, error: Option<&StorageError>) {
        let duration = self.started.elapsed();
        match error {
            None => tracing::info!(parent: &self.span, ?duration, "done"),
            Some(err) => {
                if let Some(id) = err.request_id() {
                    self.span.record("request_id", id);
                }
                tracing::info!(parent: &self.span, ?duration, error = %err, "failed");
            }
        }
    }
}

/// A `get`'s byte stream, whose operation ends when the stream does (or is dropped
/// before its end).
struct ObservedStream {
    inner: ByteStream,
    observed: Option<Observed>,
    identity: StorageIdentity,
    key: String,
}

impl Stream for ObservedStream {
    type Item = StorageResult<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let polled = match &this.observed {
            Some(observed) => observed.span.in_scope(|| this.inner.as_mut().poll_next(cx)),
            None => this.inner.as_mut().poll_next(cx),
        };
        match polled {
            Poll::Ready(Some(Err(err))) => {
                let err = stamp(err, &this.identity, "get", Some(&this.key));
                if let Some(observed) = this.observed.take() {
                    observed.finish_with(Some(&err));
                }
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(None) => {
                if let Some(observed) = this.observed.take() {
                    observed.finish_with(None);
                }
                Poll::Ready(None)
            }
            other => other,
        }
    }
}

impl Drop for ObservedStream {
    fn drop(&mut self) {
        if let Some(observed) = self.observed.take() {
            let duration = observed.started.elapsed();
            tracing::info!(parent: &observed.span, ?duration, "dropped before the end");
        }
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
        let observed = self.observe("put", Some(name));
        observed.size(payload.len());
        let result = async {
            self.checked("put", name)?;
            observed
                .run(self.inner.put(name, payload, options))
                .await
                .map_err(self.context("put", Some(name)))
        }
        .await;
        observed.finish(&result);
        result
    }

    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult> {
        let observed = self.observe("get", Some(name));
        let result = async {
            self.checked("get", name)?;
            observed
                .run(self.inner.get(name, options))
                .await
                .map_err(self.context("get", Some(name)))
        }
        .await;
        let mut result = match result {
            Ok(result) => result,
            Err(err) => {
                observed.finish_with(Some(&err));
                return Err(err);
            }
        };
        observed.size(match &result.range {
            Some(range) => range.end.saturating_sub(range.start),
            None => result.info.size,
        });
        // The operation ends with its byte stream.
        let stream = std::mem::replace(&mut result.stream, Box::pin(futures::stream::empty()));
        result.stream = Box::pin(ObservedStream {
            inner: stream,
            observed: Some(observed),
            identity: self.identity.clone(),
            key: name.to_string(),
        });
        Ok(result)
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        let observed = self.observe("stat", Some(name));
        let result = async {
            self.checked("stat", name)?;
            observed
                .run(self.inner.stat(name))
                .await
                .map_err(self.context("stat", Some(name)))
        }
        .await;
        if let Ok(info) = &result {
            observed.size(info.size);
        }
        observed.finish(&result);
        result
    }

    async fn delete(&self, name: &str) -> StorageResult<()> {
        let observed = self.observe("delete", Some(name));
        let result = async {
            self.checked("delete", name)?;
            observed
                .run(self.inner.delete(name))
                .await
                .map_err(self.context("delete", Some(name)))
        }
        .await;
        observed.finish(&result);
        result
    }

    async fn list(&self, options: ListOptions) -> StorageResult<ListPage> {
        let prefix = options.prefix.clone().unwrap_or_default();
        let observed = self.observe("list", Some(&prefix));
        let result = async {
            validate_prefix(&prefix).map_err(self.context("list", Some(&prefix)))?;
            observed
                .run(self.inner.list(options))
                .await
                .map_err(self.context("list", Some(&prefix)))
        }
        .await;
        observed.finish(&result);
        result
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        let observed = self.observe("presign", Some(name));
        let result = async {
            self.checked("presign", name)?;
            if options.expires.is_zero() {
                return Err(self.context("presign", Some(name))(
                    StorageError::invalid_argument("expiry must be at least one second"),
                ));
            }
            observed
                .run(self.inner.presign(name, options))
                .await
                .map_err(self.context("presign", Some(name)))
        }
        .await;
        // The URL is not logged: it is a bearer credential for as long as it lives.
        observed.finish(&result);
        result
    }

    fn object_url(&self, name: &str) -> StorageResult<String> {
        self.checked("object_url", name)?;
        self.inner
            .object_url(name)
            .map_err(self.context("object_url", Some(name)))
    }

    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        let observed = self.observe("copy", Some(from));
        let result = async {
            self.checked("copy", from)?;
            self.checked("copy", to)?;
            observed
                .run(self.inner.copy(from, to))
                .await
                .map_err(self.context("copy", Some(from)))
        }
        .await;
        if let Ok(done) = &result {
            observed.size(done.size);
        }
        observed.finish(&result);
        result
    }

    async fn delete_many(&self, names: &[String]) -> StorageResult<()> {
        let observed = self.observe("delete_many", None);
        let result = async {
            for name in names {
                self.checked("delete_many", name)?;
            }
            observed
                .run(self.inner.delete_many(names))
                .await
                .map_err(self.context("delete_many", None))
        }
        .await;
        observed.finish(&result);
        result
    }
}
