//! Checks of the bytes: round trips of every size and odd keys, streamed uploads,
//! overwrites, copies, batch deletes and ranged reads.

use bytes::Bytes;

use super::fixtures::{prefix, random_bytes};
use super::target::Target;
use crate::ext::StorageMetaExt;
use crate::types::{GetOptions, Payload, PutOptions};

/// Text uploaded with a content type downloads unchanged.
pub(crate) async fn round_trip_text(t: &Target) {
    let key = format!("{}folder/example.txt", prefix());
    let text = "hello, storage\nline two\n";
    t.storage
        .upload_by_file(&key, Bytes::from(text), Some("text/plain"))
        .await
        .expect("upload");
    let got = t.storage.download(&key).await.expect("download");
    assert_eq!(got, text.as_bytes());
}

/// Random binary data of 0 bytes, 1 byte and 10 MiB round-trips byte for byte.
pub(crate) async fn round_trip_binary_sizes(t: &Target) {
    let p = prefix();
    for size in [0usize, 1, 10 * 1024 * 1024] {
        let key = format!("{p}binary-{size}.bin");
        let data = random_bytes(size);
        let up = t
            .storage
            .upload_by_file(&key, data.clone(), None)
            .await
            .expect("upload");
        assert_eq!(up.size, size as u64, "{key}");
        let got = t.storage.download(&key).await.expect("download");
        assert_eq!(got.len(), size, "{key}");
        assert!(got == data, "{key}: content differs");
        assert_eq!(
            t.storage.get_object(&key).await.expect("stat").size,
            size as u64
        );
    }
}

/// Keys with spaces, `+`, `%`, `#`, `?`, `&`, `=`, `~`, unicode and nested folders work
/// in every operation, and stay distinct from each other.
pub(crate) async fn special_keys(t: &Target) {
    let p = prefix();
    let names = [
        "with space.txt",
        "plus+sign.txt",
        "percent%20literal.txt",
        "hash#tag.txt",
        "question?mark.txt",
        "amp&eq=.txt",
        "tilde~star*.txt",
        "文件/中文 名.txt",
        "emoji-☃-🚀.txt",
        "deeply/nested/folder/structure/file.txt",
    ];
    for name in names {
        let key = format!("{p}{name}");
        let body = Bytes::from(format!("content of {name}"));
        t.storage
            .upload_by_file(&key, body.clone(), Some("text/plain"))
            .await
            .unwrap_or_else(|e| panic!("upload {key:?}: {e}"));
        let got = t
            .storage
            .download(&key)
            .await
            .unwrap_or_else(|e| panic!("download {key:?}: {e}"));
        assert_eq!(got, body, "{key:?}");
        let info = t
            .storage
            .get_object(&key)
            .await
            .unwrap_or_else(|e| panic!("stat {key:?}: {e}"));
        assert_eq!(info.key, key);
    }
    // "percent%20literal" must not have been decoded into "percent literal".
    let decoded = format!("{p}percent literal.txt");
    assert!(!t.storage.exists(&decoded).await.expect("exists"));
    for name in names {
        let key = format!("{p}{name}");
        t.storage
            .delete(&key)
            .await
            .unwrap_or_else(|e| panic!("delete {key:?}: {e}"));
        assert!(!t.storage.exists(&key).await.expect("exists"), "{key:?}");
    }
}

/// A streamed payload of known length is stored whole.
pub(crate) async fn streamed_upload(t: &Target) {
    let key = format!("{}streamed.bin", prefix());
    let chunks: Vec<Bytes> = (0..16).map(|_| random_bytes(64 * 1024 + 7)).collect();
    let expected: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    let stream = futures::stream::iter(chunks.into_iter().map(Ok));
    let payload = Payload::Stream {
        stream: Box::pin(stream),
        length: expected.len() as u64,
    };
    let up = t
        .storage
        .put(&key, payload, PutOptions::default())
        .await
        .expect("put stream");
    assert_eq!(up.size, expected.len() as u64);
    assert!(t.storage.download(&key).await.expect("download") == expected);
}

/// A second upload to the same key replaces the first, content type included.
pub(crate) async fn overwrite_replaces(t: &Target) {
    let key = format!("{}over.txt", prefix());
    t.storage
        .upload_by_file(
            &key,
            Bytes::from_static(b"first version, longer"),
            Some("text/plain"),
        )
        .await
        .expect("first upload");
    t.storage
        .upload_by_file(&key, Bytes::from_static(b"second"), Some("text/markdown"))
        .await
        .expect("second upload");
    assert_eq!(
        t.storage.download(&key).await.expect("download"),
        &b"second"[..]
    );
    let info = t.storage.get_object(&key).await.expect("stat");
    assert_eq!(info.size, 6);
    assert_eq!(info.content_type.as_deref(), Some("text/markdown"));
}

/// `copy` duplicates content and content type.
pub(crate) async fn copy_keeps_content_and_type(t: &Target) {
    let p = prefix();
    let (from, to) = (format!("{p}orig.txt"), format!("{p}copy/of orig.txt"));
    t.storage
        .upload_by_file(&from, Bytes::from_static(b"copy me"), Some("text/csv"))
        .await
        .expect("upload");
    t.storage.copy(&from, &to).await.expect("copy");
    assert_eq!(
        t.storage.download(&to).await.expect("download copy"),
        &b"copy me"[..]
    );
    let info = t.storage.get_object(&to).await.expect("stat copy");
    assert_eq!(info.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        t.storage.download(&from).await.expect("original"),
        &b"copy me"[..]
    );
}

/// `delete_many` removes every object named, and leaves the others.
pub(crate) async fn delete_many_removes_every_object(t: &Target) {
    let p = prefix();
    let names: Vec<String> = (0..5).map(|i| format!("{p}batch/{i}.txt")).collect();
    for name in &names {
        t.storage
            .put(name, Payload::from(name.clone()), PutOptions::default())
            .await
            .expect("put");
    }
    let kept = format!("{p}batch/kept.txt");
    t.storage
        .put(
            &kept,
            Payload::from(b"stay".to_vec()),
            PutOptions::default(),
        )
        .await
        .expect("put");
    let mut doomed = names.clone();
    doomed.push(format!("{p}batch/never-existed.txt"));
    t.storage.delete_many(&doomed).await.expect("delete_many");
    for name in &names {
        assert!(!t.storage.exists(name).await.expect("exists"), "{name}");
    }
    assert!(t.storage.exists(&kept).await.expect("exists"));
}

/// Ranged reads return exactly the bytes asked for.
pub(crate) async fn range_read(t: &Target) {
    let key = format!("{}range.bin", prefix());
    let data = random_bytes(10_000);
    t.storage
        .upload_by_file(&key, data.clone(), None)
        .await
        .expect("upload");
    for range in [0..1, 100..2_000, 9_999..10_000, 5_000..20_000] {
        let got = t
            .storage
            .get(
                &key,
                GetOptions {
                    range: Some(range.clone()),
                },
            )
            .await
            .expect("ranged get")
            .bytes()
            .await
            .expect("ranged body");
        let end = (range.end as usize).min(data.len());
        assert!(
            got == data.slice(range.start as usize..end),
            "range {range:?}"
        );
    }
}
