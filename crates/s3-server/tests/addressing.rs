//! Both addressing styles reach the same objects: a PUT to
//! `http://test-bucket.localhost:PORT/key` (virtual-hosted, signed with that host) is
//! read back with `http://127.0.0.1:PORT/test-bucket/key`, and ListBuckets answers `/`.

mod common;

use std::time::SystemTime;

use common::*;
use jit_oss_protocol::s3::{sign_header, PayloadHash, S3Request};

#[tokio::test]
async fn virtual_host_and_path_style_meet() {
    let server = server(None).await;
    let port = server.local_addr().port();
    let host = format!("{BUCKET}.localhost:{port}");
    let mut req =
        S3Request::virtual_hosted("PUT", Some("dir/v key.txt")).with_header("host", &host);
    let body = b"virtually hosted".to_vec();
    sign_header(
        &mut req,
        &creds(),
        REGION,
        &PayloadHash::of(&body),
        SystemTime::now(),
    )
    .unwrap();
    let client = reqwest::Client::builder()
        .resolve(&format!("{BUCKET}.localhost"), server.local_addr())
        .build()
        .unwrap();
    let mut builder = client
        .put(format!("http://{host}{}", req.path_and_query()))
        .body(body.clone());
    for (name, value) in req.headers.iter().filter(|(n, _)| n != "host") {
        builder = builder.header(name, value);
    }
    let response = builder.send().await.unwrap();
    assert_eq!(response.status(), 200);

    let a = signed(
        &server,
        request(&server, "GET", Some("dir/v key.txt")),
        vec![],
    )
    .await;
    assert_eq!(a.body, body);
    let list = S3Request::new("GET", "/").with_header("host", server.local_addr().to_string());
    let a = signed(&server, list, vec![]).await;
    assert!(
        a.text().contains(&format!("<Name>{BUCKET}</Name>")),
        "{}",
        a.text()
    );
    server.shutdown().await.unwrap();
}
