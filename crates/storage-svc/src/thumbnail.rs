//! Thumbnails: JPEG, PNG, WebP and GIF (first frame) scaled to fit a box, keeping the
//! aspect ratio, with limits on the source against decompression bombs. Pure: bytes in,
//! bytes out (call it off the async runtime, e.g. in `spawn_blocking`).

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
pub fn thumbnail_name(name: &str, width: u32, height: u32) -> String {
    let _ = (name, width, height);
    todo!("thumbnails")
}

/// Renders a thumbnail of `source` that fits `width` × `height`, keeping the aspect
/// ratio and never enlarging, in the source's format (GIF: its first frame).
pub fn render_thumbnail(
    source: &[u8],
    width: u32,
    height: u32,
    limits: &ThumbnailLimits,
) -> Result<Thumbnail, ThumbnailError> {
    let _ = (source, width, height, limits);
    todo!("thumbnails")
}
