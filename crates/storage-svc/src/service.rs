//! [`StorageService`]: JitAi's StorageSvc methods on top of an app's storages and the
//! record store.

use std::collections::BTreeMap;
use std::ops::Range;

use jit_element::App;
use jit_storage::{ByteStream, Payload};

use crate::error::SvcResult;
use crate::range::RangeSpec;
use crate::record::{FileRecord, SignedUpload};
use crate::settings::ServiceSettings;

/// JitAi's `storages.services.StorageSvc` for one app.
pub struct StorageService {
    #[allow(dead_code)]
    app: App,
    settings: ServiceSettings,
}

/// uploadByFile's parameters.
#[derive(Debug)]
#[non_exhaustive]
pub struct UploadRequest {
    /// The file's name (JitAi's `file`): the stored name, unless `md5` is given.
    pub file: String,
    /// The bytes.
    pub data: Payload,
    /// Hex MD5 of the bytes: checked, and the stored name becomes `<md5>.<ext>` so the
    /// same bytes are stored once.
    pub md5: Option<String>,
    /// The content type; guessed from the name when `None`.
    pub content_type: Option<String>,
    /// The storage element; the default storage when `None`.
    pub storage: Option<String>,
    /// Seconds from the upload until the file expires; never when `None`.
    pub expires: Option<u64>,
    /// Who uploads (recorded as `uploadUser`).
    pub upload_user: Option<String>,
}

impl UploadRequest {
    /// A request to upload `data` as `file`, everything else by default.
    pub fn new(file: impl Into<String>, data: impl Into<Payload>) -> Self {
        Self {
            file: file.into(),
            data: data.into(),
            md5: None,
            content_type: None,
            storage: None,
            expires: None,
            upload_user: None,
        }
    }
}

/// getSignUrl's parameters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignRequest {
    /// The file's name: the stored name.
    pub file: String,
    /// The content type the browser will send (bound into the signature).
    pub content_type: String,
    /// The storage element; the default storage when `None`.
    pub storage: Option<String>,
    /// Seconds from now until the file expires (as uploadByFile's `expires`).
    pub expires: Option<u64>,
    /// Who uploads (recorded as `uploadUser`).
    pub upload_user: Option<String>,
}

impl SignRequest {
    /// A request to sign an upload of `file` with `content_type`, everything else by
    /// default.
    pub fn new(file: impl Into<String>, content_type: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            content_type: content_type.into(),
            storage: None,
            expires: None,
            upload_user: None,
        }
    }
}

/// How a read is conditioned: a Range and an If-None-Match.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The one byte range asked for.
    pub range: Option<RangeSpec>,
    /// The `If-None-Match` header as received.
    pub if_none_match: Option<String>,
}

/// How a file is presented: `Content-Disposition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the page (preview, thumbnails).
    Inline,
    /// Saved under this name (download).
    Attachment(String),
}

/// A file to answer with: the record, the headers' values and the body.
pub struct FileContent {
    /// The record of the file (for a thumbnail, of the file it was made from).
    pub record: FileRecord,
    /// The content type to send.
    pub content_type: String,
    /// The whole object's size.
    pub size: u64,
    /// The entity tag, quoted (`"…"`).
    pub etag: String,
    /// The range being sent, when a Range was asked for and satisfied (HTTP 206).
    pub range: Option<Range<u64>>,
    /// `true` when If-None-Match matched: answer 304 with no body.
    pub not_modified: bool,
    /// inline or attachment.
    pub disposition: Disposition,
    /// The bytes (`None` when not modified).
    pub body: Option<ByteStream>,
}

impl std::fmt::Debug for FileContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileContent")
            .field("file", &self.record.file_name)
            .field("content_type", &self.content_type)
            .field("size", &self.size)
            .field("etag", &self.etag)
            .field("range", &self.range)
            .field("not_modified", &self.not_modified)
            .field("disposition", &self.disposition)
            .finish()
    }
}

impl StorageService {
    /// Opens the service of `app` with the settings in its `app.json`, connecting to the
    /// record store and migrating its schema.
    pub async fn open(app: &App) -> SvcResult<StorageService> {
        let _ = app;
        todo!("svc-core")
    }

    /// Opens the service of `app` with `settings`.
    pub async fn open_with(app: &App, settings: ServiceSettings) -> SvcResult<StorageService> {
        let _ = (app, settings);
        todo!("svc-core")
    }

    /// The service's settings.
    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    /// uploadByFile: stores the bytes and records them.
    pub async fn upload_by_file(&self, request: UploadRequest) -> SvcResult<FileRecord> {
        let _ = request;
        todo!("svc-core")
    }

    /// preview: a recorded, unexpired file, inline.
    pub async fn preview(
        &self,
        file: &str,
        storage: Option<&str>,
        read: ReadOptions,
    ) -> SvcResult<FileContent> {
        let _ = (file, storage, read);
        todo!("svc-core")
    }

    /// previewThumbnail: a recorded image scaled to fit `width` × `height` (120 each by
    /// default), cached beside it as `<name>_<w>_<h>.<ext>`.
    pub async fn preview_thumbnail(
        &self,
        name: &str,
        width: Option<u32>,
        height: Option<u32>,
        storage: Option<&str>,
        read: ReadOptions,
    ) -> SvcResult<FileContent> {
        let _ = (name, width, height, storage, read);
        todo!("svc-core")
    }

    /// download: a recorded, unexpired file as an attachment under its original name.
    pub async fn download(
        &self,
        file: &str,
        storage: Option<&str>,
        read: ReadOptions,
    ) -> SvcResult<FileContent> {
        let _ = (file, storage, read);
        todo!("svc-core")
    }

    /// getSignUrl: a presigned PUT for the browser, and the file's record.
    pub async fn get_sign_url(&self, request: SignRequest) -> SvcResult<SignedUpload> {
        let _ = request;
        todo!("svc-core")
    }

    /// delete: the file, its thumbnails and its record.
    pub async fn delete(&self, file: &str, storage: Option<&str>) -> SvcResult<()> {
        let _ = (file, storage);
        todo!("svc-core")
    }

    /// The record of a recorded, unexpired file (an expired one is deleted: NotFound).
    pub async fn record(&self, file: &str, storage: Option<&str>) -> SvcResult<FileRecord> {
        let _ = (file, storage);
        todo!("svc-core")
    }

    /// Deletes every expired file (object, thumbnails, record); returns how many.
    pub async fn sweep_expired(&self) -> SvcResult<usize> {
        todo!("svc-core")
    }
}

/// Keeps `BTreeMap` in the skeleton's imports until the headers are built here.
#[allow(dead_code)]
type Headers = BTreeMap<String, String>;
