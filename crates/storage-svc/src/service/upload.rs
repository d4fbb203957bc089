//! uploadByFile: checks the parameters, hashes the bytes (off the runtime for files and
//! large buffers, on the fly for streams), stores them once per MD5 when an `md5` is
//! given, and records the upload.

use std::io::Read;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::StreamExt;
use jit_storage::{FilePayload, Payload, PutOptions};
use md5::{Digest, Md5};

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::record::FileRecord;
use crate::records::NewFile;
use crate::service::core::{check_name, records_error, storage_error, StorageService};
use crate::service::types::UploadRequest;

/// The longest `expires`: ten years, in seconds.
pub const MAX_EXPIRES_SECS: u64 = 10 * 366 * 24 * 3600;

/// Buffers up to this size are hashed on the runtime; larger ones in `spawn_blocking`.
const INLINE_HASH_BYTES: usize = 1 << 20;

const METHOD: &str = "uploadByFile";

impl StorageService {
    /// uploadByFile: stores the bytes and records them.
    ///
    /// The MD5 of the data is always computed (a file in `spawn_blocking`, a stream on the
    /// fly) and recorded. With `md5` (32 hex digits, checked against the data) the stored
    /// name is `<md5>.<ext>`; when that file is already recorded and present, the bytes
    /// are not stored again: the existing record is returned, its expiry extended to the
    /// later of the two (never expiring wins). Otherwise the record of the stored name is
    /// replaced (new uid and upload time). Errors: BadInput for `file`, `md5`, `expires`
    /// (1 s ..= 10 years) or an unknown `storage`; Storage and Records failures.
    pub async fn upload_by_file(&self, request: UploadRequest) -> SvcResult<FileRecord> {
        let UploadRequest {
            file,
            data,
            md5,
            content_type,
            storage,
            expires,
            upload_user,
            data_md5,
            ..
        } = request;
        let bad = |message: String| {
            SvcError::new(SvcErrorKind::BadInput, METHOD, message).with_file(file.clone())
        };
        check_name(METHOD, "file", &file)?;
        let expires = check_expires(expires).map_err(bad)?;
        let given_md5 = match md5.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(m) if m.len() == 32 && m.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(m.to_ascii_lowercase())
            }
            Some(_) => return Err(bad("parameter `md5` must be 32 hexadecimal digits".into())),
        };
        let target = self.target(METHOD, storage.as_deref()).await?;
        let content_type = match content_type.as_deref().map(str::trim) {
            Some(ct) if !ct.is_empty() => ct.to_string(),
            _ => PutOptions::default().content_type_for(&file),
        };
        let stored = match &given_md5 {
            Some(m) => md5_name(m, &file),
            None => file.clone(),
        };
        let now = self.now_ms();
        let expires_at = expires.map(|secs| now.saturating_add(secs as i64 * 1000));

        let known_md5 = data_md5
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| m.len() == 32 && m.bytes().all(|b| b.is_ascii_hexdigit()));
        let mut computed = match &data {
            _ if known_md5.is_some() => known_md5,
            Payload::Bytes(bytes) => Some(hash_bytes(bytes.clone()).await),
            Payload::File(payload) => Some(hash_file(payload).await.map_err(|e| {
                SvcError::new(
                    SvcErrorKind::BadInput,
                    METHOD,
                    "parameter `data`: the file cannot be read",
                )
                .with_file(file.clone())
                .with_source(e)
            })?),
            Payload::Stream { .. } => None,
        };
        if let (Some(given), Some(actual)) = (&given_md5, &computed) {
            if given != actual {
                return Err(bad(format!(
                    "parameter `md5` is {given} but the data's MD5 is {actual}"
                )));
            }
        }

        // The same bytes under the same name: keep the stored object, extend the record.
        if given_md5.is_some() {
            let existing = self
                .records
                .get(&target.name, &stored)
                .await
                .map_err(|e| records_error(METHOD, &file, e))?;
            if let Some(existing) = existing.filter(|r| r.expires_at.is_none_or(|at| at > now)) {
                if target.storage.stat(&stored).await.is_ok() {
                    let (later, retention) = match (existing.expires_at, expires_at) {
                        (None, _) => (None, existing.retention_period),
                        (_, None) => (None, None),
                        (Some(a), Some(b)) if a >= b => (Some(a), existing.retention_period),
                        (Some(_), Some(b)) => (Some(b), expires.map(|s| s as i64)),
                    };
                    self.records
                        .set_expiry(existing.id, later, retention)
                        .await
                        .map_err(|e| records_error(METHOD, &file, e))?;
                    let mut row = existing;
                    row.expires_at = later;
                    row.retention_period = retention;
                    return Ok(self.file_record(row));
                }
            }
        }

        let (payload, hasher) = match data {
            Payload::Stream { stream, length } => {
                let hasher = Arc::new(Mutex::new(Md5::new()));
                let feed = hasher.clone();
                let stream = stream.inspect(move |chunk| {
                    if let Ok(bytes) = chunk {
                        feed.lock().unwrap_or_else(|p| p.into_inner()).update(bytes);
                    }
                });
                let payload = Payload::Stream {
                    stream: Box::pin(stream),
                    length,
                };
                (payload, Some(hasher))
            }
            other => (other, None),
        };
        let put = target
            .storage
            .put(&stored, payload, PutOptions::content_type(&content_type))
            .await
            .map_err(|e| storage_error(METHOD, &target.name, &file, e))?;
        if let Some(hasher) = hasher {
            let hasher = std::mem::take(&mut *hasher.lock().unwrap_or_else(|p| p.into_inner()));
            let actual = hex::encode(hasher.finalize());
            if let Some(given) = &given_md5 {
                if *given != actual {
                    let _ = target.storage.delete(&stored).await;
                    return Err(bad(format!(
                        "parameter `md5` is {given} but the data's MD5 is {actual}; \
                         the stored copy was deleted"
                    )));
                }
            }
            computed = Some(actual);
        }
        let row = self
            .records
            .upsert(&NewFile {
                uid: uuid::Uuid::new_v4().to_string(),
                store_full_name: target.name.clone(),
                file_name: stored,
                name: file.clone(),
                md5: computed,
                size: Some(put.size as i64),
                content_type,
                upload_time: now,
                upload_user,
                expires_at,
                retention_period: expires.map(|s| s as i64),
            })
            .await
            .map_err(|e| records_error(METHOD, &file, e))?;
        Ok(self.file_record(row))
    }
}

/// `expires` must be 1 second ..= 10 years.
pub(crate) fn check_expires(expires: Option<u64>) -> Result<Option<u64>, String> {
    match expires {
        Some(secs) if !(1..=MAX_EXPIRES_SECS).contains(&secs) => Err(format!(
            "parameter `expires` must be 1 ..= {MAX_EXPIRES_SECS} seconds (10 years), not {secs}"
        )),
        other => Ok(other),
    }
}

/// `<md5>.<ext>` (the extension lower-cased), `<md5>` when the name has none.
fn md5_name(md5: &str, file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => {
            format!("{md5}.{}", ext.to_ascii_lowercase())
        }
        _ => md5.to_string(),
    }
}

async fn hash_bytes(bytes: Bytes) -> String {
    if bytes.len() <= INLINE_HASH_BYTES {
        return hex::encode(Md5::digest(&bytes));
    }
    tokio::task::spawn_blocking(move || hex::encode(Md5::digest(&bytes)))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

async fn hash_file(payload: &FilePayload) -> std::io::Result<String> {
    let path = payload.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Md5::new();
        let mut buf = vec![0u8; 256 << 10];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                return Ok(hex::encode(hasher.finalize()));
            }
            hasher.update(&buf[..n]);
        }
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_names_keep_a_lower_cased_extension() {
        let m = "0123456789abcdef0123456789abcdef";
        assert_eq!(md5_name(m, "Photo.PNG"), format!("{m}.png"));
        assert_eq!(md5_name(m, "dir/a.tar.gz"), format!("{m}.gz"));
        assert_eq!(md5_name(m, "README"), m);
        assert_eq!(md5_name(m, ".hidden"), m);
        assert_eq!(md5_name(m, "dir.d/file"), m);
    }

    #[test]
    fn expires_is_bounded() {
        assert!(check_expires(Some(0)).is_err());
        assert!(check_expires(Some(MAX_EXPIRES_SECS + 1)).is_err());
        assert_eq!(check_expires(Some(1)), Ok(Some(1)));
        assert_eq!(check_expires(None), Ok(None));
    }
}
