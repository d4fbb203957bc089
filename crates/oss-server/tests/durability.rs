//! The folder store when requests are cut short: a change whose request is dropped
//! half-way (the client went away, the handler future was cancelled) still runs to its
//! end, so the index in memory and the folder never disagree, and no temporary file
//! outlives its request.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use futures::StreamExt as _;
use jit_oss_protocol::sign::{v4, SignRequest};
use jit_oss_server::store::{Expect, ObjectMeta, ObjectType, PartMeta, Store, UploadMeta};
use jit_oss_server::{start, ServerConfig};
use tokio::io::AsyncWriteExt;

const B: &str = "dur-bucket";

fn object(key: &str, data: &[u8]) -> ObjectMeta {
    ObjectMeta {
        key: key.to_owned(),
        size: data.len() as u64,
        etag: md5_hex(data),
        crc64: jit_oss_protocol::crc64::checksum(data),
        content_md5: None,
        content_type: "application/octet-stream".to_owned(),
        last_modified: 0,
        object_type: ObjectType::Normal,
        headers: vec![],
        user_meta: vec![],
        checksums: vec![],
        blob: String::new(),
    }
}

async fn staged_blob(store: &Store, data: &[u8]) -> String {
    let mut staging = store.staging(B).await.expect("staging");
    staging
        .write(bytes::Bytes::copy_from_slice(data))
        .await
        .expect("write");
    store.finish(B, staging).await.expect("finish")
}

/// Polls `future` once (far enough to start its file work) and drops it.
async fn poll_once_then_drop<F: std::future::Future>(future: F) {
    let mut future = Box::pin(future);
    let polled = futures::poll!(future.as_mut());
    assert!(polled.is_pending(), "the change finished in one poll");
    drop(future);
}

/// What the store shows of `keys` and of `upload`: the etag per object and
/// (number, etag) per part, `None` where absent.
type View = (Vec<Option<String>>, Option<Vec<(u32, String)>>);

fn view(store: &Store, keys: &[&str], upload: &str) -> View {
    let objects = keys
        .iter()
        .map(|k| store.head(B, k).ok().map(|m| m.etag))
        .collect();
    let parts = store.upload(B, upload).ok().map(|u| {
        u.parts
            .values()
            .map(|p| (p.number, p.etag.clone()))
            .collect()
    });
    (objects, parts)
}

/// Copies the folder tree `from` to `to` (opening a store cleans its folder, so the
/// live folder itself is never opened twice).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("list") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            // A file may vanish between listing and copying: the folder is live.
            let _ = std::fs::copy(entry.path(), &target);
        }
    }
}

/// Waits (up to a minute: the file work of a dropped request runs on) until both the
/// store in memory and a store opened afresh on a copy of `root` show `expected`.
async fn memory_and_disk_show(
    store: &Store,
    root: &Path,
    keys: &[&str],
    upload: &str,
    expected: View,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let copy = tempfile::tempdir().expect("temp dir");
        copy_tree(root, copy.path());
        let disk = Store::open_folder(copy.path().to_owned())
            .await
            .expect("reopen");
        let on_disk = view(&disk, keys, upload);
        let in_memory = view(store, keys, upload);
        if on_disk == expected && in_memory == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected {expected:?}\nmemory   {in_memory:?}\ndisk     {on_disk:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_whose_requests_are_dropped_still_reach_memory_and_disk_alike() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("root");
    let store = Store::open_folder(root.clone()).await.expect("open");
    store.create_bucket(B).await.expect("bucket");
    let keys = ["new", "replaced", "deleted"];
    for key in ["replaced", "deleted"] {
        let blob = staged_blob(&store, b"old").await;
        let meta = ObjectMeta {
            blob,
            ..object(key, b"old")
        };
        store
            .commit_object(B, meta, Expect::Any)
            .await
            .expect("commit");
    }
    let upload = UploadMeta {
        upload_id: "0123456789ABCDEF0123456789ABCDEF".to_owned(),
        key: "mp".to_owned(),
        initiated: 0,
        content_type: "application/octet-stream".to_owned(),
        headers: vec![],
        user_meta: vec![],
    };
    let upload_id = upload.upload_id.clone();
    store.create_upload(B, upload).await.expect("upload");

    // Each change is dropped after its first poll, while its file work is under way.
    let blob = staged_blob(&store, b"brand new").await;
    let meta = ObjectMeta {
        blob,
        ..object("new", b"brand new")
    };
    poll_once_then_drop(store.commit_object(B, meta, Expect::Any)).await;
    let blob = staged_blob(&store, b"newer").await;
    let meta = ObjectMeta {
        blob,
        ..object("replaced", b"newer")
    };
    poll_once_then_drop(store.commit_object(B, meta, Expect::Any)).await;
    poll_once_then_drop(store.delete_object(B, "deleted")).await;
    let blob = staged_blob(&store, b"part one").await;
    let part = PartMeta {
        number: 1,
        size: 8,
        etag: md5_hex(b"part one"),
        crc64: jit_oss_protocol::crc64::checksum(b"part one"),
        last_modified: 0,
        checksums: vec![],
        blob,
    };
    poll_once_then_drop(store.commit_part(B, &upload_id, part)).await;

    // The dropped changes are made, in full, in memory as on disk.
    let expected = (
        vec![Some(md5_hex(b"brand new")), Some(md5_hex(b"newer")), None],
        Some(vec![(1, md5_hex(b"part one"))]),
    );
    memory_and_disk_show(&store, &root, &keys, &upload_id, expected).await;

    // Dropped in turn: removing the upload, and a staged commit.
    poll_once_then_drop(store.remove_upload(B, &upload_id)).await;
    let mut staging = store.staging(B).await.expect("staging");
    staging
        .write(bytes::Bytes::from_static(b"staged"))
        .await
        .expect("write");
    poll_once_then_drop(store.commit_staged(B, staging, object("staged", b"staged"), Expect::Any))
        .await;
    let keys = ["new", "replaced", "deleted", "staged"];
    let expected = (
        vec![
            Some(md5_hex(b"brand new")),
            Some(md5_hex(b"newer")),
            None,
            Some(md5_hex(b"staged")),
        ],
        None,
    );
    memory_and_disk_show(&store, &root, &keys, &upload_id, expected).await;

    // Every blob on disk belongs to an object; nothing is left in tmp/.
    store.settle().await;
    let blobs: Vec<String> = std::fs::read_dir(root.join(B).join("blobs"))
        .expect("blobs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut owned: Vec<String> = keys
        .iter()
        .filter_map(|k| store.head(B, k).ok().map(|m| m.blob))
        .collect();
    let mut blobs_sorted = blobs.clone();
    blobs_sorted.sort();
    owned.sort();
    assert_eq!(blobs_sorted, owned);
    assert_eq!(
        std::fs::read_dir(root.join(B).join("tmp"))
            .expect("tmp")
            .count(),
        0
    );
}

/// A V4-signed request for `key` (with `query`), as raw HTTP/1.1 bytes.
fn raw_request(
    addr: std::net::SocketAddr,
    method: &str,
    key: &str,
    query: &[(&str, Option<&str>)],
    body: &[u8],
) -> Vec<u8> {
    let mut sign = SignRequest::new(method).with_bucket(BUCKET).with_key(key);
    for (name, value) in query {
        sign = sign.with_query(*name, *value);
    }
    let credentials = jit_oss_protocol::Credentials::new(AK, SK);
    v4::sign_header(
        &mut sign,
        &credentials,
        REGION,
        &[],
        std::time::SystemTime::now(),
    )
    .expect("sign");
    let query = sign.query_string();
    let target = if query.is_empty() {
        sign.path_style_path()
    } else {
        format!("{}?{query}", sign.path_style_path())
    };
    let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in &sign.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    [head.into_bytes(), body.to_vec()].concat()
}

/// Sends `request` whole and resets the connection at once, without reading the answer.
async fn send_and_vanish(addr: std::net::SocketAddr, request: &[u8]) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(request).await.expect("send");
    tcp.set_zero_linger().expect("linger");
    drop(tcp);
}

/// A PUT whose body fails after `sent` bytes: the client gives up mid-body.
async fn put_abandoned_mid_body(c: &Client, key: &str, sent: Vec<u8>) {
    let mut sign = SignRequest::new("PUT").with_bucket(BUCKET).with_key(key);
    v4::sign_header(
        &mut sign,
        &c.credentials,
        REGION,
        &[],
        std::time::SystemTime::now(),
    )
    .expect("sign");
    let url = format!("http://{}{}", c.addr, sign.path_style_path());
    let mut builder = c
        .http
        .put(url)
        .header("content-length", (sent.len() * 2).to_string());
    for (name, value) in &sign.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = futures::stream::iter([Ok(sent), Err(std::io::Error::other("the client gives up"))]);
    let sent = builder.body(reqwest::Body::wrap_stream(body)).send().await;
    assert!(
        sent.is_err(),
        "an abandoned upload cannot be answered: {sent:?}"
    );
}

/// Every object as listed, with what HEAD says of it: (key, etag, size, crc64).
async fn everything(c: &Client) -> Vec<(String, String, String, String)> {
    let listed = c
        .send(Req::bucket("GET").query("max-keys", Some("1000")))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let mut all = Vec::new();
    for key in all_xml_text(&listed.text(), "Key") {
        let head = c.send(Req::object("HEAD", &key)).await;
        assert_eq!(head.status, 200, "HEAD {key}");
        let header = |name: &str| head.header(name).unwrap_or_default().to_owned();
        all.push((
            key,
            header("etag"),
            header("content-length"),
            header("x-oss-hash-crc64ecma"),
        ));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_abandoned_by_their_clients_leave_memory_and_disk_alike() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = || ServerConfig {
        root: Some(dir.path().to_owned()),
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        ..ServerConfig::default()
    };
    let server = start(config()).await.expect("start");
    let addr = server.local_addr();
    let c = client(&server, Sig::V4, Style::Path);
    for i in 0..10 {
        c.put(&format!("kept/{i}"), &pattern(1000 + i, i as u8))
            .await;
    }
    let init = c
        .send(Req::object("POST", "mp").query("uploads", None))
        .await;
    let upload_id = xml_text(&init.text(), "UploadId").expect("upload id");
    let part = pattern(100 * 1024, 3);
    let uploaded = c
        .send(
            Req::object("PUT", "mp")
                .query("partNumber", Some("1"))
                .query("uploadId", Some(&upload_id))
                .body(part.clone()),
        )
        .await;
    let etag = uploaded.header("etag").expect("etag").to_owned();

    // Abandoned mid-body, and abandoned once sent whole (before the answer), many
    // times over: new objects, replaced objects, parts and a completion.
    let mut vanishing = Vec::new();
    for i in 0..40usize {
        put_abandoned_mid_body(&c, &format!("cut/{i}"), pattern(64 * 1024, i as u8)).await;
        let key = if i % 2 == 0 {
            format!("kept/{}", i % 10)
        } else {
            format!("sent/{i}")
        };
        vanishing.push(raw_request(
            addr,
            "PUT",
            &key,
            &[],
            &pattern(200_000, i as u8),
        ));
        let number = (2 + i % 3).to_string();
        vanishing.push(raw_request(
            addr,
            "PUT",
            "mp",
            &[
                ("partNumber", Some(&number)),
                ("uploadId", Some(&upload_id)),
            ],
            &pattern(100 * 1024, i as u8),
        ));
    }
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    vanishing.push(raw_request(
        addr,
        "POST",
        "mp",
        &[("uploadId", Some(&upload_id))],
        complete.as_bytes(),
    ));
    futures::stream::iter(vanishing)
        .for_each_concurrent(
            8,
            |request| async move { send_and_vanish(addr, &request).await },
        )
        .await;

    // What the running server shows, once the changes of vanished requests are done...
    server.state().store().settle().await;
    let before = everything(&c).await;
    let uploads_before = c
        .send(Req::bucket("GET").query("uploads", None))
        .await
        .text();
    server.shutdown().await.expect("shutdown");
    let tmp = dir.path().join(BUCKET).join("tmp");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left: Vec<_> = std::fs::read_dir(&tmp)
            .expect("tmp")
            .map(|e| e.expect("entry").file_name())
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "files outlive their requests: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ...is what a server started afresh on the folder shows.
    let server = start(config()).await.expect("restart");
    let c = client(&server, Sig::V4, Style::Path);
    let after = everything(&c).await;
    assert_eq!(before, after);
    let uploads_after = c
        .send(Req::bucket("GET").query("uploads", None))
        .await
        .text();
    assert_eq!(
        all_xml_text(&uploads_before, "UploadId"),
        all_xml_text(&uploads_after, "UploadId")
    );
    assert!(
        before.iter().all(|(key, ..)| !key.starts_with("cut/")),
        "{before:?}"
    );
    for i in 0..10 {
        assert!(before.iter().any(|(key, ..)| key == &format!("kept/{i}")));
    }
    server.shutdown().await.expect("shutdown");
}
