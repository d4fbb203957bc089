//! The seed's usage flow, run on any storage: upload, URL, signed URL (fetched over
//! HTTP), download and compare, object info, delete — reporting each step.

use std::time::Duration;

use bytes::Bytes;
use jitstore::storage::{StorageErrorKind, StorageMeta, StorageMetaExt};

/// What happened on one storage, step by step.
#[derive(Debug, Default)]
pub struct FlowReport {
    /// One human-readable line per step.
    pub lines: Vec<String>,
}

/// Why the flow stopped.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// A storage operation failed.
    #[error(transparent)]
    Storage(#[from] jitstore::storage::StorageError),
    /// Fetching the signed URL failed.
    #[error("fetching the signed URL failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The storage answered, but not what it should have.
    #[error("{0}")]
    Mismatch(String),
}

/// Runs the flow on `storage` with object key `key`; `http` fetches the signed URL.
pub async fn run_flow(
    storage: &dyn StorageMeta,
    key: &str,
    http: &reqwest::Client,
) -> Result<FlowReport, FlowError> {
    let mut report = FlowReport::default();
    let content = Bytes::from(format!("Hello from the JitAi storage example: {key}\n"));

    let up = storage
        .upload_by_file(key, content.clone(), Some("text/plain"))
        .await?;
    report.lines.push(format!(
        "upload_by_file -> {} ({} bytes, etag {})",
        up.url,
        up.size,
        up.etag.as_deref().unwrap_or("-")
    ));

    if storage.capabilities().presign_get {
        let signed = storage
            .get_sign_url(key, Some("text/plain"), Some(Duration::from_secs(600)))
            .await?;
        let response = http.get(&signed).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() || body != content {
            return Err(FlowError::Mismatch(format!(
                "signed URL answered {status} with {} bytes",
                body.len()
            )));
        }
        report.lines.push(format!("get_sign_url   -> {signed}"));
        report.lines.push(format!(
            "                  fetched over HTTP: {status}, content matches"
        ));
    } else {
        report
            .lines
            .push("get_sign_url   -> (this storage has no presigned URLs)".to_string());
    }

    let downloaded = storage.download(key).await?;
    if downloaded != content {
        return Err(FlowError::Mismatch(
            "downloaded bytes differ from the upload".into(),
        ));
    }
    report.lines.push(format!(
        "download       -> {} bytes, identical to the upload",
        downloaded.len()
    ));

    let info = storage.get_object(key).await?;
    report.lines.push(format!(
        "get_object     -> {}",
        serde_json::to_string(&info).unwrap_or_else(|_| format!("{info:?}"))
    ));

    storage.delete(key).await?;
    match storage.download(key).await {
        Err(e) if e.kind() == StorageErrorKind::NotFound => {
            report
                .lines
                .push(format!("delete         -> gone; download now fails: {e}"));
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(FlowError::Mismatch(
                "the object is still there after delete".into(),
            ))
        }
    }
    Ok(report)
}
