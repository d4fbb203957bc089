//! getSignUrl: a presigned PUT (DiskType with baseUrl and signingKey), the headers the
//! browser must send, the record made at once and sized when first read; a storage that
//! cannot presign is Unsupported with a message saying what to configure.

mod common;

use common::{body, finish, on_both};
use jit_storage::{PutOptions, StorageAppExt};
use jit_storage_svc::{ReadOptions, SignRequest, SvcErrorKind};

#[tokio::test]
async fn a_signed_upload_is_recorded_and_sized_when_read() {
    on_both(|f| async move {
        let svc = &f.svc;
        let mut request = SignRequest::new("big/video.mp4", "video/mp4");
        request.storage = Some("storages.Signed".into());
        request.expires = Some(3_600);
        request.upload_user = Some("bob".into());
        let signed = svc.get_sign_url(request).await.unwrap();
        assert_eq!(signed.method, "PUT");
        assert!(
            signed.url.starts_with("http://127.0.0.1:9/files/"),
            "{}",
            signed.url
        );
        let content_type = signed
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str());
        assert_eq!(content_type, Some("video/mp4"));
        let now = f.clock.now_ms();
        let lifetime = signed.expires_at
            - std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64;
        assert!((295_000..=301_000).contains(&lifetime), "{lifetime}");
        let file = &signed.file;
        assert_eq!(file.file_name, "big/video.mp4");
        assert_eq!(file.size, None);
        assert_eq!(file.md5, None);
        assert_eq!(file.content_type, "video/mp4");
        assert_eq!(file.expires, Some(now + 3_600_000));
        assert_eq!(file.upload_user.as_deref(), Some("bob"));
        let json = serde_json::to_value(&signed).unwrap();
        assert!(json.get("expiresAt").is_some() && json["file"].get("fileName").is_some());

        // Until the browser's PUT, the file is recorded but not there.
        let err = svc
            .record("big/video.mp4", Some("storages.Signed"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound, "{err}");

        // The browser's PUT lands in the storage (here through the storage itself).
        let storage = f.app.storage("storages.Signed").await.unwrap();
        storage
            .put(
                "big/video.mp4",
                b"not really a video".to_vec().into(),
                PutOptions::content_type("video/mp4"),
            )
            .await
            .unwrap();
        let content = svc
            .preview(
                "big/video.mp4",
                Some("storages.Signed"),
                ReadOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(content.content_type, "video/mp4");
        assert_eq!(content.record.size, Some(18));
        assert_eq!(body(content).await, &b"not really a video"[..]);
        let record = svc
            .record("big/video.mp4", Some("storages.Signed"))
            .await
            .unwrap();
        assert_eq!(record.size, Some(18), "the size is recorded");

        let mut short = SignRequest::new("s.bin", "application/octet-stream");
        short.storage = Some("storages.Signed".into());
        short.url_expires = Some(60);
        let signed = svc.get_sign_url(short).await.unwrap();
        let lifetime = signed.expires_at - now;
        assert!((55_000..=65_000).contains(&lifetime), "{lifetime}");
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn storages_that_cannot_presign_and_bad_parameters_are_refused() {
    on_both(|f| async move {
        let svc = &f.svc;
        let err = svc
            .get_sign_url(SignRequest::new("a.txt", "text/plain"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::Unsupported, "{err}");
        assert_eq!(err.http_status(), 501);
        let shown = err.to_string();
        assert!(
            shown.contains("storages.Default (storages.DiskType) cannot presign uploads")
                && shown.contains("baseUrl and signingKey"),
            "{shown}"
        );
        assert_eq!(
            svc.record("a.txt", None).await.unwrap_err().kind(),
            SvcErrorKind::NotFound,
            "nothing is recorded"
        );
        for url_expires in [0, 604_801] {
            let mut request = SignRequest::new("a.txt", "text/plain");
            request.storage = Some("storages.Signed".into());
            request.url_expires = Some(url_expires);
            let err = svc.get_sign_url(request).await.unwrap_err();
            assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");
        }
        let mut request = SignRequest::new("../a.txt", "text/plain");
        request.storage = Some("storages.Signed".into());
        assert_eq!(
            svc.get_sign_url(request).await.unwrap_err().kind(),
            SvcErrorKind::BadInput
        );
        let mut request = SignRequest::new("a.txt", " ");
        request.storage = Some("storages.Signed".into());
        assert_eq!(
            svc.get_sign_url(request).await.unwrap_err().kind(),
            SvcErrorKind::BadInput
        );
        finish(f).await
    })
    .await;
}
