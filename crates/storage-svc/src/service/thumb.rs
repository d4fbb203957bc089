//! previewThumbnail: a recorded image scaled to fit a box, rendered once (off the
//! runtime, within the limits), cached beside the file in the same storage, recorded so
//! that deleting the file removes it, and served like a preview.

use jit_storage::{GetOptions, PutOptions};

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::service::core::{records_error, storage_error, StorageService};
use crate::service::read::{serve, serve_bytes, ServeAs};
use crate::service::types::{Disposition, FileContent, ReadOptions};
use jit_thumbnail::{render_thumbnail, thumbnail_name, ThumbnailError};

/// The width and height used when a call gives none.
pub const DEFAULT_THUMBNAIL_SIDE: u32 = 120;

const METHOD: &str = "previewThumbnail";

impl StorageService {
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
        let limits = self.settings.thumbnail_limits.clone();
        let width = width.unwrap_or(DEFAULT_THUMBNAIL_SIDE);
        let height = height.unwrap_or(DEFAULT_THUMBNAIL_SIDE);
        for (parameter, side) in [("width", width), ("height", height)] {
            if side == 0 || side > limits.max_thumbnail_side {
                return Err(SvcError::new(
                    SvcErrorKind::BadInput,
                    METHOD,
                    format!(
                        "parameter `{parameter}` must be 1 ..= {}, not {side}",
                        limits.max_thumbnail_side
                    ),
                )
                .with_file(name));
            }
        }
        let (target, row) = self.access(METHOD, name, storage).await?;
        let record = self.file_record(row);
        let thumb = thumbnail_name(&record.file_name, width, height);
        let store = target.name.as_str();
        let cached = self
            .records
            .has_thumbnail(store, &record.file_name, &thumb)
            .await
            .map_err(|e| records_error(METHOD, name, e))?;
        // A recorded file under the thumbnail's name is the user's: never overwritten,
        // never served as a thumbnail; the thumbnail is then rendered and not cached.
        let taken = self
            .records
            .get(store, &thumb)
            .await
            .map_err(|e| records_error(METHOD, name, e))?
            .is_some();
        if cached && !taken {
            if let Ok(info) = target.storage.stat(&thumb).await {
                let content_type = info
                    .content_type
                    .unwrap_or_else(|| PutOptions::default().content_type_for(&thumb));
                let view = ServeAs {
                    content_type,
                    disposition: Disposition::Inline,
                    fallback_etag: None,
                };
                return serve(METHOD, &target, &thumb, view, read, record).await;
            }
        }

        let info = target
            .storage
            .stat(name)
            .await
            .map_err(|e| storage_error(METHOD, store, name, e))?;
        if info.size > limits.max_source_bytes {
            return Err(SvcError::new(
                SvcErrorKind::TooLarge,
                METHOD,
                format!(
                    "the image has {} bytes; thumbnails are made of images up to {} bytes",
                    info.size, limits.max_source_bytes
                ),
            )
            .with_file(name)
            .with_storage(store));
        }
        let source = target
            .storage
            .get(name, GetOptions::default())
            .await
            .map_err(|e| storage_error(METHOD, store, name, e))?
            .bytes()
            .await
            .map_err(|e| storage_error(METHOD, store, name, e))?;
        if source.len() as u64 > limits.max_source_bytes {
            return Err(SvcError::new(
                SvcErrorKind::TooLarge,
                METHOD,
                format!(
                    "the image grew over {} bytes while read",
                    limits.max_source_bytes
                ),
            )
            .with_file(name)
            .with_storage(store));
        }
        let rendered =
            tokio::task::spawn_blocking(move || render_thumbnail(&source, width, height, &limits))
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                .map_err(|e| {
                    let kind = match &e {
                        ThumbnailError::NotAnImage | ThumbnailError::Corrupt(_) => {
                            SvcErrorKind::NotAnImage
                        }
                        ThumbnailError::TooLarge(_) => SvcErrorKind::TooLarge,
                        _ => SvcErrorKind::BadInput,
                    };
                    SvcError::new(kind, METHOD, "no thumbnail can be made of this file")
                        .with_file(name)
                        .with_storage(store)
                        .with_source(e)
                })?;
        let content_type = rendered.content_type.to_string();
        let view = ServeAs {
            content_type: content_type.clone(),
            disposition: Disposition::Inline,
            fallback_etag: None,
        };
        if taken {
            return serve_bytes(METHOD, rendered.bytes.into(), view, read, record);
        }
        target
            .storage
            .put(
                &thumb,
                rendered.bytes.into(),
                PutOptions::content_type(&content_type),
            )
            .await
            .map_err(|e| storage_error(METHOD, store, &thumb, e))?;
        self.records
            .add_thumbnail(store, &record.file_name, &thumb)
            .await
            .map_err(|e| records_error(METHOD, name, e))?;
        serve(METHOD, &target, &thumb, view, read, record).await
    }
}
