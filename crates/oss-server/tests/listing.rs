//! Listing and bucket-level API: ListObjects v1 and v2 (prefix, delimiter, paging,
//! encoding-type=url), DeleteMultipleObjects, ListBuckets, GetBucketInfo, Put/DeleteBucket.

mod common;

use common::*;

async fn fill(c: &Client, keys: &[&str]) {
    for key in keys {
        c.put(key, key.as_bytes()).await;
    }
}

const KEYS: &[&str] = &[
    "a/1.txt",
    "a/2.txt",
    "a/sub/3.txt",
    "b.txt",
    "c/4.txt",
    "d.txt",
    "e f+g.txt",
];

#[tokio::test]
async fn list_v1_with_delimiter_and_paging() {
    for (kind, sig, style) in [
        (StoreKind::Memory, Sig::V1, Style::Path),
        (StoreKind::Folder, Sig::V4, Style::Virtual),
    ] {
        let h = harness(kind).await;
        let c = client(&h.server, sig, style);
        fill(&c, KEYS).await;

        let all = c.send(Req::bucket("GET")).await;
        assert_eq!(all.status, 200, "{}", all.text());
        let xml = all.text();
        assert!(xml.contains("<ListBucketResult>"), "{xml}");
        assert_eq!(all_xml_text(&xml, "Key"), KEYS);
        assert_eq!(xml_text(&xml, "IsTruncated").as_deref(), Some("false"));
        assert_eq!(xml_text(&xml, "Name").as_deref(), Some(BUCKET));
        let first_size = xml_text(&xml, "Size").expect("size");
        assert_eq!(first_size, "7");
        assert_eq!(xml_text(&xml, "Type").as_deref(), Some("Normal"));
        assert_eq!(xml_text(&xml, "StorageClass").as_deref(), Some("Standard"));
        let modified = xml_text(&xml, "LastModified").expect("date");
        assert!(
            modified.ends_with(".000Z") && modified.len() == 24,
            "{modified}"
        );

        let mut keys = Vec::new();
        let mut prefixes = Vec::new();
        let mut marker = String::new();
        let mut pages = 0;
        loop {
            let page = c
                .send(
                    Req::bucket("GET")
                        .query("delimiter", Some("/"))
                        .query("max-keys", Some("2"))
                        .query("marker", Some(&marker)),
                )
                .await;
            assert_eq!(page.status, 200, "{}", page.text());
            let xml = page.text();
            pages += 1;
            keys.extend(all_xml_text(&xml, "Key"));
            // CommonPrefixes/Prefix elements, without the top-level <Prefix>.
            let ps = all_xml_text(&xml, "Prefix");
            prefixes.extend(ps.into_iter().skip(1));
            if xml_text(&xml, "IsTruncated").as_deref() == Some("true") {
                marker = xml_text(&xml, "NextMarker").expect("next marker");
            } else {
                assert_eq!(xml_text(&xml, "NextMarker"), None);
                break;
            }
        }
        assert_eq!(keys, vec!["b.txt", "d.txt", "e f+g.txt"]);
        assert_eq!(prefixes, vec!["a/", "c/"]);
        assert_eq!(pages, 3);

        let sub = c
            .send(
                Req::bucket("GET")
                    .query("prefix", Some("a/"))
                    .query("delimiter", Some("/")),
            )
            .await;
        let xml = sub.text();
        assert_eq!(all_xml_text(&xml, "Key"), vec!["a/1.txt", "a/2.txt"]);
        assert_eq!(all_xml_text(&xml, "Prefix"), vec!["a/", "a/sub/"]);

        let bad = c
            .send(Req::bucket("GET").query("max-keys", Some("1001")))
            .await;
        bad.expect_error(400, "InvalidArgument");
    }
}

#[tokio::test]
async fn list_v1_url_encoding() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    fill(&c, &["x/é z.txt", "x/plain"]).await;
    let resp = c
        .send(
            Req::bucket("GET")
                .query("encoding-type", Some("url"))
                .query("prefix", Some("x/")),
        )
        .await;
    let xml = resp.text();
    assert_eq!(xml_text(&xml, "EncodingType").as_deref(), Some("url"));
    // Keys sort by UTF-8 bytes, as in OSS: "p" < "é".
    assert_eq!(
        all_xml_text(&xml, "Key"),
        vec!["x%2Fplain", "x%2F%C3%A9%20z.txt"]
    );
    assert_eq!(xml_text(&xml, "Prefix").as_deref(), Some("x%2F"));
    let bad = c
        .send(Req::bucket("GET").query("encoding-type", Some("base64")))
        .await;
    bad.expect_error(400, "InvalidArgument");
}

#[tokio::test]
async fn list_v2_continuation_and_start_after() {
    for kind in [StoreKind::Memory, StoreKind::Folder] {
        let h = harness(kind).await;
        let c = client(&h.server, Sig::V4, Style::Virtual);
        fill(&c, KEYS).await;
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut req = Req::bucket("GET")
                .query("list-type", Some("2"))
                .query("max-keys", Some("3"));
            if let Some(t) = &token {
                req = req.query("continuation-token", Some(t));
            }
            let page = c.send(req).await;
            assert_eq!(page.status, 200, "{}", page.text());
            let xml = page.text();
            let keys = all_xml_text(&xml, "Key");
            assert_eq!(
                xml_text(&xml, "KeyCount"),
                Some(keys.len().to_string()),
                "{xml}"
            );
            assert!(!xml.contains("<Owner>"), "no owner without fetch-owner");
            seen.extend(keys);
            if xml_text(&xml, "IsTruncated").as_deref() == Some("true") {
                token = Some(xml_text(&xml, "NextContinuationToken").expect("token"));
            } else {
                break;
            }
        }
        assert_eq!(seen, KEYS);

        let after = c
            .send(
                Req::bucket("GET")
                    .query("list-type", Some("2"))
                    .query("start-after", Some("c/4.txt"))
                    .query("fetch-owner", Some("true")),
            )
            .await;
        let xml = after.text();
        assert_eq!(all_xml_text(&xml, "Key"), vec!["d.txt", "e f+g.txt"]);
        assert!(xml.contains("<Owner>"));
        assert_eq!(xml_text(&xml, "StartAfter").as_deref(), Some("c/4.txt"));

        let rolled = c
            .send(
                Req::bucket("GET")
                    .query("list-type", Some("2"))
                    .query("delimiter", Some("/")),
            )
            .await;
        let xml = rolled.text();
        assert_eq!(xml_text(&xml, "KeyCount").as_deref(), Some("5"));
    }
}

#[tokio::test]
async fn delete_multiple_objects() {
    for kind in [StoreKind::Memory, StoreKind::Folder] {
        let h = harness(kind).await;
        let c = client(&h.server, Sig::V1, Style::Path);
        fill(&c, &["k1", " spaced key ", "k&3", "keep"]).await;
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete><Quiet>false</Quiet>\
            <Object><Key>k1</Key></Object><Object><Key> spaced key </Key></Object>\
            <Object><Key>k&amp;3</Key></Object><Object><Key>never-existed</Key></Object></Delete>";
        let resp = c
            .send(
                Req::bucket("POST")
                    .query("delete", None)
                    .header("content-md5", &md5_b64(body.as_bytes()))
                    .header("content-type", "application/xml")
                    .body(body.as_bytes().to_vec()),
            )
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        let xml = resp.text();
        assert!(xml.contains("<DeleteResult>"), "{xml}");
        assert_eq!(
            all_xml_text(&xml, "Key"),
            vec!["k1", " spaced key ", "k&3", "never-existed"]
        );
        let listed = c.send(Req::bucket("GET")).await.text();
        assert_eq!(all_xml_text(&listed, "Key"), vec!["keep"]);

        let quiet_body = "<Delete><Quiet>true</Quiet><Object><Key>keep</Key></Object></Delete>";
        let quiet = c
            .send(
                Req::bucket("POST")
                    .query("delete", None)
                    .header("content-md5", &md5_b64(quiet_body.as_bytes()))
                    .body(quiet_body.as_bytes().to_vec()),
            )
            .await;
        assert_eq!(quiet.status, 200);
        assert!(all_xml_text(&quiet.text(), "Key").is_empty());
        assert_eq!(c.get("keep").await.status, 404);

        let bad_md5 = c
            .send(
                Req::bucket("POST")
                    .query("delete", None)
                    .header("content-md5", &md5_b64(b"something else"))
                    .body(quiet_body.as_bytes().to_vec()),
            )
            .await;
        bad_md5.expect_error(400, "InvalidDigest");
        let malformed = c
            .send(
                Req::bucket("POST")
                    .query("delete", None)
                    .body(b"<Delete><Object>".to_vec()),
            )
            .await;
        malformed.expect_error(400, "MalformedXML");
    }
}

#[tokio::test]
async fn buckets_create_list_info_delete() {
    let h = harness(StoreKind::Folder).await;
    let c = client(&h.server, Sig::V4, Style::Path);
    let created = c.send(Req::new("PUT", Some("other-bucket"), None)).await;
    assert_eq!(created.status, 200, "{}", created.text());
    let list = c.send(Req::new("GET", None, None)).await;
    assert_eq!(list.status, 200, "{}", list.text());
    let xml = list.text();
    assert!(xml.contains("<ListAllMyBucketsResult>"));
    assert_eq!(all_xml_text(&xml, "Name"), vec!["other-bucket", BUCKET]);
    assert_eq!(
        xml_text(&xml, "Location").as_deref(),
        Some("oss-cn-hangzhou")
    );

    let info = c
        .send(Req::new("GET", Some("other-bucket"), None).query("bucketInfo", None))
        .await;
    assert_eq!(info.status, 200, "{}", info.text());
    assert_eq!(
        xml_text(&info.text(), "Name").as_deref(),
        Some("other-bucket")
    );

    let virt = client(&h.server, Sig::V1, Style::Virtual);
    let put = virt
        .send(Req::new("PUT", Some("other-bucket"), Some("k")).body(b"v".to_vec()))
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    let not_empty = c.send(Req::new("DELETE", Some("other-bucket"), None)).await;
    not_empty.expect_error(409, "BucketNotEmpty");
    virt.send(Req::new("DELETE", Some("other-bucket"), Some("k")))
        .await;
    let deleted = c.send(Req::new("DELETE", Some("other-bucket"), None)).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    let gone = c.send(Req::new("GET", Some("other-bucket"), None)).await;
    gone.expect_error(404, "NoSuchBucket");
    let bad = c.send(Req::new("PUT", Some("x"), None)).await;
    bad.expect_error(400, "InvalidBucketName");
}
