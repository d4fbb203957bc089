//! Multipart uploads through serve-s3 with S3's checksum rules: a FULL_OBJECT
//! CRC-64/NVME upload (the object's checksum computed as the parts are joined, a
//! wrong one refused with BadDigest), a COMPOSITE CRC-32 upload (`…-N`), part checks
//! (EntityTooSmall, InvalidPartOrder, a part whose checksum is not the one listed),
//! and the multipart ETag.

mod common;

use common::*;
use jit_s3_server::checksum::{composite, of, Algorithm};
use md5::{Digest, Md5};

fn field(text: &str, name: &str) -> String {
    text.split(&format!("<{name}>"))
        .nth(1)
        .and_then(|rest| rest.split(&format!("</{name}>")).next())
        .unwrap_or("")
        .to_owned()
}

async fn initiate(
    server: &jit_s3_server::RunningServer,
    key: &str,
    headers: &[(&str, &str)],
) -> String {
    let mut req = request(server, "POST", Some(key)).with_query("uploads", None);
    for (n, v) in headers {
        req.set_header(n, *v);
    }
    let a = signed(server, req, vec![]).await;
    assert_eq!(a.status, 200, "{}", a.text());
    field(&a.text(), "UploadId")
}

async fn part(
    server: &jit_s3_server::RunningServer,
    key: &str,
    id: &str,
    n: u32,
    data: &[u8],
    checksum: Option<(&str, String)>,
) -> Answer {
    let mut req = request(server, "PUT", Some(key))
        .with_query("partNumber", Some(&n.to_string()))
        .with_query("uploadId", Some(id));
    if let Some((name, value)) = checksum {
        req.set_header(name, value);
    }
    signed(server, req, data.to_vec()).await
}

/// A part as listed in CompleteMultipartUpload: number, ETag, a checksum element.
type Listed<'a> = (u32, String, Option<(&'a str, String)>);

fn complete_xml(parts: &[Listed<'_>]) -> Vec<u8> {
    let mut xml = String::from("<CompleteMultipartUpload>");
    for (n, etag, checksum) in parts {
        xml.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag>"
        ));
        if let Some((element, value)) = checksum {
            xml.push_str(&format!("<{element}>{value}</{element}>"));
        }
        xml.push_str("</Part>");
    }
    xml.push_str("</CompleteMultipartUpload>");
    xml.into_bytes()
}

#[tokio::test]
async fn full_object_crc64nvme() {
    let server = server(None).await;
    let one: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i * 7 % 253) as u8)
        .collect();
    let two = b"the last part may be small".to_vec();
    let whole = [one.clone(), two.clone()].concat();
    let id = initiate(
        &server,
        "full",
        &[("x-amz-checksum-algorithm", "CRC64NVME")],
    )
    .await;
    let mut listed = Vec::new();
    for (n, data) in [(1, &one), (2, &two)] {
        let value = of(Algorithm::Crc64Nvme, data);
        let a = part(
            &server,
            "full",
            &id,
            n,
            data,
            Some(("x-amz-checksum-crc64nvme", value.clone())),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text());
        assert_eq!(a.header("x-amz-checksum-crc64nvme"), value);
        listed.push((n, a.header("etag").to_owned(), None));
    }
    let wrong = request(&server, "POST", Some("full"))
        .with_query("uploadId", Some(&id))
        .with_header(
            "x-amz-checksum-crc64nvme",
            of(Algorithm::Crc64Nvme, b"other"),
        );
    let a = signed(&server, wrong, complete_xml(&listed)).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (400, "BadDigest"),
        "{}",
        a.text()
    );
    let full = of(Algorithm::Crc64Nvme, &whole);
    let req = request(&server, "POST", Some("full"))
        .with_query("uploadId", Some(&id))
        .with_header("x-amz-checksum-crc64nvme", full.clone());
    let a = signed(&server, req, complete_xml(&listed)).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(field(&a.text(), "ChecksumCRC64NVME"), full);
    assert_eq!(field(&a.text(), "ChecksumType"), "FULL_OBJECT");
    let mut md5s = Md5::new();
    md5s.update(Md5::digest(&one));
    md5s.update(Md5::digest(&two));
    assert_eq!(
        field(&a.text(), "ETag"),
        format!("&quot;{}-2&quot;", hex::encode(md5s.finalize()))
    );
    let got = signed(
        &server,
        request(&server, "GET", Some("full")).with_header("x-amz-checksum-mode", "ENABLED"),
        vec![],
    )
    .await;
    assert!(got.body == whole);
    assert_eq!(got.header("x-amz-checksum-crc64nvme"), full);
    assert_eq!(got.header("x-amz-checksum-type"), "FULL_OBJECT");
    assert_eq!(got.header("x-amz-mp-parts-count"), "2");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn composite_crc32_and_part_checks() {
    let server = server(None).await;
    let one = vec![1u8; 5 * 1024 * 1024];
    let two = vec![2u8; 10];
    let id = initiate(&server, "comp", &[("x-amz-checksum-algorithm", "CRC32")]).await;
    // A part sent with another algorithm than the upload's is refused.
    let a = part(
        &server,
        "comp",
        &id,
        1,
        &one,
        Some(("x-amz-checksum-sha1", of(Algorithm::Sha1, &one))),
    )
    .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (400, "InvalidRequest"),
        "{}",
        a.text()
    );
    let mut listed = Vec::new();
    let mut values = Vec::new();
    for (n, data) in [(1, &one), (2, &two)] {
        // No checksum sent: the server computes the upload's CRC-32.
        let a = part(&server, "comp", &id, n, data, None).await;
        assert_eq!(a.header("x-amz-checksum-crc32"), of(Algorithm::Crc32, data));
        values.push(of(Algorithm::Crc32, data));
        listed.push((
            n,
            a.header("etag").to_owned(),
            Some(("ChecksumCRC32", of(Algorithm::Crc32, data))),
        ));
    }
    let complete = |xml: Vec<u8>| {
        let req = request(&server, "POST", Some("comp")).with_query("uploadId", Some(&id));
        signed(&server, req, xml)
    };
    let reversed = vec![listed[1].clone(), listed[0].clone()];
    let a = complete(complete_xml(&reversed)).await;
    assert_eq!(a.code(), "InvalidPartOrder", "{}", a.text());
    let mut bad = listed.clone();
    bad[0].2 = Some(("ChecksumCRC32", "AAAAAA==".to_owned()));
    let a = complete(complete_xml(&bad)).await;
    assert_eq!(a.code(), "InvalidPart", "{}", a.text());
    let a = complete(complete_xml(&[listed[1].clone()])).await;
    assert_eq!(
        a.status,
        200,
        "a single small part is a whole upload: {}",
        a.text()
    );

    let id2 = initiate(&server, "small", &[]).await;
    let mut small = Vec::new();
    for n in 1..=2 {
        let a = part(&server, "small", &id2, n, b"tiny", None).await;
        small.push((n, a.header("etag").to_owned(), None));
    }
    let req = request(&server, "POST", Some("small")).with_query("uploadId", Some(&id2));
    let a = signed(&server, req, complete_xml(&small)).await;
    assert_eq!(a.code(), "EntityTooSmall", "{}", a.text());

    let id3 = initiate(&server, "comp3", &[("x-amz-checksum-algorithm", "CRC32")]).await;
    let mut listed3 = Vec::new();
    for (n, data) in [(1, &one), (2, &two)] {
        let a = part(
            &server,
            "comp3",
            &id3,
            n,
            data,
            Some(("x-amz-checksum-crc32", of(Algorithm::Crc32, data))),
        )
        .await;
        listed3.push((n, a.header("etag").to_owned(), None));
    }
    let req = request(&server, "POST", Some("comp3")).with_query("uploadId", Some(&id3));
    let a = signed(&server, req, complete_xml(&listed3)).await;
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let want = composite(Algorithm::Crc32, &refs).unwrap();
    assert_eq!(field(&a.text(), "ChecksumCRC32"), want, "{}", a.text());
    assert_eq!(field(&a.text(), "ChecksumType"), "COMPOSITE");
    assert!(want.ends_with("-2"));
    server.shutdown().await.unwrap();
}
