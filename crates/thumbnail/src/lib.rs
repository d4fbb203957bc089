//! Thumbnails: JPEG, PNG, WebP and GIF (first frame) scaled to fit a box, keeping the
//! aspect ratio, with limits on the source against decompression bombs. Pure: bytes in,
//! bytes out (call it off the async runtime, e.g. in `spawn_blocking`).
//!
//! StorageSvc (`jit-storage-svc`) uses it for previewThumbnail and re-exports it as
//! `jit_storage_svc::thumbnail`; it is a crate of its own so that it builds (and is
//! fuzzed) without the service's database and HTTP dependencies.

#![warn(missing_docs)]

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// The JPEG quality of thumbnails of JPEG sources.
const JPEG_QUALITY: u8 = 85;

/// Limits on the images thumbnails are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThumbnailLimits {
    /// The largest source file, in bytes.
    pub max_source_bytes: u64,
    /// The largest source width and height, in pixels.
    pub max_source_side: u32,
    /// The most memory the decoder may allocate, in bytes.
    pub max_decode_bytes: u64,
    /// The largest thumbnail width and height asked for.
    pub max_thumbnail_side: u32,
}

impl Default for ThumbnailLimits {
    fn default() -> Self {
        Self {
            max_source_bytes: 32 << 20,
            max_source_side: 12_000,
            max_decode_bytes: 512 << 20,
            max_thumbnail_side: 2_048,
        }
    }
}

/// A rendered thumbnail.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// Its content type (that of the source format).
    pub content_type: &'static str,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// Why no thumbnail was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ThumbnailError {
    /// Not JPEG, PNG, WebP or GIF.
    #[error("not an image a thumbnail can be made of (JPEG, PNG, WebP or GIF)")]
    NotAnImage,
    /// Over a [`ThumbnailLimits`] limit.
    #[error("{0}")]
    TooLarge(String),
    /// A width or height of 0 or over the limit.
    #[error("{0}")]
    BadSize(String),
    /// An image that cannot be decoded.
    #[error("the image cannot be decoded: {0}")]
    Corrupt(String),
}

/// The cached thumbnail's name: `<stem>_<w>_<h>.<ext>` beside `name`
/// (`a/photo.png` → `a/photo_120_120.png`; no extension: `a/photo_120_120`).
///
/// The extension is the part after the last `.` of the last `/`-separated segment; a
/// segment whose only `.` is its first character (`a/.hidden`) has no extension.
pub fn thumbnail_name(name: &str, width: u32, height: u32) -> String {
    let segment_start = name.rfind('/').map_or(0, |i| i + 1);
    let segment = &name[segment_start..];
    match segment.rfind('.') {
        Some(dot) if dot > 0 => {
            let split = segment_start + dot;
            format!("{}_{width}_{height}{}", &name[..split], &name[split..])
        }
        _ => format!("{name}_{width}_{height}"),
    }
}

/// Renders a thumbnail of `source` that fits `width` × `height`, keeping the aspect
/// ratio and never enlarging, in the source's format (GIF: its first frame).
///
/// The format is detected from the bytes; the declared dimensions are checked against
/// `limits` before anything is decoded, and the decoder runs under `limits` too.
pub fn render_thumbnail(
    source: &[u8],
    width: u32,
    height: u32,
    limits: &ThumbnailLimits,
) -> Result<Thumbnail, ThumbnailError> {
    check_box(width, height, limits)?;
    if source.len() as u64 > limits.max_source_bytes {
        return Err(ThumbnailError::TooLarge(format!(
            "the image is {} bytes, over the limit of {} bytes",
            source.len(),
            limits.max_source_bytes
        )));
    }
    let format = match image::guess_format(source) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => f,
        _ => return Err(ThumbnailError::NotAnImage),
    };

    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_source_side);
    decode_limits.max_image_height = Some(limits.max_source_side);
    decode_limits.max_alloc = Some(limits.max_decode_bytes);
    let mut reader = ImageReader::with_format(Cursor::new(source), format);
    reader.limits(decode_limits);
    // Building the decoder reads only the header; the dimensions are checked before
    // a single pixel is decoded.
    let decoder = reader.into_decoder().map_err(from_image_error)?;
    let (source_width, source_height) = decoder.dimensions();
    if source_width > limits.max_source_side || source_height > limits.max_source_side {
        return Err(too_large_side(source_width, source_height, limits));
    }
    if source_width == 0 || source_height == 0 {
        return Err(ThumbnailError::Corrupt(format!(
            "the image declares a size of {source_width}×{source_height}"
        )));
    }
    if decoder.total_bytes() > limits.max_decode_bytes {
        return Err(ThumbnailError::TooLarge(format!(
            "decoding the {source_width}×{source_height} image needs {} bytes, over the limit of {} bytes",
            decoder.total_bytes(),
            limits.max_decode_bytes
        )));
    }
    // GIF: the decoder's `read_image` yields the first frame only.
    let image = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;

    let (target_width, target_height) = fit(image.width(), image.height(), width, height);
    let scaled = scale(&image, target_width, target_height);
    drop(image);
    encode(&scaled, format)
}

/// Refuses a box of 0 or over `max_thumbnail_side`.
fn check_box(width: u32, height: u32, limits: &ThumbnailLimits) -> Result<(), ThumbnailError> {
    if width == 0 || height == 0 {
        return Err(ThumbnailError::BadSize(format!(
            "a thumbnail of {width}×{height}: width and height must be at least 1"
        )));
    }
    let max = limits.max_thumbnail_side;
    if width > max || height > max {
        return Err(ThumbnailError::BadSize(format!(
            "a thumbnail of {width}×{height}: width and height must be at most {max}"
        )));
    }
    Ok(())
}

/// The error for a source wider or higher than allowed.
fn too_large_side(width: u32, height: u32, limits: &ThumbnailLimits) -> ThumbnailError {
    ThumbnailError::TooLarge(format!(
        "the image is {width}×{height} pixels, over the limit of {max}×{max}",
        max = limits.max_source_side
    ))
}

/// Maps a decoder error: limits → `TooLarge`, anything else → `Corrupt`.
fn from_image_error(error: ImageError) -> ThumbnailError {
    match error {
        ImageError::Limits(e) => {
            ThumbnailError::TooLarge(format!("the image is over a decoding limit: {e}"))
        }
        ImageError::Unsupported(e) => ThumbnailError::Corrupt(format!("unsupported: {e}")),
        other => ThumbnailError::Corrupt(other.to_string()),
    }
}

/// The size that fits `source` into the box keeping the aspect ratio, never enlarging,
/// at least 1 px each way.
fn fit(source_width: u32, source_height: u32, width: u32, height: u32) -> (u32, u32) {
    if source_width <= width && source_height <= height {
        return (source_width, source_height);
    }
    let ratio = f64::min(
        f64::from(width) / f64::from(source_width),
        f64::from(height) / f64::from(source_height),
    );
    // `as` saturates; the clamp keeps it within 1..=box.
    let scaled = |side: u32, max: u32| ((f64::from(side) * ratio).round() as u32).clamp(1, max);
    (scaled(source_width, width), scaled(source_height, height))
}

/// Scales to exactly `width` × `height` with a triangle filter; a much larger source is
/// first shrunk by area averaging to twice the target, which keeps the cost bounded.
fn scale(image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    if (image.width(), image.height()) == (width, height) {
        return image.clone();
    }
    let (pre_width, pre_height) = (width.saturating_mul(2), height.saturating_mul(2));
    if image.width() >= pre_width.saturating_mul(2)
        && image.height() >= pre_height.saturating_mul(2)
    {
        image.thumbnail_exact(pre_width, pre_height).resize_exact(
            width,
            height,
            FilterType::Triangle,
        )
    } else {
        image.resize_exact(width, height, FilterType::Triangle)
    }
}

/// Encodes `image` in `format` (one of the four supported).
fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Thumbnail, ThumbnailError> {
    let mut bytes = Vec::new();
    let (content_type, result) = match format {
        ImageFormat::Jpeg => {
            // JPEG has no alpha: flatten to RGB (or keep grey).
            let image = match image.color() {
                ColorType::L8 | ColorType::Rgb8 => image.clone(),
                ColorType::La8 | ColorType::L16 | ColorType::La16 => image.to_luma8().into(),
                _ => image.to_rgb8().into(),
            };
            let encoder = JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY);
            ("image/jpeg", image.write_with_encoder(encoder))
        }
        ImageFormat::Png => {
            let image = match image.color() {
                ColorType::L8
                | ColorType::La8
                | ColorType::Rgb8
                | ColorType::Rgba8
                | ColorType::L16
                | ColorType::La16
                | ColorType::Rgb16
                | ColorType::Rgba16 => image.clone(),
                _ => image.to_rgba8().into(),
            };
            (
                "image/png",
                image.write_with_encoder(PngEncoder::new(&mut bytes)),
            )
        }
        ImageFormat::WebP => {
            let image: DynamicImage = if image.color().has_alpha() {
                image.to_rgba8().into()
            } else {
                image.to_rgb8().into()
            };
            let encoder = WebPEncoder::new_lossless(&mut bytes);
            ("image/webp", image.write_with_encoder(encoder))
        }
        _ => {
            let image: DynamicImage = image.to_rgba8().into();
            (
                "image/gif",
                image.write_with_encoder(GifEncoder::new(&mut bytes)),
            )
        }
    };
    result.map_err(|e| ThumbnailError::Corrupt(format!("the thumbnail cannot be encoded: {e}")))?;
    Ok(Thumbnail {
        bytes,
        content_type,
        width: image.width(),
        height: image.height(),
    })
}
