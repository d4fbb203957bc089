//! aws-chunked bodies as serve-s3 receives them: unsigned with a checksum trailer,
//! signed chunks, signed chunks with a signed trailer; and their refusals, after which
//! nothing is kept: a wrong trailer checksum (BadDigest), a forged chunk (signature
//! mismatch), a short body (IncompleteBody), trailers that do not match x-amz-trailer.

mod common;

use common::*;
use jit_s3_server::checksum::{of, Algorithm};

async fn stored(server: &jit_s3_server::RunningServer, key: &str) -> Option<Vec<u8>> {
    let a = signed(server, request(server, "GET", Some(key)), vec![]).await;
    (a.status == 200).then_some(a.body)
}

#[tokio::test]
async fn chunked_bodies_are_decoded_and_checked() {
    let server = server(None).await;
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let crc32 = of(Algorithm::Crc32, &data);
    let nvme = of(Algorithm::Crc64Nvme, &data);
    let trailer_crc32 = [("x-amz-checksum-crc32", crc32.as_str())];
    let trailer_nvme = [("x-amz-checksum-crc64nvme", nvme.as_str())];

    let a = chunked(
        &server,
        request(&server, "PUT", Some("u")),
        &data,
        8192,
        false,
        &trailer_crc32,
        |_| {},
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("x-amz-checksum-crc32"), crc32);
    assert_eq!(stored(&server, "u").await.as_deref(), Some(&data[..]));

    let a = chunked(
        &server,
        request(&server, "PUT", Some("s")),
        &data,
        65536,
        true,
        &[],
        |_| {},
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(stored(&server, "s").await.as_deref(), Some(&data[..]));

    let a = chunked(
        &server,
        request(&server, "PUT", Some("st")),
        &data,
        10000,
        true,
        &trailer_nvme,
        |_| {},
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let got = signed(
        &server,
        request(&server, "HEAD", Some("st")).with_header("x-amz-checksum-mode", "ENABLED"),
        vec![],
    )
    .await;
    assert_eq!(got.header("x-amz-checksum-crc64nvme"), nvme);

    let wrong = [("x-amz-checksum-crc32", "AAAAAA==")];
    let a = chunked(
        &server,
        request(&server, "PUT", Some("bad1")),
        &data,
        8192,
        false,
        &wrong,
        |_| {},
    )
    .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (400, "BadDigest"),
        "{}",
        a.text()
    );
    // One byte of the second chunk changed: its signature no longer matches.
    let a = chunked(
        &server,
        request(&server, "PUT", Some("bad2")),
        &data,
        8192,
        true,
        &[],
        |body| {
            body[9000] ^= 1;
        },
    )
    .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (403, "SignatureDoesNotMatch"),
        "{}",
        a.text()
    );
    let a = chunked(
        &server,
        request(&server, "PUT", Some("bad3")),
        &data,
        8192,
        false,
        &trailer_crc32,
        |body| {
            body.truncate(body.len() / 2);
        },
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.text());
    let mut req = request(&server, "PUT", Some("bad4"));
    req.set_header("x-amz-trailer", "x-amz-checksum-sha256");
    let a = chunked(&server, req, &data, 8192, false, &[], |_| {}).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (400, "InvalidRequest"),
        "{}",
        a.text()
    );
    for key in ["bad1", "bad2", "bad3", "bad4"] {
        assert_eq!(stored(&server, key).await, None, "{key} was kept");
    }
    server.shutdown().await.unwrap();
}
