//! Object API against both stores, V1/path style and V4/virtual-hosted style:
//! Put/Get/Head/Delete, metadata, ETag, CRC-64, Range, Content-MD5, Copy, Append.

mod common;

use base64::prelude::{Engine as _, BASE64_STANDARD};
use common::*;

/// Every (store, signature, style) combination the object tests run under.
const MODES: &[(StoreKind, Sig, Style)] = &[
    (StoreKind::Memory, Sig::V1, Style::Path),
    (StoreKind::Memory, Sig::V4, Style::Virtual),
    (StoreKind::Folder, Sig::V4, Style::Path),
    (StoreKind::Folder, Sig::V1, Style::Virtual),
];

#[tokio::test]
async fn put_get_head_delete_with_metadata() {
    for &(kind, sig, style) in MODES {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let data = pattern(300_000, 7);
        let put = c
            .send(
                Req::object("PUT", "dir/hello.bin")
                    .header("content-type", "text/plain")
                    .header("x-oss-meta-author", "alice")
                    .header("cache-control", "no-cache")
                    .body(data.clone()),
            )
            .await;
        assert_eq!(
            put.status,
            200,
            "{kind:?} {sig:?} {style:?}: {}",
            put.text()
        );
        let etag = format!("\"{}\"", md5_hex(&data));
        let crc = jit_oss_protocol::crc64::checksum(&data).to_string();
        assert_eq!(put.header("etag"), Some(etag.as_str()));
        assert_eq!(put.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        assert!(put.header("x-oss-request-id").is_some());

        let get = c.get("dir/hello.bin").await;
        assert_eq!(get.status, 200);
        assert_eq!(get.body, data);
        assert_eq!(get.header("etag"), Some(etag.as_str()));
        assert_eq!(get.header("content-type"), Some("text/plain"));
        assert_eq!(get.header("x-oss-meta-author"), Some("alice"));
        assert_eq!(get.header("cache-control"), Some("no-cache"));
        assert_eq!(get.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        assert_eq!(get.header("x-oss-object-type"), Some("Normal"));
        let last_modified = get.header("last-modified").expect("last-modified");
        assert!(httpdate::parse_http_date(last_modified).is_ok());

        let head = c.send(Req::object("HEAD", "dir/hello.bin")).await;
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        assert_eq!(head.header("content-length"), Some("300000"));
        assert_eq!(head.header("x-oss-meta-author"), Some("alice"));

        let del = c.send(Req::object("DELETE", "dir/hello.bin")).await;
        assert_eq!(del.status, 204);
        c.get("dir/hello.bin").await.expect_error(404, "NoSuchKey");
        let again = c.send(Req::object("DELETE", "dir/hello.bin")).await;
        assert_eq!(again.status, 204, "deleting a missing key is fine");
        let head = c.send(Req::object("HEAD", "dir/hello.bin")).await;
        assert_eq!(head.status, 404);
        assert!(head.body.is_empty());
        // With no body, the error travels base64-encoded in x-oss-err, as on OSS.
        let encoded = head.header("x-oss-err").expect("x-oss-err on a HEAD error");
        let xml = BASE64_STANDARD.decode(encoded).expect("base64");
        let err = jit_oss_protocol::error_xml::OssErrorBody::parse(&xml).expect("error XML");
        assert_eq!(err.code, "NoSuchKey");
        assert_eq!(
            Some(err.request_id.as_str()),
            head.header("x-oss-request-id")
        );
        let get = c.get("dir/hello.bin").await;
        assert!(
            get.header("x-oss-err").is_none(),
            "only HEAD answers carry it"
        );
        h.server.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test]
async fn default_content_type_and_empty_object() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    c.put("empty", b"").await;
    let get = c.get("empty").await;
    assert_eq!(get.status, 200);
    assert!(get.body.is_empty());
    assert_eq!(get.header("content-type"), Some("application/octet-stream"));
    assert_eq!(get.header("x-oss-hash-crc64ecma"), Some("0"));
    let range = c
        .send(Req::object("GET", "empty").header("range", "bytes=0-0"))
        .await;
    range.expect_error(416, "InvalidRange");
}

#[tokio::test]
async fn unicode_and_special_keys_round_trip() {
    for &(kind, sig, style) in MODES {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let keys = [
            "中文/文件 名.txt",
            "a+b c%20d?e#f&g=h",
            // (`../` segments would be normalized away by the HTTP client; see folder.rs)
            "..\\..\\escape-attempt",
            "with\\backslash and ~tilde",
            "emoji-😀",
        ];
        for (i, key) in keys.iter().enumerate() {
            let body = format!("body {i}");
            c.put(key, body.as_bytes()).await;
            let get = c.get(key).await;
            assert_eq!(get.status, 200, "{key}: {}", get.text());
            assert_eq!(
                get.body,
                body.as_bytes(),
                "{kind:?} {sig:?} {style:?} {key}"
            );
        }
        if let Some(dir) = &h.dir {
            let parent = dir.path().parent().expect("temp dir parent");
            assert!(!parent.join("escape-attempt").exists());
        }
    }
}

#[tokio::test]
async fn ranges() {
    for &(kind, sig, style) in MODES {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let data = pattern(1000, 3);
        c.put("r", &data).await;
        let part = c
            .send(Req::object("GET", "r").header("range", "bytes=10-19"))
            .await;
        assert_eq!(part.status, 206);
        assert_eq!(part.body, &data[10..20]);
        assert_eq!(part.header("content-range"), Some("bytes 10-19/1000"));
        assert_eq!(part.header("content-length"), Some("10"));
        let suffix = c
            .send(Req::object("GET", "r").header("range", "bytes=-5"))
            .await;
        assert_eq!(suffix.status, 206);
        assert_eq!(suffix.body, &data[995..]);
        let open = c
            .send(Req::object("GET", "r").header("range", "bytes=990-"))
            .await;
        assert_eq!(open.body, &data[990..]);
        let past = c
            .send(Req::object("GET", "r").header("range", "bytes=1000-1001"))
            .await;
        past.expect_error(416, "InvalidRange");
        let malformed = c
            .send(Req::object("GET", "r").header("range", "bytes=9-2"))
            .await;
        assert_eq!(
            malformed.status, 200,
            "malformed ranges are ignored like OSS"
        );
        assert_eq!(malformed.body, data);
    }
}

#[tokio::test]
async fn content_md5_is_checked() {
    for kind in [StoreKind::Memory, StoreKind::Folder] {
        let h = harness(kind).await;
        let c = client(&h.server, Sig::V1, Style::Path);
        let data = b"checked body";
        let ok = c
            .send(
                Req::object("PUT", "md5")
                    .header("content-md5", &md5_b64(data))
                    .body(data.to_vec()),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text());
        assert_eq!(ok.header("content-md5"), Some(md5_b64(data).as_str()));
        let wrong = c
            .send(
                Req::object("PUT", "md5")
                    .header("content-md5", &md5_b64(b"other"))
                    .body(b"tampered".to_vec()),
            )
            .await;
        wrong.expect_error(400, "InvalidDigest");
        let garbage = c
            .send(
                Req::object("PUT", "md5")
                    .header("content-md5", "not-base64!")
                    .body(data.to_vec()),
            )
            .await;
        garbage.expect_error(400, "InvalidDigest");
        assert_eq!(
            c.get("md5").await.body,
            data,
            "failed uploads change nothing"
        );
        if let Some(dir) = &h.dir {
            let tmp = dir.path().join(BUCKET).join("tmp");
            // Staging files of failed uploads are removed before the answer is sent.
            assert!(std::fs::read_dir(&tmp).expect("tmp").next().is_none());
        }
    }
}

/// Bodies past the first MiB are hashed on a worker thread: what the server answers and
/// keeps must not change with the size (ETag, Content-MD5 check, CRC-64, appends).
#[tokio::test]
async fn large_bodies_are_hashed_and_checked_alike() {
    for &(kind, sig, style) in &MODES[..3] {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let data = pattern(3 * 1024 * 1024 + 17, 7);
        let put = c
            .send(
                Req::object("PUT", "big")
                    .header("content-md5", &md5_b64(&data))
                    .body(data.clone()),
            )
            .await;
        assert_eq!(put.status, 200, "{}", put.text());
        let etag = format!("\"{}\"", md5_hex(&data));
        let crc = jit_oss_protocol::crc64::checksum(&data).to_string();
        assert_eq!(put.header("etag"), Some(etag.as_str()));
        assert_eq!(put.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        let get = c.get("big").await;
        assert_eq!(get.header("etag"), Some(etag.as_str()));
        assert!(get.body == data, "the bytes read back differ");

        let mut tampered = data.clone();
        tampered[2 * 1024 * 1024] ^= 1;
        let wrong = c
            .send(
                Req::object("PUT", "big")
                    .header("content-md5", &md5_b64(&data))
                    .body(tampered),
            )
            .await;
        wrong.expect_error(400, "InvalidDigest");
        assert_eq!(c.get("big").await.header("etag"), Some(etag.as_str()));

        let append = |pos: usize, body: &[u8]| {
            Req::object("POST", "big-log")
                .query("append", None)
                .query("position", Some(&pos.to_string()))
                .body(body.to_vec())
        };
        let (first, second) = data.split_at(1536 * 1024);
        let a = c.send(append(0, first)).await;
        assert_eq!(a.status, 200, "{}", a.text());
        let b = c.send(append(first.len(), second)).await;
        assert_eq!(b.status, 200, "{}", b.text());
        assert_eq!(b.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        assert!(c.get("big-log").await.body == data, "appended bytes differ");
    }
}

#[tokio::test]
async fn conditional_get() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    c.put("cond", b"x").await;
    let etag = format!("\"{}\"", md5_hex(b"x"));
    let not_modified = c
        .send(Req::object("GET", "cond").header("if-none-match", &etag))
        .await;
    assert_eq!(not_modified.status, 304);
    let failed = c
        .send(Req::object("GET", "cond").header("if-match", "\"0000\""))
        .await;
    failed.expect_error(412, "PreconditionFailed");
    let ok = c
        .send(Req::object("GET", "cond").header("if-match", &etag))
        .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn forbid_overwrite() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V1, Style::Path);
    c.put("once", b"1").await;
    let second = c
        .send(
            Req::object("PUT", "once")
                .header("x-oss-forbid-overwrite", "true")
                .body(b"2".to_vec()),
        )
        .await;
    second.expect_error(409, "FileAlreadyExists");
    assert_eq!(c.get("once").await.body, b"1");
}

#[tokio::test]
async fn copy_object_copy_and_replace() {
    for &(kind, sig, style) in MODES {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let data = pattern(5000, 9);
        c.send(
            Req::object("PUT", "src dir/a+b.txt")
                .header("content-type", "text/csv")
                .header("x-oss-meta-origin", "src")
                .body(data.clone()),
        )
        .await;
        let source = format!(
            "/{BUCKET}/{}",
            jit_oss_protocol::encode::encode_path("src dir/a+b.txt")
        );
        let copied = c
            .send(Req::object("PUT", "copy-1").header("x-oss-copy-source", &source))
            .await;
        assert_eq!(copied.status, 200, "{}", copied.text());
        let etag = format!("\"{}\"", md5_hex(&data));
        assert_eq!(xml_text(&copied.text(), "ETag"), Some(etag.clone()));
        assert!(copied.text().starts_with("<?xml"));
        let get = c.get("copy-1").await;
        assert_eq!(get.body, data);
        assert_eq!(get.header("content-type"), Some("text/csv"));
        assert_eq!(get.header("x-oss-meta-origin"), Some("src"));

        let replaced = c
            .send(
                Req::object("PUT", "copy-2")
                    .header("x-oss-copy-source", &source)
                    .header("x-oss-metadata-directive", "REPLACE")
                    .header("content-type", "application/json")
                    .header("x-oss-meta-new", "yes"),
            )
            .await;
        assert_eq!(replaced.status, 200, "{}", replaced.text());
        let get = c.get("copy-2").await;
        assert_eq!(get.body, data);
        assert_eq!(get.header("content-type"), Some("application/json"));
        assert_eq!(get.header("x-oss-meta-new"), Some("yes"));
        assert_eq!(get.header("x-oss-meta-origin"), None);

        let missing = c
            .send(
                Req::object("PUT", "copy-3")
                    .header("x-oss-copy-source", &format!("/{BUCKET}/nope")),
            )
            .await;
        missing.expect_error(404, "NoSuchKey");
        let bad_directive = c
            .send(
                Req::object("PUT", "copy-3")
                    .header("x-oss-copy-source", &source)
                    .header("x-oss-metadata-directive", "MOVE"),
            )
            .await;
        bad_directive.expect_error(400, "InvalidArgument");
    }
}

#[tokio::test]
async fn append_object() {
    for &(kind, sig, style) in MODES {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let first = pattern(1000, 1);
        let second = pattern(777, 2);
        let append = |pos: u64, body: Vec<u8>| {
            Req::object("POST", "log")
                .query("append", None)
                .query("position", Some(&pos.to_string()))
                .body(body)
        };
        let a = c
            .send(append(0, first.clone()).header("content-type", "text/log"))
            .await;
        assert_eq!(a.status, 200, "{}", a.text());
        assert_eq!(a.header("x-oss-next-append-position"), Some("1000"));
        let wrong = c.send(append(5, second.clone())).await;
        wrong.expect_error(409, "PositionNotEqualToLength");
        assert_eq!(wrong.header("x-oss-next-append-position"), Some("1000"));
        // Answered before its body was read: the server will close the connection, and
        // says so, so that no client sends its next request into it.
        assert_eq!(wrong.header("connection"), Some("close"));
        assert_eq!(
            a.header("connection"),
            None,
            "successes keep the connection"
        );
        let b = c.send(append(1000, second.clone())).await;
        assert_eq!(b.status, 200, "{}", b.text());
        assert_eq!(b.header("x-oss-next-append-position"), Some("1777"));
        let whole = [first.clone(), second.clone()].concat();
        let crc = jit_oss_protocol::crc64::checksum(&whole).to_string();
        assert_eq!(b.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        let get = c.get("log").await;
        assert_eq!(get.body, whole);
        assert_eq!(get.header("x-oss-object-type"), Some("Appendable"));
        assert_eq!(get.header("content-type"), Some("text/log"));
        assert_eq!(get.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));

        c.put("normal", b"n").await;
        let not_appendable = c
            .send(
                Req::object("POST", "normal")
                    .query("append", None)
                    .query("position", Some("1"))
                    .body(b"x".to_vec()),
            )
            .await;
        not_appendable.expect_error(409, "ObjectNotAppendable");
        let bad_position = c
            .send(
                Req::object("POST", "log2")
                    .query("append", None)
                    .query("position", Some("-1"))
                    .body(b"x".to_vec()),
            )
            .await;
        bad_position.expect_error(400, "InvalidArgument");
    }
}

#[tokio::test]
async fn missing_bucket_and_bad_names() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    let resp = c
        .send(Req::new("GET", Some("no-such-bucket"), Some("k")))
        .await;
    let err = resp.expect_error(404, "NoSuchBucket");
    assert_eq!(err.extra("BucketName"), Some("no-such-bucket"));
    let resp = c
        .send(Req::new("PUT", Some("no-such-bucket"), Some("k")).body(b"x".to_vec()))
        .await;
    resp.expect_error(404, "NoSuchBucket");
    let resp = c.send(Req::new("GET", Some("Bad_Bucket"), Some("k"))).await;
    resp.expect_error(400, "InvalidBucketName");
    let resp = c.send(Req::object("GET", "k").query("tagging", None)).await;
    resp.expect_error(501, "NotImplemented");
}
