//! Folder store: data survives a restart on the same root (objects of every kind,
//! metadata, buckets, uploads in progress), leftovers are cleaned, keys cannot escape
//! the root, and large bodies stream through.

mod common;

use std::path::Path;

use common::*;
use jit_oss_server::store::{Expect, ObjectMeta, ObjectType, Store};
use jit_oss_server::{start, ServerConfig};

fn config(root: &Path, buckets: &[&str]) -> ServerConfig {
    ServerConfig {
        root: Some(root.to_owned()),
        buckets: buckets.iter().map(|b| (*b).to_owned()).collect(),
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn objects_survive_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = pattern(150 * 1024, 5);
    let (upload_id, part1_etag) = {
        let server = start(config(dir.path(), &[BUCKET])).await.expect("start");
        let c = client(&server, Sig::V4, Style::Path);
        c.send(
            Req::object("PUT", "keep/ä b.txt")
                .header("content-type", "text/plain")
                .header("x-oss-meta-x", "y")
                .body(b"persisted".to_vec()),
        )
        .await;
        c.send(
            Req::object("POST", "log")
                .query("append", None)
                .query("position", Some("0"))
                .body(b"abc".to_vec()),
        )
        .await;
        c.put("deleted", b"bye").await;
        assert_eq!(c.send(Req::object("DELETE", "deleted")).await.status, 204);
        let created = c.send(Req::new("PUT", Some("second-bucket"), None)).await;
        assert_eq!(created.status, 200);
        let init = c
            .send(Req::object("POST", "mp").query("uploads", None))
            .await;
        let upload_id = xml_text(&init.text(), "UploadId").expect("upload id");
        let part = c
            .send(
                Req::object("PUT", "mp")
                    .query("partNumber", Some("1"))
                    .query("uploadId", Some(&upload_id))
                    .body(big.clone()),
            )
            .await;
        assert_eq!(part.status, 200);
        let etag = part.header("etag").expect("etag").to_owned();
        server.shutdown().await.expect("shutdown");
        (upload_id, etag)
    };

    // Leftovers a crash could leave: a staging file and an unreferenced blob.
    let bucket_dir = dir.path().join(BUCKET);
    std::fs::write(bucket_dir.join("tmp").join("junk.part"), b"junk").expect("junk");
    std::fs::write(bucket_dir.join("blobs").join("ABCDEF0123"), b"orphan").expect("orphan");

    let server = start(config(dir.path(), &[])).await.expect("restart");
    let c = client(&server, Sig::V1, Style::Virtual);
    let get = c.get("keep/ä b.txt").await;
    assert_eq!(get.status, 200, "{}", get.text());
    assert_eq!(get.body, b"persisted");
    assert_eq!(get.header("content-type"), Some("text/plain"));
    assert_eq!(get.header("x-oss-meta-x"), Some("y"));
    let md5 = format!("\"{}\"", md5_hex(b"persisted"));
    assert_eq!(get.header("etag"), Some(md5.as_str()));
    assert_eq!(c.get("deleted").await.status, 404);

    let more = c
        .send(
            Req::object("POST", "log")
                .query("append", None)
                .query("position", Some("3"))
                .body(b"def".to_vec()),
        )
        .await;
    assert_eq!(more.status, 200, "{}", more.text());
    assert_eq!(c.get("log").await.body, b"abcdef");

    let listed = c.send(Req::new("GET", None, None)).await.text();
    assert_eq!(all_xml_text(&listed, "Name"), vec!["second-bucket", BUCKET]);

    let part2 = c
        .send(
            Req::object("PUT", "mp")
                .query("partNumber", Some("2"))
                .query("uploadId", Some(&upload_id))
                .body(b"tail".to_vec()),
        )
        .await;
    assert_eq!(part2.status, 200, "{}", part2.text());
    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part1_etag}</ETag></Part>\
         <Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        part2.header("etag").expect("etag")
    );
    let done = c
        .send(
            Req::object("POST", "mp")
                .query("uploadId", Some(&upload_id))
                .body(body.into_bytes()),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(c.get("mp").await.body, [big, b"tail".to_vec()].concat());

    assert!(!bucket_dir.join("tmp").join("junk.part").exists());
    assert!(!bucket_dir.join("blobs").join("ABCDEF0123").exists());
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn keys_never_escape_the_root() {
    let outer = tempfile::tempdir().expect("temp dir");
    let root = outer.path().join("root");
    let store = Store::open_folder(root.clone()).await.expect("open");
    store.create_bucket("b-1").await.expect("bucket");
    for key in [
        "../../escape",
        "../escape",
        "/abs/escape",
        "a/../../../escape",
        "..\\escape",
    ] {
        let mut staging = store.staging("b-1").await.expect("staging");
        staging
            .write(bytes::Bytes::from_static(b"data"))
            .await
            .expect("write");
        let blob = store.finish("b-1", staging).await.expect("finish");
        let meta = ObjectMeta {
            key: key.to_owned(),
            size: 4,
            etag: md5_hex(b"data"),
            crc64: jit_oss_protocol::crc64::checksum(b"data"),
            content_md5: None,
            content_type: "application/octet-stream".to_owned(),
            last_modified: 0,
            object_type: ObjectType::Normal,
            headers: vec![],
            user_meta: vec![],
            checksums: vec![],
            blob,
        };
        store
            .commit_object("b-1", meta, Expect::Any)
            .await
            .expect("commit");
    }
    let outside: Vec<_> = std::fs::read_dir(outer.path())
        .expect("outer")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(outside, vec![std::ffi::OsString::from("root")]);
    let names: Vec<String> = std::fs::read_dir(root.join("b-1").join("objects"))
        .expect("objects")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5);
    assert!(names
        .iter()
        .all(|n| n.len() == 69 && n.ends_with(".json") && !n.contains("..")));
    drop(store);
    let reopened = Store::open_folder(root).await.expect("reopen");
    assert_eq!(reopened.head("b-1", "../../escape").expect("kept").size, 4);
}

#[tokio::test]
async fn large_bodies_stream_through_the_folder_store() {
    let h = harness(StoreKind::Folder).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    let data = pattern(8 * 1024 * 1024 + 17, 11);
    c.put("large", &data).await;
    let get = c.get("large").await;
    assert_eq!(get.status, 200);
    assert_eq!(get.body.len(), data.len());
    assert!(get.body == data);
    let tail = c
        .send(Req::object("GET", "large").header("range", "bytes=8388600-"))
        .await;
    assert_eq!(tail.status, 206);
    assert!(tail.body == data[8_388_600..]);
}
