//! The service's request and answer types: [`UploadRequest`], [`SignRequest`],
//! [`ReadOptions`], [`Disposition`], [`FileContent`].

use std::ops::Range;

use jit_storage::{ByteStream, Payload};

use crate::range::RangeSpec;
use crate::record::FileRecord;

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
    /// The hex MD5 of `data` that the caller computed while receiving it (the HTTP
    /// router hashes an upload as it spools it): trusted, so the service does not read
    /// the data a second time. Leave it `None` unless it is the MD5 of these very bytes;
    /// `md5`, the client's claim, is still checked against it.
    pub data_md5: Option<String>,
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
            data_md5: None,
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
    /// Seconds the presigned URL stays valid: 1 ..= 604800, 300 when `None`.
    pub url_expires: Option<u64>,
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
            url_expires: None,
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
