//! The seed's usage flow, run on any storage: upload, URL, signed URL (fetched over
//! HTTP), download and compare, object info, delete — reporting each step; and the
//! StorageSvc flow ([`run_service_flow`]) on the app's default storage.

use std::time::Duration;

use bytes::Bytes;
use jitstore::element::App;
use jitstore::service::{
    FileContent, ReadOptions, StorageServiceAppExt, SvcError, SvcErrorKind, UploadRequest,
};
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
    /// A StorageSvc method failed.
    #[error(transparent)]
    Service(#[from] SvcError),
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

/// Runs the StorageSvc flow on the app's default storage through `app.storage_service()`:
/// the same bytes uploaded twice with their MD5 (stored once), preview, a thumbnail of a
/// small PNG, delete, and an expiring file removed by the sweep.
pub async fn run_service_flow(app: &App) -> Result<FlowReport, FlowError> {
    let mut report = FlowReport::default();
    let svc = app.storage_service().await?;
    report.lines.push(format!(
        "storage_service -> default storage {}",
        svc.settings().default_storage
    ));

    let content = Bytes::from_static(b"Hello from JitAi's StorageSvc\n");
    let md5 = hex_md5(&content);
    let mut first = UploadRequest::new("hello.txt", content.clone());
    first.md5 = Some(md5.clone());
    let one = svc.upload_by_file(first).await?;
    let mut second = UploadRequest::new("hello-again.txt", content.clone());
    second.md5 = Some(md5);
    let two = svc.upload_by_file(second).await?;
    if one.file_name != two.file_name || one.uid != two.uid {
        return Err(FlowError::Mismatch(
            "the same bytes with their md5 were recorded twice".into(),
        ));
    }
    report.lines.push(format!(
        "uploadByFile x2 -> stored once as {} (uid {}), url {}",
        one.file_name, one.uid, one.url
    ));

    let preview = svc
        .preview(&one.file_name, None, ReadOptions::default())
        .await?;
    let etag = preview.etag.clone();
    let body = collect(preview).await?;
    if body != content {
        return Err(FlowError::Mismatch(
            "preview differs from the upload".into(),
        ));
    }
    report.lines.push(format!(
        "preview         -> {} bytes, ETag {etag}",
        body.len()
    ));

    let png = small_png()?;
    let picture = svc
        .upload_by_file(UploadRequest::new("picture.png", png))
        .await?;
    let thumb = svc
        .preview_thumbnail(&picture.file_name, None, None, None, ReadOptions::default())
        .await?;
    let thumb_type = thumb.content_type.clone();
    let thumb_bytes = collect(thumb).await?;
    let decoded = image::load_from_memory(&thumb_bytes)
        .map_err(|e| FlowError::Mismatch(format!("the thumbnail is not an image: {e}")))?;
    if (decoded.width(), decoded.height()) != (120, 60) {
        return Err(FlowError::Mismatch(format!(
            "the thumbnail of a 300x150 PNG is {}x{}, not 120x60",
            decoded.width(),
            decoded.height()
        )));
    }
    report.lines.push(format!(
        "previewThumbnail -> {thumb_type} {}x{} of a 300x150 PNG",
        decoded.width(),
        decoded.height()
    ));

    for file in [&one.file_name, &picture.file_name] {
        svc.delete(file, None).await?;
    }
    match svc
        .preview(&one.file_name, None, ReadOptions::default())
        .await
    {
        Err(e) if e.kind() == SvcErrorKind::NotFound => report
            .lines
            .push(format!("delete          -> gone; preview now fails: {e}")),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(FlowError::Mismatch(
                "the file is still served after delete".into(),
            ))
        }
    }

    let mut expiring = UploadRequest::new("expiring.txt", Bytes::from_static(b"brief"));
    expiring.expires = Some(1);
    svc.upload_by_file(expiring).await?;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let swept = svc.sweep_expired().await?;
    match svc.record("expiring.txt", None).await {
        Err(e) if e.kind() == SvcErrorKind::NotFound && swept >= 1 => report.lines.push(format!(
            "sweep_expired   -> {swept} expired file(s) deleted, expiring.txt gone"
        )),
        Err(e) if e.kind() != SvcErrorKind::NotFound => return Err(e.into()),
        _ => return Err(FlowError::Mismatch("the expired file was not swept".into())),
    }
    Ok(report)
}

fn hex_md5(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A 300x150 PNG, a horizontal gradient.
fn small_png() -> Result<Vec<u8>, FlowError> {
    let img = image::RgbImage::from_fn(300, 150, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| FlowError::Mismatch(format!("cannot encode the PNG: {e}")))?;
    Ok(out.into_inner())
}

async fn collect(content: FileContent) -> Result<Bytes, FlowError> {
    let stream = content
        .body
        .ok_or_else(|| FlowError::Mismatch("no body".into()))?;
    Ok(jitstore::storage::collect_stream(stream, Some(content.size)).await?)
}
