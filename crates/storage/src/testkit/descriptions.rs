//! Checks of what describes an object: content types (given, guessed, default), user
//! metadata, the upload result and the CRC-64.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::fixtures::prefix;
use super::target::Target;
use crate::ext::StorageMetaExt;
use crate::types::{Payload, PutOptions};

/// `get_object` returns the content type given at upload, parameters included.
pub(crate) async fn content_type_is_kept(t: &Target) {
    let key = format!("{}doc.json", prefix());
    let options = PutOptions::content_type("application/json; charset=utf-8");
    t.storage
        .put(&key, Payload::from(b"{\"a\":1}".to_vec()), options)
        .await
        .expect("put");
    let info = t.storage.get_object(&key).await.expect("stat");
    assert_eq!(
        info.content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(info.size, 7);
    assert!(info.last_modified.is_some(), "last_modified missing");
}

/// Without a content type or a known extension, objects are `application/octet-stream`.
pub(crate) async fn default_content_type(t: &Target) {
    let key = format!("{}blob", prefix());
    t.storage
        .upload_by_file(&key, Bytes::from_static(b"x"), None)
        .await
        .expect("upload");
    let info = t.storage.get_object(&key).await.expect("stat");
    assert_eq!(
        info.content_type.as_deref(),
        Some("application/octet-stream")
    );
}

/// The upload result names the key, size and URL (the object's address).
pub(crate) async fn upload_result_describes_object(t: &Target) {
    let key = format!("{}result/a b.txt", prefix());
    let up = t
        .storage
        .upload_by_file(&key, Bytes::from_static(b"12345"), Some("text/plain"))
        .await
        .expect("upload");
    assert_eq!(up.key, key);
    assert_eq!(up.size, 5);
    assert!(!up.url.is_empty());
    assert_eq!(up.url, t.storage.object_url(&key).expect("object_url"));
    if let (Some(up_etag), Some(info_etag)) = (
        &up.etag,
        &t.storage.get_object(&key).await.expect("stat").etag,
    ) {
        assert_eq!(up_etag, info_etag);
    }
}

/// An upload without a content type is stored with the one its extension implies, the
/// same way on every Type (`upload_by_file` and `put` alike).
pub(crate) async fn content_type_follows_the_extension(t: &Target) {
    let p = prefix();
    for (name, expected) in [
        ("photo.png", "image/png"),
        ("notes/readme.TXT", "text/plain"),
        ("report.pdf", "application/pdf"),
    ] {
        let key = format!("{p}{name}");
        t.storage
            .upload_by_file(&key, Bytes::from_static(b"x"), None)
            .await
            .expect("upload");
        let info = t.storage.get_object(&key).await.expect("stat");
        assert_eq!(info.content_type.as_deref(), Some(expected), "{name}");
        let key = format!("{p}put/{name}");
        t.storage
            .put(&key, Payload::from(b"x".to_vec()), PutOptions::default())
            .await
            .expect("put");
        let info = t.storage.stat(&key).await.expect("stat");
        assert_eq!(info.content_type.as_deref(), Some(expected), "put {name}");
    }
}

/// User metadata given at upload comes back from `get_object`.
pub(crate) async fn user_metadata_is_kept(t: &Target) {
    let key = format!("{}meta.bin", prefix());
    let options = PutOptions::default()
        .with_metadata("author", "alice")
        .with_metadata("purpose", "suite");
    t.storage
        .put(&key, Payload::from(b"x".to_vec()), options)
        .await
        .expect("put");
    let info = t.storage.get_object(&key).await.expect("stat");
    let expected = BTreeMap::from([
        ("author".to_string(), "alice".to_string()),
        ("purpose".to_string(), "suite".to_string()),
    ]);
    assert_eq!(info.metadata, expected);
}

/// The upload result and `get_object` carry the CRC-64/XZ of the stored bytes.
pub(crate) async fn crc64_is_reported(t: &Target) {
    let key = format!("{}crc.txt", prefix());
    let up = t
        .storage
        .upload_by_file(&key, Bytes::from_static(b"12345"), Some("text/plain"))
        .await
        .expect("upload");
    let expected = crc::Crc::<u64>::new(&crc::CRC_64_XZ).checksum(b"12345");
    assert_eq!(up.crc64, Some(expected), "CRC-64/XZ of the uploaded bytes");
    let info = t.storage.get_object(&key).await.expect("stat");
    assert_eq!(info.crc64, Some(expected));
}
