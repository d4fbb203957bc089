//! The `svc` group's thumbnails: previewThumbnail (120 × 120 box) of a large JPEG and a
//! large PNG uploaded through the service. The first call renders (read the source,
//! decode, resize, encode, store the thumbnail beside it, record it); later calls are
//! served from the storage. Both are timed through the library, every byte read.

use std::io::Cursor;
use std::time::Instant;

use bytes::Bytes;
use image::{ImageFormat, RgbImage};
use jitstore::service::{ReadOptions, StorageService, UploadRequest};

use crate::error::{BenchError, BenchResult};
use crate::stats::{sample_async, Row};
use crate::svc_fixture::SvcApp;
use crate::svc_work::{drain, SvcContext};

/// The group name of the thumbnail rows.
const GROUP: &str = "svc/thumbnail";

/// The box asked for (JitAi's default).
const SIDE: u32 = 120;

/// Cached calls per sample of the cached row.
const CACHED_CALLS: usize = 50;

/// The thumbnail rows for a JPEG and a PNG of `ctx.image`.
pub async fn run(ctx: &SvcContext, app: &SvcApp) -> BenchResult<Vec<Row>> {
    let (w, h) = ctx.image;
    let mut rows = Vec::new();
    for (format, ext) in [(ImageFormat::Jpeg, "jpg"), (ImageFormat::Png, "png")] {
        let source = encode(w, h, format).await?;
        let label = format!(
            "{w}×{h} {} ({:.1} MiB)",
            ext.to_uppercase(),
            mib(source.len())
        );
        let mut last = String::new();
        let first = sample_async(ctx.plan, |run| {
            last = format!("thumb-{ext}-r{run}.{ext}");
            first_call(&app.svc, last.clone(), source.clone())
        })
        .await?;
        rows.push(Row::new(
            GROUP,
            format!("previewThumbnail {SIDE}×{SIDE} of a {label}, first call (renders)"),
            "ms",
            first,
        ));
        let cached = sample_async(ctx.plan, |_| cached_calls(&app.svc, last.clone())).await?;
        rows.push(Row::new(
            GROUP,
            format!("previewThumbnail {SIDE}×{SIDE} of the same {ext}, cached (mean of {CACHED_CALLS} calls)"),
            "ms",
            cached,
        ));
    }
    Ok(rows)
}

/// `n` bytes in MiB.
fn mib(n: usize) -> f64 {
    n as f64 / (1024.0 * 1024.0)
}

/// A `w` × `h` RGB picture (smooth gradients with an 8-pixel checker, so neither
/// format gets a trivially compressible image) encoded as `format`, off the runtime.
async fn encode(w: u32, h: u32, format: ImageFormat) -> BenchResult<Bytes> {
    tokio::task::spawn_blocking(move || {
        let img = RgbImage::from_fn(w, h, |x, y| {
            let checker = if (x / 8 + y / 8) % 2 == 0 { 0 } else { 40 };
            image::Rgb([
                (x * 215 / w) as u8 + checker,
                (y * 215 / h) as u8 + checker,
                ((x + y) % 256) as u8,
            ])
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format)
            .map_err(|e| BenchError::Check(format!("encode the {format:?} source: {e}")))?;
        Ok(Bytes::from(out.into_inner()))
    })
    .await
    .map_err(|e| BenchError::Check(format!("encode task: {e}")))?
}

/// Uploads `source` as `name` (not timed), then times its first previewThumbnail:
/// milliseconds. The answer must be an image fitted into the box.
async fn first_call(svc: &StorageService, name: String, source: Bytes) -> BenchResult<f64> {
    svc.upload_by_file(UploadRequest::new(name.clone(), source))
        .await?;
    let start = Instant::now();
    let content = svc
        .preview_thumbnail(&name, Some(SIDE), Some(SIDE), None, ReadOptions::default())
        .await?;
    let body = collect(content).await?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let dims = image::load_from_memory(&body)
        .map(|i| (i.width(), i.height()))
        .map_err(|e| BenchError::Check(format!("{name}: thumbnail does not decode: {e}")))?;
    if dims.0 > SIDE || dims.1 > SIDE || dims.0.max(dims.1) != SIDE {
        return Err(BenchError::Check(format!("{name}: thumbnail is {dims:?}")));
    }
    Ok(ms)
}

/// [`CACHED_CALLS`] previewThumbnail calls of `name` (already rendered): mean ms.
async fn cached_calls(svc: &StorageService, name: String) -> BenchResult<f64> {
    let start = Instant::now();
    for _ in 0..CACHED_CALLS {
        let content = svc
            .preview_thumbnail(&name, Some(SIDE), Some(SIDE), None, ReadOptions::default())
            .await?;
        if drain(content).await? == 0 {
            return Err(BenchError::Check(format!("{name}: empty thumbnail")));
        }
    }
    Ok(start.elapsed().as_secs_f64() * 1000.0 / CACHED_CALLS as f64)
}

/// A served file's body in memory (thumbnails are a few KiB).
async fn collect(content: jitstore::service::FileContent) -> BenchResult<Vec<u8>> {
    use futures::StreamExt;
    let mut out = Vec::new();
    if let Some(mut body) = content.body {
        while let Some(chunk) = body.next().await {
            out.extend_from_slice(&chunk?);
        }
    }
    Ok(out)
}
