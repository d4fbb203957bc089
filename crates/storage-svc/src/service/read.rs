//! preview and download: a recorded, unexpired file served with its recorded content
//! type, an ETag, If-None-Match and one byte Range. Also the serving both thumbnails and
//! files share.

use bytes::Bytes;
use jit_storage::GetOptions;
use md5::{Digest, Md5};

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::record::FileRecord;
use crate::service::core::{records_error, storage_error, StorageService, Target};
use crate::service::types::{Disposition, FileContent, ReadOptions};

impl StorageService {
    /// preview: a recorded, unexpired file, inline.
    pub async fn preview(
        &self,
        file: &str,
        storage: Option<&str>,
        read: ReadOptions,
    ) -> SvcResult<FileContent> {
        self.read_file("preview", file, storage, read, false).await
    }

    /// download: a recorded, unexpired file as an attachment under its original name.
    pub async fn download(
        &self,
        file: &str,
        storage: Option<&str>,
        read: ReadOptions,
    ) -> SvcResult<FileContent> {
        self.read_file("download", file, storage, read, true).await
    }

    async fn read_file(
        &self,
        method: &'static str,
        file: &str,
        storage: Option<&str>,
        read: ReadOptions,
        attachment: bool,
    ) -> SvcResult<FileContent> {
        let (target, row) = self.access(method, file, storage).await?;
        let unsized_id = row.size.is_none().then_some(row.id);
        let mut record = self.file_record(row);
        let disposition = if attachment {
            Disposition::Attachment(record.name.clone())
        } else {
            Disposition::Inline
        };
        let content_type = record.content_type.clone();
        let fallback_etag = record.md5.clone();
        let mut content = serve(
            method,
            &target,
            file,
            ServeAs {
                content_type,
                disposition,
                fallback_etag,
            },
            read,
            record.clone(),
        )
        .await?;
        if let Some(id) = unsized_id {
            // A direct browser upload is sized when first read.
            self.records
                .set_size(id, content.size as i64)
                .await
                .map_err(|e| records_error(method, file, e))?;
            record.size = Some(content.size);
            content.record = record;
        }
        Ok(content)
    }
}

/// How an object is presented.
pub(crate) struct ServeAs {
    pub content_type: String,
    pub disposition: Disposition,
    /// The ETag's value when the storage has none (the MD5).
    pub fallback_etag: Option<String>,
}

/// Serves the object `key` of `target`: stat, ETag, If-None-Match, Range, ranged get.
pub(crate) async fn serve(
    method: &'static str,
    target: &Target,
    key: &str,
    view: ServeAs,
    read: ReadOptions,
    record: FileRecord,
) -> SvcResult<FileContent> {
    let info = target
        .storage
        .stat(key)
        .await
        .map_err(|e| storage_error(method, &target.name, key, e))?;
    let tag = info
        .etag
        .as_deref()
        .map(opaque_tag)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .or(view.fallback_etag.clone())
        .unwrap_or_else(|| {
            let modified = info
                .last_modified
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{:x}-{modified:x}", info.size)
        });
    let (mut content, range) = match conditional(method, &tag, info.size, view, read, record)
        .map_err(|e| e.with_file(key).with_storage(&target.name))?
    {
        Answer::NotModified(content) => return Ok(content),
        Answer::Send(content, range) => (content, range),
    };
    let got = target
        .storage
        .get(
            key,
            GetOptions {
                range: range.clone(),
            },
        )
        .await
        .map_err(|e| storage_error(method, &target.name, key, e))?;
    content.range = got.range.or(range);
    content.body = Some(got.stream);
    Ok(content)
}

/// Serves bytes held in memory (a thumbnail that cannot be cached), with an MD5 ETag,
/// If-None-Match and Range like [`serve`].
pub(crate) fn serve_bytes(
    method: &'static str,
    bytes: Bytes,
    view: ServeAs,
    read: ReadOptions,
    record: FileRecord,
) -> SvcResult<FileContent> {
    let tag = hex::encode(Md5::digest(&bytes));
    let (mut content, range) =
        match conditional(method, &tag, bytes.len() as u64, view, read, record)? {
            Answer::NotModified(content) => return Ok(content),
            Answer::Send(content, range) => (content, range),
        };
    let body = match range {
        None => bytes,
        Some(range) => {
            content.range = Some(range.clone());
            bytes.slice(range.start as usize..range.end as usize)
        }
    };
    content.body = Some(Box::pin(futures::stream::once(async move { Ok(body) })));
    Ok(content)
}

/// What a conditional, ranged read answers before any byte is read.
enum Answer {
    /// If-None-Match matched: no body.
    NotModified(FileContent),
    /// Send the body: the whole, or the range resolved against the size.
    Send(FileContent, Option<std::ops::Range<u64>>),
}

/// The answer's head for an object of `size` bytes whose opaque entity tag is `tag`:
/// If-None-Match first (304), then the Range (416 when unsatisfiable).
fn conditional(
    method: &'static str,
    tag: &str,
    size: u64,
    view: ServeAs,
    read: ReadOptions,
    record: FileRecord,
) -> SvcResult<Answer> {
    let mut content = FileContent {
        record,
        content_type: view.content_type,
        size,
        etag: format!("\"{tag}\""),
        range: None,
        not_modified: false,
        disposition: view.disposition,
        body: None,
    };
    if read
        .if_none_match
        .as_deref()
        .is_some_and(|header| none_match(header, tag))
    {
        content.not_modified = true;
        return Ok(Answer::NotModified(content));
    }
    let range = match read.range {
        None => None,
        Some(spec) => Some(spec.resolve(size).ok_or_else(|| {
            SvcError::new(
                SvcErrorKind::RangeNotSatisfiable,
                method,
                format!("the range cannot be satisfied: the file has {size} bytes"),
            )
            .with_object_size(size)
        })?),
    };
    Ok(Answer::Send(content, range))
}

/// An entity tag without `W/` and quotes.
fn opaque_tag(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.trim_matches('"')
}

/// Whether an `If-None-Match` header (`*` or a comma list, weak comparison) matches.
fn none_match(header: &str, tag: &str) -> bool {
    header.split(',').any(|candidate| {
        let candidate = candidate.trim();
        candidate == "*" || (!candidate.is_empty() && opaque_tag(candidate) == tag)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_in_lists() {
        assert!(none_match("\"abc\"", "abc"));
        assert!(none_match("W/\"abc\"", "abc"));
        assert!(none_match("\"x\", W/\"abc\"", "abc"));
        assert!(none_match("*", "abc"));
        assert!(!none_match("\"abcd\"", "abc"));
        assert!(!none_match("", "abc"));
    }
}
