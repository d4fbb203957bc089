//! [`StorageMetaExt`]: JitAi's five methods and the conveniences, written once on top of
//! the [`StorageMeta`] core and implemented for every storage. Types never implement it:
//! the blanket implementation is the only one, so a wrapper Type cannot forget to
//! forward one of these and change behaviour.
//!
//! Each method runs in a `tracing` span `jitai` (INFO) whose `method` field names it, so
//! the `storage` operation spans of an element (see [`ElementStorage`](crate::ElementStorage))
//! read as, e.g., `jitai{method="download"}:storage{… op="get" …}`.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tracing::{Instrument, Span};

use crate::error::{StorageErrorKind, StorageResult};
use crate::meta::StorageMeta;
use crate::types::{
    GetOptions, ListOptions, ObjectInfo, Payload, PresignOptions, PutOptions, UploadResult,
    DEFAULT_SIGN_EXPIRES,
};

/// How many times [`StorageMetaExt::download`] reads an object whose bytes fail their
/// checksum before it reports IntegrityMismatch.
pub const DOWNLOAD_READS: u32 = 3;

/// JitAi's storage methods (`uploadByFile`, `getSignUrl`, `download`, `getObject`; its
/// `delete` is [`StorageMeta::delete`]) and conveniences, for every [`StorageMeta`].
///
/// Errors name the method the caller used: a failed [`download`](Self::download) reads
/// `… download "a.txt": NotFound …`, not `get`.
#[async_trait]
pub trait StorageMetaExt: StorageMeta {
    /// JitAi's `uploadByFile(name, data, contentType)`: stores bytes and returns the
    /// result with the object's `url`. Without a content type the Type decides, from the
    /// name's extension ([`PutOptions::content_type_for`]).
    async fn upload_by_file(
        &self,
        name: &str,
        data: Bytes,
        content_type: Option<&str>,
    ) -> StorageResult<UploadResult> {
        let options = PutOptions {
            content_type: content_type.map(str::to_string),
            ..PutOptions::default()
        };
        self.put(name, Payload::Bytes(data), options)
            .instrument(method_span("upload_by_file"))
            .await
            .map_err(|e| e.in_operation("upload_by_file", name))
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
        self.presign(file, options)
            .instrument(method_span("get_sign_url"))
            .await
            .map(|presigned| presigned.url)
            .map_err(|e| e.in_operation("get_sign_url", file))
    }

    /// JitAi's `download(name)`: the whole object in memory, its checksum verified.
    ///
    /// Nothing has been handed out while the bytes are collected, so a read whose bytes
    /// fail their checksum (corrupted on the way) is read again, up to
    /// [`DOWNLOAD_READS`] times in all, before IntegrityMismatch is reported.
    async fn download(&self, name: &str) -> StorageResult<Bytes> {
        let read = async {
            let mut reads = 1;
            loop {
                let result = async { self.get(name, GetOptions::default()).await?.bytes().await };
                match result.await {
                    Err(e) if e.kind() == StorageErrorKind::IntegrityMismatch => {
                        if reads >= DOWNLOAD_READS {
                            return Err(e.after_attempts(reads));
                        }
                        tracing::debug!(error = %e, "download read again");
                        reads += 1;
                    }
                    other => return other,
                }
            }
        };
        read.instrument(method_span("download"))
            .await
            .map_err(|e| e.in_operation("download", name))
    }

    /// JitAi's `getObject(name)`: the object's information.
    async fn get_object(&self, name: &str) -> StorageResult<ObjectInfo> {
        self.stat(name)
            .instrument(method_span("get_object"))
            .await
            .map_err(|e| e.in_operation("get_object", name))
    }

    /// Whether an object exists.
    async fn exists(&self, name: &str) -> StorageResult<bool> {
        match self.stat(name).instrument(method_span("exists")).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == StorageErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.in_operation("exists", name)),
        }
    }

    /// Every object under `prefix` (all pages, no delimiter).
    async fn list_all(&self, prefix: &str) -> StorageResult<Vec<ObjectInfo>> {
        let mut objects = Vec::new();
        let mut token = None;
        loop {
            let options = ListOptions {
                prefix: Some(prefix.to_string()),
                delimiter: None,
                token,
                max_keys: None,
            };
            let page = self
                .list(options)
                .instrument(method_span("list_all"))
                .await
                .map_err(|e| e.in_operation("list_all", prefix))?;
            objects.extend(page.objects);
            match page.next_token {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }
}

impl<T: StorageMeta + ?Sized> StorageMetaExt for T {}

/// The span a JitAi method (or convenience) runs its core operations in.
fn method_span(method: &'static str) -> Span {
    tracing::info_span!("jitai", method)
}
