//! Authentication: V1 and V4, header and presigned, in both addressing styles; wrong
//! secret, unknown key, expired presigned URL, skewed clock, anonymous access.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use jit_oss_protocol::Credentials;
use jit_oss_server::{start, ServerConfig};

const ALL: &[(Sig, Style)] = &[
    (Sig::V1, Style::Path),
    (Sig::V1, Style::Virtual),
    (Sig::V4, Style::Path),
    (Sig::V4, Style::Virtual),
];

#[tokio::test]
async fn header_and_presigned_requests_are_accepted() {
    let h = harness(StoreKind::Memory).await;
    for &(sig, style) in ALL {
        let c = client(&h.server, sig, style);
        let key = format!("signed/{sig:?}-{style:?} ü+%.txt");
        let put = c
            .send(
                Req::object("PUT", &key)
                    .header("content-type", "text/plain")
                    .header("x-oss-meta-a", "1")
                    .body(b"hello".to_vec()),
            )
            .await;
        assert_eq!(put.status, 200, "{sig:?} {style:?}: {}", put.text());

        let get = c
            .send_presigned(Req::object("GET", &key), Duration::from_secs(300))
            .await;
        assert_eq!(
            get.status,
            200,
            "{sig:?} {style:?} presigned GET: {}",
            get.text()
        );
        assert_eq!(get.body, b"hello");

        let presigned_put = c
            .send_presigned(
                Req::object("PUT", &format!("{key}.2"))
                    .header("content-type", "application/json")
                    .body(b"{}".to_vec()),
                Duration::from_secs(300),
            )
            .await;
        assert_eq!(
            presigned_put.status,
            200,
            "{sig:?} {style:?} presigned PUT: {}",
            presigned_put.text()
        );

        let listed = c
            .send(
                Req::bucket("GET")
                    .query("prefix", Some("signed/"))
                    .query("list-type", Some("2")),
            )
            .await;
        assert_eq!(
            listed.status,
            200,
            "{sig:?} {style:?} list: {}",
            listed.text()
        );

        let uploads = c
            .send(Req::object("POST", &key).query("uploads", None))
            .await;
        assert_eq!(
            uploads.status,
            200,
            "{sig:?} {style:?} sub-resource: {}",
            uploads.text()
        );
    }
}

#[tokio::test]
async fn wrong_secret_is_signature_does_not_match() {
    let h = harness(StoreKind::Memory).await;
    for &(sig, style) in ALL {
        let mut c = client(&h.server, sig, style);
        c.credentials = Credentials::new(AK, "wrong-secret");
        let resp = c.send(Req::object("PUT", "x").body(b"1".to_vec())).await;
        let err = resp.expect_error(403, "SignatureDoesNotMatch");
        let string_to_sign = err.extra("StringToSign").expect("StringToSign in body");
        match sig {
            Sig::V1 => assert!(string_to_sign.starts_with("PUT\n"), "{string_to_sign}"),
            _ => assert!(
                string_to_sign.starts_with("OSS4-HMAC-SHA256\n"),
                "{string_to_sign}"
            ),
        }
        assert_eq!(resp.header("content-type"), Some("application/xml"));
        let presigned = c
            .send_presigned(Req::object("GET", "x"), Duration::from_secs(60))
            .await;
        presigned.expect_error(403, "SignatureDoesNotMatch");
    }
}

#[tokio::test]
async fn unknown_access_key_id() {
    let h = harness(StoreKind::Memory).await;
    for &(sig, style) in ALL {
        let mut c = client(&h.server, sig, style);
        c.credentials = Credentials::new("nobody", SK);
        let resp = c.get("x").await;
        let err = resp.expect_error(403, "InvalidAccessKeyId");
        assert_eq!(err.extra("OSSAccessKeyId"), Some("nobody"));
    }
}

#[tokio::test]
async fn expired_presigned_url_is_access_denied() {
    let h = harness(StoreKind::Memory).await;
    for &(sig, style) in ALL {
        let mut c = client(&h.server, sig, style);
        c.put("exp", b"1").await;
        c.now = SystemTime::now() - Duration::from_secs(3600);
        let resp = c
            .send_presigned(Req::object("GET", "exp"), Duration::from_secs(60))
            .await;
        resp.expect_error(403, "AccessDenied");
    }
}

#[tokio::test]
async fn skewed_clock_is_request_time_too_skewed() {
    let h = harness(StoreKind::Memory).await;
    for &(sig, style) in ALL {
        let mut c = client(&h.server, sig, style);
        c.now = SystemTime::now() - Duration::from_secs(20 * 60);
        c.get("x").await.expect_error(403, "RequestTimeTooSkewed");
        c.now = SystemTime::now() + Duration::from_secs(20 * 60);
        c.get("x").await.expect_error(403, "RequestTimeTooSkewed");
        // Within 15 minutes is fine (NoSuchKey means authentication passed).
        c.now = SystemTime::now() - Duration::from_secs(5 * 60);
        c.get("x").await.expect_error(404, "NoSuchKey");
    }
}

#[tokio::test]
async fn anonymous_refused_by_default() {
    let h = harness(StoreKind::Memory).await;
    let c = client(&h.server, Sig::Anonymous, Style::Path);
    c.get("x").await.expect_error(403, "AccessDenied");
    let put = c.send(Req::object("PUT", "x").body(b"1".to_vec())).await;
    put.expect_error(403, "AccessDenied");
    let head = c.send(Req::object("HEAD", "x")).await;
    assert_eq!(head.status, 403);
    assert!(head.header("x-oss-request-id").is_some());
}

#[tokio::test]
async fn anonymous_allowed_when_configured() {
    let server = start(ServerConfig {
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        allow_anonymous: true,
        ..ServerConfig::default()
    })
    .await
    .expect("start");
    let anon = client(&server, Sig::Anonymous, Style::Virtual);
    let put = anon
        .send(Req::object("PUT", "open").body(b"free".to_vec()))
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(anon.get("open").await.body, b"free");
    // Signed requests are still verified.
    let mut bad = client(&server, Sig::V4, Style::Path);
    bad.credentials = Credentials::new(AK, "wrong");
    bad.get("open")
        .await
        .expect_error(403, "SignatureDoesNotMatch");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn endpoint_and_config_errors() {
    let h = harness(StoreKind::Memory).await;
    let endpoint = h.server.endpoint();
    assert_eq!(endpoint, format!("http://{}", h.server.local_addr()));
    assert!(h.server.local_addr().ip().is_loopback());
    assert_ne!(h.server.local_addr().port(), 0);
    let bad = start(ServerConfig {
        buckets: vec!["Not_Valid".to_owned()],
        ..ServerConfig::default()
    })
    .await;
    assert!(matches!(
        bad,
        Err(jit_oss_server::ServerError::InvalidBucketName(_))
    ));
    let taken = start(ServerConfig {
        addr: h.server.local_addr(),
        ..ServerConfig::default()
    })
    .await;
    assert!(matches!(
        taken,
        Err(jit_oss_server::ServerError::Bind { .. })
    ));
}
