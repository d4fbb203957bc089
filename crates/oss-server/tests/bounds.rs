//! Server-side bounds on what a client sends: invalid object names (control
//! characters), `max-keys=0` and its siblings, V1 presigned URLs valid for too long,
//! numbers too large for their type, and XML bodies too large to read.

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt as _;
use jit_oss_protocol::sign::{v4, SignRequest};

#[tokio::test]
async fn control_characters_in_keys_are_invalid_object_names() {
    let h = harness(StoreKind::Memory).await;
    for sig in [Sig::V1, Sig::V4] {
        let c = client(&h.server, sig, Style::Path);
        for key in [
            "line\nbreak",
            "cr\rx",
            "tab\tx",
            "nul\0x",
            "del\u{7f}x",
            "c1\u{85}x",
        ] {
            let put = c.send(Req::object("PUT", key).body(b"x".to_vec())).await;
            put.expect_error(400, "InvalidObjectName");
            c.send(Req::object("GET", key))
                .await
                .expect_error(400, "InvalidObjectName");
        }
    }
    let c = client(&h.server, Sig::V4, Style::Path);
    c.put("fine", b"x").await;
    // A copy whose source names a control character.
    let copy = c
        .send(Req::object("PUT", "copy").header("x-oss-copy-source", &format!("/{BUCKET}/a%0Ab")))
        .await;
    copy.expect_error(400, "InvalidObjectName");
    // A batch delete naming one.
    let body =
        "<Delete><Object><Key>fine</Key></Object><Object><Key>a&#10;b</Key></Object></Delete>";
    let delete = c
        .send(
            Req::bucket("POST")
                .query("delete", None)
                .header("content-md5", &md5_b64(body.as_bytes()))
                .body(body.as_bytes().to_vec()),
        )
        .await;
    delete.expect_error(400, "InvalidObjectName");
    assert_eq!(c.get("fine").await.status, 200, "nothing was deleted");
    // Listing shows that none of them was stored.
    let listed = c.send(Req::bucket("GET")).await.text();
    assert_eq!(all_xml_text(&listed, "Key"), vec!["fine"]);
}

/// Asserts an empty, complete page: no `tag` entries, not truncated, no next marker.
fn assert_empty_page(xml: &str, tag: &str, next: &str) {
    assert!(all_xml_text(xml, tag).is_empty(), "{xml}");
    assert_eq!(
        xml_text(xml, "IsTruncated").as_deref(),
        Some("false"),
        "{xml}"
    );
    let next_marker = xml_text(xml, next).unwrap_or_default();
    assert!(next_marker.is_empty() || next_marker == "0", "{xml}");
}

#[tokio::test]
async fn max_zero_answers_an_empty_complete_page() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    for key in ["a", "b/c", "d"] {
        c.put(key, b"x").await;
    }
    let v1 = c
        .send(Req::bucket("GET").query("max-keys", Some("0")))
        .await;
    assert_eq!(v1.status, 200, "{}", v1.text());
    assert_empty_page(&v1.text(), "Key", "NextMarker");
    assert_eq!(xml_text(&v1.text(), "MaxKeys").as_deref(), Some("0"));
    let v1_grouped = c
        .send(
            Req::bucket("GET")
                .query("max-keys", Some("0"))
                .query("delimiter", Some("/")),
        )
        .await;
    assert_empty_page(&v1_grouped.text(), "CommonPrefixes", "NextMarker");
    let v2 = c
        .send(
            Req::bucket("GET")
                .query("list-type", Some("2"))
                .query("max-keys", Some("0")),
        )
        .await;
    assert_eq!(v2.status, 200, "{}", v2.text());
    assert_empty_page(&v2.text(), "Key", "NextContinuationToken");
    assert_eq!(xml_text(&v2.text(), "KeyCount").as_deref(), Some("0"));
    let buckets = c
        .send(Req::new("GET", None, None).query("max-keys", Some("0")))
        .await;
    assert_eq!(buckets.status, 200, "{}", buckets.text());
    assert_empty_page(&buckets.text(), "Bucket", "NextMarker");

    let init = c
        .send(Req::object("POST", "mp").query("uploads", None))
        .await;
    let upload_id = xml_text(&init.text(), "UploadId").expect("upload id");
    let part = c
        .send(
            Req::object("PUT", "mp")
                .query("partNumber", Some("1"))
                .query("uploadId", Some(&upload_id))
                .body(b"part".to_vec()),
        )
        .await;
    assert_eq!(part.status, 200, "{}", part.text());
    let parts = c
        .send(
            Req::object("GET", "mp")
                .query("uploadId", Some(&upload_id))
                .query("max-parts", Some("0")),
        )
        .await;
    assert_eq!(parts.status, 200, "{}", parts.text());
    assert_empty_page(&parts.text(), "Part", "NextPartNumberMarker");
    let uploads = c
        .send(
            Req::bucket("GET")
                .query("uploads", None)
                .query("max-uploads", Some("0")),
        )
        .await;
    assert_eq!(uploads.status, 200, "{}", uploads.text());
    assert_empty_page(&uploads.text(), "Upload", "NextKeyMarker");
}

#[tokio::test]
async fn v1_presigned_urls_valid_for_more_than_seven_days_are_refused() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V1, Style::Path);
    c.put("shared", b"x").await;
    let week = Duration::from_secs(7 * 24 * 3600);
    let ok = c.send_presigned(Req::object("GET", "shared"), week).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    for ahead in [
        week + Duration::from_secs(16 * 60),
        Duration::from_secs(50 * 365 * 24 * 3600),
    ] {
        let refused = c.send_presigned(Req::object("GET", "shared"), ahead).await;
        refused.expect_error(400, "InvalidArgument");
    }
}

#[tokio::test]
async fn numbers_too_large_for_their_type_are_answered_not_panicked_on() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    c.put("ten", b"0123456789").await;
    let max = u64::MAX.to_string();
    let over = "18446744073709551616";
    for (range, status, len) in [
        (format!("bytes={max}-"), 416, None),
        (format!("bytes=0-{max}"), 206, Some(10)),
        (format!("bytes=-{max}"), 206, Some(10)),
        (format!("bytes={over}-"), 200, Some(10)),
        (format!("bytes=9-{over}"), 200, Some(10)),
    ] {
        let got = c
            .send(Req::object("GET", "ten").header("range", &range))
            .await;
        assert_eq!(got.status, status, "{range}: {}", got.text());
        if let Some(len) = len {
            assert_eq!(got.body.len(), len, "{range}");
        }
    }
    for count in ["max-keys", "max-uploads"] {
        let query = if count == "max-uploads" {
            Req::bucket("GET").query("uploads", None)
        } else {
            Req::bucket("GET")
        };
        c.send(query.query(count, Some(over)))
            .await
            .expect_error(400, "InvalidArgument");
    }
    let append = c
        .send(
            Req::object("POST", "log")
                .query("append", None)
                .query("position", Some(&max))
                .body(b"x".to_vec()),
        )
        .await;
    append.expect_error(409, "PositionNotEqualToLength");
    let init = c
        .send(Req::object("POST", "mp").query("uploads", None))
        .await;
    let upload_id = xml_text(&init.text(), "UploadId").expect("upload id");
    for number in ["0", "10001", "4294967296", over] {
        let part = c
            .send(
                Req::object("PUT", "mp")
                    .query("partNumber", Some(number))
                    .query("uploadId", Some(&upload_id))
                    .body(b"x".to_vec()),
            )
            .await;
        part.expect_error(400, "InvalidArgument");
    }
    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>{over}</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>"
    );
    let complete = c
        .send(
            Req::object("POST", "mp")
                .query("uploadId", Some(&upload_id))
                .body(body.into_bytes()),
        )
        .await;
    complete.expect_error(400, "MalformedXML");
    let mut late = client(&h.server, Sig::V4, Style::Path);
    late.now = std::time::UNIX_EPOCH + Duration::from_secs(253_402_300_799); // 9999-12-31
    late.get("ten")
        .await
        .expect_error(403, "RequestTimeTooSkewed");
}

/// Sends a V4-signed POST whose body is `first` and then never ends, announcing
/// `content_length` (or chunked when `None`), and returns the answer.
async fn post_endless_body(
    c: &Client,
    key: Option<&str>,
    query: &[(&str, Option<&str>)],
    content_length: Option<u64>,
    first: Vec<u8>,
) -> (u16, String) {
    let mut sign = SignRequest::new("POST").with_bucket(BUCKET);
    if let Some(key) = key {
        sign = sign.with_key(key);
    }
    for (name, value) in query {
        sign = sign.with_query(*name, *value);
    }
    v4::sign_header(
        &mut sign,
        &c.credentials,
        REGION,
        &[],
        std::time::SystemTime::now(),
    )
    .expect("sign");
    let url = format!(
        "http://{}{}?{}",
        c.addr,
        sign.path_style_path(),
        sign.query_string()
    );
    let mut builder = c.http.post(url);
    for (name, value) in &sign.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(length) = content_length {
        builder = builder.header("content-length", length.to_string());
    }
    let endless = futures::stream::once(async move { Ok::<_, std::io::Error>(first) })
        .chain(futures::stream::pending());
    let response = tokio::time::timeout(
        Duration::from_secs(60),
        builder.body(reqwest::Body::wrap_stream(endless)).send(),
    )
    .await
    .expect("the server answers without waiting for the rest of the body")
    .expect("an answer");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn oversized_xml_bodies_are_refused_before_they_are_read() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    let init = c
        .send(Req::object("POST", "mp").query("uploads", None))
        .await;
    let upload_id = xml_text(&init.text(), "UploadId").expect("upload id");
    let (status, text) = post_endless_body(
        &c,
        Some("mp"),
        &[("uploadId", Some(&upload_id))],
        Some(64 * 1024 * 1024),
        b"<CompleteMultipartUpload>".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(xml_text(&text, "Code").as_deref(), Some("EntityTooLarge"));
    let (status, text) = post_endless_body(
        &c,
        None,
        &[("delete", None)],
        Some(1024 * 1024 * 1024),
        b"<Delete>".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(xml_text(&text, "Code").as_deref(), Some("EntityTooLarge"));
}

#[tokio::test]
async fn oversized_chunked_xml_bodies_are_cut_off_at_the_limit() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    // One byte over the 8 MiB limit, sent without a length (and then nothing more, so
    // that the server has read every byte sent when it answers).
    let mut body = b"<Delete>".to_vec();
    body.resize(8 * 1024 * 1024 + 1, b' ');
    let (status, text) = post_endless_body(&c, None, &[("delete", None)], None, body).await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(xml_text(&text, "Code").as_deref(), Some("EntityTooLarge"));
    // The server is still there for the next request.
    c.put("after", b"x").await;
}
