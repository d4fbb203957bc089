//! CORS (`ServerConfig::cors_origins`) on a real server: preflights allowed and refused
//! before any signature check, presigned PUTs from a page's origin, error answers to
//! an allowed origin, and no CORS headers at all when no origin is configured.

mod common;

use std::time::Duration;

use common::*;
use jit_oss_protocol::Credentials;
use jit_oss_server::{start, RunningServer, ServerConfig, ServerError};

const PAGE: &str = "http://127.0.0.1:5173";

async fn cors_server(origins: &[&str]) -> RunningServer {
    start(ServerConfig {
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        cors_origins: origins.iter().map(|o| o.to_string()).collect(),
        ..ServerConfig::default()
    })
    .await
    .expect("server starts")
}

/// Sends a browser's preflight for a PUT of `key` from `origin`, unsigned.
async fn preflight(
    server: &RunningServer,
    key: &str,
    origin: &str,
    method: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/{BUCKET}/{key}", server.endpoint()),
        )
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "content-type,x-oss-meta-author",
        )
        .send()
        .await
        .expect("preflight sent")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn has_cors_headers(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .keys()
        .any(|name| name.as_str().starts_with("access-control-"))
}

#[tokio::test]
async fn an_allowed_preflight_is_answered_without_a_signature() {
    let server = cors_server(&["http://other.test", PAGE]).await;
    let answer = preflight(&server, "uploads/photo.png", PAGE, "PUT").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(header(&answer, "access-control-allow-origin"), Some(PAGE));
    let methods = header(&answer, "access-control-allow-methods").unwrap();
    for method in ["GET", "PUT", "POST", "DELETE", "HEAD"] {
        assert!(methods.contains(method), "{methods}");
    }
    assert_eq!(
        header(&answer, "access-control-allow-headers"),
        Some("content-type,x-oss-meta-author")
    );
    assert_eq!(header(&answer, "access-control-max-age"), Some("3600"));
    assert_eq!(header(&answer, "vary"), Some("Origin"));
    assert!(header(&answer, "x-oss-request-id").is_some());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn preflights_from_other_origins_or_for_other_methods_are_refused() {
    let server = cors_server(&[PAGE]).await;
    for (origin, method) in [("http://evil.test", "PUT"), (PAGE, "PATCH")] {
        let answer = preflight(&server, "k", origin, method).await;
        assert_eq!(answer.status(), 403, "{origin} {method}");
        assert!(
            !has_cors_headers(answer.headers()),
            "{origin} {method}: {:?}",
            answer.headers()
        );
        let body = answer.text().await.unwrap();
        assert!(body.contains("<Code>AccessForbidden</Code>"), "{body}");
        assert!(body.contains("CORS"), "{body}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_presigned_put_from_an_allowed_origin_is_stored_and_readable_by_the_page() {
    let server = cors_server(&[PAGE]).await;
    for sig in [Sig::V1, Sig::V4] {
        let c = client(&server, sig, Style::Path);
        let key = format!("browser/{sig:?}.png");
        let put = c
            .send_presigned(
                Req::object("PUT", &key)
                    .header("content-type", "image/png")
                    .header("origin", PAGE)
                    .body(b"not really a png".to_vec()),
                Duration::from_secs(300),
            )
            .await;
        assert_eq!(put.status, 200, "{sig:?}: {}", put.text());
        assert_eq!(put.header("access-control-allow-origin"), Some(PAGE));
        assert_eq!(put.header("vary"), Some("Origin"));
        let exposed = put.header("access-control-expose-headers").unwrap();
        for name in ["ETag", "x-oss-request-id", "x-oss-hash-crc64ecma"] {
            assert!(exposed.contains(name), "{exposed}");
        }
        assert!(put.header("etag").is_some());

        let get = c.get(&key).await;
        assert_eq!(get.status, 200);
        assert_eq!(get.body, b"not really a png");
        assert_eq!(get.header("content-type"), Some("image/png"));
        assert_eq!(
            get.header("access-control-allow-origin"),
            None,
            "no Origin sent"
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_error_answer_to_an_allowed_origin_carries_cors_headers() {
    let server = cors_server(&[PAGE]).await;
    let mut c = client(&server, Sig::V4, Style::Path);
    c.credentials = Credentials::new(AK, "not-the-secret");
    let put = c
        .send_presigned(
            Req::object("PUT", "denied.txt")
                .header("origin", PAGE)
                .body(b"x".to_vec()),
            Duration::from_secs(300),
        )
        .await;
    put.expect_error(403, "SignatureDoesNotMatch");
    assert_eq!(put.header("access-control-allow-origin"), Some(PAGE));
    assert!(put.header("access-control-expose-headers").is_some());

    // The same error to another origin: no CORS headers.
    let put = c
        .send_presigned(
            Req::object("PUT", "denied.txt")
                .header("origin", "http://evil.test")
                .body(b"x".to_vec()),
            Duration::from_secs(300),
        )
        .await;
    put.expect_error(403, "SignatureDoesNotMatch");
    assert!(!has_cors_headers(&put.headers));
    let get = client(&server, Sig::V4, Style::Path)
        .get("denied.txt")
        .await;
    get.expect_error(404, "NoSuchKey");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn any_origin_with_a_star() {
    let server = cors_server(&["*"]).await;
    let answer = preflight(&server, "k", "http://anywhere.test:8080", "GET").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("http://anywhere.test:8080")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_configured_origins_nothing_changes() {
    let h = harness(StoreKind::Memory).await;
    let answer = preflight(&h.server, "k", PAGE, "PUT").await;
    assert_ne!(answer.status(), 200);
    assert!(!has_cors_headers(answer.headers()));

    let c = client(&h.server, Sig::V4, Style::Path);
    let put = c
        .send_presigned(
            Req::object("PUT", "plain.txt")
                .header("origin", PAGE)
                .body(b"x".to_vec()),
            Duration::from_secs(300),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    assert!(!has_cors_headers(&put.headers));
    assert_eq!(put.header("vary"), None);
}

#[tokio::test]
async fn a_bad_origin_is_refused_at_start() {
    let err = start(ServerConfig {
        cors_origins: vec!["127.0.0.1:5173/app".to_owned()],
        ..ServerConfig::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(err, ServerError::InvalidCorsOrigin(_)), "{err}");
    assert!(err.to_string().contains("127.0.0.1:5173/app"), "{err}");
}
