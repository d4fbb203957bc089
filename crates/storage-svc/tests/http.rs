//! The HTTP service end to end: a temporary app whose default storage is a DiskType
//! folder and whose records are in SQLite, the router on a real listener on 127.0.0.1,
//! and reqwest as the client — every route, multipart uploads, ranges, ETags, names,
//! thumbnails, the access hook, CORS, expiry and the upload cap.

use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use jit_element::App;
use jit_storage::StorageAppBuilderExt;
use jit_storage_disk::DiskType;
use jit_storage_svc::http::{
    router, AccessDenied, AccessHook, Action, BearerToken, Caller, RouterOptions,
};
use jit_storage_svc::{StorageServiceAppExt, SERVICE_PATH};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

const TOKEN: &str = "test-token-0123456789";

/// A running service over a temporary app.
struct Svc {
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Svc {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An app with `storages.Default` on disk (signing key set, so it can presign).
fn temp_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app.json", r#"{"name":"http-test","settings":{}}"#);
    write(
        root,
        "storages/Default/e.json",
        r#"{"title":"Local files","type":"storages.DiskType","backendBundleEntry":".",
            "variables":[{"name":"TEST_DISK_KEY","default":"a-signing-key-of-32-bytes-long!!"}]}"#,
    );
    write(
        root,
        "storages/Default/Default.json",
        r#"{"directory":"data/default","baseUrl":"http://127.0.0.1:9/files",
            "signingKey":"{{TEST_DISK_KEY}}"}"#,
    );
    let app = App::builder(root)
        .with_storage_meta()
        .register_builtin_storage_type("storages.DiskType", "Local disk", DiskType::default())
        .open()
        .expect("open the test app");
    (dir, app)
}

async fn start(options: RouterOptions) -> Svc {
    let (dir, app) = temp_app();
    let service = app.storage_service().await.expect("open StorageSvc");
    let routes = router(service, options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, routes).await.unwrap();
    });
    Svc {
        base: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        _dir: dir,
        server,
    }
}

impl Svc {
    fn url(&self, method: &str) -> String {
        format!("{}{SERVICE_PATH}/{method}", self.base)
    }

    /// uploadByFile of `bytes` named `name`, with extra text fields.
    async fn upload(
        &self,
        name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        self.http
            .post(self.url("uploadByFile"))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, method: &str, query: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.url(method))
            .query(query)
            .send()
            .await
            .unwrap()
    }
}

async fn json(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// The record of a successful upload.
async fn uploaded(response: reqwest::Response) -> Value {
    let (status, body) = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["errcode"], 0, "{body}");
    assert_eq!(body["errmsg"], "", "{body}");
    body["data"].clone()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn protected() -> RouterOptions {
    RouterOptions::default().with_hook(BearerToken::new(TOKEN).with_user("tester"))
}

#[tokio::test]
async fn upload_then_preview_download_and_delete() {
    let svc = start(protected()).await;
    let bytes = b"hello, StorageSvc\n".repeat(100);
    let record = uploaded(svc.upload("notes/hello.txt", bytes.clone(), &[]).await).await;
    assert_eq!(record["name"], "notes/hello.txt", "{record}");
    assert_eq!(record["size"], bytes.len() as u64, "{record}");
    assert_eq!(record["uploadUser"], "tester", "{record}");
    assert_eq!(record["storeFullName"], "storages.Default", "{record}");
    let file = record["fileName"].as_str().unwrap().to_owned();

    // The record's url previews it.
    let url = format!("{}{}", svc.base, record["url"].as_str().unwrap());
    let preview = svc.http.get(&url).send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let h = preview.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-disposition"], "inline");
    assert_eq!(h["cache-control"], "private, no-cache");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{h:?}"
    );
    assert_eq!(h["content-length"], bytes.len().to_string().as_str());
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert_eq!(preview.bytes().await.unwrap(), bytes);

    // HEAD: the headers, no body.
    let head = svc.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], etag.as_str());
    assert!(head.bytes().await.unwrap().is_empty());

    // download: the same bytes as an attachment.
    let down = svc.get("download", &[("file", &file)]).await;
    assert_eq!(down.status(), StatusCode::OK);
    let disposition = down.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"hello.txt\""),
        "{disposition}"
    );
    assert_eq!(down.bytes().await.unwrap(), bytes);

    // delete (POST JSON), then it is gone.
    let deleted = svc
        .http
        .post(svc.url("delete"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "file": file }))
        .send()
        .await
        .unwrap();
    let (status, body) = json(deleted).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], Value::Null);
    let (status, body) = json(svc.get("preview", &[("file", &file)]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["errcode"], 404);
    assert_eq!(body["kind"], "NotFound");
}

#[tokio::test]
async fn ranges_and_if_none_match() {
    let svc = start(protected()).await;
    let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let record = uploaded(svc.upload("data.bin", bytes.clone(), &[]).await).await;
    let file = record["fileName"].as_str().unwrap();
    let url = svc.url("preview");

    let part = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("Range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/1000");
    assert_eq!(part.headers()["content-length"], "10");
    let etag = part.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(part.bytes().await.unwrap(), bytes[10..20]);

    let suffix = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("Range", "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(suffix.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(suffix.bytes().await.unwrap(), bytes[995..]);

    let (status, body) = json(
        svc.http
            .get(&url)
            .query(&[("file", file)])
            .header("Range", "bytes=5000-")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE, "{body}");
    assert_eq!(body["errcode"], 416);

    let cached = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(cached.headers()["etag"], etag.as_str());
    assert!(cached.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn attachment_names_keep_unicode_and_quotes_safe() {
    let svc = start(protected()).await;
    let name = "Résumé \"final\" 2026.txt";
    let record = uploaded(
        svc.upload("x.txt", b"cv".to_vec(), &[("fileName", name)])
            .await,
    )
    .await;
    assert_eq!(record["name"], name, "{record}");
    let down = svc
        .get(
            "download",
            &[("file", record["fileName"].as_str().unwrap())],
        )
        .await;
    assert_eq!(down.status(), StatusCode::OK);
    assert_eq!(
        down.headers()["content-disposition"],
        "attachment; filename=\"R_sum_ _final_ 2026.txt\"; \
         filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%202026.txt"
    );
}

#[tokio::test]
async fn thumbnails_of_images_and_415_for_text() {
    let svc = start(protected()).await;
    let record = uploaded(svc.upload("photo.png", png(640, 480), &[]).await).await;
    let name = record["fileName"].as_str().unwrap();
    let thumb = svc
        .get(
            "previewThumbnail",
            &[("name", name), ("width", "120"), ("height", "120")],
        )
        .await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(thumb.headers()["content-type"], "image/png");
    assert_eq!(thumb.headers()["x-content-type-options"], "nosniff");
    let decoded = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (120, 90));

    let (status, body) = json(
        svc.get("previewThumbnail", &[("name", name), ("width", "12x")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["errmsg"].as_str().unwrap().contains("width"), "{body}");

    let text = uploaded(svc.upload("plain.txt", b"not an image".to_vec(), &[]).await).await;
    let (status, body) = json(
        svc.get(
            "previewThumbnail",
            &[("name", text["fileName"].as_str().unwrap())],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["kind"], "NotAnImage");
}

#[tokio::test]
async fn active_content_is_sandboxed() {
    let svc = start(protected()).await;
    let record = uploaded(
        svc.upload(
            "page.html",
            b"<script>alert(1)</script>".to_vec(),
            &[("contentType", "text/html")],
        )
        .await,
    )
    .await;
    let preview = svc
        .get("preview", &[("file", record["fileName"].as_str().unwrap())])
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-security-policy"], "sandbox");
    assert_eq!(preview.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn get_sign_url_answers_the_put_and_the_record() {
    let svc = start(protected()).await;
    for request in [
        svc.http
            .post(svc.url("getSignUrl"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"file": "direct.png", "contentType": "image/png", "expires": 3600})),
        svc.http
            .get(svc.url("getSignUrl"))
            .bearer_auth(TOKEN)
            .query(&[("file", "direct2.png"), ("contentType", "image/png")]),
    ] {
        let (status, body) = json(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let data = &body["data"];
        assert_eq!(data["method"], "PUT", "{body}");
        assert!(data["url"].as_str().unwrap().starts_with("http://127.0.0.1:9/files/"), "{body}");
        assert_eq!(data["headers"]["Content-Type"], "image/png", "{body}");
        assert_eq!(data["file"]["storeFullName"], "storages.Default", "{body}");
        assert_eq!(data["file"]["uploadUser"], "tester", "{body}");
    }
}

#[tokio::test]
async fn bad_requests_are_clear_json_errors() {
    let svc = start(protected()).await;
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (svc.http.get(svc.url("preview")), 400, "\"file\" is missing"),
        (svc.http.get(svc.url("preview")).query(&[("file", "a"), ("fiel", "b")]), 400, "\"fiel\""),
        (svc.http.get(svc.url("preview")).query(&[("file", "a"), ("file", "b")]), 400, "twice"),
        (svc.http.get(svc.url("nosuch")), 404, "no StorageSvc method \"nosuch\""),
        (svc.http.put(svc.url("preview")), 405, "PUT"),
        (
            svc.http.post(svc.url("getSignUrl")).bearer_auth(TOKEN).body("{not json"),
            400,
            "not JSON",
        ),
        (
            svc.http
                .post(svc.url("getSignUrl"))
                .bearer_auth(TOKEN)
                .json(&serde_json::json!({"file": "a.png", "contentType": "image/png", "expires": "-1"})),
            400,
            "expires",
        ),
        (
            svc.http.post(svc.url("uploadByFile")).bearer_auth(TOKEN).body("plain"),
            400,
            "multipart",
        ),
    ];
    for (request, want, says) in cases {
        let (status, body) = json(request.send().await.unwrap()).await;
        assert_eq!(status.as_u16(), want, "{body}");
        assert_eq!(body["errcode"], want, "{body}");
        assert!(
            body["errmsg"].as_str().unwrap().contains(says),
            "{says:?} in {body}"
        );
    }
    // An unknown form field.
    let form = Form::new()
        .part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"))
        .text("colour", "red");
    let (status, body) = json(
        svc.http
            .post(svc.url("uploadByFile"))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errmsg"].as_str().unwrap().contains("colour"),
        "{body}"
    );
}

#[tokio::test]
async fn writes_need_the_token_reads_do_not() {
    let svc = start(protected()).await;
    let record = uploaded(svc.upload("open.txt", b"open".to_vec(), &[]).await).await;
    let file = record["fileName"].as_str().unwrap();

    let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"));
    let anonymous = svc
        .http
        .post(svc.url("uploadByFile"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let (_, body) = json(anonymous).await;
    assert_eq!(body["kind"], "Unauthorized");
    assert!(!body.to_string().contains(TOKEN));

    for request in [
        svc.http
            .get(svc.url("getSignUrl"))
            .query(&[("file", "a.png"), ("contentType", "image/png")]),
        svc.http
            .get(svc.url("delete"))
            .query(&[("file", file)])
            .bearer_auth("wrong-token"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Reads stay open, and the file was not deleted.
    let read = svc.get("download", &[("file", file)]).await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.bytes().await.unwrap(), b"open"[..]);
}

/// Lets anyone upload, and no one delete.
struct NoDeletes;

#[async_trait]
impl AccessHook for NoDeletes {
    async fn check(
        &self,
        action: Action,
        _: &axum::http::HeaderMap,
    ) -> Result<Caller, AccessDenied> {
        match action {
            Action::Delete => Err(AccessDenied::Forbidden(
                "deleting is not allowed here".into(),
            )),
            _ => Ok(Caller::user("hooked")),
        }
    }
}

#[tokio::test]
async fn a_custom_hook_forbids() {
    let svc = start(RouterOptions::default().with_hook(NoDeletes)).await;
    let record = uploaded(svc.upload("keep.txt", b"keep".to_vec(), &[]).await).await;
    assert_eq!(record["uploadUser"], "hooked");
    let (status, body) = json(
        svc.get("delete", &[("file", record["fileName"].as_str().unwrap())])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["kind"], "Forbidden");
    assert!(
        body["errmsg"].as_str().unwrap().contains("not allowed"),
        "{body}"
    );
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let origin = "http://127.0.0.1:4321";
    let svc = start(protected().with_cors_origin(origin)).await;
    let preflight = svc
        .http
        .request(reqwest::Method::OPTIONS, svc.url("uploadByFile"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], origin);
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );

    let record = uploaded(svc.upload("c.txt", b"cors".to_vec(), &[]).await).await;
    let read = svc
        .http
        .get(svc.url("download"))
        .query(&[("file", record["fileName"].as_str().unwrap())])
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in ["etag", "content-range", "content-disposition"] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
    // Another origin gets no CORS headers.
    let other = svc
        .http
        .request(reqwest::Method::OPTIONS, svc.url("uploadByFile"))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_expired_file_is_404() {
    let svc = start(protected()).await;
    let record = uploaded(
        svc.upload("short.txt", b"short-lived".to_vec(), &[("expires", "1")])
            .await,
    )
    .await;
    let file = record["fileName"].as_str().unwrap();
    assert_eq!(
        svc.get("preview", &[("file", file)]).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = json(svc.get("preview", &[("file", file)]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn uploads_over_the_cap_are_413() {
    let svc = start(protected().with_max_upload_bytes(1000)).await;
    let (status, body) = json(svc.upload("big.bin", vec![7u8; 100_000], &[]).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["kind"], "TooLarge");
    // At the cap is fine.
    uploaded(svc.upload("ok.bin", vec![7u8; 1000], &[]).await).await;
}

/// The service's own errors come back in the envelope with their HTTP status.
#[tokio::test]
async fn an_unknown_storage_is_a_client_error() {
    let svc = start(protected()).await;
    let (status, body) = json(
        svc.http
            .get(svc.url("getSignUrl"))
            .bearer_auth(TOKEN)
            .query(&[
                ("file", "a.png"),
                ("contentType", "image/png"),
                ("storage", "storages.Nope"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_ne!(body["errcode"], 0, "{body}");
}
