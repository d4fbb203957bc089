//! CORS (`ServerConfig::cors_origins`) on a real S3 server: preflights allowed and
//! refused before SigV4 is checked, a presigned PUT sent by a page (its `Origin` not
//! signed), error answers to an allowed origin, and nothing when no origin is configured.

mod common;

use std::time::SystemTime;

use common::*;
use jit_oss_protocol::s3::presign;
use jit_oss_protocol::Credentials;
use jit_s3_server::{start, RunningServer, ServerConfig, ServerError};

const PAGE: &str = "http://localhost:3000";

async fn cors_server(origins: &[&str]) -> RunningServer {
    start(ServerConfig {
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        cors_origins: origins.iter().map(|o| o.to_string()).collect(),
        ..ServerConfig::default()
    })
    .await
    .expect("start")
}

async fn preflight(server: &RunningServer, origin: &str, method: &str) -> Answer {
    let response = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/{BUCKET}/up/file.bin", server.endpoint()),
        )
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

fn has_cors_headers(answer: &Answer) -> bool {
    answer
        .headers
        .keys()
        .any(|name| name.as_str().starts_with("access-control-"))
}

/// A PUT of `body` presigned by `credentials` (Content-Type signed, as a server
/// handing out upload URLs would), then sent with the page's `Origin` added, as a
/// browser does.
async fn browser_put(
    server: &RunningServer,
    key: &str,
    body: &[u8],
    credentials: &Credentials,
    origin: &str,
) -> Answer {
    let mut req =
        request(server, "PUT", Some(key)).with_header("content-type", "application/octet-stream");
    presign(&mut req, credentials, REGION, SystemTime::now(), 300).expect("presign");
    req.set_header("origin", origin);
    send(server, &req, body.to_vec()).await
}

#[tokio::test]
async fn preflights_are_answered_before_signatures() {
    let server = cors_server(&[PAGE]).await;
    let a = preflight(&server, PAGE, "PUT").await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("access-control-allow-origin"), PAGE);
    assert!(a.header("access-control-allow-methods").contains("PUT"));
    assert_eq!(a.header("access-control-allow-headers"), "content-type");
    assert_eq!(a.header("access-control-max-age"), "3600");
    assert_eq!(a.header("vary"), "Origin");
    assert!(!a.header("x-amz-request-id").is_empty());

    for (origin, method) in [("http://evil.test", "PUT"), (PAGE, "TRACE")] {
        let a = preflight(&server, origin, method).await;
        assert_eq!(a.status, 403, "{origin} {method}");
        assert_eq!(a.code(), "AccessForbidden");
        assert!(!has_cors_headers(&a), "{:?}", a.headers);
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_presigned_put_from_the_page_is_stored_with_cors_headers() {
    let server = cors_server(&["http://elsewhere.test", PAGE]).await;
    let a = browser_put(&server, "up/file.bin", b"from the browser", &creds(), PAGE).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("access-control-allow-origin"), PAGE);
    assert_eq!(a.header("vary"), "Origin");
    let exposed = a.header("access-control-expose-headers");
    for name in ["ETag", "x-amz-request-id", "x-amz-checksum-crc64nvme"] {
        assert!(exposed.contains(name), "{exposed}");
    }
    let got = signed(
        &server,
        request(&server, "GET", Some("up/file.bin")),
        vec![],
    )
    .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"from the browser");
    assert!(!has_cors_headers(&got), "no Origin, no CORS headers");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn errors_to_an_allowed_origin_carry_cors_headers() {
    let server = cors_server(&[PAGE]).await;
    let wrong = Credentials::new(AK, "not-the-secret");
    let a = browser_put(&server, "up/denied", b"x", &wrong, PAGE).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.code(), "SignatureDoesNotMatch");
    assert_eq!(a.header("access-control-allow-origin"), PAGE);
    assert!(!a.header("access-control-expose-headers").is_empty());

    let a = browser_put(&server, "up/denied", b"x", &wrong, "http://evil.test").await;
    assert_eq!(a.code(), "SignatureDoesNotMatch");
    assert!(!has_cors_headers(&a));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_configured_origins_nothing_changes() {
    let server = server(None).await;
    let a = preflight(&server, PAGE, "PUT").await;
    assert_ne!(a.status, 200);
    assert!(!has_cors_headers(&a));
    let a = browser_put(&server, "plain", b"x", &creds(), PAGE).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(!has_cors_headers(&a));
    assert_eq!(a.header("vary"), "");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_origin_is_refused_at_start() {
    let err = start(ServerConfig {
        cors_origins: vec![String::new()],
        ..ServerConfig::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(err, ServerError::InvalidCorsOrigin(_)), "{err}");
}
