//! Signed URLs: the pure verifier refuses expired, tampered, wrong-method, wrong-key and
//! wrong-content-type requests at an explicit `now`, and the HTTP handler does the same
//! over a real loopback server (403), serves GETs with headers and ranges, takes PUTs,
//! answers 404 for missing objects, and works when nested under a path.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use jit_storage::StorageMetaExt;
use jit_storage::{PresignMethod, PresignOptions, StorageErrorKind};
use jit_storage_disk::{
    signed_url, signed_url_router, unix_seconds, verify_signed_url, SignatureError, SigningKey,
};
use reqwest::StatusCode;
use serde_json::json;

const T0: u64 = 1_700_000_000;
/// The identity of the fixture's storage: its element fullName.
const ID: &str = "storages.Files";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn query_of(url: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn with_param(query: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(k, v)| {
            if k == name {
                (k.clone(), value.to_string())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

#[test]
fn the_pure_verifier_checks_everything_at_an_explicit_now() {
    let key = SigningKey::new("pure-verifier-key-0123456789");
    let url = signed_url(
        "http://h",
        &key,
        ID,
        PresignMethod::Get,
        "dir/a b.txt",
        T0 + 60,
        None,
    );
    let q = query_of(&url);
    let verify = |method, name: &str, q: &[(String, String)], ct: Option<&str>, now| {
        verify_signed_url(&key, ID, method, name, q, ct, now)
    };

    let grant = verify(PresignMethod::Get, "dir/a b.txt", &q, None, at(T0)).unwrap();
    assert_eq!(grant.expires, T0 + 60);
    assert!(verify(PresignMethod::Get, "dir/a b.txt", &q, None, at(T0 + 59)).is_ok());
    assert_eq!(
        verify(PresignMethod::Get, "dir/a b.txt", &q, None, at(T0 + 60)),
        Err(SignatureError::Expired {
            expired_at: T0 + 60
        })
    );
    // Wrong method, other object, other key.
    assert_eq!(
        verify(PresignMethod::Put, "dir/a b.txt", &q, None, at(T0)),
        Err(SignatureError::BadSignature)
    );
    assert_eq!(
        verify(PresignMethod::Get, "dir/a b.txt2", &q, None, at(T0)),
        Err(SignatureError::BadSignature)
    );
    let other = SigningKey::new("another-key-0123456789abcdef");
    assert_eq!(
        verify_signed_url(
            &other,
            ID,
            PresignMethod::Get,
            "dir/a b.txt",
            &q,
            None,
            at(T0)
        ),
        Err(SignatureError::BadSignature)
    );
    // Tampered expiry (extending the URL's life) and tampered signature.
    let later = with_param(&q, "X-Jit-Expires", &(T0 + 6000).to_string());
    assert_eq!(
        verify(PresignMethod::Get, "dir/a b.txt", &later, None, at(T0)),
        Err(SignatureError::BadSignature)
    );
    let sig = q
        .iter()
        .find(|(k, _)| k == "X-Jit-Signature")
        .unwrap()
        .1
        .clone();
    let flipped = format!(
        "{}{}",
        &sig[..63],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    assert_eq!(
        verify(
            PresignMethod::Get,
            "dir/a b.txt",
            &with_param(&q, "X-Jit-Signature", &flipped),
            None,
            at(T0)
        ),
        Err(SignatureError::BadSignature)
    );
    // Upper-case hex is not the form this crate emits (and would let 'a' → 'A' pass).
    let upper = sig.to_uppercase();
    assert_ne!(upper, sig, "the fixed inputs give a signature with letters");
    assert_eq!(
        verify(
            PresignMethod::Get,
            "dir/a b.txt",
            &with_param(&q, "X-Jit-Signature", &upper),
            None,
            at(T0)
        ),
        Err(SignatureError::Malformed("X-Jit-Signature"))
    );
    // Missing and repeated parameters.
    let without: Vec<_> = q
        .iter()
        .filter(|(k, _)| k != "X-Jit-Signature")
        .cloned()
        .collect();
    assert_eq!(
        verify(PresignMethod::Get, "dir/a b.txt", &without, None, at(T0)),
        Err(SignatureError::Missing("X-Jit-Signature"))
    );
    let mut twice = q.clone();
    twice.push(("X-Jit-Expires".into(), (T0 + 60).to_string()));
    assert_eq!(
        verify(PresignMethod::Get, "dir/a b.txt", &twice, None, at(T0)),
        Err(SignatureError::Malformed("X-Jit-Expires"))
    );
}

#[test]
fn the_pure_verifier_binds_the_upload_content_type() {
    let key = SigningKey::new("pure-verifier-key-0123456789");
    let url = signed_url(
        "http://h",
        &key,
        ID,
        PresignMethod::Put,
        "up.txt",
        T0 + 60,
        Some("text/plain"),
    );
    let q = query_of(&url);
    let put = |q: &[(String, String)], ct| {
        verify_signed_url(&key, ID, PresignMethod::Put, "up.txt", q, ct, at(T0))
    };
    let grant = put(&q, Some("text/plain")).unwrap();
    assert_eq!(grant.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        put(&q, Some("text/html")),
        Err(SignatureError::ContentTypeMismatch {
            expected: "text/plain".into(),
            got: Some("text/html".into())
        })
    );
    assert!(matches!(
        put(&q, None),
        Err(SignatureError::ContentTypeMismatch { .. })
    ));
    // Changing the signed type in the URL breaks the signature.
    let html = with_param(&q, "X-Jit-Content-Type", "text/html");
    assert_eq!(
        put(&html, Some("text/html")),
        Err(SignatureError::BadSignature)
    );
    // A GET URL cannot be used to PUT.
    let get_url = signed_url(
        "http://h",
        &key,
        ID,
        PresignMethod::Get,
        "up.txt",
        T0 + 60,
        None,
    );
    assert_eq!(
        put(&query_of(&get_url), None),
        Err(SignatureError::BadSignature)
    );
}

#[tokio::test]
async fn the_handler_refuses_bad_signatures_over_http() {
    let f = common::served().await;
    let http = reqwest::Client::new();
    let base = f.server.as_ref().unwrap().base_url();
    f.storage
        .upload_by_file(
            "docs/r 1.txt",
            Bytes::from_static(b"hello there"),
            Some("text/plain"),
        )
        .await
        .unwrap();
    let key = SigningKey::new(common::SIGNING_KEY);
    let now = unix_seconds(SystemTime::now());

    let expired = signed_url(
        &base,
        &key,
        ID,
        PresignMethod::Get,
        "docs/r 1.txt",
        now - 10,
        None,
    );
    let r = http.get(&expired).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("expired"));

    let good = signed_url(
        &base,
        &key,
        ID,
        PresignMethod::Get,
        "docs/r 1.txt",
        now + 600,
        None,
    );
    assert_eq!(
        http.get(&good).send().await.unwrap().status(),
        StatusCode::OK
    );
    let tampered = good.replace("r%201.txt", "r%202.txt");
    assert_eq!(
        http.get(&tampered).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let unsigned = format!("{base}/docs/r%201.txt");
    assert_eq!(
        http.get(&unsigned).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let wrong_key = SigningKey::new("not-the-configured-key-123456");
    let forged = signed_url(
        &base,
        &wrong_key,
        ID,
        PresignMethod::Get,
        "docs/r 1.txt",
        now + 600,
        None,
    );
    assert_eq!(
        http.get(&forged).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // A GET URL used to PUT.
    let r = http.put(&good).body("overwrite").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A PUT URL with the wrong Content-Type.
    let put = f
        .storage
        .presign(
            "docs/new.txt",
            PresignOptions::put("text/plain", Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let r = http
        .put(&put.url)
        .header("Content-Type", "text/html")
        .body("<script>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = http.put(&put.url).body("no type").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!f.storage.exists("docs/new.txt").await.unwrap());
    assert_eq!(
        f.storage.download("docs/r 1.txt").await.unwrap(),
        &b"hello there"[..]
    );

    // A valid signature for a missing object.
    let missing = signed_url(
        &base,
        &key,
        ID,
        PresignMethod::Get,
        "docs/none.txt",
        now + 600,
        None,
    );
    assert_eq!(
        http.get(&missing).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_handler_serves_headers_ranges_and_uploads() {
    let f = common::served().await;
    let http = reqwest::Client::new();
    let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let up = f
        .storage
        .upload_by_file(
            "media/clip.bin",
            Bytes::from(data.clone()),
            Some("video/mp4"),
        )
        .await
        .unwrap();
    let url = f
        .storage
        .get_sign_url("media/clip.bin", None, Some(Duration::from_secs(60)))
        .await
        .unwrap();
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "video/mp4");
    assert_eq!(h["content-length"], "5000");
    assert_eq!(
        h["etag"].to_str().unwrap(),
        format!("\"{}\"", up.etag.unwrap())
    );
    assert!(h.contains_key("last-modified"));
    assert_eq!(r.bytes().await.unwrap(), data);

    let r = http
        .get(&url)
        .header("Range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 100-199/5000");
    assert_eq!(r.bytes().await.unwrap(), &data[100..200]);
    let r = http
        .get(&url)
        .header("Range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap(), &data[4990..]);
    let r = http
        .get(&url)
        .header("Range", "bytes=9000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    let r = http.head(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-length"], "5000");

    // A download URL bound to a type serves that type.
    let url = f
        .storage
        .get_sign_url("media/clip.bin", Some("application/x-custom"), None)
        .await
        .unwrap();
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/x-custom");

    // An upload URL takes a streamed body with the signed type.
    let put = f
        .storage
        .presign(
            "in/box/report.csv",
            PresignOptions::put("text/csv", Duration::from_secs(60)),
        )
        .await
        .unwrap();
    assert_eq!(
        put.headers,
        vec![("Content-Type".to_string(), "text/csv".to_string())]
    );
    let body = "a,b\n".repeat(50_000);
    let r = http
        .put(&put.url)
        .header("Content-Type", "text/csv")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("etag"));
    assert_eq!(
        f.storage.download("in/box/report.csv").await.unwrap(),
        body.as_bytes()
    );
    let info = f.storage.get_object("in/box/report.csv").await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("text/csv"));
}

#[tokio::test]
async fn the_router_works_nested_under_the_base_url_path() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let f = common::with_config(json!({
        "directory": "nested",
        "baseUrl": format!("http://{addr}/files/"),
        "signingKey": "{{FILES_SIGNING_KEY}}"
    }))
    .await;
    let app = axum::Router::new().nest("/files", signed_url_router(f.disk.clone()));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    f.storage
        .upload_by_file("a/b c.txt", Bytes::from_static(b"nested"), None)
        .await
        .unwrap();
    let url = f
        .storage
        .get_sign_url("a/b c.txt", None, None)
        .await
        .unwrap();
    assert!(
        url.starts_with(&format!("http://{addr}/files/a/b%20c.txt?")),
        "{url}"
    );
    assert_eq!(
        f.storage.object_url("a/b c.txt").unwrap(),
        format!("http://{addr}/files/a/b%20c.txt")
    );
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap(), &b"nested"[..]);
    server.abort();
}

#[tokio::test]
async fn presign_states_what_is_missing_and_caps_the_expiry() {
    let f = common::plain().await;
    let caps = f.storage.capabilities();
    assert!(!caps.presign_get && !caps.presign_put);
    let err = f
        .storage
        .get_sign_url("a.txt", None, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::InvalidConfig, "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("missing `signingKey`") && shown.contains("and `baseUrl`"),
        "both missing fields are named: {shown}"
    );
    assert!(shown.contains("Files.json"), "{err}");

    let f = common::with_config(json!({
        "directory": "d",
        "signingKey": "{{FILES_SIGNING_KEY}}"
    }))
    .await;
    assert!(!f.storage.capabilities().presign_get);
    let err = f
        .storage
        .get_sign_url("a.txt", None, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::InvalidConfig, "{err}");
    let shown = err.to_string();
    assert!(shown.contains("missing `baseUrl`"), "{shown}");
    assert!(!shown.contains("missing `signingKey`"), "{shown}");

    let f = common::served().await;
    let week = Duration::from_secs(7 * 24 * 3600);
    f.storage
        .presign("a.txt", PresignOptions::get(week))
        .await
        .expect("seven days is allowed");
    let err = f
        .storage
        .presign("a.txt", PresignOptions::get(week + Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{err}");
    let debug = format!("{:?} {:?}", f.disk, f.storage);
    assert!(!debug.contains(common::SIGNING_KEY), "{debug}");
}
