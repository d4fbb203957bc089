//! The behaviour suite: one check per promise of the storage contract. Every storage Type
//! runs it against itself with one macro call:
//!
//! ```ignore
//! async fn target() -> jit_storage::testkit::Target { /* build a storage */ }
//! jit_storage::behaviour_suite!(target);
//! ```
//!
//! Each check writes under its own random prefix, so checks may share one backend and
//! run in parallel. Checks of optional capabilities pass trivially only when the storage
//! states that it lacks the capability.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rand::{Rng, RngCore};

use crate::{
    GetOptions, ListOptions, Payload, PresignOptions, PutOptions, StorageErrorKind, StorageMeta,
};

/// A storage under test, the HTTP client that fetches its URLs, and whatever must live as
/// long as the test (temp dirs, servers).
pub struct Target {
    /// The storage, as callers get it (ideally loaded through an `App`).
    pub storage: Arc<dyn StorageMeta>,
    /// Fetches signed URLs (give one with DNS overrides for virtual-host styles).
    pub http: reqwest::Client,
    _guards: Vec<Box<dyn Any + Send + Sync>>,
}

impl Target {
    /// A target with a default HTTP client.
    pub fn new(storage: Arc<dyn StorageMeta>) -> Self {
        Self {
            storage,
            http: reqwest::Client::new(),
            _guards: Vec::new(),
        }
    }

    /// Uses this HTTP client for signed URLs.
    pub fn with_http(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Keeps `guard` alive for the duration of the check.
    pub fn keep(mut self, guard: impl Any + Send + Sync) -> Self {
        self._guards.push(Box::new(guard));
        self
    }
}

/// Generates one `#[tokio::test]` per behaviour check, each building its target with the
/// given `async fn() -> Target`.
#[macro_export]
macro_rules! behaviour_suite {
    ($make_target:path) => {
        $crate::behaviour_suite!(@checks $make_target;
            round_trip_text, round_trip_binary_sizes, special_keys, content_type_and_metadata,
            default_content_type, overwrite_replaces, delete_then_download_is_not_found,
            delete_missing_key_succeeds, stat_missing_is_not_found, exists_reports_presence,
            upload_result_describes_object, streamed_upload, bad_names_are_rejected,
            signed_url_serves_bytes, presigned_put_uploads, range_read, list_prefix_and_delimiter,
            list_pagination, copy_keeps_content_and_type, errors_name_the_element);
    };
    (@checks $make_target:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let target = $make_target().await;
                $crate::testkit::$check(&target).await;
            }
        )*
    };
}

fn prefix() -> String {
    format!("suite-{:016x}/", rand::thread_rng().gen::<u64>())
}

fn random_bytes(len: usize) -> Bytes {
    let mut data = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut data);
    Bytes::from(data)
}

/// Text uploaded with a content type downloads unchanged.
pub async fn round_trip_text(t: &Target) {
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
pub async fn round_trip_binary_sizes(t: &Target) {
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
pub async fn special_keys(t: &Target) {
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

/// `get_object` returns the content type given at upload, and user metadata when the Type
/// supports it.
pub async fn content_type_and_metadata(t: &Target) {
    let key = format!("{}doc.json", prefix());
    let options = PutOptions::content_type("application/json; charset=utf-8")
        .with_metadata("author", "alice")
        .with_metadata("purpose", "suite");
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
    if t.storage.capabilities().user_metadata {
        let expected = BTreeMap::from([
            ("author".to_string(), "alice".to_string()),
            ("purpose".to_string(), "suite".to_string()),
        ]);
        assert_eq!(info.metadata, expected);
    }
}

/// Without a content type, objects are `application/octet-stream`.
pub async fn default_content_type(t: &Target) {
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

/// A second upload to the same key replaces the first, content type included.
pub async fn overwrite_replaces(t: &Target) {
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

/// After `delete`, `download` fails with NotFound.
pub async fn delete_then_download_is_not_found(t: &Target) {
    let key = format!("{}gone.txt", prefix());
    t.storage
        .upload_by_file(&key, Bytes::from_static(b"bye"), None)
        .await
        .expect("upload");
    t.storage.delete(&key).await.expect("delete");
    let err = t
        .storage
        .download(&key)
        .await
        .expect_err("download after delete");
    assert_eq!(err.kind(), StorageErrorKind::NotFound, "{err}");
}

/// Deleting a key that never existed succeeds.
pub async fn delete_missing_key_succeeds(t: &Target) {
    let key = format!("{}never-existed.txt", prefix());
    t.storage
        .delete(&key)
        .await
        .expect("delete of a missing key");
}

/// `get_object` of a missing key fails with NotFound.
pub async fn stat_missing_is_not_found(t: &Target) {
    let key = format!("{}missing.txt", prefix());
    let err = t
        .storage
        .get_object(&key)
        .await
        .expect_err("stat of a missing key");
    assert_eq!(err.kind(), StorageErrorKind::NotFound, "{err}");
}

/// `exists` tells present from absent.
pub async fn exists_reports_presence(t: &Target) {
    let key = format!("{}here.txt", prefix());
    assert!(!t.storage.exists(&key).await.expect("exists before"));
    t.storage
        .upload_by_file(&key, Bytes::from_static(b"1"), None)
        .await
        .expect("upload");
    assert!(t.storage.exists(&key).await.expect("exists after"));
}

/// The upload result names the key, size and URL (the object's address).
pub async fn upload_result_describes_object(t: &Target) {
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
    if t.storage.capabilities().crc64 {
        let crc = up.crc64.expect("crc64 promised by capabilities");
        let expected = crc::Crc::<u64>::new(&crc::CRC_64_XZ).checksum(b"12345");
        assert_eq!(crc, expected, "CRC-64/XZ of the uploaded bytes");
        let info = t.storage.get_object(&key).await.expect("stat");
        assert_eq!(info.crc64, Some(crc));
    }
}

/// A streamed payload of known length is stored whole.
pub async fn streamed_upload(t: &Target) {
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

/// Empty, over-long, absolute, control-character and `..` names are InvalidArgument.
pub async fn bad_names_are_rejected(t: &Target) {
    let long = "a".repeat(1024);
    for name in [
        "",
        long.as_str(),
        "/abs.txt",
        "\\abs.txt",
        "a\0b",
        "a\nb",
        "../up.txt",
        "a/../b",
    ] {
        let err = t
            .storage
            .upload_by_file(name, Bytes::from_static(b"x"), None)
            .await
            .expect_err("upload of a bad name");
        assert_eq!(
            err.kind(),
            StorageErrorKind::InvalidArgument,
            "{name:?}: {err}"
        );
        let err = t
            .storage
            .download(name)
            .await
            .expect_err("download of a bad name");
        assert_eq!(
            err.kind(),
            StorageErrorKind::InvalidArgument,
            "{name:?}: {err}"
        );
    }
}

/// A signed GET URL, fetched over HTTP, returns the object's bytes; a tampered one does
/// not.
pub async fn signed_url_serves_bytes(t: &Target) {
    if !t.storage.capabilities().presign_get {
        return;
    }
    let key = format!("{}signed/photo 1+x.bin", prefix());
    let data = random_bytes(4096);
    t.storage
        .upload_by_file(&key, data.clone(), Some("image/jpeg"))
        .await
        .expect("upload");
    let url = t
        .storage
        .get_sign_url(&key, Some("image/jpeg"), Some(Duration::from_secs(600)))
        .await
        .expect("sign");
    let response = t.http.get(&url).send().await.expect("fetch signed URL");
    assert_eq!(response.status().as_u16(), 200, "GET {url}");
    assert!(response.bytes().await.expect("body") == data);
    let url = t
        .storage
        .get_sign_url(&key, None, None)
        .await
        .expect("sign with defaults");
    let response = t.http.get(&url).send().await.expect("fetch signed URL");
    assert_eq!(response.status().as_u16(), 200, "GET {url}");
    // Changing the signature must make the URL useless.
    let tampered = tamper_signature(&url);
    let response = t
        .http
        .get(&tampered)
        .send()
        .await
        .expect("fetch tampered URL");
    assert!(
        response.status().is_client_error(),
        "tampered URL answered {}",
        response.status()
    );
}

fn tamper_signature(url: &str) -> String {
    // Change the last character of the URL's last query value, which is where every
    // signing scheme here puts (or ends) its signature. Digits, so that the new value
    // differs for hex (where 'a' and 'A' are the same digit) and base64 alike.
    let mut chars: Vec<char> = url.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = if *last == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}

/// A presigned PUT URL accepts an upload with the signed content type.
pub async fn presigned_put_uploads(t: &Target) {
    if !t.storage.capabilities().presign_put {
        return;
    }
    let key = format!("{}browser/upload.txt", prefix());
    let presigned = t
        .storage
        .presign(
            &key,
            PresignOptions::put("text/plain", Duration::from_secs(600)),
        )
        .await
        .expect("presign put");
    let mut request = t.http.put(&presigned.url).body("from a browser");
    for (name, value) in &presigned.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("PUT presigned");
    assert!(
        response.status().is_success(),
        "PUT answered {}",
        response.status()
    );
    assert_eq!(
        t.storage.download(&key).await.expect("download"),
        &b"from a browser"[..]
    );
    let info = t.storage.get_object(&key).await.expect("stat");
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
}

/// Ranged reads return exactly the bytes asked for.
pub async fn range_read(t: &Target) {
    if !t.storage.capabilities().range_read {
        return;
    }
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

/// Listing with a prefix and `/` delimiter gives objects and common prefixes in order.
pub async fn list_prefix_and_delimiter(t: &Target) {
    if !t.storage.capabilities().list {
        return;
    }
    let p = prefix();
    for name in [
        "a.txt",
        "b.txt",
        "dir1/x.txt",
        "dir1/y.txt",
        "dir2/z/deep.txt",
    ] {
        t.storage
            .upload_by_file(&format!("{p}{name}"), Bytes::from_static(b"x"), None)
            .await
            .expect("upload");
    }
    let page = t
        .storage
        .list(ListOptions {
            prefix: Some(p.clone()),
            delimiter: Some("/".into()),
            ..ListOptions::default()
        })
        .await
        .expect("list");
    let keys: Vec<_> = page.objects.iter().map(|o| o.key.clone()).collect();
    assert_eq!(keys, vec![format!("{p}a.txt"), format!("{p}b.txt")]);
    assert_eq!(
        page.common_prefixes,
        vec![format!("{p}dir1/"), format!("{p}dir2/")]
    );
    assert!(page.next_token.is_none());
    let all = t.storage.list_all(&p).await.expect("list_all");
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|o| o.size == 1));
}

/// Pages of `max_keys` entries chain through `next_token` without loss or repetition.
pub async fn list_pagination(t: &Target) {
    if !t.storage.capabilities().list {
        return;
    }
    let p = prefix();
    let mut expected = Vec::new();
    for i in 0..7 {
        let key = format!("{p}item-{i:02}");
        t.storage
            .upload_by_file(&key, Bytes::from_static(b"x"), None)
            .await
            .expect("upload");
        expected.push(key);
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = t
            .storage
            .list(ListOptions {
                prefix: Some(p.clone()),
                token,
                max_keys: Some(3),
                ..ListOptions::default()
            })
            .await
            .expect("list page");
        assert!(page.objects.len() <= 3);
        seen.extend(page.objects.into_iter().map(|o| o.key));
        pages += 1;
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
}

/// `copy` duplicates content and content type.
pub async fn copy_keeps_content_and_type(t: &Target) {
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

/// Errors of an element carry its fullName and Type, the operation and the key.
pub async fn errors_name_the_element(t: &Target) {
    let Some(identity) = t.storage.identity().cloned() else {
        return;
    };
    let key = format!("{}absent.txt", prefix());
    let err = t
        .storage
        .download(&key)
        .await
        .expect_err("download of a missing key");
    assert_eq!(err.element(), Some(identity.full_name.as_str()));
    assert_eq!(err.type_name(), Some(identity.type_name.as_str()));
    assert_eq!(err.operation(), Some("download"));
    assert_eq!(err.key(), Some(key.as_str()));
    let shown = err.to_string();
    assert!(
        shown.contains(&identity.full_name) && shown.contains("NotFound"),
        "{shown}"
    );
}
