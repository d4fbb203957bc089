//! uploadByFile, preview, download and delete against real files and real databases
//! (SQLite and PostgreSQL): records with JitAi's fields, md5 naming and storing the same
//! bytes once, ETag / If-None-Match / Range, errors a caller can match.

mod common;

use std::os::unix::fs::MetadataExt;

use bytes::Bytes;
use common::{body, finish, on_both};
use jit_storage::{Payload, PutOptions, StorageAppExt};
use jit_storage_svc::{Disposition, RangeSpec, ReadOptions, SvcErrorKind, UploadRequest};
use md5::{Digest, Md5};

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

#[tokio::test]
async fn upload_records_jitai_fields_and_preview_serves_them() {
    on_both(|f| async move {
        let svc = &f.svc;
        let mut request = UploadRequest::new("docs/hello world.txt", b"hello, world".to_vec());
        request.upload_user = Some("alice".into());
        let record = svc.upload_by_file(request).await.unwrap();
        assert_eq!(record.file_name, "docs/hello world.txt");
        assert_eq!(record.name, "docs/hello world.txt");
        assert_eq!(record.full_name, "storages.Default/docs/hello world.txt");
        assert_eq!(record.store_full_name, "storages.Default");
        assert_eq!(
            record.md5.as_deref(),
            Some(md5_hex(b"hello, world").as_str())
        );
        assert_eq!(record.size, Some(12));
        assert!(
            record.content_type.starts_with("text/plain"),
            "{}",
            record.content_type
        );
        assert_eq!(
            record.url,
            "/storages/services/StorageSvc/preview?file=docs%2Fhello%20world.txt"
        );
        assert_eq!(record.upload_user.as_deref(), Some("alice"));
        assert_eq!(record.expires, None);
        assert_eq!(record.uid.len(), 36);
        let json = serde_json::to_value(&record).unwrap();
        for key in [
            "id",
            "uid",
            "md5",
            "url",
            "name",
            "fileName",
            "fullName",
            "size",
            "type",
            "uploadTime",
            "uploadUser",
            "expires",
            "retentionPeriod",
            "storeFullName",
        ] {
            assert!(json.get(key).is_some(), "{key} missing in {json}");
        }
        assert_eq!(
            std::fs::read(f.files().join("docs/hello world.txt")).unwrap(),
            b"hello, world"
        );

        let content = svc
            .preview("docs/hello world.txt", None, ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(content.disposition, Disposition::Inline);
        assert_eq!(content.size, 12);
        assert!(content.etag.starts_with('"') && content.etag.ends_with('"'));
        assert_eq!(content.range, None);
        assert_eq!(content.record.uid, record.uid);
        let etag = content.etag.clone();
        assert_eq!(body(content).await, &b"hello, world"[..]);

        // If-None-Match: a list, weak comparison, `*`.
        for header in [etag.clone(), format!("\"nope\", W/{etag}"), "*".to_string()] {
            let read = ReadOptions {
                if_none_match: Some(header.clone()),
                ..ReadOptions::default()
            };
            let content = svc
                .preview("docs/hello world.txt", None, read)
                .await
                .unwrap();
            assert!(content.not_modified, "{header}");
            assert!(content.body.is_none());
        }
        let read = ReadOptions {
            if_none_match: Some("\"other\"".into()),
            ..ReadOptions::default()
        };
        let content = svc
            .preview("docs/hello world.txt", None, read)
            .await
            .unwrap();
        assert!(!content.not_modified);

        // Range.
        let read = ReadOptions {
            range: RangeSpec::parse("bytes=7-"),
            ..ReadOptions::default()
        };
        let content = svc
            .preview("docs/hello world.txt", None, read)
            .await
            .unwrap();
        assert_eq!(content.range, Some(7..12));
        assert_eq!(body(content).await, &b"world"[..]);
        let read = ReadOptions {
            range: RangeSpec::parse("bytes=12-"),
            ..ReadOptions::default()
        };
        let err = svc
            .preview("docs/hello world.txt", None, read)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::RangeNotSatisfiable, "{err}");
        assert_eq!(err.http_status(), 416);

        // download: an attachment under the original name.
        let content = svc
            .download("docs/hello world.txt", None, ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(
            content.disposition,
            Disposition::Attachment("docs/hello world.txt".into())
        );
        assert_eq!(body(content).await, &b"hello, world"[..]);

        // Re-uploading the same name replaces the record: a new uid and uploadTime.
        f.clock.advance_ms(5);
        let again = svc
            .upload_by_file(UploadRequest::new(
                "docs/hello world.txt",
                b"hello again".to_vec(),
            ))
            .await
            .unwrap();
        assert_ne!(again.uid, record.uid);
        assert!(again.upload_time > record.upload_time);
        assert_eq!(again.size, Some(11));
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn the_same_bytes_with_md5_are_stored_once() {
    on_both(|f| async move {
        let svc = &f.svc;
        let data = b"the same bytes, twice".to_vec();
        let md5 = md5_hex(&data);
        let mut first = UploadRequest::new("Report.TXT", data.clone());
        first.md5 = Some(md5.to_uppercase());
        first.expires = Some(100);
        let one = svc.upload_by_file(first).await.unwrap();
        let stored = format!("{md5}.txt");
        assert_eq!(one.file_name, stored);
        assert_eq!(one.name, "Report.TXT");
        let path = f.files().join(&stored);
        let before = std::fs::metadata(&path).unwrap();

        f.clock.advance_ms(1_000);
        let mut second = UploadRequest::new("copy.txt", data.clone());
        second.md5 = Some(md5.clone());
        second.expires = Some(1_000);
        let two = svc.upload_by_file(second).await.unwrap();
        let after = std::fs::metadata(&path).unwrap();
        assert_eq!(
            (before.ino(), before.mtime(), before.mtime_nsec()),
            (after.ino(), after.mtime(), after.mtime_nsec()),
            "the bytes must not be stored again"
        );
        assert_eq!(two.uid, one.uid);
        let later = one.upload_time + 1_000 + 1_000_000;
        assert_eq!(two.expires, Some(later), "the later expiry wins");
        assert_eq!(two.retention_period, Some(1_000));

        // A shorter expiry does not shorten it; "never" wins over any.
        let mut third = UploadRequest::new("x.txt", data.clone());
        third.md5 = Some(md5.clone());
        third.expires = Some(5);
        let three = svc.upload_by_file(third).await.unwrap();
        assert_eq!(three.expires, Some(later));
        let mut fourth = UploadRequest::new("x.txt", data.clone());
        fourth.md5 = Some(md5.clone());
        let four = svc.upload_by_file(fourth).await.unwrap();
        assert_eq!(four.expires, None);
        assert_eq!(svc.record(&stored, None).await.unwrap().expires, None);

        // Once the object is gone, the bytes are stored again.
        std::fs::remove_file(&path).unwrap();
        let mut fifth = UploadRequest::new("x.txt", data.clone());
        fifth.md5 = Some(md5.clone());
        let five = svc.upload_by_file(fifth).await.unwrap();
        assert_ne!(five.uid, one.uid);
        assert_eq!(std::fs::read(&path).unwrap(), data);

        // No extension: the md5 alone.
        let mut bare = UploadRequest::new("README", b"readme".to_vec());
        bare.md5 = Some(md5_hex(b"readme"));
        let bare = svc.upload_by_file(bare).await.unwrap();
        assert_eq!(bare.file_name, md5_hex(b"readme"));
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn md5_is_checked_for_bytes_files_and_streams() {
    on_both(|f| async move {
        let svc = &f.svc;
        let data = b"checked bytes".to_vec();
        let wrong = md5_hex(b"other bytes");

        let mut bytes = UploadRequest::new("a.bin", data.clone());
        bytes.md5 = Some(wrong.clone());
        let err = svc.upload_by_file(bytes).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");
        assert!(err.to_string().contains("md5"), "{err}");
        assert!(!f.files().join(format!("{wrong}.bin")).exists());

        let mut malformed = UploadRequest::new("a.bin", data.clone());
        malformed.md5 = Some("xyz".into());
        let err = svc.upload_by_file(malformed).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");

        // A local file is hashed (off the runtime).
        let local = f.dir.path().join("local.bin");
        std::fs::write(&local, &data).unwrap();
        let payload = Payload::from_file(&local).await.unwrap();
        let record = svc
            .upload_by_file(UploadRequest::new("from-file.bin", payload))
            .await
            .unwrap();
        assert_eq!(record.md5.as_deref(), Some(md5_hex(&data).as_str()));
        let mut wrong_file = UploadRequest::new("f.bin", Payload::from_file(&local).await.unwrap());
        wrong_file.md5 = Some(wrong.clone());
        assert_eq!(
            svc.upload_by_file(wrong_file).await.unwrap_err().kind(),
            SvcErrorKind::BadInput
        );

        // A stream is hashed on the fly; a mismatch deletes what was stored.
        let stream = |d: Vec<u8>| Payload::Stream {
            length: d.len() as u64,
            stream: Box::pin(futures::stream::iter(
                d.chunks(4)
                    .map(|c| Ok(Bytes::copy_from_slice(c)))
                    .collect::<Vec<_>>(),
            )),
        };
        let record = svc
            .upload_by_file(UploadRequest::new("streamed.bin", stream(data.clone())))
            .await
            .unwrap();
        assert_eq!(record.md5.as_deref(), Some(md5_hex(&data).as_str()));
        let mut bad_stream = UploadRequest::new("s.bin", stream(data.clone()));
        bad_stream.md5 = Some(wrong.clone());
        let err = svc.upload_by_file(bad_stream).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");
        assert!(!f.files().join(format!("{wrong}.bin")).exists());
        let err = svc
            .preview(&format!("{wrong}.bin"), None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound);
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn only_recorded_files_are_served_and_bad_input_names_the_parameter() {
    on_both(|f| async move {
        let svc = &f.svc;
        // An object put in the storage directly is not a recorded file.
        let storage = f.app.storage("storages.Default").await.unwrap();
        storage
            .put(
                "secret.txt",
                b"not recorded".to_vec().into(),
                PutOptions::default(),
            )
            .await
            .unwrap();
        let err = svc
            .preview("secret.txt", None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound, "{err}");
        assert_eq!(err.http_status(), 404);
        assert_eq!(err.method(), "preview");
        assert_eq!(err.file(), Some("secret.txt"));

        // A record whose object is missing is NotFound too.
        svc.upload_by_file(UploadRequest::new("gone.txt", b"x".to_vec()))
            .await
            .unwrap();
        std::fs::remove_file(f.files().join("gone.txt")).unwrap();
        let err = svc
            .download("gone.txt", None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound, "{err}");

        // Unknown storage: BadInput naming `storage`, the element error as the cause.
        let mut request = UploadRequest::new("a.txt", b"x".to_vec());
        request.storage = Some("storages.Defualt".into());
        let err = svc.upload_by_file(request).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");
        assert!(err.to_string().contains("`storage`"), "{err}");
        assert_eq!(err.storage(), Some("storages.Defualt"));
        assert!(std::error::Error::source(&err).is_some());

        for bad in ["../escape.txt", "/abs", "", "a/./b"] {
            let err = svc
                .upload_by_file(UploadRequest::new(bad, b"x".to_vec()))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), SvcErrorKind::BadInput, "{bad:?}: {err}");
            assert!(err.to_string().contains("`file`"), "{err}");
            let err = svc
                .preview(bad, None, ReadOptions::default())
                .await
                .unwrap_err();
            assert_eq!(err.kind(), SvcErrorKind::BadInput, "{bad:?}: {err}");
        }
        for expires in [0, 10 * 366 * 24 * 3600 + 1] {
            let mut request = UploadRequest::new("e.txt", b"x".to_vec());
            request.expires = Some(expires);
            let err = svc.upload_by_file(request).await.unwrap_err();
            assert_eq!(err.kind(), SvcErrorKind::BadInput, "{err}");
            assert!(err.to_string().contains("`expires`"), "{err}");
        }

        // Another storage: the url names it; the default's record is separate.
        let mut request = UploadRequest::new("a.txt", b"on signed".to_vec());
        request.storage = Some("storages.Signed".into());
        let record = svc.upload_by_file(request).await.unwrap();
        assert_eq!(
            record.url,
            "/storages/services/StorageSvc/preview?file=a.txt&storage=storages.Signed"
        );
        let err = svc
            .preview("a.txt", None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound);
        let content = svc
            .preview("a.txt", Some("storages.Signed"), ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(body(content).await, &b"on signed"[..]);
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn delete_removes_object_and_record_of_recorded_files_only() {
    on_both(|f| async move {
        let svc = &f.svc;
        svc.upload_by_file(UploadRequest::new("d.txt", b"bye".to_vec()))
            .await
            .unwrap();
        svc.delete("d.txt", None).await.unwrap();
        assert!(!f.files().join("d.txt").exists());
        let err = svc.record("d.txt", None).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound);
        let err = svc.delete("d.txt", None).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound);
        assert_eq!(err.method(), "delete");

        let storage = f.app.storage("storages.Default").await.unwrap();
        storage
            .put("keep.txt", b"k".to_vec().into(), PutOptions::default())
            .await
            .unwrap();
        assert_eq!(
            svc.delete("keep.txt", None).await.unwrap_err().kind(),
            SvcErrorKind::NotFound
        );
        assert!(
            f.files().join("keep.txt").exists(),
            "unrecorded objects are never deleted"
        );
        finish(f).await
    })
    .await;
}
