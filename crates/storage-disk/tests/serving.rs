//! What a signed URL binds and how files are served, over real loopback HTTP: a URL is
//! bound to its storage (two storages sharing a signing key refuse each other's URLs),
//! a PUT URL always binds a content type, every answer carries `nosniff`, active
//! content is served as an attachment in a sandbox, and absurd expiries and ranges are
//! answered cleanly.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use jit_storage::{
    GetOptions, PresignMethod, PresignOptions, PutOptions, StorageAppExt, StorageErrorKind,
    StorageMeta, StorageMetaExt,
};
use jit_storage_disk::{
    serve_signed_urls, signed_url, verify_signed_url, DiskStorage, DiskType, SignatureError,
    SignedUrlServer, SigningKey, DISK_TYPE,
};
use reqwest::StatusCode;
use serde_json::json;

/// Two storages of one app, `storages.Files` and `storages.Other`, with the same
/// signing key, each served on its own loopback port.
struct Pair {
    _app_dir: tempfile::TempDir,
    files: Arc<dyn StorageMeta>,
    other: Arc<dyn StorageMeta>,
    other_disk: Arc<DiskStorage>,
    files_server: SignedUrlServer,
    other_server: SignedUrlServer,
}

async fn pair() -> Pair {
    let app_dir = tempfile::tempdir().unwrap();
    let files_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    common::declare(
        app_dir.path(),
        &json!({
            "directory": "data/files",
            "baseUrl": format!("http://{}", files_listener.local_addr().unwrap()),
            "signingKey": "{{FILES_SIGNING_KEY}}"
        }),
    );
    let other = app_dir.path().join("storages/Other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("e.json"),
        json!({ "title": "Other", "type": DISK_TYPE, "backendBundleEntry": "." }).to_string(),
    )
    .unwrap();
    std::fs::write(
        other.join("Other.json"),
        json!({
            "directory": "data/other",
            "baseUrl": format!("http://{}", other_listener.local_addr().unwrap()),
            "signingKey": "{{FILES_SIGNING_KEY}}"
        })
        .to_string(),
    )
    .unwrap();
    let disk_type = DiskType::default();
    let app = common::open_app(app_dir.path(), &disk_type);
    let files = app.storage("storages.Files").await.unwrap();
    let other = app.storage("storages.Other").await.unwrap();
    let files_disk = disk_type.built("storages.Files").unwrap();
    let other_disk = disk_type.built("storages.Other").unwrap();
    assert_eq!(files_disk.identity(), "storages.Files");
    assert_eq!(other_disk.identity(), "storages.Other");
    Pair {
        _app_dir: app_dir,
        files,
        other,
        files_server: serve_signed_urls(files_listener, files_disk).unwrap(),
        other_server: serve_signed_urls(other_listener, other_disk.clone()).unwrap(),
        other_disk,
    }
}

/// The same URL, pointed at another server.
fn moved(url: &str, from: &SignedUrlServer, to: &SignedUrlServer) -> String {
    url.replacen(&from.base_url(), &to.base_url(), 1)
}

#[tokio::test]
async fn storages_sharing_a_signing_key_refuse_each_others_urls() {
    let p = pair().await;
    let http = reqwest::Client::new();
    for storage in [&p.files, &p.other] {
        storage
            .upload_by_file("same/key.txt", Bytes::from_static(b"mine"), None)
            .await
            .unwrap();
    }
    // A download URL of Files works on Files, not on Other.
    let url = p
        .files
        .get_sign_url("same/key.txt", None, None)
        .await
        .unwrap();
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let elsewhere = moved(&url, &p.files_server, &p.other_server);
    let r = http.get(&elsewhere).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An upload URL of Files cannot write into Other.
    let put = p
        .files
        .presign(
            "same/key.txt",
            PresignOptions::put("text/plain", Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let r = http
        .put(moved(&put.url, &p.files_server, &p.other_server))
        .header("Content-Type", "text/plain")
        .body("overwritten through another storage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        p.other.download("same/key.txt").await.unwrap(),
        &b"mine"[..]
    );

    // The pure check says why.
    let query: Vec<(String, String)> = reqwest::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        p.other_disk.verify_signed_request(
            PresignMethod::Get,
            "same/key.txt",
            &query,
            None,
            SystemTime::now()
        ),
        Err(SignatureError::BadSignature)
    );
}

#[tokio::test]
async fn a_put_url_always_binds_its_content_type() {
    let f = common::served().await;
    let http = reqwest::Client::new();
    // Presigned without a type: bound to the one the extension implies.
    let put = f
        .storage
        .presign(
            "notes/a.txt",
            PresignOptions {
                method: PresignMethod::Put,
                content_type: None,
                expires: Duration::from_secs(60),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        put.headers,
        vec![("Content-Type".to_string(), "text/plain".to_string())]
    );
    assert!(
        put.url.contains("X-Jit-Content-Type=text%2Fplain"),
        "{}",
        put.url
    );
    for (what, content_type) in [
        ("HTML", Some("text/html")),
        ("SVG", Some("image/svg+xml")),
        ("no type", None),
    ] {
        let mut request = http.put(&put.url).body("<script>alert(1)</script>");
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}");
    }
    assert!(!f.storage.exists("notes/a.txt").await.unwrap());
    let r = http
        .put(&put.url)
        .header("Content-Type", "text/plain")
        .body("plain words")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let info = f.storage.get_object("notes/a.txt").await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));

    // A PUT URL stripped of its bound type is refused, whatever it sends.
    let stripped: String = {
        let mut url = reqwest::Url::parse(&put.url).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "X-Jit-Content-Type")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url.into()
    };
    let r = http
        .put(&stripped)
        .header("Content-Type", "text/html")
        .body("<p>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[test]
fn the_pure_verifier_refuses_unbound_puts_and_overlong_lifetimes() {
    let key = SigningKey::new("pure-verifier-key-0123456789");
    let id = "storages.Files";
    let t0 = 1_700_000_000u64;
    let now = UNIX_EPOCH + Duration::from_secs(t0);
    let query = |url: &str| -> Vec<(String, String)> {
        reqwest::Url::parse(url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    // Signed with the key, but without a bound type: not a URL this crate hands out.
    let unbound = signed_url("http://h", &key, id, PresignMethod::Put, "a", t0 + 60, None);
    assert_eq!(
        verify_signed_url(
            &key,
            id,
            PresignMethod::Put,
            "a",
            &query(&unbound),
            Some("text/html"),
            now
        ),
        Err(SignatureError::Missing("X-Jit-Content-Type"))
    );
    // Validly signed, but living far longer than seven days (up to u64::MAX).
    for expires in [t0 + 8 * 24 * 3600, u64::MAX] {
        let url = signed_url("http://h", &key, id, PresignMethod::Get, "a", expires, None);
        assert_eq!(
            verify_signed_url(&key, id, PresignMethod::Get, "a", &query(&url), None, now),
            Err(SignatureError::LifetimeTooLong { expires })
        );
    }
    let week = signed_url(
        "http://h",
        &key,
        id,
        PresignMethod::Get,
        "a",
        t0 + 7 * 24 * 3600,
        None,
    );
    verify_signed_url(&key, id, PresignMethod::Get, "a", &query(&week), None, now).unwrap();
    // An expiry beyond u64 is malformed, not an overflow.
    let huge = vec![
        ("X-Jit-Expires".to_string(), "9".repeat(40)),
        ("X-Jit-Signature".to_string(), "0".repeat(64)),
    ];
    assert_eq!(
        verify_signed_url(&key, id, PresignMethod::Get, "a", &huge, None, now),
        Err(SignatureError::Malformed("X-Jit-Expires"))
    );
}

#[tokio::test]
async fn served_files_are_never_sniffed_and_active_content_is_an_attachment() {
    let f = common::served().await;
    let http = reqwest::Client::new();
    let page = b"<html><script>alert(document.cookie)</script></html>";
    for (key, ct) in [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("feed.xml", "application/xml"),
        ("note.txt", "text/plain"),
        ("kept.html", "text/html"),
    ] {
        let options = if key == "kept.html" {
            PutOptions {
                content_type: Some(ct.into()),
                content_disposition: Some("inline; filename=\"kept.html\"".into()),
                ..PutOptions::default()
            }
        } else {
            PutOptions::content_type(ct)
        };
        f.storage
            .put(key, Bytes::from_static(page).into(), options)
            .await
            .unwrap();
    }
    let get = |key: &'static str| {
        let storage = f.storage.clone();
        let http = http.clone();
        async move {
            let url = storage.get_sign_url(key, None, None).await.unwrap();
            http.get(&url).send().await.unwrap()
        }
    };
    for key in ["page.html", "logo.svg", "feed.xml"] {
        let r = get(key).await;
        assert_eq!(r.status(), StatusCode::OK, "{key}");
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{key}");
        assert_eq!(h["content-disposition"], "attachment", "{key}");
        assert_eq!(h["content-security-policy"], "sandbox", "{key}");
    }
    let r = get("note.txt").await;
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(!r.headers().contains_key("content-disposition"));
    assert!(!r.headers().contains_key("content-security-policy"));
    // The uploader's own disposition is kept; the sandbox still applies.
    let r = get("kept.html").await;
    assert_eq!(
        r.headers()["content-disposition"],
        "inline; filename=\"kept.html\""
    );
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    // A download URL bound to an active type is an attachment too.
    let url = f
        .storage
        .get_sign_url("note.txt", Some("text/html"), None)
        .await
        .unwrap();
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.headers()["content-disposition"], "attachment");
    // Refusals carry it as well.
    let base = f.server.as_ref().unwrap().base_url();
    let r = http.get(format!("{base}/note.txt")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn absurd_expiries_and_ranges_are_answered_cleanly() {
    let f = common::served().await;
    let http = reqwest::Client::new();
    let data: Vec<u8> = (0..100u8).collect();
    f.storage
        .upload_by_file("r.bin", Bytes::from(data.clone()), None)
        .await
        .unwrap();
    for expires in [Duration::ZERO, Duration::MAX, Duration::from_secs(u64::MAX)] {
        let storages: [&dyn StorageMeta; 2] = [f.disk.as_ref(), f.storage.as_ref()];
        for storage in storages {
            let err = storage
                .presign("r.bin", PresignOptions::get(expires))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{expires:?}");
        }
        let err = f
            .disk
            .presign("r.bin", PresignOptions::get(expires))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("between 1 second and 7 days"),
            "{err}"
        );
    }
    f.storage
        .presign("r.bin", PresignOptions::get(Duration::from_millis(1)))
        .await
        .expect("a millisecond rounds up to a second");

    let url = f.storage.get_sign_url("r.bin", None, None).await.unwrap();
    let huge = "9".repeat(30);
    let ask = |range: String| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let r = http.get(&url).header("Range", range).send().await.unwrap();
            let status = r.status();
            let content_range = r
                .headers()
                .get("content-range")
                .map(|v| v.to_str().unwrap().to_string());
            (status, content_range, r.bytes().await.unwrap())
        }
    };
    let (status, cr, body) = ask(format!("bytes={huge}-")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(cr.as_deref(), Some("bytes */100"));
    assert!(!body.is_empty());
    let (status, cr, body) = ask(format!("bytes=10-{huge}")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(cr.as_deref(), Some("bytes 10-99/100"));
    assert_eq!(body, &data[10..]);
    let (status, _, body) = ask(format!("bytes=-{}", u64::MAX)).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, data);
    let (status, _, _) = ask(format!("bytes={}-{}", u64::MAX, u64::MAX)).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);

    // Through the contract: an end past the object is clamped, a start past it refused.
    let got = f
        .storage
        .get(
            "r.bin",
            GetOptions {
                range: Some(90..u64::MAX),
            },
        )
        .await
        .unwrap();
    assert_eq!(got.range, Some(90..100));
    assert_eq!(got.bytes().await.unwrap(), &data[90..]);
    for range in [u64::MAX - 1..u64::MAX, 100..101, 5..5] {
        let err = f
            .storage
            .get(
                "r.bin",
                GetOptions {
                    range: Some(range.clone()),
                },
            )
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{range:?}");
    }
}
