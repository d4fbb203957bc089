//! previewThumbnail through the service: rendered once, cached beside the file in the
//! same storage and reused, recorded so that delete and expiry remove it, limits and
//! non-images refused with matchable kinds. Real files, SQLite and PostgreSQL.

mod common;

use std::os::unix::fs::MetadataExt;

use common::{body, finish, on_both};
use jit_storage_svc::thumbnail::thumbnail_name;
use jit_storage_svc::{
    Disposition, RangeSpec, ReadOptions, ServiceSettings, StorageService, SvcErrorKind,
    UploadRequest,
};

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 256) as u8, 10, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).expect("a thumbnail that decodes");
    (img.width(), img.height())
}

#[tokio::test]
async fn thumbnails_are_rendered_once_cached_and_reused() {
    on_both(|f| async move {
        let svc = &f.svc;
        svc.upload_by_file(UploadRequest::new("pics/wide.png", png(300, 150)))
            .await
            .unwrap();
        let content = svc
            .preview_thumbnail("pics/wide.png", None, None, None, ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(content.content_type, "image/png");
        assert_eq!(content.disposition, Disposition::Inline);
        assert_eq!(content.record.file_name, "pics/wide.png");
        let etag = content.etag.clone();
        assert_eq!(dimensions(&body(content).await), (120, 60));
        let cached = f.files().join(thumbnail_name("pics/wide.png", 120, 120));
        let before = std::fs::metadata(&cached).expect("cached beside the file");

        // Reused: the cached object is not written again.
        let again = svc
            .preview_thumbnail(
                "pics/wide.png",
                Some(120),
                Some(120),
                None,
                ReadOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(again.etag, etag);
        assert_eq!(dimensions(&body(again).await), (120, 60));
        let after = std::fs::metadata(&cached).unwrap();
        assert_eq!(
            (before.ino(), before.mtime(), before.mtime_nsec()),
            (after.ino(), after.mtime(), after.mtime_nsec())
        );
        let read = ReadOptions {
            if_none_match: Some(etag.clone()),
            ..ReadOptions::default()
        };
        let not_modified = svc
            .preview_thumbnail("pics/wide.png", None, None, None, read)
            .await
            .unwrap();
        assert!(not_modified.not_modified && not_modified.body.is_none());
        let read = ReadOptions {
            range: RangeSpec::parse("bytes=0-7"),
            ..ReadOptions::default()
        };
        let head = svc
            .preview_thumbnail("pics/wide.png", None, None, None, read)
            .await
            .unwrap();
        assert_eq!(head.range, Some(0..8));
        assert_eq!(&body(head).await[..], b"\x89PNG\r\n\x1a\n");

        // Another box, another cached file; a JPEG stays a JPEG.
        let tall = svc
            .preview_thumbnail(
                "pics/wide.png",
                Some(30),
                Some(200),
                None,
                ReadOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(dimensions(&body(tall).await), (30, 15));
        svc.upload_by_file(UploadRequest::new("photo.jpg", jpeg(200, 400)))
            .await
            .unwrap();
        let photo = svc
            .preview_thumbnail(
                "photo.jpg",
                Some(50),
                Some(50),
                None,
                ReadOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(photo.content_type, "image/jpeg");
        assert_eq!(dimensions(&body(photo).await), (25, 50));

        // delete removes the file and every cached thumbnail of it.
        svc.delete("pics/wide.png", None).await.unwrap();
        assert!(!cached.exists());
        assert!(!f
            .files()
            .join(thumbnail_name("pics/wide.png", 30, 200))
            .exists());
        let err = svc
            .preview_thumbnail("pics/wide.png", None, None, None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound);
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn expiry_removes_thumbnails_too() {
    on_both(|f| async move {
        let svc = &f.svc;
        let mut request = UploadRequest::new("brief.png", png(40, 40));
        request.expires = Some(2);
        svc.upload_by_file(request).await.unwrap();
        svc.preview_thumbnail(
            "brief.png",
            Some(20),
            Some(20),
            None,
            ReadOptions::default(),
        )
        .await
        .unwrap();
        let cached = f.files().join(thumbnail_name("brief.png", 20, 20));
        assert!(cached.exists());
        f.clock.advance_ms(2_000);
        assert_eq!(svc.sweep_expired().await.unwrap(), 1);
        assert!(!cached.exists());
        assert!(!f.files().join("brief.png").exists());
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn bad_sizes_non_images_and_limits_are_refused() {
    on_both(|f| async move {
        let svc = &f.svc;
        svc.upload_by_file(UploadRequest::new("a.png", png(64, 64)))
            .await
            .unwrap();
        for (w, h) in [(Some(0), None), (None, Some(5_000))] {
            let err = svc
                .preview_thumbnail("a.png", w, h, None, ReadOptions::default())
                .await
                .unwrap_err();
            assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");
            assert!(err.to_string().contains("`width`") || err.to_string().contains("`height`"));
        }

        svc.upload_by_file(UploadRequest::new("notes.txt", b"just text".to_vec()))
            .await
            .unwrap();
        let err = svc
            .preview_thumbnail("notes.txt", None, None, None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotAnImage, "{err}");
        assert_eq!(err.http_status(), 415);

        let mut broken = png(64, 64);
        broken.truncate(broken.len() / 2);
        svc.upload_by_file(UploadRequest::new("broken.png", broken))
            .await
            .unwrap();
        let err = svc
            .preview_thumbnail("broken.png", None, None, None, ReadOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err.kind(),
                SvcErrorKind::NotAnImage | SvcErrorKind::BadInput
            ),
            "{err}"
        );

        // Only recorded files: an image put straight into the storage has no thumbnail.
        std::fs::write(f.files().join("direct.png"), png(10, 10)).unwrap();
        let err = svc
            .preview_thumbnail("direct.png", None, None, None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound, "{err}");

        // Over the source-size limit.
        let mut settings = ServiceSettings::from_app(&f.app).unwrap();
        settings.thumbnail_limits.max_source_bytes = 100;
        let strict = StorageService::open_with(&f.app, settings).await.unwrap();
        let err = strict
            .preview_thumbnail("a.png", None, None, None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::TooLarge, "{err}");
        assert_eq!(err.http_status(), 413);
        strict.records().close().await;
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn a_recorded_file_under_a_thumbnail_name_is_never_overwritten() {
    on_both(|f| async move {
        let svc = &f.svc;
        svc.upload_by_file(UploadRequest::new("p.png", png(100, 50)))
            .await
            .unwrap();
        let taken = thumbnail_name("p.png", 120, 120);
        svc.upload_by_file(UploadRequest::new(
            taken.as_str(),
            b"mine, not a thumbnail".to_vec(),
        ))
        .await
        .unwrap();
        let thumb = svc
            .preview_thumbnail("p.png", None, None, None, ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(dimensions(&body(thumb).await), (100, 50), "never enlarged");
        assert_eq!(
            std::fs::read(f.files().join(&taken)).unwrap(),
            b"mine, not a thumbnail"
        );
        svc.delete("p.png", None).await.unwrap();
        assert!(f.files().join(&taken).exists(), "the user's file stays");
        finish(f).await
    })
    .await;
}
