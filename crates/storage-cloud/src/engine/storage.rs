//! [`CloudStorage`], the [`StorageMeta`] implementation every object-store Type shares:
//! stat, list, delete, batch delete and copy here; reads through `reader` and `ranged`,
//! writes through `writer`, presigned URLs through `presign`. The Type that built it
//! is its parameter, so that hosts can reach each family's storage by downcasting
//! (`OssStorage` is `CloudStorage<OssType>`).

use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use bytes::Bytes;
use jit_storage::{
    validate_object_name, Capabilities, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo,
    Payload, PresignOptions, PresignedRequest, PutOptions, StorageMeta, StorageResult,
    UploadResult,
};
use jit_wire::percent::encode_path;
use md5::{Digest, Md5};
use reqwest::Method;

use crate::engine::core::{Core, Request, RequestBody};
use crate::engine::error;
use crate::engine::head::head;
use crate::engine::lister;
use crate::engine::presign;
use crate::engine::ranged;
use crate::engine::reader;
use crate::engine::transport::MAX_XML_BODY;
use crate::engine::writer;

/// Most keys one DeleteObjects (DeleteMultipleObjects) request may name.
const DELETE_BATCH: usize = 1000;

/// A bucket of an object store as a storage, built by the Type `T` (see
/// [`OssStorage`](crate::OssStorage)).
pub struct CloudStorage<T> {
    core: Arc<Core>,
    built_by: PhantomData<fn() -> T>,
}

impl<T> Clone for CloudStorage<T> {
    fn clone(&self) -> Self {
        Self {
            core: self.core.clone(),
            built_by: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for CloudStorage<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudStorage")
            .field("core", &self.core)
            .finish()
    }
}

impl<T> CloudStorage<T> {
    /// A storage on `core`.
    pub(crate) fn from_core(core: Core) -> Self {
        Self {
            core: Arc::new(core),
            built_by: PhantomData,
        }
    }

    /// The bucket this storage writes to.
    pub fn bucket(&self) -> &str {
        &self.core.settings.bucket
    }
}

#[async_trait]
impl<T: 'static> StorageMeta for CloudStorage<T> {
    /// Everything, except `crc64` (the CRC-64/XZ that results and `ObjectInfo` report)
    /// for a dialect whose checksum is another CRC-64 (S3's NVME): its transfers are
    /// checked end to end all the same, with that one.
    fn capabilities(&self) -> Capabilities {
        let mut capabilities = Capabilities::all();
        capabilities.crc64 = self.core.checksum().algorithm == jit_wire::crc64::Crc64Algorithm::Xz;
        capabilities
    }

    fn as_any_arc(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        Some(self)
    }

    async fn put(
        &self,
        name: &str,
        payload: Payload,
        options: PutOptions,
    ) -> StorageResult<UploadResult> {
        validate_object_name(name)?;
        let size = payload.len();
        let url = self.object_url(name)?;
        let written = writer::write(&self.core, name, payload, &options).await?;
        Ok(UploadResult {
            url,
            key: name.to_string(),
            size,
            etag: written.etag,
            crc64: self.core.checksum().as_crc64_xz(Some(written.checksum)),
        })
    }

    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult> {
        validate_object_name(name)?;
        if options.range.is_none() && self.core.settings.download_concurrency > 1 {
            return ranged::get(&self.core, name).await;
        }
        reader::get(&self.core, name, options).await
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        validate_object_name(name)?;
        Ok(head(&self.core, name).await?.info)
    }

    async fn delete(&self, name: &str) -> StorageResult<()> {
        validate_object_name(name)?;
        self.core
            .send(Request::new(Method::DELETE, Some(name)))
            .await?;
        Ok(())
    }

    async fn list(&self, options: ListOptions) -> StorageResult<ListPage> {
        let words = self.core.words();
        let response = self.core.send(lister::request(words, &options)).await?;
        let headers = response.headers().clone();
        let body = self
            .core
            .transport
            .body_bytes(response, MAX_XML_BODY)
            .await?;
        lister::parse(words, &body).map_err(|e| error::with_request_id(words, e, &headers))
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        validate_object_name(name)?;
        presign::presign(&self.core, name, options).await
    }

    fn object_url(&self, name: &str) -> StorageResult<String> {
        validate_object_name(name)?;
        Ok(self.core.url(Some(name)))
    }

    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        validate_object_name(from)?;
        validate_object_name(to)?;
        let source = format!("/{}/{}", self.core.settings.bucket, encode_path(from));
        let req = Request::new(Method::PUT, Some(to)).header(self.core.words().copy_source, source);
        self.core.send(req).await?;
        let info = self.stat(to).await?;
        Ok(UploadResult {
            url: self.object_url(to)?,
            key: to.to_string(),
            size: info.size,
            etag: info.etag,
            crc64: info.crc64,
        })
    }

    async fn delete_many(&self, names: &[String]) -> StorageResult<()> {
        for name in names {
            validate_object_name(name)?;
        }
        for batch in names.chunks(DELETE_BATCH) {
            let mut xml = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>",
            );
            for name in batch {
                xml.push_str("<Object><Key>");
                xml.push_str(&quick_xml::escape::escape(name.as_str()));
                xml.push_str("</Key></Object>");
            }
            xml.push_str("</Delete>");
            let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(xml.as_bytes()));
            let req = Request::new(Method::POST, None)
                .query("delete", None)
                .header("content-type", "application/xml")
                .header("content-md5", md5)
                .body(RequestBody::Bytes(Bytes::from(xml)));
            self.core.send(req).await?;
        }
        Ok(())
    }
}
