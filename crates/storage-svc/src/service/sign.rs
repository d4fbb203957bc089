//! getSignUrl: a presigned PUT the browser uploads with straight to the storage, bound
//! to the content type, and the record the file will be previewed by.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use jit_storage::PresignOptions;

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::record::SignedUpload;
use crate::records::NewFile;
use crate::service::core::{check_name, records_error, storage_error, StorageService};
use crate::service::types::SignRequest;
use crate::service::upload::check_expires;

/// The longest presigned-URL lifetime: 7 days, in seconds.
pub const MAX_URL_EXPIRES_SECS: u64 = 604_800;

const METHOD: &str = "getSignUrl";

impl StorageService {
    /// getSignUrl: a presigned PUT for the browser, and the file's record.
    pub async fn get_sign_url(&self, request: SignRequest) -> SvcResult<SignedUpload> {
        let file = request.file.as_str();
        let bad = |message: String| {
            SvcError::new(SvcErrorKind::BadInput, METHOD, message).with_file(file)
        };
        check_name(METHOD, "file", file)?;
        let expires = check_expires(request.expires).map_err(bad)?;
        let url_expires = request.url_expires.unwrap_or(300);
        if !(1..=MAX_URL_EXPIRES_SECS).contains(&url_expires) {
            return Err(bad(format!(
                "parameter `urlExpires` must be 1 ..= {MAX_URL_EXPIRES_SECS} seconds, not {url_expires}"
            )));
        }
        let content_type = request.content_type.trim();
        if content_type.is_empty() || content_type.contains(['\r', '\n']) {
            return Err(bad("parameter `contentType` must be a MIME type".into()));
        }
        let target = self.target(METHOD, request.storage.as_deref()).await?;
        if !target.storage.capabilities().presign_put {
            let type_name = target
                .storage
                .identity()
                .map(|i| i.type_name.clone())
                .unwrap_or_else(|| "its Type".into());
            let hint = if type_name == "storages.DiskType" {
                ": give it baseUrl and signingKey"
            } else {
                ""
            };
            return Err(SvcError::new(
                SvcErrorKind::Unsupported,
                METHOD,
                format!("{} ({type_name}) cannot presign uploads{hint}", target.name),
            )
            .with_file(file)
            .with_storage(&target.name));
        }
        let presigned = target
            .storage
            .presign(
                file,
                PresignOptions::put(content_type, Duration::from_secs(url_expires)),
            )
            .await
            .map_err(|e| storage_error(METHOD, &target.name, file, e))?;
        let mut headers: BTreeMap<String, String> = presigned.headers.into_iter().collect();
        if !headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            headers.insert("Content-Type".into(), content_type.to_string());
        }
        let now = self.now_ms();
        let row = self
            .records
            .upsert(&NewFile {
                uid: uuid::Uuid::new_v4().to_string(),
                store_full_name: target.name.clone(),
                file_name: file.to_string(),
                name: file.to_string(),
                md5: None,
                size: None,
                content_type: content_type.to_string(),
                upload_time: now,
                upload_user: request.upload_user.clone(),
                expires_at: expires.map(|s| now.saturating_add(s as i64 * 1000)),
                retention_period: expires.map(|s| s as i64),
            })
            .await
            .map_err(|e| records_error(METHOD, file, e))?;
        let expires_at = presigned
            .expires_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Ok(SignedUpload {
            url: presigned.url,
            method: presigned.method.as_str().to_string(),
            headers,
            expires_at,
            file: self.file_record(row),
        })
    }
}
