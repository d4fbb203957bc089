//! The thumbnail renderer against real images made with the `image` crate's encoders:
//! every format, aspect ratios, the first frame of an animated GIF, non-images,
//! decompression bombs, truncated files and bad sizes.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::gif::{GifDecoder, GifEncoder};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{
    AnimationDecoder, Delay, DynamicImage, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage,
};
use jit_thumbnail::{render_thumbnail, thumbnail_name, Thumbnail, ThumbnailError, ThumbnailLimits};

/// A colourful RGB gradient of `width` × `height`.
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// Encodes `image` in `format` with the `image` crate's own encoders.
fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    match format {
        ImageFormat::Jpeg => image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
            .unwrap(),
        ImageFormat::Png => image
            .write_with_encoder(PngEncoder::new(&mut bytes))
            .unwrap(),
        ImageFormat::WebP => image
            .write_with_encoder(WebPEncoder::new_lossless(&mut bytes))
            .unwrap(),
        ImageFormat::Gif => image
            .to_rgba8()
            .write_with_encoder(GifEncoder::new(&mut bytes))
            .unwrap(),
        other => panic!("no encoder for {other:?} in this test"),
    }
    bytes
}

/// Checks the thumbnail decodes in `format` at the size it claims, which is `expected`.
fn assert_decodes(thumb: &Thumbnail, format: ImageFormat, expected: (u32, u32)) -> DynamicImage {
    assert_eq!((thumb.width, thumb.height), expected);
    assert_eq!(image::guess_format(&thumb.bytes).unwrap(), format);
    let decoded = image::load_from_memory_with_format(&thumb.bytes, format).unwrap();
    assert_eq!((decoded.width(), decoded.height()), expected);
    decoded
}

#[test]
fn names_sit_beside_the_file() {
    assert_eq!(
        thumbnail_name("a/photo.png", 120, 120),
        "a/photo_120_120.png"
    );
    assert_eq!(thumbnail_name("photo.jpeg", 64, 32), "photo_64_32.jpeg");
    assert_eq!(thumbnail_name("a/b.c/photo", 10, 20), "a/b.c/photo_10_20");
    assert_eq!(thumbnail_name("a/.hidden", 120, 120), "a/.hidden_120_120");
    assert_eq!(
        thumbnail_name("a/archive.tar.gz", 5, 6),
        "a/archive.tar_5_6.gz"
    );
    assert_eq!(thumbnail_name("noext", 1, 2), "noext_1_2");
}

#[test]
fn every_format_is_scaled_into_its_own_format() {
    let limits = ThumbnailLimits::default();
    let cases = [
        (
            ImageFormat::Png,
            "image/png",
            (640, 480),
            (120, 120),
            (120, 90),
        ),
        (
            ImageFormat::Jpeg,
            "image/jpeg",
            (300, 600),
            (100, 100),
            (50, 100),
        ),
        (
            ImageFormat::WebP,
            "image/webp",
            (200, 100),
            (64, 64),
            (64, 32),
        ),
        (
            ImageFormat::Gif,
            "image/gif",
            (90, 300),
            (120, 60),
            (18, 60),
        ),
        (
            ImageFormat::Png,
            "image/png",
            (50, 40),
            (120, 120),
            (50, 40),
        ),
        (
            ImageFormat::Jpeg,
            "image/jpeg",
            (50, 40),
            (120, 30),
            (38, 30),
        ),
        (
            ImageFormat::WebP,
            "image/webp",
            (30, 30),
            (300, 300),
            (30, 30),
        ),
        (
            ImageFormat::Gif,
            "image/gif",
            (1000, 3),
            (100, 100),
            (100, 1),
        ),
    ];
    for (format, content_type, (w, h), (bw, bh), expected) in cases {
        let source = encode(gradient(w, h).into(), format);
        let thumb = render_thumbnail(&source, bw, bh, &limits)
            .unwrap_or_else(|e| panic!("{format:?} {w}×{h} in {bw}×{bh}: {e}"));
        assert_eq!(thumb.content_type, content_type);
        assert_decodes(&thumb, format, expected);
    }
}

#[test]
fn the_picture_survives_scaling() {
    // Left half red, right half blue: the thumbnail keeps that layout.
    let source = RgbImage::from_fn(400, 200, |x, _| {
        if x < 200 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        let bytes = encode(source.clone().into(), format);
        let thumb = render_thumbnail(&bytes, 100, 100, &ThumbnailLimits::default()).unwrap();
        let decoded = assert_decodes(&thumb, format, (100, 50)).to_rgb8();
        let left = decoded.get_pixel(10, 25);
        let right = decoded.get_pixel(90, 25);
        assert!(left[0] > 200 && left[2] < 60, "{format:?} left {left:?}");
        assert!(
            right[2] > 200 && right[0] < 60,
            "{format:?} right {right:?}"
        );
    }
}

#[test]
fn png_with_alpha_keeps_it_and_webp_too() {
    let source = RgbaImage::from_fn(80, 80, |x, _| {
        Rgba([0, 128, 0, if x < 40 { 0 } else { 255 }])
    });
    for format in [ImageFormat::Png, ImageFormat::WebP] {
        let bytes = encode(source.clone().into(), format);
        let thumb = render_thumbnail(&bytes, 40, 40, &ThumbnailLimits::default()).unwrap();
        let decoded = assert_decodes(&thumb, format, (40, 40)).to_rgba8();
        assert_eq!(decoded.get_pixel(2, 20)[3], 0, "{format:?}");
        assert_eq!(decoded.get_pixel(38, 20)[3], 255, "{format:?}");
    }
}

#[test]
fn an_animated_gif_gives_its_first_frame_as_a_still_gif() {
    let red = RgbaImage::from_pixel(100, 80, Rgba([255, 0, 0, 255]));
    let blue = RgbaImage::from_pixel(100, 80, Rgba([0, 0, 255, 255]));
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        let delay = Delay::from_numer_denom_ms(100, 1);
        encoder
            .encode_frames([
                Frame::from_parts(red, 0, 0, delay),
                Frame::from_parts(blue, 0, 0, delay),
            ])
            .unwrap();
    }
    let frames = GifDecoder::new(Cursor::new(&bytes)).unwrap().into_frames();
    assert_eq!(frames.count(), 2, "the source really is animated");

    let thumb = render_thumbnail(&bytes, 50, 50, &ThumbnailLimits::default()).unwrap();
    assert_eq!(thumb.content_type, "image/gif");
    let decoded = assert_decodes(&thumb, ImageFormat::Gif, (50, 40)).to_rgba8();
    for pixel in decoded.pixels() {
        assert_eq!(*pixel, Rgba([255, 0, 0, 255]), "pixels come from frame 1");
    }
    let frames = GifDecoder::new(Cursor::new(&thumb.bytes))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 1, "the thumbnail is a one-frame GIF");
}

#[test]
fn text_and_pdf_are_not_images() {
    let limits = ThumbnailLimits::default();
    for bytes in [
        &b"hello, this is plain text\n"[..],
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        b"",
        b"\x89PN",
        b"BM\x00\x00\x00\x00", // BMP: a real format, not one thumbnails are made of
    ] {
        assert_eq!(
            render_thumbnail(bytes, 100, 100, &limits).unwrap_err(),
            ThumbnailError::NotAnImage
        );
    }
}

/// A CRC-32 (IEEE) as PNG chunks need, bit by bit: no dependency for a test helper.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG chunk: length, type, data, CRC.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut crced = kind.to_vec();
    crced.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&crced).to_be_bytes());
    chunk
}

/// A small, valid PNG start declaring `width` × `height` RGB8, with a tiny IDAT.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    bytes.extend(png_chunk(b"IHDR", &ihdr));
    // A zlib stream of a few zero bytes: decoding all of it would inflate forever.
    bytes.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    bytes.extend(png_chunk(b"IEND", &[]));
    bytes
}

/// Asserts `bytes` is refused as too large, fast.
fn assert_too_large_fast(bytes: &[u8], limits: &ThumbnailLimits, what: &str) {
    let started = Instant::now();
    let result = render_thumbnail(bytes, 120, 120, limits);
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(ThumbnailError::TooLarge(_))),
        "{what}: {result:?}"
    );
    assert!(
        elapsed < Duration::from_millis(300),
        "{what}: took {elapsed:?}"
    );
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    let limits = ThumbnailLimits::default();
    let png = png_bomb(60_000, 60_000);
    assert!(png.len() < 100);
    assert_too_large_fast(&png, &limits, "PNG 60000×60000");

    // Sides allowed, but the pixels would not fit the decode budget.
    let mut wide = ThumbnailLimits::default();
    wide.max_source_side = 100_000;
    assert_too_large_fast(&png, &wide, "PNG 60000×60000 over max_decode_bytes");

    // A real JPEG whose frame header is patched to declare 65000×65000.
    let mut jpeg = encode(gradient(16, 16).into(), ImageFormat::Jpeg);
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline JPEG has an SOF0");
    // FFC0, length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&65_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&65_000u16.to_be_bytes());
    assert_too_large_fast(&jpeg, &limits, "JPEG 65000×65000");

    // A GIF whose logical screen is 65535×65535.
    let mut gif = encode(gradient(4, 4).into(), ImageFormat::Gif);
    gif[6..8].copy_from_slice(&65_535u16.to_le_bytes());
    gif[8..10].copy_from_slice(&65_535u16.to_le_bytes());
    assert_too_large_fast(&gif, &limits, "GIF 65535×65535");
}

#[test]
fn a_source_over_the_byte_limit_is_too_large() {
    let source = encode(gradient(64, 64).into(), ImageFormat::Png);
    let mut limits = ThumbnailLimits::default();
    limits.max_source_bytes = source.len() as u64 - 1;
    assert!(matches!(
        render_thumbnail(&source, 32, 32, &limits),
        Err(ThumbnailError::TooLarge(_))
    ));
    limits.max_source_bytes = source.len() as u64;
    render_thumbnail(&source, 32, 32, &limits).unwrap();

    let mut limits = ThumbnailLimits::default();
    limits.max_source_side = 63;
    assert!(matches!(
        render_thumbnail(&source, 32, 32, &limits),
        Err(ThumbnailError::TooLarge(_))
    ));
}

#[test]
fn truncated_images_are_corrupt() {
    let limits = ThumbnailLimits::default();
    for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP] {
        let source = encode(gradient(200, 200).into(), format);
        let truncated = &source[..source.len() / 2];
        let result = render_thumbnail(truncated, 50, 50, &limits);
        assert!(
            matches!(result, Err(ThumbnailError::Corrupt(_))),
            "{format:?}: {result:?}"
        );
    }
    // A JPEG cut inside its headers.
    let jpeg = encode(gradient(200, 200).into(), ImageFormat::Jpeg);
    let result = render_thumbnail(&jpeg[..40], 50, 50, &limits);
    assert!(
        matches!(result, Err(ThumbnailError::Corrupt(_))),
        "{result:?}"
    );
}

#[test]
fn bad_sizes_are_refused() {
    let source = encode(gradient(64, 64).into(), ImageFormat::Png);
    let limits = ThumbnailLimits::default();
    for (w, h) in [
        (0, 10),
        (10, 0),
        (0, 0),
        (2_049, 10),
        (10, 2_049),
        (u32::MAX, 1),
    ] {
        assert!(
            matches!(
                render_thumbnail(&source, w, h, &limits),
                Err(ThumbnailError::BadSize(_))
            ),
            "{w}×{h}"
        );
    }
    render_thumbnail(&source, 2_048, 2_048, &limits).unwrap();
}
