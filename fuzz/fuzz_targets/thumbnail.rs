//! Fuzz target: any bytes as an image to make a thumbnail of, under small limits.
//! Invariants: no panic; refusals are the four `ThumbnailError` kinds; a thumbnail fits
//! the box it was asked for, never enlarges the source, has its source's format and
//! decodes at the size it claims.

#![no_main]

use jit_thumbnail::{render_thumbnail, ThumbnailError, ThumbnailLimits};
use libfuzzer_sys::fuzz_target;

/// Small limits, so a declared size cannot make a run slow or large.
fn limits() -> ThumbnailLimits {
    let mut limits = ThumbnailLimits::default();
    limits.max_source_bytes = 64 << 10;
    limits.max_source_side = 512;
    limits.max_decode_bytes = 4 << 20;
    limits.max_thumbnail_side = 64;
    limits
}

fuzz_target!(|data: &[u8]| {
    // Two bytes choose the box (0..=71 each way: 0 and over 64 are bad sizes); the rest
    // is the source.
    let [w, h, source @ ..] = data else {
        return;
    };
    let (width, height) = (u32::from(*w % 72), u32::from(*h % 72));
    let result = render_thumbnail(source, width, height, &limits());
    let bad_box = width == 0 || height == 0 || width > 64 || height > 64;
    assert_eq!(
        bad_box,
        matches!(result, Err(ThumbnailError::BadSize(_))),
        "{result:?}"
    );
    match result {
        Ok(thumb) => {
            assert!(
                (1..=width).contains(&thumb.width),
                "{}×{}",
                thumb.width,
                thumb.height
            );
            assert!(
                (1..=height).contains(&thumb.height),
                "{}×{}",
                thumb.width,
                thumb.height
            );
            let source_format = image::guess_format(source).expect("a source that rendered");
            let format = image::guess_format(&thumb.bytes).expect("a thumbnail in a format");
            assert_eq!(format, source_format);
            assert_eq!(thumb.content_type, format.to_mime_type());
            let source_size = image::ImageReader::with_format(std::io::Cursor::new(source), format)
                .into_dimensions()
                .expect("the source's size");
            assert!(thumb.width <= source_size.0 && thumb.height <= source_size.1);
            let decoded = image::load_from_memory_with_format(&thumb.bytes, format)
                .expect("the thumbnail decodes");
            assert_eq!(
                (decoded.width(), decoded.height()),
                (thumb.width, thumb.height)
            );
        }
        Err(
            ThumbnailError::BadSize(_)
            | ThumbnailError::NotAnImage
            | ThumbnailError::TooLarge(_)
            | ThumbnailError::Corrupt(_),
        ) => {}
        Err(other) => panic!("an error of no known kind: {other:?}"),
    }
});
