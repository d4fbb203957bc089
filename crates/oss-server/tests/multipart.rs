//! Multipart API: initiate, upload parts, list parts and uploads, complete (ETag,
//! combined CRC-64, size rules, part order and ETag checks), abort.

mod common;

use common::*;

const PART: usize = 100 * 1024;

async fn initiate(c: &Client, key: &str) -> String {
    let resp = c
        .send(
            Req::object("POST", key)
                .query("uploads", None)
                .header("content-type", "video/mp4")
                .header("x-oss-meta-kind", "multi"),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let xml = resp.text();
    assert!(xml.contains("<InitiateMultipartUploadResult>"), "{xml}");
    assert_eq!(xml_text(&xml, "Key").as_deref(), Some(key));
    xml_text(&xml, "UploadId").expect("upload id")
}

async fn upload_part(c: &Client, key: &str, id: &str, number: u32, data: &[u8]) -> Resp {
    c.send(
        Req::object("PUT", key)
            .query("partNumber", Some(&number.to_string()))
            .query("uploadId", Some(id))
            .body(data.to_vec()),
    )
    .await
}

fn complete_body(parts: &[(u32, String)]) -> String {
    let mut body = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        body.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"
        ));
    }
    body.push_str("</CompleteMultipartUpload>");
    body
}

async fn complete(c: &Client, key: &str, id: &str, parts: &[(u32, String)]) -> Resp {
    c.send(
        Req::object("POST", key)
            .query("uploadId", Some(id))
            .body(complete_body(parts).into_bytes()),
    )
    .await
}

#[tokio::test]
async fn full_multipart_upload() {
    for (kind, sig, style) in [
        (StoreKind::Memory, Sig::V4, Style::Path),
        (StoreKind::Folder, Sig::V1, Style::Virtual),
    ] {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        let key = "big/файл.bin";
        let id = initiate(&c, key).await;
        let chunks = [pattern(PART, 1), pattern(PART + 5, 2), pattern(1234, 3)];
        let mut parts = Vec::new();
        // Upload out of order; part 2 twice (the second replaces the first).
        for (n, data) in [
            (3u32, &chunks[2]),
            (1, &chunks[0]),
            (2, &chunks[0]),
            (2, &chunks[1]),
        ] {
            let resp = upload_part(&c, key, &id, n, data).await;
            assert_eq!(resp.status, 200, "{}", resp.text());
            let etag = resp.header("etag").expect("etag").to_owned();
            assert_eq!(etag, format!("\"{}\"", md5_hex(data)));
            let crc = jit_oss_protocol::crc64::checksum(data).to_string();
            assert_eq!(resp.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
            parts.retain(|(m, _)| *m != n);
            parts.push((n, etag));
        }
        parts.sort();

        let listed = c
            .send(Req::object("GET", key).query("uploadId", Some(&id)))
            .await;
        assert_eq!(listed.status, 200, "{}", listed.text());
        let xml = listed.text();
        assert!(xml.contains("<ListPartsResult>"));
        assert_eq!(all_xml_text(&xml, "PartNumber"), vec!["1", "2", "3"]);
        assert_eq!(
            all_xml_text(&xml, "Size"),
            vec![PART.to_string(), (PART + 5).to_string(), "1234".to_string()]
        );
        let page = c
            .send(
                Req::object("GET", key)
                    .query("uploadId", Some(&id))
                    .query("max-parts", Some("2")),
            )
            .await
            .text();
        assert_eq!(xml_text(&page, "IsTruncated").as_deref(), Some("true"));
        assert_eq!(
            xml_text(&page, "NextPartNumberMarker").as_deref(),
            Some("2")
        );

        let uploads = c.send(Req::bucket("GET").query("uploads", None)).await;
        assert_eq!(uploads.status, 200, "{}", uploads.text());
        let xml = uploads.text();
        assert!(xml.contains("<ListMultipartUploadsResult>"));
        assert_eq!(all_xml_text(&xml, "UploadId"), vec![id.clone()]);

        let done = complete(&c, key, &id, &parts).await;
        assert_eq!(done.status, 200, "{}", done.text());
        let whole = chunks.concat();
        let mut md5s = Vec::new();
        for chunk in &chunks {
            md5s.extend(hex::decode(md5_hex(chunk)).expect("hex"));
        }
        let expected_etag = format!("\"{}-3\"", md5_hex(&md5s));
        assert_eq!(xml_text(&done.text(), "ETag"), Some(expected_etag.clone()));
        let crc = jit_oss_protocol::crc64::checksum(&whole).to_string();
        assert_eq!(done.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));

        let get = c.get(key).await;
        assert_eq!(get.status, 200);
        assert_eq!(get.body, whole);
        assert_eq!(get.header("etag"), Some(expected_etag.as_str()));
        assert_eq!(get.header("x-oss-object-type"), Some("Multipart"));
        assert_eq!(get.header("content-type"), Some("video/mp4"));
        assert_eq!(get.header("x-oss-meta-kind"), Some("multi"));
        assert_eq!(get.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));

        let uploads = c.send(Req::bucket("GET").query("uploads", None)).await;
        assert!(all_xml_text(&uploads.text(), "UploadId").is_empty());
        let again = complete(&c, key, &id, &parts).await;
        again.expect_error(404, "NoSuchUpload");
    }
}

#[tokio::test]
async fn complete_checks_sizes_order_and_etags() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    let id = initiate(&c, "m").await;
    let small = pattern(10, 1);
    let big = pattern(PART, 2);
    let e1 = upload_part(&c, "m", &id, 1, &small)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let e2 = upload_part(&c, "m", &id, 2, &big)
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    complete(&c, "m", &id, &[(1, e1.clone()), (2, e2.clone())])
        .await
        .expect_error(400, "EntityTooSmall");
    complete(&c, "m", &id, &[(2, e2.clone()), (1, e1.clone())])
        .await
        .expect_error(400, "InvalidPartOrder");
    complete(&c, "m", &id, &[(1, e2.clone())])
        .await
        .expect_error(400, "InvalidPart");
    complete(&c, "m", &id, &[(7, e1.clone())])
        .await
        .expect_error(400, "InvalidPart");
    let malformed = c
        .send(
            Req::object("POST", "m")
                .query("uploadId", Some(&id))
                .body(b"<CompleteMultipartUpload><Part>".to_vec()),
        )
        .await;
    malformed.expect_error(400, "MalformedXML");
    // A single small part is fine: only the last part may be small.
    let ok = complete(&c, "m", &id, &[(1, e1)]).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(c.get("m").await.body, small);
}

#[tokio::test]
async fn part_numbers_and_unknown_uploads() {
    let h = harness(StoreKind::Folder).await;
    let c = client(&h.server, Sig::V1, Style::Path);
    let id = initiate(&c, "p").await;
    upload_part(&c, "p", &id, 0, b"x")
        .await
        .expect_error(400, "InvalidArgument");
    upload_part(&c, "p", &id, 10001, b"x")
        .await
        .expect_error(400, "InvalidArgument");
    assert_eq!(upload_part(&c, "p", &id, 10000, b"x").await.status, 200);
    upload_part(&c, "p", "DEADBEEF", 1, b"x")
        .await
        .expect_error(404, "NoSuchUpload");
    upload_part(&c, "p", "../../etc", 1, b"x")
        .await
        .expect_error(404, "NoSuchUpload");
    upload_part(&c, "other-key", &id, 1, b"x")
        .await
        .expect_error(404, "NoSuchUpload");
}

#[tokio::test]
async fn abort_removes_upload_and_parts() {
    for kind in [StoreKind::Memory, StoreKind::Folder] {
        let h = harness(kind).await;
        let c = client(&h.server, Sig::V4, Style::Virtual);
        let id = initiate(&c, "gone").await;
        assert_eq!(
            upload_part(&c, "gone", &id, 1, &pattern(1000, 1))
                .await
                .status,
            200
        );
        let aborted = c
            .send(Req::object("DELETE", "gone").query("uploadId", Some(&id)))
            .await;
        assert_eq!(aborted.status, 204, "{}", aborted.text());
        c.send(Req::object("GET", "gone").query("uploadId", Some(&id)))
            .await
            .expect_error(404, "NoSuchUpload");
        c.send(Req::object("DELETE", "gone").query("uploadId", Some(&id)))
            .await
            .expect_error(404, "NoSuchUpload");
        assert_eq!(c.get("gone").await.status, 404);
        if let Some(dir) = &h.dir {
            let blobs = dir.path().join(BUCKET).join("blobs");
            assert_eq!(std::fs::read_dir(blobs).expect("blobs").count(), 0);
        }
    }
}
